"""Property tests: no text makes normalisation, the pipeline or a writer crash or lie.

Why: the example tests cover the inputs someone thought of; scraped news
holds the rest (odd whitespace, stray controls, surrogates from broken file
names, markup, emoji, every script).  Hypothesis generates such text, from
arbitrary Unicode and from a newspaper-like vocabulary that actually produces
entities and relations, and checks the contracts:

* ``kg.normalize.normalize_layout`` never raises, its offsets lie inside the
  raw text, strictly increase and map every character to itself (or a
  paragraph break to a line break, a space to whitespace), and ``raw_span``
  stays inside the raw text;
* the pipeline (``load_pipeline`` + ``resolve``) never raises and every
  evidence sentence is a substring of the document text;
* any graph, from extracted documents or with arbitrary attribute strings,
  goes through every writer to files that a strict XML parser, networkx,
  :mod:`csv` and :mod:`json` read back, with the text as written (minus the
  characters XML cannot carry) and markup never turned into elements.

Example counts are kept moderate (the pipeline takes about 10 ms per short
document) so the module runs in well under a minute; ``deadline=None``
because a shared machine's timing is no property of the code.
"""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from tempfile import TemporaryDirectory

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.graph import build_graph
from kg.normalize import normalize_layout
from kg.readwrite import generate_html, read_graphml, write_entities_csv, write_gexf, write_graphml, write_html, write_relations_csv
from kg.readwrite.csv import neutralise
from kg.readwrite.graphml import clean_text

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

#: Horizontal whitespace the normaliser turns into " " (kg.normalize._SPACES).
SPACES = " \t\x0b\x0c\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
BREAKS = "\n\r\x85\u2028\u2029"
SURROGATE = re.compile("[\ud800-\udfff]")

# --- text strategies ---------------------------------------------------------------------

#: Any code point, lone surrogates included (they reach kg through file names).
any_char = st.characters(exclude_categories=())
#: Characters that stress layout handling: breaks, spaces, controls, BOM, CJK, punctuation.
layout_char = st.one_of(
    st.sampled_from(list(BREAKS + SPACES + "\ufeff\x00\x01\x1f\x7f\x9f#—“”《》。！？；，、：")),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40),
    st.characters(min_codepoint=0x30, max_codepoint=0x7A),
    any_char,
)
#: Words that make the pipeline find places, agencies, people, posts, projects, policies.
VOCAB = (
    "晋中市 太谷区 平遥县 寿阳县 山西省 兴县 榆次区 太原市 运城市 北京市 "
    "市发改委 县发改局 市委 县人民政府 晋中市发展和改革委员会 市工信局 国家发展改革委 "
    "主任 局长 副县长 书记 市长 韩亮 王静 李明 张建兵 记者 "
    "表示 说 介绍 指出 推进 加快 建设 实施 印发 签约 合作 与 和 同 、 "
    "项目 产业园 工程 大道 光伏 有限公司 科技 集团 《 》 “ ” 行动方案 实施意见 "
    '。 ， ！ ？ ； \n \n\n 2024年3月 12 x <script>alert(1)</script> "><img src=x onerror=alert(1)> javascript:alert(2) | \x00 \x0b \ufeff'
).split(" ")
PLACES = "晋中市 太谷区 平遥县 寿阳县 山西省 兴县 榆次区 太原市 运城市".split()
AGENCIES = "市发改委 县发改局 县人民政府 晋中市发展和改革委员会 市工信局 市委 区政府".split()
POSTS = "主任 局长 副县长 书记 市长 党组书记".split()
PEOPLE = "韩亮 王静 李明 张建兵 赵卫东".split()
MARKUP = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(2)", "|", "&amp;"]
#: A little noise between the parts of a sentence, usually nothing.
noise = st.one_of(st.just(""), st.just(""), st.just(""), st.text(layout_char, max_size=2), st.sampled_from(MARKUP))


@st.composite
def news_sentence(draw: st.DrawFn) -> str:
    """One sentence from a template with agencies, officials, places, projects and policies."""

    def pick(options: list[str]) -> str:
        return draw(st.sampled_from(options))

    def n() -> str:
        return draw(noise)

    which = draw(st.integers(0, 5))
    if which == 0:
        project = pick(["农谷大道", "光伏产业园", "科技"])
        official = f"{pick(PLACES)}{n()}{pick(AGENCIES)}{n()}{pick(POSTS)}{pick(PEOPLE)}{n()}"
        return f"{official}表示，要加快推进{pick(PLACES)}{n()}{project}建设项目{n()}。"
    if which == 1:
        return f"{pick(PLACES)}与{pick(PLACES)}{n()}签约合作，共建{pick(['数字经济', '文旅'])}产业园项目。"
    if which == 2:
        return f"{pick(AGENCIES)}{n()}印发《{n()}{pick(['三年', '数字'])}{n()}行动方案》{n()}。"
    if which == 3:
        return (
            f"{pick(PLACES)}{pick(['人民政府', '政府'])}{pick(POSTS)}{pick(PEOPLE)}{n()}说，{pick(['2024年3月', ''])}将深化{n()}融合发展。"
        )
    if which == 4:
        return f"{pick(PLACES)}{n()}{pick(['晋华', '宏达', ''])}{n()}科技有限公司在{pick(PLACES)}投资建设{n()}工程。"
    return f"记者 {pick(PEOPLE)} {n()}"


news_text = st.lists(
    st.one_of(news_sentence(), news_sentence(), st.sampled_from(VOCAB), st.text(layout_char, max_size=3)), max_size=12
).map("".join)
#: Hard-wrapped columns: lines of similar width with blank lines between, as in the seeds.
wrapped_text = st.lists(
    st.tuples(
        st.text(st.sampled_from(list("晋中市发改委推进项目建设。，“”2024年 ")), min_size=8, max_size=16),
        st.sampled_from(["\n", "\n\n", "\r\n\r\n"]),
    ),
    max_size=30,
).map(lambda lines: "".join(a + b for a, b in lines))
raw_text = st.one_of(st.text(any_char, max_size=200), st.text(layout_char, max_size=200), news_text, wrapped_text)


# --- normalisation -----------------------------------------------------------------------


@settings(SETTINGS, max_examples=400)
@given(raw=raw_text, data=st.data())
def test_normalisation_offsets_map_characters_faithfully(raw: str, data: st.DataObject) -> None:
    norm = normalize_layout(raw)
    text, offsets = norm.text, norm.offsets
    assert len(offsets) == len(text)
    assert all(0 <= o < len(raw) for o in offsets)
    assert all(a < b for a, b in zip(offsets, offsets[1:], strict=False))
    for ch, off in zip(text, offsets, strict=True):
        src = raw[off]
        if ch == "\n":
            assert src in BREAKS, (ch, src)
        elif ch == " ":
            assert src in SPACES, (ch, src)
        else:
            assert src == ch, (ch, src)
    # what the contract promises about the text itself
    assert not text.startswith("\n") and not text.endswith("\n") and "\n\n" not in text
    assert "\ufeff" not in text and "\r" not in text
    assert not any(ord(c) < 0x20 and c != "\n" for c in text)
    text.encode("utf-8")  # no lone surrogate: every consumer can encode it
    assert all(line == line.strip(" ") for line in text.split("\n"))
    # any span maps back inside the raw text and covers its characters
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    start, end = norm.raw_span(a, b)
    assert 0 <= start <= end <= len(raw)
    if a < b:
        assert end - start >= b - a


# --- the pipeline ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nlp():
    from kg.nlp.pipeline import load_pipeline

    return load_pipeline()


def extract(nlp, text: str, doc_id: str = "x.txt"):
    from kg.resolve import resolve

    return resolve(nlp(text), doc_id)


@settings(SETTINGS, max_examples=250)
@given(raw=st.one_of(news_text, news_text, st.text(any_char, max_size=120), wrapped_text))
def test_pipeline_never_crashes_and_evidence_is_quoted_from_the_text(nlp, raw: str) -> None:
    texts = [normalize_layout(raw).text]  # as kg build passes it
    if not SURROGATE.search(raw):
        texts.append(raw)  # as a library user may pass it (see the xfail below for surrogates)
    for text in texts:
        ex = extract(nlp, text)
        assert ex.chars == len(text)
        keys = {e.key for e in ex.entities}
        for e in ex.entities:
            assert e.key and e.type in ("PLACE", "AGENCY", "PERSON", "ORG", "PROJECT", "POLICY") and e.label
        for r in ex.relations:
            assert r.evidence in text, (r.evidence, text)
            assert r.head in keys and r.tail in keys


@pytest.mark.xfail(
    strict=True, reason="spaCy's tokenizer raises UnicodeEncodeError on a lone surrogate (kg build is safe: normalize_layout drops them)"
)
def test_pipeline_takes_raw_text_with_a_lone_surrogate(nlp) -> None:
    ex = extract(nlp, "晋中市发改委主任韩亮表示\ud800。")
    assert ex.entities


# --- every writer, on graphs from extracted documents ------------------------------------------------


def write_all(G: nx.MultiDiGraph, outdir: Path) -> None:
    write_graphml(G, outdir / "graph.graphml")
    write_gexf(G, outdir / "graph.gexf")
    write_html(G, outdir / "graph.html", title="t")
    write_entities_csv(G, outdir / "entities.csv")
    write_relations_csv(G, outdir / "relations.csv")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


PAGE_TAGS = frozenset(
    "aside b body button datalist details div h1 head header html input label meta script small span style summary table tbody td th "
    "thead title tr".split()
)


def check_page(page: str) -> dict:
    """The page has only its own elements and scripts; return its JSON payload."""
    parser = _Tags()
    parser.feed(page)
    assert {t for t, _ in parser.tags} <= PAGE_TAGS
    assert [t for t, _ in parser.tags].count("script") == 4  # the two data blocks and the page's two scripts
    assert not [a for _, attrs in parser.tags for a, _ in attrs if a.startswith("on")]
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert m is not None
    return json.loads(m.group(1))


def check_files(G: nx.MultiDiGraph, outdir: Path) -> None:
    """Every file parses and gives back the graph's text (XML-invalid characters removed)."""
    ET.parse(outdir / "graph.graphml")
    ET.parse(outdir / "graph.gexf")
    back = read_graphml(outdir / "graph.graphml")
    assert back.number_of_nodes() == G.number_of_nodes() and back.number_of_edges() == G.number_of_edges()
    nx.read_graphml(outdir / "graph.graphml")
    gexf = nx.read_gexf(outdir / "graph.gexf")
    assert gexf.number_of_nodes() == G.number_of_nodes() and gexf.number_of_edges() == G.number_of_edges()
    labels = sorted(clean_text(str(a.get("label", ""))) for _, a in G.nodes(data=True))
    assert sorted(str(a.get("label", "")) for _, a in back.nodes(data=True)) == labels
    evidence = sorted(clean_text(str(a["evidence"])) for _, _, a in G.edges(data=True) if "evidence" in a)
    assert sorted(str(a["evidence"]) for _, _, a in back.edges(data=True) if "evidence" in a) == evidence
    # the tables hold the same text, a spreadsheet formula's start neutralised
    with open(outdir / "entities.csv", encoding="utf-8", newline="") as fh:
        assert sorted(r["label"] for r in csv.DictReader(fh)) == sorted(neutralise(x) for x in labels)
    with open(outdir / "relations.csv", encoding="utf-8", newline="") as fh:
        assert sorted(r["evidence"] for r in csv.DictReader(fh) if r["evidence"]) == sorted(neutralise(e) for e in evidence if e)
    payload = check_page((outdir / "graph.html").read_text(encoding="utf-8"))
    assert len(payload["nodes"]) == G.number_of_nodes()


@settings(SETTINGS, max_examples=40)
@given(docs=st.lists(st.one_of(news_text, wrapped_text), min_size=1, max_size=3))
def test_graph_of_any_documents_exports_through_every_writer(nlp, docs: list[str]) -> None:
    G = build_graph(extract(nlp, normalize_layout(d).text, f"d{i}|x\n.txt") for i, d in enumerate(docs))
    with TemporaryDirectory() as tmp:
        write_all(G, Path(tmp))
        check_files(G, Path(tmp))


# --- every writer, on graphs with arbitrary attribute text --------------------------------------------

attr_text = st.one_of(
    st.text(any_char, max_size=20),
    st.sampled_from(
        ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(2)", "]]>", "<!--", "\r\n", " x ", "a|b", "&amp;"]
    ),
)


@st.composite
def arbitrary_graphs(draw: st.DrawFn) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    n = draw(st.integers(1, 6))
    ids = draw(st.lists(attr_text, min_size=n, max_size=n, unique=True))
    for node in ids:
        G.add_node(
            node,
            label=draw(attr_text),
            type=draw(st.sampled_from(["PLACE", "AGENCY", "PERSON", "ORG", "PROJECT", "POLICY", "<b>X</b>"])),
            aliases=draw(attr_text),
            docs=draw(attr_text),
            mentions=draw(st.integers(0, 2**40)),
        )
        if draw(st.booleans()):  # an attribute outside the contract, any name, any scalar
            G.nodes[node]["x_" + draw(attr_text)] = draw(st.one_of(attr_text, st.integers(), st.floats(), st.booleans(), st.none()))
    for _ in range(draw(st.integers(0, 8))):
        u, v = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        rel = draw(st.sampled_from(["CO_MENTION", "PROMOTES", "HOLDS_POSITION", "<i>"]))
        extra = {"x_" + draw(attr_text): draw(st.one_of(attr_text, st.integers(), st.floats()))} if draw(st.booleans()) else {}
        G.add_edge(u, v, key=rel, type=rel, title=draw(attr_text), docs=draw(attr_text), evidence=draw(attr_text), weight=1.0, **extra)
    return G


@settings(SETTINGS, max_examples=60)
@given(G=arbitrary_graphs())
def test_any_attribute_text_exports_through_every_writer(G: nx.MultiDiGraph) -> None:
    with TemporaryDirectory() as tmp:
        write_all(G, Path(tmp))
        check_files(G, Path(tmp))
        labels = [n["label"] for n in check_page(generate_html(G))["nodes"]]
        for _, a in G.nodes(data=True):
            if text := clean_text(str(a["label"])):
                assert text in labels
