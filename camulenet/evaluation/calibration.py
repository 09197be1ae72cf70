"""Calibration of class probabilities: ECE, reliability tables and temperature scaling.

Accuracy says how often the top class is right; calibration says whether the stated
confidence can be trusted (of the clips predicted with 80 % confidence, are 80 % right?).
Modern networks tend to be overconfident; Guo et al. (2017) showed that one scalar
temperature T, fitted by minimising the negative log-likelihood on held-out data,
fixes most of it without changing any prediction (argmax is invariant to T).

Everything works from stored probabilities (the runner's ``prob_<emotion>`` columns) as
well as from logits: log-probabilities are logits up to a per-row constant, and softmax
ignores that constant, so ``softmax(log p / T)`` is exactly temperature scaling.

Fit T on data the model did not train on and that you do not report on (a validation
set, or other folds' test predictions); T fitted on the evaluated data flatters the
"after" numbers.

Reference: C. Guo, G. Pleiss, Y. Sun, K. Q. Weinberger (2017). On calibration of modern
neural networks. ICML.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special

#: Probabilities are clipped at this before the log (float32 softmax outputs can be exactly 0).
EPS = 1e-12
#: Search range of log T in :func:`fit_temperature` (T from 0.01 to 100).
LOG_T_BOUNDS = (np.log(1e-2), np.log(1e2))


def _is_probs(a: np.ndarray) -> bool:
    return bool(np.all(a >= 0) and np.all(a <= 1) and np.allclose(a.sum(1), 1.0, atol=1e-4))


def _logits(values, kind: str = "auto") -> np.ndarray:
    """(n, C) float64 logits from probabilities (log p, clipped) or logits (as they are)."""
    a = np.asarray(values, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] < 2:
        raise ValueError(f"expected an (n_clips, n_classes >= 2) array, got shape {a.shape}")
    if kind == "auto":
        kind = "probs" if _is_probs(a) else "logits"
    if kind == "probs":
        if not _is_probs(a):
            raise ValueError("kind='probs' but rows are not probability vectors (in [0, 1], summing to 1)")
        return np.log(np.clip(a, EPS, 1.0))
    if kind != "logits":
        raise ValueError(f"kind must be 'auto', 'probs' or 'logits', got {kind!r}")
    return a


def _labels(y, n: int, n_classes: int) -> np.ndarray:
    y = np.asarray(y).reshape(-1)
    if len(y) != n:
        raise ValueError(f"{n} rows of probabilities but {len(y)} labels")
    if not np.issubdtype(y.dtype, np.integer) or (len(y) and (y.min() < 0 or y.max() >= n_classes)):
        raise ValueError(f"labels must be integer class indices in 0..{n_classes - 1}")
    return y.astype(np.int64)


def apply_temperature(probs_or_logits, temperature: float, kind: str = "auto") -> np.ndarray:
    """Probabilities ``softmax(z / T)`` (z: logits, or log-probabilities); same argmax as z."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    return special.softmax(_logits(probs_or_logits, kind) / float(temperature), axis=1)


def nll(probs_or_logits, y, kind: str = "auto") -> float:
    """Mean negative log-likelihood of the true classes (natural log; probabilities clipped at EPS)."""
    z = _logits(probs_or_logits, kind)
    y = _labels(y, len(z), z.shape[1])
    logp = special.log_softmax(z, axis=1)
    return float(-logp[np.arange(len(y)), y].mean())


def fit_temperature(probs_or_logits, y, kind: str = "auto") -> float:
    """The temperature T > 0 minimising the NLL of ``softmax(z / T)`` on (probs_or_logits, y).

    One parameter, so it cannot overfit much and never changes a prediction (Guo et al.
    2017). The NLL is convex in 1/T, hence unimodal in log T, where a bounded scalar search
    (``scipy.optimize.minimize_scalar``) finds it; T is searched in [0.01, 100]. T > 1
    softens overconfident probabilities, T < 1 sharpens underconfident ones. If the search
    does not beat T = 1 (already calibrated), 1.0 is returned, so the fitted T never raises
    the NLL on the data it was fitted on.
    """
    z = _logits(probs_or_logits, kind)
    y = _labels(y, len(z), z.shape[1])
    if not len(y):
        raise ValueError("no clips to fit a temperature on")
    rows = np.arange(len(y))

    def loss(log_t: float) -> float:
        return float(-special.log_softmax(z / np.exp(log_t), axis=1)[rows, y].mean())

    res = optimize.minimize_scalar(loss, bounds=LOG_T_BOUNDS, method="bounded", options={"xatol": 1e-6})
    return float(np.exp(res.x)) if res.fun < loss(0.0) else 1.0


def reliability_table(probs, y, n_bins: int = 15) -> pd.DataFrame:
    """Per equal-width confidence bin: lo, hi, count, confidence (mean top probability),
    accuracy (fraction of top-class predictions that are right), gap = accuracy - confidence.

    Confidence is the top-class probability; bin b holds confidences in (lo, hi] (the first
    bin also 0). Empty bins are kept with count 0 and NaN confidence/accuracy, so every table
    has ``n_bins`` rows and tables of several systems line up.
    """
    p = special.softmax(_logits(probs, "auto"), axis=1)  # probabilities stay (up to the EPS clip)
    y = _labels(y, len(p), p.shape[1])
    conf = p.max(1)
    correct = (p.argmax(1) == y).astype(float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    b = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, n_bins - 1)
    count = np.bincount(b, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(b, weights=conf, minlength=n_bins) / count
        acc = np.bincount(b, weights=correct, minlength=n_bins) / count
    return pd.DataFrame({"bin": np.arange(n_bins), "lo": edges[:-1], "hi": edges[1:], "count": count,
                         "confidence": mean_conf, "accuracy": acc, "gap": acc - mean_conf})


def expected_calibration_error(probs, y, n_bins: int = 15) -> float:
    """ECE = sum over bins of (count / n) * |accuracy - confidence| (Guo et al. 2017, eq. 3).

    Equal-width bins over the top-class confidence (15 as in Guo et al.). ECE depends on the
    binning and is biased upwards for small n (each bin's accuracy is noisy), so compare
    systems at the same n_bins and similar numbers of clips. Logits are accepted and turned
    into probabilities first.
    """
    t = reliability_table(probs, y, n_bins)
    used = t["count"] > 0
    return float((t.loc[used, "count"] * t.loc[used, "gap"].abs()).sum() / t["count"].sum())


def probs_from_predictions(predictions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(probs, y, labels) from a runner predictions table (columns true, prob_<emotion>...).

    ``labels`` are the emotions in the order of the ``prob_`` columns; ``y`` indexes them.
    Filter the table to one system (and fold) first. Raises if a true label has no column.
    """
    cols = [c for c in predictions.columns if c.startswith("prob_")]
    if not cols:
        raise ValueError("no prob_<emotion> columns in the predictions table")
    labels = [c[len("prob_"):] for c in cols]
    index = {lab: i for i, lab in enumerate(labels)}
    unknown = sorted(set(map(str, predictions["true"])) - set(index))
    if unknown:
        raise ValueError(f"true label(s) {unknown} have no prob_ column (have {labels})")
    y = predictions["true"].astype(str).map(index).to_numpy(np.int64)
    return predictions[cols].to_numpy(np.float64), y, labels
