"""Cohort summaries, the prescribed doses read back, and the Dask path run in this process.

``summarize`` counts every line of its table exactly (percentages of all rows for errors,
of the rows assessed for the rest); ``prescribed`` reads each row's weight in kg and daily
amount in mg as ``assess_table`` reads them; a Dask result computed with the synchronous
scheduler (no worker processes: ``test_cohort_dask.py`` covers a real cluster) equals the
pandas result.  The cohorts are synthetic test rows, their doses computed by hand.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import ae_systemic
from ae_systemic import InputError, assess_table, summarize
from ae_systemic._cohort import RESULT_COLUMNS, prescribed, result_counts, summary_frame

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


def test_summarize_names_the_first_missing_column() -> None:
    with pytest.raises(InputError) as caught:
        summarize(pd.DataFrame({"population": ["adult"]}))
    assert caught.value.argument == "result"
    assert caught.value.problem == (
        f"has no column {RESULT_COLUMNS[1]!r}; summarize the table assess_table returned"
    )


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
    ("index", "label"),
    [
        ([True, False], 1),  # a bool label is no row number: the position
        ([1.5, 2.5], 1),  # nor is a float
        (np.array([7, 9], dtype=np.int32), 9),
        (["a", "b"], "b"),
    ],
    ids=["bool", "float", "int32", "str"],
)
def test_an_error_names_the_row_by_its_label_or_position(index: Any, label: int | str) -> None:
    table = pd.DataFrame({"age": [30, 30], "weight": [70.0, -1.0]}, index=index)
    with pytest.raises(ae_systemic.DoseInputError) as caught:
        assess_table(CSA, table, units=UNITS, errors="raise")
    assert caught.value.index == label
    assert type(caught.value.index) is type(label)


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
    import attrs

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
    import attrs

    adults_only = attrs.evolve(
        CSA,
        name="Examplonet",
        synonyms=(),
        atc=None,
        regimens=tuple(r for r in CSA.regimens if r.population is ae_systemic.Population.ADULT),
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
