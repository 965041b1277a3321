"""relcal's core is a library: usable without typer or rich."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT


def test_the_core_imports_neither_typer_nor_rich():
    code = (
        "import sys\n"
        "from relcal import load_catalog, Query\n"
        "rows = Query.build(kinds=['streaming'], platforms=['hulu']).rows(load_catalog())\n"
        "assert any(r.film.id == 'dear-comrades' for r in rows)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'rich', 'ics', 'dateutil'))\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


def test_piped_output_does_not_load_rich_ics_dateutil_or_yaml():
    def imported(*args):
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("RELCAL_DATA", None)
        result = subprocess.run([sys.executable, "-X", "importtime", "-m", "relcal", *args], capture_output=True,
                                text=True, cwd=ROOT, env=env)
        assert result.returncode == 0, result.stderr
        return {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}

    imported("upcoming", "--today", "2021-01-20", "--format", "tsv")  # the first run fills the parse cache
    warm = imported("upcoming", "--today", "2021-01-20", "--format", "tsv")
    assert "relcal.cli" in warm and "typer" in warm
    assert not {m for m in warm if m.split(".")[0] in ("rich", "ics", "dateutil", "yaml", "pydantic")}
    # Only add, sync and discover talk to TMDB or edit files: nothing else loads an HTTP
    # client, an event loop or the round-trip YAML writer.
    network = ("httpx", "httpcore", "h11", "anyio", "asyncio", "ssl", "ruamel")
    for args in (("upcoming", "--format", "tsv"), ("films", "--format", "table"), ("show", "dear-comrades"),
                 ("export",), ("validate",), ("schema",)):
        loaded = imported(*args, "--today", "2021-01-20")
        assert not {m for m in loaded if m.split(".")[0] in network}, args
    table = imported("upcoming", "--today", "2021-01-20", "--format", "table")
    assert "rich.table" in table and "ics" not in table
    free_form = imported("releases", "--from", "jan 29 2021", "--to", "feb 5 2021", "--format", "tsv")
    assert any(m.startswith("dateutil.parser") for m in free_form)
