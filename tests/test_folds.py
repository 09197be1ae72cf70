"""Speaker-independent folds: disjointness, coverage, determinism, LOSO, sessions, JSON, guard,
and balance on a crowdsourced shape (hundreds of speakers holding few, uneven clips)."""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest

from camulenet.data.folds import (KFOLD, LOSESO, LOSO, Fold, Folds, check_speaker_disjoint, fold_protocols, make_folds,
                                  uneven_speakers)


def toy_manifest(n_female: int, n_male: int, clips: int = 4, corpus: str = "toy") -> pd.DataFrame:
    rows = []
    speakers = [(f"{corpus}_f{i:02d}", "female") for i in range(n_female)]
    speakers += [(f"{corpus}_m{i:02d}", "male") for i in range(n_male)]
    for spk, gender in speakers:
        for k in range(clips):
            rows.append({"utt_id": f"{spk}_{k}", "path": f"/x/{spk}_{k}.wav", "corpus": corpus,
                         "language": "en", "speaker": spk, "gender": gender,
                         "emotion": ("neutral", "angry", "happy", "sad")[k % 4]})
    return pd.DataFrame(rows)


def test_kfold_disjoint_and_complete():
    m = toy_manifest(43, 48, clips=3)
    f = make_folds(m, n_folds=10, seed=0)
    assert f.strategy == KFOLD and f.n_folds == 10 and len(f.folds) == 10 and f.corpus == "toy"
    assert check_speaker_disjoint(f, m)
    tested = [u for fold in f.folds for u in fold.test]
    assert sorted(tested) == sorted(m["utt_id"])                      # each clip tested exactly once
    assert sorted(s for fold in f.folds for s in fold.test_speakers) == sorted(m["speaker"].unique())
    gender = m.groupby("speaker")["gender"].first()
    for fold in f.folds:
        assert not set(fold.test_speakers) & set(fold.val_speakers)
        assert not set(fold.train_speakers) & (set(fold.val_speakers) | set(fold.test_speakers))
        assert len(fold.train) + len(fold.val) + len(fold.test) == len(m)
        n_f = (gender[fold.test_speakers] == "female").sum()
        assert n_f in (4, 5) and len(fold.test_speakers) in (9, 10)  # gender spread evenly
        assert sorted(gender[fold.val_speakers]) == ["female", "male"]  # one per gender


def test_determinism(tmp_path):
    m = toy_manifest(6, 7)
    a, b, c = (make_folds(m, n_folds=5, seed=s) for s in (3, 3, 4))
    pa, pb, pc = (x.to_json(tmp_path / f"{n}.json") for n, x in zip("abc", (a, b, c)))
    assert pa.read_bytes() == pb.read_bytes()
    assert pa.read_bytes() != pc.read_bytes()
    # Row order of the manifest must not change which speakers go where.
    shuffled = m.sample(frac=1.0, random_state=1).reset_index(drop=True)
    d = make_folds(shuffled, n_folds=5, seed=3)
    assert [x.test_speakers for x in d.folds] == [x.test_speakers for x in a.folds]
    assert [x.val_speakers for x in d.folds] == [x.val_speakers for x in a.folds]


def test_loso_when_few_speakers():
    m = toy_manifest(3, 3)
    f = make_folds(m, n_folds=10, seed=0)
    assert f.strategy == LOSO and f.n_folds == 6
    assert [x.test_speakers for x in f.folds] == [[s] for s in sorted(m["speaker"].unique())]
    for x in f.folds:
        assert len(x.val_speakers) == 2 and len(x.train_speakers) == 3
    one = make_folds(m, n_val_speakers=1)
    assert all(len(x.val_speakers) == 1 for x in one.folds)
    with pytest.raises(ValueError, match="leaves no training speaker"):
        make_folds(m, n_val_speakers=5)


def test_json_round_trip_and_indices(tmp_path):
    m = toy_manifest(5, 6)
    f = make_folds(m, n_folds=4, seed=7, n_val_speakers=3)
    g = Folds.from_json(f.to_json(tmp_path / "folds.json"))
    assert g == f and isinstance(g.folds[0], Fold)
    tr, va, te = g.folds[1].indices(m)
    assert tr.dtype == np.int64 and len(tr) + len(va) + len(te) == len(m)
    assert set(m.iloc[te]["speaker"]) == set(g.folds[1].test_speakers)
    assert set(m.iloc[va]["speaker"]) == set(g.folds[1].val_speakers)
    with pytest.raises(KeyError, match="not in the manifest"):
        g.folds[0].indices(m.iloc[1:])


def test_from_json_broken_file_names_path(tmp_path):
    path = make_folds(toy_manifest(3, 3), n_folds=3).to_json(tmp_path / "folds.json")
    good = path.read_text()
    broken = {"syntax": good[:-10], "fold keys": good.replace('"test_speakers"', '"test_spk"'),
              "top keys": good.replace('"seed"', '"sead"'), "no folds": good.replace('"folds"', '"fold"'),
              "format": good.replace("camulenet-folds/1", "other"), "not an object": "[1, 2]"}
    for what, text in broken.items():
        path.write_text(text)
        with pytest.raises(ValueError, match=r"folds\.json.*delete it to regenerate the folds"):
            Folds.from_json(path)


def test_guard_raises_on_tampered_folds():
    m = toy_manifest(4, 5)
    f = make_folds(m, n_folds=3, seed=0)
    spk = f.folds[0].test_speakers[0]
    f.folds[0].train_speakers.append(spk)
    with pytest.raises(ValueError, match=f"fold 0: speaker {spk} is in both train and test"):
        check_speaker_disjoint(f, m)

    f = make_folds(m, n_folds=3, seed=0)
    leaked = f.folds[1].test[0]
    f.folds[1].train.append(leaked)
    with pytest.raises(ValueError, match=f"fold 1: utt {leaked} is in both train and test"):
        check_speaker_disjoint(f, m)

    f = make_folds(m, n_folds=3, seed=0)
    u = f.folds[2].test.pop()
    f.folds[2].train.append(u)     # speaker lists unchanged: clip filed under the wrong part
    with pytest.raises(ValueError, match=r"fold 2: speaker \S+ is in train .* and in test"):
        check_speaker_disjoint(f, m)

    f = make_folds(m, n_folds=3, seed=0)
    f.folds[0].test_speakers += f.folds[1].test_speakers
    f.folds[0].train_speakers = [s for s in f.folds[0].train_speakers if s not in f.folds[1].test_speakers]
    f.folds[0].val_speakers = [s for s in f.folds[0].val_speakers if s not in f.folds[1].test_speakers]
    f.folds[0].test += f.folds[1].test
    f.folds[0].train = [u for u in f.folds[0].train if u not in set(f.folds[1].test)]
    f.folds[0].val = [u for u in f.folds[0].val if u not in set(f.folds[1].test)]
    with pytest.raises(ValueError, match=r"is in the test part of folds \[0, 1\]"):
        check_speaker_disjoint(f, m)


def test_stratify_options_and_errors():
    m = toy_manifest(5, 5)
    f = make_folds(m, n_folds=3, stratify=None, seed=1)
    assert check_speaker_disjoint(f, m) and f.stratify is None
    with pytest.raises(ValueError, match="cannot stratify by 'age'"):
        make_folds(m, n_folds=3, stratify="age")
    with pytest.raises(ValueError, match="at least 3 speakers"):
        make_folds(toy_manifest(1, 1))


def session_manifest(n_sessions: int = 5, clips: int = 3) -> pd.DataFrame:
    """IEMOCAP-like: one female and one male speaker per session, sessions as ints."""
    rows = []
    for sess in range(1, n_sessions + 1):
        for letter, gender in (("F", "female"), ("M", "male")):
            spk = f"iemocap_Ses{sess:02d}{letter}"
            for k in range(clips):
                rows.append({"utt_id": f"{spk}_{k}", "path": f"/x/{spk}_{k}.wav", "corpus": "iemocap",
                             "language": "en", "speaker": spk, "gender": gender,
                             "emotion": ("neutral", "angry", "sad")[k % 3], "session": sess})
    return pd.DataFrame(rows)


def test_leave_one_session_out():
    m = session_manifest(5)
    f = make_folds(m, n_folds=10, seed=0, by="session")
    assert f.strategy == LOSESO and f.by == "session" and f.n_folds == 5 and len(f.folds) == 5
    assert check_speaker_disjoint(f, m)
    session_of = m.groupby("speaker")["session"].first()
    tested = []
    for i, fold in enumerate(f.folds):
        # Fold i tests on exactly the two speakers of session i+1, nothing else.
        assert sorted(fold.test_speakers) == [f"iemocap_Ses{i + 1:02d}F", f"iemocap_Ses{i + 1:02d}M"]
        assert set(m.loc[m.speaker.isin(fold.test_speakers), "utt_id"]) == set(fold.test)
        assert not set(session_of[fold.val_speakers]) & {i + 1}
        assert not set(session_of[fold.train_speakers]) & {i + 1}
        assert sorted(m.set_index("utt_id").loc[fold.val, "gender"].unique()) == ["female", "male"]
        tested.append(i + 1)
    assert sorted(set(session_of[[s for fold in f.folds for s in fold.test_speakers]])) == tested
    assert sorted(u for fold in f.folds for u in fold.test) == sorted(m["utt_id"])


def test_session_folds_numeric_order_and_string_sessions():
    m = session_manifest(3)
    m["session"] = m["session"].map({1: "10", 2: "2", 3: "1"})
    f = make_folds(m, by="session")
    assert [sorted(set(m.loc[m.speaker.isin(x.test_speakers), "session"])) for x in f.folds] == \
        [["1"], ["2"], ["10"]]


def test_session_folds_json_and_protocol_guard(tmp_path):
    m = session_manifest(4)
    f = make_folds(m, seed=2, by="session")
    path = f.to_json(tmp_path / "folds.json")
    assert Folds.from_json(path, by="session") == f
    with pytest.raises(ValueError, match=r"leave-one-session-out folds \(by='session'\).*by='speaker'"):
        Folds.from_json(path, by="speaker")
    spk = make_folds(m, n_folds=3, seed=2).to_json(tmp_path / "spk.json")
    with pytest.raises(ValueError, match="by='speaker'.*by='session' was asked for"):
        Folds.from_json(spk, by="session")
    # A file written before the field existed reads as speaker folds.
    old = json.loads(spk.read_text())
    del old["by"]
    spk.write_text(json.dumps(old))
    assert Folds.from_json(spk, by="speaker").by == "speaker"


def test_session_folds_need_a_session_column():
    m = session_manifest(3).drop(columns="session")
    with pytest.raises(ValueError, match=r"'session' column.*by=\"speaker\""):
        make_folds(m, by="session")
    with pytest.raises(ValueError, match="by must be one of"):
        make_folds(m, by="dialog")
    m = session_manifest(3)
    m.loc[0, "session"] = None
    with pytest.raises(ValueError, match="iemocap_Ses01F.*without a session"):
        make_folds(m, by="session")
    m = session_manifest(3)
    m.loc[0, "session"] = 2
    with pytest.raises(ValueError, match="iemocap_Ses01F.*several sessions"):
        make_folds(m, by="session")


def test_fold_protocols():
    assert fold_protocols(session_manifest(5)) == ["speaker", "session"]
    assert fold_protocols(toy_manifest(3, 3)) == ["speaker"]
    assert fold_protocols(session_manifest(1)) == ["speaker"]   # one session: nothing to leave out
    mixed = pd.concat([session_manifest(2), toy_manifest(2, 2)], ignore_index=True)
    assert fold_protocols(mixed) == ["speaker"]                 # toy clips have no session


# ---------------------------------------------------------------- many speakers, few and uneven clips
EMOTIONS7 = ("neutral", "angry", "happy", "sad", "fear", "disgust", "surprise")


def crowd_manifest(n_speakers: int = 431, n_clips: int = 6902, seed: int = 0) -> pd.DataFrame:
    """Emozionalmente's shape, in memory: 431 speakers (about 70 % female) holding from one
    clip (44 of them) to 105, 6,902 clips over seven emotions."""
    rng = np.random.default_rng(seed)
    counts = np.clip(np.round(rng.lognormal(2.0, 1.1, n_speakers)), 2, 104).astype(int)
    counts[:44], counts[44] = 1, 105
    i = 45
    while counts.sum() != n_clips:   # reach the corpus's total one clip at a time
        step = 1 if counts.sum() < n_clips else -1
        if 2 <= counts[i] + step <= 104:
            counts[i] += step
        i = 45 + (i - 44) % (n_speakers - 45)
    spk = np.repeat([f"emozionalmente_u{s:03d}" for s in range(n_speakers)], counts)
    female = dict(zip(np.unique(spk), rng.random(n_speakers) < 0.7))
    first = np.repeat(rng.integers(7, size=n_speakers), counts)
    take = np.concatenate([np.arange(c) for c in counts])
    return pd.DataFrame({"utt_id": [f"{s}_{k:03d}" for s, k in zip(spk, take)], "path": "x",
                         "corpus": "emozionalmente", "language": "it", "speaker": spk,
                         "gender": ["female" if female[s] else "male" for s in spk],
                         "emotion": [EMOTIONS7[(a + k) % 7] for a, k in zip(first, take)]})


def test_many_speakers_with_uneven_clips_give_balanced_disjoint_folds():
    m = crowd_manifest()
    per = m.groupby("speaker").size()
    assert (len(m), len(per), per.min(), per.max(), (per == 1).sum()) == (6902, 431, 1, 105, 44)
    assert uneven_speakers(m) and not uneven_speakers(toy_manifest(43, 48, clips=3))
    f = make_folds(m, n_folds=10, seed=0)
    assert f.strategy == KFOLD and len(f.folds) == 10 and check_speaker_disjoint(f, m)
    assert sorted(u for fold in f.folds for u in fold.test) == sorted(m["utt_id"])   # every clip tested once
    # Balanced within a stated tolerance: every fold's clips within 2 % of the mean, every
    # emotion's share within 2 points of the corpus's, genders spread as dealt (F counts differ by <= 1).
    sizes = np.array([len(fold.test) for fold in f.folds])
    assert np.abs(sizes / sizes.mean() - 1).max() <= 0.02, sizes
    emotion_of, gender = m.set_index("utt_id")["emotion"], m.groupby("speaker")["gender"].first()
    share = emotion_of.value_counts(normalize=True)
    for fold in f.folds:
        fold_share = emotion_of[fold.test].value_counts(normalize=True).reindex(share.index, fill_value=0)
        assert (fold_share - share).abs().max() <= 0.02
    females = [(gender[fold.test_speakers] == "female").sum() for fold in f.folds]
    assert max(females) - min(females) <= 1
    # Validation is the next fold's test set (a fold's size), not two speakers holding two clips.
    for i, fold in enumerate(f.folds):
        assert fold.val_speakers == f.folds[(i + 1) % 10].test_speakers
        assert len(fold.train) == len(m) - len(fold.test) - len(fold.val) >= 0.75 * len(m)
    # Asked for, a number of validation speakers is honoured; the test folds stay the same.
    two = make_folds(m, n_folds=10, seed=0, n_val_speakers=2)
    assert [x.test_speakers for x in two.folds] == [x.test_speakers for x in f.folds]
    assert all(len(x.val_speakers) == 2 for x in two.folds)


def test_leak_guard_on_many_small_speakers():
    m = crowd_manifest()
    made = make_folds(m, n_folds=10, seed=3)
    f = copy.deepcopy(made)
    single = next(s for s in f.folds[0].test_speakers if (m["speaker"] == s).sum() == 1)
    clip = m.loc[m["speaker"] == single, "utt_id"].item()
    f.folds[0].test.remove(clip)
    f.folds[0].train.append(clip)    # one clip of a one-clip speaker filed under train
    with pytest.raises(ValueError, match=rf"fold 0: speaker {single} is in train \(utt {clip}\) and in test"):
        check_speaker_disjoint(f, m)
    f = copy.deepcopy(made)
    f.folds[4].val_speakers.append(f.folds[4].test_speakers[0])
    with pytest.raises(ValueError, match="fold 4: speaker .* is in both val and test"):
        check_speaker_disjoint(f, m)


def test_folds_of_even_speakers_are_dealt_as_before():
    """EmoDB's speakers (35 to 71 clips each) are even enough to keep the plain dealing:
    these folds were made before uneven corpora were balanced, and must not move."""
    emodb = {"03": 49, "08": 58, "09": 43, "10": 38, "11": 55, "12": 35, "13": 61, "14": 69, "15": 56, "16": 71}
    male = {"03", "10", "11", "12", "15"}
    m = pd.DataFrame([{"utt_id": f"emodb_{s}_{j:02d}", "path": "x", "corpus": "emodb", "language": "de",
                       "speaker": f"emodb_{s}", "gender": "male" if s in male else "female",
                       "emotion": ("neutral", "angry", "happy", "sad", "fear", "disgust")[j % 6]}
                      for s, n in emodb.items() for j in range(n)])
    assert not uneven_speakers(m)
    f = make_folds(m, n_folds=3, seed=0)
    assert [x.test_speakers for x in f.folds] == [["emodb_08", "emodb_10", "emodb_12", "emodb_13"],
                                                  ["emodb_09", "emodb_11", "emodb_16"],
                                                  ["emodb_03", "emodb_14", "emodb_15"]]
    assert [x.val_speakers for x in f.folds] == [["emodb_15", "emodb_16"], ["emodb_10", "emodb_14"],
                                                 ["emodb_11", "emodb_13"]]
