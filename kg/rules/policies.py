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
from kg.rules.base import Candidate, DictMatcher, scan_left

QUOTED_RE = re.compile(r"“([^“”。！？\n]{2,24})”|‘([^‘’。！？\n]{2,24})’|\"([^\"。！？\n]{2,24})\"")
BOOK_RE = re.compile(r"《([^《》\n]{2,60})》")
BOOK_HEADS = ("规划", "方案", "意见", "建议", "办法", "条例", "规定", "计划", "纲要", "图集", "导则", "决定", "实施细则", "行动")
CARRY_OUT_VERBS = (
    "实施",
    "推行",
    "学习运用",
    "运用",
    "落实",
    "践行",
    "坚持",
    "开展",
    "深化",
    "推进",
    "创建",
    "以",
    "按照",
    "围绕",
    "锚定",
    "构建",
    "打好",
    "做好",
    "叫响",
    "擦亮",
    "打响",
    "推广",
    "铺开了",
    "提出",
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
# works and facilities are projects, not policies (污水处理厂扩容工程)
FACILITY_CHARS = "厂路桥站管线库渠房楼馆园场"


@cache
def _suffixes() -> DictMatcher:
    return DictMatcher(POLICY_SUFFIXES)


def _quoted(text: str) -> list[Candidate]:
    out = []
    for m in QUOTED_RE.finditer(text):
        g = next(i for i in (1, 2, 3) if m.group(i))
        inner = m.group(g)
        before = text[max(0, m.start() - 6) : m.start()]
        after = text[m.end() : m.end() + 6]
        numbered = bool(re.search(f"[0-9{CN_NUMERALS}]", inner)) and not re.fullmatch(r"[0-9.%]+", inner)
        cued = after.startswith(POLICY_CUES)
        carried = before.endswith(CARRY_OUT_VERBS)
        if "，" in inner or "," in inner or len(inner) > 16 and not numbered:
            continue  # a quoted sentence, not a name
        if not (numbered or cued or carried):
            continue
        attrs = {"quoted": m.group()}
        cue = next((c for c in sorted(POLICY_CUES, key=len, reverse=True) if after.startswith(c)), "")
        if cue in ("规划", "战略举措", "机制", "路网"):
            attrs["long_form"] = inner + cue
        out.append(Candidate(m.start(g), m.end(g), "POLICY", inner, 4, attrs))
    return out


def _booked(text: str) -> list[Candidate]:
    out = []
    for m in BOOK_RE.finditer(text):
        inner = m.group(1)
        if inner.endswith(BOOK_HEADS):
            out.append(Candidate(m.start(1), m.end(1), "POLICY", inner, 4, {"quoted": m.group()}))
    return out


def _headed(text: str) -> list[Candidate]:
    out = []
    for s, e, head in _suffixes().finditer(text):
        if text[e : e + 1] in ("局", "部", "办", "委", "中心", "组"):
            continue
        p = scan_left(text, s, LEFT_STOP_CHARS, POLICY_VERBS, limit=24, allow="0123456789")
        for v in sorted(POLICY_VERBS, key=len, reverse=True):
            if text.startswith(v, p) and s - p - len(v) >= 2:
                p += len(v)
                break
        nxt = text[e : e + 1]
        if nxt and "\u4e00" <= nxt <= "\u9fff" and nxt not in "的和与及等为是将在中" and text[e : e + 2] != "发展":
            continue  # 改革红利: the head word is part of a longer word
        name = text[p:e]
        if len(name) < 7 or len(name) - len(head) < 3:
            continue
        if head == "工程" and any(c in FACILITY_CHARS for c in name[:-2]):
            continue
        out.append(Candidate(p, e, "POLICY", name, 1, {"head": head}))
    return out


def find_policies(text: str) -> list[Candidate]:
    return _quoted(text) + _booked(text) + _headed(text)
