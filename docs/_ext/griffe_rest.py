"""A griffe extension: the package's reST-flavoured docstrings, read as Markdown.

The docstrings of ``ae_systemic`` are written for doctest and for Sphinx-style readers:
doctest blocks start at a ``>>>`` line without a fence, a literal block follows a
paragraph ending in ``::``, and cross-references are roles (``:class:`~ae_systemic.Drug```).
mkdocstrings renders a docstring as Markdown, where a ``>>>`` line is a nested quote and
a doctest result such as ``['a', 'b']`` a reference link (a warning in a strict build).
The package also documents its constants and type aliases as Sphinx does, with ``#:``
comment lines right above the assignment, which griffe does not read.  When griffe has
loaded the package, this extension works in memory (the source files are not touched):

- an attribute (of a module or a class) without a docstring gets, as its docstring, the
  ``#:`` comment lines right above its first line (``#:`` and one space removed from each,
  no blank line between them and the assignment); a string literal right below the
  assignment, which griffe reads itself, stays the docstring where there is one;

and then rewrites every docstring:

- a doctest block, from a ``>>>`` line to the next blank line, becomes a ```pycon fence;
- a paragraph ending in ``::`` ends in ``:`` (or loses a lone `` ::``), and the indented
  block after it becomes a fence;
- a role becomes inline code, and an *optional* cross-reference to the object's entry in
  the API reference: a name that is not documented (a private helper, a built-in
  exception) stays plain code, without a warning.

Configured in ``mkdocs.yml`` under the python handler's ``extensions`` (a path relative
to ``mkdocs.yml``).  Running the conversion twice changes nothing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import Any

import griffe

_ROLE = re.compile(
    r":(?:py:)?(?P<role>class|func|meth|attr|data|const|exc|obj|mod|type):"
    r"`(?P<body>[^`]+)`"
)
_TITLED = re.compile(r"^(?P<title>.*\S)\s*<(?P<target>[^<>]+)>$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_DOC_COMMENT = "#:"

Resolver = Callable[[str], str | None]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _fenced(block: list[str], indent: str) -> list[str]:
    """``block`` (already dedented) as a fence at ``indent``, doctest or plain text."""
    language = "pycon" if block and block[0].lstrip().startswith(">>>") else "text"
    while block and not block[-1].strip():
        block.pop()
    return [
        f"{indent}```{language}",
        *(f"{indent}{line}" if line else "" for line in block),
        f"{indent}```",
    ]


def _roles(line: str, resolve: Resolver) -> str:
    def replace(match: re.Match[str]) -> str:
        body = match["body"].strip()
        titled = _TITLED.match(body)
        if titled:
            title, target = titled["title"], titled["target"].strip()
        else:
            target = body.lstrip("~!")
            title = target.rsplit(".", 1)[-1] if body.startswith("~") else target
        target = target.lstrip("~!")
        code = f"`{title}`"
        path = None if body.startswith("!") else resolve(target)
        if path is None:
            return code
        return f'<autoref identifier="{html.escape(path)}" optional>{code}</autoref>'

    return _ROLE.sub(replace, line)


def convert(text: str, resolve: Resolver) -> str:
    """The Markdown for the reST-flavoured docstring ``text``."""
    lines = text.splitlines()
    out: list[str] = []

    def blank_before() -> None:
        if out and out[-1].strip():
            out.append("")

    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if _FENCE.match(line):  # an existing fence: copied as it is
            marker = _FENCE.match(line)
            assert marker is not None
            out.append(line)
            i += 1
            while i < len(lines):
                out.append(lines[i])
                i += 1
                if lines[i - 1].strip().startswith(marker.group(1)):
                    break
            continue
        if stripped.startswith(">>>"):  # a doctest block: up to the next blank line
            indent = line[: _indent(line)]
            block: list[str] = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i].removeprefix(indent))
                i += 1
            blank_before()
            out += _fenced(block, indent)
            out.append("")
            continue
        if stripped.endswith("::") and not stripped.startswith(".."):
            # a literal block follows: ``text::`` reads ``text:``, a lone ``::`` goes
            head = line.rstrip()[:-2]
            if head.strip():
                spaced = head != head.rstrip()
                out.append(_roles(head.rstrip() if spaced else f"{head}:", resolve))
            i += 1
            base = _indent(line)
            block = []
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
                block.append(lines[i])
                i += 1
            content = [b for b in block if b.strip()]
            if content:
                depth = min(_indent(b) for b in content)
                dedented = [b[depth:] if b.strip() else "" for b in block]
                while dedented and not dedented[0]:
                    dedented.pop(0)
                blank_before()
                out += _fenced(dedented, line[:base])
                out.append("")
            continue
        out.append(_roles(line, resolve))
        i += 1
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


def _resolver(obj: griffe.Object) -> Resolver:
    package = obj.package.name

    def resolve(target: str) -> str | None:
        first, dot, rest = target.partition(".")
        if first == package:
            return target
        try:
            path = obj.resolve(first)
        except griffe.NameResolutionError:
            return None
        return f"{path}{dot}{rest}"

    return resolve


def comment_lines(attribute: griffe.Attribute) -> list[str]:
    """The ``#:`` comment lines right above ``attribute``, without their ``#:`` (none: ``[]``).

    The lines are read upwards from the one before the assignment's first line, as long as
    each starts (after its indentation) with ``#:``; a blank line or any other line ends
    them.  ``#:`` and the one space after it are removed; the rest of each line is kept.
    """
    if attribute.lineno is None:
        return []
    lines = attribute.module.lines
    comments: list[str] = []
    index = attribute.lineno - 2  # lineno counts from 1: the line before the assignment
    while 0 <= index < len(lines) and lines[index].lstrip().startswith(_DOC_COMMENT):
        text = lines[index].lstrip().removeprefix(_DOC_COMMENT)
        comments.append(text.removeprefix(" ").rstrip())
        index -= 1
    return comments[::-1]


def _with_comment_docstring(obj: griffe.Object, pkg: griffe.Module) -> None:
    """Give ``obj``, an attribute without a docstring, its ``#:`` comment lines as one."""
    if obj.docstring is not None or not isinstance(obj, griffe.Attribute):
        return
    comments = comment_lines(obj)
    if not any(line.strip() for line in comments):
        return
    assert obj.lineno is not None  # there are comment lines above it
    like = next(
        (o.docstring for o in (obj.parent, pkg) if o is not None and o.docstring is not None),
        None,
    )  # parsed as the docstrings around it are (the handler's docstring style)
    obj.docstring = griffe.Docstring(
        "\n".join(comments).strip("\n"),
        lineno=obj.lineno - len(comments),
        endlineno=obj.lineno - 1,
        parent=obj,
        parser=None if like is None else like.parser,
        parser_options=None if like is None else like.parser_options,
    )


def _objects(obj: griffe.Object) -> Iterator[griffe.Object]:
    yield obj
    for member in obj.members.values():
        if not member.is_alias and isinstance(member, griffe.Object):
            yield from _objects(member)


class RestDocstrings(griffe.Extension):
    """Read ``#:`` comments as attributes' docstrings, and rewrite every docstring of a
    loaded package from reST-flavoured text to Markdown."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _objects(pkg):
            _with_comment_docstring(obj, pkg)
            if obj.docstring is not None:
                obj.docstring.value = convert(obj.docstring.value, _resolver(obj))
