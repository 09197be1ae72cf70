"""The book's steps, each cached on disk and safe to rerun.

Every notebook can run on its own: it asks for what it needs (corpus, folds, features,
results) and each ``ensure_*`` function either loads the finished artefact or makes it,
resuming where an interrupted run stopped. The settings come from
:func:`camulenet.book.settings` (full or smoke).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from camulenet.book import BookSettings
from camulenet.ragged import Ragged

#: Feature names the book's systems read (see camulenet.features.extract).
BOOK_FEATURES = ("whisper", "whisper_mean", "mfcc", "mel")


def corpus_root(cfg: BookSettings) -> Path:
    return cfg.data_root / "corpora" / cfg.corpus


def ensure_corpus(cfg: BookSettings) -> pd.DataFrame:
    """The manifest of the book's corpus; renders the synthetic corpus if it is not there."""
    from camulenet.corpora import load_corpus

    root = corpus_root(cfg)
    if cfg.corpus.startswith("synthetic"):
        import json

        from data_prep.synthetic.generate import generate_corpus

        meta = root / "corpus.json"
        if not (meta.exists() and json.loads(meta.read_text()).get("complete")):
            generate_corpus(root, size=cfg.corpus_size, seed=cfg.seed)  # resumes a partial run
        return load_corpus("synthetic", root, strict=True)
    return load_corpus(cfg.corpus, root, strict=False)


def folds_file(cfg: BookSettings) -> Path:
    return cfg.data_root / "folds" / f"{cfg.corpus}-k{cfg.n_folds}-seed{cfg.seed}.json"


def ensure_folds(cfg: BookSettings, manifest: pd.DataFrame):
    """Leave-speaker-out folds, made once from the seed and checked on every load."""
    from camulenet.folds import Folds, check_speaker_disjoint, make_folds

    path = folds_file(cfg)
    if path.exists():
        folds = Folds.from_json(path)
    else:
        folds = make_folds(manifest, n_folds=cfg.n_folds, seed=cfg.seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        folds.to_json(path)
    check_speaker_disjoint(folds, manifest)
    return folds


def features_root(cfg: BookSettings) -> Path:
    return cfg.data_root / "features" / f"{cfg.corpus}-{cfg.whisper_mode}-{cfg.feature_preset}"


def ensure_features(cfg: BookSettings, manifest: pd.DataFrame, device=None) -> dict[str, Ragged]:
    """Whisper frames, pooled Whisper, MFCC and mel for every clip (resumable extraction)."""
    from camulenet.features.extract import extract_features
    from camulenet.features.store import FeatureStore

    root = features_root(cfg)
    extract_features(manifest, root, kinds=("whisper", "mfcc", "mel"), whisper_mode=cfg.whisper_mode,
                     preset=cfg.feature_preset, pooled=("mean",), device=device)
    store = FeatureStore(root)
    failed = store.failures()
    if len(failed):
        raise RuntimeError(f"{len(failed)} clips failed feature extraction; see {root}/failures.csv")
    ids = list(manifest["utt_id"])
    return {name: store.load(name, ids=ids) for name in BOOK_FEATURES}


def runs_root(cfg: BookSettings) -> Path:
    return cfg.data_root / "runs" / f"{cfg.corpus}-k{cfg.n_folds}-seed{cfg.seed}"
