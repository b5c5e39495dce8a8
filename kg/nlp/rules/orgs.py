"""ORG: companies, cooperatives, hospitals, schools and other non-government bodies.

Named by a head word (有限公司, 合作社, 购物广场 …) and read leftwards to the
nearest punctuation, function word or verb. Heads that are also everyday nouns
(医院, 学校, 银行) need a place name at the start to count as a name.
"""

from __future__ import annotations

from functools import cache

from kg.lexicon import LEADING_VERBS, LEFT_STOP_CHARS, ORG_SUFFIXES, common_words
from kg.nlp.rules.base import Candidate, DictMatcher, scan_left

# Heads that are names by themselves once something precedes them.
STRONG_HEADS = (
    "有限公司",
    "有限责任公司",
    "股份有限公司",
    "集团有限公司",
    "集团公司",
    "集团",
    "专业合作社",
    "合作社",
    "购物广场",
    "志愿服务队",
    "铝业",
    "煤业",
    "公司",
    "家庭农场",
)
ORG_VERBS = LEADING_VERBS + tuple(
    "成立 组建 引进 入驻 依托 联合 通过 带动 输送至 相邻 会见 会晤 访问 参观 考察 视察 走访 来到 前往 "
    "催生出 催生 签约 收购 投资 控股 加入 成为 包括 与 同 吸收 按照 实行 作为".split()
)
# determiners and generic words that make a head word a common noun (各家公司, 这个集团)
GENERIC_ORG_START = (
    "不同",
    "各家",
    "各类",
    "各种",
    "这个",
    "那个",
    "该",
    "此",
    "本",
    "全",
    "每",
    "一些",
    "有关",
    "相关",
    "其他",
    "多家",
    "一家",
    "大",
)
# a level, not a name: 县级农投公司, 村级合作社
LEVELS = ("省级", "市级", "县级", "区级", "乡级", "镇级", "村级")
GENERIC_ORG_CORES = {"控股", "有限责任", "股份", "专业", "集团", "总", "子", "分", "母", "国有", "民营", "外资", "合资"}


def _all_common(text: str, start: int, end: int, bounds: set[int]) -> bool:
    """Whether the segmenter's words in text[start:end] are all everyday words."""
    cuts = [start, *sorted(b for b in bounds if start < b < end), end]
    words = [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    common = common_words()
    return all(len(w) == 1 or w in common for w in words)


_HEADS_LONGEST_FIRST = sorted(ORG_SUFFIXES, key=len, reverse=True)


def is_generic_org(text: str, start: int, end: int, bounds: set[int]) -> bool:
    """Whether text[start:end], ending in an organisation's head word, names a kind of
    body rather than one body: a level in front (县级农投公司), or nothing but everyday
    words before the head (养殖公司)."""
    if text.startswith(LEVELS, start):
        return True
    head = next((h for h in _HEADS_LONGEST_FIRST if text.endswith(h, start, end)), None)
    return head is not None and end - len(head) > start and _all_common(text, start, end - len(head), bounds)


@cache
def _heads() -> DictMatcher:
    return DictMatcher(ORG_SUFFIXES)


def find_orgs(text: str, places: list, bounds: set[int] | None = None) -> list[Candidate]:
    place_starts = {p.start for p in places}
    out = []
    for s, e, head in _heads().finditer(text):
        p = scan_left(text, s, LEFT_STOP_CHARS, ORG_VERBS, limit=20, bounds=bounds)
        for v in sorted(ORG_VERBS, key=len, reverse=True):
            if text.startswith(v, p) and s - p - len(v) >= 2:
                p += len(v)
                break
        core = text[p:s]
        if s - p < 2 or s - p > 16 or core.startswith(GENERIC_ORG_START + LEVELS) or core in GENERIC_ORG_CORES or "公司" in core:
            continue
        if p not in place_starts and bounds is not None and _all_common(text, p, s, bounds):
            continue  # 养殖公司, 多种经营公司: a kind of company, not a name
        if head not in STRONG_HEADS and p not in place_starts:
            continue
        out.append(Candidate(p, e, "ORG", text[p:e], 3, {"head": head}))
    return out
