"""Strings as integers: the keys of kg's numpy feature tables (:mod:`kg.nlp.ner_crf`, :mod:`kg.nlp.fast_pkuseg`).

Why: looking a character n-gram up in a dict costs a Python call per character; written
as one integer of code points (base 0x110000, so three characters fit in 63 bits),
every n-gram of a document is found at once with ``searchsorted`` in a sorted table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import numpy as np

#: One digit per character: a code point is below 0x110000.
BASE: Final[int] = 0x110000


def points(text: str) -> np.ndarray:
    """The code points of ``text`` (lone surrogates included), as int64."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)


def code(parts: list[int] | list[np.ndarray]) -> int | np.ndarray:
    """One integer from the code points of a key's characters, first to last (arrays: one key each)."""
    out = parts[0]
    for p in parts[1:]:
        out = out * BASE + p
    return out


def word_code(word: str) -> int:
    """:func:`code` of a string of at most three characters."""
    return code([ord(c) for c in word])


def key_table(keys: Iterable[str]) -> np.ndarray:
    """The sorted, distinct :func:`word_code` of ``keys`` (each of at most three characters)."""
    return np.unique(np.asarray([word_code(k) for k in keys], dtype=np.int64))


def find(table: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``codes`` stands in the sorted ``table`` and whether it is there at all
    (where it is not, its place is junk): all of a document's keys in one search."""
    if not len(table):
        return np.zeros(np.shape(codes), dtype=np.intp), np.zeros(np.shape(codes), dtype=bool)
    at = np.minimum(np.searchsorted(table, codes), len(table) - 1)
    return at, table[at] == codes
