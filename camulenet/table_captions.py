"""Captions that name the configuration behind a results table.

A table of scores means little without the corpus, profile, features, model, schedule,
folds and seed that made it; :meth:`camulenet.book.BookSettings.describe` gives that line
and :func:`captioned` puts it above the table, where it travels with every copy of the page.
"""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from camulenet.book import BookSettings, for_corpus

_CAPTION_STYLE = [{"selector": "caption",
                   "props": "caption-side: top; text-align: left; font-size: 0.85em; color: #555; "
                            "padding-bottom: 0.3em;"}]


def captioned(table: pd.DataFrame | Styler, caption: str) -> Styler:
    """``table`` (a frame, shown with three decimals, or an already formatted Styler) with
    ``caption`` above it."""
    styler = table if isinstance(table, Styler) else table.style.format(precision=3, na_rep="")
    return styler.set_caption(caption).set_table_styles(_CAPTION_STYLE, overwrite=False)


def corpora_caption(cfg: BookSettings, corpora, paper: bool = True) -> str:
    """One configuration line per corpus block (each corpus's own settings, as
    :func:`camulenet.book.for_corpus` keys them), and the paper's source when it has a block."""
    lines = [for_corpus(cfg, name).describe() for name in dict.fromkeys(corpora)]
    if paper:
        lines.append("paper: Table 1 of Goel et al. (2024), as printed")
    return " | ".join(lines)
