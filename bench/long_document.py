"""Does one long document cost what its length says? (issue 13: a 990k-character file)

Writes the benchmark archive's articles (People's Daily, January 1998; made by
``bench/make_corpus.py`` when missing) into one file of about 985,000 characters,
and the same articles into 16 files, then times ``kg build -j1`` of each in a fresh
process and prints wall time, peak RSS (the process's ``ru_maxrss``) and the ratio.

Usage::

    python bench/long_document.py [--corpus DIR] [--work DIR] [--chars 985000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def write_inputs(corpus: Path, work: Path, chars: int) -> tuple[Path, Path]:
    """One file of whole articles up to `chars` characters, and the same articles in 16 files."""
    articles: list[str] = []
    total = 0
    for path in sorted(corpus.rglob("*.txt")):
        text = path.read_text(encoding="utf-8").strip() + "\n"
        if total + len(text) > chars:
            break
        articles.append(text)
        total += len(text)
    one, split = work / "one", work / "split"
    one.mkdir(parents=True, exist_ok=True)
    split.mkdir(parents=True, exist_ok=True)
    (one / "archive.txt").write_text("".join(articles), encoding="utf-8")
    k = -(-len(articles) // 16)
    for i in range(16):
        (split / f"part{i:02d}.txt").write_text("".join(articles[i * k : (i + 1) * k]), encoding="utf-8")
    print(f"{total:,} characters: {len(articles)} articles in one file, and in 16 files")
    return one, split


#: Runs ``kg build`` in this process and prints its own peak RSS (KiB) last, on stderr.
_BUILD_AND_REPORT = (
    "import resource, sys\n"
    "from kg.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "finally:\n"
    "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
)


def timed_build(inputs: Path, outdir: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of ``kg build inputs -o outdir -j 1`` in a fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _BUILD_AND_REPORT, "build", str(inputs), "-o", str(outdir), "-j", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seconds = time.perf_counter() - t0
    if proc.returncode:
        sys.exit(f"kg build {inputs} failed:\n{proc.stderr}")
    return seconds, int(proc.stderr.split()[-1]) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=HERE / "corpus" / "pd199801")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--chars", type=int, default=985_000)
    args = ap.parse_args()
    if not args.corpus.is_dir():
        subprocess.run([sys.executable, str(HERE / "make_corpus.py")], check=True)
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-long-"))
    one, split = write_inputs(args.corpus, work, args.chars)
    t_split, rss_split = timed_build(split, work / "out_split")
    t_one, rss_one = timed_build(one, work / "out_one")
    print(f"16 files: {t_split:6.1f} s, peak RSS {rss_split:,.0f} MiB")
    print(f"one file: {t_one:6.1f} s, peak RSS {rss_one:,.0f} MiB")
    print(f"ratio one / 16: {t_one / t_split:.2f}x")


if __name__ == "__main__":
    main()
