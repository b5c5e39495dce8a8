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
# the kinds of zone a name ends with, each written long or short (经济技术开发区 = 经开区)
ZONE_KINDS = (
    ("经济技术开发区", "经开"),
    ("经开区", "经开"),
    ("高新技术产业开发区", "高新"),
    ("高新技术产业园区", "高新"),
    ("高新技术开发区", "高新"),
    ("高新区", "高新"),
    ("工业园区", "工业园"),
    ("工业园", "工业园"),
    ("经济开发区", "开发"),
)


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


#: Full-width digits and Latin letters as their ASCII twins: ＡＢＣ科技 and ABC科技 are one firm.
#: (Full-width brackets and punctuation stay: they are how Chinese names are written.)
_HALF_WIDTH = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for c in range(r[0], r[1] + 1)}


def _mention(start: int, end: int, type_: str, surface: str, info: dict) -> Mention:
    canonical = (info.get("canonical") or surface).translate(_HALF_WIDTH)
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
    _unify_zones(out)
    return out


def _zone_key(name: str) -> tuple[str, str] | None:
    """(place stem, kind) of a zone's name: 吉林市经济技术开发区 and 吉林经开区 are both
    (吉林, 经开), 剑河县工业园区 and 剑河工业园区 both (剑河, 工业园)."""
    for suffix, kind in ZONE_KINDS:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            stem = name[: -len(suffix)]
            if len(stem) > 2 and stem[-1] in "省市县区旗":
                stem = stem[:-1]
            return stem, kind
    return None


def _unify_zones(mentions: list[Mention]) -> None:
    """One zone under one name in a document: an article writes a zone in full once and
    short after (吉林市经济技术开发区 … 吉林经开区), so the short forms take the name the
    rules found written out (else the longest)."""
    groups: dict[tuple[str, str], list[Mention]] = {}
    for m in mentions:
        if m.type == "PLACE" and m.attrs.get("level") == "zone" and (key := _zone_key(m.label)) is not None:
            groups.setdefault(key, []).append(m)
    renamed: dict[str, str] = {}
    for group in groups.values():
        best = max(group, key=lambda m: (m.attrs.get("source") != "derived", len(m.label), m.label))
        for m in group:
            if m.key != best.key:
                renamed[m.label] = best.label
                m.key, m.label = best.key, best.label
                m.attrs = {**best.attrs, **{k: v for k, v in m.attrs.items() if k == "nested"}}
    for m in mentions:  # the zone's own bodies follow its name (周口经开区党工委)
        old = m.attrs.get("located_in", "") if m.type == "AGENCY" else ""
        if old in renamed and m.label.startswith(old):
            m.label = renamed[old] + m.label[len(old) :]
            m.key = entity_key("AGENCY", m.label)
            m.attrs = {**m.attrs, "located_in": renamed[old]}
