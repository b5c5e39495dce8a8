"""POLICY: named programmes, campaigns, strategies, plans and slogans.

Government names its programmes in quotes (“千万工程”, “六个一体化”) or book-title
marks (《…规划》), or with a programme head word (…专项行动, …试点). A quoted
phrase counts when it looks like a programme name: it holds a number word
(三区一基地), or a programme word follows it (“枫桥经验”, “156”战略举措), or a
verb of carrying out precedes it (实施“…”).
"""

from __future__ import annotations

import re
from functools import cache

from kg.lexicon import CN_NUMERALS, LEADING_VERBS, LEFT_STOP_CHARS, POLICY_CUES, POLICY_SUFFIXES
from kg.nlp.rules.base import Candidate, DictMatcher, scan_left

QUOTED_RE = re.compile(r"“([^“”。！？\n]{2,24})”|‘([^‘’。！？\n]{2,24})’|\"([^\"。！？\n]{2,24})\"")
BOOK_RE = re.compile(r"《([^《》\n]{2,60})》")
BOOK_HEADS = ("规划", "方案", "意见", "建议", "办法", "条例", "规定", "计划", "纲要", "图集", "导则", "决定", "实施细则", "行动")
CARRY_OUT_VERBS = tuple(
    "实施 推行 学习运用 运用 落实 践行 坚持 开展 深化 推进 创建 按照 围绕 "
    "锚定 构建 打好 做好 叫响 擦亮 打响 推广 铺开了 提出 抓好 新时代".split()
)
POLICY_VERBS = LEADING_VERBS + (
    "深化",
    "纵深推进",
    "巩固拓展",
    "巩固",
    "拓展",
    "发挥",
    "开展",
    "完成了",
    "实现",
    "加快",
    "引领",
    "通过",
    "出台",
    "制定",
)
# a quoted name of a facility is a project (“乐享积分坊”)
PROJECT_HEADS = ("坊", "馆", "站", "中心", "广场", "基地", "平台", "园", "路网")
# works and facilities are projects, not policies (污水处理厂扩容工程)
FACILITY_CHARS = "厂路桥站管线库渠房楼馆园场"


@cache
def _suffixes() -> DictMatcher:
    return DictMatcher(POLICY_SUFFIXES)


def _quoted(text: str) -> list[Candidate]:
    out = []
    quotes = list(QUOTED_RE.finditer(text))
    # quotes written back to back share their verb and their cue: 打造“警网融合”“天网警务”
    chain_of = list(range(len(quotes)))
    for i in range(1, len(quotes)):
        if quotes[i].start() == quotes[i - 1].end():
            chain_of[i] = chain_of[i - 1]
    first: dict[int, re.Match] = {}
    last: dict[int, re.Match] = {}
    for i, m in enumerate(quotes):
        first.setdefault(chain_of[i], m)
        last[chain_of[i]] = m
    for i, m in enumerate(quotes):
        g = next(i for i in (1, 2, 3) if m.group(i))
        inner = m.group(g)
        head, tail = first[chain_of[i]], last[chain_of[i]]
        before = text[max(0, head.start() - 6) : head.start()]
        after = text[tail.end() : tail.end() + 6]
        numbered = bool(re.search(f"[0-9{CN_NUMERALS}]", inner)) and not re.fullmatch(r"[0-9.%]+", inner)
        if re.fullmatch(r"一[盘把张条个根股只片]\w", inner):
            numbered = False  # 一盘棋, 一把手: idioms, not programmes
        cued = after.startswith(POLICY_CUES) or inner.endswith(POLICY_CUES)
        carried = before.endswith(CARRY_OUT_VERBS)
        slogan = inner.startswith(("建设", "打造")) and len(inner) >= 6
        if "，" in inner or "," in inner or "——" in inner or len(inner) > 16 and not (numbered or slogan):
            continue  # a quoted sentence, not a name
        if numbered and len(inner) > 12 and "、" not in inner and not (cued or carried):
            continue
        if not (numbered or cued or carried or slogan):
            continue
        attrs = {"quoted": m.group()}
        start = m.start(g)
        verb = next((v for v in sorted(LEADING_VERBS, key=len, reverse=True) if inner.startswith(v) and len(inner) - len(v) >= 4), "")
        if verb and not slogan and "、" not in inner:
            inner, start = inner[len(verb) :], start + len(verb)  # “加快太原晋中一体化” -> 太原晋中一体化
        if inner.endswith(PROJECT_HEADS) and not (slogan or numbered):
            out.append(Candidate(start, m.end(g), "PROJECT", inner, 4, attrs))
            continue
        cue = next((c for c in sorted(POLICY_CUES, key=len, reverse=True) if after.startswith(c)), "")
        if cue in ("规划", "战略举措", "机制", "路网"):
            attrs["long_form"] = inner + cue
        out.append(Candidate(start, m.end(g), "POLICY", inner, 4, attrs))
    return out


def _booked(text: str) -> list[Candidate]:
    out = []
    for m in BOOK_RE.finditer(text):
        inner = m.group(1)
        if inner.endswith(BOOK_HEADS):
            out.append(Candidate(m.start(1), m.end(1), "POLICY", inner, 4, {"quoted": m.group()}))
    return out


def _headed(text: str, bounds: set[int] | None) -> list[Candidate]:
    out = []
    for s, e, head in _suffixes().finditer(text):
        if text[e : e + 1] in ("局", "部", "办", "委", "中心", "组"):
            continue
        p = scan_left(text, s, LEFT_STOP_CHARS, POLICY_VERBS, limit=24, allow="0123456789", bounds=bounds)
        for v in sorted(POLICY_VERBS, key=len, reverse=True):
            if text.startswith(v, p) and s - p - len(v) >= 2:
                p += len(v)
                break
        nxt = text[e : e + 1]
        if nxt and "\u4e00" <= nxt <= "\u9fff" and nxt not in "的和与及等为是将在中" + CN_NUMERALS and text[e : e + 2] != "发展":
            continue  # 改革红利: the head word is part of a longer word
        # a short coordinated first part: 城乡养老和老年助餐幸福工程
        if p > 0 and text[p - 1] in "和与" and not text.startswith(PROJECT_HEADS, p):
            q = scan_left(text, p - 1, LEFT_STOP_CHARS, POLICY_VERBS, limit=6, bounds=bounds)
            if 2 <= p - 1 - q <= 4:
                p = q
        name = text[p:e]
        if re.search(f"[0-9{CN_NUMERALS}]+个", name):
            continue  # 5个…工程: a count of programmes, not one
        if len(name) < 7 or len(name) - len(head) < 3:
            continue
        if head == "工程" and any(c in FACILITY_CHARS for c in name[:-2]):
            continue
        out.append(Candidate(p, e, "POLICY", name, 1, {"head": head}))
    return out


def find_policies(text: str, bounds: set[int] | None = None) -> list[Candidate]:
    return _quoted(text) + _booked(text) + _headed(text, bounds)
