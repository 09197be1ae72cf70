"""Tables of results: our folds laid out like the paper's Table 1, and the paper beside it.

``results`` is the runner's tidy table: one row per system x fold with metric columns
(wa = accuracy, ua = mean per-class recall, weighted_f1 = WF1, macro_f1 = MF1,
gender_accuracy). ``predictions`` has one row per system x test utterance.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

#: Our metric columns and the names the book prints for them.
METRICS = {"wa": "WA", "ua": "UA", "weighted_f1": "WF1", "macro_f1": "MF1",
           "gender_accuracy": "gender acc."}

#: Row order of Table 1 (systems we do not run are simply absent).
SYSTEM_ORDER = ["Wav2Vec2.0", "HuBERT", "WavLM", "Whisper-Base", "Whisper-Medium", "CAMuLeNet",
                "CAMuLeNet w/o multitask", "CAMuLeNet w/o co-attention & multitask"]


def _order(systems) -> list[str]:
    known = [s for s in SYSTEM_ORDER if s in set(systems)]
    return known + sorted(set(systems) - set(known))


def results_like_table1(results: pd.DataFrame) -> pd.DataFrame:
    """'mean ± sd' over folds for each system (rows) and metric (columns)."""
    cols = [c for c in METRICS if c in results.columns]
    g = results.groupby("system")[cols]
    mean, sd = g.mean(), g.std(ddof=1)
    table = pd.DataFrame(index=_order(mean.index))
    for c in cols:
        table[METRICS[c]] = [("–" if np.isnan(mean.loc[s, c]) else
                              f"{mean.loc[s, c]:.3f} ± {0.0 if np.isnan(sd.loc[s, c]) else sd.loc[s, c]:.3f}")
                             for s in table.index]
    table.index.name = "system"
    return table


def beside_paper(results, paper: pd.DataFrame, corpus_label: str = "synthetic (ours)") -> pd.DataFrame:
    """Table 1 with our corpora as more column blocks: rows = systems in the paper's order,
    columns = (corpus, WA/WF1); ours first, as fold means, then the paper's as printed.

    ``results`` is one corpus's table (labelled ``corpus_label``) or a mapping label ->
    table, one block each in the mapping's order. Systems a corpus did not run, or the
    paper did not report, are NaN.
    """
    blocks = dict(results) if isinstance(results, Mapping) else {corpus_label: results}
    if not blocks:
        raise ValueError("beside_paper needs the results of at least one corpus")
    ours = [_wa_wf1(r, label) for label, r in blocks.items()]
    p = paper.set_index("system").drop(columns="group")
    p.columns = pd.MultiIndex.from_tuples([tuple(c.rsplit("_", 1)) for c in p.columns], names=["corpus", "metric"])
    table = pd.concat([*ours, p], axis=1, join="outer")
    table = table.reindex(_order(table.index))
    table.index.name = "system"
    return table


def _wa_wf1(results: pd.DataFrame, label: str) -> pd.DataFrame:
    """Fold means of WA and WF1 per system, under column block ``label``."""
    ours = results.groupby("system")[["wa", "weighted_f1"]].mean().rename(columns={"wa": "WA", "weighted_f1": "WF1"})
    ours.columns = pd.MultiIndex.from_product([[label], ours.columns], names=["corpus", "metric"])
    return ours


def style_scores(table: pd.DataFrame):
    """Scores shaded per column (darker = higher), three decimals, missing cells blank."""
    return table.style.format("{:.3f}", na_rep="").background_gradient(cmap="Greens", axis=0).highlight_null("white")


def style_corpora(table: pd.DataFrame):
    """:func:`camulenet.pipeline.corpora_table` for a page: every reason in full (a plain
    DataFrame cuts long cells, and with them the command that fixes a missing corpus)."""
    return table.style.format(na_rep="", precision=0)


def style_deltas(deltas: pd.DataFrame):
    """:func:`ablation_deltas` with column names short enough for a book page."""
    names = {c: c.split(" Δ")[0].removeprefix("paper ").replace("mean", "paper mean") for c in deltas.columns}
    return deltas.rename(columns=names).style.format("{:+.3f}", na_rep="")


def ablation_deltas(results: pd.DataFrame, paper: pd.DataFrame, metric: str = "WA",
                    reference: str = "CAMuLeNet", corpus: str = "synthetic") -> pd.DataFrame:
    """Each system's score minus the reference system's, ours beside the paper's.

    Absolute numbers on different corpora are not comparable; the gaps between systems
    (what each component adds) are what a reproduction on another corpus can check.
    """
    ours_col = {"WA": "wa", "WF1": "weighted_f1"}[metric]
    ours = results.groupby("system")[ours_col].mean()
    p = paper.set_index("system")[[c for c in paper.columns if c.endswith(f"_{metric}")]]
    p.columns = [c.removesuffix(f"_{metric}") for c in p.columns]
    p_delta = p.sub(p.loc[reference], axis=1)
    out = pd.DataFrame(index=_order(set(ours.index) | set(p.index)))
    out[f"{corpus} (ours) Δ{metric}"] = ours.sub(ours[reference]).reindex(out.index)
    out[f"paper mean Δ{metric}"] = p_delta.mean(axis=1).reindex(out.index)
    for corpus in p_delta.columns:
        out[f"paper {corpus}"] = p_delta[corpus].reindex(out.index)
    out.index.name = "system"
    return out.round(3)


def group_accuracy(predictions: pd.DataFrame, manifest: pd.DataFrame,
                   by: tuple[str, ...] = ("language", "gender")) -> pd.DataFrame:
    """Accuracy per system and per value of each manifest column in ``by`` (long form)."""
    merged = predictions.merge(manifest[["utt_id", *by]], on="utt_id", how="left", validate="many_to_one")
    merged["correct"] = merged["true"] == merged["pred"]
    parts = []
    for col in by:
        a = merged.groupby(["system", col])["correct"].agg(["mean", "size"]).reset_index()
        a = a.rename(columns={col: "value", "mean": "accuracy", "size": "clips"})
        a["by"] = col
        a["group"] = col + ": " + a["value"].astype(str)
        parts.append(a)
    return pd.concat(parts, ignore_index=True)


def significance_text(tests: pd.DataFrame, corpus: str, reference: str = "CAMuLeNet", alpha: float = 0.05) -> str:
    """One sentence on which systems differ from ``reference`` at level ``alpha`` on ``corpus``.

    ``tests`` is :func:`camulenet.evaluation.stats.pairwise_table` indexed by the other
    system; a pair without a p-value (fewer than two folds) is named as untested rather
    than counted on either side.
    """
    p = tests["wilcoxon_p"]
    sig = [s for s, v in p.items() if v < alpha]
    nonsig = [f"{s} (p = {v:.2g})" for s, v in p.items() if v >= alpha]
    untested = [s for s, v in p.items() if np.isnan(v)]
    n = int(tests["n"].max()) if len(tests) else 0
    text = (f"On {corpus} ({n} folds), {reference} differs at the {100 * alpha:g}% level "
            f"(Wilcoxon signed-rank test, uncorrected) from {', '.join(sig) or 'none of the others'}")
    text += f", and not from {', '.join(nonsig)}" if nonsig else ""
    text += f"; too few folds to test {', '.join(untested)}" if untested else ""
    return text + "."


def _interval(low: float, high: float) -> str:
    return "–" if np.isnan(low) or np.isnan(high) else f"[{100 * low:+.1f}, {100 * high:+.1f}]"


def pairwise_view(tests: pd.DataFrame) -> pd.DataFrame:
    """:func:`camulenet.evaluation.stats.pairwise_table` (indexed by the other system, with
    ``n``) narrow enough for a book page: the difference and both intervals in points of the
    metric, the Wilcoxon p and its floor for this many folds (``2 / 2**n``: the p of a
    difference in the same direction on every fold), three significant digits."""
    view = pd.DataFrame(index=tests.index)
    view["folds"] = tests["n"].astype(int)
    view["diff (points)"] = [f"{100 * d:+.1f}" for d in tests["mean_diff"]]
    view["t 95% CI"] = [_interval(lo, hi) for lo, hi in zip(tests["t_low"], tests["t_high"])]
    view["bootstrap 95% CI"] = [_interval(lo, hi) for lo, hi in zip(tests["boot_low"], tests["boot_high"])]
    view["Wilcoxon p"] = [f"{p:.3g}" if np.isfinite(p) else "–" for p in tests["wilcoxon_p"]]
    view["lowest p"] = [f"{2 / 2 ** n:.3g}" for n in tests["n"].astype(int)]
    return view

