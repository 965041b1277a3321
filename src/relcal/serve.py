"""relcal serve: the calendar as a subscription feed, and its page, over HTTP.

uvicorn runs a small ASGI app of relcal's own (three paths; no framework):

- ``GET /releases.ics?PARAMETERS``: the calendar ``relcal export`` writes for the
  same filters, made by the same functions (``Query.parse``, ``ical.make_options``,
  ``ical.export_bytes``), so with the same SOURCE_DATE_EPOCH the bytes are the same.
  Nothing matching is an empty calendar (a feed with nothing scheduled), status 200.
  The parameters are export's options (``feed_request``).
- ``GET /`` (and ``/index.html``): the page (site.py), with subscribe links to this
  server as the browser reached it.
- ``HEAD`` as ``GET`` without the body; other methods 405; other paths 404 (no
  path is ever a file name: nothing is read from disk for a request); a bad
  parameter 400 with the core's one-line reason.

Caching: a strong ETag (a hash of the body) and Last-Modified (the newest mtime
of the dataset's files; it never goes back, and a calendar that depends on
today is newer than today's midnight); ``If-None-Match`` (first) and
``If-Modified-Since`` are answered 304 (a date later than the server's clock is
invalid, and ignored: RFC 9110 13.1.3). DTSTAMP is SOURCE_DATE_EPOCH when set,
else the data's Last-Modified, so a calendar's bytes change only with its data.

Answers are kept per snapshot and request (and a calendar per query and
options, however its parameters are spelt). What is not made yet is made in a
worker thread, one at a time, so a calendar being made does not hold up the
answers made already; requests that come while it is made wait for that one
making instead of starting their own.

The data (``Dataset``): before a request is answered, the dataset's files are
looked at (a folder scan and a stat a file, nothing read), then not again for
ten times what that took (so looking costs a tenth of the time at most, and a
small dataset is looked at on every request). When the files changed, the
request waits until the writing has settled (no file modified within SETTLE
seconds), then the data is read again in a worker thread (through the parse
cache: only the changed files are parsed), every film built, and swapped in
whole with its own answers: a request sees the old data or the new, never a
mix, nor a file while it is being written. Where looking takes long (thousands of
files), it runs in a worker thread and requests are answered from the data as
it was meanwhile. Data that no longer loads is logged once (the loader's
FILE:LINE:COL line) and the last good data is served until the files change.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import ipaddress
import os
import re
import signal
import socket
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from typing import Any, TextIO
from urllib.parse import parse_qsl

from . import ical, site
from .catalog import Catalog, PathLike, file_keys, load_catalog, shipped_dataset, user_films_folder
from .dates import add_days
from .errors import DataError, RelcalError, UsageError
from .query import FILTERS, Query

# ---------------------------------------------------------------------------
# /releases.ics's parameters: export's options, by the same names

LISTS = FILTERS  # each repeatable
SINGLES = ("from", "to", "past_days", "future_days", "include_partial", "remind", "name")
ALIASES = {"pastDays": "past_days", "futureDays": "future_days",  # Radarr's and Sonarr's spelling
           "include-partial": "include_partial", "past-days": "past_days", "future-days": "future_days"}
MAX_PARAMETERS = 200
_TRUE = ("", "1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
_OPTION = re.compile(r"(?<![\w-])--(from|to|kind|platform|region|film|person|search|status|remind|name|"
                     r"include-partial|days)\b")


def feed_request(params: Sequence[tuple[str, str]], today: date,
                 stamp: datetime | None = None) -> tuple[Query, ical.Options]:
    """The Query and the export Options that /releases.ics's PARAMS ask for.

    ``kind platform region film person search status`` (each repeatable), ``from to``
    (dates as export reads them, relative ones from TODAY), ``past_days future_days``
    (the range as TODAY minus / plus that many days; instead of from / to),
    ``include_partial`` (1/true/yes/on or 0/false/no/off; alone it means yes),
    ``remind``, ``name``. Anything else, or a single one given twice, is a UsageError.
    """
    lists: dict[str, list[str]] = {name: [] for name in LISTS}
    single: dict[str, str] = {}
    for given, value in params:
        name = ALIASES.get(given, given)
        if name in lists:
            lists[name].append(value)
        elif name in SINGLES:
            if name in single:
                raise UsageError(f"{name} is given twice; give it once")
            single[name] = value
        else:
            import difflib

            close = difflib.get_close_matches(name, [*LISTS, *SINGLES], n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise UsageError(f"{given!r} is not a parameter; {hint}use {', '.join((*LISTS, *SINGLES))}")
    for typed, days in (("from", "past_days"), ("to", "future_days")):
        if typed in single and days in single:
            raise UsageError(f"{typed} and {days} both set where the calendar {'starts' if typed == 'from' else 'ends'}; "
                             "give one of them")
    given: dict[str, Any] = {**lists, "from": single.get("from"), "to": single.get("to")}
    if "past_days" in single:
        given["from"] = add_days(today, -_days(single["past_days"], "past_days"), "past_days")
    if "future_days" in single:
        given["to"] = add_days(today, _days(single["future_days"], "future_days"), "future_days")
    options = ical.make_options(name=single.get("name", ical.DEFAULT_NAME), remind=single.get("remind"),
                                include_partial=_flag(single.get("include_partial"), "include_partial"), stamp=stamp)
    return Query.parse(today, given), options


_DAYS = re.compile(r"[0-9]{1,6}")  # ASCII digits only: str.isdigit() takes "²" (int() refuses it) and "٣" (a 3)


def _days(text: str, name: str) -> int:
    cleaned = text.strip()
    if not _DAYS.fullmatch(cleaned):
        raise UsageError(f"{name}: {text!r} is not a number of days; give a whole number, 0 or more")
    return int(cleaned)


def _flag(text: str | None, name: str) -> bool:
    if text is None:
        return False
    key = text.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise UsageError(f"{name}: {text!r} is not yes or no; give 1 or 0 (true/false, yes/no, on/off)")


def parameter_message(exc: RelcalError) -> str:
    """The core's message, its option names as the URL spells them ('--kind: ...' -> 'kind: ...')."""
    return _OPTION.sub(lambda m: m.group(1).replace("-", "_"), str(exc))


def read_query_string(raw: bytes) -> list[tuple[str, str]]:
    """The (name, value) pairs of a query string (UTF-8, form-encoded); a UsageError if unreadable."""
    if not raw:
        return []
    try:
        return parse_qsl(raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict",
                         max_num_fields=MAX_PARAMETERS)
    except UnicodeError:
        raise UsageError("the query string is not UTF-8; percent-encode the parameters' UTF-8 bytes") from None
    except ValueError:
        raise UsageError(f"more than {MAX_PARAMETERS} parameters; ask for fewer") from None


# ---------------------------------------------------------------------------
# The data, re-read when its files change

SETTLE = 0.5  # seconds without a change before files that were just written are read
SETTLE_MAX = 3.0  # ... but no request waits longer than this for a writer that does not stop
CHECK_SHARE = 10  # a check of the files is followed by at least this many times its cost without one
CHECK_MAX = 2.0  # seconds: the longest a change can go unnoticed, however slow the check
SLOW_CHECK = 0.02  # seconds: a check slower than this runs in a worker thread, and no request waits for it
_LOADS = 3  # reads of data that keeps changing while it is read, before the last one is taken


class Snapshot:
    """One reading of the dataset, never changed once made, with the answers made from it."""

    def __init__(self, catalog: Catalog, state: Any, last_modified: int, generation: int):
        self.catalog = catalog
        self.state = state
        self.last_modified = last_modified  # whole seconds since 1970
        self.generation = generation
        self.answers: dict[Any, Answer] = {}
        self.bodies: dict[Any, bytes] = {}
        self.cached_bytes = 0
        self._making: dict[Any, asyncio.Future[Any]] = {}  # what worker threads are making now, by key

    def remember(self, key: Any, answer: Answer) -> Answer:
        """Keep ANSWER for KEY (the one kept already, if another request made it meanwhile);
        past _MAX_ANSWERS answers or _MAX_CACHED bytes, all are dropped first."""
        kept = self.answers.get(key)
        if kept is not None:
            return kept
        if len(self.answers) >= _MAX_ANSWERS or self.cached_bytes + len(answer.body) > _MAX_CACHED:
            self.answers.clear()
            self.bodies.clear()
            self.cached_bytes = 0
        self.answers[key] = answer
        self.cached_bytes += len(answer.body)
        return answer

    async def make(self, key: Any, build: Callable[[], Any], maker: Executor) -> Any:
        """What BUILD returns, made by MAKER's worker thread so that the event loop goes on answering;
        a request for a KEY being made waits for that making (its result or its exception)."""
        making = self._making.get(key)
        if making is None:
            making = self._making[key] = asyncio.get_running_loop().run_in_executor(maker, build)
            making.add_done_callback(lambda done: self._made(key, done))
        return await asyncio.shield(making)  # a request that goes away does not stop it for the others

    def _made(self, key: Any, done: asyncio.Future[Any]) -> None:
        if self._making.get(key) is done:
            del self._making[key]
        if not done.cancelled():
            done.exception()  # retrieved here: asyncio does not log it if every waiter went away


def _newest(state: Any) -> int:
    """The newest mtime of STATE's files, in nanoseconds (0 if none)."""
    return max((key[1] for _, key in state[0]), default=0)


class Dataset:
    """The dataset as the server sees it: the last good Snapshot, and how its files look."""

    def __init__(self, paths: Sequence[PathLike] | None, use_cache: bool, log: Callable[[str], None]):
        self.paths = list(paths) if paths is not None else None
        # Without --data: the shipped dataset and the user's folder when it exists (catalog.default_paths),
        # found once: the environment that names them does not change while the server runs.
        self._defaults = None if paths is not None else (str(shipped_dataset()), str(user_films_folder()))
        self.use_cache = use_cache
        self.log = log
        self.snapshot: Snapshot | None = None
        self.problem: str | None = None  # why the files as they are now could not be read
        self._seen: Any = None  # the state of the files last read, good or bad
        self._next_check = 0.0
        self._checking: asyncio.Future[None] | None = None  # the look at the files under way
        self._slow = False  # looking takes long: requests do not wait for it
        self._failure: str | None = None  # the last unexpected error looking or reading, logged once

    def state(self) -> Any:
        """How the files look: each one's stat key, and the problems finding them (a scan, no reading)."""
        if self._defaults is None:
            return file_keys(self.paths)
        shipped, mine = self._defaults
        return file_keys([shipped, mine] if os.path.isdir(mine) else [shipped])

    def load_first(self) -> Snapshot:
        """The first reading, before the server starts: a DataError stops relcal serve."""
        result, state = self._load()
        if isinstance(result, DataError):
            raise result
        self._install(result, state)
        assert self.snapshot is not None
        return self.snapshot

    def _load(self) -> tuple[Catalog | DataError, Any]:
        """Read the data; read it again if the files changed meanwhile (a few times at most)."""
        result: Catalog | DataError
        for _ in range(_LOADS):
            before = self.state()
            try:
                result = load_catalog(self.paths, use_cache=self.use_cache)
                result.films  # noqa: B018  (every film built now: nothing is read from disk for a request)
                result.ids()
            except DataError as exc:
                result = exc
            after = self.state()
            if after == before:
                break
        return result, after

    def _install(self, catalog: Catalog, state: Any) -> None:
        last = _newest(state) // 10**9
        old = self.snapshot
        if old is not None and last <= old.last_modified:
            last = old.last_modified + 1  # never back, never the same: If-Modified-Since stays right
        self.snapshot = Snapshot(catalog, state, last, 1 if old is None else old.generation + 1)
        self._seen = state
        gc.freeze()  # the catalog lives until the next edit: the collector need not scan it again and again

    async def current(self) -> Snapshot:
        """The snapshot to answer a request from, the files looked at first (see the module's notes).

        A request waits for the look (and, if the files changed, for them to be read again),
        unless looking takes long (a folder of thousands of files): then it is done in a worker
        thread while requests are answered from the data as it was."""
        assert self.snapshot is not None
        if time.monotonic() < self._next_check:
            return self.snapshot
        if self._checking is None:
            self._checking = asyncio.ensure_future(self._check())
        if not self._slow:
            await asyncio.shield(self._checking)  # shared by the requests that come meanwhile
        return self.snapshot

    async def _check(self) -> None:
        try:
            began = time.monotonic()
            state = await asyncio.to_thread(self.state) if self._slow else self.state()
            cost = time.monotonic() - began
            self._slow = cost > SLOW_CHECK
            self._next_check = time.monotonic() + min(CHECK_SHARE * cost, CHECK_MAX)
            if state != self._seen:
                await self._reload(state)
        except Exception as exc:  # the next request looks again; the data as it was is served
            message = f"relcal: cannot read the dataset ({type(exc).__name__}: {exc}); still serving the data read before"
            if message != self._failure:  # once, not at every request
                self.log(message)
            self._failure = message
        else:
            self._failure = None
        finally:
            self._checking = None

    async def _reload(self, state: Any) -> None:
        deadline = time.monotonic() + SETTLE_MAX
        while time.monotonic() < deadline:
            age = time.time() - _newest(state) / 10**9
            if not 0 <= age < SETTLE:
                break
            await asyncio.sleep(SETTLE - age)
            state = await asyncio.to_thread(self.state) if self._slow else self.state()
        result, state = await asyncio.to_thread(self._load)
        if isinstance(result, DataError):
            self._seen = state
            self.problem = str(result)
            self.log(f"relcal: {self.problem}; still serving the data read before")  # once: until the files change
            return
        self._install(result, state)
        self.problem = None
        films = len(result)
        self.log(f"relcal: read the dataset again: {films:,} film{'s' * (films != 1)}, "
                 f"{result.window_count:,} release windows")


# ---------------------------------------------------------------------------
# Answers

class Answer:
    """A response, ready to send: status, headers (as bytes) and body."""

    __slots__ = ("status", "body", "etag", "last_modified", "headers", "not_modified")

    def __init__(self, status: int, body: bytes, content_type: str, *, last_modified: int | None = None,
                 cache: str = "no-store", extra: Sequence[tuple[str, str]] = ()):
        self.status = status
        self.body = body
        self.last_modified = last_modified
        self.etag = ('"' + hashlib.sha256(body).hexdigest()[:32] + '"').encode() if status == 200 else None
        common = [(b"cache-control", cache.encode()), (b"x-content-type-options", b"nosniff")]
        common += [(k.encode(), v.encode()) for k, v in extra]
        if self.etag is not None:
            common.insert(0, (b"etag", self.etag))
        self.headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()),
                        *common]
        self.not_modified = [h for h in common if h[0] in (b"etag", b"cache-control")]

    def last_modified_header(self) -> list[tuple[bytes, bytes]]:
        if self.last_modified is None:
            return []
        # never later than now (RFC 9110 8.8.2.1): a just-bumped time is sent as now
        return [(b"last-modified", _http_date(min(self.last_modified, int(time.time()))))]

    def fresh_for(self, headers: Sequence[tuple[bytes, bytes]]) -> bool:
        """True when the request's validators say the client has this body (answer 304)."""
        if self.etag is None:
            return False
        none_match = [v for k, v in headers if k == b"if-none-match"]
        if none_match:  # it decides alone when present (RFC 9110 13.2.2)
            return any(_etag_matches(v, self.etag) for v in none_match)
        if self.last_modified is None:
            return False
        for k, v in headers:
            if k == b"if-modified-since":
                since = _parse_http_date(v)
                # a date later than now is invalid, as if not sent (RFC 9110 13.1.3): it would make
                # every later change look old to this client
                return since is not None and since <= time.time() and self.last_modified <= since
        return False


@lru_cache(maxsize=64)
def _http_date(seconds: int) -> bytes:
    return formatdate(seconds, usegmt=True).encode()


@lru_cache(maxsize=256)
def _parse_http_date(value: bytes) -> int | None:
    try:
        when = parsedate_to_datetime(value.decode("latin-1"))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp())


_ETAG = re.compile(rb'(?:W/)?("[^"]*")')


def _etag_matches(value: bytes, etag: bytes) -> bool:
    if value == etag or value.strip() == b"*":
        return True
    return etag in _ETAG.findall(value)  # a list of tags, weak or strong: the weak comparison


def text_answer(status: int, message: str, extra: Sequence[tuple[str, str]] = ()) -> Answer:
    return Answer(status, (message.rstrip("\n") + "\n").encode("utf-8"), "text/plain; charset=utf-8", extra=extra)


NOT_FOUND = text_answer(404, "not found: relcal serves / (the page) and /releases.ics (the calendar; "
                             "filters as parameters, e.g. /releases.ics?platform=Hulu)")
NOT_ALLOWED = text_answer(405, "method not allowed: use GET or HEAD", extra=[("allow", "GET, HEAD")])
INTERNAL = text_answer(500, "internal error in relcal; its log says more")
FEED_TYPE = "text/calendar; charset=utf-8"
PAGE_TYPE = "text/html; charset=utf-8"
FEED_CACHE = "max-age=3600"
PAGE_CACHE = "no-cache"  # the page: always asked again (cheap with its ETag), so an edit shows at once
_MAX_ANSWERS = 1024  # answers kept per snapshot, by request: beyond that they are all made afresh ...
_MAX_CACHED = 64 * 1024 * 1024  # ... and beyond this many bytes of bodies
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")
_PORT = re.compile(r":[0-9]{1,5}$")
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})


def host_name(netloc: str) -> str:
    """'Films.Example:8080' -> 'films.example' (the name a Host header gives, without its port)."""
    return _PORT.sub("", netloc.strip()).rstrip(".").lower()


def misdirected(name: str) -> Answer:
    if not _HOST.fullmatch(name):  # not a host name at all: never echoed
        return text_answer(421, "relcal serve listens on this machine only and answers to localhost")
    return text_answer(421, f"relcal serve listens on this machine only and answers to localhost, not to {name!r}; "
                            f"behind a proxy that keeps the name, start it with --allow-host {name}")


class App:
    """The ASGI application: routes, answers and the access log."""

    def __init__(self, data: Dataset, *, today: date | None, stamp: datetime | None, host: str,
                 log: Callable[[str], None], names: frozenset[str] | None = None):
        self.data = data
        # Bound to loopback, the server answers only to the names of this machine (and those
        # allowed): a web page that points a name of its own at 127.0.0.1 (DNS rebinding)
        # cannot read the calendar, nor the user's own films in it. None: any name.
        self.names = names
        self.today = today  # fixed by --today / RELCAL_TODAY; else the local date of each request
        self.stamp = stamp  # SOURCE_DATE_EPOCH's DTSTAMP, if set
        self.host = host  # host[:port] for links when a request names none
        self.log = log
        self.csp = site.content_security_policy()
        # Calendars and pages not made yet are made here, one at a time: the work is Python's, so more
        # threads would not make more at once (one lock), and each would take the lock from the event loop,
        # which then answers what is made already a little later with every thread added.
        self.maker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="relcal-make")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        method = scope["method"]
        try:
            answer = await self.answer(scope)
        except Exception as exc:  # a bug: one line in the log, a 500, and the server goes on
            if os.environ.get("RELCAL_DEBUG"):
                raise
            self.log(f"relcal: internal error ({type(exc).__name__}: {exc}); this is a bug in relcal: "
                     "rerun with RELCAL_DEBUG=1 and report the traceback")
            answer = INTERNAL
        status = answer.status
        if status == 200 and answer.fresh_for(scope["headers"]):
            status, headers, body = 304, answer.not_modified + answer.last_modified_header(), b""
        else:
            headers = answer.headers + answer.last_modified_header()
            body = b"" if method == "HEAD" else answer.body
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        self._access(scope, status, len(body))

    async def answer(self, scope: dict[str, Any]) -> Answer:
        if self.names is not None:
            named = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
            if named is not None and host_name(named) not in self.names and not host_name(named).startswith("127."):
                return misdirected(host_name(named)[:100])
        path = scope["path"]
        if path == "/releases.ics":
            kind = "feed"
        elif path in ("/", "/index.html"):
            kind = "page"
        else:
            return NOT_FOUND
        if scope["method"] not in ("GET", "HEAD"):
            return NOT_ALLOWED
        snapshot = await self.data.current()
        today = self.today or date.today()
        if kind == "feed":
            key: Any = ("feed", today, scope["query_string"])
        else:
            key = ("page", today, self._host(scope), self.data.problem)  # the page tells of a problem
        found = snapshot.answers.get(key)
        if found is None:
            if kind == "feed":
                made = await self._feed(snapshot, today, scope["query_string"])
            else:
                host, problem = key[2], key[3]
                made = await snapshot.make(key, lambda: self._page(snapshot, today, host, problem), self.maker)
            found = snapshot.remember(key, made)
        return found

    # -- the calendar -------------------------------------------------------
    async def _feed(self, snapshot: Snapshot, today: date, raw: bytes) -> Answer:
        stamp = self.stamp or datetime.fromtimestamp(snapshot.last_modified, timezone.utc)
        try:
            params = read_query_string(raw)
            query, options = feed_request(params, today, stamp)
            body = snapshot.bodies.get((query, options))
            if body is None:  # an unknown film id is a UsageError from query.rows, raised here
                body = await snapshot.make((query, options),
                                           lambda: ical.export_bytes(query.rows(snapshot.catalog), options), self.maker)
                snapshot.bodies[query, options] = body  # for other spellings of the same request
        except RelcalError as exc:
            return text_answer(400, parameter_message(exc))
        last = snapshot.last_modified
        if self.today is None and _moves_with_the_day(params, today, query):
            last = max(last, _midnight(today))  # a range counted from today changes at midnight
        return Answer(200, body, FEED_TYPE, last_modified=last, cache=FEED_CACHE)

    # -- the page -----------------------------------------------------------
    def _host(self, scope: dict[str, Any]) -> str:
        for name, value in scope["headers"]:
            if name == b"host":
                text = value.decode("latin-1")
                if _HOST.fullmatch(text):
                    return text
                break
        return self.host

    def _page(self, snapshot: Snapshot, today: date, host: str, problem: str | None) -> Answer:
        rows = Query().rows(snapshot.catalog)
        page = page_for(rows, today, host, ical.DEFAULT_NAME,
                        updated=self.stamp or datetime.fromtimestamp(snapshot.last_modified, timezone.utc),
                        problem=problem)
        last = snapshot.last_modified if self.today is not None else max(snapshot.last_modified, _midnight(today))
        return Answer(200, site.render_page(page), PAGE_TYPE, last_modified=last, cache=PAGE_CACHE,
                      extra=[("content-security-policy", self.csp), ("referrer-policy", "no-referrer"),
                             ("x-frame-options", "DENY")])

    # -- the log ------------------------------------------------------------
    def _access(self, scope: dict[str, Any], status: int, size: int) -> None:
        client = scope.get("client")
        who = client[0] if client else "-"
        target = (scope.get("raw_path") or scope["path"].encode("utf-8", "replace"))
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        shown = target.decode("ascii", "backslashreplace")
        when = _log_time(int(time.time()))
        self.log(f'{who} - - [{when}] "{scope["method"]} {shown} HTTP/{scope.get("http_version", "1.1")}" '
                 f"{status} {size or '-'}")


def page_for(rows: Sequence[Any], today: date, host: str, name: str, *, updated: datetime | None,
             problem: str | None) -> site.Page:
    """The page of ``relcal serve``: links to this server's feed, one per platform and kind."""
    include_partial = False  # the feeds' default: what a subscriber gets without the parameter
    main = site.served_link("All releases", host, len(ical.exported(rows, include_partial)))
    sections = []
    for title, groups, param in (("One calendar per platform", site.platform_groups(rows, include_partial), "platform"),
                                 ("One calendar per kind", site.kind_groups(rows, include_partial), "kind")):
        links = [site.served_link(g.label, host, g.count, [(param, g.value), ("name", f"{name} — {g.label}")])
                 for g in groups]
        sections.append((title, links))
    return site.Page(name, today, rows, main, sections, updated, problem)


def _moves_with_the_day(params: Sequence[tuple[str, str]], today: date, query: Query) -> bool:
    """Whether PARAMS ask for another range tomorrow (past_days, from=today, to=+2w...)."""
    try:
        return feed_request(params, today + timedelta(days=1))[0] != query
    except RelcalError:
        return True


@lru_cache(maxsize=4)
def _log_time(seconds: int) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime(seconds))


def _midnight(day: date) -> int:
    """The start of DAY in local time, in seconds since 1970."""
    return int(time.mktime((day.year, day.month, day.day, 0, 0, 0, 0, 0, -1)))


# ---------------------------------------------------------------------------
# The server

def _bind(host: str, port: int) -> socket.socket:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise UsageError(f"--host: {host!r} is not an address of this machine ({exc}); "
                         "give one like 127.0.0.1 or localhost") from None
    family, kind, proto, _, address = found[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(2048)  # connections wait in the queue from now on, until uvicorn takes them
    except OSError as exc:
        sock.close()
        hint = "; give another --port (or --port 0 for any free one)" if port else ""
        raise RelcalError(f"cannot listen on {_netloc(host, port)}: {exc.strerror or exc}{hint}") from None
    return sock


def _netloc(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def serve(paths: Sequence[PathLike] | None, *, host: str = "127.0.0.1", port: int = 8080, today: date | None = None,
          use_cache: bool = True, stderr: TextIO | None = None, allow_hosts: Sequence[str] = ()) -> None:
    """Serve the dataset at PATHS until Ctrl-C (or SIGTERM); returns then, having stopped cleanly."""
    import uvicorn

    err = stderr or sys.stderr

    def log(line: str) -> None:
        try:
            err.write(line + "\n")
            err.flush()
        except (OSError, ValueError):
            pass  # the log went away (a closed pipe): serving goes on

    gc.enable()  # short runs leave the collector off (launch.py); a server runs for days
    stamp = ical.dtstamp() if os.environ.get("SOURCE_DATE_EPOCH", "").strip() else None  # a bad one: usage error
    data = Dataset(paths, use_cache, log)
    snapshot = data.load_first()  # invalid data stops here, before anything listens
    sock = _bind(host, port)
    bound = sock.getsockname()[1]
    everywhere = host in ("", "0.0.0.0", "::")
    shown = socket.gethostname() if everywhere else host
    netloc = _netloc(shown, bound)
    films = len(snapshot.catalog)
    log(f"relcal: serving {films:,} film{'s' * (films != 1)}, {snapshot.catalog.window_count:,} release windows")
    log(f"relcal: page:      http://{netloc}/")
    log(f"relcal: subscribe: webcal://{netloc}/releases.ics  (or http://{netloc}/releases.ics)")
    log(f"relcal: filters go in the address, e.g. http://{netloc}/releases.ics?platform=Hulu&kind=vod")
    if everywhere:
        log("relcal: listening on every network interface: anyone who can reach this machine can read the calendar")
    log("relcal: Ctrl-C stops")

    loopback = all(ipaddress.ip_address(a[4][0].split("%")[0]).is_loopback
                   for a in socket.getaddrinfo(host or "0.0.0.0", None, type=socket.SOCK_STREAM))
    names = LOOPBACK_NAMES | {host_name(n) for n in allow_hosts} | {host_name(host)} if loopback else None
    app = App(data, today=today, stamp=stamp, host=netloc, log=log, names=names)
    config = uvicorn.Config(app, http=_http_protocol(), loop="asyncio", lifespan="off", access_log=False, log_config=None,
                            log_level="warning", server_header=False, proxy_headers=False,
                            timeout_graceful_shutdown=3, timeout_keep_alive=5)
    server = _Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # a second Ctrl-C during the shutdown
    finally:
        app.maker.shutdown(wait=False, cancel_futures=True)
        sock.close()
    log("relcal: stopped")


def _http_protocol() -> str:
    """uvicorn's httptools protocol (a C parser: a request costs about half of what h11's does),
    else its pure-Python h11 one."""
    try:
        import httptools  # noqa: F401
    except ImportError:
        return "h11"
    return "httptools"


def _server_class() -> type:
    import uvicorn

    class Server(uvicorn.Server):  # type: ignore[misc, name-defined]
        """uvicorn's server, except that a signal only stops it: uvicorn raises the signal again
        once it has stopped (so the process dies of it); relcal serve then exits 0."""

        def handle_exit(self, sig: int, frame: Any) -> None:
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True
            else:
                self.should_exit = True

    return Server


def _Server(config: Any) -> Any:
    return _server_class()(config)
