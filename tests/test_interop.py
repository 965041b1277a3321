"""relcal's calendars in the hands of others: two independent parsers, a real
calendar client (khal) and a real CalDAV server (Radicale on 127.0.0.1)."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, datetime, timezone
from pathlib import Path

import icalendar
import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relcal import ical
from relcal.catalog import load_catalog
from relcal.model import Film, Kind, PartialDate, Release, Status
from relcal.query import Query, Row

from .conftest import ROOT

STAMP = datetime(2021, 1, 20, tzinfo=timezone.utc)
EPOCH = "1611100800"


def expected(rows):
    """What any parser must read back: relcal's own fields, as plain text."""
    return [
        {
            "uid": ical.uid(r),
            "start": r.release.date.first_day,
            "end": r.release.date.end,
            "summary": ical.plain_text(ical.summary(r)),
            "description": ical.plain_text(ical.description(r)),
            "categories": [ical.plain_text(c) for c in ical.categories(r)],
            "status": ical.event_status(r.release),
            "sequence": len(r.release.history),
        }
        for r in ical.exported(rows, include_partial=True)
    ]


def read_icalendar(data: bytes):
    cal = icalendar.Calendar.from_ical(data)
    return [
        {
            "uid": str(ev["UID"]),
            "start": ev["DTSTART"].dt,
            "end": ev["DTEND"].dt,
            "summary": str(ev["SUMMARY"]),
            "description": str(ev["DESCRIPTION"]),
            "categories": [str(c) for c in ev["CATEGORIES"].cats],
            "status": str(ev["STATUS"]),
            "sequence": int(ev["SEQUENCE"]),
        }
        for ev in cal.walk("VEVENT")
    ]


def read_vobject(data: bytes):
    cal = vobject.readOne(data.decode("utf-8"))
    return [
        {
            "uid": ev.uid.value,
            "start": ev.dtstart.value,
            "end": ev.dtend.value,
            "summary": ev.summary.value,
            "description": ev.description.value,
            "categories": list(ev.categories.value),
            "status": ev.status.value,
            "sequence": int(ev.sequence.value),
        }
        for ev in getattr(cal, "vevent_list", [])
    ]


def tricky_rows():
    film = Film(
        id="tricky", title="Semi; colon, comma \\ back\\slash\nnew line\r\nCRLF\rCR",
        original_title="Дорогие товарищи!", directors=("Андрей Кончаловский",), cast=("Ólafur, Jr.", "李安"),
        synopsis="Line one;\nline two, with \\ and 🎬.",
        links=(("source", "https://example.org/a?b=1,2;c=3"),),
        releases=(
            Release(PartialDate(2021, 2, 5), Kind.STREAMING, platform="Netflix, Inc.", region="US",
                    note="a;b,c\\d", status=Status.ANNOUNCED),
            Release(PartialDate(2021, 3), Kind.THEATRICAL, region="RU", venue="Кинотеатр «Октябрь»",
                    status=Status.CANCELLED),
            Release(PartialDate(2021, 4, 1), Kind.VOD, region="GB", history=(PartialDate(2021, 3, 1),),
                    status=Status.POSTPONED, source="https://example.org/x"),
        ),
    )
    return [Row(film, r) for r in film.releases]


@pytest.mark.parametrize("reader", [read_icalendar, read_vobject], ids=["icalendar", "vobject"])
def test_parsers_read_back_the_shipped_export(reader):
    rows = Query().rows(load_catalog())
    data = ical.export_bytes(rows, ical.Options(stamp=STAMP, include_partial=True))
    assert reader(data) == expected(rows)


@pytest.mark.parametrize("reader", [read_icalendar, read_vobject], ids=["icalendar", "vobject"])
def test_parsers_read_back_escaped_and_non_latin_text(reader):
    rows = tricky_rows()
    data = ical.export_bytes(rows, ical.Options(stamp=STAMP, include_partial=True))
    events = reader(data)
    assert events == expected(rows)
    assert events[0]["categories"] == ["Streaming", "Netflix, Inc."]
    assert events[0]["summary"] == "Semi; colon, comma \\ back\\slash\nnew line\nCRLF\nCR — Netflix, Inc. (US)"
    assert [e["status"] for e in events] == ["TENTATIVE", "CANCELLED", "TENTATIVE"]


def test_url_is_written_as_a_uri_without_text_escapes():
    data = ical.export_bytes(tricky_rows(), ical.Options(stamp=STAMP))
    assert b"\r\nURL:https://example.org/a?b=1,2;c=3\r\n" in data
    cal = icalendar.Calendar.from_ical(data)
    assert [str(ev["URL"]) for ev in cal.walk("VEVENT")] == ["https://example.org/a?b=1,2;c=3", "https://example.org/x"]


# --------------------------------------------------------------------------
# Property: any text survives, and no line breaks the format

SPECIAL = st.sampled_from(["\r", "\n", "\r\n", ";", ",", "\\", ":", "🎬", "é", "\u0301", "李", "—", " ",
                           "товарищ" * 45, "\t", "\x00", "BEGIN:VEVENT", "END:VCALENDAR"])
TEXT = st.lists(st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40), SPECIAL),
                min_size=1, max_size=8).map("".join).filter(lambda s: s.strip() != "")
OPTIONAL_TEXT = st.none() | TEXT


@st.composite
def datasets(draw):
    films = []
    for n in range(draw(st.integers(1, 3))):
        releases = []
        for i in range(draw(st.integers(1, 3))):
            day = draw(st.dates(date(2000, 1, 1), date(2030, 12, 31)))
            precision = draw(st.sampled_from(["day", "day", "month", "year"]))
            when = PartialDate(day.year, None if precision == "year" else day.month,
                               day.day if precision == "day" else None)
            releases.append(Release(when, draw(st.sampled_from(list(Kind))), region=draw(st.sampled_from([None, "US", "RU"])),
                                    platform=draw(OPTIONAL_TEXT), note=draw(OPTIONAL_TEXT), id=f"w{i}",
                                    status=draw(st.sampled_from(list(Status)))))
        films.append(Film(id=f"film{n}", title=draw(TEXT), synopsis=draw(OPTIONAL_TEXT),
                          cast=tuple(draw(st.lists(TEXT, max_size=2))), releases=tuple(releases)))
    return [Row(f, r) for f in films for r in f.releases]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_any_text_exports_to_valid_lines_that_parse_back_equal(rows):
    data = ical.export_bytes(rows, ical.Options(stamp=STAMP, include_partial=True))
    assert data.endswith(b"\r\n")
    physical = data.split(b"\r\n")[:-1]
    for line in physical:
        assert len(line) <= 75
        line.decode("utf-8")  # each line decodes on its own: no character split
        assert b"\r" not in line and b"\n" not in line
    logical = data.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]
    names = {line.split(":", 1)[0].split(";", 1)[0] for line in logical}
    assert names <= {"BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "NAME", "X-WR-CALNAME", "REFRESH-INTERVAL",
                     "X-PUBLISHED-TTL", "UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION",
                     "CATEGORIES", "URL", "STATUS", "SEQUENCE", "TRANSP"}
    assert logical.count("BEGIN:VEVENT") == len(rows)
    assert read_icalendar(data) == expected(rows)
    assert read_vobject(data) == expected(rows)


# --------------------------------------------------------------------------
# Reproducible in any process and any time zone

def _export_process(tmp_path: Path, tz: str, seed: str) -> bytes:
    out = tmp_path / f"{tz.replace('/', '_')}-{seed}.ics"
    env = {**os.environ, "TZ": tz, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": EPOCH}
    env.pop("RELCAL_DATA", None)
    subprocess.run([sys.executable, "-m", "relcal", "export", "--include-partial", "-o", str(out)],
                   check=True, env=env, cwd=ROOT, timeout=120)
    return out.read_bytes()


def test_byte_identical_across_processes_and_time_zones(tmp_path):
    east = _export_process(tmp_path, "Pacific/Kiritimati", "1")  # UTC+14
    west = _export_process(tmp_path, "Pacific/Pago_Pago", "2")  # UTC-11
    again = _export_process(tmp_path, "UTC", "3")
    assert east == west == again
    assert b"DTSTART;VALUE=DATE:20210129\r\n" in east


# --------------------------------------------------------------------------
# A real client: khal

def _bin(name: str) -> str:
    path = Path(sys.executable).parent / name
    assert path.exists(), f"{name} is a test dependency; 'uv run pytest' installs it"
    return str(path)


def test_khal_imports_the_export_and_lists_each_window_on_its_day(tmp_path):
    rows = Query(start=date(2021, 1, 20), end=date(2021, 2, 19)).rows(load_catalog())
    ics_file = tmp_path / "releases.ics"
    ics_file.write_bytes(ical.export_bytes(rows, ical.Options(stamp=STAMP)))
    (tmp_path / "cal").mkdir()
    config = tmp_path / "khal.conf"
    config.write_text(
        "[calendars]\n[[relcal]]\npath = {cal}\ntype = calendar\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        "[default]\ndefault_calendar = relcal\n".format(cal=tmp_path / "cal"))
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "TZ": "Pacific/Kiritimati"}
    khal = _bin("khal")
    subprocess.run([khal, "-c", str(config), "import", "--batch", str(ics_file)], check=True, env=env,
                   capture_output=True, timeout=120)
    listed = subprocess.run([khal, "-c", str(config), "list", "--day-format", "", "--format",
                             "{start-date} {title}", "2021-01-20", "31d"],
                            check=True, env=env, capture_output=True, text=True, timeout=120)
    shown = sorted(line.strip() for line in listed.stdout.splitlines() if line.strip())
    wanted = sorted(f"{r.release.date.iso()} {ical.summary(r)}" for r in rows)
    assert shown == wanted
    assert "2021-01-29 Dear Comrades! — Virtual cinemas (US)" in shown
    assert "2021-02-05 Dear Comrades! — Hulu (US)" in shown


# --------------------------------------------------------------------------
# A real CalDAV server: Radicale on 127.0.0.1

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def radicale(tmp_path):
    port = _free_port()
    # Radicale's default auth denies everyone; on loopback in a test, "none"
    # lets any user in, and owner-only rights keep each user to their own tree.
    proc = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", "", "--server-hosts", f"127.0.0.1:{port}",
         "--auth-type", "none", "--storage-filesystem-folder", str(tmp_path / "collections")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Radicale did not start: {proc.stderr.read().decode()}") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_radicale_accepts_the_calendar_and_serves_the_same_uids(radicale):
    rows = Query().rows(load_catalog())
    data = ical.export_bytes(rows, ical.Options(stamp=STAMP))
    auth = {"Authorization": "Basic " + base64.b64encode(b"relcal:unused").decode()}
    url = f"{radicale}/relcal/releases/"
    put = urllib.request.Request(url, data=data, method="PUT",
                                 headers={"Content-Type": "text/calendar; charset=utf-8", **auth})
    with urllib.request.urlopen(put, timeout=30) as response:
        assert response.status == 201
    with urllib.request.urlopen(urllib.request.Request(url, headers=auth), timeout=30) as response:
        served = response.read()
    served_uids = sorted(str(ev["UID"]) for ev in icalendar.Calendar.from_ical(served).walk("VEVENT"))
    assert served_uids == sorted(ical.uid(r) for r in ical.exported(rows, include_partial=False))
    assert len(served_uids) > 50
