"""How fast does graph.html become usable for a big graph?

Builds a deterministic synthetic graph shaped like kg's output (a division
tree, agencies in places, officials holding posts, projects promoted by
agencies, co-mentions within sentences; 2,000 nodes by default), writes it with
:func:`kg.readwrite.write_html`, opens it in headless Chromium (Debian's
``chromium`` + ``chromium-driver`` through Selenium, as the browser tests do)
and prints:

* the Python side: layout and page generation, page size;
* ``ready``: milliseconds from navigation start until vis-network has drawn the
  graph (``kg.readyAt``, set on the first ``afterDrawing``); the page has no
  physics at load, so it is stabilised and interactive from that moment;
* ``wall``: seconds from ``driver.get`` until the page reports ready, as a user
  would wait;
* ``search``: milliseconds from Enter in the search box to the node being
  selected, the rest dimmed, its panel filled and the frame drawn (measured in
  the page), and the same through WebDriver typing the name (slower: it
  includes the key events).

With ``--graph FILE`` it renders a real build's graph instead (the People's Daily
archive: ``kg build bench/corpus -o OUT``, then ``--graph OUT/graph.graphml``),
drawing the page's default 1,500 entities, and also reports how many of the
``--hubs`` most connected drawn entities take their own click at fit zoom (the
node under each one's centre, and nothing covering the canvas there), and with
``--screenshots DIR`` saves the first view, a hub selected and a phone-width view.

Usage::

    python bench/html_render.py [--nodes 2000] [--max-nodes 2000] [--runs 3] [--out DIR]
    python bench/html_render.py --graph OUT/graph.graphml [--hubs 50] [--screenshots DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

_SYL = "晋阳平安兴和太谷榆次灵石介休寿祁昔左权清徐古交汾河龙城华阴泽临川东西南北新金宁丰源富康泰顺"


def _name(rnd: random.Random, k: int = 2) -> str:
    return "".join(rnd.choice(_SYL) for _ in range(k))


def synthetic_graph(n_nodes: int = 2000, seed: int = 20240601) -> nx.MultiDiGraph:
    """A kg-like graph with *n_nodes* nodes (deterministic for a given seed)."""
    rnd = random.Random(seed)
    G = nx.MultiDiGraph()
    used: set[str] = set()

    def add(kind: str, label: str, **attrs: object) -> str:
        while label in used:
            label = label[:-1] + _name(rnd, 1) + label[-1]
        used.add(label)
        key = f"{kind}:{label}"
        docs = sorted({f"{rnd.randrange(400):03d}.txt" for _ in range(rnd.randint(1, 4))})
        G.add_node(key, label=label, type=kind, aliases=label[:-1] + "|" + label, docs="|".join(docs), mentions=rnd.randint(1, 12), **attrs)
        return key

    def edge(u: str, v: str, rel: str, title: str = "") -> None:
        if u == v or G.has_edge(u, v, key=rel):
            return
        a, b = G.nodes[u]["label"], G.nodes[v]["label"]
        doc = G.nodes[u]["docs"].split("|")[0]
        G.add_edge(u, v, key=rel, type=rel, title=title, docs=doc, evidence=f"{a}与{b}的关系见于此句。", weight=1.0)

    n_place = max(12, n_nodes // 5)
    province = add("PLACE", "山西省", adcode="140000", level="province")
    cities = [add("PLACE", _name(rnd) + "市", adcode=f"14{i + 1:02d}00", level="city") for i in range(11)]
    places = [province, *cities]
    for c in cities:
        edge(c, province, "PART_OF")
    counties: list[str] = []
    while len(places) < n_place:
        if len(counties) < n_place // 6:
            parent = rnd.choice(cities)
            p = add("PLACE", _name(rnd) + rnd.choice("县区"), adcode=f"{140000 + len(places)}", level="county")
            counties.append(p)
        else:
            parent = rnd.choice(counties)
            p = add("PLACE", _name(rnd) + rnd.choice("镇乡"), adcode=f"{140000000 + len(places)}", level="town")
        edge(p, parent, "PART_OF")
        places.append(p)
    seats = cities + counties
    remaining = n_nodes - len(places)
    quotas = {"AGENCY": 0.2, "PERSON": 0.25, "PROJECT": 0.25, "POLICY": 0.18, "ORG": 0.12}
    agencies: list[str] = []
    by_kind: dict[str, list[str]] = {}
    for kind, share in quotas.items():
        count = int(remaining * share)
        if kind == "ORG":
            count = n_nodes - G.number_of_nodes()
        for _ in range(count):
            seat = rnd.choice(seats)
            seat_label = G.nodes[seat]["label"]
            if kind == "AGENCY":
                k = add(kind, seat_label + rnd.choice(["发展和改革委员会", "住房和城乡建设局", "交通运输局", "生态环境局", "人民政府"]))
                edge(k, seat, "LOCATED_IN")
                agencies.append(k)
            elif kind == "PERSON":
                agency = rnd.choice(agencies)
                title = rnd.choice(["局长", "主任", "党组书记", "副局长", "县长"])
                surname = rnd.choice("王李张刘陈杨赵黄周吴")
                k = add(kind, surname + _name(rnd, rnd.randint(1, 2)), posts=f"{title}@{G.nodes[agency]['label']}")
                edge(k, agency, "HOLDS_POSITION", title)
            elif kind == "PROJECT":
                k = add(kind, seat_label[:2] + _name(rnd) + rnd.choice(["污水处理厂扩容工程", "快速路改造", "产业园建设", "片区更新"]))
                edge(k, seat, "LOCATED_IN")
                edge(rnd.choice(agencies), k, "PROMOTES")
            elif kind == "POLICY":
                k = add(kind, "《" + _name(rnd) + rnd.choice(["协同发展规划", "实施方案", "三年行动计划"]) + "》")
            else:
                k = add(kind, _name(rnd) + rnd.choice(["集团有限公司", "股份有限公司", "商贸城"]))
            by_kind.setdefault(kind, []).append(k)
    # sentences co-mention 2-4 entities, mostly near each other in the lists
    nodes = sorted(G.nodes)
    for _ in range(int(n_nodes * 1.2)):
        i = rnd.randrange(len(nodes))
        group = {nodes[min(len(nodes) - 1, max(0, i + rnd.randint(-40, 40)))] for _ in range(rnd.randint(2, 4))}
        if rnd.random() < 0.3:
            group.add(rnd.choice(cities))
        members = sorted(group)
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                edge(members[a], members[b], "CO_MENTION")
    for a, b in zip(cities, cities[1:], strict=False):
        if rnd.random() < 0.3:
            edge(a, b, "COOPERATES_WITH")
    return G


def _driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,900", "--no-first-run"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


def _measure(driver, url: str, query: str) -> tuple[float, float, float, float, int]:
    from selenium.webdriver.common.keys import Keys

    driver.get("about:blank")
    t0 = time.perf_counter()
    driver.get(url)
    while not driver.execute_script("return !!(window.kg && window.kg.ready)"):
        if time.perf_counter() - t0 > 60:
            raise RuntimeError("page not ready after 60 s")
        time.sleep(0.01)
    wall = time.perf_counter() - t0
    ready_ms = driver.execute_script("return kg.readyAt")
    n_shown = driver.execute_script("return kg.nodes.length")
    # in the page: Enter in the search box -> selected, dimmed, panel filled, drawn
    select_ms = driver.execute_async_script(
        """
        var done = arguments[arguments.length - 1], box = document.getElementById("kg-search");
        box.value = arguments[0];
        var t0 = performance.now();
        box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
        requestAnimationFrame(function () { requestAnimationFrame(function () { done(performance.now() - t0); }); });
        """,
        query,
    )
    driver.execute_script("kg.clearSelection(); document.getElementById('kg-search').value = '';")
    # end to end through WebDriver: typing the name, Enter, until the panel is open
    box = driver.find_element("id", "kg-search")
    t1 = time.perf_counter()
    box.send_keys(query, Keys.ENTER)
    while not driver.execute_script("return kg.network.getSelectedNodes().length === 1 && !document.getElementById('kg-panel').hidden"):
        time.sleep(0.005)
    typed_ms = (time.perf_counter() - t1) * 1000
    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    if severe:
        raise RuntimeError(f"console errors: {severe}")
    return ready_ms, wall, select_ms, typed_ms, n_shown


def _hubs_and_screenshots(driver, url: str, G: nx.MultiDiGraph, n_hubs: int, shots: Path | None) -> None:
    """Click check of the most connected drawn entities at fit zoom; the screenshots."""
    from kg.readwrite.graphml import sorted_nodes, unique_node_ids

    vid = unique_node_ids(sorted_nodes(G))
    driver.get(url)
    while not driver.execute_script("return !!(window.kg && window.kg.ready)"):
        time.sleep(0.01)
    drawn = set(driver.execute_script("return kg.nodes.getIds()"))
    undirected = G.to_undirected(as_view=True)
    hubs = sorted((n for n in G if vid[n] in drawn), key=lambda n: (-len(set(undirected.adj[n]) - {n}), vid[n]))[:n_hubs]
    missed = []
    for n in hubs:
        got = driver.execute_script(
            "var id = arguments[0], net = kg.network, p = net.canvasToDOM(net.getPositions([id])[id]);"
            "var box = document.getElementById('kg-network').getBoundingClientRect();"
            "var top = document.elementFromPoint(box.left + p.x, box.top + p.y);"
            "return top && top.tagName === 'CANVAS' ? net.getNodeAt(p) : (top ? top.id || top.tagName : null);",
            vid[n],
        )
        if got != vid[n]:
            missed.append((G.nodes[n].get("label"), got))
    print(f"hubs: {len(hubs) - len(missed)} of {len(hubs)} most connected drawn entities take their own click at fit zoom")
    for label, got in missed:
        print(f"  {label}: the click gets {got}")
    labelled = driver.execute_script("return kg.hubLabels().map(function (id) { return kg.nodes.get(id).label; })")
    print(f"names shown on first view: {len(labelled)} ({'、'.join(labelled[:12])} …)")
    if shots is None:
        return
    shots.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(shots / "first-view.png"))
    driver.execute_script("kg.selectNode(arguments[0], true)", vid[hubs[0]])
    time.sleep(0.3)
    driver.save_screenshot(str(shots / "hub-selected.png"))
    driver.set_window_size(390, 844)
    driver.get(url)
    while not driver.execute_script("return !!(window.kg && window.kg.ready)"):
        time.sleep(0.01)
    driver.execute_script("kg.selectNode(arguments[0], true)", vid[hubs[0]])
    time.sleep(0.3)
    driver.save_screenshot(str(shots / "phone.png"))
    driver.set_window_size(1400, 900)
    print(f"screenshots: {shots / 'first-view.png'}, {shots / 'hub-selected.png'}, {shots / 'phone.png'}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=2000)
    ap.add_argument("--max-nodes", type=int, default=None, help="write_html max_nodes (default: the node count, i.e. show all)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="keep graph.html here")
    ap.add_argument("--graph", type=Path, default=None, help="a kg graph.graphml to render instead of the synthetic graph")
    ap.add_argument("--hubs", type=int, default=50, help="with --graph: click check of this many most connected drawn entities")
    ap.add_argument("--screenshots", type=Path, default=None, help="with --graph: save first view, hub selected, phone width here")
    args = ap.parse_args(argv)

    from kg.layout import layout_positions
    from kg.readwrite import read_graphml, write_html
    from kg.readwrite.html import DEFAULT_MAX_NODES

    G = read_graphml(args.graph) if args.graph else synthetic_graph(args.nodes)
    default = DEFAULT_MAX_NODES if args.graph else G.number_of_nodes()
    max_nodes = args.max_nodes if args.max_nodes is not None else default
    out = args.out or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    path = out / "graph.html"
    t = time.perf_counter()
    layout_positions(G)
    layout_s = time.perf_counter() - t
    t = time.perf_counter()
    write_html(G, path, title=args.graph.parent.name if args.graph else f"synthetic {args.nodes}", max_nodes=max_nodes)
    write_s = time.perf_counter() - t
    print(f"graph: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges; max_nodes={max_nodes}")
    print(f"python: layout {layout_s:.2f} s, write_html {write_s:.2f} s (layout included), {path.stat().st_size / 1e6:.1f} MB -> {path}")

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        print(f"no browser: need {CHROMIUM} and {CHROMEDRIVER}", file=sys.stderr)
        return 2
    query = G.nodes[max(G.nodes, key=lambda n: G.degree(n))]["label"]
    driver = _driver()
    try:
        results = [_measure(driver, path.resolve().as_uri(), query) for _ in range(args.runs)]
        if args.graph:
            _hubs_and_screenshots(driver, path.resolve().as_uri(), G, args.hubs, args.screenshots)
    finally:
        driver.quit()
    for i, (ready_ms, wall, select_ms, typed_ms, shown) in enumerate(results, 1):
        print(
            f"run {i}: {shown:,} nodes drawn; ready {ready_ms:.0f} ms after navigation; wall {wall:.2f} s; "
            f"search->selected+drawn {select_ms:.0f} ms; typed via WebDriver {typed_ms:.0f} ms"
        )
    med = [statistics.median(r[i] for r in results) for i in range(4)]
    print(
        f"median: ready {med[0]:.0f} ms, wall {med[1]:.2f} s, search {med[2]:.0f} ms (typed {med[3]:.0f} ms); "
        "physics is off from the start, so the graph is stabilised when drawn"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
