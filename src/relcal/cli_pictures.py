"""The picture commands: calendar, timeline, stats (computed in views.py, drawn in pictures.py).

Defined apart from cli.py so that the other commands start without them; cli.LAZY
names them, and cli.only / cli.app import this module when they are needed.
"""

# No "from __future__ import annotations": typer reads these signatures (see cli.py).

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from .cli import (ROW_FORMATS, BomOpt, DataOpt, FilmOpt, FormatOpt, FromOpt, KindOpt, NoCacheOpt, NoHeaderOpt,
                  PersonOpt, PlatformOpt, RegionOpt, SearchOpt, StatusOpt, TodayOpt, ToOpt, _date, _format, _load,
                  _nothing_note, _query, _sink, _today, commands)
from .errors import UsageError
from .render import Sink


def _write_out(ctx: typer.Context, output: str | None, draw: Any) -> None:
    """What DRAW(sink) writes: to stdout, or with -o FILE to FILE (atomically, no colour)."""
    sink = _sink(ctx)
    if output in (None, "-"):
        draw(sink)
        return
    import io

    from .files import write_file

    if not output:
        raise UsageError("-o/--output: the file name is empty; give a file, or '-' for stdout")
    buffer = io.StringIO()
    draw(Sink(buffer, sink.stderr, stderr_isatty=sink.stderr_isatty, width=sink.columns(), color=False))
    write_file(Path(output), buffer.getvalue().encode("utf-8"))
    if sink.stderr_isatty:
        sink.note(f"wrote {output}")


def _week_start(text: str) -> int:
    key = text.strip().lower()
    if key in ("monday", "mon"):
        return 0
    if key in ("sunday", "sun"):
        return 6
    raise UsageError(f"--week-start: {text!r} is not monday or sunday")


OutputOpt = Annotated[str | None, typer.Option("-o", "--output", metavar="FILE",
                                               help="Write to FILE (atomically); '-' or none: stdout.")]


@commands.command()
def calendar(
    ctx: typer.Context,
    month: Annotated[str | None, typer.Argument(
        metavar="[MONTH]", help="The first month shown: 2021-02, 'feb 2021', +1m, or any date relcal reads "
                                "(default: this month). A year alone shows its 12 months.")] = None,
    months: Annotated[int | None, typer.Option("--months", "-n", metavar="N", min=1, max=120,
                                               help="How many months to show (default 1).")] = None,
    week_start: Annotated[str, typer.Option("--week-start", metavar="DAY",
                                            help="First day of the week: monday (default) or sunday.")] = "monday",
    kind: KindOpt = None, platform: PlatformOpt = None, region: RegionOpt = None, film: FilmOpt = None,
    person: PersonOpt = None, search: SearchOpt = None, status: StatusOpt = None,
    fmt: Annotated[str | None, typer.Option("--format", metavar="FORMAT",
                                            help="table (the grid; the default, also in a pipe), or the rows of the "
                                                 "months shown as tsv, csv, json, jsonl or md.")] = None,
    no_header: NoHeaderOpt = False, bom: BomOpt = False, data: DataOpt = None, today: TodayOpt = None, no_cache: NoCacheOpt = False,
) -> None:
    """A month grid of the windows: weeks in rows, each day's windows (a mark for the kind and the title),
    '+N more' where a day holds more than fit, today highlighted, a key below.

    Windows known only to the month or year are listed under the grid. On a narrow terminal the grid
    becomes a week-by-week list.
    """
    from .dates import parse_date
    from .model import days_in_month
    from .views import month_grid
    from .views import months as month_list

    day = _today(today)
    first_day = _week_start(week_start)
    sink = _sink(ctx)
    fmt_ = _format(sink, fmt, bom, allowed=("table", *ROW_FORMATS), default="table")
    if month is None:
        first, count = date(day.year, day.month, 1), months or 1
    else:
        found = parse_date(month, today=day, option="MONTH")
        first, count = date(found.year, found.month or 1, 1), months or (1 if found.month else 12)
    shown = month_list(first, count)
    last = date(shown[-1][0], shown[-1][1], days_in_month(*shown[-1]))
    query = _query(first, last, kind, platform, region, film, person, search, status)
    catalog = _load(ctx, data, no_cache)
    rows = query.rows(catalog)
    if fmt_ != "table":
        from .render import write_rows

        write_rows(sink, fmt_, rows, header=not no_header, bom=bom)
        return
    from .pictures import draw_calendar

    grids = [month_grid(rows, y, m, week_start=first_day, today=day) for y, m in shown]
    sink.write(draw_calendar(grids, sink))
    if not rows:
        _nothing_note(ctx, query, catalog)


@commands.command()
def timeline(
    ctx: typer.Context,
    start: Annotated[str | None, typer.Option("--from", metavar="DATE",
                                              help="Start of the axis (default: the first window).")] = None,
    to: Annotated[str | None, typer.Option("--to", metavar="DATE",
                                           help="End of the axis (default: the last window).")] = None,
    kind: KindOpt = None, platform: PlatformOpt = None, region: RegionOpt = None, film: FilmOpt = None,
    person: PersonOpt = None, search: SearchOpt = None, status: StatusOpt = None,
    fmt: Annotated[str | None, typer.Option("--format", metavar="FORMAT",
                                            help="table (the picture; the default, also in a pipe), svg (the same "
                                                 "picture as an SVG file), or the rows as tsv, csv, json, jsonl or md.")] = None,
    output: OutputOpt = None,
    no_header: NoHeaderOpt = False, bom: BomOpt = False, data: DataOpt = None, today: TodayOpt = None, no_cache: NoCacheOpt = False,
) -> None:
    """One line per film, its windows placed on a shared time axis with month (or, for long spans,
    year) ticks: marks by kind, a key below, gaps visible at a glance.

    A window known only to the month or year spans its period. --format svg draws the same picture
    for a blog post or a slide (-o FILE to write it to a file).
    """
    from .views import timeline as build_timeline

    day = _today(today)
    fmt_ = _format(_sink(ctx), fmt, bom, allowed=("table", "svg", *ROW_FORMATS), default="table")
    query = _query(_date(start, day, "--from"), _date(to, day, "--to", end=True),
                   kind, platform, region, film, person, search, status)
    catalog = _load(ctx, data, no_cache)
    rows = query.rows(catalog)
    if not rows and fmt_ in ("table", "svg"):  # a picture of nothing: the note, and no file
        _nothing_note(ctx, query, catalog)
        return
    if fmt_ in ROW_FORMATS:
        from .render import write_rows

        _write_out(ctx, output, lambda sink: write_rows(sink, fmt_, rows, header=not no_header, bom=bom))
        return
    from .pictures import draw_timeline, timeline_svg

    lanes = build_timeline(rows, start=query.start, end=query.end)
    if fmt_ == "svg":
        _write_out(ctx, output, lambda sink: sink.write_data(timeline_svg(lanes)))
    else:
        _write_out(ctx, output, lambda sink: sink.write(draw_timeline(lanes, sink)))


@commands.command()
def stats(
    ctx: typer.Context,
    by: Annotated[str, typer.Option(
        "--by", metavar="GROUP",
        help="film (default), distributor, platform, kind, region, month or year. A window counts in its own "
             "group. A gap counts in the group of its home window for platform and kind, of its cinema window "
             "for distributor, month and year, and of its region for region (none: two worldwide windows).")] = "film",
    start: FromOpt = None, to: ToOpt = None,
    kind: KindOpt = None, platform: PlatformOpt = None, region: RegionOpt = None, film: FilmOpt = None,
    person: PersonOpt = None, search: SearchOpt = None, status: StatusOpt = None,
    fmt: FormatOpt = None, no_header: NoHeaderOpt = False, bom: BomOpt = False, data: DataOpt = None,
    today: TodayOpt = None, no_cache: NoCacheOpt = False,
) -> None:
    """Per group: the films, the windows, and the days from cinemas to home viewing (median, min, max),
    with a bar per group scaled to the largest median.

    A gap is, for one film and one region, the days from its first cinema window (limited, theatrical,
    virtual-cinema) to its first home window (vod, streaming, physical, tv); only windows known to the
    day and not cancelled count; a negative gap (home first) is kept. A worldwide window (no region)
    counts in every region the film has windows of its own; two worldwide windows make one gap.
    """
    from .pictures import STATS_COLUMNS, draw_stats
    from .render import write_records
    from .views import STATS_KEYS, StatsRow, grouping
    from .views import stats as build_stats

    day = _today(today)
    group = grouping(by)
    query = _query(_date(start, day, "--from"), _date(to, day, "--to", end=True),
                   kind, platform, region, film, person, search, status)
    catalog = _load(ctx, data, no_cache)
    sink = _sink(ctx)
    fmt_ = _format(sink, fmt, bom)
    rows = query.rows(catalog)
    if not rows and fmt_ == "table":
        _nothing_note(ctx, query, catalog)
        return
    groups = build_stats(rows, group)
    if fmt_ == "table":
        sink.write(draw_stats(groups, sink, group))
    else:
        write_records(sink, fmt_, groups, record=StatsRow.as_dict, keys=STATS_KEYS, columns=STATS_COLUMNS,
                      header=not no_header, bom=bom)
