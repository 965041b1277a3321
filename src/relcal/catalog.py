"""Find dataset files, load them (from the parse cache when it is up to date)
and put them together into one validated Catalog.

Each --data path (a file, or a folder and every *.yaml/*.yml file below it)
is one source: one index of all its films, one cache entry. A warm run over a
folder is one directory scan with a stat per file and one cache read; only
the files that changed are read and parsed again. Parsing and validating YAML
is parse.py's work (the cold path); keeping a validated copy is cache.py's.
A Catalog reads cached films lazily: a query over a date range only ever
builds the films that have a window in the range.

Files are read here, never more than parse.MAX_FILE_BYTES + 1 bytes, and each
at most once a run. Anything that is not a regular file (a FIFO, ``<(...)``,
/dev/stdin, a device) is read once, parsed and never cached.
"""

from __future__ import annotations

import errno
import os
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from operator import attrgetter
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import TYPE_CHECKING, Any

from .errors import DataError, Problem, UsageError
from .index import FilmIndex
from .model import Film

if TYPE_CHECKING:
    from .cache import Entry, Key

PathLike = str | bytes | os.PathLike[str]
EMPTY_PATH = "an empty path in --data or RELCAL_DATA (a stray ':'?); remove it"
LOOP = "symbolic links form a loop; point the link at a real file"
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1 << 20  # bytes read at a time from a stream
_CAUGHT = (ValueError, TypeError, LookupError, AttributeError, RecursionError, OverflowError)  # a bad cached film


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
# Finding files

def _join(shown: str, name: str) -> str:
    """The path of NAME below SHOWN, as a Path would print it ("" is SHOWN itself)."""
    if not name:
        return shown
    return name if shown == "." else os.path.join(shown, name)


class _Root:
    """One --data path as found: a file, the files below a folder, or a stream."""

    __slots__ = ("shown", "stream", "names", "keys")

    def __init__(self, shown: str, stream: bool = False):
        self.shown = shown  # the path as given (as a Path would print it)
        self.stream = stream  # neither a regular file nor a folder: read once, never cached
        self.names: list[str] = []  # each file's path below the folder; "" when the path is the file
        self.keys: list[Key] = []  # each file's cache.stat_key when it was found

    def file(self, k: int) -> str:
        """File k's path, to open and to show (relative to the working folder if the root is)."""
        return _join(self.shown, self.names[k])


def _is_yaml(name: str) -> bool:
    return name.lower().endswith((".yaml", ".yml"))


_NAME = attrgetter("name")


def _given(paths: Iterable[PathLike]) -> list[str]:
    given = []
    for path in paths:
        text = os.fsdecode(os.fspath(path))
        if not text:  # never "." (which is what Path("") means)
            raise UsageError(EMPTY_PATH)
        given.append(str(Path(text)))
    return given


def _roots(paths: Iterable[PathLike] | None, problems: list[Problem]) -> list[_Root]:
    """Every path given (default: default_paths()), with the files to read in each, each file once."""
    from .cache import stat_key

    given = _given(paths) if paths else [str(p) for p in default_paths()]
    may_be_empty = set() if paths else {str(user_films_folder())}
    seen: set[tuple[int, int]] = set()  # (device, inode) of every file taken: one named twice is read once
    roots: list[_Root] = []
    for shown in given:
        try:
            st = os.stat(shown)
        except OSError as exc:
            problems.append(_unreachable(shown, exc, named=True))
            continue
        if S_ISDIR(st.st_mode):
            root = _Root(shown)
            before = len(problems)
            _scan(root, shown, "", frozenset({(st.st_dev, st.st_ino)}), seen, problems)
            if not root.names and len(problems) == before and shown not in may_be_empty:
                problems.append(Problem(shown, 0, 0, "folder has no *.yaml or *.yml files; "
                                        "point --data at a dataset file or a folder of them"))
        else:
            root = _Root(shown, stream=not S_ISREG(st.st_mode))
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            root.names.append("")
            root.keys.append(stat_key(st))
        if root.names:
            roots.append(root)
    return roots


def _unreachable(shown: str, exc: OSError, named: bool) -> Problem:
    if exc.errno == errno.ELOOP:
        return Problem(shown, 0, 0, LOOP)
    if exc.errno == errno.ENOENT:
        if os.path.islink(shown):
            return Problem(shown, 0, 0, "is a symbolic link to nothing; fix or remove the link")
        if named:
            return Problem(shown, 0, 0, "no such file or folder; check the --data path (or RELCAL_DATA)")
    return Problem(shown, 0, 0, f"cannot open: {exc.strerror or exc}")


def _scan(root: _Root, folder: str, prefix: str, ancestors: frozenset[tuple[int, int]],
          seen: set[tuple[int, int]], problems: list[Problem]) -> None:
    """Add the *.yaml/*.yml files below FOLDER (any case; hidden ones skipped) to ROOT, sorted
    as paths sort; symbolic links are followed, and a loop is a problem, not a hang."""
    from .cache import stat_key

    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=_NAME)
    except OSError as exc:
        problems.append(Problem(_join(root.shown, prefix.rstrip("/")), 0, 0, f"cannot open: {exc.strerror or exc}"))
        return
    names, keys = root.names, root.keys  # (one stat a file; the rest of this loop is kept lean)
    for entry in entries:
        name = entry.name
        if name[0] == ".":
            continue
        rel = prefix + name
        try:
            st = entry.stat()
        except OSError as exc:
            if exc.errno == errno.ELOOP or _is_yaml(name):
                problems.append(_unreachable(_join(root.shown, rel), exc, named=False))
            continue
        if S_ISDIR(st.st_mode):
            here = (st.st_dev, st.st_ino)
            if here in ancestors:
                problems.append(Problem(_join(root.shown, rel), 0, 0, "symbolic links form a loop (this folder is inside "
                                        "itself); remove the link"))
            else:
                _scan(root, entry.path, rel + "/", ancestors | {here}, seen, problems)
        elif _is_yaml(name):
            if not S_ISREG(st.st_mode):
                problems.append(Problem(_join(root.shown, rel), 0, 0, "is not a regular file; a folder's *.yaml files "
                                        "are read only when they are files (give a stream as --data on its own)"))
                continue
            here = (st.st_dev, st.st_ino)
            if here in seen:
                continue
            seen.add(here)
            names.append(rel)
            keys.append(stat_key(st))


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def find_files(paths: Iterable[PathLike] | None, problems: list[Problem]) -> list[Path]:
    """Files named, and every *.yaml/*.yml (any case) below folders named (sorted, hidden ones
    skipped, symbolic links followed, each file once).

    Without PATHS: the default set (see default_paths); the user's folder may be empty.
    An empty path is a UsageError (it would otherwise mean the working folder)."""
    return [Path(root.file(k)) for root in _roots(paths, problems) for k in range(len(root.names))]


def file_keys(paths: Iterable[PathLike] | None = None) -> tuple[tuple[tuple[str, Key], ...], tuple[Problem, ...]]:
    """Every file load_catalog(PATHS) would read, with its stat key (size, mtime, ctime, inode,
    device), and the problems finding them: one folder scan and a stat a file, no reading. Two
    equal answers mean the dataset did not change between them (``relcal serve`` asks per request)."""
    problems: list[Problem] = []
    found = tuple((root.file(k), key) for root in _roots(paths, problems) for k, key in enumerate(root.keys))
    return found, tuple(problems)


def describe_files(files: Sequence[PathLike]) -> str:
    """The files read, in one short line, however many there are.

    Up to 3 files: their paths, joined by ", ". More: grouped by folder (a folder's
    subfolders count as it), each group as "N files in FOLDER/" (or the path of its one
    file), up to 3 groups joined by ", " and " and "; more groups than that: "N files in
    K folders". Counts have thousands separators; paths are shown as display_path does.
    """
    if not files:
        return "no files"
    shown = [os.fsdecode(os.fspath(f)) for f in files]
    if len(shown) <= 3:
        return ", ".join(display_path(Path(p)) for p in shown)
    counts: dict[str, int] = {}
    first: dict[str, int] = {}  # folder -> its first file's place in FILES
    for n, path in enumerate(shown):
        folder = os.path.dirname(os.path.abspath(path))
        counts[folder] = counts.get(folder, 0) + 1
        first.setdefault(folder, n)
    groups: dict[str, list[int]] = {}  # outermost folder -> [file count, its first file's place]
    for folder in sorted(counts, key=lambda f: f.count(os.sep)):
        top, up = folder, folder
        while True:
            if up in groups:
                top = up
                break
            parent = os.path.dirname(up)
            if parent == up:
                break
            up = parent
        group = groups.setdefault(top, [0, first[folder]])
        group[0] += counts[folder]
        group[1] = min(group[1], first[folder])
    order = sorted(groups, key=lambda g: groups[g][1])
    if len(order) > 3:
        return f"{len(shown):,} files in {len(order):,} folders"
    parts = []
    for folder in order:
        count, one = groups[folder]
        if count == 1:
            parts.append(display_path(Path(shown[one])))
        else:
            where = display_path(Path(folder))
            parts.append(f"{count:,} files in {'.' if where == '.' else where.rstrip(os.sep)}{os.sep}")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# --------------------------------------------------------------------------
# Reading and parsing one file

def _read(path: str, problems: list[Problem]) -> tuple[bytes, Key] | None:
    """A file's bytes (at most MAX_FILE_BYTES of them) and its key as opened; None and a problem if not."""
    from .cache import stat_key
    from .parse import MAX_FILE_BYTES

    limit = MAX_FILE_BYTES
    try:
        fd = os.open(path, os.O_RDONLY | _CLOEXEC)
    except OSError as exc:
        problems.append(Problem(path, 0, 0, f"cannot read: {exc.strerror or exc}"))
        return None
    try:
        st = os.fstat(fd)
        regular = S_ISREG(st.st_mode)
        if regular and st.st_size > limit:
            problems.append(_too_big(path, f"{st.st_size / 1024 / 1024:,.0f} MB", limit))
            return None
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            # a regular file in one read (and one more only if it grew); anything else a chunk at a time
            want = st.st_size + 1 if regular and not chunks else _CHUNK
            chunk = os.read(fd, min(want, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if regular and total == st.st_size and len(chunks) == 1:
                break  # all of it, as fstat said (a file that grows meanwhile is read again next time)
        if total > limit:
            problems.append(_too_big(path, f"over {limit // 1024 // 1024} MB", limit))
            return None
        return (chunks[0] if len(chunks) == 1 else b"".join(chunks)), stat_key(st)
    except OSError as exc:
        problems.append(Problem(path, 0, 0, f"cannot read: {exc.strerror or exc}"))
        return None
    finally:
        os.close(fd)


def _too_big(path: str, size: str, limit: int) -> Problem:
    return Problem(path, 0, 0, f"file is {size}; relcal reads dataset files of up to {limit // 1024 // 1024} MB: "
                   "split it into several files in one folder and pass the folder")


def _parse(raw: bytes, path: str, problems: list[Problem], progress: Callable[[int], None] | None = None
           ) -> tuple[list[Film], list[tuple[int, int]], bytes | None] | None:
    """The films of a file, their ids' positions, and the SHA-256 of RAW if the parser gave it."""
    from . import parse

    loaded = parse.load_bytes(raw, path, progress)
    if loaded.problems:
        problems.extend(loaded.problems)
        return None
    digest = loaded.digest
    if type(digest) is str and len(digest) == 2 * 32:  # hex, as parse.py reports it
        try:
            return loaded.films, loaded.positions, bytes.fromhex(digest)
        except ValueError:
            pass
    return loaded.films, loaded.positions, None


# --------------------------------------------------------------------------
# Sources: the films of one --data path, parsed now or read from the cache

class _Source(FilmIndex):
    """One --data path's films: one index of all of them, each film built when first asked for,
    from its file's parsed films or from the cache entry (or, if that cannot be read back,
    from the file parsed again)."""

    def __init__(self, index: FilmIndex, shown: str, names: list[str], parsed: dict[int, Sequence[Film]],
                 entry: Entry | None = None, entry_files: list[int] | None = None, heal: Any = None):
        super().__init__(index.ids, index.lines, index.cols, index.starts, index.days, index.by_day,
                         index.by_day_film, index.first_film)
        self.shown = shown
        self.names = names  # each file's path below the root ("" for the root itself)
        self._parsed = parsed  # file number -> its films, for files parsed this run
        self._entry = entry
        self._entry_files = entry_files  # file number -> the entry's, when they differ
        self._heal = heal  # rewrites the entry once a file of it has been parsed again

    @classmethod
    def of_films(cls, films: Sequence[Film]) -> _Source:
        return cls(FilmIndex.of(films, [(0, 0)] * len(films)), "", [""], {0: films})

    def file_name(self, i: int) -> str:
        """The path of the file film i comes from, as shown in messages."""
        return self._path(self.file_of(i))

    def _path(self, k: int) -> str:
        return _join(self.shown, self.names[k])

    def film(self, i: int) -> Film:
        k = self.file_of(i)
        local = i - self.first_film[k]
        films = self._parsed.get(k)
        if films is None:
            assert self._entry is not None
            j = k if self._entry_files is None else self._entry_files[k]
            try:
                return self._entry.film(self._entry.first_film[j] + local)
            except _CAUGHT:  # damaged, or not of the shape relcal writes: a miss, never an error
                films = self._parse_again(k)
        return films[local]

    def _parse_again(self, k: int) -> Sequence[Film]:
        path = self._path(k)
        problems: list[Problem] = []
        read = _read(path, problems)
        parsed = _parse(read[0], path, problems) if read else None
        if parsed is None:
            raise DataError(problems)
        films = parsed[0]
        if [f.id for f in films] != self.ids[self.first_film[k]:self.first_film[k + 1]]:
            raise DataError([Problem(path, 0, 0, "changed while relcal was reading it; run the command again")])
        self._parsed[k] = films
        if self._heal is not None:
            self._heal(self, k, read[1], read[0])  # type: ignore[index]
        return films


# --------------------------------------------------------------------------
# The catalog

class Catalog:
    """The films of every dataset file, in file order, each id once.

    Films are built when first asked for: a query over a date range builds
    only the films with a window in it (found through each source's index).
    """

    def __init__(self, films: Iterable[Film] = (), files: Iterable[Path] = ()):
        films = list(films)
        self._files: tuple[Path, ...] | None = tuple(files)
        self._roots: list[_Root] = []
        # One part per source: (source, first catalog index, the source indexes kept in
        # order, or None when all were kept, as usual).
        self._parts: list[tuple[_Source, int, list[int] | None]] = []
        self._bases: list[int] = []
        self._size = 0
        self._ids: dict[str, int] | None = {}  # id -> catalog index; None until first needed
        self._built: dict[int, Film] = {}
        self._all: tuple[Film, ...] | None = None
        if films:
            self._add(_Source.of_films(films), None)

    @property
    def files(self) -> tuple[Path, ...]:
        """Every dataset file found, in the order read (built when first asked for)."""
        if self._files is None:
            self._files = tuple(Path(root.file(k)) for root in self._roots for k in range(len(root.names)))
        return self._files

    @property
    def _by_id(self) -> dict[str, int]:
        if self._ids is None:
            self._ids = {}
            for source, base, kept in self._parts:
                ids = source.ids
                self._ids.update(zip(ids if kept is None else (ids[i] for i in kept),
                                     range(base, base + self._count(source, kept))))
        return self._ids

    @staticmethod
    def _count(source: FilmIndex, kept: list[int] | None) -> int:
        return len(source.ids) if kept is None else len(kept)

    def _add(self, source: _Source, problems: list[Problem] | None) -> None:
        ids = source.ids
        base = self._size
        if not self._parts and len(set(ids)) == len(ids):
            # The first source, and its ids are distinct: the id map waits until asked for.
            self._ids = None
            kept = None
        elif len(set(ids)) == len(ids) and self._by_id.keys().isdisjoint(ids):
            self._by_id.update(zip(ids, range(base, base + len(ids))))
            kept = None
        else:  # duplicates: keep each id's first film, report the others
            by_id = self._by_id
            kept = []
            self._parts.append((source, base, kept))  # first, so that _place finds earlier films here
            self._bases.append(base)
            for i, film_id in enumerate(ids):
                first = by_id.get(film_id)
                if first is not None:
                    if problems is not None:
                        line, col = source.position(i)
                        file = source.file_name(i)
                        problems.append(Problem(file, line, col, f"duplicate film id {film_id!r}: already used at "
                                                f"{self._place(first, file)}; give one of them another id"))
                    continue
                by_id[film_id] = base + len(kept)
                kept.append(i)
            self._size += len(kept)
            return
        self._parts.append((source, base, kept))
        self._bases.append(base)
        self._size += self._count(source, kept)

    def _locate(self, k: int) -> tuple[_Source, int]:
        source, base, kept = self._parts[bisect_right(self._bases, k) - 1]
        return source, (k - base if kept is None else kept[k - base])

    def _place(self, k: int, current_file: str) -> str:
        source, i = self._locate(k)
        line, col = source.position(i)
        file = source.file_name(i)
        return f"line {line}:{col}" if file == current_file else f"{file}:{line}:{col}"

    def _film_at(self, k: int) -> Film:
        film = self._built.get(k)
        if film is None:
            source, i = self._locate(k)
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
        for source, base, kept in self._parts:
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
        for source, _, kept in self._parts:
            total += len(source.days) if kept is None else sum(source.window_count(i) for i in kept)
        return total


# --------------------------------------------------------------------------
# Loading

def load_catalog(paths: Iterable[PathLike] | None = None, *, use_cache: bool = True,
                 progress: Callable[..., None] | None = None) -> Catalog:
    """Load and validate the dataset at PATHS (files or folders; default: the shipped one).

    Raises DataError with every problem found, UsageError for an empty path.
    PROGRESS, if given, is called with files=, files_total= and windows= as the work goes.
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
    import time

    scanned_ns = time.time_ns()  # before any file is looked at: see cache.RACY_NS
    problems: list[Problem] = []
    roots = _roots(paths, problems)
    catalog = Catalog()
    catalog._files = None
    catalog._roots = roots
    folder = None
    if use_cache:
        from .cache import cache_dir

        folder = cache_dir()
    counter = _Counter(progress, sum(len(root.names) for root in roots))
    for root in roots:
        source = _load(root, problems, folder, scanned_ns, counter)
        if source is not None:
            catalog._add(source, problems)
    return catalog, sorted(problems)


class _Counter:
    """Progress: files done of all, windows read so far."""

    def __init__(self, progress: Callable[..., None] | None, total: int):
        self.progress = progress
        self.total = total
        self.files = 0
        self.windows = 0

    def done(self, files: int, windows: int = 0) -> None:
        self.files += files
        self.windows += windows
        if self.progress is not None:
            self.progress(files=self.files, files_total=self.total, windows=self.windows)

    def parsing(self) -> Callable[[int], None] | None:
        if self.progress is None:
            return None
        base, progress = self.windows, self.progress
        return lambda more: progress(windows=base + more)


def _load(root: _Root, problems: list[Problem], folder: Path | None, scanned_ns: int,
          counter: _Counter) -> _Source | None:
    """ROOT's films: from its cache entry for the files unchanged since it was written, parsed
    for the others (and the entry rewritten), or all parsed when the cache is not used."""
    if folder is None or root.stream:
        return _load_uncached(root, problems, counter)
    from . import cache

    where = os.path.abspath(root.shown)
    entry = cache.read(where, folder)
    if entry is not None and entry.names == root.names and entry.keys() == root.keys and not entry.any_racy():
        counter.done(len(root.names), len(entry.days))
        return _Source(entry, root.shown, root.names, {}, entry, None, _healer(where, folder, scanned_ns, entry))
    # Some files are new, changed, touched or too recent to trust: look at each.
    old = {name: j for j, name in enumerate(entry.names)} if entry is not None else {}
    names: list[str] = []
    keys: list[Key] = []
    digests: list[bytes] = []
    columns: list[Any] = []
    films: list[Any] = []  # per file: its parsed films, or (entry, j) for file j of the entry
    parsed: dict[int, Sequence[Film]] = {}
    entry_files: list[int] = []
    write = entry is None or entry.names != root.names
    for k, name in enumerate(root.names):
        j = old.get(name)
        assert entry is not None or j is None
        if j is not None and entry.key(j) == root.keys[k] and not entry.racy(j) and entry.intact(j):  # type: ignore[union-attr]
            key, digest = root.keys[k], entry.digest(j)  # type: ignore[union-attr]
        else:
            path = root.file(k)
            read = _read(path, problems)
            if read is None:
                write = True
                counter.done(1)
                continue
            raw, key = read
            digest = cache.raw_digest(raw) if j is not None else b""  # a new file's: from the parser
            if j is not None and entry.digest(j) == digest and entry.intact(j):  # type: ignore[union-attr]
                # unchanged (touched, or too recent to trust its key): keep it; a new key, or one
                # that can now be trusted, is worth writing down
                write = write or key != entry.key(j) or key[1] < scanned_ns - cache.RACY_NS  # type: ignore[union-attr]
            else:
                got = _parse(raw, path, problems, counter.parsing())
                write = True
                if got is None:
                    counter.done(1)
                    continue
                parsed[len(names)] = got[0]
                columns.append(FilmIndex.columns(got[0], got[1]))
                films.append(got[0])
                digest = got[2] or digest or cache.raw_digest(raw)
                j = None
        if j is not None:
            columns.append(entry.file_columns(j))  # type: ignore[union-attr]
            films.append((entry, j))
        entry_files.append(j if j is not None else -1)
        names.append(name)
        keys.append(key)
        digests.append(digest)
        counter.done(1, len(columns[-1][4]))
    if not names:
        return None
    index = FilmIndex.join(columns)
    if write:
        cache.write(where, scanned_ns, names, keys, digests, index, films, folder)
    return _Source(index, root.shown, names, parsed, entry, entry_files,
                   _healer(where, folder, scanned_ns, None, keys, digests))


def _healer(where: str, folder: Path, scanned_ns: int, entry: Entry | None,
            keys: list[Key] | None = None, digests: list[bytes] | None = None) -> Callable[..., None]:
    """What rewrites a source's cache entry once one of its files had to be parsed again
    (its entry's copy was damaged): the other files' lines are copied as they are."""

    def heal(source: _Source, k: int, key: Key, raw: bytes) -> None:
        from . import cache

        nonlocal keys, digests
        if keys is None or digests is None:
            assert entry is not None
            keys, digests = entry.keys(), [entry.digest(j) for j in range(len(entry.names))]
        digest = cache.raw_digest(raw)
        if digest != digests[k]:
            return  # changed since it was looked at: the next run will see it
        keys[k] = key
        films: list[Any] = []
        for n in range(len(source.names)):
            mine = source._parsed.get(n)
            if mine is not None:
                films.append(mine)
            else:
                j = n if source._entry_files is None else source._entry_files[n]
                films.append((source._entry, j))
        cache.write(where, scanned_ns, source.names, keys, digests, source, films, folder)

    return heal


def _load_uncached(root: _Root, problems: list[Problem], counter: _Counter) -> _Source | None:
    names: list[str] = []
    columns: list[Any] = []
    parsed: dict[int, Sequence[Film]] = {}
    for k, name in enumerate(root.names):
        path = root.file(k)
        read = _read(path, problems)
        got = _parse(read[0], path, problems, counter.parsing()) if read is not None else None
        if got is not None:
            parsed[len(names)] = got[0]
            names.append(name)
            columns.append(FilmIndex.columns(got[0], got[1]))
            counter.done(1, len(columns[-1][4]))
        else:
            counter.done(1)
    if not names:
        return None
    return _Source(FilmIndex.join(columns), root.shown, names, parsed)
