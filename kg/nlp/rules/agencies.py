"""AGENCY: government, party and public bodies, with canonical full names.

A body is written as [place or jurisdiction letter][department], e.g. 平遥县农业农村局,
市发改委, 县委宣传部, 介休市义棠镇党委. The department comes from the standard lists
in kg.lexicon (abbreviations expanded); the prefix is resolved to a full place name:
an explicit place as written, a bare 市/县 to the article's home jurisdiction (or,
for 县 in a city paper, the county named just before).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from kg.gazetteer import Division, load_gazetteer
from kg.lexicon import DEPARTMENTS, LEADING_VERBS, LEFT_STOP_CHARS, NATIONAL_BODIES, TITLES
from kg.nlp.rules.base import CJK, Candidate, DictMatcher
from kg.nlp.rules.places import ZONE_NAMES, place_from_span

#: a committee member's post written before a bare party department (市委常委、组织部长)
MEMBER_OF_RE = re.compile("([省市县区州旗])委常委、$")
PREFIX_LEVEL = {
    "省": "province",
    "市": "city",
    "州": "city",
    "盟": "city",
    "县": "county",
    "区": "county",
    "旗": "county",
    "镇": "town",
    "乡": "town",
}

# An autonomous region, prefecture, county or banner calls itself by its kind
# (自治区党委, 自治州人民政府): the prefix letter each stands for
AUTONOMOUS_PREFIX = {"自治区": "省", "自治州": "州", "自治县": "县", "自治旗": "旗"}

# Places a body can be named by (a river or a region is not a jurisdiction).
JURISDICTION_LEVELS = ("province", "city", "county", "town", "zone", "village")

# Organs that only exist under a jurisdiction prefix (市委, 县政府, 镇党委).
PREFIX_ONLY = {
    "委": "委",
    "政府": "人民政府",
    "人民政府": "人民政府",
    "党委": "党委",
    "党工委": "党工委",
    "管委会": "管委会",
    "人大": "人大常委会",
    "政协": "政协",
    "人大常委会": "人大常委会",
    "纪委监委": "纪委监委",
    "纪委": "纪委监委",
}

# Units inside a department that officials are titled by (海绵城市管理科科长).
SUB_UNIT_RE = re.compile(f"[{CJK}]{{2,10}}?(?:科|处|股|室|办公室|大队|中队|支队|派出所|分局|中心)")
GENERIC_BODY_RE = re.compile(f"[{CJK}]{{2,10}}?(?:局|委员会|办公室)")
GROUP_OFFICE_RE = re.compile("领导小组办公室|领导小组|指挥部")
PARTY_CENTRAL_RE = re.compile("(?:中共|中国共产党)")


@cache
def _department_surfaces() -> dict[str, str]:
    """Every written form of a department -> its canonical form."""
    out = {}
    for full, abbrevs in DEPARTMENTS.items():
        for s in (full, *abbrevs):
            out.setdefault(s, full)
    for s, full in PREFIX_ONLY.items():
        out.setdefault(s, full)
    return out


@cache
def _matchers() -> tuple[DictMatcher, DictMatcher, dict[str, str]]:
    national = {s: full for full, abbrevs in NATIONAL_BODIES.items() for s in (full, *abbrevs)}
    return DictMatcher(_department_surfaces()), DictMatcher(national), national


def join_name(place: str, organ: str) -> str:
    """Prefix an organ with its place without doubling the level letter.

    万荣县 + 县委组织部 -> 万荣县委组织部 and 晋中市 + 市委 -> 晋中市委, but a
    two-character county's party committee keeps both (兴县 + 县委 -> 兴县县委), as the
    papers write it, while its other bodies do not (兴县 + 县人民政府 -> 兴县人民政府).
    """
    if organ and place.endswith(organ[0]) and (len(place) > 2 or not organ.startswith(organ[0] + "委")):
        return place + organ[1:]
    return place + organ


def names_a_sector(text: str, e: int) -> bool:
    """Whether a name ending in 部 at `e` is the start of a longer word, not a ministry or
    department: 住建部门 and 农业农村部门 are a sector, 农业部署 farm plans, 组织部分 'organise some'."""
    return text[e - 1 : e] == "部" and text[e : e + 1] in ("门", "分", "署")


#: A body's visiting or study group (市政协调研组, 考察团): the silver data annotates 1 of 38
#: 调研组 and none of 56 考察团, and that one as the body that sent it
VISITING_GROUPS = ("调研组", "调研团", "考察团", "考察组")


def without_visiting_group(text: str, start: int, end: int) -> int:
    """The end of the body's name in a span that ends in its visiting group."""
    for g in VISITING_GROUPS:
        if text.endswith(g, start, end) and end - len(g) - start >= 2:
            return end - len(g)
    return end


def find_agencies(text: str, places: list[Candidate], jurisdiction: Division | None) -> list[Candidate]:
    gaz = load_gazetteer()
    depts, national_m, national = _matchers()
    surfaces = _department_surfaces()
    place_by_end: dict[int, Candidate] = {}
    for p in places:
        level_ok = p.attrs.get("level") in JURISDICTION_LEVELS
        if level_ok and (p.end not in place_by_end or p.length > place_by_end[p.end].length):
            place_by_end[p.end] = p
    out: list[Candidate] = []

    for s, e, surface in depts.finditer(text):
        dept = surfaces[surface]
        if names_a_sector(text, e):
            continue
        if text[max(0, s - 2) : s] in ("国家", "中央") and not _place_chain(place_by_end, s):
            # 国家环保局, 中央编办: a national body, named as written
            out.append(Candidate(s - 2, e, "AGENCY", text[s - 2 : e], 5, {"national": True}))
            continue
        chain = _place_chain(place_by_end, s)
        prefix = ""
        if not chain and text[s - 1 : s] in PREFIX_LEVEL and s > 0:
            prefix = text[s - 1]
            chain = _place_chain(place_by_end, s - 1)
        start = chain[0].start if chain else s - len(prefix)
        # 市委常委、组织部长: a party department right after a committee member's post is that committee's
        member = MEMBER_OF_RE.search(text, max(0, s - 5), s) if not chain and not prefix and dept.startswith("委") else None
        letter = prefix or (member.group(1) if member else "")
        if surface in PREFIX_ONLY and not chain and not prefix:
            if surface in ("管委会", "党工委"):
                zone = _latest(places, s, "zone")
                if zone is not None:
                    out.append(_agency(s, e, zone.canonical + dept, [], zone.canonical, zone))
                continue
            if surface == "政协" and text[e : e + 2] == "委员" and jurisdiction is not None:
                out.append(_agency(s, e, join_name(jurisdiction.name, "政协"), [], jurisdiction.name, None))
            continue
        organ = dept if not dept.startswith("委") and dept != "委" else None
        if chain:
            home = chain[-1]
            written = text[home.end : e]
            organ_text = organ if organ and written == surface else _expand_tail(written, surface, dept)
            base = _jurisdiction_name(gaz, chain)
            canonical = join_name(base, organ_text) if not organ else base + organ_text
            out.append(_agency(start, e, canonical, chain, home.canonical, home))
            continue
        place = _prefix_place(gaz, text, places, s, letter, jurisdiction) if letter else jurisdiction
        if place is None:
            continue
        if not letter and (len(surface) < 3 or not surface.endswith(("局", "委", "办", "部"))):
            continue  # a bare short word (政府, 人大) is too often generic
        organ_text = organ if organ else letter + dept
        canonical = join_name(_full_name(gaz, place), organ_text) if not organ else _full_name(gaz, place) + organ_text
        out.append(_agency(start, e, canonical, [], place.name, None, adcode=getattr(place, "code", "")))

    out.extend(_sub_units(text, out))
    out.extend(_generic_bodies(text, place_by_end, depts))
    out.extend(_group_offices(text, out, jurisdiction))
    out.extend(_party_committees(text, place_by_end))
    for s, e, surface in national_m.finditer(text):
        if s > 0 and (text[s - 1] in PREFIX_LEVEL or (s in place_by_end)):
            continue
        if names_a_sector(text, e):
            continue
        out.append(Candidate(s, e, "AGENCY", national[surface], 5, {"national": True}))
    return out


# a zone's own bodies, written after the zone (湘潭经开区党工委, 某县工业园区管理委员会)
ZONE_BODY_RE = re.compile(f"(.+?(?:{ZONE_NAMES}|经开区|园区|产业园))(?:党工委|工委|管委会|管理委员会)")


def is_zone_body(text: str, s: int, e: int) -> bool:
    """Whether text[s:e] is a zone's party working committee or management committee."""
    return ZONE_BODY_RE.fullmatch(text, s, e) is not None


# the session of a congress or committee written into its name (县十五届人大常委会)
SESSION_RE = re.compile(r"第?[一二三四五六七八九十百零〇0-9]+届(?:第?[一二三四五六七八九十百零〇0-9]+次)?")
LOCAL_BODY_ENDS = tuple("局 委 委员会 办 办公室 部 厅 院 所 站 中心 队 会 处 科 室 组 政府 支部 党委 政协".split())


class PlaceIndex:
    """A document's places as :func:`agency_from_span` looks them up: the longest one that
    starts at each position, and each written name (a document's index is built once)."""

    def __init__(self, text: str, places: list[Candidate]) -> None:
        self.by_start: dict[int, Candidate] = {}
        self.by_name: dict[str, Candidate] = {}
        for p in sorted(places, key=lambda p: (p.start, -p.length)):
            if p.attrs.get("level") not in JURISDICTION_LEVELS:
                continue
            self.by_start.setdefault(p.start, p)
            if p.length >= 2:
                self.by_name.setdefault("".join(text[p.start : p.end].split()), p)
        self.lengths = sorted({len(w) for w in self.by_name}, reverse=True)

    def chain(self, pos: int, end: int) -> list[Candidate]:
        """The places written one after another from `pos`, each ending by `end` (介休市|义棠镇)."""
        out: list[Candidate] = []
        while pos in self.by_start and self.by_start[pos].end <= end:
            out.append(self.by_start[pos])
            pos = out[-1].end
        return out


def _nearest_before(places: list[Candidate], s: int, keep: Callable[[Candidate], bool]) -> Candidate | None:
    """The place that ends nearest before `s` among those `keep` accepts (the first of equals)."""
    return max((p for p in places if p.end <= s and keep(p)), key=lambda p: p.end, default=None)


def agency_from_span(
    text: str, s: int, e: int, places: list[Candidate], jurisdiction: Division | None, index: PlaceIndex | None = None
) -> Candidate:
    """An agency candidate for a span the tagger calls an agency where no rule matched exactly.

    The rules' knowledge names it: places written at its start are its jurisdiction
    (介休市义棠镇党委), a leading 市/县/镇 letter stands for the place the article
    means, a department's short form is expanded (县法院 -> 县人民法院), a session is
    dropped (县十五届人大常委会 -> 县人大常委会), and a bare local body (农业农村局)
    takes the article's jurisdiction. National bodies keep their national names.
    """
    gaz = load_gazetteer()
    _, _, national = _matchers()
    written = "".join(text[s:e].split())
    if (party := _democratic_party(gaz, text, places, s, e, written, jurisdiction)) is not None:
        return party
    if SESSION_RE.sub("", written) in national:
        return Candidate(s, e, "AGENCY", national[SESSION_RE.sub("", written)], 5, {"national": True})
    index = PlaceIndex(text, places) if index is None else index
    if (cppcc := _cppcc_by_formal_name(text, s, e, index)) is not None:
        return cppcc
    party = PARTY_CENTRAL_RE.match(text, s)  # 中共黑龙江省委 -> 黑龙江省委
    pos = party.end() if party else s
    chain = index.chain(pos, e - 1)  # a place that is the whole span is no prefix
    pos = chain[-1].end if chain else pos
    # a place the article names elsewhere, written here as (the end of) the body's prefix
    # (某县经开区党工委 after 某县经开区; 城关镇|九皇山村党支部), where no rule read it here
    head = next((text[pos : pos + n] for n in index.lengths if pos + n < e and text[pos : pos + n] in index.by_name), None)
    if head is not None:
        p = index.by_name[head]
        chain = [*chain, Candidate(pos, pos + len(head), "PLACE", p.canonical, p.priority, p.attrs)]
        pos += len(head)
    zone = ZONE_BODY_RE.fullmatch(text, chain[0].start if chain else pos, e)
    if zone is not None and (chain or text[pos] not in PREFIX_LEVEL):  # 县开发区管委会: the letter's place names it
        # the body lies in the zone, not in the place the zone's name begins with
        place = place_from_span(text, zone.start(1), zone.end(1), places)
        if not place.attrs.get("generic"):
            chain, pos = [place], zone.end(1)
    organ = SESSION_RE.sub("", "".join(text[pos:e].split()))
    if organ.endswith("人大") and SESSION_RE.search(text, pos, e):
        organ = organ[:-2] + "人民代表大会"  # 县十六届人大 (五次会议) is the congress, not its standing committee
    organ = _expand_department(organ)
    if chain and organ.startswith(home := text[chain[-1].start : chain[-1].end]) and len(organ) > len(home):
        organ = organ[len(home) :]  # the place written again after the session (某县第三届某县人大)
    if not organ:
        return Candidate(s, e, "AGENCY", written, 4, {})
    if organ.startswith("街道") and len(organ) > 2:
        # 街道党工委: the sub-district the passage is about (城关街道办事处 … 街道党工委)
        street = _nearest_before(places, s, lambda p: p.canonical.endswith("街道"))
        if street is not None:
            chain, organ = [street], organ[2:]
    if chain:
        return _agency(s, e, join_name(_jurisdiction_name(gaz, chain), organ), chain, chain[-1].canonical, chain[-1])
    if organ[0] == "村" and len(organ) > 1:
        # 村党支部, 村委会 alone: the village the passage names before it (the guide's
        # sub-county bodies take the county and township prefix); else as written
        village = _nearest_before(places, s, lambda p: s - p.end < 400 and p.attrs.get("level") == "village")
        if village is None:
            return Candidate(s, e, "AGENCY", written, 4, {})
        organ = organ[1:] if organ[1:].startswith("党") or organ[1:] == "两委" else organ
        return _agency(s, e, _jurisdiction_name(gaz, [village]) + organ, [village], village.canonical, village)
    if organ[:3] in AUTONOMOUS_PREFIX and len(organ) > 3:
        place = _prefix_place(gaz, text, places, s, AUTONOMOUS_PREFIX[organ[:3]], jurisdiction)
        if place is not None and place.name.endswith(organ[:3]):
            return _agency(s, e, place.name + organ[3:], [], place.name, None, adcode=place.code)
        return Candidate(s, e, "AGENCY", written, 4, {})
    if organ[0] in PREFIX_LEVEL and len(organ) > 1:
        place = _prefix_place(gaz, text, places, s, organ[0], jurisdiction)
        if place is not None:
            return _agency(s, e, join_name(_full_name(gaz, place), organ), [], place.name, None, adcode=place.code)
    elif jurisdiction is not None and organ.endswith(LOCAL_BODY_ENDS) and not organ.startswith(("中国", "中华", "全国", "国家", "中央")):
        return _agency(s, e, join_name(jurisdiction.name, organ), [], jurisdiction.name, None, adcode=jurisdiction.code)
    return Candidate(s, e, "AGENCY", SESSION_RE.sub("", written), 4, {})  # 市七届人大常委会 is 市人大常委会


#: a CPPCC committee by its formal name, the place inside (政协第十二届拉萨市委员会,
#: 中国人民政治协商会议天水市麦积区委员会): 37 in the regional news
CPPCC_FORMAL_RE = re.compile(f"(?:中国人民政治协商会议|政协)(?:{SESSION_RE.pattern})?(.+?)(?:{SESSION_RE.pattern})?委员会")


def _cppcc_by_formal_name(text: str, s: int, e: int, index: PlaceIndex) -> Candidate | None:
    """The committee under its standard short form (拉萨市政协, 麦积区政协), as the guide names it."""
    m = CPPCC_FORMAL_RE.fullmatch(text, s, e)
    if m is None:
        return None
    chain = index.chain(m.start(1), m.end(1))
    if not chain or chain[-1].end != m.end(1):
        return Candidate(s, e, "AGENCY", m.group(1) + "政协", 4, {})
    return _agency(s, e, chain[-1].canonical + "政协", chain, chain[-1].canonical, chain[-1])


def _expand_department(organ: str) -> str:
    """The organ with the longest department form it ends with written in full (县发改委 ->
    县发展和改革委员会); a bare 委 stays (县委)."""
    surfaces = _department_surfaces()
    for k in range(len(organ)):
        tail = organ[k:]
        if tail in surfaces and len(tail) >= 2:
            return organ[:k] + surfaces[tail]
    return organ


def _agency(
    s: int, e: int, canonical: str, chain: list[Candidate], place_name: str, place: Candidate | None, adcode: str = ""
) -> Candidate:
    attrs = {"located_in": place_name, "nested_places": chain}
    if place is not None and place.attrs.get("adcode"):
        attrs["located_code"] = place.attrs["adcode"]
    elif adcode:
        attrs["located_code"] = adcode
    return Candidate(s, e, "AGENCY", canonical, 5, attrs)


def _full_name(gaz, d: Division) -> str:
    """The name a body of division `d` is prefixed with: a town's under its county (乡党委 in
    a 大化 article -> 大化瑶族自治县板升乡党委), as the guide prefixes sub-county bodies."""
    return gaz.sub_county_prefix(d) + d.name


def _jurisdiction_name(gaz, chain: list[Candidate]) -> str:
    """The full name a body is prefixed with: its own place, and for a town also the
    town's county, for a village its county and town (湖州市安吉县委 -> 安吉县委;
    义棠镇党委 -> 介休市义棠镇党委; 河垅村党支部 -> 南城县天井源乡河垅村党支部)."""
    home = chain[-1]
    if home.attrs.get("level") == "town" and len(chain) > 1:
        return chain[-2].canonical + home.canonical  # the county as written before it
    return gaz.sub_county_prefix(gaz.get(home.attrs.get("adcode", ""))) + home.canonical


def _expand_tail(written: str, surface: str, dept: str) -> str:
    """Replace the written department at the end of `written` by its full form."""
    return written[: len(written) - len(surface)] + dept if written.endswith(surface) else written


def _place_chain(place_by_end: dict[int, Candidate], end: int) -> list[Candidate]:
    """Places written back to back ending at `end` (介休市义棠镇 -> [介休市, 义棠镇])."""
    chain = []
    while end in place_by_end:
        p = place_by_end[end]
        chain.insert(0, p)
        end = p.start
    return chain


def _latest(places: list[Candidate], before: int, level: str) -> Candidate | None:
    best = None
    for p in places:
        if p.end <= before and p.attrs.get("level") == level and (best is None or p.end > best.end):
            best = p
    return best


#: The eight democratic parties, by the short names people write, and their full names
#: (ANNOTATION.md: their committees are AGENCY under full names, 中国农工民主党…委员会)
DEMOCRATIC_PARTIES = {
    "民革": "中国国民党革命委员会",
    "民盟": "中国民主同盟",
    "民建": "中国民主建国会",
    "民进": "中国民主促进会",
    "农工党": "中国农工民主党",
    "致公党": "中国致公党",
    "九三学社": "九三学社",
    "台盟": "台湾民主自治同盟",
}
_PARTY_RE = re.compile("|".join(sorted({*DEMOCRATIC_PARTIES, *DEMOCRATIC_PARTIES.values()}, key=len, reverse=True)))
#: a party's committee of a place (省委, 黑龙江省委员会, its 常务委员会) and what follows it (专门委员会)
_PARTY_COMMITTEE_RE = re.compile(r"(.*?)(省|市|州|县|区)(常务委员会|委员会|委)(.*)")
#: a party's central committee as written after its name (民盟中央; the silver data: 中国民主同盟中央委员会)
_PARTY_CENTRAL = ("中央", "中央委员会")


def is_party_body(written: str) -> bool:
    """Whether `written` names a democratic party or one of its committees (农工党,
    九三学社中央, 民建市委): a public body, whichever type the tagger gave it."""
    parts = _party_and_rest(written)
    return parts is not None and (parts[1] in ("", *_PARTY_CENTRAL) or _PARTY_COMMITTEE_RE.fullmatch(parts[1]) is not None)


def _party_and_rest(written: str) -> tuple[str, str] | None:
    """The full name of the party `written` begins with, and what follows it without a session (第三届)."""
    m = _PARTY_RE.match(written)
    if m is None:
        return None
    return DEMOCRATIC_PARTIES.get(m.group(), m.group()), SESSION_RE.sub("", written[m.end() :])


def _democratic_party(gaz, text: str, places: list[Candidate], s: int, e: int, written: str, jurisdiction: Division | None):
    """A democratic party or one of its committees under its full name:
    农工党省委 (a 黑龙江 paper) -> 中国农工民主党黑龙江省委员会; None for any other body."""
    parts = _party_and_rest(written)
    if parts is None:
        return None
    party, rest = parts
    if not rest:
        return Candidate(s, e, "AGENCY", party, 5, {"national": True})
    if rest in _PARTY_CENTRAL:
        return Candidate(s, e, "AGENCY", f"{party}中央委员会", 5, {"national": True})
    committee = _PARTY_COMMITTEE_RE.fullmatch(rest)
    if committee is None:
        return None
    place_name = committee[1] + committee[2] if committee[1] else None
    if place_name is None:
        div = _prefix_place(gaz, text, places, s, committee[2], jurisdiction)
        place_name = div.name if div is not None else None
    if place_name is None:
        return None
    standing = "常务委员会" if committee[3] == "常务委员会" else ""  # its standing committee
    return Candidate(s, e, "AGENCY", f"{party}{place_name}委员会{standing}{committee[4]}", 5, {"located_in": place_name})


def _prefix_place(gaz, text: str, places: list[Candidate], s: int, prefix: str, jurisdiction: Division | None):
    """The place a bare 市/县/镇 prefix stands for.

    The home jurisdiction, or its ancestor of that level; but where the article names
    several places of that level in full, the one written earlier in the same sentence
    (凤阳县委书记徐广友，…县发改委 is 凤阳县's), so an article that moves between
    counties names each county's bodies right.
    """
    want = PREFIX_LEVEL[prefix]

    def of_level(p: Candidate) -> bool:
        named = prefix not in "县区" or p.canonical.endswith(("县", "区", "市", "旗"))
        return s - p.end < 400 and p.attrs.get("level") == want and named

    near = _nearest_before(places, s, of_level)  # the nearest preceding place of that level (县纪委监委 after 万荣县 in a city paper)
    near_div = gaz.get(near.attrs["adcode"]) if near is not None and near.attrs.get("adcode") else None
    if jurisdiction is not None:
        written = {p.attrs.get("adcode") for p in places if p.priority >= 3 and p.attrs.get("level") == want}
        sentence = max(text.rfind(mark, 0, s) for mark in "。！？；;!?\n")
        quoted = "”" in text[near.end : s] if near is not None else False  # named in a quotation that has closed
        if near_div is not None and len(written) > 1 and near.start > sentence and not quoted and near_div.code != jurisdiction.code:
            return near_div
        # 县 means the home county only in a county paper (区 a district's, 市 a
        # county-level city's); in a city paper it is the county named nearby
        if jurisdiction.level == want and (want != "county" or jurisdiction.name.endswith(prefix)):
            return jurisdiction
        if jurisdiction.level == "county" and prefix in "县市" and jurisdiction.name.endswith("市"):
            return jurisdiction  # a county-level city's paper: its 市委 and 县 are its own
        for a in gaz.ancestors(jurisdiction):
            if a.level == want or (want == "city" and a.level == "province" and a.name.endswith("市")):
                return a
    return near_div


def _sub_units(text: str, agencies: list[Candidate]) -> list[Candidate]:
    """A section inside a body, kept only when a post follows (海绵城市管理科科长)."""
    out = []
    for a in agencies:
        m = SUB_UNIT_RE.match(text, a.end)
        if m and text.startswith(TITLES, m.end()):
            attrs = dict(a.attrs, parent_agency=a.canonical)
            out.append(Candidate(a.start, m.end(), "AGENCY", a.canonical + m.group(), 6, attrs))
    return out


def _generic_bodies(text: str, place_by_end: dict[int, Candidate], depts: DictMatcher) -> list[Candidate]:
    """Place + non-standard department name (寿阳县发展改革和科技局), as written after the
    full name of its place, as the guide prefixes bodies."""
    out = []
    starts = {q.start for q in place_by_end.values()}
    for end, p in place_by_end.items():
        if p.attrs.get("level") not in ("city", "county", "town", "province") or end in starts:
            continue  # 北京市|通州区…: the body lies in the last place of the chain
        m = GENERIC_BODY_RE.match(text, end)
        if m and m.group()[0] in "和与及、":
            continue  # 克拉玛依市和新疆石油管理局: two names, not one
        if not m or any(ch in LEFT_STOP_CHARS.replace("和", "") for ch in m.group()):
            continue
        chain = _place_chain(place_by_end, end)
        out.append(
            Candidate(
                chain[0].start,
                m.end(),
                "AGENCY",
                _jurisdiction_name(load_gazetteer(), chain) + text[end : m.end()],  # 北京市通州区人民检察院… -> 通州区人民检察院…
                4,
                {"located_in": p.canonical, "located_code": p.attrs.get("adcode", ""), "nested_places": chain},
            )
        )
    return out


def _group_offices(text: str, agencies: list[Candidate], jurisdiction: Division | None) -> list[Candidate]:
    """X领导小组办公室: named by its task, seated in the home jurisdiction."""
    out = []
    ends = {a.end for a in agencies}
    for m in GROUP_OFFICE_RE.finditer(text):
        p = m.start()
        while p > 0 and p - m.start() > -16 and text[p - 1] not in LEFT_STOP_CHARS and p not in ends and re.match(f"[{CJK}]", text[p - 1]):
            p -= 1
        name = text[p : m.end()]
        for v in LEADING_VERBS + ("发挥",):
            if name.startswith(v) and len(name) - len(v) > len(m.group()) + 1:
                name = name[len(v) :]
                p += len(v)
        if len(name) - len(m.group()) < 2:
            continue
        national = name.startswith(("全国", "中央", "国家", "国务院"))
        canonical = name if jurisdiction is None or national or name.startswith(jurisdiction.name) else jurisdiction.name + name
        out.append(Candidate(p, m.end(), "AGENCY", canonical, 5, {"located_in": jurisdiction.name if jurisdiction else ""}))
    return out


def _party_committees(text: str, place_by_end: dict[int, Candidate]) -> list[Candidate]:
    """中共兴县县委, 中国共产党兴县第十七届委员会 -> 兴县县委."""
    out = []
    for m in PARTY_CENTRAL_RE.finditer(text):
        for end, p in place_by_end.items():
            if p.start != m.end():
                continue
            rest = text[end : end + 16]
            mm = re.match(r"(?:县委|市委|区委|省委|委员会|第[一二三四五六七八九十]+届委员会)", rest)
            if mm:
                letter = p.canonical[-1]
                canonical = join_name(p.canonical, letter + "委") if letter in PREFIX_LEVEL else p.canonical + "委"
                out.append(
                    Candidate(
                        m.start(),
                        end + mm.end(),
                        "AGENCY",
                        canonical,
                        6,
                        {"located_in": p.canonical, "located_code": p.attrs.get("adcode", ""), "nested_places": [p]},
                    )
                )
    return out
