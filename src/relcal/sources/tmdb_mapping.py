"""TMDB's movie records -> relcal's films and release windows. No I/O.

TMDB lists release dates per country, each row with a type (1 premiere,
2 limited theatrical, 3 theatrical, 4 digital, 5 physical, 6 TV), a date
(an ISO date-time whose date part is the local calendar day) and a free-text
note that often names the festival or the platform. relcal keeps one window
per kind, region and platform/venue: rows that only split a country by
language collapse into one, while a re-release stays a window of its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .. import countries
from ..dates import parse_iso
from ..model import ExternalIds, Film, Kind, PartialDate, Release, Status, slugify
from ..parse import ID_PATTERNS

SITE = "https://www.themoviedb.org"
CAST_SHOWN = 5  # leading cast members kept, by TMDB's billing order
_SHORT_TEXT = 1_000  # the dataset's limit for titles and names

# TMDB's release types, and the kinds a -k filter asks TMDB for.
TYPE_PREMIERE, TYPE_LIMITED, TYPE_THEATRICAL, TYPE_DIGITAL, TYPE_PHYSICAL, TYPE_TV = range(1, 7)
KIND_TYPES: dict[Kind, int] = {
    Kind.PREMIERE: TYPE_PREMIERE, Kind.FESTIVAL: TYPE_PREMIERE, Kind.LIMITED: TYPE_LIMITED,
    Kind.THEATRICAL: TYPE_THEATRICAL, Kind.VOD: TYPE_DIGITAL, Kind.STREAMING: TYPE_DIGITAL,
    Kind.PHYSICAL: TYPE_PHYSICAL, Kind.TV: TYPE_TV,
}

# Subscription services a type-4 note may name: (pattern, the name relcal uses).
# Ordered so that 'Apple TV+' is tried before the Apple TV store.
STREAMING_SERVICES: tuple[tuple[str, str], ...] = (
    (r"netflix", "Netflix"),
    (r"hulu", "Hulu"),
    (r"(amazon\s+)?prime\s*video|amazon\s+prime", "Prime Video"),
    (r"disney\s*(\+|plus)", "Disney+"),
    (r"hbo\s*max|^max$", "Max"),
    (r"apple\s*tv\s*(\+|plus)", "Apple TV+"),
    (r"peacock", "Peacock"),
    (r"paramount\s*(\+|plus)", "Paramount+"),
    (r"mubi", "MUBI"),
    (r"shudder", "Shudder"),
    (r"criterion\s+channel", "The Criterion Channel"),
    (r"\bstarz\b", "Starz"),
    (r"showtime", "Showtime"),
    (r"\bamc\s*\+", "AMC+"),
    (r"sky\s+cinema", "Sky Cinema"),
    (r"\bnow\s*tv\b|^now$", "NOW"),
    (r"canal\s*\+|canal\s*plus", "Canal+"),
    (r"\bcrave\b", "Crave"),
    (r"\bstan\b", "Stan"),
    (r"britbox", "BritBox"),
    (r"\bfilmin\b", "Filmin"),
    (r"\bkanopy\b", "Kanopy"),
    (r"\btubi\b", "Tubi"),
)
# Stores that rent or sell films (transactional VOD): the note names the platform.
VOD_STORES: tuple[tuple[str, str], ...] = (
    (r"itunes", "iTunes"),
    (r"apple\s*tv(\s+app|\s+store)?$", "Apple TV"),
    (r"google\s*play", "Google Play"),
    (r"youtube", "YouTube"),
    (r"\bvudu\b", "Vudu"),
    (r"fandango\s*at\s*home", "Fandango at Home"),
    (r"microsoft\s*(store|movies)", "Microsoft Store"),
    (r"sky\s+store", "Sky Store"),
    (r"rakuten", "Rakuten TV"),
    (r"amazon(\s+video)?$|prime\s+video\s+store", "Amazon"),
    (r"\bchili\b", "CHILI"),
)
# Words that make a type-1 note a festival (the note then names the venue).
_FESTIVAL = re.compile(
    r"festival|film\s*fest|filmfest|berlinale|sundance|\btiff\b|sxsw|cannes|venice|venezia|mostra|"
    r"telluride|tribeca|fantasia|karlovy|locarno|rotterdam|\biffr\b|sitges|busan|biennale|"
    r"semaine de la critique|quinzaine|directors' fortnight|critics' week",
    re.IGNORECASE,
)
# A theatrical note that marks a later run rather than a language split.
_RERUN = re.compile(r"re-?release|re-?issue|anniversary|restor|remaster|re-?run|re-?opening", re.IGNORECASE)
# Characters that must never reach a dataset file or a terminal: C0 and C1
# controls, and the bidi controls that reorder what a terminal shows.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def releases_url(tmdb_id: int) -> str:
    """The page a TMDB-made window names as its source; sync owns exactly these windows."""
    return f"{SITE}/movie/{tmdb_id}/releases"


def clean(value: Any, limit: int = _SHORT_TEXT) -> str | None:
    """TEXT from TMDB as a dataset value: one line, no control characters, None if empty or absurd."""
    if not isinstance(value, str):
        return None
    text = " ".join(_UNSAFE.sub(" ", unicodedata.normalize("NFC", value)).split())
    if not text or len(text) > limit:
        return None
    return text


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w+]+", " ", text.casefold()).split())


def _named(note: str, table: Iterable[tuple[str, str]]) -> tuple[str, str | None] | None:
    """(the name, the note) when NOTE names one of TABLE's platforms; the note is None
    when all it says is that name (it is then kept as the platform alone)."""
    folded = note.casefold().strip()
    for pattern, name in table:
        if re.search(pattern, folded):
            whole = re.fullmatch(f"(?:{pattern})", folded) or _fold(note) == _fold(name)
            return name, None if whole else note
    return None


@dataclass(frozen=True)
class Row:
    """One row of TMDB's release_dates, read and checked."""

    region: str
    type: int
    day: PartialDate
    note: str | None
    language: str | None


def release_rows(record: Mapping[str, Any]) -> list[Row]:
    """Every usable row of a movie's release_dates; malformed rows are skipped."""
    rows: list[Row] = []
    results = _get(record, "release_dates", "results")
    for country in results if isinstance(results, list) else []:
        if not isinstance(country, dict) or not isinstance(country.get("iso_3166_1"), str):
            continue
        region, _ = countries.check(country["iso_3166_1"])
        entries = country.get("release_dates")
        if region is None or not isinstance(entries, list):
            continue
        for entry in entries:
            row = _row(region, entry)
            if row is not None:
                rows.append(row)
    return rows


def _row(region: str, entry: Any) -> Row | None:
    if not isinstance(entry, dict):
        return None
    kind_type, stamp = entry.get("type"), entry.get("release_date")
    if type(kind_type) is not int or not 1 <= kind_type <= 6 or not isinstance(stamp, str):
        return None
    try:  # the date as written: never shifted through a time zone
        day = parse_iso(stamp[:10])
    except ValueError:
        return None
    if day is None or not day.is_exact or not 1870 <= day.year <= 2200:
        return None
    language = entry.get("iso_639_1") if isinstance(entry.get("iso_639_1"), str) else None
    return Row(region, kind_type, day, clean(entry.get("note")), language or None)


def classify(row: Row) -> tuple[Kind, str | None, str | None, str | None]:
    """(kind, platform, venue, note) of one row."""
    note = row.note
    if row.type == TYPE_PREMIERE:
        if note and _FESTIVAL.search(note):
            return Kind.FESTIVAL, None, note, None
        return Kind.PREMIERE, None, None, note
    if row.type == TYPE_DIGITAL:
        if note:
            service = _named(note, STREAMING_SERVICES)
            if service:
                return Kind.STREAMING, service[0], None, service[1]
            store = _named(note, VOD_STORES)
            if store:
                return Kind.VOD, store[0], None, store[1]
        return Kind.VOD, None, None, note
    kind = {TYPE_LIMITED: Kind.LIMITED, TYPE_THEATRICAL: Kind.THEATRICAL, TYPE_PHYSICAL: Kind.PHYSICAL,
            TYPE_TV: Kind.TV}[row.type]
    return kind, None, None, note


def windows(record: Mapping[str, Any], today: date) -> list[Release]:
    """A movie's release windows, one per kind, region and platform/venue.

    Rows of one kind in one region that differ only by language (a country
    such as Switzerland listed once per language) become one window, dated by
    the earliest. A row whose note marks a later run ("Re-release", an
    anniversary, a restoration) keeps a window of its own, with an ``id`` so
    that both have their own calendar event. Dates up to TODAY are confirmed,
    later ones announced.
    """
    tmdb_id = record.get("id")
    source = releases_url(tmdb_id) if type(tmdb_id) is int else None
    rows = sorted(release_rows(record), key=lambda r: (r.day.first_day, r.type, r.region, r.note or ""))
    kept: dict[str, Release] = {}
    for row in rows:
        kind, platform, venue, note = classify(row)
        status = Status.CONFIRMED if row.day.first_day <= today else Status.ANNOUNCED
        release = Release(date=row.day, kind=kind, region=row.region, platform=platform, venue=venue,
                          status=status, note=note, source=source)
        if release.identity in kept:
            if not (note and _RERUN.search(note)):
                continue  # the same window again (another language): the earliest date stands
            base = slugify(note)[:40].strip("-") or "rerun"
            window_id, n = f"{base}-{row.region.lower()}", 2
            while window_id in kept:
                window_id, n = f"{base}-{row.region.lower()}-{n}", n + 1
            release = Release(date=row.day, kind=kind, region=row.region, status=status, note=note,
                              source=source, id=window_id)
        kept[release.identity] = release
    return list(kept.values())


def _get(record: Mapping[str, Any], *keys: str) -> Any:
    value: Any = record
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _names(items: Any, keep: Any, limit: int | None = None) -> tuple[str, ...]:
    names: dict[str, None] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and keep(item):
            name = clean(item.get("name"))
            if name:
                names[name] = None
    found = tuple(names)
    return found[:limit] if limit is not None else found


def _order(item: dict[str, Any]) -> int:
    order = item.get("order")
    return order if type(order) is int else 1 << 30


def external_ids(record: Mapping[str, Any]) -> ExternalIds:
    tmdb_id = record.get("id")
    imdb = _get(record, "external_ids", "imdb_id") or record.get("imdb_id")
    wikidata = _get(record, "external_ids", "wikidata_id")

    def ok(name: str, value: Any) -> bool:
        return isinstance(value, str) and bool(ID_PATTERNS[name][0].fullmatch(value))

    return ExternalIds(tmdb=tmdb_id if type(tmdb_id) is int and tmdb_id > 0 else None,
                       imdb=imdb if ok("imdb", imdb) else None,
                       wikidata=wikidata if ok("wikidata", wikidata) else None)


def year_of(record: Mapping[str, Any]) -> int | None:
    stamp = record.get("release_date")
    if isinstance(stamp, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", stamp):
        year = int(stamp[:4])
        return year if 1870 <= year <= 2200 else None
    return None


def title_of(record: Mapping[str, Any]) -> str:
    return clean(record.get("title")) or clean(record.get("original_title")) or f"TMDB {record.get('id')}"


def film_id_for(record: Mapping[str, Any], taken: set[str] | frozenset[str]) -> str:
    """A film id for RECORD that no film in TAKEN has: its title's slug, then with the
    year, then with TMDB's number."""
    base = slugify(title_of(record))[:60].strip("-") or slugify(clean(record.get("original_title")) or "")[:60].strip("-")
    year = year_of(record)
    tries = [base] if base else []
    if base and year:
        tries.append(f"{base}-{year}")
    tries.append(f"{base}-tmdb-{record.get('id')}" if base else f"tmdb-{record.get('id')}")
    for candidate in tries:
        if candidate not in taken:
            return candidate
    n = 2
    while f"{tries[-1]}-{n}" in taken:
        n += 1
    return f"{tries[-1]}-{n}"


def film(record: Mapping[str, Any], film_id: str, today: date) -> Film:
    """The film a movie record describes, with its windows."""
    title = title_of(record)
    original = clean(record.get("original_title"))
    runtime = record.get("runtime")
    crew = _get(record, "credits", "crew")
    cast = _get(record, "credits", "cast")
    genres = record.get("genres")
    made_in = record.get("production_countries")
    codes: dict[str, None] = {}
    for item in made_in if isinstance(made_in, list) else []:
        if isinstance(item, dict) and isinstance(item.get("iso_3166_1"), str):
            code, _ = countries.check(item["iso_3166_1"])
            if code:
                codes[code] = None
    return Film(
        id=film_id,
        title=title,
        original_title=original if original and original != title else None,
        year=year_of(record),
        directors=_names(crew, lambda c: c.get("job") == "Director"),
        writers=_names(crew, lambda c: c.get("department") == "Writing"),
        cast=_names(sorted((c for c in cast if isinstance(c, dict)), key=_order) if isinstance(cast, list) else [],
                    lambda c: True, CAST_SHOWN),
        genres=tuple(dict.fromkeys(g.casefold() for g in (clean(x.get("name")) for x in genres
                                                          if isinstance(x, dict)) if g)) if isinstance(genres, list) else (),
        countries=tuple(codes),
        runtime=runtime if type(runtime) is int and 1 <= runtime <= 10000 else None,
        ids=external_ids(record),
        releases=tuple(windows(record, today)),
    )
