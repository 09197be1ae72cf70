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

from camulenet.ragged import Ragged

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


def cluster_scores_within(spaces: Mapping[str, Embeddings], manifest: pd.DataFrame,
                          parts: Sequence[Sequence[str]], seed: int = 0) -> pd.DataFrame:
    """:func:`cluster_scores` computed inside each part (e.g. one fold's test clips) and averaged.

    Test embeddings of a cross-validation come from one model per fold, and two models'
    spaces are not comparable: pooled, clips group by the model that embedded them. Scoring
    within each fold compares only embeddings of the same model.
    """
    tables = [cluster_scores(spaces, manifest[manifest["utt_id"].isin(set(part))], seed=seed) for part in parts]
    return pd.concat(tables).groupby(level=0, sort=False).mean().round(3)



def _compare(ours: float, base: float, higher: str, lower: str, same: str = "the same") -> str:
    """How ``ours`` stands to ``base``, equal when they agree at the three decimals a page shows."""
    if round(float(ours), 3) == round(float(base), 3):
        return same
    return higher if ours > base else lower


def _than(word: str, measure: str, other: str) -> str:
    return f"the same {measure} as {other}" if word == "the same" else f"a {word} {measure} than {other}"


def spaces_verdict(scores: pd.DataFrame, ours: str, baseline: str) -> str:
    """Sentences comparing two rows of :func:`cluster_scores_within`, each clause true for
    every measure it cites.

    One measure alone can contradict the others on the same page (a higher 5-NN accuracy
    beside a negative silhouette, or a space that still groups by speaker more than by
    emotion), so the wording is chosen from all four: 5-NN accuracy and silhouette, by
    emotion and by speaker. Values equal at three decimals count as ties.
    """
    def get(space, kind, label):
        col = f"{kind}: {label}"
        return float(scores.loc[space, col]) if col in scores.columns else float("nan")

    knn_o, knn_b = get(ours, "5-NN accuracy", "emotion"), get(baseline, "5-NN accuracy", "emotion")
    sil_o, sil_b = get(ours, "silhouette", "emotion"), get(baseline, "silhouette", "emotion")
    spk_o, spk_b = get(ours, "silhouette", "speaker"), get(baseline, "silhouette", "speaker")
    kspk_o, kspk_b = get(ours, "5-NN accuracy", "speaker"), get(baseline, "5-NN accuracy", "speaker")
    if any(np.isnan(v) for v in (knn_o, knn_b, sil_o, sil_b)):
        return f"The emotion measures could not all be computed here, so {ours} and {baseline} are not compared."
    knn_word, sil_word = _compare(knn_o, knn_b, "higher", "lower"), _compare(sil_o, sil_b, "higher", "lower")
    nums_knn, nums_sil = f"({knn_o:.3f} against {knn_b:.3f})", f"({sil_o:.3f} against {sil_b:.3f})"
    if knn_word == sil_word and knn_word != "the same":
        out = [f"By emotion, {ours} has {_than(knn_word, '5-NN accuracy', baseline)} {nums_knn} and "
               f"{_than(sil_word, 'silhouette', baseline)} {nums_sil}: both measures agree."]
    else:
        out = [f"By emotion, the two measures do not agree: {ours} has {_than(knn_word, '5-NN accuracy', baseline)} "
               f"{nums_knn} but {_than(sil_word, 'silhouette', baseline)} {nums_sil}."]
    if sil_o <= 0:
        out.append(f"Its emotion silhouette is {'negative' if sil_o < 0 else 'zero'} ({sil_o:.3f}): the emotions "
                   f"do not form separate clusters in its space, whatever the nearest neighbours vote.")
    if not np.isnan(spk_o):
        if spk_o > sil_o:
            out.append(f"It still groups clips by speaker more than by emotion (silhouette {spk_o:.3f} by speaker "
                       f"against {sil_o:.3f} by emotion).")
        else:
            out.append(f"It groups clips by emotion at least as much as by speaker (silhouette {sil_o:.3f} by "
                       f"emotion against {spk_o:.3f} by speaker).")
        if not any(np.isnan(v) for v in (spk_b, kspk_o, kspk_b)):
            a = _compare(spk_o, spk_b, "more", "less")
            b = _compare(kspk_o, kspk_b, "more", "less")
            nums = (f"(silhouette {spk_o:.3f} against {spk_b:.3f}, 5-NN accuracy {kspk_o:.3f} "
                    f"against {kspk_b:.3f})")
            if a == b and a != "the same":
                out.append(f"It carries {a} speaker identity than {baseline} on both speaker measures {nums}.")
            else:
                out.append(f"Whether it carries less speaker identity than {baseline}, the two speaker measures "
                           f"do not say alike {nums}.")
    fails = []
    if knn_word != "higher":
        fails.append("its 5-NN accuracy by emotion is not higher")
    if sil_word != "higher":
        fails.append("its emotion silhouette is not higher")
    if sil_o <= 0:
        fails.append("its emotion silhouette is not positive")
    if not np.isnan(spk_o) and spk_o > sil_o:
        fails.append("it groups by speaker more than by emotion")
    claim = f"The paper's picture, {ours} forming clearer emotion clusters than {baseline},"
    if not fails:
        out.append(f"{claim} holds here on every one of these measures.")
    elif "higher" in (knn_word, sil_word):
        out.append(f"{claim} holds here only in part: " + "; ".join(fails) + ".")
    else:
        out.append(f"{claim} does not hold here: " + "; ".join(fails) + ".")
    return " ".join(out)
