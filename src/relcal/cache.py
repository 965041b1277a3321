"""The parse cache: a validated copy of each dataset file, so that repeat runs
do not pay for YAML, and a query reads only the films it needs.

One cache file per dataset file, in the user's cache folder
(``$RELCAL_CACHE_DIR``, else ``$XDG_CACHE_HOME/relcal``, else
``~/.cache/relcal``). Data only — nothing in it can run code:

1. a header line (JSON): the dataset file's path, size, mtime and SHA-256,
   this relcal's version, and the layout of what follows;
2. arrays of integers (the film index): each film id's line and column, each
   film's windows' days, the films sorted by day, each film's byte offset and
   CRC-32 below;
3. one JSON line per film, read and checked (CRC-32) only when a query needs
   that film.

An entry is used only when its header matches this relcal and the dataset
file's content: size and mtime when the file is older than the entry by more
than the file system's time granularity (git's "racily clean" rule), else the
content hash. Anything unreadable, foreign, truncated or inconsistent is a
miss, never an error: the file is parsed again and the entry rewritten,
through a temporary file and a rename, so concurrent runs never read half an
entry. A cache folder that cannot be written only means no caching.
"""

from __future__ import annotations

import json
import mmap
import os
import sys
import time
import zlib
from array import array
from pathlib import Path
from typing import Any

from . import __version__
from .index import FilmIndex
from .model import NO_IDS, ExternalIds, Film, Kind, PartialDate, Release, Status

MAGIC = "relcal-cache"
LAYOUT = 3  # 3: films carry their ids elsewhere
_RACY_NS = 2_000_000_000  # mtime granularity to distrust (FAT: 2 s)
# name, typecode: the index arrays, in file order
_ARRAYS = (("lines", "i"), ("cols", "i"), ("starts", "i"), ("days", "i"), ("by_day", "i"),
           ("by_day_film", "i"), ("offsets", "q"), ("crcs", "I"))


def cache_dir() -> Path:
    explicit = os.environ.get("RELCAL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "relcal"


def entry_path(folder: Path, dataset: Path) -> Path:
    # Checksums of the path name the entry; two paths that share a name only
    # take turns in it (the header records the full path and is checked).
    resolved = str(dataset.resolve()).encode("utf-8", "surrogateescape")
    return folder / f"{zlib.crc32(resolved):08x}-{zlib.adler32(resolved):08x}.cache"


def file_digest(data: bytes) -> str:
    import hashlib  # only when a file is hashed: loading OpenSSL costs start-up time

    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------
# Films <-> JSON arrays (positional: smaller and faster to parse than objects)

def film_to_json(film: Film) -> list[Any]:
    return [
        film.id, film.title, film.original_title, film.year, list(film.directors), list(film.writers),
        list(film.cast), list(film.genres), list(film.countries), film.runtime, film.synopsis,
        [list(pair) for pair in film.links],
        [film.ids.tmdb, film.ids.imdb, film.ids.wikidata] if film.ids else None,
        [[r.date.iso(), r.kind.value, r.region, r.platform, r.venue, r.distributor, r.status.value, r.note,
          r.source, [d.iso() for d in r.history], r.id] for r in film.releases],
    ]


_KINDS = {k.value: k for k in Kind}
_STATUSES = {s.value: s for s in Status}


class _Dates(dict):  # type: ignore[type-arg]
    """ISO text -> PartialDate, each built (and checked) once per process."""

    def __missing__(self, text: str) -> PartialDate:
        value = self[text] = PartialDate(*(int(p) for p in text.split("-")))
        return value


_DATES = _Dates()


_RELEASE_FIELDS = ("date", "kind", "region", "platform", "venue", "distributor", "status", "note", "source",
                   "history", "id")


def _release(values: tuple[Any, ...]) -> Release:
    # The entry was validated when it was written and its CRC checked when read,
    # so the window is filled in directly, as unpickling would, instead of through
    # the frozen dataclass's __init__ (a third of a warm query's time otherwise).
    release = object.__new__(Release)
    release.__dict__.update(zip(_RELEASE_FIELDS, values))
    return release


def film_from_json(data: Any) -> Film:
    """A Film from the array film_to_json wrote (its CRC was checked by the caller)."""
    (fid, title, original, year, directors, writers, cast, genres, countries, runtime, synopsis,
     links, ids, releases) = data
    film = object.__new__(Film)  # filled in directly, like the windows (see _release)
    film.__dict__.update(
        id=fid, title=title, original_title=original, year=year, directors=tuple(directors),
        writers=tuple(writers), cast=tuple(cast), genres=tuple(genres), countries=tuple(countries),
        runtime=runtime, synopsis=synopsis, links=tuple(map(tuple, links)),
        ids=ExternalIds(*ids) if ids else NO_IDS,
        releases=tuple(
            _release((_DATES[d], _KINDS[kind], region, platform, venue, distributor, _STATUSES[status], note,
                      source, tuple(_DATES[h] for h in history) if history else (), wid))
            for d, kind, region, platform, venue, distributor, status, note, source, history, wid in releases
        ),
    )
    return film


# ---------------------------------------------------------------------------
# Reading

class Entry(FilmIndex):
    """A dataset file as the cache holds it: the index now, each film on demand."""

    def __init__(self, header: dict[str, Any], arrays: dict[str, Any], body: Any):
        super().__init__(header["ids"].split("\n") if header["ids"] else [], arrays["lines"], arrays["cols"],
                         arrays["starts"], arrays["days"], arrays["by_day"], arrays["by_day_film"])
        self._offsets = arrays["offsets"]
        self._crcs = arrays["crcs"]
        self._body = body

    def film(self, index: int) -> Film:
        line = bytes(self._body[self._offsets[index]:self._offsets[index + 1]])
        if zlib.crc32(line) != self._crcs[index]:
            raise ValueError("cache entry damaged")
        film = film_from_json(json.loads(line))
        if film.id != self.ids[index]:
            raise ValueError("cache entry inconsistent")
        return film


def read(dataset: Path, stat: os.stat_result, folder: Path | None = None) -> Entry | None:
    """The cached copy of DATASET if it is whole, ours and up to date; else None."""
    path = entry_path(folder or cache_dir(), dataset)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size == 0:
                return None
            data: Any = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        end = data.find(b"\n")
        header = json.loads(data[:end])
        if (type(header) is not dict or header.get("magic") != MAGIC or header.get("layout") != LAYOUT
                or header.get("relcal") != __version__ or header.get("path") != str(dataset.resolve())
                or header.get("byteorder") != sys.byteorder):
            return None
        if not _fresh(header, dataset, stat):
            return None
        n, m = header["films"], header["windows"]
        counts = {"lines": n, "cols": n, "starts": n + 1, "days": m, "by_day": m, "by_day_film": m,
                  "offsets": n + 1, "crcs": n}
        arrays: dict[str, Any] = {}
        position = end + 1
        block_start = position
        for name, code in _ARRAYS:
            values = array(code)
            length = counts[name] * values.itemsize
            values.frombytes(data[position:position + length])
            if len(values) != counts[name]:
                return None  # truncated
            arrays[name] = values
            position += length
        if zlib.crc32(data[block_start:position]) != header["index_crc"]:
            return None
        body = memoryview(data)[position:]
        if len(body) != arrays["offsets"][n]:
            return None  # truncated, or something appended
        entry = Entry(header, arrays, body)
        if len(entry.ids) != n:
            return None
        return entry
    except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError, UnicodeDecodeError):
        return None


def _fresh(header: dict[str, Any], dataset: Path, stat: os.stat_result) -> bool:
    if header.get("size") != stat.st_size:
        return False
    written = header.get("written_ns")
    if header.get("mtime_ns") == stat.st_mtime_ns and type(written) is int and stat.st_mtime_ns < written - _RACY_NS:
        return True  # unchanged since well before the entry was written
    try:  # touched, or too recent to trust its mtime: compare the content itself
        return header.get("sha256") == file_digest(dataset.read_bytes())
    except OSError:
        return False


# ---------------------------------------------------------------------------
# Writing

def write(dataset: Path, stat: os.stat_result, digest: str, films: list[Film], index: FilmIndex,
          folder: Path | None = None) -> bool:
    """Store a validated file's films; False (and no error) if the cache cannot be written."""
    folder = folder or cache_dir()
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
    lines = [(dumps(film_to_json(f)) + "\n").encode("utf-8") for f in films]
    offsets = array("q", [0])
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    arrays = {
        "lines": index.lines, "cols": index.cols, "starts": index.starts, "days": index.days,
        "by_day": index.by_day, "by_day_film": index.by_day_film, "offsets": offsets,
        "crcs": array("I", (zlib.crc32(line) for line in lines)),
    }
    block = b"".join(array(code, arrays[name]).tobytes() for name, code in _ARRAYS)
    header = {
        "magic": MAGIC, "layout": LAYOUT, "relcal": __version__, "path": str(dataset.resolve()),
        "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest, "written_ns": time.time_ns(),
        "byteorder": sys.byteorder, "films": len(films), "windows": len(index.days),
        "ids": "\n".join(index.ids), "index_crc": zlib.crc32(block),
    }
    temp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = entry_path(folder, dataset)
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        with open(temp, "wb") as handle:
            handle.write(dumps(header).encode("utf-8") + b"\n")
            handle.write(block)
            handle.writelines(lines)
        os.replace(temp, target)
        return True
    except OSError:
        if temp is not None:
            try:
                temp.unlink()
            except OSError:
                pass
        return False
