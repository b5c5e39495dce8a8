"""``kg build --engine dask``: extraction as a Dask map gives the local engine's bytes.

Why: an archive too big for one machine is extracted on a cluster and merged
here; the graph must be exactly the one a local build gives, and a worker
running another kg must refuse rather than mix in its own results. One
2-worker LocalCluster (processes) serves the module: the library engine on it,
the CLI pointed at its scheduler address, and the fingerprint check. Skipped
when dask.distributed is not installed (it is an optional dependency).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="dask.distributed not installed: pip install 'dask[distributed]' (optional)")

from click.testing import CliRunner  # noqa: E402
from generated import assert_same_outputs, write_generated_docs  # noqa: E402

import kg.cache  # noqa: E402
from kg.build import build  # noqa: E402
from kg.cli import main  # noqa: E402
from kg.engines import DaskEngine, EngineError  # noqa: E402


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskEngine]:
    with DaskEngine(2, batch_chars=3000) as engine:
        yield engine


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    root = tmp_path_factory.mktemp("dask_docs") / "articles"
    write_generated_docs(seeds_dir, root / "generated", 24, seed=2024)
    for p in seeds_dir.iterdir():
        (root / p.name).write_bytes(p.read_bytes())
    return root


@pytest.fixture(scope="module")
def local_out(docs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dask_local") / "out"
    build([docs], out)
    return out


def test_dask_engine_gives_the_local_bytes(cluster: DaskEngine, docs: Path, local_out: Path, tmp_path: Path) -> None:
    assert cluster.jobs == 2
    _, report = build([docs], tmp_path / "out", engine=cluster)
    assert report.documents == 29 and report.extracted == 29
    assert report.engine == "dask (local cluster), 2 worker threads"
    assert_same_outputs(tmp_path / "out", local_out)


def test_cli_with_a_scheduler_address(cluster: DaskEngine, docs: Path, local_out: Path, tmp_path: Path) -> None:
    """--scheduler implies --engine dask and leaves the cluster running."""
    address = cluster._client.scheduler.address
    result = CliRunner().invoke(main, ["build", os.fspath(docs), "-o", os.fspath(tmp_path / "out"), "--scheduler", address])
    assert result.exit_code == 0, result.output
    assert f"(dask ({address}), 2 worker threads)" in result.stdout
    assert_same_outputs(tmp_path / "out", local_out)
    assert cluster._client.status == "running"


def test_a_worker_with_another_kg_refuses(cluster: DaskEngine, docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg.cache, "fingerprint", lambda learned_ner=True: "f" * 64)
    with pytest.raises(EngineError, match="runs a different kg"):
        build([docs], tmp_path / "out", engine=cluster)
    assert not (tmp_path / "out").exists()


def test_an_unreachable_scheduler_is_one_clean_error(docs: Path, tmp_path: Path) -> None:
    import dask

    args = ["build", os.fspath(docs), "-o", os.fspath(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"]
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: cannot reach the Dask scheduler tcp://127.0.0.1:9")
