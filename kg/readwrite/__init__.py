"""Readers and writers for the knowledge graph, one module per format
(networkx style): GraphML for Gephi and the scorer, GEXF for Gephi with
colours and positions, CSV tables, an offline HTML view.  Every writer is
deterministic and writes atomically.
"""

from kg.readwrite.csv import write_entities_csv, write_relations_csv
from kg.readwrite.gexf import generate_gexf, write_gexf
from kg.readwrite.graphml import generate_graphml, read_graphml, write_graphml
from kg.readwrite.html import generate_html, write_html

__all__ = [
    "generate_gexf",
    "generate_graphml",
    "generate_html",
    "read_graphml",
    "write_entities_csv",
    "write_gexf",
    "write_graphml",
    "write_html",
    "write_relations_csv",
]
