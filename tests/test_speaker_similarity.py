import numpy as np
import pandas as pd
import pytest

from camulenet.data.folds import Fold
from camulenet.evaluation.speaker_similarity import (
    nearest_training_distance,
    per_speaker_accuracy,
    similarity_accuracy_correlation,
    speaker_embeddings,
)


def _fold(train, test, val=()):
    return Fold(test_speakers=list(test), val_speakers=list(val), train_speakers=list(train),
                train=[], val=[], test=[])


def test_speaker_embeddings_are_per_speaker_means():
    X = np.array([[1.0, 0.0], [3.0, 2.0], [0.0, 5.0]])
    emb = speaker_embeddings(X, ["b", "b", "a"])
    assert list(emb.index) == ["a", "b"]
    assert emb.loc["b"].tolist() == [2.0, 1.0] and emb.loc["a"].tolist() == [0.0, 5.0]
    with pytest.raises(ValueError):
        speaker_embeddings(X, ["a", "b"])


def test_nearest_distance_zero_for_identical_voice():
    rng = np.random.default_rng(0)
    emb = pd.DataFrame(rng.normal(size=(5, 8)), index=list("ABCDE"))
    emb.loc["E"] = emb.loc["B"] * 3.0  # same direction: cosine distance 0
    d = nearest_training_distance(emb, [_fold(train="ABC", test="DE")]).set_index("speaker")
    assert d.loc["E", "distance"] == pytest.approx(0.0, abs=1e-12)
    assert d.loc["E", "nearest_train_speaker"] == "B"
    assert d.loc["D", "distance"] > 0.05


def test_never_uses_a_test_speaker_as_neighbour():
    rng = np.random.default_rng(1)
    emb = pd.DataFrame(rng.normal(size=(6, 4)), index=list("ABCDEF"))
    emb.loc["E"] = emb.loc["D"]  # two test speakers with the same voice must not match each other
    emb.loc["F"] = emb.loc["D"] + 1e-3  # nor a validation speaker, unless asked
    folds = [_fold(train="ABC", val="F", test="DE"), _fold(train="DEF", val="A", test="BC")]
    d = nearest_training_distance(emb, folds)
    for k, fold in enumerate(folds):
        part = d[d["fold"] == k]
        assert set(part["nearest_train_speaker"]) <= set(fold.train_speakers)
        assert set(part["speaker"]) == set(fold.test_speakers)
    assert (d.loc[d["fold"] == 0, "distance"] > 0.01).all()
    with_val = nearest_training_distance(emb, folds, include_val=True)
    assert (with_val.loc[with_val["fold"] == 0, "nearest_train_speaker"] == "F").all()
    with pytest.raises(ValueError):
        nearest_training_distance(emb, [_fold(train="ABD", test="DE")])
    with pytest.raises(KeyError):
        nearest_training_distance(emb.drop("A"), folds)


def _constructed(n_train=6, n_test=8, clips=20, seed=0):
    """Test speakers at growing angles from the training voices, accuracy falling with the angle."""
    rng = np.random.default_rng(seed)
    train = [f"tr{i}" for i in range(n_train)]
    test = [f"te{i}" for i in range(n_test)]
    vecs = {s: np.r_[1.0, rng.normal(0, 0.05, 3), 0.0] for s in train}
    for i, s in enumerate(test):
        a = 0.15 * (i + 1)  # angle grows with i
        vecs[s] = np.r_[np.cos(a), 0.0, 0.0, 0.0, np.sin(a)]
    rows, preds = [], []
    for s, v in vecs.items():
        for c in range(clips):
            u = f"{s}_{c}"
            rows.append({"utt_id": u, "speaker": s, "x": v + rng.normal(0, 0.01, 5)})
    man = pd.DataFrame(rows)
    for i, s in enumerate(test):
        n_right = clips - 2 * i  # the farther, the fewer right
        for c in range(clips):
            for system, right in (("good", c < n_right), ("flat", c % 2 == 0)):
                preds.append({"utt_id": f"{s}_{c}", "fold": 0, "system": system, "true": "sad",
                              "pred": "sad" if right else "angry"})
    folds = [Fold(test_speakers=test, val_speakers=[], train_speakers=train,
                  train=man.loc[man.speaker.isin(train), "utt_id"].tolist(), val=[],
                  test=man.loc[man.speaker.isin(test), "utt_id"].tolist())]
    return man, pd.DataFrame(preds), folds


def test_accuracy_falling_with_distance_gives_negative_rho():
    man, preds, folds = _constructed()
    emb = speaker_embeddings(np.stack(man["x"]), man["speaker"])
    per, corr = similarity_accuracy_correlation(preds, man, emb, folds)
    corr = corr.set_index("system")
    assert corr.loc["good", "rho"] < -0.9 and corr.loc["good", "p"] < 0.01
    assert np.isnan(corr.loc["flat", "rho"])  # constant accuracy: no correlation defined
    assert corr.loc["good", "n_speakers"] == 8
    good = per[per["system"] == "good"].assign(i=lambda d: d["speaker"].str[2:].astype(int)).sort_values("i")
    assert good["distance"].is_monotonic_increasing and good["accuracy"].is_monotonic_decreasing
    acc = per_speaker_accuracy(preds, man)
    assert acc.query("system == 'good' and speaker == 'te0'")["accuracy"].item() == 1.0
    assert acc.query("system == 'good' and speaker == 'te7'")["accuracy"].item() == pytest.approx(6 / 20)


def test_per_speaker_accuracy_rejects_unknown_clips():
    man, preds, _ = _constructed(n_test=2)
    with pytest.raises(KeyError):
        per_speaker_accuracy(preds.assign(utt_id="nope"), man)
