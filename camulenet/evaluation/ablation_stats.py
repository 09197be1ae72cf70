"""Are the ablation gaps larger than the spread across folds?

Chapter 6 sets each system's gap to CAMuLeNet beside the paper's. A gap of a point or two
can be smaller than the fold-to-fold spread of the paired differences, so each gap comes
with that spread, the corrected resampled t-interval (Nadeau & Bengio 2003; the folds'
training sets overlap, so the plain t-interval is too narrow) and Holm's correction over
the systems compared (see :mod:`camulenet.evaluation.cv_stats`). :func:`gap_verdict`
words the result, so the page says only what the numbers support.
"""

from __future__ import annotations

import pandas as pd

from camulenet.evaluation.cv_stats import comparison_table, fold_sizes
from camulenet.evaluation.results_table import METRICS, _order

#: Book metric name -> column of the runner's results (the inverse of results_table.METRICS).
METRIC_COLUMNS = {name: column for column, name in METRICS.items()}


def ablation_gaps(results_long: pd.DataFrame, folds, metric: str = "WA", reference: str = "CAMuLeNet",
                  alpha: float = 0.05, confidence: float = 0.95, seed: int = 0,
                  n_boot: int = 2000) -> pd.DataFrame:
    """Each system minus ``reference`` on ``metric``, paired by fold, with its uncertainty.

    ``results_long``: the runner's tidy table (system, fold, metric, value); ``folds``: the
    folds it was trained on (their sizes enter the correction). One row per other system:
    gap (mean of the per-fold differences), sd (their standard deviation: the fold spread),
    ci_low/ci_high (corrected t-interval), p (corrected), p_holm, significant (p_holm <
    alpha), nominal (p < alpha before Holm), hedges_g and n (shared folds).
    """
    column = METRIC_COLUMNS[metric]
    n_train, n_test = fold_sizes(folds)
    table = comparison_table(results_long, reference, column, n_train, n_test, alpha=alpha,
                             confidence=confidence, n_boot=n_boot, seed=seed)
    gaps = pd.DataFrame({"gap": table["mean_diff"].to_numpy(), "sd": table["sd_diff"].to_numpy(),
                         "ci_low": table["ci_low"].to_numpy(), "ci_high": table["ci_high"].to_numpy(),
                         "p": table["p"].to_numpy(), "p_holm": table["p_holm"].to_numpy(),
                         "significant": table["survives"].to_numpy(bool),
                         "nominal": (table["p"] < alpha).to_numpy(bool),
                         "hedges_g": table["effect"].to_numpy(), "n": table["n"].to_numpy()},
                        index=pd.Index(table["system"], name="system"))
    gaps = gaps.reindex(_order(gaps.index))
    gaps.attrs.update(metric=metric, reference=reference, alpha=alpha, confidence=confidence)
    return gaps
