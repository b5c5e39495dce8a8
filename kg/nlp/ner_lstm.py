"""kg's neural NER: a character BiLSTM-CRF with dictionary features, run on CPU in numpy.

Why: the character CRF (:mod:`kg.nlp.ner_crf`) sees a fixed window of five characters; names
whose cue lies further away (a list of officials, a transliterated foreign name, a
long organisation name) need the whole sentence. A bidirectional LSTM reads it, and
the CRF layer on top keeps the BIOES tags well formed.

Inputs per character (:class:`Encoder`): the character, its left and right bigram,
its class (digit, Chinese numeral, Latin, CJK ...) with a surname flag, the
dictionary matches it takes part in (tag x position B2..B6/M/E, the same dictionary
as the CRF), and the corpus style (domain) it is tagged in.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np
from threadpoolctl import ThreadpoolController

from kg.nlp.ner_crf import chain_marginals
from kg.nlp.ner_text import TAG_INDEX, TAGS, Lexicon, char_class, normalize, spans_to_tags

MODEL_DIR: Final[Path] = Path(__file__).resolve().parent / "models" / "ner_lstm"

_CLASSES = "DNLCSP"
#: Dictionary feature slots per tag: starts a 2,3,4,5,6+ character word; inside; ends.
LEX_SLOTS = 7


class Encoder:
    """Text -> integer feature arrays, from the vocabulary the model was trained with."""

    def __init__(self, vocab: dict, lexicon: Lexicon) -> None:
        self.chars = {c: i + 2 for i, c in enumerate(vocab["chars"])}  # 0 pad, 1 unknown
        self.bigrams = {b: i + 2 for i, b in enumerate(vocab["bigrams"])}
        self.lex_tags = {g: i for i, g in enumerate(vocab["lex_tags"])}
        self.surnames = set(vocab.get("surnames", ""))
        self.lexicon = lexicon

    def encode(self, text: str) -> dict[str, np.ndarray]:
        """Per character: ``char``, ``bl``/``br`` (bigram ids), ``cls``; dictionary slots as
        CSR (``lex_ptr``, ``lex_idx``)."""
        t = normalize(text)
        n = len(t)
        get_c, get_b = self.chars.get, self.bigrams.get
        char = np.fromiter((get_c(c, 1) for c in t), dtype=np.int32, count=n)
        pairs = [get_b(t[i : i + 2], 1) for i in range(n - 1)]
        bl = np.asarray([1, *pairs], dtype=np.int32)
        br = np.asarray([*pairs, 1], dtype=np.int32)
        cls = np.fromiter((_CLASSES.index(char_class(c)) * 2 + (c in self.surnames) for c in t), dtype=np.int32, count=n)
        feats: list[set[int]] = [set() for _ in range(n)]
        for i, j, tags in self.lexicon.matches(t):
            for g in tags:
                k = self.lex_tags.get(g)
                if k is None:
                    continue
                base = k * LEX_SLOTS
                feats[i].add(base + min(j - i, 6) - 2)
                feats[j - 1].add(base + 6)
                for m in range(i + 1, j - 1):
                    feats[m].add(base + 5)
        lex_ptr = np.zeros(n + 1, dtype=np.int64)
        lex_ptr[1:] = np.cumsum([len(f) for f in feats])
        lex_idx = np.fromiter((x for f in feats for x in sorted(f)), dtype=np.int32, count=int(lex_ptr[-1]))
        return {"char": char, "bl": bl, "br": br, "cls": cls, "lex_ptr": lex_ptr, "lex_idx": lex_idx}

    @staticmethod
    def tag_ids(n: int, spans: Sequence[tuple[int, int, str]]) -> np.ndarray:
        return np.asarray([TAG_INDEX.get(t, 0) for t in spans_to_tags(n, spans)], dtype=np.int32)


# --------------------------------------------------------------------------- model


@cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


class LSTMTagger:
    """The packaged BiLSTM-CRF (``kg/nlp/models/ner_lstm``): numpy weights, run without PyTorch.

    The input projections of the character, class and domain embeddings are
    precomputed per vocabulary entry at load time, so tagging does one matrix product
    for the bigram and dictionary inputs and one small product per step.
    """

    def __init__(self, model_dir: str | Path = MODEL_DIR) -> None:
        model_dir = Path(model_dir)
        for name in ("weights.npz", "vocab.json.gz", "lexicon.tsv.gz"):
            if not (model_dir / name).is_file():
                raise FileNotFoundError(f"NER model file {name} not found in {model_dir}; train it with scripts/train_ner_lstm.py")
        with gzip.open(model_dir / "vocab.json.gz", "rt", encoding="utf-8") as fh:
            vocab = json.load(fh)
        self.encoder = Encoder(vocab, Lexicon.load(model_dir / "lexicon.tsv.gz"))
        self.domains = tuple(vocab["domains"])
        self.n_lex = len(vocab["lex_tags"]) * LEX_SLOTS
        with np.load(model_dir / "weights.npz") as z:
            w = {k: z[k].astype(np.float32) for k in z.files}
        w_ih = np.concatenate([w["lstm.weight_ih_l0"].T, w["lstm.weight_ih_l0_reverse"].T], axis=1)  # D x 8H
        dc, db, dcls = (w[k].shape[1] for k in ("char.weight", "bigram.weight", "cls.weight"))
        dl = w["lex.weight"].shape[0]
        cut = np.cumsum([dc, db, db, dcls, dl])
        w_char, w_bl, w_br, w_cls, w_lex, w_dom = np.split(w_ih, cut, axis=0)
        self.char_proj = w["char.weight"] @ w_char
        self.cls_proj = w["cls.weight"] @ w_cls
        self.dom_proj = w["dom.weight"] @ w_dom + np.concatenate(
            [w["lstm.bias_ih_l0"] + w["lstm.bias_hh_l0"], w["lstm.bias_ih_l0_reverse"] + w["lstm.bias_hh_l0_reverse"]]
        )
        self.bigram = w["bigram.weight"]
        self.w_rest = np.concatenate([w_bl, w_br, w_lex], axis=0)  # (2 db + dl) x 8H
        self.lex_w, self.lex_b = w["lex.weight"].T.copy(), w["lex.bias"]
        self.w_hh = np.stack([w["lstm.weight_hh_l0"].T, w["lstm.weight_hh_l0_reverse"].T])  # 2 x H x 4H
        self.hidden = H = self.w_hh.shape[1]
        self.out_w, self.out_b = w["out.weight"].T.copy(), w["out.bias"]
        self._exp_trans, self._exp_start, self._exp_end = (np.exp(w[k].astype(np.float64)) for k in ("trans", "start", "end"))
        scale = np.concatenate([np.full(H, 0.5), np.full(H, 0.5), np.ones(H), np.full(H, 0.5)]).astype(np.float32)  # i f g o
        self.w_hh *= scale
        self._scale2 = np.concatenate([scale, scale])

    def _projections(self, pieces: list[str]) -> np.ndarray:
        """Input projections without the domain part: the pieces' characters one after another (N x 8H)."""
        enc = [self.encoder.encode(p) for p in pieces]
        ids = {k: np.concatenate([e[k] for e in enc]) for k in ("char", "bl", "br", "cls")}
        lex = np.zeros((len(ids["char"]), self.n_lex), dtype=np.float32)
        start = 0
        for e in enc:
            n = len(e["char"])
            lex[start + np.repeat(np.arange(n), np.diff(e["lex_ptr"])), e["lex_idx"]] = 1.0
            start += n
        rest = np.concatenate([self.bigram[ids["bl"]], self.bigram[ids["br"]], np.maximum(lex @ self.lex_w + self.lex_b, 0)], axis=1)
        proj = rest @ self.w_rest
        proj += self.char_proj[ids["char"]]
        proj += self.cls_proj[ids["cls"]]
        return proj

    def _emissions(self, proj: np.ndarray, lengths: np.ndarray, domain: str) -> np.ndarray:
        """Emission scores of the pieces' characters one after another (N x K), for one domain.

        The pieces run as packed sequences, longest first: at step t only the pieces
        longer than t take part, so no padding is ever computed. The backward
        direction reads each piece reversed, from its own last character, in the same
        step as the forward one. The gates' sigmoid is tanh of half the input (the
        halving is folded into the weights), so one tanh serves all four gates.
        """
        x = (proj + self.dom_proj[self.domains.index(domain) if domain in self.domains else 0]) * self._scale2
        H = self.hidden
        order = np.argsort(-lengths, kind="stable")  # longest first
        lens = lengths[order]
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[order]
        T = int(lens[0])
        active = (lens[None, :] > np.arange(T)[:, None]).sum(axis=1)  # pieces still running at each step
        t_of, b_of = np.nonzero(np.arange(T)[:, None] < lens[None, :])  # every (step, piece) that runs, step-major
        fwd_rows = starts[b_of] + t_of  # the character each direction reads at that step
        bwd_rows = starts[b_of] + lens[b_of] - 1 - t_of
        steps = np.empty((len(t_of), 2, 4 * H), dtype=np.float32)
        steps[:, 0] = x[fwd_rows, : 4 * H]
        steps[:, 1] = x[bwd_rows, 4 * H :]
        h = np.zeros((2, len(lens), H), dtype=np.float32)
        c = np.zeros_like(h)
        hs = np.empty((len(t_of), 2, H), dtype=np.float32)
        first = 0
        for t in range(T):
            a = int(active[t])
            ha, ca = h[:, :a], c[:, :a]
            z = np.tanh(steps[first : first + a].transpose(1, 0, 2) + np.matmul(ha, self.w_hh))
            u = z + 1
            ca[...] = 0.5 * (u[..., H : 2 * H] * ca + u[..., :H] * z[..., 2 * H : 3 * H])
            ha[...] = 0.5 * u[..., 3 * H :] * np.tanh(ca)
            hs[first : first + a] = ha.transpose(1, 0, 2)
            first += a
        out = np.empty((len(x), 2 * H), dtype=np.float32)
        out[fwd_rows, :H] = hs[:, 0]
        out[bwd_rows, H:] = hs[:, 1]
        return out @ self.out_w + self.out_b

    def marginals(self, pieces: list[str], domains: tuple[str, ...]) -> list[list[np.ndarray]]:
        """Per domain, per piece: P(tag of character i = TAGS[k]), an n x K array (forward-backward).

        BLAS runs on one thread: kg parallelises by processes (``-j``), and BLAS
        threads in several processes fight over the cores (-j2 ran 4x slower).
        """
        with _blas().limit(limits=1, user_api="blas"):
            return self._marginals(pieces, domains)

    def _marginals(self, pieces: list[str], domains: tuple[str, ...]) -> list[list[np.ndarray]]:
        proj = self._projections(pieces)
        lengths = np.asarray([len(p) for p in pieces])
        inside = np.arange(lengths.max())[None, :] < lengths[:, None]
        out = []
        for domain in domains:
            emis = np.zeros((*inside.shape, len(TAGS)), dtype=np.float32)
            emis[inside] = self._emissions(proj, lengths, domain)
            probs = chain_marginals(emis, lengths, self._exp_trans, self._exp_start, self._exp_end)
            out.append([p[:n] for p, n in zip(probs, lengths, strict=True)])
        return out
