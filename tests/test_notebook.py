"""notebooks/explore.ipynb runs top to bottom against a fresh build of the seeds.

Why: the notebook is documentation that executes; an API change or a graph
that no longer has the entities it asks about would otherwise only show when
someone opens it.  It runs in a real Jupyter kernel (nbclient + ipykernel, the
interpreter running the tests) with ``KG_OUTPUT`` pointing at the session's
seeds build, so the repository's own ``output/`` is neither needed nor touched.
The committed file must carry no outputs: they would make every rebuild a diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explore.ipynb"


def test_notebook_is_saved_without_outputs() -> None:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code
    for cell in code:
        assert cell.get("outputs") == [], "clear the notebook's outputs before committing"
        assert cell.get("execution_count") is None


def test_notebook_runs(seed_outdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (pip install -e '.[test]')")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (pip install -e '.[test]')")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed (pip install -e '.[test]')")
    pytest.importorskip("matplotlib", reason="matplotlib is not installed (pip install -e '.[test]')")
    pytest.importorskip("pandas", reason="pandas is not installed (pip install -e '.[test]')")

    monkeypatch.setenv("KG_OUTPUT", str(seed_outdir))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend captures the plots
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # kernel "python3" with argv "python ..." is started with this interpreter
    # (jupyter_client substitutes sys.executable), i.e. the venv running pytest.
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=60,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    text += "".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    assert str(seed_outdir) in text  # it read the fresh build, not ../output
    assert "韩亮" in text and "晋中市发展和改革委员会" in text
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2, "the two plots"
