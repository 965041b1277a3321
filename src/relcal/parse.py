"""YAML dataset file -> films, with every problem at its FILE:LINE:COL.

YAML is composed with PyYAML's *base* loader, which resolves every scalar to a
string: nothing is ever turned into ``False``, an int or a datetime behind the
user's back, and no tag can construct an object. A walker then goes through
the nodes with the format's declarations (format.py), converting each field
with the node's position at hand, so every problem is reported as
``FILE:LINE:COL: message`` — all of them, not just the first. The walker
counts every node it visits, aliases and merge keys included, and stops a
file that expands beyond a budget proportional to its size (an alias bomb).

This is the cold path: catalog.py comes here only when its cache has no
up-to-date copy of a file.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import format as fmt
from .errors import Problem
from .format import FORMAT_VERSION, ID_PATTERNS, SLUG, SYNONYMS, Bad, Record, quote  # noqa: F401 (re-exported)
from .model import NO_IDS, ExternalIds, Film, Release

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
MAX_FILE_BYTES = 64 * 1024 * 1024
# Node visits allowed per byte of a file (and at least _BUDGET_FLOOR): a real
# dataset visits fewer nodes than it has bytes; aliases and merge keys that
# multiply that are a bomb, not data.
_BUDGET_PER_BYTE = 20
_BUDGET_FLOOR = 100_000
_MERGE_DEPTH = 8
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
                                        "several files in one folder and pass the folder", "file"))
            return out
        raw = path.read_bytes()
    except OSError as exc:
        out = LoadedFile()
        out.problems.append(Problem(name, 0, 0, f"cannot read: {exc.strerror or exc}", "file"))
        return out
    return load_bytes(raw, name, progress)


def load_bytes(raw: bytes, name: str, progress: Callable[[int], None] | None = None) -> LoadedFile:
    """Parse and validate the bytes of a dataset file called NAME (in messages)."""
    from .cache import file_digest

    out = LoadedFile(digest=file_digest(raw))
    text = _decode(raw, name, out.problems)
    if text is None:
        return out
    _read(text, _Walker(name, out, progress, budget=max(_BUDGET_FLOOR, _BUDGET_PER_BYTE * len(text))))
    return out


def _decode(raw: bytes, name: str, problems: list[Problem]) -> str | None:
    try:
        return raw.decode("utf-8-sig")  # a leading BOM is harmless; drop it
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        problems.append(Problem(name, line, col, f"byte 0x{raw[exc.start]:02x} is not UTF-8; "
                                "save the file as UTF-8", "file"))
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


def _read(text: str, conv: _Walker) -> None:
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
        conv.out.problems.append(Problem(conv.file, line, col, _syntax_message(exc, text, line, col), "syntax"))
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, with no mark of its own
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        conv.out.problems.append(Problem(conv.file, line, col, f"character U+{ord(char):04X} is not allowed in YAML "
                                         "(control characters are not); delete it, or write it as an escape "
                                         "such as \\x01 inside double quotes", "syntax"))
    except yaml.YAMLError as exc:
        conv.out.problems.append(Problem(conv.file, 1, 1, "YAML error: " + " ".join(str(exc).split()), "syntax"))
    except RecursionError:
        conv.out.problems.append(Problem(conv.file, 1, 1, "nested too deeply to be a dataset; "
                                         "a dataset is a mapping of films, each a mapping of fields", "expansion"))
    except _Budget as over:
        conv.problem(conv.current if conv.current is not None else over.node, f"aliases and merge keys ('<<') expand this file to more than {conv.budget:,} "
                                "values, far more than it holds (an alias bomb?); write the data out", "expansion")
    finally:
        if comp is not None:
            comp.loader.dispose()


def _read_document(comp: _Composer, conv: _Walker) -> None:
    yaml = comp.yaml
    comp.next()  # the stream starts
    if comp.check(yaml.events.StreamEndEvent):
        conv.out.problems.append(Problem(conv.file, 1, 1, f"file is empty; a dataset starts with "
                                         f"'version: {FORMAT_VERSION}' and a 'films:' list", "file"))
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
                                         "remove the extra '---'", "file"))


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
# Walking the nodes with the format's declarations

class _Invalid(Exception):
    """A value is wrong; the problem is already recorded."""


class _Budget(Exception):
    """The file expands (through aliases and merge keys) beyond what it could hold."""

    def __init__(self, node: Any):
        super().__init__("over budget")
        self.node = node


class _Walker:
    """Walks one file's nodes, recording problems and building films."""

    def __init__(self, file: str, out: LoadedFile, progress: Callable[[int], None] | None = None,
                 budget: int = _BUDGET_FLOOR):
        self.file = file
        self.out = out
        self.progress = progress
        self.windows = 0
        self.budget = budget
        self.visits = 0
        self.current: Any = None  # the film being read: where an expansion beyond the budget is reported

    # -- reporting ---------------------------------------------------------
    def problem(self, node: Any, message: str, rule: str | None = None) -> None:
        mark = node.start_mark
        self.out.problems.append(Problem(self.file, mark.line + 1, mark.column + 1, message, rule))

    def invalid(self, node: Any, message: str, rule: str | None = None) -> _Invalid:
        self.problem(node, message, rule)
        return _Invalid()

    def visit(self, node: Any) -> None:
        self.visits += 1
        if self.visits > self.budget:
            raise _Budget(node)

    # -- shapes ------------------------------------------------------------
    def check_tag(self, node: Any) -> None:
        tag = node.tag or ""
        if tag in _HARMLESS_TAGS or tag == "?" or tag == "!":
            return
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        raise self.invalid(node, f"tag {shown} is not allowed: relcal reads plain data only; remove the tag", "tag")

    def scalar(self, node: Any, what: str) -> str | None:
        """The text of a scalar, or None for YAML null (~, null, or nothing)."""
        import yaml

        self.visit(node)
        self.check_tag(node)
        if not isinstance(node, yaml.ScalarNode):
            raise self.invalid(node, f"{what} must be a single value, not {_shape(node)}")
        if node.tag == "tag:yaml.org,2002:null" or (not node.style and node.value in _NULLS and node.tag == _STR_TAG):
            return None
        return node.value

    def sequence(self, node: Any, what: str) -> list[Any]:
        import yaml

        self.visit(node)
        self.check_tag(node)
        if isinstance(node, yaml.ScalarNode) and self.scalar(node, what) is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.invalid(node, f"{what} must be a list (one '- item' per line, or [a, b]), not {_shape(node)}")
        return node.value

    def pairs(self, node: Any, what: str, depth: int = 0) -> tuple[list[tuple[Any, Any]], list[tuple[Any, Any]]]:
        """A mapping's own key/value nodes, and those that YAML merge keys ('<<') bring in."""
        import yaml

        explicit: list[tuple[Any, Any]] = []
        merged: list[tuple[Any, Any]] = []
        for key_node, value_node in node.value:
            self.visit(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, f"a key in {what} must be a plain name, not {_shape(key_node)}")
                continue
            self.check_tag(key_node)
            if key_node.value != "<<" or key_node.style:
                explicit.append((key_node, value_node))
                continue
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for source in sources:
                self.visit(source)
                if not isinstance(source, yaml.MappingNode):
                    self.problem(source, "'<<' merges a mapping (or a list of them) into this one; "
                                         f"this is {_shape(source)}")
                elif depth >= _MERGE_DEPTH:
                    self.problem(source, "merge keys ('<<') nest too deeply; write the fields out", "expansion")
                else:
                    inner, deeper = self.pairs(source, what, depth + 1)
                    merged.extend(inner)
                    merged.extend(deeper)
        return explicit, merged

    def mapping(self, node: Any, record: Record) -> dict[str, tuple[Any, Any]] | None:
        """name -> (key node, value node) for RECORD's fields, with unknown, duplicate and
        missing keys reported."""
        import yaml

        what = record.what
        self.visit(node)
        self.check_tag(node)
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping of 'key: value' lines, not {_shape(node)}")
            return None
        fields = record.fields
        seen: dict[str, tuple[Any, Any]] = {}
        meant: set[str] = set()  # required keys an unknown key was probably meant to be
        explicit, merged = self.pairs(node, what)
        for key_node, value_node in explicit:
            key = key_node.value
            if key in seen:
                first = seen[key][0].start_mark
                self.problem(key_node, f"duplicate key {key!r} in {what} (first at line "
                                       f"{first.line + 1}:{first.column + 1}); keep one of them", "duplicate-key")
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

    # -- values ------------------------------------------------------------
    def record(self, node: Any, record: Record) -> dict[str, Any] | None:
        """RECORD's fields converted, or None if any is wrong (each problem recorded)."""
        found = self.mapping(node, record)
        if found is None:
            return None
        values: dict[str, Any] = {}
        ok = True
        for name, (_, value_node) in found.items():
            spec = record.fields[name]
            try:
                value = self.value(value_node, spec.type, record.prefix + name)
            except _Invalid:
                ok = False
                continue
            if value is not None:
                values[name] = value
            elif spec.required:
                ok = False
                self.problem(value_node, _null_message(name, value_node))
        if not ok or any(spec.required and name not in values for name, spec in record.fields.items()):
            return None
        return values

    def value(self, node: Any, kind: fmt.Type, name: str) -> Any:
        """NODE converted as KIND; None for null. A record comes back with its node."""
        if isinstance(kind, fmt.Scalar):
            text = self.scalar(node, name)
            if text is None:
                return None
            try:
                return kind.convert(text, not node.style, name)
            except Bad as bad:
                raise self.invalid(node, str(bad), bad.rule) from None
        if isinstance(kind, fmt.ListOf):
            items = []
            ok = True
            scalars = isinstance(kind.item, fmt.Scalar)
            what = (kind.label or f"an item of {name}") if scalars else name
            for item in self.sequence(node, name):
                try:
                    value = self.value(item, kind.item, what)
                except _Invalid:
                    ok = False
                    if scalars:
                        break  # the first bad name or date of a list is enough; windows are each reported
                    continue
                if value is None:
                    ok = False
                    self.problem(item, f"{what} is empty; remove the item or give a value")
                    if scalars:
                        break
                    continue
                items.append(value)
            if not ok:
                raise _Invalid()
            return items
        if isinstance(kind, fmt.Links):
            return self.links(node, name)
        if isinstance(kind, Record):
            import yaml

            if isinstance(node, yaml.ScalarNode) and self.scalar(node, name) is None:
                return None
            values = self.record(node, kind)
            if values is None:
                raise _Invalid()
            return values, node
        raise TypeError(f"no walker for {kind!r}")

    def links(self, node: Any, name: str) -> tuple[tuple[str, str], ...] | None:
        import yaml

        self.visit(node)
        self.check_tag(node)
        if isinstance(node, yaml.ScalarNode) and self.scalar(node, name) is None:
            return None
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
                    raise self.invalid(key_node, f"duplicate link {key!r}; keep one of them", "duplicate-key")
                url = self.value(value_node, fmt.Url(), f"links.{key}")
                if url is None:
                    raise self.invalid(value_node, f"links.{key} is empty; give the URL or remove the line")
            except _Invalid:
                ok = False
                continue
            links[key] = url
        if not ok:
            raise _Invalid()
        return tuple(links.items())

    # -- the document --------------------------------------------------------
    def dataset(self, root: Any) -> None:
        """A whole document that is not a mapping (a mapping is read field by field)."""
        try:
            self.mapping(root, fmt.DATASET)
        except _Invalid:
            pass

    def invalid_top(self, event: Any) -> None:
        mark = event.start_mark
        self.out.problems.append(Problem(self.file, mark.line + 1, mark.column + 1,
                                         "the dataset's top mapping takes no tag or anchor; remove it"))

    def top_field(self, key: Any, value: Any, seen: dict[str, Any]) -> None:
        """One 'key: value' of the dataset's top mapping (films read one by one)."""
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
                              f"{first.line + 1}:{first.column + 1}); keep one of them", "duplicate-key")
            return
        seen[name] = key
        fields = fmt.DATASET.fields
        if name == "version":
            try:
                if self.value(value, fields["version"].type, "version") is None:
                    self.problem(value, _null_message("version", value))
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
            close = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else "known keys: " + ", ".join(fields)
            self.problem(key, f"unknown key {name!r} in the dataset; {hint}")

    def top_missing(self, start: Any, seen: dict[str, Any]) -> None:
        for name in fmt.DATASET.fields:
            if name not in seen and not any(difflib.get_close_matches(k, [name], n=1, cutoff=0.6) for k in seen):
                mark = start.start_mark
                self.out.problems.append(Problem(self.file, mark.line + 1, mark.column + 1,
                                                 f"the dataset is missing the required key {name!r}"))

    # -- films -------------------------------------------------------------
    def film(self, node: Any) -> None:
        self.current = node
        try:
            values = self.record(node, fmt.FILM)
        except _Invalid:
            return
        if values is None:
            return
        film = assemble(values)
        self.check_identities(film.id, [(r, n) for r, (_, n) in zip(film.releases, values.get("releases", ()))])
        mark = node.start_mark
        id_node = next((v for k, v in node.value if getattr(k, "value", None) == "id"), None)
        if id_node is not None:
            mark = id_node.start_mark
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
            self.problem(node, message, "unique-window")


def assemble(values: dict[str, Any]) -> Film:
    """A Film from a film record's converted values (each release a (values, node) pair)."""
    releases = []
    for release_values, _ in values.get("releases", ()):
        fields = dict(release_values)
        if "history" in fields:
            fields["history"] = tuple(fields["history"])
        releases.append(Release(**fields))
    film = dict(values)
    for name in ("directors", "writers", "cast", "genres", "countries"):
        if name in film:
            film[name] = tuple(film[name])
    ids = film.pop("ids", None)
    film["ids"] = ExternalIds(**ids[0]) if ids else NO_IDS
    film["releases"] = tuple(releases)
    return Film(**film)


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


_quote = quote

