"""Where extraction runs: in this process, in a pool of worker processes, or on Dask.

Why: extraction (segmentation, rules, resolution) is pure per document and takes
nearly all of a build's time, while merging the per-document results into the
graph is cheap and order-independent (:func:`kg.graph.build_graph` sorts by doc
id). So an archive is extracted wherever there are cores and merged here; every
engine gives the same :class:`~kg.extraction.DocExtraction` records and hence
byte-identical output files.

* :class:`SerialEngine`: this process, one document after another (``-j1``).
* :class:`ProcessEngine`: ``N`` worker processes started with *spawn* (safe with
  threads and on every OS); each loads the pipeline once, in its initializer.
* :class:`DaskEngine`: a map over batches on a ``dask.distributed`` cluster: a
  LocalCluster of worker processes, or a running scheduler given by address.

Documents travel as ``(doc_id, text)`` pairs in batches of about
:data:`BATCH_CHARS` characters, so a worker gets enough work per message to keep
IPC negligible and a batch is small enough to balance the tail. At most a few
batches per worker are in flight, so memory stays flat however long the input.
Results come back in completion order; callers must not rely on any order.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final

from kg.collector import cycle_collection_paused
from kg.extraction import DocExtraction

__all__ = [
    "BATCH_CHARS",
    "DaskEngine",
    "Engine",
    "EngineError",
    "ExtractionError",
    "ProcessEngine",
    "SerialEngine",
    "available_cpus",
    "batches",
    "extract_batch",
    "local_cores",
    "make_engine",
    "start_fork_server",
]

#: Target characters per batch sent to a worker (about a second of work).
BATCH_CHARS: Final[int] = 20_000
#: Upper bound on documents per batch (many tiny files).
BATCH_DOCS: Final[int] = 64
#: Characters after which a serial engine, closed, gives its models' memory back (about 300
#: articles, some 7 s of work: loading the models again for a next build costs under 2 s).
#: The 794 regional news items (483,000 characters) peaked at 600 MiB keeping them, 483 MiB not.
RELEASE_AFTER_CHARS: Final[int] = 200_000
#: Batches in flight per worker: one running, the next ones queued.
INFLIGHT_PER_WORKER: Final[int] = 3

Task = tuple[str, str]  # (doc_id, normalised text)


class EngineError(RuntimeError):
    """An engine could not run (no Dask, no scheduler, a worker died, mismatched kg)."""


class ExtractionError(RuntimeError):
    """Extraction of one document failed; the message starts with its doc id.

    A single string argument, so that it pickles back from any worker.
    """


def available_cpus() -> int:
    """CPUs this process may run on (affinity-aware where the OS tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


@cycle_collection_paused()
def extract_batch(batch: Sequence[Task], fingerprint: str | None = None, learned_ner: bool = True) -> list[DocExtraction]:
    """Extract each ``(doc_id, text)`` of `batch` with this process's pipeline.

    This is the function every engine runs on its workers. With `fingerprint`
    (kg.cache.fingerprint() of the caller), a worker running other kg code or
    models refuses to work instead of silently giving other results.
    `learned_ner` False leaves the learned NER out (rules only, faster).
    """
    from kg.nlp.pipeline import load_pipeline
    from kg.resolve import extract_text

    if fingerprint is not None:
        from kg.cache import fingerprint as local_fingerprint

        if local_fingerprint(learned_ner) != fingerprint:
            raise EngineError(
                f"worker on {os.uname().nodename} (pid {os.getpid()}) runs a different kg "
                f"(fingerprint {local_fingerprint(learned_ner)[:12]}, expected {fingerprint[:12]}): install the same kg on every worker"
            )
    nlp = load_pipeline(learned_ner)
    out = []
    # the words a batch adds to spaCy's vocabulary are dropped after it (an archive's
    # distinct words would otherwise stay, 25 MB over People's Daily and growing with
    # the archive); what a batch returns is plain strings, none of its Docs
    with nlp.memory_zone():
        for doc_id, text in batch:
            try:
                out.append(extract_text(nlp, text, doc_id))
            except Exception as e:  # name the document; the traceback is the cause (serial) or in the worker log
                raise ExtractionError(f"{doc_id}: {type(e).__name__}: {e}") from e
    return out


def batches(tasks: Iterable[Task], max_chars: int = BATCH_CHARS, max_docs: int = BATCH_DOCS) -> Iterator[list[Task]]:
    """Consecutive runs of tasks of about `max_chars` characters (a long document goes alone)."""
    batch: list[Task] = []
    size = 0
    for task in tasks:
        if batch and (size + len(task[1]) > max_chars or len(batch) >= max_docs):
            yield batch
            batch, size = [], 0
        batch.append(task)
        size += len(task[1])
    if batch:
        yield batch


class Engine:
    """Runs :func:`extract_batch` over documents; a context manager that frees its workers."""

    name: str = "local"
    jobs: int = 1
    batch_chars: int = BATCH_CHARS
    learned_ner: bool = True  # False: extract with the rules only

    def map(self, tasks: Iterable[Task]) -> Iterator[DocExtraction]:
        """The extraction of every task, in any order, lazily."""
        raise NotImplementedError

    def close(self) -> None:
        """Release workers; safe to call twice."""

    def describe(self) -> str:
        return f"{self.name}, {self.jobs} job{'s' if self.jobs != 1 else ''}"

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialEngine(Engine):
    """Everything in this process, in input order.

    Closed after an archive's worth of text (:data:`RELEASE_AFTER_CHARS`), it gives the
    models' memory back (:func:`kg.nlp.pipeline.release_models`, 240 MB): the graph and
    its files are made next, in this process, and at ``-j1`` that halves the peak. A small
    build keeps them, for the next call of a library user or a test.
    """

    def __init__(self) -> None:
        self._chars = 0

    def map(self, tasks: Iterable[Task]) -> Iterator[DocExtraction]:
        for batch in batches(tasks, self.batch_chars):
            self._chars += sum(len(text) for _, text in batch)
            yield from extract_batch(batch, None, self.learned_ner)

    def close(self) -> None:
        if self._chars >= RELEASE_AFTER_CHARS:
            from kg.nlp.pipeline import release_models

            release_models()
        self._chars = 0


def _init_worker(learned_ner: bool = True) -> None:
    """Pool worker start-up: leave Ctrl-C to the parent, exit with it, load the pipeline once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()
    from kg.nlp.pipeline import load_pipeline

    load_pipeline(learned_ner)


def _started() -> None:
    """A pool's first task, one per worker: makes the pool start them all now."""


def _exit_with_parent() -> None:
    """End this worker when the kg process is gone (killed, crashed) instead of waiting forever.

    A pool worker blocks on its task queue, and keeps that queue open itself, so it
    would never see the parent go; the parent's sentinel becomes ready when it does.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="kg-exit-with-parent", daemon=True).start()


def _mp_context() -> Any:
    """forkserver where the OS has it (workers fork from a server that has imported spaCy and
    kg once, so each starts in milliseconds instead of a second), else spawn. Both start
    workers from a clean interpreter: nothing of the parent's state is inherited."""
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["kg.nlp.pipeline", "kg.resolve"])
        return ctx
    return multiprocessing.get_context("spawn")


def start_fork_server() -> None:
    """Start the fork server that workers come from, where the OS has one: it imports kg
    (half a second) while this process goes on, and a pool started later forks at once."""
    if _mp_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


class ProcessEngine(Engine):
    """`jobs` spawned worker processes, each with its own pipeline.

    The workers start at once and load their pipeline (over a second) while the
    caller goes on, reading its inputs, say, before the first :meth:`map`.
    """

    def __init__(self, jobs: int, batch_chars: int = BATCH_CHARS, learned_ner: bool = True) -> None:
        from concurrent.futures import ProcessPoolExecutor

        self.jobs = max(1, jobs)
        self.batch_chars = batch_chars
        self.learned_ner = learned_ner
        self._pool: Any = ProcessPoolExecutor(
            max_workers=self.jobs, mp_context=_mp_context(), initializer=_init_worker, initargs=(learned_ner,)
        )
        # the first start waits while the fork server imports kg (half a second): in a thread
        self._starting = threading.Thread(target=self._start_workers, name="kg-start-workers", daemon=True)
        self._starting.start()

    def _start_workers(self) -> None:
        with contextlib.suppress(RuntimeError):  # closed before they started
            for _ in range(self.jobs):  # a pool starts a worker per task submitted while none is idle
                self._pool.submit(_started)

    def describe(self) -> str:
        return super().describe() + (" in a worker process" if self.jobs == 1 else "")

    def map(self, tasks: Iterable[Task]) -> Iterator[DocExtraction]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        todo = batches(tasks, self.batch_chars)
        pending: set[Any] = set()
        window = self.jobs * INFLIGHT_PER_WORKER
        try:
            while True:
                for batch in todo:
                    pending.add(self._pool.submit(extract_batch, batch, None, self.learned_ner))
                    if len(pending) >= window:
                        break
                if not pending:
                    return
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield from future.result()
        except BrokenProcessPool as e:
            raise EngineError(f"a worker process died ({e}); out of memory? try fewer jobs (-j)") from e
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        self._starting.join()
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskEngine(Engine):
    """Batches as tasks on a dask.distributed cluster.

    Without `scheduler`, a LocalCluster of `jobs` single-threaded worker
    processes is started and closed with the engine; with an address
    (``tcp://host:8786``), the running cluster is used and left running. The
    workers need the same kg installed (checked through the fingerprint).
    """

    name = "dask"

    def __init__(self, jobs: int, scheduler: str | None = None, batch_chars: int = BATCH_CHARS) -> None:
        self.batch_chars = batch_chars
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as e:
            raise EngineError("the dask engine needs dask.distributed: pip install 'dask[distributed]'") from e
        import logging

        self._cluster: Any = None
        self.scheduler = scheduler
        try:
            if scheduler:
                self._client: Any = Client(scheduler)  # connect timeout: dask config distributed.comm.timeouts.connect
            else:
                self._cluster = LocalCluster(
                    n_workers=max(1, jobs),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self._client = Client(self._cluster)
        except (OSError, TimeoutError) as e:
            self.close()
            raise EngineError(f"cannot reach the Dask scheduler {scheduler or '(local cluster)'}: {e}") from e
        self.jobs = max(1, sum(self._client.nthreads().values()))

    def describe(self) -> str:
        where = self.scheduler or "local cluster"
        return f"dask ({where}), {self.jobs} worker thread{'s' if self.jobs != 1 else ''}"

    def map(self, tasks: Iterable[Task]) -> Iterator[DocExtraction]:
        from dask.distributed import as_completed

        from kg.cache import fingerprint

        fp = fingerprint(self.learned_ner)
        todo = batches(tasks, self.batch_chars)
        window = self.jobs * INFLIGHT_PER_WORKER

        def submit(batch: list[Task]) -> Any:
            return self._client.submit(extract_batch, batch, fp, self.learned_ner, pure=False)

        first = [submit(b) for _, b in zip(range(window), todo, strict=False)]
        if not first:
            return
        running = as_completed(first)
        try:
            for future in running:
                result = future.result()
                future.release()
                nxt = next(todo, None)
                if nxt is not None:
                    running.add(submit(nxt))
                yield from result
        finally:
            for future in list(running.futures):
                future.cancel()

    def close(self) -> None:
        client, cluster = getattr(self, "_client", None), self._cluster
        self._client = self._cluster = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def local_cores(jobs: int) -> int:
    """The CPUs of this machine that `jobs` asks for: 0 is all of them, and more than
    there are is as many as there are."""
    return min(jobs or available_cpus(), available_cpus())


def make_engine(engine: str = "local", jobs: int = 1, scheduler: str | None = None, learned_ner: bool = True) -> Engine:
    """The engine the CLI names: ``local`` (``jobs`` 1: serial, more: processes) or ``dask``.

    ``jobs`` 0 means one per available CPU, and on this machine (local processes or a
    local Dask cluster) more than that is capped there: extra workers only cost memory
    (``-j 10000`` on two CPUs would start as many processes as there are batches).
    """
    if jobs < 0:
        raise ValueError(f"jobs must be >= 0, not {jobs}")
    jobs = (jobs or available_cpus()) if scheduler else local_cores(jobs)
    if engine == "dask":
        return DaskEngine(jobs, scheduler)
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r} (local or dask)")
    if scheduler:
        raise ValueError("a scheduler address needs the dask engine")
    return SerialEngine() if jobs == 1 else ProcessEngine(jobs, learned_ner=learned_ner)
