"""A corpus of bad and awkward input files, generated on demand (nothing binary is committed).

Why: the folders kg is pointed at are copied from many newspaper sites and
archives, so they hold GBK exports next to UTF-8, Notepad's UTF-16, pages saved
as HTML, images renamed .txt, empty placeholders, dumps far larger than any
article, control bytes, names in every script and links that loop.  Each
:class:`Case` says what kg must do with one such file: read it (and what text
must survive) or skip it with a given reason.  ``tests/test_bad_inputs.py``
builds the whole corpus at once and checks every case; the generator is a
module of its own so that benchmarks and manual checks can write the corpus
too::

    python -m tests.bad_inputs /tmp/bad    # write the corpus into /tmp/bad

Cases that need the file system rather than bytes (a symlink loop, a file
whose read fails, file names with newlines or non-UTF-8 bytes) are written by
:func:`write_corpus` when the platform allows, and listed in its result only
when they were actually created.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import opencc

from kg.documents import LINK_OUT_REASON

#: A short article in the style of the seeds: agencies, officials, projects
#: (about 600 bytes in UTF-8, so that 1 % is a handful of bytes).
ARTICLE = (
    "晋中市发展和改革委员会\n\n"
    "市发改委主任韩亮表示，要加快推进太谷区农谷大道建设项目，"
    "全力服务山西农谷建设。\n"
    "平遥县人民政府副县长王静说，将深化文旅融合发展。\n"
    "今年以来，晋中市坚持项目为王，聚焦产业转型升级，统筹推进重点工程建设，"
    "全市经济运行稳中有进、持续向好，为高质量发展注入强劲动能。\n"
    "榆次区工业和信息化局局长李明介绍，全区将持续优化营商环境，推动企业提质增效。\n"
)
#: A marker that every readable case carries, so a test can find its text in the outputs.
MARK = "寿阳县"

#: Markup and script that scraped article text can contain (see test_bad_inputs' injection test).
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'
XSS_JS = "javascript:alert(2)"
#: Policy names that carry the markup: the extractor takes a 《》 title as
#: written, so these become entity names (labels and aliases).  Project and
#: person names stop at markup characters, so there it reaches the evidence.
XSS_NAMES = (f"{XSS_SCRIPT}三年行动方案", f"{XSS_IMG}行动计划", f"{XSS_JS}实施意见")
#: An article whose entity names and evidence sentences carry the markup above.
XSS_ARTICLE = (
    "晋中市发展和改革委员会\n"
    f"市发改委主任{XSS_SCRIPT}表示，要加快推进{XSS_IMG}太谷区农谷大道建设项目。\n"
    f"平遥县人民政府副县长王静说，{XSS_JS}将深化文旅融合发展。\n"
    f"晋中市发展和改革委员会主任韩亮{XSS_IMG}表示，要全力推进{XSS_SCRIPT}寿阳县光伏产业园项目。\n"
    f"市发改委印发《{XSS_NAMES[0]}》，推动《{XSS_NAMES[1]}》落地，晋中市发布《{XSS_NAMES[2]}》。\n"
)

#: The same kind of news item in Japanese and Korean, whose usual encodings read as GB18030.
JAPANESE = (
    "東京都は六日、地方の中小企業を支援するため、来年度の予算で約三百億円を計上する方針を明らかにした。"
    "知事は記者会見で地域の活性化に全力で取り組むと述べた。\n"
)
KOREAN = (
    "서울시는 6일 지역 경제 활성화를 위한 새로운 대책을 발표했다. "
    "중소기업을 지원하기 위해 내년도 예산에 약 300억 원을 편성할 방침이다. 시장은 기자회견에서 말했다.\n"
)


def other_encoding(name: str) -> str:
    """The skip reason of a file in encoding `name` (kg.chinese.misread_reason)."""
    return f"{name} text, not GB18030 (kg reads UTF-8, UTF-16 and GB18030/GBK: save it as UTF-8)"


#: XML-invalid C0 controls (everything below U+0020 except TAB, LF, CR).
XML_INVALID = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r")


@dataclass(frozen=True)
class Case:
    """One input file and what kg must do with it.

    ``expect`` is ``"read"`` or the exact skip reason (``"too large ..."``
    style reasons carrying a number are matched by prefix).  For read cases,
    ``keeps`` is text the normalised document must contain and ``drops``
    text it must not (a tag, a script, a control character); ``warns``: read
    with a warning that bytes were replaced.
    """

    name: str
    kind: str
    data: bytes
    expect: str = "read"
    keeps: tuple[str, ...] = ()
    drops: tuple[str, ...] = ()
    warns: bool = False  # read with undecodable bytes replaced, and a warning


def _png() -> bytes:
    """A real-looking PNG: signature, IHDR and a pseudo-random 'compressed' body."""
    body = bytes((i * 131 + 7) % 256 for i in range(4096))
    return (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00"
        + body
        + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )


def _jpeg() -> bytes:
    body = bytes((i * 197 + 13) % 256 for i in range(4096))
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + body + b"\xff\xd9"


def cases() -> list[Case]:
    """Every byte-content case (file names are plain ASCII here)."""
    article = ARTICLE + MARK + "光伏产业园项目开工。\n"
    utf8 = article.encode("utf-8")
    html_page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>晋中日报</title>"
        "<style>body{font-family:serif} .x:before{content:'样式文字'}</style>"
        "<script>document.write('脚本文字'); alert('x')</script></head><body>"
        "<!-- 注释文字 --><noscript>无脚本文字</noscript>"
        f"<h1>{MARK}光伏产业园项目开工</h1><p>市发改委主任韩亮表示，<b>加快</b>推进&lt;重点&gt;项目&amp;工程。</p>"
        "<div>平遥县人民政府副县长王静说，将深化文旅融合发展。</div>"
        "<svg><text>矢量文字</text></svg><template><p>模板文字</p></template>"
        "</body></html>"
    )
    # a mostly-UTF-8 article with a few bytes that are neither UTF-8 nor part of a GB18030 pair
    mostly = utf8.replace("。".encode(), "。".encode() + b"\xff", 2) + b"\x80"
    long_line = "".join("晋中市发展和改革委员会推进项目建设"[i % 17] for i in range(50_000))
    long_token = "x" * 20_000 + " " + "9" * 20_000 + " " + "https://example.org/" + "a/" * 5_000
    traditional = opencc.OpenCC("s2t").convert(article)
    return [
        Case("utf8.txt", "UTF-8", utf8, keeps=(MARK, "韩亮")),
        Case("utf8_bom.txt", "UTF-8 with BOM", codecs.BOM_UTF8 + utf8, keeps=(MARK,), drops=("\ufeff",)),
        Case("crlf.txt", "UTF-8, CRLF line ends", utf8.replace(b"\n", b"\r\n"), keeps=(MARK,), drops=("\r",)),
        Case("gbk.txt", "GBK", article.encode("gbk"), keeps=(MARK, "韩亮")),
        Case("gb18030.txt", "GB18030 (4-byte forms)", (article + "𠀀字与㐀字，欧元€。\n").encode("gb18030"), keeps=(MARK, "𠀀字与㐀字")),
        Case("utf16le_bom.txt", "UTF-16 LE with BOM", codecs.BOM_UTF16_LE + article.encode("utf-16-le"), keeps=(MARK,)),
        Case("utf16be_bom.txt", "UTF-16 BE with BOM", codecs.BOM_UTF16_BE + article.encode("utf-16-be"), keeps=(MARK,)),
        Case(
            "mostly_utf8.txt",
            "UTF-8 with 3 invalid bytes",
            mostly,
            keeps=(MARK, "韩亮", "\ufffd"),
            warns=True,
        ),
        Case(
            "truncated_gbk.txt",
            "GBK cut in the middle of a character",
            article.encode("gbk") + "项目".encode("gbk")[:3],
            keeps=(MARK, "韩亮"),
            warns=True,
        ),
        Case(
            "latin1.txt",
            "Latin-1 (neither UTF-8 nor GB18030)",
            "café résumé naïve à la crème brûlée déjà".encode("latin-1") * 3,
            expect="not UTF-8 or GB18030 text",
        ),
        Case("big5.txt", "Big5 (valid GB18030 too)", opencc.OpenCC("s2tw").convert(article).encode("big5"), expect=other_encoding("Big5")),
        Case("shift_jis.txt", "Shift_JIS Japanese (valid GB18030 too)", JAPANESE.encode("shift_jis"), expect=other_encoding("Shift_JIS")),
        Case("euc_kr.txt", "EUC-KR Korean (valid GB18030 too)", KOREAN.encode("euc_kr"), expect=other_encoding("EUC-KR")),
        Case("traditional.txt", "Traditional Chinese in UTF-8", traditional.encode(), keeps=("壽陽縣", "韓亮")),
        Case("random.txt", "random high bytes", bytes((i * 167 + 89) % 128 + 128 for i in range(3000)), expect="not UTF-8 or GB18030 text"),
        Case("image.txt", "PNG image named .txt", _png(), expect="binary file"),
        Case("photo.md", "JPEG image named .md", _jpeg(), expect="binary file"),
        Case(
            "nul_padded.txt", "UTF-16 without BOM (NUL every other byte)", "晋中 report 2024".encode("utf-16-le") * 40, expect="binary file"
        ),
        Case("empty.txt", "empty file", b"", expect="empty"),
        Case("spaces.txt", "whitespace only", b"  \n\r\n\t \x0c\n", expect="empty"),
        Case("ideographic_space.txt", "BOM, ideographic spaces, NBSP only", "\ufeff\u3000\u3000\n\u00a0\n".encode(), expect="empty"),
        Case("controls_only.txt", "control characters only", XML_INVALID.encode() * 3, expect="binary file"),
        Case(
            "controls.txt",
            "article with NUL and other XML-invalid control characters",
            (
                ARTICLE * 4
                + "市发改委\x00主任韩亮\x01表示，"
                + XML_INVALID
                + "要加快推进\x0b太谷区\x0c农谷大道\x1f建设项目。\n"
                + MARK
                + "\x7f\x85项目。\n"
            ).encode(),
            keeps=(MARK, "韩亮", "太谷区"),
            drops=tuple(XML_INVALID) + ("\x7f",),
        ),
        Case(
            "page.html",
            "HTML page with script/style/comment",
            html_page.encode(),
            keeps=(MARK, "韩亮", "<重点>", "&工程"),
            drops=("脚本文字", "样式文字", "注释文字", "无脚本文字", "矢量文字", "模板文字", "alert", "<b>", "<h1>"),
        ),
        Case("page_gbk.htm", "HTML page in GBK", html_page.replace("utf-8", "gbk").encode("gbk"), keeps=(MARK,), drops=("脚本文字",)),
        Case(
            "page_no_head_end.html",
            "HTML5 page without </head> and <body> (both optional), with a table",
            (
                "<!DOCTYPE html><html><head><meta charset=utf-8><title>标题文字</title><script>脚本文字</script>"
                f"<h1>{MARK}光伏产业园项目开工</h1><table><tr><td>晋中市</td><td>太原市</td></tr></table>"
                "<p>市发改委主任韩亮表示，加快推进项目建设。"
            ).encode(),
            keeps=(MARK, "韩亮", "晋中市\n太原市"),
            drops=("标题文字", "脚本文字", "晋中市太原市"),
        ),
        Case(
            "page_truncated.html",
            "HTML page cut off inside its head script (no text at all)",
            html_page[: html_page.index("document.write")].encode(),
            expect="empty",
        ),
        Case("long_line.txt", "50,000 characters on one line, no punctuation", long_line.encode(), keeps=("晋中市发展和改革委员会",)),
        Case("long_tokens.txt", "very long Latin/digit/URL tokens", (article + long_token + "\n").encode(), keeps=(MARK,)),
        Case(
            "surrogates.txt",
            "UTF-8-encoded lone surrogates (CESU)",
            utf8 + "\ud800x".encode("utf-8", "surrogatepass"),
            keeps=(MARK, "\ufffd"),
            warns=True,
        ),
        Case(
            "noncharacters.txt",
            "U+FFFE/U+FFFF and private-use characters",
            (article + "\ufffe\uffff\ue000项目。\n").encode(),
            keeps=(MARK,),
        ),
        Case("xss.txt", "article text with markup and javascript: URLs", XSS_ARTICLE.encode(), keeps=(XSS_SCRIPT, XSS_IMG, XSS_JS)),
        Case("two..dots.txt", "document id containing ..", utf8, keeps=(MARK,)),
        Case("中文 名字.txt", "file name with a space and Chinese", utf8, keeps=(MARK,)),
    ]


@dataclass(frozen=True)
class Special:
    """A file-system case: ``path`` relative to the corpus root, expected outcome."""

    name: str
    kind: str
    expect: str  # "read", "absent" (not an article at all) or a skip-reason prefix


def write_corpus(root: Path) -> tuple[list[Case], list[Special]]:
    """Write every case under ``root``; return the byte cases and the special cases created."""
    root.mkdir(parents=True, exist_ok=True)
    byte_cases = cases()
    for case in byte_cases:
        (root / case.name).write_bytes(case.data)
    specials: list[Special] = []
    utf8 = (ARTICLE + MARK + "项目。\n").encode()
    # a directory named like an article, holding one
    (root / "folder.txt").mkdir()
    (root / "folder.txt" / "inner.txt").write_bytes(utf8)
    specials.append(Special("folder.txt/inner.txt", "article inside a directory named .txt", "read"))
    if os.name == "posix":
        for name, kind in (("new\nline.txt", "file name with a newline"), ("tab\tand|bar.txt", "file name with a tab and a |")):
            try:
                (root / name).write_bytes(utf8)
                specials.append(Special(name, kind, "read"))
            except OSError:
                pass
        try:  # a file name that is not UTF-8 (GBK bytes, as unzipped from a Windows archive)
            raw_name = "晋中.txt".encode("gbk")
            with open(os.path.join(os.fsencode(root), raw_name), "wb") as fh:
                fh.write(utf8)
            specials.append(Special(os.fsdecode(raw_name), "file name in GBK bytes (not UTF-8)", "read"))
            (root / "晋中.txt").write_bytes(utf8)
            specials.append(Special("晋中.txt", "the same name in UTF-8: its id, the GBK twin's id shows its bytes", "read"))
        except OSError:
            pass
    if hasattr(os, "symlink"):
        try:
            (root / "loop").mkdir()
            (root / "loop" / "a.txt").write_bytes(utf8)
            (root / "loop" / "back").symlink_to(root / "loop", target_is_directory=True)
            specials.append(Special("loop/a.txt", "directory symlink loop", "read"))
            (root / "self.txt").symlink_to(root / "self.txt")
            specials.append(Special("self.txt", "symlink to itself", "unreadable: "))
            (root / "dangling.txt").symlink_to(root / "no-such-file.txt")
            specials.append(Special("dangling.txt", "dangling symlink", "unreadable: "))
            if sys.platform.startswith("linux") and os.path.exists("/proc/self/mem"):
                # reading /proc/self/mem at offset 0 fails with EIO even for root,
                # which chmod 000 cannot give a root test run
                (root / "eio.txt").symlink_to("/proc/self/mem")
                specials.append(Special("eio.txt", "link out of the folder to a file whose read fails (EIO)", LINK_OUT_REASON))
            private = root.parent / f"{root.name}-private.txt"  # beside the corpus, not in it
            private.write_bytes(utf8)
            (root / "outside.txt").symlink_to(private)
            specials.append(Special("outside.txt", "link to a file outside the input folder", LINK_OUT_REASON))
        except OSError:
            pass
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "pipe.txt")
        specials.append(Special("pipe.txt", "named pipe", "not a regular file"))
    (root / ".hidden.txt").write_bytes(utf8)
    specials.append(Special(".hidden.txt", "hidden file", "absent"))
    (root / "notes.docx").write_bytes(b"PK\x03\x04" + bytes(100))
    specials.append(Special("notes.docx", "other suffix", "absent"))
    return byte_cases, specials


def write_sparse_text(path: Path, size: int, block: bytes | None = None) -> None:
    """Write a ``size``-byte UTF-8 text file quickly: one block written over and
    over, padded with newlines so that no character is cut in half."""
    block = block or ("晋中市发展和改革委员会推进项目建设。" * 3000 + "\n").encode()
    whole, rest = divmod(size, len(block))
    with open(path, "wb") as fh:
        for _ in range(whole):
            fh.write(block)
        fh.write(b"\n" * rest)


# --- checking outputs ------------------------------------------------------------

#: Characters no XML 1.0 document may contain (and that no output should carry).
XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def validate_outputs(outdir: Path, consistent: bool = True) -> nx.MultiDiGraph:
    """Check every output file of a build in ``outdir`` parses; return the GraphML graph.

    GraphML and GEXF go through a strict XML parser (expat) and networkx, the
    CSV files through :mod:`csv`, the page must be complete; no file may hold
    an XML-invalid character or a byte that is not UTF-8.  With
    ``consistent``, all files must also describe the same graph (not so after
    a build stopped between two files, each of which is whole).
    """
    from kg.readwrite import read_graphml
    from kg.readwrite.csv import ENTITY_COLUMNS, RELATION_COLUMNS

    for name in ("graph.graphml", "graph.gexf", "graph.html", "entities.csv", "relations.csv"):
        text = (outdir / name).read_bytes().decode("utf-8")  # strict: raises on a bad byte
        bad = XML_INVALID_RE.search(text)
        assert bad is None, f"{name} holds {bad.group()!r} at {bad.start()}"
    ET.parse(outdir / "graph.graphml")
    ET.parse(outdir / "graph.gexf")
    G = read_graphml(outdir / "graph.graphml")
    H = nx.read_graphml(outdir / "graph.graphml")
    assert H.number_of_nodes() == G.number_of_nodes()
    X = nx.read_gexf(outdir / "graph.gexf")
    with open(outdir / "entities.csv", encoding="utf-8", newline="") as fh:
        entities = list(csv.DictReader(fh))
    with open(outdir / "relations.csv", encoding="utf-8", newline="") as fh:
        relations = list(csv.DictReader(fh))
    assert entities and relations
    assert all(len(r) == len(ENTITY_COLUMNS) for r in entities) and all(len(r) == len(RELATION_COLUMNS) for r in relations)
    page = (outdir / "graph.html").read_text(encoding="utf-8")
    assert page.rstrip().endswith("</html>")
    if consistent:
        assert X.number_of_nodes() == G.number_of_nodes() and X.number_of_edges() == G.number_of_edges()
        assert {r["id"] for r in entities} == set(G.nodes)
        assert len(relations) == G.number_of_edges()
    return G


def tree(root: Path, exclude: Path | None = None) -> dict[str, tuple[int, int, int]]:
    """Every entry under ``root`` (not following links): relative path -> (mode, size, mtime_ns)."""
    out: dict[str, tuple[int, int, int]] = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if exclude is not None and (here == exclude or exclude in here.parents):
            dirs[:] = []
            continue
        for name in dirs + files:
            path = here / name
            if exclude is not None and path == exclude:
                continue
            st = path.lstat()
            out[os.fsdecode(path.relative_to(root))] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


if __name__ == "__main__":  # pragma: no cover - manual use
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bad_inputs")
    made, special = write_corpus(target)
    for c in made:
        print(f"{c.name!r:40} {c.kind:50} -> {c.expect}")
    for s in special:
        print(f"{s.name!r:40} {s.kind:50} -> {s.expect}")
