"""Train, trim and package the pkuseg word-segmentation model kg ships.

Why: spacy-pkuseg ships no model and its downloader needs the network, so kg
trains its own on People's Daily 1998 (the PKU segmentation standard, i.e.
the SIGHAN 2005 PKU training corpus) and ships it inside the package.

Steps (all deterministic):

1. Read the PFR corpus: drop the line-id token and the POS tags, unwrap
   ``[word/pos word/pos]nt`` compounds into their inner words, keep
   full-width characters as they are.
2. Hold out every ``--holdout-every``-th non-empty line (default 20th, 5 %).
3. Write pkuseg's training format (one sentence per line, words separated
   by single spaces) to a scratch dir and run ``spacy_pkuseg.train``.
4. Trim: drop features whose five tag weights are (nearly) all equal -- a
   per-feature constant shifts every tag path by the same amount, so only
   the spread max-min matters to Viterbi --, drop the training-only
   ``bigram`` list and the ``unigram`` words no kept feature refers to,
   round weights to float16 precision and store them zlib-compressed.
   The weights stay float64 in memory because pkuseg's Cython inference
   (``getLogYY``) only accepts ``double`` buffers; rounding to float16
   precision just makes them compress ~4x.
5. Save ``features.msgpack`` + ``weights.npz`` (the layout both
   ``spacy_pkuseg.pkuseg(model_name=DIR)`` and spaCy's
   ``ChineseTokenizer.initialize(pkuseg_model=DIR)`` load) to ``--out``,
   and ``fast_tables.npz``, the same features as code tables for
   :mod:`kg.nlp.fast_pkuseg`.

Prints wall time, feature counts, file sizes and held-out F1 before and
after trimming.

Usage::

    python scripts/train_segmenter.py [--iters 4] [--min-spread 0.1] [--out kg/nlp/models/pkuseg]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import srsly

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "peoples_daily" / "199801.utf8.txt"
DEFAULT_OUT = REPO_ROOT / "kg" / "nlp" / "models" / "pkuseg"
sys.path.insert(0, str(REPO_ROOT))

from kg.nlp.fast_pkuseg import write_tables  # noqa: E402

# ``word/pos``, optionally opening ``[`` or closing ``]xx`` of a compound.
_TOKEN_RE = re.compile(r"^\[?(?P<word>.+)/[A-Za-z]+(?:\][A-Za-z]+)?$")
# Feature prefixes that embed lexicon words (see feature_extractor.pyx).
_WORD_FEATS = ("w-1.", "w1.")
_PAIR_FEATS = ("ww.l.", "ww.r.")


def read_pfr(path: Path) -> Iterator[list[str]]:
    """Yield each non-empty corpus line as its list of PKU-standard words."""
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            tokens = line.split()
            if len(tokens) < 2:
                continue
            words = []
            for tok in tokens[1:]:  # tokens[0] is the 19980101-01-001-001/m id
                m = _TOKEN_RE.match(tok)
                if m is None:
                    raise ValueError(f"{path}:{lineno}: cannot parse token {tok!r}")
                words.append(m["word"])
            yield words


def split_corpus(sents: Sequence[list[str]], every: int) -> tuple[list[list[str]], list[list[str]]]:
    """Deterministic split: every ``every``-th sentence goes to held-out."""
    train = [s for i, s in enumerate(sents) if i % every != every - 1]
    held = [s for i, s in enumerate(sents) if i % every == every - 1]
    return train, held


def write_seg_file(sents: Sequence[list[str]], path: Path) -> None:
    """Write pkuseg's training format: one sentence a line, words space-separated."""
    with path.open("w", encoding="utf-8") as fh:
        for s in sents:
            fh.write(" ".join(s) + "\n")


def train_raw(train_file: Path, held_file: Path, out_dir: Path, iters: int, feature_trim: int, seed: int) -> float:
    """Run ``spacy_pkuseg.train`` with fixed seeds; return the wall time in s.

    pkuseg shuffles training examples with the global ``random`` module each
    epoch, so seeding it makes training reproducible.
    """
    import spacy_pkuseg
    from spacy_pkuseg.config import config

    random.seed(seed)
    np.random.seed(seed)
    config.random = 0  # zero-initialised weights
    config.featureTrim = feature_trim
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    spacy_pkuseg.train(str(train_file), str(held_file), str(out_dir), train_iter=iters)
    return time.perf_counter() - t0


def load_raw(model_dir: Path) -> tuple[dict, np.ndarray, int, int]:
    """Load ``features.msgpack`` and ``weights.npz`` as plain data."""
    data = srsly.read_msgpack(model_dir / "features.msgpack")
    with np.load(model_dir / "weights.npz") as npz:
        n_tag, n_feature = (int(x) for x in npz["sizes"])
        w = np.asarray(npz["w"], dtype=np.float64)
    return data, w, n_tag, n_feature


def trim_model(src: Path, dst: Path, min_spread: float) -> tuple[int, int]:
    """Write a trimmed copy of the model in ``src`` to ``dst``.

    Returns (features before, features after). Decoding with the trimmed
    model differs from the full model only by the dropped features' spreads
    (each < ``min_spread``) and float16 rounding.
    """
    data, w, n_tag, n_feature = load_raw(src)
    f2i: dict[str, int] = data["feature_to_idx"]
    assert len(f2i) == n_feature, (len(f2i), n_feature)
    features = [""] * n_feature
    for feat, idx in f2i.items():
        features[idx] = feat
    # Feature 0 must stay "$$": inference hard-codes index 0 as the bias.
    assert features[0] == "$$", features[0]

    node = w[: n_feature * n_tag].reshape(n_feature, n_tag)
    edge = w[n_feature * n_tag :]
    spread = node.max(axis=1) - node.min(axis=1)
    keep = spread >= min_spread
    keep[0] = True
    kept_feats = [f for f, k in zip(features, keep, strict=False) if k]
    # Centre each feature (no effect on decoding) so float16 rounding works
    # on the smallest possible magnitudes.
    new_node = node[keep] - node[keep].mean(axis=1, keepdims=True)
    new_w = np.concatenate([new_node.reshape(-1), edge])
    new_w = new_w.astype(np.float16).astype(np.float64)

    # Only lexicon words that some kept feature mentions can influence the
    # output (a word missing from the lexicon just yields no feature).
    lexicon: set[str] = set()
    for feat in kept_feats:
        if feat.startswith(_WORD_FEATS):
            lexicon.add(feat.split(".", 1)[1])
        elif feat.startswith(_PAIR_FEATS):
            lexicon.update(feat[len("ww.l.") :].split("*"))
    lexicon &= set(data["unigram"])

    dst.mkdir(parents=True, exist_ok=True)
    for stale in ("features.msgpack", "weights.npz"):
        (dst / stale).unlink(missing_ok=True)
    srsly.write_msgpack(
        dst / "features.msgpack",
        {
            "unigram": sorted(lexicon),
            "bigram": [],  # only used while building training features
            "feature_to_idx": {f: i for i, f in enumerate(kept_feats)},
            "tag_to_idx": data["tag_to_idx"],
        },
    )
    np.savez_compressed(dst / "weights.npz", sizes=np.array([n_tag, len(kept_feats)]), w=new_w)
    return n_feature, len(kept_feats)


def heldout_f1(model_dir: Path, held: Sequence[list[str]]) -> tuple[float, float, float, float]:
    """Word P/R/F1 (%) and chars/s of the bare pkuseg model on held-out text.

    Uses ``user_dict=None`` like kg.nlp.segmenter, i.e. without pkuseg's generic
    default dictionary post-processing, to score the model as shipped.
    """
    import spacy_pkuseg
    from eval_segmentation import score_words, segment_all

    seg = spacy_pkuseg.pkuseg(str(model_dir), user_dict=None)
    pred, cps = segment_all(seg.cut, ["".join(s) for s in held])
    return (*score_words(held, pred), cps)


def dir_sizes(d: Path) -> str:
    """Human-readable sizes of the model files in ``d``."""
    files = sorted(p for p in d.iterdir() if p.is_file())
    total = sum(p.stat().st_size for p in files)
    parts = [f"{p.name} {p.stat().st_size / 1e6:.2f} MB" for p in files]
    return ", ".join(parts) + f" (total {total / 1e6:.2f} MB)"


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="PFR People's Daily file (UTF-8)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the shipped (trimmed) model")
    ap.add_argument("--iters", type=int, default=4, help="training passes (held-out F1 95.84/96.02/96.26 after 2/3/4)")
    ap.add_argument("--holdout-every", type=int, default=20, help="hold out every N-th line (20 = 5 %%)")
    ap.add_argument("--feature-trim", type=int, default=0, help="pkuseg featureTrim: keep features seen more than N times")
    ap.add_argument("--min-spread", type=float, default=0.1, help="drop features whose tag weights span less than this")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--raw-dir", type=Path, default=None, help="keep the untrimmed model here (default: scratch dir)")
    ap.add_argument("--reuse-raw", action="store_true", help="skip training and re-trim the model already in --raw-dir")
    args = ap.parse_args(argv)

    t_start = time.perf_counter()
    sents = list(read_pfr(args.corpus))
    train, held = split_corpus(sents, args.holdout_every)
    print(
        f"corpus: {len(sents)} sentences, {sum(map(len, sents))} words; "
        f"train {len(train)}, held-out {len(held)} "
        f"({sum(len(''.join(s)) for s in held)} chars)"
    )

    with tempfile.TemporaryDirectory(prefix="kg-pkuseg-") as tmp:
        tmp_dir = Path(tmp)
        raw_dir = args.raw_dir or tmp_dir / "raw"
        if args.reuse_raw:
            if args.raw_dir is None:
                ap.error("--reuse-raw needs --raw-dir")
            print(f"reusing untrimmed model in {raw_dir}")
        else:
            train_file = tmp_dir / "train.txt"
            held_file = tmp_dir / "heldout.txt"
            write_seg_file(train, train_file)
            write_seg_file(held, held_file)
            train_s = train_raw(train_file, held_file, raw_dir, args.iters, args.feature_trim, args.seed)
            print(f"\ntraining wall time: {train_s:.0f} s ({args.iters} passes, featureTrim={args.feature_trim})")

        p, r, f, cps = heldout_f1(raw_dir, held)
        print(f"untrimmed: {dir_sizes(raw_dir)}")
        print(f"untrimmed held-out: P={p:.2f} R={r:.2f} F1={f:.2f} ({cps:,.0f} chars/s)")

        trimmed = tmp_dir / "trimmed"
        n_before, n_after = trim_model(raw_dir, trimmed, args.min_spread)
        p, r, f, cps = heldout_f1(trimmed, held)
        print(f"features: {n_before:,} -> {n_after:,} (min spread {args.min_spread})")
        print(f"trimmed: {dir_sizes(trimmed)}")
        print(f"trimmed held-out: P={p:.2f} R={r:.2f} F1={f:.2f} ({cps:,.0f} chars/s)")

        args.out.mkdir(parents=True, exist_ok=True)
        for name in ("features.msgpack", "weights.npz"):
            shutil.copyfile(trimmed / name, args.out / name)
        print(f"wrote {write_tables(args.out)} (kg.nlp.fast_pkuseg's code tables)")
    print(f"saved to {args.out}; total wall time {time.perf_counter() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
