"""Files of any size assessed batch by batch (CSV, Parquet), for ``ae-systemic audit``.

:func:`audit_file` reads a cohort file in record batches through pyarrow, assesses each
batch with :func:`~ae_systemic.assess_table` (``errors="mark"``: a row that cannot be
assessed says why in its ``error`` column) and writes each result batch as soon as it is
made, so that one batch is in memory at a time, whatever the size of the file.  The
counts of :func:`~ae_systemic._cohort.result_counts` are added up over the batches and
make the summary (:class:`AuditSummary`), printed by :func:`summary_text` or
:func:`summary_data` (JSON).

What the file must hold is checked once, before a row is assessed, on its schema: the
columns of the fields (``--column FIELD=NAME`` renames them), their types, and the unit of
every column of quantities; an assessment of no rows then gives the schema of the output,
and the output is opened with it.  The output is written to a hidden file beside it and
renamed only once every batch is written: a run that fails or is interrupted leaves no
output that looks complete (and removes its partial file).

CSV is read with the types of the fields fixed, so that the type pyarrow infers from the
file's first block cannot change under a later one: numbers (age, weight, amount,
frequency, period) as float64, ``pregnant`` as true/false, the text fields as strings
(an empty cell is then no phototherapy, never a null column), and every other column as
text, exactly as written.  A line may hold up to :data:`CSV_BLOCK_BYTES` (1 MiB).

This module speaks the command's language: its errors (:class:`~ae_systemic.InputError`)
name the option at fault (``--weight-unit``, ``--column``, ``--out``) or the input file.
pandas, pyarrow and tqdm (the ``cohort`` extra) are imported only when a file is audited.
"""

from __future__ import annotations

import contextlib
import importlib
import math
import os
import re
import secrets
import textwrap
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO, cast

import attrs

from ._cohort import (
    FIELDS,
    RESULT_COLUMNS,
    assess_table,
    result_counts,
    summary_frame,
    unread_near_field,
)
from ._errors import ArgumentError, InputError, MissingExtraError
from ._lookup import resolve_drug
from ._model import Drug
from ._text import number
from ._units import QuantityLike
from ._vocabulary import Phase

if TYPE_CHECKING:
    import pandas
    import pyarrow

    from ._converter import JSONValue

__all__ = [
    "CSV_BLOCK_BYTES",
    "DEFAULT_BATCH_ROWS",
    "FORMATS",
    "MAX_BATCH_ROWS",
    "UNIT_EXAMPLES",
    "UNIT_FIELDS",
    "AuditSummary",
    "audit_file",
    "check_extras",
    "check_paths",
    "conformed",
    "has_progress_bar",
    "summary_data",
    "summary_text",
]

#: The file formats, by extension (any case).
FORMATS: dict[str, str] = {".csv": "CSV", ".parquet": "Parquet"}
#: Rows assessed at a time, unless ``--batch-size`` says otherwise.
DEFAULT_BATCH_ROWS = 65_536
#: The most rows a batch may have: a bound on the memory a batch takes.
MAX_BATCH_ROWS = 1_048_576
#: Bytes of CSV read at a time (pyarrow reads up to 32 blocks ahead, a bound on memory),
#: and so the longest line a CSV file may hold; the column names come from the first block.
CSV_BLOCK_BYTES = 1 << 20
#: The fields whose columns hold quantities, each with its unit's option.
UNIT_FIELDS: tuple[str, ...] = ("age", "weight", "amount", "period")
#: A unit of each quantity, to show in messages (an example, never assumed).
UNIT_EXAMPLES: dict[str, str] = {"age": "year", "weight": "kg", "amount": "mg", "period": "day"}

_LONGEST_LINE = "1 MiB"  # CSV_BLOCK_BYTES in words
_LONG_LINES = "write such a file as Parquet, or leave the long column out of the CSV"
_NUMBER_FIELDS = ("age", "weight", "amount", "frequency", "period")
_TEXT_FIELDS = ("phototherapy", "co_medication_pathways")
_REQUIRED = ("age", "weight")
_CSV_COLUMN = re.compile(r"In CSV column #(\d+): (.*)", flags=re.S)
#: The value pyarrow could not convert, as its message quotes it (quotes inside kept).
_INVALID_VALUE = re.compile(r"CSV conversion error to [^:]+: invalid value '(.*)'", flags=re.S)
#: What a CSV value of a field that cannot be read should be instead.
_CONVERSION_HINTS = {
    **{
        field: f"; give the {field} as plain numbers, and their unit with --{field}-unit"
        for field in UNIT_FIELDS
    },
    "frequency": "; give the frequency as plain numbers (administrations per period)",
    "pregnant": "; write true or false (or 1 or 0)",
}


def _option(field: str) -> str:
    return f"--{field}-unit"


# --- before anything is read ---------------------------------------------------------------


def check_paths(source: str, out: str) -> tuple[str, str]:
    """The formats of ``source`` and ``out`` (``"CSV"`` or ``"Parquet"``), or what is wrong.

    The input must be a file that exists; the output a ``.csv`` or ``.parquet`` name in a
    directory that exists, and not the input itself.  Nothing is opened.
    """
    source_format = _format(source, source, "cannot read it", "reads")
    out_format = _format(out, "--out", f"cannot write {out!r}", "writes")
    path = Path(source)
    if not path.exists():
        raise InputError(source, "cannot read it: there is no such file")
    if not path.is_file():
        raise InputError(source, "cannot read it: it is not a file")
    target = Path(out)
    try:
        resolved = target.resolve()
        same = resolved == path.resolve() or (target.exists() and target.samefile(path))
    except (OSError, RuntimeError) as exc:  # a symbolic link to itself: RuntimeError (3.11)
        raise InputError("--out", f"cannot write {out!r}: {exc}") from None
    if same:
        raise InputError("--out", f"{out!r} is the input file; write the result to another file")
    if not resolved.parent.is_dir():
        raise InputError("--out", f"cannot write {out!r}: its directory does not exist")
    if target.is_dir():
        raise InputError("--out", f"cannot write {out!r}: it is a directory")
    return source_format, out_format


def _format(name: str, argument: str, cannot: str, verb: str) -> str:
    suffix = Path(name).suffix or Path(name).name  # a name that is only ".csv" has no suffix
    found = FORMATS.get(suffix.lower())
    if found is None:
        raise InputError(
            argument,
            f"{cannot}: the name ends neither in .csv nor in .parquet; audit {verb} CSV or "
            "Parquet, chosen by the extension",
        )
    return found


def check_extras() -> None:
    """:class:`~ae_systemic.MissingExtraError` unless pandas and pyarrow import."""
    for package in ("numpy", "pandas", "pyarrow", "pyarrow.csv", "pyarrow.parquet"):
        try:
            importlib.import_module(package)
        except ImportError as exc:
            raise MissingExtraError("ae-systemic audit", package.split(".")[0], "cohort") from exc


def has_progress_bar() -> bool:
    """Whether tqdm, which draws the progress bar, is installed."""
    try:
        importlib.import_module("tqdm")
    except ImportError:
        return False
    return True


def _batch_rows(rows: object) -> int:
    if not isinstance(rows, int) or isinstance(rows, bool) or not 1 <= rows <= MAX_BATCH_ROWS:
        raise InputError(
            "--batch-size",
            f"must be a whole number of rows from 1 to {MAX_BATCH_ROWS}, got {rows!r}",
        )
    return rows


# --- the summary ---------------------------------------------------------------------------


@attrs.frozen
class AuditSummary:
    """What :func:`audit_file` did: the counts of its result, and how long it took.

    ``counts`` holds the counts of :func:`~ae_systemic._cohort.result_counts`, added up
    over the batches, as (key, count) pairs in its order.
    """

    drug: str
    source: str
    output: str
    counts: tuple[tuple[str, int], ...]
    seconds: float

    @property
    def rows(self) -> int:
        return dict(self.counts)["rows"]

    @property
    def errors(self) -> int:
        """The rows that could not be assessed (their ``error`` column says why)."""
        return dict(self.counts)["errors"]

    @property
    def rows_per_second(self) -> float | None:
        return self.rows / self.seconds if self.seconds > 0 else None

    def table(self) -> pandas.DataFrame:
        """The summary as :func:`~ae_systemic.summarize` gives it: counts and percentages."""
        return summary_frame(dict(self.counts))


def _records(summary: AuditSummary) -> list[tuple[str, str, int, float]]:
    """The lines of :func:`~ae_systemic._cohort.summary_frame`: what, value, rows, percent."""
    frame = summary.table()
    keys: list[tuple[object, object]] = frame.index.tolist()
    return [
        (str(what), str(value), int(count), float(percent))
        for (what, value), count, percent in zip(
            keys, frame["rows"].tolist(), frame["percent"].tolist(), strict=True
        )
    ]


def _percent(value: float) -> float | None:
    return None if math.isnan(value) else value


def summary_data(summary: AuditSummary) -> dict[str, JSONValue]:
    """The summary as JSON (the keys are documented in ``docs/cli.md``).

    ``assessed`` and ``with_errors`` are percentages of all rows; each dose status (and
    ``no prescription``) and each finding, of the rows assessed.  A percentage of no rows
    is ``null``.
    """
    groups: dict[str, dict[str, JSONValue]] = {"rows": {}, "dose_status": {}, "finding": {}}
    for what, value, count, percent in _records(summary):
        groups[what][value] = {"rows": count, "percent": _percent(percent)}
    per_second = summary.rows_per_second
    return {
        "drug": summary.drug,
        "input": summary.source,
        "output": summary.output,
        "rows": summary.rows,
        "assessed": groups["rows"]["assessed"],
        "with_errors": groups["rows"]["with errors"],
        "dose_status": groups["dose_status"],
        "findings": groups["finding"],
        "seconds": round(summary.seconds, 3),
        "rows_per_second": None if per_second is None else round(per_second, 1),
    }


def _percent_text(percent: float) -> str:
    """`` 12.5 %``; a share of some but not all rows is never shown as 0.0 % or 100.0 %."""
    if math.isnan(percent):
        return "–"
    for places in range(1, 13):  # a share of 10**14 rows needs no more
        text = f"{percent:5.{places}f}"
        if not 0.0 < percent < 100.0 or 0.0 < float(text) < 100.0:
            break
    return f"{text} %"


def summary_text(summary: AuditSummary) -> str:
    """The summary as the terminal shows it: counts and percentages, then the time taken."""
    records = _records(summary)
    width = max(len(value) for _, value, _, _ in records) + 2
    digits = max(len(str(summary.rows)), 1)

    def line(value: str, count: int, percent: float) -> str:
        return f"  {value:<{width}}{count:>{digits}}  {_percent_text(percent)}"

    lines = [
        f"{summary.drug}: {summary.source} assessed, written to {summary.output}",
        f"  {'rows':<{width}}{summary.rows:>{digits}}",
    ]
    headings = {
        "dose_status": "dose status, of the rows assessed",
        "finding": "findings, of the rows assessed",
    }
    for what, value, count, percent in records:
        if what in headings:
            lines += ["", headings.pop(what)]
        lines.append(line(value, count, percent))
    if summary.errors:
        lines += [
            "",
            *textwrap.wrap(
                f"The rows with errors have no results; their column 'error' in "
                f"{summary.output} says which column and what was wrong.",
                80,
            ),
        ]
    per_second = summary.rows_per_second
    speed = "" if per_second is None else f", {number(per_second, 0)} rows/s"
    lines += ["", f"{summary.rows} rows in {number(summary.seconds, 2)} s{speed}"]
    return "\n".join(lines)


# --- reading -------------------------------------------------------------------------------


@attrs.frozen
class _Input:
    """An open input: its schema, its rows when known, and its batches (read on demand)."""

    schema: pyarrow.Schema
    total: int | None
    batches: Iterator[pyarrow.RecordBatch]


def _unreadable(
    label: str,
    kind: str,
    exc: BaseException,
    names: list[str],
    done: int,
    columns: Mapping[str, str] | None = None,
    row: int | None = None,
) -> InputError:
    """The error of a file pyarrow cannot read, naming the column (and its fix) when it can.

    ``row``, when known, is the row that holds the value that failed (1 for the first row
    after a CSV's header); otherwise the message says how many rows were read before.
    """
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "straddles two block boundaries" in text:  # pyarrow's advice names its own setting
        text = f"a line is longer than {_LONGEST_LINE}, the most read at once; {_LONG_LINES}"
    match = _CSV_COLUMN.match(text)
    if match is not None and int(match.group(1)) < len(names):
        name = names[int(match.group(1))]
        text = f"column {name!r}: {match.group(2)}"
        fields = {(columns or {}).get(field, field): field for field in FIELDS}
        text += _CONVERSION_HINTS.get(fields.get(name, ""), "")
    at = [f"after row {done}"] if done and row is None else []
    at += [f"row {row} after the header"] if row is not None else []
    at += ["no output written"] if done else []
    where = f" ({'; '.join(at)})" if at else ""
    return InputError(label, f"cannot read it as {kind}{where}: {text}")


def _row_of_bad_value(path: Path, names: list[str], exc: BaseException) -> int | None:
    """The row of a CSV file (1 after the header) that holds the value ``exc`` could not convert.

    pyarrow's conversion error names the column and quotes the value but not its row, and it
    reads many rows ahead of those handed out. This reads that column again as text and finds
    the value's first occurrence: every earlier row of the column converted, so that is the
    row. ``None`` when the message names no column or value, or the column's name is not
    unique (a second read by name could find another column's value).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as csv

    column = _CSV_COLUMN.match(str(exc))
    value = _INVALID_VALUE.search(str(exc))
    if column is None or value is None or int(column.group(1)) >= len(names):
        return None
    name = names[int(column.group(1))]
    if names.count(name) != 1:
        return None
    read = csv.ReadOptions(block_size=CSV_BLOCK_BYTES)
    convert = csv.ConvertOptions(column_types={name: pa.string()}, include_columns=[name])
    before = 0
    try:
        with (
            _native(path) as source,
            csv.open_csv(source, read_options=read, convert_options=convert) as reader,
        ):
            for batch in reader:
                found = pc.index(batch.column(0), value.group(1)).as_py()
                if found >= 0:
                    return before + int(found) + 1
                before += batch.num_rows
    except (pa.ArrowException, OSError):
        return None
    return None


def _field_types(columns: Mapping[str, str]) -> dict[str, pyarrow.DataType]:
    """The types CSV columns are read as: the fields' own, and strings for empty columns."""
    import pyarrow as pa

    own: dict[str, pyarrow.DataType] = {
        **dict.fromkeys(_NUMBER_FIELDS, pa.float64()),
        "pregnant": pa.bool_(),
        **dict.fromkeys(_TEXT_FIELDS, pa.string()),
    }
    return {columns.get(field, field): own[field] for field in FIELDS}


@contextlib.contextmanager
def _read_csv(path: Path, label: str, columns: Mapping[str, str], rows: int) -> Iterator[_Input]:
    import pyarrow as pa
    import pyarrow.csv as csv

    read = csv.ReadOptions(block_size=CSV_BLOCK_BYTES)
    names: list[str] = []
    header: list[str] | None = None
    with contextlib.ExitStack() as stack:
        try:
            # The first block alone, for the names.
            with _native(path) as source, csv.open_csv(source, read_options=read) as first:
                names = list(first.schema.names)
            _one_field_per_column(names, columns)  # before the fields are read as their types
            # The fields as their own types; every other column as text, exactly as written:
            # a CSV has no types, and guessing them would drop the leading zeros of '007',
            # round a long identifier, or fail on a later block that holds text.
            own = _field_types(columns)
            forced = {name: own.get(name, pa.string()) for name in names}
            convert = csv.ConvertOptions(column_types=forced)
            source = stack.enter_context(_native(path))
            reader = csv.open_csv(source, read_options=read, convert_options=convert)
        except pa.ArrowInvalid as exc:
            header = _header_only(path, label) if not names else None
            if header is None:
                row = _row_of_bad_value(path, names, exc) if names else None
                raise _unreadable(label, "CSV", exc, names, 0, columns, row) from None
        except (pa.ArrowException, OSError) as exc:
            raise _unreadable(label, "CSV", exc, names, 0, columns) from None
        except UnicodeDecodeError as exc:
            raise _not_utf8(label, str(exc)) from None
        if header is not None:  # a header alone: no rows to read
            own = _field_types(columns)
            yield _Input(
                pa.schema([(name, own.get(name, pa.string())) for name in header]), 0, iter(())
            )
            return
        with reader:
            batches = _sliced(
                reader, rows, label, "CSV", names, columns, partial(_row_of_bad_value, path, names)
            )
            yield _Input(reader.schema, None, batches)


def _printable(name: str) -> str:
    """A file name as a summary shows it: bytes that are not UTF-8 escaped (``in\\xff.csv``)."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _native(path: Path) -> IO[bytes]:
    """``path`` opened for pyarrow by its bytes: any name the file system holds, UTF-8 or not.

    pyarrow opens a ``str`` name as UTF-8 and fails on one that is not (``'\\udcff'``); its
    own file, opened by the name's bytes, reads as fast as a name would.
    """
    import pyarrow as pa

    native = pa.OSFile(os.fsencode(path), "r")  # type: ignore[arg-type] # bytes are read too
    return cast("IO[bytes]", native)  # a file object to pyarrow's readers


def _not_utf8(label: str, detail: str) -> InputError:
    return InputError(
        label, f"cannot read it as CSV: its header is not UTF-8 text ({detail}); save it as UTF-8"
    )


def _header_only(path: Path, label: str) -> list[str] | None:
    """The column names of a CSV file that holds its header line alone, without a newline.

    pyarrow reads such a file as empty (it finds no complete line); ``None`` for any other file.
    A first line that is not UTF-8 (a file saved as Latin-1 or UTF-16) is an
    :class:`~ae_systemic.InputError` saying so, whatever pyarrow made of it.
    """
    import codecs
    import csv

    with path.open("rb") as handle:
        head = handle.read(CSV_BLOCK_BYTES + 1)
    line = head.splitlines()[0] if head.strip() else b""
    # A line cut at the block's end may end inside a character: that is no error.
    complete = len(head) <= CSV_BLOCK_BYTES or len(line) < len(head)
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(line, final=complete)
    except UnicodeDecodeError as exc:
        raise _not_utf8(label, str(exc)) from None
    if len(head) > CSV_BLOCK_BYTES and len(line) == len(head):
        raise InputError(
            label,
            f"cannot read it as CSV: its first line is longer than {_LONGEST_LINE}, the most "
            f"read at once; {_LONG_LINES}",
        )
    if not head.strip() or b"\n" in head or b"\r" in head:
        return None
    return next(csv.reader([text]), None)


@contextlib.contextmanager
def _read_parquet(path: Path, label: str, rows: int) -> Iterator[_Input]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        source = _native(path)
        parquet = pq.ParquetFile(source)
    except (pa.ArrowException, OSError) as exc:
        raise _unreadable(label, "Parquet", exc, [], 0) from None
    with source, parquet:
        try:
            schema = parquet.schema_arrow
            total = parquet.metadata.num_rows
            batches = parquet.iter_batches(batch_size=rows)
        except (pa.ArrowException, OSError) as exc:
            raise _unreadable(label, "Parquet", exc, [], 0) from None
        names = list(schema.names)
        yield _Input(schema, total, _sliced(batches, rows, label, "Parquet", names))


def _sliced(
    batches: Iterator[pyarrow.RecordBatch],
    rows: int,
    label: str,
    kind: str,
    names: list[str],
    columns: Mapping[str, str] | None = None,
    locate: Callable[[BaseException], int | None] | None = None,
) -> Iterator[pyarrow.RecordBatch]:
    """The batches of a reader, at most ``rows`` rows each; pyarrow's errors named.

    ``locate`` finds the row an error is about, when the reader's message does not say.
    """
    import pyarrow as pa

    done = 0
    iterator = iter(batches)
    while True:
        try:
            batch = next(iterator)
        except StopIteration:
            return
        except (pa.ArrowException, OSError) as exc:
            row = locate(exc) if locate is not None else None
            raise _unreadable(label, kind, exc, names, done, columns, row) from None
        for start in range(0, batch.num_rows, rows):
            piece = batch.slice(start, rows)
            done += piece.num_rows
            yield piece


# --- what the file must hold ---------------------------------------------------------------


def _names_text(names: list[str]) -> str:
    shown = ", ".join(repr(name) for name in names[:12])
    more = f" and {len(names) - 12} more" if len(names) > 12 else ""
    return shown + more if names else "none"


def _one_field_per_column(names: Sequence[str], columns: Mapping[str, str]) -> None:
    """An error if two fields would be read from one column of ``names``."""
    readers: dict[str, list[str]] = {}
    for field in FIELDS:
        name = columns.get(field, field)
        if name in names:
            readers.setdefault(name, []).append(field)
    shared = next(((n, f) for n, f in readers.items() if len(f) > 1), None)
    if shared is not None:
        name, fields = shared
        raise InputError(
            "--column",
            f"the {fields[0]} and the {fields[1]} would both be read from column {name!r}; "
            "give each field its own column",
        )


def _found_columns(
    schema: pyarrow.Schema, label: str, columns: Mapping[str, str], units: Mapping[str, str]
) -> dict[str, str]:
    """Each field's column in the file, checked as the command line words it."""
    import pyarrow as pa

    names = list(schema.names)
    repeated = next((name for name in names if names.count(name) > 1), None)
    if repeated is not None:
        raise InputError(label, f"has two columns named {repeated!r}; rename one")
    taken = next((name for name in RESULT_COLUMNS if name in names), None)
    if taken is not None:
        raise InputError(
            label,
            f"already has a column named {taken!r}, which the audit adds; rename or drop it "
            "(is it the result of an earlier audit?)",
        )
    found: dict[str, str] = {}
    for field in FIELDS:
        name = columns.get(field, field)
        if name in names:
            found[field] = name
        elif field in columns:
            raise InputError(
                "--column",
                f"{field}={name}: {label} has no column {name!r}; its columns are "
                f"{_names_text(names)}",
            )
        elif field in _REQUIRED:
            raise InputError(
                label,
                f"has no column {field!r} (the {field}); its columns are {_names_text(names)}; "
                f"name the column that holds it with --column {field}=NAME",
            )
    near_field = unread_near_field(found, columns, names)
    if near_field is not None:
        field, near = near_field
        raise InputError(
            label,
            f"has a column {near!r}, which reads like the {field} field (read from a column "
            f"named {field!r}): name it with --column {field}={near}, or rename or drop "
            "the column; read as absent, its values would be lost",
        )
    _one_field_per_column(names, columns)
    if ("amount" in found) != ("frequency" in found):
        given, missing = ("amount", "frequency") if "amount" in found else ("frequency", "amount")
        raise InputError(
            label,
            f"has a column for the {given} ({found[given]!r}) but none for the {missing}; a "
            f"prescription needs both (name it with --column {missing}=NAME)",
        )
    if "period" in found and "amount" not in found:
        raise InputError(
            label,
            f"has a column for the period ({found['period']!r}) but none for the amount and "
            "frequency it goes with",
        )
    for field in _NUMBER_FIELDS:
        if field not in found:
            continue
        kind = schema.field(found[field]).type
        if not (
            pa.types.is_integer(kind)
            or pa.types.is_floating(kind)
            or pa.types.is_decimal(kind)
            or pa.types.is_null(kind)
        ):
            unit = f", and their unit with {_option(field)}" if field in UNIT_FIELDS else ""
            raise InputError(
                label,
                f"column {found[field]!r} holds {kind} values, not numbers; give the {field} as "
                f"plain numbers{unit}",
            )
    for field in UNIT_FIELDS:
        if field not in found and units.get(field) is not None:
            raise InputError(
                _option(field),
                f"{units[field]} given, but {label} has no column for the {field} (its columns "
                f"are {_names_text(names)}); name it with --column {field}=NAME, or drop "
                f"{_option(field)}",
            )
        if field in found and units.get(field) is None:
            raise InputError(
                _option(field),
                f"missing; column {found[field]!r} of {label} holds the {field} as plain "
                f"numbers; give their unit, e.g. {_option(field)} {UNIT_EXAMPLES[field]}",
            )
    return found


def _library_error(exc: ArgumentError, label: str, found: Mapping[str, str]) -> InputError:
    """An error of :func:`assess_table`, naming the option or the file's column at fault.

    Once :func:`_found_columns` has passed, an error about the column of a quantity is
    about its unit (the columns and their types are checked already).
    """
    fields = {name: field for field, name in found.items()}
    field = fields.get(exc.argument)
    if field in UNIT_FIELDS:
        return InputError(_option(field), exc.problem)
    if exc.argument == "adult_from":
        return InputError("--adult-from", exc.problem)
    if field is not None:
        return InputError(label, f"column {exc.argument!r}: {exc.problem}")
    return InputError(label, f"{exc.argument}: {exc.problem}")


def conformed(
    batch: pyarrow.RecordBatch, schema: pyarrow.Schema, label: str, done: int
) -> pyarrow.RecordBatch:
    """``batch`` in ``schema``, the schema of the first: each column cast where that is safe.

    A batch whose column is missing, or whose values cannot be cast without loss, is an
    :class:`~ae_systemic.InputError` naming the column.
    """
    import pyarrow as pa

    if batch.schema.equals(schema, check_metadata=False):
        return batch
    arrays = []
    for field in schema:
        index = batch.schema.get_field_index(field.name)
        if index < 0:
            raise InputError(label, f"column {field.name!r} is missing after row {done}")
        column = batch.column(index)
        try:
            arrays.append(column.cast(field.type, safe=True))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise InputError(
                label,
                f"column {field.name!r} holds {column.type} values after row {done}, which "
                f"cannot be read as {field.type} like the rows before ({exc})",
            ) from None
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


# --- writing -------------------------------------------------------------------------------


@contextlib.contextmanager
def _written(out: Path, kind: str, schema: pyarrow.Schema) -> Iterator[Callable[[Any], None]]:
    """A writer of ``schema`` into a hidden file beside ``out``, renamed to ``out`` at the end.

    Whatever stops the run (an error, an interruption), the hidden file is removed and
    ``out`` is left as it was.
    """
    import pyarrow as pa
    import pyarrow.csv as csv
    import pyarrow.parquet as pq

    # Hidden beside the output; the output's name cut short so that the whole name stays
    # within the 255 bytes file systems allow (the output's own name may use all of them).
    stem = os.fsdecode(os.fsencode(out.name)[:200])
    temporary = out.with_name(f".{stem}.{secrets.token_hex(6)}.part")
    try:
        handle = temporary.open("xb")
    except OSError as exc:
        raise InputError("--out", f"cannot write {str(out)!r}: {exc.strerror or exc}") from None
    writer: Any = None
    committed = False
    try:
        try:
            if kind == "Parquet":
                writer = pq.ParquetWriter(handle, schema)
            else:
                writer = csv.CSVWriter(handle, schema)
        except (pa.ArrowException, OSError) as exc:
            raise _unwritable(out, kind, exc) from None

        def write(table: Any) -> None:
            try:
                writer.write_table(table)
            except (pa.ArrowException, OSError) as exc:
                raise _unwritable(out, kind, exc) from None

        yield write
        try:
            writer.close()
            handle.close()
            os.replace(temporary, out)
        except (pa.ArrowException, OSError) as exc:
            raise _unwritable(out, kind, exc) from None
        committed = True
    finally:
        if not committed:
            with contextlib.suppress(Exception):
                if writer is not None:
                    writer.close()
            handle.close()
            with contextlib.suppress(OSError):
                temporary.unlink()


def _unwritable(out: Path, kind: str, exc: BaseException) -> InputError:
    text = " ".join(str(exc).split()) or type(exc).__name__
    hint = "; write Parquet (.parquet) instead" if kind == "CSV" else ""
    return InputError("--out", f"cannot write {str(out)!r} as {kind}: {text}{hint}")


# --- the audit -----------------------------------------------------------------------------


def _counted(table: pyarrow.Table) -> dict[str, int]:
    """:func:`result_counts` of the result columns of ``table`` (one batch)."""
    import pandas as pd
    import pyarrow as pa

    nullable = {
        pa.bool_(): pd.BooleanDtype(),
        pa.string(): pd.StringDtype(),
        pa.int64(): pd.Int64Dtype(),
    }
    frame = table.select(list(RESULT_COLUMNS)).to_pandas(types_mapper=nullable.get)
    return result_counts(frame)


def _progress_bar(stream: TextIO | None, total: int | None, drug: str) -> Any:
    if stream is None:
        return None
    try:
        tqdm = importlib.import_module("tqdm")
    except ImportError as exc:
        raise MissingExtraError("the progress bar of ae-systemic audit", "tqdm", "cohort") from exc
    return tqdm.tqdm(
        total=total,
        unit=" rows",
        unit_scale=True,
        desc=f"{drug} audit",
        file=stream,
        dynamic_ncols=True,
        mininterval=0.5,
    )


def audit_file(
    drug: Drug | str,
    source: str,
    out: str,
    *,
    units: Mapping[str, str] | None = None,
    columns: Mapping[str, str] | None = None,
    phase: Phase | None = None,
    adult_from: QuantityLike | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    progress: TextIO | None = None,
) -> AuditSummary:
    """Every row of the file ``source`` assessed, written to ``out``; the summary.

    ``source`` and ``out`` are CSV or Parquet files, by extension; ``units``, ``columns``,
    ``phase`` and ``adult_from`` are those of :func:`~ae_systemic.assess_table`.  The file
    is read and written ``batch_rows`` rows at a time; ``progress`` is the stream a progress
    bar is drawn on (tqdm), or ``None``.  The output has the input's columns, then
    :data:`~ae_systemic._cohort.RESULT_COLUMNS`, and appears only once complete.
    """
    subject = resolve_drug(drug)
    units = dict(units or {})
    columns = dict(columns or {})
    rows = _batch_rows(batch_rows)
    source_format, out_format = check_paths(source, out)
    check_extras()
    import pyarrow as pa

    started = time.perf_counter()
    path = Path(source)
    opened = (
        _read_csv(path, source, columns, rows)
        if source_format == "CSV"
        else _read_parquet(path, source, rows)
    )
    with opened as data:
        found = _found_columns(data.schema, source, columns, units)

        def assessed(table: pyarrow.Table) -> pyarrow.Table:
            try:
                return assess_table(
                    subject,
                    table,
                    units=units,
                    columns=columns,
                    phase=phase,
                    adult_from=adult_from,
                    errors="mark",
                )
            except ArgumentError as exc:
                raise _library_error(exc, source, found) from None

        empty = assessed(data.schema.empty_table())
        counts = _counted(empty)
        with _written(Path(out), out_format, empty.schema) as write:
            bar = _progress_bar(progress, data.total, subject.name)
            try:
                for batch in data.batches:
                    batch = conformed(batch, data.schema, source, counts["rows"])
                    result = assessed(pa.Table.from_batches([batch]))
                    write(result)
                    for key, count in _counted(result).items():
                        counts[key] += count
                    if bar is not None:
                        bar.update(batch.num_rows)
            finally:
                if bar is not None:
                    bar.close()
    return AuditSummary(
        drug=subject.name,
        source=_printable(source),
        output=_printable(out),
        counts=tuple(counts.items()),
        seconds=time.perf_counter() - started,
    )
