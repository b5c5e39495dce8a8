"""The CSV tables load straight into graph databases.

kuzu (an embedded graph database from PyPI, the engine ladybug forks) takes a
relation table's first two columns as its ends, so ``entities.csv`` and
``relations.csv`` load with ``COPY`` as they are. A Cypher query for a person's
posts must answer what ``kg.load(...).posts(...)`` answers. The Neo4j and Excel
styles are checked on their headers and bytes.
"""

from __future__ import annotations

import csv
from pathlib import Path

import kuzu
import networkx as nx
import pytest

from kg.build import write_outputs
from kg.explore import load
from kg.readwrite.csv import ENTITY_COLUMNS, RELATION_COLUMNS

NODE_TABLE = (
    "CREATE NODE TABLE Entity(id STRING, label STRING, type STRING, aliases STRING, docs STRING, "
    "mentions INT64, adcode STRING, level STRING, posts STRING, PRIMARY KEY(id))"
)
REL_TABLE = (
    "CREATE REL TABLE Relation(FROM Entity TO Entity, type STRING, title STRING, docs STRING, evidence STRING, "
    "weight DOUBLE, dates STRING, source_label STRING, target_label STRING)"
)


def _rows(result: kuzu.QueryResult) -> list[list]:
    out = []
    while result.has_next():
        out.append(result.get_next())
    return out


@pytest.fixture(scope="module")
def database(seed_outdir: Path, tmp_path_factory: pytest.TempPathFactory) -> kuzu.Connection:
    con = kuzu.Connection(kuzu.Database(str(tmp_path_factory.mktemp("kuzu") / "db")))
    con.execute(NODE_TABLE)
    con.execute(REL_TABLE)
    con.execute(f"COPY Entity FROM '{(seed_outdir / 'entities.csv').as_posix()}' (header=true)")
    con.execute(f"COPY Relation FROM '{(seed_outdir / 'relations.csv').as_posix()}' (header=true)")
    return con


def test_every_entity_and_relation_loads(database: kuzu.Connection, seed_graph: nx.MultiDiGraph) -> None:
    assert _rows(database.execute("MATCH (n:Entity) RETURN count(*)")) == [[seed_graph.number_of_nodes()]]
    assert _rows(database.execute("MATCH ()-[r:Relation]->() RETURN count(*)")) == [[seed_graph.number_of_edges()]]


def test_a_cypher_query_for_posts_answers_as_kg_load(database: kuzu.Connection, seed_outdir: Path) -> None:
    g = load(seed_outdir)
    people = g.relations(type="HOLDS_POSITION").source.unique()
    assert len(people) >= 10
    for person in people:
        query = (
            "MATCH (p:Entity)-[r:Relation]->(b:Entity) WHERE p.id = $id AND r.type = 'HOLDS_POSITION' "
            "RETURN r.title, b.id ORDER BY b.id, r.title"
        )
        got = _rows(database.execute(query, {"id": person}))
        posts = g.posts(person)
        assert got == sorted(([t, o] for t, o in zip(posts.title, posts.organisation_id, strict=True)), key=lambda row: (row[1], row[0]))


def _header(path: Path, encoding: str = "utf-8") -> list[str]:
    with path.open(encoding=encoding, newline="") as fh:
        return next(csv.reader(fh))


def test_neo4j_and_excel_styles(seed_graph: nx.MultiDiGraph, seed_outdir: Path, tmp_path: Path) -> None:
    write_outputs(seed_graph, tmp_path / "neo4j", csv_style="neo4j")
    write_outputs(seed_graph, tmp_path / "excel", csv_style="excel")
    assert _header(tmp_path / "neo4j" / "entities.csv") == [
        "id:ID",
        "label",
        ":LABEL",
        *ENTITY_COLUMNS[3:5],
        "mentions:int",
        *ENTITY_COLUMNS[6:],
    ]
    assert _header(tmp_path / "neo4j" / "relations.csv")[:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert "weight:double" in _header(tmp_path / "neo4j" / "relations.csv")
    for name in ("entities.csv", "relations.csv"):
        excel = (tmp_path / "excel" / name).read_bytes()
        assert excel.startswith(b"\xef\xbb\xbf") and excel[3:] == (seed_outdir / name).read_bytes()
    assert _header(seed_outdir / "relations.csv") == list(RELATION_COLUMNS)
    assert not (seed_outdir / "entities.csv").read_bytes().startswith(b"\xef\xbb\xbf")
