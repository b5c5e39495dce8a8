"""Tests for kg.documents: finding, decoding and skipping input files."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest
from bad_inputs import JAPANESE, KOREAN

from kg.documents import (
    LINK_OUT_REASON,
    Document,
    InputError,
    Skipped,
    collect_inputs,
    read_document,
    read_documents,
)

ARTICLE = "晋中市发展和改革委员会\n\n市发改委将充分发挥经济体制改革牵引作用。\n"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def read(path: Path) -> Document | Skipped:
    return read_document(path, path.name)


def assert_offsets(doc: Document) -> None:
    assert len(doc.offsets) == len(doc.text)
    for ch, off in zip(doc.text, doc.offsets, strict=False):
        assert doc.raw[off] == ch or (ch == "\n" and doc.raw[off] in "\r\n")


# --- decoding -------------------------------------------------------------------


def test_utf8(tmp_path: Path) -> None:
    doc = read(write(tmp_path / "a.txt", ARTICLE))
    assert isinstance(doc, Document)
    assert doc.doc_id == "a.txt"
    assert doc.raw == ARTICLE
    assert doc.text == "晋中市发展和改革委员会\n市发改委将充分发挥经济体制改革牵引作用。"
    assert_offsets(doc)


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    doc = read(write(tmp_path / "a.txt", codecs.BOM_UTF8 + ARTICLE.encode()))
    assert isinstance(doc, Document)
    assert doc.raw == ARTICLE
    assert not doc.text.startswith("\ufeff")
    assert_offsets(doc)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "gb2312"])
def test_gb_encodings(tmp_path: Path, encoding: str) -> None:
    doc = read(write(tmp_path / "a.txt", ARTICLE.encode(encoding)))
    assert isinstance(doc, Document)
    assert doc.raw == ARTICLE


def test_gb18030_only_characters(tmp_path: Path) -> None:
    text = "𠀀字与㐀字，欧元€。"  # outside GBK: needs GB18030's four-byte forms
    doc = read(write(tmp_path / "a.txt", text.encode("gb18030")))
    assert isinstance(doc, Document)
    assert doc.raw == text


# not from the seeds: a county report (its Japanese and Korean twins are in bad_inputs)
COUNTY_REPORT = (
    "兴县农业农村局今年新建高标准农田三万亩，推广节水灌溉技术，带动全县农民增收。"
    "县政府主要负责同志在调研时强调，要持续巩固拓展脱贫攻坚成果，全面推进乡村振兴。\n"
)
TRADITIONAL = (
    "興縣農業農村局今年新建高標準農田三萬畝，推廣節水灌溉技術，帶動全縣農民增收。"
    "縣政府主要負責同志在調研時強調，要持續鞏固拓展脫貧攻堅成果。\n"
)


@pytest.mark.parametrize(
    ("text", "encoding", "named"),
    [
        (TRADITIONAL, "big5", "Big5"),
        (JAPANESE, "shift_jis", "Shift_JIS"),
        (JAPANESE, "euc_jp", "EUC-JP"),
        (KOREAN, "euc_kr", "EUC-KR"),
    ],
)
def test_other_cjk_encodings_are_skipped_by_name(tmp_path: Path, text: str, encoding: str, named: str) -> None:
    """Their bytes are valid GB18030 too, read as characters that make no Chinese words."""
    data = text.encode(encoding)
    data.decode("gb18030")  # the trap: no decoding error
    result = read(write(tmp_path / "a.txt", data))
    assert isinstance(result, Skipped), result
    assert result.reason.startswith(f"{named} text, not GB18030")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_chinese_in_gb_is_read_simplified_or_traditional(tmp_path: Path, encoding: str) -> None:
    for text in (COUNTY_REPORT, TRADITIONAL):
        doc = read(write(tmp_path / "a.txt", text.encode(encoding)))
        assert isinstance(doc, Document) and doc.raw == text


def test_utf16_with_bom(tmp_path: Path) -> None:
    doc = read(write(tmp_path / "a.txt", ARTICLE.encode("utf-16")))
    assert isinstance(doc, Document)
    assert doc.raw == ARTICLE


def test_crlf_file(tmp_path: Path) -> None:
    doc = read(write(tmp_path / "a.txt", ARTICLE.replace("\n", "\r\n")))
    assert isinstance(doc, Document)
    assert doc.text == "晋中市发展和改革委员会\n市发改委将充分发挥经济体制改革牵引作用。"
    assert_offsets(doc)


# --- skipping -------------------------------------------------------------------


def test_binary_with_nul_bytes(tmp_path: Path) -> None:
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    assert read(write(tmp_path / "image.txt", data)) == Skipped(tmp_path / "image.txt", "binary file")


def test_binary_of_control_characters(tmp_path: Path) -> None:
    data = bytes([1, 2, 3, 4, 5, 6, 0x1B, 0x7F]) * 50 + "晋中".encode()
    result = read(write(tmp_path / "x.txt", data))
    assert isinstance(result, Skipped)
    assert result.reason == "binary file"


def test_neither_utf8_nor_gb18030(tmp_path: Path) -> None:
    data = b"caf\xe9 \x80\x80\xff\xff r\xe9sum\xe9"
    result = read(write(tmp_path / "x.txt", data))
    assert isinstance(result, Skipped)
    assert result.reason == "not UTF-8 or GB18030 text"


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t ", "\ufeff\u3000\n".encode()])
def test_empty(tmp_path: Path, data: bytes) -> None:
    result = read(write(tmp_path / "x.txt", data))
    assert isinstance(result, Skipped)
    assert result.reason == "empty"


def test_missing_file_is_skipped_not_raised(tmp_path: Path) -> None:
    result = read(tmp_path / "gone.txt")
    assert isinstance(result, Skipped)
    assert result.reason.startswith("unreadable: ")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path / "x.txt", ARTICLE)
    path.chmod(0)
    try:
        assert read(path) == Skipped(path, "unreadable: Permission denied")
    finally:
        path.chmod(0o644)


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs Linux /proc")
def test_a_file_whose_read_fails_is_skipped(tmp_path: Path) -> None:
    """Reading /proc/self/mem at offset 0 fails with EIO, even for root (chmod 000 does not stop root)."""
    link = tmp_path / "eio.txt"
    link.symlink_to("/proc/self/mem")
    ((path, doc_id),) = collect_inputs([tmp_path], follow_links=True)
    item = read_document(path, doc_id)
    assert isinstance(item, Skipped) and item.reason.startswith("unreadable: ")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_is_skipped_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    write(tmp_path / "a.txt", ARTICLE)
    results = list(read_documents([tmp_path]))
    assert [type(r).__name__ for r in results] == ["Document", "Skipped"]
    assert results[1] == Skipped(tmp_path / "pipe.txt", "not a regular file")


# --- finding files ---------------------------------------------------------------


def test_nested_directories_give_relative_ids(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(root / "2024" / "03" / "b.txt", ARTICLE)
    write(root / "2024" / "a.md", ARTICLE)
    write(root / "z.TXT", ARTICLE)
    write(root / "notes.docx", b"PK\x03\x04")
    write(root / ".git" / "x.txt", ARTICLE)
    write(root / ".hidden.txt", ARTICLE)
    found = collect_inputs([root])
    assert [doc_id for _, doc_id in found] == ["2024/03/b.txt", "2024/a.md", "z.TXT"]
    assert found[0][0] == root / "2024" / "03" / "b.txt"


def test_flat_directory_gives_bare_names(tmp_path: Path) -> None:
    for name in ["002.txt", "000.txt", "001.txt"]:
        write(tmp_path / "seeds" / name, ARTICLE)
    found = collect_inputs([tmp_path / "seeds"])
    assert [doc_id for _, doc_id in found] == ["000.txt", "001.txt", "002.txt"]


def test_file_given_directly_gets_its_bare_name(tmp_path: Path) -> None:
    # A file named on the command line is read whatever its suffix.
    path = write(tmp_path / "deep" / "er" / "note.log", ARTICLE)
    assert collect_inputs([path]) == [(path, "note.log")]


def test_missing_input_raises_naming_it(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", ARTICLE)
    missing = tmp_path / "nope"
    with pytest.raises(InputError, match="nope"):
        collect_inputs([tmp_path, missing])
    with pytest.raises(InputError, match="nope"):
        read_documents([missing])  # raised at the call, before iterating


def test_directory_without_articles_raises(tmp_path: Path) -> None:
    write(tmp_path / "x.csv", "a,b\n")
    with pytest.raises(InputError, match="no .txt or .md"):
        collect_inputs([tmp_path])


def test_order_is_deterministic_and_sorted(tmp_path: Path) -> None:
    names = ["b/2.txt", "a.txt", "c/1/x.md", "b/10.txt", "B.txt", "b/1.txt"]
    for name in names:
        write(tmp_path / name, ARTICLE)
    first = collect_inputs([tmp_path])
    ids = [doc_id for _, doc_id in first]
    assert ids == sorted(ids)
    assert collect_inputs([tmp_path]) == first
    assert [d.doc_id for d in read_documents([tmp_path])] == ids


def test_no_duplicates(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", ARTICLE)
    write(tmp_path / "b.txt", ARTICLE)
    found = collect_inputs([tmp_path, path, tmp_path])
    assert [doc_id for _, doc_id in found] == ["a.txt", "b.txt"]


def test_same_name_in_two_folders_gets_unique_ids(tmp_path: Path) -> None:
    write(tmp_path / "one" / "a.txt", "甲")
    write(tmp_path / "two" / "a.txt", "乙")
    found = collect_inputs([tmp_path / "one", tmp_path / "two"])
    assert [doc_id for _, doc_id in found] == ["a.txt", "two/a.txt"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_loop_terminates(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(root / "sub" / "a.txt", ARTICLE)
    try:
        (root / "sub" / "back").symlink_to(root, target_is_directory=True)
    except OSError:
        pytest.skip("symlinks not permitted here")
    found = collect_inputs([root])
    assert [doc_id for _, doc_id in found] == ["sub/a.txt"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_links_out_of_the_input_folder_are_skipped_unless_followed(tmp_path: Path) -> None:
    """A link to a private file or to /usr/share/doc must not pull them into the graph."""
    root = tmp_path / "corpus"
    write(root / "a.txt", ARTICLE)
    private = write(tmp_path / "private" / "secret.txt", "机密：王建国的住址。")
    try:
        (root / "secret.txt").symlink_to(private)
        (root / "docs").symlink_to(private.parent, target_is_directory=True)
        (root / "again.txt").symlink_to(root / "a.txt")  # inside: the same file, read once
    except OSError:
        pytest.skip("symlinks not permitted here")
    items = list(read_documents([root]))
    assert [(i.doc_id, type(i).__name__) for i in items] == [("a.txt", "Document"), ("docs", "Skipped"), ("secret.txt", "Skipped")]
    assert all(i.reason == LINK_OUT_REASON for i in items if isinstance(i, Skipped))
    followed = [i.doc_id for i in read_documents([root], follow_links=True) if isinstance(i, Document)]
    assert followed == ["a.txt", "docs/secret.txt"]  # the same file twice is read once
    assert [i.doc_id for i in read_documents([private])] == ["secret.txt"]  # named on the command line: read


def test_names_that_read_alike_get_ids_by_their_bytes_not_by_listing_order(tmp_path: Path) -> None:
    """A GBK file name decodes to the same id as its UTF-8 twin: whichever was created
    first, the UTF-8 one keeps the id and the GBK one shows its bytes."""
    ids = []
    for order in (("utf-8", "gbk"), ("gbk", "utf-8")):
        root = tmp_path / "-".join(order)
        for encoding in order:
            write(Path(os.fsdecode(os.fsencode(root) + b"/" + "晋中.txt".encode(encoding))), ARTICLE + encoding)
        ids.append([(d, os.fsencode(p).rsplit(b"/", 1)[1]) for p, d in collect_inputs([root])])
    assert ids[0] == ids[1] == [("\\xbd\\xfa\\xd6\\xd0.txt", "晋中.txt".encode("gbk")), ("晋中.txt", "晋中.txt".encode())]
    # ... and the ids name the files: the UTF-8 one as written, the GBK one by its bytes


# --- reading lazily ---------------------------------------------------------------


def test_read_documents_mixes_documents_and_skips(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", ARTICLE)
    write(tmp_path / "b.txt", b"")
    write(tmp_path / "c.txt", ARTICLE.encode("gbk"))
    results = read_documents([tmp_path])
    assert not isinstance(results, list)  # lazy
    kinds = [(type(r).__name__, getattr(r, "doc_id", None)) for r in results]
    assert kinds == [("Document", "a.txt"), ("Skipped", "b.txt"), ("Document", "c.txt")]  # a skip keeps its doc id too


def test_nothing_readable_raises_after_reporting_skips(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", b"")
    write(tmp_path / "b.txt", b"\x00\x01")
    seen: list[Skipped] = []
    with pytest.raises(InputError, match="none of the 2 input files"):
        for item in read_documents([tmp_path]):
            assert isinstance(item, Skipped)
            seen.append(item)
    assert [s.reason for s in seen] == ["empty", "binary file"]


def test_seed_folder(tmp_path: Path) -> None:
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    docs = list(read_documents([seeds]))
    assert all(isinstance(d, Document) for d in docs)
    assert [d.doc_id for d in docs] == sorted(p.name for p in seeds.glob("*.txt"))
    for doc in docs:
        assert isinstance(doc, Document)
        assert_offsets(doc)


def test_html_page_is_read_as_text_without_tags_scripts_or_styles(tmp_path: Path) -> None:
    page = (
        "<html><head><title>t</title><style>p{color:red}</style><script>alert('x')</script></head>"
        "<body><h1>兴县经济技术开发区</h1><p>县发改局局长张建兵表示，<b>加快</b>项目建设。</p>"
        "<!-- 注释 --><div>第二段&amp;文字</div></body></html>"
    )
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    [doc] = list(read_documents([tmp_path]))
    assert isinstance(doc, Document) and doc.doc_id == "page.html"
    assert doc.text == "兴县经济技术开发区\n县发改局局长张建兵表示，加快项目建设。\n第二段&文字"
    assert "alert" not in doc.raw and "color" not in doc.raw and "注释" not in doc.raw


def test_a_file_of_invisible_characters_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "zw.txt"
    path.write_text("\u200b\u200c\u2060\ufeff\n\u200d ", encoding="utf-8")
    assert read_document(path, "zw.txt") == Skipped(path, "empty")
