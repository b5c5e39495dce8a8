"""Make the benchmark archive: People's Daily, January 1998, one article per file.

The source is the PKU/PFR segmented and POS-tagged corpus
(``shared/data/peoples_daily/199801.utf8.txt``, see its SOURCE.md). Each line
is one paragraph: a line id ``19980101-01-001-001/m`` (date-page-article-
sentence), then ``word/POS`` tokens, with compound names bracketed
(``[中国/ns 政府/n]nt``). An article is every line whose id starts with the
same ``date-page-article`` prefix; its text is the words of each line joined
without spaces (POS tags and brackets stripped), one paragraph per line.

The articles go to ``OUT/pd199801/<id>.txt`` (3,148 files, about 1.8 M
characters) and the five seeds to ``OUT/seeds/``. ``--regional`` writes instead the
794 county and city news items of ``shared/data/regional_news`` to
``OUT/<id>.txt`` (the genre kg serves; 482,780 characters). The same source always gives
the same bytes. The corpus is research data: never commit it (the default
``bench/corpus/`` is git-ignored through ``bench/.gitignore``).

Usage::

    python bench/make_corpus.py [--source FILE] [--seeds DIR] [OUT]   # default OUT: bench/corpus
    python bench/make_corpus.py --regional [--source FILE] OUT
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "peoples_daily" / "199801.utf8.txt"
DEFAULT_OUT = REPO / "bench" / "corpus"
DEFAULT_REGIONAL = REPO.parent / "shared" / "data" / "regional_news" / "regional_news.jsonl"

_LINE_ID = re.compile(r"^(\d{8}-\d{2}-\d{3})-\d{3}/m$")
_TOKEN = re.compile(r"^\[?(.+?)/[A-Za-z]+(?:\][A-Za-z]+)?$")


def words_of(tokens: list[str]) -> str:
    """``[中央/n 电视台/n]nt`` -> ``中央电视台``: tags and brackets dropped, words joined."""
    out = []
    for tok in tokens:
        m = _TOKEN.match(tok)
        out.append(m[1] if m else tok)
    return "".join(out)


def articles(source: Path) -> Iterator[tuple[str, list[str]]]:
    """(article id, paragraphs) in file order."""
    current: str | None = None
    paragraphs: list[str] = []
    with source.open(encoding="utf-8") as fh:
        for line in fh:
            tokens = line.split()
            if not tokens:
                continue
            m = _LINE_ID.match(tokens[0])
            if not m:
                raise ValueError(f"{source}: line without an id: {line[:60]!r}")
            if m[1] != current:
                if current is not None and paragraphs:
                    yield current, paragraphs
                current, paragraphs = m[1], []
            text = words_of(tokens[1:])
            if text:
                paragraphs.append(text)
    if current is not None and paragraphs:
        yield current, paragraphs


def make_corpus(out: Path, source: Path = DEFAULT_SOURCE, seeds: Path = REPO / "seeds") -> tuple[int, int]:
    """Write the archive under ``out`` (replacing an earlier one); returns (files, characters)."""
    pd = out / "pd199801"
    if pd.exists():
        shutil.rmtree(pd)
    pd.mkdir(parents=True)
    files = chars = 0
    for article_id, paragraphs in articles(source):
        text = "\n".join(paragraphs) + "\n"
        (pd / f"{article_id}.txt").write_text(text, encoding="utf-8")
        files += 1
        chars += len(text)
    seed_out = out / "seeds"
    if seed_out.exists():
        shutil.rmtree(seed_out)
    seed_out.mkdir()
    for path in sorted(seeds.glob("*.txt")):
        shutil.copyfile(path, seed_out / path.name)
        files += 1
        chars += len(path.read_text(encoding="utf-8"))
    return files, chars


def make_regional(out: Path, source: Path = DEFAULT_REGIONAL) -> tuple[int, int]:
    """Write each regional news item as ``out/<id>.txt`` (replacing the folder); returns (files, characters)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    files = chars = 0
    with source.open(encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            (out / f"{item['id']}.txt").write_text(item["text"], encoding="utf-8")
            files += 1
            chars += len(item["text"])
    return files, chars


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--source", type=Path, help=f"default {DEFAULT_SOURCE} ({DEFAULT_REGIONAL} with --regional)")
    ap.add_argument("--seeds", type=Path, default=REPO / "seeds")
    ap.add_argument("--regional", action="store_true", help="write the regional news items instead")
    args = ap.parse_args(argv)
    source = args.source or (DEFAULT_REGIONAL if args.regional else DEFAULT_SOURCE)
    if not source.is_file():
        print(f"source corpus not found: {source}", file=sys.stderr)
        return 1
    if args.regional:
        files, chars = make_regional(args.out, source)
    else:
        files, chars = make_corpus(args.out, source, args.seeds)
    print(f"{files} files, {chars:,} characters in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
