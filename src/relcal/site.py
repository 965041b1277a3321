"""The page and the static site: what ``relcal serve`` shows at ``/`` and what
``relcal publish`` writes to a folder.

The page (``index.html``) shows the coming PAGE_DAYS days as a table and as
month grids (``views.month_grid``), and subscribe links: the whole calendar,
one per platform (or venue) and one per kind, and, for ``publish --split-by``,
one per film or region. It is drawn by jinja2 templates with autoescaping
(src/relcal/templates/), so no text from a dataset can become markup; it needs
no JavaScript, and its CSS reflows from a desktop to a phone.

The calendars are made as ``relcal export`` makes them (``ical.export_bytes``,
and ``ical.plan`` for --split-by): the page only decides which windows go into
each. A platform's calendar holds the windows a ``--platform NAME`` filter keeps
(``Query.window_matches``), so ``platform/hulu.ics`` of a published site and
``/releases.ics?platform=Hulu&name=...`` of ``relcal serve`` are the same bytes
(with the same DTSTAMP: SOURCE_DATE_EPOCH).

jinja2 is imported here only when a page is drawn: only serve and publish pay for it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import quote, urlencode

from . import __version__, ical
from .catalog import Catalog
from .dates import MONTH_NAMES, add_days
from .errors import UsageError
from .model import Kind, Status
from .query import Query, Row, fold

PAGE_DAYS = 60  # the page shows today and the next PAGE_DAYS days, as 'relcal upcoming --days 60'
INDEX = "index.html"
CALENDAR = "releases.ics"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# ---------------------------------------------------------------------------
# Which calendars there are

@dataclass(frozen=True)
class Group:
    """One calendar beside the whole one: a platform's, a kind's, a film's or a region's."""

    field: str  # "platform", "kind", "film" or "region"
    label: str  # as people read it: "Hulu", "VOD", the film's title, "US"
    value: str  # what the URL parameter or the file name is made from: "Hulu", "vod", ...
    rows: tuple[Row, ...]  # the windows of the calendar (before partial dates are left out)
    count: int  # the events it holds


def platform_groups(rows: Sequence[Row], include_partial: bool) -> list[Group]:
    """One group per platform or venue that has an event, sorted by name (names that differ only
    in case or accents are one platform, named as first seen). A group holds the windows a
    ``--platform NAME`` filter keeps, so its calendar is the filtered export's."""
    names: dict[str, str] = {}
    named: dict[str, list[Row]] = {}  # the rows that name it: the only ones its filter can keep
    for row in rows:
        for name in (row.release.platform, row.release.venue):
            if name:
                key = fold(name)
                names.setdefault(key, name)
                if not named.get(key) or named[key][-1] is not row:
                    named.setdefault(key, []).append(row)
    groups = []
    for key in sorted(names):
        query = Query.build(platforms=[names[key]])
        mine = tuple(r for r in named[key] if query.window_matches(r.release))
        count = len(ical.exported(mine, include_partial))
        if count:
            groups.append(Group("platform", names[key], names[key], mine, count))
    return groups


def kind_groups(rows: Sequence[Row], include_partial: bool) -> list[Group]:
    """One group per kind that has an event, in the kinds' usual order."""
    groups = []
    for kind in Kind:
        query = Query.build(kinds=[kind.value])
        mine = tuple(r for r in rows if query.window_matches(r.release))
        count = len(ical.exported(mine, include_partial))
        if count:
            groups.append(Group("kind", kind.label, kind.value, mine, count))
    return groups


# ---------------------------------------------------------------------------
# Links as the page shows them

@dataclass(frozen=True)
class Link:
    """A calendar on the page: what to click, and what to copy into a calendar app."""

    label: str
    href: str  # the calendar file: relative on a published site, the feed's path on serve
    url: str | None  # its full http(s) address, to copy; None when not known (a site without --base-url)
    webcal: str | None  # the same as webcal://, which opens the calendar app's "subscribe"; None when not known
    count: int


def served_link(label: str, host: str, count: int, params: Sequence[tuple[str, str]] = ()) -> Link:
    """A link to ``relcal serve``'s feed on HOST (host[:port]) with PARAMS."""
    path = "/" + CALENDAR + ("?" + urlencode(params) if params else "")  # form-encoded: 'Prime+Video'
    return Link(label, path, f"http://{host}{path}", f"webcal://{host}{path}", count)


def published_link(label: str, file: str, base_url: str | None, count: int) -> Link:
    """A link to a published calendar FILE, relative to the page; full addresses only with BASE_URL."""
    href = quote(file)
    if base_url is None:
        return Link(label, href, None, None, count)
    url = base_url + href
    return Link(label, href, url, "webcal://" + url.split("://", 1)[1], count)


def check_base_url(text: str | None) -> str | None:
    """--base-url as an http(s) address ending in '/' (the folder the site is published to)."""
    if text is None:
        return None
    from urllib.parse import urlsplit

    url = text.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment \
            or any(c.isspace() or ord(c) < 32 for c in url):
        raise UsageError(f"--base-url: {text!r} is not the http(s) address of a folder; "
                         "give one like https://example.org/films/")
    return url if url.endswith("/") else url + "/"


# ---------------------------------------------------------------------------
# The page

def _day_label(d: date, with_year: bool = True) -> str:
    text = f"{_WEEKDAYS[d.weekday()]} {d.day} {MONTH_NAMES[d.month - 1][:3]}"
    return f"{text} {d.year}" if with_year else text


def _row_view(row: Row) -> dict[str, Any]:
    r = row.release
    when = r.date
    return {
        "iso": when.iso(),
        "date": _day_label(when.first_day) if when.is_exact else when.display(),
        "exact": when.is_exact,
        "title": row.film.title,
        "year": row.film.year,
        "kind": r.kind.value,
        "kind_label": r.kind.label,
        "where": r.where or "",
        "region": r.region or "",
        "status": "" if r.status is Status.CONFIRMED else r.status.value,
        "note": r.note or "",
        "summary": ical.summary(row),
    }


def _grid_view(grid: Any) -> dict[str, Any]:
    return {
        "title": f"{MONTH_NAMES[grid.month - 1]} {grid.year}",
        "weekdays": [_WEEKDAYS[w] for w in grid.weekdays],
        "weeks": [[{"day": d.date.day, "iso": d.date.isoformat(), "label": _day_label(d.date),
                    "in_month": d.in_month, "today": d.is_today, "rows": [_row_view(r) for r in d.rows]}
                   for d in week] for week in grid.weeks],
        "undated": [_row_view(r) for r in grid.undated],
    }


_ENV: Any = None


def _environment() -> Any:
    global _ENV
    if _ENV is None:
        import jinja2

        _ENV = jinja2.Environment(
            loader=jinja2.PackageLoader("relcal", "templates"),
            autoescape=True,  # every value is HTML-escaped unless a template says otherwise (it never does)
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
    return _ENV


def style() -> tuple[str, str]:
    """The page's CSS and its hash for the Content-Security-Policy header (no other style can apply)."""
    css = _environment().get_template("style.css").render()
    digest = hashlib.sha256(css.encode("utf-8")).digest()
    import base64

    return css, "sha256-" + base64.b64encode(digest).decode("ascii")


def content_security_policy() -> str:
    """What the page may load: its own inline style, nothing else (no script, no frame, no form)."""
    return (f"default-src 'none'; style-src '{style()[1]}'; img-src data:; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'")


@dataclass(frozen=True)
class Page:
    """What the page shows, before it is drawn."""

    name: str
    today: date
    rows: Sequence[Row]  # every window the page is about (the filters applied, any date)
    main: Link
    sections: Sequence[tuple[str, Sequence[Link]]]  # ("One calendar per platform", links), ...
    updated: datetime | None = None  # when the data or the site was last made, shown in the footer
    problem: str | None = None  # serve: the dataset's problem while the last good data is shown
    notes: Sequence[str] = ()  # lines under the subscribe links


def coming(rows: Sequence[Row], today: date) -> list[Row]:
    """The windows from TODAY to TODAY + PAGE_DAYS, as 'relcal upcoming --days 60' lists them."""
    query = Query(start=today, end=add_days(today, PAGE_DAYS, "--days"))
    return [r for r in rows if query.window_matches(r.release)]


def render_page(page: Page) -> bytes:
    from .views import month_grid, months

    end = add_days(page.today, PAGE_DAYS, "--days")
    soon = coming(page.rows, page.today)
    count = (end.year - page.today.year) * 12 + end.month - page.today.month + 1
    grids = [_grid_view(month_grid(soon, year, month, week_start=0, today=page.today))
             for year, month in months(page.today, count)]
    from markupsafe import Markup

    css, _ = style()
    html = _environment().get_template("page.html").render(
        name=page.name,
        today=_day_label(page.today),
        today_iso=page.today.isoformat(),
        end=_day_label(end),
        end_iso=end.isoformat(),
        days=PAGE_DAYS,
        rows=[_row_view(r) for r in soon],
        grids=grids,
        main=page.main,
        sections=page.sections,
        updated=page.updated.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if page.updated else None,
        problem=page.problem,
        notes=page.notes,
        legend=[(kind.value, kind.label) for kind in Kind],  # every kind, in order, as the table names them
        css=Markup(css),  # relcal's own CSS, not data: as it is (its hash is in the Content-Security-Policy)
        version=__version__,
    )
    return html.encode("utf-8")


# ---------------------------------------------------------------------------
# relcal publish: the page and its calendars as files

SECTION_TITLES = {"platform": "One calendar per platform", "kind": "One calendar per kind",
                  "film": "One calendar per film", "region": "One calendar per region"}


def site_files(catalog: Catalog, query: Query, options: ical.Options, today: date, *,
               split_by: str | None = None, base_url: str | None = None) -> tuple[dict[str, bytes], Page]:
    """Every file of a published site: index.html, releases.ics, platform/NAME.ics,
    kind/KIND.ics and, with SPLIT_BY film or region, FIELD/NAME.ics (as 'export --split-by'
    names and makes them). SPLIT_BY is a field as ``ical.split_field`` gives it (the command
    checks what was typed before the data is read); platform and kind calendars are always
    made. Links on the page are relative to it. An empty calendar is a feed with nothing
    scheduled."""
    rows = query.rows(catalog)
    files: dict[str, bytes] = {}
    files[CALENDAR] = ical.export_bytes(rows, options)
    main = published_link("All releases", CALENDAR, base_url, len(ical.exported(rows, options.include_partial)))
    sections: list[tuple[str, list[Link]]] = []
    for field, groups in (("platform", platform_groups(rows, options.include_partial)),
                          ("kind", kind_groups(rows, options.include_partial))):
        names = ical.file_names(fold(g.value) for g in groups)
        links = []
        for g in groups:
            file = f"{field}/{names[fold(g.value)]}"
            files[file] = ical.export_bytes(g.rows, replace(options, name=f"{options.name} — {g.label}"))
            links.append(published_link(g.label, file, base_url, g.count))
        sections.append((SECTION_TITLES[field], links))
    if split_by in ("film", "region"):
        plan = ical.plan(rows, options, split_by)
        links = []
        for planned in plan.calendars:
            assert planned.file_name is not None
            file = f"{split_by}/{planned.file_name}"
            files[file] = ical.export_bytes(planned.rows, replace(options, name=planned.name))
            label = planned.name.removeprefix(f"{options.name} — ")
            links.append(published_link(label, file, base_url, len(planned.rows)))
        sections.append((SECTION_TITLES[split_by], links))
    notes = [] if base_url else [
        "To subscribe, copy a calendar's link (right-click or long-press it) and add it to your calendar app "
        "as a calendar from the internet."]
    page = Page(options.name, today, rows, main, sections, options.stamp, None, notes)
    files[INDEX] = render_page(page)
    return files, page
