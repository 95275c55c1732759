"""The exception hierarchy: every error this package raises on purpose.

Everything derives from :class:`AeSystemicError`, and each concrete error also
derives from the built-in exception a caller would naturally catch
(:class:`LookupError` for an unknown name, :class:`ValueError` for bad data,
:class:`ImportError` for a missing optional dependency).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

__all__ = [
    "AeSystemicError",
    "DataError",
    "DataProblem",
    "DoseInputError",
    "InputError",
    "MissingExtraError",
    "UnknownDrugError",
]


class AeSystemicError(Exception):
    """Root of every error raised on purpose by ``ae_systemic``."""


class UnknownDrugError(AeSystemicError, LookupError):
    """No drug of the guideline has this name or synonym.

    ``name`` is what was asked for, ``suggestions`` the closest known names
    (possibly empty) and ``known`` every name the lookup accepts.
    """

    def __init__(self, name: str, suggestions: Sequence[str], known: Sequence[str]) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        self.known = tuple(known)
        hint = f"did you mean {_quoted_list(self.suggestions)}? " if self.suggestions else ""
        super().__init__(f"unknown drug {name!r}: {hint}known names are {_quoted_list(self.known)}")

    def __str__(self) -> str:
        return str(self.args[0])


class InputError(AeSystemicError, ValueError):
    """An argument a caller passed is unusable; the message says what was wrong and what would
    be right, starting with the name of the argument."""


class DoseInputError(InputError):
    """A weight, an age or another argument of the dosing functions is unusable.

    Raised for a weight without a unit or with a unit that is not a mass, a
    string that does not read as a quantity, a weight that is zero, negative,
    not finite or beyond any human's, an empty array, an age that is not a
    time or is out of range, and for a dose the caller's strengths cannot make.
    :class:`~ae_systemic.Patient` raises it for an unusable age or weight.
    """


class MissingExtraError(AeSystemicError, ImportError):
    """A feature needs an optional dependency that is not installed.

    ``feature`` names what was asked for (``"evidence_frame"``), ``name`` the
    missing package (``"pandas"``, as for any :class:`ImportError`) and ``extra``
    the extra of ``ae-systemic`` that installs it (``"pandas"``); the message
    gives the command: ``pip install 'ae-systemic[pandas]'``.
    """

    def __init__(self, feature: str, package: str, extra: str) -> None:
        self.feature = feature
        self.extra = extra
        super().__init__(
            f"{feature} needs {package}: pip install 'ae-systemic[{extra}]'", name=package
        )

    def __str__(self) -> str:
        return str(self.args[0])


@attrs.frozen
class DataProblem:
    """One thing wrong in a data file or a data structure.

    ``path`` locates the offending field in the data, in the form
    ``regimens[0].rate.low`` (empty for the whole document); ``message`` says
    what was wrong and what would be right.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class DataError(AeSystemicError, ValueError):
    """Guideline data does not match the model.

    ``problems`` lists every problem found, each with the path of its field;
    ``file`` names the data file when the data was read from one.
    """

    def __init__(self, problems: Iterable[DataProblem], *, file: str | None = None) -> None:
        self.problems = tuple(problems)
        self.file = file
        super().__init__(self._render())

    def _render(self) -> str:
        where = f"{self.file}: " if self.file else ""
        if len(self.problems) == 1:
            return f"{where}{self.problems[0]}"
        lines = "".join(f"\n  {problem}" for problem in self.problems)
        return f"{where}{len(self.problems)} problems in the data:{lines}"

    def __str__(self) -> str:
        return self._render()

    @property
    def paths(self) -> tuple[str, ...]:
        """The paths of the offending fields, in the order they were found."""
        return tuple(problem.path for problem in self.problems)

    def in_file(self, file: str) -> DataError:
        """The same problems, attributed to ``file``."""
        return DataError(self.problems, file=file)

    def under(self, prefix: str) -> DataError:
        """The same problems, with their paths placed below ``prefix``."""
        return DataError(
            (DataProblem(join_path(prefix, p.path), p.message) for p in self.problems),
            file=self.file,
        )


def shown(value: object, limit: int = 40) -> str:
    """A short repr of a caller's value for an error message; never raises.

    ``repr`` itself can fail on hostile values (an int beyond Python's string
    conversion limit, a list nested thousands deep); the type name stands in then.
    """
    try:
        text = repr(value)
    except Exception:  # the value cannot even be shown
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def join_path(prefix: str, path: str) -> str:
    """Join two data paths: ``join_path("drugs[0]", "name") == "drugs[0].name"``."""
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


def _quoted_list(names: Sequence[str]) -> str:
    return ", ".join(repr(name) for name in names)
