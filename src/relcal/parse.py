"""YAML dataset file -> films, with every problem at its FILE:LINE:COL.

YAML is composed with PyYAML's *base* loader, which resolves every scalar to a
string: nothing is ever turned into ``False``, an int or a datetime behind the
user's back, and no tag can construct an object. Each field is then converted
by relcal itself, with the node's position at hand, so every problem is
reported as ``FILE:LINE:COL: message`` — all of them, not just the first.

This is the cold path: catalog.py comes here only when its cache has no
up-to-date copy of a file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import countries
from .dates import parse_iso
from .errors import Problem
from .model import ExternalIds, Film, Kind, PartialDate, Release, Status, slugify

FORMAT_VERSION = 1
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# A film's ids elsewhere: name -> (pattern, what the message says it must be).
ID_PATTERNS = {
    "tmdb": (re.compile(r"[1-9][0-9]{0,9}"), "a positive whole number, e.g. 603"),
    "imdb": (re.compile(r"tt[0-9]{7,12}"), "'tt' and 7 or more digits, e.g. tt0133093"),
    "wikidata": (re.compile(r"Q[1-9][0-9]{0,11}"), "'Q' and digits, e.g. Q83495"),
}
_ID_NAMES = {"tmdb": "a TMDB id", "imdb": "an IMDb id", "wikidata": "a Wikidata id"}
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
# Limits that keep a stray quote or a generated file from producing a 2 MB title.
MAX_FILE_BYTES = 64 * 1024 * 1024
_SHORT_TEXT = 1_000  # titles, names, platforms
_LONG_TEXT = 20_000  # synopsis, note
_URL_LENGTH = 2_048
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
# Explicit tags that only restate a plain value's type; any other tag
# (!!python/..., !!binary, custom !tags) is refused, never constructed.
_HARMLESS_TAGS = frozenset(
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)


# --------------------------------------------------------------------------
# Loading one file

@dataclass
class LoadedFile:
    films: list[Film] = field(default_factory=list)
    positions: list[tuple[int, int]] = field(default_factory=list)  # each film's id: line, column
    problems: list[Problem] = field(default_factory=list)
    digest: str | None = None  # SHA-256 of the bytes read, for the cache


def load_file(path: Path, progress: Callable[[int], None] | None = None) -> LoadedFile:
    """Parse and validate one dataset file; PROGRESS gets the count of windows read so far."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            out = LoadedFile()
            out.problems.append(Problem(name, 0, 0, f"file is {size / 1024 / 1024:,.0f} MB; relcal reads dataset "
                                        f"files of up to {MAX_FILE_BYTES // 1024 // 1024} MB: split it into "
                                        "several files in one folder and pass the folder"))
            return out
        raw = path.read_bytes()
    except OSError as exc:
        out = LoadedFile()
        out.problems.append(Problem(name, 0, 0, f"cannot read: {exc.strerror or exc}"))
        return out
    return load_bytes(raw, name, progress)


def load_bytes(raw: bytes, name: str, progress: Callable[[int], None] | None = None) -> LoadedFile:
    """Parse and validate the bytes of a dataset file called NAME (in messages)."""
    from .cache import file_digest

    out = LoadedFile(digest=file_digest(raw))
    text = _decode(raw, name, out.problems)
    if text is None:
        return out
    _read(text, _Converter(name, out, progress))
    return out


def _decode(raw: bytes, name: str, problems: list[Problem]) -> str | None:
    try:
        return raw.decode("utf-8-sig")  # a leading BOM is harmless; drop it
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        problems.append(Problem(name, line, col, f"byte 0x{raw[exc.start]:02x} is not UTF-8; "
                                "save the file as UTF-8"))
        return None


class _Composer:
    """YAML events -> nodes, as PyYAML's base composer does (every scalar a string,
    no tag resolved to a type), but one node at a time: the films of a large
    file are converted and dropped one by one instead of all held at once."""

    def __init__(self, text: str):
        import yaml

        self.yaml = yaml
        self.loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)(text)
        self.anchors: dict[str, Any] = {}
        events = yaml.events
        self.Scalar, self.Alias = events.ScalarEvent, events.AliasEvent
        self.SeqStart, self.SeqEnd = events.SequenceStartEvent, events.SequenceEndEvent
        self.MapStart, self.MapEnd = events.MappingStartEvent, events.MappingEndEvent

    def check(self, event_class: type) -> bool:
        return bool(self.loader.check_event(event_class))

    def next(self) -> Any:
        return self.loader.get_event()

    def node(self) -> Any:
        yaml, event = self.yaml, self.loader.get_event()
        kind = event.__class__
        if kind is self.Alias:
            if event.anchor not in self.anchors:
                raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}",
                                                  event.start_mark)
            return self.anchors[event.anchor]
        tag = event.tag if event.tag not in (None, "!") else None
        if kind is self.Scalar:
            node = yaml.ScalarNode(tag or _STR_TAG, event.value, event.start_mark, event.end_mark, style=event.style)
        elif kind is self.SeqStart:
            node = yaml.SequenceNode(tag or _SEQ_TAG, [], event.start_mark, None, flow_style=event.flow_style)
            self._anchor(event, node)
            while not self.loader.check_event(self.SeqEnd):
                node.value.append(self.node())
            node.end_mark = self.loader.get_event().end_mark
            return node
        elif kind is self.MapStart:
            node = yaml.MappingNode(tag or _MAP_TAG, [], event.start_mark, None, flow_style=event.flow_style)
            self._anchor(event, node)
            while not self.loader.check_event(self.MapEnd):
                key = self.node()
                node.value.append((key, self.node()))
            node.end_mark = self.loader.get_event().end_mark
            return node
        else:
            raise yaml.composer.ComposerError(None, None, f"unexpected {kind.__name__}", event.start_mark)
        self._anchor(event, node)
        return node

    def _anchor(self, event: Any, node: Any) -> None:
        if event.anchor is not None:
            self.anchors[event.anchor] = node


def _read(text: str, conv: _Converter) -> None:
    """Read one dataset document, converting each film as soon as it is composed."""
    import yaml

    comp = None
    try:
        comp = _Composer(text)
        _read_document(comp, conv)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
            mark = exc.context_mark  # where the unterminated thing began, not the end of the file
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        conv.out.problems.append(Problem(conv.file, line, col, _syntax_message(exc, text, line, col)))
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, with no mark of its own
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        conv.out.problems.append(Problem(conv.file, line, col, f"character U+{ord(char):04X} is not allowed in YAML "
                                         "(control characters are not); delete it, or write it as an escape "
                                         "such as \\x01 inside double quotes"))
    except yaml.YAMLError as exc:
        conv.out.problems.append(Problem(conv.file, 1, 1, "YAML error: " + " ".join(str(exc).split())))
    except RecursionError:
        conv.out.problems.append(Problem(conv.file, 1, 1, "nested too deeply to be a dataset; "
                                         "a dataset is a mapping of films, each a mapping of fields"))
    finally:
        if comp is not None:
            comp.loader.dispose()


def _read_document(comp: _Composer, conv: _Converter) -> None:
    yaml = comp.yaml
    comp.next()  # the stream starts
    if comp.check(yaml.events.StreamEndEvent):
        conv.out.problems.append(Problem(conv.file, 1, 1, f"file is empty; a dataset starts with "
                                         f"'version: {FORMAT_VERSION}' and a 'films:' list"))
        return
    comp.next()  # the document starts
    if not comp.check(comp.MapStart):
        conv.dataset(comp.node())  # not a mapping: reported as such
    else:
        start = comp.next()
        if start.tag not in (None, "!", _MAP_TAG) or start.anchor is not None:
            conv.invalid_top(start)
        seen: dict[str, Any] = {}
        while not comp.check(comp.MapEnd):
            key = comp.node()
            if (isinstance(key, yaml.ScalarNode) and not key.style and key.value == "films"
                    and "films" not in seen and comp.check(comp.SeqStart)):
                seq = comp.loader.peek_event()
                if seq.anchor is None and seq.tag in (None, "!", _SEQ_TAG):
                    seen["films"] = key
                    comp.next()
                    while not comp.check(comp.SeqEnd):  # the films, one at a time
                        conv.film(comp.node())
                    comp.next()
                    continue
            conv.top_field(key, comp.node(), seen)
        end = comp.next()
        conv.top_missing(start, seen)
        del end
    comp.next()  # the document ends
    if comp.check(yaml.events.DocumentStartEvent):
        mark = comp.next().start_mark
        conv.out.problems.append(Problem(conv.file, mark.line + 1, mark.column + 1,
                                         "a second YAML document; a dataset file holds one document: "
                                         "remove the extra '---'"))


def _syntax_message(exc: Any, text: str = "", line: int = 0, col: int = 0) -> str:
    problem = (exc.problem or "syntax error").strip()
    lines = text.split("\n")
    here = lines[line - 1][col - 1:col] if 0 < line <= len(lines) else ""
    if "'\\t'" in problem or "tab" in problem or here == "\t":
        hint = "indent with spaces; YAML does not allow tabs there"
    elif "mapping values are not allowed" in problem:
        hint = "a value that contains ': ' must be quoted"
    elif "found duplicate anchor" in problem or "undefined alias" in problem:
        hint = "define each &anchor once, before any *alias to it"
    elif any(x in problem for x in ("could not find expected ':'", "expected <block end>",
                                    "expected '-' indicator", "expected <block mapping key>")):
        hint = "check the indentation of this line and the one above"
    elif "maximum nesting depth" in problem:
        hint = "the data nests more than 1000 levels deep; a dataset needs four (dataset, films, film, windows)"
    elif "found unexpected end of stream" in problem or "found unknown escape" in problem:
        hint = "check the quotes on this line"
    elif "expected a single document" in problem or "but found another document" in problem:
        hint = "a dataset file holds one document: remove the extra '---'"
    else:
        hint = "check this line's indentation and quoting"
    opened = _unclosed_quote(lines, line)
    if opened and "tab" not in hint:
        hint += f"; is the quote opened on line {opened} closed?"
    context = f" {exc.context.strip()}" if getattr(exc, "context", None) else ""
    return f"YAML syntax error:{context} {problem}; {hint}".replace(":  ", ": ")


def _unclosed_quote(lines: list[str], line: int) -> int | None:
    """The nearest line above LINE with an odd number of double quotes: a string
    that runs on to where the parser stumbled."""
    for number in range(min(line, len(lines)), max(0, line - 200), -1):
        if lines[number - 1].replace('\\"', "").count('"') % 2:
            return number if number < line else None
    return None


# --------------------------------------------------------------------------
# Converting nodes to the model, field by field

@dataclass(frozen=True)
class Spec:
    """One field of the dataset format: its value type, and whether it is required.

    The same table drives loading, the error messages and ``relcal schema``.
    """

    type: str
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()


TOP_FIELDS: dict[str, Spec] = {
    "version": Spec("int", f"Format version; always {FORMAT_VERSION}.", required=True),
    "films": Spec("films", "The films, each with its release windows.", required=True),
}
FILM_FIELDS: dict[str, Spec] = {
    "id": Spec("slug", "Unique id across all files: lowercase letters, digits and single hyphens.", required=True),
    "title": Spec("text", "Title as released in English-speaking markets.", required=True),
    "original_title": Spec("text", "Title in the original language, if different."),
    "year": Spec("year", "Year of the first public showing."),
    "directors": Spec("texts", "Directors."),
    "writers": Spec("texts", "Screenwriters."),
    "cast": Spec("texts", "Leading cast."),
    "genres": Spec("texts", "Genres, lowercase."),
    "countries": Spec("countries", "Production countries, ISO 3166-1 alpha-2."),
    "runtime": Spec("minutes", "Running time in minutes."),
    "synopsis": Spec("text", "A short synopsis."),
    "links": Spec("links", "Named links, e.g. source: https://..."),
    "ids": Spec("ids", "Identifiers elsewhere: {tmdb: 603, imdb: tt0133093, wikidata: Q83495}."),
    "releases": Spec("releases", "Release windows."),
}
RELEASE_FIELDS: dict[str, Spec] = {
    "date": Spec("date", "YYYY-MM-DD, or YYYY-MM / YYYY when only the month or year is known.", required=True),
    "kind": Spec("choice", "What kind of window.", required=True, choices=tuple(k.value for k in Kind)),
    "region": Spec("country", "ISO 3166-1 alpha-2 code; absent means unspecified or worldwide."),
    "platform": Spec("text", "Streaming or VOD platform, TV channel."),
    "venue": Spec("text", "Festival or cinema."),
    "distributor": Spec("text", "Distributor in that region."),
    "status": Spec("choice", "Default confirmed.", choices=tuple(s.value for s in Status)),
    "note": Spec("text", "A short note."),
    "source": Spec("url", "Where this date was confirmed."),
    "history": Spec("dates", "Earlier dates of this window, oldest first, when it was moved."),
    "id": Spec("slug", "Optional slug, unique within the film, for a stable calendar identity."),
}


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


class _Invalid(Exception):
    """A field's value is wrong; the problem is already recorded."""


class _Converter:
    """Walks one file's node tree, recording problems and building films."""

    def __init__(self, file: str, out: LoadedFile, progress: Callable[[int], None] | None = None):
        self.file = file
        self.out = out
        self.progress = progress
        self.windows = 0

    # -- reporting ---------------------------------------------------------
    def problem(self, node: Any, message: str) -> None:
        mark = node.start_mark
        self.out.problems.append(Problem(self.file, mark.line + 1, mark.column + 1, message))

    def invalid(self, node: Any, message: str) -> _Invalid:
        self.problem(node, message)
        return _Invalid()

    # -- structure ---------------------------------------------------------
    def mapping(self, node: Any, fields: dict[str, Spec], what: str) -> dict[str, tuple[Any, Any]] | None:
        """key -> (key node, value node), with unknown, duplicate and missing keys reported."""
        import yaml

        self.check_tag(node)
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping of 'key: value' lines, not {_shape(node)}")
            return None
        seen: dict[str, tuple[Any, Any]] = {}
        meant: set[str] = set()  # required keys an unknown key was probably meant to be
        explicit, merged = self.pairs(node, what)
        for key_node, value_node in explicit:
            key = key_node.value
            if key in seen:
                first = seen[key][0].start_mark
                self.problem(key_node, f"duplicate key {key!r} in {what} (first at line "
                                       f"{first.line + 1}:{first.column + 1}); keep one of them")
                continue
            seen[key] = (key_node, value_node)
            if key not in fields:
                close = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}?" if close else "known keys: " + ", ".join(fields)
                self.problem(key_node, f"unknown key {key!r} in {what}; {hint}")
                meant.update(close)
        for key_node, value_node in merged:  # '<<: *anchor' fills in what is not written out
            key = key_node.value
            if key not in seen:
                seen[key] = (key_node, value_node)
                if key not in fields:
                    self.problem(key_node, f"unknown key {key!r} (merged into {what} here by '<<')")
        for name, spec in fields.items():
            if spec.required and name not in seen and name not in meant:
                self.problem(node, f"{what} is missing the required key {name!r}")
        return {k: v for k, v in seen.items() if k in fields}

    def pairs(self, node: Any, what: str, depth: int = 0) -> tuple[list[tuple[Any, Any]], list[tuple[Any, Any]]]:
        """A mapping's own key/value nodes, and those that YAML merge keys ('<<') bring in."""
        import yaml

        explicit: list[tuple[Any, Any]] = []
        merged: list[tuple[Any, Any]] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, f"a key in {what} must be a plain name, not {_shape(key_node)}")
                continue
            self.check_tag(key_node)
            if key_node.value != "<<" or key_node.style:
                explicit.append((key_node, value_node))
                continue
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    self.problem(source, "'<<' merges a mapping (or a list of them) into this one; "
                                         f"this is {_shape(source)}")
                elif depth >= 8:
                    self.problem(source, "merge keys ('<<') nest too deeply; write the fields out")
                else:
                    inner, deeper = self.pairs(source, what, depth + 1)
                    merged.extend(inner + deeper)
        return explicit, merged

    def check_tag(self, node: Any) -> None:
        tag = node.tag or ""
        if tag in _HARMLESS_TAGS or tag == "?" or tag == "!":
            return
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        raise self.invalid(node, f"tag {shown} is not allowed: relcal reads plain data only; remove the tag")

    def scalar(self, node: Any, what: str) -> str | None:
        """The text of a scalar, or None for YAML null (~, null, or nothing)."""
        import yaml

        self.check_tag(node)
        if not isinstance(node, yaml.ScalarNode):
            raise self.invalid(node, f"{what} must be a single value, not {_shape(node)}")
        if not node.style and node.value in _NULLS and node.tag == _STR_TAG:
            return None
        if node.tag == "tag:yaml.org,2002:null":
            return None
        return node.value

    def sequence(self, node: Any, what: str) -> list[Any]:
        import yaml

        self.check_tag(node)
        if isinstance(node, yaml.ScalarNode) and self.scalar(node, what) is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.invalid(node, f"{what} must be a list (one '- item' per line, or [a, b]), not {_shape(node)}")
        return node.value

    # -- the document --------------------------------------------------------
    def dataset(self, root: Any) -> None:
        """A whole document that is not a mapping (a mapping is read field by field)."""
        try:
            self.mapping(root, TOP_FIELDS, "the dataset")
        except _Invalid:
            pass

    def invalid_top(self, event: Any) -> None:
        mark = event.start_mark
        self.out.problems.append(Problem(self.file, mark.line + 1, mark.column + 1,
                                         "the dataset's top mapping takes no tag or anchor; remove it"))

    def top_field(self, key: Any, value: Any, seen: dict[str, Any]) -> None:
        """One 'key: value' of the dataset's top mapping (films read as a whole)."""
        import yaml

        if not isinstance(key, yaml.ScalarNode):
            self.problem(key, f"a key in the dataset must be a plain name, not {_shape(key)}")
            return
        try:
            self.check_tag(key)
        except _Invalid:
            return
        name = key.value
        if name in seen:
            first = seen[name].start_mark
            self.problem(key, f"duplicate key {name!r} in the dataset (first at line "
                              f"{first.line + 1}:{first.column + 1}); keep one of them")
            return
        seen[name] = key
        if name == "version":
            try:
                version = self.scalar(value, "version")
                if version != str(FORMAT_VERSION):
                    self.problem(value, f"version {version!r} is not supported; this relcal reads "
                                        f"'version: {FORMAT_VERSION}'")
            except _Invalid:
                pass
        elif name == "films":
            try:
                items = self.sequence(value, "films")
            except _Invalid:
                return
            for item in items:
                self.film(item)
        else:
            close = difflib.get_close_matches(name, TOP_FIELDS, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else "known keys: " + ", ".join(TOP_FIELDS)
            self.problem(key, f"unknown key {name!r} in the dataset; {hint}")

    def top_missing(self, start: Any, seen: dict[str, Any]) -> None:
        for name in TOP_FIELDS:
            if name not in seen and not any(difflib.get_close_matches(k, [name], n=1, cutoff=0.6) for k in seen):
                mark = start.start_mark
                self.out.problems.append(Problem(self.file, mark.line + 1, mark.column + 1,
                                                 f"the dataset is missing the required key {name!r}"))

    def record(self, node: Any, fields: dict[str, Spec], what: str) -> tuple[dict[str, Any], Any] | None:
        """Every field of a film or a window converted, or None if any is wrong
        (each problem recorded); with the mapping's key/value nodes."""
        found = self.mapping(node, fields, what)
        if found is None:
            return None
        values: dict[str, Any] = {}
        ok = True
        for name, (_, value_node) in found.items():
            spec = fields[name]
            try:
                value = self.value(spec, value_node, name)
            except _Invalid:
                ok = False
                continue
            if value is not None:
                values[name] = value
            elif spec.required:
                ok = False
                self.problem(value_node, _null_message(name, value_node))
        if not ok or any(spec.required and name not in values for name, spec in fields.items()):
            return None
        return values, found

    def film(self, node: Any) -> None:
        try:
            converted = self.record(node, FILM_FIELDS, "a film")
        except _Invalid:
            return
        if converted is None:
            return
        values, found = converted
        releases = values.get("releases", ())
        self.check_identities(values["id"], releases)
        film = Film(**{**values, "releases": tuple(r for r, _ in releases)})
        mark = found["id"][1].start_mark
        self.out.films.append(film)
        self.out.positions.append((mark.line + 1, mark.column + 1))
        if self.progress is not None:
            before = self.windows
            self.windows += len(film.releases)
            if self.windows // 1000 != before // 1000:
                self.progress(self.windows)

    def check_identities(self, film_id: str, releases: list[tuple[Release, Any]]) -> None:
        """Two windows of a film must not look alike: their calendar events would share a UID."""
        seen: dict[str, Any] = {}
        for release, node in releases:
            earlier = seen.get(release.identity)
            if earlier is None:
                seen[release.identity] = node
                continue
            mark = earlier.start_mark
            if release.id:
                message = f"window id {release.id!r} is used twice in film {film_id!r} (first at line {mark.line + 1})"
            else:
                alike = ", ".join(x for x in (release.kind.value, release.region, release.where) if x)
                message = (f"this window ({alike}) looks like the one at line {mark.line + 1}:{mark.column + 1}; "
                           "give one of them an 'id:' (e.g. id: second-run) so each keeps its own calendar event")
            self.problem(node, message)

    def release(self, node: Any) -> tuple[Release, Any]:
        converted = self.record(node, RELEASE_FIELDS, "a release window")
        if converted is None:
            raise _Invalid()
        values = converted[0]
        return Release(**values), node

    # -- values ---------------------------------------------------------------
    def value(self, spec: Spec, node: Any, name: str) -> Any:
        convert: Callable[[Any, str, Spec], Any] = getattr(self, "v_" + spec.type)
        return convert(node, name, spec)

    def v_int(self, node: Any, name: str, spec: Spec) -> int | None:
        text = self.scalar(node, name)
        if text is None:
            return None
        if not text.isascii() or not text.isdigit():
            raise self.invalid(node, f"{name} must be a whole number, not {_quote(text)}")
        return int(text)

    def v_year(self, node: Any, name: str, spec: Spec) -> int | None:
        year = self.v_int(node, name, spec)
        if year is not None and not 1870 <= year <= 2200:
            raise self.invalid(node, f"year {year} is not a film's year; give the four-digit year of "
                                     "its first showing")
        return year

    def v_minutes(self, node: Any, name: str, spec: Spec) -> int | None:
        minutes = self.v_int(node, name, spec)
        if minutes is not None and not 1 <= minutes <= 10000:
            raise self.invalid(node, f"{name} is in minutes: {minutes} is not a running time")
        return minutes

    def v_text(self, node: Any, name: str, spec: Spec) -> str | None:
        text = self.scalar(node, name)
        if text is None:
            return None
        if not text.strip():
            raise self.invalid(node, f"{name} is empty; give a value or remove the line")
        limit = _LONG_TEXT if name in ("synopsis", "note") else _SHORT_TEXT
        if len(text) > limit:
            raise self.invalid(node, f"{name} is {len(text):,} characters long; keep it under {limit:,} "
                                     "(is a closing quote missing?)")
        return text

    def v_slug(self, node: Any, name: str, spec: Spec) -> str | None:
        text = self.scalar(node, name)
        if text is None:
            return None
        if not SLUG.fullmatch(text):
            suggestion = slugify(text)
            hint = f"; try {suggestion!r}" if suggestion else ""
            raise self.invalid(node, f"{name} {_quote(text)} is not a slug (lowercase letters, digits and "
                                     f"single hyphens){hint}")
        return text

    def each(self, node: Any, name: str, spec: Spec, convert: Callable[[Any, str, Spec], Any], what: str) -> tuple:
        """A list field: every item converted (nulls left out)."""
        values = (convert(item, what, spec) for item in self.sequence(node, name))
        return tuple(v for v in values if v is not None)

    def v_texts(self, node: Any, name: str, spec: Spec) -> tuple[str, ...]:
        return self.each(node, name, spec, self.v_text, f"an item of {name}")

    def v_country(self, node: Any, name: str, spec: Spec) -> str | None:
        text = self.scalar(node, name)
        if text is None:
            return None
        code, hint = countries.check(text)
        if code is None:
            raise self.invalid(node, f"{name} {_quote(text)} is not an ISO 3166-1 country code; {hint}")
        return code

    def v_countries(self, node: Any, name: str, spec: Spec) -> tuple[str, ...]:
        return self.each(node, name, spec, self.v_country, "country")

    def v_date(self, node: Any, name: str, spec: Spec) -> PartialDate | None:
        text = self.scalar(node, name)
        if text is None:
            return None
        text = text.strip()
        try:
            found = parse_iso(text)
        except ValueError as exc:
            raise self.invalid(node, f"{name} {_quote(text)} does not exist ({exc}); check the day and month") from None
        if found is None:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ].*", text):
                hint = f"a release date is a calendar day: drop the time ({text[:10]})"
            elif re.fullmatch(r"\d{1,2}[/.]\d{1,2}[/.]\d{4}", text):
                hint = "write it as YYYY-MM-DD"
            else:
                hint = "use YYYY-MM-DD, or YYYY-MM / YYYY when only the month or year is known"
            raise self.invalid(node, f"{name} {_quote(text)} is not a date; {hint}")
        if not 1870 <= found.year <= 2200:
            raise self.invalid(node, f"{name} {_quote(text)} is outside the years films are released in (1870-2200); check the year")
        return found

    def v_dates(self, node: Any, name: str, spec: Spec) -> tuple[PartialDate, ...]:
        return self.each(node, name, spec, self.v_date, f"a date in {name}")

    def v_choice(self, node: Any, name: str, spec: Spec) -> Any:
        text = self.scalar(node, name)
        if text is None:
            return None
        key = text.strip().lower()
        if key not in spec.choices:
            close = [SYNONYMS[key]] if key in SYNONYMS else difflib.get_close_matches(key, spec.choices, n=1, cutoff=0.5)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise self.invalid(node, f"{name} {_quote(text)} is not known; {hint}use one of: " + ", ".join(spec.choices))
        return Kind(key) if name == "kind" else Status(key)

    def v_url(self, node: Any, name: str, spec: Spec) -> str | None:
        text = self.scalar(node, name)
        if text is None:
            return None
        text = text.strip()
        if len(text) > _URL_LENGTH:
            raise self.invalid(node, f"{name} is {len(text):,} characters long; a web address is at most "
                                     f"{_URL_LENGTH:,}")
        if not _URL.fullmatch(text):
            raise self.invalid(node, f"{name} {_quote(text)} is not a web address; give a full http:// or https:// URL")
        return text

    def v_links(self, node: Any, name: str, spec: Spec) -> tuple[tuple[str, str], ...]:
        import yaml

        if isinstance(node, yaml.ScalarNode) and self.scalar(node, name) is None:
            return ()
        if not isinstance(node, yaml.MappingNode):
            raise self.invalid(node, f"links must be a mapping of name: URL, not {_shape(node)}")
        links: dict[str, str] = {}
        ok = True
        for key_node, value_node in node.value:
            try:
                key = self.scalar(key_node, "a link name")
                if not key:
                    raise self.invalid(key_node, "a link needs a name, e.g. source: https://...")
                if key in links:
                    raise self.invalid(key_node, f"duplicate link {key!r}; keep one of them")
                url = self.v_url(value_node, f"links.{key}", spec)
            except _Invalid:
                ok = False
                continue
            if url is not None:
                links[key] = url
        if not ok:
            raise _Invalid()
        return tuple(links.items())

    def v_ids(self, node: Any, name: str, spec: Spec) -> ExternalIds | None:
        import yaml

        if isinstance(node, yaml.ScalarNode) and self.scalar(node, name) is None:
            return None
        if not isinstance(node, yaml.MappingNode):
            raise self.invalid(node, f"ids must be a mapping such as {{tmdb: 603, imdb: tt0133093}}, not {_shape(node)}")
        values: dict[str, Any] = {}
        ok = True
        for key_node, value_node in node.value:
            try:
                key = self.scalar(key_node, "an id name")
                if key not in ID_PATTERNS:
                    close = difflib.get_close_matches(key or "", ID_PATTERNS, n=1, cutoff=0.5)
                    hint = f"did you mean {close[0]!r}? " if close else ""
                    raise self.invalid(key_node, f"unknown id {_quote(key or '')}; {hint}known ids: "
                                                 + ", ".join(ID_PATTERNS))
                if key in values:
                    raise self.invalid(key_node, f"duplicate id {key!r}; keep one of them")
                text = self.scalar(value_node, f"ids.{key}")
                if text is None:
                    continue
                pattern, shape = ID_PATTERNS[key]
                if not pattern.fullmatch(text.strip()):
                    raise self.invalid(value_node, f"ids.{key} {_quote(text)} is not {_ID_NAMES[key]}; give {shape}")
                values[key] = int(text) if key == "tmdb" else text.strip()
            except _Invalid:
                ok = False
        if not ok:
            raise _Invalid()
        return ExternalIds(**values) if values else None

    def v_releases(self, node: Any, name: str, spec: Spec) -> list[tuple[Release, Any]]:
        releases = []
        ok = True
        for item in self.sequence(node, name):
            try:
                releases.append(self.release(item))
            except _Invalid:
                ok = False
        if not ok:
            raise _Invalid()
        return releases


def _null_message(name: str, node: Any) -> str:
    shown = node.value if getattr(node, "value", None) else "nothing"
    return f"{name} is required but is {shown!r} (null in YAML); give a value, quoted if it is literally {shown!r}" \
        if shown != "nothing" else f"{name} is required but empty; give a value"


def _shape(node: Any) -> str:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"the value {_quote(node.value)}"


def _quote(text: str, limit: int = 60) -> str:
    """TEXT quoted for a message, cut short so that one problem stays one line."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")  # repr keeps a newline on the line


