"""Tests for kg.layout.separate: the page's nodes moved apart until each takes its own clicks.

Why: vis-network gives a click to the topmost node whose square contains the pointer, so a
node whose centre lies under a bigger neighbour cannot be selected; the archive page
(1,500 drawn nodes, a dense centre) must come out clear, the same for any input order.
"""

from __future__ import annotations

import numpy as np

from kg.layout import _fruchterman_reingold, _fruchterman_reingold_alike, separate


def crowded(n: int, spread: float, seed: int) -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
    rng = np.random.default_rng(seed)
    xy = rng.normal(0.0, spread, (n, 2)).round(1)
    positions = {f"n{i}": (float(x), float(y)) for i, (x, y) in enumerate(xy)}
    positions["twin"] = positions["n0"]  # two nodes on one spot
    radius = {v: float(rng.choice([10.0, 14.0, 25.0, 45.0])) for v in positions}
    return positions, radius


def test_no_centre_lies_under_another_node() -> None:
    positions, radius = crowded(1200, 150.0, seed=3)
    out = separate(positions, radius, gap=2.0)
    names = sorted(out)
    pos = np.array([out[v] for v in names])
    rad = np.array([radius[v] for v in names])
    cheb = np.abs(pos[:, None, :] - pos[None, :, :]).max(axis=2)
    need = np.maximum(rad[:, None], rad[None, :]) + 2.0 - 0.1  # less the rounding to 0.1
    np.fill_diagonal(cheb, np.inf)
    assert not (cheb < need).any()


def test_the_result_does_not_depend_on_the_input_order() -> None:
    positions, radius = crowded(400, 60.0, seed=5)
    backwards = dict(reversed(list(positions.items())))
    assert separate(positions, radius) == separate(backwards, radius)


def test_small_components_laid_out_together_come_out_as_alone() -> None:
    """The archive's hundreds of pairs and triples are laid out as one stack; each must
    get exactly the positions it would get on its own (same bytes in GEXF and GraphML)."""
    rng = np.random.default_rng(11)
    edges = []
    for _ in range(7):
        src = rng.integers(0, 5, 6)
        dst = (src + rng.integers(1, 5, 6)) % 5
        edges.append((src.astype(np.intp), dst.astype(np.intp), rng.choice([0.5, 1.0, 3.0], 6)))
    together = _fruchterman_reingold_alike(5, edges, [np.random.default_rng([7, i]) for i in range(7)])
    for i, (src, dst, w) in enumerate(edges):
        alone = _fruchterman_reingold(5, src, dst, w, np.random.default_rng([7, i]))
        assert np.array_equal(together[i], alone)
