"""Recognition by the default pipeline: the learned tagger decides spans and types, the
rules name them (kg/nlp/ner.py, kg/nlp/pipeline.py, kg/nlp/rules/merge.py).

The sentences are written for these tests in the style of county and city papers of
provinces outside the seeds (河南 周口, 湖南 怀化, 四川 巴中, 浙江 湖州), with names that
neither the seeds nor the silver annotations contain, so they check what the model
learned of the genre rather than what it saw.
"""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.pipeline import TITLES_KEY, load_pipeline

pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline()


def found(doc: Doc) -> dict[str, tuple[str, str]]:
    """Surface -> (type, canonical name)."""
    return {e.text: (e.label_, e._.kg["canonical"]) for e in doc.ents}


def test_every_type_in_one_county_story(nlp: Language) -> None:
    doc = nlp(
        "本报讯 3月12日，商水县委书记刘建国带队到练集镇调研乡村振兴工作。"
        "他先后来到王寨村辣椒种植基地和周口恒发农业科技有限公司，"
        "详细了解商水县城区雨污分流改造项目进展情况，要求县住建局加快推进“五星支部”创建。"
    )
    got = found(doc)
    assert got["刘建国"] == ("PERSON", "刘建国")
    assert got["练集镇"][0] == "PLACE" and got["练集镇"][1] == "练集镇"
    assert got["商水县委"] == ("AGENCY", "商水县委")
    assert got["县住建局"] == ("AGENCY", "商水县住房和城乡建设局")
    assert got["周口恒发农业科技有限公司"] == ("ORG", "周口恒发农业科技有限公司")
    assert any(label == "PROJECT" and "雨污分流改造项目" in text for text, (label, _) in got.items())
    assert got["五星支部"] == ("POLICY", "五星支部")
    assert "书记" in {t.text for t in doc.spans[TITLES_KEY]}


def test_names_without_a_cue_word(nlp: Language) -> None:
    # no post, no verb of saying frames these people: the model knows names
    doc = nlp("会上，向东、李秀英、欧阳建华分别作了交流发言。")
    assert {t for t, (label, _) in found(doc).items() if label == "PERSON"} >= {"李秀英", "欧阳建华"}
    assert found(nlp("昨天，王建国在村里查看了麦田长势。")) == {"王建国": ("PERSON", "王建国")}


def test_short_place_names_get_their_division(nlp: Language) -> None:
    doc = nlp("溆浦县与辰溪、麻阳两县签订合作协议，共建怀化东部经济带。")
    places = {e._.kg["canonical"]: e._.kg.get("adcode", "") for e in doc.ents if e.label_ == "PLACE"}
    assert places.get("辰溪县", "").startswith("4312") and places.get("麻阳苗族自治县", "").startswith("4312")


def test_a_surname_and_a_district_do_not_make_a_place(nlp: Language) -> None:
    # 李南山: 南山 is a district of 深圳, but here it is part of a person's name
    doc = nlp("会议决定任命李南山为副县长。")
    assert ("李南山", "PERSON") in {(e.text, e.label_) for e in doc.ents}
    assert not [e for e in doc.ents if e.label_ == "PLACE"]


def test_agency_spans_are_named_in_full(nlp: Language) -> None:
    doc = nlp("通江县召开大会。县十五届人大常委会第二次会议听取了县法院工作报告。")
    names = {e._.kg["canonical"] for e in doc.ents if e.label_ == "AGENCY"}
    assert {"通江县人大常委会", "通江县人民法院"} <= names


def test_a_sector_is_not_a_ministry(nlp: Language) -> None:
    # 农业农村部门 "the farm departments" begins with the ministry's name
    doc = nlp("巴州区农业农村部门将加强指导，住建部门负责监管。")
    assert not {e._.kg["canonical"] for e in doc.ents} & {"农业农村部", "住房和城乡建设部"}


def test_an_old_town_is_a_place_of_its_own(nlp: Language) -> None:
    # the tagger reads 凤凰 as the county; 古城 written after it makes the old town the place
    got = found(nlp("暑期以来，凤凰古城接待游客超过百万人次。"))
    assert got == {"凤凰古城": ("PLACE", "凤凰古城")}


def test_a_town_named_old_town_stays_a_town(nlp: Language) -> None:
    # 古城镇 is a town of 垣曲县: the county is not extended into an old town over it
    doc = nlp("近日，垣曲县古城镇举办农民丰收节。")
    assert ("古城镇", "PLACE") in {(e.text, e.label_) for e in doc.ents}


def test_a_county_zone_written_with_the_letter_is_the_home_countys(nlp: Language) -> None:
    # the division table holds a unit named 县开发区 (in 江苏); in a 商水县 story it is 商水县's zone
    doc = nlp("商水县召开会议。县开发区管委会主任张立新讲话。")
    bodies = {e._.kg["canonical"]: e._.kg.get("located_code", "") for e in doc.ents if e.label_ == "AGENCY"}
    assert bodies == {"商水县开发区管委会": "411623"}


def test_villages_or_roads_listed_before_a_shared_project_head_are_that_project(nlp: Language) -> None:
    """As ANNOTATION.md keeps 百村示范、千村治理 and the silver data 知新村、建中村区域动迁 whole;
    a park listed before a work stays an item of its own."""
    for text, work in (
        ("商水县今年将加快推进东关村、西关村棚户区改造项目。", "东关村、西关村棚户区改造项目"),
        ("县城将实施人民路、建设路雨污分流改造工程。", "人民路、建设路雨污分流改造工程"),  # 建设 begins a road's name: no verb
    ):
        doc = nlp(text)
        assert [(e.text, e.label_) for e in doc.ents if e.label_ != "PLACE" or e.text != "商水县"] == [(work, "PROJECT")]
        assert [e._.kg["canonical"] for e in doc.ents if e.label_ == "PROJECT"] == [work]
    listed = nlp("代表团先后考察了玉柴工业园、玉林至铁山港高速公路。")
    assert [e.text for e in listed.ents if e.label_ == "PROJECT"] == ["玉林至铁山港高速公路"]


def test_a_place_that_begins_a_streets_name_is_the_street(nlp: Language) -> None:
    """平遥路 is a street of 晋中, not 平遥县; 大街小巷 are the place's own streets."""
    streets = nlp("晋中市将打通平遥路至顺城街的断头路，拓宽龙城大街。")
    assert {e._.kg["canonical"] for e in streets.ents if e.label_ == "PLACE"} <= {"晋中市", "顺城街", "龙城大街"}
    own = nlp("晋中市今年在榆次区开展街巷整治，走遍榆次大街小巷。")
    assert [e.text for e in own.ents if e.label_ == "PLACE"] == ["晋中市", "榆次区", "榆次"]


def test_a_route_or_boundary_is_no_project(nlp: Language) -> None:
    """A new sub-district's bounds (沿…至…) name roads and junctions, not works."""
    doc = nlp(
        "新城街道管辖范围为：自人民路外返30米与滨河路交汇点起向东，沿滨河路南侧路缘石至青龙河河道蓝线，"
        "沿青龙河河道蓝线向南至迎宾大道与滨河路交汇点止。沿海铁路和自来水厂改造工程同步推进。"
    )
    projects = [e.text for e in doc.ents if e.label_ == "PROJECT"]
    assert projects == ["沿海铁路", "自来水厂改造工程"], projects  # names that begin with a longer word stay


def test_a_bound_read_into_one_word_with_its_road_is_no_project(nlp: Language) -> None:
    """pkuseg reads 沿津 as a word and 东至 starts a bound; a county whose name begins like a
    preposition (从江县) still starts a project."""
    doc = nlp(
        "四至范围：东至沿湘江大道绿化带向北至龙门河与长株高速交汇点，北起沿津晋高速辅路绿化带向东至排污河交汇点。"
        "从江县至榕江县高速公路项目开工。"
    )
    assert [e.text for e in doc.ents if e.label_ == "PROJECT"] == ["从江县至榕江县高速公路项目"]


def test_national_slogans_are_left_out_and_local_programmes_kept(nlp: Language) -> None:
    """The guide makes generic national slogans optional; the silver data names them."""
    doc = nlp("商水县深入实施乡村振兴战略，扎实推进“五星支部”创建和“双百工程”。")
    assert [e._.kg["canonical"] for e in doc.ents if e.label_ == "POLICY"] == ["五星支部", "双百工程"]


def test_streets_addresses_and_estates_are_no_places(nlp: Language) -> None:
    """Optional in the guide; the sub-district and the town are places."""
    doc = nlp("新城街道办事处驻地设在商水县人民路88号。练集镇幸福小区和建设路沿线居民参加了活动。")
    places = [e.text for e in doc.ents if e.label_ == "PLACE"]
    assert not [p for p in places if p.endswith(("号", "小区", "路"))], places
    assert "练集镇" in places


def test_democratic_parties_go_by_their_full_names(nlp: Language) -> None:
    doc = nlp("周口市召开统战工作会议。民建市委主委李华出席，致公党周口市第三届常务委员会作工作报告。")
    names = {e.text: e._.kg["canonical"] for e in doc.ents if e.label_ == "AGENCY"}
    assert names.get("民建市委") == "中国民主建国会周口市委员会", names
    assert names.get("致公党周口市第三届常务委员会") == "中国致公党周口市委员会常务委员会", names
    assert {e._.kg.get("located_in") for e in doc.ents if e.text in ("民建市委", "致公党周口市第三届常务委员会")} == {"周口市"}


def test_a_party_and_its_central_committee_are_agencies(nlp: Language) -> None:
    """Whatever type the tagger gives them: a party is a public body (ANNOTATION.md)."""
    doc = nlp("民盟中央和九三学社中央到周口调研。农工党党员积极参与。")
    agencies = {e.text: e._.kg["canonical"] for e in doc.ents if e.label_ == "AGENCY"}
    assert agencies == {"民盟中央": "中国民主同盟中央委员会", "九三学社中央": "九三学社中央委员会", "农工党": "中国农工民主党"}, agencies


def test_a_base_that_is_built_is_a_project(nlp: Language) -> None:
    """The guide: a base that is the object of 建设/打造 is a PROJECT, also the ones listed after it."""
    doc = nlp("巴中市将打造川东北最大的茶叶加工基地和秦巴山区重要的中药材种植基地，推动产业升级。")
    projects = [e._.kg["canonical"] for e in doc.ents if e.label_ == "PROJECT"]
    assert projects == ["川东北最大的茶叶加工基地", "秦巴山区重要的中药材种植基地"], projects


@pytest.mark.parametrize(
    ("text", "agencies"),
    [
        # a visiting group is the body that sent it
        ("4月8日，怀化市政协调研组到溆浦县调研油茶产业发展。", {"怀化市政协": "怀化市政协"}),
        # the guide's sub-county bodies take the county and township prefix, also when written alone
        ("记者来到花垣县双龙镇十八洞村。天亮后，村党支部书记施金通就出了门。", {"村党支部": "花垣县双龙镇十八洞村党支部"}),
        ("大化瑶族自治县板升乡地处石山区。今年4月，乡党委召开会议研究饮水工程。", {"乡党委": "大化瑶族自治县板升乡党委"}),
        # a county's short form read inside a person's name (永胜 in 高永胜) names no body
        (
            "临沂市罗庄区区委书记高永胜,区委副书记、区长王丽云带领党政代表团来沭阳考察。沭阳县委书记卞建军陪同。全县上下热情接待。",
            {"罗庄区区委": "罗庄区委", "区委": "罗庄区委", "沭阳县委": "沭阳县委"},
        ),
        # a party department after a committee member's post is that committee's (市委常委、组织部长)
        (
            "庐江县举行签约仪式。我县与合肥市多家企业签约。市委常委、组织部长汪卫东出席。",
            {"市委": "合肥市委", "组织部": "合肥市委组织部"},
        ),
        # a body written after a chain of places lies in the last (北京市|通州区…)
        ("通州区召开会议。北京市通州区人民检察院检察委员会召开会议。", {"北京市通州区人民检察院检察委员会": "通州区人民检察院检察委员会"}),
        # a bare 政协 is the paper's own, as 县政协 would be
        ("定兴县举行重点项目集中开工活动。副县长刘扬，政协副主席韩军祥出席。", {"政协": "定兴县政协"}),
    ],
)
def test_a_body_is_named_as_the_guide_names_it(nlp: Language, text: str, agencies: dict[str, str]) -> None:
    found_agencies = {e.text: e._.kg["canonical"] for e in nlp(text).ents if e.label_ == "AGENCY"}
    assert found_agencies == agencies, found_agencies


def test_a_slogans_verb_and_object_is_no_county(nlp: Language) -> None:
    """兴县 'make the county thrive' in a slogan; the county of that name keeps its mentions."""
    doc = nlp("农业是立县之本、兴县之道。全县坚持工业兴县、产业强县，推动兴县、强县、富民一体发展。")
    assert not [e.text for e in doc.ents if e.label_ == "PLACE"]
    assert [e.text for e in nlp("兴县、临县、岚县三县联动。").ents] == ["兴县", "临县", "岚县"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("近年来，县城“四纵五横”路网逐步完善，通行更加顺畅。", "四纵五横路网"),  # the network noun after the quote joins it
        ("园区加快基础设施建设，形成了“二纵三横”的骨架。", "二纵三横"),
    ],
)
def test_a_road_network_named_by_its_lines_is_a_project(nlp: Language, text: str, name: str) -> None:
    assert [(e.label_, e._.kg["canonical"]) for e in nlp(text).ents if "纵" in e.text] == [("PROJECT", name)]


def test_a_place_inside_a_song_or_book_title_is_no_place_mention(nlp: Language) -> None:
    # the guide annotates no place written only inside a song's or book's name
    places = [e.text for e in nlp("文艺队自编自演的《吕梁英雄传》片段和《宁夏川好地方》已成为保留节目。").ents if e.label_ == "PLACE"]
    assert places == [], places
    # a document's title keeps its places (《关于…的报告》)
    doc = nlp("会议审议了《关于松江区科技创新走廊建设情况的工作报告》。")
    assert "松江区" in {e._.kg["canonical"] for e in doc.ents if e.label_ == "PLACE"}


def test_a_short_form_that_is_a_word_is_a_place_where_the_tagger_and_the_map_agree(nlp: Language) -> None:
    # 大关 is also a word, so not every 大关 is 大关县; read as a place in an article naming 昭通市, it is
    doc = nlp("昭通市委在盐津、大关两县召开现场办公会，推进大关高质量发展。")
    assert {e._.kg["canonical"] for e in doc.ents if e.text == "大关"} == {"大关县"}


def test_jurisdiction_ignores_division_names_read_inside_longer_names(nlp: Language) -> None:
    """西工业园区 is a unit of 阿拉尔市 (Xinjiang) in the table, and the tail of 河西工业园区 here."""
    doc = nlp("县委书记陈科调研河西工业园区西阳坝拓展区。陈科来到河西工业园区，要求河西工业园区加快建设，为仪陇振兴作贡献。")
    assert doc._.jurisdiction == "511324"  # 仪陇县, not 阿拉尔市


def test_a_province_read_before_a_firms_name_is_the_firm(nlp: Language) -> None:
    """A place written only inside an ORG's name is no place (ANNOTATION.md)."""
    for text, firm in (("河南神火煤业生产车间内机器轰鸣。", "河南神火煤业"), ("记者来到甘肃刘化化工的厂区。", "甘肃刘化化工")):
        ents = [(e.text, e.label_) for e in nlp(text).ents]
        assert ents == [(firm, "ORG")], ents
    assert [(e.text, e.label_) for e in nlp("青海发展清洁能源优势明显。").ents] == [("青海", "PLACE")]


def test_a_place_read_inside_a_persons_name_never_votes_for_the_jurisdiction(nlp: Language) -> None:
    """No place is tagged here; 建华 (a district of 齐齐哈尔市) is inside 李建华."""
    doc = nlp("宁夏回族自治区人大常委会举行宪法宣誓仪式,自治区党委书记、人大常委会主任李建华主持并监誓。李建华宣布仪式开始。")
    assert doc._.jurisdiction != "230203"


def test_a_provinces_paper_speaks_for_the_province(nlp: Language) -> None:
    """全省, 省委 and no city or county voice: the province of the places it names."""
    doc = nlp("全省乡村振兴工作会议在长沙市召开。省委书记出席并讲话。株洲市、湘潭市负责人作交流发言。")
    assert doc._.jurisdiction == "43"  # 湖南省, not 长沙市
    doc = nlp("全市乡村振兴工作会议召开。市委书记传达省委会议精神。株洲市、湘潭市负责人作交流发言。")
    assert doc._.jurisdiction != "43"  # a city's paper quotes 省委 too


def test_a_papers_own_voice_outweighs_the_visitors_bodies(nlp: Language) -> None:
    """来到我县: a county's paper, although the visiting city's 市委 is named more often."""
    doc = nlp(
        "省委书记带领省直部门领导来到我县调研。双鸭山市委书记李显刚,市委副书记、市长武凤呈,"
        "市委常委张振伟,饶河县委书记蔡洪生等陪同。饶河县东北黑蜂产业园区建设加快。"
    )
    assert doc._.jurisdiction == "230524"  # 饶河县, not 双鸭山市


def test_each_item_of_a_counted_list_of_towns_is_a_town_of_the_articles_county(nlp: Language) -> None:
    """叶堡、兴国、刘坪、中山四镇: 中山 is not 中山市 here, but the town of 秦安县."""
    doc = nlp("秦安县实施灌溉工程,涉及叶堡、兴国、刘坪、中山四镇29个村。")
    towns = {e.text: e._.kg["canonical"] for e in doc.ents if e.label_ == "PLACE" and e.text != "秦安县"}
    assert towns == {"叶堡": "叶堡镇", "兴国": "兴国镇", "刘坪": "刘坪镇", "中山": "中山镇"}
    assert all(e._.kg["adcode"].startswith("620522") for e in doc.ents if e.label_ == "PLACE")
