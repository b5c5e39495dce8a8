"""kg's learned Chinese NER: a character CRF and a character BiLSTM-CRF, combined.

Why: the rule components find the names the genre's cue words frame (a post before a
person, a jurisdiction before a department); a statistical tagger trained on the
public NER corpora (MSRA, People's Daily 1998, CLUENER2020, Resume, Weibo) finds the
rest -- names with no cue, foreign places, companies -- as low-priority candidates.

Design (figures in ``docs/ner.md``):

* **Characters, not words.** The corpora are annotated per character and kg's
  pkuseg words often run across entity edges (市发改委将, 会见李强时), so both taggers
  tag characters (BIOES) and their spans never need re-aligning to tokens.
* **Two taggers, one decision.** :mod:`kg.nlp.ner_crf` (window features) and
  :mod:`kg.nlp.ner_lstm` (whole-sentence context) each give every character a
  probability per tag; their average is decoded with BIOES constraints. The two
  err differently, so the average beats both (MSRA test F1: CRF 0.897, BiLSTM-CRF
  0.910, averaged 0.921).
* **Domains.** Each corpus annotates in its own style (MSRA marks no posts, CLUENER
  marks whole street addresses ...); both taggers were trained with the corpus as an
  input. ``domain`` picks the style: a corpus name, or ``kg`` (the default): names in
  the news style (``msra``) plus posts (TITLE) in ``cluener``'s.
* Labels: PERSON, PLACE, ORG, AGENCY (government bodies), TITLE (posts).

Everything loads from ``kg/nlp/models/ner`` and ``kg/nlp/models/ner_lstm``; nothing is
downloaded. :func:`predict` never raises on any string.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from functools import cache
from typing import Final

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.ner_crf import CRFTagger
from kg.nlp.ner_lstm import LSTMTagger
from kg.nlp.ner_text import LABELS, MAX_SENTENCE, TAGS, sentence_spans, strip_span, tags_to_spans
from kg.nlp.rules.base import Candidate, candidates
from kg.nlp.rules.merge import LEARNED_FILLS, LEARNED_MIN_SCORE, select

ScoredSpan = tuple[int, int, str, float]

#: kg's own text: names as MSRA (news) annotates them, posts as CLUENER does.
KG_DOMAIN: Final[str] = "kg"
KG_NAMES_DOMAIN: Final[str] = "msra"
KG_TITLES_DOMAIN: Final[str] = "cluener"
#: Share of the BiLSTM-CRF in the averaged probabilities (fixed, not tuned on a test set).
LSTM_WEIGHT: Final[float] = 0.5
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


def decode(probs: list[np.ndarray]) -> list[list[ScoredSpan]]:
    """For each piece's per-character tag probabilities (n x K), the spans of the most
    probable well-formed BIOES path, each with its confidence: the mean probability of
    its characters' tags. Pieces are decoded together (Viterbi over a padded batch)."""
    if not probs:
        return []
    lengths = np.asarray([len(p) for p in probs])
    B, T, K = len(probs), int(lengths.max()), len(TAGS)
    lp = np.zeros((B, T, K), dtype=np.float32)
    for b, p in enumerate(probs):
        lp[b, : len(p)] = np.log(p + 1e-9)
    score = _FIRST + lp[:, 0]
    back = np.zeros((B, T, K), dtype=np.int64)
    for t in range(1, T):
        cand = score[:, :, None] + _TRANS
        best = cand.argmax(1)
        nxt = np.take_along_axis(cand, best[:, None, :], 1)[:, 0] + lp[:, t]
        score = np.where((t < lengths)[:, None], nxt, score)
        back[:, t] = best
    last = (score + _LAST).argmax(1)
    out = []
    for b, p in enumerate(probs):
        n = int(lengths[b])
        path = np.empty(n, dtype=np.int64)
        path[n - 1] = last[b]
        for t in range(n - 1, 0, -1):
            path[t - 1] = back[b, t, path[t]]
        chosen = p[np.arange(n), path]
        spans = tags_to_spans([TAGS[i] for i in path])
        out.append([(s, e, lab, float(chosen[s:e].mean())) for s, e, lab in spans])
    return out


def add_titles(names: list[ScoredSpan], other: list[ScoredSpan]) -> list[ScoredSpan]:
    """``names`` plus the TITLE spans of ``other``, cut clear of the names they overlap.

    CLUENER marks 法国总统 as one post; next to the place 法国 it becomes 总统.
    """
    out = list(names)
    for s, e, lab, conf in other:
        if lab != "TITLE":
            continue
        for ns, ne, _, _ in names:
            if ns <= s < ne:
                s = ne
            if ns < e <= ne:
                e = ns
        if e > s and not any(ns < e and s < ne for ns, ne, _, _ in names):
            out.append((s, e, "TITLE", conf))
    return sorted(out)


class NERModel:
    """The packaged taggers and how their probabilities are combined; see the module docstring."""

    def __init__(self) -> None:
        self.crf = CRFTagger()
        self.lstm = LSTMTagger()

    def _tag_pieces(self, pieces: list[str], domain: str, could_hold: Callable[[int, list[np.ndarray]], bool]) -> list[list[ScoredSpan]]:
        """Spans of each piece; the BiLSTM runs only on the pieces where ``could_hold(i, CRF
        probabilities per style)``, the others get no spans."""
        styles = (KG_NAMES_DOMAIN, KG_TITLES_DOMAIN) if domain == KG_DOMAIN else (domain,)
        crf = self.crf.marginals(pieces, styles)
        tagged = [i for i in range(len(pieces)) if could_hold(i, [c[i] for c in crf])]
        out: list[list[ScoredSpan]] = [[] for _ in pieces]
        if not tagged:
            return out
        lstm = self.lstm.marginals([pieces[i] for i in tagged], styles)
        found = [
            decode([LSTM_WEIGHT * lstm[k][j] + (1 - LSTM_WEIGHT) * crf[k][i] for j, i in enumerate(tagged)]) for k in range(len(styles))
        ]
        for j, i in enumerate(tagged):
            out[i] = found[0][j] if domain != KG_DOMAIN else add_titles(found[0][j], found[1][j])
        return out

    def predict_scored(
        self,
        texts: Sequence[str],
        domain: str | None = None,
        batch_chars: int = 6000,
        *,
        labels: Collection[str] = LABELS,
        min_score: float = 0.0,
        taken: Sequence[Sequence[tuple[int, int]]] | None = None,
    ) -> list[list[ScoredSpan]]:
        """(start, end, label, confidence) spans of each text: those with a label in ``labels``,
        a confidence of at least ``min_score`` and clear of the text's ``taken`` stretches.
        The sentences of all texts are tagged together in length-sorted batches.

        Why the filters: the pipeline keeps only sure spans in the gaps the rules leave,
        and they let most sentences skip the BiLSTM, exactly. A span's confidence is the
        mean of its characters' averaged probabilities, so it reaches ``min_score`` only
        if at one of its characters the CRF alone gives a tag of its label at least
        (``min_score`` - w) / (1 - w), w the BiLSTM's weight; a sentence with no such
        free character cannot hold one.
        """
        domain = domain or KG_DOMAIN
        pieces: list[tuple[int, int, str]] = []  # (text index, offset, piece)
        free: list[np.ndarray] = []  # per piece: its characters outside the taken stretches
        for k, text in enumerate(texts):
            if not isinstance(text, str):
                continue
            open_ = np.ones(len(text), dtype=bool)
            for s, e in taken[k] if taken else ():
                open_[s:e] = False
            for s, e in sentence_spans(text, MAX_SENTENCE):
                pieces.append((k, s, text[s:e]))
                free.append(open_[s:e])
        columns = [TAGS.index(f"{x}-{lab}") for lab in LABELS if lab in labels for x in "BIES"]
        floor = (min_score - LSTM_WEIGHT) / (1 - LSTM_WEIGHT) - 1e-3  # the margin absorbs float32 rounding
        out: list[list[ScoredSpan]] = [[] for _ in texts]
        batch: list[int] = []

        def could_hold(j: int, crf: list[np.ndarray]) -> bool:
            # in the kg style a post keeps the confidence it had before add_titles cut it, so any character counts
            where = free[batch[j]] if domain != KG_DOMAIN else True
            return floor <= 0 or any(bool(((m[:, columns] >= floor).any(axis=1) & where).any()) for m in crf)

        def flush() -> None:
            for i, spans in zip(batch, self._tag_pieces([pieces[i][2] for i in batch], domain, could_hold), strict=True):
                k, s, piece = pieces[i]
                for *span, conf in spans:
                    kept = strip_span(tuple(span), piece)
                    if kept and kept[2] in labels and conf >= min_score and free[i][kept[0] : kept[1]].all():
                        out[k].append((s + kept[0], s + kept[1], kept[2], conf))
            batch.clear()

        for i in sorted(range(len(pieces)), key=lambda i: (len(pieces[i][2]), i)):
            if batch and len(pieces[i][2]) * (len(batch) + 1) > batch_chars:
                flush()
            batch.append(i)
        if batch:
            flush()
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
    """The ``kg_learned_ner`` pipeline component: adds the learned spans that the merge can
    use to ``doc.user_data["kg_candidates"]`` at priority 0, with ``attrs["source"] ==
    "learned"`` and ``attrs["score"]`` (confidence).

    The merge (:mod:`kg.nlp.rules.merge`) keeps only sure people and organisations in the
    gaps the rule spans leave, so only those are asked for: most sentences then need
    the CRF alone (see :meth:`NERModel.predict_scored`), and what the merge keeps is the
    same as if every span had been proposed.

    Each document is tagged on its own, though tagging several together would be
    faster: BLAS sums in an order that depends on the batch's shape, so a document's
    probabilities would move in the sixth decimal with its neighbours, and ``kg build
    --update`` must give exactly what a full build gives.
    """

    def __init__(self, domain: str) -> None:
        self.model = load_ner_model()
        self.domain = domain

    def __call__(self, doc: Doc) -> Doc:
        text = doc.user_data.get("kg_text") or doc.text
        found = candidates(doc)
        rules = [(c.start, c.end) for c in select([c for c in found if c.attrs.get("source") != "learned"])]
        least = LEARNED_MIN_SCORE - 0.5 * 10**-SCORE_DIGITS  # the merge compares the rounded score
        spans = self.model.predict_scored([text], self.domain, labels=LEARNED_FILLS, min_score=least, taken=[rules])[0]
        for s, e, label, score in spans:
            attrs = {"source": "learned", "score": round(score, SCORE_DIGITS)}
            found.append(Candidate(s, e, label, canonical=text[s:e], priority=0, attrs=attrs))
        return doc


@Language.factory("kg_learned_ner", default_config={"domain": KG_NAMES_DOMAIN})
def make_learned_ner(nlp: Language, name: str, domain: str) -> LearnedNER:
    """``domain`` defaults to the news style alone: the merge takes only people and
    organisations from the learned spans, so the posts pass is skipped."""
    return LearnedNER(domain)
