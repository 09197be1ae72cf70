"""scripts/check_fit.py: a page that needs a sideways scroll at a desktop width fails, a wide
box that scrolls with its cue passes at a phone width, and one without the cue fails."""

from __future__ import annotations

import shutil

import pytest
from repo_modules import load

pytestmark = pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                                reason="chromium is not installed (apt-get install chromium): check_fit.py measures with it")


def _check_fit():
    return load("scripts/check_fit.py")


def _page(tmp_path, body: str):
    (tmp_path / "book").mkdir(exist_ok=True)
    page = tmp_path / "book" / "page.html"
    page.write_text(f"<html><body><main>{body}</main></body></html>")
    return page


WIDE = "x" * 400


def test_a_page_that_fits_passes_and_one_that_does_not_fails(tmp_path):
    fit = _check_fit()
    narrow = fit.measure(_page(tmp_path, "<p>A short paragraph.</p>"), 1400)
    assert fit.verdict(narrow, 1400) == []
    wide = fit.measure(_page(tmp_path, '<div style="width:1600px">wide</div>'), 1400)
    bad = fit.verdict(wide, 1400)
    assert any("scrolls sideways" in b for b in bad) and any("sticks out" in b for b in bad)


def test_a_box_that_scrolls_needs_its_cue_on_a_phone_and_none_at_all_on_a_desktop(tmp_path):
    fit = _check_fit()
    cued = (f'<div class="x-scroll-frame x-scrolls"><pre style="overflow-x:auto;width:300px">{WIDE}</pre></div>')
    report = fit.measure(_page(tmp_path, cued), 390)
    assert len(report["scrolled"]) == 1 and fit.verdict(report, 390) == []
    assert any("scrolls inside its box" in b for b in fit.verdict(fit.measure(_page(tmp_path, cued), 1400), 1400))
    bare = f'<pre style="overflow-x:auto;width:300px">{WIDE}</pre>'
    assert any("without the cue" in b for b in fit.verdict(fit.measure(_page(tmp_path, bare), 390), 390))
