"""The commands of ``ae-systemic``: each one's options and what it does, side by side.

Every command is a pair: ``add_<command>(commands)`` declares its parser and options, and
the handler next to it reads the options, asks the library's public functions, and
returns the text (a report from :mod:`ae_systemic._report`, or JSON).  Each handler
imports only what its command needs, so that ``dose`` never imports the assessment,
FHIR or schema code, and only ``dose`` and ``assess`` import pint; only ``audit``
imports pandas, pyarrow and tqdm (through :mod:`ae_systemic._audit`); only ``serve``
imports Starlette, uvicorn and PyJWT (through :mod:`ae_systemic._service`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from . import _cli_options as option
from ._cli_options import (
    Answer,
    CommandError,
    add_adult_from,
    add_age,
    add_drug,
    add_json,
    add_phase,
    add_weight,
    json_text,
    key_value,
)

if TYPE_CHECKING:
    import datetime

    from ._converter import JSONValue
    from ._model import Drug

__all__ = ["COMMANDS"]


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    handler: Callable[[argparse.Namespace], str | Answer],
    help: str,
    description: str,
    json_help: str = "print JSON instead of text",
) -> argparse.ArgumentParser:
    """A command named after its ``handler``, with ``--json``."""
    parser = commands.add_parser(handler.__name__, help=help, description=description)
    parser.set_defaults(handler=handler)
    add_json(parser, help=json_help)
    return parser


#: What a command that always prints JSON says of ``--json``: taken, so that ``--json`` may
#: be given to every command alike (before or after it), and changes nothing.
_ALWAYS_JSON = "accepted and changes nothing: this command always prints JSON"


# --- drugs -------------------------------------------------------------------------------


def add_drugs(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _command(
        commands,
        drugs,
        help="the drugs and their synonyms",
        description="The drugs of the guideline's content, each with the synonyms every "
        "command accepts in its place (any case).",
    )


def drugs(options: argparse.Namespace) -> str:
    from ._lookup import drugs as all_drugs

    found = all_drugs()
    if options.json:
        return json_text([{"name": d.name, "synonyms": list(d.synonyms)} for d in found])
    width = max(len(d.name) for d in found) + 2
    return "\n".join(f"{d.name:<{width}}{', '.join(d.synonyms)}" for d in found)


# --- show --------------------------------------------------------------------------------


def add_show(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        show,
        help="what the guideline says about a drug",
        description="Recommendations (arrows, consensus), evidence (GRADE ⊕ symbols), dose "
        "regimens, licence, monitoring, screening, combinations, interactions, special "
        "populations, safety and references.",
    )
    add_drug(parser)


def show(options: argparse.Namespace) -> str:
    subject = option.drug(options.drug)
    if options.json:
        return json_text(_unstructure(subject))
    from ._lookup import guideline
    from ._report import drug_report

    more = "Everything above, and the rest of the content, as JSON: --json"
    return f"{drug_report(subject, guideline())}\n\n{more}"


# --- dose --------------------------------------------------------------------------------


def add_dose(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        dose,
        help="a patient's daily and single doses for a body weight",
        description="The daily dose range for a body weight, the single doses and, with "
        "--strengths, the practical amount per dose those strengths can make.",
    )
    add_drug(parser)
    add_weight(parser)
    parser.add_argument(
        "--population",
        choices=("adult", "child"),
        default="adult",
        help="whose regimen (default: adult); the guideline does not say where children end",
    )
    add_phase(parser)
    parser.add_argument(
        "--strengths",
        metavar="LIST",
        help="unit strengths you have, separated by commas, e.g. 25mg,50mg,100mg: adds the "
        "amount per dose nearest the middle of the range that they make, and its units "
        "(this library's rounding, with a bound on the units a dose; the guideline gives "
        "no rule)",
    )


#: The practical amount's label: the rounding is this library's, the guideline gives none.
PRACTICAL_ROUNDING = "rounded to your strengths by this library, nearest the middle of the range"


def dose(options: argparse.Namespace) -> str:
    from ._converter import json_quantity
    from ._dosing import daily_dose, round_to_strengths, strength_units
    from ._report import dose_lines, wrap
    from ._text import number
    from ._vocabulary import Population

    subject = option.drug(options.drug)
    strengths = option.strengths(options.strengths) if options.strengths is not None else None
    population = Population(options.population)
    phase = option.phase(options.phase)
    option.registry(options)
    found = daily_dose(subject, options.weight, population=population, phase=phase)
    per_dose = None
    units: list[float] = []
    if strengths is not None:
        amount = round_to_strengths(found, strengths)
        per_dose = amount.m_as("mg")
        units = [unit.m_as("mg") for unit in strength_units(amount, strengths)]
    if options.json:
        data: dict[str, JSONValue] = {
            "drug": subject.name,
            "population": population.value,
            "phase": options.phase,
            **_object(found),
        }
        if strengths is not None and per_dose is not None:
            data["strengths"] = list(strengths)
            data["practical_per_dose"] = json_quantity(per_dose, "mg")
            data["practical_daily"] = json_quantity(per_dose * found.doses_per_day, "mg/day")
            data["practical_units"] = [json_quantity(unit, "mg") for unit in units]
            data["practical_rounding"] = PRACTICAL_ROUNDING
        return json_text(data)
    weight = f"{number(found.weight.m_as('kg'), 2)} kg"
    if options.weight.replace(" ", "") != weight.replace(" ", ""):
        weight += f" ({options.weight.strip()})"
    asked = f"{phase}" if phase is not None else "standard range"
    practical = []
    if strengths is not None and per_dose is not None:
        practical = wrap(
            f"{number(per_dose, 3)} mg per dose = {_made_of(units)} "
            f"({number(per_dose * found.doses_per_day, 3)} mg/day)"
            f" from strengths {', '.join(strengths)} ({PRACTICAL_ROUNDING})",
            15,
            "  practical",
        )
    lines = [f"{subject.name}: {population}, {weight}; {asked}"]
    return "\n".join(lines + dose_lines(found, practical))


def _made_of(units: list[float]) -> str:
    """Units in mg, largest first, as ``2 × 100 mg + 50 mg``."""
    from ._text import number

    counts = {unit: units.count(unit) for unit in units}
    return " + ".join(
        f"{count} × {number(unit, 3)} mg" if count > 1 else f"{number(unit, 3)} mg"
        for unit, count in counts.items()
    )


# --- assess ------------------------------------------------------------------------------


def add_assess(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        assess,
        help="what the guideline says for one patient",
        description="Population and regimen for the age, the dose for the weight, the "
        "licence, and every statement of the guideline that applies, with its references.",
    )
    add_drug(parser)
    add_age(parser, required=True)
    add_weight(parser)
    parser.add_argument("--pregnant", action="store_true", help="the patient is pregnant")
    parser.add_argument("--uva", action="store_true", help="UVA phototherapy is planned")
    parser.add_argument("--uvb", action="store_true", help="UVB phototherapy is planned")
    parser.add_argument("--puva", action="store_true", help="PUVA is planned")
    parser.add_argument(
        "--co-medication",
        dest="co_medications",
        action="append",
        default=[],
        metavar="NAME[:PATHWAYS]",
        help="a medicine the patient takes and the pathways it is a substrate of "
        "(CYP3A4, P-gp, OATP; any case), e.g. medicine-x:CYP3A4,OATP; one medicine each "
        "time: repeat the option for several",
    )
    add_phase(parser)
    add_adult_from(parser)


def assess(options: argparse.Namespace) -> str:
    from ._assessment import assess as assess_patient
    from ._patient import CoMedication, Patient
    from ._report import assessment_report
    from ._vocabulary import Phototherapy

    subject = option.drug(options.drug)
    medicines = [option.pathways(spec) for spec in options.co_medications]
    age = option.age(options.age, options)
    adult_from = (
        option.age(options.adult_from, options, "--adult-from")
        if options.adult_from is not None
        else None
    )
    option.registry(options)
    planned = {
        Phototherapy.UVA: options.uva,
        Phototherapy.UVB: options.uvb,
        Phototherapy.PUVA: options.puva,
    }
    patient = Patient(
        age=age,
        weight=options.weight,
        pregnant=options.pregnant,
        phototherapy=frozenset(therapy for therapy, yes in planned.items() if yes),
        co_medications=tuple(CoMedication(n, p) for n, p in medicines),
    )
    result = assess_patient(
        subject, patient, phase=option.phase(options.phase), adult_from=adult_from
    )
    if options.json:
        return json_text({**_object(result), "phase": options.phase})
    return assessment_report(result, patient, subject)


# --- check -------------------------------------------------------------------------------


def add_check(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        check,
        help="whether a prescription's dose lies within the guideline's range",
        description="Compares a prescription (an amount per administration, how many a day "
        "or how often) with the daily range the guideline gives the patient, and each "
        "administration with the range's single doses. Exit status: 0 within the range, 1 "
        "above or below it (or an administration above the single doses), 2 for bad input.",
    )
    add_drug(parser)
    add_weight(parser)
    add_age(parser, required=False)
    add_adult_from(parser)
    parser.add_argument(
        "--population",
        choices=("adult", "child"),
        help="without --age: whose regimen (default: adult)",
    )
    parser.add_argument(
        "--amount",
        required=True,
        metavar="AMOUNT",
        help="amount per administration with a unit: 150mg, 0.15g",
    )
    how_often = parser.add_mutually_exclusive_group()
    how_often.add_argument(
        "--times-per-day",
        metavar="N",
        help="administrations a day, a whole number (default: 1)",
    )
    how_often.add_argument(
        "--every", metavar="PERIOD", help="one administration every PERIOD: 12h, '1 day'"
    )
    add_phase(parser)
    parser.add_argument(
        "--tolerance",
        metavar="FRACTION",
        help="widen the range on purpose by this relative amount, e.g. 0.1 (default: none; "
        "the guideline gives no tolerance)",
    )


def check(options: argparse.Namespace) -> Answer:
    from ._patient import Patient
    from ._prescription import Prescription, check_dose, frequency_text
    from ._report import dose_lines, wrap
    from ._vocabulary import DoseStatus, Population

    subject = option.drug(options.drug)
    if options.age is None and options.adult_from is not None:
        raise CommandError("--adult-from goes with --age; give the age too")
    if options.age is not None and options.population is not None:
        raise CommandError("--population goes without --age: the age chooses the population")
    times = option.whole_number(options.times_per_day, "--times-per-day")
    frequency = 1 if times is None else times  # 0 is the library's to refuse, not "once"
    period = options.every if options.every is not None else "1 day"
    tolerance = option.fraction(options.tolerance, "--tolerance")
    age = option.age(options.age, options) if options.age is not None else None
    adult_from = (
        option.age(options.adult_from, options, "--adult-from")
        if options.adult_from is not None
        else None
    )
    option.registry(options)
    order = Prescription(options.amount, frequency=frequency, period=period)
    population = Population(options.population) if options.population else None
    found = check_dose(
        subject,
        Patient(age, options.weight) if age is not None else options.weight,
        order,
        phase=option.phase(options.phase),
        population=population,
        adult_from=adult_from,
        tolerance=tolerance,
    )
    # an administration above the range's single doses is outside the guideline too
    within = found.status is DoseStatus.WITHIN and found.single_dose_status is not DoseStatus.ABOVE
    status = 0 if within else 1
    if options.json:
        return Answer(json_text({"drug": subject.name, **_object(found)}), status)
    matches = "as the regimen gives" if found.frequency_matches else "unlike the regimen"
    lines = [subject.name, *wrap(found.message, 15, f"  {found.status.value}")]
    lines += wrap(str(order), 15, "  prescribed")
    lines += dose_lines(found.range, check=found)
    per_day = frequency_text(found) if found.frequency_matches is False else matches
    lines += wrap(per_day, 15, "  frequency")
    return Answer("\n".join(lines), status)


# --- audit -------------------------------------------------------------------------------


def add_audit(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        audit,
        help="assess every row of a CSV or Parquet file, batch by batch",
        description="Assesses every row of a cohort file (one patient, and optionally one "
        "prescription, a row) as assess and check do, in batches, and writes the file's "
        "columns with the results beside them; then prints a summary. Memory stays bounded "
        "whatever the size of the file. Needs the extra ae-systemic[cohort]. Exit status: "
        "0 when the file is written (rows that cannot be assessed are counted in the summary "
        "and say why in their column 'error'), 2 for bad input.",
        json_help="print the summary as JSON instead of text",
    )
    add_drug(parser)
    parser.add_argument(
        "input",
        metavar="INPUT",
        help="the cohort, a .csv or .parquet file: columns age and weight, optionally "
        "pregnant, phototherapy, co_medication_pathways, amount and frequency (and period)",
    )
    parser.add_argument(
        "--out",
        required=True,
        metavar="OUTPUT",
        help="the file to write, .csv or .parquet (by extension); written whole or not at all",
    )
    for field, example in (("weight", "kg"), ("age", "year"), ("amount", "mg"), ("period", "day")):
        parser.add_argument(
            f"--{field}-unit",
            metavar="UNIT",
            help=f"the unit of the {field} column's numbers, e.g. {example}; needed when the "
            "file has the column (units are never assumed)",
        )
    parser.add_argument(
        "--column",
        dest="columns",
        action="append",
        default=[],
        metavar="FIELD=NAME",
        help="read FIELD from the column NAME, e.g. weight=weight_kg; repeat the option for "
        "each field (the fields are age, weight, pregnant, phototherapy, "
        "co_medication_pathways, amount, frequency, period)",
    )
    add_phase(parser)
    add_adult_from(
        parser,
        help="age from which the adult regimens apply (default: 18 years, a choice of this "
        "library; the guideline does not say)",
    )
    parser.add_argument(
        "--batch-size",
        metavar="ROWS",
        help="rows assessed and written at a time, from 1 to 1048576 (default: 65536)",
    )
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument(
        "--progress",
        dest="progress",
        action="store_const",
        const=True,
        help="draw a progress bar on stderr (default: when stderr is a terminal)",
    )
    shown.add_argument(
        "--no-progress",
        dest="progress",
        action="store_const",
        const=False,
        help="draw no progress bar",
    )


def audit(options: argparse.Namespace) -> str:
    from . import _audit
    from ._errors import ArgumentError

    subject = option.drug(options.drug)
    columns = _column_names(options.columns)
    size = _batch_size(options.batch_size)
    units = {
        field: text
        for field in _audit.UNIT_FIELDS
        if (text := getattr(options, f"{field}_unit")) is not None
    }
    try:
        _audit.check_paths(options.input, options.out)
        _audit.check_extras()
        # numpy is imported now, so that pint's set-up for the process keeps it.
        option.registry(options)
        adult_from = (
            option.age(options.adult_from, options, "--adult-from")
            if options.adult_from is not None
            else None
        )
        show = options.progress
        if show is None:
            show = sys.stderr.isatty() and _audit.has_progress_bar()
        with _SignalsEndTheRun(getattr(options, "owns_process", False)):
            summary = _audit.audit_file(
                subject,
                options.input,
                options.out,
                units=units,
                columns=columns,
                phase=option.phase(options.phase),
                adult_from=adult_from,
                batch_rows=size,
                progress=sys.stderr if show else None,
            )
    except ArgumentError as exc:
        # The audit's errors name the option or the file already: never an option of
        # another command (a column named 'weight' is not --weight).
        raise CommandError(str(exc)) from None
    if options.json:
        return json_text(_audit.summary_data(summary))
    return _audit.summary_text(summary)


class _SignalsEndTheRun:
    """SIGTERM and SIGHUP end an audit as Ctrl-C does, so that its partial output is removed.

    Python's default for them ends the process at once, skipping the clean-up; only a
    process the command owns (``ae-systemic`` itself, not a caller of :func:`run`) changes them.
    """

    def __init__(self, owns_process: bool) -> None:
        self.owns_process = owns_process
        self.previous: dict[int, object] = {}

    def __enter__(self) -> None:
        if not self.owns_process:
            return
        import signal

        def stop(signum: int, frame: object) -> None:
            raise SystemExit(128 + signum)

        for name in ("SIGTERM", "SIGHUP"):
            number = getattr(signal, name, None)
            if number is not None:
                self.previous[number] = signal.signal(number, stop)

    def __exit__(self, *exc_info: object) -> None:
        import signal

        for number, handler in self.previous.items():
            signal.signal(number, handler)  # type: ignore[arg-type]


def _batch_size(text: str | None) -> int:
    """``--batch-size``: a whole number of rows within the audit's bounds."""
    from ._audit import DEFAULT_BATCH_ROWS, MAX_BATCH_ROWS

    if text is None:
        return DEFAULT_BATCH_ROWS
    try:
        rows = int(text.strip())
    except ValueError:
        rows = 0
    if not 1 <= rows <= MAX_BATCH_ROWS:
        raise CommandError(
            f"--batch-size: {text!r} is not a number of rows from 1 to {MAX_BATCH_ROWS}; "
            f"write e.g. {DEFAULT_BATCH_ROWS}"
        )
    return rows


def _column_names(specs: list[str]) -> dict[str, str]:
    """The ``--column FIELD=NAME`` options as a mapping of field to column name."""
    from ._cohort import FIELDS

    found: dict[str, str] = {}
    for spec in specs:
        field, name = key_value(spec, "--column", "FIELD=NAME", "weight=weight_kg")
        if field not in FIELDS:
            raise CommandError(
                f"--column: {field!r} is not a field; the fields are {', '.join(FIELDS)}"
            )
        if field in found:
            raise CommandError(
                f"--column: the {field} field is given twice ({found[field]!r}, then "
                f"{name!r}); give it once"
            )
        found[field] = name
    return found


# --- schedule ----------------------------------------------------------------------------


def add_schedule(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        schedule,
        help="dated monitoring visits",
        description="Monitoring visits from a start date: baseline, after the first "
        "follow-up interval, then at regular intervals counted from the start.",
    )
    add_drug(parser)
    parser.add_argument(
        "--start", metavar="DATE", help="first day of treatment, YYYY-MM-DD (default: today)"
    )
    parser.add_argument("--months", metavar="N", default="12", help="months to cover (default: 12)")
    parser.add_argument(
        "--ics",
        metavar="FILE",
        help="also write the visits to an iCalendar file (needs the extra ae-systemic[ics]); "
        "with -, print only the calendar, to standard output",
    )
    parser.add_argument(
        "--course",
        metavar="ID",
        help="with --ics: a pseudonym of this patient's course of treatment, so that the "
        "calendar made again updates its events (default: event UIDs at random)",
    )


def schedule(options: argparse.Namespace) -> str:
    from ._monitoring import monitoring_schedule
    from ._report import schedule_report

    if options.ics is not None and not options.ics.strip():
        raise CommandError(
            f"--ics: {options.ics!r} is no file name; give one, e.g. visits.ics, "
            "or - for standard output"
        )
    if options.ics == "-" and options.json:
        raise CommandError(
            "--ics - prints the calendar on standard output, where --json would print too; "
            "give --ics a file name, or leave out --json"
        )
    if options.course is not None and options.ics is None:
        raise CommandError(
            "--course names the course in the events of an iCalendar file; give --ics too"
        )
    subject = option.drug(options.drug)
    start = option.start(options.start)
    months = option.months(options.months)
    visits = monitoring_schedule(subject, start, months=months)
    if options.ics == "-":
        return _calendar(subject, start, months, options.course).decode("utf-8")
    if options.ics:
        _write_ics(options.ics, subject, start, months, options.course)
    if options.json:
        monitoring = subject.monitoring
        data: dict[str, JSONValue] = {
            "drug": subject.name,
            "start": start.isoformat(),
            "months": months,
            "schedule_is_example": monitoring.schedule_is_example,
            "note": monitoring.note,
            "visits": [_unstructure(visit) for visit in visits],
        }
        if options.ics:
            data["ics"] = options.ics
        return json_text(data)
    text = schedule_report(subject, start, months, visits)
    if options.ics:
        text += f"\n\nwrote {len(visits)} visits to {options.ics}"
    return text


def _calendar(subject: Drug, start: datetime.date, months: int, course: str | None) -> bytes:
    from . import ics
    from ._errors import MissingExtraError

    try:
        return ics.to_calendar(subject, start, months=months, course=course)
    except MissingExtraError:
        raise CommandError("--ics needs icalendar: pip install 'ae-systemic[ics]'") from None


def _write_ics(
    file: str, subject: Drug, start: datetime.date, months: int, course: str | None
) -> None:
    calendar = _calendar(subject, start, months, course)
    try:
        Path(file).write_bytes(calendar)
    except OSError as exc:
        raise CommandError(f"--ics: cannot write {file!r}: {exc.strerror or exc}") from None


# --- export and schema -------------------------------------------------------------------


def add_export(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        export,
        help="export a drug in an interchange format (JSON)",
        description="The drug in an interchange format, as JSON: today fhir, the FHIR R5 "
        "Bundle of ae_systemic.fhir.to_bundle.",
        json_help=_ALWAYS_JSON,
    )
    parser.add_argument("format", choices=("fhir",), help="fhir: a FHIR R5 Bundle")
    add_drug(parser)


def export(options: argparse.Namespace) -> str:
    subject = option.drug(options.drug)
    from . import fhir

    return json_text(fhir.to_bundle(subject))


def add_schema(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _command(
        commands,
        schema,
        help="the JSON Schema of the data-pack format",
        description="The JSON Schema of the data-pack format (ae_systemic.schema()), written "
        "as the published docs/schema.json: ae-systemic schema > schema.json reproduces it.",
        json_help=_ALWAYS_JSON,
    )


def schema(options: argparse.Namespace) -> str:
    import json

    from ._schema import schema as data_pack_schema

    # The same text as the published docs/schema.json.
    return json.dumps(data_pack_schema(), indent=2, ensure_ascii=False, sort_keys=True)


# --- serve -------------------------------------------------------------------------------

#: The bounds of ``--max-body``, in bytes.
_MAX_BODY_RANGE = (1024, 104_857_600)


def add_serve(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        serve,
        help="run the CDS Hooks service (HTTP) that checks ciclosporin orders",
        description="Runs the CDS Hooks service (docs/cds-hooks.md): GET /cds-services, "
        "POST /cds-services/{id} for the order-select and order-sign hooks, and "
        "POST /cds-services/{id}/feedback. Every call must carry a JWT signed by a client "
        "given with --trust (or, for a local sandbox only, --no-auth). Needs the extra "
        "ae-systemic[service]. Stops on Ctrl-C or SIGTERM. Exit status: 0 when stopped, 2 "
        "for bad options or files, or an address it cannot listen on (a port in use).",
        json_help="accepted and changes nothing: the service always answers JSON",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port", default="8080", metavar="PORT", help="the port to listen on (default: 8080)"
    )
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="the service's public URL, the start of the audience (aud) every token must "
        "name (default: http://HOST:PORT)",
    )
    parser.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="ISSUER=JWKS_FILE",
        help="trust the client ISSUER (the tokens' iss), whose public keys are in the JWK Set "
        "file JWKS_FILE; repeat the option for each client",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="the deployer's mappings (phototherapy codes, medicines' pathways, drug codes), "
        "checked at start-up",
    )
    parser.add_argument(
        "--timezone",
        metavar="ZONE",
        help="the IANA time zone whose date is the date of each decision, e.g. Europe/Berlin "
        "(default: the configuration's timezone, else this machine's local zone); dates "
        "the record writes without a time are read against it",
    )
    parser.add_argument(
        "--no-auth",
        action="store_true",
        help="accept calls without credentials: a local sandbox only (loopback hosts only)",
    )
    parser.add_argument(
        "--max-body",
        metavar="BYTES",
        help="the largest request body, in bytes (default: 1048576, 1 MiB); larger ones "
        "are answered 413",
    )
    parser.add_argument(
        "--allow-origin",
        dest="allow_origins",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a browser origin allowed by CORS, e.g. https://ehr.example.org; repeat the "
        "option for each (default: none)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=("critical", "error", "warning", "info", "debug"),
        help="the level of the log on stderr (default: info)",
    )


def serve(options: argparse.Namespace) -> str:
    from ._errors import InputError

    host = options.host.strip()
    if host.startswith("[") or host.endswith("]"):  # uvicorn would fail to bind on it
        bare = host.strip("[]")
        raise CommandError(
            f"--host: {host!r}: give the address without brackets, e.g. --host {bare or '::1'} "
            "(brackets belong only in a URL, such as --base-url http://[::1]:8080)"
        )
    port = _port(options.port)
    if options.no_auth and options.trust:
        raise CommandError("--no-auth and --trust: give one of them, not both")
    if not options.no_auth and not options.trust:
        raise CommandError(
            "give --trust ISSUER=JWKS_FILE for each client allowed to call the service "
            "(e.g. --trust https://ehr.example.org=keys.json), or --no-auth for a local "
            "sandbox"
        )
    if options.no_auth and not _is_loopback(host):
        raise CommandError(
            f"--no-auth: refused on --host {host}, which is not a loopback address; without "
            "credentials the service may only listen on 127.0.0.1, ::1 or localhost"
        )
    max_body = _max_body(options.max_body)
    shown_host = f"[{host}]" if ":" in host else host
    base_url = options.base_url or f"http://{shown_host}:{port}"
    try:
        import uvicorn
    except ImportError:
        from ._errors import MissingExtraError

        raise MissingExtraError("ae-systemic serve", "uvicorn", "service") from None
    from . import _service, _service_auth

    trusted = _service_auth.load_trusted(_trusted_files(options.trust))
    config = None
    if options.config is not None:
        from . import cds_hooks

        config = cds_hooks.load_config(options.config)
    if options.timezone is not None:
        import attrs

        from . import cds_hooks

        try:
            config = attrs.evolve(config or cds_hooks.ServiceConfig(), timezone=options.timezone)
        except InputError as exc:
            raise CommandError(f"--timezone: {exc.problem}") from None
    try:
        app = _service.create_app(
            base_url=base_url,
            trusted=trusted,
            config=config,
            no_auth=options.no_auth,
            max_body_bytes=max_body,
            allow_origins=options.allow_origins,
        )
    except InputError as exc:
        option_of = {"base_url": "--base-url", "allow_origins": "--allow-origin"}
        raise CommandError(f"{option_of.get(exc.argument, exc.argument)}: {exc.problem}") from None
    _check_listening(host, port)
    _set_up_logging(options.log_level)
    _log_zone(None if config is None else config.timezone)
    if options.no_auth:
        sys.stderr.write(
            "ae-systemic: warning: --no-auth: every call is accepted without credentials; "
            "use it for a local sandbox only\n"
        )
        sys.stderr.flush()
    with _SigtermStops(getattr(options, "owns_process", False)):
        try:
            uvicorn.run(
                app,
                host=host,
                port=port,
                log_level=options.log_level,
                access_log=False,
                server_header=False,
            )
        except _Stopped:
            pass
        except SystemExit as exc:
            from uvicorn.config import STARTUP_FAILURE

            if exc.code != STARTUP_FAILURE:
                raise
            # Taken between the check above and uvicorn's own bind, or refused by the app.
            raise CommandError(
                f"the service could not start on {shown_host}:{port} (uvicorn's log above says why)"
            ) from None
    return "ae-systemic serve: stopped"


def _check_listening(host: str, port: int) -> None:
    """Refuse, in one line, an address the service cannot listen on, before uvicorn starts.

    uvicorn would log several lines and exit with its own status 3.  Each address of
    ``host`` is bound as asyncio's server binds it (``SO_REUSEADDR``, IPv6 only on an IPv6
    socket), then freed at once; an address that is not this machine's is passed over as
    asyncio passes it over, and refused when it is the only one (uvicorn would listen on
    nothing).
    """
    import errno
    import os
    import socket

    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise CommandError(
            f"--host: cannot listen on {host!r}: the name cannot be resolved ({exc}); give an "
            "address of this machine, e.g. 127.0.0.1"
        ) from None
    bound = False
    for family, kind, protocol, _, address in addresses:
        try:
            with socket.socket(family, kind, protocol) as probe:
                if os.name == "posix":
                    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
                    probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                continue
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"--port: port {port} on {host} is in use by another program; stop it, or "
                    "choose another port with --port"
                ) from None
            if exc.errno == errno.EACCES:
                raise CommandError(
                    f"--port: cannot listen on port {port} on {host}: permission denied (ports "
                    "below 1024 need privileges); choose another port, e.g. --port 8080"
                ) from None
            raise CommandError(
                f"--host, --port: cannot listen on {host} port {port}: {exc.strerror or exc}"
            ) from None
        bound = True
    if not bound:
        raise CommandError(
            f"--host: {host} is not an address of this machine; give one of its addresses, "
            "e.g. --host 127.0.0.1"
        )


class _Stopped(Exception):
    """SIGTERM asked the service to stop."""


class _SigtermStops:
    """SIGTERM stops the service as Ctrl-C does: exit 0 and "stopped", not 143.

    uvicorn shuts down gracefully on SIGTERM and then raises it again for the handler it
    found; this handler ends the run (before uvicorn starts, too).  Only a process the
    command owns (``ae-systemic`` itself, not a caller of :func:`run`) changes it.
    """

    def __init__(self, owns_process: bool) -> None:
        self.owns_process = owns_process
        self.previous: list[object] = []

    def __enter__(self) -> None:
        import signal

        if self.owns_process:
            self.previous.append(signal.signal(signal.SIGTERM, _stop))

    def __exit__(self, *exc_info: object) -> None:
        import signal

        for handler in self.previous:
            signal.signal(signal.SIGTERM, handler)  # type: ignore[arg-type]


def _stop(signum: int, frame: object) -> None:
    raise _Stopped


def _port(text: str) -> int:
    port = option.whole_int(text, "--port") if option.WHOLE_NUMBER.fullmatch(text) else -1
    if not 1 <= port <= 65535:
        raise CommandError(f"--port: {text!r} is not a port from 1 to 65535; write e.g. 8080")
    return port


def _max_body(text: str | None) -> int:
    from ._service import DEFAULT_MAX_BODY_BYTES

    if text is None:
        return DEFAULT_MAX_BODY_BYTES
    low, high = _MAX_BODY_RANGE
    try:
        size = int(text.strip())
    except ValueError:
        size = 0
    if not low <= size <= high:
        raise CommandError(
            f"--max-body: {text!r} is not a number of bytes from {low} to {high}; write e.g. "
            f"{DEFAULT_MAX_BODY_BYTES}"
        )
    return size


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _trusted_files(specs: list[str]) -> dict[str, str]:
    """The ``--trust ISSUER=JWKS_FILE`` options as a mapping of issuer to file."""
    found: dict[str, str] = {}
    for spec in specs:
        issuer, file = key_value(
            spec, "--trust", "ISSUER=JWKS_FILE", "https://ehr.example.org=keys.json"
        )
        if issuer in found:
            raise CommandError(
                f"--trust: the issuer {issuer!r} is given twice; put all its keys in one "
                "JWK Set file"
            )
        found[issuer] = file
    return found


def _set_up_logging(level: str) -> None:
    """The service's request log on stderr, at ``level``, unless logging is set up already."""
    import logging

    from ._service import LOGGER_NAME

    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level.upper())
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)


def _log_zone(zone: str | None) -> None:
    """Says at start-up whose calendar dates the decisions: dates without a time depend on it."""
    import datetime
    import logging

    from ._service import LOGGER_NAME

    local = datetime.datetime.now().astimezone().tzname() or "unnamed"
    where = zone or f"this machine's local time zone, {local}"
    logging.getLogger(LOGGER_NAME).info(
        "the date of each decision is today's date in %s (--timezone to change it)", where
    )


# --- shared ------------------------------------------------------------------------------


def _object(value: object) -> dict[str, JSONValue]:
    """The JSON object of a value (a dose, an assessment): :func:`unstructure` of it."""
    data = _unstructure(value)
    if not isinstance(data, dict):  # a dose or an assessment is always an object
        raise TypeError(f"{type(value).__name__} is not a JSON object")
    return data


def _unstructure(obj: object) -> JSONValue:
    from ._converter import unstructure

    return unstructure(obj)


#: Every command, in the order ``--help`` lists them.
COMMANDS = (
    add_drugs,
    add_show,
    add_dose,
    add_check,
    add_assess,
    add_audit,
    add_schedule,
    add_export,
    add_schema,
    add_serve,
)
