"""Formats, widths and the output sink."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from relcal.model import Film, Kind, PartialDate, Release, Status
from relcal.query import ROW_KEYS, Row
from relcal.render import FORMATS, Sink, empty_note, gap, write_rows

TRICKY = Film(id="tricky", title='Tab\there, "quotes", pipe | and back\\slash\nnew line',
              releases=(Release(PartialDate(2021, 2, 5), Kind.VOD, region="US", note="a;b,c\r\nd"),))
ROWS = [Row(TRICKY, TRICKY.releases[0])]


def render(fmt, rows=ROWS, width=80, tty=False, header=True):
    out, err = io.StringIO(), io.StringIO()
    write_rows(Sink(out, err, stdout_isatty=tty, width=width), fmt, rows, header=header)
    return out.getvalue()


def test_tsv_keeps_one_record_per_line_and_one_field_per_tab():
    text = render("tsv")
    lines = text.split("\n")
    assert lines[0].split("\t") == list(ROW_KEYS)
    fields = lines[1].split("\t")
    assert len(fields) == len(ROW_KEYS)
    assert fields[1] == 'Tab\\there, "quotes", pipe | and back\\\\slash\\nnew line'
    assert fields[10] == "a;b,c\\r\\nd"
    assert text.endswith("\n") and lines[2] == ""


def test_csv_round_trips_through_a_csv_reader():
    rows = list(csv.reader(io.StringIO(render("csv"))))
    assert rows[0] == list(ROW_KEYS)
    assert rows[1][1] == TRICKY.title
    assert rows[1][10] == "a;b,c\r\nd"
    assert list(csv.reader(io.StringIO(render("csv", header=False))))[0][0] == "tricky"


def test_json_and_jsonl_carry_every_key_with_null_for_empty():
    (record,) = json.loads(render("json"))
    assert list(record) == list(ROW_KEYS)
    assert record["title"] == TRICKY.title and record["platform"] is None
    lines = render("jsonl").splitlines()
    assert [json.loads(line) for line in lines] == [record]


def test_json_writes_unicode_as_is():
    film = Film(id="dc", title="Дорогие товарищи!", releases=(Release(PartialDate(2021, 1, 29), Kind.VOD),))
    assert "Дорогие товарищи!" in render("json", [Row(film, film.releases[0])])


def test_markdown_escapes_pipes_and_newlines():
    lines = render("md").splitlines()
    assert lines[0] == "| Date | Film | Kind | Where | Region |"
    assert lines[1] == "|---|---|---|---|---|"
    assert lines[2] == '| 2021-02-05 | Tab\there, "quotes", pipe \\| and back\\\\slash<br>new line | VOD |  | US |'


def test_machine_formats_never_wrap_long_lines():
    film = Film(id="long", title="x" * 500, releases=(Release(PartialDate(2021, 2, 5), Kind.VOD),))
    for fmt in ("tsv", "csv", "json", "jsonl"):
        assert "x" * 500 in render(fmt, [Row(film, film.releases[0])], width=40)


def test_the_table_fits_the_width_and_never_breaks_a_date():
    film = Film(id="long", title="A Very Long Title That Has To Wrap Somewhere In The Table",
                releases=(Release(PartialDate(2021, 2, 5), Kind.STREAMING, platform="Some Streaming Service", region="US"),))
    rows = [Row(film, film.releases[0])]
    for width in (100, 80, 60, 40, 30, 20):
        text = render("table", rows, width=width, tty=True)
        assert all(len(line) <= width for line in text.splitlines()), (width, text)
        assert "2021-02-05" in text
        words = " ".join(text.split())
        for word in ("Very", "Long", "Title", "Table"):
            assert word in words or width < 30, (width, text)


def test_a_narrow_terminal_gets_a_list_with_every_title_whole():
    film = Film(id="dc", title="Dear Comrades!", releases=(Release(PartialDate(2021, 1, 29), Kind.VIRTUAL_CINEMA, region="US"),))
    text = render("table", [Row(film, film.releases[0])], width=20, tty=True)
    assert text == "2021-01-29  Dear\n  Comrades!\n  Virtual cinemas ·\n  US\n"


def test_a_status_column_appears_only_when_a_window_is_not_confirmed():
    confirmed = render("table", width=100)
    assert "Status" not in confirmed
    film = Film(id="t", title="T", releases=(Release(PartialDate(2021, 2, 5), Kind.VOD, status=Status.TENTATIVE),))
    assert "tentative" in render("table", [Row(film, film.releases[0])], width=100)


def test_unknown_format_is_refused_by_the_library():
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render("xml")
    assert FORMATS == ("table", "tsv", "csv", "json", "jsonl", "md")


def test_gap_between_windows():
    a = Release(PartialDate(2021, 1, 29), Kind.VIRTUAL_CINEMA)
    b = Release(PartialDate(2021, 2, 5), Kind.VOD)
    assert gap(None, a) == ""
    assert gap(a, b) == "+7 days"
    assert gap(b, b) == "same day"
    assert gap(a, Release(PartialDate(2021, 1, 30), Kind.VOD)) == "+1 day"
    assert gap(Release(PartialDate(2020, 9), Kind.FESTIVAL), a) == "~+150 days"


def test_empty_note_says_where_the_data_is():
    film = Film(id="dc", title="Dear Comrades!", releases=(Release(PartialDate(2021, 2, 5), Kind.STREAMING, platform="Hulu", region="US"),))
    row = Row(film, film.releases[0])
    assert empty_note(date(2026, 11, 27), date(2026, 12, 27), row, None) == (
        "No release windows between 2026-11-27 and 2026-12-27; the latest in the data is "
        "2021-02-05 (Dear Comrades!: Streaming, Hulu, US).")
    assert empty_note(date(2020, 1, 1), date(2020, 1, 2), None, row).startswith(
        "No release windows between 2020-01-01 and 2020-01-02; the next is 2021-02-05")
    assert empty_note(None, None, None, None) == "No release windows match these filters."


def test_sink_from_env_reads_columns_and_no_color(monkeypatch):
    monkeypatch.setenv("COLUMNS", "123")
    monkeypatch.setenv("NO_COLOR", "1")
    sink = Sink.from_env()
    assert sink.width == 123 and sink.columns() == 123 and sink.color is False
    assert Sink(io.StringIO(), io.StringIO()).columns() == 80
    assert Sink(io.StringIO(), io.StringIO(), stdout_isatty=True).default_format() == "table"
    assert Sink(io.StringIO(), io.StringIO()).default_format() == "tsv"
