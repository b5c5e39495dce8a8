"""What one document contributes to the graph: resolved entities and relations.

A plain, picklable record per document, so that documents can be processed in
worker processes or cached between builds and merged later in any order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True, slots=True)
class EntityRef:
    """One entity as a document names it.

    `key` identifies the real-world entity across documents: places by division
    code where known, everything else by type and canonical name.
    """

    key: str
    type: str
    label: str
    surface: str
    adcode: str = ""
    level: str = ""


@dataclass(frozen=True, slots=True)
class RelationRef:
    head: str
    tail: str
    type: str
    title: str = ""
    evidence: str = ""
    date: str = ""  # a date the evidence sentence gives (2024年3月), for posts that change


@dataclass(slots=True)
class DocExtraction:
    doc_id: str
    chars: int
    jurisdiction: str = ""
    entities: list[EntityRef] = field(default_factory=list)
    relations: list[RelationRef] = field(default_factory=list)


def entity_key(type_: str, canonical: str, adcode: str = "") -> str:
    if type_ == "PLACE" and adcode:
        return f"PLACE:{adcode}"
    return f"{type_}:{canonical}"


def as_written(ex: DocExtraction, written: str, read: str) -> DocExtraction:
    """`ex`, extracted from `read` (a same-length copy of `written`: Traditional text
    read as Simplified), with its surfaces and evidence quoted from `written`.

    Names stay as recognised (canonical names are Simplified, as in the division
    table); what a reader checks against the article is the article's own text.
    """
    found: dict[str, str] = {}

    def quote(s: str) -> str:
        if s not in found:
            at = read.find(s)
            found[s] = written[at : at + len(s)] if s and at >= 0 else s
        return found[s]

    entities = [replace(e, surface=quote(e.surface)) for e in ex.entities]
    relations = [replace(r, evidence=quote(r.evidence)) for r in ex.relations]
    return replace(ex, entities=entities, relations=relations)
