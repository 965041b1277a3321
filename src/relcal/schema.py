"""The dataset format as JSON Schema (draft-07), built from catalog's field tables.

One table drives loading and this schema, so the two cannot disagree.
"""

from __future__ import annotations

import json
from typing import Any

from . import countries
from .parse import FILM_FIELDS, FORMAT_VERSION, ID_PATTERNS, RELEASE_FIELDS, SLUG, Spec

_DATE = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}


def _property(spec: Spec) -> dict[str, Any]:
    codes = sorted(countries.CODES | countries.HISTORIC)
    shapes: dict[str, dict[str, Any]] = {
        "int": {"type": "integer"},
        "year": {"type": "integer", "minimum": 1870, "maximum": 2200},
        "minutes": {"type": "integer", "minimum": 1},
        "text": dict(_TEXT),
        "slug": {"type": "string", "pattern": f"^{SLUG.pattern}$"},
        "texts": {"type": "array", "items": dict(_TEXT)},
        "country": {"type": "string", "enum": codes},
        "countries": {"type": "array", "items": {"type": "string", "enum": codes}},
        "date": {"type": "string", "pattern": _DATE},
        "dates": {"type": "array", "items": {"type": "string", "pattern": _DATE}},
        "choice": {"type": "string", "enum": list(spec.choices)},
        "url": {"type": "string", "format": "uri", "pattern": "^https?://"},
        "links": {"type": "object", "additionalProperties": {"type": "string", "format": "uri", "pattern": "^https?://"}},
        "releases": {"type": "array", "items": {"$ref": "#/definitions/release"}},
        "ids": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "tmdb": {"type": "integer", "minimum": 1, "maximum": 9_999_999_999},
                "imdb": {"type": "string", "pattern": f"^{ID_PATTERNS['imdb'][0].pattern}$"},
                "wikidata": {"type": "string", "pattern": f"^{ID_PATTERNS['wikidata'][0].pattern}$"},
            },
        },
    }
    return {"description": spec.description, **shapes[spec.type]}


def _object(fields: dict[str, Spec]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [name for name, spec in fields.items() if spec.required],
        "properties": {name: _property(spec) for name, spec in fields.items()},
    }


def json_schema() -> dict[str, Any]:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "relcal dataset",
        "description": f"Films and their release windows (relcal dataset format, version {FORMAT_VERSION}).",
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "films"],
        "properties": {
            "version": {"const": FORMAT_VERSION, "description": "Format version."},
            "films": {"type": "array", "items": {"$ref": "#/definitions/film"}},
        },
        "definitions": {"film": _object(FILM_FIELDS), "release": _object(RELEASE_FIELDS)},
    }


def schema_json() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
