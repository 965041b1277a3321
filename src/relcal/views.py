"""Pictures of the calendar, computed: month grids, timeline lanes, stats rows.

This is core: it imports neither typer nor rich, so a library user (or the web
page) gets the cells, lanes and numbers and draws them as it likes. The
terminal and SVG drawings are in ``pictures.py``.

- ``month_grid(rows, year, month, *, week_start=0, today=None) -> MonthGrid``:
  weeks of 7 ``Day``s, each with the windows on that day.
- ``timeline(rows, *, start=None, end=None) -> Timeline``: one ``Lane`` per
  film, its windows as ``Mark``s on a shared axis with ``Tick``s.
- ``stats(rows, by="film") -> list[StatsRow]``: per group, films, windows and
  the days from cinemas to home viewing (``home_gaps``).

Every function takes rows as ``Query.rows`` returns them (any iterable of
``Row``); which windows count is the Query's business, never this module's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from .model import Film, Kind, Release, Status, days_in_month
from .query import Row, fold

MONDAY, SUNDAY = 0, 6  # week_start values (date.weekday() numbering)


# ---------------------------------------------------------------------------
# Month grid

@dataclass(frozen=True)
class Day:
    """One cell of a month grid."""

    date: date
    in_month: bool  # False for the days of the neighbouring months that fill the first and last week
    rows: tuple[Row, ...]  # the windows known to this exact day, sorted as Query sorts; () outside the month
    is_today: bool


@dataclass(frozen=True)
class MonthGrid:
    """A month as weeks of 7 days, the first week starting on ``week_start``.

    ``weeks`` is a sequence of weeks, each a sequence of 7 ``Day`` (tuples, so
    the grid can be shared and cached). ``undated`` holds the windows of the
    month known only to the month or the year (a partial date belongs to the
    month of its first day, as it filters and sorts): they are on no day.
    """

    year: int
    month: int
    weeks: tuple[tuple[Day, ...], ...]
    undated: tuple[Row, ...] = ()
    week_start: int = MONDAY

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, days_in_month(self.year, self.month))

    @property
    def days(self) -> tuple[Day, ...]:
        """The days of the month itself, in order."""
        return tuple(day for week in self.weeks for day in week if day.in_month)

    @property
    def rows(self) -> tuple[Row, ...]:
        """Every window the grid holds: on its days, then the undated ones."""
        return tuple(row for day in self.days for row in day.rows) + self.undated

    @property
    def weekdays(self) -> tuple[int, ...]:
        """The weekday (0 Monday - 6 Sunday) of each column."""
        return tuple((self.week_start + i) % 7 for i in range(7))


def month_grid(rows: Iterable[Row], year: int, month: int, *, week_start: int = MONDAY,
               today: date | None = None) -> MonthGrid:
    """The month YEAR-MONTH as a grid of weeks, with ROWS placed on their days.

    WEEK_START is the weekday of the first column: 0 (Monday, the default) to
    6 (Sunday). TODAY, when given, marks its day (``Day.is_today``; also on a
    day outside the month, should it be shown). Rows with an exact date in the
    month go on their day; rows known only to the month or year whose first day
    is in the month go to ``undated``; every other row is ignored, so the rows
    of a whole range may be passed for each month.
    """
    if not 0 <= week_start <= 6:
        raise ValueError(f"week_start must be 0 (Monday) to 6 (Sunday), not {week_start!r}")
    first = date(year, month, 1)
    last = date(year, month, days_in_month(year, month))
    by_day: dict[date, list[Row]] = {}
    undated: list[Row] = []
    for row in rows:
        when = row.release.date
        day = when.first_day
        if not first <= day <= last:
            continue
        if when.is_exact:
            by_day.setdefault(day, []).append(row)
        else:
            undated.append(row)
    start = first - timedelta(days=(first.weekday() - week_start) % 7)
    weeks = []
    day = start
    while day <= last:
        week = []
        for _ in range(7):
            inside = day.month == month and day.year == year
            found = sorted(by_day.get(day, ()), key=lambda r: r.sort_key) if inside else ()
            week.append(Day(day, inside, tuple(found), today is not None and day == today))
            day += timedelta(days=1)
        weeks.append(tuple(week))
    undated.sort(key=lambda r: r.sort_key)
    return MonthGrid(year, month, tuple(weeks), tuple(undated), week_start)


def months(first: date, count: int) -> list[tuple[int, int]]:
    """COUNT (year, month) pairs from FIRST's month on."""
    index = first.year * 12 + first.month - 1
    return [(y, m + 1) for y, m in (divmod(index + i, 12) for i in range(count))]


# ---------------------------------------------------------------------------
# Timeline

@dataclass(frozen=True)
class Mark:
    """One window on a film's lane: a day, or the whole period of a partial date."""

    row: Row
    start: date  # first day (clipped to the timeline's axis)
    end: date  # last day, inclusive: == start for a window known to the day

    @property
    def kind(self) -> Kind:
        return self.row.release.kind

    @property
    def exact(self) -> bool:
        return self.row.release.date.is_exact


@dataclass(frozen=True)
class Lane:
    """One film's line on the timeline: its windows in date order."""

    film: Film
    marks: tuple[Mark, ...]

    @property
    def first(self) -> date:
        return min(m.start for m in self.marks)

    @property
    def last(self) -> date:
        return max(m.end for m in self.marks)


@dataclass(frozen=True)
class Tick:
    """A labelled point of the axis: the first day of a month or a year."""

    date: date
    label: str  # month axis: "Feb", "2021" on January, "Nov 2020" on the first tick; year axis: "2021"
    major: bool  # a year's first day (or the first tick)


@dataclass(frozen=True)
class Timeline:
    """Lanes on a shared axis from ``start`` to ``end`` (both inclusive)."""

    start: date
    end: date
    lanes: tuple[Lane, ...]
    unit: str  # "month" or "year": what the ticks mark
    ticks: tuple[Tick, ...]

    @property
    def days(self) -> int:
        """How many days the axis spans."""
        return (self.end - self.start).days + 1

    def position(self, day: date) -> float:
        """Where DAY lies on the axis: 0.0 at the start of ``start``, 1.0 at the end of ``end``."""
        return (day - self.start).days / self.days

    def column(self, day: date, width: int) -> int:
        """The column (0 to WIDTH-1) of DAY on an axis WIDTH columns wide."""
        return max(0, min(width - 1, int(self.position(day) * width)))


# Beyond this many days, ticks mark years instead of months.
MONTH_AXIS_DAYS = 731
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def timeline(rows: Iterable[Row], *, start: date | None = None, end: date | None = None) -> Timeline:
    """One lane per film of ROWS, lanes ordered by their first window (then title).

    A window known to the day is a mark on that day; one known only to the
    month or year spans that month or year (clipped to the axis). The axis runs
    from START to END, by default from the first window's first day to the last
    window's last day. Ticks mark months, or years when the axis is longer than
    MONTH_AXIS_DAYS. With no rows and no range the axis is the single day
    START or END or 1970-01-01 and there are no lanes.
    """
    rows = list(rows)
    lo = start or min((r.release.date.first_day for r in rows), default=end or date(1970, 1, 1))
    hi = end or max((r.release.date.last_day for r in rows), default=lo)
    if hi < lo:
        raise ValueError(f"the timeline's end {hi} is before its start {lo}")
    by_film: dict[str, tuple[Film, list[Mark]]] = {}
    for row in rows:
        when = row.release.date
        first, last = max(when.first_day, lo), min(when.last_day, hi)
        if first > last:
            continue
        by_film.setdefault(row.film.id, (row.film, []))[1].append(Mark(row, first, last))
    lanes = [Lane(film, tuple(sorted(marks, key=lambda m: (m.start, m.row.sort_key))))
             for film, marks in by_film.values()]
    lanes.sort(key=lambda lane: (lane.first, fold(lane.film.title), lane.film.id))
    unit = "month" if (hi - lo).days + 1 <= MONTH_AXIS_DAYS else "year"
    return Timeline(lo, hi, tuple(lanes), unit, _ticks(lo, hi, unit))


def _ticks(lo: date, hi: date, unit: str) -> tuple[Tick, ...]:
    ticks: list[Tick] = []
    if unit == "year":
        for year in range(lo.year + (lo > date(lo.year, 1, 1)), hi.year + 1):
            ticks.append(Tick(date(year, 1, 1), str(year), True))
        return tuple(ticks)
    index = lo.year * 12 + lo.month - 1 + (lo.day > 1)
    while True:
        year, month = divmod(index, 12)
        day = date(year, month + 1, 1)
        if day > hi:
            break
        if month == 0:
            ticks.append(Tick(day, str(year), True))
        elif not ticks:  # the first tick says its year too
            ticks.append(Tick(day, f"{_MONTH_ABBR[month]} {year}", True))
        else:
            ticks.append(Tick(day, _MONTH_ABBR[month], False))
        index += 1
    return tuple(ticks)


# ---------------------------------------------------------------------------
# Stats: films, windows and the gap from cinemas to home viewing

CINEMA_KINDS = frozenset({Kind.LIMITED, Kind.THEATRICAL, Kind.VIRTUAL_CINEMA})
HOME_KINDS = frozenset({Kind.VOD, Kind.STREAMING, Kind.PHYSICAL, Kind.TV})
GROUPINGS = ("film", "distributor", "platform", "kind", "region", "month", "year")


def grouping(text: str) -> str:
    """TEXT as one of GROUPINGS (case and spaces ignored); a UsageError names the nearest."""
    key = text.strip().lower()
    if key in GROUPINGS:
        return key
    import difflib

    from .errors import UsageError

    close = difflib.get_close_matches(key, GROUPINGS, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UsageError(f"--by: {text!r} is not a grouping; {hint}use one of: {', '.join(GROUPINGS)}")
STATS_KEYS = ("group", "films", "windows", "gaps", "gap_median_days", "gap_min_days", "gap_max_days")


@dataclass(frozen=True)
class Gap:
    """The days from a film's first cinema window to its first home window in one region."""

    film: Film
    region: str | None  # None: both windows are worldwide
    cinema: Release
    home: Release

    @property
    def days(self) -> int:
        """Negative when home viewing came first (kept: that is the pattern to see)."""
        return (self.home.date.first_day - self.cinema.date.first_day).days


def home_gaps(rows: Iterable[Row]) -> list[Gap]:
    """For each film and region: its first cinema window (limited, theatrical,
    virtual-cinema) to its first home window (vod, streaming, physical, tv).

    Only windows known to the day and not cancelled count. A window without a
    region (unspecified or worldwide) can be seen in every region, so:

    - for each named region where the film has a cinema or home window of its
      own, the first cinema window and the first home window are taken from that
      region's windows together with the worldwide ones;
    - a pair of two worldwide windows is one gap with region None, counted once
      (not once per region), whatever the named regions hold.

    So a film shown worldwide in cinemas and on VOD in the US has a US gap; one
    with only US and GB cinema windows has none. Gaps are sorted by film title,
    then region (None first).
    """
    windows: dict[str, tuple[Film, list[Release]]] = {}
    for row in rows:
        r = row.release
        if r.date.is_exact and r.status is not Status.CANCELLED and (r.kind in CINEMA_KINDS or r.kind in HOME_KINDS):
            windows.setdefault(row.film.id, (row.film, []))[1].append(r)
    gaps = []
    for film, releases in windows.values():
        releases.sort(key=lambda r: (r.date.first_day, r.kind.order))
        regions = sorted({r.region for r in releases if r.region is not None})
        for region in [None, *regions]:
            here = [r for r in releases if r.region is None or r.region == region]
            cinema = next((r for r in here if r.kind in CINEMA_KINDS), None)
            home = next((r for r in here if r.kind in HOME_KINDS), None)
            if cinema is None or home is None:
                continue
            if region is not None and cinema.region is None and home.region is None:
                continue  # the worldwide pair: counted once, as region None
            gaps.append(Gap(film, region, cinema, home))
    gaps.sort(key=lambda g: (fold(g.film.title), g.film.id, g.region or ""))
    return gaps


@dataclass(frozen=True)
class StatsRow:
    """One group of ``stats``: how many films and windows, and their gaps."""

    group: str | None  # the film id, distributor, platform, kind, region, "2021-02" or "2021"; None: not set
    label: str  # the group for a person: the film's title (with its id where titles repeat), the kind's label...
    films: int
    windows: int
    gaps: tuple[Gap, ...]

    @property
    def gap_days(self) -> list[int]:
        return sorted(g.days for g in self.gaps)

    @property
    def gap_median_days(self) -> int | float | None:
        days = self.gap_days
        if not days:
            return None
        middle = len(days) // 2
        if len(days) % 2:
            return days[middle]
        total = days[middle - 1] + days[middle]
        return total // 2 if total % 2 == 0 else total / 2

    @property
    def gap_min_days(self) -> int | None:
        return min(self.gap_days, default=None)

    @property
    def gap_max_days(self) -> int | None:
        return max(self.gap_days, default=None)

    def as_dict(self) -> dict[str, str | int | float | None]:
        return {
            "group": self.group,
            "films": self.films,
            "windows": self.windows,
            "gaps": len(self.gaps),
            "gap_median_days": self.gap_median_days,
            "gap_min_days": self.gap_min_days,
            "gap_max_days": self.gap_max_days,
        }


_NO_GROUP = {"distributor": "(no distributor)", "platform": "(no platform)", "region": "(worldwide)"}
# Groupings of names people type: "StudioCanal" and "Studiocanal" are one group, as
# the filters take them (``fold``), shown as first spelled.
_FOLDED = frozenset({"distributor", "platform", "region"})


def _window_key(by: str, row: Row) -> str | None:
    r = row.release
    if by == "film":
        return row.film.id
    if by == "distributor":
        return r.distributor
    if by == "platform":
        return r.where
    if by == "kind":
        return r.kind.value
    if by == "region":
        return r.region
    if by == "month":
        return r.date.iso()[:7]  # "2021-02", or "2021" for a window known only to the year
    return f"{r.date.year:04d}"


def _gap_key(by: str, gap: Gap) -> str | None:
    if by == "film":
        return gap.film.id
    if by == "distributor":
        return gap.cinema.distributor
    if by == "platform":
        return gap.home.where
    if by == "kind":
        return gap.home.kind.value
    if by == "region":
        return gap.region
    if by == "month":
        return gap.cinema.date.iso()[:7]
    return f"{gap.cinema.date.year:04d}"


def stats(rows: Iterable[Row], by: str = "film") -> list[StatsRow]:
    """Per group of ROWS: the films, the windows, and the home-viewing gaps (``home_gaps``).

    BY is one of GROUPINGS. A window belongs to the group of its own film,
    distributor, platform (or venue), kind, region, month or year; a window
    without a distributor, platform or region is in the group None. A gap
    belongs to:

    - film: its film; region: the gap's region (None: two worldwide windows);
    - distributor: the cinema window's distributor (who opened the film decides
      its windows);
    - platform and kind: the home window's platform (or venue) and kind, i.e.
      where and how the film arrived at home;
    - month and year: the cinema window's month and year, i.e. when it opened.

    Distributors, platforms and regions that differ only in case or accents
    ("StudioCanal", "Studiocanal") are one group, as the filters take them;
    the group is named as first spelled in ROWS.

    ``films`` counts the films with a window in the group. Groups are ordered
    by title (film), kind order (kind), date (month, year) or name, with the
    group None last. By film, the label is the title, followed by the film's id
    in parentheses where two films of the groups share a title.
    """
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; use one of {', '.join(GROUPINGS)}")
    rows = list(rows)
    spellings: dict[str, str] = {}

    def group_of(key: str | None) -> str | None:
        if key is None or by not in _FOLDED:
            return key
        return spellings.setdefault(fold(key), key)

    films: dict[str | None, set[str]] = {}
    windows: dict[str | None, int] = {}
    titles: dict[str, Film] = {}
    for row in rows:
        key = group_of(_window_key(by, row))
        films.setdefault(key, set()).add(row.film.id)
        windows[key] = windows.get(key, 0) + 1
        titles[row.film.id] = row.film
    gaps: dict[str | None, list[Gap]] = {}
    for gap in home_gaps(rows):
        gaps.setdefault(group_of(_gap_key(by, gap)), []).append(gap)
    out = [StatsRow(key, _label(by, key, titles), len(films[key]), windows[key], tuple(gaps.get(key, ())))
           for key in films]
    if by == "film":  # films of one title: told apart by their ids
        counts: dict[str, int] = {}
        for s in out:
            counts[s.label] = counts.get(s.label, 0) + 1
        out = [replace(s, label=f"{s.label} ({s.group})") if counts[s.label] > 1 else s for s in out]
    out.sort(key=lambda s: _order(by, s, titles))
    return out


def _label(by: str, key: str | None, films: dict[str, Film]) -> str:
    if key is None:
        return _NO_GROUP[by]
    if by == "film":
        return films[key].title
    if by == "kind":
        return Kind(key).label
    return key


def _order(by: str, row: StatsRow, films: dict[str, Film]) -> tuple:
    if row.group is None:
        return (1,)
    if by == "film":
        return (0, fold(row.label), row.group)
    if by == "kind":
        return (0, Kind(row.group).order)
    if by in ("month", "year"):
        return (0, row.group)
    return (0, fold(row.group), row.group)
