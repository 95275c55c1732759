"""Reading patients and prescriptions from health records: FHIR R4, R4B and R5 resources in.

The health record's resources arrive as plain dicts (parsed JSON, no FHIR library):

* :func:`read_patient` reads a ``Bundle`` (a search or ``Patient/$everything`` result) or
  an iterable of resources into a :class:`PatientRecord`: the
  :class:`~ae_systemic.Patient` (age at the decision date, latest body weight, pregnancy,
  co-medications, planned phototherapy), whether the pregnancy status is known, and which
  resource each fact came from;
* :func:`read_prescription` reads a ``MedicationRequest``'s dosage into a
  :class:`~ae_systemic.Prescription`;
* :func:`drug_for` finds which drug of the guideline a ``MedicationRequest`` orders.

Units are read as UCUM codes (``_ucum``), never from the display text.  What this module
cannot read with certainty is refused with a :class:`~ae_systemic.DataError` naming the
element (``Bundle.entry[3].resource.valueQuantity.code``), the resource
(``Observation/w3``) and what would be right; it never guesses.  The library's own
choices (:data:`DEFAULT_WEIGHT_WITHIN`, :data:`MAX_RESOURCES`, which statuses count) are
labelled as such in ``docs/health-records.md``: none is a guideline number.

Nothing here reads a clock: the decision date ``on`` is always the caller's.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime
import functools
import itertools
import math
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, NoReturn, TypeAlias

import attrs

from ._errors import (
    ArgumentError,
    ArgumentTypeError,
    DataError,
    DataProblem,
    InputError,
    UnknownDrugError,
    join_path,
    shown,
)
from ._lookup import drug as find_drug
from ._lookup import drugs as guideline_drugs
from ._lookup import resolve_drug
from ._model import Drug
from ._patient import CoMedication, Patient
from ._prescription import Prescription
from ._ucum import MASS, TIME, UcumUnit, not_a_number, read_unit, ucum_unit
from ._units import (
    MAX_AGE_YEARS,
    QuantityLike,
    application_registry,
    as_float,
    checked_age,
    checked_weight,
    quantity_of,
    units_of,
)
from ._vocabulary import Pathway, Phototherapy

if TYPE_CHECKING:
    import pint

__all__ = [
    "ATC_SYSTEM",
    "DEFAULT_PREGNANCY_WITHIN",
    "DEFAULT_WEIGHT_WITHIN",
    "LOINC_SYSTEM",
    "MAX_RESOURCES",
    "OLDER_WEIGHT_ADVICE",
    "SNOMED_SYSTEM",
    "TIMING_ABBREVIATION_SYSTEM",
    "FhirVersion",
    "PatientRecord",
    "drug_for",
    "read_patient",
    "read_prescription",
    "search_matches",
    "unversioned",
]

#: The FHIR versions :func:`read_patient` reads (R4B reads as R4 for every element used).
FhirVersion: TypeAlias = Literal["R4", "R4B", "R5"]

#: How old the latest body weight may be, before the decision date, for
#: :func:`read_patient` to use it.  A choice of this library, not a guideline number (the
#: guideline says nothing on how recent a weight must be): about a month, so that a dose
#: per kg rests on a weight of the current episode of care.  Pass ``weight_within=`` to
#: choose another.
DEFAULT_WEIGHT_WITHIN: Final = "30 days"

#: How old the latest "not pregnant" may be, before the decision date, for
#: :func:`read_patient` to read the patient as not pregnant; an older one leaves the
#: pregnancy status not known.  A choice of this library, not a guideline number (the
#: guideline says nothing on it): a "not pregnant" says nothing of a pregnancy begun since,
#: and the same month as for the weight keeps it to the current episode of care.  A
#: "pregnant" of any age is read (the cautious side).  Pass ``pregnancy_within=`` to choose
#: another.
DEFAULT_PREGNANCY_WITHIN: Final = "30 days"

#: The end of the "no body weight" message that tells a caller of :func:`read_patient` how to
#: accept an older weight; a service showing the message to a prescriber leaves it out.
OLDER_WEIGHT_ADVICE: Final = ", or pass weight_within= to accept an older one"

#: The most resources :func:`read_patient` reads from one input: a library bound against
#: runaway input (a patient's whole record is rarely a tenth of it), not a clinical
#: number.  A larger ``Bundle`` is refused before any entry is read.
MAX_RESOURCES: Final = 100_000

#: The code systems read: LOINC (observations), SNOMED CT (pregnancy status), the WHO ATC
#: index (drugs) and HL7's timing abbreviations (``BID``).
LOINC_SYSTEM: Final = "http://loinc.org"
SNOMED_SYSTEM: Final = "http://snomed.info/sct"
ATC_SYSTEM: Final = "http://www.whocc.no/atc"
TIMING_ABBREVIATION_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"

#: LOINC 29463-7 body weight, 3141-9 body weight measured; 82810-3 pregnancy status.
_WEIGHT_CODES: Final = frozenset({"29463-7", "3141-9"})
_PREGNANCY_CODE: Final = "82810-3"
#: SNOMED CT 77386006 pregnant, 60001007 not pregnant.
_PREGNANT: Final = "77386006"
_NOT_PREGNANT: Final = "60001007"
#: The forms of a MedicationStatement's ``effective[x]`` (R4: dateTime, Period; R5: Timing too).
_STATEMENT_EFFECTIVE: Final = ("effectiveDateTime", "effectivePeriod", "effectiveTiming")
#: R5 ``MedicationStatement.adherence.code``: not-taking and the codes under it (on hold,
#: stopped) say the medicine is not taken.
_ADHERENCE_SYSTEM: Final = "http://hl7.org/fhir/CodeSystem/medication-statement-adherence"
_NOT_TAKEN: Final = frozenset(
    {
        "not-taking",
        "on-hold",
        "on-hold-as-directed",
        "on-hold-not-as-directed",
        "stopped",
        "stopped-as-directed",
        "stopped-not-as-directed",
    }
)
#: Observation statuses whose value stands (FHIR: final, amended, corrected).
_STANDING: Final = ("final", "amended", "corrected")
#: Observation statuses that say there is no observation: not read at all.
_VOID: Final = ("entered-in-error", "cancelled")
#: Why an Observation with a ``focus`` is not the patient's weight.
_FOCUS: Final = "with a focus (about another than the patient)"
#: Administrations a day of the timing abbreviations read (their definitions in HL7 v3).
_TIMING_CODES: Final = {"QD": 1, "BID": 2, "TID": 3, "QID": 4}
#: Statuses of a planned phototherapy: a choice of this library (an order still to be
#: carried out, or a course under way).
_PLANNED: Final = {
    "ServiceRequest": ("active", "on-hold"),
    "Procedure": ("preparation", "in-progress", "on-hold"),
}
#: Elements of ``timing.repeat`` that change which administrations are given, and which
#: this library does not read.
_UNREAD_REPEAT: Final = (
    "count",
    "countMax",
    "frequencyMax",
    "periodMax",
    "dayOfWeek",
    "timeOfDay",
    "when",
    "offset",
)
#: Elements of ``timing.repeat`` that say how often; a repeat without them defers to a
#: ``timing.code``.
_HOW_OFTEN: Final = frozenset({"frequency", "period", "periodUnit"})
#: Longest list read inside one resource (codings, dosage lines, contained resources): a
#: library bound against runaway input.
_MAX_ITEMS: Final = 1000
_VERSIONS: Final = {
    "R4": "R4",
    "R4B": "R4",
    "R5": "R5",
    "4.0.1": "R4",
    "4.3.0": "R4",
    "5.0.0": "R5",
}
_PARTIAL_CHOICES: Final = ("refuse", "youngest")
_MEDICATION_KINDS: Final = ("MedicationRequest", "MedicationStatement")
#: The resource types :func:`read_patient` reads; it passes over the others.
_KINDS_READ: Final = (
    "Patient",
    "Observation",
    "MedicationRequest",
    "MedicationStatement",
    "Medication",
    "ServiceRequest",
    "Procedure",
)
#: The links of a Bundle that is one page of a paged search.
_OTHER_PAGES: Final = frozenset({"next", "previous", "prev"})
#: What a Bundle of a type not read holds, for the message refusing it.
_OTHER_BUNDLES: Final = {
    "history": "past versions of resources",
    "transaction": "requests to a server",
    "batch": "requests to a server",
    "transaction-response": "a server's responses to requests",
    "batch-response": "a server's responses to requests",
    "message": "a message between systems (led by a MessageHeader)",
    "subscription-notification": "a notification of changes for a subscription",
}
#: Longest code looked up as an ATC code (ATC codes have 7 characters).
_MAX_ATC_CODE: Final = 16
#: A full WHO ATC code (level 5: one chemical substance), such as ``L04AD01``.
_ATC_SUBSTANCE: Final = re.compile(r"[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}", re.IGNORECASE)

_Json: TypeAlias = Mapping[str, object]
_Source: TypeAlias = tuple[str, str]


# --- errors with the path ----------------------------------------------------------------


def _fail(path: str, message: str) -> NoReturn:
    raise DataError([DataProblem(path, message)])


@contextlib.contextmanager
def _located(root: str, label: str | None = None) -> Iterator[None]:
    """Problems raised inside placed under ``root``, their messages naming ``label``."""
    try:
        yield
    except DataError as error:
        problems = [
            DataProblem(join_path(root, p.path), f"{label}: {p.message}" if label else p.message)
            for p in error.problems
        ]
        raise type(error)(problems) from None  # an AmbiguousDrugError stays one


def _argument_problem(error: ArgumentError, paths: Mapping[str, str]) -> NoReturn:
    """A value the library refused (a weight of 7000 kg) as a problem of the FHIR element."""
    _fail(paths.get(error.argument, ""), error.problem)


# --- JSON reading helpers ----------------------------------------------------------------


def _object(value: object, path: str, what: str) -> _Json:
    """An element read (a JSON object); one holding a ``modifierExtension`` is refused."""
    element = _json_object(value, path, what)
    _unmodified(element, path, "element")
    return element


def _json_object(value: object, path: str, what: str) -> _Json:
    """A JSON object; a resource, whose ``modifierExtension`` is checked where it is read."""
    if not isinstance(value, Mapping):
        _fail(path, f"expected {what} (a JSON object), got {shown(value)}")
    return value


def _unmodified(value: _Json, path: str, what: Literal["resource", "element"]) -> None:
    """A resource or element whose meaning a ``modifierExtension`` may change is refused.

    FHIR: a reader that does not understand a modifier extension must not process the
    resource or element as if the extension were absent.  This library understands none.
    """
    extensions = value.get("modifierExtension")
    if extensions is None or (isinstance(extensions, (list, tuple)) and not extensions):
        return
    items = extensions if isinstance(extensions, (list, tuple)) else [extensions]
    urls = [i.get("url") for i in items[:_MAX_ITEMS] if isinstance(i, Mapping)]
    named = [shown(url, 200) for url in urls if isinstance(url, str)][:3]
    more = f" and {len(items) - len(named)} more" if named and len(items) > len(named) else ""
    noun = "modifier extensions" if len(items) > 1 else "the modifier extension"
    _fail(
        join_path(path, "modifierExtension"),
        f"holds {noun} {', '.join(named) or shown(extensions)}{more}, which this library does "
        f"not understand: a modifier extension may change what this {what} means, and FHIR "
        f"forbids reading the {what} as if it were absent; remove one only if it does not apply",
    )


def _optional_object(resource: _Json, key: str, path: str, what: str) -> _Json | None:
    value = resource.get(key)
    return None if value is None else _object(value, join_path(path, key), what)


def _string(resource: _Json, key: str, path: str) -> str | None:
    value = resource.get(key)
    if value is not None and not isinstance(value, str):
        _fail(join_path(path, key), f"expected a string, got {shown(value)}")
    return value


def names_patient(reference: str, patient_id: str | None, aliases: Collection[str] = ()) -> bool:
    """Whether a Reference's ``reference`` names the patient whose id is ``patient_id``.

    ``Patient/{id}``, an absolute URL ending in ``/Patient/{id}``, or one of ``aliases`` (the
    patient's ``fullUrl``), each also with a version (``.../_history/3``).
    """
    if reference in aliases:
        return True
    tail = unversioned(reference)
    if tail in aliases:
        return True
    if patient_id is None:
        return False
    return tail == f"Patient/{patient_id}" or tail.endswith(f"/Patient/{patient_id}")


def unversioned(reference: str) -> str:
    """A reference without its version: ``Medication/m1/_history/2`` is ``Medication/m1``."""
    return re.sub(r"/_history/[^/]+$", "", reference)


def _flag(resource: _Json, key: str, path: str) -> bool:
    """A FHIR boolean element; absent is false, anything but true or false is refused."""
    value = resource.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        _fail(join_path(path, key), f"expected true or false, got {shown(value)}")
    return value


def _items(resource: _Json, key: str, path: str) -> list[tuple[str, object]]:
    """The items of a list element with their paths; absent is empty."""
    value = resource.get(key)
    if value is None:
        return []
    where = join_path(path, key)
    if not isinstance(value, (list, tuple)):
        _fail(where, f"expected a list, got {shown(value)}")
    if len(value) > _MAX_ITEMS:
        _fail(
            where,
            f"has {len(value)} items, more than {_MAX_ITEMS}, the most read (a library bound)",
        )
    return [(f"{where}[{i}]", item) for i, item in enumerate(value)]


@attrs.frozen
class _Coding:
    system: str | None
    code: str | None
    display: str | None


def _codings(concept: _Json, path: str) -> list[_Coding]:
    codings = []
    for where, item in _items(concept, "coding", path):
        coding = _object(item, where, "a Coding")
        codings.append(
            _Coding(
                _string(coding, "system", where),
                _string(coding, "code", where),
                _string(coding, "display", where),
            )
        )
    return codings


def _has_code(concept: _Json | None, path: str, system: str, codes: Iterable[str]) -> bool:
    if concept is None:
        return False
    wanted = set(codes)
    return any(c.system == system and c.code in wanted for c in _codings(concept, path))


# --- dates --------------------------------------------------------------------------------

# FHIR's own patterns (ASCII digits only, offsets from -14:00 to +14:00, seconds required
# with a time), except that a month, day or time out of range is left for datetime to refuse
# ("not a date that exists" says more than "not a FHIR date").
_DATE = re.compile(r"(?P<y>[0-9]{4})(?:-(?P<m>[0-9]{2})(?:-(?P<d>[0-9]{2}))?)?")
_DATE_TIME = re.compile(
    r"(?P<y>[0-9]{4})(?:-(?P<m>[0-9]{2})(?:-(?P<d>[0-9]{2})"
    r"(?:T(?P<H>[0-9]{2}):(?P<M>[0-9]{2}):(?P<S>[0-9]{2})(?:\.(?P<f>[0-9]+))?"
    r"(?P<z>Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?"
)


@attrs.frozen
class _When:
    """When something happened: the first and last date it may have been, and the instant."""

    first: datetime.date
    last: datetime.date
    instant: datetime.datetime | None = None

    def after(self, on: datetime.date) -> bool:
        """Whether it surely happened after the day ``on``.

        A date counts at its last day.  A date-time counts on its date as written or on its
        date in UTC, whichever is earlier.  ``on`` is the caller's date, in a time zone this
        reader is not told (the CDS service takes it in its configured zone,
        ``ServiceConfig.timezone``; another caller may take it in UTC): a date-time is
        dropped as after ``on`` only when it is after it both as written and in UTC
        (11:00 UTC on 3 December is written 00:00 on 4 December at +13:00).
        """
        if self.instant is None:
            return self.last > on
        return min(self.last, self.instant.astimezone(datetime.UTC).date()) > on

    def holds(self, on: datetime.date) -> bool:
        """Whether it is a month or a year that holds the day ``on`` and ends after it.

        :meth:`after` counts such a date at its last day, yet it may have been on or before
        ``on``: an observation so dated might be the latest before ``on``.
        """
        return self.instant is None and self.first <= on < self.last

    def before(self, on: datetime.date) -> bool:
        """Whether it surely happened before the day ``on``.

        A date counts at its last day; a date-time on the later of its date as written and
        its date in UTC (the mirror of :meth:`after`, for the same reason: the time zone
        ``on`` was taken in is the caller's, not known here).
        """
        if self.instant is None:
            return self.last < on
        return max(self.last, self.instant.astimezone(datetime.UTC).date()) < on

    def days_before(self, on: datetime.date) -> int:
        """How many days before ``on`` it surely happened (a date-time: the later of its dates)."""
        if self.instant is None:
            return (on - self.first).days
        return (on - max(self.first, self.instant.astimezone(datetime.UTC).date())).days

    def surely_before(self, other: _When) -> bool:
        """Whether it surely happened before ``other``.

        Both with a time: by their instants; otherwise when its days all come before the
        other's days (a date-time counting on its date as written).
        """
        if self.instant is not None and other.instant is not None:
            return self.instant < other.instant
        return self.last < other.first

    def not_after(self, other: _When) -> bool:
        """Whether it may be at or before ``other`` (a period's start, its end)."""
        if self.instant is not None and other.instant is not None:
            return self.instant <= other.instant
        return self.first <= other.last


def _date(text: object, path: str, *, times: bool) -> _When:
    """A FHIR ``date`` (``times=False``) or ``dateTime``/``instant``, partial dates allowed."""
    what = "a FHIR dateTime such as '2025-02-20' or '2025-02-20T09:30:00+01:00'"
    if not times:
        what = "a FHIR date such as '1985-04-12' (or '1985-04', '1985')"
    if not isinstance(text, str):
        _fail(path, f"expected {what}, got {shown(text)}")
    found = (_DATE_TIME if times else _DATE).fullmatch(text)
    if found is None:
        _fail(path, f"{shown(text)} is not {what}")
    parts = found.groupdict()
    try:
        year = int(parts["y"])
        if parts["m"] is None:
            return _When(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        month = int(parts["m"])
        if parts["d"] is None:
            days = calendar.monthrange(year, month)[1]
            return _When(datetime.date(year, month, 1), datetime.date(year, month, days))
        day = datetime.date(year, month, int(parts["d"]))
        instant = None
        if parts.get("H") is not None:
            zone = parts["z"]
            offset = datetime.timedelta(0)
            if zone != "Z":
                sign = -1 if zone[0] == "-" else 1
                offset = sign * datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
            fraction = (parts["f"] or "0")[:6].ljust(6, "0")
            instant = datetime.datetime(
                year,
                month,
                day.day,
                int(parts["H"]),
                int(parts["M"]),
                int(parts["S"]),
                int(fraction),
                tzinfo=datetime.timezone(offset),
            ).astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        _fail(path, f"{shown(text)} is not a date that exists")
    return _When(day, day, instant)


def _dated(resource: _Json, path: str, what: str) -> _When:
    """When an observation was made; an undated one is refused (it might be the latest)."""
    when = _effective(resource, path)
    if when is None:
        _fail(
            join_path(path, "effective[x]"),
            f"missing: {what} that cannot be dated might be the latest; give effectiveDateTime",
        )
    return when


def _undecided(entry: _Entry, when: _When, what: str, on: datetime.date) -> NoReturn:
    """A refusal of ``what`` dated to a month or year holding ``on``: it might be the latest."""
    _fail(
        join_path(entry.path, "effective[x]"),
        f"{what} dated only to the {_span(when)}, which holds the day {on}, might be the "
        "latest; give its full date",
    )


def _span(when: _When) -> str:
    """The month or year a partial date names: ``month 2025-03``, ``year 2025``."""
    if (when.first.month, when.first.day) == (1, 1) and when.last.month == 12:
        return f"year {when.first.year:04d}"
    return f"month {when.first.isoformat()[:7]}"


def _effective(resource: _Json, path: str) -> _When | None:
    """When an observation or statement applies: ``effective[x]``; ``None`` when absent."""
    if "effectiveTiming" in resource:
        _fail(join_path(path, "effectiveTiming"), "a Timing is not read; give effectiveDateTime")
    _one_effective(resource, path, ("effectiveDateTime", "effectiveInstant", "effectivePeriod"))
    for key in ("effectiveDateTime", "effectiveInstant"):
        if key in resource:
            return _date(resource[key], join_path(path, key), times=True)
    period = _effective_period(resource, path)
    if period is None:
        return None
    start, end = period
    if start is None and end is None:
        _fail(join_path(path, "effectivePeriod"), "a Period without start or end gives no date")
    return end or start  # a period counts at its end; one not ended yet at its start


def _one_effective(resource: _Json, path: str, forms: Sequence[str]) -> None:
    """A resource dated in two ``forms`` of ``effective[x]`` is refused: which is meant?"""
    given = [k for k in forms if k in resource]
    if len(given) > 1:  # effective[x] is one element: two of its forms cannot both be meant
        _fail(
            join_path(path, given[1]),
            f"{given[0]} is given too; effective[x] takes one form: keep the one that is right",
        )


def _effective_period(resource: _Json, path: str) -> tuple[_When | None, _When | None] | None:
    """The start and end of ``effectivePeriod``; ``None`` when absent.

    Either end is ``None`` when not given; a period that ends before it starts is refused.
    """
    period = _optional_object(resource, "effectivePeriod", path, "a Period")
    if period is None:
        return None
    where = join_path(path, "effectivePeriod")
    start, end = (
        None if period.get(key) is None else _date(period[key], f"{where}.{key}", times=True)
        for key in ("start", "end")
    )
    if start is not None and end is not None and not start.not_after(end):
        _fail(
            where,
            f"the end {shown(period['end'])} is before the start {shown(period['start'])}: "
            "correct the one that is wrong",
        )
    return start, end


# --- the resources of one input -------------------------------------------------------------


@attrs.frozen
class _Entry:
    """One resource of the input, where it is, and what it is called."""

    resource: _Json
    path: str
    kind: str
    label: str
    full_url: str | None


def _entries(resources: object) -> tuple[str, list[_Entry]]:
    """The resources of a Bundle or an iterable, each with its path; the root path."""
    if isinstance(resources, Mapping):
        return "Bundle", _bundle_entries(resources)
    if isinstance(resources, (str, bytes, bytearray)) or not isinstance(resources, Iterable):
        _fail(
            "resources",
            "expected a FHIR Bundle (a dict) or an iterable of resources (dicts), got "
            f"{shown(resources)}; parse JSON text with json.loads first",
        )
    items = list(itertools.islice(resources, MAX_RESOURCES + 1))
    if len(items) > MAX_RESOURCES:
        _fail("resources", _too_many())
    return "resources", [
        _entry(item, f"resources[{i}]", None, f"resources[{i}]") for i, item in enumerate(items)
    ]


def _too_many() -> str:
    return (
        f"more than {MAX_RESOURCES} resources, the most read at once (a library bound); pass "
        f"the patient's resources of the kinds read ({', '.join(_KINDS_READ)})"
    )


def _bundle_entries(bundle: _Json) -> list[_Entry]:
    kind = bundle.get("resourceType")
    if kind != "Bundle":
        _fail(
            "Bundle.resourceType",
            f"expected a Bundle, or an iterable of resources, got resourceType {shown(kind)}",
        )
    _bundle_type(bundle)
    raw = bundle.get("entry")
    if raw is not None and isinstance(raw, (list, tuple)) and len(raw) > MAX_RESOURCES:
        _fail("Bundle.entry", _too_many())  # before any entry is looked at
    for where, item in _items(bundle, "link", "Bundle"):
        link = _object(item, where, "a Bundle link")
        relation = link.get("relation")
        if isinstance(relation, str) and relation.strip().casefold() in _OTHER_PAGES:
            _fail(
                where,
                f"the Bundle is one page of a search (it has a {relation!r} link): read every "
                "page and pass all their resources, or the latest weight or an active "
                "medicine may be on a page not read",
            )
    if raw is not None and not isinstance(raw, (list, tuple)):
        _fail("Bundle.entry", f"expected a list, got {shown(raw)}")
    total = bundle.get("total")
    held = search_matches(raw or ())
    if total is not None and bundle.get("type") == "searchset":  # total counts a search's
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            _fail("Bundle.total", f"expected a whole number from 0, got {shown(total)}")
        if total > held:
            _fail(
                "Bundle.total",
                f"the search found {total} matches, but the Bundle holds {held} of them: it "
                "is one page of a search; read every page and pass all their resources, or "
                "the latest weight or an active medicine may be on a page not read",
            )
    if raw is None:
        return []
    entries = []
    for i, item in enumerate(raw):
        where = f"Bundle.entry[{i}]"
        entry = _object(item, where, "a Bundle entry")
        if entry.get("resource") is None:
            continue  # an entry without a resource carries no data
        full_url = _string(entry, "fullUrl", where)
        entries.append(_entry(entry["resource"], f"{where}.resource", full_url, where))
    return entries


def search_matches(entries: Sequence[object]) -> int:
    """How many entries a search matched: not those it ``include`` d, nor its outcomes."""
    count = 0
    for entry in entries:
        search = entry.get("search") if isinstance(entry, Mapping) else None
        mode = search.get("mode") if isinstance(search, Mapping) else None
        count += mode in (None, "match")
    return count


def _bundle_type(bundle: _Json) -> None:
    """A Bundle of a type read (searchset, collection, document); others are refused."""
    bundle_type = _string(bundle, "type", "Bundle")
    if bundle_type in ("searchset", "collection", "document"):
        return
    read = (
        "the Bundles read are of type searchset (a search's result, as Patient/$everything "
        "returns it), collection or document"
    )
    if bundle_type is None:
        _fail("Bundle.type", f"missing: {read}; give the type")
    held = _OTHER_BUNDLES.get(bundle_type)
    if held is None:
        _fail("Bundle.type", f"{shown(bundle_type)} is not a type of Bundle read: {read}")
    _fail(
        "Bundle.type",
        f"{shown(bundle_type)}: a {bundle_type} Bundle holds {held}, not the patient's record: "
        f"{read}",
    )


def _entry(value: object, path: str, full_url: str | None, fallback: str) -> _Entry:
    resource = _json_object(value, path, "a FHIR resource")
    kind = resource.get("resourceType")
    if not isinstance(kind, str) or not kind:
        _fail(join_path(path, "resourceType"), f"expected a resource type, got {shown(kind)}")
    if kind == "Bundle":
        _fail(
            path,
            "a Bundle inside the input is not read (its weights and medicines would be lost): "
            "give its resources in the outer Bundle or list",
        )
    if kind == "MedicationOrder":
        _fail(
            join_path(path, "resourceType"),
            "MedicationOrder is a FHIR DSTU2 resource; this library reads FHIR R4, R4B and R5 "
            "(MedicationRequest)",
        )
    resource_id = resource.get("id")
    if resource_id is not None and not isinstance(resource_id, str):
        _fail(join_path(path, "id"), f"expected an id (a string), got {shown(resource_id)}")
    label = f"{kind}/{resource_id}" if resource_id else f"{kind} at {fallback}"
    return _Entry(resource, path, kind, label, full_url)


def _resource(value: object, root: str, kinds: Sequence[str]) -> _Entry:
    """One resource given alone (``read_prescription``): a dict of one of ``kinds``."""
    resource = _json_object(value, root, f"a {' or '.join(kinds)} resource")
    kind = resource.get("resourceType")
    if kind not in kinds:
        _fail(
            join_path(root, "resourceType"),
            f"expected {' or '.join(map(repr, kinds))}, got {shown(kind)}",
        )
    entry = _entry(resource, root, None, root)
    return attrs.evolve(entry, path="")


# --- versions ------------------------------------------------------------------------------


def _checked_version(version: object) -> str | None:
    if version is None:
        return None
    if not isinstance(version, str):
        raise ArgumentTypeError("version", f"expected 'R4', 'R4B' or 'R5', got {shown(version)}")
    try:
        return _VERSIONS[version]
    except KeyError:
        raise InputError(
            "version",
            f"{shown(version)} is not a FHIR version this library reads: 'R4', 'R4B' or 'R5' "
            "(or '4.0.1', '4.3.0', '5.0.0')",
        ) from None


@attrs.frozen
class _Medication:
    """Where a medication resource names its medicine, and the version its shape is."""

    concept: _Json | None
    concept_path: str
    reference: _Json | None
    reference_path: str
    version: str


def _medication(resource: _Json, path: str) -> _Medication:
    """The medicine of a MedicationRequest or MedicationStatement, R4 or R5 shape."""
    r4 = [k for k in ("medicationCodeableConcept", "medicationReference") if k in resource]
    if "medication" in resource:
        if r4:
            _fail(
                join_path(path, r4[0]),
                "the resource has both the R5 element 'medication' and the R4 element "
                f"{r4[0]!r}; one resource is of one FHIR version",
            )
        where = join_path(path, "medication")
        medication = _object(resource["medication"], where, "a CodeableReference (R5)")
        concept = _optional_object(medication, "concept", where, "a CodeableConcept")
        reference = _optional_object(medication, "reference", where, "a Reference")
        if concept is None and reference is None:
            _fail(where, "neither concept nor reference names the medicine")
        return _Medication(concept, f"{where}.concept", reference, f"{where}.reference", "R5")
    if not r4:
        _fail(
            path,
            "no medicine: expected medicationCodeableConcept or medicationReference (FHIR R4, "
            "R4B) or medication (R5)",
        )
    concept = _optional_object(resource, "medicationCodeableConcept", path, "a CodeableConcept")
    reference = _optional_object(resource, "medicationReference", path, "a Reference")
    return _Medication(
        concept,
        join_path(path, "medicationCodeableConcept"),
        reference,
        join_path(path, "medicationReference"),
        "R4",
    )


def _service_code(entry: _Entry) -> tuple[_Json | None, str, str | None]:
    """The code of a ServiceRequest (R4 CodeableConcept, R5 CodeableReference) or Procedure.

    Also the FHIR version the shape of a ServiceRequest's code tells (a Procedure's code is
    a CodeableConcept in both).
    """
    code = _optional_object(entry.resource, "code", entry.path, "a code")
    where = join_path(entry.path, "code")
    if code is None or entry.kind != "ServiceRequest":
        return code, where, None
    if "concept" in code or "reference" in code:
        concept = _optional_object(code, "concept", where, "a CodeableConcept")
        return concept, f"{where}.concept", "R5"
    return code, where, "R4"


class _Versions:
    """The FHIR version of one input: given, or told by the shapes of its resources."""

    def __init__(self, given: str | None) -> None:
        self.given = given
        self.seen: tuple[str, str] | None = None

    def saw(self, version: str | None, path: str) -> None:
        if version is None:
            return
        if self.given is not None and self.given != version:
            _fail(
                path,
                f"this element has the FHIR {version} shape, but version={self.given!r} was given",
            )
        if self.seen is None:
            self.seen = (version, path)
        elif self.seen[0] != version:
            _fail(
                path,
                f"this element has the FHIR {version} shape, {self.seen[1]} the {self.seen[0]} "
                "shape: one input is of one FHIR version",
            )

    @property
    def version(self) -> str | None:
        return self.given or (self.seen[0] if self.seen else None)


# --- which drug ----------------------------------------------------------------------------


_CodeMap: TypeAlias = Mapping[tuple[str, str], Drug]


def _checked_codes(codes: object) -> dict[tuple[str, str], Drug]:
    if codes is None:
        return {}
    if not isinstance(codes, Mapping):
        raise ArgumentTypeError(
            "codes",
            f"expected a mapping of (system, code) to a Drug or a drug name, got {shown(codes)}",
        )
    checked = {}
    for key, value in codes.items():
        if not (isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, str) for k in key)):
            raise ArgumentTypeError(
                "codes", f"expected a key (system, code) of two strings, got {shown(key)}"
            )
        try:
            checked[key] = resolve_drug(value, "codes")
        except ArgumentTypeError as error:
            raise ArgumentTypeError("codes", error.problem, f"{key[0]}|{key[1]}") from None
        except UnknownDrugError as error:
            raise InputError("codes", str(error), f"{key[0]}|{key[1]}") from None
    return checked


def _names_pattern() -> tuple[re.Pattern[str], dict[str, Drug]]:
    """A pattern finding any drug name or synonym as a whole word, and the drug of each."""
    by_name = {name.casefold(): d for d in guideline_drugs() for name in d.names}
    words = sorted(by_name, key=len, reverse=True)
    if not words:
        return re.compile(r"(?!)"), by_name  # no drug: a pattern that never matches
    pattern = r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)"
    return re.compile(pattern, re.IGNORECASE), by_name


@attrs.frozen
class _Names:
    """What a medication resource says its medicine is: concepts and free texts, with paths.

    ``ingredients`` are the concepts of the active ingredients of a ``Medication`` referred
    to; ``where`` is the element that should name it, for the message when nothing does.
    """

    concepts: tuple[tuple[_Json, str], ...]
    texts: tuple[tuple[str, str], ...]
    where: str
    ingredients: tuple[tuple[_Json, str], ...] = ()


_Resolver: TypeAlias = Callable[[str], "tuple[_Json, str] | None"]


def _names_of(entry: _Entry, resolve: _Resolver | None, versions: _Versions | None) -> _Names:
    """The concepts and texts naming the medicine of a MedicationRequest or -Statement."""
    medication = _medication(entry.resource, entry.path)
    if versions is not None:
        versions.saw(medication.version, medication.concept_path or medication.reference_path)
    concepts: list[tuple[_Json, str]] = []
    texts: list[tuple[str, str]] = []
    ingredients: list[tuple[_Json, str]] = []
    named_at = medication.reference_path
    if medication.concept is not None:
        concepts.append((medication.concept, medication.concept_path))
        named_at = medication.concept_path
    if medication.reference is not None:
        where = medication.reference_path
        display = _string(medication.reference, "display", where)
        if display:
            texts.append((display, join_path(where, "display")))
        reference = _string(medication.reference, "reference", where)
        found = _contained(entry, reference) if reference else None
        if found is None and reference and resolve is not None:
            found = resolve(reference)
        if found is not None:
            resource, path = found
            _unmodified(resource, path, "resource")
            _same_version(reference or "", resource, path, where)
            code = _optional_object(resource, "code", path, "a CodeableConcept")
            if code is not None:
                concepts.append((code, join_path(path, "code")))
            elif medication.concept is None:
                named_at = join_path(path, "code")
            ingredients += _ingredients(resource, path, versions)
        elif not display and not reference:
            _fail(
                where,
                "the reference names no resource (no 'reference': an identifier is not "
                "followed) and has no display: refer to the Medication, in 'contained' or in "
                "the Bundle, or give the medicine's code",
            )
        elif not display:
            _fail(
                where,
                f"the medicine is the resource {shown(reference)}, which is neither contained "
                "in this resource nor in the input, and the reference has no display: put the "
                "Medication in 'contained' or in the Bundle",
            )
    return _Names(tuple(concepts), tuple(texts), named_at, tuple(ingredients))


def _ingredients(
    medication: _Json, path: str, versions: _Versions | None
) -> list[tuple[_Json, str]]:
    """The concepts of a ``Medication``'s ingredients, each with its path.

    R4 ``ingredient[].itemCodeableConcept``, R5 ``ingredient[].item.concept``; an ingredient
    given by a reference alone (R4 ``itemReference``, R5 ``item.reference``) names nothing
    read, and one that is not active (``isActive`` false: an excipient) names no medicine.
    """
    found = []
    for where, item in _items(medication, "ingredient", path):
        ingredient = _object(item, where, "a Medication.ingredient")
        active = ingredient.get("isActive")
        if active is not None and not isinstance(active, bool):
            _fail(join_path(where, "isActive"), f"expected true or false, got {shown(active)}")
        r4 = [k for k in ("itemCodeableConcept", "itemReference") if k in ingredient]
        if "item" in ingredient and r4:
            _fail(
                join_path(where, r4[0]),
                "the ingredient has both the R5 element 'item' and the R4 element "
                f"{r4[0]!r}; one resource is of one FHIR version",
            )
        if "item" in ingredient:
            item_path = join_path(where, "item")
            if versions is not None:
                versions.saw("R5", item_path)
            reference = _object(ingredient["item"], item_path, "a CodeableReference (R5)")
            concept = _optional_object(reference, "concept", item_path, "a CodeableConcept")
            concept_path = join_path(item_path, "concept")
        else:
            if r4 and versions is not None:
                versions.saw("R4", join_path(where, r4[0]))
            concept = _optional_object(
                ingredient, "itemCodeableConcept", where, "a CodeableConcept"
            )
            concept_path = join_path(where, "itemCodeableConcept")
        if concept is not None and active is not False:
            found.append((concept, concept_path))
    return found


def _same_version(reference: str, resource: _Json, path: str, where: str) -> None:
    """A reference to one version (``Medication/m1/_history/2``) must find that version.

    The version held is told by ``meta.versionId``; where it is another, the medicine read
    would be another than the one ordered (a Medication since recoded).
    """
    pinned = re.search(r"/_history/([^/]+)$", reference)
    meta = resource.get("meta")
    held = meta.get("versionId") if isinstance(meta, Mapping) else None
    if pinned is None or not isinstance(held, str) or held == pinned[1]:
        return
    _fail(
        join_path(where, "reference"),
        f"names version {shown(pinned[1])} of the Medication, but {path} is version "
        f"{shown(held)} (meta.versionId): give the version referred to, or refer to the "
        "Medication without a version",
    )


def _contained(entry: _Entry, reference: str) -> tuple[_Json, str] | None:
    """The ``Medication`` a local reference (``#m1``) names; two different ones are refused."""
    if not reference.startswith("#"):
        return None
    found: tuple[_Json, str] | None = None
    for where, item in _items(entry.resource, "contained", entry.path):
        contained = _json_object(item, where, "a contained resource")
        if contained.get("id") != reference[1:]:
            continue
        if found is None:
            found = (contained, where)
        elif not _same(contained, found[0]):
            _copies_differ(f"the contained resource {reference}", found[1], where)
    if found is None or found[0].get("resourceType") != "Medication":
        return None
    return found


def _same(first: _Json, second: _Json) -> bool:
    """Whether two copies of a resource are equal; too deep to compare is not the same."""
    try:
        return first == second
    except RecursionError:
        return False


def _copies_differ(name: str, first: str, second: str) -> NoReturn:
    """Two different resources under one id: which one is meant cannot be known."""
    _fail(
        second,
        f"{name} is also at {first}, with other content: one id names one resource; remove "
        "the copy that is wrong",
    )


def _drug_in(names: _Names, codes: _CodeMap) -> Drug | None:
    """The one drug the names point at: by the caller's codes, ATC, or a name in the text.

    A full WHO ATC code (level 5, a substance) of another substance of the found drug's
    own chemical subgroup (level 4) is refused as ambiguous: the code of tacrolimus
    (L04AD02) with the text "Tacrolimus (replaces ciclosporin)" is no ciclosporin order.
    So is a full code of another group beside a drug named only in a text, unless the
    code's own display names the drug: methotrexate (L04AX03) with the text
    "Methotrexate (switch from ciclosporin)" is refused, never read as ciclosporin nor
    dropped; a code this library does not know (an older or local one, ``L04AA01``) or
    the eye drops' (S01XA18), with the display "ciclosporin", names ciclosporin.  Beside
    the drug's own code, a code of another group is not read.
    """
    pattern, by_name = _names_pattern()
    found: dict[str, tuple[Drug, str]] = {}
    by_code: set[str] = set()
    # Full ATC codes of no drug of the guideline: the code, where, and the display beside it.
    other_substances: list[tuple[str, str, str | None]] = []

    def add(drug: Drug, path: str) -> None:
        found.setdefault(drug.name, (drug, path))

    texts = list(names.texts)
    for concept, path in (*names.concepts, *names.ingredients):
        for i, coding in enumerate(_codings(concept, path)):
            where = f"{path}.coding[{i}]"
            if coding.system is not None and coding.code is not None:
                mapped = codes.get((coding.system, coding.code))
                if mapped is None and coding.system == ATC_SYSTEM:
                    mapped = _atc_drug(coding.code)
                    if mapped is None and _ATC_SUBSTANCE.fullmatch(coding.code.strip()):
                        other_substances.append((coding.code, f"{where}.code", coding.display))
                if mapped is not None:
                    add(mapped, f"{where}.code")
                    by_code.add(mapped.name)
            if coding.display:
                texts.append((coding.display, f"{where}.display"))
        text = _string(concept, "text", path)
        if text:
            texts.append((text, join_path(path, "text")))
    for text, path in texts:
        for match in pattern.finditer(text):
            named = by_name.get(match.group(0).casefold())
            if named is not None:
                add(named, path)
    if len(found) > 1:
        raise DataError(
            DataProblem(path, f"names the drug {name!r}") for name, (_, path) in found.items()
        )
    if found:
        ((name, (drug, named_at)),) = found.items()
        # Another substance of the drug's own chemical subgroup (ATC level 4: tacrolimus
        # L04AD02 beside ciclosporin L04AD01) is a contradiction; a code of another group
        # may be the same substance in another form (ciclosporin eye drops, S01XA18).
        group = (drug.atc or "")[:5].upper()
        rivals = [
            (c, at, f"of another substance of the group {group} than {name} ({drug.atc})")
            for c, at, _ in other_substances
            if group and c.strip().upper()[:5] == group
        ]
        if not rivals and name not in by_code:
            # Named only in a text beside the full code of another group, which its own
            # display does not say is the drug: methotrexate (L04AX03) with the text
            # "switch from ciclosporin" is no ciclosporin order, and a code this library
            # does not know may be the drug's; which is meant cannot be known.  A code
            # whose display names the drug is the drug's (an older or local code such as
            # L04AA01; the eye drops', S01XA18, with the display "ciclosporin").
            free = [text for text, at in texts if not _CODING_DISPLAY.search(at)]
            rivals = [
                (c, at, f"not {name}'s ({drug.atc}) and names no drug this library knows")
                for c, at, display in other_substances
                if not _displays_drug(display, drug)
                or not all(_names_drug(text, drug, pattern, by_name) for text in free)
            ]
        if rivals:
            code, code_at, what = rivals[0]
            how = "a code" if name in by_code else "a text"
            raise AmbiguousDrugError(
                [
                    DataProblem(
                        code_at,
                        f"the WHO ATC code {shown(code)} is {what}, while {how} names the "
                        f"drug {name!r}: which medicine is meant cannot be known; correct the "
                        "one that is wrong",
                    ),
                    DataProblem(
                        named_at,
                        f"names the drug {name!r}, while the WHO ATC code {shown(code)} is "
                        "of another substance",
                    ),
                ]
            )
    return next(iter(found.values()))[0] if found else None


#: The path of a coding's display (not the text of a concept or of a reference).
_CODING_DISPLAY: Final = re.compile(r"\.coding\[\d+\]\.display$")


def _displays_drug(display: str | None, drug: Drug) -> bool:
    """Whether a coding's ``display`` names ``drug`` and only a product of it: one of its
    names, then nothing but strengths and forms (``Ciclosporin``, ``Ciclosporin 100 mg soft
    capsules``), never a text about another medicine (``Ciclosporin (replaced by
    methotrexate)``, ``Methotrexate, replaces ciclosporin``)."""
    if display is None:
        return False
    folded = display.strip().casefold()
    for name in (name.casefold() for name in drug.names):
        if folded.startswith(name) and _PRODUCT_REST.fullmatch(folded[len(name) :]):
            return True
    return False


#: What may follow a drug's name in a display that names only a product of it: strengths
#: (``100 mg``, ``0.1 %``, ``100 mg/ml``) and the words of forms and routes.
_PRODUCT_REST: Final = re.compile(
    r"(?:[\s,;/]+|[0-9]+(?:[.,][0-9]+)?|%|mg|g|µg|ug|mcg|ml|mg/ml|"
    r"capsules?|caps|tablets?|tabs|soft|hard|gelatin|oral|solution|suspension|emulsion|"
    r"concentrate|for|infusion|injection|eye|drops|ophthalmic|film-coated|coated|"
    r"microemulsion|liquid|cap|tab)*"
)


def _names_drug(
    text: str, drug: Drug, pattern: re.Pattern[str], by_name: Mapping[str, Drug]
) -> bool:
    """Whether ``text`` names ``drug`` as a whole word."""
    named = (by_name.get(match.group(0).casefold()) for match in pattern.finditer(text))
    return any(found is not None and found.name == drug.name for found in named)


class AmbiguousDrugError(DataError):
    """A medicine whose codes and texts name two different medicines (one of them a drug of
    the guideline): which one is meant cannot be known.

    A :class:`~ae_systemic.DataError`; the CDS service tells it apart, so that such a
    medicine in the record is read as a co-medication of unknown pathways rather than
    refusing the whole request.
    """


def _atc_drug(code: str) -> Drug | None:
    """The drug of the guideline a WHO ATC code names, or ``None``."""
    if len(code) > _MAX_ATC_CODE:
        return None
    try:
        return find_drug(code)
    except UnknownDrugError:
        return None


def drug_for(
    medication_request: Mapping[str, object],
    *,
    codes: Mapping[tuple[str, str], Drug | str] | None = None,
    medications: Mapping[str, object] | Iterable[Mapping[str, object]] | None = None,
) -> Drug | None:
    """The drug of the guideline a ``MedicationRequest`` orders, or ``None`` for another medicine.

    The medicine is read from ``medicationCodeableConcept`` or ``medicationReference``
    (R4, R4B) or ``medication.concept``/``.reference`` (R5); a reference is followed to a
    ``Medication`` in ``contained``, or among ``medications`` (a Bundle or resources, as
    :func:`read_patient` takes them: the ``Medication`` s of the order's Bundle or search),
    by ``Medication/id`` or by ``fullUrl`` (also with a version, ``Medication/m1/_history/2``);
    a ``Medication``'s ``code`` and the concepts of its active ingredients (R4
    ``ingredient.itemCodeableConcept``, R5 ``ingredient.item.concept``) name the medicine.
    A drug is found by, in this order of reading (all are
    read): the caller's ``codes`` (``{(system, code): drug or drug name}``, for local
    codes); a WHO ATC code (system ``http://www.whocc.no/atc``) that
    :func:`~ae_systemic.drug` knows; a name or synonym of a drug (``ciclosporin``,
    ``CsA``) as a whole word, ignoring case, in the text or a coding's display
    (``"Ciclosporin 100 mg capsule"``).  Neither the route nor the form is read:
    ciclosporin eye drops name ciclosporin too.  A ``MedicationStatement`` is read the same way.

    Two different drugs found → :class:`~ae_systemic.DataError` naming where each was
    found, and so is a full ATC code of another substance of the drug's own chemical
    subgroup (tacrolimus ``L04AD02`` beside ciclosporin, ``L04AD01``, or beside its
    name in a text), and a full ATC code of another group beside a drug found only by its
    name in a text, unless that code's own display names the drug (methotrexate
    ``L04AX03`` with the text "switch from ciclosporin" is refused; ``L04AA01`` or
    ``S01XA18`` displayed "ciclosporin" is ciclosporin); so is a malformed resource,
    a reference to a ``Medication`` not contained and without a display, a medicine with
    no text, display or code to name it by (as :func:`read_patient` refuses it), two
    different contained resources under the id referred to, and a ``modifierExtension`` on
    the order, on the ``Medication`` or on an element read.  ``codes`` of the wrong shape →
    :class:`~ae_systemic.ArgumentTypeError`; a drug name there that is not known →
    :class:`~ae_systemic.InputError`.
    """
    mapped = _checked_codes(codes)
    index = None if medications is None else _medication_index(_entries(medications)[1])
    entry = _resource(medication_request, "MedicationRequest", _MEDICATION_KINDS)
    with _located(entry.kind):
        _unmodified(entry.resource, entry.path, "resource")
        names = _names_of(entry, None if index is None else index.resolve, None)
        _medicine(names)  # a medicine with nothing to name it by is refused, as read_patient does
        return _drug_in(names, mapped)


# --- the prescription ----------------------------------------------------------------------


def read_prescription(medication_request: Mapping[str, object]) -> Prescription:
    """The :class:`~ae_systemic.Prescription` of a ``MedicationRequest`` (R4, R4B or R5).

    Read from ``dosageInstruction[0]``: the dose ``doseAndRate[0].doseQuantity`` (a UCUM
    mass: ``mg``, ``g``, ``ug``...), and how often, from ``timing.repeat`` (``frequency``
    administrations per ``period`` ``periodUnit``) or ``timing.code`` ``QD``, ``BID``,
    ``TID``, ``QID`` (system
    ``http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation``); where both are given
    they must agree.  The order's status is not read (a draft order is read as any other).

    Refused with a :class:`~ae_systemic.DataError` naming the element, as shapes this
    library does not read: several dosage lines or several ``doseAndRate``, a dose range,
    a rate, a dose that is not a mass (tablets, mL), ``asNeeded``, a missing timing or
    frequency, ``count``/``countMax``, ``frequencyMax``/``periodMax``,
    ``when``/``timeOfDay``/``dayOfWeek``, ``doNotPerform``, a ``modifierExtension`` on the
    order or on an element read (this library understands none); and anything malformed
    (not a dict, another resource type, a string where a number belongs), or a dose or
    period the library refuses (zero, 200 g).  A ``timing.code`` with a ``timing.repeat``
    holding no ``frequency``, ``period`` or ``periodUnit`` (only bounds, which are never
    read) is read from the code.
    """
    entry = _resource(medication_request, "MedicationRequest", ("MedicationRequest",))
    with _located("MedicationRequest"):
        _unmodified(entry.resource, entry.path, "resource")
        return _prescription(entry.resource)


def _prescription(request: _Json) -> Prescription:
    if _flag(request, "doNotPerform", ""):
        _fail("doNotPerform", "this order is not to give the medicine; it has no dose to check")
    lines = _items(request, "dosageInstruction", "")
    if not lines:
        _fail("dosageInstruction", "missing: the order has no dosage to read")
    if len(lines) > 1:
        _fail(
            "dosageInstruction",
            f"{len(lines)} dosage lines (a tapering or split dose): only an order with one "
            "dosage line is read",
        )
    path, raw = lines[0]
    dosage = _object(raw, path, "a Dosage")
    for key in ("asNeededBoolean", "asNeeded"):
        if _flag(dosage, key, path):
            _fail(join_path(path, key), "a dose as needed has no daily amount to check")
    for key in ("asNeededCodeableConcept", "asNeededFor"):
        if key in dosage:
            _fail(join_path(path, key), "a dose as needed has no daily amount to check")
    amount, amount_path = _dose(dosage, path)
    frequency, period, timing_path = _timing(dosage, path)
    paths = {
        "amount": amount_path,
        "frequency": f"{timing_path}.frequency",
        "period": f"{timing_path}.period",
    }
    try:
        return Prescription(amount, frequency=frequency, period=period)
    except ArgumentError as error:
        _argument_problem(error, paths)


def _dose(dosage: _Json, path: str) -> tuple[pint.Quantity[float], str]:
    rates = _items(dosage, "doseAndRate", path)
    if not rates:
        text = _string(dosage, "text", path)
        said = f" (its text: {shown(text)})" if text else ""
        _fail(
            join_path(path, "doseAndRate"),
            f"missing: the dosage gives no structured dose{said}; this library reads "
            "doseAndRate[0].doseQuantity",
        )
    if len(rates) > 1:
        _fail(
            join_path(path, "doseAndRate"), "several doses (ordered and calculated?) are not read"
        )
    where, raw = rates[0]
    dose_and_rate = _object(raw, where, "a Dosage.doseAndRate")
    for key in ("rateRatio", "rateRange", "rateQuantity"):
        if key in dose_and_rate:
            _fail(join_path(where, key), "a rate (an infusion) is not read; give doseQuantity")
    if "doseRange" in dose_and_rate:
        _fail(
            join_path(where, "doseRange"),
            "a dose range is not read: an order to check gives one dose (doseQuantity)",
        )
    if "doseQuantity" not in dose_and_rate:
        _fail(join_path(where, "doseQuantity"), "missing: the dose per administration")
    dose_path = join_path(where, "doseQuantity")
    unit, magnitude = read_unit(dose_and_rate["doseQuantity"], dose_path)
    if unit.kind != MASS:
        _fail(
            join_path(dose_path, "code"),
            f"{unit.code!r} is a {unit.kind}, not a mass: the dose per administration is read "
            "as a mass (mg, g, ug); a dose in tablets, capsules or mL is not read",
        )
    return _in_registry(magnitude, unit), join_path(dose_path, "value")


def _in_registry(magnitude: float, unit: UcumUnit) -> pint.Quantity[float]:
    value: pint.Quantity[float] = application_registry().Quantity(magnitude, unit.pint_unit)
    return value


def _timing(dosage: _Json, path: str) -> tuple[int, pint.Quantity[float], str]:
    """Administrations per period, from ``timing.repeat`` or ``timing.code``."""
    timing = _optional_object(dosage, "timing", path, "a Timing")
    where = join_path(path, "timing")
    if timing is None:
        _fail(where, "missing: how often the dose is given is not said")
    if "event" in timing:
        _fail(f"{where}.event", "administrations at listed times are not read; give timing.repeat")
    from_code = _timing_code(timing, where)
    repeat = _optional_object(timing, "repeat", where, "a Timing.repeat")
    repeat_path = f"{where}.repeat"
    for key in _UNREAD_REPEAT:
        if repeat is not None and key in repeat:
            _fail(
                join_path(repeat_path, key),
                f"timing.repeat.{key} is not read: say how often with frequency, period and "
                "periodUnit (or a timing.code) alone",
            )
    # A code with a repeat that says nothing of how often (only bounds, which are not read
    # with or without a code) is read from the code.
    if repeat is None or (from_code is not None and not _HOW_OFTEN.intersection(repeat)):
        if from_code is None:
            _fail(where, "neither timing.repeat nor a timing.code (BID, TID, QID, QD) is given")
        day = application_registry().Quantity(1.0, "day")
        return from_code, day, f"{where}.code"
    frequency = repeat.get("frequency")
    if frequency is None:
        _fail(
            f"{repeat_path}.frequency",
            "missing: say how many administrations per period (FHIR's assumed 1 is not guessed)",
        )
    if isinstance(frequency, bool) or not isinstance(frequency, int):
        _fail(f"{repeat_path}.frequency", f"expected a whole number, got {shown(frequency)}")
    period = _period(repeat, repeat_path)
    days = period.m_as("day")
    if from_code is not None and days > 0:  # a period of 0 or less: Prescription refuses it
        per_day = frequency / days
        if not math.isfinite(per_day) or abs(per_day - from_code) > 1e-9 * from_code:
            _fail(
                f"{where}.code",
                f"the timing code gives {from_code} administrations a day, timing.repeat "
                f"{per_day:g}: correct the one that is wrong",
            )
    return frequency, period, repeat_path


def _period(repeat: _Json, path: str) -> pint.Quantity[float]:
    value = repeat.get("period")
    if value is None:
        _fail(f"{path}.period", "missing: the period the administrations are counted over")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(f"{path}.period", not_a_number(value))
    code = repeat.get("periodUnit")
    unit = ucum_unit(code) if isinstance(code, str) else None
    if unit is None or unit.kind != TIME:
        _fail(
            f"{path}.periodUnit",
            f"expected a unit of time (s, min, h, d, wk, mo, a), got {shown(code)}",
        )
    try:
        return _in_registry(float(value), unit)
    except OverflowError:
        _fail(f"{path}.period", f"{shown(value)} is not a finite number")


def _timing_code(timing: _Json, path: str) -> int | None:
    code = _optional_object(timing, "code", path, "a CodeableConcept")
    if code is None:
        return None
    where = join_path(path, "code")
    found = {
        c.code
        for c in _codings(code, where)
        if c.system == TIMING_ABBREVIATION_SYSTEM and c.code is not None
    }
    if not found:
        given = [c.code for c in _codings(code, where)] or [_string(code, "text", where)]
        _fail(
            where,
            f"{shown(given)} is not read: the timing codes read are QD, BID, TID and QID of "
            f"{TIMING_ABBREVIATION_SYSTEM}",
        )
    if len(found) > 1:
        _fail(where, f"several timing codes {sorted(found)}: give one")
    (abbreviation,) = found
    if abbreviation not in _TIMING_CODES:
        _fail(
            where,
            f"{abbreviation!r} is not read: the timing codes read are QD, BID, TID and QID "
            "(give timing.repeat for other schedules)",
        )
    return _TIMING_CODES[abbreviation]


# --- the patient ---------------------------------------------------------------------------


def _pairs(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(
        isinstance(p, tuple) and len(p) == 2 and all(isinstance(s, str) for s in p) for p in value
    ):
        raise ArgumentTypeError(
            attribute.name,
            f"expected a tuple of (field, resource) pairs of strings, got {shown(value)}",
        )


def _texts(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(s, str) for s in value):
        raise ArgumentTypeError(attribute.name, f"expected a tuple of strings, got {shown(value)}")


def _pregnancy_note(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise ArgumentTypeError(attribute.name, f"expected a string or None, got {shown(value)}")
    if value is not None and instance.pregnancy_known:
        raise InputError(
            attribute.name, "a note on why the pregnancy status is not known, but it is known"
        )


def _is_patient(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Patient):
        raise ArgumentTypeError("patient", f"expected a Patient, got {shown(value)}")


def _is_bool(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise ArgumentTypeError(attribute.name, f"expected True or False, got {shown(value)}")


@attrs.frozen
class PatientRecord:
    """A :class:`~ae_systemic.Patient` read from a health record, and where each fact came from.

    ``patient`` holds the facts; ``pregnancy_known`` says whether a pregnancy status was
    recorded (when it is ``False``, ``patient.pregnant`` is ``False`` only because the
    :class:`~ae_systemic.Patient` needs a value: the status is not known, and a caller
    should say so); ``sources`` pairs each field with the resource it was read from
    (``("weight", "Observation/w2")``, ``("co_medications[1]", "MedicationRequest/m3")``);
    ``notes`` says what else a reader should know (a choice applied, a medicine left out);
    ``pregnancy_note``, one of them, says why the pregnancy status is not known (none found,
    one coded otherwise, a "not pregnant" contradicted by a later status, which it names),
    and is ``None`` when it is known.  Built by :func:`read_patient`.
    """

    patient: Patient = attrs.field(validator=_is_patient)
    pregnancy_known: bool = attrs.field(validator=_is_bool)
    sources: tuple[tuple[str, str], ...] = attrs.field(validator=_pairs)
    notes: tuple[str, ...] = attrs.field(default=(), validator=_texts)
    pregnancy_note: str | None = attrs.field(default=None, validator=_pregnancy_note)

    def sources_of(self, field: str) -> tuple[str, ...]:
        """The resources ``field`` (``"weight"``, ``"phototherapy"``) was read from."""
        return tuple(resource for name, resource in self.sources if name == field)


def _checked_on(on: object) -> datetime.date:
    if isinstance(on, datetime.datetime) or not isinstance(on, datetime.date):
        raise ArgumentTypeError(
            "on",
            f"expected the date of the decision as a datetime.date (use .date() of a "
            f"datetime), got {shown(on)}",
        )
    return on


def _checked_within(within: object, argument: str = "weight_within") -> float:
    """``within`` (``weight_within`` or ``pregnancy_within``) in days, a time from 0 on.  A
    text (the default, ``"30 days"``) is parsed once: a service reads it on every request."""
    if isinstance(within, str):
        return _days_of_text(within, argument)
    return _days_within(within, argument)


@functools.lru_cache(maxsize=64)
def _days_of_text(text: str, argument: str) -> float:
    return _days_within(text, argument)


def _days_within(within: object, argument: str) -> float:
    registry, value = quantity_of(within, argument, "'30 days'")
    seconds = units_of(registry).seconds_per(value._units)
    magnitude = value.magnitude
    if seconds is None or isinstance(magnitude, bool) or not isinstance(magnitude, (int, float)):
        raise InputError(argument, f"expected one time such as '30 days', got {shown(within)}")
    days = as_float(magnitude) * seconds / 86_400.0
    longest = MAX_AGE_YEARS * 365.25
    if not 0 <= days <= longest:  # NaN fails too
        raise InputError(
            argument,
            f"expected a time from 0 days to {MAX_AGE_YEARS:g} years (the oldest age "
            f"accepted), got {shown(within)}",
        )
    return days


def _checked_pathways(pathways: object) -> dict[str | tuple[str, str], frozenset[Pathway]]:
    if pathways is None:
        return {}
    expected = (
        "a mapping of a medicine's name or code (or (system, code)) to a frozenset of Pathway"
    )
    if not isinstance(pathways, Mapping):
        raise ArgumentTypeError("pathways", f"expected {expected}, got {shown(pathways)}")
    checked: dict[str | tuple[str, str], frozenset[Pathway]] = {}
    for key, value in pathways.items():
        if isinstance(key, str) and key.strip():
            name: str | tuple[str, str] = key.strip().casefold()
        elif isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, str) for k in key):
            name = (key[0], key[1])
        else:
            raise ArgumentTypeError("pathways", f"expected {expected}; a key is {shown(key)}")
        if not isinstance(value, frozenset) or not all(isinstance(p, Pathway) for p in value):
            raise ArgumentTypeError(
                "pathways", f"expected {expected}; got {shown(value)}", shown(key)
            )
        checked[name] = checked.get(name, frozenset()) | value
    return checked


def _checked_phototherapy(phototherapy: object) -> dict[tuple[str, str], Phototherapy]:
    if phototherapy is None:
        return {}
    expected = "a mapping of (system, code) to a Phototherapy"
    if not isinstance(phototherapy, Mapping):
        raise ArgumentTypeError("phototherapy", f"expected {expected}, got {shown(phototherapy)}")
    checked = {}
    for key, value in phototherapy.items():
        if not (isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, str) for k in key)):
            raise ArgumentTypeError("phototherapy", f"expected {expected}; a key is {shown(key)}")
        if not isinstance(value, Phototherapy):
            raise ArgumentTypeError(
                "phototherapy", f"expected {expected}; got {shown(value)}", f"{key[0]}|{key[1]}"
            )
        checked[key] = value
    return checked


def read_patient(
    resources: Mapping[str, object] | Iterable[Mapping[str, object]],
    *,
    on: datetime.date,
    pathways: Mapping[str | tuple[str, str], frozenset[Pathway]] | None = None,
    phototherapy: Mapping[tuple[str, str], Phototherapy] | None = None,
    weight_within: QuantityLike = DEFAULT_WEIGHT_WITHIN,
    pregnancy_within: QuantityLike = DEFAULT_PREGNANCY_WITHIN,
    version: FhirVersion | None = None,
    partial_birth_date: Literal["refuse", "youngest"] = "refuse",
    excluding: Drug | str | None = None,
) -> PatientRecord:
    """The patient of a health record's resources, on the date ``on`` of the decision.

    ``resources`` is a ``Bundle`` (type ``searchset``, as ``Patient/$everything`` or a
    search returns it, ``collection`` or ``document``) or an iterable of resources, FHIR
    R4, R4B or R5 (told by their shapes, or by ``version``).  It must hold one
    ``Patient``; every resource that names a subject must name that patient (by a
    reference, or by an identifier, system and value, that the ``Patient`` lists).

    * **age** at ``on`` from ``Patient.birthDate``.  A partial date (``1990``,
      ``1990-05``) is refused, unless ``partial_birth_date="youngest"``: then the latest
      day it may mean is taken (the youngest age the patient may be), a choice of this
      library the record's ``notes`` state.
    * **weight**: the latest ``Observation`` LOINC ``29463-7`` or ``3141-9`` with status
      ``final``, ``amended`` or ``corrected``, effective at or before ``on`` and not more
      than ``weight_within`` before it (default :data:`DEFAULT_WEIGHT_WITHIN`, a choice of
      this library, not a guideline number), an ``effectivePeriod`` counting at its end;
      its ``valueQuantity`` in a UCUM mass, read only for the weights that may be the
      latest (one without a value, a ``dataAbsentReason``, leaves it to the others).  An
      ``Observation`` with a ``focus`` on another (a fetus, a newborn, a donor) is not the
      patient's: it is not used, and the notes say so when it might be the latest.
      None → :class:`~ae_systemic.DataError` saying what was found and why not used.
    * **pregnancy**: the latest standing ``Observation`` LOINC ``82810-3`` at or before
      ``on``, valued SNOMED CT ``77386006`` (pregnant) or ``60001007`` (not pregnant).
      Absent (or valued otherwise) → ``pregnancy_known`` is ``False``, and the notes say
      why; so is a "not pregnant" when a later status that cannot stand (``preliminary``,
      ``registered``..., or with a ``focus`` on another; not ``entered-in-error`` or
      ``cancelled``) at or before ``on`` does not say "not pregnant" too.  A later status
      that cannot stand never overturns a standing "pregnant".  A "not pregnant" more
      than ``pregnancy_within`` before ``on`` (default :data:`DEFAULT_PREGNANCY_WITHIN`, a
      choice of this library, not a guideline number) is not known either: it says
      nothing of a pregnancy begun since.  A "pregnant" of any age is read.
    * **co-medications**: active ``MedicationRequest`` s and ``MedicationStatement`` s
      (R4 ``active``, R5 ``recorded`` without an ``adherence.code`` of not taking it:
      ``not-taking``, ``stopped``, ``on-hold`` and the codes under them; not those whose
      ``effectivePeriod`` surely ended before ``on``: a date-time end on the later of its
      date as written and its date in UTC), named by their text or coding display (or
      their ``Medication``'s ingredients), each once; their pathways only
      from the caller's ``pathways`` (name, bare code or ``(system, code)`` → frozenset of
      :class:`~ae_systemic.Pathway`; the union where several keys match): the guideline
      lists no substrates, and the library ships none.  A medicine that
      :func:`drug_for` finds to be ``excluding`` (the drug being assessed) is left out.
    * **phototherapy**: ``ServiceRequest`` s (``active``, ``on-hold``, not
      ``doNotPerform``) and ``Procedure`` s (``preparation``, ``in-progress``,
      ``on-hold``) whose code the caller maps in ``phototherapy`` (``(system, code)`` →
      :class:`~ae_systemic.Phototherapy`); the library ships no code list.

    Anything malformed (not a dict, a wrong ``resourceType``, a string where a number
    belongs, a date that does not parse, a period that ends before it starts, a resource
    dated in two forms of ``effective[x]``, a second ``Patient``, two different resources
    of one type and id, one page of a paged search (a ``next``, ``previous`` or ``prev``
    link, or a ``total`` above the entries held), a ``Bundle`` inside the input, a DSTU2
    resource, R4 and R5 shapes mixed, more than :data:`MAX_RESOURCES` resources),
    and a ``modifierExtension`` on a resource whose facts are read or on an element read
    (this library understands none, and FHIR forbids reading them as if it were absent) →
    :class:`~ae_systemic.DataError` with the path of the element.  Identical copies of a
    resource are read once.  Keyword arguments of the
    wrong type → :class:`~ae_systemic.ArgumentTypeError`; unusable ones →
    :class:`~ae_systemic.InputError`.
    """
    day = _checked_on(on)
    within = _checked_within(weight_within)
    pregnancy_days = _checked_within(pregnancy_within, "pregnancy_within")
    mapped_pathways = _checked_pathways(pathways)
    mapped_phototherapy = _checked_phototherapy(phototherapy)
    versions = _Versions(_checked_version(version))
    if partial_birth_date not in _PARTIAL_CHOICES:
        raise InputError(
            "partial_birth_date",
            f"expected 'refuse' or 'youngest', got {shown(partial_birth_date)}",
        )
    left_out = None if excluding is None else resolve_drug(excluding, "excluding")
    root, entries = _entries(resources)
    reader = _Reader(root, entries, day, versions)
    age, age_source, notes = reader.age(partial_birth_date)
    weight, weight_source, weight_notes = reader.weight(within)
    notes += weight_notes
    pregnant, pregnancy_source, pregnancy_note = reader.pregnancy(pregnancy_days)
    medications, medication_sources, left = reader.co_medications(mapped_pathways, left_out)
    planned, planned_sources = reader.phototherapy(mapped_phototherapy)
    sources: list[_Source] = [("age", age_source), ("weight", weight_source)]
    if pregnancy_note is not None:
        notes.append(pregnancy_note)
    elif pregnancy_source is not None:
        sources.append(("pregnant", pregnancy_source))
    sources += medication_sources
    sources += [("phototherapy", label) for label in planned_sources]
    notes += left
    patient = Patient(
        age=age,
        weight=weight,
        pregnant=bool(pregnant),
        phototherapy=planned,
        co_medications=medications,
    )
    return PatientRecord(
        patient, pregnant is not None, tuple(sources), tuple(notes), pregnancy_note
    )


@attrs.frozen
class _Candidate:
    when: _When
    entry: _Entry


class _Reader:
    """The resources of one input, sorted by kind, read against one patient and one date."""

    def __init__(
        self, root: str, entries: list[_Entry], on: datetime.date, versions: _Versions
    ) -> None:
        self.root = root
        self.on = on
        self.versions = versions
        self.by_kind: dict[str, list[_Entry]] = {}
        self.medications = _medication_index(entries)
        first: dict[tuple[str, str], _Entry] = {}
        for entry in entries:
            resource_id = entry.resource.get("id")
            if entry.kind in _KINDS_READ and isinstance(resource_id, str) and resource_id:
                known = first.setdefault((entry.kind, resource_id), entry)
                if known is not entry:
                    if not _same(known.resource, entry.resource):
                        _copies_differ(entry.label, known.path, entry.path)
                    continue  # the same resource twice (a search may return it so): read once
            self.by_kind.setdefault(entry.kind, []).append(entry)
        patients = self.by_kind.get("Patient", [])
        if not patients:
            _fail(root, "no Patient resource: the record's patient is needed for the age")
        if len(patients) > 1:
            _fail(
                patients[1].path,
                f"a second Patient ({patients[1].label}, after {patients[0].label}): the "
                "input is one patient's record",
            )
        self.patient = patients[0]
        patient_id = self.patient.resource.get("id")
        self.aliases: set[str] = set()
        if self.patient.full_url:
            self.aliases.add(self.patient.full_url)
        if isinstance(patient_id, str) and patient_id:
            self.aliases.add(f"Patient/{patient_id}")
        self.patient_id = patient_id if isinstance(patient_id, str) else None

    def located(self, entry: _Entry) -> contextlib.AbstractContextManager[None]:
        return _located("", entry.label)

    def check_subject(self, entry: _Entry, key: str = "subject") -> None:
        """A resource naming another subject than the patient is refused."""
        subject = _optional_object(entry.resource, key, entry.path, "a Reference")
        if subject is None:
            return
        where = join_path(entry.path, key)
        reference = _string(subject, "reference", where)
        if reference is None:
            self.check_identifier(subject, where)
            return
        if names_patient(reference, self.patient_id, self.aliases):
            return
        _fail(
            join_path(entry.path, f"{key}.reference"),
            f"{shown(reference)} is not the record's patient ({self.patient.label}): the "
            "input is one patient's record",
        )

    def check_identifier(self, subject: _Json, path: str) -> None:
        """A subject given by an identifier alone must be one of the patient's identifiers.

        A subject with neither reference nor identifier (a display alone) is accepted.
        """
        identifier = _optional_object(subject, "identifier", path, "an Identifier")
        if identifier is None:
            return
        where = join_path(path, "identifier")
        system = _string(identifier, "system", where)
        value = _string(identifier, "value", where)
        if system is not None and value is not None and (system, value) in self.identifiers:
            return
        of_system = "without a system" if system is None else f"of system {shown(system, 200)}"
        _fail(  # the value (another person's number, perhaps) is not repeated in the message
            where,
            f"this identifier {of_system} is none of the identifiers of the record's patient "
            f"({self.patient.label}): the input is one patient's record; refer to the patient "
            "with subject.reference, or give one of its identifiers (system and value)",
        )

    @functools.cached_property
    def identifiers(self) -> frozenset[tuple[str, str]]:
        """The patient's identifiers (system, value); malformed ones match nothing."""
        raw = self.patient.resource.get("identifier")
        found = set()
        for item in raw[:_MAX_ITEMS] if isinstance(raw, (list, tuple)) else ():
            if isinstance(item, Mapping):
                system, value = item.get("system"), item.get("value")
                if isinstance(system, str) and isinstance(value, str):
                    found.add((system, value))
        return frozenset(found)

    # -- age

    def age(self, partial: str) -> tuple[pint.Quantity[float], str, list[str]]:
        entry = self.patient
        path = join_path(entry.path, "birthDate")
        notes: list[str] = []
        with self.located(entry):
            _unmodified(entry.resource, entry.path, "resource")
            if "birthDate" not in entry.resource:
                _fail(path, "missing: the age cannot be known without the birth date")
            text = entry.resource["birthDate"]
            born = _date(text, path, times=False)
            if born.first != born.last:
                if partial != "youngest":
                    _fail(
                        path,
                        f"{text!r} is a partial date: it gives no exact age at {self.on}; "
                        "give the full date, or pass partial_birth_date='youngest' to read it "
                        "as its latest day (the youngest age the patient may be)",
                    )
                if born.first > self.on:
                    _fail(path, f"{text!r} is after the date of the decision, {self.on}")
                birth = min(born.last, self.on)
                notes.append(
                    f"age from the partial birth date {text!r} read as {birth.isoformat()}, the "
                    "youngest the patient may be (partial_birth_date='youngest', a choice of "
                    "this library)"
                )
            else:
                birth = born.first
            if birth > self.on:
                _fail(path, f"{text!r} is after the date of the decision, {self.on}")
            years = _years_between(birth, self.on)
            age: pint.Quantity[float] = application_registry().Quantity(years, "year")
            try:
                checked_age(age)
            except ArgumentError as error:
                _argument_problem(error, {"age": path})
        return age, entry.label, notes

    # -- weight

    def observations(self, codes: Iterable[str]) -> Iterator[tuple[_Entry, str]]:
        """Observations coded with one of the LOINC ``codes``, with their status."""
        wanted = set(codes)
        for entry in self.by_kind.get("Observation", []):
            with self.located(entry):
                code = _optional_object(entry.resource, "code", entry.path, "a CodeableConcept")
                if not _has_code(code, join_path(entry.path, "code"), LOINC_SYSTEM, wanted):
                    continue
                _unmodified(entry.resource, entry.path, "resource")
                status = _string(entry.resource, "status", entry.path)
                if status is None:
                    _fail(join_path(entry.path, "status"), "missing: an Observation has a status")
                self.check_subject(entry)
            yield entry, status

    def about_another(self, entry: _Entry) -> bool:
        """Whether an Observation has a ``focus`` other than the patient: it is about another.

        FHIR: the focus is who or what the observation is about when that is not the
        subject (a fetus, a newborn, a donor); its value is not the patient's.  A focus that
        names the patient herself (by reference) changes nothing.
        """
        for where, item in _items(entry.resource, "focus", entry.path):
            focus = _object(item, where, "a Reference")
            reference = _string(focus, "reference", where)
            if reference is None or not names_patient(reference, self.patient_id, self.aliases):
                return True
        return False

    def weight(self, within_days: float) -> tuple[pint.Quantity[float], str, list[str]]:
        """The latest body weight, the resource it is read from, and notes: the weights
        about another than the patient (a ``focus``) that might be later, left out."""
        pending: list[_Candidate] = []
        skipped: dict[str, int] = {}
        focused: list[tuple[_Entry, _When | None]] = []

        def skip(why: str, count: int = 1) -> None:
            skipped[why] = skipped.get(why, 0) + count

        provisional: list[_Entry] = []
        for entry, status in self.observations(_WEIGHT_CODES):
            if status not in _STANDING:
                skip(f"status {status}")
                if status == "preliminary":
                    provisional.append(entry)
                continue
            with self.located(entry):
                if self.about_another(entry):
                    skip(_FOCUS)
                    focused.append((entry, _effective(entry.resource, entry.path)))
                    continue
                when = _dated(entry.resource, entry.path, "a body weight")
                if when.holds(self.on):
                    _undecided(entry, when, "a body weight", self.on)
            if when.after(self.on):
                skip(f"after {self.on}")
            elif when.days_before(self.on) > within_days and not (
                # a month or year whose last days are within: it may be, and the latest
                when.instant is None and (self.on - when.last).days <= within_days
            ):
                skip("older")
            else:
                pending.append(_Candidate(when, entry))
        # Only the weights that may be the latest are read: an older one that cannot be read
        # (an inexact '<70 kg') does not stand in the way of a newer one.  One without a
        # value (a dataAbsentReason) leaves the latest to the others.
        values: dict[str, tuple[pint.Quantity[float], float]] = {}
        possible: list[_Candidate] = []
        while pending:
            possible = _may_be_latest(pending)
            absent = []
            for candidate in possible:
                if candidate.entry.path not in values:
                    with self.located(candidate.entry):
                        found = self.weight_value(candidate.entry)
                    if found is None:
                        absent.append(candidate.entry.path)
                    else:
                        values[candidate.entry.path] = found
            if not absent:
                break
            skip("without a value (a dataAbsentReason)", len(absent))
            pending = [c for c in pending if c.entry.path not in absent]
        if not pending:
            self.no_weight(within_days, skipped)
        chosen = _latest([(c, values[c.entry.path][1]) for c in possible], "body weights")
        # They agree: one surely within the window stands for them all, whatever their order.
        within = [c for c in possible if c.when.days_before(self.on) <= within_days]
        chosen = within[0] if within else chosen
        if chosen.when.days_before(self.on) > within_days:  # a month or year, partly within
            _fail(
                join_path(chosen.entry.path, "effective[x]"),
                f"{chosen.entry.label}: a body weight dated only to the {_span(chosen.when)} "
                f"may be more than {within_days:g} days before {self.on}, or not; give its full "
                "date",
            )
        for entry in provisional:
            self.check_provisional(entry, chosen, values[chosen.entry.path][1])
        notes = [
            f"{entry.label}, a body weight {_FOCUS}, is not the patient's: not used"
            for entry, when in focused
            if when is None or (not when.after(self.on) and not when.surely_before(chosen.when))
        ]
        return values[chosen.entry.path][0], chosen.entry.label, notes

    def check_provisional(self, entry: _Entry, chosen: _Candidate, kg: float) -> None:
        """A refusal when a preliminary weight of the patient, later than the ``chosen`` one
        (whose value is ``kg``), says another weight: which one is current is not known.

        A preliminary status does not stand for the patient's weight (it is not read), but
        a later one that differs says the standing one may be out of date, as a later
        preliminary "pregnant" makes a "not pregnant" not known.
        """
        with self.located(entry):
            if self.about_another(entry):
                return
            when = _effective(entry.resource, entry.path)
            if when is not None and (
                (when.after(self.on) and not when.holds(self.on)) or when.surely_before(chosen.when)
            ):
                return
            try:
                found = self.weight_value(entry)
                if found is None or abs(found[1] - kg) <= 1e-9 * max(abs(found[1]), abs(kg)):
                    return  # no value (a dataAbsentReason), or the same weight (as _latest)
            except DataError:
                pass  # a later weight that cannot be read differs too
            _fail(
                join_path(entry.path, "status"),
                f"a body weight with status 'preliminary', "
                f"{'undated, beside' if when is None else 'no earlier than'} the latest final "
                f"one, {chosen.entry.label}, gives another value: which one is current cannot "
                "be known; make it final, or mark the one that is wrong entered-in-error",
            )

    def weight_value(self, entry: _Entry) -> tuple[pint.Quantity[float], float] | None:
        resource, path = entry.resource, entry.path
        if "valueQuantity" not in resource:
            if "dataAbsentReason" in resource:
                return None  # no value, for a stated reason: not a weight
            others = [k for k in _keys(resource) if k.startswith("value")]
            where = join_path(path, others[0] if others else "valueQuantity")
            components = "" if others or "component" not in resource else " (not a component)"
            _fail(where, f"a body weight is read from valueQuantity{components}, in a UCUM mass")
        where = join_path(path, "valueQuantity")
        unit, magnitude = read_unit(resource["valueQuantity"], where)
        if unit.kind != MASS:
            _fail(
                f"{where}.code",
                f"{unit.code!r} is a {unit.kind}, not a mass: a body weight is in kg, g, "
                "[lb_av], [oz_av] or [stone_av]",
            )
        weight = _in_registry(magnitude, unit)
        try:
            _, kg = checked_weight(weight)
        except ArgumentError as error:
            _argument_problem(error, {"weight": f"{where}.value"})
        return weight, kg

    def no_weight(self, within_days: float, skipped: Mapping[str, int]) -> NoReturn:
        try:
            earliest = self.on - datetime.timedelta(days=int(within_days))
        except OverflowError:
            earliest = datetime.date.min
        reasons = dict(skipped)
        components = self.weights_in_components()
        if components:
            reasons["in a component of another Observation (components are not read)"] = components
        seen = "; ".join(f"{count} {why}" for why, count in sorted(reasons.items()))
        found = f" (body weights not used: {seen})" if seen else " (none found)"
        _fail(
            self.root,
            "no body weight: no Observation LOINC 29463-7 or 3141-9 with status final, "
            f"amended or corrected, dated from {earliest} to {self.on}{found}; record a "
            f"current weight{OLDER_WEIGHT_ADVICE}",
        )

    def weights_in_components(self) -> int:
        """How many Observations not coded as a body weight hold one in a ``component``.

        Read only to say why no weight was found; a malformed element counts for nothing.
        """
        count = 0
        for entry in self.by_kind.get("Observation", []):
            resource = entry.resource
            if _loosely_coded(resource.get("code"), _WEIGHT_CODES):
                continue  # a weight itself: counted where it is read
            components = resource.get("component")
            if isinstance(components, (list, tuple)) and any(
                isinstance(c, Mapping) and _loosely_coded(c.get("code"), _WEIGHT_CODES)
                for c in components[:_MAX_ITEMS]
            ):
                count += 1
        return count

    def is_left_out(self, entry: _Entry, names: _Names, left_out: Drug, notes: list[str]) -> bool:
        """Whether a medicine is the drug assessed (``excluding``).  One whose codes and texts
        name different medicines is read as a co-medication, and a note says so: refusing
        the record would leave the patient's other facts unread."""
        try:
            return _is_drug(_drug_in(names, {}), left_out)
        except AmbiguousDrugError:
            notes.append(
                f"{entry.label}: its codes and texts name different medicines, "
                f"{left_out.name} among them; read as a co-medication, not as {left_out.name}"
            )
            return False

    # -- pregnancy

    def pregnancy(self, within_days: float) -> tuple[bool | None, str | None, str | None]:
        """The pregnancy status, the resource it is read from, and a note when not known.

        A "not pregnant" more than ``within_days`` before ``on`` is not known.

        The latest standing status (final, amended, corrected) at or before ``on``, about
        the patient (no ``focus`` on another); a "not pregnant" is not known when a later
        status that cannot stand (preliminary..., or about another: a fetus) does not say
        "not pregnant" too (it says pregnant, is coded otherwise, or has a value of another
        form).  A later status saying "not pregnant" does not overturn a standing
        "pregnant".
        """
        candidates: list[tuple[_Candidate, float]] = []
        values: dict[str, bool | None] = {}
        others: list[tuple[_Entry, str, _When | None, bool | None]] = []
        unread: list[str] = []
        for entry, status in self.observations([_PREGNANCY_CODE]):
            if status in _VOID:
                continue
            with self.located(entry):
                focus = self.about_another(entry)
                if focus or status not in _STANDING:
                    # it cannot stand for the patient's status, but may say otherwise
                    shown_status = f"{status}, {_FOCUS}" if focus else status
                    when = _effective(entry.resource, entry.path)
                    if when is None or not when.after(self.on) or when.holds(self.on):
                        said = self.pregnancy_value(entry)
                        if not any(k.startswith("value") for k in _keys(entry.resource)):
                            unread.append(f"{entry.label} (status {shown_status}, no value)")
                        else:
                            others.append((entry, shown_status, when, said))
                    continue
                when = _dated(entry.resource, entry.path, "a pregnancy status")
                if when.holds(self.on):
                    _undecided(entry, when, "a pregnancy status", self.on)
                if when.after(self.on):
                    continue
                value = self.pregnancy_value(entry)
            values[entry.path] = value
            candidates.append((_Candidate(when, entry), {True: 1.0, False: 0.0, None: -1.0}[value]))
        if not candidates:
            unread += [f"{e.label} (status {status}, {_said(v)})" for e, status, _, v in others]
            standing = " with status final, amended or corrected" if unread else ""
            more = f" (not used: {_listed(unread)})" if unread else ""
            return (
                None,
                None,
                (
                    f"no pregnancy status (Observation LOINC {_PREGNANCY_CODE}){standing} at or "
                    f"before {self.on}: not known{more}"
                ),
            )
        chosen = _latest(candidates, "pregnancy statuses")
        value, label = values[chosen.entry.path], chosen.entry.label
        if value is None:
            return (
                None,
                label,
                (
                    f"the latest pregnancy status, {label}, is coded neither pregnant "
                    f"({_PREGNANT}) nor not pregnant ({_NOT_PREGNANT}): not known"
                ),
            )
        # Only a status saying she may be pregnant overturns a "not pregnant": a status that
        # cannot stand saying "not pregnant" leaves a standing "pregnant" as it is.
        contradicting = [
            f"{entry.label} (status {status}, {_said(said)}"
            + (", undated)" if when is None else ")")
            for entry, status, when, said in others
            if value is False
            and said is not False
            and (when is None or not when.surely_before(chosen.when))
        ]
        if contradicting:
            return (
                None,
                None,
                (
                    f"the latest standing pregnancy status (final, amended or corrected), {label} "
                    f"({_said(value)}), is contradicted by a later one: {_listed(contradicting)}: "
                    "not known"
                ),
            )
        if value is False and chosen.when.days_before(self.on) > within_days:
            return (
                None,
                None,
                (
                    f"the latest pregnancy status, {label} (not pregnant), is of "
                    f"{chosen.when.first}, more than {within_days:g} days before {self.on}: "
                    "not known (it says nothing of a pregnancy begun since)"
                ),
            )
        return value, label, None

    def pregnancy_value(self, entry: _Entry) -> bool | None:
        resource, path = entry.resource, entry.path
        concept = _optional_object(resource, "valueCodeableConcept", path, "a CodeableConcept")
        if concept is None:
            return None  # no coded value (a dataAbsentReason): not known
        where = join_path(path, "valueCodeableConcept")
        pregnant = _has_code(concept, where, SNOMED_SYSTEM, [_PREGNANT])
        not_pregnant = _has_code(concept, where, SNOMED_SYSTEM, [_NOT_PREGNANT])
        if pregnant and not_pregnant:
            _fail(where, "coded both pregnant (77386006) and not pregnant (60001007)")
        return True if pregnant else False if not_pregnant else None

    # -- co-medications

    def co_medications(
        self, pathways: Mapping[str | tuple[str, str], frozenset[Pathway]], left_out: Drug | None
    ) -> tuple[tuple[CoMedication, ...], list[_Source], list[str]]:
        named: dict[str, tuple[str, frozenset[Pathway], list[str]]] = {}
        notes: list[str] = []
        for kind in _MEDICATION_KINDS:
            for entry in self.by_kind.get(kind, []):
                with self.located(entry):
                    _unmodified(entry.resource, entry.path, "resource")
                    names = _names_of(entry, self.resolve, self.versions)
                    if not self.active(entry):
                        continue
                    self.check_subject(entry)
                    if left_out is not None and self.is_left_out(entry, names, left_out, notes):
                        notes.append(
                            f"{entry.label} ({left_out.name}) is the drug assessed, not a "
                            "co-medication"
                        )
                        continue
                    name, keys = _medicine(names)
                found = frozenset().union(*(pathways.get(k, frozenset()) for k in keys))
                key = name.casefold()
                if key in named:
                    first, known, labels = named[key]
                    named[key] = (first, known | found, [*labels, entry.label])
                else:
                    named[key] = (name, found, [entry.label])
        medications = tuple(CoMedication(name, found) for name, found, _ in named.values())
        sources = [
            (f"co_medications[{i}]", label)
            for i, (_, _, labels) in enumerate(named.values())
            for label in labels
        ]
        return medications, sources, notes

    def active(self, entry: _Entry) -> bool:
        resource, path = entry.resource, entry.path
        status = _string(resource, "status", path)
        if status is None:
            _fail(join_path(path, "status"), f"missing: a {entry.kind} has a status")
        if entry.kind == "MedicationRequest":
            return status == "active" and not _flag(resource, "doNotPerform", path)
        wanted = "recorded" if self.versions.version == "R5" else "active"
        if status != wanted:
            return False
        _one_effective(resource, path, _STATEMENT_EFFECTIVE)
        adherence = _optional_object(resource, "adherence", path, "an adherence (R5)")
        if adherence is not None:
            where = join_path(path, "adherence")
            code = _optional_object(adherence, "code", where, "a CodeableConcept")
            if _has_code(code, join_path(where, "code"), _ADHERENCE_SYSTEM, _NOT_TAKEN):
                return False  # recorded as not taken: stopped, on hold
        period = _effective_period(resource, path)
        end = None if period is None else period[1]
        return end is None or not end.before(self.on)

    def resolve(self, reference: str) -> tuple[_Json, str] | None:
        return self.medications.resolve(reference)

    # -- phototherapy

    def phototherapy(
        self, mapping: Mapping[tuple[str, str], Phototherapy]
    ) -> tuple[frozenset[Phototherapy], list[str]]:
        planned: set[Phototherapy] = set()
        labels: list[str] = []
        for kind, statuses in _PLANNED.items():
            for entry in self.by_kind.get(kind, []):
                with self.located(entry):
                    concept, where, shape = _service_code(entry)
                    self.versions.saw(shape, where)
                    status = _string(entry.resource, "status", entry.path)
                    if concept is None:
                        continue
                    found = {
                        mapping[(c.system, c.code)]
                        for c in _codings(concept, where)
                        if c.system is not None
                        and c.code is not None
                        and (c.system, c.code) in mapping
                    }
                    if not found:
                        continue
                    _unmodified(entry.resource, entry.path, "resource")
                    if status not in statuses or (
                        kind == "ServiceRequest"
                        and _flag(entry.resource, "doNotPerform", entry.path)
                    ):
                        continue  # not planned: done, cancelled, or an order not to perform it
                    self.check_subject(entry)
                planned |= found
                labels.append(entry.label)
        return frozenset(planned), labels


def _keys(value: Mapping[Any, object]) -> list[str]:
    """The keys of a JSON object that are strings (a caller's Mapping may hold others)."""
    return [key for key in value if isinstance(key, str)]


def _said(value: bool | None) -> str:
    """What a pregnancy status says, in words."""
    if value is None:
        return "coded neither pregnant nor not pregnant"
    return "pregnant" if value else "not pregnant"


def _listed(items: Sequence[str], most: int = 3) -> str:
    """``items`` joined with commas, the first ``most`` of them and how many more."""
    shown_items = ", ".join(items[:most])
    return shown_items + (f" and {len(items) - most} more" if len(items) > most else "")


def _loosely_coded(concept: object, codes: Collection[str]) -> bool:
    """Whether a CodeableConcept holds a LOINC coding of ``codes``; malformed is not."""
    codings = concept.get("coding") if isinstance(concept, Mapping) else None
    return isinstance(codings, (list, tuple)) and any(
        isinstance(c, Mapping)
        and c.get("system") == LOINC_SYSTEM
        and isinstance(c.get("code"), str)
        and c["code"] in codes
        for c in codings[:_MAX_ITEMS]
    )


def _is_drug(found: Drug | None, drug: Drug) -> bool:
    return found is not None and found.name == drug.name


@attrs.frozen
class _MedicationIndex:
    """The ``Medication`` s of an input by ``fullUrl`` and ``Medication/id``."""

    by_alias: dict[str, _Entry]

    def resolve(self, reference: str) -> tuple[_Json, str] | None:
        """The ``Medication`` a reference names, also with a version (``.../_history/2``)."""
        found = self.by_alias.get(reference)
        if found is None:
            reference = unversioned(reference)
            found = self.by_alias.get(reference)
        if found is None and "/Medication/" in reference:
            found = self.by_alias.get("Medication/" + reference.rsplit("/Medication/", 1)[1])
        return None if found is None else (found.resource, found.path)


def _medication_index(entries: Iterable[_Entry]) -> _MedicationIndex:
    """The ``Medication`` s among ``entries``; two different ones under one name are refused."""
    by_alias: dict[str, _Entry] = {}
    for entry in entries:
        if entry.kind == "Medication":
            for alias in _aliases(entry):
                known = by_alias.setdefault(alias, entry)
                if not _same(known.resource, entry.resource):
                    _copies_differ(alias, known.path, entry.path)
    return _MedicationIndex(by_alias)


def _aliases(entry: _Entry) -> list[str]:
    aliases = [entry.full_url] if entry.full_url else []
    resource_id = entry.resource.get("id")
    if isinstance(resource_id, str) and resource_id:
        aliases.append(f"{entry.kind}/{resource_id}")
    return aliases


def _medicine(names: _Names) -> tuple[str, list[str | tuple[str, str]]]:
    """The name of a medicine (text, display, or code) and the keys to find its pathways.

    A medicine named by its ingredients alone (a ``Medication`` without a code, referred to
    without a display) is called by them, joined with " + ".
    """
    keys: list[str | tuple[str, str]] = []
    texts: list[str] = []
    codes: list[str] = []
    for concept, path in names.concepts:
        found_texts, found_codes = _concept_names(concept, path, keys)
        texts += found_texts
        codes += found_codes
    given = [text.strip() for text, _ in names.texts if text.strip()]
    keys += [text.casefold() for text in given]
    texts += given
    by_ingredient = []
    for concept, path in names.ingredients:
        found_texts, found_codes = _concept_names(concept, path, keys)
        by_ingredient += (found_texts or found_codes)[:1]
    if texts:
        return texts[0], keys
    if codes:
        return codes[0], keys
    if by_ingredient:
        return " + ".join(by_ingredient), keys
    _fail(
        names.where,
        "the medicine has no text, display or code to name it by: give it a text or a coding",
    )


def _concept_names(
    concept: _Json, path: str, keys: list[str | tuple[str, str]]
) -> tuple[list[str], list[str]]:
    """The texts (text, displays) and codes (``system|code``) of a concept; its keys added."""
    texts: list[str] = []
    codes: list[str] = []
    text = _string(concept, "text", path)
    if text and text.strip():
        texts.append(text.strip())
    for coding in _codings(concept, path):
        if coding.display and coding.display.strip():
            texts.append(coding.display.strip())
        if coding.code:
            keys.append(coding.code.strip().casefold())
            if coding.system:
                keys.append((coding.system, coding.code))
                codes.append(f"{coding.system}|{coding.code}")
    keys += [text.casefold() for text in texts]
    return texts, codes


def _may_be_latest(candidates: Sequence[_Candidate]) -> list[_Candidate]:
    """The candidates no other is surely later than: each may be the latest.

    One candidate is surely later than another when both have a time and its instant is later
    (time zones included), or when its days all come after the other's days (a date, a partial
    date, or a date-time's own date as written).  When time zones order them in a circle, none
    is surely the latest: all are returned.
    """
    dates = [c.when for c in candidates]
    starts = [w.first for w in dates if w.instant is None]
    timed = [w for w in dates if w.instant is not None]
    last_start = max(starts, default=None)  # no candidate of whole days starts later
    last_timed_day = max((w.last for w in timed), default=None)
    last_instant = max((w.instant for w in timed if w.instant is not None), default=None)

    def may_be_latest(when: _When) -> bool:
        if last_start is not None and when.last < last_start:
            return False  # a date wholly after its days
        if when.instant is None:
            return last_timed_day is None or when.last >= last_timed_day
        return when.instant == last_instant

    return [c for c in candidates if may_be_latest(c.when)] or list(candidates)


def _latest(candidates: Sequence[tuple[_Candidate, float]], plural: str) -> _Candidate:
    """The latest candidate; candidates that may each be the latest and disagree are refused.

    ``plural`` names the candidates in the message (``"pregnancy statuses"``).  Which may be
    the latest: :func:`_may_be_latest`.  They must agree, as the library never guesses.
    """
    latest = {id(c) for c in _may_be_latest([c for c, _ in candidates])}
    possible = [(c, v) for c, v in candidates if id(c) in latest]
    first_value = possible[0][1]
    if any(abs(v - first_value) > 1e-9 * max(abs(v), abs(first_value)) for _, v in possible):
        labels = ", ".join(c.entry.label for c, _ in possible)
        first = min(c.when.first for c, _ in possible)
        last = max(c.when.last for c, _ in possible)
        days = f"on {last}" if first == last else f"from {first} to {last}"
        _fail(
            possible[0][0].entry.path,
            f"the latest {plural} ({labels}, {days}) disagree and their times do not order "
            "them; correct the one that is wrong",
        )
    return possible[0][0]


def _years_between(birth: datetime.date, on: datetime.date) -> float:
    """Completed years from ``birth`` to ``on``, plus the part of the year begun.

    A birthday on 29 February falls on 1 March in other years.
    """
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    last = _anniversary(birth, birth.year + years)
    following = _anniversary(birth, birth.year + years + 1)
    return years + (on - last).days / (following - last).days


def _anniversary(birth: datetime.date, year: int) -> datetime.date:
    try:
        return birth.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return datetime.date(year, 3, 1)
