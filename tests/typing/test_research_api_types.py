"""The research faces and the string enums as a downstream package types them.

Checked by ``mypy --strict`` (``assert_type`` does nothing at run time), and run as tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import assert_type

import pandas as pd
from matplotlib.figure import Figure

import ae_systemic
from ae_systemic import Certainty, DoseLevel, Drug, EffectEstimate, Outcome, evidence_frame
from ae_systemic.plot import forest


def test_a_member_is_a_str_to_the_type_checker() -> None:
    spelling: str = Outcome.SIGNS  # a str enum: usable wherever a str is
    assert spelling == "signs"
    value: str = Outcome.SIGNS.value
    assert value == spelling
    assert_type(Certainty("low"), Certainty)
    assert_type(Certainty.LOW < Certainty.MODERATE, bool)
    assert_type(Certainty.LOW < "moderate", bool)


def test_the_frame_is_selected_with_members() -> None:
    frame = evidence_frame("ciclosporin")
    assert_type(frame, pd.DataFrame)
    signs = frame[frame["outcome"] == Outcome.SIGNS]
    moderate = frame[frame["certainty"] >= Certainty.MODERATE]
    assert isinstance(signs, pd.DataFrame)
    assert isinstance(moderate, pd.DataFrame)
    assert (len(signs), len(moderate)) == (2, 3)


def test_forest_takes_drugs_frames_and_estimates() -> None:
    csa: Drug = ae_systemic.drug("ciclosporin")
    frame = evidence_frame(csa)
    estimates: Iterable[EffectEstimate] = ae_systemic.evidence(csa, dose_level=DoseLevel.LOWER)
    assert_type(forest(csa), Figure)
    assert_type(forest("ciclosporin"), Figure)
    assert_type(forest([csa, "ciclosporin"]), Figure)
    assert_type(forest(frame[frame["dose_level"] == DoseLevel.HIGHER]), Figure)
    assert_type(forest(estimates, drug="ciclosporin"), Figure)
    fig = Figure()
    assert_type(forest(csa.evidence, ax=fig.add_subplot()), Figure)
