"""Per-fold classification metrics.

Naming: the paper reports "WA" and "WF1". Here **``wa`` is plain accuracy** (correct /
total; what SER papers usually call weighted accuracy) and **``ua`` is unweighted accuracy
= balanced accuracy = the mean of per-class recalls**, reported beside it because plain
accuracy flatters majority classes. ``weighted_f1`` weights each class's F1 by its support
(the paper's WF1); ``macro_f1`` is the unweighted mean over classes that occur in
``y_true`` or ``y_pred`` (sklearn's convention).

Classes absent from ``y_true`` have recall NaN and are left out of ``ua`` (as sklearn's
``balanced_accuracy_score`` does); a leave-speaker-out test fold can lack a class.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

#: the scalar metrics every fold reports (plus recall_<class> and gender_accuracy)
SCALAR_METRICS = ("wa", "ua", "weighted_f1", "macro_f1")


def confusion_matrix(y_true: Sequence, y_pred: Sequence, labels: Sequence) -> np.ndarray:
    """Counts ``cm[i, j]`` of clips with true ``labels[i]`` predicted as ``labels[j]``."""
    index = {lab: i for i, lab in enumerate(labels)}
    y_true, y_pred = list(y_true), list(y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    unknown = (set(y_true) | set(y_pred)) - set(index)
    if unknown:
        raise ValueError(f"labels {sorted(map(str, unknown))} are not in labels={list(labels)}")
    cm = np.zeros((len(labels), len(labels)), dtype=np.int64)
    np.add.at(cm, ([index[t] for t in y_true], [index[p] for p in y_pred]), 1)
    return cm


def classification_metrics(y_true: Sequence, y_pred: Sequence, labels: Sequence) -> dict:
    """``wa``, ``ua``, ``weighted_f1``, ``macro_f1``, ``recall`` ({label: recall or NaN}),
    ``support`` ({label: n}), ``confusion`` (list of lists, rows = true, cols = predicted)."""
    cm = confusion_matrix(y_true, y_pred, labels)
    total = cm.sum()
    if total == 0:
        raise ValueError("no clips to score")
    tp = np.diag(cm).astype(float)
    support, predicted = cm.sum(1).astype(float), cm.sum(0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        recall = np.where(support > 0, tp / support, np.nan)
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        r0 = np.nan_to_num(recall)
        f1 = np.where(precision + r0 > 0, 2 * precision * r0 / (precision + r0), 0.0)
    seen = (support + predicted) > 0
    return {
        "wa": float(tp.sum() / total),
        "ua": float(np.nanmean(recall)),
        "weighted_f1": float((f1 * support).sum() / support.sum()),
        "macro_f1": float(f1[seen].mean()),
        "recall": {str(lab): float(r) for lab, r in zip(labels, recall)},
        "support": {str(lab): int(s) for lab, s in zip(labels, support)},
        "confusion": cm.tolist(),
    }


def accuracy(y_true: Sequence, y_pred: Sequence) -> float:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return float((y_true == y_pred).mean()) if len(y_true) else float("nan")
