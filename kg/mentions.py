"""Entity mentions of a processed Doc, keyed for resolution, and its sentences.

Why a module of its own: relations and resolution both read the same mention list
(doc.ents plus the places written inside agency names) and the same sentence
spans; keeping them here lets kg.relations depend on mentions without depending
on resolution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc

from kg.extraction import entity_key

SENTENCE_END = re.compile(r"[。！？；!?;\n]")


@dataclass
class Mention:
    """An entity mention with its resolved key, in document order."""

    start: int
    end: int
    type: str
    key: str
    label: str
    surface: str
    attrs: dict = field(default_factory=dict)

    @property
    def adcode(self) -> str:
        return self.attrs.get("adcode", "") if self.type == "PLACE" else ""


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Sentence spans, split after 。！？； and at line ends."""
    out = []
    start = 0
    for m in SENTENCE_END.finditer(text):
        if m.end() - start > 1:
            out.append((start, m.end()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


def _mention(start: int, end: int, type_: str, surface: str, info: dict) -> Mention:
    canonical = info.get("canonical") or surface
    adcode = info.get("adcode", "") if type_ == "PLACE" else ""
    return Mention(start, end, type_, entity_key(type_, canonical, adcode), canonical, surface, info)


def mentions_of(doc: Doc, text: str | None = None) -> list[Mention]:
    """All entity mentions: doc.ents plus the places nested in agency names.

    `text` is doc.text when the caller has it (spaCy rebuilds the string each time).
    """
    out = []
    text = doc.text if text is None else text
    for span in doc.ents:
        info = span._.kg or {"canonical": span.text}
        out.append(_mention(span.start_char, span.end_char, span.label_, span.text, info))
        for p in info.get("nested_places", []):
            out.append(_mention(p.start, p.end, "PLACE", text[p.start : p.end], {"canonical": p.canonical, **p.attrs, "nested": True}))
    out.sort(key=lambda m: (m.start, -m.end))
    return out
