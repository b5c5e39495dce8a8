"""From a processed spaCy Doc to the document's resolved entities and relations.

Resolution turns each entity span into a keyed entity (canonical name, division
code), adds the places written inside agency names (平遥县 in 平遥县公安局), and
hands the mentions to kg.relations. The result is a DocExtraction that the graph
builder merges across documents.
"""

from __future__ import annotations

from spacy.tokens import Doc

from kg.extraction import DocExtraction, EntityRef
from kg.gazetteer import load_gazetteer
from kg.mentions import mentions_of, sentence_bounds
from kg.relations import find_relations


def resolve(doc: Doc, doc_id: str) -> DocExtraction:
    mentions = mentions_of(doc)
    gaz = load_gazetteer()
    j = gaz.get(doc._.jurisdiction) if doc._.jurisdiction else None
    text = doc.text
    relations, implied = find_relations(text, mentions, sentence_bounds(text), j)
    entities = [
        EntityRef(m.key, m.type, m.label, m.surface, m.adcode, m.attrs.get("level", "") if m.type == "PLACE" else "")
        for m in mentions + implied
    ]
    return DocExtraction(doc_id, len(text), j.name if j else "", entities, relations)
