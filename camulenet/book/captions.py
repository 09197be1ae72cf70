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


def source_groups(cfg: BookSettings, n_params: int, voices: list[str], paper_params: int) -> tuple[str, str, str]:
    """The two column groups of Table 1 beside the paper, named so that nobody reads one model
    on one kind of speech as the other: (header of ours, header of the paper's, a sentence that
    says what may be compared). ``n_params``: the parameters of the CAMuLeNet this build trained;
    ``voices``: what its corpora are (:func:`camulenet.book.corpus_text.voices`)."""
    kinds = " and ".join(dict.fromkeys(voices))
    ours = f"ours: profile {cfg.profile}, CAMuLeNet of {n_params / 1e6:.2f} M parameters, {kinds}"
    paper = f"paper: released CAMuLeNet of {paper_params / 1e6:.0f} M parameters (Whisper-Medium), recorded speech"
    if cfg.profile == "paper" and set(voices) == {"recorded speech"}:
        sentence = ("Both column groups come from the released model size on recorded speech: a block of ours "
                    "compares with the paper's block of the same corpus, trained under this book's folds and seed.")
    else:
        sentence = (f"**Not like for like.** The group *ours* is the {cfg.profile} profile's CAMuLeNet of "
                    f"{n_params / 1e6:.2f} M parameters trained on {kinds}; the group *paper* is the released model "
                    f"of {paper_params / 1e6:.0f} M parameters on recorded corpora. A number of one group says nothing "
                    f"about a number of the other: compare the gaps between rows within a group (next section).")
    return ours, paper, sentence
