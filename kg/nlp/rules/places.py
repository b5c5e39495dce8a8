"""PLACE: divisions from the national table, villages, zones, regions, rivers, mountains.

Precision comes from the administrative map itself: a full official name (晋中市,
义棠镇) is a place anywhere; a short form (晋中, 昔阳) only where the segmenter also
cut a word there and the corpus does not use it as an ordinary word; a village name
only where the village table puts it under a place the article names, or right
after its town (高村镇鸟停村).
"""

from __future__ import annotations

import bisect
import re
from functools import cache

from kg.gazetteer import DATA_DIR, Division, Gazetteer, load_gazetteer, short_forms_of
from kg.nlp.rules.base import CJK, Candidate, DictMatcher, token_boundaries

PROVINCE_ABBREVIATIONS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
REGION_SUFFIX = r"(?:城市群|经济圈|都市圈|经济带|经济区|金三角|一体化示范区)"
ZONE_NAMES = (
    "经济技术开发区|经济开发区|高新技术产业开发区|高新技术开发区|高新区|工业园区|产业园区|"
    "农业高新技术产业示范区|综合改革示范区|开发区|新区|工业园|示范区"
)
ZONE_SUFFIX = f"(?:{ZONE_NAMES})"
# how the names of zones and parks end, short forms included (湘潭经开区, 宋村新兴产业集聚区)
ZONE_END_RE = re.compile(f"(?:{ZONE_NAMES}|经开区|园区|产业园|集聚区|集中区|试验区|合作区|功能区)$")
OLD_TOWN_SUFFIX = r"(?:老城|古城|古镇)"
OLD_TOWN_RE = re.compile(OLD_TOWN_SUFFIX)
DIRECTION = r"(?:中部|北部|南部|东部|西部|东南|西南|东北|西北|中原|沿黄)"
# the national city clusters and economic regions, by the names planners use
CITY_CLUSTERS = (
    r"(?:长三角|珠三角|京津冀|成渝地区双城|成渝|长江中游|中原|关中平原|北部湾|山东半岛|粤闽浙沿海|海峡西岸|"
    r"哈长|辽中南|呼包鄂榆|兰西|宁夏沿黄|天山北坡|滇中|黔中|长株潭|粤港澳大湾区|长江三角洲|珠江三角洲)"
    r"(?:地区)?(?:城市群|经济圈|都市圈|经济区|经济带|一体化)?"
)
MACRO_REGIONS = r"(?:华北|华东|华南|华中|西北|西南|东北)地区"

# Generic words ending in 村/社区 that are never a village's name.
GENERIC_VILLAGE_WORDS = set(
    "农村 乡村 全村 本村 该村 各村 邻村 村村 行政村 自然村 示范村 先进村 贫困村 重点村 中心村 "
    "美丽村 文明村 集体村 城中村 治理村 薄弱村 空心村 新村 老村 山村 小村 大村 社区 城市社区 "
    "新型社区 农村社区 安置社区 易地搬迁社区 和美乡村 嘎查 嘎查村 苏木 苏木镇".split()  # 嘎查, 苏木: Inner Mongolia's village and township
)
# a compass point after 向/往/朝 is a direction (…交汇点向东北), not the region 东北
DIRECTION_RE = re.compile("[东西南北]{2}")
DIRECTION_CUES = "向往朝偏"

# Full division names that are also ordinary words (城区 "urban area", 新区).
GENERIC_FULL_NAMES = {
    "农场",
    "林场",
    "牧场",
    "东区",
    "西区",
    "南区",
    "北区",
    "中区",
    "园区",
    "城区",
    "郊区",
    "矿区",
    "新区",
    "林区",
    "市辖区",
    "开发区",
    "高新区",
    "古城",
    "老城",
    "街道",
    "老城区",
}
# a town suffix that runs on into an ordinary word: 建设乡村, 推进城镇化
TOWN_SUFFIX_WORDS = ("乡村", "乡镇", "乡亲", "乡土", "乡愁", "乡风", "镇化", "镇村", "镇街", "街道办")
# 村 followed by these is 村级/村民/村委…, not the end of a village name
NOT_AFTER_VILLAGE = "级民委集干容貌务规庄落里办两部组长"
VILLAGE_LEFT = "，。、；：“（( 如在到赴从和与及对"
VILLAGE_RIGHT = "将、的，。；：”）)在是把和与及等以作为还也都就已"

QUOTED_RE = re.compile(r"“[^“”\n]{1,30}”|‘[^‘’\n]{1,30}’")

# statistical units named only by what they are (农业示范园区, 经济开发区)
GENERIC_ZONE_RE = re.compile(
    "(?:农业|工业|经济|高新|高新技术|技术|产业|科技|现代|生态|物流|示范|开发|综合|保税|出口加工|国家级|省级)+(?:区|园|园区|场)"
)

LEVEL_RANK = {"province": 0, "city": 1, "county": 2, "zone": 3, "town": 3, "village": 4}


@cache
def _matchers() -> tuple[DictMatcher, DictMatcher, DictMatcher, dict[str, list[Division]]]:
    gaz = load_gazetteer()
    full = DictMatcher(n for n in gaz.by_name if len(n) >= 2 and n not in GENERIC_FULL_NAMES and not GENERIC_ZONE_RE.fullmatch(n))
    short = DictMatcher(gaz.by_short)
    features = (DATA_DIR / "natural_features.txt").read_text(encoding="utf-8").split()
    town_short = gaz.town_short_forms()
    return full, short, DictMatcher(features), town_short


def find_places(doc) -> list[Candidate]:
    """All place candidates of a document (overlaps allowed; merge decides)."""
    gaz = load_gazetteer()
    text = doc.user_data.get("kg_text") or doc.text
    bounds = doc.user_data.get("kg_bounds") or token_boundaries(doc)
    full, short, features, town_short = _matchers()
    out: list[Candidate] = []

    for s, e, name in full.finditer(text):
        # two-character names (兴县, 夏县) also occur inside words (振兴县域): the
        # segmenter must agree they are a word of their own
        divs = gaz.by_name[name]
        if len(name) <= 2 and not (s in bounds and e in bounds):
            continue
        if all(d.level == "town" for d in divs) and (s not in bounds or text[e - 1 : e + 1] in TOWN_SUFFIX_WORDS):
            continue
        out.append(_division_candidate(s, e, *_choices("name", name), priority=3))
    for s, e, name in short.finditer(text):
        if s in bounds and e in bounds and not _inside_longer_name(text, s, e):
            out.append(_division_candidate(s, e, *_choices("short", name), priority=2))

    # town short forms (义棠 -> 义棠镇) once the full name is in the document
    named_towns = {c.canonical for c in out if c.attrs.get("level") == "town"}
    for short_name in sorted({sf for t in named_towns for sf in short_forms_of(t, "town")}):
        divs = [d for d in town_short.get(short_name, []) if d.name in named_towns]
        for m in re.finditer(re.escape(short_name), text):
            s, e = m.span()
            if divs and s in bounds and e in bounds and text[e : e + 1] not in ("镇", "乡", "街"):
                out.append(_division_candidate(s, e, *_summary(divs), priority=2))

    # a short name inside a quoted slogan is not the place (“小县大城”, “兴县、强县…”)
    quoted = [(m.start(), m.end()) for m in QUOTED_RE.finditer(text)]
    out = [c for c in out if c.length > 2 or not _inside_quotes(quoted, c)]
    out.extend(_villages(text, out, gaz, bounds))
    out.extend(_patterned(text, out))
    for s, e, name in features.finditer(text):
        if text[e : e + 2] == "山脉" or name.endswith("山") and text[e : e + 1] == "脉":
            out.append(Candidate(s, e + 1, "PLACE", name, 2, {"level": "feature"}))
        else:
            out.append(Candidate(s, e, "PLACE", name, 2, {"level": "feature"}))
    return out


def places_for_tagged(text: str, found: list[Candidate], tagged: list[tuple[int, int]]) -> tuple[list[Candidate], list[Candidate]]:
    """(derived, voters) for the spans the tagger calls places.

    ``derived``: a named place (:func:`place_from_span`, ``attrs["source"] == "derived"``)
    for every tagged span no rule candidate in ``found`` has exactly. ``voters``: the
    places that may settle the jurisdiction and ambiguous names: full division names
    wherever written (《晋中市…规划》 says where the paper is), a short form only where
    the tagger read a place (南山 in the name 李南山 must not), and the derived ones.
    """
    at = {(c.start, c.end): c for c in found}
    context = _context(found)
    villages = None
    if any(text[s:e].endswith(("村", "社区", "居委会")) for s, e in tagged):  # read the village lists once
        villages = load_gazetteer().villages_under(context)
    heads = _heads(found)
    derived = [place_from_span(text, s, e, found, villages, context, heads) for s, e in tagged if (s, e) not in at]
    for c in derived:
        c.attrs["source"] = "derived"
    confirmed = {id(at[span]) for span in tagged if span in at}
    return derived, [p for p in found if id(p) in confirmed or p.priority >= 3] + derived


def without_name_tails(voters: list[Candidate], names: list[Candidate]) -> list[Candidate]:
    """The voters less the division names read after the start of a longer name the
    tagger found (a place, firm, work or programme; an agency's inner place is its
    jurisdiction): 西工业园区, a unit of 阿拉尔市, inside 河西工业园区 says nothing of where
    the paper is."""
    return [v for v in voters if not any(n.start < v.start and v.end <= n.end for n in names)]


def _context(found: list[Candidate]) -> set[str]:
    """The county-level and lower codes a document's places may stand for (where its villages are)."""
    return {code for c in found for code in c.attrs.get("options", []) if len(code) >= 6}


def _heads(found: list[Candidate]) -> dict[int, Candidate]:
    """Start -> the longest division candidate there (what a longer name written from there lies in)."""
    out: dict[int, Candidate] = {}
    for c in found:
        if c.attrs.get("level") in ("province", "city", "county", "town") and (c.start not in out or c.length > out[c.start].length):
            out[c.start] = c
    return out


def place_from_span(
    text: str,
    s: int,
    e: int,
    found: list[Candidate],
    villages: dict[str, list[Division]] | None = None,
    context: set[str] | None = None,
    heads: dict[int, Candidate] | None = None,
) -> Candidate:
    """A place candidate for a span the tagger calls a place where no rule matched exactly.

    The division table still names it when it can: a full or short division name, a
    village or community under a place of the article (``found``), a town's short form.
    A zone or park written after a place (湘潭经开区) is PART_OF that place; anything
    else (a river, a country, a region, a scenic area) is named as written. ``villages``:
    the villages under ``found`` (:meth:`Gazetteer.villages_under`); ``context``, ``heads``:
    what :func:`_context` and :func:`_heads` give for ``found``, when the caller names
    several spans of one document.
    """
    gaz = load_gazetteer()
    name = "".join(text[s:e].split())
    direction = DIRECTION_RE.fullmatch(name) and text[s - 1 : s] in DIRECTION_CUES and s > 0
    if name in GENERIC_FULL_NAMES or GENERIC_ZONE_RE.fullmatch(name) or name in GENERIC_VILLAGE_WORDS or direction:
        # 经济开发区, 园区 alone: an anaphor, though some townships bear such names
        return Candidate(s, e, "PLACE", name, 1, {"level": "zone", "generic": True})
    if name in gaz.by_name:
        return _division_candidate(s, e, *_choices("name", name), priority=3)
    if name in gaz.by_short:
        return _division_candidate(s, e, *_choices("short", name), priority=2)
    # a short form that is also a word (大关 of 大关县), read as a place by the tagger in an
    # article that names its city: that county
    if words := gaz.by_word_short.get(name):
        cities = {code[:4] for c in found for code in c.attrs.get("options", []) if len(code) >= 4}
        if near := [d for d in words if d.code[:4] in cities]:
            return _division_candidate(s, e, *_summary(near), priority=2)
    context = _context(found) if context is None else context
    if name.endswith(("村", "社区", "居委会")) and context:
        if villages is None:
            villages = gaz.villages_under(context)
        options = [d for d in villages.get(name, []) if any(d.code.startswith(c) for c in context)]
        if options:
            best = _nearest_village(options, context)
            return Candidate(s, e, "PLACE", name, 2, {"options": [best.code], "adcode": best.code, "level": "village"})
    towns = [d for d in _matchers()[3].get(name, []) if any(d.code.startswith(c[:6]) for c in context)]
    if towns:
        return _division_candidate(s, e, *_summary(towns), priority=2)
    attrs: dict = {"level": "zone" if ZONE_END_RE.search(name) else "feature"}
    if name.endswith("经开区"):
        name = name[:-3] + "经济技术开发区"  # the one zone abbreviation that cannot mean two things
    if GENERIC_ZONE_RE.fullmatch(name):
        attrs["generic"] = True  # 经开区 alone, written in full
    # a place written at its start is where it lies (兴县经济技术开发区 -> 兴县)
    head = (_heads(found) if heads is None else heads).get(s)
    if head is not None and head.end < e:
        attrs["parent_name"] = head.canonical
    return Candidate(s, e, "PLACE", name, 1, attrs)


def _inside_quotes(quoted: list[tuple[int, int]], c: Candidate) -> bool:
    """Whether c lies strictly inside one of the (sorted, non-overlapping) quoted spans."""
    i = bisect.bisect_left(quoted, (c.start,)) - 1
    return i >= 0 and quoted[i][0] < c.start and c.end < quoted[i][1]


def _inside_longer_name(text: str, s: int, e: int) -> bool:
    """A short form directly followed by its own level suffix is part of the full name."""
    return text[e : e + 1] in ("省", "市", "县", "区", "州", "盟", "旗")


def _summary(divs: list[Division]) -> tuple[Division, tuple[str, ...]]:
    """The division a name stands for by default (the highest level, then the lowest
    code), and the codes of all it may stand for."""
    return min(divs, key=lambda d: (LEVEL_RANK[d.level], d.code)), tuple(d.code for d in divs)


@cache
def _choices(kind: str, name: str) -> tuple[Division, tuple[str, ...]]:
    """:func:`_summary` of a full name (``kind`` "name") or short form ("short"), kept:
    some are shared by hundreds of divisions (城关镇), and an archive names them often."""
    gaz = load_gazetteer()
    return _summary((gaz.by_name if kind == "name" else gaz.by_short)[name])


def _division_candidate(s: int, e: int, best: Division, options: tuple[str, ...], priority: int) -> Candidate:
    # several divisions share a name (城关镇): keep them all; resolve_places picks one
    return Candidate(s, e, "PLACE", best.name, priority, {"options": list(options), "adcode": best.code, "level": best.level})


def _villages(text: str, found: list[Candidate], gaz: Gazetteer, bounds: set[int]) -> list[Candidate]:
    """X村 / X社区 that the village table places under a place named in the text,
    or that stands right after its town (高村镇鸟停村), or that a sentence introduces
    as a village (如宋曲村将…) in a paragraph that names its town."""
    # county-level codes and below: a province-wide match (晋中乡村 -> 中乡村) proves nothing
    context = {code for c in found for code in c.attrs.get("options", []) if len(code) >= 6}
    villages = None  # read at the first name that could be a village
    ends = {c.end: c for c in found if c.attrs.get("level") == "town"}
    towns = sorted((c for c in found if c.attrs.get("level") == "town"), key=lambda c: c.start)
    out = []
    for m in re.finditer("村|社区", text):
        end = m.end()
        if text[end : end + 1] and text[end] in NOT_AFTER_VILLAGE:
            continue
        found_here = False
        for k in (3, 2, 4, 1):
            s = m.start() - k
            name = text[max(s, 0) : end]
            after_town = s in ends
            if s < 0 or not _village_like(name) or not (s in bounds or after_town) or (k == 1 and not after_town):
                continue
            if villages is None:
                villages = gaz.villages_under(context)
            options = [d for d in villages.get(name, []) if any(d.code.startswith(c) for c in context)]
            if options:
                best = _nearest_village(options, context)
                out.append(Candidate(s, end, "PLACE", name, 2, {"options": [best.code], "adcode": best.code, "level": "village"}))
                found_here = True
                break
        if found_here:
            continue
        for k in (2, 3):
            s = m.start() - k
            name = text[max(s, 0) : end]
            if s < 0 or not _village_like(name) or name[0] in VILLAGE_LEFT:
                continue
            town = ends.get(s)
            if town is None and k <= 3 and (s == 0 or text[s - 1] in VILLAGE_LEFT) and text[end : end + 1] in tuple(VILLAGE_RIGHT):
                para = text.rfind("\n", 0, s) + 1
                earlier = [t for t in towns if para <= t.start < s]
                town = earlier[-1] if earlier else None
            if town is not None and k <= 3:
                out.append(Candidate(s, end, "PLACE", name, 2, {"level": "village", "parent_name": town.canonical}))
                break
    return out


def _nearest_village(options: list[Division], context: set[str]) -> Division:
    """The most specific reading: a village under a named town before one under a named county."""
    return min(options, key=lambda d: (-max(len(c) for c in context if d.code.startswith(c)), d.code))


def _village_like(name: str) -> bool:
    """Not a generic word (农村, 示范村) nor ending in one (轻农村)."""
    if not re.fullmatch(f"[{CJK}]+", name):
        return False
    return not any(name.endswith(g) for g in GENERIC_VILLAGE_WORDS)


def _patterned(text: str, found: list[Candidate]) -> list[Candidate]:
    """Zones, old towns and regions built on a place name: 兴县经济技术开发区, 榆次老城,
    山西中部城市群, 晋陕豫黄河金三角, 华北地区."""
    out = []
    by_end: dict[int, Candidate] = {}
    for c in found:
        if c.attrs.get("level") in ("province", "city", "county"):
            by_end.setdefault(c.end, c)
            by_end[c.end] = max(by_end[c.end], c, key=lambda x: x.length)
    for end, c in by_end.items():
        rest = text[end : end + 14]
        for suffix, level in ((ZONE_SUFFIX, "zone"), (OLD_TOWN_SUFFIX, "district"), (DIRECTION + "?" + REGION_SUFFIX, "region")):
            m = re.match(suffix, rest)
            if m:
                name = text[c.start : end + m.end()]
                out.append(Candidate(c.start, end + m.end(), "PLACE", name, 1, {"level": level, "parent_name": c.canonical}))
                break
    for m in re.finditer(f"[{PROVINCE_ABBREVIATIONS}]{{2,4}}(?:黄河|长江|沿黄)?{REGION_SUFFIX}", text):
        out.append(Candidate(m.start(), m.end(), "PLACE", m.group(), 4, {"level": "region"}))
    for m in re.finditer(CITY_CLUSTERS, text):
        out.append(Candidate(m.start(), m.end(), "PLACE", m.group(), 4, {"level": "region"}))
    for m in re.finditer(MACRO_REGIONS, text):
        out.append(Candidate(m.start(), m.end(), "PLACE", m.group(), 3, {"level": "region"}))
    return out
