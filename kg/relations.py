"""Relations between a document's entities, each with its evidence sentence.

- HOLDS_POSITION: person -> agency/org from the post chain written before the name
  (市住建局党组书记、局长贺建国; 党工委书记、管委会主任白继红) or after it
  (习近平总书记). Posts that imply a body not written (镇长 -> 镇人民政府,
  总书记 -> 中共中央) create that body.
- PART_OF: place -> its direct parent, from the division table or the name.
- LOCATED_IN: agency -> its jurisdiction; project/org -> the place in its name,
  the place just before it in the sentence, or the home jurisdiction.
- PROMOTES: agency -> project it drives in the same sentence or paragraph.
- COOPERATES_WITH: two places joined by 与/和 in a sentence about cooperation.
- CO_MENTION: entities in one sentence, the weakest link.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from kg.extraction import RelationRef, entity_key
from kg.gazetteer import Division, load_gazetteer
from kg.lexicon import TITLES
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
}
PARTY_POSTS = ("书记", "副书记", "党委书记", "党委副书记")
DATE_RE = re.compile(r"(?:19|20)\d{2}年(?:\d{1,2}月(?:\d{1,2}日)?)?")
CO_MENTION_ALL = 20  # sentences naming up to this many entities pair them all
CO_MENTION_WINDOW = 5  # longer lists pair each entity with the next five
COOPERATION_RE = re.compile("合作|协同|共同|一体化|联合|携手|对接|共建")
ANAPHORA_ZONE = re.compile("开发区|园区")


def _title_chain(gap: str) -> str | None:
    """The posts written in `gap` (党组书记、局长), or None if it holds anything else."""
    bare = PAREN_RE.sub("", gap)
    if not bare:
        return None
    for piece in bare.split("、"):
        if not piece or not TITLE_RE.fullmatch(piece):
            return None
    return gap


def find_relations(text: str, mentions: list[Mention], sentences: list[tuple[int, int]], home: Division | None):
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
    ents = [m for m in mentions if m.type in ("AGENCY", "ORG", "PLACE", "PERSON") and not m.attrs.get("nested")]
    for i, person in enumerate(ents):
        if person.type != "PERSON":
            continue
        ev = evidence(person.start)
        after = text[person.end : person.end + 3]
        if after == "总书记":
            central = body("中共中央", None, ev)
            rels.append(RelationRef(person.key, central.key, "HOLDS_POSITION", "总书记", ev))
            continue
        right = person.start
        j = i - 1
        while j >= 0:
            prev = ents[j]
            if prev.end > right or prev.type == "PERSON":
                break
            gap = text[prev.end : right].rstrip("、")
            chain = _title_chain(gap)
            if chain is None:
                break
            if prev.type in ("AGENCY", "ORG"):
                implied_posts = [t for t in PAREN_RE.sub("", chain).split("、") if t in IMPLIED_BODY]
                own = "、".join(t for t in chain.split("、") if t not in implied_posts) if implied_posts else chain
                if own:
                    rels.append(RelationRef(person.key, prev.key, "HOLDS_POSITION", own, ev))
                    if prev.attrs.get("parent_agency"):
                        parent = entity_key("AGENCY", prev.attrs["parent_agency"])
                        unit = prev.label[len(prev.attrs["parent_agency"]) :]
                        rels.append(RelationRef(person.key, parent, "HOLDS_POSITION", unit + own, ev))
                for t in implied_posts:
                    town = _last_place(prev.attrs.get("nested_places", []), "town")
                    if town is not None:
                        gov = body(
                            _government_name(gaz, town.canonical, town.attrs.get("adcode", "")), place_by_label.get(town.canonical), ev
                        )
                        rels.append(RelationRef(person.key, gov.key, "HOLDS_POSITION", t, ev))
            elif prev.type == "PLACE" and prev.attrs.get("level") in ("town", "county", "city"):
                posts = PAREN_RE.sub("", chain).split("、")
                for t in posts:
                    if t in IMPLIED_BODY:
                        gov = body(_government_name(gaz, prev.label, prev.adcode), prev, ev)
                        rels.append(RelationRef(person.key, gov.key, "HOLDS_POSITION", t, ev))
                    elif t in PARTY_POSTS:
                        name = join_name(prev.label, "委") if prev.attrs.get("level") != "town" else prev.label + "党委"
                        party = body(name, prev, ev)
                        rels.append(RelationRef(person.key, party.key, "HOLDS_POSITION", t, ev))
                break
            right = prev.start
            j -= 1

    # PART_OF
    seen_parts = set()
    for m in places:
        parent = None
        d = gaz.get(m.adcode) if m.adcode else None
        if d is not None:
            parent = place_by_code.get(d.parent)
        if parent is None and m.attrs.get("parent_name"):
            parent = place_by_label.get(m.attrs["parent_name"])
        if parent is not None and parent.key != m.key and (m.key, parent.key) not in seen_parts:
            seen_parts.add((m.key, parent.key))
            rels.append(RelationRef(m.key, parent.key, "PART_OF", "", evidence(_together(m, parent, places_by_key, sentence_of))))

    # LOCATED_IN for agencies, orgs, projects
    for m in mentions:
        if m.type == "AGENCY" and not m.attrs.get("national"):
            place = place_by_code.get(m.attrs.get("located_code", "")) or place_by_label.get(m.attrs.get("located_in", ""))
            if place is None and m.attrs.get("nested_places"):
                place = place_by_label.get(m.attrs["nested_places"][-1].canonical)
            if place is not None:
                rels.append(RelationRef(m.key, place.key, "LOCATED_IN", "", evidence(m.start)))
        elif m.type in ("PROJECT", "ORG"):
            place = _site(m, text, places, place_by_label, sentence_of, home_m)
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


def _last_place(chain: list, level: str):
    for p in reversed(chain):
        if p.attrs.get("level") == level:
            return p
    return None


def _government_name(gaz, name: str, adcode: str) -> str:
    """人民政府 of a place, prefixed with its county for a town (兴县高家村镇人民政府)."""
    d = gaz.get(adcode) if adcode else None
    if d is not None and d.level == "town":
        county = gaz.parent(d)
        if county is not None:
            return county.name + d.name + "人民政府"
    return name + "人民政府"


def _site(m: Mention, text: str, places: list[Mention], place_by_label: dict[str, Mention], sentence_of, home_m: Mention | None):
    """Where a project or organisation is: a place in its name, the place just
    before it in its sentence (or its paragraph, for organisations), else home.

    `places` is in document order, so the places before a mention are a slice.
    """
    gaz = load_gazetteer()
    for name, code in m.attrs.get("inner_places", []):
        d = gaz.get(code) if code else None
        if d is not None and d.level == "province":
            continue  # 山西省道地中药材基地 is in the paper's city, not "in the province"
        p = place_by_label.get(name)
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
    return home_m
