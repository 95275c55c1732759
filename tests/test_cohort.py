"""assess_table: a whole table of patients assessed at once, row by row equal to assess().

The property tests build random tables (valid and invalid rows mixed), assess them at once,
and compare each row with what :func:`ae_systemic.assess` and
:func:`ae_systemic.check_dose` give for the same patient and prescription, built from the
row's values: the same numbers (exactly), the same population, regimen, status and
findings, and an error exactly where building the patient or the prescription fails,
naming the same column.
"""

from __future__ import annotations

import decimal
import fractions
import math
import pickle
import sys
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ae_systemic
from ae_systemic import (
    ArgumentError,
    ArgumentTypeError,
    CoMedication,
    DoseInputError,
    Drug,
    FindingKind,
    InputError,
    Pathway,
    Patient,
    Phase,
    Phototherapy,
    Prescription,
    assess,
    assess_table,
    summarize,
)
from ae_systemic._cohort import ASSESSED_WITH, FIELDS, RESULT_COLUMNS, prescribed

Q = ae_systemic.application_registry().Quantity
UNITS = {"age": "year", "weight": "kg", "amount": "mg", "period": "h"}
FINDING_COLUMNS = {kind: f"finding_{kind.value.replace('-', '_')}" for kind in FindingKind}


def frame(**columns: list[Any]) -> pd.DataFrame:
    return pd.DataFrame(columns)


# --- random rows -----------------------------------------------------------------------------

ages = st.one_of(
    st.floats(0, 130),
    st.sampled_from([0.0, 15.999, 16.0, 17.99, 18.0, 130.0, 130.5, -1.0, math.nan, math.inf]),
)
weights = st.one_of(
    st.floats(0.2, 700),
    st.sampled_from([0.2, 0.19, 700.0, 700.01, 0.0, -3.0, math.nan, math.inf]),
)
phototherapies = st.one_of(
    st.lists(st.sampled_from(["UVA", "uvb", "PUVA", " UVB "]), max_size=3).map(",".join),
    st.sampled_from(["UVC", "UVA,", None]),
)
pathway_texts = st.one_of(
    st.lists(st.sampled_from(["CYP3A4", "p-gp", "OATP", "cyp3a4 "]), max_size=3).map(",".join),
    st.sampled_from(["CYP2D6", None]),
)
amounts = st.one_of(
    st.floats(1, 2000),
    st.sampled_from([math.nan, 0.0, -5.0, 100_000.0, 100_001.0, math.inf]),
)
frequencies = st.one_of(st.integers(1, 4).map(float), st.sampled_from([math.nan, 0.0, 1.5, 1e7]))
periods = st.one_of(st.sampled_from([24.0, 12.0, 48.0, 8.0]), st.sampled_from([0.0, -1.0]))


@st.composite
def rows(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "age": draw(ages),
        "weight": draw(weights),
        "pregnant": draw(st.booleans()),
        "phototherapy": draw(phototherapies),
        "co_medication_pathways": draw(pathway_texts),
        "amount": draw(amounts),
        "frequency": draw(frequencies),
        "period": draw(periods),
    }


def tokens(text: str | None, members: type[Any]) -> frozenset[Any]:
    if text is None or not text.strip():
        return frozenset()
    known = {m.value.casefold(): m for m in members}
    return frozenset(known[t.strip().casefold()] for t in text.split(","))


def expected(subject: Drug, row: dict[str, Any], **options: Any) -> tuple[str | None, Any]:
    """The column a one-patient build fails on (or None), and the assessment otherwise."""
    try:
        patient = Patient(Q(row["age"], "year"), Q(row["weight"], "kg"))
    except DoseInputError as exc:
        return exc.argument, None
    try:
        photo = tokens(row["phototherapy"], Phototherapy)
    except KeyError:
        return "phototherapy", None
    try:
        pathways = tokens(row["co_medication_pathways"], Pathway)
    except KeyError:
        return "co_medication_pathways", None
    medicines = (CoMedication("co-medication", pathways),) if pathways else ()
    patient = Patient(
        patient.age,
        patient.weight,
        pregnant=row["pregnant"],
        phototherapy=photo,
        co_medications=medicines,
    )
    order = None
    amount, frequency = row["amount"], row["frequency"]
    if not (math.isnan(amount) and math.isnan(frequency)):
        if math.isnan(amount):
            return "amount", None
        try:
            Prescription(Q(amount, "mg"))
        except DoseInputError:
            return "amount", None
        # Each part checked alone, in the order of the fields (FIELDS).
        if math.isnan(frequency) or frequency != int(frequency):
            return "frequency", None
        try:
            Prescription(Q(amount, "mg"), frequency=int(frequency))
        except ArgumentError as exc:
            return exc.argument, None
        try:
            order = Prescription(
                Q(amount, "mg"), frequency=int(frequency), period=Q(row["period"], "h")
            )
        except ArgumentError as exc:
            return exc.argument, None
    try:
        return None, assess(subject, patient, prescription=order, **options)
    except DoseInputError as exc:  # no regimen for the population, the phase (synthetic drugs)
        return ("age" if exc.argument == "population" else exc.argument), exc


def check_row(result: pd.Series[Any], row: dict[str, Any], subject: Drug, **options: Any) -> None:
    column, found = expected(subject, row, **options)
    if column is not None:
        assert isinstance(result["error"], str)
        assert result["error"].startswith(f"{column}: "), (result["error"], row)
        for name in RESULT_COLUMNS[:-1]:
            assert pd.isna(result[name]), name
        return
    assert pd.isna(result["error"]), (result["error"], row)
    dose, check = found.dose, found.dose_check
    assert result["population"] == found.population.value
    assert result["regimen"] == found.regimen.label
    assert result["dose_low_mg_per_day"] == dose.low.m_as("mg/day")
    assert result["dose_high_mg_per_day"] == dose.high.m_as("mg/day")
    assert result["per_dose_low_mg"] == dose.per_dose_low.m_as("mg")
    assert result["per_dose_high_mg"] == dose.per_dose_high.m_as("mg")
    assert result["doses_per_day"] == dose.doses_per_day
    assert result["licensed"] == found.licensed
    if check is None:
        assert pd.isna(result["dose_status"])
        assert pd.isna(result["dose_deviation"])
    else:
        assert result["dose_status"] == check.status.value
        assert result["dose_deviation"] == check.deviation
    kinds = {finding.kind for finding in found.findings}
    for kind, name in FINDING_COLUMNS.items():
        assert result[name] == (kind in kinds), (name, row)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows(), min_size=1, max_size=25))
def test_every_row_equals_assess_and_check_dose(csa: Drug, table: list[dict[str, Any]]) -> None:
    result = assess_table(csa, pd.DataFrame(table), units=UNITS)
    assert list(result.columns) == [*FIELDS, *RESULT_COLUMNS]
    for position, row in enumerate(table):
        check_row(result.iloc[position], row, csa)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(rows(), min_size=1, max_size=12),
    st.sampled_from([None, Phase.ACUTE, Phase.LONG_TERM]),
    st.sampled_from([None, "16 years", "216 months", "21 year"]),
)
def test_phase_and_adult_from_as_in_assess(
    csa: Drug, table: list[dict[str, Any]], phase: Phase | None, adult_from: str | None
) -> None:
    result = assess_table(csa, pd.DataFrame(table), units=UNITS, phase=phase, adult_from=adult_from)
    for position, row in enumerate(table):
        check_row(result.iloc[position], row, csa, phase=phase, adult_from=adult_from)


def test_every_row_equals_assess_for_a_pyarrow_table(csa: Drug) -> None:
    table = [
        {
            **dict.fromkeys(FIELDS),
            "age": a,
            "weight": w,
            "pregnant": p,
            "amount": m,
            "frequency": f,
            "period": 24.0,
            "phototherapy": "PUVA",
            "co_medication_pathways": "",
        }
        for a, w, p, m, f in [
            (34.0, 70.0, False, 200.0, 2.0),
            (12.0, 40.0, True, 50.0, 1.0),
            (40.0, -1.0, False, 100.0, 2.0),
            (20.0, 80.0, False, math.nan, math.nan),
        ]
    ]
    result = assess_table(csa, pa.Table.from_pylist(table), units=UNITS)
    assert isinstance(result, pa.Table)
    assert result.column_names == [*FIELDS, *RESULT_COLUMNS]
    assert result.schema.field("doses_per_day").type == pa.int64()
    assert result.schema.field("licensed").type == pa.bool_()
    frame_result = result.to_pandas()
    for position, row in enumerate(table):
        check_row(frame_result.iloc[position], row, csa)
    assert result.column("error").null_count == 3


def test_decimal_numbers_are_read_as_the_nearest_doubles(csa: Drug) -> None:
    d = decimal.Decimal
    ages, weights = ["34", "12.5", None, "40"], ["70.3", "40", "65", "1E+3"]
    floats = frame(
        age=[None if a is None else float(a) for a in ages], weight=[float(w) for w in weights]
    )
    expected = assess_table(csa, floats, units=UNITS)[list(RESULT_COLUMNS)]
    arrow = pa.table(
        {
            "age": pa.array([None if a is None else d(a) for a in ages], pa.decimal128(5, 1)),
            "weight": pa.array([d(w) for w in weights], pa.decimal256(20, 3)),
        }
    )
    others = [c for c in RESULT_COLUMNS if c != "error"]
    from_arrow = assess_table(csa, arrow, units=UNITS).select(others)
    as_floats = pa.Table.from_pandas(floats, preserve_index=False)
    assert from_arrow.equals(assess_table(csa, as_floats, units=UNITS).select(others))
    objects = arrow.to_pandas()  # pandas reads DECIMAL as decimal.Decimal objects
    assert objects["weight"].dtype == object
    from_objects = assess_table(csa, objects, units=UNITS)[list(RESULT_COLUMNS)]
    pd.testing.assert_frame_equal(from_objects[others], expected[others])
    assert from_objects["error"].tolist()[2:] == [  # each value shown as the table gave it
        "age: missing; give the age of every row",
        "weight: 1000.000 kg is above 700 kg, heavier than any person on record; check the unit "
        "(grams or pounds read as kilograms?)",
    ]
    assert from_objects["error"].isna().tolist() == [True, True, False, False]


def test_an_object_column_of_other_values_is_not_read_as_decimals(csa: Drug) -> None:
    weights = pd.Series([decimal.Decimal("70"), "70 kg"], dtype=object)
    table = pd.DataFrame({"age": [30.0, 40.0], "weight": weights})
    with pytest.raises(InputError) as caught:
        assess_table(csa, table, units=UNITS)
    assert str(caught.value) == (
        "weight: holds object values, not numbers ('70 kg' at position 1); give the weight as "
        "numbers and its unit in units=, e.g. {'weight': 'kg'}"
    )


def test_an_object_column_of_numbers_of_several_kinds_is_read_as_its_numbers(
    csa: Drug,
) -> None:
    # Decimal with int (pandas infers "mixed-integer"), with float ("mixed"), a Fraction, a
    # numpy float32: each a number, each read as the double nearest it.
    weights = [decimal.Decimal("70.5"), 80, fractions.Fraction(141, 2), np.float32(60), 65.25]
    table = pd.DataFrame({"age": [30.0] * 5, "weight": pd.Series(weights, dtype=object)})
    floats = pd.DataFrame({"age": [30.0] * 5, "weight": [70.5, 80.0, 70.5, 60.0, 65.25]})
    pd.testing.assert_frame_equal(
        assess_table(csa, table, units=UNITS)[list(RESULT_COLUMNS)],
        assess_table(csa, floats, units=UNITS)[list(RESULT_COLUMNS)],
    )
    huge = pd.Series(
        [10**400, -fractions.Fraction(10**400, 3), decimal.Decimal("70")], dtype=object
    )
    errors = assess_table(csa, pd.DataFrame({"age": [30.0] * 3, "weight": huge}), units=UNITS)
    assert errors["error"].str.endswith("kg is infinite").tolist()[:2] == [True, True]
    assert errors["dose_high_mg_per_day"].tolist()[2] == 350.0


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("Pregnant", "pregnant"),
        ("PREGNANT", "pregnant"),
        ("Photo therapy", "phototherapy"),
        ("co-medication pathways", "co_medication_pathways"),
        ("CoMedicationPathways", "co_medication_pathways"),
        ("Amount", "amount"),
    ],
)
def test_a_column_named_as_an_optional_field_but_for_case_or_separators_is_refused(
    csa: Drug, name: str, field: str
) -> None:
    # Read as absent, "Pregnant" would make every row not pregnant without a word.
    table = pd.DataFrame({"age": [30.0], "weight": [70.0], name: [True]})
    with pytest.raises(InputError) as caught:
        assess_table(csa, table, units=UNITS)
    assert caught.value.argument == name
    assert str(caught.value).startswith(
        f"{name}: reads like the {field} field, whose column is named {field!r}: rename the "
        f"column, pass columns={{{field!r}: {name!r}}}, or drop it"
    )


def test_a_near_name_is_read_when_mapped_and_left_alone_beside_the_field(csa: Drug) -> None:
    table = pd.DataFrame({"age": [30.0], "weight": [70.0], "Pregnant": [True]})
    mapped = assess_table(csa, table, units=UNITS, columns={"pregnant": "Pregnant"})
    assert mapped[FINDING_COLUMNS[FindingKind.PREGNANCY]].tolist() == [True]
    both = table.assign(pregnant=[False])  # the field's own column is read; "Pregnant" is not
    assert assess_table(csa, both, units=UNITS)[
        FINDING_COLUMNS[FindingKind.PREGNANCY]
    ].tolist() == [False]


def test_a_column_name_that_does_not_print_is_shown_escaped(csa: Drug) -> None:
    name = "age\x1b[31m\n"
    table = pd.DataFrame({name: [-5.0], "weight": [70.0]})
    marked = assess_table(csa, table, units=UNITS, columns={"age": name})
    assert marked["error"][0] == "'age\\x1b[31m\\n': -5.0 year must lie between 0 and 130 years"
    with pytest.raises(DoseInputError) as caught:
        assess_table(csa, table, units=UNITS, columns={"age": name}, errors="raise")
    assert caught.value.argument == name  # the name itself, for the program
    assert str(caught.value).startswith("'age\\x1b[31m\\n'[0]: ")


def test_a_bad_row_whose_label_other_rows_share_is_also_given_by_position(csa: Drug) -> None:
    table = pd.DataFrame({"age": [30.0] * 3, "weight": [70.0, -1.0, 70.0]}, index=[1, 1, 2])
    with pytest.raises(DoseInputError) as caught:
        assess_table(csa, table, units=UNITS, errors="raise")
    assert str(caught.value) == (
        "weight[1]: row at position 1 (index label 1, which other rows share): -1.0 kg must be "
        "positive"
    )
    assert caught.value.index == 1


def _in_pounds(partition: pd.DataFrame) -> pd.DataFrame:
    """TEST ONLY: a partition whose weights are turned into a pint-pandas column in lb."""
    return partition.assign(
        weight=pd.Series(partition["weight"].to_numpy() * 2.2, dtype="pint[lb]")
    )


def test_a_dask_partition_in_another_unit_than_the_meta_is_refused(csa: Drug) -> None:
    # Dask takes a map_partitions' meta on trust: a partition in lb under a meta in kg was
    # read as kg (a dose 2.2 times too high). The plan's unit is checked on each partition.
    pytest.importorskip("pint_pandas")
    dd = pytest.importorskip("dask.dataframe")
    kg = pd.DataFrame({"age": [30.0, 40.0], "weight": pd.Series([70.0, 80.0], dtype="pint[kg]")})
    table = dd.from_pandas(kg, npartitions=1)
    assert assess_table(csa, table, units={"age": "year"}).compute(scheduler="sync")[
        "dose_high_mg_per_day"
    ].tolist() == [
        350.0,
        400.0,
    ]
    lb = table.map_partitions(_in_pounds, meta=table._meta)
    with pytest.raises(InputError) as caught:
        assess_table(csa, lb, units={"age": "year"}).compute(scheduler="sync")
    assert str(caught.value) == (
        "weight: a partition of the Dask table holds a pint-pandas column in pound, but the "
        "table's meta holds a pint-pandas column in kilogram; make every partition agree with "
        "the meta (its dtypes are what the unit is read from)"
    )


@pytest.mark.parametrize(
    "weights", [[70, 80], [70.0, None], [70, 80.5], [decimal.Decimal("70"), None]], ids=str
)
def test_an_object_column_of_numbers_is_read_as_its_numbers(
    csa: Drug, weights: list[object]
) -> None:
    table = pd.DataFrame({"age": [30.0, 40.0], "weight": pd.Series(weights, dtype=object)})
    as_floats = [math.nan if w is None else float(str(w)) for w in weights]
    floats = pd.DataFrame({"age": [30.0, 40.0], "weight": as_floats})
    pd.testing.assert_frame_equal(
        assess_table(csa, table, units=UNITS)[list(RESULT_COLUMNS)],
        assess_table(csa, floats, units=UNITS)[list(RESULT_COLUMNS)],
    )


@pytest.mark.parametrize(
    "weights",
    [[True, False], [70, True], [np.timedelta64(70, "D"), decimal.Decimal(70)]],
    ids=str,
)
def test_an_object_column_with_true_or_false_is_not_numbers(
    csa: Drug, weights: list[object]
) -> None:
    table = pd.DataFrame({"age": [30.0, 40.0], "weight": pd.Series(weights, dtype=object)})
    with pytest.raises(InputError, match=r"^weight: holds object values, not numbers"):
        assess_table(csa, table, units=UNITS)


def test_decimals_of_arrow_are_the_nearest_doubles_to_the_last_bit(csa: Drug) -> None:
    # Arrow's own decimal-to-float cast is not correctly rounded (30.2 -> 30.200000000000003)
    weights = [decimal.Decimal(f"{tenths / 10:.1f}") for tenths in range(300, 1000)]
    arrow = pa.table(
        {"age": [30.0] * len(weights), "weight": pa.array(weights, pa.decimal128(4, 1))}
    )
    floats = frame(age=[30.0] * len(weights), weight=[float(w) for w in weights])
    from_arrow = assess_table(csa, arrow, units=UNITS).to_pandas()
    expected = assess_table(csa, floats, units=UNITS)
    for name in ("dose_low_mg_per_day", "dose_high_mg_per_day", "per_dose_low_mg"):
        assert from_arrow[name].tolist() == expected[name].tolist()
    heavy = pa.table(
        {"age": [30.0], "weight": pa.array([decimal.Decimal("1000.000")], pa.decimal128(7, 3))}
    )
    error = assess_table(csa, heavy, units=UNITS)["error"].to_pylist()[0]
    assert str(error).startswith("weight: 1000.000 kg is above 700 kg")  # as the table gives it


def test_an_int_beyond_the_floats_is_a_row_error_not_a_signalling_nan(csa: Drug) -> None:
    weights = pd.Series([70, 10**400, None, -(10**400)], dtype=object)
    table = pd.DataFrame({"age": [30.0] * 4, "weight": weights})
    errors = assess_table(csa, table, units=UNITS)["error"].tolist()
    assert errors[0] is pd.NA
    assert errors[1].startswith("weight: 1000")
    assert errors[1].endswith("kg is infinite")
    assert errors[2] == "weight: missing; give the body weight of every row"
    assert errors[3].startswith("weight: -1000")
    assert errors[3].endswith("kg is infinite")


@pytest.mark.parametrize("pregnant", [[True, 1, False, 0], [1, True, 0, False]], ids=str)
def test_true_and_1_are_told_apart_whatever_comes_first(csa: Drug, pregnant: list[object]) -> None:
    cells = pd.Series(pregnant, dtype=object)
    table = pd.DataFrame({"age": [30.0] * 4, "weight": [70.0] * 4, "pregnant": cells})
    result = assess_table(csa, table, units=UNITS)
    for position, value in enumerate(pregnant):
        if isinstance(value, bool):
            assert result["error"][position] is pd.NA
            assert bool(result["finding_pregnancy"][position]) == value
        else:
            assert result["error"][position] == f"pregnant: expected true or false, got {value}"


@pytest.mark.parametrize(
    ("field", "dtype", "expected"),
    [
        (  # 2 per hour is 48 a day, not 2
            "frequency",
            "pint[1/hour]",
            "frequency: carries a unit (1 / hour), but the frequency takes none; give it as "
            "plain values (a count per period, without a unit)",
        ),
        (
            "pregnant",
            "pint[kg]",
            "pregnant: carries a unit (kilogram), but the pregnant takes none; give it as plain "
            "values (without a unit)",
        ),
    ],
)
def test_a_pint_column_for_a_field_without_a_unit_is_refused(
    csa: Drug, field: str, dtype: str, expected: str
) -> None:
    pytest.importorskip("pint_pandas")
    table = pd.DataFrame(
        {"age": [30.0], "weight": [70.0], "amount": [100.0], "frequency": [2.0]}
    ).assign(**{field: pd.Series([2.0], dtype=dtype)})
    with pytest.raises(InputError) as caught:
        assess_table(csa, table, units=UNITS)
    assert str(caught.value) == expected


def test_a_decimal_signalling_nan_is_named(csa: Drug) -> None:
    table = frame(age=[decimal.Decimal("30")], weight=[decimal.Decimal("sNaN")])
    with pytest.raises(InputError, match=r"^weight: holds a decimal signalling NaN \(sNaN\)"):
        assess_table(csa, table, units=UNITS)


# --- worked rows -------------------------------------------------------------------------------


def test_a_worked_cohort(csa: Drug) -> None:
    cohort = frame(
        age=[34, 12, 40, 15],
        weight=[154.0, 88.0, 154.0, 110.0],
        amount=[0.2, 0.05, 0.1, None],
        frequency=[2, 2, 1, None],
        phototherapy=["UVA, puva", "", None, "UVB"],
    )
    result = assess_table(csa, cohort, units={"age": "year", "weight": "lb", "amount": "g"})
    assert result["population"].tolist() == ["adult", "child", "adult", "child"]
    # 154 lb = 69.853 kg: 2.5-5 mg/kg/day, so 174.6-349.3 mg/day; 400 mg/day is above.
    kg = 154 * 0.45359237
    assert result["dose_low_mg_per_day"][0] == pytest.approx(2.5 * kg, rel=1e-12)
    assert result["dose_status"].tolist()[:3] == ["above", "within", "below"]
    assert pd.isna(result["dose_status"][3])
    assert result["finding_avoid_combination"].tolist() == [True, False, False, True]
    assert result["finding_off_label"].tolist() == [False, True, False, True]
    assert result["finding_children"].tolist() == [False, True, False, True]
    assert result["error"].isna().all()
    assert result.index.equals(cohort.index)


def test_grams_and_micrograms_are_read_as_one_patient_reads_them(csa: Drug) -> None:
    # A whole table converts as one value does: grams and micrograms divided by 1000, never
    # times 0.001 (1001 x 0.001 is not 1.001 in floats), so every figure is the same double.
    ages = [40.0, 3.0, 30.0, 12.0]
    weights_g = [1001.0, 9013.0, 70013.0, 36001.0]
    amounts_ug = [87_513.0, 9_001.0, 175_003.0, 1_001.0]
    frequencies = [2, 2, 1, 2]
    table = frame(age=ages, weight=weights_g, amount=amounts_ug, frequency=frequencies)
    result = assess_table(csa, table, units={"age": "year", "weight": "g", "amount": "ug"})
    assert result["error"].isna().all()
    for i, (age, weight, amount, frequency) in enumerate(
        zip(ages, weights_g, amounts_ug, frequencies, strict=True)
    ):
        patient = Patient(Q(age, "year"), Q(weight, "g"))
        found = assess(csa, patient, prescription=Prescription(Q(amount, "ug"), frequency))
        assert found.dose_check is not None
        assert result["dose_low_mg_per_day"][i] == found.dose.low.m_as("mg/day")
        assert result["dose_high_mg_per_day"][i] == found.dose.high.m_as("mg/day")
        assert result["dose_status"][i] == found.dose_check.status.value
        assert result["dose_deviation"][i] == found.dose_check.deviation
    assert result["dose_low_mg_per_day"][0] == 2.5 * (1001.0 / 1000)


def test_result_dtypes(csa: Drug) -> None:
    result = assess_table(csa, frame(age=[30], weight=[70]), units=UNITS)
    dtypes = {name: str(result[name].dtype) for name in RESULT_COLUMNS}
    assert dtypes["population"] == dtypes["regimen"] == dtypes["dose_status"] == "category"
    assert list(result["regimen"].cat.categories) == [r.label for r in csa.regimens]
    assert dtypes["dose_low_mg_per_day"] == "float64"
    assert dtypes["doses_per_day"] == "Int64"
    assert dtypes["licensed"] == "boolean"
    assert dtypes["finding_off_label"] == "boolean"
    assert dtypes["error"] == "string"


def test_an_empty_table_gives_the_columns_and_no_rows(csa: Drug) -> None:
    result = assess_table(csa, frame(age=[], weight=[]), units=UNITS)
    assert list(result.columns) == ["age", "weight", *RESULT_COLUMNS]
    assert len(result) == 0


def test_the_index_and_other_columns_are_kept(csa: Drug) -> None:
    cohort = pd.DataFrame(
        {"id": ["a", "b"], "age": [30, 40], "weight": [70, 80]}, index=["p1", "p2"]
    )
    result = assess_table(csa, cohort, units=UNITS)
    assert list(result.index) == ["p1", "p2"]
    assert result["id"].tolist() == ["a", "b"]
    assert cohort.columns.tolist() == ["id", "age", "weight"]  # the input is not changed


def test_columns_map_fields_to_the_callers_names(csa: Drug) -> None:
    cohort = frame(years=[30], kg=[70], dose=[150], times=[2])
    result = assess_table(
        csa,
        cohort,
        columns={"age": "years", "weight": "kg", "amount": "dose", "frequency": "times"},
        units=UNITS,
    )
    assert result["dose_status"][0] == "within"


# --- bad rows ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("weight", 0.1, "below 0.2 kg"),
        ("weight", 701.0, "above 700 kg"),
        ("weight", math.nan, "missing"),
        ("weight", -2.0, "must be positive"),
        ("age", -1.0, "-1.0 year must lie between 0 and 130 years"),
        ("age", math.nan, "missing"),
        ("phototherapy", "UVC", "'UVC' is not a phototherapy"),
        ("co_medication_pathways", "CYP2D6", "'CYP2D6' is not a pathway"),
        ("frequency", 0.0, "whole number from 1"),
        ("frequency", 2.5, "whole number from 1"),
        ("amount", 0.0, "must be positive"),
        ("amount", 200_000.0, "more than 100 g"),
    ],
)
def test_a_bad_row_is_marked_and_the_others_assessed(
    csa: Drug, column: str, value: object, words: str
) -> None:
    good: dict[str, Any] = {
        "age": 30.0,
        "weight": 70.0,
        "phototherapy": "",
        "co_medication_pathways": "",
        "amount": 150.0,
        "frequency": 2.0,
    }
    cohort = pd.DataFrame([good, {**good, column: value}, good])
    result = assess_table(csa, cohort, units=UNITS)
    assert result["error"].isna().tolist() == [True, False, True]
    assert result["error"][1].startswith(f"{column}: ")
    assert words in result["error"][1]
    assert result[list(RESULT_COLUMNS[:-1])].iloc[1].isna().all()
    with pytest.raises(DoseInputError) as raised:
        assess_table(csa, cohort, units=UNITS, errors="raise")
    assert raised.value.argument == column
    assert raised.value.index == 1
    assert words in raised.value.problem


def test_raise_names_the_first_bad_rows_label(csa: Drug) -> None:
    cohort = pd.DataFrame({"age": [30, 30, 30], "weight": [70, 7000, -1]}, index=["p1", "p2", "p3"])
    with pytest.raises(DoseInputError, match=r"^weight\['p2'\]: 7000 kg is above 700 kg"):
        assess_table(csa, cohort, units=UNITS, errors="raise")


def test_values_in_errors_are_shown_safely(csa: Drug) -> None:
    cohort = frame(age=[30], weight=[70], phototherapy=["UVA," + "x" * 200])
    message = assess_table(csa, cohort, units=UNITS)["error"][0]
    assert len(message) < 200


def test_a_half_given_prescription_is_an_error(csa: Drug) -> None:
    cohort = frame(age=[30, 30], weight=[70, 70], amount=[150, None], frequency=[None, 2])
    errors = assess_table(csa, cohort, units=UNITS)["error"].tolist()
    assert errors[0].startswith("frequency: missing while the amount is given")
    assert errors[1].startswith("amount: missing while the frequency is given")


def test_pregnant_must_be_true_or_false(csa: Drug) -> None:
    cohort = frame(age=[30, 30, 30], weight=[70, 70, 70], pregnant=[True, None, "yes"])
    errors = assess_table(csa, cohort, units=UNITS)["error"].tolist()
    assert pd.isna(errors[0])
    assert errors[1] == "pregnant: missing; give true or false for every row"
    assert errors[2] == "pregnant: expected true or false, got 'yes'"


# --- bad tables ---------------------------------------------------------------------------------


def test_a_missing_required_column_is_named(csa: Drug) -> None:
    with pytest.raises(InputError, match=r"^weight: the table has no column 'weight'"):
        assess_table(csa, frame(age=[30], mass=[70]), units=UNITS)
    with pytest.raises(InputError, match=r"^kg: the table has no column 'kg'"):
        assess_table(csa, frame(age=[30]), columns={"weight": "kg"}, units=UNITS)


def test_plain_numbers_need_a_unit(csa: Drug) -> None:
    with pytest.raises(InputError, match=r"^weight: holds plain numbers and no unit"):
        assess_table(csa, frame(age=[30], weight=[70]), units={"age": "year"})


def test_a_unit_of_the_wrong_dimension_is_refused(csa: Drug) -> None:
    with pytest.raises(InputError, match=r"^age: .* is not a unit of time"):
        assess_table(csa, frame(age=[30], weight=[70]), units={"age": "kg", "weight": "kg"})
    with pytest.raises(InputError, match=r"^weight: .*not a unit pint knows"):
        assess_table(csa, frame(age=[30], weight=[70]), units={"age": "year", "weight": "kgz"})


@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ({"units": {"age": "year", "weight": "kg", "frequency": "1"}}, "frequency.* takes no unit"),
        ({"units": "kg"}, "expected a mapping"),
        ({"columns": {"mass": "weight"}}, "'mass' is not a field"),
        ({"errors": "ignore"}, "expected 'mark' or 'raise'"),
        ({"phase": "acute"}, "expected None, Phase.ACUTE"),
        ({"adult_from": "18 kg"}, "adult_from"),
        ({"units": {"age": "year", "weight": "9**9**9"}}, "not a unit name"),
    ],
)
def test_bad_arguments_are_refused(csa: Drug, options: dict[str, Any], pattern: str) -> None:
    arguments: dict[str, Any] = {"units": UNITS, **options}
    with pytest.raises(ArgumentError, match=pattern):
        assess_table(csa, frame(age=[30], weight=[70]), **arguments)


def test_amount_needs_frequency(csa: Drug) -> None:
    with pytest.raises(InputError, match=r"^amount: a prescription needs both"):
        assess_table(csa, frame(age=[30], weight=[70], amount=[150]), units=UNITS)


def test_a_result_column_in_the_input_is_refused(csa: Drug) -> None:
    with pytest.raises(InputError, match="already has a column named 'error'"):
        assess_table(csa, frame(age=[30], weight=[70], error=[""]), units=UNITS)


def test_text_where_numbers_belong_is_refused(csa: Drug) -> None:
    with pytest.raises(InputError, match=r"^weight: holds .* not numbers"):
        assess_table(csa, frame(age=[30], weight=["70 kg"]), units=UNITS)


def test_an_unsupported_table_is_refused(csa: Drug) -> None:
    with pytest.raises(ArgumentTypeError, match="expected a pandas DataFrame, a pyarrow Table"):
        assess_table(csa, [{"age": 30, "weight": 70}], units=UNITS)  # type: ignore[call-overload]


# --- units ---------------------------------------------------------------------------------------


def test_units_are_converted_once_and_exactly(csa: Drug) -> None:
    in_lb = assess_table(
        csa, frame(age=[360], weight=[154.0]), units={"age": "month", "weight": "lb"}
    )
    dose = ae_systemic.daily_dose(csa, Q(154.0, "lb"))
    assert in_lb["dose_high_mg_per_day"][0] == dose.high.m_as("mg/day")
    assert in_lb["population"][0] == "adult"


def test_pint_pandas_columns_carry_their_unit(csa: Drug) -> None:
    pint_pandas = pytest.importorskip("pint_pandas")
    del pint_pandas
    cohort = pd.DataFrame(
        {
            "age": pd.Series([30.0, 12.0], dtype="pint[year]"),
            "weight": pd.Series([154.0, 88.0], dtype="pint[lb]"),
        }
    )
    result = assess_table(csa, cohort)
    assert result["dose_high_mg_per_day"][0] == ae_systemic.daily_dose(
        csa, Q(154.0, "lb")
    ).high.m_as("mg/day")
    assert assess_table(csa, cohort, units={"weight": "lb"})["error"].isna().all()
    with pytest.raises(InputError, match=r"^weight: the column carries its own unit"):
        assess_table(csa, cohort, units={"weight": "kg"})


# --- pickling and summaries ---------------------------------------------------------------------


def test_errors_of_rows_pickle(csa: Drug) -> None:
    cohort = frame(age=[30], weight=[-1])
    with pytest.raises(DoseInputError) as raised:
        assess_table(csa, cohort, units=UNITS, errors="raise")
    copy = pickle.loads(pickle.dumps(raised.value))
    assert (copy.argument, copy.problem, copy.index) == ("weight", raised.value.problem, 0)


def test_summarize_counts_and_percentages(csa: Drug) -> None:
    cohort = frame(
        age=[34, 12, 40, 30, 30],
        weight=[70.0, 40.0, -1.0, 70.0, 70.0],
        amount=[200, 50, 100, None, 50],
        frequency=[2, 2, 2, None, 1],
    )
    summary = summarize(assess_table(csa, cohort, units=UNITS))
    assert summary.loc[("rows", "assessed"), "rows"] == 4
    assert summary.loc[("rows", "with errors"), "rows"] == 1
    assert summary.loc[("rows", "with errors"), "percent"] == 20.0
    assert summary.loc[("dose_status", "above"), "rows"] == 1
    assert summary.loc[("dose_status", "within"), "rows"] == 1
    assert summary.loc[("dose_status", "below"), "rows"] == 1
    assert summary.loc[("dose_status", "no prescription"), "rows"] == 1
    assert summary.loc[("finding", "off-label"), "percent"] == 25.0
    assert summary.loc[("finding", "monitoring"), "rows"] == 4
    arrow = summarize(assess_table(csa, pa.Table.from_pandas(cohort), units=UNITS))
    pd.testing.assert_frame_equal(arrow, summary)


def test_summarize_needs_a_result(csa: Drug) -> None:
    with pytest.raises(InputError, match="has no column 'population'"):
        summarize(frame(age=[30]))


def counted_daily_doses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one each time the cohort code calls ``daily_dose``."""
    import ae_systemic._cohort as cohort_module

    calls: list[int] = []
    real = ae_systemic.daily_dose

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cohort_module, "daily_dose", counting)
    return calls


def test_assess_table_is_vectorised_the_regimen_once_per_population(
    csa: Drug, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counted_daily_doses(monkeypatch)
    rng = np.random.default_rng(1)
    cohort = frame(age=list(rng.uniform(2, 90, 5000)), weight=list(rng.uniform(10, 120, 5000)))
    result = assess_table(csa, cohort, units=UNITS)
    assert len(calls) == 2  # one per population, whatever the number of rows
    assert result["error"].isna().all()


def test_columns_not_named_by_strings_are_kept_but_not_read(csa: Drug) -> None:
    cohort = pd.DataFrame({"age": [30], "weight": [70], 0: ["kept"]})
    result = assess_table(csa, cohort, units=UNITS)
    assert result[0].tolist() == ["kept"]
    with pytest.raises(ArgumentTypeError, match="the column of frequency must be a name"):
        assess_table(csa, cohort, units=UNITS, columns={"frequency": 0})  # type: ignore[dict-item]


# --- whole messages of tables and arguments that cannot be read -------------------------------

BASE = {"age": [30], "weight": [70]}


@pytest.mark.parametrize(
    ("options", "kind", "message"),
    [
        (
            {"columns": "weight"},
            ArgumentTypeError,
            "columns: expected a mapping of field to column name such as "
            "{'weight': 'weight_kg'}, got str",
        ),
        (
            {"columns": {"mass": "weight"}},
            InputError,
            "columns: 'mass' is not a field; the fields are age, weight, pregnant, "
            "phototherapy, co_medication_pathways, amount, frequency, period",
        ),
        (
            {"columns": {"frequency": 0}},
            ArgumentTypeError,
            "columns: the column of frequency must be a name (a string), got 0",
        ),
        (
            {"columns": {"weight": "age"}},
            InputError,
            "age: two fields read this column; give each field its own column",
        ),
        ({"errors": "ignore"}, InputError, "errors: expected 'mark' or 'raise', got 'ignore'"),
        (
            {"phase": "acute"},
            ArgumentTypeError,
            "phase: expected None, Phase.ACUTE or Phase.LONG_TERM, got 'acute'",
        ),
        (
            {"units": "kg"},
            ArgumentTypeError,
            "units: expected a mapping of field to unit such as {'weight': 'kg'}, got str",
        ),
        (
            {"units": {**UNITS, "frequency": "1"}},
            InputError,
            "units: 'frequency' takes no unit; units are given for age, weight, amount, period",
        ),
        (
            {"units": {"age": 5, "weight": "kg"}},
            ArgumentTypeError,
            "units: the unit of age must be a unit name such as 'year'",
        ),
        (
            {"units": {"age": "year", "weight": "9**9**9"}},
            InputError,
            "weight: '9**9**9' is not a unit name; write e.g. 'kg'",
        ),
        (
            {"units": {"age": "year", "weight": "kgz"}},
            InputError,
            "weight: 'kgz' is not a unit pint knows; write e.g. 'kg'",
        ),
        (
            {"adult_from": "18 kg"},
            DoseInputError,
            "adult_from: kilogram is not a unit of time; give it in years or months",
        ),
    ],
    ids=[
        "columns-not-a-mapping",
        "columns-unknown-field",
        "columns-name-not-text",
        "columns-shared",
        "errors",
        "phase",
        "units-not-a-mapping",
        "units-field-without-unit",
        "units-not-text",
        "units-not-a-unit-name",
        "units-unknown-to-pint",
        "adult-from-not-a-time",
    ],
)
def test_a_bad_argument_gets_its_whole_message(
    csa: Drug, options: dict[str, Any], kind: type[ArgumentError], message: str
) -> None:
    """Each message names the argument (or column), the problem and the fix, word for word."""
    arguments: dict[str, Any] = {"units": UNITS, **options}
    with pytest.raises(kind) as raised:
        assess_table(csa, frame(**BASE), **arguments)
    assert str(raised.value) == message
    assert raised.value.argument == message.split(":")[0]


@pytest.mark.parametrize(
    ("columns", "mapping", "message"),
    [
        (
            {"age": [30], "mass": [70]},
            None,
            "weight: the table has no column 'weight' (the weight field); its columns are "
            "'age', 'mass'; name it with columns={'weight': ...}",
        ),
        (
            {"age": [30]},
            {"weight": "kg"},
            "kg: the table has no column 'kg' (the weight field); its columns are 'age'",
        ),
        (
            {**BASE, "amount": [150]},
            None,
            "amount: a prescription needs both amount and frequency; the table has an amount "
            "column but no frequency column",
        ),
        (
            {**BASE, "frequency": [2]},
            None,
            "frequency: a prescription needs both amount and frequency; the table has a "
            "frequency column but no amount column",
        ),
        (
            {**BASE, "period": [24]},
            None,
            "period: a period column needs amount and frequency columns beside it",
        ),
        (
            {**BASE, "error": [""]},
            None,
            "table: already has a column named 'error', which the result adds; rename or "
            "drop it (is it an earlier result?)",
        ),
    ],
    ids=[
        "missing-column",
        "missing-mapped-column",
        "amount-without-frequency",
        "frequency-without-amount",
        "period-without-prescription",
        "result-column-in-input",
    ],
)
def test_a_table_that_cannot_be_read_gets_its_whole_message(
    csa: Drug, columns: dict[str, list[Any]], mapping: dict[str, str] | None, message: str
) -> None:
    with pytest.raises(InputError) as raised:
        assess_table(csa, frame(**columns), units=UNITS, columns=mapping)
    assert str(raised.value) == message
    assert raised.value.argument == message.split(":")[0]


def test_an_unsupported_table_is_named_by_module_and_class(csa: Drug) -> None:
    with pytest.raises(ArgumentTypeError) as raised:
        assess_table(csa, np.zeros(2), units=UNITS)  # type: ignore[call-overload]
    assert str(raised.value) == (
        "table: expected a pandas DataFrame, a pyarrow Table or a Dask DataFrame, got numpy.ndarray"
    )
    assert raised.value.argument == "table"


def test_arrow_text_where_numbers_belong_is_named_as_pandas_strings(csa: Drug) -> None:
    """Arrow text is read as pandas' nullable strings: the message names their dtype."""
    table = pa.table({"age": pa.array(["30"]), "weight": pa.array([70.0])})
    with pytest.raises(InputError) as raised:
        assess_table(csa, table, units=UNITS)
    assert str(raised.value) == (
        "age: holds string values, not numbers; give the age as numbers and its unit in "
        "units=, e.g. {'age': 'year'}"
    )


def test_an_arrow_result_has_nulls_not_nans(csa: Drug) -> None:
    """The rows with an error, and the rows without a prescription, are null in arrow."""
    table = pa.table({"age": pa.array([30.0, 30.0]), "weight": pa.array([70.0, -1.0])})
    result = assess_table(csa, table, units=UNITS)
    assert result.column("dose_low_mg_per_day").to_pylist() == [175.0, None]
    assert result.column("dose_high_mg_per_day").to_pylist() == [350.0, None]
    assert result.column("dose_deviation").to_pylist() == [None, None]
    assert result.column("dose_deviation").null_count == 2


def test_a_period_problem_names_the_time_unit_by_its_name(csa: Drug) -> None:
    cohort = frame(
        age=[30, 30], weight=[70, 70], amount=[150, 150], frequency=[2, 2], period=[-1.0, 0.0]
    )
    errors = assess_table(csa, cohort, units=UNITS)["error"].tolist()
    assert errors == ["period: -1.0 hour must be positive", "period: 0.0 hour must be positive"]


def test_prescribed_does_not_read_the_age_again(csa: Drug) -> None:
    """The age needs no unit in prescribed: only the weight and the prescription are read."""
    cohort = frame(age=[30], weight=[70.0], amount=[150.0], frequency=[2.0])
    result = assess_table(csa, cohort, units=UNITS)
    kg, daily = prescribed(result, csa, units={"weight": "kg", "amount": "mg"})
    assert kg.tolist() == [70.0]
    assert daily.tolist() == [300.0]  # 150 mg twice a day


def test_a_column_carrying_its_unit_is_not_recorded_as_a_given_unit(csa: Drug) -> None:
    pytest.importorskip("pint_pandas")
    cohort = pd.DataFrame({"age": [30.0], "weight": pd.Series([154.0], dtype="pint[lb]")})
    result = assess_table(csa, cohort, units={"age": "year"})
    assert result.attrs[ASSESSED_WITH] == {
        "drug": "ciclosporin",
        "columns": {"age": "age", "weight": "weight"},
        "units": {"age": "year"},
    }


def test_without_pandas_the_cohort_extra_is_named(
    csa: Drug, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if pandas were not installed
    with pytest.raises(ae_systemic.MissingExtraError) as raised:
        assess_table(csa, {"age": [30]}, units=UNITS)  # type: ignore[call-overload]
    assert str(raised.value) == "assess_table needs pandas: pip install 'ae-systemic[cohort]'"
    assert raised.value.feature == "assess_table"


# --- Dask tables (in this process) ---------------------------------------------------------------


def test_a_dask_table_without_distributed_names_the_dask_extra(
    csa: Drug, monkeypatch: pytest.MonkeyPatch
) -> None:
    dd = pytest.importorskip("dask.dataframe")
    lazy = dd.from_pandas(frame(**BASE), npartitions=1)
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ae_systemic.MissingExtraError) as raised:
        assess_table(csa, lazy, units=UNITS)
    assert str(raised.value) == "assess_table needs distributed: pip install 'ae-systemic[dask]'"


def test_a_dask_result_assesses_no_row_before_it_is_computed(
    csa: Drug, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its meta is given: Dask never runs the assessment on made-up rows to guess it.

    The regimens' rates are decided once, on the client, before any row (two calls of
    daily_dose for 1 kg, one per population): a drug no row could be assessed by is refused
    at once, not in every partition.
    """
    import ae_systemic._cohort as cohort_module

    dd = pytest.importorskip("dask.dataframe")
    calls = counted_daily_doses(monkeypatch)
    assessed: list[int] = []
    real = cohort_module._assess_frame

    def counting(plan: Any, table: pd.DataFrame, *, partition: bool = False) -> pd.DataFrame:
        assessed.append(len(table))
        return real(plan, table, partition=partition)

    monkeypatch.setattr(cohort_module, "_assess_frame", counting)
    lazy = assess_table(csa, dd.from_pandas(frame(**BASE), npartitions=1), units=UNITS)
    assert list(lazy.columns) == ["age", "weight", *RESULT_COLUMNS]
    assert assessed == []
    assert len(calls) == 2
    lazy.compute(scheduler="synchronous")
    assert assessed == [1]  # the one row, when computed
    assert len(calls) == 2  # the partition reuses the rates of the plan


def test_a_dask_result_keeps_the_name_of_the_index(csa: Drug) -> None:
    dd = pytest.importorskip("dask.dataframe")
    cohort = pd.DataFrame(BASE, index=pd.Index(["p1"], name="patient"))
    lazy = assess_table(csa, dd.from_pandas(cohort, npartitions=1), units=UNITS)
    assert lazy.index.name == "patient"
    assert lazy.compute(scheduler="synchronous").index.name == "patient"


def test_the_dask_error_dtype_is_arrow_strings_whatever_the_default_storage(csa: Drug) -> None:
    """The meta says what the partitions hold, even with pandas' python strings as default."""
    dd = pytest.importorskip("dask.dataframe")
    with pd.option_context("mode.string_storage", "python"):
        lazy = assess_table(csa, dd.from_pandas(frame(**BASE), npartitions=1), units=UNITS)
        computed = lazy.compute(scheduler="synchronous")
    assert lazy.dtypes["error"] == pd.StringDtype("pyarrow")
    assert computed.dtypes["error"] == pd.StringDtype("pyarrow")


def test_a_column_a_field_reads_may_not_appear_twice(csa: Drug) -> None:
    """Two columns named "weight": which one is the weight?  Refused, in pandas and arrow."""
    duplicated = pd.DataFrame([[30, 70.0, 80.0]], columns=["age", "weight", "weight"])
    with pytest.raises(InputError) as raised:
        assess_table(csa, duplicated, units=UNITS)
    assert str(raised.value) == "weight: the table has two columns of this name; rename one"
    arrow = pa.Table.from_arrays(
        [pa.array([30]), pa.array([70.0]), pa.array([80.0])], names=["age", "weight", "weight"]
    )
    with pytest.raises(InputError) as raised:
        assess_table(csa, arrow, units=UNITS)
    assert str(raised.value) == "weight: the table has two columns of this name; rename one"


def test_repeated_columns_no_field_reads_are_kept(csa: Drug) -> None:
    """Two "note" columns are the caller's business: both come back, the rows assessed."""
    table = pd.DataFrame([[30, 70.0, "a", "b"]], columns=["age", "weight", "note", "note"])
    result = assess_table(csa, table, units=UNITS)
    assert list(result.columns[:4]) == ["age", "weight", "note", "note"]
    assert result["dose_high_mg_per_day"].tolist() == [350.0]


def test_summarize_without_pandas_names_the_cohort_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if pandas were not installed
    with pytest.raises(ae_systemic.MissingExtraError) as raised:
        summarize({"error": [None]})  # type: ignore[arg-type]
    assert str(raised.value) == "summarize needs pandas: pip install 'ae-systemic[cohort]'"


@pytest.mark.parametrize("field", ["phototherapy", "co_medication_pathways"])
def test_arrow_true_where_text_belongs_is_shown_as_python_shows_it(csa: Drug, field: str) -> None:
    table = pa.table({"age": [30.0], "weight": [70.0], field: [True]})
    result = assess_table(csa, table, units={"age": "year", "weight": "kg"})
    assert result.column("error").to_pylist() == [
        f"{field}: expected text such as {'UVA' if field == 'phototherapy' else 'CYP3A4'!r} "
        "(a comma-separated list), got True"
    ]


def test_arrow_whole_numbers_beside_a_null_are_shown_as_given(csa: Drug) -> None:
    table = pa.table(
        {"age": pa.array([30, None, 150], pa.int64()), "weight": pa.array([70, 70, 70], pa.uint8())}
    )
    result = assess_table(csa, table, units={"age": "year", "weight": "kg"})
    assert result.column("error").to_pylist() == [
        None,
        "age: missing; give the age of every row",
        "age: 150 year must lie between 0 and 130 years",
    ]
    assert result.column("population").to_pylist() == ["adult", None, None]
