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
#: From this many keys on, :func:`find` sorts them before it searches.
SORT_KEYS_FROM: Final[int] = 256


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


def word_codes(words: Iterable[str]) -> np.ndarray:
    """:func:`word_code` of each of ``words`` (each of one to three characters), as int64.

    All at once in numpy: the tables of every model are built from them when a build
    worker starts, 325,000 keys, a quarter of a second one by one.
    """
    words = list(words)
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    if not len(words):
        return np.zeros(0, dtype=np.int64)
    if lengths.min() < 1 or lengths.max() > 3:
        raise ValueError("a key has one to three characters")
    ends = np.cumsum(lengths)
    after = np.repeat(ends, lengths) - 1 - np.arange(ends[-1])  # characters after each in its key
    return np.add.reduceat(points("".join(words)) * BASE**after, ends - lengths)


def key_table(keys: Iterable[str]) -> np.ndarray:
    """The sorted, distinct :func:`word_code` of ``keys`` (each of at most three characters)."""
    return np.unique(word_codes(keys))


def find(table: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``codes`` stands in the sorted ``table`` and whether it is there at all
    (where it is not, its place is junk): all of a document's keys in one search."""
    if not len(table):
        return np.zeros(np.shape(codes), dtype=np.intp), np.zeros(np.shape(codes), dtype=bool)
    codes = np.asarray(codes)
    if codes.size < SORT_KEYS_FROM:
        at = np.searchsorted(table, codes)
    else:  # keys in order: each search starts where the last one ended, in cache
        flat = codes.ravel()
        order = flat.argsort()
        at = np.empty(flat.size, dtype=np.intp)
        at[order] = np.searchsorted(table, flat[order])
        at = at.reshape(codes.shape)
    at = np.minimum(at, len(table) - 1)
    return at, table[at] == codes
