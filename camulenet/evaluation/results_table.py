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
