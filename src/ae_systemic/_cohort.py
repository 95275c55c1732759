"""Cohorts: a whole table of patients, and their prescriptions, assessed at once.

:func:`assess_table` answers for every row of a pandas ``DataFrame``, a pyarrow ``Table``
or a Dask ``DataFrame`` what :func:`~ae_systemic.assess` and
:func:`~ae_systemic.check_dose` answer for one patient, as columns: the population and
regimen, the dose range, the licence, where the prescription lies, and one boolean column
per :class:`~ae_systemic.FindingKind`.  :func:`summarize` counts the result.

Everything is decided once per call, before any row is read: the columns, their units (one
conversion factor each), the regimen of each population.  The rows are then a handful of
numpy operations per column; the dose ranges come from :func:`~ae_systemic.daily_dose` on
arrays of weights, so that a row's numbers are the very floats the one-patient functions
give.  Text columns (phototherapy, pathways) hold few distinct values: each is read once.

A row that cannot be assessed (a missing or implausible age or weight, an unknown
phototherapy, a frequency of 0, ...) is never guessed at: its result columns are null and
``error`` says which column and what was wrong, or, with ``errors="raise"``,
:class:`~ae_systemic.DoseInputError` names the first such row and column.  A table that
cannot be read at all (a missing column, a column of numbers without a unit, a unit of the
wrong dimension) always raises.

pandas (and pyarrow or Dask for their tables) are optional: the ``cohort`` and ``dask``
extras install them, and they are imported only here, when a table is assessed.
"""

from __future__ import annotations

import decimal
import math
import numbers
import re
import sys
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast, overload

import attrs

from ._assessment import FindingKind
from ._dosing import daily_dose
from ._errors import (
    ArgumentTypeError,
    DoseInputError,
    InputError,
    MissingExtraError,
    printable_name,
    shown,
)
from ._lookup import resolve_drug
from ._model import Drug
from ._patient import DEFAULT_ADULT_FROM_YEARS, not_daily
from ._prescription import (
    FLOAT_TOLERANCE,
    MAX_AMOUNT_PER_ADMINISTRATION_MG,
    order_problem,
    too_short,
    unheld_amount_a_day,
)
from ._units import (
    MAX_AGE_YEARS,
    MAX_BODY_WEIGHT_KG,
    MIN_BODY_WEIGHT_KG,
    QuantityLike,
    application_registry,
    checked_age,
    refused_mass_unit,
    refused_time_unit,
    short,
    units_of,
    whole_reciprocal,
)
from ._validators import MAX_COUNT
from ._vocabulary import CombinationAdvice, DoseStatus, Pathway, Phase, Phototherapy, Population

if TYPE_CHECKING:
    import dask.dataframe
    import numpy as np
    import numpy.typing as npt
    import pandas
    import pyarrow

    FloatArray = npt.NDArray[np.float64]
    BoolArray = npt.NDArray[np.bool_]

__all__ = [
    "ASSESSED_WITH",
    "FIELDS",
    "RESULT_COLUMNS",
    "arrow_result_schema",
    "assess_table",
    "checked_result_columns",
    "prescribed",
    "result_counts",
    "result_rows",
    "summarize",
    "summary_frame",
]

#: The fields a table may give, in the order a row's problems are looked for.
FIELDS: tuple[str, ...] = (
    "age",
    "weight",
    "pregnant",
    "phototherapy",
    "co_medication_pathways",
    "amount",
    "frequency",
    "period",
)
_REQUIRED = ("age", "weight")
#: The fields holding a quantity, and the dimension of each.
_DIMENSIONS = {"age": "time", "weight": "mass", "amount": "mass", "period": "time"}
_UNIT_EXAMPLES = {"age": "year", "weight": "kg", "amount": "mg", "period": "day"}

_FINDING_COLUMNS: tuple[tuple[str, FindingKind], ...] = tuple(
    (f"finding_{kind.value.replace('-', '_')}", kind) for kind in FindingKind
)

#: The columns :func:`assess_table` adds after the table's own, in this order.
RESULT_COLUMNS: tuple[str, ...] = (
    "population",
    "regimen",
    "dose_low_mg_per_day",
    "dose_high_mg_per_day",
    "per_dose_low_mg",
    "per_dose_high_mg",
    "doses_per_day",
    "licensed",
    "dose_status",
    "dose_deviation",
    *(name for name, _ in _FINDING_COLUMNS),
    "error",
)
_TEXT_COLUMNS = ("population", "regimen", "dose_status", "error")
_FLOAT_COLUMNS = (
    "dose_low_mg_per_day",
    "dose_high_mg_per_day",
    "per_dose_low_mg",
    "per_dose_high_mg",
    "dose_deviation",
)
_UNIT_TEXT = re.compile(r"[^\W\d][\w ./*^-]{0,39}")


# --- what is decided once per call ---------------------------------------------------------


@attrs.frozen
class _Unit:
    """The unit of one column: as the caller wrote it, and its factor to kg, mg or seconds."""

    text: str
    factor: float
    name: str = ""
    given: bool = True

    def scaled(self, values: Any) -> Any:
        """``values`` (a numpy array) in kg, mg or seconds, as one value is (``in_unit``)."""
        whole = whole_reciprocal(self.factor)
        return values / whole if whole is not None else values * self.factor


@attrs.frozen
class _NoRegimen:
    """Why the rows of a population cannot be assessed: the argument assess names, the problem.

    ``argument`` is ``"population"`` (the drug has no regimen for it: the row's age put it
    there), ``"phase"`` (none for the phase asked for) or ``"regimen"`` (its regimen is not a
    weight-based daily dose), as :func:`~ae_systemic.assess` names them.
    """

    argument: str
    problem: str


#: A population's rates per kg (``low``, ``high``, ``per_dose_low``, ``per_dose_high``, and
#: the ``doses`` a day and the ``regimen``'s number), or why its rows cannot be assessed.
_Rates = dict[str, float] | _NoRegimen


@attrs.frozen
class _Plan:
    """Everything :func:`assess_table` decides before reading a row; it pickles (for Dask)."""

    subject: Drug
    columns: dict[str, str]
    units: dict[str, _Unit]
    phase: Phase | None
    threshold_seconds: float
    seconds_per_year: float
    errors: str
    rates: dict[Population, _Rates]

    def column(self, field: str) -> str:
        return self.columns[field]


def _checked_errors(errors: object) -> str:
    if errors not in ("mark", "raise"):
        raise InputError("errors", f"expected 'mark' or 'raise', got {shown(errors)}")
    return str(errors)


def _checked_columns(columns: object, names: tuple[str, ...], *, of_result: bool) -> dict[str, str]:
    """Each field's column in the table: the caller's mapping, else the field's own name."""
    if columns is None:
        columns = {}
    if not isinstance(columns, Mapping):
        raise ArgumentTypeError(
            "columns",
            "expected a mapping of field to column name such as {'weight': 'weight_kg'}, "
            f"got {type(columns).__name__}",
        )
    for field, name in columns.items():
        if field not in FIELDS:
            raise InputError(
                "columns",
                f"{shown(field)} is not a field; the fields are {', '.join(FIELDS)}",
            )
        if not isinstance(name, str):
            raise ArgumentTypeError(
                "columns", f"the column of {field} must be a name (a string), got {shown(name)}"
            )
    found: dict[str, str] = {}
    for field in FIELDS:
        name = columns.get(field, field)
        if name in names:
            found[field] = name
        elif field in columns or field in _REQUIRED:
            raise InputError(
                name,
                f"the table has no column {name!r} (the {field} field); its columns are "
                f"{_names_text(names)}"
                + ("" if field in columns else f"; name it with columns={{{field!r}: ...}}"),
            )
    near_field = None if of_result else unread_near_field(found, columns, names)
    if near_field is not None:  # (a result's columns were read already)
        field, near = near_field
        raise InputError(
            near,
            f"reads like the {field} field, whose column is named {field!r}: rename the "
            f"column, pass columns={{{field!r}: {near!r}}}, or drop it (an optional field "
            "without its column is read as not given, and this one would be lost)",
        )
    repeated = next((name for name in found.values() if names.count(name) > 1), None)
    if repeated is not None:
        raise InputError(repeated, "the table has two columns of this name; rename one")
    shared = next((f for f in found if list(found.values()).count(found[f]) > 1), None)
    if shared is not None:
        raise InputError(
            found[shared], "two fields read this column; give each field its own column"
        )
    if ("amount" in found) != ("frequency" in found):
        given, has = (
            ("amount", "an amount column but no frequency column")
            if "amount" in found
            else ("frequency", "a frequency column but no amount column")
        )
        raise InputError(
            found[given], f"a prescription needs both amount and frequency; the table has {has}"
        )
    if "period" in found and "amount" not in found:
        raise InputError(
            found["period"], "a period column needs amount and frequency columns beside it"
        )
    taken = [name for name in RESULT_COLUMNS if name in names]
    if taken and not of_result:
        raise InputError(
            "table",
            f"already has a column named {taken[0]!r}, which the result adds; rename or "
            "drop it (is it an earlier result?)",
        )
    return found


def unread_near_field(
    found: Mapping[str, str], columns: Mapping[str, str], names: Sequence[object]
) -> tuple[str, str] | None:
    """A field not read (no column of its name, none given) and a column named as it but for
    case or separators (:func:`near_column`), or ``None``.

    ``period`` is left alone without ``amount`` and ``frequency``, where no period is read
    (a ``Period`` column may be a study's visit).
    """
    for field in FIELDS:
        if field in found or field in columns:
            continue
        if field == "period" and not {"amount", "frequency"} <= found.keys():
            continue
        near = near_column(field, names)
        if near is not None:
            return field, near
    return None


def near_column(field: str, names: Sequence[object]) -> str | None:
    """A column of ``names`` named as ``field`` but for case, spaces, ``-``, ``_`` or ``.``.

    ``Pregnant`` or ``co-medication pathways`` is meant as the field; read as absent, it
    would be lost without a word (every row not pregnant, no co-medication).
    """
    wanted = _squeezed(field)
    return next(
        (name for name in names if isinstance(name, str) and _squeezed(name) == wanted), None
    )


def _squeezed(name: str) -> str:
    """``name`` as :func:`near_column` compares names: case folded, separators dropped."""
    return "".join(char for char in name.casefold() if char not in " _-.\t")


def _names_text(names: tuple[str, ...]) -> str:
    shown_names = ", ".join(repr(n) for n in names[:12])
    return shown_names + (f" and {len(names) - 12} more" if len(names) > 12 else "") or "none"


def _parsed_unit(text: object, column: str, field: str) -> Any:
    """The caller's unit for ``field`` (a pint unit or a unit name), parsed once."""
    import pint

    registry = application_registry()
    if isinstance(text, pint.Unit):
        return text
    if not isinstance(text, str):
        raise ArgumentTypeError(
            "units", f"the unit of {field} must be a unit name such as {_UNIT_EXAMPLES[field]!r}"
        )
    if _UNIT_TEXT.fullmatch(text.strip()) is None:
        raise InputError(
            column, f"{shown(text)} is not a unit name; write e.g. {_UNIT_EXAMPLES[field]!r}"
        )
    try:
        return registry.Unit(text.strip())
    except Exception:  # pint raises several unrelated types for unknown units
        raise InputError(
            column, f"{shown(text)} is not a unit pint knows; write e.g. {_UNIT_EXAMPLES[field]!r}"
        ) from None


def _unit_factor(unit: Any, column: str, field: str) -> _Unit:
    """The factor from ``unit`` to kg (weight), mg (amount) or seconds (age, period)."""
    registry = unit._REGISTRY
    units = units_of(registry)
    factor = {
        "weight": units.kg_per,
        "amount": units.mg_per,
        "age": units.seconds_per,
        "period": units.seconds_per,
    }[field](unit._units)
    if factor is None:
        refused = (
            refused_mass_unit(unit) if field in ("weight", "amount") else refused_time_unit(unit)
        )
        raise InputError(
            column,
            refused
            or f"{unit} is not a unit of {_DIMENSIONS[field]}, as the {field} needs; write e.g. "
            f"{_UNIT_EXAMPLES[field]!r}",
        )
    # a time by its name ("-1 year", not pint's symbol "-1 a"); a mass by its symbol (kg, lb)
    text = str(unit) if field in ("age", "period") else f"{unit:~P}"
    return _Unit(text, factor, str(unit))


def _plan(
    subject: Drug,
    table_columns: Sequence[tuple[str, object]],
    units: object,
    columns: object,
    phase: object,
    adult_from: object,
    errors: object,
    *,
    of_result: bool = False,
) -> _Plan:
    errors = _checked_errors(errors)
    if phase is not None and not isinstance(phase, Phase):
        raise ArgumentTypeError(
            "phase", f"expected None, Phase.ACUTE or Phase.LONG_TERM, got {shown(phase)}"
        )
    names = tuple(name for name, _ in table_columns)  # with any repeated name
    dtypes = dict(table_columns)
    found = _checked_columns(columns, names, of_result=of_result)
    if units is None:
        units = {}
    if not isinstance(units, Mapping):
        raise ArgumentTypeError(
            "units",
            f"expected a mapping of field to unit such as {{'weight': 'kg'}}, "
            f"got {type(units).__name__}",
        )
    for field in units:
        if field not in _DIMENSIONS:
            raise InputError(
                "units",
                f"{shown(field)} takes no unit; units are given for {', '.join(_DIMENSIONS)}",
            )
    for field, column in found.items():
        unit = _pint_unit(dtypes[column])
        if field not in _DIMENSIONS and unit is not None:  # 2 per hour is no count per period
            what = "a count per period, " if field == "frequency" else ""
            raise InputError(
                column,
                f"carries a unit ({unit}), but the {field} takes none; give it as plain values "
                f"({what}without a unit)",
            )
    checked: dict[str, _Unit] = {}
    for field in _DIMENSIONS:
        if field not in found or (of_result and field == "age"):  # the age is not read again
            if field not in found and units.get(field) is not None and not of_result:
                # no column to read: the unit is not used, but a wrong one is still refused
                _unit_factor(_parsed_unit(units[field], "units", field), "units", field)
            continue
        column = found[field]
        own = _pint_unit(dtypes[column])
        given = None if units.get(field) is None else _parsed_unit(units[field], column, field)
        if own is not None and given is not None and own != given:
            raise InputError(
                column,
                f"the column carries its own unit ({own}), and units= gives another "
                f"({given}); drop the units entry or convert the column",
            )
        unit = own if own is not None else given
        if unit is None:
            raise InputError(
                column,
                f"holds plain numbers and no unit was given for the {field}; pass "
                f"units={{{field!r}: {_UNIT_EXAMPLES[field]!r}}} (or the unit they are in)",
            )
        checked[field] = attrs.evolve(_unit_factor(unit, column, field), given=own is None)
    registry = application_registry()
    per_year = units_of(registry).seconds_per_year
    if adult_from is None:
        threshold = DEFAULT_ADULT_FROM_YEARS * per_year
    else:
        _, _, threshold = checked_age(adult_from, "adult_from")
    rates = {} if of_result else _population_rates(subject, phase)
    return _Plan(subject, found, checked, phase, threshold, per_year, errors, rates)


def _pint_unit(dtype: object) -> Any:
    """The unit of a pint-pandas column (``pint[kg]``), or ``None`` for any other column."""
    if type(dtype).__name__ == "PintType" and type(dtype).__module__.startswith("pint_pandas"):
        return getattr(dtype, "units", None)
    return None


# --- the rows --------------------------------------------------------------------------------


class _Rows:
    """The problems found so far, row by row: the first problem of a row is the one kept."""

    def __init__(self, size: int) -> None:
        import numpy as np

        self.size = size
        self.bad = np.zeros(size, dtype=bool)
        self.columns: dict[int, str] = {}
        self.problems: dict[int, str] = {}

    def mark(self, mask: BoolArray, column: str, problem: Callable[[int], str]) -> None:
        """Mark the rows of ``mask`` not yet marked, with ``problem(position)``."""
        import numpy as np

        if not mask.any():
            return
        new = mask & ~self.bad
        if not new.any():
            return
        positions = np.flatnonzero(new)
        self.bad[positions] = True
        for position in positions.tolist():  # the bad rows only
            self.columns[position] = column
            self.problems[position] = problem(position)

    def first(self) -> int:
        """The position of the first row with a problem."""
        return min(self.columns)

    def messages(self) -> Any:
        """The ``error`` column: ``"column: problem"`` for each row with one, else null."""
        import pandas as pd
        import pyarrow as pa

        if not self.columns:
            nulls = pa.nulls(self.size, pa.string())
        else:
            texts: list[str | None] = [None] * self.size
            for position, column in self.columns.items():
                texts[position] = f"{printable_name(column)}: {self.problems[position]}"
            nulls = pa.array(texts, type=pa.string())
        return pd.arrays.ArrowStringArray(nulls)


def _numbers(series: pandas.Series[Any], column: str, field: str) -> tuple[FloatArray, Any]:
    """A numeric column as float64 (NaN where missing), and its values as given (for messages)."""
    import numpy as np
    import pandas as pd

    dtype = series.dtype
    if _pint_unit(dtype) is not None:
        magnitudes = series.array.quantity.magnitude
        if np.iscomplexobj(magnitudes):  # numpy would keep the real part only, silently
            raise _complex(column, field, f"{dtype}")
        magnitude = np.asarray(magnitudes, dtype=np.float64)
        return magnitude, series.array.data  # shown as stored: 1000 in an integer column
    if pd.api.types.is_bool_dtype(dtype):
        raise InputError(column, f"holds true/false values, not the numbers of the {field}")
    if pd.api.types.is_complex_dtype(dtype):  # numeric to pandas, but no age, weight or count
        raise _complex(column, field, f"{dtype}")
    if dtype == np.float64:
        return np.asarray(series.array, dtype=np.float64), series.array  # no copy
    if pd.api.types.is_numeric_dtype(dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return values, series.array
    if pd.api.types.is_object_dtype(dtype) and _object_numbers(series):
        return _decimals(series, column), series.array  # as pandas reads Parquet DECIMAL
    if bool(series.isna().all()):
        return np.full(len(series), np.nan), series.array
    found = _not_a_number(series) if pd.api.types.is_object_dtype(dtype) else None
    which = "" if found is None else f" ({_shown_cell(found[1])} at position {found[0]})"
    if field not in _UNIT_EXAMPLES:  # the frequency: a count, with no unit
        raise InputError(
            column,
            f"holds {dtype} values, not numbers{which}; give the {field} as whole numbers",
        )
    raise InputError(
        column,
        f"holds {dtype} values, not numbers{which}; give the {field} as numbers and its unit "
        f"in units=, e.g. {{{field!r}: {_UNIT_EXAMPLES[field]!r}}}",
    )


def _complex(column: str, field: str, dtype: str) -> InputError:
    """The error for a column of complex numbers: its real part alone would be a wrong value."""
    what = "whole numbers" if field not in _UNIT_EXAMPLES else "real numbers"
    return InputError(
        column, f"holds complex numbers ({dtype}), not real ones; give the {field} as {what}"
    )


#: What pandas infers for an object column of numbers only: ``decimal.Decimal`` objects (as
#: pandas reads Parquet DECIMAL), Python ints or floats; never true/false.
_OBJECT_NUMBERS = frozenset({"decimal", "integer", "floating", "mixed-integer-float"})


#: What pandas infers for an object column of numbers of several kinds (``Decimal`` and
#: ``int``, ``Decimal`` and ``float``, ``Fraction``), or of numbers and other values: such a
#: column is read when every value is a real number (:func:`_object_numbers`).
_OBJECT_MIXED = frozenset({"mixed", "mixed-integer"})


def _object_numbers(series: pandas.Series[Any]) -> bool:
    """Whether an object column holds real numbers only (and missing values), never true/false."""
    import pandas as pd

    kind = pd.api.types.infer_dtype(series)
    if kind in _OBJECT_NUMBERS:
        return True
    if kind not in _OBJECT_MIXED:
        return False
    return _not_a_number(series) is None


def _not_a_number(series: pandas.Series[Any]) -> tuple[int, object] | None:
    """The position and value of an object column's first value that is no number, if any."""
    import numpy as np
    import pandas as pd

    for position, cell in enumerate(series.to_numpy(dtype=object)):
        if not (
            cell is None
            or cell is pd.NA
            or isinstance(cell, decimal.Decimal)  # a number, though not a numbers.Real
            or (
                isinstance(cell, numbers.Real)
                # numpy's timedelta64 is an integer to numbers: a time, not a plain number
                and not isinstance(cell, bool | np.bool_ | np.timedelta64 | np.datetime64)
            )
        ):
            return position, cell
    return None


def _decimals(series: pandas.Series[Any], column: str) -> FloatArray:
    """Numbers held as Python objects as float64, each the double nearest it, as a CSV gives."""
    import numpy as np
    import pandas as pd

    try:
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    except (ValueError, ArithmeticError):  # an int beyond the floats, or a signalling NaN
        pass
    # The rare case, cell by cell (isna itself fails on a signalling NaN).
    cells = series.to_numpy(dtype=object)
    floats = (
        math.nan if cell is None or cell is pd.NA else _float_of(cell, column) for cell in cells
    )
    return np.fromiter(floats, np.float64, len(cells))


def _float_of(value: object, column: str) -> float:
    """One number held as a Python object, as float (infinite beyond the floats)."""
    if isinstance(value, decimal.Decimal):
        if value.is_snan():
            raise InputError(
                column, "holds a decimal signalling NaN (sNaN), which is no number; leave it empty"
            )
        return float(value)  # correctly rounded; beyond the floats infinite
    real = cast("float", value)  # typed as one: an int, a float, a Fraction, a numpy number
    try:
        return float(real)  # correctly rounded
    except OverflowError:  # an int of more than 308 digits, or such a Fraction
        return math.inf if real > 0 else -math.inf


def _given(values: Any, position: int, unit: str | None = None) -> str:
    """A row's value as the table gave it, shown safely, with its unit."""
    text = short(values[position])
    return f"{text} {unit}" if unit else text


def _shown_cell(value: object) -> str:
    """A cell's value shown safely, a numpy scalar as the Python value it holds (``True``)."""
    import numpy as np

    return shown(value.item() if isinstance(value, np.generic) else value)


def _factorized(
    series: pandas.Series[Any], column: str, expected: str
) -> tuple[npt.NDArray[np.intp], Any]:
    """``pandas.factorize`` of a column of single values; lists or records refused, named."""
    import pandas as pd

    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable: a list (Arrow list, map), a dict (Arrow struct), ...
        example: object = next((v for v in series if not isinstance(v, Hashable)), None)
        kind = "records" if isinstance(example, Mapping) else "lists"
        tolist = getattr(example, "tolist", None)  # a numpy array: shown as a list
        value = tolist() if callable(tolist) else example
        raise InputError(column, f"holds {kind} such as {shown(value)}, not {expected}") from None
    return codes, uniques


def _tokens(
    series: pandas.Series[Any],
    column: str,
    members: tuple[Any, ...],
    what: str,
    rows: _Rows,
) -> npt.NDArray[np.int64]:
    """A text column of comma-separated members as one bit mask per row (bit i: member i)."""
    import numpy as np

    codes, uniques = _factorized(
        series, column, f"text such as {members[0].value!r} (a comma-separated list)"
    )
    known = {str(member.value).casefold(): i for i, member in enumerate(members)}
    values = [str(member.value) for member in members]
    names = f"{', '.join(values[:-1])} or {values[-1]}"
    masks = np.zeros(len(uniques) + 1, dtype=np.int64)  # the last one: a missing value
    problems: dict[int, str] = {}
    for u, value in enumerate(uniques):
        if not isinstance(value, str):
            problems[u] = (
                f"expected text such as {members[0].value!r} (a comma-separated list), "
                f"got {_shown_cell(value)}"
            )
            continue
        mask = 0
        if value.strip():
            for token in value.split(","):
                bit = known.get(token.strip().casefold())
                if bit is None:
                    problems[u] = (
                        f"{shown(token.strip())} is not {what} the guideline names; expected "
                        f"a comma-separated list of {names}"
                    )
                    break
                mask |= 1 << bit
        masks[u] = mask
    codes = np.where(codes < 0, len(uniques), codes)
    if problems:
        bad = np.isin(codes, list(problems))
        rows.mark(bad, column, lambda i: problems[int(codes[i])])
    return masks[codes]


def _booleans(series: pandas.Series[Any], column: str, rows: _Rows) -> BoolArray:
    """A true/false column; missing and other values are row problems."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_bool_dtype(series.dtype) and not series.hasnans:
        return series.to_numpy(dtype=bool)
    codes, uniques = _factorized(series, column, "true or false")  # refuses lists and records
    cell_by_cell = pd.api.types.is_object_dtype(series.dtype)
    if cell_by_cell:  # factorize takes True and 1 for one value: each cell's own type decides
        cells = series.to_numpy(dtype=object)
        other = np.fromiter((not isinstance(v, (bool, np.bool_)) for v in cells), bool)
        rows.mark(
            other & ~series.isna().to_numpy(),
            column,
            lambda i: f"expected true or false, got {_shown_cell(cells[i])}",
        )
    values = np.zeros(len(uniques) + 1, dtype=bool)
    problems: dict[int, str] = {len(uniques): "missing; give true or false for every row"}
    for u, value in enumerate(uniques):
        if cell_by_cell or isinstance(value, (bool, np.bool_)):  # the others marked already
            values[u] = bool(value)
        else:
            problems[u] = f"expected true or false, got {_shown_cell(value)}"
    codes = np.where(codes < 0, len(uniques), codes)
    bad = np.isin(codes, list(problems))
    rows.mark(bad, column, lambda i: problems[int(codes[i])])
    return values[codes]


def _age_problem(value: str, seconds: float) -> str:
    if math.isnan(seconds):
        return "missing; give the age of every row"
    return f"{value} must lie between 0 and {MAX_AGE_YEARS:g} years"


def _weight_problem(value: str, kg: float) -> str:
    if math.isnan(kg):
        return "missing; give the body weight of every row"
    if math.isinf(kg):
        return f"{value} is infinite"
    if kg <= 0.0:
        return f"{value} must be positive"
    if kg < MIN_BODY_WEIGHT_KG:
        return (
            f"{value} is below {MIN_BODY_WEIGHT_KG:g} kg, lighter than any person on record; "
            "check the unit (milligrams or grams read as kilograms?)"
        )
    return (
        f"{value} is above {MAX_BODY_WEIGHT_KG:g} kg, heavier than any person on record; "
        "check the unit (grams or pounds read as kilograms?)"
    )


def _positive_problem(value: str, number: float) -> str:
    if math.isinf(number):
        return f"{value} is infinite"
    return f"{value} must be positive"


def _period_problem(value: str, seconds: float) -> str:
    if seconds > 0 and not math.isinf(seconds):  # as Prescription: 0 days as a float
        return too_short(value)
    return _positive_problem(value, seconds)


def _amount_problem(value: str, mg: float) -> str:
    if math.isinf(mg) or mg <= 0:
        return _positive_problem(value, mg)
    return (
        f"{value} is more than {MAX_AMOUNT_PER_ADMINISTRATION_MG / 1000:g} g per "
        "administration, more than any dose of a systemic drug; check the unit "
        "(grams typed for milligrams?)"
    )


def _assess_frame(
    plan: _Plan, frame: pandas.DataFrame, *, partition: bool = False
) -> pandas.DataFrame:
    """The result columns of ``frame``'s rows (a frame of the same index), per ``plan``.

    ``partition`` says that ``frame`` is one partition of a Dask table, for the position an
    error gives.
    """
    import numpy as np
    import pandas as pd

    size = len(frame)
    rows = _Rows(size)
    subject = plan.subject

    def field(name: str) -> pandas.Series[Any]:
        return frame[plan.column(name)]

    # The patient, in the order Patient checks its fields.
    age_column, weight_column = plan.column("age"), plan.column("weight")
    age, age_given = _numbers(field("age"), age_column, "age")
    age_unit = plan.units["age"]
    with np.errstate(invalid="ignore", over="ignore"):
        seconds = age_unit.scaled(age)
    age_ok = (seconds >= 0.0) & (seconds <= MAX_AGE_YEARS * plan.seconds_per_year)
    rows.mark(
        ~age_ok,
        age_column,
        lambda i: _age_problem(_given(age_given, i, age_unit.text), float(seconds[i])),
    )
    weight, weight_given = _numbers(field("weight"), weight_column, "weight")
    weight_unit = plan.units["weight"]
    with np.errstate(invalid="ignore", over="ignore"):
        kg = weight_unit.scaled(weight)
    weight_ok = (kg >= MIN_BODY_WEIGHT_KG) & (kg <= MAX_BODY_WEIGHT_KG)
    rows.mark(
        ~weight_ok,
        weight_column,
        lambda i: _weight_problem(_given(weight_given, i, weight_unit.text), float(kg[i])),
    )
    pregnant = (
        _booleans(field("pregnant"), plan.column("pregnant"), rows)
        if "pregnant" in plan.columns
        else np.zeros(size, dtype=bool)
    )
    phototherapy = (
        _tokens(
            field("phototherapy"),
            plan.column("phototherapy"),
            tuple(Phototherapy),
            "a phototherapy",
            rows,
        )
        if "phototherapy" in plan.columns
        else np.zeros(size, dtype=np.int64)
    )
    pathways = (
        _tokens(
            field("co_medication_pathways"),
            plan.column("co_medication_pathways"),
            tuple(Pathway),
            "a pathway",
            rows,
        )
        if "co_medication_pathways" in plan.columns
        else np.zeros(size, dtype=np.int64)
    )

    # The prescription, in the order Prescription checks its fields.
    prescribed = np.zeros(size, dtype=bool)
    daily = per_day = np.full(size, np.nan)
    if "amount" in plan.columns:
        amount_column, frequency_column = plan.column("amount"), plan.column("frequency")
        amount, amount_given = _numbers(field("amount"), amount_column, "amount")
        frequency, frequency_given = _numbers(field("frequency"), frequency_column, "frequency")
        has_amount, has_frequency = ~np.isnan(amount), ~np.isnan(frequency)
        prescribed = has_amount | has_frequency
        amount_unit = plan.units["amount"]
        with np.errstate(invalid="ignore", over="ignore"):
            mg = amount_unit.scaled(amount)
        rows.mark(
            prescribed & ~has_amount,
            amount_column,
            lambda i: "missing while the frequency is given; give both or neither",
        )
        amount_ok = (mg > 0.0) & (mg <= MAX_AMOUNT_PER_ADMINISTRATION_MG)
        rows.mark(
            has_amount & ~amount_ok,
            amount_column,
            lambda i: _amount_problem(_given(amount_given, i, amount_unit.text), float(mg[i])),
        )
        rows.mark(
            prescribed & ~has_frequency,
            frequency_column,
            lambda i: "missing while the amount is given; give both or neither",
        )
        with np.errstate(invalid="ignore"):
            frequency_ok = (
                (frequency == np.floor(frequency)) & (frequency >= 1) & (frequency <= MAX_COUNT)
            )
        rows.mark(
            has_frequency & ~frequency_ok,
            frequency_column,
            lambda i: (
                f"must be a whole number from 1 to {MAX_COUNT}, got {_given(frequency_given, i)}"
            ),
        )
        if "period" in plan.columns:
            period_column = plan.column("period")
            period, period_given = _numbers(field("period"), period_column, "period")
            period_unit = plan.units["period"]
            with np.errstate(invalid="ignore", over="ignore"):
                period_seconds = period_unit.scaled(period)
            rows.mark(
                prescribed & np.isnan(period),
                period_column,
                lambda i: (
                    "missing while a prescription is given; give the period of every prescription"
                ),
            )
            rows.mark(
                prescribed
                & ~np.isnan(period)
                & ~((period_seconds / 86_400.0 > 0) & ~np.isinf(period_seconds)),
                period_column,
                lambda i: _period_problem(
                    _given(period_given, i, period_unit.text), float(period_seconds[i])
                ),
            )
        else:
            period_seconds = np.full(size, 86_400.0)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            # As Prescription does: days, administrations a day, then the amount a day.
            per_day = frequency / (period_seconds / 86_400.0)
            daily = mg * per_day
        # As Prescription refuses it: an order whose amounts a day no float holds.
        unheld = prescribed & ~(
            np.isfinite(per_day) & np.isfinite(daily) & (daily >= sys.float_info.min)
        )
        rows.mark(
            unheld,
            period_column if "period" in plan.columns else amount_column,
            lambda i: order_problem(
                _given(amount_given, i, amount_unit.text),
                int(frequency[i]),
                _given(period_given, i, period_unit.text) if "period" in plan.columns else "1 day",
                unheld_amount_a_day(float(per_day[i]), float(daily[i])) or "",
            ),
        )

    # The population, its regimen and the dose range.  A dose range is the weight times
    # the regimen's rates (DoseRange: weight_kg * rate); daily_dose for 1 kg gives each rate
    # exactly, so that every row's numbers are the floats daily_dose gives for its weight.
    years = seconds / plan.seconds_per_year
    adult = seconds >= plan.threshold_seconds
    rates = plan.rates
    for population, members in ((Population.ADULT, adult), (Population.CHILD, ~adult)):
        found = rates[population]
        if isinstance(found, _NoRegimen):
            # No regimen for the population: its age put the row there.  A regimen or a phase
            # the table cannot use is named as assess names it, never blamed on the age.
            column = age_column if found.argument == "population" else found.argument
            rows.mark(members, column, lambda i, problem=found.problem: problem)  # type: ignore[misc]
    grown, young = rates[Population.ADULT], rates[Population.CHILD]
    per_kg = {
        name: np.where(adult, _rate(grown, name), _rate(young, name))
        for name in ("low", "high", "per_dose_low", "per_dose_high")
    }
    low, high = kg * per_kg["low"], kg * per_kg["high"]
    per_dose_low, per_dose_high = kg * per_kg["per_dose_low"], kg * per_kg["per_dose_high"]
    doses = np.where(adult, _rate(grown, "doses", 0), _rate(young, "doses", 0)).astype(np.int64)
    regimen = np.where(adult, _rate(grown, "regimen", -1), _rate(young, "regimen", -1))
    regimen = regimen.astype(np.int8)
    if rows.bad.any():
        for values in (low, high, per_dose_low, per_dose_high):
            values[rows.bad] = np.nan

    # Where the prescription lies (as compare does, with no tolerance beyond float noise).
    # np.where computes both deviations; the one not chosen may overflow, harmlessly.
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        below = prescribed & (daily < low * (1 - FLOAT_TOLERANCE))
        above = prescribed & ~below & (daily > high * (1 + FLOAT_TOLERANCE))
        deviation = np.where(
            below, (daily - low) / low, np.where(above, (daily - high) / high, 0.0)
        )
        frequency_differs = prescribed & ~(np.abs(per_day - doses) <= FLOAT_TOLERANCE * doses)

    findings = _findings(
        subject,
        below=below,
        above=above,
        frequency_differs=frequency_differs,
        licensed=years >= subject.licence.min_age_years,
        phototherapy=phototherapy,
        pathways=pathways,
        pregnant=pregnant,
        child=~adult,
    )
    if plan.errors == "raise" and rows.bad.any():
        first = rows.first()
        label = _label(frame.index, first)
        problem = rows.problems[first]
        if label is None or not frame.index.is_unique:
            # No label the error can carry, or one that other rows share: the position too.
            shown_label = _shown_label(frame.index[first])
            shared = "" if frame.index.is_unique else ", which other rows share"
            within = " in its partition" if partition else ""
            problem = (
                f"row at position {first}{within} (index label {shown_label}{shared}): {problem}"
            )
        raise DoseInputError(rows.columns[first], problem, label)
    # The columns: rows with a problem are null in each (their dose range was never set).
    bad = rows.bad
    assessed = prescribed & ~bad
    populations = np.where(adult, 0, 1).astype(np.int8)
    populations[bad] = -1
    regimen[bad] = -1
    status = np.where(below, 0, np.where(above, 2, 1)).astype(np.int8)
    status[~assessed] = -1
    dtypes = _dtypes_of_result(subject)
    out: dict[str, Any] = {
        "population": pd.Categorical.from_codes(populations, dtype=dtypes["population"]),
        "regimen": pd.Categorical.from_codes(regimen, dtype=dtypes["regimen"]),
        "dose_low_mg_per_day": low,
        "dose_high_mg_per_day": high,
        "per_dose_low_mg": per_dose_low,
        "per_dose_high_mg": per_dose_high,
        "doses_per_day": pd.arrays.IntegerArray(doses, bad.copy()),
        "licensed": pd.arrays.BooleanArray(years >= subject.licence.min_age_years, bad.copy()),
        "dose_status": pd.Categorical.from_codes(status, dtype=dtypes["dose_status"]),
        "dose_deviation": np.where(assessed, deviation, np.nan),
    }
    for name, kind in _FINDING_COLUMNS:
        out[name] = pd.arrays.BooleanArray(findings[kind], bad.copy())
    out["error"] = rows.messages()
    return pd.DataFrame(out, index=frame.index, copy=False)


def _population_rates(subject: Drug, phase: Phase | None) -> dict[Population, _Rates]:
    """Each population's rates; an error when no row of any age could be assessed.

    A drug none of whose populations has a weight-based daily regimen (for ``phase``) is a
    problem of the drug's content or of the call, not of a row: it raises once, as
    :func:`~ae_systemic.assess` does for each patient.
    """
    rates = {population: _rates(subject, phase, population) for population in Population}
    reasons = [found for found in rates.values() if isinstance(found, _NoRegimen)]
    if len(reasons) < len(rates):
        return rates
    fixable = next((reason for reason in reasons if reason.argument != "population"), None)
    if fixable is not None:
        raise DoseInputError(fixable.argument, fixable.problem)
    raise DoseInputError(
        "drug",
        f"the guideline gives {subject.name} no dose regimen for adults or children, so no "
        "row can be assessed; pass a drug with a weight-based daily regimen",
    )


def _rates(subject: Drug, phase: Phase | None, population: Population) -> _Rates:
    """The regimen's rates per kg for ``population`` (from daily_dose for 1 kg), or why none."""
    registry = application_registry()
    try:
        dose = daily_dose(subject, registry.Quantity(1.0, "kg"), population=population, phase=phase)
    except DoseInputError as exc:
        if exc.argument != "regimen":  # no regimen for the population, or for the phase
            return _NoRegimen(exc.argument, exc.problem)
        return _NoRegimen("regimen", not_daily(subject, population, phase, "assess_table"))
    return {
        "low": dose.low.magnitude,
        "high": dose.high.magnitude,
        "per_dose_low": dose.per_dose_low.magnitude,
        "per_dose_high": dose.per_dose_high.magnitude,
        "doses": dose.doses_per_day,
        "regimen": _regimen_labels(subject).index(dose.regimen.label),
    }


def _rate(rates: _Rates, name: str, missing: float = math.nan) -> float:
    return missing if isinstance(rates, _NoRegimen) else rates[name]


def _regimen_labels(subject: Drug) -> list[str]:
    """The labels of the drug's regimens, each once, in the data's order."""
    return list(dict.fromkeys(regimen.label for regimen in subject.regimens))


def _dtypes_of_result(subject: Drug) -> dict[str, Any]:
    """The pandas dtype of each result column (the same for every table, given the drug).

    Labels are categoricals with fixed categories: the populations, the drug's regimens
    and the dose statuses, so that a Dask ``meta`` knows them before any row is read.
    """
    import pandas as pd

    categories = {
        "population": [p.value for p in Population],
        "regimen": _regimen_labels(subject),
        "dose_status": [s.value for s in DoseStatus],
    }
    dtypes: dict[str, Any] = {
        "error": pd.StringDtype("pyarrow"),
        "doses_per_day": pd.Int64Dtype(),
        **dict.fromkeys(_FLOAT_COLUMNS, "float64"),
        **dict.fromkeys(("licensed", *(name for name, _ in _FINDING_COLUMNS)), pd.BooleanDtype()),
    }
    for name, values in categories.items():
        dtypes[name] = pd.CategoricalDtype(values)
    return {name: dtypes[name] for name in RESULT_COLUMNS}


def _label(index: pandas.Index[Any], position: int) -> int | str | tuple[int, ...] | None:
    """The row's index label as an error's ``index`` carries it, or ``None`` where it cannot.

    An integer, a string, a tuple of integers (a MultiIndex) or a timestamp (as its ISO text,
    which ``DataFrame.loc`` reads back) is carried; a float, true/false or a tuple of other
    values is not (``weight[1]`` would read as another label), and the message then gives
    the row's position.
    """
    import pandas as pd

    label = index[position]
    if _whole(label):
        return int(label)
    if isinstance(label, str):
        return str(label)
    if isinstance(label, tuple) and label and all(_whole(part) for part in label):
        return tuple(int(part) for part in label)
    if isinstance(label, pd.Timestamp) and not pd.isna(label):
        return label.isoformat()
    return None


def _shown_label(label: object) -> str:
    """A label shown safely, numpy scalars (also in a MultiIndex's tuple) as Python values."""
    import numpy as np

    if isinstance(label, tuple):
        label = tuple(part.item() if isinstance(part, np.generic) else part for part in label)
    return _shown_cell(label)


def _whole(label: object) -> bool:
    """Whether ``label`` is an integer (a numpy one too), not true or false."""
    import numpy as np

    return isinstance(label, (int, np.integer)) and not isinstance(label, (bool, np.bool_))


def _findings(
    subject: Drug,
    *,
    below: BoolArray,
    above: BoolArray,
    frequency_differs: BoolArray,
    licensed: BoolArray,
    phototherapy: npt.NDArray[np.int64],
    pathways: npt.NDArray[np.int64],
    pregnant: BoolArray,
    child: BoolArray,
) -> dict[FindingKind, BoolArray]:
    """Whether :func:`~ae_systemic.assess` reports each kind of finding, row by row."""
    import numpy as np

    size = len(below)

    def every(flag: bool) -> BoolArray:
        return np.full(size, flag, dtype=bool)

    avoid = _bits(
        tuple(Phototherapy),
        {
            c.therapy
            for c in subject.combinations
            if c.advice is CombinationAdvice.AVOID and c.therapy in set(Phototherapy)
        },
    )
    interacting = _bits(tuple(Pathway), {i.pathway for i in subject.interactions})
    groups = {
        population.group for population in subject.special_populations if population.statements
    }
    return {
        FindingKind.DOSE_ABOVE_RANGE: above,
        FindingKind.DOSE_BELOW_RANGE: below,
        FindingKind.DOSE_FREQUENCY: frequency_differs,
        FindingKind.OFF_LABEL: ~licensed,
        FindingKind.AVOID_COMBINATION: (phototherapy & avoid) != 0,
        FindingKind.INTERACTION: (pathways & interacting) != 0,
        # A row gives pathways, not medicines: no medicine is ever given without them.
        FindingKind.INTERACTION_NOT_CHECKED: every(False),
        FindingKind.PREGNANCY: pregnant & ("pregnancy" in groups),
        FindingKind.CHILDREN: child & ("children and adolescents" in groups),
        FindingKind.SAFETY: every(bool(subject.safety)),
        FindingKind.MONITORING: every(True),
        FindingKind.SCREENING: every(True),
        FindingKind.RECOMMENDED_COMBINATION: every(
            any(c.advice is CombinationAdvice.RECOMMENDED for c in subject.combinations)
        ),
    }


def _bits(members: tuple[Any, ...], chosen: set[Any]) -> int:
    return sum(1 << i for i, member in enumerate(members) if member in chosen)


# --- the kinds of table ----------------------------------------------------------------------


def _check_extra(feature: str, extra: str = "cohort") -> None:
    """:class:`~ae_systemic.MissingExtraError` for ``feature`` unless the extra's packages load."""
    packages = ("numpy", "pandas") if extra == "cohort" else ("dask.dataframe", "distributed")
    for package in packages:
        try:
            __import__(package)
        except ImportError as exc:
            raise MissingExtraError(feature, package, extra) from exc


def _kind(table: object) -> str:
    """``"pandas"``, ``"arrow"`` or ``"dask"``: the kind of ``table``, or a clear error."""
    classes = {
        "pandas": ("pandas", "DataFrame"),
        "arrow": ("pyarrow", "Table"),
        "dask": ("dask.dataframe", "DataFrame"),
    }
    for kind, (module, name) in classes.items():
        # Only a module already imported can have made ``table``: nothing is imported here.
        loaded = sys.modules.get(module)
        if loaded is not None and isinstance(table, getattr(loaded, name)):
            return kind
    raise ArgumentTypeError(
        "table",
        "expected a pandas DataFrame, a pyarrow Table or a Dask DataFrame, "
        f"got {type(table).__module__}.{type(table).__name__}",
    )


@overload
def assess_table(
    drug: Drug | str,
    table: pandas.DataFrame,
    *,
    units: Mapping[str, str] | None = ...,
    columns: Mapping[str, str] | None = ...,
    phase: Phase | None = ...,
    adult_from: QuantityLike | None = ...,
    errors: Literal["mark", "raise"] = ...,
) -> pandas.DataFrame: ...


@overload
def assess_table(
    drug: Drug | str,
    table: pyarrow.Table,
    *,
    units: Mapping[str, str] | None = ...,
    columns: Mapping[str, str] | None = ...,
    phase: Phase | None = ...,
    adult_from: QuantityLike | None = ...,
    errors: Literal["mark", "raise"] = ...,
) -> pyarrow.Table: ...


@overload
def assess_table(
    drug: Drug | str,
    table: dask.dataframe.DataFrame,
    *,
    units: Mapping[str, str] | None = ...,
    columns: Mapping[str, str] | None = ...,
    phase: Phase | None = ...,
    adult_from: QuantityLike | None = ...,
    errors: Literal["mark", "raise"] = ...,
) -> dask.dataframe.DataFrame: ...


def assess_table(
    drug: Drug | str,
    table: pandas.DataFrame | pyarrow.Table | dask.dataframe.DataFrame,
    *,
    units: Mapping[str, str] | None = None,
    columns: Mapping[str, str] | None = None,
    phase: Phase | None = None,
    adult_from: QuantityLike | None = None,
    errors: Literal["mark", "raise"] = "mark",
) -> pandas.DataFrame | pyarrow.Table | dask.dataframe.DataFrame:
    """Every row of ``table`` assessed against what the guideline says about ``drug``.

    ``table`` is a pandas ``DataFrame``, a pyarrow ``Table`` or a Dask ``DataFrame``, and
    the result is a table of the same kind: the input's columns, then
    :data:`RESULT_COLUMNS`.  A Dask result is lazy (``map_partitions`` with an explicit
    ``meta``): nothing is computed until asked for.

    The fields (:data:`FIELDS`) are read from the columns of the same name, or the names
    ``columns`` maps them to (``columns={"weight": "weight_kg"}``): ``age`` and ``weight``
    (required); ``pregnant`` (true or false); ``phototherapy`` (text: empty, or a
    comma-separated list of UVA, UVB, PUVA); ``co_medication_pathways`` (text: empty, or a
    comma-separated list of CYP3A4, P-gp, OATP, any case); ``amount`` and ``frequency``
    (together, the prescription of :class:`~ae_systemic.Prescription`) with ``period``
    (default one day).  A row whose amount and frequency are both missing has no
    prescription (its ``dose_status`` is null).

    Units are never assumed: a column of plain numbers for ``age``, ``weight``, ``amount``
    or ``period`` needs its unit in ``units`` (``units={"age": "year", "weight": "lb"}``);
    a pint-pandas column (``pint[kg]``) carries its own, and a different ``units`` entry
    is an error.

    Each row equals what :func:`~ae_systemic.assess` and :func:`~ae_systemic.check_dose`
    give for that patient (``phase`` and ``adult_from`` as there).  A row that cannot be
    assessed gets null results and an ``error`` naming the column and the problem, or
    with ``errors="raise"`` a :class:`~ae_systemic.DoseInputError` naming the column and
    the first such row by its index label (``index``: an integer, a string, a
    MultiIndex's tuple of integers, or a timestamp's ISO text); a label the error cannot
    carry (a float, true or false, a tuple of other values) leaves ``index`` ``None`` and
    the message says ``row at position 1 (index label 0.0)``.  On Dask, partitions fail
    in any order: the error names the first bad row of the partition that failed first,
    by its label in that partition.  A row whose population's regimen the table cannot
    compute names it as :func:`~ae_systemic.assess` does (``regimen``: not a weight-based
    daily dose; ``phase``: none for the phase asked), never the age.  A table that cannot
    be read at all (a column of complex numbers too) raises
    :class:`~ae_systemic.InputError` naming the column, and a drug with no weight-based
    daily regimen for adults or children (for ``phase``) a
    :class:`~ae_systemic.DoseInputError` naming ``regimen``, ``phase`` or ``drug``, before
    any row is read.  Needs the ``cohort`` extra (``dask`` for Dask tables):
    :class:`~ae_systemic.MissingExtraError` otherwise.

    >>> import pandas as pd
    >>> cohort = pd.DataFrame({"age": [34, 12], "weight": [70.0, 40.0],
    ...                        "amount": [200, 50], "frequency": [2, 2]})
    >>> result = assess_table("ciclosporin", cohort,
    ...                       units={"age": "year", "weight": "kg", "amount": "mg"})
    >>> result[["population", "dose_high_mg_per_day", "dose_status"]]
      population  dose_high_mg_per_day dose_status
    0      adult                 350.0       above
    1      child                 200.0      within
    """
    subject = resolve_drug(drug)
    _check_extra("assess_table")
    kind = _kind(table)
    if kind == "pandas":
        frame = cast("pandas.DataFrame", table)  # pragma: no mutate
        plan = _plan(subject, _dtypes(frame), units, columns, phase, adult_from, errors)
        result = _joined(frame, _assess_frame(plan, frame))
        result.attrs[ASSESSED_WITH] = _assessed_with(plan)
        return result
    if kind == "arrow":
        arrow = cast("pyarrow.Table", table)  # pragma: no mutate
        return _assess_arrow(subject, arrow, units, columns, phase, adult_from, errors)
    lazy = cast("dask.dataframe.DataFrame", table)  # pragma: no mutate
    return _assess_dask(subject, lazy, units, columns, phase, adult_from, errors)


#: The key of ``DataFrame.attrs`` under which :func:`assess_table` records how it read the
#: table: the drug, the columns of the fields and the units given (for :func:`prescribed`).
ASSESSED_WITH = "ae_systemic.assess_table"


def _assessed_with(plan: _Plan) -> dict[str, Any]:
    return {
        "drug": plan.subject.name,
        "columns": dict(plan.columns),
        "units": {field: unit.name for field, unit in plan.units.items() if unit.given},
    }


def prescribed(
    result: pandas.DataFrame,
    drug: Drug | str,
    *,
    units: Mapping[str, str] | None = None,
    columns: Mapping[str, str] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Each row's body weight in kg and prescribed amount a day in mg, from its own columns.

    Read as :func:`assess_table` reads them (the same ``units`` and ``columns``, the same
    arithmetic); NaN where a row has none.  Without ``units`` and ``columns``, those
    :func:`assess_table` recorded in ``result.attrs`` are used.
    """
    import numpy as np

    subject = resolve_drug(drug)
    recorded = result.attrs.get(ASSESSED_WITH, {})
    if units is None and columns is None and isinstance(recorded, dict):
        units, columns = recorded.get("units"), recorded.get("columns")
    plan = _plan(subject, _dtypes(result), units, columns, None, None, "mark", of_result=True)
    if "amount" not in plan.columns:
        raise InputError(
            "result", "has no amount and frequency columns, so no prescription to read"
        )
    weight, _ = _numbers(result[plan.column("weight")], plan.column("weight"), "weight")
    amount, _ = _numbers(result[plan.column("amount")], plan.column("amount"), "amount")
    frequency, _ = _numbers(result[plan.column("frequency")], plan.column("frequency"), "frequency")
    if "period" in plan.columns:
        period, _ = _numbers(result[plan.column("period")], plan.column("period"), "period")
        with np.errstate(all="ignore"):
            period_seconds = plan.units["period"].scaled(period)
    else:
        period_seconds = np.full(len(result), 86_400.0)
    with np.errstate(all="ignore"):
        kg = plan.units["weight"].scaled(weight)
        daily = plan.units["amount"].scaled(amount) * (frequency / (period_seconds / 86_400.0))
    return kg, daily


def _dtypes(frame: pandas.DataFrame) -> list[tuple[str, object]]:
    """Each column's name and dtype, in order (a name that is not a string cannot be a field)."""
    return [(name, dtype) for name, dtype in frame.dtypes.items() if isinstance(name, str)]


def _joined(table: pandas.DataFrame, result: pandas.DataFrame) -> pandas.DataFrame:
    """The table's columns, then the result's (the index is the table's)."""
    import pandas as pd

    return pd.concat([table, result], axis=1)


def _assess_arrow(
    subject: Drug,
    table: pyarrow.Table,
    units: object,
    columns: object,
    phase: object,
    adult_from: object,
    errors: object,
) -> pyarrow.Table:
    import pyarrow as pa

    names = tuple(table.column_names)
    plan = _plan(
        subject, [(name, None) for name in names], units, columns, phase, adult_from, errors
    )
    used = list(dict.fromkeys(plan.columns.values()))
    # Without the pandas metadata a file may carry: a field written as the index of the frame
    # it came from would otherwise become the index again, and no column.
    # Parquet DECIMAL columns arrive as decimal.Decimal objects, read by _numbers (Arrow's own
    # cast to float64 is not correctly rounded: 30.2 became 30.200000000000003).
    frame = table.select(used).to_pandas(types_mapper=_arrow_types, ignore_metadata=True)
    result = _assess_frame(plan, frame)
    for field in arrow_result_schema():
        values = pa.array(result[field.name], from_pandas=True)
        if pa.types.is_dictionary(values.type):  # a categorical: plain text in arrow
            values = values.dictionary_decode()
        table = table.append_column(field, values.cast(field.type))
    return table


def _arrow_types(arrow_type: Any) -> Any:
    """Arrow text, true/false and whole numbers to pandas' nullable types.

    A column of nulls stays readable, and a column of whole numbers with a null stays whole
    (not float64), so that a row's error shows its value as the table gives it: ``150 year``.
    """
    import pandas as pd
    import pyarrow as pa

    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype()
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    if pa.types.is_signed_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_unsigned_integer(arrow_type):
        return pd.UInt64Dtype()
    return None


def _arrow_type(name: str) -> pyarrow.DataType:
    """The arrow type of the result column ``name``."""
    import pyarrow as pa

    if name in _TEXT_COLUMNS:
        return pa.string()
    if name in _FLOAT_COLUMNS:
        return pa.float64()
    return pa.int64() if name == "doses_per_day" else pa.bool_()


def arrow_result_schema() -> pyarrow.Schema:
    """The arrow schema of the result columns, in order (for writers that need it first)."""
    import pyarrow as pa

    return pa.schema([pa.field(name, _arrow_type(name)) for name in RESULT_COLUMNS])


def _assess_dask(
    subject: Drug,
    table: dask.dataframe.DataFrame,
    units: object,
    columns: object,
    phase: object,
    adult_from: object,
    errors: object,
) -> dask.dataframe.DataFrame:
    _check_extra("assess_table", "dask")
    meta_in: pandas.DataFrame = table._meta
    plan = _plan(subject, _dtypes(meta_in), units, columns, phase, adult_from, errors)
    meta = _joined(meta_in, _empty_result(subject, meta_in.index))
    # An explicit meta: Dask never runs the assessment on made-up rows to guess the result.
    result: dask.dataframe.DataFrame = table.map_partitions(  # type: ignore[no-untyped-call]
        _assess_partition, plan, meta=meta, align_dataframes=False
    )
    return result


def _empty_result(subject: Drug, index: pandas.Index[Any]) -> pandas.DataFrame:
    """No rows, the result columns with their dtypes: the ``meta`` Dask is given."""
    import pandas as pd

    dtypes = _dtypes_of_result(subject)
    return pd.DataFrame(
        {name: pd.Series(dtype=dtypes[name]) for name in RESULT_COLUMNS},
        index=index[:0],
    )


def _assess_partition(partition: pandas.DataFrame, plan: _Plan) -> pandas.DataFrame:
    """One Dask partition assessed (a module-level function, so that it pickles by name)."""
    _check_partition_units(partition, plan)
    return _joined(partition, _assess_frame(plan, partition, partition=True))


def _check_partition_units(partition: pandas.DataFrame, plan: _Plan) -> None:
    """An error unless each quantity column of ``partition`` has the unit planned from meta.

    The plan reads a unit once, from the Dask table's ``meta``; Dask does not check that
    each partition agrees with it (``from_delayed(..., verify_meta=False)``, an earlier
    ``map_partitions``), and a partition in lb read as kg would be a wrong dose.
    """
    for field, unit in plan.units.items():
        column = plan.column(field)
        own = _pint_unit(partition[column].dtype)
        has = "plain numbers" if own is None else f"a pint-pandas column in {own}"
        planned = "plain numbers" if unit.given else f"a pint-pandas column in {unit.name}"
        if has != planned:
            raise InputError(
                column,
                f"a partition of the Dask table holds {has}, but the table's meta holds "
                f"{planned}; make every partition agree with the meta (its dtypes are what "
                "the unit is read from)",
            )


# --- summaries -------------------------------------------------------------------------------

_STATUS_ROWS = (*(status.value for status in DoseStatus), "no prescription")


def _count_keys() -> list[str]:
    """The keys of :func:`result_counts`, in order."""
    return [
        "rows",
        "errors",
        *(f"dose_status:{value}" for value in _STATUS_ROWS),
        *(f"finding:{kind.value}" for _, kind in _FINDING_COLUMNS),
    ]


def checked_result_columns(names: Sequence[object], what: str) -> None:
    """An error unless every result column is in ``names`` once; ``what`` says what to pass."""
    texts = [str(name) for name in names]
    missing = next((name for name in RESULT_COLUMNS if name not in texts), None)
    if missing is not None:
        raise InputError("result", f"has no column {missing!r}; {what}")
    repeated = next((name for name in RESULT_COLUMNS if texts.count(name) > 1), None)
    if repeated is not None:
        raise InputError(
            repeated,
            f"the result has {texts.count(repeated)} columns of this name; drop all but one",
        )


def result_rows(result: pandas.DataFrame) -> tuple[BoolArray, BoolArray]:
    """Which rows of a result have an ``error``, and which a ``dose_status``.

    A CSV holds no nulls: its empty cell, read back as ``""`` (pyarrow), is no error and no
    status either, as a null is.
    """
    return _filled(result["error"]), _filled(result["dose_status"])


def _filled(column: pandas.Series[Any]) -> BoolArray:
    """Where a text column holds something: neither null nor empty text."""
    empty = (column == "").fillna(False).to_numpy(dtype=bool)
    return column.notna().to_numpy(dtype=bool) & ~empty


def result_counts(result: pandas.DataFrame) -> dict[str, int]:
    """The counts :func:`summarize` reports, for one result frame (they add up over batches)."""
    import pandas as pd

    error, has_status = result_rows(result)
    ok = ~error
    counts = {"rows": len(result), "errors": int(error.sum())}
    status = result["dose_status"]
    for value in DoseStatus:
        found = (status == value.value).fillna(False).to_numpy(dtype=bool)
        counts[f"dose_status:{value.value}"] = int((found & ok).sum())
    counts["dose_status:no prescription"] = int((~has_status & ok).sum())
    for name, kind in _FINDING_COLUMNS:
        column = result[name]
        if not (
            pd.api.types.is_bool_dtype(column.dtype)
            or pd.api.types.infer_dtype(column, skipna=True) in ("boolean", "empty")
            or not column.notna().any()  # all null: pandas reads an empty CSV column as floats
        ):
            raise InputError(
                name,
                f"holds {column.dtype} values, not true/false; summarize a result of "
                "assess_table, read back with its types (from Parquet, or a CSV read with "
                "true/false columns)",
            )
        found = column.to_numpy(dtype=bool, na_value=False)
        counts[f"finding:{kind.value}"] = int((found & ok).sum())
    return counts


def summary_frame(counts: Mapping[str, int]) -> pandas.DataFrame:
    """The summary table of :func:`summarize` from counts (see :func:`result_counts`)."""
    import pandas as pd

    rows, errors = counts["rows"], counts["errors"]
    assessed = rows - errors
    records: list[tuple[str, str, int, float]] = [
        ("rows", "assessed", assessed, _percent(assessed, rows)),
        ("rows", "with errors", errors, _percent(errors, rows)),
    ]
    for value in _STATUS_ROWS:
        count = counts[f"dose_status:{value}"]
        records.append(("dose_status", value, count, _percent(count, assessed)))
    for _, kind in _FINDING_COLUMNS:
        count = counts[f"finding:{kind.value}"]
        records.append(("finding", kind.value, count, _percent(count, assessed)))
    frame = pd.DataFrame.from_records(records, columns=["what", "value", "rows", "percent"])
    return frame.set_index(["what", "value"])


def _percent(count: int, of: int) -> float:
    return 100.0 * count / of if of else math.nan


def summarize(
    result: pandas.DataFrame | pyarrow.Table | dask.dataframe.DataFrame,
) -> pandas.DataFrame:
    """Counts and percentages of an :func:`assess_table` result, in a small DataFrame.

    One row per line of the summary, indexed by ``what`` and ``value``: the rows assessed
    and the rows with errors (percentages of all rows); each dose status and the rows
    without a prescription, and each kind of finding (percentages of the rows assessed:
    rows with errors are counted apart, never in a percentage of results).  An empty text in
    ``error`` or ``dose_status`` (a CSV read back) is no error and no status, as a null is; a
    result with one of its columns twice is refused, naming it.  A Dask result is computed
    here, partition by partition.

    >>> import pandas as pd
    >>> cohort = pd.DataFrame({"age": [34, 12, 40], "weight": [70.0, 40.0, -1.0]})
    >>> table = summarize(assess_table("ciclosporin", cohort,
    ...                                units={"age": "year", "weight": "kg"}))
    >>> table.loc["rows", "rows"].to_dict()
    {'assessed': 2, 'with errors': 1}
    >>> float(table.loc[("dose_status", "no prescription"), "percent"])
    100.0
    """
    _check_extra("summarize")  # before pandas is imported, to name the extra if it is missing
    import pandas as pd

    kind = _kind(result)
    if kind == "arrow":
        names = list(cast("pyarrow.Table", result).column_names)  # pragma: no mutate
    else:
        names = [
            str(name) for name in cast("pandas.DataFrame", result).columns
        ]  # pragma: no mutate
    checked_result_columns(names, "summarize the table assess_table returned")
    if kind == "pandas":
        return summary_frame(result_counts(cast("pandas.DataFrame", result)))  # pragma: no mutate
    if kind == "arrow":
        arrow = cast("pyarrow.Table", result)  # pragma: no mutate
        return summary_frame(result_counts(arrow.select(list(RESULT_COLUMNS)).to_pandas()))
    lazy = cast("dask.dataframe.DataFrame", result)  # pragma: no mutate
    keys = _count_keys()
    meta = pd.DataFrame({key: pd.Series(dtype="int64") for key in keys})
    parts = lazy[list(RESULT_COLUMNS)].map_partitions(_partition_counts, meta=meta)
    totals = parts.sum().compute()
    return summary_frame({key: int(totals[key]) for key in keys})


def _partition_counts(partition: pandas.DataFrame) -> pandas.DataFrame:
    import pandas as pd

    counts = result_counts(partition)
    return pd.DataFrame({key: [value] for key, value in counts.items()})
