"""Tests for kg.normalize: newspaper layout undone, every character traceable."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from kg.normalize import NormalizedText, normalize_layout

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "tests" / "data" / "gold"

#: Raw characters an inserted " " may stand for (a collapsed whitespace run).
SPACES = " \t\x0b\x0c\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
#: Raw line breaks an inserted paragraph separator may stand for.
BREAKS = "\n\r\x85\u2028\u2029"


def seed(name: str) -> str:
    (path,) = SEEDS.glob(f"{name}_*.txt")
    return path.read_text(encoding="utf-8-sig")


def paragraphs(raw: str) -> list[str]:
    return normalize_layout(raw).text.split("\n")


def assert_offsets(raw: str, norm: NormalizedText) -> None:
    """The offsets contract of NormalizedText, checked character by character."""
    assert len(norm.offsets) == len(norm.text)
    assert all(a < b for a, b in zip(norm.offsets, norm.offsets[1:], strict=False))
    for ch, off in zip(norm.text, norm.offsets, strict=False):
        assert 0 <= off < len(raw)
        if raw[off] == ch:
            continue
        if ch == "\n":  # an inserted paragraph separator
            assert raw[off] in BREAKS
        elif ch == " ":  # a collapsed run of other whitespace
            assert raw[off] in SPACES
        else:
            pytest.fail(f"text char {ch!r} maps to raw {raw[off]!r} at {off}")


def assert_well_formed(text: str) -> None:
    assert not text.startswith("\n") and not text.endswith("\n")
    assert "\n\n" not in text
    assert "  " not in text
    for para in text.split("\n") if text else []:
        assert para == para.strip(" ")


# --- the seeds -----------------------------------------------------------------


def test_seed_000_joins_hard_wrapped_lines() -> None:
    text = normalize_layout(seed("000")).text
    assert "在过\n" not in text
    assert "民族要复兴，乡村必振兴。在过去的2024年，我市把学习运用“千万工程”经验" in text
    assert "“城乡融合与乡村振兴协同发力”列为2025年经济工作的重点任务之一" in text


def test_seed_000_keeps_paragraph_breaks() -> None:
    paras = paragraphs(seed("000"))
    assert paras[1] == "——我市干部群众认真学习市委五届九次全会暨市委经济工作会议精神"
    assert paras[2].startswith("民族要复兴")
    assert paras[2].endswith("一幅由表及里、形神兼备的晋中乡村振兴画卷徐徐展开。")
    assert paras[3].startswith("一张蓝图绘到底。")
    assert "记者 史俊杰" in paras
    assert paras[-1] == "学习贯彻市委五届九次全会暨市委经济工作会议精神系列报道之三"
    assert 10 <= len(paras) <= 16


def test_seed_000_doubled_headline_and_credit_collapse() -> None:
    paras = paragraphs(seed("000"))
    assert paras[0] == "城乡融合开新局 乡村振兴谱新篇"
    assert "太谷区农业与县域经济相互发展 记者 杨洋 摄" in paras


def test_seed_002_is_hard_wrapped_too() -> None:
    # 002 has the same layout as 000 (a ~16-character column with blank lines).
    paras = paragraphs(seed("002"))
    assert paras[0] == "在春意盎然的三月，全国两会和市两会精神如同一股强劲的春风，吹遍晋中大地。"
    assert "市15个城镇生活污水处理厂" in paras[5]
    assert paras[-2:] == [
        "——我市凝心聚力加快城乡融合，全力推进区域协调发展",
        "融合发展 同频共进",
    ]


@pytest.mark.parametrize("name", ["001", "003", "004"])
def test_paragraph_per_line_seeds_stay_paragraph_per_line(name: str) -> None:
    raw = seed(name)
    expected = [line.strip() for line in raw.splitlines() if line.strip()]
    assert paragraphs(raw) == expected


def test_seed_004_markdown_headings_kept() -> None:
    paras = paragraphs(seed("004"))
    assert paras[0] == "# 锚定新蓝图 奋进新征程"
    assert paras[1] == "## 兴县县委十七届十一次全会精神凝聚发展磅礴力量"
    assert "### 工业转型 锚定集群目标 激活发展引擎" in paras


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_seed_offsets_and_shape(path: Path) -> None:
    raw = path.read_text(encoding="utf-8-sig")
    norm = normalize_layout(raw)
    assert_offsets(raw, norm)
    assert_well_formed(norm.text)


@pytest.mark.parametrize("path", sorted(GOLD.glob("*.json")), ids=lambda p: p.name[:3])
def test_every_gold_mention_is_in_the_normalised_text(path: Path) -> None:
    gold = json.loads(path.read_text(encoding="utf-8"))
    text = normalize_layout((SEEDS / gold["doc"]).read_text(encoding="utf-8-sig")).text
    missing = [m for e in gold["entities"] for m in e["mentions"] if m not in text]
    assert missing == []


# --- column detection is not tied to the seeds' width -------------------------


def _rewrap(paras: list[str], width: int, sep: str) -> str:
    lines = [p[i : i + width] for p in paras for i in range(0, len(p), width)]
    return sep.join(lines)


@pytest.mark.parametrize("width", [9, 12, 22, 35])
@pytest.mark.parametrize("sep", ["\n", "\n\n", "\r\n\r\n"])
def test_rewrapped_article_is_recovered_at_any_width(width: int, sep: str) -> None:
    body = paragraphs(seed("000"))[2:-3]
    raw = _rewrap(body, width, sep)
    out = paragraphs(raw)
    # Every output paragraph is a run of whole input paragraphs: no word is
    # left split, and a paragraph end is only lost when its last line happens
    # to fill the column.
    joined = "".join(out)
    assert joined == "".join(body)
    starts = {0}
    pos = 0
    for p in body:
        pos += len(p)
        starts.add(pos)
    pos = 0
    for p in out:
        assert pos in starts
        pos += len(p)
    assert len(out) >= len(body) // 2


def test_blank_line_separates_paragraphs_in_a_tightly_wrapped_column() -> None:
    body = paragraphs(seed("000"))[2:]
    first, second = body[0][:64], body[1][:64]  # four full 16-character lines each

    def wrap(p: str) -> str:
        return "\n".join(p[i : i + 16] for i in range(0, len(p), 16))

    assert paragraphs(wrap(first) + "\n" + wrap(second)) == [first + second]
    assert paragraphs(wrap(first) + "\n\n" + wrap(second)) == [first, second]


def test_list_of_short_lines_is_not_taken_for_a_column() -> None:
    names = [
        "策划:路丽华",
        "统筹:武玲芳",
        "摄影:程婧朱",
        "编辑:李娟娟",
        "校对:王静静",
        "设计:张新海",
    ]
    raw = "\n".join(f"本版{name}" for name in names)
    assert paragraphs(raw) == raw.split("\n")


def test_lines_ending_sentences_are_not_joined_as_a_column() -> None:
    raw = "\n".join(["今年的政府工作报告提出了新要求。"] * 8)
    assert len(paragraphs(raw)) == 8


# --- spaces ----------------------------------------------------------------------


def test_space_between_cjk_and_number_or_latin_is_removed() -> None:
    assert normalize_layout("在过去的 2024 年，全市 15 个城镇").text == "在过去的2024年，全市15个城镇"
    assert normalize_layout("以文化 IP 赋能").text == "以文化IP赋能"


def test_meaningful_spaces_are_kept() -> None:
    assert normalize_layout("记者 李娟").text == "记者 李娟"
    assert normalize_layout("锚定新蓝图 奋进新征程").text == "锚定新蓝图 奋进新征程"
    assert normalize_layout("New   York 2024").text == "New York 2024"
    assert normalize_layout("本报讯(记者 邢智轩 通讯员 刘瑶)").text == "本报讯(记者 邢智轩 通讯员 刘瑶)"


def test_whitespace_runs_collapse_to_one_space() -> None:
    raw = "\u3000\u3000记者\u3000\u3000李娟 \t 摄影\t王静  "
    norm = normalize_layout(raw)
    assert norm.text == "记者 李娟 摄影 王静"
    assert_offsets(raw, norm)
    # A run holding an ASCII space maps to that space.
    assert raw[norm.offsets[norm.text.index(" 摄")]] == " "


def test_punctuation_width_is_untouched() -> None:
    raw = "今年,我市在推动太原晋中一体化方面，做了大量工作：（一）ＡＢＣ１２３"
    assert normalize_layout(raw).text == raw


# --- doubled headlines ---------------------------------------------------------


def test_doubled_segments_collapse_in_headings() -> None:
    assert normalize_layout("城乡融合开新局城乡融合开新局").text == "城乡融合开新局"
    assert normalize_layout("——城乡融合开新局城乡融合开新局").text == "——城乡融合开新局"


def test_prose_with_repeated_phrase_is_untouched() -> None:
    prose = [
        "我们要发展经济发展经济，推动乡村振兴乡村振兴。",
        "他说：“加油加油加油加油！”",
        "城乡融合城乡融合，这是大家的共识；乡村振兴乡村振兴。",
    ]
    for raw in prose:
        assert normalize_layout(raw).text == raw


def test_short_repeats_and_inner_repeats_are_untouched() -> None:
    # X shorter than 4 characters, and a repeat that is part of a longer word.
    for raw in [
        "天天向上 好好学习",
        "研究研究",
        "发展经济发展经济学",
        "经济发展经济发展规划",
    ]:
        assert normalize_layout(raw).text == raw


# --- line ends, BOM, controls ----------------------------------------------------


def test_bom_and_crlf() -> None:
    raw = "\ufeff标题\r\n\r\n正文第一段。\r第二段。\r\n"
    norm = normalize_layout(raw)
    assert norm.text == "标题\n正文第一段。\n第二段。"
    assert_offsets(raw, norm)
    # The separator maps to the "\n" of "\r\n", or to a lone "\r".
    seps = [raw[o] for ch, o in zip(norm.text, norm.offsets, strict=False) if ch == "\n"]
    assert seps == ["\n", "\r"]


def test_control_characters_are_dropped() -> None:
    raw = "晋中\x00市\x07发展\x1b改革\x7f委员会\x85下一段"
    norm = normalize_layout(raw)
    assert norm.text == "晋中市发展改革委员会\n下一段"
    assert_offsets(raw, norm)


@pytest.mark.parametrize("raw", ["", " ", "\n\n\n", " \t\u3000\r\n\ufeff", "\x00\x01", "\ufeff"])
def test_nothing_in_nothing_out(raw: str) -> None:
    norm = normalize_layout(raw)
    assert norm.text == ""
    assert norm.offsets == ()


def test_raw_span_quotes_the_page_as_printed() -> None:
    raw = seed("000")
    norm = normalize_layout(raw)
    start = norm.text.index("在过去的2024年")
    a, b = norm.raw_span(start, start + len("在过去的2024年"))
    assert raw[a:b] == "在过\n\n去的 2024 年"
    assert norm.raw_span(0, 0) == (norm.offsets[0], norm.offsets[0])
    assert norm.raw_span(len(norm.text), len(norm.text))[0] == norm.offsets[-1] + 1
    with pytest.raises(ValueError):
        norm.raw_span(3, 1)


# --- robustness -------------------------------------------------------------------


def test_long_line_without_punctuation_is_fast() -> None:
    raw = "城乡融合发展" * 8400  # 50,400 characters, one line
    t0 = time.perf_counter()
    norm = normalize_layout(raw)
    assert time.perf_counter() - t0 < 2.0
    assert norm.text == raw


def test_many_short_heading_lines_are_fast() -> None:
    raw = "\n".join("城乡融合开新局城乡融合开新局" if i % 2 else "甲" * 40 for i in range(4000))
    t0 = time.perf_counter()
    norm = normalize_layout(raw)
    assert time.perf_counter() - t0 < 3.0
    assert_offsets(raw, norm)


def test_random_input_never_crashes_and_keeps_the_contract() -> None:
    alphabet = (
        list("城乡融合开新局记者李娟年月日")
        + list("，。！？、“”：；（）")
        + list("abcXYZ0123456789,.!?#-— ")
        + [
            "\n",
            "\n",
            "\n",
            "\r",
            "\r\n",
            "\t",
            "\u3000",
            "\ufeff",
            "\x00",
            "\x0b",
            "\u2028",
        ]
    )
    rng = random.Random(20240501)
    for _ in range(400):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        norm = normalize_layout(raw)
        assert_offsets(raw, norm)
        assert_well_formed(norm.text)


def test_random_wrapped_columns_keep_the_contract() -> None:
    rng = random.Random(7)
    cjk = "城乡融合开新局记者李娟发展经济推动乡村振兴，、。"
    for _ in range(50):
        width = rng.randint(6, 40)
        lines = ["".join(rng.choice(cjk) for _ in range(rng.randint(1, width + 3))) for _ in range(rng.randint(1, 60))]
        raw = rng.choice(["\n", "\n\n", "\r\n"]).join(lines)
        norm = normalize_layout(raw)
        assert_offsets(raw, norm)
        assert_well_formed(norm.text)
        assert norm.text.replace("\n", "") == "".join(lines).replace("\n", "")


def test_lines_are_split_as_character_by_character_would() -> None:
    """The splitter takes runs of plain characters whole: the same lines, characters and
    offsets as looking at every character, whatever breaks, spaces and controls are mixed in."""
    from kg.normalize import _BREAKS, _SPACES, _is_control, _split_lines

    def one_by_one(raw: str) -> list[tuple[str, int, bool]]:
        """(text with spaces as found, where the line ends, whether it was indented) per line."""
        lines, chars, indent, i = [], [], False, 0
        while i <= len(raw):
            ch = raw[i] if i < len(raw) else "\n"
            if ch == "\r" and raw[i + 1 : i + 2] == "\n":
                i += 1
                continue
            if ch == "\r" or ch in _BREAKS:
                lines.append((chars, min(i, len(raw)), indent))
                chars, indent = [], False
            elif ch in _SPACES:
                indent = indent or not chars
                chars.append(" ")
            elif ch != "\ufeff" and not _is_control(ch):
                chars.append(ch)
            i += 1
        return [("".join(c).strip(" "), end, ind) for c, end, ind in lines]

    pieces = [" ", "\t", "\r", "\n", "\r\n", "\x85", "\u2028", "\u3000", "\xa0", "\ufeff", "\x00", "\x7f", "\x9f", "\ud800"]
    pieces += ["中文", "AB", "12", "，"]
    rng = random.Random(11)
    for _ in range(3000):
        raw = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        lines, want = _split_lines(raw), one_by_one(raw)
        assert [(line.end, line.indent) for line in lines] == [(end, indent) for _, end, indent in want]
        for line, (text, _, _) in zip(lines, want, strict=True):
            assert all(raw[k] == c or c == " " for c, k in zip(line.chars, line.idx, strict=True))
            assert line.text().replace(" ", "") == text.replace(" ", "")  # spaces: collapsed and dropped by rule
