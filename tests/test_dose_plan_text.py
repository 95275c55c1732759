"""A dose plan in words: doses a day as the source gives them, an interval only where it has one.

The source doses ciclosporin at "2.5-5 mg/kg per day in two single doses": how many doses a
day, not how far apart.  A plan from such a regimen says "per dose, 2 doses a day" in every
face (``str()``, the notebook), as the dose range does; ``DosePlan.interval`` (1/N day) is the
library's reading and is never worded as "every 12 hours".  A weekly rate, a fixed dose and a
weight band have an interval of their own, worded "every ...".  Synthetic drugs (made up,
named as such) are test inputs, not clinical content.
"""

from __future__ import annotations

import pytest

import ae_systemic
from ae_systemic import (
    Amount,
    DoseRate,
    FixedDose,
    Interval,
    Phase,
    WeightBand,
    daily_dose,
    dose_plan,
)
from plain_ids import plain_id
from synthetic_drugs import regimen, synthetic


def _single_dose_row(markdown: str) -> str:
    (row,) = [line for line in markdown.splitlines() if line.startswith("| Single dose |")]
    return row


def test_a_70_kg_adults_standard_plan_is_87_5_to_175_mg_per_dose_2_doses_a_day() -> None:
    plan = dose_plan("ciclosporin", "70 kg")
    assert str(plan) == "87.5–175 mg per dose, 2 doses a day (standard dosage adults)"
    markdown = plan._repr_markdown_()
    assert _single_dose_row(markdown) == "| Single dose | 87.5–175 mg per dose, 2 doses a day |"
    assert "87.5–175 mg per dose, 2 doses a day" in plan._repr_html_()
    for text in (str(plan), markdown, plan._repr_html_()):
        assert "hour" not in text
        assert "Every" not in text
        assert "every" not in text
    assert plan.interval.m_as("day") == 0.5  # kept: the library's reading of two doses a day


@pytest.mark.parametrize(
    ("phase", "single"),
    [(None, "87.5–175 mg"), (Phase.ACUTE, "140–175 mg"), (Phase.LONG_TERM, "87.5–105 mg")],
    ids=plain_id,
)
def test_the_plan_and_the_dose_range_word_the_single_dose_alike(
    phase: Phase | None, single: str
) -> None:
    plan = dose_plan("ciclosporin", "70 kg", phase=phase)
    dose = daily_dose("ciclosporin", "70 kg", phase=phase)
    wording = f"{single} per dose, 2 doses a day"
    assert str(plan).startswith(f"{wording} (")
    assert f"({wording})" in str(dose)
    assert _single_dose_row(plan._repr_markdown_()) == _single_dose_row(dose._repr_markdown_())


@pytest.mark.parametrize(
    ("doses", "a_day"),
    [(1, "1 dose a day"), (2, "2 doses a day"), (3, "3 doses a day"), (7, "7 doses a day")],
)
def test_a_plan_in_doses_a_day_says_how_many_never_how_far_apart(doses: int, a_day: str) -> None:
    drug = synthetic("testdrug", regimen("daily", rate=DoseRate(7, 14), doses_per_day=doses))
    plan = dose_plan(drug, "70 kg")
    assert str(plan).endswith(f" mg per dose, {a_day} (daily)")
    assert f" mg per dose, {a_day} |" in _single_dose_row(plan._repr_markdown_())
    assert "every" not in str(plan)
    assert "| Every |" not in plan._repr_markdown_()
    assert plan.interval.m_as("day") == pytest.approx(1 / doses, rel=1e-12)


def test_a_loading_dose_before_doses_a_day_keeps_the_doses_a_day() -> None:
    drug = synthetic(
        "testdrug",
        regimen(
            "loaded daily",
            rate=DoseRate(2.5, 5),
            doses_per_day=2,
            loading=Amount(400, 400),
        ),
    )
    plan = dose_plan(drug, "70 kg")
    assert str(plan) == (
        "loading dose 400 mg, then 87.5–175 mg per dose, 2 doses a day (loaded daily)"
    )
    assert "| Loading dose, once | 400 mg |" in plan._repr_markdown_()


@pytest.mark.parametrize(
    ("shape", "text", "every"),
    [
        (
            {"rate": DoseRate(0.25, 0.5, period="week")},
            "17.5–35 mg every 1 week (shaped)",
            "1 week",
        ),
        (
            {"fixed": FixedDose(Amount(300, 300), Interval(2, "week"))},
            "300 mg every 2 weeks (shaped)",
            "2 weeks",
        ),
        (
            {
                "bands": (
                    WeightBand(FixedDose(Amount(150, 150), Interval(4, "week")), min_weight=60),
                )
            },
            "150 mg every 4 weeks (shaped)",
            "4 weeks",
        ),
        (  # the interval's count exactly, never "1e+06 days"
            {"fixed": FixedDose(Amount(300, 300), Interval(1_000_000, "day"))},
            "300 mg every 1000000 days (shaped)",
            "1000000 days",
        ),
    ],
    ids=["weekly rate", "fixed dose", "weight band", "the longest interval"],
)
def test_a_plan_with_an_interval_of_its_own_says_every(
    shape: dict[str, object], text: str, every: str
) -> None:
    plan = dose_plan(synthetic("testdrug", regimen("shaped", **shape)), "70 kg")
    assert str(plan) == text
    markdown = plan._repr_markdown_()
    assert f"| Every | {every} |" in markdown
    assert "| Amount per administration |" in markdown
    assert "doses a day" not in str(plan)
    assert "| Single dose |" not in markdown


def test_the_plan_documents_its_interval_as_the_librarys_reading() -> None:
    doc = " ".join((ae_systemic.DosePlan.__doc__ or "").split())
    assert "this library's reading, 1 day divided by the doses a day" in doc
    assert "not the source's words" in doc
