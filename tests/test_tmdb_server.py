"""Quick checks of the fake TMDB server itself (urllib only)."""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from .tmdb_server import FakeTmdb, load_fixture_films, synthetic_film

KEY = "test-api-key-1234"
TOKEN = "test-read-token-5678"


def get(tmdb: FakeTmdb, route: str, params: dict | None = None, *, key: str | None = KEY,
        headers: dict | None = None, timeout: float = 2):
    """(status, headers, decoded JSON body) of GET TMDB.url + ROUTE."""
    query = dict(params or {})
    if key is not None:
        query["api_key"] = key
    url = tmdb.url + route + ("?" + urlencode(query) if query else "")
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, json.loads(error.read().decode("utf-8"))


@pytest.fixture(scope="module")
def tmdb():
    with FakeTmdb() as server:
        yield server


def test_auth_by_api_key_and_by_bearer_token(tmdb):
    status, headers, body = get(tmdb, "/movie/900002")
    assert status == 200 and body["title"] == "Harbour Lights"
    assert headers["Content-Type"] == "application/json;charset=utf-8"
    status, _, body = get(tmdb, "/movie/900002", key=None, headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and body["id"] == 900002


@pytest.mark.parametrize("key, headers", [(None, {}), ("wrong", {}), (None, {"Authorization": "Bearer nope"}),
                                          (None, {"Authorization": KEY})])
def test_without_a_valid_key_the_answer_is_401(tmdb, key, headers):
    status, _, body = get(tmdb, "/movie/900002", key=key, headers=headers)
    assert status == 401
    assert body == {"status_code": 7, "status_message": "Invalid API key: You must be granted a valid key.",
                    "success": False}


def test_movie_returns_only_the_appended_parts_asked_for(tmdb):
    _, _, plain = get(tmdb, "/movie/900001")
    assert plain["original_title"] == "Соляной сад" and plain["runtime"] == 112
    assert not {"release_dates", "credits", "external_ids"} & plain.keys()
    _, _, full = get(tmdb, "/movie/900001", {"append_to_response": "release_dates,credits,external_ids"})
    assert full["external_ids"]["wikidata_id"] == "Q990000001"
    assert [c["order"] for c in full["credits"]["cast"]] != sorted(c["order"] for c in full["credits"]["cast"])
    us = next(g for g in full["release_dates"]["results"] if g["iso_3166_1"] == "US")
    assert "PG-13 " in [r["certification"] for r in us["release_dates"]]
    _, _, some = get(tmdb, "/movie/900001", {"append_to_response": "credits"})
    assert "credits" in some and "release_dates" not in some and "external_ids" not in some


def test_unknown_film_and_unknown_route_are_404_code_34(tmdb):
    for route in ("/movie/900098", "/movie/abc", "/tv/1", "/search/person"):
        status, _, body = get(tmdb, route)
        assert status == 404, route
        assert body["status_code"] == 34 and body["success"] is False


def test_other_methods_are_405(tmdb):
    request = urllib.request.Request(tmdb.url + "/movie/900001?api_key=" + KEY, data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=2)
    assert caught.value.code == 405
    caught.value.close()


def test_search_an_ambiguous_title_and_narrow_it_by_year(tmdb):
    _, _, body = get(tmdb, "/search/movie", {"query": "harbour LIGHTS"})
    assert [r["id"] for r in body["results"]] == [900002, 900003]  # by popularity
    assert body["total_results"] == 2 and body["page"] == 1 and body["total_pages"] == 1
    assert set(body["results"][0]) == {"adult", "backdrop_path", "genre_ids", "id", "original_language",
                                       "original_title", "overview", "popularity", "poster_path",
                                       "release_date", "title", "video", "vote_average", "vote_count"}
    _, _, body = get(tmdb, "/search/movie", {"query": "harbour lights", "year": "1998"})
    assert [r["id"] for r in body["results"]] == [900003]
    _, _, body = get(tmdb, "/search/movie", {"query": "соляной"})  # original title, case-folded
    assert [r["id"] for r in body["results"]] == [900001]
    _, _, body = get(tmdb, "/search/movie", {"query": "quiet", "year": "2027"})  # no release_date: no year
    assert body["results"] == [] and body["total_results"] == 0


def test_discover_by_region_type_and_dates():
    with FakeTmdb(page_size=1) as tmdb:
        params = {"region": "US", "with_release_type": "2|3", "release_date.gte": "2025-01-01",
                  "release_date.lte": "2026-12-31", "sort_by": "primary_release_date.asc"}
        ids = []
        for page in (1, 2, 3, 4):
            _, _, body = get(tmdb, "/discover/movie", {**params, "page": str(page)})
            assert body["page"] == page and body["total_results"] == 4 and body["total_pages"] == 4
            ids += [r["id"] for r in body["results"]]
        assert ids == [900001, 900002, 900005, 900006]  # by the earliest matching date
        _, _, body = get(tmdb, "/discover/movie", {**params, "page": "5"})
        assert body["results"] == []
        _, _, body = get(tmdb, "/discover/movie", {"region": "IT", "with_release_type": "3"})  # row group "it"
        assert [r["id"] for r in body["results"]] == [900001]
        _, _, body = get(tmdb, "/discover/movie", {"region": "FR", "with_release_type": "6,4"})
        assert [r["id"] for r in body["results"]] == [900005]
        status, _, body = get(tmdb, "/discover/movie", {"page": "501"})
        assert status == 400 and body["status_code"] == 22


def test_faults_are_consumed_one_per_request():
    with FakeTmdb() as tmdb:
        tmdb.faults[900001] = ["500", "503"]
        status, _, body = get(tmdb, "/movie/900001")
        assert status == 500 and body["status_code"] == 11
        status, _, body = get(tmdb, "/movie/900001")
        assert status == 503 and body["status_code"] == 9
        status, _, body = get(tmdb, "/movie/900001")
        assert status == 200 and body["id"] == 900001


def test_fault_429_sets_retry_after():
    with FakeTmdb() as tmdb:
        tmdb.faults[900002] = ["429:2", "429"]
        status, headers, body = get(tmdb, "/movie/900002")
        assert status == 429 and headers["Retry-After"] == "2" and body["status_code"] == 25
        status, headers, _ = get(tmdb, "/movie/900002")
        assert status == 429 and headers["Retry-After"] == "1"


def test_slow_and_dropped_answers():
    with FakeTmdb() as tmdb:
        tmdb.faults[900003] = ["slow:0.2", "drop"]
        started = time.monotonic()
        status, _, _ = get(tmdb, "/movie/900003")
        assert status == 200 and 0.2 <= time.monotonic() - started < 0.45
        with pytest.raises((http.client.RemoteDisconnected, urllib.error.URLError, ConnectionError)):
            get(tmdb, "/movie/900003")
        assert get(tmdb, "/movie/900003")[0] == 200


def test_rate_limit_rejects_the_sixth_request_within_a_second():
    with FakeTmdb(rate_limit=5) as tmdb:
        statuses = [get(tmdb, "/movie/900002")[0] for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        status, headers, body = get(tmdb, "/search/movie", {"query": "x"})
        assert status == 429 and headers["Retry-After"] == "1" and body["status_code"] == 25
        assert len(tmdb.requests) == 7  # rejected requests are logged too


def test_requests_log_records_query_params_and_headers():
    with FakeTmdb() as tmdb:
        get(tmdb, "/movie/900001", {"append_to_response": "credits", "language": ""},
            headers={"X-Probe": "yes"})
        [entry] = tmdb.requests
        assert entry["method"] == "GET" and entry["path"] == "/3/movie/900001"
        assert entry["query"] == {"append_to_response": ["credits"], "language": [""], "api_key": [KEY]}
        assert entry["headers"]["x-probe"] == "yes"


def test_films_can_be_changed_while_serving_and_stop_closes_the_port():
    tmdb = FakeTmdb({}).start()
    try:
        assert get(tmdb, "/movie/7")[0] == 404
        tmdb.set_film(7, synthetic_film(7, 1))
        status, _, body = get(tmdb, "/movie/7", {"append_to_response": "external_ids"})
        assert status == 200 and body["title"] == "Synthetic Film 0001"
        assert body["external_ids"]["imdb_id"] == "tt9000001"
        tmdb.remove_film(7)
        assert get(tmdb, "/movie/7")[0] == 404
    finally:
        tmdb.stop()
    with pytest.raises(urllib.error.URLError):
        get(tmdb, "/movie/7", timeout=0.5)


def test_fixtures_are_complete_records():
    films = load_fixture_films()
    assert set(films) >= {900001, 900002, 900003, 900004, 900005, 900006, 900007}
    for tmdb_id, record in films.items():
        assert record["id"] == tmdb_id and 900001 <= tmdb_id <= 900099
        assert {"release_dates", "credits", "external_ids"} <= record.keys()
    assert synthetic_film(5, 3) == synthetic_film(5, 3)
