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
from camulenet.results_table import METRICS, _order

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


def gaps_view(gaps: pd.DataFrame) -> pd.DataFrame:
    """:func:`ablation_gaps` for a page: short column names, three decimals, a verdict column."""
    conf = round(100 * gaps.attrs.get("confidence", 0.95))
    verdict = ["significant" if s else ("not after Holm" if nom else "within fold noise")
               for s, nom in zip(gaps["significant"], gaps["nominal"])]
    return pd.DataFrame({"gap": gaps["gap"].map("{:+.3f}".format),
                         "fold sd": gaps["sd"].map("{:.3f}".format),
                         f"{conf}% CI": [f"[{lo:+.3f},\u00a0{hi:+.3f}]" for lo, hi in zip(gaps.ci_low, gaps.ci_high)],
                         "p (Holm)": gaps["p_holm"].map("{:.3g}".format),  # 0.0504, not a misleading 0.050
                         "verdict": verdict}, index=gaps.index)


def gap_verdict(gaps: pd.DataFrame, corpus: str) -> str:
    """Sentences naming the gaps that exceed the fold spread and those within it.

    'Significant' means Holm-adjusted corrected p below alpha; a gap significant only
    before Holm's correction is named as such; the rest are within fold noise.
    """
    metric, reference = gaps.attrs.get("metric", "WA"), gaps.attrs.get("reference", "CAMuLeNet")
    alpha = gaps.attrs.get("alpha", 0.05)
    tested = gaps.dropna(subset=["p"])
    if tested.empty:
        return f"On {corpus} there are too few folds to test any gap in {metric}."

    def named(rows):
        items = [f"{s} ({g:+.3f})" for s, g in zip(rows.index, rows["gap"])]
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    sig = tested[tested["significant"]]
    nominal = tested[~tested["significant"] & tested["nominal"]]
    noise = tested[~tested["nominal"]]
    level = f"{100 * alpha:g}%"
    parts = []
    if len(sig):
        parts.append(f"the gap{'s' if len(sig) > 1 else ''} in {metric} to {reference} of {named(sig)} "
                     f"{'exceed' if len(sig) > 1 else 'exceeds'} the spread across folds (corrected resampled "
                     f"t-test, Holm's correction, {level} level)")
    if len(nominal):
        parts.append(f"{named(nominal)} {'pass' if len(nominal) > 1 else 'passes'} the corrected test at the "
                     f"{level} level only before Holm's correction")
    if len(noise):
        why = ""
        if abs(gaps.attrs.get("confidence", 0.95) - (1 - alpha)) < 1e-9:  # the interval matching the test
            why = f": {'their intervals include' if len(noise) > 1 else 'its interval includes'} zero"
        parts.append(f"{named(noise)} {'are' if len(noise) > 1 else 'is'} within fold noise{why}")
    if not len(sig):
        parts.insert(0, f"no gap in {metric} to {reference} exceeds the spread across folds after Holm's "
                        f"correction ({level} level)")
    untested = gaps.index.difference(tested.index)
    if len(untested):
        parts.append(f"too few shared folds to test {', '.join(untested)}")
    return f"On {corpus}, " + "; ".join(parts) + "."
