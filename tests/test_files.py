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

    writers = re.compile(r"\bos\.replace\(|\bos\.rename\(|open\([^)]*['\"][wax]b?['\"]|(?<!sink)(?<!self)\.write_(bytes|text)\(|mkstemp")
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


def test_a_reader_never_sees_a_part_of_a_file_nor_a_file_missing(tmp_path):
    out = tmp_path / "out"
    names = [f"f{i}.ics" for i in range(20)]
    files.write_set(out, {n: b"0" * 50_000 for n in names})
    stop = threading.Event()
    problems: list[str] = []

    def read() -> None:
        while not stop.is_set():
            for n in names:
                try:
                    data = (out / n).read_bytes()
                except FileNotFoundError:
                    problems.append(f"{n} missing")
                    continue
                if len(data) != 50_000 or len(set(data)) != 1:
                    problems.append(f"{n} part-written")

    reader = threading.Thread(target=read)
    reader.start()
    for generation in range(1, 16):
        files.write_set(out, {n: str(generation % 10).encode() * 50_000 for n in names})
    stop.set()
    reader.join()
    assert problems == []


def test_every_file_is_complete_on_disk_before_the_first_is_renamed_and_pages_go_last(tmp_path, monkeypatch):
    out = tmp_path / "out"
    files.write_set(out, {"index.html": b"old", "releases.ics": b"old"})
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(files.os, "fsync", lambda fd: (events.append(("flushed", "")), real_fsync(fd))[1])
    monkeypatch.setattr(files.os, "replace", lambda a, b: (events.append(("renamed", Path(b).name)), real_replace(a, b))[1])
    files.write_set(out, {"index.html": b"new", "releases.ics": b"new", "platform/hulu.ics": b"new"})
    renames = [name for what, name in events if what == "renamed"]
    assert sorted(renames[:2]) == ["hulu.ics", "releases.ics"] and renames[2] == "index.html"  # the page last
    first_rename = events.index(("renamed", renames[0]))
    assert [what for what, _ in events[:first_rename]] == ["flushed"] * 3  # all three written in full first


def test_the_folder_stays_the_same_folder(tmp_path):
    """A bind mount of the folder (a container's volume), a shell working in it, its
    owner and mode: all still see the folder after a second set is written."""
    out = tmp_path / "out"
    files.write_set(out, {"a.ics": b"A"})
    out.chmod(0o2775)
    before = out.stat()
    in_it = subprocess.Popen([sys.executable, "-c", "import os, sys; sys.stdin.read(); print(sorted(os.listdir('.')))"],
                             cwd=out, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    files.write_set(out, {"b.ics": b"B"})
    listed, _ = in_it.communicate("go", timeout=30)
    after = out.stat()
    assert (after.st_ino, after.st_dev, stat.S_IMODE(after.st_mode), after.st_uid, after.st_gid) == (
        before.st_ino, before.st_dev, 0o2775, before.st_uid, before.st_gid)
    assert listed.strip() == str(sorted([files.MANIFEST, "b.ics"]))


def test_a_bind_mount_of_the_folder_shows_the_new_set(tmp_path):
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a bind mount needs root; the folder's identity is checked without one above")
    out, mounted = tmp_path / "out", tmp_path / "mounted"
    files.write_set(out, {"a.ics": b"A"})
    mounted.mkdir()
    if subprocess.run(["mount", "--bind", str(out), str(mounted)], capture_output=True).returncode != 0:
        pytest.skip("this machine does not allow bind mounts (a container without CAP_SYS_ADMIN)")
    try:
        files.write_set(out, {"b.ics": b"B"})
        assert sorted(p.name for p in mounted.iterdir()) == [files.MANIFEST, "b.ics"]
    finally:
        subprocess.run(["umount", str(mounted)], check=False)


def test_a_users_file_where_relcal_writes_one_is_replaced_and_said(tmp_path):
    out = tmp_path / "docs"
    out.mkdir()
    (out / "index.html").write_text("<h1>My project</h1>")
    said: list[str] = []
    files.write_set(out, {"index.html": b"relcal's page"}, note=said.append)
    assert (out / "index.html").read_bytes() == b"relcal's page"
    assert said == [f"relcal: replaced {out / 'index.html'}, which relcal had not written; it is relcal's now"]
    said.clear()
    files.write_set(out, {"index.html": b"relcal's page again"}, note=said.append)
    assert said == []  # relcal's own now


@pytest.mark.parametrize("blocker", ["file", "folder"])
def test_a_users_file_or_folder_in_the_way_is_refused_and_nothing_changes(tmp_path, blocker):
    out = tmp_path / "docs"
    out.mkdir()
    if blocker == "file":
        (out / "kind").write_text("the user's notes")  # relcal needs kind/ as a folder
        wanted = {"index.html": b"page", "kind/vod.ics": b"V"}
        message = f"{out / 'kind'} is a file, not a folder"
    else:
        (out / "index.html").mkdir()
        wanted = {"index.html": b"page"}
        message = "something other than a file is there"
    before = _tree(out)
    with pytest.raises(ExportError, match=message):
        files.write_set(out, wanted)
    assert _tree(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in out.iterdir() if not p.name.startswith("."))


def test_a_file_on_the_way_to_the_folder_is_one_line(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ExportError, match=f"cannot write to {tmp_path / 'afile' / 'sub'}: {tmp_path / 'afile'} "
                                          "is a file, not a folder"):
        files.write_set(tmp_path / "afile" / "sub", {"a.ics": b"A"})
    with pytest.raises(ExportError, match="it is a file, not a folder"):
        files.write_set(tmp_path / "afile", {"a.ics": b"A"})


def test_the_root_folder_is_a_folder_like_any_other(tmp_path, monkeypatch):
    # '/' has no name to put a temporary folder beside; an existing folder needs none
    monkeypatch.setattr(files, "_recorded", lambda folder: [])
    monkeypatch.setattr(files, "_check_room", lambda *args: (_ for _ in ()).throw(ExportError("stop here")))
    with pytest.raises(ExportError, match="stop here"):
        files.write_set(Path("/"), {"a.ics": b"A"})


def test_a_new_folder_appears_whole(tmp_path):
    out = tmp_path / "new" / "site"
    files.write_set(out, {"index.html": b"page", "platform/hulu.ics": b"H"})
    assert _tree(out) == {files.MANIFEST: _tree(out)[files.MANIFEST], "index.html": b"page",
                          "platform/hulu.ics": b"H"}
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["site"]  # no staging folder left


def test_stale_files_and_the_folders_they_leave_empty_are_removed(tmp_path):
    out = tmp_path / "out"
    files.write_set(out, {"index.html": b"p", "film/a.ics": b"A", "platform/hulu.ics": b"H"})
    (out / "platform" / "mine.txt").write_text("mine")
    assert sorted(files.write_set(out, {"index.html": b"p"})) == ["film/a.ics", "platform/hulu.ics"]
    assert not (out / "film").exists() and (out / "platform" / "mine.txt").exists()


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
