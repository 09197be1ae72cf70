"""Metrics against hand-computed values; paired tests and intervals on known data."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import balanced_accuracy_score, f1_score

from camulenet.evaluation import classification_metrics, confusion_matrix, paired_comparison, summarise


def test_metrics_by_hand():
    y_true = ["a", "a", "a", "a", "b", "b", "c", "c"]
    y_pred = ["a", "a", "a", "b", "b", "c", "c", "c"]
    m = classification_metrics(y_true, y_pred, ["a", "b", "c"])
    assert m["wa"] == pytest.approx(6 / 8)
    # recalls: a 3/4, b 1/2, c 2/2
    assert m["recall"] == pytest.approx({"a": 0.75, "b": 0.5, "c": 1.0})
    assert m["ua"] == pytest.approx((0.75 + 0.5 + 1.0) / 3)
    # precisions: a 3/3, b 1/2, c 2/3 -> F1 a 6/7, b 1/2, c 4/5
    f1 = np.array([6 / 7, 0.5, 0.8])
    assert m["macro_f1"] == pytest.approx(f1.mean())
    assert m["weighted_f1"] == pytest.approx((4 * f1[0] + 2 * f1[1] + 2 * f1[2]) / 8)
    assert m["confusion"] == [[3, 1, 0], [0, 1, 1], [0, 0, 2]]
    assert m["weighted_f1"] == pytest.approx(f1_score(y_true, y_pred, average="weighted"))
    assert m["ua"] == pytest.approx(balanced_accuracy_score(y_true, y_pred))


def test_missing_class_in_fold():
    m = classification_metrics([0, 0, 1], [0, 1, 1], [0, 1, 2])
    assert np.isnan(m["recall"]["2"]) and m["ua"] == pytest.approx(0.75)
    assert m["macro_f1"] == pytest.approx(f1_score([0, 0, 1], [0, 1, 1], average="macro"))
    with pytest.raises(ValueError, match="not in labels"):
        confusion_matrix([0, 3], [0, 0], [0, 1])


def tidy(a, b, metric="wa"):
    rows = [{"system": s, "fold": k, "metric": metric, "value": v}
            for s, vals in (("A", a), ("B", b)) for k, v in enumerate(vals)]
    return pd.DataFrame(rows)


def test_paired_comparison_known_data():
    a = np.array([0.70, 0.72, 0.68, 0.75, 0.71, 0.69, 0.74, 0.73, 0.70, 0.72])
    d = np.array([0.05, 0.02, 0.04, 0.06, 0.01, 0.03, 0.07, 0.02, 0.04, 0.05])
    res = paired_comparison(tidy(a, a - d), "A", "B", "wa", n_boot=2000)
    assert res["n"] == 10 and res["mean_diff"] == pytest.approx(d.mean())
    half = stats.t.ppf(0.975, 9) * d.std(ddof=1) / np.sqrt(10)
    assert res["t_low"] == pytest.approx(d.mean() - half) and res["t_high"] == pytest.approx(d.mean() + half)
    # all ten differences positive: exact two-sided Wilcoxon p = 2 / 2**10
    assert res["wilcoxon_p"] == pytest.approx(2 / 1024)
    assert res["boot_low"] < d.mean() < res["boot_high"] and res["boot_low"] > 0
    same = paired_comparison(tidy(a, a), "A", "B", "wa")
    assert same["wilcoxon_p"] == 1.0 and same["mean_diff"] == 0.0


def test_summarise():
    s = summarise(tidy([0.5, 0.7], [0.4, 0.4]))
    row = s[s.system == "A"].iloc[0]
    assert row["mean"] == pytest.approx(0.6) and row["sd"] == pytest.approx(np.std([0.5, 0.7], ddof=1))
    assert row["n"] == 2 and row["text"] == "0.600 ± 0.141"
