"""Does every page of the built book fit its window? Measured in headless Chromium, per width.

For each page and width this loads a copy of the page with a small script that reports, once
the page has laid out:

- ``page``: how far the page itself scrolls sideways (``scrollWidth`` beyond the window);
- ``scrolled``: the boxes (tables, code cells, outputs) whose content is wider than the box,
  so the reader scrolls them sideways, and whether each shows the cue that says so (the
  shade and line of ``_static/scroll-cue.js``);
- ``sticking_out``: visible elements whose right edge passes the window's.

At a desktop width (>= 1000 px) any of them fails the page: nothing should need a sideways
scroll. At a phone width the page must not scroll and nothing may stick out, but a wide table
or cell may scroll inside its box when it shows the cue. Usage:

    python scripts/check_fit.py [--html _build/html] [--width 1400,390] [pages ...]

Prints one line per page and width, and the offending boxes; exits 1 when a page fails.
Needs Debian's chromium (apt-get install chromium), as scripts/render_pages.py does.
"""

from __future__ import annotations

import argparse
import html as html_lib
import json
import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from render_pages import chromium  # noqa: E402

#: Widths from this one up are desktop widths, where no box may scroll sideways.
DESKTOP = 1000
REPORT_ID = "camulenet-fit-report"

PROBE = """
<script>
window.addEventListener("load", () => setTimeout(() => {
  const W = window.innerWidth, out = {page: document.documentElement.scrollWidth - W, scrolled: [], sticking_out: []};
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).slice(0, 2).join(".") : "");
  const text = el => (el.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 70);
  const root = document.querySelector("main") || document.body;
  for (const el of root.querySelectorAll("*")) {
    const st = getComputedStyle(el);
    if (st.display === "none" || st.visibility === "hidden" || el.closest("details:not([open])")) continue;
    if (["auto", "scroll"].includes(st.overflowX) && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
      out.scrolled.push({box: name(el), content: el.scrollWidth, width: el.clientWidth, text: text(el),
                         cue: !!el.closest(".x-scroll-frame.x-scrolls")});
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > W + 1 && !el.closest("[data-fit-scrolls]") && !hasScroller(el))
      out.sticking_out.push({box: name(el), right: Math.round(r.right), text: text(el)});
  }
  function hasScroller(el) {  // inside a box that scrolls it: not sticking out of the page
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  }
  const pre = document.createElement("pre");
  pre.id = "%s";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}, 300));
</script>
""" % REPORT_ID


def measure(page: Path, width: int, height: int = 900) -> dict:
    """The probe's report for ``page`` at ``width`` px (a copy with the probe beside the page,
    so that its relative links, styles and scripts load as they do for a reader)."""
    source = page.read_text()
    probed = source.replace("</body>", PROBE + "</body>", 1)
    with tempfile.NamedTemporaryFile("w", suffix=".html", dir=page.parent, delete=False) as f:
        f.write(probed)
        copy = Path(f.name)
    try:
        dom = chromium([f"--window-size={width},{height}", "--virtual-time-budget=8000", "--dump-dom"], copy.as_uri())
    finally:
        copy.unlink()
    found = re.search(rf'<pre id="{REPORT_ID}"[^>]*>(.*?)</pre>', dom, re.DOTALL)
    if not found:
        raise RuntimeError(f"{page}: the probe left no report (did the page load?)")
    return json.loads(html_lib.unescape(found.group(1)))


def verdict(report: dict, width: int) -> list[str]:
    """What fails the page at this width (empty: it fits)."""
    bad = []
    if report["page"] > 1:
        bad.append(f"the page scrolls sideways by {report['page']} px")
    bad += [f"sticks out to {s['right']} px: {s['box']} {s['text']!r}" for s in report["sticking_out"]]
    if width >= DESKTOP:
        bad += [f"scrolls inside its box ({s['content']} px in {s['width']} px): {s['box']} {s['text']!r}"
                for s in report["scrolled"]]
    else:
        bad += [f"scrolls without the cue ({s['content']} px in {s['width']} px): {s['box']} {s['text']!r}"
                for s in report["scrolled"] if not s["cue"]]
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--html", default=str(REPO / "_build" / "html"))
    ap.add_argument("--width", default="1400,390", type=lambda v: [int(w) for w in v.split(",")])
    ap.add_argument("pages", nargs="*", help="page names under <html>/book (default: all)")
    args = ap.parse_args()
    html = Path(args.html)
    pages = [html / "book" / f"{p}.html" for p in args.pages] or sorted((html / "book").glob("*.html"))
    failed = 0
    for page in pages:
        for width in args.width:
            report = measure(page, width)
            bad = verdict(report, width)
            scrolls = len(report["scrolled"])
            print(f"{page.stem} @ {width} px: " + ("FAILS" if bad else "fits")
                  + (f" ({scrolls} box(es) scroll inside)" if scrolls and width < DESKTOP else ""))
            for line in bad:
                print("   ", line)
            failed += bool(bad)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
