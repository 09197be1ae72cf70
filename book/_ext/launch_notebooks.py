"""The book's links to its code: one repository URL, and launch buttons that open the
repository's notebooks, not the book's executed copies.

The repository comes from :func:`camulenet.book.repository.resolve` (``$CAMULENET_REPOSITORY``,
else the git remote ``origin`` of the checkout being built). With one, the pages get the
repository and issue buttons and, on GitHub, Colab and Binder buttons; with none, they get
none of these, and the first pages say how to get them (the ``get_the_code`` substitution).
Every page's footer names the package version and the licences.

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

from sphinx.util import logging

from camulenet import __version__
from camulenet.book import repository

LOGGER = logging.getLogger(__name__)

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


def configure(config, url: str | None) -> None:
    """Point the theme, the pages' ``get_the_code`` substitution and the footer at ``url``
    (or at no repository)."""
    options = config.html_theme_options
    options.update(repository.theme_options(url, options.get("launch_buttons") or {}))
    options["extra_footer"] = repository.footer_html(__version__, url)
    # The theme's default, said explicitly: every chapter offers its executed .ipynb and .md.
    options.setdefault("use_download_button", True)
    substitutions = dict(config.myst_substitutions or {})
    substitutions["get_the_code"] = repository.code_paragraph(url)
    config.myst_substitutions = substitutions


def _on_config(app, config) -> None:
    url = repository.resolve(app.srcdir)
    configure(config, url)
    LOGGER.info(f"repository: {url or 'none (no launch, repository or issue buttons)'}")


def _on_page(app, pagename, templatename, context, doctree) -> None:
    rewrite_buttons(context.get("header_buttons", []))


def setup(app):
    app.connect("config-inited", _on_config)
    app.connect("html-page-context", _on_page, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.1"}
