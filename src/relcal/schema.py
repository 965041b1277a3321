"""The dataset format as JSON Schema (draft-07), generated from format.py's declarations.

The loader walks files with the same declarations, so the two cannot disagree
except where JSON Schema cannot say what the loader checks (format.BEYOND_SCHEMA).
"""

from __future__ import annotations

import json
from typing import Any

from .format import DATASET, FILM, FORMAT_VERSION, RELEASE


def json_schema() -> dict[str, Any]:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "relcal dataset",
        "description": f"Films and their release windows (relcal dataset format, version {FORMAT_VERSION}).",
        **DATASET.definition(),
        "definitions": {"film": FILM.definition(), "release": RELEASE.definition()},
    }


def schema_json() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
