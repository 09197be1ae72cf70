"""make publish (scripts/publish.py) against a local bare repository as the remote, and
make pdf (scripts/build_pdf.py) on a tiny Jupyter Book the test writes."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
import sys

import nbformat
import pytest
from repo_modules import load

from camulenet.storage.paths import REPO_ROOT


def _script(name):
    return load(f"scripts/{name}.py")


def _git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def site(tmp_path):
    """A repository with a built book and a bare repository as its remote ``pages``."""
    repo, bare = tmp_path / "repo", tmp_path / "remote.git"
    _git("init", "-q", str(bare), "--bare", cwd=tmp_path)
    _git("init", "-q", str(repo), cwd=tmp_path)
    _git("remote", "add", "pages", str(bare), cwd=repo)
    html = repo / "_build" / "html"
    (html / "book").mkdir(parents=True)
    (html / "index.html").write_text("<html>the book</html>")
    (html / "book" / "01_paper.html").write_text("<html>chapter</html>")
    return repo, bare, html


def test_publish_pushes_the_html_to_gh_pages(site):
    repo, bare, html = site
    _script("publish").publish(html, remote="pages", repo=repo)
    tree = _git("ls-tree", "-r", "--name-only", "gh-pages", cwd=bare).split()
    assert {"index.html", ".nojekyll", "book/01_paper.html"} <= set(tree)
    assert _git("show", "gh-pages:index.html", cwd=bare) == "<html>the book</html>"


def test_publish_refuses_without_a_book_or_a_remote(site):
    repo, bare, html = site
    publish = _script("publish")
    with pytest.raises(publish.PublishError, match="no remote 'origin'.*PUBLISH_REMOTE"):
        publish.publish(html, remote="origin", repo=repo)
    (html / "index.html").unlink()
    with pytest.raises(publish.PublishError, match="run make book first"):
        publish.publish(html, remote="pages", repo=repo)
    assert "gh-pages" not in _git("branch", "--list", cwd=bare)


def test_publish_command_line_names_the_remote(site, monkeypatch):
    repo, bare, html = site
    done = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "publish.py"), "--html", str(html)],
                          cwd=repo, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "PUBLISH_REMOTE": "nowhere"})
    assert done.returncode != 0 and "no remote 'nowhere'" in done.stderr


def _tiny_book(root):
    """One markdown page and one executed notebook with a figure, as make book leaves them."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    (root / "book").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "_config.yml").write_text('title: "Tiny"\nexecute:\n  execute_notebooks: "off"\n'
                                      'exclude_patterns: ["notebooks/*", "_build/*", "book/_ext/*"]\n'
                                      'only_build_toc_files: true\n'
                                      'parse:\n  myst_enable_extensions: [dollarmath]\n'
                                      'sphinx:\n  config:\n    mathjax_path: mathjax/tex-mml-chtml.js\n'
                                      '  local_extensions:\n    offline_mathjax: book/_ext\n')
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/01_tiny\n")
    (root / "book" / "intro.md").write_text("# Tiny book\n\nA page of prose, with $\\sqrt{1/k}$ in it.\n")
    (root / "book" / "_ext").mkdir()
    shutil.copy(REPO_ROOT / "book" / "_ext" / "offline_mathjax.py", root / "book" / "_ext")
    shutil.copytree(REPO_ROOT / "_static", root / "_static")
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1, 2], [1, 0, 2])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# A chapter\n\nWith a figure."),
                nbformat.v4.new_code_cell("plot()", execution_count=1, outputs=[
                    nbformat.v4.new_output("display_data", data={
                        "image/png": base64.b64encode(buf.getvalue()).decode(), "text/plain": "<Figure>"})])]
    nbformat.write(nb, root / "notebooks" / "01_tiny.ipynb")
    nbformat.write(nb, root / "book" / "01_tiny.ipynb")
    return root


def test_pdf_refuses_without_executed_notebooks(tmp_path):
    root = _tiny_book(tmp_path / "tiny")
    (root / "book" / "01_tiny.ipynb").unlink()
    build_pdf = _script("build_pdf")
    with pytest.raises(build_pdf.PdfError, match="run make book first"):
        build_pdf.build_pdf(root)


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                    reason="chromium is not installed (apt-get install chromium): make pdf prints with it")
def test_pdf_of_a_tiny_book(tmp_path):
    root = _tiny_book(tmp_path / "tiny")
    build_pdf = _script("build_pdf")
    pdf = build_pdf.build_pdf(root, tmp_path / "out" / "tiny.pdf")
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    assert build_pdf.page_count(pdf) >= 2  # one page of prose, one chapter
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "A page of prose" in text and "With a figure" in text
    # the formula was typeset by the book's own MathJax (offline), not left as TeX
    assert "sqrt" not in text and (root / "_build" / "html" / "_static" / "mathjax" / "tex-mml-chtml.js").is_file()
    assert "cdn.jsdelivr" not in (root / "_build" / "html" / "book" / "intro.html").read_text()
    assert "Search" not in text  # the print stylesheet hid the web page's furniture
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) > 2  # header lines, then the figure
