"""The analyses of the chapter "Beyond the paper", each a function over the book's artefacts.

They read what the other chapters made (the corpus, its folds and features, the runs of
chapter 5's folder, which also holds this chapter's extra systems) and the tested pieces of
:mod:`camulenet.evaluation.speaker_similarity`, :mod:`camulenet.features.speaker_norm`,
:mod:`camulenet.evaluation.calibration` and :mod:`camulenet.evaluation.cv_stats`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from camulenet.evaluation.calibration import (
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
    nll,
    probs_from_predictions,
)
from camulenet.evaluation.cv_stats import comparison_table, holm
from camulenet.evaluation.sanity_baseline import REFERENCE_SYSTEM, reference_results
from camulenet.evaluation.speaker_similarity import similarity_accuracy_correlation, speaker_embeddings
from camulenet.features.speaker_norm import standardise_per_speaker

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


def similarity_by_speaker(predictions: pd.DataFrame, manifest: pd.DataFrame, folds, features: dict):
    """(per_speaker, correlations): each test speaker's cosine distance to the nearest training
    speaker of its fold in :data:`SPEAKER_SPACE`, against each system's accuracy on them."""

    emb = speaker_embeddings(clip_vectors(features, manifest), manifest["speaker"].astype(str))
    return similarity_accuracy_correlation(predictions, manifest, emb, folds)


def normalised_reference(cfg, manifest: pd.DataFrame, folds) -> pd.DataFrame:
    """The MFCC-statistics yardstick on per-speaker standardised statistics (transductive:
    each test speaker's own unlabelled clips give its mean and spread), tidy like the runner's."""

    out = reference_results(cfg, manifest, folds,
                                     transform=lambda X, kept: standardise_per_speaker(X, kept["speaker"].astype(str)))
    return out.assign(system=out["system"].replace({REFERENCE_SYSTEM: NORMALISED_REFERENCE}))


def _fold_scaled(part: pd.DataFrame, system: str, val: pd.DataFrame | None):
    """(probs, y, scaled, temperatures) of one system's test predictions, by fold and clip:
    each fold's probabilities divided by the T fitted on that fold's validation predictions
    (Guo et al. 2017); ``scaled`` is None when a fold has none to fit it on."""

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


#: The changes set side by side in the section on per-speaker normalisation: (label, with, without).
def remedies(norm_system: str) -> list[tuple[str, str, str]]:

    return [("speaker normalisation (CAMuLeNet)", norm_system, "CAMuLeNet"),
            ("speaker normalisation (MFCC yardstick)", NORMALISED_REFERENCE, REFERENCE_SYSTEM),
            ("multitask learning", "CAMuLeNet", "CAMuLeNet w/o multitask"),
            ("co-attention", "CAMuLeNet w/o multitask", "CAMuLeNet w/o co-attention & multitask")]


def remedy_effects(results_long: pd.DataFrame, norm_system: str, n_train: float, n_test: float,
                   metric: str = "wa", seed: int = 0) -> pd.DataFrame:
    """Each change's effect on ``metric`` (with minus without, paired by fold), the corrected
    interval and p, and Holm's p over the changes present."""

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


def transfer_comparison(lolo_table: pd.DataFrame, within: pd.DataFrame) -> pd.DataFrame:
    """Long table (language, system, setting, accuracy): the language seen in training (other
    speakers, chapter 5's folds) or unseen (left out); only systems present in both."""
    seen = within.assign(setting="language seen in training")
    unseen = lolo_table.assign(setting="language left out")
    both = sorted(set(seen.system) & set(unseen.system))
    cols = ["language", "system", "setting", "accuracy"]
    return pd.concat([seen[cols], unseen[cols]], ignore_index=True).query("system in @both")
