"""Choose the final entity spans among the candidates.

With the learned tagger on, it decides: each span it decodes is an entity of its type,
named by the rule candidate of the same span and type where there is one (it knows the
division code, the jurisdiction, the nested places), else by the candidate the rules
derived for that span (:func:`kg.nlp.rules.places.place_from_span`,
:func:`kg.nlp.rules.agencies.agency_from_span`), else as written. Its TITLE spans are
the posts that relations read.

Without it (rules only) the rule spans compete: the longest wins (二期50万吨电解铝项目
over 电解铝; 平遥县农业农村局 over 平遥县), then the family's priority, then the
earlier start (a stable order, so output is deterministic).
"""

from __future__ import annotations

import bisect
import re
from functools import cache

from kg.gazetteer import load_gazetteer
from kg.lexicon import national_slogans
from kg.nlp.rules.base import Candidate
from kg.nlp.rules.orgs import ORG_VERBS, is_generic_org
from kg.nlp.rules.policies import BOOK_RE
from kg.nlp.rules.projects import PROJECT_VERBS

#: Quote marks a name is written in; not part of the name.
QUOTES = "“”\"‘’'《》「」『』"
#: Verbs that lead into a named work, body or programme and are not part of its name
#: (推动二期50万吨电解铝项目, 指导祁县污水厂扩建项目), longest first.
LEADING = sorted(set(PROJECT_VERBS + ORG_VERBS + ("指导", "调研", "考察")), key=len, reverse=True)
#: ... stripped only from these types, and only if a name of this many characters is left
STRIPPED_TYPES = ("PROJECT", "ORG")
MIN_LEFT = 4
#: ... and not where it begins a street or place name (建设路雨污分流改造工程, 发展村…)
NAME_SUFFIXES = "路街巷道村镇乡"
#: Two works joined by 及, each with its own head (某污水厂新建及某污水处理厂扩容工程, …铁路及…公路),
#: are two projects; works sharing one head (30万吨仓储物流及饲料加工项目) stay one
TWO_WORKS_RE = re.compile(
    r"(.{4,}?(?:项目|工程|新建|改造|扩建|迁建|扩容|升级|铁路|公路))(?:以及|及)(.{4,}(?:项目|工程|改造|扩建|扩容|升级|铁路|公路|动迁))"
)


def is_learned(c: Candidate) -> bool:
    return c.attrs.get("source") == "learned"


def select(cands: list[Candidate]) -> tuple[list[Candidate], list[Candidate]]:
    """(entities, posts): non-overlapping entity spans in text order, and the learned TITLE spans."""
    learned = [c for c in cands if is_learned(c)]
    if not learned:
        return _longest_first([c for c in cands if c.attrs.get("source") != "derived"]), []
    named: dict[tuple[int, int, str], Candidate] = {}
    for c in sorted(cands, key=lambda c: (c.attrs.get("source") == "derived", -c.priority, c.canonical)):
        if not is_learned(c):
            named.setdefault((c.start, c.end, c.label), c)
    chosen, titles = [], []
    for c in sorted(learned, key=lambda c: c.start):
        if c.label == "TITLE":
            titles.append(c)
            continue
        rule = named.get((c.start, c.end, c.label))
        if rule is not None and rule.attrs.get("generic"):
            continue  # 开发区 alone: an anaphor
        if rule is not None:
            chosen.append(Candidate(c.start, c.end, c.label, rule.canonical, rule.priority, {**rule.attrs, "score": c.attrs["score"]}))
        else:
            start = _without_leading_verb(c) if c.label in STRIPPED_TYPES else c.start
            written = c.canonical[start - c.start :]
            two = TWO_WORKS_RE.fullmatch(written) if c.label == "PROJECT" else None
            parts = [(start + two.start(g), start + two.end(g), two.group(g)) for g in (1, 2)] if two else [(start, c.end, written)]
            for s, e, w in parts:
                chosen.append(Candidate(s, e, c.label, _name(w), c.priority, dict(c.attrs)))
    return chosen, titles


def _name(written: str) -> str:
    """A name as written, without spaces and quote marks."""
    return "".join(ch for ch in written if not ch.isspace() and ch not in QUOTES) or written


def settle(chosen: list[Candidate], text: str, bounds: set[int]) -> list[Candidate]:
    """The chosen spans after the decisions that need the text around them (`bounds`:
    the segmenter's word edges), in this order: national slogans, street-name parts,
    routes and slogans' verb-objects (兴县之道) are left out; a person written like a
    place of the document is that place; names listed before a shared project head join
    it; streets, addresses and estates, and kinds of body (县级农投公司), are left out
    (after the join, which reads them); bases being built are projects; places inside a
    song's or book's title are left out; road networks named by their lines are projects; a
    province read before a firm's name is the firm; the items of a counted list of towns
    are towns."""
    chosen = without_routes(without_street_name_parts(without_national_slogans(chosen), text), text, bounds)
    chosen = places_read_as_persons(without_slogan_verb_objects(chosen, text), text)
    chosen = firms_named_by_province(road_networks_as_projects(without_places_in_titles(chosen, text), text), text)
    chosen = without_generic_orgs(without_addresses(join_coordinated_works(chosen, text), text), text, bounds)
    return counted_town_lists(with_built_bases(chosen, text), text)


#: a title in book brackets (:data:`~kg.nlp.rules.policies.BOOK_RE`) that is a document's or an
#: appointment's, whose places and bodies count (《关于松江区…的工作报告》, 《某某任桂林市代市长》),
#: not a song's or book's (《宁夏川好地方》)
_DOCUMENT_RE = re.compile("报告|决定|意见|规划|方案|通知|办法|条例|纲要|计划|任")


def without_places_in_titles(chosen: list[Candidate], text: str) -> list[Candidate]:
    """Leave out a place written inside a song's or book's title in 《》 that holds more than
    the place: the guide annotates no place written only inside such a name."""
    titles = [m.span(1) for m in BOOK_RE.finditer(text) if not _DOCUMENT_RE.search(m.group(1))]
    if not titles:
        return chosen

    def in_title(c: Candidate) -> bool:
        return any(s <= c.start and c.end <= e and (s, e) != (c.start, c.end) for s, e in titles)

    return [c for c in chosen if not (c.label == "PLACE" and in_title(c))]


#: a road network named by its counts of lines (三纵十横, 一环七横五纵), and the network
#: noun written right after its quote (“三纵十横”路网)
_NETWORK_RE = re.compile("[一二三四五六七八九十]+[纵横环射](?:[一二三四五六七八九十]+[纵横环射])+")
_NETWORK_NOUN_RE = re.compile(f"[{QUOTES}]?((?:交通|骨架|主干)?(?:路网|交通网|公路网))")


def road_networks_as_projects(chosen: list[Candidate], text: str) -> list[Candidate]:
    """A network of roads named by its counts of lines is a work being built, a PROJECT,
    whichever type the tagger gave it: wide (五纵六横), the seeds and the silver data
    (一环七横五纵) annotate it so, and the tagger splits it between POLICY and PROJECT."""
    out = []
    for c in chosen:
        if c.label in ("POLICY", "PROJECT") and _NETWORK_RE.fullmatch(c.canonical):
            noun = _NETWORK_NOUN_RE.match(text, c.end)
            end, name = (noun.end(), c.canonical + noun.group(1)) if noun else (c.end, c.canonical)
            c = Candidate(c.start, end, "PROJECT", name, c.priority, dict(c.attrs))
        out.append(c)
    return out


def without_generic_orgs(chosen: list[Candidate], text: str, bounds: set[int]) -> list[Candidate]:
    """Leave out a learned organisation whose name is a kind of body, not a body: everyday
    words before its head (养殖公司), or a level in front (县级农投公司), as the
    rules read their own candidates (:func:`kg.nlp.rules.orgs.is_generic_org`)."""
    return [c for c in chosen if not (c.label == "ORG" and is_learned(c) and is_generic_org(text, c.start, c.end, bounds))]


#: A base built or made (打造华北地区最大的鸡蛋供应基地), with the bases and centres listed
#: after it under the same verb (创建A基地、B基地和C中心); no punctuation, quote or bracket
#: inside, no count or demonstrative in front (打造一批…基地, 建设这一中心)
_BUILT_BASE_RE = re.compile(r"(?:打造|建设|建成|创建)(?:成为|成)?(?![一这该更各多的])([^，。；、,;:：“”‘’《》()（）\s和及]{2,28}?基地)")
_LISTED_BASE_RE = re.compile(r"[、和及]([^，。；、,;:：“”‘’《》()（）\s和及]{2,28}?(?:基地|中心|平台))(?=[，。；、和及]|$)")
#: What follows a place that ranks the base within it (华北地区最大的, 中部最大的, 淮海经济区重要的):
#: the region is named, not part of the base's name
_RANKED_IN_RE = re.compile(r"(?:区域|地区)?(?:内)?(?:规模)?(?:最大|最具|最重要|重要|领先|首个|唯一)的")


def with_built_bases(chosen: list[Candidate], text: str) -> list[Candidate]:
    """A base that is the object of 建设/打造 is a PROJECT, as the guide decides, also when
    nothing but its products and reach names it (全国最大的玉米制种基地 in the silver data);
    the places written inside it are then no entities of their own, except a region the
    base is ranked in (华北地区最大的鸡蛋供应基地), which the silver data annotates as a
    place wherever a rank follows one (东北亚规模最大的, 中国西部地区重要的). A span that
    crosses a chosen entity is left as the tagger read it."""
    spans: list[tuple[int, int]] = []
    for m in _BUILT_BASE_RE.finditer(text):
        spans.append(m.span(1))
        end = m.end(1)
        while listed := _LISTED_BASE_RE.match(text, end):
            spans.append(listed.span(1))
            end = listed.end(1)
    if not spans:
        return chosen
    out = list(chosen)
    for s, e in spans:
        if any(c.start < s < c.end or c.start < e < c.end or (c.start == s and c.end == e) for c in out):
            continue  # crosses, or already is, a chosen entity
        inside = [c for c in out if s <= c.start and c.end <= e]
        ranked_in = [c for c in inside if c.label == "PLACE" and _RANKED_IN_RE.match(text, c.end)]
        out = [c for c in out if c not in inside]
        attrs = {"source": "built_base", "nested_places": ranked_in} if ranked_in else {"source": "built_base"}
        out.append(Candidate(s, e, "PROJECT", _name(text[s:e]), 3, attrs))
    return sorted(out, key=lambda c: c.start)


#: A firm's name after a province's short form (山西|一禾铝业, 江苏|苏中药业集团): a brand of
#: two to four characters and the firm's trade, and the firm's suffixes after it if any
_FIRM_AFTER_PROVINCE_RE = re.compile(
    r"[\u4e00-\u9fff]{2,4}?(?:铝业|煤业|矿业|药业|乳业|酒业|纸业|牧业|实业|钢铁|化工|集团)(?:集团|股份)?(?:有限责任公司|股份有限公司|有限公司|公司)?"
)


def firms_named_by_province(chosen: list[Candidate], text: str) -> list[Candidate]:
    """A province's short form that the tagger read as a place where a firm's name follows
    is the firm (河南|神火煤业, 甘肃|刘化化工): a place written only inside an ORG's name is
    no place (ANNOTATION.md), and the silver data annotates 54 of the 55 such sequences as
    a firm or a project named by it (the other, 吉林市与中泽集团, writes its 市 and is no
    short form). The tagger reads nearly all of them whole: on the regional news and
    People's Daily this changes no span."""
    out = []
    starts = {c.start for c in chosen}
    for c in chosen:
        if c.label == "PLACE" and c.attrs.get("level") == "province" and text[c.end - 1] not in "省市区":
            firm = _FIRM_AFTER_PROVINCE_RE.match(text, c.end)
            if firm is not None and not any(c.end <= x < firm.end() for x in starts):
                c = Candidate(c.start, firm.end(), "ORG", _name(text[c.start : firm.end()]), c.priority, {"source": "province_firm"})
        out.append(c)
    return out


#: a list of towns counted by their kind (向阳、洄水、瓦庙、汉王四镇; 叶堡、兴国、刘坪、中山四镇)
_COUNTED_TOWNS_RE = re.compile(r"((?:[\u4e00-\u9fff]{2,3}、)+[\u4e00-\u9fff]{2,3})等?[两二三四五六七八九十]个?(?:乡镇|镇|乡)")


def counted_town_lists(chosen: list[Candidate], text: str) -> list[Candidate]:
    """Each item of a list of towns counted by their kind (向阳、洄水、瓦庙、汉王四镇) is a
    town, also where its short form is an everyday word the tagger passed over (向阳, 汉王):
    the one of that short form under a county the article's places lie in, if only one is."""
    lists = list(_COUNTED_TOWNS_RE.finditer(text))
    if not lists:
        return chosen
    counties = {c.attrs["adcode"][:6] for c in chosen if c.label == "PLACE" and len(c.attrs.get("adcode", "")) >= 6}
    shorts = load_gazetteer().town_short_forms()
    out = list(chosen)
    for m in lists:
        start = m.start(1)
        for item in m.group(1).split("、"):
            s, e = start, start + len(item)
            start = e + 1
            towns = [d for d in shorts.get(item, []) if d.code[:6] in counties]
            # a place read over the item and no further than the list (向阳 as 向阳区, 汉王四镇) gives way
            read = [c for c in out if c.start < e and s < c.end]
            if len(towns) == 1 and all(c.label == "PLACE" and m.start(1) <= c.start and c.end <= m.end() for c in read):
                d = towns[0]
                out = [c for c in out if c not in read]
                attrs = {"adcode": d.code, "level": "town", "options": [d.code], "source": "counted_list"}
                out.append(Candidate(s, e, "PLACE", d.name, 2, attrs))
    return sorted(out, key=lambda c: c.start)


#: What a street's name ends with: a place's short form before it names the street, not
#: the place (龙城大街, 晋中路); 街道 (a sub-district) and 大街小巷 (every street of it) do not
_STREET_AFTER = re.compile(r"(?:大街(?!小巷)|大道|路|街(?!道)|巷)")


def without_street_name_parts(chosen: list[Candidate], text: str) -> list[Candidate]:
    """Leave out a place written as the first part of a street's name: the silver data
    annotates no place there (2 of its places stand before 路 or 街, both another word)."""
    return [
        c
        for c in chosen
        if not (c.label == "PLACE" and c.attrs.get("level") not in ("village", "town") and _STREET_AFTER.match(text, c.end))
    ]


def without_national_slogans(chosen: list[Candidate]) -> list[Candidate]:
    """Leave out the national slogans and goal phrases (乡村振兴战略, 新型城镇化) that the
    annotation guide makes optional: a graph of a county's news is about its own programmes."""
    slogans = national_slogans()
    return [c for c in chosen if not (c.label == "POLICY" and c.canonical in slogans)]


#: A verb and its object that spell a county or city (兴县 'make the county thrive'), in a
#: slogan: before 之 (立县之本、兴县之道) or listed with its like (兴县、强县、富民; 工业兴县、产业强县)
_VERB_OBJECT = "[兴强富][县市区民]"
_SLOGAN_BEFORE = re.compile(f"之|、(?:[^、，。]{{0,4}}){_VERB_OBJECT}")
_SLOGAN_AFTER = re.compile(f"{_VERB_OBJECT}(?:[^、，。]{{0,4}})、$")


def without_slogan_verb_objects(chosen: list[Candidate], text: str) -> list[Candidate]:
    """Leave out a place that is a slogan's verb and object (兴县 in 兴县、强县、富民 or in
    兴县之道, three times in the regional news and never the county there)."""
    return [
        c
        for c in chosen
        if not (
            c.label == "PLACE"
            and c.length == 2
            and re.fullmatch(_VERB_OBJECT, text[c.start : c.end])
            and (_SLOGAN_BEFORE.match(text, c.end) or _SLOGAN_AFTER.search(text, max(0, c.start - 8), c.start))
        )
    ]


def places_read_as_persons(chosen: list[Candidate], text: str) -> list[Candidate]:
    """A "person" written like a division the document reads as a place elsewhere is that
    division (让梁平成为… beside 梁平 and 梁平区委 in an article on 梁平区): no person of
    the silver data is written like a place mention of the same document."""
    places = {text[c.start : c.end]: c for c in chosen if c.label == "PLACE" and c.attrs.get("adcode")}
    out = []
    for c in chosen:
        place = places.get(text[c.start : c.end]) if c.label == "PERSON" else None
        if place is not None:
            c = Candidate(c.start, c.end, "PLACE", place.canonical, place.priority, {**place.attrs, "score": c.attrs.get("score")})
        out.append(c)
    return out


#: Streets, street addresses and housing estates: the guide makes them optional, the
#: silver data marks 31 of 34 streets optional and annotates no address or estate
_STREET_ENDS = ("大道", "街", "路", "巷")
_ADDRESS_RE = re.compile(rf".+(?:{'|'.join(_STREET_ENDS)})|.+(?:路|街|道|巷)\d+号|.+小区")


def without_addresses(chosen: list[Candidate], text: str) -> list[Candidate]:
    """Leave out places that are a street, an address or a housing estate (同砚路50号, 金旭里小区)."""
    return [c for c in chosen if not (c.label == "PLACE" and _ADDRESS_RE.fullmatch(text, c.start, c.end))]


#: Prepositions that open a route or a boundary (沿雅正路外返40米至宁静高速匝道), never a name
_ROUTE_PREPOSITIONS = "沿自从由"


def without_routes(chosen: list[Candidate], text: str, bounds: set[int]) -> list[Candidate]:
    """Leave out a work that is a route or a site's bounds, not a project's name: it opens
    with a preposition the segmenter reads as a word of its own (自雅正路…起, 沿…至…; 沿海铁路
    and 自来水厂 begin with a longer word), or with one it joins to the road after it
    (沿津|晋高速…至…) where a 至 follows and no division's name begins so (从江县, 自贡市
    do), or with a direction (东至…, 北起…)."""
    return [c for c in chosen if not (c.label == "PROJECT" and _is_route(text, c.start, c.end, bounds))]


def _is_route(text: str, start: int, end: int, bounds: set[int]) -> bool:
    if text[start] in "东南西北" and text[start + 1 : start + 2] in ("至", "起"):
        return True  # a site's bounds (四至): 东至…, 北起…
    if text[start] not in _ROUTE_PREPOSITIONS:
        return False
    return start + 1 in bounds or ("至" in text[start + 2 : end] and text[start : start + 2] not in _division_starts())


@cache
def _division_starts() -> frozenset[str]:
    """The first two characters of every division's name."""
    return frozenset(name[:2] for name in load_gazetteer().by_name)


#: The kinds of name that a shared project head joins (乔家沟村、曲家沟村片区安置项目; 晋绥路、紫石街地下管廊)
_CONJUNCT_KINDS = (("村", "社区"), _STREET_ENDS)


def join_coordinated_works(chosen: list[Candidate], text: str) -> list[Candidate]:
    """Names of one kind listed before a project that shares its head are that project:
    乔家沟村、曲家沟村片区安置项目 is one resettlement project over two villages, not the
    village 乔家沟村 and a project in 曲家沟村 (as ANNOTATION.md writes 百村示范、千村治理,
    and the silver data 知新村、建中村区域动迁). A park or another work before the 、 is
    a list item of its own."""
    out: list[Candidate] = []
    for c in chosen:
        if c.label == "PROJECT":
            kind = next((k for k in _CONJUNCT_KINDS if any(w in c.canonical[:8] for w in k)), None)
            start = c.start
            while (
                kind is not None
                and out
                and (out[-1].label == "PLACE" or (out[-1].label == "PROJECT" and out[-1].length <= 6))  # 人民路 alone is no work
                and out[-1].end == start - 1
                and text[start - 1] == "、"
                and text[out[-1].start : out[-1].end].endswith(kind)
            ):
                start = out.pop().start
            if start != c.start:
                c = Candidate(start, c.end, c.label, _name(text[start : c.end]), c.priority, dict(c.attrs))
        out.append(c)
    return out


def _without_leading_verb(c: Candidate) -> int:
    """Where a learned name starts once a verb written before it is left out."""
    for v in LEADING:
        if c.canonical.startswith(v) and c.length - len(v) >= MIN_LEFT and c.canonical[len(v)] not in NAME_SUFFIXES:
            return c.start + len(v)
    return c.start


def _longest_first(cands: list[Candidate]) -> list[Candidate]:
    """Rule spans: the longest wins, then priority, then the earlier start."""
    chosen: list[Candidate] = []
    starts: list[int] = []  # the chosen spans, which never overlap, by start (so their ends are sorted too)
    ends: list[int] = []
    for c in sorted(cands, key=lambda c: (-c.length, -c.priority, c.start, c.label, c.canonical)):
        i = bisect.bisect_right(starts, c.start)  # only its neighbours there can overlap it
        if c.length <= 0 or (i > 0 and ends[i - 1] > c.start) or (i < len(starts) and starts[i] < c.end):
            continue
        chosen.append(c)
        starts.insert(i, c.start)
        ends.insert(i, c.end)
    return sorted(chosen, key=lambda c: c.start)
