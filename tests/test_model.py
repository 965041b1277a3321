import re
from datetime import date

import pytest

from relcal.model import Film, Kind, PartialDate, Precision, Release, Status, slugify


def test_kinds_are_in_a_films_usual_order():
    assert [k.value for k in sorted(Kind, key=lambda k: k.order)] == [
        "premiere", "festival", "limited", "theatrical", "virtual-cinema", "vod", "streaming", "physical", "tv"]


@pytest.mark.parametrize("pd, precision, first, last, iso, shown", [
    (PartialDate(2021, 1, 29), Precision.DAY, date(2021, 1, 29), date(2021, 1, 29), "2021-01-29", "2021-01-29"),
    (PartialDate(2021, 3), Precision.MONTH, date(2021, 3, 1), date(2021, 3, 31), "2021-03", "Mar 2021"),
    (PartialDate(2020, 2), Precision.MONTH, date(2020, 2, 1), date(2020, 2, 29), "2020-02", "Feb 2020"),
    (PartialDate(2021), Precision.YEAR, date(2021, 1, 1), date(2021, 12, 31), "2021", "2021"),
])
def test_partial_dates_filter_as_first_day_and_show_their_precision(pd, precision, first, last, iso, shown):
    assert pd.precision is precision
    assert pd.first_day == first
    assert pd.last_day == last
    assert pd.iso() == iso == str(pd)
    assert pd.display() == shown
    assert pd.is_exact is (precision is Precision.DAY)


def test_a_partial_date_that_does_not_exist_is_refused():
    with pytest.raises(ValueError):
        PartialDate(2021, 2, 30)
    with pytest.raises(ValueError):
        PartialDate(2021, 13)
    with pytest.raises(ValueError):
        PartialDate(2021, None, 3)


def test_partial_dates_are_frozen_values():
    assert PartialDate(2021, 2) == PartialDate(2021, 2)
    assert len({PartialDate(2021, 2), PartialDate(2021, 2), PartialDate(2021)}) == 2
    with pytest.raises(AttributeError):
        PartialDate(2021).year = 2022  # type: ignore[misc]


def test_release_label_is_platform_then_venue_then_kind():
    d = PartialDate(2021, 2, 5)
    assert Release(d, Kind.STREAMING, platform="Hulu").label == "Hulu"
    assert Release(d, Kind.FESTIVAL, venue="Venice Film Festival").label == "Venice Film Festival"
    assert Release(d, Kind.VOD).label == "VOD"
    assert Release(d, Kind.VIRTUAL_CINEMA).label == "Virtual cinemas"


def test_release_identity_ignores_the_date_and_prefers_the_windows_own_id():
    a = Release(PartialDate(2021, 2, 5), Kind.VOD, region="US")
    moved = Release(PartialDate(2021, 3, 5), Kind.VOD, region="US", history=(PartialDate(2021, 2, 5),))
    assert a.identity == moved.identity
    assert Release(PartialDate(2021, 2, 5), Kind.VOD, region="GB").identity != a.identity
    assert Release(PartialDate(2021, 2, 5), Kind.VOD, region="US", id="rental").identity == "rental"


def test_release_identity_is_a_safe_key_that_never_merges_two_names():
    d = PartialDate(2021, 2, 5)
    assert Release(d, Kind.VOD, region="US").identity == "vod.us"
    assert Release(d, Kind.VOD).identity == "vod.world"
    assert Release(d, Kind.STREAMING, platform="Hulu", region="US").identity == "streaming.us.hulu"
    assert Release(d, Kind.STREAMING, platform="HBO  Max", region="US").identity == "streaming.us.hbo-max"
    plus = Release(d, Kind.STREAMING, platform="Disney+", region="US").identity
    plain = Release(d, Kind.STREAMING, platform="Disney", region="US").identity
    assert plus.startswith("streaming.us.disney-") and plain == "streaming.us.disney"
    first = Release(d, Kind.TV, platform="Первый канал").identity
    russia1 = Release(d, Kind.TV, platform="Россия-1").identity
    assert first != russia1
    for key in (plus, first, russia1):
        assert re.fullmatch(r"[a-z0-9.-]+", key)


def test_slugify():
    assert slugify("Quo Vadis, Aida?") == "quo-vadis-aida"
    assert slugify("Amélie") == "amelie"
    assert slugify("Дорогие") == ""


def test_release_defaults():
    r = Release(PartialDate(2021), Kind.TV)
    assert r.status is Status.CONFIRMED
    assert r.history == ()
    assert r.region is None


def test_film_people_and_links():
    f = Film(id="x", title="X", directors=("A",), writers=("B",), cast=("C", "D"),
             links=(("source", "https://example.org/x"), ("trailer", "https://example.org/t")))
    assert f.people == ("A", "B", "C", "D")
    assert f.link("trailer") == "https://example.org/t"
    assert f.link("missing") is None
