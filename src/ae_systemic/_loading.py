"""Reading guideline content from data files: the packaged content, lazily, once.

The packaged content lives in ``ae_systemic/data/``: ``guideline.json`` holds the
guideline's metadata and names one file per drug under ``drugs/``.  Nothing is
read at import; the first call to :func:`packaged_guideline` reads and checks
every file, under a lock, and later calls (from any thread) return the same
frozen object.
"""

from __future__ import annotations

import json
import threading
from importlib import resources
from typing import Any

import attrs

from ._converter import structure
from ._errors import DataError, DataProblem
from ._model import Drug, Guideline

__all__ = ["packaged_guideline", "parse_json"]

_PACKAGE = "ae_systemic"
_MANIFEST = "guideline.json"

_lock = threading.Lock()
_guideline: Guideline | None = None


def packaged_guideline() -> Guideline:
    """The guideline content shipped with the package, read on first use and cached."""
    global _guideline
    if _guideline is None:
        with _lock:
            if _guideline is None:
                _guideline = _read_packaged()
    return _guideline


def _read_packaged() -> Guideline:
    data = resources.files(_PACKAGE) / "data"
    manifest_name = f"{_PACKAGE}/data/{_MANIFEST}"
    manifest = parse_json((data / _MANIFEST).read_text(encoding="utf-8"), file=manifest_name)
    if not isinstance(manifest, dict):
        raise DataError([DataProblem("", "expected an object ({...})")], file=manifest_name)
    drug_files = manifest.pop("drug_files", None)
    if not isinstance(drug_files, list) or not all(isinstance(f, str) for f in drug_files):
        raise DataError(
            [DataProblem("drug_files", "expected a list of file names below data/")],
            file=manifest_name,
        )
    drugs = []
    for name in drug_files:
        file = f"{_PACKAGE}/data/{name}"
        document = parse_json((data / name).read_text(encoding="utf-8"), file=file)
        drugs.append(_structure_in_file(document, Drug, file))
    guideline = _structure_in_file({**manifest, "drugs": []}, Guideline, manifest_name)
    try:
        complete: Guideline = attrs.evolve(guideline, drugs=tuple(drugs))
    except DataError as exc:
        raise exc.in_file(manifest_name) from None
    return complete


def _structure_in_file(document: object, cls: type[Any], file: str) -> Any:
    try:
        return structure(document, cls)
    except DataError as exc:
        raise exc.in_file(file) from None


def parse_json(text: str, *, file: str | None = None) -> object:
    """Parse JSON text strictly: no NaN or Infinity, no key given twice in one object."""
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except DataError as exc:
        raise DataError(exc.problems, file=file) from None
    except json.JSONDecodeError as exc:
        raise DataError(
            [DataProblem("", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")],
            file=file,
        ) from None


def _reject_constant(name: str) -> object:
    raise DataError([DataProblem("", f"{name} is not allowed; numbers must be finite")])


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DataError([DataProblem(key, f"key {key!r} appears twice in one object")])
        result[key] = value
    return result
