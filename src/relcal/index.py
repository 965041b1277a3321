"""Where each film of a dataset is, and on which days its windows fall.

The index is what a catalog needs before it builds any film: ids and their
positions (for duplicate-id messages), the file each film comes from, and the
days of every window, sorted, so that a date-range query finds its films by
binary search and builds only those. One index covers one --data path: a file,
or every file of a folder (``first_film`` says where each file's films start).
The cache stores it as arrays of integers.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from .model import Film

# One file's columns: ids, id lines, id columns, window starts (film i's windows are
# days[starts[i] - starts[0]:starts[i + 1] - starts[0]]), window days.
Columns = tuple[Sequence[str], Sequence[int], Sequence[int], Sequence[int], Sequence[int]]


class FilmIndex:
    def __init__(self, ids: list[str], lines: Sequence[int], cols: Sequence[int], starts: Sequence[int],
                 days: Sequence[int], by_day: Sequence[int], by_day_film: Sequence[int],
                 first_film: Sequence[int] | None = None):
        self.ids = ids
        self.lines = lines  # of each film's id, 1-based
        self.cols = cols
        self.starts = starts  # film i's windows are days[starts[i]:starts[i + 1]]
        self.days = days  # each window's first day, as a proleptic Gregorian ordinal
        self.by_day = by_day  # all window days, sorted ...
        self.by_day_film = by_day_film  # ... and the film each belongs to
        # file k's films are first_film[k]:first_film[k + 1]
        self.first_film = first_film if first_film is not None else array("i", [0, len(ids)])

    @staticmethod
    def columns(films: Sequence[Film], positions: Sequence[tuple[int, int]]) -> Columns:
        """One parsed file's columns, for join()."""
        days = array("i")
        starts = array("i", [0])
        for film in films:
            days.extend(r.date.first_day.toordinal() for r in film.releases)
            starts.append(len(days))
        return ([f.id for f in films], array("i", (p[0] for p in positions)), array("i", (p[1] for p in positions)),
                starts, days)

    @classmethod
    def of(cls, films: Sequence[Film], positions: Sequence[tuple[int, int]]) -> FilmIndex:
        return cls.join([cls.columns(films, positions)])

    @classmethod
    def join(cls, files: Iterable[Columns]) -> FilmIndex:
        """The index of several files' films, in order (one part of first_film per file)."""
        ids: list[str] = []
        lines, cols, days = array("i"), array("i"), array("i")
        starts, first_film = array("i", [0]), array("i", [0])
        for file_ids, file_lines, file_cols, file_starts, file_days in files:
            ids += file_ids
            lines.extend(file_lines)
            cols.extend(file_cols)
            shift = len(days) - file_starts[0]
            starts.extend([s + shift for s in file_starts[1:]])
            days.extend(file_days)
            first_film.append(len(ids))
        owner = array("i")
        for i in range(len(ids)):
            owner.extend([i] * (starts[i + 1] - starts[i]))
        order = sorted(range(len(days)), key=days.__getitem__)
        return cls(ids, lines, cols, starts, days, array("i", map(days.__getitem__, order)),
                   array("i", map(owner.__getitem__, order)), first_film)

    def position(self, i: int) -> tuple[int, int]:
        return self.lines[i], self.cols[i]

    def file_of(self, i: int) -> int:
        """The number of the file film i comes from."""
        return bisect_right(self.first_film, i) - 1

    def file_columns(self, k: int) -> Columns:
        """File k's columns, as columns() gives them (to join with others)."""
        a, b = self.first_film[k], self.first_film[k + 1]
        starts = self.starts[a:b + 1]
        return self.ids[a:b], self.lines[a:b], self.cols[a:b], starts, self.days[starts[0]:starts[-1]]

    def window_count(self, i: int) -> int:
        return self.starts[i + 1] - self.starts[i]

    def between(self, low: int, high: int) -> set[int]:
        """The films with a window whose day ordinal is in [low, high]."""
        lo = bisect_left(self.by_day, low)
        hi = bisect_right(self.by_day, high)
        return set(self.by_day_film[lo:hi])

    def film(self, i: int) -> Film:
        raise NotImplementedError
