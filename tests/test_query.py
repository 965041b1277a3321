"""The one Query type: ranges, filters, sorting and the film summaries."""

from __future__ import annotations

from datetime import date

import pytest

from relcal.catalog import Catalog, load_catalog
from relcal.errors import UsageError
from relcal.model import Film, Kind, PartialDate, Release, Status
from relcal.query import ROW_KEYS, Query, fold


def film(id, title, *releases, **fields):
    return Film(id=id, title=title, releases=tuple(releases), **fields)


def rel(d, kind, **fields):
    return Release(d if isinstance(d, PartialDate) else PartialDate(*map(int, d.split("-"))), Kind(kind), **fields)


CATALOG = Catalog((
    film("dear-comrades", "Dear Comrades!",
         rel("2020-09", "festival", venue="Venice Film Festival", region="IT"),
         rel("2021-01-29", "virtual-cinema", region="US"),
         rel("2021-02-05", "streaming", platform="Hulu", region="US"),
         rel("2021-02-05", "vod", region="US"),
         original_title="Дорогие товарищи!", directors=("Andrei Konchalovsky",),
         cast=("Julia Vysotskaya", "Yulia Burova")),
    film("amelie", "Amélie",
         rel("2021-02-05", "streaming", platform="Netflix"),
         rel("2021-03", "physical", region="FR", status=Status.ANNOUNCED),
         directors=("Jean-Pierre Jeunet",), cast=("Audrey Tautou",)),
    film("zebra", "Zebra",
         rel("2021-02-05", "vod", region="GB", status=Status.CANCELLED),
         rel("2021", "tv", region="GB", platform="BBC Two")),
))


def ids(rows):
    return [(r.film.id, r.release.date.iso(), r.release.kind.value) for r in rows]


def test_rows_sort_by_date_then_kind_order_then_title():
    rows = Query().rows(CATALOG)
    assert ids(rows) == [
        ("dear-comrades", "2020-09", "festival"),
        ("zebra", "2021", "tv"),  # a year sorts as its first day
        ("dear-comrades", "2021-01-29", "virtual-cinema"),
        ("dear-comrades", "2021-02-05", "vod"),
        ("zebra", "2021-02-05", "vod"),
        ("amelie", "2021-02-05", "streaming"),
        ("dear-comrades", "2021-02-05", "streaming"),
        ("amelie", "2021-03", "physical"),
    ]


def test_the_range_is_inclusive_and_partial_dates_count_as_their_first_day():
    q = Query(start=date(2021, 1, 29), end=date(2021, 2, 5))
    assert [r[1] for r in ids(q.rows(CATALOG))] == ["2021-01-29"] + ["2021-02-05"] * 4
    march = Query(start=date(2021, 3, 1), end=date(2021, 3, 1)).rows(CATALOG)
    assert ids(march) == [("amelie", "2021-03", "physical")]
    assert Query(start=date(2021, 3, 2)).rows(CATALOG) == []
    assert ids(Query(end=date(2020, 12, 31)).rows(CATALOG)) == [("dear-comrades", "2020-09", "festival")]


def test_filters_are_case_insensitive_and_repeatable():
    assert {r.film.id for r in Query.build(kinds=["VOD"]).rows(CATALOG)} == {"dear-comrades", "zebra"}
    assert len(Query.build(kinds=["vod", "streaming"]).rows(CATALOG)) == 4
    assert ids(Query.build(platforms=["hulu"]).rows(CATALOG)) == [("dear-comrades", "2021-02-05", "streaming")]
    assert ids(Query.build(platforms=["venice film festival"]).rows(CATALOG)) == [("dear-comrades", "2020-09", "festival")]
    assert {r.film.id for r in Query.build(films=["Zebra"]).rows(CATALOG)} == {"zebra"}
    statuses = Query.build(statuses=["announced", "Cancelled"]).rows(CATALOG)
    assert {r.release.status for r in statuses} == {Status.ANNOUNCED, Status.CANCELLED}


def test_region_matches_the_code_and_windows_without_a_region():
    rows = Query.build(regions=["gb"]).rows(CATALOG)
    assert ids(rows) == [("zebra", "2021", "tv"), ("zebra", "2021-02-05", "vod"),
                         ("amelie", "2021-02-05", "streaming")]  # Netflix, worldwide


def test_person_and_search_fold_accents_and_case_cyrillic_included():
    assert {r.film.id for r in Query.build(people=["konchalovsky"]).rows(CATALOG)} == {"dear-comrades"}
    assert {r.film.id for r in Query.build(people=["AUDREY"]).rows(CATALOG)} == {"amelie"}
    assert {r.film.id for r in Query.build(search=["amelie"]).rows(CATALOG)} == {"amelie"}
    assert {r.film.id for r in Query.build(search=["ÁMÉLIE"]).rows(CATALOG)} == {"amelie"}
    assert {r.film.id for r in Query.build(search=["дорогие"]).rows(CATALOG)} == {"dear-comrades"}
    assert {r.film.id for r in Query.build(search=["ТОВАРИЩИ"]).rows(CATALOG)} == {"dear-comrades"}
    assert {r.film.id for r in Query.build(search=["comrades", "zeb"]).rows(CATALOG)} == {"dear-comrades", "zebra"}
    assert fold("Йо-йо Ёлка") == "ио-ио елка"


def test_different_filters_must_all_hold():
    rows = Query.build(kinds=["vod"], regions=["US"], people=["vysotskaya"]).rows(CATALOG)
    assert ids(rows) == [("dear-comrades", "2021-02-05", "vod")]
    assert Query.build(kinds=["vod"], search=["amelie"]).rows(CATALOG) == []


@pytest.mark.parametrize("kwargs, message", [
    ({"kinds": ["stream"]}, "--kind: 'stream' is not known; did you mean 'streaming'?"),
    ({"kinds": ["dvd"]}, "--kind: 'dvd' is not known; did you mean 'physical'?"),
    ({"statuses": ["delayed"]}, "--status: 'delayed' is not known; did you mean 'postponed'?"),
    ({"regions": ["UK"]}, "--region: 'UK' is not an ISO 3166-1 country code; did you mean 'GB'?"),
    ({"start": date(2021, 2, 1), "end": date(2021, 1, 1)}, "--to 2021-01-01 is before --from 2021-02-01"),
])
def test_bad_filter_values_are_usage_errors(kwargs, message):
    with pytest.raises(UsageError) as info:
        Query.build(**kwargs)
    assert message in str(info.value)
    assert info.value.exit_code == 2


def test_an_unknown_film_id_is_a_usage_error_with_a_suggestion():
    with pytest.raises(UsageError, match=r"no film with id 'dear-comrade'; did you mean 'dear-comrades'\?"):
        Query.build(films=["dear-comrade"]).rows(CATALOG)
    with pytest.raises(UsageError, match=r"no film with id 'comrades!'; did you mean 'dear-comrades'\?"):
        Query.build(films=["Comrades!"]).rows(CATALOG)
    with pytest.raises(UsageError, match="'relcal films' lists the ids"):
        Query.build(films=["qqqq"]).rows(CATALOG)


def test_rows_have_the_contracts_json_keys():
    row = Query.build(platforms=["hulu"]).rows(CATALOG)[0]
    record = row.as_dict()
    assert tuple(record) == ROW_KEYS
    assert record == {"film_id": "dear-comrades", "title": "Dear Comrades!", "date": "2021-02-05",
                      "precision": "day", "kind": "streaming", "region": "US", "platform": "Hulu",
                      "venue": None, "distributor": None, "status": "confirmed", "note": None, "source": None}
    partial = Query.build(kinds=["festival"]).rows(CATALOG)[0].as_dict()
    assert (partial["date"], partial["precision"]) == ("2020-09", "month")


def test_summaries_count_matching_windows_and_find_the_next_one():
    today = date(2021, 2, 1)
    by_id = {s.film.id: s for s in Query().summaries(CATALOG, today)}
    assert [s for s in by_id] == ["amelie", "dear-comrades", "zebra"]  # by title
    assert len(by_id["dear-comrades"].windows) == 4
    assert by_id["dear-comrades"].next.date == PartialDate(2021, 2, 5)
    assert by_id["dear-comrades"].next.kind is Kind.VOD
    # the VOD window is cancelled, never "next"; the 2021 TV window counts as Jan 1, already past
    assert by_id["zebra"].next is None
    vod = {s.film.id: len(s.windows) for s in Query.build(kinds=["vod"]).summaries(CATALOG, today)}
    assert vod == {"dear-comrades": 1, "zebra": 1}
    assert [s.film.id for s in Query.build(people=["jeunet"]).summaries(CATALOG, today)] == ["amelie"]


def test_nearest_outside_an_empty_range():
    q = Query(start=date(2021, 4, 1), end=date(2021, 5, 1))
    before, after = q.nearest_outside(CATALOG)
    assert (before.film.id, before.release.date.iso(), after) == ("amelie", "2021-03", None)
    q = Query(start=date(2020, 1, 1), end=date(2020, 2, 1))
    before, after = q.nearest_outside(CATALOG)
    assert before is None and after.release.date.iso() == "2020-09"


def test_the_shipped_dear_comrades_story():
    rows = Query(start=date(2021, 1, 20), end=date(2021, 2, 19)).rows(load_catalog())
    dc = [(r.release.date.iso(), r.release.kind.value, r.release.platform, r.release.region)
          for r in rows if r.film.id == "dear-comrades"]
    assert dc == [("2021-01-29", "virtual-cinema", None, "US"),
                  ("2021-02-05", "vod", None, "US"),
                  ("2021-02-05", "streaming", "Hulu", "US")]
