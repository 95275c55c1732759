"""Hostile data packs: broken copies of the packaged content are refused, or load valid.

Each case starts from the packaged guideline as JSON-ready data (or a copy enriched
with every optional dose shape: fixed doses, weight bands, a loading dose, a weekly
rate, a dose on a comparison arm), applies one to four mutations at random places
and reads the result: mostly in memory with ``structure(data, Guideline)``, one case
in five from a file with ``load_guideline``.  The mutations: a key removed, an
unknown key added, a value replaced (null, NaN, infinities, 1e308, 10**400, an empty
or a 10 000-character string, a value of another JSON type, a list nested 200 deep),
a unit field given a unit pint reads but the allow-lists do not have (``1/d``,
``mg/kg/d``...), and a range turned upside down (low and high swapped).

Contract: the outcome is either a valid :class:`~ae_systemic.Guideline` (doses
positive and finite, low <= high, equal after a round trip through ``unstructure``
and ``structure``, every given value kept as given) or a
:class:`~ae_systemic.DataError` whose paths are non-empty and whose ``file`` names
the file; no other exception; and data that is junk on its face (a non-finite
number, an unknown key, a unit outside the allow-lists, a range inverted or not
positive) is never accepted.  An accepted pack must also be safe to use: every
public function given its drugs returns sound results or a documented error.

The default run tries ``DEFAULT_CASES`` cases; the full run (``-m hostile_full`` or
``AE_SYSTEMIC_HOSTILE_FULL=1``) tries ``FULL_CASES``.
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeGuard

import attrs
import pint
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ae_systemic
from ae_systemic import (
    AeSystemicError,
    Amount,
    CoMedication,
    DataError,
    DoseRate,
    Guideline,
    Pathway,
    Patient,
    Phase,
    Phototherapy,
    Population,
    load_guideline,
    structure,
    unstructure,
)
from ae_systemic._units import AMOUNT_UNITS, BODY_WEIGHT_UNITS, PERIOD_UNITS
from ae_systemic._validators import text_problem
from ae_systemic.fhir import to_bundle
from test_hostile_args import check_dose_plan, check_dose_range, check_result

APP: pint.UnitRegistry[float] = pint.get_application_registry()  # type: ignore[no-untyped-call]
Q = APP.Quantity

Step = str | int
Steps = tuple[Step, ...]

DEFAULT_CASES = 300
DOWNSTREAM_CASES = 120
FULL_CASES = 10_000
FILE_SHARE = 5  # one case in FILE_SHARE goes through a file

#: Keys this test adds; no model class has them, so a pack holding one must be refused.
HOSTILE_KEY = "__hostile__"
#: Unit strings pint reads that mean something else than the unit fields allow.
PINT_UNITS = ("1/d", "1/week", "mg", "kg/m**2", "mg/kg/d")
ALLOWED_UNITS = tuple(dict.fromkeys((*AMOUNT_UNITS, *BODY_WEIGHT_UNITS, *PERIOD_UNITS)))
UNIT_FIELDS: dict[str, tuple[str, ...]] = {
    "amount_unit": AMOUNT_UNITS,
    "body_weight_unit": BODY_WEIGHT_UNITS,
    "period": PERIOD_UNITS,
    "weight_unit": BODY_WEIGHT_UNITS,
}
RANGE_KEYS = (("low", "high"), ("ci_low", "ci_high"), ("min_weight", "max_weight"))


def _deep_list(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


#: Replacement values by name; each factory builds a fresh value.
VALUES: dict[str, Callable[[], object]] = {
    "null": lambda: None,
    "NaN": lambda: math.nan,
    "+inf": lambda: math.inf,
    "-inf": lambda: -math.inf,
    "1e308": lambda: 1e308,
    "-1e308": lambda: -1e308,
    "10**400": lambda: 10**400,
    "-10**400": lambda: -(10**400),
    "empty string": lambda: "",
    "10 000 characters": lambda: "x" * 10_000,
    "numeric string": lambda: "2.5",
    "list": lambda: [1, "two", None],
    "empty list": list,
    "object": lambda: {HOSTILE_KEY: 1},
    "empty object": dict,
    "true": lambda: True,
    "false": lambda: False,
    "zero": lambda: 0,
    "one": lambda: 1,
    "minus one": lambda: -1,
    "one half": lambda: 0.5,
    "nested 200 deep": lambda: _deep_list(200),
    **{f"unit {unit}": functools.partial(str, unit) for unit in PINT_UNITS},
}
KINDS = ("remove key", "add key", "replace value", "unit", "swap range")


# --- the documents --------------------------------------------------------------------------


def _enrich(document: dict[str, Any]) -> dict[str, Any]:
    """The packaged content with every optional dose shape filled in."""

    def fixed(low: float, high: float, unit: str = "mg") -> dict[str, Any]:
        return {
            "amount": {"low": low, "high": high, "unit": unit},
            "every": {"count": 1, "unit": "day"},
        }

    drug = document["drugs"][0]
    adult, acute, long_term, child = drug["regimens"]
    acute["loading"] = {"low": 100.0, "high": 200.0, "unit": "mg"}
    long_term.update(rate=None, doses_per_day=None, fixed=fixed(150.0, 150.0))
    child.update(
        rate=None,
        doses_per_day=None,
        bands=[
            {
                "dose": fixed(50.0, 75.0),
                "min_weight": None,
                "max_weight": 30.0,
                "weight_unit": "kg",
            },
            {
                "dose": fixed(0.1, 0.1, "g"),
                "min_weight": 30.0,
                "max_weight": None,
                "weight_unit": "kg",
            },
        ],
    )
    drug["regimens"].append(
        {
            **adult,
            "population": "child",
            "phase": "acute",
            "label": "weekly (hostile test)",
            "rate": {**adult["rate"], "low": 10.0, "high": 15.0, "period": "week"},
            "doses_per_day": None,
        }
    )
    drug["comparisons"][0]["intervention"]["dose"] = dict(adult["rate"])
    document["references"] = [drug["references"][0]]
    return document


@functools.cache
def base_texts() -> dict[str, str]:
    """The starting documents as JSON text (parsed afresh for every case)."""
    packaged = unstructure(ae_systemic.guideline())
    assert isinstance(packaged, dict)
    enriched = _enrich(json.loads(json.dumps(packaged)))
    return {"packaged": json.dumps(packaged), "enriched": json.dumps(enriched)}


def _places(value: object, prefix: Steps = ()) -> Iterator[Steps]:
    """Every path below ``value`` (not ``value`` itself)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _places(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from _places(item, (*prefix, index))


def _objects(value: object, prefix: Steps = ()) -> Iterator[Steps]:
    """The path of every object (``{...}``) in ``value``, ``value`` itself included."""
    if isinstance(value, dict):
        yield prefix
    if isinstance(value, (dict, list)):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            yield from _objects(item, (*prefix, key))


def _at(document: object, steps: Steps) -> Any:
    for step in steps:
        document = document[step]  # type: ignore[index]
    return document


def dotted(steps: Steps) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in steps).removeprefix(".")


# --- the mutations --------------------------------------------------------------------------


def mutate(data: st.DataObject, document: dict[str, Any]) -> str:
    """Apply one random mutation to ``document``; say what was done."""
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    objects = list(_objects(document))
    if kind == "remove key":
        where = data.draw(st.sampled_from([o for o in objects if _at(document, o)]))
        target = _at(document, where)
        key = data.draw(st.sampled_from(sorted(target)))
        del target[key]
        return f"removed {dotted((*where, key))}"
    if kind == "add key":
        where = data.draw(st.sampled_from(objects))
        name = data.draw(st.sampled_from(sorted(VALUES)))
        _at(document, where)[HOSTILE_KEY] = VALUES[name]()
        return f"added {dotted((*where, HOSTILE_KEY))} = {name}"
    if kind == "unit":
        units = [
            (*o, key) for o in objects for key in ("unit", *UNIT_FIELDS) if key in _at(document, o)
        ]
        if units:
            where = data.draw(st.sampled_from(units))
            unit = data.draw(st.sampled_from(PINT_UNITS + ALLOWED_UNITS))
            _at(document, where[:-1])[where[-1]] = unit
            return f"unit {dotted(where)} = {unit!r}"
    if kind == "swap range":
        ranges = [
            (o, low, high)
            for o in objects
            for low, high in RANGE_KEYS
            if {low, high} <= set(_at(document, o))
        ]
        if ranges:
            where, low, high = data.draw(st.sampled_from(ranges))
            target = _at(document, where)
            target[low], target[high] = target[high], target[low]
            return f"swapped {dotted((*where, low))} and {high}"
    places = list(_places(document))
    where = data.draw(st.sampled_from(places))
    name = data.draw(st.sampled_from(sorted(VALUES)))
    _at(document, where[:-1])[where[-1]] = VALUES[name]()
    return f"replaced {dotted(where)} with {name}"


#: Numbers that are valid JSON and finite, but extreme; for the cases that use accepted packs.
EXTREME_NUMBERS: dict[str, Callable[[], object]] = {
    "1e308": lambda: 1e308,
    "1e300": lambda: 1e300,
    "1e-300": lambda: 1e-300,
    "5e-324": lambda: 5e-324,
    "10**400": lambda: 10**400,
    "2**53 + 1": lambda: 2**53 + 1,
    "one": lambda: 1,
    "one half": lambda: 0.5,
    "seven": lambda: 7,
}


def mutate_numbers(data: st.DataObject, document: dict[str, Any]) -> str:
    """Mostly: replace a number with an extreme one (often accepted); else :func:`mutate`."""
    numbers = [p for p in _places(document) if _real(_at(document, p))]
    if not numbers or data.draw(st.integers(0, 9), label="any mutation") == 0:
        return mutate(data, document)
    where = data.draw(st.sampled_from(numbers))
    name = data.draw(st.sampled_from(sorted(EXTREME_NUMBERS)))
    _at(document, where[:-1])[where[-1]] = EXTREME_NUMBERS[name]()
    return f"replaced {dotted(where)} with {name}"


# --- what must be refused -------------------------------------------------------------------


def _real(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def junk(value: object, steps: Steps = ()) -> Iterator[str]:
    """Why ``value`` must be refused, whatever else is in it (possibly no reason)."""
    if isinstance(value, float) and not math.isfinite(value):
        yield f"{dotted(steps)}: the number {value}"
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from junk(item, (*steps, index))
    elif isinstance(value, dict):
        if HOSTILE_KEY in value:
            yield f"{dotted((*steps, HOSTILE_KEY))}: an unknown key"
        allowed = dict(UNIT_FIELDS)
        if "count" in value:
            allowed["unit"] = PERIOD_UNITS
        elif "low" in value or "high" in value:
            allowed["unit"] = AMOUNT_UNITS
        for key, units in allowed.items():
            if key in value and value[key] not in units:
                yield f"{dotted((*steps, key))}: the unit {value[key]!r}"
        yield from _bad_ranges(value, steps)
        for key, item in value.items():
            yield from junk(item, (*steps, key))


def _bad_ranges(value: dict[str, Any], steps: Steps) -> Iterator[str]:
    low, high = value.get("low"), value.get("high")
    if _real(low) and _real(high) and math.isfinite(low) and math.isfinite(high) and low > high:
        yield f"{dotted(steps)}: the range {low}..{high} is inverted"
    if _real(low) and low <= 0:
        yield f"{dotted(steps)}: the dose {low} is not positive"
    ci_low, ci_high = value.get("ci_low"), value.get("ci_high")
    if _real(ci_low) and _real(ci_high) and ci_low > ci_high:
        yield f"{dotted(steps)}: the interval {ci_low}..{ci_high} is inverted"
    least, most = value.get("min_weight"), value.get("max_weight")
    if _real(least) and _real(most) and least >= most:
        yield f"{dotted(steps)}: the band {least}..{most} is empty or inverted"


# --- checking an outcome --------------------------------------------------------------------


def _kind(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return repr(value)
    if _real(value):
        return "number"
    return type(value).__name__


def _differences(given: object, kept: object, steps: Steps = ()) -> Iterator[str]:
    """Where ``kept`` (the accepted data, unstructured) differs from what was ``given``."""
    if _kind(given) != _kind(kept):
        yield f"{dotted(steps)}: {_kind(given)} became {_kind(kept)}"
    elif isinstance(given, dict) and isinstance(kept, dict):
        for key, item in given.items():
            if key not in kept:
                yield f"{dotted((*steps, key))}: dropped"
            else:
                yield from _differences(item, kept[key], (*steps, key))
    elif isinstance(given, list) and isinstance(kept, list):
        if len(given) != len(kept):
            yield f"{dotted(steps)}: {len(given)} items became {len(kept)}"
        for index, (item, copy) in enumerate(zip(given, kept, strict=False)):
            yield from _differences(item, copy, (*steps, index))
    elif not _same(given, kept):
        yield f"{dotted(steps)}: {given!r} became {kept!r}"


def _same(given: object, kept: object) -> bool:
    """Equal, where a whole number given for a float field may be kept as the nearest float."""
    if isinstance(kept, float) and isinstance(given, int) and not isinstance(given, bool):
        try:
            return float(given) == kept
        except OverflowError:
            return False
    return given == kept


def _models(value: object) -> Iterator[object]:
    """Every model object below ``value`` (``value`` included)."""
    if isinstance(value, tuple):
        for item in value:
            yield from _models(item)
    elif attrs.has(cls := type(value)):
        yield value
        for field in attrs.fields(cls):
            yield from _models(getattr(value, field.name))


def check_accepted(document: dict[str, Any], guideline: object, story: list[str]) -> None:
    assert isinstance(guideline, Guideline), f"{type(guideline).__name__} returned"
    reasons = list(junk(document))
    assert not reasons, f"junk accepted after {story}: {reasons}"
    for model in _models(guideline):
        if isinstance(model, (DoseRate, Amount)):
            assert math.isfinite(model.low), model
            assert math.isfinite(model.high), model
            assert 0 < model.low <= model.high, model
    data = unstructure(guideline)
    assert structure(data, Guideline) == guideline, "not equal after a round trip"
    changed = list(_differences(document, data))
    assert not changed, f"accepted data was not kept as given after {story}: {changed}"


def check_refused(exc: DataError, file: str | None) -> None:
    assert exc.problems, "a DataError without problems"
    assert all(isinstance(path, str) for path in exc.paths), exc.problems
    assert all(exc.paths), f"a problem without the path of its field: {exc.problems}"
    assert all(problem.message for problem in exc.problems), exc.problems
    assert exc.file == file
    assert str(exc).startswith(f"{file}: " if file else "")


def _below(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))


def attempt(load: Callable[[], Guideline], story: list[str]) -> Guideline | DataError:
    """``load()``, or the DataError it raised; anything else is a failure."""
    try:
        return load()
    except DataError as exc:
        return exc
    except Exception as exc:
        raise AssertionError(
            f"{type(exc).__module__}.{type(exc).__name__} escaped after {story}: {str(exc)[:300]}"
        ) from exc


Mutation = Callable[[st.DataObject, dict[str, Any]], str]


def run_case(
    data: st.DataObject, pack: Path, mutation: Mutation = mutate
) -> tuple[str, Guideline | None]:
    """Build, read and check one hostile pack; return how it went and the guideline if any."""
    base = data.draw(st.sampled_from(sorted(base_texts())), label="base")
    document = json.loads(base_texts()[base])
    count = data.draw(st.integers(1, 4), label="mutations")
    story = [mutation(data, document) for _ in range(count)]
    via_file = data.draw(st.integers(0, FILE_SHARE - 1), label="via file") == 0
    in_memory = attempt(lambda: structure(document, Guideline), story)
    if isinstance(in_memory, DataError):
        check_refused(in_memory, None)
    else:
        check_accepted(document, in_memory, story)
    if via_file:
        pack.write_text(json.dumps(document, allow_nan=True), encoding="utf-8")
        from_file = attempt(lambda: load_guideline(pack), story)
        if isinstance(from_file, DataError):
            check_refused(from_file, str(pack))
            assert isinstance(in_memory, DataError), f"refused only from the file: {story}"
            # The JSON reader refuses some values (non-finite numbers, huge integers) before
            # the model sees the document, and the model stops at the first failing
            # validator of an object, so the two may name different paths: both must refuse.
            assert from_file.paths, f"refused without a path: {story}"
        else:
            assert from_file == in_memory, f"the file and the data disagree after {story}"
    outcome = "refused" if isinstance(in_memory, DataError) else "accepted"
    return outcome, None if isinstance(in_memory, DataError) else in_memory


def _floats(value: object) -> Iterator[float]:
    if isinstance(value, float):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _floats(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _floats(item)


# --- using an accepted pack -----------------------------------------------------------------


def _documented(what: str, function: Callable[..., object], *args: Any, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)``, or ``None`` after a documented error; else a failure."""
    try:
        return function(*args, **kwargs)
    except AeSystemicError:
        return None
    except Exception as exc:
        raise AssertionError(
            f"{what} on an accepted pack: {type(exc).__module__}.{type(exc).__name__} "
            f"escaped: {str(exc)[:300]}"
        ) from exc


def exercise(guideline: Guideline) -> None:
    """Every public function given the accepted pack's drugs: sound results or documented errors."""
    patients = (
        Patient(
            Q(30, "year"),
            Q(70, "kg"),
            pregnant=True,
            phototherapy=frozenset(Phototherapy),
            co_medications=(CoMedication("atorvastatin", frozenset(Pathway)),),
        ),
        Patient(Q(10, "year"), Q(25, "kg")),
    )
    json.dumps(_documented("to_bundle(guideline)", to_bundle, guideline), allow_nan=False)
    for drug in guideline.drugs:
        for population in Population:
            for phase in (None, *Phase):
                options = {"population": population, "phase": phase}
                dose = _documented(
                    f"daily_dose(70 kg, {options})",
                    ae_systemic.daily_dose,
                    drug,
                    Q(70, "kg"),
                    **options,
                )
                if dose is not None:
                    check_dose_range(dose)
                    strengths = ["25 mg", "10 mg"]
                    check_result(
                        _documented(
                            "round_to_strengths", ae_systemic.round_to_strengths, dose, strengths
                        )
                    )
                for weight in (Q(70, "kg"), Q(12, "kg"), None):
                    plan = _documented(
                        f"dose_plan({weight}, {options})",
                        ae_systemic.dose_plan,
                        drug,
                        weight,
                        **options,
                    )
                    if plan is not None:
                        check_dose_plan(plan)
        for age in (Q(30, "year"), Q(10, "year")):
            _documented(f"is_licensed({age})", ae_systemic.is_licensed, drug, age)
        for patient in patients:
            check_result(_documented("assess", ae_systemic.assess, drug, patient))
        start = datetime.date(2027, 1, 15)
        check_result(
            _documented(
                "monitoring_schedule", ae_systemic.monitoring_schedule, drug, start, months=24
            )
        )
        check_result(_documented("recommendations", ae_systemic.recommendations, drug))
        check_result(_documented("evidence", ae_systemic.evidence, drug))
        json.dumps(_documented("to_bundle(drug)", to_bundle, drug), allow_nan=False)
        for model in _models(drug):
            assert str(model)


# --- the tests ------------------------------------------------------------------------------

HOSTILE_SETTINGS = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The file each case that goes through a file is written to."""
    return tmp_path_factory.mktemp("hostile-packs") / "pack.json"


def test_the_starting_documents_are_valid() -> None:
    for name, text in base_texts().items():
        document = json.loads(text)
        guideline = structure(document, Guideline)
        check_accepted(document, guideline, [name])
        exercise(guideline)
    assert structure(json.loads(base_texts()["packaged"]), Guideline) == ae_systemic.guideline()


@settings(HOSTILE_SETTINGS, max_examples=DEFAULT_CASES)
@given(data=st.data())
def test_hostile_pack_is_refused_with_paths_or_loads_valid(data: st.DataObject, pack: Path) -> None:
    run_case(data, pack)


@settings(HOSTILE_SETTINGS, max_examples=DOWNSTREAM_CASES)
@given(data=st.data())
def test_accepted_hostile_pack_is_safe_to_use(data: st.DataObject, pack: Path) -> None:
    _, guideline = run_case(data, pack, mutate_numbers)
    if guideline is not None:
        exercise(guideline)


@pytest.mark.hostile_full
def test_hostile_packs_full_run(pack: Path) -> None:
    """FULL_CASES packs, each loaded and (when accepted) used; prints the tally."""
    tally: Counter[str] = Counter()

    @settings(HOSTILE_SETTINGS, max_examples=FULL_CASES, database=None)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        mutation = data.draw(st.sampled_from([mutate, mutate_numbers]), label="mutation")
        outcome, guideline = run_case(data, pack, mutation)
        if guideline is not None:
            exercise(guideline)
        tally[outcome] += 1

    run()
    print(f"\nhostile packs: {sum(tally.values())} cases, {dict(tally)}")
    assert sum(tally.values()) >= FULL_CASES


# --- regressions found by the cases above ---------------------------------------------------


def _packaged() -> dict[str, Any]:
    document = json.loads(base_texts()["packaged"])
    assert isinstance(document, dict)
    return document


@pytest.mark.parametrize(
    ("steps", "value"),
    [
        (("drugs", 0, "regimens", 0, "doses_per_day"), 10**400),
        (("drugs", 0, "licence", "min_age_years"), 10**400),
        (("drugs", 0, "regimens", 0, "rate", "high"), 1e308),
        (("drugs", 0, "regimens", 0, "rate", "low"), 5e-324),
        (("drugs", 0, "monitoring", "first_follow_up_weeks"), 10**400),
    ],
    ids=[
        "doses_per_day=10**400",
        "min_age_years=10**400",
        "rate.high=1e308",
        "rate.low=5e-324",
        "first_follow_up_weeks=10**400",
    ],
)
def test_an_accepted_extreme_number_is_safe_to_use(steps: Steps, value: object) -> None:
    document = _packaged()
    _at(document, steps[:-1])[steps[-1]] = value
    try:
        guideline = structure(document, Guideline)
    except DataError as exc:
        check_refused(exc, None)
        return
    exercise(guideline)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_non_finite_number_in_a_file_is_refused_with_its_path(
    literal: str, tmp_path: Path
) -> None:
    document = _packaged()
    document["drugs"][0]["regimens"][0]["rate"]["low"] = 2.5
    text = json.dumps(document).replace('"low": 2.5', f'"low": {literal}', 1)
    path = tmp_path / "pack.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_guideline(path)
    assert info.value.file == str(path)
    assert info.value.paths == ("drugs[0].regimens[0].rate.low",)


#: Characters every text may hold although ``str.isprintable`` refuses them (a no-break
#: space, an ideographic space, a zero-width space, a soft hyphen, a format character).
_ALLOWED_UNPRINTABLE = "\u00a0\u3000\u200b\u00ad\u2066"


#: The first and last character of each refused run, and their neighbours that are allowed.
_EDGES = "\x00\x1f\x20\x7e\x7f\x9f\xa0\u2027\u2028\u2029\u202a\ud7ff\ud800\udfff\ue000"


def _refused(char: str) -> bool:
    code = ord(char)
    return (
        code < 0x20 or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029) or 0xD800 <= code <= 0xDFFF
    )


def test_every_code_point_is_refused_in_a_text_exactly_when_it_is_a_control_or_surrogate() -> None:
    wrong = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if (text_problem(f"a{chr(code)}b") is None) == _refused(chr(code))
    ]
    assert wrong == []


@given(
    st.text(
        st.one_of(
            st.characters(exclude_categories=()),  # surrogates included
            st.sampled_from(_ALLOWED_UNPRINTABLE + _EDGES),
            st.characters(max_codepoint=0xA0),
        )
    )
)
def test_a_text_is_refused_exactly_for_its_first_control_character_or_surrogate(
    text: str,
) -> None:
    first = next((i for i, char in enumerate(text) if _refused(char)), None)
    problem = text_problem(text)
    if first is None:
        assert problem is None
    else:
        assert problem is not None
        assert f"U+{ord(text[first]):04X} at character {first + 1};" in problem
