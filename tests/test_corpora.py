"""Tests for kg.nlp.corpora: each corpus format parses to (text, spans), and the kg label mapping.

The samples are tiny hand-written lines in each corpus's format (not copies of the
corpus files), including the quirks the readers must survive: a stray I- tag,
Weibo's segment digits, People's Daily's bracketed compounds and split names.
"""

from __future__ import annotations

import json

import pytest

from kg.nlp.corpora import Example, is_government_name, parse, read, tags_to_spans, to_kg


def spans(ex: Example) -> list[tuple[str, str]]:
    return [(ex.text[s:e], lab) for s, e, lab in ex.spans]


def test_msra_bio_tab_and_space() -> None:
    lines = ["李\tB-PER", "强\tI-PER", "在\tO", "北\tB-LOC", "京\tI-LOC", "", "新 B-ORG", "华 I-ORG", "社 I-ORG", "讯 O", ""]
    a, b = parse(lines, "msra")
    assert a.text == "李强在北京" and spans(a) == [("李强", "PER"), ("北京", "LOC")]
    assert b.text == "新华社讯" and spans(b) == [("新华社", "ORG")]


def test_stray_inside_tag_starts_an_entity() -> None:
    assert tags_to_spans(["O", "I-PER", "I-PER", "O"]) == [(1, 3, "PER")]
    assert tags_to_spans(["B-LOC", "I-ORG"]) == [(0, 1, "LOC"), (1, 2, "ORG")]


def test_cluener_jsonl() -> None:
    line = json.dumps(
        {
            "text": "浙商银行行长叶老桂在杭州",
            "label": {
                "company": {"浙商银行": [[0, 3]]},
                "position": {"行长": [[4, 5]]},
                "name": {"叶老桂": [[6, 8]]},
                "address": {"杭州": [[10, 11]]},
            },
        },
        ensure_ascii=False,
    )
    (ex,) = parse([line, ""], "cluener")
    assert spans(ex) == [("浙商银行", "company"), ("行长", "position"), ("叶老桂", "name"), ("杭州", "address")]
    kg = to_kg(ex)
    assert spans(kg) == [("浙商银行", "ORG"), ("行长", "TITLE"), ("叶老桂", "PERSON"), ("杭州", "PLACE")]


def test_bmes_resume() -> None:
    lines = ["高 B-NAME", "勇 E-NAME", "： O", "董 B-TITLE", "事 M-TITLE", "长 E-TITLE", "汉 S-RACE", ""]
    (ex,) = parse(lines, "bmes")
    assert ex.text == "高勇：董事长汉"
    assert spans(ex) == [("高勇", "NAME"), ("董事长", "TITLE"), ("汉", "RACE")]
    assert spans(to_kg(ex)) == [("高勇", "PERSON"), ("董事长", "TITLE")]  # RACE is not a kg type


def test_conll_weibo_strips_segment_digits() -> None:
    lines = ["与1\tO", "南0\tB-GPE.NAM", "都0\tI-GPE.NAM", "的0\tO", "小0\tB-PER.NOM", "伙1\tI-PER.NOM", "伴1\tI-PER.NOM", ""]
    (ex,) = parse(lines, "conll")
    assert ex.text == "与南都的小伙伴"
    assert spans(ex) == [("南都", "GPE.NAM"), ("小伙伴", "PER.NOM")]
    assert spans(to_kg(ex)) == [("南都", "PLACE")]  # nominal mentions are not names


def test_pfr_compounds_and_joined_names() -> None:
    line = "19980101-01-001-002/m  [中国/ns  政府/n]nt  总理/n  李/nr  强/nr  在/p  北京/ns  会见/v  ［/w  １/m  ］/w  "
    (ex,) = parse([line, "", "19980101-01-001-003/m  "], "pfr")
    assert ex.text == "中国政府总理李强在北京会见［１］"
    assert spans(ex) == [("中国政府", "nt"), ("李强", "nr"), ("北京", "ns")]
    assert spans(to_kg(ex)) == [("中国政府", "AGENCY"), ("李强", "PERSON"), ("北京", "PLACE")]
    assert spans(to_kg(ex, split_agency=False))[0] == ("中国政府", "ORG")


def test_government_suffixes() -> None:
    for name in ("国务院", "晋中市发展和改革委员会", "外交部", "县委", "市政府", "最高人民法院"):
        assert is_government_name(name), name
    for name in ("新华社", "北京大学", "皇家马德里俱乐部", "浙商银行", "招商银行信用卡部"):
        assert not is_government_name(name), name


def test_read_file_and_unknown_format(tmp_path) -> None:
    path = tmp_path / "x.bio"
    path.write_text("\ufeff北\tB-LOC\n京\tI-LOC\n\n", encoding="utf-8")
    assert spans(read(path, "msra")[0]) == [("北京", "LOC")]
    with pytest.raises(ValueError):
        read(path, "nope")
