"""A griffe extension: the public names of ``ae_systemic`` are the keys of its ``_EXPORTS``.

The package lists its public names once, in the mapping ``_EXPORTS`` (name to private
module) that its lazy loader reads, and builds ``__all__`` from it at run time.  griffe
reads ``__all__`` statically and cannot evaluate ``[*_EXPORTS]``; this extension reads
the keys of the mapping instead, so that the API reference documents exactly those names.
"""

from __future__ import annotations

import ast
from typing import Any

import griffe


class LazyExports(griffe.Extension):
    """Set a package's exports to the keys of its ``_EXPORTS`` mapping, where it has one."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        exports = pkg.members.get("_EXPORTS")
        if exports is None or not isinstance(exports, griffe.Attribute):
            return
        value = exports.value
        if not isinstance(value, griffe.ExprDict):
            return
        pkg.exports = [ast.literal_eval(str(key)) for key in value.keys]
