"""The library side of ``kg build``: documents in, graph files out.

documents (kg.documents) -> spaCy Docs with entity spans (kg.nlp.pipeline) ->
per-document entities and relations (kg.resolve) -> one graph (kg.graph) ->
GraphML, HTML and CSV files (kg.readwrite), each written atomically.

Extraction, nearly all of the time, runs on an engine (kg.engines): this
process, a pool of worker processes (``jobs``) or a Dask cluster. With
``update``, documents whose normalised text was extracted by the previous build
into the same OUTDIR come from its cache (kg.cache) instead. The graph is merged
from the per-document records sorted by doc id, so every engine, job count and
cache state gives byte-identical files.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import networkx as nx

from kg.atomic import atomic_batch, atomic_write, written_aside
from kg.collector import cycle_collection_paused
from kg.documents import HTML_SUFFIXES, Document, InputError, Skipped, collect_inputs, read_document, safe_id
from kg.engines import BATCH_CHARS, Engine, ProcessEngine, SerialEngine, batches, local_cores, make_engine, start_fork_server
from kg.extraction import DocExtraction
from kg.graph import build_graph
from kg.layout import layout_positions
from kg.readwrite import write_entities_csv, write_gexf, write_graphml, write_html, write_relations_csv
from kg.readwrite.html import DEFAULT_MAX_NODES

if TYPE_CHECKING:
    from kg.cache import ExtractionCache

REPORT_FILE = "build_report.json"
OUTPUT_FILES = ("graph.graphml", "graph.gexf", "graph.html", "entities.csv", "relations.csv", REPORT_FILE)
#: Local work this small (one batch, about a second) runs in this process: starting
#: workers would take longer than the work. Not so for an --update that adds a few
#: articles to an archive: a worker loads its models while the cached ones are read.
SERIAL_BELOW_CHARS = BATCH_CHARS
#: Inputs larger than this (some 60,000 characters of Chinese in UTF-8) are surely more than
#: a batch: their workers start before the files are read, and load their models meanwhile.
EARLY_START_BYTES = 3 * SERIAL_BELOW_CHARS


class NoReadableDocuments(InputError):
    """Nothing could be read; `skipped` says why for each file."""

    def __init__(self, message: str, skipped: list[Skipped]) -> None:
        super().__init__(message)
        self.skipped = skipped


def check_writable(outdir: Path) -> None:
    """Fail before any work if OUTDIR could not be written (raises OSError).

    Probes the nearest existing directory without creating OUTDIR, so a build
    that fails later leaves nothing behind.
    """
    if outdir.is_symlink() and not outdir.exists():  # mkdir would fail only after the extraction
        raise FileNotFoundError(2, f"a symbolic link to a missing folder ({os.readlink(outdir)})", str(outdir))
    existing = outdir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(20, "not a directory", str(existing))
    with tempfile.TemporaryFile(dir=existing):
        pass


@dataclass
class BuildReport:
    """What a build did, for the CLI summary."""

    documents: int = 0
    chars: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    entities: Counter = field(default_factory=Counter)
    relations: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    outputs: list[Path] = field(default_factory=list)
    engine: str = "local, 1 job"  # where extraction ran (Engine.describe())
    cached: int = 0  # documents taken from the extraction cache (--update)
    extracted: int = 0  # documents extracted by this build
    cache: Path | None = None  # the cache file written (--update)
    cache_note: str = ""  # why an existing cache was not used
    cache_save_error: str = ""  # why the cache could not be written (the outputs were)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: read, extract, merge, write
    paths: dict[str, Path] = field(default_factory=dict)  # the file each doc id was read from

    @property
    def chars_per_second(self) -> float:
        return self.chars / self.seconds if self.seconds else 0.0


def extract(documents: Iterable[Document]) -> Iterator[DocExtraction]:
    """Extract documents in this process, in order (what ``-j1`` does)."""
    yield from SerialEngine().map((d.doc_id, d.text) for d in documents)


@cycle_collection_paused()
def write_outputs(
    G: nx.MultiDiGraph,
    outdir: Path,
    html_max_nodes: int = DEFAULT_MAX_NODES,
    build_report: dict | None = None,
    csv_style: str = "plain",
    doc_paths: dict[str, Path] | None = None,
    cores: int = 1,
) -> list[Path]:
    """Write every output file, all or nothing: the files are staged and renamed
    together, so a build stopped at any point leaves the previous set whole.

    GraphML, GEXF and CSV always hold the whole graph; the page shows at most
    `html_max_nodes` (0: all) of the most connected entities. One layout serves
    GEXF and, when it shows every node, the page. build_report.json records
    `build_report` (by default: the graph's documents, nothing skipped). `csv_style`:
    plain, excel (with a BOM) or neo4j headers (:data:`kg.readwrite.csv.CSV_STYLES`).
    `doc_paths` (doc id -> the file read) lets the page link each document to its
    file, by a path relative to OUTDIR, so the links hold wherever the two are
    moved together and the same input and OUTDIR give the same bytes. With `cores` > 1 the
    GraphML and GEXF files are written by a forked copy of this process while this one
    writes the page and the CSV files (the write phase is a build's serial part).
    """
    outdir.mkdir(parents=True, exist_ok=True)
    paths = [outdir / name for name in OUTPUT_FILES]
    whole_page = not html_max_nodes or G.number_of_nodes() <= html_max_nodes
    # the page of a large graph lays out only what it draws: then the forked writer
    # alone needs the whole layout, and makes it
    positions = layout_positions(G) if whole_page or cores <= 1 else None

    def gephi_files() -> None:
        layout = positions if positions is not None else layout_positions(G)
        write_graphml(G, paths[0], layout)
        write_gexf(G, paths[1], positions=layout)

    with atomic_batch(), written_aside(gephi_files, fork=cores > 1):
        write_html(
            G,
            paths[2],
            title="kg: regional-development knowledge graph",
            max_nodes=html_max_nodes,
            positions=positions if whole_page else None,
            doc_links={d: document_link(p, outdir) for d, p in (doc_paths or {}).items()},
        )
        write_entities_csv(G, paths[3], csv_style)
        write_relations_csv(G, paths[4], csv_style)
        if build_report is None:
            docs = {d for _, a in G.nodes(data=True) for d in str(a.get("docs", "")).split("|") if d}
            build_report = report_record(G, sorted(docs), [])
        atomic_write(paths[5], json.dumps(build_report, ensure_ascii=True, indent=1, sort_keys=True) + "\n")
    return paths


def document_link(path: Path, outdir: Path) -> str:
    """How the page in `outdir` refers to the input file `path`: a percent-encoded
    relative URL (the file name's own bytes, so a GBK-named file opens too), or a
    file: URI where no relative path exists (another drive on Windows)."""
    try:
        rel = Path(os.path.relpath(os.path.abspath(path), os.path.abspath(outdir))).as_posix()
    except ValueError:
        return Path(os.path.abspath(path)).as_uri()
    url = quote(os.fsencode(rel), safe="/")
    return url if url.startswith("../") else "./" + url  # a ":" in the first name cannot start a scheme


def _where(s: Skipped) -> str:
    """How the report names a skipped file: its doc id, else its path as printable text."""
    return s.doc_id or safe_id(os.fsdecode(s.path))


def report_record(G: nx.MultiDiGraph, doc_ids: list[str], skipped: list[Skipped]) -> dict:
    """What build_report.json says: documents read, documents skipped and why, and
    entities and relations per type. No timings, so equal inputs give equal files."""
    return {
        "documents": sorted(doc_ids),
        "skipped": sorted(({"path": _where(s), "reason": s.reason} for s in skipped), key=lambda r: r["path"]),
        # a graph written by other tools may lack a type: counted as "?", not a KeyError
        "entities": dict(sorted(Counter(str(a.get("type", "?")) for _, a in G.nodes(data=True)).items())),
        "relations": dict(sorted(Counter(str(a.get("type", k)) for _, _, k, a in G.edges(keys=True, data=True)).items())),
    }


def read_inputs(files: Sequence[tuple[Path, str]], report: BuildReport) -> list[tuple[str, str]]:
    """``(doc_id, normalised text)`` of every readable file of `files` (``(path, doc id)`` in
    doc-id order, as :func:`~kg.documents.collect_inputs` lists them); skips go to `report`.

    Only the text travels on: the raw text and offsets are not needed for
    extraction and would double the memory of a large archive.
    """
    tasks: list[tuple[str, str]] = []
    for path, doc_id in files:
        item = read_document(path, doc_id)
        if isinstance(item, Skipped):
            report.skipped.append(item)
        else:
            tasks.append((item.doc_id, item.text))
            report.paths[item.doc_id] = item.path
    return tasks


@dataclass
class CachedScan:
    """What an --update finds before decoding anything: the documents the cache holds
    (``(content key, raw key, doc id)``), those to extract, and the cache keys of those."""

    found: list[tuple[str, str, str]] = field(default_factory=list)
    todo: list[tuple[str, str]] = field(default_factory=list)
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)


def scan_with_cache(files: Sequence[tuple[Path, str]], report: BuildReport, cache: ExtractionCache) -> CachedScan:
    """Which of `files` the cache holds and which to extract, in doc-id order.

    A file whose raw text is as stored in the cache is only decoded and hashed;
    the others are read and normalised, and looked up by their normalised text
    (the same article re-saved with other line breaks is still a hit). The raw
    key is taken from the same read as the text, so it always names that text.
    Nothing is taken from the cache yet (:func:`decode_cached`), so that workers can
    start first.
    """
    from kg.cache import content_key, raw_key

    fp = cache.fingerprint
    scan = CachedScan()
    for path, doc_id in files:
        # a web page's stored raw text is its text without the markup, never its bytes:
        # the shortcut would take a .txt's extraction for a .html of the same bytes
        raw = _utf8_text(path) if path.suffix.lower() not in HTML_SUFFIXES else None
        rkey = raw_key(raw, fp) if raw is not None else ""
        key = cache.key_of_raw(rkey)  # none for "": a raw key is a sha256
        if key is None:
            item = read_document(path, doc_id)
            if isinstance(item, Skipped):
                report.skipped.append(item)
                continue
            key, rkey = content_key(item.text, fp), raw_key(item.raw, fp)
            if key not in cache:
                scan.todo.append((doc_id, item.text))
                scan.keys[doc_id] = (key, rkey)
        if doc_id not in scan.keys:
            scan.found.append((key, rkey, doc_id))
        report.paths[doc_id] = path
    return scan


def decode_cached(scan: CachedScan, report: BuildReport, cache: ExtractionCache) -> list[DocExtraction]:
    """The cached extractions of `scan`; an entry that does not decode (not written by kg)
    is read again and joins the documents to extract."""
    from kg.cache import content_key, raw_key

    out = []
    for key, rkey, doc_id in scan.found:
        ex = cache.get(key, doc_id, rkey)
        if ex is not None:
            out.append(ex)
            continue
        item = read_document(report.paths[doc_id], doc_id)
        if isinstance(item, Skipped):
            report.skipped.append(item)
            del report.paths[doc_id]
        else:
            scan.todo.append((doc_id, item.text))
            scan.keys[doc_id] = (content_key(item.text, cache.fingerprint), raw_key(item.raw, cache.fingerprint))
    return out


def _utf8_text(path: Path) -> str | None:
    """The text kg.documents.read_document would decode from a UTF-8 file; None for anything else.

    Other encodings, unreadable and oversized files simply take the full read.
    """
    from kg.documents import MAX_BYTES

    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    try:
        return data.decode("utf-8-sig").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None


@cycle_collection_paused()
def build(
    inputs: Sequence[Path],
    outdir: Path,
    progress: Callable[[int, int], None] | None = None,
    html_max_nodes: int = DEFAULT_MAX_NODES,
    *,
    jobs: int = 1,
    engine: str | Engine = "local",
    scheduler: str | None = None,
    update: bool = False,
    learned_ner: bool = True,
    csv_style: str = "plain",
    follow_links: bool = False,
) -> tuple[nx.MultiDiGraph, BuildReport]:
    """Build the graph of `inputs` into `outdir`.

    `jobs` worker processes extract in parallel (1: in this process; 0: one per
    CPU); `engine` "dask" runs them on a Dask cluster (a local one, or the
    scheduler at `scheduler`); an :class:`~kg.engines.Engine` instance is used as
    given and left open. With `update`, unchanged documents are taken from the
    per-document cache in ``outdir/.kg-cache`` and the cache is rewritten to hold
    exactly this build's documents. `progress(done, total)` is called as
    documents finish (cached ones first, all at once). `learned_ner` False
    extracts with the rules only (faster; no names that no rule frames). `csv_style`
    picks the CSV flavour (plain, excel, neo4j; see :mod:`kg.readwrite.csv`).
    `follow_links` reads what symbolic links under an input folder point to
    outside it (by default they are skipped, with the reason).

    Raises InputError when an input is missing or nothing readable is found
    (NoReadableDocuments, listing what was skipped); unreadable files are
    skipped and listed in the report. Raises kg.engines.EngineError when the
    engine cannot run, and kg.engines.ExtractionError (naming the document)
    when extraction fails.
    """
    from kg.cache import ExtractionCache, fingerprint

    t0 = time.perf_counter()
    report = BuildReport()
    files = collect_inputs(inputs, follow_links)  # a missing input fails here, before any work
    cache = None
    eng: Engine | None = None
    try:
        if update:
            if engine == "local" and not scheduler and local_cores(jobs) > 1:
                start_fork_server()  # so that a worker for the new articles starts at once
            cache = ExtractionCache(outdir, fingerprint(learned_ner)).load()
            report.cache_note = cache.discarded
            scan = scan_with_cache(files, report, cache)
            if scan.todo:  # its workers load their models while the cached documents are decoded
                eng = _engine_for(engine, jobs, scheduler, scan.todo, learned_ner, meanwhile=bool(scan.found))
            extractions = decode_cached(scan, report, cache)
            todo, keys = scan.todo, scan.keys
            report.cached = len(extractions)
        else:
            if _holds_more_than(files, EARLY_START_BYTES):  # workers load their models while the inputs are read
                eng = _engine_for(engine, jobs, scheduler, None, learned_ner)
            todo, keys, extractions = read_inputs(files, report), {}, []
        if not todo and not extractions:
            raise NoReadableDocuments("no readable documents in " + ", ".join(str(p) for p in inputs), report.skipped)
        total = len(extractions) + len(todo)
        if progress and extractions:
            progress(len(extractions), total)
        t1 = time.perf_counter()
        if eng is None:
            eng = _engine_for(engine, jobs, scheduler, todo, learned_ner)
        eng.learned_ner = learned_ner
        report.engine = eng.describe() + ("" if learned_ner else "; rules only, no learned NER")
        if isinstance(eng, SerialEngine) and jobs != 1 and not isinstance(engine, Engine):
            report.engine += "; too little to extract to start workers"
        for ex in eng.map(todo):
            extractions.append(ex)
            if cache is not None:
                cache.put(*keys[ex.doc_id], ex)
            if progress:
                progress(len(extractions), total)
        todo.clear()  # the texts: not needed by the merge and the write phase, where memory peaks
    finally:
        if eng is not None and eng is not engine:
            eng.close()
    report.extracted = len(extractions) - report.cached
    report.documents = len(extractions)
    report.chars = sum(ex.chars for ex in extractions)
    if cache is not None:
        outdir.mkdir(parents=True, exist_ok=True)
        try:
            report.cache = cache.save()
        except OSError as e:  # the graph is built all the same; only the next --update is slower
            report.cache_save_error = f"{cache.path}: {e.strerror or e}"
    t2 = time.perf_counter()
    G = build_graph(extractions)
    doc_ids = [ex.doc_id for ex in extractions]
    del extractions
    t3 = time.perf_counter()
    record = report_record(G, doc_ids, report.skipped)
    report.outputs = write_outputs(G, outdir, html_max_nodes, record, csv_style, report.paths, local_cores(jobs))
    t4 = time.perf_counter()
    report.timings = {"read": t1 - t0, "extract": t2 - t1, "merge": t3 - t2, "write": t4 - t3}
    report.entities = Counter(a["type"] for _, a in G.nodes(data=True))
    report.relations = Counter(a["type"] for _, _, a in G.edges(data=True))
    report.seconds = time.perf_counter() - t0
    return G, report


def _holds_more_than(files: Sequence[tuple[Path, str]], size: int) -> bool:
    """Whether the input files hold more than `size` bytes (looked at until they do)."""
    total = 0
    for path, _ in files:
        with contextlib.suppress(OSError):
            total += path.stat().st_size
        if total > size:
            return True
    return False


def _engine_for(
    engine: str | Engine,
    jobs: int,
    scheduler: str | None,
    todo: list[tuple[str, str]] | None,
    learned_ner: bool = True,
    meanwhile: bool = False,
) -> Engine:
    """The engine to extract `todo` (None: not read yet, but more than one batch) with: as
    asked, but no more local workers than batches, and none for one batch of local work
    unless this process has something else to do `meanwhile` while they start."""
    if isinstance(engine, Engine):
        return engine
    if engine != "local" or scheduler or todo is None or jobs < 0:
        return make_engine(engine, jobs, scheduler, learned_ner)
    if local_cores(jobs) == 1 or (sum(len(t) for _, t in todo) <= SERIAL_BELOW_CHARS and not meanwhile):
        return SerialEngine()
    return ProcessEngine(min(local_cores(jobs), sum(1 for _ in batches(todo))), learned_ner=learned_ner)
