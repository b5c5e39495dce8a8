"""pkuseg's segmentation, computed in numpy: the same model, features and Viterbi, and
the same words, about twice as fast.

Why: spacy-pkuseg builds every character's features as strings (``c-1c.中.国``,
``ww.l.中国*人民`` ...) and looks each up in a dict, some eighty per character, one
character at a time; segmenting was the largest single cost of ``kg build``. Here every
feature template becomes an integer code made of code points (a character, a pair of
characters) or of dictionary word ids (a pair of words), and the codes of all
characters of a document are found at once in sorted tables with ``searchsorted``.
The node scores are summed from the model's weights, and pkuseg's own compiled Viterbi
(``run_viterbi``, with its tie-breaking) decodes each piece.

The features are those of ``spacy_pkuseg.feature_extractor`` with its default config
(numbers and letters normalised, dictionary words of 2-6 characters); the tests check
the segmentation equals spacy-pkuseg's own.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

import numpy as np
import spacy_pkuseg
from spacy_pkuseg import inference as _inf
from spacy_pkuseg.config import config as _config
from spacy_pkuseg.feature_extractor import FeatureExtractor

from kg.nlp import codepoints
from kg.nlp.codepoints import BASE

#: Single-node templates: name -> position relative to the character.
_NODE: Final[dict[str, int]] = {"c": 0, "c-1": -1, "c1": 1, "c-2": -2, "c2": 2}
#: Node-pair templates: name -> positions of the two nodes.
_PAIR: Final[dict[str, tuple[int, int]]] = {"c-1c": (-1, 0), "cc1": (0, 1), "c-2c-1": (-2, -1)}
#: Dictionary word lengths, longest first (pkuseg's wordMax..wordMin).
_LENGTHS: Final[tuple[int, ...]] = tuple(range(_config.wordMax, _config.wordMin - 1, -1))
_NO_WORD: Final[str] = "**noWord"
# pkuseg's multi-character nodes, as one character no text holds (control characters
# in the text are mapped to a third, which no feature knows, as they were before)
_NUM, _LETTER, _OTHER = "\x01", "\x02", "\x03"
_AS_NODE: Final[dict[str, str]] = {"**Num": _NUM, "**Letter": _LETTER}
#: The node of a place outside the piece: a noncharacter, which no feature holds.
_OUTSIDE: Final[int] = 0x10FFFF
#: The code tables, computed from the model by :func:`write_tables` (loading then skips
#: parsing 280,000 feature strings); used only while they match the model's files.
TABLES_FILE: Final[str] = "fast_tables.npz"
#: The files of a pkuseg model directory.
MODEL_FILES: Final[tuple[str, ...]] = ("features.msgpack", "weights.npz")
_TABLES: Final[tuple[str, ...]] = (
    *(f"c{k}" for k in range(len(_NODE))),
    *(f"p{k}" for k in range(len(_PAIR))),
    "w-1",
    "w1",
    "ww.l",
    "ww.r",
    "words2",
    "words3",
)


class _Codes:
    """Sorted integer codes and the feature each stands for: one per code, or a row of one
    per template where several templates' tables are merged (:meth:`union`), so that one
    search serves them all."""

    def __init__(self, codes: np.ndarray, features: np.ndarray, missing: int) -> None:
        self.codes, self.features, self.missing = codes, features, missing

    @classmethod
    def union(cls, tables: list[_Codes], missing: int) -> _Codes:
        codes = np.unique(np.concatenate([t.codes for t in tables]))
        features = np.full((len(codes), len(tables)), missing, dtype=np.int64)
        for k, t in enumerate(tables):
            features[np.searchsorted(codes, t.codes), k] = t.features
        return cls(codes, features, missing)

    def lookup(self, codes: np.ndarray) -> np.ndarray:
        """The feature(s) of each code (``missing`` where none)."""
        if not len(self.codes):
            return np.full(codes.shape + self.features.shape[1:], self.missing, dtype=np.int64)
        at, found = codepoints.find(self.codes, codes)
        return np.where(found.reshape(codes.shape + (1,) * (self.features.ndim - 1)), self.features[at], self.missing)


def _digest(model_dir: Path) -> str:
    h = hashlib.sha256()
    for name in MODEL_FILES:
        h.update((model_dir / name).read_bytes())
    return h.hexdigest()


class FastPkuseg(spacy_pkuseg.pkuseg):
    """``spacy_pkuseg.pkuseg`` whose ``cut`` computes features and scores in numpy."""

    def __init__(self, model_name: str, user_dict: str | None = "default", postag: bool = False) -> None:
        super().__init__(model_name, user_dict, postag)
        if not (_config.numLetterNorm and _config.wordFeature and self.n_tag == len(self.idx_to_tag)):
            raise ValueError("FastPkuseg supports pkuseg's default feature config only")
        n_feature, n_tag = self.model.n_feature, self.model.n_tag
        self._missing = n_feature  # a zero row
        self._weights = np.vstack([self.model.w[: n_feature * n_tag].reshape(n_feature, n_tag), np.zeros((1, n_tag))])
        _, self._edges = _inf.getLogYY([], n_tag, n_feature * n_tag, self.model.w, 1.0)
        self._begins = np.asarray(["B" in self.idx_to_tag[k] for k in range(n_tag)])
        self._words = {w: k for k, w in enumerate(sorted(self.feature_extractor.unigram))}
        self._no_word = len(self._words)
        self._to_nodes = str.maketrans(  # pkuseg renames the keywords first, then normalises
            {
                **{c: _OTHER for c in (_NUM, _LETTER)},
                **{c: _NUM for c in FeatureExtractor.num},
                **{c: _LETTER for c in FeatureExtractor.letter},
                **{c: "&" for c in FeatureExtractor.keywords},
            }
        )
        model_dir = Path(model_name)
        tables = self._load_tables(model_dir / TABLES_FILE, model_dir) or self.code_tables()
        codes = {name: _Codes(tables[f"{name}.codes"], tables[f"{name}.features"], self._missing) for name in _TABLES}
        # one table for the five node templates and one for the three pair templates, so each
        # character's node and each neighbouring pair are searched once
        self._nodes = _Codes.union([codes[f"c{k}"] for k in range(len(_NODE))], self._missing)
        self._pairs = _Codes.union([codes[f"p{k}"] for k in range(len(_PAIR))], self._missing)
        self._word_feats = {name: codes[name] for name in ("w-1", "w1")}
        self._word_pairs = {name: codes[name] for name in ("ww.l", "ww.r")}
        self._words2, self._words3 = codes["words2"], codes["words3"]
        self._long_starts = tables["long_starts"]

    @staticmethod
    def _load_tables(path: Path, model_dir: Path) -> dict[str, np.ndarray] | None:
        if not path.is_file() or not all((model_dir / name).is_file() for name in MODEL_FILES):
            return None
        with np.load(path) as z:
            return dict(z) if str(z["digest"]) == _digest(model_dir) else None

    def code_tables(self) -> dict[str, np.ndarray]:
        """The model's features as sorted code tables (see the module docstring): for each
        template, ``NAME.codes`` and the ``NAME.features`` they stand for."""
        by_template: dict[str, list[tuple[str, int]]] = {}
        for key, f in self.feature_extractor.feature_to_idx.items():
            name, _, rest = key.partition(".")
            by_template.setdefault(name, []).append((rest, f))

        def node(s: str) -> int:
            return ord(_AS_NODE.get(s, s))

        tables: dict[str, tuple[list[int], list[int]]] = {}
        for k, name in enumerate(_NODE):
            found = by_template.get(name, [])
            tables[f"c{k}"] = ([node(r) for r, _ in found], [f for _, f in found])
        for k, name in enumerate(_PAIR):  # keys "a.b"; nearly all of single characters, so read as code points at once
            found = by_template.get(name, [])
            short = [(r, f) for r, f in found if len(r) == 3]
            pairs = codepoints.points("".join(r for r, _ in short)).reshape(-1, 3)
            codes, features = (pairs[:, 0] * BASE + pairs[:, 2]).tolist(), [f for _, f in short]
            for r, f in found:
                if len(r) != 3:
                    a, _, b = r.partition(".")
                    codes.append(node(a) * BASE + node(b))
                    features.append(f)
            tables[f"p{k}"] = (codes, features)
        words, none = self._words, self._no_word
        for name in ("w-1", "w1"):
            found = [(words[r], f) for r, f in by_template.get(name, []) if r in words]
            tables[name] = ([w for w, _ in found], [f for _, f in found])
        tables["ww.l"], tables["ww.r"] = ([], []), ([], [])
        for rest, f in by_template.get("ww", []):  # ww.l.PRE*POST, ww.r.PRE*POST; a missing word is **noWord
            side, both = rest[0], rest[2:]
            pre, _, post = (_NO_WORD, "", both[len(_NO_WORD) + 1 :]) if both.startswith(_NO_WORD + "*") else both.partition("*")
            a, b = (none if w == _NO_WORD else words.get(w, -1) for w in (pre, post))
            if f"ww.{side}" in tables and a >= 0 and b >= 0:
                tables[f"ww.{side}"][0].append(a * (none + 1) + b)
                tables[f"ww.{side}"][1].append(f)
        # dictionary words by code: of two characters, of three, and the first three of longer ones
        for n in (2, 3):
            found = [w for w in words if len(w) == n]
            tables[f"words{n}"] = ([codepoints.word_code(w) for w in found], [words[w] for w in found])
        out = {}
        for name, (codes, features) in tables.items():
            order = np.argsort(np.asarray(codes, dtype=np.int64), kind="stable")
            out[f"{name}.codes"] = np.asarray(codes, dtype=np.int64)[order]
            out[f"{name}.features"] = np.asarray(features, dtype=np.int64)[order]
        out["long_starts"] = codepoints.key_table(w[:3] for w in words if len(w) > 3)
        return out

    # ------------------------------------------------------------------ segmenting

    def cut(self, txt: str) -> list[str]:
        """Words of ``txt``, exactly as ``spacy_pkuseg.pkuseg.cut`` gives them (no POS tags)."""
        txt = txt.strip()
        if not txt:
            return []
        items: list[tuple[bool, str]] = []
        for w0 in txt.split():
            lst, isword, _ = self.preprocesser.solve(w0)
            items.extend(zip(isword, lst, strict=True))
        segmented = iter(self._cut_many([w for isw, w in items if not isw and w]))
        out: list[str] = []
        for isw, w in items:
            if isw:
                out.append(w)
            elif w:
                out.extend(self.postprocesser(next(segmented)))
        return out

    def _word_ids(self, joined: str) -> np.ndarray:
        """len(joined) x lengths: the id of the dictionary word of each length starting at each
        place (none past the end). Two- and three-character words are found by code; longer
        ones are looked up only where a longer word starts with the next three characters."""
        none = self._no_word
        points = codepoints.points(joined + _OTHER * 2)
        two = points[:-2] * BASE + points[1:-1]
        three = two * BASE + points[2:]
        out = np.full((len(joined), len(_LENGTHS)), none, dtype=np.int64)
        out[:, _LENGTHS.index(2)] = self._words2.lookup(two)
        out[:, _LENGTHS.index(3)] = self._words3.lookup(three)
        starts = np.flatnonzero(codepoints.find(self._long_starts, three)[1]).tolist()
        get = self._words.get
        for k, length in enumerate(_LENGTHS):
            if length > 3:
                out[starts, k] = [get(joined[s : s + length], none) for s in starts]
        return out

    def _cut_many(self, pieces: list[str]) -> list[list[str]]:
        """Each piece's words; the features of all pieces are computed together."""
        if not pieces:
            return []
        texts = [p.translate(self._to_nodes) for p in pieces]
        lengths = np.asarray([len(t) for t in texts])
        n = int(lengths.sum())
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        local = np.arange(n) - np.repeat(starts, lengths)  # position inside its piece
        size = np.repeat(lengths, lengths)
        node = codepoints.points("".join(texts))

        def feature_at(offset: int, found: np.ndarray, k: int) -> np.ndarray:
            """Template k's feature of the node (or pair) ``offset`` characters away, where that is in the piece."""
            inside = (local + offset >= 0) & (local + offset < size)
            return np.where(inside, found[np.clip(np.arange(n) + offset, 0, n - 1), k], self._missing)

        nodes = self._nodes.lookup(node)  # n x templates
        pairs = self._pairs.lookup(node[:-1] * BASE + node[1:])  # the pair starting at each character
        pairs = np.vstack([pairs, np.full((1, len(_PAIR)), self._missing)])
        cols = [np.zeros(n, dtype=np.int64)]  # pkuseg gives every character feature 0
        cols.extend(feature_at(offset, nodes, k) for k, offset in enumerate(_NODE.values()))
        # a pair (a, b) is read at its first node; both must lie in the piece
        cols.extend(np.where(local + b < size, feature_at(a, pairs, k), self._missing) for k, (a, b) in enumerate(_PAIR.values()))

        # the pieces joined with a separator, so no word runs from one into the next
        none = self._no_word
        joined = _OTHER.join(texts) + _OTHER * _LENGTHS[0]
        word = self._word_ids(joined)[np.arange(n) + np.repeat(np.arange(len(texts)), lengths)]

        def words_from(first: np.ndarray) -> np.ndarray:
            """n x lengths: the word of each length starting at ``first`` (a local position per character)."""
            inside = (first >= 0) & (first < size[:, None])
            rows = np.clip(np.arange(n)[:, None] + (first - local[:, None]), 0, n - 1)
            return np.where(inside, word[rows, np.arange(len(_LENGTHS))], none)

        ends = local[:, None] - np.asarray(_LENGTHS)
        here = np.repeat(local[:, None], len(_LENGTHS), axis=1)
        pre_in, post_in = words_from(ends + 1), words_from(here)  # words ending at the character; starting at it
        pre_ex, post_ex = words_from(ends), words_from(here + 1)  # words ending just before it; starting just after it
        scores = np.take(self._weights, np.stack(cols, axis=1), axis=0).sum(axis=1)  # np.take: 2.5x faster than [ ]

        # dictionary-word features: few characters have a word, so look up only where one is,
        # and count the pairs with none on either side instead of looking each up
        weights, span = self._weights, none + 1

        rows: list[np.ndarray] = []  # (character, weights) added sparsely, summed at the end
        values: list[np.ndarray] = []

        def add(chars: np.ndarray, features: np.ndarray, times: np.ndarray | None = None) -> None:
            rows.append(chars)
            values.append(weights[features] if times is None else weights[features] * times[:, None])

        for name, found in (("w-1", pre_in), ("w1", post_in)):
            i, k = np.nonzero(found != none)
            add(i, self._word_feats[name].lookup(found[i, k]))
        for name, pre, post in (("ww.l", pre_ex, post_in), ("ww.r", pre_in, post_ex)):
            table = self._word_pairs[name]
            pre_none, post_none = (pre == none).sum(axis=1), (post == none).sum(axis=1)
            scores += weights[table.lookup(np.asarray(none * span + none))] * (pre_none * post_none)[:, None]
            i, k = np.nonzero(pre != none)
            add(i, table.lookup(pre[i, k] * span + none), post_none[i])
            i, k = np.nonzero(post != none)
            add(i, table.lookup(none * span + post[i, k]), pre_none[i])
            i, a, b = np.nonzero((pre != none)[:, :, None] & (post != none)[:, None, :])
            add(i, table.lookup(pre[i, a] * span + post[i, b]))
        chars, value = np.concatenate(rows), np.concatenate(values)
        for k in range(scores.shape[1]):  # np.add.at, but several times faster
            scores[:, k] += np.bincount(chars, weights=value[:, k], minlength=n)

        out = []
        for piece, s, length in zip(pieces, starts.tolist(), lengths.tolist(), strict=True):
            _, tags = _inf.run_viterbi(np.ascontiguousarray(scores[s : s + length]), self._edges)
            cuts = [0, *(np.flatnonzero(self._begins[np.asarray(tags)][1:]) + 1).tolist(), length]
            out.append([piece[a:b] for a, b in zip(cuts, cuts[1:], strict=False)])
        return out
