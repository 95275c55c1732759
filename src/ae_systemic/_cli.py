"""The ``ae-systemic`` command line: what the guideline says, in a terminal or as JSON.

Commands: ``drugs``, ``show``, ``dose``, ``check``, ``assess``, ``audit``, ``schedule``,
``export fhir``, ``schema`` and ``serve`` (see ``docs/cli.md``).  Every command reaches its
answer through the library's functions; the command line only reads the options, prints,
and turns the library's errors into one line on stderr with exit code 2.  The pieces:

* this module: the entry points (:func:`main`, :func:`run`), the top-level parser, and
  errors as one line naming the option: a repeated single-valued option is refused, an
  unknown option is reported before a missing one, and a misspelt option or command gets
  the closest one (difflib, imported only then);
* :mod:`ae_systemic._cli_commands`: each command's options beside its handler;
* :mod:`ae_systemic._cli_options`: the options commands share and the readers of
  option text;
* :mod:`ae_systemic._report`: the text the commands print;
* :mod:`ae_systemic._startup`: pint's set-up when the command line owns its process
  (a cached registry, no numpy), behind one named call.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from ._cli_options import OPTION_OF, Answer, CommandError, SingleValue, add_json, printable

__all__ = ["main", "run", "use_utf8_streams", "write_output"]

PROG = "ae-systemic"

#: Options whose value may start with a minus sign (``--age -3y``): argparse would read
#: ``-3y`` as an option; they are joined to their value first (``--age=-3y``) so that
#: the library can say what is wrong with it.
_VALUE_OPTIONS = frozenset(
    {
        "--weight",
        "--age",
        "--adult-from",
        "--amount",
        "--every",
        "--times-per-day",
        "--tolerance",
        "--start",
        "--months",
        "--strengths",
        "--port",
    }
)
_LOOKS_NEGATIVE = re.compile(r"-[\d.]")


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage errors are one line, like every other error.

    Its single-valued options refuse to be given twice (:class:`SingleValue` is the
    default action), and an unknown command is answered with the closest command.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", None, SingleValue)
        self.register("action", "store", SingleValue)

    def error(self, message: str) -> NoReturn:
        joint = " " if message.endswith("?") else "; "
        raise CommandError(f"{message}{joint}see '{self.prog} --help'")

    def _print_message(self, message: str, file: Any = None) -> None:
        """``--help`` and ``--version`` written as every output is: exit 1 when they cannot be.

        argparse's own writer passes over a failed write, so that ``--help > /dev/full``
        would exit 0 having printed nothing; its stdout is written by :func:`write_output`,
        and a failure (one line on stderr) ends the run with exit code 1.
        """
        if file is not None and file is not sys.stdout:
            super()._print_message(message, file)
        elif message and not write_output(message):
            raise SystemExit(1)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if isinstance(action, argparse._SubParsersAction) and value not in action.choices:
            known = list(action.choices)
            closest = _closest(str(value), known)
            hint = f"did you mean {closest!r}? " if closest else ""
            raise argparse.ArgumentError(
                None, f"unknown command {value!r}: {hint}known commands are {', '.join(known)}"
            )
        super()._check_value(action, value)


def _closest(word: str, known: Sequence[str]) -> str | None:
    """The one of ``known`` closest to ``word``, if any is close (difflib, imported on error)."""
    import difflib

    close = difflib.get_close_matches(word, known, n=1)
    return close[0] if close else None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line as the program of this process; return the exit code.

    The console script ``ae-systemic`` and ``python -m ae_systemic._cli`` call this.
    When pint has not been imported yet in this process, the command line owns it and
    sets pint up for it (:func:`ae_systemic._startup.set_up_pint_for_this_process`);
    otherwise it uses pint's application registry as it finds it.  To run a command
    inside another program without touching anything process-wide, call :func:`run`.
    """
    owns_process = "pint" not in sys.modules
    use_utf8_streams()
    return run(argv, owns_process=owns_process)


def use_utf8_streams() -> None:
    """Make stdout and stderr write UTF-8 whatever the locale or ``PYTHONIOENCODING`` say.

    For a program that owns its process: the command line (:func:`main`) and the
    demonstration (``python -m ae_systemic``).  The arrows and ⊕ symbols are then written
    on any terminal; what is no character (a lone surrogate, which
    :func:`~ae_systemic._cli_options.printable` escapes first) is written as a backslash
    escape rather than failing the command.
    """
    for stream in (sys.stdout, sys.stderr):
        _use_utf8(stream)


def _use_utf8(stream: object) -> None:
    """Make ``stream`` write UTF-8 with backslash escapes, unless it already does."""
    import io

    if isinstance(stream, io.TextIOWrapper):
        encoding = (stream.encoding or "").lower().replace("-", "").replace("_", "")
        if encoding != "utf8" or stream.errors != "backslashreplace":
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")


def run(argv: Sequence[str] | None = None, *, owns_process: bool = False) -> int:
    """Run one command (``argv`` without the program name); return the exit code.

    Output goes to stdout; bad input gives one line ``ae-systemic: error: ...`` on
    stderr and exit code 2.  ``owns_process`` lets the command set pint up for the
    whole process (only :func:`main` passes it).
    """
    from ._errors import AeSystemicError

    arguments = _join_negative_values(list(sys.argv[1:] if argv is None else argv))
    try:
        parser, commands = _parser()
        options = _parse(parser, commands, arguments)
        options.owns_process = owns_process
        handler: Callable[[argparse.Namespace], str | Answer] = options.handler
        answer = handler(options)
        text, status = (answer, 0) if isinstance(answer, str) else answer
    except (CommandError, AeSystemicError) as exc:
        _fail(_message(exc))
        return 2
    except SystemExit as exc:  # --help and --version: argparse has printed them
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        return 130
    return status if write_output(text) else 1


#: Characters per write to stdout: at most 4 KiB of UTF-8, within a text stream's buffer.
_WRITE_PIECE = 1024


def write_output(text: str) -> bool:
    """Write ``text`` and a final line break to stdout; ``False`` when it cannot be written.

    The text is written :func:`~ae_systemic._cli_options.printable` (a byte that is not
    UTF-8 as ``\\xe8``).  A closed pipe (piped into ``head``) stops quietly; any other
    failure (a full disk, no stdout at all, a stdout of another program set to an encoding
    that cannot hold the text) is one line on stderr.  Either way the caller exits with 1.
    """
    stream = sys.stdout
    if stream is None:  # started with stdout closed
        _fail("cannot write the output: there is no standard output")
        return False
    shown = printable(text)
    if not shown.endswith("\n"):
        shown += "\n"
    try:
        # In pieces smaller than the stream's buffer: one large write that the pipe takes
        # only in part (its reader gone after the first bytes, ``| head -1``) returns the
        # part written without an error, and the rest would be lost with exit 0.
        for start in range(0, len(shown), _WRITE_PIECE):
            stream.write(shown[start : start + _WRITE_PIECE])
        stream.flush()
    except BrokenPipeError:
        _silence_stdout()
        return False
    except OSError as exc:
        _fail(f"cannot write the output: {exc.strerror or exc}")
        _silence_stdout()
        return False
    except UnicodeEncodeError as exc:  # only a stdout that run()'s caller set up so
        bad = exc.object[exc.start : exc.end]
        _fail(
            f"cannot write the output: standard output is set to {exc.encoding}, which cannot "
            f"write {bad!r}; set it to UTF-8 (e.g. PYTHONIOENCODING=utf-8)"
        )
        return False
    return True


def _fail(message: str) -> None:
    if sys.stderr is None:  # started with stderr closed: the exit code must say it
        return
    one_line = _one_line(message)
    try:
        sys.stderr.write(f"{PROG}: error: {one_line}\n")
        sys.stderr.flush()
    except (OSError, UnicodeEncodeError):  # the exit code says it all the same
        pass


#: A line break (and the spaces around it) in a message: one space on the error's line.
_LINE_BREAK = re.compile(r"[ \t]*[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+[ \t]*")
#: A byte that is not UTF-8, as ``repr`` of an argument holding it writes it (``\udce8``).
_ESCAPED_BYTE = re.compile(r"(?<!\\)\\udc([89a-f][0-9a-f])")


def _one_line(message: str) -> str:
    """``message`` on one line: line breaks as spaces, other spaces as they are (a value
    quoted in it keeps its own), and a byte that is not UTF-8 as ``\xe8`` wherever it
    stands, also inside a value that ``repr`` quoted (``'cicl\udce8'`` → ``'cicl\xe8'``),
    as docs/cli.md's "Output encoding" gives it."""
    text = _LINE_BREAK.sub(" ", printable(message)).strip()
    return _ESCAPED_BYTE.sub(r"\\x\1", text)


def _silence_stdout() -> None:
    """Point stdout at the null device, so that Python's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _parse(
    parser: argparse.ArgumentParser,
    commands: dict[str, argparse.ArgumentParser],
    arguments: list[str],
) -> argparse.Namespace:
    """The options of ``arguments``; an unknown option is reported before a missing one.

    argparse checks the required options before it looks at unknown ones, so that
    ``--wieght 70kg`` would be reported as a missing ``--weight``.  A first pass with
    nothing required finds the unknown arguments; the second pass is the real one.
    """
    required = [
        action
        for each in (parser, *commands.values())
        for action in each._actions
        if action.required
    ]
    for action in required:
        action.required = False
    try:
        trial, extra = parser.parse_known_args(arguments)
    finally:
        for action in required:
            action.required = True
    if extra:
        command = getattr(trial, "command", None)
        _unrecognized(commands.get(command, parser) if command else parser, extra, arguments)
    return parser.parse_args(arguments)


def _unrecognized(
    parser: argparse.ArgumentParser, extra: list[str], arguments: list[str]
) -> NoReturn:
    """Refuse the arguments ``parser`` did not recognise: unknown options first, with the
    closest option of the command, else the stray values."""
    unknown = [word.split("=", 1)[0] for word in extra if word.startswith("-") and word != "-"]
    named = unknown or extra
    message = f"unrecognized argument{'s' if len(named) > 1 else ''} {' '.join(named)}"
    known = sorted(
        {name for action in parser._actions for name in action.option_strings} - {"-h", "--help"}
    )
    hints = []
    for option in unknown:
        closest = _closest(option, known)
        if closest:
            hints.append(closest if len(unknown) == 1 else f"{closest} for {option}")
    if hints:
        message += f"; did you mean {' and '.join(hints)}?"
    elif not unknown and (split := _split_value(extra, arguments)) is not None:
        option, value = split
        message += (
            f"; {option} takes its value as one argument: write {option} "
            f"{value.replace(' ', '')} or quote it, {option} '{value}'"
        )
    elif not unknown and "--co-medication" in arguments:
        message += (
            "; each --co-medication takes one medicine: repeat the option for each, "
            f"e.g. --co-medication {extra[0]}"
        )
    parser.error(message)


def _split_value(extra: list[str], arguments: list[str]) -> tuple[str, str] | None:
    """The option and its whole value that spaces split (``--weight 70 kg``,
    ``--age 15 years 11 months``), if the first stray word of ``extra`` is the unit so cut
    off, and the stray words after it the rest of the value; ``None`` otherwise."""
    for position in range(2, len(arguments)):
        option, number, word = arguments[position - 2 : position + 1]
        if word == extra[0] and option in _QUANTITY_OPTIONS and _NUMBER.fullmatch(number):
            words = list(
                itertools.takewhile(
                    lambda pair: pair[0] == pair[1], zip(arguments[position:], extra, strict=False)
                )
            )
            return option, " ".join([number, *(word for word, _ in words)])
    return None


#: The options whose value is a number with its unit (``--weight 70kg``).
_QUANTITY_OPTIONS = frozenset({"--weight", "--age", "--adult-from", "--amount", "--every"})
#: A number as a value of the command line writes it (``70``, ``0.5``, ``-1``).
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)")


def _join_negative_values(arguments: list[str]) -> list[str]:
    joined: list[str] = []
    position = 0
    while position < len(arguments):
        token = arguments[position]
        following = arguments[position + 1] if position + 1 < len(arguments) else ""
        if token in _VALUE_OPTIONS and _LOOKS_NEGATIVE.match(following):
            joined.append(f"{token}={following}")
            position += 2
        else:
            joined.append(token)
            position += 1
    return joined


def _message(exc: Exception) -> str:
    """The error's message, naming the option a library argument came from.

    The library's argument errors carry the argument's name (``exc.argument``) and the
    index of an item (``exc.index``); the message is rebuilt around the option.
    """
    argument: object = getattr(exc, "argument", None)
    problem: object = getattr(exc, "problem", None)
    if not isinstance(argument, str) or not isinstance(problem, str):
        return str(exc)
    option = OPTION_OF.get(argument)
    if option is None:
        return str(exc)
    index = getattr(exc, "index", None)
    if isinstance(index, int):
        return f"{option} (item {index + 1}): {problem}"
    return f"{option}: {problem}"


def _parser() -> tuple[_Parser, dict[str, argparse.ArgumentParser]]:
    """The parser, and the parser of each command by name."""
    from ._cli_commands import COMMANDS
    from ._version import __version__

    parser = _Parser(
        prog=PROG,
        description=(
            "What the European (EuroGuiDerm) guideline on atopic eczema says about systemic\n"
            "drugs (today: ciclosporin): recommendations, evidence, doses, patient assessment\n"
            "and monitoring. It gives no clinical advice: read the guideline before you act\n"
            "on any of it."
        ),
        epilog="Examples:\n"
        "  ae-systemic show ciclosporin\n"
        "  ae-systemic dose ciclosporin --weight 70kg --phase acute --strengths 25mg,50mg,100mg\n"
        "  ae-systemic check ciclosporin --weight 70kg --amount 200mg --times-per-day 2\n"
        "  ae-systemic assess ciclosporin --age 15y11m --weight 154lb --uvb\n"
        "  ae-systemic audit ciclosporin cohort.csv --out result.parquet --age-unit year "
        "--weight-unit kg\n"
        "  ae-systemic schedule ciclosporin --start 2027-01-15 --ics visits.ics\n"
        "  ae-systemic export fhir ciclosporin > bundle.json\n"
        "  ae-systemic serve --trust https://ehr.example.org=keys.json "
        "--base-url http://127.0.0.1:8080",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_json(parser, default=False)
    commands: argparse._SubParsersAction[argparse.ArgumentParser] = parser.add_subparsers(
        title="commands", dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )
    for add_command in COMMANDS:
        add_command(commands)
    by_name: dict[str, argparse.ArgumentParser] = dict(commands.choices)
    return parser, by_name


if __name__ == "__main__":
    sys.exit(main())
