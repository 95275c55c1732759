"""The documentation site builds: MkDocs + Material + mkdocstrings, strictly.

``mkdocs build --strict`` turns every warning into an error: a broken link or anchor in a
page, a page missing from the navigation, a cross-reference in a docstring that does not
resolve, a missing snippet (the changelog page includes ``CHANGELOG.md``).  The site is
written to a temporary directory, never into the repository.  The API reference must
document every name of ``ae_systemic.__all__``, which the package exports lazily (PEP 562):
mkdocstrings reads them statically, from the keys of ``_EXPORTS`` (``docs/_ext/griffe_exports.py``).

Skipped when the documentation tools (the extra ``docs``) are not installed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import ae_systemic
import ae_systemic.fhir

pytest.importorskip("mkdocs")
pytest.importorskip("material")
pytest.importorskip("mkdocstrings")
pytest.importorskip("mkdocstrings_handlers.python")

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_SECONDS = 120


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once for this module, strictly, into a temporary directory."""
    site_dir = tmp_path_factory.mktemp("site")
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", NO_MKDOCS_2_WARNING="1")
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        str(site_dir),
        "--config-file",
        str(ROOT / "mkdocs.yml"),
    ]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr}"
    return site_dir


def _page(site: Path, path: str) -> str:
    page = site / path
    assert page.is_file(), f"{path} is missing from the site"
    return page.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        "model/index.html",
        "dosing/index.html",
        "fhir/index.html",
        "schema/index.html",
        "schema.json",
        "cli/index.html",
        "research/index.html",
        "api/index.html",
        "changelog/index.html",
    ],
)
def test_page_is_built(site: Path, path: str) -> None:
    _page(site, path)


def test_api_reference_documents_the_public_api(site: Path) -> None:
    html = _page(site, "api/index.html")
    assert "daily_dose" in html
    missing = [
        f"ae_systemic.{name}"
        for name in ae_systemic.__all__
        if f'id="ae_systemic.{name}"' not in html
    ]
    missing += [
        f"ae_systemic.fhir.{name}"
        for name in ae_systemic.fhir.__all__
        if f'id="ae_systemic.fhir.{name}"' not in html
    ]
    assert not missing, f"not in the API reference: {', '.join(missing)}"


def test_api_reference_reads_the_docstrings_as_markdown(site: Path) -> None:
    """Doctests are code blocks, not nested quotes; roles are code, not ``:func:`` text."""
    html = _page(site, "api/index.html")
    assert '<span class="gp">&gt;&gt;&gt; </span>' in html  # a pycon prompt
    assert "<blockquote>" not in html
    for role in (":class:", ":func:", ":data:", ":attr:"):
        assert role not in html, f"a {role} role is rendered as text"
    assert 'href="#ae_systemic.Drug"' in html


def test_changelog_page_includes_the_changelog(site: Path) -> None:
    assert "Unreleased" in _page(site, "changelog/index.html")


# -- the constants and type aliases: their ``#:`` comments are their docstrings ---------------


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("MIN_BODY_WEIGHT_KG", "Lightest body weight accepted, in kg."),
        ("MAX_BODY_WEIGHT_KG", "Heaviest body weight accepted, in kg."),
        ("MAX_AGE_YEARS", "Oldest age accepted, in years."),
        ("MAX_PACK_BYTES", "Larger files are refused before parsing."),
        ("MAX_UNITS_PER_DOSE", "A choice of this library, not a number of the guideline"),
        ("DEFAULT_ADULT_FROM_YEARS", "this default (the usual age of majority in Europe)"),
        ("MAX_AMOUNT_PER_ADMINISTRATION_MG", "It catches grams or micrograms typed as"),
        ("MAX_SCHEDULE_MONTHS", "in months (a library bound)"),
        ("QuantityLike", "A quantity as callers pass it"),
        ("JSONValue", "JSON-ready data"),
    ],
)
def test_api_reference_describes_each_public_constant(site: Path, name: str, words: str) -> None:
    html = _page(site, "api/index.html")
    start = html.index(f'id="ae_systemic.{name}"')
    entry = html[start : html.index('<div class="doc doc-object', start)]
    assert words in " ".join(re.sub("<[^>]+>", " ", entry).split())


def _loaded(tmp_path: Path, source: str) -> Any:
    """The module ``source``, loaded by griffe with the docs' docstring extension."""
    import griffe

    (tmp_path / "example_pkg").mkdir()
    (tmp_path / "example_pkg" / "__init__.py").write_text(source, encoding="utf-8")
    extension = f"{ROOT / 'docs' / '_ext' / 'griffe_rest.py'}:RestDocstrings"
    return griffe.load(
        "example_pkg",
        search_paths=[str(tmp_path)],
        extensions=griffe.load_extensions(extension),
    )


def test_the_comment_lines_right_above_an_attribute_are_its_docstring(tmp_path: Path) -> None:
    package = _loaded(
        tmp_path,
        '"""A package."""\n'
        "#: Not this one: a blank line follows.\n"
        "\n"
        "#: The lightest weight, in kg: see\n"
        "#: :func:`weigh`.\n"
        "LIGHTEST = 0.2\n"
        "#: Not read: a string below the assignment is its docstring.\n"
        "HEAVIEST = 700.0\n"
        '"""The heaviest weight."""\n'
        "# A plain comment is not a docstring.\n"
        "PLAIN = 1\n"
        "UNDOCUMENTED = 2\n"
        "class Box:\n"
        "    #: How much it holds.\n"
        "    size: int = 3\n"
        "def weigh() -> None:\n"
        '    """Weigh."""\n',
    )
    doc = {name: package[name].docstring for name in ("LIGHTEST", "HEAVIEST", "PLAIN")}
    assert doc["LIGHTEST"].value == (
        'The lightest weight, in kg: see\n<autoref identifier="example_pkg.weigh" '
        "optional>`weigh`</autoref>."
    )
    assert (doc["LIGHTEST"].lineno, doc["LIGHTEST"].endlineno) == (4, 5)
    assert doc["HEAVIEST"].value == "The heaviest weight."
    assert doc["PLAIN"] is None
    assert package["UNDOCUMENTED"].docstring is None
    assert package["Box.size"].docstring.value == "How much it holds."
