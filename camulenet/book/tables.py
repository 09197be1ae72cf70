"""Styled tables for the pages: scores, deltas, pairwise tests and the book's corpora.

The evaluation wing returns plain frames; these turn them into what a reader scans: fixed
decimals, signs on differences, missing cells as a dash, one row per corpus with its status.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from camulenet.evaluation.results_table import _order


def corpora_table(found: list, skipped: list[tuple[str, str]]) -> pd.DataFrame:
    """One row per corpus of the book: clips, speakers, emotions, folds and finished system-fold
    runs of those with results; the reason, and its fix, for those without."""
    rows = [{"corpus": e.name, "clips": len(e.manifest), "speakers": e.manifest["speaker"].nunique(),
             "emotions": e.manifest["emotion"].nunique(), "folds": len(e.folds.folds),
             "system-fold runs": f"{e.finished} of {e.expected}",
             "status": "finished" if e.complete else "partial: the grid is still running or was stopped"}
            for e in found]
    rows += [{"corpus": name, "system-fold runs": "none", "status": why} for name, why in skipped]
    table = pd.DataFrame(rows, columns=["corpus", "clips", "speakers", "emotions", "folds", "system-fold runs",
                                        "status"]).set_index("corpus")
    return table.astype({c: "Int64" for c in ("clips", "speakers", "emotions", "folds")})


def _unbroken(label) -> str:
    """A one-word name whose hyphen never breaks a line ("CREMA-D", "Whisper-Base"); a name
    of several words breaks where words do."""
    label = str(label)
    return label if " " in label else label.replace("-", "\u2011")


def _whole_names(styler):
    """A Styler whose row and column names break between words only."""
    return styler.format_index(_unbroken, axis=0).format_index(_unbroken, axis=1)


def style_scores(table: pd.DataFrame):
    """Scores shaded per column (darker = higher), three decimals, missing cells blank."""
    return _whole_names(table.style.format("{:.3f}", na_rep="").background_gradient(cmap="Greens", axis=0)
                        .highlight_null("white"))


def with_source_groups(table: pd.DataFrame, ours: str, paper: str) -> pd.DataFrame:
    """Table 1 beside the paper (one column per corpus block) under a header row naming where each
    group comes from: the blocks of ours (labelled "... (ours)") under ``ours``, the paper's under
    ``paper`` (:func:`camulenet.book.captions.source_groups`)."""
    corpora = table.columns.get_level_values(0)
    out = table.copy()
    out.columns = pd.MultiIndex.from_arrays([[ours if str(c).endswith("(ours)") else paper for c in corpora],
                                             corpora], names=["source", "corpus"])
    return out


def style_corpora(table: pd.DataFrame):
    """:func:`camulenet.pipeline.corpora_table` for a page: every reason in full (a plain
    DataFrame cuts long cells, and with them the command that fixes a missing corpus)."""
    return table.style.format(na_rep="", precision=0)


def style_deltas(deltas: pd.DataFrame):
    """:func:`ablation_deltas` with column names short enough for a book page."""
    names = {c: c.split(" Δ")[0].removeprefix("paper ").replace("mean", "paper mean") for c in deltas.columns}
    return _whole_names(deltas.rename(columns=names).style.format("{:+.3f}", na_rep=""))


def group_accuracy_view(acc: pd.DataFrame) -> pd.DataFrame:
    """:func:`camulenet.evaluation.results_table.group_accuracy` as one row per system and a
    column block per grouping (language, gender), headed by the group's value alone (``de``,
    not ``language: de``), so that a corpus in five languages still fits a page."""
    wide = acc.pivot_table(index="system", columns=["by", "value"], values="accuracy", sort=False)
    wide.columns.names = [None, None]
    return wide.reindex(_order(wide.index))


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


def comparison_view(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`camulenet.evaluation.cv_stats.comparison_table` narrow enough for a page: one
    row per system, the difference and both intervals in points of accuracy, the corrected
    and Holm's p, Hedges' g with its bootstrap interval, and whether Holm's test rejects."""
    view = pd.DataFrame({
        "system": table["system"],
        "diff (points)": [f"{100 * d:+.1f}" for d in table["mean_diff"]],
        "plain CI": [f"[{100 * lo:+.1f}, {100 * hi:+.1f}]" for lo, hi in zip(table.plain_low, table.plain_high)],
        "corrected CI": [f"[{100 * lo:+.1f}, {100 * hi:+.1f}]" for lo, hi in zip(table.ci_low, table.ci_high)],
        "p": [f"{p:.3f}" for p in table["p"]], "p Holm": [f"{p:.3f}" for p in table["p_holm"]],
        "Hedges' g": [f"{g:+.2f} [{lo:+.2f}, {hi:+.2f}]" for g, lo, hi in
                      zip(table.effect, table.effect_low, table.effect_high)],
        "survives": ["yes" if ok else "no" for ok in table["survives"]]})
    return view.set_index("system")


def remedy_view(effects: pd.DataFrame) -> pd.DataFrame:
    """:func:`remedy_effects` narrow enough for a page: the systems compared are named by
    the change (see :func:`remedies`), not spelled out in two more columns."""
    return effects.drop(columns=["with", "without"], errors="ignore")


def calibration_view(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`calibration_table` with short column names, one row per system."""
    return table.set_index("system").rename(columns={
        "ece_before": "ECE before", "ece_after": "ECE after", "nll_before": "NLL before", "nll_after": "NLL after",
        "temperature (median)": "T (median)"})


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
