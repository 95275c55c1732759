"""The terminal sessions of ``docs/cli.md`` are true: each ``$ ae-systemic ...`` prints that.

Every ``console`` block of the page is a session: a line ``$ COMMAND`` and the lines up to
the next ``$`` are its output (stdout and stderr, as a terminal shows them).  Each command
that starts with ``ae-systemic`` is run in a shell, in a temporary directory shared by the
whole page (``schedule --ics visits.ics`` writes a file a later block reads), with the
console script of this environment first on ``PATH``; its output must be the documented one.
Other commands (``pip install``, the benchmark) are not run, and ``head visits.ics``, whose
output holds the time the file was written, is left out too.

After a deliberate change of wording, rewrite the documented outputs from the real ones::

    AE_SYSTEMIC_UPDATE_DOCS=1 .venv/bin/python -m pytest tests/test_cli_docs.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ae_systemic._startup import CACHE_ENV

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "cli.md"
UPDATE_VARIABLE = "AE_SYSTEMIC_UPDATE_DOCS"
TIMEOUT_SECONDS = 60

_BLOCK = re.compile(r"^```console\n(.*?)^```$", flags=re.M | re.S)


def _sessions(text: str) -> list[tuple[str, str]]:
    """Every (command, documented output) pair of the page's console blocks, in order."""
    pairs: list[tuple[str, str]] = []
    for block in _BLOCK.findall(text):
        command: str | None = None
        output: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    pairs.append((command, "\n".join(output)))
                command, output = line[2:], []
            else:
                output.append(line)
        if command is not None:
            pairs.append((command, "\n".join(output)))
    return pairs


def _runs(command: str) -> bool:
    return command.startswith("ae-systemic ")


def _actual(command: str, cwd: Path, cache: Path) -> str:
    scripts = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONIOENCODING"}
    env.update({"PATH": scripts + os.pathsep + env.get("PATH", ""), CACHE_ENV: str(cache)})
    result = subprocess.run(
        ["bash", "-c", f"{{ {command}\n}} 2>&1"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    return result.stdout.rstrip("\n")


def test_every_documented_command_prints_what_the_page_shows(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    if not (Path(sys.executable).parent / "ae-systemic").exists():
        pytest.skip("the console script ae-systemic is not installed in this environment")
    cwd, cache = tmp_path_factory.mktemp("session"), tmp_path_factory.mktemp("cache")
    text = PAGE.read_text(encoding="utf-8")
    sessions = [(c, o) for c, o in _sessions(text) if _runs(c)]
    assert len(sessions) >= 15, "the page lost its sessions"
    wrong = []
    for command, documented in sessions:
        actual = _actual(command, cwd, cache)
        if actual != documented:
            wrong.append((command, documented, actual))
    if wrong and os.environ.get(UPDATE_VARIABLE):
        for command, documented, actual in wrong:
            old, new = f"$ {command}\n{documented}\n", f"$ {command}\n{actual}\n"
            assert text.count(old) == 1, f"cannot place the output of {command!r}"
            text = text.replace(old, new)
        PAGE.write_text(text, encoding="utf-8")
        pytest.skip(f"rewrote {len(wrong)} outputs in {PAGE.name}; check them and run again")
    report = "".join(
        f"\n$ {command}\n--- documented\n{documented}\n--- actual\n{actual}\n"
        for command, documented, actual in wrong
    )
    assert not wrong, (
        f"{len(wrong)} commands print something else (set {UPDATE_VARIABLE}=1 to rewrite):{report}"
    )
