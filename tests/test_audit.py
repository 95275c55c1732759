"""``ae-systemic audit``: files assessed batch by batch equal the whole table assessed at once.

Every file here is small and generated in a temporary directory; ``--batch-size 7`` over 50
rows makes eight batches, the last one short, so that the batching is what is tested.  The
commands run in this process through :func:`ae_systemic._cli.run`, as in ``test_cli.py``,
and once as a fresh process through the console script.
"""

from __future__ import annotations

import decimal
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from ae_systemic import InputError, Phase, _audit, _cli, assess_table, summarize
from ae_systemic._cohort import FIELDS, RESULT_COLUMNS, _count_keys
from ae_systemic._startup import CACHE_ENV

TIMEOUT_SECONDS = 120
UNITS = {"age": "year", "weight": "kg", "amount": "mg", "period": "day"}
UNIT_OPTIONS = [
    "--weight-unit",
    "kg",
    "--age-unit",
    "year",
    "--amount-unit",
    "mg",
    "--period-unit",
    "day",
]
#: The unit options of a file without a prescription (a unit for a column the file lacks is
#: refused).
PATIENT_UNIT_OPTIONS = UNIT_OPTIONS[:4]
#: The unit options of a file whose prescriptions have no period column.
DAILY_UNIT_OPTIONS = UNIT_OPTIONS[:6]
#: The types the audit reads the fields of a CSV file as (see the module's docstring).
CSV_FIELD_TYPES: dict[str, pa.DataType] = {
    **dict.fromkeys(("age", "weight", "amount", "frequency", "period"), pa.float64()),
    "pregnant": pa.bool_(),
    **dict.fromkeys(("phototherapy", "co_medication_pathways"), pa.string()),
}


def cohort(rows: int = 50) -> pd.DataFrame:
    """A deterministic cohort: adults and children, prescriptions below, within and above the
    range or none, phototherapies and pathways, and a few rows that cannot be assessed."""
    ages = [(7 * i) % 80 + 2 for i in range(rows)]
    weights = [12.0 + (13 * i) % 100 + 0.5 for i in range(rows)]
    amounts: list[float | None] = [[50.0, 100.0, 200.0, None][i % 4] for i in range(rows)]
    frequencies: list[float | None] = [
        None if a is None else float(1 + i % 2) for i, a in enumerate(amounts)
    ]
    periods: list[float | None] = [None if a is None else 1.0 for a in amounts]
    frame = pd.DataFrame(
        {
            "id": [f"p{i:03d}" for i in range(rows)],
            "age": ages,
            "weight": weights,
            "pregnant": [i % 9 == 0 for i in range(rows)],
            "phototherapy": [["", "UVB", "uva, PUVA", ""][i % 4] for i in range(rows)],
            "co_medication_pathways": [["", "CYP3A4", "p-gp,OATP"][i % 3] for i in range(rows)],
            "amount": amounts,
            "frequency": frequencies,
            "period": periods,
        }
    )
    frame.loc[3, "weight"] = -5.0  # not a weight
    frame.loc[11, "phototherapy"] = "UVC"  # not a phototherapy the guideline names
    frame.loc[20, "frequency"] = 0.0  # not a frequency
    return frame


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """The cohort as CSV and as Parquet."""
    frame = cohort()
    paths = {"csv": tmp_path / "cohort.csv", "parquet": tmp_path / "cohort.parquet"}
    frame.to_csv(paths["csv"], index=False)
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), paths["parquet"])
    return paths


def whole_csv(path: Path, columns: dict[str, str] | None = None) -> Any:
    """The CSV file read at once, its fields with the types the audit reads them as."""
    columns = columns or {}
    types = {columns.get(field, field): kind for field, kind in CSV_FIELD_TYPES.items()}
    names = pa_csv.read_csv(path).column_names
    convert = pa_csv.ConvertOptions(column_types={n: t for n, t in types.items() if n in names})
    return pa_csv.read_csv(path, convert_options=convert)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = _cli.run(["audit", "ciclosporin", *args])
    out, err = capsys.readouterr()
    return code, out, err


def audited(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert (code, err) == (0, ""), err
    return out


def error_line(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one line of an audit that fails on its input (exit 2, nothing on stdout)."""
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, ""), (code, out, err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("ae-systemic: error: ")
    assert "Traceback" not in err
    return lines[0].removeprefix("ae-systemic: error: ")


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


# --- the results equal the whole table assessed at once -----------------------------------


def test_parquet_to_parquet_in_batches_equals_the_whole_table(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "result.parquet"
    audited(capsys, str(files["parquet"]), "--out", str(out), *UNIT_OPTIONS, "--batch-size", "7")
    expected = assess_table("ciclosporin", pq.read_table(files["parquet"]), units=UNITS)
    written = pq.read_table(out)
    assert written.num_rows == 50
    assert pq.ParquetFile(out).metadata.num_row_groups == 8  # one per batch of 7 rows
    assert written.column_names == [*cohort().columns, *RESULT_COLUMNS]
    assert written.equals(expected, check_metadata=False)
    # Not trivially equal: the cohort has every kind of row.
    assert set(written["dose_status"].to_pylist()) == {"below", "within", "above", None}
    assert written["error"].null_count == 47


def test_csv_to_csv_in_batches_is_the_whole_table_written_at_once(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "result.csv"
    audited(capsys, str(files["csv"]), "--out", str(out), *UNIT_OPTIONS, "--batch-size", "7")
    expected = assess_table("ciclosporin", whole_csv(files["csv"]), units=UNITS)
    at_once = tmp_path / "at-once.csv"
    pa_csv.write_csv(expected, at_once)
    assert out.read_bytes() == at_once.read_bytes()
    errors = [e for e in pa_csv.read_csv(out)["error"].to_pylist() if e]
    assert [error.split(":")[0] for error in errors] == ["weight", "phototherapy", "frequency"]


def test_csv_to_parquet_in_batches_equals_the_whole_table(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "result.parquet"
    audited(capsys, str(files["csv"]), "--out", str(out), *UNIT_OPTIONS, "--batch-size", "7")
    expected = assess_table("ciclosporin", whole_csv(files["csv"]), units=UNITS)
    assert pq.read_table(out).equals(expected, check_metadata=False)


def test_column_mapping_phase_and_adult_from(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    frame = cohort().rename(columns={"age": "age_years", "weight": "kg", "amount": "mg_each"})
    source = tmp_path / "renamed.csv"
    frame.to_csv(source, index=False)
    out = tmp_path / "result.parquet"
    columns = {"age": "age_years", "weight": "kg", "amount": "mg_each"}
    audited(
        capsys,
        str(source),
        "--out",
        str(out),
        *UNIT_OPTIONS,
        "--column",
        "age=age_years",
        "--column",
        "weight=kg",
        "--column",
        "amount=mg_each",
        "--phase",
        "long-term",
        "--adult-from",
        "16y",
        "--batch-size",
        "9",
    )
    expected = assess_table(
        "ciclosporin",
        whole_csv(source, columns),
        units=UNITS,
        columns=columns,
        phase=Phase.LONG_TERM,
        adult_from="16 years",
    )
    written = pq.read_table(out)
    assert written.equals(expected, check_metadata=False)
    regimens = set(written["regimen"].to_pylist())
    assert "long-term (adults)" in regimens
    # 16 and 17 year olds are adults here.
    ages = written["age_years"].to_pylist()
    populations = written["population"].to_pylist()
    teen = [
        p
        for a, p, e in zip(ages, populations, written["error"].to_pylist(), strict=True)
        if a is not None and 16 <= a < 18 and e is None
    ]
    assert teen
    assert set(teen) == {"adult"}


# --- the summary --------------------------------------------------------------------------


def test_json_summary_counts_every_batch(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "result.parquet"
    data = json.loads(
        audited(
            capsys,
            str(files["csv"]),
            "--out",
            str(out),
            *UNIT_OPTIONS,
            "--batch-size",
            "7",
            "--json",
        )
    )
    assert list(data) == [
        "drug",
        "input",
        "output",
        "rows",
        "assessed",
        "with_errors",
        "dose_status",
        "findings",
        "seconds",
        "rows_per_second",
    ]
    assert (data["drug"], data["input"], data["output"]) == (
        "ciclosporin",
        str(files["csv"]),
        str(out),
    )
    assert data["rows"] == 50
    assert data["assessed"] == {"rows": 47, "percent": 94.0}
    assert data["with_errors"] == {"rows": 3, "percent": 6.0}
    expected = summarize(assess_table("ciclosporin", whole_csv(files["csv"]), units=UNITS))
    assert list(data["dose_status"]) == ["below", "within", "above", "no prescription"]
    assert list(data["findings"]) == list(expected.loc["finding"].index)
    for group, what in (("dose_status", "dose_status"), ("findings", "finding")):
        for value, row in expected.loc[what].iterrows():
            assert data[group][value]["rows"] == row["rows"]
            assert data[group][value]["percent"] == pytest.approx(row["percent"])
    assert sum(v["rows"] for v in data["dose_status"].values()) == 47
    assert data["seconds"] >= 0
    assert data["rows_per_second"] is None or data["rows_per_second"] > 0


def test_text_summary_counts_rows_with_errors_and_says_where_they_are(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "result.csv"
    text = audited(capsys, str(files["parquet"]), "--out", str(out), *UNIT_OPTIONS)
    lines = text.splitlines()
    assert lines[0] == f"ciclosporin: {files['parquet']} assessed, written to {out}"
    assert lines[1].split() == ["rows", "50"]
    assert lines[2].split() == ["assessed", "47", "94.0", "%"]
    assert lines[3].split() == ["with", "errors", "3", "6.0", "%"]
    assert "dose status, of the rows assessed" in lines
    assert "findings, of the rows assessed" in lines
    assert any(line.split()[:2] == ["monitoring", "47"] for line in lines)
    assert "their column 'error' in" in text
    assert lines[-1].startswith("50 rows in ")
    assert lines[-1].endswith(" rows/s")


def test_a_header_only_file_gives_the_columns_and_no_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "empty.csv"
    source.write_text("id,age,weight,phototherapy,amount,frequency\n", encoding="utf-8")
    for name in ("result.csv", "result.parquet"):
        out = tmp_path / name
        data = json.loads(
            audited(capsys, str(source), "--out", str(out), *DAILY_UNIT_OPTIONS, "--json")
        )
        assert data["rows"] == 0
        assert data["assessed"] == {"rows": 0, "percent": None}
        assert data["dose_status"]["within"] == {"rows": 0, "percent": None}
        table = pq.read_table(out) if name.endswith(".parquet") else pa_csv.read_csv(out)
        assert table.num_rows == 0
        assert table.column_names == [
            "id",
            "age",
            "weight",
            "phototherapy",
            "amount",
            "frequency",
            *RESULT_COLUMNS,
        ]
    text = audited(capsys, str(source), "--out", str(tmp_path / "again.csv"), *DAILY_UNIT_OPTIONS)
    assert text.splitlines()[1].split() == ["rows", "0"]
    assert text.splitlines()[2].split() == ["assessed", "0", "–"]


def test_empty_text_columns_are_text_not_nulls(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Every phototherapy and pathway cell empty, and a note column with nothing in it:
    # pyarrow would infer null columns; the audit reads them as text.
    source = tmp_path / "cohort.csv"
    source.write_text(
        "age,weight,phototherapy,co_medication_pathways,note\n34,70,,,\n12,40,,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "result.parquet"
    audited(capsys, str(source), "--out", str(out), *PATIENT_UNIT_OPTIONS)
    written = pq.read_table(out)
    assert written.schema.field("phototherapy").type == pa.string()
    assert written.schema.field("note").type == pa.string()
    assert written["error"].to_pylist() == [None, None]
    assert written["finding_avoid_combination"].to_pylist() == [False, False]


# --- progress -------------------------------------------------------------------------------


def test_progress_bar_on_stderr_only_when_asked(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    pytest.importorskip("tqdm")
    args = [str(files["parquet"]), "--out", str(tmp_path / "r.parquet"), *UNIT_OPTIONS]
    code, out, err = run(capsys, *args, "--batch-size", "7", "--progress")
    assert code == 0
    assert out.startswith("ciclosporin: ")
    assert "ciclosporin audit" in err
    assert "50.0/50.0" in err  # the total comes from the Parquet metadata
    assert "rows/s" in err
    # stderr is not a terminal here: no bar unless asked, and never with --no-progress.
    assert run(capsys, *args)[2] == ""
    assert run(capsys, *args, "--no-progress")[2] == ""


# --- bad input: one line, exit code 2, no output ------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--weight-unit", "kg", "--amount-unit", "mg"],
            "--age-unit: missing; column 'age' of {csv} holds the age as plain numbers; give "
            "their unit, e.g. --age-unit year",
        ),
        (
            [
                "--weight-unit",
                "cm",
                "--age-unit",
                "year",
                "--amount-unit",
                "mg",
                "--period-unit",
                "d",
            ],
            "--weight-unit: centimeter is not a unit of mass, as the weight needs; write e.g. 'kg'",
        ),
        (
            [
                "--weight-unit",
                "kilo",
                "--age-unit",
                "year",
                "--amount-unit",
                "mg",
                "--period-unit",
                "h",
            ],
            "--weight-unit: 'kilo' is not a unit pint knows; write e.g. 'kg'",
        ),
        (
            [
                "--weight-unit",
                "kg",
                "--age-unit",
                "kg",
                "--amount-unit",
                "mg",
                "--period-unit",
                "day",
            ],
            "--age-unit: kilogram is not a unit of time, as the age needs; write e.g. 'year'",
        ),
        (
            [*UNIT_OPTIONS, "--column", "weight=weight_kg"],
            "--column: weight=weight_kg: {csv} has no column 'weight_kg'; its columns are "
            "'id', 'age', 'weight', 'pregnant', 'phototherapy', 'co_medication_pathways', "
            "'amount', 'frequency', 'period'",
        ),
        (
            [*UNIT_OPTIONS, "--column", "weight=age"],
            "--column: the age and the weight would both be read from column 'age'; give each "
            "field its own column",
        ),
        (  # found before the CSV is read as types (the frequency's numbers: 'true' failed)
            [*UNIT_OPTIONS, "--column", "frequency=pregnant"],
            "--column: the pregnant and the frequency would both be read from column "
            "'pregnant'; give each field its own column",
        ),
        (
            [*UNIT_OPTIONS, "--column", "weigth=w"],
            "--column: 'weigth' is not a field; the fields are " + ", ".join(FIELDS),
        ),
        (
            [*UNIT_OPTIONS, "--column", "weight"],
            "--column: 'weight' is not FIELD=NAME; write e.g. --column weight=weight_kg",
        ),
        (
            [*UNIT_OPTIONS, "--column", "age=a", "--column", "age=b"],
            "--column: the age field is given twice ('a', then 'b'); give it once",
        ),
        (
            [*UNIT_OPTIONS, "--batch-size", "0"],
            "--batch-size: '0' is not a number of rows from 1 to 1048576; write e.g. 65536",
        ),
        (
            [*UNIT_OPTIONS, "--batch-size", "2000000"],
            "--batch-size: '2000000' is not a number of rows from 1 to 1048576; write e.g. 65536",
        ),
        (
            [*UNIT_OPTIONS, "--adult-from", "200y"],
            "--adult-from: 200 year must lie between 0 and 130 years",
        ),
    ],
    ids=[
        "missing-unit",
        "unit-of-length",
        "unknown-unit",
        "age-in-kg",
        "mapped-column-missing",
        "two-fields-one-column",
        "two-fields-one-column-of-other-types",
        "not-a-field",
        "not-field-equals-name",
        "field-twice",
        "batch-size-zero",
        "batch-size-too-large",
        "adult-from-out-of-range",
    ],
)
def test_bad_options_are_one_line_and_write_nothing(
    capsys: pytest.CaptureFixture[str],
    files: dict[str, Path],
    tmp_path: Path,
    args: list[str],
    expected: str,
) -> None:
    out = tmp_path / "result.parquet"
    line = error_line(capsys, str(files["csv"]), "--out", str(out), *args)
    assert line == expected.format(csv=files["csv"])
    assert not out.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_column_named_as_a_field_but_for_case_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str
) -> None:
    # Read as absent, 'Pregnant' would have made every row not pregnant without a word.
    source = tmp_path / f"cohort{suffix}"
    table = pa.table({"age": [34.0], "weight": [70.0], "Pregnant": [True]})
    if suffix == ".csv":
        source.write_text("age,weight,Pregnant\n34,70,true\n", encoding="utf-8")
    else:
        pq.write_table(table, source)
    out = tmp_path / "r.csv"
    line = error_line(capsys, str(source), "--out", str(out), *PATIENT_UNIT_OPTIONS)
    assert line == (
        f"{source}: has a column 'Pregnant', which reads like the pregnant field (read from a "
        "column named 'pregnant'): name it with --column pregnant=Pregnant, or rename or drop "
        "the column; read as absent, its values would be lost"
    )
    assert not out.exists()
    audited(
        capsys,
        str(source),
        "--out",
        str(out),
        *PATIENT_UNIT_OPTIONS,
        "--column",
        "pregnant=Pregnant",
    )
    assert pa_csv.read_csv(out).column("finding_pregnancy").to_pylist() == [True]


def test_a_missing_column_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "cohort.csv"
    source.write_text("age,body_weight\n34,70\n", encoding="utf-8")
    line = error_line(capsys, str(source), "--out", str(tmp_path / "r.csv"), *UNIT_OPTIONS)
    assert line == (
        f"{source}: has no column 'weight' (the weight); its columns are 'age', "
        "'body_weight'; name the column that holds it with --column weight=NAME"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "age,weight\n34,70kg\n",
            " (row 1 after the header): column 'weight': CSV conversion error to double: invalid "
            "value '70kg'; give the weight as plain numbers, and their unit with --weight-unit",
        ),
        (
            "age,weight,pregnant\n34,70,yes\n",
            " (row 1 after the header): column 'pregnant': CSV conversion error to bool: "
            "invalid value 'yes'; write true or false (or 1 or 0)",
        ),
        ("age,weight\n34,70,1\n", ": CSV parse error: Expected 2 columns, got 3: 34,70,1"),
        ("", ": Empty CSV file"),
    ],
    ids=["weight-with-unit", "pregnant-yes", "ragged", "empty"],
)
def test_csv_that_cannot_be_read_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, expected: str
) -> None:
    source = tmp_path / "cohort.csv"
    source.write_text(content, encoding="utf-8")
    out = tmp_path / "r.parquet"
    line = error_line(capsys, str(source), "--out", str(out), *UNIT_OPTIONS)
    assert line == f"{source}: cannot read it as CSV{expected}"
    assert not out.exists()


def test_files_that_cannot_be_read_or_written(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"\x00\x01not parquet at all" * 20)
    out = str(tmp_path / "r.csv")
    line = error_line(capsys, str(garbage), "--out", out, *UNIT_OPTIONS)
    assert line.startswith(f"{garbage}: cannot read it as Parquet: ")
    assert "magic bytes" in line.lower()

    missing = tmp_path / "missing.csv"
    assert error_line(capsys, str(missing), "--out", out, *UNIT_OPTIONS) == (
        f"{missing}: cannot read it: there is no such file"
    )
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert error_line(capsys, str(folder), "--out", out, *UNIT_OPTIONS) == (
        f"{folder}: cannot read it: it is not a file"
    )
    xlsx = tmp_path / "cohort.xlsx"
    xlsx.write_bytes(b"PK")
    assert error_line(capsys, str(xlsx), "--out", out, *UNIT_OPTIONS) == (
        f"{xlsx}: cannot read it: the name ends neither in .csv nor in .parquet; audit reads "
        "CSV or Parquet, chosen by the extension"
    )
    assert error_line(capsys, str(files["csv"]), "--out", str(tmp_path / "r.json")) == (
        f"--out: cannot write {str(tmp_path / 'r.json')!r}: the name ends neither in .csv nor "
        "in .parquet; audit writes CSV or Parquet, chosen by the extension"
    )
    assert error_line(capsys, str(files["csv"]), "--out", str(files["csv"]), *UNIT_OPTIONS) == (
        f"--out: {str(files['csv'])!r} is the input file; write the result to another file"
    )
    nowhere = tmp_path / "no" / "such" / "r.csv"
    assert error_line(capsys, str(files["csv"]), "--out", str(nowhere), *UNIT_OPTIONS) == (
        f"--out: cannot write {str(nowhere)!r}: its directory does not exist"
    )
    assert leftovers(tmp_path) == []


def test_a_number_column_of_text_in_parquet_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "cohort.parquet"
    pq.write_table(pa.table({"age": [34.0], "weight": ["70 kg"]}), source)
    line = error_line(capsys, str(source), "--out", str(tmp_path / "r.csv"), *UNIT_OPTIONS)
    assert line == (
        f"{source}: column 'weight' holds string values, not numbers; give the weight as plain "
        "numbers, and their unit with --weight-unit"
    )


def test_decimal_columns_of_parquet_are_read_as_numbers(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    # SQL exports write DECIMAL(p, s) columns: each value is read as the double nearest it,
    # as a CSV's text is, and the result equals that of the same numbers as floats
    floats = pq.read_table(files["parquet"])
    decimals = floats
    for name in ("age", "weight", "amount"):
        index = floats.column_names.index(name)
        exact = [None if v is None else decimal.Decimal(repr(v)) for v in floats[name].to_pylist()]
        decimals = decimals.set_column(index, name, pa.array(exact, type=pa.decimal128(9, 2)))
    source = tmp_path / "decimals.parquet"
    pq.write_table(decimals, source)
    out = tmp_path / "result.parquet"
    audited(capsys, str(source), "--out", str(out), *UNIT_OPTIONS)
    written = pq.read_table(out)
    expected = assess_table("ciclosporin", floats, units=UNITS)
    kept = [*floats.column_names, "error"]  # an error shows a value as given: 70.50 kg
    assert written.drop_columns(kept).equals(expected.drop_columns(kept))
    assert written["error"].is_null().equals(expected["error"].is_null())
    assert written.schema.field("weight").type == pa.decimal128(9, 2)  # the input as given


def test_an_earlier_result_is_not_audited_again(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    first = tmp_path / "first.parquet"
    audited(capsys, str(files["parquet"]), "--out", str(first), *UNIT_OPTIONS)
    line = error_line(capsys, str(first), "--out", str(tmp_path / "second.parquet"), *UNIT_OPTIONS)
    assert line == (
        f"{first}: already has a column named 'population', which the audit adds; rename or "
        "drop it (is it the result of an earlier audit?)"
    )


def test_without_the_extra_the_command_names_it(
    capsys: pytest.CaptureFixture[str],
    files: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if pyarrow were not installed
    line = error_line(capsys, str(files["csv"]), "--out", str(tmp_path / "r.csv"), *UNIT_OPTIONS)
    assert line == "ae-systemic audit needs pyarrow: pip install 'ae-systemic[cohort]'"


# --- a failed run leaves no output that looks complete ------------------------------------


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """CSV read 64 bytes at a time, so that a bad row far down is met after some batches."""
    monkeypatch.setattr(_audit, "CSV_BLOCK_BYTES", 64)


@pytest.mark.usefixtures("small_blocks")
def test_a_file_that_fails_half_way_leaves_the_old_output_and_no_partial_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = [f"{20 + i % 50},{60 + i % 30}" for i in range(40)]
    rows[35] = "55,heavy"
    source = tmp_path / "cohort.csv"
    source.write_text("age,weight\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "result.csv"
    out.write_text("the previous result\n", encoding="utf-8")
    line = error_line(
        capsys, str(source), "--out", str(out), *PATIENT_UNIT_OPTIONS, "--batch-size", "4"
    )
    assert line == (
        f"{source}: cannot read it as CSV (row 36 after the header; no output written): "
        "column 'weight': CSV conversion error to double: invalid value 'heavy'; "
        "give the weight as plain numbers, and their unit with --weight-unit"
    )
    assert out.read_text(encoding="utf-8") == "the previous result\n"
    assert leftovers(tmp_path) == []


@pytest.mark.usefixtures("small_blocks")
@pytest.mark.parametrize(
    ("bad", "value"),
    [
        (0, "heavy"),  # in the first block, met as the reader opens
        (29, "heavy"),
        (39, "heavy"),  # the last row
        (17, "it's, heavy"),  # quoted, with a quote and a comma inside
        (23, "éléphant"),
    ],
)
def test_a_value_that_cannot_be_read_is_named_with_its_row(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bad: int, value: str
) -> None:
    # The same text earlier in another column, read as text there, is not the row.
    rows = [f"heavy,{20 + i % 50},{60 + i % 30}" for i in range(40)]
    quoted = '"' + value + '"' if "," in value else value
    rows[bad] = f"heavy,55,{quoted}"
    source = tmp_path / "cohort.csv"
    source.write_text("note,age,weight\n" + "\n".join(rows) + "\n", encoding="utf-8")
    line = error_line(
        capsys,
        str(source),
        "--out",
        str(tmp_path / "r.csv"),
        *PATIENT_UNIT_OPTIONS,
        "--batch-size",
        "4",
    )
    assert f"(row {bad + 1} after the header" in line
    assert f"invalid value '{value}'" in line


def test_a_bad_value_of_a_column_whose_name_is_not_unique_is_named_without_a_row(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "cohort.csv"
    source.write_text("age,weight,weight\n40,70,heavy\n", encoding="utf-8")
    line = error_line(capsys, str(source), "--out", str(tmp_path / "r.csv"), *PATIENT_UNIT_OPTIONS)
    assert line == (
        f"{source}: cannot read it as CSV: column 'weight': CSV conversion error to double: "
        "invalid value 'heavy'; give the weight as plain numbers, and their unit with "
        "--weight-unit"
    )


def test_an_interrupted_run_removes_its_partial_file(
    capsys: pytest.CaptureFixture[str],
    files: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    real = assess_table

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 4:  # the empty probe, then two batches written
            assert leftovers(tmp_path) != []  # the partial file exists while writing
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(_audit, "assess_table", interrupted)
    out = tmp_path / "result.parquet"
    code, stdout, _ = run(
        capsys, str(files["parquet"]), "--out", str(out), *UNIT_OPTIONS, "--batch-size", "7"
    )
    assert (code, stdout) == (130, "")
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_batches_are_cast_to_the_first_schema_or_named(tmp_path: Path) -> None:
    fields: list[pa.Field[Any]] = [pa.field("age", pa.float64()), pa.field("id", pa.string())]
    schema = pa.schema(fields)
    ids = pa.array(["a", "b"])
    batch = pa.record_batch([pa.array([3, 4], pa.int64()), ids], names=["age", "id"])
    cast = _audit.conformed(batch, schema, "cohort.csv", 10)
    assert cast.schema.equals(schema)
    assert cast.column(0).to_pylist() == [3.0, 4.0]
    assert _audit.conformed(cast, schema, "cohort.csv", 10) is cast
    lossy = pa.record_batch([pa.array(["3", "x"]), ids], names=["age", "id"])
    with pytest.raises(InputError, match=r"column 'age' holds string values after row 10"):
        _audit.conformed(lossy, schema, "cohort.csv", 10)
    short = pa.record_batch([pa.array([1.0])], names=["age"])
    with pytest.raises(InputError, match=r"column 'id' is missing after row 10"):
        _audit.conformed(short, schema, "cohort.csv", 10)


# --- as its users run it ------------------------------------------------------------------


def test_the_console_script_audits_a_generated_file(tmp_path: Path) -> None:
    source = tmp_path / "cohort.parquet"
    pq.write_table(pa.Table.from_pandas(cohort(), preserve_index=False), source)
    script = Path(sys.executable).with_name("ae-systemic")
    program = [str(script)] if script.is_file() else [sys.executable, "-m", "ae_systemic._cli"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONIOENCODING"}
    env[CACHE_ENV] = str(tmp_path / "cache")
    result = subprocess.run(
        [
            *program,
            "audit",
            "ciclosporin",
            "cohort.parquet",
            "--out",
            "result.parquet",
            *UNIT_OPTIONS,
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")  # no terminal: no progress bar
    lines = result.stdout.splitlines()
    assert lines[0] == "ciclosporin: cohort.parquet assessed, written to result.parquet"
    assert lines[2].split() == ["assessed", "47", "94.0", "%"]
    expected = assess_table("ciclosporin", pq.read_table(source), units=UNITS)
    assert pq.read_table(tmp_path / "result.parquet").equals(expected, check_metadata=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cache",
        "cohort.parquet",
        "result.parquet",
    ]


# --- what reviewers found: columns kept as written, odd files, options for absent columns ---


def test_other_csv_columns_are_carried_as_the_text_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A CSV has no types: guessed ones would drop leading zeros and round long identifiers."""
    source = tmp_path / "cohort.csv"
    source.write_text(
        "patient_id,record,age,weight\n"
        "007,12345678901234567891,30,70\n"
        "7,12345678901234567892,40,80\n",
        encoding="utf-8",
    )
    for suffix in ("csv", "parquet"):
        out = tmp_path / f"result.{suffix}"
        audited(capsys, str(source), "--out", str(out), *PATIENT_UNIT_OPTIONS)
        written = pa_csv.read_csv(out) if suffix == "csv" else pq.read_table(out)
        if suffix == "csv":  # read back as text, as it was written
            written = pa_csv.read_csv(
                out,
                convert_options=pa_csv.ConvertOptions(
                    column_types={"patient_id": pa.string(), "record": pa.string()}
                ),
            )
        assert written["patient_id"].to_pylist() == ["007", "7"]
        assert written["record"].to_pylist() == ["12345678901234567891", "12345678901234567892"]
        assert written["dose_low_mg_per_day"].to_pylist() == [175.0, 200.0]


def test_a_column_that_turns_to_text_in_a_later_block_is_carried(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A ward numbered in the first MiB and named after it: text from the start."""
    rows = ["ward,age,weight", *(f"{i % 9},30,70" for i in range(150_000)), "ICU,30,70"]
    source = tmp_path / "cohort.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert source.stat().st_size > 1_048_576  # more than one block
    out = tmp_path / "result.parquet"
    audited(capsys, str(source), "--out", str(out), *PATIENT_UNIT_OPTIONS)
    ward = pq.read_table(out, columns=["ward"])["ward"]
    assert ward.type == pa.string()
    assert ward.to_pylist()[-2:] == [str(149_999 % 9), "ICU"]


def test_a_header_without_a_final_newline_is_a_file_without_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "empty.csv"
    source.write_bytes(b"age,weight,note")
    out = tmp_path / "result.parquet"
    audited(capsys, str(source), "--out", str(out), *PATIENT_UNIT_OPTIONS)
    written = pq.read_table(out)
    assert written.num_rows == 0
    assert written.column_names[:3] == ["age", "weight", "note"]
    assert written.schema.field("note").type == pa.string()


def test_a_header_that_is_not_utf8_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "latin1.csv"
    source.write_bytes("age,weight,Größe\n30,70,180\n".encode("latin-1"))
    line = error_line(capsys, str(source), "--out", str(tmp_path / "r.csv"), *PATIENT_UNIT_OPTIONS)
    assert line.startswith(f"{source}: cannot read it as CSV: its header is not UTF-8 text (")
    assert line.endswith("); save it as UTF-8")


def test_an_output_name_as_long_as_the_file_system_allows_is_written(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / ("r" * 240 + ".parquet")  # 248 bytes: the hidden name must be shorter
    audited(capsys, str(files["parquet"]), "--out", str(out), *UNIT_OPTIONS)
    assert pq.read_table(out).num_rows == 50
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("option", "unit", "field"),
    [("--period-unit", "week", "period"), ("--amount-unit", "mg", "amount")],
)
def test_a_unit_for_a_column_the_file_lacks_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, option: str, unit: str, field: str
) -> None:
    """Without --column period=weeks, 14 × 100 mg a week would be read per day: 300 % above."""
    source = tmp_path / "cohort.csv"
    source.write_text("age,weight,weeks\n40,70,1\n", encoding="utf-8")
    args = [str(source), "--out", str(tmp_path / "r.csv"), *PATIENT_UNIT_OPTIONS, option, unit]
    assert error_line(capsys, *args) == (
        f"{option}: {unit} given, but {source} has no column for the {field} (its columns are "
        f"'age', 'weight', 'weeks'); name it with --column {field}=NAME, or drop {option}"
    )


def test_a_text_field_stored_as_lists_is_refused_naming_the_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "cohort.parquet"
    table = pa.table(
        {
            "age": [30.0, 40.0],
            "weight": [70.0, 80.0],
            "phototherapy": pa.array([["UVB"], []], pa.list_(pa.string())),
        }
    )
    pq.write_table(table, source)
    out = str(tmp_path / "r.parquet")
    line = error_line(capsys, str(source), "--out", out, *PATIENT_UNIT_OPTIONS)
    assert line == (
        f"{source}: column 'phototherapy': holds lists such as ['UVB'], not text such as 'UVA' "
        "(a comma-separated list)"
    )


def test_a_field_written_as_the_index_of_a_pandas_frame_is_read_as_a_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "cohort.parquet"
    pd.DataFrame({"weight": [70.0, 80.0], "age": [30.0, 40.0]}).set_index("age").to_parquet(source)
    out = tmp_path / "result.parquet"
    audited(capsys, str(source), "--out", str(out), *PATIENT_UNIT_OPTIONS)
    written = pq.read_table(out)
    assert written["dose_high_mg_per_day"].to_pylist() == [350.0, 400.0]


# --- found by a review: summaries of read-back CSV, odd names, long lines, signals ---------


def test_a_csv_result_read_back_with_pyarrow_is_summarized_as_the_audit_printed(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "result.csv"
    printed = json.loads(
        audited(capsys, str(files["csv"]), "--out", str(out), *UNIT_OPTIONS, "--json")
    )
    back = pa_csv.read_csv(out)  # its empty 'error' cells read as "", not null
    assert "" in back.column("error").to_pylist()
    rows = summarize(back)["rows"]
    assert rows[("rows", "with errors")] == printed["with_errors"]["rows"] == 3
    assert rows[("rows", "assessed")] == printed["assessed"]["rows"] == 47
    for status, counted in printed["dose_status"].items():
        assert rows[("dose_status", status)] == counted["rows"]


def test_a_share_of_some_rows_is_never_printed_as_none_or_all() -> None:
    summary = _audit.AuditSummary(
        drug="ciclosporin",
        source="c.csv",
        output="r.csv",
        counts=tuple({**dict.fromkeys(_count_keys(), 0), "rows": 20_000, "errors": 1}.items()),
        seconds=1.0,
    )
    text = _audit.summary_text(summary)
    assert "99.995 %" in text
    assert "  0.01 %" in text
    assert "100.0 %" not in text


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses names that are not UTF-8")
def test_file_names_that_are_not_utf8_are_read_and_written(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    for kind in ("csv", "parquet"):
        source = tmp_path / os.fsdecode(b"in\xff." + kind.encode())
        source.write_bytes(files[kind].read_bytes())
        out = tmp_path / os.fsdecode(b"out\xff." + kind.encode())
        printed = audited(capsys, str(source), "--out", str(out), *UNIT_OPTIONS)
        assert f"{tmp_path}/in\\xff.{kind} assessed, written to {tmp_path}/out\\xff." in printed
        plain = tmp_path / f"plain.{kind}"  # to read back with pyarrow's readers by name
        plain.write_bytes(out.read_bytes())
        written = pq.read_table(plain) if kind == "parquet" else whole_csv(plain)
        assert written.num_rows == 50
    assert leftovers(tmp_path) == []


def test_an_output_that_is_a_link_to_itself_is_one_line(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop)
    line = error_line(capsys, str(files["csv"]), "--out", str(loop), *UNIT_OPTIONS)
    assert line.startswith(f"--out: cannot write {str(loop)!r}: ")


def test_an_output_named_only_by_its_extension_is_written(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / ".csv"
    audited(capsys, str(files["parquet"]), "--out", str(out), *UNIT_OPTIONS)
    assert whole_csv(out).num_rows == 50


@pytest.mark.parametrize(
    "content",
    [
        "n\xe4me,age,weight".encode("latin-1"),  # one line, no newline
        "age,weight\r\n34,70\r\n".encode("utf-16"),
    ],
    ids=["latin-1 without a newline", "utf-16"],
)
def test_a_file_that_is_not_utf8_is_named_so_whatever_its_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes
) -> None:
    source = tmp_path / "cohort.csv"
    source.write_bytes(content)
    line = error_line(capsys, str(source), "--out", str(tmp_path / "r.csv"), *UNIT_OPTIONS)
    assert line.startswith(f"{source}: cannot read it as CSV: its header is not UTF-8 text (")


@pytest.mark.usefixtures("small_blocks")
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("age,weight,note\n30,70," + "x" * 200 + "\n", "a line is longer than 1 MiB"),
        ("age,weight," + "n" * 200, "its first line is longer than 1 MiB"),
    ],
    ids=["a row", "the header"],
)
def test_a_line_longer_than_a_block_is_named_with_what_to_do(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, expected: str
) -> None:
    source = tmp_path / "cohort.csv"
    source.write_text(content, encoding="utf-8")
    line = error_line(capsys, str(source), "--out", str(tmp_path / "r.csv"), *PATIENT_UNIT_OPTIONS)
    assert expected in line
    assert "write such a file as Parquet" in line
    assert "block size" not in line


def test_a_run_ended_by_sigterm_removes_its_partial_file(tmp_path: Path) -> None:
    source = tmp_path / "cohort.parquet"
    pq.write_table(pa.Table.from_pandas(cohort(50_000), preserve_index=False), source)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONIOENCODING"}
    env[CACHE_ENV] = str(tmp_path / "cache")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "ae_systemic._cli", "audit", "ciclosporin"),
            *("cohort.parquet", "--out", "result.parquet", *UNIT_OPTIONS, "--batch-size", "100"),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while not leftovers(tmp_path) and process.poll() is None:  # writing has begun
            assert time.monotonic() < deadline
            time.sleep(0.01)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=TIMEOUT_SECONDS)
    finally:
        process.kill()
    assert code == 128 + signal.SIGTERM
    assert leftovers(tmp_path) == []
    assert not (tmp_path / "result.parquet").exists()
