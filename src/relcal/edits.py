"""Changes to dataset files that keep everything else as it was.

``relcal add`` and ``relcal sync`` write into files people also edit by hand.
A file is read with ruamel.yaml's round-trip loader (the dataset is still
*loaded* by PyYAML everywhere else), changed, and dumped; then only the films
that changed are spliced into the original text, so every byte of the other
films, every comment between them and the file's head and tail stay exactly
as they were. The result must read back, through relcal's own loader, as
exactly the films intended, or nothing is written. Writes are atomic, and a
file with no change is not written at all (its mtime stays).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DataError, ExportError
from .files import write_atomic
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


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 16  # never fold a long title or URL onto a second line
    yaml.indent(mapping=2, sequence=4, offset=2)
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

@dataclass
class _Span:
    start: int  # first line of the film (0-based)
    end: int  # one past its last line


class DatasetFile:
    """A dataset file being changed: its original text, its round-trip tree and the films it will hold."""

    def __init__(self, path: Path, text: str, films: list[Film]):
        self.path = path
        self.text = text
        self.films = list(films)  # what the file will hold, in order
        self._original = len(films)
        self._changed: set[int] = set()
        self._doc: Any = None

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
        return cls(path, raw.decode("utf-8-sig"), loaded.films)

    @classmethod
    def create(cls, path: Path) -> DatasetFile:
        """A file that does not exist yet."""
        return cls(path, "", [])

    @property
    def doc(self) -> Any:
        if self._doc is None:
            from ruamel.yaml.comments import CommentedMap, CommentedSeq

            if not self.text:
                self._doc = CommentedMap([("version", 1), ("films", CommentedSeq())])
            else:
                try:
                    self._doc = _yaml().load(self.text)
                except Exception as exc:  # ruamel's errors share no base class worth naming
                    raise EditError(f"cannot edit {self.path}: its YAML could not be read for a round trip "
                                    f"({type(exc).__name__}); nothing was written") from None
                if self._doc.get("films") is None:
                    self._doc["films"] = CommentedSeq()
        return self._doc

    # -- changes -------------------------------------------------------------
    def set_releases(self, index: int, plan: list[tuple[int | None, Release]]) -> None:
        """Give film INDEX these windows, in this order: (its old window's index, the window)
        for windows it keeps or changes, (None, the window) for new ones at the end."""
        from ruamel.yaml.comments import CommentedSeq

        film = self.films[index]
        node = self.doc["films"][index]
        windows = node.get("releases")
        if windows is None:
            windows = CommentedSeq()
            _put(node, "releases", windows, FILM_ORDER)
        kept = [i for i, _ in plan if i is not None]
        first_new = next((n for n, (i, _) in enumerate(plan) if i is None), len(plan))
        if kept != sorted(set(kept)) or any(i is not None for i, _ in plan[first_new:]):
            raise ValueError("windows keep their order; new ones go at the end")
        for i in sorted(set(range(len(film.releases))) - set(kept), reverse=True):
            del windows[i]
        for position, (i, release) in enumerate(p for p in plan if p[0] is not None):
            update_window_node(windows[position], film.releases[i], release)
        for i, release in plan:
            if i is None:
                windows.append(window_node(release))
        self.films[index] = _with_releases(film, tuple(r for _, r in plan))
        self._changed.add(index)

    def append(self, film: Film) -> None:
        self.doc["films"].append(film_node(film))
        self.films.append(film)

    @property
    def changed(self) -> bool:
        return bool(self._changed) or len(self.films) != self._original

    # -- writing -------------------------------------------------------------
    def render(self) -> str:
        """The new text: changed and added films spliced into the original text."""
        buffer = io.StringIO()
        _yaml().dump(self.doc, buffer)
        dumped = buffer.getvalue()
        if self.text and self._original:
            spliced = self._splice(dumped)
            if spliced is not None and self._reads_back(spliced):
                return spliced
        if self._reads_back(dumped):
            return dumped
        raise EditError(f"cannot edit {self.path}: the changed file would not read back as intended "
                        "(a bug in relcal; please report it); nothing was written")

    def _splice(self, dumped: str) -> str | None:
        old_lines = self.text.splitlines(keepends=True)
        new_lines = dumped.splitlines(keepends=True)
        old_spans = _spans(_positions(self.doc, self._original), old_lines)
        try:
            new_spans = _spans(_positions(_yaml().load(dumped), len(self.films)), new_lines)
        except Exception:  # ruamel's errors share no base class worth naming
            return None
        if old_spans is None or new_spans is None or len(new_spans) != len(self.films):
            return None
        out: list[str] = []
        cursor = 0
        for i, span in enumerate(old_spans):
            out.extend(old_lines[cursor:span.start])
            source, lines = (new_spans[i], new_lines) if i in self._changed else (span, old_lines)
            out.extend(lines[source.start:source.end])
            cursor = span.end
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
        spaced = len(old_spans) > 1 and not old_lines[old_spans[1].start - 1].strip()
        for span in new_spans[len(old_spans):]:
            if spaced:
                out.append("\n")
            out.extend(new_lines[span.start:span.end])
        out.extend(old_lines[cursor:])
        return "".join(out)

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
        write_atomic(self.path, text.encode("utf-8"))
        return True


def _with_releases(film: Film, releases: tuple[Release, ...]) -> Film:
    from dataclasses import replace

    return replace(film, releases=releases)


def _positions(doc: Any, count: int) -> list[tuple[int, int]] | None:
    """Where the first COUNT films start as the text was read: line and column of each one's first key."""
    films = doc.get("films") if hasattr(doc, "get") else None
    if films is None or not hasattr(films, "lc") or films.fa.flow_style():
        return None
    try:
        return [films.lc.item(i) for i in range(count)]
    except (AttributeError, KeyError, IndexError, TypeError):
        return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


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
        spans.append(_Span(line, end))
    return spans

