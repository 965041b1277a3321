"""Shared test helpers: a pinned CLI runner, dataset writers, golden files.

Everything that varies between machines is pinned: the width (COLUMNS=80),
colour (NO_COLOR), the day (--today in each test), and the dataset path
(RELCAL_DATA is removed so the shipped dataset is used unless a test says so).
"""

from __future__ import annotations

import io
import os
import tempfile
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from relcal.cli import app
from relcal.render import Sink

# The parse cache of a test run lives in a folder of its own, never the user's.
os.environ["RELCAL_CACHE_DIR"] = tempfile.mkdtemp(prefix="relcal-test-cache-")
os.environ.pop("RELCAL_NO_CACHE", None)
# ... and so does the user's data folder ($RELCAL_HOME/films): empty unless a test fills it.
os.environ["RELCAL_HOME"] = tempfile.mkdtemp(prefix="relcal-test-home-")
for _name in ("TMDB_API_KEY", "TMDB_READ_TOKEN", "RELCAL_TMDB_URL"):
    os.environ.pop(_name, None)

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SHIPPED = ROOT / "data" / "films.yaml"

# The locale too: the calendar and timeline draw with ASCII where it does not name UTF-8.
PINNED_ENV = {"COLUMNS": "80", "NO_COLOR": "1", "RELCAL_DATA": None, "RELCAL_TODAY": None,
              "RELCAL_DEBUG": None, "TERM": "dumb", "LANG": "C.UTF-8", "LC_ALL": None, "LC_CTYPE": None}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite golden files (and README examples) from the current output.")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


class Run:
    """Runs relcal in-process the way a user would, with the environment pinned."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str | None] | None = None, tty: bool = False,
                 width: int | None = None, input: str | None = None):
        extra = {}
        if tty:  # stdout "is a terminal": what a person at a prompt gets
            out = io.StringIO()
            err = io.StringIO()
            extra["obj"] = Sink(out, err, stdout_isatty=True, stderr_isatty=True, width=width or 80)
            result = self.runner.invoke(app, list(args), env={**PINNED_ENV, **(env or {})},
                                        prog_name="relcal", input=input, **extra)
            result.tty_stdout = out.getvalue()
            result.tty_stderr = err.getvalue()
            return result
        return self.runner.invoke(app, list(args), env={**PINNED_ENV, **(env or {})},
                                  prog_name="relcal", input=input)


@pytest.fixture
def run() -> Run:
    return Run()


@pytest.fixture
def write(tmp_path: Path):
    """write(name, text) -> Path of a dataset file with dedented TEXT."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def golden(update_golden: bool):
    """golden(name, text): TEXT must equal tests/data/golden/NAME (rewritten with --update-golden)."""

    def _check(name: str, text: str) -> None:
        path = DATA / "golden" / name
        if update_golden:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
            return
        assert path.exists(), f"missing golden file {path}; run pytest --update-golden once and review it"
        # Bytes, not text: universal newlines would hide a CRLF that went missing.
        assert text.encode("utf-8") == path.read_bytes(), f"output differs from {path}"

    return _check
