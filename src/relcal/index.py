"""Where each film of a dataset file is, and on which days its windows fall.

The index is what a catalog needs before it builds any film: ids and their
positions (for duplicate-id messages), and the days of every window, sorted,
so that a date-range query finds its films by binary search and builds only
those. The cache stores it as arrays of integers.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from .model import Film


class FilmIndex:
    def __init__(self, ids: list[str], lines: Sequence[int], cols: Sequence[int], starts: Sequence[int],
                 days: Sequence[int], by_day: Sequence[int], by_day_film: Sequence[int]):
        self.ids = ids
        self.lines = lines  # of each film's id, 1-based
        self.cols = cols
        self.starts = starts  # film i's windows are days[starts[i]:starts[i + 1]]
        self.days = days  # each window's first day, as a proleptic Gregorian ordinal
        self.by_day = by_day  # all window days, sorted ...
        self.by_day_film = by_day_film  # ... and the film each belongs to

    @classmethod
    def of(cls, films: Sequence[Film], positions: Sequence[tuple[int, int]]) -> FilmIndex:
        days = array("i")
        starts = array("i", [0])
        for film in films:
            days.extend(r.date.first_day.toordinal() for r in film.releases)
            starts.append(len(days))
        owner = array("i")
        for i in range(len(films)):
            owner.extend([i] * (starts[i + 1] - starts[i]))
        order = sorted(range(len(days)), key=days.__getitem__)
        return cls([f.id for f in films], array("i", (p[0] for p in positions)), array("i", (p[1] for p in positions)),
                   starts, days, array("i", (days[k] for k in order)), array("i", (owner[k] for k in order)))

    def position(self, i: int) -> tuple[int, int]:
        return self.lines[i], self.cols[i]

    def window_count(self, i: int) -> int:
        return self.starts[i + 1] - self.starts[i]

    def between(self, low: int, high: int) -> set[int]:
        """The films with a window whose day ordinal is in [low, high]."""
        lo = bisect_left(self.by_day, low)
        hi = bisect_right(self.by_day, high)
        return set(self.by_day_film[lo:hi])

    def film(self, i: int) -> Film:
        raise NotImplementedError
