"""Bringing films in from TMDB and keeping them current: ``add``, ``sync``, ``discover``.

The rules of ownership: a window written from TMDB names TMDB's release page
of the film as its ``source``; sync changes only such windows. A moved date
goes to the window's ``history`` (so a subscribed calendar moves its event:
same UID, SEQUENCE + 1), a new TMDB row becomes a new window, and a window
TMDB no longer lists is removed. Windows with any other source are the
user's: never touched, and a TMDB row that looks like one of them (same
kind, region and platform/venue) is left out rather than doubled.

The TMDB client is passed in (``sources.tmdb_client.Tmdb``), so this module
imports no HTTP library itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from . import catalog
from .edits import DatasetFile, EditError
from .errors import DataError, ExportError, Problem, UsageError
from .model import Film, Kind, PartialDate, Release
from .sources import tmdb_mapping

CHANGE_KEYS = ("film_id", "title", "change", "kind", "region", "platform", "venue", "old_date", "new_date")
DISCOVER_KEYS = ("tmdb_id", "title", "original_title", "date", "kind", "region")


@dataclass(frozen=True)
class Change:
    """One thing add or sync did (or, with --dry-run, would do) to a window."""

    film: Film
    change: str  # added, moved, removed, updated
    release: Release
    old_date: PartialDate | None
    new_date: PartialDate | None

    def as_dict(self) -> dict[str, Any]:
        r = self.release
        return {"film_id": self.film.id, "title": self.film.title, "change": self.change, "kind": r.kind.value,
                "region": r.region, "platform": r.platform, "venue": r.venue,
                "old_date": self.old_date.iso() if self.old_date else None,
                "new_date": self.new_date.iso() if self.new_date else None}


@dataclass(frozen=True)
class Found:
    """One release a discovery turned up."""

    tmdb_id: int
    title: str
    original_title: str | None
    release: Release

    def as_dict(self) -> dict[str, Any]:
        return {"tmdb_id": self.tmdb_id, "title": self.title, "original_title": self.original_title,
                "date": self.release.date.iso(), "kind": self.release.kind.value, "region": self.release.region}


@dataclass
class Outcome:
    changes: list[Change] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # one line each; any makes the exit code 1
    notes: list[str] = field(default_factory=list)  # for the person, on stderr
    written: list[Path] = field(default_factory=list)
    films: int = 0  # films looked at


Plan = list[tuple[int | None, Release]]


def reconcile(film: Film, fetched: Iterable[Release], source: str) -> tuple[Plan, list[Change]]:
    """How FILM's windows become what TMDB says (FETCHED), touching only the windows
    whose source is SOURCE. Returns the plan for edits.DatasetFile.set_releases and
    the changes, in the film's window order (new windows last)."""
    theirs = {r.identity for r in film.releases if r.source != source}
    wanted: dict[str, Release] = {}
    for release in fetched:
        if release.identity not in theirs:
            wanted.setdefault(release.identity, release)
    plan: Plan = []
    changes: list[Change] = []
    owned: set[str] = set()
    for i, old in enumerate(film.releases):
        if old.source != source:
            plan.append((i, old))
            continue
        owned.add(old.identity)
        new = wanted.get(old.identity)
        if new is None:
            changes.append(Change(film, "removed", old, old.date, None))
            continue
        kept = old
        if new.date != old.date:
            kept = replace(kept, date=new.date, history=old.history + (old.date,))
            changes.append(Change(film, "moved", kept, old.date, new.date))
        if (new.status, new.note) != (old.status, old.note):
            if kept is old:
                changes.append(Change(film, "updated", new, old.date, new.date))
            kept = replace(kept, status=new.status, note=new.note)
        plan.append((i, kept))
    for identity, new in wanted.items():
        if identity not in owned:
            plan.append((None, new))
            changes.append(Change(film, "added", new, None, new.date))
    return plan, changes


# ---------------------------------------------------------------------------
# Reading what is there

@dataclass
class _Place:
    file: DatasetFile
    index: int

    @property
    def film(self) -> Film:
        return self.file.films[self.index]


def _open_all(files: Iterable[Path]) -> list[DatasetFile]:
    opened: list[DatasetFile] = []
    problems: list[Problem] = []
    for path in files:
        try:
            opened.append(DatasetFile.open(path))
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(problems)
    return opened


def _check_together(files: list[DatasetFile]) -> None:
    """Valid files must also be a valid dataset together (each film id once) before any is changed."""
    seen: dict[str, tuple[Path, tuple[int, int]]] = {}
    problems: list[Problem] = []
    for dataset in files:
        for film, (line, col) in zip(dataset.films, dataset.positions):
            first = seen.setdefault(film.id, (dataset.path, (line, col)))
            if first[0] != dataset.path or first[1] != (line, col):
                problems.append(Problem(str(dataset.path), line, col, f"duplicate film id {film.id!r}: already used "
                                        f"at {first[0]}:{first[1][0]}:{first[1][1]}; give one of them another id"))
    if problems:
        raise DataError(problems)


def _is_shipped(path: Path) -> bool:
    try:
        return path.resolve() == catalog.shipped_dataset().resolve()
    except OSError:
        return False


def _save(files: Iterable[DatasetFile], outcome: Outcome) -> None:
    for dataset in files:
        if not dataset.changed:
            continue
        try:
            dataset.path.parent.mkdir(parents=True, exist_ok=True)
            if dataset.save():
                outcome.written.append(dataset.path)
        except (EditError, ExportError) as exc:
            outcome.failures.append(str(exc))
        except OSError as exc:
            outcome.failures.append(f"cannot write {dataset.path}: {exc.strerror or exc}; nothing was written")


# ---------------------------------------------------------------------------
# sync

def sync(client: Any, paths: list[Path] | None, film_ids: Iterable[str], today: date, *, dry_run: bool = False,
         progress: Callable[[int], Callable[[], None]] | None = None) -> Outcome:
    """Refresh every TMDB-linked film in PATHS (default: the user's folder) from TMDB."""
    outcome = Outcome()
    if not paths:
        folder = catalog.user_films_folder()
        if not folder.is_dir():
            outcome.notes.append(f"Nothing to sync: {folder} does not exist yet ('relcal add' puts films there).")
            return outcome
        paths = [folder]
    problems: list[Problem] = []
    files = catalog.find_files(paths, problems)
    if problems:
        raise DataError(problems)
    everything = _open_all(files)
    _check_together(everything)
    opened = [f for f in everything if not _is_shipped(f.path)]
    if len(opened) != len(everything):
        outcome.notes.append(f"{catalog.display_path(catalog.shipped_dataset())} is the shipped dataset: "
                             "sync reads it but never writes it.")
    writable = [f.path for f in opened]
    places = [_Place(f, i) for f in opened for i, film in enumerate(f.films) if film.ids.tmdb is not None]
    wanted = [x.strip().lower() for x in film_ids]
    if wanted:
        known = {p.film.id for f in opened for p in (_Place(f, i) for i in range(len(f.films)))}
        missing = [w for w in wanted if w not in known]
        if missing:
            raise UsageError(f"--film: no film with id {missing[0]!r} in the files synced")
        places = [p for p in places if p.film.id in wanted]
        unlinked = sorted({w for w in wanted} - {p.film.id for p in places})
        if unlinked:
            raise UsageError(f"--film: {unlinked[0]!r} has no TMDB id (ids: {{tmdb: ...}}), so there is nothing to sync")
    if not places:
        outcome.notes.append("Nothing to sync: no film in " + ", ".join(catalog.display_path(f) for f in writable)
                             + " has a TMDB id (ids: {tmdb: ...}).")
        return outcome
    outcome.films = len(places)
    ids = [p.film.ids.tmdb for p in places]
    done = progress(len(set(ids))) if progress else None
    files = list(dict.fromkeys(p.file for p in places))
    results: dict[int, Any] = {}
    finished: dict[int, Outcome] = {}  # per file, merged in file order at the end

    def finish(key: int) -> None:
        """Reconcile one file's films and write it: run as soon as its last film has
        arrived, while the requests for the others are still under way."""
        dataset, part = files[key], Outcome()
        for place in (p for p in places if p.file is dataset):
            film, tmdb_id = place.film, place.film.ids.tmdb
            assert tmdb_id is not None
            record = results[tmdb_id]
            if isinstance(record, Exception):
                part.failures.append(f"{film.id}: {record}")
                continue
            plan, changes = reconcile(film, tmdb_mapping.windows(record, today), tmdb_mapping.releases_url(tmdb_id))
            if changes:
                place.file.set_releases(place.index, plan)
                part.changes.extend(changes)
        if not dry_run:
            _save([dataset], part)
        finished[key] = part

    client.run(lambda: _pipelined(client, ids, done, results, files, places, finish))
    for key in range(len(files)):
        part = finished[key]
        outcome.changes.extend(part.changes)
        outcome.failures.extend(part.failures)
        outcome.written.extend(part.written)
    return outcome


async def _pipelined(client: Any, ids: list[Any], done: Callable[[], None] | None, results: dict[int, Any],
                     files: list[DatasetFile], places: list[_Place], finish: Callable[[int], None]) -> None:
    """Fetch IDS; as each file's last film arrives, FINISH it on a worker thread (one at
    a time), so that writing files overlaps the wait for TMDB instead of following it."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    waiting = {key: {p.film.ids.tmdb for p in places if p.file is dataset} for key, dataset in enumerate(files)}
    loop = asyncio.get_running_loop()
    jobs: list[Any] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="relcal-write") as worker:
        def arrived(tmdb_id: int, result: Any) -> None:
            results[tmdb_id] = result
            for key, left in waiting.items():
                if tmdb_id in left:
                    left.discard(tmdb_id)
                    if not left:
                        jobs.append(loop.run_in_executor(worker, finish, key))

        try:
            await client.movies(ids, done, arrived=arrived)
        finally:
            await asyncio.gather(*jobs, return_exceptions=True)
        for job in jobs:
            job.result()  # a bug in finishing a file is not swallowed


# ---------------------------------------------------------------------------
# add

def parse_items(items: Iterable[str]) -> list[int | str]:
    """'tmdb:603' -> 603; anything else is a title to search for (a bare '1917' is a title)."""
    parsed: list[int | str] = []
    for item in items:
        text = item.strip()
        if text.lower().startswith("tmdb:"):
            number = text[5:].strip()
            if not (number.isascii() and number.isdigit()) or int(number) < 1:
                raise UsageError(f"{item!r} is not a TMDB id; write tmdb:ID with TMDB's number, e.g. tmdb:603")
            parsed.append(int(number))
        elif text:
            parsed.append(text)
        else:
            raise UsageError("an empty title; give tmdb:ID or a film's title")
    return parsed


class Ambiguous(UsageError):
    """A title that matches several films on TMDB."""

    def __init__(self, title: str, candidates: list[dict[str, Any]]):
        self.title = title
        self.candidates = candidates
        lines = [f"{title!r} matches {len(candidates)} films on TMDB; add one by its id (or narrow with --year):"]
        lines.extend(f"  {line}" for line in candidate_lines(candidates))
        super().__init__("\n".join(lines))


def candidate_lines(candidates: list[dict[str, Any]]) -> list[str]:
    rows = [(f"tmdb:{c['id']}", tmdb_mapping.title_of(c), str(tmdb_mapping.year_of(c) or "")) for c in candidates]
    width = max((len(r[0]) for r in rows), default=0)
    return [f"{tid.ljust(width)}  {title}" + (f" ({year})" if year else "") for tid, title, year in rows]


def choose(title: str, results: list[dict[str, Any]], year: int | None) -> int | list[dict[str, Any]]:
    """The one clear match of a title search (its TMDB id), or the candidates.

    Clear: the only result, or the only one whose title or original title is
    the text searched for (ignoring case and accents) and, with --year, of that year.
    """
    from .query import fold

    if year is not None:
        results = [r for r in results if tmdb_mapping.year_of(r) in (year, None)] or results
    if len(results) == 1:
        return int(results[0]["id"])
    wanted = fold(title.strip())
    exact = [r for r in results
             if wanted in (fold(tmdb_mapping.clean(r.get("title")) or ""), fold(tmdb_mapping.clean(r.get("original_title")) or ""))]
    if len(exact) == 1:
        return int(exact[0]["id"])
    return (exact or results)[:10]


def resolve(client: Any, items: list[int | str], year: int | None,
            pick: Callable[[str, list[dict[str, Any]]], int | None] | None = None) -> list[int]:
    """TMDB ids for what the user named: ids as they are, titles searched."""
    titles = [t for t in items if isinstance(t, str)]
    found: dict[str, list[dict[str, Any]]] = {}
    if titles:
        async def search_all() -> None:
            import asyncio

            results = await asyncio.gather(*(client.search(t, year) for t in titles))
            found.update(zip(titles, results))

        client.run(search_all)
    ids: list[int] = []
    for item in items:
        if isinstance(item, int):
            ids.append(item)
            continue
        results = found[item]
        if not results:
            raise UsageError(f"no film on TMDB matches {item!r}" + (f" in {year}" if year else "")
                             + "; check the spelling, or add it by id: tmdb:ID")
        chosen = choose(item, results, year)
        if isinstance(chosen, list):
            picked = pick(item, chosen) if pick is not None else None
            if picked is None:
                raise Ambiguous(item, chosen)
            chosen = picked
        ids.append(chosen)
    return list(dict.fromkeys(ids))


def target_of(to: Path | None) -> tuple[Path, bool]:
    """Where added films go, and whether that is a folder (one file per film)."""
    path = to if to is not None else catalog.user_films_folder()
    if path.is_dir():
        return path, True
    if path.exists():
        return path, False
    return path, path.suffix.lower() not in (".yaml", ".yml")


def add(client: Any, ids: list[int], to: Path | None, today: date, *, data: list[Path] | None = None,
        records: dict[int, Any] | None = None, progress: Callable[[int], Callable[[], None]] | None = None) -> Outcome:
    """Bring the films with these TMDB ids into TO (default: the user's folder).

    A film already in TO (same ids.tmdb) is updated as sync would update it;
    one that the other data already holds is left there. RECORDS, when given,
    are TMDB records already fetched (discover --add).
    """
    outcome = Outcome()
    target, is_folder = target_of(to)
    if _is_shipped(target):
        raise UsageError(f"--to {catalog.display_path(target)} is the shipped dataset, which relcal never writes; "
                         "add films to a file or folder of your own")
    existing: list[Path] = []
    if target.is_file() and target.stat().st_size == 0:
        pass  # an empty file (just touched): written as a new dataset
    elif target.exists():
        problems: list[Problem] = []
        existing = catalog.find_files([target], problems)
        if problems and existing:
            raise DataError(problems)
    read_problems: list[Problem] = []
    read_files = catalog.find_files(list(dict.fromkeys([*(data or catalog.default_paths()), *existing])),
                                    read_problems)
    if read_problems:
        raise DataError(read_problems)
    everything = _open_all(read_files)
    _check_together(everything)
    target_files = {p.resolve() for p in existing}
    opened = [f for f in everything if f.path.resolve() in target_files]
    in_target = {film.ids.tmdb: _Place(f, i) for f in opened for i, film in enumerate(f.films) if film.ids.tmdb}
    taken = {film.id for f in everything for film in f.films}
    elsewhere: dict[int, tuple[str, Path]] = {}
    for dataset in everything:
        if dataset not in opened:
            for film in dataset.films:
                if film.ids.tmdb is not None:
                    elsewhere.setdefault(film.ids.tmdb, (film.id, dataset.path))

    fetch = [i for i in ids if records is None or i not in records]
    fetched: dict[int, Any] = dict(records or {})
    if fetch:
        done = progress(len(fetch)) if progress else None
        fetched.update(client.run(lambda: client.movies(fetch, done)))
    outcome.films = len(ids)
    single: DatasetFile | None = None
    if not is_folder:
        single = opened[0] if opened else DatasetFile.create(target)
    created: list[DatasetFile] = []
    for tmdb_id in ids:
        record = fetched[tmdb_id]
        if isinstance(record, Exception):
            outcome.failures.append(f"tmdb:{tmdb_id}: {record}" if not str(record).startswith("tmdb:") else str(record))
            continue
        place = in_target.get(tmdb_id)
        if place is not None:
            film = place.film
            plan, changes = reconcile(film, tmdb_mapping.windows(record, today), tmdb_mapping.releases_url(tmdb_id))
            if changes:
                place.file.set_releases(place.index, plan)
                outcome.changes.extend(changes)
            outcome.notes.append(f"{film.id} (tmdb:{tmdb_id}) is already in {catalog.display_path(place.file.path)}: "
                                 + (f"{len(changes)} change{'s' * (len(changes) != 1)}" if changes else "up to date"))
            continue
        if tmdb_id in elsewhere:
            film_id, path = elsewhere[tmdb_id]
            outcome.notes.append(f"tmdb:{tmdb_id} is already in {catalog.display_path(path)} as {film_id!r}; not added again")
            continue
        film = tmdb_mapping.film(record, tmdb_mapping.film_id_for(record, taken), today)
        taken.add(film.id)
        if single is not None:
            dataset = single
        else:
            path = target / f"{film.id}.yaml"
            n = 2
            while path.exists():
                path, n = target / f"{film.id}-{n}.yaml", n + 1
            dataset = DatasetFile.create(path)
            created.append(dataset)
        dataset.append(film)
        in_target[tmdb_id] = _Place(dataset, len(dataset.films) - 1)
        outcome.changes.extend(Change(film, "added", r, None, r.date) for r in film.releases)
        outcome.notes.append(f"added {film.id} (tmdb:{tmdb_id}) to {catalog.display_path(dataset.path)}: "
                             f"{len(film.releases)} window{'s' * (len(film.releases) != 1)}")
    _save([*opened, *([single] if single is not None and not opened else []), *created], outcome)
    return outcome


# ---------------------------------------------------------------------------
# discover

def kinds_to_types(kinds: Iterable[Kind]) -> list[int]:
    kinds = list(kinds)
    types = sorted({tmdb_mapping.KIND_TYPES[k] for k in kinds if k in tmdb_mapping.KIND_TYPES})
    if kinds and not types:
        raise UsageError("--kind: TMDB has no virtual-cinema release type; ask for theatrical, limited, vod, "
                         "streaming, premiere, festival, physical or tv")
    return types


def discover(client: Any, region: str, start: date, end: date, kinds: Iterable[Kind], today: date,
             progress: Callable[[int], Callable[[], None]] | None = None) -> tuple[list[Found], dict[int, Any], list[str]]:
    """Releases in REGION between START and END (of KINDS, default all) that TMDB lists:
    the rows, the records fetched (for --add) and the failures."""
    kinds = list(dict.fromkeys(kinds))
    types = kinds_to_types(kinds)

    async def work() -> dict[int, Any]:
        listed = await client.discover(region, start, end, types)
        done = progress(len(listed)) if progress else None
        return await client.movies([r["id"] for r in listed], done)

    records = client.run(work)
    found: list[Found] = []
    failures: list[str] = []
    for tmdb_id, record in records.items():
        if isinstance(record, Exception):
            failures.append(str(record))
            continue
        title = tmdb_mapping.title_of(record)
        original = tmdb_mapping.clean(record.get("original_title"))
        for release in tmdb_mapping.windows(record, today):
            if release.region != region or not start <= release.date.first_day <= end:
                continue
            if kinds and release.kind not in kinds:
                continue
            found.append(Found(tmdb_id, title, original if original != title else None, release))
    found.sort(key=lambda f: (f.release.date.first_day, f.release.kind.order, f.title.casefold(), f.tmdb_id))
    kept = {f.tmdb_id for f in found}
    return found, {i: r for i, r in records.items() if i in kept}, failures
