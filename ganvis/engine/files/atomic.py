"""Atomic file writes: a temporary file beside the target, fsynced, then renamed into place.

The temporary file's name carries the writer's process id, `.NAME.PID.RANDOM.tmp`. A process
killed mid-write leaves one behind (the target itself stays whole); the next write of the same
target deletes those whose process is gone."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces `path` in one
    rename, on any error it is deleted and `path` is left exactly as it was."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    remove_orphans(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=folder)
    os.close(fd)
    with contextlib.suppress(OSError):  # mkstemp makes 0600; give the usual umask'd mode
        os.chmod(tmp, 0o666 & ~_umask())
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable where the OS allows
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def remove_orphans(path: str | Path) -> int:
    """Delete temporary files of `path` left by writers that no longer run; return how many."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    removed = 0
    for tmp in folder.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = tmp.name[len(path.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed += 1
    return removed


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would terminate the process there: never ask, keep the file
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):  # someone else's process, or cannot tell: keep its file
        return True
    return True


def _read_umask() -> int:
    mask = os.umask(0o022)  # the only portable way to read it; done once, at import
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def _umask() -> int:
    return _UMASK


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)
