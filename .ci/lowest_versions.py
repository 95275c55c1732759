"""Print pins of the lowest versions the core dependencies declare (``name>=x`` → ``name==x``).

CI installs these to check that the bounds in pyproject.toml are true.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

project = tomllib.loads(Path(__file__).parent.parent.joinpath("pyproject.toml").read_text())
pins = []
for requirement in project["project"]["dependencies"]:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([0-9][0-9A-Za-z.]*)\s*", requirement)
    if match is None:
        sys.exit(f"cannot read a lower bound from {requirement!r}")
    pins.append(f"{match.group(1)}=={match.group(2)}")
print(" ".join(pins))
