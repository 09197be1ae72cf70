"""An executed chapter is cleaned by build_book.finish (the function build_book.execute
calls): stderr noise and papermill's absolute paths go, stdout stays, and an output that
still names a path of this machine fails the build, naming the notebook and the cell."""

from __future__ import annotations

import json
import tempfile

import nbformat
import papermill as pm
import pytest
from repo_modules import load

from camulenet.book import notebook_outputs

CELLS = [
    ("code", "leak = False", ["parameters"]),
    ("code", "import sys, tempfile, warnings\n"
             "from tqdm import tqdm\n"
             "for _ in tqdm(range(3), desc='progress'):\n    pass\n"
             "warnings.warn('cache at ' + tempfile.gettempdir() + '/cache')\n"
             "print('stderr line', file=sys.stderr)\n"
             "print('the lesson: 42 clips')", []),
    ("code", "if leak:\n    print('data in', tempfile.gettempdir() + '/data')\n"
             "'data/features'", []),
]


def _build_book():
    return load("scripts/build_book.py")


def _executed(tmp_path, leak: bool):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src, metadata={"tags": tags}) for _, src, tags in CELLS]
    src = tmp_path / "tiny.ipynb"
    nbformat.write(nb, src)
    dst = tmp_path / f"tiny_leak_{leak}.ipynb"
    pm.execute_notebook(str(src), str(dst), parameters={"leak": leak}, kernel_name="python3",
                        progress_bar=False, log_output=False, cwd=str(tmp_path))
    return dst


def test_finish_drops_noise_and_keeps_the_lesson(tmp_path):
    dst = _executed(tmp_path, leak=False)
    before = json.dumps(nbformat.read(dst, as_version=4))
    assert "stderr" in before and tempfile.gettempdir() in before  # the noise was really there
    _build_book().finish(dst)
    nb = nbformat.read(dst, as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("name") == "stderr"]
    assert any("the lesson: 42 clips" in o.get("text", "") for o in outputs)
    assert any("data/features" in o.get("data", {}).get("text/plain", "") for o in outputs)
    assert nb.metadata.papermill.input_path == "tiny.ipynb"
    assert nb.metadata.papermill.output_path == dst.name
    assert "remove-cell" in next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])).metadata.tags
    assert tempfile.gettempdir() + "/" not in json.dumps(nb)


def test_finish_fails_on_a_path_of_this_machine(tmp_path):
    dst = _executed(tmp_path, leak=True)
    with pytest.raises(ValueError, match=r"tiny_leak_True\.ipynb(.|\n)*cell 3: .*/data"):
        _build_book().finish(dst)


def test_local_paths_ignores_base64_and_other_roots():
    nb = nbformat.v4.new_notebook()
    blob = "QUJD" * 40 + "/tmp" + "QUJD" * 40  # an embedded image that contains /tmp by chance
    nb.cells = [nbformat.v4.new_code_cell("x", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": f'<audio src="data:audio/wav;base64,{blob}">'}),
        nbformat.v4.new_output("stream", name="stdout", text="saved to /var/tmp/x and /tmpfoo\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "'/home/ann/data'"}, execution_count=1),
    ])]
    assert notebook_outputs.local_paths(nb, ["/tmp"]) == []
    assert [i for i, _ in notebook_outputs.local_paths(nb, ["/home/ann", "/tmp"])] == [0]
