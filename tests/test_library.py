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
                 ("export",), ("validate",), ("schema",), ("calendar", "2021-02"), ("timeline", "--format", "svg"),
                 ("stats",)):
        loaded = imported(*args, "--today", "2021-01-20")
        assert not {m for m in loaded if m.split(".")[0] in network}, args
    table = imported("upcoming", "--today", "2021-01-20", "--format", "table")
    assert "rich.table" in table and "ics" not in table
    free_form = imported("releases", "--from", "jan 29 2021", "--to", "feb 5 2021", "--format", "tsv")
    assert any(m.startswith("dateutil.parser") for m in free_form)


def test_only_serve_and_publish_import_the_web_server_and_the_templates(tmp_path):
    """uvicorn (and its h11, asyncio) and jinja2 (and markupsafe) are for serve and publish alone."""

    def imported(*args):
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "SOURCE_DATE_EPOCH": "1611100800"}
        env.pop("RELCAL_DATA", None)
        result = subprocess.run([sys.executable, "-X", "importtime", "-m", "relcal", *args], capture_output=True,
                                text=True, cwd=ROOT, env=env)
        assert result.returncode == 0, result.stderr
        return {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}

    web = ("uvicorn", "jinja2", "markupsafe", "h11", "httptools", "starlette", "asyncio")
    for args in (("upcoming", "--format", "tsv"), ("releases", "--format", "json"), ("films", "--format", "table"),
                 ("show", "dear-comrades"), ("export",), ("export", "--split-by", "kind", "--out-dir", str(tmp_path / "split")),
                 ("validate",), ("schema",), ("calendar", "2021-02"), ("stats",), ("--help",), ("serve", "--help")):
        loaded = imported(*args, *(("--today", "2021-01-20") if args[-1] != "--help" else ()))
        assert not {m for m in loaded if m.split(".")[0] in web}, args
    published = imported("publish", "--out-dir", str(tmp_path / "site"), "--today", "2021-01-20")
    assert "jinja2" in published and "uvicorn" not in published
