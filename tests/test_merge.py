"""Tests for kg.nlp.rules.merge: the learned spans decide, the rules name them.

Why: every entity enters the graph through this choice, so its precedence must hold
whatever the tagger outputs: a learned span is kept with the rule's name for the same
span, else the name the rules derived for it, else as written (without quote marks
or a leading verb); rule spans alone are used only when nothing was learned.
"""

from __future__ import annotations

from kg.nlp.rules.base import Candidate
from kg.nlp.rules.merge import places_read_as_persons, select, without_generic_orgs


def learned(start: int, end: int, label: str, written: str, score: float = 0.9) -> Candidate:
    return Candidate(start, end, label, canonical=written, attrs={"source": "learned", "score": score})


def test_a_learned_span_takes_the_rule_name_of_its_span() -> None:
    rule = Candidate(0, 4, "AGENCY", "晋中市发展和改革委员会", priority=5, attrs={"located_in": "晋中市"})
    (got,), titles = select([learned(0, 4, "AGENCY", "市发改委"), rule])
    assert (got.canonical, got.attrs["located_in"], got.attrs["score"]) == ("晋中市发展和改革委员会", "晋中市", 0.9)
    assert titles == []


def test_a_rule_name_beats_a_derived_one() -> None:
    rule = Candidate(0, 2, "PLACE", "晋中市", priority=2)
    derived = Candidate(0, 2, "PLACE", "晋中", priority=1, attrs={"source": "derived"})
    (got,), _ = select([derived, learned(0, 2, "PLACE", "晋中"), rule])
    assert got.canonical == "晋中市"


def test_rule_spans_the_tagger_did_not_find_are_dropped() -> None:
    # 南山 (a district) inside the name 李南山: the tagger says person, the map says place
    place = Candidate(1, 3, "PLACE", "南山区", priority=2)
    got, _ = select([learned(0, 3, "PERSON", "李南山"), place])
    assert [(c.label, c.canonical) for c in got] == [("PERSON", "李南山")]


def test_names_lose_quote_marks_and_leading_verbs() -> None:
    text = "推动二期50万吨电解铝项目"
    got, _ = select([learned(0, len(text), "PROJECT", text), learned(20, 26, "POLICY", "“千万工程”")])
    assert [(c.start, c.canonical) for c in got] == [(2, "二期50万吨电解铝项目"), (20, "千万工程")]


def test_a_short_name_keeps_its_first_word() -> None:
    # 建设 is a leading verb, but 建设路 would be left with one character
    (got,), _ = select([learned(0, 4, "PROJECT", "建设路改")])
    assert got.canonical == "建设路改"


def test_two_works_each_with_its_head_are_two_projects() -> None:
    text = "推进城东污水厂新建及城西污水处理厂扩容工程"
    got, _ = select([learned(2, len(text), "PROJECT", text[2:])])
    assert [(c.canonical, text[c.start : c.end]) for c in got] == [
        ("城东污水厂新建", "城东污水厂新建"),
        ("城西污水处理厂扩容工程", "城西污水处理厂扩容工程"),
    ]
    shared = "年产5万吨饲料及10万吨肉制品加工项目"  # one head for both: one project
    assert [c.canonical for c in select([learned(0, len(shared), "PROJECT", shared)])[0]] == [shared]


def test_generic_places_are_not_entities() -> None:
    generic = Candidate(0, 3, "PLACE", "开发区", attrs={"source": "derived", "generic": True})
    assert select([learned(0, 3, "PLACE", "开发区"), generic]) == ([], [])


def test_posts_come_back_apart() -> None:
    post = learned(3, 5, "TITLE", "书记")
    got, titles = select([learned(0, 3, "AGENCY", "县委"), post])
    assert [c.label for c in got] == ["AGENCY"] and titles == [post]


def test_without_learned_spans_the_longest_rule_span_wins() -> None:
    long = Candidate(0, 10, "AGENCY", "平遥县农业农村局", priority=5)
    short = Candidate(0, 3, "PLACE", "平遥县", priority=3)
    assert select([short, long]) == ([long], [])


def test_a_learned_kind_of_company_is_no_organisation() -> None:
    # a level in front, or only everyday words before the head, make a kind of company
    text = "设立镇级农投公司、农业服务公司和湖州丰收农业科技有限公司"
    kinds = [learned(2, 8, "ORG", "镇级农投公司"), learned(9, 15, "ORG", "农业服务公司"), learned(16, len(text), "ORG", text[16:])]
    bounds = {2, 4, 6, 8, 9, 11, 13, 15, 16, 18, 20, 22, 24, 28}
    assert [c.canonical for c in without_generic_orgs(kinds, text, bounds)] == ["湖州丰收农业科技有限公司"]


def test_a_person_written_like_a_place_of_the_document_is_that_place() -> None:
    text = "商水县召开大会，让商水成为热土。商水位于周口。"
    place = Candidate(16, 18, "PLACE", "商水县", attrs={"adcode": "411623", "level": "county", "score": 0.9})
    person = learned(9, 11, "PERSON", "商水")
    got = places_read_as_persons([learned(0, 3, "PLACE", "商水县"), person, place], text)
    assert [(c.label, c.canonical, c.attrs.get("adcode")) for c in got][1] == ("PLACE", "商水县", "411623")
    other = learned(9, 11, "PERSON", "李强")  # a person named like no place stays
    assert places_read_as_persons([other, place], "商水县召开大会，让李强成为热土。商水位于周口。")[0].label == "PERSON"
