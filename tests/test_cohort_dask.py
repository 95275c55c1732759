"""assess_table on a real Dask cluster: two worker processes, and one of them killed.

A ``distributed.LocalCluster`` of two worker processes (one thread each) is started once for
the file.  On it, a Dask result is lazy and, computed, equals the pandas result of the same
synthetic cohort; ``errors="raise"`` raises :class:`~ae_systemic.DoseInputError` on the
client, naming the row and the column (the error pickled from a worker process); and a
worker process killed with SIGKILL while the computation runs is replaced by its nanny, the
lost tasks run again, and the result is still the pandas result.

The cohort is synthetic (numpy, seeded): no real patients.  Every wait is bounded: results
by ``Future.result(timeout=...)``, polling by a deadline, and a call that cannot be given a
timeout (``summarize``, which computes inside) runs in a thread joined with a timeout.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import pytest

from ae_systemic import DoseInputError, assess_table, summarize

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import dask.dataframe as dd
from distributed import Client, Future, LocalCluster

#: Every wait of this file ends within this many seconds.
TIMEOUT = 60.0
SEED = 20261203
ROWS = 3000
PARTITIONS = 8
#: The fault test: more partitions, each read with a short sleep, so that a kill lands mid-run.
SLOW_PARTITIONS = 16
SLEEP_SECONDS = 0.25
UNITS = {"age": "year", "weight": "kg", "amount": "mg", "period": "h"}

_T = TypeVar("_T")


def synthetic_cohort(rows: int = ROWS, seed: int = SEED) -> pd.DataFrame:
    """A made-up cohort with every kind of field, bad rows and rows without a prescription.

    The numbers are drawn at random, not taken from any patient or from the guideline.  The
    index labels are text (``"p00042"``), so that an error names a row by its label.
    """
    rng = np.random.default_rng(seed)
    prescribed = rng.random(rows) < 0.8
    amount = np.where(prescribed, rng.choice([25.0, 50.0, 100.0, 150.0, 200.0], rows), np.nan)
    frequency = np.where(prescribed, rng.choice([1.0, 2.0, 2.0, 3.0], rows), np.nan)
    period = np.where(prescribed, rng.choice([24.0, 24.0, 12.0, 48.0], rows), np.nan)
    frame = pd.DataFrame(
        {
            "age": rng.uniform(2.0, 80.0, rows).round(1),
            "weight": rng.uniform(12.0, 110.0, rows).round(1),
            "pregnant": pd.array(rng.random(rows) < 0.02, dtype="boolean"),
            # Text (and the index) as pandas' "string" dtype, which Dask keeps as it is: a
            # plain ``str`` column would become "string" on the way in, and compare unequal.
            "phototherapy": pd.array(
                rng.choice(["", "", "", "UVB", "PUVA", "UVA, UVB"], rows), dtype="string"
            ),
            "co_medication_pathways": pd.array(
                rng.choice(["", "", "", "CYP3A4", "P-gp,OATP", "oatp"], rows), dtype="string"
            ),
            "amount": amount,
            "frequency": frequency,
            "period": period,
        },
        index=pd.Index([f"p{i:05d}" for i in range(rows)], dtype="string", name="id"),
    )
    bad = frame.index[rng.choice(rows, 48, replace=False)]
    frame.loc[bad[:8], "weight"] = -1.0
    frame.loc[bad[8:16], "age"] = np.nan
    frame.loc[bad[16:24], "frequency"] = 0.0
    frame.loc[bad[24:32], "phototherapy"] = "laser"
    frame.loc[bad[32:40], "pregnant"] = pd.NA
    frame.loc[bad[40:], "amount"] = 5000.0
    return frame


def _signalled(partition: pd.DataFrame, folder: str, seconds: float) -> pd.DataFrame:
    """TEST ONLY: the partition unchanged, after leaving a file in ``folder`` and sleeping.

    The file's name starts with the process id of the worker that read the partition, so
    the test sees which worker is busy, and how often partitions were read.
    """
    first = partition.index[0] if len(partition) else "empty"
    Path(folder, f"{os.getpid()}-{first}-{time.monotonic_ns()}").touch()
    if seconds:
        time.sleep(seconds)
    return partition


# dask and distributed are not annotated: their calls are wrapped once, here.


def _from_pandas(frame: pd.DataFrame, partitions: int) -> dd.DataFrame:
    table: dd.DataFrame = dd.from_pandas(frame, npartitions=partitions)  # type: ignore[no-untyped-call]
    return table


def _watched(table: dd.DataFrame, folder: Path, seconds: float) -> dd.DataFrame:
    """``table``, each partition passed through :func:`_signalled` when it is computed."""
    watched: dd.DataFrame = table.map_partitions(  # type: ignore[no-untyped-call]
        _signalled, str(folder), seconds, meta=table._meta
    )
    return watched


def _submitted(client: Client, result: dd.DataFrame) -> Future[pd.DataFrame]:
    future: Future[pd.DataFrame] = client.compute(result)  # type: ignore[no-untyped-call]
    return future


def _running(future: Future[pd.DataFrame]) -> bool:
    done: bool = future.done()  # type: ignore[no-untyped-call]
    return not done


def _computed(client: Client, result: dd.DataFrame) -> pd.DataFrame:
    computed: pd.DataFrame = _submitted(client, result).result(timeout=TIMEOUT)
    return computed


def _signals(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def _within(seconds: float, call: Callable[[], _T]) -> _T:
    """``call()``, or a test failure if it has not returned within ``seconds``."""
    results: list[_T] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            results.append(call())
        except BaseException as exc:  # re-raised below, in the test's thread
            failures.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"did not finish within {seconds:g} s")
    if failures:
        raise failures[0]
    return results[0]


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Client]:
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        client.wait_for_workers(2, timeout=TIMEOUT)
        yield client


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return synthetic_cohort()


@pytest.fixture(scope="module")
def expected(cohort: pd.DataFrame) -> pd.DataFrame:
    result = assess_table("ciclosporin", cohort, units=UNITS)
    # The cohort is what the tests say it is: bad rows, prescriptions and rows without.
    assert result["error"].notna().sum() >= 40
    assert set(result["dose_status"].dropna()) == {"below", "within", "above"}
    assert (result["error"].isna() & result["dose_status"].isna()).sum() > 100
    return result


def test_a_dask_result_is_lazy_and_computed_equals_pandas(
    dask_client: Client, cohort: pd.DataFrame, expected: pd.DataFrame, tmp_path: Path
) -> None:
    table = _from_pandas(cohort, PARTITIONS)
    watched = _watched(table, tmp_path, 0.0)
    result = assess_table("ciclosporin", watched, units=UNITS)
    assert isinstance(result, dd.DataFrame)
    assert result.npartitions == PARTITIONS
    assert list(result.columns) == list(expected.columns)
    pd.testing.assert_series_equal(result.dtypes, expected.dtypes)
    assert _signals(tmp_path) == []  # no partition was read: nothing was computed
    computed = _computed(dask_client, result)
    pd.testing.assert_frame_equal(computed, expected)
    assert len(_signals(tmp_path)) == PARTITIONS  # each partition read once, on the cluster


def test_summarize_of_the_dask_result_equals_summarize_of_pandas(
    dask_client: Client, cohort: pd.DataFrame, expected: pd.DataFrame
) -> None:
    result = assess_table("ciclosporin", _from_pandas(cohort, PARTITIONS), units=UNITS)
    summary = _within(TIMEOUT, lambda: summarize(result))
    pd.testing.assert_frame_equal(summary, summarize(expected))


def test_raise_on_the_cluster_names_the_row_and_column_on_the_client(
    dask_client: Client, cohort: pd.DataFrame, expected: pd.DataFrame
) -> None:
    clean = cohort[expected["error"].isna().to_numpy()].copy()
    label = str(clean.index[len(clean) // 2])
    clean.loc[label, "weight"] = -1.0  # the only bad row, in a partition in the middle
    with pytest.raises(DoseInputError) as in_pandas:
        assess_table("ciclosporin", clean, units=UNITS, errors="raise")
    table = _from_pandas(clean, PARTITIONS)
    result = assess_table("ciclosporin", table, units=UNITS, errors="raise")  # lazy: no raise
    future = _submitted(dask_client, result)
    with pytest.raises(DoseInputError) as on_cluster:
        future.result(timeout=TIMEOUT)
    error = on_cluster.value
    assert (error.argument, error.index) == ("weight", label)
    assert str(error).startswith(f"weight[{label!r}]: -1.0 kg must be positive")
    assert str(error) == str(in_pandas.value)


def test_a_worker_killed_mid_run_is_replaced_and_the_result_is_the_same(
    dask_client: Client, cohort: pd.DataFrame, expected: pd.DataFrame, tmp_path: Path
) -> None:
    # Last in the file: it kills a worker (its nanny starts another, waited for below).
    table = _from_pandas(cohort, SLOW_PARTITIONS)
    slowed = _watched(table, tmp_path, SLEEP_SECONDS)
    result = assess_table("ciclosporin", slowed, units=UNITS)
    pids = dask_client.run(os.getpid)
    assert len(pids) == 2
    victim = min(pids.values())

    future = _submitted(dask_client, result)
    deadline = time.monotonic() + TIMEOUT
    while not any(name.startswith(f"{victim}-") for name in _signals(tmp_path)):
        assert time.monotonic() < deadline, "no partition was read by the worker in time"
        time.sleep(0.02)
    assert _running(future)  # the computation is running, and the worker holds work
    os.kill(victim, signal.SIGKILL)

    computed = future.result(timeout=TIMEOUT)
    pd.testing.assert_frame_equal(computed, expected)
    # What the killed worker had read or held was lost and read again elsewhere.
    assert len(_signals(tmp_path)) > SLOW_PARTITIONS
    dask_client.wait_for_workers(2, timeout=TIMEOUT)
    assert victim not in dask_client.run(os.getpid).values()
