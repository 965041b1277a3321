"""The CLI contract, through the real entry point in a separate process.

CliRunner runs commands inside pytest's process, where streams, encodings,
signals and the process's exit are not what a user's shell sees. These tests
run `python -m relcal` as a shell would and check the exit code and both
streams: data on stdout, one line on stderr for a problem, never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import ROOT


def relcal(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT, timeout: float = 60):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("RELCAL_DATA", "RELCAL_TODAY"))}
    base.update({"COLUMNS": "80", "NO_COLOR": "1", "RELCAL_HOME": os.environ["RELCAL_HOME"]})
    return subprocess.run([sys.executable, "-m", "relcal", *args], capture_output=True, text=True,
                          env={**base, **(env or {})}, cwd=cwd, timeout=timeout)


def one_line(result, code: int) -> str:
    """The single stderr line of a run that must fail with CODE, without a traceback."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def dataset(tmp_path):
    path = tmp_path / "films.yaml"
    path.write_text(textwrap.dedent("""\
        version: 1
        films:
          - id: twin-a
            title: Twin
            releases:
              - {date: 2021-03-01, kind: theatrical, region: US}
              - {date: 2021-04, kind: vod, region: US}
          - id: twin-b
            title: twin
            releases:
              - {date: 2021-05, kind: vod, region: GB}
        """), encoding="utf-8")
    return path


# -- the three outcomes ------------------------------------------------------

def test_success_is_data_on_stdout_and_nothing_on_stderr(dataset):
    result = relcal("releases", "--data", str(dataset), "--format", "tsv", "--no-header")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.splitlines()[0].startswith("twin-a\tTwin\t2021-03-01\tday\ttheatrical\tUS")


def test_an_invalid_dataset_is_one_positioned_line_and_exit_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nfilms:\n  - id: x\n    title: X\n    releases:\n      - {date: 2021-02-30, kind: vod}\n")
    line = one_line(relcal("releases", "--data", str(bad)), 1)
    assert line == (f"relcal: {bad}:6:16: date '2021-02-30' does not exist (February 2021 has 28 days); "
                    "check the day and month")


@pytest.mark.parametrize("args, message", [
    (("upcoming", "--days", "4000000"), "--days: "),
    (("releases", "--from", "+9999y"), "--from: '+9999y' is outside the years relcal handles (1800-2200)"),
    (("releases", "--from", "-3000y"), "--from: '-3000y' is outside the years relcal handles"),
    (("upcoming", "--today", "9999-12-31"), "--today: '9999-12-31' is outside the years relcal handles"),
    (("releases", "--to", "jan 32"), "--to: 'jan 32' is not a date"),
    (("releases", "--from", "10am"), "--from: '10am' is not a date"),
    (("upcoming", "--today", "2021-01-20", "--to", "2021-01-01"), "--to 2021-01-01 is before today (2021-01-20)"),
    (("upcoming", "--days", "3", "--to", "2021-02-01"), "--days and --to both set where to stop looking"),
    (("export", "--remind", "PT"), "--remind: 'PT' is not an RFC 5545 duration"),
    (("export", "--remind", "P1DT"), "--remind: 'P1DT' is not an RFC 5545 duration"),
    (("export", "--remind", "P0D"), "--remind: 'P0D' is zero"),
    (("export", "--remind", "0d"), "--remind: '0d' is zero"),
])
def test_bad_usage_is_one_line_and_exit_2(args, message):
    line = one_line(relcal(*args), 2)
    assert line.startswith("relcal: ") and message in line


def test_a_title_two_films_share_is_called_ambiguous(dataset):
    line = one_line(relcal("show", "Twin", "--data", str(dataset)), 2)
    assert line == "relcal: 2 films are titled 'Twin': twin-a, twin-b; give the id of the one you mean"
    shown = relcal("show", "twin-b", "--data", str(dataset), "--format", "json")
    assert shown.returncode == 0 and '"title": "twin"' in shown.stdout


def test_a_day_number_is_that_day_of_the_month(dataset):
    result = relcal("releases", "--data", str(dataset), "--today", "2021-03-15", "--from", "29", "--to", "31",
                    "--format", "tsv", "--no-header")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # March 29-31 holds nothing here, but the dates were read


def test_the_split_by_choice_and_validate_format_ignore_case(dataset, tmp_path):
    out = tmp_path / "cals"
    result = relcal("export", "--data", str(dataset), "--split-by", "Region", "--out-dir", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.glob("*.ics")) == ["us.ics"]  # GB holds only a month-precision window
    assert "1 group with no window known to the day got no calendar" in result.stderr
    github = relcal("validate", str(dataset), "--format", "GitHub")
    assert github.returncode == 0, github.stderr


def test_validate_counts_in_words(dataset, tmp_path):
    one = tmp_path / "one.yaml"
    one.write_text("version: 1\nfilms:\n  - {id: a, title: A, releases: [{date: 2021-01-01, kind: tv}]}\n")
    result = relcal("validate", str(one))
    assert result.stderr == f"ok: 1 film, 1 release window in {one}\n"


def test_a_stream_that_cannot_encode_a_title_gets_utf_8_json_not_a_crash():
    env = {"PYTHONIOENCODING": "ascii", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    result = relcal("show", "dear-comrades", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    assert "Дорогие" in result.stdout  # JSON is UTF-8 (RFC 8259), whatever the locale


def test_a_merge_key_bomb_is_stopped_at_once():
    result = relcal("validate", "tests/data/bad/merge_bomb.yaml", timeout=30)
    assert result.returncode == 1
    assert "expand this file to more than" in result.stderr


def test_a_reader_that_goes_away_mid_output_ends_quietly(tmp_path):
    """The reader closes its end first: relcal's first write fails, and it stops quietly with 0."""
    big = tmp_path / "big.yaml"
    films = "".join(f"  - {{id: f{n}, title: 'Film {n}', releases: [{{date: 2021-01-{n % 28 + 1:02d}, kind: vod}}]}}\n"
                    for n in range(2000))
    big.write_text("version: 1\nfilms:\n" + films)
    shell = subprocess.run(f"'{sys.executable}' -m relcal releases --data '{big}' | (exec 0<&-; sleep 2); "
                           "exit ${PIPESTATUS[0]}", shell=True, executable="/bin/bash", capture_output=True, text=True,
                           timeout=120, env={**os.environ, "RELCAL_NO_CACHE": "1"}, cwd=ROOT)
    assert shell.stderr == ""
    assert shell.returncode == 0


@pytest.mark.parametrize("columns", ["²", "٣", "0", "-5", "abc", ""])
def test_a_columns_that_is_not_a_plain_number_is_ignored(columns):
    # str.isdigit() takes "²" and "٣"; int() refuses the first and reads the second as 3
    result = relcal("upcoming", "--today", "2021-01-20", "--format", "table", env={"COLUMNS": columns})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert max(len(line) for line in result.stdout.splitlines()) == 80  # the default width, not 3


@pytest.mark.parametrize("args", [["releases", "--format", "tsv"], ["export"], ["schema"],
                                  ["upcoming", "--today", "2021-01-20", "--format", "table"]])
def test_a_full_disk_behind_stdout_is_one_line_and_exit_1(args):
    with open("/dev/full", "w") as full:  # every write to it fails with ENOSPC
        result = subprocess.run([sys.executable, "-m", "relcal", *args], stdout=full, stderr=subprocess.PIPE,
                                text=True, env={**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}, cwd=ROOT, timeout=60)
    assert result.returncode == 1
    assert result.stderr == "relcal: cannot write to standard output: No space left on device\n"


@pytest.mark.parametrize("fmt", ["json", "tsv", "csv", "md"])
def test_machine_formats_are_utf_8_whatever_the_locale(fmt):
    result = subprocess.run([sys.executable, "-m", "relcal", "show", "dear-comrades", "--format", fmt],
                            capture_output=True, env={**os.environ, "LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0",
                                                      "PYTHONCOERCECLOCALE": "0", "PYTHONIOENCODING": "ascii"},
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Дорогие товарищи".encode() in result.stdout or fmt != "json"
    result.stdout.decode("utf-8")  # strictly: no backslash-escaped stand-ins
    assert b"\\u04" not in result.stdout and b"\\U0" not in result.stdout
