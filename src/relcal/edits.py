"""Changes to dataset files that keep everything else as it was.

``relcal add`` and ``relcal sync`` write into files people also edit by hand.
Only the films that change are touched: each one's lines are cut out of the
file, read with ruamel.yaml's round-trip loader (which keeps comments),
changed, dumped and put back in their place, and new films go after the last
one. Every byte of the other films, every comment between films and the
file's head and tail stay exactly as they were, and the cost follows the
films changed, not the file's size. Where a film cannot be cut out on its own
(an alias to an anchor elsewhere, a films list in flow style) the whole
document takes the round trip instead.

Either way the result must read back, through relcal's own loader (the
dataset is still *loaded* by PyYAML everywhere), as exactly the films
intended, or nothing is written. Writes are atomic, and a file with no
change is not written at all (its mtime stays).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .errors import DataError, ExportError
from .files import write_file
from .model import Film, PartialDate, Release, Status

# Keys in the order relcal writes them (the dataset format's order).
FILM_ORDER = ("id", "title", "original_title", "year", "directors", "writers", "cast", "genres", "countries",
              "runtime", "synopsis", "links", "ids", "releases")
WINDOW_ORDER = ("id", "date", "kind", "region", "platform", "venue", "distributor", "status", "note", "source",
                "history")
# Plain scalars that a YAML 1.1 reader would turn into a boolean, null or
# number: relcal's loader reads them as text anyway, but other tools would not.
_YAML11_TRAPS = re.compile(
    r"y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|"
    r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|[0-9][0-9_]*)|"
    r"[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|=|<<"
)


class EditError(ExportError):
    """A dataset file could not be changed; it was left exactly as it was (exit 1)."""


def _yaml(sequence: int = 4, offset: int = 2) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 16  # never fold a long title or URL onto a second line
    yaml.indent(mapping=2, sequence=sequence, offset=offset)
    return yaml


# ---------------------------------------------------------------------------
# Model values -> round-trip YAML nodes

def _text(value: str, quoted: bool = False) -> Any:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    return DoubleQuotedScalarString(value) if quoted or _YAML11_TRAPS.fullmatch(value) else value


def _day(value: PartialDate) -> Any:
    if value.is_exact:
        return value.first_day
    if value.month is not None:
        return value.iso()  # "2021-02": plain, and no YAML reads it as anything but text
    return value.year


def _flow_seq(items: list[Any]) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _flow_map(pairs: list[tuple[str, Any]]) -> Any:
    from ruamel.yaml.comments import CommentedMap

    node = CommentedMap(pairs)
    node.fa.set_flow_style()
    return node


def window_fields(release: Release) -> dict[str, Any]:
    """The window's keys as it is written, in WINDOW_ORDER (defaults left out)."""
    fields = {
        "id": _text(release.id) if release.id else None, "date": _day(release.date), "kind": release.kind.value,
        "region": _text(release.region) if release.region else None,
        "platform": _text(release.platform) if release.platform else None,
        "venue": _text(release.venue) if release.venue else None,
        "distributor": _text(release.distributor) if release.distributor else None,
        "status": release.status.value if release.status is not Status.CONFIRMED else None,
        "note": _text(release.note) if release.note else None,
        "source": release.source,
        "history": _flow_seq([_day(d) for d in release.history]) if release.history else None,
    }
    return {key: fields[key] for key in WINDOW_ORDER if fields[key] is not None}


def window_node(release: Release) -> Any:
    """A new window: one line, as a flow mapping."""
    return _flow_map(list(window_fields(release).items()))


def film_node(film: Film) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    fields: dict[str, Any] = {
        "id": _text(film.id),
        "title": _text(film.title, quoted=True),
        "original_title": _text(film.original_title, quoted=True) if film.original_title else None,
        "year": film.year,
        "directors": _flow_seq([_text(n) for n in film.directors]) if film.directors else None,
        "writers": _flow_seq([_text(n) for n in film.writers]) if film.writers else None,
        "cast": _flow_seq([_text(n) for n in film.cast]) if film.cast else None,
        "genres": _flow_seq([_text(g) for g in film.genres]) if film.genres else None,
        "countries": _flow_seq([_text(c) for c in film.countries]) if film.countries else None,
        "runtime": film.runtime,
        "synopsis": _text(film.synopsis, quoted=True) if film.synopsis else None,
        "links": _flow_map([(k, v) for k, v in film.links]) if film.links else None,
        "ids": _flow_map(list(film.ids.items())) if film.ids else None,
        "releases": CommentedSeq([window_node(r) for r in film.releases]),
    }
    return CommentedMap((key, fields[key]) for key in FILM_ORDER if fields[key] is not None)


def _put(node: Any, key: str, value: Any, order: tuple[str, ...]) -> None:
    """Set, add (in ORDER's place) or, for None, remove KEY of a round-trip mapping."""
    if value is None:
        if key in node:
            del node[key]
        return
    if key in node:
        node[key] = value
        return
    before = order[: order.index(key)] if key in order else order
    position = 0
    for i, existing in enumerate(node):
        if existing in before:
            position = i + 1
    node.insert(position, key, value)


def update_window_node(node: Any, old: Release, new: Release) -> None:
    """Change what sync may change in a window it owns: date, history, status, note."""
    fields = window_fields(new)
    for key in ("date", "history", "status", "note"):
        if getattr(old, key) != getattr(new, key):
            _put(node, key, fields.get(key), WINDOW_ORDER)


# ---------------------------------------------------------------------------
# One dataset file

Plan = list[tuple[int | None, Release]]


class _Whole(Exception):
    """This edit needs the whole document to take the round trip."""


@dataclass
class _Span:
    start: int  # first line of the film (0-based), where its dash is
    end: int  # one past its last line of content
    dash: int  # the column of its dash


class DatasetFile:
    """A dataset file being changed: its original text and the films it will hold."""

    def __init__(self, path: Path, text: str, films: list[Film], positions: list[tuple[int, int]] | None = None):
        self.path = path
        self.text = text
        self.films = list(films)  # what the file will hold, in order
        self.positions = positions or []  # each original film's id: line, column (for messages)
        self._original = len(films)
        self._plans: dict[int, Plan] = {}
        self._originals: dict[int, Film] = {}  # each changed film as it was

    @classmethod
    def open(cls, path: Path) -> DatasetFile:
        """A dataset file as it is; it must be valid (relcal validate) to be changed."""
        from .parse import load_bytes

        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise EditError(f"cannot read {path}: {exc.strerror or exc}") from None
        loaded = load_bytes(raw, str(path))
        if loaded.problems:
            raise DataError(loaded.problems)
        return cls(path, raw.decode("utf-8-sig"), loaded.films, loaded.positions)

    @classmethod
    def create(cls, path: Path) -> DatasetFile:
        """A file that does not exist yet."""
        return cls(path, "", [])

    # -- changes -------------------------------------------------------------
    def set_releases(self, index: int, plan: Plan) -> None:
        """Give film INDEX (an original film) these windows, in this order: (its old window's
        index, the window) for windows it keeps or changes, (None, the window) for new
        ones, which come last."""
        kept = [i for i, _ in plan if i is not None]
        first_new = next((n for n, (i, _) in enumerate(plan) if i is None), len(plan))
        if index >= self._original or index in self._plans or kept != sorted(set(kept)) \
                or any(i is not None for i, _ in plan[first_new:]):
            raise ValueError("one plan per original film; its windows keep their order, new ones go at the end")
        self._originals[index] = self.films[index]
        self._plans[index] = plan
        self.films[index] = replace(self.films[index], releases=tuple(r for _, r in plan))

    def append(self, film: Film) -> None:
        self.films.append(film)

    @property
    def changed(self) -> bool:
        return bool(self._plans) or len(self.films) != self._original

    def _apply(self, index: int, node: Any) -> None:
        """Film INDEX's planned windows, applied to its round-trip node."""
        from ruamel.yaml.comments import CommentedSeq

        film_before = self._originals[index]
        windows = node.get("releases")
        if windows is None:
            windows = CommentedSeq()
            _put(node, "releases", windows, FILM_ORDER)
        plan = self._plans[index]
        kept = {i for i, _ in plan if i is not None}
        for i in sorted(set(range(len(film_before.releases))) - kept, reverse=True):
            del windows[i]
        for position, (i, release) in enumerate(p for p in plan if p[0] is not None):
            window = windows[position]
            if film_before.releases[i] != release and getattr(getattr(window, "anchor", None), "value", None):
                # An anchored window may be an alias elsewhere: change a copy, not every use of it.
                import copy

                window = copy.deepcopy(window)
                window.anchor.value = None
                windows[position] = window
            update_window_node(window, film_before.releases[i], release)
        for i, release in plan:
            if i is None:
                windows.append(window_node(release))

    # -- writing -------------------------------------------------------------
    def render(self) -> str:
        """The new text: changed and added films spliced into the original, else the
        whole document dumped; either must read back as the films intended."""
        try:
            text = self._spliced()
            if self._reads_back(text):
                return text
        except _Whole:
            pass
        text = self._whole()
        if self._reads_back(text):
            return text
        raise EditError(f"cannot edit {self.path}: the changed file would not read back as intended "
                        "(a bug in relcal; please report it); nothing was written")

    def _spliced(self) -> str:
        lines = self.text.splitlines(keepends=True)
        spans = _spans(_item_marks(self.text), lines) if self.text else []
        if spans is None or len(spans) != self._original or (self.text and not spans):
            raise _Whole()
        out: list[str] = []
        cursor = 0
        for i, span in enumerate(spans):
            out.extend(lines[cursor:span.start])
            if i in self._plans:
                out.extend(self._film_lines(i, lines[span.start:span.end], span.dash))
            else:
                out.extend(lines[span.start:span.end])
            cursor = span.end
        if not self.text:
            out.append("version: 1\nfilms:\n")
        elif out and not out[-1].endswith("\n"):
            out[-1] += "\n"
        dash = spans[0].dash if spans else 2
        spaced = len(spans) > 1 and not lines[spans[1].start - 1].strip()
        for film in self.films[self._original:]:
            if spaced:
                out.append("\n")
            out.extend(_shifted(_dump([film_node(film)], _yaml()), dash))
        out.extend(lines[cursor:])
        return "".join(out)

    def _film_lines(self, index: int, lines: list[str], dash: int) -> list[str]:
        """Film INDEX's lines, changed: read on their own, changed, dumped, put back at DASH."""
        sequence, offset = _style(lines)
        # Read it where ruamel will write it (the dash at OFFSET), so that trailing
        # comments keep their columns.
        snippet = "".join(_moved(lines, offset - dash))
        yaml = _yaml(sequence, offset)
        try:
            items = yaml.load(snippet)
        except Exception:  # an alias to an anchor outside this film, say: ruamel's errors share no useful base
            raise _Whole() from None
        if not isinstance(items, list) or len(items) != 1 or not hasattr(items[0], "get"):
            raise _Whole()
        self._apply(index, items[0])
        return _shifted(_dump(items, yaml), dash)

    def _whole(self) -> str:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        if self.text:
            try:
                doc = _yaml().load(self.text)
            except Exception:  # ruamel's errors share no base class worth naming
                raise EditError(f"cannot edit {self.path}: its YAML could not be read for a round trip; "
                                "nothing was written") from None
            if doc.get("films") is None:
                doc["films"] = CommentedSeq()
        else:
            doc = CommentedMap([("version", 1), ("films", CommentedSeq())])
        for index in self._plans:
            self._apply(index, doc["films"][index])
        for film in self.films[self._original:]:
            doc["films"].append(film_node(film))
        return _dump(doc, _yaml())

    def _reads_back(self, text: str) -> bool:
        from .parse import load_bytes

        loaded = load_bytes(text.encode("utf-8"), str(self.path))
        return not loaded.problems and loaded.films == self.films

    def save(self) -> bool:
        """Write the file if anything changed (atomically); True if it was written."""
        if not self.changed:
            return False
        text = self.render()
        if self.text and text == self.text:
            return False
        write_file(self.path, text.encode("utf-8"))
        return True


def _dump(data: Any, yaml: Any) -> str:
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _moved(lines: list[str], by: int) -> list[str]:
    """LINES indented BY more columns (fewer, if negative; never past the margin)."""
    if by >= 0:
        return [(" " * by + line) if line.strip() else line for line in lines]
    return [line[-by:] if _indent(line) >= -by else line.lstrip(" ") for line in lines]


def _shifted(text: str, dash: int) -> list[str]:
    """A dumped one-item list as lines whose dash is at column DASH."""
    lines = text.splitlines(keepends=True)
    first = next((line for line in lines if line.strip() and not line.lstrip().startswith("#")), "- ")
    return _moved(lines, dash - _indent(first))


def _style(lines: list[str]) -> tuple[int, int]:
    """(sequence, offset) for ruamel's indent, as the film's own 'releases:' list is laid out."""
    for n, line in enumerate(lines):
        if line.strip() == "releases:":
            key = _indent(line)
            for item in lines[n + 1:]:
                stripped = item.strip()
                if not stripped or stripped.startswith("#"):
                    continue
                if stripped.startswith("- "):
                    dash = _indent(item)
                    content = dash + 2 + _indent(item[dash + 2:])
                    if dash >= key and content - key >= dash - key + 2:
                        return content - key, dash - key
                break
    return 4, 2


def _item_marks(text: str) -> list[tuple[int, int]] | None:
    """Where each film of a block-style films list starts (line and column of its first
    key), read with PyYAML's event parser; None if the list is not in block style."""
    import yaml

    events = yaml.events
    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)(text)

    def rest_of(event: Any) -> None:  # consume the node EVENT starts
        depth = 1 if isinstance(event, (events.SequenceStartEvent, events.MappingStartEvent)) else 0
        while depth:
            event = loader.get_event()
            if isinstance(event, (events.SequenceStartEvent, events.MappingStartEvent)):
                depth += 1
            elif isinstance(event, (events.SequenceEndEvent, events.MappingEndEvent)):
                depth -= 1

    try:
        loader.get_event()  # the stream starts
        loader.get_event()  # the document starts
        if not isinstance(loader.get_event(), events.MappingStartEvent):
            return None
        while not loader.check_event(events.MappingEndEvent):
            key = loader.get_event()
            if isinstance(key, events.ScalarEvent) and key.value == "films" and loader.check_event(events.SequenceStartEvent):
                if loader.get_event().flow_style:
                    return None
                marks = []
                while not loader.check_event(events.SequenceEndEvent):
                    item = loader.get_event()
                    marks.append((item.start_mark.line, item.start_mark.column))
                    rest_of(item)
                return marks
            rest_of(key)
            rest_of(loader.get_event())
        return None
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def _spans(positions: list[tuple[int, int]] | None, lines: list[str]) -> list[_Span] | None:
    """Each film's lines: from its dash to its last line of content (comments indented
    inside it included); blank lines and outdented comments after it are not its own."""
    if positions is None:
        return None
    spans: list[_Span] = []
    for i, (line, col) in enumerate(positions):
        if line >= len(lines):
            return None
        head = lines[line]
        dash = _indent(head)
        if not head[dash:].startswith("-") or dash >= col:
            return None  # the item does not start on its dash's line: let the whole dump stand
        if i + 1 < len(positions):
            limit = positions[i + 1][0]
        else:
            limit = len(lines)
            for n in range(line + 1, len(lines)):
                text = lines[n]
                stripped = text.strip()
                if stripped and not stripped.startswith("#") and (
                        _indent(text) < dash or (_indent(text) == dash and not stripped.startswith("-"))):
                    limit = n
                    break
        end = limit
        while end > line + 1:
            text = lines[end - 1]
            stripped = text.strip()
            if stripped and not (stripped.startswith("#") and _indent(text) < col):
                break
            end -= 1
        spans.append(_Span(line, end, dash))
    return spans
