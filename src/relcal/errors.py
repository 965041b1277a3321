"""The one error hierarchy of relcal and the exit code each error maps to.

The core raises these; only the CLI turns them into a message and an exit
code (see ``cli.RelcalGroup``), so a library user gets ordinary exceptions.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    DATA = 1  # invalid dataset, failed export
    USAGE = 2  # bad option, unparseable date, unknown film id
    INTERNAL = 70  # a bug in relcal (EX_SOFTWARE); never caused by input
    INTERRUPTED = 130  # Ctrl-C


class Problem:
    """One thing wrong with a dataset file, at a 1-based line and column.

    Line 0 means the problem is with the file as a whole (missing, unreadable).
    Problems sort by file, line, column. (A plain class: this module is on every
    command's start-up path, and a dataclass costs a millisecond to create.)
    """

    __slots__ = ("file", "line", "col", "message", "rule")

    def __init__(self, file: str, line: int, col: int, message: str, rule: str | None = None):
        self.file, self.line, self.col, self.message = file, line, col, message
        self.rule = rule  # which check found it, when JSON Schema cannot express it (format.BEYOND_SCHEMA)

    def _key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.col, self.message)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and self._key() == other._key()

    def __lt__(self, other: Problem) -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Problem({self.file!r}, {self.line}, {self.col}, {self.message!r})"

    def __str__(self) -> str:
        if self.line <= 0:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class RelcalError(Exception):
    exit_code: ExitCode = ExitCode.DATA


class DataError(RelcalError):
    """The dataset is invalid. Carries every problem found, not just the first."""

    exit_code = ExitCode.DATA

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        first = str(self.problems[0]) if self.problems else "invalid dataset"
        more = len(self.problems) - 1
        super().__init__(first + (f" (and {more} more problem{'s' * (more > 1)}; run 'relcal validate')" if more else ""))


class UsageError(RelcalError):
    """The command line asked for something that cannot be done."""

    exit_code = ExitCode.USAGE


class ExportError(RelcalError):
    """Writing the output failed; nothing was written (or the old file survives)."""

    exit_code = ExitCode.DATA
