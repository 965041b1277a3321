"""Formats, widths and the output sink."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relcal.model import Film, Kind, PartialDate, Release, Status
from relcal.query import ROW_KEYS, Row
from relcal.render import FORMATS, Sink, describe, empty_note, gap, write_film, write_rows

TRICKY = Film(id="tricky", title='Tab\there, "quotes", pipe | and back\\slash\nnew line',
              releases=(Release(PartialDate(2021, 2, 5), Kind.VOD, region="US", note="a;b,c\r\nd"),))
ROWS = [Row(TRICKY, TRICKY.releases[0])]


def render(fmt, rows=ROWS, width=80, tty=False, header=True, color=False):
    out, err = io.StringIO(), io.StringIO()
    write_rows(Sink(out, err, stdout_isatty=tty, width=width, color=color), fmt, rows, header=header)
    return out.getvalue()


def cells(line):
    """Terminal cells of LINE by East Asian Width, independently of relcal's own count:
    Wide and Fullwidth 2, combining marks and format characters 0, the rest 1."""
    total = 0
    for char in line:
        category = unicodedata.category(char)
        if category in ("Mn", "Me", "Cf"):
            continue
        total += 2 if category != "Cn" and unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def widest(text):
    return max((cells(line) for line in text.split("\n")), default=0)


def rows_of(*titles, where=None, region="JP"):
    films = [Film(id=f"f{i}", title=title, releases=(Release(PartialDate(2021, 2, 5), Kind.THEATRICAL, venue=where,
                                                             region=region),))
             for i, title in enumerate(titles)]
    return [Row(film, film.releases[0]) for film in films]


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
    # a tab is a control character to a terminal: md writes it as a space; every
    # ASCII punctuation character is backslash-escaped (see tests/test_escaping.py)
    assert lines[2] == ('| 2021\\-02\\-05 | Tab here\\, \\"quotes\\"\\, pipe \\| and back\\\\slash<br>new line '
                        '| VOD |  | US |')


def test_machine_formats_never_wrap_long_lines():
    film = Film(id="long", title="x" * 500, releases=(Release(PartialDate(2021, 2, 5), Kind.VOD),))
    for fmt in ("tsv", "csv", "json", "jsonl"):
        assert "x" * 500 in render(fmt, [Row(film, film.releases[0])], width=40)


def test_the_table_fits_the_width_and_never_breaks_a_date_or_a_word():
    film = Film(id="long", title="A Very Long Title That Has To Wrap Somewhere In The Table",
                releases=(Release(PartialDate(2021, 2, 5), Kind.STREAMING, platform="Some Streaming Service", region="US"),))
    rows = [Row(film, film.releases[0])]
    for width in (100, 80, 60, 40, 30, 20):
        text = render("table", rows, width=width, tty=True)
        assert all(len(line) <= width for line in text.splitlines()), (width, text)
        words = text.split()
        # every word shorter than the width comes out whole, the date included, at every width
        for word in ["2021-02-05", *film.title.split(), "Some", "Streaming", "Service", "US"]:
            assert word in words, (width, word, text)


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
    # no gap to or from a month- or year-only date: it has no day to count from
    assert gap(Release(PartialDate(2020, 9), Kind.FESTIVAL), a) == ""
    assert gap(a, Release(PartialDate(2021), Kind.VOD)) == ""


def test_empty_note_says_where_the_data_is():
    film = Film(id="dc", title="Dear Comrades!", releases=(Release(PartialDate(2021, 2, 5), Kind.STREAMING, platform="Hulu", region="US"),))
    row = Row(film, film.releases[0])
    assert empty_note(date(2026, 11, 27), date(2026, 12, 27), row, None) == (
        "No release windows between 2026-11-27 and 2026-12-27; the latest in the data is "
        "2021-02-05 (Dear Comrades!: Streaming, Hulu, US).")
    assert empty_note(date(2020, 1, 1), date(2020, 1, 2), None, row).startswith(
        "No release windows between 2020-01-01 and 2020-01-02; the next is 2021-02-05")
    assert empty_note(None, None, None, None) == "No release windows match these filters."


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self):
        return True


@pytest.mark.parametrize("no_color", [False, True])
def test_sink_from_env_reads_columns_and_no_color(monkeypatch, no_color):
    # On a terminal, where colour is on unless NO_COLOR says otherwise.
    out = Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", Terminal())
    monkeypatch.setenv("COLUMNS", "123")
    monkeypatch.setenv("TERM", "xterm-256color")
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    sink = Sink.from_env()
    assert sink.stdout_isatty and sink.stderr_isatty and sink.default_format() == "table"
    assert sink.width == 123 and sink.columns() == 123
    assert sink.color == (not no_color)
    write_rows(sink, "table", ROWS)
    table = out.getvalue()
    assert "Date" in table and ("\x1b[" in table) == (not no_color), table


def test_sink_defaults():
    assert Sink(io.StringIO(), io.StringIO()).columns() == 80
    assert Sink(io.StringIO(), io.StringIO(), stdout_isatty=True).default_format() == "table"
    assert Sink(io.StringIO(), io.StringIO()).default_format() == "tsv"


# ---------------------------------------------------------------------------
# Control characters never reach a terminal; widths are terminal cells

RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

NASTY = {
    "csi": ("\x1b[31mRed\x1b[0m", "\\x1b[31mRed\\x1b[0m"),
    "osc": ("\x1b]0;pwned\x07Title", "\\x1b]0;pwned\\x07Title"),
    "osc8": ("\x1b]8;;http://evil.example\x1b\\Click\x1b]8;;\x1b\\", "\\x1b]8;;http://evil.example\\x1b\\Click"),
    "c1": ("\x9b2JGone", "\\x9b2JGone"),
    "bidi": ("\u202eevil\u2066x\u2069", "\\u202eevil\\u2066x\\u2069"),
    "del": ("Del\x7fete", "Del\\x7fete"),
    "nul": ("Nul\x00l", "Nul\\x00l"),
}


@pytest.mark.parametrize("fmt,width,color", [("table", 160, False), ("table", 160, True), ("table", 24, False),
                                             ("md", 80, False)], ids=["table", "color", "stacked", "md"])
@pytest.mark.parametrize("name", NASTY)
def test_control_characters_in_a_title_are_made_visible(fmt, width, color, name):
    raw, visible = NASTY[name]
    rows = rows_of(raw, where=raw)
    text = render(fmt, rows, width=width, tty=True, color=color)
    if color:  # rich's own bold header is the only escape sequence
        assert "\x1b[1m" in text
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert not RAW.search(text), repr(text)
    flat = "".join(text.split())
    if fmt == "md":  # undo md's backslash escapes of ASCII punctuation
        flat = re.sub(r"\\([!-/:-@[-`{-~])", r"\1", flat)
    assert "".join(visible.split()) in flat, text
    if fmt == "table":  # the table at 160 columns, the list at 24
        assert text.startswith("Date ") is (width > 100), text


def test_show_makes_control_characters_visible():
    film = Film(id="x", title="\x1b]0;pwned\x07Spirited Away", year=2001, original_title="\u202e千と千尋の神隠し",
                directors=("Hayao\x1b[8m Miyazaki",), synopsis="Chihiro\x9b2J wanders\tinto\r\nthe spirit world.",
                links=(("source", "https://example.org/\x1b[2J"),),
                releases=(Release(PartialDate(2001, 7, 20), Kind.THEATRICAL, venue="Toho\x07", note="\x1b[5mnote"),))
    for width in (80, 30):
        out = io.StringIO()
        write_film(Sink(out, io.StringIO(), stdout_isatty=True, width=width), "table", film,
                   [Row(film, film.releases[0])])
        text = out.getvalue()
        assert not RAW.search(text), repr(text)
        flat = "".join(text.split())
        for visible in ("\\x1b]0;pwned\\x07Spirited", "\\u202e千と千尋の神隠し", "Hayao\\x1b[8m", "Chihiro\\x9b2J",
                        "https://example.org/\\x1b[2J", "Toho\\x07", "\\x1b[5mnote"):
            assert visible in flat, (visible, text)
        assert "wanders into the spirit world." in " ".join(text.split())
        assert widest(text) <= width, text


def test_notes_for_people_make_control_characters_visible():
    film = Film(id="x", title="\x1b[31mRed\nNew\u202e", releases=(Release(PartialDate(2021, 2, 5), Kind.VOD,
                                                                           platform="Hu\x9blu"),))
    row = Row(film, film.releases[0])
    assert describe(row) == "2021-02-05 (\\x1b[31mRed New\\u202e: VOD, Hu\\x9blu)"
    note = empty_note(date(2026, 1, 1), None, row, None)
    assert not RAW.search(note) and "\\x1b[31mRed New\\u202e" in note
    err = io.StringIO()
    Sink(io.StringIO(), err).note("relcal: bad title '\x1b]0;x\x07'\nsecond line")
    assert err.getvalue() == "relcal: bad title '\\x1b]0;x\\x07'\nsecond line\n"


def test_machine_formats_keep_control_characters_as_they_are():
    title = "\x1b[31mRed\x1b[0m \x9b \u202eevil"
    rows = rows_of(title)
    assert json.loads(render("json", rows))[0]["title"] == title
    assert json.loads(render("jsonl", rows))["title"] == title
    assert list(csv.reader(io.StringIO(render("csv", rows))))[1][1] == title
    assert render("tsv", rows).splitlines()[1].split("\t")[1] == title


CJK = [
    "千と千尋の神隠し 劇場版 デジタルリマスター特別編集版",
    "卧虎藏龙",
    "기생충 Parasite (2019) 흑백판",
    "Crouching Tiger, Hidden Dragon 卧虎藏龙 ＦＵＬＬＷＩＤＴＨ",
    "ｶﾀｶﾅ half-width and Ａ fullwidth and e\u0301 combining",
    "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十",
]


@pytest.mark.parametrize("width", [20, 30, 44, 60, 80, 100])
def test_cjk_and_mixed_width_titles_fit_the_width_in_cells(width):
    from rich.cells import cell_len

    rows = rows_of(*CJK, where="東宝シネマズ新宿 スクリーン9")
    text = render("table", rows, width=width, tty=True)
    for line in text.split("\n"):
        assert cells(line) <= width and cell_len(line) <= width, (width, line, text)
    assert text.count("2021-02-05") == len(CJK)
    if text.startswith("2021"):  # the list: every title whole, its characters in order
        for title in CJK:
            assert "".join(title.split()) in "".join(text.split()), (title, text)


def test_whether_a_table_fits_is_counted_in_cells():
    # Film and Where are 8 characters but 16 cells each: by len() the table needs 50
    # columns, by cells 58 even with both squeezed to the 12-cell minimum.
    rows = rows_of("千と千尋の神隠し", where="東宝シネマズ新宿")
    assert render("table", rows, width=66, tty=True).startswith("Date ")
    text = render("table", rows, width=52, tty=True)
    assert text == "2021-02-05  千と千尋の神隠し\n  Theatrical · 東宝シネマズ新宿 · JP\n", text


@pytest.mark.parametrize("width", [20, 30, 44, 60, 80])
def test_show_wraps_cjk_by_cells(width):
    film = Film(id="sa", title="千と千尋の神隠し デジタルリマスター特別編集版", year=2001,
                directors=("宮崎駿",), cast=("柊瑠美", "入野自由", "夏木マリ", "中村彰男", "玉井夕海"),
                synopsis="10歳の少女千尋は、両親と共に引っ越し先の新しい家へ向かう途中、不思議なトンネルを抜けて" * 3,
                releases=(Release(PartialDate(2001, 7, 20), Kind.THEATRICAL, venue="東宝シネマズ日比谷 スクリーン1",
                                  region="JP", note="公開初日の舞台挨拶つき、全国三百館以上で同時公開"),))
    out = io.StringIO()
    write_film(Sink(out, io.StringIO(), stdout_isatty=True, width=width), "table", film, [Row(film, film.releases[0])])
    text = out.getvalue()
    assert widest(text) <= width, text
    assert "千と千尋の神隠しデジタルリマスター特別編集版(2001)" in "".join(text.split()), text


def test_cell_width_counts_terminal_cells():
    from relcal.render import cell_width

    assert cell_width("Dear Comrades!") == 14
    assert cell_width("千と千尋") == 8
    assert cell_width("ＡＢ") == 4
    assert cell_width("ｶﾀｶﾅ") == 4  # half-width katakana
    assert cell_width("e\u0301") == 1
    assert cell_width("기생충") == 6
    assert cell_width("a\u200db") == 2


SPECIAL_CHARACTERS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))] + list(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # bidi
    "千と尋の神隠ＡＢ기생충\u3000ｶ"  # wide, fullwidth, ideographic space, half-width
    "\u0301\u0308\u200b\u200d\ufe0f\U0001f600\U0001f3fb\u3164\u2028"  # marks, zero-width, emoji
    " -·,"
)
TITLES = st.text(st.one_of(st.sampled_from(SPECIAL_CHARACTERS), st.characters()), min_size=1, max_size=40)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(titles=st.lists(TITLES, min_size=1, max_size=3), where=st.one_of(st.none(), TITLES),
       width=st.integers(min_value=2, max_value=120))
def test_any_title_reaches_a_terminal_without_control_characters_and_within_the_width(titles, where, width):
    text = render("table", rows_of(*titles, where=where), width=width, tty=True)
    assert not RAW.search(text), repr(text)
    assert widest(text) <= width, (width, text)
    assert text.count("2021-02-05") == len(titles) or width < len("2021-02-05")  # then broken, not cut


@pytest.mark.parametrize("value, colour", [(None, True), ("", True), ("1", False), ("0", False)])
def test_no_color_counts_only_when_set_and_not_empty(monkeypatch, value, colour):
    from relcal import render

    monkeypatch.setattr(render, "_isatty", lambda stream: True)
    monkeypatch.setenv("TERM", "xterm-256color")
    if value is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", value)
    assert render.Sink.from_env().color is colour
