"""Shared pieces of the rule families: the candidate record and a dictionary matcher."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from spacy.attrs import IDX, LENGTH

from kg.nlp import codepoints

CJK = "\u4e00-\u9fff"
CJK_RE = re.compile(f"[{CJK}]")


@dataclass
class Candidate:
    """A typed stretch of text with what the rule learned about it.

    `canonical` is the entity's canonical name per the schema as far as the rule can
    tell; `attrs` holds rule-specific facts (division code, jurisdiction prefix,
    nested place) that resolution and relations read later.
    """

    start: int
    end: int
    label: str
    canonical: str
    priority: int = 0
    attrs: dict = field(default_factory=dict)

    @property
    def length(self) -> int:
        return self.end - self.start


class DictMatcher:
    """All occurrences of a fixed set of strings, longest first at each position.

    A plain dict probe per (position, length) is fast enough for this use (tens of
    thousands of names, names up to ~20 characters) and needs no dependency. Only
    positions where some word can start are probed: its first character is a word, or
    its first two open one (found for the whole text at once with ``searchsorted``).
    """

    def __init__(self, words: Iterable[str]) -> None:
        self.words = {w for w in words if w}
        # the word lengths that start with each character, longest first: a position
        # is probed only with lengths some word beginning there actually has
        by_first: dict[str, set[int]] = {}
        for w in self.words:
            by_first.setdefault(w[0], set()).add(len(w))
        self.lengths_by_first = {ch: sorted(ns, reverse=True) for ch, ns in by_first.items()}
        self._singles = codepoints.key_table(w for w in self.words if len(w) == 1)
        self._openings = codepoints.key_table(w[:2] for w in self.words if len(w) >= 2)

    def _starts(self, text: str) -> list[int]:
        """The positions of ``text`` where a word may start."""
        cp = codepoints.points(text)
        _, found = codepoints.find(self._singles, cp)
        found[:-1] |= codepoints.find(self._openings, codepoints.code([cp[:-1], cp[1:]]))[1]
        return np.flatnonzero(found).tolist()

    def finditer(self, text: str, longest_only: bool = True) -> Iterator[tuple[int, int, str]]:
        """(start, end, word) for matches; with longest_only, one match per start."""
        words, by_first = self.words, self.lengths_by_first
        for i in self._starts(text):
            lengths = by_first[text[i]]
            for n in lengths:
                w = text[i : i + n]
                if len(w) == n and w in words:
                    yield i, i + n, w
                    if longest_only:
                        break


def token_boundaries(doc) -> set[int]:
    """Character offsets where the segmenter put a token boundary."""
    if not len(doc):
        return {0}
    arr = doc.to_array([IDX, LENGTH])
    return set(arr[:, 0].tolist()) | set((arr[:, 0] + arr[:, 1]).tolist())


def is_cjk(ch: str) -> bool:
    return bool(ch) and "\u4e00" <= ch <= "\u9fff"


def candidates(doc) -> list[Candidate]:
    """The candidate list the rule components share on a Doc."""
    return doc.user_data.setdefault("kg_candidates", [])


@cache
def _verbs_ending_in(verbs: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Verbs of two or more characters by their last character (a fast first test)."""
    out: dict[str, list[str]] = {}
    for v in verbs:
        if len(v) >= 2:
            out.setdefault(v[-1], []).append(v)
    return {ch: tuple(vs) for ch, vs in out.items()}


def _follows_list_mark(text: str, i: int) -> bool:
    """和/与 right after 、 or a comma cannot be a conjunction: it starts a name (、和顺…)."""
    return text[i] in "和与及" and i > 0 and text[i - 1] in "、，,；"


def scan_left(
    text: str,
    start: int,
    stops: str,
    verbs: tuple[str, ...],
    floor: int = 0,
    limit: int = 24,
    allow: str = "",
    bounds: set[int] | None = None,
) -> int:
    """Where a name that ends in a head word at `start` begins.

    Walks left over name characters until punctuation or a function word, a leading
    verb (加快推动), the end of an earlier entity (`floor`) or `limit` characters.
    `allow` adds non-CJK characters that may appear inside names (digits in 50万吨).
    With the segmenter's word `bounds`, a function character stops the scan only
    where it is a word of its own: 对 in 对虾 and 和 in 和顺 belong to the name.
    """
    p = start
    while p > floor and start - p < limit:
        ch = text[p - 1]
        if not (is_cjk(ch) or ch in allow):
            break
        if ch in stops and (bounds is None or (p - 1 in bounds and p in bounds)) and not _follows_list_mark(text, p - 1):
            break
        if any(
            text.startswith(v, p - len(v)) and p - len(v) >= floor and (bounds is None or (p - len(v) in bounds and p in bounds))
            for v in _verbs_ending_in(verbs).get(ch, ())
        ):
            break
        p -= 1
    return p
