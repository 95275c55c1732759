"""Threads: the lazy content load happens once, and concurrent calls agree with serial ones.

The first test empties the content cache and the lookup index, then lets 32 threads ask for
the content at the same moment: the data files must be read exactly once and every thread
must get the very same objects.  The others run the public functions from 8 threads at once
(each call many times, interleaved with the others) and compare every result, exactly, with
the same call made in one thread.
"""

from __future__ import annotations

import datetime
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import numpy as np
import pint
import pytest

import ae_systemic
import ae_systemic._loading
from ae_systemic import (
    Assessment,
    CoMedication,
    DoseRange,
    Drug,
    Guideline,
    JSONValue,
    Pathway,
    Patient,
    Phase,
    Phototherapy,
    Population,
    assess,
    daily_dose,
    monitoring_schedule,
)
from ae_systemic.fhir import to_bundle

APP: pint.UnitRegistry[float] = pint.get_application_registry()  # type: ignore[no-untyped-call]
Q = APP.Quantity

LOAD_THREADS = 32
THREADS = 8
CALLS_PER_THREAD = 200
TIMEOUT = 30.0


@pytest.fixture(autouse=True)
def _switch_often() -> Iterator[None]:
    """Make the interpreter switch threads far more often, so that races show up."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


@pytest.fixture
def cold_content(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """No content loaded; yields the list each real read appends to.

    The lookup index belongs to the guideline object (``Guideline.drug``), so a fresh
    read brings a fresh index, and the monkeypatch puts the original content back.
    """
    original = ae_systemic._loading._read_packaged
    reads: list[int] = []
    counting = threading.Lock()

    def counting_read() -> Guideline:
        with counting:
            reads.append(threading.get_ident())
        # Give the other threads every chance to race into a second read.
        threading.Event().wait(0.05)
        return original()

    monkeypatch.setattr(ae_systemic._loading, "_guideline", None)
    monkeypatch.setattr(ae_systemic._loading, "_read_packaged", counting_read)
    return reads


def _run_together(workers: int, task: Callable[[int], Any]) -> list[Any]:
    """``task(i)`` for every ``i`` below ``workers``, all started at once behind a barrier."""
    barrier = threading.Barrier(workers)

    def run(index: int) -> Any:
        barrier.wait(timeout=TIMEOUT)
        return task(index)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run, index) for index in range(workers)]
        return [future.result(timeout=TIMEOUT) for future in futures]


# -- the lazy load --------------------------------------------------------------------------


def test_the_content_is_read_once_when_32_threads_ask_at_once(cold_content: list[int]) -> None:
    def ask(_: int) -> tuple[Guideline, tuple[Drug, ...], Drug, Drug]:
        return (
            ae_systemic.guideline(),
            ae_systemic.drugs(),
            ae_systemic.drug("ciclosporin"),
            ae_systemic.drug(" CsA "),
        )

    results = _run_together(LOAD_THREADS, ask)

    assert len(cold_content) == 1, f"the content was read {len(cold_content)} times"
    content, drugs, found, synonym = results[0]
    assert isinstance(content, Guideline)
    assert drugs is content.drugs
    assert found is content.drugs[0]
    assert synonym is found
    for other in results:
        assert other[0] is content
        assert other[1] is drugs
        assert other[2] is found
        assert other[3] is found
    # Later calls, from this thread, get the same objects and read nothing more.
    assert ae_systemic.guideline() is content
    assert ae_systemic.drug("cyclosporine") is found
    assert len(cold_content) == 1


def test_the_loaded_content_equals_the_content_loaded_in_one_thread(
    cold_content: list[int],
) -> None:
    results = _run_together(LOAD_THREADS, lambda _: ae_systemic.guideline())
    reference = ae_systemic._loading._read_packaged()  # a fresh read, in this thread
    assert all(result is results[0] for result in results)
    assert results[0] == reference
    assert results[0] is not reference


# -- many calls at once -----------------------------------------------------------------------


def _exact(value: object) -> object:
    """``value`` as plain data compared exactly: magnitudes (as lists), units and text."""
    if isinstance(value, pint.Quantity):
        magnitude = value.magnitude
        if isinstance(magnitude, np.ndarray):
            return ("array", magnitude.dtype.str, magnitude.shape, magnitude.tolist(), str(value.u))
        return (type(magnitude).__name__, magnitude, str(value.u))
    if isinstance(value, DoseRange):
        return (
            "DoseRange",
            value.regimen,
            value.fallback,
            value.doses_per_day,
            value.references,
            _exact(value.weight),
            _exact(value.low),
            _exact(value.high),
            _exact(value.per_dose_low),
            _exact(value.per_dose_high),
            str(value),
        )
    if isinstance(value, Assessment):
        return (
            "Assessment",
            value.drug,
            value.population,
            value.regimen,
            _exact(value.dose),
            value.licensed,
            value.findings,
            str(value),
        )
    if isinstance(value, tuple):
        return tuple(_exact(item) for item in value)
    return value


SIMVASTATIN = CoMedication("simvastatin", frozenset({Pathway.CYP3A4}))
DIGOXIN = CoMedication("digoxin", frozenset({Pathway.P_GP}))

PATIENTS = (
    Patient(Q(40, "year"), Q(70, "kg")),
    Patient(Q(12, "year"), "35 kg"),
    Patient(Q(191, "month"), Q(52.5, "kg"), co_medications=(SIMVASTATIN, DIGOXIN)),
    Patient(
        "30 years",
        Q(154, "lb"),
        pregnant=True,
        phototherapy=frozenset({Phototherapy.UVB, Phototherapy.PUVA}),
    ),
    Patient(Q(17.5, "year"), Q(60000, "g"), co_medications=(DIGOXIN,)),
)

WEIGHTS = np.array([[3.5, 20.0, 70.0], [81.25, 140.0, 699.0]])


def _dose_calls() -> list[Callable[[], object]]:
    calls: list[Callable[[], object]] = []
    for population in Population:
        for phase in (None, *Phase):
            options = {"population": population, "phase": phase}
            calls += [
                partial(daily_dose, "ciclosporin", Q(70.0, "kg"), **options),
                partial(daily_dose, "CsA", Q(33, "kg"), **options),
                partial(daily_dose, ae_systemic.drug("ciclosporin"), "154 lb", **options),
                partial(daily_dose, "cyclosporine", Q(WEIGHTS, "kg"), **options),
                partial(
                    daily_dose, "ciclosporin", Q(np.array([300, 2000, 150000]), "g"), **options
                ),
            ]
    return calls


def _assess_calls() -> list[Callable[[], object]]:
    calls: list[Callable[[], object]] = []
    for patient in PATIENTS:
        calls += [partial(assess, "ciclosporin", patient, phase=f) for f in (None, *Phase)]
        calls.append(partial(assess, "CsA", patient, adult_from=Q(16, "year")))
    return calls


def _schedule_calls() -> list[Callable[[], object]]:
    starts = (datetime.date(2027, 1, 15), datetime.date(2027, 11, 30), datetime.date(2028, 2, 29))
    return [
        partial(monitoring_schedule, "ciclosporin", start, months=months)
        for start in starts
        for months in (1, 12, 25, 120)
    ]


def _agree_with_one_thread(calls: list[Callable[[], object]]) -> None:
    """Run ``calls`` serially, then from many threads at once, and compare every result."""
    expected = [_exact(call()) for call in calls]

    def work(thread: int) -> list[tuple[int, object]]:
        results = []
        for step in range(CALLS_PER_THREAD):
            # Each thread walks the calls from its own starting point, so different calls
            # run at the same time.
            index = (thread * 7 + step) % len(calls)
            results.append((index, _exact(calls[index]())))
        return results

    for results in _run_together(THREADS, work):
        assert len(results) == CALLS_PER_THREAD
        for index, result in results:
            assert result == expected[index], f"call {index} disagreed under threads"


def test_daily_dose_from_many_threads_agrees_with_one_thread() -> None:
    _agree_with_one_thread(_dose_calls())


def test_assess_from_many_threads_agrees_with_one_thread() -> None:
    _agree_with_one_thread(_assess_calls())


def test_dosing_and_assessing_mixed_from_many_threads_agree_with_one_thread() -> None:
    _agree_with_one_thread(_dose_calls() + _assess_calls() + _schedule_calls())


def test_monitoring_schedule_from_many_threads_agrees_with_one_thread() -> None:
    _agree_with_one_thread(_schedule_calls())


def test_a_new_registry_used_from_many_threads_at_once_gives_the_serial_results() -> None:
    # The units of a registry are parsed on its first use: here by 8 threads at once.
    fresh: pint.UnitRegistry[float] = pint.UnitRegistry()
    weights = (fresh.Quantity(70.0, "kg"), fresh.Quantity(154, "lb"), fresh.Quantity(WEIGHTS, "kg"))
    ages = (fresh.Quantity(12, "year"), fresh.Quantity(40, "year"))
    serial: pint.UnitRegistry[float] = pint.UnitRegistry()
    expected = [
        _exact(daily_dose("ciclosporin", serial.Quantity(70.0, "kg"))),
        _exact(daily_dose("ciclosporin", serial.Quantity(154, "lb"))),
        _exact(daily_dose("ciclosporin", serial.Quantity(WEIGHTS, "kg"))),
        [ae_systemic.is_licensed("ciclosporin", serial.Quantity(a, "year")) for a in (12, 40)],
    ]

    def work(thread: int) -> list[object]:
        order = [(thread + step) % len(weights) for step in range(len(weights))]
        doses = {i: _exact(daily_dose("ciclosporin", weights[i])) for i in order}
        licensed = [ae_systemic.is_licensed("ciclosporin", age) for age in ages]
        return [*(doses[i] for i in range(len(weights))), licensed]

    for results in _run_together(THREADS, work):
        assert results == expected
    assert daily_dose("ciclosporin", weights[0]).low._REGISTRY is fresh


def test_to_bundle_from_many_threads_agrees_with_one_thread() -> None:
    subjects: list[Drug | Guideline] = [ae_systemic.drug("ciclosporin"), ae_systemic.guideline()]
    expected = [to_bundle(subject) for subject in subjects]

    def work(thread: int) -> list[bool]:
        return [
            to_bundle(subjects[(thread + step) % 2]) == expected[(thread + step) % 2]
            for step in range(10)
        ]

    for agreed in _run_together(THREADS, work):
        assert all(agreed)


def test_results_made_in_threads_are_distinct_objects() -> None:
    # Nothing handed out is shared between callers: each thread gets its own quantities.
    def work(_: int) -> tuple[pint.Quantity[float], dict[str, JSONValue]]:
        return daily_dose("ciclosporin", Q(70.0, "kg")).low, to_bundle(ae_systemic.drug("csa"))

    results = _run_together(THREADS, work)
    assert len({id(low) for low, _ in results}) == THREADS
    assert len({id(bundle) for _, bundle in results}) == THREADS


FIRST_USE_FROM_THREADS = """
import threading, ae_systemic
barrier = threading.Barrier(8)
results, errors = [], []
def work():
    barrier.wait()
    try:
        results.append(ae_systemic.daily_dose("ciclosporin", "70 kg").high.m_as("mg/day"))
    except Exception as error:
        errors.append(repr(error))
threads = [threading.Thread(target=work) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(sorted(results), errors)
"""


def test_the_first_use_of_pints_lazy_registry_from_8_threads_at_once_works() -> None:
    # pint builds its default registry on first use; 8 threads doing so at once used to
    # leave 7 of them (and every later call) with "'70 kg' cannot be read as a quantity".
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", FIRST_USE_FROM_THREADS],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == f"{[350.0] * 8} []"
