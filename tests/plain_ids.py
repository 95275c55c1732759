"""Plain ASCII ids for parametrized tests whose values hold other characters.

mutmut selects a test again by its id, and pytest escapes a non-ASCII character or a
backslash of an id once more at each collection (``–`` becomes ``\\u2013``, then
``\\\\u2013``): such a test cannot be selected, and ``tools/mutation.py`` refuses to run.
"""

from __future__ import annotations

import re

_OTHER = re.compile(r"[^A-Za-z0-9._-]+")


def plain_id(value: object) -> str:
    """``value`` as a short id of letters, digits, ``.``, ``_`` and ``-``."""
    return _OTHER.sub("-", str(value)).strip("-")[:60] or "value"
