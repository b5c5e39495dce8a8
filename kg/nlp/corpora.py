"""Readers for the public Chinese NER corpora, to one common form, with kg's label mapping.

Why: kg's learned NER (``kg/nlp/ner.py``) is trained and scored on five research corpora
that each come in their own format and label set. Every reader here yields
``Example(text, spans)`` where ``spans`` is a sorted list of ``(start, end, label)``
character offsets (end exclusive) in the corpus's *own* label names; :func:`to_kg`
maps them to kg's entity types (PERSON, PLACE, ORG, AGENCY, TITLE) and drops the
rest. The mapping is written down in ``docs/ner.md``.

Formats (``fmt`` argument of :func:`read`):

* ``msra``    -- one ``char<TAB>tag`` per line (BIO), blank line between sentences
  (MSRA, and the People's Daily ``example.dev/test``, which use a space: both work).
* ``cluener`` -- JSON lines ``{"text": ..., "label": {type: {string: [[s, e_incl], ...]}}}``.
* ``bmes``    -- one ``char<SPACE>tag`` per line, BMES (Resume NER).
* ``pfr``     -- People's Daily 1998 ``word/POS`` lines with ``[.. ..]nt`` compounds;
  adjacent ``nr`` words (surname + given name) are joined into one name.
* ``conll``   -- Weibo NER: ``char+segpos<TAB>tag`` (``中0``), BIO over ``PER.NAM`` etc.

kg's own silver annotations of the genre (``silver/``) are stand-off records without
text; :func:`read_silver` joins them with their texts in ../shared and yields whole
documents labelled with kg's types directly, PROJECT and POLICY included.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = ("msra", "cluener", "bmes", "pfr", "conll")

#: kg's entity types that the learned NER predicts (the public corpora have no PROJECT or
#: POLICY; only kg's silver annotations do).
KG_LABELS = ("PERSON", "PLACE", "ORG", "AGENCY", "TITLE", "PROJECT", "POLICY")

#: Corpus label -> kg type. Labels not listed are ignored (dropped to O).
LABEL_MAP: dict[str, str] = {
    # MSRA, People's Daily char BIO
    "PER": "PERSON",
    "LOC": "PLACE",
    "ORG": "ORG",
    # People's Daily PFR POS tags
    "nr": "PERSON",
    "ns": "PLACE",
    "nt": "ORG",
    # CLUENER2020
    "name": "PERSON",
    "address": "PLACE",
    "government": "AGENCY",
    "company": "ORG",
    "organization": "ORG",
    "position": "TITLE",
    # Resume NER
    "NAME": "PERSON",
    "TITLE": "TITLE",
    # (Resume ORG and LOC are covered above)
    # Weibo NER: named mentions only; GPE (countries, cities) is a place for kg
    "PER.NAM": "PERSON",
    "LOC.NAM": "PLACE",
    "GPE.NAM": "PLACE",
    "ORG.NAM": "ORG",
}

#: Endings of government bodies: an ORG span ending so is an AGENCY for kg.
GOVERNMENT_SUFFIXES: tuple[str, ...] = tuple(
    "政府 国务院 政协 人大 常委会 委员会 法院 检察院 检察署 党委 党组 纪委 监委 工委 管委会 "
    "办公厅 办公室 派出所 海关 边防 武警 使馆 领事馆 警方 公安机关 局 委 办 厅 署 部".split()
)
#: Endings and inner words that make a 部/委员会/办 name a company's or club's unit.
_NOT_GOVERNMENT_ENDINGS: tuple[str, ...] = tuple("俱乐部 编辑部 总部 本部 事业部 营业部 门市部 干部 分部 中心".split())
_COMMERCIAL_WORDS: tuple[str, ...] = tuple("公司 银行 集团 证券 期货 地产 控股 基金 保险 股份 企业 有限 酒店 大学 学院".split())


def is_government_name(name: str) -> bool:
    """True if an organisation name reads as a government body (…局, …委员会, …政府, …部)."""
    name = name.strip()
    if len(name) < 2 or name.endswith(_NOT_GOVERNMENT_ENDINGS):
        return False
    if not name.endswith(GOVERNMENT_SUFFIXES):
        return False
    # 招商银行信用卡部, 北京国华置业有限公司公关部: departments of companies
    return not any(w in name for w in _COMMERCIAL_WORDS)


@dataclass
class Example:
    """One sentence or message: its text and labelled spans (start, end exclusive, label)."""

    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)


# --------------------------------------------------------------------------- readers


def read(path: str | Path, fmt: str) -> list[Example]:
    """All examples of a corpus file in format ``fmt`` (one of :data:`FORMATS`)."""
    path = Path(path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown corpus format {fmt!r}; expected one of {', '.join(FORMATS)}")
    with path.open(encoding="utf-8-sig") as fh:
        return list(parse(fh, fmt))


def parse(lines: Iterable[str], fmt: str) -> Iterator[Example]:
    """Examples from an iterable of lines (a file or a list) in format ``fmt``."""
    if fmt == "msra":
        return _read_tagged(lines, scheme="bio", strip_segpos=False)
    if fmt == "conll":
        return _read_tagged(lines, scheme="bio", strip_segpos=True)
    if fmt == "bmes":
        return _read_tagged(lines, scheme="bmes", strip_segpos=False)
    if fmt == "cluener":
        return _read_cluener(lines)
    if fmt == "pfr":
        return _read_pfr(lines)
    raise ValueError(f"unknown corpus format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _split_char_tag(line: str) -> tuple[str, str] | None:
    """``char<TAB>tag`` or ``char<SPACE>tag``; the char itself may be a space-like symbol."""
    line = line.rstrip("\r\n")
    if not line.strip():
        return None
    if "\t" in line:
        ch, _, tag = line.rpartition("\t")
    else:
        ch, _, tag = line.rpartition(" ")
    tag = tag.strip()
    if ch == "":
        # a line that is only "tag" (its character was whitespace): keep a space
        ch = " "
    return ch, tag


def tags_to_spans(tags: list[str], scheme: str = "bio") -> list[tuple[int, int, str]]:
    """BIO / BIOES / BMES tags to spans, forgiving: a stray I-/M-/E- starts an entity."""
    spans: list[tuple[int, int, str]] = []
    start, label = None, None

    def close(i: int) -> None:
        nonlocal start, label
        if start is not None:
            spans.append((start, i, label))
        start, label = None, None

    for i, tag in enumerate(tags):
        if tag in ("O", "", "o") or "-" not in tag:
            close(i)
            continue
        pos, _, lab = tag.partition("-")
        pos = pos.upper()
        if pos == "S":
            close(i)
            spans.append((i, i + 1, lab))
        elif pos == "B":
            close(i)
            start, label = i, lab
        elif pos in ("I", "M"):
            if start is None or label != lab:
                close(i)
                start, label = i, lab
        elif pos == "E":
            if start is None or label != lab:
                close(i)
                start, label = i, lab
            close(i + 1)
        else:
            close(i)
    close(len(tags))
    return spans


def _read_tagged(lines: Iterable[str], scheme: str, strip_segpos: bool) -> Iterator[Example]:
    chars: list[str] = []
    tags: list[str] = []
    for line in lines:
        pair = _split_char_tag(line)
        if pair is None:
            if chars:
                yield Example("".join(chars), tags_to_spans(tags, scheme))
            chars, tags = [], []
            continue
        ch, tag = pair
        if strip_segpos and len(ch) > 1 and ch[-1].isdigit():
            ch = ch[:-1]
        if len(ch) != 1:
            ch = ch[:1] if ch else " "
        chars.append(ch)
        tags.append(tag)
    if chars:
        yield Example("".join(chars), tags_to_spans(tags, scheme))


def _read_cluener(lines: Iterable[str]) -> Iterator[Example]:
    for line in lines:
        line = line.strip()
        if not line:
            continue
        obj = json.loads(line)
        text = obj["text"]
        spans = []
        for label, ents in (obj.get("label") or {}).items():
            for surface, offsets in ents.items():
                for s, e in offsets:
                    if text[s : e + 1] == surface:
                        spans.append((s, e + 1, label))
        yield Example(text, sorted(set(spans)))


# word/POS, with an optional opening "[" and an optional closing "]xx"
_PFR_TOKEN_RE = re.compile(r"^(?P<open>\[)?(?P<word>.+?)/(?P<pos>[A-Za-z]+)(?:\](?P<close>[A-Za-z]+))?$")
_PFR_ID_RE = re.compile(r"^\d{8}-\d{2}-\d{3}-\d{3}/m$")


def _read_pfr(lines: Iterable[str]) -> Iterator[Example]:
    """People's Daily 1998: ``[..]nt/ns/nz`` compounds are one entity; ``nr`` words join."""
    for line in lines:
        tokens = line.split()
        if tokens and _PFR_ID_RE.match(tokens[0]):
            tokens = tokens[1:]
        if not tokens:
            continue
        text_parts: list[str] = []
        pos_of: list[tuple[int, int, str]] = []  # (start, end, pos) per word
        compounds: list[tuple[int, int, str]] = []
        open_at = None
        off = 0
        for tok in tokens:
            m = _PFR_TOKEN_RE.match(tok)
            if m is None:
                word, pos, opened, closed = tok, "x", False, None
            else:
                word, pos, opened, closed = m["word"], m["pos"], bool(m["open"]), m["close"]
            if opened:
                open_at = off
            text_parts.append(word)
            pos_of.append((off, off + len(word), pos))
            off += len(word)
            if closed is not None:
                if open_at is not None:
                    compounds.append((open_at, off, closed))
                open_at = None
        text = "".join(text_parts)
        spans: list[tuple[int, int, str]] = []
        covered = [False] * len(text)
        for s, e, pos in compounds:
            if pos in ("nt", "ns", "nr"):
                spans.append((s, e, pos))
                for i in range(s, e):
                    covered[i] = True
        i = 0
        while i < len(pos_of):
            s, e, pos = pos_of[i]
            if pos in ("nr", "ns", "nt") and not covered[s]:
                j = i
                if pos == "nr":  # surname + given name are separate words: join them
                    while j + 1 < len(pos_of) and pos_of[j + 1][2] == "nr" and not covered[pos_of[j + 1][0]]:
                        j += 1
                spans.append((s, pos_of[j][1], pos))
                i = j + 1
                continue
            i += 1
        yield Example(text, sorted(spans))


#: Every this-many-th silver document (by a hash of its id) is the dev split while developing.
SILVER_DEV_EVERY = 10


def is_silver_dev(doc: str, every: int = SILVER_DEV_EVERY) -> bool:
    """Whether a silver document is held out: a fixed share chosen by a hash of its id, never by position."""
    return bool(every) and int(hashlib.md5(doc.encode("utf-8")).hexdigest(), 16) % every == 0


def read_silver(standoff: str | Path, source: str | Path) -> list[tuple[str, Example]]:
    """(document id, whole-document Example) for each stand-off record of ``standoff`` whose
    text is in ``source`` (JSON lines with ``id`` and ``text``), labelled with kg's types.

    A record whose text has changed since it was annotated (its ``sha1`` differs) is an
    error: offsets into another text would teach the tagger nonsense.
    """
    texts: dict[str, str] = {}
    with Path(source).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                item = json.loads(line)
                texts[item["id"]] = item["text"]
    out = []
    with Path(standoff).open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            text = texts.get(rec["doc"])
            if text is None:
                continue
            if hashlib.sha1(text.encode("utf-8")).hexdigest() != rec["sha1"]:
                raise ValueError(f"{standoff}: the text of {rec['doc']} in {source} is not the one annotated")
            types = [e["type"] for e in rec["entities"]]
            spans = [(s, e, types[i]) for s, e, i in rec["mentions"]] + [(s, e, "TITLE") for s, e in rec["titles"]]
            out.append((rec["doc"], Example(text, sorted(spans))))
    return out


# --------------------------------------------------------------------------- mapping


def to_kg(example: Example, split_agency: bool = True) -> Example:
    """The example with kg labels (PERSON/PLACE/ORG/AGENCY/TITLE); other labels dropped.

    With ``split_agency``, an ORG span whose text reads as a government body
    (:func:`is_government_name`) becomes AGENCY, as kg splits organisations so.
    """
    out = []
    for s, e, lab in example.spans:
        kg = LABEL_MAP.get(lab)
        if kg is None:
            continue
        if kg == "ORG" and split_agency and is_government_name(example.text[s:e]):
            kg = "AGENCY"
        out.append((s, e, kg))
    return Example(example.text, out)


def corpus_label(kg_label: str, fmt: str) -> str:
    """The label to score a kg prediction under against corpus ``fmt`` (AGENCY -> ORG where the corpus has no AGENCY)."""
    if fmt in ("msra", "pfr", "bmes", "conll") and kg_label == "AGENCY":
        return "ORG"
    return kg_label
