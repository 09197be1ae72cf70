"""Captions that name the configuration behind a results table.

A table of scores means little without the corpus, profile, features, model, schedule,
folds and seed that made it; :func:`settings_caption` gives that line
and :func:`captioned` puts it above the table, where it travels with every copy of the page.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from pandas.io.formats.style import Styler

from camulenet.config import BookSettings, for_corpus, is_checkpoint_path

_CAPTION_STYLE = [{"selector": "caption",
                   "props": "caption-side: top; text-align: left; font-size: 0.9em; "
                            "padding-bottom: 0.3em;"}]


def settings_caption(cfg: BookSettings) -> str:
    """One line naming what made a result (corpus, profile, features, model, schedule,
    folds, seed), for the caption of every results table; a checkpoint path shows only
    its file name, so no page carries a path of the machine that built it."""
    whisper = Path(cfg.whisper_model).name if is_checkpoint_path(cfg.whisper_model) else cfg.whisper_model
    epochs = ("the schedule's epochs" if cfg.max_epochs is None else
              f"at most {cfg.max_epochs} epoch{'' if cfg.max_epochs == 1 else 's'}")
    protocol = "leave-speaker-out" if cfg.fold_protocol == "speaker" else "leave-one-session-out"
    subset = f", {cfg.max_clips} clips" if cfg.max_clips else ""
    folds = f"{cfg.n_folds} folds {protocol}" + (f" (first {cfg.fold_limit} trained)" if cfg.fold_limit else "")
    return (f"{cfg.corpus}{subset} · profile {cfg.profile} · features {cfg.feature_preset} "
            f"(Whisper {whisper}, {cfg.whisper_mode}) · model {cfg.model} · "
            f"schedule {cfg.schedule}, {epochs} · {folds} · seed {cfg.seed}"
            + (" · smoke mode" if cfg.smoke else ""))


def captioned(table: pd.DataFrame | Styler, about, digits: int = 3) -> Styler:
    """``table`` for a page with the configuration that made it as its caption, so a table
    copied out of the book still says where it came from.

    ``about`` is the caption itself (a string) or the settings that made the table (one
    line of :func:`settings_caption` each; a list for a table with rows
    from several corpora). A bare frame shows its floats to ``digits`` decimals, small
    p-values with three significant digits instead of rounding to 0.00x, and missing cells
    as a dash; a Styler keeps its own formatting.
    """
    if isinstance(about, str):
        caption = about
    else:
        caption = "<br>".join(settings_caption(s) for s in (about if isinstance(about, (list, tuple)) else [about]))
    if isinstance(table, Styler):
        styler = table
    else:
        def number(v):
            return f"{v:.3g}" if 0 < abs(v) < 0.01 else f"{v:.{digits}f}"

        floats = [c for c in table.columns if pd.api.types.is_float_dtype(table[c])]
        styler = table.style.format(number, subset=floats, na_rep="–")
    return styler.set_caption(caption).set_table_styles(_CAPTION_STYLE, overwrite=False)


def corpora_caption(cfg: BookSettings, corpora, paper: bool = True) -> str:
    """One configuration line per corpus block (each corpus's own settings, as
    :func:`camulenet.config.for_corpus` keys them), and the paper's source when it has a block."""
    lines = [settings_caption(for_corpus(cfg, name)) for name in dict.fromkeys(corpora)]
    if paper:
        lines.append("paper: Table 1 of Goel et al. (2024), as printed")
    return " | ".join(lines)
