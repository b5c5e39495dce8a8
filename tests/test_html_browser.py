"""graph.html in a real browser: headless Chromium driven by Selenium.

Why a browser: what matters about the page (it draws, the search finds CJK
names, filters hide things, article text stays inert) happens in JavaScript,
which no string check of the file can show.  The graph is the seeds build
(real names, real evidence) plus a small component whose labels, alias, title
and evidence are markup and ``javascript:`` URLs, as scraped article text can
be.

Needs Debian's ``chromium`` and ``chromium-driver`` (the driver is used
directly, so Selenium never downloads anything) and the ``selenium`` package;
without them the tests are skipped with the reason printed.
"""

from __future__ import annotations

import base64
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg.build import document_link
from kg.readwrite import write_html
from kg.readwrite.graphml import unique_node_ids

CHROMIUM = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("KG_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"

XSS_LABEL = "<script>alert(1)</script>"
XSS_ALIAS = '"><img src=x onerror=alert(1)>'
XSS_OTHER = "javascript:alert(2)"
XSS_TITLE = "javascript:alert(3)"
XSS_EVIDENCE = "<img src=x onerror=alert(4)><script>alert(5)</script>--> ]]> \u2028 end"


def _skip(reason: str) -> None:
    print(f"SKIPPED browser test: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    """One headless Chromium for the module (start-up is the slow part)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _skip("the selenium package is not installed (pip install selenium)")
    if not os.path.exists(CHROMIUM):
        _skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    if not os.path.exists(CHROMEDRIVER):
        _skip(f"no chromedriver at {CHROMEDRIVER} (apt-get install chromium-driver)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1400,900",
        "--no-first-run",
        "--disable-extensions",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    opts.unhandled_prompt_behavior = "ignore"  # an alert() must stay open for us to see it
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    drv.set_script_timeout(20)
    try:
        yield drv
    finally:
        drv.quit()


@pytest.fixture(scope="module")
def graph(seed_graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    G = seed_graph.copy()
    G.add_node("ORG:evil", label=XSS_LABEL, type="ORG", aliases=f"{XSS_ALIAS}|{XSS_OTHER}", docs="evil.txt", mentions=2)
    G.add_node("PROJECT:evil", label=XSS_ALIAS, type="PROJECT", aliases=XSS_OTHER, docs="evil.txt", mentions=1)
    G.add_edge(
        "ORG:evil",
        "PROJECT:evil",
        key="PROMOTES",
        type="PROMOTES",
        title=XSS_TITLE,
        docs="evil.txt",
        evidence=XSS_EVIDENCE,
        weight=1.0,
    )
    return G


@pytest.fixture(scope="module")
def page_url(graph: nx.MultiDiGraph, seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("html") / "graph.html"
    docs = {d for _, a in graph.nodes(data=True) for d in a["docs"].split("|")}
    # as kg.build links them; the page must not make a script of a link that reads as one
    links = {d: document_link(seeds_dir / d, path.parent) for d in docs if d != "evil.txt"}
    write_html(graph, path, title="kg browser test", doc_links=links | {"evil.txt": XSS_OTHER})
    return path.resolve().as_uri()


@pytest.fixture(scope="module")
def ids(graph: nx.MultiDiGraph) -> dict[Any, str]:
    return unique_node_ids(list(graph.nodes))


def wait_for(pred: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    end = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def load(driver: Any, url: str) -> float:
    """Open the page; seconds until the graph is drawn and interactive."""
    driver.get_log("browser")  # drop what earlier pages logged
    t0 = time.monotonic()
    driver.get(url)
    wait_for(lambda: driver.execute_script("return !!(window.kg && window.kg.ready)"), 10, "the graph to be drawn")
    return time.monotonic() - t0


def severe_logs(driver: Any) -> list[dict]:
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def assert_no_alert(driver: Any) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        alert = driver.switch_to.alert
        text = alert.text
    except NoAlertPresentException:
        return
    alert.dismiss()
    raise AssertionError(f"page opened an alert dialog: {text!r}")


def png_stats(driver: Any, png: bytes) -> dict[str, float]:
    """Distinct colours and non-white share of a PNG, decoded by the browser
    on a blank page (no imaging library needed)."""
    driver.get("about:blank")
    return driver.execute_async_script(
        """
        var done = arguments[arguments.length - 1];
        var img = new Image();
        img.onload = function () {
          var c = document.createElement("canvas");
          c.width = img.width; c.height = img.height;
          var ctx = c.getContext("2d");
          ctx.drawImage(img, 0, 0);
          var px = ctx.getImageData(0, 0, c.width, c.height).data, seen = new Set(), dark = 0;
          for (var i = 0; i < px.length; i += 4) {
            seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
            if (px[i] < 235 || px[i + 1] < 235 || px[i + 2] < 235) { dark++; }
          }
          done({ width: c.width, height: c.height, colours: seen.size, nonwhite: dark / (px.length / 4) });
        };
        img.onerror = function () { done(null); };
        img.src = "data:image/png;base64," + arguments[0];
        """,
        base64.b64encode(png).decode("ascii"),
    )


def screenshot(driver: Any, path: Path) -> None:
    assert driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    stats = png_stats(driver, path.read_bytes())
    assert stats, "the screenshot is not a readable PNG"
    assert stats["width"] >= 1000 and stats["height"] >= 600
    assert stats["colours"] >= 50, stats  # legend colours, nodes, anti-aliased text
    assert stats["nonwhite"] >= 0.01, stats  # not a blank page


def test_page_loads_draws_the_whole_graph_without_errors(driver, page_url, graph, tmp_path: Path) -> None:
    seconds = load(driver, page_url)
    assert seconds < 10
    counts = driver.execute_script(
        "return [kg.nodes.length, kg.edges.length, Object.keys(kg.network.getPositions()).length, document.scripts.length]"
    )
    assert counts == [graph.number_of_nodes(), graph.number_of_edges(), graph.number_of_nodes(), 4]  # vis, data, more, ours
    assert driver.find_element("id", "kg-status").text.startswith(f"{graph.number_of_nodes()} entities")
    assert severe_logs(driver) == []
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0  # nothing fetched
    screenshot(driver, tmp_path / "graph.png")


def test_search_by_name_and_alias_selects_and_opens_panel(driver, page_url, graph, ids, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    load(driver, page_url)
    city = next(ids[n] for n, a in graph.nodes(data=True) if a["label"] == "晋中市")
    box = driver.find_element("id", "kg-search")
    box.send_keys("晋中市")
    wait_for(lambda: driver.execute_script("return kg.network.getSelectedNodes()") == [city], 5, "晋中市 to be selected")
    panel = driver.find_element("id", "kg-panel")
    assert panel.is_displayed()
    assert panel.find_element("tag name", "h2").text == "晋中市"
    text = panel.text
    assert "PLACE" in text and "division code" in text and "Relations (" in text
    # the node and its neighbours stay in colour, everything else is dimmed
    dimmed = driver.execute_script(
        "var id = arguments[0], nb = kg.network.getConnectedNodes(id);"
        "var far = kg.data.nodes.filter(function (n) { return n.id !== id && nb.indexOf(n.id) < 0; })[0];"
        "return [kg.isDimmed(id), kg.isDimmed(nb[0]), kg.isDimmed(far.id)];",
        city,
    )
    assert dimmed == [False, False, True]
    screenshot(driver, tmp_path / "search.png")
    # an alias finds the node too
    load(driver, page_url)
    box = driver.find_element("id", "kg-search")
    box.send_keys("晋中", Keys.ENTER)
    wait_for(lambda: driver.execute_script("return kg.network.getSelectedNodes()") == [city], 5, "the alias 晋中 to select 晋中市")
    assert severe_logs(driver) == []


def test_clicking_a_node_opens_its_panel(driver, page_url, graph, ids) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    load(driver, page_url)
    person = next(n for n, a in graph.nodes(data=True) if a["type"] == "PERSON" and a.get("posts"))
    pid = ids[person]
    x, y, w, h = driver.execute_script(
        "var id = arguments[0], net = kg.network;"
        "net.moveTo({ position: net.getPositions([id])[id], scale: 1.5, animation: false });"
        "var p = net.canvasToDOM(net.getPositions([id])[id]), r = document.querySelector('#kg-network canvas').getBoundingClientRect();"
        "return [p.x, p.y, r.width, r.height];",
        pid,
    )
    canvas = driver.find_element("css selector", "#kg-network canvas")
    ActionChains(driver).move_to_element_with_offset(canvas, int(x - w / 2), int(y - h / 2)).click().perform()
    wait_for(lambda: driver.execute_script("return kg.network.getSelectedNodes()") == [pid], 5, "the clicked node to be selected")
    panel = driver.find_element("id", "kg-panel")
    assert panel.find_element("tag name", "h2").text == graph.nodes[person]["label"]
    assert "posts" in panel.text and "HOLDS_POSITION" in panel.text
    # each document of a relation links to its input file
    hrefs = [a.get_attribute("href") for a in panel.find_elements("css selector", ".kg-rel .kg-docs a")]
    assert hrefs and all(h.startswith("file://") for h in hrefs), hrefs
    from urllib.parse import unquote, urlparse

    assert all(Path(unquote(urlparse(h).path)).is_file() for h in hrefs), hrefs
    # a relation's other end is a link to that node
    panel.find_element("css selector", ".kg-rel .kg-link").click()
    wait_for(lambda: driver.execute_script("return kg.network.getSelectedNodes()[0]") not in (None, pid), 5, "the link to select")
    # clicking empty canvas clears the selection and closes the panel
    ex, ey = driver.execute_script(
        "var net = kg.network, r = document.querySelector('#kg-network canvas').getBoundingClientRect();"
        "for (var y = r.height - 10; y > 10; y -= 15) { for (var x = r.width / 2; x < r.width - 10; x += 15) {"
        "  var p = { x: x, y: y }; if (net.getNodeAt(p) === undefined && net.getEdgeAt(p) === undefined) { return [x, y]; } } }"
        "return null;"
    ) or (None, None)
    assert ex is not None, "no empty spot on the canvas"
    ActionChains(driver).move_to_element_with_offset(canvas, int(ex - w / 2), int(ey - h / 2)).click().perform()
    wait_for(lambda: not panel.is_displayed(), 5, "the panel to close")
    assert driver.execute_script("return kg.data.nodes.some(function (n) { return kg.isDimmed(n.id); })") is False
    assert severe_logs(driver) == []


def test_unticking_a_type_hides_it(driver, page_url, graph, ids) -> None:
    load(driver, page_url)
    people = [ids[n] for n, a in graph.nodes(data=True) if a["type"] == "PERSON"]
    assert people
    hidden = "return arguments[0].map(function (id) { return kg.network.body.nodes[id].options.hidden === true; })"
    assert not any(driver.execute_script(hidden, people))
    box = driver.find_element("css selector", '#kg-legend input[data-kind="node"][value="PERSON"]')
    box.click()
    assert all(driver.execute_script(hidden, people))
    others = [ids[n] for n, a in graph.nodes(data=True) if a["type"] != "PERSON"]
    assert not any(driver.execute_script(hidden, others))
    # their relations go with them
    holds = driver.execute_script(
        "return kg.data.edges.filter(function (e) { return e.type === 'HOLDS_POSITION'; })"
        ".map(function (e) { return kg.edges.get(e.id).hidden === true; })"
    )
    assert holds and all(holds)
    box.click()
    assert not any(driver.execute_script(hidden, people))
    # relation types have their own boxes
    driver.find_element("css selector", '#kg-legend input[data-kind="edge"][value="CO_MENTION"]').click()
    co = driver.execute_script(
        "return kg.data.edges.filter(function (e) { return e.type === 'CO_MENTION'; })"
        ".map(function (e) { return kg.edges.get(e.id).hidden === true; })"
    )
    assert co and all(co)
    assert severe_logs(driver) == []


def test_relax_layout_stops_physics(driver, page_url) -> None:
    load(driver, page_url)
    assert driver.execute_script("return kg.network.physics.options.enabled") is False
    driver.find_element("id", "kg-relax").click()
    wait_for(
        lambda: driver.execute_script("return kg.network.physics.options.enabled === false && kg.network.physics.stabilized"),
        15,
        "relax to end",
    )
    before = driver.execute_script("return kg.network.getPositions()")
    time.sleep(0.3)
    assert driver.execute_script("return kg.network.getPositions()") == before  # no jiggle
    assert severe_logs(driver) == []


def test_markup_in_article_text_stays_inert(driver, page_url, ids) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    load(driver, page_url)
    evil, other = ids["ORG:evil"], ids["PROJECT:evil"]
    # select through the search box by an alias that is itself markup
    driver.find_element("id", "kg-search").send_keys("onerror=alert(1)")
    wait_for(lambda: driver.execute_script("return kg.network.getSelectedNodes()[0]") in (evil, other), 5, "the markup alias to be found")
    driver.execute_script("kg.selectNode(arguments[0], true)", evil)
    panel = driver.find_element("id", "kg-panel")
    assert panel.find_element("tag name", "h2").text == XSS_LABEL
    assert XSS_ALIAS in panel.text and XSS_TITLE in panel.text and "<img src=x onerror=alert(4)>" in panel.text
    # hover the node (tooltip) and click the edge between the two nodes (edge panel)
    x, y, mx, my, w, h = driver.execute_script(
        "var net = kg.network, a = arguments[0], b = arguments[1], pa = net.getPositions([a])[a], pb = net.getPositions([b])[b];"
        "net.moveTo({ position: { x: (pa.x + pb.x) / 2, y: (pa.y + pb.y) / 2 }, scale: 1.2, animation: false });"
        "var da = net.canvasToDOM(pa), db = net.canvasToDOM(pb), r = document.querySelector('#kg-network canvas').getBoundingClientRect();"
        "return [da.x, da.y, (da.x + db.x) / 2, (da.y + db.y) / 2, r.width, r.height];",
        evil,
        other,
    )
    canvas = driver.find_element("css selector", "#kg-network canvas")
    ActionChains(driver).move_to_element_with_offset(canvas, int(x - w / 2), int(y - h / 2)).perform()
    wait_for(
        lambda: driver.execute_script("var t = document.querySelector('div.vis-tooltip'); return t && t.textContent"), 5, "the tooltip"
    )
    assert XSS_LABEL in driver.execute_script("return document.querySelector('div.vis-tooltip').textContent")
    ActionChains(driver).move_to_element_with_offset(canvas, int(mx - w / 2), int(my - h / 2)).click().perform()
    wait_for(lambda: driver.execute_script("return kg.network.getSelectedEdges().length === 1"), 5, "the edge to be selected")
    assert panel.find_element("tag name", "h2").text == "PROMOTES"
    assert XSS_TITLE in panel.text and "<script>alert(5)</script>" in panel.text
    # nothing ran and nothing was injected
    assert_no_alert(driver)
    assert driver.execute_script(
        "return [document.images.length, document.scripts.length, document.querySelectorAll('iframe,object,embed').length]"
    ) == [
        0,
        4,
        0,
    ]
    assert driver.execute_script("return document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
    # a document link that is no file path is not a link
    assert panel.find_elements("css selector", ".kg-docs a") == [] and "evil.txt" in panel.text
    assert severe_logs(driver) == []


# ---------------------------------------------------------------- an archive's page


def hub_graph(n: int = 1200) -> nx.MultiDiGraph:
    """A scale-free graph of the size an archive's page draws: a few hubs with hundreds
    of neighbours, where a hub drawn under its neighbours' names used to lose its clicks."""
    import networkx as nx_

    B = nx_.barabasi_albert_graph(n, 4, seed=7)
    types = ("PLACE", "PERSON", "AGENCY", "ORG")
    G = nx.MultiDiGraph()
    for i in B:
        G.add_node(f"N:{i}", label=f"实体{i}", type=types[i % 4], aliases=f"别名{i}", docs=f"{i % 97:03d}.txt", mentions=1)
    for u, v in sorted(B.edges()):
        G.add_edge(f"N:{u}", f"N:{v}", key="CO_MENTION", type="CO_MENTION", docs="001.txt", evidence=f"实体{u}与实体{v}。", weight=1.0)
    return G


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[nx.MultiDiGraph, str]:
    G = hub_graph()
    path = tmp_path_factory.mktemp("archive") / "graph.html"
    write_html(G, path, title="kg archive test", max_nodes=800)
    return G, path.resolve().as_uri()


def test_every_hub_is_clickable_at_fit_zoom(driver, archive) -> None:
    G, url = archive
    load(driver, url)
    drawn = set(driver.execute_script("return kg.nodes.getIds()"))
    hubs = sorted((n for n in G if n in drawn), key=lambda n: (-G.degree(n), n))[:50]
    for n in hubs:
        hit = driver.execute_script(
            "var id = arguments[0], net = kg.network, p = net.canvasToDOM(net.getPositions([id])[id]);"
            "var box = document.getElementById('kg-network').getBoundingClientRect();"
            "var top = document.elementFromPoint(box.left + p.x, box.top + p.y);"
            "return [net.getNodeAt(p), top && top.tagName];",
            n,
        )
        assert hit == [n, "CANVAS"], (G.nodes[n]["label"], hit)


def test_the_hubs_names_show_on_first_view(driver, archive) -> None:
    G, url = archive
    load(driver, url)
    labelled = driver.execute_script("return kg.hubLabels()")
    assert len(labelled) >= 10
    top = sorted(G, key=lambda n: (-G.degree(n), n))[0]
    assert top in labelled
    # readable on screen: the label font times the zoom is at least 12 px
    px = driver.execute_script("var id = arguments[0]; return kg.nodes.get(id).font.size * kg.network.getScale();", top)
    assert px >= 12


def test_search_finds_an_entity_that_is_not_drawn_and_brings_in_its_neighbours(driver, archive) -> None:
    from selenium.webdriver.common.keys import Keys

    G, url = archive
    load(driver, url)
    drawn = set(driver.execute_script("return kg.nodes.getIds()"))
    n = sorted((m for m in G if m not in drawn), key=lambda m: (-G.degree(m), m))[0]
    box = driver.find_element("id", "kg-search")
    box.send_keys(G.nodes[n]["label"], Keys.ENTER)
    wait_for(lambda: driver.execute_script("return kg.network.getSelectedNodes()") == [n], 5, "the entity not drawn to be selected")
    now = set(driver.execute_script("return kg.nodes.getIds()"))
    assert set(G.predecessors(n)) | set(G.successors(n)) <= now  # its neighbours came with it
    assert driver.find_element("css selector", "#kg-panel h2").text == G.nodes[n]["label"]
    assert severe_logs(driver) == []


def test_status_follows_filters_and_keys_work(driver, archive) -> None:
    G, url = archive
    load(driver, url)
    others = driver.execute_script("return kg.data.nodes.filter(function (n) { return n.type !== 'PERSON'; }).length")
    driver.find_element("css selector", '#kg-legend input[data-kind="node"][value="PERSON"]').click()
    assert driver.find_element("id", "kg-status").text.startswith(f"{others:,} of 800 entities, ")
    driver.find_element("tag name", "body").send_keys("/")
    assert driver.execute_script("return document.activeElement.id") == "kg-search"


def test_a_phone_gets_folded_filters_and_a_bottom_sheet(driver, archive) -> None:
    G, url = archive
    driver.set_window_size(390, 844)
    try:
        load(driver, url)
        assert driver.execute_script("return document.getElementById('kg-legend').open") is False
        driver.execute_script("kg.selectNode(arguments[0], true)", sorted(G, key=lambda n: (-G.degree(n), n))[0])
        box = driver.execute_script(
            "var r = document.getElementById('kg-panel').getBoundingClientRect();"
            "return [r.left, r.right, r.bottom, r.height, document.documentElement.clientWidth, window.innerHeight];"
        )
        left, right, bottom, height, width, view = box
        assert left <= 1 and right >= width - 1  # the whole width
        assert height <= 0.5 * view  # half the screen at most: the graph stays in sight
    finally:
        driver.set_window_size(1400, 900)


def test_filters_by_document_and_place(driver, page_url, graph, ids) -> None:
    from selenium.webdriver.common.keys import Keys

    load(driver, page_url)
    shown = "return kg.nodes.get({ filter: function (n) { return !n.hidden; } }).map(function (n) { return n.id; })"
    doc = sorted({d for _, a in graph.nodes(data=True) for d in a["docs"].split("|") if d})[-1]
    driver.find_element("id", "kg-doc").send_keys(doc, Keys.ENTER)
    visible = set(driver.execute_script(shown))
    assert visible == {ids[n] for n, a in graph.nodes(data=True) if doc in a["docs"].split("|")}
    assert " of " in driver.find_element("id", "kg-status").text
    driver.find_element("id", "kg-doc").clear()
    driver.find_element("id", "kg-place").send_keys("兴县", Keys.ENTER)
    visible = set(driver.execute_script(shown))
    xing = next(n for n, a in graph.nodes(data=True) if a["label"] == "兴县")
    located = {u for u, v, d in graph.edges(data=True) if v == xing and d["type"] == "LOCATED_IN"}
    assert {ids[xing]} | {ids[n] for n in located} <= visible
    assert ids[next(n for n, a in graph.nodes(data=True) if a["label"] == "晋中市")] not in visible


def test_export_of_what_is_shown(driver, page_url, graph, ids) -> None:
    load(driver, page_url)
    whole = nx.parse_graphml(driver.execute_script("return kg.graphml()"))
    assert whole.number_of_nodes() == graph.number_of_nodes() and whole.number_of_edges() == graph.number_of_edges()
    city = next(n for n, a in graph.nodes(data=True) if a["label"] == "晋中市")
    driver.execute_script("kg.selectNode(arguments[0], false)", ids[city])
    part = nx.parse_graphml(driver.execute_script("return kg.graphml()"))
    assert set(part) == {ids[city]} | {ids[n] for n in nx.all_neighbors(graph, city)}
    assert driver.execute_script("return kg.png()").startswith("data:image/png;base64,")
