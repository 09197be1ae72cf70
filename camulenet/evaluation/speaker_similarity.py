"""Is an unseen speaker harder when nobody like them was in training?

For each test speaker of a fold we measure how far their voice lies from the closest
*training* speaker of that fold, and correlate that distance with the accuracy the
systems reach on the speaker (Spearman's rho: rank-based, so no linearity is assumed and
a few outlying speakers cannot dominate).

Speaker embedding: the per-speaker mean of clip-level vectors that the caller supplies,
e.g. time-pooled Whisper encoder frames or MFCC mean/std statistics per clip. Averaging
over a speaker's clips (spread across all emotions) keeps mostly what is constant about
the voice and averages the emotion away. Distances are cosine distances (1 - cosine
similarity): insensitive to overall feature scale, e.g. loudness. The vectors are used
as given; standardise dimensions first (e.g. with :mod:`camulenet.features.speaker_norm`'s
global statistics or sklearn's StandardScaler) if their scales differ wildly.

The correlation is descriptive: speakers of one fold share a model, and the distances
are not independent across speakers, so read its p-value as indicative only.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics.pairwise import cosine_distances


def speaker_embeddings(X, speakers: Sequence[str]) -> pd.DataFrame:
    """Per-speaker mean of clip-level vectors: rows indexed by speaker (sorted), one column per dimension.

    ``X``: (n_clips, dim) clip-level vectors; ``speakers``: the speaker of each clip.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be (n_clips, dim), got shape {X.shape}")
    spk = pd.Index(np.asarray(speakers).astype(str), name="speaker")
    if len(spk) != len(X):
        raise ValueError(f"{len(X)} clips but {len(spk)} speakers")
    return pd.DataFrame(X, index=spk).groupby(level=0).mean().sort_index()


def _rows(embeddings: pd.DataFrame, speakers: Sequence[str], what: str, fold: int) -> np.ndarray:
    missing = [s for s in speakers if s not in embeddings.index]
    if missing:
        raise KeyError(f"fold {fold}: {what} speaker(s) {missing[:5]} have no embedding")
    return embeddings.loc[list(speakers)].to_numpy(np.float64)


def nearest_training_distance(embeddings: pd.DataFrame, folds, include_val: bool = False) -> pd.DataFrame:
    """For each fold and test speaker: the cosine distance to the nearest training speaker.

    ``embeddings``: from :func:`speaker_embeddings`; ``folds``: a ``Folds`` or list of
    ``Fold`` (the fold number is its position, as in the runner's tables). Neighbours are
    searched among the fold's ``train_speakers`` only (plus ``val_speakers`` with
    ``include_val``), never among test speakers. Columns: fold, speaker,
    nearest_train_speaker, distance, mean_distance (to all training speakers).
    """
    rows = []
    for k, fold in enumerate(getattr(folds, "folds", folds)):
        train = [str(s) for s in fold.train_speakers] + ([str(s) for s in fold.val_speakers] if include_val else [])
        test = [str(s) for s in fold.test_speakers]
        leaked = sorted(set(train) & set(test))
        if leaked:
            raise ValueError(f"fold {k}: speaker(s) {leaked[:5]} are both training and test speakers")
        if not train or not test:
            raise ValueError(f"fold {k} has no {'training' if not train else 'test'} speakers")
        dist = np.clip(cosine_distances(_rows(embeddings, test, "test", k), _rows(embeddings, train, "training", k)),
                       0.0, 2.0)
        nearest = dist.argmin(1)
        for i, s in enumerate(test):
            rows.append({"fold": k, "speaker": s, "nearest_train_speaker": train[nearest[i]],
                         "distance": float(dist[i, nearest[i]]), "mean_distance": float(dist[i].mean())})
    return pd.DataFrame(rows, columns=["fold", "speaker", "nearest_train_speaker", "distance", "mean_distance"])


def per_speaker_accuracy(predictions: pd.DataFrame, manifest: pd.DataFrame) -> pd.DataFrame:
    """Accuracy per system x fold x speaker from a predictions table (utt_id, fold, system,
    true, pred) joined to the manifest (utt_id, speaker). Columns: system, fold, speaker, n, accuracy.
    A predicted utt_id missing from the manifest raises (a different manifest was used)."""
    need = {"utt_id", "fold", "system", "true", "pred"} - set(predictions.columns)
    if need:
        raise ValueError(f"predictions table lacks column(s) {sorted(need)}")
    spk = manifest[["utt_id", "speaker"]].astype(str).drop_duplicates()
    if spk["utt_id"].duplicated().any():
        raise ValueError("manifest has an utt_id under several speakers")
    p = predictions.assign(utt_id=predictions["utt_id"].astype(str)).merge(spk, on="utt_id", how="left")
    if p["speaker"].isna().any():
        missing = p.loc[p["speaker"].isna(), "utt_id"].unique()
        raise KeyError(f"{len(missing)} predicted utt_id(s) are not in the manifest, e.g. {list(missing[:5])}")
    p["correct"] = (p["true"].astype(str) == p["pred"].astype(str)).astype(float)
    return (p.groupby(["system", "fold", "speaker"], sort=True)["correct"]
            .agg(n="size", accuracy="mean").reset_index())


def similarity_accuracy_correlation(predictions: pd.DataFrame, manifest: pd.DataFrame, embeddings: pd.DataFrame,
                                    folds, include_val: bool = False,
                                    distance: str = "distance") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Spearman correlation, per system, between a test speaker's distance to the nearest
    training speaker and the system's accuracy on that speaker (one point per fold x speaker).

    Returns (per_speaker, correlations): per_speaker has system, fold, speaker, n,
    accuracy, nearest_train_speaker, distance, mean_distance; correlations has system,
    n_speakers, rho, p (two-sided, scipy.stats.spearmanr; NaN with < 3 points or a constant
    column). ``distance="mean_distance"`` correlates with the mean distance instead.
    rho < 0 means: the farther from every training voice, the lower the accuracy.
    """
    acc = per_speaker_accuracy(predictions, manifest)
    dist = nearest_training_distance(embeddings, folds, include_val=include_val)
    joined = acc.merge(dist, on=["fold", "speaker"], how="inner")
    unmatched = len(acc) - len(joined)
    if unmatched:
        raise ValueError(f"{unmatched} system x fold x speaker row(s) of the predictions are not test "
                         "speakers of that fold in ``folds``; were the predictions made with these folds?")
    rows = []
    for system, part in joined.groupby("system", sort=False):
        x, y = part[distance].to_numpy(float), part["accuracy"].to_numpy(float)
        if len(part) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
            rho, p = float("nan"), float("nan")
        else:
            res = stats.spearmanr(x, y)
            rho, p = float(res.statistic), float(res.pvalue)
        rows.append({"system": system, "n_speakers": len(part), "rho": rho, "p": p})
    return joined, pd.DataFrame(rows, columns=["system", "n_speakers", "rho", "p"])
