"""kg's character CRF tagger (trained with python-crfsuite, run in numpy): one half of the
learned NER (:mod:`kg.nlp.ner`).

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
import re
from pathlib import Path
from typing import Final

import numpy as np

from kg.nlp import codepoints
from kg.nlp.ner_text import CLASS_OF, ENTITY_GROUPS, TAG_INDEX, TAGS, Lexicon, char_class, inner_characters, normalize

MODEL_DIR: Final[Path] = Path(__file__).resolve().parent / "models" / "ner"
FEATURE_VERSION: Final[int] = 1


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


def domain_attributes(f: list[str], domain: str) -> list[str]:
    """A character's attributes in ``domain``'s style: the domain alone (label priors) and
    joined with the character and its two bigrams (``c0``, ``b-1``, ``b1``)."""
    dom = "D" + domain
    return [dom, dom + f[1], dom + f[6], dom + f[7]]


def with_domain(feats: list[list[str]], domain: str) -> list[list[str]]:
    """Copies of the attribute lists with the domain's own (:func:`domain_attributes`)."""
    return [[*f, *domain_attributes(f, domain)] for f in feats]


#: The window templates of :func:`features`, for the tagger's table lookups: name ->
#: (kind, offset). A kind's keys are read from the padded text ``"^^" + t + "$$"`` (or
#: its classes, for ``cls``); character i's key starts at i + offset (``skip``: the
#: characters at i + 1 and i + 3).
_WINDOW: Final[dict[str, tuple[str, int]]] = {
    "c-2": ("uni", 0),
    "c-1": ("uni", 1),
    "c0": ("uni", 2),
    "c1": ("uni", 3),
    "c2": ("uni", 4),
    "b-2": ("bi", 0),
    "b-1": ("bi", 1),
    "b1": ("bi", 2),
    "b2": ("bi", 3),
    "s": ("skip", 1),
    "t0": ("tri", 1),
    "y": ("cls", 1),
}
#: ... and the domain's own window templates (:func:`domain_attributes`), after "D" + domain.
_DOMAIN_WINDOW: Final[dict[str, tuple[str, int]]] = {"c0": ("uni", 2), "b-1": ("bi", 1), "b1": ("bi", 2)}
_KEY_LENGTH: Final[dict[str, int]] = {"uni": 1, "bi": 2, "skip": 2, "tri": 3, "cls": 3}
_KINDS: Final[tuple[str, ...]] = tuple(_KEY_LENGTH)


def _window_templates(domains: tuple[str, ...]) -> dict[str, tuple[str, int]]:
    return {**_WINDOW, **{f"D{d}{name}": spec for d in domains for name, spec in _DOMAIN_WINDOW.items()}}


#: A dictionary-match attribute (:meth:`kg.nlp.ner_text.Lexicon.add_features`): tag, then B<length>, E or M.
_LEXICON_ATTRIBUTE: Final[re.Pattern[str]] = re.compile(rf"(?:[GAT]|[{''.join(ENTITY_GROUPS.values())}]\d)(?:B\d|E|M)")


def _is_fixed(attribute: str, domains: tuple[str, ...]) -> bool:
    """Whether :func:`features` can give ``attribute`` outside the window templates: the bias,
    the surname flag, a dictionary match or a domain alone."""
    return attribute in ("b", "sur") or attribute[1:] in domains or _LEXICON_ATTRIBUTE.fullmatch(attribute) is not None


def export_crfsuite(model_path: str | Path, out_path: str | Path, domains: tuple[str, ...]) -> int:
    """Write a python-crfsuite model as kg's ``weights.npz``; return its number of features.

    Why not ship the crfsuite file: its tagger answers one (tag, position) marginal
    per Python call and looks every attribute string up, which made the CRF a third
    of the learned NER's time. The export sorts the attributes by template: a window
    attribute's key (a character, a bigram ...) becomes an integer made of its code
    points, each kind's keys a sorted array of such codes, and each template an array
    from key to weight row. Tagging then finds all keys of a document with
    ``searchsorted``, with no lookup per character. Training still uses crfsuite and
    exports at the end.
    """
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model_path))
    info = tagger.info()
    attributes = sorted({attr for attr, _ in info.state_features})
    row = {a: i for i, a in enumerate(attributes)}
    templates = _window_templates(domains)
    vocab: dict[str, dict[str, int]] = {kind: {} for kind in _KINDS}
    parsed: dict[str, list[tuple[str, int]]] = {name: [] for name in templates}
    for a in attributes:
        for name, (kind, _) in templates.items():
            if a.startswith(name) and len(a) == len(name) + _KEY_LENGTH[kind]:
                key = a[len(name) :]
                vocab[kind].setdefault(key, len(vocab[kind]))
                parsed[name].append((key, row[a]))
    arrays: dict[str, np.ndarray] = {}
    slot: dict[str, dict[str, int]] = {}  # kind -> key -> its place among the kind's sorted codes
    for kind, keys in vocab.items():
        codes = {key: codepoints.word_code(key) for key in keys}
        ordered = sorted(keys, key=codes.__getitem__)
        arrays[f"codes_{kind}"] = np.asarray([codes[k] for k in ordered], dtype=np.int64)
        slot[kind] = {k: i for i, k in enumerate(ordered)}
    for name, (kind, _) in templates.items():
        rows = np.full(len(vocab[kind]) + 1, len(attributes), dtype=np.int32)  # unknown key: the zero row
        for key, r in parsed[name]:
            rows[slot[kind][key]] = r
        arrays[f"rows_{name}"] = rows
    fixed = [a for a in attributes if _is_fixed(a, domains)]
    feats = sorted((row[a], TAG_INDEX[lab], w) for (a, lab), w in info.state_features.items())
    trans = np.zeros((len(TAGS), len(TAGS)), dtype=np.float32)
    for (a, b), w in info.transitions.items():
        trans[TAG_INDEX[a], TAG_INDEX[b]] = w
    present = np.zeros(len(TAGS), dtype=bool)
    present[[TAG_INDEX[lab] for lab in tagger.labels()]] = True
    np.savez_compressed(
        out_path,
        n_rows=np.asarray(len(attributes)),
        fixed=np.frombuffer("\n".join(fixed).encode("utf-8"), dtype=np.uint8),
        fixed_rows=np.asarray([row[a] for a in fixed], dtype=np.int32),
        feature_row=np.asarray([f[0] for f in feats], dtype=np.int32),
        feature_tag=np.asarray([f[1] for f in feats], dtype=np.int8),
        feature_weight=np.asarray([f[2] for f in feats], dtype=np.float32),
        transitions=trans,
        present=present,
        **arrays,
    )
    return len(feats)


#: Steps between rescalings in :func:`chain_marginals`.
_RESCALE: Final[int] = 8


def chain_marginals(
    emis: np.ndarray, lengths: np.ndarray, exp_trans: np.ndarray, exp_start: np.ndarray | None = None, exp_end: np.ndarray | None = None
) -> np.ndarray:
    """Tag marginals of a linear-chain CRF over a padded batch (B x T x K emission scores,
    each piece ``lengths[b]`` long), B x T x K; rows past a piece's end are junk.

    In probability space, rescaled to sum 1 every few steps (the scale cancels when
    alpha x beta is normalised per character; with emission scores shifted to a
    maximum of 0, eight steps can neither overflow nor underflow a double): two numpy
    calls a step instead of a log-sum-exp's eight, each writing into its step's row of a
    time-major array; a piece's end scores are set only at the step of its last
    character. ``exp_start``/``exp_end``:
    exp of the first/last tag scores (none: crfsuite has no such scores).
    """
    B, T, K = emis.shape
    e = np.exp(emis - emis.max(axis=2, keepdims=True), dtype=np.float64).transpose(1, 0, 2).copy()  # T x B x K
    trans_t = exp_trans.T
    alpha = np.empty((T, B, K))
    np.multiply(e[0], 1.0 if exp_start is None else exp_start, out=alpha[0])
    for t in range(1, T):
        a = np.matmul(alpha[t - 1], exp_trans, out=alpha[t])
        a *= e[t]
        if t % _RESCALE == 0:
            a /= a.sum(axis=1, keepdims=True)
    beta = np.empty((T, B, K))
    ends = np.ones(K) if exp_end is None else exp_end
    ending = {t: np.flatnonzero(lengths - 1 == t) for t in np.unique(lengths - 1).tolist()}  # pieces by last character
    beta[T - 1] = 1.0
    beta[T - 1][ending.get(T - 1, [])] = ends
    scratch = np.empty((B, K))
    for t in range(T - 2, -1, -1):
        b = np.matmul(np.multiply(e[t + 1], beta[t + 1], out=scratch), trans_t, out=beta[t])
        if t % _RESCALE == 0:
            b /= b.sum(axis=1, keepdims=True)
        if t in ending:
            b[ending[t]] = ends
    p = (alpha * beta).transpose(1, 0, 2)
    return (p / p.sum(axis=2, keepdims=True)).astype(np.float32)


class CRFTagger:
    """The packaged CRF (``kg/nlp/models/ner``): its dictionary, domains and weights, run in numpy.

    Each character's window keys (character, bigram, trigram ...) are looked up once
    for all templates; the emission scores of all characters of all pieces are then
    one gather and one sum, and the marginals one batched forward-backward.
    """

    def __init__(self, model_dir: str | Path = MODEL_DIR) -> None:
        model_dir = Path(model_dir)
        for name in ("weights.npz", "lexicon.tsv.gz", "meta.json"):
            if not (model_dir / name).is_file():
                raise FileNotFoundError(f"NER model file {name} not found in {model_dir}; train it with scripts/train_ner.py")
        self.meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
        version = self.meta.get("feature_version")
        if version != FEATURE_VERSION:
            raise ValueError(f"NER model in {model_dir} has feature version {version}, this code expects {FEATURE_VERSION}")
        self.lexicon = Lexicon.load(model_dir / "lexicon.tsv.gz")
        self.surnames = set(self.meta["surnames"])
        self.domains = tuple(self.meta.get("domains", ()))
        self.templates = _window_templates(self.domains)
        with np.load(model_dir / "weights.npz") as z:
            n_rows = int(z["n_rows"])
            self.weights = np.zeros((n_rows + 1, len(TAGS)), dtype=np.float32)  # the last row: unknown attributes
            self.weights[z["feature_row"], z["feature_tag"]] = z["feature_weight"]
            self.weights[:, ~z["present"]] = -1e4  # tags the model never saw
            self.exp_trans = np.exp(z["transitions"].astype(np.float64))
            fixed = z["fixed"].tobytes().decode("utf-8").split("\n")
            self.fixed = dict(zip(fixed, z["fixed_rows"].tolist(), strict=True))
            self.codes = {kind: z[f"codes_{kind}"] for kind in _KINDS}
            self.rows = {name: z[f"rows_{name}"] for name in self.templates}
        self.unknown = n_rows
        # the weights a dictionary match adds, by its tags and length (:meth:`_lexicon_weights`)
        matches = [(tags, n) for tags in sorted(set(self.lexicon.words.values())) for n in range(2, 7)]
        self._lexicon_set = {key: k for k, key in enumerate(matches)}
        self._lexicon_table = np.stack([self._lexicon_weights(*key) for key in matches])

    def emissions(self, pieces: list[str], domains: tuple[str, ...]) -> list[np.ndarray]:
        """Summed weights of each character's attributes, as crfsuite scores them, in each
        domain's style: the pieces' characters one after another (sum of lengths x K).

        The pieces are padded as :func:`features` pads one ("^^" + piece + "$$") and
        joined, so each kind's keys are looked up in one pass over the document, once
        for all domains.
        """
        texts = [normalize(p) for p in pieces]
        padded = "".join(f"^^{t}$$" for t in texts)
        classes = "".join(f"^^{t.translate(CLASS_OF)}$$" for t in texts)
        lengths = np.asarray([len(t) for t in texts])
        bases = np.concatenate([[0], np.cumsum(lengths + 4)[:-1]])
        pos = np.repeat(bases - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths) + np.arange(lengths.sum())
        c, y = codepoints.points(padded), codepoints.points(classes)
        ids = {}
        for kind, code in (
            ("uni", c),
            ("bi", codepoints.code([c[:-1], c[1:]])),
            ("skip", codepoints.code([c[:-2], c[2:]])),
            ("tri", codepoints.code([c[:-2], c[1:-1], c[2:]])),
            ("cls", codepoints.code([y[:-2], y[1:-1], y[2:]])),
        ):
            table = self.codes[kind]
            at, found = codepoints.find(table, code)
            ids[kind] = np.where(found, at, len(table))

        def column(name: str) -> np.ndarray:
            kind, offset = self.templates[name]
            return self.rows[name][ids[kind][pos + offset]]

        window = [column(name) for name in _WINDOW]
        fixed, unknown, weights = self.fixed, self.unknown, self.weights
        surname = np.fromiter((ch in self.surnames for t in texts for ch in t), dtype=bool, count=len(pos))
        # dictionary matches: each adds its weights to its first, last and inner characters
        found = [(i, j, self._lexicon_set[tags, min(j - i, 6)]) for i, j, tags in self.lexicon.matches_many(texts)]
        lexicon = np.zeros((len(pos), len(TAGS)))
        if found:
            s, e, k = np.asarray(found, dtype=np.int64).T
            w = self._lexicon_table[k]
            place, owner = inner_characters(s, e)
            at, value = np.concatenate([s, e - 1, place]), np.concatenate([w[:, 0], w[:, 1], w[owner, 2]])
            for tag in range(len(TAGS)):  # np.add.at, but several times faster
                lexicon[:, tag] = np.bincount(at, weights=value[:, tag], minlength=len(pos))
        out = []
        for domain in domains:
            own = domain in self.domains
            cols = window + [column(f"D{domain}{name}") for name in _DOMAIN_WINDOW] if own else window
            emis = np.take(weights, np.stack(cols, axis=1), axis=0).sum(axis=1)  # np.take: 2.5x faster than [ ]
            emis += weights[fixed.get("b", unknown)]  # the bias and the domain alone: every character
            if own:
                emis += weights[fixed.get("D" + domain, unknown)]
            emis[surname] += weights[fixed.get("sur", unknown)]
            emis += lexicon
            out.append(emis)
        return out

    def _lexicon_weights(self, tags: tuple[str, ...], length: int) -> np.ndarray:
        """The summed weights a dictionary match with ``tags`` gives its first, last and inner
        characters (attributes tag + B<length>, E, M): 3 x K."""
        fixed, unknown = self.fixed, self.unknown
        parts = (f"B{length}", "E", "M")
        return np.stack([self.weights[[fixed.get(g + part, unknown) for g in tags]].sum(axis=0) for part in parts])

    def marginals(self, pieces: list[str], domains: tuple[str, ...]) -> list[list[np.ndarray]]:
        """Per domain, per piece: P(tag of character i = TAGS[k]), an n x K array."""
        if not pieces:
            return [[] for _ in domains]
        lengths = np.asarray([len(p) for p in pieces])
        inside = np.arange(lengths.max())[None, :] < lengths[:, None]
        out = []
        for emis in self.emissions(pieces, domains):
            padded = np.zeros((*inside.shape, len(TAGS)), dtype=np.float32)
            padded[inside] = emis
            probs = chain_marginals(padded, lengths, self.exp_trans)
            out.append([p[:n] for p, n in zip(probs, lengths, strict=True)])
        return out
