"""Screenshot every page of the built book with headless Chromium (for a visual check).

Usage: python scripts/render_pages.py [--out build/screens] [--width 1280] [--height 4000]
Needs Debian's chromium (apt-get install chromium).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(REPO / "build" / "screens"))
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=4000)
    ap.add_argument("pages", nargs="*", help="page names under _build/html/book (default: all)")
    args = ap.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("chromium not found: apt-get install chromium")
    html = REPO / "_build" / "html"
    pages = [html / "book" / f"{p}.html" for p in args.pages] or sorted((html / "book").glob("*.html"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for page in pages:
        png = out / f"{page.stem}.png"
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                            "--no-first-run", "--disable-background-networking", "--disable-component-update",
                            "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars",
                            f"--window-size={args.width},{args.height}", f"--screenshot={png}",
                            page.as_uri()], check=True, capture_output=True, timeout=120)
        print(png)


if __name__ == "__main__":
    main()
