"""Query the built knowledge graph from Python and notebooks.

``kg build`` leaves ``graph.graphml`` (plus HTML and CSV views) in an output
directory.  Reading that file with networkx gives every fact, but answering an
everyday question with it ("who runs 晋中市发改委?", "which projects are in 兴县?")
means knowing the node-id scheme, that titles live on HOLDS_POSITION edges,
that PART_OF points child → parent, and that CO_MENTION edges swamp every
neighbourhood.  :class:`KnowledgeGraph` encodes that knowledge once::

    from kg.explore import load
    g = load("output")                      # or "output/graph.graphml"
    g.officials("晋中市发展和改革委员会")       # people, titles, evidence
    g.projects_in("兴县")                     # includes towns and zones under it
    g.path("韩亮", "太原市")                  # via stated relations, not co-mentions

Entities are named the way people name them: node id, canonical label, any
alias seen in the articles (市发改委), or a place's division code.  A name that
is unknown or ambiguous raises a :class:`KeyError` subclass whose message lists
close matches, because in a notebook the next step after a miss is almost
always "what is it called, then?".

Every query answers with a pandas DataFrame, ready to filter, sort and show:
:meth:`KnowledgeGraph.entities` and :meth:`KnowledgeGraph.relations` have the
columns of ``entities.csv`` / ``relations.csv`` (so code written against the CSVs
and against this API agrees); people's posts have the fields of :class:`Post`,
lists of entities those of :class:`Entity` (a path in its order), evidence those
of :class:`Evidence`.  pandas and matplotlib (:func:`use_cjk_font`) are imported
only when used, so :meth:`~KnowledgeGraph.lookup`, :meth:`~KnowledgeGraph.outline`,
:meth:`~KnowledgeGraph.subgraph` and :meth:`~KnowledgeGraph.write` work without them.
"""

from __future__ import annotations

import difflib
import os
import warnings
from collections import deque
from collections.abc import Collection, Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

import networkx as nx

from kg.readwrite.csv import ENTITY_COLUMNS, RELATION_COLUMNS
from kg.readwrite.graphml import read_graphml, sorted_edges, sorted_nodes

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

__all__ = [
    "AmbiguousEntity",
    "CJK_FONTS",
    "DEFAULT_IGNORE",
    "ENTITY_TYPES",
    "Entity",
    "Evidence",
    "GRAPH_FILE",
    "KnowledgeGraph",
    "NoPath",
    "Post",
    "RELATION_TYPES",
    "UnknownEntity",
    "load",
    "use_cjk_font",
]

#: The file :func:`load` reads from an output directory.
GRAPH_FILE = "graph.graphml"

ENTITY_TYPES = ("PLACE", "PERSON", "AGENCY", "ORG", "PROJECT", "POLICY")
RELATION_TYPES = ("HOLDS_POSITION", "PART_OF", "LOCATED_IN", "PROMOTES", "COOPERATES_WITH", "CO_MENTION")

#: Relations left out of graph walks by default.  CO_MENTION only says that two
#: names share a sentence; in the seeds it is ~3/4 of all edges and links
#: almost everything to everything in two hops, which makes paths and
#: neighbourhoods meaningless.
DEFAULT_IGNORE: tuple[str, ...] = ("CO_MENTION",)


def _split(value: Any) -> tuple[str, ...]:
    """A "|"-joined attribute as a tuple (empty and missing values give ())."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(str(v) for v in value if v not in (None, ""))
    return tuple(s for s in str(value).split("|") if s)


def _text(value: Any) -> str | None:
    """Attribute as text; empty strings (how GraphML stores "none") become None."""
    if value is None:
        return None
    s = str(value)
    return s or None


@dataclass(frozen=True)
class Entity:
    """One node of the graph, with its "|"-joined attributes split into tuples."""

    id: str
    label: str
    type: str
    aliases: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()
    mentions: int = 0
    adcode: str | None = None
    level: str | None = None
    posts: tuple[str, ...] = ()

    @classmethod
    def from_node(cls, node_id: str, attrs: dict[str, Any]) -> Entity:
        mentions = attrs.get("mentions")
        return cls(
            id=node_id,
            label=_text(attrs.get("label")) or node_id,
            type=_text(attrs.get("type")) or "?",
            aliases=_split(attrs.get("aliases")),
            docs=_split(attrs.get("docs")),
            mentions=int(mentions) if isinstance(mentions, (int, float)) else 0,
            adcode=_text(attrs.get("adcode")),
            level=_text(attrs.get("level")),
            posts=_split(attrs.get("posts")),
        )

    def __str__(self) -> str:
        return f"{self.label} ({self.type})"


@dataclass(frozen=True)
class Post:
    """A HOLDS_POSITION fact: a person, one title as written, the body they serve.

    Flat strings rather than nested entities so that a list of posts turns
    straight into a readable table (``pandas.DataFrame(posts)``).
    """

    person: str
    title: str
    organisation: str
    person_id: str
    organisation_id: str
    docs: tuple[str, ...] = ()
    evidence: str = ""


@dataclass(frozen=True)
class Evidence:
    """One edge between two entities with the sentence it was read from."""

    source: str
    type: str
    target: str
    title: str
    sentence: str
    docs: tuple[str, ...]
    source_id: str
    target_id: str


class UnknownEntity(KeyError):
    """No entity has this name, id, alias or division code.

    A ``KeyError`` so that ``except KeyError`` and ``name in g`` idioms work;
    ``suggestions`` holds close names ("label (TYPE)") to try instead.
    """

    def __init__(self, name: str, suggestions: Iterable[str] = ()) -> None:
        self.name = name
        self.suggestions = list(suggestions)
        super().__init__(name)

    def __str__(self) -> str:
        msg = f"no entity named {self.name!r}"
        if self.suggestions:
            msg += "; did you mean: " + ", ".join(self.suggestions) + "?"
        return msg


class NoPath(UserWarning):
    """:meth:`KnowledgeGraph.path` found nothing; the message says why."""


class AmbiguousEntity(KeyError):
    """The name is an alias of several entities (县委宣传部 in two counties).

    Raised instead of guessing, because a silently wrong choice gives wrong
    answers that look right; ``candidates`` lists the matching entities, any of
    which can be passed (or its id) instead.
    """

    def __init__(self, name: str, candidates: Iterable[Entity]) -> None:
        self.name = name
        self.candidates = list(candidates)
        super().__init__(name)

    def __str__(self) -> str:
        options = ", ".join(f"{e.label} ({e.type}, id {e.id})" for e in self.candidates)
        return f"{self.name!r} names several entities: {options}; pass an id, a full name or type="


#: Anything that names an entity: an :class:`Entity`, a node id, a label, an
#: alias or a division code.
EntityRef = Entity | str


class KnowledgeGraph:
    """Read-only queries over a kg graph (a networkx ``MultiDiGraph``).

    ``graph`` is the underlying networkx graph, for anything not covered here;
    treat it as read-only (the lookup indexes are built once, in ``__init__``).
    """

    def __init__(self, graph: nx.Graph, source: Path | None = None) -> None:
        if not (graph.is_multigraph() and graph.is_directed()):
            graph = nx.MultiDiGraph(graph)  # the queries read edge keys and direction
        self.graph: nx.MultiDiGraph = graph
        self.source = source
        self._by_label: dict[str, list[str]] = {}
        self._by_alias: dict[str, list[str]] = {}
        self._by_adcode: dict[str, str] = {}
        for n in sorted_nodes(graph):
            attrs = graph.nodes[n]
            label = _text(attrs.get("label")) or str(n)
            self._by_label.setdefault(label, []).append(n)
            for alias in _split(attrs.get("aliases")):
                self._by_alias.setdefault(alias, []).append(n)
            code = _text(attrs.get("adcode"))
            if code and attrs.get("type") == "PLACE":
                self._by_adcode.setdefault(code, n)
        self._children_cache: dict[str, set[str]] | None = None
        self._undirected_cache: dict[frozenset[str], nx.Graph] = {}

    # -- basics ---------------------------------------------------------

    def __repr__(self) -> str:
        where = f" from {self.source}" if self.source else ""
        return f"<KnowledgeGraph{where}: {self.graph.number_of_nodes()} entities, {self.graph.number_of_edges()} relations>"

    def __len__(self) -> int:
        return self.graph.number_of_nodes()

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, (str, Entity)):
            return False
        try:
            self.lookup(name)
        except AmbiguousEntity:
            return True
        except KeyError:
            return False
        return True

    def __getitem__(self, name: EntityRef) -> Entity:
        return self.lookup(name)

    def entity(self, node_id: str) -> Entity:
        """The :class:`Entity` of a node id (no name resolution)."""
        if node_id not in self.graph:
            raise UnknownEntity(node_id, self._suggest(node_id))
        return Entity.from_node(node_id, self.graph.nodes[node_id])

    # -- name resolution ------------------------------------------------

    def lookup(self, name: EntityRef, type: str | None = None) -> Entity:
        """The entity called *name*: node id, canonical label, alias or division code.

        Tried in that order, so a canonical name wins over someone else's
        alias.  ``type`` ("AGENCY", "PLACE" ...) narrows the search when the
        same words name entities of different types.  Raises
        :class:`UnknownEntity` (with suggestions) or :class:`AmbiguousEntity`.
        """
        if isinstance(name, Entity):
            name = name.id
        want = type.upper() if type else None

        def fits(ids: Iterable[str]) -> list[str]:
            return [n for n in ids if want is None or self.graph.nodes[n].get("type") == want]

        if name in self.graph and fits([name]):
            return self.entity(name)
        for index in (self._by_label, self._by_alias):
            ids = fits(dict.fromkeys(index.get(name, ())))
            if len(ids) == 1:
                return self.entity(ids[0])
            if ids:
                raise AmbiguousEntity(name, [self.entity(n) for n in ids])
        code = self._by_adcode.get(name)
        if code is not None and fits([code]):
            return self.entity(code)
        raise UnknownEntity(name, self._suggest(name, want))

    def _id(self, name: EntityRef, type: str | None = None) -> str:
        return self.lookup(name, type).id

    def _suggest(self, name: str, type: str | None = None, n: int = 5) -> list[str]:
        """Close names for an error message: substring matches, then difflib.

        Substrings come first because Chinese short forms are usually contained
        in the full name (发改委 in 市发改委), which difflib ranks poorly.
        """
        names: dict[str, set[str]] = {}
        for index in (self._by_label, self._by_alias):
            for key, ids in index.items():
                for node in ids:
                    if type is None or self.graph.nodes[node].get("type") == type:
                        names.setdefault(key, set()).add(node)
        if not name:
            return []
        contained = sorted((k for k in names if name in k or k in name), key=lambda k: (abs(len(k) - len(name)), k))
        close = difflib.get_close_matches(name, list(names), n=n, cutoff=0.5)
        out: list[str] = []
        for key in [*contained, *close]:
            for node in sorted(names[key]):
                e = Entity.from_node(node, self.graph.nodes[node])
                text = str(e) if key == e.label else f"{key} → {e}"
                if text not in out:
                    out.append(text)
        return out[:n]

    # -- tables ---------------------------------------------------------

    def entities(self, type: str | Iterable[str] | None = None, doc: str | None = None) -> pd.DataFrame:
        """Entities as a table with the columns of ``entities.csv``.

        ``type`` keeps one or several entity types; ``doc`` keeps entities seen
        in that document (an id such as ``000_c2f7df7086115ad4.txt`` or a prefix
        of one, e.g. ``"000"``).  Rows are in CSV order (by id).
        """
        pd = _pandas()
        types = self._entity_types(type)
        rows = []
        for n in sorted_nodes(self.graph):
            a = self.graph.nodes[n]
            if types is not None and a.get("type") not in types:
                continue
            if doc is not None and not _has_doc(a.get("docs"), doc):
                continue
            mentions = a.get("mentions")
            rows.append(
                {
                    "id": str(n),
                    "label": _text(a.get("label")) or str(n),
                    "type": a.get("type"),
                    "aliases": "|".join(_split(a.get("aliases"))),
                    "docs": "|".join(_split(a.get("docs"))),
                    "mentions": int(mentions) if isinstance(mentions, (int, float)) else 0,
                    "adcode": _text(a.get("adcode")),
                    "level": _text(a.get("level")),
                    "posts": "|".join(_split(a.get("posts"))),
                }
            )
        return pd.DataFrame(rows, columns=list(ENTITY_COLUMNS))

    def relations(self, type: str | Iterable[str] | None = None, doc: str | None = None, entity: EntityRef | None = None) -> pd.DataFrame:
        """Relations as a table with the columns of ``relations.csv``.

        ``type`` keeps one or several relation types, ``doc`` relations read in
        that document (id or prefix), ``entity`` the relations of one entity (either
        end).  One row per edge, in CSV order.
        """
        pd = _pandas()
        types = _check_types(type, RELATION_TYPES, {_rel(k, d) for _, _, k, d in self.graph.edges(keys=True, data=True)}, "relation type")
        if entity is not None:
            nid = self._id(entity)
            edges = [(u, v, k, d) for u, v, k, d in sorted_edges(self.graph) if nid in (u, v)]
        else:
            edges = sorted_edges(self.graph)
        rows = []
        for u, v, k, d in edges:
            rel = _rel(k, d)
            if types is not None and rel not in types:
                continue
            if doc is not None and not _has_doc(d.get("docs"), doc):
                continue
            weight = d.get("weight")
            rows.append(
                {
                    "source": str(u),
                    "target": str(v),
                    "type": rel,
                    "title": d.get("title") or "",
                    "docs": "|".join(_split(d.get("docs"))),
                    "evidence": d.get("evidence") or "",
                    "weight": float(weight) if isinstance(weight, (int, float)) else None,
                    "dates": "|".join(_split(d.get("dates"))),
                    "source_label": self._label(u),
                    "target_label": self._label(v),
                }
            )
        return pd.DataFrame(rows, columns=list(RELATION_COLUMNS))

    def degrees(self, type: str | Iterable[str] | None = None, ignore: Collection[str] = DEFAULT_IGNORE) -> pd.DataFrame:
        """How connected each entity is: distinct neighbours and edge count.

        Counted without the ``ignore``d relation types (co-mentions by
        default), so the ranking reflects stated facts, not sentence length.
        Sorted by neighbours, then edges, descending; columns id, label, type,
        neighbours, relations.
        """
        pd = _pandas()
        types = self._entity_types(type)
        rows = []
        for n in sorted_nodes(self.graph):
            a = self.graph.nodes[n]
            if types is not None and a.get("type") not in types:
                continue
            edges = [(v, _rel(k, d)) for _, v, k, d in self.graph.out_edges(n, keys=True, data=True)]
            edges += [(u, _rel(k, d)) for u, _, k, d in self.graph.in_edges(n, keys=True, data=True)]
            edges = [(m, r) for m, r in edges if r not in ignore and m != n]
            rows.append(
                {
                    "id": str(n),
                    "label": self._label(n),
                    "type": a.get("type"),
                    "neighbours": len({m for m, _ in edges}),
                    "relations": len(edges),
                }
            )
        df = pd.DataFrame(rows, columns=["id", "label", "type", "neighbours", "relations"])
        return df.sort_values(["neighbours", "relations", "label"], ascending=[False, False, True], kind="stable").reset_index(drop=True)

    def _entity_types(self, type: str | Iterable[str] | None) -> set[str] | None:
        return _check_types(type, ENTITY_TYPES, {self.graph.nodes[n].get("type") for n in self.graph}, "entity type")

    def _label(self, n: str) -> str:
        return _text(self.graph.nodes[n].get("label")) or str(n)

    # -- people and organisations ---------------------------------------

    def _post(self, person: str, org: str, data: dict[str, Any]) -> Post:
        """The :class:`Post` of one HOLDS_POSITION edge: the graph keeps one edge per
        title (a person who is 党组书记 and 局长 of one body has two), so an edge is one post."""
        return Post(
            person=self._label(person),
            title=data.get("title") or "",
            organisation=self._label(org),
            person_id=person,
            organisation_id=org,
            docs=_split(data.get("docs")),
            evidence=data.get("evidence") or "",
        )

    def officials(self, agency: EntityRef) -> pd.DataFrame:
        """Who holds a post at *agency* (an AGENCY or ORG): one row per title, the columns
        of :class:`Post`.

        A place has officials through its bodies: for a PLACE, the posts at every body
        located in it (北京市 → 北京市委, 北京市人民政府 …), ``organisation`` saying which.
        """
        target = self.lookup(agency)
        bodies = [target.id]
        if target.type == "PLACE":
            bodies = sorted({u for u, _, k, d in self.graph.in_edges(target.id, keys=True, data=True) if _rel(k, d) == "LOCATED_IN"})
        return _frame([p for body in bodies for p in self._officials(body)], Post)

    def _officials(self, org: str) -> list[Post]:
        edges = sorted(self.graph.in_edges(org, keys=True, data=True), key=lambda e: (str(e[0]), str(e[2])))
        return [self._post(u, org, d) for u, _, k, d in edges if _rel(k, d) == "HOLDS_POSITION"]

    def posts(self, person: EntityRef) -> pd.DataFrame:
        """Every post a person holds, by organisation (the columns of :class:`Post`)."""
        pid = self._id(person, "PERSON")
        edges = sorted(self.graph.out_edges(pid, keys=True, data=True), key=lambda e: (str(e[1]), str(e[2])))
        return _frame([self._post(pid, v, d) for _, v, k, d in edges if _rel(k, d) == "HOLDS_POSITION"], Post)

    # -- places ---------------------------------------------------------

    def _children(self) -> dict[str, set[str]]:
        """Place → places directly under it, from PART_OF edges and division codes.

        Both sources are used: codes place every coded division even when no
        article said "X 隶属 Y" (a zone's code starts with its county's), and
        PART_OF edges place what has no code (old towns, villages found by
        pattern).  A coded place hangs under the longest code in the graph that
        prefixes its own, so a village whose town was never mentioned still
        sits under its county.
        """
        if self._children_cache is not None:
            return self._children_cache
        children: dict[str, set[str]] = {}
        for u, v, k, d in self.graph.edges(keys=True, data=True):
            if _rel(k, d) == "PART_OF" and u != v:
                children.setdefault(v, set()).add(u)
        codes = {
            code: n for n in self.graph if self.graph.nodes[n].get("type") == "PLACE" and (code := _text(self.graph.nodes[n].get("adcode")))
        }
        for code, n in codes.items():
            for cut in range(len(code) - 1, 0, -1):
                parent = codes.get(code[:cut])
                if parent is not None:
                    children.setdefault(parent, set()).add(n)
                    break
        self._children_cache = children
        return children

    def _place_order(self, n: str) -> tuple[int, str, str]:
        a = self.graph.nodes[n]
        code = _text(a.get("adcode"))
        return (0 if code else 1, code or "", self._label(n))

    def places_under(self, place: EntityRef, max_depth: int | None = None) -> pd.DataFrame:
        """Places below *place* in the division tree, depth first.

        The order reads as an outline (county, its towns, their villages, next
        county ...); ``max_depth=1`` gives only the direct subdivisions.  The
        place itself is not included.
        """
        root = self._id(place, "PLACE")
        return _frame([self.entity(n) for n, _ in self._walk_down(root, max_depth)], Entity)

    def _walk_down(self, root: str, max_depth: int | None = None) -> Iterator[tuple[str, int]]:
        children = self._children()
        seen = {root}
        stack = [(c, 1) for c in sorted(children.get(root, ()), key=self._place_order, reverse=True)]
        while stack:
            n, depth = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            yield n, depth
            if max_depth is None or depth < max_depth:
                stack.extend((c, depth + 1) for c in sorted(children.get(n, ()), key=self._place_order, reverse=True) if c not in seen)

    def outline(self, place: EntityRef, max_depth: int | None = None) -> str:
        """The division tree under *place* as indented text (for printing)."""
        root = self.lookup(place, "PLACE")
        lines = [f"{root.label} [{root.level or '?'}]"]
        for n, depth in self._walk_down(root.id, max_depth):
            e = self.entity(n)
            lines.append(f"{'  ' * depth}{e.label} [{e.level or '?'}]")
        return "\n".join(lines)

    def located_in(self, place: EntityRef, type: str | None = None, include_subplaces: bool = True) -> pd.DataFrame:
        """Entities with a LOCATED_IN edge to *place* (or, by default, to any place under it).

        ``type`` keeps one entity type (PROJECT, AGENCY, ORG ...).  Sorted by type and label.
        """
        root = self._id(place, "PLACE")
        places = {root}
        if include_subplaces:
            places.update(n for n, _ in self._walk_down(root))
        want = type.upper() if type else None
        found = set()
        for p in places:
            for u, _, k, d in self.graph.in_edges(p, keys=True, data=True):
                if _rel(k, d) == "LOCATED_IN" and (want is None or self.graph.nodes[u].get("type") == want):
                    found.add(u)
        return _frame(sorted((self.entity(n) for n in found), key=lambda e: (e.type, e.label, e.id)), Entity)

    def projects_in(self, place: EntityRef, include_subplaces: bool = True) -> pd.DataFrame:
        """Projects located in *place*, including (by default) places under it."""
        return self.located_in(place, "PROJECT", include_subplaces)

    # -- walking the graph ----------------------------------------------

    def _undirected(self, ignore: Collection[str]) -> nx.Graph:
        """A simple undirected view without the ignored relation types.

        Relations are directed (person → agency), but "how are A and B
        connected" questions are not, and parallel edges do not change
        distances.
        """
        key = frozenset(ignore)
        if key not in self._undirected_cache:
            H = nx.Graph()
            H.add_nodes_from(self.graph)
            H.add_edges_from((u, v) for u, v, k, d in self.graph.edges(keys=True, data=True) if _rel(k, d) not in key and u != v)
            self._undirected_cache[key] = H
        return self._undirected_cache[key]

    def neighbours(self, name: EntityRef, depth: int = 1, ignore: Collection[str] = DEFAULT_IGNORE) -> pd.DataFrame:
        """Entities within *depth* hops of *name* (either direction), nearest first.

        Co-mentions are ignored by default (see :data:`DEFAULT_IGNORE`); pass
        ``ignore=()`` to include them.
        """
        start = self._id(name)
        H = self._undirected(ignore)
        dist = {start: 0}
        queue = deque([start])
        while queue:
            n = queue.popleft()
            if dist[n] >= depth:
                continue
            for m in H.neighbors(n):
                if m not in dist:
                    dist[m] = dist[n] + 1
                    queue.append(m)
        found = sorted((n for n in dist if n != start), key=lambda n: (dist[n], self.graph.nodes[n].get("type") or "", self._label(n), n))
        return _frame([self.entity(n) for n in found], Entity)

    def path(self, a: EntityRef, b: EntityRef, ignore: Collection[str] = DEFAULT_IGNORE, co_mentions: bool = False) -> pd.DataFrame:
        """A shortest chain of entities from *a* to *b*, ignoring edge direction.

        One row per entity of the chain, in order (the columns of :class:`Entity`).
        Stated relations only by default; ``co_mentions=True`` also walks CO_MENTION
        edges (two names in one sentence). An empty table when they are not connected,
        with a warning that says why (:class:`NoPath`):
        how many entities each end reaches, and whether co-mentions would connect them.
        Use :meth:`evidence` on consecutive pairs to see why each hop holds.
        """
        src, dst = self._id(a), self._id(b)
        if co_mentions:
            ignore = [r for r in ignore if r != "CO_MENTION"]
        H = self._undirected(ignore)
        try:
            nodes = nx.shortest_path(H, src, dst)
        except nx.NetworkXNoPath:
            warnings.warn(NoPath(self._no_path_reason(H, src, dst, ignore)), stacklevel=2)
            return _frame([], Entity)
        return _frame([self.entity(n) for n in nodes], Entity)

    def _no_path_reason(self, H: nx.Graph, src: str, dst: str, ignore: Collection[str]) -> str:
        reach = [len(nx.node_connected_component(H, n)) - 1 for n in (src, dst)]
        why = f"no path from {self._label(src)} to {self._label(dst)} without {', '.join(sorted(ignore)) or 'any relation'}"
        why += f": {self._label(src)} reaches {reach[0]} entities, {self._label(dst)} {reach[1]}"
        if ignore:
            try:
                hops = len(nx.shortest_path(self._undirected(()), src, dst)) - 1
                why += f"; with every relation they are {hops} hops apart (path(..., co_mentions=True) or ignore=())"
            except nx.NetworkXNoPath:
                why += "; no relation of any kind connects them"
        return why

    def evidence(self, a: EntityRef, b: EntityRef | None = None, ignore: Collection[str] = ()) -> pd.DataFrame:
        """Every edge between *a* and *b* (both directions) with its evidence sentence;
        with *a* alone, every edge of *a*. The columns of :class:`Evidence`.

        Stated relations come before co-mentions.
        """
        src = self._id(a)
        others = (
            [self._id(b)]
            if b is not None
            else sorted(({v for _, v in self.graph.out_edges(src)} | {u for u, _ in self.graph.in_edges(src)}) - {src})
        )
        found = [e for other in others for e in self._evidence(src, other, ignore)]
        return _frame(sorted(found, key=lambda e: (e.type == "CO_MENTION", e.type, e.source_id, e.target_id, e.title)), Evidence)

    def _evidence(self, src: str, dst: str, ignore: Collection[str]) -> list[Evidence]:
        out = []
        for u, v in {(src, dst), (dst, src)}:
            for k, d in (self.graph.get_edge_data(u, v) or {}).items():
                rel = _rel(k, d)
                if rel in ignore:
                    continue
                out.append(
                    Evidence(
                        source=self._label(u),
                        type=rel,
                        target=self._label(v),
                        title=d.get("title") or "",
                        sentence=d.get("evidence") or "",
                        docs=_split(d.get("docs")),
                        source_id=u,
                        target_id=v,
                    )
                )
        return out

    # -- subgraphs and export -------------------------------------------

    def subgraph(self, names: EntityRef | Iterable[EntityRef], depth: int = 0, ignore: Collection[str] = DEFAULT_IGNORE) -> KnowledgeGraph:
        """The graph induced by some entities and their neighbourhoods.

        ``depth`` hops are taken without the ``ignore``d relations (so one hop
        does not pull in everything co-mentioned); all edges among the chosen
        entities, co-mentions included, are kept.  The result is an
        independent copy and can be written with :meth:`write`.
        """
        if isinstance(names, (str, Entity)):
            names = [names]
        keep: set[str] = set()
        for name in names:
            nid = self._id(name)
            keep.add(nid)
            if depth > 0:
                keep.update(self.neighbours(nid, depth=depth, ignore=ignore).id)
        return KnowledgeGraph(self.graph.subgraph(keep).copy())

    def write(self, outdir: str | os.PathLike[str]) -> list[Path]:
        """Write the files ``kg build`` writes (graph.graphml, graph.html, CSVs ...) to *outdir*.

        It calls the build's own writer, so a subgraph opens in Gephi, the
        browser or a spreadsheet exactly like a full build, and gains any
        output the build gains.  Returns the paths written.
        """
        from kg.build import write_outputs  # deferred: kg.build pulls in every exporter

        return write_outputs(self.graph, Path(outdir))


def load(path: str | os.PathLike[str] = "output") -> KnowledgeGraph:
    """Load a graph written by ``kg build``: an output directory or a .graphml file.

    Raises FileNotFoundError when there is none, ValueError naming the file when it is
    not GraphML."""
    p = Path(path)
    file = p / GRAPH_FILE if p.is_dir() else p
    if not file.is_file():
        hint = f"kg build seeds -o {p}" if p.suffix != ".graphml" else "kg build seeds -o output"
        raise FileNotFoundError(f"no knowledge graph at {file} (build one first, e.g. `{hint}`)")
    try:
        graph = read_graphml(file)
    except (nx.NetworkXError, ElementTree.ParseError, UnicodeDecodeError) as exc:
        raise ValueError(f"{file} is not a GraphML file kg can read: {exc}") from exc
    return KnowledgeGraph(graph, source=file)


#: Font families that cover Chinese, best first (prefixes of matplotlib family names).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK", "Source Han Sans", "WenQuanYi", "SimHei", "Microsoft YaHei", "PingFang")


def use_cjk_font(preferred: Iterable[str] = CJK_FONTS) -> str | None:
    """Make matplotlib draw Chinese labels; returns the font family used, or None.

    matplotlib's default fonts have no CJK glyphs, so labels come out as empty
    boxes.  This picks the first installed family whose name starts with one
    of ``preferred`` (Debian: ``fonts-noto-cjk``), registering system font
    files matplotlib's cache has not seen (fonts installed after matplotlib
    built its cache are otherwise invisible).  Without any CJK font it warns
    and leaves the settings alone: plots still draw, with boxes for labels.
    """
    import matplotlib
    from matplotlib import font_manager

    prefs = list(preferred)

    def find() -> str | None:
        names = sorted({f.name for f in font_manager.fontManager.ttflist})
        for pref in prefs:
            for name in names:
                if name.startswith(pref):
                    return name
        return None

    family = find()
    if family is None:
        keys = ("notosanscjk", "notoserifcjk", "sourcehansans", "wqy", "simhei", "msyh", "pingfang")
        for file in font_manager.findSystemFonts():
            if any(k in Path(file).name.lower().replace("-", "") for k in keys):
                try:
                    font_manager.fontManager.addfont(file)
                except (OSError, RuntimeError, ValueError):  # unreadable font file: try the next
                    continue
        family = find()
    if family is None:
        warnings.warn("no CJK font found (install fonts-noto-cjk); Chinese labels will not render", stacklevel=2)
        return None
    current = list(matplotlib.rcParams["font.sans-serif"])
    matplotlib.rcParams["font.sans-serif"] = [family, *[f for f in current if f != family]]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False  # CJK fonts often lack U+2212
    return family


def _rel(key: Any, data: dict[str, Any]) -> str:
    """An edge's relation type: the ``type`` attribute, else the multigraph key."""
    rel = data.get("type")
    if rel:
        return str(rel)
    return str(key) if isinstance(key, str) else "?"


def _check_types(type: str | Iterable[str] | None, known: Iterable[str], present: set[Any], what: str) -> set[str] | None:
    """Normalise a type filter (case-insensitive); reject names that exist nowhere.

    A misspelt type would otherwise silently select nothing.
    """
    if type is None:
        return None
    wanted = {type.upper()} if isinstance(type, str) else {t.upper() for t in type}
    unknown = wanted - set(known) - present
    if unknown:
        raise ValueError(f"unknown {what} {', '.join(sorted(unknown))}; known: {', '.join(known)}")
    return wanted


def _frame(rows: list, cls: type) -> pd.DataFrame:
    """Query results as a table whose columns are the fields of their dataclass (also when empty)."""
    return _pandas().DataFrame([asdict(r) for r in rows], columns=[f.name for f in fields(cls)])


def _has_doc(docs: Any, doc: str) -> bool:
    return any(d == doc or d.startswith(doc) for d in _split(docs))


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("KnowledgeGraph tables need pandas: pip install pandas (or kg[explore])") from exc
    return pandas
