"""Hostile arguments to every public function: only documented errors, never junk results.

Each public function is called with valid arguments except one, which is replaced by
a hostile value: nothing, empty and huge strings, NUL bytes, bytes, containers,
booleans, complex numbers, odd numpy arrays, pint quantities of the right dimension
built in odd ways, of the wrong dimension, or with huge, tiny and non-finite
magnitudes.  The matrix (function, argument, hostile value) is parametrized; a
hypothesis test adds arbitrary values for every argument.

The contract checked: a call either returns, or raises an
:class:`~ae_systemic.AeSystemicError`: :class:`~ae_systemic.ArgumentTypeError` (a
``TypeError``) exactly when the value is not of a type the argument accepts.  Anything
else escaping (a plain ``TypeError``, ``AttributeError``, ``ValueError``,
``OverflowError``, pint or numpy errors, ``RecursionError``...) is a failure.  A result
that is returned must not hold NaN, an infinity or a dose that is not positive, anywhere
inside it.
"""

from __future__ import annotations

import atexit
import datetime
import enum
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pint
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ae_systemic
from ae_systemic import (
    AeSystemicError,
    Amount,
    ArgumentTypeError,
    Assessment,
    CoMedication,
    DataError,
    DoseInputError,
    DoseLevel,
    DosePlan,
    DoseRange,
    DoseRate,
    Drug,
    Guideline,
    Outcome,
    Pathway,
    Patient,
    Phase,
    Phototherapy,
    Population,
    Strength,
    unstructure,
)
from ae_systemic.fhir import to_bundle

APP: pint.UnitRegistry[float] = pint.get_application_registry()  # type: ignore[no-untyped-call]
Q = APP.Quantity

Factory = Callable[[], object]


# --- checking results -----------------------------------------------------------------------


def _magnitudes(quantity: pint.Quantity[Any]) -> Any:
    return np.asarray(quantity.magnitude, dtype=float)


def _check_positive_quantity(quantity: object, what: str) -> None:
    assert isinstance(quantity, pint.Quantity), f"{what}: expected a quantity, got {quantity!r}"
    values = _magnitudes(quantity)
    assert values.size > 0, f"{what}: empty"
    assert np.all(np.isfinite(values)), f"{what}: not finite: {quantity!r}"
    assert np.all(values > 0), f"{what}: not positive: {quantity!r}"


def _check_ordered(low: pint.Quantity[Any], high: pint.Quantity[Any], what: str) -> None:
    assert np.all(_magnitudes(low) <= _magnitudes(high.to(low.units))), f"{what}: low > high"


def check_dose_range(dose: DoseRange[Any]) -> None:
    """Every quantity of ``dose`` (each array element too) is finite and positive."""
    for name in ("weight", "low", "high", "per_dose_low", "per_dose_high"):
        _check_positive_quantity(getattr(dose, name), f"DoseRange.{name}")
    _check_ordered(dose.low, dose.high, "DoseRange daily dose")
    _check_ordered(dose.per_dose_low, dose.per_dose_high, "DoseRange single dose")
    assert dose.doses_per_day >= 1
    assert str(dose)


def check_dose_plan(plan: DosePlan) -> None:
    """Every quantity of ``plan`` is finite and positive."""
    for name in ("amount_low", "amount_high", "interval"):
        _check_positive_quantity(getattr(plan, name), f"DosePlan.{name}")
    _check_ordered(plan.amount_low, plan.amount_high, "DosePlan amount")
    if plan.loading_low is not None or plan.loading_high is not None:
        assert plan.loading_low is not None
        assert plan.loading_high is not None
        _check_positive_quantity(plan.loading_low, "DosePlan.loading_low")
        _check_positive_quantity(plan.loading_high, "DosePlan.loading_high")
        _check_ordered(plan.loading_low, plan.loading_high, "DosePlan loading dose")
    assert str(plan)


def _check_model_range(value: object) -> None:
    if isinstance(value, (DoseRate, Amount)):
        assert math.isfinite(value.low)
        assert math.isfinite(value.high)
        assert 0 < value.low <= value.high, f"bad dose range {value!r}"


def check_result(result: object) -> None:
    """No NaN, infinity or non-positive dose anywhere inside ``result``."""
    seen: set[int] = set()

    def walk(value: object, where: str, depth: int) -> None:
        assert depth < 60, f"{where}: result nested implausibly deep"
        if isinstance(value, (str, bytes, bool, int, enum.Enum)) or value is None:
            return
        if isinstance(value, float):
            assert math.isfinite(value), f"{where}: {value}"
            return
        if id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, pint.Quantity):
            assert np.all(np.isfinite(_magnitudes(value))), f"{where}: {value!r}"
        elif isinstance(value, np.ndarray):
            if value.dtype.kind in "fc":
                assert np.all(np.isfinite(value)), f"{where}: {value!r}"
        elif isinstance(value, DoseRange):
            check_dose_range(value)
            walk(value.regimen, f"{where}.regimen", depth + 1)
        elif isinstance(value, DosePlan):
            check_dose_plan(value)
            walk(value.regimen, f"{where}.regimen", depth + 1)
            walk(value.band, f"{where}.band", depth + 1)
        elif isinstance(value, (tuple, list, frozenset, set)):
            for index, item in enumerate(value):
                walk(item, f"{where}[{index}]", depth + 1)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{where}[{key!r}]", depth + 1)
        elif attrs.has(cls := type(value)):
            _check_model_range(value)
            for field in attrs.fields(cls):
                item = getattr(value, field.name)
                if not isinstance(item, pint.UnitRegistry):
                    walk(item, f"{where}.{field.name}", depth + 1)

    walk(result, "result", 0)
    if isinstance(result, pint.Quantity):  # a bare quantity is an amount to give
        _check_positive_quantity(result, "amount")
    if isinstance(result, Assessment):
        assert str(result)
    if isinstance(result, Patient):
        _check_positive_quantity(result.weight, "Patient.weight")
        assert np.all(_magnitudes(result.age) >= 0)


# --- the hostile values ---------------------------------------------------------------------


def _deep_list(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def _untyped(value: object) -> Any:
    """``value``, for an argument of a type the signature does not allow (on purpose)."""
    return value


def _ciclosporin() -> Drug:
    return ae_systemic.drug("ciclosporin")


def _dose(weight: Any = None) -> DoseRange[Any]:
    dose: DoseRange[Any] = ae_systemic.daily_dose(
        "ciclosporin", Q(70, "kg") if weight is None else weight
    )
    return dose


def _patient() -> Patient:
    return Patient(Q(30, "year"), Q(70, "kg"))


_PACK_DIR: Path | None = None


def _scratch_dir() -> Path:
    """A private temporary directory for this module, removed at exit."""
    global _PACK_DIR
    if _PACK_DIR is None:
        _PACK_DIR = Path(tempfile.mkdtemp(prefix="ae-systemic-hostile-args-"))
        atexit.register(shutil.rmtree, _PACK_DIR, True)
    return _PACK_DIR


def valid_pack_path() -> Path:
    """A data pack holding the packaged guideline, written once."""
    path = _scratch_dir() / "valid-pack.json"
    if not path.exists():
        path.write_text(json.dumps(unstructure(ae_systemic.guideline())), encoding="utf-8")
    return path


#: Hostile values by id; each factory builds a fresh value (some are mutable).
HOSTILE: dict[str, Factory] = {
    # nothing, text and bytes
    "None": lambda: None,
    "empty-str": lambda: "",
    "blank-str": lambda: " \t\n",
    "huge-str": lambda: "x" * 10**6,
    "huge-padded-quantity-str": lambda: "70 kg" + " " * 10**6,
    "nul-weight-str": lambda: "70\x00kg",
    "nul-name-str": lambda: "cic\x00losporin",
    "bytes": lambda: b"70 kg",
    "bytearray": lambda: bytearray(b"ciclosporin"),
    # containers
    "list": lambda: [70, "kg"],
    "empty-list": list,
    "dict": lambda: {"value": 70, "unit": "kg"},
    "empty-dict": dict,
    "set": lambda: {70},
    "tuple": lambda: (70, "kg"),
    "deep-list": lambda: _deep_list(5000),
    # numbers
    "True": lambda: True,
    "False": lambda: False,
    "int": lambda: 70,
    "zero": lambda: 0,
    "negative": lambda: -70,
    "float": lambda: 70.0,
    "nan": lambda: math.nan,
    "inf": lambda: math.inf,
    "-inf": lambda: -math.inf,
    "int-10**400": lambda: 10**400,
    "int-10**5000": lambda: 10**5000,
    "complex": lambda: 70 + 1j,
    "np-float64": lambda: np.float64(70.0),
    "np-nan": lambda: np.float64(math.nan),
    "np-bool": lambda: np.bool_(True),
    # arrays
    "np-zero-size": lambda: np.array([]),
    "np-2d": lambda: np.full((2, 2), 70.0),
    "np-object": lambda: np.array([70, None], dtype=object),
    # mass quantities built in odd ways
    "Q-70-kg*m/m": lambda: Q(70, "kg*m/m"),
    "Q-70000-g": lambda: Q(70000, "g"),
    "Q-0.07-t": lambda: Q(0.07, "t"),
    "Q-70-kg**1": lambda: Q(70, "kg") ** 1,
    "Q-154-lb": lambda: Q(154, "lb"),
    "Q-list-magnitude": lambda: Q([70.0], "kg"),
    # wrong dimensions
    "Q-70-m": lambda: Q(70, "m"),
    "Q-1-1/d": lambda: Q(1, "1/d"),
    "Q-1-mg/kg/d": lambda: Q(1, "mg/kg/d"),
    "Q-70-dimensionless": lambda: Q(70, ""),
    "Q-20-degC": lambda: Q(20, "degC"),
    # huge, tiny and non-finite magnitudes
    "Q-1e308-kg": lambda: Q(1e308, "kg"),
    "Q-1e-308-kg": lambda: Q(1e-308, "kg"),
    "Q-5e-324-kg": lambda: Q(5e-324, "kg"),
    "Q-10**400-kg": lambda: Q(10**400, "kg"),
    "Q-10**5000-kg": lambda: Q(10**5000, "kg"),
    "Q-nan-kg": lambda: Q(math.nan, "kg"),
    "Q-inf-kg": lambda: Q(math.inf, "kg"),
    "Q-negative-kg": lambda: Q(-70, "kg"),
    "Q-zero-kg": lambda: Q(0, "kg"),
    "Q-complex-kg": lambda: Q(70 + 0j, "kg"),
    "Q-np-bool-kg": lambda: Q(_untyped(np.bool_(True)), "kg"),
    # quantities holding arrays
    "Q-zero-size-array-kg": lambda: Q(np.array([]), "kg"),
    "Q-2d-array-kg": lambda: Q(np.full((2, 2), 70.0), "kg"),
    "Q-array-with-nan-kg": lambda: Q(np.array([70.0, math.nan]), "kg"),
    "Q-object-array-kg": lambda: Q(np.array([70, None], dtype=object), "kg"),
    "Q-complex-array-kg": lambda: Q(np.array([70 + 0j]), "kg"),
    # ages
    "Q-30-year": lambda: Q(30, "year"),
    "Q-30-year*kg/kg": lambda: Q(30, "year*kg/kg"),
    "Q-1e308-year": lambda: Q(1e308, "year"),
    "Q-1e-308-year": lambda: Q(1e-308, "year"),
    "Q-10**5000-year": lambda: Q(10**5000, "year"),
    "Q-nan-year": lambda: Q(math.nan, "year"),
    "Q-array-year": lambda: Q(np.array([30.0, 40.0]), "year"),
    # quantity strings
    "str-70-kg": lambda: "70 kg",
    "str-30-years": lambda: "30 years",
    "str-25-mg": lambda: "25 mg",
    "str-nan-kg": lambda: "nan kg",
    "str-1e400-kg": lambda: "1e400 kg",
    "str-10**400-kg": lambda: "10**400 kg",
    "str-10**5000-kg": lambda: "10**5000 kg",
    "str-10**5000-years": lambda: "10**5000 years",
    "str-negative-kg": lambda: "-70 kg",
    "str-1/d": lambda: "1/d",
    "str-mg/kg/d": lambda: "1 mg/kg/d",
    "str-kg**1e999": lambda: "1 kg**1e999",
    "str-divide-by-zero": lambda: "70 kg / 0",
    "str-unbalanced": lambda: "70 kg)",
    # strength lists
    "strengths-zero": lambda: ["0 mg"],
    "strengths-negative": lambda: ["-25 mg"],
    "strengths-nan": lambda: ["nan mg"],
    "strengths-tiny": lambda: ["1e-400 mg"],
    "strengths-huge": lambda: ["1e300 mg"],
    "strengths-10**5000": lambda: ["10**5000 mg"],
    "strengths-wrong-dimension": lambda: [Q(25, "mg/kg/d")],
    "strengths-array": lambda: [Q(np.array([25.0, 50.0]), "mg")],
    "strengths-none": lambda: [None],
    "strengths-bytes": lambda: [b"25 mg"],
    "strengths-fraction-of-ug": lambda: ["0.5 ug"],
    "strengths-many": lambda: ["25 mg", "50 mg", "100 mg"] * 200,
    # objects of the library and others
    "object": lambda: object(),
    "function": lambda: lambda: None,
    "date": lambda: datetime.date(2027, 1, 15),
    "date-max": lambda: datetime.date.max,
    "datetime": lambda: datetime.datetime(2027, 1, 15, 12, 0),
    "Population.CHILD": lambda: Population.CHILD,
    "Phase.ACUTE": lambda: Phase.ACUTE,
    "Strength.STRONG_FOR": lambda: Strength.STRONG_FOR,
    "Outcome.ITCH": lambda: Outcome.ITCH,
    "DoseLevel": lambda: next(iter(DoseLevel)),
    "Pathway.CYP3A4": lambda: Pathway.CYP3A4,
    "frozenset-empty": lambda: frozenset(),
    "frozenset-pathways": lambda: frozenset(Pathway),
    "frozenset-phototherapy": lambda: frozenset(Phototherapy),
    "frozenset-str": lambda: frozenset({"uvb"}),
    "Drug": _ciclosporin,
    "Guideline": ae_systemic.guideline,
    "DoseRange": _dose,
    "DoseRange-array": lambda: _dose(Q(np.array([40.0, 70.0]), "kg")),
    "DoseRange-tiny-weight": lambda: _dose(Q(ae_systemic.MIN_BODY_WEIGHT_KG, "kg")),
    "Patient": _patient,
    "CoMedication": lambda: CoMedication("atorvastatin", frozenset({Pathway.CYP3A4})),
    "tuple-of-CoMedication": lambda: (CoMedication("atorvastatin"),),
    "class-Guideline": lambda: Guideline,
    "class-int": lambda: int,
    "Path-missing": lambda: Path("/nonexistent/ae-systemic/pack.json"),
    "Path-directory": lambda: Path(tempfile.gettempdir()),
}


# --- the public functions and their arguments -----------------------------------------------


@attrs.frozen
class Arg:
    """One argument: its name, a valid value, and the types for which TypeError is wrong."""

    name: str
    valid: Factory
    types: tuple[type, ...]
    keyword: bool = False


@attrs.frozen
class Target:
    """A public callable and its arguments, in order (keyword-only ones flagged)."""

    name: str
    function: Callable[..., object]
    args: tuple[Arg, ...]

    def call(self, position: int, value: object) -> object:
        positional: list[object] = []
        keywords: dict[str, object] = {}
        for index, arg in enumerate(self.args):
            given = value if index == position else arg.valid()
            if arg.keyword:
                keywords[arg.name] = given
            else:
                positional.append(given)
        return self.function(*positional, **keywords)


_QUANTITY_TYPES: tuple[type, ...] = (str, pint.Quantity)
_JSON_TYPES: tuple[type, ...] = (dict, list, str, int, float, bool, type(None))

DRUG = Arg("drug", lambda: "ciclosporin", (Drug, str))
WEIGHT = Arg("weight", lambda: Q(70, "kg"), _QUANTITY_TYPES)
AGE = Arg("age", lambda: Q(30, "year"), _QUANTITY_TYPES)
POPULATION = Arg("population", lambda: Population.ADULT, (Population,), keyword=True)
PHASE = Arg("phase", lambda: Phase.ACUTE, (Phase, type(None)), keyword=True)
ADULT_FROM = Arg("adult_from", lambda: Q(18, "year"), (*_QUANTITY_TYPES, type(None)), True)

TARGETS: tuple[Target, ...] = (
    Target("drug", ae_systemic.drug, (Arg("name", lambda: "ciclosporin", (str,)),)),
    Target("daily_dose", ae_systemic.daily_dose, (DRUG, WEIGHT, POPULATION, PHASE)),
    Target(
        "dose_plan",
        ae_systemic.dose_plan,
        (
            DRUG,
            Arg("weight", lambda: Q(70, "kg"), (*_QUANTITY_TYPES, type(None))),
            POPULATION,
            PHASE,
        ),
    ),
    Target("is_licensed", ae_systemic.is_licensed, (DRUG, AGE)),
    Target(
        "round_to_strengths",
        ae_systemic.round_to_strengths,
        (
            Arg("dose", _dose, (DoseRange,)),
            Arg("strengths", lambda: ["25 mg", "50 mg", "100 mg"], (list, tuple)),
        ),
    ),
    Target(
        "strength_units",
        ae_systemic.strength_units,
        (
            Arg("amount", lambda: Q(150, "mg"), _QUANTITY_TYPES),
            Arg("strengths", lambda: ["25 mg", "50 mg", "100 mg"], (list, tuple)),
        ),
    ),
    Target(
        "assess",
        ae_systemic.assess,
        (DRUG, Arg("patient", _patient, (Patient,)), PHASE, ADULT_FROM),
    ),
    Target(
        "Patient",
        Patient,
        (
            AGE,
            WEIGHT,
            Arg("pregnant", lambda: True, (bool,), keyword=True),
            Arg("phototherapy", lambda: frozenset(Phototherapy), (frozenset,), keyword=True),
            Arg(
                "co_medications",
                lambda: (CoMedication("atorvastatin", frozenset(Pathway)),),
                (tuple,),
                keyword=True,
            ),
        ),
    ),
    Target(
        "CoMedication",
        CoMedication,
        (
            Arg("name", lambda: "atorvastatin", (str,)),
            Arg("pathways", lambda: frozenset({Pathway.CYP3A4}), (frozenset,)),
        ),
    ),
    Target(
        "monitoring_schedule",
        ae_systemic.monitoring_schedule,
        (
            DRUG,
            Arg("start", lambda: datetime.date(2027, 1, 15), (datetime.date,)),
            Arg("months", lambda: 24, (int,), keyword=True),
        ),
    ),
    Target(
        "recommendations",
        ae_systemic.recommendations,
        (DRUG, Arg("strength", lambda: Strength.STRONG_FOR, (Strength, type(None)), True)),
    ),
    Target(
        "evidence",
        ae_systemic.evidence,
        (
            DRUG,
            Arg("outcome", lambda: Outcome.ITCH, (Outcome, type(None)), keyword=True),
            Arg("dose_level", lambda: next(iter(DoseLevel)), (DoseLevel, type(None)), True),
        ),
    ),
    Target(
        "structure",
        ae_systemic.structure,
        (
            Arg("data", lambda: unstructure(ae_systemic.guideline()), _JSON_TYPES),
            # Only model classes are accepted; any other value, class or not, is a TypeError
            # (test_structure_refuses_a_class_that_is_not_a_model_class checks that).
            Arg("cls", lambda: Guideline, ()),
        ),
    ),
    Target(
        "load_guideline",
        ae_systemic.load_guideline,
        (Arg("path", valid_pack_path, (str, os.PathLike)),),
    ),
    Target(
        "to_bundle",
        to_bundle,
        (Arg("drug_or_guideline", _ciclosporin, (Drug, Guideline, str)),),
    ),
    Target("population_for", ae_systemic.population_for, (AGE, ADULT_FROM)),
    Target(
        "Prescription",
        ae_systemic.Prescription,
        (
            Arg("amount", lambda: Q(150, "mg"), _QUANTITY_TYPES),
            Arg("frequency", lambda: 2, (int,), keyword=True),
            Arg("period", lambda: Q(1, "day"), _QUANTITY_TYPES, keyword=True),
        ),
    ),
    Target(
        "check_dose",
        ae_systemic.check_dose,
        (
            DRUG,
            Arg("patient", lambda: Q(70, "kg"), (*_QUANTITY_TYPES, Patient)),
            Arg(
                "prescription",
                lambda: ae_systemic.Prescription("150 mg", frequency=2),
                (ae_systemic.Prescription,),
            ),
            PHASE,
            Arg("tolerance", lambda: 0.0, (int, float), keyword=True),
        ),
    ),
    Target(
        "add_months",
        ae_systemic.add_months,
        (
            Arg("start", lambda: datetime.date(2027, 1, 15), (datetime.date,)),
            Arg("months", lambda: 3, (int,)),
        ),
    ),
)

POSITIONS: list[tuple[Target, int]] = [
    (target, index) for target in TARGETS for index in range(len(target.args))
]


def _position_id(target: Target, position: int) -> str:
    return f"{target.name}-{target.args[position].name}"


def check_call(target: Target, position: int, value: object, label: str) -> None:
    """Call ``target`` with ``value`` at ``position``; check the outcome against the contract."""
    arg = target.args[position]
    where = f"{target.name}({arg.name}={label})"
    try:
        result = target.call(position, value)
    except ArgumentTypeError as exc:
        # A collection of an accepted type may hold items of a wrong type; anything else of
        # an accepted type must not be called a wrong type.
        collection = isinstance(value, (tuple, list, set, frozenset))
        if _accepted(value, arg.types) and not collection:
            raise AssertionError(
                f"{where}: ArgumentTypeError for a value of an accepted type "
                f"({type(value).__name__}): {exc}"
            ) from exc
        message = str(exc)
    except AeSystemicError as exc:
        message = str(exc)
    except Exception as exc:
        raise AssertionError(
            f"{where}: undocumented {type(exc).__module__}.{type(exc).__name__} escaped: "
            f"{str(exc)[:200]}"
        ) from exc
    else:
        _check_call_result(target, result, where)
        return
    assert message, f"{where}: an error with an empty message"


def _accepted(value: object, types: tuple[type, ...]) -> bool:
    """Whether ``value`` is of one of ``types``; a bool is no int and a datetime no date here,
    as the library refuses them where it asks for a count or a day."""
    for subclass, base in ((bool, int), (datetime.datetime, datetime.date)):
        if isinstance(value, subclass) and base in types and subclass not in types:
            return False
    return isinstance(value, types)


def _check_call_result(target: Target, result: object, where: str) -> None:
    check_result(result)
    if target.name == "structure":
        assert attrs.has(type(result)), (
            f"{where}: structure returned {type(result).__name__}, not a model object: "
            "the data went unchecked"
        )
    if target.name == "to_bundle":
        json.dumps(result, allow_nan=False)


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_valid_arguments_are_accepted(target: Target) -> None:
    """The baseline of the matrix: with every argument valid, each call succeeds."""
    result = target.call(-1, None)
    check_result(result)


@pytest.mark.parametrize("label", list(HOSTILE))
@pytest.mark.parametrize(
    ("target", "position"), POSITIONS, ids=[_position_id(t, p) for t, p in POSITIONS]
)
def test_hostile_argument_gives_a_documented_error_or_a_sound_result(
    target: Target, position: int, label: str
) -> None:
    check_call(target, position, HOSTILE[label](), label)


ANY_VALUE = st.one_of(
    st.none(),
    st.text(),
    st.binary(),
    st.integers(),
    st.floats(),
    st.complex_numbers(),
    st.lists(st.integers()),
    st.dictionaries(st.text(), st.integers()),
)


@pytest.mark.parametrize(
    ("target", "position"), POSITIONS, ids=[_position_id(t, p) for t, p in POSITIONS]
)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=ANY_VALUE)
def test_any_value_for_any_argument_gives_a_documented_error_or_a_sound_result(
    target: Target, position: int, value: object
) -> None:
    check_call(target, position, value, repr(value)[:60])


QUANTITY_FUNCTIONS: dict[str, Callable[[str], object]] = {
    "daily_dose(weight)": lambda text: ae_systemic.daily_dose("ciclosporin", text),
    "dose_plan(weight)": lambda text: ae_systemic.dose_plan("ciclosporin", text),
    "Patient(weight)": lambda text: Patient("30 years", text),
}


@pytest.mark.parametrize("text", ["65,5 kg", "6,5 kg", "70,0 kg"])
@pytest.mark.parametrize("call", list(QUANTITY_FUNCTIONS))
def test_a_decimal_comma_is_never_read_as_a_tenfold_weight(call: str, text: str) -> None:
    """European notation: "65,5 kg" is 65.5 kg or refused, never 655 kg (a tenfold dose)."""
    try:
        result = QUANTITY_FUNCTIONS[call](text)
    except DoseInputError:
        return
    meant = float(text.split()[0].replace(",", "."))
    if isinstance(result, (DoseRange, Patient)):
        weight = result.weight
    else:
        assert isinstance(result, DosePlan)
        weight = Q(result.amount_low.m_as("mg") / 1.25, "kg")  # 2.5 mg/kg/day in 2 doses
    assert weight.m_as("kg") == pytest.approx(meant), f"{text!r} was read as {weight}"


@pytest.mark.parametrize("text", ["1,6 years", "1,8 years"])
def test_a_decimal_comma_is_never_read_as_a_tenfold_age(text: str) -> None:
    """ "1,6 years" is a toddler: never licensed (from 16 years), never an adult."""
    try:
        licensed = ae_systemic.is_licensed("ciclosporin", text)
    except DoseInputError:
        licensed = False
    assert licensed is False, f"{text!r} was read as at least 16 years"
    try:
        population = ae_systemic.population_for(text)
    except DoseInputError:
        population = Population.CHILD
    assert population is Population.CHILD, f"{text!r} was read as at least 18 years"


@pytest.mark.parametrize(
    "text",
    ["70 kg, 5", "70 kg; 5", "70\x00kg", "70 kg\x00", "7\x000 kg"],
    # plain ids: an id with a backslash is escaped again when pytest collects twice in one
    # process (as mutmut does), and the test could no longer be selected by its id
    ids=["comma", "semicolon", "nul-before-unit", "nul-after-unit", "nul-inside-number"],
)
def test_a_weight_string_with_trailing_junk_or_nul_bytes_is_refused(text: str) -> None:
    """Only a number and a unit: "70 kg, 5" is not 350 kg, "70\\x00kg" not silently 70 kg."""
    with pytest.raises(DoseInputError):
        ae_systemic.daily_dose("ciclosporin", text)


def test_round_to_strengths_never_gives_a_zero_amount() -> None:
    with pytest.raises(DoseInputError, match=r"below 0\.2 kg"):
        _dose(Q(1e-12, "kg"))
    dose = _dose(Q(ae_systemic.MIN_BODY_WEIGHT_KG, "kg"))
    try:
        amount = ae_systemic.round_to_strengths(dose, ["25 mg"])
    except DoseInputError:
        return
    assert amount.m_as("mg") > 0, f"a dose of {amount} for {dose.weight}"


def test_structure_refuses_a_class_that_is_not_a_model_class() -> None:
    data = unstructure(ae_systemic.guideline())
    for cls in (None, int, str, dict):
        try:
            result = ae_systemic.structure(data, _untyped(cls))
        except ArgumentTypeError:
            continue
        pytest.fail(f"structure(data, {cls!r}) returned {type(result).__name__} unchecked")


# Pathologically long or expensive arguments: each call must end quickly, with the outcome
# given.  Run in child processes (started together), because a hang inside pint's regular
# expressions cannot be interrupted from Python.
REFUSED = frozenset({"refused"})
SLOW_CALLS: dict[str, tuple[str, frozenset[str]]] = {
    "weight of 10**6 digits": ("ae.daily_dose('ciclosporin', '7' * 10**6)", REFUSED),
    "weight unit of 10**6 letters": ("ae.daily_dose('ciclosporin', '70 ' + 'k' * 10**6)", REFUSED),
    "weight as a power tower": ("ae.daily_dose('ciclosporin', '9**9**9 kg')", REFUSED),
    "age of 10**6 digits": ("ae.is_licensed('ciclosporin', '3' * 10**6 + ' years')", REFUSED),
    "strength of 10**6 digits": (
        "ae.round_to_strengths(ae.daily_dose('ciclosporin', '70 kg'), ['2' * 10**6 + ' mg'])",
        REFUSED,
    ),
    "1 microgram strengths for 700 kg": (
        "ae.round_to_strengths(ae.daily_dose('ciclosporin', '700 kg'), ['1 ug'])",
        frozenset({"accepted", "refused"}),
    ),
}
SLOW_CALL_SECONDS = 6.0
#: How long the children may take in all, starting Python and importing included: they
#: run at once, so on a loaded 2-core machine the start-up alone can take seconds.  The
#: call itself is timed inside the child, against SLOW_CALL_SECONDS.
CHILDREN_SECONDS = 90.0

_CHILD = """\
import time
import ae_systemic as ae
ae.daily_dose('ciclosporin', '70 kg')
start = time.perf_counter()
try:
    {call}
except ae.AeSystemicError:
    outcome = 'refused'
except BaseException as exc:
    outcome = 'escaped ' + type(exc).__name__
else:
    outcome = 'accepted'
print(outcome, round(time.perf_counter() - start, 3))
"""


def test_pathological_arguments_are_handled_quickly() -> None:
    children = {
        label: subprocess.Popen(
            [sys.executable, "-c", _CHILD.format(call=call)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for label, (call, _) in SLOW_CALLS.items()
    }
    deadline = time.monotonic() + CHILDREN_SECONDS
    problems = []
    for label, child in children.items():
        try:
            out, err = child.communicate(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            problems.append(f"{label}: still running after {CHILDREN_SECONDS:g} s")
            continue
        outcome, _, seconds = out.strip().partition(" ")
        if outcome not in SLOW_CALLS[label][1]:
            problems.append(f"{label}: {out.strip() or err.strip()[-300:]}")
        elif float(seconds) > SLOW_CALL_SECONDS:
            problems.append(f"{label}: the call took {seconds} s")
    assert not problems, "\n".join(problems)


def _nested_arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


HOSTILE_FILES: dict[str, Callable[[], bytes]] = {
    "empty": lambda: b"",
    "null": lambda: b"null",
    "a list": lambda: b"[]",
    "an object nested 100000 deep": lambda: ('{"title": ' + _nested_arrays(10**5) + "}").encode(),
    "a list nested 5000 deep": lambda: _nested_arrays(5000).encode(),
    "an integer of 5000 digits": lambda: ('{"title": ' + "7" * 5000 + "}").encode(),
    "a float of 400 digits": lambda: ('{"title": 1' + "0" * 400 + ".5}").encode(),
    "NaN": lambda: b'{"title": NaN}',
    "latin-1": lambda: '{"title": "Übersicht"}'.encode("latin-1"),
    "utf-16": lambda: '{"title": "x"}'.encode("utf-16"),
    "a lone surrogate escape": lambda: b'{"title": "\\ud800"}',
    "a NUL byte": lambda: b'{"title": "a\x00b"}',
    "a repeated key": lambda: b'{"title": "a", "title": "b"}',
    "too large": lambda: b" " * (ae_systemic.MAX_PACK_BYTES + 1) + b"{}",
}


@pytest.mark.parametrize("content", list(HOSTILE_FILES))
def test_hostile_file_content_is_refused_with_a_data_error(content: str, tmp_path: Path) -> None:
    path = tmp_path / "pack.json"
    path.write_bytes(HOSTILE_FILES[content]())
    try:
        ae_systemic.load_guideline(path)
    except DataError as exc:
        refused = exc
    except Exception as exc:
        raise AssertionError(
            f"load_guideline on a file holding {content}: undocumented "
            f"{type(exc).__module__}.{type(exc).__name__} escaped: {str(exc)[:200]}"
        ) from exc
    else:
        pytest.fail(f"load_guideline accepted a file holding {content}")
    assert refused.file == str(path)
    assert str(refused).startswith(str(path))


def test_every_hostile_value_can_be_built() -> None:
    for label, factory in HOSTILE.items():
        assert factory() is not NotImplemented, label
