"""Generated archives for the engine, cache and cluster tests (test_parallel, test_dask, test_update).

Why: those tests need more articles than the five seeds, made reproducibly from
the seeds' own paragraphs, and they all compare two builds' output files.
"""

from __future__ import annotations

import random
from pathlib import Path

from kg.build import OUTPUT_FILES
from kg.documents import Document, read_documents


def write_generated_docs(seeds_dir: Path, dest: Path, n: int, seed: int, name: str = "gen_{i:03d}.txt") -> Path:
    """`n` articles of 3-6 seed paragraphs each into `dest`, reproducibly for `seed`; some
    share paragraphs. File names follow `name` (formatted with `seed` and `i`)."""
    paragraphs = [p for d in read_documents([seeds_dir]) if isinstance(d, Document) for p in d.text.split("\n") if len(p) >= 30]
    rng = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = "\n".join(rng.sample(paragraphs, rng.randint(3, 6)))
        (dest / name.format(seed=seed, i=i)).write_text(body + "\n", encoding="utf-8")
    return dest


def assert_same_outputs(a: Path, b: Path) -> None:
    for name in OUTPUT_FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs between {a} and {b}"
