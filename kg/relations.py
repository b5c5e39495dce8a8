"""Relations between a document's entities, each with its evidence sentence.

- HOLDS_POSITION: person -> agency/org from the posts written before the name, across
  bodies and lists (县委常委、常务副县长某某; 副主任张三、李四), or after it in an
  appointment or election (任命某某为…副县长; 某某当选为…主任; 习近平总书记). Posts
  that imply a body not written (镇长 -> 镇人民政府, 总书记 -> 中共中央) create that body.
- PART_OF: place -> its direct parent, from the division table or the name.
- LOCATED_IN: agency -> its jurisdiction; project/org -> the place in its name (or the
  article's zone inside it), the place just before it in the sentence; a project of a
  paper that speaks as its home place (我市, 全县) -> home.
- PROMOTES: agency -> project it drives in the same sentence or paragraph.
- COOPERATES_WITH: two places joined by 与/和 in a sentence about cooperation.
- CO_MENTION: entities in one sentence, the weakest link.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from kg.extraction import RelationRef, entity_key
from kg.gazetteer import Division, load_gazetteer, short_forms_of
from kg.lexicon import TITLES, common_words
from kg.mentions import Mention
from kg.nlp.rules.agencies import join_name

TITLE_RE = re.compile("(?:" + "|".join(sorted(TITLES, key=len, reverse=True)) + ")+")
PAREN_RE = re.compile(r"[（(][^（）()]{1,12}[)）]")
# posts that name the body they belong to, when none is written
IMPLIED_BODY = {
    "镇长": "town",
    "副镇长": "town",
    "乡长": "town",
    "副乡长": "town",
    "县长": "county",
    "副县长": "county",
    "常务副县长": "county",
    "市长": "city",
    "副市长": "city",
    "常务副市长": "city",
    "区长": "county",
    "副区长": "county",
    "常务副区长": "county",
    "省长": "province",
    "副省长": "province",
    "常务副省长": "province",
    "代理县长": "county",
    "代县长": "county",
    "代理市长": "city",
    "代市长": "city",
    "代理区长": "county",
    "代区长": "county",
    "代理省长": "province",
    "代省长": "province",
    # an autonomous prefecture's and a league's heads are city-level, a banner's county-level
    "州长": "city",
    "副州长": "city",
    "常务副州长": "city",
    "盟长": "city",
    "副盟长": "city",
    "旗长": "county",
    "副旗长": "county",
    "常务副旗长": "county",
}
PARTY_POSTS = ("书记", "副书记", "党委书记", "党委副书记")
#: a village's secretaries, the first secretary a higher body stations there among them
VILLAGE_PARTY_POSTS = ("书记", "副书记", "第一书记", "驻村第一书记", "支书", "村支书", "党支部书记")
# the presidium's chairs of a people's congress or CPPCC session (大会执行主席, 主席团常务主席):
# posts in the body whose session the article reports (the silver data gives them 105 times)
SESSION_POST_RE = re.compile("(?:主席团)?(?:常务|执行)主席|主席团成员")
SESSION_BODIES = ("人民代表大会", "政协")
#: Posts a standing committee or a CPPCC has, written without the body in an article
#: about one (…人大常委会召开会议。副主任李四、王五，秘书长赵六参加): the body last named
BARE_POST_BODIES = {
    **dict.fromkeys(("主任", "副主任", "常务副主任"), ("人大常委会",)),
    **dict.fromkeys(("主席", "副主席"), ("政协",)),
    **dict.fromkeys(("秘书长", "副秘书长"), ("人大常委会", "政协")),
}
DATE_RE = re.compile(r"(?:19|20)\d{2}年(?:\d{1,2}月(?:\d{1,2}日)?)?")
CO_MENTION_ALL = 20  # sentences naming up to this many entities pair them all
CO_MENTION_WINDOW = 5  # longer lists pair each entity with the next five
COOPERATION_RE = re.compile("合作|协同|共同|一体化|联合|携手|对接|共建")
ANAPHORA_ZONE = re.compile("开发区|园区")
HOME_VOICE_RE = re.compile("我市|我县|我区|本市|本县|全市|全县|全区")
LEAD_CHARS = 120  # the headline and the first sentence or two


def find_relations(
    text: str, mentions: list[Mention], sentences: list[tuple[int, int]], home: Division | None, titles: list[tuple[int, int]] = ()
):
    gaz = load_gazetteer()
    starts = [s for s, _ in sentences]

    def sentence_of(pos: int) -> tuple[int, int]:
        i = max(0, bisect.bisect_right(starts, pos) - 1)
        return sentences[i] if sentences else (0, len(text))

    def evidence(pos: int) -> str:
        s, e = sentence_of(pos)
        return text[s:e].strip()

    rels: list[RelationRef] = []
    implied: list[Mention] = []
    places = [m for m in mentions if m.type == "PLACE"]
    place_by_code = {m.adcode: m for m in places if m.adcode}
    place_by_label = {m.label: m for m in places}
    places_by_key: dict[str, list[Mention]] = {}
    for m in places:
        places_by_key.setdefault(m.key, []).append(m)
    home_m = place_by_code.get(home.code) if home else None

    def body(name: str, located: Mention | None, ev: str) -> Mention:
        """A body implied by a post (镇长 -> 镇人民政府), with its seat."""
        m = Mention(-1, -1, "AGENCY", entity_key("AGENCY", name), name, "", {})
        implied.append(m)
        if located is not None:
            rels.append(RelationRef(m.key, located.key, "LOCATED_IN", "", ev))
        return m

    # HOLDS_POSITION
    def government(level: str, near: Mention | None, pos: int, ev: str) -> Mention | None:
        """The people's government a post of `level` (副县长: county) belongs to: the body
        written before the post if it is one, else the government of that body's place,
        else of the nearest place of that level named before, else of the home jurisdiction's."""
        if near is not None and near.type == "AGENCY" and near.label.endswith("人民政府"):
            return near
        place = near if near is not None and near.type == "PLACE" else None
        if place is None and near is not None:
            place = place_by_code.get(near.attrs.get("located_code", "")) or place_by_label.get(near.attrs.get("located_in", ""))
        if place is None or not _of_level(place.label, str(place.attrs.get("level")), level):
            before = [m for m in places if m.start < pos and m.attrs.get("level") == level and not m.attrs.get("nested")]
            place = before[-1] if before else None
        if place is not None:
            return body(_government_name(gaz, place.label, place.adcode), place, ev)
        chain = [home, *gaz.ancestors(home)] if home is not None else []
        d = next((a for a in chain if _of_level(a.name, a.level, level)), None)
        return body(_government_name(gaz, d.name, d.code), place_by_code.get(d.code), ev) if d is not None else None

    def post(near: Mention | None, title: str, pos: int, ev: str) -> list[tuple[Mention, str]]:
        """(body, title) pairs a title written after `near` (a body, a place or None) gives."""
        bare = PAREN_RE.sub("", title)
        level = IMPLIED_BODY.get(bare)
        if level is not None:
            gov = government(level, near, pos, ev)
            return [(gov, bare)] if gov is not None else []
        if near is None:
            session = SESSION_POST_RE.search(text, max(0, pos - 5), pos + len(title))
            if session is None or session.end() != pos + len(title):
                kinds = BARE_POST_BODIES.get(bare)
                held = [m for m in mentions if kinds and m.type == "AGENCY" and 0 <= m.start < pos and m.label.endswith(kinds)]
                return [(held[-1], bare)] if held else []
            held = [m for m in mentions if m.type == "AGENCY" and 0 <= m.start < pos and m.label.endswith(SESSION_BODIES)]
            return [(held[-1], text[session.start() : session.end()])] if held else []
        if near.type == "PLACE":
            if bare in VILLAGE_PARTY_POSTS and near.attrs.get("level") == "village" and near.label.endswith(("村", "嘎查")):
                return [(body(_branch_name(gaz, near), near, ev), bare)]  # 哇麻村驻村第一书记: the village's party branch
            if bare in PARTY_POSTS and near.attrs.get("level") in ("town", "county", "city", "province"):
                name = join_name(near.label, "委") if near.attrs.get("level") != "town" else near.label + "党委"
                return [(body(name, near, ev), bare)]
            return []
        out = [(near, title)]
        if near.attrs.get("parent_agency"):
            parent = Mention(-1, -1, "AGENCY", entity_key("AGENCY", near.attrs["parent_agency"]), near.attrs["parent_agency"], "", {})
            out.append((parent, near.label[len(near.attrs["parent_agency"]) :] + title))
        return out

    def emit(person: Mention, pairs: list[tuple[Mention, str]], ev: str) -> None:
        by_body: dict[str, list[str]] = {}
        for b, t in pairs:
            by_body.setdefault(b.key, [])
            if t not in by_body[b.key]:
                by_body[b.key].append(t)
        for key, titles_ in by_body.items():
            rels.append(RelationRef(person.key, key, "HOLDS_POSITION", "、".join(titles_), ev))

    title_spans = _title_spans(text, mentions, titles)
    items = sorted(
        [(m.start, m.end, m) for m in mentions if not m.attrs.get("nested") and m.type in ("AGENCY", "ORG", "PLACE", "PERSON")]
        + [(s, e, None) for s, e in title_spans],
        key=lambda x: (x[0], -x[1]),
    )
    item_starts = [x[0] for x in items]
    for s_start, s_end in sentences:
        inside = [x for x in items[bisect.bisect_left(item_starts, s_start) : bisect.bisect_left(item_starts, s_end)] if x[1] <= s_end]
        ev = text[s_start:s_end].strip()
        _read_posts(text, inside, s_start, ev, post, emit)
        _read_appointments(text, inside, ev, post, emit)
    for m in mentions:
        if m.type == "PERSON" and text.startswith("总书记", m.end):
            rels.append(RelationRef(m.key, body("中共中央", None, evidence(m.start)).key, "HOLDS_POSITION", "总书记", evidence(m.start)))

    # PART_OF
    seen_parts = set()
    place_ending_at = {p.end: p for p in places}
    for m in places:
        parent = None
        d = gaz.get(m.adcode) if m.adcode else None
        if d is not None:
            parent = place_by_code.get(d.parent)
            up = gaz.parent(d) if parent is None else None
            if up is not None and (top := gaz.parent(up)) is not None and top.name == up.name:
                parent = place_by_code.get(top.code)  # 排浦镇 in 儋州市, a city with no counties: the table repeats it
        if parent is None and m.attrs.get("parent_name"):
            parent = place_by_label.get(m.attrs["parent_name"])
        town = place_ending_at.get(m.start)
        if parent is None and m.attrs.get("level") == "village" and town is not None and town.attrs.get("level") == "town":
            # 孟家坪乡贺家沟村: the text puts the village in the town, whatever town the 2021 table has
            parent = town
        if parent is None and m.attrs.get("level") == "zone" and not m.attrs.get("generic"):
            parent = _zone_home(m, home_m, places)
        if parent is not None and parent.key != m.key and (m.key, parent.key) not in seen_parts:
            seen_parts.add((m.key, parent.key))
            rels.append(RelationRef(m.key, parent.key, "PART_OF", "", evidence(_together(m, parent, places_by_key, sentence_of))))

    # LOCATED_IN for agencies, orgs, projects
    subject_zone = _subject_zone(text, places)
    for m in mentions:
        if m.type == "AGENCY" and not m.attrs.get("national"):
            place = place_by_code.get(m.attrs.get("located_code", "")) or place_by_label.get(m.attrs.get("located_in", ""))
            if place is None and m.attrs.get("nested_places"):
                place = place_by_label.get(m.attrs["nested_places"][-1].canonical)
            if place is not None:
                rels.append(RelationRef(m.key, place.key, "LOCATED_IN", "", evidence(m.start)))
        elif m.type in ("PROJECT", "ORG"):
            place = _site(m, text, places, place_by_label, sentence_of, home_m, subject_zone)
            if place is not None:
                rels.append(RelationRef(m.key, place.key, "LOCATED_IN", "", evidence(m.start)))

    # mentions grouped by sentence and the first mention of each paragraph, once
    by_sentence: dict[tuple[int, int], list[Mention]] = {}
    opener_of: dict[int, Mention] = {}
    for m in mentions:
        by_sentence.setdefault(sentence_of(m.start), []).append(m)
        if not m.attrs.get("nested"):
            opener_of.setdefault(text.rfind("\n", 0, m.start) + 1, m)

    # PROMOTES: the agency that drives a project: named in its sentence, or the
    # subject that opens its paragraph (县住建局将…：一是…；二是实施…项目)
    for m in mentions:
        if m.type != "PROJECT":
            continue
        in_sentence = [a for a in by_sentence[sentence_of(m.start)] if a.type == "AGENCY" and a.start < m.start]
        opener = opener_of.get(text.rfind("\n", 0, m.start) + 1)
        driver = in_sentence[-1] if in_sentence else opener
        if driver is not None and driver.type == "AGENCY" and driver.start < m.start:
            rels.append(RelationRef(driver.key, m.key, "PROMOTES", "", evidence(m.start)))

    # COOPERATES_WITH and CO_MENTION, sentence by sentence
    for (s, e), inside in by_sentence.items():
        sent = text[s:e].strip()
        if COOPERATION_RE.search(sent):
            for a, b in zip(inside, inside[1:], strict=False):
                if a.type == b.type == "PLACE" and a.key != b.key and text[a.end : b.start] in ("与", "和", "同", "、"):
                    x, y = sorted((a.key, b.key))
                    rels.append(RelationRef(x, y, "COOPERATES_WITH", "", sent))
        rels.extend(RelationRef(x, y, "CO_MENTION", "", sent) for x, y in _co_mentions(inside))
    # posts are dated where their sentence gives a date (posts change over time)
    rels = [_dated(r) if r.type == "HOLDS_POSITION" else r for r in rels]
    return rels, implied


def _co_mentions(inside: list[Mention]) -> list[tuple[str, str]]:
    """Pairs of entities named in one sentence; in a long list (400 counties joined
    by 、) each entity pairs only with its near neighbours, so the count stays linear."""
    keys: list[str] = []
    for m in inside:
        if m.key not in keys[-CO_MENTION_WINDOW:]:
            keys.append(m.key)
    pairs = set()
    window = len(keys) if len(keys) <= CO_MENTION_ALL else CO_MENTION_WINDOW
    for i, a in enumerate(keys):
        for b in keys[i + 1 : i + 1 + window]:
            if a != b:
                pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def _title_spans(text: str, mentions: list[Mention], titles: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The posts of a document: the tagger's TITLE spans, and the post words of the lexicon
    in the stretches between entities and tagged posts (the rules' own reading, and all
    there is without the tagger): 党工委 | 书记, 市政协 | 委员."""
    taken = sorted([(m.start, m.end) for m in mentions if m.start >= 0] + list(titles))
    out = list(titles)
    # 组织部长, 公安局长: the head's 长 written onto the body's name; 鸡西市长张三 onto the place's
    person_starts = {m.start for m in mentions if m.type == "PERSON"}
    for m in mentions:
        fused = m.start >= 0 and _fused_head(text, m.end)
        if fused and (m.type == "AGENCY" or (m.type == "PLACE" and m.end + 1 in person_starts)):
            out.append((m.end, m.end + 1))
    pos = 0
    for a, b in [*taken, (len(text), len(text))]:
        if a > pos:
            out.extend((pos + m.start(), pos + m.end()) for m in TITLE_RE.finditer(text[pos:a]))
        pos = max(pos, b)
    return sorted(out)


def _fused_head(text: str, end: int) -> bool:
    """Whether a body or place ending at `end` is followed by its head's 长 (组织部|长, 公安局|长,
    益阳市|长); not a town's: 新建镇|长碛古寨 is a place name."""
    after = text[end + 1 : end + 2]
    return text[end : end + 1] == "长" and text[end - 1 : end] in "部局处科厅市县区旗州" and after not in ("期", "效", "远", "城", "江")


def _title_text(text: str, s: int, e: int) -> str:
    """A post as written: a fused head's 长 reads with its body's last letter (部长, 局长)."""
    return text[s - 1 : e] if e - s == 1 and _fused_head(text, s) else text[s:e]


def _gap_ok(gap: str) -> bool:
    """What may stand between the pieces of a post chain: nothing, a space, 、, 兼 (县委副书记兼
    县长) or a remark in brackets (党组书记(主持行政工作)王建珍)."""
    return PAREN_RE.sub("", gap).strip(" \u3000") in ("", "、", "兼")


def _read_posts(text: str, items: list, start: int, ev: str, post, emit) -> None:
    """Posts written before names, read left to right through one sentence.

    A chain of bodies and posts joined by 、 ends in a name: 县委常委、常务副县长张三
    (常委 of the county committee, 常务副县长 of the county government), 县委副书记、
    县政府党组书记、副县长李四. Names listed after the first share its posts (副主任
    张三、李四); a post right after a named one keeps its body (纪检监察组组长张三、
    副组长李四), and so does a post that opens a later clause (…主任张三主持，副主任
    李四出席). A name may follow its post after 的 (时任村党支部书记的张三), and a post may
    follow the name of a body's member (县委袁胜良书记). Anything else between the pieces
    ends the chain.
    """
    near = None  # the body the next post belongs to
    pending: list[tuple[str, int, object]] = []  # (title, position, near) read since the last name
    shared: list = []  # the posts of the last name, for names listed after it
    last_body = None  # the body of the sentence's last named post (…副主任张三主持，副主任李四出席)
    body_of_named = None  # (person, body) of a name written right after a body, whose post may follow it
    prev_end, prev_kind = start, None
    for s, e, m in items:
        gap = text[prev_end:s]
        kind = "title" if m is None else ("person" if m.type == "PERSON" else "body")
        after_post = PAREN_RE.sub("", gap).strip(" \u3000")  # 执行主席(按姓氏笔划为序)：王文华、…
        joined = kind == "person" and (
            prev_kind == "person" and gap in ("和", "与", "及") or prev_kind == "title" and after_post in ("的", "：", ":")
        )
        if not _gap_ok(gap) and not joined:
            near, pending, shared = None, [], []
        if kind == "title" and prev_kind == "person" and gap == "" and body_of_named is not None:
            # 县委袁胜良书记, 省农业农村厅李锋处长: the post written after the name
            emit(body_of_named[0], post(body_of_named[1], _title_text(text, s, e), s, ev), ev)
            body_of_named, near, pending, shared = None, None, [], []
        elif kind == "body":
            near, shared, body_of_named = m, [], None
        elif kind == "title":
            pending.append((_title_text(text, s, e), s, near if near is not None or pending else last_body))
            shared, body_of_named = [], None
        else:
            body_of_named = (m, near) if prev_kind == "body" and not pending and gap == "" else None
            if pending and prev_kind == "title" and after_post in ("", "的", "：", ":"):
                pairs = [pair for title, pos, body_ in pending for pair in post(body_, title, pos, ev)]
                emit(m, pairs, ev)
                shared = pairs
                near = last_body = pending[-1][2]
            elif shared and prev_kind == "person":
                emit(m, shared, ev)
            else:
                near, shared = None, []
            pending = []
        prev_end, prev_kind = e, kind


#: what may stand between the names and 为, 任 or 是: a remark in brackets ((藏族)), the count
#: of a list (等18人), 同志
LIST_JOINS = ("、", "和", "与", "及")
LISTED_RE = re.compile(r"(?:[（(][^（）()]{1,12}[)）])?(?:等[0-9一二三四五六七八九十百余多]*[人名位])?(?:同志)?")
APPOINT_RE = re.compile("(?:同志)?(?:[^，。；,;：:“”]{0,12}?)(当选为|当选|任命为|提名为|担任|出任|兼任|调任|辞去|免去|不再担任|任|为|是)")


def _read_appointments(text: str, items: list, ev: str, post, emit) -> None:
    """Posts written after names: 任命张三同志为某县人民政府副县长、代理县长,
    李四同志辞去…县长职务, 张三、李四当选为县人大常委会副主任, 王五和赵六当选副县长."""
    i = 0
    while i < len(items):
        s, e, m = items[i]
        if m is None or m.type != "PERSON":
            i += 1
            continue
        people = [m]
        j = i + 1
        # names in a list, each with its remark in brackets if any (邓本太(藏族)、骆玉林)
        while j < len(items) and _is_person(items[j][2]) and PAREN_RE.sub("", text[people[-1].end : items[j][0]]) in LIST_JOINS:
            people.append(items[j][2])
            j += 1
        end = people[-1].end
        after = APPOINT_RE.match(text, end)
        # 为, 任 and 是 give a post only right after the names (张三同志为…, 张三、李四等18人为…,
        # 彭兴利是…党支部书记), not in 为…带来
        lead = LISTED_RE.match(text, end)
        if after is None or (after.group(1) in ("为", "任", "是") and after.start(1) != lead.end()):
            i = j
            continue
        pos, near, pairs = after.end(), None, []
        while j < len(items) and items[j][0] >= pos:
            s2, e2, m2 = items[j]
            if not _gap_ok(text[pos:s2]):
                break
            if m2 is None:
                pairs.extend(post(near, _title_text(text, s2, e2), s2, ev))
            elif m2.type == "PERSON":
                break
            else:
                near = m2
            pos = e2
            j += 1
        if pairs:
            for p in people:
                emit(p, pairs, ev)
        i = j


def _is_person(m: Mention | None) -> bool:
    return m is not None and m.type == "PERSON"


def _dated(r: RelationRef) -> RelationRef:
    m = DATE_RE.search(r.evidence)
    return replace(r, date=m.group()) if m else r


def _together(child: Mention, parent: Mention, places_by_key: dict[str, list[Mention]], sentence_of) -> int:
    """A position whose sentence names both places, else the child's own."""
    parent_sentences = {sentence_of(p.start) for p in places_by_key[parent.key]}
    for p in places_by_key[child.key]:
        if sentence_of(p.start) in parent_sentences:
            return p.start
    return child.start


def _of_level(name: str, level: str, post_level: str) -> bool:
    """Whether a place of `level` has the government a post of `post_level` names: 市长
    is also the mayor of a county-level city (福鼎市, a county in the table)."""
    return level == post_level or (post_level == "city" and level == "county" and name.endswith("市"))


def _government_name(gaz, name: str, adcode: str) -> str:
    """人民政府 of a place, prefixed with its county for a town (兴县高家村镇人民政府)."""
    return gaz.sub_county_prefix(gaz.get(adcode) if adcode else None) + name + "人民政府"


def _branch_name(gaz, village: Mention) -> str:
    """The party branch of a village, prefixed with its county and town as the guide names
    sub-county bodies (互助土族自治县丹麻镇哇麻村党支部)."""
    return gaz.sub_county_prefix(gaz.get(village.adcode) if village.adcode else None) + village.label + "党支部"


def _village_in_name(m: Mention, places: list[Mention]) -> Mention | None:
    """A village or town of the document whose name, without its 村 or 镇, the firm's or
    work's name holds (清河县西野庄农垦…合作社 beside 西野庄村): it lies there. A core that is
    an everyday word (发展村) names nothing."""
    common = common_words()
    for p in places:
        core = p.label[:-1]
        named = len(core) >= 2 and core in m.label and core not in common
        if named and p.attrs.get("level") in ("village", "town") and p.label[-1] in "村镇乡":
            return p
    return None


def _subject_zone(text: str, places: list[Mention]) -> Mention | None:
    """The development zone or park an article is about: the one its headline or lead
    names (湘潭经开区10个重大产业项目竣工投产). Its projects and firms lie there."""
    lead = LEAD_CHARS
    for m in places:
        if m.start >= lead:
            return None
        if m.attrs.get("level") == "zone":
            return m
    return None


def _zone_home(zone: Mention, home_m: Mention | None, places: list[Mention]) -> Mention | None:
    """The place that runs a zone whose name names none written in full: the place its
    name begins with in short (东辽经济开发区 -> 东辽县), else, in a county's or a
    district's own paper, that county (云顶园区 in a 东辽县 paper): the guide puts
    zones and parks PART_OF the county or city that runs them."""
    for p in [home_m, *places] if home_m is not None else places:
        if p.attrs.get("level") in ("county", "city") and any(zone.label.startswith(f) for f in short_forms_of(p.label, p.attrs["level"])):
            return p if p.key != zone.key else None
    if home_m is None or home_m.attrs.get("level") != "county":
        return None
    gaz = load_gazetteer()
    named_elsewhere = any(zone.label[:n] in gaz.by_short or zone.label[:n] in gaz.by_name for n in (2, 3, 4))  # 苏州工业园区
    return None if named_elsewhere else home_m


def _site(
    m: Mention,
    text: str,
    places: list[Mention],
    place_by_label: dict[str, Mention],
    sentence_of,
    home_m: Mention | None,
    subject_zone: Mention | None = None,
):
    """Where a project or organisation is: a place in its name (or the article's zone
    within it: 吉林市欧创实业有限公司 in an article about 吉林市经济技术开发区), the
    place just before it in its sentence (or its paragraph, for organisations), the
    article's zone, else home.

    `places` is in document order, so the places before a mention are a slice.
    """
    gaz = load_gazetteer()
    if (named := _village_in_name(m, places)) is not None:
        return named
    for name, code in m.attrs.get("inner_places", []):
        d = gaz.get(code) if code else None
        if d is not None and d.level == "province":
            continue  # 山西省道地中药材基地 is in the paper's city, not "in the province"
        p = place_by_label.get(name)
        if p is not None and p.attrs.get("level") == "feature":
            continue  # 吕梁山花烂漫…公司 is not sited on the mountain its name begins with
        if subject_zone is not None and subject_zone.attrs.get("parent_name") == name:
            return subject_zone  # 吉林市欧创…公司 in an article about 吉林市经济技术开发区, 吉林市 named or not
        if p is not None:
            return p
        if home_m is not None and code and code == home_m.adcode:
            return home_m  # 周口港物流园项目 in a 周口 paper
    s, _ = sentence_of(m.start)
    scope = s if m.type == "PROJECT" else text.rfind("\n", 0, m.start) + 1
    starts = [p.start for p in places]
    preceding = places[bisect.bisect_left(starts, scope) : bisect.bisect_left(starts, m.start)]
    before = [p for p in preceding if p.attrs.get("level") not in ("province", "feature", "region")]
    if m.type == "ORG":
        before = [p for p in before if p.attrs.get("level") == "zone"]
    zone_ref = [x.start() for x in ANAPHORA_ZONE.finditer(text, scope, m.start)]
    if zone_ref and (not before or zone_ref[-1] > before[-1].start):
        zones = [p for p in places[: bisect.bisect_left(starts, m.start)] if p.attrs.get("level") == "zone"]
        if zones:
            return zones[-1]
    if before:
        return before[-1]
    if subject_zone is not None and m.type == "PROJECT":
        return subject_zone  # an article about a zone lists the projects built there
    # a paper that speaks as its home place (我市, 全县) builds its own projects there
    return home_m if m.type == "PROJECT" and HOME_VOICE_RE.search(text) else None
