"""relcal export: the iCalendar contract, byte by byte."""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone

import pytest

from relcal import ical
from relcal.catalog import Catalog, load_catalog
from relcal.errors import UsageError
from relcal.model import Film, Kind, PartialDate, Release, Status
from relcal.query import Query, Row


EPOCH = {"SOURCE_DATE_EPOCH": "1611100800"}  # 2021-01-20T00:00:00Z


def unfolded(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    return text[:-2].replace("\r\n ", "").split("\r\n")


def props(lines, name):
    return [line.split(":", 1)[1] for line in lines if re.match(rf"{name}[;:]", line)]


def export(run, *args, env=None):
    result = run("export", *args, env={**EPOCH, **(env or {})})
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


# --------------------------------------------------------------------------
# The whole file

def test_shipped_export_matches_the_golden_file(run, golden):
    data = export(run)
    golden("export-shipped.ics", data.decode("utf-8"))


def test_calendar_properties(run):
    lines = unfolded(export(run, "-f", "dear-comrades"))
    assert lines[:8] == [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//relcal//relcal 0.1//EN", "CALSCALE:GREGORIAN",
        "NAME:relcal releases", "X-WR-CALNAME:relcal releases", "REFRESH-INTERVAL;VALUE=DURATION:P1D",
        "X-PUBLISHED-TTL:P1D"]
    assert lines[-1] == "END:VCALENDAR"
    assert not any(line.startswith("METHOD") for line in lines)
    named = unfolded(export(run, "-f", "dear-comrades", "--name", "Films; new, & old"))
    assert "NAME:Films\\; new\\, & old" in named and "X-WR-CALNAME:Films\\; new\\, & old" in named


def test_the_dear_comrades_events(run):
    lines = unfolded(export(run, "-f", "dear-comrades", "--from", "2021-01-01"))
    assert props(lines, "UID") == ["dear-comrades.virtual-cinema.us@relcal", "dear-comrades.vod.us@relcal",
                                   "dear-comrades.streaming.us.hulu@relcal"]
    assert props(lines, "SUMMARY") == ["Dear Comrades! — Virtual cinemas (US)", "Dear Comrades! — VOD (US)",
                                       "Dear Comrades! — Hulu (US)"]
    assert props(lines, "DTSTART;VALUE=DATE") == ["20210129", "20210205", "20210205"]
    assert props(lines, "DTEND;VALUE=DATE") == ["20210130", "20210206", "20210206"]
    assert props(lines, "DTSTAMP") == ["20210120T000000Z"] * 3
    assert props(lines, "TRANSP") == ["TRANSPARENT"] * 3
    assert props(lines, "STATUS") == ["CONFIRMED"] * 3
    assert props(lines, "SEQUENCE") == ["0"] * 3
    assert props(lines, "CATEGORIES") == ["Virtual cinemas", "VOD", "Streaming,Hulu"]
    assert props(lines, "URL") == [
        "https://blackbookmag.com/arts-culture/trailer-dear-comrades-viscerally-recounts-an-extraordinary-soviet-horror/"] * 3
    description = props(lines, "DESCRIPTION")[2]
    assert description.startswith("Kind: Streaming\\nPlatform: Hulu\\nRegion: US\\n\\nDirected by: Andrei Konchalovsky\\n"
                                  "Cast: Julia Vysotskaya\\, Vladislav Komarov\\,")
    assert description.endswith("\\n\\nSource: https://blackbookmag.com/arts-culture/trailer-dear-comrades-viscerally"
                                "-recounts-an-extraordinary-soviet-horror/")


def test_property_order_is_fixed(run):
    lines = unfolded(export(run, "-f", "dear-comrades", "--remind", "1d"))
    event = lines[lines.index("BEGIN:VEVENT"):lines.index("END:VEVENT") + 1]
    names = [re.split("[;:]", line)[0] for line in event]
    assert names == ["BEGIN", "UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "CATEGORIES", "URL",
                     "STATUS", "SEQUENCE", "TRANSP", "BEGIN", "ACTION", "DESCRIPTION", "TRIGGER", "END", "END"]


def test_every_line_is_folded_at_75_octets_and_ends_in_crlf(run):
    data = export(run)
    assert data.endswith(b"END:VCALENDAR\r\n")
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 75
        assert b"\r" not in line and b"\n" not in line
        line.decode("utf-8")  # never split inside a character


# --------------------------------------------------------------------------
# Text, folding, durations, UIDs

@pytest.mark.parametrize("raw, escaped", [
    ("plain", "plain"),
    ("a;b,c\\d", "a\\;b\\,c\\\\d"),
    ("line\nbreak", "line\\nbreak"),
    ("cr\rlf\r\nend", "cr\\nlf\\nend"),
    ("tab\there\x00nul\x7fdel", "tab here nul del"),
    ("Дорогие товарищи! 🎬", "Дорогие товарищи! 🎬"),
])
def test_text_escaping(raw, escaped):
    assert ical.escape_text(raw) == escaped


def test_folding_never_splits_a_character():
    for text in ("x" * 300, "я" * 300, "🎬" * 100, "a" + "é" * 200, "SUMMARY:" + "ab😀" * 90):
        folded = ical.fold(text)
        assert folded.endswith(b"\r\n")
        physical = folded[:-2].split(b"\r\n")
        assert all(len(p) <= 75 for p in physical)
        assert all(p.startswith(b" ") for p in physical[1:])
        for p in physical:
            p.decode("utf-8")
        assert b"".join([physical[0], *(p[1:] for p in physical[1:])]).decode("utf-8") == text
    assert ical.fold("short") == b"short\r\n"
    assert ical.fold("x" * 75) == b"x" * 75 + b"\r\n"
    assert ical.fold("x" * 76) == b"x" * 75 + b"\r\n x\r\n"


@pytest.mark.parametrize("text, duration", [
    ("1d", "P1D"), ("12h", "PT12H"), ("2w", "P14D"), ("30m", "PT30M"), ("1d12h", "P1DT12H"), ("P2D", "P2D"),
    ("pt6h", "PT6H"),
])
def test_remind_durations(text, duration):
    assert ical.parse_duration(text) == duration


@pytest.mark.parametrize("text", ["soon", "1x", "", "0d", "-", "1d soon"])
def test_bad_remind_is_a_usage_error(text):
    with pytest.raises(UsageError, match="--remind"):
        ical.parse_duration(text)


def test_uids_are_stable_safe_and_ignore_the_date():
    catalog = load_catalog()
    rows = Query().rows(catalog)
    uids = [ical.uid(r) for r in rows]
    assert len(set(uids)) == len(uids)
    for u in uids:
        assert re.fullmatch(r"[a-z0-9.-]+@relcal", u), u
    film = Film(id="f", title="F", releases=(Release(PartialDate(2021, 2, 5), Kind.VOD, region="US"),))
    moved = Film(id="f", title="F", releases=(Release(PartialDate(2021, 3, 5), Kind.VOD, region="US",
                                                      history=(PartialDate(2021, 2, 5),)),))
    assert ical.uid(Row(film, film.releases[0])) == ical.uid(Row(moved, moved.releases[0])) == "f.vod.us@relcal"


def test_two_windows_that_would_share_a_uid_must_be_told_apart_with_an_id(run, write):
    path = write("twins.yaml", """
        version: 1
        films:
          - id: f
            title: F
            releases:
              - {date: 2021-02-05, kind: streaming, platform: HBO Max, region: US}
              - {date: 2021-06-05, kind: streaming, platform: hbo max, region: US}
    """)
    result = run("export", "--data", str(path))
    assert result.exit_code == 1
    assert f"relcal: {path}:7:9: this window (streaming, US, hbo max) looks like the one at line 6:9; " \
           "give one of them an 'id:'" in result.stderr
    assert result.stdout == ""


def test_a_moved_window_keeps_its_uid_and_raises_its_sequence(run, write):
    before = write("a.yaml", """
        version: 1
        films:
          - id: f
            title: F
            releases:
              - {date: 2021-02-05, kind: theatrical, region: US}
              - {date: 2021-03-05, kind: vod, region: US}
    """)
    after = write("b.yaml", """
        version: 1
        films:
          - id: f
            title: F
            releases:
              - {date: 2021-04-02, kind: theatrical, region: US, status: postponed, history: [2021-02-05]}
              - {date: 2021-05-07, kind: vod, region: US, history: [2021-03-05, 2021-04-09]}
    """)
    one = unfolded(export(run, "--data", str(before)))
    two = unfolded(export(run, "--data", str(after)))
    assert set(props(one, "UID")) == set(props(two, "UID")) == {"f.theatrical.us@relcal", "f.vod.us@relcal"}
    assert props(one, "DTSTART;VALUE=DATE") == ["20210205", "20210305"]
    assert props(two, "DTSTART;VALUE=DATE") == ["20210402", "20210507"]
    assert props(one, "SEQUENCE") == ["0", "0"] and props(two, "SEQUENCE") == ["1", "2"]
    assert props(two, "STATUS") == ["TENTATIVE", "CONFIRMED"]
    assert "Moved from: 2021-03-05\\, 2021-04-09" in props(two, "DESCRIPTION")[1]


def test_statuses_map_to_ical_statuses():
    d = PartialDate(2021, 2, 5)
    film = Film(id="f", title="F", releases=tuple(
        Release(d, Kind.VOD, id=s.value, status=s) for s in Status))
    lines = unfolded(ical.export_bytes([Row(film, r) for r in film.releases],
                                       ical.Options(stamp=datetime(2021, 1, 1, tzinfo=timezone.utc))))
    assert props(lines, "STATUS") == ["CONFIRMED", "TENTATIVE", "TENTATIVE", "TENTATIVE", "CANCELLED"]


def test_partial_windows_are_left_out_unless_asked_for(run, write):
    path = write("p.yaml", """
        version: 1
        films:
          - id: f
            title: F
            releases:
              - {date: 2021-03, kind: theatrical, region: US}
              - {date: 2022, kind: tv, region: GB}
              - {date: 2021-02-05, kind: vod, region: US}
    """)
    default = unfolded(export(run, "--data", str(path)))
    assert props(default, "UID") == ["f.vod.us@relcal"]
    lines = unfolded(export(run, "--data", str(path), "--include-partial"))
    assert props(lines, "DTSTART;VALUE=DATE") == ["20210205", "20210301", "20220101"]
    assert props(lines, "DTEND;VALUE=DATE") == ["20210206", "20210401", "20230101"]
    assert props(lines, "STATUS") == ["CONFIRMED", "TENTATIVE", "TENTATIVE"]
    assert "Date known to the month: Mar 2021" in props(lines, "DESCRIPTION")[1]


def test_remind_adds_a_display_alarm(run):
    lines = unfolded(export(run, "-f", "mank", "--remind", "12h"))
    events = lines.count("BEGIN:VEVENT")
    assert events >= 2
    assert props(lines, "TRIGGER") == ["-PT12H"] * events
    assert props(lines, "ACTION") == ["DISPLAY"] * events
    assert "BEGIN:VALARM" not in unfolded(export(run, "-f", "mank"))


def test_filters_and_range_apply(run):
    lines = unfolded(export(run, "-p", "hulu", "--from", "2021-02", "--to", "2021-02"))
    assert props(lines, "UID") == ["dear-comrades.streaming.us.hulu@relcal", "nomadland.streaming.us.hulu@relcal"]


def test_dtstamp_from_source_date_epoch_or_now():
    assert ical.dtstamp({"SOURCE_DATE_EPOCH": "0"}) == datetime(1970, 1, 1, tzinfo=timezone.utc)
    now = ical.dtstamp({})
    assert abs((datetime.now(timezone.utc) - now).total_seconds()) < 60
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH"):
        ical.dtstamp({"SOURCE_DATE_EPOCH": "yesterday"})


def test_bad_source_date_epoch_is_a_usage_error(run):
    result = run("export", env={"SOURCE_DATE_EPOCH": "soon"})
    assert result.exit_code == 2
    assert "SOURCE_DATE_EPOCH='soon' is not a number of seconds" in result.stderr


# --------------------------------------------------------------------------
# Files

def test_output_file_is_written_whole(run, tmp_path):
    target = tmp_path / "releases.ics"
    result = run("export", "-o", str(target), env=EPOCH)
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_bytes() == export(run)
    assert os.stat(target).st_mode & 0o777 == 0o666 & ~_umask()
    assert [p.name for p in tmp_path.iterdir()] == ["releases.ics"]
    assert run("export", "-o", "-", env=EPOCH).stdout_bytes == target.read_bytes()


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_failed_export_leaves_the_old_file_exactly_as_it_was(run, tmp_path, write):
    target = tmp_path / "releases.ics"
    target.write_bytes(b"old calendar\r\n")
    os.chmod(target, 0o640)
    bad = write("bad.yaml", "version: 1\nfilms:\n  - {id: f, title: F, releases: [{date: 2021-02-30, kind: vod}]}\n")
    result = run("export", "--data", str(bad), "-o", str(target))
    assert result.exit_code == 1
    assert "2021-02-30" in result.stderr
    assert target.read_bytes() == b"old calendar\r\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "releases.ics"]
    good = run("export", "-o", str(target), env=EPOCH)
    assert good.exit_code == 0
    assert os.stat(target).st_mode & 0o777 == 0o640  # the file keeps its permissions


def test_an_unwritable_target_is_one_line_and_exit_1(run, tmp_path):
    (tmp_path / "folder").mkdir()
    result = run("export", "-o", str(tmp_path / "folder"))
    assert result.exit_code == 1
    assert result.stderr == f"relcal: cannot write {tmp_path / 'folder'}: it is a folder; give a file name\n"
    blocked = tmp_path / "file"
    blocked.write_text("x")
    result = run("export", "-o", str(blocked / "releases.ics"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"relcal: cannot write {blocked / 'releases.ics'}: Not a directory")


def test_split_by_platform_writes_one_calendar_per_group(run, tmp_path):
    out = tmp_path / "cals"
    result = run("export", "--split-by", "platform", "--out-dir", str(out), "-r", "US", "--from", "2021-02",
                 "--to", "2021-02", env=EPOCH)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.glob("*.ics"))
    assert "hulu.ics" in names and "hbo-max.ics" in names and "vod.ics" in names
    hulu = unfolded((out / "hulu.ics").read_bytes())
    assert "X-WR-CALNAME:relcal releases — Hulu" in hulu
    assert props(hulu, "UID") == ["dear-comrades.streaming.us.hulu@relcal", "nomadland.streaming.us.hulu@relcal"]
    everything = unfolded(export(run, "-r", "US", "--from", "2021-02", "--to", "2021-02"))
    split_uids = [u for p in out.glob("*.ics") for u in props(unfolded(p.read_bytes()), "UID")]
    assert sorted(split_uids) == sorted(props(everything, "UID"))


@pytest.mark.parametrize("by, expected", [("film", "dear-comrades.ics"), ("kind", "streaming.ics"), ("region", "us.ics")])
def test_split_by_film_kind_region(run, tmp_path, by, expected):
    result = run("export", "--split-by", by, "--out-dir", str(tmp_path), "-f", "dear-comrades", env=EPOCH)
    assert result.exit_code == 0
    files = {p.name: unfolded(p.read_bytes()) for p in tmp_path.glob("*.ics")}
    assert expected in files
    everything = unfolded(export(run, "-f", "dear-comrades"))
    # every file holds events, and together they hold each event of the film once
    assert all(props(text, "UID") for text in files.values())
    assert sorted(u for text in files.values() for u in props(text, "UID")) == sorted(props(everything, "UID"))
    if by == "kind":
        assert props(files["streaming.ics"], "UID") == ["dear-comrades.streaming.us.hulu@relcal"]


def test_split_by_writes_no_calendar_for_a_group_of_month_only_windows(run, write, tmp_path):
    data = write("partial.yaml", """
        version: 1
        films:
          - id: a
            title: A
            releases:
              - {date: 2021-03-01, kind: theatrical, region: US, platform: Cinema One}
              - {date: 2021-05, kind: vod, region: US, platform: Shop}
    """)
    out = tmp_path / "cals"
    result = run("export", "--data", str(data), "--split-by", "platform", "--out-dir", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.ics")) == ["cinema-one.ics"]
    assert result.stderr == "1 group with no window known to the day got no calendar; --include-partial adds them\n"
    with_partial = run("export", "--data", str(data), "--split-by", "platform", "--out-dir", str(out),
                       "--include-partial")
    assert with_partial.exit_code == 0
    assert sorted(p.name for p in out.glob("*.ics")) == ["cinema-one.ics", "shop.ics"]
    assert props(unfolded((out / "shop.ics").read_bytes()), "UID") == ["a.vod.us.shop@relcal"]


def test_split_file_names_are_safe_and_distinct():
    names = ical.file_names(["Hulu", "HBO Max", "HBO-Max", "../../x", "/etc/passwd", "CON", "", "Первый", "x" * 300])
    assert names["Hulu"] == "hulu.ics"
    assert names["HBO Max"] != names["HBO-Max"]
    assert names["../../x"].startswith("x") and "/" not in names["../../x"]
    assert names["/etc/passwd"] == "etc-passwd.ics"
    assert names["CON"].startswith("con-") and names["CON"] != "con.ics"
    assert re.fullmatch(r"[0-9a-f]{8}\.ics", names[""])
    assert re.fullmatch(r"[0-9a-f]{8}\.ics", names["Первый"])
    assert len(names["x" * 300]) < 80
    assert len(set(names.values())) == len(names)
    for name in names.values():
        assert re.fullmatch(r"[a-z0-9-]+\.ics", name)


@pytest.mark.parametrize("args, message", [
    (["--split-by", "platform"], "--split-by writes one file per group into --out-dir DIR"),
    (["--split-by", "colour", "--out-dir", "x"], "--split-by: 'colour' is not known"),
    (["--out-dir", "x"], "--out-dir goes with --split-by"),
    (["--remind", "soon"], "--remind: 'soon' is not a duration"),
    (["--remind", "PT"], "--remind: 'PT' is not an RFC 5545 duration"),
    (["--remind", "P1DT"], "--remind: 'P1DT' is not an RFC 5545 duration"),
    (["--remind", "P0D"], "--remind: 'P0D' is zero"),
    (["--remind", "0d"], "--remind: '0d' is zero"),
    (["--split-by", "Colour", "--out-dir", "x"], "--split-by: 'Colour' is not known"),
])
def test_export_usage_errors(run, args, message):
    result = run("export", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_export_needs_no_shipped_file_when_data_is_given(run, write, monkeypatch):
    """An export of the user's own data reads nothing else: the shipped dataset is never asked for."""
    import relcal.catalog

    def no_shipped_data():
        raise AssertionError("the shipped dataset was asked for")

    monkeypatch.setattr(relcal.catalog, "shipped_dataset", no_shipped_data)
    data = write("mine.yaml", """
        version: 1
        films:
          - id: x
            title: X
            releases:
              - {date: 2021-01-01, kind: tv}
    """)
    result = run("export", "--data", str(data), env=EPOCH)
    assert result.exit_code == 0, result.output
    assert props(unfolded(result.stdout_bytes), "UID") == ["x.tv.world@relcal"]
    catalog = Catalog((Film(id="x", title="X", releases=(Release(PartialDate(2021, 1, 1), Kind.TV),)),))
    library = ical.export_bytes(Query().rows(catalog), ical.Options(stamp=datetime(2021, 1, 1, tzinfo=timezone.utc)))
    assert props(unfolded(library), "UID") == ["x.tv.world@relcal"]


def test_a_url_never_carries_a_control_character_into_the_calendar():
    catalog = Catalog((Film(id="x", title="X", releases=(
        Release(PartialDate(2021, 1, 1), Kind.TV, source="https://example.org/a\x01b c\x9bd"),)),))
    data = ical.export_bytes(Query().rows(catalog), ical.Options(stamp=datetime(2021, 1, 1, tzinfo=timezone.utc)))
    assert props(unfolded(data), "URL") == ["https://example.org/a%01b%20c%C2%9Bd"]

# --------------------------------------------------------------------------
# Outputs that never surprise (empty exports, cancelled windows, split sets)

def test_an_export_that_matches_nothing_keeps_the_old_calendar(run, tmp_path):
    target = tmp_path / "pub.ics"
    target.write_bytes(b"the calendar subscribers read\r\n")
    result = run("export", "--film", "nomadland", "--platform", "hulo", "-o", str(target), env=EPOCH)
    assert result.exit_code == 1
    assert result.stderr == ("relcal: no window matches these filters, so there is nothing to export; nothing was "
                             "written (--allow-empty writes an empty calendar)\n")
    assert target.read_bytes() == b"the calendar subscribers read\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["pub.ics"]
    assert run("export", "--platform", "hulo", env=EPOCH).stdout_bytes == b""  # nor on stdout


def test_allow_empty_writes_a_valid_calendar_with_no_event(run, tmp_path):
    import icalendar

    target = tmp_path / "pub.ics"
    result = run("export", "--platform", "hulo", "--allow-empty", "-o", str(target), env=EPOCH)
    assert result.exit_code == 0, result.output
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    assert calendar["PRODID"] and not calendar.walk("VEVENT")


def test_the_empty_export_names_the_partial_windows_that_matched(run, write):
    data = write("p.yaml", """
        version: 1
        films:
          - id: f
            title: F
            releases:
              - {date: 2021-03, kind: theatrical, region: US}
    """)
    result = run("export", "--data", str(data), env=EPOCH)
    assert result.exit_code == 1
    assert "1 window known only to the month or year matched (--include-partial adds them)" in result.stderr


STATUS_DATA = """
    version: 1
    films:
      - id: f
        title: F
        releases:
          - {date: 2021-02-05, kind: theatrical, region: US, status: cancelled}
          - {date: 2021-02-12, kind: vod, region: US, status: postponed}
          - {date: 2021-03-01, kind: tv, region: US}
"""


def test_cancelled_and_postponed_windows_say_so_and_only_live_ones_remind(run, write):
    data = write("s.yaml", STATUS_DATA)
    lines = unfolded(export(run, "--data", str(data), "--remind", "1d"))
    assert props(lines, "SUMMARY") == ["Cancelled: F — Theatrical (US)", "Postponed: F — VOD (US)",
                                       "F — TV (US)"]
    assert props(lines, "STATUS") == ["CANCELLED", "TENTATIVE", "CONFIRMED"]
    events = "\n".join(lines).split("BEGIN:VEVENT")[1:]
    assert ["BEGIN:VALARM" in e for e in events] == [False, True, True]


def test_films_next_window_skips_cancelled_ones(run, write):
    data = write("s.yaml", STATUS_DATA)
    result = run("films", "--data", str(data), "--today", "2021-01-20", "--format", "json")
    assert result.exit_code == 0, result.output
    import json

    (film,) = json.loads(result.stdout)
    assert (film["next_date"], film["next_kind"]) == ("2021-02-12", "vod")


def test_split_by_groups_names_as_the_filters_match_them(run, write, tmp_path):
    data = write("h.yaml", """
        version: 1
        films:
          - id: a
            title: A
            releases:
              - {date: 2021-02-05, kind: streaming, region: US, platform: Hulu}
          - id: b
            title: B
            releases:
              - {date: 2021-02-06, kind: streaming, region: US, platform: HULU}
              - {date: 2021-02-07, kind: streaming, region: FR, platform: Canal+ Séries}
              - {date: 2021-02-08, kind: streaming, region: FR, platform: canal+ series}
    """)
    out = tmp_path / "out"
    result = run("export", "--data", str(data), "--split-by", "platform", "--out-dir", str(out), env=EPOCH)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.ics")) == ["canal-series.ics", "hulu.ics"]
    assert len(props(unfolded((out / "hulu.ics").read_bytes()), "UID")) == 2


def test_split_by_leaves_exactly_this_exports_calendars(run, tmp_path):
    out = tmp_path / "out"
    first = run("export", "--split-by", "platform", "--out-dir", str(out), "-f", "dear-comrades", env=EPOCH)
    assert first.exit_code == 0, first.output
    (out / "index.html").write_text("the user's own page")
    (out / "old.ics").write_text("a calendar relcal did not write")
    before = {p.name for p in out.glob("*.ics")}
    assert "hulu.ics" in before
    second = run("export", "--split-by", "platform", "--out-dir", str(out), "-f", "nomadland", "--kind", "theatrical",
                 env=EPOCH, tty=True)
    assert second.exit_code == 0, second.output
    now = {p.name for p in out.glob("*.ics")}
    assert "hulu.ics" not in now and "old.ics" in now and (out / "index.html").exists()
    written = set(__import__("json").loads((out / ".relcal-export.json").read_text())["files"])
    assert now == written | {"old.ics"}
    assert "removed" in second.tty_stderr and "that this export no longer writes" in second.tty_stderr
