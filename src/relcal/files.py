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
parse cache also uses for its entries; ``write_set(folder, files)`` writes a
set of files into one folder (``export --split-by``, ``publish``).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import ExportError

# Paths that name a stream of this process or the system, not a file on disk.
_STREAM_PREFIXES = ("/dev/", "/proc/self/fd/", "/proc/thread-self/fd/")
# Errors that mean "no new file can be made in this folder", as opposed to a disk that is full.
_NO_NEW_FILE = (errno.EACCES, errno.EPERM, errno.EROFS)


def _umask() -> int:
    umask = os.umask(0)  # the only way to read it is to set it
    os.umask(umask)
    return umask


def _new_file_mode() -> int:
    return 0o666 & ~_umask()


class NoTemporaryFile(OSError):
    """No temporary file could be made beside the target (the folder is read-only, or not ours)."""


def _failed(path: Path | str, exc: OSError, *, existed: bool = True, in_place: bool = False) -> ExportError:
    reason = exc.strerror or str(exc)
    if in_place:
        return ExportError(f"cannot write {path}: {reason}")
    if not existed or isinstance(exc, NoTemporaryFile):
        return ExportError(f"cannot write {path}: {reason}; nothing was written")
    return ExportError(f"cannot write {path}: {reason}; nothing was written and any old file is unchanged")


def _hidden_name(target: Path) -> Path:
    """A new hidden name beside TARGET, known as a temporary one by its pattern (the
    parse cache's clean-up relies on it)."""
    return target.with_name(f".{target.name}.{os.urandom(6).hex()}.tmp")


def _temporary(target: Path) -> tuple[int, Path]:
    """A new file beside TARGET, only ours (O_EXCL)."""
    for _ in range(8):
        temp = _hidden_name(target)
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


def _last(name: str) -> tuple[bool, int, str]:
    # Pages go in after the calendars they link to, the top page last of all.
    return name.endswith(".html"), -name.count("/"), name


def write_set(folder: Path, files: dict[str, bytes], *, note: Callable[[str], None] | None = None) -> list[str]:
    """Make FOLDER hold exactly FILES among the files relcal writes there.

    Which files are relcal's is recorded in FOLDER/.relcal-export.json: a file not
    named there is never removed, and one that stands where FILES puts a file is
    replaced only if it is a regular file (NOTE is told so). A new folder is built
    beside its place and renamed into it whole. Into an existing folder, every file is
    first written in full to a hidden temporary file beside its place and flushed to
    disk; only then are they renamed into place, one after another (pages after the
    calendars they link to), the stale ones removed, and the manifest written. The
    folder itself stays the same folder: a bind mount of it (a container's volume),
    a shell working in it, its owner, group and ACLs are unchanged. Returns the names
    removed; ExportError (exit 1) if the set cannot be written.
    """
    for name in files:
        if not _own_name(name):
            raise ValueError(f"not a file name relcal writes: {name!r}")
    target = Path(os.path.realpath(folder))
    if not target.exists():
        _blocked(folder, target)
        _new_folder(folder, target, files)
        return []
    if not target.is_dir():
        raise ExportError(f"cannot write to {folder}: it is a file, not a folder")
    own = _recorded(target)
    _check_room(folder, target, files, set(own))
    staged: list[tuple[Path, Path]] = []
    try:
        for name in sorted(files, key=_last):
            path = target / name
            _make_folders(folder, target, name)
            mode = stat.S_IMODE(path.stat().st_mode) if path.is_file() else _new_file_mode()
            fd, temp = _temporary(path)
            staged.append((temp, path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(files[name])
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, mode)
        for name in sorted(files, key=_last):
            if note and name not in own and (target / name).is_file():
                note(f"relcal: replaced {Path(folder) / name}, which relcal had not written; it is relcal's now")
        while staged:
            temp, path = staged[0]
            os.replace(temp, path)
            staged.pop(0)
    except OSError as exc:
        done = len(files) - len(staged)
        changed = f"{done} of {len(files)} files were replaced" if done else "nothing was changed"
        raise ExportError(f"cannot write to {folder}: {exc.strerror or exc}; {changed}") from None
    finally:
        for temp, _ in staged:
            try:
                os.unlink(temp)
            except OSError:
                pass
    removed = _remove_stale(target, [n for n in own if n not in files])
    kept = [n for n in own if n not in files and n not in removed and os.path.lexists(target / n)]
    write_file(target / MANIFEST, _manifest([*files, *kept]))
    return removed


def _blocked(shown: Path, target: Path) -> None:
    """One line for a file standing where a folder on the way to TARGET should be."""
    for parent in (target, *target.parents):
        if os.path.lexists(parent):
            if not parent.is_dir():
                raise ExportError(f"cannot write to {shown}: {parent} is a file, not a folder")
            return


def _new_folder(shown: Path, target: Path, files: dict[str, bytes]) -> None:
    """Build the whole set in a hidden folder beside TARGET, then rename it into place:
    a reader finds no folder, then all of it."""
    import shutil

    staging: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(8):
            try:
                staging = _hidden_name(target)
                os.mkdir(staging, 0o700)
                break
            except FileExistsError:
                staging = None
        if staging is None:
            raise OSError(errno.EEXIST, "no free temporary name")
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(path, _new_file_mode())
        (staging / MANIFEST).write_bytes(_manifest(files))
        os.chmod(staging, 0o777 & ~_umask())
        os.rename(staging, target)
        staging = None
    except OSError as exc:
        raise ExportError(f"cannot write to {shown}: {exc.strerror or exc}; nothing was written") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def _check_room(shown: Path, target: Path, files: dict[str, bytes], own: set[str]) -> None:
    """Refuse, before anything is written, a set that would have to remove a folder or a
    file of the user's to make room (a folder where a file goes, or a file where a folder
    goes)."""
    for name in files:
        parts = name.split("/")
        for depth in range(1, len(parts)):
            prefix = "/".join(parts[:depth])
            path = target / prefix
            if os.path.lexists(path) and not (path.is_dir() and not path.is_symlink()):
                raise ExportError(f"cannot write {Path(shown) / name}: {Path(shown) / prefix} is a file, not a folder; "
                                  "move it away (relcal removes only files it wrote)")
        path = target / name
        if os.path.lexists(path) and (path.is_symlink() or not path.is_file()):
            raise ExportError(f"cannot write {Path(shown) / name}: something other than a file is there; "
                              "move it away (relcal replaces only files)")


def _make_folders(shown: Path, target: Path, name: str) -> None:
    folder = (target / name).parent
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o777 & ~_umask())


def _remove_stale(target: Path, stale: list[str]) -> list[str]:
    """Remove relcal's files that this set does not write, and the folders they leave empty."""
    removed = []
    for name in stale:
        path = target / name
        try:
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(name)
        except OSError:
            continue  # still there: it stays recorded, and the next run tries again
        for parent in path.parents:
            if parent == target:
                break
            try:
                parent.rmdir()  # only if empty
            except OSError:
                break
    return removed
