"""A local fake of the TMDB v3 API for relcal's tests and benchmark.

Standard library only. It serves three routes under ``/3`` with TMDB's
documented response shapes::

    GET /3/movie/<id>[?append_to_response=release_dates,credits,external_ids]
    GET /3/search/movie?query=TEXT[&year=YYYY][&page=N]
    GET /3/discover/movie?[region=XX][&release_date.gte=D][&release_date.lte=D]
                         [&with_release_type=2|3][&page=N]

and answers like TMDB does when something is wrong: 401 without a valid key,
404 for unknown films or routes, 429 over the rate limit, plus faults a test
injects per film (500, 503, 429 with Retry-After, a slow answer, a dropped
connection).

Use it as a context manager::

    with FakeTmdb() as tmdb:
        env = {"RELCAL_TMDB_URL": tmdb.url, "TMDB_API_KEY": tmdb.api_key}
        tmdb.faults[900001] = ["503", "429:2"]   # two failures, then normal answers
        ...
        assert tmdb.requests[-1]["query"]["append_to_response"] == ["release_dates,credits"]

or by hand, to point a real relcal at it::

    python tests/tmdb_server.py --port 8765 [--rate 20] [--synthetic 200]

The fixture films (tests/data/tmdb/<id>.json) are fictional: full movie
records with all three appendable parts present.
"""

from __future__ import annotations

import argparse
import collections
import copy
import datetime as _dt
import hashlib
import json
import math
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent / "data" / "tmdb"

DEFAULT_API_KEY = "test-api-key-1234"
DEFAULT_READ_TOKEN = "test-read-token-5678"

# The parts append_to_response can add, and what each looks like when a record lacks it.
APPENDABLE: dict[str, Any] = {
    "release_dates": {"results": []},
    "credits": {"cast": [], "crew": []},
    "external_ids": {"imdb_id": None, "wikidata_id": None, "facebook_id": None,
                     "instagram_id": None, "twitter_id": None},
}
SUMMARY_FIELDS = ("adult", "backdrop_path", "genre_ids", "id", "original_language", "original_title",
                  "overview", "popularity", "poster_path", "release_date", "title", "video",
                  "vote_average", "vote_count")
MAX_PAGE = 500

# TMDB's error bodies: name -> (HTTP status, status_code, status_message).
ERRORS: dict[str, tuple[int, int, str]] = {
    "not_found": (404, 34, "The resource you requested could not be found."),
    "bad_key": (401, 7, "Invalid API key: You must be granted a valid key."),
    "internal": (500, 11, "Internal error: Something went wrong, contact TMDB."),
    "offline": (503, 9, "Service offline: This service is temporarily offline, try again later."),
    "rate": (429, 25, "Your request count (#) is over the allowed limit of (40)."),
    "bad_page": (400, 22, "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer."),
    "bad_input": (400, 47, "The input is not valid."),
    "bad_method": (405, 4, "Invalid format: This service doesn't exist in that format."),
}
JSON_TYPE = "application/json;charset=utf-8"


def load_fixture_films(folder: Path | str = FIXTURES) -> dict[int, dict[str, Any]]:
    """Every ``<id>.json`` in FOLDER, as {tmdb_id: record}."""
    films: dict[int, dict[str, Any]] = {}
    for path in sorted(Path(folder).glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        films[int(record["id"])] = record
    return films


class _Reply(Exception):
    """Raised inside a route to answer with an error body (or to drop the connection)."""

    def __init__(self, error: str | None, headers: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.error = error  # None: close the connection without an answer
        self.headers = headers or {}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeTmdb

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        pass  # quiet: a client that hangs up mid-answer is not news


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stalls
    server: _Server

    # ---- plumbing ----------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", JSON_TYPE)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _send_error(self, error: str, headers: dict[str, str] | None = None) -> None:
        status, code, message = ERRORS[error]
        self._send_json(status, {"status_code": code, "status_message": message, "success": False}, headers)

    def _record(self) -> tuple[str, dict[str, list[str]]]:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        self.server.fake._log({
            "method": self.command,
            "path": parts.path,
            "query": query,
            "headers": {name.lower(): value for name, value in self.headers.items()},
        })
        return parts.path, query

    def _discard_body(self) -> None:
        length = self.headers.get("Content-Length")
        if length and length.strip().isdigit():
            self.rfile.read(int(length))
        elif self.headers.get("Transfer-Encoding"):
            self.close_connection = True  # chunked bodies are not worth parsing here

    # ---- methods -------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802
        path, query = self._record()
        fake = self.server.fake
        try:
            try:
                if not fake._admit():
                    raise _Reply("rate", {"Retry-After": "1"})
                if not fake._authorised(query, self.headers.get("Authorization")):
                    raise _Reply("bad_key")
                status, body = fake._route(path, query)
            except _Reply as reply:
                if reply.error is None:  # the "drop" fault
                    self.close_connection = True
                    return
                self._send_error(reply.error, reply.headers)
                return
            except Exception as exc:  # a bug in the fake or in a test's record: say so, as TMDB would
                self._send_json(500, {"status_code": 11, "success": False,
                                      "status_message": f"FakeTmdb failed: {type(exc).__name__}: {exc}"})
                return
            self._send_json(status, body)
        except OSError:  # the client went away (or stop() closed the connection)
            self.close_connection = True

    def _not_allowed(self) -> None:
        self._record()
        self._discard_body()
        try:
            self._send_error("bad_method", {"Allow": "GET"})
        except OSError:
            self.close_connection = True

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _not_allowed  # noqa: N815


class FakeTmdb:
    """A fake TMDB v3 API on 127.0.0.1, serving in a daemon thread.

    Public: ``url``, ``port``, ``api_key``, ``read_token``, ``films``, ``faults``,
    ``requests``, ``rate_limit``, ``page_size``, ``start()``, ``stop()``,
    ``set_film()``, ``remove_film()``, ``clear_requests()``; also a context manager.
    """

    def __init__(self, films: dict[int, dict[str, Any]] | None = None, *,
                 api_key: str = DEFAULT_API_KEY, read_token: str = DEFAULT_READ_TOKEN,
                 rate_limit: float | None = None, page_size: int = 20, port: int = 0) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.films: dict[int, dict[str, Any]] = load_fixture_films() if films is None else films
        self.api_key = api_key
        self.read_token = read_token
        self.rate_limit = rate_limit
        self.page_size = page_size
        self.faults: dict[int, list[str]] = {}
        self.requests: list[dict[str, Any]] = []
        self._port = port
        self._lock = threading.Lock()
        self._accepted: collections.deque[float] = collections.deque()
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -----------------------------------------------------------

    def start(self) -> FakeTmdb:
        """Bind and serve. After a stop(), a second start() binds the same port again."""
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", self._port), _Handler)
        server.fake = self
        self._port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"FakeTmdb:{self._port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the listening socket and every open client connection."""
        server, thread = self._server, self._thread
        if server is None:
            return
        with self._lock:
            self._server = self._thread = None
        server.shutdown()
        with self._lock:
            connections = list(self._connections)
            self._connections.clear()
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        if thread is not None:
            thread.join(timeout=2)

    def __enter__(self) -> FakeTmdb:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("FakeTmdb has no port until start() (or the with block) binds one")
        return self._port

    @property
    def url(self) -> str:
        """The API base, e.g. http://127.0.0.1:54321/3 (routes are relative to it)."""
        return f"http://127.0.0.1:{self.port}/3"

    # ---- what tests change -------------------------------------------------

    def set_film(self, tmdb_id: int, record: dict[str, Any]) -> None:
        self.films[int(tmdb_id)] = record

    def remove_film(self, tmdb_id: int) -> None:
        self.films.pop(int(tmdb_id), None)

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    # ---- used by the handler -------------------------------------------------

    def _track(self, conn: socket.socket, opened: bool) -> None:
        with self._lock:
            if not opened:
                self._connections.discard(conn)
                return
            if self._server is not None:
                self._connections.add(conn)
                return
        try:  # accepted just as stop() ran: do not leave it open
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _log(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(entry)

    def _admit(self) -> bool:
        """The sliding one-second window: True if this request is accepted."""
        limit = self.rate_limit
        if limit is None:
            return True
        now = time.monotonic()
        with self._lock:
            window = self._accepted
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) + 1 > limit:
                return False
            window.append(now)
            return True

    def _authorised(self, query: dict[str, list[str]], authorization: str | None) -> bool:
        if self.api_key in query.get("api_key", []):
            return True
        return authorization is not None and authorization == f"Bearer {self.read_token}"

    def _next_fault(self, tmdb_id: int) -> str | None:
        with self._lock:
            queue = self.faults.get(tmdb_id) or self.faults.get(str(tmdb_id))  # type: ignore[call-overload]
            return queue.pop(0) if queue else None

    def _route(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        parts = path.split("/")
        if len(parts) == 4 and parts[:3] == ["", "3", "movie"] and parts[3].isdigit():
            return 200, self._movie(int(parts[3]), query)
        if path == "/3/search/movie":
            return 200, self._search(query)
        if path == "/3/discover/movie":
            return 200, self._discover(query)
        raise _Reply("not_found")

    # ---- routes ----------------------------------------------------------------

    def _apply_fault(self, fault: str) -> None:
        name, _, arg = fault.partition(":")
        if name == "500":
            raise _Reply("internal")
        if name == "503":
            raise _Reply("offline")
        if name == "429":
            raise _Reply("rate", {"Retry-After": arg or "1"})
        if name == "slow":
            time.sleep(float(arg or 1))
            return
        if name == "drop":
            raise _Reply(None)
        raise ValueError(f"unknown fault {fault!r} (use 500, 503, 429, 429:N, slow:S or drop)")

    def _movie(self, tmdb_id: int, query: dict[str, list[str]]) -> dict[str, Any]:
        fault = self._next_fault(tmdb_id)
        if fault is not None:
            self._apply_fault(fault)
        record = self.films.get(tmdb_id)
        if record is None:
            raise _Reply("not_found")
        body = {key: copy.deepcopy(value) for key, value in record.items() if key not in APPENDABLE}
        wanted = [name.strip() for value in query.get("append_to_response", [])
                  for name in value.split(",")]
        for name in wanted:
            if name in APPENDABLE:
                body[name] = copy.deepcopy(record.get(name, APPENDABLE[name]))
        return body

    def _search(self, query: dict[str, list[str]]) -> dict[str, Any]:
        page = _page(query)
        text = _first(query, "query").casefold()
        year = _first(query, "year").strip()
        if year and not year.isdigit():
            raise _Reply("bad_input")
        found = []
        if text:
            for record in list(self.films.values()):
                titles = (str(record.get("title") or ""), str(record.get("original_title") or ""))
                if not any(text in title.casefold() for title in titles):
                    continue
                if year and str(record.get("release_date") or "")[:4] != year.zfill(4):
                    continue
                found.append(record)
        found.sort(key=lambda r: (-float(r.get("popularity") or 0), int(r["id"])))
        return self._paged(found, page)

    def _discover(self, query: dict[str, list[str]]) -> dict[str, Any]:
        page = _page(query)
        region = _first(query, "region").strip().upper()
        types: set[int] | None = None
        if _first(query, "with_release_type").strip():
            try:
                types = {int(t) for value in query["with_release_type"]
                         for t in value.replace(",", "|").split("|") if t.strip()}
            except ValueError:
                raise _Reply("bad_input") from None
        low = _date_param(query, "release_date.gte")
        high = _date_param(query, "release_date.lte")
        found: list[tuple[str, int, dict[str, Any]]] = []
        for record in list(self.films.values()):
            dates = []
            for group in (record.get("release_dates") or {}).get("results") or []:
                if region and str(group.get("iso_3166_1", "")).upper() != region:
                    continue
                for row in group.get("release_dates") or []:
                    day = str(row.get("release_date") or "")[:10]
                    if types is not None and row.get("type") not in types:
                        continue
                    if len(day) != 10 or (low and day < low) or (high and day > high):
                        continue
                    dates.append(day)
            if dates:
                found.append((min(dates), int(record["id"]), record))
        found.sort(key=lambda item: item[:2])
        return self._paged([record for _, _, record in found], page)

    def _paged(self, records: list[dict[str, Any]], page: int) -> dict[str, Any]:
        size = self.page_size
        chunk = records[(page - 1) * size: page * size]
        return {"page": page, "results": [_summary(r) for r in chunk],
                "total_pages": max(1, math.ceil(len(records) / size)), "total_results": len(records)}


def _first(query: dict[str, list[str]], name: str) -> str:
    values = query.get(name)
    return values[0] if values else ""


def _page(query: dict[str, list[str]]) -> int:
    text = _first(query, "page").strip() or "1"
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise _Reply("bad_page")
    return int(text)


def _date_param(query: dict[str, list[str]], name: str) -> str:
    text = _first(query, name).strip()
    if not text:
        return ""
    try:
        return _dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise _Reply("bad_input") from None


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    genre_ids = [g.get("id") for g in record.get("genres") or [] if isinstance(g, dict)]
    source = {**record, "genre_ids": genre_ids}
    defaults = {"adult": False, "video": False, "popularity": 0.0, "vote_average": 0.0, "vote_count": 0,
                "release_date": "", "overview": "", "original_language": "en"}
    return {key: copy.deepcopy(source.get(key, defaults.get(key))) for key in SUMMARY_FIELDS}


# ---- synthetic films for the benchmark ----------------------------------------

_GIVEN = ("Ada", "Bruno", "Chiara", "Dmitri", "Elin", "Farid", "Greta", "Hiro", "Ines", "Jonas",
          "Kalina", "Luca", "Mira", "Nils", "Odile", "Pavel", "Rosa", "Soren", "Tamsin", "Yusuf")
_FAMILY = ("Albescu", "Brandvik", "Castellane", "Dorrington", "Eskola", "Ferreiro", "Grünholz",
           "Hallström", "Ivanescu", "Jorvik", "Kettleby", "Lindqvar", "Morandi", "Novacek",
           "Orsolya", "Pellworth", "Quist", "Rautio", "Stavenes", "Thornquill")
_GENRES = ((18, "Drama"), (35, "Comedy"), (53, "Thriller"), (878, "Science Fiction"), (10749, "Romance"),
           (9648, "Mystery"), (16, "Animation"), (99, "Documentary"))


def _hex_id(*parts: object) -> str:
    """A 24-hex-digit id shaped like TMDB's credit ids, stable for the same PARTS."""
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()[:24]


def _person(seed: int, department: str) -> dict[str, Any]:
    return {
        "adult": False,
        "gender": (1, 2, 0, 3)[seed % 4],
        "id": 8_800_000 + seed,
        "known_for_department": department,
        "name": f"{_GIVEN[seed % len(_GIVEN)]} {_FAMILY[(seed * 7) % len(_FAMILY)]}",
        "original_name": f"{_GIVEN[seed % len(_GIVEN)]} {_FAMILY[(seed * 7) % len(_FAMILY)]}",
        "popularity": round(1.0 + (seed * 37 % 500) / 10, 3),
        "profile_path": None if seed % 3 == 0 else f"/synthProfile{seed:05d}.jpg",
    }


def _row(day: _dt.date, kind: int, note: str = "", certification: str = "") -> dict[str, Any]:
    return {"certification": certification, "descriptors": [], "iso_639_1": "", "note": note,
            "release_date": f"{day.isoformat()}T00:00:00.000Z", "type": kind}


def synthetic_film(tmdb_id: int, index: int) -> dict[str, Any]:
    """A deterministic fictional full record: "Synthetic Film 0001" and so on.

    Releases in US/GB/FR (a type-1 premiere in FR, types 2 and 3 in US, 3 in GB,
    a type-4 digital release in US and GB), spread over 2024-2027 by INDEX;
    credits with one director and three cast; external ids tt9NNNNNN / Q9NNNNNN.
    """
    base = _dt.date(2024, 1, 5) + _dt.timedelta(days=(index * 11) % 1400)
    day = _dt.timedelta(days=1)
    genre_a, genre_b = _GENRES[index % len(_GENRES)], _GENRES[(index + 3) % len(_GENRES)]
    platforms = ("Netflix", "iTunes", "Prime Video", "", "Hulu", "Google Play")
    premiere = base - 40 * day
    director = {**_person(index * 4, "Directing"), "credit_id": _hex_id("synthetic", tmdb_id, "director"),
                "department": "Directing", "job": "Director"}
    cast = []
    for order in range(3):
        seed = index * 4 + order + 1
        cast.append({**_person(seed, "Acting"), "cast_id": order + 1,
                     "character": f"Character {chr(65 + order)}{index:04d}",
                     "credit_id": _hex_id("synthetic", tmdb_id, "cast", order), "order": order})
    title = f"Synthetic Film {index:04d}"
    imdb = f"tt9{index:06d}"
    return {
        "adult": False,
        "backdrop_path": f"/synthBackdrop{index:04d}.jpg",
        "belongs_to_collection": None,
        "budget": (index % 9) * 1_000_000,
        "genres": [{"id": genre_a[0], "name": genre_a[1]}, {"id": genre_b[0], "name": genre_b[1]}],
        "homepage": "",
        "id": tmdb_id,
        "imdb_id": imdb,
        "original_language": "en",
        "original_title": title,
        "overview": f"Synthetic film number {index} of the relcal benchmark; nothing happens, twice.",
        "popularity": round(5.0 + (index * 7919 % 1000) / 10, 3),
        "poster_path": f"/synthPoster{index:04d}.jpg",
        "production_companies": [],
        "production_countries": [{"iso_3166_1": "US", "name": "United States of America"}],
        "release_date": premiere.isoformat(),
        "revenue": 0,
        "runtime": 80 + index % 60,
        "spoken_languages": [{"english_name": "English", "iso_639_1": "en", "name": "English"}],
        "status": "Released" if premiere <= _dt.date(2026, 11, 1) else "Post Production",
        "tagline": "",
        "title": title,
        "video": False,
        "vote_average": round((index * 31 % 100) / 10, 1),
        "vote_count": index * 13 % 997,
        "release_dates": {"results": [
            {"iso_3166_1": "FR", "release_dates": [_row(premiere, 1, "Festival de Synthèse")]},
            {"iso_3166_1": "US", "release_dates": [
                _row(base - 7 * day, 2),
                _row(base, 3, certification=("PG", "PG-13", "R", "")[index % 4]),
                _row(base + 60 * day, 4, platforms[index % len(platforms)]),
            ]},
            {"iso_3166_1": "GB", "release_dates": [
                _row(base + 14 * day, 3, certification=("12A", "15", "PG", "")[index % 4]),
                _row(base + 90 * day, 4, platforms[(index + 1) % len(platforms)]),
            ]},
        ]},
        "credits": {"cast": cast, "crew": [director]},
        "external_ids": {"imdb_id": imdb, "wikidata_id": f"Q9{index:07d}", "facebook_id": None,
                         "instagram_id": None, "twitter_id": None},
    }


# ---- by hand ---------------------------------------------------------------------

def move_release(record: dict[str, Any], region: str, kind_type: int, new_date: str,
                 note: str = "") -> dict[str, Any]:
    """A copy of RECORD in which REGION's row of KIND_TYPE (with NOTE) is dated NEW_DATE:
    what TMDB shows after a studio moves a release."""
    moved = copy.deepcopy(record)
    for country in moved.get("release_dates", {}).get("results", []):
        if country["iso_3166_1"].upper() == region.upper():
            for row in country["release_dates"]:
                if row["type"] == kind_type and row["note"] == note:
                    row["release_date"] = f"{new_date}T00:00:00.000Z"
    return moved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a fake TMDB v3 API on 127.0.0.1 until Ctrl-C.")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    parser.add_argument("--rate", type=float, default=None, help="accept at most this many requests a second")
    parser.add_argument("--page-size", type=int, default=20, help="results per page (default 20)")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N",
                        help="also serve N synthetic films (ids 990001 on)")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--read-token", default=DEFAULT_READ_TOKEN)
    args = parser.parse_args(argv)
    films = load_fixture_films()
    for index in range(1, args.synthetic + 1):
        films[990_000 + index] = synthetic_film(990_000 + index, index)
    fake = FakeTmdb(films, api_key=args.api_key, read_token=args.read_token, rate_limit=args.rate,
                    page_size=args.page_size, port=args.port)
    try:
        try:
            fake.start()
        except OSError as exc:
            print(f"tmdb_server: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"RELCAL_TMDB_URL={fake.url}", flush=True)
        print(f"TMDB_API_KEY={fake.api_key}", flush=True)
        print(f"TMDB_READ_TOKEN={fake.read_token}", flush=True)
        print(f"# {len(films)} films; Ctrl-C stops", file=sys.stderr, flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

