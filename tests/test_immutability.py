"""Immutability: nothing a caller receives can change what the next caller gets.

* quantities are handed out fresh: changing one in place (``ito``, ``*=``, writing into its
  array) changes no later read;
* arrays handed out are copies or read-only;
* the caller's own inputs (arrays, quantities, lists, data) are never modified, and later
  changes to them change nothing already computed;
* the content is frozen all the way down: every object reachable from ``guideline()`` refuses
  new values, holds only tuples and frozensets as collections, and no mutable value;
* JSON-ready results (``unstructure``, ``schema``, ``to_bundle``) are new on every call and
  share no list or dict with the next call or with each other.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import enum
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pint
import pytest

import ae_systemic
from ae_systemic import (
    Amount,
    CoMedication,
    DosePlan,
    DoseRange,
    Drug,
    Guideline,
    Pathway,
    Patient,
    Phase,
    Phototherapy,
    Population,
    assess,
    daily_dose,
    dose_plan,
    monitoring_schedule,
    round_to_strengths,
    schema,
    structure,
    unstructure,
)
from ae_systemic.fhir import to_bundle

APP: pint.UnitRegistry[float] = pint.get_application_registry()  # type: ignore[no-untyped-call]
Q = APP.Quantity

FloatArray = npt.NDArray[np.float64]


def csa() -> Drug:
    return ae_systemic.drug("ciclosporin")


def _reading(quantity: pint.Quantity[Any]) -> tuple[object, str]:
    """What a caller reads from a quantity: its magnitude (as a list for arrays) and unit."""
    magnitude = quantity.magnitude
    if isinstance(magnitude, np.ndarray):
        return magnitude.tolist(), str(quantity.units)
    return magnitude, str(quantity.units)


def _mangle(quantity: pint.Quantity[Any]) -> None:
    """Every in-place change a caller could make to a quantity it was given."""
    magnitude = quantity.magnitude
    if isinstance(magnitude, np.ndarray) and magnitude.flags.writeable:
        magnitude[...] = -1.0
    quantity *= 2  # in place for an array magnitude
    quantity.ito_base_units()  # in place: new magnitude and unit


def _assert_fresh(read: Callable[[], pint.Quantity[Any]]) -> None:
    """``read()`` gives a new quantity each time, and changing one changes no later read."""
    first = read()
    expected = _reading(first)
    assert read() is not first
    assert read().magnitude is not first.magnitude or not isinstance(first.magnitude, np.ndarray)
    _mangle(first)
    assert _reading(read()) == expected
    second = read()
    second.ito(second.units)  # a no-op conversion
    second *= 3
    assert _reading(read()) == expected


# -- quantities are handed out fresh ---------------------------------------------------------

DOSE_QUANTITIES = ("weight", "low", "high", "per_dose_low", "per_dose_high")


def _doses() -> Iterator[DoseRange[Any]]:
    yield daily_dose("ciclosporin", Q(70.0, "kg"))
    yield daily_dose("ciclosporin", Q(154, "lb"), phase=Phase.ACUTE)
    yield daily_dose("ciclosporin", "35 kg", population=Population.CHILD)
    yield daily_dose("ciclosporin", Q(np.array([20.0, 70.0, 120.0]), "kg"))
    yield daily_dose("ciclosporin", Q(np.array([[50000, 80000]]), "g"), phase=Phase.LONG_TERM)


@pytest.mark.parametrize("name", DOSE_QUANTITIES)
def test_dose_quantities_are_fresh_on_every_access(name: str) -> None:
    for dose in _doses():
        assert getattr(dose, name) is not getattr(dose, name)
        _assert_fresh(lambda d=dose: getattr(d, name))  # type: ignore[misc]


def test_converting_a_dose_in_place_changes_no_later_read() -> None:
    dose = daily_dose("ciclosporin", Q(70.0, "kg"))
    low = dose.low
    low.ito("g/day")
    assert low.magnitude == pytest.approx(0.175)
    assert _reading(dose.low) == (175.0, "milligram / day")
    high = dose.high
    high *= 2
    assert _reading(dose.high) == (350.0, "milligram / day")
    per_dose = dose.per_dose_low
    per_dose.ito("kg")
    assert _reading(dose.per_dose_low) == (87.5, "milligram")
    weight = dose.weight
    weight.ito("lb")
    assert _reading(dose.weight) == (70.0, "kilogram")
    assert str(dose).startswith("175–350 mg/day")


@pytest.mark.parametrize("name", DOSE_QUANTITIES)
def test_arrays_handed_out_are_copies_or_read_only(name: str) -> None:
    dose = daily_dose("ciclosporin", Q(np.array([20.0, 70.0, 120.0]), "kg"))
    expected = _reading(getattr(dose, name))
    magnitude = getattr(dose, name).magnitude
    assert isinstance(magnitude, np.ndarray)
    try:
        magnitude[...] = 0.0
    except ValueError:  # read-only: as good as a copy
        pass
    else:
        magnitude[1] = 1e9
    assert _reading(getattr(dose, name)) == expected
    # Arrays handed out share no memory with each other.
    assert not np.shares_memory(getattr(dose, name).magnitude, getattr(dose, name).magnitude)


def test_an_in_place_multiplication_of_an_array_dose_changes_no_later_read() -> None:
    dose = daily_dose("ciclosporin", Q(np.array([50.0, 70.0]), "kg"))
    low = dose.low
    low *= 2
    assert low.magnitude.tolist() == [250.0, 350.0]
    assert dose.low.magnitude.tolist() == [125.0, 175.0]
    weight = dose.weight
    weight.magnitude[0] = 700.0 if weight.magnitude.flags.writeable else 50.0
    assert dose.weight.magnitude.tolist() == [50.0, 70.0]
    assert dose.high.magnitude.tolist() == [250.0, 350.0]


def _plan_with_loading_dose() -> DosePlan:
    standard = csa().regimens[0]
    loaded = attrs.evolve(standard, loading=Amount(200.0, 300.0))
    drug = attrs.evolve(csa(), regimens=(loaded, *csa().regimens[1:]))
    return dose_plan(drug, Q(70.0, "kg"), population=standard.population, phase=standard.phase)


@pytest.mark.parametrize(
    "name", ["amount_low", "amount_high", "interval", "loading_low", "loading_high"]
)
def test_dose_plan_quantities_are_fresh_on_every_access(name: str) -> None:
    plans = [
        dose_plan("ciclosporin", Q(70.0, "kg")),
        dose_plan("ciclosporin", "154 lb", phase=Phase.ACUTE),
        _plan_with_loading_dose(),
    ]
    for plan in plans:
        if getattr(plan, name) is None:
            assert name.startswith("loading")
            continue
        assert getattr(plan, name) is not getattr(plan, name)
        _assert_fresh(lambda p=plan: getattr(p, name))  # type: ignore[misc]


def test_converting_a_dose_plan_quantity_in_place_changes_no_later_read() -> None:
    plan = dose_plan("ciclosporin", Q(70.0, "kg"), phase=Phase.ACUTE)
    amount = plan.amount_low
    amount.ito("g")
    interval = plan.interval
    interval.ito("hour")
    assert _reading(plan.amount_low) == (140.0, "milligram")
    assert _reading(plan.interval) == (0.5, "day")
    assert str(plan).startswith("140–175 mg per dose, 2 doses a day")


def test_the_licensing_age_is_fresh_on_every_access() -> None:
    licence = csa().licence
    assert licence.min_age is not licence.min_age
    _assert_fresh(lambda: licence.min_age)
    age = licence.min_age
    age.ito("month")
    assert _reading(licence.min_age) == (16, "year")
    assert licence.min_age_years == 16


def test_a_patients_age_and_weight_are_copied_in_and_out() -> None:
    age, weight = Q(15.5, "year"), Q(154.0, "lb")
    patient = Patient(age, weight)
    assert patient.age is not age
    assert patient.weight is not weight
    # The caller changing, in place, what it passed in changes nothing in the patient.
    age.ito("month")
    weight.ito("kg")
    assert _reading(age) == (186.0, "month")
    assert _reading(patient.age) == (15.5, "year")
    assert _reading(patient.weight) == (154.0, "pound")
    # Nor does changing what it got out.
    assert patient.age is not patient.age
    assert patient.weight is not patient.weight
    _assert_fresh(lambda: patient.age)
    _assert_fresh(lambda: patient.weight)
    assessed = assess("ciclosporin", patient)
    assert assessed.dose.weight.m_as("lb") == pytest.approx(154.0)
    assert _reading(patient.age) == (15.5, "year")


def test_an_assessment_hands_out_fresh_quantities_and_leaves_the_patient_alone() -> None:
    patient = Patient(
        Q(12, "year"),
        "35 kg",
        pregnant=True,
        phototherapy=frozenset({Phototherapy.PUVA}),
        co_medications=(CoMedication("simvastatin", frozenset({Pathway.CYP3A4})),),
    )
    before = copy.deepcopy(patient)
    result = assess("ciclosporin", patient)
    assert patient == before
    assert result.dose.low is not result.dose.low
    _assert_fresh(lambda: result.dose.low)
    again = assess("ciclosporin", patient)
    assert again == result
    assert again is not result


# -- the caller's inputs are never modified ---------------------------------------------------


def _inputs(unit: str) -> Iterator[npt.NDArray[Any]]:
    """Arrays of plausible weights in ``unit``, of several dtypes, shapes and layouts."""
    scale = {"kg": 1, "g": 1000, "lb": 2}[unit]
    yield np.array([20.0, 70.0, 120.0]) * scale
    yield np.array([[50, 60], [70, 80]], dtype=np.int64) * scale
    yield (np.array([44.0, 70.0]) * scale).astype(np.float32)
    yield (np.arange(1.0, 11.0) * scale)[::2]  # a strided view
    read_only = np.array([60.0, 80.0]) * scale
    read_only.flags.writeable = False
    yield read_only


def _use_fully(dose: DoseRange[Any]) -> None:
    for name in DOSE_QUANTITIES:
        quantity = getattr(dose, name)
        _mangle(quantity)
    str(dose)
    repr(dose)
    assert dose == dose


@pytest.mark.parametrize("unit", ["kg", "g", "lb"])
def test_daily_dose_never_modifies_the_callers_array(unit: str) -> None:
    for weights in _inputs(unit):
        kept = weights.copy()
        writeable = weights.flags.writeable
        quantity = Q(weights, unit)
        dose = daily_dose("ciclosporin", quantity)
        _use_fully(dose)
        _use_fully(daily_dose("ciclosporin", quantity, phase=Phase.ACUTE))
        np.testing.assert_array_equal(weights, kept, strict=True)
        assert weights.flags.writeable is writeable
        assert quantity.magnitude is weights
        assert str(quantity.units) == str(Q(1, unit).units)


def test_a_read_only_array_of_weights_is_accepted_and_stays_read_only() -> None:
    weights = np.array([60.0, 80.0])
    weights.flags.writeable = False
    dose = daily_dose("ciclosporin", Q(weights, "kg"))
    assert dose.low.magnitude.tolist() == [150.0, 200.0]
    assert not weights.flags.writeable
    assert weights.tolist() == [60.0, 80.0]


def test_changing_the_callers_array_afterwards_changes_no_dose() -> None:
    weights = np.array([50.0, 70.0])
    dose = daily_dose("ciclosporin", Q(weights, "kg"))
    low = dose.low.magnitude.tolist()
    weights[:] = [1.0, 2.0]
    assert dose.low.magnitude.tolist() == low == [125.0, 175.0]
    assert dose.weight.magnitude.tolist() == [50.0, 70.0]


def test_a_dose_range_built_directly_keeps_no_view_of_the_callers_array() -> None:
    # DoseRange's constructor is public and takes read-only arrays; numpy lets the owner of
    # an array make it writeable again, so the range must hold its own copy.
    weights = np.array([50.0, 70.0])
    weights.flags.writeable = False
    application: Any = pint.get_application_registry()  # type: ignore[no-untyped-call]
    dose = DoseRange(csa().regimens[0], weights, application.get())
    assert dose.low.magnitude.tolist() == [125.0, 175.0]
    weights.flags.writeable = True
    weights[0] = 600.0
    assert dose.low.magnitude.tolist() == [125.0, 175.0]
    assert dose.weight.magnitude.tolist() == [50.0, 70.0]


def test_daily_dose_never_modifies_the_callers_quantity() -> None:
    weight = Q(154, "lb")
    dose = daily_dose("ciclosporin", weight)
    _use_fully(dose)
    assert _reading(weight) == (154, "pound")
    weight.ito("kg")
    assert dose.weight.m_as("kg") == pytest.approx(154 * 0.45359237)


def test_round_to_strengths_leaves_the_callers_list_alone() -> None:
    strengths: list[pint.Quantity[float] | pint.Quantity[int] | str] = [
        "25 mg",
        Q(50, "mg"),
        Q(0.1, "g"),
    ]
    kept = [s if isinstance(s, str) else _reading(s) for s in strengths]
    amount = round_to_strengths(daily_dose("ciclosporin", Q(70, "kg")), strengths)
    assert [s if isinstance(s, str) else _reading(s) for s in strengths] == kept
    _assert_fresh(lambda: round_to_strengths(daily_dose("ciclosporin", Q(70, "kg")), strengths))
    assert amount.check("[mass]")


def test_structure_never_modifies_the_callers_data() -> None:
    data = unstructure(ae_systemic.guideline())
    kept = copy.deepcopy(data)
    assert structure(data, Guideline) == ae_systemic.guideline()
    assert data == kept
    drug_data = unstructure(csa())
    drug_kept = copy.deepcopy(drug_data)
    structure(drug_data, Drug)
    assert drug_data == drug_kept


def test_monitoring_schedule_gives_new_visits_and_keeps_the_content() -> None:
    start = datetime.date(2027, 1, 15)
    visits = monitoring_schedule("ciclosporin", start)
    assert visits == monitoring_schedule("ciclosporin", start)
    assert visits is not monitoring_schedule("ciclosporin", start)
    assert all(v.checks == csa().monitoring.checks for v in visits)
    assert start == datetime.date(2027, 1, 15)


# -- the content is frozen all the way down --------------------------------------------------

#: Values a field of the content may hold besides frozen attrs objects and tuples/frozensets.
IMMUTABLE_LEAVES = (str, int, float, bool, type(None), enum.Enum, datetime.date)
#: Values no field may hold, named for clear failure messages.
MUTABLE = (list, dict, set, bytearray, np.ndarray, pint.Quantity)


def _fields(obj: object) -> tuple[attrs.Attribute[Any], ...]:
    cls: Any = type(obj)
    return tuple(attrs.fields(cls))


def _content_objects(value: object, path: str) -> Iterator[tuple[str, object]]:
    """Every attrs object reachable from ``value``, through tuples and frozensets, with paths."""
    if isinstance(value, (tuple, frozenset)):
        items = value if isinstance(value, tuple) else sorted(value, key=repr)
        for index, item in enumerate(items):
            yield from _content_objects(item, f"{path}[{index}]")
    elif attrs.has(type(value)):
        yield path, value
        for field in _fields(value):
            yield from _content_objects(getattr(value, field.name), f"{path}.{field.name}")


def _field_values(value: object, path: str) -> Iterator[tuple[str, object]]:
    """Every value held by a field below ``value``, collections and their items included."""
    if isinstance(value, (tuple, frozenset)):
        items = value if isinstance(value, tuple) else sorted(value, key=repr)
        for index, item in enumerate(items):
            yield f"{path}[{index}]", item
            yield from _field_values(item, f"{path}[{index}]")
    elif attrs.has(type(value)):
        for field in _fields(value):
            item = getattr(value, field.name)
            yield f"{path}.{field.name}", item
            yield from _field_values(item, f"{path}.{field.name}")


def _all_content() -> list[tuple[str, object]]:
    found = list(_content_objects(ae_systemic.guideline(), "guideline"))
    assert len(found) > 100  # the walk did reach into the drugs
    return found


def test_every_content_object_refuses_new_field_values() -> None:
    kinds = set()
    for path, obj in _all_content():
        kinds.add(type(obj).__name__)
        for field in _fields(obj):
            current = getattr(obj, field.name)
            for value in (current, None, "changed"):
                with pytest.raises(attrs.exceptions.FrozenInstanceError):
                    setattr(obj, field.name, value)
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                delattr(obj, field.name)
            assert getattr(obj, field.name) is current, f"{path}.{field.name} changed"
    assert {"Guideline", "Drug", "DoseRegimen", "DoseRate", "Recommendation"} <= kinds
    assert {"Consensus", "Licence", "Monitoring", "Statement", "Reference"} <= kinds


def test_no_content_object_takes_new_attributes() -> None:
    for path, obj in _all_content():
        assert not hasattr(obj, "__dict__"), f"{path} ({type(obj).__name__}) has a __dict__"
        with pytest.raises((attrs.exceptions.FrozenInstanceError, AttributeError)):
            obj.extra = 1  # type: ignore[attr-defined]
        with pytest.raises(AttributeError):
            object.__setattr__(obj, "extra", 1)


def test_every_collection_in_the_content_is_a_tuple_or_frozenset() -> None:
    checked = 0
    for path, value in _field_values(ae_systemic.guideline(), "guideline"):
        assert not isinstance(value, MUTABLE), f"{path} holds a {type(value).__name__}"
        if isinstance(value, (tuple, frozenset)) or attrs.has(type(value)):
            checked += 1
            continue
        assert isinstance(value, IMMUTABLE_LEAVES), (
            f"{path} holds a {type(value).__name__}, which may be mutable"
        )
    assert checked > 100


def test_every_content_class_is_frozen_and_slotted() -> None:
    classes = {type(obj) for _, obj in _all_content()}
    for cls in classes:
        assert "__slots__" in vars(cls), cls
        assert cls.__setattr__ is not object.__setattr__, cls


@pytest.mark.parametrize(
    "make",
    [
        lambda: daily_dose("ciclosporin", Q(70.0, "kg")),
        lambda: daily_dose("ciclosporin", Q(np.array([50.0, 70.0]), "kg")),
        lambda: dose_plan("ciclosporin", Q(70.0, "kg")),
        lambda: Patient(Q(40, "year"), Q(70, "kg")),
        lambda: CoMedication("digoxin", frozenset({Pathway.P_GP})),
        lambda: assess("ciclosporin", Patient(Q(12, "year"), Q(35, "kg"))),
        lambda: monitoring_schedule("ciclosporin", datetime.date(2027, 1, 15))[0],
        lambda: assess("ciclosporin", Patient(Q(12, "year"), Q(35, "kg"))).findings[0],
    ],
    ids=["dose", "array-dose", "plan", "patient", "co-medication", "assessment", "visit", "find"],
)
def test_results_refuse_new_field_values(make: Callable[[], object]) -> None:
    result = make()
    for path, obj in _content_objects(result, "result"):
        for field in _fields(obj):
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                setattr(obj, field.name, getattr(obj, field.name))
        assert not hasattr(obj, "__dict__"), path


def test_the_cached_content_survives_callers_trying_to_change_it() -> None:
    content = ae_systemic.guideline()
    pristine = unstructure(content)
    for _, obj in _all_content():
        for field in _fields(obj):
            with contextlib.suppress(attrs.exceptions.FrozenInstanceError):
                setattr(obj, field.name, None)
    assert ae_systemic.guideline() is content
    assert unstructure(ae_systemic.guideline()) == pristine


# -- JSON-ready results are new each time ----------------------------------------------------


def _containers(value: object) -> Iterator[object]:
    """Every dict and list inside ``value``, itself included."""
    if isinstance(value, (dict, list)):
        yield value
        for item in value.values() if isinstance(value, dict) else value:
            yield from _containers(item)


def _assert_unshared(make: Callable[[], object]) -> None:
    """Two calls share no dict or list, and no dict or list appears twice in one result."""
    first, second = make(), make()
    assert first == second
    first_ids = [id(c) for c in _containers(first)]
    second_ids = [id(c) for c in _containers(second)]
    assert first_ids, "expected a dict or a list"
    assert len(set(first_ids)) == len(first_ids), "a dict or list appears twice in one result"
    assert not set(first_ids) & set(second_ids), "two calls share a dict or list"


def _json_results() -> dict[str, Callable[[], object]]:
    return {
        "unstructure(guideline)": lambda: unstructure(ae_systemic.guideline()),
        "unstructure(drug)": lambda: unstructure(csa()),
        "unstructure(regimen)": lambda: unstructure(csa().regimens[0]),
        "schema": schema,
        "to_bundle(drug)": lambda: to_bundle(csa()),
        "to_bundle(guideline)": lambda: to_bundle(ae_systemic.guideline()),
    }


@pytest.mark.parametrize("name", list(_json_results()))
def test_json_results_are_new_objects_sharing_nothing(name: str) -> None:
    _assert_unshared(_json_results()[name])


def _vandalise(value: object) -> None:
    """Change every dict and list inside ``value`` in place."""
    for container in list(_containers(value)):
        if isinstance(container, dict):
            for key in list(container):
                if not isinstance(container[key], (dict, list)):
                    container[key] = "vandalised"
            container["extra"] = "vandalised"
        elif isinstance(container, list):
            container.append("vandalised")


@pytest.mark.parametrize("name", list(_json_results()))
def test_changing_a_json_result_changes_neither_the_next_call_nor_the_content(
    name: str,
) -> None:
    make = _json_results()[name]
    expected = copy.deepcopy(make())
    content = ae_systemic.guideline()
    pristine = copy.deepcopy(unstructure(content))
    _vandalise(make())
    assert make() == expected
    assert ae_systemic.guideline() is content
    assert unstructure(content) == pristine
    assert structure(pristine, Guideline) == content


def test_changing_an_unstructured_dict_changes_nothing_cached() -> None:
    data = unstructure(ae_systemic.guideline())
    assert isinstance(data, dict)
    drugs = data["drugs"]
    assert isinstance(drugs, list)
    first = drugs[0]
    assert isinstance(first, dict)
    first["name"] = "changed"
    regimens = first["regimens"]
    assert isinstance(regimens, list)
    regimens.clear()
    data["title"] = "changed"
    again = unstructure(ae_systemic.guideline())
    assert isinstance(again, dict)
    assert again["title"] != "changed"
    assert ae_systemic.guideline().drugs[0].name == "ciclosporin"
    assert len(ae_systemic.guideline().drugs[0].regimens) == 4
    assert ae_systemic.drug("ciclosporin").regimens
