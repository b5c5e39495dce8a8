"""Per-document extraction cache for incremental builds (``kg build --update``).

Why: an archive grows by a few articles a day, and re-extracting thousands of
unchanged ones to add them costs minutes. Extraction is a pure function of the
normalised text and of kg's code, lexicons and models, so its result can be
kept and reused: each :class:`~kg.extraction.DocExtraction` is stored under

    key = sha256(fingerprint + NUL + normalised text)

where the :func:`fingerprint` hashes everything extraction depends on (kg's
version and source outside the output side, ``kg/data``, ``kg/nlp/models``, the
spaCy, spacy-pkuseg, numpy and onnxruntime versions). A changed document gets a new key; a
new kg or model gets a new fingerprint and so misses every entry. The doc id is
not part of the key (a renamed file is a hit); it is set from the current input
on every load. Each entry also remembers the sha256 of the raw text it was last
read from (:func:`raw_key`, before layout normalisation): normalisation is part
of the fingerprint, so the same raw text gives the same text, and an unchanged
UTF-8 file of a large archive is only decoded and hashed, not normalised again.

The cache is one file, ``OUTDIR/.kg-cache/extractions.jsonl``: a header line
(format, fingerprint, field names) and one line per document, sorted by key:
``key TAB raw key TAB check TAB JSON`` with compact lists of the record's fields;
the check (:func:`_row_check`) makes a flipped bit anywhere in a line a miss, not a
silently different graph. It is rewritten atomically
(kg.atomic) after extraction and holds exactly the documents of the latest
build, so removed documents drop out. JSON rather than pickle: a cache file in
an output folder others may write to must never run code when read, and the
same documents always give the same bytes. Only scalar field values (str, int,
float, bool) are stored, which JSON gives back exactly; anything else raises
TypeError at write time rather than returning something slightly different.
"""

from __future__ import annotations

import hashlib
import json
import sys
import typing
from dataclasses import fields, is_dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from kg import __version__
from kg.atomic import atomic_write
from kg.extraction import DocExtraction

__all__ = ["CACHE_DIR", "CACHE_FILE", "ExtractionCache", "content_key", "fingerprint", "raw_key"]

CACHE_DIR: Final[str] = ".kg-cache"
CACHE_FILE: Final[str] = "extractions.jsonl"
FORMAT: Final[int] = 3

PACKAGE_DIR: Final[Path] = Path(__file__).resolve().parent
#: Modules that only read or write graphs: a change here never changes an extraction.
OUTPUT_SIDE: Final[frozenset[str]] = frozenset(
    {"build.py", "cli.py", "engines.py", "cache.py", "graph.py", "explore.py", "evaluate.py", "layout.py", "readwrite"}
)
DEPENDENCIES: Final[tuple[str, ...]] = ("spacy", "spacy-pkuseg", "numpy", "onnxruntime", "opencc")
SCALARS: Final[tuple[type, ...]] = (str, int, float, bool)


def _fingerprint_files() -> list[Path]:
    """kg's own files that extraction depends on, in a fixed order."""
    out = [p for p in PACKAGE_DIR.rglob("*.py") if p.relative_to(PACKAGE_DIR).parts[0] not in OUTPUT_SIDE and "__pycache__" not in p.parts]
    for sub in ("data", "nlp/models"):
        out.extend(p for p in (PACKAGE_DIR / sub).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return sorted(out, key=lambda p: p.relative_to(PACKAGE_DIR).as_posix())


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def fingerprint(learned_ner: bool = True) -> str:
    """sha256 over kg's version, extraction code, data, models and key dependencies.

    Computed once per process (hashing the models takes a few milliseconds), so
    that one process never mixes two. Extraction without the learned NER
    (``kg build --no-learned-ner``) gives other results, so it has its own.
    """
    fp = _fingerprint()
    return fp if learned_ner else hashlib.sha256(f"{fp}\0rules only".encode()).hexdigest()


@cache
def _fingerprint() -> str:
    return compute_fingerprint()


def compute_fingerprint() -> str:
    """:func:`fingerprint`, computed now from the files as they are."""
    h = hashlib.sha256()
    h.update(f"kg-cache {FORMAT}\0kg {__version__}\0python {sys.version_info[0]}.{sys.version_info[1]}\0".encode())
    for dist in DEPENDENCIES:
        h.update(f"{dist} {_version(dist)}\0".encode())
    for path in _fingerprint_files():
        h.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def content_key(text: str, fp: str | None = None) -> str:
    """The cache key of a normalised document text under fingerprint `fp` (default: this kg's)."""
    return hashlib.sha256((fp or fingerprint()).encode() + b"\0" + text.encode("utf-8")).hexdigest()


def raw_key(raw: str, fp: str | None = None) -> str:
    """The key of a document's raw (decoded, not yet normalised) text: the same raw text
    always normalises to the same text under one fingerprint."""
    return hashlib.sha256((fp or fingerprint()).encode() + b"\1" + raw.encode("utf-8", "surrogatepass")).hexdigest()


# --- records <-> JSON ----------------------------------------------------------


@cache
def _layout() -> dict[str, Any]:
    """How a DocExtraction is stored: its fields, and the fields of list items."""
    hints = typing.get_type_hints(DocExtraction)
    out: dict[str, Any] = {}
    for f in fields(DocExtraction):
        if f.name == "doc_id":
            continue
        hint = hints[f.name]
        if typing.get_origin(hint) is list:
            (item,) = typing.get_args(hint)
            out[f.name] = [x.name for x in fields(item)] if is_dataclass(item) else []
        else:
            out[f.name] = None
    return out


@cache
def _list_types() -> dict[str, Any]:
    hints = typing.get_type_hints(DocExtraction)
    return {name: typing.get_args(hints[name])[0] for name, spec in _layout().items() if spec is not None}


def _scalar(value: Any, where: str) -> Any:
    if not isinstance(value, SCALARS):
        raise TypeError(f"the extraction cache stores scalars only; {where} is {type(value).__name__}")
    return value


def encode(ex: DocExtraction) -> list[Any]:
    """A DocExtraction (without its doc id) as a JSON-ready list, in field order."""
    row: list[Any] = []
    for name, spec in _layout().items():
        value = getattr(ex, name)
        if spec is None:
            row.append(_scalar(value, name))
        elif spec:
            row.append([[_scalar(getattr(item, f), f"{name}.{f}") for f in spec] for item in value])
        else:
            row.append([_scalar(item, name) for item in value])
    return row


@cache
def _field_types() -> dict[str, Any]:
    """Field -> its type, or for a list of records the types of the record's fields."""
    hints = typing.get_type_hints(DocExtraction)
    out: dict[str, Any] = {}
    for name, spec in _layout().items():
        if spec:
            item_hints = typing.get_type_hints(_list_types()[name])
            out[name] = [item_hints[f] for f in spec]
        else:
            out[name] = hints[name]
    return out


def _check(value: Any, kind: Any, where: str) -> None:
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"{where}: {type(value).__name__}, not {getattr(kind, '__name__', kind)}")


def decode(row: list[Any], doc_id: str) -> DocExtraction:
    """The DocExtraction of an :func:`encode` row, under `doc_id`.

    Every value is checked against the record's field types, so a row that is valid
    JSON but not a record kg wrote (a damaged file) raises TypeError: a miss, not a
    crash further on."""
    types, kinds = _list_types(), _field_types()
    kwargs: dict[str, Any] = {"doc_id": doc_id}
    for (name, spec), value in zip(_layout().items(), row, strict=True):
        if spec:
            _check(value, list, name)
            for item in value:
                _check(item, list, name)
                if len(item) != len(spec):
                    raise TypeError(f"{name}: {len(item)} fields, not {len(spec)}")
                for v, kind, f in zip(item, kinds[name], spec, strict=True):
                    _check(v, kind, f"{name}.{f}")
            kwargs[name] = [types[name](*item) for item in value]
        elif spec == []:
            _check(value, list, name)
            kwargs[name] = value
        else:
            _check(value, kinds[name], name)
            kwargs[name] = value
    return DocExtraction(**kwargs)


# --- the cache file --------------------------------------------------------------


def _row_check(key: str, raw: str, row: str) -> str:
    """A digest of one cache line: a line that was changed on disk is not used."""
    return hashlib.sha256(f"{key}\t{raw}\t{row}".encode("utf-8", "surrogatepass")).hexdigest()[:16]


class ExtractionCache:
    """The cache of one output directory: load, look up, remember, save.

    Entries are found by the :func:`content_key` of a document's normalised text,
    or, before reading and normalising a file at all, by the :func:`raw_key` of
    its bytes (unchanged files of a large archive are then only hashed). ``save``
    writes exactly the entries used or added since loading (the documents of this
    build) and drops the rest.
    """

    def __init__(self, outdir: Path, fp: str | None = None) -> None:
        self.path = Path(outdir) / CACHE_DIR / CACHE_FILE
        self.fingerprint = fp or fingerprint()
        self._stored: dict[str, tuple[str, str]] = {}  # content key -> (raw key, JSON row), as read
        self._by_raw: dict[str, str] = {}  # raw key -> content key, as read
        self._keep: dict[str, tuple[str, str]] = {}  # content key -> (raw key, JSON row), for the next save
        self.discarded = ""  # why an existing cache file was not used

    def header(self) -> dict[str, Any]:
        return {"format": FORMAT, "fingerprint": self.fingerprint, "fields": _layout()}

    def load(self) -> ExtractionCache:
        """Read the cache file if it exists and was written by this very kg; else start empty.

        A damaged line is skipped (its document is extracted again).
        """
        try:
            fh = self.path.open("rb")
        except FileNotFoundError:
            return self
        except OSError as e:
            self.discarded = f"unreadable: {e.strerror or e}"
            return self
        with fh:
            try:
                head = json.loads(fh.readline().decode("utf-8") or "null")
            except ValueError:  # UnicodeDecodeError too
                head = None
            if head != self.header():
                self.discarded = "written by another kg version or model" if isinstance(head, dict) else "not a kg cache"
                return self
            for raw_line in fh:
                try:
                    line = raw_line.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                key, raw, check, row = (line.rstrip("\n").split("\t", 3) + ["", "", ""])[:4]
                if len(key) == 64 and len(raw) == 64 and row and check == _row_check(key, raw, row):
                    self._stored[key] = (raw, row)
                    self._by_raw[raw] = key
        return self

    def __len__(self) -> int:
        return len(self._stored)

    def get(self, key: str, doc_id: str, raw: str = "") -> DocExtraction | None:
        """The extraction stored under content `key`, as the document `doc_id` (None: not there).

        `raw`, the raw key of the file now holding that text, is remembered for the
        next build.
        """
        entry = self._keep.get(key) or self._stored.get(key)
        if entry is None:
            return None
        try:
            ex = decode(json.loads(entry[1]), doc_id)
        except (ValueError, TypeError):  # a damaged line: extract again
            return None
        self._keep[key] = (raw or entry[0], entry[1])
        return ex

    def __contains__(self, key: str) -> bool:
        """Whether content `key` is stored (found without decoding it; :meth:`get` decodes)."""
        return key in self._keep or key in self._stored

    def key_of_raw(self, raw: str) -> str | None:
        """The content key stored for raw key `raw`, None if it is not there."""
        return self._by_raw.get(raw)

    def put(self, key: str, raw: str, ex: DocExtraction) -> None:
        """Remember `ex`, extracted from the text of content key `key` read from raw key `raw`."""
        self._keep[key] = (raw, json.dumps(encode(ex), ensure_ascii=False, separators=(",", ":")))

    def save(self) -> Path:
        """Write the kept entries, sorted by content key, atomically; returns the path."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = [json.dumps(self.header(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))]
        lines.extend(f"{key}\t{raw}\t{_row_check(key, raw, row)}\t{row}" for key, (raw, row) in sorted(self._keep.items()))
        atomic_write(self.path, "\n".join(lines) + "\n")
        return self.path
