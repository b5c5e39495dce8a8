"""Tests for kg.nlp.rules.merge: rule spans win; learned spans fill gaps only when sure.

Why: the learned NER's spans enter the graph only through this choice, so its
gates (label, confidence, full names) must hold whatever the tagger outputs.
"""

from __future__ import annotations

import pytest

from kg.nlp.rules.base import Candidate
from kg.nlp.rules.merge import LEARNED_MIN_SCORE, select


def learned(start: int, end: int, label: str, score: float) -> Candidate:
    return Candidate(start, end, label, canonical="x" * (end - start), attrs={"source": "learned", "score": score})


def test_rule_spans_win_overlaps_with_learned_ones() -> None:
    rule = Candidate(0, 3, "AGENCY", "国务院", priority=5)
    chosen = select([learned(1, 4, "ORG", 0.99), rule])
    assert chosen == [rule]


def test_sure_learned_person_fills_a_gap() -> None:
    rule = Candidate(0, 3, "PLACE", "晋中市", priority=5)
    person = learned(5, 8, "PERSON", LEARNED_MIN_SCORE + 0.01)
    assert select([rule, person]) == [rule, person]


@pytest.mark.parametrize(
    "cand",
    [
        learned(5, 8, "PERSON", LEARNED_MIN_SCORE - 0.01),  # unsure
        learned(5, 6, "PERSON", 0.99),  # 老张's 张: not a full name
        learned(5, 8, "PLACE", 0.99),  # places come from the map only
        learned(5, 8, "AGENCY", 0.99),  # a learned 县委 cannot say whose
        Candidate(5, 8, "ORG", "xxx", attrs={"source": "learned"}),  # no score: not trusted
    ],
)
def test_learned_spans_that_may_not_fill(cand: Candidate) -> None:
    assert select([cand]) == []


def test_sure_learned_org_fills_a_gap() -> None:
    org = learned(2, 9, "ORG", 0.97)
    assert select([org]) == [org]
