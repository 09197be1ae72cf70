"""RAVDESS, EmoDB, CaFE, EMOVO, Emozionalmente, BhavVani and synthetic loaders on fixture trees named
exactly as the official distributions name their files."""

from __future__ import annotations

import itertools
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from camulenet.data.corpora import check_expected, load_corpus, load_synthetic
from camulenet.data.manifest import summarize
from data_prep.loaders import CorpusLayoutError, UnknownItemsError
from data_prep.loaders._report import ExcludedLabelsWarning, SkippedItemsWarning


def touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


# ---------------------------------------------------------------- RAVDESS
def ravdess_tree(root: Path) -> Path:
    """The 1,440 speech clips: 24 actors x (neutral 1 x 2 x 2 + 7 emotions x 2 x 2 x 2)."""
    for actor in range(1, 25):
        for emo in range(1, 9):
            for inten, stmt, rep in itertools.product((1, 2), (1, 2), (1, 2)):
                if emo == 1 and inten == 2:
                    continue
                touch(root / f"Actor_{actor:02d}" / f"03-01-{emo:02d}-{inten:02d}-{stmt:02d}-{rep:02d}-{actor:02d}.wav")
    return root


def test_ravdess_full_tree(tmp_path):
    df = load_corpus("ravdess", ravdess_tree(tmp_path))
    assert check_expected(df, "ravdess") == []
    assert len(df) == 1440 and df["speaker"].nunique() == 24
    g = df.groupby("speaker")["gender"].first()
    assert g["ravdess_01"] == "male" and g["ravdess_02"] == "female" and (g == "male").sum() == 12
    assert df["emotion"].value_counts().to_dict() == {
        "calm": 192, "happy": 192, "sad": 192, "angry": 192, "fear": 192, "disgust": 192,
        "surprise": 192, "neutral": 96}
    assert set(df.loc[df.emotion == "neutral", "intensity"]) == {"normal"}


def test_ravdess_song_excluded_and_bad_names(tmp_path):
    touch(tmp_path / "Actor_01" / "03-01-05-01-01-01-01.wav")
    touch(tmp_path / "Actor_01" / "03-02-05-01-01-01-01.wav")  # song
    touch(tmp_path / "Actor_01" / "03-01-09-01-01-01-01.wav")  # emotion 09 unknown
    touch(tmp_path / "Actor_01" / "03-01-05-01-01-01-02.wav")  # actor 02 in Actor_01
    with pytest.warns(SkippedItemsWarning, match="skipped 2"), pytest.warns(ExcludedLabelsWarning):
        df = load_corpus("ravdess", tmp_path)
    assert df["utt_id"].tolist() == ["ravdess_03-01-05-01-01-01-01"]
    assert df.attrs["excluded"] == {"modality 03 channel 02": 1}
    with pytest.raises(CorpusLayoutError, match="no Actor_XX folders"):
        load_corpus("ravdess", tmp_path / "Actor_01")


# ---------------------------------------------------------------- EmoDB
EMODB_SPEAKERS = {"03": "male", "08": "female", "09": "female", "10": "male", "11": "male",
                  "12": "male", "13": "female", "14": "female", "15": "male", "16": "female"}


def test_emodb(tmp_path):
    for spk, (text, emo) in itertools.product(EMODB_SPEAKERS, [("a01", "F"), ("a02", "W"), ("b01", "L"),
                                                                ("b03", "E"), ("a04", "A"), ("a05", "T"),
                                                                ("b09", "N")]):
        touch(tmp_path / "wav" / f"{spk}{text}{emo}a.wav")
    touch(tmp_path / "wav" / "03a01Fb.wav")  # second version
    df = load_corpus("emodb", tmp_path)
    assert len(df) == 71 and df["speaker"].nunique() == 10
    assert df.groupby("speaker")["gender"].first().to_dict() == {f"emodb_{k}": v for k, v in EMODB_SPEAKERS.items()}
    row = df.set_index("utt_id").loc["emodb_03a01Fa"]
    assert (row["emotion"], row["label"], row["language"], row["sentence"]) == ("happy", "happiness", "de", "a01")
    bored = df[df["label"] == "boredom"]
    assert len(bored) == 10 and set(bored["emotion"]) == {"other"}
    touch(tmp_path / "wav" / "03a01Xa.wav")
    with pytest.raises(UnknownItemsError, match="unknown emotion letter 'X'"):
        load_corpus("emodb", tmp_path, strict=True)
    with pytest.raises(CorpusLayoutError, match=r"EmoDB: .*wav not found"):
        load_corpus("emodb", tmp_path / "wav")


# ---------------------------------------------------------------- CaFE
CAFE_FOLDERS = {"C": "Colère", "D": "Dégoût", "J": "Joie", "P": "Peur", "S": "Surprise", "T": "Tristesse"}


def cafe_tree(root: Path, nfd: bool = True) -> Path:
    """936 clips; folder names decomposed (NFD) as macOS zips store them."""
    for actor, sentence in itertools.product(range(1, 13), range(1, 7)):
        touch(root / "Neutre" / f"{actor:02d}-N-{sentence}.wav")
        for letter, folder in CAFE_FOLDERS.items():
            folder = unicodedata.normalize("NFD" if nfd else "NFC", folder)
            for inten, sub in ((1, "Faible"), (2, "Fort")):
                touch(root / folder / sub / f"{actor:02d}-{letter}-{inten}-{sentence}.wav")
    return root


def test_cafe_full_tree(tmp_path):
    df = load_corpus("cafe", cafe_tree(tmp_path))
    assert check_expected(df, "cafe") == []
    assert len(df) == 936 and df["speaker"].nunique() == 12 and df["emotion"].nunique() == 7
    g = df.groupby("speaker")["gender"].first()
    assert g["cafe_01"] == "male" and g["cafe_12"] == "female"
    assert df.set_index("utt_id").loc["cafe_01-C-2-3", ["emotion", "intensity", "sentence"]].tolist() == ["angry", "fort", "3"]
    assert set(df.loc[df.emotion == "neutral", "intensity"]) == {"none"}
    assert (df["language"] == "fr").all()


def test_cafe_misfiled_and_renamed_folder(tmp_path):
    cafe_tree(tmp_path, nfd=False)
    touch(tmp_path / "Joie" / "Fort" / "01-T-2-1x.wav")   # bad name
    touch(tmp_path / "Peur" / "Faible" / "02-P-2-1.wav")   # intensity 2 in Faible
    touch(tmp_path / "Joie" / "Faible" / "03-T-1-1.wav")   # sadness letter in Joie
    with pytest.warns(SkippedItemsWarning, match="skipped 3"):
        df = load_corpus("cafe", tmp_path)
    assert len(df) == 936
    reasons = {Path(s["path"]).name: s["reason"] for s in df.attrs["skipped"]}
    assert reasons["03-T-1-1.wav"] == "emotion letter T but folder 'Joie'"
    assert reasons["02-P-2-1.wav"] == "intensity 2 but folder 'Faible'"
    # The labels are the file names': a folder named otherwise is no reason to refuse its clips.
    (tmp_path / "Peur").rename(tmp_path / "Fear")
    with pytest.warns(SkippedItemsWarning, match="skipped 3"):
        df = load_corpus("cafe", tmp_path)
    assert len(df) == 936 and (df["emotion"] == "fear").sum() == 144
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusLayoutError, match=r"CaFE: no clips found .* in \S+/empty;.*CaFE_48k\.zip"):
        load_corpus("cafe", tmp_path / "empty")
    with pytest.raises(CorpusLayoutError, match=r"CaFE: \S+/absent not found; expected the unpacked CaFE_48k\.zip"):
        load_corpus("cafe", tmp_path / "absent")


def test_cafe_stray_files_reported(tmp_path):
    cafe_tree(tmp_path, nfd=False)
    touch(tmp_path / "Joie" / "Fort" / "notes.txt")       # non-audio in an emotion folder
    touch(tmp_path / "Joie" / ".DS_Store")                # hidden: ignored
    with pytest.warns(SkippedItemsWarning, match="skipped 1"):
        df = load_corpus("cafe", tmp_path)
    assert len(df) == 936
    assert {Path(s["path"]).name: s["reason"] for s in df.attrs["skipped"]} == {"notes.txt": "not an audio file"}
    with pytest.raises(UnknownItemsError, match="skipped 1"):
        load_corpus("cafe", tmp_path, strict=True)
    touch(tmp_path / "01-C-1-1.wav")                      # a second copy of Colère/Faible/01-C-1-1.wav
    with pytest.raises(CorpusLayoutError, match=r"01-C-1-1.wav and \S+/Colère/Faible/01-C-1-1.wav are the same clip"):
        load_corpus("cafe", tmp_path)


# ---------------------------------------------------------------- EMOVO
EMOVO_SENTENCES = ("b1", "b2", "b3", "d1", "d2", "l1", "l2", "l3", "l4", "n1", "n2", "n3", "n4", "n5")


def test_emovo_full_tree(tmp_path):
    for actor, emo, s in itertools.product(("f1", "f2", "f3", "m1", "m2", "m3"),
                                           ("dis", "gio", "neu", "pau", "rab", "sor", "tri"), EMOVO_SENTENCES):
        touch(tmp_path / actor / f"{emo}-{actor}-{s}.wav")
    df = load_corpus("emovo", tmp_path)
    assert check_expected(df, "emovo") == [] and len(df) == 588
    row = df.set_index("utt_id").loc["emovo_pau-m2-l3"]
    assert (row["emotion"], row["speaker"], row["gender"], row["language"]) == ("fear", "emovo_m2", "male", "it")
    assert df.set_index("utt_id").loc["emovo_gio-f1-b1", "emotion"] == "happy"
    assert df.set_index("utt_id").loc["emovo_rab-f1-b1", "emotion"] == "angry"
    touch(tmp_path / "f1" / "xyz-f1-b1.wav")
    with pytest.warns(SkippedItemsWarning, match="unknown emotion code 'xyz'"):
        assert len(load_corpus("emovo", tmp_path)) == 588
    (tmp_path / "m3").rename(tmp_path / "M3x")
    with pytest.raises(CorpusLayoutError, match=r"lacks actor folder\(s\) \['m3'\]"):
        load_corpus("emovo", tmp_path)


# ---------------------------------------------------------------- Emozionalmente
def emozionalmente_tree(root: Path, samples: list[tuple], users: list[tuple]) -> Path:
    """audio/ + metadata/samples.csv + metadata/users.csv as the Zenodo archive holds them."""
    (root / "metadata").mkdir(parents=True)
    pd.DataFrame(samples, columns=["file_name", "actor", "sentence", "emotion_expressed"]).to_csv(
        root / "metadata" / "samples.csv", index=False)
    pd.DataFrame(users, columns=["username", "gender", "age", "mother_tongue"]).to_csv(
        root / "metadata" / "users.csv", index=False)
    for name, *_ in samples:
        touch(root / "audio" / name)
    return root


def test_emozionalmente_labels_from_metadata(tmp_path):
    emotions = ("anger", "disgust", "fear", "joy", "neutrality", "sadness", "surprise")
    samples = [(f"16110000{k:05d}.wav", actor, f"frase {k % 18}", emotions[k % 7])
               for k, actor in enumerate(["giulia"] * 9 + ["marco"] * 4 + ["sara"])]
    users = [("giulia", "female", "24", "italiano"), ("marco", "Male", "31", "italiano"),
             ("sara", "female", "", "italiano"), ("ugo", "male", "50", "italiano")]   # ugo: a listener
    df = load_corpus("emozionalmente", emozionalmente_tree(tmp_path, samples, users), strict=True)
    assert len(df) == 14 and df["speaker"].value_counts().to_dict() == {
        "emozionalmente_giulia": 9, "emozionalmente_marco": 4, "emozionalmente_sara": 1}
    assert sorted(df["emotion"].unique()) == sorted(["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"])
    row = df.set_index("utt_id").loc["emozionalmente_1611000000003"]
    assert (row["emotion"], row["label"], row["gender"], row["language"], row["sentence"], row["age"]) == \
        ("happy", "joy", "female", "it", "frase 3", 24)
    assert df.groupby("speaker")["gender"].first()["emozionalmente_marco"] == "male"
    assert pd.isna(df.set_index("speaker").loc["emozionalmente_sara", "age"])


def test_emozionalmente_skips_and_layout_errors(tmp_path):
    samples = [("a.wav", "giulia", "s", "joy"), ("b.wav", "giulia", "s", "boredom"),
               ("c.wav", "nobody", "s", "fear"), ("d.wav", "alex", "s", "fear"), ("e.wav", "giulia", "s", "fear")]
    root = emozionalmente_tree(tmp_path, samples, [("giulia", "female", "24", "it"), ("alex", "other", "30", "it")])
    (root / "audio" / "e.wav").unlink()
    touch(root / "audio" / "stray.wav")
    with pytest.warns(SkippedItemsWarning, match="skipped 5"):
        df = load_corpus("emozionalmente", root)
    assert df["utt_id"].tolist() == ["emozionalmente_a"]
    reasons = {Path(s["path"]).name: s["reason"] for s in df.attrs["skipped"]}
    assert reasons == {
        "b.wav": "unknown emotion 'boredom' (metadata/samples.csv row 3; known: ['anger', 'disgust', 'fear', "
                 "'joy', 'neutrality', 'sadness', 'surprise'])",
        "c.wav": "actor 'nobody' (metadata/samples.csv row 4) is not in metadata/users.csv",
        "d.wav": "actor 'alex' has gender 'other' in metadata/users.csv; the manifest schema knows female and "
                 "male (['donna', 'f', 'female', 'femmina', 'm', 'male', 'maschio', 'uomo'])",
        "e.wav": "audio file not found (metadata/samples.csv row 6)",
        "stray.wav": "not listed in metadata/samples.csv"}
    (root / "metadata" / "users.csv").write_text("user,sex\ngiulia,female\n")
    with pytest.raises(ValueError, match=r"users.csv has no column\(s\) \['username', 'gender', 'age'\]"):
        load_corpus("emozionalmente", root)
    (root / "metadata" / "users.csv").unlink()
    with pytest.raises(CorpusLayoutError, match=r"Emozionalmente: \S+/metadata/users.csv not found; expected the "
                                                r"speaker table. Point root at the unpacked emozionalmente.zip"):
        load_corpus("emozionalmente", root)


# ---------------------------------------------------------------- BhavVani
def test_bhavvani_custom_columns(tmp_path):
    rows = []
    for i, (spk, sex, emo) in enumerate([("S01", "F", "Anger"), ("S01", "F", "Khushi"), ("S02", "M", "Sadness"),
                                         ("S02", "M", "neutral"), ("S03", "M", "Bore"), ("S03", "X", "neutral")]):
        rel = f"audio/{spk}/{spk}_{i:03d}.wav"
        touch(tmp_path / rel)
        rows.append({"Filename": rel, "Speaker_ID": spk, "Sex": sex, "Emotion_Label": emo, "Script": f"t{i}"})
    rows.append({"Filename": "audio/S09/missing.wav", "Speaker_ID": "S09", "Sex": "F",
                 "Emotion_Label": "fear", "Script": "t9"})
    pd.DataFrame(rows).to_csv(tmp_path / "annotations.csv", index=False)
    opts = dict(path_col="Filename", speaker_col="Speaker_ID", gender_col="Sex", emotion_col="Emotion_Label",
                label_map={"Khushi": "happy"}, keep=("Script",))
    with pytest.warns(SkippedItemsWarning, match="skipped 3"):
        df = load_corpus("bhavvani", tmp_path, **opts)
    assert df["emotion"].tolist() == ["angry", "happy", "sad", "neutral"]
    assert df["speaker"].tolist() == ["bhavvani_S01"] * 2 + ["bhavvani_S02"] * 2
    assert (df["language"] == "hi").all() and df["Script"].tolist() == ["t0", "t1", "t2", "t3"]
    reasons = " | ".join(s["reason"] for s in df.attrs["skipped"])
    assert "unknown emotion 'Bore'" in reasons and "unknown gender 'X'" in reasons and "audio file not found" in reasons
    with pytest.raises(ValueError, match=r"no column\(s\) \['path', 'speaker'"):
        load_corpus("bhavvani", tmp_path)


def test_bhavvani_same_file_name_in_two_folders(tmp_path):
    rows = []
    for rel, spk in (("S01/take_001.wav", "S01"), ("S02/take_001.wav", "S02"), ("flat_007.wav", "S03")):
        touch(tmp_path / rel)
        rows.append({"path": rel, "speaker": spk, "gender": "F", "emotion": "neutral"})
    pd.DataFrame(rows).to_csv(tmp_path / "annotations.csv", index=False)
    df = load_corpus("bhavvani", tmp_path)
    assert df["utt_id"].tolist() == ["bhavvani_S01/take_001", "bhavvani_S02/take_001", "bhavvani_flat_007"]
    assert df.set_index("utt_id").loc["bhavvani_S02/take_001", "speaker"] == "bhavvani_S02"


# ---------------------------------------------------------------- synthetic
def test_synthetic_manifest(tmp_path):
    rows = []
    for spk, gender in (("syn_f1", "female"), ("syn_m1", "male")):
        for k, emo in enumerate(("neutral", "angry")):
            rel = f"wav/{spk}_{k}.wav"
            touch(tmp_path / rel)
            rows.append({"utt_id": f"{spk}_{k}", "path": rel, "corpus": "synthetic", "language": "en",
                         "speaker": spk, "gender": gender, "emotion": emo, "sentence": k, "duration": 1.5})
    pd.DataFrame(rows).to_csv(tmp_path / "manifest.csv", index=False)
    df = load_synthetic(tmp_path)
    assert len(df) == 4 and all(Path(p).is_absolute() and Path(p).is_file() for p in df["path"])
    assert summarize(df).loc["synthetic", "hours"] == pytest.approx(6 / 3600, abs=1e-3)
    (tmp_path / "wav" / "syn_m1_1.wav").unlink()
    with pytest.raises(ValueError, match=r"1 of 4 manifest path\(s\) do not exist: .*syn_m1_1.wav"):
        load_corpus("synthetic", tmp_path)
    with pytest.raises(CorpusLayoutError, match="make data"):
        load_corpus("synthetic", tmp_path / "wav")
