"""The ``kg`` command line: thin click commands over the library (kg.build, kg.evaluate)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from kg import __version__
from kg.documents import safe_id

DEFAULT_INPUT = Path("seeds")
DEFAULT_OUTPUT = Path("output")
# a Dask scheduler's address: [protocol://]host:port
SCHEDULER_RE = re.compile(r"(?:[a-z]+://)?[^\s:/]+:\d+")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


class _StdoutFailed(OSError):
    """Standard output could not be written (a full disk, a closed pipe)."""


class _GuardedStdout:
    """Standard output that tells its own write errors from every other OSError."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as e:
            raise _StdoutFailed(e.errno, e.strerror) from e

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as e:
            raise _StdoutFailed(e.errno, e.strerror) from e

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _Commands(click.Group):
    """kg's commands, with one clean line when standard output cannot be written
    (``kg build ... > /dev/full``, a closed pipe) instead of a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        sys.stdout = _GuardedStdout(sys.stdout)
        try:
            return super().main(*args, **kwargs)
        except _StdoutFailed as e:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the flush at exit must not fail again
            click.echo(f"Error: cannot write to standard output: {e.strerror or e}", err=True)
            sys.exit(1)
        finally:
            if isinstance(sys.stdout, _GuardedStdout):
                sys.stdout = sys.stdout._stream


@click.group(cls=_Commands)
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """kg: build a knowledge graph from Chinese regional-development news."""


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path())
@click.option(
    "-o",
    "--output",
    "outdir",
    type=click.Path(),
    default=os.fspath(DEFAULT_OUTPUT),
    show_default=True,
    help="Directory for graph.graphml, graph.html, entities.csv, relations.csv.",
)
@click.option(
    "--html-max-nodes",
    type=click.IntRange(min=0),
    default=1500,
    show_default=True,
    help="Show at most this many (most connected) entities in graph.html; 0 shows all. GraphML keeps all.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=None,
    help="Worker processes for extraction (0: one per CPU; default 1, with --engine dask one per CPU). The output is the same for every N.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: this machine (-j processes); dask: a Dask cluster (local, or --scheduler).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Address of a running Dask scheduler (tcp://host:8786); implies --engine dask.",
)
@click.option(
    "--update",
    is_flag=True,
    help="Incremental: reuse OUTDIR/.kg-cache for unchanged documents and refresh it (created on first use).",
)
@click.option(
    "--learned-ner/--no-learned-ner",
    default=True,
    show_default=True,
    help="The learned NER fills in people and organisations that no rule frames; without it, rules only and faster.",
)
@click.option(
    "--csv",
    "csv_style",
    type=click.Choice(["plain", "excel", "neo4j"]),
    default="plain",
    show_default=True,
    help="entities.csv and relations.csv: plain UTF-8; excel: with a BOM, so Excel opens Chinese right; "
    "neo4j: the headers neo4j-admin import reads (:ID, :START_ID, :END_ID, :TYPE, :LABEL).",
)
@click.option(
    "--follow-links",
    is_flag=True,
    help="Read what symbolic links inside an input folder point to outside it (by default skipped, with the reason).",
)
def build(
    inputs: tuple[str, ...],
    outdir: str | Path,
    html_max_nodes: int,
    jobs: int,
    engine: str,
    scheduler: str | None,
    update: bool,
    learned_ner: bool,
    csv_style: str,
    follow_links: bool,
) -> None:
    """Build the graph of INPUTS (files or directories of .txt/.md; default: seeds/)."""
    from kg.build import build as run_build
    from kg.build import check_writable
    from kg.documents import InputError
    from kg.engines import EngineError, ExtractionError

    # checked as typed: as a Path, '' would mean the current folder
    if any(not p for p in inputs):
        _fail("an input path is empty")
    if not outdir:
        _fail("the output path is empty (-o '')")
    outdir = Path(outdir)
    if scheduler and not SCHEDULER_RE.fullmatch(scheduler):
        _fail(f"--scheduler {scheduler!r} is not a Dask scheduler address (such as tcp://host:8786)")
    sources = [Path(p) for p in inputs] or [DEFAULT_INPUT]
    if scheduler:
        engine = "dask"
    if jobs is None:
        jobs = 0 if engine == "dask" else 1
    if outdir.exists() and not outdir.is_dir():
        _fail(f"output {outdir} exists and is not a directory")
    try:
        check_writable(outdir)
    except OSError as e:
        _fail(f"cannot write to {outdir}: {e.strerror or e}")
    bar = None
    shown = 0

    def progress(done: int, total: int) -> None:
        nonlocal bar, shown
        if total < 20:
            return
        if bar is None:
            bar = click.progressbar(length=total, label="documents", file=sys.stderr)
            bar.__enter__()
        bar.update(done - shown)
        shown = done

    try:
        _, report = run_build(
            sources,
            outdir,
            progress=progress,
            html_max_nodes=html_max_nodes,
            jobs=jobs,
            engine=engine,
            scheduler=scheduler,
            update=update,
            learned_ner=learned_ner,
            csv_style=csv_style,
            follow_links=follow_links,
        )
    except InputError as e:
        for s in getattr(e, "skipped", []):
            click.echo(f"warning: skipped {safe_id(os.fsdecode(s.path))}: {s.reason}", err=True)
        _fail(str(e))
    except (EngineError, ExtractionError) as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"{e.filename or outdir}: {e.strerror or e}")
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for s in report.skipped:
        click.echo(f"warning: skipped {safe_id(os.fsdecode(s.path))}: {s.reason}", err=True)
    if report.cache_note:
        click.echo(f"warning: cache in {outdir} not used ({report.cache_note}); all documents extracted", err=True)
    if report.cache_save_error:
        click.echo(f"warning: the cache could not be saved ({report.cache_save_error}); the next --update extracts again", err=True)
    # the plain serial build prints what it always printed; anything else says how it ran
    cached = f", {report.cached} from cache" if update else ""
    how = "" if report.engine == "local, 1 job" else f" ({report.engine})"
    click.echo(f"documents: {report.documents} read, {len(report.skipped)} skipped{cached}")
    click.echo("entities:  " + ", ".join(f"{t} {n}" for t, n in sorted(report.entities.items())))
    click.echo("relations: " + ", ".join(f"{t} {n}" for t, n in sorted(report.relations.items())))
    click.echo(f"time:      {report.seconds:.2f} s, {report.chars_per_second:,.0f} chars/s{how}")
    click.echo(f"output:    {outdir}/ ({', '.join(p.name for p in report.outputs)})")


@main.command()
@click.argument("args", nargs=-1, metavar="GRAPH GOLD_DIR | ner FILE")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--format", "fmt", default="msra", show_default=True, help="With 'ner': msra, cluener, bmes, pfr, conll or regional.")
@click.option("--source", type=click.Path(path_type=Path), help="With 'ner --format regional': the texts (regional_news.jsonl).")
@click.option("--dev", "dev_only", is_flag=True, help="With 'ner --format regional': only the held-out documents.")
@click.option("--pipeline", is_flag=True, help="With 'ner': score the entities the whole kg pipeline keeps, not the learned NER alone.")
@click.option("--learned-ner/--no-learned-ner", default=True, help="With 'ner --pipeline': with or without the learned NER.")
def evaluate(
    args: tuple[str, ...], as_json: bool, fmt: str, source: Path | None, dev_only: bool, pipeline: bool, learned_ner: bool
) -> None:
    """Score GRAPH (GraphML) against the gold files in GOLD_DIR, or, as
    `kg evaluate ner FILE --format F`, the learned NER on an annotated corpus file
    (per-label precision, recall and F1, then f1=<micro F1>); with --pipeline, the
    entities the whole pipeline keeps."""
    import json

    if len(args) == 2 and args[0] == "ner":
        _evaluate_ner(Path(args[1]), fmt, as_json, pipeline, learned_ner, source, dev_only)
        return
    if len(args) != 2:
        _fail("usage: kg evaluate GRAPH GOLD_DIR, or kg evaluate ner FILE --format FORMAT")
    graph, gold_dir = Path(args[0]), Path(args[1])
    from kg.evaluate import format_report, score

    if not graph.is_file():
        _fail(f"graph {graph} not found")
    if not gold_dir.is_dir() or not any(gold_dir.glob("*.json")):
        _fail(f"no gold files (*.json) in {gold_dir}")
    try:
        result = score(graph, gold_dir)
    except Exception as e:  # a malformed file of any kind: one line, no traceback
        _fail(f"cannot score {graph}: {e}")
    click.echo(json.dumps(result, ensure_ascii=False, indent=1) if as_json else format_report(result))


def _evaluate_ner(
    path: Path,
    fmt: str,
    as_json: bool,
    pipeline: bool = False,
    learned_ner: bool = True,
    source: Path | None = None,
    dev_only: bool = False,
) -> None:
    import json

    from kg.nlp.ner_eval import SCORED_LABELS, PipelineTagger, format_result
    from kg.nlp.ner_eval import evaluate as evaluate_ner

    if fmt not in SCORED_LABELS:
        _fail(f"unknown format {fmt!r}; expected one of {', '.join(SCORED_LABELS)}")
    if not path.is_file():
        _fail(f"corpus file {path} not found")
    if fmt == "regional" and (source is None or not source.is_file()):
        _fail("--format regional needs --source, the texts the stand-off records point into (regional_news.jsonl)")
    try:
        result = evaluate_ner(path, fmt, PipelineTagger(learned_ner) if pipeline else None, source, dev_only)
    except Exception as e:  # a malformed corpus file: one line, no traceback
        _fail(f"cannot evaluate {path}: {e}")
    click.echo(json.dumps(result, ensure_ascii=False, indent=1) if as_json else format_result(result))


if __name__ == "__main__":
    main()
