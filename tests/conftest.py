"""Shared fixtures for the integration tests (test_build, test_cli, test_quality).

Why a session fixture: building the seeds is the expensive step of these tests
(most of it is loading the spaCy pipeline once per process), and the graph it
gives is read-only input to many checks.  Building it once through the library
entry point ``kg.build.build`` keeps the whole set fast; tests that need a
build of their own (CLI runs, the determinism check) reuse the cached pipeline
and cost a fraction of a second each.

The fixtures hand out shared objects: tests must not modify the graph, the
report or the files in ``seed_outdir``.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from kg.build import BuildReport, build
from kg.documents import Document, read_documents

REPO = Path(__file__).resolve().parents[1]
SEEDS_DIR = REPO / "seeds"
GOLD_DIR = REPO / "tests" / "data" / "gold"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if it opens a connection: models load from the package, never download."""

    def guard(*args: object, **kwargs: object) -> None:
        raise AssertionError("tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket, "create_connection", guard)
    yield


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The five sample articles shipped with the repository (read-only)."""
    return SEEDS_DIR


@pytest.fixture(scope="session")
def gold_dir() -> Path:
    """The dev-set gold annotations of the seeds (a copy of shared/gold)."""
    return GOLD_DIR


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, nx.MultiDiGraph, BuildReport]:
    """Build the seeds once per test session: (output dir, graph, report)."""
    outdir = tmp_path_factory.mktemp("seed_build") / "out"
    graph, report = build([SEEDS_DIR], outdir)
    return outdir, graph, report


@pytest.fixture(scope="session")
def seed_outdir(seed_build: tuple[Path, nx.MultiDiGraph, BuildReport]) -> Path:
    """Directory holding graph.graphml, graph.html, entities.csv, relations.csv of the seeds."""
    return seed_build[0]


@pytest.fixture(scope="session")
def seed_graph(seed_build: tuple[Path, nx.MultiDiGraph, BuildReport]) -> nx.MultiDiGraph:
    """The in-memory graph the seeds build returned (do not modify)."""
    return seed_build[1]


@pytest.fixture(scope="session")
def seed_report(seed_build: tuple[Path, nx.MultiDiGraph, BuildReport]) -> BuildReport:
    """The report of the seeds build."""
    return seed_build[2]


@pytest.fixture(scope="session")
def seed_documents() -> dict[str, Document]:
    """The seeds as the build read them, by doc id (normalised text included)."""
    docs = [d for d in read_documents([SEEDS_DIR]) if isinstance(d, Document)]
    return {d.doc_id: d for d in docs}
