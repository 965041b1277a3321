"""relcal calendar, timeline and stats as a user sees them: golden pictures at
40, 80 and 120 columns, widths in terminal cells, ASCII under LANG=C, SVG that
parses, the rows behind the pictures, errors, and a real pseudo-terminal."""

from __future__ import annotations

import itertools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from relcal import cli
from relcal.model import Kind, PartialDate, Release, Status
from relcal.query import ROW_KEYS
from relcal.render import cell_width
from relcal.views import STATS_KEYS

from .conftest import DATA, ROOT

VIEWS = str(DATA / "views.yaml")
# The pictures' glyphs depend on the locale (ASCII unless it names UTF-8): pinned here.
UTF8 = {"LANG": "C.UTF-8", "LC_ALL": None, "LC_CTYPE": None}
ASCII_LOCALE = {"LANG": "C", "LC_ALL": None, "LC_CTYPE": None}

CALENDAR = ("calendar", "2021-03", "--today", "2021-03-12", "--data", VIEWS)
TIMELINE = ("timeline", "--today", "2021-03-12", "--data", VIEWS)
STATS = ("stats", "--today", "2021-03-12", "--data", VIEWS, "--format", "table")
PICTURES = {"calendar": CALENDAR, "timeline": TIMELINE, "stats": STATS}


def picture(run, args, columns, env=None):
    result = run(*args, env={**UTF8, "COLUMNS": str(columns), **(env or {})})
    assert result.exit_code == 0, result.output
    return result


def assert_fits(text, columns):
    for line in text.split("\n"):
        assert cell_width(line) <= columns, f"{cell_width(line)} cells > {columns}: {line!r}"


# ---------------------------------------------------------------------------
# golden pictures

@pytest.mark.parametrize("columns", [40, 80, 120])
@pytest.mark.parametrize("view", ["calendar", "timeline", "stats"])
def test_golden_pictures(run, golden, view, columns):
    result = picture(run, PICTURES[view], columns)
    assert_fits(result.stdout, columns)
    assert "\x1b" not in result.stdout  # NO_COLOR
    golden(f"{view}-views-{columns}.txt", result.stdout)


def test_golden_calendar_in_ascii_under_lang_c(run, golden):
    result = picture(run, CALENDAR, 80, ASCII_LOCALE)
    lines = result.stdout.splitlines()
    assert lines[1].startswith("+----------+") and lines[2].startswith("|Mon")
    assert all(line.isascii() for line in lines if "Зимняя" not in line)  # the data keeps its own letters
    golden("calendar-views-80-ascii.txt", result.stdout)


def test_golden_timeline_in_ascii_under_lang_c(run, golden):
    result = picture(run, TIMELINE, 80, ASCII_LOCALE)
    body = [line for line in result.stdout.splitlines() if "Зимняя" not in line and "東京" not in line]
    assert all(line.isascii() for line in body)
    golden("timeline-views-80-ascii.txt", result.stdout)


def test_golden_calendar_sunday_first_two_months(run, golden):
    result = picture(run, ("calendar", "feb 2021", "--months", "2", "--week-start", "sunday", "--today", "2021-03-12",
                           "--data", VIEWS), 80)
    lines = result.stdout.splitlines()
    assert lines[2].startswith("│Sun") and "February 2021" in lines[0] and "  March 2021" in result.stdout
    golden("calendar-views-feb-mar-sunday-80.txt", result.stdout)


def test_golden_svg(run, golden):
    result = picture(run, ("timeline", "--format", "svg", "--data", VIEWS), 80)
    golden("timeline-views.svg", result.stdout)


# ---------------------------------------------------------------------------
# what the pictures show

def test_calendar_shows_the_crowded_day_with_plus_n_and_today(run):
    text = picture(run, CALENDAR, 80).stdout
    assert "+4 more" in text  # 2021-03-05 holds six windows; two are shown
    assert "[12] today" in text
    assert "Also in March 2021, day not known:" in text and "Зимняя дорога (Первый канал, RU, Mar 2021)" in text
    key = text[text.index("Key:"):]
    assert "◉ Theatrical" in key and "[n] today" in key and "▮" not in key and "◍" not in key  # only the marks drawn


def test_calendar_degrades_to_a_week_list_on_a_narrow_terminal(run):
    text = picture(run, CALENDAR, 40).stdout
    assert "│" not in text and "1–7 Mar" in text
    assert "  Fri  5 ✧ <script>alert('x')</script> &" in text
    assert "  Fri 12 (today)" in text
    assert "         ◉ 東京の夜と長い帰り道\n           (Theatrical, JP)\n" in text


def test_timeline_marks_partial_dates_as_spans_and_labels_films(run):
    text = picture(run, TIMELINE, 120).stdout
    lines = text.splitlines()
    lane = next(line for line in lines if line.startswith("<script>"))
    assert "▮═══" in lane and "✧" in lane  # the year-only disc spans 2021
    assert any(line.startswith("東京の夜と長い帰り道 ") for line in lines)
    assert any(line.startswith("Зимняя дорога ") for line in lines)
    long_haul = next(line for line in lines if line.startswith("The Long Haul of Everything"))
    assert "x" in long_haul.split("Everything")[1]  # the cancelled VOD
    assert "ticks mark months" in text


def test_timeline_range_and_year_ticks(run):
    text = picture(run, ("timeline", "--from", "2019-01", "--to", "2023-12", "--data", VIEWS), 80).stdout
    assert "ticks mark years" in text and "2020" in text.splitlines()[0] and "2023" in text.splitlines()[0]
    text = picture(run, ("timeline", "--from", "2021-03-01", "--to", "2021-03-31", "--data", VIEWS), 80).stdout
    assert "From 2021-03-01 to 2021-03-31" in text


def test_stats_table_has_a_bar_per_group_scaled_to_the_largest_median(run):
    text = picture(run, STATS, 80).stdout
    lines = {line.split("  ")[0].strip(): line for line in text.splitlines()}
    longest = lines["The Long Haul of Ever…"]  # names give way to the bars
    assert longest.rstrip().endswith("█" * longest.count("█")) and longest.count("█") > 0
    assert lines["World Wide"].count("█") == round(12 / 35 * longest.count("█"))
    assert "░" in lines["Home First"] and "█" not in lines["Cinema Only"]


def test_every_line_fits_at_many_widths(run):
    for columns in (12, 20, 29, 33, 45, 57, 63, 64, 71, 79, 100, 200):
        for view, args in PICTURES.items():
            result = picture(run, args, columns)
            assert_fits(result.stdout, columns)
        assert_fits(picture(run, ("calendar", "2021-03", "--data", VIEWS), columns, ASCII_LOCALE).stdout, columns)


def test_every_line_fits_on_the_shipped_data(run):
    for columns in (40, 80, 120):
        for args in (("calendar", "2021-02", "--months", "3"), ("timeline",), ("stats", "--format", "table"),
                     ("stats", "--by", "distributor", "--format", "table")):
            assert_fits(picture(run, (*args, "--today", "2021-01-20"), columns).stdout, columns)


# ---------------------------------------------------------------------------
# machine formats: the rows behind the pictures

def test_calendar_rows_are_the_rows_of_the_months_shown(run):
    result = picture(run, ("calendar", "2021-03", "--format", "json", "--data", VIEWS), 80)
    rows = json.loads(result.stdout)
    assert rows and all(tuple(r) == ROW_KEYS for r in rows)
    assert {r["date"][:7] for r in rows} == {"2021-03"} and len(rows) == 17
    same = run("releases", "--from", "2021-03", "--to", "2021-03", "--format", "json", "--data", VIEWS)
    assert json.loads(same.stdout) == rows
    tsv = picture(run, ("calendar", "2021-03", "--format", "tsv", "--no-header", "--data", VIEWS), 80).stdout
    assert len(tsv.splitlines()) == 17
    year = picture(run, ("calendar", "2021", "--format", "jsonl", "--data", VIEWS), 80).stdout  # a year: 12 months
    assert year == run("releases", "--from", "2021", "--to", "2021", "--format", "jsonl", "--data", VIEWS).stdout
    assert year.count("\n") == 25


def test_timeline_rows_and_filters(run):
    result = picture(run, ("timeline", "-f", "home-first", "--format", "csv", "--data", VIEWS), 80)
    assert result.stdout.splitlines()[0] == ",".join(ROW_KEYS) and len(result.stdout.splitlines()) == 3
    text = picture(run, ("timeline", "-k", "streaming", "--data", VIEWS), 80).stdout
    assert "◉" not in text and "Cinema Only" not in text


def test_stats_json_keys(run):
    result = picture(run, ("stats", "--by", "region", "--format", "json", "--data", VIEWS), 80)
    groups = json.loads(result.stdout)
    assert all(tuple(g) == STATS_KEYS for g in groups)
    worldwide = groups[-1]
    assert worldwide == {"group": None, "films": 2, "windows": 3, "gaps": 1, "gap_median_days": 14,
                         "gap_min_days": 14, "gap_max_days": 14}
    us = next(g for g in groups if g["group"] == "US")
    assert (us["gaps"], us["gap_median_days"], us["gap_min_days"], us["gap_max_days"]) == (4, 8.5, -11, 35)
    piped = run("stats", "--data", VIEWS)  # a row command: tsv in a pipe
    assert piped.stdout.splitlines()[0].split("\t") == list(STATS_KEYS)
    md = picture(run, ("stats", "--format", "md", "--data", VIEWS), 80).stdout
    assert md.splitlines()[0] == "| Group | Films | Windows | Gaps | Median days | Min days | Max days |"
    assert "<script>" not in md and "script" in md.splitlines()[2]  # md is escaped as the row commands' md is


def test_stats_on_the_shipped_data_dear_comrades(run):
    result = picture(run, ("stats", "--today", "2021-01-20", "--film", "dear-comrades", "--format", "json"), 80)
    (group,) = json.loads(result.stdout)
    # The first US cinema window is Film Forum's announced virtual run of 2020-12-25; VOD came on 2021-02-05.
    assert (group["group"], group["gaps"], group["gap_median_days"]) == ("dear-comrades", 1, 42)
    confirmed = picture(run, ("stats", "--film", "dear-comrades", "--status", "confirmed", "--format", "json"), 80)
    assert json.loads(confirmed.stdout)[0]["gap_median_days"] == 7  # virtual cinemas 01-29 -> VOD 02-05


# ---------------------------------------------------------------------------
# SVG

def test_svg_is_well_formed_and_escapes_the_data(run, tmp_path):
    result = picture(run, ("timeline", "--format", "svg", "--data", VIEWS), 80)
    svg = result.stdout
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "script"]
    assert "<script>" not in svg and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Friends" in svg
    texts = "".join(root.itertext())
    assert "<script>alert('x')</script> & Friends" in texts and "Sundance & <Co>" in texts
    assert "東京の夜と長い帰り道" in texts and "Зимняя дорога" in texts
    out = tmp_path / "timeline.svg"
    written = picture(run, ("timeline", "--format", "svg", "-o", str(out), "--data", VIEWS), 80)
    assert written.stdout == "" and out.read_text(encoding="utf-8") == svg


def test_svg_escapes_control_characters_and_noncharacters():
    # The dataset loader refuses control characters in titles; the SVG writer does not rely on it.
    from relcal.model import Film
    from relcal.pictures import timeline_svg
    from relcal.query import Row
    from relcal.views import timeline

    film = Film("odd", "Bell\a, \ufffe, \u202e and ]]> <b>", releases=(
        Release(PartialDate(2021, 3, 5), Kind.THEATRICAL, venue='A "quoted" <venue> & more'),
        Release(PartialDate(2021, 4), Kind.VOD, status=Status.CANCELLED)))
    svg = timeline_svg(timeline([Row(film, r) for r in film.releases]))
    root = ET.fromstring(svg.encode("utf-8"))
    assert "\\x07" in svg and "\\ufffe" in svg and "\\u202e" in svg and "<b>" not in svg
    assert 'A "quoted" <venue> & more' in "".join(root.itertext())


def test_output_file_for_an_unwritable_place_is_an_error_not_a_traceback(run, tmp_path):
    result = run("timeline", "--format", "svg", "-o", str(tmp_path), "--data", VIEWS, env=UTF8)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith("relcal: cannot write")


# ---------------------------------------------------------------------------
# errors: one line, exit 2

@pytest.mark.parametrize("args, message", [
    (("stats", "--by", "studio"), "--by: 'studio' is not a grouping"),
    (("stats", "--by", "kinds"), "did you mean 'kind'?"),
    (("calendar", "--week-start", "friday"), "--week-start: 'friday' is not monday or sunday"),
    (("calendar", "2021-13"), "MONTH: '2021-13' does not exist"),
    (("calendar", "soon"), "MONTH: 'soon' is not a date"),
    (("calendar", "--format", "svg"), "--format: 'svg' is not a format of this command"),
    (("timeline", "--from", "2021-05", "--to", "2021-04"), "is before --from"),
    (("timeline", "-f", "no-such-film"), "no film with id 'no-such-film'"),
    (("stats", "-k", "cinema"), "--kind: 'cinema' is not known"),
])
def test_usage_errors(run, args, message):
    result = run(*args, "--data", VIEWS, env=UTF8)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_empty_results_are_a_success_with_a_note(run):
    result = run("calendar", "2022-07", "--data", VIEWS, env=UTF8)
    assert result.exit_code == 0 and "July 2022" in result.stdout
    assert result.stderr.startswith("No release windows between 2022-07-01 and 2022-07-31")
    result = run("timeline", "--from", "2022-01", "--data", VIEWS, env=UTF8)
    assert (result.exit_code, result.stdout) == (0, "") and result.stderr.startswith("No release windows")
    result = run("stats", "--from", "2022-01", "--format", "table", "--data", VIEWS, env=UTF8)
    assert (result.exit_code, result.stdout) == (0, "") and result.stderr.startswith("No release windows")


def test_only_builds_each_new_command():
    for name in ("calendar", "timeline", "stats"):
        light = cli.only(name)
        assert light is not None and len(light.registered_commands) == 1


def test_other_commands_do_not_load_the_views():
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "80"}
    env.pop("RELCAL_DATA", None)
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "relcal", "upcoming", "--today", "2021-01-20",
                             "--format", "tsv"], capture_output=True, text=True, cwd=ROOT, env=env)
    assert result.returncode == 0
    loaded = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "relcal.cli" in loaded and not {"relcal.views", "relcal.pictures"} & loaded


# ---------------------------------------------------------------------------
# a real terminal: a pseudo-terminal 80 columns wide, colour on and off

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.mark.skipif(not shutil.which("script"), reason="needs script(1) from util-linux")
@pytest.mark.parametrize("colour", [True, False])
def test_each_view_fits_a_real_80_column_terminal(colour):
    env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    for name in ("COLUMNS", "LINES", "NO_COLOR", "RELCAL_DATA", "LC_ALL", "LC_CTYPE"):
        env.pop(name, None)
    if not colour:
        env["NO_COLOR"] = "1"
    relcal = f"{shlex.quote(sys.executable)} -m relcal"
    views = shlex.quote(VIEWS)
    commands = [f"{relcal} calendar 2021-03 --today 2021-03-12 --data {views}",
                f"{relcal} calendar 2021-02 --today 2021-01-20",
                f"{relcal} timeline --today 2021-03-12 --data {views}",
                f"{relcal} timeline --today 2021-01-20",
                f"{relcal} stats --today 2021-03-12 --data {views}",
                f"{relcal} stats --today 2021-01-20 --by platform"]
    for command in commands:
        shell = f"stty cols 80 rows 40; {command}"
        result = subprocess.run(["script", "-qec", shell, "/dev/null"], capture_output=True, env=env, cwd=ROOT,
                                timeout=120, stdin=subprocess.DEVNULL)
        text = result.stdout.decode("utf-8")
        assert result.returncode == 0, text
        assert ("\x1b[" in text) == colour, command  # colour on a terminal, unless NO_COLOR
        lines = _ANSI.sub("", text).replace("\r\n", "\n").split("\n")
        assert len(lines) > 5, text
        assert "Traceback" not in text
        for line in lines:
            assert cell_width(line) <= 80, f"{command}: {line!r}"


def test_timeline_row_labels_tell_films_apart(run):
    text = picture(run, ("timeline", "--today", "2021-01-20", "--from", "2027-01", "-s", "resurrection"), 80).stdout
    labels = [line[:26].rstrip() for line in text.splitlines()[2:4]]
    assert labels == ["The Resurrect…st: Part One", "The Resurrect…st: Part Two"]


# ---------------------------------------------------------------------------
# review fixes: long spans, SVG labels, empty pictures, narrow lists, keys

SPAN = """\
version: 1
films:
  - id: old
    title: "Old Film"
    releases:
      - {date: 1895-12-28, kind: premiere, region: FR}
      - {date: 1899, kind: vod}
  - id: future
    title: "Future Film"
    releases:
      - {date: 2150-01-01, kind: theatrical, region: US}
      - {date: 2150-06-01, kind: streaming, region: US, platform: X}
"""

TITLES = """\
version: 1
films:
  - id: wide
    title: "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW"
    releases:
      - {date: 2021-02-05, kind: theatrical, region: US}
  - id: cjk
    title: "東京物語東京物語東京物語東京物語東京物語東京物語"
    releases:
      - {date: 2021-02-05, kind: vod, region: JP}
  - id: part-one
    title: "The Resurrection of the Very Long Title That Goes On and On: Part One"
    releases:
      - {date: 2021-02-06, kind: theatrical, region: US}
  - id: part-two
    title: "The Resurrection of the Very Long Title That Goes On and On: Part Two"
    releases:
      - {date: 2021-02-06, kind: theatrical, region: US}
"""

NARROW = """\
version: 1
films:
  - id: emoji
    title: "Emoji"
    releases:
      - {date: 2021-02-05, kind: streaming, platform: "🎬Flix", region: US}
  - id: cancel
    title: "Cancelled One"
    releases:
      - {date: 2021-02-10, kind: theatrical, region: US, status: cancelled}
      - {date: 2021-02-12, kind: vod, region: US}
  - id: partial
    title: "Partial Dates"
    releases:
      - {date: 2021, kind: physical, region: US}
      - {date: 2021-01, kind: theatrical, region: US}
"""


def _svg_texts(svg, cls):
    root = ET.fromstring(svg.encode("utf-8"))
    ns = "{http://www.w3.org/2000/svg}"
    group = next(g for g in root.iter(ns + "g") if g.get("class") == cls)
    return group, [t for t in group.iter(ns + "text")]


def test_year_ticks_are_thinned_so_labels_never_overlap(run, write):
    data = str(write("span.yaml", SPAN))
    for columns in (30, 80, 200):
        lines = picture(run, ("timeline", "--data", data), columns).stdout.splitlines()
        labels, rule = lines[0], lines[1]
        ticks = [i for i, c in enumerate(rule) if c == "┬"]
        assert 2 <= len(ticks) <= columns // 5, rule
        assert all(b - a >= 5 for a, b in itertools.pairwise(ticks)), rule  # never a solid row of ticks
        years = [int(word) for word in labels.split()]
        step = years[1] - years[0]
        assert step in (2, 5, 10, 25, 50, 100) and all(y % step == 0 for y in years)
        assert f"ticks mark every {step} years" in " ".join(lines)
        for word in re.finditer(r"\d{4}", labels):  # each label on its own tick
            assert rule[word.start()] == "┬"
    svg = picture(run, ("timeline", "--format", "svg", "--data", data), 80).stdout
    group, texts = _svg_texts(svg, "ticks")
    lines = [e for e in group if e.tag.endswith("line")]
    assert 2 <= len(lines) <= 20  # not 255
    spans = sorted((float(t.get("x")), float(t.get("x")) + 4 * 9) for t in texts)  # 4 digits, 9 px each at most
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), spans
    assert all(int(t.text) % 25 == 0 for t in texts)


def test_svg_row_labels_fit_the_label_column_and_tell_films_apart(run, write):
    data = str(write("titles.yaml", TITLES))
    svg = picture(run, ("timeline", "--format", "svg", "--data", data), 80).stdout
    root = ET.fromstring(svg.encode("utf-8"))
    ns = "{http://www.w3.org/2000/svg}"
    labels = {}
    for lane in root.iter(ns + "g"):
        if lane.get("class") == "lane":
            text = lane.find(ns + "text")
            full = text.find(ns + "title").text
            labels[lane.get("data-film")] = (full, "".join(text.itertext())[len(full):])
    # Right-aligned at x=230: W is 12.3 px at 13 px in Helvetica, more in DejaVu Sans; a CJK character 13 px.
    full, shown = labels["wide"]
    assert shown.endswith("…") and shown.count("W") <= 17 and full.count("W") == 36
    full, shown = labels["cjk"]
    assert shown.endswith("…") and len(shown) - 1 <= 16
    one, two = labels["part-one"][1], labels["part-two"][1]
    assert one != two and one.endswith("Part One") and two.endswith("Part Two") and "…" in one


def test_svg_of_a_short_range_names_its_first_and_last_day(run, write):
    data = str(write("titles.yaml", TITLES))
    svg = picture(run, ("timeline", "--format", "svg", "--from", "2021-02-05", "--to", "2021-02-06",
                        "--data", data), 80).stdout
    _, texts = _svg_texts(svg, "range")
    assert [t.text for t in texts] == ["2021-02-05", "2021-02-06"]
    assert [t.get("text-anchor") for t in texts] == [None, "end"]


def test_an_empty_svg_is_the_note_and_no_file(run, tmp_path):
    out = tmp_path / "nothing.svg"
    for args in (("timeline", "--format", "svg", "--from", "2022-01"),
                 ("timeline", "--format", "svg", "--from", "2022-01", "-o", str(out))):
        result = run(*args, "--data", VIEWS, env=UTF8)
        assert (result.exit_code, result.stdout) == (0, "")
        assert result.stderr.startswith("No release windows") and len(result.stderr.splitlines()) == 1
    assert not out.exists()


def test_the_narrow_timeline_list_fits_when_the_output_is_ascii(write):
    data = str(write("narrow.yaml", NARROW))
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "COLUMNS": "20", "LANG": "C.UTF-8", "NO_COLOR": "1",
           "PYTHONDONTWRITEBYTECODE": "1"}
    for name in ("LC_ALL", "LC_CTYPE", "RELCAL_DATA"):
        env.pop(name, None)
    result = subprocess.run([sys.executable, "-m", "relcal", "timeline", "--from", "2021-02", "--to", "2021-02",
                             "--data", data], capture_output=True, text=True, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    assert "\\U0001f3acFlix" in result.stdout  # the stream's escape, counted as written
    for line in result.stdout.splitlines():
        assert len(line) <= 20, line


@pytest.mark.parametrize("char", ["\u2630", "\u2637", "\u268a", "\u268f", "\u4dc0", "\u4dff", "\U0001d300",
                                  "\U0001d356", "\U0001d360", "\U0001d376", "\U0001f1e6", "\U0001f1ff"])
def test_characters_newer_terminals_draw_wide_count_two_cells(char):
    assert cell_width(char) == 2
    assert cell_width("䷀䷁䷂") == 6 and cell_width("\u2638") == 1  # the wheel of dharma stays narrow


def test_a_very_narrow_calendar_keeps_each_day(run, write):
    data = str(write("narrow.yaml", NARROW))
    for columns in (12, 14, 18):
        text = picture(run, ("calendar", "2021-02", "--today", "2021-02-12", "--data", data), columns).stdout
        assert_fits(text, columns)
        lines = text.splitlines()
        for day, mark in (("Fri  5", "≋"), ("Wed 10", "◉"), ("Fri 12", "▸")):
            at = next(i for i, line in enumerate(lines) if line.startswith("  " + day))
            after = lines[at + 1] if lines[at + 1] != "(today)" else lines[at + 2]  # wrapped at 12 columns
            assert after.startswith("  " + mark + " "), text
    wide = picture(run, ("calendar", "2021-02", "--data", data), 40).stdout  # room beside the day: as before
    assert "  Fri  5 ≋ Emoji (🎬Flix, US)" in wide


def test_keys_list_exactly_the_marks_drawn(run, write):
    data = str(write("narrow.yaml", NARROW))
    # The week list writes "[cancelled]" and no x.
    text = picture(run, ("calendar", "2021-02", "--data", data), 40).stdout
    assert "[cancelled]" in text and "x cancelled" not in text
    # The grid draws the x, and the key says so.
    text = picture(run, ("calendar", "2021-02", "--data", data), 120).stdout
    assert "◉ x Cancelled" in text and "x cancelled" in text[text.index("Key:"):]
    # The timeline's list has no axis, no lines and no x: its key and its last line promise none.
    text = picture(run, ("timeline", "--from", "2021-02", "--to", "2021-02", "--data", data), 20).stdout
    assert "ticks mark" not in text and "x cancelled" not in text and "between" not in text
    # A kind whose only window is cancelled is drawn as x: not in the key.
    text = picture(run, ("timeline", "-f", "cancel", "--from", "2021-02", "--to", "2021-02", "--data", data),
                   80).stdout
    key = text[text.index("Key:"):]
    assert "x" in text.splitlines()[2] and "◉" not in text and "◉" not in key and "x cancelled" in key
    # No tick on the axis: no word of ticks.
    text = picture(run, ("timeline", "--from", "2021-02-05", "--to", "2021-02-12", "--data", data), 80).stdout
    assert "┬" not in text and text.rstrip().endswith("From 2021-02-05 to 2021-02-12.")
    # The SVG key has the cancelled ring and the band of a month or year.
    svg = picture(run, ("timeline", "--format", "svg", "--data", data), 80).stdout
    group, texts = _svg_texts(svg, "key")
    assert [t.text for t in texts] == ["Theatrical", "VOD", "Streaming", "DVD/Blu-ray",
                                       "a month or year, day not known", "cancelled"]
    assert group.find("{http://www.w3.org/2000/svg}rect") is not None


def test_a_window_known_only_to_the_year_is_listed_as_such(run, write):
    data = str(write("narrow.yaml", NARROW))
    for columns in (40, 120):
        text = picture(run, ("calendar", "2021-01", "--data", data), columns).stdout
        month = text.index("Also in January 2021, day not known:")
        year = text.index("Known only to the year 2021:")
        assert month < text.index("◉ Partial Dates (Theatrical, US") < year < text.index("▮ Partial Dates (DVD")


DUP = """\
version: 1
films:
  - id: same-a
    title: "Same"
    releases:
      - {date: 2021-02-05, kind: theatrical, region: US, distributor: StudioCanal}
      - {date: 2021-02-15, kind: vod, region: US}
  - id: same-b
    title: "Same"
    releases:
      - {date: 2021-02-06, kind: theatrical, region: GB, distributor: Studiocanal}
  - id: other
    title: "Other"
    releases:
      - {date: 2021-02-07, kind: theatrical, region: FR, distributor: "Stúdiocanal"}
"""


def test_stats_tell_films_of_one_title_apart_in_md_and_the_stacked_list(run, write):
    data = str(write("dup.yaml", DUP))
    md = picture(run, ("stats", "--format", "md", "--data", data), 80).stdout.splitlines()
    assert [line.split(" | ")[0] for line in md[2:]] == ["| Other", "| Same \\(same\\-a\\)", "| Same \\(same\\-b\\)"]
    stacked = picture(run, ("stats", "--format", "table", "--data", data), 30).stdout.splitlines()
    assert "Same (same-a)" in stacked and "Same (same-b)" in stacked and "Other" in stacked
    table = picture(run, ("stats", "--format", "table", "--data", data), 80).stdout
    assert "Same (same-a)" in table and "Same (same-b)" in table


def test_stats_groups_ignore_case_and_accents_as_the_filters_do(run, write):
    data = str(write("dup.yaml", DUP))
    groups = json.loads(picture(run, ("stats", "--by", "distributor", "--format", "json", "--data", data), 80).stdout)
    assert [(g["group"], g["films"], g["windows"], g["gaps"]) for g in groups] == [
        ("StudioCanal", 3, 3, 1), (None, 1, 1, 0)]
