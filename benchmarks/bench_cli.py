"""Cold start of the command line, as a ratio against pint's own cold start (medians).

Run: ``.venv/bin/python benchmarks/bench_cli.py`` (add ``--quick`` for fewer rounds).

Each measurement is the wall time of a fresh process, the two commands interleaved:

* baseline: ``python -c "import pint; pint.get_application_registry().Quantity(1, 'kg').to('g')"``,
  pint's own cold start (import, build the default registry, one conversion);
* ours: ``ae-systemic dose ciclosporin --weight 70kg`` (the installed console script, or
  ``python -m ae_systemic._cli`` when there is none), with its pint cache already written
  (``AE_SYSTEMIC_CACHE_DIR`` points at a temporary directory, filled by one run first).

Target: ours / baseline <= 0.8.  For context it also prints, without a target, the
command line with the cache turned off (``AE_SYSTEMIC_CACHE_DIR=""``), and the first
run, which writes the cache.  The test suite never asserts times.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 0.8
BASELINE = [
    sys.executable,
    "-c",
    "import pint; pint.get_application_registry().Quantity(1, 'kg').to('g')",
]
ARGUMENTS = ["dose", "ciclosporin", "--weight", "70kg"]


def command_line() -> list[str]:
    """The installed ``ae-systemic`` script next to this interpreter, else ``-m``."""
    script = Path(sys.executable).with_name("ae-systemic")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "ae_systemic._cli"]


def wall_time(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return elapsed


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown cpu"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    rounds = 5 if parser.parse_args().quick else 21

    ours = [*command_line(), *ARGUMENTS]
    cache = tempfile.mkdtemp(prefix="ae-systemic-bench-")
    try:
        cached = dict(os.environ, AE_SYSTEMIC_CACHE_DIR=cache)
        uncached = dict(os.environ, AE_SYSTEMIC_CACHE_DIR="")
        first_run = wall_time(ours, cached)  # writes the cache
        wall_time(BASELINE, cached)  # warm the file system caches
        mine, base, without_cache = [], [], []
        for _ in range(rounds):
            mine.append(wall_time(ours, cached))
            base.append(wall_time(BASELINE, cached))
            without_cache.append(wall_time(ours, uncached))
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    import pint

    median_ours, median_base = statistics.median(mine), statistics.median(base)
    ratio = median_ours / median_base
    print(
        f"machine: {platform.machine()}, {cpu_name()}, {os.cpu_count()} cpus, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"pint {pint.__version__}"
    )
    print(f"command: {' '.join(Path(ours[0]).name if i == 0 else a for i, a in enumerate(ours))}")
    print(f"rounds: {rounds} fresh processes per side, interleaved")
    print(f"pint cold start (baseline): median {median_base * 1e3:.0f} ms")
    print(f"ae-systemic dose, cache written: median {median_ours * 1e3:.0f} ms")
    print(
        f"  for context: without the cache {statistics.median(without_cache) * 1e3:.0f} ms; "
        f"first run, writing the cache {first_run * 1e3:.0f} ms"
    )
    verdict = "ok" if ratio <= TARGET else "OVER TARGET"
    print(f"ae-systemic dose / pint cold start: {ratio:.3f} (target <= {TARGET}) {verdict}")


if __name__ == "__main__":
    main()
