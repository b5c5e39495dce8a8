"""Atomic file writes.

A build that is interrupted (Ctrl-C, crash, full disk) must never leave a
half-written GraphML/CSV/HTML file behind, because a truncated output looks
valid to a quick glance and silently corrupts scores and downstream imports.
Everything is therefore written to a temporary file in the *same directory*
(so that the final rename stays on one filesystem and is atomic), flushed and
fsync'ed, and only then moved over the target with :func:`os.replace`.  On any
error the temporary file is removed and the previous target, if any, is left
untouched.

A build killed outright (SIGKILL, power loss) cannot remove its temporary
file.  Temporary names therefore carry the writer's process id
(``.graph.graphml.<pid>.<random>.tmp``), and the next atomic write of the same
target removes the ones whose process no longer exists, so leftovers live only
until the next build.

Each file is replaced on its own, so a build stopped between two files leaves
some outputs new and some old (each whole).  :func:`atomic_batch` narrows
that window: writes inside it are staged, and all renamed together, in a row,
when the block ends without error (or all discarded when it raises); if one
rename fails, the targets already replaced are put back.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import pickle
import re
import secrets
import shutil
import signal
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

__all__ = [
    "LineSink",
    "atomic_batch",
    "atomic_lines",
    "atomic_open",
    "atomic_write",
    "remove_stale_temporaries",
    "stage",
    "staged_only",
    "written_aside",
]

#: Staged ``(temporary, target)`` renames of the innermost :func:`atomic_batch`.
_BATCH: contextvars.ContextVar[list[tuple[Path, Path]] | None] = contextvars.ContextVar("kg_atomic_batch", default=None)


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


_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def _temp_name(directory: Path, name: str) -> Path:
    """A fresh temporary name next to the target: ``.<name>.<pid>.<random>.tmp``."""
    return directory / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"


def _pid_alive(pid: int) -> bool:
    """True unless process ``pid`` certainly does not exist (on this host)."""
    if pid <= 0:
        return True
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # exists under another user, or cannot tell: keep its file
    return True


def remove_stale_temporaries(target: str | os.PathLike[str]) -> list[Path]:
    """Remove temporary files of *target* left by writers that no longer run.

    Only names this module creates (``.<name>.<pid>.<random>.tmp`` next to
    the target) whose process is gone are removed; a concurrent writer's file
    is kept.  Best effort: errors are ignored.  Returns what was removed.
    """
    target = Path(target)
    directory = target.parent
    pattern = re.compile(re.escape(f".{target.name}.") + r"(\d+)\.[^./]+\.tmp")
    removed: list[Path] = []
    try:
        with os.scandir(directory) as it:
            names = [e.name for e in it]
    except OSError:
        return removed
    for name in names:
        m = pattern.fullmatch(name)
        if m and not _pid_alive(int(m.group(1))):
            try:
                (directory / name).unlink()
                removed.append(directory / name)
            except OSError:
                pass
    return removed


@contextlib.contextmanager
def atomic_batch() -> Iterator[None]:
    """Stage every :func:`atomic_open`/:func:`atomic_write` in the block; rename them together at its end.

    Each file is still written whole to its temporary name and fsync'ed when
    its own ``with`` ends; only the renames wait for the block, so a process
    stopped while writing a later file leaves every target as it was.  If
    the block raises, every staged file is removed.  Batches nest: an inner
    batch hands its files to the outer one.
    """
    outer = _BATCH.get()
    with staged_only() as staged:
        yield
    if outer is not None:
        outer.extend(staged)
        return
    _swap_all(staged)


@contextlib.contextmanager
def staged_only() -> Iterator[list[tuple[Path, Path]]]:
    """The block's files staged, neither renamed nor handed to an outer batch: the list of
    (temporary, target) pairs is the caller's (:func:`atomic_batch`'s, or a forked
    writer's for :func:`stage` in its parent's batch). Removed if the block raises."""
    staged: list[tuple[Path, Path]] = []
    token = _BATCH.set(staged)
    try:
        yield staged
    except BaseException:
        for tmp, _target in staged:
            tmp.unlink(missing_ok=True)
        raise
    finally:
        _BATCH.reset(token)


def stage(tmp: Path, target: Path) -> None:
    """A whole, fsync'ed temporary file written by someone else: into the current batch,
    renamed with its files; with no batch, renamed now."""
    batch = _BATCH.get()
    if batch is None:
        _swap_all([(tmp, target)])
    else:
        batch.append((tmp, target))


def _swap_all(staged: list[tuple[Path, Path]]) -> None:
    """Rename every staged file over its target, all or nothing.

    Every target is checked first (a folder where a file should go fails before
    anything changes); each existing target keeps a backup (a hard link, else a
    copy) until all renames are done, so a rename that fails half way (a file held
    open on Windows, an immutable file) puts back the targets already replaced.
    The error names the target, not a temporary file.
    """
    try:
        for _tmp, target in staged:
            if target.is_dir() and not target.is_symlink():
                raise IsADirectoryError(errno.EISDIR, "a folder is where this output goes", str(target))
        backups: list[tuple[Path, Path | None]] = []  # (target, its backup or None: it did not exist)
        try:
            for _tmp, target in staged:
                backups.append((target, _backup(target)))
            done = 0
            try:
                for tmp, target in staged:
                    try:
                        os.replace(tmp, target)
                    except OSError as e:
                        raise OSError(e.errno, f"could not replace the output: {e.strerror}", str(target)) from e
                    done += 1
            except BaseException:
                for target, backup in backups[:done]:
                    if backup is not None:
                        os.replace(backup, target)
                    else:
                        target.unlink(missing_ok=True)
                raise
        finally:
            for _target, backup in backups:
                if backup is not None:
                    backup.unlink(missing_ok=True)
    finally:
        for tmp, _target in staged:
            tmp.unlink(missing_ok=True)  # what was not renamed
    for directory in dict.fromkeys(target.parent for _tmp, target in staged):
        _fsync_dir(directory)


def _backup(target: Path) -> Path | None:
    """A second name for the target's current content (None if there is no target)."""
    if not os.path.lexists(target):
        return None
    backup = _temp_name(target.parent, target.name)  # stale ones are swept like temporaries
    try:
        os.link(target, backup, follow_symlinks=False)
    except OSError:
        shutil.copy2(target, backup, follow_symlinks=False)
    return backup


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
    directory = target.parent
    remove_stale_temporaries(target)
    # The name is chosen before the file exists, so that an interrupt arriving
    # at any point after the file was created still finds and removes it.
    tmp = _temp_name(directory, target.name)
    staged: list[tuple[Path, Path]] | None = None
    try:
        while True:
            try:
                fd = os.open(tmp, _TEMP_FLAGS, 0o600)
                break
            except FileExistsError:
                tmp = _temp_name(directory, target.name)
        # os.fdopen closes fd itself if it fails, so fd is never closed here
        fh = os.fdopen(fd, "wb") if mode == "wb" else os.fdopen(fd, "w", encoding=encoding, newline=newline)
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _target_mode(target))
        staged = _BATCH.get()
        if staged is None:
            os.replace(tmp, target)
        else:
            staged.append((tmp, target))
    except BaseException:
        tmp.unlink(missing_ok=True)  # after os.replace there is nothing left to remove
        raise
    if staged is None:
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


class LineSink:
    """Takes lines like a list (``append``, ``extend``) and writes each with a "\\n" to a
    text file in batches, so that a writer can emit an archive's 80 MB file without
    holding it in memory: what ``"\\n".join(lines) + "\\n"`` would give, byte for byte."""

    def __init__(self, fh: IO[str], batch: int = 8192) -> None:
        self._fh, self._batch, self._lines = fh, batch, []

    def append(self, line: str) -> None:
        self._lines.append(line)
        if len(self._lines) >= self._batch:
            self.flush()

    def extend(self, lines: Iterable[str]) -> None:
        self._lines.extend(lines)
        if len(self._lines) >= self._batch:
            self.flush()

    def flush(self) -> None:
        if self._lines:
            self._fh.write("\n".join(self._lines) + "\n")
            self._lines.clear()


@contextlib.contextmanager
def atomic_lines(path: str | os.PathLike[str]) -> Iterator[LineSink]:
    """A :class:`LineSink` on a UTF-8 file that replaces *path* as :func:`atomic_open` does."""
    with atomic_open(path, "w", encoding="utf-8", newline="") as fh:
        sink = LineSink(fh)
        yield sink
        sink.flush()


def _can_fork() -> bool:
    """Whether a forked copy of this process may write: Linux, and no other thread that
    could hold a lock the copy would inherit locked."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


@contextlib.contextmanager
def written_aside(write: Callable[[], None], fork: bool = True) -> Iterator[None]:
    """Run `write` (atomic writes of some files) in a forked copy of this process while the
    block runs here; its files join the current batch as the block ends, so a build's
    outputs are still replaced all together or not at all. An error there is raised here
    when the block ends; if the block raises, the copy's files are removed. Without
    `fork` (one core), or where a fork is unsafe, `write` runs here, before the block."""
    if not (fork and _can_fork()):
        write()
        yield
        return
    parent = os.getpid()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: never returns
        os.close(r)
        _die_with(parent)
        try:
            with staged_only() as staged:
                write()
            message = pickle.dumps(("staged", staged))
        except BaseException as e:  # noqa: BLE001 (reported to the parent)
            try:
                message = pickle.dumps(("error", e))
            except Exception:  # noqa: BLE001 (an exception that does not pickle)
                message = pickle.dumps(("error", RuntimeError(f"{type(e).__name__}: {e}")))
        with os.fdopen(w, "wb") as fh:
            fh.write(message)
        os._exit(0)
    os.close(w)
    try:
        yield
    except BaseException:
        _collect(pid, r, stage_files=False)
        raise
    _collect(pid, r, stage_files=True)


def _die_with(parent: int) -> None:
    """End this forked copy when its parent dies (Linux PR_SET_PDEATHSIG), so a killed
    build leaves no writer behind; its temporary files are swept by the next build."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def _collect(pid: int, r: int, *, stage_files: bool) -> None:
    """Wait for the forked writer; stage its files, or remove them; raise its error."""
    with os.fdopen(r, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    kind, value = pickle.loads(data) if data else ("error", RuntimeError("the forked output writer died"))
    if kind == "error":
        raise value
    for tmp, target in value:
        if stage_files:
            stage(tmp, target)
        else:
            tmp.unlink(missing_ok=True)
