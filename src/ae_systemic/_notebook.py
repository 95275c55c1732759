"""The notebook display hook: one mixin gives a value ``_repr_html_`` and ``_repr_markdown_``.

Jupyter and IPython call these two methods to show a value as a table.  Every value
class of the package that has a display inherits :class:`NotebookDisplay`; what each
one shows is decided in one place, :mod:`ae_systemic._display`, by the value's type.

The display module is imported on the first display only (never with the package),
from inside the methods below.  This is the one import of the package that goes up
the layers (see ``docs/architecture.md``): a value in a low layer is shown by the
outputs layer, and the import is deferred so that the value's module does not load it.
"""

from __future__ import annotations

__all__ = ["NotebookDisplay"]


class NotebookDisplay:
    """Mixin: notebook display (HTML and Markdown tables) through :mod:`ae_systemic._display`."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        from . import _display  # the documented upward edge of the layers

        return _display.html(self)

    def _repr_markdown_(self) -> str:
        from . import _display  # the documented upward edge of the layers

        return _display.markdown(self)
