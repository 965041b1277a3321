"""The parse cache: used when fresh, rebuilt when not, never trusted blindly, never fatal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from relcal import cache, catalog, parse
from relcal.errors import DataError
from relcal.catalog import load_catalog

from .conftest import ROOT

FILM = """\
version: 1
films:
  - id: {id}
    title: {title}
    releases:
      - {{date: 2021-02-05, kind: vod, region: US}}
      - {{date: 2021-03, kind: tv, platform: Первый канал}}
"""


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("RELCAL_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def parses(monkeypatch):
    """Counts how often a dataset file is parsed from YAML."""
    calls: list[Path] = []
    real = parse.load_bytes

    def counting(raw, name, *args, **kwargs):
        calls.append(Path(name))
        return real(raw, name, *args, **kwargs)

    monkeypatch.setattr(parse, "load_bytes", counting)
    return calls


def write(path: Path, film_id: str, title: str, age: float = 10.0) -> Path:
    path.write_text(FILM.format(id=film_id, title=title), encoding="utf-8")
    past = time.time() - age  # older than the cache entry by more than the racy window
    os.utime(path, (past, past))
    return path


def titles(paths):
    return [f.title for f in load_catalog(paths).films]


def test_a_warm_run_reads_the_cache_and_parses_nothing(tmp_path, cache_folder, parses):
    data = write(tmp_path / "a.yaml", "a", "First")
    assert titles([data]) == ["First"]
    assert parses == [data]
    entries = list(cache_folder.iterdir())
    assert len(entries) == 1 and entries[0].suffix == ".cache"
    cached = load_catalog([data])
    assert parses == [data]  # not parsed again
    film = cached.film("a")
    assert film.releases[1].platform == "Первый канал" and film.releases[1].date.iso() == "2021-03"
    assert cached.films == load_catalog([data], use_cache=False).films


def test_an_edit_invalidates_even_with_the_same_size_and_mtime(tmp_path, cache_folder, parses):
    # Written just now: the entry is within the file system's time granularity of
    # the file's mtime, so an edit that keeps size and mtime is still caught.
    data = write(tmp_path / "a.yaml", "a", "First", age=0)
    titles([data])
    stat = data.stat()
    data.write_text(FILM.format(id="a", title="Frist"), encoding="utf-8")  # same size
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same mtime
    # the entry was written within the racy window of that mtime, so the content is compared
    assert titles([data]) == ["Frist"]


def test_an_edit_with_a_new_mtime_invalidates(tmp_path, cache_folder, parses):
    data = write(tmp_path / "a.yaml", "a", "First")
    titles([data])
    write(data, "a", "Second film", age=5)
    assert titles([data]) == ["Second film"]
    assert len(parses) == 2


def test_a_touched_but_unchanged_file_is_not_parsed_again(tmp_path, cache_folder, parses):
    data = write(tmp_path / "a.yaml", "a", "First")
    titles([data])
    os.utime(data, None)  # touched now: mtime differs, content hash still matches
    assert titles([data]) == ["First"]
    assert parses == [data]


def test_added_and_removed_files_change_the_catalog(tmp_path, cache_folder):
    folder = tmp_path / "set"
    folder.mkdir()
    write(folder / "a.yaml", "a", "A")
    assert titles([folder]) == ["A"]
    write(folder / "b.yaml", "b", "B")
    assert titles([folder]) == ["A", "B"]
    (folder / "a.yaml").unlink()
    assert titles([folder]) == ["B"]


def test_duplicate_ids_across_cached_files_are_still_found(tmp_path, cache_folder):
    a = write(tmp_path / "a.yaml", "same", "A")
    b = write(tmp_path / "b.yaml", "same", "B")
    titles([a])
    titles([b])  # both now cached
    with pytest.raises(Exception) as info:
        load_catalog([a, b])
    assert f"{b}:3:9: duplicate film id 'same': already used at {a}:3:9" in str(info.value)


@pytest.mark.parametrize("damage", ["garbage", "truncate", "flip-body", "flip-index", "empty", "other-version"])
def test_a_damaged_or_foreign_entry_is_ignored_and_rebuilt(tmp_path, cache_folder, parses, damage):
    data = write(tmp_path / "a.yaml", "a", "First")
    titles([data])
    (entry,) = cache_folder.iterdir()
    raw = entry.read_bytes()
    if damage == "garbage":
        entry.write_bytes(b"\x80\x00 not a cache \xff" * 10)
    elif damage == "truncate":
        entry.write_bytes(raw[: len(raw) - 20])
    elif damage == "flip-body":
        entry.write_bytes(raw[:-10] + bytes([raw[-10] ^ 0x20]) + raw[-9:])
    elif damage == "flip-index":
        header_end = raw.index(b"\n") + 1
        entry.write_bytes(raw[:header_end + 3] + bytes([raw[header_end + 3] ^ 0xFF]) + raw[header_end + 4:])
    elif damage == "empty":
        entry.write_bytes(b"")
    elif damage == "other-version":
        entry.write_bytes(raw.replace(b'"relcal":"', b'"relcal":"0.0.0-', 1))
    loaded = load_catalog([data])
    assert [f.title for f in loaded.films] == ["First"]
    assert len(parses) == 2  # parsed again, not trusted
    assert titles([data]) == ["First"]
    assert len(parses) == 2  # and rebuilt: the next run reads the entry


def _release0(film: list, field: int, value) -> None:
    film[13][0][field] = value


# A film line that decodes as JSON but is not of the shape relcal writes. Each is
# written through the real writer (so its CRC matches) and read back through the
# real decoder.
WRONG_FILMS = {
    "not a list": lambda f: {"id": "a"},
    "one field short": lambda f: f[:13],
    "title a list": lambda f: f.__setitem__(1, ["First"]),
    "title a number": lambda f: f.__setitem__(1, 5),
    "year as text": lambda f: f.__setitem__(3, "2021"),
    "directors a string": lambda f: f.__setitem__(4, "Andrei"),
    "a cast member a number": lambda f: f.__setitem__(6, ["Ann", 7]),
    "a link with no URL": lambda f: f.__setitem__(11, [["source"]]),
    "ids two long": lambda f: f.__setitem__(12, [1, "tt1234567"]),
    "tmdb id as text": lambda f: f.__setitem__(12, ["603", None, None]),
    "windows a string": lambda f: f.__setitem__(13, "vod"),
    "a window of ten fields": lambda f: f[13].__setitem__(0, f[13][0][:10]),
    "a kind that does not exist": lambda f: _release0(f, 1, "cinema"),
    "a status that does not exist": lambda f: _release0(f, 6, "soon"),
    "a date that does not exist": lambda f: _release0(f, 0, "2021-02-30"),
    "year zero": lambda f: _release0(f, 0, "0000"),
    "a date as a number": lambda f: _release0(f, 0, 2021),
    "a date not in ISO form": lambda f: _release0(f, 0, "2021-2-5"),
    "history a string": lambda f: _release0(f, 9, "2021"),
    "region a list": lambda f: _release0(f, 2, ["US"]),
    "another film's id": lambda f: f.__setitem__(0, "b"),
}


@pytest.mark.parametrize("wrong", list(WRONG_FILMS))
def test_a_cached_film_of_the_wrong_shape_is_a_miss_never_an_error(tmp_path, cache_folder, parses, monkeypatch,
                                                                     run, wrong):
    data = write(tmp_path / "a.yaml", "a", "First")
    env = {"RELCAL_CACHE_DIR": str(cache_folder)}
    expected = run("releases", "--data", str(data), "--format", "json", "--no-cache", env=env)
    assert expected.exit_code == 0
    real = cache.film_to_json

    def tampered(film):
        shape = json.loads(json.dumps(real(film)))  # as lists, to change in place
        return WRONG_FILMS[wrong](shape) or shape

    monkeypatch.setattr(cache, "film_to_json", tampered)
    titles([data])  # writes the entry, with the wrong film line and its right CRC
    monkeypatch.setattr(cache, "film_to_json", real)
    assert len(parses) == 2
    got = run("releases", "--data", str(data), "--format", "json", env=env)
    assert (got.exit_code, got.stdout, got.stderr) == (0, expected.stdout, "")
    assert len(parses) == 3  # parsed again, never trusted
    assert titles([data]) == ["First"]
    assert len(parses) == 3  # and the entry was mended: the next run reads it


def _header(entry: Path) -> tuple[dict, bytes]:
    raw = entry.read_bytes()
    end = raw.index(b"\n")
    return json.loads(raw[:end]), raw[end:]


WRONG_HEADERS = {
    "films as text": lambda h: h.update(films="1"),
    "windows null": lambda h: h.update(windows=None),
    "files a float": lambda h: h.update(files=1.0),
    "no files": lambda h: h.update(files=0),
    "negative films": lambda h: h.update(films=-1),
    "names a string": lambda h: h.update(names="a.yaml"),
    "a name a number": lambda h: h.update(names=[1]),
    "names missing": lambda h: h.pop("names"),
    "ids a list": lambda h: h.update(ids=["a"]),
    "ids of another count": lambda h: h.update(ids="a\nb"),
    "written_ns as text": lambda h: h.update(written_ns="0"),
    "index_crc missing": lambda h: h.pop("index_crc"),
    "root a list": lambda h: h.update(root=[h.get("root")]),
    "layout as text": lambda h: h.update(layout=str(h.get("layout"))),
    "a list, not an object": lambda h: [h],
}


@pytest.mark.parametrize("wrong", list(WRONG_HEADERS))
def test_a_cache_header_of_the_wrong_shape_is_a_miss_never_an_error(tmp_path, cache_folder, parses, wrong):
    data = write(tmp_path / "a.yaml", "a", "First")
    titles([data])
    (entry,) = cache_folder.iterdir()
    header, rest = _header(entry)
    changed = WRONG_HEADERS[wrong](header)
    entry.write_bytes(json.dumps(header if changed is None else changed).encode() + rest)
    assert titles([data]) == ["First"]
    assert len(parses) == 2
    assert titles([data]) == ["First"]
    assert len(parses) == 2  # rewritten whole


def test_an_unwritable_cache_folder_only_disables_caching(tmp_path, monkeypatch, parses):
    # (A file where the folder should be: unwritable even for root, unlike chmod.)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("RELCAL_CACHE_DIR", str(blocker / "relcal"))
    data = write(tmp_path / "a.yaml", "a", "First")
    assert titles([data]) == ["First"]
    assert titles([data]) == ["First"]
    assert len(parses) == 2
    assert blocker.read_text() == "a file where the cache folder should be"


def test_no_cache_neither_reads_nor_writes(tmp_path, cache_folder, run, parses):
    data = write(tmp_path / "a.yaml", "a", "First")
    result = run("releases", "--data", str(data), "--no-cache", env={"RELCAL_CACHE_DIR": str(cache_folder)})
    assert result.exit_code == 0
    assert not cache_folder.exists()
    titles([data])
    run("releases", "--data", str(data), "--no-cache", env={"RELCAL_CACHE_DIR": str(cache_folder)})
    assert len(parses) == 3


def test_validate_never_trusts_the_cache(tmp_path, cache_folder, run, parses):
    data = write(tmp_path / "a.yaml", "a", "First")
    titles([data])
    result = run("validate", str(data), env={"RELCAL_CACHE_DIR": str(cache_folder)})
    assert result.exit_code == 0
    assert len(parses) == 2


def test_the_cache_folder_defaults_to_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.delenv("RELCAL_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "relcal"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "relcal"


def test_a_cached_query_builds_only_the_films_in_range(tmp_path, cache_folder, monkeypatch):
    lines = ["version: 1", "films:"]
    for i in range(200):
        lines += [f"  - id: f{i}", f"    title: Film {i}", "    releases:",
                  f"      - {{date: 2021-{1 + i % 12:02d}-10, kind: vod}}"]
    data = tmp_path / "many.yaml"
    data.write_text("\n".join(lines) + "\n")
    past = time.time() - 10
    os.utime(data, (past, past))
    load_catalog([data])  # writes the entry
    built = []
    real = cache.film_from_json
    monkeypatch.setattr(cache, "film_from_json", lambda d: built.append(d[0]) or real(d))
    from datetime import date

    from relcal.query import Query

    rows = Query(start=date(2021, 3, 1), end=date(2021, 3, 31)).rows(load_catalog([data]))
    assert len(rows) == len(built) == 17  # the March films, and only they


CONCURRENT = textwrap.dedent("""
    import sys
    from relcal import load_catalog
    for _ in range(15):
        films = load_catalog([sys.argv[1]]).films
        assert len(films) == 300 and films[-1].id == "f299", len(films)
""")


def test_two_processes_at_once_never_read_half_an_entry(tmp_path, cache_folder):
    lines = ["version: 1", "films:"]
    for i in range(300):
        lines += [f"  - id: f{i}", f"    title: Film {i} " + "x" * 200, "    releases:",
                  f"      - {{date: 2021-{1 + i % 12:02d}-10, kind: vod}}"]
    data = tmp_path / "many.yaml"
    data.write_text("\n".join(lines) + "\n")  # fresh mtime: entries are re-checked and rewritten often
    env = {**os.environ, "RELCAL_CACHE_DIR": str(cache_folder)}
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT, str(data)], cwd=ROOT, env=env,
                              stderr=subprocess.PIPE) for _ in range(3)]
    for _ in range(10):  # meanwhile, rewrite the entry again and again
        catalog.check([data], use_cache=False)
        entry = next(cache_folder.glob("*.cache"), None)
        if entry is not None:
            entry.unlink(missing_ok=True)
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    assert not list(cache_folder.glob(".*.tmp"))  # no temporary file left behind


def test_slow_loading_shows_progress_on_a_terminals_stderr_only(tmp_path, cache_folder, monkeypatch, run):
    from relcal import progress

    data = write(tmp_path / "a.yaml", "a", "First")
    real = parse.load_bytes

    def slow(raw, name, *args, **kwargs):
        time.sleep(0.5)
        return real(raw, name, *args, **kwargs)

    monkeypatch.setattr(parse, "load_bytes", slow)
    monkeypatch.setattr(progress, "DELAY", 0.05)
    on_terminal = run("releases", "--data", str(data), "--no-cache", "--format", "tsv", tty=True,
                      env={"TERM": "xterm-256color"})
    assert "Reading the dataset" in on_terminal.tty_stderr
    assert "Reading" not in on_terminal.tty_stdout and on_terminal.tty_stdout.startswith("film_id\t")
    piped = run("releases", "--data", str(data), "--no-cache", "--format", "tsv")
    assert piped.stderr == "" and piped.stdout == on_terminal.tty_stdout


def test_cached_films_and_windows_are_built_with_exactly_the_models_fields(tmp_path, cache_folder):
    from dataclasses import fields

    from relcal.model import Film, Release

    assert cache._RELEASE_FIELDS == tuple(f.name for f in fields(Release))
    data = write(tmp_path / "a.yaml", "a", "First")
    parsed = load_catalog([data], use_cache=False).films[0]
    cached = load_catalog([data]) and load_catalog([data]).films[0]  # the second load reads the entry
    assert set(vars(cached)) >= {f.name for f in fields(Film)}
    assert cached == parsed and hash(cached.releases) == hash(parsed.releases)


# --------------------------------------------------------------------------
# What tells a file changed: git's index keys, and the content for the racy window

@pytest.mark.parametrize("how", ["edited in place", "replaced by a copy (cp -p, tar x)"])
def test_a_same_size_edit_with_its_old_mtime_restored_is_seen(tmp_path, cache_folder, parses, how):
    data = write(tmp_path / "a.yaml", "a", "First")  # 10 s old: well outside the racy window
    assert titles([data]) == ["First"]
    before = data.stat()
    if how == "edited in place":
        data.write_text(FILM.format(id="a", title="Frist"), encoding="utf-8")
    else:
        copy = write(tmp_path / "copy.yaml", "a", "Frist")
        os.replace(copy, data)
    os.utime(data, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (data.stat().st_size, data.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert titles([data]) == ["Frist"]
    assert len(parses) == 2


@pytest.fixture
def no_ctime(monkeypatch):
    """As on a file system without ctime: only the racy rule can catch an edit that keeps size and mtime."""
    real = cache.stat_key
    monkeypatch.setattr(cache, "stat_key", lambda st: (st.st_size, st.st_mtime_ns, 0, st.st_ino, st.st_dev))
    return real


def _same_size_edit(data: Path, title: str) -> None:
    before = data.stat()
    data.write_text(FILM.format(id="a", title=title), encoding="utf-8")
    os.utime(data, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_the_racy_rule_catches_an_edit_that_keeps_every_key(tmp_path, cache_folder, parses, no_ctime):
    data = write(tmp_path / "a.yaml", "a", "First", age=0)  # modified as it is cached
    assert titles([data]) == ["First"]
    _same_size_edit(data, "Frist")
    assert titles([data]) == ["Frist"]
    old = write(tmp_path / "b.yaml", "a", "First")  # 10 s old: its key is trusted, nothing is read
    titles([old])
    parsed = len(parses)
    assert titles([old]) == ["First"] and len(parses) == parsed


def test_the_racy_window_counts_from_when_the_files_were_looked_at(tmp_path, cache_folder, parses, no_ctime,
                                                                     monkeypatch):
    # A cold run that takes longer than the window: the file was looked at (and could
    # still change unseen) long before the entry was written.
    monkeypatch.setattr(cache, "RACY_NS", 300_000_000)
    real = parse.load_bytes

    def slow(raw, name, *args, **kwargs):
        time.sleep(1.0)
        return real(raw, name, *args, **kwargs)

    data = write(tmp_path / "a.yaml", "a", "First", age=0)
    monkeypatch.setattr(parse, "load_bytes", slow)
    assert titles([data]) == ["First"]
    monkeypatch.setattr(parse, "load_bytes", real)
    _same_size_edit(data, "Frist")
    assert titles([data]) == ["Frist"]


# --------------------------------------------------------------------------
# A folder is one entry; only what changed is read again

def test_a_folder_is_one_entry_and_a_warm_run_opens_nothing_else(tmp_path, cache_folder, parses, monkeypatch):
    folder = tmp_path / "films"
    folder.mkdir()
    files = [write(folder / f"f{i:03d}.yaml", f"f{i:03d}", f"Film {i}") for i in range(60)]
    assert titles([folder]) == [f"Film {i}" for i in range(60)]
    assert parses == files
    assert [p.suffix for p in cache_folder.iterdir()] == [".cache"]
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda p, *a, **k: opened.append(os.fspath(p)) or real_open(p, *a, **k))
    assert titles([folder]) == [f"Film {i}" for i in range(60)]
    assert len(parses) == 60
    assert [Path(p).suffix for p in opened] == [".cache"]  # the entry, and not one dataset file


def test_only_the_files_that_changed_are_parsed_again(tmp_path, cache_folder, parses):
    folder = tmp_path / "films"
    (folder / "sub").mkdir(parents=True)
    files = [write(folder / f"f{i}.yaml", f"f{i}", f"Film {i}") for i in range(5)]
    deep = write(folder / "sub" / "g.yaml", "g", "Deep")
    assert titles([folder]) == ["Film 0", "Film 1", "Film 2", "Film 3", "Film 4", "Deep"]
    write(files[1], "f1", "Changed", age=5)
    files[3].unlink()
    new = write(folder / "f9.yaml", "f9", "New")
    os.utime(files[2], None)  # touched, unchanged
    del parses[:]
    assert titles([folder]) == ["Film 0", "Changed", "Film 2", "Film 4", "New", "Deep"]
    assert parses == [files[1], new]
    assert titles([folder]) == ["Film 0", "Changed", "Film 2", "Film 4", "New", "Deep"]
    assert parses == [files[1], new]  # the entry was rewritten with all of it
    assert deep in load_catalog([folder]).files


def test_a_broken_file_in_a_cached_folder_is_reported_and_the_rest_stays_cached(tmp_path, cache_folder, parses):
    folder = tmp_path / "films"
    folder.mkdir()
    good = [write(folder / f"f{i}.yaml", f"f{i}", f"Film {i}") for i in range(3)]
    titles([folder])
    (folder / "f1.yaml").write_text("version: 1\nfilms: [oops\n")
    with pytest.raises(DataError):
        load_catalog([folder])
    assert parses == [*good, good[1]]
    write(good[1], "f1", "Fixed", age=5)
    assert titles([folder]) == ["Film 0", "Fixed", "Film 2"]
    assert parses == [*good, good[1], good[1]]  # only the file that was broken


# --------------------------------------------------------------------------
# Paths of any bytes; writes that fail leave nothing behind; a bounded folder

def test_paths_of_any_bytes_are_cached(tmp_path, cache_folder, parses):
    data = write(tmp_path / os.fsdecode(b"films-\xff.yaml"), "a", "First")
    folder = tmp_path / os.fsdecode(b"d\xfe")
    folder.mkdir()
    inside = write(folder / os.fsdecode(b"\xfa.yaml"), "b", "Second")
    for _ in range(3):
        assert titles([data, folder]) == ["First", "Second"]
    assert parses == [data, inside]
    assert sorted(p.name[-6:] for p in cache_folder.iterdir()) == [".cache", ".cache"]  # and no temp file


@pytest.mark.parametrize("failure", ["encoding", "rename", "disk full"])
def test_a_failed_cache_write_only_means_no_caching(tmp_path, cache_folder, parses, monkeypatch, failure):
    data = write(tmp_path / "a.yaml", "a", "First")
    if failure == "encoding":
        monkeypatch.setattr(cache, "film_to_json", lambda film: (_ for _ in ()).throw(RuntimeError("bug")))
    elif failure == "rename":
        monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError(18, "Invalid cross-device link")))
    else:
        real = cache.array

        class Full(real):  # type: ignore[misc, valid-type]
            def tobytes(self):
                raise OSError(28, "No space left on device")

        monkeypatch.setattr(cache, "array", Full)
    assert titles([data]) == ["First"]
    assert titles([data]) == ["First"]
    assert len(parses) == 2
    assert not cache_folder.exists() or list(cache_folder.iterdir()) == []


def _age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_the_cache_folder_keeps_the_most_recently_used_entries(tmp_path, cache_folder, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    monkeypatch.setattr(cache, "_TOUCH_NS", 0)  # every use renews an entry (normally at most hourly)
    a, b, c, d = (write(tmp_path / f"{x}.yaml", x, x.upper()) for x in "abcd")
    entry = {p: cache.entry_path(cache_folder, str(p)) for p in (a, b, c, d)}
    for n, path in enumerate((a, b, c)):
        titles([path])
        _age(entry[path], 300 - 100 * n)  # a used 300 s ago, b 200 s, c 100 s
    titles([a])  # a used again
    cache_folder.joinpath("notes.txt").write_text("not relcal's")
    stale = cache_folder / f".{entry[b].name}.0123456789ab.tmp"  # left by a run that was killed
    fresh = cache_folder / f".{entry[c].name}.fedcba987654.tmp"  # being written right now
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    _age(stale, 2 * 3600)
    titles([d])
    assert sorted(p.name for p in cache_folder.iterdir()) == sorted(
        [entry[a].name, entry[c].name, entry[d].name, "notes.txt", fresh.name])


def test_the_cache_folder_is_bounded_in_bytes_too(tmp_path, cache_folder, monkeypatch):
    monkeypatch.setattr(cache, "MAX_BYTES", 1)  # smaller than any entry: only the newest stays
    a, b = write(tmp_path / "a.yaml", "a", "A"), write(tmp_path / "b.yaml", "b", "B")
    titles([a])
    titles([b])
    assert [p.name for p in cache_folder.iterdir()] == [cache.entry_path(cache_folder, str(b)).name]
    assert titles([b]) == ["B"]


def test_a_bad_film_line_in_a_folder_entry_reparses_only_its_file_and_mends_the_entry(tmp_path, cache_folder,
                                                                                      parses, monkeypatch):
    folder = tmp_path / "films"
    folder.mkdir()
    files = [write(folder / f"f{i}.yaml", f"f{i}", f"Film {i}") for i in range(3)]
    real = cache.film_to_json
    monkeypatch.setattr(cache, "film_to_json", lambda f: [*real(f)[:1], ["not a title"], *real(f)[2:]]
                        if f.id == "f1" else real(f))
    titles([folder])
    monkeypatch.setattr(cache, "film_to_json", real)
    assert titles([folder]) == ["Film 0", "Film 1", "Film 2"]
    assert parses == [*files, files[1]]
    assert titles([folder]) == ["Film 0", "Film 1", "Film 2"]
    assert parses == [*files, files[1]]
