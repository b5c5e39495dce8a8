"""Encode the NER corpora as integer arrays for the BiLSTM-CRF trainer (``train_ner_lstm.py``).

Why a separate step: the encoding needs kg (gazetteer, lexicon, corpus readers), the
trainer needs only numpy and PyTorch, which kg itself does not depend on; the two run
in different environments (the trainer may run on a GPU machine).

Writes ``OUT/data.npz`` (train and dev sets) and ``OUT/vocab.json`` (characters,
bigrams, dictionary tags, domains), plus ``OUT/lexicon.tsv.gz`` (the dictionary the
shipped model looks words up in). Same splits and dictionary as ``train_ner.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "scripts"))

from train_ner import CORPORA, DEFAULT_DATA, DEFAULT_SILVER, SILVER_DOMAIN, fold_of, load_corpora, static_lexicon, with_entities  # noqa: E402

from kg import lexicon as kg_lexicon  # noqa: E402
from kg.nlp.corpora import read, to_kg  # noqa: E402
from kg.nlp.ner_lstm import Encoder  # noqa: E402
from kg.nlp.ner_text import normalize, split_example  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--msra-dev", type=int, default=20)
    ap.add_argument("--cluener-dev", type=int, default=10)
    ap.add_argument("--silver", type=Path, default=DEFAULT_SILVER)
    ap.add_argument("--silver-dev", type=int, default=10, help="hold out every N-th silver document (0: none)")
    ap.add_argument("--silver-repeat", type=int, default=1)
    ap.add_argument("--final", action="store_true", help="no held-out MSRA, CLUENER or silver sentences")
    ap.add_argument("--train-on", default="msra,cluener,bmes,conll,regional")
    ap.add_argument("--max-bigrams", type=int, default=100_000)
    args = ap.parse_args(argv)

    if args.final:
        args.msra_dev = args.cluener_dev = args.silver_dev = 0
    train, dev = load_corpora(args.data, args.msra_dev, args.cluener_dev, None, args.silver, args.silver_dev, args.silver_repeat)
    train_on = [c for c in args.train_on.split(",") if c]
    dict_only = [ex for c in CORPORA if c not in train_on for ex in train[c]]
    train = {c: train[c] for c in CORPORA if c in train_on}
    base = with_entities(static_lexicon(), dict_only)
    all_train = [ex for exs in train.values() for ex in exs]
    full_lex = with_entities(base, all_train)
    folds = [[ex for ex in all_train if fold_of(ex) == k] for k in range(2)]
    fold_lex = [with_entities(base, folds[1 - k]) for k in range(2)]

    chars: Counter = Counter()
    bigrams: Counter = Counter()
    for ex in all_train:
        t = normalize(ex.text)
        chars.update(t)
        bigrams.update(t[i : i + 2] for i in range(len(t) - 1))
    tags = sorted({g for tags in full_lex.words.values() for g in tags})
    vocab = {
        "chars": sorted(c for c in chars),
        "bigrams": sorted(b for b, n in bigrams.most_common(args.max_bigrams) if n >= 2),
        "lex_tags": tags,
        "domains": list(train),
        "surnames": "".join(sorted(kg_lexicon.SURNAMES_1)),
        # how the data was made, for the model's record (no path of this machine)
        "data_params": {k: getattr(args, k) for k in ("msra_dev", "cluener_dev", "silver_dev", "silver_repeat", "train_on", "max_bigrams")},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    full_lex.save(args.out / "lexicon.tsv.gz")
    print(f"vocab: {len(vocab['chars'])} chars, {len(vocab['bigrams'])} bigrams, {len(tags)} dictionary tags")

    arrays: dict[str, np.ndarray] = {}
    encoders = {id(lex): Encoder(vocab, lex) for lex in (*fold_lex, full_lex)}

    def encode_set(name: str, items) -> None:
        """items: (example, lexicon, domain) -> concatenated arrays with offsets."""
        cols: dict[str, list] = {k: [] for k in ("char", "bl", "br", "cls", "lex_ptr", "lex_idx", "tag", "dom", "len")}
        lex_total = 0
        for ex, lex, domain in items:
            for piece in split_example(ex):
                enc = encoders[id(lex)].encode(piece.text)
                n = len(piece.text)
                cols["char"].append(enc["char"])
                cols["bl"].append(enc["bl"])
                cols["br"].append(enc["br"])
                cols["cls"].append(enc["cls"])
                cols["lex_ptr"].append(enc["lex_ptr"][1:] + lex_total)
                cols["lex_idx"].append(enc["lex_idx"])
                lex_total += len(enc["lex_idx"])
                cols["tag"].append(Encoder.tag_ids(n, piece.spans))
                cols["dom"].append(vocab["domains"].index(domain) if domain in vocab["domains"] else 0)
                cols["len"].append(n)
        for k, v in cols.items():
            if k in ("dom", "len"):
                arrays[f"{name}.{k}"] = np.asarray(v, dtype=np.int32)
            else:
                arrays[f"{name}.{k}"] = np.concatenate(v).astype(np.int32)
        arrays[f"{name}.lex_ptr"] = np.concatenate([[0], arrays[f"{name}.lex_ptr"]]).astype(np.int64)
        print(f"{name}: {len(cols['len'])} pieces, {sum(cols['len'])} chars", flush=True)

    items = []
    for domain, examples in train.items():
        for ex in examples:
            items.append((ex, fold_lex[fold_of(ex)], domain))
    encode_set("train", items)
    dev_fmt = {"msra": "msra", "pd": "msra", "cluener": "cluener", "bmes": "bmes", "conll": "conll", SILVER_DOMAIN: SILVER_DOMAIN}
    for name, examples in dev.items():
        if examples:
            kg_examples = examples if name == SILVER_DOMAIN else [to_kg(ex, split_agency=dev_fmt[name] != "cluener") for ex in examples]
            encode_set(f"dev_{name}", [(ex, full_lex, dev_fmt[name]) for ex in kg_examples])
    tests = {
        "test_msra": (args.data / "msra" / "msra_test_bio", "msra"),
        "test_cluener": (args.data / "cluener2020" / "dev.json", "cluener"),
    }
    for name, (path, fmt) in tests.items():
        encode_set(name, [(to_kg(ex, split_agency=fmt != "cluener"), full_lex, fmt) for ex in read(path, fmt)])
    np.savez_compressed(args.out / "data.npz", **arrays)
    print(f"wrote {args.out / 'data.npz'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
