"""The parse cache: a validated copy of each dataset, so that repeat runs do
not pay for YAML, and a query reads only the films it needs.

One entry per --data path (a file, or a folder with all its files), in the
user's cache folder (``$RELCAL_CACHE_DIR``, else ``$XDG_CACHE_HOME/relcal``,
else ``~/.cache/relcal``), named by checksums of the path. Data only —
nothing in it can run code:

1. a header line (JSON): this relcal's version and the layout of what
   follows, the path, when its files were looked at, each file's name below
   the path, and the film ids;
2. arrays of integers: for each file what git's index keeps to tell whether
   it changed (size, mtime, ctime, inode, device), its SHA-256 and where its
   films start; for each film its id's line and column, its windows, its
   byte offset and CRC-32 below; every window's day, and the windows sorted
   by day (the film index);
3. one JSON line per film, read, checked (CRC-32) and type-checked only when
   a query needs that film.

A file's films are used only when the entry matches this relcal and the
file: its size, mtime, ctime, inode and device are those recorded, and it was
not modified within the file system's timestamp granularity of being looked
at (git's "racily clean" rule), else its content hash is compared. Anything
unreadable, foreign, truncated or of the wrong shape is a miss, never an
error: the file is parsed again and the entry rewritten, through a temporary
file and a rename, so concurrent runs never read half an entry. A cache
folder that cannot be written only means no caching.

The folder is bounded: after each write, entries beyond the MAX_ENTRIES most
recently used, or beyond MAX_BYTES in all, are removed, least recently used
first (an entry's mtime is its last use, renewed at most hourly), and so are
temporary files left by runs that were killed.
"""

from __future__ import annotations

import json
import mmap
import os
import sys
import time
import zlib
from array import array
from collections.abc import Sequence
from itertools import chain, product
from operator import itemgetter
from pathlib import Path
from typing import Any

from . import __version__
from .index import FilmIndex
from .model import NO_IDS, ExternalIds, Film, Kind, PartialDate, Release, Status

MAGIC = "relcal-cache"
LAYOUT = 4  # 4: one entry per --data path, files keyed like git's index
RACY_NS = 2_000_000_000  # timestamp granularity to distrust (FAT: 2 s)
MAX_ENTRIES = 256  # entries kept in the cache folder ...
MAX_BYTES = 256 * 1024 * 1024  # ... and their total size (the newest entry is always kept)
_TOUCH_NS = 3_600 * 10**9  # an entry's mtime (its last use) is renewed when older than this
_TEMP_NS = 3_600 * 10**9  # a temporary file this old was left by a run that was killed
DIGEST = 32  # bytes of SHA-256
_ENTRY_NAME = r"[0-9a-f]{8}-[0-9a-f]{8}\.cache"  # what _evict may remove: entries ...
_TEMP_NAME = r"\.[0-9a-f]{8}-[0-9a-f]{8}\.cache\.(?:[0-9a-f]{12}|[0-9]+-[0-9]+)\.tmp"  # ... and temporary files (either naming)

# name, typecode, count (of files, films or windows, plus one): the arrays, in file order
_ARRAYS = (("size", "q", "files", 0), ("mtime", "q", "files", 0), ("ctime", "q", "files", 0),
           ("ino", "Q", "files", 0), ("dev", "Q", "files", 0), ("first_film", "i", "files", 1),
           ("lines", "i", "films", 0), ("cols", "i", "films", 0), ("starts", "i", "films", 1),
           ("offsets", "q", "films", 1), ("crcs", "I", "films", 0),
           ("days", "i", "windows", 0), ("by_day", "i", "windows", 0), ("by_day_film", "i", "windows", 0))

Key = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device


def stat_key(st: os.stat_result) -> Key:
    """What tells a file changed, as git's index keeps it."""
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev


class Damaged(ValueError):
    """A cache entry, or a film in it, is not what relcal writes."""


def cache_dir() -> Path:
    explicit = os.environ.get("RELCAL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "relcal"


def entry_path(folder: Path, root: str) -> Path:
    # Checksums of the path (its bytes, whatever they are) name the entry; two
    # paths that share a name only take turns in it (the header holds the path).
    raw = os.fsencode(root)
    return folder / f"{zlib.crc32(raw):08x}-{zlib.adler32(raw):08x}.cache"


def file_digest(data: bytes) -> str:
    import hashlib  # only when a file is hashed: loading OpenSSL costs start-up time

    return hashlib.sha256(data).hexdigest()


def raw_digest(data: bytes) -> bytes:
    import hashlib

    return hashlib.sha256(data).digest()


# ---------------------------------------------------------------------------
# Films <-> JSON arrays (positional: smaller and faster to parse than objects)

def film_to_json(film: Film) -> list[Any]:
    # Tuples encode as JSON arrays, and Kind and Status (str enums) as their text: no copies.
    ids = film.ids
    return [
        film.id, film.title, film.original_title, film.year, film.directors, film.writers, film.cast,
        film.genres, film.countries, film.runtime, film.synopsis, film.links,
        (ids.tmdb, ids.imdb, ids.wikidata) if ids is not NO_IDS and ids else None,
        [(r.date.iso(), r.kind, r.region, r.platform, r.venue, r.distributor, r.status, r.note, r.source,
          [d.iso() for d in r.history] if r.history else (), r.id) for r in film.releases],
    ]


_KINDS = {k.value: k for k in Kind}
_STATUSES = {s.value: s for s in Status}
_DATES: dict[str, PartialDate] = {}  # ISO text -> PartialDate, each built (and checked) once per process


def _date(text: Any) -> PartialDate:
    value = _DATES.get(text) if type(text) is str else None
    if value is None:  # not seen yet in this process
        parts = text.split("-") if type(text) is str and text.isascii() else ()
        if (not parts or len(parts) > 3 or [len(p) for p in parts] != [4, 2, 2][:len(parts)]
                or not all(p.isdigit() for p in parts)):
            raise Damaged("not a date")  # YYYY, YYYY-MM or YYYY-MM-DD, as PartialDate.iso() writes them
        value = PartialDate(*map(int, parts))  # ValueError if it does not exist
        if not 1 <= value.year <= 9999:
            raise Damaged("not a date")
        _DATES[text] = value
    return value


_STR = frozenset({str})


def _text(value: Any) -> str | None:
    if value is not None and type(value) is not str:
        raise Damaged("not text")
    return value


def _texts(value: Any) -> tuple[str, ...]:
    if type(value) is not list or not _STR.issuperset(map(type, value)):
        raise Damaged("not a list of text")
    return tuple(value)  # type: ignore[arg-type]


def _number(value: Any) -> int | None:
    if value is not None and type(value) is not int:
        raise Damaged("not a number")
    return value


_RELEASE_FIELDS = ("date", "kind", "region", "platform", "venue", "distributor", "status", "note", "source",
                   "history", "id")


_TEXT = frozenset({str, type(None)})
_RELEASE_TEXTS = itemgetter(2, 3, 4, 5, 7, 8, 10)  # region, platform, venue, distributor, note, source, id


def _release(values: Any) -> Release:
    if type(values) is not list or len(values) != 11 or not _TEXT.issuperset(map(type, _RELEASE_TEXTS(values))):
        raise Damaged("not a release window")
    day, kind, region, platform, venue, distributor, status, note, source, history, wid = values
    try:  # the usual case: a date, kind and status already known (their keys are all text)
        day, kind, status = _DATES[day], _KINDS[kind], _STATUSES[status]
    except (KeyError, TypeError):
        day = _date(day)
        kind = _KINDS.get(kind) if type(kind) is str else None
        status = _STATUSES.get(status) if type(status) is str else None
        if kind is None or status is None:
            raise Damaged("a kind or status relcal does not know") from None
    if type(history) is not list:
        raise Damaged("not a release window")
    # The entry was validated when it was written, its CRC checked when read and
    # every value's type just now, so the window is filled in directly, as
    # unpickling would, instead of through the frozen dataclass's __init__ (a
    # third of a warm query's time otherwise).
    release = object.__new__(Release)
    release.__dict__.update(zip(_RELEASE_FIELDS, (day, kind, region, platform, venue, distributor, status, note,
                                                  source, tuple(map(_date, history)) if history else (), wid)))
    return release


def _ids(value: Any) -> ExternalIds:
    if value is None:
        return NO_IDS
    if type(value) is not list or len(value) != 3:
        raise Damaged("not a film's ids")
    tmdb, imdb, wikidata = value
    return ExternalIds(_number(tmdb), _text(imdb), _text(wikidata))


def _links(value: Any) -> tuple[tuple[str, str], ...]:
    if type(value) is not list:
        raise Damaged("not links")
    links = tuple(map(_texts, value))
    for pair in links:
        if len(pair) != 2:
            raise Damaged("not a link")
    return links  # type: ignore[return-value]


# The shapes a film's array may have: the type of each of its 14 values (see film_to_json).
_T = (str, type(None))
_FILM_SHAPES = frozenset(product((str,), (str,), _T, (int, type(None)), (list,), (list,), (list,), (list,), (list,),
                                 (int, type(None)), _T, (list,), (list, type(None)), (list,)))


def film_from_json(data: Any) -> Film:
    """A Film from the array film_to_json wrote, every value's type checked (Damaged if any is wrong)."""
    if type(data) is not list or tuple(map(type, data)) not in _FILM_SHAPES:
        raise Damaged("not a film")
    (fid, title, original, year, directors, writers, cast, genres, countries, runtime, synopsis,
     links, ids, releases) = data
    if not _STR.issuperset(map(type, chain(directors, writers, cast, genres, countries))):
        raise Damaged("not a list of names")
    film = object.__new__(Film)  # filled in directly, like the windows (see _release)
    film.__dict__.update(
        id=fid, title=title, original_title=original, year=year, directors=tuple(directors),
        writers=tuple(writers), cast=tuple(cast), genres=tuple(genres), countries=tuple(countries),
        runtime=runtime, synopsis=synopsis, links=_links(links) if links else (), ids=_ids(ids),
        releases=tuple(map(_release, releases)),
    )
    return film


# ---------------------------------------------------------------------------
# Reading

class Entry(FilmIndex):
    """A --data path as the cache holds it: its files' keys and the index now, each film on demand."""

    def __init__(self, header: dict[str, Any], names: list[str], ids: list[str], arrays: dict[str, Any],
                 digests: Any, body: Any):
        super().__init__(ids, arrays["lines"], arrays["cols"], arrays["starts"], arrays["days"], arrays["by_day"],
                         arrays["by_day_film"], arrays["first_film"])
        self.names = names  # each file's name below the path ("" when the path is the file)
        self.written_ns: int = header["written_ns"]  # when the files were looked at
        self._arrays = arrays
        self._digests = digests
        self._offsets = arrays["offsets"]
        self._crcs = arrays["crcs"]
        self._body = body

    def keys(self) -> list[Key]:
        a = self._arrays
        return list(zip(a["size"], a["mtime"], a["ctime"], a["ino"], a["dev"]))

    def key(self, k: int) -> Key:
        a = self._arrays
        return a["size"][k], a["mtime"][k], a["ctime"][k], a["ino"][k], a["dev"][k]

    def racy(self, k: int) -> bool:
        """Was file k modified too close to being looked at for its key to be trusted?"""
        return self._arrays["mtime"][k] >= self.written_ns - RACY_NS

    def any_racy(self) -> bool:
        return max(self._arrays["mtime"]) >= self.written_ns - RACY_NS

    def digest(self, k: int) -> bytes:
        return bytes(self._digests[k * DIGEST:(k + 1) * DIGEST])

    def intact(self, k: int) -> bool:
        """Do file k's film lines still match their CRCs (before they are copied to a new entry)?"""
        offsets, crcs, body = self._offsets, self._crcs, self._body
        return all(zlib.crc32(body[offsets[i]:offsets[i + 1]]) == crcs[i]
                   for i in range(self.first_film[k], self.first_film[k + 1]))

    def film_lines(self, k: int) -> tuple[Any, Sequence[int], Sequence[int]]:
        """File k's film lines: their bytes, each line's length, each line's CRC."""
        a, b = self.first_film[k], self.first_film[k + 1]
        offsets = self._offsets
        lengths = [offsets[i + 1] - offsets[i] for i in range(a, b)]
        return self._body[offsets[a]:offsets[b]], lengths, self._crcs[a:b]

    def between(self, low: int, high: int) -> set[int]:
        hits = super().between(low, high)
        if hits and (min(hits) < 0 or max(hits) >= len(self.ids)):  # never an index outside the entry
            hits = {i for i in hits if 0 <= i < len(self.ids)}
        return hits

    def film(self, index: int) -> Film:
        line = self._body[self._offsets[index]:self._offsets[index + 1]]
        if zlib.crc32(line) != self._crcs[index]:
            raise Damaged("cache entry damaged")
        film = film_from_json(json.loads(bytes(line)))
        if film.id != self.ids[index]:
            raise Damaged("cache entry inconsistent")
        return film


def read(root: str, folder: Path | None = None) -> Entry | None:
    """The cache entry of ROOT (an absolute path) if it is whole and ours; else None.

    Whether its files are up to date is the caller's to check (names, keys, racy)."""
    path = entry_path(folder or cache_dir(), root)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if st.st_size == 0:
            return None
        data = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError, OverflowError):
        return None
    finally:
        os.close(fd)
    try:
        entry = _decode(data, root)
    except Exception:  # whatever is in the file, a bad entry is a miss, never an error
        return None
    if entry is not None and time.time_ns() - st.st_mtime_ns > _TOUCH_NS:
        try:  # an entry's mtime is its last use (see _evict)
            os.utime(path)
        except OSError:
            pass
    return entry


def _decode(data: Any, root: str) -> Entry | None:
    end = data.find(b"\n")
    if end <= 0:
        return None
    header = json.loads(data[:end])
    if (type(header) is not dict or header.get("magic") != MAGIC or header.get("layout") != LAYOUT
            or header.get("relcal") != __version__ or header.get("byteorder") != sys.byteorder
            or header.get("root") != root):
        return None
    counts = {name: header.get(name) for name in ("files", "films", "windows")}
    names, ids, written, index_crc = header.get("names"), header.get("ids"), header.get("written_ns"), header.get("index_crc")
    if (any(type(n) is not int or n < 0 for n in counts.values()) or counts["files"] < 1
            or type(written) is not int or type(index_crc) is not int or type(ids) is not str
            or type(names) is not list or len(names) != counts["files"] or any(type(n) is not str for n in names)):
        return None
    id_list = ids.split("\n") if counts["films"] else []
    if len(id_list) != counts["films"] or (not counts["films"] and ids):
        return None
    arrays: dict[str, Any] = {}
    position = end + 1
    block_start = position
    for name, code, what, extra in _ARRAYS:
        values = array(code)
        count = counts[what] + extra
        values.frombytes(data[position:position + count * values.itemsize])
        if len(values) != count:
            return None  # truncated
        arrays[name] = values
        position += count * values.itemsize
    digests = data[position:position + counts["files"] * DIGEST]
    if len(digests) != counts["files"] * DIGEST:
        return None
    position += len(digests)
    if zlib.crc32(data[block_start:position]) != index_crc:
        return None
    body = memoryview(data)[position:]
    # Each range spans what it indexes. (The arrays are typed by construction and
    # guarded by the CRC; where a value is used as an index, it is checked there.)
    for name, last in (("first_film", counts["films"]), ("starts", counts["windows"]), ("offsets", len(body))):
        values = arrays[name]
        if values[0] != 0 or values[-1] != last:
            return None
    return Entry(header, names, id_list, arrays, digests, body)


# ---------------------------------------------------------------------------
# Writing

def write(root: str, written_ns: int, names: Sequence[str], keys: Sequence[Key], digests: Sequence[bytes],
          index: FilmIndex, films: Sequence[Sequence[Film] | tuple[Entry, int]], folder: Path | None = None) -> bool:
    """Store ROOT's files: NAMES, their KEYS and DIGESTS, the INDEX of all their films, and for
    each file its FILMS, or (entry, k) to copy file k's lines from an older entry as they are.

    WRITTEN_NS is when the files were looked at (before any was read). False, and
    no error and no file left behind, if the entry cannot be written."""
    try:
        folder = folder or cache_dir()
        # ASCII JSON: a third faster to write than UTF-8, and any text (lone surrogates too) round-trips
        dumps = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
        chunks: list[Any] = []
        offsets = array("q", [0])
        crcs = array("I")
        for source in films:
            if isinstance(source, tuple):
                entry, k = source
                chunk, lengths, line_crcs = entry.film_lines(k)
                chunks.append(chunk)
                for length in lengths:
                    offsets.append(offsets[-1] + length)
                crcs.extend(line_crcs)
            else:
                for film in source:
                    line = (dumps(film_to_json(film)) + "\n").encode("ascii")
                    chunks.append(line)
                    offsets.append(offsets[-1] + len(line))
                    crcs.append(zlib.crc32(line))
        n, m = len(index.ids), len(index.days)
        if len(offsets) != n + 1 or len(names) != len(keys) or len(names) != len(digests):
            return False
        columns = list(zip(*keys)) if keys else [(), (), (), (), ()]
        arrays = {
            "size": columns[0], "mtime": columns[1], "ctime": columns[2], "ino": columns[3], "dev": columns[4],
            "first_film": index.first_film, "lines": index.lines, "cols": index.cols, "starts": index.starts,
            "offsets": offsets, "crcs": crcs, "days": index.days, "by_day": index.by_day,
            "by_day_film": index.by_day_film,
        }
        block = b"".join(array(code, arrays[name]).tobytes() for name, code, _, _ in _ARRAYS) + b"".join(digests)
        header = {
            "magic": MAGIC, "layout": LAYOUT, "relcal": __version__, "byteorder": sys.byteorder, "root": root,
            "written_ns": written_ns, "files": len(names), "films": n, "windows": m, "names": list(names),
            "ids": "\n".join(index.ids), "index_crc": zlib.crc32(block),
        }
        # ensure_ascii: paths may hold any bytes (lone surrogates), which JSON's escapes keep
        head = json.dumps(header, separators=(",", ":")).encode("ascii") + b"\n"
        folder.mkdir(parents=True, exist_ok=True)
        target = entry_path(folder, root)
        from .files import replace  # the one writer; a cache entry need not survive a power cut

        replace(target, [head, block, *chunks], mode=0o600, durable=False)
        _evict(folder, target.name)
        return True
    except Exception:  # a cache that cannot be written only means no caching (replace() left no file)
        return False


def _evict(folder: Path, keep: str) -> None:
    """Keep the cache folder bounded: the MAX_ENTRIES most recently used entries, within
    MAX_BYTES (KEEP, just written, always stays); only relcal's own files are touched."""
    import re

    entry_name, temp_name = re.compile(_ENTRY_NAME), re.compile(_TEMP_NAME)
    now = time.time_ns()
    entries: list[tuple[int, str, int]] = []
    try:
        with os.scandir(folder) as found:
            for item in found:
                try:
                    if entry_name.fullmatch(item.name):
                        st = item.stat(follow_symlinks=False)
                        entries.append((st.st_mtime_ns, item.name, st.st_size))
                    elif temp_name.fullmatch(item.name) and now - item.stat(follow_symlinks=False).st_mtime_ns > _TEMP_NS:
                        os.unlink(item.path)
                except OSError:
                    pass
    except OSError:
        return
    entries.sort(reverse=True)  # most recently used first
    count, total = 0, 0
    for _, name, size in entries:
        count += 1
        total += size
        if name != keep and (count > MAX_ENTRIES or total > MAX_BYTES):
            try:
                os.unlink(folder / name)
            except OSError:
                pass
