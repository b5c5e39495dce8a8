"""Killing a build (Ctrl-C, SIGKILL) never damages the previous outputs.

Why: a build is often interrupted, by a user's Ctrl-C, a CI timeout or the OOM
killer, and its OUTDIR is what notebooks, Gephi and the scorer read.  A
truncated GraphML still looks like a file; a half-written page still opens.
So every output file must at any moment be either the whole previous file or
the whole new one, temporary files may only outlive a SIGKILL until the next
build, and a rerun must give the same bytes as an uninterrupted build.

Two levels:

* ``kg.atomic`` alone, deterministically: a child process is stopped while it
  holds a half-written temporary file;
* the ``kg`` console script on the seeds, stopped by SIGINT and SIGKILL at
  points found by watching OUTDIR: at a time during extraction, as the first
  temporary output appears, as the page's temporary file appears, right after
  the GraphML was replaced.  There is no hook to slow the write phase down,
  so the watcher polls OUTDIR in a tight loop (the write phase of the seeds
  takes about 0.3 s).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from bad_inputs import validate_outputs

import kg.atomic
from kg.atomic import atomic_batch, atomic_open, atomic_write, remove_stale_temporaries, written_aside
from kg.build import OUTPUT_FILES, build

KG = Path(sys.executable).with_name("kg")
TEMP = re.compile(r"\..+\.tmp")

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")


def temporaries(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if TEMP.fullmatch(name))


# --- kg.atomic in a process that is stopped mid-write -----------------------------------

_WRITER = textwrap.dedent(
    """
    import sys, time
    from kg.atomic import atomic_open
    with atomic_open(sys.argv[1]) as fh:
        fh.write("half a file")
        fh.flush()
        print("writing", flush=True)
        time.sleep(60)
        fh.write(" and the rest")
    """
)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_process_stopped_mid_write_leaves_the_target_intact(tmp_path: Path, sig: signal.Signals) -> None:
    target = tmp_path / "graph.graphml"
    target.write_text("the previous build", encoding="utf-8")
    p = subprocess.Popen([sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout is not None and p.stdout.readline() == "writing\n"
    assert len(temporaries(tmp_path)) == 1  # the half-written file exists
    p.send_signal(sig)
    p.wait(timeout=30)
    assert p.returncode != 0
    assert target.read_text(encoding="utf-8") == "the previous build"
    left = temporaries(tmp_path)
    if sig == signal.SIGINT:
        assert left == []  # KeyboardInterrupt: the temporary file is removed on the way out
    else:
        assert len(left) == 1 and f".{p.pid}." in left[0]  # a killed process cannot clean up...
    atomic_write(target, "the next build")
    assert temporaries(tmp_path) == []  # ...the next write of the same file does
    assert target.read_text(encoding="utf-8") == "the next build"


def test_interrupt_right_after_the_temporary_file_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tightest spot: Ctrl-C lands between creating the file and knowing its descriptor."""
    target = tmp_path / "graph.html"
    target.write_text("the previous build")
    real_open = os.open

    def create_then_interrupt(path, flags, mode=0o777, **kwargs):
        os.close(real_open(path, flags, mode, **kwargs))
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "open", create_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, "the next build")
    monkeypatch.undo()
    assert temporaries(tmp_path) == []
    assert target.read_text() == "the previous build"


def test_temporaries_of_running_writers_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "a.csv"
    mine = tmp_path / f".a.csv.{os.getpid()}.abc123.tmp"  # this process: still running
    init = tmp_path / ".a.csv.1.abc123.tmp"  # pid 1 is always alive
    other = tmp_path / ".b.csv.999999999.abc123.tmp"  # another target's
    foreign = tmp_path / ".a.csv.notapid.tmp"  # not a name kg.atomic makes
    for p in (mine, init, other, foreign):
        p.write_text("x")
    assert remove_stale_temporaries(target) == []
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".a.csv.{dead}.q1w2e3.tmp"
    stale.write_text("x")
    assert remove_stale_temporaries(target) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (mine, init, other, foreign))


def test_atomic_batch_renames_all_at_the_end_or_none(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("old a")
    b.write_text("old b")
    with pytest.raises(RuntimeError), atomic_batch():
        atomic_write(a, "new a")
        assert a.read_text() == "old a"  # staged, not renamed
        with atomic_open(b) as fh:
            fh.write("new b")
        raise RuntimeError("stopped between files")
    assert (a.read_text(), b.read_text()) == ("old a", "old b")
    assert temporaries(tmp_path) == []
    with atomic_batch():
        atomic_write(a, "new a")
        with atomic_batch():  # nested: handed to the outer batch
            atomic_write(b, b"new b")
        assert b.read_text() == "old b"
    assert (a.read_text(), b.read_text()) == ("new a", "new b")
    assert temporaries(tmp_path) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks only on Linux")
def test_files_written_by_a_forked_copy_join_the_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """-j2 writes GraphML and GEXF in a forked copy (kg.build.write_outputs): its files are
    renamed with the batch's, all or none, and its error is raised here. (The suite's own
    threads would make kg write here instead, as it does wherever other threads run.)"""
    monkeypatch.setattr(kg.atomic, "_can_fork", lambda: True)
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("old a")
    b.write_text("old b")
    with atomic_batch(), written_aside(lambda: atomic_write(a, f"new a by {os.getpid()}")):
        atomic_write(b, "new b")
        assert a.read_text() == "old a"
    assert a.read_text() != f"new a by {os.getpid()}" and b.read_text() == "new b"  # written by another process
    a.write_text("new a")
    with pytest.raises(RuntimeError, match="stopped here"), atomic_batch(), written_aside(lambda: atomic_write(a, "newer a")):
        atomic_write(b, "newer b")
        raise RuntimeError("stopped here")
    assert (a.read_text(), b.read_text()) == ("new a", "new b")

    def fails() -> None:
        atomic_write(a, "newer a")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"), atomic_batch(), written_aside(fails):
        atomic_write(b, "newer b")
    assert (a.read_text(), b.read_text()) == ("new a", "new b")
    assert temporaries(tmp_path) == []


def test_a_rename_that_fails_half_way_puts_back_the_outputs_already_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CSV held open in Excel on Windows, an immutable file: the third rename fails."""
    targets = [tmp_path / f"{n}.txt" for n in "abcd"]
    for t in targets[:3]:
        t.write_text(f"old {t.stem}")  # d.txt is new in this batch
    real = os.replace
    calls = []

    def failing(src, dst):
        calls.append(dst)
        if Path(dst).name == "c.txt" and Path(src).name.startswith(".c.txt."):
            raise PermissionError(13, "Permission denied")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError, match="could not replace the output") as err, atomic_batch():
        for t in [targets[3], *targets[:3]]:
            atomic_write(t, f"new {t.stem}")
    assert str(targets[2]) in str(err.value)  # the target, not a temporary file
    assert [t.read_text() for t in targets[:3]] == ["old a", "old b", "old c"] and not targets[3].exists()
    assert temporaries(tmp_path) == []


def test_a_folder_where_an_output_goes_fails_before_anything_changes(tmp_path: Path) -> None:
    a, report = tmp_path / "a.txt", tmp_path / "build_report.json"
    a.write_text("old a")
    report.mkdir()
    with pytest.raises(IsADirectoryError, match="build_report.json"), atomic_batch():
        atomic_write(a, "new a")
        atomic_write(report, "{}")
    assert a.read_text() == "old a" and report.is_dir()
    assert temporaries(tmp_path) == []


# --- the kg command, stopped at points found by watching OUTDIR ----------------------------


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> tuple[Path, Path, dict[str, bytes], dict[str, bytes]]:
    """Input A (three seeds) and B (all five) with the outputs of each: (a, b, files of A, files of B)."""
    top = tmp_path_factory.mktemp("kill")
    a, b = top / "a", top / "b"
    a.mkdir()
    b.mkdir()
    for i, seed in enumerate(sorted(seeds_dir.glob("*.txt"))):
        if i < 3:
            shutil.copy(seed, a / seed.name)
        shutil.copy(seed, b / seed.name)
    build([a], top / "out_a")
    build([b], top / "out_b")
    files_a = {n: (top / "out_a" / n).read_bytes() for n in OUTPUT_FILES}
    files_b = {n: (top / "out_b" / n).read_bytes() for n in OUTPUT_FILES}
    assert all(files_a[n] != files_b[n] for n in OUTPUT_FILES)  # so old and new can be told apart
    return a, b, files_a, files_b


def stop_build(indir: Path, outdir: Path, sig: signal.Signals, when: Callable[[Path, float], bool]) -> tuple[int, bool, str]:
    """Run ``kg build indir -o outdir``, send `sig` as soon as `when(outdir, seconds)` holds.

    Returns (exit status, whether the signal was sent before the build ended, stderr).
    """
    p = subprocess.Popen([str(KG), "build", str(indir), "-o", str(outdir)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    t0 = time.monotonic()
    sent = False
    try:
        while p.poll() is None:
            if when(outdir, time.monotonic() - t0):
                p.send_signal(sig)
                sent = True
                break
            time.sleep(0.0002)
        _, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return p.returncode, sent, err


def after(seconds: float) -> Callable[[Path, float], bool]:
    return lambda _outdir, elapsed: elapsed >= seconds


def temporary_of(name: str | None) -> Callable[[Path, float], bool]:
    """As soon as a temporary output file (of `name`, or of any output) exists."""

    def check(outdir: Path, _elapsed: float) -> bool:
        try:
            names = os.listdir(outdir)
        except FileNotFoundError:
            return False
        return any(TEMP.fullmatch(n) and (name is None or n.startswith(f".{name}.")) for n in names)

    return check


def replaced(name: str) -> Callable[[Path, float], bool]:
    """As soon as `name` is no longer the file that was there at the start."""
    first: list[int] = []

    def check(outdir: Path, _elapsed: float) -> bool:
        try:
            ino = (outdir / name).stat().st_ino
        except FileNotFoundError:
            return False
        if not first:
            first.append(ino)
        return ino != first[0]

    return check


def test_build_stopped_anywhere_leaves_whole_files_and_a_rerun_is_identical(inputs, tmp_path: Path) -> None:
    if not KG.exists():
        pytest.skip(f"no kg console script next to {sys.executable}")
    a_dir, b_dir, files_a, files_b = inputs
    rng = random.Random(20240601)
    trials = [
        ("SIGINT during extraction", signal.SIGINT, after(rng.uniform(1.5, 2.5))),
        ("SIGKILL as the first output is written", signal.SIGKILL, temporary_of(None)),
        ("SIGINT as graph.html is written", signal.SIGINT, temporary_of("graph.html")),
        ("SIGKILL right after graph.graphml was replaced", signal.SIGKILL, replaced("graph.graphml")),
    ]
    outdir = b_dir.parent / "out_stopped"  # beside out_b: the page links the articles by the same path
    outdir.mkdir()
    for name, data in files_a.items():  # the previous build's outputs
        (outdir / name).write_bytes(data)
    mid_write = 0
    for what, sig, when in trials:
        code, sent, err = stop_build(b_dir, outdir, sig, when)
        if not sent:  # the build ended first: nothing was interrupted
            assert code == 0, err
            for name, data in files_a.items():
                (outdir / name).write_bytes(data)
            continue
        assert code != 0, f"{what}: exit status {code}"
        state = {}
        for name in OUTPUT_FILES:
            data = (outdir / name).read_bytes()
            assert data in (files_a[name], files_b[name]), f"{what}: {name} is neither the old nor the new file"
            state[name] = "new" if data == files_b[name] else "old"
        validate_outputs(outdir, consistent=False)  # each file whole; old and new may mix
        left = temporaries(outdir)
        if sig == signal.SIGINT:
            assert left == [], f"{what}: temporary files left: {left}"
            if "graph.html" in what:
                assert "Traceback" not in err, err
        mid_write += "new" in state.values() or bool(left)
        print(f"{what}: exit {code}, files {state}, temporaries left {left}")
    assert mid_write >= 1, "no trial stopped the build during its write phase"
    # a rerun completes, removes what a killed build left, and gives the bytes of an uninterrupted build
    code, _, err = stop_build(b_dir, outdir, signal.SIGINT, lambda _o, _t: False)
    assert code == 0, err
    assert temporaries(outdir) == []
    assert {n: (outdir / n).read_bytes() for n in OUTPUT_FILES} == files_b
    assert sorted(os.listdir(outdir)) == sorted(OUTPUT_FILES)
