"""The visual encoding shared by the HTML page and the GEXF file: colours per
entity and relation type, node size by degree, which nodes a size-capped view
keeps, and a deterministic force-directed layout.

Why our own layout instead of :func:`networkx.spring_layout`: for graphs of
500 nodes or more networkx switches to a SciPy solver (SciPy is not a
dependency), and its dense solver materialises an n x n x 2 array per
iteration, which for a few thousand nodes costs seconds and hundreds of MB.
The Fruchterman-Reingold layout here works in row chunks (bounded memory),
computes attraction over edges only, and above :data:`DENSE_LIMIT` nodes per
component estimates repulsion from a fixed-seed sample of nodes, so any graph
is laid out in about a second or two.  Components are laid out separately and
packed in rows, largest first, so isolated nodes do not fly off to infinity.

Determinism: nodes and edges are read in sorted order, random draws come from
``numpy.random.default_rng`` with a fixed seed, coordinates are rounded, so the
same graph gives the same positions whatever its insertion order.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np

#: Components up to this size are laid out together, stacked by size (:func:`_fruchterman_reingold_alike`)
SMALL_COMPONENT = 32

__all__ = [
    "DENSE_LIMIT",
    "EDGE_COLORS",
    "OTHER_COLOR",
    "OTHER_EDGE_COLOR",
    "TYPE_COLORS",
    "edge_color",
    "hex_to_rgb",
    "layout_positions",
    "most_connected",
    "node_color",
    "node_size",
    "separate",
]

# Colour-blind-friendly Tableau-10 colours, one per entity type.
TYPE_COLORS: dict[str, str] = {
    "PLACE": "#4e79a7",
    "PERSON": "#f28e2b",
    "AGENCY": "#e15759",
    "ORG": "#76b7b2",
    "PROJECT": "#59a14f",
    "POLICY": "#b07aa1",
}
OTHER_COLOR = "#9d9d9d"
EDGE_COLORS: dict[str, str] = {
    "HOLDS_POSITION": "#f28e2b",
    "PART_OF": "#4e79a7",
    "LOCATED_IN": "#59a14f",
    "PROMOTES": "#e15759",
    "COOPERATES_WITH": "#b07aa1",
    "CO_MENTION": "#c7c7c7",
}
OTHER_EDGE_COLOR = "#8c8c8c"

DENSE_LIMIT = 2500  # exact O(n^2) repulsion up to this many nodes per component
_SEED = 20240601
# Attraction weight per relation: co-mentions are many and weak evidence of a
# tie, so they pull less than the structural relations.
_REL_WEIGHT = {"CO_MENTION": 0.35}


def node_color(ntype: str) -> str:
    return TYPE_COLORS.get(ntype, OTHER_COLOR)


def edge_color(rel: str) -> str:
    return EDGE_COLORS.get(rel, OTHER_EDGE_COLOR)


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def node_size(degree: int) -> float:
    """Radius for a node with *degree* edges (grows with the square root)."""
    return round(8 + 4 * math.sqrt(max(degree, 0)), 2)


# kg.readwrite imports this module, so its helpers are imported where used.


def _text(value: Any) -> str:
    if type(value) is str and value.isprintable():  # nearly every value: its own text
        return value
    from kg.readwrite.graphml import to_scalar

    s = to_scalar(value)
    return "" if s is None else str(s)


def _mentions(value: Any) -> float:
    from kg.readwrite.graphml import to_scalar

    s = to_scalar(value)
    if isinstance(s, (int, float)) and not isinstance(s, bool) and math.isfinite(s):
        return float(s)
    return 0.0


def most_connected(G: nx.Graph, max_nodes: int | None) -> list[Any]:
    """The nodes a view capped at *max_nodes* shows, in :func:`sorted_nodes` order.

    Ranked by number of distinct neighbours, then edge count, then mentions,
    then id, so the choice is deterministic.  ``None`` or 0 keeps every node.
    """
    from kg.readwrite.graphml import sorted_nodes

    nodes = sorted_nodes(G)
    if not max_nodes or len(nodes) <= max_nodes:
        return nodes
    if max_nodes < 0:
        raise ValueError(f"max_nodes must be >= 0, not {max_nodes}")
    rank = {n: i for i, n in enumerate(nodes)}
    degree = dict(G.degree())
    directed = G.is_directed()

    def key(n: Any) -> tuple[float, float, float, int]:
        # distinct neighbours either way (not through an undirected view: 20 times slower)
        around = set(G.adj[n])
        if directed:
            around.update(G.pred[n])
        neighbours = len(around) - (n in around)
        return (-neighbours, -degree.get(n, 0), -_mentions(G.nodes[n].get("mentions")), rank[n])

    keep = set(sorted(nodes, key=key)[:max_nodes])
    return [n for n in nodes if n in keep]


# --------------------------------------------------------------------- layout


def _weighted_pairs(G: nx.Graph, index: dict[Any, int]) -> dict[tuple[int, int], float]:
    from kg.readwrite.graphml import sorted_edges

    pairs: dict[tuple[int, int], float] = {}
    for u, v, k, d in sorted_edges(G):
        i, j = index[u], index[v]
        if i == j:
            continue
        rel = _text(d.get("type")) or (k if isinstance(k, str) else "")
        a, b = (i, j) if i < j else (j, i)
        pairs[(a, b)] = pairs.get((a, b), 0.0) + _REL_WEIGHT.get(rel, 1.0)
    # several relations between one pair pull harder, but not without bound
    return {p: min(w, 3.0) for p, w in pairs.items()}


def _components(n: int, pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda c: (-len(c), c[0]))


def _repulsion(pos: np.ndarray, mass: np.ndarray, sample: np.ndarray | None, scale: float, chunk: int = 128) -> np.ndarray:
    """Sum over j of m_j (p_i - p_j) / |p_i - p_j|^2 for every node i, over
    all nodes j or over a sample of them (then times *scale*)."""
    p32 = pos.astype(np.float32)  # float32 halves memory traffic: 4x faster here
    m32 = mass.astype(np.float32)
    if sample is not None:
        src, msrc = p32[sample], m32[sample]
    else:
        src, msrc = p32, m32
    sx, sy = src[:, 0], src[:, 1]
    out = np.empty(pos.shape, dtype=np.float32)
    for s in range(0, len(pos), chunk):
        block = p32[s : s + chunk]
        dx = block[:, 0:1] - sx
        dy = block[:, 1:2] - sy
        d2 = dx * dx + dy * dy
        np.maximum(d2, 1e-3, out=d2)  # the node itself has dx = dy = 0: no force
        np.divide(msrc, d2, out=d2)
        out[s : s + chunk, 0] = (dx * d2).sum(axis=1)
        out[s : s + chunk, 1] = (dy * d2).sum(axis=1)
    res = out.astype(np.float64)
    if scale != 1.0:
        res *= scale
    return res


def _fruchterman_reingold(n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Positions of one connected component (ideal edge length k = 1).

    Fruchterman-Reingold forces: repulsion k^2/d between all pairs (each
    weighted by the source's mass 1 + sqrt(degree), which gives hubs room
    for their leaves), attraction w d^2/k along edges, a weak pull to the
    centre; each node moves at most a linearly cooling temperature.
    """
    if n == 1:
        return np.zeros((1, 2))
    mass = _mass(src, dst, n)
    pos = rng.uniform(-math.sqrt(n) / 2, math.sqrt(n) / 2, size=(n, 2))
    iterations, temp, cool, gravity = _schedule(n)
    budget = 1.5e8  # repulsion pairs per layout when sampling
    sample_size = None if n <= DENSE_LIMIT else min(n, max(200, int(budget / (iterations * n))))
    for _ in range(iterations):
        if sample_size is None:
            disp = _repulsion(pos, mass, None, 1.0)
        else:
            sample = rng.choice(n, size=sample_size, replace=False)
            disp = _repulsion(pos, mass, sample, n / sample_size)
        _move(pos, disp, src, dst, w, gravity, temp)
        temp = max(temp - cool, 0.01)
    return pos - pos.mean(axis=0)


def _mass(src: np.ndarray, dst: np.ndarray, n: int) -> np.ndarray:
    """Each node's mass, 1 + sqrt(degree), scaled to a mean of 1."""
    mass = 1.0 + np.sqrt(np.bincount(src, minlength=n) + np.bincount(dst, minlength=n))
    mass /= mass.mean()
    return mass


def _schedule(n: int) -> tuple[int, float, float, float]:
    """Iterations, starting temperature, cooling per step and pull to the centre for `n` nodes."""
    side = math.sqrt(n)
    # small components settle in a few steps (an archive has hundreds of pairs and triples)
    iterations = int(min(300, max(40, 4e7 / (n * n)), 30 + 10 * n))
    temp = max(1.0, 0.12 * side)
    return iterations, temp, temp / (iterations + 1), 0.03 / side


def _move(pos: np.ndarray, disp: np.ndarray, src: np.ndarray, dst: np.ndarray, w: np.ndarray, gravity: float, temp: float) -> None:
    """One step, in place: to the repulsion `disp`, attraction w d^2/k along the edges and
    the pull to the centre are added, and each node moves at most `temp` that way."""
    n = len(pos)
    if len(src):
        delta = pos[src] - pos[dst]
        dist = np.sqrt((delta * delta).sum(axis=1))
        f = (dist * w)[:, None] * delta  # d^2/k along the unit vector
        for axis in (0, 1):
            disp[:, axis] -= np.bincount(src, weights=f[:, axis], minlength=n)
            disp[:, axis] += np.bincount(dst, weights=f[:, axis], minlength=n)
    disp -= gravity * pos * np.sqrt((pos * pos).sum(axis=1))[:, None]
    length = np.sqrt((disp * disp).sum(axis=1))
    np.maximum(length, 1e-9, out=length)
    pos += disp * (np.minimum(length, temp) / length)[:, None]


def _edge_arrays(edges: list[tuple[int, int, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    src = np.array([a for a, _, _ in edges], dtype=np.intp)
    dst = np.array([b for _, b, _ in edges], dtype=np.intp)
    return src, dst, np.array([x for _, _, x in edges], dtype=float)


def _fruchterman_reingold_alike(
    n: int, edges: list[tuple[np.ndarray, np.ndarray, np.ndarray]], rngs: list[np.random.Generator]
) -> list[np.ndarray]:
    """:func:`_fruchterman_reingold` for many components of `n` nodes at once (an archive has
    hundreds of pairs and triples): the same operations on a stack of them, each
    reduction over the same elements in the same order, so each comes out exactly as it
    would alone, in one numpy call per step instead of one per component."""
    B = len(edges)
    mass = np.stack([_mass(src, dst, n) for src, dst, _ in edges])
    pos = np.stack([rng.uniform(-math.sqrt(n) / 2, math.sqrt(n) / 2, size=(n, 2)) for rng in rngs])
    offset = [b * n for b in range(B)]
    src = np.concatenate([e[0] + o for e, o in zip(edges, offset, strict=True)])
    dst = np.concatenate([e[1] + o for e, o in zip(edges, offset, strict=True)])
    w = np.concatenate([e[2] for e in edges])
    iterations, temp, cool, gravity = _schedule(n)
    m32 = mass.astype(np.float32)[:, None, :]
    for _ in range(iterations):
        # _repulsion of each component, on the stack
        p32 = pos.astype(np.float32)
        dx = p32[:, :, 0:1] - p32[:, None, :, 0]
        dy = p32[:, :, 1:2] - p32[:, None, :, 1]
        d2 = dx * dx + dy * dy
        np.maximum(d2, 1e-3, out=d2)
        np.divide(m32, d2, out=d2)
        rep = np.empty(pos.shape, dtype=np.float32)
        rep[..., 0] = (dx * d2).sum(axis=2)
        rep[..., 1] = (dy * d2).sum(axis=2)
        _move(pos.reshape(B * n, 2), rep.astype(np.float64).reshape(B * n, 2), src, dst, w, gravity, temp)
        temp = max(temp - cool, 0.01)
    return [p - p.mean(axis=0) for p in pos]


def _pack(parts: list[np.ndarray], gap: float = 1.5) -> list[np.ndarray]:
    """Place component layouts in rows (largest first) inside a squarish area."""
    boxes = []
    for p in parts:
        lo, hi = p.min(axis=0), p.max(axis=0)
        boxes.append((lo, hi - lo + gap))
    area = sum(float(s[0] * s[1]) for _, s in boxes)
    width = max(max(float(s[0]) for _, s in boxes), 1.2 * math.sqrt(area))
    out = []
    x = y = row_h = 0.0
    for p, (lo, size) in zip(parts, boxes, strict=True):
        if x > 0 and x + size[0] > width:
            x, y, row_h = 0.0, y + row_h, 0.0
        out.append(p - lo + np.array([x, y]))
        x += float(size[0])
        row_h = max(row_h, float(size[1]))
    allpos = np.vstack(out)
    centre = (allpos.min(axis=0) + allpos.max(axis=0)) / 2
    return [p - centre for p in out]


def separate(
    positions: dict[Any, tuple[float, float]], radius: dict[Any, float], gap: float = 2.0, max_rounds: int = 300, chunk: int = 1024
) -> dict[Any, tuple[float, float]]:
    """Positions moved apart until no node's centre lies under another node.

    A browser picks the topmost node under the pointer, and vis-network tests a dot by
    its bounding square: a node whose centre lies inside a bigger neighbour's square
    loses its clicks to it (a hub under the names around it). A crowded layout is first
    scaled up as a whole (by at most 3, so that three in four nodes are clear); then each round pushes every
    such pair apart along the line through their centres, the smaller node moving
    more, until no centre is within another node's square (plus `gap`). Pairs are
    found among neighbours along x (:func:`_close_pairs`) and pushed in blocks of
    `chunk` rows; the order is fixed, so the result is deterministic.
    """
    nodes = sorted(positions, key=lambda n: (str(n), type(n).__name__))
    n = len(nodes)
    if n < 2:
        return dict(positions)
    pos = np.array([positions[v] for v in nodes], dtype=float)
    rad = np.array([float(radius[v]) for v in nodes])
    index = np.arange(n)
    # a crowded layout is first spread as a whole (its shape kept): pushing pairs apart
    # one round at a time would take hundreds of rounds in an archive's dense centre
    crowding = np.zeros(n)
    for s in range(0, n, chunk):
        rows = index[s : s + chunk]
        cheb = np.abs(pos[None, :, :] - pos[rows, None, :]).max(axis=2)
        cheb[np.arange(len(rows)), rows] = np.inf
        crowding[rows] = ((np.maximum(rad[rows, None], rad[None, :]) + gap) / np.maximum(cheb, 1e-9)).max(axis=1)
    spread = float(np.clip(np.percentile(crowding, 75), 1.0, 3.0))
    if spread > 1.0:
        centre = pos.mean(axis=0)
        pos = centre + (pos - centre) * spread
    reach = (float(rad.max()) + gap) * 1.001  # no pair further apart along x can be too close
    for _ in range(max_rounds):
        i, j = _close_pairs(pos, rad, gap, reach)
        if not len(i):
            break
        moves = np.zeros_like(pos)
        # in blocks of `chunk` rows, each block's pushes summed on its own and in this
        # order, as the blockwise search that this one replaced did (same floats)
        cuts = np.searchsorted(i, np.arange(0, n + chunk, chunk))
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            if a < b:
                _push(moves, pos, rad, gap, i[a:b], j[a:b], n)
        pos += moves
    return {v: (round(float(x), 1) + 0.0, round(float(y), 1) + 0.0) for v, (x, y) in zip(nodes, pos.tolist(), strict=True)}


def _close_pairs(pos: np.ndarray, rad: np.ndarray, gap: float, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (i < j, sorted) whose centres lie within max(rad) + `gap` of each other
    along both axes: only neighbours within `reach` along x are compared, so a round
    costs about n log n, not n squared."""
    n = len(pos)
    order = np.argsort(pos[:, 0], kind="stable")
    xs = pos[order, 0]
    hi = np.searchsorted(xs, xs + reach, side="right")
    counts = np.maximum(hi - np.arange(1, n + 1), 0)
    p = np.repeat(np.arange(n), counts)
    q = p + 1 + np.arange(len(p)) - np.repeat(np.cumsum(counts) - counts, counts)
    a, b = order[p], order[q]
    i, j = np.minimum(a, b), np.maximum(a, b)
    close = np.abs(pos[j] - pos[i]).max(axis=1) < np.maximum(rad[i], rad[j]) + gap
    i, j = i[close], j[close]
    by = np.lexsort((j, i))
    return i[by], j[by]


def _push(moves: np.ndarray, pos: np.ndarray, rad: np.ndarray, gap: float, i: np.ndarray, j: np.ndarray, n: int) -> None:
    """Add to `moves` the pushes that part each pair (i, j) along the line through their centres."""
    vec = pos[j] - pos[i]
    need = np.maximum(rad[i], rad[j]) + gap
    dist = np.hypot(vec[:, 0], vec[:, 1])
    same = dist < 1e-9  # one spot: part them in a direction fixed by their order
    angle = ((i * 7919 + j * 104729) % 360) * (math.pi / 180)
    vec[same] = np.column_stack([np.cos(angle[same]), np.sin(angle[same])])
    dist[same] = 1.0
    unit = vec / dist[:, None]
    push = (need * 1.42 - np.where(same, 0.0, dist)).clip(min=0.0)  # out past the square's corner
    share = rad[i] / (rad[i] + rad[j])  # the bigger node moves less
    for axis in (0, 1):
        moves[:, axis] -= np.bincount(i, weights=unit[:, axis] * push * (1 - share), minlength=n)
        moves[:, axis] += np.bincount(j, weights=unit[:, axis] * push * share, minlength=n)


def layout_positions(G: nx.Graph, *, edge_length: float = 100.0, seed: int = _SEED) -> dict[Any, tuple[float, float]]:
    """Deterministic 2-D positions of every node of *G* (in the units of vis.js
    and Gephi: an edge is about *edge_length* long), rounded to 0.1."""
    from kg.readwrite.graphml import sorted_nodes

    nodes = sorted_nodes(G)
    if not nodes:
        return {}
    index = {n: i for i, n in enumerate(nodes)}
    pairs = _weighted_pairs(G, index)
    comps = _components(len(nodes), pairs)
    local = {c[0]: {v: i for i, v in enumerate(c)} for c in comps}
    comp_of = {}
    for c in comps:
        for v in c:
            comp_of[v] = c[0]
    per_comp: dict[int, list[tuple[int, int, float]]] = {c[0]: [] for c in comps}
    for (a, b), w in sorted(pairs.items()):
        root = comp_of[a]
        per_comp[root].append((local[root][a], local[root][b], w))
    parts: list[np.ndarray] = [np.zeros((1, 2))] * len(comps)  # a lone node sits at the origin
    alike: dict[int, list[int]] = {}  # small components by size, laid out together
    for ci, c in enumerate(comps):
        if 1 < len(c) <= SMALL_COMPONENT:
            alike.setdefault(len(c), []).append(ci)
        elif len(c) > SMALL_COMPONENT:
            parts[ci] = _fruchterman_reingold(len(c), *_edge_arrays(per_comp[c[0]]), np.random.default_rng([seed, ci]))
    for n, group in alike.items():
        edges = [_edge_arrays(per_comp[comps[ci][0]]) for ci in group]
        rngs = [np.random.default_rng([seed, ci]) for ci in group]
        for ci, pos in zip(group, _fruchterman_reingold_alike(n, edges, rngs), strict=True):
            parts[ci] = pos
    placed = _pack(parts)
    positions: dict[Any, tuple[float, float]] = {}
    for c, p in zip(comps, placed, strict=True):
        for v, (x, y) in zip(c, p.tolist(), strict=True):
            positions[nodes[v]] = (round(x * edge_length, 1) + 0.0, round(y * edge_length, 1) + 0.0)
    return positions
