"""kg's spaCy pipeline: pkuseg words, the learned tagger, the rules, then the merge.

``kg_learned_ner`` decides where entities are and of which type; the rule components
(``kg_places``, ``kg_agencies``) know the division map and the department names, so
they give those spans canonical names, division codes and jurisdictions. With the
learned tagger left out (``kg build --no-learned-ner``) the rule families decide
alone, as kg did before it learned the genre. Every family is a registered component
(``@Language.factory``), so the pipeline is inspectable (``nlp.pipe_names``). They
share candidates on ``doc.user_data``; the last component, ``kg_entities``, picks the
spans (:mod:`kg.nlp.rules.merge`), splits tokens where a span boundary falls inside a
word, and sets ``doc.ents`` and the posts ``doc.spans["kg_titles"]``. Each entity span
carries ``span._.kg``: its canonical name and what the rules know of it (division
code, nested places, jurisdiction).
"""

from __future__ import annotations

import bisect
import gc
import sys
from collections.abc import Callable
from functools import cache

from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.collector import cycle_collection_paused
from kg.gazetteer import load_gazetteer
from kg.lexicon import DEPARTMENTS, NATIONAL_BODIES
from kg.nlp.ner import make_learned_ner  # noqa: F401  (registers kg_learned_ner)
from kg.nlp.rules.agencies import (
    PlaceIndex,
    agency_from_span,
    find_agencies,
    is_party_body,
    is_zone_body,
    names_a_sector,
    without_visiting_group,
)
from kg.nlp.rules.base import candidates, token_boundaries
from kg.nlp.rules.jurisdiction import detect_jurisdiction, resolve_places
from kg.nlp.rules.merge import is_learned, select, settle
from kg.nlp.rules.orgs import find_orgs
from kg.nlp.rules.persons import find_persons
from kg.nlp.rules.places import OLD_TOWN_RE, find_places, places_for_tagged, without_name_tails
from kg.nlp.rules.policies import find_policies
from kg.nlp.rules.projects import find_projects
from kg.nlp.segmenter import make_nlp

#: The default pipeline: the tagger decides, the rules name.
COMPONENTS = ("kg_learned_ner", "kg_places", "kg_agencies", "kg_entities")
#: The rules alone (``learned_ner=False``): every family proposes, the longest span wins.
RULE_COMPONENTS = ("kg_places", "kg_agencies", "kg_persons", "kg_orgs", "kg_projects", "kg_policies", "kg_entities")
TITLES_KEY = "kg_titles"

if not Doc.has_extension("jurisdiction"):
    Doc.set_extension("jurisdiction", default=None)
if not Span.has_extension("kg"):
    Span.set_extension("kg", default=None)


def _text(doc: Doc) -> str:
    """doc.text, computed once: spaCy rebuilds the string on every access."""
    if "kg_text" not in doc.user_data:
        doc.user_data["kg_text"] = doc.text
    return doc.user_data["kg_text"]


def _bounds(doc: Doc) -> set[int]:
    """The segmenter's word boundaries, computed once per document."""
    if "kg_bounds" not in doc.user_data:
        doc.user_data["kg_bounds"] = token_boundaries(doc)
    return doc.user_data["kg_bounds"]


def _places_of(doc: Doc) -> list:
    """The rule places, less those read inside a person's name (永胜 in 高永胜): the bodies,
    firms and works named after them must not take them for a place."""
    return _outside_persons(doc, [c for c in candidates(doc) if c.label == "PLACE" and not is_learned(c)])


def _outside_persons(doc: Doc, places: list) -> list:
    """`places` less those inside a name the tagger calls a person's."""
    persons = [(c.start, c.end) for c in _learned(doc, "PERSON")]
    return [p for p in places if not any(s <= p.start and p.end <= e for s, e in persons)]


def _learned(doc: Doc, label: str) -> list:
    return [c for c in candidates(doc) if c.label == label and is_learned(c)]


@Language.factory("kg_places")
def make_places(nlp: Language, name: str):
    """Places from the division table and patterns, and a named place for every span the
    tagger calls a place; then the home jurisdiction.

    With the tagger on, only the places it confirms vote for the jurisdiction and
    settle ambiguous names (a short form read inside a person's name, 南山 in 李南山, must not).
    """

    def component(doc: Doc) -> Doc:
        text, _ = _text(doc), _bounds(doc)  # computed once here, read by every family after
        places = find_places(doc)
        old_towns = {c.start: c for c in places if c.attrs.get("level") == "district"}
        for c in _learned(doc, "PLACE"):
            town = old_towns.get(c.start)
            if (
                town is not None
                and town.end > c.end
                and OLD_TOWN_RE.fullmatch(text, c.end, town.end)
                # 垣曲县|古城镇: a town of that name is tagged there
                and not any(c.end <= x.start < town.end for x in candidates(doc) if is_learned(x))
            ):
                c.end, c.canonical = town.end, text[c.start : town.end]  # 榆次|老城: the old town is the place
        tagged = [(c.start, c.end) for c in _learned(doc, "PLACE")]
        voters = places
        if tagged:
            derived, voters = places_for_tagged(text, places, tagged)
            places += derived
        else:  # no place tagged: the places outside the people's names it found (not 建华 in 李建华)
            voters = _outside_persons(doc, places)
        names = [c for c in candidates(doc) if is_learned(c) and c.label in ("PLACE", "ORG", "PROJECT", "POLICY")]
        voters = without_name_tails(voters, names)
        resolve_places(places, voters)
        candidates(doc).extend(places)
        j = detect_jurisdiction(text, voters)
        doc._.jurisdiction = j.code if j else None
        return doc

    return component


def _jurisdiction(doc: Doc):
    return load_gazetteer().get(doc._.jurisdiction) if doc._.jurisdiction else None


def _rule_component(name: str, find: Callable[[Doc], list], doc_: str) -> None:
    """Register a rule family as a spaCy component that adds its candidates."""

    def make(nlp: Language, name: str) -> Callable[[Doc], Doc]:
        def component(doc: Doc) -> Doc:
            candidates(doc).extend(find(doc))
            return doc

        return component

    make.__doc__ = doc_
    Language.factory(name, func=make)


def _agencies(doc: Doc) -> list:
    """Agencies by department name, and a named agency for every span the tagger calls one."""
    text, places, j = _text(doc), _places_of(doc), _jurisdiction(doc)
    index = PlaceIndex(text, places)
    for c in _learned(doc, "ORG"):
        if is_party_body(c.canonical):
            c.label = "AGENCY"  # a democratic party is a public body (ANNOTATION.md), 农工党 as much as 民建市委
    learned = _learned(doc, "AGENCY")
    for c in learned:
        end = without_visiting_group(text, c.start, c.end)
        c.end, c.canonical = end, c.canonical[: end - c.start]  # 市政协|调研组: the body is the entity
    # a zone's own body (某县工业园区管理委员会) lies in the zone: derived from the span, it names the zone
    zone_bodies = {(c.start, c.end) for c in learned if is_zone_body(text, c.start, c.end)}
    found = [c for c in find_agencies(text, places, j) if (c.start, c.end) not in zone_bodies]
    at = {(c.start, c.end) for c in found}
    for c in learned:
        if names_a_sector(text, c.end):
            candidates(doc).remove(c)  # 住建部门 is a sector, not the ministry
        elif (c.start, c.end) not in at:
            derived = agency_from_span(text, c.start, c.end, places, j, index)
            derived.attrs["source"] = "derived"
            found.append(derived)
    return found


_rule_component("kg_agencies", _agencies, "Agencies, named by the jurisdiction.")
_rule_component("kg_persons", lambda doc: find_persons(_text(doc)), "People framed by posts, speech, roles, bylines.")
_rule_component("kg_orgs", lambda doc: find_orgs(_text(doc), _places_of(doc), _bounds(doc)), "Companies and other organisations.")
_rule_component("kg_projects", lambda doc: find_projects(_text(doc), _places_of(doc), _bounds(doc)), "Projects by head word.")
_rule_component("kg_policies", lambda doc: find_policies(_text(doc), _bounds(doc)), "Quoted, booked and headed programmes.")


@Language.factory("kg_entities")
def make_entities(nlp: Language, name: str):
    """Final spans: non-overlapping, token-aligned, with their facts on span._.kg."""

    def component(doc: Doc) -> Doc:
        cands = candidates(doc)
        chosen, titles = select(cands)
        chosen = _without_overlaps(settle(chosen, _text(doc), _bounds(doc)))

        places = [c for c in cands if c.label == "PLACE" and not is_learned(c)]  # rule places know their code
        for c in chosen:
            if c.label in ("PROJECT", "ORG"):
                ranked_in = {(p.start, p.end) for p in c.attrs.get("nested_places", [])}  # 华北地区最大的…基地 is not in 华北
                inside = (p for p in places if c.start <= p.start and p.end <= c.end and (p.start, p.end) not in ranked_in)
                inner = sorted(inside, key=lambda p: (p.start, -p.length))
                # in the order written: the first place named is where it is (温州泉州商会 is in 温州)
                c.attrs["inner_places"] = list(dict.fromkeys((p.canonical, p.attrs.get("adcode", "")) for p in inner))
        doc = _split_tokens_at(doc, {x for c in chosen + titles for x in (c.start, c.end)})
        doc.spans[TITLES_KEY] = [span for c in titles if (span := doc.char_span(c.start, c.end, label="TITLE")) is not None]
        ents = []
        for c in chosen:
            span = doc.char_span(c.start, c.end, label=c.label)
            if span is None:
                continue
            span._.kg = {"canonical": c.canonical, **c.attrs}
            ents.append(span)
        doc.ents = ents
        doc.user_data.pop("kg_candidates", None)
        doc.user_data.pop("kg_bounds", None)
        return doc

    return component


def _without_overlaps(chosen: list) -> list:
    """The spans in text order, each overlapping an earlier one left out: doc.ents takes no
    overlaps, and one bad span must not cost an archive build its document."""
    out: list = []
    for c in sorted(chosen, key=lambda c: (c.start, -c.end)):
        if not out or c.start >= out[-1].end:
            out.append(c)
    return out


def _split_tokens_at(doc: Doc, cuts: set[int]) -> Doc:
    """Split words where an entity boundary falls inside them (pkuseg's 市发改委将)."""
    starts = doc.to_array(IDX).tolist()
    inside: dict[int, list[int]] = {}  # token index -> the cuts strictly inside it
    for c in sorted(cuts):
        i = bisect.bisect_right(starts, c) - 1
        if i >= 0 and starts[i] < c < starts[i] + len(doc[i]):
            inside.setdefault(i, []).append(c - starts[i])
    with doc.retokenize() as retok:
        for i, inner in inside.items():
            token = doc[i]
            bounds = [0, *inner, len(token.text)]
            orths = [token.text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
            retok.split(token, orths, heads=[(token, 0)] * len(orths))
    return doc


def user_words() -> list[str]:
    """Names pkuseg must keep whole: divisions of 3+ characters and department names.

    Towns are left out: their names are often ordinary words plus 乡/镇 (建设乡,
    发展乡), and a forced word would break 建设乡村 apart.
    """
    gaz = load_gazetteer()
    words = {n for n, divs in gaz.by_name.items() if len(n) >= 3 and any(d.level != "town" for d in divs)}
    words.update(d for full, abbrevs in DEPARTMENTS.items() for d in (full, *abbrevs) if len(d) >= 3 and not d.startswith("委"))
    words.update(d for full, abbrevs in NATIONAL_BODIES.items() for d in (full, *abbrevs) if len(d) >= 3)
    return sorted(words)


def release_models() -> None:
    """Forget every model and table kg has loaded in this process (the pipeline, the taggers,
    the division table, the rules' matchers): each is a functools cache of a kg module,
    cleared here, so that it loads again when next asked for."""
    for name, module in list(sys.modules.items()):
        if name == "kg" or name.startswith("kg."):
            for obj in list(vars(module).values()):
                if callable(getattr(obj, "cache_clear", None)):
                    obj.cache_clear()
    gc.collect()


@cache
def load_pipeline(learned_ner: bool = True) -> Language:
    """The full kg pipeline (cached per process; loading takes about a second).

    `learned_ner` False: the rule families alone decide (:data:`RULE_COMPONENTS`); faster,
    but they find only the names their cue words frame.
    """
    with cycle_collection_paused():  # 300,000 lasting objects: collections only slow the load
        nlp = make_nlp(user_words())
        gc.disable()  # srsly's msgpack loader (pkuseg's model) turns the collector back on
        # no component reads a word's lexical attributes (shape, like_num, stop word …), and
        # spaCy computes all 23 for every new word, anew in each memory zone (7 % of the
        # extraction of the regional news)
        nlp.vocab.lex_attr_getters = {}
        for component in COMPONENTS if learned_ner else RULE_COMPONENTS:
            nlp.add_pipe(component)
    return nlp
