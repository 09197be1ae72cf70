"""Clean an executed notebook before it becomes a page and a download.

The executed copies in ``book/`` are what a reader sees and what the page's ".ipynb" button
serves, so they must carry the lesson and nothing of the machine that built them: progress
bars and warnings (stderr) are noise, and absolute paths of the build machine (the
repository, ``$HOME``, the temp dir) leak where and by whom a book was built and make two
builds differ. :func:`clean` drops stderr and makes papermill's paths relative;
:func:`local_paths` finds what is left, so the build can fail loudly instead of publishing it.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import nbformat

#: Long runs of base64 (embedded images, audio players) are skipped: a path such as ``/tmp``
#: can appear in them by chance; a real path has separators base64 never holds ('-', '_', '.').
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]{100,}")
#: Outputs whose text a reader sees or downloads; images are binary and skipped.
_TEXT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")


def machine_roots(repo: Path) -> list[str]:
    """Absolute paths that must not appear in a published notebook: the repository, ``$HOME``
    and the temp dir, each as given and resolved (symbolic links differ), longest first."""
    roots = {str(repo), str(Path(repo).resolve()), tempfile.gettempdir(),
             str(Path(tempfile.gettempdir()).resolve())}
    home = os.environ.get("HOME", "")
    if home:
        roots |= {home, str(Path(home).resolve())}
    return sorted((r.rstrip("/") for r in roots if len(r.rstrip("/")) > 1), key=len, reverse=True)


def _relative(path: str, repo: Path) -> str:
    """``path`` relative to the repository, or only its file name when it lies outside."""
    p = Path(path)
    for base in (Path(repo), Path(repo).resolve()):
        try:
            return p.relative_to(base).as_posix()
        except ValueError:
            continue
    return p.name


def clean(nb: nbformat.NotebookNode, repo: Path) -> nbformat.NotebookNode:
    """Drop stderr stream outputs (progress bars, warnings), hide papermill's
    injected-parameters cell from the page (``remove-cell``) and make papermill's
    ``input_path``/``output_path`` relative to ``repo``; stdout, results and figures stay."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.output_type == "stream" and o.get("name") == "stderr")]
        tags = cell.metadata.setdefault("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
    papermill = nb.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):
        if papermill.get(key):
            papermill[key] = _relative(papermill[key], repo)
    return nb


def _output_texts(output) -> list[str]:
    if output.output_type == "stream":
        return [output.get("text", "")]
    if output.output_type == "error":
        return [output.get("evalue", ""), *output.get("traceback", [])]
    data = output.get("data", {})
    return [v if isinstance(v, str) else "".join(v) if isinstance(v, list) else str(v)
            for mime, v in data.items() if mime in _TEXT_MIMES]


def local_paths(nb: nbformat.NotebookNode, roots: list[str]) -> list[tuple[int, str]]:
    """(cell index, offending text) for every output that names one of ``roots``
    (as a whole path component: ``/tmpfoo`` is not ``/tmp``)."""
    pattern = re.compile(r"(?<![\w.-])(" + "|".join(re.escape(r) for r in roots) + r")(?=[/\\'\"\s<:,)]|$)")
    found = []
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            for text in _output_texts(output):
                text = _BASE64_RUN.sub("", text)
                m = pattern.search(text)
                if m:
                    line = text[max(0, m.start() - 40): m.end() + 60].replace("\n", " ")
                    found.append((i, line))
    papermill = nb.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):
        if pattern.search(str(papermill.get(key, ""))):
            found.append((-1, f"papermill {key}: {papermill[key]}"))
    return found


def clean_file(path: Path, repo: Path) -> None:
    """Clean the executed notebook at ``path`` in place; raise ``ValueError`` naming the
    notebook and each cell whose output still holds a path of this machine."""
    nb = clean(nbformat.read(path, as_version=4), repo)
    nbformat.write(nb, path)
    leaks = local_paths(nb, machine_roots(repo))
    if leaks:
        where = "\n".join(f"  cell {i}: ...{line}..." if i >= 0 else f"  {line}" for i, line in leaks)
        raise ValueError(f"{Path(path).name}: outputs name paths of this machine "
                         f"(repository, $HOME or temp dir); print them relative or not at all:\n{where}")
