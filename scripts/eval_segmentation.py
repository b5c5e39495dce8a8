"""Score a pkuseg word-segmentation model on the SIGHAN 2005 PKU test set.

Scoring is the standard bakeoff word P/R/F1: a predicted word counts as
correct when its character span (start, end) equals a gold word's span.
Spans are measured over the non-whitespace characters of each line, so the
score does not depend on how a segmenter treats spaces.

By default the model shipped in ``kg/nlp/models/pkuseg`` is scored through
:func:`kg.nlp.segmenter.make_nlp`, i.e. exactly the tokenizer kg uses at run
time; ``--model`` scores another pkuseg model directory the same way.

Usage::

    python scripts/eval_segmentation.py [--model DIR] [--test FILE] [--gold FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

SIGHAN_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "sighan2005_icwb2"
DEFAULT_TEST = SIGHAN_DIR / "testing" / "pku_test.utf8"
DEFAULT_GOLD = SIGHAN_DIR / "gold" / "pku_test_gold.utf8"

# Allow ``python scripts/eval_segmentation.py`` from a checkout without
# installing kg.
REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def word_spans(words: Iterable[str]) -> tuple[set[tuple[int, int]], int]:
    """Return the (start, end) character spans of ``words`` and the length.

    Whitespace inside or between words is ignored so that gold files
    (space separated) and segmenter output (which may carry whitespace
    tokens) are compared on the same character axis.
    """
    spans: set[tuple[int, int]] = set()
    pos = 0
    for word in words:
        n = len("".join(word.split()))
        if n:
            spans.add((pos, pos + n))
            pos += n
    return spans, pos


def score_words(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> tuple[float, float, float]:
    """Micro-averaged word precision, recall and F1 (in %) over sentences.

    Raises ``ValueError`` if a predicted sentence does not cover exactly the
    characters of its gold sentence: a silently misaligned score would be
    meaningless.
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold sentences but {len(pred)} predicted")
    n_gold = n_pred = n_ok = 0
    for i, (g, p) in enumerate(zip(gold, pred, strict=False)):
        g_spans, g_len = word_spans(g)
        p_spans, p_len = word_spans(p)
        if g_len != p_len:
            raise ValueError(f"sentence {i}: {g_len} gold chars vs {p_len} predicted")
        n_gold += len(g_spans)
        n_pred += len(p_spans)
        n_ok += len(g_spans & p_spans)
    prec = 100.0 * n_ok / n_pred if n_pred else 0.0
    rec = 100.0 * n_ok / n_gold if n_gold else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


def segment_all(segment: Callable[[str], list[str]], texts: Sequence[str]) -> tuple[list[list[str]], float]:
    """Segment every text; return the words and throughput in chars/s."""
    n_chars = sum(len(t) for t in texts)
    start = time.perf_counter()
    out = [segment(t) for t in texts]
    elapsed = time.perf_counter() - start
    return out, n_chars / elapsed if elapsed else float("inf")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, default=None, help="pkuseg model dir (default: the model shipped in kg)")
    ap.add_argument("--test", type=Path, default=DEFAULT_TEST)
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    args = ap.parse_args(argv)

    from kg.nlp.segmenter import PKUSEG_MODEL_DIR, make_nlp

    model_dir = args.model or PKUSEG_MODEL_DIR
    t0 = time.perf_counter()
    nlp = make_nlp(model_dir=model_dir)
    load_s = time.perf_counter() - t0

    texts = args.test.read_text(encoding="utf-8").splitlines()
    gold = [line.split() for line in args.gold.read_text(encoding="utf-8").splitlines()]
    # Keep line alignment between the two files but skip lines that are empty
    # in both (trailing newlines).
    pairs = [(t, g) for t, g in zip(texts, gold, strict=True) if t.strip() or g]
    texts = [t for t, _ in pairs]
    gold = [g for _, g in pairs]

    pred, cps = segment_all(lambda t: [tok.text for tok in nlp.tokenizer(t)], texts)
    prec, rec, f1 = score_words(gold, pred)
    print(f"model:     {model_dir}")
    print(f"test:      {args.test} ({len(texts)} lines, {sum(map(len, texts))} chars)")
    print(f"load time: {load_s:.2f} s")
    print(f"P={prec:.2f}  R={rec:.2f}  F1={f1:.2f}  speed={cps:,.0f} chars/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
