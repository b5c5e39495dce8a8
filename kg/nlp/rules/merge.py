"""Choose the final entity spans among overlapping candidates.

Rule spans take precedence over the learned NER: among rule spans the longest wins
(二期50万吨电解铝项目 over 电解铝; 平遥县农业农村局 over 平遥县), then the family's
priority, then the earlier start (a stable order, so output is deterministic);
learned spans only fill the gaps the rules leave.
"""

from __future__ import annotations

import bisect

from kg.nlp.rules.base import Candidate

# what a learned span may add where no rule matched: people and organisations.
# Places, agencies and titles stay with the rules, which know the map and can
# name a body in full (a learned 县委 cannot say whose).
LEARNED_FILLS = ("PERSON", "ORG")
# ... and only when the tagger is sure: the mean probability of the span's tags
# (both taggers averaged). Below it the learned spans are mostly brand names and
# generic nouns (康养中心) that no rule vouches for.
LEARNED_MIN_SCORE = 0.9


def _fills(c: Candidate) -> bool:
    """A learned span that may fill a gap: a person or organisation, sure, and a person named
    in full (老张's 张 is a way of addressing, not a name)."""
    return (
        c.attrs.get("source") == "learned"
        and c.label in LEARNED_FILLS
        and c.attrs.get("score", 0.0) >= LEARNED_MIN_SCORE
        and (c.label != "PERSON" or c.length >= 2)
    )


def select(cands: list[Candidate]) -> list[Candidate]:
    """Rule spans first (longest wins), then learned spans in the gaps they leave."""
    chosen: list[Candidate] = []
    starts: list[int] = []  # the chosen spans, which never overlap, by start (so their ends are sorted too)
    ends: list[int] = []
    rules = [c for c in cands if c.attrs.get("source") != "learned"]
    learned = [c for c in cands if _fills(c)]
    for group in (rules, learned):
        for c in sorted(group, key=lambda c: (-c.length, -c.priority, c.start, c.label, c.canonical)):
            i = bisect.bisect_right(starts, c.start)  # only its neighbours there can overlap it
            if c.length <= 0 or (i > 0 and ends[i - 1] > c.start) or (i < len(starts) and starts[i] < c.end):
                continue
            chosen.append(c)
            starts.insert(i, c.start)
            ends.insert(i, c.end)
    return sorted(chosen, key=lambda c: c.start)
