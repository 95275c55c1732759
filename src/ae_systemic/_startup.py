"""Start-up of the command line's process: pint's definition cache and no numpy.

A command line is started once per answer, so its start-up is its speed.  Most of it
is pint's: importing pint (which imports numpy when it is installed) and building the
unit registry from pint's definition files.  An application that owns its process may
shorten both, and :func:`set_up_pint_for_this_process` does, once, when the command
line is the program of its process:

* numpy is kept out of the process (the command line handles one patient at a time,
  never an array), which pint allows: it treats numpy as optional;
* the registry is built from pint's on-disk definition cache, in a user cache
  directory (``AE_SYSTEMIC_CACHE_DIR`` overrides it), and made the application registry.

The library never does either: it uses whatever registry its caller has set, and
imports numpy only for arrays.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pint

__all__ = ["CACHE_ENV", "cache_folder", "set_up_pint_for_this_process"]

#: Environment variable naming the directory of the command line's pint cache; set it to
#: an empty string to run without a cache.
CACHE_ENV = "AE_SYSTEMIC_CACHE_DIR"


@functools.cache
def set_up_pint_for_this_process() -> pint.UnitRegistry[float]:
    """Set up pint for a command-line process, once, and return its registry.

    Keeps numpy out of the process (:func:`_keep_numpy_out`), builds a
    ``UnitRegistry`` from pint's on-disk definition cache in :func:`cache_folder`
    (without a cache when there is none) and makes it pint's application registry.
    Only a program that owns its process may call this; the library never does.
    """
    _keep_numpy_out()
    import pint

    registry = _cached_registry(pint, cache_folder())
    pint.set_application_registry(registry)  # type: ignore[no-untyped-call]
    return registry


def _keep_numpy_out() -> None:
    """Make ``import numpy`` fail in this process, so that pint starts without numpy.

    pint imports numpy when it is installed (about a third of pint's start-up) but
    treats it as optional: ``pint.compat`` catches the ``ImportError`` and runs on
    plain Python numbers.  A ``None`` entry in ``sys.modules`` is the documented way
    to make an import fail (``ModuleNotFoundError``).  Only the command line's own
    process is changed, and only when numpy is not imported already; a later
    ``import numpy`` in this process fails loudly instead of mixing numpy with a pint
    that started without it.
    """
    if "numpy" not in sys.modules:
        sys.modules["numpy"] = None  # type: ignore[assignment]


def cache_folder() -> Path | None:
    """The directory of the command line's pint cache, or ``None`` to run without one.

    ``$AE_SYSTEMIC_CACHE_DIR/pint`` when the variable is set (no cache when it is
    empty), else ``pint`` under the user's cache directory for ``ae-systemic``
    (``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux, ``~/Library/Caches`` on macOS,
    ``%LOCALAPPDATA%`` on Windows).  The directory is created (private to the user)
    if needed; ``None`` when it cannot be, when it is not writable, or (on POSIX) when
    it belongs to another user or others may write to it, because pint's cache holds
    pickles.
    """
    configured = os.environ.get(CACHE_ENV)
    try:
        if configured is None:
            base = _user_cache_dir()
        elif configured.strip():
            base = Path(configured).expanduser()
        else:
            return None
        folder = base / "pint"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK | os.X_OK):
            return None
        if hasattr(os, "getuid"):
            status = folder.stat()
            if status.st_uid != os.getuid() or status.st_mode & 0o022:
                return None
    except (OSError, RuntimeError):  # RuntimeError: no home directory
        return None
    return folder


def _user_cache_dir() -> Path:
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        base = Path(local) if local else Path.home() / "AppData" / "Local"
        return base / "ae-systemic" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ae-systemic"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "ae-systemic"


def _cached_registry(pint_module: Any, folder: Path | None) -> pint.UnitRegistry[float]:
    """A new registry with pint's definition cache in ``folder``, quietly without on failure.

    A cache file that cannot be read (cut short by a process that was stopped while
    writing it, say) is removed and the cache built again once; if that fails too,
    the registry is built without a cache.
    """
    if folder is not None:
        for attempt in range(2):
            try:
                cached: pint.UnitRegistry[float] = pint_module.UnitRegistry(cache_folder=folder)
            except Exception:  # a broken cache must never stop the command
                if attempt == 0:
                    _clear_cache(folder)
            else:
                return cached
    plain: pint.UnitRegistry[float] = pint_module.UnitRegistry()
    return plain


def _clear_cache(folder: Path) -> None:
    for pattern in ("*.pickle", "*.json"):
        for path in folder.glob(pattern):
            with contextlib.suppress(OSError):
                path.unlink()
