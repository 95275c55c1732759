"""The public API as a downstream package uses it, with its static types pinned.

Every ``assert_type`` here is checked by ``mypy --strict`` (the test command type-checks
``tests/``); at run time ``assert_type`` does nothing, so the file also runs as ordinary
tests.  Only public names are imported, as a user of the package would.

There is deliberately no ``__init__.py`` in this directory: it would make ``tests/typing``
a package named ``typing``, shadowing the standard library module for mypy and pytest.
"""

from __future__ import annotations

import datetime
import inspect
import json
from pathlib import Path
from typing import assert_never, assert_type

import numpy as np
import pint
import pytest
from numpy.typing import NDArray

import ae_systemic
import ae_systemic.fhir
from ae_systemic import (
    AeSystemicError,
    Assessment,
    Certainty,
    CoMedication,
    Consensus,
    ConsensusBasis,
    DataError,
    DataProblem,
    DoseInputError,
    DosePlan,
    DoseRange,
    DoseRegimen,
    Drug,
    EffectEstimate,
    Finding,
    FindingKind,
    Guideline,
    InputError,
    JSONValue,
    Licence,
    Pathway,
    Patient,
    Phase,
    Population,
    Prescription,
    Recommendation,
    Reference,
    Statement,
    Strength,
    UnknownDrugError,
    Visit,
    assess,
    daily_dose,
    dose_plan,
    evidence,
    is_licensed,
    load_guideline,
    monitoring_schedule,
    population_for,
    recommendations,
    round_to_strengths,
    schema,
    structure,
    unstructure,
)

# pint's get_application_registry() is untyped; ae_systemic.application_registry() is the
# same registry, typed, so a --strict user needs no annotation and no ignore.
Q = ae_systemic.application_registry().Quantity

FloatArray = NDArray[np.float64]


def test_quantities_are_typed_by_magnitude() -> None:
    weight = Q(70.0, "kg")
    assert_type(weight, "pint.Quantity[float]")
    assert_type(Q(70, "kg"), "pint.Quantity[int]")
    weights: FloatArray = np.array([50.0, 70.0, 90.0])
    assert_type(Q(weights, "kg"), "pint.Quantity[FloatArray]")


def test_the_typed_registry_is_pints_application_registry() -> None:
    assert_type(ae_systemic.application_registry(), "pint.UnitRegistry[float]")
    assert_type(Q(70.0, "kg").m_as("g"), float)
    application = pint.get_application_registry()  # type: ignore[no-untyped-call]
    assert ae_systemic.application_registry() is application.get()


def test_lookup() -> None:
    assert_type(ae_systemic.drug("csa"), Drug)
    assert_type(ae_systemic.drugs(), tuple[Drug, ...])
    assert_type(ae_systemic.guideline(), Guideline)
    assert_type(ae_systemic.guideline().drugs, tuple[Drug, ...])
    csa = ae_systemic.drug("ciclosporin")
    assert_type(csa.name, str)
    assert_type(csa.names, tuple[str, ...])
    assert_type(csa.regimens, tuple[DoseRegimen, ...])
    assert_type(csa.recommendations, tuple[Recommendation, ...])
    assert_type(csa.evidence, tuple[EffectEstimate, ...])
    assert_type(csa.reference(1), Reference)
    assert_type(csa.licence, Licence)
    assert_type(csa.licence.min_age_years, int)
    assert_type(csa.licence.min_age, "pint.Quantity[int]")
    assert_type(csa.monitoring.checks, tuple[str, ...])
    assert csa.mechanism
    assert_type(csa.statement(csa.mechanism[0].key), Statement)


def test_daily_dose_for_one_weight_is_a_dose_range_of_floats() -> None:
    dose = daily_dose("csa", Q(70.0, "kg"))
    assert_type(dose, DoseRange[float])
    assert_type(daily_dose("csa", Q(70, "kg")), DoseRange[float])
    assert_type(daily_dose(ae_systemic.drug("csa"), "154 lb"), DoseRange[float])
    assert_type(
        daily_dose("csa", Q(70.0, "kg"), population=Population.ADULT, phase=Phase.ACUTE),
        DoseRange[float],
    )
    assert_type(dose.low, "pint.Quantity[float]")
    assert_type(dose.high, "pint.Quantity[float]")
    assert_type(dose.per_dose_low, "pint.Quantity[float]")
    assert_type(dose.per_dose_high, "pint.Quantity[float]")
    assert_type(dose.weight, "pint.Quantity[float]")
    assert_type(dose.low.magnitude, float)
    assert_type(dose.low.m_as("mg/day"), float)
    assert_type(dose.doses_per_day, int)
    assert_type(dose.regimen, DoseRegimen)
    assert_type(dose.fallback, str | None)
    assert_type(dose.references, tuple[int, ...])
    assert dose.low.m_as("mg/day") == 175.0


def test_daily_dose_for_an_array_of_weights_is_a_dose_range_of_arrays() -> None:
    weights: FloatArray = np.array([50.0, 70.0, 90.0])
    doses = daily_dose("csa", Q(weights, "kg"))
    assert_type(doses, DoseRange[FloatArray])
    assert_type(doses.low, "pint.Quantity[FloatArray]")
    assert_type(doses.low.magnitude, FloatArray)
    assert_type(doses.per_dose_high.magnitude, FloatArray)
    assert doses.low.m_as("mg/day").tolist() == [125.0, 175.0, 225.0]


def test_round_to_strengths_and_licence() -> None:
    dose = daily_dose("csa", Q(70, "kg"))
    amount = round_to_strengths(dose, ["25 mg", Q(50, "mg"), Q(0.1, "g")])
    assert_type(amount, "pint.Quantity[float]")
    assert_type(is_licensed("csa", Q(16, "year")), bool)
    assert_type(is_licensed("csa", "191 months"), bool)
    assert_type(population_for(Q(12, "year")), Population)


def test_dose_plan() -> None:
    plan = dose_plan("csa", Q(70.0, "kg"), phase=Phase.ACUTE)
    assert_type(plan, DosePlan)
    assert_type(plan.amount_low, "pint.Quantity[float]")
    assert_type(plan.interval, "pint.Quantity[float]")
    assert_type(plan.loading_low, "pint.Quantity[float] | None")
    assert plan.loading_low is None


def test_assess() -> None:
    patient = Patient(
        Q(12, "year"),
        Q(35.0, "kg"),
        co_medications=(CoMedication("simvastatin", frozenset({Pathway.CYP3A4})),),
    )
    assert_type(patient.age, "pint.Quantity[float]")
    assert_type(patient.weight, "pint.Quantity[float]")
    assert_type(patient.co_medications, tuple[CoMedication, ...])
    result = assess("csa", patient, phase=None, adult_from=Q(18, "year"))
    assert_type(result, Assessment)
    assert_type(result.dose, DoseRange[float])
    assert_type(result.findings, tuple[Finding, ...])
    assert_type(result.of_kind(FindingKind.INTERACTION), tuple[Finding, ...])
    assert_type(result.findings[0].kind, FindingKind)
    assert_type(result.population, Population)
    assert_type(result.licensed, bool)
    assert not result.licensed


def test_an_order_and_a_patient_take_the_magnitudes_they_accept() -> None:
    """Before: Prescription(amount: object) let a type checker pass Prescription(150), and
    QuantityLike refused the decimals, fractions and numpy numbers the functions read."""
    from decimal import Decimal
    from fractions import Fraction

    order = Prescription(Q(np.float64(150.0), "mg"), frequency=np.int64(2), period=Q(1, "day"))
    assert_type(order.daily, "pint.Quantity[float]")
    assert order.daily_mg == 300.0
    exact: pint.UnitRegistry[Decimal] = pint.UnitRegistry(non_int_type=Decimal)
    patient = Patient(exact.Quantity(Decimal("16.5"), "year"), Q(np.int64(70), "kg"))
    assert patient == Patient("16.5 years", "70 kg")
    assert Patient(Q(Fraction(33, 2), "year"), "70 kg") == patient


def test_monitoring_schedule() -> None:
    visits = monitoring_schedule("csa", datetime.date(2027, 1, 15), months=12)
    # A tuple of visits (possibly a subclass of it): usable wherever one is expected.
    as_tuple: tuple[Visit, ...] = visits
    assert_type(visits[0], Visit)
    assert_type(visits[0].date, datetime.date)
    assert_type(visits[0].checks, tuple[str, ...])
    for visit in visits:
        assert_type(visit, Visit)
    assert len(as_tuple) == 6
    assert_type(ae_systemic.add_months(datetime.date(2027, 11, 30), 3), datetime.date)


def test_queries() -> None:
    assert_type(recommendations("csa"), tuple[Recommendation, ...])
    assert_type(recommendations("csa", strength=Strength.STRONG_FOR), tuple[Recommendation, ...])
    assert_type(evidence("csa"), tuple[EffectEstimate, ...])
    first = recommendations("csa")[0]
    assert_type(first.strength, Strength | None)
    assert_type(first.consensus, Consensus | None)
    estimate = evidence("csa")[0]
    assert_type(estimate.certainty, Certainty)
    assert_type(estimate.estimate, float)
    assert_type(estimate.is_significant, bool)


def test_vocabulary() -> None:
    assert_type(Certainty.MODERATE < Certainty.HIGH, bool)
    assert_type(Certainty.LOW >= Certainty.VERY_LOW, bool)
    assert Certainty.MODERATE < Certainty.HIGH
    assert_type(Certainty.HIGH.rank, int)
    assert_type(Certainty.from_symbol("⊕⊕⊕○"), Certainty)
    assert_type(Strength.from_symbol("↑↑"), Strength)
    assert_type(Strength.WEAK_FOR.is_for, bool | None)
    assert_type(Consensus.parse(">75%", ConsensusBasis.EXPERT_CONSENSUS), Consensus)


def test_structure_and_unstructure() -> None:
    csa = ae_systemic.drug("csa")
    data = unstructure(csa)
    assert_type(data, JSONValue)
    assert_type(structure(data, Drug), Drug)
    assert_type(structure(unstructure(ae_systemic.guideline()), Guideline), Guideline)
    assert isinstance(data, dict)
    assert_type(data, dict[str, JSONValue])
    assert_type(data["name"], JSONValue)
    assert_type(json.dumps(data), str)
    assert_type(schema(), dict[str, object])


def test_load_guideline(tmp_path: Path) -> None:
    pack = tmp_path / "pack.json"
    pack.write_text(json.dumps(unstructure(ae_systemic.guideline())), encoding="utf-8")
    assert_type(load_guideline(pack), Guideline)
    assert_type(load_guideline(str(pack)), Guideline)
    assert load_guideline(pack) == ae_systemic.guideline()


def test_fhir() -> None:
    bundle = ae_systemic.fhir.to_bundle(ae_systemic.drug("csa"))
    assert_type(bundle, dict[str, JSONValue])
    assert_type(ae_systemic.fhir.to_bundle(ae_systemic.guideline()), dict[str, JSONValue])
    base_url: str = ae_systemic.fhir.BASE_URL  # declared Final: its literal type
    assert base_url.startswith("https://")
    assert bundle["resourceType"] == "Bundle"


def test_fhir_input() -> None:
    # Parsed JSON as a caller holds it: plain dicts, typed as JSONValue or Any.
    path = Path(__file__).resolve().parent.parent / "fixtures" / "fhir" / "r4-everything.json"
    everything: dict[str, JSONValue] = json.loads(path.read_text(encoding="utf-8"))
    record = ae_systemic.fhir.read_patient(everything, on=datetime.date(2025, 3, 1))
    assert_type(record, ae_systemic.fhir.PatientRecord)
    assert_type(record.patient, Patient)
    assert_type(record.pregnancy_known, bool)
    assert_type(record.sources_of("weight"), tuple[str, ...])
    entries = everything["entry"]
    assert isinstance(entries, list)
    order = next(
        e["resource"]
        for e in entries
        if isinstance(e, dict)
        and isinstance(e["resource"], dict)
        and e["resource"]["resourceType"] == "MedicationRequest"
    )
    assert isinstance(order, dict)
    assert_type(ae_systemic.fhir.read_prescription(order), ae_systemic.Prescription)
    assert_type(ae_systemic.fhir.drug_for(order), Drug | None)
    weight = ae_systemic.fhir.quantity(
        {"value": 70, "system": "http://unitsofmeasure.org", "code": "kg"}
    )
    assert_type(weight, "pint.Quantity[float]")
    assert_type(ae_systemic.fhir.to_quantity(weight), dict[str, JSONValue])


def test_constants() -> None:
    assert_type(ae_systemic.MAX_BODY_WEIGHT_KG, float)
    assert_type(ae_systemic.MAX_AGE_YEARS, float)
    assert_type(ae_systemic.MAX_PACK_BYTES, int)
    assert_type(ae_systemic.MAX_SCHEDULE_MONTHS, int)
    assert_type(ae_systemic.DEFAULT_ADULT_FROM_YEARS, int)
    assert_type(ae_systemic.__all__, list[str])
    assert_type(ae_systemic.__version__, str)


def test_exceptions_are_typed_in_except_clauses() -> None:
    unknown: UnknownDrugError | None = None
    try:
        ae_systemic.drug("tacrolimus")
    except UnknownDrugError as exc:
        assert_type(exc, UnknownDrugError)
        assert_type(exc.name, str)
        assert_type(exc.suggestions, tuple[str, ...])
        assert_type(exc.known, tuple[str, ...])
        unknown = exc
    assert unknown is not None
    lookup: LookupError = unknown
    root: AeSystemicError = unknown
    assert lookup is unknown
    assert root is unknown

    dose_error: DoseInputError | None = None
    try:
        daily_dose("csa", "70")
    except DoseInputError as exc:
        assert_type(exc, DoseInputError)
        dose_error = exc
    assert dose_error is not None
    as_input: InputError = dose_error
    as_value: ValueError = dose_error
    assert as_input is as_value

    data_error: DataError | None = None
    try:
        structure({"name": 1}, Drug)
    except DataError as exc:
        assert_type(exc, DataError)
        assert_type(exc.problems, tuple[DataProblem, ...])
        assert_type(exc.file, str | None)
        assert_type(exc.paths, tuple[str, ...])
        assert_type(exc.in_file("x.json"), DataError)
        data_error = exc
    assert data_error is not None
    assert_type(data_error.problems[0].path, str)

    try:
        raise DataError([DataProblem("", "bad")])
    except (UnknownDrugError, InputError) as exc:  # pragma: no cover - a wrong hierarchy
        assert_type(exc, UnknownDrugError | InputError)
        raise AssertionError("DataError is neither") from exc
    except AeSystemicError as exc:
        assert_type(exc, AeSystemicError)


def test_exceptions_are_typed_under_pytest_raises() -> None:
    with pytest.raises(UnknownDrugError) as info:
        ae_systemic.drug("tacrolimus")
    assert_type(info.value, UnknownDrugError)
    assert info.value.suggestions == ()
    with pytest.raises(AeSystemicError) as caught:
        daily_dose("csa", Q(70.0, "m"))
    assert_type(caught.value, AeSystemicError)
    assert isinstance(caught.value, DoseInputError)


@pytest.mark.parametrize(
    ("cls", "parameter", "expected"),
    [
        (Patient, "age", ("QuantityLike",)),
        (Patient, "weight", ("QuantityLike",)),
        (CoMedication, "name", ("str",)),
        (Prescription, "amount", ("QuantityLike",)),
        (Prescription, "period", ("QuantityLike", "None")),
        (Prescription, "frequency", ("SupportsIndex",)),
    ],
)
def test_constructors_declare_the_types_they_accept(
    cls: type, parameter: str, expected: tuple[str, ...]
) -> None:
    # attrs types a converted argument of __init__ as the converter's parameter; when that
    # is ``object`` a type checker accepts ``Patient(5, None)``, which fails at run time.
    annotation = inspect.signature(cls, eval_str=False).parameters[parameter].annotation
    shown = annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)
    assert shown not in ("object", "Any", "typing.Any"), (
        f"{cls.__name__}({parameter}=...) is typed {shown!r}: a type checker accepts anything"
    )
    for part in expected:
        assert part in shown, f"{cls.__name__}({parameter}=...) is typed {shown!r}"


def _kind_name(kind: FindingKind) -> str:
    """A match over every member: complete for mypy without the deprecated alias."""
    match kind:
        case (
            FindingKind.DOSE_ABOVE_RANGE
            | FindingKind.DOSE_BELOW_RANGE
            | FindingKind.DOSE_FREQUENCY
            | FindingKind.OFF_LABEL
            | FindingKind.AVOID_COMBINATION
            | FindingKind.INTERACTION
            | FindingKind.INTERACTION_NOT_CHECKED
            | FindingKind.PREGNANCY
            | FindingKind.CHILDREN
            | FindingKind.SAFETY
            | FindingKind.MONITORING
            | FindingKind.SCREENING
            | FindingKind.RECOMMENDED_COMBINATION
        ):
            return kind.name
        case _:
            assert_never(kind)


def test_a_match_over_the_finding_kinds_needs_no_case_for_the_deprecated_alias() -> None:
    assert_type(FindingKind.CONTRAINDICATED_COMBINATION, FindingKind)
    assert _kind_name(FindingKind.CONTRAINDICATED_COMBINATION) == "AVOID_COMBINATION"
    assert FindingKind("contraindicated-combination") is FindingKind.AVOID_COMBINATION
    assert FindingKind["CONTRAINDICATED_COMBINATION"] is FindingKind.AVOID_COMBINATION
    assert [kind.name for kind in FindingKind].count("AVOID_COMBINATION") == 1
    with pytest.raises(ValueError, match="'contraindicated' is not a valid FindingKind"):
        FindingKind("contraindicated")
