"""Cohort summaries, the prescribed doses read back, and the Dask path run in this process.

``summarize`` counts every line of its table exactly (percentages of all rows for errors,
of the rows assessed for the rest); ``prescribed`` reads each row's weight in kg and daily
amount in mg as ``assess_table`` reads them; a Dask result computed with the synchronous
scheduler (no worker processes: ``test_cohort_dask.py`` covers a real cluster) equals the
pandas result.  The cohorts are synthetic test rows, their doses computed by hand.
"""

from __future__ import annotations

import math
import sys
import warnings
from typing import Any, cast

import attrs
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import ae_systemic
from ae_systemic import (
    ArgumentTypeError,
    DoseInputError,
    DoseStatus,
    InputError,
    Prescription,
    assess_table,
    check_dose,
    summarize,
)
from ae_systemic._cohort import RESULT_COLUMNS, prescribed, result_counts, summary_frame
from ae_systemic._prescription import FLOAT_TOLERANCE
from synthetic_drugs import synthetic

CSA = ae_systemic.drug("ciclosporin")
UNITS = {"age": "year", "weight": "kg", "amount": "mg", "period": "h"}

#: 5 rows: above (400 mg/day for 70 kg), below (50 mg/day for 40 kg, a child, off-label),
#: an error (weight -1), no prescription, within (200 mg/day for 70 kg).
COHORT = pd.DataFrame(
    {
        "age": [34, 12, 40, 30, 30],
        "weight": [70.0, 40.0, -1.0, 70.0, 70.0],
        "amount": [200.0, 25.0, 100.0, None, 100.0],
        "frequency": [2.0, 2.0, 2.0, None, 2.0],
        "period": [24.0, 24.0, 24.0, None, 24.0],
    }
)


def counts_of(result: pd.DataFrame) -> dict[str, int]:
    return result_counts(result)


def table_of(summary: pd.DataFrame) -> dict[tuple[str, str], tuple[int, float]]:
    """The summary as ``{(what, value): (rows, percent)}``, in its order."""
    records = summary.reset_index().to_dict("records")
    return {
        (str(r["what"]), str(r["value"])): (int(r["rows"]), float(r["percent"])) for r in records
    }


def test_every_count_of_a_small_cohort() -> None:
    counts = counts_of(assess_table(CSA, COHORT, units=UNITS))
    assert counts["rows"] == 5
    assert counts["errors"] == 1
    assert counts["dose_status:above"] == 1
    assert counts["dose_status:below"] == 1
    assert counts["dose_status:within"] == 1
    # The error row has no status either, but is counted as an error, not here.
    assert counts["dose_status:no prescription"] == 1
    assert counts["finding:off-label"] == 1
    assert counts["finding:children"] == 1
    assert counts["finding:monitoring"] == 4
    assert counts["finding:dose-above-range"] == 1
    assert counts["finding:dose-below-range"] == 1
    assert counts["finding:pregnancy"] == 0
    assert list(counts)[:2] == ["rows", "errors"]


def test_the_summary_table_rows_and_percentages() -> None:
    summary = summarize(assess_table(CSA, COHORT, units=UNITS))
    assert list(summary.index.names) == ["what", "value"]
    assert list(summary.columns) == ["rows", "percent"]
    table = table_of(summary)
    assert table[("rows", "assessed")] == (4, 80.0)
    assert table[("rows", "with errors")] == (1, 20.0)
    assert table[("dose_status", "above")] == (1, 25.0)
    assert table[("dose_status", "below")] == (1, 25.0)
    assert table[("dose_status", "within")] == (1, 25.0)
    assert table[("dose_status", "no prescription")] == (1, 25.0)
    assert table[("finding", "off-label")] == (1, 25.0)
    assert table[("finding", "monitoring")] == (4, 100.0)
    assert [key for key in table if key[0] == "dose_status"] == [
        ("dose_status", "below"),
        ("dose_status", "within"),
        ("dose_status", "above"),
        ("dose_status", "no prescription"),
    ]
    assert [key[1] for key in table if key[0] == "finding"] == [
        "dose-above-range",
        "dose-below-range",
        "dose-frequency",
        "off-label",
        "avoid-combination",
        "interaction",
        "interaction-not-checked",
        "pregnancy",
        "children",
        "safety",
        "monitoring",
        "screening",
        "recommended-combination",
    ]


def test_a_summary_of_only_errors_has_no_percentages_of_results() -> None:
    counts = counts_of(
        assess_table(CSA, pd.DataFrame({"age": [30], "weight": [-1.0]}), units=UNITS)
    )
    table = table_of(summary_frame(counts))
    assert table[("rows", "with errors")] == (1, 100.0)
    assert table[("rows", "assessed")][0] == 0
    assert math.isnan(table[("dose_status", "no prescription")][1])
    empty = table_of(summary_frame({**counts, "rows": 0, "errors": 0}))
    assert math.isnan(empty[("rows", "assessed")][1])


def test_an_arrow_result_summarises_as_the_pandas_result() -> None:
    summary = summarize(assess_table(CSA, COHORT, units=UNITS))
    arrow = assess_table(CSA, pa.Table.from_pandas(COHORT), units=UNITS)
    assert isinstance(arrow, pa.Table)
    pd.testing.assert_frame_equal(summarize(arrow), summary)


def test_findings_read_back_as_text_are_refused_not_counted_as_true() -> None:
    # a result CSV read with dtype=str holds "False": a non-empty text, true to numpy
    result = assess_table(CSA, COHORT, units=UNITS)
    as_text = result.astype({"finding_pregnancy": "string"})
    assert as_text["finding_pregnancy"].dropna().tolist() == ["False"] * 4
    with pytest.raises(InputError) as caught:
        summarize(as_text)
    assert str(caught.value) == (
        "finding_pregnancy: holds string values, not true/false; summarize a result of "
        "assess_table, read back with its types (from Parquet, or a CSV read with true/false "
        "columns)"
    )
    as_objects = result.astype({"finding_pregnancy": object})  # booleans as objects still count
    assert result_counts(as_objects) == result_counts(result)


def test_an_arrow_result_of_only_errors_summarises_from_pandas() -> None:
    # its finding columns are all null: pandas reads them as objects, all None
    bad = pa.table({"age": [30.0, 40.0], "weight": [-1.0, 0.0]})
    result = assess_table(CSA, bad, units=UNITS).to_pandas()
    assert result["finding_pregnancy"].dtype == object
    counts = result_counts(result)
    assert (counts["rows"], counts["errors"], counts["finding:pregnancy"]) == (2, 2, 0)


def test_summarize_names_the_first_missing_column() -> None:
    with pytest.raises(InputError) as caught:
        summarize(pd.DataFrame({"population": ["adult"]}))
    assert caught.value.argument == "result"
    assert caught.value.problem == (
        f"has no column {RESULT_COLUMNS[1]!r}; summarize the table assess_table returned"
    )


@pytest.mark.parametrize("column", ["error", "dose_status", "finding_monitoring"])
def test_summarize_refuses_a_result_column_twice_naming_it(column: str) -> None:
    """Two error columns would count each error twice: refused, never a wrong count."""
    result = assess_table(CSA, COHORT, units=UNITS)
    doubled = pd.concat([result, result[[column]]], axis=1)
    arrow = pa.Table.from_pandas(result, preserve_index=False)
    arrow = arrow.append_column(column, arrow.column(column))
    for table in (doubled, arrow):
        with pytest.raises(InputError) as caught:
            summarize(table)
        assert caught.value.argument == column
        assert caught.value.problem == "the result has 2 columns of this name; drop all but one"


# -- prescribed ------------------------------------------------------------------------------


def test_prescribed_reads_weight_and_daily_amount_of_every_row() -> None:
    result = assess_table(CSA, COHORT, units=UNITS)
    kg, daily = prescribed(result, CSA)
    assert kg.tolist() == [70.0, 40.0, -1.0, 70.0, 70.0]
    # 200 mg x 2 in 24 h = 400 mg/day; 25 x 2 = 50; 100 x 2 = 200; no order: NaN.
    assert daily[[0, 1, 2, 4]].tolist() == [400.0, 50.0, 200.0, 200.0]
    assert math.isnan(daily[3])


def test_prescribed_converts_the_units_and_the_period() -> None:
    table = pd.DataFrame(
        {
            "age": [30, 30],
            "mass": [154.0, 70.0],
            "dose": [0.15, 0.1],
            "n": [1.0, 3.0],
            "h": [12.0, 48.0],
        }
    )
    units = {"age": "year", "weight": "lb", "amount": "g", "period": "h"}
    columns = {"weight": "mass", "amount": "dose", "frequency": "n", "period": "h"}
    result = assess_table(CSA, table, units=units, columns=columns)
    kg, daily = prescribed(result, CSA)
    # 154 lb = 69.85322498 kg; 0.15 g once in 12 h = 300 mg/day; 0.1 g 3 times in 48 h = 150.
    assert kg.tolist() == pytest.approx([69.85322498, 70 * 0.45359237], rel=1e-12)
    assert daily.tolist() == pytest.approx([300.0, 150.0], rel=1e-12)
    # The units and columns recorded by assess_table are the ones used without arguments;
    # given explicitly they are used as given.
    again = prescribed(result, CSA, units=units, columns=columns)
    assert again[1].tolist() == pytest.approx([300.0, 150.0], rel=1e-12)


def test_prescribed_without_a_period_column_counts_a_day() -> None:
    table = pd.DataFrame({"age": [30], "weight": [70.0], "amount": [100.0], "frequency": [3.0]})
    units = {"age": "year", "weight": "kg", "amount": "mg"}
    kg, daily = prescribed(assess_table(CSA, table, units=units), CSA)
    assert (kg.tolist(), daily.tolist()) == ([70.0], [300.0])


def test_prescribed_reads_the_result_of_a_drug_assessed_in_a_phase_without_the_phase() -> None:
    """A drug with an acute regimen only: its result is read back without asking for a phase
    (the weight and the amount a day need no regimen), as plot.dose_distribution reads it."""
    acute = next(r for r in CSA.regimens if r.phase is ae_systemic.Phase.ACUTE)
    drug = synthetic("Examplonet", acute)
    table = pd.DataFrame({"age": [30], "weight": [70.0], "amount": [150.0], "frequency": [2.0]})
    units = {"age": "year", "weight": "kg", "amount": "mg"}
    result = assess_table(drug, table, units=units, phase=ae_systemic.Phase.ACUTE)
    assert result["regimen"].tolist() == [acute.label]
    with pytest.raises(DoseInputError):  # without the phase, no row of it can be assessed
        assess_table(drug, table, units=units)
    kg, daily = prescribed(result, drug)
    assert (kg.tolist(), daily.tolist()) == ([70.0], [300.0])


def test_prescribed_needs_an_amount_column() -> None:
    result = assess_table(CSA, pd.DataFrame({"age": [30], "weight": [70.0]}), units=UNITS)
    with pytest.raises(InputError) as caught:
        prescribed(result, CSA)
    assert caught.value.argument == "result"
    assert caught.value.problem == (
        "has no amount and frequency columns, so no prescription to read"
    )


# -- the Dask path in this process -----------------------------------------------------------


def test_a_dask_result_computed_in_process_equals_the_pandas_result() -> None:
    dd = pytest.importorskip("dask.dataframe")
    import dask

    pandas_result = assess_table(CSA, COHORT, units=UNITS)
    lazy = assess_table(CSA, dd.from_pandas(COHORT, npartitions=2), units=UNITS)
    meta: Any = lazy._meta
    assert list(meta.columns) == [*COHORT.columns, *RESULT_COLUMNS]
    assert len(meta) == 0
    assert dict(meta.dtypes[list(RESULT_COLUMNS)]) == dict(
        pandas_result.dtypes[list(RESULT_COLUMNS)]
    )
    with dask.config.set(scheduler="synchronous"):
        computed = lazy.compute()
        summary = summarize(lazy)
    pd.testing.assert_frame_equal(computed, pandas_result)
    pd.testing.assert_frame_equal(summary, summarize(pandas_result))
    assert np.array_equal(
        prescribed(computed, CSA, units=UNITS)[1], prescribed(pandas_result, CSA)[1], equal_nan=True
    )


# -- arrow tables ----------------------------------------------------------------------------


def test_an_arrow_table_is_read_with_the_same_options_as_a_frame() -> None:
    table = pd.DataFrame(
        {"years": [17.0, 17.0, 10.0], "kg": [70.0, 70.0, 30.0], "mg": [100.0, None, 40.0]}
    )
    table["n"] = [2.0, None, 2.0]
    options: dict[str, Any] = {
        "units": {"age": "year", "weight": "kg", "amount": "mg"},
        "columns": {"age": "years", "weight": "kg", "amount": "mg", "frequency": "n"},
        "phase": ae_systemic.Phase.ACUTE,
        "adult_from": "16 years",
    }
    frame_result = assess_table(CSA, table, **options)
    arrow_result = assess_table(CSA, pa.Table.from_pandas(table, preserve_index=False), **options)
    assert isinstance(arrow_result, pa.Table)
    from_arrow = arrow_result.select(list(RESULT_COLUMNS)).to_pandas()
    # 17 years with adults from 16: the acute adult range, 4-5 mg/kg/day: 280-350 mg for 70 kg.
    assert from_arrow["population"].tolist() == ["adult", "adult", "child"]
    assert from_arrow["dose_low_mg_per_day"].tolist()[:2] == [280.0, 280.0]
    assert from_arrow["dose_status"].tolist()[0] == "below"
    for name in RESULT_COLUMNS:
        expected = frame_result[name].astype(object).where(frame_result[name].notna(), None)
        got = from_arrow[name].astype(object).where(from_arrow[name].notna(), None)
        assert got.tolist() == expected.tolist(), name


def test_missing_numbers_are_nulls_in_an_arrow_result() -> None:
    table = pa.table({"age": [30.0, 30.0], "weight": [70.0, -1.0]})
    result = assess_table(CSA, table, units=UNITS)
    assert isinstance(result, pa.Table)
    assert result.column("dose_low_mg_per_day").null_count == 1
    assert result.column("dose_deviation").null_count == 2
    assert result.column("error").null_count == 1
    assert result.column("dose_status").null_count == 2
    # The caller's columns are kept as they were.
    assert result.column("weight").to_pylist() == [70.0, -1.0]


@pytest.mark.parametrize("text", [pa.string(), pa.large_string()])
def test_text_columns_of_nulls_are_read_as_nothing_given(text: pa.DataType) -> None:
    table = pa.table(
        {
            "age": pa.array([30.0, 30.0]),
            "weight": pa.array([70.0, 70.0]),
            "phototherapy": pa.array([None, "UVA"], type=text),
            "co_medication_pathways": pa.array([None, None], type=text),
            "pregnant": pa.array([False, True], type=pa.bool_()),
        }
    )
    result = assess_table(CSA, table, units=UNITS)
    assert isinstance(result, pa.Table)
    assert result.column("error").to_pylist() == [None, None]
    assert result.column("finding_avoid_combination").to_pylist() == [False, True]
    assert result.column("finding_pregnancy").to_pylist() == [False, True]


# -- the row an error names --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "label", "where"),
    [
        (np.array([7, 9], dtype=np.int32), 9, "weight[9]"),
        (["a", "b"], "b", "weight['b']"),
        (pd.MultiIndex.from_tuples([(1, 7), (1, 9)]), (1, 9), "weight[1, 9]"),
        (
            pd.DatetimeIndex(["2027-01-15", "2027-01-16 08:30"]),
            "2027-01-16T08:30:00",
            "weight['2027-01-16T08:30:00']",
        ),
    ],
    ids=["int32", "str", "multiindex-of-ints", "timestamp"],
)
def test_an_error_names_the_row_by_its_index_label(
    index: Any, label: int | str | tuple[int, ...], where: str
) -> None:
    table = pd.DataFrame({"age": [30, 30], "weight": [70.0, -1.0]}, index=index)
    with pytest.raises(ae_systemic.DoseInputError) as caught:
        assess_table(CSA, table, units=UNITS, errors="raise")
    assert caught.value.index == label
    assert type(caught.value.index) is type(label)
    assert str(caught.value) == f"{where}: -1.0 kg must be positive"
    assert table.loc[label, "weight"] == -1.0  # the label finds the bad row again


@pytest.mark.parametrize(
    ("index", "shown"),
    [
        ([1.0, 0.0], "0.0"),  # weight[1] would name the good row: t.loc[1.0] is the first
        ([True, False], "False"),
        ([1.5, 2.5], "2.5"),
        (pd.MultiIndex.from_tuples([("a", 1), ("b", 2)]), "('b', 2)"),
        (pd.DatetimeIndex(["2027-01-15", None]), "NaT"),
    ],
    ids=["float", "bool", "float-not-whole", "multiindex-of-text", "not-a-time"],
)
def test_a_label_the_error_cannot_carry_is_said_to_be_a_position(index: Any, shown: str) -> None:
    """Never a bare number that reads as a label: the message says it is the row's position."""
    table = pd.DataFrame({"age": [30, 30], "weight": [70.0, -1.0]}, index=index)
    with pytest.raises(ae_systemic.DoseInputError) as caught:
        assess_table(CSA, table, units=UNITS, errors="raise")
    assert caught.value.index is None
    assert caught.value.argument == "weight"
    assert str(caught.value) == (
        f"weight: row at position 1 (index label {shown}): -1.0 kg must be positive"
    )
    assert table.iloc[1]["weight"] == -1.0


def test_a_missing_column_lists_at_most_twelve_of_the_tables_columns() -> None:
    names = [f"c{i}" for i in range(14)]
    with pytest.raises(InputError) as caught:
        assess_table(CSA, pd.DataFrame({name: [1] for name in names}))
    shown = ", ".join(repr(n) for n in names[:12])
    assert caught.value.problem == (
        f"the table has no column 'age' (the age field); its columns are {shown} and 2 more; "
        "name it with columns={'age': ...}"
    )
    with pytest.raises(InputError) as caught:
        assess_table(CSA, pd.DataFrame({name: [1] for name in names[:12]}))
    assert f"its columns are {shown};" in caught.value.problem
    with pytest.raises(InputError) as caught:
        assess_table(CSA, pd.DataFrame({name: [1] for name in names[:13]}))
    assert f"its columns are {shown} and 1 more;" in caught.value.problem
    with pytest.raises(InputError) as caught:
        assess_table(CSA, pd.DataFrame(index=range(2)))
    assert caught.value.problem == (
        "the table has no column 'age' (the age field); its columns are none; "
        "name it with columns={'age': ...}"
    )


# -- row problems, word for word -------------------------------------------------------------


def test_each_bad_row_gets_its_own_problem() -> None:
    table = pd.DataFrame(
        {
            "age": [30, None, 30, 30, 30, 30],
            "weight": [70.0] * 6,
            "amount": [-5.0, 100.0, 200000.0, 100.0, 100.0, 100.0],
            "frequency": [1.0] * 6,
            "pregnant": [False, False, False, None, True, False],
        }
    )
    result = assess_table(CSA, table, units={"age": "year", "weight": "kg", "amount": "mg"})
    errors = [None if pd.isna(e) else e for e in result["error"]]
    assert errors == [
        "amount: -5.0 mg must be positive",
        "age: missing; give the age of every row",
        "amount: 200000.0 mg is more than 100 g per administration, more than any dose of a "
        "systemic drug; check the unit (grams typed for milligrams?)",
        "pregnant: missing; give true or false for every row",
        None,
        None,
    ]
    assert result["finding_pregnancy"].tolist()[4:] == [True, False]


def test_a_pregnant_column_of_text_is_refused_row_by_row() -> None:
    table = pd.DataFrame({"age": [30, 30], "weight": [70.0, 70.0], "pregnant": ["no", "true"]})
    result = assess_table(CSA, table, units=UNITS)
    assert result["error"].tolist() == [
        "pregnant: expected true or false, got 'no'",
        "pregnant: expected true or false, got 'true'",
    ]


def test_a_pregnant_column_of_numbers_is_refused_row_by_row() -> None:
    table = pd.DataFrame({"age": [30, 30], "weight": [70.0, 70.0], "pregnant": [0, 1]})
    result = assess_table(CSA, table, units=UNITS)
    assert result["error"].tolist() == [
        "pregnant: expected true or false, got 0",
        "pregnant: expected true or false, got 1",
    ]


def test_the_no_prescription_count_leaves_out_the_rows_with_errors() -> None:
    table = pd.DataFrame(
        {
            "age": [30, 30, 30, 30],
            "weight": [70.0, 70.0, 70.0, -1.0],
            "amount": [None, None, 100.0, 100.0],
            "frequency": [None, None, 2.0, 2.0],
        }
    )
    counts = counts_of(assess_table(CSA, table, units=UNITS))
    assert (counts["errors"], counts["dose_status:no prescription"]) == (1, 2)
    assert counts["dose_status:within"] == 1


def test_prescribed_gives_infinity_for_a_period_of_zero_without_a_warning() -> None:
    table = pd.DataFrame(
        {"age": [30, 30], "weight": [70.0, 70.0], "amount": [100.0, 100.0], "frequency": [1.0, 1.0]}
    )
    table["period"] = [0.0, 24.0]
    result = assess_table(CSA, table, units=UNITS)
    _, daily = prescribed(result, CSA)
    assert daily.tolist() == [math.inf, 100.0]


def test_a_dask_table_with_columns_phase_and_adult_age_equals_the_pandas_result() -> None:
    dd = pytest.importorskip("dask.dataframe")
    import dask

    table = pd.DataFrame(
        {"years": [17.0, 10.0, 40.0], "kg": [70.0, 30.0, 80.0]}, index=["p1", "p2", "p3"]
    )
    options: dict[str, Any] = {
        "units": {"age": "year", "weight": "kg"},
        "columns": {"age": "years", "weight": "kg"},
        "phase": ae_systemic.Phase.ACUTE,
        "adult_from": "16 years",
    }
    expected = assess_table(CSA, table, **options)
    lazy = assess_table(CSA, dd.from_pandas(table, npartitions=2), **options)
    with dask.config.set(scheduler="synchronous"):
        computed = lazy.compute()
    # Dask reads the text index as its own string dtype: the rows and values are the same.
    assert computed.index.tolist() == ["p1", "p2", "p3"]
    pd.testing.assert_frame_equal(computed.reset_index(drop=True), expected.reset_index(drop=True))
    assert computed["population"].tolist() == ["adult", "child", "adult"]


def test_a_dask_table_without_the_dask_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    dd = pytest.importorskip("dask.dataframe")
    import sys

    lazy = dd.from_pandas(pd.DataFrame({"age": [30], "weight": [70.0]}), npartitions=1)
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ae_systemic.MissingExtraError) as caught:
        assess_table(CSA, lazy, units=UNITS)
    assert "dask" in str(caught.value)
    assert "distributed" in str(caught.value)


def test_the_result_columns_have_their_dtypes_and_the_result_records_its_options() -> None:
    from ae_systemic._cohort import ASSESSED_WITH

    clean = assess_table(CSA, pd.DataFrame({"age": [30], "weight": [70.0]}), units=UNITS)
    for result in (clean, assess_table(CSA, COHORT, units=UNITS)):
        assert isinstance(result["error"].dtype, pd.StringDtype)
        assert result["error"].dtype.storage == "pyarrow"
        assert isinstance(result["population"].dtype, pd.CategoricalDtype)
        assert result["population"].dtype.ordered is False
        status = result["dose_status"].dtype
        assert isinstance(status, pd.CategoricalDtype)
        assert status.ordered is False
    assert clean["error"].isna().tolist() == [True]
    assert clean.attrs[ASSESSED_WITH] == {
        "drug": "ciclosporin",
        "columns": {"age": "age", "weight": "weight"},
        "units": {"age": "year", "weight": "kilogram"},
    }


# -- another drug's content: the table's findings follow it as assess does ---------------------


def other_content() -> ae_systemic.Drug:
    """Synthetic test data: ciclosporin's content with UVB recommended instead of avoided, no
    other recommended combination, no safety statements and no pregnancy statements."""
    combinations = tuple(
        attrs.evolve(c, advice=ae_systemic.CombinationAdvice.RECOMMENDED, reason=None)
        if c.therapy == "UVB"
        else c
        for c in CSA.combinations
        if c.advice is ae_systemic.CombinationAdvice.AVOID
    )
    return attrs.evolve(
        CSA,
        name="Examplonet",
        synonyms=(),
        atc=None,
        combinations=combinations,
        safety=(),
        special_populations=tuple(p for p in CSA.special_populations if p.group != "pregnancy"),
    )


def test_the_findings_of_a_table_follow_the_drugs_content_as_assess_does() -> None:
    drug = other_content()
    table = pd.DataFrame(
        {
            "age": [30, 30, 12],
            "weight": [70.0, 70.0, 40.0],
            "phototherapy": ["UVB", "UVA", None],
            "pregnant": [True, False, False],
        }
    )
    result = assess_table(drug, table, units=UNITS)
    patients = [
        ae_systemic.Patient(
            f"{age} years",
            f"{kg} kg",
            pregnant=pregnant,
            phototherapy=frozenset({ae_systemic.Phototherapy(p)} if isinstance(p, str) else set()),
        )
        for age, kg, p, pregnant in zip(
            table["age"], table["weight"], table["phototherapy"], table["pregnant"], strict=True
        )
    ]
    for kind in ae_systemic.FindingKind:
        column = f"finding_{kind.value.replace('-', '_')}"
        expected = [bool(ae_systemic.assess(drug, p).of_kind(kind)) for p in patients]
        assert result[column].tolist() == expected, kind
    assert result["finding_avoid_combination"].tolist() == [False, True, False]
    assert result["finding_recommended_combination"].tolist() == [True, True, True]
    assert result["finding_safety"].tolist() == [False, False, False]
    assert result["finding_pregnancy"].tolist() == [False, False, False]


def test_a_column_of_true_false_values_is_no_weight() -> None:
    table = pd.DataFrame({"age": [30], "mass": [True]})
    with pytest.raises(InputError) as caught:
        assess_table(CSA, table, units=UNITS, columns={"weight": "mass"})
    assert caught.value.argument == "mass"
    assert caught.value.problem == "holds true/false values, not the numbers of the weight"


def test_a_table_at_and_beyond_every_bound_without_a_warning() -> None:
    # pyproject.toml makes every warning an error: infinities and overflows stay silent.
    table = pd.DataFrame(
        {
            "age": [0.0, 130.0, 130.0001, math.inf, 30, 30, 30],
            "weight": [0.2, 700.0, 70, 70, 700.0001, math.inf, 70],
            "amount": [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1e308],
            "frequency": [2.0] * 7,
        }
    )
    result = assess_table(CSA, table, units={"age": "year", "weight": "kg", "amount": "g"})
    errors = [None if pd.isna(e) else e.split(":")[0] for e in result["error"]]
    assert errors == [None, None, "age", "age", "weight", "weight", "amount"]
    assert result["error"].tolist()[4:] == [
        "weight: 700.0001 kg is above 700 kg, heavier than any person on record; check the "
        "unit (grams or pounds read as kilograms?)",
        "weight: inf kg is infinite",
        "amount: 1e+308 g is infinite",
    ]
    # 0.2 kg child: 0.5-1 mg/day; 700 kg adult: 1750-3500 mg/day.
    assert result["dose_low_mg_per_day"].tolist()[:2] == [0.5, 1750.0]


def test_the_edges_of_the_adult_age_amount_frequency_and_period_are_accepted() -> None:
    table = pd.DataFrame(
        {
            "age": [18.0, 17.999, 30, 30, 30],
            "weight": [70.0] * 5,
            "amount": [100.0, 100.0, 100_000.0, 100.0, 100.0],
            "frequency": [2.0, 2.0, 1.0, 1e6, 1.0],
            "period": [24.0, 24.0, 24.0, 24.0, 0.0001],  # the last: 0.36 seconds
        }
    )
    units = {"age": "year", "weight": "kg", "amount": "mg", "period": "h"}
    result = assess_table(CSA, table, units=units, phase=ae_systemic.Phase.ACUTE)
    assert result["error"].isna().all()
    assert result["population"].tolist() == ["adult", "child", "adult", "adult", "adult"]
    # Adults in an acute flare 4-5 mg/kg/day; children 2.5-5 mg/kg/day (their only regimen).
    assert result["dose_low_mg_per_day"].tolist() == [280.0, 175.0, 280.0, 280.0, 280.0]
    assert result["regimen"].tolist()[:2] == [
        "acute flare, short-term (adults)",
        "commonly used dosage children",
    ]


def test_rows_of_a_population_the_drug_has_no_regimen_for_are_errors() -> None:
    adults_only = synthetic(
        "Examplonet", *(r for r in CSA.regimens if r.population is ae_systemic.Population.ADULT)
    )
    table = pd.DataFrame({"age": [30.0, 10.0, 16.0], "weight": [70.0, 30.0, 60.0]})
    result = assess_table(adults_only, table, units=UNITS)
    problem = "age: the guideline gives Examplonet no dose regimen for children"
    assert pd.isna(result["error"][0])
    assert result["error"].tolist()[1:] == [problem, problem]
    assert result["population"].tolist()[0] == "adult"
    assert result["population"].isna().tolist() == [False, True, True]
    assert result["doses_per_day"].tolist()[0] == 2
    assert result["doses_per_day"].isna().tolist() == [False, True, True]
    assert result["regimen"].isna().tolist() == [False, True, True]
    assert result["licensed"].isna().tolist() == [False, True, True]


def test_a_row_of_exactly_16_years_is_licensed() -> None:
    table = pd.DataFrame({"age": [16.0, 15.999], "weight": [60.0, 60.0]})
    result = assess_table(CSA, table, units=UNITS)
    assert result["licensed"].tolist() == [True, False]
    assert result["finding_off_label"].tolist() == [False, True]


# -- columns of the wrong kind ----------------------------------------------------------------


@pytest.mark.parametrize("field", ["age", "amount", "frequency", "period"])
def test_a_true_false_column_is_refused_as_any_number_field(field: str) -> None:
    """The error names the column the field was read from, and the field."""
    table = COHORT.assign(flag=[True, False, True, False, True])
    with pytest.raises(InputError) as caught:
        assess_table(CSA, table, units=UNITS, columns={field: "flag"})
    assert caught.value.argument == "flag"
    assert caught.value.problem == f"holds true/false values, not the numbers of the {field}"


@pytest.mark.parametrize(
    ("field", "what"),
    [
        ("age", "real numbers"),
        ("weight", "real numbers"),
        ("amount", "real numbers"),
        ("frequency", "whole numbers"),
        ("period", "real numbers"),
    ],
)
def test_a_column_of_complex_numbers_is_refused_not_read_as_its_real_part(
    field: str, what: str
) -> None:
    """Patient and Prescription refuse a complex weight; numpy would keep 70 of 70+50j."""
    table = COHORT.assign(**{field: COHORT[field].astype(complex) + 50j})
    with pytest.raises(InputError) as caught:
        assess_table(CSA, table, units=UNITS)
    assert caught.value.argument == field
    assert caught.value.index is None
    assert caught.value.problem == (
        f"holds complex numbers (complex128), not real ones; give the {field} as {what}"
    )
    if field != "age":  # prescribed reads the weight and the prescription as assess_table does
        with pytest.raises(InputError, match=f"^{field}: holds complex numbers"):
            prescribed(assess_table(CSA, COHORT, units=UNITS).assign(**{field: table[field]}), CSA)


def test_a_complex_weight_is_refused_as_patient_refuses_it() -> None:
    table = pd.DataFrame({"age": [30], "weight": [70 + 50j], "amount": [100.0], "frequency": [2]})
    with pytest.raises(InputError) as caught:
        assess_table(CSA, table, units={"age": "year", "weight": "kg", "amount": "mg"})
    assert str(caught.value) == (
        "weight: holds complex numbers (complex128), not real ones; give the weight as real numbers"
    )
    complex_weight: Any = ae_systemic.application_registry().Quantity(70 + 50j, "kg")
    with pytest.raises(ae_systemic.ArgumentError):  # as one patient: refused, not read as 70 kg
        ae_systemic.Patient(age="30 years", weight=complex_weight)


def test_a_pint_column_of_complex_numbers_is_refused() -> None:
    pint_pandas = pytest.importorskip("pint_pandas")
    weight = pint_pandas.PintArray(np.array([70 + 50j]), dtype="pint[kg]")
    table = pd.DataFrame({"age": [30.0], "weight": weight})
    with pytest.raises(InputError) as caught:
        assess_table(CSA, table, units={"age": "year"})
    assert caught.value.argument == "weight"
    assert caught.value.problem == (
        "holds complex numbers (pint[kilogram][complex128]), not real ones; give the weight as "
        "real numbers"
    )


def test_a_dask_column_of_complex_numbers_is_refused_when_computed() -> None:
    dd = pytest.importorskip("dask.dataframe")
    import dask

    table = pd.DataFrame({"age": [30.0, 40.0], "weight": [70.0 + 0j, 70 + 50j]})
    lazy = assess_table(CSA, dd.from_pandas(table, npartitions=2), units=UNITS)
    with dask.config.set(scheduler="synchronous"), pytest.raises(InputError) as caught:
        lazy.compute()
    assert str(caught.value) == (
        "weight: holds complex numbers (complex128), not real ones; give the weight as real numbers"
    )


@pytest.mark.parametrize("field", ["weight", "amount", "frequency", "period"])
def test_prescribed_refuses_a_true_false_column_as_any_number_field(field: str) -> None:
    result = assess_table(CSA, COHORT.assign(flag=[True, False, True, False, True]), units=UNITS)
    with pytest.raises(InputError) as caught:
        prescribed(result, CSA, units=UNITS, columns={field: "flag"})
    assert caught.value.argument == "flag"
    assert caught.value.problem == f"holds true/false values, not the numbers of the {field}"


def test_prescribed_checks_its_drug_argument() -> None:
    result = assess_table(CSA, COHORT, units=UNITS)
    with pytest.raises(ArgumentTypeError) as caught:
        prescribed(result, cast(Any, 42))
    assert caught.value.argument == "drug"
    assert caught.value.problem == ("expected a Drug or a drug name such as 'ciclosporin', got int")


def test_amount_and_frequency_columns_of_only_missing_values_are_no_prescription() -> None:
    """Columns of ``None`` alone (dtype object) are read as missing numbers, not refused."""
    table = pd.DataFrame(
        {"age": [30.0, 30.0], "weight": [70.0, 70.0], "amount": [None, None]},
    )
    table["frequency"] = pd.Series([None, None], dtype=object)
    assert table["amount"].dtype == object
    result = assess_table(CSA, table, units=UNITS)
    assert result["error"].isna().tolist() == [True, True]
    assert result["dose_status"].isna().tolist() == [True, True]
    assert result["dose_low_mg_per_day"].tolist() == [175.0, 175.0]
    assert counts_of(result)["dose_status:no prescription"] == 2


def test_a_float32_amount_is_read_as_the_float64_of_its_value() -> None:
    """0.3 in float32 is 0.30000001192...: 300.0000119 mg, as check_dose reads that number."""
    amount = np.array([0.3], dtype=np.float32)
    table = pd.DataFrame({"age": [30.0], "weight": [50.0], "frequency": [1]})
    table["amount"] = amount
    result = assess_table(CSA, table, units={"age": "year", "weight": "kg", "amount": "g"})
    check = check_dose(CSA, "50 kg", Prescription(f"{float(amount[0])!r} g", frequency=1))
    # 50 kg adult: 125-250 mg/day; 300 mg a day is above, by about 20 %.
    assert check.status is DoseStatus.ABOVE
    assert result["dose_status"].tolist() == ["above"]
    assert result["dose_deviation"].tolist() == [check.deviation]
    assert check.deviation != 0.2  # the float32 value, not the decimal 0.3
    assert prescribed(result, CSA)[1].tolist() == [float(amount[0]) * 1000.0]


def test_a_pint_column_with_a_missing_value_marks_that_row() -> None:
    pytest.importorskip("pint_pandas")
    table = pd.DataFrame(
        {
            "age": pd.Series([30.0, None], dtype="pint[year][Float64]"),
            "weight": pd.Series([70.0, 80.0], dtype="pint[kg][Float64]"),
        }
    )
    result = assess_table(CSA, table)
    assert result["error"].tolist()[1] == "age: missing; give the age of every row"
    assert pd.isna(result["error"][0])
    assert result["dose_low_mg_per_day"].tolist()[0] == 175.0
    assert math.isnan(result["dose_low_mg_per_day"][1])


def test_a_nullable_boolean_pregnant_column_with_a_missing_value_marks_that_row() -> None:
    table = pd.DataFrame({"age": [30, 30, 30], "weight": [70.0, 70.0, 70.0]})
    table["pregnant"] = pd.array([True, None, False], dtype="boolean")
    result = assess_table(CSA, table, units=UNITS)
    assert result["error"].tolist()[1] == "pregnant: missing; give true or false for every row"
    assert result["error"].isna().tolist() == [True, False, True]
    assert result["finding_pregnancy"].tolist()[::2] == [True, False]


# -- numbers at the edge of float64, without a warning -----------------------------------------


@pytest.mark.parametrize(
    ("age", "weight", "error"),
    [
        (1e308, 70.0, "age: 1e+308 year must lie between 0 and 130 years"),
        (-1e308, 70.0, "age: -1e+308 year must lie between 0 and 130 years"),
        (30.0, 1e308, "weight: 1e+308 Mg is infinite"),
        (30.0, -1e308, "weight: -1e+308 Mg is infinite"),
    ],
    ids=["age-high", "age-low", "weight-high", "weight-low"],
)
def test_an_age_or_weight_that_overflows_in_its_unit_is_a_row_error(
    age: float, weight: float, error: str
) -> None:
    """As Patient says for the same values (in seconds and kg they are infinite)."""
    table = pd.DataFrame({"age": [age, 30.0], "weight": [weight, 0.07]})
    result = assess_table(CSA, table, units={"age": "year", "weight": "Mg"})
    assert [None if pd.isna(e) else e for e in result["error"]] == [error, None]
    # 0.07 Mg (megagram) = 70 kg: 175-350 mg/day.
    assert result["dose_high_mg_per_day"].tolist()[1] == 350.0


def test_a_period_that_overflows_in_seconds_is_a_row_error() -> None:
    """As Prescription says: ``period: -1e+308 day is infinite``."""
    table = pd.DataFrame(
        {"age": [30.0], "weight": [70.0], "amount": [100.0], "frequency": [2.0], "period": [-1e308]}
    )
    result = assess_table(CSA, table, units={**UNITS, "period": "day"})
    assert result["error"].tolist() == ["period: -1e+308 day is infinite"]


def test_a_period_finite_in_its_unit_but_infinite_in_seconds_is_a_row_error() -> None:
    """1e308 days is 8.6e312 s: Prescription refuses it as infinite, and so does the row."""
    with pytest.raises(DoseInputError) as raised:
        Prescription("100 mg", frequency=2, period="1e308 day")
    assert str(raised.value) == "period: 1e+308 day is infinite"
    table = pd.DataFrame(
        {"age": [30.0], "weight": [70.0], "amount": [100.0], "frequency": [2.0], "period": [1e308]}
    )
    result = assess_table(CSA, table, units={**UNITS, "period": "day"})
    assert result["error"].tolist() == ["period: 1e+308 day is infinite"]
    assert result["dose_status"].isna().tolist() == [True]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the period overflows in seconds, without a warning
        kg, daily = prescribed(result, CSA)
    assert (kg.tolist(), daily.tolist()) == ([70.0], [0.0])  # twice in infinitely many days


def test_a_deviation_near_the_float_limit_is_computed_without_a_warning() -> None:
    """150 mg 1e306 times a day for a 0.3 kg body: 1e308 above, as check_dose says.

    The deviation below the range, computed alongside and not chosen, overflows; that must
    neither warn nor change the result.
    """
    table = pd.DataFrame(
        {
            "age": [30.0],
            "weight": [0.3],
            "amount": [150.0],
            "frequency": [2.0],
            "period": [2e-306],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = assess_table(CSA, table, units={**UNITS, "period": "day"})
    check = check_dose(CSA, "0.3 kg", Prescription("150 mg", frequency=2, period="2e-306 day"))
    assert (check.status, check.deviation) == (DoseStatus.ABOVE, 1e308)
    assert result["dose_status"].tolist() == ["above"]
    assert result["dose_deviation"].tolist() == [1e308]


def test_a_text_frequency_column_is_refused_naming_it() -> None:
    """A frequency has no unit: the message asks for whole numbers, not for a unit."""
    table = pd.DataFrame({"age": [30.0], "weight": [70.0], "amount": [100.0], "frequency": ["2"]})
    with pytest.raises(InputError) as raised:
        assess_table(CSA, table, units=UNITS)
    assert str(raised.value) == (
        "frequency: holds str values, not numbers; give the frequency as whole numbers"
    )
    result = assess_table(CSA, table.assign(frequency=[2]), units=UNITS)
    with pytest.raises(InputError) as raised:
        prescribed(result.assign(frequency=["2"]), CSA)
    assert str(raised.value) == (
        "frequency: holds str values, not numbers; give the frequency as whole numbers"
    )


@pytest.mark.parametrize(
    ("amount", "period", "problem"),
    [
        (100.0, 1e-305, "is more administrations a day than a float holds"),
        (1e-300, 1e300, "is less than 2.2e-308 mg a day, too little for a float to hold"),
    ],
    ids=["overflow", "underflow"],
)
def test_an_order_whose_amount_a_day_no_float_holds_is_a_row_error_as_prescription_says(
    amount: float, period: float, problem: str
) -> None:
    """Prescription refuses such an order (naming the period); so does the row."""
    table = pd.DataFrame(
        {"age": [30.0, 30.0], "weight": [70.0, 70.0], "amount": [amount, 100.0]}
        | {"frequency": [1.0, 2.0], "period": [period, 1.0]}
    )
    result = assess_table(CSA, table, units={**UNITS, "period": "s" if period < 1 else "year"})
    with pytest.raises(DoseInputError) as raised:
        Prescription(f"{amount!r} mg", frequency=1, period=f"{period!r} s")
    assert raised.value.argument == "period"
    assert problem in raised.value.problem
    error = result["error"].tolist()[0]
    assert error.startswith(f"period: {amount!r} mg once every {period!r} ")
    assert problem in error
    assert error.endswith("; check the amount, frequency and period and their units")
    assert result["dose_status"].notna().tolist() == [False, True]  # the other row assessed


def test_an_order_whose_amount_a_day_no_float_holds_is_named_word_for_word() -> None:
    """The order as the row gives it, with the period's unit; without a period column, a day."""
    with_period = pd.DataFrame(
        {"age": [30.0], "weight": [70.0], "amount": [100.0], "frequency": [1.0]}
        | {"period": [1e-305]}
    )
    result = assess_table(CSA, with_period, units={**UNITS, "period": "s"})
    assert result["error"].tolist() == [
        "period: 100.0 mg once every 1e-305 second is more administrations a day than a float "
        "holds (it overflows to inf); check the amount, frequency and period and their units"
    ]
    without_period = pd.DataFrame(
        {"age": [30.0], "weight": [70.0], "amount": [1e-320], "frequency": [1.0]}
    )
    result = assess_table(CSA, without_period, units=UNITS)
    assert result["error"].tolist() == [
        "amount: 1e-320 mg once every 1 day is less than 2.2e-308 mg a day, too little for a "
        "float to hold (it rounds towards 0 mg/day); check the amount, frequency and period "
        "and their units"
    ]
    with pytest.raises(DoseInputError) as raised:  # Prescription gives the same day
        Prescription("1e-320 mg", frequency=1)
    assert "once every 1 day is less than 2.2e-308 mg a day" in raised.value.problem


def test_an_order_of_the_least_normal_float_a_day_is_assessed_as_prescription_holds_it() -> None:
    """The least amount a day a float holds (its smallest normal number) is no error."""
    least = sys.float_info.min
    table = pd.DataFrame({"age": [30.0], "weight": [70.0], "amount": [least], "frequency": [1.0]})
    result = assess_table(CSA, table, units=UNITS)
    expected = check_dose(CSA, "70 kg", Prescription(f"{least!r} mg", frequency=1))
    assert expected.daily.m_as("mg/day") == least
    assert result["error"].isna().tolist() == [True]
    assert result["dose_status"].tolist() == [expected.status.value] == ["below"]


# -- row problems of the prescription, word for word --------------------------------------------


def test_each_bad_period_gets_its_own_problem() -> None:
    table = pd.DataFrame(
        {
            "age": [30.0] * 5,
            "weight": [70.0] * 5,
            "amount": [100.0, 100.0, 100.0, 100.0, None],
            "frequency": [2.0, 2.0, 2.0, 2.0, None],
            "period": [None, 0.0, -24.0, math.inf, None],
        }
    )
    result = assess_table(CSA, table, units=UNITS)
    assert [None if pd.isna(e) else e for e in result["error"]] == [
        "period: missing while a prescription is given; give the period of every prescription",
        "period: 0.0 hour must be positive",
        "period: -24.0 hour must be positive",
        "period: inf hour is infinite",
        None,  # no prescription: no period needed
    ]


def test_a_frequency_that_is_no_whole_number_from_1_is_a_row_error() -> None:
    table = pd.DataFrame(
        {
            "age": [30.0] * 3,
            "weight": [70.0] * 3,
            "amount": [100.0] * 3,
            "frequency": [2.5, 0.0, 2.0],
        }
    )
    result = assess_table(CSA, table, units=UNITS)
    assert [None if pd.isna(e) else e for e in result["error"]] == [
        "frequency: must be a whole number from 1 to 1000000, got 2.5",
        "frequency: must be a whole number from 1 to 1000000, got 0.0",
        None,
    ]


# -- the edges of the comparison, as compare draws them ------------------------------------------


def test_a_daily_amount_on_the_float_noise_edge_of_the_range_is_within() -> None:
    """The range is widened by FLOAT_TOLERANCE exactly as compare does, no more, no less."""
    dose = ae_systemic.daily_dose(CSA, "70 kg")
    low, high = dose.low.m_as("mg/day"), dose.high.m_as("mg/day")
    assert (low, high) == (175.0, 350.0)
    edge_low, edge_high = low * (1 - FLOAT_TOLERANCE), high * (1 + FLOAT_TOLERANCE)
    amounts = [
        edge_low,
        edge_high,
        float(np.nextafter(edge_low, 0.0)),
        float(np.nextafter(edge_high, math.inf)),
    ]
    table = pd.DataFrame(
        {"age": [30.0] * 4, "weight": [70.0] * 4, "amount": amounts, "frequency": [1.0] * 4}
    )
    result = assess_table(CSA, table, units=UNITS)
    expected = [
        check_dose(CSA, "70 kg", Prescription(f"{amount!r} mg", frequency=1)).status.value
        for amount in amounts
    ]
    assert expected == ["within", "within", "below", "above"]
    assert result["dose_status"].tolist() == expected
    assert result["dose_deviation"].tolist()[:2] == [0.0, 0.0]


def test_administrations_a_day_within_float_noise_of_the_single_doses_match() -> None:
    """Adults take ciclosporin in 2 single doses; 2 administrations in a period a hair short
    of a day match while the gap stays within 2 x FLOAT_TOLERANCE, as in check_dose."""
    near = 86_400.0 / (1 + 0.75 * FLOAT_TOLERANCE)  # 2 + 1.5e-9 a day
    far = 86_400.0 / (1 + 1.5 * FLOAT_TOLERANCE)  # 2 + 3e-9 a day
    table = pd.DataFrame(
        {
            "age": [30.0, 30.0],
            "weight": [70.0, 70.0],
            "amount": [100.0, 100.0],
            "frequency": [2.0, 2.0],
            "period": [near, far],
        }
    )
    result = assess_table(CSA, table, units={**UNITS, "period": "s"})
    matches = [
        check_dose(
            CSA, "70 kg", Prescription("100 mg", frequency=2, period=f"{period!r} s")
        ).frequency_matches
        for period in (near, far)
    ]
    assert matches == [True, False]
    assert result["finding_dose_frequency"].tolist() == [False, True]


# -- drugs with a regimen for one population only ------------------------------------------------


def test_rows_of_adults_are_errors_for_a_drug_with_a_regimen_for_children_only() -> None:
    children_only = synthetic(
        "Examplonet", *(r for r in CSA.regimens if r.population is ae_systemic.Population.CHILD)
    )
    table = pd.DataFrame({"age": [30.0, 10.0], "weight": [70.0, 30.0]})
    result = assess_table(children_only, table, units=UNITS)
    assert result["error"].tolist()[0] == (
        "age: the guideline gives Examplonet no dose regimen for adults"
    )
    assert result["error"].isna().tolist() == [False, True]
    assert result["population"].isna().tolist() == [True, False]
    assert result["population"].tolist()[1] == "child"
    assert result["regimen"].tolist()[1] == "commonly used dosage children"
    assert result["regimen"].isna().tolist() == [True, False]
    assert result["doses_per_day"].tolist()[1] == 2
    assert result["doses_per_day"].isna().tolist() == [True, False]
    # 30 kg child: 2.5-5 mg/kg/day = 75-150 mg/day.
    assert result["dose_low_mg_per_day"].tolist()[1] == 75.0
    assert result["dose_high_mg_per_day"].tolist()[1] == 150.0


# -- regimens a table cannot compute: named as assess names them, never the age ------------------

#: Synthetic test data: a weekly weight-based rate (0.25-0.5 mg/kg/week), no daily dose.
WEEKLY = ae_systemic.DoseRegimen(
    ae_systemic.Population.ADULT,
    None,
    "weekly",
    rate=ae_systemic.DoseRate(0.25, 0.5, period="week"),
    doses_per_day=None,
    location="synthetic test data",
)
WEEKLY_TEXT = "weekly: 0.25\N{EN DASH}0.5 mg/kg/week once a week"


def test_a_drug_without_a_daily_weight_based_regimen_is_refused_once_naming_the_regimen() -> None:
    """A weekly regimen is the drug's content, not a row's age: one error for the table."""
    weekly = synthetic("Exampletrexate", WEEKLY)
    table = pd.DataFrame({"age": [30.0, 10.0], "weight": [70.0, 30.0]})
    problem = (
        f"Exampletrexate's regimen for adults ({WEEKLY_TEXT}) is not a weight-based daily "
        "dose; assess_table computes those only (dose_plan gives any regimen's amount and "
        "interval)"
    )
    for errors in ("mark", "raise"):
        with pytest.raises(DoseInputError) as caught:
            assess_table(weekly, table, units=UNITS, errors=errors)
        assert (caught.value.argument, caught.value.index) == ("regimen", None)
        assert caught.value.problem == problem
    with pytest.raises(DoseInputError) as one:
        ae_systemic.assess(weekly, ae_systemic.Patient("30 years", "70 kg"))
    assert one.value.argument == "regimen"
    with pytest.raises(DoseInputError, match=r"^regimen: Exampletrexate's regimen for adults"):
        assess_table(weekly, pa.Table.from_pandas(table), units=UNITS)


def test_a_dask_table_of_a_drug_without_a_daily_regimen_is_refused_before_computing() -> None:
    dd = pytest.importorskip("dask.dataframe")
    weekly = synthetic("Exampletrexate", WEEKLY)
    lazy = dd.from_pandas(pd.DataFrame({"age": [30.0], "weight": [70.0]}), npartitions=1)
    with pytest.raises(DoseInputError) as caught:
        assess_table(weekly, lazy, units=UNITS)
    assert (caught.value.argument, caught.value.index) == ("regimen", None)


def test_rows_of_a_population_whose_regimen_is_weekly_name_the_regimen_not_the_age() -> None:
    """Daily for adults, weekly for children: the adults assessed, the children's rows errors."""
    children = attrs.evolve(WEEKLY, population=ae_systemic.Population.CHILD)
    adults = (r for r in CSA.regimens if r.population is ae_systemic.Population.ADULT)
    drug = synthetic("Exampletrexate", *adults, children)
    table = pd.DataFrame({"age": [30.0, 10.0], "weight": [70.0, 30.0]}, index=["p1", "p2"])
    result = assess_table(drug, table, units=UNITS)
    problem = (
        f"Exampletrexate's regimen for children ({WEEKLY_TEXT}) is not a weight-based daily "
        "dose; assess_table computes those only (dose_plan gives any regimen's amount and "
        "interval)"
    )
    assert result["error"].isna().tolist() == [True, False]
    assert result["error"].tolist()[1] == f"regimen: {problem}"
    assert result["population"].tolist()[0] == "adult"
    assert result["dose_high_mg_per_day"].tolist()[0] == 350.0  # 70 kg x 5 mg/kg/day
    assert result["population"].isna().tolist() == [False, True]
    with pytest.raises(DoseInputError) as caught:
        assess_table(drug, table, units=UNITS, errors="raise")
    assert (caught.value.argument, caught.value.index) == ("regimen", "p2")
    assert caught.value.problem == problem
    with pytest.raises(DoseInputError) as one:  # assess names the same argument
        ae_systemic.assess(drug, ae_systemic.Patient("10 years", "30 kg"))
    assert one.value.argument == "regimen"
    bad_weight = table.assign(weight=[70.0, -1.0])  # a row's own problem comes first
    assert assess_table(drug, bad_weight, units=UNITS)["error"].tolist()[1] == (
        "weight: -1.0 kg must be positive"
    )


def test_rows_whose_regimen_for_the_phase_asked_is_weekly_name_that_regimen() -> None:
    """Adults: a daily standard regimen and a weekly acute one; in the acute phase their rows
    name the weekly regimen (the one of the phase), not the standard one."""
    weekly_acute = attrs.evolve(WEEKLY, phase=ae_systemic.Phase.ACUTE)
    standard = (r for r in CSA.regimens if r.phase is None)
    drug = synthetic("Exampletrexate", weekly_acute, *standard)
    table = pd.DataFrame({"age": [30.0, 10.0], "weight": [70.0, 30.0]})
    result = assess_table(drug, table, units=UNITS, phase=ae_systemic.Phase.ACUTE)
    assert result["error"].tolist()[0] == (
        f"regimen: Exampletrexate's regimen for adults ({weekly_acute}) is not a weight-based "
        "daily dose; assess_table computes those only (dose_plan gives any regimen's amount and "
        "interval)"
    )
    assert str(weekly_acute).startswith("weekly")
    assert result["error"].isna().tolist() == [False, True]
    with pytest.raises(DoseInputError) as one:  # assess names the same argument
        ae_systemic.assess(
            drug, ae_systemic.Patient("30 years", "70 kg"), phase=ae_systemic.Phase.ACUTE
        )
    assert one.value.argument == "regimen"


def test_rows_of_a_population_without_a_regimen_for_no_phase_name_the_phase() -> None:
    """Adults with an acute regimen only: without a phase, their rows ask for one, as assess."""
    acute = next(r for r in CSA.regimens if r.phase is ae_systemic.Phase.ACUTE)
    children = (r for r in CSA.regimens if r.population is ae_systemic.Population.CHILD)
    drug = synthetic("Examplonet", acute, *children)
    table = pd.DataFrame({"age": [30.0, 10.0], "weight": [70.0, 30.0]})
    problem = (
        "the guideline gives Examplonet no standard regimen (no phase) for adults; "
        "give phase as one of 'acute'"
    )
    errors = assess_table(drug, table, units=UNITS)["error"]
    assert errors.tolist()[0] == f"phase: {problem}"
    assert errors.isna().tolist() == [False, True]
    with pytest.raises(DoseInputError) as one:
        ae_systemic.assess(drug, ae_systemic.Patient("30 years", "70 kg"))
    assert (one.value.argument, one.value.problem) == ("phase", problem)
    acute_result = assess_table(drug, table, units=UNITS, phase=ae_systemic.Phase.ACUTE)
    assert acute_result["error"].isna().all()


def test_a_drug_without_any_regimen_is_refused_once_naming_the_drug() -> None:
    with pytest.raises(DoseInputError) as caught:
        assess_table(
            synthetic("Examplonet"), pd.DataFrame({"age": [30.0], "weight": [70.0]}), units=UNITS
        )
    assert (caught.value.argument, caught.value.index) == ("drug", None)
    assert caught.value.problem == (
        "the guideline gives Examplonet no dose regimen for adults or children, so no row can "
        "be assessed; pass a drug with a weight-based daily regimen"
    )


# -- phototherapy lists and the combinations of another drug -------------------------------------


def avoid_only() -> ae_systemic.Drug:
    """Synthetic test data: ciclosporin's content with UVA and PUVA avoided, UVB not named and
    no recommended combination."""
    combinations = tuple(
        c
        for c in CSA.combinations
        if c.advice is ae_systemic.CombinationAdvice.AVOID and c.therapy != "UVB"
    )
    return attrs.evolve(CSA, name="Examplonet", synonyms=(), atc=None, combinations=combinations)


def test_every_phototherapy_of_a_list_counts_for_a_combination_to_avoid() -> None:
    drug = avoid_only()
    lists = ["UVA, UVB", "UVB,UVA", "UVB", "PUVA , UVB"]
    table = pd.DataFrame({"age": [30.0] * 4, "weight": [70.0] * 4, "phototherapy": lists})
    result = assess_table(drug, table, units=UNITS)
    expected = [
        bool(
            ae_systemic.assess(
                drug,
                ae_systemic.Patient(
                    "30 years",
                    "70 kg",
                    phototherapy=frozenset(
                        ae_systemic.Phototherapy(p.strip()) for p in text.split(",")
                    ),
                ),
            ).of_kind(ae_systemic.FindingKind.AVOID_COMBINATION)
        )
        for text in lists
    ]
    assert expected == [True, True, False, True]
    assert result["finding_avoid_combination"].tolist() == expected


def test_a_drug_with_no_recommended_combination_has_no_such_finding() -> None:
    drug = avoid_only()
    result = assess_table(drug, pd.DataFrame({"age": [30.0], "weight": [70.0]}), units=UNITS)
    patient = ae_systemic.Patient("30 years", "70 kg")
    kind = ae_systemic.FindingKind.RECOMMENDED_COMBINATION
    assert not ae_systemic.assess(drug, patient).of_kind(kind)
    assert result["finding_recommended_combination"].tolist() == [False]


def test_a_phototherapy_value_that_is_no_text_does_not_hide_the_values_after_it() -> None:
    table = pd.DataFrame({"age": [30.0] * 3, "weight": [70.0] * 3})
    table["phototherapy"] = pd.Series([5, "UVA", "UVC"], dtype=object)
    result = assess_table(CSA, table, units=UNITS)
    assert [None if pd.isna(e) else e for e in result["error"]] == [
        "phototherapy: expected text such as 'UVA' (a comma-separated list), got 5",
        None,
        "phototherapy: 'UVC' is not a phototherapy the guideline names; expected a "
        "comma-separated list of UVA, UVB or PUVA",
    ]
    assert result["finding_avoid_combination"].tolist()[1] is True


# -- counts of a result whose labels became text -------------------------------------------------


def test_a_result_with_its_dose_status_as_nullable_text_counts_the_same() -> None:
    """As after a round trip through parquet: text with nulls, no longer a categorical."""
    result = assess_table(CSA, COHORT, units=UNITS)
    as_text = result.astype({"dose_status": "string"})
    assert as_text["dose_status"].isna().sum() == 2
    assert result_counts(as_text) == result_counts(result)
    assert result_counts(as_text)["dose_status:within"] == 1


def test_row_problems_of_pint_columns_show_the_number_and_the_unit_once() -> None:
    pytest.importorskip("pint_pandas")
    table = pd.DataFrame(
        {
            "age": pd.Series([1000.0, 30.0, 30.0], dtype="pint[year]"),
            "weight": pd.Series([70.0, -2.0, 70.0], dtype="pint[kg]"),
            "amount": pd.Series([100.0, 100.0, -3.0], dtype="pint[mg]"),
            "frequency": [2, 2, 2],
        }
    )
    result = assess_table(CSA, table)
    assert result["error"].tolist() == [
        "age: 1000.0 year must lie between 0 and 130 years",
        "weight: -2.0 kg must be positive",
        "amount: -3.0 mg must be positive",
    ]


def test_row_problems_of_integer_pint_columns_show_whole_numbers() -> None:
    """As a plain integer column shows them: 1000, not 1000.0."""
    pint_pandas = pytest.importorskip("pint_pandas")
    ages = np.array([1000, 30])
    pint_table = pd.DataFrame(
        {
            "age": pint_pandas.PintArray(ages, "year"),
            "weight": pint_pandas.PintArray(np.array([70, -2]), "kg"),
        }
    )
    plain_table = pd.DataFrame({"age": ages, "weight": [70, -2]})
    expected = ["age: 1000 year must lie between 0 and 130 years", "weight: -2 kg must be positive"]
    assert assess_table(CSA, pint_table)["error"].tolist() == expected
    assert assess_table(CSA, plain_table, units=UNITS)["error"].tolist() == expected


def test_a_unit_given_for_a_field_without_a_column_is_still_checked() -> None:
    """Unused where the table has no such column (a period defaults to a day), never wrong."""
    table = pd.DataFrame({"age": [30.0], "weight": [70.0]})
    result = assess_table(CSA, table, units={**UNITS, "period": "week"})
    assert result["dose_high_mg_per_day"].tolist() == [350.0]
    with pytest.raises(InputError) as raised:
        assess_table(CSA, table, units={**UNITS, "period": "banana"})
    assert str(raised.value) == "units: 'banana' is not a unit pint knows; write e.g. 'day'"
    with pytest.raises(InputError) as raised:
        assess_table(CSA, table, units={**UNITS, "amount": "day"})
    assert str(raised.value).startswith("units: ")


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("phototherapy", "text such as 'UVA' (a comma-separated list)"),
        ("co_medication_pathways", "text such as 'CYP3A4' (a comma-separated list)"),
        ("pregnant", "true or false"),
    ],
)
def test_a_field_of_lists_or_records_is_refused_naming_its_column(
    field: str, expected: str
) -> None:
    """Arrow lists, maps and structs (pandas: arrays, lists, dicts) are no single values."""
    listed = pa.table({"age": [30.0, 40.0], "weight": [70.0, 80.0], field: pa.array([["UVB"], []])})
    with pytest.raises(InputError) as raised:
        assess_table(CSA, listed, units=UNITS)
    assert raised.value.argument == field
    assert str(raised.value) == f"{field}: holds lists such as ['UVB'], not {expected}"
    records = pd.DataFrame({"age": [30.0], "weight": [70.0], field: [{"a": 1}]})
    with pytest.raises(InputError) as raised:
        assess_table(CSA, records, units=UNITS)
    assert str(raised.value) == f"{field}: holds records such as {{'a': 1}}, not {expected}"


def test_an_arrow_table_with_pandas_metadata_reads_its_columns_not_an_index() -> None:
    """A frame written with a field as its index: the table's column is that field."""
    frame = pd.DataFrame({"weight": [70.0, 80.0], "age": [30.0, 40.0]}).set_index("age")
    table = pa.Table.from_pandas(frame)
    assert table.column_names == ["weight", "age"]
    result = assess_table(CSA, table, units=UNITS)
    assert result.column("dose_high_mg_per_day").to_pylist() == [350.0, 400.0]


def test_a_period_too_short_to_count_in_days_is_a_row_error_as_in_prescription() -> None:
    table = pd.DataFrame(
        {"age": [30.0], "weight": [70.0], "amount": [150.0], "frequency": [2.0], "period": [1e-320]}
    )
    result = assess_table(CSA, table, units={**UNITS, "period": "s"})
    with pytest.raises(DoseInputError) as raised:
        Prescription("150 mg", frequency=2, period="1e-320 s")
    assert result["error"].tolist() == [str(raised.value)]


def test_empty_text_in_a_result_read_back_from_csv_is_no_error_and_no_status() -> None:
    """A CSV holds no nulls: pyarrow reads an empty ``error`` or ``dose_status`` cell as ""."""
    frame = pd.DataFrame(
        {
            **{c: [None, None, None] for c in RESULT_COLUMNS},
            "error": ["", "weight: -1 kg must be positive", ""],
            "dose_status": ["within", "", ""],
        }
    )
    for name in RESULT_COLUMNS:
        if name.startswith("finding_"):
            frame[name] = [True, None, False]
    counts = result_counts(frame)
    assert (counts["rows"], counts["errors"]) == (3, 1)
    assert counts["dose_status:within"] == 1
    assert counts["dose_status:no prescription"] == 1
    assert all(counts[k] == 1 for k in counts if k.startswith("finding:"))


def test_a_result_of_errors_only_read_back_from_csv_with_pandas_is_summarized(
    tmp_path: Any,
) -> None:
    """Before: pandas reads the empty finding columns of a CSV of errors only as NaN floats,
    and summarize refused them as "not true/false" (pyarrow's reading was summarized)."""
    table = pd.DataFrame({"age": [30.0, 40.0], "weight": [-1.0, -2.0]})
    path = tmp_path / "errors.csv"
    assess_table(CSA, table, units={"age": "year", "weight": "kg"}).to_csv(path, index=False)
    back = pd.read_csv(path)
    assert back["finding_off_label"].dtype == np.float64  # what pandas makes of empty cells
    summary = summarize(back)
    assert summary.loc[("rows", "assessed"), "rows"] == 0
    assert summary.loc[("rows", "with errors"), "rows"] == 2
    assert summary.loc[("finding", "off-label"), "rows"] == 0


@pytest.mark.parametrize(("field", "unit"), [("weight", "kgr"), ("amount", "mgr"), ("weight", "t")])
def test_a_unit_of_mass_the_library_does_not_read_is_refused_naming_the_column(
    field: str, unit: str
) -> None:
    """As for one patient: pint reads "kgr" as the kilograin (70 kgr = 4.5 kg), never used."""
    table = pd.DataFrame({"age": [30.0], "weight": [70.0], "amount": [150.0], "frequency": [2]})
    with pytest.raises(InputError) as raised:
        assess_table(CSA, table, units={**UNITS, field: unit})
    assert raised.value.argument == field
    assert "is not a unit of mass this library reads (the gram with a prefix" in str(raised.value)
    assert ("pint reads 'gr' as the grain" in str(raised.value)) is unit.endswith("gr")


@pytest.mark.parametrize(
    ("field", "unit", "slip"),
    [("age", "ys", "'ys' as the yoctosecond"), ("age", "ms", "'ms' as the millisecond"),
     ("period", "hs", "'hs' as the hectosecond"), ("period", "fortnight", None)],
)  # fmt: skip
def test_a_unit_of_time_the_library_does_not_read_is_refused_naming_the_column(
    field: str, unit: str, slip: str | None
) -> None:
    """As for one patient: pint reads "ys" (a slip for "yrs") as the yoctosecond, never used."""
    table = pd.DataFrame(
        {"age": [30.0], "weight": [70.0], "amount": [150.0], "frequency": [2], "period": [1.0]}
    )
    with pytest.raises(InputError) as raised:
        assess_table(CSA, table, units={**UNITS, field: unit})
    assert raised.value.argument == field
    assert "is not a unit of time this library reads (years, months, weeks, days" in str(
        raised.value
    )
    assert ("pint reads" in str(raised.value)) is (slip is not None)
    assert slip is None or f"pint reads {slip}" in str(raised.value)


@pytest.mark.parametrize("field", ["age", "period"])
def test_a_unit_of_mass_for_a_time_is_refused_as_no_unit_of_time(field: str) -> None:
    """ "kgr" for an age is no time: said so, not that the library reads no kilograin."""
    table = pd.DataFrame(
        {"age": [30.0], "weight": [70.0], "amount": [150.0], "frequency": [2], "period": [24.0]}
    )
    with pytest.raises(InputError) as raised:
        assess_table(CSA, table, units={**UNITS, field: "kgr"})
    assert raised.value.argument == field
    example = {"age": "year", "period": "day"}[field]
    assert raised.value.problem == (
        f"kilograin is not a unit of time, as the {field} needs; write e.g. {example!r}"
    )
