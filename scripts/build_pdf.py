"""A PDF of the whole book, offline: every page of the HTML book printed by Debian's
Chromium with the book's print stylesheet (_static/custom.css: no sidebars or buttons,
tables shrunk to the page, hidden solutions opened), then joined in table-of-contents
order with pdfunite (poppler-utils).

Why not Jupyter Book's own routes: ``--builder pdflatex`` needs TeX Live (gigabytes),
``--builder pdfhtml`` downloads a Chromium through pyppeteer (fails offline), and the
``singlehtml`` builder stops on this book (sphinx-jupyterbook-latex leaves a
HiddenCellNode the HTML writer cannot render).

Usage: python scripts/build_pdf.py [--out _build/pdf/camulenet-book.pdf]
It prints the executed notebooks in book/ (run ``make book`` first); it does not execute.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import render_pages  # noqa: E402  (same directory: the Chromium flags and the print call)


class PdfError(RuntimeError):
    """Why no PDF was made."""


def has_devanagari_font() -> bool:
    """fontconfig knows a font for Hindi (what chromium falls back to for Devanagari)."""
    if not shutil.which("fc-list"):
        return False
    return bool(subprocess.run(["fc-list", ":lang=hi"], capture_output=True, text=True).stdout.strip())


def ensure_tools() -> None:
    """chromium and pdfunite, installed with apt when missing and we are root on Debian;
    otherwise a clear error saying what to install."""
    missing = [pkg for tool, pkg in (("chromium", "chromium"), ("pdfunite", "poppler-utils"))
               if not shutil.which(tool) and not (tool == "chromium" and shutil.which("chromium-browser"))]
    # Hindi captions (the synthetic corpus and BhavVani) print as empty boxes without a
    # Devanagari font; it is small, so it comes along whenever apt can install it.
    fonts = [] if has_devanagari_font() else ["fonts-lohit-deva"]
    can_apt = os.geteuid() == 0 and Path("/etc/debian_version").exists() and shutil.which("apt-get")
    if can_apt and (missing or fonts):
        print(f"== apt-get install -y {' '.join(missing + fonts)}", flush=True)
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *missing, *fonts], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        return
    if fonts:
        print("note: no Devanagari font (e.g. apt-get install fonts-lohit-deva): Hindi text prints as boxes")
    if not missing:
        return
    raise PdfError(f"make pdf needs {' and '.join(missing)}: install them, e.g. "
                   f"sudo apt-get install {' '.join(missing)} (Debian/Ubuntu)")


def toc_pages(src: Path) -> list[str]:
    """Document names (``book/02_data``) in the order of ``_toc.yml``: root, then every
    chapter and section of every part."""
    toc = yaml.safe_load((Path(src) / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", [{"chapters": toc.get("chapters")}]):
        walk(part.get("chapters"))
    return [re.sub(r"\.(md|ipynb)$", "", p) for p in pages]


def check_executed(src: Path, pages: list[str]) -> None:
    """Every notebook chapter of the table of contents must be executed into book/ already."""
    notebooks = Path(src) / "notebooks"
    missing = [p for p in pages if (notebooks / f"{Path(p).name}.ipynb").exists()
               and not (Path(src) / f"{p}.ipynb").exists()]
    if missing:
        raise PdfError(f"{', '.join(missing)}.ipynb not executed yet: run make book first")
    absent = [p for p in pages if not any((Path(src) / f"{p}{ext}").exists() for ext in (".md", ".ipynb"))]
    if absent:
        raise PdfError(f"no source for {', '.join(absent)} (listed in _toc.yml): run make book first")


def build_html(src: Path) -> Path:
    """The HTML book (the same build as make book-html, incremental)."""
    jb = Path(sys.executable).parent / "jupyter-book"
    subprocess.run([str(jb) if jb.exists() else "jupyter-book", "build", str(src), "--warningiserror",
                    "--builder", "html"],
                   check=True, cwd=src, stdout=subprocess.DEVNULL)
    return Path(src) / "_build" / "html"


def page_count(pdf: Path) -> int:
    """Pages of ``pdf`` (pdfinfo from poppler-utils)."""
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def build_pdf(src: Path = REPO, out: Path | None = None) -> Path:
    """Build the HTML of the Jupyter Book at ``src``, print each page of its table of
    contents and join them into ``out`` (default ``<src>/_build/pdf/camulenet-book.pdf``)."""
    src = Path(src).resolve()
    out = Path(out or src / "_build" / "pdf" / "camulenet-book.pdf")
    pages = toc_pages(src)
    check_executed(src, pages)
    ensure_tools()
    t0 = time.perf_counter()
    html = build_html(src)
    formulas = 0
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for i, page in enumerate(pages):
            path = html / f"{page}.html"
            text = path.read_text(errors="replace")
            if re.search(r'src="https?://[^"]*mathjax', text):  # the book's own copy is local (book/_ext)
                formulas += len(re.findall(r'class="math[ "]', text))
            parts.append(render_pages.print_pdf(path.as_uri(), Path(tmp) / f"{i:03d}.pdf"))
            print(f"   printed {page}", flush=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        if len(parts) == 1:
            shutil.copyfile(parts[0], out)
        else:
            subprocess.run(["pdfunite", *map(str, parts), str(out)], check=True)
    print(f"PDF: {out} ({page_count(out)} pages from {len(pages)} pages of HTML, "
          f"{time.perf_counter() - t0:.0f} s)")
    if formulas:
        print(f"Note: {formulas} formulas are typeset by MathJax, which this HTML loads from a CDN; "
              "offline they print as their TeX source (the book's _config.yml serves its own copy).")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(REPO / "_build" / "pdf" / "camulenet-book.pdf"))
    args = ap.parse_args()
    try:
        build_pdf(REPO, Path(args.out))
    except PdfError as err:
        sys.exit(f"make pdf: {err}")


if __name__ == "__main__":
    main()
