"""The project's promises about itself: README commands, CI, version, changelog, public API."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import tomllib
from pathlib import Path

import ae_systemic

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.*?)\n```", text, flags=re.S)


def _type_checking_imports() -> dict[str, str]:
    """What type checkers see of the package: each name of its ``TYPE_CHECKING`` block and the
    module it is imported from (``from ._model import Drug as Drug``)."""
    tree = ast.parse((ROOT / "src" / "ae_systemic" / "__init__.py").read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom), ast.unparse(statement)
                for alias in statement.names:
                    assert alias.asname == alias.name, f"{alias.name}: re-export it as itself"
                    found[alias.name] = "." * statement.level + (statement.module or "")
    return found


def test_type_checkers_see_exactly_the_names_the_lazy_loader_exports() -> None:
    # The public names are listed once, in ``_EXPORTS`` (the api snapshot pins them); the
    # ``TYPE_CHECKING`` block only mirrors them for type checkers, which cannot run code.
    exports: dict[str, str] = ae_systemic._EXPORTS
    assert _type_checking_imports() == exports
    assert ae_systemic.__all__ == list(exports)
    for name in ae_systemic.__all__:
        assert getattr(ae_systemic, name) is not None


def test_the_readme_starts_with_the_demo_and_the_test_command() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = text.index("```sh")
    assert text[:first_block].strip() == "# ae_systemic"
    demo, tests = readme_commands()[:2]
    assert demo.endswith("python -m ae_systemic")
    for tool in ("pytest", "mypy --strict", "ruff check", "ruff format --check", "[test]"):
        assert tool in tests


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in script.splitlines() if line and not line.startswith("#")]
    # Each list ends in `|| exit 1`: a failing step in its middle must stop the script.
    assert all(line.endswith(" || exit 1") for line in commands if " && " in line)
    assert f"{readme_commands()[1]} || exit 1" in commands


def test_the_version_is_written_once_and_read_by_the_build() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"]
    assert pyproject["project"]["dynamic"] == ["version"]
    source = pyproject["tool"]["hatch"]["version"]["path"]
    text = (ROOT / source).read_text(encoding="utf-8")
    assert re.findall(r'^__version__ = "([^"]+)"$', text, flags=re.M) == [ae_systemic.__version__]
    assert importlib.metadata.version("ae-systemic") == ae_systemic.__version__


def test_the_changelog_prepares_the_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    unreleased = changelog.split("## [Unreleased]", 1)[1].split("\n## ", 1)[0]
    assert ae_systemic.__version__ in unreleased
    assert "### Added" in unreleased


def test_the_core_dependencies_are_exactly_attrs_cattrs_and_pint() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = sorted(re.split(r"[<>=!~ ]", dep, maxsplit=1)[0] for dep in project["dependencies"])
    assert names == ["attrs", "cattrs", "pint"]


def test_the_readme_links_work_on_a_package_index_page() -> None:
    # PyPI shows the README without the repository around it: relative links would break.
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)]+)\)", text)
    assert targets
    assert [t for t in targets if not t.startswith(("https://", "http://", "#"))] == []


def test_the_sdist_carries_what_its_own_tests_need() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    included = pyproject["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
    for needed in ("src", "tests", "docs", ".ci", "mkdocs.yml", "README.md", "CHANGELOG.md"):
        assert needed in included
    assert set(pyproject["project"]["urls"]) >= {"Homepage", "Source", "Changelog"}
