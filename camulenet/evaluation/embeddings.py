"""Embedding spaces compared: t-SNE coordinates and cluster-quality scores (chapter 7)."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.manifold import TSNE
from sklearn.metrics import silhouette_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

from camulenet.storage.ragged import Ragged

Embeddings = Ragged | tuple[list[str], np.ndarray] | pd.DataFrame


def as_matrix(emb: Embeddings, ids: list[str]) -> np.ndarray:
    """Rows of ``emb`` in the order of ``ids``; a Ragged with several frames per clip is mean-pooled."""
    if isinstance(emb, Ragged):
        pos = {u: i for i, u in enumerate(emb.ids)}
        return np.stack([np.asarray(emb[pos[u]], dtype=np.float32).reshape(-1, *emb.feature_shape).mean(0)
                         for u in ids])
    if isinstance(emb, pd.DataFrame):
        return emb.loc[ids].to_numpy(np.float32)
    emb_ids, values = emb
    pos = {u: i for i, u in enumerate(emb_ids)}
    missing = [u for u in ids if u not in pos]
    if missing:
        raise KeyError(f"{len(missing)} clips have no embedding, e.g. {missing[:3]}")
    return np.asarray(values, dtype=np.float32)[[pos[u] for u in ids]]


def _common_ids(spaces: Mapping[str, Embeddings], manifest: pd.DataFrame) -> list[str]:
    ids = list(manifest["utt_id"])
    for emb in spaces.values():
        have = set(emb.ids) if isinstance(emb, Ragged) else set(emb.index) if isinstance(emb, pd.DataFrame) else set(emb[0])
        ids = [u for u in ids if u in have]
    if not ids:
        raise ValueError("the embedding spaces share no clip")
    return ids


def tsne_frame(spaces: Mapping[str, Embeddings], manifest: pd.DataFrame, perplexity: float = 30,
               seed: int = 0) -> pd.DataFrame:
    """Long table: space, utt_id, x, y plus the manifest's emotion/speaker/gender/language."""
    ids = _common_ids(spaces, manifest)
    meta = manifest.set_index("utt_id").loc[ids, ["emotion", "speaker", "gender", "language"]].reset_index()
    parts = []
    for name, emb in spaces.items():
        x = StandardScaler().fit_transform(as_matrix(emb, ids))
        xy = TSNE(n_components=2, perplexity=min(perplexity, (len(ids) - 1) / 3), init="pca",
                  random_state=seed).fit_transform(x)
        parts.append(meta.assign(space=name, x=xy[:, 0], y=xy[:, 1]))
    return pd.concat(parts, ignore_index=True)


def cluster_scores(spaces: Mapping[str, Embeddings], manifest: pd.DataFrame, seed: int = 0,
                   labels: tuple[str, ...] = ("emotion", "speaker")) -> pd.DataFrame:
    """Silhouette (cosine) and 5-NN accuracy (5-fold CV) of each space for each label."""
    ids = _common_ids(spaces, manifest)
    meta = manifest.set_index("utt_id").loc[ids]
    rows = {}
    for name, emb in spaces.items():
        x = StandardScaler().fit_transform(as_matrix(emb, ids))
        row = {}
        for lab in labels:
            y = meta[lab].to_numpy()
            if not 2 <= len(set(y)) < len(y):  # e.g. a fold that tests a single speaker
                row[f"silhouette: {lab}"] = row[f"5-NN accuracy: {lab}"] = float("nan")
                continue
            row[f"silhouette: {lab}"] = silhouette_score(x, y, metric="cosine")
            n_splits = int(min(5, pd.Series(y).value_counts().min()))
            if n_splits >= 2:
                cv = StratifiedKFold(n_splits, shuffle=True, random_state=seed)
                row[f"5-NN accuracy: {lab}"] = cross_val_score(KNeighborsClassifier(5), x, y, cv=cv).mean()
        rows[name] = row
    return pd.DataFrame(rows).T.round(3)


def cluster_scores_by_part(spaces: Mapping[str, Embeddings], manifest: pd.DataFrame,
                           parts: Sequence[Sequence[str]], seed: int = 0) -> pd.DataFrame:
    """:func:`cluster_scores` computed inside each part (e.g. one fold's test clips): one row per
    part and space (index levels ``part``, ``space``), so that a difference between spaces can be
    set against its spread over the parts.

    Test embeddings of a cross-validation come from one model per fold, and two models'
    spaces are not comparable: pooled, clips group by the model that embedded them. Scoring
    within each fold compares only embeddings of the same model.
    """
    tables = [cluster_scores(spaces, manifest[manifest["utt_id"].isin(set(part))], seed=seed) for part in parts]
    return pd.concat(tables, keys=range(len(tables)), names=["part", "space"])


def cluster_scores_within(spaces: Mapping[str, Embeddings], manifest: pd.DataFrame,
                          parts: Sequence[Sequence[str]], seed: int = 0) -> pd.DataFrame:
    """:func:`cluster_scores_by_part` averaged over the parts, one row per space."""
    return within_mean(cluster_scores_by_part(spaces, manifest, parts, seed=seed))


def within_mean(by_part: pd.DataFrame) -> pd.DataFrame:
    """The scores of :func:`cluster_scores_by_part` averaged over the parts, spaces in their order."""
    return by_part.groupby(level="space", sort=False).mean().rename_axis(None).round(3)
