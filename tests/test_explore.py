"""kg.explore: the query layer notebooks use on a built graph.

Why two graphs: a tiny hand-made graph pins the exact semantics of every query
(alias resolution, ambiguity, the division tree from codes *and* PART_OF,
paths that skip co-mentions), independent of what the extraction rules find
today; the seeds build checks that the same queries hold up on a real graph
read back from ``graph.graphml`` and agree with the CSV files.  Facts checked
on the seeds are the stable ones the notebook relies on.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import warnings
from dataclasses import fields
from pathlib import Path

import networkx as nx
import pytest

from kg.build import OUTPUT_FILES as BUILD_OUTPUT_FILES
from kg.explore import (
    AmbiguousEntity,
    Entity,
    KnowledgeGraph,
    NoPath,
    Post,
    UnknownEntity,
    load,
    use_cjk_font,
)
from kg.readwrite import write_graphml
from kg.readwrite.csv import ENTITY_COLUMNS, RELATION_COLUMNS

pd = pytest.importorskip("pandas")

D1, D2 = "000_aaaa.txt", "001_bbbb.txt"


def _node(G: nx.MultiDiGraph, nid: str, label: str, type_: str, aliases: str = "", docs: str = D1, **extra: object) -> None:
    attrs = {"label": label, "type": type_, "aliases": aliases or label, "docs": docs, "mentions": 1, **extra}
    G.add_node(nid, **attrs)


def _edge(G: nx.MultiDiGraph, u: str, v: str, rel: str, title: str = "", evidence: str = "", docs: str = D1) -> None:
    key = f"{rel}:{title}" if rel == "HOLDS_POSITION" else rel  # one edge per title, as kg.graph keys posts
    G.add_edge(u, v, key=key, type=rel, title=title, docs=docs, evidence=evidence or f"{u} {rel} {v}。", weight=1.0)


def tiny_graph() -> nx.MultiDiGraph:
    """A few places, agencies, people and projects with every relation type.

    Shapes worth testing: a town and a village placed only by their codes, an
    old town placed only by a PART_OF edge, a village whose town is not in the
    graph (it must hang under the nearest coded ancestor), an alias shared by
    two agencies, a person without a ``posts`` attribute, a co-mention that is
    a shortcut, and an isolated policy.
    """
    G = nx.MultiDiGraph()
    place = {"docs": f"{D1}|{D2}"}
    _node(G, "PLACE:14", "山西省", "PLACE", "山西", adcode="14", level="province", **place)
    _node(G, "PLACE:1401", "太原市", "PLACE", "太原|太原市", adcode="1401", level="city", **place)
    _node(G, "PLACE:1407", "晋中市", "PLACE", "晋中|晋中市", adcode="1407", level="city", **place)
    _node(G, "PLACE:140702", "榆次区", "PLACE", adcode="140702", level="county")
    _node(G, "PLACE:140702100", "乌金山镇", "PLACE", adcode="140702100", level="town")
    _node(G, "PLACE:140702100200", "后沟村", "PLACE", adcode="140702100200", level="village")
    _node(G, "PLACE:140703104201", "白燕村", "PLACE", adcode="140703104201", level="village", docs=D2)
    _node(G, "PLACE:榆次老城", "榆次老城", "PLACE", adcode="", level="district")
    _node(G, "AGENCY:晋中市发展和改革委员会", "晋中市发展和改革委员会", "AGENCY", "市发改委|市发展和改革委员会")
    _node(G, "AGENCY:晋中市委", "晋中市委", "AGENCY", "市委")
    _node(G, "AGENCY:太原市委", "太原市委", "AGENCY", "市委", docs=D2)
    _node(G, "PERSON:韩亮", "韩亮", "PERSON", posts="主任@晋中市发展和改革委员会")
    _node(G, "PERSON:王静", "王静", "PERSON", posts="党组成员、副主任@晋中市发展和改革委员会|副主任@晋中市发展和改革委员会")
    _node(G, "PERSON:李四", "李四", "PERSON", docs=D2)  # no posts attribute: titles come from the edge
    _node(G, "PROJECT:魏榆路快速化改造", "魏榆路快速化改造", "PROJECT")
    _node(G, "PROJECT:龙城大街贯通", "龙城大街贯通", "PROJECT")
    _node(G, "PROJECT:太原地铁", "太原地铁", "PROJECT", docs=D2)
    _node(G, "ORG:乌金山农业公司", "乌金山农业公司", "ORG")
    _node(G, "POLICY:乡村振兴", "乡村振兴", "POLICY", docs=D2)

    _edge(G, "PLACE:1401", "PLACE:14", "PART_OF")
    _edge(G, "PLACE:1407", "PLACE:14", "PART_OF")
    _edge(G, "PLACE:140702", "PLACE:1407", "PART_OF")
    _edge(G, "PLACE:榆次老城", "PLACE:140702", "PART_OF")
    _edge(G, "PLACE:1401", "PLACE:1407", "COOPERATES_WITH", evidence="太原与晋中合作。")
    _edge(G, "AGENCY:晋中市发展和改革委员会", "PLACE:1407", "LOCATED_IN")
    _edge(G, "AGENCY:晋中市委", "PLACE:1407", "LOCATED_IN")
    _edge(G, "AGENCY:太原市委", "PLACE:1401", "LOCATED_IN", docs=D2)
    _edge(G, "PERSON:韩亮", "AGENCY:晋中市发展和改革委员会", "HOLDS_POSITION", "主任", "市发改委主任韩亮表示。")
    _edge(G, "PERSON:王静", "AGENCY:晋中市发展和改革委员会", "HOLDS_POSITION", "党组成员、副主任")
    _edge(G, "PERSON:王静", "AGENCY:晋中市发展和改革委员会", "HOLDS_POSITION", "副主任")
    _edge(G, "PERSON:李四", "AGENCY:晋中市委", "HOLDS_POSITION", "书记", docs=D2)
    _edge(G, "AGENCY:晋中市发展和改革委员会", "PROJECT:魏榆路快速化改造", "PROMOTES")
    _edge(G, "PROJECT:魏榆路快速化改造", "PLACE:榆次老城", "LOCATED_IN")
    _edge(G, "PROJECT:龙城大街贯通", "PLACE:1407", "LOCATED_IN")
    _edge(G, "PROJECT:太原地铁", "PLACE:1401", "LOCATED_IN", docs=D2)
    _edge(G, "ORG:乌金山农业公司", "PLACE:140702100", "LOCATED_IN")
    _edge(G, "PERSON:韩亮", "PLACE:1401", "CO_MENTION", evidence="韩亮说太原晋中一体化。")
    _edge(G, "PLACE:1401", "PERSON:韩亮", "CO_MENTION", evidence="韩亮说太原晋中一体化。")
    return G


@pytest.fixture
def g() -> KnowledgeGraph:
    return KnowledgeGraph(tiny_graph())


def labels(entities: pd.DataFrame) -> list[str]:
    return list(entities.label)


def rows(table: pd.DataFrame) -> list:
    """A query's rows as named tuples (row.person, row.title …)."""
    return list(table.itertuples(index=False))


# -- loading --------------------------------------------------------------


def test_load_accepts_directory_and_file(tmp_path: Path) -> None:
    write_graphml(tiny_graph(), tmp_path / "graph.graphml")
    for path in (tmp_path, tmp_path / "graph.graphml", str(tmp_path)):
        kg = load(path)
        assert len(kg) == tiny_graph().number_of_nodes()
        assert kg.graph.number_of_edges() == tiny_graph().number_of_edges()
        assert kg.source == tmp_path / "graph.graphml"
        assert "19 entities" in repr(kg)


def test_load_missing_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="kg build"):
        load(tmp_path / "nothing")
    with pytest.raises(FileNotFoundError, match="graph.graphml"):
        load(tmp_path)  # a directory without a graph


# -- lookup ---------------------------------------------------------------


def test_lookup_by_id_label_alias_and_code(g: KnowledgeGraph) -> None:
    agency = "AGENCY:晋中市发展和改革委员会"
    assert g.lookup(agency).id == agency
    assert g.lookup("晋中市发展和改革委员会").id == agency
    assert g.lookup("市发改委").id == agency
    assert g.lookup("1407").label == "晋中市"
    assert g.lookup("晋中").id == "PLACE:1407"
    assert g["韩亮"].type == "PERSON"
    assert g.lookup(g["韩亮"]) == g["韩亮"]  # entities pass through


def test_lookup_entity_fields(g: KnowledgeGraph) -> None:
    e = g.lookup("晋中市")
    assert e == Entity(
        id="PLACE:1407",
        label="晋中市",
        type="PLACE",
        aliases=("晋中", "晋中市"),
        docs=(D1, D2),
        mentions=1,
        adcode="1407",
        level="city",
    )
    assert str(e) == "晋中市 (PLACE)"
    assert g.lookup("榆次老城").adcode is None  # GraphML's "" means no code
    assert g.lookup("王静").posts == ("党组成员、副主任@晋中市发展和改革委员会", "副主任@晋中市发展和改革委员会")


def test_label_wins_over_alias(g: KnowledgeGraph) -> None:
    # 晋中市 is also an alias of itself; 太原 the alias of one place only.
    G = tiny_graph()
    _node(G, "ORG:晋中", "晋中", "ORG")  # a label equal to the city's alias
    kg = KnowledgeGraph(G)
    assert kg.lookup("晋中").id == "ORG:晋中"
    assert kg.lookup("晋中", type="PLACE").id == "PLACE:1407"


def test_ambiguous_alias_raises_with_candidates(g: KnowledgeGraph) -> None:
    with pytest.raises(AmbiguousEntity) as info:
        g.lookup("市委")
    assert isinstance(info.value, KeyError)
    assert {e.label for e in info.value.candidates} == {"晋中市委", "太原市委"}
    assert "晋中市委" in str(info.value) and "太原市委" in str(info.value)
    assert "市委" in g  # ambiguous, but it does name something


def test_unknown_raises_keyerror_with_suggestions(g: KnowledgeGraph) -> None:
    with pytest.raises(UnknownEntity) as info:
        g.lookup("韩量")
    err = info.value
    assert isinstance(err, KeyError)
    assert "韩亮 (PERSON)" in err.suggestions
    assert str(err).startswith("no entity named '韩量'")  # not KeyError's quoted repr
    with pytest.raises(UnknownEntity) as info:
        g.lookup("发改委")  # contained in an alias: found by substring
    assert any("晋中市发展和改革委员会" in s for s in info.value.suggestions)
    with pytest.raises(UnknownEntity) as info:
        g.lookup("zzz")
    assert info.value.suggestions == []
    assert "zzz" not in g


def test_lookup_type_filter(g: KnowledgeGraph) -> None:
    assert g.lookup("晋中市", type="place").id == "PLACE:1407"
    with pytest.raises(UnknownEntity):
        g.lookup("晋中市", type="PERSON")


# -- tables ---------------------------------------------------------------


def test_entities_table(g: KnowledgeGraph) -> None:
    df = g.entities()
    assert list(df.columns) == list(ENTITY_COLUMNS)
    assert len(df) == 19
    assert list(df.id) == sorted(df.id)
    row = df.set_index("id").loc["PLACE:1407"]
    assert (row.label, row.aliases, row.docs, row.mentions, row.adcode, row.level) == (
        "晋中市",
        "晋中|晋中市",
        f"{D1}|{D2}",
        1,
        "1407",
        "city",
    )
    assert set(g.entities(type="person").label) == {"韩亮", "王静", "李四"}
    assert set(g.entities(type=["PROJECT", "ORG"]).type) == {"PROJECT", "ORG"}
    assert set(g.entities(doc=D2).label) == {"山西省", "太原市", "晋中市", "白燕村", "太原市委", "李四", "太原地铁", "乡村振兴"}
    assert g.entities(doc="001").equals(g.entities(doc=D2))  # a prefix of the id works
    assert g.entities(type="PLACE", doc="nope").empty
    with pytest.raises(ValueError, match="PLCAE"):
        g.entities(type="PLCAE")


def test_relations_table(g: KnowledgeGraph) -> None:
    df = g.relations()
    assert list(df.columns) == list(RELATION_COLUMNS)
    assert len(df) == g.graph.number_of_edges()
    hp = g.relations(type="HOLDS_POSITION")
    assert set(zip(hp.source_label, hp.target_label, hp.title, strict=True)) == {
        ("韩亮", "晋中市发展和改革委员会", "主任"),
        ("王静", "晋中市发展和改革委员会", "党组成员、副主任"),
        ("王静", "晋中市发展和改革委员会", "副主任"),
        ("李四", "晋中市委", "书记"),
    }
    assert set(g.relations(doc=D2).type) == {"HOLDS_POSITION", "LOCATED_IN"}
    assert (df.weight == 1.0).all()
    with pytest.raises(ValueError, match="relation type"):
        g.relations(type="PART-OF")


def test_degrees_ignore_co_mentions(g: KnowledgeGraph) -> None:
    df = g.degrees()
    assert list(df.columns) == ["id", "label", "type", "neighbours", "relations"]
    row = df.set_index("label").loc["韩亮"]
    assert (row.neighbours, row.relations) == (1, 1)
    with_co = g.degrees(ignore=()).set_index("label").loc["韩亮"]
    assert (with_co.neighbours, with_co.relations) == (2, 3)
    agencies = g.degrees(type="AGENCY")
    assert agencies.iloc[0].label == "晋中市发展和改革委员会"  # 2 officials, a place, a project
    assert list(agencies.neighbours) == sorted(agencies.neighbours, reverse=True)


# -- people ---------------------------------------------------------------


def test_officials_one_row_per_title(g: KnowledgeGraph) -> None:
    posts = g.officials("市发改委")
    assert [(p.person, p.title) for p in rows(posts)] == [("王静", "党组成员、副主任"), ("王静", "副主任"), ("韩亮", "主任")]
    han = Post(**posts.iloc[-1].to_dict())
    assert han == Post(
        person="韩亮",
        title="主任",
        organisation="晋中市发展和改革委员会",
        person_id="PERSON:韩亮",
        organisation_id="AGENCY:晋中市发展和改革委员会",
        docs=(D1,),
        evidence="市发改委主任韩亮表示。",
    )
    assert posts.shape == (3, 7) and list(posts.columns) == [f.name for f in fields(Post)]
    assert [(p.person, p.title) for p in rows(g.officials("晋中市委"))] == [("李四", "书记")]  # edge-title fallback
    assert g.officials("太原市委").empty


def test_a_place_has_officials_through_its_bodies(g: KnowledgeGraph) -> None:
    posts = g.officials("晋中市")
    assert [(p.person, p.title, p.organisation) for p in rows(posts)] == [
        ("王静", "党组成员、副主任", "晋中市发展和改革委员会"),
        ("王静", "副主任", "晋中市发展和改革委员会"),
        ("韩亮", "主任", "晋中市发展和改革委员会"),
        ("李四", "书记", "晋中市委"),
    ]
    assert g.officials("太原市").empty  # its committee has no named official


def test_posts(g: KnowledgeGraph) -> None:
    assert [(p.title, p.organisation) for p in rows(g.posts("韩亮"))] == [("主任", "晋中市发展和改革委员会")]
    assert g.posts("王静").organisation_id.iloc[0] == "AGENCY:晋中市发展和改革委员会"
    with pytest.raises(UnknownEntity):
        g.posts("晋中市")  # not a person


# -- places ---------------------------------------------------------------


def test_places_under_uses_codes_and_part_of(g: KnowledgeGraph) -> None:
    assert labels(g.places_under("晋中市")) == ["榆次区", "乌金山镇", "后沟村", "榆次老城", "白燕村"]
    assert labels(g.places_under("晋中市", max_depth=1)) == ["榆次区", "白燕村"]
    assert labels(g.places_under("山西省", max_depth=1)) == ["太原市", "晋中市"]
    assert len(g.places_under("14")) == 7
    assert g.places_under("后沟村").empty


def test_outline(g: KnowledgeGraph) -> None:
    assert g.outline("榆次区") == "榆次区 [county]\n  乌金山镇 [town]\n    后沟村 [village]\n  榆次老城 [district]"


def test_places_under_survives_cycles() -> None:
    G = tiny_graph()
    _edge(G, "PLACE:1407", "PLACE:140702", "PART_OF")  # a wrong edge closing a loop
    assert "晋中市" not in labels(KnowledgeGraph(G).places_under("晋中市"))


def test_projects_in_includes_places_below(g: KnowledgeGraph) -> None:
    assert labels(g.projects_in("晋中市")) == ["魏榆路快速化改造", "龙城大街贯通"]  # the first via 榆次老城
    assert labels(g.projects_in("晋中市", include_subplaces=False)) == ["龙城大街贯通"]
    assert labels(g.projects_in("山西省")) == ["太原地铁", "魏榆路快速化改造", "龙城大街贯通"]
    assert labels(g.located_in("晋中市", type="ORG")) == ["乌金山农业公司"]
    assert list(g.located_in("晋中市").type) == ["AGENCY", "AGENCY", "ORG", "PROJECT", "PROJECT"]


# -- walking ----------------------------------------------------------------


def test_neighbours(g: KnowledgeGraph) -> None:
    assert labels(g.neighbours("韩亮")) == ["晋中市发展和改革委员会"]
    assert labels(g.neighbours("韩亮", ignore=())) == ["晋中市发展和改革委员会", "太原市"]
    two = g.neighbours("韩亮", depth=2)
    assert labels(two) == ["晋中市发展和改革委员会", "王静", "晋中市", "魏榆路快速化改造"]  # nearest first
    assert g.neighbours("乡村振兴").empty


def test_path_skips_co_mentions_by_default(g: KnowledgeGraph) -> None:
    assert labels(g.path("韩亮", "太原市")) == ["韩亮", "晋中市发展和改革委员会", "晋中市", "太原市"]
    assert labels(g.path("韩亮", "太原市", ignore=())) == ["韩亮", "太原市"]
    assert labels(g.path("韩亮", "太原市", co_mentions=True)) == ["韩亮", "太原市"]
    assert labels(g.path("韩亮", "韩亮")) == ["韩亮"]


def test_path_says_why_it_found_nothing(g: KnowledgeGraph) -> None:
    with pytest.warns(NoPath, match="no relation of any kind connects them"):
        assert g.path("韩亮", "乡村振兴").empty
    G = tiny_graph()
    _node(G, "PERSON:赵六", "赵六", "PERSON")
    _edge(G, "PERSON:赵六", "POLICY:乡村振兴", "CO_MENTION")
    _edge(G, "PERSON:赵六", "PLACE:1401", "CO_MENTION")
    with pytest.warns(NoPath, match=r"赵六 reaches 0 entities.*2 hops apart \(path\(\.\.\., co_mentions=True\)"):
        assert KnowledgeGraph(G).path("赵六", "韩亮").empty


def test_evidence_both_directions(g: KnowledgeGraph) -> None:
    ev = g.evidence("太原市", "韩亮")
    assert [(e.source, e.type, e.target) for e in rows(ev)] == [("韩亮", "CO_MENTION", "太原市"), ("太原市", "CO_MENTION", "韩亮")]
    assert set(ev.sentence) == {"韩亮说太原晋中一体化。"}
    first = rows(g.evidence("韩亮", "市发改委"))[0]
    assert (first.type, first.title, first.sentence, first.docs) == ("HOLDS_POSITION", "主任", "市发改委主任韩亮表示。", (D1,))
    assert g.evidence("韩亮", "太原市", ignore=("CO_MENTION",)).empty
    assert g.evidence("韩亮", "乡村振兴").empty


def test_evidence_of_one_entity(g: KnowledgeGraph) -> None:
    ev = g.evidence("韩亮")
    assert [(e.source, e.type, e.target) for e in rows(ev)] == [
        ("韩亮", "HOLDS_POSITION", "晋中市发展和改革委员会"),
        ("韩亮", "CO_MENTION", "太原市"),
        ("太原市", "CO_MENTION", "韩亮"),
    ]
    assert list(g.evidence("韩亮", ignore=("CO_MENTION",)).type) == ["HOLDS_POSITION"]


def test_evidence_lists_stated_relations_first() -> None:
    G = tiny_graph()
    _edge(G, "PERSON:韩亮", "AGENCY:晋中市发展和改革委员会", "CO_MENTION")
    ev = KnowledgeGraph(G).evidence("市发改委", "韩亮")
    assert list(ev.type) == ["HOLDS_POSITION", "CO_MENTION"]


# -- subgraphs --------------------------------------------------------------


def test_subgraph(g: KnowledgeGraph) -> None:
    sub = g.subgraph(["韩亮", "太原市"])
    assert set(sub.graph) == {"PERSON:韩亮", "PLACE:1401"}
    assert {k for _, _, k in sub.graph.edges(keys=True)} == {"CO_MENTION"}  # edges among them kept
    sub1 = g.subgraph("韩亮", depth=1)
    assert labels(sub1.neighbours("韩亮")) == ["晋中市发展和改革委员会"]
    assert set(g.subgraph("韩亮", depth=1, ignore=()).graph) == {"PERSON:韩亮", "PLACE:1401", "AGENCY:晋中市发展和改革委员会"}
    sub1.graph.nodes["PERSON:韩亮"]["label"] = "changed"
    assert g.lookup("PERSON:韩亮").label == "韩亮"  # an independent copy
    with pytest.raises(UnknownEntity):
        g.subgraph(["韩亮", "nobody"])


def test_subgraph_writes_the_build_files(g: KnowledgeGraph, tmp_path: Path) -> None:
    sub = g.subgraph("晋中市", depth=1)
    paths = sub.write(tmp_path / "sub")
    assert [p.name for p in paths] == list(BUILD_OUTPUT_FILES)  # a subgraph is written like a build
    assert all(p.stat().st_size > 0 for p in paths)
    back = load(tmp_path / "sub")
    assert set(back.graph) == set(sub.graph)
    assert back.graph.number_of_edges() == sub.graph.number_of_edges()
    assert back.entities().equals(sub.entities())
    assert back.relations().equals(sub.relations())


# -- fonts and the package entry point --------------------------------------


def test_use_cjk_font_falls_back_quietly() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    before = list(matplotlib.rcParams["font.sans-serif"])
    with pytest.warns(UserWarning, match="no CJK font"):
        assert use_cjk_font(preferred=("No Such Font Family",)) is None
    assert matplotlib.rcParams["font.sans-serif"] == before
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        family = use_cjk_font()
    try:
        if family is not None:
            assert matplotlib.rcParams["font.sans-serif"][0] == family
    finally:
        matplotlib.rcParams["font.sans-serif"] = before


def test_kg_load_is_lazy() -> None:
    """``kg.load`` works, and ``import kg`` alone does not import pandas or networkx."""
    code = (
        "import sys, kg\n"
        "assert not {'kg.explore', 'pandas', 'networkx'} & set(sys.modules)\n"
        "load, cls = kg.load, kg.KnowledgeGraph\n"
        "import kg.explore\n"
        "assert load is kg.explore.load and cls is kg.explore.KnowledgeGraph\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- the seeds --------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds(seed_outdir: Path) -> KnowledgeGraph:
    return load(seed_outdir)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _as_csv(df: pd.DataFrame) -> list[dict[str, str]]:
    def cell(v: object) -> str:
        if v is None or (isinstance(v, float) and v != v):
            return ""
        return repr(v) if isinstance(v, float) else str(v)

    return [{c: cell(v) for c, v in row.items()} for row in df.to_dict("records")]


def test_seeds_load_matches_build(seeds: KnowledgeGraph, seed_graph: nx.MultiDiGraph) -> None:
    assert set(seeds.graph) == set(seed_graph)
    assert seeds.graph.number_of_edges() == seed_graph.number_of_edges()


def test_seeds_tables_match_csv(seeds: KnowledgeGraph, seed_outdir: Path) -> None:
    assert _as_csv(seeds.entities()) == _csv_rows(seed_outdir / "entities.csv")
    assert _as_csv(seeds.relations()) == _csv_rows(seed_outdir / "relations.csv")


def test_seeds_every_entity_resolves(seeds: KnowledgeGraph) -> None:
    for n, attrs in seeds.graph.nodes(data=True):
        assert seeds.lookup(n).id == n
        try:
            assert seeds.lookup(attrs["label"], type=attrs["type"]).id == n
        except AmbiguousEntity as err:  # two entities of one type share a label
            assert n in {e.id for e in err.candidates}


def test_seeds_development_agency(seeds: KnowledgeGraph) -> None:
    agency = seeds.lookup("市发改委")
    assert agency.label == "晋中市发展和改革委员会"
    assert ("韩亮", "主任") in {(p.person, p.title) for p in rows(seeds.officials(agency))}
    assert ("主任", "晋中市发展和改革委员会") in {(p.title, p.organisation) for p in rows(seeds.posts("韩亮"))}
    for p in rows(seeds.officials(agency)):
        assert seeds.lookup(p.person_id).type == "PERSON"
        assert p.evidence and p.docs


def test_seeds_division_tree(seeds: KnowledgeGraph) -> None:
    under = seeds.places_under("运城市")
    assert {"万荣县", "盐湖区"} <= set(labels(under))
    assert (under.type == "PLACE").all()
    ids = set(under.id)
    for n, a in seeds.graph.nodes(data=True):  # every coded place below 1408 is found
        if a.get("type") == "PLACE" and a.get("adcode", "").startswith("1408") and a["adcode"] != "1408":
            assert n in ids
    assert all(code.startswith("1408") for code in under.adcode.dropna() if code)


def test_seeds_projects_in_xingxian(seeds: KnowledgeGraph) -> None:
    projects = seeds.projects_in("兴县")
    assert not projects.empty
    allowed = {seeds.lookup("兴县", type="PLACE").id} | set(seeds.places_under("兴县").id)
    for p in rows(projects):
        assert p.type == "PROJECT"
        targets = {v for _, v, k in seeds.graph.out_edges(p.id, keys=True) if k == "LOCATED_IN"}
        assert targets & allowed


def test_seeds_path_has_evidence_at_every_hop(seeds: KnowledgeGraph) -> None:
    chain = seeds.path("韩亮", "太原市")
    assert chain.label.iloc[0] == "韩亮" and chain.label.iloc[-1] == "太原市"
    for a, b in zip(chain.id, chain.id[1:], strict=False):
        stated = [e for e in rows(seeds.evidence(a, b)) if e.type != "CO_MENTION"]
        assert stated and all(e.sentence for e in stated)


def test_seeds_subgraph_roundtrip(seeds: KnowledgeGraph, tmp_path: Path) -> None:
    sub = seeds.subgraph("兴县", depth=1)
    assert set(seeds.neighbours("兴县").id) | {seeds.lookup("兴县").id} == set(sub.graph)
    sub.write(tmp_path)
    assert set(load(tmp_path).graph) == set(sub.graph)


def test_accepts_a_simple_graph() -> None:
    G = nx.DiGraph()
    G.add_node("PLACE:1407", label="晋中市", type="PLACE", adcode="1407", level="city")
    G.add_node("PLACE:140702", label="榆次区", type="PLACE", adcode="140702", level="county")
    G.add_edge("PLACE:140702", "PLACE:1407", type="PART_OF")
    kg = KnowledgeGraph(G)
    assert kg.graph.is_multigraph()
    assert labels(kg.places_under("晋中市")) == ["榆次区"]
    assert list(kg.relations().type) == ["PART_OF"]


def test_load_names_a_file_that_is_not_graphml(tmp_path: Path) -> None:
    for name, text in (("a.graphml", "<x/>"), ("b.graphml", "not xml at all")):
        (tmp_path / name).write_text(text, encoding="utf-8")
        with pytest.raises(ValueError, match=f"{name} is not a GraphML file"):
            load(tmp_path / name)


def test_a_graph_written_by_networkx_is_written_like_a_build(tmp_path: Path) -> None:
    G = nx.MultiDiGraph()
    G.add_node("a", label="甲")
    G.add_node("b")
    G.add_edge("a", "b")
    nx.write_graphml(G, tmp_path / "nx.graphml")
    paths = load(tmp_path / "nx.graphml").write(tmp_path / "out")  # no type on nodes or edges
    report = json.loads((tmp_path / "out" / "build_report.json").read_text(encoding="utf-8"))
    assert report["entities"] == {"?": 2} and [p.name for p in paths] == list(BUILD_OUTPUT_FILES)
