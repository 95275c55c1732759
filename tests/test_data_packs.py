"""Data packs: load_guideline, broken packs, and the other dose shapes on synthetic drugs.

The drugs here (Examplumab, Exampletrexate, Examplinib, Bandexamab) are made up, with made-up
numbers, to exercise the model's dose shapes; the package ships no content for them.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any

import attrs
import pint
import pytest

import ae_systemic
from ae_systemic import (
    Amount,
    DataError,
    DoseInputError,
    DosePlan,
    DoseRate,
    Drug,
    FixedDose,
    Guideline,
    Interval,
    Phase,
    WeightBand,
    dose_plan,
    load_guideline,
    unstructure,
)
from plain_ids import plain_id
from synthetic_drugs import regimen, synthetic

APP: pint.UnitRegistry[float] = pint.get_application_registry()  # type: ignore[no-untyped-call]
Q = APP.Quantity


WEEKLY = synthetic(
    "Exampletrexate",
    regimen("weekly", rate=DoseRate(0.25, 0.5, period="week")),
)
LOADING = synthetic(
    "Examplumab",
    regimen(
        "loading then every 2 weeks",
        fixed=FixedDose(Amount(200, 200), Interval(2, "week")),
        loading=Amount(400, 400),
    ),
)
FIXED = synthetic(
    "Examplinib",
    regimen("fixed daily", fixed=FixedDose(Amount(10, 20), Interval(1, "day"))),
)
BANDS = synthetic(
    "Bandexamab",
    regimen(
        "by weight band",
        bands=(
            WeightBand(FixedDose(Amount(100, 100), Interval(4, "week")), max_weight=60),
            WeightBand(FixedDose(Amount(150, 150), Interval(4, "week")), 60, 100),
            WeightBand(FixedDose(Amount(0.2, 0.2, "g"), Interval(4, "week")), min_weight=100),
        ),
    ),
)


def write(tmp_path: Path, data: object, name: str = "pack.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def pack_of(*drugs: Drug) -> Guideline:
    return attrs.evolve(ae_systemic.guideline(), drugs=drugs)


# -- round trips ---------------------------------------------------------------------------


def test_the_packaged_guideline_written_to_disk_loads_back_equal(tmp_path: Path) -> None:
    path = write(tmp_path, unstructure(ae_systemic.guideline()))
    assert load_guideline(path) == ae_systemic.guideline()
    assert load_guideline(str(path)) == ae_systemic.guideline()


def test_a_pack_of_synthetic_drugs_loads_back_equal(tmp_path: Path) -> None:
    pack = pack_of(WEEKLY, LOADING, FIXED, BANDS)
    assert load_guideline(write(tmp_path, unstructure(pack))) == pack


def test_a_loaded_pack_finds_its_drugs_by_name_as_the_packaged_lookup_does(
    tmp_path: Path,
) -> None:
    pack = load_guideline(write(tmp_path, unstructure(pack_of(WEEKLY, LOADING))))
    assert pack.drug(" exampletrexate ") is pack.drugs[0]
    assert pack.drug("EXAMPLUMAB") is pack.drugs[1]
    with pytest.raises(ae_systemic.UnknownDrugError) as caught:
        pack.drug("examplumap")
    assert caught.value.suggestions == ("Examplumab",)
    assert caught.value.known == ("Exampletrexate", "Examplumab")
    # The packaged guideline's own lookup is the same method.
    assert ae_systemic.guideline().drug("CsA") is ae_systemic.drug("ciclosporin")


def test_every_function_taking_a_drug_takes_a_drug_of_a_loaded_pack(tmp_path: Path) -> None:
    pack = load_guideline(write(tmp_path, unstructure(pack_of(WEEKLY))))
    plan = dose_plan(pack.drug("exampletrexate"), Q(80, "kg"))
    assert plan.amount_low.m_as("mg") == 20.0


# -- the dose shapes -----------------------------------------------------------------------


def test_a_weekly_weight_based_rate_gives_one_dose_a_week() -> None:
    plan = dose_plan(WEEKLY, Q(80, "kg"))
    assert (plan.amount_low.m_as("mg"), plan.amount_high.m_as("mg")) == (20.0, 40.0)
    assert plan.interval.m_as("week") == 1.0
    assert plan.loading_low is None


def test_a_loading_dose_comes_before_the_fixed_maintenance_dose() -> None:
    plan = dose_plan(LOADING)  # not weight-based: no weight needed
    assert plan.loading_low is not None
    assert plan.loading_high is not None
    assert plan.loading_low.m_as("mg") == 400.0
    assert plan.amount_low.m_as("mg") == plan.amount_high.m_as("mg") == 200.0
    assert plan.interval.m_as("day") == 14.0
    assert str(plan).startswith("loading dose 400 mg, then 200 mg every 2 weeks")


def test_a_fixed_dose_does_not_depend_on_weight() -> None:
    light, heavy = dose_plan(FIXED, "40 kg"), dose_plan(FIXED, "120 kg")
    assert light == heavy
    assert (light.amount_low.m_as("mg"), light.amount_high.m_as("mg")) == (10.0, 20.0)
    assert light.interval.m_as("day") == 1.0


@pytest.mark.parametrize(
    ("weight", "mg"),
    [
        ("59.9 kg", 100.0),
        ("60 kg", 150.0),
        ("99.99 kg", 150.0),
        ("100 kg", 200.0),
        ("300 lb", 200.0),
    ],
)
def test_weight_bands_pick_the_band_that_holds_the_weight(weight: str, mg: float) -> None:
    plan = dose_plan(BANDS, weight)
    assert plan.amount_low.m_as("mg") == pytest.approx(mg)
    assert plan.band is not None
    assert plan.band.contains(Q(weight).m_as("kg"))
    assert plan.interval.m_as("week") == 4.0


def test_a_daily_rate_plan_matches_daily_dose() -> None:
    plan = dose_plan("ciclosporin", Q(70, "kg"))
    dose = ae_systemic.daily_dose("ciclosporin", Q(70, "kg"))
    assert plan.amount_low == dose.per_dose_low
    assert plan.amount_high == dose.per_dose_high
    assert plan.interval.m_as("hour") == pytest.approx(12.0)


def test_daily_dose_refuses_shapes_that_are_not_daily_weight_based_rates() -> None:
    for drug in (WEEKLY, LOADING, FIXED, BANDS):
        with pytest.raises(DoseInputError, match="use dose_plan"):
            ae_systemic.daily_dose(drug, Q(70, "kg"))


@pytest.mark.parametrize("drug", [WEEKLY, BANDS], ids=lambda d: d.name)
def test_weight_based_and_banded_plans_need_a_weight(drug: Drug) -> None:
    with pytest.raises(DoseInputError, match="give the weight"):
        dose_plan(drug)


def test_a_weight_outside_every_band_is_a_clear_error() -> None:
    gap = synthetic(
        "Gapexamab",
        regimen(
            "bands with a gap",
            bands=(WeightBand(FixedDose(Amount(1, 1), Interval(1, "day")), 10, 20),),
        ),
    )
    with pytest.raises(DoseInputError, match=r"no weight band .* holds 30 kg"):
        dose_plan(gap, "30 kg")
    with pytest.raises(DoseInputError) as raised:  # two decimals where the weight has them
        dose_plan(gap, Q(9.55, "kg"))
    assert "holds 9.55 kg (bands: 10 to below 20 kg" in str(raised.value)


def test_dose_plan_refuses_bad_weights_like_daily_dose() -> None:
    for weight in (70, "seventy kg", Q(70, "m"), Q(-1, "kg")):
        with pytest.raises(DoseInputError, match="weight"):
            dose_plan(BANDS, weight)  # type: ignore[arg-type]


# -- broken packs --------------------------------------------------------------------------


def synthetic_data() -> dict[str, Any]:
    data = unstructure(pack_of(LOADING, BANDS))
    assert isinstance(data, dict)
    return data


def broken(tmp_path: Path, data: object) -> DataError:
    path = write(tmp_path, data)
    with pytest.raises(DataError) as caught:
        load_guideline(path)
    assert caught.value.file == str(path)
    assert str(path) in str(caught.value)
    return caught.value


def drug0_regimen0(data: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = data["drugs"][0]["regimens"][0]
    return found


def test_an_unknown_key_is_named_with_file_and_path(tmp_path: Path) -> None:
    data = synthetic_data()
    drug0_regimen0(data)["surprise"] = 1
    assert broken(tmp_path, data).paths == ("drugs[0].regimens[0].surprise",)


@pytest.mark.parametrize(
    ("change", "path", "fragment"),
    [
        (lambda r: r["fixed"]["amount"].update(low=300), "fixed.amount.high", "inverted"),
        (lambda r: r["fixed"]["amount"].update(low=-1), "fixed.amount.low", "positive"),
        (lambda r: r["fixed"]["amount"].update(unit="mg/kg"), "fixed.amount.unit", "allowed"),
        (lambda r: r["fixed"]["every"].update(unit="1/d"), "fixed.every.unit", "allowed"),
        (lambda r: r["fixed"]["every"].update(count=0), "fixed.every.count", "between 1 and"),
        (lambda r: r["fixed"]["every"].update(count="2"), "fixed.every.count", "whole number"),
        (lambda r: r.update(rate={"low": 1, "high": 2}), "fixed", "(found: rate, fixed)"),
        (lambda r: r.update(doses_per_day=2), "doses_per_day", "only a daily rate"),
        (lambda r: r["loading"].update(unit="kg/m**2"), "loading.unit", "allowed"),
    ],
)
def test_broken_regimens_are_named_by_path(
    tmp_path: Path, change: Any, path: str, fragment: str
) -> None:
    data = synthetic_data()
    change(drug0_regimen0(data))
    error = broken(tmp_path, data)
    assert f"drugs[0].regimens[0].{path}" in error.paths
    assert fragment in str(error)


def test_a_per_kg_rate_written_as_one_unit_is_refused(tmp_path: Path) -> None:
    data = unstructure(pack_of(WEEKLY))
    assert isinstance(data, dict)
    drug0_regimen0(data)["rate"]["amount_unit"] = "mg/kg/week"
    error = broken(tmp_path, data)
    assert error.paths == ("drugs[0].regimens[0].rate.amount_unit",)
    assert "'mg/kg/week' is not an allowed unit" in str(error)


@pytest.mark.parametrize(
    ("bands", "fragment"),
    [
        ([{"min_weight": 60, "max_weight": 40}], "inverted"),
        ([{"min_weight": None, "max_weight": None}], "needs min_weight, max_weight or both"),
        ([{"max_weight": 60}, {"min_weight": 50}], "without overlap"),
        ([{"min_weight": 60}, {"max_weight": 60}], "ascending order"),
    ],
)
def test_broken_weight_bands_are_refused(
    tmp_path: Path, bands: list[dict[str, Any]], fragment: str
) -> None:
    data = synthetic_data()
    band_regimen = data["drugs"][1]["regimens"][0]
    dose = band_regimen["bands"][0]["dose"]
    band_regimen["bands"] = [
        {"dose": dose, "min_weight": None, "max_weight": None, "weight_unit": "kg", **b}
        for b in bands
    ]
    error = broken(tmp_path, data)
    assert all(p.startswith("drugs[1].regimens[0]") for p in error.paths)
    assert fragment in str(error)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{", "invalid JSON at line 1"),
        ('{"title": NaN}', "NaN is not allowed"),
        ('{"title": 1e999}', "too large"),
        ("[]", "expected an object"),
        ('{"title": "a", "title": "b"}', "appears twice"),
    ],
)
def test_invalid_json_is_refused_naming_the_file(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=fragment) as caught:
        load_guideline(path)
    assert caught.value.file == str(path)


def test_a_missing_file_or_directory_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read the file"):
        load_guideline(tmp_path / "missing.json")
    with pytest.raises(DataError, match="cannot read the file"):
        load_guideline(tmp_path)


def test_a_file_that_is_not_utf8_or_is_a_pickle_is_refused(tmp_path: Path) -> None:
    latin = tmp_path / "latin1.json"
    latin.write_bytes('{"title": "Übersicht"}'.encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        load_guideline(latin)
    pickled = tmp_path / "pack.pickle"
    pickled.write_bytes(b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00\x8c\x01a\x94.")
    with pytest.raises(DataError):
        load_guideline(pickled)


def test_a_pack_above_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.write(b"[" + b" " * ae_systemic.MAX_PACK_BYTES + b"]")
    with pytest.raises(DataError, match="larger than"):
        load_guideline(path)


@pytest.mark.parametrize("path", [None, 5, b"pack.json", ["pack.json"]])
def test_a_path_that_is_not_a_path_is_a_type_error(path: object) -> None:
    with pytest.raises(TypeError, match="path"):
        load_guideline(path)  # type: ignore[arg-type]


def test_loading_never_evaluates_text_as_code(tmp_path: Path, monkeypatch: Any) -> None:
    data = synthetic_data()
    data["title"] = "__import__('os').system('exit 1')"
    calls: list[str] = []
    monkeypatch.setattr(os, "system", lambda command: calls.append(command))
    assert load_guideline(write(tmp_path, data)).title == data["title"]
    assert calls == []


def test_a_pack_saved_with_a_byte_order_mark_loads_as_without(tmp_path: Path) -> None:
    # Editors on Windows write one; JSON readers may ignore it (RFC 8259, section 8.1).
    path = tmp_path / "pack.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(unstructure(pack_of(FIXED))).encode())
    assert load_guideline(path) == pack_of(FIXED)


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("surprise", "drugs[0].regimens[0].surprise"),
        ("rate\n  drugs[0].name: fine", "drugs[0].regimens[0]['rate\\n  drugs[0].name: fine']"),
        ("a.b", "drugs[0].regimens[0]['a.b']"),
    ],
    ids=plain_id,
)
def test_an_unknown_key_is_written_in_its_path_so_that_it_cannot_read_as_another(
    tmp_path: Path, key: str, path: str
) -> None:
    data = synthetic_data()
    drug0_regimen0(data)[key] = 1
    error = broken(tmp_path, data)
    assert error.paths == (path,)
    assert "\n  drugs[0].name" not in str(error)


def test_a_key_given_twice_is_named_by_a_path_that_shows_it_safely(tmp_path: Path) -> None:
    path = tmp_path / "pack.json"
    path.write_text('{"title": {"x\\ny": 1, "x\\ny": 2}}', encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_guideline(path)
    assert caught.value.paths == ("title['x\\ny']",)


# -- what the data must say, named where it is wrong ---------------------------------------


def ciclosporin_data() -> dict[str, Any]:
    data = unstructure(ae_systemic.drug("ciclosporin"))
    assert isinstance(data, dict)
    return data


def test_a_reference_missing_from_the_list_is_not_said_to_lie_within_it() -> None:
    data = ciclosporin_data()
    data["references"] = [r for r in data["references"] if r["number"] != 13]
    with pytest.raises(DataError) as caught:
        ae_systemic.structure(data, Drug)
    assert "cites reference 13, which is not in the drug's references (numbers 1-12, 14)" in str(
        caught.value
    )


def test_an_interval_with_its_ends_swapped_is_named_as_such() -> None:
    data = ciclosporin_data()
    estimate = data["evidence"][0]
    estimate["ci_low"], estimate["ci_high"] = estimate["ci_high"], estimate["ci_low"]
    with pytest.raises(DataError) as caught:
        ae_systemic.structure(data, Drug)
    assert caught.value.paths == ("evidence[0].ci_low",)
    assert "the interval's lower end -0.4 is above its upper end -1.6" in str(caught.value)


def test_repeated_reference_numbers_of_the_guideline_are_refused() -> None:
    reference = ae_systemic.drug("ciclosporin").references[0]
    with pytest.raises(DataError) as caught:
        attrs.evolve(ae_systemic.guideline(), references=(reference, reference))
    assert caught.value.paths == ("references[1].number",)
    assert "repeats the reference number 1" in str(caught.value)


def test_a_reference_accessed_at_a_time_of_day_is_refused_as_it_would_be_lost() -> None:
    reference = ae_systemic.drug("ciclosporin").references[0]
    with pytest.raises(TypeError, match="no time of day"):
        attrs.evolve(reference, accessed=datetime.datetime(2025, 5, 12, 14, 30))
    day = attrs.evolve(reference, accessed=datetime.date(2025, 5, 12))
    assert ae_systemic.structure(unstructure(day), type(day)) == day


def test_monitoring_counts_one_week_and_one_month_in_the_singular() -> None:
    monitoring = attrs.evolve(
        ae_systemic.drug("ciclosporin").monitoring, first_follow_up_weeks=1, interval_months=1
    )
    assert "after 1 week, then every 1 month." in monitoring.summary
    drug = attrs.evolve(ae_systemic.drug("ciclosporin"), monitoring=monitoring)
    note = ae_systemic.monitoring_schedule(drug, datetime.date(2026, 1, 5), months=3)[0].note
    assert "Visits every 1 month are counted" in note


# -- a standard regimen that is not a rate, or missing ------------------------------------


def test_the_fallback_note_names_a_standard_dose_that_is_not_a_rate() -> None:
    plan = dose_plan(LOADING, phase=Phase.ACUTE)
    assert plan.fallback is not None
    assert "(200 mg every 2 weeks, after a loading dose of 400 mg) is used instead" in (
        plan.fallback
    )
    assert "None" not in plan.fallback


def test_a_drug_with_only_an_acute_regimen_names_the_phase_to_give() -> None:
    acute = attrs.evolve(
        regimen("acute only", rate=DoseRate(4, 5), doses_per_day=2), phase=Phase.ACUTE
    )
    drug = synthetic("Examplumab", acute)
    for phase in (None, Phase.LONG_TERM):
        with pytest.raises(DoseInputError) as caught:
            dose_plan(drug, Q(70, "kg"), phase=phase)
        assert caught.value.where == "phase"
        assert "give phase as one of 'acute'" in str(caught.value)
    assert dose_plan(drug, Q(70, "kg"), phase=Phase.ACUTE).amount_high.m_as("mg") == 175.0


def _display_rows(plan: DosePlan) -> list[tuple[str, str]]:
    """The rows of a plan's notebook display (Markdown): (field, value)."""
    lines = plan._repr_markdown_().splitlines()
    cells = [line.strip("| ").split(" | ") for line in lines if line.startswith("| ")]
    return [(row[0], row[1]) for row in cells if len(row) == 2]


def test_amounts_of_the_data_are_printed_as_the_data_writes_them() -> None:
    # Fixed, banded and loading amounts come from the data: nothing rounded (0.004 mg was
    # printed as 0 mg, 0.125 mg as 0.12 mg in str() and 0.1 mg in the notebook).
    odd = synthetic(
        "Examplumab",
        regimen(
            "odd loading",
            fixed=FixedDose(Amount(0.004, 0.004), Interval(1, "week")),
            loading=Amount(12.345678, 12.345678),
        ),
    )
    plan = dose_plan(odd)
    assert str(plan) == "loading dose 12.345678 mg, then 0.004 mg every 1 week (odd loading)"
    rows = dict(_display_rows(plan))
    assert rows["Amount per administration"] == "0.004 mg"
    assert rows["Loading dose, once"] == "12.345678 mg"
    grams = synthetic(
        "Examplumab",
        regimen(
            "grams",
            fixed=FixedDose(Amount(0.125, 1.25, "g"), Interval(2, "week")),
            loading=Amount(0.125, 0.125),
        ),
    )
    plan = dose_plan(grams)
    assert str(plan) == "loading dose 0.125 mg, then 0.125–1.25 g every 2 weeks (grams)"
    assert dict(_display_rows(plan))["Amount per administration"] == "0.125–1.25 g"
    assert plan.amount_high.m_as("mg") == 1250.0


def test_one_amount_worked_out_from_the_weight_keeps_three_significant_digits() -> None:
    weekly = synthetic(
        "Exampletrexate", regimen("weekly", rate=DoseRate(0.05, 0.05, period="week"))
    )
    plan = dose_plan(weekly, Q(65, "kg"))  # 3.25 mg a week
    assert str(plan) == "3.25 mg every 1 week (weekly)"
    assert dict(_display_rows(plan))["Amount per administration"] == "3.25 mg"
    tiny = dose_plan(weekly, Q(0.5, "kg"))  # 0.025 mg, never 0 mg
    assert str(tiny) == "0.025 mg every 1 week (weekly)"
