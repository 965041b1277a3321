"""relcal add, sync and discover, run as a user would, against a local fake of TMDB.

The fake (tests/tmdb_server.py) serves fictional films over real HTTP on
127.0.0.1; the production client talks to it. Each test changes the fake's
films to play what happens on TMDB between two runs.
"""

from __future__ import annotations

import copy
import io
import json
import os
import textwrap
from pathlib import Path

import pytest

from relcal.model import Kind, PartialDate, Release, Status
from relcal.render import Sink
from relcal.sync import reconcile

from .conftest import SHIPPED
from .tmdb_server import FakeTmdb, load_fixture_films, move_release

TODAY = "2026-11-28"
SECRET = "k3y-that-never-shows-up"


@pytest.fixture
def tmdb():
    with FakeTmdb(api_key=SECRET) as server:
        yield server


@pytest.fixture
def tmdb_env(tmdb, tmp_path):
    home = tmp_path / "home"
    return {"RELCAL_TMDB_URL": tmdb.url, "TMDB_API_KEY": SECRET, "RELCAL_HOME": str(home),
            "RELCAL_TODAY": TODAY}


def rows(result, exit_code: int = 0) -> list[dict]:
    """The JSON lines a run printed, after checking its exit code."""
    assert result.exit_code == exit_code, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


# ---------------------------------------------------------------------------
# reconcile: the rules, without files or network

SRC = "https://www.themoviedb.org/movie/1/releases"


def test_reconcile_touches_only_owned_windows():
    from relcal.model import Film

    mine = Release(PartialDate(2021, 1, 1), Kind.VOD, "US", source="https://example.org")
    owned = Release(PartialDate(2021, 2, 1), Kind.THEATRICAL, "US", source=SRC)
    gone = Release(PartialDate(2021, 3, 1), Kind.TV, "US", source=SRC)
    film = Film("f", "F", releases=(mine, owned, gone))
    fetched = [
        Release(PartialDate(2021, 1, 15), Kind.VOD, "US", source=SRC),  # looks like mine: mine wins
        Release(PartialDate(2021, 2, 8), Kind.THEATRICAL, "US", source=SRC),  # moved
        Release(PartialDate(2021, 4, 1), Kind.STREAMING, "US", platform="Hulu", status=Status.ANNOUNCED, source=SRC),
    ]
    plan, changes = reconcile(film, fetched, SRC)
    assert [c.change for c in changes] == ["moved", "removed", "added"]
    assert plan[0] == (0, mine)
    assert plan[1] == (1, Release(PartialDate(2021, 2, 8), Kind.THEATRICAL, "US", source=SRC,
                                  history=(PartialDate(2021, 2, 1),)))
    assert plan[2][0] is None and plan[2][1].platform == "Hulu"
    assert reconcile(film, [], "https://example.org/not-ours") == ([(0, mine), (1, owned), (2, gone)], [])


# ---------------------------------------------------------------------------
# add

def test_add_by_id_into_a_folder_one_file_per_film(run, tmdb_env, tmp_path):
    folder = tmp_path / "films"
    result = run("add", "tmdb:900001", "tmdb:900005", "--to", str(folder), "--format", "jsonl", env=tmdb_env)
    added = rows(result)
    assert {r["change"] for r in added} == {"added"}
    assert list(added[0]) == ["film_id", "title", "change", "kind", "region", "platform", "venue", "old_date", "new_date"]
    assert sorted(p.name for p in folder.iterdir()) == ["night-ferry-to-tallinn.yaml", "the-salt-orchard.yaml"]
    assert run("validate", str(folder)).exit_code == 0
    shown = run("show", "the-salt-orchard", "--data", str(folder), tty=True)
    assert "TMDB            900001" in shown.tty_stdout and "IMDb            tt9900001" in shown.tty_stdout
    streaming = run("releases", "--data", str(folder), "-k", "streaming", "--format", "jsonl")
    assert {(r["film_id"], r["platform"], r["region"]) for r in rows(streaming)} == {
        ("the-salt-orchard", "Netflix", "US"), ("the-salt-orchard", "Prime Video", "DE"),
        ("night-ferry-to-tallinn", "Hulu", "US")}


def test_add_appends_to_a_hand_edited_file_and_keeps_it(run, tmdb_env, tmp_path):
    path = tmp_path / "mine.yaml"
    original = textwrap.dedent("""\
        # Films I follow.
        version: 1
        films:
          - id: my-film
            title: "My Film"   # hand-written
            releases:
              - {date: 2027-01-08, kind: theatrical, region: US}
        """)
    path.write_text(original, encoding="utf-8")
    result = run("add", "tmdb:900006", "--to", str(path), env=tmdb_env)
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert text.startswith(original)
    assert '  - id: "no"\n    title: "No"\n' in text
    assert run("validate", str(path)).exit_code == 0


def test_add_without_to_uses_your_folder_which_is_read_with_the_shipped_data(run, tmdb_env):
    before = len(rows(run("films", "--format", "jsonl", env=tmdb_env)))
    assert run("add", "tmdb:900005", env=tmdb_env).exit_code == 0
    assert (Path(tmdb_env["RELCAL_HOME"]) / "films" / "night-ferry-to-tallinn.yaml").is_file()
    films = rows(run("films", "--format", "jsonl", env=tmdb_env))
    assert len(films) == before + 1 and "dear-comrades" in {f["film_id"] for f in films}
    coming = rows(run("upcoming", "--format", "jsonl", env=tmdb_env))
    assert [(r["film_id"], r["date"], r["kind"], r["status"]) for r in coming
            if r["film_id"] == "night-ferry-to-tallinn"] == [
        ("night-ferry-to-tallinn", "2026-12-04", "theatrical", "announced"),
        ("night-ferry-to-tallinn", "2026-12-11", "theatrical", "announced")]
    assert {r["film_id"] for r in coming} > {"night-ferry-to-tallinn", "avengers-doomsday"}


def test_a_title_with_one_clear_match_is_added(run, tmdb_env, tmp_path):
    result = run("add", "night ferry to tallinn", "--to", str(tmp_path / "f"), "--format", "jsonl", env=tmdb_env)
    assert {r["film_id"] for r in rows(result)} == {"night-ferry-to-tallinn"}


def test_an_ambiguous_title_lists_the_candidates_and_exits_2(run, tmdb_env, tmp_path):
    result = run("add", "Harbour Lights", "--to", str(tmp_path / "f"), env=tmdb_env)
    assert result.exit_code == 2
    assert result.stderr == textwrap.dedent("""\
        relcal: 'Harbour Lights' matches 2 films on TMDB; add one by its id (or narrow with --year):
          tmdb:900002  Harbour Lights (2025)
          tmdb:900003  Harbour Lights (1998)
        """)
    assert not (tmp_path / "f").exists()
    narrowed = run("add", "Harbour Lights", "--year", "1998", "--to", str(tmp_path / "f"), "--format", "jsonl",
                   env=tmdb_env)
    assert {r["film_id"] for r in rows(narrowed)} == {"harbour-lights"}


def test_on_a_terminal_the_person_picks_one(tmdb_env, tmp_path):
    from typer.testing import CliRunner

    from relcal.cli import app

    out, err = io.StringIO(), io.StringIO()
    sink = Sink(out, err, stdout_isatty=True, stderr_isatty=True, width=80, stdin=io.StringIO("2\n"),
                stdin_isatty=True)
    result = CliRunner().invoke(app, ["add", "Harbour Lights", "--to", str(tmp_path / "f")],
                                env={**tmdb_env, "NO_COLOR": "1", "COLUMNS": "80"}, obj=sink)
    assert result.exit_code == 0, err.getvalue()
    assert "   2. tmdb:900003  Harbour Lights (1998)" in err.getvalue()
    assert "Add which one? [1-2, Enter for none]" in err.getvalue()
    assert "1998-08-14" in out.getvalue()
    assert (tmp_path / "f" / "harbour-lights.yaml").is_file()


def test_no_match_and_bad_ids_are_usage_errors(run, tmdb_env):
    nothing = run("add", "zzz", env=tmdb_env)
    assert (nothing.exit_code, nothing.stderr) == (2, "relcal: no film on TMDB matches 'zzz'; check the spelling, "
                                                      "or add it by id: tmdb:ID\n")
    bad = run("add", "tmdb:abc", env=tmdb_env)
    assert bad.exit_code == 2 and "tmdb:abc" in bad.stderr and bad.stderr.count("\n") == 1


def test_adding_a_film_already_there_updates_it(run, tmdb, tmdb_env, tmp_path):
    folder = tmp_path / "f"
    run("add", "tmdb:900005", "--to", str(folder), env=tmdb_env)
    tmdb.set_film(900005, move_release(tmdb.films[900005], "US", 3, "2026-12-18"))
    again = rows(run("add", "tmdb:900005", "--to", str(folder), "--format", "jsonl", env=tmdb_env))
    assert [(r["change"], r["old_date"], r["new_date"]) for r in again] == [("moved", "2026-12-04", "2026-12-18")]
    assert sorted(p.name for p in folder.iterdir()) == ["night-ferry-to-tallinn.yaml"]


def test_a_film_other_data_already_holds_is_not_added_twice(run, tmdb_env, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text("version: 1\nfilms:\n  - id: ferry\n    title: Ferry\n    ids: {tmdb: 900005}\n",
                     encoding="utf-8")
    result = run("add", "tmdb:900005", "--to", str(tmp_path / "f"), "--data", str(other), tty=True, env=tmdb_env)
    assert result.exit_code == 0
    assert "tmdb:900005 is already in" in result.tty_stderr and "as 'ferry'; not added again" in result.tty_stderr
    assert not (tmp_path / "f").exists()


def test_a_slug_taken_by_the_shipped_data_gets_the_year(run, tmdb, tmdb_env, tmp_path):
    record = copy.deepcopy(tmdb.films[900007])
    record.update(id=900050, title="Nomadland", release_date="2031-03-03")
    tmdb.set_film(900050, record)
    result = run("add", "tmdb:900050", "--to", str(tmp_path / "f"), env=tmdb_env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "f" / "nomadland-2031.yaml").is_file()
    assert run("validate", env=tmdb_env).exit_code == 0


def test_add_help_carries_the_attribution(run):
    for command in ("add", "sync", "discover"):
        assert "This product uses the TMDB API but is not endorsed or certified by TMDB." in \
            " ".join(run(command, "--help").stdout.split())


# ---------------------------------------------------------------------------
# credentials, failures, and the key that never shows

def test_missing_credentials_exit_2_with_how_to_get_a_key(run, tmdb_env):
    env = {**tmdb_env, "TMDB_API_KEY": None}
    for args in (("add", "tmdb:1"), ("sync",), ("discover", "--region", "US")):
        result = run(*args, env=env)
        assert result.exit_code == 2
        assert result.stderr == ("relcal: no TMDB credentials: set TMDB_API_KEY (API key) or TMDB_READ_TOKEN "
                                 "(API read access token); get a key at https://www.themoviedb.org/settings/api\n")


def test_a_rejected_key_is_one_line_and_exit_1(run, tmdb_env, tmp_path):
    result = run("add", "tmdb:900001", "--to", str(tmp_path / "f"), env={**tmdb_env, "TMDB_API_KEY": "wrong-key"})
    assert result.exit_code == 1
    assert result.stderr == ("relcal: TMDB refused the credentials (TMDB status 7: Invalid API key: You must be "
                             "granted a valid key.); check TMDB_API_KEY or TMDB_READ_TOKEN, or get a key at "
                             "https://www.themoviedb.org/settings/api\n")
    assert not (tmp_path / "f").exists()


def test_a_film_that_fails_gets_one_line_the_others_go_on(run, tmdb, tmdb_env, tmp_path):
    folder = tmp_path / "f"
    run("add", "tmdb:900001", "tmdb:900005", "--to", str(folder), env=tmdb_env)
    tmdb.remove_film(900001)
    tmdb.set_film(900005, move_release(tmdb.films[900005], "GB", 3, "2026-12-12"))
    result = run("sync", "--data", str(folder), "--format", "jsonl", env=tmdb_env)
    assert [(r["film_id"], r["change"]) for r in rows(result, exit_code=1)] == [("night-ferry-to-tallinn", "moved")]
    assert result.stderr == ("relcal: the-salt-orchard: tmdb:900001: not found on TMDB (TMDB status 34: The "
                             "resource you requested could not be found.)\n")


def test_the_key_never_appears_in_output_files_or_cache(run, tmdb, tmdb_env, tmp_path):
    folder = tmp_path / "f"
    tmdb.faults[900005] = ["500"]
    outputs = [run("add", "tmdb:900001", "tmdb:900005", "tmdb:4242", "--to", str(folder), tty=True, env=tmdb_env),
               run("sync", "--data", str(folder), tty=True, env=tmdb_env),
               run("discover", "--region", "US", "--to", "2027-12-31", env=tmdb_env),
               run("releases", "--data", str(folder), env=tmdb_env),
               run("add", "tmdb:900001", env={**tmdb_env, "TMDB_API_KEY": SECRET + "x"})]
    for result in outputs:
        for text in (result.stdout, result.stderr, getattr(result, "tty_stdout", ""), getattr(result, "tty_stderr", "")):
            assert SECRET not in text
    for base in (tmp_path, Path(os.environ["RELCAL_CACHE_DIR"])):
        for path in base.rglob("*"):
            if path.is_file():
                assert SECRET.encode() not in path.read_bytes(), path
    assert any(SECRET in r["query"].get("api_key", []) for r in tmdb.requests)  # it was sent, to TMDB only


# ---------------------------------------------------------------------------
# sync: the round trip

HAND = "https://example.org/my-notes"


def test_round_trip_add_change_sync_export(run, tmdb, tmdb_env, tmp_path):
    folder = tmp_path / "f"
    assert run("add", "tmdb:900001", "--to", str(folder), env=tmdb_env).exit_code == 0
    path = folder / "the-salt-orchard.yaml"
    # The person adds a comment and a window of their own.
    text = path.read_text(encoding="utf-8")
    text = text.replace("    releases:\n", "    # Seen at the Berlinale; keep an eye on the UK date.\n    releases:\n")
    text += f"      - {{date: 2027-02, kind: tv, region: GB, platform: BBC Four, source: {HAND}}}  # mine\n"
    path.write_text(text, encoding="utf-8")
    export = run("export", "--data", str(folder), "--film", "the-salt-orchard", "-k", "theatrical", "-r", "US",
                 env={**tmdb_env, "SOURCE_DATE_EPOCH": "1764288000"})
    before = export.stdout

    # On TMDB: the US re-release moves, the iTunes row goes, a TV row arrives.
    record = move_release(tmdb.films[900001], "US", 3, "2026-03-20", note="Re-release")
    for country in record["release_dates"]["results"]:
        if country["iso_3166_1"] == "GB":
            country["release_dates"] = [r for r in country["release_dates"] if r["note"] != "iTunes"]
        if country["iso_3166_1"] == "US":
            country["release_dates"].append({"certification": "", "descriptors": [], "iso_639_1": "",
                                             "note": "Channel 9", "release_date": "2026-12-24T00:00:00.000Z",
                                             "type": 6})
    tmdb.set_film(900001, record)

    changes = rows(run("sync", "--data", str(folder), "--format", "jsonl", env=tmdb_env))
    assert [(c["change"], c["kind"], c["region"], c["platform"], c["old_date"], c["new_date"]) for c in changes] == [
        ("removed", "vod", "GB", "iTunes", "2025-07-14", None),
        ("moved", "theatrical", "US", None, "2026-02-13", "2026-03-20"),
        ("added", "tv", "US", None, None, "2026-12-24"),
    ]
    text = path.read_text(encoding="utf-8")
    assert "# Seen at the Berlinale; keep an eye on the UK date.\n" in text
    assert f"{{date: 2027-02, kind: tv, region: GB, platform: BBC Four, source: {HAND}}}  # mine\n" in text
    assert "history: [2026-02-13]" in text
    assert run("validate", str(folder)).exit_code == 0

    # The calendar: the moved window keeps its UID and raises its SEQUENCE.
    after = run("export", "--data", str(folder), "--film", "the-salt-orchard", "-k", "theatrical", "-r", "US",
                env={**tmdb_env, "SOURCE_DATE_EPOCH": "1764288000"}).stdout
    uid = "UID:the-salt-orchard.re-release-us@relcal"
    assert uid in before and uid in after
    assert "DTSTART;VALUE=DATE:20260213" in before and "DTSTART;VALUE=DATE:20260320" in after
    event = after[after.index(uid):]
    assert "SEQUENCE:1" in event[:event.index("END:VEVENT")]

    # A second sync changes nothing: same bytes, same mtime.
    stamp = path.stat().st_mtime_ns
    content = path.read_bytes()
    again = run("sync", "--data", str(folder), env=tmdb_env)
    assert again.exit_code == 0
    assert again.stderr == "Nothing changed: 1 film up to date with TMDB.\n"
    assert path.read_bytes() == content and path.stat().st_mtime_ns == stamp


def test_dry_run_writes_nothing(run, tmdb, tmdb_env, tmp_path):
    folder = tmp_path / "f"
    run("add", "tmdb:900005", "--to", str(folder), env=tmdb_env)
    path = folder / "night-ferry-to-tallinn.yaml"
    content, stamp = path.read_bytes(), path.stat().st_mtime_ns
    tmdb.set_film(900005, move_release(tmdb.films[900005], "US", 3, "2026-12-18"))
    result = run("sync", "--dry-run", "--data", str(folder), "--format", "tsv", "--no-header", env=tmdb_env)
    assert result.stdout == ("night-ferry-to-tallinn\tNight Ferry to Tallinn\tmoved\ttheatrical\tUS\t\t\t"
                             "2026-12-04\t2026-12-18\n")
    assert result.stderr == "--dry-run: nothing was written.\n"
    assert path.read_bytes() == content and path.stat().st_mtime_ns == stamp


def test_sync_defaults_to_your_folder_and_never_writes_the_shipped_data(run, tmdb, tmdb_env):
    nothing = run("sync", env=tmdb_env)
    assert nothing.exit_code == 0 and "Nothing to sync" in nothing.stderr
    run("add", "tmdb:900006", env=tmdb_env)
    tmdb.set_film(900006, move_release(tmdb.films[900006], "NO", 3, "2027-01-01"))
    shipped = SHIPPED.read_bytes()
    changes = rows(run("sync", "--format", "jsonl", env=tmdb_env))
    assert [(c["film_id"], c["change"], c["region"]) for c in changes] == [("no", "moved", "NO")]
    with_shipped = run("sync", "--data", str(SHIPPED), "--data", str(Path(tmdb_env["RELCAL_HOME"]) / "films"),
                       env=tmdb_env)
    assert with_shipped.exit_code == 0
    assert SHIPPED.read_bytes() == shipped


def test_sync_of_one_film_and_of_an_unknown_one(run, tmdb, tmdb_env, tmp_path):
    folder = tmp_path / "f"
    run("add", "tmdb:900005", "tmdb:900006", "--to", str(folder), env=tmdb_env)
    tmdb.clear_requests()
    assert run("sync", "--data", str(folder), "--film", "no", env=tmdb_env).exit_code == 0
    assert [r["path"] for r in tmdb.requests] == ["/3/movie/900006"]
    unknown = run("sync", "--data", str(folder), "--film", "nope", env=tmdb_env)
    assert unknown.exit_code == 2 and "'nope'" in unknown.stderr


def test_an_invalid_file_is_not_synced(run, tmdb_env, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nfilms:\n  - id: x\n    title: X\n    ids: {tmdb: 0}\n", encoding="utf-8")
    result = run("sync", "--data", str(path), env=tmdb_env)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"relcal: {path}:5:17: ids.tmdb 0 is not a TMDB id")
    assert path.read_text(encoding="utf-8").endswith("{tmdb: 0}\n")


# ---------------------------------------------------------------------------
# discover

def test_discover_lists_releases_in_a_region_and_range(run, tmdb_env):
    found = rows(run("discover", "--region", "us", "--from", "2026-11-01", "--to", "2027-12-31", "--format", "jsonl",
                     env=tmdb_env))
    assert list(found[0]) == ["tmdb_id", "title", "original_title", "date", "kind", "region"]
    assert [(f["tmdb_id"], f["date"], f["kind"]) for f in found] == [
        (900005, "2026-12-04", "theatrical"), (900006, "2026-12-18", "theatrical"),
        (900005, "2027-01-22", "streaming"), (900004, "2027-03-12", "theatrical"),
        (900004, "2027-06-04", "streaming")]
    streaming = rows(run("discover", "-r", "US", "--to", "2027-12-31", "-k", "streaming", "--format", "jsonl",
                         env=tmdb_env))
    assert [(f["tmdb_id"], f["kind"]) for f in streaming] == [(900005, "streaming"), (900004, "streaming")]


def test_discover_add_adds_what_it_found(run, tmdb_env, tmp_path):
    folder = tmp_path / "new"
    result = run("discover", "--region", "GB", "--from", "2026-12-01", "--to", "2026-12-31", "--add",
                 "--to", f"{folder}/", env=tmdb_env)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["night-ferry-to-tallinn.yaml"]


def test_discover_asks_tmdb_for_the_release_types_of_the_kinds(run, tmdb, tmdb_env):
    run("discover", "-r", "FR", "-k", "tv", "-k", "theatrical", env=tmdb_env)
    asked = [r for r in tmdb.requests if r["path"] == "/3/discover/movie"][0]["query"]
    assert asked["with_release_type"] == ["3|6"] and asked["region"] == ["FR"]
    assert asked["release_date.gte"] == [TODAY] and asked["release_date.lte"] == ["2026-12-28"]
    virtual = run("discover", "-r", "US", "-k", "virtual-cinema", env=tmdb_env)
    assert virtual.exit_code == 2 and "virtual-cinema" in virtual.stderr


def test_fixtures_are_the_films_the_tests_expect():
    assert set(load_fixture_films()) >= {900001, 900002, 900003, 900004, 900005, 900006, 900007}


def test_a_calendar_client_moves_the_event_when_sync_moves_the_date(run, tmdb, tmdb_env, tmp_path):
    """khal, a real client: the export before and after a sync are imported in turn;
    the moved window is one event, on its new day."""
    import subprocess
    import sys

    folder = tmp_path / "f"
    assert run("add", "tmdb:900005", "--to", str(folder), env=tmdb_env).exit_code == 0
    (tmp_path / "cal").mkdir()
    config = tmp_path / "khal.conf"
    config.write_text(
        "[calendars]\n[[relcal]]\npath = {cal}\ntype = calendar\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        "[default]\ndefault_calendar = relcal\n".format(cal=tmp_path / "cal"))
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    khal = str(Path(sys.executable).parent / "khal")

    def export_and_import(name: str) -> None:
        ics = tmp_path / name
        assert run("export", "--data", str(folder), "-o", str(ics), env=tmdb_env).exit_code == 0
        subprocess.run([khal, "-c", str(config), "import", "--batch", str(ics)], check=True, env=env,
                       capture_output=True, timeout=120)

    export_and_import("before.ics")
    tmdb.set_film(900005, move_release(tmdb.films[900005], "US", 3, "2026-12-18"))
    assert run("sync", "--data", str(folder), env=tmdb_env).exit_code == 0
    export_and_import("after.ics")
    listed = subprocess.run([khal, "-c", str(config), "list", "--day-format", "", "--format",
                             "{start-date} {title}", "2026-11-28", "30d"],
                            check=True, env=env, capture_output=True, text=True, timeout=120)
    shown = sorted(line.strip() for line in listed.stdout.splitlines() if line.strip())
    assert shown == ["2026-12-11 Night Ferry to Tallinn — Theatrical (GB)",
                     "2026-12-18 Night Ferry to Tallinn — Theatrical (US)"]


def test_add_to_the_shipped_dataset_is_refused(run, tmdb_env):
    result = run("add", "tmdb:900005", "--to", str(SHIPPED), env=tmdb_env)
    assert result.exit_code == 2 and "never writes" in result.stderr


def test_a_film_with_no_release_date_yet(run, tmdb_env, tmp_path):
    added = rows(run("add", "Quiet Frequencies", "--to", str(tmp_path / "f"), "--format", "jsonl", env=tmdb_env))
    assert [(r["kind"], r["region"], r["platform"], r["new_date"]) for r in added] == [
        ("theatrical", "GB", None, "2027-03-12"), ("theatrical", "US", None, "2027-03-12"),
        ("streaming", "US", "Apple TV+", "2027-06-04")]
    text = (tmp_path / "f" / "quiet-frequencies.yaml").read_text(encoding="utf-8")
    assert "year:" not in text and "status: announced" in text


def test_ctrl_c_during_a_sync_exits_130_and_leaves_whole_files(run, tmdb, tmdb_env, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "f"
    run("add", "tmdb:900001", "tmdb:900005", "tmdb:900006", "--to", str(folder), env=tmdb_env)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    tmdb.faults[900006] = ["slow:30"]
    tmdb.clear_requests()
    proc = subprocess.Popen([sys.executable, "-m", "relcal", "sync", "--data", str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **{k: v for k, v in tmdb_env.items() if v is not None}})
    deadline = time.monotonic() + 30
    while not any(r["path"] == "/3/movie/900006" for r in tmdb.requests) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_add_to_an_empty_file_makes_it_a_dataset(run, tmdb_env, tmp_path):
    path = tmp_path / "touched.yaml"
    path.touch()
    assert run("add", "tmdb:900006", "--to", str(path), env=tmdb_env).exit_code == 0
    assert path.read_text(encoding="utf-8").startswith('version: 1\nfilms:\n  - id: "no"\n')
    assert run("validate", str(path)).exit_code == 0
