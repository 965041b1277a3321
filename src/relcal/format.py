"""The dataset format, declared once.

Every field of a dataset file is declared here: its type (which converts the
text YAML holds and says what is wrong with it), whether it is required, and
its help text. The loader (parse.py) walks a file's nodes with these
declarations, and ``relcal schema`` (schema.py) turns the same declarations
into JSON Schema, so the two cannot drift apart. What JSON Schema cannot say
(that 2021-02-30 does not exist, that ids are unique across files, that a
number is written in decimal) the loader checks too; each such problem
carries a ``rule`` from BEYOND_SCHEMA, and a test holds the two to exactly
that difference.

Values are read as YAML 1.2 tools read them, with one generosity: a plain
scalar where text is expected (``title: 1917``, ``title: No``) is the text as
written, never a number or a boolean. Everything else is strict: kinds and
statuses in lowercase, country codes in uppercase, numbers unquoted.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import countries
from .model import Kind, PartialDate, Status

FORMAT_VERSION = 1
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SHORT_TEXT = 1_000  # titles, names, platforms: keeps a stray quote from making a 2 MB title
LONG_TEXT = 20_000  # synopsis, note
URL_LENGTH = 2_048
YEARS = (1870, 2200)  # the years a film's date can be in

# Problems the loader finds that JSON Schema cannot express (Problem.rule).
BEYOND_SCHEMA = frozenset({
    "file",  # the file as a whole: unreadable, too big, not UTF-8, empty, a second document
    "syntax",  # YAML that does not parse
    "duplicate-key",  # JSON has no duplicate keys to check
    "tag",  # an explicit YAML tag
    "expansion",  # aliases and merge keys that expand beyond the budget, or nest too deeply
    "date-exists",  # 2021-02-30: the right shape, not a day
    "number-form",  # 0x10, 1e3, 12.0: numbers JSON sees but the dataset writes in decimal
    "unique-film-id",  # across films and files
    "unique-window",  # two windows of one film that look alike
})

# Characters no dataset text may hold: C0 controls (tab and newline only where a
# field allows several lines), DEL, C1 controls and the bidi controls that reorder
# what a terminal shows. The same class, in JSON Schema's regex dialect, below.
_CONTROL_LINE = "\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL_BLOCK = "\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = {False: re.compile(f"[{_CONTROL_LINE}]"), True: re.compile(f"[{_CONTROL_BLOCK}]")}


def _json_class(chars: str) -> str:
    """A character class of CHARS for a JSON Schema pattern (ECMA 262), with \\u escapes."""
    out = []
    for part in re.findall(r".-.|.", chars, re.S):
        out.append("-".join(f"\\u{ord(c):04x}" for c in part.split("-")) if len(part) == 3 else f"\\u{ord(part):04x}")
    return "".join(out)


def _char_name(char: str) -> str:
    import unicodedata

    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


class Bad(Exception):
    """A value that is wrong; the message says what and how to fix it."""

    def __init__(self, message: str, rule: str | None = None):
        super().__init__(message)
        self.rule = rule


def quote(text: str, limit: int = 60) -> str:
    """TEXT quoted for a message, cut short so that one problem stays one line."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def yaml12_kind(text: str) -> str:
    """What a YAML 1.2 (core schema) reader makes of a plain scalar: null, bool, int, float or str."""
    if text in ("", "~", "null", "Null", "NULL"):
        return "null"
    if text in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return "bool"
    if re.fullmatch(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", text):
        return "int"
    if re.fullmatch(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)", text):
        return "float"
    return "str"


def number_form(text: str, plain: bool) -> str | None:
    """'number-form' when TEXT, written plainly, is a number YAML tools read other than as the
    decimal digits the dataset expects (12.0, 1e3, 0x1F): JSON Schema sees only the number."""
    if plain and yaml12_kind(text) in ("int", "float") and not re.fullmatch(r"-?[0-9]+", text):
        return "number-form"
    return None


# ---------------------------------------------------------------------------
# Types: each converts a value and describes itself as JSON Schema

class Type:
    def schema(self) -> dict[str, Any]:
        raise NotImplementedError


class Scalar(Type):
    """A single value. ``convert`` gets the text as written and whether it was plain (unquoted)."""

    def convert(self, text: str, plain: bool, name: str) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class Text(Scalar):
    limit: int = SHORT_TEXT
    lines: bool = False  # may hold several lines (and tabs)

    def convert(self, text: str, plain: bool, name: str) -> str:
        if not text.strip():
            raise Bad(f"{name} is empty; give a value or remove the line")
        if len(text) > self.limit:
            raise Bad(f"{name} is {len(text):,} characters long; keep it under {self.limit:,} "
                      "(is a closing quote missing?)")
        found = _CONTROL[self.lines].search(text)
        if found:
            raise Bad(f"{name} holds the control character {_char_name(found.group())} (it could rewrite a "
                      "terminal's screen); remove it" + ("" if self.lines else ", and keep the value on one line"))
        return text

    def schema(self) -> dict[str, Any]:
        control = _json_class(_CONTROL_BLOCK if self.lines else _CONTROL_LINE)
        # Plain numbers and booleans are read as the text written (see the module's docstring).
        return {"anyOf": [{"type": "string", "minLength": 1, "maxLength": self.limit,
                           "pattern": f"^(?=[\\s\\S]*\\S)[^{control}]*$"},
                          {"type": ["number", "boolean"]}]}


@dataclass(frozen=True)
class Slug(Scalar):
    def convert(self, text: str, plain: bool, name: str) -> str:
        if len(text) > 200:
            raise Bad(f"{name} is {len(text):,} characters long; keep a slug under 200")
        if not SLUG.fullmatch(text):
            from .model import slugify

            suggestion = slugify(text)
            hint = f"; try {suggestion!r}" if suggestion else ""
            raise Bad(f"{name} {quote(text)} is not a slug (lowercase letters, digits and single hyphens){hint}",
                      number_form(text, plain))
        return text

    def schema(self) -> dict[str, Any]:
        # A slug of digits alone ('id: 1917') is a number to YAML tools.
        return {"anyOf": [{"type": "string", "pattern": f"^{SLUG.pattern}$", "maxLength": 200},
                          {"type": "integer", "minimum": 0}]}


@dataclass(frozen=True)
class Integer(Scalar):
    minimum: int
    maximum: int
    shape: str  # how the message describes a good value
    wrong: str = "{name} {value} is out of range"  # the message for a number outside the range

    def convert(self, text: str, plain: bool, name: str) -> int:
        if not plain:
            raise Bad(f"{name} must be a number, not the text {quote(text)}; remove the quotes")
        if not re.fullmatch(r"-?[0-9]+", text):
            raise Bad(f"{name} must be a whole number written in digits, not {quote(text)}; give {self.shape}",
                      number_form(text, plain))
        value = int(text)
        if not self.minimum <= value <= self.maximum:
            raise Bad(self.wrong.format(name=name, value=value, shape=self.shape))
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True)
class Choice(Scalar):
    values: tuple[str, ...]
    make: Callable[[str], Any]
    synonyms: dict[str, str] = field(default_factory=dict)

    def convert(self, text: str, plain: bool, name: str) -> Any:
        if text in self.values:
            return self.make(text)
        key = text.strip().lower()
        if key in self.values:
            close = [key]
        elif key in self.synonyms:
            close = [self.synonyms[key]]
        else:
            close = difflib.get_close_matches(key, self.values, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise Bad(f"{name} {quote(text)} is not known; {hint}use one of: " + ", ".join(self.values))

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values)}


@dataclass(frozen=True)
class Country(Scalar):
    def convert(self, text: str, plain: bool, name: str) -> str:
        code, hint = countries.check(text)
        if code is None:
            raise Bad(f"{name} {quote(text)} is not an ISO 3166-1 country code; {hint}")
        if code != text:
            raise Bad(f"{name} {quote(text)} is written in capitals: {code!r}")
        return code

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": sorted(countries.CODES | countries.HISTORIC)}


_YEAR = r"(18[7-9][0-9]|19[0-9]{2}|2[01][0-9]{2}|2200)"
_DATE_PATTERN = f"^{_YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"


@dataclass(frozen=True)
class Date(Scalar):
    def convert(self, text: str, plain: bool, name: str) -> PartialDate:
        from .dates import parse_iso

        text = text.strip()
        try:
            found = parse_iso(text)
        except ValueError as exc:
            raise Bad(f"{name} {quote(text)} does not exist ({exc}); check the day and month", "date-exists") from None
        if found is None:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ].*", text):
                hint = f"a release date is a calendar day: drop the time ({text[:10]})"
            elif re.fullmatch(r"\d{1,2}[/.]\d{1,2}[/.]\d{4}", text):
                hint = "write it as YYYY-MM-DD"
            else:
                hint = "use YYYY-MM-DD, or YYYY-MM / YYYY when only the month or year is known"
            raise Bad(f"{name} {quote(text)} is not a date; {hint}", number_form(text, plain))
        if not YEARS[0] <= found.year <= YEARS[1]:
            raise Bad(f"{name} {quote(text)} is outside the years films are released in "
                      f"({YEARS[0]}-{YEARS[1]}); check the year")
        return found

    def schema(self) -> dict[str, Any]:
        # 2021 written plainly is a number to YAML tools: a date known only to the year.
        return {"anyOf": [{"type": "string", "pattern": _DATE_PATTERN},
                          {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]}]}


_URL = re.compile(rf"https?://[^\s/?#{_CONTROL_LINE}]+[^\s{_CONTROL_LINE}]*", re.IGNORECASE)


@dataclass(frozen=True)
class Url(Scalar):
    def convert(self, text: str, plain: bool, name: str) -> str:
        text = text.strip()
        if len(text) > URL_LENGTH:
            raise Bad(f"{name} is {len(text):,} characters long; a web address is at most {URL_LENGTH:,}")
        found = _CONTROL[False].search(text)
        if found:
            raise Bad(f"{name} holds the control character {_char_name(found.group())}; remove it")
        if not _URL.fullmatch(text):
            raise Bad(f"{name} {quote(text)} is not a web address; give a full http:// or https:// URL")
        return text

    def schema(self) -> dict[str, Any]:
        control = _json_class(_CONTROL_LINE)
        return {"type": "string", "format": "uri", "maxLength": URL_LENGTH,
                "pattern": f"^\\s*[hH][tT][tT][pP][sS]?://[^\\s/?#{control}]+[^\\s{control}]*\\s*$"}


@dataclass(frozen=True)
class Pattern(Scalar):
    regex: re.Pattern[str]
    article: str  # "an IMDb id"
    shape: str  # "'tt' and 7 or more digits, e.g. tt0133093"

    def convert(self, text: str, plain: bool, name: str) -> str:
        if not self.regex.fullmatch(text.strip()):
            raise Bad(f"{name} {quote(text)} is not {self.article}; give {self.shape}")
        return text.strip()

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": f"^\\s*{self.regex.pattern}\\s*$"}


@dataclass(frozen=True)
class ListOf(Type):
    item: Type
    label: str | None = None  # what an item is called in messages ('country'); default 'an item of NAME'

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": self.item.schema()}


@dataclass(frozen=True)
class Links(Type):
    """Named links: name -> URL, in the order written."""

    def schema(self) -> dict[str, Any]:
        return {"type": "object", "propertyNames": {"minLength": 1}, "additionalProperties": Url().schema()}


@dataclass(frozen=True)
class Field:
    type: Type
    description: str
    required: bool = False


@dataclass(frozen=True)
class Record(Type):
    """A mapping of named fields; ``what`` names it in messages ('a film')."""

    what: str
    fields: dict[str, Field]
    ref: str | None = None  # its name in the schema's definitions
    prefix: str = ""  # before a field's name in messages ('ids.' for 'ids.tmdb')

    def schema(self) -> dict[str, Any]:
        if self.ref:
            return {"$ref": f"#/definitions/{self.ref}"}
        return self.definition()

    def definition(self) -> dict[str, Any]:
        properties = {}
        for name, spec in self.fields.items():
            shape = spec.type.schema()
            if not spec.required:  # an optional field may be null: the same as leaving it out
                shape = {"anyOf": [shape, {"type": "null"}]}
            properties[name] = {"description": spec.description, **shape}
        return {"type": "object", "additionalProperties": False,
                "required": [n for n, s in self.fields.items() if s.required], "properties": properties}


# ---------------------------------------------------------------------------
# The declaration

# Words people use for a kind or status, and the value relcal calls it (a hint only).
SYNONYMS = {
    "cinema": "theatrical", "cinemas": "theatrical", "theater": "theatrical", "theatre": "theatrical",
    "wide": "theatrical", "virtual": "virtual-cinema", "virtual-cinemas": "virtual-cinema",
    "digital": "vod", "pvod": "vod", "tvod": "vod", "rental": "vod", "svod": "streaming",
    "stream": "streaming", "dvd": "physical", "blu-ray": "physical", "bluray": "physical", "disc": "physical",
    "television": "tv", "broadcast": "tv", "premier": "premiere", "world-premiere": "premiere",
    "delayed": "postponed", "moved": "postponed", "canceled": "cancelled", "rumored": "tentative",
    "rumoured": "tentative", "tba": "announced", "planned": "announced",
}

ID_PATTERNS = {
    "tmdb": (re.compile(r"[1-9][0-9]{0,9}"), "a positive whole number, e.g. 603"),
    "imdb": (re.compile(r"tt[0-9]{7,12}"), "'tt' and 7 or more digits, e.g. tt0133093"),
    "wikidata": (re.compile(r"Q[1-9][0-9]{0,11}"), "'Q' and digits, e.g. Q83495"),
}

KIND = Choice(tuple(k.value for k in Kind), Kind, SYNONYMS)
STATUS = Choice(tuple(s.value for s in Status), Status, SYNONYMS)

RELEASE = Record("a release window", {
    "date": Field(Date(), "YYYY-MM-DD, or YYYY-MM / YYYY when only the month or year is known.", required=True),
    "kind": Field(KIND, "What kind of window.", required=True),
    "region": Field(Country(), "ISO 3166-1 alpha-2 code; absent means unspecified or worldwide."),
    "platform": Field(Text(), "Streaming or VOD platform, TV channel."),
    "venue": Field(Text(), "Festival or cinema."),
    "distributor": Field(Text(), "Distributor in that region."),
    "status": Field(STATUS, "Default confirmed."),
    "note": Field(Text(LONG_TEXT, lines=True), "A short note."),
    "source": Field(Url(), "Where this date was confirmed."),
    "history": Field(ListOf(Date(), "a date in history"), "Earlier dates of this window, in the order they were set, when it was moved."),
    "id": Field(Slug(), "Optional slug, unique within the film, for a stable calendar identity."),
}, ref="release")

IDS = Record("ids", prefix="ids.", fields={
    "tmdb": Field(Integer(1, 9_999_999_999, ID_PATTERNS["tmdb"][1], "{name} {value} is not a TMDB id; give {shape}"),
                  "TMDB's number for the film."),
    "imdb": Field(Pattern(ID_PATTERNS["imdb"][0], "an IMDb id", ID_PATTERNS["imdb"][1]), "IMDb's id, tt and digits."),
    "wikidata": Field(Pattern(ID_PATTERNS["wikidata"][0], "a Wikidata id", ID_PATTERNS["wikidata"][1]),
                      "Wikidata's item, Q and digits."),
})

FILM = Record("a film", {
    "id": Field(Slug(), "Unique id across all files: lowercase letters, digits and single hyphens.", required=True),
    "title": Field(Text(), "Title as released in English-speaking markets.", required=True),
    "original_title": Field(Text(), "Title in the original language, if different."),
    "year": Field(Integer(*YEARS, "the four-digit year of its first showing",
                          "{name} {value} is not a film's year; give {shape}"), "Year of the first public showing."),
    "directors": Field(ListOf(Text()), "Directors."),
    "writers": Field(ListOf(Text()), "Screenwriters."),
    "cast": Field(ListOf(Text()), "Leading cast."),
    "genres": Field(ListOf(Text()), "Genres, lowercase."),
    "countries": Field(ListOf(Country(), "country"), "Production countries, ISO 3166-1 alpha-2."),
    "runtime": Field(Integer(1, 10_000, "the running time in minutes",
                             "{name} is in minutes: {value} is not a running time"), "Running time in minutes."),
    "synopsis": Field(Text(LONG_TEXT, lines=True), "A short synopsis."),
    "links": Field(Links(), "Named links, e.g. source: https://..."),
    "ids": Field(IDS, "Identifiers elsewhere: {tmdb: 603, imdb: tt0133093, wikidata: Q83495}."),
    "releases": Field(ListOf(RELEASE), "Release windows."),
}, ref="film")

DATASET = Record("the dataset", {
    "version": Field(Integer(FORMAT_VERSION, FORMAT_VERSION, f"'version: {FORMAT_VERSION}'",
                             f"version {{value}} is not supported; this relcal reads 'version: {FORMAT_VERSION}'"),
                     "Format version.", required=True),
    "films": Field(ListOf(FILM), "The films, each with its release windows.", required=True),
})
