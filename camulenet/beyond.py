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
    from camulenet.sanity_baseline import REFERENCE_SYSTEM, fold_results
    from camulenet.speaker_norm import standardise_per_speaker

    stats = pipeline.mfcc_statistics(cfg, manifest)
    ok = ~np.isnan(stats).any(axis=1)
    kept = manifest[ok].reset_index(drop=True)
    X = standardise_per_speaker(stats[ok], kept["speaker"].astype(str))
    out = fold_results(X, kept, pipeline.restrict_folds(folds, set(kept["utt_id"].astype(str))), seed=cfg.seed)
    return out.assign(system=out["system"].replace({REFERENCE_SYSTEM: NORMALISED_REFERENCE}))


def calibration_table(test: pd.DataFrame, val: pd.DataFrame | None, n_bins: int = 15) -> pd.DataFrame:
    """Per system: ECE and NLL of the test predictions before and after temperature scaling,
    the temperature fitted on each fold's *validation* speakers and applied to its test
    speakers (Guo et al. 2017). Without validation predictions the "after" columns are NaN."""
    from camulenet.evaluation.calibration import (apply_temperature, expected_calibration_error, fit_temperature,
                                                  nll, probs_from_predictions)

    rows = []
    for system, part in test.groupby("system", sort=False):
        before, after, temps, ys = [], [], [], []
        for fold, fpart in part.groupby("fold"):
            probs, y, labels = probs_from_predictions(fpart)
            t = np.nan
            if val is not None and len(val):
                v = val[(val.system == system) & (val.fold == fold)]
                if len(v):
                    vp, vy, vlabels = probs_from_predictions(v)
                    if list(vlabels) == list(labels):
                        t = fit_temperature(vp, vy)
            before.append(probs)
            after.append(apply_temperature(probs, t) if np.isfinite(t) else np.full_like(probs, np.nan))
            temps.append(t)
            ys.append(y)
        P, A, Y = np.concatenate(before), np.concatenate(after), np.concatenate(ys)
        fitted = bool(np.isfinite(temps).all())
        rows.append({"system": system, "ece_before": expected_calibration_error(P, Y, n_bins),
                     "ece_after": expected_calibration_error(A, Y, n_bins) if fitted else np.nan,
                     "nll_before": nll(P, Y), "nll_after": nll(A, Y) if fitted else np.nan,
                     "temperature (median)": float(np.nanmedian(temps)) if fitted else np.nan})
    return pd.DataFrame(rows)


def calibrated_probs(test: pd.DataFrame, val: pd.DataFrame | None) -> tuple[dict, dict]:
    """({system: (probs, y)}, {system: probs scaled by each fold's validation-fitted T}) for
    :func:`camulenet.plots.calibration.plot_reliability`; systems without validation
    predictions are left out of the second."""
    from camulenet.evaluation.calibration import apply_temperature, fit_temperature, probs_from_predictions

    raw, scaled = {}, {}
    for system, part in test.groupby("system", sort=False):
        part = part.sort_values(["fold", "utt_id"])
        probs, y, _ = probs_from_predictions(part)
        raw[system] = (probs, y)
        if val is None or not len(val):
            continue
        out = np.full_like(probs, np.nan)
        for fold in part["fold"].unique():
            v = val[(val.system == system) & (val.fold == fold)]
            rows = (part["fold"] == fold).to_numpy()
            if len(v):
                vp, vy, _ = probs_from_predictions(v)
                out[rows] = apply_temperature(probs[rows], fit_temperature(vp, vy))
        if np.isfinite(out).all():
            scaled[system] = out
    return raw, scaled


def transfer_gap(lolo: pd.DataFrame, within: pd.DataFrame) -> pd.DataFrame:
    """Per language: accuracy with the language unseen in training minus with it seen (other speakers)."""
    joined = lolo.merge(within, on=["language", "system"], suffixes=(" unseen language", " seen language"))
    joined["gap"] = joined["accuracy unseen language"] - joined["accuracy seen language"]
    return joined
