"""How a relcal run starts and ends: the start-up measures, in one place.

relcal runs from prompts, scripts and cron jobs, so a run that answers in a
fraction of a second spends much of it starting and stopping. Three measures
keep that short, each measured in bench/run.py:

- Only the command being run is built (``cli.only``): typer inspects every
  command's signature before running one, and most runs need one.
- The cyclic garbage collector is off: a run builds many small objects and no
  reference cycles, then exits; the collector would only rescan them (more
  than half the time of a large export).
- The process ends with ``os._exit`` after flushing: freeing a large catalog
  object by object costs more than the query did. Files relcal writes are
  closed (and renamed) before that point.

Streams that cannot encode a character (PYTHONIOENCODING=ascii, an odd
terminal) get an escape instead of an error.
"""

from __future__ import annotations

import gc
import os
import sys


def main() -> None:
    gc.disable()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
    from . import cli

    argv = sys.argv[1:]
    target = (cli.only(argv[0]) if argv and "_RELCAL_COMPLETE" not in os.environ else None) or cli.app
    try:
        target(prog_name="relcal")
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    leave(code)


def leave(code: object) -> None:
    """Flush what was written, then leave without tearing anything down."""
    if code is not None and not isinstance(code, int):
        sys.stderr.write(f"{code}\n")
        code = 1
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # the reader went away: nothing more to say
        pass
    except OSError as exc:  # a full disk behind '> file': the output is incomplete, and the user must know
        _quiet(sys.stdout)
        sys.stderr.write(f"relcal: cannot write to standard output: {exc.strerror or exc}\n")
        code = code or 1
    try:
        sys.stderr.flush()
    except (ValueError, OSError):
        pass
    os._exit(code or 0)


def _quiet(stream: object) -> None:
    """Drop what STREAM still holds, so that nothing tries to write it again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())  # type: ignore[attr-defined]
    except (OSError, ValueError, AttributeError):
        pass
