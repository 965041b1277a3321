"""The one place where release windows are filtered, ranged and sorted.

Every command (upcoming, releases, films, show, export) builds a Query and asks
it for rows; no other module decides which windows match.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from . import countries
from .catalog import Catalog
from .errors import UsageError
from .model import Film, Kind, Release, Status

# The keys of a row as JSON/CSV/TSV, in order (the contract's list).
ROW_KEYS = ("film_id", "title", "date", "precision", "kind", "region", "platform",
            "venue", "distributor", "status", "note", "source")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Text for matching: accents and case dropped, Cyrillic and Greek included (й->и, ё->е)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class Row:
    """One release window of one film: what the row commands print."""

    __slots__ = ("film", "release")

    def __init__(self, film: Film, release: Release):
        self.film = film
        self.release = release

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Row) and (self.film, self.release) == (other.film, other.release)

    def __hash__(self) -> int:
        return hash((self.film.id, self.release))

    def __repr__(self) -> str:
        return f"Row({self.film.id!r}, {self.release!r})"

    def as_dict(self) -> dict[str, str | None]:
        r = self.release
        return {
            "film_id": self.film.id,
            "title": self.film.title,
            "date": r.date.iso(),
            "precision": r.date.precision.value,
            "kind": r.kind.value,
            "region": r.region,
            "platform": r.platform,
            "venue": r.venue,
            "distributor": r.distributor,
            "status": r.status.value,
            "note": r.note,
            "source": r.source,
        }

    @property
    def sort_key(self) -> tuple:
        r = self.release
        return (r.date.first_day, r.kind.order, fold(self.film.title), self.film.id,
                r.region or "", fold(r.where or ""), r.date.precision.value)


# The filters by their option names ('--kind', the URL's 'kind'), each repeatable, and the Query
# field each one fills; OPTIONS adds the range. Query.parse reads a mapping of these names.
_FIELDS = {"kind": "kinds", "platform": "platforms", "region": "regions", "film": "films", "person": "people",
           "search": "search", "status": "statuses"}
FILTERS = tuple(_FIELDS)
OPTIONS = ("from", "to", *FILTERS)


class FilmSummary(NamedTuple):
    """One film with its matching windows, for ``relcal films``."""

    film: Film
    windows: tuple[Release, ...]
    next: Release | None  # the first matching window on or after today that is not cancelled


class Query(NamedTuple):
    """A date range (inclusive, either end open) and filters.

    Within one filter the values are alternatives (``-k vod -k streaming``);
    different filters must all hold. Matching ignores case; ``people`` and
    ``search`` also ignore accents and match parts of names and titles.
    """

    start: date | None = None
    end: date | None = None
    kinds: tuple[Kind, ...] = ()
    platforms: tuple[str, ...] = ()  # platform or venue, whole name
    regions: tuple[str, ...] = ()  # a window with no region (worldwide) matches any
    films: tuple[str, ...] = ()  # film ids
    people: tuple[str, ...] = ()  # director, writer or cast member, part of the name
    search: tuple[str, ...] = ()  # part of the title or original title
    statuses: tuple[Status, ...] = ()

    @classmethod
    def build(
        cls,
        *,
        start: date | None = None,
        end: date | None = None,
        kinds: Iterable[str] = (),
        platforms: Iterable[str] = (),
        regions: Iterable[str] = (),
        films: Iterable[str] = (),
        people: Iterable[str] = (),
        search: Iterable[str] = (),
        statuses: Iterable[str] = (),
    ) -> Query:
        """A Query from what the user typed; an unknown kind, status or region is a UsageError."""
        if start and end and end < start:
            raise UsageError(f"--to {end} is before --from {start}; swap them")
        return cls(
            start=start,
            end=end,
            kinds=tuple(_choice(Kind, k, "--kind") for k in kinds),
            platforms=tuple(fold(p) for p in platforms),
            regions=tuple(_region(r) for r in regions),
            films=tuple(f.strip().lower() for f in films),
            people=tuple(fold(p) for p in people),
            search=tuple(fold(s) for s in search),
            statuses=tuple(_choice(Status, s, "--status") for s in statuses),
        )

    @classmethod
    def parse(cls, today: date, given: Mapping[str, Any]) -> Query:
        """A Query from options as the user typed them, by their names (OPTIONS): ``relcal export``'s
        and ``relcal publish``'s options and ``relcal serve``'s URL parameters all come here.

        ``from`` and ``to`` are a typed date (``from`` is read as its first day and ``to`` as
        its last: '2021-03' ends on the 31st; relative ones from TODAY: '+2w'), a date, or None;
        each filter of FILTERS is the values typed, or one value (None or absent: no filter).
        A name that is not in OPTIONS is a TypeError (a caller's mistake, as an unknown keyword
        argument is).
        """
        unknown = [name for name in given if name not in OPTIONS]
        if unknown:
            raise TypeError(f"Query.parse: {unknown[0]!r} is not an option; use {', '.join(OPTIONS)}")
        from .dates import parse_date

        start, end = given.get("from"), given.get("to")
        if isinstance(start, str):
            start = parse_date(start, today=today, option="--from").first_day
        if isinstance(end, str):
            end = parse_date(end, today=today, option="--to").last_day
        values = {name: given.get(name) or () for name in FILTERS}
        return cls.build(start=start, end=end, **{_FIELDS[name]: (v,) if isinstance(v, str) else v
                                                  for name, v in values.items()})

    def without_range(self) -> Query:
        return self._replace(start=None, end=None)

    # -- matching ----------------------------------------------------------
    def film_matches(self, film: Film) -> bool:
        if self.films and film.id not in self.films:
            return False
        if self.people:
            names = [fold(n) for n in film.people]
            if not any(p in n for p in self.people for n in names):
                return False
        if self.search:
            titles = fold(film.title) + "\n" + fold(film.original_title or "")
            if not any(s in titles for s in self.search):
                return False
        return True

    def window_matches(self, release: Release) -> bool:
        day = release.date.first_day
        if self.start is not None and day < self.start:
            return False
        if self.end is not None and day > self.end:
            return False
        if self.kinds and release.kind not in self.kinds:
            return False
        if self.statuses and release.status not in self.statuses:
            return False
        if self.regions and release.region is not None and release.region not in self.regions:
            return False
        if self.platforms:
            names = {fold(n) for n in (release.platform, release.venue) if n}
            if names.isdisjoint(self.platforms):
                return False
        return True

    # -- answers -------------------------------------------------------------
    def check_films(self, catalog: Catalog) -> None:
        for film_id in self.films:
            if catalog.film(film_id) is None:
                raise unknown_film(film_id, catalog)

    def candidates(self, catalog: Catalog) -> list[Film] | Iterable[Film]:
        """The films worth looking at: the named ones, else those with a window in
        the range (the catalog's day index skips the rest without building them)."""
        self.check_films(catalog)
        if self.films:
            return [catalog.film(f) for f in dict.fromkeys(self.films)]  # type: ignore[misc]
        if self.start or self.end:
            return catalog.films_between(self.start, self.end)
        return catalog.films

    def rows(self, catalog: Catalog) -> list[Row]:
        """Matching windows, sorted by date, then kind order, then title."""
        rows = [
            Row(film, release)
            for film in self.candidates(catalog)
            if self.film_matches(film)
            for release in film.releases
            if self.window_matches(release)
        ]
        rows.sort(key=lambda row: row.sort_key)
        return rows

    def summaries(self, catalog: Catalog, today: date) -> list[FilmSummary]:
        """Films with at least one matching window (or any film, when no window filter is set)."""
        self.check_films(catalog)
        window_filtered = bool(self.start or self.end or self.kinds or self.platforms
                               or self.regions or self.statuses)
        out = []
        for film in catalog.films:
            if not self.film_matches(film):
                continue
            windows = sorted((r for r in film.releases if self.window_matches(r)),
                             key=lambda r: Row(film, r).sort_key)
            if window_filtered and not windows:
                continue
            upcoming = (r for r in windows if r.date.first_day >= today and r.status is not Status.CANCELLED)
            out.append(FilmSummary(film, tuple(windows), next(upcoming, None)))
        out.sort(key=lambda s: (fold(s.film.title), s.film.year or 0, s.film.id))
        return out

    def nearest_outside(self, catalog: Catalog) -> tuple[Row | None, Row | None]:
        """For an empty range: the last matching window before it and the first after it."""
        rows = self.without_range().rows(catalog)
        before = [r for r in rows if self.start and r.release.date.first_day < self.start]
        after = [r for r in rows if self.end and r.release.date.first_day > self.end]
        return (before[-1] if before else None, after[0] if after else None)


def find_film(catalog: Catalog, text: str) -> Film:
    """The film whose id is TEXT, or whose title is exactly TEXT (ignoring case
    and accents) when only one film has it; else a UsageError with suggestions."""
    found = catalog.film(text.strip().lower())
    if found is not None:
        return found
    wanted = fold(text.strip())
    same = [f for f in catalog.films if fold(f.title) == wanted]
    if len(same) > 1:
        ids = ", ".join(f.id for f in same[:10]) + (f" and {len(same) - 10} more" if len(same) > 10 else "")
        raise UsageError(f"{len(same)} films are titled {text.strip()!r}: {ids}; give the id of the one you mean")
    if not same:
        raise unknown_film(text, catalog)
    return same[0]


def unknown_film(film_id: str, catalog: Catalog) -> UsageError:
    import difflib

    ids = catalog.ids()
    close = difflib.get_close_matches(film_id, ids, n=3, cutoff=0.5)
    if not close:  # a title typed instead of an id
        wanted = fold(film_id)
        close = [f.id for f in catalog.films if wanted and wanted in fold(f.title)][:3]
    hint = ("did you mean " + " or ".join(repr(c) for c in close) + "?") if close else \
        "'relcal films' lists the ids"
    return UsageError(f"no film with id {film_id!r}; {hint}")


def _choice(enum: type[Kind] | type[Status], text: str, option: str) -> Kind | Status:
    key = text.strip().lower()
    values = [e.value for e in enum]
    if key in values:
        return enum(key)
    import difflib

    from .parse import SYNONYMS

    close = [SYNONYMS[key]] if SYNONYMS.get(key) in values else difflib.get_close_matches(key, values, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UsageError(f"{option}: {text!r} is not known; {hint}use one of: {', '.join(values)}")


def _region(text: str) -> str:
    code, hint = countries.check(text)
    if code is None:
        raise UsageError(f"--region: {text!r} is not an ISO 3166-1 country code; {hint}")
    return code
