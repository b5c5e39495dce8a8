"""Tests for kg.nlp.segmenter: the packaged pkuseg model and the spaCy pipeline.

They guard the offline start-up path: the model must load from the package
without touching the network, segment news text sensibly, keep gazetteer
names whole and never lose or alter characters.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from kg.nlp.segmenter import PKUSEG_MODEL_DIR, load_pkuseg, make_nlp

GAZETTEER = ["晋中市", "义棠镇", "发展和改革委员会"]


pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture(scope="module")
def nlp() -> Language:
    """One pipeline with the gazetteer words, shared to keep the suite fast."""
    return make_nlp(GAZETTEER)


def words(nlp: Language, text: str) -> list[str]:
    """Non-space token texts of ``text``."""
    return [t.text for t in nlp(text) if not t.is_space]


def test_model_files_are_packaged() -> None:
    assert PKUSEG_MODEL_DIR.is_dir()
    assert (PKUSEG_MODEL_DIR / "features.msgpack").is_file()
    assert (PKUSEG_MODEL_DIR / "weights.npz").is_file()
    size = sum(p.stat().st_size for p in PKUSEG_MODEL_DIR.iterdir())
    assert size < 40e6, "model too large to ship"


def test_returns_blank_chinese_pipeline(nlp: Language) -> None:
    assert nlp.lang == "zh"
    assert nlp.pipe_names == []
    assert nlp.tokenizer.segmenter == "pkuseg"


def test_segments_known_sentence(nlp: Language) -> None:
    toks = words(nlp, "中国人民今天迎来了新的一年。")
    # PKU standard: 中国 / 人民 are separate words.
    assert toks[:3] == ["中国", "人民", "今天"]
    assert toks[-1] == "。"
    assert "迎来" in toks


def test_user_words_stay_whole(nlp: Language) -> None:
    text = "山西省晋中市介休市义棠镇发展和改革委员会召开会议。"
    toks = words(nlp, text)
    for name in GAZETTEER:
        assert name in toks, toks


def test_user_words_only_affect_their_pipeline(nlp: Language) -> None:
    plain = make_nlp()
    text = "义棠镇发展和改革委员会"
    assert "发展和改革委员会" not in words(plain, text)
    assert "发展和改革委员会" in words(nlp, text)


def test_half_width_ascii_segmented_like_full_width(nlp: Language) -> None:
    """People's Daily writes ５．２％ and ＧＤＰ; modern news writes 5.2% and GDP."""
    toks = words(nlp, "全市GDP增长6.5%，PM2.5浓度下降。")
    assert "GDP" in toks and "6.5%" in toks and "PM2.5" in toks, toks
    assert words(nlp, "全市ＧＤＰ增长６．５％")[1:] == ["ＧＤＰ", "增长", "６．５％"]


def test_user_words_with_ascii_and_later_updates() -> None:
    nlp = make_nlp(["5G基站"])
    nlp.tokenizer.pkuseg_update_user_dict(["昔阳县大寨村"])
    toks = words(nlp, "昔阳县大寨村建成5G基站3个")
    assert "5G基站" in toks and "昔阳县大寨村" in toks, toks


@pytest.mark.parametrize(
    "text",
    [
        "晋中市义棠镇 2024年 GDP增长５.２％，\n  新建项目12个。",
        "  前导空格与\t制表符\u3000全角空格  ",
        "",
        "English only text.",
    ],
)
def test_text_round_trips(nlp: Language, text: str) -> None:
    doc = nlp(text)
    assert "".join(t.text_with_ws for t in doc) == text


def test_deterministic_and_order_independent() -> None:
    text = "晋中市发展和改革委员会主任在义棠镇调研乡村振兴工作。"
    a = [t.text for t in make_nlp(GAZETTEER)(text)]
    b = [t.text for t in make_nlp(reversed(GAZETTEER))(text)]
    c = [t.text for t in make_nlp(GAZETTEER)(text)]
    assert a == b == c


def test_stock_pkuseg_loader_reads_packaged_model() -> None:
    """The shipped layout must also load with plain spacy_pkuseg / spaCy."""
    import spacy_pkuseg
    from spacy.lang.zh import Chinese

    seg = spacy_pkuseg.pkuseg(str(PKUSEG_MODEL_DIR), user_dict=None)
    ours = load_pkuseg()
    text = "中国人民今天迎来了新的一年。"
    assert seg.cut(text) == ours.cut(text)

    stock = Chinese.from_config({"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    stock.tokenizer.initialize(pkuseg_model=str(PKUSEG_MODEL_DIR))
    assert [t.text for t in stock(text)][:2] == ["中国", "人民"]


def test_missing_model_dir_raises(tmp_path) -> None:
    with pytest.raises(FileNotFoundError):
        make_nlp(model_dir=tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        "中国人民今天迎来了新的一年。",
        "晋中市发展和改革委员会主任在义棠镇调研乡村振兴工作。",
        "2024年GDP增长5.2%，ＧＤＰ１９９８年；a.b-c/d*e:f|g_h",
        "二期50万吨电解铝项目总投资38.6亿元，预计2025年底投产。",
        "中",
        "\x01\x02李\x03强",
    ],
)
def test_fast_pkuseg_equals_spacy_pkuseg(text: str) -> None:
    """kg.nlp.fast_pkuseg must give exactly the words spacy-pkuseg's own features and Viterbi give."""
    import spacy_pkuseg

    from kg.nlp.fast_pkuseg import FastPkuseg

    stock = spacy_pkuseg.pkuseg(str(PKUSEG_MODEL_DIR), user_dict=None)
    fast = FastPkuseg(str(PKUSEG_MODEL_DIR), user_dict=None)
    for seg in (stock, fast):
        seg.preprocesser = spacy_pkuseg.Preprocesser(GAZETTEER)
    assert fast.cut(text) == stock.cut(text)


def test_fast_pkuseg_equals_spacy_pkuseg_on_the_seeds(seeds_dir) -> None:
    import spacy_pkuseg

    from kg.nlp.fast_pkuseg import FastPkuseg

    stock = spacy_pkuseg.pkuseg(str(PKUSEG_MODEL_DIR), user_dict=None)
    fast = FastPkuseg(str(PKUSEG_MODEL_DIR), user_dict=None)
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]
    assert texts
    assert [fast.cut(t) for t in texts] == [stock.cut(t) for t in texts]


def test_shipped_code_tables_match_the_model(tmp_path) -> None:
    """fast_tables.npz must be what the shipped model's features give; a stale file is ignored."""
    import shutil

    import numpy as np

    from kg.nlp.fast_pkuseg import TABLES_FILE, FastPkuseg

    seg = FastPkuseg(str(PKUSEG_MODEL_DIR), user_dict=None)
    with np.load(PKUSEG_MODEL_DIR / TABLES_FILE) as z:
        shipped = {k: z[k] for k in z.files if k != "digest"}
    fresh = seg.code_tables()
    assert shipped.keys() == fresh.keys()
    assert all(np.array_equal(shipped[k], fresh[k]) for k in fresh)

    for name in ("features.msgpack", "weights.npz", TABLES_FILE):
        shutil.copyfile(PKUSEG_MODEL_DIR / name, tmp_path / name)
    with np.load(tmp_path / TABLES_FILE) as z:
        tables = dict(z)
    tables["ww.l.features"] = np.zeros_like(tables["ww.l.features"])  # wrong, and made for another model:
    tables["digest"] = np.asarray("0" * 64)
    np.savez(tmp_path / TABLES_FILE, **tables)
    stale = FastPkuseg(str(tmp_path), user_dict=None)
    assert stale._load_tables(tmp_path / TABLES_FILE, tmp_path) is None
    text = "中国人民今天迎来了新的一年。"
    assert stale.cut(text) == seg.cut(text)
