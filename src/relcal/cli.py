"""The relcal command line: parse options, call the core, render. No logic here.

Errors raised by the core are turned into one line on stderr and an exit code
in exactly one place, ``RelcalGroup.invoke``.
"""

# No "from __future__ import annotations" here: typer reads the signatures
# below on every run, and string annotations would cost an eval() each.

import os
import sys
from dataclasses import replace
from datetime import date
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


commands = _new_app()  # the whole app is `app`, below: these and the commands of LAZY


def _sink(ctx: Any) -> Sink:
    """The output sink: a test may pass one as ``obj``; otherwise the real streams."""
    root = ctx.find_root() if ctx is not None else None
    obj = getattr(root, "obj", None)
    return obj if isinstance(obj, Sink) else Sink.from_env()


# ---------------------------------------------------------------------------
# Options shared by the commands

# Paths stay text until the catalog sees them: typer would turn an empty one into
# Path("."), the working folder, and RELCAL_DATA is split here for the same reason.
DataOpt = Annotated[
    list[str] | None,
    typer.Option("--data", metavar="PATH",
                 help="Dataset file or folder (repeatable; env RELCAL_DATA, separated by ':'). "
                      "Default: the shipped dataset and your own folder ($RELCAL_HOME/films, else "
                      "$XDG_DATA_HOME/relcal/films, else ~/.local/share/relcal/films)."),
]


def _paths(texts: list[str] | None) -> list[Path] | None:
    """Paths for add/sync/discover, the empty one refused as everywhere else."""
    if texts is None:
        return None
    from .catalog import EMPTY_PATH

    if any(not t for t in texts):
        raise UsageError(EMPTY_PATH)
    return [Path(t) for t in texts]


def _data(given: list[str] | None) -> list[str] | None:
    """--data's paths, else RELCAL_DATA's (split on ':'), else None for the default set.
    An empty path is the catalog's usage error, never the working folder."""
    if given:
        return list(given)
    env = os.environ.get("RELCAL_DATA")
    return env.split(os.pathsep) if env else None
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
BOM_HELP = "Start csv output with a UTF-8 byte-order mark, so that Excel reads non-ASCII text right (csv only)."
BomOpt = Annotated[bool, typer.Option("--bom", help=BOM_HELP)]
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
        ids = load_catalog(_data(ctx.params.get("data"))).ids()
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
# The range and the calendar's options of the commands that write calendars (export, publish).
FromOpt = Annotated[str | None, typer.Option("--from", metavar="DATE", help="First day (default: all windows).")]
ToOpt = Annotated[str | None, typer.Option("--to", metavar="DATE", help="Last day.")]
NameOpt = Annotated[str, typer.Option("--name", help="Calendar name shown by calendar apps.")]
RemindOpt = Annotated[str | None, typer.Option("--remind", metavar="DURATION",
                                               help="Add a reminder this long before each day, e.g. 1d or 12h.")]
IncludePartialOpt = Annotated[bool, typer.Option("--include-partial",
                                                 help="Also put month- or year-precision windows in the calendars, as "
                                                      "tentative events spanning the period.")]


def _calendar_query(ctx: typer.Context, day: date) -> Any:
    """The Query of a calendar command's --from, --to and filter options, as typed: Query.parse
    reads them by their option names (--from's parameter is 'start': 'from' is a Python keyword)."""
    from .query import OPTIONS, Query

    given = {"from" if name == "start" else name: value for name, value in ctx.params.items()}
    return Query.parse(day, {name: given[name] for name in OPTIONS})


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


ROW_FORMATS = tuple(f for f in FORMATS if f != "table")  # the formats a pipe reads


def _format(sink: Sink, fmt: str | None, bom: bool = False, *, allowed: tuple[str, ...] | None = None,
            default: str | None = None) -> str:
    """The --format to write: FMT if it is one of ALLOWED (a command's own list; else
    FORMATS), else DEFAULT, else table on a terminal and tsv in a pipe; --bom only with csv."""
    key = (default or sink.default_format()) if fmt is None else fmt.strip().lower()
    if key not in (allowed or FORMATS):
        whose = " of this command" if allowed else ""
        raise UsageError(f"--format: {fmt!r} is not a format{whose}; use one of {', '.join(allowed or FORMATS)}")
    return _bom_check(key, bom)


def _bom_check(fmt: str, bom: bool) -> str:
    if bom and fmt != "csv":
        raise UsageError(f"--bom is for csv output only (this output is {fmt}); add --format csv or leave out --bom")
    return fmt


def _load(ctx: typer.Context, data: list[Path] | None, no_cache: bool = False) -> Any:
    from .catalog import load_catalog
    from .progress import Progress

    sink = _sink(ctx)
    with Progress(sink.stderr, sink.stderr_isatty, "Reading the dataset") as progress:
        catalog = load_catalog(_data(data), use_cache=not no_cache, progress=progress.update)
    _KEPT.append(catalog)  # freed by the process's end, not film by film (see launch.leave)
    return catalog


_KEPT: list[Any] = []


def _query(start: date | None, end: date | None, kind: Any, platform: Any, region: Any, film: Any,
           person: Any, search: Any, status: Any) -> Any:
    from .query import Query

    return Query.build(start=start, end=end, kinds=kind or (), platforms=platform or (), regions=region or (),
                       films=film or (), people=person or (), search=search or (), statuses=status or ())


def _print_rows(ctx: typer.Context, query: Any, catalog: Any, fmt: str | None, no_header: bool,
                bom: bool = False) -> None:
    from .render import write_rows

    sink = _sink(ctx)
    fmt = _format(sink, fmt, bom)
    rows = query.rows(catalog)
    if not rows and fmt == "table":
        _nothing_note(ctx, query, catalog)
        return
    write_rows(sink, fmt, rows, header=not no_header, bom=bom)


def _nothing_note(ctx: typer.Context, query: Any, catalog: Any) -> None:
    """Say that nothing matched, and where the nearest windows are."""
    from .render import empty_note

    before, after = query.nearest_outside(catalog)
    _sink(ctx).note(empty_note(query.start, query.end, before, after))


# ---------------------------------------------------------------------------
# Commands

def _version(value: bool) -> None:
    if value:
        typer.echo(f"relcal {__version__}")
        raise typer.Exit()


@commands.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """A release calendar for films: when a film arrives where — festivals, cinemas, VOD, streaming — per region."""


@commands.command()
def upcoming(
    ctx: typer.Context,
    days: Annotated[int | None, typer.Option("--days", "-d", min=0,
                                             help="How many days ahead to look (default 30).")] = None,
    to: Annotated[str | None, typer.Option("--to", metavar="DATE", help="Look up to DATE instead of --days.")] = None,
    kind: KindOpt = None, platform: PlatformOpt = None, region: RegionOpt = None, film: FilmOpt = None,
    person: PersonOpt = None, search: SearchOpt = None, status: StatusOpt = None,
    fmt: FormatOpt = None, no_header: NoHeaderOpt = False, bom: BomOpt = False,
    data: DataOpt = None, today: TodayOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Release windows from today to today + --days (default 30)."""
    from .dates import add_days

    day = _today(today)
    if to is not None and days is not None:
        raise UsageError("--days and --to both set where to stop looking; give one of them")
    if to is not None:
        end = _date(to, day, "--to", end=True)
        assert end is not None
        if end < day:
            raise UsageError(f"--to {end} is before today ({day}); to look back, use 'relcal releases --to {end}'")
    else:
        end = add_days(day, 30 if days is None else days, "--days")
    query = _query(day, end, kind, platform, region, film, person, search, status)
    _print_rows(ctx, query, _load(ctx, data, no_cache), fmt, no_header, bom)


@commands.command()
def releases(
    ctx: typer.Context,
    start: Annotated[str | None, typer.Option("--from", metavar="DATE", help="First day (a month or year means its first day).")] = None,
    to: Annotated[str | None, typer.Option("--to", metavar="DATE", help="Last day (a month or year means its last day).")] = None,
    kind: KindOpt = None, platform: PlatformOpt = None, region: RegionOpt = None, film: FilmOpt = None,
    person: PersonOpt = None, search: SearchOpt = None, status: StatusOpt = None,
    fmt: FormatOpt = None, no_header: NoHeaderOpt = False, bom: BomOpt = False,
    data: DataOpt = None, today: TodayOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Release windows in any range, past included (no --from/--to: all of them)."""
    day = _today(today)
    query = _query(_date(start, day, "--from"), _date(to, day, "--to", end=True),
                   kind, platform, region, film, person, search, status)
    _print_rows(ctx, query, _load(ctx, data, no_cache), fmt, no_header, bom)


@commands.command()
def films(
    ctx: typer.Context,
    kind: KindOpt = None, platform: PlatformOpt = None, region: RegionOpt = None, film: FilmOpt = None,
    person: PersonOpt = None, search: SearchOpt = None, status: StatusOpt = None,
    fmt: FormatOpt = None, no_header: NoHeaderOpt = False, bom: BomOpt = False,
    data: DataOpt = None, today: TodayOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """One row per film: id, title, year, directors, windows and the next window from today."""
    from .render import write_films

    day = _today(today)
    query = _query(None, None, kind, platform, region, film, person, search, status)
    summaries = query.summaries(_load(ctx, data, no_cache), day)
    sink = _sink(ctx)
    fmt_ = _format(sink, fmt, bom)
    if not summaries and fmt_ == "table":
        sink.note("No films match these filters.")
        return
    write_films(sink, fmt_, summaries, header=not no_header, bom=bom)


@commands.command()
def show(
    ctx: typer.Context,
    film: Annotated[str, typer.Argument(metavar="FILM", help="Film id (or its exact title).",
                                        autocompletion=_complete_film)],
    fmt: FormatOpt = None, no_header: NoHeaderOpt = False, bom: BomOpt = False,
    data: DataOpt = None, today: TodayOpt = None,
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
    write_film(sink, _format(sink, fmt, bom), found, rows, header=not no_header, bom=bom)


@commands.command()
def export(
    ctx: typer.Context,
    start: FromOpt = None, to: ToOpt = None,
    kind: KindOpt = None, platform: PlatformOpt = None, region: RegionOpt = None, film: FilmOpt = None,
    person: PersonOpt = None, search: SearchOpt = None, status: StatusOpt = None,
    output: Annotated[str | None, typer.Option("-o", "--output", metavar="FILE",
                                               help="Write to FILE (atomically: a failed export leaves it as it was); '-' or none: stdout.")] = None,
    name: NameOpt = "relcal releases", remind: RemindOpt = None, include_partial: IncludePartialOpt = False,
    split_by: Annotated[str | None, typer.Option("--split-by", metavar="FIELD",
                                                 help="One calendar file per film, platform, kind or region (needs --out-dir).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out-dir", metavar="DIR", help="Folder for --split-by files.")] = None,
    allow_empty: Annotated[bool, typer.Option("--allow-empty",
                                              help="Write a calendar even when no window matches (a feed with nothing "
                                                   "scheduled yet); otherwise that is an error and nothing is written.")] = False,
    data: DataOpt = None, today: TodayOpt = None, no_cache: NoCacheOpt = False,
) -> None:
    """Matching windows as an iCalendar file for calendar apps (all-day events)."""
    from . import ical
    from .files import write_file, write_set

    day = _today(today)
    options = ical.make_options(name=name, remind=remind, include_partial=include_partial)
    if split_by is not None:
        ical.split_field(split_by)
        if out_dir is None or output is not None:
            raise UsageError("--split-by writes one file per group into --out-dir DIR; give --out-dir and no -o")
    elif out_dir is not None:
        raise UsageError("--out-dir goes with --split-by; for one file use -o FILE")
    query = _calendar_query(ctx, day)
    rows = query.rows(_load(ctx, data, no_cache))  # an invalid dataset stops here, before anything is written
    plan = ical.plan(rows, options, split_by)
    sink = _sink(ctx)
    if not plan.calendars or not plan.calendars[0].rows:
        if not allow_empty:
            partial = (f"; {plan.left_out} window{'s' * (plan.left_out != 1)} known only to the month or year "
                       "matched (--include-partial adds them)") if plan.left_out else ""
            raise ExportError(f"no window matches these filters, so there is nothing to export{partial}; "
                              "nothing was written (--allow-empty writes an empty calendar)")
    if split_by is not None:
        assert out_dir is not None
        files = {p.file_name: ical.export_bytes(p.rows, replace(options, name=p.name))
                 for p in plan.calendars if p.file_name}
        removed = write_set(out_dir, files, note=sink.note)
        if sink.stderr_isatty:
            sink.note(f"wrote {len(files)} calendar{'s' * (len(files) != 1)} to {out_dir}"
                      + (f"; removed {len(removed)} that this export no longer writes" if removed else ""))
        if plan.empty_groups:
            sink.note(f"{plan.empty_groups} group{'s' * (plan.empty_groups != 1)} with no window known to the day "
                      "got no calendar; --include-partial adds them")
    else:
        from .progress import Progress

        events = plan.calendars[0].rows
        with Progress(sink.stderr, sink.stderr_isatty, "Writing events") as progress:
            data_bytes = ical.export_bytes(rows, options, progress.update)
        if output in (None, "-"):
            sink.write_bytes(data_bytes)
        else:
            write_file(Path(output), data_bytes)
        if sink.stderr_isatty and output not in (None, "-"):
            sink.note(f"wrote {len(events)} event{'s' * (len(events) != 1)} to {output}")
    if plan.left_out and sink.stderr_isatty:
        sink.note(f"{plan.left_out} window{'s' * (plan.left_out != 1)} known only to the month or year left out; "
                  "--include-partial adds them")


@commands.command()
def validate(
    ctx: typer.Context,
    paths: Annotated[list[str] | None, typer.Argument(metavar="[PATH]...",
                                                       help="Files or folders to check. Default: --data, or the shipped dataset.")] = None,
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT",
                                     help="text (FILE:LINE:COL: message on stderr) or github (workflow annotations on stdout).")] = "text",
    data: DataOpt = None, today: TodayOpt = None,
) -> None:
    """Check dataset files and print every problem as FILE:LINE:COL: message."""
    from .catalog import check, describe_files
    from .render import github_annotation

    _today(today)
    fmt = fmt.strip().lower()
    if fmt not in ("text", "github"):
        raise UsageError(f"--format: {fmt!r} is not a validate format; use text or github")
    sink = _sink(ctx)
    catalog, problems = check(paths or _data(data))
    for problem in problems:
        if fmt == "github":
            sink.write_data(github_annotation(problem))
        else:
            sink.note(str(problem))
    files = describe_files(catalog.files)
    if problems:
        where = f"in {files}" if catalog.files else "and no dataset file was read"
        sink.note(f"{_count(len(problems), 'problem')} {where}")
        raise typer.Exit(int(ExitCode.DATA))
    sink.note(f"ok: {_count(len(catalog.films), 'film')}, {_count(catalog.window_count, 'release window')} in {files}")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'s' * (n != 1)}"


@commands.command()
def schema(
    ctx: typer.Context,
    data: DataOpt = None, today: TodayOpt = None,
) -> None:
    """Print the dataset format as JSON Schema (draft-07), for editors' YAML language servers."""
    from .schema import schema_json

    _today(today)
    _sink(ctx).write_data(schema_json())


# ---------------------------------------------------------------------------
# TMDB: add, sync, discover

TMDB_NOTICE = "This product uses the TMDB API but is not endorsed or certified by TMDB."
RateOpt = Annotated[float, typer.Option("--rate", metavar="N", min=0.1,
                                        help="At most N requests a second to TMDB.")]


def _tmdb(rate: float) -> Any:
    """The TMDB client, from TMDB_API_KEY / TMDB_READ_TOKEN and RELCAL_TMDB_URL (exit 2 without them)."""
    from .sources.tmdb_client import Tmdb

    return Tmdb.from_env(rate=rate)


def _picker(ctx: typer.Context) -> Any:
    """On a terminal, let the person choose among the films a title matches; elsewhere None."""
    sink = _sink(ctx)
    if not (sink.stdin_isatty and sink.stderr_isatty and sink.stdin is not None):
        return None

    def pick(title: str, candidates: list[dict[str, Any]]) -> int | None:
        from .sync import candidate_lines

        sink.note(f"{title!r} matches {len(candidates)} films on TMDB:")
        for n, line in enumerate(candidate_lines(candidates), 1):
            sink.note(f"  {n:>2}. {line}")
        sink.stderr.write(f"Add which one? [1-{len(candidates)}, Enter for none] ")
        sink.stderr.flush()
        answer = (sink.stdin.readline() if sink.stdin is not None else "").strip()
        if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(candidates):
            return int(candidates[int(answer) - 1]["id"])
        return None

    return pick


def _report(ctx: typer.Context, outcome: Any, fmt: str | None, no_header: bool, *, dry_run: bool = False,
            bom: bool = False) -> None:
    """The changes as rows on stdout; notes and failures on stderr; exit 1 if anything failed."""
    from .render import CHANGE_COLUMNS, write_records
    from .sync import CHANGE_KEYS, Change

    sink = _sink(ctx)
    fmt_ = _format(sink, fmt, bom)
    if outcome.changes or fmt_ != "table":
        write_records(sink, fmt_, outcome.changes, record=Change.as_dict, keys=CHANGE_KEYS, columns=CHANGE_COLUMNS,
                      header=not no_header, bom=bom)
    if sink.stderr_isatty:
        for note in outcome.notes:
            sink.note(note)
    elif not outcome.changes and not outcome.films:
        for note in outcome.notes[:1]:
            sink.note(note)
    if not outcome.changes and outcome.films:
        films = outcome.films - len(outcome.failures)
        if films:
            sink.note(f"Nothing changed: {films} film{'s' * (films != 1)} up to date with TMDB.")
    if dry_run and outcome.changes:
        sink.note("--dry-run: nothing was written.")
    for failure in outcome.failures:
        sink.note(f"relcal: {failure}")
    if outcome.failures:
        raise typer.Exit(int(ExitCode.DATA))


@commands.command(epilog=TMDB_NOTICE)
def add(
    ctx: typer.Context,
    items: Annotated[list[str], typer.Argument(metavar="tmdb:ID... | TITLE",
                                               help="TMDB ids (tmdb:603) or a title to search TMDB for.")],
    to: Annotated[Path | None, typer.Option("--to", metavar="PATH",
                                            help="A folder (one file per film) or a file (films appended). "
                                                 "Default: your folder, $RELCAL_HOME/films.")] = None,
    year: Annotated[int | None, typer.Option("--year", min=1870, max=2200, help="With a title: the film's year.")] = None,
    rate: RateOpt = 40.0,
    fmt: FormatOpt = None, no_header: NoHeaderOpt = False, bom: BomOpt = False,
    data: DataOpt = None, today: TodayOpt = None,
) -> None:
    """Bring films in from TMDB, with every release window TMDB lists (needs TMDB_API_KEY or TMDB_READ_TOKEN).

    A film that is already there (the same TMDB id) is updated as 'relcal sync' would.
    """
    from .progress import Bar
    from .sync import add as add_films
    from .sync import parse_items, resolve

    day = _today(today)
    _format(_sink(ctx), fmt, bom)  # checked before anything is fetched or written
    client = _tmdb(rate)
    parsed = parse_items(items)
    ids = resolve(client, parsed, year, pick=_picker(ctx))
    sink = _sink(ctx)
    with Bar(sink.stderr, sink.stderr_isatty, "Fetching from TMDB") as bar:
        outcome = add_films(client, ids, to, day, data=_paths(_data(data)), progress=bar.start)
    _report(ctx, outcome, fmt, no_header, bom=bom)


@commands.command(epilog=TMDB_NOTICE)
def sync(
    ctx: typer.Context,
    film: FilmOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the changes; write nothing.")] = False,
    rate: RateOpt = 40.0,
    fmt: FormatOpt = None, no_header: NoHeaderOpt = False, bom: BomOpt = False,
    data: Annotated[list[str] | None, typer.Option("--data", metavar="PATH",
                                                    help="Files or folders to sync (repeatable). Default: your folder, "
                                                         "$RELCAL_HOME/films; the shipped dataset is never written.")] = None,
    today: TodayOpt = None,
) -> None:
    """Refresh every film with a TMDB id from TMDB: moved dates go to 'history', new windows are added,
    withdrawn ones removed; windows you wrote yourself are never touched."""
    from .progress import Bar
    from .sync import sync as sync_films

    day = _today(today)
    _format(_sink(ctx), fmt, bom)  # checked before anything is fetched or written
    client = _tmdb(rate)
    sink = _sink(ctx)
    with Bar(sink.stderr, sink.stderr_isatty, "Fetching from TMDB") as bar:
        outcome = sync_films(client, _paths(_data(data)), film or (), day, dry_run=dry_run, progress=bar.start)
    _report(ctx, outcome, fmt, no_header, dry_run=dry_run, bom=bom)


def _path_like(text: str) -> bool:
    return text.endswith(("/", os.sep, ".yaml", ".yml")) or Path(text).exists()


@commands.command(epilog=TMDB_NOTICE)
def discover(
    ctx: typer.Context,
    region: Annotated[str, typer.Option("--region", "-r", metavar="CODE", help="ISO country code, e.g. US.")],
    start: Annotated[str | None, typer.Option("--from", metavar="DATE", help="First day (default: today).")] = None,
    to: Annotated[list[str] | None, typer.Option("--to", metavar="DATE|PATH",
                                                 help="Last day (default: 30 days after --from); with --add, also the "
                                                      "file or folder to add to (a path ending in / or .yaml, or one "
                                                      "that exists).")] = None,
    kind: KindOpt = None,
    add_found: Annotated[bool, typer.Option("--add", help="Add every film found (to --to PATH, else your folder).")] = False,
    rate: RateOpt = 40.0,
    fmt: FormatOpt = None, no_header: NoHeaderOpt = False, bom: BomOpt = False,
    data: DataOpt = None, today: TodayOpt = None,
) -> None:
    """Films TMDB lists with a release in a region and date range (needs TMDB_API_KEY or TMDB_READ_TOKEN)."""
    from .progress import Bar
    from .query import Query
    from .render import FOUND_COLUMNS, write_records
    from .sync import DISCOVER_KEYS, Found
    from .sync import add as add_films
    from .sync import discover as discover_films

    day = _today(today)
    _format(_sink(ctx), fmt, bom)  # checked before anything is fetched or written
    asked = Query.build(kinds=kind or (), regions=[region])  # checks them as every command does
    code, kinds = asked.regions[0], list(asked.kinds)
    dates = [t for t in to or () if not (add_found and _path_like(t))]
    paths = [Path(t) for t in to or () if add_found and _path_like(t)]
    if len(dates) > 1 or len(paths) > 1:
        raise UsageError("--to is given twice; give one last day (and, with --add, one file or folder)")
    first = _date(start, day, "--from") if start is not None else day
    assert first is not None
    from .dates import add_days

    last = _date(dates[0], day, "--to", end=True) if dates else add_days(first, 30, "--from")
    assert last is not None
    if last < first:
        raise UsageError(f"--to {last} is before --from {first}; swap them")
    client = _tmdb(rate)
    sink = _sink(ctx)
    with Bar(sink.stderr, sink.stderr_isatty, "Fetching from TMDB") as bar:
        found, records, failures = discover_films(client, code, first, last, kinds, day, progress=bar.start)
    fmt_ = _format(sink, fmt, bom)
    if found or fmt_ != "table":
        write_records(sink, fmt_, found, record=Found.as_dict, keys=DISCOVER_KEYS, columns=FOUND_COLUMNS,
                      header=not no_header, bom=bom)
    else:
        sink.note(f"TMDB lists no releases in {code} between {first} and {last}" + (" of these kinds." if kinds else "."))
    for failure in failures:
        sink.note(f"relcal: {failure}")
    if add_found and records:
        outcome = add_films(client, list(records), paths[0] if paths else None, day, data=_paths(_data(data)),
                            records=records)
        for note in outcome.notes if sink.stderr_isatty else ():
            sink.note(note)
        for failure in outcome.failures:
            sink.note(f"relcal: {failure}")
        failures = failures + outcome.failures
    if failures:
        raise typer.Exit(int(ExitCode.DATA))


# Commands defined in modules of their own, imported only when one of them runs
# (or the whole app is needed): the other commands start without defining them.
LAZY = {"calendar": "cli_pictures", "timeline": "cli_pictures", "stats": "cli_pictures",
        "serve": "cli_web", "publish": "cli_web"}


def _define(module: str) -> None:
    import importlib

    importlib.import_module(f".{module}", __package__)  # its decorators add its commands to `commands`


def __getattr__(name: str) -> Any:
    """`app`, the whole app: every command, the lazy ones defined first."""
    if name == "app":
        for module in dict.fromkeys(LAZY.values()):
            _define(module)
        return commands
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def only(name: str) -> typer.Typer | None:
    """The app with just the command NAME, or None if there is no such command.

    typer inspects every command's signature before it runs one; a run that
    names its command needs only that one, which saves start-up time on every
    call from a prompt, a script or a cron job. Help, completion and errors
    without a known command use the whole app.
    """
    if name in LAZY:
        _define(LAZY[name])
    for info in commands.registered_commands:
        if (info.name or info.callback.__name__) == name:  # type: ignore[union-attr]
            light = _new_app(completion=False)  # --install-completion is an option of relcal itself
            light.registered_callback = commands.registered_callback
            light.registered_commands.append(info)
            return light
    return None


def main() -> None:
    """The console script's entry point (see launch.py for how a run starts and ends)."""
    from .launch import main as launch

    launch()
