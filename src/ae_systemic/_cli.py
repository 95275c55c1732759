"""The ``ae-systemic`` command line (being written)."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    raise SystemExit("ae-systemic: the command line is not implemented yet")
