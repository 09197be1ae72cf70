"""A deliberately simple emotion baseline: is a corpus a meaningful benchmark?

Features are MFCC statistics (mean and std of 40 MFCCs and their deltas, plus
log-energy mean/std); the classifier is a standardised logistic regression. On a
useful speaker-independent benchmark it should beat chance on *held-out speakers*
yet stay clearly below the same model on a *speaker-mixed* split, where it can lean
on speaker identity.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import librosa
import numpy as np
import pandas as pd
import soundfile as sf
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tqdm.auto import tqdm

from camulenet.config import BookSettings
from camulenet.data.folds import fold_ids, restrict_folds
from camulenet.data.prepare import manifest_key
from camulenet.data.schema import emotion_order
from camulenet.evaluation.metrics import classification_metrics
from camulenet.storage import atomic, numerics

N_MFCC = 40
SAMPLE_RATE = 16000


def _load(path: str) -> np.ndarray:
    try:
        x, sr = sf.read(path, dtype="float32", always_2d=True)
    except Exception as exc:
        raise ValueError(f"cannot read audio {path}: {exc}") from exc
    x = x.mean(axis=1)
    if sr != SAMPLE_RATE:
        x = librosa.resample(x, orig_sr=sr, target_sr=SAMPLE_RATE)
    if len(x) < 400 or not np.any(x):
        raise ValueError(f"audio {path} is empty or silent; regenerate or drop it from the manifest")
    return x


def mfcc_stats(paths, root=None, progress: bool = False) -> np.ndarray:
    """(n_clips, 2 * (2 * N_MFCC + 1)) float32: mean/std of MFCCs, deltas, log-energy."""
    feats = []
    for p in tqdm(list(paths), desc="mfcc stats", unit="clip", disable=not progress):
        p = str(Path(root) / p) if root is not None and not Path(p).is_absolute() else str(p)
        x = _load(p)
        m = librosa.feature.mfcc(y=x, sr=SAMPLE_RATE, n_mfcc=N_MFCC, n_fft=512, hop_length=160)
        d = librosa.feature.delta(m, width=5)
        e = np.log(librosa.feature.rms(y=x, frame_length=512, hop_length=160) + 1e-6)
        f = np.vstack([m, d, e])
        feats.append(np.concatenate([f.mean(axis=1), f.std(axis=1)]))
    return np.asarray(feats, dtype=np.float32)


#: Name of this baseline when it joins the book's results tables.
REFERENCE_SYSTEM = "MFCC statistics + LR"


def _classifier(seed: int):
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.3, max_iter=2000, random_state=seed))


def _cv_accuracy(X, y, splits, seed: int) -> list[float]:
    accs = []
    for tr, te in splits:
        clf = _classifier(seed).fit(X[tr], y[tr])
        accs.append(float(np.mean(clf.predict(X[te]) == y[te])))
    return accs


def fold_results(features: np.ndarray, manifest: pd.DataFrame, folds, seed: int = 0) -> pd.DataFrame:
    """This baseline on the book's own leave-speaker-out folds, in the runner's tidy form
    (system, fold, metric, value): trained on each fold's training speakers, scored on its
    test speakers, so it sits in the same tables and paired tests as the neural systems.
    ``features`` are :func:`mfcc_stats` rows in manifest order."""
    X, y = np.asarray(features), manifest["emotion"].astype(str).to_numpy()
    if len(X) != len(y):
        raise ValueError(f"{len(X)} feature rows for {len(y)} manifest rows")
    pos = {u: i for i, u in enumerate(manifest["utt_id"].astype(str))}
    labels = emotion_order(y)
    rows = []
    for k, fold in enumerate(getattr(folds, "folds", folds)):
        train, _, test = fold_ids(fold)
        tr, te = [pos[u] for u in train], [pos[u] for u in test]
        m = classification_metrics(y[te], _classifier(seed).fit(X[tr], y[tr]).predict(X[te]), labels)
        values = {k2: m[k2] for k2 in ("wa", "ua", "weighted_f1", "macro_f1")}
        values.update({f"recall_{lab}": r for lab, r in m["recall"].items()})
        rows += [{"system": REFERENCE_SYSTEM, "fold": k, "metric": name, "value": float(v)} for name, v in values.items()]
    return pd.DataFrame(rows)


def sanity_check(manifest: pd.DataFrame, seed: int = 0, n_splits: int = 5, root=None,
                 features: np.ndarray | None = None) -> pd.DataFrame:
    """Emotion accuracy on held-out speakers vs a speaker-mixed split.

    Returns one row per split ("held-out speakers", "speaker-mixed") with columns
    accuracy (mean over folds), sd, chance (majority-class rate), n_folds. Paths may be
    relative when ``root`` is given; pass precomputed ``features`` to skip extraction.
    """
    for col in ("path", "speaker", "emotion"):
        if col not in manifest.columns:
            raise ValueError(f"manifest lacks column {col!r}")
    n_spk = manifest["speaker"].nunique()
    if n_spk < 2:
        raise ValueError("sanity_check needs at least 2 speakers for held-out-speaker folds")
    y = manifest["emotion"].to_numpy()
    groups = manifest["speaker"].to_numpy()
    X = mfcc_stats(manifest["path"], root=root) if features is None else np.asarray(features)
    k_groups = min(n_splits, n_spk)
    k_mixed = min(n_splits, int(pd.Series(y).value_counts().min()))
    if k_mixed < 2:
        raise ValueError("each emotion needs at least 2 clips for the speaker-mixed split")
    held = StratifiedGroupKFold(n_splits=k_groups, shuffle=True, random_state=seed).split(X, y, groups)
    mixed = StratifiedKFold(n_splits=k_mixed, shuffle=True, random_state=seed).split(X, y)
    chance = float(pd.Series(y).value_counts(normalize=True).max())
    rows = []
    for name, splits, k in (("held-out speakers", held, k_groups), ("speaker-mixed", mixed, k_mixed)):
        accs = _cv_accuracy(X, y, splits, seed)
        rows.append(dict(split=name, accuracy=float(np.mean(accs)), sd=float(np.std(accs)),
                         chance=chance, n_folds=k))
    return pd.DataFrame(rows).set_index("split")


def mfcc_statistics(cfg: BookSettings, manifest: pd.DataFrame) -> np.ndarray:
    """MFCC statistics of every clip (the simple baseline of chapters 2 and 6), cached as .npz.

    A clip that cannot be read gets a row of NaN and is named in a warning; the baseline
    leaves such rows out.
    """
    ids = np.asarray(manifest["utt_id"].astype(str), dtype=str)  # unicode, not object: loads without pickle
    paths = f"-{numerics.key()}" if numerics.key() else ""  # numpy's CPU code paths (storage.numerics)
    path = cfg.data_root / "features" / f"{cfg.corpus}-mfcc-stats-{manifest_key(manifest)}{paths}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as z:
            if np.array_equal(z["ids"], ids):
                return z["stats"]
    rows, bad = [], []
    for p in manifest["path"].astype(str):
        try:
            rows.append(mfcc_stats([p])[0])
        except ValueError as err:
            rows.append(None)
            bad.append(str(err))
    width = len(next((r for r in rows if r is not None), np.zeros(0)))
    stats = np.stack([np.full(width, np.nan, np.float32) if r is None else r for r in rows]).astype(np.float32)
    if bad:
        warnings.warn(f"{len(bad)} clips left out of the MFCC-statistics baseline: {bad[:3]}", stacklevel=2)
    atomic.write_bytes_with(path, lambda f: np.savez(f, stats=stats, ids=ids))
    return stats


def reference_results(cfg: BookSettings, manifest: pd.DataFrame, folds, transform=None) -> pd.DataFrame:
    """The MFCC-statistics + logistic-regression baseline on the book's folds (tidy results).
    ``transform(stats, manifest)`` may change the statistics of the readable clips first
    (e.g. per-speaker standardisation, chapter 9)."""
    stats = mfcc_statistics(cfg, manifest)
    ok = ~np.isnan(stats).any(axis=1)
    kept = manifest[ok].reset_index(drop=True)
    X = stats[ok] if transform is None else transform(stats[ok], kept)
    return fold_results(X, kept, restrict_folds(folds, set(kept["utt_id"].astype(str))), seed=cfg.seed)
