"""Chinese word segmentation for kg: a spaCy pipeline backed by packaged pkuseg.

Why this module exists: spacy-pkuseg ships no model and its downloader needs
the network, so kg trains its own model on People's Daily 1998 (PKU
segmentation standard; see ``scripts/train_segmenter.py`` and
``docs/segmenter.md``) and ships it in ``kg/nlp/models/pkuseg``. Everything here
loads from that directory only; nothing is ever downloaded.

Design choices:

* The pkuseg segmenter is built with ``user_dict=None`` and attached to the
  tokenizer directly instead of via ``nlp.tokenizer.initialize(...)``.
  ``initialize`` always enables pkuseg's generic "default" dictionary
  post-processing (a 4.5 MB pickle), which costs load time and merges words
  against the PKU standard the model was trained on.
* Gazetteer names go into pkuseg's user dictionary (a trie applied before the
  statistical model, longest match first), so e.g. 晋中市 or
  发展和改革委员会 always come out as one token.
* Half-width ASCII (``0-9 A-Z a-z % . ...``) is mapped to its full-width
  twin before segmentation and the original characters are put back
  afterwards. People's Daily 1998 writes numbers and Latin letters full width
  (``５．２％``, ``ＧＤＰ``), so without this the model splits modern news
  text such as ``5.2%`` or ``GDP`` into single characters. The mapping is
  one character to one character, so offsets never change. It raises SIGHAN
  2005 PKU test F1 from 94.32 to 94.57.
* Segmenting runs in numpy (:mod:`kg.nlp.fast_pkuseg`): the same model, features and
  Viterbi as spacy-pkuseg, and the same words, about 3.5 times as fast.
* The model weights and feature map are loaded once per process and shared,
  read-only, by every pipeline :func:`make_nlp` returns; each pipeline gets
  its own user dictionary.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final

import spacy_pkuseg
from spacy.lang.zh import ChineseTokenizer
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry

from kg.nlp.fast_pkuseg import MODEL_FILES, FastPkuseg

#: Directory of the packaged pkuseg model (``features.msgpack`` +
#: ``weights.npz``), loadable by ``spacy_pkuseg.pkuseg(model_name=...)`` and
#: spaCy's ``ChineseTokenizer.initialize(pkuseg_model=...)``.
PKUSEG_MODEL_DIR: Final[Path] = Path(__file__).resolve().parent / "models" / "pkuseg"

_ZH_CONFIG: Final[dict[str, Any]] = {"nlp": {"tokenizer": {"@tokenizers": "kg.ChineseTokenizer.v1", "segmenter": "pkuseg"}}}
#: U+0021..U+007E -> U+FF01..U+FF5E (the space U+0020 is left alone).
_TO_FULLWIDTH: Final[dict[int, int]] = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


class _TextKeepingTokenizer(ChineseTokenizer):
    """spaCy's Chinese tokenizer that also keeps the text on ``doc.user_data["kg_text"]``.

    Why: ``doc.text`` rebuilds the string token by token on every access (about a
    millisecond per article); the text the tokenizer was given is the same string.
    """

    def __call__(self, text: str) -> Doc:
        doc = super().__call__(text)
        doc.user_data["kg_text"] = text
        return doc


@registry.tokenizers("kg.ChineseTokenizer.v1")
def _create_tokenizer(segmenter: str = "pkuseg") -> Callable[[Language], _TextKeepingTokenizer]:
    def factory(nlp: Language) -> _TextKeepingTokenizer:
        return _TextKeepingTokenizer(nlp.vocab, segmenter=segmenter)

    return factory


class _FullWidthPreprocesser(spacy_pkuseg.Preprocesser):
    """User dictionary that matches on full-width text, like the model.

    Overriding ``insert`` also covers words added later through spaCy's
    ``nlp.tokenizer.pkuseg_update_user_dict``.
    """

    def insert(self, word: str, usertag: str) -> None:
        super().insert(word.translate(_TO_FULLWIDTH), usertag)


class _FullWidthPkuseg(FastPkuseg):
    """pkuseg that segments half-width ASCII as its full-width twin."""

    def cut(self, txt: str) -> list[str]:
        words = super().cut(txt.translate(_TO_FULLWIDTH))
        # pkuseg drops whitespace and returns the remaining characters in
        # order; re-slice them from the original text to undo the mapping.
        chars = "".join(txt.split())
        out: list[str] = []
        pos = 0
        for word in words:
            out.append(chars[pos : pos + len(word)])
            pos += len(word)
        return out


@functools.lru_cache(maxsize=4)
def _load_base(model_dir: Path) -> spacy_pkuseg.pkuseg:
    """Load a pkuseg segmenter without user words; cached per directory.

    The absolute path can never equal one of pkuseg's downloadable model
    names ("news", "spacy_ontonotes", ...), which is what keeps
    ``spacy_pkuseg.pkuseg`` off the network.
    """
    missing = [name for name in MODEL_FILES if not (model_dir / name).is_file()]
    if missing:
        raise FileNotFoundError(f"pkuseg model files {missing} not found in {model_dir}; retrain with scripts/train_segmenter.py")
    return _FullWidthPkuseg(str(model_dir), user_dict=None)


def load_pkuseg(user_words: Iterable[str] = (), *, model_dir: str | Path = PKUSEG_MODEL_DIR) -> spacy_pkuseg.pkuseg:
    """Return a ``spacy_pkuseg.pkuseg`` segmenter with ``user_words`` forced whole.

    The returned object shares the (read-only) model with other segmenters
    loaded from the same directory but owns its user dictionary.
    """
    seg = copy.copy(_load_base(Path(model_dir).resolve()))
    seg.preprocesser = _FullWidthPreprocesser(_clean_words(user_words))
    return seg


def make_nlp(user_words: Iterable[str] = (), *, model_dir: str | Path = PKUSEG_MODEL_DIR) -> Language:
    """Build a blank Chinese spaCy pipeline that segments with packaged pkuseg.

    ``user_words`` (e.g. gazetteer names) are added to pkuseg's user
    dictionary, so they are never split; where user words overlap, the
    longest match starting leftmost wins. ``model_dir`` exists for
    evaluating other models; kg itself always uses the default.
    The pipeline has no components, only the tokenizer; the result depends
    only on the model and the set of user words, not on their order.
    """
    from spacy.lang.zh import Chinese

    nlp = Chinese.from_config(_ZH_CONFIG)
    nlp.tokenizer.pkuseg_seg = load_pkuseg(user_words, model_dir=model_dir)
    return nlp


def _clean_words(words: Iterable[str]) -> list[str]:
    """Strip and de-duplicate user words, dropping unusable ones.

    pkuseg cuts the text at whitespace before consulting the user dictionary,
    so words containing whitespace could never match; empty words would mark
    the trie root as a word. Sorting makes the dictionary independent of the
    caller's iteration order.
    """
    cleaned = {w.strip() for w in words}
    return sorted(w for w in cleaned if w and not any(c.isspace() for c in w))
