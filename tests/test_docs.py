"""The documentation is executed: its examples run, and its provenance table matches the data.

Every ```pycon block of ``docs/*.md`` and ``README.md`` is run as a doctest, one test per
file, with the blocks of a file sharing one namespace in the order they appear.  Lines
outside the blocks are blanked rather than dropped, so a failure reports the line number
of the Markdown file.  ``docs/index.md`` and ``docs/model.md`` must contain examples; any
other page may have none.

The provenance table of ``docs/provenance.md`` names, for each group of facts, the paths
of the data in ``ciclosporin.json``, the headings of the source and the reference numbers.
A second test resolves every path against the shipped data and checks the headings and
reference numbers, and that the table covers every item of the drug.
"""

from __future__ import annotations

import doctest
import re
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

import ae_systemic

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
MUST_HAVE_EXAMPLES = ("docs/index.md", "docs/model.md")
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)```pycon[ \t]*$")
_FENCE_CLOSE = re.compile(r"^[ \t]*```[ \t]*$")


def _documents() -> list[str]:
    """Paths (relative to the repository root) of every page whose examples run."""
    pages = {path.relative_to(ROOT).as_posix() for path in DOCS.glob("*.md")}
    pages.update(MUST_HAVE_EXAMPLES)
    if (ROOT / "README.md").is_file():
        pages.add("README.md")
    return sorted(pages)


def pycon_source(markdown: str) -> str:
    """The ```pycon blocks of ``markdown``, every other line blanked to keep line numbers."""
    lines: list[str] = []
    indent: str | None = None
    for line in markdown.splitlines():
        if indent is None:
            opening = _FENCE_OPEN.match(line)
            indent = opening.group("indent") if opening else None
            lines.append("")
        elif _FENCE_CLOSE.match(line):
            indent = None
            lines.append("")
        else:
            lines.append(line.removeprefix(indent))
    if indent is not None:
        raise AssertionError("a ```pycon block is not closed")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("page", _documents())
def test_examples_in_page_run(page: str) -> None:
    path = ROOT / page
    assert path.is_file(), f"{page} is missing"
    source = pycon_source(path.read_text(encoding="utf-8"))
    test = doctest.DocTestParser().get_doctest(source, {}, page, str(path), 0)
    if not test.examples:
        if page in MUST_HAVE_EXAMPLES:
            pytest.fail(f"{page} has no ```pycon example")
        pytest.skip(f"{page} has no ```pycon example")
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    try:
        result = runner.run(test, out=report.append, clear_globs=True)
    finally:
        test.globs.clear()
    assert result.failed == 0, "".join(report)


# --- the provenance table ---------------------------------------------------------------

_PATH_STEP = re.compile(r"\.?(?P<name>[a-z_]+)|\[(?P<index>\d+)\]")
_CODE = re.compile(r"`([^`]+)`")


@attrs.frozen
class Row:
    fact: str
    paths: tuple[str, ...]
    headings: str
    references: frozenset[int]


def provenance_rows() -> list[Row]:
    """The rows of the table whose header has the column ``Data path``."""
    text = (DOCS / "provenance.md").read_text(encoding="utf-8")
    rows: list[Row] = []
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.startswith("|"):
            if rows:
                break
            header = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif header[:4] == ["Fact", "Data path", "Source heading", "References"]:
            if set(cells[0]) <= set("-: "):
                continue
            paths = tuple(_CODE.findall(cells[1]))
            rows.append(Row(cells[0], paths, cells[2], frozenset(_numbers(cells[3]))))
    return rows


def _numbers(cell: str) -> Iterator[int]:
    if cell == "none":
        return
    for part in cell.split(","):
        low, _, high = part.strip().partition("-")
        yield from range(int(low), int(high or low) + 1)


def resolve(root: object, path: str) -> object:
    """The value at ``path`` (``regimens[1].rate``) below ``root``."""
    value = root
    position = 0
    while position < len(path):
        step = _PATH_STEP.match(path, position)
        assert step is not None, f"bad path {path!r} at {path[position:]!r}"
        if step.group("index") is not None:
            assert isinstance(value, tuple), f"{path!r}: {path[:position]!r} is not a list"
            value = value[int(step.group("index"))]
        else:
            value = getattr(value, step.group("name"))
        position = step.end()
    return value


def cited_and_located(value: object) -> tuple[set[int], set[str]]:
    """Reference numbers cited (or, for references, listed) below ``value``, and headings."""
    numbers: set[int] = set()
    headings: set[str] = set()
    if isinstance(value, tuple):
        for item in value:
            more, where = cited_and_located(item)
            numbers |= more
            headings |= where
    elif isinstance(value, ae_systemic.Reference):
        numbers.add(value.number)
    elif attrs.has(cls := type(value)):
        for field in attrs.fields(cls):
            item = getattr(value, field.name)
            if field.name == "references":
                numbers.update(item)
            elif field.name == "location":
                headings.update(part.split(" (")[0] for part in item.split("; "))
            else:
                more, where = cited_and_located(item)
                numbers |= more
                headings |= where
    return numbers, headings


def test_provenance_table_matches_the_data() -> None:
    csa = ae_systemic.drug("ciclosporin")
    rows = provenance_rows()
    assert rows, "docs/provenance.md has no table with a 'Data path' column"
    problems: list[str] = []
    for row in rows:
        if not row.paths:
            problems.append(f"{row.fact}: no data path")
        cited: set[int] = set()
        located: set[str] = set()
        for path in row.paths:
            try:
                value = resolve(csa, path)
            except (AttributeError, IndexError, AssertionError) as exc:
                problems.append(f"{row.fact}: {path} does not resolve ({exc})")
                continue
            numbers, headings = cited_and_located(value)
            cited |= numbers
            located |= headings
        if cited != row.references:
            problems.append(
                f"{row.fact}: the table gives references {sorted(row.references)}, "
                f"the data {sorted(cited)}"
            )
        problems += [
            f"{row.fact}: the data places it under {heading!r}, which the row does not name"
            for heading in sorted(located)
            if heading not in row.headings
        ]
    listed = [path for row in rows for path in row.paths]
    for field in attrs.fields(ae_systemic.Drug):
        value = getattr(csa, field.name)
        items = [field.name]
        if isinstance(value, tuple) and value:
            items = [f"{field.name}[{i}]" for i in range(len(value))]
        for item in items:
            if not any(_overlaps(item, path) for path in listed):
                problems.append(f"{item} is in the data but in no row of the table")
    assert not problems, "\n".join(problems)


def _overlaps(item: str, path: str) -> bool:
    if item == path:
        return True
    return any(a.startswith(b + s) for a, b in ((item, path), (path, item)) for s in ".[")
