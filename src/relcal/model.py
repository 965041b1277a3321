"""The domain: films and their release windows. Frozen dataclasses, no I/O."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, timedelta
from enum import Enum


class Kind(str, Enum):
    """Kinds of release window, declared in a film's usual order."""

    PREMIERE = "premiere"
    FESTIVAL = "festival"
    LIMITED = "limited"
    THEATRICAL = "theatrical"
    VIRTUAL_CINEMA = "virtual-cinema"
    VOD = "vod"
    STREAMING = "streaming"
    PHYSICAL = "physical"
    TV = "tv"

    @property
    def order(self) -> int:
        return _KIND_ORDER[self]

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_ORDER = {kind: i for i, kind in enumerate(Kind)}
_KIND_LABELS = {
    Kind.PREMIERE: "Premiere",
    Kind.FESTIVAL: "Festival",
    Kind.LIMITED: "Limited release",
    Kind.THEATRICAL: "Theatrical",
    Kind.VIRTUAL_CINEMA: "Virtual cinemas",
    Kind.VOD: "VOD",
    Kind.STREAMING: "Streaming",
    Kind.PHYSICAL: "DVD/Blu-ray",
    Kind.TV: "TV",
}


class Status(str, Enum):
    CONFIRMED = "confirmed"
    ANNOUNCED = "announced"
    TENTATIVE = "tentative"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


class Precision(str, Enum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


def days_in_month(year: int, month: int) -> int:
    """28-31 (the calendar module would do, but costs start-up time for one sum)."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


_MONTH_ABBR = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class PartialDate:
    """A calendar date known to the day, the month or only the year.

    It filters and sorts as its first day (the contract): see ``first_day``.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1-12")
        if self.day is not None:
            date(self.year, self.month, self.day)  # type: ignore[arg-type]  # raises if it does not exist

    @classmethod
    def from_date(cls, d: date) -> PartialDate:
        return cls(d.year, d.month, d.day)

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        return Precision.MONTH if self.month is not None else Precision.YEAR

    @property
    def is_exact(self) -> bool:
        return self.day is not None

    @cached_property  # asked for by every filter and sort; a frozen dataclass still has a __dict__ for it
    def first_day(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> date:
        if self.day is not None:
            return self.first_day
        if self.month is not None:
            return date(self.year, self.month, days_in_month(self.year, self.month))
        return date(self.year, 12, 31)

    @property
    def end(self) -> date:
        """The day after the last day: the exclusive end of the period."""
        return self.last_day + timedelta(days=1)

    def iso(self) -> str:
        """ISO 8601 at its own precision: 2021-01-29, 2021-02 or 2021."""
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def display(self) -> str:
        """For people: exact dates stay ISO (they sort and never wrap); a month is 'Mar 2021'."""
        if self.month is not None and self.day is None:
            return f"{_MONTH_ABBR[self.month]} {self.year:04d}"
        return self.iso()

    def __str__(self) -> str:
        return self.iso()


@dataclass(frozen=True)
class Release:
    """One release window of a film: where and when it can be seen."""

    date: PartialDate
    kind: Kind
    region: str | None = None  # ISO 3166-1 alpha-2; None = unspecified or worldwide
    platform: str | None = None
    venue: str | None = None
    distributor: str | None = None
    status: Status = Status.CONFIRMED
    note: str | None = None
    source: str | None = None
    history: tuple[PartialDate, ...] = ()  # earlier dates, oldest first
    id: str | None = None  # optional slug, unique within the film

    @property
    def where(self) -> str | None:
        """The platform or venue, whichever the window names."""
        return self.platform or self.venue

    @property
    def label(self) -> str:
        """What the window is called in a summary: the platform or venue, else the kind."""
        return self.where or self.kind.label

    @cached_property  # asked for once per export line; a frozen dataclass still has a __dict__ for it
    def identity(self) -> str:
        """What tells this window apart from the film's others, without its date.

        'vod.us', 'streaming.us.hulu', 'festival.it.venice-film-festival', or the
        window's own id. A calendar event's UID is built from it, so a window that
        moves keeps its event; two windows of one film must never share it (the
        catalog checks). Only lowercase letters, digits, '-' and '.': derived keys
        always contain a dot and ids never do, so the two cannot meet.
        """
        if self.id:
            return self.id
        parts = [self.kind.value, (self.region or "world").lower()]
        if self.where:
            parts.append(_name_slug(self.where))
        return ".".join(parts)


def slugify(text: str) -> str:
    """A slug close to TEXT: ASCII-folded, lowercase, hyphen-separated ('' if nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def _name_slug(name: str) -> str:
    """A slug for a platform or venue that never merges two different names:
    where slugging loses part of the name (non-Latin letters, '+', '&'), a short
    hash of the name is added."""
    slug = slugify(name)
    if not slug or slug.replace("-", " ") != " ".join(name.casefold().split()):
        import hashlib  # only here: loading OpenSSL costs start-up time

        digest = hashlib.sha1(name.casefold().encode("utf-8")).hexdigest()[:8]
        slug = f"{slug}-{digest}" if slug else digest
    return slug


@dataclass(frozen=True)
class ExternalIds:
    """A film's identifiers elsewhere: TMDB's number, IMDb's tt-id, Wikidata's Q-id."""

    tmdb: int | None = None
    imdb: str | None = None
    wikidata: str | None = None

    def items(self) -> list[tuple[str, int | str]]:
        """The ids that are set, as (name, value), in a fixed order."""
        return [(name, value) for name, value in (("tmdb", self.tmdb), ("imdb", self.imdb),
                                                  ("wikidata", self.wikidata)) if value is not None]

    def __bool__(self) -> bool:
        return bool(self.items())


NO_IDS = ExternalIds()


@dataclass(frozen=True)
class Film:
    id: str
    title: str
    original_title: str | None = None
    year: int | None = None
    directors: tuple[str, ...] = ()
    writers: tuple[str, ...] = ()
    cast: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    runtime: int | None = None  # minutes
    synopsis: str | None = None
    links: tuple[tuple[str, str], ...] = ()  # (name, URL) in file order
    ids: ExternalIds = NO_IDS
    releases: tuple[Release, ...] = field(default=())

    def link(self, name: str) -> str | None:
        return next((url for key, url in self.links if key == name), None)

    @property
    def people(self) -> tuple[str, ...]:
        return self.directors + self.writers + self.cast
