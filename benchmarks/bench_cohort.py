"""Cohort speed and memory, as ratios against baselines measured in the same run (medians).

Run: ``.venv/bin/python benchmarks/bench_cohort.py`` (``--quick`` for fewer rounds and a
10**6-row file instead of 10**7).

1. ``assess_table`` on 10**4 rows with every field vs a Python loop of
   ``assess(..., prescription=...)`` over the same rows, per row  (target: >= 200x faster);
2. ``assess_table`` on 10**6 rows with the numeric fields only (age, weight, amount,
   frequency) vs the raw numpy baseline below on the same arrays, the two taking turns
   (15 rounds)  (target: <= 5x);
3. ``ae-systemic audit`` on a generated 10**7-row Parquet file: peak resident memory of the
   process (``os.wait4``'s ``ru_maxrss``; target <= 1.5 GiB) and rows per second;
4. the same file on a Dask ``LocalCluster`` of 2 worker processes (``read_parquet``,
   ``assess_table``, ``to_parquet``): rows per second and each worker's peak memory.

The test suite never asserts times; this script prints the figures and whether each
target is met.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import ae_systemic
from ae_systemic import CoMedication, Pathway, Patient, Phototherapy, Prescription

TARGETS = {
    "loop of assess / assess_table, per row (10^4 rows, all fields)": (">=", 200.0),
    "assess_table / raw numpy (10^6 rows, numeric fields)": ("<=", 5.0),
    "audit peak memory, GiB": ("<=", 1.5),
}
UNITS = {"age": "year", "weight": "kg", "amount": "mg", "period": "day"}
GIB = 1024**3


def median_time(func: Callable[[], object], repeat: int, number: int = 1) -> float:
    """Median seconds per call over ``repeat`` rounds of ``number`` calls."""
    return statistics.median(t / number for t in timeit.repeat(func, number=number, repeat=repeat))


def interleaved_medians(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Median seconds of one call of each, the two calls taking turns ``repeat`` times.

    Taking turns puts both sides in the same state of the machine (caches, frequency, other
    load), which two runs one after the other do not: the ratio is what is compared.
    """
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for func, runs in zip((first, second), times, strict=True):
            start = time.perf_counter()
            func()
            runs.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def cohort(rows: int, seed: int = 0, *, numeric_only: bool = False) -> pd.DataFrame:
    """A synthetic cohort (no real patients): ages, weights and orders drawn with numpy."""
    rng = np.random.default_rng(seed)
    columns: dict[str, Any] = {
        "age": rng.uniform(2.0, 90.0, rows).round(1),
        "weight": rng.uniform(12.0, 130.0, rows).round(1),
        "amount": rng.choice([25.0, 50.0, 100.0, 150.0, 200.0], rows),
        "frequency": rng.integers(1, 3, rows, endpoint=True).astype(np.float64),
    }
    if not numeric_only:
        columns["period"] = np.full(rows, 1.0)
        columns["pregnant"] = rng.random(rows) < 0.02
        columns["phototherapy"] = rng.choice(["", "", "", "UVB", "PUVA", "UVA,UVB"], rows)
        columns["co_medication_pathways"] = rng.choice(["", "", "CYP3A4", "P-gp,OATP"], rows)
    return pd.DataFrame(columns)


def loop_of_assess(frame: pd.DataFrame) -> list[ae_systemic.Assessment]:
    """What a researcher writes without assess_table: one assess() per row."""
    Q = ae_systemic.application_registry().Quantity
    csa = ae_systemic.drug("ciclosporin")
    photo = {p.value: p for p in Phototherapy}
    paths = {p.value.casefold(): p for p in Pathway}
    results = []
    records: list[dict[Any, Any]] = frame.to_dict("records")
    for row in records:
        texts = str(row["co_medication_pathways"]).split(",")
        pathways = frozenset(paths[t.casefold()] for t in texts if t)
        patient = Patient(
            Q(row["age"], "year"),
            Q(row["weight"], "kg"),
            pregnant=bool(row["pregnant"]),
            phototherapy=frozenset(photo[t] for t in str(row["phototherapy"]).split(",") if t),
            co_medications=(CoMedication("medicine", pathways),) if pathways else (),
        )
        order = Prescription(
            Q(row["amount"], "mg"), frequency=int(row["frequency"]), period=Q(row["period"], "day")
        )
        results.append(ae_systemic.assess(csa, patient, prescription=order))
    return results


def raw_numpy(age_years: Any, weight_kg: Any, amount_mg: Any, frequency: Any) -> object:
    """The baseline of the issue, as given."""
    adult = age_years >= 18.0
    licensed = age_years >= 16.0
    low = np.where(adult, 2.5, 2.5) * weight_kg
    high = np.where(adult, 5.0, 5.0) * weight_kg
    per_low, per_high = low / 2, high / 2
    daily = amount_mg * frequency
    status = np.where(daily < low, -1, np.where(daily > high, 1, 0))
    return licensed, per_low, per_high, status


def write_parquet(path: Path, rows: int, chunk: int = 1_000_000) -> None:
    """A ``rows``-row cohort file, written a chunk at a time (row groups of ``chunk``)."""
    writer: pq.ParquetWriter | None = None
    try:
        for start in range(0, rows, chunk):
            table = pa.Table.from_pandas(
                cohort(min(chunk, rows - start), seed=start), preserve_index=False
            )
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def command_line() -> list[str]:
    script = Path(sys.executable).with_name("ae-systemic")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "ae_systemic._cli"]


def audit(source: Path, out: Path) -> tuple[float, float, str]:
    """Run ``ae-systemic audit`` on ``source``: seconds, peak RSS in bytes, its summary."""
    command = [
        *command_line(),
        "audit",
        "ciclosporin",
        str(source),
        "--out",
        str(out),
        "--weight-unit",
        "kg",
        "--age-unit",
        "year",
        "--amount-unit",
        "mg",
        "--period-unit",
        "day",
    ]
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, text=True)
        # Reaped here, not by Popen, to read the child's own resource usage.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"audit failed ({process.returncode}): {stderr.read().strip()}")
        # Linux reports the peak resident set in KiB.
        return seconds, float(usage.ru_maxrss) * 1024, stdout.read()


def dask_run(source: Path, out: Path) -> tuple[float, list[float]]:
    """The file on 2 local worker processes: seconds, and each worker's peak RSS in bytes."""
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

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
        start = time.perf_counter()
        frame = dd.read_parquet(str(source), split_row_groups=True)
        result = ae_systemic.assess_table("ciclosporin", frame, units=UNITS)
        result.to_parquet(str(out), write_index=False)
        seconds = time.perf_counter() - start
        peaks = client.run(_peak_rss)
    return seconds, [float(value) for value in peaks.values()]


def _peak_rss() -> float:
    import resource

    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds, a smaller file")
    parser.add_argument("--rows", type=int, default=None, help="rows of the generated file")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask run")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    file_rows = args.rows or (1_000_000 if args.quick else 10_000_000)
    figures: dict[str, float] = {}

    small = cohort(10_000)
    ae_systemic.assess_table("ciclosporin", small.head(10), units=UNITS)  # content, units
    t_table = median_time(
        lambda: ae_systemic.assess_table("ciclosporin", small, units=UNITS), repeat
    )
    sample = small.head(1_000 if not args.quick else 300)
    t_loop = median_time(lambda: loop_of_assess(sample), 3) / len(sample)
    figures["loop of assess / assess_table, per row (10^4 rows, all fields)"] = t_loop / (
        t_table / len(small)
    )

    big = cohort(1_000_000, numeric_only=True)
    arrays = [big[name].to_numpy() for name in ("age", "weight", "amount", "frequency")]
    numeric_units = {"age": "year", "weight": "kg", "amount": "mg"}
    ae_systemic.assess_table("ciclosporin", big.head(10), units=numeric_units)
    t_raw, t_big = interleaved_medians(
        lambda: raw_numpy(*arrays),
        lambda: ae_systemic.assess_table("ciclosporin", big, units=numeric_units),
        2 * repeat + 1,
    )
    figures["assess_table / raw numpy (10^6 rows, numeric fields)"] = t_big / t_raw

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, pandas {pd.__version__}, pyarrow {pa.__version__}, "
        f"numpy {np.__version__}"
    )
    print(
        f"10^4 rows: assess_table {t_table * 1e3:.1f} ms ({t_table / len(small) * 1e6:.2f} "
        f"us/row); loop of assess {t_loop * 1e6:.0f} us/row"
    )
    print(f"10^6 rows: raw numpy {t_raw * 1e3:.1f} ms; assess_table {t_big * 1e3:.1f} ms")

    with tempfile.TemporaryDirectory(prefix="bench-cohort-") as folder:
        source = Path(folder) / "cohort.parquet"
        start = time.perf_counter()
        write_parquet(source, file_rows)
        print(
            f"generated {file_rows:,} rows ({source.stat().st_size / 2**20:.0f} MiB) in "
            f"{time.perf_counter() - start:.1f} s"
        )
        seconds, peak, summary = audit(source, Path(folder) / "result.parquet")
        figures["audit peak memory, GiB"] = peak / GIB
        print(
            f"audit: {seconds:.1f} s, {file_rows / seconds:,.0f} rows/s, peak RSS "
            f"{peak / 2**20:.0f} MiB"
        )
        print("audit summary:\n  " + "\n  ".join(summary.strip().splitlines()))
        if not args.no_dask:
            seconds, peaks = dask_run(source, Path(folder) / "dask-result")
            print(
                f"dask, 2 worker processes: {seconds:.1f} s, {file_rows / seconds:,.0f} rows/s, "
                "peak RSS per worker " + ", ".join(f"{value / 2**20:.0f} MiB" for value in peaks)
            )

    for name, value in figures.items():
        sense, target = TARGETS[name]
        met = value >= target if sense == ">=" else value <= target
        print(f"{name}: {value:.2f} (target {sense} {target}) {'ok' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
