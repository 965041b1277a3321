"""The subscription commands: serve and publish (serve.py and site.py: the only
importers of uvicorn and jinja2).

Defined apart from cli.py so that the other commands start without them; cli.LAZY
names them, and cli.only / cli.app import this module when they are needed.
"""

# No "from __future__ import annotations": typer reads these signatures (see cli.py).

from pathlib import Path
from typing import Annotated

import typer

from .cli import (DataOpt, FilmOpt, FromOpt, IncludePartialOpt, KindOpt, NameOpt, NoCacheOpt, PersonOpt, PlatformOpt,
                  RegionOpt, RemindOpt, SearchOpt, StatusOpt, TodayOpt, ToOpt, _calendar_query, _data, _load, _sink,
                  _today, commands)
from .errors import UsageError


@commands.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", metavar="ADDRESS",
                                      help="Address to listen on. Default 127.0.0.1: this machine only "
                                           "(0.0.0.0: every network interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="N", min=0, max=65535,
                                      help="Port to listen on (0: any free one).")] = 8080,
    allow_host: Annotated[list[str] | None, typer.Option(
        "--allow-host", metavar="NAME",
        help="Also answer requests made to NAME (repeatable), e.g. the name a reverse proxy passes on. "
             "On 127.0.0.1 relcal answers only to localhost names otherwise, so that no web page can "
             "read the calendar by pointing a name of its own at this machine.")] = None,
    data: DataOpt = None, today: TodayOpt = None, no_cache: NoCacheOpt = False,
) -> None:
    """Serve the calendar for calendar apps to subscribe to, and a page with the links, until Ctrl-C.

    /releases.ics is what 'relcal export' writes; its filters are parameters named as export's
    options: kind, platform, region, film, person, search, status (each repeatable), from, to,
    past_days, future_days (days before and after today, instead of from and to), include_partial,
    remind, name. Example: /releases.ics?platform=Hulu&kind=vod&future_days=90. The page is at /.
    The dataset is read again when its files change; an edit that breaks it is logged once and
    the last good data is served meanwhile.
    """
    from .serve import serve as run_server

    fixed = _today(today) if today is not None and today.strip() else None  # else each request's own day
    run_server(_data(data), host=host, port=port, today=fixed, use_cache=not no_cache, stderr=_sink(ctx).stderr,
               allow_hosts=allow_host or ())


@commands.command()
def publish(
    ctx: typer.Context,
    out_dir: Annotated[str, typer.Option("--out-dir", metavar="DIR",
                                         help="Folder of the site: every file is written in full before any is "
                                              "put in place, the page last; files relcal did not write stay.")],
    start: FromOpt = None, to: ToOpt = None,
    kind: KindOpt = None, platform: PlatformOpt = None, region: RegionOpt = None, film: FilmOpt = None,
    person: PersonOpt = None, search: SearchOpt = None, status: StatusOpt = None,
    name: NameOpt = "relcal releases", remind: RemindOpt = None, include_partial: IncludePartialOpt = False,
    split_by: Annotated[str | None, typer.Option("--split-by", metavar="FIELD",
                                                 help="Also one calendar per film or region (FIELD/NAME.ics); platform "
                                                      "and kind calendars are always there.")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", metavar="URL",
                                                 help="Where the site will be, e.g. https://you.github.io/films/: the page "
                                                      "then shows webcal:// subscribe links and full addresses to copy.")] = None,
    data: DataOpt = None, today: TodayOpt = None, no_cache: NoCacheOpt = False,
) -> None:
    """The page (index.html) and its calendars as static files, for GitHub Pages or any web server:
    releases.ics, one calendar per platform (platform/NAME.ics) and per kind (kind/KIND.ics), and with
    --split-by film or region one per film or region. --name names the calendars and the page.
    Links on the page are relative. With SOURCE_DATE_EPOCH set, two runs over the same data write
    the same bytes."""
    from . import ical
    from .files import write_set
    from .site import CALENDAR, INDEX, check_base_url, site_files

    day = _today(today)
    if not out_dir:
        raise UsageError("--out-dir: the folder name is empty; give a folder")
    options = ical.make_options(name=name, remind=remind, include_partial=include_partial)
    base = check_base_url(base_url)
    split_by = ical.split_field(split_by) if split_by is not None else None  # checked once, before the data is read
    query = _calendar_query(ctx, day)
    files, page = site_files(_load(ctx, data, no_cache), query, options, day, split_by=split_by, base_url=base)
    sink = _sink(ctx)
    removed = write_set(Path(out_dir), files, note=sink.note)
    if not page.main.count:
        sink.note("relcal: no window matches these filters: the calendars are empty (feeds with nothing scheduled)")
    if sink.stderr_isatty:
        calendars = len(files) - 1
        sink.note(f"wrote {INDEX} and {calendars} calendar{'s' * (calendars != 1)} ({CALENDAR} and one per "
                  f"platform, kind{' and ' + split_by if split_by in ('film', 'region') else ''}) to {out_dir}"
                  + (f"; removed {len(removed)} that this run no longer writes" if removed else ""))
