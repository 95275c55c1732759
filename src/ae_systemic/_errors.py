"""The exception hierarchy: every error this package raises on purpose.

Everything derives from :class:`AeSystemicError`, and each concrete error also
derives from the built-in exception a caller would naturally catch
(:class:`TypeError` for an argument of the wrong type, :class:`ValueError` for an
unusable value or bad data, :class:`LookupError` for a name, number or key that is not
in the content, :class:`ImportError` for a missing optional dependency).

Every error pickles to an equal error (same type, message and attributes), so that an
error raised in a worker process (multiprocessing, Dask, pytest-xdist) reaches the
caller as itself: each class whose constructor takes other arguments than the message
rebuilds itself from them (``__reduce__``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from typing import Any, Self

import attrs

__all__ = [
    "AeSystemicError",
    "ArgumentError",
    "ArgumentTypeError",
    "DataError",
    "DataProblem",
    "DoseInputError",
    "InputError",
    "MissingExtraError",
    "NotFoundError",
    "UnknownDrugError",
    "join_path",
    "key_path",
    "printable_name",
    "shown",
]


class AeSystemicError(Exception):
    """Root of every error raised on purpose by ``ae_systemic``."""


class ArgumentError(AeSystemicError):
    """An argument (or a field of a value being built) is unusable; ``argument`` names it.

    The base of :class:`ArgumentTypeError` (a value of the wrong type) and
    :class:`InputError` (a value of the right type that cannot be used): catch it for
    both.  ``index`` locates the offending item when the argument is a sequence or an
    array (``strengths[1]``, ``weight[3]``), or the row of a table by its label
    (``weight['p17']``); ``problem`` says what was wrong and what would be right.  The
    message is ``"{argument}[{index}]: {problem}"``.
    """

    def __init__(
        self, argument: str, problem: str, index: int | str | tuple[int, ...] | None = None
    ) -> None:
        self.argument = argument
        self.problem = problem
        self.index = index
        super().__init__(f"{self.where}: {problem}")

    @property
    def where(self) -> str:
        """The argument and, where there is one, the index of the offending item.

        An argument that is not printable as it is (a table's column named with a control
        character or a line break) is shown quoted and escaped: ``'age\\x1b'[3]``.
        """
        argument = printable_name(self.argument)
        if self.index is None:
            return argument
        if isinstance(self.index, tuple):
            return f"{argument}[{', '.join(map(str, self.index))}]"
        return f"{argument}[{self.index!r}]"

    def __str__(self) -> str:
        return str(self.args[0])

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.argument, self.problem, self.index), self.__dict__)

    def with_index(self, index: int | str | tuple[int, ...]) -> Self:
        """The same error, about item ``index`` of the argument."""
        return type(self)(self.argument, self.problem, index)


class ArgumentTypeError(ArgumentError, TypeError):
    """An argument or a field was given a value of the wrong type.

    Raised by every public function, and by the value classes a caller builds (the
    content model, :class:`~ae_systemic.Patient`, :class:`~ae_systemic.Prescription`,
    :class:`~ae_systemic.CoMedication`), for a value of a type it does not accept
    (``drug(5)``, ``DoseRate("2.5", 5)``, ``Patient(..., pregnant="yes")``).  The
    results the package builds (``Assessment``, ``Finding``, ``DoseCheck``, ``DosePlan``,
    ``Schedule``, ...) check nothing again.  ``argument`` names the argument or field,
    ``index`` the item of a sequence; the message says what was expected.
    """


class InputError(ArgumentError, ValueError):
    """An argument a caller passed has the right type but is unusable.

    ``argument`` names it (``"months"``, ``"start"``), ``index`` the item of a sequence
    where that is the trouble, and the message says what was wrong and what would be
    right.  The command line reads ``argument`` to name the option the value came from.
    """


class DoseInputError(InputError):
    """A weight, an age or another argument of the dosing functions is unusable.

    Raised for a weight without a unit or with a unit that is not a mass, a
    string that does not read as a quantity, a weight that is zero, negative,
    not finite or beyond any human's, an empty array, an age that is not a
    time or is out of range, and for a dose the caller's strengths cannot make.
    :class:`~ae_systemic.Patient` raises it for an unusable age or weight.
    """


class NotFoundError(AeSystemicError, LookupError):
    """The content has nothing under the name, number or key asked for.

    ``key`` is what was asked for, ``owner`` where it was looked for (a drug's
    name) and ``what`` the kind of entry (``"reference"``, ``"statement"``);
    ``known`` lists the keys there are, ``suggestions`` the closest of them.
    """

    def __init__(
        self,
        key: str | int,
        *,
        what: str,
        owner: str,
        known: Sequence[str | int],
        suggestions: Sequence[str] = (),
    ) -> None:
        self.key = key
        self.what = what
        self.owner = owner
        self.known = tuple(known)
        self.suggestions = tuple(suggestions)
        hint = f"did you mean {_quoted_list(self.suggestions)}? " if self.suggestions else ""
        super().__init__(
            f"{owner} has no {what} {key!r}: {hint}known {what}s are {_known_text(self.known)}"
        )

    def __str__(self) -> str:
        return str(self.args[0])

    def __reduce__(self) -> tuple[Any, ...]:
        keywords = {
            "what": self.what,
            "owner": self.owner,
            "known": self.known,
            "suggestions": self.suggestions,
        }
        return (_rebuild, (type(self), (self.key,), keywords, self.__dict__))


def _known_text(known: Sequence[str | int]) -> str:
    """``1-14`` for a run of whole numbers, else the keys quoted; ``none`` for none."""
    if not known:
        return "none"
    numbers = [k for k in known if isinstance(k, int)]
    if len(numbers) == len(known) and sorted(numbers) == list(
        range(min(numbers), max(numbers) + 1)
    ):
        return f"{min(numbers)}-{max(numbers)}" if len(numbers) > 1 else str(numbers[0])
    return ", ".join(repr(k) for k in known)


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

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.name, self.suggestions, self.known), self.__dict__)


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

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.feature, self.name, self.extra), self.__dict__)


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

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), (self.problems,), {"file": self.file}, self.__dict__))

    @property
    def paths(self) -> tuple[str, ...]:
        """The paths of the offending fields, in the order they were found."""
        return tuple(problem.path for problem in self.problems)

    def in_file(self, file: str) -> Self:
        """The same error (its class, attributes and notes kept), attributed to ``file``."""
        return self._with(self.problems, file)

    def under(self, prefix: str) -> Self:
        """The same error (its class, attributes and notes kept), with the paths of its
        problems placed below ``prefix``."""
        moved = (DataProblem(join_path(prefix, p.path), p.message) for p in self.problems)
        return self._with(moved, self.file)

    def _with(self, problems: Iterable[DataProblem], file: str | None) -> Self:
        error = copy.copy(self)  # through __reduce__: a subclass's own attributes come along
        error.problems = tuple(problems)
        error.file = file
        error.args = (error._render(),)
        return error


def _rebuild(
    cls: type[BaseException],
    args: tuple[Any, ...],
    keywords: dict[str, Any],
    state: dict[str, Any],
) -> BaseException:
    """An error of ``cls`` built again from its arguments, with the attributes it had.

    For constructors with keyword-only arguments, which ``__reduce__`` cannot pass alone.
    """
    error = cls(*args, **keywords)
    error.__dict__.update(state)
    return error


# Tracebacks name the errors as users import them (``ae_systemic.InputError``), and pickle
# finds them there too (the package resolves the name on first use).
for _public in (
    AeSystemicError,
    ArgumentError,
    ArgumentTypeError,
    InputError,
    DoseInputError,
    NotFoundError,
    UnknownDrugError,
    MissingExtraError,
    DataProblem,
    DataError,
):
    _public.__module__ = "ae_systemic"


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


def printable_name(name: str) -> str:
    """``name`` as it is, or quoted and escaped (repr) when a character of it would act.

    A name from the caller's data (a column's, a medicine's) goes into messages, reports and
    terminals: a control character (an ANSI escape), a line break (a forged line of a
    report) or a bidirectional override in it must not act or hide.  A lone surrogate (a
    byte of a name that was not UTF-8) is left as it is: it does not act, and the command
    line prints it as ``\\xe8``.
    """
    return repr(name) if _ACTING.search(name) else name


#: Characters that act on a terminal or a text rather than show: C0 and C1 controls, line
#: and paragraph separators, and the invisible formatting and bidirectional controls.
_ACTING = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)


def key_path(prefix: str, key: object) -> str:
    """The path of an object's member ``key``: ``drugs[0].name``, or ``drugs[0]['a b']``.

    A key that is not a plain name (an identifier in ASCII) is shown quoted and escaped,
    so that a key holding a line break or a dot cannot make a path read as another.  A
    key that is no string at all (Python data may hold ``{2: ...}``) is shown as Python
    writes it, ``drugs[0][2]``; this never raises.
    """
    if isinstance(key, str) and key.isascii() and key.isidentifier():
        return join_path(prefix, key)
    return join_path(prefix, f"[{shown(key)}]")


def _quoted_list(names: Sequence[str]) -> str:
    return ", ".join(repr(name) for name in names)
