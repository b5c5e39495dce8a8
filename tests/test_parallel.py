"""``kg build -j N``: worker processes give the very bytes one process gives.

Why: an archive is built with every core, but the graph must not depend on how
many there were, on which worker got which document or on the order results came
back; a user comparing two builds, or the scorer, must see identical files. So
the seeds and a few dozen generated articles (seed paragraphs recombined, more
than one batch so the pool really splits the work) are built serially and with
two workers, and every output file is compared byte for byte. The pool is started
once per module (worker start-up is the slow part); one CLI run starts its own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from generated import assert_same_outputs, write_generated_docs

from kg.build import build
from kg.cli import main
from kg.documents import Document, read_documents
from kg.engines import BATCH_CHARS, ExtractionError, ProcessEngine, SerialEngine, available_cpus, batches, make_engine

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    docs = write_generated_docs(seeds_dir, tmp_path_factory.mktemp("gen") / "articles", 36, seed=1998)
    chars = sum(len(p.read_text(encoding="utf-8")) for p in docs.iterdir())
    assert chars > BATCH_CHARS, "big enough for the CLI to start workers"
    return docs


@pytest.fixture(scope="module")
def generated_serial(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen_serial") / "out"
    _, report = build([generated], out, jobs=1)
    assert report.engine == "local, 1 job"
    return out


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessEngine]:
    with ProcessEngine(2, batch_chars=1500) as engine:  # a dozen batches for the generated set
        yield engine


def test_pool_builds_the_seeds_byte_identically(pool: ProcessEngine, seeds_dir: Path, seed_outdir: Path, tmp_path: Path) -> None:
    _, report = build([seeds_dir], tmp_path / "out", engine=pool)
    assert report.engine == "local, 2 jobs"
    assert report.documents == 5 and report.extracted == 5
    assert_same_outputs(tmp_path / "out", seed_outdir)


def test_pool_builds_generated_docs_byte_identically(pool: ProcessEngine, generated: Path, generated_serial: Path, tmp_path: Path) -> None:
    _, report = build([generated], tmp_path / "out", engine=pool)
    assert report.documents == 36
    assert_same_outputs(tmp_path / "out", generated_serial)


def test_pool_returns_every_document_once(pool: ProcessEngine, generated: Path) -> None:
    tasks = [(d.doc_id, d.text) for d in read_documents([generated]) if isinstance(d, Document)]
    ids = [ex.doc_id for ex in pool.map(tasks)]
    assert sorted(ids) == sorted(t[0] for t in tasks)


def test_cli_jobs_2(generated: Path, generated_serial: Path, tmp_path: Path) -> None:
    """The command line starts its own pool; the summary says how it ran."""
    result = CliRunner().invoke(main, ["build", os.fspath(generated), "-o", os.fspath(tmp_path / "out"), "-j", "2"])
    assert result.exit_code == 0, result.output
    timing = [line for line in result.stdout.splitlines() if line.startswith("time:")]
    assert timing and timing[0].endswith("chars/s (local, 2 jobs)"), result.stdout
    assert result.stdout.startswith("documents: 36 read, 0 skipped\n")
    assert_same_outputs(tmp_path / "out", generated_serial)


def test_little_work_is_done_in_process(seeds_dir: Path, seed_outdir: Path, tmp_path: Path) -> None:
    """Five short articles take less time than starting workers: -j2 runs them here, same bytes."""
    _, report = build([seeds_dir], tmp_path / "out", jobs=2)
    assert report.engine == "local, 1 job; too little to extract to start workers"
    assert_same_outputs(tmp_path / "out", seed_outdir)


def test_workers_start_before_the_inputs_are_read(generated: Path, generated_serial: Path, tmp_path: Path, monkeypatch) -> None:
    """Inputs surely more than a batch: the pool is started first, and its workers load
    their models while this process reads the files."""
    import kg.build

    events: list[str] = []
    real_pool, real_read = kg.build.make_engine, kg.build.read_inputs
    monkeypatch.setattr(kg.build, "make_engine", lambda *a, **k: events.append("workers") or real_pool(*a, **k))
    monkeypatch.setattr(kg.build, "read_inputs", lambda *a, **k: events.append("read") or real_read(*a, **k))
    _, report = build([generated], tmp_path / "out", jobs=2)
    assert events == ["workers", "read"] and report.engine == "local, 2 jobs"
    assert_same_outputs(tmp_path / "out", generated_serial)


def test_an_update_extracts_its_few_new_documents_in_a_worker(seeds_dir: Path, tmp_path: Path) -> None:
    """--update -j2 adding one article: one worker loads its models while the cached
    extractions are decoded here (instead of loading them here after); same bytes."""
    archive, out = tmp_path / "archive", tmp_path / "out"
    archive.mkdir()
    names = sorted(p.name for p in seeds_dir.iterdir())
    for name in names[:-1]:
        (archive / name).write_bytes((seeds_dir / name).read_bytes())
    build([archive], out, update=True)
    (archive / names[-1]).write_bytes((seeds_dir / names[-1]).read_bytes())
    _, report = build([archive], out, update=True, jobs=2)
    assert (report.cached, report.extracted) == (4, 1)
    assert report.engine == "local, 1 job in a worker process"
    build([archive], tmp_path / "full")
    assert_same_outputs(out, tmp_path / "full")


def test_batches_keep_order_and_size() -> None:
    tasks = [(f"d{i}", "字" * n) for i, n in enumerate([5, 5, 5, 30, 2, 2, 2, 2])]
    got = list(batches(tasks, max_chars=10, max_docs=3))
    assert [t for b in got for t in b] == tasks
    assert [[t[0] for t in b] for b in got] == [["d0", "d1"], ["d2"], ["d3"], ["d4", "d5", "d6"], ["d7"]]
    assert list(batches([])) == []


def test_make_engine() -> None:
    assert isinstance(make_engine("local", 1), SerialEngine)
    assert available_cpus() >= 1
    with pytest.raises(ValueError, match="unknown engine"):
        make_engine("spark", 2)
    with pytest.raises(ValueError, match="dask engine"):
        make_engine("local", 2, scheduler="tcp://localhost:8786")
    with pytest.raises(ValueError):
        make_engine("local", -1)


def test_jobs_are_capped_at_the_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.engines

    monkeypatch.setattr(kg.engines, "available_cpus", lambda: 3)
    engine = make_engine("local", 10000)  # no process starts before work arrives
    try:
        assert engine.describe() == "local, 3 jobs"
    finally:
        engine.close()


def test_extraction_error_names_the_document(monkeypatch: pytest.MonkeyPatch, seeds_dir: Path, tmp_path: Path) -> None:
    import kg.resolve

    def broken(doc, doc_id):
        raise ValueError("rule exploded")

    monkeypatch.setattr(kg.resolve, "resolve", broken)
    with pytest.raises(ExtractionError, match=r"^000_c2f7df7086115ad4\.txt: ValueError: rule exploded"):
        build([seeds_dir], tmp_path / "out")
    result = CliRunner().invoke(main, ["build", os.fspath(seeds_dir), "-o", os.fspath(tmp_path / "out2")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1] == "Error: 000_c2f7df7086115ad4.txt: ValueError: rule exploded"
    assert not (tmp_path / "out2").exists(), "a failed build writes nothing"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_workers_exit_when_kg_is_killed(tmp_path: Path) -> None:
    """A killed build must not leave workers behind (they would wait on their queue forever)."""
    script = tmp_path / "hold.py"
    script.write_text(
        "import os, sys, time\n"
        "from kg.engines import ProcessEngine\n"
        "if __name__ == '__main__':\n"
        "    engine = ProcessEngine(2)\n"
        "    pids = {engine._pool.submit(os.getpid).result() for _ in range(8)}\n"
        "    print(*pids, flush=True)\n"
        "    time.sleep(60)\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]  # type: ignore[union-attr]
        assert pids and all(_alive(p) for p in pids)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in pids), "workers outlived the killed kg process"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_serial_engine_gives_its_models_back_after_an_archive(
    monkeypatch: pytest.MonkeyPatch, seeds_dir: Path, seed_outdir: Path, tmp_path: Path
) -> None:
    """At -j1 the graph and its files are made in the process that held the models: after
    an archive's worth of text they are let go (the peak RSS halves), and the next build
    loads them again and gives the same bytes."""
    import kg.engines
    from kg.nlp.pipeline import load_pipeline

    monkeypatch.setattr(kg.engines, "RELEASE_AFTER_CHARS", 1)
    load_pipeline()
    build([seeds_dir], tmp_path / "out")
    assert load_pipeline.cache_info().currsize == 0
    build([seeds_dir], tmp_path / "again")
    assert_same_outputs(tmp_path / "again", seed_outdir)


def test_a_capped_page_at_two_cores_gives_the_same_bytes(seeds_dir: Path, tmp_path: Path) -> None:
    """With the page capped below the graph's size, the forked writer makes the whole layout
    itself (the page lays out only what it draws): the files are those of one core."""
    build([seeds_dir], tmp_path / "one", html_max_nodes=20, jobs=1)
    build([seeds_dir], tmp_path / "two", html_max_nodes=20, jobs=2)
    assert_same_outputs(tmp_path / "two", tmp_path / "one")
