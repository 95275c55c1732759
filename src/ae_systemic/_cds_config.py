"""The deployer's configuration of the CDS Hooks service: local codes the library cannot know.

The FHIR input leaves three mappings to the caller (``docs/health-records.md``): which
procedure codes are a phototherapy, which medicines are substrates of which pathways, and
local codes of the guideline's drugs.  A service reads them from one file, TOML or JSON
(:func:`load_config`), checked whole before the service starts: a bad file is refused
with :class:`ConfigError` naming the file, the line and what is wrong.  The card
``source`` (label, URL, icon) is configured there too.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, TypeAlias

import attrs

from ._cds_cards import CardSource
from ._errors import AeSystemicError, ArgumentTypeError, DataError, DataProblem, InputError, shown
from ._loading import parse_json
from ._lookup import drug as find_drug
from ._vocabulary import Pathway, Phototherapy

__all__ = ["CONFIG_SECTIONS", "ConfigError", "ServiceConfig", "load_config"]

Code: TypeAlias = tuple[str, str]
PathwayKey: TypeAlias = str | tuple[str, str]
#: What ``ServiceConfig`` takes for each mapping: a mapping, or its (key, value) pairs.
PhototherapyCodes: TypeAlias = Mapping[Code, Phototherapy] | Sequence[tuple[Code, Phototherapy]]
PathwaysOf: TypeAlias = (
    Mapping[PathwayKey, frozenset[Pathway]] | Sequence[tuple[PathwayKey, frozenset[Pathway]]]
)
DrugCodes: TypeAlias = Mapping[Code, str] | Sequence[tuple[Code, str]]

#: The sections of a configuration file, each optional.
CONFIG_SECTIONS: Final = ("timezone", "source", "phototherapy", "pathways", "drug_codes")
_MAX_BYTES: Final = 10_000_000
_TOML_LINE: Final = re.compile(r"line (\d+)")


class ConfigError(DataError):
    """A configuration file of the CDS Hooks service is unusable.

    ``file`` is its path, ``line`` the line of the first problem where one is known, and
    ``problems`` say what is wrong where (``phototherapy[1].therapy``) and what would be
    right.
    """

    def __init__(
        self, problems: Iterable[DataProblem], *, file: str | None = None, line: int | None = None
    ) -> None:
        self.line = line
        super().__init__(problems, file=file)

    def _render(self) -> str:
        where = self.file or "the configuration"
        if self.line is not None:
            where = f"{where}, line {self.line}"
        if len(self.problems) == 1:
            return f"{where}: {self.problems[0]}"
        lines = "".join(f"\n  {problem}" for problem in self.problems)
        return f"{where}: {len(self.problems)} problems:{lines}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_config_error,
            (self.problems, self.file, self.line, self.__dict__),
        )


def _rebuild_config_error(
    problems: tuple[DataProblem, ...], file: str | None, line: int | None, state: dict[str, Any]
) -> ConfigError:
    error = ConfigError(problems, file=file, line=line)
    error.__dict__.update(state)
    return error


# Pickle and tracebacks find the error where users import it.
ConfigError.__module__ = "ae_systemic.cds_hooks"


def _code(key: object, argument: str) -> Code:
    if (
        isinstance(key, tuple)
        and len(key) == 2
        and all(isinstance(k, str) and k.strip() for k in key)
    ):
        return (key[0], key[1])
    raise ArgumentTypeError(
        argument, f"expected a (system, code) pair of strings, got {shown(key)}"
    )


def _items(value: object, argument: str) -> list[tuple[object, object]]:
    if isinstance(value, Mapping):
        return list(value.items())
    if isinstance(value, (tuple, list)) and all(
        isinstance(item, tuple) and len(item) == 2 for item in value
    ):
        return list(value)
    raise ArgumentTypeError(argument, f"expected a mapping, got {shown(value)}")


def _to_phototherapy(value: PhototherapyCodes) -> tuple[tuple[Code, Phototherapy], ...]:
    pairs = []
    for key, therapy in _items(value, "phototherapy"):
        if not isinstance(therapy, Phototherapy):
            raise ArgumentTypeError(
                "phototherapy", f"expected a Phototherapy, got {shown(therapy)}"
            )
        pairs.append((_code(key, "phototherapy"), therapy))
    return tuple(sorted(dict(pairs).items(), key=lambda p: p[0]))


def _to_pathways(value: PathwaysOf) -> tuple[tuple[PathwayKey, frozenset[Pathway]], ...]:
    merged: dict[PathwayKey, frozenset[Pathway]] = {}
    for key, pathways in _items(value, "pathways"):
        name: PathwayKey
        if isinstance(key, str) and key.strip():
            name = key.strip().casefold()
        else:
            name = _code(key, "pathways")
        if not isinstance(pathways, frozenset) or not all(isinstance(p, Pathway) for p in pathways):
            raise ArgumentTypeError(
                "pathways", f"expected a frozenset of Pathway, got {shown(pathways)}"
            )
        merged[name] = merged.get(name, frozenset()) | pathways
    return tuple(sorted(merged.items(), key=lambda p: repr(p[0])))


def _to_drug_codes(value: DrugCodes) -> tuple[tuple[Code, str], ...]:
    pairs = []
    for key, name in _items(value, "drug_codes"):
        if not isinstance(name, str):
            raise ArgumentTypeError("drug_codes", f"expected a drug name, got {shown(name)}")
        try:
            pairs.append((_code(key, "drug_codes"), find_drug(name).name))
        except AeSystemicError as error:
            raise InputError("drug_codes", str(error)) from None
    return tuple(sorted(dict(pairs).items(), key=lambda p: p[0]))


def _is_timezone(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise ArgumentTypeError(
            "timezone", f"expected an IANA time zone name or None, got {shown(value)}"
        )
    _zone(value)


def _zone(name: str) -> datetime.tzinfo:
    """The time zone ``name`` (IANA: ``Europe/Berlin``, ``UTC``), or :class:`InputError`."""
    import zoneinfo  # only for a service that names its zone

    problem = (
        f"{shown(name)} is not an IANA time zone this machine knows: give a name such as "
        "'Europe/Berlin' or 'UTC' (the extra ae-systemic[service] installs the tzdata package)"
    )
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # "America": a directory
        raise InputError("timezone", problem) from None


def _is_source(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, CardSource):
        raise ArgumentTypeError("source", f"expected a CardSource or None, got {shown(value)}")


@attrs.frozen
class ServiceConfig:
    """What a deployer tells the CDS Hooks service about local codes, and the cards' source.

    * ``phototherapy``: ``{(system, code): Phototherapy}``, the codes of ``ServiceRequest``
      and ``Procedure`` resources that are a phototherapy;
    * ``pathways``: ``{name or (system, code): frozenset[Pathway]}``, the pathways
      co-medications are substrates of (the guideline lists none; the library ships none);
    * ``drug_codes``: ``{(system, code): drug name}``, local codes of the guideline's drugs;
    * ``source``: the cards' :class:`CardSource` (``None``: the guideline's own label);
    * ``timezone``: the IANA time zone (``Europe/Berlin``) whose calendar date is the date
      of each decision (:meth:`today`); ``None``: the local time zone of the machine.  A
      health record writes many dates without a time (a weight measured "2026-12-04"):
      read against the date in another zone, a weight of the local today may count as
      measured after the decision, and an older one be used instead.

    Each mapping is kept as a sorted tuple of pairs (a frozen value); the ``*_map``
    methods give them back as dicts.  :func:`load_config` reads one from a file.
    """

    phototherapy: tuple[tuple[Code, Phototherapy], ...] = attrs.field(
        default=(), converter=_to_phototherapy
    )
    pathways: tuple[tuple[PathwayKey, frozenset[Pathway]], ...] = attrs.field(
        default=(), converter=_to_pathways
    )
    drug_codes: tuple[tuple[Code, str], ...] = attrs.field(default=(), converter=_to_drug_codes)
    source: CardSource | None = attrs.field(default=None, validator=_is_source)
    timezone: str | None = attrs.field(default=None, validator=_is_timezone)

    def phototherapy_map(self) -> dict[Code, Phototherapy]:
        """``phototherapy`` as a dict, as :func:`~ae_systemic.fhir.read_patient` takes it."""
        return dict(self.phototherapy)

    def pathways_map(self) -> dict[PathwayKey, frozenset[Pathway]]:
        """``pathways`` as a dict, as :func:`~ae_systemic.fhir.read_patient` takes it."""
        return dict(self.pathways)

    def drug_codes_map(self) -> dict[Code, str]:
        """``drug_codes`` as a dict, as :func:`~ae_systemic.fhir.drug_for` takes it."""
        return dict(self.drug_codes)

    def today(self, now: datetime.datetime | None = None) -> datetime.date:
        """The date of a decision taken at the instant ``now`` (default: the current time).

        The calendar date in :attr:`timezone` (the machine's local zone when ``None``);
        ``now`` must be aware (carry its offset), else :class:`ArgumentTypeError`.
        """
        given: object = now  # a caller may pass anything
        if now is None:
            now = datetime.datetime.now(datetime.UTC)
        elif not isinstance(given, datetime.datetime) or now.utcoffset() is None:
            raise ArgumentTypeError(
                "now", f"expected an aware datetime.datetime (with its offset), got {shown(now)}"
            )
        zone = None if self.timezone is None else _zone(self.timezone)
        return now.astimezone(zone).date()

    def card_source(self) -> CardSource:
        """The cards' source: the configured one, else :meth:`CardSource.default`."""
        return CardSource.default() if self.source is None else self.source


# --- reading a file -------------------------------------------------------------------------


@attrs.frozen
class _Problem:
    section: str
    index: int | None
    key: str | None
    message: str

    @property
    def path(self) -> str:
        path = self.section
        if self.index is not None:
            path += f"[{self.index}]"
        if self.key is not None:
            path += f".{self.key}"
        return path


class _Locator:
    """The line of a section, item and key in the file's text (TOML or JSON)."""

    def __init__(self, text: str, toml: bool) -> None:
        self.lines = text.splitlines()
        self.text = text
        self.toml = toml

    def line(self, problem: _Problem) -> int | None:
        if self.toml:
            return self._toml_line(problem)
        return self._json_line(problem)

    def _toml_line(self, problem: _Problem) -> int | None:
        section = re.escape(problem.section)
        header = re.compile(rf"^\s*\[\[?\s*{section}\s*\]\]?")
        starts = [i for i, line in enumerate(self.lines) if header.match(line)]
        if not starts:
            flat = re.compile(rf"^\s*{section}\s*=")
            found = [i for i, line in enumerate(self.lines) if flat.match(line)]
            return found[0] + 1 if found else None
        start = starts[min(problem.index or 0, len(starts) - 1)]
        if problem.key is None:
            return start + 1
        key = re.compile(rf"^\s*{re.escape(problem.key)}\s*=")
        for i in range(start + 1, len(self.lines)):
            if self.lines[i].lstrip().startswith("["):
                break
            if key.match(self.lines[i]):
                return i + 1
        return start + 1

    def _json_line(self, problem: _Problem) -> int | None:
        at = self.text.find(json.dumps(problem.section))
        if at < 0:
            return None
        if problem.index is not None:
            # The index-th object of the section's list: count the opening braces at depth 1.
            position = self.text.find("[", at)
            depth, seen = 0, -1
            for i in range(position, len(self.text)):
                char = self.text[i]
                if char in "[{":
                    depth += 1
                    if depth == 2 and char == "{":
                        seen += 1
                        if seen == problem.index:
                            at = i
                            break
                elif char in "]}":
                    depth -= 1
                    if depth == 0:
                        break
        if problem.key is not None:
            found = self.text.find(json.dumps(problem.key), at)
            at = found if found >= 0 else at
        return self.text.count("\n", 0, at) + 1


def _string(item: Mapping[str, object], key: str, section: str, index: int) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _Failure(
            _Problem(section, index, key, f"expected a non-empty string, got {shown(value)}")
        )
    return value


class _Failure(Exception):
    def __init__(self, problem: _Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _entries(document: Mapping[str, object], section: str) -> list[Mapping[str, object]]:
    value = document.get(section, [])
    if not isinstance(value, list):
        raise _Failure(
            _Problem(
                section,
                None,
                None,
                f"expected a list of tables ([[{section}]]), got {shown(value)}",
            )
        )
    items = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise _Failure(_Problem(section, index, None, f"expected a table, got {shown(item)}"))
        items.append(item)
    return items


def _unknown_keys(
    item: Mapping[str, object], allowed: tuple[str, ...], section: str, index: int | None
) -> None:
    for key in item:
        if key not in allowed:
            raise _Failure(
                _Problem(
                    section,
                    index,
                    key,
                    f"unknown key {shown(key)}: the keys are {', '.join(allowed)}",
                )
            )


def _member(
    enum_type: type[Phototherapy] | type[Pathway], value: object
) -> Phototherapy | Pathway | None:
    if isinstance(value, str):
        for member in enum_type:
            if value.strip().casefold() in (member.value.casefold(), member.name.casefold()):
                return member
    return None


def _code_of(item: Mapping[str, object], section: str, index: int) -> Code:
    return (_string(item, "system", section, index), _string(item, "code", section, index))


def _phototherapy(document: Mapping[str, object]) -> dict[Code, Phototherapy]:
    found: dict[Code, Phototherapy] = {}
    known = ", ".join(repr(p.value) for p in Phototherapy)
    for index, item in enumerate(_entries(document, "phototherapy")):
        _unknown_keys(item, ("system", "code", "therapy"), "phototherapy", index)
        code = _code_of(item, "phototherapy", index)
        therapy = _member(Phototherapy, item.get("therapy"))
        if not isinstance(therapy, Phototherapy):
            raise _Failure(
                _Problem(
                    "phototherapy",
                    index,
                    "therapy",
                    f"{shown(item.get('therapy'))} is not a phototherapy the guideline names: "
                    f"expected one of {known}",
                )
            )
        if code in found and found[code] is not therapy:
            raise _Failure(
                _Problem(
                    "phototherapy",
                    index,
                    "code",
                    "this system and code is mapped twice, differently",
                )
            )
        found[code] = therapy
    return found


def _pathways(document: Mapping[str, object]) -> dict[PathwayKey, frozenset[Pathway]]:
    found: dict[PathwayKey, frozenset[Pathway]] = {}
    known = ", ".join(repr(p.value) for p in Pathway)
    for index, item in enumerate(_entries(document, "pathways")):
        _unknown_keys(item, ("name", "system", "code", "pathways"), "pathways", index)
        key: PathwayKey
        if "name" in item:
            if "system" in item or "code" in item:
                raise _Failure(
                    _Problem(
                        "pathways",
                        index,
                        "name",
                        "give either a name or a system and code, not both",
                    )
                )
            key = _string(item, "name", "pathways", index)
        else:
            key = _code_of(item, "pathways", index)
        raw = item.get("pathways")
        if not isinstance(raw, list) or not raw:
            raise _Failure(
                _Problem(
                    "pathways",
                    index,
                    "pathways",
                    f"expected a non-empty list of pathways ({known})",
                )
            )
        members = set()
        for value in raw:
            member = _member(Pathway, value)
            if not isinstance(member, Pathway):
                raise _Failure(
                    _Problem(
                        "pathways",
                        index,
                        "pathways",
                        f"{shown(value)} is not a pathway the guideline names: expected one "
                        f"of {known}",
                    )
                )
            members.add(member)
        found[key] = found.get(key, frozenset()) | frozenset(members)
    return found


def _drug_codes(document: Mapping[str, object]) -> dict[Code, str]:
    found: dict[Code, str] = {}
    for index, item in enumerate(_entries(document, "drug_codes")):
        _unknown_keys(item, ("system", "code", "drug"), "drug_codes", index)
        code = _code_of(item, "drug_codes", index)
        name = _string(item, "drug", "drug_codes", index)
        try:
            found[code] = find_drug(name).name
        except AeSystemicError as error:
            raise _Failure(_Problem("drug_codes", index, "drug", str(error))) from None
    return found


def _source(document: Mapping[str, object]) -> CardSource | None:
    raw = document.get("source")
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise _Failure(_Problem("source", None, None, f"expected a table, got {shown(raw)}"))
    _unknown_keys(raw, ("label", "url", "icon"), "source", None)
    label = raw.get("label", CardSource.default().label)
    try:
        return CardSource(label, raw.get("url"), raw.get("icon"))
    except (ArgumentTypeError, InputError) as error:
        raise _Failure(_Problem("source", None, error.argument, error.problem)) from None


def _timezone(document: Mapping[str, object]) -> str | None:
    raw = document.get("timezone")
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        problem = f"expected an IANA time zone name such as 'Europe/Berlin', got {shown(raw)}"
        raise _Failure(_Problem("timezone", None, None, problem))
    try:
        _zone(raw)
    except InputError as error:
        raise _Failure(_Problem("timezone", None, None, error.problem)) from None
    return raw


def _parse(text: str, toml: bool, file: str) -> Mapping[str, object]:
    try:
        document: object = tomllib.loads(text) if toml else json.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        line = int(found.group(1)) if found else None
        raise ConfigError(
            [DataProblem("", f"not valid TOML: {error}")], file=file, line=line
        ) from None
    except json.JSONDecodeError as error:
        raise ConfigError(
            [DataProblem("", f"not valid JSON: {error.msg} (column {error.colno})")],
            file=file,
            line=error.lineno,
        ) from None
    except RecursionError:
        raise ConfigError([DataProblem("", "nested too deeply")], file=file) from None
    except ValueError:  # Python's limit on the digits of a whole number it reads
        raise ConfigError(
            [
                DataProblem(
                    "",
                    f"not valid {'TOML' if toml else 'JSON'}: a number has more than "
                    f"{sys.get_int_max_str_digits()} digits",
                )
            ],
            file=file,
        ) from None
    if not toml:
        try:  # what json.loads lets pass: a key given twice (the first one lost), NaN
            parse_json(text, file=file)
        except DataError as error:
            raise ConfigError(error.problems, file=file) from None
    if not isinstance(document, Mapping):
        raise ConfigError(
            [DataProblem("", f"expected a JSON object at the top, got {type(document).__name__}")],
            file=file,
            line=1,
        )
    return document


def load_config(path: str | os.PathLike[str]) -> ServiceConfig:
    """The :class:`ServiceConfig` in the file ``path``: TOML (``.toml``) or JSON (``.json``).

    Its sections, each optional: ``timezone`` (an IANA name, ``"Europe/Berlin"``: the
    zone whose date is the date of each decision), ``[source]`` (``label``, ``url``, ``icon``),
    ``[[phototherapy]]`` (``system``, ``code``, ``therapy``: ``UVA``, ``UVB`` or ``PUVA``),
    ``[[pathways]]`` (``name``, or ``system`` and ``code``; ``pathways``: a list of
    ``CYP3A4``, ``P-gp``, ``OATP``), ``[[drug_codes]]`` (``system``, ``code``, ``drug``);
    see ``docs/cds-hooks.md`` for an example.  Anything else, or a value of the wrong
    kind, is refused with :class:`ConfigError` naming the file, the line and the key.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ArgumentTypeError(
            "path", f"expected a path to a .toml or .json file, got {shown(path)}"
        )
    file = os.fspath(path)
    suffix = os.path.splitext(file)[1].casefold()
    if suffix not in (".toml", ".json"):
        raise ConfigError(
            [DataProblem("", f"expected a .toml or .json file, got the extension {shown(suffix)}")],
            file=file,
        )
    try:
        with open(file, "rb") as handle:
            raw = handle.read(_MAX_BYTES + 1)
    except OSError as error:
        raise ConfigError(
            [DataProblem("", f"cannot be read: {error.strerror}")], file=file
        ) from None
    if len(raw) > _MAX_BYTES:
        raise ConfigError([DataProblem("", f"larger than {_MAX_BYTES} bytes")], file=file)
    try:
        text = raw.decode("utf-8-sig")  # a byte order mark may be ignored (RFC 8259, 8.1)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ConfigError([DataProblem("", "not UTF-8 text")], file=file, line=line) from None
    toml = suffix == ".toml"
    document = _parse(text, toml, file)
    try:
        for key in document:
            if key not in CONFIG_SECTIONS:
                raise _Failure(
                    _Problem(
                        str(key),
                        None,
                        None,
                        f"unknown section: the sections are {', '.join(CONFIG_SECTIONS)}",
                    )
                )
        return ServiceConfig(
            timezone=_timezone(document),
            phototherapy=_phototherapy(document),
            pathways=_pathways(document),
            drug_codes=_drug_codes(document),
            source=_source(document),
        )
    except _Failure as failure:
        problem = failure.problem
        located = _Locator(text, toml).line(problem)
        raise ConfigError(
            [DataProblem(problem.path, problem.message)], file=file, line=located
        ) from None
