"""The .py (Jupytext percent) notebooks are the source; their .ipynb pairs must match."""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOURCES = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def _cells(nb) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(c.cell_type, c.source.strip(), tuple(sorted(c.metadata.get("tags", []))))
            for c in nb.cells]


def test_there_are_notebooks():
    assert len(SOURCES) >= 1, f"no notebooks found in {NOTEBOOKS}"


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_pair_in_sync(src: Path):
    ipynb = src.with_suffix(".ipynb")
    assert ipynb.exists(), f"{ipynb.name} missing: run `make sync`"
    py_cells, nb_cells = _cells(jupytext.read(src)), _cells(jupytext.read(ipynb))
    assert py_cells == nb_cells, f"{src.name} and {ipynb.name} differ: run `make sync`"


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_parameters_cell_and_kernel(src: Path):
    nb = jupytext.read(src)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, f"{src.name}: needs exactly one cell tagged 'parameters'"
    assert "smoke = False" in params[0].source, f"{src.name}: parameters cell must define smoke = False"
    assert nb.metadata["kernelspec"]["name"] == "python3", f"{src.name}: kernel must be python3 for papermill"
    assert not any(c.outputs for c in jupytext.read(src.with_suffix(".ipynb")).cells
                   if c.cell_type == "code"), f"{src.name}: commit the .ipynb without outputs"


def test_pair_mismatch_is_detected(tmp_path: Path):
    """The comparison itself must notice an edited cell."""
    src = SOURCES[0]
    nb = jupytext.read(src)
    nb.cells[-1].source += "\n# edited"
    jupytext.write(nb, tmp_path / "x.ipynb")
    assert _cells(jupytext.read(src)) != _cells(jupytext.read(tmp_path / "x.ipynb"))


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_every_chapter_takes_the_profile_and_data_chapters_every_route_option(src: Path):
    """papermill must see each option (a parameter it cannot parse is silently not injected)."""
    import papermill as pm

    declared = set(pm.inspect_notebook(str(src.with_suffix(".ipynb"))))
    assert {"smoke", "seed", "profile"} <= declared, f"{src.name}: parameters {sorted(declared)}"
    if "corpus" in declared:
        assert {"whisper", "fold_protocol"} <= declared, f"{src.name}: parameters {sorted(declared)}"
