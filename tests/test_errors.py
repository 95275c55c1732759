"""The error hierarchy: one root, the built-in base a caller would catch, and errors that travel.

Every public error pickles to an equal error (same type, message and attributes), so an
error raised in a worker process (multiprocessing, Dask, pytest-xdist) reaches the caller
as itself.  A wrong type is always :class:`~ae_systemic.ArgumentTypeError`; an unusable
value of the right type an :class:`~ae_systemic.InputError`; both name the argument.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import pickle
from typing import Any

import pint
import pytest

import ae_systemic
from ae_systemic import (
    AeSystemicError,
    ArgumentError,
    ArgumentTypeError,
    DataError,
    DataProblem,
    DoseInputError,
    InputError,
    MissingExtraError,
    NotFoundError,
    UnknownDrugError,
)

Q = pint.get_application_registry().Quantity  # type: ignore[no-untyped-call]

#: One instance of every public error, built as the package builds it.
SAMPLES: dict[type[BaseException], list[BaseException]] = {
    AeSystemicError: [AeSystemicError("something went wrong")],
    ArgumentError: [ArgumentError("weight", "is wrong")],
    ArgumentTypeError: [
        ArgumentTypeError("drug", "expected a Drug or a drug name, got int"),
        ArgumentTypeError("strengths", "expected a pint quantity, got list", 2),
    ],
    InputError: [InputError("months", "must lie between 1 and 120, got 0")],
    DoseInputError: [
        DoseInputError("weight", "-1.0 kilogram must be positive", (1, 2)),
        DoseInputError("age", "16 has no unit"),
    ],
    NotFoundError: [
        NotFoundError(15, what="reference", owner="ciclosporin", known=[1, 2, 3]),
        NotFoundError(
            "pregnancy.x",
            what="statement",
            owner="ciclosporin",
            known=["pregnancy.low-birthweight"],
            suggestions=["pregnancy.low-birthweight"],
        ),
    ],
    UnknownDrugError: [UnknownDrugError("cyclosporin X", ["cyclosporin"], ["ciclosporin", "CsA"])],
    MissingExtraError: [MissingExtraError("evidence_frame", "pandas", "pandas")],
    DataError: [
        DataError([DataProblem("regimens[0].rate.low", "must be positive")]),
        DataError([DataProblem("a", "first"), DataProblem("b.c", "second")], file="pack.json"),
    ],
}

PUBLIC_ERRORS = sorted(
    (
        getattr(ae_systemic, name)
        for name in ae_systemic.__all__
        if isinstance(getattr(ae_systemic, name), type)
        and issubclass(getattr(ae_systemic, name), BaseException)
    ),
    key=lambda cls: cls.__name__,
)


def _state(error: BaseException) -> tuple[Any, ...]:
    """What makes two errors equal: type, message, arguments and every attribute."""
    attributes = {k: v for k, v in vars(error).items() if not k.startswith("__")}
    extra = {name: getattr(error, name) for name in ("name", "path") if hasattr(error, name)}
    return type(error), str(error), error.args, attributes, extra


def test_every_public_error_has_samples_here() -> None:
    assert sorted(SAMPLES, key=lambda cls: cls.__name__) == PUBLIC_ERRORS


@pytest.mark.parametrize(
    "error", [e for samples in SAMPLES.values() for e in samples], ids=lambda e: type(e).__name__
)
def test_every_public_error_survives_a_pickle_round_trip(error: BaseException) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        again = pickle.loads(pickle.dumps(error, protocol=protocol))
        assert _state(again) == _state(error)


def test_notes_and_attributes_added_later_travel_too() -> None:
    error = DoseInputError("weight", "is wrong")
    error.add_note("while reading row 7")
    again = pickle.loads(pickle.dumps(error))
    assert again.__notes__ == ["while reading row 7"]


def test_errors_are_named_as_users_import_them() -> None:
    for cls in PUBLIC_ERRORS:
        assert cls.__module__ == "ae_systemic"
        assert getattr(ae_systemic, cls.__name__) is cls


def _bad_dose(weight: str) -> None:
    ae_systemic.daily_dose("ciclosporin", weight)


def test_an_error_raised_in_a_worker_process_arrives_as_itself() -> None:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        future = pool.submit(_bad_dose, "-70 kg")
        with pytest.raises(DoseInputError) as caught:
            future.result(timeout=120)
    assert caught.value.argument == "weight"
    assert str(caught.value) == "weight: -70 kilogram must be positive"


# --- the hierarchy ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (ArgumentTypeError, TypeError),
        (InputError, ValueError),
        (DoseInputError, ValueError),
        (DataError, ValueError),
        (NotFoundError, LookupError),
        (UnknownDrugError, LookupError),
        (MissingExtraError, ImportError),
    ],
)
def test_each_error_is_also_the_builtin_a_caller_would_catch(
    cls: type[Exception], builtin: type[Exception]
) -> None:
    assert issubclass(cls, AeSystemicError)
    assert issubclass(cls, builtin)


def test_argument_errors_share_one_base_and_name_the_argument() -> None:
    assert issubclass(ArgumentTypeError, ArgumentError)
    assert issubclass(InputError, ArgumentError)
    error = DoseInputError("strengths", "is not a usable strength", 1)
    assert (error.argument, error.index, error.problem) == (
        "strengths",
        1,
        "is not a usable strength",
    )
    assert str(error) == "strengths[1]: is not a usable strength"
    assert error.with_index(0).where == "strengths[0]"
    assert error.with_index((0, 2)).where == "strengths[0, 2]"


def test_a_table_rows_label_locates_the_error_and_pickles() -> None:
    error = DoseInputError("weight", "7000 kg is above 700 kg", "p17")
    assert str(error) == "weight['p17']: 7000 kg is above 700 kg"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.argument, copy.problem, copy.index, str(copy)) == (
        "weight",
        "7000 kg is above 700 kg",
        "p17",
        str(error),
    )


# --- one error for a wrong type, wherever it happens ----------------------------------------

WRONG_TYPES = [
    ("drug(5)", lambda: ae_systemic.drug(5), "name"),  # type: ignore[arg-type]
    ("daily_dose(5, ...)", lambda: ae_systemic.daily_dose(5, "70 kg"), "drug"),  # type: ignore[call-overload]
    (
        "Guideline.drug(None)",
        lambda: ae_systemic.guideline().drug(None),  # type: ignore[arg-type]
        "name",
    ),
    (
        "Drug.reference('3')",
        lambda: ae_systemic.drug("CsA").reference("3"),  # type: ignore[arg-type]
        "number",
    ),
    (
        "Recommendation(boxed=1)",
        lambda: ae_systemic.Recommendation(1, "x", None, None, 1, "here"),  # type: ignore[arg-type]
        "boxed",
    ),
    ("DoseRate('2.5', 5)", lambda: ae_systemic.DoseRate("2.5", 5), "low"),  # type: ignore[arg-type]
    (
        "Patient(pregnant='yes')",
        lambda: ae_systemic.Patient("40 years", "70 kg", pregnant="yes"),  # type: ignore[arg-type]
        "pregnant",
    ),
    ("load_guideline(5)", lambda: ae_systemic.load_guideline(5), "path"),  # type: ignore[arg-type]
    ("structure({}, int)", lambda: ae_systemic.structure({}, int), "cls"),
    ("Strength.from_symbol(1)", lambda: ae_systemic.Strength.from_symbol(1), "symbol"),  # type: ignore[arg-type]
    (
        "monitoring_schedule(start=None)",
        lambda: ae_systemic.monitoring_schedule("CsA", None),  # type: ignore[arg-type]
        "start",
    ),
    ("to_bundle(5)", lambda: _to_bundle(5), "drug_or_guideline"),
]


def _to_bundle(value: object) -> object:
    from ae_systemic.fhir import to_bundle

    return to_bundle(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "call", "argument"), WRONG_TYPES, ids=[w[0] for w in WRONG_TYPES]
)
def test_a_wrong_type_is_an_argument_type_error_naming_the_argument(
    label: str, call: Any, argument: str
) -> None:
    with pytest.raises(ArgumentTypeError) as caught:
        call()
    assert caught.value.argument == argument
    assert str(caught.value).startswith(f"{argument}: ")


# --- lookups ------------------------------------------------------------------------------


def test_a_missing_reference_is_not_found_naming_the_numbers_there_are() -> None:
    with pytest.raises(NotFoundError) as caught:
        ae_systemic.drug("ciclosporin").reference(15)
    assert str(caught.value) == "ciclosporin has no reference 15: known references are 1-14"
    assert caught.value.key == 15
    assert caught.value.known == tuple(range(1, 15))


def test_a_misspelt_statement_key_is_not_found_with_a_suggestion() -> None:
    with pytest.raises(LookupError) as caught:
        ae_systemic.drug("ciclosporin").statement("pregnancy.low-birth-weight")
    assert isinstance(caught.value, NotFoundError)
    assert caught.value.suggestions[0] == "pregnancy.low-birthweight"
    assert "did you mean 'pregnancy.low-birthweight'" in str(caught.value)


def test_the_command_line_names_the_option_from_the_errors_argument() -> None:
    from ae_systemic._cli import _message

    assert _message(DoseInputError("weight", "-1 kilogram must be positive")) == (
        "--weight: -1 kilogram must be positive"
    )
    assert _message(DoseInputError("strengths", "1 ug is too small", 1)) == (
        "--strengths (item 2): 1 ug is too small"
    )
    # An argument the command line has no option for keeps the library's wording.
    assert _message(InputError("regimen", "is not daily")) == "regimen: is not daily"


def test_the_error_catalogue_lists_every_public_error() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "errors.md").read_text("utf-8")
    catalogue = page.split("## The catalogue", 1)[1].split("\n## ", 1)[0]
    for cls in PUBLIC_ERRORS:
        assert f"| `{cls.__name__}` |" in catalogue, f"{cls.__name__} is not in docs/errors.md"
    from ae_systemic import cds_hooks

    service_errors = [
        value
        for value in (getattr(cds_hooks, name) for name in cds_hooks.__all__)
        if isinstance(value, type) and issubclass(value, BaseException)
    ]
    assert len(service_errors) == 4
    for cls in service_errors:
        row = f"| `{cls.__name__}` (`ae_systemic.cds_hooks`) |"
        assert row in catalogue, f"{cls.__name__} is not in docs/errors.md"
        assert f"└── {cls.__name__} " in page, f"{cls.__name__} is not in the tree"


def test_in_file_and_under_keep_the_class_attributes_and_notes_of_the_error() -> None:
    from ae_systemic.cds_hooks import ConfigError

    plain = DataError([DataProblem("name", "is empty")])
    plain.add_note("a note")
    moved = plain.under("drugs[0]").in_file("pack.json")
    assert type(moved) is DataError
    assert (moved.paths, moved.file, moved.__notes__) == (
        ("drugs[0].name",),
        "pack.json",
        ["a note"],
    )
    assert str(moved) == "pack.json: drugs[0].name: is empty"
    assert plain.paths == ("name",)  # the original is left as it was
    assert plain.file is None
    config = ConfigError([DataProblem("phototherapy[0].therapy", "is no therapy")], line=8)
    config.add_note("see the docs")
    again = config.in_file("service.toml")
    assert type(again) is ConfigError
    assert (again.line, again.file, again.__notes__) == (8, "service.toml", ["see the docs"])
    assert str(again) == "service.toml, line 8: phototherapy[0].therapy: is no therapy"
    below = config.under("service")
    assert type(below) is ConfigError
    assert below.paths == ("service.phototherapy[0].therapy",)
    assert pickle.loads(pickle.dumps(again)).line == 8
