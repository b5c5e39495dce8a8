"""kg's learned Chinese NER: a character-level linear-chain CRF with dictionary features.

Why: the rule components find the names the genre's cue words frame (a post before a
person, a jurisdiction before a department); a statistical tagger trained on the
public NER corpora (MSRA, People's Daily 1998, CLUENER2020, Resume, Weibo) finds the
rest -- names with no cue, foreign places, companies -- as low-priority candidates.

Design (figures in ``docs/ner.md``):

* **Characters, not words.** The corpora are annotated per character and kg's
  pkuseg words often run across entity edges (市发改委将, 会见李强时), so the model
  tags characters (BIOES) and its spans never need re-aligning to tokens.
* **Linear-chain CRF** (python-crfsuite): window features of characters, bigrams and
  a trigram, character classes, a surname flag, and dictionary matches: division
  names from kg's gazetteer, kg's department and title words, and the entity strings
  of the training corpora (built two-fold, so the model does not learn to trust a
  dictionary that contains every training answer). The dictionary ships with the
  model (``lexicon.tsv.gz``), so the features are the same as in training even if the
  gazetteer changes later.
* **Domains.** Each corpus annotates in its own style (MSRA marks no posts, CLUENER
  marks whole street addresses ...). Every training character carries its corpus as
  a domain feature, alone and joined with the character and its bigrams, so that
  the shared weights learn what the corpora agree on and the domain weights absorb
  the rest. kg's own text is tagged in the news style (``msra``) for names, plus the
  posts of the ``cluener`` style (:class:`NERModel`).
* Labels: PERSON, PLACE, ORG, AGENCY (government bodies), TITLE (posts).

Everything loads from ``kg/models/ner`` (``model.crfsuite``, ``lexicon.tsv.gz``,
``meta.json``); nothing is downloaded. :func:`predict` never raises on any string.
"""

from __future__ import annotations

import bisect
import gzip
import json
import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Final

MODEL_DIR: Final[Path] = Path(__file__).resolve().parent / "models" / "ner"
FEATURE_VERSION: Final[int] = 1
LABELS: Final[tuple[str, ...]] = ("PERSON", "PLACE", "ORG", "AGENCY", "TITLE")

#: Longest stretch tagged at once; longer sentences are cut at commas, then blindly.
MAX_SENTENCE: Final[int] = 300

# Full-width ASCII and the ideographic space -> half-width (one char to one char,
# so offsets never move).
_HALF = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_HALF[0x3000] = 0x20
_HALF[0] = 0x20  # crfsuite attribute names are C strings
_HALF.update({i: ord("?") for i in range(0xD800, 0xE000)})  # lone surrogates cannot be encoded
_CN_DIGITS = set("〇零一二三四五六七八九十百千万亿两")
_SENT_END = re.compile(r"[。！？!?；;\n]+[”’」』）)]*")
_CLAUSE_END = re.compile(r"[，,、：:]")


def normalize(text: str) -> str:
    """Full-width ASCII to half-width (NUL and lone surrogates to placeholders); same length as ``text``."""
    return text.translate(_HALF)


def char_class(ch: str) -> str:
    """D digit, N Chinese numeral, L Latin letter, C other CJK, S space, P anything else."""
    if ch.isdigit():
        return "D"
    if ch in _CN_DIGITS:
        return "N"
    if ch.isascii() and ch.isalpha():
        return "L"
    if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
        return "C"
    if ch.isspace():
        return "S"
    return "P"


# --------------------------------------------------------------------------- lexicon


class Lexicon:
    """Word -> dictionary tags; matches every entry at every position.

    Tags: ``G`` division or landmark name, ``A`` government body or department, ``T``
    post; and for the training corpora's entity strings the label's letter (``p``
    PERSON, ``l`` PLACE, ``o`` ORG, ``a`` AGENCY, ``t`` TITLE) plus how often the
    string is that entity where it occurs (``2`` most times, ``1`` often, ``0`` rarely:
    发展 inside 发展中国家 is rarely a name; 中国 nearly always is).
    """

    MAX_LEN = 16

    def __init__(self) -> None:
        self.words: dict[str, tuple[str, ...]] = {}
        self.prefixes: set[str] = set()

    def add(self, word: str, tag: str) -> None:
        word = normalize(word.strip())
        if not 2 <= len(word) <= self.MAX_LEN or any(c.isspace() for c in word):
            return
        have = self.words.get(word, ())
        if tag not in have:
            self.words[word] = tuple(sorted((*have, tag)))
        for k in range(1, len(word)):
            self.prefixes.add(word[:k])

    def copy(self) -> Lexicon:
        other = Lexicon()
        other.words = dict(self.words)
        other.prefixes = set(self.prefixes)
        return other

    def matches(self, t: str) -> Iterable[tuple[int, int, tuple[str, ...]]]:
        """(start, end, tags) for every dictionary word in the normalised text ``t``."""
        words, prefixes, n = self.words, self.prefixes, len(t)
        for i in range(n - 1):
            j = i + 1
            while j < n and t[i:j] in prefixes:
                j += 1
                tags = words.get(t[i:j])
                if tags is not None:
                    yield i, j, tags

    def add_features(self, t: str, feats: list[list[str]]) -> None:
        for i, j, tags in self.matches(t):
            length = str(min(j - i, 6))
            for g in tags:
                feats[i].append(g + "B" + length)
                feats[j - 1].append(g + "E")
                for k in range(i + 1, j - 1):
                    feats[k].append(g + "M")

    def save(self, path: Path) -> None:
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
            for w in sorted(self.words):
                fh.write(f"{w}\t{','.join(self.words[w])}\n")

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        lex = cls()
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                w, _, tags = line.rstrip("\n").partition("\t")
                for g in tags.split(","):
                    if g:
                        lex.add(w, g)
        return lex


# --------------------------------------------------------------------------- features


def features(
    text: str,
    lexicon: Lexicon,
    surnames: str | set[str],
    domain: str | None = None,
    bounds: set[int] | None = None,
) -> list[list[str]]:
    """CRF attributes for each character of one sentence (``text`` as given, not normalised).

    ``bounds``: word boundaries (offsets into ``text``) from the segmenter, if the
    model uses word features: each character's position in its word (B/M/E/S),
    alone and with the character.
    """
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
        if bounds is not None:
            w = _WORD_POS[(i in bounds) + 2 * (i + 1 in bounds)]
            f += (w, w + c)
        out.append(f)
    lexicon.add_features(t, out)
    return with_domain(out, domain) if domain else out


_WORD_POS = ("wM", "wB", "wE", "wS")  # index: starts a word + 2 * ends a word


def word_bounds(text: str, words: Iterable[str]) -> set[int]:
    """Boundary offsets in ``text`` of the segmenter's ``words`` (which skip whitespace)."""
    out, pos = {0, len(text)}, 0
    for w in words:
        i = text.find(w, pos)
        if i < 0:
            break
        out.add(i)
        pos = i + len(w)
        out.add(pos)
    return out


@cache
def _segmenter():
    """kg's pkuseg with the pipeline's user words, for models with word features."""
    from kg.pipeline import user_words
    from kg.segmenter import load_pkuseg

    return load_pkuseg(user_words())


def with_domain(feats: list[list[str]], domain: str) -> list[list[str]]:
    """Copies of the attribute lists with the domain's own: alone (label priors) and
    joined with the character and its two bigrams (``c0``, ``b-1``, ``b1``)."""
    dom = "D" + domain
    return [[*f, dom, dom + f[1], dom + f[6], dom + f[7]] for f in feats]


# --------------------------------------------------------------------------- tags


def spans_to_tags(n: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """BIOES tags for ``n`` characters; overlapping spans: the earlier-starting one wins."""
    tags = ["O"] * n
    for s, e, lab in sorted(spans):
        if s < 0 or e > n or s >= e or any(tags[k] != "O" for k in range(s, e)):
            continue
        if e - s == 1:
            tags[s] = "S-" + lab
        else:
            tags[s] = "B-" + lab
            tags[e - 1] = "E-" + lab
            for k in range(s + 1, e - 1):
                tags[k] = "I-" + lab
    return tags


def tags_to_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Spans from BIOES tags; an ill-formed run (B without E) is closed where it breaks."""
    out: list[tuple[int, int, str]] = []
    start, label = None, None
    for i, tag in enumerate(tags):
        kind, _, lab = tag.partition("-")
        if kind in ("O", "B", "S") or lab != label:
            if start is not None:
                out.append((start, i, label))
            start, label = None, None
        if kind == "S":
            out.append((i, i + 1, lab))
        elif kind in ("B", "I", "E"):
            if start is None:
                start, label = i, lab
            if kind == "E":
                out.append((start, i + 1, label))
                start, label = None, None
    if start is not None:
        out.append((start, len(tags), label))
    return out


def sentence_spans(text: str, max_len: int = MAX_SENTENCE) -> list[tuple[int, int]]:
    """(start, end) of the sentences of ``text``, each at most ``max_len`` characters.

    Cuts after 。！？；and line breaks (with closing quotes), then at commas, then blindly;
    leading and trailing whitespace of each piece is left out.
    """
    pieces: list[tuple[int, int]] = []
    last = 0
    for m in _SENT_END.finditer(text):
        pieces.append((last, m.end()))
        last = m.end()
    if last < len(text):
        pieces.append((last, len(text)))
    out: list[tuple[int, int]] = []
    for s, e in pieces:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        while e - s > max_len:
            cut = None
            for m in _CLAUSE_END.finditer(text, s, s + max_len):
                cut = m.end()
            if cut is None or cut <= s:
                cut = s + max_len
            out.append((s, cut))
            s = cut
        if e > s:
            out.append((s, e))
    return out


# --------------------------------------------------------------------------- model


#: kg's own text: names as MSRA (news) annotates them, posts as CLUENER does.
KG_DOMAIN: Final[str] = "kg"
KG_NAMES_DOMAIN: Final[str] = "msra"
KG_TITLES_DOMAIN: Final[str] = "cluener"


class NERModel:
    """The packaged CRF, its dictionary and its domains.

    ``domain`` selects the annotation style: a training corpus's name (``msra``,
    ``cluener``, ``bmes``, ``conll``; ``pfr`` when trained on it) tags as that corpus
    does; ``kg`` (the default) tags names in the news style (``msra``) and adds posts
    (TITLE) from the ``cluener`` style, which is the only news corpus that marks them:
    two CRF passes over shared features.
    """

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
        self.word_features = bool(self.meta.get("word_features", False))
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(model_dir / "model.crfsuite"))

    def _tag(self, feats: list[list[str]], domain: str | None) -> list[tuple[int, int, str]]:
        if domain in self.domains:
            feats = with_domain(feats, domain)
        return [sp for sp in tags_to_spans(self.tagger.tag(feats)) if sp[2] in LABELS]

    def tag_sentence(self, sentence: str, domain: str | None = None, bounds: set[int] | None = None) -> list[tuple[int, int, str]]:
        """Spans of one short stretch of text (no splitting); see the class for ``domain``.

        ``bounds``: word boundaries within ``sentence`` (the pipeline's tokens), used by
        models with word features; without them the sentence is segmented here.
        """
        if not sentence or sentence.isspace():
            return []
        domain = domain or KG_DOMAIN
        if self.word_features and bounds is None:
            bounds = word_bounds(sentence, _segmenter().cut(sentence))
        feats = features(sentence, self.lexicon, self.surnames, bounds=bounds if self.word_features else None)
        if domain != KG_DOMAIN:
            spans = self._tag(feats, domain)
        else:
            spans = self._tag(feats, KG_NAMES_DOMAIN)
            if KG_TITLES_DOMAIN in self.domains:
                spans = _add_titles(spans, self._tag(feats, KG_TITLES_DOMAIN))
        return [sp for sp in map(_strip_span, spans, (sentence,) * len(spans)) if sp]

    def predict(self, text: str, domain: str | None = None, bounds: Iterable[int] | None = None) -> list[tuple[int, int, str]]:
        """(start, end, label) character spans of ``text``, any length; never raises on a string.

        ``bounds``: the offsets of word boundaries in ``text`` if the caller has them
        (kg's pipeline passes its pkuseg tokens); otherwise the model segments if it
        needs words.
        """
        if not isinstance(text, str) or not text:
            return []
        ordered = sorted(set(bounds)) if bounds is not None and self.word_features else None
        out: list[tuple[int, int, str]] = []
        for s, e in sentence_spans(text):
            local = None
            if ordered is not None:
                lo, hi = bisect.bisect_left(ordered, s), bisect.bisect_right(ordered, e)
                local = {b - s for b in ordered[lo:hi]} | {0, e - s}
            try:
                found = self.tag_sentence(text[s:e], domain, local)
            except (ValueError, UnicodeError, RuntimeError):  # pragma: no cover - defensive
                found = []
            out.extend((s + a, s + b, lab) for a, b, lab in found)
        return out

    def predict_many(self, texts: Iterable[str], domain: str | None = None) -> list[list[tuple[int, int, str]]]:
        return [self.predict(t, domain) for t in texts]


def _strip_span(span: tuple[int, int, str], text: str) -> tuple[int, int, str] | None:
    """The span without leading or trailing whitespace; None if nothing is left."""
    s, e, lab = span
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e, lab) if e > s else None


def _add_titles(names: list[tuple[int, int, str]], other: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """``names`` plus the TITLE spans of ``other``, cut clear of the names they overlap.

    CLUENER marks 法国总统 as one post; next to the place 法国 it becomes 总统.
    """
    out = list(names)
    for s, e, lab in other:
        if lab != "TITLE":
            continue
        for ns, ne, _ in names:
            if ns <= s < ne:
                s = ne
            if ns < e <= ne:
                e = ns
        if e - s >= 1 and not any(ns < e and s < ne for ns, ne, _ in names):
            out.append((s, e, "TITLE"))
    return sorted(out)


@cache
def load_ner_model() -> NERModel:
    """The packaged model (cached per process; loading takes well under a second)."""
    return NERModel(MODEL_DIR)


def predict(text: str, domain: str | None = None) -> list[tuple[int, int, str]]:
    """Entity spans ``(start, end, label)`` of ``text`` by the packaged model."""
    return load_ner_model().predict(text, domain)


# --------------------------------------------------------------------------- spaCy


def _register_factory() -> None:
    from spacy.language import Language

    from kg.rules.base import Candidate, candidates, token_boundaries

    if Language.has_factory("kg_learned_ner"):
        return

    @Language.factory("kg_learned_ner")
    def make_learned_ner(nlp: Language, name: str):
        """Adds the learned spans to ``doc.user_data["kg_candidates"]`` at priority 0.

        Rule spans (higher priority) win overlaps in ``kg_entities``; the spans keep
        ``attrs["source"] == "learned"``.
        """
        model = load_ner_model()

        def component(doc):
            text = doc.user_data.get("kg_text") or doc.text
            bounds = doc.user_data.get("kg_bounds") or token_boundaries(doc) if model.word_features else None
            found = candidates(doc)
            for s, e, label in model.predict(text, bounds=bounds):
                found.append(Candidate(s, e, label, canonical=text[s:e], priority=0, attrs={"source": "learned"}))
            return doc

        return component


_register_factory()
