"""UCUM quantities in and out: every supported code means what UCUM defines, and round-trips.

``quantity`` reads a FHIR ``Quantity`` by its UCUM ``code`` (never by the display text) and
refuses, with the path of the element, what it cannot read exactly; ``to_quantity`` writes
a pint quantity back, and the R5 export writes its quantities the same way.  The factors
below are UCUM's definitions (the avoirdupois pound is 453.59237 g, the year ``a`` the
Julian year of 365.25 days, ``mo`` a twelfth of it), not clinical numbers.
"""

from __future__ import annotations

import math
import pickle
import re
from pathlib import Path
from typing import Any

import pint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ae_systemic
from ae_systemic import ArgumentTypeError, DataError, InputError
from ae_systemic._ucum import UCUM_SYSTEM, UCUM_UNITS
from ae_systemic._units import AMOUNT_UNITS, BODY_WEIGHT_UNITS, PERIOD_UNITS
from ae_systemic.fhir import UCUM_CODES, quantity, to_bundle, to_quantity

ROOT = Path(__file__).resolve().parent.parent
Q = ae_systemic.application_registry().Quantity


def fhir(value: object, code: str, unit: str | None = None, **more: object) -> dict[str, Any]:
    data: dict[str, Any] = {"value": value, "system": UCUM_SYSTEM, "code": code}
    if unit is not None:
        data["unit"] = unit
    return {**data, **more}


def refused(data: object, path: str = "Quantity") -> DataError:
    with pytest.raises(DataError) as raised:
        quantity(data, path=path)  # type: ignore[arg-type]
    return raised.value


# --- what each code means --------------------------------------------------------------

#: Each code and its value in a base unit of UCUM (g for masses, s for times), by UCUM's
#: definitions.
UCUM_DEFINITIONS = {
    "ug": (1e-6, "g"),
    "mg": (1e-3, "g"),
    "g": (1.0, "g"),
    "kg": (1e3, "g"),
    "[lb_av]": (453.59237, "g"),
    "[oz_av]": (453.59237 / 16, "g"),
    "[stone_av]": (14 * 453.59237, "g"),
    "s": (1.0, "s"),
    "min": (60.0, "s"),
    "h": (3600.0, "s"),
    "d": (86400.0, "s"),
    "wk": (7 * 86400.0, "s"),
    "mo": (365.25 * 86400.0 / 12, "s"),
    "a": (365.25 * 86400.0, "s"),
}


@pytest.mark.parametrize(("code", "definition"), UCUM_DEFINITIONS.items())
def test_each_mass_and_time_code_means_what_ucum_defines(
    code: str, definition: tuple[float, str]
) -> None:
    factor, base = definition
    assert quantity(fhir(1, code)).m_as(base) == pytest.approx(factor, rel=1e-12)


def test_a_is_the_julian_year_and_mo_a_twelfth_of_it() -> None:
    assert quantity(fhir(1, "a")).m_as("day") == pytest.approx(365.25, rel=1e-12)
    assert quantity(fhir(12, "mo")) == quantity(fhir(1, "a"))


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("mg/d", "mg/day"),
        ("mg/wk", "mg/week"),
        ("mg/kg", "mg/kg"),
        ("mg/kg/d", "mg/kg/day"),
        ("mg/(kg.d)", "mg/kg/day"),
        ("mg/kg/wk", "mg/kg/week"),
        ("mg/(kg.wk)", "mg/kg/week"),
        ("g/kg/d", "g/kg/day"),
    ],
)
def test_dose_rates_keep_their_parts(code: str, expected: str) -> None:
    read = quantity(fhir(2.5, code))
    assert read == Q(2.5, expected)
    assert read.units == Q(1, expected).units  # kept as written, not cancelled


def test_the_table_covers_every_unit_the_data_may_write() -> None:
    periods = {"day": "d", "week": "wk"}
    assert set(PERIOD_UNITS) == set(periods)
    for amount in AMOUNT_UNITS:
        assert amount in UCUM_CODES
        for weight in BODY_WEIGHT_UNITS:
            assert weight in UCUM_CODES
            assert f"{amount}/{weight}" in UCUM_CODES
            for period in PERIOD_UNITS:
                assert f"{amount}/{weight}/{periods[period]}" in UCUM_CODES
    assert "a" in UCUM_CODES  # the licensing age


def test_the_codes_are_those_of_the_table() -> None:
    assert tuple(UCUM_UNITS) == UCUM_CODES
    for code, unit in UCUM_UNITS.items():
        assert unit.code == code
        assert unit.written_as in UCUM_UNITS
        assert UCUM_UNITS[unit.written_as].written_as == unit.written_as


# --- the round trip ----------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)


@given(code=st.sampled_from(UCUM_CODES), value=finite)
def test_to_quantity_then_quantity_gives_an_equal_quantity(code: str, value: float) -> None:
    read = quantity(fhir(value, code))
    written = to_quantity(read)
    assert written["code"] == UCUM_UNITS[code].written_as
    assert written["system"] == UCUM_SYSTEM
    again = quantity(written)
    assert again == read
    assert again.units == read.units


@pytest.mark.parametrize("code", UCUM_CODES)
def test_every_supported_code_round_trips(code: str) -> None:
    read = quantity(fhir(3, code))
    assert quantity(to_quantity(read)) == read


def test_to_quantity_reads_the_pint_spellings_of_each_code() -> None:
    assert to_quantity(Q(160, "lb"))["code"] == "[lb_av]"
    assert to_quantity(Q(16, "year"))["code"] == "a"
    assert to_quantity(Q(2.5, "mg/kg/day"))["code"] == "mg/kg/d"
    assert to_quantity(Q(2.5, "milligram / (kilogram * day)"))["code"] == "mg/kg/d"
    assert to_quantity("150 mg") == {
        "value": 150,
        "unit": "mg",
        "system": UCUM_SYSTEM,
        "code": "mg",
    }


def test_to_quantity_works_in_a_callers_own_registry() -> None:
    own: pint.UnitRegistry[float] = pint.UnitRegistry()
    assert to_quantity(own.Quantity(70, "kg"))["code"] == "kg"


def test_the_r5_export_writes_only_table_codes_exactly_as_to_quantity_does() -> None:
    found = 0

    def walk(value: object) -> None:
        nonlocal found
        if isinstance(value, dict):
            if value.get("system") == UCUM_SYSTEM:
                found += 1
                assert to_quantity(quantity(value)) == value
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(to_bundle(ae_systemic.guideline()))
    assert found > 10


# --- what is refused ---------------------------------------------------------------------


def test_the_code_decides_not_the_display() -> None:
    # An unknown display text is not read; only a text naming another unit contradicts.
    assert quantity(fhir(70, "kg", "Kilogramm")) == Q(70, "kg")
    assert quantity(fhir(160, "[lb_av]", "LBS")) == Q(160, "lb")
    assert quantity(fhir(2.5, "mg/(kg.d)", "mg/kg/day")) == Q(2.5, "mg/kg/day")


@pytest.mark.parametrize(
    ("unit", "code", "named"),
    [
        ("lb", "kg", "[lb_av]"),
        ("g", "kg", "g"),
        ("mg/kg", "mg/kg/d", "mg/kg"),
        ("years", "mo", "a"),
    ],
)
def test_a_display_unit_naming_another_unit_is_refused(unit: str, code: str, named: str) -> None:
    error = refused(fhir(70, code, unit), "Observation.valueQuantity")
    assert error.paths == ("Observation.valueQuantity.unit",)
    assert named in str(error)
    assert repr(code) in str(error)


@pytest.mark.parametrize("comparator", ["<", "<=", ">=", ">", "ad"])
def test_a_comparator_is_refused_an_inexact_value_is_no_dose_input(comparator: str) -> None:
    error = refused(fhir(5, "mg", comparator=comparator), "Dosage.doseQuantity")
    assert error.paths == ("Dosage.doseQuantity.comparator",)
    assert "inexact" in str(error)


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        ({"system": UCUM_SYSTEM, "code": "kg"}, "Quantity.value", "missing"),
        (fhir("70", "kg"), "Quantity.value", "a string"),
        (fhir(True, "kg"), "Quantity.value", "expected a number"),
        (fhir(None, "kg"), "Quantity.value", "missing"),
        (fhir(math.inf, "kg"), "Quantity.value", "not a finite number"),
        (fhir(10**400, "kg"), "Quantity.value", "not a finite number"),
        ({"value": 70, "code": "kg"}, "Quantity.system", "missing"),
        (
            {"value": 70, "system": "http://snomed.info/sct", "code": "kg"},
            "Quantity.system",
            "UCUM",
        ),
        ({"value": 70, "system": UCUM_SYSTEM}, "Quantity.code", "missing"),
        ({"value": 70, "system": UCUM_SYSTEM, "unit": "kg"}, "Quantity.code", "missing"),
        (fhir(70, "lbs"), "Quantity.code", "not a UCUM code this library reads"),
        (fhir(70, "[lb_us]"), "Quantity.code", "supported codes are"),
        (fhir(70, "KG"), "Quantity.code", "not a UCUM code"),
        (fhir(70, 7), "Quantity.code", "not a string"),  # type: ignore[arg-type]
        (fhir(70, "kg", 7), "Quantity.unit", "string"),  # type: ignore[arg-type]
        ("70 kg", "Quantity", "expected a FHIR Quantity"),
        ([70, "kg"], "Quantity", "expected a FHIR Quantity"),
    ],
)
def test_each_unreadable_quantity_is_a_data_error_naming_the_element(
    data: object, path: str, words: str
) -> None:
    error = refused(data)
    assert error.paths == (path,)
    assert words in str(error)


def test_path_must_be_a_string() -> None:
    with pytest.raises(ArgumentTypeError, match="path"):
        quantity(fhir(1, "kg"), path=5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (Q(1, "m"), InputError),
        (Q(1, "mg/hour"), InputError),
        (Q(math.nan, "kg"), InputError),
        (Q([1.0, 2.0], "kg"), InputError),
        ("seventy kg", InputError),
        (70, InputError),
        (None, ArgumentTypeError),
        ({"value": 1}, ArgumentTypeError),
    ],
)
def test_to_quantity_refuses_what_has_no_ucum_form(value: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="quantity"):
        to_quantity(value)  # type: ignore[arg-type]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
quantity_like = st.fixed_dictionaries(
    {},
    optional={
        "value": json_values,
        "unit": st.sampled_from(["kg", "lb", "mg", "g", "d", "x"]) | json_values,
        "system": st.just(UCUM_SYSTEM) | json_values,
        "code": st.sampled_from(UCUM_CODES) | json_values,
        "comparator": json_values,
    },
)


@settings(max_examples=300)
@given(st.one_of(json_values, quantity_like))
def test_any_json_value_gives_a_quantity_or_a_data_error(data: object) -> None:
    try:
        read: object = quantity(data)  # type: ignore[arg-type]
    except DataError as error:
        read = error
    if isinstance(read, DataError):
        assert read.paths
        assert all(p.startswith("Quantity") for p in read.paths)
    else:
        assert isinstance(read, pint.Quantity)
        assert math.isfinite(read.magnitude)


def test_errors_pickle() -> None:
    error = refused(fhir(70, "lbs"), "Observation.valueQuantity")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is DataError
    assert str(again) == str(error)
    assert again.problems == error.problems


@pytest.mark.parametrize(
    ("unit", "code", "named", "word"),
    [
        ("lbs.", "kg", "[lb_av]", "lbs"),
        ("lb.", "kg", "[lb_av]", "lb"),
        ("Lbs (pounds)", "kg", "[lb_av]", "lbs"),
        ("pounds (lb)", "kg", "[lb_av]", "pounds"),
        ("Pfund", "kg", "[lb_av]", "pfund"),
        ("livres", "kg", "[lb_av]", "livres"),
        ("libras", "kg", "[lb_av]", "libras"),
        ("oz.", "g", "[oz_av]", "oz"),
        ("st.", "kg", "[stone_av]", "st"),
        ("kg.", "[lb_av]", "kg", "kg"),
        ("kilogram(s)", "[lb_av]", "kg", "kilogram"),
        ("Kilogramm", "g", "kg", "kilogramm"),
        ("kilos", "g", "kg", "kilos"),
        ("mg.", "ug", "mg", "mg"),
        ("µg (micrograms)", "mg", "ug", "μg"),
        ("grammes", "kg", "g", "grammes"),
    ],
)
def test_a_word_of_a_mass_unit_text_naming_another_mass_is_refused(
    unit: str, code: str, named: str, word: str
) -> None:
    error = refused(fhir(70, code, unit), "Observation.valueQuantity")
    assert error.paths == ("Observation.valueQuantity.unit",)
    assert str(error).startswith(
        f"Observation.valueQuantity.unit: the unit text {unit!r} names {named} ({word!r}), but "
        f"the code is {code!r}"
    )
    assert str(error).endswith("; correct the one that is wrong")


@pytest.mark.parametrize(
    ("unit", "code"),
    [
        ("kg", "kg"),
        ("kilogram", "kg"),
        ("Kilograms", "kg"),
        ("kg (Waage)", "kg"),
        ("Kilogramm", "kg"),
        ("Körpergewicht", "kg"),
        ("lbs.", "[lb_av]"),
        ("Lbs (pounds)", "[lb_av]"),
        ("Pfund", "[lb_av]"),
        ("µg", "ug"),
        ("mcg", "ug"),
        ("mg/day", "mg/d"),  # not a mass: only the whole text is compared
        ("mg per kg per day", "mg/kg/d"),
    ],
)
def test_a_unit_text_whose_words_agree_with_the_code_is_read(unit: str, code: str) -> None:
    assert quantity(fhir(70, code, unit)) == Q(70, UCUM_UNITS[code].pint_unit)


# --- the documentation's table -----------------------------------------------------------


def test_the_health_records_page_lists_exactly_the_supported_codes() -> None:
    text = (ROOT / "docs" / "health-records.md").read_text(encoding="utf-8")
    section = text.split("## UCUM units", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(
        r"^\| `([^`]+)` \| ([^|]+) \| ([^|]+) \| `([^`]+)` \| ([^|]+) \|$", section, flags=re.M
    )
    assert [row[0] for row in rows] == list(UCUM_CODES)
    for code, meaning, kind, pint_unit, written in rows:
        unit = UCUM_UNITS[code]
        assert (meaning, kind, pint_unit) == (unit.meaning, unit.kind, unit.pint_unit)
        assert written == ("itself" if unit.written_as == code else f"`{unit.written_as}`")
