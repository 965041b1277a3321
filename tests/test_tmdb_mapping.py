"""TMDB records -> films and windows (sources/tmdb_mapping.py), on the fictional fixtures."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relcal.model import Kind, PartialDate, Status
from relcal.sources import tmdb_mapping as m

from .tmdb_server import load_fixture_films

FILMS = load_fixture_films()
TODAY = date(2025, 6, 1)


def windows(tmdb_id: int, today: date = TODAY):
    return m.windows(FILMS[tmdb_id], today)


def by(ws, kind, region, where=None, window_id=None):
    found = [w for w in ws if w.kind is Kind(kind) and w.region == region and w.where == where and w.id == window_id]
    assert len(found) == 1, (kind, region, where, ws)
    return found[0]


def test_every_row_becomes_a_window_with_tmdb_as_its_source():
    ws = windows(900001)
    assert {w.source for w in ws} == {"https://www.themoviedb.org/movie/900001/releases"}
    assert len(ws) == 13


def test_a_festival_note_makes_a_festival_window_at_that_venue():
    berlinale = by(windows(900001), "festival", "DE", "Berlinale")
    assert berlinale.date == PartialDate(2025, 2, 15)
    assert berlinale.note is None  # the note is the venue: nothing more to say
    premiere = by(windows(900001), "premiere", "FR")
    assert premiere.venue is None


def test_digital_rows_name_the_streaming_service_or_the_store():
    ws = windows(900001)
    assert by(ws, "streaming", "US", "Netflix").date == PartialDate(2025, 8, 1)
    assert by(ws, "streaming", "DE", "Prime Video").date == PartialDate(2025, 9, 1)
    assert by(ws, "vod", "GB", "iTunes").date == PartialDate(2025, 7, 14)
    assert by(ws, "vod", "US").date == PartialDate(2025, 6, 20)  # no note: plain VOD


@pytest.mark.parametrize("note, kind, platform, kept_note", [
    ("Netflix", Kind.STREAMING, "Netflix", None),
    ("Disney Plus", Kind.STREAMING, "Disney+", None),
    ("HBO Max", Kind.STREAMING, "Max", None),
    ("Apple TV+", Kind.STREAMING, "Apple TV+", None),
    ("Apple TV", Kind.VOD, "Apple TV", None),
    ("Amazon Prime Video (4K)", Kind.STREAMING, "Prime Video", "Amazon Prime Video (4K)"),
    ("Google Play", Kind.VOD, "Google Play", None),
    ("Premium VOD", Kind.VOD, None, "Premium VOD"),
])
def test_digital_notes(note, kind, platform, kept_note):
    row = m.Row("US", m.TYPE_DIGITAL, PartialDate(2025, 1, 1), note, None)
    assert m.classify(row) == (kind, platform, None, kept_note)


def test_a_country_split_by_language_is_one_window():
    swiss = [w for w in windows(900001) if w.region == "CH"]
    assert len(swiss) == 1 and swiss[0].date == PartialDate(2025, 4, 10)


def test_a_re_release_keeps_its_own_window_with_an_id():
    ws = windows(900001)
    first = by(ws, "theatrical", "US")
    again = by(ws, "theatrical", "US", window_id="re-release-us")
    assert first.date == PartialDate(2025, 5, 23)
    assert again.date == PartialDate(2026, 2, 13) and again.note == "Re-release"
    assert first.identity != again.identity


def test_regions_are_upper_case_and_dates_are_the_date_as_written():
    italy = by(windows(900001), "theatrical", "IT")
    assert italy.date == PartialDate(2025, 4, 17)  # "2025-04-17T00:00:00.000Z": never shifted by a time zone


def test_status_confirmed_up_to_today_announced_after():
    ws = windows(900001, today=date(2025, 5, 23))
    assert by(ws, "theatrical", "US").status is Status.CONFIRMED
    assert by(ws, "vod", "US").status is Status.ANNOUNCED


def test_film_fields():
    film = m.film(FILMS[900001], "the-salt-orchard", TODAY)
    assert film.title == "The Salt Orchard"
    assert film.original_title == "Соляной сад"
    assert film.year == 2025 and film.runtime == 112
    assert film.countries == ("RU", "FR")
    assert film.genres == ("drama", "history")
    assert film.directors == ("Irina Zabelina",)
    assert film.writers == ("Timofei Graff", "Bakhyt Omarov")
    cast = sorted(FILMS[900001]["credits"]["cast"], key=lambda c: c["order"])
    assert film.cast == tuple(c["name"] for c in cast[:5])  # by billing order, not list order
    assert film.ids.items() == [("tmdb", 900001), ("imdb", "tt9900001"), ("wikidata", "Q990000001")]


def test_a_sparse_record():
    film = m.film(FILMS[900007], "paper-moths", TODAY)
    assert (film.directors, film.cast, film.genres, film.runtime, film.releases) == ((), (), (), None, ())
    assert film.ids.items() == [("tmdb", 900007)]


def test_a_film_without_a_release_date_has_no_year():
    assert m.film(FILMS[900004], "quiet-frequencies", TODAY).year is None


def test_text_from_tmdb_is_cleaned_of_control_characters():
    record = copy.deepcopy(FILMS[900006])
    record["title"] = "Evil\x1b[31m Title\u202e\n"
    assert m.film(record, "x", TODAY).title == "Evil [31m Title"


def test_film_ids_avoid_those_taken():
    record = FILMS[900002]  # Harbour Lights (2025)
    assert m.film_id_for(record, set()) == "harbour-lights"
    assert m.film_id_for(record, {"harbour-lights"}) == "harbour-lights-2025"
    assert m.film_id_for(record, {"harbour-lights", "harbour-lights-2025"}) == "harbour-lights-tmdb-900002"
    cyrillic = {"id": 5, "title": "Жар", "original_title": "Жар"}
    assert m.film_id_for(cyrillic, set()) == "tmdb-5"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**6) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=30,
)
release_row = st.fixed_dictionaries({}, optional={
    "type": st.integers(-1, 8) | json_values, "release_date": st.sampled_from(
        ["2021-01-29T00:00:00.000Z", "2021-02-30T00:00:00.000Z", "", "junk", "0000-01-01"]) | json_values,
    "note": st.text(max_size=20) | json_values, "iso_639_1": json_values})
country = st.fixed_dictionaries({}, optional={
    "iso_3166_1": st.sampled_from(["US", "gb", "XX", "", "NO"]) | json_values,
    "release_dates": st.lists(release_row, max_size=4) | json_values})
record = st.fixed_dictionaries({"id": st.integers(1, 10**7)}, optional={
    "title": st.text(max_size=20) | json_values, "original_title": json_values, "runtime": json_values,
    "release_date": st.text(max_size=12) | json_values, "genres": json_values,
    "production_countries": json_values, "credits": json_values, "external_ids": json_values,
    "release_dates": st.fixed_dictionaries({"results": st.lists(country, max_size=4)}) | json_values})


@given(record)
@settings(max_examples=300, deadline=None)
def test_any_record_maps_to_a_valid_film_or_leaves_out_what_is_wrong(data):
    """Whatever TMDB (or a broken proxy) sends, the mapping never fails and never
    produces a window the dataset would refuse."""
    film = m.film(data, m.film_id_for(data, set()), TODAY)
    identities = [w.identity for w in film.releases]
    assert len(identities) == len(set(identities))
    for window in film.releases:
        assert window.date.is_exact and window.region and window.region.isupper()
