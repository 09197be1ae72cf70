from collections import Counter

import pandas as pd
import pytest

from camulenet.data.folds import Folds, check_speaker_disjoint
from camulenet.data.transfer_folds import (
    CROSS_CORPUS,
    LOLO,
    cross_corpus_pairs,
    cross_corpus_split,
    fold_languages,
    leave_one_language_out,
)


def _manifest(spec, clips=3):
    """spec: corpus -> (language, n_speakers, emotions); speakers alternate gender."""
    rows = []
    for corpus, (language, n_spk, emotions) in spec.items():
        for s in range(n_spk):
            for e in emotions:
                for c in range(clips):
                    rows.append({"utt_id": f"{corpus}_{s}_{e}_{c}", "path": "x.wav", "corpus": corpus,
                                 "language": language, "speaker": f"{corpus}_s{s}",
                                 "gender": "female" if s % 2 else "male", "emotion": e})
    return pd.DataFrame(rows)


SIX = ["neutral", "angry", "happy", "sad", "fear", "disgust"]
SPEC = {"crema": ("en", 6, SIX), "emodb": ("de", 5, SIX[:5] + ["surprise"]), "ravdess": ("en2", 4, SIX + ["calm"]),
        "shemo": ("fa", 4, ["neutral", "angry", "sad", "surprise"])}


def test_lolo_never_tests_a_training_language_and_tests_each_clip_once(tmp_path):
    man = _manifest(SPEC)
    folds = leave_one_language_out(man, seed=3)
    assert folds.strategy == LOLO and folds.n_folds == 4
    assert check_speaker_disjoint(folds, man)
    langs = fold_languages(folds, man)
    for _, row in langs.iterrows():
        assert len(row["test"]) == 1
        assert row["test"][0] not in row["train"] + row["val"]
    assert sorted(r[0] for r in langs["test"]) == sorted(man["language"].unique())
    counts = Counter(u for f in folds.folds for u in f.test)
    assert set(counts) == set(man["utt_id"]) and set(counts.values()) == {1}
    for f in folds.folds:  # speakers disjoint, val drawn from the training languages
        assert not (set(f.train_speakers) | set(f.val_speakers)) & set(f.test_speakers)
        assert not set(f.train_speakers) & set(f.val_speakers) and f.val_speakers
    # seeded, and saved/loaded as ordinary folds
    assert leave_one_language_out(man, seed=3).folds == folds.folds
    assert leave_one_language_out(man, seed=4).folds != folds.folds
    back = Folds.from_json(folds.to_json(tmp_path / "lolo.json"), by="speaker")
    assert back.folds == folds.folds


def test_lolo_input_checks():
    man = _manifest(SPEC)
    with pytest.raises(ValueError):
        leave_one_language_out(man.drop(columns="language"))
    with pytest.raises(ValueError):
        leave_one_language_out(man.assign(language="en"))
    mixed = man.copy()
    mixed.loc[mixed.index[0], "language"] = "xx"  # one speaker in two languages
    with pytest.raises(ValueError):
        leave_one_language_out(mixed)


def test_cross_corpus_drops_only_unshared_emotions_and_reports_them():
    man = _manifest(SPEC)
    split = cross_corpus_split(man, "ravdess", "emodb", seed=1)
    assert split.labels == sorted(["neutral", "angry", "happy", "sad", "fear"])
    assert split.mapping["ravdess"]["calm"] is None and split.mapping["ravdess"]["disgust"] is None
    assert split.mapping["emodb"]["surprise"] is None and split.mapping["emodb"]["sad"] == "sad"
    # dropped = exactly the unshared clips; kept + dropped = both corpora
    pair = man[man["corpus"].isin(["ravdess", "emodb"])]
    unshared = pair[~pair["emotion"].isin(split.labels)]
    assert set(split.dropped["utt_id"]) == set(unshared["utt_id"])
    assert len(split.manifest) + len(split.dropped) == len(pair)
    assert set(split.manifest["emotion"]) == set(split.labels)
    assert split.dropped["reason"].str.contains("not in").all()
    f = split.folds.folds[0]
    assert split.folds.strategy == CROSS_CORPUS
    assert set(split.manifest.set_index("utt_id").loc[f.test, "corpus"]) == {"emodb"}
    assert set(split.manifest.set_index("utt_id").loc[f.train + f.val, "corpus"]) == {"ravdess"}
    assert set(f.test) == set(split.manifest.loc[split.manifest.corpus == "emodb", "utt_id"])
    assert not set(f.train_speakers + f.val_speakers) & set(f.test_speakers)
    s = split.summary().set_index(["corpus", "emotion_original"])
    assert s.loc[("ravdess", "calm"), "dropped"] == 4 * 3 and s.loc[("ravdess", "calm"), "kept"] == 0


def test_cross_corpus_merge_and_pairs():
    spec = {"iemocap": ("en", 4, ["neutral", "angry", "excited", "sad", "frustrated"]),
            "crema": ("en", 4, SIX)}
    man = _manifest(spec)
    plain = cross_corpus_split(man, "iemocap", "crema")
    merged = cross_corpus_split(man, "iemocap", "crema", merge={"excited": "happy"})
    assert "happy" not in plain.labels and "happy" in merged.labels
    assert merged.mapping["iemocap"]["excited"] == "happy"
    kept = merged.manifest[merged.manifest.emotion_original == "excited"]
    assert len(kept) and (kept["emotion"] == "happy").all()
    assert "frustrated" in set(merged.dropped["emotion"])
    pairs = cross_corpus_pairs(man)
    assert set(pairs) == {("crema", "iemocap"), ("iemocap", "crema")}
    with pytest.raises(ValueError):
        cross_corpus_split(man, "crema", "crema")
    clash = man.copy()
    clash.loc[clash.corpus == "crema", "speaker"] = clash.loc[clash.corpus == "crema", "speaker"].str.replace(
        "crema", "iemocap")
    with pytest.raises(ValueError):
        cross_corpus_split(clash, "iemocap", "crema")
