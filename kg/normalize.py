"""Undo newspaper layout so that later stages see clean paragraphs.

Why: the articles kg reads are copied out of newspaper pages and PDF/e-paper
exports.  Layout leaves traces that hurt segmentation and entity matching far
more than they hurt a human reader:

* columns hard-wrapped every ~15 characters, often with a blank line after
  every printed line, so a word such as 过去 is split as "在过\\n\\n去的";
* typesetting spaces around numbers and Latin words ("去的 2024 年");
* headlines and photo credits printed twice by the page template
  ("城乡融合开新局城乡融合开新局");
* BOMs, CR/LF line ends, tabs, ideographic spaces and stray control bytes;
* lone surrogates (``"\\udcd6"``), which Python uses for undecodable bytes and
  which no UTF-8 consumer (spaCy's string store, JSON, XML) can encode.

What this module deliberately does *not* do: no NFKC, no change of punctuation
width, no change of any character that is kept.  Gold mentions and evidence
quotes are compared against the text as printed, full-width "，" and ASCII ","
alike, so normalisation only removes characters and joins lines.

Every character of the result is traceable to the raw input through
:attr:`NormalizedText.offsets`; see that class for the exact contract.

Everything here is a single left-to-right pass plus per-line work bounded by a
constant, so the cost is linear in the input and nothing can raise for any
``str`` input.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Final

__all__ = ["NormalizedText", "normalize_layout"]


@dataclass(frozen=True)
class NormalizedText:
    """Normalised text plus a map back into the raw string.

    ``offsets[i]`` is the index in the raw string of ``text[i]``, and
    ``len(offsets) == len(text)``.  Offsets are strictly increasing, and
    ``raw[offsets[i]] == text[i]`` holds for every kept character, with exactly
    two documented exceptions (both are whitespace the normaliser writes):

    * a paragraph separator ``"\\n"`` maps to the raw line break that ended the
      previous paragraph's last line: the ``"\\n"`` of a ``"\\r\\n"`` pair, or a
      lone ``"\\r"`` / U+0085 / U+2028 / U+2029 when that was the break;
    * a ``" "`` that replaces a run of spaces maps to an ASCII space of the run
      when the run has one, otherwise to the run's first character (a tab,
      U+3000 ideographic space, NBSP, ...).

    So a span ``text[a:b]`` can always be quoted from the raw text as
    ``raw[offsets[a]:offsets[b - 1] + 1]`` (see :meth:`raw_span`).
    """

    text: str
    offsets: tuple[int, ...]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open span ``text[start:end]`` to a half-open raw span.

        The raw span covers every raw character between the first and the last
        mapped one, so text that was dropped inside the span (a wrap, a
        doubled headline, an artefact space) is part of the raw quote: that is
        what a reader of the original page sees.  An empty span maps to an
        empty raw span at the position of ``text[start]`` (or the raw end).
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span {start}:{end} outside text of length {len(self.text)}")
        if start == end:
            pos = self.offsets[start] if start < len(self.offsets) else self.offsets[-1] + 1 if self.offsets else 0
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1


# --- character classes -------------------------------------------------------

#: Horizontal whitespace collapsed to one " " inside a line.  Line breaks are
#: handled separately; U+FEFF is dropped wherever it occurs (a BOM glued into
#: the middle by concatenating files is as invisible as a leading one).
_SPACES: Final[frozenset[str]] = frozenset(
    " \t\x0b\x0c\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
#: Line breaks other than "\r" (which needs a look-ahead for "\r\n").
_BREAKS: Final[frozenset[str]] = frozenset("\n\x85\u2028\u2029")
#: A run of characters :func:`_split_lines` keeps as they are: no break, space, U+FEFF,
#: control character (:func:`_is_control`) or lone surrogate, which it looks at one by one.
_PLAIN_RUN: Final[re.Pattern[str]] = re.compile(
    "[^" + "".join(f"\\u{ord(c):04x}" for c in sorted(_SPACES | _BREAKS | {"\r", "\ufeff"})) + "\\x00-\\x1f\\x7f-\\x9f\\ud800-\\udfff]+"
)

#: Sentence-final punctuation.  A line ending in one of these (possibly
#: followed by closing quotes/brackets) may end a paragraph; a line or
#: heading containing one is prose, not a headline.
_FINAL: Final[str] = "。！？!?…"
_CLOSERS: Final[str] = "”’」』）)》〉】\"'"
_SENTENCE_PUNCT: Final[frozenset[str]] = frozenset("。！？!?；;")

_MD_HEADING: Final[re.Pattern[str]] = re.compile(r"#{1,6}(?: |$)")

#: Column widths are measured in half-em units: an ASCII character is 1, any
#: other character 2, so "2024年" (4 digits + 1 ideograph) is as wide as
#: three ideographs, as on the printed page.
_MIN_COLUMN: Final[int] = 12  # 6 ideographs: narrower is no newspaper column
_MAX_COLUMN: Final[int] = 160  # 80 ideographs: wider is a paragraph per line
_MIN_WRAPPED_LINES: Final[int] = 5
#: Doubled headlines are only looked for in paragraphs up to this many chars.
_MAX_HEADING: Final[int] = 80
_MIN_REPEAT: Final[int] = 4


def _is_cjk(ch: str) -> bool:
    """True for ideographs, kana, hangul, CJK and full-width punctuation.

    These are the characters next to which a space before/after a number or
    Latin word is a typesetting artefact rather than a word separator.
    """
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x3001 <= o <= 0x303F
        or 0x3040 <= o <= 0x30FF
        or 0xF900 <= o <= 0xFAFF
        or 0xFF01 <= o <= 0xFF0F
        or 0xFF1A <= o <= 0xFF20
        or 0xFF3B <= o <= 0xFF40
        or 0xFF5B <= o <= 0xFF65
        or 0xAC00 <= o <= 0xD7AF
        or 0x2E80 <= o <= 0x2FDF
        or 0x3100 <= o <= 0x33FF
        or 0xFE30 <= o <= 0xFE4F
        or 0x20000 <= o <= 0x3FFFF
    )


def _is_alnum(ch: str) -> bool:
    """True for ASCII or full-width digits and Latin letters."""
    if ch.isascii():
        return ch.isalnum()
    o = ord(ch)
    return 0xFF10 <= o <= 0xFF19 or 0xFF21 <= o <= 0xFF3A or 0xFF41 <= o <= 0xFF5A


def _is_control(ch: str) -> bool:
    """C0/C1 control characters other than whitespace handled elsewhere, and
    lone surrogates: characters dropped wherever they occur."""
    o = ord(ch)
    return o < 0x20 or 0x7F <= o < 0xA0 or 0xD800 <= o < 0xE000


def _width(chars: list[str]) -> int:
    """Printed width in half-em units (ASCII 1, everything else 2)."""
    text = "".join(chars)
    return 2 * len(text) - len(text.encode("ascii", "ignore"))  # what ASCII keeps: 1 each


def _is_boundary(ch: str) -> bool:
    """Space, punctuation or symbol: where a doubled headline may start or end."""
    return unicodedata.category(ch)[0] in "ZPS"


# --- lines ----------------------------------------------------------------


@dataclass
class _Line:
    """One physical line after in-line cleanup, with raw offsets."""

    chars: list[str]
    idx: list[int]
    end: int  # raw index of the line break after the line (len(raw) if none)
    indent: bool  # the raw line began with whitespace
    width: int = 0
    heading: bool = False  # a Markdown heading ("# ...")

    def text(self) -> str:
        return "".join(self.chars)


def _split_lines(raw: str) -> list[_Line]:
    """Split on any line break, clean each line, keep raw indices.

    In-line cleanup: drop U+FEFF, control characters and lone surrogates,
    collapse whitespace runs to one " ", strip both ends, and drop a space
    between a CJK character and a digit/Latin letter.  A space between two
    CJK words is kept because in bylines and headings it separates words
    ("记者 李娟").
    """
    lines: list[_Line] = []
    chars: list[str] = []
    idx: list[int] = []
    indent = False
    n = len(raw)
    i = 0
    while i <= n:
        run = _PLAIN_RUN.match(raw, i)
        if run:  # most of a text: taken in one step, not character by character
            chars.extend(raw[i : run.end()])
            idx.extend(range(i, run.end()))
            i = run.end()
            continue
        ch = raw[i] if i < n else "\n"
        if ch == "\r" and i + 1 < n and raw[i + 1] == "\n":
            i += 1  # the "\n" of the pair ends the line
            continue
        if ch == "\r" or ch in _BREAKS:
            if chars and chars[-1] == " ":
                chars.pop()
                idx.pop()
            _drop_artefact_spaces(chars, idx)
            lines.append(_Line(chars, idx, min(i, n), indent))
            chars, idx, indent = [], [], False
        elif ch in _SPACES:
            if not chars:
                indent = True
            elif chars[-1] != " ":
                chars.append(" ")
                idx.append(i)
            elif ch == " " and raw[idx[-1]] != " ":
                idx[-1] = i  # prefer mapping the written " " to a real space
        elif ch != "\ufeff" and not _is_control(ch):
            chars.append(ch)
            idx.append(i)
        i += 1
    return lines


def _drop_artefact_spaces(chars: list[str], idx: list[int]) -> None:
    """Remove " " between a CJK character and a digit/Latin letter, in place."""
    if " " not in chars:
        return
    keep_c: list[str] = []
    keep_i: list[int] = []
    last = len(chars) - 1
    for k, ch in enumerate(chars):
        if ch == " " and 0 < k < last:
            left, right = chars[k - 1], chars[k + 1]
            if (_is_cjk(left) and _is_alnum(right)) or (_is_alnum(left) and _is_cjk(right)):
                continue
        keep_c.append(ch)
        keep_i.append(idx[k])
    chars[:] = keep_c
    idx[:] = keep_i


# --- column detection ------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    """A detected column: its usual width and the limits derived from it.

    ``short``: a line narrower than this that does not end a sentence still
    ends its paragraph (a byline, a heading, a last line cut short).
    ``wide``: a line wider than this is not part of the column at all (a
    headline or caption set across columns) and stands alone.
    """

    mode: int
    short: int
    wide: int


def _tolerance(width: int) -> int:
    """Half-width of the window used to find the column width.

    Justified CJK columns vary by a character or two per line (punctuation
    compression, digits, quotes), so the window is about ±12 % and at least
    ±2 ideographs.
    """
    return max(4, width // 8)


def _detect_column(body: list[_Line]) -> _Column | None:
    """Return the column if the document is hard-wrapped, else ``None``.

    A document is hard-wrapped when most of its lines have about the same
    width, few lines are wider than that, and lines of that width mostly stop
    mid-sentence and do not start alike.  A paragraph-per-line document fails
    these tests: its widths spread widely, many lines are long, and lines end
    with 。; a list of credits fails the last one.
    """
    n = len(body)
    if n < _MIN_WRAPPED_LINES:
        return None
    counts = [0] * (_MAX_COLUMN + 2)
    for line in body:
        if line.width <= _MAX_COLUMN:
            counts[line.width] += 1
    prefix = [0]
    for c in counts:
        prefix.append(prefix[-1] + c)

    best, best_count = 0, 0
    for c in range(_MIN_COLUMN, _MAX_COLUMN + 1):
        t = _tolerance(c)
        k = prefix[min(_MAX_COLUMN, c + t) + 1] - prefix[max(0, c - t)]
        if k > best_count:
            best, best_count = c, k
    if best_count < max(_MIN_WRAPPED_LINES, n / 2):
        return None
    t = _tolerance(best)
    window = [line for line in body if best - t <= line.width <= best + t]
    mode = Counter(line.width for line in window).most_common(1)[0][0]
    col = _Column(mode, mode - max(8, mode // 4), mode + max(6, mode // 4))
    if sum(1 for line in body if line.width > col.wide) > n / 4:
        return None
    if sum(1 for line in window if _ends_sentence(line.chars)) > len(window) * 0.4:
        return None
    # A list (credits, a table of contents) has lines of one width too, but
    # they start alike ("本版策划:", "本版统筹:"); wrapped prose does not.
    starts = Counter("".join(line.chars[:2]) for line in window)
    if starts.most_common(1)[0][1] > len(window) * 0.4:
        return None
    return col


def _ends_sentence(chars: list[str]) -> bool:
    """True if the line ends with sentence-final punctuation (+ closers)."""
    k = len(chars) - 1
    while k >= 0 and chars[k] in _CLOSERS:
        k -= 1
    return k >= 0 and chars[k] in _FINAL


def _wrapped_join(a: _Line, b: _Line, gap: int, typical_gap: int, col: _Column) -> bool:
    """Decide whether line ``b`` continues line ``a``'s paragraph.

    A full-width line continues into the next; a line clearly shorter than the
    column ends its paragraph.  A line that ends a sentence must fill the
    column to continue, because otherwise the typesetter would have put the
    next word on it.  Headings, over-wide lines (headlines, captions) and
    extra blank lines always separate.
    """
    if gap > typical_gap or a.heading or b.heading:
        return False
    if a.width > col.wide or b.width > col.wide:
        return False
    if _ends_sentence(a.chars):
        starts_anew = b.indent or b.chars[:2] == ["—", "—"]
        return a.width >= col.mode and not starts_anew
    return a.width >= col.short


# --- doubled headlines -----------------------------------------------------


def _is_heading_like(chars: list[str]) -> bool:
    """Short and without sentence punctuation: a headline, credit or byline."""
    return len(chars) <= _MAX_HEADING and not any(c in _SENTENCE_PUNCT for c in chars)


def _collapse_doubles(chars: list[str], idx: list[int]) -> tuple[list[str], list[int]]:
    """Collapse an immediate repetition ``XX`` to ``X`` (``len(X) >= 4``).

    The page template sometimes prints a headline or photo credit twice with
    nothing in between.  ``X`` may contain spaces ("记者 杨洋 摄"), must not
    start or end with one, and the doubled block must start and end at the
    paragraph edge or next to a space/punctuation, so that a word that merely
    repeats inside a phrase is left alone.  Only called on short heading-like
    paragraphs, which bounds the quadratic search by a constant.
    """
    s = "".join(chars)
    n = len(s)
    out_c: list[str] = []
    out_i: list[int] = []
    i = 0
    while i < n:
        size = 0
        if s[i] != " " and (i == 0 or _is_boundary(s[i - 1])):
            j = s.find(s[i], i + _MIN_REPEAT)
            while j != -1 and 2 * j - i <= n:
                end = 2 * j - i
                if s[j - 1] != " " and (end == n or _is_boundary(s[end])) and s[i:j] == s[j:end]:
                    size = j - i
                    break
                j = s.find(s[i], j + 1)
        if size:
            out_c.extend(chars[i : i + size])
            out_i.extend(idx[i : i + size])
            i += 2 * size
        else:
            out_c.append(chars[i])
            out_i.append(idx[i])
            i += 1
    return out_c, out_i


# --- entry point ------------------------------------------------------------


def normalize_layout(raw: str) -> NormalizedText:
    """Turn a raw article into paragraphs separated by exactly one ``"\\n"``.

    Steps: split lines and clean them (see :func:`_split_lines`); if the
    document is hard-wrapped (detected from its own line widths, see
    :func:`_detect_column`) join wrapped lines with nothing between them,
    otherwise keep one paragraph per non-empty line; collapse doubled
    headlines in short heading-like paragraphs.  Markdown headings are kept
    verbatim as their own paragraphs.  Blank lines never survive.
    """
    lines = _split_lines(raw)
    body: list[_Line] = []
    gaps: list[int] = []  # gaps[k]: blank lines between body[k-1] and body[k]
    blank = 0
    for line in lines:
        if not line.chars:
            blank += 1
            continue
        line.width = _width(line.chars)
        line.heading = _MD_HEADING.match(line.text()) is not None
        gaps.append(blank if body else 0)
        body.append(line)
        blank = 0

    col = _detect_column([line for line in body if not line.heading])
    typical_gap = Counter(gaps[1:]).most_common(1)[0][0] if len(gaps) > 1 else 0

    # Group physical lines into paragraphs.
    paragraphs: list[list[_Line]] = []
    for k, line in enumerate(body):
        if paragraphs and col is not None and _wrapped_join(paragraphs[-1][-1], line, gaps[k], typical_gap, col):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])

    text: list[str] = []
    offsets: list[int] = []
    previous_end = 0
    for para in paragraphs:
        chars = [c for line in para for c in line.chars]
        idx = [i for line in para for i in line.idx]
        if _is_heading_like(chars):
            chars, idx = _collapse_doubles(chars, idx)
        if not chars:
            continue
        if text:
            text.append("\n")
            offsets.append(previous_end)
        text.extend(chars)
        offsets.extend(idx)
        previous_end = para[-1].end
    return NormalizedText("".join(text), tuple(offsets))
