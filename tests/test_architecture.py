"""The layer rule of ``docs/architecture.md``, checked on the imports of every module.

The layer table is read from the page itself, so the page is the rule: a module imports,
at run time, only modules of its own layer or a lower one.  Imports for type checkers only
(under ``if TYPE_CHECKING:``) are exempt, and so is the one documented upward edge, the
notebook display hook.  No module imports another module's private name.  Every module of
the package has its place in the table, and one row in the table of what it owns.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "ae_systemic"
PAGE = ROOT / "docs" / "architecture.md"

#: Upward imports the page documents, each with its reason.
DOCUMENTED_UPWARD = {
    # The notebook display hook: a value of any layer is shown by the outputs layer, on
    # its first display, from inside the two display methods.
    ("_notebook", "_display"),
}


def _module_names() -> list[str]:
    return sorted(path.stem for path in PACKAGE.glob("*.py"))


def _layers() -> dict[str, int]:
    """Each module and the number of its layer, from the layer table of the page."""
    text = PAGE.read_text(encoding="utf-8")
    section = text.split("## The layers", 1)[1].split("\n## ", 1)[0]
    layers: dict[str, int] = {}
    for row in re.findall(r"^\| (\d) [^|]+\| ([^|]+) \|", section, flags=re.M):
        number, modules = int(row[0]), row[1]
        for module in re.findall(r"`([\w.]+)`", modules):
            assert module not in layers, f"{module} is in two layers"
            layers[module] = number
    return layers


def _owners() -> set[str]:
    text = PAGE.read_text(encoding="utf-8")
    section = text.split("## What each module owns", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([\w.]+)` \|", section, flags=re.M))


def _is_type_checking(test: ast.expr) -> bool:
    return ast.unparse(test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def _runtime_imports(tree: ast.Module) -> list[ast.ImportFrom | ast.Import]:
    """Every import statement outside ``if TYPE_CHECKING:`` blocks, at any depth."""
    found: list[ast.ImportFrom | ast.Import] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for branch in node.orelse:
                visit(branch)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _package_modules_imported(node: ast.ImportFrom | ast.Import) -> list[tuple[str, list[str]]]:
    """The package's modules an import reads, each with the names it takes from it."""
    if isinstance(node, ast.Import):
        return [
            (alias.name.split(".")[1], [])
            for alias in node.names
            if alias.name.startswith("ae_systemic.")
        ]
    if node.level == 0 and not (node.module or "").startswith("ae_systemic"):
        return []
    module = (node.module or "").removeprefix("ae_systemic").lstrip(".")
    if not module:  # ``from . import _display``: modules, not names
        return [(alias.name, []) for alias in node.names]
    return [(module.split(".")[0], [alias.name for alias in node.names])]


def _parsed(name: str) -> ast.Module:
    return ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))


def test_every_module_has_a_layer_and_a_row_saying_what_it_owns() -> None:
    modules = set(_module_names())
    assert set(_layers()) == modules
    assert _owners() == modules


@pytest.mark.parametrize("name", _module_names())
def test_a_module_imports_only_its_own_layer_or_lower_at_run_time(name: str) -> None:
    layers = _layers()
    upward = []
    for node in _runtime_imports(_parsed(name)):
        for module, _ in _package_modules_imported(node):
            if module not in layers:
                continue  # the package itself (``from . import x`` of a name in __init__)
            if layers[module] > layers[name] and (name, module) not in DOCUMENTED_UPWARD:
                upward.append(f"line {node.lineno}: {ast.unparse(node)}")
    assert not upward, f"{name} (layer {layers[name]}) imports a higher layer: {upward}"


@pytest.mark.parametrize("name", _module_names())
def test_no_module_imports_another_modules_private_name(name: str) -> None:
    tree = _parsed(name)
    private = []
    modules_bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for module, names in _package_modules_imported(node):
                private += [
                    f"line {node.lineno}: {n} from {module}"
                    for n in names
                    if n.startswith("_") and not n.startswith("__")
                ]
                if not names:  # a module bound to a name: ``from . import _cli_options as x``
                    for alias in node.names:
                        modules_bound.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules_bound
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            private.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    assert not private, f"{name} reaches into another module: {private}"


def test_the_rule_would_catch_an_upward_import() -> None:
    # The checks above must be able to fail: a model module importing the dosing module.
    tree = ast.parse(
        "from ._dosing import daily_dose\nif TYPE_CHECKING:\n    from ._cli import x\n"
    )
    imported = [m for n in _runtime_imports(tree) for m, _ in _package_modules_imported(n)]
    assert imported == ["_dosing"]
    assert _layers()["_dosing"] > _layers()["_model"]


def test_the_notebook_display_is_attached_once() -> None:
    # Only the mixin defines the display methods; every displayed value inherits them.
    defining = sorted(
        name
        for name in _module_names()
        for node in ast.walk(_parsed(name))
        if isinstance(node, ast.FunctionDef) and node.name in ("_repr_html_", "_repr_markdown_")
    )
    assert defining == ["_notebook", "_notebook"]
