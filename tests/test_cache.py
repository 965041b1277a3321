"""The parse cache: used when fresh, rebuilt when not, never trusted blindly, never fatal."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from relcal import cache, catalog, parse
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
    real = parse.load_file

    def counting(path, *args, **kwargs):
        calls.append(Path(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(parse, "load_file", counting)
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


def test_a_json_entry_with_wrong_types_falls_back_to_parsing(tmp_path, cache_folder, parses, monkeypatch):
    data = write(tmp_path / "a.yaml", "a", "First")
    titles([data])
    # An entry whose film line decodes but is not what relcal wrote (its CRC made to match).
    monkeypatch.setattr(cache, "film_from_json", lambda data: (_ for _ in ()).throw(TypeError("not a film")))
    assert titles([data]) == ["First"]
    assert len(parses) == 2


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
    real = parse.load_file

    def slow(path, *args, **kwargs):
        time.sleep(0.5)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(parse, "load_file", slow)
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
