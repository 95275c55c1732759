"""Shared pytest configuration: the ``hostile_full`` marker, and the fixtures many files use.

``csa`` is the packaged ciclosporin; ``bundle`` its FHIR bundle as plain JSON data (through
a JSON round trip, which must work).  Tests marked ``hostile_full`` (the long run of
``test_hostile_data.py``) are skipped unless they are asked for, with ``-m hostile_full`` or
the environment variable ``AE_SYSTEMIC_HOSTILE_FULL=1``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

import ae_systemic
from ae_systemic import Drug

HOSTILE_FULL = "hostile_full"
HOSTILE_FULL_ENV = "AE_SYSTEMIC_HOSTILE_FULL"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{HOSTILE_FULL}: the long run (10 000 cases) of the hostile data-pack tests; "
        f"skipped unless -m {HOSTILE_FULL} is given or {HOSTILE_FULL_ENV}=1 is set",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    asked = HOSTILE_FULL in str(config.getoption("markexpr", default="") or "")
    if asked or os.environ.get(HOSTILE_FULL_ENV) == "1":
        return
    skip = pytest.mark.skip(
        reason=f"long run: give -m {HOSTILE_FULL} or set {HOSTILE_FULL_ENV}=1 to run it"
    )
    for item in items:
        if item.get_closest_marker(HOSTILE_FULL) is not None:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def csa() -> Drug:
    return ae_systemic.drug("ciclosporin")


@pytest.fixture(scope="module")
def bundle(csa: Drug) -> Any:
    from ae_systemic.fhir import to_bundle

    return json.loads(json.dumps(to_bundle(csa), ensure_ascii=False))
