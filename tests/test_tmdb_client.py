"""The TMDB client (sources/tmdb_client.py) talking real HTTP to a local fake of TMDB.

Nothing is mocked: the production client sends requests over 127.0.0.1 to
tests/tmdb_server.py, which answers in TMDB's documented shapes, with the
faults each test injects.
"""

from __future__ import annotations

import time
from datetime import date

import pytest

from relcal.errors import UsageError
from relcal.sources.tmdb_client import Credentials, Tmdb, TmdbAuthError, TmdbFailure, base_url, read_timeout

from .tmdb_server import FakeTmdb, synthetic_film


@pytest.fixture
def tmdb():
    with FakeTmdb() as server:
        yield server


def client(server: FakeTmdb, *, bearer: bool = False, secret: str | None = None, **options) -> Tmdb:
    secret = secret or (server.read_token if bearer else server.api_key)
    options.setdefault("backoff", 0.05)
    return Tmdb(Credentials(secret, bearer=bearer), server.url, **options)


def test_one_request_per_film_with_everything_appended(tmdb):
    c = client(tmdb)
    record = c.run(lambda: c.movie(900001))
    assert record["title"] == "The Salt Orchard"
    assert {"release_dates", "credits", "external_ids"} <= record.keys()
    assert len(tmdb.requests) == 1
    sent = tmdb.requests[0]
    assert sent["path"] == "/3/movie/900001"
    assert sent["query"]["append_to_response"] == ["release_dates,credits,external_ids"]
    assert sent["query"]["api_key"] == [tmdb.api_key]
    assert sent["headers"]["user-agent"].startswith("relcal/")


def test_a_read_token_goes_in_the_authorization_header_not_the_url(tmdb):
    c = client(tmdb, bearer=True)
    c.run(lambda: c.movie(900005))
    sent = tmdb.requests[0]
    assert "api_key" not in sent["query"]
    assert sent["headers"]["authorization"] == f"Bearer {tmdb.read_token}"


def test_a_refused_key_stops_everything_without_showing_the_key(tmdb):
    c = client(tmdb, secret="s3cret-key-that-must-not-leak")
    with pytest.raises(TmdbAuthError) as caught:
        c.run(lambda: c.movies([900001, 900002, 900003]))
    message = str(caught.value)
    assert "status 7" in message and "Invalid API key" in message
    assert "s3cret" not in message and "s3cret" not in repr(c.credentials)


def test_not_found_is_a_failure_of_that_film_only(tmdb):
    c = client(tmdb)
    results = c.run(lambda: c.movies([900001, 123, 900005]))
    assert results[900001]["id"] == 900001 and results[900005]["id"] == 900005
    failure = results[123]
    assert isinstance(failure, TmdbFailure) and failure.status_code == 34
    assert str(failure) == ("tmdb:123: not found on TMDB (TMDB status 34: The resource you requested "
                            "could not be found.)")
    assert sum(r["path"] == "/3/movie/123" for r in tmdb.requests) == 1  # a 404 is not retried


def test_a_500_then_success(tmdb):
    tmdb.faults[900001] = ["500"]
    c = client(tmdb)
    assert c.run(lambda: c.movie(900001))["id"] == 900001
    assert len(tmdb.requests) == 2


def test_5xx_and_dropped_connections_are_retried_up_to_five_tries(tmdb):
    tmdb.faults[900001] = ["503", "drop", "500", "503"]
    c = client(tmdb)
    assert c.run(lambda: c.movie(900001))["id"] == 900001
    assert len(tmdb.requests) == 5
    tmdb.faults[900002] = ["500"] * 5
    with pytest.raises(TmdbFailure, match=r"tmdb:900002: TMDB status 11: Internal error.* after 5 tries"):
        c.run(lambda: c.movie(900002))


def test_429_waits_for_retry_after(tmdb):
    tmdb.faults[900001] = ["429:1"]
    c = client(tmdb)
    started = time.monotonic()
    assert c.run(lambda: c.movie(900001))["id"] == 900001
    assert time.monotonic() - started >= 1.0
    assert len(tmdb.requests) == 2


def test_a_response_slower_than_the_timeout_is_retried(tmdb):
    tmdb.faults[900001] = ["slow:0.6"]
    c = client(tmdb, timeout=0.2)
    assert c.run(lambda: c.movie(900001))["id"] == 900001
    tmdb.faults[900002] = ["slow:0.6"] * 5
    with pytest.raises(TmdbFailure, match=r"tmdb:900002: no answer within 0.2 s after 5 tries"):
        c.run(lambda: c.movie(900002))


def test_nothing_listening_is_a_failure_not_a_hang():
    with FakeTmdb() as server:
        url = server.url
    c = Tmdb(Credentials("k", bearer=False), url, backoff=0.01, tries=2)
    with pytest.raises(TmdbFailure, match=r"cannot reach 127\.0\.0\.1:\d+ \(ConnectError\) after 2 tries"):
        c.run(lambda: c.movie(1))


def test_a_server_limit_below_our_pace_loses_no_film():
    films = {n: synthetic_film(n, n) for n in range(1, 21)}
    with FakeTmdb(films, rate_limit=8) as server:
        c = client(server, rate=40)
        results = c.run(lambda: c.movies(list(films)))
        assert all(isinstance(r, dict) for r in results.values())
        refused = sum(1 for r in server.requests if r["path"].startswith("/3/movie/")) - len(films)
    assert refused < len(films) // 2  # it slowed down to the server's pace instead of hammering it


def test_the_pace_spaces_requests():
    films = {n: synthetic_film(n, n) for n in range(1, 21)}
    with FakeTmdb(films) as server:
        c = client(server, rate=20)
        started = time.monotonic()
        c.run(lambda: c.movies(list(films)))
        assert time.monotonic() - started >= 0.9  # 20 requests at 20/s: about a second, not all at once


def test_search_and_discover(tmdb):
    c = client(tmdb)
    found = c.run(lambda: c.search("harbour lights"))
    assert [r["id"] for r in found] == [900002, 900003]
    assert [r["id"] for r in c.run(lambda: c.search("harbour lights", 1998))] == [900003]
    tmdb.page_size = 1
    listed = c.run(lambda: c.discover("US", date(2026, 11, 1), date(2027, 12, 31), [3]))
    assert sorted(r["id"] for r in listed) == [900004, 900005, 900006]
    pages = [r["query"]["page"] for r in tmdb.requests if r["path"] == "/3/discover/movie"]
    assert sorted(pages) == [["1"], ["2"], ["3"]]
    assert tmdb.requests[-1]["query"]["with_release_type"] == ["3"]


def test_credentials_and_settings_from_the_environment():
    with pytest.raises(UsageError, match="set TMDB_API_KEY .* or TMDB_READ_TOKEN"):
        Credentials.from_env({})
    assert Credentials.from_env({"TMDB_API_KEY": "k"}).params() == {"api_key": "k"}
    assert Credentials.from_env({"TMDB_API_KEY": "k", "TMDB_READ_TOKEN": "t"}).bearer
    assert base_url({}) == "https://api.themoviedb.org/3"
    assert base_url({"RELCAL_TMDB_URL": "http://127.0.0.1:9/3/"}) == "http://127.0.0.1:9/3"
    with pytest.raises(UsageError, match="RELCAL_TMDB_URL"):
        base_url({"RELCAL_TMDB_URL": "ftp://example.org"})
    assert read_timeout({}) == 20.0
    with pytest.raises(UsageError, match="RELCAL_TMDB_TIMEOUT"):
        read_timeout({"RELCAL_TMDB_TIMEOUT": "soon"})
