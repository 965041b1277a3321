"""relcal: a command-line release calendar for films.

The core is a library; nothing here imports typer or rich::

    from relcal import load_catalog, Query
    rows = Query.build(kinds=["vod"], regions=["US"]).rows(load_catalog())
"""

from __future__ import annotations

__version__ = "0.1.0"

from .catalog import Catalog, check, load_catalog
from .errors import DataError, ExitCode, Problem, RelcalError, UsageError
from .model import Film, Kind, PartialDate, Precision, Release, Status
from .query import Query, Row

__all__ = [
    "Catalog", "DataError", "ExitCode", "Film", "Kind", "PartialDate", "Precision", "Problem", "Query",
    "RelcalError", "Release", "Row", "Status", "UsageError", "check", "load_catalog", "__version__",
]
