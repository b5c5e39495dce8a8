"""Find input articles, decode them and normalise their layout.

Why: a build is pointed at folders of articles copied from many sources, so
input is messy: UTF-8 with or without BOM next to GBK/GB18030 exports, stray
binaries or empty files with a .txt name, unreadable files.  One bad file must
never stop a build or be silently lost, so every file yields either a
:class:`Document` or a :class:`Skipped` with a short reason the CLI can
report.  Only an input path that does not exist, or inputs holding no
article at all, are errors (:class:`InputError`), because then the command
line itself is wrong.

Document ids are stable, human-readable and independent of the working
directory: the path relative to the folder given on the command line, with
"/" separators (the bare file name for a file given directly), so gold files
and outputs can refer to ``"000_c2f7df7086115ad4.txt"`` wherever the build
ran.  A name that cannot be carried as text is made readable, never
dropped: bytes that are not UTF-8 (a GBK file name from a Windows archive)
are decoded as GB18030 when they are valid GB18030, else written as
``\\xNN``; control characters (a newline in a file name) and ``|`` (the
separator of the ``docs`` lists in every output) are written as ``\\xNN``.
An id never starts with ``/`` and never has a ``..`` segment, because it is
always a path below an input folder (``a..b.txt`` is an ordinary name).

Decoding, deliberately: a file that starts with a UTF-16 BOM is read as
UTF-16, any other strictly as UTF-8 (BOM or not), else strictly as GB18030
(which covers GBK and GB2312).  A file that is *almost* one of them (a UTF-8
article with a stray Latin-1 byte, a GBK export cut in the middle of a
character) is not thrown away: it is decoded with U+FFFD for the bad bytes
if at most 1 % of its bytes are bad, and the document carries a
:attr:`Document.warning` that is also logged (``warning: PATH: ...`` on
stderr when nothing configured logging), so the loss is visible but the
article is not lost.  More damage than that means the file is not text in
these encodings (Latin-1, random bytes) and it is skipped.  Big5, Shift_JIS,
EUC-JP and EUC-KR bytes mostly *are* valid GB18030, so text read as GB18030
must also read as Chinese (:func:`kg.chinese.misread_reason`): a file whose
characters make no Chinese words, or hold Japanese kana, is skipped with the
encoding it most likely is.  Traditional Chinese is read (kg.resolve gives
recognition a Simplified copy).
NUL and other control bytes alone do not make a file binary: a text with a
few of them is read and the normaliser drops them; only a file that does not
decode, or whose text is more than 5 % control characters, is ``"binary
file"``.

Size, deliberately: the pipeline takes at most :data:`MAX_CHARS` characters
per document (spaCy's ``max_length``), so a longer file is skipped as
``"too long"``, and a file over :data:`MAX_BYTES` is skipped as ``"too
large"`` from its size alone, without being read, so a stray 100 MB dump
costs neither time nor memory.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import stat
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Final

from kg.chinese import misread_reason
from kg.normalize import normalize_layout

__all__ = [
    "Document",
    "InputError",
    "Skipped",
    "collect_inputs",
    "read_document",
    "read_documents",
    "safe_id",
]

#: File name suffixes picked up when walking a directory (case-insensitive).
#: A file named directly on the command line is read whatever its suffix.
SUFFIXES: Final[frozenset[str]] = frozenset({".txt", ".md", ".html", ".htm"})
HTML_SUFFIXES: Final[frozenset[str]] = frozenset({".html", ".htm"})

#: Files larger than this are skipped from their size alone, never read: no
#: news article comes near it, a mislabelled dump or disk image easily does.
#: 8 MiB is room for :data:`MAX_CHARS` characters in any accepted encoding
#: plus the markup of a saved web page.  (At 32 MiB, reading and normalising
#: one plain-text file took 8 s and 1.6 GB, only for the pipeline to refuse it.)
MAX_BYTES: Final[int] = 8 * 1024 * 1024

#: Longest normalised text passed on: the pipeline (spaCy's default
#: ``nlp.max_length``) refuses longer documents, which would fail the build.
MAX_CHARS: Final[int] = 1_000_000
#: Decoded text longer than this is skipped before normalisation (which needs
#: about 150 bytes per character): normalising removes far less than a third.
_MAX_RAW_CHARS: Final[int] = MAX_CHARS * 3 // 2

#: A file with at most this share of undecodable bytes is read with U+FFFD
#: in their place (and a warning) rather than skipped.
_MAX_BAD_SHARE: Final[float] = 0.01

#: Share of control characters above which decoded "text" is taken for binary.
_MAX_CONTROL_SHARE: Final[float] = 0.05
#: The controls that count against a text: all below U+0020 but tab, line and form feed, CR; and DEL.
_BINARY_CONTROLS: Final[re.Pattern[str]] = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")

log = logging.getLogger(__name__)


class InputError(Exception):
    """The inputs as given cannot be used at all (missing path, nothing to read)."""


@dataclass(frozen=True)
class Document:
    """One decoded article with its normalised text.

    ``offsets[i]`` is the index in ``raw`` of ``text[i]`` (see
    :class:`kg.normalize.NormalizedText`), so evidence found in ``text`` can
    be quoted from ``raw`` exactly as written.  For a saved web page ``raw``
    is the page's text (tags removed), not its markup.

    ``warning`` is empty, or says what was lost in reading (undecodable bytes
    replaced by U+FFFD), for build reports.
    """

    doc_id: str
    path: Path
    raw: str
    text: str
    offsets: tuple[int, ...]
    warning: str = ""


@dataclass(frozen=True)
class Skipped:
    """A file that was found but not read, with a short human-readable reason."""

    path: Path
    reason: str
    #: where the build report names it: its doc id, relative to the input folder, so
    #: the report does not depend on how the input was typed (``./a`` or ``a``)
    doc_id: str = field(default="", compare=False)


# --- finding files ---------------------------------------------------------


#: A folder holding both is a kg build's output: its page and tables are kg's own
#: writing, never articles, and reading them back (an output folder inside the input
#: folder, ``cd ARCHIVE && kg build .``) would feed each build the last one's page.
OUTPUT_MARKERS = ("graph.graphml", "build_report.json")
OUTPUT_FOLDER_REASON = "a kg output folder (graph.graphml, build_report.json): not read as articles"


def is_output_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a kg build's output."""
    return all((folder / name).is_file() for name in OUTPUT_MARKERS)


class LinkOutOfInput(type(Path())):  # type: ignore[misc]  # PosixPath or WindowsPath
    """A symbolic link under an input folder to a file or folder outside it: listed,
    so that reading it says why it was not followed (:func:`read_document`)."""


LINK_OUT_REASON = "a link out of the input folder: not followed (--follow-links reads it)"


def _inside(path: str, root: str) -> bool:
    """Whether the real path of `path` lies under the real folder `root`."""
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _walk(root: Path, follow_links: bool = False) -> Iterator[Path]:
    """Yield candidate article files under ``root``, in no particular order.

    Symlinked directories are followed, but each real directory is entered at
    most once, so a link pointing back up the tree cannot loop.  A link whose
    target lies outside ``root`` (a private file, /usr/share/doc) is yielded as
    a :class:`LinkOutOfInput` unless `follow_links`.  Hidden files and
    directories (".git", ".ipynb_checkpoints") are not articles.  A
    subdirectory that cannot be listed, or that holds a kg build's output
    (:func:`is_output_folder`), is yielded itself, so that reading it reports
    why as a :class:`Skipped` instead of losing it silently.
    """
    real_root = os.path.realpath(root)
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = folder.stat()
        except OSError:
            yield folder
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            continue
        seen.add(key)
        if is_output_folder(folder):
            yield folder
            continue
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            yield folder
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                if not follow_links and entry.is_symlink() and not _inside(entry.path, real_root):
                    if entry.is_dir() or Path(entry.name).suffix.lower() in SUFFIXES:
                        yield LinkOutOfInput(entry.path)
                elif entry.is_dir():
                    stack.append(path)
                elif Path(entry.name).suffix.lower() in SUFFIXES:
                    yield path
            except OSError:
                yield path


def collect_inputs(inputs: Sequence[Path], follow_links: bool = False) -> list[tuple[Path, str]]:
    """List the article files under ``inputs`` as ``(path, doc_id)`` pairs.

    A directory contributes every ``*.txt`` / ``*.md`` below it, with ids
    relative to that directory; a file contributes itself under its bare
    name.  The result is sorted by doc id (then path), so the same inputs
    always give the same order whatever order the file system lists them in.
    A file reached twice (a folder and a file inside it, a symlink) is listed
    once, under the id of the input that reached it first.  If two different
    files would get the same id (two folders both holding ``a.txt``), the
    later one's id is prefixed with its input folder's name; two names in one
    folder that read alike (a GBK name decoded, and the same name in UTF-8) are
    ordered by their bytes and the later one's id shows its bytes (``\\xNN``);
    an id that still clashes is numbered (``#2``), so ids stay unique and never
    depend on the order a file system lists files in.  Links out of a folder
    input are listed as :class:`LinkOutOfInput` (skipped when read) unless
    `follow_links`.

    Raises :class:`InputError` if an input does not exist or if no article
    file is found at all.
    """
    found: list[tuple[Path, str]] = []
    taken: dict[str, int] = {}  # doc id -> the input it came from
    seen: set[Path] = set()
    for n_input, item in enumerate(inputs):
        given = Path(item)
        if not os.path.lexists(given):
            raise InputError(f"input not found: {given}")
        if given.is_dir():
            files = [(p, _relative_id(p, given)) for p in _walk(given, follow_links)]
            # names that read alike (a GBK name and its UTF-8 twin): the one that is its id first, then by
            # their bytes, never in the order of listing
            files.sort(key=lambda pair: (pair[1], _escaped_id(pair[0], given) != pair[1], os.fsencode(pair[0])))
            prefix = given.resolve().name or "input"
        else:
            files = [(given, safe_id(given.name))]
            prefix = given.parent.resolve().name or "input"
        for path, doc_id in files:
            if not isinstance(path, LinkOutOfInput):  # a link not followed reads nothing twice
                real = _real(path)
                if real in seen:
                    continue
                seen.add(real)
            unique = doc_id
            if unique in taken:
                # a twin in the same folder is told apart by its name's bytes; one in another input by that input
                unique = _escaped_id(path, given) if taken[unique] == n_input else f"{prefix}/{doc_id}"
                base, n = unique, 2
                while unique in taken:
                    unique = f"{base}#{n}"
                    n += 1
            taken[unique] = n_input
            found.append((path, unique))
    if not found:
        names = ", ".join(str(p) for p in inputs) or "(no inputs given)"
        raise InputError(f"no .txt or .md (or .html) files found in: {names}")
    found.sort(key=lambda pair: (pair[1], str(pair[0])))
    return found


def _escaped_id(path: Path, base: Path) -> str:
    """The doc id of a file whose name reads like another's: its bytes that are not
    UTF-8 written as ``\\xNN`` instead of decoded as GB18030."""
    rel = path.relative_to(base).as_posix() if path != base else path.name
    return safe_id(os.fsencode(rel).decode("utf-8", errors="backslashreplace"))


def _relative_id(path: Path, base: Path) -> str:
    """Doc id of ``path`` found under ``base``: relative, "/"-separated."""
    rel = path.relative_to(base).as_posix()
    return safe_id(base.resolve().name if rel == "." else rel)


def _unsafe(ch: str) -> bool:
    """A character a doc id cannot carry as itself (see :func:`safe_id`)."""
    o = ord(ch)
    return ch == "|" or o < 0x20 or 0x7F <= o < 0xA0 or 0xD800 <= o < 0xE000


def safe_id(name: str) -> str:
    """A file name (or relative path) as a doc id that every output can carry.

    Undecodable file-name bytes (``os.fsdecode``'s surrogate escapes) become
    GB18030 text when the whole name is valid GB18030, else ``\\xNN``;
    C0/C1 controls, DEL, ``|`` and any other lone surrogate become ``\\xNN``
    (``\\uNNNN``).  Other names are returned unchanged.
    """
    if any("\udc80" <= ch <= "\udcff" for ch in name):
        try:
            raw = os.fsencode(name)
        except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
            pass
        else:
            try:
                name = raw.decode("gb18030")
            except UnicodeDecodeError:
                name = raw.decode("utf-8", errors="backslashreplace")
    if not any(_unsafe(ch) for ch in name):
        return name
    return "".join((f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}") if _unsafe(ch) else ch for ch in name)


def _real(path: Path) -> Path:
    """Canonical path used to spot the same file reached twice."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: symlink loop on old Pythons
        return path.absolute()


# --- reading one file --------------------------------------------------------


#: How U+FFFD itself is written in each encoding, to tell replacements from
#: replacement characters that were in the file already.
_FFFD: Final[dict[str, bytes]] = {
    "utf-8": "\ufffd".encode(),
    "gb18030": "\ufffd".encode("gb18030"),
    "utf-16": "\ufffd".encode("utf-16-le"),
}


def _lenient(data: bytes, encoding: str) -> tuple[str, int] | None:
    """``data`` decoded with U+FFFD for bad bytes and the number of bad
    sequences, or None if more than :data:`_MAX_BAD_SHARE` of it is bad."""
    text = data.decode(encoding, errors="replace")
    own = data.count(_FFFD[encoding])
    if encoding == "utf-16":
        own += data.count("\ufffd".encode("utf-16-be"))
    bad = max(0, text.count("\ufffd") - own)
    return (text, bad) if bad <= len(data) * _MAX_BAD_SHARE else None


def _decode(data: bytes) -> tuple[str, str, int] | None:
    """Decode ``data``: ``(text, encoding, number of bad byte sequences)`` or None.

    Strict first: UTF-16 if the BOM says so, else UTF-8 (BOM stripped), then
    GB18030.  UTF-8 is tried first because valid UTF-8 is almost never
    valid-looking GB18030 by accident, while the reverse is common (UTF-8 with
    one bad byte inserted anywhere in the seeds never decoded as GB18030 in
    1,000 trials).  UTF-16 is only accepted with its BOM (Windows Notepad's
    "Unicode"), since without one it cannot be told from binary.  Then
    leniently, in the same order: at most 1 % bad bytes, each replaced by
    U+FFFD.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16", 0
        except UnicodeDecodeError:
            found = _lenient(data, "utf-16")
            return (found[0], "UTF-16", found[1]) if found else None
    for encoding, name in (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030")):
        try:
            return data.decode(encoding), name, 0
        except UnicodeDecodeError:
            continue
    for encoding, name in (("utf-8", "UTF-8"), ("gb18030", "GB18030")):
        if (found := _lenient(data, encoding)) is not None:
            return found[0], name, found[1]
    return None


class _TextExtractor(HTMLParser):
    """The readable text of a saved web page: no tags, scripts, styles or comments;
    block elements and table cells become line breaks so paragraphs survive and
    neighbouring cells never run together.

    The head is left out like a browser does: it ends at ``</head>`` or, as its
    end tag is optional, at the first element or text that cannot stand in it,
    so a page that omits ``</head>`` still yields its body.  ``<title>`` (the
    headline again, plus the site name) is left out wherever it stands.
    """

    BLOCKS = frozenset(
        "p div br hr li dt dd tr td th caption h1 h2 h3 h4 h5 h6 section article header footer main nav aside "
        "table ul ol dl blockquote pre address figcaption".split()
    )
    SKIP = frozenset({"script", "style", "noscript", "template", "svg", "title"})
    #: What may stand in <head>; anything else starts the body.
    HEAD = frozenset({"title", "meta", "link", "base", "style", "script", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "head":
            self.in_head = True
            return
        if self.in_head and tag not in self.HEAD:
            self.in_head = False
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        elif tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.in_head:
            if not data.strip():
                return
            self.in_head = False  # text cannot stand in <head>: the body has begun
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML page (for .html/.htm inputs), paragraphs on their own lines."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _looks_binary(text: str) -> bool:
    """True if too many characters are controls other than tab/CR/LF/FF."""
    controls = len(_BINARY_CONTROLS.findall(text))
    return controls > len(text) * _MAX_CONTROL_SHARE


def _visible(text: str) -> bool:
    """Whether the text holds anything but white space and invisible format characters
    (zero-width spaces and joiners, word joiners, BOMs: Unicode category Cf)."""
    return any(not ch.isspace() and unicodedata.category(ch) != "Cf" for ch in text)


def read_document(path: Path, doc_id: str) -> Document | Skipped:
    """Read, decode and normalise one file; never raises for a bad file.

        Reasons for skipping: ``"unreadable: <errno text>"``, ``"not a regular
        file"``, ``"too large (N bytes)"`` (over :data:`MAX_BYTES`, not read),
        ``"too long (N characters)"`` (over :data:`MAX_CHARS`), ``"empty"`` (no
        bytes, or only whitespace/invisible characters), ``"binary file"`` (not
        decodable and holding NUL bytes, or decoded but mostly control
        characters), ``"not UTF-8 or GB18030 text"`` and ``"Big5 text, not
    GB18030 ..."`` (or another encoding :func:`kg.chinese.misread_reason`
    names).  A file read with
        undecodable bytes replaced says so in :attr:`Document.warning`, which is
        also logged as a warning.
    """
    if isinstance(path, LinkOutOfInput):
        return Skipped(path, LINK_OUT_REASON, doc_id)
    path = Path(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            if stat.S_ISDIR(st.st_mode):
                if is_output_folder(path):
                    return Skipped(path, OUTPUT_FOLDER_REASON, doc_id)
                os.listdir(path)  # surfaces the error of an unlistable folder
            return Skipped(path, "not a regular file", doc_id)
        if st.st_size > MAX_BYTES:
            return Skipped(path, f"too large ({st.st_size} bytes; at most {MAX_BYTES} are read)", doc_id)
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        return Skipped(path, f"unreadable: {exc.strerror or exc}", doc_id)
    if len(data) > MAX_BYTES:  # grew since stat, or a special file that reports no size
        return Skipped(path, f"too large (over {MAX_BYTES} bytes)", doc_id)
    if not data.strip():
        return Skipped(path, "empty", doc_id)
    decoded = _decode(data)
    if decoded is None:
        return Skipped(path, "binary file" if b"\x00" in data else "not UTF-8 or GB18030 text", doc_id)
    raw, encoding, bad = decoded
    raw = raw.removeprefix("\ufeff")
    if path.suffix.lower() in HTML_SUFFIXES:
        raw = html_to_text(raw)
    if len(raw) > _MAX_RAW_CHARS:
        return Skipped(path, f"too long ({len(raw)} characters; at most {MAX_CHARS} are processed)", doc_id)
    if _looks_binary(raw):
        return Skipped(path, "binary file", doc_id)
    if encoding == "GB18030" and (reason := misread_reason(raw, data)):
        return Skipped(path, reason, doc_id)
    del data
    norm = normalize_layout(raw)
    if not _visible(norm.text):
        return Skipped(path, "empty", doc_id)
    if len(norm.text) > MAX_CHARS:
        return Skipped(path, f"too long ({len(norm.text)} characters; at most {MAX_CHARS} are processed)", doc_id)
    warning = ""
    if bad:
        warning = f"{bad} undecodable byte sequence{'s' if bad > 1 else ''} replaced by U+FFFD (read as {encoding})"
        log.warning("warning: %s: %s", path, warning)
    return Document(doc_id, path, raw, norm.text, norm.offsets, warning)


def read_documents(inputs: Sequence[Path], follow_links: bool = False) -> Iterator[Document | Skipped]:
    """Read every article under ``inputs`` lazily, in :func:`collect_inputs` order.

    The inputs are checked eagerly, so a missing path raises
    :class:`InputError` at the call, before anything is read.  Files are read
    one at a time as the iterator advances, keeping memory flat on large
    corpora.  If every file turned out unreadable, :class:`InputError` is
    raised after the last :class:`Skipped` has been yielded, so a caller that
    reports skips still sees them all and a build of nothing still fails.
    """
    files = collect_inputs(inputs, follow_links)

    def generate() -> Iterator[Document | Skipped]:
        read = 0
        for path, doc_id in files:
            item = read_document(path, doc_id)
            if isinstance(item, Document):
                read += 1
            yield item
        if not read:
            raise InputError(f"none of the {len(files)} input files could be read")

    return generate()
