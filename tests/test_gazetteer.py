"""Tests for kg.gazetteer: the administrative map kg's places rest on.

The examples are deliberately from outside the dev set's province (山西): 浙江
湖州, 河南 周口, 湖北 恩施, 甘肃 临夏. What is tested is the map itself:
short forms derived from the official names, lookups by name and by code
(villages included), and the parent chain.
"""

from __future__ import annotations

import pytest

from kg.gazetteer import Gazetteer, load_gazetteer, short_forms_of


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


# --- short forms -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "level", "short"),
    [
        ("晋中市", "city", ["晋中"]),
        ("湖州市", "city", ["湖州"]),
        ("恩施土家族苗族自治州", "city", ["恩施", "恩施州"]),  # an autonomous prefecture: X州 too
        ("临夏回族自治州", "city", ["临夏", "临夏州"]),
        ("积石山保安族东乡族撒拉族自治县", "county", ["积石山", "积石山县"]),
        ("东乡族自治县", "county", ["东乡"]),
        ("长兴县", "county", ["长兴"]),
        ("吴兴区", "county", ["吴兴"]),
        ("项城市", "county", ["项城"]),  # a county-level city
        ("浙江省", "province", ["浙江"]),
        ("广西壮族自治区", "province", ["广西"]),
        ("内蒙古自治区", "province", ["内蒙古"]),
        ("新疆维吾尔自治区", "province", ["新疆"]),  # its people written without 族
        ("天荒坪镇", "town", ["天荒坪"]),
        ("新城街道", "town", ["新城"]),
        ("科尔沁右翼中旗", "county", ["科右中旗"]),  # a banner named by its wing and part
        ("察哈尔右翼后旗", "county", ["察右后旗"]),
        ("乌拉特前旗", "county", ["乌前旗"]),
        ("东乌珠穆沁旗", "county", ["东乌旗"]),  # by its side
        ("正蓝旗", "county", ["正蓝"]),
    ],
)
def test_short_forms(name: str, level: str, short: list[str]) -> None:
    assert short_forms_of(name, level) == short


@pytest.mark.parametrize(("name", "level"), [("夏县", "county"), ("滑县", "county"), ("睢县", "county")])
def test_two_character_counties_have_no_short_form(name: str, level: str) -> None:
    # 夏, 滑, 睢 alone are ordinary characters, never a place
    assert short_forms_of(name, level) == []


def test_short_form_lookup(gaz: Gazetteer) -> None:
    assert [d.code for d in gaz.by_short["湖州"]] == ["3305"]
    assert [d.name for d in gaz.by_short["安吉"]] == ["安吉县"]
    # the prefecture and its seat share the short form: both are options
    assert {d.name for d in gaz.by_short["恩施"]} == {"恩施土家族苗族自治州", "恩施市"}


@pytest.mark.parametrize("word", ["平安", "和顺", "青山", "金山", "发展"])
def test_common_words_are_not_short_forms(gaz: Gazetteer, word: str) -> None:
    # 平安 (平安县), 和顺 (和顺县), 青山/金山 (青山区, 金山区) are everyday words
    assert word not in gaz.by_short


def test_town_short_forms_are_not_in_the_general_lookup(gaz: Gazetteer) -> None:
    # 天荒坪 is only safe once 天荒坪镇 is in the text: kept apart from by_short
    assert "天荒坪" not in gaz.by_short
    assert any(d.code == "330523108" for d in gaz.town_short_forms()["天荒坪"])


# --- lookups by name and code -------------------------------------------------


def test_full_name_lookup(gaz: Gazetteer) -> None:
    (shangshui,) = gaz.by_name["商水县"]
    assert (shangshui.code, shangshui.level, shangshui.parent) == ("411623", "county", "4116")


def test_same_name_towns_are_all_kept(gaz: Gazetteer) -> None:
    codes = {d.code for d in gaz.by_name["新城街道"]}
    # 商水县新城街道 and 郸城县新城街道, among many others
    assert {"411623001", "411625003"} <= codes
    assert all(d.level == "town" for d in gaz.by_name["新城街道"])


@pytest.mark.parametrize(
    ("code", "name", "level"),
    [("33", "浙江省", "province"), ("3305", "湖州市", "city"), ("330523", "安吉县", "county"), ("330523108", "天荒坪镇", "town")],
)
def test_get_by_code(gaz: Gazetteer, code: str, name: str, level: str) -> None:
    d = gaz.get(code)
    assert d is not None
    assert (d.name, d.level) == (name, level)


def test_get_village_by_twelve_digit_code(gaz: Gazetteer) -> None:
    d = gaz.get("330523108204")
    assert d is not None
    assert (d.name, d.level, d.parent) == ("余村", "village", "330523108")


def test_get_unknown_codes(gaz: Gazetteer) -> None:
    assert gaz.get("330523108999") is None
    assert gaz.get("999999") is None


def test_villages_of_a_town(gaz: Gazetteer) -> None:
    villages = {v.name: v for v in gaz.villages_of_town("330523201")}  # 安吉县溪龙乡
    assert villages["黄杜村"].code == "330523201202"
    assert all(v.parent == "330523201" and v.level == "village" for v in villages.values())


def test_villages_under_a_county(gaz: Gazetteer) -> None:
    under = gaz.villages_under({"330523"})  # 安吉县
    assert [v.code for v in under["余村"]] == ["330523108204"]  # 余村 exists in 9 places; one in 安吉
    assert [v.code for v in under["黄杜村"]] == ["330523201202"]
    assert all(v.code.startswith("330523") for vs in under.values() for v in vs)


# --- the parent chain ------------------------------------------------------------


def test_parent(gaz: Gazetteer) -> None:
    town = gaz.get("411623102")  # 商水县练集镇
    assert town is not None and town.name == "练集镇"
    parent = gaz.parent(town)
    assert parent is not None and parent.name == "商水县"
    assert gaz.parent(gaz.get("41")) is None


def test_ancestors_of_a_village(gaz: Gazetteer) -> None:
    village = gaz.get("330523108204")
    assert village is not None
    assert [a.name for a in gaz.ancestors(village)] == ["天荒坪镇", "安吉县", "湖州市", "浙江省"]


def test_ancestors_of_an_autonomous_prefecture_city(gaz: Gazetteer) -> None:
    (enshi_city,) = gaz.by_name["恩施市"]
    assert [a.name for a in gaz.ancestors(enshi_city)] == ["恩施土家族苗族自治州", "湖北省"]


def test_is_under(gaz: Gazetteer) -> None:
    town = gaz.get("411625003")  # 郸城县新城街道
    assert gaz.is_under(town, "411625")
    assert gaz.is_under(town, "4116")
    assert not gaz.is_under(town, "411623")  # 商水县 has its own 新城街道
    assert not gaz.is_under(town, "411625003")
