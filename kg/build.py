"""The library side of ``kg build``: documents in, graph files out.

documents (kg.documents) -> spaCy Docs with entity spans (kg.pipeline) ->
per-document entities and relations (kg.resolve) -> one graph (kg.graph) ->
GraphML, HTML and CSV files (kg.readwrite), each written atomically.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from kg.documents import Document, InputError, Skipped, read_documents
from kg.extraction import DocExtraction
from kg.graph import build_graph
from kg.readwrite import write_entities_csv, write_gexf, write_graphml, write_html, write_relations_csv
from kg.readwrite.html import DEFAULT_MAX_NODES

OUTPUT_FILES = ("graph.graphml", "graph.gexf", "graph.html", "entities.csv", "relations.csv")


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

    @property
    def chars_per_second(self) -> float:
        return self.chars / self.seconds if self.seconds else 0.0


def extract(documents: Iterable[Document], batch_size: int = 16) -> Iterator[DocExtraction]:
    """Run the pipeline over documents and resolve each one."""
    from kg.pipeline import load_pipeline
    from kg.resolve import resolve

    nlp = load_pipeline()
    docs = list(documents)
    for document, doc in zip(docs, nlp.pipe((d.text for d in docs), batch_size=batch_size), strict=True):
        yield resolve(doc, document.doc_id)


def write_outputs(G: nx.MultiDiGraph, outdir: Path, html_max_nodes: int = DEFAULT_MAX_NODES) -> list[Path]:
    """Write every output file; each lands whole or not at all.

    GraphML and CSV always hold the whole graph; the page shows at most
    `html_max_nodes` (0: all) of the most connected entities.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    paths = [outdir / name for name in OUTPUT_FILES]
    write_graphml(G, paths[0])
    write_gexf(G, paths[1])
    write_html(G, paths[2], title="kg: regional-development knowledge graph", max_nodes=html_max_nodes)
    write_entities_csv(G, paths[3])
    write_relations_csv(G, paths[4])
    return paths


def build(
    inputs: Sequence[Path],
    outdir: Path,
    progress: Callable[[int, int], None] | None = None,
    html_max_nodes: int = DEFAULT_MAX_NODES,
) -> tuple[nx.MultiDiGraph, BuildReport]:
    """Build the graph of `inputs` into `outdir`.

    Raises InputError when an input is missing or nothing readable is found
    (NoReadableDocuments, listing what was skipped); unreadable files are
    skipped and listed in the report.
    """
    t0 = time.perf_counter()
    report = BuildReport()
    documents: list[Document] = []
    try:
        for item in read_documents(inputs):
            if isinstance(item, Skipped):
                report.skipped.append(item)
            else:
                documents.append(item)
    except InputError as e:
        if not report.skipped:
            raise
        raise NoReadableDocuments(str(e), report.skipped) from e
    if not documents:
        raise NoReadableDocuments("no readable documents in " + ", ".join(str(p) for p in inputs), report.skipped)
    extractions = []
    for i, ex in enumerate(extract(documents), 1):
        extractions.append(ex)
        report.chars += ex.chars
        if progress:
            progress(i, len(documents))
    report.documents = len(extractions)
    G = build_graph(extractions)
    report.outputs = write_outputs(G, outdir, html_max_nodes)
    report.entities = Counter(a["type"] for _, a in G.nodes(data=True))
    report.relations = Counter(a["type"] for _, _, a in G.edges(data=True))
    report.seconds = time.perf_counter() - t0
    return G, report
