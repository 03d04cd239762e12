"""notebooks/dekking.ipynb runs top to bottom against the demo database, in this venv's kernel."""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tests.conftest import url_string

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "dekking.ipynb"


def _outputs(nb, kind: str) -> list:
    return [
        o
        for cell in nb.cells
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
        if kind in o.get("data", {})
    ]


def test_dekking_notebook_runs(demo_url, monkeypatch, tmp_path):
    monkeypatch.setenv("SOCIALE_KAART_DATABASE_URL", url_string(demo_url))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # Not saved: proves the kernel is this interpreter (the venv's ipykernel).
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)"))
    NotebookClient(
        nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    errors = [
        o for cell in nb.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert errors == []
    assert nb.cells[-1].outputs[0]["text"].strip() == sys.executable
    tables = [o["data"]["text/html"] for o in _outputs(nb, "text/html")]
    assert any("<table" in t and "zin" in t for t in tables)
    assert _outputs(nb, "image/png"), "the notebook shows no map"
    text = "".join(o.get("text", "") for cell in nb.cells for o in cell.get("outputs", []))
    assert "buurten hebben een tekort" in text
