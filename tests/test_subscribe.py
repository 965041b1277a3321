"""A real subscriber: vdirsyncer pulls relcal serve's feed into a vdir, khal reads it.

vdirsyncer's ``http`` storage is what a calendar app's subscription is: it
fetches the feed, splits it into events and keeps a local copy in step (here a
``filesystem`` vdir). khal (a real calendar client) then lists the events from
that vdir. When a date moves in the data, the next sync must leave one event
for the window, on its new day, never a second one beside the old.

vdirsyncer's http storage replaces every UID it fetches by a hash of the
event's text (storage/http.py, ``_ignore_uids = True``: some feeds make new
UIDs on every request), so in the vdir a moved event is the old file removed
and a new one written. The UID itself is checked on the feed: the moved event
keeps relcal's UID and counts its move in SEQUENCE, which is what calendar apps
that keep UIDs (Apple Calendar, Thunderbird, Google) match on.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest

from .serving import DATASET, RelcalServer, write_dataset

TODAY = "2021-01-20"
MOVED = DATASET.replace("{date: 2021-02-05, kind: streaming, platform: Hulu, region: US}",
                        "{date: 2021-02-19, kind: streaming, platform: Hulu, region: US, history: [2021-02-05]}")


def _bin(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(f"{name} is a test dependency; 'uv run pytest' installs it")
    return str(path)


class Subscriber:
    """vdirsyncer (http -> filesystem) and khal over the same vdir, all under one folder."""

    def __init__(self, root: Path, url: str):
        self.root = root
        self.vdir = root / "calendar"
        self.vdir.mkdir(parents=True)
        self.config = root / "vdirsyncer.conf"
        self.config.write_text(
            "[general]\n"
            f'status_path = "{root / "status"}/"\n\n'
            "[pair relcal]\n"
            'a = "relcal_feed"\nb = "relcal_local"\ncollections = null\nconflict_resolution = "a wins"\n\n'
            "[storage relcal_feed]\n"
            f'type = "http"\nurl = "{url}"\n\n'
            "[storage relcal_local]\n"
            f'type = "filesystem"\npath = "{self.vdir}/"\nfileext = ".ics"\n', encoding="utf-8")
        self.khal_config = root / "khal.conf"
        self.khal_config.write_text(
            f"[calendars]\n[[relcal]]\npath = {self.vdir}\ntype = calendar\n"
            "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
            "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
            "[default]\ndefault_calendar = relcal\n", encoding="utf-8")
        self.env = {**os.environ, "XDG_DATA_HOME": str(root / "data"), "XDG_CONFIG_HOME": str(root / "config"),
                    "XDG_CACHE_HOME": str(root / "cache"), "TZ": "America/New_York"}

    def vdirsyncer(self, *args: str) -> str:
        result = subprocess.run([_bin("vdirsyncer"), "-c", str(self.config), *args], capture_output=True, text=True,
                                env=self.env, stdin=subprocess.DEVNULL, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout + result.stderr

    def sync(self) -> str:
        return self.vdirsyncer("sync")

    def items(self) -> dict[str, tuple[str, str]]:
        """File name -> (SUMMARY, DTSTART) of each event in the vdir."""
        found = {}
        for path in sorted(self.vdir.glob("*.ics")):
            (event,) = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
            found[path.name] = (str(event["SUMMARY"]), event["DTSTART"].dt.isoformat())
        return found

    def khal_list(self, start: str, span: str) -> list[str]:
        result = subprocess.run([_bin("khal"), "-c", str(self.khal_config), "list", "--day-format", "", "--format",
                                 "{start-date} {title}", start, span],
                                capture_output=True, text=True, env=self.env, timeout=120)
        assert result.returncode == 0, result.stderr
        return sorted(line.strip() for line in result.stdout.splitlines() if line.strip())


def feed_events(server: RelcalServer, path: str) -> dict[str, tuple[str, int]]:
    """UID -> (DTSTART, SEQUENCE) of each event of the feed at PATH."""
    status, _, body = server.get(path)
    assert status == 200
    return {str(e["UID"]): (e["DTSTART"].dt.isoformat(), int(e["SEQUENCE"]))
            for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_vdirsyncer_subscribes_and_khal_shows_the_events_then_a_moved_date_updates_the_event(tmp_path):
    data = write_dataset(tmp_path / "films.yaml")
    feed = "/releases.ics?platform=hulu"
    with RelcalServer("--data", str(data), "--today", TODAY) as server:
        subscriber = Subscriber(tmp_path / "subscriber", server.url + feed)
        subscriber.vdirsyncer("discover", "relcal")
        subscriber.sync()

        first = subscriber.items()
        assert sorted(first.values()) == [("<script>alert('x')</script> & Sons — Hulu (US)", "2021-02-10"),
                                          ("Dear Comrades! — Hulu (US)", "2021-02-05")]
        assert subscriber.khal_list("2021-01-20", "60d") == [
            "2021-02-05 Dear Comrades! — Hulu (US)",
            "2021-02-10 <script>alert('x')</script> & Sons — Hulu (US)",
        ]
        assert feed_events(server, feed) == {"dear-comrades.streaming.us.hulu@relcal": ("2021-02-05", 0),
                                             "script-kiddie.streaming.us.hulu@relcal": ("2021-02-10", 0)}

        # nothing changed: a sync changes nothing (the feed's bytes are the same)
        assert "Copying" not in subscriber.sync() and subscriber.items() == first

        # the Hulu date moves in the data; the server reads it again at the next request
        write_dataset(data, MOVED)
        log = subscriber.sync()

        second = subscriber.items()
        assert len(second) == 2, "the moved window must replace its event, not add one"
        assert sorted(second.values()) == [("<script>alert('x')</script> & Sons — Hulu (US)", "2021-02-10"),
                                           ("Dear Comrades! — Hulu (US)", "2021-02-19")]
        unchanged = {name for name, item in first.items() if item[1] == "2021-02-10"}
        assert unchanged <= set(second), log  # the other event was left alone
        assert subscriber.khal_list("2021-01-20", "60d") == [
            "2021-02-10 <script>alert('x')</script> & Sons — Hulu (US)",
            "2021-02-19 Dear Comrades! — Hulu (US)",
        ]
        assert subscriber.khal_list("2021-02-05", "1d") == []
        # the feed: the same UID, the new date, and SEQUENCE 1 (one earlier date) so it outranks the old
        assert feed_events(server, feed) == {"dear-comrades.streaming.us.hulu@relcal": ("2021-02-19", 1),
                                             "script-kiddie.streaming.us.hulu@relcal": ("2021-02-10", 0)}
        assert server.stop() == 0
    requests = server.log_lines(r'"GET /releases\.ics\?platform=hulu HTTP/1\.1" 200 ')
    assert len(requests) >= 5
