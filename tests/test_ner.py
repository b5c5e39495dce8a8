"""Tests for kg.ner (the packaged learned NER: CRF + BiLSTM-CRF), its spaCy component and kg.ner_eval.

They guard the offline start-up path (the models load from the package without the
network), a known news sentence, robustness on odd strings, the numpy BiLSTM against
its own padding, the BIOES decoder, and the scorer's output format that ``kg evaluate
ner`` prints.
"""

from __future__ import annotations

import numpy as np
import pytest

from kg import ner_crf, ner_lstm
from kg.ner import decode, load_ner_model, predict
from kg.ner_eval import evaluate, format_result
from kg.ner_text import TAGS, sentence_spans, spans_to_tags, tags_to_spans

SENTENCE = "国务院总理李强在北京会见了来访的法国总统马克龙，双方就中法关系交换了意见。"


pytestmark = pytest.mark.usefixtures("no_network")


def named(text: str, spans) -> set[tuple[str, str]]:
    return {(text[s:e], lab) for s, e, lab in spans}


def test_model_files_are_packaged() -> None:
    assert {"model.crfsuite", "lexicon.tsv.gz", "meta.json"} <= {p.name for p in ner_crf.MODEL_DIR.iterdir()}
    assert {"weights.npz", "vocab.json.gz", "lexicon.tsv.gz", "meta.json"} <= {p.name for p in ner_lstm.MODEL_DIR.iterdir()}
    size = sum(p.stat().st_size for d in (ner_crf.MODEL_DIR, ner_lstm.MODEL_DIR) for p in d.iterdir())
    assert size < 30e6


def test_known_sentence() -> None:
    found = named(SENTENCE, predict(SENTENCE))
    assert ("李强", "PERSON") in found
    assert ("北京", "PLACE") in found
    assert ("国务院", "AGENCY") in found or ("国务院", "ORG") in found


def test_offsets_in_long_text() -> None:
    text = "据新华社报道。\n\n" + SENTENCE * 3
    spans = predict(text)
    assert all(0 <= s < e <= len(text) for s, e, _ in spans)
    assert sum(1 for s, e, lab in spans if text[s:e] == "李强" and lab == "PERSON") == 3


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n\n",
        "。。。",
        "\x00李强\x00",
        "😀👍🏻 北京",
        "ＡＢＣ１２３北京",
        "a" * 5000,
        "李" * 3000,
        "北京，" * 400,
        "\ud800",
        "\t\r\u3000",
    ],
)
def test_never_crashes(text: str) -> None:
    spans = predict(text)
    assert all(0 <= s < e <= len(text) and lab in {"PERSON", "PLACE", "ORG", "AGENCY", "TITLE"} for s, e, lab in spans)
    assert all(text[s:e] == text[s:e].strip() for s, e, _ in spans)


def test_spans_never_take_spaces() -> None:
    text = "记者 史俊杰 报道。本报记者　李强"
    assert all(text[s:e] == text[s:e].strip() for s, e, _ in predict(text))


def test_non_string_input_gives_nothing() -> None:
    assert load_ner_model().predict(None) == []  # type: ignore[arg-type]


def test_sentence_spans_cover_text() -> None:
    text = "第一句。第二句！" + "很长，" * 200 + "\n末尾"
    pieces = sentence_spans(text, max_len=50)
    assert all(e - s <= 50 for s, e in pieces)
    assert "".join(text[s:e] for s, e in pieces) == text.replace("\n", "")


def test_tags_round_trip() -> None:
    spans = [(0, 2, "PERSON"), (3, 4, "PLACE"), (5, 9, "ORG")]
    assert tags_to_spans(spans_to_tags(10, spans)) == spans
    assert tags_to_spans(["B-ORG", "I-ORG", "O", "I-PLACE", "E-PLACE"]) == [(0, 2, "ORG"), (3, 5, "PLACE")]


def test_spacy_component_adds_low_priority_candidates() -> None:
    from kg.rules.base import candidates
    from kg.segmenter import make_nlp

    nlp = make_nlp()
    nlp.add_pipe("kg_learned_ner")
    doc = nlp(SENTENCE)
    cands = candidates(doc)
    assert any(c.canonical == "李强" and c.label == "PERSON" for c in cands)
    assert all(c.priority == 0 and c.attrs["source"] == "learned" and 0 < c.attrs["score"] <= 1 for c in cands)
    assert all(SENTENCE[c.start : c.end] == c.canonical for c in cands)


def test_evaluate_prints_micro_f1_last(tmp_path) -> None:
    path = tmp_path / "tiny.bio"
    chars = [(ch, "O") for ch in "国务院总理"] + [("李", "B-PER"), ("强", "I-PER"), ("在", "O"), ("北", "B-LOC"), ("京", "I-LOC")]
    path.write_text("\n".join(f"{c}\t{t}" for c, t in chars) + "\n\n", encoding="utf-8")
    result = evaluate(path, "msra")
    assert set(result["labels"]) == {"PERSON", "PLACE", "ORG"}
    assert result["labels"]["PERSON"]["f1"] == 1.0
    out = format_result(result)
    assert out.splitlines()[-1].startswith("f1=")
    assert float(out.splitlines()[-1][3:]) == pytest.approx(result["f1"], abs=1e-4)


def test_lstm_marginals_do_not_depend_on_batch_padding() -> None:
    """A piece tagged alone or next to longer ones gets the same probabilities."""
    lstm = load_ner_model().lstm
    short, long = "李强在北京。", SENTENCE * 2
    alone = lstm.marginals([short], ("msra",))[0][0]
    padded = lstm.marginals([long, short], ("msra",))[0][1]
    assert alone.shape == (len(short), len(TAGS))
    assert np.allclose(alone, padded, atol=1e-5)
    assert np.allclose(alone.sum(axis=1), 1.0, atol=1e-4)


def test_crf_marginals_are_distributions() -> None:
    m = load_ner_model().crf.marginals(SENTENCE, ("msra",))[0]
    assert m.shape == (len(SENTENCE), len(TAGS))
    assert np.allclose(m.sum(axis=1), 1.0, atol=1e-4)


def test_decode_keeps_bioes_well_formed() -> None:
    """Per-character argmax would give I-PERSON after O; the decoder must not."""
    probs = np.full((3, len(TAGS)), 0.01)
    probs[0, TAGS.index("O")] = 0.9
    probs[1, TAGS.index("I-PERSON")] = 0.6
    probs[1, TAGS.index("O")] = 0.3
    probs[2, TAGS.index("E-PERSON")] = 0.9
    spans = decode([probs / probs.sum(axis=1, keepdims=True)])[0]
    assert all(lab in {"PERSON", "PLACE", "ORG", "AGENCY", "TITLE"} for _, _, lab, _ in spans)
    assert all(0 < conf <= 1 for *_, conf in spans)
    tags = spans_to_tags(3, [(s, e, lab) for s, e, lab, _ in spans])
    assert tags_to_spans(tags) == [(s, e, lab) for s, e, lab, _ in spans]


def test_decode_batch_matches_one_by_one() -> None:
    rng = np.random.default_rng(0)
    probs = [rng.dirichlet(np.ones(len(TAGS)), size=n) for n in (1, 7, 3)]
    assert decode(probs) == [decode([p])[0] for p in probs]
