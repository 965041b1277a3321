"""The one writer (relcal.files): every kind of thing that can stand at an output path.

Each case is what a user meets with `relcal export -o PATH` (and add, sync,
--split-by, which use the same writer): the target after the write, the data
that reached it, and what a failure leaves behind.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from relcal import files
from relcal.errors import ExportError

from .conftest import ROOT

NEW = b"BEGIN:VCALENDAR\r\nnew\r\nEND:VCALENDAR\r\n"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RELCAL_DATA", "RELCAL_TODAY")}
    # a fixed DTSTAMP: two exports compared byte for byte must not straddle a second
    return {**env, "NO_COLOR": "1", "COLUMNS": "80", "SOURCE_DATE_EPOCH": "1611100800", **extra}


def _relcal(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "relcal", *args], capture_output=True, env=_env(), cwd=ROOT,
                          timeout=120, **kwargs)


# ---------------------------------------------------------------------------
# write_file: one path, whatever stands there

def test_a_regular_file_is_replaced_whole_and_keeps_its_permission_bits(tmp_path):
    target = tmp_path / "releases.ics"
    target.write_bytes(b"old")
    target.chmod(0o640)
    inode = target.stat().st_ino
    files.write_file(target, NEW)
    assert target.read_bytes() == NEW
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.stat().st_ino != inode  # a new file renamed over: readers saw old or new, never a part
    assert [p.name for p in tmp_path.iterdir()] == ["releases.ics"]  # no temporary file left


def test_a_new_file_is_readable_by_others_as_the_umask_allows(tmp_path):
    old = os.umask(0o022)
    try:
        files.write_file(tmp_path / "new.ics", NEW)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.ics").stat().st_mode) == 0o644  # a web server can serve it


def test_a_symlink_stays_a_link_and_its_target_is_replaced(tmp_path):
    real = tmp_path / "pub" / "calendar.ics"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "link.ics"
    link.symlink_to(real)
    files.write_file(link, NEW)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == NEW
    assert sorted(p.name for p in real.parent.iterdir()) == ["calendar.ics"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.ics"
    link.symlink_to("made-now.ics")
    files.write_file(link, NEW)
    assert link.is_symlink()
    assert (tmp_path / "made-now.ics").read_bytes() == NEW


def test_a_fifo_is_written_in_place_and_its_reader_gets_everything(tmp_path):
    fifo = tmp_path / "pipe.ics"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    try:
        files.write_file(fifo, NEW * 1000)  # larger than a pipe's buffer
    finally:
        reader.join(timeout=30)
        if reader.is_alive():  # the FIFO was replaced and its reader still waits: release it
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)) if stat.S_ISFIFO(fifo.lstat().st_mode) else None
    assert not reader.is_alive()
    assert got == [NEW * 1000]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still a FIFO, not a file renamed over it


def test_a_character_device_is_written_in_place(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mknod needs root; this one case is skipped when the tests do not run as root")
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the numbers of /dev/null
    except PermissionError:
        pytest.skip("this machine refuses mknod even to root (a container without CAP_MKNOD)")
    files.write_file(device, NEW)
    assert stat.S_ISCHR(device.lstat().st_mode)  # /dev/null stays /dev/null
    assert [p.name for p in tmp_path.iterdir()] == ["null"]


def test_export_to_a_device_leaves_it_a_device(tmp_path):
    # As root a regression would turn the machine's /dev/null into a file: use a device of our own then.
    device = Path("/dev/null")
    if os.geteuid() == 0:
        device = tmp_path / "null"
        try:
            os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("this machine refuses mknod even to root, and the real /dev/null is not put at risk")
    before = os.lstat(device)
    result = _relcal("export", "-o", str(device))
    assert result.returncode == 0, result.stderr
    after = os.lstat(device)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


@pytest.fixture
def dev_stdout():
    """/dev/stdout as it was, put back if a regression replaced it (as root it could)."""
    link = Path("/dev/stdout")
    before = os.readlink(link) if link.is_symlink() else None
    yield
    if before is not None and not link.is_symlink():
        link.unlink()
        link.symlink_to(before)
        pytest.fail("relcal replaced the /dev/stdout link with a file (put back)")


def test_export_to_dev_stdout_reaches_the_pipe(dev_stdout):
    shell = subprocess.run(f"{sys.executable} -m relcal export -o /dev/stdout | head -3; exit ${{PIPESTATUS[0]}}",
                           shell=True, executable="/bin/bash", capture_output=True, env=_env(), cwd=ROOT, timeout=120)
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.splitlines() == [b"BEGIN:VCALENDAR", b"VERSION:2.0", b"PRODID:-//relcal//relcal " +
                                         shell.stdout.splitlines()[2].split(b"relcal ")[-1]]
    assert shell.stderr == b""


def test_export_into_a_process_substitution_feeds_the_process(tmp_path):
    target = tmp_path / "cal.ics.gz"
    shell = subprocess.run(f"{sys.executable} -m relcal export -o >(gzip > {target}); wait",
                           shell=True, executable="/bin/bash", capture_output=True, env=_env(), cwd=ROOT, timeout=120)
    assert shell.returncode == 0, shell.stderr
    unpacked = subprocess.run(["gzip", "-dc", str(target)], capture_output=True, check=True).stdout
    assert unpacked == _relcal("export").stdout


def test_a_writable_file_in_a_read_only_folder_is_written_in_place():
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="relcal-ro-"))  # pytest's own folders are closed to other users
    os.chmod(base, 0o755)
    folder = base / "ro"
    folder.mkdir()
    target = folder / "releases.ics"
    target.write_bytes(b"old")
    os.chmod(target, 0o666)
    os.chmod(folder, 0o555)
    try:
        # root may write anywhere: drop to nobody so the folder really refuses new files
        drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
        if drop and not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: cannot make a folder refuse new files")
        code = ("import sys; from relcal.files import write_file; "
                f"write_file({str(target)!r}, sys.stdin.buffer.read())")
        done = subprocess.run([*drop, sys.executable, "-c", code], input=NEW, capture_output=True,
                              env={**_env(), "PYTHONPATH": str(ROOT / "src")}, timeout=60)
        assert done.returncode == 0, done.stderr
        assert target.read_bytes() == NEW
        assert sorted(p.name for p in folder.iterdir()) == ["releases.ics"]
        # and a file that is not writable either: one line, nothing changed
        os.chmod(target, 0o444)
        refused = subprocess.run([*drop, sys.executable, "-c", code], input=b"x", capture_output=True,
                                 env={**_env(), "PYTHONPATH": str(ROOT / "src")}, timeout=60)
        assert refused.returncode != 0 and b"Permission denied" in refused.stderr
        assert target.read_bytes() == NEW
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(base)


def test_a_full_disk_leaves_the_old_file_and_no_temporary_one(tmp_path, monkeypatch):
    target = tmp_path / "releases.ics"
    target.write_bytes(b"old")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(ExportError, match="No space left on device; nothing was written and any old file"):
        files.write_file(target, NEW)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["releases.ics"]


def test_a_folder_at_the_path_is_refused(tmp_path):
    with pytest.raises(ExportError, match="it is a folder; give a file name"):
        files.write_file(tmp_path, NEW)


def test_every_file_relcal_writes_goes_through_the_one_writer():
    """No other module opens files for writing or renames over them (the parse cache
    and round-trip edits use files.replace / files.write_file)."""
    import re

    writers = re.compile(r"\bos\.replace\(|\bos\.rename\(|open\([^)]*['\"][wax]b?['\"]|(?<!sink)\.write_(bytes|text)\(|mkstemp")
    offenders = []
    for path in sorted((ROOT / "src" / "relcal").rglob("*.py")):
        if path.name == "files.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if writers.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


# ---------------------------------------------------------------------------
# write_set: a folder of calendars replaced as a whole

def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_set_replaces_relcal_files_and_keeps_the_users(tmp_path):
    out = tmp_path / "out"
    assert files.write_set(out, {"hulu.ics": b"H", "kind/vod.ics": b"V"}) == []
    (out / "README.txt").write_bytes(b"mine")
    (out / "kind" / "notes.txt").write_bytes(b"also mine")
    removed = files.write_set(out, {"netflix.ics": b"N"})
    assert removed == ["hulu.ics", "kind/vod.ics"]
    tree = _tree(out)
    assert tree.pop(files.MANIFEST) and tree == {"README.txt": b"mine", "kind/notes.txt": b"also mine",
                                                  "netflix.ics": b"N"}
    assert json.loads((out / files.MANIFEST).read_text())["files"] == ["netflix.ics"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left


def test_a_file_not_in_the_manifest_is_never_removed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "hulu.ics").write_bytes(b"a calendar the user put here")
    files.write_set(out, {"netflix.ics": b"N"})
    assert (out / "hulu.ics").read_bytes() == b"a calendar the user put here"


def test_a_reader_of_the_folder_sees_one_set_never_a_mix(tmp_path):
    out = tmp_path / "out"
    names = [f"f{i}.ics" for i in range(20)]
    files.write_set(out, {n: b"0" for n in names})
    stop = threading.Event()
    seen: list[set[bytes]] = []

    def read() -> None:
        while not stop.is_set():
            fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)  # one folder, as a server resolves a request
            try:
                versions = set()
                for n in names:
                    with open(os.open(n, os.O_RDONLY, dir_fd=fd), "rb") as handle:
                        versions.add(handle.read())
                seen.append(versions)
            except FileNotFoundError:
                pass  # the old set, swapped out and being removed under this reader: it opens the folder again
            finally:
                os.close(fd)

    reader = threading.Thread(target=read)
    reader.start()
    for generation in range(1, 30):
        files.write_set(out, {n: str(generation).encode() for n in names})
    stop.set()
    reader.join()
    assert len(seen) > 10 and all(len(v) == 1 for v in seen), [v for v in seen if len(v) != 1][:3]


def test_a_set_falls_back_to_one_file_at_a_time_where_folders_cannot_be_swapped(tmp_path, monkeypatch):
    out = tmp_path / "out"
    files.write_set(out, {"a.ics": b"A", "b.ics": b"B"})
    (out / "mine.txt").write_bytes(b"mine")
    monkeypatch.setattr(files, "_swap_in", lambda *args: False)
    assert files.write_set(out, {"b.ics": b"B2"}) == ["a.ics"]
    tree = _tree(out)
    tree.pop(files.MANIFEST)
    assert tree == {"b.ics": b"B2", "mine.txt": b"mine"}


def test_an_out_dir_that_is_a_symlink_stays_one(tmp_path):
    real = tmp_path / "www"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    files.write_set(tmp_path / "link", {"a.ics": b"A"})
    files.write_set(tmp_path / "link", {"b.ics": b"B"})
    assert (tmp_path / "link").is_symlink()
    assert sorted(p.name for p in real.iterdir()) == [files.MANIFEST, "b.ics"]


def test_names_outside_the_folder_are_refused(tmp_path):
    for bad in ("../x.ics", "/etc/x.ics", ".hidden.ics", "a//b.ics", ""):
        with pytest.raises(ValueError):
            files.write_set(tmp_path / "out", {bad: b"x"})
    assert not (tmp_path / "out").exists()
