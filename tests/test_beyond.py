"""The chapter "Beyond the paper"'s analyses on small tables the tests make."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from camulenet.book.tables import calibration_view
from camulenet.book.verdicts import calibration_text, remedy_text, survivors_text, transfer_text
from camulenet.experiments import beyond
from camulenet.storage.ragged import Ragged


def _predictions(rng, system: str, n_per_fold: int, sharpness: float, folds=(0, 1, 2)) -> pd.DataFrame:
    """Overconfident toy predictions: right 60% of the time, sharpened probabilities."""
    rows = []
    labels = ["angry", "happy", "sad"]
    for fold in folds:
        for i in range(n_per_fold):
            true = rng.integers(3)
            guess = true if rng.random() < 0.6 else (true + 1 + rng.integers(2)) % 3
            logits = rng.normal(size=3)
            logits[guess] += 1.5
            p = np.exp(sharpness * logits) / np.exp(sharpness * logits).sum()
            rows.append({"utt_id": f"{system}-{fold}-{i}", "fold": fold, "system": system, "true": labels[true],
                         "pred": labels[int(np.argmax(p))], **{f"prob_{lab}": p[j] for j, lab in enumerate(labels)}})
    return pd.DataFrame(rows)


def test_temperature_fitted_on_validation_speakers_lowers_test_ece_of_an_overconfident_system():
    rng = np.random.default_rng(0)
    test = _predictions(rng, "A", 400, sharpness=4.0)
    val = _predictions(rng, "A", 400, sharpness=4.0)
    table = beyond.calibration_table(test, val).set_index("system")
    assert table.loc["A", "temperature (median)"] > 1.5  # overconfident: T > 1 softens
    assert table.loc["A", "ece_after"] < 0.5 * table.loc["A", "ece_before"]
    assert table.loc["A", "nll_after"] < table.loc["A", "nll_before"]
    no_val = beyond.calibration_table(test, None)
    assert np.isnan(no_val["ece_after"]).all() and no_val["ece_before"].iloc[0] == table.loc["A", "ece_before"]


def test_calibrated_probs_scale_each_fold_by_its_own_temperature():
    rng = np.random.default_rng(1)
    test = pd.concat([_predictions(rng, "A", 50, 4.0), _predictions(rng, "B", 50, 1.0)])
    val = _predictions(rng, "A", 200, 4.0)  # B has no validation predictions
    raw, scaled = beyond.calibrated_probs(test, val)
    assert set(raw) == {"A", "B"} and set(scaled) == {"A"}
    assert np.allclose(scaled["A"].sum(1), 1) and not np.allclose(scaled["A"], raw["A"][0])
    assert (scaled["A"].argmax(1) == raw["A"][0].argmax(1)).all()  # temperature never changes a decision


def test_clip_vectors_follow_the_manifest_order_and_name_missing_clips():
    feats = {"whisper_mean": Ragged.from_list([np.full((1, 2), i, np.float32) for i in range(3)], ["a", "b", "c"])}
    manifest = pd.DataFrame({"utt_id": ["c", "a"]})
    assert beyond.clip_vectors(feats, manifest).tolist() == [[2, 2], [0, 0]]
    with pytest.raises(KeyError, match="lack feature 'whisper_mean'"):
        beyond.clip_vectors(feats, pd.DataFrame({"utt_id": ["a", "zz"]}))


def test_transfer_gap_is_unseen_minus_seen():
    lolo = pd.DataFrame({"language": ["de", "fr"], "system": "X", "accuracy": [0.3, 0.5]})
    within = pd.DataFrame({"language": ["de", "fr"], "system": "X", "accuracy": [0.4, 0.45]})
    gap = beyond.transfer_gap(lolo, within).set_index("language")["gap"]
    assert gap.round(6).to_dict() == {"de": -0.1, "fr": 0.05}


def test_survivors_text_names_what_survives_holm():
    table = pd.DataFrame({"system": ["A", "B"], "mean_diff": [0.05, -0.01], "survives": [True, False]})
    assert survivors_text(table, "R") == ("Against R, A (+5.0 points) survives the corrected test with "
                                          "Holm's correction over the 2 comparisons of its table (A, B); B does not.")
    assert survivors_text(table.assign(survives=False), "R").startswith("No difference from R survives")


def _tidy(system: str, values) -> pd.DataFrame:
    return pd.DataFrame({"system": system, "fold": range(len(values)), "metric": "wa", "value": values})


def test_remedy_effects_pair_each_change_with_its_own_baseline():
    rng = np.random.default_rng(3)
    base = rng.uniform(0.3, 0.5, 10)
    long = pd.concat([_tidy("CAMuLeNet", base), _tidy("Norm", base + 0.10 + rng.normal(0, 0.01, 10)),
                      _tidy("CAMuLeNet w/o multitask", base - 0.001 + rng.normal(0, 0.03, 10)),
                      _tidy("CAMuLeNet w/o co-attention & multitask", base + rng.normal(0, 0.03, 10))])
    effects = beyond.remedy_effects(long, "Norm", n_train=900, n_test=100)
    assert list(effects.index) == ["speaker normalisation (CAMuLeNet)", "multitask learning", "co-attention"]
    assert effects.loc["speaker normalisation (CAMuLeNet)", "effect (points)"] == pytest.approx(10, abs=1)
    assert effects.loc["speaker normalisation (CAMuLeNet)", "survives"]
    assert (effects["p (Holm)"] >= effects["p (corrected)"]).all()
    assert remedy_text(effects).startswith("The largest gain is from speaker normalisation (CAMuLeNet)")


def test_transfer_comparison_and_text():
    within = pd.DataFrame({"language": ["de", "fr"], "system": "X", "accuracy": [0.5, 0.6]})
    lolo = pd.DataFrame({"language": ["de", "fr"], "system": ["X", "X"], "accuracy": [0.3, 0.55]})
    compare = beyond.transfer_comparison(lolo, within)
    assert len(compare) == 4 and set(compare.setting) == {"language seen in training", "language left out"}
    assert transfer_text(compare) == ("X loses 12.5 points on average when a language is left out "
                                      "(the largest loss, on de: 20.0, sd 10.6 over 2 languages).")
    within_noise = compare.assign(accuracy=[0.5, 0.6, 0.3, 0.7])  # costs +20 and -10: mean within the spread
    assert transfer_text(within_noise).startswith("X shows no clear change when a language is left out")
    better = compare.assign(accuracy=[0.5, 0.6, 0.55, 0.65])
    assert transfer_text(better).startswith("X gains 5.0 points on average")


def test_texts_never_call_a_loss_a_gain():
    effects = pd.DataFrame({"effect (points)": [-1.5, -0.2], "survives": [False, True]},
                           index=pd.Index(["a", "b"], name="change"))
    text = remedy_text(effects)
    assert text.startswith("No change raises mean accuracy; the smallest loss is from b (-0.2 points).")
    assert "gain" not in text and "b (-0.2)" in text
    within = pd.DataFrame({"language": ["de", "fr"], "system": "X", "accuracy": [0.5, 0.6]})
    lolo = pd.DataFrame({"language": ["de", "fr"], "system": "X", "accuracy": [0.55, 0.65]})
    assert "no language loses accuracy" in transfer_text(beyond.transfer_comparison(lolo, within))


def test_calibration_text_counts_systems_whose_ece_rose():
    table = pd.DataFrame({"system": ["A", "B"], "ece_before": [0.20, 0.05], "ece_after": [0.04, 0.08],
                          "nll_before": [1.0, 1.0], "nll_after": [0.9, 1.1], "temperature (median)": [1.8, 0.9]})
    text = calibration_text(table)
    assert "lower for 1 of 2 systems, higher for 1, and unchanged (within 0.01) for 0" in text
    assert "It rose for B 0.050 to 0.080: the temperature is fitted on a fold's few validation speakers" in text
    assert "no fix here for that system" in text and "1 of 2 systems get a median T above 1" in text
    small = table.assign(ece_after=[0.04, 0.059])  # +0.009: under the rule's 0.01, unchanged, not "higher"
    assert "higher for 0, and unchanged (within 0.01) for 1" in calibration_text(small)
    assert list(calibration_view(table).columns)[:2] == ["ECE before", "ECE after"]


def test_similarity_plot_scales_tiny_distances_into_its_label():
    import matplotlib

    matplotlib.use("Agg")
    from camulenet.plots.beyond import plot_similarity

    per_speaker = pd.DataFrame({"system": "A", "fold": [0, 0, 1, 1], "distance": [0.0021, 0.0030, 0.0042, 0.0025],
                                "accuracy": [0.2, 0.5, 0.4, 0.9]})
    rho = pd.DataFrame({"system": ["A"], "rho": [0.1], "p": [0.9], "n_speakers": [4]})
    fig = plot_similarity(per_speaker, rho)
    ax = fig.axes[0]
    assert ax.get_xlabel().endswith("(×10$^{-3}$)")
    assert 1.5 < ax.collections[0].get_offsets()[:, 0].min() < 5 and len(fig.legends) == 1
