"""Tests for kg.nlp.ner (the packaged learned NER: CRF + BiLSTM-CRF), its spaCy component and kg.nlp.ner_eval.

They guard the offline start-up path (the models load from the package without the
network), a known news sentence, robustness on odd strings, the BiLSTM's ONNX network against
the trained weights and its own padding, the BIOES decoder, and the scorer's output format that ``kg evaluate
ner`` prints.
"""

from __future__ import annotations

import numpy as np
import pytest

from kg.nlp import ner_crf, ner_lstm
from kg.nlp.ner import decode, load_ner_model, predict
from kg.nlp.ner_eval import evaluate, format_result
from kg.nlp.ner_text import TAGS, sentence_spans, spans_to_tags, tags_to_spans

SENTENCE = "国务院总理李强在北京会见了来访的法国总统马克龙，双方就中法关系交换了意见。"


pytestmark = pytest.mark.usefixtures("no_network")


def named(text: str, spans) -> set[tuple[str, str]]:
    return {(text[s:e], lab) for s, e, lab in spans}


def test_model_files_are_packaged() -> None:
    assert {"weights.npz", "lexicon.tsv.gz", "meta.json"} <= {p.name for p in ner_crf.MODEL_DIR.iterdir()}
    assert {"weights.npz", "network.onnx", "vocab.json.gz", "lexicon.tsv.gz", "meta.json"} <= {p.name for p in ner_lstm.MODEL_DIR.iterdir()}
    size = sum(p.stat().st_size for d in (ner_crf.MODEL_DIR, ner_lstm.MODEL_DIR) for p in d.iterdir())
    assert size < 60e6  # every model together stays under 60 MB


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
    assert all(0 <= s < e <= len(text) and lab in {"PERSON", "PLACE", "ORG", "AGENCY", "TITLE", "PROJECT", "POLICY"} for s, e, lab in spans)
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
    from kg.nlp.rules.base import candidates
    from kg.nlp.segmenter import make_nlp

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
    """A piece tagged alone, padded in a group of its length, or next to much longer ones
    gets the same probabilities."""
    lstm = load_ner_model().lstm
    short, long = "李强在北京。", SENTENCE * 2
    alone = lstm.marginals([short], ("msra",))[0][0]
    assert alone.shape == (len(short), len(TAGS))
    for pieces in ([long, short], ["他说" + short, short]):
        assert np.allclose(alone, lstm.marginals(pieces, ("msra",))[0][1], atol=1e-5)
    assert np.allclose(alone.sum(axis=1), 1.0, atol=1e-4)


def _reference_lstm_emissions(piece_inputs: np.ndarray, domain: int) -> np.ndarray:
    """What PyTorch's BiLSTM and output layer compute from ``weights.npz``, step by step."""
    with np.load(ner_lstm.MODEL_DIR / "weights.npz") as z:
        w = {k: z[k].astype(np.float64) for k in z.files}
    x = np.concatenate([piece_inputs, np.repeat(w["dom.weight"][domain][None, :], len(piece_inputs), axis=0)], axis=1)
    sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    halves = []
    for d, steps in (("l0", x), ("l0_reverse", x[::-1])):
        hidden = w[f"lstm.weight_hh_{d}"].shape[1]
        h, c, hs = np.zeros(hidden), np.zeros(hidden), []
        for v in steps:
            gates = w[f"lstm.weight_ih_{d}"] @ v + w[f"lstm.bias_ih_{d}"] + w[f"lstm.weight_hh_{d}"] @ h + w[f"lstm.bias_hh_{d}"]
            i, f, g, o = np.split(gates, 4)
            c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
            h = sigmoid(o) * np.tanh(c)
            hs.append(h)
        halves.append(np.asarray(hs if d == "l0" else hs[::-1]))
    return np.concatenate(halves, axis=1) @ w["out.weight"].T + w["out.bias"]


def test_onnx_network_computes_the_trained_bilstm() -> None:
    """``network.onnx`` (exported by scripts/export_ner_lstm.py) gives the emission scores
    of the BiLSTM in ``weights.npz``: gate order, both directions, each piece's own length,
    the domain."""
    lstm = load_ner_model().lstm
    pieces = [SENTENCE, "李强在北京。", "他说李强在北京。"]
    lengths = np.asarray([len(p) for p in pieces])
    inputs = lstm._inputs(pieces)
    for domain in ("msra", "regional"):
        got = lstm._emissions(inputs, lengths, domain)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        for k, (s, n) in enumerate(zip(starts, lengths, strict=True)):
            want = _reference_lstm_emissions(inputs[s : s + n].astype(np.float64), lstm.domains.index(domain))
            assert np.allclose(got[k, :n], want, atol=1e-3)


def test_crf_marginals_are_distributions() -> None:
    short, long = "李强在北京。", SENTENCE * 2
    alone = load_ner_model().crf.marginals([short], ("msra",))[0][0]
    padded = load_ner_model().crf.marginals([long, short], ("msra",))[0][1]
    assert alone.shape == (len(short), len(TAGS))
    assert np.allclose(alone.sum(axis=1), 1.0, atol=1e-4)
    assert np.allclose(alone, padded, atol=1e-6)


def test_exported_crf_gives_crfsuites_marginals(tmp_path) -> None:
    """kg's numpy CRF must score a crfsuite model exactly as crfsuite does: train a small
    model with every kind of attribute (window, surname, dictionary, domain), export it
    and compare the marginals, in a domain the model knows and one it does not."""
    import json

    import pycrfsuite

    from kg.nlp.ner_crf import FEATURE_VERSION, CRFTagger, export_crfsuite, features
    from kg.nlp.ner_text import Lexicon, spans_to_tags

    lexicon = Lexicon()
    for word, tag in (("北京", "G"), ("李强", "p2"), ("国务院", "A"), ("总统", "T")):
        lexicon.add(word, tag)
    surnames = {"李", "马"}
    train = [
        (SENTENCE, [(5, 7, "PERSON"), (8, 10, "PLACE"), (0, 3, "AGENCY"), (18, 21, "PERSON")]),
        ("马克龙说：“sur 北京 is big.” 李强笑了。", [(0, 3, "PERSON"), (11, 13, "PLACE"), (21, 23, "PERSON")]),
    ]
    trainer = pycrfsuite.Trainer(verbose=False)
    for domain in ("msra", "cluener"):
        for text, spans in train:
            trainer.append(features(text, lexicon, surnames, domain), spans_to_tags(len(text), spans))
    trainer.set_params({"c2": 0.1, "max_iterations": 30, "feature.possible_transitions": True})
    trainer.train(str(tmp_path / "model.crfsuite"))
    export_crfsuite(tmp_path / "model.crfsuite", tmp_path / "weights.npz", ("cluener", "msra"))
    lexicon.save(tmp_path / "lexicon.tsv.gz")
    meta = {"feature_version": FEATURE_VERSION, "domains": ["cluener", "msra"], "surnames": "李马"}
    (tmp_path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")

    ours = CRFTagger(tmp_path)
    stock = pycrfsuite.Tagger()
    stock.open(str(tmp_path / "model.crfsuite"))
    pieces = [text for text, _ in train] + ["李", "ur sur: 北京！", "\x00李强\x00北京", "^^李$强$$ ^ $"]
    for domain in ("msra", "weibo"):
        got = ours.marginals(pieces, (domain,))[0]
        for piece, m in zip(pieces, got, strict=True):
            feats = features(piece, lexicon, surnames, domain if domain in ours.domains else None)
            stock.set(feats)
            want = np.zeros((len(piece), len(TAGS)))
            for label in stock.labels():
                want[:, TAGS.index(label)] = [stock.marginal(label, t) for t in range(len(piece))]
            assert np.allclose(m, want, atol=1e-5), piece


def test_the_bilstm_runs_only_where_the_crf_is_unsure() -> None:
    """A piece the CRF tags surely keeps the CRF's probabilities; an unsure one gets the
    average with the BiLSTM's. Tagging a document equals tagging its sentences in a batch."""
    from kg.nlp.ner import CRF_SURE, LSTM_WEIGHT

    model = load_ner_model()
    pieces = ["。", "据了解，", SENTENCE, "沙颍河畔的练集镇辣椒种植专业合作社里，社员们正忙着分拣。"]
    crf = model.crf.marginals(pieces, (model.domain,))[0]
    lstm = model.lstm.marginals(pieces, (model.domain,))[0]
    got = model.probabilities(pieces, model.domain)
    sure = [m.max(axis=1).min() >= CRF_SURE for m in crf]
    assert any(sure) and not all(sure)
    for p, c, lm, s in zip(got, crf, lstm, sure, strict=True):
        want = c if s else LSTM_WEIGHT * lm + (1 - LSTM_WEIGHT) * c
        assert np.allclose(p, want, atol=1e-6)
    text = "".join(pieces)
    assert [s[:3] for s in model.tag(text)] == [s[:3] for s in model.predict_scored([text])[0]]


def test_decode_keeps_bioes_well_formed() -> None:
    """Per-character argmax would give I-PERSON after O; the decoder must not."""
    probs = np.full((3, len(TAGS)), 0.01)
    probs[0, TAGS.index("O")] = 0.9
    probs[1, TAGS.index("I-PERSON")] = 0.6
    probs[1, TAGS.index("O")] = 0.3
    probs[2, TAGS.index("E-PERSON")] = 0.9
    spans = decode([probs / probs.sum(axis=1, keepdims=True)])[0]
    assert all(lab in {"PERSON", "PLACE", "ORG", "AGENCY", "TITLE", "PROJECT", "POLICY"} for _, _, lab, _ in spans)
    assert all(0 < conf <= 1 for *_, conf in spans)
    tags = spans_to_tags(3, [(s, e, lab) for s, e, lab, _ in spans])
    assert tags_to_spans(tags) == [(s, e, lab) for s, e, lab, _ in spans]


def test_decode_batch_matches_one_by_one() -> None:
    rng = np.random.default_rng(0)
    probs = [rng.dirichlet(np.ones(len(TAGS)), size=n) for n in (1, 7, 3)]
    assert decode(probs) == [decode([p])[0] for p in probs]


def _reference_encoding(encoder: ner_lstm.Encoder, vocab: dict, text: str) -> dict[str, list]:
    """What the BiLSTM was trained on, character by character (dict probes, one set per character)."""
    from kg.nlp.ner_text import char_class, normalize

    chars = {c: i + 2 for i, c in enumerate(vocab["chars"])}
    bigrams = {b: i + 2 for i, b in enumerate(vocab["bigrams"])}
    t = normalize(text)
    pairs = [bigrams.get(t[i : i + 2], 1) for i in range(len(t) - 1)]
    feats: list[set[int]] = [set() for _ in t]
    for i, j, tags in encoder.lexicon.matches(t):
        for k in (encoder.lex_tags[g] for g in tags if g in encoder.lex_tags):
            feats[i].add(k * ner_lstm.LEX_SLOTS + min(j - i, 6) - 2)
            feats[j - 1].add(k * ner_lstm.LEX_SLOTS + 6)
            for m in range(i + 1, j - 1):
                feats[m].add(k * ner_lstm.LEX_SLOTS + 5)
    return {
        "char": [chars.get(c, 1) for c in t],
        "bl": [1, *pairs],
        "br": [*pairs, 1],
        "cls": ["DNLCSP".index(char_class(c)) * 2 + (c in vocab["surnames"]) for c in t],
        "lex_ptr": [0, *np.cumsum([len(f) for f in feats]).tolist()],
        "lex_idx": [x for f in feats for x in sorted(f)],
    }


@pytest.mark.parametrize("text", ["晋中市发展和改革委员会主任张建国在榆次区调研。", "ＡＢＣ１２３北京 😀 Xinjiang 〇一二", "\x00李", "我"])
def test_bilstm_encoder_gives_the_per_character_features(text: str) -> None:
    """The encoder's table lookups give what the per-character definition gives."""
    import gzip
    import json

    with gzip.open(ner_lstm.MODEL_DIR / "vocab.json.gz", "rt", encoding="utf-8") as fh:
        vocab = json.load(fh)
    encoder = load_ner_model().lstm.encoder
    got = encoder.encode(text)
    for key, want in _reference_encoding(encoder, vocab, text).items():
        assert got[key].tolist() == want, key
    # after another piece: the same features, no bigram or dictionary word across the two
    both = encoder.encode_many(["晋中市", text])
    for key in ("char", "bl", "br", "cls"):
        assert both[key][3:].tolist() == got[key].tolist(), key
    assert both["lex_idx"][both["lex_ptr"][3] :].tolist() == got["lex_idx"].tolist()
    assert (np.diff(both["lex_ptr"])[3:] == np.diff(got["lex_ptr"])).all()


def test_lexicon_matches_every_word_at_every_position() -> None:
    """Every occurrence of every word, overlapping and nested ones too, in order; a word
    added after a first match is found as well."""
    from kg.nlp.ner_text import Lexicon

    lexicon = Lexicon()
    for word, tag in (("北京", "G"), ("北京市", "G"), ("京市", "l0"), ("市政府", "A"), ("北京市政府", "A"), ("😀京", "o0")):
        lexicon.add(word, tag)
    text = "北京市政府在北京。😀京北"

    def every(lex: Lexicon) -> list[tuple[int, int, str]]:
        return [(i, j, text[i:j]) for i in range(len(text)) for j in range(i + 2, len(text) + 1) if text[i:j] in lex.words]

    assert [(i, j, text[i:j]) for i, j, _ in lexicon.matches(text)] == every(lexicon)
    lexicon.add("在北", "l0")
    assert ("在北", ("l0",)) in [(text[i:j], tags) for i, j, tags in lexicon.matches(text)]
    assert [(i, j, text[i:j]) for i, j, _ in lexicon.matches(text)] == every(lexicon)
    assert list(lexicon.matches("北")) == [] and list(Lexicon().matches(text)) == []
    # several texts at once: each one's matches at its place in the texts joined, none across two
    texts = ["北京", "市政府在北", "", "京市", "北京市 政府"]
    offsets = np.cumsum([0, *map(len, texts)])
    want = [(o + i, o + j, tags) for o, t in zip(offsets, texts, strict=False) for i, j, tags in lexicon.matches(t)]
    assert lexicon.matches_many(texts) == want


def test_word_codes_are_word_code_of_each_key() -> None:
    """The numpy codes of a whole table are the per-key definition's, astral characters too."""
    from kg.nlp import codepoints

    keys = ["a", "中国", "中国人", "\U0010ffff\U0010ffff\U0010ffff", "x\U00020000", "\x00", "𠀀中"]
    assert codepoints.word_codes(keys).tolist() == [codepoints.word_code(k) for k in keys]
    assert codepoints.word_codes([]).tolist() == []
    with pytest.raises(ValueError):
        codepoints.word_codes(["中", ""])
    with pytest.raises(ValueError):
        codepoints.word_codes(["四个字符"])


def test_find_gives_each_keys_place_however_many_keys() -> None:
    """Sorted first (many keys) or not, each key's place and presence in the table."""
    from kg.nlp import codepoints

    rng = np.random.default_rng(7)
    table = np.unique(rng.integers(0, 10**12, 5000))
    for shape in [(3,), (codepoints.SORT_KEYS_FROM + 5,), (40, 30)]:
        keys = np.where(rng.random(shape) < 0.5, rng.choice(table, shape), rng.integers(0, 10**12, shape))
        at, found = codepoints.find(table, keys)
        assert at.shape == found.shape == keys.shape
        assert (found == np.isin(keys, table)).all()
        assert (table[at][found] == keys[found]).all()
        assert (at == np.minimum(np.searchsorted(table, keys), len(table) - 1)).all()
