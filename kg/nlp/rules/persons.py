"""PERSON: names found by the company they keep.

Chinese names have no capital letters, so a name is accepted only in a frame that
marks it: after a post (局长贺建国), before a verb of saying after a boundary
(。马志伟说), after a role word (市民张新海, 种粮大户张金全), in a byline
(记者 李娟, (薛晓璐)), or before 总书记/同志. Once found, every other occurrence of
the same name in the article is a mention too.
"""

from __future__ import annotations

import re
from functools import cache

from kg.lexicon import BYLINE_CUES, NAME_STOP_CHARS, PERSON_ROLES, SPEECH_VERBS, SURNAMES_1, SURNAMES_2, TITLES, common_words
from kg.nlp.rules.base import CJK, Candidate, DictMatcher

BOUNDARY_AFTER = "，。：:、；！？”’）)（( \n的在和与也都对就将是从说为以向等时同"
BOUNDARY_BEFORE = "，。：:、；！？“”‘’（(）) \n"
TRAILING_HONORIFICS = ("总书记", "同志")
# surnames that are also prepositions or conjunctions (向, 于, 和 …)
PREPOSITION_SURNAMES = "向于对把将为从以在给和与同跟比被让由"
# what officials do right after their name in news copy: 孙丽出席, 何平调研
ACTION_VERBS = tuple(
    "出席 调研 来到 主持 参加 带领 一行 陪同 深入 走访 察看 看望 慰问 会见 率队 率领 前往 到 "
    "检查 督导 听取 宣读 讲话 致辞 作 就 对 向 代表 要求 部署 指导 考察 签署 批示".split()
)
ROLE_EXTRA = ("道德模范", "劳动模范", "先进个人", "模范", "标兵", "带头人")


def _plausible(text: str, s: int, e: int, cue: str) -> bool:
    """Reject ordinary words in a name's frame (书记高度重视, 应该说, 局长周末…).

    An everyday word is still a name when a post precedes it and a verb of saying
    follows (局长高峰表示), but not in a weaker frame (应当指出).
    A three-character reading must not start with an everyday word (高度重), nor be
    a preposition-like surname before one (向大家), while 贺建国 and 王大海 stay.
    """
    name = text[s:e]
    common = common_words()
    if len(name) == 3 and (name[:2] in common or (name[1:] in common and name[0] in PREPOSITION_SURNAMES)):
        return False
    return name not in common or (cue == "post" and text.startswith(SPEECH_VERBS, e))


@cache
def _matchers() -> tuple[DictMatcher, DictMatcher, DictMatcher]:
    return DictMatcher(TITLES), DictMatcher(PERSON_ROLES + ROLE_EXTRA), DictMatcher(BYLINE_CUES)


def _surname_len(text: str, i: int) -> int:
    if text[i : i + 2] in SURNAMES_2:
        return 2
    return 1 if i < len(text) and text[i] in SURNAMES_1 else 0


def _given_ok(chars: str) -> bool:
    return bool(chars) and all(re.match(f"[{CJK}]", c) and c not in NAME_STOP_CHARS for c in chars)


def _boundary_strength(text: str, end: int) -> int:
    """2: punctuation or a word of two or more characters (表示, 来到) follows;
    1: a one-character word that may also end a name (到, 说, 的); 0: none."""
    if end >= len(text) or not "\u4e00" <= text[end] <= "\u9fff":
        return 2 if end >= len(text) or text[end] in BOUNDARY_AFTER else 0
    words = [w for w in SPEECH_VERBS + TRAILING_HONORIFICS + ACTION_VERBS if text.startswith(w, end)]
    if any(len(w) >= 2 for w in words):
        return 2
    return 1 if words or text[end] in BOUNDARY_AFTER else 0


def _followed_by_boundary(text: str, end: int) -> bool:
    return _boundary_strength(text, end) > 0


def name_at(text: str, i: int, fallback: bool = False) -> int:
    """End of a name starting at i (surname + 1-2 given characters), or -1.

    Prefer the reading followed by a clear boundary, three characters before two;
    with `fallback` (a strong cue came before) take three characters even without one.
    """
    sl = _surname_len(text, i)
    if not sl:
        return -1
    readings = [i + sl + g for g in (2, 1) if i + sl + g <= len(text) and _given_ok(text[i + sl : i + sl + g])]
    # a clear boundary after either reading beats a weak one (王峰来到: 王峰, not 王峰来)
    for strength in (2, 1):
        for end in readings:
            if _boundary_strength(text, end) >= strength:
                return end
    end = i + sl + 2
    if fallback and end <= len(text) and _given_ok(text[i + sl : end]):
        return end
    return -1


def find_persons(text: str) -> list[Candidate]:
    titles, roles, bylines = _matchers()
    found: list[tuple[int, int, str]] = []

    for _, e, _ in titles.finditer(text):
        end = name_at(text, e, fallback=True)
        if end > 0:
            found.append((e, end, "post"))
    for _, e, _ in roles.finditer(text):
        i = e + (1 if text[e : e + 1] in "”’" else 0)
        end = name_at(text, i, fallback=True)
        if end > 0:
            found.append((i, end, "role"))
    for _, e, _ in bylines.finditer(text):
        i = e
        while i < len(text) and text[i] in " :：\u3000":
            i += 1
        end = name_at(text, i)
        if end < 0:
            # bylines often run into the next word without a boundary: two-character names
            end = (
                i + 2
                if _surname_len(text, i) == 1 and _given_ok(text[i + 1 : i + 2]) and text[i + 2 : i + 3] in ("", " ", ")", "）", "摄")
                else -1
            )
        if end > 0 and i > e:
            found.append((i, end, "byline"))
    for m in re.finditer(f"[(（]([{CJK}]{{2,3}})[)）]", text):
        s = m.start(1)
        if name_at(text, s) == m.end(1):
            found.append((s, m.end(1), "byline"))
    for m in re.finditer("|".join(SPEECH_VERBS), text):
        for n in (3, 2):
            s = m.start() - n
            if s >= 0 and (s == 0 or text[s - 1] in BOUNDARY_BEFORE) and name_at(text, s) == m.start():
                found.append((s, m.start(), "speech"))
                break
    for m in re.finditer("|".join(TRAILING_HONORIFICS), text):
        for n in (3, 2):
            s = m.start() - n
            if s >= 0 and (s == 0 or text[s - 1] in BOUNDARY_BEFORE + "以在对向和与据") and name_at(text, s) == m.start():
                found.append((s, m.start(), "honorific"))
                break

    found = [(s, e, cue) for s, e, cue in found if _plausible(text, s, e, cue)]
    names = {text[s:e] for s, e, _ in found}
    out = [Candidate(s, e, "PERSON", text[s:e], 3, {"cue": cue}) for s, e, cue in found]
    # every other occurrence of a known name (渠德鹏张新海闫万玲王静 caption lists)
    seen = {(s, e) for s, e, _ in found}
    for s, e, name in DictMatcher(names).finditer(text):
        if (s, e) not in seen:
            out.append(Candidate(s, e, "PERSON", name, 2, {"cue": "repeat"}))
    return out
