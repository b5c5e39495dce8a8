"""kg.chinese: Traditional text gets a Simplified copy of the same length; Simplified text none."""

from __future__ import annotations

from kg.chinese import _same_length, _t2s, misread_reason, to_simplified

TRADITIONAL = "興縣農業農村局今年新建高標準農田三萬畝，推廣節水灌溉技術。"


def test_traditional_gets_a_simplified_copy_of_the_same_length() -> None:
    assert to_simplified(TRADITIONAL) == "兴县农业农村局今年新建高标准农田三万亩，推广节水灌溉技术。"
    assert to_simplified("兴县农业农村局今年新建高标准农田三万亩。") is None
    assert to_simplified("GDP 5.2%") is None


def test_a_paragraph_whose_phrases_change_length_is_converted_by_character() -> None:
    class Phrases:  # a converter that, like a phrase table might, shortens a phrase
        def convert(self, s: str) -> str:
            return s.replace("農業農村", "农") if len(s) > 1 else _t2s().convert(s)

    got = _same_length(Phrases(), TRADITIONAL)
    assert len(got) == len(TRADITIONAL) and got.startswith("兴县农业农村局")


def test_chinese_read_as_gb18030_is_no_misreading() -> None:
    text = TRADITIONAL * 2
    assert misread_reason(text, text.encode("gb18030")) is None
