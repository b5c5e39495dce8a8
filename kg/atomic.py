"""Atomic file writes.

A build that is interrupted (Ctrl-C, crash, full disk) must never leave a
half-written GraphML/CSV/HTML file behind, because a truncated output looks
valid to a quick glance and silently corrupts scores and downstream imports.
Everything is therefore written to a temporary file in the *same directory*
(so that the final rename stays on one filesystem and is atomic), flushed and
fsync'ed, and only then moved over the target with :func:`os.replace`.  On any
error the temporary file is removed and the previous target, if any, is left
untouched.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_open", "atomic_write"]


def _current_umask() -> int:
    """Return the process umask without the race of ``os.umask`` where possible.

    ``mkstemp`` creates files with mode 0600; a finished output file should get
    the permissions an ordinary ``open(path, "w")`` would have given it.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _target_mode(path: Path) -> int:
    """Keep the mode of an existing target, else use 0666 minus the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_current_umask()


def _fsync_dir(directory: Path) -> None:
    """Persist the rename itself; best effort (not possible on every OS/FS)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    encoding: str | None = "utf-8",
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """Open a temporary file that replaces *path* only if the block succeeds.

    ``mode`` must be ``"w"`` (text, default UTF-8) or ``"wb"``.  If the body
    of the ``with`` statement raises, the temporary file is deleted, the
    exception propagates and *path* keeps its previous content.

    >>> with atomic_open("out.csv", newline="") as fh:   # doctest: +SKIP
    ...     fh.write("id,label\\n")
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open supports mode 'w' or 'wb', not {mode!r}")
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        if mode == "wb":
            fh: IO[Any] = os.fdopen(fd, "wb")
        else:
            fh = os.fdopen(fd, "w", encoding=encoding, newline=newline)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    try:
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _target_mode(target))
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(directory)


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write *data* to *path* atomically (``str`` is encoded as UTF-8).

    Text is written without newline translation so the bytes on disk are
    exactly the bytes given, which keeps outputs byte-identical across
    platforms.
    """
    if isinstance(data, str):
        with atomic_open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(data)
    elif isinstance(data, (bytes, bytearray, memoryview)):
        with atomic_open(path, "wb") as fh:
            fh.write(data)
    else:
        raise TypeError(f"atomic_write needs str or bytes, not {type(data).__name__}")
