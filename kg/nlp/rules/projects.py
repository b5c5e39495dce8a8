"""PROJECT: concrete works being built, renovated or run.

Named by a head word (项目, 污水厂, 管廊, 改造, 基地 …), read leftwards as for
organisations, without the leading verb (加快推动) and keeping a coordinated
first part that is not itself a project (晋绥路、紫石街地下管廊). Weak heads
(项目, 平台, 基地 …) also need something that names the work: a place, a number,
quotes, or a long enough description.
"""

from __future__ import annotations

import re
from functools import cache

from kg.lexicon import CN_NUMERALS, LEADING_VERBS, LEFT_STOP_CHARS, PROJECT_SUFFIXES
from kg.nlp.rules.base import Candidate, DictMatcher, scan_left

WEAK_HEADS = ("项目", "工程", "平台", "基地", "改造", "新建", "扩建", "产业园", "综合体", "高速")
# words that make a weak head name a particular work: facilities, scope, compound heads
NAMING_CHARS = "路街厂桥站馆园场村区港渠坊"
SCOPE_WORDS = ("全国", "国家", "北方", "南方", "区域", "华北", "华东", "华南", "西北", "西南", "东北", "黄河", "长江", "流域")
# cores made only of generic modifiers name no particular work (城镇生活污水处理厂)
GENERIC_CORE_RE = re.compile(
    "(?:全市|全县|全区|城镇|农村|乡镇|城市|生活|雨污分流|管网|社区|养老|重点|一批|各类|相关|民生|基础设施|公共|红色教育|教育|老旧小区)+"
)
PROJECT_VERBS = LEADING_VERBS + ("督促", "督导", "抓好", "重点推进", "启动", "实施", "推进", "计划", "形成", "打造")
GENERIC_CORES = (
    "重点",
    "一批",
    "各类",
    "相关",
    "有关",
    "这些",
    "该",
    "此",
    "新",
    "大",
    "全市",
    "全县",
    "我市",
    "我县",
    "其他",
    "多个",
    "两个",
    "三个",
)
FACILITY_CHARS = "厂路桥站管线库渠房楼馆园场街道港"


@cache
def _heads() -> DictMatcher:
    return DictMatcher(PROJECT_SUFFIXES)


def _start(text: str, s: int, place_starts: set[int], bounds: set[int] | None) -> int:
    """Left end of the name; a quoted first part counts only whole (“三纵十横”路网),
    and a place whose name begins with a function character stays whole (和顺)."""
    if text[s - 1 : s] == "”":
        q = text.rfind("“", max(0, s - 14), s)
        if q >= 0:
            return q
    p = scan_left(text, s, LEFT_STOP_CHARS + "以", PROJECT_VERBS, limit=22, allow="0123456789.+", bounds=bounds)
    if p - 1 in place_starts:
        p -= 1
    return p


def find_projects(text: str, places: list, bounds: set[int] | None = None) -> list[Candidate]:
    place_spans = [(p.start, p.end) for p in places]
    place_starts = {p.start for p in places}
    # full county/town names written before a work's own name: 榆次区正阳污水厂 -> 正阳污水厂
    local_places = {(p.start, p.end) for p in places if p.attrs.get("level") in ("county", "town") and p.length >= 3}
    out = []
    for s, e, head in _heads().finditer(text):
        if head.endswith("基地") and text[s - 1 : s] == "宅":
            continue  # 宅基地 is a homestead, not a base
        if head.endswith("园") and text[e : e + 1] == "区":
            continue  # 产业园区: a zone word, not a park being built
        if text.startswith(("推进会", "观摩", "会议", "座谈会", "调度会", "建设会", "工作会"), e):
            continue  # 项目推进会: a meeting about projects
        p = _strip_verbs(text, _start(text, s, place_starts, bounds), s)
        # a coordinated first part that is not a project itself: 晋绥路、紫石街地下管廊
        if p > 1 and text[p - 1] == "、":
            q = _strip_verbs(text, _start(text, p - 1, place_starts, bounds), p - 1)
            part = text[q : p - 1]
            if 2 <= len(part) <= 8 and not part.endswith(PROJECT_SUFFIXES) and not part.endswith(tuple(GENERIC_CORES)):
                p = q
        lead = next((pe for ps, pe in local_places if ps == p and s - pe >= 2), None)
        if lead is not None:
            p = lead
        core = text[p:s].strip("“”")
        if len(core) < 2 or core in GENERIC_CORES or core.endswith(("类", "等")) or GENERIC_CORE_RE.fullmatch(core):
            continue
        if re.search(f"[0-9{CN_NUMERALS}]+个", core):
            continue  # 5个城镇社区养老工程: a count of works, not one
        name = text[p:e]
        if head in WEAK_HEADS and not _names_the_work(name, p, e, place_spans):
            continue
        if head == "工程" and not any(c in FACILITY_CHARS for c in core) and not re.search("[0-9]", core):
            continue  # 中药材崛起工程 is a programme (policies.py), not a work
        out.append(Candidate(p, e, "PROJECT", name.replace("“", "").replace("”", ""), 3, {"head": head}))
    return out


def _strip_verbs(text: str, p: int, s: int) -> int:
    changed = True
    while changed:
        changed = False
        for v in sorted(PROJECT_VERBS, key=len, reverse=True):
            if text.startswith(v, p) and s - p - len(v) >= 2:
                p += len(v)
                changed = True
                break
    return p


def _names_the_work(name: str, s: int, e: int, place_spans: list[tuple[int, int]]) -> bool:
    if re.search(f"[0-9“”{CN_NUMERALS}]", name):
        return True
    if any(s <= ps and pe <= e for ps, pe in place_spans):
        return True
    if name.endswith(("生产基地", "供应基地", "示范基地", "繁育基地", "出口基地", "出口平台")):
        return True
    return any(c in NAMING_CHARS for c in name[:-2]) or name.startswith(SCOPE_WORDS)
