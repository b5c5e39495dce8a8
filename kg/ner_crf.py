"""kg's character CRF tagger (python-crfsuite): one half of the learned NER (:mod:`kg.ner`).

Why a CRF next to the BiLSTM: it reads the text through hand-made window features
(characters, bigrams, a trigram, character classes, a surname flag, dictionary
matches), so it errs differently from the network; averaging the two taggers'
per-character probabilities beats either alone (figures in ``docs/ner.md``).

Training (``scripts/train_ner.py``): the dictionary's corpus entity strings are
built two-fold, so the CRF learns how far to trust a dictionary that does not hold
every answer; each corpus is a *domain* (its name as a feature, alone and joined
with the character and its bigrams), so shared weights learn what the corpora agree
on and the domain weights absorb each corpus's annotation style.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

import numpy as np

from kg.ner_text import TAGS, Lexicon, char_class, normalize, tags_to_spans

MODEL_DIR: Final[Path] = Path(__file__).resolve().parent / "models" / "ner"
FEATURE_VERSION: Final[int] = 1
_TAG_INDEX = {t: i for i, t in enumerate(TAGS)}


def features(text: str, lexicon: Lexicon, surnames: str | set[str], domain: str | None = None) -> list[list[str]]:
    """CRF attributes for each character of one sentence (``text`` as given, not normalised)."""
    t = normalize(text)
    n = len(t)
    p = "^^" + t + "$$"
    y = "^^" + "".join(map(char_class, t)) + "$$"
    out: list[list[str]] = []
    for i in range(n):
        j = i + 2
        a, b, c, d, e = p[i : i + 5]
        f = [
            "b",
            "c0" + c,
            "c-1" + b,
            "c1" + d,
            "c-2" + a,
            "c2" + e,
            "b-1" + b + c,
            "b1" + c + d,
            "b-2" + a + b,
            "b2" + d + e,
            "s" + b + d,
            "t0" + b + c + d,
            "y" + y[j - 1 : j + 2],
        ]
        if c in surnames:
            f.append("sur")
        out.append(f)
    lexicon.add_features(t, out)
    return with_domain(out, domain) if domain else out


def with_domain(feats: list[list[str]], domain: str) -> list[list[str]]:
    """Copies of the attribute lists with the domain's own: alone (label priors) and
    joined with the character and its two bigrams (``c0``, ``b-1``, ``b1``)."""
    dom = "D" + domain
    return [[*f, dom, dom + f[1], dom + f[6], dom + f[7]] for f in feats]


class CRFTagger:
    """The packaged CRF (``kg/models/ner``): its dictionary, domains and weights."""

    def __init__(self, model_dir: str | Path = MODEL_DIR) -> None:
        import pycrfsuite

        model_dir = Path(model_dir)
        for name in ("model.crfsuite", "lexicon.tsv.gz", "meta.json"):
            if not (model_dir / name).is_file():
                raise FileNotFoundError(f"NER model file {name} not found in {model_dir}; train it with scripts/train_ner.py")
        self.meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
        version = self.meta.get("feature_version")
        if version != FEATURE_VERSION:
            raise ValueError(f"NER model in {model_dir} has feature version {version}, this code expects {FEATURE_VERSION}")
        self.lexicon = Lexicon.load(model_dir / "lexicon.tsv.gz")
        self.surnames = set(self.meta["surnames"])
        self.domains = tuple(self.meta.get("domains", ()))
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(model_dir / "model.crfsuite"))
        self._labels = [(lab, _TAG_INDEX[lab]) for lab in self.tagger.labels() if lab in _TAG_INDEX]

    def tag(self, piece: str, domain: str) -> list[tuple[int, int, str]]:
        """The CRF's own best spans of one piece in ``domain``'s style (used to score it alone)."""
        feats = features(piece, self.lexicon, self.surnames)
        return tags_to_spans(self.tagger.tag(with_domain(feats, domain) if domain in self.domains else feats))

    def marginals(self, piece: str, domains: tuple[str, ...]) -> list[np.ndarray]:
        """P(tag of character i = TAGS[k]) for one piece, one n x K array per domain."""
        feats = features(piece, self.lexicon, self.surnames)
        out = []
        for domain in domains:
            self.tagger.set(with_domain(feats, domain) if domain in self.domains else feats)
            m = np.zeros((len(piece), len(TAGS)), dtype=np.float32)
            marginal = self.tagger.marginal
            for lab, k in self._labels:
                m[:, k] = [marginal(lab, t) for t in range(len(piece))]
            out.append(m)
        return out
