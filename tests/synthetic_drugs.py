"""Made-up drugs for tests of dose shapes and units the packaged content does not have.

Their numbers are test inputs (each test states the dose it computes by hand), never clinical
content: every other fact is ciclosporin's, renamed.
"""

from __future__ import annotations

from typing import Any

import attrs

import ae_systemic
from ae_systemic import DoseRegimen, Drug, Population


def regimen(label: str, **shape: Any) -> DoseRegimen:
    """An adult regimen of ``shape`` (``rate=``, ``fixed=``, ``bands=``...), as synthetic data."""
    fields: dict[str, Any] = {"rate": None, "doses_per_day": None, **shape}
    return DoseRegimen(Population.ADULT, None, label, location="synthetic test data", **fields)


def synthetic(name: str, *regimens: DoseRegimen) -> Drug:
    """A made-up drug: ciclosporin's other content, renamed, with these regimens."""
    return attrs.evolve(
        ae_systemic.drug("ciclosporin"), name=name, synonyms=(), regimens=regimens, atc=None
    )
