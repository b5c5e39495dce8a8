"""``kg build --update``: reuse the last build's per-document extractions.

Why: adding a day's articles to an archive must not re-extract thousands of
unchanged ones, yet the graph must be exactly the graph a full rebuild of the
new set gives (a stale or misattributed cache entry would silently put wrong
facts in it). So: build a set with the cache, change one file, add one, delete
one, update, and compare every output file byte for byte with a full rebuild of
the new set, counting that only the changed and the added article were
extracted. The cache must follow kg's code and models (fingerprint), survive
damage, rename and nothing-changed, and be written deterministically.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from generated import assert_same_outputs, write_generated_docs

import kg.cache
import kg.engines
from kg.build import OUTPUT_FILES, build
from kg.cache import CACHE_DIR, CACHE_FILE, ExtractionCache, content_key, decode, encode, fingerprint
from kg.cli import main
from kg.documents import Document, read_documents

GENERATED_NAME = "gen_{seed}_{i:02d}.txt"  # several generations in one archive


@pytest.fixture
def extracted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Doc ids the engines extract from now on (in-process builds: these sets are small)."""
    seen: list[str] = []
    real = kg.engines.extract_batch

    def counting(batch: Sequence[tuple[str, str]], fp: str | None = None, learned_ner: bool = True):
        seen.extend(doc_id for doc_id, _ in batch)
        return real(batch, fp, learned_ner)

    monkeypatch.setattr(kg.engines, "extract_batch", counting)
    return seen


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> tuple[Path, Path]:
    """The seeds plus six generated articles, built once with --update: (archive, output with cache)."""
    root = tmp_path_factory.mktemp("pristine")
    shutil.copytree(seeds_dir, root / "archive")
    write_generated_docs(seeds_dir, root / "archive", 6, seed=7, name=GENERATED_NAME)
    _, report = build([root / "archive"], root / "out", update=True)
    assert (report.documents, report.cached, report.extracted) == (11, 0, 11)
    assert report.cache == root / "out" / CACHE_DIR / CACHE_FILE
    return root / "archive", root / "out"


@pytest.fixture
def work(tmp_path: Path, pristine: tuple[Path, Path]) -> tuple[Path, Path, Path]:
    """A copy of the archive and of its output (with cache) to change: (archive, out, reference output)."""
    shutil.copytree(pristine[0], tmp_path / "archive")
    shutil.copytree(pristine[1], tmp_path / "out")
    return tmp_path / "archive", tmp_path / "out", pristine[1]


def cache_keys(outdir: Path) -> list[str]:
    lines = (outdir / CACHE_DIR / CACHE_FILE).read_text(encoding="utf-8").splitlines()
    return [line.split("\t", 1)[0] for line in lines[1:]]


def test_update_equals_full_rebuild_and_extracts_only_what_changed(
    work: tuple[Path, Path, Path], tmp_path: Path, seeds_dir: Path, extracted: list[str]
) -> None:
    archive, out, _ = work
    texts = {d.doc_id: d.text for d in read_documents([archive]) if isinstance(d, Document)}
    assert cache_keys(out) == sorted(content_key(t) for t in texts.values()), "the first build cached every document"

    changed = archive / "gen_7_01.txt"
    news = "晋中市发展和改革委员会主任王峰表示，平遥古城保护工程年内开工。\n"
    changed.write_text(changed.read_text(encoding="utf-8") + news, encoding="utf-8")
    write_generated_docs(seeds_dir, archive, 1, seed=8, name=GENERATED_NAME)  # adds gen_8_00.txt
    (archive / "gen_7_03.txt").unlink()
    (archive / "003_acd12208ee1c657e.txt").unlink()

    _, update = build([archive], out, update=True)
    assert sorted(extracted) == ["gen_7_01.txt", "gen_8_00.txt"], "only the changed and the added article are extracted"
    assert (update.documents, update.cached, update.extracted) == (10, 8, 2)

    full = tmp_path / "full"
    build([archive], full)
    assert_same_outputs(out, full)
    texts = {d.doc_id: d.text for d in read_documents([archive]) if isinstance(d, Document)}
    assert cache_keys(out) == sorted(content_key(t) for t in texts.values()), "removed documents drop out of the cache"
    assert list((out / CACHE_DIR).iterdir()) == [out / CACHE_DIR / CACHE_FILE], "no temporary files left behind"


def test_nothing_changed_extracts_nothing_and_rewrites_the_same_cache(work: tuple[Path, Path, Path], extracted: list[str]) -> None:
    archive, out, ref = work
    _, report = build([archive], out, update=True)
    assert extracted == [] and report.cached == 11 and report.extracted == 0
    assert (out / CACHE_DIR / CACHE_FILE).read_bytes() == (ref / CACHE_DIR / CACHE_FILE).read_bytes()
    assert_same_outputs(out, ref)


def test_unchanged_files_are_only_hashed_and_a_re_saved_file_is_still_a_hit(
    work: tuple[Path, Path, Path], extracted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """UTF-8 files as stored are not normalised again; other bytes for the same text hit by content."""
    import kg.build

    archive, out, ref = work
    gb = archive / "gen_7_05.txt"
    gb.write_bytes(gb.read_text(encoding="utf-8").encode("gb18030"))  # exported from another system
    crlf = archive / "gen_7_04.txt"
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))  # re-saved on Windows
    normalised: list[str] = []
    real = kg.build.read_document

    def counting(path: Path, doc_id: str):
        normalised.append(doc_id)
        return real(path, doc_id)

    monkeypatch.setattr(kg.build, "read_document", counting)
    _, report = build([archive], out, update=True)
    assert extracted == [] and report.cached == 11
    assert normalised == ["gen_7_04.txt", "gen_7_05.txt"], "only files whose raw text is not in the cache are read in full"
    normalised.clear()
    build([archive], out, update=True)
    assert normalised == ["gen_7_05.txt"], "the re-saved file's raw text is remembered; GB18030 always takes the full read"
    assert extracted == []
    assert_same_outputs(out, ref)


def test_a_renamed_document_comes_from_the_cache_under_its_new_id(
    work: tuple[Path, Path, Path], tmp_path: Path, extracted: list[str]
) -> None:
    archive, out, _ = work
    (archive / "gen_7_02.txt").rename(archive / "renamed.txt")
    G, report = build([archive], out, update=True)
    assert extracted == [] and report.cached == 11
    assert any("renamed.txt" in a["docs"].split("|") for _, a in G.nodes(data=True))
    build([archive], tmp_path / "full")
    assert_same_outputs(out, tmp_path / "full")


def test_a_web_page_with_the_bytes_of_a_text_file_is_read_as_a_web_page(
    work: tuple[Path, Path, Path], tmp_path: Path, extracted: list[str]
) -> None:
    """The same bytes mean other text in a .html (markup dropped) than in a .txt (kept)."""
    archive, out, _ = work
    page = "<html><script>var 李秘书 = 1;</script><p>晋中市发展和改革委员会主任韩亮表示，要加快推进项目建设。</p></html>\n"
    (archive / "page.txt").write_text(page, encoding="utf-8")
    build([archive], out, update=True)
    (archive / "page.html").write_text(page, encoding="utf-8")
    extracted.clear()
    G, _ = build([archive], out, update=True)
    assert extracted == ["page.html"]  # extracted, not taken from page.txt's entry
    evidence = {a["evidence"] for _, _, a in G.edges(data=True) if "page.html" in a["docs"].split("|")}
    assert evidence and not any("<script>" in e or "var 李秘书" in e for e in evidence)
    build([archive], tmp_path / "full")
    assert_same_outputs(out, tmp_path / "full")


def test_another_fingerprint_misses_every_entry(
    work: tuple[Path, Path, Path], extracted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new kg version, rule or model must not reuse extractions made by the old one."""
    archive, out, ref = work
    monkeypatch.setattr(kg.cache, "fingerprint", lambda learned_ner=True: "0" * 64)
    _, report = build([archive], out, update=True)
    assert len(extracted) == 11 and report.cached == 0
    assert report.cache_note == "written by another kg version or model"
    head = (out / CACHE_DIR / CACHE_FILE).read_text(encoding="utf-8").splitlines()[0]
    assert '"fingerprint":"' + "0" * 64 + '"' in head
    assert_same_outputs(out, ref)


def test_rules_only_builds_keep_their_own_cache(work: tuple[Path, Path, Path], tmp_path: Path, extracted: list[str]) -> None:
    """Extractions with and without the learned NER differ, so neither reuses the other's."""
    archive, out, _ = work
    _, report = build([archive], out, update=True, learned_ner=False)
    assert len(extracted) == 11 and report.cached == 0 and report.cache_note
    assert "no learned NER" in report.engine
    full = tmp_path / "rules-only"
    build([archive], full, learned_ner=False)
    assert_same_outputs(out, full)
    extracted.clear()
    _, again = build([archive], out, update=True, learned_ner=False)
    assert extracted == [] and again.cached == 11


@pytest.mark.parametrize("damage", ["garbage", "damaged line", "wrong types", "flipped bits", "empty"])
def test_a_damaged_cache_is_rebuilt(work: tuple[Path, Path, Path], extracted: list[str], damage: str) -> None:
    archive, out, ref = work
    path = out / CACHE_DIR / CACHE_FILE
    lines = path.read_bytes().split(b"\n")
    if damage == "garbage":
        path.write_bytes(b"\x00\xffnot json\n")
    elif damage == "damaged line":
        lines[3] = lines[3][:150]  # cut inside the JSON
        lines[5] = lines[5][:200] + b"\xff" + lines[5][200:]  # not UTF-8
        path.write_bytes(b"\n".join(lines))
    elif damage == "wrong types":  # valid JSON, not a record kg wrote
        for i, bad in ((2, b"[1,2,3,4]"), (4, b'["x","",[],[]]'), (6, b'[5,"",[[1,2,3,4,5,6]],[]]')):
            key, raw, check, _ = lines[i].split(b"\t", 3)
            lines[i] = b"\t".join([key, raw, check, bad])
        path.write_bytes(b"\n".join(lines))
    elif damage == "flipped bits":  # still valid JSON of the right types: a name or a number changed
        for i in (2, 7):
            at = lines[i].index(b'"PLACE:') + 2  # PLACE -> PMACE: a key the graph has never seen
            lines[i] = lines[i][:at] + bytes([lines[i][at] ^ 1]) + lines[i][at + 1 :]
            json.loads(lines[i].split(b"\t", 3)[3])
        path.write_bytes(b"\n".join(lines))
    else:
        path.write_text("", encoding="utf-8")
    _, report = build([archive], out, update=True)
    assert len(extracted) == {"garbage": 11, "damaged line": 2, "wrong types": 3, "flipped bits": 2, "empty": 11}[damage]
    assert_same_outputs(out, ref)


def test_a_cache_that_cannot_be_saved_is_a_warning(work: tuple[Path, Path, Path]) -> None:
    archive, out, ref = work
    path = out / CACHE_DIR / CACHE_FILE
    path.unlink()
    path.mkdir()  # the cache file's place is taken by a folder
    G, report = build([archive], out, update=True)
    assert report.cache is None and str(path) in report.cache_save_error
    assert_same_outputs(out, ref)  # the outputs were written all the same


def test_records_round_trip_exactly(seeds_dir: Path) -> None:
    from kg.build import extract

    docs = [d for d in read_documents([seeds_dir]) if isinstance(d, Document)]
    for ex in extract(docs):
        assert decode(encode(ex), ex.doc_id) == ex
        assert decode(encode(ex), "other.txt").doc_id == "other.txt"


def test_fingerprint_covers_code_data_and_models_not_writers() -> None:
    names = {p.relative_to(kg.cache.PACKAGE_DIR).as_posix() for p in kg.cache._fingerprint_files()}
    assert {"__init__.py", "nlp/pipeline.py", "resolve.py", "normalize.py", "nlp/rules/places.py", "data/divisions.tsv"} <= names
    assert any(n.startswith("nlp/models/pkuseg/") for n in names)
    assert not any(n.startswith("readwrite/") for n in names)
    assert not names & {"build.py", "cli.py", "engines.py", "cache.py", "graph.py"}
    assert len(fingerprint()) == 64 and fingerprint() == fingerprint()


def test_fingerprint_follows_file_contents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = tmp_path / "weights.npz"
    model.write_bytes(b"v1")
    monkeypatch.setattr(kg.cache, "PACKAGE_DIR", tmp_path)
    monkeypatch.setattr(kg.cache, "_fingerprint_files", lambda: [model])
    a = kg.cache.compute_fingerprint()
    assert kg.cache.compute_fingerprint() == a
    model.write_bytes(b"v2")
    assert kg.cache.compute_fingerprint() != a


def test_content_key_depends_on_text_and_fingerprint() -> None:
    assert content_key("平遥县") == content_key("平遥县")
    assert content_key("平遥县") != content_key("平遥县。")
    assert content_key("平遥县", "a" * 64) != content_key("平遥县", "b" * 64)


def test_plain_build_neither_reads_nor_writes_the_cache(work: tuple[Path, Path, Path], tmp_path: Path, extracted: list[str]) -> None:
    archive, out, ref = work
    fresh = tmp_path / "fresh"
    build([archive], fresh)
    assert not (fresh / CACHE_DIR).exists()
    assert len(ExtractionCache(fresh).load()) == 0
    assert len(ExtractionCache(out).load()) == 11
    (out / "graph.graphml").unlink()
    build([archive], out)
    assert len(extracted) == 22, "without --update nothing comes from the cache"
    assert (out / CACHE_DIR / CACHE_FILE).read_bytes() == (ref / CACHE_DIR / CACHE_FILE).read_bytes(), "and it is left alone"


def runner() -> CliRunner:
    """stderr apart from stdout on every supported click (as in test_cli)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click 8.1
    except TypeError:
        return CliRunner()


def test_cli_update(work: tuple[Path, Path, Path]) -> None:
    archive, out, _ = work
    args = ["build", os.fspath(archive), "-o", os.fspath(out), "--update"]
    (archive / "gen_7_00.txt").unlink()
    result = runner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("documents: 10 read, 0 skipped, 10 from cache\n")
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES, CACHE_DIR])
    (out / CACHE_DIR / CACHE_FILE).write_text("{}\n", encoding="utf-8")
    result = runner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("documents: 10 read, 0 skipped, 0 from cache\n")
    assert result.stderr == f"warning: cache in {out} not used (written by another kg version or model); all documents extracted\n"
