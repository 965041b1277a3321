"""The one HTTP client of relcal: TMDB's API, asked politely.

Only ``relcal add``, ``sync`` and ``discover`` import this module (and with
it httpx); every other command starts without an HTTP library.

- Credentials: ``TMDB_READ_TOKEN`` (sent as ``Authorization: Bearer``) or
  ``TMDB_API_KEY`` (the ``api_key`` query parameter). Neither ever appears in
  a message: errors are built from TMDB's own status codes, never from a URL.
- ``RELCAL_TMDB_URL`` replaces the API base (tests, mirrors, proxies).
- Timeouts: 5 s to connect, 20 s to read (``RELCAL_TMDB_TIMEOUT`` sets the
  read timeout). Up to 5 tries per request: after a 429 (no sooner than its
  Retry-After, and the pace slows to what the server took), a 5xx, a timeout
  or a dropped connection, with a doubling backoff.
- A client-side pace (default 40 requests/s) and a few requests in flight.
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from .. import __version__
from ..errors import RelcalError, UsageError

DEFAULT_URL = "https://api.themoviedb.org/3"
APPEND = "release_dates,credits,external_ids"
KEY_HELP = "get a key at https://www.themoviedb.org/settings/api"
TRIES = 5
IN_FLIGHT = 6
MAX_RETRY_AFTER = 120.0  # seconds; a server that asks for longer gets a failure, not a hung run
MAX_PAGES = 500  # TMDB serves no page beyond this

T = TypeVar("T")


class TmdbAuthError(RelcalError):
    """TMDB refused the credentials: nothing can succeed, so the whole run stops (exit 1)."""


class TmdbFailure(RelcalError):
    """One request that failed for good; the others go on."""

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


class Credentials:
    """Which credential to send, and how. repr() never shows the secret."""

    __slots__ = ("_secret", "bearer")

    def __init__(self, secret: str, bearer: bool):
        self._secret = secret
        self.bearer = bearer

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Credentials:
        env = os.environ if environ is None else environ
        token = env.get("TMDB_READ_TOKEN", "").strip()
        if token:
            return cls(token, bearer=True)
        key = env.get("TMDB_API_KEY", "").strip()
        if key:
            return cls(key, bearer=False)
        raise UsageError(f"no TMDB credentials: set TMDB_API_KEY (API key) or TMDB_READ_TOKEN "
                         f"(API read access token); {KEY_HELP}")

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._secret}"} if self.bearer else {}

    def params(self) -> dict[str, str]:
        return {} if self.bearer else {"api_key": self._secret}

    def __repr__(self) -> str:
        return f"Credentials({'bearer token' if self.bearer else 'api key'})"


def base_url(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    url = (env.get("RELCAL_TMDB_URL") or DEFAULT_URL).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise UsageError(f"RELCAL_TMDB_URL {url!r} is not an http:// or https:// API base; "
                         f"unset it to use {DEFAULT_URL}")
    return url


def read_timeout(environ: dict[str, str] | None = None) -> float:
    env = os.environ if environ is None else environ
    text = env.get("RELCAL_TMDB_TIMEOUT", "").strip()
    if not text:
        return 20.0
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 600:
        raise UsageError(f"RELCAL_TMDB_TIMEOUT {text!r} is not a number of seconds between 0 and 600")
    return value


class Pace:
    """Spaces requests at most RATE per second, all tasks together; after a 429,
    pauses everyone for the Retry-After and slows to what the server accepted."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic):
        self.gap = 1.0 / rate
        self.clock = clock
        self.next_at = 0.0
        self.paused_until = 0.0
        self.answered: deque[float] = deque()

    async def turn(self) -> None:
        while True:
            now = self.clock()
            at = max(now, self.next_at, self.paused_until)
            self.next_at = at + self.gap
            if at <= now:
                return
            await asyncio.sleep(at - now)
            if self.clock() >= self.paused_until:
                return  # no pause began while this task slept: its turn stands

    def ok(self) -> None:
        now = self.clock()
        self.answered.append(now)
        while self.answered and self.answered[0] < now - 1.0:
            self.answered.popleft()

    def refused(self, wait: float) -> None:
        """A 429: no request for WAIT seconds, then no faster than the server took in its last second."""
        now = self.clock()
        while self.answered and self.answered[0] < now - 1.0:
            self.answered.popleft()
        accepted = len(self.answered)
        self.gap = max(self.gap, 1.0 / (0.95 * accepted) if accepted else min(self.gap * 2, 1.0))
        self.paused_until = max(self.paused_until, now + wait)
        self.next_at = self.paused_until  # turns taken before the pause are void


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit() alone takes '²', which float() refuses
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _tmdb_status(response: httpx.Response) -> tuple[int | None, str]:
    """TMDB's own status code and message from an error body, if it has them."""
    try:
        body = response.json()
    except ValueError:
        return None, ""
    if not isinstance(body, dict):
        return None, ""
    code = body.get("status_code")
    message = body.get("status_message")
    message = " ".join(message.split())[:200] if isinstance(message, str) else ""
    return (code if type(code) is int else None), message


def _said(code: int | None, message: str, http_status: int) -> str:
    if code is not None:
        return f"TMDB status {code}" + (f": {message}" if message else "")
    return f"HTTP {http_status}"


class Tmdb:
    """An asynchronous TMDB client; ``run`` drives a batch of its calls to the end."""

    def __init__(self, credentials: Credentials, url: str = DEFAULT_URL, *, rate: float = 40.0,
                 in_flight: int = IN_FLIGHT, connect_timeout: float = 5.0, timeout: float = 20.0,
                 tries: int = TRIES, backoff: float = 0.5):
        if not rate > 0:
            raise UsageError(f"--rate {rate} must be more than 0 requests per second")
        self.credentials = credentials
        self.url = url.rstrip("/")
        self.rate = rate
        self.in_flight = in_flight
        self.timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self.tries = tries
        self.backoff = backoff
        self.requests = 0  # sent, retries included
        self._client: httpx.AsyncClient | None = None
        self._slots: asyncio.Semaphore | None = None
        self._pace: Pace | None = None

    @classmethod
    def from_env(cls, rate: float = 40.0, **options: Any) -> Tmdb:
        return cls(Credentials.from_env(), base_url(), rate=rate, timeout=read_timeout(), **options)

    # -- running ---------------------------------------------------------------
    def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run WORK (a coroutine function using this client) and close the connections."""

        async def main() -> T:
            self._slots = asyncio.Semaphore(self.in_flight)
            self._pace = Pace(self.rate)
            limits = httpx.Limits(max_connections=self.in_flight, max_keepalive_connections=self.in_flight)
            headers = {"Accept": "application/json", "User-Agent": f"relcal/{__version__}",
                       **self.credentials.headers()}
            async with httpx.AsyncClient(timeout=self.timeout, limits=limits, headers=headers,
                                         trust_env=True, follow_redirects=False) as client:
                self._client = client
                try:
                    return await work()
                finally:
                    self._client = None

        return asyncio.run(main())

    # -- one request -------------------------------------------------------------
    async def get(self, path: str, params: dict[str, Any] | None = None, what: str | None = None) -> dict[str, Any]:
        """GET PATH (under the API base) as a JSON object, retrying what is worth retrying.

        Raises TmdbAuthError when the credentials are refused, TmdbFailure when
        the request fails for good. WHAT names the request in messages.
        """
        assert self._client is not None and self._slots is not None and self._pace is not None, "use run()"
        what = what or path
        query = {**(params or {}), **self.credentials.params()}
        last = ""
        for attempt in range(1, self.tries + 1):
            wait = self.backoff * 2 ** (attempt - 1)
            async with self._slots:
                await self._pace.turn()
                self.requests += 1
                try:
                    response = await self._client.get(self.url + path, params=query)
                except httpx.TimeoutException:
                    last = f"no answer within {self.timeout.read:g} s"
                    response = None
                except httpx.TransportError as exc:
                    last = f"cannot reach {urlsplit(self.url).netloc} ({type(exc).__name__})"
                    response = None
            if response is not None:
                status = response.status_code
                if status == 200:
                    self._pace.ok()
                    try:
                        body = response.json()
                    except ValueError:
                        body = None
                    if not isinstance(body, dict):
                        raise TmdbFailure(f"{what}: TMDB's answer is not a JSON object")
                    return body
                code, message = _tmdb_status(response)
                if status == 401:
                    raise TmdbAuthError(f"TMDB refused the credentials ({_said(code, message, status)}); "
                                        f"check TMDB_API_KEY or TMDB_READ_TOKEN, or {KEY_HELP}")
                if status == 429:
                    after = _retry_after(response.headers.get("Retry-After"))
                    if after is not None and after > MAX_RETRY_AFTER:
                        raise TmdbFailure(f"{what}: TMDB asks to wait {after:.0f} s ({_said(code, message, status)})",
                                          code)
                    wait = max(wait, after or 1.0)
                    self._pace.refused(wait)
                    last = _said(code, message, status)
                elif status >= 500:
                    last = _said(code, message, status)
                else:
                    raise TmdbFailure(f"{what}: {_not_found(code, message, status)}", code)
            if attempt < self.tries:
                await asyncio.sleep(wait)
        raise TmdbFailure(f"{what}: {last} after {self.tries} tries")

    # -- TMDB's endpoints --------------------------------------------------------
    async def movie(self, tmdb_id: int) -> dict[str, Any]:
        """A movie's record with its release dates, credits and external ids, in one request."""
        record = await self.get(f"/movie/{tmdb_id}", {"append_to_response": APPEND}, what=f"tmdb:{tmdb_id}")
        if record.get("id") != tmdb_id:
            raise TmdbFailure(f"tmdb:{tmdb_id}: TMDB answered with another film (id {record.get('id')!r})")
        return record

    async def movies(self, ids: Iterable[int], done: Callable[[], None] | None = None,
                     arrived: Callable[[int, Any], None] | None = None) -> dict[int, dict[str, Any] | TmdbFailure]:
        """Many movies at once (a few in flight); each id's record or its failure.

        DONE is called as each one ends; ARRIVED with the id and its record or failure."""

        async def one(tmdb_id: int) -> dict[str, Any] | TmdbFailure:
            result: dict[str, Any] | TmdbFailure
            try:
                result = await self.movie(tmdb_id)
            except TmdbFailure as failure:
                result = failure
            if done is not None:
                done()
            if arrived is not None:
                arrived(tmdb_id, result)
            return result

        unique = list(dict.fromkeys(ids))
        tasks = [asyncio.ensure_future(one(i)) for i in unique]
        try:
            results = await asyncio.gather(*tasks)
        except BaseException:  # refused credentials, Ctrl-C: the other requests stop too
            for task in tasks:
                task.cancel()
            raise
        return dict(zip(unique, results))

    async def search(self, title: str, year: int | None = None) -> list[dict[str, Any]]:
        """The first page of TMDB's title search (its best matches first)."""
        params: dict[str, Any] = {"query": title, "include_adult": "false"}
        if year is not None:
            params["year"] = year
        body = await self.get("/search/movie", params, what=f"search for {title!r}")
        return [r for r in body.get("results") or [] if isinstance(r, dict) and type(r.get("id")) is int]

    async def discover(self, region: str, start: date, end: date, types: Iterable[int],
                       done: Callable[[], None] | None = None) -> list[dict[str, Any]]:
        """Every page of /discover/movie: films with a release of TYPES in REGION between START and END."""
        params: dict[str, Any] = {"region": region, "release_date.gte": start.isoformat(),
                                  "release_date.lte": end.isoformat(), "sort_by": "primary_release_date.asc",
                                  "include_adult": "false"}
        kinds = "|".join(str(t) for t in sorted(set(types)))
        if kinds:
            params["with_release_type"] = kinds

        async def page(n: int) -> dict[str, Any]:
            body = await self.get("/discover/movie", {**params, "page": n}, what=f"discover page {n}")
            if done is not None:
                done()
            return body

        first = await page(1)
        total = first.get("total_pages")
        pages = [first]
        if type(total) is int and total > 1:
            pages.extend(await asyncio.gather(*(page(n) for n in range(2, min(total, MAX_PAGES) + 1))))
        found: dict[int, dict[str, Any]] = {}
        for body in pages:
            for result in body.get("results") or []:
                if isinstance(result, dict) and type(result.get("id")) is int:
                    found.setdefault(result["id"], result)
        return list(found.values())


def _not_found(code: int | None, message: str, status: int) -> str:
    if code == 34 or (code is None and status == 404):
        return "not found on TMDB (" + _said(code, message, status) + ")"
    return _said(code, message, status)
