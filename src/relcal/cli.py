"""The relcal command line: parse options, call the core, render. No logic here.

Errors raised by the core are turned into one line on stderr and an exit code
in exactly one place, ``RelcalGroup.invoke``.
"""

# No "from __future__ import annotations" here: typer reads the signatures
# below on every run, and string annotations would cost an eval() each.

import gc
import os
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from . import __version__
from .errors import ExitCode, ExportError, RelcalError, UsageError
from .render import FORMATS, Sink


class RelcalGroup(TyperGroup):
    """Maps relcal's errors to one message line and an exit code: the only place that does."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except RelcalError as exc:
            if os.environ.get("RELCAL_DEBUG"):
                raise
            _sink(ctx).note(f"relcal: {exc}")
            raise typer.Exit(int(exc.exit_code)) from None
        except BrokenPipeError:
            _quiet_broken_pipe()
            raise typer.Exit(int(ExitCode.OK)) from None
        except Exception as exc:
            if os.environ.get("RELCAL_DEBUG") or type(exc).__module__.startswith("typer"):
                raise
            _sink(ctx).note(f"relcal: internal error ({type(exc).__name__}: {exc}); "
                            "this is a bug in relcal: rerun with RELCAL_DEBUG=1 and report the traceback")
            raise typer.Exit(int(ExitCode.INTERNAL)) from None


def _quiet_broken_pipe() -> None:
    # The reader (head, less) went away: stop quietly. Point stdout at devnull so
    # the interpreter's final flush does not print "Exception ignored".
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _new_app(completion: bool = True) -> typer.Typer:
    return typer.Typer(
        cls=RelcalGroup,
        name="relcal",
        help="A release calendar for films: when a film arrives where — festivals, cinemas, VOD, streaming — per region.",
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        add_completion=completion,
    )


app = _new_app()


def _sink(ctx: Any) -> Sink:
    """The output sink: a test may pass one as ``obj``; otherwise the real streams."""
    root = ctx.find_root() if ctx is not None else None
    obj = getattr(root, "obj", None)
    return obj if isinstance(obj, Sink) else Sink.from_env()


# ---------------------------------------------------------------------------
# Options shared by the commands

DataOpt = Annotated[
    list[Path] | None,
    typer.Option("--data", envvar="RELCAL_DATA", metavar="PATH",
                 help="Dataset file or folder (repeatable; env RELCAL_DATA, separated by ':'). Default: the shipped dataset."),
]
TodayOpt = Annotated[
    str | None,
    typer.Option("--today", envvar="RELCAL_TODAY", metavar="DATE",
                 help="Take DATE as today (env RELCAL_TODAY). Default: the local date."),
]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", envvar="RELCAL_NO_CACHE",
                                          help="Parse the dataset afresh; do not read or write the parse cache.")]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", metavar="FORMAT",
                 help="table, tsv, csv, json, jsonl or md. Default: table on a terminal, tsv in a pipe.",
                 autocompletion=lambda: list(FORMATS)),
]
NoHeaderOpt = Annotated[bool, typer.Option("--no-header", help="Leave out the header line (tsv, csv).")]
KindOpt = Annotated[
    list[str] | None,
    typer.Option("-k", "--kind", metavar="KIND",
                 help="premiere, festival, limited, theatrical, virtual-cinema, vod, streaming, physical or tv (repeatable)."),
]
PlatformOpt = Annotated[list[str] | None, typer.Option("-p", "--platform", metavar="NAME",
                                                      help="Platform or venue, e.g. Hulu (repeatable).")]
RegionOpt = Annotated[list[str] | None, typer.Option("-r", "--region", metavar="CODE",
                                                    help="ISO country code, e.g. US; worldwide windows match any (repeatable).")]
def _complete_film(ctx: typer.Context, incomplete: str) -> list[str]:
    """Film ids for shell completion (from the parse cache, so it stays quick)."""
    from .catalog import load_catalog

    try:
        ids = load_catalog(ctx.params.get("data") or None).ids()
    except (RelcalError, OSError):
        return []  # completion must never break the shell
    return [i for i in ids if i.startswith(incomplete)]


FilmOpt = Annotated[list[str] | None, typer.Option("-f", "--film", metavar="ID", help="Film id (repeatable).",
                                                  autocompletion=_complete_film)]
PersonOpt = Annotated[list[str] | None, typer.Option("--person", metavar="NAME",
                                                    help="Director, writer or cast member; part of a name, accents ignored (repeatable).")]
SearchOpt = Annotated[list[str] | None, typer.Option("-s", "--search", metavar="TEXT",
                                                    help="Part of the title or original title, accents ignored (repeatable).")]
StatusOpt = Annotated[list[str] | None, typer.Option("--status", metavar="STATUS",
                                                    help="confirmed, announced, tentative, postponed or cancelled (repeatable).")]


def _today(text: str | None) -> date:
    from .dates import parse_today

    return parse_today(text)


def _date(text: str | None, today: date, option: str, *, end: bool = False) -> date | None:
    """A range end: --from takes a partial date's first day, --to its last day."""
    if text is None:
        return None
    from .dates import parse_date

    found = parse_date(text, today=today, option=option)
    return found.last_day if end else found.first_day


def _format(sink: Sink, fmt: str | None) -> str:
    if fmt is None:
        return sink.default_format()
    key = fmt.strip().lower()
    if key not in FORMATS:
        raise UsageError(f"--format: {fmt!r} is not a format; use one of {', '.join(FORMATS)}")
    return key


def _load(ctx: typer.Context, data: list[Path] | None, no_cache: bool = False) -> Any:
    from .catalog import load_catalog
    from .progress import Progress

    sink = _sink(ctx)
    with Progress(sink.stderr, sink.stderr_isatty, "Reading the dataset") as progress:
        catalog = load_catalog(data or None, use_cache=not no_cache, progress=progress.update)
    _KEPT.append(catalog)  # freed by the process's end, not film by film (see _exit)
    return catalog


_KEPT: list[Any] = []


def _query(start: date | None, end: date | None, kind: Any, platform: Any, region: Any, film: Any,
           person: Any, search: Any, status: Any) -> Any:
    from .query import Query

    return Query.build(start=start, end=end, kinds=kind or (), platforms=platform or (), regions=region or (),
                       films=film or (), people=person or (), search=search or (), statuses=status or ())


def _print_rows(ctx: typer.Context, query: Any, catalog: Any, fmt: str | None, no_header: bool) -> None:
    from .render import empty_note, write_rows

    sink = _sink(ctx)
    fmt = _format(sink, fmt)
    rows = query.rows(catalog)
    if not rows and fmt == "table":
        before, after = query.nearest_outside(catalog)
        sink.note(empty_note(query.start, query.end, before, after))
        return
    write_rows(sink, fmt, rows, header=not no_header)


# ---------------------------------------------------------------------------
# Commands

def _version(value: bool) -> None:
    if value:
        typer.echo(f"relcal {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """A release calendar for films: when a film arrives where — festivals, cinemas, VOD, streaming — per region."""


@app.command()
def upcoming(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", "-d", min=0, help="How many days ahead to look.")] = 30,
    to: Annotated[str | None, typer.Option("--to", metavar="DATE", help="Look up to DATE instead of --days.")] = None,
    kind: KindOpt = None, platform: PlatformOpt = None, region: RegionOpt = None, film: FilmOpt = None,
    person: PersonOpt = None, search: SearchOpt = None, status: StatusOpt = None,
    fmt: FormatOpt = None, no_header: NoHeaderOpt = False, data: DataOpt = None, today: TodayOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Release windows from today to today + --days (default 30)."""
    day = _today(today)
    end = _date(to, day, "--to", end=True) if to is not None else day + timedelta(days=days)
    query = _query(day, end, kind, platform, region, film, person, search, status)
    _print_rows(ctx, query, _load(ctx, data, no_cache), fmt, no_header)


@app.command()
def releases(
    ctx: typer.Context,
    start: Annotated[str | None, typer.Option("--from", metavar="DATE", help="First day (a month or year means its first day).")] = None,
    to: Annotated[str | None, typer.Option("--to", metavar="DATE", help="Last day (a month or year means its last day).")] = None,
    kind: KindOpt = None, platform: PlatformOpt = None, region: RegionOpt = None, film: FilmOpt = None,
    person: PersonOpt = None, search: SearchOpt = None, status: StatusOpt = None,
    fmt: FormatOpt = None, no_header: NoHeaderOpt = False, data: DataOpt = None, today: TodayOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Release windows in any range, past included (no --from/--to: all of them)."""
    day = _today(today)
    query = _query(_date(start, day, "--from"), _date(to, day, "--to", end=True),
                   kind, platform, region, film, person, search, status)
    _print_rows(ctx, query, _load(ctx, data, no_cache), fmt, no_header)


@app.command()
def films(
    ctx: typer.Context,
    kind: KindOpt = None, platform: PlatformOpt = None, region: RegionOpt = None, film: FilmOpt = None,
    person: PersonOpt = None, search: SearchOpt = None, status: StatusOpt = None,
    fmt: FormatOpt = None, no_header: NoHeaderOpt = False, data: DataOpt = None, today: TodayOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """One row per film: id, title, year, directors, windows and the next window from today."""
    from .render import write_films

    day = _today(today)
    query = _query(None, None, kind, platform, region, film, person, search, status)
    summaries = query.summaries(_load(ctx, data, no_cache), day)
    sink = _sink(ctx)
    fmt_ = _format(sink, fmt)
    if not summaries and fmt_ == "table":
        sink.note("No films match these filters.")
        return
    write_films(sink, fmt_, summaries, header=not no_header)


@app.command()
def show(
    ctx: typer.Context,
    film: Annotated[str, typer.Argument(metavar="FILM", help="Film id (or its exact title).",
                                        autocompletion=_complete_film)],
    fmt: FormatOpt = None, no_header: NoHeaderOpt = False, data: DataOpt = None, today: TodayOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """One film: its details, then its windows as a timeline with the gap between them."""
    from .query import Query, find_film
    from .render import write_film

    _today(today)  # checked like every command's, though a timeline does not depend on it
    catalog = _load(ctx, data, no_cache)
    found = find_film(catalog, film)
    rows = Query(films=(found.id,)).rows(catalog)
    sink = _sink(ctx)
    write_film(sink, _format(sink, fmt), found, rows, header=not no_header)


@app.command()
def export(
    ctx: typer.Context,
    start: Annotated[str | None, typer.Option("--from", metavar="DATE", help="First day (default: all windows).")] = None,
    to: Annotated[str | None, typer.Option("--to", metavar="DATE", help="Last day.")] = None,
    kind: KindOpt = None, platform: PlatformOpt = None, region: RegionOpt = None, film: FilmOpt = None,
    person: PersonOpt = None, search: SearchOpt = None, status: StatusOpt = None,
    output: Annotated[str | None, typer.Option("-o", "--output", metavar="FILE",
                                               help="Write to FILE (atomically: a failed export leaves it as it was); '-' or none: stdout.")] = None,
    name: Annotated[str, typer.Option("--name", help="Calendar name shown by calendar apps.")] = "relcal releases",
    remind: Annotated[str | None, typer.Option("--remind", metavar="DURATION",
                                               help="Add a reminder this long before each day, e.g. 1d or 12h.")] = None,
    include_partial: Annotated[bool, typer.Option("--include-partial",
                                                  help="Also export month- or year-precision windows, as tentative events spanning the period.")] = False,
    split_by: Annotated[str | None, typer.Option("--split-by", metavar="FIELD",
                                                 help="One calendar file per film, platform, kind or region (needs --out-dir).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out-dir", metavar="DIR", help="Folder for --split-by files.")] = None,
    data: DataOpt = None, today: TodayOpt = None, no_cache: NoCacheOpt = False,
) -> None:
    """Matching windows as an iCalendar file for calendar apps (all-day events)."""
    from . import ical
    from .files import write_atomic

    day = _today(today)
    options = ical.Options(name=name, stamp=ical.dtstamp(),
                           remind=ical.parse_duration(remind) if remind else None,
                           include_partial=include_partial)
    if split_by is not None:
        if split_by not in ical.SPLITS:
            raise UsageError(f"--split-by: {split_by!r} is not known; use one of {', '.join(ical.SPLITS)}")
        if out_dir is None or output is not None:
            raise UsageError("--split-by writes one file per group into --out-dir DIR; give --out-dir and no -o")
    elif out_dir is not None:
        raise UsageError("--out-dir goes with --split-by; for one file use -o FILE")
    query = _query(_date(start, day, "--from"), _date(to, day, "--to", end=True),
                   kind, platform, region, film, person, search, status)
    rows = query.rows(_load(ctx, data, no_cache))  # an invalid dataset stops here, before anything is written
    sink = _sink(ctx)
    left_out = len(rows) - len(ical.exported(rows, include_partial))

    if split_by is not None:
        assert out_dir is not None
        groups = ical.split(rows, split_by)
        names = ical.file_names(groups)
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"cannot create {out_dir}: {exc.strerror or exc}") from None
        for key, group in groups.items():
            label = ical.group_name(group[0], split_by)
            write_atomic(out_dir / names[key], ical.export_bytes(group, replace(options, name=f"{name} — {label}")))
        if sink.stderr_isatty:
            sink.note(f"wrote {len(groups)} calendar{'s' * (len(groups) != 1)} to {out_dir}")
    else:
        from .progress import Progress

        with Progress(sink.stderr, sink.stderr_isatty, "Writing events") as progress:
            data_bytes = ical.export_bytes(rows, options, progress.update)
        if output in (None, "-"):
            sink.write_bytes(data_bytes)
        else:
            write_atomic(Path(output), data_bytes)
        if sink.stderr_isatty and output not in (None, "-"):
            events = len(rows) - left_out
            sink.note(f"wrote {events} event{'s' * (events != 1)} to {output}")
    if left_out and sink.stderr_isatty:
        sink.note(f"{left_out} window{'s' * (left_out != 1)} known only to the month or year left out; "
                  "--include-partial adds them")


@app.command()
def validate(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(metavar="[PATH]...",
                                                       help="Files or folders to check. Default: --data, or the shipped dataset.")] = None,
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT",
                                     help="text (FILE:LINE:COL: message on stderr) or github (workflow annotations on stdout).")] = "text",
    data: DataOpt = None, today: TodayOpt = None,
) -> None:
    """Check dataset files and print every problem as FILE:LINE:COL: message."""
    from .catalog import check, display_path
    from .render import github_annotation

    _today(today)
    if fmt not in ("text", "github"):
        raise UsageError(f"--format: {fmt!r} is not a validate format; use text or github")
    sink = _sink(ctx)
    catalog, problems = check(paths or data or None)
    for problem in problems:
        if fmt == "github":
            sink.write(github_annotation(problem))
        else:
            sink.note(str(problem))
    files = ", ".join(display_path(p) for p in catalog.files)
    if problems:
        where = f"in {files}" if files else "and no dataset file was read"
        sink.note(f"{len(problems)} problem{'s' * (len(problems) != 1)} {where}")
        raise typer.Exit(int(ExitCode.DATA))
    sink.note(f"ok: {len(catalog.films)} films, {catalog.window_count} release windows in {files}")


@app.command()
def schema(
    ctx: typer.Context,
    data: DataOpt = None, today: TodayOpt = None,
) -> None:
    """Print the dataset format as JSON Schema (draft-07), for editors' YAML language servers."""
    from .schema import schema_json

    _today(today)
    _sink(ctx).write(schema_json())


def _only(name: str) -> typer.Typer | None:
    """The app with just the command NAME, or None if there is no such command.

    typer inspects every command's signature before it runs one; a run that
    names its command needs only that one, which saves start-up time on every
    call from a prompt, a script or a cron job. Help, completion and errors
    without a known command use the whole app.
    """
    for info in app.registered_commands:
        if (info.name or info.callback.__name__) == name:  # type: ignore[union-attr]
            light = _new_app(completion=False)  # --install-completion is an option of relcal itself
            light.registered_callback = app.registered_callback
            light.registered_commands.append(info)
            return light
    return None


def main() -> None:
    # relcal builds many small objects and no reference cycles, then exits: the
    # cyclic garbage collector would only rescan them (more than half the time
    # of a large export), so a run does without it.
    gc.disable()
    argv = sys.argv[1:]
    target = (_only(argv[0]) if argv and "_RELCAL_COMPLETE" not in os.environ else None) or app
    try:
        target(prog_name="relcal")
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    _exit(code)


def _exit(code: object) -> None:
    """Flush what was written, then leave without tearing down every film built:
    freeing a large catalog object by object costs more than the query did.
    Files relcal writes are closed (and renamed) before this point."""
    if code is not None and not isinstance(code, int):
        sys.stderr.write(f"{code}\n")
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError, OSError):  # the reader went away: nothing more to say
            pass
    os._exit(code or 0)
