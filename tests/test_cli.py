"""The ``ae-systemic`` command line, run as its users run it: in fresh processes.

Every command is run through its entry point (``python -m ae_systemic._cli``), its
``--json`` output parsed and compared with exact values and with the library's own
answers, and every kind of bad input checked for exit code 2 and exactly one line on
stderr.  The pint cache of the command line is pointed at a temporary directory
(``AE_SYSTEMIC_CACHE_DIR``), so no test writes into the repository or the home directory.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import ae_systemic
from ae_systemic import _cli, _cli_options
from ae_systemic._startup import CACHE_ENV

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_SECONDS = 60


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The command line's cache for this module: written by the first run, then reused."""
    return tmp_path_factory.mktemp("cli-cache")


def _env(cache: Path | str, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", CACHE_ENV)}
    env.update({CACHE_ENV: str(cache), "PYTHONDONTWRITEBYTECODE": "1", **more})
    return env


def _run(
    command: list[str], env: Mapping[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def cli(cache: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``ae-systemic *args`` in a fresh process, through the module's entry point."""
    return _run([sys.executable, "-m", "ae_systemic._cli", *args], _env(cache, **env))


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(ok(result))


def assert_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """Exit code 2, nothing on stdout, one line on stderr naming what was wrong."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ae-systemic: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def q(value: float, unit: str) -> dict[str, object]:
    return {"value": value, "unit": unit}


# --- the commands --------------------------------------------------------------------


def test_version_and_drugs(cache_dir: Path) -> None:
    assert ok(cli(cache_dir, "--version")) == f"ae-systemic {ae_systemic.__version__}\n"
    assert as_json(cli(cache_dir, "drugs", "--json")) == [
        {
            "name": "ciclosporin",
            "synonyms": ["ciclosporine", "cyclosporine", "cyclosporin", "CsA"],
        }
    ]
    assert ok(cli(cache_dir, "drugs")) == (
        "ciclosporin  ciclosporine, cyclosporine, cyclosporin, CsA\n"
    )


def test_show_prints_arrows_consensus_and_grade_symbols_even_on_an_ascii_stdout(
    cache_dir: Path,
) -> None:
    # PYTHONIOENCODING=ascii would make the arrows unprintable: the command line
    # reconfigures its stdout to UTF-8.
    text = ok(cli(cache_dir, "show", " CsA ", PYTHONIOENCODING="ascii"))
    for expected in (
        "ciclosporin\n",
        "   1. ↑↑ we recommend, consensus >75% Evidence and consensus based\n",
        "   2. ↑↑ we recommend, consensus 100% Expert Consensus\n",
        "   4. –  strength and consensus not stated\n",
        "  ⊕⊕⊕○ MODERATE  higher dose  change in signs    -1 (-1.6, -0.4) [refs 1, 2]\n",
        "  ⊕⊕○○ LOW       lower dose   itch             -0.7 (-1.6, 0.3) [refs 1, 2]\n",
        "  acute flare, short-term (adults)  4–5 mg/kg/day in 2 single doses\n",
        "  commonly used dosage children     2.5–5 mg/kg/day in 2 single doses\n",
        "Licence\n  from 16 years of age\n",
        "  Monitoring of blood pressure, full blood count, renal profile and liver\n",
        "  Screening for hepatitis B, hepatitis C and HIV before therapy should be\n",
        "  Ciclosporin should not be combined with UVA, UVB and PUVA, because of a\n",
        "  P-gp    inhibitor of the multidrug efflux transporter P-glycoprotein (P-gp)\n",
        "  - A higher risk of low birthweight cannot be excluded. [refs 14]\n",
        "  14. Vestergaard C",
    ):
        assert expected in text


def test_show_json_is_the_unstructured_drug(cache_dir: Path) -> None:
    data = as_json(cli(cache_dir, "show", "cyclosporine", "--json"))
    assert data == ae_systemic.unstructure(ae_systemic.drug("ciclosporin"))


def test_dose_json_for_70_kg_acute_with_strengths(cache_dir: Path) -> None:
    data = as_json(
        cli(
            cache_dir,
            "dose",
            "ciclosporin",
            "--weight",
            "70kg",
            "--phase",
            "acute",
            "--strengths",
            "25mg,50mg,100mg",
            "--json",
        )
    )
    regimen = ae_systemic.drug("ciclosporin").regimens[1]
    assert data == {
        "drug": "ciclosporin",
        "population": "adult",
        "phase": "acute",
        "weight": q(70.0, "kg"),
        "low": q(280.0, "mg/day"),
        "high": q(350.0, "mg/day"),
        "per_dose_low": q(140.0, "mg"),
        "per_dose_high": q(175.0, "mg"),
        "doses_per_day": 2,
        "regimen": ae_systemic.unstructure(regimen),
        "fallback": None,
        "references": [],
        "strengths": ["25mg", "50mg", "100mg"],
        "practical_per_dose": q(150.0, "mg"),
        "practical_daily": q(300.0, "mg/day"),
        "practical_units": [q(100.0, "mg"), q(50.0, "mg")],
        "practical_rounding": (
            "rounded to your strengths by this library, nearest the middle of the range"
        ),
    }


def test_dose_in_pounds_matches_the_library(cache_dir: Path) -> None:
    data = as_json(
        cli(cache_dir, "--json", "dose", "ciclosporin", "--weight", "154lb", "--phase", "acute")
    )
    expected = ae_systemic.daily_dose("ciclosporin", "154 lb", phase=ae_systemic.Phase.ACUTE)
    assert data["weight"]["value"] == pytest.approx(expected.weight.m_as("kg"), rel=1e-12)
    assert data["low"]["value"] == pytest.approx(expected.low.m_as("mg/day"), rel=1e-12)
    assert data["per_dose_high"]["value"] == pytest.approx(
        expected.per_dose_high.m_as("mg"), rel=1e-12
    )
    assert (round(data["low"]["value"], 1), round(data["per_dose_high"]["value"], 1)) == (
        279.4,
        174.6,
    )
    assert "strengths" not in data


def test_dose_for_a_child_with_a_phase_falls_back_and_says_so(cache_dir: Path) -> None:
    data = as_json(
        cli(
            cache_dir,
            "dose",
            "CsA",
            "--weight",
            "30 kg",
            "--population",
            "child",
            "--phase",
            "acute",
            "--json",
        )
    )
    assert data["population"] == "child"
    assert (data["low"], data["high"]) == (q(75.0, "mg/day"), q(150.0, "mg/day"))
    assert (data["per_dose_low"], data["per_dose_high"]) == (q(37.5, "mg"), q(75.0, "mg"))
    assert data["regimen"]["label"] == "commonly used dosage children"
    assert data["fallback"] == (
        "The guideline gives no acute flare, short-term regimen of ciclosporin for children; "
        "the commonly used dosage children (2.5–5 mg/kg/day) is used instead."
    )


def test_dose_text(cache_dir: Path) -> None:
    text = ok(
        cli(
            cache_dir,
            "dose",
            "ciclosporin",
            "--weight",
            "70000 g",
            "--phase",
            "acute",
            "--strengths",
            "25mg, 50 mg,100mg",
        )
    )
    # The lines between the first and the practical amount are the report's (tested there).
    assert text.startswith("ciclosporin: adults, 70 kg (70000 g); acute flare, short-term\n")
    assert "  daily dose   280–350 mg/day\n  per dose     140–175 mg, 2 doses a day\n" in text
    assert (
        "  practical    150 mg per dose = 100 mg + 50 mg (300 mg/day) from strengths\n"
        "               25mg, 50 mg, 100mg (rounded to your strengths by this library,\n"
        "               nearest the middle of the range)\n"
    ) in text


def test_dose_practical_amount_names_its_units_and_groups_repeated_ones(cache_dir: Path) -> None:
    # 140-175 mg per dose: 155 mg (of 155 and 160, equally near the middle, the lower) is
    # made of 10 and 25 mg with 8 units at the fewest, 5 x 25 mg + 3 x 10 mg.
    args = ["dose", "CsA", "--weight", "70kg", "--phase", "acute", "--strengths"]
    text = ok(cli(cache_dir, *args, "10mg,25mg"))
    assert "  practical    155 mg per dose = 5 × 25 mg + 3 × 10 mg (310 mg/day) from" in text
    data = as_json(cli(cache_dir, *args, "25mg,10mg", "--json"))
    assert data["practical_per_dose"] == q(155.0, "mg")
    assert data["practical_units"] == [q(25.0, "mg")] * 5 + [q(10.0, "mg")] * 3
    assert data["practical_rounding"].startswith("rounded to your strengths by this library")


def test_assess_json_for_a_child_of_12_years(cache_dir: Path) -> None:
    data = as_json(
        cli(
            cache_dir,
            "assess",
            "ciclosporin",
            "--age",
            "12y",
            "--weight",
            "35kg",
            "--uvb",
            "--co-medication",
            "atorvastatin:cyp3a4",
            "--json",
        )
    )
    patient = ae_systemic.Patient(
        age="12 years",
        weight="35 kg",
        phototherapy=frozenset({ae_systemic.Phototherapy.UVB}),
        co_medications=(
            ae_systemic.CoMedication("atorvastatin", frozenset({ae_systemic.Pathway.CYP3A4})),
        ),
    )
    expected = ae_systemic.assess("ciclosporin", patient)
    assert data["patient"] == {
        "age": q(12.0, "year"),
        "weight": q(35.0, "kg"),
        "pregnant": False,
        "phototherapy": ["UVB"],
        "co_medications": [{"name": "atorvastatin", "pathways": ["CYP3A4"]}],
    }
    assert (data["drug"], data["population"], data["licensed"]) == ("ciclosporin", "child", False)
    assert data["regimen"] == ae_systemic.unstructure(expected.regimen)
    assert (data["dose"]["low"], data["dose"]["high"]) == (q(87.5, "mg/day"), q(175.0, "mg/day"))
    assert [f["kind"] for f in data["findings"]] == [
        "off-label",
        "avoid-combination",
        "interaction",
        "children",
        "safety",
        "safety",
        "safety",
        "monitoring",
        "screening",
        "recommended-combination",
        "recommended-combination",
    ]
    assert data["findings"] == [ae_systemic.unstructure(f) for f in expected.findings]
    # The adult threshold, and that it is the library's choice, travel with the answer.
    assert data["adult_from"] == q(18.0, "year")
    assert data["adult_from_default"] is True
    assert data["population_basis"] == expected.population_basis
    assert {k: v for k, v in data.items() if k != "phase"} == ae_systemic.unstructure(expected)


def test_assess_text_with_a_compound_age_pregnancy_and_co_medications(cache_dir: Path) -> None:
    text = ok(
        cli(
            cache_dir,
            "assess",
            "ciclosporin",
            "--age",
            "15y11m",
            "--weight",
            "154lb",
            "--pregnant",
            "--puva",
            "--co-medication",
            "medicine A:P-GP,oatp",
            "--co-medication",
            "paracetamol",
        )
    )
    for expected in (
        "ciclosporin\n"
        "  patient      15 years 11 months, 69.85 kg, pregnant, PUVA planned, takes\n"
        "               medicine A (P-gp, OATP), takes paracetamol\n",
        "  population   children (adult regimens from 18 years, a choice of this library:\n"
        "               the guideline gives no age between its children's and adults'\n"
        "               ranges)\n",
        "  licensed     no (from 16 years of age)\n",
        "   1. off-label\n",
        "at 15 years 11 months this\n      patient is younger",
        "   2. should not be combined\n",
        "   3. interaction\n      Medicine A is a substrate of P-gp and OATP;",
        "      A higher risk of low birthweight cannot be excluded. [refs 14]\n",
        "   4. interactions not checked\n      Paracetamol was given without the pathways",
        "  16. recommended combination\n",
    ):
        assert expected in text
    assert "paracetamol is a substrate" not in text.lower()


def test_assess_json_with_adult_from_and_a_phase(cache_dir: Path) -> None:
    data = as_json(
        cli(
            cache_dir,
            "assess",
            "ciclosporin",
            "--age",
            "16 years",
            "--adult-from",
            "16y",
            "--weight",
            "70kg",
            "--phase",
            "long-term",
            "--json",
        )
    )
    assert (data["population"], data["licensed"], data["phase"]) == ("adult", True, "long-term")
    assert data["regimen"]["label"] == "long-term (adults)"
    assert (data["dose"]["low"], data["dose"]["high"]) == (q(175.0, "mg/day"), q(210.0, "mg/day"))
    assert "off-label" not in [f["kind"] for f in data["findings"]]


DATES = ["2027-01-15", "2027-02-12", "2027-04-15", "2027-07-15", "2027-10-15", "2028-01-15"]
LABELS = ["baseline", "week 4", "month 3", "month 6", "month 9", "month 12"]


def _events(path: Path) -> list[Any]:
    icalendar = pytest.importorskip("icalendar")
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    assert "ae_systemic" in str(calendar["PRODID"])
    assert str(calendar["VERSION"]) == "2.0"
    events: list[Any] = list(calendar.walk("VEVENT"))
    return events


def test_schedule_json_and_ics(cache_dir: Path, tmp_path: Path) -> None:
    ics = tmp_path / "visits.ics"
    data = as_json(
        cli(
            cache_dir,
            "schedule",
            "ciclosporin",
            "--start",
            "2027-01-15",
            "--ics",
            str(ics),
            "--json",
        )
    )
    assert (data["drug"], data["start"], data["months"]) == ("ciclosporin", "2027-01-15", 12)
    assert data["schedule_is_example"] is True
    assert data["ics"] == str(ics)
    visits = ae_systemic.monitoring_schedule("ciclosporin", datetime.date(2027, 1, 15))
    assert data["visits"] == [ae_systemic.unstructure(v) for v in visits]
    assert [v["date"] for v in data["visits"]] == DATES
    assert [v["label"] for v in data["visits"]] == LABELS

    events = _events(ics)
    assert len(events) == 6
    starts = [event.decoded("DTSTART") for event in events]
    assert starts == [datetime.date.fromisoformat(d) for d in DATES]
    assert all(type(start) is datetime.date for start in starts)  # all-day events
    assert [event.decoded("DTEND") - event.decoded("DTSTART") for event in events] == [
        datetime.timedelta(days=1)
    ] * 6
    assert [str(event["SUMMARY"]) for event in events] == [
        f"ciclosporin monitoring: {label}" for label in LABELS
    ]
    for event in events:
        assert "Checks: blood pressure, full blood count, renal profile, liver profile" in str(
            event["DESCRIPTION"]
        )
        assert "DTSTAMP" in event
    uids = [str(event["UID"]) for event in events]
    assert len(set(uids)) == 6
    assert re.fullmatch(r"ciclosporin-20270115-20270115-[0-9a-f]{16}@ae-systemic", uids[0])

    # The text form, writing a calendar again: without --course, UIDs of its own (another
    # patient's calendar never takes this one's events); with it, the same UIDs each time.
    again = tmp_path / "again.ics"
    text = ok(cli(cache_dir, "schedule", "CsA", "--start", "2027-01-15", "--ics", str(again)))
    assert not {str(event["UID"]) for event in _events(again)} & set(uids)
    course = ["--course", "course-4711"]
    for file in (tmp_path / "one.ics", tmp_path / "two.ics"):
        ok(cli(cache_dir, "schedule", "CsA", "--start", "2027-01-15", "--ics", str(file), *course))
    kept = [str(event["UID"]) for event in _events(tmp_path / "one.ics")]
    assert kept == [str(event["UID"]) for event in _events(tmp_path / "two.ics")]
    assert len(set(kept)) == 6
    for date, label in zip(DATES, LABELS, strict=True):
        assert f"\n  {date}  {datetime.date.fromisoformat(date):%a}  {label}\n" in text
    assert text.startswith("ciclosporin: monitoring from 2027-01-15, 12 months\n")
    assert text.endswith(f"\nwrote 6 visits to {again}\n")


def test_schedule_ics_without_icalendar_names_the_extra(cache_dir: Path, tmp_path: Path) -> None:
    ics = tmp_path / "visits.ics"
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["icalendar"] = None  # as if the extra were not installed
        from ae_systemic._cli import main
        sys.exit(main(["schedule", "ciclosporin", "--start", "2027-01-15", "--ics", {str(ics)!r}]))
        """
    )
    result = _run([sys.executable, "-c", code], _env(cache_dir))
    assert_error(result, "--ics needs icalendar", "pip install 'ae-systemic[ics]'")
    assert not ics.exists()


def test_export_fhir_is_the_bundle(cache_dir: Path) -> None:
    from ae_systemic import fhir

    bundle = as_json(cli(cache_dir, "export", "fhir", "ciclosporin"))
    assert bundle["resourceType"] == "Bundle"
    assert len(bundle["entry"]) == 45
    assert bundle == fhir.to_bundle(ae_systemic.drug("ciclosporin"))


def test_schema_is_the_published_schema(cache_dir: Path) -> None:
    text = ok(cli(cache_dir, "schema"))
    assert "$defs" in json.loads(text)
    assert json.loads(text) == ae_systemic.schema()
    assert text == (ROOT / "docs" / "schema.json").read_text(encoding="utf-8")


#: The options of a run inside this test process (which it does not own).
IN_PROCESS = argparse.Namespace(owns_process=False)


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("12y", 144),
        ("15y11m", 191),
        ("15Y 11M", 191),
        ("18m", 18),
        ("1y 6mo", 18),
        ("15 years 11 months", 191),
        ("1.5y", 18),
    ],
)
def test_short_and_compound_ages_become_quantities(text: str, months: int) -> None:
    age = _cli_options.age(text, IN_PROCESS)
    assert not isinstance(age, str)
    assert age.m_as("month") == pytest.approx(months)


@pytest.mark.parametrize("text", ["16 years", " 18 months ", "192 month", "16 a", "12x"])
def test_other_ages_go_to_the_library_as_text(text: str) -> None:
    assert _cli_options.age(text, IN_PROCESS) == text.strip()


@pytest.mark.parametrize("text", ["16", " 16 ", "-3", "1.5"])
def test_a_bare_number_is_not_an_age(text: str) -> None:
    with pytest.raises(_cli_options.CommandError, match="has no unit; add one"):
        _cli_options.age(text, IN_PROCESS)


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["show", "ciclosporn"], ["unknown drug 'ciclosporn'", "did you mean 'ciclosporin'"]),
        (
            ["dose", "ciclosporin", "--weight", "seventy"],
            ["--weight: 'seventy' does not start with a number", "'70 kg'"],
        ),
        (["dose", "ciclosporin", "--weight", "70"], ["--weight: 70 has no unit", "kg"]),
        (
            ["assess", "ciclosporin", "--age", "-3y", "--weight", "35kg"],
            ["--age: -3 year must lie between 0 and 130 years"],
        ),
        (
            ["assess", "ciclosporin", "--age", "16", "--weight", "35kg"],
            ["--age: '16' has no unit; add one, e.g. 16y or '16 years'"],
        ),
        (
            ["schedule", "ciclosporin", "--start", "2027-02-30"],
            ["--start: '2027-02-30' is not a day of the calendar", "2027-01-15"],
        ),
        (
            ["dose", "ciclosporin", "--weight", "70kg", "--frobnicate"],
            ["unrecognized argument --frobnicate; see 'ae-systemic dose --help'"],
        ),
        (
            ["dose", "ciclosporin", "--weight", "70kg", "--strengths", "25mg,abc"],
            ["--strengths (item 2): 'abc' does not start with a number", "'25 mg'"],
        ),
        (
            ["dose", "ciclosporin", "--weight", "70kg", "--phase", "acute", "--strengths", "60mg"],
            ["--strengths: no amount between 140 and 175 mg per dose can be made from 60 mg"],
        ),
        (
            ["assess", "CsA", "--age", "12y", "--weight", "35kg", "--co-medication", "x:CYP2D6"],
            ["--co-medication: 'CYP2D6' in 'x:CYP2D6' is not a pathway", "CYP3A4, P-gp, OATP"],
        ),
        (
            ["assess", "CsA", "--age", "12y", "--weight", "35kg", "--co-medication", "x:A:B"],
            ["--co-medication: 'x:A:B' has more than one ':'", "medicine-x:CYP3A4,OATP"],
        ),
        (
            ["schedule", "ciclosporin", "--start", "2027-W03-5"],
            ["--start: '2027-W03-5' is not a date in the form YYYY-MM-DD", "2027-01-15"],
        ),
        (
            ["schedule", "ciclosporin", "--start", "20270115"],
            ["--start: '20270115' is not a date in the form YYYY-MM-DD", "2027-01-15"],
        ),
        (["serve", "--no-auth", "--port", "0"], ["--port: '0' is not a port from 1 to 65535"]),
        (["serve", "--no-auth", "--port", "8_080"], ["--port: '8_080' is not a port from 1"]),
        (["schedule", "ciclosporin", "--months", "0"], ["--months: must lie between 1 and 120"]),
        ([], ["the following arguments are required: COMMAND"]),
    ],
    ids=[
        "unknown-drug",
        "weight-words",
        "weight-without-unit",
        "negative-age",
        "age-without-unit",
        "impossible-date",
        "unknown-option",
        "bad-strength",
        "strengths-cannot-make-the-dose",
        "unknown-pathway",
        "two-colons-in-co-medication",
        "week-date",
        "compact-date",
        "port-zero",
        "port-with-underscore",
        "months-out-of-range",
        "no-command",
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    cache_dir: Path, args: list[str], fragments: list[str]
) -> None:
    assert_error(cli(cache_dir, *args), *fragments)


# --- what newcomers ran into (issue 12) --------------------------------------------------


@pytest.fixture
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Runs in this process in a directory of their own: a failing check writes no file here."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def error_here(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one error line of a command run in this process, which fails on its input."""
    assert _cli.run(list(args)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("ae-systemic: error: ")
    return lines[0].removeprefix("ae-systemic: error: ")


@pytest.mark.parametrize(
    ("args", "option", "first", "second"),
    [
        (["dose", "CsA"], "--weight", "70kg", "80kg"),
        (["dose", "CsA", "--weight", "70kg"], "--phase", "acute", "long-term"),
        (["dose", "CsA", "--weight", "70kg"], "--population", "adult", "child"),
        (["dose", "CsA", "--weight", "70kg"], "--strengths", "25mg", "50mg"),
        (["assess", "CsA", "--weight", "70kg"], "--age", "12y", "13y"),
        (["assess", "CsA", "--age", "16y", "--weight", "70kg"], "--adult-from", "16y", "18y"),
        (["schedule", "CsA"], "--start", "2027-01-15", "2027-02-01"),
        (["schedule", "CsA"], "--months", "12", "12"),
        (["schedule", "CsA"], "--ics", "a.ics", "b.ics"),
    ],
)
def test_a_single_valued_option_given_twice_is_refused(
    capsys: pytest.CaptureFixture[str],
    in_tmp_path: Path,
    args: list[str],
    option: str,
    first: str,
    second: str,
) -> None:
    command = args[0]
    assert error_here(capsys, *args, option, first, option, second) == (
        f"{option} was given twice ({first!r}, then {second!r}): give it once; "
        f"see 'ae-systemic {command} --help'"
    )
    assert list(in_tmp_path.iterdir()) == []  # not even the calendar of the second --ics


def test_a_repeated_weight_no_longer_doses_the_last_one(cache_dir: Path) -> None:
    result = cli(cache_dir, "dose", "ciclosporin", "--weight=70kg", "--wei", "80kg")
    assert_error(result, "--weight was given twice ('70kg', then '80kg'): give it once")


def test_each_co_medication_takes_one_medicine_so_the_drug_may_follow(cache_dir: Path) -> None:
    data = as_json(
        cli(
            cache_dir,
            "assess",
            "--co-medication",
            "atorvastatin:CYP3A4",
            "ciclosporin",
            "--age",
            "12y",
            "--weight",
            "35kg",
            "--co-medication",
            "paracetamol",
            "--json",
        )
    )
    assert data["drug"] == "ciclosporin"
    assert data["patient"]["co_medications"] == [
        {"name": "atorvastatin", "pathways": ["CYP3A4"]},
        {"name": "paracetamol", "pathways": []},
    ]


def test_a_second_medicine_after_one_co_medication_says_to_repeat_the_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["assess", "CsA", "--age", "12y", "--weight", "35kg", "--co-medication", "a", "b"]
    assert error_here(capsys, *args) == (
        "unrecognized argument b; each --co-medication takes one medicine: repeat the option "
        "for each, e.g. --co-medication b; see 'ae-systemic assess --help'"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["dose", "ciclosporin", "--wieght", "70kg"],
            "unrecognized argument --wieght; did you mean --weight? see 'ae-systemic dose --help'",
        ),
        (
            ["assess", "CsA", "--wieght=35kg", "--age", "12y", "--co-medicaton", "x"],
            "unrecognized arguments --wieght --co-medicaton; did you mean --weight for --wieght "
            "and --co-medication for --co-medicaton? see 'ae-systemic assess --help'",
        ),
        (
            ["--jsn", "drugs"],
            "unrecognized argument --jsn; did you mean --json? see 'ae-systemic drugs --help'",
        ),
        (
            ["dose", "ciclosporin", "--frequency", "2"],
            "unrecognized argument --frequency; see 'ae-systemic dose --help'",
        ),
    ],
    ids=["misspelt-required", "two-misspelt", "misspelt-json", "unknown-no-suggestion"],
)
def test_an_unknown_option_is_reported_first_with_the_closest_option(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    assert error_here(capsys, *args) == expected


def test_a_missing_option_is_still_reported_when_nothing_is_unknown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert error_here(capsys, "dose", "ciclosporin") == (
        "the following arguments are required: --weight; see 'ae-systemic dose --help'"
    )


@pytest.mark.parametrize(
    ("command", "hint"),
    [
        ("shw", "did you mean 'show'? "),
        ("sheduel", "did you mean 'schedule'? "),
        ("frobnicate", ""),
    ],
)
def test_an_unknown_command_gets_the_closest_command(
    capsys: pytest.CaptureFixture[str], command: str, hint: str
) -> None:
    assert error_here(capsys, command, "ciclosporin") == (
        f"unknown command {command!r}: {hint}known commands are drugs, show, dose, check, assess, "
        "audit, schedule, export, schema, serve; see 'ae-systemic --help'"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (  # 0 is no number of doses a day: refused, not read as "once a day"
            ["check", "CsA", "--weight", "70kg", "--amount", "150mg", "--times-per-day", "0"],
            "--times-per-day: must be a whole number from 1 to 1000000, got 0",
        ),
        (
            ["check", "CsA", "--weight", "70kg", "--amount", "-150mg"],
            "--amount: -150 milligram must be positive",
        ),
        (
            ["check", "CsA", "--weight", "70kg", "--amount", "150mg", "--every", "-12h"],
            "--every: -12 hour must be positive",
        ),
        (  # a slip for 16y6m: not 22 years, an adult
            ["assess", "CsA", "--weight", "70kg", "--age", "16y6y"],
            "--age: '16y6y' gives a unit twice or out of order; write each unit once, from "
            "years down to days, e.g. 15y11m or '1y 6mo'",
        ),
        (
            ["assess", "CsA", "--weight", "70kg", "--age", "6m1y"],
            "--age: '6m1y' gives a unit twice or out of order; write each unit once, from "
            "years down to days, e.g. 15y11m or '1y 6mo'",
        ),
        (
            ["assess", "CsA", "--weight", "70kg", "--age", "16y", "--adult-from", "16y2y"],
            "--adult-from: '16y2y' gives a unit twice or out of order; write each unit once, "
            "from years down to days, e.g. 15y11m or '1y 6mo'",
        ),
        (  # an empty --adult-from is refused, not taken as "not given"
            ["assess", "CsA", "--weight", "70kg", "--age", "16y", "--adult-from", ""],
            "--adult-from: '' does not start with a number; write e.g. '16 years' or '18 months'",
        ),
        (
            [
                "check",
                "CsA",
                "--weight",
                "70kg",
                "--amount",
                "1g",
                "--age",
                "16y",
                "--adult-from",
                "",
            ],
            "--adult-from: '' does not start with a number; write e.g. '16 years' or '18 months'",
        ),
    ],
)
def test_option_values_are_read_as_written_or_refused(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    assert error_here(capsys, *args) == expected


#: More digits than Python converts to an integer (4,300): an age the library refuses as
#: too long, never a ValueError of ``int()``.
THOUSANDS_OF_DIGITS = "1" * 4301
_ASSESS_70_KG = ["assess", "CsA", "--weight", "70kg"]
_CHECK_150_MG = ["check", "CsA", "--weight", "70kg", "--amount", "150mg"]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        ([*_ASSESS_70_KG, "--age", f"{THOUSANDS_OF_DIGITS}y"], "--age"),
        ([*_ASSESS_70_KG, "--age", f"{THOUSANDS_OF_DIGITS}y6m"], "--age"),
        ([*_ASSESS_70_KG, "--age", THOUSANDS_OF_DIGITS], "--age"),
        ([*_ASSESS_70_KG, "--age", "30y", "--adult-from", "1y" * 40], "--adult-from"),
        (
            [*_ASSESS_70_KG, "--age", "30y", "--adult-from", f"{THOUSANDS_OF_DIGITS}y"],
            "--adult-from",
        ),
        (
            [*_CHECK_150_MG, "--age", "30y", "--adult-from", f"{THOUSANDS_OF_DIGITS}y"],
            "--adult-from",
        ),
        ([*_CHECK_150_MG, "--age", f"{THOUSANDS_OF_DIGITS}y"], "--age"),
    ],
    ids=[
        "assess-age",
        "assess-compound-age",
        "assess-bare-number",
        "assess-adult-from-repeated-units",
        "assess-adult-from",
        "check-adult-from",
        "check-age",
    ],
)
def test_an_age_of_thousands_of_digits_is_refused_as_too_long(
    capsys: pytest.CaptureFixture[str], args: list[str], option: str
) -> None:
    assert error_here(capsys, *args) == (
        f"{option}: '{args[args.index(option) + 1][:36]}... is too long for a quantity (at most "
        "64 characters); write e.g. '16 years' or '18 months'"
    )


def test_an_audit_adult_from_of_thousands_of_digits_is_refused_as_too_long(
    capsys: pytest.CaptureFixture[str], in_tmp_path: Path
) -> None:
    pytest.importorskip("pyarrow")
    pytest.importorskip("pandas")
    (in_tmp_path / "cohort.csv").write_text("age,weight\n30,70\n", encoding="utf-8")
    args = ["audit", "CsA", "cohort.csv", "--out", "result.csv", "--age-unit", "year"]
    args += ["--weight-unit", "kg", "--adult-from", f"{THOUSANDS_OF_DIGITS}y"]
    assert error_here(capsys, *args) == (
        f"--adult-from: '{'1' * 36}... is too long for a quantity (at most 64 characters); "
        "write e.g. '16 years' or '18 months'"
    )
    assert sorted(path.name for path in in_tmp_path.iterdir()) == ["cohort.csv"]


def test_a_compound_age_in_falling_units_is_read(capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli.run(["assess", "CsA", "--weight", "70kg", "--age", "1y 6mo 2w 3d", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    days = 365.25 * 1.5 + 17  # pint's year and month are Julian: 365.25 and 365.25 / 12 days
    assert data["patient"]["age"] == {
        "value": pytest.approx(days / 365.25, rel=1e-12),
        "unit": "year",
    }
    assert data["population"] == "child"


@pytest.mark.parametrize(
    "command",
    [
        ["ae_systemic._cli", "show", "CsA"],
        ["ae_systemic"],
        # argparse's own writer passed over the failure: exit 0 and nothing said
        ["ae_systemic._cli", "--help"],
        ["ae_systemic._cli", "--version"],
        ["ae_systemic._cli", "dose", "--help"],
    ],
)
def test_output_that_cannot_be_written_is_one_line_and_exit_1(
    cache_dir: Path, command: list[str]
) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w", encoding="utf-8") as full:
        result = subprocess.run(
            [sys.executable, "-m", *command],
            env=_env(cache_dir),
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr == "ae-systemic: error: cannot write the output: No space left on device\n"


@pytest.mark.parametrize(
    "command",
    [["ae_systemic._cli", "drugs"], ["ae_systemic"], ["ae_systemic._cli", "--help"]],
)
def test_no_stdout_at_all_is_one_line_and_exit_1(cache_dir: Path, command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *command],
        env=_env(cache_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
        # the child starts with its stdout closed, as `ae-systemic drugs >&-` does
        preexec_fn=lambda: os.close(1),
    )
    assert result.returncode == 1
    assert (
        result.stderr
        == "ae-systemic: error: cannot write the output: there is no standard output\n"
    )


def _reader_leaves(command: list[str], cache_dir: Path, read: int) -> tuple[int, bytes, bytes]:
    """Run ``command`` into a pipe whose reader takes ``read`` bytes and leaves, as
    ``| head -c N`` does: the exit code, the bytes read, and stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", *command],
        env=_env(cache_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    with process.stderr:
        first = process.stdout.read(read) if read else b""
        process.stdout.close()
        error = process.stderr.read()
        return process.wait(timeout=TIMEOUT_SECONDS), first, error


def test_the_demonstration_stops_quietly_on_a_closed_pipe(cache_dir: Path) -> None:
    # The reader is gone before the first line, as with `| true`.
    assert _reader_leaves(["ae_systemic"], cache_dir, read=0) == (1, b"", b"")


def test_output_larger_than_the_pipe_stops_with_exit_1_when_its_reader_leaves_early(
    cache_dir: Path,
) -> None:
    # `ae-systemic export fhir ciclosporin | head -c 100`: the bundle (over 100 kB) is more
    # than the pipe holds, the reader leaves after its first bytes; the rest is not written.
    command = ["ae_systemic._cli", "export", "fhir", "ciclosporin"]
    status, first, error = _reader_leaves(command, cache_dir, read=100)
    assert (status, error) == (1, b"")
    assert len(first) == 100
    assert first.startswith(b"{")


# --- output encoding: UTF-8 always, bytes that are not UTF-8 escaped ------------------------

#: A medicine's name typed on a Latin-1 terminal: the byte 0xE8 (è) is not UTF-8, and Python
#: holds it in the argument as the lone surrogate U+DCE8.
LATIN1_NAME = os.fsdecode(b"Ibuprof\xe8ne")


def _raw(command: list[str], env: Mapping[str, str], cwd: Path | None = None) -> Any:
    """A run whose output is kept as bytes, to be decoded (strictly) by the test."""
    return subprocess.run(
        command, env=dict(env), cwd=cwd, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
    )


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_the_demonstration_writes_utf8_whatever_pythonioencoding_says(
    cache_dir: Path, encoding: str
) -> None:
    result = _raw([sys.executable, "-m", "ae_systemic"], _env(cache_dir, PYTHONIOENCODING=encoding))
    assert (result.returncode, result.stderr) == (0, b"")
    text = result.stdout.decode("utf-8")
    assert "   1. ↑↑ we recommend, consensus >75% Evidence and consensus based\n" in text
    assert "  ⊕⊕⊕○ MODERATE  higher dose  change in signs    -1 (-1.6, -0.4) [refs 1, 2]\n" in text


@pytest.mark.parametrize("encoding", [None, "utf-8", "ascii", "latin-1"])
def test_a_name_that_is_not_utf8_is_printed_escaped_as_audit_prints_file_names(
    cache_dir: Path, encoding: str | None
) -> None:
    if sys.platform == "darwin":
        pytest.skip("macOS passes no argument that is not UTF-8")
    more = {} if encoding is None else {"PYTHONIOENCODING": encoding}
    args = ["assess", "CsA", "--age", "30y", "--weight", "70kg", "--co-medication", LATIN1_NAME]
    command = [sys.executable, "-m", "ae_systemic._cli", *args]
    result = _raw(command, _env(cache_dir, **more))
    assert (result.returncode, result.stderr) == (0, b"")
    text = result.stdout.decode("utf-8")  # UTF-8 throughout: the byte is not passed on
    assert "  patient      30 years, 70 kg, takes Ibuprof\\xe8ne\n" in text
    assert "      Ibuprof\\xe8ne was given without the pathways" in text
    result = _raw([*command, "--json"], _env(cache_dir, **more))
    assert (result.returncode, result.stderr) == (0, b"")
    data = json.loads(result.stdout.decode("utf-8"))
    assert data["patient"]["co_medications"] == [{"name": "Ibuprof\\xe8ne", "pathways": []}]
    assert data["findings"][0]["message"].startswith("Ibuprof\\xe8ne was given without")


@pytest.mark.parametrize(
    "args",
    [
        ["show", os.fsdecode(b"cicl\xe8")],
        ["schedule", "ciclosporin", "--start", os.fsdecode(b"2027\xe8")],
    ],
    ids=["drug", "start"],
)
def test_a_byte_that_is_not_utf8_is_escaped_in_an_error_line_also_inside_quotes(
    cache_dir: Path, args: list[str]
) -> None:
    if sys.platform == "darwin":
        pytest.skip("macOS passes no argument that is not UTF-8")
    line = assert_error(cli(cache_dir, *args))
    assert "\\xe8'" in line  # as docs/cli.md's "Output encoding" gives it
    assert "\\udce8" not in line


def test_an_error_line_keeps_the_spaces_of_a_value_it_quotes(cache_dir: Path) -> None:
    line = assert_error(
        cli(
            cache_dir,
            "schedule",
            "ciclosporin",
            "--start",
            "2027-01-01",
            "--ics",
            "-",
            "--course",
            "   ",
        )
    )
    assert line.startswith("ae-systemic: error: --course: '   ' names no course")


@pytest.mark.parametrize(
    "args",
    [
        ["schedule", "ciclosporin", "--months", "9" * 5000],
        ["check", "CsA", "--weight", "70kg", "--amount", "1mg", "--times-per-day", "9" * 5000],
        ["serve", "--no-auth", "--port", "9" * 5000],
    ],
    ids=["months", "times-per-day", "port"],
)
def test_a_number_of_thousands_of_digits_is_one_line_not_a_traceback(
    cache_dir: Path, args: list[str]
) -> None:
    # int() refuses more than 4300 digits: a traceback and exit 1 before.
    option = args[-2]
    assert_error(cli(cache_dir, *args), f"{option}: a number of 5000 digits is larger than")


def test_check_names_the_weight_option_of_a_weight_without_unit(cache_dir: Path) -> None:
    line = assert_error(
        cli(cache_dir, "check", "CsA", "--weight", "70", "--amount", "1mg", "--times-per-day", "2")
    )
    assert line == "ae-systemic: error: --weight: 70 has no unit; give it in kg, g, lb or stone"


def test_an_ics_file_name_that_is_not_utf8_is_written_as_given_and_printed_escaped(
    cache_dir: Path, tmp_path: Path
) -> None:
    pytest.importorskip("icalendar")
    if sys.platform == "darwin":
        pytest.skip("macOS refuses names that are not UTF-8")
    name = os.fsdecode(b"v\xe8.ics")
    command = [sys.executable, "-m", "ae_systemic._cli", "schedule", "CsA", "--start", "2027-01-15"]
    result = _raw([*command, "--ics", name], _env(cache_dir, PYTHONIOENCODING="utf-8"), tmp_path)
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout.decode("utf-8").endswith("\nwrote 6 visits to v\\xe8.ics\n")
    assert os.listdir(tmp_path) == [name]  # the file has the name given, byte for byte
    assert (tmp_path / name).read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    result = _raw([*command, "--ics", name, "--json"], _env(cache_dir), tmp_path)
    assert (result.returncode, result.stderr) == (0, b"")
    assert json.loads(result.stdout.decode("utf-8"))["ics"] == "v\\xe8.ics"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (LATIN1_NAME, "Ibuprof\\xe8ne"),
        ("a\udc80b\udcff", "a\\x80b\\xff"),
        ("\ud800 and \udc7f", "\\ud800 and \\udc7f"),  # no byte of surrogateescape
        ("↑↑ ⊕⊕○○ Ibuprofène", "↑↑ ⊕⊕○○ Ibuprofène"),  # characters are printed as they are
    ],
)
def test_what_is_no_character_is_printed_as_an_escape_in_text_and_json(
    text: str, shown: str
) -> None:
    assert _cli_options.printable(text) == shown
    written = _cli_options.json_text({text: [text]})
    assert json.loads(written.encode("utf-8")) == {shown: [shown]}


def test_a_stdout_that_cannot_write_the_text_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    # run() in a program whose stdout is ASCII: it is the caller's, and left as it is.
    ascii_out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", ascii_out)
    assert _cli.run(["show", "CsA"]) == 1
    assert ascii_out.buffer.getvalue() == b""
    assert capsys.readouterr().err == (
        "ae-systemic: error: cannot write the output: standard output is set to ascii, which "
        "cannot write '↑↑'; set it to UTF-8 (e.g. PYTHONIOENCODING=utf-8)\n"
    )


def test_schedule_ics_dash_prints_only_the_calendar(cache_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("icalendar")
    from ae_systemic import ics

    command = ["schedule", "CsA", "--start", "2027-01-15", "--ics", "-", "--course", "c-1"]
    result = subprocess.run(
        [sys.executable, "-m", "ae_systemic._cli", *command],
        env=_env(cache_dir),
        cwd=tmp_path,
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    start = datetime.date(2027, 1, 15)
    expected = ics.to_calendar(ae_systemic.drug("ciclosporin"), start, course="c-1")

    def without_stamp(calendar: bytes) -> list[bytes]:  # DTSTAMP is the time of writing
        return [line for line in calendar.split(b"\r\n") if not line.startswith(b"DTSTAMP:")]

    assert result.stdout.startswith(b"BEGIN:VCALENDAR\r\n")
    assert without_stamp(result.stdout) == without_stamp(expected)
    assert list(tmp_path.iterdir()) == []  # no file named '-'


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--ics", ""],
            "--ics: '' is no file name; give one, e.g. visits.ics, or - for standard output",
        ),
        (
            ["--ics", "-", "--json"],
            "--ics - prints the calendar on standard output, where --json would print too; "
            "give --ics a file name, or leave out --json",
        ),
        (
            ["--course", "course-4711"],
            "--course names the course in the events of an iCalendar file; give --ics too",
        ),
        (
            ["--ics", "-", "--course", " "],
            "--course: ' ' names no course; give an identifier of this patient's course of "
            "treatment (a pseudonym such as 'course-4711'), or leave it out for UIDs at random",
        ),
    ],
)
def test_schedule_ics_refuses_an_empty_name_and_dash_with_json(
    capsys: pytest.CaptureFixture[str], in_tmp_path: Path, args: list[str], expected: str
) -> None:
    assert error_here(capsys, "schedule", "CsA", "--start", "2027-01-15", *args) == expected
    assert list(in_tmp_path.iterdir()) == []  # neither a file named '-' nor one named ''


@pytest.mark.parametrize(
    ("strengths", "expected"),
    [
        (
            "25mg;50mg",
            "--strengths: '25mg;50mg' is not a list of strengths separated by commas, e.g. "
            "25mg,50mg,100mg (no ';', '|' or spaces between them)",
        ),
        (
            "25 mg 50 mg",
            "--strengths: '25 mg 50 mg' is not a list of strengths separated by commas, e.g. "
            "25mg,50mg,100mg (no ';', '|' or spaces between them)",
        ),
        (
            "2,5mg",
            "--strengths (item 1): '2' has no unit; give every strength its unit, separated by "
            "commas, e.g. 25mg,50mg,100mg (and decimals with a point: 2.5mg, not 2,5mg)",
        ),
        (
            "1ug",
            "--strengths: every amount between 87.5 and 175 mg per dose that 0.001 mg can make "
            "takes more than 20 units a dose (a bound of this library, MAX_UNITS_PER_DOSE; the "
            "guideline sets none); give larger strengths",
        ),
    ],
    ids=["semicolons", "spaces", "decimal-comma", "micrograms"],
)
def test_strengths_that_cannot_be_read_or_used_say_why(
    capsys: pytest.CaptureFixture[str], strengths: str, expected: str
) -> None:
    args = ["dose", "CsA", "--weight", "70kg", "--strengths", strengths]
    assert error_here(capsys, *args) == expected


@pytest.mark.parametrize(
    ("command", "description"),
    [
        (["drugs"], "The drugs of the guideline's content"),
        (["export"], "The drug in an interchange format, as JSON"),
        (["schema"], "The JSON Schema of the data-pack format"),
    ],
)
def test_every_command_has_a_description(
    capsys: pytest.CaptureFixture[str], command: list[str], description: str
) -> None:
    assert _cli.run([*command, "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert description in text
    if command != ["drugs"]:
        assert "--json accepted and changes nothing: this command always prints JSON" in text


def test_json_on_export_and_schema_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for args in (["schema"], ["schema", "--json"], ["--json", "schema"]):
        assert _cli.run(args) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == outputs[2]
    assert _cli.run(["export", "fhir", "CsA", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["resourceType"] == "Bundle"


# --- serve: where it cannot listen, and how it stops --------------------------------------


def _never_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal that failed would start a server: fail at once rather than serve forever."""
    uvicorn = pytest.importorskip("uvicorn")
    pytest.importorskip("starlette")

    def run(*args: object, **kwargs: object) -> None:
        raise AssertionError("serve started a server instead of refusing")

    monkeypatch.setattr(uvicorn, "run", run)


def test_serve_on_a_port_in_use_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    _never_serve(monkeypatch)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert error_here(capsys, "serve", "--no-auth", "--port", str(port)) == (
            f"--port: port {port} on 127.0.0.1 is in use by another program; stop it, or "
            "choose another port with --port"
        )


def test_serve_on_an_address_of_another_machine_is_refused() -> None:
    from ae_systemic import _cli_commands

    # 192.0.2.1 is reserved for documentation (RFC 5737): never this machine's address.
    with pytest.raises(_cli_options.CommandError) as caught:
        _cli_commands._check_listening("192.0.2.1", 8080)
    assert str(caught.value) == (
        "--host: 192.0.2.1 is not an address of this machine; give one of its addresses, "
        "e.g. --host 127.0.0.1"
    )


def test_serve_that_uvicorn_cannot_start_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The port taken between the check and uvicorn's bind: uvicorn logs and exits with 3.
    import socket

    uvicorn = pytest.importorskip("uvicorn")
    pytest.importorskip("starlette")

    def run(*args: object, **kwargs: object) -> None:
        sys.exit(3)

    monkeypatch.setattr(uvicorn, "run", run)
    with socket.socket() as probe:  # a port free when the check runs
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert _cli.run(["serve", "--no-auth", "--port", str(port)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[-1] == (
        f"ae-systemic: error: the service could not start on 127.0.0.1:{port} (uvicorn's log "
        "above says why)"
    )


def test_serve_stopped_by_sigterm_exits_0_as_with_ctrl_c(cache_dir: Path) -> None:
    import signal
    import socket
    import time

    pytest.importorskip("uvicorn")
    pytest.importorskip("starlette")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "ae_systemic._cli", "serve", "--no-auth", "--port", str(port)],
        env=_env(cache_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while True:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "serve did not listen in time"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=TIMEOUT_SECONDS)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0, err
    assert out == "ae-systemic serve: stopped\n"
    assert "Traceback" not in err


# --- the process: cache, imports, numpy ---------------------------------------------

_PROCESS_PROBE = """
    import sys
    from ae_systemic._cli import main

    code = main(["dose", "ciclosporin", "--weight", "70kg", "--json"])
    import pint

    registry = pint.get_application_registry().get()
    loaded = [
        name
        for name in (
            "numpy", "ae_systemic.fhir", "ae_systemic._schema", "ae_systemic._assessment",
            "ae_systemic._monitoring", "icalendar", "jsonschema", "pandas", "pyarrow",
            "tqdm", "ae_systemic._audit", "ae_systemic._cohort",
        )
        if sys.modules.get(name) is not None
    ]
    try:
        import numpy
    except ImportError:
        blocked = True
    else:
        blocked = False
    print(code, loaded, blocked, registry.cache_folder, file=sys.stderr)
"""


def test_dose_process_loads_only_what_it_needs_and_caches_pint(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    result = _run([sys.executable, "-c", textwrap.dedent(_PROCESS_PROBE)], _env(cache))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["high"] == q(350.0, "mg/day")
    assert result.stderr.strip() == f"0 [] True {cache / 'pint'}"
    assert list((cache / "pint").glob("*.pickle"))  # pint's definition cache, written here


_START_UP_PROBE = """
    import contextlib, io, sys
    from ae_systemic._cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        code = main({args!r})
    print(code, [name for name in {tables!r} if name in sys.modules])
"""
#: The table libraries and the modules that use them: ``audit``'s alone.
_TABLES = ("numpy", "pandas", "pyarrow", "tqdm", "ae_systemic._audit", "ae_systemic._cohort")


@pytest.mark.parametrize("args", [["--help"], ["drugs"], ["audit", "--help"]])
def test_start_up_imports_no_table_library(tmp_path: Path, args: list[str]) -> None:
    # pandas, pyarrow (and numpy, which they import) and tqdm are for ``audit`` alone, when
    # it runs: never when the command line starts, builds its parsers or prints its help.
    probe = textwrap.dedent(_START_UP_PROBE).format(args=args, tables=_TABLES)
    result = _run([sys.executable, "-c", probe], _env(tmp_path / "cache"))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == "0 []"


def test_show_imports_neither_pint_nor_the_dosing_code(tmp_path: Path) -> None:
    # ``show`` prints the content: its cold start does not pay for units or dose checks.
    dosing = ("pint", "decimal", "ae_systemic._prescription", "ae_systemic._dosing")
    probe = textwrap.dedent(_START_UP_PROBE).format(
        args=["show", "ciclosporin"], tables=(*_TABLES, *dosing)
    )
    result = _run([sys.executable, "-c", probe], _env(tmp_path / "cache"))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == "0 []"


def test_default_cache_location_is_the_user_cache_directory(tmp_path: Path) -> None:
    if sys.platform in ("win32", "darwin"):
        pytest.skip("XDG_CACHE_HOME is the Linux location")
    env = _env("", XDG_CACHE_HOME=str(tmp_path / "xdg"))
    del env[CACHE_ENV]
    result = _run(
        [sys.executable, "-m", "ae_systemic._cli", "dose", "CsA", "--weight", "70kg"], env
    )
    assert ok(result).startswith("ciclosporin: adults, 70 kg; standard range\n")
    assert list((tmp_path / "xdg" / "ae-systemic" / "pint").glob("*.pickle"))


def test_a_broken_or_unusable_cache_is_passed_over_quietly(cache_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    (broken / "pint").mkdir(parents=True)
    ok(cli(broken, "dose", "ciclosporin", "--weight", "70kg"))  # writes the cache
    pickles = sorted((broken / "pint").glob("*.pickle"))
    for path in pickles:
        path.write_bytes(b"not a pickle")
    data = as_json(cli(broken, "dose", "ciclosporin", "--weight", "70kg", "--json"))
    assert data["low"] == q(175.0, "mg/day")
    assert all(path.read_bytes() != b"not a pickle" for path in pickles)  # written again

    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    assert as_json(cli(blocked, "dose", "CsA", "--weight", "70kg", "--json"))["low"] == q(
        175.0, "mg/day"
    )
    off = as_json(cli(cache_dir, "dose", "CsA", "--weight", "70kg", "--json", **{CACHE_ENV: ""}))
    assert off["low"] == q(175.0, "mg/day")


def test_the_library_and_its_demonstration_write_no_cache(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = _env(tmp_path / "cache", HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))
    result = _run([sys.executable, "-m", "ae_systemic"], env)
    assert result.returncode == 0, result.stderr
    assert "ciclosporin" in result.stdout
    assert list(tmp_path.rglob("*")) == [home]


def test_run_in_process_leaves_pint_and_numpy_alone(capsys: pytest.CaptureFixture[str]) -> None:
    import pint

    before = pint.get_application_registry().get()  # type: ignore[no-untyped-call]
    numpy_before = sys.modules.get("numpy", "absent")
    assert _cli.run(["dose", "ciclosporin", "--weight", "70kg", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["low"] == q(175.0, "mg/day")
    assert pint.get_application_registry().get() is before  # type: ignore[no-untyped-call]
    assert sys.modules.get("numpy", "absent") is numpy_before
    assert _cli.run(["show", "nothing"]) == 2
    assert capsys.readouterr().err.startswith("ae-systemic: error: unknown drug 'nothing'")


def test_the_console_script_runs() -> None:
    script = Path(sys.executable).with_name("ae-systemic")
    if not script.is_file():
        pytest.skip("the ae-systemic script is not installed next to this interpreter")
    result = _run([str(script), "--version"], _env(""))
    assert ok(result) == f"ae-systemic {ae_systemic.__version__}\n"


# -- the text reports behind the commands -------------------------------------------------------


def test_a_long_regimen_label_stands_on_its_own_line_above_its_dose() -> None:
    from ae_systemic._report import drug_report
    from synthetic_drugs import regimen, synthetic

    label = "a very long regimen label for the standard adult dose"  # 53 characters
    drug = synthetic("testdrug", regimen(label, rate=ae_systemic.DoseRate(2.5, 5), doses_per_day=2))
    lines = drug_report(drug, ae_systemic.guideline()).splitlines()
    at = lines.index(f"  {label}")
    assert lines[at + 1] == " " * 40 + "2.5–5 mg/kg/day in 2 single doses"


def test_a_drug_without_regimens_reports_without_a_dosing_section() -> None:
    from ae_systemic._report import drug_report
    from synthetic_drugs import synthetic

    lines = drug_report(synthetic("testdrug"), ae_systemic.guideline()).splitlines()
    assert lines[0] == "testdrug"
    assert "Dosing" not in lines
    assert "Licence" in lines


@pytest.mark.parametrize(("months", "header"), [(1, "1 month"), (12, "12 months")])
def test_the_schedule_report_counts_its_months_in_words(months: int, header: str) -> None:
    from ae_systemic._report import schedule_report

    start = datetime.date(2027, 1, 31)
    csa = ae_systemic.drug("ciclosporin")
    visits = ae_systemic.monitoring_schedule(csa, start, months=months)
    report = schedule_report(csa, start, months, visits)
    assert report.splitlines()[0] == f"ciclosporin: monitoring from 2027-01-31, {header}"


@pytest.mark.parametrize(
    ("how_often", "status"),
    [
        (["--times-per-day", "2"], 0),  # 300 mg/day in two doses of 150 mg
        ([], 1),  # 150 mg/day, below the range
        (["--every", "7 days"], 1),  # 21.4 mg/day, below; each 150 mg within
    ],
)
def test_check_exit_status_follows_the_daily_range(
    capsys: pytest.CaptureFixture[str], how_often: list[str], status: int
) -> None:
    assert _cli.run([*_CHECK_150_MG, *how_often]) == status
    assert ("Each administration" in capsys.readouterr().out) is False


@pytest.mark.parametrize(
    "order",
    [
        ["--amount", "300mg"],  # 300 mg/day, within: each administration above 87.5-175 mg
        ["--amount", "2450mg", "--every", "7 days"],  # 350 mg/day, within
    ],
)
def test_check_exits_1_for_administrations_above_the_single_doses(
    capsys: pytest.CaptureFixture[str], order: list[str]
) -> None:
    assert _cli.run(["check", "CsA", "--weight", "70kg", *order]) == 1
    out = capsys.readouterr().out
    assert "  within       " in out
    assert "  frequency    Each administration, " in out


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (
            ["dose", "CsA", "--weight", "70", "kg"],
            "unrecognized argument kg; --weight takes its value as one argument: write "
            "--weight 70kg or quote it, --weight '70 kg'",
        ),
        (
            ["assess", "CsA", "--weight", "70kg", "--age", "30", "years"],
            "unrecognized argument years; --age takes its value as one argument: write "
            "--age 30years or quote it, --age '30 years'",
        ),
        (
            ["check", "CsA", "--weight", "70kg", "--amount", "100", "mg"],
            "--amount takes its value as one argument",
        ),
        (  # the hint keeps the whole age, not only its years
            ["assess", "CsA", "--age", "15", "years", "11", "months", "--weight", "50kg"],
            "unrecognized arguments years 11 months; --age takes its value as one argument: "
            "write --age 15years11months or quote it, --age '15 years 11 months'",
        ),
        (  # a stray word after the option that follows is not part of the value
            ["assess", "CsA", "--age", "15", "years", "--weight", "50", "kg"],
            "write --age 15years or quote it, --age '15 years';",
        ),
    ],
)
def test_a_value_split_by_a_space_is_named_with_its_option(
    capsys: pytest.CaptureFixture[str], args: list[str], hint: str
) -> None:
    assert _cli.run(args) == 2
    err = capsys.readouterr().err
    assert hint in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--times-per-day", "1_0", "--times-per-day: '1_0' is not a whole number; write e.g. 2"),
        ("--times-per-day", "\uff12", "--times-per-day: '\uff12' is not a whole number"),
        ("--tolerance", "nan", "--tolerance: 'nan' is not a number; write a fraction such as 0.1"),
        ("--tolerance", "0_1", "--tolerance: '0_1' is not a number"),
    ],
    ids=["underscore", "full-width-digit", "nan", "underscore-fraction"],
)
def test_number_options_take_ascii_digits_only(
    capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    # int() and float() also read 1_0 as 10, a full-width ２ as 2, and nan: never typed on
    # purpose, so refused rather than taken as a number the user may not have meant.
    args = ["check", "CsA", "--weight", "70kg", "--amount", "100mg", option, value]
    assert error_here(capsys, *args).startswith(message)


def test_months_take_ascii_digits_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert error_here(capsys, "schedule", "CsA", "--months", "1_2") == (
        "--months: '1_2' is not a whole number of months; write e.g. 12"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["check", "CsA", "--weight", "70kg", "--amount", "100mg", "--times-per-day", "2", "x"],
        ["check", "CsA", "--weight", "70kg", "--amount", "100mg", "--tolerance", "0.1", "%"],
    ],
)
def test_a_stray_word_after_a_number_without_a_unit_gets_no_unit_hint(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert _cli.run(args) == 2
    assert "takes its value as one argument" not in capsys.readouterr().err
