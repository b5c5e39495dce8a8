"""Choose the final entity spans among overlapping candidates.

Longest wins (二期50万吨电解铝项目 over 电解铝; 平遥县农业农村局 over 平遥县), then the
family's priority, then the earlier start: a stable order, so output is deterministic.
"""

from __future__ import annotations

from kg.rules.base import Candidate


def select(cands: list[Candidate]) -> list[Candidate]:
    chosen: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    for c in sorted(cands, key=lambda c: (-c.length, -c.priority, c.start, c.label, c.canonical)):
        if c.length <= 0 or any(c.start < e and s < c.end for s, e in taken):
            continue
        chosen.append(c)
        taken.append((c.start, c.end))
    return sorted(chosen, key=lambda c: c.start)
