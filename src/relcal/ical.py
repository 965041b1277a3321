"""Rows -> an iCalendar (RFC 5545) calendar that calendar apps import and subscribe to.

The calendar is built from the ``ics`` package's ContentLine/Container layer.
What ``ics`` leaves to its caller is done here, at relcal's boundary:

- TEXT values are escaped per RFC 5545 (``\\`` ``;`` ``,`` newline), and CR or
  CRLF becomes a newline first, so no value can start a line or a component;
  URI values (URL) are written as they are, but for control characters and
  spaces, which are percent-encoded (the loader refuses them; a library user
  might not);
- lines are folded at 75 octets without splitting a UTF-8 character, and every
  line, the last one too, ends in CRLF;
- PRODID is relcal's, DTSTAMP comes from SOURCE_DATE_EPOCH when it is set, and
  properties and categories are written in a fixed order, so the same data
  gives the same bytes;
- all-day dates are written from the calendar date itself and never pass
  through a datetime or a time zone.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from . import __version__
from .errors import UsageError
from .model import Film, Release, Status, slugify
from .query import Row

DEFAULT_NAME = "relcal releases"
REFRESH = "P1D"  # how often subscribers should poll: release dates change slowly
SPLITS = ("film", "platform", "kind", "region")

_STATUS = {
    Status.CONFIRMED: "CONFIRMED",
    Status.ANNOUNCED: "TENTATIVE",
    Status.TENTATIVE: "TENTATIVE",
    Status.POSTPONED: "TENTATIVE",  # moved, new date not settled
    Status.CANCELLED: "CANCELLED",
}
# C0 controls other than newline, and DEL, are not allowed in a TEXT value
# (RFC 5545 allows a tab, but a tab in a title is a typo, and clients differ).
_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f]")
_DURATION = re.compile(r"(\d{1,4})\s*([wdhm])")


def prodid() -> str:
    major_minor = ".".join(__version__.split(".")[:2])
    return f"-//relcal//relcal {major_minor}//EN"


# ---------------------------------------------------------------------------
# Values

def plain_text(value: str) -> str:
    """Text as a calendar will show it: CR and CRLF become a newline, a tab or
    another control character (not allowed in iCalendar text) becomes a space."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub(" ", value) if _CONTROLS.search(value) else value


def escape_text(value: str) -> str:
    """An RFC 5545 TEXT value: plain_text, then \\ ; , and newline escaped."""
    value = plain_text(value)
    # Each test is one fast scan; most text has none of these (str.translate
    # with a table of multi-character escapes is several times slower).
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if ";" in value:
        value = value.replace(";", "\\;")
    if "," in value:
        value = value.replace(",", "\\,")
    if "\n" in value:
        value = value.replace("\n", "\\n")
    return value


class _DateValues(dict):  # type: ignore[type-arg]
    """date -> 'YYYYMMDD', written from the date itself: never through a datetime,
    so no time zone can shift it. Each distinct day is formatted once."""

    def __missing__(self, d: date) -> str:
        value = self[d] = f"{d.year:04d}{d.month:02d}{d.day:02d}"
        return value


_date_value = _DateValues().__getitem__


def dtstamp(environ: dict[str, str] | None = None) -> datetime:
    """SOURCE_DATE_EPOCH (reproducible builds) when set, else the current UTC time."""
    environ = os.environ if environ is None else environ
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return datetime.now(timezone.utc).replace(microsecond=0)
    if not (raw.isascii() and raw.isdigit()):  # "²" and "٣" are digits to str.isdigit(), not to a clock
        raise UsageError(f"SOURCE_DATE_EPOCH={raw!r} is not a number of seconds since 1970; unset it or fix it")
    try:
        return datetime.fromtimestamp(int(raw), timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise UsageError(f"SOURCE_DATE_EPOCH={raw!r} is out of range") from None


# RFC 5545's dur-value, before the day: [+/-]P then weeks, or days and/or a time
# (T and at least one of hours, minutes, seconds).
_RFC_DURATION = re.compile(r"[-+]?p(?:(\d+)w|(\d+d)?(?:t(?=\d)(\d+h)?(\d+m)?(\d+s)?)?)")


_URI_UNSAFE = re.compile("[\x00-\x20\x7f-\x9f]")


def uri_value(url: str) -> str:
    """A URL as an RFC 5545 URI value: control characters and spaces percent-encoded."""
    return _URI_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), url)


def parse_duration(text: str) -> str:
    """'1d', '12h', '2w', '30m', '1d12h' or an RFC 5545 DURATION ('P1D', 'PT12H') -> an
    RFC 5545 DURATION such as 'P1D' or 'PT12H'; a zero or malformed one is a usage error."""
    cleaned = text.strip().lower()
    if cleaned.lstrip("+-").startswith("p"):
        found = _RFC_DURATION.fullmatch(cleaned)
        if not found or cleaned.lstrip("+-") == "p":
            raise UsageError(f"--remind: {text!r} is not an RFC 5545 duration; use e.g. P1D, PT12H, P1DT12H or P2W "
                             "(or 1d, 12h, 1d12h, 2w)")
        if not any(int(n) for n in re.findall(r"\d+", cleaned)):
            raise UsageError(f"--remind: {text!r} is zero; give how long before the day to remind you")
        return cleaned.lstrip("+-").upper()
    parts = _DURATION.findall(cleaned)
    if not parts or "".join(n + u for n, u in parts) != cleaned.replace(" ", ""):
        raise UsageError(f"--remind: {text!r} is not a duration; use e.g. 1d, 12h, 2w, 30m or 1d12h")
    amounts = {unit: int(n) for n, unit in parts}
    if not any(amounts.values()):
        raise UsageError(f"--remind: {text!r} is zero; give how long before the day to remind you")
    days = amounts.get("d", 0) + 7 * amounts.get("w", 0)
    time = "".join(f"{amounts[u]}{u.upper()}" for u in ("h", "m") if amounts.get(u))
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")


# ---------------------------------------------------------------------------
# Identity

def uid(row: Row) -> str:
    return f"{row.film.id}.{row.release.identity}@relcal"


# ---------------------------------------------------------------------------
# Events

# A window that will not happen, or not on its date, says so first: a calendar
# shows the SUMMARY, and many clients ignore STATUS.
_SUMMARY_MARK = {Status.CANCELLED: "Cancelled: ", Status.POSTPONED: "Postponed: "}


def summary(row: Row) -> str:
    r = row.release
    return (_SUMMARY_MARK.get(r.status, "") + f"{row.film.title} — {r.label}"
            + (f" ({r.region})" if r.region else ""))


def description(row: Row) -> str:
    """The window's facts, then the film's, then where the date comes from: three
    paragraphs, each as plain_text (so the event writer can escape them apart)."""
    parts = [window_description(row.release), film_description(row.film)]
    source = row.release.source or row.film.link("source")
    if source:
        parts.append(f"Source: {source}")
    return "\n\n".join(plain_text(p) for p in parts if p)


def window_description(r: Release) -> str:
    lines = [f"Kind: {r.kind.label}"]
    if r.platform:
        lines.append(f"Platform: {r.platform}")
    if r.venue:
        lines.append(f"Venue: {r.venue}")
    lines.append(f"Region: {r.region or 'worldwide or unspecified'}")
    if r.distributor:
        lines.append(f"Distributor: {r.distributor}")
    if r.status is not Status.CONFIRMED:
        lines.append(f"Status: {r.status.value}")
    if not r.date.is_exact:
        lines.append(f"Date known to the {r.date.precision.value}: {r.date.display()}")
    if r.history:
        lines.append("Moved from: " + ", ".join(d.iso() for d in r.history))
    if r.note:
        lines.append(f"Note: {r.note}")
    return "\n".join(lines)


def film_description(f: Film) -> str:
    lines = []
    if f.directors:
        lines.append("Directed by: " + ", ".join(f.directors))
    if f.cast:
        lines.append("Cast: " + ", ".join(f.cast))
    people = "\n".join(lines)
    return "\n\n".join(p for p in (people, f.synopsis) if p)


def categories(row: Row) -> list[str]:
    r = row.release
    values = [r.kind.label]
    if r.where and r.where not in values:
        values.append(r.where)
    return values


@dataclass(frozen=True)
class Options:
    name: str = DEFAULT_NAME
    stamp: datetime | None = None  # DTSTAMP; None = from the environment
    remind: str | None = None  # an RFC 5545 DURATION before the day
    include_partial: bool = False


def make_options(name: str = DEFAULT_NAME, remind: str | None = None, include_partial: bool = False,
                 stamp: datetime | None = None) -> Options:
    """Options from what the user typed: ``relcal export``'s options and ``relcal serve``'s
    URL parameters both come here. A bad REMIND is a UsageError; STAMP defaults to dtstamp()."""
    return Options(name=name, stamp=stamp or dtstamp(), remind=parse_duration(remind) if remind else None,
                   include_partial=include_partial)


def event_status(release: Release) -> str:
    """STATUS: from the window's status; a date known only to the month or year is tentative."""
    if release.status is Status.CANCELLED or release.date.is_exact:
        return _STATUS[release.status]
    return "TENTATIVE"


def exported(rows: Iterable[Row], include_partial: bool) -> list[Row]:
    """The rows that become events: exact dates, and partial ones only when asked."""
    return [r for r in rows if include_partial or r.release.date.is_exact]


def calendar(rows: Sequence[Row], options: Options = Options(),
             progress: Callable[..., None] | None = None) -> Any:
    """The VCALENDAR as an ``ics`` Container of ContentLines and VEVENT Containers."""
    from ics.grammar.parse import Container, ContentLine

    stamp = (options.stamp or dtstamp()).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    cal = Container(
        "VCALENDAR",
        ContentLine("VERSION", {}, "2.0"),
        ContentLine("PRODID", {}, prodid()),
        ContentLine("CALSCALE", {}, "GREGORIAN"),
        ContentLine("NAME", {}, escape_text(options.name)),
        ContentLine("X-WR-CALNAME", {}, escape_text(options.name)),
        ContentLine("REFRESH-INTERVAL", {"VALUE": ["DURATION"]}, REFRESH),
        ContentLine("X-PUBLISHED-TTL", {}, REFRESH),
    )
    shared = _SharedLines(ContentLine, stamp)
    film_text: dict[str, str] = {}  # a film's part of the description, escaped once for all its windows
    for row in exported(rows, options.include_partial):
        film = row.film
        if film.id not in film_text:
            film_text[film.id] = escape_text(film_description(film))
        cal.append(_event(row, options, film_text[film.id], Container, ContentLine, shared))
        if progress is not None and len(cal) % 1000 == 0:
            progress(windows=len(cal) - 7)
    return cal


class _SharedLines(dict):  # type: ignore[type-arg]
    """One ContentLine per distinct (name, value) for the lines that repeat from
    event to event (DTSTAMP, dates, STATUS, SEQUENCE, TRANSP, CATEGORIES, URL):
    they are never changed, so events can share them instead of each building
    its own."""

    def __init__(self, ContentLine: Any, stamp: str):
        super().__init__()
        self.ContentLine = ContentLine
        self.stamp = ContentLine("DTSTAMP", {}, stamp)
        self.transparent = ContentLine("TRANSP", {}, "TRANSPARENT")

    def __missing__(self, key: tuple[str, str]) -> Any:
        name, value = key
        params = {"VALUE": ["DATE"]} if name in ("DTSTART", "DTEND") else {}
        line = self[key] = self.ContentLine(name, params, value)
        return line


def _event(row: Row, options: Options, film_text: str, Container: Any, ContentLine: Any,
           shared: _SharedLines) -> Any:
    r = row.release
    text = escape_text(summary(row))
    source = r.source or row.film.link("source")
    described = "\\n\\n".join(p for p in (escape_text(window_description(r)), film_text,
                                           source and escape_text(f"Source: {source}")) if p)
    event = Container(
        "VEVENT",
        ContentLine("UID", {}, uid(row)),
        shared.stamp,
        shared["DTSTART", _date_value(r.date.first_day)],
        # the day after the last day: one day, or the whole month or year
        shared["DTEND", _date_value(r.date.end)],
        ContentLine("SUMMARY", {}, text),
        ContentLine("DESCRIPTION", {}, described),
        shared["CATEGORIES", ",".join(escape_text(c) for c in categories(row))],
    )
    if source:
        event.append(shared["URL", uri_value(source)])  # a URI: no TEXT escaping
    event.append(shared["STATUS", event_status(r)])
    event.append(shared["SEQUENCE", str(len(r.history))])
    event.append(shared.transparent)
    if options.remind and r.status is not Status.CANCELLED:  # no reminder of what will not happen
        event.append(Container(
            "VALARM",
            ContentLine("ACTION", {}, "DISPLAY"),
            ContentLine("DESCRIPTION", {}, text),
            ContentLine("TRIGGER", {}, "-" + options.remind),
        ))
    return event


# ---------------------------------------------------------------------------
# Serialising

def fold(line: str) -> bytes:
    """One content line as UTF-8, folded at 75 octets (continuations start with a
    space), never inside a character, ending in CRLF."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data + b"\r\n"
    out = bytearray()
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # a UTF-8 continuation byte
            end -= 1
        if out:
            out += b" "
        out += data[start:end] + b"\r\n"
        start, limit = end, 74  # the leading space takes one octet
    return bytes(out)


def _content_lines(container: Any, out: list[str]) -> None:
    """Each line of CONTAINER as text, depth first (the ics objects, written by hand:
    ContentLine's own __str__ costs a loop per line for parameters that are rarely there)."""
    out.append("BEGIN:" + container.name)
    for item in container:
        if isinstance(item, list):  # a nested Container (VEVENT, VALARM)
            _content_lines(item, out)
        elif item.params:
            out.append(str(item))
        else:
            out.append(f"{item.name}:{item.value}")
    out.append("END:" + container.name)


def serialize(container: Any) -> bytes:
    lines: list[str] = []
    _content_lines(container, lines)
    # Lines that cannot be over 75 octets (at most 4 octets a character) stay as
    # they are; the rest are measured, and folded where they must be.
    text = "\r\n".join(line if len(line) <= 18 or (len(line) <= 75 and line.isascii())
                        else fold(line)[:-2].decode("utf-8") for line in lines)
    return text.encode("utf-8") + b"\r\n"


def export_bytes(rows: Sequence[Row], options: Options = Options(),
                 progress: Callable[..., None] | None = None) -> bytes:
    """The calendar of ROWS with OPTIONS, as bytes: the one function that makes a calendar
    (``relcal export``, each file of ``export --split-by`` and of ``publish``, ``serve``'s feed).
    Windows known only to the month or year are left out unless OPTIONS.include_partial
    (``exported``): ROWS are the rows a Query gives, as they are."""
    return serialize(calendar(rows, options, progress))


# ---------------------------------------------------------------------------
# One calendar per group

_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))})


def group_name(row: Row, by: str) -> str:
    r = row.release
    if by == "film":
        return row.film.title
    if by == "platform":
        return r.where or r.kind.label
    if by == "kind":
        return r.kind.label
    if by == "region":
        return r.region or "worldwide"
    raise UsageError(f"--split-by: {by!r} is not known; use one of {', '.join(SPLITS)}")


def split_field(text: str) -> str:
    """What --split-by names, in any case; a usage error if it is not one of SPLITS."""
    key = text.strip().lower()
    if key not in SPLITS:
        raise UsageError(f"--split-by: {text!r} is not known; use one of {', '.join(SPLITS)}")
    return key


@dataclass(frozen=True)
class Planned:
    """One calendar an export writes: its file name (None for a single export), name and events."""

    file_name: str | None
    name: str
    rows: list[Row]


@dataclass(frozen=True)
class Plan:
    calendars: list[Planned]
    left_out: int  # windows known only to the month or year, left out
    empty_groups: int  # --split-by groups left out because they held only such windows


def plan(rows: Sequence[Row], options: Options, split_by: str | None = None) -> Plan:
    """What an export writes: one calendar, or one per group, each with the windows
    it exports (a group with no exact date, without --include-partial, gets no file:
    RFC 5545 wants at least one event, and an empty feed would look like an error)."""
    kept = exported(rows, options.include_partial)
    if split_by is None:
        return Plan([Planned(None, options.name, kept)], len(rows) - len(kept), 0)
    by = split_field(split_by)
    groups = split(rows, by)
    names = file_names(groups)
    calendars = []
    for key, group in groups.items():
        events = exported(group, options.include_partial)
        if events:
            calendars.append(Planned(names[key], f"{options.name} — {group_name(group[0], by)}", events))
    return Plan(calendars, len(rows) - len(kept), len(groups) - len(calendars))


def split(rows: Sequence[Row], by: str) -> dict[str, list[Row]]:
    """Rows grouped by film, platform/venue, kind or region, in first-seen order. Names
    are grouped as the filters match them, ignoring case and accents ('HULU' is 'Hulu'):
    one group, one file."""
    from .query import fold

    groups: dict[str, list[Row]] = {}
    for row in rows:
        key = row.film.id if by == "film" else fold(group_name(row, by))
        groups.setdefault(key, []).append(row)
    return groups


def file_names(keys: Iterable[str]) -> dict[str, str]:
    """A safe, distinct file name for each group: a slug that cannot leave the
    output folder, with a hash added where the slug would be empty, reserved,
    too long or shared with another group."""
    keys = list(keys)
    slugs = {k: slugify(k)[:60].strip("-") for k in keys}
    counts: dict[str, int] = {}
    for s in slugs.values():
        counts[s] = counts.get(s, 0) + 1
    names = {}
    for key, slug in slugs.items():
        if not slug or slug in _RESERVED or counts[slug] > 1 or len(slugify(key)) > 60:
            digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
            slug = f"{slug}-{digest}" if slug else digest
        names[key] = slug + ".ics"
    if len(set(names.values())) != len(names):  # cannot happen short of a hash collision; never overwrite
        raise UsageError("--split-by: two groups would share a file name; export them separately")
    return names
