"""Score a built graph (GraphML) against the gold files of shared/ANNOTATION.md.

This is ``shared/tools/score_graph.py`` ported into the package so that the
build and the tests can score without shelling out.  The algorithm is kept
*identical* on purpose -- the same GraphML reading (key ids resolved per
domain), the same two-pass greedy one-to-one matching, the same handling of
optional gold entities and the same PART_OF docs exception -- because the
figures must equal the official script's; tests compare both outputs.

Usage: ``python -m kg.evaluate GRAPH.graphml GOLD_DIR [--json]``
"""

from __future__ import annotations

import json
import os
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "CORE",
    "SCORED_RELS",
    "TYPES",
    "assign",
    "format_report",
    "main",
    "prf",
    "read_graph",
    "relaxed_match",
    "score",
    "strict_match",
]

NS = "{http://graphml.graphdrawing.org/xmlns}"
TYPES = ["PLACE", "PERSON", "AGENCY", "ORG", "PROJECT", "POLICY"]
CORE = ["PLACE", "PERSON", "AGENCY", "PROJECT"]
SCORED_RELS = ["HOLDS_POSITION", "PART_OF", "LOCATED_IN"]

Names = list[str]
Matcher = Callable[[Names, Names], bool]
Attrs = dict[str, str]


def split(v: str | None) -> list[str]:
    """Non-empty parts of a "|"-joined attribute."""
    return [s for s in (v or "").split("|") if s]


def read_graph(
    path: str | os.PathLike[str],
) -> tuple[dict[str, Attrs], list[tuple[str, str, Attrs]]]:
    """Nodes ``{id: attrs}`` and edges ``[(source, target, attrs)]`` as strings.

    Key ids may repeat across domains (networkx ``named_key_ids`` gives node and
    edge ``type`` the same id), so a data key is resolved within its element's
    domain first, then as a ``for="all"`` key.
    """
    root = ET.parse(path).getroot()
    keys: dict[tuple[str, str | None], str | None] = {}
    for k in root.iter(NS + "key"):
        keys[(k.get("for") or "all", k.get("id"))] = k.get("attr.name")

    def attrs_of(elem: ET.Element, domain: str) -> Attrs:
        out: Attrs = {}
        for d in elem.findall(NS + "data"):
            kid = d.get("key")
            name = keys.get((domain, kid)) or keys.get(("all", kid))
            if name:
                out[name] = d.text or ""
        return out

    graph = root.find(NS + "graph")
    if graph is None:
        raise ValueError(f"{os.fspath(path)}: no <graph> element")
    nodes = {n.get("id"): attrs_of(n, "node") for n in graph.iter(NS + "node")}
    edges = [(e.get("source"), e.get("target"), attrs_of(e, "edge")) for e in graph.iter(NS + "edge")]
    return nodes, edges  # type: ignore[return-value]


def strict_match(names_a: Names, names_b: Names) -> bool:
    """Some name or alias equals some gold name or mention."""
    return bool(set(names_a) & set(names_b))


def relaxed_match(names_a: Names, names_b: Names) -> bool:
    """One string contains the other and the shorter is at least half as long."""
    for a in names_a:
        for b in names_b:
            short, long_ = sorted((a, b), key=len)
            if short and short in long_ and 2 * len(short) >= len(long_):
                return True
    return False


def assign(
    sys_items: Sequence[tuple[str, Names]],
    gold_items: Sequence[tuple[str, Names]],
    match: Matcher,
) -> dict[str, str]:
    """Greedy one-to-one matching; items are (key, names). Returns {sys_key: gold_key}.

    Pass 0 matches a node whose *label* is a gold name or mention, so the best
    node claims its gold entity before alias/relaxed matches in pass 1.
    """
    pairs: dict[str, str] = {}
    used: set[str] = set()
    for pass_ in (0, 1):
        for sk, snames in sys_items:
            if sk in pairs:
                continue
            for gk, gnames in gold_items:
                if gk in used:
                    continue
                ok = (snames[0] in gnames) if pass_ == 0 else match(snames, gnames)
                if ok:
                    pairs[sk] = gk
                    used.add(gk)
                    break
    return pairs


def prf(tp: int, n_sys: int, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall, F1 (0.0 where undefined)."""
    p = tp / n_sys if n_sys else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _row(tp: int, ns: int, ng: int) -> dict[str, Any]:
    return dict(zip(("p", "r", "f"), prf(tp, ns, ng), strict=False), tp=tp, sys=ns, gold=ng)


def score(graph_path: str | os.PathLike[str], gold_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """Score *graph_path* against every ``*.json`` in *gold_dir*.

    Returns ``{"documents", "documents_without_nodes", "strict", "relaxed"}``;
    each mode maps every type, ``core``, ``all``, every scored relation and
    ``relations`` to ``{"p", "r", "f", "tp", "sys", "gold"}`` -- the same dict
    ``score_graph.py --json`` prints.
    """
    nodes, edges = read_graph(graph_path)
    golds = sorted(Path(gold_dir).glob("*.json"))
    counts: dict[str, defaultdict[str, list[int]]] = {m: defaultdict(lambda: [0, 0, 0]) for m in ("strict", "relaxed")}
    rel_counts: dict[str, defaultdict[str, list[int]]] = {m: defaultdict(lambda: [0, 0, 0]) for m in ("strict", "relaxed")}
    missing_docs: list[str] = []
    modes: tuple[tuple[str, Matcher], ...] = (
        ("strict", strict_match),
        ("relaxed", relaxed_match),
    )
    for gpath in golds:
        gold = json.loads(gpath.read_text(encoding="utf-8"))
        doc = gold["doc"]
        optional = {e["name"] for e in gold["entities"] if e.get("optional")}
        sys_nodes = {nid: a for nid, a in nodes.items() if doc in split(a.get("docs"))}
        if not sys_nodes:
            missing_docs.append(doc)
        for mode, match in modes:
            node_to_gold: dict[str, str] = {}
            for t in TYPES:
                g_items = [(e["name"], [e["name"]] + e.get("mentions", [])) for e in gold["entities"] if e["type"] == t]
                s_items = [(nid, [a.get("label", "")] + split(a.get("aliases"))) for nid, a in sys_nodes.items() if a.get("type") == t]
                pairs = assign(s_items, g_items, match)
                # optional gold entities and the system nodes that matched them leave the count
                opt_sys = {sk for sk, gk in pairs.items() if gk in optional}
                # system nodes matching optional gold only by failing to match other gold are ignored too
                opt_names = [
                    (e["name"], [e["name"]] + e.get("mentions", [])) for e in gold["entities"] if e["type"] == t and e.get("optional")
                ]
                for sk, snames in s_items:
                    if sk not in pairs and any(match(snames, gn) for _, gn in opt_names):
                        opt_sys.add(sk)
                tp = sum(1 for sk, gk in pairs.items() if gk not in optional)
                c = counts[mode][t]
                c[0] += tp
                c[1] += len(s_items) - len(opt_sys)
                c[2] += sum(1 for gk, _ in g_items if gk not in optional)
                node_to_gold.update(pairs)
            # relations
            gold_rels = {(r["head"], r["rel"], r["tail"]) for r in gold.get("relations", []) if r["rel"] in SCORED_RELS}
            sys_rels: set[tuple[str, str, str]] = set()
            for s, t_, a in edges:
                rel = a.get("type", "")
                if rel not in SCORED_RELS:
                    continue
                if s not in sys_nodes or t_ not in sys_nodes:
                    continue
                edocs = split(a.get("docs"))
                # PART_OF is true of the map, not of one article: count it even
                # when the edge was first evidenced in another document.
                if edocs and doc not in edocs and rel != "PART_OF":
                    continue
                sys_rels.add((node_to_gold.get(s, "?" + s), rel, node_to_gold.get(t_, "?" + t_)))
            for rel in SCORED_RELS:
                sr = {x for x in sys_rels if x[1] == rel}
                gr = {x for x in gold_rels if x[1] == rel}
                c = rel_counts[mode][rel]
                c[0] += len(sr & gr)
                c[1] += len(sr)
                c[2] += len(gr)
    out: dict[str, Any] = {
        "documents": len(golds),
        "documents_without_nodes": missing_docs,
    }
    for mode in ("strict", "relaxed"):
        res: dict[str, Any] = {}
        for t in TYPES:
            res[t] = _row(*counts[mode][t])
        for name, group in (("core", CORE), ("all", TYPES)):
            res[name] = _row(*(sum(counts[mode][t][i] for t in group) for i in range(3)))
        for rel in SCORED_RELS:
            res[rel] = _row(*rel_counts[mode][rel])
        res["relations"] = _row(*(sum(rel_counts[mode][r][i] for r in SCORED_RELS) for i in range(3)))
        out[mode] = res
    return out


def format_report(result: dict[str, Any]) -> str:
    """The text ``score_graph.py`` prints, without the final newline
    (``print(format_report(r))`` reproduces the script's output exactly)."""
    lines = [f"documents: {result['documents']}  without nodes: {result['documents_without_nodes']}"]
    for mode in ("strict", "relaxed"):
        lines.append(f"\n{mode:8s} {'P':>6s} {'R':>6s} {'F1':>6s}  tp/sys/gold")
        for k in TYPES + ["core", "all"] + SCORED_RELS + ["relations"]:
            r = result[mode][k]
            lines.append(f"{k:15s} {r['p']:6.3f} {r['r']:6.3f} {r['f']:6.3f}  {r['tp']}/{r['sys']}/{r['gold']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point with the script's arguments and output."""
    args = list(sys.argv if argv is None else argv)
    if len(args) < 3:
        sys.stdout.write((__doc__ or "") + "\n")
        return 2
    out = score(args[1], args[2])
    if "--json" in args:
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(format_report(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
