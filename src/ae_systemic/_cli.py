"""The ``ae-systemic`` command line: what the guideline says, in a terminal or as JSON.

Commands: ``drugs``, ``show``, ``dose``, ``assess``, ``schedule``, ``export fhir`` and
``schema`` (see ``docs/cli.md``).  Every command reaches its answer through the
library's public functions (``daily_dose``, ``round_to_strengths``, ``assess``,
``monitoring_schedule``, ``fhir.to_bundle``, ``schema``); the command line only reads
the options, prints, and turns the library's errors into one line on stderr with exit
code 2.

Start-up is kept short, because a command line is started once per answer:

* each command imports only what it needs (``dose`` never imports the assessment,
  FHIR or schema code, nor icalendar);
* pint is imported only by ``dose`` and ``assess``, the only commands that handle
  quantities;
* when the command line is the program of its process (:func:`main`, with pint not
  imported yet), it sets up pint for that process: a ``UnitRegistry`` with pint's
  on-disk definition cache in a user cache directory (``AE_SYSTEMIC_CACHE_DIR``
  overrides it), made the application registry, and numpy kept out of the process,
  because the command line handles one patient at a time and never an array.  The
  library itself never does either; :func:`run` runs a command without them.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ._text import age_text, listed

if TYPE_CHECKING:
    import datetime
    import enum

    import pint

    from ._assessment import Assessment, CoMedication, Patient
    from ._converter import JSONValue
    from ._dosing import DoseRange
    from ._model import DoseRegimen, Drug
    from ._monitoring import Visit
    from ._vocabulary import Pathway, Phase

__all__ = ["CACHE_ENV", "cache_folder", "main", "run"]

PROG = "ae-systemic"
#: Environment variable naming the directory of the command line's pint cache; set it to
#: an empty string to run without a cache.
CACHE_ENV = "AE_SYSTEMIC_CACHE_DIR"
#: Width of the human-readable output.
WIDTH = 80

#: Options whose value may start with a minus sign (``--age -3y``): argparse would read
#: ``-3y`` as an option; they are joined to their value first (``--age=-3y``) so that
#: the library can say what is wrong with it.
_VALUE_OPTIONS = frozenset(
    {"--weight", "--age", "--adult-from", "--start", "--months", "--strengths"}
)
_LOOKS_NEGATIVE = re.compile(r"-[\d.]")


class CommandError(Exception):
    """Bad input on the command line: printed as one line on stderr, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage errors are one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        raise CommandError(f"{message}; see '{self.prog} --help'")


# --- the process ---------------------------------------------------------------------

#: Whether this run owns its process (set by :func:`main`): then it may set up pint.
_owns_process = False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line as the program of this process; return the exit code.

    The console script ``ae-systemic`` and ``python -m ae_systemic._cli`` call this.
    When pint has not been imported yet in this process, the command line owns it and
    sets pint up for it (a cached registry, no numpy; see the module documentation);
    otherwise it uses pint's application registry as it finds it.  To run a command
    inside another program without touching anything process-wide, call :func:`run`.
    """
    global _owns_process
    _owns_process = "pint" not in sys.modules
    for stream in (sys.stdout, sys.stderr):
        _use_utf8(stream)
    return run(argv)


def _use_utf8(stream: object) -> None:
    """Make ``stream`` write UTF-8 (arrows and ⊕ symbols), unless it already does."""
    import io

    if isinstance(stream, io.TextIOWrapper):
        encoding = (stream.encoding or "").lower().replace("-", "").replace("_", "")
        if encoding != "utf8":
            stream.reconfigure(encoding="utf-8")


def run(argv: Sequence[str] | None = None) -> int:
    """Run one command (``argv`` without the program name); return the exit code.

    Output goes to stdout; bad input gives one line ``ae-systemic: error: ...`` on
    stderr and exit code 2.
    """
    from ._errors import AeSystemicError

    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        parser, commands = _parser()
        options, extra = parser.parse_known_args(_join_negative_values(arguments))
        if extra:
            commands[options.command].error(f"unrecognized arguments: {' '.join(extra)}")
        handler: Callable[[argparse.Namespace], str] = options.handler
        text = handler(options)
    except (CommandError, AeSystemicError) as exc:
        _fail(_message(exc))
        return 2
    except SystemExit as exc:  # --help and --version: argparse has printed them
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        return 130
    try:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        _silence_stdout()
        return 1
    return 0


def _fail(message: str) -> None:
    one_line = " ".join(message.split())
    sys.stderr.write(f"{PROG}: error: {one_line}\n")
    sys.stderr.flush()


def _silence_stdout() -> None:
    """Point stdout at the null device, so that Python's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _join_negative_values(arguments: list[str]) -> list[str]:
    joined: list[str] = []
    position = 0
    while position < len(arguments):
        token = arguments[position]
        following = arguments[position + 1] if position + 1 < len(arguments) else ""
        if token in _VALUE_OPTIONS and _LOOKS_NEGATIVE.match(following):
            joined.append(f"{token}={following}")
            position += 2
        else:
            joined.append(token)
            position += 1
    return joined


#: The leading argument names of the library's messages, and the options they come from.
_OPTION_OF = {
    "weight": "--weight",
    "age": "--age",
    "adult_from": "--adult-from",
    "start": "--start",
    "months": "--months",
    "strengths": "--strengths",
}
_STRENGTH_ITEM = re.compile(r"strengths\[(\d+)\]")


def _message(exc: Exception) -> str:
    """The error's message, its leading argument name replaced by the option it came from."""
    text = str(exc)
    head, separator, rest = text.partition(": ")
    if separator:
        item = _STRENGTH_ITEM.fullmatch(head)
        if item:
            return f"--strengths (item {int(item.group(1)) + 1}): {rest}"
        if head in _OPTION_OF:
            return f"{_OPTION_OF[head]}: {rest}"
    return text


# --- pint: the registry of the command line's process --------------------------------


def _registry() -> pint.UnitRegistry[float]:
    """The application registry, set up for this process first when the run owns it.

    Called by the commands that handle quantities before anything imports pint.
    """
    if _owns_process:
        return _process_registry()
    from ._units import application_registry

    return application_registry()


@functools.cache
def _process_registry() -> pint.UnitRegistry[float]:
    """Set up pint for the command line's own process, once: no numpy, a cached registry."""
    _keep_numpy_out()
    import pint

    registry = _cached_registry(pint, cache_folder())
    pint.set_application_registry(registry)  # type: ignore[no-untyped-call]
    return registry


def _keep_numpy_out() -> None:
    """Make ``import numpy`` fail in this process, so that pint starts without numpy.

    pint imports numpy when it is installed (about a third of pint's start-up) but
    treats it as optional: ``pint.compat`` catches the ``ImportError`` and runs on
    plain Python numbers.  A ``None`` entry in ``sys.modules`` is the documented way
    to make an import fail (``ModuleNotFoundError``).  Only the command line's own
    process is changed, and only when numpy is not imported already; a later
    ``import numpy`` in this process fails loudly instead of mixing numpy with a pint
    that started without it.
    """
    if "numpy" not in sys.modules:
        sys.modules["numpy"] = None  # type: ignore[assignment]


def cache_folder() -> Path | None:
    """The directory of the command line's pint cache, or ``None`` to run without one.

    ``$AE_SYSTEMIC_CACHE_DIR/pint`` when the variable is set (no cache when it is
    empty), else ``pint`` under the user's cache directory for ``ae-systemic``
    (``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux, ``~/Library/Caches`` on macOS,
    ``%LOCALAPPDATA%`` on Windows).  The directory is created (private to the user)
    if needed; ``None`` when it cannot be, when it is not writable, or (on POSIX) when
    it belongs to another user or others may write to it, because pint's cache holds
    pickles.
    """
    configured = os.environ.get(CACHE_ENV)
    try:
        if configured is None:
            base = _user_cache_dir()
        elif configured.strip():
            base = Path(configured).expanduser()
        else:
            return None
        folder = base / "pint"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK | os.X_OK):
            return None
        if hasattr(os, "getuid"):
            status = folder.stat()
            if status.st_uid != os.getuid() or status.st_mode & 0o022:
                return None
    except (OSError, RuntimeError):  # RuntimeError: no home directory
        return None
    return folder


def _user_cache_dir() -> Path:
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        base = Path(local) if local else Path.home() / "AppData" / "Local"
        return base / "ae-systemic" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ae-systemic"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "ae-systemic"


def _cached_registry(pint_module: Any, folder: Path | None) -> pint.UnitRegistry[float]:
    """A new registry with pint's definition cache in ``folder``, quietly without on failure.

    A cache file that cannot be read (cut short by a process that was stopped while
    writing it, say) is removed and the cache built again once; if that fails too,
    the registry is built without a cache.
    """
    if folder is not None:
        for attempt in range(2):
            try:
                cached: pint.UnitRegistry[float] = pint_module.UnitRegistry(cache_folder=folder)
            except Exception:  # a broken cache must never stop the command
                if attempt == 0:
                    _clear_cache(folder)
            else:
                return cached
    plain: pint.UnitRegistry[float] = pint_module.UnitRegistry()
    return plain


def _clear_cache(folder: Path) -> None:
    for pattern in ("*.pickle", "*.json"):
        for path in folder.glob(pattern):
            with contextlib.suppress(OSError):
                path.unlink()


# --- the parser ----------------------------------------------------------------------


def _parser() -> tuple[_Parser, dict[str, _Parser]]:
    """The parser, and the parser of each command by name."""
    import ae_systemic

    parser = _Parser(
        prog=PROG,
        description=(
            "What the European (EuroGuiDerm) guideline on atopic eczema says about systemic\n"
            "drugs (today: ciclosporin): recommendations, evidence, doses, patient assessment\n"
            "and monitoring. It gives no clinical advice: read the guideline before you act\n"
            "on any of it."
        ),
        epilog="Examples:\n"
        "  ae-systemic show ciclosporin\n"
        "  ae-systemic dose ciclosporin --weight 70kg --phase acute --strengths 25mg,50mg,100mg\n"
        "  ae-systemic assess ciclosporin --age 15y11m --weight 154lb --uvb\n"
        "  ae-systemic schedule ciclosporin --start 2027-01-15 --ics visits.ics\n"
        "  ae-systemic export fhir ciclosporin > bundle.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {ae_systemic.__version__}"
    )
    _add_json(parser, default=False)
    commands = parser.add_subparsers(
        title="commands", dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )

    drugs = commands.add_parser("drugs", help="the drugs and their synonyms")
    drugs.set_defaults(handler=_drugs)
    _add_json(drugs)

    show = commands.add_parser(
        "show",
        help="what the guideline says about a drug",
        description="Recommendations (arrows, consensus), evidence (GRADE ⊕ symbols), dose "
        "regimens, licence, monitoring, screening, combinations, interactions, special "
        "populations, safety and references.",
    )
    _add_drug(show)
    show.set_defaults(handler=_show)
    _add_json(show)

    dose = commands.add_parser(
        "dose",
        help="a patient's daily and single doses for a body weight",
        description="The daily dose range for a body weight, the single doses and, with "
        "--strengths, the practical amount per dose those strengths can make.",
    )
    _add_drug(dose)
    _add_weight(dose)
    dose.add_argument(
        "--population",
        choices=("adult", "child"),
        default="adult",
        help="whose regimen (default: adult); the guideline does not say where children end",
    )
    _add_phase(dose)
    dose.add_argument(
        "--strengths",
        metavar="LIST",
        help="unit strengths you have, separated by commas, e.g. 25mg,50mg,100mg",
    )
    dose.set_defaults(handler=_dose)
    _add_json(dose)

    assess = commands.add_parser(
        "assess",
        help="what the guideline says for one patient",
        description="Population and regimen for the age, the dose for the weight, the "
        "licence, and every statement of the guideline that applies, with its references.",
    )
    _add_drug(assess)
    assess.add_argument(
        "--age",
        required=True,
        metavar="AGE",
        help="age with a unit: 12y, 15y11m, 18m (months), '16 years', '18 months'",
    )
    _add_weight(assess)
    assess.add_argument("--pregnant", action="store_true", help="the patient is pregnant")
    assess.add_argument("--uva", action="store_true", help="UVA phototherapy is planned")
    assess.add_argument("--uvb", action="store_true", help="UVB phototherapy is planned")
    assess.add_argument("--puva", action="store_true", help="PUVA is planned")
    assess.add_argument(
        "--co-medication",
        dest="co_medications",
        action="extend",
        nargs="+",
        default=[],
        metavar="NAME[:PATHWAYS]",
        help="a medicine the patient takes and the pathways it is a substrate of "
        "(CYP3A4, P-gp, OATP; any case), e.g. atorvastatin:CYP3A4,OATP; repeat or list several",
    )
    _add_phase(assess)
    assess.add_argument(
        "--adult-from",
        metavar="AGE",
        help="age from which the adult regimens apply (default: 18 years, a choice of "
        "this library; the guideline does not say)",
    )
    assess.set_defaults(handler=_assess)
    _add_json(assess)

    schedule = commands.add_parser(
        "schedule",
        help="dated monitoring visits",
        description="Monitoring visits from a start date: baseline, after the first "
        "follow-up interval, then at regular intervals counted from the start.",
    )
    _add_drug(schedule)
    schedule.add_argument(
        "--start", metavar="DATE", help="first day of treatment, YYYY-MM-DD (default: today)"
    )
    schedule.add_argument(
        "--months", metavar="N", default="12", help="months to cover (default: 12)"
    )
    schedule.add_argument(
        "--ics",
        metavar="FILE",
        help="also write the visits to an iCalendar file (needs the extra ae-systemic[ics])",
    )
    schedule.set_defaults(handler=_schedule)
    _add_json(schedule)

    export = commands.add_parser("export", help="export a drug in an interchange format (JSON)")
    export.add_argument("format", choices=("fhir",), help="fhir: a FHIR R5 Bundle")
    _add_drug(export)
    export.set_defaults(handler=_export)
    _add_json(export)

    schema = commands.add_parser("schema", help="the JSON Schema of the data-pack format")
    schema.set_defaults(handler=_schema)
    _add_json(schema)
    by_name: dict[str, _Parser] = dict(commands.choices)
    return parser, by_name


def _add_json(parser: argparse.ArgumentParser, default: object = argparse.SUPPRESS) -> None:
    # Sub-commands use SUPPRESS, so that their default does not overwrite a --json given
    # before the command (``ae-systemic --json dose ...``).
    parser.add_argument(
        "--json", action="store_true", default=default, help="print JSON instead of text"
    )


def _add_drug(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("drug", metavar="DRUG", help="a drug name or synonym, e.g. ciclosporin")


def _add_weight(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--weight",
        required=True,
        metavar="WEIGHT",
        help="body weight with a unit: 70kg, 154lb, '70000 g'",
    )


def _add_phase(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--phase",
        choices=("acute", "long-term"),
        help="acute flare (short-term) or long-term; default: the standard range",
    )


# --- reading options -----------------------------------------------------------------


def _drug(name: str) -> Drug:
    import ae_systemic

    return ae_systemic.drug(name)


def _phase(value: str | None) -> Phase | None:
    if value is None:
        return None
    from ._vocabulary import Phase

    return Phase(value)


_BARE_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_AGE_PART = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]+)")
#: Unit words of compound or short ages, and pint's name for each.
_AGE_UNITS = {
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), "year"),
    **dict.fromkeys(("m", "mo", "mos", "month", "months"), "month"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "week"),
    **dict.fromkeys(("d", "day", "days"), "day"),
}
#: Single-part ages pint reads as written (``16 years``): passed to the library as text.
_PINT_AGE_WORDS = frozenset({"year", "years", "month", "months", "week", "weeks", "day", "days"})


def _age(text: str, option: str = "--age") -> pint.Quantity[float] | str:
    """An age for the library: a quantity for short or compound forms, else the text itself.

    ``12y``, ``15y11m``, ``18m`` (months), ``1y 6mo`` and ``15 years 11 months`` become
    quantities in the command line's registry (``Q(15, "year") + Q(11, "month")``);
    ``16 years`` and anything else are passed on as text, which the library reads and
    checks.  A bare number is refused: the unit is not guessed.
    """
    stripped = text.strip()
    if _BARE_NUMBER.fullmatch(stripped):
        raise CommandError(
            f"{option}: {text!r} has no unit; add one, e.g. {stripped}y or '{stripped} years' "
            "(15y11m, 18m and '18 months' work too)"
        )
    negative = stripped.startswith("-")
    body = stripped[1:] if negative else stripped
    parts: list[tuple[int | float, str]] = []
    position = 0
    while position < len(body):
        match = _AGE_PART.match(body, position)
        if match is None or match.group(2).lower() not in _AGE_UNITS:
            return stripped
        number = match.group(1)
        magnitude = float(number) if "." in number else int(number)
        parts.append((magnitude, _AGE_UNITS[match.group(2).lower()]))
        position = match.end()
    if not parts or (len(parts) == 1 and body.split()[-1].lower() in _PINT_AGE_WORDS):
        return stripped  # pint reads it as written: the library's own path
    sign = -1 if negative else 1
    quantity = _registry().Quantity
    total: pint.Quantity[float] = quantity(sign * parts[0][0], parts[0][1])
    for magnitude, unit in parts[1:]:
        total = total + quantity(sign * magnitude, unit)
    return total


def _strengths(text: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise CommandError(
            f"--strengths: {text!r} has an empty item; list the unit strengths you have, "
            "separated by commas, e.g. 25mg,50mg,100mg"
        )
    return items


def _pathways(spec: str) -> tuple[str, frozenset[Pathway]]:
    from ._vocabulary import Pathway

    known = {_fold(p.value): p for p in Pathway} | {_fold(p.name): p for p in Pathway}
    name, _, listed = spec.rpartition(":") if ":" in spec else (spec, "", "")
    if not name.strip():
        raise CommandError(
            f"--co-medication: {spec!r} has no medicine name; write NAME:PATHWAYS, "
            "e.g. atorvastatin:CYP3A4,OATP"
        )
    pathways: set[Pathway] = set()
    for word in filter(None, (w.strip() for w in listed.split(","))):
        if _fold(word) not in known:
            raise CommandError(
                f"--co-medication: {word!r} in {spec!r} is not a pathway the guideline "
                f"names; use {', '.join(p.value for p in Pathway)} (any case)"
            )
        pathways.add(known[_fold(word)])
    return name.strip(), frozenset(pathways)


def _fold(word: str) -> str:
    return word.casefold().replace("-", "").replace("_", "")


def _start(text: str | None) -> datetime.date:
    import datetime

    if text is None:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError as exc:
        if re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", text):
            problem = f"is not a day of the calendar ({exc})"
        else:
            problem = "is not a date in the form YYYY-MM-DD"
        raise CommandError(f"--start: {text!r} {problem}; write e.g. 2027-01-15") from None


def _months(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise CommandError(
            f"--months: {text!r} is not a whole number of months; write e.g. 12"
        ) from None


# --- output helpers ------------------------------------------------------------------


def _json(data: JSONValue) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=2)


def _unstructure(obj: object) -> JSONValue:
    import ae_systemic

    return ae_systemic.unstructure(obj)


def _quantity(value: float, unit: str) -> JSONValue:
    """A quantity as JSON: ``{"value": 280.0, "unit": "mg/day"}`` (the value always a float)."""
    return {"value": float(value), "unit": unit}


def _num(value: float, digits: int = 1) -> str:
    """``value`` rounded to ``digits`` decimals, without trailing zeros: 280, 43.8."""
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _wrap(text: str, indent: int, first: str = "") -> list[str]:
    """``text`` wrapped to :data:`WIDTH`, the first line after ``first``, the rest indented."""
    import textwrap

    lines = textwrap.wrap(
        text,
        WIDTH,
        initial_indent=first.ljust(indent),
        subsequent_indent=" " * indent,
        break_on_hyphens=False,
    )
    return lines or [first]


def _refs(references: Sequence[int]) -> str:
    return f"refs {', '.join(map(str, references))}" if references else ""


def _with_refs(text: str, references: Sequence[int]) -> str:
    return f"{text} [{_refs(references)}]" if references else text


def _regimen_dose(regimen: DoseRegimen) -> str:
    """The dose part of ``str(regimen)``: ``2.5-5 mg/kg/day in 2 single doses``."""
    return str(regimen).removeprefix(f"{regimen.label}: ")


# --- commands ------------------------------------------------------------------------


def _drugs(options: argparse.Namespace) -> str:
    import ae_systemic

    found = ae_systemic.drugs()
    if options.json:
        return _json([{"name": d.name, "synonyms": list(d.synonyms)} for d in found])
    width = max(len(d.name) for d in found) + 2
    return "\n".join(f"{d.name:<{width}}{', '.join(d.synonyms)}" for d in found)


def _show(options: argparse.Namespace) -> str:
    subject = _drug(options.drug)
    if options.json:
        return _json(_unstructure(subject))
    return _render_drug(subject)


def _render_drug(subject: Drug) -> str:
    import ae_systemic

    from ._vocabulary import CombinationAdvice

    source = ae_systemic.guideline()
    lines = [subject.name]
    lines += _wrap(", ".join(subject.synonyms), 16, "also known as")
    lines += _wrap(f"{source.title}; {source.chapter}", 16, "source")
    lines += ["", "Recommendations"]
    for rec in subject.recommendations:
        if rec.strength is not None and rec.consensus is not None:
            head = f"{rec.strength.symbol:<3}{rec.strength.wording}, consensus {rec.consensus.text}"
        else:
            head = "–  strength and consensus not stated"
        lines.append(f"  {rec.number:>2}. {head}")
        lines += _wrap(_with_refs(rec.statement, rec.references), 6)
        if rec.see_also:
            lines += _wrap(f"See also: {rec.see_also}.", 6)
        if rec.note:
            lines += _wrap(f"Note: {rec.note}", 6)
    if subject.evidence:
        kinds = {(e.measure, e.comparator, e.max_weeks) for e in subject.evidence}
        lines += ["", "Evidence (GRADE certainty, estimate with 95% CI)"]
        if len(kinds) == 1:
            measure, comparator, weeks = kinds.pop()
            lines += _wrap(f"{measure} vs {comparator}, up to {weeks} weeks", 2)
        for est in subject.evidence:
            row = (
                f"  {est.certainty.symbol} {est.certainty.label:<9} {est.dose_level!s:<13}"
                f"{est.outcome!s:<17}{est.estimate:>5.1f} ({est.ci_low:.1f} to {est.ci_high:>4.1f})"
            )
            if len(kinds) > 1:
                row += f" {est.measure} vs {est.comparator}, ≤{est.max_weeks} weeks"
            lines.append(f"{row}  {_refs(est.references)}".rstrip())
    lines += ["", "Dosing"]
    column = min(max(len(r.label) for r in subject.regimens) + 4, 40)
    for regimen in subject.regimens:
        lines += _wrap(
            _with_refs(_regimen_dose(regimen), regimen.references), column, f"  {regimen.label}"
        )
        if regimen.note:
            lines += _wrap(regimen.note, column)
    licence = subject.licence
    lines += ["", "Licence"]
    lines += _wrap(_with_refs(f"from {licence.min_age_years} years of age", licence.references), 2)
    for note in licence.notes:
        lines += _wrap(_with_refs(note.text, note.references), 2)
    m = subject.monitoring
    when = m.timing
    lines += ["", "Monitoring"]
    lines += _wrap(_with_refs(f"{listed(m.checks)}: {when}.", m.references), 2)
    lines += _wrap(m.note, 2)
    s = subject.screening
    see = f" See {s.see_also}." if s.see_also else ""
    lines += ["", "Screening"]
    lines += _wrap(_with_refs(f"{listed(s.tests)} {s.when} {s.advice}.{see}", s.references), 2)
    if subject.combinations:
        lines += ["", "Combinations"]
        for c in subject.combinations:
            if c.advice is CombinationAdvice.RECOMMENDED:
                text = f"{c.therapy} ({c.condition})" if c.condition else c.therapy
                lines += _wrap(_with_refs(text, c.references), 24, "  combine with")
        avoided: dict[tuple[str | None, tuple[int, ...]], list[str]] = {}
        for c in subject.combinations:
            if c.advice is CombinationAdvice.AVOID:
                avoided.setdefault((c.reason, c.references), []).append(c.therapy)
        for (reason, references), therapies in avoided.items():
            text = listed(therapies) + (f", because of {reason}" if reason else "")
            lines += _wrap(_with_refs(text, references), 24, "  do not combine with")
    if subject.interactions:
        lines += ["", "Interactions"]
        for i in subject.interactions:
            lines += _wrap(
                _with_refs(f"{i.role} of {i.target}", i.references), 10, f"  {i.pathway}"
            )
        for consequence in dict.fromkeys(i.consequence for i in subject.interactions):
            lines += _wrap(consequence, 2)
    for group in subject.special_populations:
        lines += ["", group.group[:1].upper() + group.group[1:]]
        for statement in group.statements:
            lines += _wrap(_with_refs(statement.text, statement.references), 4, "  -")
    if subject.safety:
        lines += ["", "Safety"]
        for statement in subject.safety:
            lines += _wrap(_with_refs(statement.text, statement.references), 4, "  -")
    if subject.references:
        lines += ["", "References"]
        for reference in subject.references:
            lines += _wrap(
                str(reference).removeprefix(f"{reference.number}. "), 6, f"  {reference.number:>2}."
            )
    lines += ["", "Everything above, and the rest of the content, as JSON: --json"]
    return "\n".join(lines)


def _dose(options: argparse.Namespace) -> str:
    import ae_systemic

    from ._vocabulary import Population

    subject = _drug(options.drug)
    strengths = _strengths(options.strengths) if options.strengths is not None else None
    population = Population(options.population)
    _registry()
    dose = ae_systemic.daily_dose(
        subject, options.weight, population=population, phase=_phase(options.phase)
    )
    per_dose = None
    if strengths is not None:
        per_dose = ae_systemic.round_to_strengths(dose, strengths).m_as("mg")
    if options.json:
        data: dict[str, JSONValue] = {
            "drug": subject.name,
            "population": population.value,
            "phase": options.phase,
            **_dose_json(dose),
        }
        if strengths is not None and per_dose is not None:
            data["strengths"] = list(strengths)
            data["practical_per_dose"] = _quantity(per_dose, "mg")
            data["practical_daily"] = _quantity(per_dose * dose.doses_per_day, "mg/day")
        return _json(data)
    kg = dose.weight.m_as("kg")
    weight = f"{_num(kg, 2)} kg"
    if options.weight.replace(" ", "") != weight.replace(" ", ""):
        weight += f" ({options.weight.strip()})"
    phase = _phase(options.phase)
    asked = f"{phase}" if phase is not None else "standard range"
    practical = []
    if strengths is not None and per_dose is not None:
        practical = _wrap(
            f"{_num(per_dose, 3)} mg per dose ({_num(per_dose * dose.doses_per_day, 3)} mg/day)"
            f" from strengths {', '.join(strengths)}",
            15,
            "  practical",
        )
    lines = [f"{subject.name}: {population}, {weight}; {asked}"]
    return "\n".join(lines + _dose_lines(dose, practical))


def _dose_json(dose: DoseRange[float]) -> dict[str, JSONValue]:
    return {
        "weight": _quantity(dose.weight.m_as("kg"), "kg"),
        "low": _quantity(dose.low.m_as("mg/day"), "mg/day"),
        "high": _quantity(dose.high.m_as("mg/day"), "mg/day"),
        "per_dose_low": _quantity(dose.per_dose_low.m_as("mg"), "mg"),
        "per_dose_high": _quantity(dose.per_dose_high.m_as("mg"), "mg"),
        "doses_per_day": dose.doses_per_day,
        "regimen": _unstructure(dose.regimen),
        "fallback": dose.fallback,
        "references": list(dose.references),
    }


def _dose_lines(dose: DoseRange[float], more: Sequence[str] = ()) -> list[str]:
    """The regimen, the daily and single doses, ``more`` lines, the fallback note, references."""
    low, high = dose.low.m_as("mg/day"), dose.high.m_as("mg/day")
    single_low, single_high = dose.per_dose_low.m_as("mg"), dose.per_dose_high.m_as("mg")
    lines = _wrap(str(dose.regimen), 15, "  regimen")
    lines.append(f"  {'daily dose':<13}{_num(low)}–{_num(high)} mg/day")
    lines.append(
        f"  {'per dose':<13}{_num(single_low)}–{_num(single_high)} mg, "
        f"{dose.doses_per_day} doses a day"
    )
    lines += more
    if dose.fallback:
        lines += _wrap(dose.fallback, 15, "  note")
    references = ", ".join(map(str, dose.references)) or "none printed in the source"
    lines.append(f"  {'references':<13}{references}")
    return lines


def _assess(options: argparse.Namespace) -> str:
    import ae_systemic

    from ._vocabulary import Phototherapy

    subject = _drug(options.drug)
    medicines = [_pathways(spec) for spec in options.co_medications]
    age = _age(options.age)
    adult_from = _age(options.adult_from, "--adult-from") if options.adult_from else None
    _registry()
    patient = ae_systemic.Patient(
        age=age,
        weight=options.weight,
        pregnant=options.pregnant,
        phototherapy=frozenset(
            therapy
            for therapy, planned in (
                (Phototherapy.UVA, options.uva),
                (Phototherapy.UVB, options.uvb),
                (Phototherapy.PUVA, options.puva),
            )
            if planned
        ),
        co_medications=tuple(ae_systemic.CoMedication(n, p) for n, p in medicines),
    )
    result = ae_systemic.assess(
        subject, patient, phase=_phase(options.phase), adult_from=adult_from
    )
    if options.json:
        return _json(_assessment_json(result, patient, options.phase))
    return _render_assessment(result, patient, subject, options)


def _patient_json(patient: Patient) -> JSONValue:
    return {
        "age": _quantity(patient.age.m_as("year"), "year"),
        "weight": _quantity(patient.weight.m_as("kg"), "kg"),
        "pregnant": patient.pregnant,
        "phototherapy": _values(patient.phototherapy),
        "co_medications": [_co_medication_json(m) for m in patient.co_medications],
    }


def _co_medication_json(medicine: CoMedication) -> JSONValue:
    return {"name": medicine.name, "pathways": _values(medicine.pathways)}


def _values(members: Iterable[enum.Enum]) -> list[JSONValue]:
    """The values of enum ``members``, in the order of their enum, as JSON."""
    values: list[JSONValue] = []
    values.extend(str(member.value) for member in _in_order(members))
    return values


def _in_order(members: Iterable[enum.Enum]) -> list[enum.Enum]:
    return sorted(members, key=lambda member: [*type(member).__members__.values()].index(member))


def _assessment_json(result: Assessment, patient: Patient, phase: str | None) -> JSONValue:
    return {
        "drug": result.drug,
        "patient": _patient_json(patient),
        "phase": phase,
        "population": result.population.value,
        "regimen": _unstructure(result.regimen),
        "dose": _dose_json(result.dose),
        "licensed": result.licensed,
        "findings": [_unstructure(finding) for finding in result.findings],
    }


def _render_assessment(
    result: Assessment, patient: Patient, subject: Drug, options: argparse.Namespace
) -> str:
    from ._assessment import DEFAULT_ADULT_FROM_YEARS

    facts = [
        age_text(patient.age.m_as("year"), days=True),
        f"{_num(patient.weight.m_as('kg'), 2)} kg",
    ]
    if patient.pregnant:
        facts.append("pregnant")
    facts += [f"{p} planned" for p in _in_order(patient.phototherapy)]
    for medicine in patient.co_medications:
        pathways = ", ".join(str(p) for p in _in_order(medicine.pathways))
        facts.append(f"takes {medicine.name}" + (f" ({pathways})" if pathways else ""))
    lines = [result.drug, *_wrap(", ".join(facts), 15, "  patient")]
    adult_from = options.adult_from or (
        f"{DEFAULT_ADULT_FROM_YEARS} years, a choice of this library"
    )
    lines += _wrap(f"{result.population} (adult regimens from {adult_from})", 15, "  population")
    licence = subject.licence.min_age_years
    licensed = f"{'yes' if result.licensed else 'no'} (from {licence} years of age)"
    lines += _dose_lines(result.dose, [f"  {'licensed':<13}{licensed}"])
    lines += ["", "Findings"]
    for number, finding in enumerate(result.findings, 1):
        lines.append(f"  {number:>2}. {finding.kind}")
        lines += _wrap(_with_refs(finding.message, finding.references), 6)
    return "\n".join(lines)


def _schedule(options: argparse.Namespace) -> str:
    import ae_systemic

    subject = _drug(options.drug)
    start = _start(options.start)
    months = _months(options.months)
    visits = ae_systemic.monitoring_schedule(subject, start, months=months)
    monitoring = subject.monitoring
    note = monitoring.note if monitoring.schedule_is_example else ""
    if options.ics:
        _write_ics(Path(options.ics), subject.name, start, visits, note)
    if options.json:
        data: dict[str, JSONValue] = {
            "drug": subject.name,
            "start": start.isoformat(),
            "months": months,
            "schedule_is_example": monitoring.schedule_is_example,
            "note": monitoring.note,
            "visits": [_unstructure(visit) for visit in visits],
        }
        if options.ics:
            data["ics"] = options.ics
        return _json(data)
    lines = [f"{subject.name}: monitoring from {start.isoformat()}, {months} months"]
    lines += _wrap(
        _with_refs(f"checks at every visit: {listed(monitoring.checks)}", monitoring.references),
        2,
        "",
    )
    if note:
        lines += _wrap(note, 2, "")
    lines.append("")
    lines += [f"  {visit.date.isoformat()}  {visit.date:%a}  {visit.label}" for visit in visits]
    if options.ics:
        lines += ["", f"wrote {len(visits)} visits to {options.ics}"]
    return "\n".join(lines)


def _write_ics(
    path: Path, drug: str, start: datetime.date, visits: Sequence[Visit], note: str
) -> None:
    """Write ``visits`` as one all-day VEVENT each, with stable UIDs, to ``path``."""
    try:
        import icalendar
    except ImportError:
        raise CommandError("--ics needs icalendar: pip install 'ae-systemic[ics]'") from None
    import datetime

    import ae_systemic

    slug = re.sub(r"[^a-z0-9]+", "-", drug.lower()).strip("-")
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//ae_systemic//ae-systemic {ae_systemic.__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{drug} monitoring")
    stamp = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    for visit in visits:
        event = icalendar.Event()
        event.add("uid", f"{slug}-{start:%Y%m%d}-{visit.date:%Y%m%d}@ae-systemic")
        event.add("dtstamp", stamp)
        event.add("dtstart", visit.date)
        event.add("dtend", visit.date + datetime.timedelta(days=1))
        event.add("summary", f"{drug} monitoring: {visit.label}")
        description = f"Checks: {', '.join(visit.checks)}."
        if visit.references:
            description += f" References: {', '.join(map(str, visit.references))}."
        if note:
            description += f"\n{note}"
        event.add("description", description)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    try:
        path.write_bytes(calendar.to_ical())
    except OSError as exc:
        raise CommandError(f"--ics: cannot write {str(path)!r}: {exc.strerror or exc}") from None


def _export(options: argparse.Namespace) -> str:
    subject = _drug(options.drug)
    from . import fhir

    return _json(fhir.to_bundle(subject))


def _schema(options: argparse.Namespace) -> str:
    import json

    import ae_systemic

    # The same text as the published docs/schema.json.
    return json.dumps(ae_systemic.schema(), indent=2, ensure_ascii=False, sort_keys=True)


if __name__ == "__main__":
    sys.exit(main())
