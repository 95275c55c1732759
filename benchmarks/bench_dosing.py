"""Dosing speed as ratios against baselines measured in the same run (medians).

Run: ``.venv/bin/python benchmarks/bench_dosing.py`` (add ``--quick`` for fewer rounds).

1. one ``daily_dose`` call for a scalar weight vs the naive pint expression
   ``(Q(5, "mg/kg/day") * w).to("mg/day")``  (target <= 0.25);
2. 10**6 weights in one array, the call plus reading all four quantities, vs the
   same four multiplications in raw numpy  (target <= 3);
3. ``import ae_systemic`` vs ``import pint`` in fresh processes  (target <= 1.1);
4. the first ``daily_dose`` in a fresh process vs pint's own first conversion in a
   fresh process  (target <= 1.05), over at least 21 rounds of fresh processes;
   in the same rounds, for information, pint's first conversion after ``import attrs``:
   the floor of any package whose values are attrs classes.

Fresh processes load this package from bytecode, as pint, attrs and cattrs load theirs
(an installer compiles it): the script compiles the package's bytecode first, which an
editable install run with ``PYTHONDONTWRITEBYTECODE`` set would otherwise never have,
so that every fresh process would compile the package's source again.
"""

from __future__ import annotations

import argparse
import compileall
import platform
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pint

import ae_systemic

TARGETS = {
    "scalar daily_dose / naive pint": 0.25,
    "scalar daily_dose + 4 quantities / naive pint": None,
    "array 1e6 daily_dose + 4 quantities / raw numpy": 3.0,
    "import ae_systemic / import pint": 1.1,
    "first daily_dose / first pint conversion (fresh process)": 1.05,
    "first pint conversion after import attrs / without": None,
    "first daily_dose / first pint conversion after import attrs": None,
}

#: Fewest alternating pairs of fresh processes behind the first-dose ratio (its medians).
MIN_FIRST_DOSE_PAIRS = 21

IMPORT_PINT = "import pint"
IMPORT_OURS = "import ae_systemic"
FIRST_PINT = (
    "import pint; Q = pint.get_application_registry().Quantity; "
    "(Q(5, 'mg/kg/day') * Q(70, 'kg')).to('mg/day')"
)
#: The floor of any package whose values are attrs classes: pint's first conversion after
#: importing attrs (attrs builds its own validator classes as it is imported).
FIRST_PINT_ATTRS = f"import attrs; {FIRST_PINT}"
FIRST_OURS = (
    "import pint, ae_systemic; Q = pint.get_application_registry().Quantity; "
    "ae_systemic.daily_dose('ciclosporin', Q(70, 'kg')).low"
)


def per_call(func: Callable[[], object], number: int, repeat: int) -> float:
    """Median seconds per call over ``repeat`` rounds of ``number`` calls."""
    return statistics.median(t / number for t in timeit.repeat(func, number=number, repeat=repeat))


def fresh_process(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def compile_package() -> None:
    """Write the package's bytecode, so that fresh processes load it as installed packages do."""
    package = Path(ae_systemic.__file__).parent
    if not compileall.compile_dir(package, quiet=1):
        raise SystemExit(f"could not compile {package}")


def interleaved_processes(*commands: str, rounds: int) -> list[float]:
    """Medians of fresh-process wall times of ``commands``, run in turn ``rounds`` times."""
    for code in commands:  # warm the file system caches
        fresh_process(code)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(rounds):
        for code, runs in zip(commands, times, strict=True):
            runs.append(fresh_process(code))
    return [statistics.median(runs) for runs in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    rounds = 5 if args.quick else 21
    repeat = 5 if args.quick else 15

    Q = pint.get_application_registry().Quantity  # type: ignore[no-untyped-call]
    csa = ae_systemic.drug("ciclosporin")
    w = Q(70.0, "kg")
    ae_systemic.daily_dose(csa, w)  # load content and parse units before timing

    def naive() -> object:
        return (Q(5, "mg/kg/day") * w).to("mg/day")

    def ours() -> object:
        return ae_systemic.daily_dose(csa, w)

    def ours_all() -> object:
        dose = ae_systemic.daily_dose(csa, w)
        return dose.low, dose.high, dose.per_dose_low, dose.per_dose_high

    t_naive = per_call(naive, 200, repeat)
    t_ours = per_call(ours, 2000, repeat)
    t_ours_all = per_call(ours_all, 1000, repeat)

    rng = np.random.default_rng(0)
    weights = rng.uniform(3.0, 150.0, 1_000_000)
    cohort = Q(weights, "kg")
    a, b, c, d = 2.5, 5.0, 1.25, 2.5

    def raw() -> object:
        return weights * a, weights * b, weights * c, weights * d

    def ours_array() -> object:
        dose = ae_systemic.daily_dose(csa, cohort)
        return dose.low, dose.high, dose.per_dose_low, dose.per_dose_high

    t_raw = per_call(raw, 5, repeat)
    t_array = per_call(ours_array, 5, repeat)

    compile_package()
    imp_ours, imp_pint = interleaved_processes(IMPORT_OURS, IMPORT_PINT, rounds=rounds)
    first_rounds = max(rounds, MIN_FIRST_DOSE_PAIRS)
    first_ours, first_pint, first_attrs = interleaved_processes(
        FIRST_OURS, FIRST_PINT, FIRST_PINT_ATTRS, rounds=first_rounds
    )

    ratios = {
        "scalar daily_dose / naive pint": t_ours / t_naive,
        "scalar daily_dose + 4 quantities / naive pint": t_ours_all / t_naive,
        "array 1e6 daily_dose + 4 quantities / raw numpy": t_array / t_raw,
        "import ae_systemic / import pint": imp_ours / imp_pint,
        "first daily_dose / first pint conversion (fresh process)": first_ours / first_pint,
        "first pint conversion after import attrs / without": first_attrs / first_pint,
        "first daily_dose / first pint conversion after import attrs": first_ours / first_attrs,
    }
    print(
        f"machine: {platform.machine()}, {platform.processor() or 'unknown cpu'}, "
        f"Python {platform.python_version()}, pint {pint.__version__}, numpy {np.__version__}"
    )
    print(
        f"naive pint {t_naive * 1e6:.1f} us; daily_dose {t_ours * 1e6:.1f} us; "
        f"with 4 quantities {t_ours_all * 1e6:.1f} us"
    )
    print(f"raw numpy x4 {t_raw * 1e3:.2f} ms; daily_dose array {t_array * 1e3:.2f} ms")
    print(f"import pint {imp_pint * 1e3:.0f} ms; import ae_systemic {imp_ours * 1e3:.0f} ms")
    print(
        f"first pint conversion {first_pint * 1e3:.0f} ms; "
        f"first daily_dose {first_ours * 1e3:.0f} ms; "
        f"first pint conversion after import attrs {first_attrs * 1e3:.0f} ms "
        f"({first_rounds} rounds, the three interleaved)"
    )
    for name, ratio in ratios.items():
        target = TARGETS[name]
        verdict = "" if target is None else (" ok" if ratio <= target else " OVER TARGET")
        limit = "" if target is None else f" (target <= {target})"
        print(f"{name}: {ratio:.3f}{limit}{verdict}")


if __name__ == "__main__":
    main()
