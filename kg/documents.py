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
ran.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Final

from kg.normalize import normalize_layout

__all__ = [
    "Document",
    "InputError",
    "Skipped",
    "collect_inputs",
    "read_document",
    "read_documents",
]

#: File name suffixes picked up when walking a directory (case-insensitive).
#: A file named directly on the command line is read whatever its suffix.
SUFFIXES: Final[frozenset[str]] = frozenset({".txt", ".md", ".html", ".htm"})
HTML_SUFFIXES: Final[frozenset[str]] = frozenset({".html", ".htm"})

#: Files larger than this are skipped rather than read into memory: no news
#: article comes near it, a mislabelled dump or disk image easily does.
MAX_BYTES: Final[int] = 32 * 1024 * 1024

#: Share of control characters above which decoded "text" is taken for binary.
_MAX_CONTROL_SHARE: Final[float] = 0.05


class InputError(Exception):
    """The inputs as given cannot be used at all (missing path, nothing to read)."""


@dataclass(frozen=True)
class Document:
    """One decoded article with its normalised text.

    ``offsets[i]`` is the index in ``raw`` of ``text[i]`` (see
    :class:`kg.normalize.NormalizedText`), so evidence found in ``text`` can
    be quoted from ``raw`` exactly as written.
    """

    doc_id: str
    path: Path
    raw: str
    text: str
    offsets: tuple[int, ...]


@dataclass(frozen=True)
class Skipped:
    """A file that was found but not read, with a short human-readable reason."""

    path: Path
    reason: str


# --- finding files ---------------------------------------------------------


def _walk(root: Path) -> Iterator[Path]:
    """Yield candidate article files under ``root``, in no particular order.

    Symlinked directories are followed, but each real directory is entered at
    most once, so a link pointing back up the tree cannot loop.  Hidden files
    and directories (".git", ".ipynb_checkpoints") are not articles.  A
    subdirectory that cannot be listed is yielded itself, so that reading it
    reports the error as a :class:`Skipped` instead of losing it silently.
    """
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
                if entry.is_dir():
                    stack.append(path)
                elif Path(entry.name).suffix.lower() in SUFFIXES:
                    yield path
            except OSError:
                yield path


def collect_inputs(inputs: Sequence[Path]) -> list[tuple[Path, str]]:
    """List the article files under ``inputs`` as ``(path, doc_id)`` pairs.

    A directory contributes every ``*.txt`` / ``*.md`` below it, with ids
    relative to that directory; a file contributes itself under its bare
    name.  The result is sorted by doc id (then path), so the same inputs
    always give the same order whatever order the file system lists them in.
    A file reached twice (a folder and a file inside it, a symlink) is listed
    once, under the id of the input that reached it first.  If two different
    files would get the same id (two folders both holding ``a.txt``), the
    later one's id is prefixed with its input folder's name, and numbered if
    that still clashes, so ids stay unique.

    Raises :class:`InputError` if an input does not exist or if no article
    file is found at all.
    """
    found: list[tuple[Path, str]] = []
    by_id: dict[str, Path] = {}
    seen: set[Path] = set()
    for item in inputs:
        given = Path(item)
        if not os.path.lexists(given):
            raise InputError(f"input not found: {given}")
        if given.is_dir():
            files = [(p, _relative_id(p, given)) for p in _walk(given)]
            files.sort(key=lambda pair: pair[1])
            prefix = given.resolve().name or "input"
        else:
            files = [(given, given.name)]
            prefix = given.parent.resolve().name or "input"
        for path, doc_id in files:
            real = _real(path)
            if real in seen:
                continue
            seen.add(real)
            unique = doc_id
            if unique in by_id:
                unique = f"{prefix}/{doc_id}"
                n = 2
                while unique in by_id:
                    unique = f"{prefix}/{doc_id}#{n}"
                    n += 1
            by_id[unique] = path
            found.append((path, unique))
    if not found:
        names = ", ".join(str(p) for p in inputs) or "(no inputs given)"
        raise InputError(f"no .txt or .md (or .html) files found in: {names}")
    found.sort(key=lambda pair: (pair[1], str(pair[0])))
    return found


def _relative_id(path: Path, base: Path) -> str:
    """Doc id of ``path`` found under ``base``: relative, "/"-separated."""
    rel = path.relative_to(base).as_posix()
    return base.resolve().name if rel == "." else rel


def _real(path: Path) -> Path:
    """Canonical path used to spot the same file reached twice."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: symlink loop on old Pythons
        return path.absolute()


# --- reading one file --------------------------------------------------------


def _decode(data: bytes) -> str | None:
    """Decode as UTF-8 (BOM stripped), UTF-16 with BOM, or GB18030; else None.

    UTF-8 is tried first because valid UTF-8 is almost never valid-looking
    GB18030 by accident, while the reverse is common.  UTF-16 is only
    accepted with its BOM (Windows Notepad's "Unicode"), since without one
    it cannot be told from binary.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


class _TextExtractor(HTMLParser):
    """The readable text of a saved web page: no tags, scripts, styles or comments;
    block elements become line breaks so paragraphs survive."""

    BLOCKS = frozenset("p div br li tr h1 h2 h3 h4 h5 h6 section article header footer table ul ol blockquote title".split())
    SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
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
    controls = sum(1 for ch in text if (ord(ch) < 0x20 and ch not in "\t\n\r\x0c") or ord(ch) == 0x7F)
    return controls > len(text) * _MAX_CONTROL_SHARE


def read_document(path: Path, doc_id: str) -> Document | Skipped:
    """Read, decode and normalise one file; never raises for a bad file.

    Reasons for skipping: ``"unreadable: <errno text>"``, ``"not a regular
    file"``, ``"too large (N bytes)"``, ``"empty"`` (no bytes, or only
    whitespace/invisible characters), ``"binary file"`` (NUL bytes or mostly
    control characters) and ``"not UTF-8 or GB18030 text"``.
    """
    path = Path(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            if stat.S_ISDIR(st.st_mode):
                os.listdir(path)  # surfaces the error of an unlistable folder
            return Skipped(path, "not a regular file")
        if st.st_size > MAX_BYTES:
            return Skipped(path, f"too large ({st.st_size} bytes)")
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        return Skipped(path, f"unreadable: {exc.strerror or exc}")
    if len(data) > MAX_BYTES:
        return Skipped(path, f"too large (over {MAX_BYTES} bytes)")
    if not data.strip():
        return Skipped(path, "empty")
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in data and not utf16:
        return Skipped(path, "binary file")
    raw = _decode(data)
    if raw is None:
        return Skipped(path, "not UTF-8 or GB18030 text")
    raw = raw.removeprefix("\ufeff")
    if path.suffix.lower() in HTML_SUFFIXES:
        raw = html_to_text(raw)
    if _looks_binary(raw):
        return Skipped(path, "binary file")
    norm = normalize_layout(raw)
    if not norm.text.strip():
        return Skipped(path, "empty")
    return Document(doc_id, path, raw, norm.text, norm.offsets)


def read_documents(inputs: Sequence[Path]) -> Iterator[Document | Skipped]:
    """Read every article under ``inputs`` lazily, in :func:`collect_inputs` order.

    The inputs are checked eagerly, so a missing path raises
    :class:`InputError` at the call, before anything is read.  Files are read
    one at a time as the iterator advances, keeping memory flat on large
    corpora.  If every file turned out unreadable, :class:`InputError` is
    raised after the last :class:`Skipped` has been yielded, so a caller that
    reports skips still sees them all and a build of nothing still fails.
    """
    files = collect_inputs(inputs)

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
