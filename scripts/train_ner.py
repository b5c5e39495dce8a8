"""Train kg's learned NER (character CRF) from the public corpora and package it.

Why: kg ships its own NER model, trained reproducibly from the research corpora in
``../shared/data`` (see ``docs/ner.md``); the corpora themselves are never copied
into the repository.

Steps (deterministic: fixed splits, no sampling; crfsuite's L-BFGS is deterministic):

1. Read MSRA train, People's Daily 1998 (PFR), CLUENER2020 train, Resume train and
   Weibo train with :mod:`kg.nlp.corpora`; map labels to kg's (PERSON, PLACE, ORG,
   AGENCY, TITLE); ORG spans that read as government bodies become AGENCY
   (CLUENER keeps its own government/company/organization split).
2. Hold out dev sets: every 20th block of 100 consecutive MSRA train sentences
   (blocks keep articles together), the last 10 % of CLUENER train; Resume and Weibo have dev files;
   People's Daily ``example.dev`` is a dev set for the news style.
3. Dictionary: kg's gazetteer names and short forms, landmark names, department and
   post words, plus the entity strings of the training corpora. For training the
   entity strings are split two-fold (a sentence sees only the other fold's strings),
   so the CRF learns how far to trust a dictionary that does not contain every answer.
4. Features: :func:`kg.nlp.ner_crf.features` with the corpus name as the domain feature.
5. Train python-crfsuite (L-BFGS, L1 ``--c1``, L2 ``--c2``, ``--iters``), export its
   weights for kg's numpy tagger (:func:`kg.nlp.ner_crf.export_crfsuite`) and save
   ``weights.npz``, ``lexicon.tsv.gz`` and ``meta.json`` to ``--out``.
6. Print data sizes, wall time, file sizes and dev scores (per corpus, with its domain
   and with kg's default domain).

Usage::

    python scripts/train_ner.py [--final] [--iters 300] [--out kg/nlp/models/ner] [--limit N]

Test sets (MSRA test, CLUENER dev, example.test, Resume test, Weibo test) are not
read here; score them with ``kg evaluate ner FILE --format ...`` (``kg.nlp.ner_eval``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from kg import lexicon as kg_lexicon  # noqa: E402
from kg.gazetteer import DATA_DIR, load_gazetteer  # noqa: E402
from kg.nlp.corpora import is_silver_dev, read, read_silver, to_kg  # noqa: E402
from kg.nlp.ner import decode  # noqa: E402
from kg.nlp.ner_crf import FEATURE_VERSION, CRFTagger, export_crfsuite, features  # noqa: E402
from kg.nlp.ner_eval import gold_spans, score, scoreable  # noqa: E402
from kg.nlp.ner_text import ENTITY_GROUPS, LABELS, Lexicon, normalize, sentence_spans, spans_to_tags, split_example  # noqa: E402

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"
DEFAULT_SILVER = REPO_ROOT / "silver" / "regional_news.jsonl"
DEFAULT_OUT = REPO_ROOT / "kg" / "nlp" / "models" / "ner"

#: The domain (style) of kg's silver annotations of the genre, and kg's default.
SILVER_DOMAIN = "regional"


def msra_split(n: int, every: int, block: int = 100) -> list[bool]:
    """True for held-out sentences: every ``every``-th block of ``block`` consecutive ones.

    Blocks keep most of an article together, so held-out sentences do not share
    their names with neighbours in training.
    """
    return [bool(every) and (i // block) % every == every - 1 for i in range(n)]


def portable(arg: str | Path) -> str:
    """An argument as the model's record keeps it: paths relative to the repository, or
    just their name outside it (no path of the training machine)."""
    path = Path(arg)
    if not path.is_absolute():
        return str(arg)
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path.name


def fold_of(ex) -> int:
    """A training sentence's dictionary fold, by its text: every copy of a sentence (the
    silver sentences are presented several times, corpora repeat sentences) falls in the
    same fold, so no sentence is ever trained beside a dictionary that holds its own names."""
    return hashlib.md5(ex.text.encode("utf-8")).digest()[0] % 2


def load_corpora(
    data: Path, msra_dev: int, cluener_dev: int, limit: int | None, silver: Path | None = None, silver_dev: int = 10, silver_repeat: int = 1
) -> tuple[dict, dict]:
    """(train, dev): domain -> list of kg-labelled Examples (sentences).

    ``silver``: kg's stand-off annotations of the regional news items (their texts are read
    from ``data/regional_news``), the ``regional`` domain; every ``silver_dev``-th document is
    held out, the rest repeated ``silver_repeat`` times (it is small beside the corpora).
    """

    def kg(examples, split_agency=True):
        return [to_kg(ex, split_agency=split_agency) for ex in examples]

    msra = read(data / "msra" / "msra_train_bio", "msra")
    cluener = read(data / "cluener2020" / "train.json", "cluener")
    n_cl_dev = len(cluener) // cluener_dev if cluener_dev else 0
    held_out = msra_split(len(msra), msra_dev)
    train = {
        "msra": kg([ex for ex, held in zip(msra, held_out, strict=False) if not held]),
        "pfr": kg(read(data / "peoples_daily" / "199801.utf8.txt", "pfr")),
        "cluener": kg(cluener[: len(cluener) - n_cl_dev], split_agency=False),
        "bmes": kg(read(data / "resume_ner" / "train.char.bmes", "bmes")),
        "conll": kg(read(data / "weibo_ner" / "weiboNER_2nd_conll.train", "conll")),
    }
    dev = {
        "msra": [ex for ex, held in zip(msra, held_out, strict=False) if held],
        "pd": read(data / "peoples_daily" / "example.dev", "msra"),
        "cluener": cluener[len(cluener) - n_cl_dev :],
        "bmes": read(data / "resume_ner" / "dev.char.bmes", "bmes"),
        "conll": read(data / "weibo_ner" / "weiboNER_2nd_conll.dev", "conll"),
    }
    if silver is not None:
        docs = read_silver(silver, data / "regional_news" / "regional_news.jsonl")
        pieces = {
            held: [p for doc, ex in docs if is_silver_dev(doc, silver_dev) == held for p in split_example(ex)] for held in (False, True)
        }
        train[SILVER_DOMAIN] = pieces[False] * silver_repeat
        dev[SILVER_DOMAIN] = pieces[True]
    if limit:
        train = {k: v[:limit] for k, v in train.items()}
    return train, dev


CORPORA = ("msra", "pfr", "cluener", "bmes", "conll", SILVER_DOMAIN)


def static_lexicon() -> Lexicon:
    """Dictionary words that come from kg itself: places, bodies, posts."""
    lex = Lexicon()
    gaz = load_gazetteer()
    for name in gaz.by_name:
        lex.add(name, "G")
    for name in gaz.by_short:
        lex.add(name, "G")
    natural = DATA_DIR / "natural_features.txt"
    if natural.exists():
        for name in natural.read_text(encoding="utf-8").split():
            lex.add(name, "G")
    for full, abbrevs in [*kg_lexicon.DEPARTMENTS.items(), *kg_lexicon.NATIONAL_BODIES.items()]:
        for w in (full, *abbrevs):
            lex.add(w, "A")
    for w in kg_lexicon.TITLES:
        lex.add(w, "T")
    return lex


def with_entities(base: Lexicon, examples) -> Lexicon:
    """``base`` plus the entity strings of ``examples``, tagged with label and reliability.

    Reliability is the share of the string's occurrences in these texts that carry
    the label: ``2`` at least 70 %, ``1`` at least 30 %, ``0`` below.
    """
    labelled: Counter = Counter()
    for ex in examples:
        for s, e, lab in ex.spans:
            labelled[normalize(ex.text[s:e]), lab] += 1
    probe = Lexicon()
    for w, _ in labelled:
        probe.add(w, "x")
    occurrences: Counter = Counter()
    for ex in examples:
        t = normalize(ex.text)
        for i, j, _ in probe.matches(t):
            occurrences[t[i:j]] += 1
    lex = base.copy()
    for (w, lab), n in labelled.items():
        share = n / max(occurrences[w], n)
        lex.add(w, ENTITY_GROUPS[lab] + ("2" if share >= 0.7 else "1" if share >= 0.3 else "0"))
    return lex


def crf_predict(model: CRFTagger, text: str, domain: str) -> list[tuple[int, int, str]]:
    """The CRF alone on ``text``: its marginals decoded as the shipped NER decodes the averaged ones."""
    pieces = sentence_spans(text)
    if not pieces:
        return []
    found = decode(model.marginals([text[s:e] for s, e in pieces], (domain,))[0])
    return [(s + a, s + b, lab) for (s, _), spans in zip(pieces, found, strict=True) for a, b, lab, _ in spans]


def dev_scores(model: CRFTagger, dev: dict) -> dict:
    """Micro and per-label F1 of each dev set, in its corpus's domain."""
    out = {}
    for name, examples in dev.items():
        if not examples:
            continue
        fmt = "msra" if name == "pd" else name
        for domain in (fmt,):
            pairs = [(gold_spans(ex, fmt), scoreable(crf_predict(model, ex.text, domain), fmt)) for ex in examples]
            res = score(pairs, fmt)
            key = f"{name}@{domain}"
            out[key] = {"f1": round(res["f1"], 4), **{lab: round(m["f1"], 4) for lab, m in res["labels"].items()}}
            labels = "  ".join(f"{lab}={m['f1']:.4f}" for lab, m in res["labels"].items())
            print(f"  dev {key:<16} f1={res['f1']:.4f}  {labels}", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--iters", type=int, default=300, help="L-BFGS iterations (default 300)")
    ap.add_argument("--c1", type=float, default=0.05, help="L1 penalty (default 0.05; prunes features)")
    ap.add_argument("--c2", type=float, default=0.01, help="L2 penalty (default 0.01)")
    ap.add_argument("--msra-dev", type=int, default=20, help="hold out every N-th block of 100 MSRA train sentences (default 20; 0: none)")
    ap.add_argument("--cluener-dev", type=int, default=10, help="hold out the last 1/N of CLUENER train (default 10; 0: none)")
    ap.add_argument("--final", action="store_true", help="no held-out MSRA or CLUENER sentences (the shipped model)")
    ap.add_argument("--limit", type=int, default=None, help="at most N training sentences per corpus (for quick trials)")
    ap.add_argument("--no-domain", action="store_true", help="train without the per-corpus domain feature")
    ap.add_argument("--silver", type=Path, default=DEFAULT_SILVER, help=f"kg's stand-off annotations (default {DEFAULT_SILVER})")
    ap.add_argument("--silver-dev", type=int, default=10, help="hold out every N-th silver document (by id hash; default 10; 0: none)")
    ap.add_argument("--silver-repeat", type=int, default=1, help="present the silver sentences N times (default 1)")
    ap.add_argument("--train-on", default="msra,cluener,bmes,conll,regional", help="corpora to train on (default: all but pfr)")
    ap.add_argument("--dict-from", default="pfr", help="corpora whose entity strings only feed the dictionary (default: pfr)")
    args = ap.parse_args(argv)

    import pycrfsuite

    t_start = time.perf_counter()
    if args.final:
        args.msra_dev = args.cluener_dev = args.silver_dev = 0
    train, dev = load_corpora(args.data, args.msra_dev, args.cluener_dev, args.limit, args.silver, args.silver_dev, args.silver_repeat)
    train_on = [c for c in args.train_on.split(",") if c]
    dict_from = [c for c in args.dict_from.split(",") if c]
    if not set(train_on) | set(dict_from) <= set(CORPORA):
        ap.error(f"corpora must be among {', '.join(CORPORA)}")
    dict_only = [ex for c in dict_from if c not in train_on for ex in train[c]]
    train = {c: train[c] for c in CORPORA if c in train_on}
    sizes = {
        k: {"sentences": len(v), "chars": sum(len(ex.text) for ex in v), "entities": sum(len(ex.spans) for ex in v)}
        for k, v in train.items()
    }
    for k, v in sizes.items():
        print(f"train {k:<8} {v['sentences']:>7} sentences {v['chars']:>9} chars {v['entities']:>7} entities")
    print("dev: " + ", ".join(f"{k} {len(v)}" for k, v in dev.items()))

    base = with_entities(static_lexicon(), dict_only)
    all_train = [ex for exs in train.values() for ex in exs]
    full_lex = with_entities(base, all_train)
    folds = [[ex for ex in all_train if fold_of(ex) == k] for k in range(2)]
    fold_lex = [with_entities(base, folds[1 - k]) for k in range(2)]
    print(f"dictionary: {len(base.words)} kg words and {'+'.join(dict_from)} entities, {len(full_lex.words)} with training entities")
    surnames = set(kg_lexicon.SURNAMES_1)

    trainer = pycrfsuite.Trainer(verbose=False)
    t0 = time.perf_counter()
    n_items = 0
    for domain, examples in train.items():
        for ex in examples:
            lex = fold_lex[fold_of(ex)]
            if not ex.text:
                continue
            dom = None if args.no_domain else domain
            trainer.append(features(ex.text, lex, surnames, dom), spans_to_tags(len(ex.text), ex.spans))
            n_items += len(ex.text)
    print(f"features: {n_items} characters in {time.perf_counter() - t0:.0f} s", flush=True)

    trainer.set_params({"c1": args.c1, "c2": args.c2, "max_iterations": args.iters, "feature.possible_transitions": True})
    tmp = Path(tempfile.mkdtemp(prefix="kg-ner-"))
    t0 = time.perf_counter()
    trainer.train(str(tmp / "model.crfsuite"))
    train_s = time.perf_counter() - t0
    log = trainer.logparser
    last = log.iterations[-1] if log.iterations else {}
    for it in log.iterations[49::50]:
        print(f"  iteration {it['num']}: loss {it['loss']:.1f}, active features {it['active_features']}")
    print(
        f"trained: {len(log.iterations)} iterations in {train_s:.0f} s, "
        f"loss {last.get('loss', float('nan')):.1f}, active features {last.get('active_features', '?')}",
        flush=True,
    )

    args.out.mkdir(parents=True, exist_ok=True)
    domains = () if args.no_domain else tuple(sorted(train))
    n_features = export_crfsuite(tmp / "model.crfsuite", args.out / "weights.npz", domains)
    print(f"exported {n_features} features")
    full_lex.save(args.out / "lexicon.tsv.gz")
    meta = {
        "feature_version": FEATURE_VERSION,
        "labels": list(LABELS),
        "domains": list(domains),
        "default_domain": SILVER_DOMAIN,
        "surnames": "".join(sorted(surnames)),
        "training": {
            "command": "python scripts/train_ner.py " + " ".join(map(portable, argv if argv is not None else sys.argv[1:])),
            "params": {
                k: getattr(args, k)
                for k in (
                    "c1",
                    "c2",
                    "iters",
                    "msra_dev",
                    "cluener_dev",
                    "limit",
                    "train_on",
                    "dict_from",
                    "no_domain",
                    "silver_dev",
                    "silver_repeat",
                )
            },
            "corpora": sizes,
            "train_seconds": round(train_s),
        },
    }
    meta_path = args.out / "meta.json"
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    meta["training"]["dev"] = dev_scores(CRFTagger(args.out), dev)
    meta["training"]["total_seconds"] = round(time.perf_counter() - t_start)
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    shutil.rmtree(tmp, ignore_errors=True)
    for name in ("weights.npz", "lexicon.tsv.gz", "meta.json"):
        print(f"wrote {args.out / name} ({os.path.getsize(args.out / name) / 1e6:.1f} MB)")
    print(f"wall time {time.perf_counter() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
