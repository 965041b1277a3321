r"""Rows -> table | tsv | csv | json | jsonl | md, written to the one output sink.

Machine formats are written as plain text straight to the stream: a rich
Console wraps long lines at 80 columns when piped, which would corrupt TSV and
JSON. rich is imported only to draw a terminal table.

Human-facing text (the table, the stacked list that replaces it on a narrow
terminal, md, the details of ``show``, ``describe``/``empty_note`` and every
note on stderr) goes through ``safe_text`` first, so no value in the data can
send the terminal a command. C0 controls (U+0000-U+001F), DEL (U+007F), C1
controls (U+0080-U+009F), the bidi controls (U+061C, U+200E, U+200F,
U+202A-U+202E, U+2066-U+2069) and lone surrogates are written out as
Python-style escapes: ``\x1b`` (four characters) for a code point up to
U+00FF, ``\u202e`` (six) above it. A tab becomes a space; a line break (LF, CR
or CRLF) stays a line break where the output has them (a table cell, a note;
``<br>`` in md) and becomes a space in text that is wrapped or kept on one
line. Machine formats (tsv, csv, json, jsonl) carry the data as it is, escaped
only as each format needs (one function per format below):

- tsv (``_tsv_cell``): one record per line for every line-based reader, Python's
  ``str.splitlines()`` included, and one field per tab. A backslash is written
  ``\\``, a tab ``\t``, LF ``\n``, CR ``\r``; the other characters that
  ``str.splitlines()`` breaks at are written as the Python escape of their code
  point: ``\x0b``, ``\x0c``, ``\x1c``, ``\x1d``, ``\x1e``, ``\x85``,
  ``\u2028``, ``\u2029``. Every other character is written as it is. Since a
  backslash in the data is always doubled, decoding is unambiguous: read
  ``\\``, ``\t``, ``\n``, ``\r``, ``\xHH`` and ``\uHHHH`` left to right
  (``re.sub(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|.)", ...)``).
- csv (``_csv_cell``): OWASP's defence against formula injection first: a text
  cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or CR gets a single
  quote ``'`` in front, so a spreadsheet shows it as text instead of running it.
  Numbers (year, window counts, TMDB ids) are written as they are; ISO dates and
  the fixed vocabularies (kind, status, precision) never start with these. Then
  RFC 4180 quoting: a field holding a comma, a double quote, CR or LF is put in
  double quotes, a double quote inside doubled. Records end in LF. ``--bom``
  starts the output with a UTF-8 byte-order mark (and writes it as UTF-8 whatever
  the locale), for Excel.
- tsv and csv write a list (a film's directors) as its items joined with
  `` | ``, a ``|`` or ``\`` inside an item escaped with a backslash
  (``Lee, Ang`` stays whole; ``a|b`` is written ``a\|b``), before the format's own
  escaping. json and jsonl keep lists as lists.
- json, jsonl (``_json_text``): JSON as ``json.dumps`` writes it (UTF-8 as it is,
  C0 controls escaped), plus U+0085, U+2028 and U+2029 written as ``\u0085``,
  ``\u2028``, ``\u2029``, so a JSONL record is one line to ``str.splitlines()``
  and to JavaScript.
- md (``_md_cell``): after ``safe_text``, every ASCII punctuation character
  (those CommonMark lets a backslash escape) gets a backslash in front, except
  ``&``, ``<`` and ``>``, written ``&amp;``, ``&lt;``, ``&gt;``; a line break (LF,
  CR, CRLF, U+2028, U+2029) is ``<br>``, the only HTML relcal writes. No markdown
  or HTML in the data is interpreted by the page that shows it; cells are never
  wrapped in code spans (where a backslash cannot escape anything).
- ``validate --format github`` (``github_annotation``): a property value (the
  file name) has ``%``, CR, LF, ``:`` and ``,`` written ``%25``, ``%0D``, ``%0A``,
  ``%3A``, ``%2C``; the message has ``%``, CR and LF escaped the same way.

Widths are terminal cells (``cell_width``), never characters: East Asian Wide
and Fullwidth characters take 2 cells, combining marks and zero-width
characters none. Where terminals disagree the count errs on the wide side
(unassigned code points count 2, U+FE0F counts 1), so a line of the table, the
stacked list or ``show``'s details may end up narrower than the terminal,
never wider. md is markdown source and is not wrapped.
"""

from __future__ import annotations

import json
import os
import re
import string
import sys
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, NamedTuple, TextIO

from .model import Film, Release, Status
from .query import ROW_KEYS, FilmSummary, Row

FORMATS = ("table", "tsv", "csv", "json", "jsonl", "md")


class Sink:
    """Where output goes, and what the streams are (after httpie's Environment).

    Tests build one with isatty flipped or a fixed width; the CLI builds it
    from the real process with ``from_env``.
    """

    def __init__(self, stdout: TextIO, stderr: TextIO, stdout_isatty: bool = False, stderr_isatty: bool = False,
                 width: int | None = None, color: bool = False, stdin: TextIO | None = None,
                 stdin_isatty: bool = False):
        self.stdout, self.stderr, self.stdin = stdout, stderr, stdin
        self.stdout_isatty, self.stderr_isatty, self.stdin_isatty = stdout_isatty, stderr_isatty, stdin_isatty
        self.width = width
        self.color = color

    @classmethod
    def from_env(cls) -> Sink:
        out, err = sys.stdout, sys.stderr
        out_tty = _isatty(out)
        columns = os.environ.get("COLUMNS", "")
        width = int(columns) if columns.isascii() and columns.isdigit() and int(columns) > 0 else None
        # NO_COLOR counts when set and not empty (no-color.org)
        color = out_tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        return cls(out, err, out_tty, _isatty(err), width, color, sys.stdin, _isatty(sys.stdin))

    def write(self, text: str) -> None:
        try:
            self.stdout.write(text)
        except BrokenPipeError:
            raise  # the reader went away: the command ends quietly
        except OSError as exc:
            raise _stdout_failed(exc) from None

    def write_data(self, text: str) -> None:
        """Machine-readable text (tsv, csv, json, md, svg): UTF-8 whatever the locale, as
        JSON (RFC 8259) and the readers of the others expect; a path's undecodable bytes
        go out as they came in. Only the terminal table follows the locale."""
        self.write_bytes(text.encode("utf-8", "surrogateescape"))

    def write_bytes(self, data: bytes) -> None:
        """Bytes as they are (iCalendar is UTF-8 with CRLF whatever the locale)."""
        buffer = getattr(self.stdout, "buffer", None)
        try:
            if buffer is not None:
                self.stdout.flush()
                buffer.write(data)
                buffer.flush()
            else:
                self.stdout.write(data.decode("utf-8", "surrogateescape"))
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _stdout_failed(exc) from None

    def note(self, text: str) -> None:
        """A message for the person, not the pipe: stderr (control characters made visible)."""
        self.stderr.write(safe_text(text.rstrip("\n"), breaks=True) + "\n")

    def default_format(self) -> str:
        return "table" if self.stdout_isatty else "tsv"

    def columns(self) -> int:
        """The width to draw for: COLUMNS, else the terminal's, else 80."""
        if self.width:
            return self.width
        if self.stdout_isatty:
            try:
                return os.get_terminal_size(self.stdout.fileno()).columns or 80
            except (OSError, ValueError, AttributeError):
                pass
        return 80

    def print(self, *renderables: Any) -> None:
        """Draw rich renderables at the sink's width, without trailing spaces."""
        self.write(self.render(*renderables))

    def render(self, *renderables: Any) -> str:
        """The text ``print`` would write."""
        import io

        from rich.console import Console

        buffer = io.StringIO()
        # a height too, or rich reads COLUMNS and LINES itself (and int() of "²" fails there)
        console = Console(file=buffer, width=self.columns(), height=25, no_color=not self.color,
                          color_system="standard" if self.color else None, highlight=False,
                          force_terminal=self.color, soft_wrap=False, emoji=False, markup=False)
        for renderable in renderables:
            console.print(renderable)
        # Lines end at "\n" only: splitlines() would also break at U+2028 and
        # friends inside a cell, and a terminal does not.
        lines = buffer.getvalue().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return "".join(line.rstrip() + "\n" for line in lines)


def _stdout_failed(exc: OSError) -> Exception:
    from .errors import ExportError

    return ExportError(f"cannot write to standard output: {exc.strerror or exc}")


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Column(NamedTuple):
    """A column of a human table (table, md)."""

    header: str
    get: Callable[[Any], str]
    no_wrap: bool = False  # dates, codes: never broken across lines
    optional: bool = False  # left out first when the terminal is too narrow


# ---------------------------------------------------------------------------
# Cells

def cell(value: Any) -> str:
    """A value as one piece of text for a person: lists joined with ', ', None as empty."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value)
    return str(value)


_LIST_ITEM_ESCAPES = str.maketrans({"\\": "\\\\", "|": "\\|"})


def machine_cell(value: Any) -> str:
    r"""A value as one field of tsv or csv (before that format's escaping): None as
    empty, a list as its items joined with ' | ', a '|' or '\' in an item escaped
    with a backslash, so that 'Lee, Ang' and 'a|b' stay one item each."""
    if value is None:
        return ""
    if type(value) is str:
        return value
    if isinstance(value, (list, tuple)):
        return " | ".join(machine_cell(v).translate(_LIST_ITEM_ESCAPES) for v in value)
    return str(value)


# ---------------------------------------------------------------------------
# Text for people: no control characters, widths in terminal cells

def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


_BIDI_CONTROLS = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_UNSAFE = {code: _escape(code) for code in (*range(0x20), *range(0x7F, 0xA0), *_BIDI_CONTROLS,
                                             *range(0xD800, 0xE000))}
_UNSAFE[ord("\t")] = " "
_KEEP_BREAKS = {**_UNSAFE, ord("\n"): "\n"}
_ONE_LINE = {**_UNSAFE, ord("\n"): " "}


def safe_text(text: str, *, breaks: bool = False) -> str:
    r"""TEXT with nothing a terminal would obey: each control character (C0, DEL,
    C1, bidi) written out as ``\x1b`` or ``\u202e``, a tab as a space, and a line
    break (LF, CR, CRLF) as "\n" if BREAKS, else as a space. Every human-facing
    output goes through here; applying it twice changes nothing more."""
    if text.isprintable():  # no Cc, Cf, Cs, Zl, Zp or space other than " ": the usual case
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_KEEP_BREAKS if breaks else _ONE_LINE)


# Zero-width in every terminal: ZWSP, ZWNJ, ZWJ, word joiner, BOM.
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
# Narrow in the Unicode data Python carries, drawn wide by terminals that follow a
# newer one (East Asian Wide since Unicode 15.1/16): the trigrams and digrams, the
# Yijing hexagrams, Tai Xuan Jing symbols and counting rod numerals; and a lone
# regional-indicator letter (a flag's half), which terminals draw two cells wide.
_WIDE_RANGES = ((0x2630, 0x2637), (0x268A, 0x268F), (0x4DC0, 0x4DFF), (0x1D300, 0x1D356), (0x1D360, 0x1D376),
                (0x1F1E6, 0x1F1FF))
_char_widths: dict[str, int] = {}


def _char_width(char: str) -> int:
    width = _char_widths.get(char)
    if width is None:
        category = unicodedata.category(char)
        if char == "\ufe0f":  # emoji presentation: may widen the character before it
            width = 1
        elif category in ("Mn", "Me") or char in _ZERO_WIDTH:
            width = 0
        elif (category == "Cn" or unicodedata.east_asian_width(char) in ("W", "F")
              or any(lo <= ord(char) <= hi for lo, hi in _WIDE_RANGES)):
            width = 2  # unassigned: a newer Unicode may make it a wide emoji or ideograph
        else:
            width = 1
        _char_widths[char] = width
    return width


def cell_width(text: str) -> int:
    """How many terminal cells one line of (``safe_text``-ed) TEXT takes."""
    if text.isascii():
        return len(text)
    return sum(map(_char_width, text))


def _fit_prefix(word: str, room: int) -> int:
    """How many characters of WORD fill at most ROOM cells (a combining mark
    stays with the character before it); at least one."""
    used = 0
    for i, char in enumerate(word):
        size = _char_width(char)
        if size and used + size > room and i > 0:  # never before a zero-width mark
            return i
        used += size
    return len(word)


_BLANKS = re.compile(r"[\t\n\x0b\x0c\r ]")
_WORDS = re.compile(r"( +)")


def _wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    """textwrap.wrap(text, width, break_on_hyphens=False), counting terminal cells:
    words are broken only when longer than a line, and never lost. An indent that
    leaves no room for a wide character is dropped."""
    chunks = [c for c in _WORDS.split(_BLANKS.sub(" ", text)) if c]
    chunks.reverse()
    lines: list[str] = []
    while chunks:
        indent = subsequent_indent if lines else initial_indent
        room = width - cell_width(indent)
        if room < 2:
            indent, room = "", width
        if lines and chunks[-1].startswith(" "):
            chunks.pop()  # a line does not start with the space it was broken at
            continue
        line: list[str] = []
        used = 0
        while chunks and used + (size := cell_width(chunks[-1])) <= room:
            line.append(chunks.pop())
            used += size
        if chunks and cell_width(chunks[-1]) > room:  # longer than a line: break it
            word = chunks.pop()
            cut = _fit_prefix(word, max(room - used, 1))
            head, tail = word[:cut], word[cut:]
            if line and used + cell_width(head) > room:
                head, tail = "", word  # not even a piece fits after what is there
            if head:
                line.append(head)
            if tail:
                chunks.append(tail)
        if line and line[-1].startswith(" "):
            line.pop()
        if line:
            lines.append(indent + "".join(line))
    return lines


# Backslash escapes keep one record per line and one field per tab (the
# convention of PostgreSQL's COPY and of linear TSV); cut -f stays safe. Every
# character str.splitlines() breaks at is escaped, not just LF and CR.
_TSV_ESCAPES = str.maketrans({
    "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r",
    **{char: _escape(ord(char)) for char in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"},
})
_TSV_SPECIAL = re.compile("[\\\\\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # and tabs, counted


def _tsv_cell(text: str) -> str:
    """One tsv field: see the module's docstring for the escapes."""
    return text.translate(_TSV_ESCAPES)


def _tsv_line(record: dict[str, Any]) -> str:
    cells = [machine_cell(v) for v in record.values()]
    line = "\t".join(cells)
    if line.count("\t") == len(cells) - 1 and not _TSV_SPECIAL.search(line):
        return line  # nothing to escape: the usual case, checked once for the whole line
    return "\t".join(map(_tsv_cell, cells))


# OWASP's CSV injection guidance: a cell starting with one of these is a formula
# to Excel, LibreOffice or Google Sheets.
_CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CSV_QUOTE = re.compile('[,"\r\n]')  # RFC 4180: a field holding one of these is quoted


def _csv_cell(value: Any) -> str:
    """One csv field: a text cell that a spreadsheet would run as a formula gets a
    single quote in front (numbers are written as they are, so a count or a year
    never changes); then RFC 4180 quoting when the field holds a comma, a double
    quote, CR or LF. (The csv module, with "\n" between records, leaves a lone CR
    unquoted, and a reader then splits the record there.)"""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    text = machine_cell(value)
    if text.startswith(_CSV_FORMULA_START):
        text = "'" + text
    return '"' + text.replace('"', '""') + '"' if _CSV_QUOTE.search(text) else text


# Breaks for str.splitlines() and JavaScript that json.dumps(ensure_ascii=False)
# leaves raw; they can only occur inside a JSON string, so replacing them in the
# output is safe.
_JSON_BREAKS = (("\x85", "\\u0085"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _json_text(text: str) -> str:
    """JSON text from json.dumps with the line separators it leaves raw escaped."""
    for raw, escaped in _JSON_BREAKS:
        if raw in text:
            text = text.replace(raw, escaped)
    return text


# Every ASCII punctuation character may be backslash-escaped in CommonMark;
# &, < and > become entities, so no HTML tag or entity can form even where a
# renderer does not honour backslash escapes.
_MD_ESCAPES = str.maketrans({
    **{char: "\\" + char for char in string.punctuation},
    "&": "&amp;", "<": "&lt;", ">": "&gt;",
    "\n": "<br>", "\u2028": "<br>", "\u2029": "<br>",
})


def _md_cell(value: str) -> str:
    """One md table cell: see the module's docstring for the escapes."""
    value = safe_text(value, breaks=True)  # control characters visible; CR and CRLF are "\n" now
    return value.translate(_MD_ESCAPES)


# ---------------------------------------------------------------------------
# Writing any list of records in any format

def write_records(
    sink: Sink,
    fmt: str,
    items: Sequence[Any],
    *,
    record: Callable[[Any], dict[str, Any]],
    keys: Sequence[str],
    columns: Sequence[Column],
    header: bool = True,
    title: str | None = None,
    bom: bool = False,
) -> None:
    """ITEMS in FMT: machine formats from ``record`` (a dict with exactly ``keys``, in
    order), human ones from ``columns``. BOM (csv only): a UTF-8 byte-order mark first."""
    if bom and fmt != "csv":
        raise ValueError("bom is for csv only")
    if fmt == "json":
        sink.write_data(_json_text(json.dumps([record(i) for i in items], ensure_ascii=False, indent=2)) + "\n")
    elif fmt == "jsonl":
        sink.write_data(_json_text("".join(json.dumps(record(i), ensure_ascii=False) + "\n" for i in items)))
    elif fmt == "tsv":
        lines = ["\t".join(keys)] if header else []
        lines.extend(_tsv_line(record(i)) for i in items)
        sink.write_data("".join(line + "\n" for line in lines))
    elif fmt == "csv":
        lines = [",".join(map(_csv_cell, keys))] if header else []
        lines.extend(",".join(map(_csv_cell, record(i).values())) for i in items)
        text = "".join(line + "\n" for line in lines)
        sink.write_data("\ufeff" + text if bom else text)  # the byte-order mark tells Excel it is UTF-8
    elif fmt == "md":
        heads = [_md_cell(c.header) for c in columns]
        lines = ["| " + " | ".join(heads) + " |", "|" + "|".join("---" for _ in heads) + "|"]
        lines.extend("| " + " | ".join(_md_cell(c.get(i)) for c in columns) + " |" for i in items)
        sink.write_data("".join(line + "\n" for line in lines))
    elif fmt == "table":
        _rich_table(sink, items, columns, title)
    else:  # the CLI checks formats; a library caller gets a clear error
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


# Width a wrapping column should get: comfortably, or at the least before the
# table gives way to a list (optional columns are dropped in between).
_WRAP_COMFORT = 20
_WRAP_MIN = 12
_SGR = re.compile(r"\x1b\[[0-9;]*m")  # rich's own styling (bold headers) takes no cells


def _rich_table(sink: Sink, items: Sequence[Any], columns: Sequence[Column], title: str | None) -> None:
    width = sink.columns()
    cells = [[safe_text(col.get(item), breaks=True) for col in columns] for item in items]
    keep = (_fitting(columns, cells, width, _WRAP_COMFORT)
            or _fitting(columns, cells, width, _WRAP_COMFORT, drop_optional=True)
            or _fitting(columns, cells, width, _WRAP_MIN, drop_optional=True))
    if keep is None:
        sink.write(_stacked(cells, width))
        return
    columns = [columns[i] for i in keep]
    cells = [[row[i] for i in keep] for row in cells]

    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, title=title and safe_text(title), title_justify="left", show_edge=False,
                  pad_edge=False, header_style="bold" if sink.color else "")
    for col in columns:
        table.add_column(safe_text(col.header), no_wrap=col.no_wrap, overflow="fold")
    for row in cells:
        table.add_row(*row)
    text = sink.render(table)
    # rich measures characters by its own (newer) Unicode tables and treats ZWJ
    # sequences as one glyph; where it counts fewer cells than cell_width, the
    # list is drawn instead of a table that might overrun the terminal.
    if any(cell_width(_SGR.sub("", line)) > width for line in text.split("\n")):
        text = _stacked(cells, width)
    sink.write(text)


def _fitting(columns: Sequence[Column], cells: list[list[str]], width: int, wrap_width: int,
             drop_optional: bool = False) -> list[int] | None:
    """The indexes of the columns to draw, if they fit in WIDTH with each wrapping
    column given WRAP_WIDTH (or less, if its text is shorter)."""
    keep = [i for i, col in enumerate(columns) if not (drop_optional and col.optional)]
    need = 2 * (len(keep) - 1)
    for i in keep:
        natural = max([cell_width(columns[i].header),
                       *(cell_width(line) for row in cells for line in row[i].split("\n"))])
        need += natural if columns[i].no_wrap else min(natural, wrap_width)
    return keep if need <= width else None


def _stacked(cells: list[list[str]], width: int) -> str:
    """A table too wide for the terminal, as a list: the first two cells on one
    line, the rest below, indented; long words are broken, never cut off. Widths
    are terminal cells. CELLS are ``safe_text``-ed already."""
    out = []
    for row in cells:
        head = "  ".join(c for c in row[:2] if c)
        rest = " · ".join(c for c in row[2:] if c)
        out.extend(_wrap(head, width, subsequent_indent="  ") or [""])
        if rest:
            out.extend(_wrap(rest, width, initial_indent="  ", subsequent_indent="  "))
    return "".join(line + "\n" for line in out)


# ---------------------------------------------------------------------------
# Release windows (upcoming, releases, show)

def _status(release: Release) -> str:
    return "" if release.status is Status.CONFIRMED else release.status.value


ROW_COLUMNS = (
    Column("Date", lambda r: r.release.date.display(), no_wrap=True),
    Column("Film", lambda r: r.film.title),
    Column("Kind", lambda r: r.release.kind.label, no_wrap=True),
    Column("Where", lambda r: r.release.where or ""),
    Column("Region", lambda r: r.release.region or "", no_wrap=True),
)
_STATUS_COLUMN = Column("Status", lambda r: _status(r.release), no_wrap=True)


def write_rows(sink: Sink, fmt: str, rows: Sequence[Row], *, header: bool = True, bom: bool = False) -> None:
    columns = list(ROW_COLUMNS)
    if any(r.release.status is not Status.CONFIRMED for r in rows):
        columns.append(_STATUS_COLUMN)
    write_records(sink, fmt, rows, record=Row.as_dict, keys=ROW_KEYS, columns=columns, header=header, bom=bom)


def _github_data(text: str) -> str:
    """The message of a workflow command: %, CR and LF percent-encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    """A property value of a workflow command: also ':' and ',', which end it."""
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(problem: Any) -> str:
    """A dataset problem as a GitHub Actions workflow command (shown on the PR's line)."""
    message = _github_data(problem.message)
    where = f"file={_github_property(problem.file)}"
    if problem.line:
        where += f",line={problem.line},col={problem.col}"
    return f"::error {where}::{message}\n"


def empty_note(start: date | None, end: date | None, before: Row | None, after: Row | None) -> str:
    """One line for an empty result: what was asked, and where the data is."""
    if start and end:
        span = f"between {start} and {end}"
    elif start:
        span = f"on or after {start}"
    elif end:
        span = f"on or before {end}"
    else:
        return "No release windows match these filters."
    parts = [f"No release windows {span}"]
    if after is not None:
        parts.append(f"the next is {describe(after)}")
    if before is not None:
        parts.append(f"the latest before is {describe(before)}" if after else f"the latest in the data is {describe(before)}")
    if before is None and after is None:
        parts.append("none match these filters at any date")
    return "; ".join(parts) + "."


def describe(row: Row) -> str:
    """A window on one line, for a person: '2021-02-05 (Title: Streaming, Hulu, US)'."""
    r = row.release
    extra = ", ".join(x for x in (r.kind.label, r.where, r.region) if x)
    return safe_text(f"{r.date.iso()} ({row.film.title}: {extra})")


# ---------------------------------------------------------------------------
# What add and sync changed; what discover found (records from sync.py)

def _dates(change: Any) -> str:
    old, new = change.old_date, change.new_date
    if old and new and old != new:
        return f"{old.display()} → {new.display()}"
    return (new or old).display() if (new or old) else ""


CHANGE_COLUMNS = (
    Column("Film", lambda c: c.film.title),
    Column("Change", lambda c: c.change, no_wrap=True),
    Column("Kind", lambda c: c.release.kind.label, no_wrap=True),
    Column("Where", lambda c: c.release.where or ""),
    Column("Region", lambda c: c.release.region or "", no_wrap=True),
    Column("Date", _dates, no_wrap=True),
)

FOUND_COLUMNS = (
    Column("Date", lambda f: f.release.date.display(), no_wrap=True),
    Column("Film", lambda f: f.title),
    Column("Kind", lambda f: f.release.kind.label, no_wrap=True),
    Column("Where", lambda f: f.release.where or "", optional=True),
    Column("Region", lambda f: f.release.region or "", no_wrap=True),
    Column("TMDB", lambda f: str(f.tmdb_id), no_wrap=True),
)


# ---------------------------------------------------------------------------
# Films (relcal films)

FILM_KEYS = ("film_id", "title", "original_title", "year", "directors", "windows", "next_date", "next_kind")


def film_record(s: FilmSummary) -> dict[str, Any]:
    f = s.film
    return {
        "film_id": f.id,
        "title": f.title,
        "original_title": f.original_title,
        "year": f.year,
        "directors": list(f.directors),
        "windows": len(s.windows),
        "next_date": s.next.date.iso() if s.next else None,
        "next_kind": s.next.kind.value if s.next else None,
    }


def _next(s: FilmSummary) -> str:
    if s.next is None:
        return ""
    r = s.next
    return f"{r.date.display()} {r.label}" + (f" ({r.region})" if r.region else "")


FILM_COLUMNS = (
    Column("ID", lambda s: s.film.id, no_wrap=True),
    Column("Title", lambda s: s.film.title + (f" ({s.film.year})" if s.film.year else "")),
    Column("Directors", lambda s: cell(s.film.directors), optional=True),
    Column("Windows", lambda s: str(len(s.windows)), no_wrap=True),
    Column("Next", _next),
)


def write_films(sink: Sink, fmt: str, summaries: Sequence[FilmSummary], *, header: bool = True,
                bom: bool = False) -> None:
    write_records(sink, fmt, summaries, record=film_record, keys=FILM_KEYS, columns=FILM_COLUMNS, header=header,
                  bom=bom)


# ---------------------------------------------------------------------------
# One film (relcal show)

def gap(previous: Release | None, current: Release) -> str:
    """Days since the previous window: '+7 days', 'same day'; nothing for the first
    window, nor to or from a month- or year-only date (it has no day to count from)."""
    if previous is None or not (previous.date.is_exact and current.date.is_exact):
        return ""
    days = (current.date.first_day - previous.date.first_day).days
    if days == 0:
        return "same day"
    unit = "day" if abs(days) == 1 else "days"
    return f"{days:+d} {unit}"


def film_document(film: Film, rows: Sequence[Row]) -> dict[str, Any]:
    """The whole film as JSON: its fields, then its windows as rows."""
    return {
        "film_id": film.id,
        "title": film.title,
        "original_title": film.original_title,
        "year": film.year,
        "directors": list(film.directors),
        "writers": list(film.writers),
        "cast": list(film.cast),
        "genres": list(film.genres),
        "countries": list(film.countries),
        "runtime": film.runtime,
        "synopsis": film.synopsis,
        "links": dict(film.links),
        "ids": {"tmdb": film.ids.tmdb, "imdb": film.ids.imdb, "wikidata": film.ids.wikidata},
        "releases": [
            {**row.as_dict(), "history": [d.iso() for d in row.release.history], "id": row.release.id}
            for row in rows
        ],
    }


_ID_LABELS = {"tmdb": "TMDB", "imdb": "IMDb", "wikidata": "Wikidata"}


def film_details(film: Film) -> list[tuple[str, str]]:
    """The label/value lines shown above a film's timeline."""
    lines = [
        ("Original title", film.original_title or ""),
        ("Year", cell(film.year)),
        ("Directed by", cell(film.directors)),
        ("Written by", cell(film.writers)),
        ("Cast", cell(film.cast)),
        ("Genres", cell(film.genres)),
        ("Countries", cell(film.countries)),
        ("Runtime", f"{film.runtime} min" if film.runtime else ""),
        *((name.capitalize() if name != "source" else "Source", url) for name, url in film.links),
        *((_ID_LABELS[name], str(value)) for name, value in film.ids.items()),
    ]
    return [(label, value) for label, value in lines if value]


def _details_text(film: Film, width: int) -> str:
    """Title, the facts as aligned label/value lines, then the synopsis, wrapped to
    WIDTH terminal cells."""
    heading = safe_text(film.title + (f" ({film.year})" if film.year else ""))
    out = _wrap(heading, width) or [""]
    details = [(label, safe_text(value)) for label, value in film_details(film)]
    pad = max(cell_width(label) for label, _ in details) + 2 if details else 0
    for label, value in details:
        if width - pad >= 20:  # label and value side by side
            out.extend(_wrap(value, width, initial_indent=label.ljust(pad), subsequent_indent=" " * pad))
        else:  # too narrow: the value goes under its label
            out.extend(_wrap(label, width))
            out.extend(_wrap(value, width, initial_indent="  ", subsequent_indent="  "))
    if film.synopsis:
        out.append("")
        out.extend(_wrap(safe_text(film.synopsis), width))
    out.append("")
    return "".join(line + "\n" for line in out)


def _window_note(release: Release) -> str:
    """Status, earlier dates and note of a window, for the Note column of 'show'."""
    parts = [_status(release)]
    if release.history:
        parts.append("moved from " + ", ".join(d.display() for d in release.history))
    prefix = "; ".join(p for p in parts if p)
    note = release.note or ""
    return f"{prefix}. {note}" if prefix and note else prefix or note


NO_WINDOWS = "No release windows yet."


def write_film(sink: Sink, fmt: str, film: Film, rows: Sequence[Row], *, header: bool = True,
               bom: bool = False) -> None:
    if bom and fmt != "csv":
        raise ValueError("bom is for csv only")
    if fmt == "json":
        sink.write_data(_json_text(json.dumps(film_document(film, rows), ensure_ascii=False, indent=2)) + "\n")
        return
    if fmt != "table":
        write_rows(sink, fmt, rows, header=header, bom=bom)
        return
    sink.write(_details_text(film, sink.columns()))
    if not rows:  # the timeline's place says so, rather than an empty table
        sink.write(NO_WINDOWS + "\n")
        return
    gaps = [gap(prev.release if prev else None, row.release) for prev, row in zip([None, *rows], rows)]
    columns = [
        Column("Date", lambda p: p[0].release.date.display(), no_wrap=True),
        Column("Gap", lambda p: p[1], no_wrap=True),
        Column("Kind", lambda p: p[0].release.kind.label, no_wrap=True),
        Column("Where", lambda p: ", ".join(x for x in (p[0].release.where, p[0].release.region) if x)),
        Column("Note", lambda p: _window_note(p[0].release)),
    ]
    _rich_table(sink, list(zip(rows, gaps)), columns, None)
