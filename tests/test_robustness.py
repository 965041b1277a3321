"""Whatever comes in, relcal answers with one line and an exit code; nothing is lost.

Properties over generated datasets and arbitrary input, a short coverage-guided
fuzz run, and the process faults a shell user meets: a closed pipe, Ctrl-C, a
full disk, a hostile --split-by, a narrow terminal, a C locale.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import unicodedata
from datetime import date

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from relcal import files
from relcal.catalog import Catalog, load_catalog
from relcal.errors import DataError
from relcal.model import Film, Kind, PartialDate, Release, Status
from relcal.parse import load_bytes
from relcal.query import Query

from .conftest import ROOT

FUZZ = ROOT / "fuzz"
def slow(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


# --------------------------------------------------------------------------
# (a) any valid dataset validates, round-trips, and queries exactly

# NEL, LS and PS are line breaks to YAML; yaml.safe_dump writes them unescaped in
# some styles, where any YAML reader folds them. Not something relcal can undo.
_YAML_BREAKS = ("\x85", "\u2028", "\u2029", "\ufeff")
# Control characters (but tab and newline in long text) and bidi controls are refused
# by the loader: valid datasets do not hold them (the bad-input tests check the refusal).
_BIDI = ("\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)))
NAME = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=_YAML_BREAKS + _BIDI),
               min_size=1, max_size=30).filter(lambda s: s.strip() != "" and s == s.strip())
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=_YAML_BREAKS + _BIDI)
               | st.sampled_from(["\n", "\t"]), min_size=1, max_size=80).filter(lambda s: s.strip() != "")
SLUG = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
REGIONS = st.sampled_from([None, "US", "GB", "NO", "RU", "FR"])
PLATFORMS = st.sampled_from([None, "Hulu", "Netflix", "Первый канал", "Disney+", "HBO Max"])


@st.composite
def partial_dates(draw):
    day = draw(st.dates(date(1900, 1, 1), date(2100, 12, 31)))
    precision = draw(st.sampled_from(["day", "day", "month", "year"]))
    return PartialDate(day.year, None if precision == "year" else day.month, day.day if precision == "day" else None)


@st.composite
def films(draw, film_id):
    releases = []
    for n in range(draw(st.integers(0, 4))):
        releases.append(Release(
            date=draw(partial_dates()), kind=draw(st.sampled_from(list(Kind))), region=draw(REGIONS),
            platform=draw(PLATFORMS), venue=draw(st.none() | NAME), distributor=draw(st.none() | NAME),
            status=draw(st.sampled_from(list(Status))), note=draw(st.none() | TEXT),
            history=tuple(draw(st.lists(partial_dates(), max_size=2))), id=f"w{n}"))
    return Film(
        id=film_id, title=draw(NAME), original_title=draw(st.none() | NAME), year=draw(st.none() | st.integers(1870, 2200)),
        directors=tuple(draw(st.lists(NAME, max_size=2))), writers=tuple(draw(st.lists(NAME, max_size=2))),
        cast=tuple(draw(st.lists(NAME, max_size=3))), genres=tuple(draw(st.lists(NAME, max_size=2))),
        countries=tuple(draw(st.lists(st.sampled_from(["US", "NO", "RU", "DK"]), max_size=2))),
        runtime=draw(st.none() | st.integers(1, 600)), synopsis=draw(st.none() | TEXT),
        links=tuple((k, f"https://example.org/{k}") for k in draw(st.lists(st.sampled_from(["source", "trailer"]),
                                                                          unique=True, max_size=2))),
        releases=tuple(releases))


@st.composite
def datasets(draw):
    ids = draw(st.lists(SLUG, min_size=1, max_size=5, unique=True))
    return [draw(films(i)) for i in ids]


def to_yaml(films_: list[Film]) -> str:
    """A dataset as a person might write it, through yaml.safe_dump (which quotes No, 1917 and dates)."""
    def release(r: Release) -> dict:
        d = {"date": r.date.iso(), "kind": r.kind.value, "region": r.region, "platform": r.platform,
             "venue": r.venue, "distributor": r.distributor, "status": r.status.value, "note": r.note,
             "history": [h.iso() for h in r.history], "id": r.id}
        return {k: v for k, v in d.items() if v not in (None, [])}

    doc = {"version": 1, "films": [
        {k: v for k, v in {
            "id": f.id, "title": f.title, "original_title": f.original_title, "year": f.year,
            "directors": list(f.directors), "writers": list(f.writers), "cast": list(f.cast),
            "genres": list(f.genres), "countries": list(f.countries), "runtime": f.runtime,
            "synopsis": f.synopsis, "links": dict(f.links), "releases": [release(r) for r in f.releases],
        }.items() if v not in (None, [], {})}
        for f in films_]}
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1 << 20)


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


QUERIES = st.fixed_dictionaries({}, optional={
    "kinds": st.lists(st.sampled_from([k.value for k in Kind]), max_size=2),
    "regions": st.lists(st.sampled_from(["us", "GB", "no"]), max_size=2),
    "platforms": st.lists(st.sampled_from(["hulu", "NETFLIX", "первый канал"]), max_size=2),
    "statuses": st.lists(st.sampled_from([s.value for s in Status]), max_size=2),
    "search": st.lists(st.text("aeiouйё", min_size=1, max_size=2), max_size=1),
    "people": st.lists(st.text("aeiouйё", min_size=1, max_size=2), max_size=1),
    "start": st.dates(date(1900, 1, 1), date(2100, 1, 1)),
    "end": st.dates(date(2000, 1, 1), date(2100, 12, 31)),
})


def oracle(films_: list[Film], q: dict) -> list[tuple[str, Release]]:
    """The rows a query must return, decided field by field, independently of query.py."""
    out = []
    for f in films_:
        if q.get("search") and not any(fold(s) in fold(f.title) or fold(s) in fold(f.original_title or "")
                                       for s in q["search"]):
            continue
        if q.get("people") and not any(fold(p) in fold(n) for p in q["people"]
                                       for n in f.directors + f.writers + f.cast):
            continue
        for r in f.releases:
            day = r.date.first_day
            if "start" in q and day < q["start"] or "end" in q and day > q["end"]:
                continue
            if q.get("kinds") and r.kind.value not in q["kinds"]:
                continue
            if q.get("statuses") and r.status.value not in q["statuses"]:
                continue
            if q.get("regions") and r.region is not None and r.region not in [x.upper() for x in q["regions"]]:
                continue
            if q.get("platforms") and not {fold(x) for x in (r.platform, r.venue) if x} & {fold(p) for p in q["platforms"]}:
                continue
            out.append((f.id, r))
    return out


@slow(120)
@given(datasets(), QUERIES)
def test_valid_datasets_round_trip_and_every_query_returns_exactly_the_matching_rows(tmp_path_factory, films_, q):
    assume(not ("start" in q and "end" in q and q["end"] < q["start"]))
    path = tmp_path_factory.mktemp("prop") / "films.yaml"
    path.write_text(to_yaml(films_), encoding="utf-8")
    loaded = load_catalog([path], use_cache=False)
    assert list(loaded.films) == films_  # every field, unchanged

    rows = Query.build(**q).rows(loaded)
    got = [(r.film.id, r.release) for r in rows]
    want = oracle(films_, q)
    assert sorted(got, key=repr) == sorted(want, key=repr)
    keys = [(r.release.date.first_day, r.release.kind.order, fold(r.film.title)) for r in rows]
    assert keys == sorted(keys)  # by date, then kind order, then title


# --------------------------------------------------------------------------
# (b) arbitrary input: exit 0 or 1, one line per problem, never a traceback

def _run_on(run, tmp_path, data: bytes, name: str = "in.yaml"):
    path = tmp_path / name
    path.write_bytes(data)
    results = [run("validate", str(path)), run("upcoming", "--today", "2021-01-20", "--data", str(path), "--no-cache")]
    for result in results:
        assert result.exit_code in (0, 1), (result.exit_code, result.output)
        assert "Traceback" not in result.output
        for line in result.stderr.splitlines():
            assert len(line) < 400
    return results


@slow(150)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_are_data_or_a_clear_error(run, tmp_path_factory, data):
    _run_on(run, tmp_path_factory.mktemp("bytes"), data)


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    | st.dates().map(str) | st.sampled_from(["No", "NO", "1917", "~", "0x1F", "1e3", "2021-02-30", "vod", "US"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["version", "films", "id", "title", "releases", "date", "kind", "region", "cast",
                         "links", "history", "status", "x"]) | st.text(max_size=5), children, max_size=4),
    max_leaves=25)


@slow(80)
@given(YAML_VALUES)
def test_arbitrary_yaml_documents_are_data_or_a_clear_error(run, tmp_path_factory, value):
    text = yaml.safe_dump(value, allow_unicode=True)
    _run_on(run, tmp_path_factory.mktemp("yaml"), text.encode("utf-8"))


@slow(60)
@given(st.data())
def test_the_shipped_dataset_broken_anywhere_is_a_clear_error(run, tmp_path_factory, data):
    raw = (ROOT / "data" / "films.yaml").read_bytes()
    cut = data.draw(st.integers(0, len(raw)))
    junk = data.draw(st.binary(max_size=8) | st.sampled_from([b"\t", b": ", b"\n  ", b"'", b'"', b"[", b"- ", b"&a", b"*a"]))
    _run_on(run, tmp_path_factory.mktemp("cut"), raw[:cut] + junk + raw[cut + data.draw(st.integers(0, 20)):])


# --------------------------------------------------------------------------
# A short coverage-guided fuzz run, and the fuzz corpus replayed

def test_a_short_fuzz_run_finds_nothing(tmp_path):
    # a seed of 100 corpus inputs: replaying all of them is the next test's job, and took most of this one's time
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in sorted((FUZZ / "corpus").iterdir())[:100]:
        shutil.copy(seed, corpus)
    result = subprocess.run([sys.executable, str(FUZZ / "fuzz_loader.py"), "-runs=1500", "-max_len=4096",
                             "-seed=1", f"-artifact_prefix={tmp_path}/", str(corpus)],
                            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    # libFuzzer counts the corpus it reads back in, so "Done 1504 runs" is as good as 1500
    done = re.search(r"^Done (\d+) runs", result.stderr, flags=re.M)
    assert done and int(done.group(1)) >= 1500, result.stderr[-3000:]


def test_every_fuzz_corpus_input_loads_or_reports():
    corpus = sorted((FUZZ / "corpus").iterdir())
    assert len(corpus) > 100
    for path in corpus:
        loaded = load_bytes(path.read_bytes(), path.name)
        assert all("\n" not in str(p) for p in loaded.problems), path.name
        if not loaded.problems:
            Query().rows(Catalog(loaded.films))


# --------------------------------------------------------------------------
# Pipes, signals, disks, terminals, locales

def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELCAL_")}
    env["RELCAL_CACHE_DIR"] = os.environ["RELCAL_CACHE_DIR"]
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def big_dataset(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "bench"))
    import generate

    return generate.write(3000, tmp_path_factory.mktemp("big") / "films-3000.yaml")


def test_a_reader_that_stops_early_gets_a_quiet_end(big_dataset):
    # the table of three months is 88 KB, more than a pipe holds: the write still meets the closed end
    for fmt, span in (("tsv", ""), ("json", ""), ("table", "--from 2020-01 --to 2020-03")):
        shell = subprocess.run(f"'{sys.executable}' -m relcal releases --data '{big_dataset}' {span} --format {fmt} | head -1; "
                               "exit ${PIPESTATUS[0]}", shell=True, executable="/bin/bash", capture_output=True,
                               text=True, env=_env(COLUMNS="80"), cwd=ROOT, timeout=120)
        assert shell.stderr == "", shell.stderr
        assert shell.returncode == 0
        assert len(shell.stdout.splitlines()) == 1


def test_ctrl_c_exits_130_without_a_traceback_or_a_partial_file(big_dataset, tmp_path):
    target = tmp_path / "out.ics"
    proc = subprocess.Popen([sys.executable, "-m", "relcal", "export", "--no-cache", "--data", str(big_dataset),
                             "-o", str(target)], stderr=subprocess.PIPE, env=_env(), cwd=ROOT)
    time.sleep(0.6)  # inside the work: the cold parse of 3,000 films takes longer than this
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err.decode()
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("failure, message", [
    (OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
    (OSError(errno.EROFS, "Read-only file system"), "Read-only file system"),
])
def test_a_full_or_read_only_disk_is_one_line_and_the_old_file_survives(run, tmp_path, monkeypatch, failure, message):
    target = tmp_path / "releases.ics"
    target.write_bytes(b"old calendar\r\n")
    real = os.fsync

    def failing(fd):  # the disk fills up (or turns read-only) while the new calendar is written
        raise failure

    monkeypatch.setattr(files.os, "fsync", failing)
    result = run("export", "-o", str(target))
    monkeypatch.setattr(files.os, "fsync", real)
    assert result.exit_code == 1
    assert result.stderr == (f"relcal: cannot write {target}: {message}; nothing was written "
                             "and any old file is unchanged\n")
    assert target.read_bytes() == b"old calendar\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["releases.ics"]


def test_a_folder_that_refuses_new_files_is_one_line(run, tmp_path, monkeypatch):
    def refuse(target):
        raise files.NoTemporaryFile(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files, "_temporary", refuse)
    result = run("export", "-o", str(tmp_path / "releases.ics"))
    assert result.exit_code == 1
    assert result.stderr == f"relcal: cannot write {tmp_path / 'releases.ics'}: Permission denied; nothing was written\n"


def test_narrow_terminals_and_the_c_locale_print_every_title_whole():
    titles = [f.title for f in load_catalog().films]
    for env in ({"COLUMNS": "20"}, {"COLUMNS": "20", "LANG": "C", "LC_ALL": "C"}, {"COLUMNS": "200", "LC_ALL": "C"}):
        out = subprocess.run([sys.executable, "-c", "import sys; from relcal.cli import main; "
                              "sys.argv = ['relcal', 'films', '--format', 'table']; main()"],
                             capture_output=True, env=_env(NO_COLOR="1", **env), cwd=ROOT, timeout=60)
        assert out.returncode == 0, out.stderr
        text = out.stdout.decode("utf-8")
        joined = " ".join(text.split())
        for title in titles:  # a title may wrap between its words, never inside one
            assert " ".join(title.split()) in joined, (env, title)
    # Python 3.11 turns LC_ALL=C into UTF-8 mode; a stream that really is ASCII needs these:
    ascii_env = _env(LANG="C", LC_ALL="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0", PYTHONIOENCODING="ascii")
    cyrillic = subprocess.run([sys.executable, "-m", "relcal", "show", "dear-comrades", "--format", "json"],
                              capture_output=True, env=ascii_env, cwd=ROOT, timeout=60)
    assert cyrillic.returncode == 0, cyrillic.stderr
    assert "Дорогие".encode() in cyrillic.stdout  # machine formats are UTF-8 whatever the locale
    table = subprocess.run([sys.executable, "-m", "relcal", "show", "dear-comrades", "--format", "table"],
                           capture_output=True, env={**ascii_env, "COLUMNS": "80"}, cwd=ROOT, timeout=60)
    assert table.returncode == 0, table.stderr
    assert b"Dear Comrades! (2020)" in table.stdout


# --------------------------------------------------------------------------
# Security: data only, no escape from --out-dir, no network, no stray files

def test_split_by_hostile_platform_names_stays_inside_the_out_dir(run, write, tmp_path):
    names = ["../../x", "/etc/passwd", "CON", "..", ".", "x" * 300, "HBO Max", "HBO-Max", "Пер вый"]
    releases = ", ".join(f"{{date: 2021-02-{i + 1:02d}, kind: streaming, platform: {yaml.safe_dump(n).splitlines()[0]}}}"
                         for i, n in enumerate(names))
    data = write("hostile.yaml", f"version: 1\nfilms:\n  - id: f\n    title: F\n    releases: [{releases}]\n")
    out = tmp_path / "out"
    result = run("export", "--data", str(data), "--split-by", "platform", "--out-dir", str(out))
    assert result.exit_code == 0, result.output
    written = sorted(out.glob("*.ics"))
    assert len(written) == len(names)  # one file each, none overwriting another
    for path in written:
        assert path.parent == out and path.suffix == ".ics" and len(path.name) < 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.yaml", "out"]


def test_relcal_never_opens_a_network_connection(run, monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise AssertionError("relcal tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for args in (["upcoming", "--today", "2021-01-20"], ["releases", "--format", "json"], ["films"],
                 ["show", "dear-comrades"], ["export", "-o", str(tmp_path / "x.ics")], ["validate"], ["schema"],
                 ["releases", "--from", "jan 29 2021", "--to", "next friday"]):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)


def test_only_the_named_files_and_the_cache_are_written(tmp_path):
    home = tmp_path / "home"
    work = tmp_path / "work"
    cache = tmp_path / "cache"
    for folder in (home, work):
        folder.mkdir()
    env = {**_env(), "HOME": str(home), "RELCAL_CACHE_DIR": str(cache), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    for args in (["upcoming", "--today", "2021-01-20"], ["films"], ["show", "mank"], ["validate"], ["schema"],
                 ["export", "-o", "named.ics"], ["export", "--split-by", "kind", "--out-dir", "split"]):
        subprocess.run([sys.executable, "-m", "relcal", *args], check=True, env=env, cwd=work,
                       capture_output=True, timeout=60)
    assert sorted(p.name for p in work.iterdir()) == ["named.ics", "split"]
    assert list(home.iterdir()) == [] and list((tmp_path / "tmp").iterdir()) == []
    assert [p.suffix for p in cache.iterdir()] == [".cache"]


def test_yaml_tags_never_construct_anything(tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr(os, "system", lambda cmd: ran.append(cmd))
    data = (b"version: 1\nfilms:\n  - id: a\n    title: !!python/object/apply:os.system ['echo pwned']\n"
            b"    synopsis: !!python/object/new:os.system ['echo pwned']\n")
    loaded = load_bytes(data, "evil.yaml")
    assert ran == []
    assert [p.line for p in loaded.problems] == [4, 5]
    with pytest.raises(DataError):
        path = tmp_path / "evil.yaml"
        path.write_bytes(data)
        load_catalog([path])
    assert ran == []


def test_a_stream_that_is_not_a_terminal_never_gets_colour_or_progress(run):
    result = run("upcoming", "--today", "2021-01-20", "--format", "table", env={"NO_COLOR": None, "TERM": "xterm"})
    assert "\x1b[" not in result.stdout and result.stderr == ""
