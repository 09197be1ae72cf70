"""The analyses of the chapter "Beyond the paper", each a function over the book's artefacts.

They read what the other chapters made (the corpus, its folds and features, the runs of
chapter 5's folder, which also holds this chapter's extra systems) and the tested pieces of
:mod:`camulenet.speaker_similarity`, :mod:`camulenet.speaker_norm`,
:mod:`camulenet.evaluation.calibration` and :mod:`camulenet.evaluation.cv_stats`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Speaker embedding used for similarity: the mean over a speaker's clips of the time-pooled
#: Whisper encoder frames (the book's ``whisper_mean`` feature).
SPEAKER_SPACE = "whisper_mean"
NORMALISED_REFERENCE = "MFCC statistics + LR (speaker-normalised)"


def clip_vectors(features: dict, manifest: pd.DataFrame, name: str = SPEAKER_SPACE) -> np.ndarray:
    """One vector per manifest clip (in manifest order) from a pooled feature (one frame per clip)."""
    ragged = features[name]
    where = {u: i for i, u in enumerate(map(str, ragged.ids))}
    missing = [u for u in manifest["utt_id"].astype(str) if u not in where]
    if missing:
        raise KeyError(f"{len(missing)} clips lack feature {name!r} (e.g. {missing[:3]}); use "
                       f"pipeline.with_features to keep the readable clips")
    return np.stack([np.asarray(ragged[where[u]], dtype=np.float32).reshape(-1)
                     for u in manifest["utt_id"].astype(str)])


def speaker_similarity(predictions: pd.DataFrame, manifest: pd.DataFrame, folds, features: dict):
    """(per_speaker, correlations): each test speaker's cosine distance to the nearest training
    speaker of its fold in :data:`SPEAKER_SPACE`, against each system's accuracy on them."""
    from camulenet.speaker_similarity import similarity_accuracy_correlation, speaker_embeddings

    emb = speaker_embeddings(clip_vectors(features, manifest), manifest["speaker"].astype(str))
    return similarity_accuracy_correlation(predictions, manifest, emb, folds)


def normalised_reference(cfg, manifest: pd.DataFrame, folds) -> pd.DataFrame:
    """The MFCC-statistics yardstick on per-speaker standardised statistics (transductive:
    each test speaker's own unlabelled clips give its mean and spread), tidy like the runner's."""
    from camulenet import pipeline
    from camulenet.sanity_baseline import REFERENCE_SYSTEM
    from camulenet.speaker_norm import standardise_per_speaker

    out = pipeline.reference_results(cfg, manifest, folds,
                                     transform=lambda X, kept: standardise_per_speaker(X, kept["speaker"].astype(str)))
    return out.assign(system=out["system"].replace({REFERENCE_SYSTEM: NORMALISED_REFERENCE}))


def _fold_scaled(part: pd.DataFrame, system: str, val: pd.DataFrame | None):
    """(probs, y, scaled, temperatures) of one system's test predictions, by fold and clip:
    each fold's probabilities divided by the T fitted on that fold's validation predictions
    (Guo et al. 2017); ``scaled`` is None when a fold has none to fit it on."""
    from camulenet.evaluation.calibration import apply_temperature, fit_temperature, probs_from_predictions

    part = part.sort_values(["fold", "utt_id"])
    probs, y, labels = probs_from_predictions(part)
    scaled, temps = np.full_like(probs, np.nan), []
    folds = part["fold"].to_numpy()
    for fold in pd.unique(folds):
        t = np.nan
        v = val[(val.system == system) & (val.fold == fold)] if val is not None and len(val) else None
        if v is not None and len(v):
            vp, vy, vlabels = probs_from_predictions(v)
            if list(vlabels) == list(labels):
                t = fit_temperature(vp, vy)
        if np.isfinite(t):
            scaled[folds == fold] = apply_temperature(probs[folds == fold], t)
        temps.append(t)
    return probs, y, (scaled if np.isfinite(temps).all() else None), temps


def calibration_table(test: pd.DataFrame, val: pd.DataFrame | None, n_bins: int = 15) -> pd.DataFrame:
    """Per system: ECE and NLL of the test predictions before and after temperature scaling,
    the temperature fitted on each fold's *validation* speakers and applied to its test
    speakers (Guo et al. 2017). Without validation predictions the "after" columns are NaN."""
    from camulenet.evaluation.calibration import expected_calibration_error, nll

    rows = []
    for system, part in test.groupby("system", sort=False):
        P, Y, A, temps = _fold_scaled(part, system, val)
        fitted = A is not None
        rows.append({"system": system, "ece_before": expected_calibration_error(P, Y, n_bins),
                     "ece_after": expected_calibration_error(A, Y, n_bins) if fitted else np.nan,
                     "nll_before": nll(P, Y), "nll_after": nll(A, Y) if fitted else np.nan,
                     "temperature (median)": float(np.nanmedian(temps)) if fitted else np.nan})
    return pd.DataFrame(rows)


def calibrated_probs(test: pd.DataFrame, val: pd.DataFrame | None) -> tuple[dict, dict]:
    """({system: (probs, y)}, {system: probs scaled by each fold's validation-fitted T}) for
    :func:`camulenet.plots.calibration.plot_reliability`; systems without validation
    predictions are left out of the second."""
    raw, scaled = {}, {}
    for system, part in test.groupby("system", sort=False):
        probs, y, after, _ = _fold_scaled(part, system, val)
        raw[system] = (probs, y)
        if after is not None:
            scaled[system] = after
    return raw, scaled


def transfer_gap(lolo: pd.DataFrame, within: pd.DataFrame) -> pd.DataFrame:
    """Per language: accuracy with the language unseen in training minus with it seen (other speakers)."""
    joined = lolo.merge(within, on=["language", "system"], suffixes=(" unseen language", " seen language"))
    joined["gap"] = joined["accuracy unseen language"] - joined["accuracy seen language"]
    return joined


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


def survivors_text(table: pd.DataFrame, reference: str) -> str:
    """One sentence naming which comparisons with ``reference`` survive Holm's correction."""
    yes = [f"{s} ({100 * d:+.1f} points)" for s, d, ok in zip(table.system, table.mean_diff, table.survives) if ok]
    no = [s for s, ok in zip(table.system, table.survives) if not ok]
    if not len(table):
        return "There is nothing to compare."
    if not yes:
        return (f"No difference from {reference} survives the corrected test with Holm's correction: "
                f"{', '.join(no)} are all within what the spread across folds allows.")
    verb = "survives" if len(yes) == 1 else "survive"
    text = f"Against {reference}, {', '.join(yes)} {verb} the corrected test with Holm's correction"
    return text + (f"; {', '.join(no)} {'does' if len(no) == 1 else 'do'} not." if no else ".")


#: The changes set side by side in the section on per-speaker normalisation: (label, with, without).
def remedies(norm_system: str) -> list[tuple[str, str, str]]:
    from camulenet.sanity_baseline import REFERENCE_SYSTEM

    return [("speaker normalisation (CAMuLeNet)", norm_system, "CAMuLeNet"),
            ("speaker normalisation (MFCC yardstick)", NORMALISED_REFERENCE, REFERENCE_SYSTEM),
            ("multitask learning", "CAMuLeNet", "CAMuLeNet w/o multitask"),
            ("co-attention", "CAMuLeNet w/o multitask", "CAMuLeNet w/o co-attention & multitask")]


def remedy_effects(results_long: pd.DataFrame, norm_system: str, n_train: float, n_test: float,
                   metric: str = "wa", seed: int = 0) -> pd.DataFrame:
    """Each change's effect on ``metric`` (with minus without, paired by fold), the corrected
    interval and p, and Holm's p over the changes present."""
    from camulenet.evaluation.cv_stats import comparison_table, holm

    rows = []
    for label, with_, without in remedies(norm_system):
        pair = results_long[results_long.system.isin([with_, without])]
        if pair.system.nunique() < 2:
            continue
        t = comparison_table(pair, without, metric, n_train, n_test, seed=seed).iloc[0]
        rows.append({"change": label, "with": with_, "without": without, "effect (points)": 100 * t.mean_diff,
                     "corrected 95% CI": f"[{100 * t.ci_low:+.1f}, {100 * t.ci_high:+.1f}]", "p (corrected)": t.p})
    table = pd.DataFrame(rows)
    if len(table):
        reject, table["p (Holm)"] = holm(table["p (corrected)"].to_numpy(float))
        table["survives"] = reject
    return table.set_index("change").round({"effect (points)": 1, "p (corrected)": 3, "p (Holm)": 3})


def remedy_text(effects: pd.DataFrame) -> str:
    """Which change helps most (or that none helps), and which effects survive Holm's correction."""
    if effects.empty:
        return ""
    eff = effects["effect (points)"]
    best = eff.idxmax()
    if eff[best] > 0:
        text = f"The largest gain is from {best} ({eff[best]:+.1f} points)."
    else:
        text = (f"No change raises mean accuracy; the smallest loss is from {best} "
                f"({eff[best]:+.1f} points).")
    surviving = [f"{c} ({eff[c]:+.1f})" for c in effects.index if effects.loc[c, "survives"]]
    return text + (f" Effects that survive the corrected test with Holm's correction: {', '.join(surviving)}."
                   if surviving else " No effect survives Holm's correction: each is within the spread across folds.")


def remedy_view(effects: pd.DataFrame) -> pd.DataFrame:
    """:func:`remedy_effects` narrow enough for a page: the systems compared are named by
    the change (see :func:`remedies`), not spelled out in two more columns."""
    return effects.drop(columns=["with", "without"], errors="ignore")


def similarity_text(correlations: pd.DataFrame) -> str:
    """The rank correlations in words."""
    parts = []
    for r in correlations.itertuples():
        if np.isnan(r.rho):
            why = "too few speakers" if r.n_speakers < 3 else "no spread in the accuracies or distances"
            parts.append(f"for {r.system} there is nothing to correlate ({why})")
            continue
        direction = "lower" if r.rho < 0 else "higher"
        parts.append(f"for {r.system} rho = {r.rho:.2f} (p = {r.p:.2g}): farther voices get {direction} accuracy"
                     + ("" if r.p < 0.05 else ", but not reliably so"))
    return "Across the test speakers of all folds, " + "; ".join(parts) + "."


def calibration_text(table: pd.DataFrame) -> str:
    """How miscalibrated the systems are, and what temperature scaling does to each (its ECE
    may rise: a temperature fitted on validation speakers need not suit the test speakers)."""
    fitted = table.dropna(subset=["ece_after"])
    worst = table.loc[table.ece_before.idxmax()]
    text = (f"Before scaling, ECE ranges from {table.ece_before.min():.3f} to {table.ece_before.max():.3f} "
            f"({worst.system} the worst).")
    if len(fitted):
        over = int((fitted["temperature (median)"] > 1).sum())
        lower = int((fitted.ece_after.round(3) < fitted.ece_before.round(3)).sum())
        text += (f" With temperatures fitted on the validation speakers, ECE on the test speakers is "
                 f"{fitted.ece_after.min():.3f} to {fitted.ece_after.max():.3f}: lower than before for {lower} "
                 f"of {len(fitted)} systems. {over} of {len(fitted)} systems get a median T above 1 "
                 f"(overconfident on their validation speakers).")
    return text


def calibration_view(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`calibration_table` with short column names, one row per system."""
    return table.set_index("system").rename(columns={
        "ece_before": "ECE before", "ece_after": "ECE after", "nll_before": "NLL before", "nll_after": "NLL after",
        "temperature (median)": "T (median)"})


def transfer_comparison(lolo_table: pd.DataFrame, within: pd.DataFrame) -> pd.DataFrame:
    """Long table (language, system, setting, accuracy): the language seen in training (other
    speakers, chapter 5's folds) or unseen (left out); only systems present in both."""
    seen = within.assign(setting="language seen in training")
    unseen = lolo_table.assign(setting="language left out")
    both = sorted(set(seen.system) & set(unseen.system))
    cols = ["language", "system", "setting", "accuracy"]
    return pd.concat([seen[cols], unseen[cols]], ignore_index=True).query("system in @both")


def transfer_text(compare: pd.DataFrame) -> str:
    """The mean cost of leaving a language out, per system, and the language that loses most
    (or, when none loses, that none does)."""
    wide = compare.pivot_table(index=["system", "language"], columns="setting", values="accuracy")
    wide["cost"] = wide["language seen in training"] - wide["language left out"]
    parts = []
    for system, part in wide.groupby(level="system"):
        worst = part["cost"].idxmax()[1]
        mean, top = 100 * part["cost"].mean(), 100 * part["cost"].max()
        tail = (f"the largest loss, on {worst}: {top:.1f}" if top > 0 else
                "no language loses accuracy")
        parts.append(f"{system} {'loses' if mean >= 0 else 'gains'} {abs(mean):.1f} points on average when a "
                     f"language is left out ({tail})")
    return "; ".join(parts) + "."
