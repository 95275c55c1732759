"""Finding content: drugs by name or synonym, the cached guideline, lazy and thread-safe loading."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from typing import Any

import attrs
import pytest

import ae_systemic
import ae_systemic._loading
from ae_systemic import AeSystemicError, Drug, Guideline, UnknownDrugError


@pytest.mark.parametrize(
    "name",
    [
        "ciclosporin",
        "ciclosporine",
        "cyclosporine",
        "cyclosporin",
        "CsA",
        "csa",
        " CSA ",
        "CycloSporine",
        "CICLOSPORIN",
        "\tciclosporin\n",
    ],
)
def test_drug_is_found_by_name_or_synonym_ignoring_case_and_spaces(name: str) -> None:
    found = ae_systemic.drug(name)
    assert isinstance(found, Drug)
    assert found.name == "ciclosporin"
    assert found is ae_systemic.drug("ciclosporin")


def test_drug_returns_the_very_same_object_each_time() -> None:
    first = ae_systemic.drug("ciclosporin")
    assert ae_systemic.drug("ciclosporin") is first
    assert ae_systemic.drug("CsA") is first
    assert ae_systemic.guideline().drugs[0] is first


def test_drug_names_are_the_name_and_its_synonyms() -> None:
    csa = ae_systemic.drug("ciclosporin")
    assert csa.names == ("ciclosporin", "ciclosporine", "cyclosporine", "cyclosporin", "CsA")


@pytest.mark.parametrize("name", ["", "   ", "tacrolimus", "ciclosporin A", "cs a", "c s a"])
def test_unknown_drug_raises_unknown_drug_error(name: str) -> None:
    with pytest.raises(UnknownDrugError) as info:
        ae_systemic.drug(name)
    assert isinstance(info.value, LookupError)
    assert isinstance(info.value, AeSystemicError)
    assert info.value.name == name
    assert repr(name) in str(info.value)


def test_unknown_drug_error_suggests_the_closest_names() -> None:
    with pytest.raises(UnknownDrugError) as info:
        ae_systemic.drug("cyclosporn")
    exc = info.value
    assert "cyclosporin" in exc.suggestions
    assert exc.suggestions[0] == "cyclosporin"
    assert "did you mean 'cyclosporin'" in str(exc)


def test_unknown_drug_error_lists_the_known_names() -> None:
    with pytest.raises(UnknownDrugError) as info:
        ae_systemic.drug("tacrolimus")
    exc = info.value
    assert exc.suggestions == ()
    assert "did you mean" not in str(exc)
    known = ("ciclosporin", "ciclosporine", "cyclosporine", "cyclosporin", "CsA")
    assert set(known) <= set(exc.known)
    for name in known:
        assert repr(name) in str(exc)


def test_unknown_drug_error_can_be_caught_as_lookup_error() -> None:
    with pytest.raises(LookupError):
        ae_systemic.drug("ciclosporine A")


@pytest.mark.parametrize("name", [5, None, b"ciclosporin", ["ciclosporin"]])
def test_drug_name_that_is_not_a_string_is_a_type_error(name: Any) -> None:
    with pytest.raises(TypeError) as info:
        ae_systemic.drug(name)
    assert not isinstance(info.value, UnknownDrugError)
    assert type(name).__name__ in str(info.value)


def test_drugs_is_a_tuple_of_the_guideline_drugs() -> None:
    all_drugs = ae_systemic.drugs()
    assert type(all_drugs) is tuple
    assert all_drugs == ae_systemic.guideline().drugs
    assert [d.name for d in all_drugs] == ["ciclosporin"]
    assert all(isinstance(d, Drug) for d in all_drugs)


def test_guideline_returns_the_same_object_on_repeated_calls() -> None:
    first = ae_systemic.guideline()
    assert isinstance(first, Guideline)
    assert ae_systemic.guideline() is first
    assert ae_systemic.guideline() is first
    assert ae_systemic.drugs() is first.drugs


def test_loading_happens_once_when_many_threads_ask_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = ae_systemic.guideline()
    monkeypatch.setattr(ae_systemic._loading, "_guideline", None)

    read = ae_systemic._loading._read_packaged
    reads: list[int] = []
    reading = threading.Lock()

    def counting_read() -> Guideline:
        with reading:
            reads.append(1)
        # Give the other threads every chance to race into a second read.
        threading.Event().wait(0.05)
        return read()

    monkeypatch.setattr(ae_systemic._loading, "_read_packaged", counting_read)

    threads = 16
    barrier = threading.Barrier(threads)
    results: list[Guideline | None] = [None] * threads
    errors: list[BaseException] = []

    def ask(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = ae_systemic.guideline()
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)

    workers = [threading.Thread(target=ask, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)

    assert not errors
    assert len(reads) == 1
    first = results[0]
    assert isinstance(first, Guideline)
    assert all(result is first for result in results)
    assert first is not original
    assert first == original
    assert ae_systemic.guideline() is first


def _run_python(code: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


_WATCH_IMPORT = """
    import sys

    opened = []

    def audit(event, args):
        if event == "open" and "ae_systemic" in str(args[0]) and str(args[0]).endswith(".json"):
            opened.append(str(args[0]))

    sys.addaudithook(audit)
    import ae_systemic
"""


def test_importing_the_package_neither_imports_cattrs_nor_reads_data() -> None:
    out = _run_python(
        _WATCH_IMPORT
        + """
    loading = sys.modules.get("ae_systemic._loading")
    print("cattrs" in sys.modules, loading is None or loading._guideline is None, len(opened))
    """
    )
    assert out == "False True 0"


def test_first_use_reads_data_and_valid_data_needs_no_cattrs() -> None:
    # The control for the test above: the same probes do see a load when one happens; and
    # valid data is structured without importing cattrs (only invalid data needs it, to
    # name the paths of its problems).
    out = _run_python(
        _WATCH_IMPORT
        + """
    ae_systemic.drug("CsA")
    print("cattrs" in sys.modules, ae_systemic._loading._guideline is None, len(opened) >= 2)
    """
    )
    assert out == "False False True"


def test_drug_is_frozen() -> None:
    csa = ae_systemic.drug("ciclosporin")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        csa.name = "other"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        csa.regimens[0].rate.low = 1.0  # type: ignore[misc, union-attr]
    assert csa.name == "ciclosporin"
    assert isinstance(csa.regimens, tuple)


def test_guideline_is_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        ae_systemic.guideline().drugs = ()  # type: ignore[misc]
