"""Progress for long work, on stderr, only for a person at a terminal.

A cold load of a large dataset or a large export can take seconds. When stderr
is a terminal and the work runs past DELAY seconds, a spinner with counts
appears on stderr and is cleared when the work ends. Nothing is shown in a
pipe, a cron job or a test, nothing ever reaches stdout, and rich is imported
only when the spinner is actually shown.
"""

from __future__ import annotations

import os
import threading
from typing import Any, TextIO

DELAY = 1.0  # seconds of work before anything is shown


def _sizes_checked() -> dict[str, str]:
    """The environment for rich, less a COLUMNS or LINES that is not a plain number
    (rich would take "²" for one, and int() refuse it)."""
    return {k: v for k, v in os.environ.items()
            if k not in ("COLUMNS", "LINES") or (v.isascii() and v.isdigit())}


class Progress:
    def __init__(self, stream: TextIO, enabled: bool, what: str):
        self.stream = stream
        self.enabled = enabled
        self.what = what
        self.files = 0
        self.files_total = 0
        self.windows = 0
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._live: Any = None
        self._task: Any = None
        self._done = False

    def __enter__(self) -> Progress:
        if self.enabled:
            self._timer = threading.Timer(DELAY, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._done = True
            if self._timer is not None:
                self._timer.cancel()
            if self._live is not None:
                self._live.stop()

    def update(self, *, files: int | None = None, files_total: int | None = None, windows: int | None = None) -> None:
        """Called by the work as it goes; cheap when nothing is shown."""
        if files is not None:
            self.files = files
        if files_total is not None:
            self.files_total = files_total
        if windows is not None:
            self.windows = windows
        if self._live is not None:
            self._live.update(self._task, description=self._text())

    def _text(self) -> str:
        files = f"{self.files}/{self.files_total} files, " if self.files_total > 1 else ""
        return f"{self.what}: {files}{self.windows:,} windows"

    def _show(self) -> None:
        with self._lock:
            if self._done:
                return
            from rich.console import Console
            from rich.progress import Progress as Bar
            from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

            console = Console(file=self.stream, force_terminal=True, highlight=False, _environ=_sizes_checked())
            self._live = Bar(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                             console=console, transient=True)
            self._task = self._live.add_task(self._text(), total=None)
            self._live.start()


class Bar:
    """A bar with a count, on stderr at a terminal, for work whose size is known
    once it starts (films fetched from TMDB). ``start(total)`` returns the
    function to call as each piece is done; nothing is drawn in a pipe."""

    def __init__(self, stream: TextIO, enabled: bool, what: str):
        self.stream = stream
        self.enabled = enabled
        self.what = what
        self._live: Any = None

    def __enter__(self) -> Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def start(self, total: int) -> Any:
        # A dumb terminal cannot redraw a line: the bar would only leave a blank one behind.
        if not self.enabled or total < 2 or os.environ.get("TERM") == "dumb":
            return lambda: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        if self._live is not None:
            self._live.stop()
        console = Console(file=self.stream, force_terminal=True, highlight=False, _environ=_sizes_checked())
        self._live = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), console=console, transient=True)
        task = self._live.add_task(self.what, total=total)
        self._live.start()
        live = self._live
        return lambda: live.advance(task)
