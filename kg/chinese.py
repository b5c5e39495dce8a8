"""Chinese script facts that reading and recognition share: is this Chinese, and
is it written in Traditional characters.

Why: Big5, Shift_JIS, EUC-JP and EUC-KR bytes are nearly always valid GB18030,
so a file in one of them decodes without an error into characters that make no
Chinese words; kg.documents asks :func:`misread_reason` and skips such a file
with the encoding it most likely is. Traditional Chinese is real Chinese, but
the tagger, the division table and the rules know Simplified names, so
recognition reads :func:`to_simplified`'s copy: OpenCC's t2s conversion, one
character for one character, so every offset into the copy is an offset into
the text as written, which the outputs quote.

The test of Chinese is the share of neighbouring characters that form a common
two-character word (kg/data/common_words.txt): 0.13 to 0.47 in 3,900 regional
and People's Daily articles, 0.00 in Big5, Shift_JIS, EUC-JP and EUC-KR text
read as GB18030, whose characters are often common ones in random pairs.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from kg.lexicon import common_words

#: Fewer Chinese characters than this are too few to judge.
MIN_HAN: Final = 30
#: Below this share of neighbouring characters forming common words, the text is no Chinese.
MIN_WORD_PAIRS: Final = 0.05
#: At least this share of Traditional-only characters makes a text Traditional (Simplified text: 0).
MIN_TRADITIONAL: Final = 0.03

#: Encodings whose bytes read as GB18030 without an error, most common first.
OTHER_ENCODINGS: Final = (("big5", "Big5"), ("shift_jis", "Shift_JIS"), ("euc_jp", "EUC-JP"), ("euc_kr", "EUC-KR"))

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_PAIR = re.compile(r"(?=([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2}))")
_KANA = re.compile(r"[\u3041-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@cache
def _t2s():  # noqa: ANN202 - opencc has no type hints
    import opencc

    return opencc.OpenCC("t2s")


@cache
def _word_pairs() -> frozenset[str]:
    return frozenset(w for w in common_words() if len(w) == 2)


def looks_chinese(text: str) -> bool:
    """Whether `text` reads as Chinese: enough of its neighbouring characters, read as
    Simplified, form a common word (or it has too few Chinese characters to say)."""
    if len(_HAN.findall(text)) < MIN_HAN:
        return True
    pairs = _HAN_PAIR.findall(_t2s().convert(text))
    words = _word_pairs()
    return bool(pairs) and sum(p in words for p in pairs) / len(pairs) >= MIN_WORD_PAIRS


def misread_reason(text: str, data: bytes) -> str | None:
    """Why `text`, decoded from `data` as GB18030, is not what the file says; None if it reads as Chinese.

    Japanese kana among the characters, or characters that make no Chinese
    words, mean the bytes are in another encoding; the reason names the one the
    bytes read as, where one does.
    """
    kana = len(_KANA.findall(text))
    if (kana < 10 or kana < 0.1 * len(_HAN.findall(text))) and looks_chinese(text):
        return None
    for codec, name in OTHER_ENCODINGS:
        try:
            other = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if (codec == "big5" and looks_chinese(other) and not _KANA.search(other)) or (
            codec != "big5" and (_HANGUL if codec == "euc_kr" else _KANA).search(other)
        ):
            return f"{name} text, not GB18030 (kg reads UTF-8, UTF-16 and GB18030/GBK: save it as UTF-8)"
    return "not Chinese in GB18030 (its characters make no Chinese words): text in another encoding"


def to_simplified(text: str) -> str | None:
    """`text` in Simplified characters, of the same length, if it is written in
    Traditional ones (else None: the text is read as it is).

    OpenCC converts by phrase, which keeps the length in practice; a paragraph
    whose conversion does not is converted character by character.
    """
    if not _HAN.search(text):
        return None
    cc = _t2s()
    out = cc.convert(text)
    if out == text:  # Simplified text, nearly always
        return None
    if len(out) != len(text):
        out = "".join(_same_length(cc, p) for p in text.splitlines(keepends=True))
    changed = sum(a != b for a, b in zip(text, out, strict=True))
    return out if changed >= max(3, MIN_TRADITIONAL * len(_HAN.findall(text))) else None


def _same_length(cc, paragraph: str) -> str:  # noqa: ANN001 - an opencc.OpenCC
    """`paragraph` converted by phrase where that keeps its length, else character by character."""
    out = cc.convert(paragraph)
    if len(out) == len(paragraph):
        return out
    return "".join(c2 if len(c2 := cc.convert(c)) == 1 else c for c in paragraph)
