"""Bad data is refused with a DataError that names the path of every offending field.

Each test starts from the packaged ciclosporin content, as data, breaks one thing
(or several) and checks what ``structure`` reports.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any, TypeVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ae_systemic
from ae_systemic import (
    AeSystemicError,
    DataError,
    DoseRate,
    DoseRegimen,
    Drug,
    Guideline,
    Pathway,
    Phase,
    Population,
    Strength,
    structure,
    unstructure,
)
from ae_systemic._loading import parse_json

Data = dict[str, Any]
Step = str | int
T = TypeVar("T")


def ciclosporin() -> Data:
    """A fresh, deep copy of the packaged ciclosporin content as data."""
    data = unstructure(ae_systemic.drug("ciclosporin"))
    assert isinstance(data, dict)
    return copy.deepcopy(data)


def node(data: Any, *steps: Step) -> Any:
    for step in steps:
        data = data[step]
    return data


def put(data: Data, steps: tuple[Step, ...], value: object) -> Data:
    node(data, *steps[:-1])[steps[-1]] = value
    return data


def dotted(steps: tuple[Step, ...]) -> str:
    """The path of ``steps`` as DataError names it: ``regimens[0].rate.low``."""
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in steps).removeprefix(".")


def rejected(data: object, cls: type[Any] = Drug) -> DataError:
    with pytest.raises(DataError) as info:
        structure(data, cls)
    return info.value


def message_at(exc: DataError, path: str) -> str:
    messages = [p.message for p in exc.problems if p.path == path]
    assert messages, f"no problem at {path!r}; problems: {exc.problems}"
    return messages[0]


# --- the baseline and the error type --------------------------------------------------------


def test_unbroken_data_is_accepted() -> None:
    assert structure(ciclosporin(), Drug) == ae_systemic.drug("ciclosporin")


def test_data_error_is_a_value_error_and_a_package_error() -> None:
    exc = rejected(put(ciclosporin(), ("regimens", 0, "rate", "low"), "2.5"))
    assert isinstance(exc, ValueError)
    assert isinstance(exc, AeSystemicError)
    assert exc.file is None
    assert str(exc).startswith("regimens[0].rate.low: ")


# --- unknown and missing keys ---------------------------------------------------------------


def test_unknown_key_is_named_with_the_allowed_keys() -> None:
    data = ciclosporin()
    data["regimens"][0]["surprise"] = 1
    exc = rejected(data)
    assert exc.paths == ("regimens[0].surprise",)
    message = exc.problems[0].message
    assert "surprise" in message
    for field in attrs.fields(DoseRegimen):
        assert field.name in message


def test_unknown_key_at_the_top_is_named() -> None:
    data = ciclosporin()
    data["colour"] = "white"
    exc = rejected(data)
    assert exc.paths == ("colour",)
    assert "mechanism" in exc.problems[0].message


def test_misspelt_key_is_both_unknown_and_missing() -> None:
    data = ciclosporin()
    data["monitoring"]["note_"] = data["monitoring"].pop("note")
    exc = rejected(data)
    assert set(exc.paths) == {"monitoring.note_", "monitoring.note"}


@pytest.mark.parametrize(
    ("key", "shown_as"),
    [(2, "2"), (None, "None"), (1.5, "1.5"), (b"count", "b'count'"), ((1, 2), "(1, 2)")],
    ids=["int", "None", "float", "bytes", "tuple"],
)
def test_a_key_that_is_not_a_string_is_named_as_an_unknown_key(key: object, shown_as: str) -> None:
    # Python data may hold keys JSON cannot: each is named, never a crash on its type.
    data = ciclosporin()
    data["regimens"][0]["rate"][key] = 1
    exc = rejected(data)
    assert exc.paths == (f"regimens[0].rate[{shown_as}]",)
    assert exc.problems[0].message == (
        f"unknown key {shown_as} ({type(key).__name__}: keys are strings) in DoseRate; "
        "allowed keys are low, high, amount_unit, body_weight_unit, period"
    )


def test_keys_of_several_types_are_all_named_strings_first() -> None:
    exc = rejected({"count": 1, 2: "x", "x": 1, None: 1}, ae_systemic.Interval)
    assert exc.paths == ("x", "[2]", "[None]")
    assert all("allowed keys are count, unit" in p.message for p in exc.problems)


def test_a_key_that_is_not_a_string_in_place_of_a_required_one_is_named_with_it() -> None:
    exc = rejected({2: 1}, ae_systemic.Interval)
    assert set(exc.paths) == {"count", "[2]"}
    assert message_at(exc, "count") == "is required but missing"


@pytest.mark.parametrize(
    ("steps", "path"),
    [
        (("name",), "name"),
        (("regimens", 0, "label"), "regimens[0].label"),
        (("regimens", 0, "rate"), "regimens[0].rate"),
        (("regimens", 2, "rate", "high"), "regimens[2].rate.high"),
        (("monitoring", "checks"), "monitoring.checks"),
        (("references", 2, "year"), "references[2].year"),
        (("comparisons", 0, "intervention", "treatment"), "comparisons[0].intervention.treatment"),
        (("recommendations", 1, "boxed"), "recommendations[1].boxed"),
    ],
)
def test_missing_required_key_is_named(steps: tuple[Step, ...], path: str) -> None:
    data = ciclosporin()
    del node(data, *steps[:-1])[steps[-1]]
    exc = rejected(data)
    assert exc.paths == (path,)
    assert "missing" in exc.problems[0].message


def test_optional_keys_may_be_left_out() -> None:
    data = ciclosporin()
    del data["regimens"][0]["note"]
    del data["regimens"][0]["references"]
    del data["regimens"][0]["rate"]["period"]
    regimen = structure(data, Drug).regimens[0]
    assert regimen.note is None
    assert regimen.references == ()
    assert regimen.rate is not None
    assert regimen.rate.period == "day"


# --- wrong types ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "value", "expected"),
    [
        (("regimens", 0, "rate", "low"), "2.5", "number"),
        (("regimens", 0, "rate", "low"), True, "number"),
        (("regimens", 0, "rate", "high"), False, "number"),
        (("regimens", 0, "rate", "high"), [5], "number"),
        (("regimens", 0, "doses_per_day"), True, "whole number"),
        (("regimens", 0, "doses_per_day"), "2", "whole number"),
        (("regimens", 0, "doses_per_day"), 2.5, "whole number"),
        (("licence", "min_age_years"), 16.5, "whole number"),
        (("regimens", 0, "label"), 5, "string"),
        (("regimens", 0, "label"), 2.5, "string"),
        (("name",), ["ciclosporin"], "string"),
        (("recommendations", 0, "boxed"), 1, "true or false"),
        (("recommendations", 0, "boxed"), "true", "true or false"),
        (("licence",), [], "object"),
        (("regimens", 0, "rate"), "2.5-5 mg/kg/day", "object"),
        (("regimens",), {"population": "adult"}, "list"),
        (("references", 1, "accessed"), 20250512, "YYYY-MM-DD"),
        (("references", 1, "accessed"), "12/05/2025", "YYYY-MM-DD"),
    ],
)
def test_wrong_type_is_named(steps: tuple[Step, ...], value: object, expected: str) -> None:
    exc = rejected(put(ciclosporin(), steps, value))
    assert exc.paths == (dotted(steps),)
    assert expected in exc.problems[0].message


@pytest.mark.parametrize(
    ("steps", "text"),
    [
        (("synonyms",), "CsA"),
        (("monitoring", "checks"), "creatinine"),
        (("screening", "tests"), "HIV"),
        (("efficacy", 1, "references"), "345"),
    ],
)
def test_a_string_is_never_read_as_a_list(steps: tuple[Step, ...], text: str) -> None:
    exc = rejected(put(ciclosporin(), steps, text))
    assert exc.paths == (dotted(steps),)
    assert "list" in exc.problems[0].message


def test_a_string_is_not_split_into_synonyms() -> None:
    data = ciclosporin()
    data["synonyms"] = "CsA"
    try:
        result = structure(data, Drug)
    except DataError:
        return
    pytest.fail(f"a string was read as a list: synonyms {result.synonyms!r}")


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (("name",), "string"),
        (("regimens", 0, "label"), "string"),
        (("regimens", 0, "rate", "low"), "number"),
        (("regimens", 0, "population"), "Population"),
        (("regimens",), "list"),
        (("recommendations", 0, "boxed"), "true or false"),
        (("efficacy", 1, "references", 0), "whole number"),
    ],
)
def test_null_where_a_value_is_required_is_named(steps: tuple[Step, ...], expected: str) -> None:
    exc = rejected(put(ciclosporin(), steps, None))
    assert exc.paths == (dotted(steps),)
    assert expected in exc.problems[0].message
    assert "null" in exc.problems[0].message


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (("regimens", 0, "rate"), "exactly one of rate, fixed or bands (found: none)"),
        (("regimens", 0, "doses_per_day"), "a daily rate needs the number of doses a day"),
    ],
)
def test_a_null_dose_shape_is_refused_by_the_regimen_rules(
    steps: tuple[Step, ...], expected: str
) -> None:
    exc = rejected(put(ciclosporin(), steps, None))
    assert exc.paths == (dotted(steps),)
    assert expected in exc.problems[0].message


# --- numbers and ranges ---------------------------------------------------------------------


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    "steps",
    [
        ("regimens", 0, "rate", "low"),
        ("regimens", 1, "rate", "high"),
        ("evidence", 0, "estimate"),
        ("evidence", 2, "ci_low"),
    ],
)
def test_non_finite_number_is_refused(steps: tuple[Step, ...], value: float) -> None:
    exc = rejected(put(ciclosporin(), steps, value))
    assert exc.paths == (dotted(steps),)
    assert "finite" in exc.problems[0].message


def test_inverted_dose_range_is_refused() -> None:
    data = ciclosporin()
    data["regimens"][0]["rate"].update(low=5.0, high=2.5)
    exc = rejected(data)
    assert len(exc.problems) == 1
    assert exc.paths[0].startswith("regimens[0].rate")
    assert "inverted" in exc.problems[0].message
    assert "5" in exc.problems[0].message
    assert "2.5" in exc.problems[0].message


def test_equal_ends_of_a_dose_range_are_accepted() -> None:
    data = ciclosporin()
    data["regimens"][0]["rate"].update(low=5.0, high=5.0)
    assert structure(data, Drug).regimens[0].rate == DoseRate(5.0, 5.0)


@pytest.mark.parametrize(("low", "high"), [(-1.0, 5.0), (0.0, 5.0), (-5.0, -2.5)])
def test_dose_that_is_not_positive_is_refused(low: float, high: float) -> None:
    data = ciclosporin()
    data["regimens"][0]["rate"].update(low=low, high=high)
    exc = rejected(data)
    assert exc.paths == ("regimens[0].rate.low",)
    assert "positive" in exc.problems[0].message


def test_dose_of_a_comparison_arm_is_checked_too() -> None:
    data = ciclosporin()
    data["comparisons"][0]["comparator"]["dose"] = {"low": 15, "high": -1}
    exc = rejected(data)
    assert len(exc.problems) == 1
    assert exc.paths[0].startswith("comparisons[0].comparator.dose")


@pytest.mark.parametrize(
    ("field", "unit"),
    [
        ("amount_unit", "mg/kg"),
        ("amount_unit", "kg"),
        ("amount_unit", "MG"),
        ("amount_unit", "µg"),
        ("period", "1/d"),
        ("period", "hour"),
        ("period", "d"),
        ("body_weight_unit", "lb"),
        ("body_weight_unit", "g"),
    ],
)
def test_unit_outside_the_allow_list_is_refused(field: str, unit: str) -> None:
    data = ciclosporin()
    data["regimens"][0]["rate"][field] = unit
    exc = rejected(data)
    assert exc.paths == (f"regimens[0].rate.{field}",)
    message = exc.problems[0].message
    assert repr(unit) in message
    allowed = {"amount_unit": ("mg", "g"), "body_weight_unit": ("kg",), "period": ("day", "week")}
    for good in allowed[field]:
        assert repr(good) in message


def test_every_allowed_unit_is_accepted() -> None:
    for amount in ("mg", "g"):
        for period in ("day", "week"):
            data = {"low": 1, "high": 2, "amount_unit": amount, "period": period}
            data["body_weight_unit"] = "kg"
            rate = structure(data, DoseRate)
            assert (rate.amount_unit, rate.period) == (amount, period)


@pytest.mark.parametrize("text", ["20250512", "2025-W19-1", "2025-05-12T10:00", "12/05/2025"])
def test_date_must_be_written_as_year_month_day(text: str) -> None:
    # The converter reads dates as 'YYYY-MM-DD' only, as its message says, so that a
    # data file's dates are read back exactly as they are written.
    exc = rejected(put(ciclosporin(), ("references", 1, "accessed"), text))
    assert exc.paths == ("references[1].accessed",)
    assert "YYYY-MM-DD" in exc.problems[0].message


# --- vocabulary -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "value", "kind"),
    [
        (("recommendations", 0, "strength"), "strong", Strength),
        (("recommendations", 0, "strength"), "↑↑", Strength),
        (("regimens", 0, "population"), "adults", Population),
        (("regimens", 0, "phase"), "chronic", Phase),
        (("regimens", 0, "phase"), 1, Phase),
        (("interactions", 0, "pathway"), "cyp3a4", Pathway),
    ],
)
def test_invalid_enum_value_lists_the_allowed_values(
    steps: tuple[Step, ...], value: object, kind: type[Any]
) -> None:
    exc = rejected(put(ciclosporin(), steps, value))
    assert exc.paths == (dotted(steps),)
    message = exc.problems[0].message
    for member in kind:
        assert repr(member.value) in message


@pytest.mark.parametrize(
    ("steps", "value", "expected"),
    [
        (("recommendations", 0, "consensus", "percent"), 101, "100"),
        (("recommendations", 0, "consensus", "percent"), -1, "0"),
        (("recommendations", 1, "consensus", "bound"), "more-than", "100"),
        (("recommendations", 1, "consensus", "basis"), "consensus", "expert-consensus"),
    ],
)
def test_invalid_consensus_is_named(steps: tuple[Step, ...], value: object, expected: str) -> None:
    exc = rejected(put(ciclosporin(), steps, value))
    assert len(exc.problems) == 1
    assert exc.paths[0].startswith(f"recommendations[{steps[1]}].consensus.")
    assert expected in exc.problems[0].message


@pytest.mark.parametrize(
    "text",
    ["٧٥%", ">٧٥%", "７５%", "१००%", "7٥%"],
    ids=["arabic", "arabic-more", "fullwidth", "devanagari", "mixed"],
)
def test_a_consensus_in_other_digits_than_0_to_9_is_refused(text: str) -> None:
    with pytest.raises(ae_systemic.InputError) as raised:
        ae_systemic.Consensus.parse(text, ae_systemic.ConsensusBasis.EXPERT_CONSENSUS)
    assert raised.value.where == "text"
    assert "is not a consensus percentage" in str(raised.value)
    assert "in the digits 0-9" in str(raised.value)


# --- references, keys and names within a drug -----------------------------------------------


@pytest.mark.parametrize(
    ("steps", "path"),
    [
        (("efficacy", 1), "efficacy[1].references"),
        (("regimens", 0), "regimens[0].references"),
        (("monitoring",), "monitoring.references"),
        (("licence", "notes", 0), "licence.notes[0].references"),
        (
            ("special_populations", 0, "statements", 0),
            "special_populations[0].statements[0].references",
        ),
        (("comparisons", 0, "findings", 0), "comparisons[0].findings[0].references"),
        (("evidence", 3), "evidence[3].references"),
    ],
)
def test_citing_a_reference_not_in_the_list_names_the_citing_field(
    steps: tuple[Step, ...], path: str
) -> None:
    data = ciclosporin()
    numbers = [r["number"] for r in data["references"]]
    node(data, *steps)["references"] = [numbers[0], 99]
    exc = rejected(data)
    assert exc.paths == (path,)
    assert "99" in exc.problems[0].message


def test_citing_the_same_reference_twice_in_one_field_is_refused() -> None:
    data = ciclosporin()
    data["efficacy"][1]["references"] = [3, 3]
    exc = rejected(data)
    assert exc.paths == ("efficacy[1].references",)


def test_reference_number_below_one_is_refused() -> None:
    data = ciclosporin()
    data["efficacy"][1]["references"] = [3, 0]
    exc = rejected(data)
    assert exc.paths == ("efficacy[1].references[1]",)


def test_duplicate_reference_number_is_refused() -> None:
    data = ciclosporin()
    first = copy.deepcopy(data["references"][0])
    data["references"].append(first)
    exc = rejected(data)
    last = len(data["references"]) - 1
    assert exc.paths == (f"references[{last}].number",)
    assert "references[0].number" in exc.problems[0].message


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("efficacy", 0), ("efficacy", 1)),
        (("mechanism", 0), ("safety", 0)),
        (("efficacy", 0), ("licence", "notes", 0)),
        (("comparisons", 0), ("comparisons", 1)),
        (("comparisons", 0, "findings", 0), ("special_populations", 1, "statements", 0)),
    ],
)
def test_duplicate_key_is_refused(first: tuple[Step, ...], second: tuple[Step, ...]) -> None:
    data = ciclosporin()
    key = node(data, *first)["key"]
    node(data, *second)["key"] = key
    exc = rejected(data)
    assert len(exc.problems) == 1
    assert exc.paths[0] in (dotted((*first, "key")), dotted((*second, "key")))
    assert key in exc.problems[0].message


@pytest.mark.parametrize(
    "synonym", ["CSA", "csa", " CsA ", "CYCLOSPORINE", "Ciclosporin", " ciclosporin"]
)
def test_name_repeated_ignoring_case_is_refused(synonym: str) -> None:
    data = ciclosporin()
    data["synonyms"].append(synonym)
    exc = rejected(data)
    assert exc.paths == (f"synonyms[{len(data['synonyms']) - 1}]",)
    # As written, with the spelling of the name it repeats where that differs.
    first = {"csa": ("synonyms[3]", "CsA"), "cyclosporine": ("synonyms[1]", "cyclosporine")}
    where, written = first.get(synonym.strip().casefold(), ("name", "ciclosporin"))
    also = f" ({written!r})" if written != synonym else ""
    assert exc.problems[0].message == (
        f"repeats the name (ignoring case) {synonym!r} of {where}{also}"
    )


def test_duplicate_recommendation_number_is_refused() -> None:
    data = ciclosporin()
    data["recommendations"][2]["number"] = data["recommendations"][0]["number"]
    exc = rejected(data)
    assert exc.paths == ("recommendations[2].number",)


def test_two_regimens_for_the_same_population_and_phase_are_refused() -> None:
    data = ciclosporin()
    data["regimens"].append(copy.deepcopy(data["regimens"][0]))
    exc = rejected(data)
    assert exc.paths == (f"regimens[{len(data['regimens']) - 1}]",)
    assert "regimens[0]" in exc.problems[0].message


def test_duplicate_drug_name_in_a_guideline_is_refused() -> None:
    data: Any = unstructure(ae_systemic.guideline())
    data["drugs"].append(copy.deepcopy(data["drugs"][0]))
    exc = rejected(data, Guideline)
    assert "drugs[1].name" in exc.paths
    assert all(p.startswith("drugs[1].") for p in exc.paths)


@pytest.mark.parametrize(
    ("fields", "path", "message"),
    [
        (
            {"name": "otherosporin", "synonyms": []},
            "drugs[1].atc",
            "repeats the drug name or ATC code (ignoring case) 'L04AD01' of drugs[0].atc",
        ),
        (
            {"name": "otherosporin", "synonyms": ["CYCLOSPORIN"], "atc": None},
            "drugs[1].synonyms[0]",
            "repeats the drug name or ATC code (ignoring case) 'CYCLOSPORIN' of "
            "drugs[0].synonyms[2] ('cyclosporin')",
        ),
        (
            {"name": "l04ad01", "synonyms": [], "atc": None},
            "drugs[1].name",
            "repeats the drug name or ATC code (ignoring case) 'l04ad01' of drugs[0].atc "
            "('L04AD01')",
        ),
    ],
    ids=["same ATC code", "a synonym in capitals", "a name that is the other's ATC code"],
)
def test_a_drug_name_or_atc_code_repeated_in_a_guideline_is_shown_as_written(
    fields: dict[str, object], path: str, message: str
) -> None:
    data: Any = unstructure(ae_systemic.guideline())
    data["drugs"].append(copy.deepcopy(data["drugs"][0]) | fields)
    exc = rejected(data, Guideline)
    assert exc.paths == (path,)
    assert exc.problems[0].message == message


# --- recommendations and evidence -----------------------------------------------------------


@pytest.mark.parametrize("missing", ["consensus", "strength"])
def test_boxed_recommendation_needs_strength_and_consensus(missing: str) -> None:
    data = ciclosporin()
    assert data["recommendations"][0]["boxed"] is True
    data["recommendations"][0][missing] = None
    exc = rejected(data)
    assert exc.paths == ("recommendations[0].boxed",)
    assert missing in exc.problems[0].message


def test_unboxed_recommendation_may_leave_strength_and_consensus_unstated() -> None:
    data = ciclosporin()
    data["recommendations"][0].update(boxed=False, strength=None, consensus=None)
    recommendation = structure(data, Drug).recommendations[0]
    assert (recommendation.strength, recommendation.consensus) == (None, None)


@pytest.mark.parametrize("estimate", [-5.0, 5.0])
def test_estimate_outside_its_interval_is_refused(estimate: float) -> None:
    data = ciclosporin()
    data["evidence"][1]["estimate"] = estimate
    exc = rejected(data)
    assert exc.paths == ("evidence[1].estimate",)
    assert "interval" in exc.problems[0].message


# --- many problems at once ------------------------------------------------------------------


def test_every_problem_of_the_fields_is_reported() -> None:
    data = ciclosporin()
    data["regimens"][0]["surprise"] = 1
    data["regimens"][1]["rate"]["low"] = "x"
    del data["name"]
    data["evidence"][2]["ci_low"] = math.nan
    data["references"][3]["accessed"] = "yesterday"
    exc = rejected(data)
    assert set(exc.paths) == {
        "regimens[0].surprise",
        "regimens[1].rate.low",
        "name",
        "evidence[2].ci_low",
        "references[3].accessed",
    }
    assert len(exc.problems) == 5
    assert "5 problems" in str(exc)
    for path in exc.paths:
        assert f"\n  {path}: " in str(exc)


def test_every_problem_across_the_drug_is_reported() -> None:
    data = ciclosporin()
    data["efficacy"][1]["references"] = [98]
    data["regimens"][0]["references"] = [99]
    data["safety"][0]["key"] = data["mechanism"][0]["key"]
    data["synonyms"].append("CSA")
    exc = rejected(data)
    assert set(exc.paths) == {
        "efficacy[1].references",
        "regimens[0].references",
        "safety[0].key",
        f"synonyms[{len(data['synonyms']) - 1}]",
    }


def test_every_bad_item_of_a_list_is_reported() -> None:
    data = ciclosporin()
    for index in range(len(data["regimens"])):
        data["regimens"][index]["doses_per_day"] = 0
    exc = rejected(data)
    assert exc.paths == tuple(f"regimens[{i}].doses_per_day" for i in range(len(data["regimens"])))


# --- parsing JSON text ----------------------------------------------------------------------


def test_parse_json_reads_valid_json() -> None:
    text = json.dumps(ciclosporin())
    assert parse_json(text) == json.loads(text)
    assert structure(parse_json(text), Drug) == ae_systemic.drug("ciclosporin")


@pytest.mark.parametrize(
    "text",
    ['{\n  "name": "x",\n  "oops"\n}', '{"a": 1,}', "", "[1, 2", '{"a": 1}\n{"b": 2}'],
)
def test_invalid_json_gives_line_and_column(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(DataError) as info:
        parse_json(text)
    message = str(info.value)
    assert f"line {expected.value.lineno}, column {expected.value.colno}" in message
    assert info.value.file is None


@pytest.mark.parametrize(
    "text", ['{"low": NaN}', '{"low": Infinity}', "[-Infinity]", '{"a": {"b": [NaN]}}']
)
def test_nan_and_infinity_literals_are_refused(text: str) -> None:
    with pytest.raises(DataError) as info:
        parse_json(text)
    assert "finite" in str(info.value)
    assert "Infinity" in str(info.value) or "NaN" in str(info.value)


def test_number_too_large_to_be_finite_is_refused() -> None:
    # Python reads 1e400 as float("inf"): it is Infinity in all but spelling.
    with pytest.raises(DataError):
        parse_json('{"low": 1e400}')


def test_key_repeated_in_one_object_is_refused() -> None:
    with pytest.raises(DataError) as info:
        parse_json('{"low": 2.5, "high": 5, "low": 3}')
    assert info.value.paths == ("low",)
    assert "'low'" in str(info.value)
    assert "twice" in str(info.value)


def test_same_key_in_different_objects_is_accepted() -> None:
    assert parse_json('[{"low": 1}, {"low": 2}]') == [{"low": 1}, {"low": 2}]


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"rate": {"low": 1, "low": 2}}', "rate.low"),
        (
            '{"regimens": [{"rate": {"low": 1}}, {"rate": {"low": 1, "low": 2}}]}',
            "regimens[1].rate.low",
        ),
    ],
)
def test_key_repeated_in_a_nested_object_is_named_by_its_full_path(text: str, path: str) -> None:
    with pytest.raises(DataError) as info:
        parse_json(text)
    assert info.value.paths == (path,)


@pytest.mark.parametrize(
    "text", ["{", '{"a": NaN}', '{"a": 1, "a": 1}'], ids=["invalid", "nan", "repeated"]
)
def test_parse_json_names_the_file(text: str) -> None:
    with pytest.raises(DataError) as info:
        parse_json(text, file="ae_systemic/data/drugs/broken.json")
    assert info.value.file == "ae_systemic/data/drugs/broken.json"
    assert "broken.json" in str(info.value)
    assert isinstance(info.value, ValueError)


# --- garbage never escapes as another exception ---------------------------------------------

DRUG_KEYS = [f.name for f in attrs.fields(Drug)]
RATE_KEYS = [f.name for f in attrs.fields(DoseRate)]

scalars: st.SearchStrategy[object] = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=6)
    | st.sampled_from(["mg", "kg", "day", "adult", "strong-for", "2025-05-12", ""])
)


def json_like(keys: list[str]) -> st.SearchStrategy[object]:
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                # Python data may hold keys that are not strings (JSON cannot).
                st.sampled_from(keys) | st.text(max_size=4) | st.integers() | st.none(),
                children,
                max_size=5,
            )
        ),
        max_leaves=12,
    )


GARBAGE_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def attempt(value: object, cls: type[T]) -> T | DataError:
    """``structure(value, cls)``, or the DataError it raised (any other exception escapes)."""
    try:
        return structure(value, cls)
    except DataError as exc:
        return exc


@GARBAGE_SETTINGS
@given(json_like(DRUG_KEYS + RATE_KEYS))
def test_garbage_drug_data_gives_only_data_errors(value: object) -> None:
    result = attempt(value, Drug)
    assert isinstance(result, (Drug, DataError))
    if isinstance(result, DataError):
        assert result.problems
        assert all(p.message for p in result.problems)


@GARBAGE_SETTINGS
@given(json_like(RATE_KEYS))
def test_garbage_dose_rate_data_gives_only_data_errors(value: object) -> None:
    result = attempt(value, DoseRate)
    if isinstance(result, DataError):
        assert result.problems
    else:
        assert 0 < result.low <= result.high < math.inf


@st.composite
def dose_rate_data(draw: st.DrawFn) -> dict[str, object]:
    """Objects with some of DoseRate's keys, and an unknown one, often nearly right."""
    amounts = st.floats(min_value=0.01, max_value=100) | st.integers(-2, 10) | scalars
    units = st.sampled_from(["mg", "g", "kg", "day", "week", "lb", "hour", "mg/kg"]) | scalars
    keys = draw(st.lists(st.sampled_from([*RATE_KEYS, "unit"]), unique=True))
    if draw(st.booleans()):
        keys = list(dict.fromkeys(["low", "high", *keys]))
    return {key: draw(amounts if key in ("low", "high") else units) for key in keys}


@GARBAGE_SETTINGS
@given(dose_rate_data())
def test_dose_rate_data_is_accepted_only_when_valid(value: dict[str, object]) -> None:
    result = attempt(value, DoseRate)
    if isinstance(result, DataError):
        assert result.problems
        assert set(result.paths) <= {*RATE_KEYS, "unit"}
        return
    assert set(value) <= set(RATE_KEYS)
    assert {"low", "high"} <= set(value)
    assert 0 < result.low <= result.high < math.inf
    assert (result.low, result.high) == (value["low"], value["high"])


def _paths(value: object, prefix: tuple[Step, ...] = ()) -> list[tuple[Step, ...]]:
    found: list[tuple[Step, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


#: Every place in the ciclosporin data (read on first draw, not when the module is collected).
ciclosporin_places: st.SearchStrategy[tuple[Step, ...]] = st.deferred(
    lambda: st.sampled_from(_paths(ciclosporin()))
)


@settings(max_examples=150, deadline=None)
@given(ciclosporin_places, json_like(DRUG_KEYS + RATE_KEYS))
def test_one_field_replaced_by_garbage_gives_only_data_errors(
    steps: tuple[Step, ...], garbage: object
) -> None:
    result = attempt(put(ciclosporin(), steps, garbage), Drug)
    if isinstance(result, DataError):
        assert result.problems
        assert str(result)
