"""kg's neural NER: a character BiLSTM-CRF with dictionary features, run on CPU (numpy and onnxruntime).

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
import onnxruntime as ort
from threadpoolctl import ThreadpoolController

from kg.nlp import codepoints
from kg.nlp.ner_crf import chain_marginals
from kg.nlp.ner_text import CLASS_OF, TAG_INDEX, TAGS, Lexicon, inner_characters, normalize, spans_to_tags

MODEL_DIR: Final[Path] = Path(__file__).resolve().parent / "models" / "ner_lstm"

_CLASSES = "DNLCSP"
#: Dictionary feature slots per tag: starts a 2,3,4,5,6+ character word; inside; ends.
LEX_SLOTS = 7


def _code_table(keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted :mod:`~kg.nlp.codepoints` codes of ``keys`` and each one's id (its place in the
    vocabulary + 2: 0 is padding, 1 unknown)."""
    codes = codepoints.word_codes(keys)
    order = np.argsort(codes, kind="stable")
    return codes[order], (order + 2).astype(np.int32)


def _lookup(table: tuple[np.ndarray, np.ndarray], codes: np.ndarray) -> np.ndarray:
    """Each code's id in ``table``, 1 (unknown) where it has none."""
    keys, ids = table
    at, found = codepoints.find(keys, codes)
    return np.where(found, ids[at] if len(ids) else 1, 1).astype(np.int32)


#: Class letter (:func:`~kg.nlp.ner_text.char_class`) -> its index, by code point.
_CLASS_INDEX: Final[np.ndarray] = np.zeros(128, dtype=np.int32)
_CLASS_INDEX[[ord(c) for c in _CLASSES]] = np.arange(len(_CLASSES))


class Encoder:
    """Text -> integer feature arrays, from the vocabulary the model was trained with.

    Characters and bigrams are looked up as integer codes in sorted tables: one
    ``searchsorted`` for all pieces of a document instead of a dict probe per character.
    """

    def __init__(self, vocab: dict, lexicon: Lexicon) -> None:
        self.chars = _code_table(vocab["chars"])
        self.bigrams = _code_table(vocab["bigrams"])
        self.lex_tags = {g: i for i, g in enumerate(vocab["lex_tags"])}
        self.surnames = np.asarray(sorted({ord(c) for c in vocab.get("surnames", "")}), dtype=np.int64)
        self.lexicon = lexicon

    def encode(self, text: str) -> dict[str, np.ndarray]:
        """Per character: ``char``, ``bl``/``br`` (bigram ids), ``cls``; dictionary slots as
        CSR (``lex_ptr``, ``lex_idx``)."""
        return self.encode_many([text])

    def encode_many(self, texts: list[str]) -> dict[str, np.ndarray]:
        """:meth:`encode` of each text, one after another: no bigram or dictionary word
        reaches across two texts."""
        normalized = [normalize(t) for t in texts]
        t = "".join(normalized)
        n = len(t)
        cp = codepoints.points(t)
        char = _lookup(self.chars, cp)
        pairs = _lookup(self.bigrams, codepoints.code([cp[:-1], cp[1:]]))
        bl, br = np.ones(n, dtype=np.int32), np.ones(n, dtype=np.int32)
        bl[1:], br[:-1] = pairs, pairs
        lengths = np.asarray([len(x) for x in normalized], dtype=np.int64)
        ends = np.cumsum(lengths)
        starts = ends - lengths
        bl[starts[starts < n]], br[ends[ends > 0] - 1] = 1, 1
        cls = _CLASS_INDEX[codepoints.points(t.translate(CLASS_OF))] * 2 + np.isin(cp, self.surnames)
        lex_tags = self.lex_tags
        found = [(i, j, lex_tags[g]) for i, j, tags in self.lexicon.matches_many(normalized) for g in tags if g in lex_tags]
        s, e, k = np.asarray(found, dtype=np.int64).reshape(-1, 3).T
        base = k * LEX_SLOTS
        place, owner = inner_characters(s, e)
        at = np.concatenate([s, e - 1, place])
        slot = np.concatenate([base + np.minimum(e - s, 6) - 2, base + 6, base[owner] + 5])
        keys = np.unique(at * (len(lex_tags) * LEX_SLOTS) + slot)  # each slot once per character, in order
        lex_ptr = np.zeros(n + 1, dtype=np.int64)
        lex_ptr[1:] = np.cumsum(np.bincount(keys // (len(lex_tags) * LEX_SLOTS), minlength=n))
        lex_idx = (keys % (len(lex_tags) * LEX_SLOTS)).astype(np.int32)
        return {"char": char, "bl": bl, "br": br, "cls": cls, "lex_ptr": lex_ptr, "lex_idx": lex_idx}

    @staticmethod
    def tag_ids(n: int, spans: Sequence[tuple[int, int, str]]) -> np.ndarray:
        return np.asarray([TAG_INDEX.get(t, 0) for t in spans_to_tags(n, spans)], dtype=np.int32)


# --------------------------------------------------------------------------- model

#: A piece shorter than this share of the longest in its group starts a new group
#: (:meth:`LSTMTagger._emissions`): fewer padded steps for one more network call.
GROUP_SHARE: Final[float] = 0.6


@cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


class LSTMTagger:
    """The packaged BiLSTM-CRF (``kg/nlp/models/ner_lstm``), run without PyTorch: the inputs
    are looked up in numpy (``weights.npz``), the recurrent network runs in onnxruntime
    (``network.onnx``, exported from the same weights by ``scripts/export_ner_lstm.py``),
    and the CRF layer's forward-backward in numpy.

    onnxruntime runs on one thread: kg parallelises by processes (``-j``).
    """

    def __init__(self, model_dir: str | Path = MODEL_DIR) -> None:
        model_dir = Path(model_dir)
        for name in ("weights.npz", "vocab.json.gz", "lexicon.tsv.gz", "network.onnx"):
            if not (model_dir / name).is_file():
                how = "export it with scripts/export_ner_lstm.py" if name == "network.onnx" else "train it with scripts/train_ner_lstm.py"
                raise FileNotFoundError(f"NER model file {name} not found in {model_dir}; {how}")
        with gzip.open(model_dir / "vocab.json.gz", "rt", encoding="utf-8") as fh:
            vocab = json.load(fh)
        self.encoder = Encoder(vocab, Lexicon.load(model_dir / "lexicon.tsv.gz"))
        self.domains = tuple(vocab["domains"])
        self.n_lex = len(vocab["lex_tags"]) * LEX_SLOTS
        with np.load(model_dir / "weights.npz") as z:
            self.char, self.bigram, self.cls = (z[k].astype(np.float32) for k in ("char.weight", "bigram.weight", "cls.weight"))
            self.lex_w, self.lex_b = z["lex.weight"].T.astype(np.float32), z["lex.bias"].astype(np.float32)
            self._exp_trans, self._exp_start, self._exp_end = (np.exp(z[k].astype(np.float64)) for k in ("trans", "start", "end"))
        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        self.network = ort.InferenceSession(str(model_dir / "network.onnx"), options, providers=["CPUExecutionProvider"])

    def _inputs(self, pieces: list[str]) -> np.ndarray:
        """The network's inputs: the pieces' characters one after another (sum of lengths x D)."""
        ids = self.encoder.encode_many(pieces)
        n = len(ids["char"])
        lex = np.zeros((n, self.n_lex), dtype=np.float32)
        lex[np.repeat(np.arange(n), np.diff(ids["lex_ptr"])), ids["lex_idx"]] = 1.0
        dictionary = np.maximum(lex @ self.lex_w + self.lex_b, 0)
        bigrams = self.bigram[ids["bl"]], self.bigram[ids["br"]]
        return np.concatenate([self.char[ids["char"]], *bigrams, self.cls[ids["cls"]], dictionary], axis=1)

    def _emissions(self, inputs: np.ndarray, lengths: np.ndarray, domain: str) -> np.ndarray:
        """Emission scores of the pieces, padded (N x T x K; rows past a piece's end are junk).

        The pieces run longest first in groups of similar length (:data:`GROUP_SHARE`), each
        group one padded network call, so short pieces do not pay for the longest one.
        """
        dom = np.asarray(self.domains.index(domain) if domain in self.domains else 0, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        order = np.argsort(-lengths, kind="stable")
        groups: list[list[int]] = []
        for i in order.tolist():
            if not groups or lengths[i] < GROUP_SHARE * lengths[groups[-1][0]]:
                groups.append([])
            groups[-1].append(i)
        out = np.zeros((len(lengths), int(lengths.max()), len(TAGS)), dtype=np.float32)
        for group in groups:
            steps = int(lengths[group[0]])
            x = np.zeros((steps, len(group), inputs.shape[1]), dtype=np.float32)
            for k, i in enumerate(group):
                x[: lengths[i], k] = inputs[starts[i] : starts[i] + lengths[i]]
            (out[group, :steps],) = self.network.run(None, {"X": x, "lens": lengths[group].astype(np.int32), "domain": dom})
        return out

    def marginals(self, pieces: list[str], domains: tuple[str, ...]) -> list[list[np.ndarray]]:
        """Per domain, per piece: P(tag of character i = TAGS[k]), an n x K array (forward-backward).

        BLAS runs on one thread: kg parallelises by processes (``-j``), and BLAS
        threads in several processes fight over the cores (-j2 ran 4x slower).
        """
        with _blas().limit(limits=1, user_api="blas"):
            return self._marginals(pieces, domains)

    def _marginals(self, pieces: list[str], domains: tuple[str, ...]) -> list[list[np.ndarray]]:
        inputs = self._inputs(pieces)
        lengths = np.asarray([len(p) for p in pieces])
        out = []
        for domain in domains:
            probs = chain_marginals(self._emissions(inputs, lengths, domain), lengths, self._exp_trans, self._exp_start, self._exp_end)
            out.append([p[:n] for p, n in zip(probs, lengths, strict=True)])
        return out
