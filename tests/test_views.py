"""The views' core (relcal.views): month grids, timeline lanes, stats rows and gaps.

Data: tests/data/views.yaml, whose comment lists the gaps worked out by hand.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from relcal import Query, load_catalog
from relcal.model import Film, Kind, PartialDate, Release, Status
from relcal.query import Row
from relcal.views import (GROUPINGS, STATS_KEYS, Day, MonthGrid, home_gaps, month_grid, months, stats,
                          timeline)

from .conftest import DATA, ROOT

VIEWS = DATA / "views.yaml"


@pytest.fixture(scope="module")
def rows():
    return Query().rows(load_catalog([str(VIEWS)], use_cache=False))


def window(day: str, kind: str, region: str | None = None, **kw) -> Release:
    year, *rest = (int(x) for x in day.split("-"))
    return Release(PartialDate(year, *rest), Kind(kind), region=region, **kw)


def film_rows(film_id: str, *releases: Release, title: str | None = None) -> list[Row]:
    film = Film(film_id, title or film_id.title(), releases=releases)
    return [Row(film, r) for r in releases]


# ---------------------------------------------------------------------------
# home-viewing gaps

def test_gaps_by_hand(rows):
    found = {(g.film.id, g.region): g.days for g in home_gaps(rows)}
    assert found == {
        ("long-haul", "US"): 35,   # limited 03-05 -> VOD 04-09 (streaming 04-16 is later)
        ("long-haul", "GB"): 35,   # theatrical 03-19 -> Netflix 04-23
        ("long-haul", "FR"): 67,   # theatrical 03-26 -> TV 06-01: the cancelled VOD of 05-07 does not count
        ("zimnyaya-doroga", "US"): 7,  # RU's TV window is known only to the month: no RU gap
        ("tokyo-no-yoru", "JP"): -13,  # worldwide streaming came before the cinemas: kept, negative
        ("home-first", "US"): -11,
        ("world-wide", None): 14,  # two worldwide windows: one gap, not one per region
        ("world-wide", "US"): 10,  # worldwide cinema 03-10 -> US VOD 03-20
    }


def test_a_film_with_only_cinema_windows_has_no_gap(rows):
    assert not [g for g in home_gaps(rows) if g.film.id == "cinema-only"]
    only = next(s for s in stats(rows) if s.group == "cinema-only")
    assert only.as_dict() == {"group": "cinema-only", "films": 1, "windows": 2, "gaps": 0, "gap_median_days": None,
                              "gap_min_days": None, "gap_max_days": None}


def test_gap_windows_are_the_first_of_each_side(rows):
    gap = next(g for g in home_gaps(rows) if (g.film.id, g.region) == ("long-haul", "US"))
    assert (gap.cinema.kind, gap.cinema.date.iso()) == (Kind.LIMITED, "2021-03-05")
    assert (gap.home.kind, gap.home.date.iso()) == (Kind.VOD, "2021-04-09")


def test_worldwide_windows_pair_with_each_region_of_their_film():
    rows = film_rows("f", window("2021-01-01", "theatrical"), window("2021-01-10", "vod", "US"),
                     window("2021-01-20", "streaming", "GB", platform="X"), window("2021-01-05", "limited", "GB"))
    found = {g.region: g.days for g in home_gaps(rows)}
    assert found == {"US": 9, "GB": 19}  # GB: its own limited run is later than the worldwide cinemas
    # Only regional cinema, only worldwide home: each region with a window of its own gets a gap.
    rows = film_rows("g", window("2021-02-01", "theatrical", "US"), window("2021-02-03", "theatrical", "FR"),
                     window("2021-03-01", "streaming", platform="Y"))
    assert {g.region: g.days for g in home_gaps(rows)} == {"US": 28, "FR": 26}


def test_tentative_and_announced_count_cancelled_and_partial_do_not():
    rows = film_rows("f", window("2021-01-01", "theatrical", "US", status=Status.CANCELLED),
                     window("2021-01-08", "theatrical", "US", status=Status.ANNOUNCED),
                     window("2021-01", "vod", "US"),
                     window("2021-02-01", "tv", "US", status=Status.TENTATIVE))
    assert [(g.region, g.days) for g in home_gaps(rows)] == [("US", 24)]


def test_median_of_an_even_count_may_be_a_half():
    rows = (film_rows("a", window("2021-01-01", "theatrical", "US"), window("2021-01-04", "vod", "US"))
            + film_rows("b", window("2021-01-01", "theatrical", "US"), window("2021-01-09", "vod", "US")))
    (us,) = stats(rows, "region")
    assert (us.gap_median_days, us.gap_min_days, us.gap_max_days) == (5.5, 3, 8)
    rows += film_rows("c", window("2021-01-01", "theatrical", "US"), window("2021-01-03", "vod", "US"))
    (us,) = stats(rows, "region")
    assert us.gap_median_days == 3 and isinstance(us.gap_median_days, int)


# ---------------------------------------------------------------------------
# stats groups

def test_stats_by_film(rows):
    got = [s.as_dict() for s in stats(rows, "film")]
    assert [tuple(d) for d in got] == [STATS_KEYS] * len(got)
    by_id = {d["group"]: d for d in got}
    assert by_id["long-haul"] == {"group": "long-haul", "films": 1, "windows": 12, "gaps": 3, "gap_median_days": 35,
                                  "gap_min_days": 35, "gap_max_days": 67}
    assert by_id["world-wide"]["gap_median_days"] == 12
    assert by_id["home-first"]["gap_median_days"] == -11
    assert by_id["script-friends"]["gaps"] == 0
    # Ordered by title, accents and case ignored.
    assert [s.label for s in stats(rows, "film")][:3] == ["<script>alert('x')</script> & Friends", "Cinema Only",
                                                         "Home First"]


def test_stats_by_kind_platform_month_distributor_region_year(rows):
    by = {name: {s.group: s for s in stats(rows, name)} for name in GROUPINGS}
    # kind: windows of that kind; a gap goes to its home window's kind.
    assert [s.group for s in stats(rows, "kind")] == ["festival", "limited", "theatrical", "virtual-cinema", "vod",
                                                      "streaming", "physical", "tv"]
    assert sorted(g.days for g in by["kind"]["vod"].gaps) == [7, 10, 35]
    assert sorted(g.days for g in by["kind"]["streaming"].gaps) == [-13, -11, 14, 35]
    assert [g.days for g in by["kind"]["tv"].gaps] == [67]
    assert by["kind"]["theatrical"].gaps == () and by["kind"]["theatrical"].windows == 8
    # platform: the home window's platform (or venue); None for a window with neither.
    assert sorted(g.days for g in by["platform"]["Netflix"].gaps) == [-13, 35]
    assert by["platform"]["Netflix"].films == 2 and by["platform"]["Netflix"].windows == 2
    assert sorted(g.days for g in by["platform"][None].gaps) == [7, 10, 35]
    assert stats(rows, "platform")[-1].group is None and stats(rows, "platform")[-1].label == "(no platform)"
    # month: the cinema window's month; a window known only to the year is in the year's group.
    assert sorted(g.days for g in by["month"]["2021-03"].gaps) == [-13, -11, 7, 10, 14, 35, 35, 67]
    assert by["month"]["2021-02"].gaps == () and by["month"]["2021-02"].windows == 1
    assert by["month"]["2021"].windows == 1 and by["month"]["2021-03"].films == 7
    assert [s.group for s in stats(rows, "month")] == ["2020-09", "2020-10", "2021", "2021-02", "2021-03", "2021-04",
                                                       "2021-05", "2021-06"]
    # distributor: the cinema window's distributor.
    assert [g.days for g in by["distributor"]["Small Pictures"].gaps] == [35]
    assert [g.days for g in by["distributor"]["Other Films"].gaps] == [35]
    # region: the gap's region; None is the worldwide pair.
    assert [g.days for g in by["region"][None].gaps] == [14]
    assert by["region"][None].label == "(worldwide)"
    assert sorted(g.days for g in by["region"]["US"].gaps) == [-11, 7, 10, 35]
    assert set(by["year"]) == {"2020", "2021"} and len(by["year"]["2021"].gaps) == 8


def test_stats_groups_names_that_differ_only_in_case_or_accents():
    rows = (film_rows("a", window("2021-01-01", "theatrical", "US", distributor="StudioCanal"),
                      window("2021-01-11", "streaming", "US", platform="Netflix"))
            + film_rows("b", window("2021-01-02", "theatrical", "GB", distributor="Studiocanal"),
                        window("2021-01-22", "streaming", "GB", platform="netflix"))
            + film_rows("c", window("2021-01-03", "theatrical", "FR", distributor="Stúdiocanal")))
    studio, none = stats(rows, "distributor")
    assert (studio.group, studio.label, studio.films, studio.windows) == ("StudioCanal", "StudioCanal", 3, 3)
    assert (none.group, none.windows) == (None, 2)
    assert sorted(g.days for g in studio.gaps) == [10, 20]  # the gaps of both spellings
    netflix, none = stats(rows, "platform")
    assert (netflix.group, netflix.windows, len(netflix.gaps), none.group) == ("Netflix", 2, 2, None)


def test_stats_by_film_tells_films_of_one_title_apart():
    rows = (film_rows("same-a", window("2021-01-01", "theatrical"), title="Same")
            + film_rows("same-b", window("2021-01-02", "theatrical"), title="Same")
            + film_rows("other", window("2021-01-03", "theatrical"), title="Other"))
    assert [(s.group, s.label) for s in stats(rows, "film")] == [
        ("other", "Other"), ("same-a", "Same (same-a)"), ("same-b", "Same (same-b)")]


def test_stats_refuses_an_unknown_grouping(rows):
    with pytest.raises(ValueError, match="use one of film, distributor"):
        stats(rows, "studio")


def test_stats_of_nothing_is_empty():
    assert stats([], "film") == [] and home_gaps([]) == []


# ---------------------------------------------------------------------------
# month grid

def test_month_grid_monday_first(rows):
    grid = month_grid(rows, 2021, 3, today=date(2021, 3, 12))
    assert isinstance(grid, MonthGrid) and (grid.year, grid.month) == (2021, 3)
    assert all(len(week) == 7 and all(isinstance(d, Day) for d in week) for week in grid.weeks)
    assert grid.weeks[0][0].date == date(2021, 3, 1)  # March 2021 starts on a Monday
    assert grid.weeks[-1][-1].date == date(2021, 4, 4)
    assert len(grid.weeks) == 5 and [d.in_month for d in grid.weeks[-1]] == [True] * 3 + [False] * 4
    assert [d.date.day for d in grid.days] == list(range(1, 32))
    crowded = grid.weeks[0][4]
    assert crowded.date == date(2021, 3, 5) and len(crowded.rows) == 6
    assert [r.release.kind.value for r in crowded.rows] == ["festival", "limited", "theatrical", "theatrical",
                                                            "theatrical", "virtual-cinema"]
    today = [d for week in grid.weeks for d in week if d.is_today]
    assert [d.date for d in today] == [date(2021, 3, 12)]


def test_month_grid_sunday_first():
    grid = month_grid([], 2021, 3, week_start=6)
    assert grid.weeks[0][0].date == date(2021, 2, 28) and not grid.weeks[0][0].in_month
    assert grid.weekdays == (6, 0, 1, 2, 3, 4, 5)
    assert grid.weeks[-1][-1].date == date(2021, 4, 3)
    feb = month_grid([], 2021, 2)  # 28 days from a Monday: exactly four weeks
    assert len(feb.weeks) == 4 and all(d.in_month for w in feb.weeks for d in w)
    may = month_grid([], 2021, 5, week_start=6)  # May 2021: Saturday the 1st, six Sunday-first weeks
    assert len(may.weeks) == 6
    with pytest.raises(ValueError):
        month_grid([], 2021, 3, week_start=7)


def test_month_grid_leaves_partial_dates_out_of_days(rows):
    march = month_grid(rows, 2021, 3)
    assert [(r.film.id, r.release.date.iso()) for r in march.undated] == [("zimnyaya-doroga", "2021-03")]
    assert all(r.release.date.is_exact for d in march.days for r in d.rows)
    may = month_grid(rows, 2021, 5)
    assert [r.release.date.iso() for r in may.undated] == ["2021-05"]
    january = month_grid(rows, 2021, 1)  # a year-precision date belongs to its first month
    assert [r.release.date.iso() for r in january.undated] == ["2021"] and not january.days[0].rows
    assert month_grid(rows, 2021, 2).undated == ()


def test_month_grid_days_outside_the_month_hold_no_rows(rows):
    grid = month_grid(rows, 2021, 2, week_start=0)  # the rows of March are passed too
    assert all(not d.rows for w in grid.weeks for d in w if not d.in_month)
    assert sum(len(d.rows) for d in grid.days) == 1  # 02-20, the worldwide streaming
    assert len(grid.rows) == 1


def test_months_counts_across_years():
    assert months(date(2021, 11, 5), 3) == [(2021, 11), (2021, 12), (2022, 1)]


# ---------------------------------------------------------------------------
# timeline

def test_timeline_lanes(rows):
    tl = timeline(rows)
    assert (tl.start, tl.end) == (date(2020, 9, 10), date(2021, 12, 31))  # the year-only window spans its year
    assert tl.unit == "month"
    assert [lane.film.id for lane in tl.lanes] == ["long-haul", "script-friends", "tokyo-no-yoru", "home-first",
                                                   "zimnyaya-doroga", "cinema-only", "world-wide"]
    long_haul = tl.lanes[0]
    assert len(long_haul.marks) == 12
    assert [m.start for m in long_haul.marks] == sorted(m.start for m in long_haul.marks)
    physical = next(m for m in long_haul.marks if m.kind is Kind.PHYSICAL)
    assert (physical.start, physical.end, physical.exact) == (date(2021, 5, 1), date(2021, 5, 31), False)
    vod = next(m for m in long_haul.marks if m.kind is Kind.VOD)
    assert vod.start == vod.end == date(2021, 4, 9) and vod.exact
    script = tl.lanes[1]
    assert (script.first, script.last) == (date(2021, 1, 1), date(2021, 12, 31))


def test_timeline_ticks_and_columns(rows):
    tl = timeline(rows, start=date(2021, 2, 15), end=date(2021, 4, 30))
    assert [(t.date, t.label, t.major) for t in tl.ticks] == [
        (date(2021, 3, 1), "Mar 2021", True), (date(2021, 4, 1), "Apr", False)]
    # Windows are clipped to the axis; a film with nothing on it has no lane.
    assert "long-haul" in [lane.film.id for lane in tl.lanes]
    assert all(tl.start <= m.start <= m.end <= tl.end for lane in tl.lanes for m in lane.marks)
    assert tl.column(tl.start, 50) == 0 and tl.column(tl.end, 50) == 49
    assert 0 <= tl.position(date(2021, 3, 1)) < tl.position(date(2021, 4, 1)) < 1
    long = timeline(rows, start=date(2019, 6, 1), end=date(2023, 1, 1))
    assert long.unit == "year" and [t.label for t in long.ticks] == ["2020", "2021", "2022", "2023"]
    assert timeline([]).lanes == ()


def test_views_import_neither_typer_nor_rich():
    code = (
        "import sys\n"
        "from relcal import load_catalog, Query\n"
        "from relcal import views\n"
        "rows = Query().rows(load_catalog())\n"
        "views.month_grid(rows, 2021, 2); views.timeline(rows); views.stats(rows, 'platform')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'rich')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"
