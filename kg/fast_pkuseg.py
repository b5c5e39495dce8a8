"""pkuseg's segmentation, computed in numpy: the same model, features and Viterbi, about
three times faster.

Why: spacy-pkuseg builds every character's features as strings (``c-1c.中.国``,
``ww.l.中国*人民`` ...) and looks each up in a dict, some eighty per character, one
character at a time; segmenting was the largest single cost of ``kg build``. Here each
character's node and each dictionary word at each position are looked up once; every
feature template then becomes an integer code (a node, a pair of nodes, a pair of
words), found in sorted code tables with ``searchsorted`` for all characters of a
document at once. The node scores are summed from the model's weights, and pkuseg's own
compiled Viterbi (``run_viterbi``, with its tie-breaking) decodes each piece.

The features are those of ``spacy_pkuseg.feature_extractor`` with its default config
(numbers and letters normalised, dictionary words of 2-6 characters); the tests check
the segmentation equals spacy-pkuseg's own on real text.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import spacy_pkuseg
from spacy_pkuseg import inference as _inf
from spacy_pkuseg.config import config as _config
from spacy_pkuseg.feature_extractor import FeatureExtractor

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


class _Codes:
    """Sorted integer codes of one template's features and their feature indices."""

    def __init__(self, codes: list[int], features: list[int], missing: int) -> None:
        order = np.argsort(np.asarray(codes, dtype=np.int64), kind="stable")
        self.codes = np.asarray(codes, dtype=np.int64)[order]
        self.features = np.asarray(features, dtype=np.int64)[order]
        self.missing = missing

    def lookup(self, codes: np.ndarray) -> np.ndarray:
        if not len(self.codes):
            return np.full(codes.shape, self.missing, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.codes, codes), len(self.codes) - 1)
        return np.where(self.codes[at] == codes, self.features[at], self.missing)


class FastPkuseg(spacy_pkuseg.pkuseg):
    """``spacy_pkuseg.pkuseg`` whose ``cut`` computes features and scores in numpy."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not (_config.numLetterNorm and _config.wordFeature and self.n_tag == len(self.idx_to_tag)):
            raise ValueError("FastPkuseg supports pkuseg's default feature config only")
        self._build_tables()

    def _build_tables(self) -> None:
        fx = self.feature_extractor
        n_feature, n_tag = self.model.n_feature, self.model.n_tag
        self._missing = n_feature  # a zero row
        self._weights = np.vstack([self.model.w[: n_feature * n_tag].reshape(n_feature, n_tag), np.zeros((1, n_tag))])
        _, self._edges = _inf.getLogYY([], n_tag, n_feature * n_tag, self.model.w, 1.0)
        self._begins = np.asarray(["B" in self.idx_to_tag[k] for k in range(n_tag)])

        by_template: dict[str, list[tuple[str, int]]] = {}
        for key, f in fx.feature_to_idx.items():
            name, _, rest = key.partition(".")
            by_template.setdefault(name, []).append((rest, f))
        as_node = {"**Num": _NUM, "**Letter": _LETTER}
        nodes: dict[str, int] = {}

        def index(node: str) -> int:
            node = as_node.get(node, node)
            return nodes.setdefault(node, len(nodes))

        singles: dict[str, tuple[list[int], list[int]]] = {}
        for name in _NODE:
            found = by_template.get(name, [])
            singles[name] = ([index(r) for r, _ in found], [f for _, f in found])
        pairs: dict[str, tuple[list[tuple[int, int]], list[int]]] = {}
        for name in _PAIR:
            found = [(r.partition("."), f) for r, f in by_template.get(name, [])]
            ids = [(index(a), index(b)) for (a, _, b), _ in found]
            pairs[name] = (ids, [f for _, f in found])
        words = {w: k for k, w in enumerate(sorted(fx.unigram))}
        self._words = words
        self._no_word = none = len(words)
        word_feats: dict[str, tuple[list[int], list[int]]] = {}
        for name in ("w-1", "w1"):
            found = [(words[r], f) for r, f in by_template.get(name, []) if r in words]
            word_feats[name] = ([w for w, _ in found], [f for _, f in found])
        word_pairs: dict[str, tuple[list[tuple[int, int]], list[int]]] = {"l": ([], []), "r": ([], [])}
        for rest, f in by_template.get("ww", []):  # ww.l.PRE*POST, ww.r.PRE*POST; a missing word is **noWord
            side, words_ = rest[0], rest[2:]
            if words_.startswith(_NO_WORD + "*"):
                pre, post = _NO_WORD, words_[len(_NO_WORD) + 1 :]
            else:
                pre, _, post = words_.partition("*")
            ids = (none if pre == _NO_WORD else words.get(pre, -1), none if post == _NO_WORD else words.get(post, -1))
            if side in word_pairs and -1 not in ids:
                word_pairs[side][0].append(ids)
                word_pairs[side][1].append(f)
        self._nodes = nodes
        self._unknown_node = width = len(nodes)  # codes: a * (width + 1) + b
        self._singles = {name: _Codes(ids, fs, self._missing) for name, (ids, fs) in singles.items()}
        self._pairs = {name: _Codes([a * (width + 1) + b for a, b in ab], fs, self._missing) for name, (ab, fs) in pairs.items()}
        self._word_feats = {name: _Codes(ids, fs, self._missing) for name, (ids, fs) in word_feats.items()}
        span = self._no_word + 1
        self._word_pairs = {f"ww.{side}": _Codes([a * span + b for a, b in ab], fs, self._missing) for side, (ab, fs) in word_pairs.items()}
        self._to_nodes = str.maketrans(  # pkuseg renames the keywords first, then normalises
            {
                **{c: _OTHER for c in (_NUM, _LETTER)},
                **{c: _NUM for c in FeatureExtractor.num},
                **{c: _LETTER for c in FeatureExtractor.letter},
                **{c: "&" for c in FeatureExtractor.keywords},
            }
        )

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
        get = self._nodes.get
        node = np.fromiter((get(c, self._unknown_node) for t in texts for c in t), dtype=np.int64, count=n)

        def node_at(offset: int) -> np.ndarray:
            """The node ``offset`` characters away, unknown (so no feature) outside the piece."""
            inside = (local + offset >= 0) & (local + offset < size)
            return np.where(inside, node[np.clip(np.arange(n) + offset, 0, n - 1)], self._unknown_node)

        cols = [np.zeros(n, dtype=np.int64)]  # pkuseg gives every character feature 0
        cols.extend(self._singles[name].lookup(node_at(offset)) for name, offset in _NODE.items())
        width = self._unknown_node + 1
        cols.extend(self._pairs[name].lookup(node_at(a) * width + node_at(b)) for name, (a, b) in _PAIR.items())

        # word[s, k]: the dictionary word of length _LENGTHS[k] starting at s, if any. The pieces
        # are joined with a separator, so no slice that leaves its piece is a word.
        wget, none = self._words.get, self._no_word
        joined = _OTHER.join(texts) + _OTHER * _LENGTHS[0]
        at = np.arange(n) + np.repeat(np.arange(len(texts)), lengths)  # character -> its place in joined
        word = np.stack(
            [np.fromiter((wget(joined[s : s + k], none) for s in range(len(joined))), dtype=np.int64)[at] for k in _LENGTHS], axis=1
        )

        def words_from(first: np.ndarray) -> np.ndarray:
            """n x lengths: the word of each length starting at ``first`` (a local position per character)."""
            inside = (first >= 0) & (first < size[:, None])
            rows = np.clip(np.arange(n)[:, None] + (first - local[:, None]), 0, n - 1)
            return np.where(inside, word[rows, np.arange(len(_LENGTHS))], none)

        ends = local[:, None] - np.asarray(_LENGTHS)
        here = np.repeat(local[:, None], len(_LENGTHS), axis=1)
        pre_in, post_in = words_from(ends + 1), words_from(here)  # words ending at the character; starting at it
        pre_ex, post_ex = words_from(ends), words_from(here + 1)  # words ending just before it; starting just after it
        cols += [self._word_feats["w-1"].lookup(pre_in), self._word_feats["w1"].lookup(post_in)]
        span = none + 1
        for name, pre, post in (("ww.l", pre_ex, post_in), ("ww.r", pre_in, post_ex)):
            cols.append(self._word_pairs[name].lookup((pre[:, :, None] * span + post[:, None, :]).reshape(n, -1)))
        features = np.concatenate([c.reshape(n, -1) for c in cols], axis=1)
        scores = self._weights[features].sum(axis=1)

        out = []
        for piece, s, length in zip(pieces, starts.tolist(), lengths.tolist(), strict=True):
            _, tags = _inf.run_viterbi(np.ascontiguousarray(scores[s : s + length]), self._edges)
            cuts = [0, *(np.flatnonzero(self._begins[np.asarray(tags)][1:]) + 1).tolist(), length]
            out.append([piece[a:b] for a, b in zip(cuts, cuts[1:], strict=False)])
        return out
