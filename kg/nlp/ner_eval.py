"""Score kg's learned NER against a labelled corpus file (exact-span, conlleval-style).

Why: the learned component (``kg/nlp/ner.py``) is trained on five research corpora with
different label sets; this module scores it on any of them in kg's own types, so the
figures in ``docs/ner.md`` can be reproduced with one command::

    kg evaluate ner FILE --format msra|cluener|bmes|pfr|conll
    kg evaluate ner silver/regional_news.jsonl --format regional --source ../shared/data/regional_news/regional_news.jsonl --dev

Gold spans are mapped to kg types with :func:`kg.nlp.corpora.to_kg`. Only the labels the
corpus annotates are scored: MSRA, People's Daily and Weibo have no AGENCY or TITLE,
so a predicted AGENCY counts as ORG there and a predicted TITLE is ignored; Resume
has no AGENCY (it counts as ORG); CLUENER has all five (government → AGENCY, company
and organization → ORG, position → TITLE). A span is correct only if its start, end
and label all match.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from kg.nlp.corpora import Example, is_silver_dev, read, read_silver, to_kg
from kg.nlp.ner_text import split_example

#: The kg labels each corpus format annotates, and whether it splits AGENCY from ORG.
SCORED_LABELS: dict[str, tuple[str, ...]] = {
    "msra": ("PERSON", "PLACE", "ORG"),
    "pfr": ("PERSON", "PLACE", "ORG"),
    "conll": ("PERSON", "PLACE", "ORG"),
    "bmes": ("PERSON", "PLACE", "ORG", "TITLE"),
    "cluener": ("PERSON", "PLACE", "ORG", "AGENCY", "TITLE"),
    # kg's silver annotations of the genre (kg.nlp.corpora.read_silver): every kg label
    "regional": ("PERSON", "PLACE", "ORG", "AGENCY", "TITLE", "PROJECT", "POLICY"),
}


def gold_spans(example: Example, fmt: str) -> set[tuple[int, int, str]]:
    """The example's gold spans in kg types, restricted to what the corpus scores."""
    labels = SCORED_LABELS[fmt]
    # gold AGENCY comes only from CLUENER's government; the silver data is in kg's labels already
    mapped = example if fmt == "regional" else to_kg(example, split_agency=False)
    return {(s, e, lab) for s, e, lab in mapped.spans if lab in labels}


def scoreable(spans, fmt: str) -> set[tuple[int, int, str]]:
    """Predicted spans as the corpus would label them: AGENCY → ORG where it has no AGENCY."""
    labels = SCORED_LABELS[fmt]
    out = set()
    for s, e, lab in spans:
        if lab == "AGENCY" and "AGENCY" not in labels:
            lab = "ORG"
        if lab in labels:
            out.add((s, e, lab))
    return out


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(pairs, fmt: str) -> dict:
    """Per-label and micro P/R/F1 from (gold set, predicted set) pairs."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for gold, pred in pairs:
        for s in pred & gold:
            tp[s[2]] += 1
        for s in pred - gold:
            fp[s[2]] += 1
        for s in gold - pred:
            fn[s[2]] += 1
    labels = {}
    for lab in SCORED_LABELS[fmt]:
        p, r, f = prf(tp[lab], fp[lab], fn[lab])
        labels[lab] = {"precision": p, "recall": r, "f1": f, "gold": tp[lab] + fn[lab], "predicted": tp[lab] + fp[lab]}
    T, P, N = sum(tp.values()), sum(fp.values()), sum(fn.values())
    p, r, f = prf(T, P, N)
    return {"labels": labels, "precision": p, "recall": r, "f1": f, "gold": T + N, "predicted": T + P}


class PipelineTagger:
    """The whole kg pipeline as a tagger: the entity spans it keeps (rules, then the learned
    NER in the gaps), so a corpus shows what the learned component adds to kg's output
    (``learned_ner`` False: the rules alone). Only ``predict_many`` is needed by :func:`evaluate`."""

    def __init__(self, learned_ner: bool = True) -> None:
        from kg.nlp.pipeline import load_pipeline

        self.nlp = load_pipeline(learned_ner)

    def predict_many(self, texts: list[str], domain: str | None = None) -> list[list[tuple[int, int, str]]]:
        """``domain`` is ignored: the pipeline tags in kg's own style."""
        return [[(e.start_char, e.end_char, e.label_) for e in self.nlp(text).ents] for text in texts]


def read_examples(file: str | Path, fmt: str, source: str | Path | None = None, dev_only: bool = False) -> list[Example]:
    """The sentences of a corpus file; for ``regional`` (kg's stand-off silver annotations)
    the texts come from ``source``, and ``dev_only`` keeps the held-out documents."""
    if fmt != "regional":
        return read(file, fmt)
    if source is None:
        raise ValueError("the regional format needs the texts' source (regional_news.jsonl)")
    return [piece for doc, ex in read_silver(file, source) if not dev_only or is_silver_dev(doc) for piece in split_example(ex)]


def evaluate(file: str | Path, fmt: str, model=None, source: str | Path | None = None, dev_only: bool = False) -> dict:
    """Tag every sentence of ``file`` (format ``fmt``) with the learned NER (or ``model``, e.g.
    a :class:`PipelineTagger`) and score it (``source``, ``dev_only``: :func:`read_examples`).

    Returns ``{"labels": {label: {precision, recall, f1, gold, predicted}}, "precision",
    "recall", "f1", "gold", "predicted", "sentences", "chars", "seconds"}``; ``f1`` is the
    micro F1 over the labels the corpus annotates.
    """
    if fmt not in SCORED_LABELS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(SCORED_LABELS)}")
    if model is None:
        from kg.nlp.ner import load_ner_model

        model = load_ner_model()
    examples = read_examples(file, fmt, source, dev_only)
    t0 = time.perf_counter()
    preds = model.predict_many([ex.text for ex in examples], domain=fmt)
    seconds = time.perf_counter() - t0
    pairs = [(gold_spans(ex, fmt), scoreable(pred, fmt)) for ex, pred in zip(examples, preds, strict=True)]
    result = score(pairs, fmt)
    result.update(sentences=len(examples), chars=sum(len(ex.text) for ex in examples), seconds=seconds)
    return result


def format_result(result: dict) -> str:
    """A per-label table, then ``f1=<micro F1>`` on the last line."""
    lines = [f"{'label':<8} {'precision':>9} {'recall':>7} {'f1':>7} {'gold':>6} {'pred':>6}"]
    for lab, m in result["labels"].items():
        lines.append(f"{lab:<8} {m['precision']:>9.4f} {m['recall']:>7.4f} {m['f1']:>7.4f} {m['gold']:>6} {m['predicted']:>6}")
    r = result
    lines.append(f"{'micro':<8} {r['precision']:>9.4f} {r['recall']:>7.4f} {r['f1']:>7.4f} {r['gold']:>6} {r['predicted']:>6}")
    if result.get("seconds"):
        lines.append(f"sentences={result['sentences']} chars={result['chars']} chars/s={result['chars'] / result['seconds']:.0f}")
    lines.append(f"f1={result['f1']:.4f}")
    return "\n".join(lines)
