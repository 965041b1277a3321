"""The JSON Schema of 'relcal schema' and the loader: one declaration, one verdict.

Editors read a dataset as YAML 1.2 and check it against the schema; relcal
reads it with its own loader. Both come from format.py, and this test holds
them to it: over every file in tests/data/, the shipped dataset and generated
documents, the schema never rejects a file relcal loads, and where relcal
rejects a file the schema accepts, every problem is one JSON Schema cannot
express (format.BEYOND_SCHEMA: a date that does not exist, a duplicate key...).

The YAML 1.2 reading is written here from the spec (core schema), not taken
from relcal, so that the two sides are independent.
"""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from relcal.format import BEYOND_SCHEMA
from relcal.parse import load_bytes
from relcal.schema import json_schema, schema_json

from .conftest import DATA, ROOT, SHIPPED

VALIDATOR = jsonschema.Draft7Validator(json_schema())


class NotData(Exception):
    """What a YAML 1.2 reader would refuse (or what JSON cannot hold)."""


_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_TAGS = {"tag:yaml.org,2002:" + t: t for t in ("str", "int", "float", "bool", "null", "map", "seq")}


class _Plain(getattr(yaml, "CBaseLoader", yaml.BaseLoader)):
    """Composes nodes, marking plain scalars that carry no tag (their type is still to be read)."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0]:
            return "?plain"
        return super().resolve(kind, value, implicit)


def yaml12(text: str):
    """TEXT read as a YAML 1.2 (core schema) tool reads it, merge keys applied."""
    try:
        documents = list(yaml.compose_all(text, Loader=_Plain))
    except (yaml.YAMLError, RecursionError) as exc:
        raise NotData(str(exc)) from None
    if len(documents) != 1 or documents[0] is None:
        raise NotData("not one document")
    budget = [200_000]

    def convert(node):
        budget[0] -= 1
        if budget[0] < 0:
            raise NotData("expands without bound")
        tag = node.tag
        if tag not in _TAGS and tag not in ("!", "?plain"):
            raise NotData(f"tag {tag}")
        if isinstance(node, yaml.ScalarNode):
            value = node.value
            if tag != "?plain":  # quoted, or an explicit tag: a string unless the tag says otherwise
                if tag == "tag:yaml.org,2002:str" or tag == "!":
                    return value
                raise NotData(f"explicit tag {tag} on a scalar")
            if _NULL.fullmatch(value):
                return None
            if value in _BOOL:
                return _BOOL[value]
            if _INT.fullmatch(value):
                return int(value)
            if _OCT.fullmatch(value):
                return int(value[2:], 8)
            if _HEX.fullmatch(value):
                return int(value[2:], 16)
            if _FLOAT.fullmatch(value):
                return float(value)
            if re.fullmatch(r"[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)", value):
                raise NotData("JSON holds no infinity or NaN")
            return value
        if isinstance(node, yaml.SequenceNode):
            return [convert(item) for item in node.value]
        out: dict = {}
        merged: dict = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == "<<" and not key_node.style:
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for source in sources:
                    part = convert(source)
                    if not isinstance(part, dict):
                        raise NotData("merge of a non-mapping")
                    for k, v in part.items():
                        merged.setdefault(k, v)
                continue
            key = convert(key_node)
            if isinstance(key, (dict, list)):
                raise NotData("a complex key")
            key = json.dumps(key) if not isinstance(key, str) else key  # JSON keys are strings
            if key in out:
                raise NotData(f"duplicate key {key}")
            out[key] = convert(value_node)
        for k, v in merged.items():
            out.setdefault(k, v)
        return out

    return convert(documents[0])


def verdicts(raw: bytes, name: str = "input.yaml"):
    """(schema accepts, loader problems) for the bytes of a dataset file."""
    problems = load_bytes(raw, name).problems
    try:
        data = yaml12(raw.decode("utf-8-sig"))
    except (NotData, UnicodeDecodeError):
        return False, problems
    return VALIDATOR.is_valid(data), problems


def agree(raw: bytes, name: str = "input.yaml") -> None:
    schema_ok, problems = verdicts(raw, name)
    if not problems:
        assert schema_ok, f"the schema rejects {name}, which relcal loads: " + "; ".join(
            e.message for e in VALIDATOR.iter_errors(yaml12(raw.decode("utf-8-sig"))))
    elif schema_ok:
        unexpressed = [p for p in problems if p.rule not in BEYOND_SCHEMA]
        assert not unexpressed, f"relcal rejects {name} for what the schema could say: {unexpressed}"


FILES = sorted(p for p in DATA.rglob("*") if p.suffix.lower() in (".yaml", ".yml") and p.is_file()) + [SHIPPED]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_dataset_file_gets_the_same_verdict_from_both(path):
    agree(path.read_bytes(), str(path))


def test_the_committed_schema_is_the_generated_one():
    assert (SHIPPED.parent / "films.schema.json").read_text(encoding="utf-8") == schema_json()


def test_the_shipped_dataset_is_valid_under_the_schema():
    schema_ok, problems = verdicts(SHIPPED.read_bytes())
    assert schema_ok and problems == []


# Generated documents: each field gets values from a pool of the right, the nearly
# right and the wrong, as a person (or a YAML 1.1 habit) would write them.
POOL = {
    "text": ["Ida", '"Ida"', "1917", "No", "yes", "true", "~", '""', '"  "', "1e3", "'x\\ty'", '"a\\x1bb"',
             '"line\\nbreak"', '"\\u202eevil"', "[a, b]"],
    "slug": ["ida", "Ida", "ida-2", '"ida"', "1", "a--b", "~"],
    "year": ["2013", '"2013"', "2013.0", "0x7dd", "1869", "2201", "+2013", "twenty", "~"],
    "runtime": ["82", '"82"', "0", "-5", "1e2", "10001", "~"],
    "date": ["2021-01-29", "2021-02-30", "2021-02", "2021", '"2021"', "2021-13", "1869", "2201-01-01",
             "2021-1-29", "29.01.2021", "2021-01-29T10:00:00", "~"],
    "kind": ["vod", "VOD", "Vod", "streaming", "stream", "theatrical", "~", "1"],
    "status": ["announced", "ANNOUNCED", "delayed", "confirmed", "~"],
    "region": ["US", "us", "NO", "no", "UK", "1917", "~", '"GB"'],
    "url": ["https://example.org/a", "http://x.y/z?q=1", "example.org", '"https://example.org/\\x01"', "~", "1"],
    "ids": ["{tmdb: 603}", '{tmdb: "603"}', "{tmdb: 0}", "{imdb: tt0133093}", "{imdb: 133093}", "{wikidata: Q1}",
            "{tmbd: 1}", "[603]", "~"],
    "names": ["[A, B]", "[A, ~]", "[1917, true]", "A", "[]", "~", "[[A]]"],
    "countries": ["[US, GB]", "[us]", "[DNK]", "[]", "~"],
    "history": ["[2020-11-20, 2021-01]", "[2021-02-31]", "2021-01-01", "[]", "~"],
    "links": ["{source: https://example.org}", "{source: ~}", "{'': https://x.org}", "[https://x.org]", "~"],
}
FILM_FIELDS = {"id": "slug", "title": "text", "original_title": "text", "year": "year", "directors": "names",
               "cast": "names", "countries": "countries", "runtime": "runtime", "synopsis": "text", "links": "links",
               "ids": "ids", "frobnicate": "text"}
RELEASE_FIELDS = {"date": "date", "kind": "kind", "region": "region", "platform": "text", "venue": "text",
                  "status": "status", "note": "text", "source": "url", "history": "history", "id": "slug",
                  "plaform": "text"}


def record(fields: dict[str, str], required: tuple[str, ...]):
    keys = st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=4)
    return keys.flatmap(lambda ks: st.tuples(*(st.tuples(st.just(k), st.sampled_from(POOL[fields[k]]))
                                               for k in [*required, *ks] if k not in required or k in required)))


films = st.lists(st.tuples(record(FILM_FIELDS, ("id", "title")),
                           st.lists(record(RELEASE_FIELDS, ("date", "kind")), max_size=3)), min_size=1, max_size=2)


def render(generated) -> str:
    lines = ["version: 1", "films:"]
    for n, (film, releases) in enumerate(generated):
        pairs = dict(film)
        pairs["id"] = pairs["id"] if n == 0 else f"f{n}"
        lines.append("  - " + "\n    ".join(f"{k}: {v}" for k, v in pairs.items()))
        if releases:
            lines.append("    releases:")
            for release in releases:
                lines.append("      - {" + ", ".join(f"{k}: {v}" for k, v in dict(release).items()) + "}")
    return "\n".join(lines) + "\n"


@given(films)
@settings(max_examples=400, deadline=None)
def test_generated_documents_get_the_same_verdict_from_both(generated):
    agree(render(generated).encode("utf-8"))


def test_the_generator_reaches_both_verdicts():
    """The property above is worth something only if it sees files both sides accept and reject."""
    good = render([((("id", "ida"), ("title", "Ida")), [(("date", "2021-01-29"), ("kind", "vod"))])])
    bad = render([((("id", "ida"), ("title", "Ida")), [(("date", "2021-01-29"), ("kind", "VOD"))])])
    assert verdicts(good.encode())[0] and not verdicts(good.encode())[1]
    schema_ok, problems = verdicts(bad.encode())
    assert not schema_ok and problems
