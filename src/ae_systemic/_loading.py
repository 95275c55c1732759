"""Reading guideline content from data files: the packaged content, lazily, once.

The packaged content lives in ``ae_systemic/data/``: ``guideline.json`` holds the
guideline's metadata and names one file per drug under ``drugs/``.  Nothing is
read at import; the first call to :func:`packaged_guideline` reads and checks
every file, under a lock, and later calls (from any thread) return the same
frozen object.
"""

from __future__ import annotations

import collections
import json
import math
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any

import attrs

from ._converter import structure
from ._errors import ArgumentTypeError, DataError, DataProblem, key_path, shown
from ._model import Drug, Guideline

__all__ = ["MAX_PACK_BYTES", "load_guideline", "packaged_guideline", "parse_json"]

#: The largest data pack :func:`load_guideline` reads, in bytes (a library bound: the
#: ciclosporin section takes about 27 kB). Larger files are refused before parsing.
MAX_PACK_BYTES = 5 * 1024 * 1024

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
    manifest_name = f"{_PACKAGE}/data/{_MANIFEST}"
    manifest = parse_json(_packaged_text(_MANIFEST), file=manifest_name)
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
        document = parse_json(_packaged_text(name), file=file)
        drugs.append(_structure_in_file(document, Drug, file))
    guideline = _structure_in_file({**manifest, "drugs": []}, Guideline, manifest_name)
    try:
        complete: Guideline = attrs.evolve(guideline, drugs=tuple(drugs))
    except DataError as exc:
        raise exc.in_file(manifest_name) from None
    return complete


def _packaged_text(name: str) -> str:
    """The text of the packaged data file ``data/{name}``, read with the package's loader.

    The loader of an installed package (a directory or a zip file) reads its files
    directly; ``importlib.resources``, which needs a further module for that, is the
    way for any other loader.
    """
    spec = sys.modules[_PACKAGE].__spec__
    get_data = getattr(spec.loader, "get_data", None) if spec is not None else None
    if spec is None or spec.origin is None or get_data is None:
        from importlib import resources

        return (resources.files(_PACKAGE) / "data" / name).read_text(encoding="utf-8")
    path = os.path.join(os.path.dirname(spec.origin), "data", *name.split("/"))
    raw: bytes = get_data(path)
    return raw.decode("utf-8")


def load_guideline(path: str | os.PathLike[str]) -> Guideline:
    """Read a data pack: a JSON file holding one whole :class:`Guideline`.

    The format is what :func:`~ae_systemic.unstructure` gives for a guideline
    (its JSON Schema is :func:`~ae_systemic.schema`), so a guideline written
    with ``json.dump(unstructure(g), f)`` loads back equal.  Loading only parses
    JSON and builds frozen values: it never evaluates code.  Every problem is a
    :class:`~ae_systemic.DataError` naming the file and the path of the field;
    a file that cannot be read, is larger than :data:`MAX_PACK_BYTES` or is not
    UTF-8 is refused the same way.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ArgumentTypeError(
            "path", f"expected a file path (str or os.PathLike), got {type(path).__name__}"
        )
    name = os.fspath(path)
    if not isinstance(name, str):
        raise ArgumentTypeError("path", "expected a text path, not bytes")
    try:
        with open(name, "rb") as handle:
            raw = handle.read(MAX_PACK_BYTES + 1)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DataError([DataProblem("", f"cannot read the file: {reason}")], file=name) from None
    if len(raw) > MAX_PACK_BYTES:
        raise DataError(
            [
                DataProblem(
                    "", f"the file is larger than {MAX_PACK_BYTES} bytes, the limit for a pack"
                )
            ],
            file=name,
        )
    try:
        text = raw.decode("utf-8-sig")  # a byte order mark may be ignored (RFC 8259, 8.1)
    except UnicodeDecodeError as exc:
        raise DataError(
            [DataProblem("", f"not UTF-8 text (byte {exc.start}); save the pack as UTF-8")],
            file=name,
        ) from None
    document = parse_json(text, file=name)
    loaded: Guideline = _structure_in_file(document, Guideline, name)
    return loaded


def _structure_in_file(document: object, cls: type[Any], file: str) -> Any:
    try:
        return structure(document, cls)
    except DataError as exc:
        raise exc.in_file(file) from None


def parse_json(text: str, *, file: str | None = None) -> object:
    """Parse JSON text strictly.

    Refused, each with the path of the offending value: ``NaN`` and
    ``Infinity``, numbers too large to be finite (``1e400``), integers of more
    than 18 digits, and a key given twice in one object (JSON parsers otherwise
    keep the last one silently).  Text nested too deeply to parse is refused too.
    """
    flagged: list[object] = []

    def keyed_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = _KeyedObject(pairs)
        if len(result) != len(pairs):
            counts = collections.Counter(key for key, _ in pairs)  # once: linear in the keys
            result.repeated = tuple(key for key, count in counts.items() if count > 1)
            flagged.append(result)
        return result

    def invalid(problem: str) -> _Invalid:
        marker = _Invalid(problem)
        flagged.append(marker)
        return marker

    def number(text: str) -> object:
        value = float(text)
        return invalid(f"{text} is too large to be a finite number") if math.isinf(value) else value

    def integer(text: str) -> object:
        digits = text.lstrip("-")
        return int(text) if len(digits) <= 18 else invalid("integer of more than 18 digits")

    try:
        document = json.loads(
            text,
            parse_constant=lambda name: invalid(f"{name} is not allowed; numbers must be finite"),
            parse_float=number,
            parse_int=integer,
            object_pairs_hook=keyed_object,
        )
    except json.JSONDecodeError as exc:
        raise DataError(
            [DataProblem("", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")],
            file=file,
        ) from None
    except RecursionError:
        raise DataError([DataProblem("", "the JSON is nested too deeply")], file=file) from None
    if flagged:  # rare: walk the document only to name the paths
        raise DataError(_flagged_values(document), file=file)
    return document


class _KeyedObject(dict[str, Any]):
    """A JSON object that remembers the keys it was given more than once."""

    repeated: tuple[str, ...] = ()


class _Invalid:
    """Stands in for a JSON value that must be refused, until its path is known."""

    def __init__(self, problem: str) -> None:
        self.problem = problem


def _flagged_values(document: object) -> Iterator[DataProblem]:
    """Every repeated key and refused value in ``document``, with its path (no recursion)."""
    stack: list[tuple[str, object]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _Invalid):
            yield DataProblem(path, value.problem)
        elif isinstance(value, dict):
            for key in getattr(value, "repeated", ()):
                yield DataProblem(
                    key_path(path, key), f"key {shown(key)} appears twice in one object"
                )
            stack.extend((key_path(path, k), item) for k, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in reversed(list(enumerate(value))))
