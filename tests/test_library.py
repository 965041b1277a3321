"""relcal's core is a library: usable without typer or rich."""

from __future__ import annotations

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


def test_piped_output_does_not_load_rich_or_dateutil():
    code = (
        "import sys\n"
        "from relcal.cli import main\n"
        "sys.argv = ['relcal', 'upcoming', '--today', '2021-01-20', '--format', 'tsv']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print([m for m in ('rich.table', 'rich.console', 'dateutil.parser', 'ics') if m in sys.modules], file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stderr.strip() == "[]", result.stderr
    assert "dear-comrades" in result.stdout
