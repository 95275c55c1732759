"""``ae_systemic.plot.dose_distribution``: the prescribed doses of a cohort over the ranges.

The cohorts are made up (a few hand-written rows, and a seeded numpy cohort): no real
patients.  The guideline's ranges are read from the packaged drug, never written here.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ae_systemic import (
    ArgumentTypeError,
    Drug,
    InputError,
    MissingExtraError,
    Phase,
    assess_table,
    summarize,
)
from ae_systemic.plot import dose_distribution

UNITS = {"age": "year", "weight": "kg", "amount": "mg"}


def small_cohort() -> pd.DataFrame:
    """Six made-up rows: three prescriptions, one row without, two rows with errors."""
    return pd.DataFrame(
        {
            "age": [40.0, 50.0, 10.0, 30.0, 35.0, 45.0],
            "weight": [70.0, 50.0, 30.0, 80.0, -1.0, 60.0],
            # 200/70 = 2.86, 300/50 = 6 and 50/30 = 1.67 mg/kg/day; then none; then errors.
            "amount": [100.0, 150.0, 25.0, np.nan, 100.0, 100.0],
            "frequency": [2.0, 2.0, 2.0, np.nan, 2.0, 0.0],
        }
    )


SMALL_PER_KG = [200 / 70, 300 / 50, 50 / 30]


def synthetic_cohort(rows: int = 2000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    prescribed = rng.random(rows) < 0.85
    frame = pd.DataFrame(
        {
            "age": rng.uniform(3.0, 80.0, rows).round(1),
            "weight": rng.uniform(15.0, 110.0, rows).round(1),
            "amount": np.where(prescribed, rng.choice([25.0, 50.0, 100.0, 150.0], rows), np.nan),
            "frequency": np.where(prescribed, rng.choice([1.0, 2.0, 3.0], rows), np.nan),
        }
    )
    frame.loc[rng.choice(rows, 30, replace=False), "weight"] = np.nan
    return frame


def bars(ax: Axes) -> list[Rectangle]:
    (container,) = [c for c in ax.containers if isinstance(c, BarContainer)]
    return list(container.patches)


def bands(ax: Axes) -> list[tuple[float, float, str]]:
    """The bands behind the bars: (low, high, label), left to right as drawn."""
    drawn = set(map(id, bars(ax)))
    found = []
    for patch in ax.patches:
        if id(patch) not in drawn:
            assert isinstance(patch, Rectangle)
            found.append((patch.get_x(), patch.get_x() + patch.get_width(), str(patch.get_label())))
    return found


def heights(ax: Axes) -> list[float]:
    return [patch.get_height() for patch in bars(ax)]


def texts(ax: Axes) -> str:
    return "\n".join([ax.get_title(), *(text.get_text() for text in ax.texts)])


# --- what it draws -------------------------------------------------------------------------


def test_the_bands_are_the_regimens_ranges_and_name_them(csa: Drug) -> None:
    result = assess_table(csa, small_cohort(), units=UNITS)
    ax = dose_distribution(result, csa, units=UNITS)
    adults, children = (
        next(r for r in csa.regimens if r.population.value == who and r.phase is None)
        for who in ("adult", "child")
    )
    assert adults.rate is not None
    assert children.rate is not None
    assert (adults.rate.low, adults.rate.high) == (children.rate.low, children.rate.high)
    # The two regimens have one range: one band, at exactly its bounds, naming both.
    ((low, high, label),) = bands(ax)
    assert (low, high) == (adults.rate.low, adults.rate.high)
    assert adults.label in label
    assert children.label in label
    assert "2 rows, adults" in label
    assert "1 row, children" in label
    assert label.startswith(f"{adults.rate}: ")
    legend = ax.get_legend()
    assert legend is not None
    assert [text.get_text() for text in legend.get_texts()] == [label, "prescriptions"]


def test_a_phase_gives_each_range_its_own_band(csa: Drug) -> None:
    result = assess_table(csa, small_cohort(), units=UNITS, phase=Phase.ACUTE)
    drawn = bands(dose_distribution(result, units=UNITS))
    acute = next(r for r in csa.regimens if r.phase is Phase.ACUTE)
    children = next(r for r in csa.regimens if r.population.value == "child")
    assert acute.rate is not None
    assert children.rate is not None
    assert [(low, high) for low, high, _ in drawn] == [
        (acute.rate.low, acute.rate.high),
        (children.rate.low, children.rate.high),
    ]
    assert acute.label in drawn[0][2]
    assert children.label in drawn[1][2]


def test_the_bars_count_the_prescriptions_per_kg(csa: Drug) -> None:
    result = assess_table(csa, small_cohort(), units=UNITS)
    ax = dose_distribution(result, units=UNITS, bins=[0.0, 2.0, 4.0, 8.0])
    assert heights(ax) == [1.0, 1.0, 1.0]  # 1.67, 2.86 and 6 mg/kg/day
    ax = dose_distribution(result, units=UNITS, bins=10)
    assert sum(heights(ax)) == 3
    assert bars(ax)[0].get_x() == pytest.approx(min(SMALL_PER_KG))


def test_rows_left_out_are_counted_in_the_figure(csa: Drug) -> None:
    result = assess_table(csa, small_cohort(), units=UNITS)
    ax = dose_distribution(result, units=UNITS)
    assert ax.get_title() == "Prescribed doses of ciclosporin: 3 rows"
    assert "left out: 2 rows with errors, 1 row without a prescription" in texts(ax)
    ax = dose_distribution(result, units=UNITS, bins=[0.0, 2.0, 4.0])
    assert sum(heights(ax)) == 2
    assert "; 1 prescription outside the bins" in texts(ax)


def test_a_synthetic_cohort_every_prescription_in_a_bar(csa: Drug) -> None:
    cohort = synthetic_cohort()
    result = assess_table(csa, cohort, units=UNITS)
    with_prescription = result["error"].isna() & result["dose_status"].notna()
    assert 1000 < with_prescription.sum() < len(result)
    ax = dose_distribution(result, units=UNITS, bins=25)
    assert sum(heights(ax)) == with_prescription.sum()
    rows = cohort[with_prescription.to_numpy()]
    per_kg = rows["amount"] * rows["frequency"] / rows["weight"]
    counts, _ = np.histogram(per_kg, bins=25)
    assert heights(ax) == [float(c) for c in counts]
    errors = int(result["error"].notna().sum())
    assert f"left out: {errors} rows with errors" in texts(ax)


def test_the_units_and_columns_of_assess_table_give_the_same_figure(csa: Drug) -> None:
    cohort = small_cohort()
    expected = heights(
        dose_distribution(assess_table(csa, cohort, units=UNITS), units=UNITS, bins=5)
    )
    other = pd.DataFrame(
        {
            "age_y": cohort["age"],
            "weight_lb": cohort["weight"] / 0.45359237,
            "amount_g": cohort["amount"] / 1000,
            "frequency": cohort["frequency"],
            "period_h": [24.0] * len(cohort),
        }
    )
    columns = {"age": "age_y", "weight": "weight_lb", "amount": "amount_g", "period": "period_h"}
    units = {"age": "year", "weight": "lb", "amount": "g", "period": "h"}
    result = assess_table(csa, other, units=units, columns=columns)
    assert heights(dose_distribution(result, units=units, columns=columns, bins=5)) == expected


def test_pint_pandas_columns_need_no_units(csa: Drug) -> None:
    pytest.importorskip("pint_pandas")
    cohort = small_cohort()
    typed = cohort.assign(
        age=pd.Series(cohort["age"], dtype="pint[year]"),
        weight=pd.Series(cohort["weight"], dtype="pint[kg]"),
        amount=pd.Series(cohort["amount"], dtype="pint[mg]"),
    )
    ax = dose_distribution(assess_table(csa, typed), bins=[0.0, 2.0, 4.0, 8.0])
    assert heights(ax) == [1.0, 1.0, 1.0]


def test_it_draws_into_given_axes_and_saves(tmp_path: Path, csa: Drug) -> None:
    result = assess_table(csa, small_cohort(), units=UNITS)
    figure = Figure()
    left, right = figure.subplots(1, 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert dose_distribution(result, units=UNITS, ax=right) is right
        figure.savefig(tmp_path / "doses.png")
    assert [str(w.message) for w in caught] == []
    assert not left.patches
    assert (tmp_path / "doses.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    own = dose_distribution(result, units=UNITS)
    assert isinstance(own.figure, Figure)
    assert own.figure is not figure


def test_a_result_written_to_csv_and_read_back_with_pyarrow_is_drawn_as_summarize_counts_it(
    tmp_path: Path, csa: Drug
) -> None:
    """A CSV holds no nulls: pyarrow reads the empty error and dose_status cells as ""."""
    pa = pytest.importorskip("pyarrow")
    pa_csv = pytest.importorskip("pyarrow.csv")
    result = assess_table(csa, small_cohort(), units=UNITS)
    pa_csv.write_csv(pa.Table.from_pandas(result, preserve_index=False), tmp_path / "out.csv")
    back = pa_csv.read_csv(tmp_path / "out.csv").to_pandas()
    assert "" in back["error"].tolist()
    assert "" in back["dose_status"].tolist()
    ax = dose_distribution(back, csa, units=UNITS, bins=[0.0, 2.0, 4.0, 8.0])
    assert heights(ax) == [1.0, 1.0, 1.0]  # 1.67, 2.86 and 6 mg/kg/day, as from the frame
    assert ax.get_title() == "Prescribed doses of ciclosporin: 3 rows"
    assert "left out: 2 rows with errors, 1 row without a prescription" in texts(ax)
    counted = summarize(back)["rows"]
    assert counted[("rows", "with errors")] == 2
    assert counted[("dose_status", "no prescription")] == 1


# --- what it refuses -----------------------------------------------------------------------


def test_what_is_not_a_result_table_is_refused(csa: Drug) -> None:
    cohort = small_cohort()
    with pytest.raises(InputError, match=r"^result: has no column 'population'") as caught:
        dose_distribution(cohort, units=UNITS)
    assert caught.value.argument == "result"
    with pytest.raises(ArgumentTypeError, match=r"^result: expected the pandas DataFrame"):
        dose_distribution(cohort.to_dict(), units=UNITS)  # type: ignore[arg-type]
    pa = pytest.importorskip("pyarrow")
    arrow = pa.Table.from_pandas(assess_table(csa, cohort, units=UNITS))
    with pytest.raises(ArgumentTypeError, match=r"result\.to_pandas\(\)"):
        dose_distribution(arrow, units=UNITS)


@pytest.mark.parametrize("column", ["error", "dose_status", "regimen", "dose_low_mg_per_day"])
def test_a_result_with_a_result_column_twice_is_refused_naming_it(csa: Drug, column: str) -> None:
    result = assess_table(csa, small_cohort(), units=UNITS)
    doubled = pd.concat([result, result[[column]]], axis=1)
    with pytest.raises(InputError) as caught:
        dose_distribution(doubled)
    assert caught.value.argument == column
    assert caught.value.problem == "the result has 2 columns of this name; drop all but one"


def test_a_result_without_a_prescription_to_draw_is_refused(csa: Drug) -> None:
    result = assess_table(csa, small_cohort(), units=UNITS)
    with pytest.raises(InputError, match=r"^result: has no row with an assessed prescription"):
        dose_distribution(result[result["dose_status"].isna()], units=UNITS)


@pytest.mark.parametrize(
    ("options", "error", "pattern"),
    [
        ({"units": {"age": "year", "weight": "lb", "amount": "mg"}}, InputError, "^units: row 0"),
        ({"units": {"age": "year", "weight": "kg", "amount": "g"}}, InputError, "^units: row 0"),
        ({"units": {"age": "year", "weight": "kg"}}, InputError, "^amount: holds plain numbers"),
        ({"units": {**UNITS, "weight": "h"}}, InputError, "^weight: hour is not a unit of mass"),
        ({"units": {**UNITS, "dose": "mg"}}, InputError, "^units: 'dose' takes no unit"),
        ({"units": ["kg"]}, ArgumentTypeError, "^units: expected a mapping"),
        ({"units": UNITS, "columns": {"weight": "age"}}, InputError, "^age: two fields read"),
        ({"units": UNITS, "columns": {"weight": "kg"}}, InputError, "^kg: the table has no"),
        ({"units": UNITS, "columns": {"dose": "x"}}, InputError, "^columns: 'dose' is not"),
        ({"units": UNITS, "bins": 0}, InputError, "^bins: must be from 1 to 1000"),
        ({"units": UNITS, "bins": True}, ArgumentTypeError, "^bins: expected a number"),
        ({"units": UNITS, "bins": "auto"}, ArgumentTypeError, "^bins: expected a number"),
        ({"units": UNITS, "bins": [1.0, 1.0]}, InputError, r"^bins\[1\]: the bin edges must"),
        ({"units": UNITS, "bins": [1.0]}, InputError, "^bins: give 2 to 1001 bin edges"),
        ({"units": UNITS, "ax": "left"}, ArgumentTypeError, "^ax: expected matplotlib Axes"),
        (
            {"units": UNITS, "ax": Figure()},
            ArgumentTypeError,
            r"^ax: expected matplotlib Axes or None, got Figure; pass one of its axes",
        ),
    ],
)
def test_bad_arguments_are_named(
    csa: Drug, options: dict[str, Any], error: type[Exception], pattern: str
) -> None:
    result = assess_table(csa, small_cohort(), units=UNITS)
    with pytest.raises(error, match=pattern):
        dose_distribution(result, **options)


def test_another_drugs_regimens_are_refused(csa: Drug) -> None:
    result = assess_table(csa, small_cohort(), units=UNITS)
    renamed = attrs.evolve(
        csa, regimens=tuple(attrs.evolve(r, label=f"{r.label} (renamed)") for r in csa.regimens)
    )
    with pytest.raises(InputError, match=r"^drug: ciclosporin has no regimen 'standard dosage"):
        dose_distribution(result, renamed, units=UNITS)


def test_without_matplotlib_the_plot_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, csa: Drug
) -> None:
    result = assess_table(csa, small_cohort(), units=UNITS)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    for name in [m for m in sys.modules if m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(MissingExtraError) as caught:
        dose_distribution(result, units=UNITS)
    assert (
        str(caught.value) == "dose_distribution needs matplotlib: pip install 'ae-systemic[plot]'"
    )
    assert caught.value.extra == "plot"


def test_the_units_and_drug_the_result_records_are_used(csa: Drug) -> None:
    import matplotlib

    matplotlib.use("Agg")
    result = assess_table(csa, small_cohort(), units=UNITS)
    kept = result[result["error"].isna()]  # pandas keeps attrs through filtering
    drawn = dose_distribution(kept)
    again = dose_distribution(result, csa, units=UNITS)

    def heights(ax: Any) -> list[float]:
        return [bar.get_height() for bars in ax.containers for bar in bars]

    assert heights(drawn) == heights(again)
    assert sum(heights(drawn)) == int(kept["dose_status"].notna().sum())
    lost = pd.DataFrame(result.to_dict("list"))  # rebuilt: no attrs
    with pytest.raises(InputError, match=r"^drug: the result does not say which drug"):
        dose_distribution(lost)
    with pytest.raises(InputError, match=r"^weight: holds plain numbers"):
        dose_distribution(lost, csa)
