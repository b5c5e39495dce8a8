"""kg's learned recognition: a character CRF and a character BiLSTM-CRF, combined.

Why: spans and types are decided by a model that learned the genre from annotated text
(kg's silver annotations of county and city news, ``silver/``) together with the public
NER corpora (MSRA, CLUENER2020, Resume, Weibo; People's Daily 1998 feeds the
dictionary), not by lists of cue words. The rules then give each span its canonical
name, division code and jurisdiction (:mod:`kg.nlp.rules`).

Design (figures in ``docs/ner.md``):

* **Characters, not words.** The corpora are annotated per character and kg's
  pkuseg words often run across entity edges (市发改委将, 会见李强时), so both taggers
  tag characters (BIOES) and their spans never need re-aligning to tokens.
* **Two taggers, one decision.** :mod:`kg.nlp.ner_crf` (window features) and
  :mod:`kg.nlp.ner_lstm` (whole-sentence context) each give every character a
  probability per tag; their average is decoded with BIOES constraints.
* **Domains.** Each corpus annotates in its own style (MSRA marks no posts, CLUENER
  marks whole street addresses ...); both taggers were trained with the corpus as an
  input. ``domain`` picks the style: a corpus name, or the model's default,
  ``regional``: kg's own schema (ANNOTATION.md), learned from the silver annotations.
* Labels: PERSON, PLACE, ORG, AGENCY, PROJECT, POLICY and TITLE (posts).

Everything loads from ``kg/nlp/models/ner`` and ``kg/nlp/models/ner_lstm``; nothing is
downloaded. :func:`predict` never raises on any string.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc
from spacy_pkuseg.inference import run_viterbi

from kg.nlp.ner_crf import MODEL_DIR as CRF_DIR
from kg.nlp.ner_crf import CRFTagger
from kg.nlp.ner_lstm import MODEL_DIR as LSTM_DIR
from kg.nlp.ner_lstm import LSTMTagger
from kg.nlp.ner_text import MAX_SENTENCE, TAGS, sentence_spans, strip_span, tags_to_spans
from kg.nlp.rules.base import Candidate, candidates

ScoredSpan = tuple[int, int, str, float]

#: The style of kg's own schema, learned from the silver annotations of the genre.
KG_DOMAIN: Final[str] = "regional"
#: Share of the BiLSTM-CRF in the averaged probabilities (0.5 beat 0.7 and 1.0 on the silver dev split).
LSTM_WEIGHT: Final[float] = 0.5
#: A sentence whose every character the CRF tags with at least this probability keeps the
#: CRF's probabilities alone: the BiLSTM would not change it (on the silver dev split, 0.95
#: spared the BiLSTM half the sentences and moved no F1 by more than 0.002).
CRF_SURE: Final[float] = 0.95
#: Characters of consecutive sentences tagged together (a news item is one run).
CHUNK_CHARS: Final[int] = 8000
#: Decimals of a learned candidate's ``score``.
SCORE_DIGITS: Final[int] = 4


def _allowed() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log-space masks of the BIOES grammar: transitions, first tag, last tag."""
    kinds = [t.partition("-") for t in TAGS]
    trans = np.full((len(TAGS), len(TAGS)), -1e9, dtype=np.float32)
    for i, (ka, _, la) in enumerate(kinds):
        for j, (kb, _, lb) in enumerate(kinds):
            if (kb in "OBS" and ka in "OES") or (kb in "IE" and ka in "BI" and la == lb):
                trans[i, j] = 0.0
    first = np.asarray([0.0 if k in "OBS" else -1e9 for k, _, _ in kinds], dtype=np.float32)
    last = np.asarray([0.0 if k in "OES" else -1e9 for k, _, _ in kinds], dtype=np.float32)
    return trans, first, last


_TRANS, _FIRST, _LAST = _allowed()
_EDGES = _TRANS.astype(np.float64)  # run_viterbi's edge_score[y, y_next]


def decode(probs: list[np.ndarray]) -> list[list[ScoredSpan]]:
    """For each piece's per-character tag probabilities (n x K), the spans of the most
    probable well-formed BIOES path, each with its confidence: the mean probability of
    its characters' tags. Viterbi runs in pkuseg's compiled decoder (already kg's
    segmenter's), with the grammar's first and last tags folded into the node scores."""
    out = []
    for p in probs:
        n = len(p)
        if not n:
            out.append([])
            continue
        node = np.log(p.astype(np.float64) + 1e-9)
        node[0] += _FIRST
        node[n - 1] += _LAST
        _, path = run_viterbi(node, _EDGES)
        chosen = p[np.arange(n), path]
        out.append([(s, e, lab, float(chosen[s:e].mean())) for s, e, lab in tags_to_spans([TAGS[i] for i in path])])
    return out


def _shifted(found: list[ScoredSpan], piece: str, offset: int) -> list[ScoredSpan]:
    """A piece's spans, without leading or trailing spaces, at their place in the text."""
    out = []
    for s, e, label, conf in found:
        kept = strip_span((s, e, label), piece)
        if kept is not None:
            out.append((offset + kept[0], offset + kept[1], label, conf))
    return out


class NERModel:
    """The packaged taggers and how their probabilities are combined; see the module docstring.

    ``lstm_dir`` None: the CRF alone (for experiments and the trainer's dev scores).
    """

    def __init__(self, crf_dir: str | Path = CRF_DIR, lstm_dir: str | Path | None = LSTM_DIR) -> None:
        self.crf = CRFTagger(crf_dir)
        self.lstm = LSTMTagger(lstm_dir) if lstm_dir is not None else None
        self.domain = self.crf.meta.get("default_domain", KG_DOMAIN)

    def probabilities(self, pieces: list[str], domain: str) -> list[np.ndarray]:
        """Per piece, P(tag of character i = TAGS[k]) (n x K): the CRF's, averaged with the
        BiLSTM's where the CRF is unsure (:data:`CRF_SURE`)."""
        crf = self.crf.marginals(pieces, (domain,))[0]
        if self.lstm is None or not pieces:
            return crf
        unsure = [i for i, m in enumerate(crf) if m.max(axis=1).min() < CRF_SURE]
        if not unsure:
            return crf
        lstm = self.lstm.marginals([pieces[i] for i in unsure], (domain,))[0]
        out = list(crf)
        for j, i in enumerate(unsure):
            out[i] = LSTM_WEIGHT * lstm[j] + (1 - LSTM_WEIGHT) * crf[i]
        return out

    def tag(self, text: str, domain: str | None = None) -> list[ScoredSpan]:
        """The (start, end, label, confidence) spans of one document, tagged on its own, so
        that they never depend on what is tagged with it (see :class:`LearnedNER`). A long
        document goes through in runs of consecutive sentences of about :data:`CHUNK_CHARS`
        characters, so memory stays flat however long it is."""
        cuts = sentence_spans(text, MAX_SENTENCE)
        out: list[ScoredSpan] = []
        i = 0
        while i < len(cuts):
            j, size = i, 0
            while j < len(cuts) and (j == i or size + cuts[j][1] - cuts[j][0] <= CHUNK_CHARS):
                size += cuts[j][1] - cuts[j][0]
                j += 1
            pieces = [text[s:e] for s, e in cuts[i:j]]
            found = decode(self.probabilities(pieces, domain or self.domain))
            out.extend(span for (s, _), piece, spans in zip(cuts[i:j], pieces, found, strict=True) for span in _shifted(spans, piece, s))
            i = j
        return out

    def predict_scored(self, texts: Sequence[str], domain: str | None = None, batch_chars: int = 6000) -> list[list[ScoredSpan]]:
        """(start, end, label, confidence) spans of each text; the sentences of all texts are
        tagged together in length-sorted batches (for scoring a corpus quickly)."""
        domain = domain or self.domain
        pieces = [(k, s, text[s:e]) for k, text in enumerate(texts) if isinstance(text, str) for s, e in sentence_spans(text, MAX_SENTENCE)]
        out: list[list[ScoredSpan]] = [[] for _ in texts]
        batches: list[list[int]] = [[]]
        for i in sorted(range(len(pieces)), key=lambda i: (len(pieces[i][2]), i)):
            if batches[-1] and len(pieces[i][2]) * (len(batches[-1]) + 1) > batch_chars:
                batches.append([])
            batches[-1].append(i)
        for batch in batches:
            probs = self.probabilities([pieces[i][2] for i in batch], domain)
            for i, found in zip(batch, decode(probs), strict=True):
                k, s, piece = pieces[i]
                out[k].extend(_shifted(found, piece, s))
        return [sorted(spans) for spans in out]

    def predict_many(self, texts: Sequence[str], domain: str | None = None) -> list[list[tuple[int, int, str]]]:
        """(start, end, label) spans of each text."""
        return [[(s, e, lab) for s, e, lab, _ in spans] for spans in self.predict_scored(texts, domain)]

    def predict(self, text: str, domain: str | None = None) -> list[tuple[int, int, str]]:
        """(start, end, label) character spans of ``text``, any length; never raises on a string."""
        if not isinstance(text, str) or not text:
            return []
        return self.predict_many([text], domain)[0]


@cache
def load_ner_model() -> NERModel:
    """The packaged model (cached per process)."""
    return NERModel()


def predict(text: str, domain: str | None = None) -> list[tuple[int, int, str]]:
    """Entity spans ``(start, end, label)`` of ``text`` by the packaged model."""
    return load_ner_model().predict(text, domain)


# --------------------------------------------------------------------------- spaCy


class LearnedNER:
    """The ``kg_learned_ner`` pipeline component, first after the segmenter: every span the
    taggers decode (posts included) goes to ``doc.user_data["kg_candidates"]`` with
    ``attrs["source"] == "learned"`` and ``attrs["score"]`` (its confidence). The rule
    components then give the spans canonical names, and the merge
    (:mod:`kg.nlp.rules.merge`) keeps the learned spans.

    Each document is tagged on its own, though tagging several together would be
    faster: BLAS sums in an order that depends on the batch's shape, so a document's
    probabilities would move in the sixth decimal with its neighbours, and ``kg build
    --update`` must give exactly what a full build gives.
    """

    def __init__(self, domain: str | None) -> None:
        self.model = load_ner_model()
        self.domain = domain or self.model.domain

    def __call__(self, doc: Doc) -> Doc:
        text = doc.user_data.get("kg_text") or doc.text
        found = candidates(doc)
        for s, e, label, score in self.model.tag(text, self.domain):
            attrs = {"source": "learned", "score": round(score, SCORE_DIGITS)}
            found.append(Candidate(s, e, label, canonical=text[s:e], priority=0, attrs=attrs))
        return doc


@Language.factory("kg_learned_ner", default_config={"domain": None})
def make_learned_ner(nlp: Language, name: str, domain: str | None) -> LearnedNER:
    """``domain`` None: the model's own default, kg's schema (``regional``)."""
    return LearnedNER(domain)
