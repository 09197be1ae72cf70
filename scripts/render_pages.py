"""Screenshot (or print) every page of the built book with headless Chromium, for a visual check.

Usage:
    python scripts/render_pages.py [--html _build/html] [--out build/screens]
        [--width 1400,390] [--height 4000] [--pdf] [--pdf-pages 3] [pages ...]

``--width`` takes one width or several, comma-separated (a desktop and a phone, say): one PNG per page and width,
``<page>_<width>.png``. ``--pdf`` also prints each page to ``<page>.pdf`` with the print
stylesheet, and turns its first ``--pdf-pages`` pages into ``<page>_p<N>.png`` with
pdftoppm (poppler-utils) for a look. Needs Debian's chromium (apt-get install chromium).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


def find_chromium() -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("chromium not found: apt-get install chromium")
    return chromium


def chromium(args: list[str], url: str, timeout: int = 180) -> str:
    """Run headless Chromium once on ``url`` with its own throw-away profile; its standard
    output (the page's DOM under ``--dump-dom``)."""
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([find_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url],
                              check=True, capture_output=True, text=True, errors="replace",
                              timeout=timeout).stdout


def print_pdf(url: str, pdf: Path, timeout: int = 300) -> Path:
    """Print ``url`` to ``pdf`` with the book's print stylesheet (no browser header/footer);
    ``#print-all`` makes _static/print.js open every hidden solution first."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    chromium(["--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
              "--virtual-time-budget=10000", f"--print-to-pdf={pdf}"], url + "#print-all", timeout)
    return pdf


def pdf_to_png(pdf: Path, first: int, last: int, out_prefix: Path, dpi: int = 60) -> list[Path]:
    """Pages ``first``..``last`` of ``pdf`` as PNGs (pdftoppm from poppler-utils)."""
    if not shutil.which("pdftoppm"):
        raise SystemExit("pdftoppm not found: apt-get install poppler-utils")
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(first), "-l", str(last), str(pdf),
                    str(out_prefix)], check=True)
    return sorted(out_prefix.parent.glob(out_prefix.name + "-*.png"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--html", default=str(REPO / "_build" / "html"), help="built HTML book (default _build/html)")
    ap.add_argument("--out", default=str(REPO / "build" / "screens"))
    ap.add_argument("--width", default="1400,390", type=lambda v: [int(w) for w in v.split(",")],
                    help="window width(s) in px, comma-separated (default 1400,390)")
    ap.add_argument("--height", type=int, default=4000)
    ap.add_argument("--pdf", action="store_true", help="also print each page to PDF and look at its first pages")
    ap.add_argument("--pdf-pages", type=int, default=3, help="PDF pages per page to turn into PNGs")
    ap.add_argument("pages", nargs="*", help="page names under <html>/book (default: all)")
    args = ap.parse_args()
    html = Path(args.html)
    pages = [html / "book" / f"{p}.html" for p in args.pages] or sorted((html / "book").glob("*.html"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for page in pages:
        for width in args.width:
            png = out / f"{page.stem}_{width}.png"
            chromium([f"--window-size={width},{args.height}", f"--screenshot={png}"], page.as_uri())
            print(png)
        if args.pdf:
            pdf = print_pdf(page.as_uri(), out / f"{page.stem}.pdf")
            for png in pdf_to_png(pdf, 1, args.pdf_pages, out / f"{page.stem}_p"):
                print(png)


if __name__ == "__main__":
    main()
