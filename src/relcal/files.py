"""The one writer of files: whatever stands at a path, a failure never leaves a
half-written file and never destroys what the path pointed to.

``write_file(path, data)`` decides from what is at PATH:

- nothing, or a regular file: DATA goes to a temporary file in the same folder,
  is flushed to disk and renamed over the target, so readers see the old file
  or the new one, never a part; the target keeps its permission bits (a new
  file gets 0666 minus the umask: a calendar on a web server must be readable);
- a symbolic link: the file it points to is replaced that way (the link stays a
  link); a link to nothing creates its target;
- a character device, a FIFO or a socket's path, and ``/dev/stdout``,
  ``/dev/fd/N`` and the like: written in place, never renamed over (``-o
  /dev/null`` stays /dev/null, ``-o >(gzip > x)`` feeds gzip);
- a regular file in a folder where no temporary file can be made (read-only,
  or not ours): written in place once the data is complete, if the file itself
  is writable;
- a folder: an error.

``replace(target, chunks)`` is the temp-and-rename primitive itself, which the
parse cache also uses for its entries.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from .errors import ExportError

# Paths that name a stream of this process or the system, not a file on disk.
_STREAM_PREFIXES = ("/dev/", "/proc/self/fd/", "/proc/thread-self/fd/")
# Errors that mean "no new file can be made in this folder", as opposed to a disk that is full.
_NO_NEW_FILE = (errno.EACCES, errno.EPERM, errno.EROFS)


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


class NoTemporaryFile(OSError):
    """No temporary file could be made beside the target (the folder is read-only, or not ours)."""


def _failed(path: Path | str, exc: OSError, *, existed: bool = True, in_place: bool = False) -> ExportError:
    reason = exc.strerror or str(exc)
    if in_place:
        return ExportError(f"cannot write {path}: {reason}")
    if not existed or isinstance(exc, NoTemporaryFile):
        return ExportError(f"cannot write {path}: {reason}; nothing was written")
    return ExportError(f"cannot write {path}: {reason}; nothing was written and any old file is unchanged")


def _temporary(target: Path) -> tuple[int, Path]:
    """A new file beside TARGET, only ours (O_EXCL), named so that it is hidden and known
    as a temporary one (the parse cache's clean-up relies on the pattern)."""
    for _ in range(8):
        temp = target.with_name(f".{target.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600), temp
        except FileExistsError:
            continue
        except OSError as exc:
            raise NoTemporaryFile(exc.errno, exc.strerror or str(exc)) from None
    raise NoTemporaryFile(errno.EEXIST, "no free temporary name")


def replace(target: Path, chunks: Iterable[bytes], *, mode: int | None = None, durable: bool = True) -> None:
    """Write CHUNKS to a temporary file beside TARGET, then rename it over TARGET.

    On any failure the temporary file is removed and TARGET is as it was. Raises
    OSError (the caller words it), NoTemporaryFile when none could be made;
    DURABLE flushes the data to disk before the rename.
    """
    fd, temp = _temporary(target)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(temp, _new_file_mode() if mode is None else mode)
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def _in_place(path: Path | str, data: bytes, *, truncate: bool) -> None:
    flags = os.O_WRONLY | (os.O_TRUNC if truncate else 0)
    fd = os.open(path, flags)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if truncate:
            os.fsync(fd)
    finally:
        os.close(fd)


def write_file(path: Path | str, data: bytes) -> None:
    """Write DATA to PATH as the module's docstring says; ExportError (exit 1) if it cannot."""
    shown = path
    text = os.fspath(path)
    try:
        found = os.stat(text)  # follows symbolic links
    except FileNotFoundError:
        found = None  # nothing there, or a link to nothing
    except OSError as exc:
        raise _failed(shown, exc) from None
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise ExportError(f"cannot write {shown}: it is a folder; give a file name")
    if (found is not None and not stat.S_ISREG(found.st_mode)) or text.startswith(_STREAM_PREFIXES):
        try:
            _in_place(text, data, truncate=found is not None and stat.S_ISREG(found.st_mode))
        except BrokenPipeError:
            raise  # the reader (head) went away: the command ends quietly, as on stdout
        except OSError as exc:
            raise _failed(shown, exc, in_place=True) from None
        return
    target = Path(os.path.realpath(text))
    mode = stat.S_IMODE(found.st_mode) if found is not None else None
    try:
        replace(target, (data,), mode=mode)
    except NoTemporaryFile as exc:
        if exc.errno in _NO_NEW_FILE and found is not None and os.access(target, os.W_OK):
            try:  # a folder we cannot add to, a file we may change: the data is complete, write it
                _in_place(target, data, truncate=True)
                return
            except OSError as again:
                raise _failed(shown, again, in_place=True) from None
        raise _failed(shown, exc, existed=found is not None) from None
    except OSError as exc:
        raise _failed(shown, exc, existed=found is not None) from None


# ---------------------------------------------------------------------------
# A set of files in one folder (export --split-by, publish)

MANIFEST = ".relcal-export.json"
_RENAME_EXCHANGE = 2  # renameat2(2): swap two paths in one step


def _own_name(name: object) -> bool:
    """A name relcal may write or remove: a relative path below the folder, no '..', no
    hidden part (the manifest and temporary files are hidden)."""
    if not isinstance(name, str) or not name or name.startswith("/") or "\\" in name or "\0" in name:
        return False
    return all(part and not part.startswith(".") for part in name.split("/"))


def _recorded(folder: Path) -> list[str]:
    import json

    try:
        files = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [n for n in files if _own_name(n)] if isinstance(files, list) else []


def _manifest(names: Iterable[str]) -> bytes:
    import json

    return (json.dumps({"written_by": "relcal", "files": sorted(names)}, indent=1) + "\n").encode("utf-8")


def write_set(folder: Path, files: dict[str, bytes]) -> list[str]:
    """Make FOLDER hold exactly FILES among the files relcal writes there, in one step.

    Which files are relcal's is recorded in FOLDER/.relcal-export.json; a file not
    named there is never removed (a user's own files stay). The new set is built in
    a hidden folder beside FOLDER, the user's files linked into it, and the two
    folders are swapped by one rename (Linux renameat2 RENAME_EXCHANGE): a reader
    sees the old set or the new one, never a mix. Where that cannot be done (no
    room beside the folder, a file system without the exchange), each file is
    replaced atomically on its own and the stale ones removed after. Returns the
    names removed; ExportError (exit 1) if the set cannot be written.
    """
    for name in files:
        if not _own_name(name):
            raise ValueError(f"not a file name relcal writes: {name!r}")
    target = Path(os.path.realpath(folder))
    if target.exists() and not target.is_dir():
        raise ExportError(f"cannot write to {folder}: it is a file, not a folder")
    own = _recorded(target) if target.is_dir() else []
    removed = [n for n in own if n not in files and os.path.lexists(target / n)]
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if _swap_in(target, files, set(own)):
            return removed
    except OSError as exc:
        raise ExportError(f"cannot write to {folder}: {exc.strerror or exc}; nothing was changed") from None
    return _one_by_one(folder, target, files, own)


def _swap_in(target: Path, files: dict[str, bytes], own: set[str]) -> bool:
    """Build the new set beside TARGET and swap it in; False if this cannot be done here
    (then nothing was changed). OSError for a failure that per-file writing would meet too."""
    import ctypes
    import shutil

    try:
        staging = Path(_staging_folder(target))
    except OSError as exc:
        if exc.errno in _NO_NEW_FILE:
            return False
        raise
    try:
        existed = target.is_dir()
        mode = stat.S_IMODE(os.stat(target).st_mode) if existed else 0o777 & ~_umask()
        os.chmod(staging, mode)
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            old = target / name
            keep = stat.S_IMODE(os.stat(old).st_mode) if existed and old.is_file() else _new_file_mode()
            with open(path, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(path, keep)
        (staging / MANIFEST).write_bytes(_manifest(files))
        if not existed:
            os.rename(staging, target)  # nothing there: one rename makes the whole set appear
            return True
        try:
            _link_others(target, staging, set(files) | own)
        except OSError as exc:
            if exc.errno in (errno.EPERM, errno.EACCES, errno.EXDEV, errno.EMLINK):
                shutil.rmtree(staging, ignore_errors=True)
                return False
            raise
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = getattr(libc, "renameat2", None)
        at_fdcwd = -100
        if renameat2 is None or renameat2(at_fdcwd, os.fsencode(staging), at_fdcwd, os.fsencode(target),
                                          _RENAME_EXCHANGE) != 0:
            shutil.rmtree(staging, ignore_errors=True)
            return False
        # STAGING now holds the old set. Anything the user added meanwhile is moved over, not lost.
        _rescue(staging, target, set(files) | own | {MANIFEST})
        shutil.rmtree(staging, ignore_errors=True)
        return True
    except BaseException:
        if staging.exists() and staging != target:
            shutil.rmtree(staging, ignore_errors=True)
        raise


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _staging_folder(target: Path) -> str:
    for _ in range(8):
        path = target.with_name(f".{target.name}.{os.urandom(6).hex()}.tmp")
        try:
            os.mkdir(path, 0o700)
            return str(path)
        except FileExistsError:
            continue
    raise OSError(errno.EEXIST, "no free temporary name")


def _link_others(old: Path, new: Path, ours: set[str], prefix: str = "") -> None:
    """Hard-link into NEW every entry of OLD that relcal does not own (the user's files),
    keeping folders, links and modes; a folder that only held relcal's files is dropped."""
    for entry in os.scandir(old):
        name = prefix + entry.name
        if name in ours or name == MANIFEST:
            continue
        if entry.is_dir(follow_symlinks=False):
            has_own = any(n.startswith(name + "/") for n in ours)
            (new / entry.name).mkdir(exist_ok=True)
            _link_others(Path(entry.path), new / entry.name, ours, name + "/")
            if has_own and not any(os.scandir(new / entry.name)):
                os.rmdir(new / entry.name)  # only relcal's files were there
            else:
                os.chmod(new / entry.name, stat.S_IMODE(entry.stat(follow_symlinks=False).st_mode))
        elif not os.path.lexists(new / entry.name):
            os.link(entry.path, new / entry.name, follow_symlinks=False)


def _rescue(old: Path, new: Path, ours: set[str], prefix: str = "") -> None:
    """Move to NEW what appeared in OLD after the set was built (not ours, not linked)."""
    for entry in os.scandir(old):
        name = prefix + entry.name
        if name in ours:
            continue
        there = new / entry.name
        if entry.is_dir(follow_symlinks=False):
            if there.is_dir() and not there.is_symlink():
                _rescue(Path(entry.path), there, ours, name + "/")
            elif not os.path.lexists(there):
                os.rename(entry.path, there)
        elif not os.path.lexists(there):
            os.rename(entry.path, there)


def _one_by_one(shown: Path, target: Path, files: dict[str, bytes], own: list[str]) -> list[str]:
    """The fallback: each file replaced atomically, then the stale ones removed, then the manifest."""
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create {shown}: {exc.strerror or exc}") from None
    for name, data in files.items():
        path = target / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
        write_file(path, data)
    removed = []
    for name in own:
        path = target / name
        if name in files or not path.is_file() or path.is_symlink():
            continue
        try:
            path.unlink()
            removed.append(name)
        except OSError:
            pass  # still there: it stays recorded, and the next run tries again
    kept_stale = [n for n in own if n not in files and n not in removed and os.path.lexists(target / n)]
    write_file(target / MANIFEST, _manifest([*files, *kept_stale]))
    return removed
