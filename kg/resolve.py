"""From a processed spaCy Doc to the document's resolved entities and relations.

Resolution turns each entity span into a keyed entity (canonical name, division
code), adds the places written inside agency names (平遥县 in 平遥县公安局), and
hands the mentions to kg.relations. The result is a DocExtraction that the graph
builder merges across documents.
"""

from __future__ import annotations

import re
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc

from kg.chinese import to_simplified
from kg.extraction import DocExtraction, EntityRef, RelationRef, as_written, entity_key
from kg.gazetteer import Division, load_gazetteer
from kg.lexicon import NATIONAL_BODIES
from kg.mentions import Mention, mentions_of, sentence_bounds
from kg.relations import find_relations

HOME_VOICE = re.compile("我市|我县|我区|本市|本县|全市|全县|全区")
NATIONAL_KEYS = {entity_key("AGENCY", name) for name in NATIONAL_BODIES}


#: A document longer than this (an archive saved as one file) is extracted in parts of
#: at most :data:`PART_CHARS`, cut at line ends, so that time and memory grow with its
#: length and not faster: one Doc of a million characters took 2.5x the time and 3 GB.
LONG_DOC_CHARS = 100_000
PART_CHARS = 50_000


def extract_text(nlp: Language, text: str, doc_id: str) -> DocExtraction:
    """The entities and relations of one document's text, with kg's pipeline `nlp`.

    Traditional Chinese is recognised in a Simplified copy of the same length
    (kg.chinese) and quoted as written. A long document is read part by part
    (:data:`LONG_DOC_CHARS`); each part finds its own home place, as the
    articles such a file strings together each have one.
    """
    if len(text) > LONG_DOC_CHARS:
        parts = [extract_text(nlp, part, doc_id) for part in _parts(text, PART_CHARS)]
        return DocExtraction(
            doc_id,
            len(text),
            next((p.jurisdiction for p in parts if p.jurisdiction), ""),
            [e for p in parts for e in p.entities],
            [r for p in parts for r in p.relations],
        )
    simple = to_simplified(text)
    ex = resolve(nlp(simple or text), doc_id)
    return as_written(ex, text, simple) if simple else ex


def _parts(text: str, size: int) -> list[str]:
    """`text` cut into pieces of at most `size` characters: after the last line end
    in reach, else after the last sentence end, else at `size`."""
    parts = []
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = window.rfind("\n") + 1 or max(window.rfind(c) for c in "。！？；") + 1 or size
        parts.append(text[start : start + cut])
        start += cut
    parts.append(text[start:])
    return parts


def resolve(doc: Doc, doc_id: str) -> DocExtraction:
    text = doc.user_data.get("kg_text") or doc.text
    mentions = mentions_of(doc, text)
    gaz = load_gazetteer()
    j = gaz.get(doc._.jurisdiction) if doc._.jurisdiction else None
    titles = [(t.start_char, t.end_char) for t in doc.spans.get("kg_titles", [])]
    relations, implied = find_relations(text, mentions, sentence_bounds(text), j, titles)
    # a paper that speaks as its home place (我市, 全县) places unposted people there too;
    # a national paper does not, so its people are keyed by name and post alone
    rename = _person_keys(mentions, relations, j if HOME_VOICE.search(text) else None)
    entities = [
        EntityRef(rename.get(m.key, m.key), m.type, m.label, m.surface, m.adcode, m.attrs.get("level", "") if m.type == "PLACE" else "")
        for m in mentions + implied
    ]
    relations = [replace(r, head=rename.get(r.head, r.head), tail=rename.get(r.tail, r.tail)) for r in relations]
    return DocExtraction(doc_id, len(text), j.name if j else "", entities, relations)


def _person_keys(mentions: list[Mention], relations: list[RelationRef], home: Division | None) -> dict[str, str]:
    """Key people by name and where they serve, so that two 王静 of different
    cities stay two nodes while one official named in many articles is one.

    The anchor is the city (prefecture) of the body the person holds a post in,
    else of the paper's home jurisdiction (`home`, None for a national paper);
    holders of national posts (中共中央总书记) and people with no anchor are keyed
    by name alone.
    """
    gaz = load_gazetteer()
    located = {r.head: r.tail for r in relations if r.type == "LOCATED_IN"}
    by_key = {m.key: m for m in mentions}
    out = {}
    for m in mentions:
        if m.type != "PERSON" or m.key in out:
            continue
        posts = [r.tail for r in relations if r.type == "HOLDS_POSITION" and r.head == m.key]
        if any(p in NATIONAL_KEYS or by_key.get(p) is not None and by_key[p].attrs.get("national") for p in posts):
            continue
        anchor = None
        for p in posts:
            place = by_key.get(located.get(p, ""))
            if place is not None and place.adcode:
                anchor = gaz.get(place.adcode)
                break
        anchor = anchor or home
        city = _city_of(gaz, anchor) if anchor is not None else None
        if city is not None:
            out[m.key] = f"{m.key}@{city.code}"
    return out


def _city_of(gaz, d: Division) -> Division | None:
    """The prefecture-level division of d (or its province for municipalities)."""
    chain = [d, *gaz.ancestors(d)]
    for a in chain:
        if a.level == "city":
            return a
    return chain[-1] if chain else None
