"""Mutation testing of the computation core: run mutmut and print the score.

Usage, from the repository root, with the ``mutation`` extra installed
(``pip install -e '.[mutation,test]'``)::

    python tools/mutation.py                   # the whole run (resumes where it stopped)
    python tools/mutation.py --rerun-survivors # only the mutants that survived last time
    python tools/mutation.py --report          # the last figures, without running

The modules mutated and the tests run are configured in ``[tool.mutmut]`` of
``pyproject.toml``; mutmut works in ``mutants/`` (git-ignored).  The run is started under
``nice -n 19``: the machine is shared.  See ``docs/testing.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATS = ROOT / "mutants" / "mutmut-cicd-stats.json"


def mutmut_command() -> list[str]:
    """The mutmut of this interpreter's environment, or a message naming the extra."""
    beside = Path(sys.executable).parent / "mutmut"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("mutmut")
    if found is None:
        sys.exit("mutmut is not installed: pip install -e '.[mutation]'")
    return [found]


def nice() -> list[str]:
    return ["nice", "-n", "19"] if shutil.which("nice") else []


def survivors(mutmut: list[str]) -> list[str]:
    """The names of the mutants that survived (or had no test), from ``mutmut results``."""
    listing = subprocess.run(
        [*mutmut, "results"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    names = []
    for line in listing.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if status in ("survived", "no tests"):
            names.append(name)
    return names


def report(mutmut: list[str], seconds: float | None) -> int:
    """Print the figures of the last run and each survivor; 0 when none survived."""
    subprocess.run([*mutmut, "export-cicd-stats"], cwd=ROOT, check=True, capture_output=True)
    stats: dict[str, int] = json.loads(STATS.read_text(encoding="utf-8"))
    total = stats["total"]
    killed = stats["killed"]
    detected = killed + stats["timeout"]
    left = survivors(mutmut)
    print(
        f"mutants {total}, killed {killed}, timeouts {stats['timeout']}, "
        f"survived {stats['survived']}, no tests {stats['no_tests']}, "
        f"suspicious {stats['suspicious']}, skipped {stats['skipped']}"
    )
    if seconds is not None:
        print(f"time {seconds / 60:.1f} min")
    if total:
        print(f"score {100 * detected / total:.1f} % (killed and timeouts of all mutants)")
    for name in left:
        print(f"  survived: {name}")
    return 1 if left else 0


def unselectable_test_ids() -> list[str]:
    """Ids of the selected tests that mutmut could not select again by id.

    mutmut runs pytest several times in one process; pytest escapes a non-ASCII character or
    a backslash of a parametrized id again on each collection (``µg`` becomes ``\\xb5g``,
    then ``\\\\xb5g``), so such a test is "not found" and the run stops with exit code 4.
    """
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    selection = config["tool"]["mutmut"]["pytest_add_cli_args_test_selection"]
    listing = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
        + [arg for arg in selection if not arg.startswith("--deselect")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return [line for line in listing.splitlines() if "::" in line and "\\" in line]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mutation testing of the computation core.")
    parser.add_argument("--max-children", type=int, help="parallel workers (default: cores)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--rerun-survivors", action="store_true", help="run only last run's survivors again"
    )
    what.add_argument("--report", action="store_true", help="print the last figures only")
    args = parser.parse_args(argv)
    mutmut = mutmut_command()
    if args.report:
        return report(mutmut, None)
    bad_ids = unselectable_test_ids()
    if bad_ids:
        print("give these tests plain ASCII ids (pytest.param(..., id=...)):", file=sys.stderr)
        for test_id in bad_ids:
            print(f"  {test_id}", file=sys.stderr)
        return 2
    command = [*nice(), *mutmut, "run"]
    if args.max_children:
        command += ["--max-children", str(args.max_children)]
    if args.rerun_survivors:
        names = survivors(mutmut)
        if not names:
            return report(mutmut, None)
        command += names
    start = time.monotonic()
    # Some test ids show a set (its order follows the string hash): a fixed hash seed keeps
    # the ids mutmut recorded in one run valid in the next.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    run = subprocess.run(command, cwd=ROOT, check=False, env=env)
    if run.returncode != 0:
        print(f"mutmut run failed (exit {run.returncode}): see its output above", file=sys.stderr)
        return run.returncode
    return report(mutmut, time.monotonic() - start)


if __name__ == "__main__":
    sys.exit(main())
