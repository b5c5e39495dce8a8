"""ORG: companies, cooperatives, hospitals, schools and other non-government bodies.

Named by a head word (有限公司, 合作社, 购物广场 …) and read leftwards to the
nearest punctuation, function word or verb. Heads that are also everyday nouns
(医院, 学校, 银行) need a place name at the start to count as a name.
"""

from __future__ import annotations

from functools import cache

from kg.lexicon import LEADING_VERBS, LEFT_STOP_CHARS, ORG_SUFFIXES
from kg.rules.base import Candidate, DictMatcher, scan_left

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
    "敬老家园",
    "先锋队",
    "志愿服务队",
    "铝业",
    "煤业",
    "公司",
    "家庭农场",
)
ORG_VERBS = LEADING_VERBS + ("成立", "组建", "引进", "入驻", "依托", "联合", "通过", "带动", "输送至", "相邻")


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
        if s - p < 2:
            continue
        if head not in STRONG_HEADS and p not in place_starts:
            continue
        out.append(Candidate(p, e, "ORG", text[p:e], 3, {"head": head}))
    return out
