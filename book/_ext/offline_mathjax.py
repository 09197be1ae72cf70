"""MathJax served from the book itself, so that formulas render on a machine without internet.

Sphinx loads MathJax from a CDN by default: offline (a reader on a train, this project's
build machines, ``make pdf`` in headless Chromium) every formula then shows as raw TeX.
The ``sphinx-mathjax-offline`` package (PyPI, a pinned dependency) ships MathJax 3.2.2; this
extension copies the parts the pages use into ``_static/mathjax`` when the build finishes:
the combined TeX + MathML input, CommonHTML output component (``_config.yml`` points
``mathjax_path`` at it), the fonts it loads, the TeX extensions it autoloads, the menu and the
assistive MathML. The speech-rule engine of the accessibility explorer (4 MB) is left out.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sphinx.util.fileutil import copy_asset

#: The package's folder name (a hyphenated name, importable only by path).
PACKAGE = "sphinx-mathjax-offline"
#: What the pages load, relative to the package's static/mathjax folder.
PARTS = ("tex-mml-chtml.js", "output/chtml", "input/tex/extensions", "ui", "a11y", "adaptors")
#: ``mathjax_path`` in _config.yml, relative to _static.
ENTRY = "mathjax/tex-mml-chtml.js"


def mathjax_source() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{PACKAGE} is not installed: `make setup` installs it (requirements.lock); "
                           f"without it the book's formulas need a CDN")
    return Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax"


def copy_mathjax(app, exc) -> None:
    if exc is not None or app.builder.format != "html":
        return
    source, target = mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    for part in PARTS:
        src = source / part
        dst = target / part
        if src.is_dir():
            copy_asset(str(src), str(dst))
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(src.read_bytes())


def check_path(app, config) -> None:
    if config.mathjax_path != ENTRY:
        raise RuntimeError(f"mathjax_path is {config.mathjax_path!r}; _config.yml must set it to {ENTRY!r}, "
                           "the copy this extension serves")
    mathjax_source()  # fails early, with the fix, when the package is missing


def setup(app):
    app.connect("config-inited", check_path)
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
