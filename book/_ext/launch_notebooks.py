"""Launch buttons that open the repository's notebooks, not the book's executed copies.

The book's chapters are ``book/NN_*.ipynb``: papermill's executed copies, built by
``scripts/build_book.py`` and not committed. sphinx-book-theme points its Colab and Binder
links at the page's own path, which would be a file missing from the repository. The
notebooks a reader should open are ``notebooks/NN_*.ipynb``; their first cell fetches and
installs the package when it is missing. This extension rewrites the launch links after the
theme has made them (``html-page-context``, theme at priority 501, this one at 502).
"""

from __future__ import annotations

import re
from typing import Any

#: ``book/NN_name.ipynb`` at the start of a path or after a ``/`` (Colab's ``blob/main/...``,
#: Binder's ``urlpath=lab/tree/...``); nothing else is touched.
_CHAPTER = re.compile(r"(^|/)book/(\d\d_[A-Za-z0-9_.-]+\.ipynb)(?=$|[?#&])")


def notebook_url(url: str) -> str:
    """The same link with a chapter's ``book/NN_x.ipynb`` replaced by ``notebooks/NN_x.ipynb``."""
    return _CHAPTER.sub(r"\1notebooks/\2", url)


def rewrite_buttons(buttons: list[dict[str, Any]]) -> None:
    """Rewrite, in place, the URLs of the launch group among a page's header buttons."""
    for group in buttons:
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            if isinstance(button.get("url"), str):
                button["url"] = notebook_url(button["url"])


def _on_page(app, pagename, templatename, context, doctree) -> None:
    rewrite_buttons(context.get("header_buttons", []))


def _download_on(app) -> None:
    # The theme's default, said explicitly: every chapter offers its executed .ipynb and .md.
    app.config.html_theme_options.setdefault("use_download_button", True)


def setup(app):
    app.connect("builder-inited", _download_on)
    app.connect("html-page-context", _on_page, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
