"""Quality floors: strict F1 on the seeds' gold (tests/data/gold) and, where ../shared is
present (as in CI), on ../shared/wide, the 24 articles from 21 provinces nobody tunes for.

Why: recognition and relation rules interact, and a change that fixes one article
easily costs recall or precision elsewhere. The floors sit a few points under the
strict F1 measured when they were set, so that ordinary churn passes and a real
regression fails with the figures in the message. Raise them when the system
improves; lower them only on purpose.

Measured when set (the learned tagger deciding, ``docs/ner.md``): seeds core 0.875, all
0.803, relations 0.849 (PLACE 0.924, PERSON 1.000, AGENCY 0.944); wide core 0.900, all
0.876, relations 0.819 (PLACE 0.825, PERSON 0.984, AGENCY 0.949, HOLDS_POSITION 0.942). (The seeds floors were
0.85/0.80/0.80 while seed-tuned rules decided: the wide set fell to 0.78 core under them.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kg.evaluate import format_report, score

REPO = Path(__file__).resolve().parents[1]
WIDE = REPO.parent / "shared" / "wide"

#: (score row, minimum strict F1) on the seeds
SEED_FLOORS: list[tuple[str, float]] = [
    ("core", 0.83),
    ("all", 0.75),
    ("relations", 0.80),
    ("PLACE", 0.88),
    ("PERSON", 0.95),
    ("AGENCY", 0.90),
]
#: ... and on ../shared/wide
WIDE_FLOORS: list[tuple[str, float]] = [
    ("core", 0.86),
    ("all", 0.83),
    ("relations", 0.77),
    ("PLACE", 0.78),
    ("PERSON", 0.94),
    ("AGENCY", 0.90),
    ("HOLDS_POSITION", 0.90),
]


@pytest.fixture(scope="module")
def scores(seed_outdir: Path, gold_dir: Path) -> dict[str, Any]:
    return score(seed_outdir / "graph.graphml", gold_dir)


@pytest.fixture(scope="module")
def wide_scores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not (WIDE / "docs").is_dir():
        pytest.skip("needs ../shared/wide")
    from kg.build import build

    out = tmp_path_factory.mktemp("wide")
    build([WIDE / "docs"], out)
    return score(out / "graph.graphml", WIDE / "gold")


def figures(row: dict[str, Any]) -> str:
    return f"P {row['p']:.3f} R {row['r']:.3f} F1 {row['f']:.3f} (tp/sys/gold {row['tp']}/{row['sys']}/{row['gold']})"


def test_every_gold_document_is_in_the_graph(scores: dict[str, Any], gold_dir: Path) -> None:
    """A document without nodes means doc ids and gold disagree, and every figure below is meaningless."""
    assert scores["documents"] == len(list(gold_dir.glob("*.json"))) == 5
    assert scores["documents_without_nodes"] == [], format_report(scores)


@pytest.mark.parametrize(("row", "floor"), SEED_FLOORS, ids=[name for name, _ in SEED_FLOORS])
def test_strict_f1_floor(scores: dict[str, Any], row: str, floor: float) -> None:
    got = scores["strict"][row]
    assert got["f"] >= floor, f"strict {row} F1 {got['f']:.3f} fell below the floor {floor:.2f}: {figures(got)}\n{format_report(scores)}"


@pytest.mark.parametrize(("row", "floor"), WIDE_FLOORS, ids=[name for name, _ in WIDE_FLOORS])
def test_strict_f1_floor_on_unseen_provinces(wide_scores: dict[str, Any], row: str, floor: float) -> None:
    got = wide_scores["strict"][row]
    assert got["f"] >= floor, f"wide: strict {row} F1 {got['f']:.3f} fell below the floor {floor:.2f}: {figures(got)}"


def test_the_seeds_in_traditional_characters_score_as_the_simplified(
    scores: dict[str, Any], seeds_dir: Path, gold_dir: Path, tmp_path: Path
) -> None:
    """Traditional text is recognised as Simplified (kg.chinese): the seeds converted to
    Traditional with OpenCC score within 0.05 core F1 of the seeds as written."""
    import opencc

    from kg.build import build

    s2t = opencc.OpenCC("s2t")
    docs = tmp_path / "traditional"
    docs.mkdir()
    for seed in seeds_dir.glob("*.txt"):
        (docs / seed.name).write_text(s2t.convert(seed.read_text(encoding="utf-8")), encoding="utf-8")
    build([docs], tmp_path / "out")
    got = score(tmp_path / "out" / "graph.graphml", gold_dir)
    for row in ("core", "relations"):
        simplified, traditional = scores["strict"][row]["f"], got["strict"][row]["f"]
        assert traditional >= simplified - 0.05, f"{row}: Traditional {figures(got['strict'][row])} against Simplified {simplified:.3f}"
