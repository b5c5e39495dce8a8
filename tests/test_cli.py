"""The ``kg`` command line: what a user sees and the files left behind.

Why: the CLI is the product's front door.  A successful build must say what it
did (documents, entities and relations per type, speed) and write the four
files; every way of calling it wrongly must end in one readable "Error: ..."
line on stderr and a non-zero exit, never a traceback; a bad file among good
ones must be reported and skipped, not stop the build.  ``kg evaluate`` must
print exactly what the official scorer prints.

Runs go through click's CliRunner in-process (the spaCy pipeline is cached per
process, so each build costs well under a second); one error path is also run
as a real process to see the real stderr.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg import __version__
from kg.build import OUTPUT_FILES, build
from kg.cli import main
from kg.evaluate import score

REPO = Path(__file__).resolve().parents[1]
SCORER = REPO.parent / "shared" / "tools" / "score_graph.py"
SEED_002 = "002_12af4b6b5a5460e1.txt"


def make_runner() -> CliRunner:
    """A runner that keeps stderr apart from stdout on every supported click."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click 8.1
    except TypeError:
        return CliRunner()  # click >= 8.2: result.stdout and result.stderr are always separate


def invoke(*args: str | os.PathLike[str]) -> Result:
    return make_runner().invoke(main, [os.fspath(a) for a in args])


def assert_clean_error(result: Result, *fragments: str) -> str:
    """Non-zero exit, stderr ending in exactly one "Error:" line (warnings may precede it),
    no traceback, nothing on stdout.  Returns the error line."""
    assert result.exit_code != 0, f"expected failure, got exit 0; stdout: {result.stdout!r}"
    assert result.exception is None or isinstance(result.exception, SystemExit), f"uncaught {result.exception!r}"
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1 and lines[-1] == errors[0], f"stderr: {result.stderr!r}"
    assert all(line.startswith("warning: ") for line in lines[:-1]), f"stderr: {result.stderr!r}"
    for fragment in fragments:
        assert fragment in errors[0], f"{fragment!r} not in {errors[0]!r}"
    return errors[0]


def type_counts(path: Path, column: str = "type") -> Counter[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return Counter(row[column] for row in csv.DictReader(fh))


def summary_line(counts: Counter[str]) -> str:
    return ", ".join(f"{t} {n}" for t, n in sorted(counts.items()))


# --- successful builds -----------------------------------------------------------


def test_build_seeds_prints_summary_and_writes_files(tmp_path: Path, seeds_dir: Path, seed_outdir: Path) -> None:
    outdir = tmp_path / "out"
    result = invoke("build", seeds_dir, "-o", outdir)
    assert result.exit_code == 0, result.output
    assert result.stderr == "", "a clean build warns about nothing"
    assert sorted(p.name for p in outdir.iterdir()) == sorted(OUTPUT_FILES)
    lines = result.stdout.splitlines()
    assert len(lines) == 5, result.stdout
    documents, entities, relations, timing, output = lines
    assert documents == "documents: 5 read, 0 skipped"
    # the per-type counts printed are those of the files written
    entity_counts = type_counts(outdir / "entities.csv")
    relation_counts = type_counts(outdir / "relations.csv")
    assert entities == "entities:  " + summary_line(entity_counts)
    assert relations == "relations: " + summary_line(relation_counts)
    assert {"PLACE", "PERSON", "AGENCY"} <= set(entity_counts)
    assert {"HOLDS_POSITION", "PART_OF", "LOCATED_IN"} <= set(relation_counts)
    m = re.fullmatch(r"time:\s+(\d+\.\d\d) s, ([\d,]+) chars/s", timing)
    assert m, timing
    assert float(m[1]) > 0 and int(m[2].replace(",", "")) > 0
    assert output == f"output:    {outdir}/ ({', '.join(OUTPUT_FILES)})"
    # the CLI writes what the library writes
    for name in OUTPUT_FILES:
        assert (outdir / name).read_bytes() == (seed_outdir / name).read_bytes(), name


def test_no_learned_ner_builds_with_the_rules_only(tmp_path: Path) -> None:
    """The learned NER finds a farmer no rule frames; --no-learned-ner leaves him out and says so."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("晋中市发展和改革委员会主任韩亮介绍了项目进展。\n昨天，王建国在村里查看了麦田长势。\n", encoding="utf-8")
    with_ner = invoke("build", docs, "-o", tmp_path / "ner")
    rules = invoke("build", docs, "-o", tmp_path / "rules", "--no-learned-ner")
    assert with_ner.exit_code == 0 and rules.exit_code == 0, (with_ner.output, rules.output)
    labels = {name: set(type_counts(tmp_path / name / "entities.csv", "label")) for name in ("ner", "rules")}
    assert {"韩亮", "王建国"} <= labels["ner"]
    assert "韩亮" in labels["rules"] and "王建国" not in labels["rules"]
    assert "(local, 1 job; rules only, no learned NER)" in rules.stdout
    assert "rules only" not in with_ner.stdout


def test_csv_styles_for_excel_and_neo4j(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("晋中市发展和改革委员会主任韩亮介绍了项目进展。\n", encoding="utf-8")
    excel = invoke("build", docs, "-o", tmp_path / "excel", "--csv", "excel")
    neo4j = invoke("build", docs, "-o", tmp_path / "neo4j", "--csv", "neo4j")
    assert excel.exit_code == 0 and neo4j.exit_code == 0, (excel.output, neo4j.output)
    assert (tmp_path / "excel" / "entities.csv").read_bytes().startswith(b"\xef\xbb\xbfid,label,type,")
    assert (tmp_path / "neo4j" / "relations.csv").read_text(encoding="utf-8").startswith(":START_ID,:END_ID,:TYPE,")
    wrong = invoke("build", docs, "-o", tmp_path / "x", "--csv", "xlsx")
    assert wrong.exit_code == 2 and "'xlsx' is not one of" in wrong.stderr and not (tmp_path / "x").exists()


def test_build_without_input_uses_seeds_and_output_in_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seeds_dir: Path, seed_outdir: Path
) -> None:
    """The README's quick start: plain ``kg build`` in a checkout reads seeds/ and writes output/.

    (monkeypatch.chdir rather than CliRunner.isolated_filesystem, which recent click deprecates.)
    """
    shutil.copytree(seeds_dir, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    result = invoke("build")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("documents: 5 read, 0 skipped\n")
    assert "output:    output/ (" in result.stdout
    out = tmp_path / "output"
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    assert (out / "graph.graphml").read_bytes() == (seed_outdir / "graph.graphml").read_bytes()


def test_gb18030_file_is_read_and_binary_file_skipped_with_warning(tmp_path: Path, seeds_dir: Path) -> None:
    """One bad file among good ones is reported and skipped; GB18030 decodes to the same text as UTF-8."""
    original = seeds_dir / SEED_002
    data = original.read_text(encoding="utf-8").encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # otherwise the test would not exercise the GB18030 path
    indir = tmp_path / "in"
    indir.mkdir()
    (indir / SEED_002).write_bytes(data)
    binary = indir / "scan.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    outdir = tmp_path / "out"

    result = invoke("build", indir, "-o", outdir)

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [f"warning: skipped {binary}: binary file"]
    assert result.stdout.startswith("documents: 1 read, 1 skipped\n")
    # decoded correctly: the same graph as a build of the UTF-8 original (same doc id)
    build([original], tmp_path / "ref")
    assert (outdir / "graph.graphml").read_bytes() == (tmp_path / "ref" / "graph.graphml").read_bytes()


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"kg, version {__version__}"


# --- error paths -------------------------------------------------------------------


def test_missing_input(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    outdir = tmp_path / "out"
    result = invoke("build", missing, "-o", outdir)
    line = assert_clean_error(result, str(missing))
    assert result.stderr == line + "\n"
    assert not outdir.exists(), "a failed build must not create the output directory"


def test_missing_input_in_a_real_process(tmp_path: Path) -> None:
    """CliRunner catches exceptions itself; a real run shows what a user's terminal shows."""
    proc = subprocess.run(
        [sys.executable, "-c", "from kg.cli import main; main()", "build", "no-such-folder", "-o", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert proc.stderr == "Error: input not found: no-such-folder\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [("--help",), ("build", "a.txt", "-o", "out", "--no-learned-ner")])
def test_a_full_standard_output_is_one_line_not_a_traceback(tmp_path: Path, args: tuple[str, ...]) -> None:
    (tmp_path / "a.txt").write_text("晋中市发展和改革委员会主任韩亮介绍了项目进展。\n", encoding="utf-8")
    with open("/dev/full", "w") as full:
        command = [sys.executable, "-c", "from kg.cli import main; main()", *args]
        proc = subprocess.run(command, cwd=tmp_path, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1:] == ["Error: cannot write to standard output: No space left on device"], proc.stderr
    assert "Traceback" not in proc.stderr


def test_no_readable_documents(tmp_path: Path) -> None:
    indir = tmp_path / "junk"
    indir.mkdir()
    (indir / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 64)
    (indir / "empty.txt").write_bytes(b"")
    outdir = tmp_path / "out"
    result = invoke("build", indir, "-o", outdir)
    assert_clean_error(result)
    assert not outdir.exists()


def test_no_readable_documents_names_the_skipped_files(tmp_path: Path) -> None:
    indir = tmp_path / "junk"
    indir.mkdir()
    (indir / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 64)
    (indir / "empty.txt").write_bytes(b"")
    result = invoke("build", indir, "-o", tmp_path / "out")
    assert_clean_error(result)
    warnings = result.stderr.splitlines()[:-1]
    assert warnings == [
        f"warning: skipped {indir / 'binary.txt'}: binary file",
        f"warning: skipped {indir / 'empty.txt'}: empty",
    ]


def test_output_is_an_existing_file(tmp_path: Path, seeds_dir: Path) -> None:
    target = tmp_path / "graph.txt"
    target.write_text("keep me", encoding="utf-8")
    result = invoke("build", seeds_dir / SEED_002, "-o", target)
    assert_clean_error(result, str(target))
    assert target.read_text(encoding="utf-8") == "keep me"


def test_output_under_a_regular_file(tmp_path: Path, seeds_dir: Path) -> None:
    """An output directory that cannot be created (its parent is a file), whatever the user's privileges."""
    blocker = tmp_path / "file.txt"
    blocker.write_text("", encoding="utf-8")
    result = invoke("build", seeds_dir / SEED_002, "-o", blocker / "sub")
    assert_clean_error(result, "cannot write")


def test_output_that_is_a_dangling_link_fails_before_the_work(tmp_path: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "gone")
    import kg.build

    monkeypatch.setattr(kg.build, "read_inputs", lambda *a, **k: pytest.fail("read the inputs before checking the output"))
    result = invoke("build", seeds_dir / SEED_002, "-o", link)
    assert_clean_error(result, f"cannot write to {link}: a symbolic link to a missing folder")


def test_output_directory_without_write_permission(tmp_path: Path, seeds_dir: Path) -> None:
    outdir = tmp_path / "readonly"
    outdir.mkdir()
    outdir.chmod(0o500)
    try:
        probe = outdir / "probe"
        try:
            probe.touch()
        except PermissionError:
            pass
        else:
            probe.unlink()
            pytest.skip("permissions are not enforced for this user (root): a 0o500 directory is writable")
        result = invoke("build", seeds_dir / SEED_002, "-o", outdir)
        assert_clean_error(result, "cannot write", str(outdir))
        assert list(outdir.iterdir()) == [], "no temporary files left behind"
    finally:
        outdir.chmod(0o700)


def test_evaluate_missing_graph(tmp_path: Path, gold_dir: Path) -> None:
    missing = tmp_path / "graph.graphml"
    assert_clean_error(invoke("evaluate", missing, gold_dir), str(missing))


def test_evaluate_empty_gold_dir(tmp_path: Path, seed_outdir: Path) -> None:
    empty = tmp_path / "gold"
    empty.mkdir()
    assert_clean_error(invoke("evaluate", seed_outdir / "graph.graphml", empty), str(empty))


def test_evaluate_malformed_graph(tmp_path: Path, gold_dir: Path) -> None:
    broken = tmp_path / "graph.graphml"
    broken.write_text("<graphml><node", encoding="utf-8")
    assert_clean_error(invoke("evaluate", broken, gold_dir), str(broken))


# --- kg evaluate ---------------------------------------------------------------------


@pytest.mark.skipif(not SCORER.is_file(), reason=f"official scorer not found at {SCORER} (shared/ is not beside the repo)")
def test_evaluate_prints_what_the_official_scorer_prints(seed_outdir: Path, gold_dir: Path) -> None:
    graph = seed_outdir / "graph.graphml"
    result = invoke("evaluate", graph, gold_dir)
    assert result.exit_code == 0, result.output
    official = subprocess.run(
        [sys.executable, str(SCORER), str(graph), str(gold_dir)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout == official.stdout


def test_evaluate_json_equals_library_score(seed_outdir: Path, gold_dir: Path) -> None:
    graph = seed_outdir / "graph.graphml"
    result = invoke("evaluate", graph, gold_dir, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == score(graph, gold_dir)


def test_evaluate_ner_scores_a_corpus_file(tmp_path: Path) -> None:
    """`kg evaluate ner FILE --format msra` prints per-label figures and, last, f1=."""
    corpus = tmp_path / "tiny.bio"
    tags = ["B-ORG", "I-ORG", "I-ORG", "O", "O", "B-PER", "I-PER", "O", "B-LOC", "I-LOC"]
    corpus.write_text("".join(f"{c}\t{t}\n" for c, t in zip("国务院总理李强在北京", tags, strict=True)) + "\n", encoding="utf-8")
    result = invoke("evaluate", "ner", corpus, "--format", "msra")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].split()[:2] == ["label", "precision"]
    assert re.fullmatch(r"f1=\d\.\d{4}", lines[-1])
    bad = invoke("evaluate", "ner", corpus, "--format", "nope")
    assert bad.exit_code != 0 and bad.stderr.startswith("Error: unknown format")


def test_evaluate_ner_scores_stand_off_silver_annotations(tmp_path: Path) -> None:
    """`--format regional` joins stand-off records with their texts (``--source``); `--dev`
    keeps the held-out documents; a changed text is refused."""
    import hashlib

    from kg.nlp.corpora import is_silver_dev

    text = "商水县委书记刘建国调研。"
    ids = [next(f"d{i}" for i in range(100) if is_silver_dev(f"d{i}")), next(f"d{i}" for i in range(100) if not is_silver_dev(f"d{i}"))]
    source = tmp_path / "news.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n" for i in ids), encoding="utf-8")
    sha = hashlib.sha1(text.encode("utf-8")).hexdigest()
    entities = [{"name": "商水县委", "type": "AGENCY"}, {"name": "刘建国", "type": "PERSON"}]
    record = {"sha1": sha, "entities": entities, "mentions": [[0, 4, 0], [6, 9, 1]], "titles": [[4, 6]], "relations": []}
    standoff = tmp_path / "silver.jsonl"
    standoff.write_text("".join(json.dumps({"doc": i, **record}, ensure_ascii=False) + "\n" for i in ids), encoding="utf-8")

    def gold(*flags: str) -> int:
        result = invoke("evaluate", "ner", standoff, "--format", "regional", "--source", source, *flags, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["gold"]

    assert (gold(), gold("--dev")) == (6, 3)
    assert invoke("evaluate", "ner", standoff, "--format", "regional").exit_code != 0  # no --source
    source.write_text(source.read_text(encoding="utf-8").replace("调研", "讲话"), encoding="utf-8")
    changed = invoke("evaluate", "ner", standoff, "--format", "regional", "--source", source)
    assert changed.exit_code != 0 and "not the one annotated" in changed.stderr


def test_evaluate_ner_pipeline_shows_what_the_learned_ner_adds(tmp_path: Path) -> None:
    """With --pipeline the whole pipeline's entities are scored: a name no rule cue frames is
    found with the learned NER and missed with --no-learned-ner."""
    corpus = tmp_path / "tiny.bio"
    text = "马克龙在北京会见了来访的客人。"
    tags = ["B-PER", "I-PER", "I-PER", "O", "B-LOC", "I-LOC"] + ["O"] * (len(text) - 6)
    corpus.write_text("".join(f"{c}\t{t}\n" for c, t in zip(text, tags, strict=True)) + "\n", encoding="utf-8")

    def person_recall(*flags: str) -> float:
        result = invoke("evaluate", "ner", corpus, "--format", "msra", "--pipeline", *flags, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["labels"]["PERSON"]["recall"]

    assert person_recall() == 1.0
    assert person_recall("--no-learned-ner") == 0.0


def test_empty_paths_and_a_bad_scheduler_address_are_clean_errors(tmp_path: Path, seeds_dir: Path) -> None:
    out = tmp_path / "out"
    assert_clean_error(invoke("build", "", "-o", out), "input path is empty")
    assert_clean_error(invoke("build", seeds_dir, "-o", ""), "output path is empty")
    assert_clean_error(invoke("build", seeds_dir, "-o", out, "--scheduler", "not a url"), "not a Dask scheduler address")
    assert not out.exists() and not list(tmp_path.iterdir())
