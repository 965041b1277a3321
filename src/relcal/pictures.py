"""Drawing the views of ``views.py``: month grids, timelines and stats bars as
terminal text, and the timeline as SVG.

Every line of terminal text fits the width it is drawn for, counted in
terminal cells (``render.cell_width``: CJK titles take two cells a
character); ANSI colour, when on, takes none. Where the width is too small
for the picture, it degrades to a list that still fits: the month grid to a
week-by-week list, the timeline to a list per film, the stats table to a
stacked list.

Lines and marks come in two sets of glyphs: box drawing and symbols, or pure
ASCII when the output cannot carry them -- its encoding cannot encode them, or
the locale in effect (LC_ALL, else LC_CTYPE, else LANG) does not name UTF-8
(LANG=C, or no locale at all), as tmux reads it. Text
from the data goes through ``safe_text``; where the output encoding cannot
carry a character of it, the character is written as its escape here (as
the stream would), so that the width is counted on what is really written.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from .dates import MONTH_NAMES
from .model import Kind, Release, Status
from .query import Row
from .render import Column, Sink, _wrap, cell_width, safe_text
from .views import MonthGrid, StatsRow, Tick, Timeline

_MONTH_ABBR = tuple(name[:3] for name in MONTH_NAMES)
_WEEKDAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# ---------------------------------------------------------------------------
# Glyphs and colours

@dataclass(frozen=True)
class Glyphs:
    h: str  # horizontal line
    v: str  # vertical line
    corners: str  # ┌ ┬ ┐ ├ ┼ ┤ └ ┴ ┘
    marks: dict[Kind, str]
    ellipsis: str
    lane: str  # a film's line between its first and last window
    span: str  # the rest of a window known only to the month or year
    tick: str  # a tick on the axis line
    bar: str
    negative_bar: str
    dash: str  # between two dates


UNICODE = Glyphs(
    h="─", v="│", corners="┌┬┐├┼┤└┴┘",
    marks={Kind.PREMIERE: "✦", Kind.FESTIVAL: "✧", Kind.LIMITED: "◦", Kind.THEATRICAL: "◉",
           Kind.VIRTUAL_CINEMA: "◍", Kind.VOD: "▸", Kind.STREAMING: "≋", Kind.PHYSICAL: "▮", Kind.TV: "▭"},
    ellipsis="…", lane="─", span="═", tick="┬", bar="█", negative_bar="░", dash="–",
)
# Capitals: premieres, festivals and cinemas; small letters: home viewing.
ASCII = Glyphs(
    h="-", v="|", corners="+++++++++",
    marks={Kind.PREMIERE: "P", Kind.FESTIVAL: "F", Kind.LIMITED: "L", Kind.THEATRICAL: "T",
           Kind.VIRTUAL_CINEMA: "V", Kind.VOD: "d", Kind.STREAMING: "s", Kind.PHYSICAL: "b", Kind.TV: "t"},
    ellipsis="~", lane="-", span="=", tick="+", bar="#", negative_bar="-", dash="-",
)
_ALL_GLYPHS = "".join({*UNICODE.h, *UNICODE.v, *UNICODE.corners, *UNICODE.marks.values(), *UNICODE.ellipsis,
                       *UNICODE.lane, *UNICODE.span, *UNICODE.tick, *UNICODE.bar, *UNICODE.negative_bar,
                       *UNICODE.dash})

# SGR colours by kind: festivals magenta, cinemas warm, home viewing cool.
COLOURS = {Kind.PREMIERE: "95", Kind.FESTIVAL: "35", Kind.LIMITED: "33", Kind.THEATRICAL: "31",
           Kind.VIRTUAL_CINEMA: "93", Kind.VOD: "34", Kind.STREAMING: "36", Kind.PHYSICAL: "32", Kind.TV: "94"}
CANCELLED_MARK = "x"  # a cancelled window, in both glyph sets
TODAY_STYLE = "7;1"  # reverse, bold
DIM = "2"
# The same colours for SVG.
SVG_COLOURS = {Kind.PREMIERE: "#b0177a", Kind.FESTIVAL: "#8e44ad", Kind.LIMITED: "#d68910", Kind.THEATRICAL: "#c0392b",
               Kind.VIRTUAL_CINEMA: "#b7950b", Kind.VOD: "#2e59b8", Kind.STREAMING: "#138d90", Kind.PHYSICAL: "#27864a",
               Kind.TV: "#5b6fd6"}


def _encoding(sink: Sink) -> str:
    return getattr(sink.stdout, "encoding", None) or "utf-8"


def _is_utf8(value: str) -> bool:
    charset = value.partition(".")[2].split("@")[0]
    return charset.lower().replace("-", "").replace("_", "") == "utf8"


def _locale_is_ascii() -> bool:
    """True unless the locale in effect (LC_ALL, else LC_CTYPE, else LANG) names
    UTF-8, as tmux decides. Python itself sets LC_CTYPE=C.UTF-8 when it starts in
    the C locale (PEP 538, with UTF-8 mode on): that LC_CTYPE says nothing of the
    terminal and is passed over."""
    if os.name == "nt":
        return False  # no locale variables there: the stream's encoding decides
    lc_all = os.environ.get("LC_ALL")
    if lc_all:
        return not _is_utf8(lc_all)
    ctype = os.environ.get("LC_CTYPE")
    coerced = (ctype in ("C.UTF-8", "C.utf8", "UTF-8") and sys.flags.utf8_mode
               and os.environ.get("PYTHONUTF8") != "1")
    if ctype and not coerced:
        return not _is_utf8(ctype)
    lang = os.environ.get("LANG")
    return not (lang and _is_utf8(lang))


def glyphs_for(sink: Sink) -> Glyphs:
    """UNICODE when the output can carry it, else ASCII (see the module's docstring)."""
    if _locale_is_ascii():
        return ASCII
    try:
        _ALL_GLYPHS.encode(_encoding(sink))
    except (UnicodeError, LookupError):
        return ASCII
    return UNICODE


class _Text:
    """Makes data text printable on the sink: ``safe_text``, then escapes for what the encoding lacks."""

    def __init__(self, sink: Sink):
        self.encoding = _encoding(sink)
        try:
            "Дорогие 東京".encode(self.encoding)
            self.full = True
        except (UnicodeError, LookupError):
            self.full = False

    def __call__(self, text: str) -> str:
        text = safe_text(text)
        if self.full or text.isascii():
            return text
        try:
            return text.encode(self.encoding, "backslashreplace").decode(self.encoding)
        except LookupError:
            return text.encode("ascii", "backslashreplace").decode("ascii")


def _prefix(text: str, room: float, measure: Callable[[str], float]) -> str:
    """The longest start of TEXT at most ROOM wide."""
    out, used = [], 0.0
    for char in text:
        size = measure(char)
        if used + size > room:
            break
        out.append(char)
        used += size
    return "".join(out)


def truncate(text: str, width: float, ellipsis: str = "…", measure: Callable[[str], float] = cell_width) -> str:
    """TEXT cut to at most WIDTH cells (or units of MEASURE), ending in ELLIPSIS when cut."""
    if width <= 0:
        return ""
    if measure(text) <= width:
        return text
    room = width - measure(ellipsis)
    if room <= 0:
        return ellipsis if measure(ellipsis) <= width else ""
    return _prefix(text, room, measure).rstrip() + ellipsis


def pad(text: str, width: int) -> str:
    """TEXT padded with spaces to WIDTH cells (it must not be wider)."""
    return text + " " * max(0, width - cell_width(text))


class Line:
    """A line as (text, SGR style) pieces: its width ignores styles, its text has them when colour is on."""

    __slots__ = ("pieces",)

    def __init__(self, *pieces: tuple[str, str | None]):
        self.pieces: list[tuple[str, str | None]] = list(pieces)

    def add(self, text: str, style: str | None = None) -> Line:
        if text:
            self.pieces.append((text, style))
        return self

    @property
    def width(self) -> int:
        return sum(cell_width(text) for text, _ in self.pieces)

    def render(self, colour: bool) -> str:
        if not colour:
            return "".join(text for text, _ in self.pieces).rstrip()
        out = []
        for text, style in self.pieces:
            out.append(f"\x1b[{style}m{text}\x1b[0m" if style else text)
        return "".join(out).rstrip()


def _lines(lines: Sequence[Line | str], colour: bool, width: int) -> str:
    """The text of LINES; one wider than WIDTH (only on a terminal too narrow for
    even the fallback's fixed parts) is wrapped, without its colour."""
    out = []
    for line in lines:
        plain = line.render(False) if isinstance(line, Line) else line.rstrip()
        if cell_width(plain) > width:
            out.extend(_wrap(plain, width) or [""])
        else:
            out.append(line.render(colour) if isinstance(line, Line) else plain)
    return "".join(line + "\n" for line in out)


def _wrapped(text: str, width: int, indent: str = "", subsequent: str | None = None) -> list[str]:
    return _wrap(text, width, initial_indent=indent,
                 subsequent_indent=indent if subsequent is None else subsequent) or [""]


def _key(kinds: set[Kind], g: Glyphs, extra: Sequence[str] = ()) -> list[str]:
    """The marks' meanings, for the kinds shown, as items for ``_key_lines``."""
    return [f"{g.marks[k]} {k.label}" for k in sorted(kinds, key=lambda k: k.order)] + list(extra)


def _key_lines(items: Sequence[str], width: int, g: Glyphs, colour: bool) -> list[Line]:
    """'Key:' and the items, as many to a line as fit; each mark in its colour."""
    if not items:
        return []
    by_mark = {m: k for k, m in g.marks.items()}
    lines: list[Line] = []
    current, has_item = Line(("Key:", None)), False
    for item in items:
        if has_item and current.width + 2 + cell_width(item) > width:
            lines.append(current)
            current, has_item = Line(("    ", None)), False
        mark, _, rest = item.partition(" ")
        kind = by_mark.get(mark)
        current.add("  ")
        if kind is not None:
            current.add(mark, COLOURS[kind] if colour else None).add(" " + rest)
        else:
            current.add(item)
        has_item = True
    lines.append(current)
    out: list[Line] = []
    for n, line in enumerate(lines):  # a line with one item wider than the width: wrapped as plain text
        if line.width <= width:
            out.append(line)
        else:
            prefix = "Key:  " if n == 0 else "      "
            item = line.render(False)[len(prefix):]
            out.extend(Line((t, None)) for t in _wrapped(item, width, prefix, "        "))
    return out


# ---------------------------------------------------------------------------
# Month grid

MIN_CELL = 8  # below this many cells a day, the grid becomes a list
MAX_CELL = 24
MAX_ENTRIES = 3  # lines of windows in a day cell (the last one "+N" when there are more)


def _window_text(row: Row) -> str:
    """'Hulu, US' / 'VOD, US': what tells a film's windows on one day apart."""
    r = row.release
    return ", ".join(x for x in (r.label, r.region) if x)


def draw_calendar(grids: Sequence[MonthGrid], sink: Sink, width: int | None = None) -> str:
    """The months as grids (or, when WIDTH is too small, as week-by-week lists),
    then the windows known only to the month or year, then a key."""
    width = width or sink.columns()
    g = glyphs_for(sink)
    text = _Text(sink)
    colour = sink.color
    cw = min(MAX_CELL, (width - 8) // 7)
    lines: list[Line | str] = []
    drawn: set[Kind | str] = set()  # the kinds whose marks are drawn, and CANCELLED_MARK if it is
    today_shown = False
    for n, grid in enumerate(grids):
        if n:
            lines.append("")
        today_shown = today_shown or any(day.is_today for day in grid.days)
        drawn.update(r.release.kind for r in grid.undated)
        if cw >= MIN_CELL:
            lines.extend(_grid_lines(grid, cw, g, text, colour, drawn))
        else:  # every window, its status in words
            drawn.update(r.release.kind for day in grid.days for r in day.rows)
            lines.extend(_week_list(grid, width, g, text, colour))
        if grid.undated:
            lines.extend(_undated(grid, width, g, text, colour))
    lines.append("")
    extra = []
    if CANCELLED_MARK in drawn:
        extra.append(f"{CANCELLED_MARK} cancelled")
    if today_shown:
        extra.append("[n] today" if cw >= MIN_CELL else "(today)")
    lines.extend(_key_lines(_key({k for k in drawn if isinstance(k, Kind)}, g, extra), width, g, colour))
    return _lines(lines, colour, width)


def _month_title(grid: MonthGrid) -> str:
    return f"{MONTH_NAMES[grid.month - 1]} {grid.year}"


def _grid_lines(grid: MonthGrid, cw: int, g: Glyphs, text: _Text, colour: bool,
                drawn: set[Kind | str]) -> list[Line | str]:
    """The month as a box-drawn grid, 7 * CW + 8 cells wide; the kinds of the marks
    drawn (and CANCELLED_MARK, if one is) are added to DRAWN."""
    c = g.corners
    rule = lambda left, mid, right: left + mid.join(g.h * cw for _ in range(7)) + right  # noqa: E731
    total = 7 * cw + 8
    title = _month_title(grid)
    out: list[Line | str] = [" " * max(0, (total - len(title)) // 2) + title, rule(c[0], c[1], c[2])]
    out.append(Line((g.v, None), *((pad(_WEEKDAY_ABBR[wd], cw) + g.v, None) for wd in grid.weekdays)))
    for week in grid.weeks:
        out.append(rule(c[3], c[4], c[5]))
        shown = max(len(day.rows) for day in week)
        height = 1 + max(1, min(shown, MAX_ENTRIES))
        cells = [_day_cell(day, cw, height, g, text, drawn) for day in week]
        for i in range(height):
            line = Line((g.v, None))
            for cell in cells:
                content, style = cell[i]
                line.add(content, style if colour else None)
                line.add(" " * (cw - cell_width(content)) + g.v)
            out.append(line)
    out.append(rule(c[6], c[7], c[8]))
    return out


def _day_cell(day, cw: int, height: int, g: Glyphs, text: _Text,
              drawn: set[Kind | str]) -> list[tuple[str, str | None]]:
    """HEIGHT lines of (text, style) for one day, each at most CW cells."""
    if not day.in_month:
        return [("", None)] * height
    number = str(day.date.day)
    if day.is_today:
        head = ("[" + number + "]" + (" today" if cw >= len(number) + 8 else ""), TODAY_STYLE)
    else:
        head = (number, None)
    lines = [head]
    rows = day.rows
    room = height - 1
    show = rows if len(rows) <= room else rows[: room - 1]
    for row in show:
        kind = row.release.kind
        drawn.add(kind)
        mark = g.marks[kind]
        title = text(row.film.title)
        if row.release.status is Status.CANCELLED:
            title = CANCELLED_MARK + " " + title
            drawn.add(CANCELLED_MARK)
        lines.append((mark + " " + truncate(title, cw - 2, g.ellipsis), COLOURS[kind]))
    if len(show) < len(rows):
        more = len(rows) - len(show)
        label = f"+{more} more"
        lines.append((label if cell_width(label) <= cw else f"+{more}", None))
    lines.extend([("", None)] * (height - len(lines)))
    return lines


MIN_BESIDE = 8  # cells for a window's words beside the day ("  Fri  5 ◉ "); with fewer, the day has its own line


def _week_list(grid: MonthGrid, width: int, g: Glyphs, text: _Text, colour: bool) -> list[Line | str]:
    """The narrow form: each week's days that have windows (or are today), one window a line,
    beside the day, or below it where there is no room beside it."""
    out: list[Line | str] = [_month_title(grid)]
    for week in grid.weeks:
        days = [d for d in week if d.in_month]
        first, last = days[0].date, days[-1].date
        out.append(f"{first.day}{g.dash}{last.day} {_MONTH_ABBR[grid.month - 1]}" if first != last
                   else f"{first.day} {_MONTH_ABBR[grid.month - 1]}")
        busy = [d for d in days if d.rows or d.is_today]
        if not busy:
            out.append("  " + g.dash)
        for day in busy:
            label = f"  {_WEEKDAY_ABBR[day.date.weekday()]} {day.date.day:>2} "
            beside = width - cell_width(label) - 2 >= MIN_BESIDE
            indent = " " * len(label) if beside else "  "
            if day.is_today or not beside:
                line = Line((label.rstrip(), TODAY_STYLE if colour and day.is_today else None))
                out.append(line.add(" (today)" if day.is_today else ""))
            for i, row in enumerate(day.rows):
                kind = row.release.kind
                words = f"{text(row.film.title)} ({text(_window_text(row))})"
                if row.release.status is not Status.CONFIRMED:
                    words += f" [{row.release.status.value}]"
                head = label if i == 0 and beside and not day.is_today else indent
                wrapped = _wrapped(words, width, head + g.marks[kind] + " ", indent + "  ")
                first_line = wrapped[0]
                if first_line.startswith(head + g.marks[kind]):
                    mark_at = len(head)
                    out.append(Line((first_line[:mark_at], None),
                                    (g.marks[kind], COLOURS[kind] if colour else None),
                                    (first_line[mark_at + 1:], None)))
                else:
                    out.append(first_line)
                out.extend(wrapped[1:])
    return out


def _undated(grid: MonthGrid, width: int, g: Glyphs, text: _Text, colour: bool) -> list[Line | str]:
    """The windows of the month known only to the month, then those known only to its year."""
    out: list[Line | str] = []
    by_month = [row for row in grid.undated if row.release.date.month is not None]
    by_year = [row for row in grid.undated if row.release.date.month is None]
    for heading, rows in ((f"Also in {_month_title(grid)}, day not known:", by_month),
                          (f"Known only to the year {grid.year}:", by_year)):
        if not rows:
            continue
        out.extend(_wrapped(heading, width))
        for row in rows:
            kind = row.release.kind
            words = f"{text(row.film.title)} ({text(_window_text(row))}, {row.release.date.display()})"
            if row.release.status is not Status.CONFIRMED:
                words += f" [{row.release.status.value}]"
            wrapped = _wrapped(words, width, "  " + g.marks[kind] + " ", "    ")
            first = wrapped[0]
            if first.startswith("  " + g.marks[kind]):
                out.append(Line(("  ", None), (g.marks[kind], COLOURS[kind] if colour else None), (first[3:], None)))
            else:
                out.append(first)
            out.extend(wrapped[1:])
    return out


# ---------------------------------------------------------------------------
# Timeline

MIN_AXIS = 16  # below this many cells for the axis, the timeline becomes a list
MAX_LABEL = 28


def draw_timeline(tl: Timeline, sink: Sink, width: int | None = None) -> str:
    """One line per film on a shared axis, ticks above, a key below (a list per
    film when WIDTH is too small)."""
    width = width or sink.columns()
    g = glyphs_for(sink)
    text = _Text(sink)
    colour = sink.color
    titles = [text(lane.film.title) for lane in tl.lanes]
    label_width = min(max([cell_width(t) for t in titles] + [4]), MAX_LABEL, max(8, width // 3))
    axis = width - label_width - 1
    lines: list[Line | str] = []
    extra: list[str] = []
    first, last = tl.start.isoformat(), tl.end.isoformat()
    span = f"From {first} to {last}."
    if axis < MIN_AXIS:  # a list: each window's kind mark, its status in words; no axis, no lines
        lines.extend(_timeline_list(tl, titles, width, g, text))
        kinds = {m.kind for lane in tl.lanes for m in lane.marks}
    else:
        gutter = " " * (label_width + 1)
        ticks, step = _thinned(tl, axis / tl.days, MIN_TICK_GAP, MIN_YEAR_GAP)
        labels, rule = _axis(tl, axis, g, ticks)
        lines.append(gutter + labels)
        lines.append(gutter + rule)
        drawn: set[str] = set()
        kinds = set()
        for lane, label in zip(tl.lanes, _labels(titles, [lane.film.id for lane in tl.lanes], label_width, g.ellipsis)):
            line = Line((pad(label, label_width) + " ", None))
            for char, kind in _lane_cells(tl, lane, axis, g):
                line.add(char, COLOURS[kind] if colour and kind is not None else None)
                drawn.add(char)
                if kind is not None and char == g.marks[kind]:
                    kinds.add(kind)
            lines.append(line)
        # The key lists what is drawn: a mark hidden by another, or drawn as a cancelled one, is not.
        if g.lane in drawn:
            extra.append(f"{g.lane} between a film's first and last window")
        if g.span in drawn:
            extra.append(f"{g.span} a month or year, day not known")
        if CANCELLED_MARK in drawn:
            extra.append(f"{CANCELLED_MARK} cancelled")
        if ticks:
            every = f"{tl.unit}s" if step == 1 else f"every {step} {tl.unit}s"
            span = f"From {first} to {last}; ticks mark {every}."
    lines.append("")
    lines.extend(_key_lines(_key(kinds, g, extra), width, g, colour))
    lines.extend(_wrapped(span, width))
    return _lines(lines, colour, width)


def _labels(titles: list[str], ids: list[str], width: float, ellipsis: str,
            measure: Callable[[str], float] = cell_width) -> list[str]:
    """Row labels of at most WIDTH cells (or units of MEASURE) that tell the films
    apart: the title, cut at the end; where two would read the same, cut in the
    middle ('The Resurrection…Part One'); where that is not enough, the film's id."""
    labels = [truncate(t, width, ellipsis, measure) for t in titles]
    for attempt in (lambda t, i: middle(t, width, ellipsis, measure),
                    lambda t, i: middle(i, width, ellipsis, measure)):
        seen: dict[str, int] = {}
        for label in labels:
            seen[label] = seen.get(label, 0) + 1
        if all(n == 1 for n in seen.values()):
            break
        labels = [attempt(t, i) if seen[label] > 1 else label for t, i, label in zip(titles, ids, labels)]
    return labels


def middle(text: str, width: float, ellipsis: str = "…", measure: Callable[[str], float] = cell_width) -> str:
    """TEXT cut to at most WIDTH cells (or units of MEASURE) by leaving out its middle."""
    if measure(text) <= width:
        return text
    room = width - measure(ellipsis)
    if room <= 0:
        return truncate(text, width, ellipsis, measure)
    head = _prefix(text, (room + 1) // 2, measure).rstrip()
    tail_chars: list[str] = []
    used = measure(head)
    for char in reversed(text):
        size = measure(char)
        if used + size > room:
            break
        tail_chars.append(char)
        used += size
    return head + ellipsis + "".join(reversed(tail_chars)).lstrip()


def _axis(tl: Timeline, axis: int, g: Glyphs, thinned: Sequence[Tick]) -> tuple[str, str]:
    """The tick labels line and the axis line, AXIS cells wide, for the THINNED ticks."""
    rule = [g.h] * axis
    labels = [" "] * axis
    placed: list[tuple[int, int]] = []  # (first, last) cells taken by labels
    ticks = [(tl.column(t.date, axis), t) for t in thinned]
    for col, _ in ticks:
        rule[col] = g.tick
    # Majors (years) first, then the months where they fit; a space between labels.
    for major in (True, False):
        for col, tick in ticks:
            if tick.major != major:
                continue
            end = col + len(tick.label) - 1
            if end >= axis:
                continue
            if any(not (end + 1 < a or col > b + 1) for a, b in placed):
                continue
            placed.append((col, end))
            labels[col:end + 1] = list(tick.label)
    return "".join(labels).rstrip(), "".join(rule)


MIN_TICK_GAP = 3  # cells between month ticks at the least: denser ones are thinned to quarters, halves, years
MIN_YEAR_GAP = 6  # cells between year ticks at the least: a year's label and a space, with room for rounding
MONTH_STEPS = (1, 3, 6, 12)
YEAR_STEPS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)


def _thinned(tl: Timeline, per_day: float, month_gap: float, year_gap: float) -> tuple[list[Tick], int]:
    """The ticks to draw on an axis PER_DAY units (cells, pixels) a day, and every
    how many months or years they fall: every month, or every 3rd, 6th or 12th,
    so that ticks are MONTH_GAP apart at the least; every year, or every 2nd, 5th,
    10th, 25th... year, YEAR_GAP apart at the least. The first month tick drawn
    names its year."""
    ticks = list(tl.ticks)
    if len(ticks) < 2:
        return ticks, 1
    if tl.unit == "year":
        step = next((n for n in YEAR_STEPS if per_day * 365.25 * n >= year_gap), YEAR_STEPS[-1])
        return [t for t in ticks if t.date.year % step == 0], step
    step = next((n for n in MONTH_STEPS if per_day * 30.44 * n >= month_gap), MONTH_STEPS[-1])
    kept = [t for t in ticks if (t.date.month - 1) % step == 0]
    if kept and kept[0].date.month != 1:
        first = kept[0]
        kept[0] = Tick(first.date, f"{_MONTH_ABBR[first.date.month - 1]} {first.date.year}", True)
    return kept, step


MAX_NUDGE = 2  # cells a mark may move right to stay visible beside another


def _lane_cells(tl: Timeline, lane, axis: int, g: Glyphs) -> list[tuple[str, Kind | None]]:
    """A lane's AXIS cells: blank outside the film's first and last window, a line
    between, a period known only to the month or year as a band, and a mark on each
    exact day and at the start of each period.

    Exact days are placed first, in date order: a mark that finds its cell taken by
    a different mark moves right, up to MAX_NUDGE cells, to the first free cell not
    left of the last mark placed, so that kinds a few days apart all show in their
    order (the axis is that coarse anyway). Where there is no room, the cell shows
    one mark: a live window over a cancelled one, then the latest kind. A period's
    mark goes to its first cell only if no exact day is there."""
    cells: list[tuple[str, Kind | None]] = [(" ", None)] * axis
    for col in range(tl.column(lane.first, axis), tl.column(lane.last, axis) + 1):
        cells[col] = (g.lane, None)
    for mark in lane.marks:
        if not mark.exact and mark.row.release.status is not Status.CANCELLED:
            for col in range(tl.column(mark.start, axis), tl.column(mark.end, axis) + 1):
                cells[col] = (g.span, mark.kind)
    placed: dict[int, tuple[tuple[bool, int], str, Kind]] = {}  # column -> (priority, glyph, kind)
    last = -1
    for mark in (m for m in lane.marks if m.exact):  # in date order
        own = tl.column(mark.start, axis)
        cancelled = mark.row.release.status is Status.CANCELLED
        glyph = CANCELLED_MARK if cancelled else g.marks[mark.kind]
        priority = (not cancelled, mark.kind.order)
        col = own
        if own in placed and placed[own][1] != glyph:
            free = [c for c in range(max(own + 1, last), min(own + MAX_NUDGE, axis - 1) + 1) if c not in placed]
            col = free[0] if free else own
        if col not in placed or (placed[col][1] != glyph and priority > placed[col][0]):
            placed[col] = (priority, glyph, mark.kind)
        last = max(last, col)
    for mark in lane.marks:
        if not mark.exact:
            col = tl.column(mark.start, axis)
            if col not in placed:
                cancelled = mark.row.release.status is Status.CANCELLED
                placed[col] = ((False, 0), CANCELLED_MARK if cancelled else g.marks[mark.kind], mark.kind)
    for col, (_, glyph, kind) in placed.items():
        cells[col] = (glyph, kind)
    return cells


def _timeline_list(tl: Timeline, titles: list[str], width: int, g: Glyphs, text: _Text) -> list[Line | str]:
    """The narrow form: each film's title, then a line a window (TITLES are already printable)."""
    out: list[Line | str] = []
    for lane, title in zip(tl.lanes, titles):
        out.extend(_wrapped(title, width, "", "  "))
        for mark in lane.marks:
            r = mark.row.release
            words = f"{r.date.display()} {g.marks[r.kind]} {text(', '.join(x for x in (r.label, r.region) if x))}"
            if r.status is not Status.CONFIRMED:
                words += f" [{r.status.value}]"
            out.extend(_wrapped(words, width, "  ", "    "))
    return out


# ---------------------------------------------------------------------------
# Stats

MIN_BAR = 6  # below this many cells for the bars, the stats table becomes a list
GOOD_BAR = 16  # names are shortened (to 20 cells at the least) to give the bars this many


def _days(value: int | float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def draw_stats(rows: Sequence[StatsRow], sink: Sink, by: str, width: int | None = None) -> str:
    """A table of the groups with a bar per group, its length the group's median
    gap scaled to the largest median (a stacked list on a narrow terminal)."""
    width = width or sink.columns()
    g = glyphs_for(sink)
    text = _Text(sink)
    colour = sink.color
    heads = ("Films", "Windows", "Gaps", "Median", "Min", "Max")
    values = [(str(s.films), str(s.windows), str(len(s.gaps)), _days(s.gap_median_days), _days(s.gap_min_days),
               _days(s.gap_max_days)) for s in rows]
    widths = [max([len(h)] + [len(v[i]) for v in values]) for i, h in enumerate(heads)]
    numbers = sum(widths) + 2 * len(widths)
    labels = [text(s.label) for s in rows]
    group_head = by.capitalize()
    label_width = min(max([cell_width(label) for label in labels] + [len(group_head)]), 32)
    bar_room = width - label_width - numbers - 2
    for least_label, wanted_bar in ((20, GOOD_BAR), (12, MIN_BAR)):  # the bars matter more than whole names
        if bar_room < wanted_bar and label_width > least_label:
            label_width = max(least_label, label_width - (wanted_bar - bar_room))
            bar_room = width - label_width - numbers - 2
    scale = max((abs(s.gap_median_days) for s in rows if s.gap_median_days is not None), default=0)
    lines: list[Line | str] = []
    if bar_room >= MIN_BAR:
        head = pad(group_head, label_width) + "".join("  " + h.rjust(w) for h, w in zip(heads, widths))
        lines.append(Line((head, "1" if colour else None)))
        shown = _labels(labels, [text(s.group or "") for s in rows], label_width, g.ellipsis)
        for s, label, vals in zip(rows, shown, values):
            line = Line((pad(label, label_width), None))
            line.add("".join("  " + v.rjust(w) for v, w in zip(vals, widths)) + "  ")
            bar, style = _bar(s.gap_median_days, scale, bar_room, g)
            line.add(bar, style if colour else None)
            lines.append(line)
    else:  # stacked: the group on a line, its numbers below
        for s, label, vals in zip(rows, labels, values):
            lines.extend(_wrapped(label, width, "", "  "))
            facts = f"{vals[0]} film{'s' * (s.films != 1)}, {vals[1]} window{'s' * (s.windows != 1)}"
            if s.gaps:
                plural = "s" * (len(s.gaps) != 1)
                facts += f"; gap median {vals[3]} days (min {vals[4]}, max {vals[5]}, {vals[2]} gap{plural})"
            lines.extend(_wrapped(facts, width, "  ", "  "))
            bar, style = _bar(s.gap_median_days, scale, max(1, width - 2), g)
            if bar:
                lines.append(Line(("  ", None), (bar, style if colour else None)))
    lines.append("")
    note = ("Gaps: days from a film's first cinema window (limited, theatrical, virtual cinemas) to its first "
            "home window (VOD, streaming, disc, TV) in a region; exact, not cancelled dates only. "
            f"Bars: the median, scaled to the largest ({_days(scale)} days)."
            + (f" A {g.negative_bar} bar: home viewing came first."
               if any((s.gap_median_days or 0) < 0 for s in rows) else ""))
    lines.extend(_wrapped(note, width))
    return _lines(lines, colour, width)


def _bar(median: int | float | None, scale: int | float, room: int, g: Glyphs) -> tuple[str, str | None]:
    if median is None or not scale:
        return ("", None)
    cells = round(abs(median) / scale * room)
    if median and not cells:
        cells = 1
    return (g.negative_bar if median < 0 else g.bar) * cells, ("33" if median < 0 else "36")


# ---------------------------------------------------------------------------
# Timeline as SVG

_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})


def _svg_plain(value: str) -> str:
    r"""VALUE as the SVG shows it: control characters written out (``safe_text``) and
    the characters XML 1.0 forbids (U+FFFE, U+FFFF) as ``\ufffe``."""
    value = safe_text(value)
    if not value.isascii():
        value = "".join(c if c not in "\ufffe\uffff" else f"\\u{ord(c):04x}" for c in value)
    return value


def xml_text(value: str) -> str:
    r"""VALUE as XML character data or an attribute value: control characters written
    out (``safe_text``), characters XML 1.0 forbids (U+FFFE, U+FFFF) as ``\ufffe``,
    and & < > " ' as entities."""
    return _svg_plain(value).translate(_XML_ESCAPES)


# Advance widths of Helvetica (Arial's metrics), in thousandths of an em, for " " to "~".
_HELVETICA = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  # space to /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015,  # 0 to @
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667,
    944, 667, 667, 611,  # A to Z
    278, 278, 278, 469, 556, 333,  # [ to `
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500,
    722, 500, 500, 500,  # a to z
    334, 260, 334, 584,  # { to ~
)
# "sans-serif" may be a wider face than Helvetica (DejaVu Sans, Verdana): estimates
# err on the wide side, as cell_width does. Other narrow characters (accented
# letters, Cyrillic, Hebrew...) are taken at 0.75 em; wide ones (CJK, emoji, two
# terminal cells) at 1.25 em, two narrow units and more; zero-width ones at 0.
_SVG_SLACK = 1.15
_svg_em: dict[str, float] = {}


def _em(char: str) -> float:
    size = _svg_em.get(char)
    if size is None:
        code = ord(char)
        if 32 <= code <= 126:
            size = _HELVETICA[code - 32] / 1000 * _SVG_SLACK
        else:
            size = {0: 0.0, 1: 0.75}.get(cell_width(char), 1.25)
        _svg_em[char] = size
    return size


def svg_text_width(text: str, size: float = 13, bold: bool = False) -> float:
    """An estimate, on the wide side, of how many pixels TEXT takes in the SVG's sans-serif at SIZE."""
    return sum(map(_em, text)) * size * (1.1 if bold else 1.0)


def _mark_title(row: Row) -> str:
    r: Release = row.release
    parts = [r.kind.label, r.where, r.region, r.date.display()]
    status = "" if r.status is Status.CONFIRMED else f" ({r.status.value})"
    return f"{row.film.title} — " + ", ".join(p for p in parts if p) + status


SVG_MONTH_GAP = 36  # pixels between month ticks at the least: a month's label and a space
SVG_YEAR_GAP = 44  # pixels between year ticks at the least: a year's label (bold) and a space


def timeline_svg(tl: Timeline, *, width: int = 960) -> str:
    """The timeline as a standalone SVG document (UTF-8 text): the axis's first and
    last day, month or year ticks (thinned as on the terminal, labelled where the
    labels fit), lanes labelled with the titles (cut to the label column, told apart
    as on the terminal), a mark per window coloured by kind (a translucent band for
    a window known only to the month or year, a dashed ring for a cancelled one),
    each with a tooltip; a key of what is drawn below."""
    label_w, right, top, lane_h, size = 230, 20, 48, 26, 13
    x0, x1 = label_w + 10, width - right
    span = x1 - x0

    def x(day: date) -> float:
        return round(x0 + tl.position(day) * span, 1)

    marks = [m for lane in tl.lanes for m in lane.marks]
    key: list[tuple[str, str]] = [
        (f'<circle cx="{{x}}" cy="{{y}}" r="5.5" fill="{SVG_COLOURS[kind]}"/>', kind.label)
        for kind in sorted({m.kind for m in marks}, key=lambda k: k.order)]
    if any(not m.exact and m.row.release.status is not Status.CANCELLED for m in marks):
        band = ('<rect x="{x0}" y="{y0}" width="14" height="12" rx="3" fill="#888888" fill-opacity="0.35" '
                'stroke="#888888"/>')
        key.append((band, "a month or year, day not known"))
    if any(m.row.release.status is Status.CANCELLED for m in marks):
        ring = ('<circle cx="{x}" cy="{y}" r="4.5" fill="#ffffff" stroke="#888888" stroke-width="2" '
                'stroke-dasharray="2 2"/>')
        key.append((ring, "cancelled"))
    placed_key: list[tuple[int, int, str, str]] = []  # (x, row, marker, label): 180 pixels an item, or more
    kx, key_row = 20, 0
    for marker, label in key:
        item = 16 + math.ceil(svg_text_width(label, size))
        if kx > 20 and kx + item > width - 10:
            kx, key_row = 20, key_row + 1
        placed_key.append((kx, key_row, marker, label))
        kx += max(180, item + 24)
    key_rows = key_row + 1
    bottom = top + lane_h * max(1, len(tl.lanes))
    height = bottom + 24 + 22 * key_rows + 10
    title = f"relcal timeline, {tl.start.isoformat()} to {tl.end.isoformat()}"
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="{size}">',
        f"<title>{xml_text(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    # The axis's first and last day, always: a short range may have no tick at all.
    out.append('<g class="range" fill="#555555" font-size="12">')
    out.append(f'<text x="{x0}" y="16">{tl.start.isoformat()}</text>')
    if tl.end != tl.start:
        out.append(f'<text x="{x1}" y="16" text-anchor="end">{tl.end.isoformat()}</text>')
    out.append("</g>")
    ticks, _ = _thinned(tl, span / tl.days, SVG_MONTH_GAP, SVG_YEAR_GAP)
    out.append('<g class="ticks" stroke="#dddddd" fill="#555555">')
    taken: list[tuple[float, float]] = []  # labels drawn: majors (years) first, then months where they fit
    shown: set[date] = set()
    for major in (True, False):
        for tick in ticks:
            if tick.major != major:
                continue
            left = x(tick.date) + 3
            right_end = left + svg_text_width(tick.label, size, bold=tick.major)
            if right_end > width - 4 or any(not (right_end + 4 < a or left > b + 4) for a, b in taken):
                continue
            taken.append((left, right_end))
            shown.add(tick.date)
    for tick in ticks:
        tx = x(tick.date)
        out.append(f'<line x1="{tx}" y1="{top - 8}" x2="{tx}" y2="{bottom}"/>')
        if tick.date in shown:
            weight = ' font-weight="bold"' if tick.major else ""
            out.append(f'<text x="{tx + 3}" y="{top - 14}" stroke="none"{weight}>{xml_text(tick.label)}</text>')
    out.append("</g>")
    titles = [_svg_plain(lane.film.title) for lane in tl.lanes]
    labels = _labels(titles, [_svg_plain(lane.film.id) for lane in tl.lanes], label_w - 8, "…",
                     lambda text: svg_text_width(text, size))
    for i, (lane, label) in enumerate(zip(tl.lanes, labels)):
        cy = top + lane_h * i + lane_h / 2
        out.append(f'<g class="lane" data-film="{xml_text(lane.film.id)}">')
        if i % 2:
            out.append(f'<rect x="0" y="{cy - lane_h / 2}" width="{width}" height="{lane_h}" fill="#f6f6f6"/>')
        out.append(f'<text x="{label_w}" y="{cy + 4.5}" text-anchor="end" fill="#222222">'
                   f"<title>{xml_text(lane.film.title)}</title>{xml_text(label)}</text>")
        out.append(f'<line x1="{x(lane.first)}" y1="{cy}" x2="{x(lane.last)}" y2="{cy}" stroke="#999999" '
                   f'stroke-width="1.5"/>')
        for mark in lane.marks:
            colour = SVG_COLOURS[mark.kind]
            tip = f"<title>{xml_text(_mark_title(mark.row))}</title>"
            if mark.row.release.status is Status.CANCELLED:
                out.append(f'<circle cx="{x(mark.start)}" cy="{cy}" r="4.5" fill="#ffffff" stroke="{colour}" '
                           f'stroke-width="2" stroke-dasharray="2 2">{tip}</circle>')
            elif mark.exact:
                out.append(f'<circle cx="{x(mark.start)}" cy="{cy}" r="5.5" fill="{colour}" '
                           f'stroke="#ffffff">{tip}</circle>')
            else:
                x_end = round(x0 + ((mark.end - tl.start).days + 1) / tl.days * span, 1)
                w = max(2.0, round(x_end - x(mark.start), 1))
                out.append(f'<rect x="{x(mark.start)}" y="{cy - 6}" width="{w}" height="12" rx="3" fill="{colour}" '
                           f'fill-opacity="0.35" stroke="{colour}">{tip}</rect>')
        out.append("</g>")
    ky = bottom + 24
    out.append('<g class="key" fill="#222222">')
    for kx, key_row, marker, label in placed_key:
        row_y = ky + 22 * key_row
        out.append(marker.format(x=kx, y=row_y - 4, x0=kx - 7, y0=row_y - 10))
        out.append(f'<text x="{kx + 10}" y="{row_y}">{xml_text(label)}</text>')
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


# The stats as a markdown table (md); the other machine formats use views.STATS_KEYS.
STATS_COLUMNS = (
    Column("Group", lambda s: s.label),
    Column("Films", lambda s: str(s.films), no_wrap=True),
    Column("Windows", lambda s: str(s.windows), no_wrap=True),
    Column("Gaps", lambda s: str(len(s.gaps)), no_wrap=True),
    Column("Median days", lambda s: _days(s.gap_median_days), no_wrap=True),
    Column("Min days", lambda s: _days(s.gap_min_days), no_wrap=True),
    Column("Max days", lambda s: _days(s.gap_max_days), no_wrap=True),
)
