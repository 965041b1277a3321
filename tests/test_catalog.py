"""Loading and validating datasets: the shipped one, the YAML traps, and every bad input."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from relcal.catalog import check, find_files, load_catalog, shipped_dataset
from relcal.errors import DataError
from relcal.model import Kind, PartialDate, Status

from .conftest import DATA, ROOT, SHIPPED

BAD = DATA / "bad"


def _cases():
    for line in (BAD / "cases.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, code, where, at, fragment = line.split("\t")
            yield pytest.param(name, int(code), where, at.replace("\\t", "\t"), fragment, id=name)


CASES = list(_cases())


def _make(name: str, folder: Path, monkeypatch) -> Path:
    """The inputs too big or too odd to keep in the repository."""
    path = folder / name
    if name == "title_2mb.yaml":
        path.write_text('version: 1\nfilms:\n  - id: ida\n    title: "' + "x" * 2 * 1024 * 1024 + '"\n')
    elif name == "file_100mb.yaml":
        with open(path, "wb") as handle:  # sparse: 100 MB long, no time or disk spent
            handle.write(b"version: 1\nfilms:\n")
            handle.truncate(100 * 1024 * 1024)
    elif name == "unreadable.yaml":
        path.write_text("version: 1\nfilms: []\n")
        real = os.open

        def refuse(file, *args, **kwargs):  # chmod 000 does not stop root, so the refusal is made here
            if os.fspath(file) == str(path):
                raise PermissionError(13, "Permission denied", str(file))
            return real(file, *args, **kwargs)

        monkeypatch.setattr(os, "open", refuse)
    return path


def test_the_corpus_table_names_every_bad_input_and_nothing_else():
    listed = {c.values[0] for c in CASES}
    on_disk = {p.name for p in BAD.iterdir() if p.name != "cases.tsv"}
    assert {n for n in listed if not n.startswith("@") and n != "does_not_exist.yaml"} == on_disk
    assert len(listed) >= 40


@pytest.mark.parametrize("name, code, where, at, fragment", CASES)
def test_bad_input_is_one_clear_line_with_file_line_col(run, monkeypatch, tmp_path, name, code, where, at, fragment):
    monkeypatch.chdir(ROOT)
    if name.startswith("@"):
        path = _make(name[1:], tmp_path, monkeypatch)
        shown, prefix = str(path), f"{tmp_path}/{where}"
    else:
        shown = f"tests/data/bad/{name}"
        prefix = f"tests/data/bad/{where}"
    result = run("validate", shown)
    assert result.exit_code == code
    assert result.stdout == ""
    problems = [line for line in result.stderr.splitlines() if not re.match(r"\d+ problems? ", line)]
    assert problems == [problems[0]], result.stderr  # one fault, one line
    assert problems[0].startswith(prefix + ": ")
    assert fragment in problems[0]
    assert len(problems[0]) < 300
    assert "Traceback" not in result.stderr

    # The same input given to a query command stops it with the same line.
    query = run("upcoming", "--today", "2021-01-20", "--data", shown)
    assert query.exit_code == code
    assert query.stdout == ""
    assert query.stderr == f"relcal: {problems[0]}\n"


@pytest.mark.parametrize("name, code, where, at, fragment", [c for c in CASES if c.values[3]])
def test_the_position_points_at_the_offending_text(name, code, where, at, fragment):
    file, line_no, col = where.rsplit(":", 2)
    raw = (BAD / file).read_bytes() if not name.startswith("@") else b""
    if name == "@title_2mb.yaml":
        raw = b'version: 1\nfilms:\n  - id: ida\n    title: "xxxxxxxxxx'
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # the non-UTF-8 case: read its bytes one to one
        text = raw.decode("latin-1")
    lines = text.splitlines() or [""]
    assert lines[int(line_no) - 1][int(col) - 1:].startswith(at)


def test_the_shipped_dataset_is_valid_and_tells_the_dear_comrades_story():
    catalog = load_catalog()
    assert shipped_dataset() == SHIPPED or shipped_dataset().read_bytes() == SHIPPED.read_bytes()
    assert len(catalog.films) >= 16
    film = catalog.film("dear-comrades")
    assert film is not None
    assert film.title == "Dear Comrades!"
    assert film.original_title == "Дорогие товарищи!"
    assert film.directors == ("Andrei Konchalovsky",)
    assert film.writers == ("Andrei Konchalovsky", "Elena Kiseleva")
    assert film.cast == ("Julia Vysotskaya", "Vladislav Komarov", "Andrei Gusev", "Yulia Burova", "Sergei Erlish")
    windows = {(r.date.iso(), r.kind, r.platform, r.region, r.venue) for r in film.releases}
    assert ("2021-01-29", Kind.VIRTUAL_CINEMA, None, "US", None) in windows
    assert ("2021-02-05", Kind.VOD, None, "US", None) in windows
    assert ("2021-02-05", Kind.STREAMING, "Hulu", "US", None) in windows
    venice = [r for r in film.releases if r.venue == "Venice Film Festival"]
    assert venice and venice[0].date.first_day.strftime("%Y-%m") == "2020-09"


def test_the_shipped_dataset_names_its_schema_for_editors():
    first = SHIPPED.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")


def test_shipped_films_were_released_in_the_us_between_november_2020_and_april_2021():
    catalog = load_catalog()
    in_window = [
        f.id for f in catalog.films
        if any(r.region == "US" and r.kind not in (Kind.FESTIVAL, Kind.PREMIERE)
               and "2020-11-01" <= r.date.first_day.isoformat() <= "2021-04-30" for r in f.releases)
    ]
    assert len(in_window) >= 16, in_window


def test_every_shipped_window_has_a_source_or_its_film_does():
    for film in load_catalog().films:
        for r in film.releases:
            assert r.source or film.link("source"), (film.id, r)


# --------------------------------------------------------------------------
# The YAML 1.1 traps load as the text the user meant

def test_yaml_11_traps_load_as_the_strings_meant(write):
    path = write("traps.yaml", """
        version: 1
        films:
          - id: no
            title: No
            original_title: 1917
            year: 2019
            cast: [Yes, On, Off, 0x1F, 1e3, "~", null-ish]
            countries: [NO, GB]
            synopsis: 2046
            releases:
              - {date: 2019-12-25, kind: theatrical, region: NO, platform: True, note: ~}
              - {date: 2020-01, kind: vod, region: "NO", venue: 1_000}
    """)
    film = load_catalog([path]).film("no")
    assert film.title == "No"
    assert film.original_title == "1917"
    assert film.synopsis == "2046"
    assert film.cast == ("Yes", "On", "Off", "0x1F", "1e3", "~", "null-ish")
    assert film.countries == ("NO", "GB")
    first, second = film.releases
    assert first.region == "NO" and first.platform == "True" and first.note is None
    assert first.date == PartialDate(2019, 12, 25)
    assert second.region == "NO" and second.venue == "1_000"
    assert second.date == PartialDate(2020, 1)


@pytest.mark.parametrize("line, message", [
    ("{date: 2021-01-29, kind: VOD, region: US}", "kind 'VOD' is not known; did you mean 'vod'?"),
    ("{date: 2021-01-29, kind: vod, region: us}", "region 'us' is written in capitals: 'US'"),
    ("{date: 2021-01-29, kind: vod, status: Announced}", "status 'Announced' is not known; did you mean 'announced'?"),
])
def test_kinds_statuses_and_regions_are_written_in_one_case(write, line, message):
    """The loader and the JSON Schema editors use agree: one spelling, and a hint for the other."""
    path = write("case.yaml", f"""
        version: 1
        films:
          - id: ida
            title: Ida
            releases:
              - {line}
    """)
    _, problems = check([path])
    assert len(problems) == 1 and problems[0].message.startswith(message), problems


@pytest.mark.parametrize("value", ["~", "null", "Null", "NULL", ""])
def test_a_null_where_text_is_required_says_to_quote_it(write, value):
    path = write("null.yaml", f"""
        version: 1
        films:
          - id: x
            title: {value}
    """)
    _, problems = check([path])
    assert len(problems) == 1
    (problem,) = problems
    if value:  # a null word: name it, and say that quoting keeps it as text
        assert (problem.line, problem.col) == (4, 12)
        assert problem.message.startswith(f"title is required but is {value!r} (null in YAML)"), problem.message
        assert "quoted" in problem.message and problem.message.count(repr(value)) == 2, problem.message
    else:  # nothing at all: there is nothing to quote
        assert (problem.line, problem.col) == (4, 11)
        assert problem.message.startswith("title is required but empty"), problem.message
        assert "quoted" not in problem.message and "null in YAML" not in problem.message, problem.message


def test_aliases_and_merge_keys_work_as_in_yaml(write):
    path = write("alias.yaml", """
        version: 1
        films:
          - id: a
            title: A
            cast: &people [Ann, Bob]
            releases:
              - &us-vod {date: 2021-02-05, kind: vod, region: US, distributor: Neon}
          - id: b
            title: B
            cast: *people
            releases:
              - <<: *us-vod
                date: 2021-03-05
    """)
    catalog = load_catalog([path])
    b = catalog.film("b")
    assert b.cast == ("Ann", "Bob")
    assert (b.releases[0].date, b.releases[0].distributor) == (PartialDate(2021, 3, 5), "Neon")


def test_merge_keys_cannot_loop_or_bring_unknown_keys(write):
    path = write("merge.yaml", """
        version: 1
        films:
          - &loop
            id: a
            title: A
            <<: *loop
          - <<: {id: b, title: B, rating: 5}
    """)
    _, problems = check([path])
    assert [(p.line, p.col) for p in problems] == [(3, 5), (7, 27)]
    assert "merge keys ('<<') nest too deeply" in problems[0].message
    assert "unknown key 'rating' (merged into a film here by '<<')" in problems[1].message


def test_a_bom_is_harmless(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfversion: 1\nfilms:\n  - {id: a, title: A}\n")
    assert load_catalog([path]).film("a").title == "A"


def test_every_problem_is_reported_not_just_the_first(write):
    path = write("many.yaml", """
        version: 1
        films:
          - id: a
            title: A
            year: soon
            releases:
              - {date: 2021-02-30, kind: vod}
              - {date: 2021-03-01, kind: cinema}
          - id: B
            title: B
    """)
    with pytest.raises(DataError) as info:
        load_catalog([path])
    lines = [(p.line, p.col) for p in info.value.problems]
    assert lines == [(5, 11), (7, 16), (8, 34), (9, 9)]
    assert "(and 3 more problems; run 'relcal validate')" in str(info.value)


def test_statuses_history_and_window_ids_load(write):
    path = write("moved.yaml", """
        version: 1
        films:
          - id: a
            title: A
            releases:
              - {date: 2021-03-05, kind: theatrical, region: US, status: postponed, history: [2020-11-20, 2021-01]}
              - {date: 2021-04-02, kind: vod, region: US, id: rental}
              - {date: 2021-05-04, kind: vod, region: US, id: purchase, status: announced}
    """)
    moved, rental, purchase = load_catalog([path]).film("a").releases
    assert moved.status is Status.POSTPONED
    assert moved.history == (PartialDate(2020, 11, 20), PartialDate(2021, 1))
    assert (rental.id, purchase.id, purchase.status) == ("rental", "purchase", Status.ANNOUNCED)


def test_two_windows_with_the_same_id_are_an_error(write):
    path = write("ids.yaml", """
        version: 1
        films:
          - id: a
            title: A
            releases:
              - {date: 2021-04-02, kind: vod, region: US, id: rental}
              - {date: 2021-05-04, kind: vod, region: US, id: rental}
    """)
    _, problems = check([path])
    assert [(p.line, p.col) for p in problems] == [(7, 9)]
    assert "window id 'rental' is used twice" in problems[0].message


# --------------------------------------------------------------------------
# Files and folders

def test_duplicate_ids_across_files_name_both_places(write, tmp_path):
    write("set/a.yaml", "version: 1\nfilms:\n  - {id: ida, title: Ida}\n")
    write("set/b.yml", "version: 1\nfilms:\n  - id: cold-war\n    title: Cold War\n  - id: ida\n    title: Ida\n")
    _, problems = check([tmp_path / "set"])
    assert len(problems) == 1
    p = problems[0]
    assert (Path(p.file).name, p.line, p.col) == ("b.yml", 5, 9)
    assert f"already used at {tmp_path / 'set' / 'a.yaml'}:3:10" in p.message


def test_folders_are_read_sorted_recursively_skipping_hidden_and_other_files(write, tmp_path):
    write("d/b.yaml", "version: 1\nfilms:\n  - {id: b, title: B}\n")
    write("d/a.yml", "version: 1\nfilms:\n  - {id: a, title: A}\n")
    write("d/sub/c.yaml", "version: 1\nfilms:\n  - {id: c, title: C}\n")
    write("d/.hidden/x.yaml", "not: [valid")
    write("d/notes.txt", "not yaml")
    catalog = load_catalog([tmp_path / "d"])
    assert [f.id for f in catalog.films] == ["a", "b", "c"]
    assert [p.name for p in catalog.files] == ["a.yml", "b.yaml", "c.yaml"]


def test_files_and_folders_merge_and_a_file_named_twice_loads_once(write, tmp_path):
    a = write("a.yaml", "version: 1\nfilms:\n  - {id: a, title: A}\n")
    write("more/b.yaml", "version: 1\nfilms:\n  - {id: b, title: B}\n")
    catalog = load_catalog([a, tmp_path / "more", a])
    assert [f.id for f in catalog.films] == ["a", "b"]


def test_missing_paths_and_empty_folders_are_problems(tmp_path):
    (tmp_path / "empty").mkdir()
    problems: list = []
    assert find_files([tmp_path / "nope.yaml", tmp_path / "empty"], problems) == []
    messages = [str(p) for p in problems]
    assert messages[0] == f"{tmp_path / 'nope.yaml'}: no such file or folder; check the --data path (or RELCAL_DATA)"
    assert messages[1].startswith(f"{tmp_path / 'empty'}: folder has no *.yaml or *.yml files")


def test_a_catalog_with_dropped_duplicates_still_finds_and_counts_the_right_films(write, tmp_path):
    from datetime import date

    from relcal.catalog import check
    from relcal.query import Query

    a = write("a.yaml", "version: 1\nfilms:\n  - {id: x, title: X1, releases: [{date: 2021-02-01, kind: vod}]}\n"
                        "  - {id: y, title: Y, releases: [{date: 2021-02-02, kind: vod}]}\n")
    b = write("b.yaml", "version: 1\nfilms:\n  - {id: x, title: X2, releases: [{date: 2021-02-03, kind: tv}]}\n"
                        "  - {id: z, title: Z, releases: [{date: 2021-02-04, kind: vod}, {date: 2021-03-01, kind: tv}]}\n")
    catalog, problems = check([a, b])
    assert [p.line for p in problems] == [3]
    assert [f.id for f in catalog.films] == ["x", "y", "z"] and catalog.film("x").title == "X1"
    assert len(catalog) == 3 and catalog.window_count == 4
    feb = Query(start=date(2021, 2, 1), end=date(2021, 2, 28)).rows(catalog)
    assert [(r.film.title, r.release.date.iso()) for r in feb] == [("X1", "2021-02-01"), ("Y", "2021-02-02"),
                                                                   ("Z", "2021-02-04")]
    assert catalog.ids() == ["x", "y", "z"]


# --------------------------------------------------------------------------
# Paths that are not a plain file or folder

ONE_FILM = "version: 1\nfilms:\n  - {id: %s, title: %s, releases: [{date: 2021-02-05, kind: vod}]}\n"
EMPTY_PATH = "an empty path in --data or RELCAL_DATA (a stray ':'?); remove it"


@pytest.mark.parametrize("paths", [[""], ["films.yaml", ""], [b""], ["", "films.yaml"]])
def test_an_empty_path_is_a_usage_error_never_the_working_folder(tmp_path, monkeypatch, paths):
    from relcal.errors import UsageError

    monkeypatch.chdir(tmp_path)
    (tmp_path / "films.yaml").write_text(ONE_FILM % ("a", "A"))
    (tmp_path / "docker-compose.yml").write_text("services:\n  web: {image: nginx}\n")
    for call in (lambda: load_catalog(paths), lambda: check(paths, use_cache=True), lambda: find_files(paths, [])):
        with pytest.raises(UsageError) as info:
            call()
        assert str(info.value) == EMPTY_PATH


@pytest.mark.parametrize("how", ["option", "env"])
def test_an_empty_data_path_on_the_command_line_is_a_usage_error(run, tmp_path, monkeypatch, how):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "films.yaml").write_text(ONE_FILM % ("a", "A"))
    (tmp_path / "docker-compose.yml").write_text("services:\n  web: {image: nginx}\n")
    if how == "option":
        result = run("films", "--data", "films.yaml", "--data", "")
    else:
        result = run("films", env={"RELCAL_DATA": "films.yaml:"})
    assert (result.exit_code, result.stderr) == (2, f"relcal: {EMPTY_PATH}\n")


def test_symbolic_link_loops_in_a_folder_are_one_problem_each(tmp_path, run, monkeypatch):
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "a.yaml").write_text(ONE_FILM % ("a", "A"))
    os.symlink("lb.yaml", d / "la.yaml")  # two files that point at each other
    os.symlink("la.yaml", d / "lb.yaml")
    os.symlink("y", d / "x")  # two names (folders?) that point at each other
    os.symlink("x", d / "y")
    os.symlink(".", d / "self")  # a folder inside itself
    os.symlink("..", d / "sub" / "back")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "o.yaml").write_text(ONE_FILM % ("o", "O"))
    os.symlink("../other", d / "linked")  # a linked folder is read
    expected = [f"{d / name}: symbolic links form a loop" for name in ("la.yaml", "lb.yaml", "self", "sub/back", "x", "y")]
    for use_cache in (False, True, True):
        catalog, problems = check([d], use_cache=use_cache)
        assert [str(p)[:len(e)] for p, e in zip(problems, expected)] == expected and len(problems) == len(expected)
        assert [f.id for f in catalog.films] == ["a", "o"]
    monkeypatch.chdir(tmp_path)
    for args in (["validate", "d"], ["films", "--data", "d"]):
        result = run(*args)
        assert result.exit_code == 1, result.output
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr
        assert "d/la.yaml: symbolic links form a loop" in result.stderr


def test_folders_are_scanned_for_yaml_in_any_case(write, tmp_path):
    write("d/a.YAML", ONE_FILM % ("a", "A"))
    write("d/b.Yml", ONE_FILM % ("b", "B"))
    write("d/c.yaml", ONE_FILM % ("c", "C"))
    write("d/sub/D.yMl", ONE_FILM % ("d", "D"))
    write("d/e.yaml.txt", "not: [yaml")
    write("d/.F.YAML", "not: [yaml")
    assert [f.id for f in load_catalog([tmp_path / "d"]).films] == ["a", "b", "c", "d"]
    assert [p.name for p in find_files([tmp_path / "d"], [])] == ["a.YAML", "b.Yml", "c.yaml", "D.yMl"]


STREAMS = """
import os, sys, threading
from relcal import load_catalog
from relcal.errors import DataError
fifo, folder = sys.argv[1], sys.argv[2]
film = "version: 1\\nfilms:\\n  - {id: a, title: %s}\\n"

def feed(text):  # like <(...): one writer, once
    def run():
        with open(fifo, "w") as out:
            out.write(text)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread

for title in ("First", "Second", "Third"):
    feed(film % title)
    print(load_catalog([fifo]).film("a").title)
try:
    load_catalog([folder])
except DataError as exc:
    print(exc)
"""


def test_streams_are_read_once_and_never_cached(tmp_path):
    fifo = tmp_path / "films.fifo"
    os.mkfifo(fifo)
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "a.yaml").write_text(ONE_FILM % ("b", "B"))
    os.mkfifo(folder / "pipe.yaml")  # no writer: opening it would wait forever
    cache = tmp_path / "cache"
    env = {**os.environ, "RELCAL_CACHE_DIR": str(cache)}
    result = subprocess.run([sys.executable, "-c", STREAMS, str(fifo), str(folder)], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["First", "Second", "Third", f"{folder / 'pipe.yaml'}: is not a regular file; "
                                          "a folder's *.yaml files are read only when they are files (give a stream "
                                          "as --data on its own)"]
    assert [p.suffix for p in cache.iterdir()] == [".cache"]  # the folder's, and none for the stream
    piped = subprocess.run([sys.executable, "-m", "relcal", "films", "--data", "/dev/stdin", "--format", "tsv"],
                           input=ONE_FILM % ("p", "Piped"), capture_output=True, text=True, env=env, cwd=ROOT,
                           timeout=60)
    assert piped.returncode == 0 and "Piped" in piped.stdout, piped.stderr
    assert [p.suffix for p in cache.iterdir()] == [".cache"]


LIMITED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # an endless read dies here instead of the machine
from relcal.catalog import check
_, problems = check(["/dev/zero"], use_cache=True)
print(*problems, sep="\\n")
"""


def test_an_endless_stream_stops_at_the_size_limit(tmp_path):
    env = {**os.environ, "RELCAL_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-c", LIMITED], capture_output=True, text=True, env=env, cwd=ROOT,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == ("/dev/zero: file is over 64 MB; relcal reads dataset files of up to 64 MB: split it into "
                             "several files in one folder and pass the folder\n")
    assert not (tmp_path / "cache").exists()


# --------------------------------------------------------------------------
# Saying which files were read, in one short line

def test_describe_files_names_few_files_and_counts_many(tmp_path, monkeypatch):
    from relcal.catalog import describe_files

    monkeypatch.chdir(tmp_path)
    assert describe_files([]) == "no files"
    assert describe_files([Path("data/films.yaml")]) == "data/films.yaml"
    assert describe_files([Path("a.yaml"), Path("films/b.yaml"), Path("/else/c.yaml")]) == \
        "a.yaml, films/b.yaml, /else/c.yaml"
    many = [Path(f"films/{i:05d}.yaml") for i in range(10_000)]
    assert describe_files(many) == "10,000 files in films/"
    assert describe_files([tmp_path / "films" / f"{i}.yaml" for i in range(4)]) == "4 files in films/"
    assert describe_files([Path(f"{i}.yaml") for i in range(4)]) == "4 files in ./"
    nested = ["films/sub/deeper/c.yaml", "films/a.yaml", "films/sub/b.yaml", "films/z.yaml"]
    assert describe_files([Path(p) for p in nested]) == "4 files in films/"
    shipped_and_mine = [Path("data/films.yaml"), *(Path(f"/home/u/films/{i}.yaml") for i in range(5))]
    assert describe_files(shipped_and_mine) == "data/films.yaml and 5 files in /home/u/films/"
    three = [Path("a/1.yaml"), Path("a/2.yaml"), Path("b/1.yaml"), Path("c/1.yaml"), Path("c/2.yaml")]
    assert describe_files(three) == "2 files in a/, b/1.yaml and 2 files in c/"
    scattered = [Path(f"/d{i}/x.yaml") for i in range(5)]
    assert describe_files(scattered) == "5 files in 5 folders"
    long = [Path("/" + "x" * 200 + f"/{i}/f.yaml") for i in range(10_000)]
    assert describe_files(long) == "10,000 files in 10,000 folders"


def test_a_catalog_lists_its_files_and_describes_them(write, tmp_path, monkeypatch):
    from relcal.catalog import describe_files

    for i in range(12):
        write(f"films/f{i:02d}.yaml", ONE_FILM % (f"f{i:02d}", f"F{i}"))
    monkeypatch.chdir(tmp_path)
    for use_cache in (True, True, False):
        catalog, problems = check(["films"], use_cache=use_cache)
        assert problems == [] and len(catalog.films) == 12
        assert catalog.files == tuple(Path(f"films/f{i:02d}.yaml") for i in range(12))
        assert describe_files(catalog.files) == "12 files in films/"
