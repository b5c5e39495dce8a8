"""Entity and relation tables as CSV (for spreadsheets, pandas, review and graph databases).

UTF-8, a header row, ``\n`` line ends, every field quoted only when needed, rows
sorted like the GraphML output so that two builds of the same graph give
byte-identical files and readable diffs.  Missing attributes are empty cells.

The endpoints come first (``source``, ``target``, then the relation's own columns,
the endpoints' labels last), so an embedded graph database loads the tables as
they are: kuzu's and ladybug's ``COPY`` take a relation table's first two columns
as its ends.  Three styles (:data:`CSV_STYLES`):

* ``plain``: no BOM (a BOM ends up inside the first column name for most CSV
  readers);
* ``excel``: the same columns with a UTF-8 BOM, without which Excel on a Chinese
  Windows reads the file as GBK;
* ``neo4j``: the headers ``neo4j-admin database import`` reads (``id:ID``,
  ``:LABEL``, ``mentions:int``; ``:START_ID``, ``:END_ID``, ``:TYPE``,
  ``weight:double``), each entity labelled by its type and each relation typed.

A list cell (``aliases``, ``docs``, ``posts``, ``dates``) longer than
:data:`MAX_CELL` characters is cut at a whole item and ends with how many it
leaves out; GraphML holds the whole list.

In the plain and Excel styles a cell that a spreadsheet would run as a formula (a
programme quoted as ``“=1+1”``) starts with a ``'`` (:func:`neutralise`); the
GraphML file and ``kg.load`` keep every name as written.

Quoting is done here rather than by :mod:`csv`: with ``\n`` line ends its
writer leaves a field holding a bare ``\r`` unquoted, and every reader then
splits the row there.  A field is quoted when it holds a comma, a double
quote, ``\n`` or ``\r`` (RFC 4180), exactly as :mod:`csv` does otherwise.
"""

from __future__ import annotations

import numbers
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import networkx as nx

from kg.atomic import atomic_lines
from kg.readwrite.graphml import clean_text, format_value, sorted_edges, sorted_nodes, to_scalar, unique_node_ids

__all__ = [
    "CSV_STYLES",
    "ENTITY_COLUMNS",
    "RELATION_COLUMNS",
    "write_entities_csv",
    "write_relations_csv",
]

ENTITY_COLUMNS: tuple[str, ...] = (
    "id",
    "label",
    "type",
    "aliases",
    "docs",
    "mentions",
    "adcode",
    "level",
    "posts",
)
RELATION_COLUMNS: tuple[str, ...] = (
    "source",
    "target",
    "type",
    "title",
    "docs",
    "evidence",
    "weight",
    "dates",
    "source_label",
    "target_label",
)
CSV_STYLES = ("plain", "excel", "neo4j")
# the header neo4j-admin import reads for each column (the rest keep their names)
_NEO4J_HEADER = {
    "id": "id:ID",
    "type": ":LABEL",
    "mentions": "mentions:int",
    "source": ":START_ID",
    "target": ":END_ID",
    "weight": "weight:double",
}
_NEO4J_REL_TYPE = ":TYPE"
BOM = "\ufeff"
#: The longest list cell written (Excel holds 32,767 characters a cell).
MAX_CELL = 32_000
#: Columns that hold "|"-joined lists, cut to MAX_CELL.
LIST_COLUMNS = frozenset({"aliases", "docs", "posts", "dates"})
#: What a spreadsheet reads as the start of a formula (see :func:`neutralise`).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """Render one value; lists become "|"-joined, control characters go."""
    if type(value) is str:  # nearly every cell: what the general path gives, without its calls
        return clean_text(value)
    s = to_scalar(value)
    return "" if s is None else format_value(s, "string")


def _list_cell(value: Any) -> str:
    """A "|"-joined list cell, cut at whole items to :data:`MAX_CELL` characters with a
    count of the rest: a popular entity's documents reach 260,000 characters, past
    Excel's 32,767 a cell and Python csv's 131,072 a field; GraphML keeps them all."""
    cell = _cell(value)
    if len(cell) <= MAX_CELL:
        return cell
    items = cell.split("|")
    kept, size = [], 0
    for item in items:
        if size + len(item) + 1 > MAX_CELL - 60:  # room for the note
            break
        kept.append(item)
        size += len(item) + 1
    return "|".join(kept) + f"|… {len(items) - len(kept)} more (all in graph.graphml)"


def _as_float(value: Any) -> Any:
    """Weights print as floats ("2.0", not "2") whatever type the builder used."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return value


_QUOTED = re.compile('[,"\n\r]')


def _field(cell: str) -> str:
    if _QUOTED.search(cell):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _render(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    yield ",".join(map(_field, header))
    for row in rows:
        yield ",".join(map(_field, row))


def _header(columns: Sequence[str], style: str, relations: bool = False) -> list[str]:
    if style not in CSV_STYLES:
        raise ValueError(f"unknown CSV style {style!r}; known: {', '.join(CSV_STYLES)}")
    if style != "neo4j":
        return list(columns)
    return [_NEO4J_REL_TYPE if relations and c == "type" else _NEO4J_HEADER.get(c, c) for c in columns]


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula, made text (OWASP's advice for CSV
    injection, which Excel and LibreOffice show as written): a leading ``=``, ``+``,
    ``-``, ``@``, tab or carriage return gets a ``'`` in front.  Numbers (``-1.5``)
    stay numbers."""
    if cell[:1] in FORMULA_STARTS and not _is_number(cell):
        return "'" + cell
    return cell


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _write(path: str | os.PathLike[str], header: list[str], rows: Iterable[list[str]], style: str) -> None:
    """The rows are read once, as they are written: an archive's relations need not be held twice."""
    if style != "neo4j":  # a database import takes the text as written
        rows = ([neutralise(cell) for cell in row] for row in rows)
    lines = _render(header, rows)
    with atomic_lines(path) as sink:
        sink.append((BOM if style == "excel" else "") + next(lines))
        sink.extend(lines)


def write_entities_csv(G: nx.Graph, path: str | os.PathLike[str], style: str = "plain") -> None:
    """One row per node: id, label, type, aliases, docs, mentions, adcode, level, posts."""
    header = _header(ENTITY_COLUMNS, style)
    nodes = sorted_nodes(G)
    ids = unique_node_ids(nodes)  # the same ids as in the GraphML output
    cells = [(c, _list_cell if c in LIST_COLUMNS else _cell) for c in ENTITY_COLUMNS[1:]]
    rows = ([ids[n]] + [cell(G.nodes[n].get(c)) for c, cell in cells] for n in nodes)
    _write(path, header, rows, style)


def write_relations_csv(G: nx.Graph, path: str | os.PathLike[str], style: str = "plain") -> None:
    """One row per edge (parallel edges included): source, target, type, title, docs,
    evidence, weight, dates (of a post), source_label, target_label.

    ``type`` falls back to the multigraph key, which is the relation type by
    contract, so an edge that lost its ``type`` attribute is still labelled.
    """
    header = _header(RELATION_COLUMNS, style, relations=True)
    ids = unique_node_ids(sorted_nodes(G))  # the same ids as in the GraphML output
    rows = (
        [
            ids[u],
            ids[v],
            _cell(d.get("type") if d.get("type") is not None or not isinstance(k, str) else k),
            _cell(d.get("title")),
            _list_cell(d.get("docs")),
            _cell(d.get("evidence")),
            _cell(_as_float(d.get("weight"))),
            _list_cell(d.get("dates")),
            _cell(G.nodes[u].get("label")),
            _cell(G.nodes[v].get("label")),
        ]
        for u, v, k, d in sorted_edges(G)
    )
    _write(path, header, rows, style)
