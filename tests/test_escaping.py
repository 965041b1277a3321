r"""Every output format escapes what its reader would interpret (issue 11, 4 and 6-8).

Property tests run arbitrary text (control characters, U+0085, U+2028, U+2029,
quotes, pipes, backslashes) through each format and read it back the way its
consumer would: tsv and jsonl with ``str.splitlines()`` and a decoder, csv with
the csv module, md with markdown-it-py (CommonMark plus tables, as a page shows
it), GitHub annotations with the runner's escaping rules. The CLI tests below
them reproduce each defect of the issue through ``relcal`` itself.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from relcal.errors import Problem
from relcal.model import Film, Kind, PartialDate, Release
from relcal.query import ROW_KEYS, FilmSummary, Row
from relcal.render import FILM_KEYS, Sink, github_annotation, safe_text, write_films, write_rows

from .conftest import ROOT

TODAY = ("--today", "2021-01-20")

# What str.splitlines() breaks at, besides LF and CR.
LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
SPECIAL = list(LINE_BREAKS + "\n\r\t\x00\x1b\x7f\x9b\u202e\ufeff\"'|\\,;=+-@<>&*_`[]()#!~$%:/. \u00a0\u3000")
TEXT = st.text(st.one_of(st.sampled_from(SPECIAL), st.characters(exclude_categories=("Cs",))), max_size=30)
NAMES = st.text(st.one_of(st.sampled_from(SPECIAL), st.characters(exclude_categories=("Cs",))), min_size=1,
                max_size=12)
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")  # OWASP: a spreadsheet runs a cell that starts with one


def film_of(title, note=None, platform=None, directors=()):
    release = Release(PartialDate(2021, 2, 5), Kind.STREAMING, platform=platform or None, note=note or None,
                      region="US")
    return Film(id="f", title=title, year=2020, directors=tuple(directors), releases=(release,))


def rows_out(fmt, film, **kw):
    out = io.StringIO()
    write_rows(Sink(out, io.StringIO()), fmt, [Row(film, film.releases[0])], **kw)
    return out.getvalue()


def films_out(fmt, film):
    out = io.StringIO()
    write_films(Sink(out, io.StringIO()), fmt, [FilmSummary(film, film.releases, film.releases[0])])
    return out.getvalue()


# ---------------------------------------------------------------------------
# Decoders, written from the module's docstring

_TSV_ESCAPE = re.compile(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|.)", re.S)
_TSV_SIMPLE = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def tsv_decode(field):
    def one(match):
        code = match.group(1)
        if code in _TSV_SIMPLE:
            return _TSV_SIMPLE[code]
        assert code[0] in "xu" and len(code) > 1, f"unknown escape \\{code} in {field!r}"
        return chr(int(code[1:], 16))

    return _TSV_ESCAPE.sub(one, field)


def list_decode(text):
    """A list field of tsv/csv back to its items: ' | ' between items, '\\|' and '\\\\' inside one."""
    if text == "":
        return []
    items, current, i = [], [], 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            assert text[i + 1] in "\\|", text
            current.append(text[i + 1])
            i += 2
        elif char == "|":
            items.append("".join(current))
            current, i = [], i + 1
        else:
            current.append(char)
            i += 1
    items.append("".join(current))
    for k in range(len(items)):  # the spaces of ' | '
        if k > 0:
            assert items[k].startswith(" "), text
            items[k] = items[k][1:]
        if k < len(items) - 1:
            assert items[k].endswith(" "), text
            items[k] = items[k][:-1]
    return items


def neutralised(text):
    return "'" + text if text.startswith(DANGEROUS) else text


def github_parse(line):
    """A workflow command back to (properties, message), as the Actions runner reads it."""
    assert line.endswith("\n") and "\n" not in line[:-1] and "\r" not in line, repr(line)
    match = re.fullmatch(r"::error ([^:]*)::(.*)", line[:-1], re.S)
    assert match, repr(line)
    unescape = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}

    def decode(text):
        return re.sub(r"%(25|0D|0A|3A|2C)", lambda m: unescape[m.group(0)], text)

    props = {}
    for part in match.group(1).split(","):
        key, _, value = part.partition("=")
        props[key] = decode(value)
    message = match.group(2)
    assert "\r" not in message and "\n" not in message
    return props, re.sub(r"%(25|0D|0A)", lambda m: unescape[m.group(0)], message)


# ---------------------------------------------------------------------------
# Properties over arbitrary text

@PROPERTY
@given(title=TEXT, note=TEXT, platform=TEXT, directors=st.lists(NAMES, max_size=3))
def test_tsv_is_one_record_per_line_and_round_trips(title, note, platform, directors):
    film = film_of(title, note, platform, directors)
    text = rows_out("tsv", film)
    lines = text.splitlines()
    assert len(lines) == 2 and text.endswith("\n"), repr(text)
    fields = [tsv_decode(f) for f in lines[1].split("\t")]
    assert len(fields) == len(ROW_KEYS)
    record = dict(zip(ROW_KEYS, fields))
    assert (record["title"], record["note"], record["platform"]) == (title, note, platform)
    assert (record["date"], record["precision"], record["kind"], record["status"]) == (
        "2021-02-05", "day", "streaming", "confirmed")

    films = films_out("tsv", film).splitlines()
    assert len(films) == 2
    record = dict(zip(FILM_KEYS, (tsv_decode(f) for f in films[1].split("\t"))))
    assert record["title"] == title and list_decode(record["directors"]) == directors
    assert (record["year"], record["windows"]) == ("2020", "1")


@PROPERTY
@given(title=TEXT, note=TEXT, platform=TEXT, directors=st.lists(NAMES, max_size=3))
def test_jsonl_is_one_record_per_line_and_json_round_trips(title, note, platform, directors):
    film = film_of(title, note, platform, directors)
    text = rows_out("jsonl", film) * 3
    lines = text.splitlines()
    assert len(lines) == 3, repr(text)
    for line in lines:
        record = json.loads(line)
        assert (record["title"], record["note"], record["platform"]) == (title, note or None, platform or None)
    document = rows_out("json", film)
    assert not set(LINE_BREAKS) & set(document)  # line breaks are only the indentation's "\n"
    assert json.loads(document)[0]["title"] == title
    (record,) = [json.loads(line) for line in films_out("jsonl", film).splitlines()]
    assert record["directors"] == directors  # a list stays a list


@PROPERTY
@given(title=TEXT, note=TEXT, platform=TEXT, directors=st.lists(NAMES, max_size=3))
def test_csv_parses_back_to_the_neutralised_text(title, note, platform, directors):
    film = film_of(title, note, platform, directors)
    rows = list(csv.reader(io.StringIO(rows_out("csv", film), newline="")))
    assert len(rows) == 2 and rows[0] == list(ROW_KEYS)
    record = dict(zip(ROW_KEYS, rows[1]))
    for key, original in (("title", title), ("note", note), ("platform", platform)):
        cell = record[key]
        assert cell == neutralised(original)
        # a quote in front exactly when the text would be a formula
        assert (cell != original) == original.startswith(DANGEROUS)
        assert not cell.startswith(DANGEROUS)
    assert (record["date"], record["precision"], record["kind"], record["status"]) == (
        "2021-02-05", "day", "streaming", "confirmed")

    rows = list(csv.reader(io.StringIO(films_out("csv", film), newline="")))
    record = dict(zip(FILM_KEYS, rows[1]))
    assert (record["year"], record["windows"]) == ("2020", "1")
    joined = record["directors"]
    if directors and directors[0].startswith(DANGEROUS):
        assert joined.startswith("'")
        joined = joined[1:]
    assert list_decode(joined) == directors


_MD = MarkdownIt("commonmark").enable("table")
_TAG = re.compile(r"<[^>]*>")
_ALLOWED_TAGS = re.compile(r"</?(table|thead|tbody|tr|th|td)>|<br>")
_CELL = re.compile(r"<td>(.*?)</td>", re.S)


def md_cells(text):
    """The body cells of an md table as a page shows them (text, line breaks as '\\n')."""
    page = _MD.render(text)
    for tag in _TAG.findall(page):
        assert _ALLOWED_TAGS.fullmatch(tag), (tag, text, page)
    assert page.count("<") == len(_TAG.findall(page)), page
    return [html.unescape(cell.replace("<br>", "\n")) for cell in _CELL.findall(page)]


def md_expected(text):
    """What a cell shows: the text made safe for a terminal, line breaks kept."""
    shown = safe_text(text, breaks=True).replace("\u2028", "\n").replace("\u2029", "\n")
    return shown.strip()


@PROPERTY
@given(title=TEXT, platform=TEXT)
def test_md_renders_no_html_and_every_cell_survives(title, platform):
    film = film_of(title, platform=platform)
    text = rows_out("md", film)
    assert len(text.splitlines()) == 3, repr(text)
    date, shown_title, kind, where, region = md_cells(text)
    assert (date, kind, region) == ("2021-02-05", "Streaming", "US")
    assert shown_title.strip() == md_expected(title)
    assert where.strip() == md_expected(platform)


@PROPERTY
@given(file=NAMES, message=TEXT, line=st.integers(min_value=0, max_value=99))
def test_github_annotations_parse_back(file, message, line):
    annotation = github_annotation(Problem(file, line, 3, message))
    props, shown = github_parse(annotation)
    assert props["file"] == file and shown == message
    assert set(props) == ({"file", "line", "col"} if line else {"file"})


# ---------------------------------------------------------------------------
# The defects of issue 11, through the command line

DANGEROUS_DATA = """\
version: 1
films:
  - id: evil
    title: "=HYPERLINK(\\"http://evil.example\\",\\"Click\\")"
    year: 2020
    directors: ["@SUM(1+1)", "Jane Doe"]
    releases:
      - {date: 2021-02-05, kind: streaming, platform: "+cmd|' /C calc'!A0", region: US,
         note: "-2+3", distributor: "Plain, Ltd."}
      - {date: 2021-03, kind: vod, region: GB}
"""


def test_csv_cells_a_spreadsheet_would_run_get_a_quote_and_the_rest_stay(run, write):
    data = write("films.yaml", DANGEROUS_DATA)
    result = run("releases", "--data", str(data), "--format", "csv", *TODAY)
    assert result.exit_code == 0, result.stderr
    rows = [dict(zip(ROW_KEYS, r)) for r in list(csv.reader(io.StringIO(result.stdout, newline="")))[1:]]
    first, second = rows
    assert first["title"] == "'=HYPERLINK(\"http://evil.example\",\"Click\")"
    assert first["platform"] == "'+cmd|' /C calc'!A0"
    assert first["note"] == "'-2+3"
    assert first["distributor"] == "Plain, Ltd."
    assert (first["film_id"], first["date"], first["precision"], first["kind"], first["region"], first["status"]) == (
        "evil", "2021-02-05", "day", "streaming", "US", "confirmed")
    assert (second["date"], second["precision"], second["kind"]) == ("2021-03", "month", "vod")
    films = list(csv.reader(io.StringIO(run("films", "--data", str(data), "--format", "csv", *TODAY).stdout,
                                        newline="")))
    record = dict(zip(FILM_KEYS, films[1]))
    assert record["directors"] == "'@SUM(1+1) | Jane Doe"
    assert (record["year"], record["windows"], record["next_date"]) == ("2020", "2", "2021-02-05")


def test_bom_starts_csv_output_with_a_utf8_byte_order_mark(run, write):
    data = write("films.yaml", """\
        version: 1
        films:
          - id: dc
            title: Дорогие товарищи!
            releases:
              - {date: 2021-01-29, kind: vod, region: US}
        """)
    plain = run("releases", "--data", str(data), "--format", "csv", *TODAY)
    for command in (("releases",), ("upcoming",), ("films",), ("show", "dc")):
        marked = run(*command, "--data", str(data), "--format", "csv", "--bom", *TODAY)
        assert marked.exit_code == 0, (command, marked.stderr)
        assert marked.stdout_bytes.startswith(b"\xef\xbb\xbf"), command
        assert marked.stdout_bytes.count(b"\xef\xbb\xbf") == 1
    marked = run("releases", "--data", str(data), "--format", "csv", "--bom", *TODAY)
    assert marked.stdout_bytes == b"\xef\xbb\xbf" + plain.stdout_bytes
    assert "Дорогие товарищи!" in marked.stdout_bytes.decode("utf-8-sig")


@pytest.mark.parametrize("args, shown", [
    (("--format", "tsv"), "tsv"), (("--format", "json"), "json"), (("--format", "md"), "md"), ((), "tsv"),
])
def test_bom_is_refused_for_every_format_but_csv(run, args, shown):
    result = run("releases", "-f", "dear-comrades", "--bom", *args, *TODAY)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (f"relcal: --bom is for csv output only (this output is {shown}); "
                             "add --format csv or leave out --bom\n")
    assert run("show", "dear-comrades", "--bom", *TODAY, tty=True).exit_code == 2  # a table


def test_bom_through_a_real_process():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELCAL_DATA", "RELCAL_TODAY"))}
    env.update({"PYTHONIOENCODING": "latin-1"})  # the byte-order mark and the text are UTF-8 regardless
    result = subprocess.run([sys.executable, "-m", "relcal", "releases", "-f", "dear-comrades", "--format", "csv",
                             "--bom", "--no-header"], capture_output=True, env=env, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"\xef\xbb\xbfdear-comrades,Dear Comrades!,2020-09-07,")
    assert result.stderr == b""


def test_md_output_interprets_no_html_or_markdown_from_the_data(run, write):
    data = write("films.yaml", r"""
        version: 1
        films:
          - id: xss
            title: "<img src=x onerror=alert(1)> *emph* [link](javascript:alert(1)) `code\\` & &amp; <b>"
            releases:
              - {date: 2021-02-05, kind: vod, platform: "__strong__ ~~gone~~ \\| back\\slash", region: US}
        """)
    result = run("releases", "--data", str(data), "--format", "md", *TODAY)
    assert result.exit_code == 0, result.stderr
    page = _MD.render(result.stdout)
    for bad in ("<img", "<em>", "<a ", "<code>", "<strong>", "<b>", "<del>", "<s>"):
        assert bad not in page, (bad, page)
    date, title, kind, where, region = md_cells(result.stdout)
    assert title == "<img src=x onerror=alert(1)> *emph* [link](javascript:alert(1)) `code\\` & &amp; <b>"
    assert where == "__strong__ ~~gone~~ \\| back\\slash"
    assert (date, kind, region) == ("2021-02-05", "VOD", "US")


SEPARATORS = r"""
    version: 1
    films:
      - id: a
        title: "Line\u2028separator"
        releases:
          - {date: 2021-02-01, kind: vod, note: "Paragraph\u2029separator"}
          - {date: 2021-02-02, kind: tv, note: "two\u2028line\u2028breaks"}
      - id: b
        title: "Plain"
        releases:
          - {date: 2021-02-03, kind: vod, note: "Next\u2028line"}
          - {date: 2021-02-04, kind: tv, venue: "A\u2029B\u2028C"}
    """


@pytest.mark.parametrize("fmt", ["jsonl", "tsv"])
def test_unicode_line_separators_keep_one_record_per_line(run, write, fmt):
    data = write("films.yaml", SEPARATORS)
    result = run("releases", "--data", str(data), "--format", fmt, "--no-header", *TODAY)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4, lines
    if fmt == "jsonl":
        records = [json.loads(line) for line in lines]
        assert records[0]["title"] == "Line\u2028separator" and records[0]["note"] == "Paragraph\u2029separator"
        assert "\\u2028" in lines[0] and "\\u2029" in lines[0]
    else:
        fields = [line.split("\t") for line in lines]
        assert fields[0][1] == "Line\\u2028separator" and fields[0][10] == "Paragraph\\u2029separator"
        assert tsv_decode(fields[3][7]) == "A\u2029B\u2028C"
    document = run("releases", "--data", str(data), "--format", "json", *TODAY).stdout
    assert "\u2028" not in document and "\u2029" not in document
    assert json.loads(document)[3]["venue"] == "A\u2029B\u2028C"


def test_github_annotation_escapes_commas_and_colons_in_the_file_name(run, tmp_path, monkeypatch):
    folder = tmp_path / "a, b: c"
    folder.mkdir()
    bad = folder / "100%, odd: name.yaml"
    bad.write_text("version: 1\nfilms:\n  - id: x\n    title: X\n    releases:\n"
                   "      - {date: 2021-02-30, kind: vod}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("validate", "--format", "github", "a, b: c/100%, odd: name.yaml")
    assert result.exit_code == 1
    assert result.stdout.startswith("::error file=a%2C b%3A c/100%25%2C odd%3A name.yaml,line=6,col=16::")
    props, message = github_parse(result.stdout)
    assert props == {"file": "a, b: c/100%, odd: name.yaml", "line": "6", "col": "16"}
    assert message.startswith("date '2021-02-30' does not exist")


def test_list_fields_join_with_a_pipe_in_csv_and_tsv(run, write):
    data = write("films.yaml", r"""
        version: 1
        films:
          - id: ct
            title: Crouching Tiger
            directors: ["Lee, Ang", "a|b", "back\\slash"]
            releases:
              - {date: 2021-02-05, kind: vod}
        """)
    csv_out = run("films", "--data", str(data), "--format", "csv", *TODAY).stdout
    record = dict(zip(FILM_KEYS, list(csv.reader(io.StringIO(csv_out, newline="")))[1]))
    assert record["directors"] == "Lee, Ang | a\\|b | back\\\\slash"
    assert list_decode(record["directors"]) == ["Lee, Ang", "a|b", "back\\slash"]
    tsv_out = run("films", "--data", str(data), "--format", "tsv", *TODAY).stdout
    field = dict(zip(FILM_KEYS, tsv_out.splitlines()[1].split("\t")))["directors"]
    assert field == "Lee, Ang | a\\\\|b | back\\\\\\\\slash"  # the list's escapes, then tsv's
    assert list_decode(tsv_decode(field)) == ["Lee, Ang", "a|b", "back\\slash"]
    as_json = json.loads(run("films", "--data", str(data), "--format", "json", *TODAY).stdout)
    assert as_json[0]["directors"] == ["Lee, Ang", "a|b", "back\\slash"]


NO_WINDOWS = """\
version: 1
films:
  - id: soon
    title: Coming Soon
    year: 2027
"""


def test_show_of_a_film_without_windows_says_so(run, write):
    data = write("films.yaml", NO_WINDOWS)
    result = run("show", "soon", "--data", str(data), *TODAY, tty=True)
    assert result.exit_code == 0, result.stderr
    assert result.tty_stdout == "Coming Soon (2027)\nYear  2027\n\nNo release windows yet.\n"
    tsv = run("show", "soon", "--data", str(data), "--format", "tsv", *TODAY)
    assert tsv.stdout == "\t".join(ROW_KEYS) + "\n"
    assert json.loads(run("show", "soon", "--data", str(data), "--format", "json", *TODAY).stdout)["releases"] == []
    assert run("show", "soon", "--data", str(data), "--format", "jsonl", *TODAY).stdout == ""


def test_show_invents_no_gap_to_or_from_a_partial_date(run, write):
    data = write("films.yaml", """\
        version: 1
        films:
          - id: p
            title: Partial
            releases:
              - {date: 2020-09, kind: festival, region: IT}
              - {date: 2020-10-14, kind: festival, region: US}
              - {date: 2020-10-21, kind: theatrical, region: US}
              - {date: 2021, kind: vod, region: US}
              - {date: 2021-02-05, kind: streaming, platform: Hulu, region: US}
        """)
    result = run("show", "p", "--data", str(data), *TODAY, tty=True, width=100)
    assert result.exit_code == 0, result.stderr
    lines = result.tty_stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("Date "))
    start, end = lines[head].index("Gap"), lines[head].index("Kind")
    timeline = lines[head + 2:]
    assert [line[:start].strip() for line in timeline] == ["Sep 2020", "2020-10-14", "2020-10-21", "2021",
                                                           "2021-02-05"]
    assert [line[start:end].strip() for line in timeline] == ["", "", "+7 days", "", ""]
    assert "~" not in result.tty_stdout
