"""The book's features under the settings: extracted once, resumably, and keyed by what made them.

Features live under a key of the corpus, the Whisper weights (a name, or a checkpoint file's
identity), the Whisper mode, the mel/MFCC preset, the stored precision, the precision the
encoder computed in (fp16 on CUDA), the clip subset and the CPU code paths of the numeric
libraries (:mod:`camulenet.storage.numerics`).
A store made under other settings is never read back. Clips that cannot be read are
skipped and reported (``failures.csv``); training and evaluation use the rest.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from camulenet.config import BookSettings, is_checkpoint_path
from camulenet.data.folds import restrict_folds
from camulenet.features.store import FeatureStore
from camulenet.features.whisper_encoder import compute_precision
from camulenet.storage import numerics
from camulenet.storage.cache_keys import file_identity, keyed_dir
from camulenet.storage.ragged import Ragged

#: Feature names the book's systems read (see camulenet.features.extract).
BOOK_FEATURES = ("whisper", "whisper_mean", "mfcc", "mel")


def whisper_key(cfg: BookSettings):
    """The Whisper weights as they enter a cache key: a name, or a checkpoint file's identity."""
    return file_identity(cfg.whisper_model) if is_checkpoint_path(cfg.whisper_model) else cfg.whisper_model


def features_key(cfg: BookSettings, device=None) -> dict:
    """What the book's features are made under. ``device`` is the one that extracts (None:
    CUDA when present): the encoder computes in fp16 there and in fp32 on a CPU
    (``whisper_encoder.compute_precision``), so a store begun on one never continues on the
    other. fp32 stays out of the key, so stores made before it was recorded (all on CPU) keep theirs;
    so do the numeric libraries' native paths (the portable ones, the default, join it)."""
    key = {"corpus": cfg.corpus, "whisper": whisper_key(cfg), "whisper_mode": cfg.whisper_mode,
           "feature_preset": cfg.feature_preset, "dtype": "float16", "pooled": ["mean"],
           "subset": [cfg.max_clips, cfg.seed] if cfg.max_clips else None}
    precision = compute_precision(device)
    if precision != "fp32":
        key["whisper_precision"] = precision
    if numerics.key():
        key["numerics"] = numerics.key()
    return key


def features_root(cfg: BookSettings, device=None) -> Path:
    return keyed_dir(cfg.data_root / "features", f"{cfg.corpus}-{cfg.profile}", features_key(cfg, device))


def features_ready(cfg: BookSettings, manifest: pd.DataFrame, device=None) -> bool:
    """True when every clip has every book feature or is listed as unreadable: nothing left to extract."""
    store = FeatureStore(features_root(cfg, device))
    failed = set(store.failures()["utt_id"].astype(str)) if store.failures_path.exists() else set()
    ids = set(manifest["utt_id"].astype(str)) - failed
    return all(ids <= store.done_ids(name) for name in BOOK_FEATURES)


def ensure_features(cfg: BookSettings, manifest: pd.DataFrame, device=None,
                    progress: bool = True) -> dict[str, Ragged]:
    """Whisper frames, pooled Whisper, MFCC and mel for every readable clip (resumable extraction).

    Clips that could not be read (missing, corrupt, empty or silent) are skipped and reported:
    a warning names them and ``failures.csv`` lists each with its reason and a fix. Training
    and evaluation then use the remaining clips (:func:`with_features`).
    """
    # Extraction needs librosa (and openai-whisper for clips left); imported here so that
    # a module that only reads stored features does not need them.
    from camulenet.features.extract import extract_features

    root = features_root(cfg, device)
    # Every call: it checks the store's settings, retries clips that failed before (a file
    # since repaired joins) and skips every clip already done.
    extract_features(manifest, root, kinds=("whisper", "mfcc", "mel"), whisper_mode=cfg.whisper_mode,
                     whisper_model=cfg.whisper_model, preset=cfg.feature_preset, pooled=("mean",),
                     device=device, progress=progress)
    store = FeatureStore(root)
    failed = set(store.failures()["utt_id"]) & set(manifest["utt_id"].astype(str))  # failures.csv reads as str
    if failed:
        warnings.warn(f"{len(failed)} of {len(manifest)} clips could not be read and are left out "
                      f"(e.g. {sorted(failed)[:3]}); reasons and fixes: {store.failures_path}", stacklevel=2)
    ids = [u for u in manifest["utt_id"].astype(str) if u not in failed]
    return {name: store.load(name, ids=ids) for name in BOOK_FEATURES}


def readable(manifest: pd.DataFrame, features: dict[str, Ragged]) -> tuple[pd.DataFrame, list[str]]:
    """The manifest's clips that have every feature, and the utt_ids of those that do not."""
    have = set.intersection(*(set(map(str, f.ids)) for f in features.values()))
    keep = manifest["utt_id"].astype(str).isin(have)
    return manifest[keep].reset_index(drop=True), manifest.loc[~keep, "utt_id"].astype(str).tolist()


def with_features(manifest: pd.DataFrame, folds, features: dict[str, Ragged]):
    """The manifest and the folds restricted to clips that have every feature.

    Returns (manifest, list of (train, val, test) utt_id lists, dropped utt_ids); the folds'
    speakers are unchanged, only unreadable clips leave them.
    """
    readable_manifest, dropped = readable(manifest, features)
    return readable_manifest, restrict_folds(folds, set(readable_manifest["utt_id"].astype(str))), dropped
