"""Find dataset files, load them (from the parse cache when it is up to date)
and put them together into one validated Catalog.

Parsing and validating YAML is parse.py's work (the cold path); keeping a
validated copy of each file is cache.py's. A Catalog reads cached films
lazily: a query over a date range only ever builds the films that have a
window in the range.
"""

from __future__ import annotations

import errno
import os
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path

from .errors import DataError, Problem
from .index import FilmIndex
from .model import Film

PathLike = str | os.PathLike[str]


def shipped_dataset() -> Path:
    """data/films.yaml: inside the installed package, or at the top of a source checkout."""
    packaged = Path(__file__).with_name("data") / "films.yaml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "data" / "films.yaml"


def user_films_folder() -> Path:
    """The user's own dataset folder: read with the shipped data when --data is not
    given, and where 'relcal add' puts films by default."""
    home = os.environ.get("RELCAL_HOME")
    if home:
        return Path(home) / "films"
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return base / "relcal" / "films"


def default_paths() -> list[Path]:
    """What is read when no --data is given: the shipped dataset, and the user's
    folder when it exists."""
    folder = user_films_folder()
    return [shipped_dataset(), folder] if folder.is_dir() else [shipped_dataset()]


# --------------------------------------------------------------------------
# Sources: the films of one file, parsed now or read from the cache

class _Parsed(FilmIndex):
    def __init__(self, films: list[Film], positions: list[tuple[int, int]]):
        index = FilmIndex.of(films, positions)
        super().__init__(index.ids, index.lines, index.cols, index.starts, index.days, index.by_day,
                         index.by_day_film)
        self.films = films

    def film(self, i: int) -> Film:
        return self.films[i]


class _Cached(FilmIndex):
    """A cache entry; if a cached film cannot be read back, the file is parsed again."""

    def __init__(self, path: Path, entry: FilmIndex):
        super().__init__(entry.ids, entry.lines, entry.cols, entry.starts, entry.days, entry.by_day,
                         entry.by_day_film)
        self.path = path
        self.entry = entry
        self._reparsed: _Parsed | None = None

    def film(self, i: int) -> Film:
        if self._reparsed is None:
            try:
                return self.entry.film(i)
            except (ValueError, TypeError, KeyError, IndexError, AttributeError):
                self._reparsed = _parse_again(self.path)
        return self._reparsed.film(i)


def _parse_again(path: Path) -> _Parsed:
    from .parse import load_file

    loaded = load_file(path)
    if loaded.problems:
        raise DataError(loaded.problems)
    return _Parsed(loaded.films, loaded.positions)


# --------------------------------------------------------------------------
# The catalog

class Catalog:
    """The films of every dataset file, in file order, each id once.

    Films are built when first asked for: a query over a date range builds
    only the films with a window in it (found through each file's index).
    """

    def __init__(self, films: Iterable[Film] = (), files: Iterable[Path] = ()):
        films = list(films)
        self.files = tuple(files)
        # One part per file: (source, file name, first catalog index, the source
        # indexes kept in order, or None when all were kept, as usual).
        self._parts: list[tuple[FilmIndex, str, int, list[int] | None]] = []
        self._bases: list[int] = []
        self._size = 0
        self._ids: dict[str, int] | None = {}  # id -> catalog index; None until first needed
        self._built: dict[int, Film] = {}
        self._all: tuple[Film, ...] | None = None
        if films:
            self._add(_Parsed(films, [(0, 0)] * len(films)), None, "")

    @property
    def _by_id(self) -> dict[str, int]:
        if self._ids is None:
            self._ids = {}
            for source, _, base, kept in self._parts:
                ids = source.ids
                self._ids.update(zip(ids if kept is None else (ids[i] for i in kept), range(base, base + self._count(source, kept))))
        return self._ids

    @staticmethod
    def _count(source: FilmIndex, kept: list[int] | None) -> int:
        return len(source.ids) if kept is None else len(kept)

    def _add(self, source: FilmIndex, problems: list[Problem] | None, file: str) -> None:
        ids = source.ids
        base = self._size
        if not self._parts and len(set(ids)) == len(ids):
            # The first file, and its ids are distinct: the id map waits until asked for.
            self._ids = None
            kept = None
        elif len(set(ids)) == len(ids) and self._by_id.keys().isdisjoint(ids):
            self._by_id.update(zip(ids, range(base, base + len(ids))))
            kept = None
        else:  # duplicates: keep each id's first film, report the others
            by_id = self._by_id
            kept = []
            self._parts.append((source, file, base, kept))  # first, so that _place finds earlier films here
            self._bases.append(base)
            for i, film_id in enumerate(ids):
                first = by_id.get(film_id)
                if first is not None:
                    if problems is not None:
                        line, col = source.position(i)
                        problems.append(Problem(file, line, col, f"duplicate film id {film_id!r}: already used at "
                                                f"{self._place(first, file)}; give one of them another id"))
                    continue
                by_id[film_id] = base + len(kept)
                kept.append(i)
            self._size += len(kept)
            return
        self._parts.append((source, file, base, kept))
        self._bases.append(base)
        self._size += self._count(source, kept)

    def _locate(self, k: int) -> tuple[FilmIndex, str, int]:
        source, file, base, kept = self._parts[bisect_right(self._bases, k) - 1]
        return source, file, (k - base if kept is None else kept[k - base])

    def _place(self, k: int, current_file: str) -> str:
        source, file, i = self._locate(k)
        line, col = source.position(i)
        return f"line {line}:{col}" if file == current_file else f"{file}:{line}:{col}"

    def _film_at(self, k: int) -> Film:
        film = self._built.get(k)
        if film is None:
            source, _, i = self._locate(k)
            film = self._built[k] = source.film(i)
        return film

    @property
    def films(self) -> tuple[Film, ...]:
        if self._all is None:
            self._all = tuple(self._film_at(k) for k in range(self._size))
        return self._all

    def film(self, film_id: str) -> Film | None:
        k = self._by_id.get(film_id)
        return None if k is None else self._film_at(k)

    def ids(self) -> list[str]:
        return list(self._by_id)

    def films_between(self, start: date | None, end: date | None) -> list[Film]:
        """The films with a window whose first day is in [start, end] (either end
        open), in catalog order, without building any other film."""
        low = start.toordinal() if start else 0
        high = end.toordinal() if end else 1 << 30
        found: list[int] = []
        for source, _, base, kept in self._parts:
            hits = source.between(low, high)
            if kept is None:
                found.extend(base + i for i in hits)
            else:
                position = {i: base + n for n, i in enumerate(kept)}
                found.extend(position[i] for i in hits if i in position)
        return [self._film_at(k) for k in sorted(found)]

    def __len__(self) -> int:
        return self._size

    @property
    def window_count(self) -> int:
        total = 0
        for source, _, _, kept in self._parts:
            total += len(source.days) if kept is None else sum(source.window_count(i) for i in kept)
        return total


# --------------------------------------------------------------------------
# Loading

def load_catalog(paths: Iterable[PathLike] | None = None, *, use_cache: bool = True,
                 progress: Callable[..., None] | None = None) -> Catalog:
    """Load and validate the dataset at PATHS (files or folders; default: the shipped one).

    Raises DataError with every problem found. PROGRESS, if given, is called
    with files=, files_total= and windows= as the work goes.
    """
    catalog, problems = check(paths, use_cache=use_cache, progress=progress)
    if problems:
        raise DataError(problems)
    return catalog


def check(paths: Iterable[PathLike] | None = None, *, use_cache: bool = False,
          progress: Callable[..., None] | None = None) -> tuple[Catalog, list[Problem]]:
    """Load what can be loaded and list every problem (``relcal validate``).

    Without use_cache every file is parsed: validation never trusts a cache.
    """
    problems: list[Problem] = []
    files = find_files(paths, problems)
    catalog = Catalog(files=files)
    windows = 0
    for done, path in enumerate(files, 1):
        def report(more: int, base: int = windows) -> None:
            if progress is not None:
                progress(windows=base + more)

        source = _load_source(path, problems, use_cache, report if progress else None)
        if source is not None:
            catalog._add(source, problems, str(path))
            windows += len(source.days)
        if progress is not None:
            progress(files=done, files_total=len(files), windows=windows)
    return catalog, sorted(problems)


def _load_source(path: Path, problems: list[Problem], use_cache: bool,
                 progress: Callable[[int], None] | None = None) -> FilmIndex | None:
    from . import cache

    try:
        stat = path.stat()
    except OSError as exc:
        problems.append(Problem(str(path), 0, 0, f"cannot read: {exc.strerror or exc}"))
        return None
    if use_cache:
        entry = cache.read(path, stat)
        if entry is not None:
            return _Cached(path, entry)
    from .parse import load_file

    loaded = load_file(path, progress)
    if loaded.problems:
        problems.extend(loaded.problems)
        return None
    source = _Parsed(loaded.films, loaded.positions)
    if use_cache and loaded.digest is not None:
        cache.write(path, stat, loaded.digest, loaded.films, source)
    return source


# --------------------------------------------------------------------------
# Finding files

def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def find_files(paths: Iterable[PathLike] | None, problems: list[Problem]) -> list[Path]:
    """Files named, and every *.yaml/*.yml under folders named (sorted, hidden ones skipped).

    Without PATHS: the default set (see default_paths); the user's folder may be empty.
    """
    given = [Path(p) for p in paths] if paths else default_paths()
    may_be_empty = set() if paths else {user_films_folder()}
    found: list[Path] = []
    for path in given:
        shown = str(path)
        try:
            path.stat()
        except FileNotFoundError:
            if path.is_symlink():
                problems.append(Problem(shown, 0, 0, "is a symbolic link to nothing; fix or remove the link"))
            else:
                problems.append(Problem(shown, 0, 0, "no such file or folder; check the --data path "
                                        "(or RELCAL_DATA)"))
            continue
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                problems.append(Problem(shown, 0, 0, "symbolic links form a loop; point the link at a real file"))
            else:
                problems.append(Problem(shown, 0, 0, f"cannot open: {exc.strerror or exc}"))
            continue
        try:
            if path.is_dir():
                inside = sorted(_walk_yaml(path))
                if not inside and path not in may_be_empty:
                    problems.append(Problem(shown, 0, 0, "folder has no *.yaml or *.yml files; "
                                            "point --data at a dataset file or a folder of them"))
                found.extend(inside)
            else:
                found.append(path)
        except OSError as exc:
            problems.append(Problem(shown, 0, 0, f"cannot open: {exc.strerror or exc}"))
    unique: list[Path] = []
    seen: set[Path] = set()
    for path in found:  # the same file named twice is loaded once
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def _walk_yaml(folder: Path) -> Iterator[Path]:
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if name.endswith((".yaml", ".yml")) and not name.startswith("."):
                yield Path(root) / name
