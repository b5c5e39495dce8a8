"""kg's spaCy pipeline: pkuseg words, then rule components that find entity spans.

Each rule family is a registered component (``@Language.factory``), so the
pipeline is inspectable (``nlp.pipe_names``), configurable and can be extended
with a learned NER. They share candidates on ``doc.user_data``; the last
component, ``kg_entities``, picks non-overlapping spans, splits tokens where a
span boundary falls inside a word, and sets ``doc.ents``. Each entity span
carries ``span._.kg``: its canonical name and what the rule learned (division
code, nested places, jurisdiction).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from functools import cache

from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.gazetteer import load_gazetteer
from kg.lexicon import DEPARTMENTS, NATIONAL_BODIES
from kg.nlp.ner import make_learned_ner  # noqa: F401  (registers kg_learned_ner)
from kg.nlp.rules.agencies import find_agencies
from kg.nlp.rules.base import candidates, token_boundaries
from kg.nlp.rules.jurisdiction import detect_jurisdiction, resolve_places
from kg.nlp.rules.merge import select
from kg.nlp.rules.orgs import find_orgs
from kg.nlp.rules.persons import find_persons
from kg.nlp.rules.places import find_places
from kg.nlp.rules.policies import find_policies
from kg.nlp.rules.projects import find_projects
from kg.nlp.segmenter import make_nlp

COMPONENTS = ("kg_places", "kg_agencies", "kg_persons", "kg_orgs", "kg_projects", "kg_policies", "kg_learned_ner", "kg_entities")

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
    return [c for c in candidates(doc) if c.label == "PLACE"]


@Language.factory("kg_places")
def make_places(nlp: Language, name: str):
    """Places from the division table and patterns; then the home jurisdiction."""

    def component(doc: Doc) -> Doc:
        _text(doc), _bounds(doc)  # computed once here, read by every family after
        places = find_places(doc)
        resolve_places(places)
        candidates(doc).extend(places)
        j = detect_jurisdiction(_text(doc), places)
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


_rule_component(
    "kg_agencies", lambda doc: find_agencies(_text(doc), _places_of(doc), _jurisdiction(doc)), "Agencies, named by the jurisdiction."
)
_rule_component("kg_persons", lambda doc: find_persons(_text(doc)), "People framed by posts, speech, roles, bylines.")
_rule_component("kg_orgs", lambda doc: find_orgs(_text(doc), _places_of(doc), _bounds(doc)), "Companies and other organisations.")
_rule_component("kg_projects", lambda doc: find_projects(_text(doc), _places_of(doc), _bounds(doc)), "Projects by head word.")
_rule_component("kg_policies", lambda doc: find_policies(_text(doc), _bounds(doc)), "Quoted, booked and headed programmes.")


@Language.factory("kg_entities")
def make_entities(nlp: Language, name: str):
    """Final spans: non-overlapping, token-aligned, with their facts on span._.kg."""

    def component(doc: Doc) -> Doc:
        cands = candidates(doc)
        chosen = select(cands)

        places = [c for c in cands if c.label == "PLACE" and c.attrs.get("source") != "learned"]  # rule places know their code
        for c in chosen:
            if c.label in ("PROJECT", "ORG"):
                inner = [p for p in places if c.start <= p.start and p.end <= c.end]
                c.attrs["inner_places"] = sorted({(p.canonical, p.attrs.get("adcode", "")) for p in inner})
        doc = _split_tokens_at(doc, {x for c in chosen for x in (c.start, c.end)})
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


@cache
def load_pipeline(learned_ner: bool = True) -> Language:
    """The full kg pipeline (cached per process; loading takes about a second).

    `learned_ner` False leaves out ``kg_learned_ner``: rules only, faster (1.6x on the seeds),
    without the names that no rule frames.
    """
    nlp = make_nlp(user_words())
    for component in COMPONENTS:
        if learned_ner or component != "kg_learned_ner":
            nlp.add_pipe(component)
    return nlp
