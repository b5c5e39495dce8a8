"""Text handling shared by kg's learned NER taggers (:mod:`kg.nlp.ner_crf`, :mod:`kg.nlp.ner_lstm`).

Why one module: both taggers must see exactly the same characters, dictionary matches,
sentence pieces and BIOES tags, or their per-character probabilities could not be
combined (:mod:`kg.nlp.ner`).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Final

import numpy as np

from kg.nlp import codepoints
from kg.nlp.corpora import KG_LABELS as LABELS
from kg.nlp.corpora import Example
from kg.nlp.corpora import tags_to_spans as tags_to_spans  # the corpora's decoder, for the taggers' BIOES

#: BIOES tags, in the order both taggers' probability columns use.
TAGS: Final[tuple[str, ...]] = ("O", *(f"{k}-{lab}" for lab in LABELS for k in "BIES"))
#: Tag -> its column.
TAG_INDEX: Final[dict[str, int]] = {t: i for i, t in enumerate(TAGS)}

#: Longest stretch tagged at once; longer sentences are cut at commas, then blindly.
MAX_SENTENCE: Final[int] = 150

# Full-width ASCII and the ideographic space -> half-width (one char to one char,
# so offsets never move).
_HALF = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_HALF[0x3000] = 0x20
_HALF[0] = 0x20  # crfsuite attribute names are C strings
_HALF.update({ord(c): 0x20 for c in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})  # ... and lines of its model dump
_HALF.update({i: ord("?") for i in range(0xD800, 0xE000)})  # lone surrogates cannot be encoded
_CN_DIGITS = set("〇零一二三四五六七八九十百千万亿两")
_SENT_END = re.compile(r"\n+|[。！？!?；;]+[”’」』）)]*")  # a line break ends a sentence of its own (网站\n\n??)
_CLAUSE_END = re.compile(r"[，,、：:]")


def normalize(text: str) -> str:
    """Full-width ASCII to half-width (NUL and lone surrogates to placeholders); same length as ``text``."""
    return text.translate(_HALF)


def char_class(ch: str) -> str:
    """D digit, N Chinese numeral, L Latin letter, C other CJK, S space, P anything else."""
    if ch.isdigit():
        return "D"
    if ch in _CN_DIGITS:
        return "N"
    if ch.isascii() and ch.isalpha():
        return "L"
    if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
        return "C"
    if ch.isspace():
        return "S"
    return "P"


class _ClassTable(dict):
    """``str.translate`` table: character -> its class letter (:func:`char_class`), filled as met."""

    def __missing__(self, code: int) -> str:
        self[code] = cls = char_class(chr(code))
        return cls


#: ``text.translate(CLASS_OF)``: each character's :func:`char_class` letter, in one call.
CLASS_OF: Final[_ClassTable] = _ClassTable()


# --------------------------------------------------------------------------- lexicon


#: Dictionary tag of the training corpora's entity strings, per kg label (:meth:`Lexicon.add`).
ENTITY_GROUPS: Final[dict[str, str]] = {"PERSON": "p", "PLACE": "l", "ORG": "o", "AGENCY": "a", "TITLE": "t", "PROJECT": "j", "POLICY": "y"}


class Lexicon:
    """Word -> dictionary tags; matches every entry at every position.

    Tags: ``G`` division or landmark name, ``A`` government body or department, ``T``
    post; and for the training corpora's entity strings the label's letter (``p``
    PERSON, ``l`` PLACE, ``o`` ORG, ``a`` AGENCY, ``t`` TITLE) plus how often the
    string is that entity where it occurs (``2`` most times, ``1`` often, ``0`` rarely:
    发展 inside 发展中国家 is rarely a name; 中国 nearly always is).
    """

    MAX_LEN = 16

    def __init__(self) -> None:
        self.words: dict[str, tuple[str, ...]] = {}
        self.prefixes: set[str] = set()
        self._openings: np.ndarray | None = None

    def add(self, word: str, tag: str) -> None:
        word = normalize(word.strip())
        if not 2 <= len(word) <= self.MAX_LEN or any(c.isspace() for c in word):
            return
        have = self.words.get(word, ())
        if tag not in have:
            self.words[word] = tuple(sorted((*have, tag)))
        for k in range(1, len(word)):
            self.prefixes.add(word[:k])
        self._openings = None

    def copy(self) -> Lexicon:
        other = Lexicon()
        other.words = dict(self.words)
        other.prefixes = set(self.prefixes)
        other._openings = self._openings
        return other

    def _opening_codes(self) -> np.ndarray:
        """Sorted codes of the first two characters of every word (each word has two or more)."""
        if self._openings is None:
            self._openings = codepoints.key_table(w[:2] for w in self.words)
        return self._openings

    def matches(self, t: str) -> Iterable[tuple[int, int, tuple[str, ...]]]:
        """(start, end, tags) for every dictionary word in the normalised text ``t``.

        Only positions whose two characters open some word are probed (found for the
        whole text at once with ``searchsorted``); from there the word grows while it is
        a prefix of some word.
        """
        n = len(t)
        if n < 2:
            return
        cp = codepoints.points(t)
        _, found = codepoints.find(self._opening_codes(), codepoints.code([cp[:-1], cp[1:]]))
        words, prefixes = self.words, self.prefixes
        for i in np.flatnonzero(found).tolist():
            j = i + 2
            tags = words.get(t[i:j])
            if tags is not None:
                yield i, j, tags
            while j < n and t[i:j] in prefixes:
                j += 1
                tags = words.get(t[i:j])
                if tags is not None:
                    yield i, j, tags

    def matches_many(self, texts: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
        """:meth:`matches` of each normalised text, at their places in the texts joined one
        after another; one pass over them joined with spaces (no word holds a space, so
        none runs from one text into the next)."""
        joined = " ".join(texts)
        cuts = np.cumsum([len(t) + 1 for t in texts])  # where each text's separator ends
        found = list(self.matches(joined))
        if not found:
            return []
        pieces = np.searchsorted(cuts, [i for i, _, _ in found], side="right").tolist()
        return [(i - k, j - k, tags) for (i, j, tags), k in zip(found, pieces, strict=True)]

    def add_features(self, t: str, feats: list[list[str]]) -> None:
        for i, j, tags in self.matches(t):
            length = str(min(j - i, 6))
            for g in tags:
                feats[i].append(g + "B" + length)
                feats[j - 1].append(g + "E")
                for k in range(i + 1, j - 1):
                    feats[k].append(g + "M")

    def save(self, path: Path) -> None:
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
            for w in sorted(self.words):
                fh.write(f"{w}\t{','.join(self.words[w])}\n")

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        """The lexicon :meth:`save` wrote (its words are already normalised and filtered, so
        they are taken as they are: loading runs at every start of a build worker)."""
        lex = cls()
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                w, _, tags = line.rstrip("\n").partition("\t")
                lex.words[w] = tuple(tags.split(","))
        lex.prefixes = {w[:k] for w in lex.words for k in range(1, len(w))}
        return lex


def inner_characters(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For words at ``[starts, ends)``: the positions of the characters between each word's
    first and last, and the index of the word each lies in (for dictionary features)."""
    inner = np.maximum(ends - starts - 2, 0)
    owner = np.repeat(np.arange(len(starts)), inner)
    return starts[owner] + 1 + np.arange(len(owner)) - np.repeat(np.cumsum(inner) - inner, inner), owner


# --------------------------------------------------------------------------- tags


def spans_to_tags(n: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """BIOES tags for ``n`` characters; overlapping spans: the earlier-starting one wins."""
    tags = ["O"] * n
    for s, e, lab in sorted(spans):
        if s < 0 or e > n or s >= e or any(tags[k] != "O" for k in range(s, e)):
            continue
        if e - s == 1:
            tags[s] = "S-" + lab
        else:
            tags[s] = "B-" + lab
            tags[e - 1] = "E-" + lab
            for k in range(s + 1, e - 1):
                tags[k] = "I-" + lab
    return tags


def sentence_spans(text: str, max_len: int = MAX_SENTENCE) -> list[tuple[int, int]]:
    """(start, end) of the sentences of ``text``, each at most ``max_len`` characters.

    Cuts after 。！？；and line breaks (with closing quotes), then at commas, then blindly;
    leading and trailing whitespace of each piece is left out.
    """
    pieces: list[tuple[int, int]] = []
    last = 0
    for m in _SENT_END.finditer(text):
        pieces.append((last, m.end()))
        last = m.end()
    if last < len(text):
        pieces.append((last, len(text)))
    out: list[tuple[int, int]] = []
    for s, e in pieces:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        while e - s > max_len:
            cut = None
            for m in _CLAUSE_END.finditer(text, s, s + max_len):
                cut = m.end()
            if cut is None or cut <= s:
                cut = s + max_len
            out.append((s, cut))
            s = cut
        if e > s:
            out.append((s, e))
    return out


def split_example(ex: Example, max_len: int = MAX_SENTENCE) -> list[Example]:
    """The example cut into sentences of at most ``max_len`` characters, with the spans inside each."""
    out = []
    for s, e in sentence_spans(ex.text, max_len):
        spans = [(a - s, b - s, lab) for a, b, lab in ex.spans if s <= a and b <= e]
        out.append(Example(ex.text[s:e], spans))
    return out


def strip_span(span: tuple[int, int, str], text: str) -> tuple[int, int, str] | None:
    """The span without leading or trailing whitespace; None if nothing is left."""
    s, e, lab = span
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e, lab) if e > s else None
