"""relcal serve over real HTTP: a child process on 127.0.0.1, started and stopped here."""

from __future__ import annotations

import hashlib
import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate
from pathlib import Path

import icalendar
import pytest

from .serving import DATASET, RelcalServer, environment, export_bytes, write_dataset

TODAY = "2021-01-20"
BAD_LINE = next(n for n, line in enumerate(DATASET.splitlines(), 1) if "2021-02-10" in line)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("serve") / "films.yaml")


@pytest.fixture(scope="module")
def server(dataset: Path):
    with RelcalServer("--data", str(dataset), "--today", TODAY) as running:
        yield running


def uids(body: bytes) -> list[str]:
    return sorted(str(e["UID"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT"))


# --------------------------------------------------------------------------
# The calendar is export's, byte for byte

FILTERS = [
    ("", []),
    ("platform=hulu", ["-p", "hulu"]),
    ("platform=HULU&region=us", ["-p", "HULU", "-r", "us"]),
    ("kind=vod&kind=streaming", ["-k", "vod", "-k", "streaming"]),
    ("from=2021-02-01&to=2021-02", ["--from", "2021-02-01", "--to", "2021-02"]),
    ("film=dear-comrades&remind=1d&name=My+films", ["-f", "dear-comrades", "--remind", "1d", "--name", "My films"]),
    ("include_partial=1&search=SONS", ["--include-partial", "-s", "SONS"]),
    ("person=konchalovsky&status=confirmed", ["--person", "konchalovsky", "--status", "confirmed"]),
    ("past_days=0&future_days=16", ["--from", "2021-01-20", "--to", "2021-02-05"]),
    ("pastDays=1&futureDays=9", ["--from", "2021-01-19", "--to", "2021-01-29"]),  # Radarr's spelling
    ("from=%2B2w", ["--from", "+2w"]),  # relative to --today, as export reads it
    ("name=%D0%9A%D0%B8%D0%BD%D0%BE", ["--name", "Кино"]),
]


@pytest.mark.parametrize(("params", "args"), FILTERS, ids=[p or "all" for p, _ in FILTERS])
def test_the_feed_is_what_export_writes_for_the_same_filters(server, dataset, params, args):
    status, headers, body = server.get("/releases.ics" + ("?" + params if params else ""))
    assert status == 200, body
    assert headers["content-type"] == "text/calendar; charset=utf-8"
    assert body == export_bytes("--data", str(dataset), "--today", TODAY, *args)
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")


def test_nothing_matching_is_a_valid_empty_calendar(server, dataset):
    status, _, body = server.get("/releases.ics?platform=Netflix")
    assert status == 200
    assert body == export_bytes("--data", str(dataset), "--today", TODAY, "-p", "Netflix", "--allow-empty")
    assert uids(body) == [] and b"BEGIN:VCALENDAR" in body


def test_filters_choose_the_events(server):
    _, _, hulu = server.get("/releases.ics?platform=hulu")
    assert uids(hulu) == ["dear-comrades.streaming.us.hulu@relcal", "script-kiddie.streaming.us.hulu@relcal"]
    _, _, vod = server.get("/releases.ics?kind=vod&include_partial=yes")
    assert uids(vod) == ["dear-comrades.vod.us@relcal", "script-kiddie.vod.us@relcal"]
    _, _, gb = server.get("/releases.ics?region=GB")
    (only,) = uids(gb)
    assert only.startswith("script-kiddie.theatrical.gb.")


def test_the_shipped_calendar_is_exports_too():
    with RelcalServer("--today", TODAY) as running:
        status, _, body = running.get("/releases.ics?kind=streaming")
        assert status == 200
        assert body == export_bytes("--today", TODAY, "-k", "streaming")
        assert b"Dear Comrades! \xe2\x80\x94 Hulu (US)" in body
        assert running.stop() == 0


# --------------------------------------------------------------------------
# Caching: ETag, Last-Modified, 304

def test_etag_is_a_strong_hash_of_the_body_and_last_modified_the_data_mtime(server, dataset):
    status, headers, body = server.get("/releases.ics?platform=hulu")
    assert status == 200
    assert re.fullmatch(r'"[0-9a-f]{32}"', headers["etag"])
    assert headers["etag"] == '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    assert headers["last-modified"] == formatdate(int(dataset.stat().st_mtime), usegmt=True)
    assert headers["cache-control"] == "max-age=3600"
    assert headers["content-length"] == str(len(body))
    other = server.get("/releases.ics?platform=hulu&kind=vod")[1]["etag"]
    assert other != headers["etag"]


def test_if_none_match_gets_304_without_a_body(server):
    _, headers, _ = server.get("/releases.ics?platform=hulu")
    etag = headers["etag"]
    for sent in (etag, f'W/{etag}', f'"nope", {etag}', "*"):
        status, again, body = server.get("/releases.ics?platform=hulu", headers={"If-None-Match": sent})
        assert (status, body) == (304, b""), sent
        assert again["etag"] == etag and again["last-modified"] == headers["last-modified"]
        assert again["cache-control"] == "max-age=3600"
    status, _, body = server.get("/releases.ics?platform=hulu", headers={"If-None-Match": '"something-else"'})
    assert status == 200 and body
    # If-None-Match decides alone: a matching date does not make a stale tag fresh
    status, _, _ = server.get("/releases.ics?platform=hulu",
                              headers={"If-None-Match": '"old"', "If-Modified-Since": headers["last-modified"]})
    assert status == 200
    status, _, body = server.request("/releases.ics?platform=hulu", method="HEAD", headers={"If-None-Match": etag})
    assert (status, body) == (304, b"")


def test_if_modified_since_gets_304_until_the_data_is_newer(server):
    _, headers, _ = server.get("/releases.ics")
    last = headers["last-modified"]
    assert server.get("/releases.ics", headers={"If-Modified-Since": last})[0] == 304
    assert server.get("/releases.ics", headers={"If-Modified-Since": formatdate(time.time(), usegmt=True)})[0] == 304
    assert server.get("/releases.ics", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200
    assert server.get("/releases.ics", headers={"If-Modified-Since": "not a date"})[0] == 200


def test_an_if_modified_since_in_the_future_is_ignored(tmp_path):
    """A date later than the server's clock is invalid (RFC 9110 13.1.3): answered as if not sent,
    else a client with a clock ahead would be told 'not modified' after every change."""
    data = write_dataset(tmp_path / "films.yaml")
    with RelcalServer("--data", str(data), "--today", TODAY) as running:
        for future in ("Sat, 01 Jan 2050 00:00:00 GMT", formatdate(time.time() + 86400, usegmt=True)):
            status, _, body = running.get("/releases.ics", headers={"If-Modified-Since": future})
            assert status == 200 and body, future
        write_dataset(data, DATASET + NEW_FILM)
        status, _, body = running.get("/releases.ics", headers={"If-Modified-Since": "Sat, 01 Jan 2050 00:00:00 GMT"})
        assert status == 200
        assert "new-arrival.streaming.us.hulu@relcal" in uids(body)


def test_head_is_get_without_the_body(server):
    status, got, body = server.get("/releases.ics?platform=hulu")
    status_head, head, nothing = server.request("/releases.ics?platform=hulu", method="HEAD")
    assert (status_head, nothing) == (200, b"")
    for name in ("content-type", "content-length", "etag", "last-modified", "cache-control"):
        assert head[name] == got[name]
    assert server.request("/", method="HEAD")[0] == 200


# --------------------------------------------------------------------------
# Errors: 400 with the core's reason, 404, 405

BAD = [
    ("kind=vhs", "kind: 'vhs' is not known"),
    ("kind=festivall", "did you mean 'festival'?"),
    ("from=2021-02-30", "from: '2021-02-30' does not exist"),
    ("to=someday", "to: 'someday' is not a date"),
    ("from=2021-03-01&to=2021-02-01", "is before"),
    ("region=XX", "region: 'XX' is not an ISO 3166-1 country code"),
    ("status=maybe", "status: 'maybe' is not known"),
    ("film=no-such-film", "no film with id 'no-such-film'"),
    ("platfrom=hulu", "'platfrom' is not a parameter; did you mean 'platform'?"),
    ("name=a&name=b", "name is given twice"),
    ("past_days=-3", "past_days: '-3' is not a number of days"),
    ("future_days=soon", "future_days: 'soon' is not a number of days"),
    # ASCII digits only: str.isdigit() says yes to these, then int() fails (a 500) or reads '٣' as 3
    ("past_days=%C2%B2", "past_days: '²' is not a number of days"),
    ("future_days=%E2%91%A0", "future_days: '①' is not a number of days"),
    ("past_days=%D9%A3", "past_days: '٣' is not a number of days"),
    ("from=2021-01-01&past_days=3", "from and past_days both set"),
    ("remind=often", "remind: 'often' is not a duration"),
    ("include_partial=perhaps", "include_partial: 'perhaps' is not yes or no"),
    ("kind=%FF", "not UTF-8"),
]


@pytest.mark.parametrize(("params", "reason"), BAD, ids=[p for p, _ in BAD])
def test_a_bad_parameter_is_400_with_a_one_line_reason(server, params, reason):
    status, headers, body = server.get("/releases.ics?" + params)
    assert status == 400
    assert headers["content-type"] == "text/plain; charset=utf-8"
    text = body.decode("utf-8")
    assert reason in text
    assert text.endswith("\n") and text.count("\n") == 1
    assert "Traceback" not in text and "--" not in text.split(";")[0]


@pytest.mark.parametrize("path", ["/nope", "/releases.ics/", "/releases.ICS", "/index.htm", "/favicon.ico",
                                  "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd",
                                  "//etc/passwd", "/releases.ics/../../../etc/passwd", "/%00"])
def test_unknown_paths_and_traversal_attempts_are_404(server, path):
    status, headers, body = server.get(path)
    assert status == 404
    assert b"root:" not in body and headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"])
def test_other_methods_are_405(server, method):
    status, headers, _ = server.request("/releases.ics", method=method)
    assert status == 405
    assert headers["allow"] == "GET, HEAD"


def test_each_request_gets_an_access_log_line(server):
    marker = f"/releases.ics?search=marker{time.monotonic_ns()}"
    server.get(marker)
    deadline = time.monotonic() + 5
    while not server.log_lines(re.escape(marker)) and time.monotonic() < deadline:
        time.sleep(0.02)
    (line,) = server.log_lines(re.escape(marker))
    assert re.fullmatch(r'127\.0\.0\.1 - - \[[^]]+\] "GET /releases\.ics\?search=marker\d+ HTTP/1\.1" 200 \d+', line)


# --------------------------------------------------------------------------
# The page

def test_the_page_escapes_every_text_from_the_dataset(server):
    status, headers, body = server.get("/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src" not in headers["content-security-policy"]  # default-src 'none': no script at all
    page = body.decode("utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Sons" in page
    assert "&lt;b&gt;Odeon&lt;/b&gt;" in page and "<b>Odeon" not in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert server.get("/index.html")[2] == body


def test_the_page_links_to_this_servers_feeds(server):
    page = server.get("/")[2].decode("utf-8")
    base = f"127.0.0.1:{server.port}"
    assert f'href="webcal://{base}/releases.ics"' in page
    assert f"http://{base}/releases.ics</code>" in page
    hulu = f"webcal://{base}/releases.ics?platform=Hulu&amp;name=relcal+releases+%E2%80%94+Hulu"
    assert f'href="{hulu}"' in page
    assert f'href="webcal://{base}/releases.ics?kind=vod&amp;name=relcal+releases+%E2%80%94+VOD"' in page
    # each link is a feed that works, and is what export writes for that filter
    status, _, body = server.get("/releases.ics?platform=Hulu&name=relcal+releases+%E2%80%94+Hulu")
    assert status == 200 and b"X-WR-CALNAME:relcal releases \xe2\x80\x94 Hulu\r\n" in body
    # the coming 60 days from --today, and a month grid of January and February
    assert "Fri 29 Jan 2021" in page and "<h3>January 2021</h3>" in page and "<h3>March 2021</h3>" in page


def test_a_host_header_that_is_not_a_host_is_not_put_in_links(server):
    status, _, body = server.get("/", headers={"Host": 'evil"><x'})
    assert status == 421 and "evil" not in body.decode("utf-8")  # refused, and never echoed
    _, _, body = server.get("/")  # Host: 127.0.0.1:PORT, as a browser on this machine sends it
    assert f"webcal://127.0.0.1:{server.port}/releases.ics" in body.decode("utf-8")
    _, _, body = server.get("/", headers={"Host": f"localhost:{server.port}"})
    assert f'href="webcal://localhost:{server.port}/releases.ics"' in body.decode("utf-8")


def test_on_loopback_only_this_machines_names_are_answered(server, tmp_path):
    """A page on evil.example that points its own name at 127.0.0.1 (DNS rebinding) must not
    read the calendar; a reverse proxy's name is allowed with --allow-host."""
    for path in ("/", "/releases.ics"):
        status, _, body = server.get(path, headers={"Host": "evil.example"})
        assert status == 421
        assert body.decode() == ("relcal serve listens on this machine only and answers to localhost, not to "
                                 "'evil.example'; behind a proxy that keeps the name, start it with --allow-host "
                                 "evil.example\n")
    for name in (f"127.0.0.1:{server.port}", f"LOCALHOST:{server.port}", f"[::1]:{server.port}", "127.0.0.2"):
        assert server.get("/releases.ics", headers={"Host": name})[0] == 200, name
    data = write_dataset(tmp_path / "films.yaml")
    with RelcalServer("--data", str(data), "--today", TODAY, "--allow-host", "films.example") as proxied:
        status, _, body = proxied.get("/", headers={"Host": "films.example:8080"})
        assert status == 200
        assert 'href="webcal://films.example:8080/releases.ics"' in body.decode("utf-8")
        assert proxied.get("/", headers={"Host": "other.example"})[0] == 421


# --------------------------------------------------------------------------
# Reloading: a changed file is read again; a broken one is not served

NEW_FILM = """\
  - id: new-arrival
    title: "New Arrival"
    releases:
      - {date: 2021-02-20, kind: streaming, platform: Hulu, region: US}
"""


def test_an_edit_is_served_at_the_next_request(tmp_path):
    data = write_dataset(tmp_path / "films.yaml")
    with RelcalServer("--data", str(data), "--today", TODAY) as running:
        _, before, body = running.get("/releases.ics?platform=hulu")
        assert "new-arrival.streaming.us.hulu@relcal" not in uids(body)
        write_dataset(data, DATASET + NEW_FILM)  # a new file renamed over the old, as editors save
        status, after, body = running.get("/releases.ics?platform=hulu")
        assert status == 200
        assert "new-arrival.streaming.us.hulu@relcal" in uids(body)
        assert after["etag"] != before["etag"]
        assert body == export_bytes("--data", str(data), "--today", TODAY, "-p", "hulu")
        assert running.get("/releases.ics?platform=hulu", headers={"If-None-Match": before["etag"]})[0] == 200
        assert running.get("/releases.ics?platform=hulu", headers={"If-None-Match": after["etag"]})[0] == 304
        # the same second: If-Modified-Since with the old Last-Modified still sees the change
        assert running.get("/releases.ics?platform=hulu",
                           headers={"If-Modified-Since": before["last-modified"]})[0] == 200
        # written in place (truncated, then written), not renamed: seen too
        data.write_text(DATASET, encoding="utf-8")
        assert "new-arrival.streaming.us.hulu@relcal" not in uids(running.get("/releases.ics")[2])
        assert len(running.log_lines("read the dataset again")) == 2


def test_a_new_file_in_a_data_folder_is_read(tmp_path):
    folder = tmp_path / "films"
    write_dataset(folder / "a.yaml")
    with RelcalServer("--data", str(folder), "--today", TODAY) as running:
        assert len(uids(running.get("/releases.ics")[2])) == 5
        write_dataset(folder / "b.yaml", "version: 1\nfilms:\n" + NEW_FILM)
        assert "new-arrival.streaming.us.hulu@relcal" in uids(running.get("/releases.ics")[2])
        (folder / "b.yaml").unlink()
        assert len(uids(running.get("/releases.ics")[2])) == 5


def test_an_invalid_edit_keeps_the_last_good_calendar_and_is_logged_once(tmp_path):
    data = write_dataset(tmp_path / "films.yaml")
    with RelcalServer("--data", str(data), "--today", TODAY) as running:
        _, good_headers, good = running.get("/releases.ics")
        assert "The dataset has a problem" not in running.get("/")[2].decode("utf-8")
        write_dataset(data, DATASET.replace("2021-02-10", "2021-02-30"))
        for _ in range(5):
            status, headers, body = running.get("/releases.ics")
            assert (status, body, headers["etag"]) == (200, good, good_headers["etag"])
        assert running.get("/releases.ics", headers={"If-None-Match": good_headers["etag"]})[0] == 304
        problems = running.log_lines(r"films\.yaml:\d+:\d+: ")
        assert len(problems) == 1, running.lines
        assert re.search(rf"films\.yaml:{BAD_LINE}:\d+: .*2021-02-30", problems[0])
        assert "still serving the data read before" in problems[0]
        page = running.get("/")[2].decode("utf-8")
        assert "The dataset has a problem" in page and "2021-02-30" in page
        # fixed: read again, served, and nothing more logged about the problem
        write_dataset(data, DATASET + NEW_FILM)
        assert "new-arrival.streaming.us.hulu@relcal" in uids(running.get("/releases.ics")[2])
        assert "The dataset has a problem" not in running.get("/")[2].decode("utf-8")
        assert len(running.log_lines(r"films\.yaml:\d+:\d+: ")) == 1


def test_a_request_never_sees_half_of_an_edit(tmp_path):
    """A file written in place in two parts, the first part a valid dataset on its own: the
    server answers from the old data or the new, never from the first part alone."""
    data = write_dataset(tmp_path / "films.yaml")
    first_part, rest = (DATASET + NEW_FILM).split("  - id: script-kiddie")
    with RelcalServer("--data", str(data), "--today", TODAY) as running:
        old = running.get("/releases.ics")[2]
        seen: set[bytes] = set()
        stop = threading.Event()

        def ask() -> None:
            while not stop.is_set():
                seen.add(running.get("/releases.ics")[2])

        asker = threading.Thread(target=ask)
        asker.start()
        try:
            time.sleep(0.2)
            with open(data, "w", encoding="utf-8") as handle:
                handle.write(first_part)
                handle.flush()
                time.sleep(0.08)  # an editor or a script that writes in steps
                handle.write("  - id: script-kiddie" + rest)
            time.sleep(0.8)  # beyond the server's SETTLE (0.5 s)
        finally:
            stop.set()
            asker.join()
        new = running.get("/releases.ics")[2]
        assert "new-arrival.streaming.us.hulu@relcal" in uids(new)
        assert seen <= {old, new}, [uids(b) for b in seen - {old, new}]


# --------------------------------------------------------------------------
# Load, and stopping

def test_200_concurrent_requests_are_all_answered(server):
    _, headers, full = server.get("/releases.ics?platform=hulu")
    etag = headers["etag"]

    def one(n: int) -> tuple[int, bytes]:
        conditional = {"If-None-Match": etag} if n % 3 == 0 else {}
        path = "/releases.ics?platform=hulu" if n % 5 else "/"
        status, _, body = server.get(path, headers=conditional, timeout=60)
        return status, body if path != "/" else b"page"

    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(one, range(200)))
    assert len(answers) == 200
    assert {status for status, _ in answers} <= {200, 304}
    assert all(body in (full, b"page") for status, body in answers if status == 200)
    assert sum(1 for status, _ in answers if status == 304) >= 200 // 3 - 14  # the page's 304s aside


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_stops_cleanly_with_exit_0(dataset, sig):
    with RelcalServer("--data", str(dataset), "--today", TODAY) as running:
        assert running.get("/releases.ics")[0] == 200
        assert running.stop(sig) == 0
    assert not any("Traceback" in line or "Aborted" in line for line in running.lines), running.lines


def test_invalid_data_at_start_is_exit_1_with_the_line(tmp_path):
    import subprocess
    import sys

    from .conftest import ROOT

    bad = write_dataset(tmp_path / "films.yaml", DATASET.replace("2021-02-10", "2021-02-30"))
    result = subprocess.run([sys.executable, "-m", "relcal", "serve", "--port", "0", "--data", str(bad)],
                            capture_output=True, text=True, env=environment(), cwd=ROOT, timeout=60)
    assert result.returncode == 1
    assert re.search(rf"films\.yaml:{BAD_LINE}:\d+: ", result.stderr) and "Traceback" not in result.stderr


def test_a_port_in_use_is_a_one_line_error(server, dataset):
    import subprocess
    import sys

    from .conftest import ROOT

    result = subprocess.run([sys.executable, "-m", "relcal", "serve", "--port", str(server.port), "--data",
                             str(dataset)], capture_output=True, text=True, env=environment(), cwd=ROOT, timeout=60)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{server.port}" in result.stderr and "Traceback" not in result.stderr


def test_a_slow_look_at_the_files_does_not_hold_requests(tmp_path, monkeypatch):
    """When looking at the files takes long (thousands of them), it runs in a worker thread and
    requests are answered from the data as it was; the edit arrives a moment later."""
    import asyncio

    from relcal import serve

    monkeypatch.setattr(serve, "SLOW_CHECK", 0.0)  # every look counts as slow
    data = write_dataset(tmp_path / "films.yaml")
    logs: list[str] = []
    dataset = serve.Dataset([str(data)], False, logs.append)
    first = dataset.load_first()

    async def scenario() -> serve.Snapshot:
        assert await dataset.current() is first  # the first look is waited for; it finds it "slow"
        write_dataset(data, DATASET + NEW_FILM)
        for _ in range(200):
            began = time.monotonic()
            snapshot = await dataset.current()
            assert time.monotonic() - began < 0.05  # never held up by the look or the reading
            if snapshot is not first:
                return snapshot
            await asyncio.sleep(0.02)
        raise AssertionError(f"the edit was never read: {logs}")

    newer = asyncio.run(scenario())
    assert newer.catalog.film("new-arrival") is not None
    assert newer.generation == first.generation + 1 and newer.last_modified > first.last_modified
    assert logs == ["relcal: read the dataset again: 3 films, 7 release windows"]


@pytest.mark.parametrize(("params", "moves"), [
    ("platform=hulu", False), ("from=2021-01-01&to=2021-03", False), ("past_days=3", True),
    ("future_days=30", True), ("from=today", True), ("to=%2B2w", True),
])
def test_a_calendar_counted_from_today_is_newer_each_midnight(params, moves):
    """Without --today, such a calendar's Last-Modified is at least today's midnight, so that an
    If-Modified-Since from yesterday does not get a 304 for a range that has moved."""
    from datetime import date

    from relcal import serve

    pairs = serve.read_query_string(params.encode())
    query, _ = serve.feed_request(pairs, date(2021, 1, 20))
    assert serve._moves_with_the_day(pairs, date(2021, 1, 20), query) is moves


def _scope(query: str, path: str = "/releases.ics") -> dict:
    return {"type": "http", "method": "GET", "path": path, "query_string": query.encode(), "headers": []}


def test_a_calendar_is_made_in_a_worker_thread_and_once_for_requests_that_come_meanwhile(tmp_path, monkeypatch):
    """Making a calendar not asked for before does not hold up the event loop: answers made
    already go out meanwhile. Two requests for the same calendar at once wait for one making."""
    import asyncio
    import threading
    from datetime import date

    from relcal import ical, serve

    made: list[str] = []
    real = ical.export_bytes

    def slow_export(rows, options, progress=None):
        made.append(threading.current_thread().name)
        time.sleep(0.4)  # a large calendar
        return real(rows, options, progress)

    data = write_dataset(tmp_path / "films.yaml")
    dataset = serve.Dataset([str(data)], False, lambda line: None)
    dataset.load_first()
    app = serve.App(dataset, today=date(2021, 1, 20), stamp=None, host="127.0.0.1:8080", log=lambda line: None)

    async def scenario() -> None:
        cached = await app.answer(_scope("platform=hulu"))  # made before the slow one is patched in
        cached_page = await app.answer(_scope("", "/"))
        monkeypatch.setattr(ical, "export_bytes", slow_export)
        began = time.monotonic()

        async def timed(scope: dict) -> tuple[serve.Answer, float]:
            answer = await app.answer(scope)
            return answer, time.monotonic() - began

        # the slow ones first: on the event loop, they would make the others wait 0.4 s
        slow = [asyncio.ensure_future(app.answer(_scope(q))) for q in ("kind=vod", "kind=VOD", "kind=vod")]
        (again, again_took), (page, page_took) = await asyncio.gather(timed(_scope("platform=hulu")),
                                                                       timed(_scope("", "/")))
        assert again is cached and page is cached_page
        assert again_took < 0.3 and page_took < 0.3  # not after the 0.4 s of making the other
        vod = await asyncio.gather(*slow)
        assert [a.status for a in vod] == [200, 200, 200]
        assert vod[0].body == vod[1].body == vod[2].body and b"dear-comrades.vod.us@relcal" in vod[0].body
        assert len(made) == 1 and made[0] != threading.main_thread().name  # once, in a worker thread
        # an error made in the thread (an unknown film) is the 400 it always was, to each request
        bad = await asyncio.gather(*(app.answer(_scope("film=nope")) for _ in range(2)))
        assert [a.status for a in bad] == [400, 400] and b"no film with id 'nope'" in bad[0].body

    try:
        asyncio.run(scenario())
    finally:
        app.maker.shutdown()


def test_export_and_the_feed_read_their_filters_the_same_way():
    """One way from options, by name, to a Query: the feed's parameters and export's options."""
    from datetime import date

    from relcal import serve
    from relcal.query import Query

    today = date(2021, 1, 20)
    pairs = serve.read_query_string(b"from=2021-02&to=%2B6w&kind=VOD&kind=streaming&platform=Hulu&region=us")
    from_url, _ = serve.feed_request(pairs, today)
    from_options = Query.parse(today, {"from": "2021-02", "to": "+6w", "kind": ["VOD", "streaming"],
                                       "platform": ["Hulu"], "region": ["us"], "film": None})
    assert from_url == from_options
    assert from_options.start == date(2021, 2, 1) and from_options.end == date(2021, 3, 3)
    with pytest.raises(TypeError, match="'kinds' is not an option"):
        Query.parse(today, {"kinds": ["vod"]})
