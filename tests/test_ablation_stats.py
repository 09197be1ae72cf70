from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from camulenet.book.tables import gaps_view
from camulenet.book.verdicts import gap_verdict
from camulenet.evaluation.ablation_stats import ablation_gaps


def _folds(k=8):
    return [SimpleNamespace(train=list(range(80)), val=list(range(10)), test=list(range(10))) for _ in range(k)]


def _results(k=8):
    """'big' loses 0.15 on every fold (small spread); 'noisy' averages 0 with a wide spread."""
    rng = np.random.default_rng(0)
    rows = []
    for fold in range(k):
        ref = 0.6 + 0.05 * rng.standard_normal()
        rows += [("CAMuLeNet", fold, ref), ("big", fold, ref - 0.15 + 0.005 * rng.standard_normal()),
                 ("noisy", fold, ref + (0.1 if fold % 2 else -0.1))]
    return pd.DataFrame([(s, f, "wa", v) for s, f, v in rows], columns=["system", "fold", "metric", "value"])


def test_gaps_separate_real_gap_from_fold_noise():
    gaps = ablation_gaps(_results(), _folds(), "WA", n_boot=200)
    assert set(gaps.index) == {"big", "noisy"}
    assert gaps.loc["big", "gap"] == pytest.approx(-0.15, abs=0.01)
    assert gaps.loc["big", "significant"] and not gaps.loc["noisy", "significant"]
    assert gaps.loc["noisy", "sd"] == pytest.approx(np.std([0.1, -0.1] * 4, ddof=1))
    assert gaps.loc["noisy", "ci_low"] < 0 < gaps.loc["noisy", "ci_high"]
    assert (gaps["p_holm"] >= gaps["p"]).all()
    view = gaps_view(gaps)
    assert view.loc["big", "verdict"] == "significant" and view.loc["noisy", "verdict"] == "within fold noise"


def test_verdict_names_each_side():
    text = gap_verdict(ablation_gaps(_results(), _folds(), "WA", n_boot=200), "toy")
    assert text.startswith("On toy, the gap in WA to CAMuLeNet of big (-0.1")
    assert "exceeds the spread across folds" in text.split(";")[0]
    assert "noisy (+0.000) is within fold noise: its interval includes zero" in text


def test_verdict_when_nothing_is_significant():
    r = _results()
    r = r[r.system != "big"]
    text = gap_verdict(ablation_gaps(r, _folds(), "WA", n_boot=200), "toy")
    assert text.startswith("On toy, no gap in WA to CAMuLeNet exceeds the spread across folds")
