"""Synthetic clips rendered in each real corpus's official layout read back through its loader."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from camulenet.data.folds import check_speaker_disjoint, make_folds
from data_prep.loaders import load_corpus
from data_prep.loaders._report import ExcludedLabelsWarning
from data_prep.synthetic import layouts
from data_prep.synthetic.layouts import LayoutCapacityWarning, render_layout

CORPORA = ("crema-d", "ravdess", "emodb", "iemocap", "cafe", "emovo", "emozionalmente", "bhavvani")
SIX = ("neutral", "angry", "happy", "sad", "fear", "disgust")


def toy_source(root: Path, n_female: int = 4, n_male: int = 4, sentences: int = 3,
               emotions=SIX) -> pd.DataFrame:
    """A synthetic-style corpus of short, distinct, non-silent clips + its manifest.csv."""
    rows, rng = [], np.random.default_rng(0)
    spk = [(f"syn_en_f{i}", "female") for i in range(1, n_female + 1)]
    spk += [(f"syn_en_m{i}", "male") for i in range(1, n_male + 1)]
    t = np.arange(1600) / 16000
    for s, gender in spk:
        for e in emotions:
            for k in range(sentences):
                utt = f"{s}_{e}_s{k}"
                rel = f"wav/en/{s}/{utt}.wav"
                y = 0.3 * np.sin(2 * np.pi * rng.uniform(100, 400) * t) + 0.01 * rng.standard_normal(len(t))
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                sf.write(str(root / rel), y.astype(np.float32), 16000, subtype="PCM_16")
                rows.append({"utt_id": utt, "path": rel, "corpus": "synthetic", "language": "en",
                             "speaker": s, "gender": gender, "emotion": e, "sentence_id": k})
    m = pd.DataFrame(rows)
    m.to_csv(root / "manifest.csv", index=False)
    return m.assign(path=[str(root / p) for p in m["path"]])


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> pd.DataFrame:
    return toy_source(tmp_path_factory.mktemp("synthetic"))


def render(corpus, out, src, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_layout(corpus, out, src, **kw)
    return [w for w in caught if w.category is LayoutCapacityWarning]


def load_back(corpus, root):
    opts = {"classes": "all"} if corpus == "iemocap" else {}   # fea/dis are not 4-class
    return load_corpus(corpus, root, strict=True, **opts)


@pytest.mark.parametrize("corpus", CORPORA)
def test_round_trip_through_the_loader(corpus, source, tmp_path):
    capacity_warnings = render(corpus, tmp_path, source, seed=0)
    rec = json.loads((tmp_path / "layout.json").read_text(encoding="utf-8"))
    assert rec["corpus"] == corpus and rec["seed"] == 0 and rec["complete"] is True
    df = load_back(corpus, tmp_path)
    # Every mapped clip, and nothing else, comes back, under its recorded name.
    wanted = {str((tmp_path / rel).resolve()): utt for utt, rel in rec["clips"].items()}
    assert sorted(df["path"]) == sorted(wanted)
    src = source.set_index("utt_id")
    got = df.assign(src=df["path"].map(wanted)).set_index("src")
    for utt, row in got.iterrows():
        spk = src.loc[utt, "speaker"]
        assert row["speaker"] == rec["speakers"][spk]["speaker"]
        assert row["gender"] == src.loc[utt, "gender"]
        assert row["emotion"] == src.loc[utt, "emotion"]
        assert Path(row["path"]).read_bytes() == Path(src.loc[utt, "path"]).read_bytes()
    # One corpus speaker per synthetic speaker: never two merged into one.
    pairs = set(zip(got.index.map(src["speaker"]), got["speaker"]))
    assert len(pairs) == len({a for a, _ in pairs}) == len({b for _, b in pairs}) == len(rec["speakers"])
    assert sorted(rec["left_out"]["speakers"]) == sorted(set(source["speaker"]) - set(rec["speakers"]))
    if corpus == "emovo":   # three actors per gender: one of each left out, loudly
        assert df["speaker"].nunique() == 6 and len(rec["left_out"]["speakers"]) == 2
        assert set(rec["left_out"]["speakers"].values()) == {"emovo has 3 speakers per gender"}
        assert capacity_warnings and "2 speaker(s)" in str(capacity_warnings[0].message)
        assert len(df) == len(source) - 2 * 18
    else:
        assert df["speaker"].nunique() == 8 and len(df) == len(source) and not capacity_warnings
        assert rec["left_out"] == {"speakers": {}, "clips": {}}
    g = df.groupby("speaker")["gender"].first()
    assert (g == "female").sum() == (g == "male").sum() == df["speaker"].nunique() // 2


def test_iemocap_sessions_and_default_four_classes(source, tmp_path):
    render("iemocap", tmp_path, source)
    df = load_back("iemocap", tmp_path)
    per = df.groupby("session")["speaker"].unique()
    assert sorted(per.index) == [1, 2, 3, 4]          # 4 f + 4 m: four full sessions
    for sess, spk in per.items():
        assert sorted(spk) == [f"iemocap_Ses{sess:02d}F", f"iemocap_Ses{sess:02d}M"]
    assert (tmp_path / "Session5" / "dialog" / "EmoEvaluation").is_dir()
    assert not list((tmp_path / "Session5").rglob("*.*"))   # empty, as the loader accepts
    with pytest.warns(ExcludedLabelsWarning):
        four = load_corpus("iemocap", tmp_path, strict=True)
    assert sorted(four["emotion"].unique()) == ["angry", "happy", "neutral", "sad"]
    assert four.attrs["excluded"] == {"dis": 24, "fea": 24}
    folds = make_folds(df, by="session", seed=0)
    assert folds.n_folds == 4 and check_speaker_disjoint(folds, df)


def test_iemocap_five_sessions_with_ten_speakers(tmp_path):
    src = toy_source(tmp_path / "src", 5, 6, sentences=1)
    assert "syn_en_m6" in set(src["speaker"])
    with pytest.warns(LayoutCapacityWarning, match="1 speaker"):
        render_layout("iemocap", tmp_path / "out", src)
    df = load_corpus("iemocap", tmp_path / "out", strict=True, classes="all")
    assert df["speaker"].nunique() == 10 and sorted(df["session"].unique()) == [1, 2, 3, 4, 5]
    assert make_folds(df, by="session").n_folds == 5


def test_same_settings_noop_other_settings_raise(source, tmp_path):
    out = tmp_path / "crema"
    render_layout("crema-d", out, source, seed=0)
    meta = out / "layout.json"
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    render_layout("crema-d", out, source, seed=0)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    with pytest.raises(ValueError, match=r"other settings \(seed=0 -> 1.*delete .*crema"):
        render_layout("crema-d", out, source, seed=1)
    with pytest.raises(ValueError, match="n_speakers=None -> 4"):
        render("crema-d", out, source, seed=0, n_speakers=4)
    with pytest.raises(ValueError, match="corpus='crema-d' -> 'emodb'"):
        render_layout("emodb", out, source, seed=0)
    assert meta.stat().st_mtime_ns == before[meta]   # refused renders wrote nothing
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match="not empty and has no layout.json"):
        render_layout("crema-d", tmp_path / "other", source)


def test_interrupted_render_resumes(source, tmp_path):
    render_layout("emodb", tmp_path, source, seed=0)
    rec = json.loads((tmp_path / "layout.json").read_text())
    victim = tmp_path / next(iter(rec["clips"].values()))
    victim.unlink()
    render_layout("emodb", tmp_path, source, seed=0)   # a file missing: written again
    assert victim.is_file() and len(load_back("emodb", tmp_path)) == len(source)


def test_same_seed_same_names_and_bytes(source, tmp_path):
    def names(root):
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    for corpus in ("crema-d", "iemocap"):
        a, b, c = (tmp_path / f"{corpus}-{x}" for x in "abc")
        render_layout(corpus, a, source, seed=3)
        render_layout(corpus, b, source, seed=3)
        render_layout(corpus, c, source, seed=4)
        assert names(a) == names(b)
        for rel in names(a):
            assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
        ra, rc = (json.loads((x / "layout.json").read_text()) for x in (a, c))
        assert ra["speakers"] != rc["speakers"]    # the seed decides the speaker mapping


def test_capacity_limits(source, tmp_path):
    with pytest.raises(ValueError, match="n_speakers=11 but at most 8 fit"):
        render_layout("emodb", tmp_path / "a", source, n_speakers=11)
    assert not render("ravdess", tmp_path / "b", source, n_speakers=3, clips_per_speaker_emotion=2)
    df = load_back("ravdess", tmp_path / "b")
    g = df.groupby("speaker")["gender"].first()
    assert len(g) == 3 and sorted(g) == ["female", "female", "male"]
    assert df.groupby(["speaker", "emotion"]).size().eq(2).all() and len(df) == 3 * 6 * 2
    rec = json.loads((tmp_path / "b" / "layout.json").read_text())
    assert set(rec["left_out"]["speakers"].values()) == {"beyond n_speakers=3"}   # asked: no warning
    assert len(rec["left_out"]["speakers"]) == 5 and len(rec["left_out"]["clips"]) == 3 * 6
    # RAVDESS names only four neutral clips per actor (no strong intensity).
    many = toy_source(tmp_path / "many", 1, 1, sentences=5, emotions=("neutral", "sad"))
    with pytest.warns(LayoutCapacityWarning, match="2 clip"):
        render_layout("ravdess", tmp_path / "c", many)
    df = load_back("ravdess", tmp_path / "c")
    assert df.groupby("emotion").size().to_dict() == {"neutral": 8, "sad": 10}
    rec = json.loads((tmp_path / "c" / "layout.json").read_text())
    assert sorted(rec["left_out"]["clips"]) == ["syn_en_f1_neutral_s4", "syn_en_m1_neutral_s4"]


def test_bad_source(source, tmp_path):
    calm = source.copy()
    calm.loc[0, "emotion"] = "calm"
    with pytest.raises(ValueError, match=r"crema-d has no label for emotion\(s\) \['calm'\]"):
        render_layout("crema-d", tmp_path / "a", calm)
    gone = source.copy()
    gone.loc[0, "path"] = str(tmp_path / "nope.wav")
    with pytest.raises(FileNotFoundError, match="nope.wav"):
        render_layout("crema-d", tmp_path / "b", gone)
    with pytest.raises(KeyError, match="no layout for 'timit'"):
        render_layout("timit", tmp_path / "c", source)


def test_cli_with_source_folder(tmp_path, capsys):
    toy_source(tmp_path / "syn", 2, 2, sentences=1)
    layouts.main(["cafe", str(tmp_path / "cafe"), "--source", str(tmp_path / "syn"), "--seed", "5"])
    assert "cafe: 24 clips of 4 speakers" in capsys.readouterr().out
    df = load_corpus("cafe", tmp_path / "cafe", strict=True)
    assert len(df) == 24 and json.loads((tmp_path / "cafe" / "layout.json").read_text())["seed"] == 5


def test_default_source_is_the_small_synthetic_corpus(tmp_path, monkeypatch):
    """No source: the eSpeak small corpus is rendered into the data root and reused."""
    monkeypatch.setenv("CAMULENET_DATA", str(tmp_path / "data"))
    render_layout("emodb", tmp_path / "emodb")
    assert (tmp_path / "data" / "corpora" / "synthetic-small" / "corpus.json").is_file()
    df = load_corpus("emodb", tmp_path / "emodb", strict=True)
    assert len(df) == 144 and df["speaker"].nunique() == 8
    assert df["path"].map(os.path.getsize).min() > 1000
