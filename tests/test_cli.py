"""The command line as a user meets it: output, formats, filters, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from relcal.cli import app

from .conftest import ROOT, SHIPPED

TODAY = ("--today", "2021-01-20")


def lines(text):
    return text.splitlines()


# --------------------------------------------------------------------------
# upcoming: the Dear Comrades! story

def test_upcoming_piped_is_tsv_with_a_header(run):
    result = run("upcoming", *TODAY)
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in lines(result.stdout)]
    assert rows[0] == ["film_id", "title", "date", "precision", "kind", "region", "platform",
                       "venue", "distributor", "status", "note", "source"]
    dc = [(r[2], r[4], r[6], r[5]) for r in rows[1:] if r[0] == "dear-comrades"]
    assert dc == [("2021-01-29", "virtual-cinema", "", "US"), ("2021-02-05", "vod", "", "US"),
                  ("2021-02-05", "streaming", "Hulu", "US")]
    dates = [r[2] for r in rows[1:]]
    assert dates == sorted(dates) and dates[0] >= "2021-01-20" and dates[-1] <= "2021-02-19"
    assert result.stderr == ""


def test_upcoming_on_a_terminal_is_a_table(run, golden):
    result = run("upcoming", *TODAY, tty=True)
    assert result.exit_code == 0
    text = result.tty_stdout
    assert lines(text)[0].split() == ["Date", "Film", "Kind", "Where", "Region"]
    assert "2021-01-29   Dear Comrades!       Virtual cinemas" in text
    assert "2021-02-05   Dear Comrades!       VOD" in text
    assert "2021-02-05   Dear Comrades!       Streaming         Hulu" in text
    golden("upcoming-2021-01-20.txt", text)


def test_upcoming_days_and_to(run):
    week = run("upcoming", *TODAY, "--days", "9", "--format", "jsonl")
    assert {json.loads(line)["date"] for line in lines(week.stdout)} == {"2021-01-29"}
    to = run("upcoming", *TODAY, "--to", "2021-02-05", "-f", "dear-comrades", "--format", "jsonl")
    assert [json.loads(line)["kind"] for line in lines(to.stdout)] == ["virtual-cinema", "vod", "streaming"]
    relative = run("upcoming", "--today", "2021-01-29", "--to", "+1w", "-f", "dear-comrades", "--format", "jsonl")
    assert relative.stdout == to.stdout


def test_empty_result_is_success_with_one_note_on_stderr(run):
    # Between the shipped data's two parts: 2020-21, and November 2026 on.
    result = run("upcoming", "--today", "2023-06-01", "--format", "table")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert lines(result.stderr) == [
        "No release windows between 2023-06-01 and 2023-07-01; the next is 2026-11 (The Hunger Games: Sunrise "
        "on the Reaping: Theatrical, AT); the latest before is 2021-11-30 (Saint Maud: DVD/Blu-ray, US)."]
    piped = run("upcoming", "--today", "2023-06-01")
    assert (piped.exit_code, lines(piped.stdout)[1:], piped.stderr) == (0, [], "")


# --------------------------------------------------------------------------
# every format, every filter

@pytest.mark.parametrize("fmt", ["table", "tsv", "csv", "json", "jsonl", "md"])
def test_every_format(run, golden, fmt):
    result = run("releases", "-f", "dear-comrades", "--format", fmt, *TODAY)
    assert result.exit_code == 0
    golden(f"releases-dear-comrades.{fmt}", result.stdout)
    if fmt == "json":
        assert [r["date"] for r in json.loads(result.stdout)] == [
            "2020-09-07", "2020-10-14", "2020-12-25", "2021-01-29", "2021-02-05", "2021-02-05"]


def test_format_is_checked_and_no_header_drops_the_header(run):
    bad = run("releases", "--format", "xml")
    assert bad.exit_code == 2
    assert bad.stderr == "relcal: --format: 'xml' is not a format; use one of table, tsv, csv, json, jsonl, md\n"
    with_header = run("releases", "-f", "mank", "--format", "csv")
    without = run("releases", "-f", "mank", "--format", "csv", "--no-header")
    assert lines(with_header.stdout)[1:] == lines(without.stdout)


def _ids(result):
    return [json.loads(line) for line in lines(result.stdout)]


@pytest.mark.parametrize("args, check", [
    (["-k", "VIRTUAL-CINEMA"], lambda r: r["kind"] == "virtual-cinema"),
    (["--kind", "vod", "--kind", "tv"], lambda r: r["kind"] in ("vod", "tv")),
    (["-p", "hulu"], lambda r: r["platform"] == "Hulu"),
    (["--platform", "Venice Film Festival"], lambda r: r["venue"] == "Venice Film Festival"),
    (["-r", "gb"], lambda r: r["region"] in ("GB", None)),
    (["-f", "nomadland", "--film", "minari"], lambda r: r["film_id"] in ("nomadland", "minari")),
    (["--person", "chloe zhao"], lambda r: r["film_id"] == "nomadland"),
    (["--person", "mikkelsen"], lambda r: r["film_id"] == "another-round"),
    (["-s", "DRUK"], lambda r: r["film_id"] == "another-round"),
    (["--search", "товарищи"], lambda r: r["film_id"] == "dear-comrades"),
    (["--search", "zbanic"], lambda r: False),  # a director is not a title
    (["--person", "zbanic"], lambda r: r["film_id"] == "quo-vadis-aida"),
    (["--status", "confirmed"], lambda r: r["status"] == "confirmed"),
])
def test_each_filter(run, args, check):
    result = run("releases", "--format", "jsonl", *args)
    assert result.exit_code == 0, result.stderr
    rows = _ids(result)
    assert all(check(r) for r in rows)
    everything = _ids(run("releases", "--format", "jsonl"))
    assert [r for r in everything if check(r)] == rows  # exactly the matching rows, same order


def test_releases_range_takes_partial_dates_as_whole_periods(run):
    feb = _ids(run("releases", "--from", "2021-02", "--to", "2021-02", "--format", "jsonl"))
    assert feb and all(r["date"].startswith("2021-02") for r in feb)
    everything = _ids(run("releases", "--format", "jsonl"))
    assert feb == [r for r in everything if "2021-02-01" <= r["date"] <= "2021-02-28"]
    year = _ids(run("releases", "--from", "2021", "--to", "2021", "--format", "jsonl"))
    assert year == [r for r in everything if r["date"][:4] == "2021"]
    assert any(r["precision"] == "month" for r in year)  # "2021-03" windows count as March 1


def test_films_lists_one_row_per_film(run, golden):
    result = run("films", *TODAY, "--format", "json")
    films = json.loads(result.stdout)
    assert len(films) >= 16
    dc = next(f for f in films if f["film_id"] == "dear-comrades")
    assert dc == {"film_id": "dear-comrades", "title": "Dear Comrades!", "original_title": "Дорогие товарищи!",
                  "year": 2020, "directors": ["Andrei Konchalovsky"], "windows": 6,
                  "next_date": "2021-01-29", "next_kind": "virtual-cinema"}
    golden("films.table", run("films", *TODAY, tty=True).tty_stdout)
    streaming = json.loads(run("films", "-k", "streaming", "-r", "US", "--format", "json", *TODAY).stdout)
    assert "dear-comrades" in {f["film_id"] for f in streaming} and "another-round" not in {f["film_id"] for f in streaming}


def test_show_gives_details_then_a_timeline(run, golden):
    result = run("show", "dear-comrades", *TODAY, tty=True)
    assert result.exit_code == 0
    text = result.tty_stdout
    assert lines(text)[0] == "Dear Comrades! (2020)"
    assert "Directed by     Andrei Konchalovsky" in text
    assert "2021-02-05   +7 days    VOD" in text
    assert "2021-02-05   same day   Streaming         Hulu, US" in text
    golden("show-dear-comrades.table", text)
    doc = json.loads(run("show", "dear-comrades", "--format", "json").stdout)
    assert doc["writers"] == ["Andrei Konchalovsky", "Elena Kiseleva"]
    assert [r["date"] for r in doc["releases"]][-2:] == ["2021-02-05", "2021-02-05"]
    by_title = run("show", "Dear Comrades!", "--format", "json")
    assert json.loads(by_title.stdout) == doc


def test_show_an_unknown_film_is_a_usage_error(run):
    result = run("show", "dear")
    assert result.exit_code == 2
    assert result.stderr == "relcal: no film with id 'dear'; did you mean 'dear-comrades'?\n"


def test_validate_ok_and_github_annotations(run, tmp_path):
    ok = run("validate")
    assert ok.exit_code == 0
    assert ok.stderr.startswith("ok: ") and "films" in ok.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nfilms:\n  - {id: a, title: A, year: soon}\n  - {id: b}\n")
    text = run("validate", str(bad))
    assert text.exit_code == 1
    assert lines(text.stderr) == [
        f"{bad}:3:29: year must be a whole number written in digits, not 'soon'; give the four-digit year of its "
        "first showing",
        f"{bad}:4:5: a film is missing the required key 'title'",
        f"2 problems in {bad}",
    ]
    gh = run("validate", str(bad), "--format", "github")
    assert gh.exit_code == 1
    assert lines(gh.stdout) == [
        f"::error file={bad},line=3,col=29::year must be a whole number written in digits, not 'soon'; give the "
        "four-digit year of its first showing",
        f"::error file={bad},line=4,col=5::a film is missing the required key 'title'",
    ]
    via_data = run("validate", "--data", str(bad))
    assert via_data.exit_code == 1


def test_schema_is_draft_07_and_matches_the_committed_file(run):
    result = run("schema")
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    release = schema["definitions"]["release"]
    assert release["properties"]["kind"]["enum"] == ["premiere", "festival", "limited", "theatrical",
                                                     "virtual-cinema", "vod", "streaming", "physical", "tv"]
    assert set(release["required"]) == {"date", "kind"}
    assert result.stdout == (SHIPPED.parent / "films.schema.json").read_text(encoding="utf-8")


# --------------------------------------------------------------------------
# shared options, environment, errors

@pytest.mark.parametrize("command, shows", [
    ("upcoming", "mine\tMine\t2021-01-25"),  # today + 5 days: inside the default 30
    ("releases", "mine\tMine\t2021-01-25"),
    ("films", "mine\tMine\t\t2021\t\t1\t2021-01-25\ttv"),  # the next window from --today
    ("show mine", "mine\tMine\t2021-01-25"),
    ("validate", "ok: 1 film, 1 release window"),
    ("schema", '"title": "relcal dataset"'),
    ("export", "UID:mine.tv.world@relcal"),
])
def test_every_command_takes_data_and_today_after_its_name(run, write, command, shows):
    mine = write("mine.yaml", """
        version: 1
        films:
          - {id: mine, title: Mine, year: 2021, releases: [{date: 2021-01-25, kind: tv}]}
    """)
    rows = ("--format", "tsv", "--no-header") if command.split()[0] in ("upcoming", "releases", "films", "show") else ()
    result = run(*command.split(), "--data", str(mine), "--today", "2021-01-20", *rows)
    assert result.exit_code == 0, result.output
    assert shows in result.stdout + result.stderr
    assert "dear-comrades" not in result.stdout  # --data replaced the shipped dataset
    if command in ("upcoming", "films"):
        later = run(*command.split(), "--data", str(mine), "--today", "2021-01-26", "--format", "tsv")
        assert "2021-01-25" not in later.stdout  # --today moved what is upcoming


def test_env_relcal_data_and_relcal_today(run, write, tmp_path):
    a = write("a.yaml", "version: 1\nfilms:\n  - {id: a, title: A, releases: [{date: 2021-03-01, kind: vod}]}\n")
    b = write("b.yaml", "version: 1\nfilms:\n  - {id: b, title: B, releases: [{date: 2021-03-02, kind: tv}]}\n")
    env = {"RELCAL_DATA": os.pathsep.join([str(a), str(b)]), "RELCAL_TODAY": "2021-02-27"}
    result = run("upcoming", "--days", "3", "--format", "jsonl", env=env)
    assert [r["film_id"] for r in _ids(result)] == ["a", "b"]
    overridden = run("upcoming", "--days", "3", "--format", "jsonl", "--today", "2021-03-02", env=env)
    assert [r["film_id"] for r in _ids(overridden)] == ["b"]


@pytest.mark.parametrize("args, code, message", [
    (["upcoming", "--today", "banana"], 2, "relcal: --today: 'banana' is not a date; use one of "),
    (["releases", "--from", "2021-02-30"], 2, "relcal: --from: '2021-02-30' does not exist (February 2021 has 28 days)"),
    (["releases", "--from", "2021-03", "--to", "2021-02"], 2, "relcal: --to 2021-02-28 is before --from 2021-03-01; swap them"),
    (["releases", "-k", "dvd"], 2, "relcal: --kind: 'dvd' is not known; did you mean 'physical'?"),
    (["releases", "-r", "UK"], 2, "relcal: --region: 'UK' is not an ISO 3166-1 country code; did you mean 'GB'?"),
    (["releases", "-f", "dear-comrade"], 2, "relcal: no film with id 'dear-comrade'; did you mean 'dear-comrades' or 'dune-part-three'?"),
    (["upcoming", "--data", "/nonexistent/films.yaml"], 1, "relcal: /nonexistent/films.yaml: no such file or folder"),
    (["upcoming", "--bogus"], 2, "No such option: --bogus"),
    (["upcoming", "--days", "-3"], 2, "--days"),
    (["frobnicate"], 2, "No such command"),
])
def test_bad_usage_is_one_clear_message_and_the_contracts_exit_code(run, args, code, message):
    result = run(*args)
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_relcal_debug_shows_the_traceback(run):
    result = run("upcoming", "--today", "banana", env={"RELCAL_DEBUG": "1"})
    assert result.exit_code != 0
    assert result.exception is not None and type(result.exception).__name__ == "UsageError"


def test_version(run):
    from relcal import __version__

    result = run("--version")
    assert (result.exit_code, result.stdout) == (0, f"relcal {__version__}\n")


def test_every_command_has_help_and_a_place_in_the_readme(run):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    import typer.main

    group = typer.main.get_command(app)
    names = sorted(group.commands)
    assert names == ["add", "calendar", "discover", "export", "films", "publish", "releases", "schema", "serve", "show",
                     "stats", "sync", "timeline", "upcoming", "validate"]
    for name in names:
        result = run(name, "--help")
        assert result.exit_code == 0
        assert "--data" in result.stdout and "--today" in result.stdout
        assert (group.commands[name].help or "").strip(), f"{name} has no help text"
        assert f"relcal {name}" in readme, f"the README does not show relcal {name}"


# --------------------------------------------------------------------------
# a real process, as in a shell

def _relcal(*args, **kw):
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    env.pop("RELCAL_DATA", None)
    return subprocess.run([sys.executable, "-m", "relcal", *args], capture_output=True, text=True,
                          env=env, cwd=kw.get("cwd", ROOT), timeout=60)


def test_python_dash_m_in_a_pipe_writes_tsv(tmp_path):
    result = _relcal("upcoming", "--today", "2021-01-20", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("film_id\ttitle\tdate")
    assert "dear-comrades\tDear Comrades!\t2021-02-05\tday\tstreaming\tUS\tHulu" in result.stdout


def test_a_reader_that_goes_away_ends_quietly(tmp_path):
    # The reader closes its end before relcal writes anything (a pipe here may hold megabytes,
    # so a reader that stops after the first line would not make the write fail).
    big = tmp_path / "big.yaml"
    big.write_text("version: 1\nfilms:\n" + "".join(
        f"  - {{id: f{n}, title: 'Film {n}', releases: [{{date: 2021-01-{n % 28 + 1:02d}, kind: vod}}]}}\n"
        for n in range(2000)))
    env = {**os.environ}
    env.pop("RELCAL_DATA", None)
    for fmt in ("tsv", "json", "table"):
        shell = subprocess.run(f"'{sys.executable}' -m relcal releases --data '{big}' --format {fmt} "
                               "| (exec 0<&-; sleep 2); exit ${PIPESTATUS[0]}", shell=True, executable="/bin/bash",
                               capture_output=True, env=env, cwd=ROOT, timeout=120)
        assert shell.stderr == b"", (fmt, shell.stderr)
        assert shell.returncode == 0, fmt


def test_shell_completion_offers_commands_formats_and_film_ids():
    def complete(words, cword):
        env = {**os.environ, "_RELCAL_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
        env.pop("RELCAL_DATA", None)
        out = subprocess.run([sys.executable, "-m", "relcal"], env=env, capture_output=True, text=True, cwd=ROOT,
                             timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout.split()

    assert complete("relcal upc", 1) == ["upcoming"]
    assert complete("relcal upcoming --format ", 3) == ["table", "tsv", "csv", "json", "jsonl", "md"]
    assert complete("relcal show dear", 2) == ["dear-comrades"]
    assert complete("relcal releases -f no", 3) == ["nomadland", "nobody"]
