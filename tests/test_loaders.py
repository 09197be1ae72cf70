"""CREMA-D loader against a fixture tree with the real 7,442 file names, plus registry checks."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from camulenet.data.corpora import CORPUS_INFO, LOADERS, check_expected, load_corpus
from camulenet.data.schema import MANIFEST_COLUMNS
from data_prep.loaders import CorpusLayoutError, UnknownItemsError
from data_prep.loaders._report import SkippedItemsWarning

#: Real CREMA-D file list and actor table, vendored (source and license in its README).
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "crema-d"


@pytest.fixture(scope="module")
def crema_tree(tmp_path_factory):
    """Empty files named exactly as the official AudioWAV/ folder, plus the actor table."""
    root = tmp_path_factory.mktemp("crema-d")
    (root / "AudioWAV").mkdir()
    for rel in (FIXTURE / "AudioWAV.list").read_text().split():
        (root / rel).touch()
    shutil.copy(FIXTURE / "VideoDemographics.csv", root / "VideoDemographics.csv")
    return root


def _csv_gender_counts() -> tuple[int, int]:
    with open(FIXTURE / "VideoDemographics.csv", newline="") as fh:
        sexes = [row["Sex"] for row in csv.DictReader(fh)]
    return sexes.count("Female"), sexes.count("Male")


def test_crema_d_real_names(crema_tree, recwarn):
    df = load_corpus("crema-d", crema_tree)
    assert list(df.columns[:len(MANIFEST_COLUMNS)]) == list(MANIFEST_COLUMNS)
    assert len(df) == 7442
    assert df["speaker"].nunique() == 91
    spk_gender = df.groupby("speaker")["gender"].first()
    n_f, n_m = _csv_gender_counts()
    assert (n_f, n_m) == (43, 48)
    assert (spk_gender == "female").sum() == n_f and (spk_gender == "male").sum() == n_m
    assert sorted(df["emotion"].unique()) == ["angry", "disgust", "fear", "happy", "neutral", "sad"]
    assert set(df["level"]) == {"low", "medium", "high", "unspecified"}
    assert df.attrs["skipped"] == [] and not [w for w in recwarn if w.category is SkippedItemsWarning]
    assert check_expected(df, "crema-d") == []
    row = df.set_index("utt_id").loc["crema-d_1001_DFA_ANG_XX"]
    assert row["speaker"] == "crema-d_1001" and row["gender"] == "male" and row["language"] == "en"
    assert Path(row["path"]).is_absolute() and Path(row["path"]).is_file()


def test_crema_d_unknown_code_reported_and_strict(tmp_path):
    root = tmp_path / "c"
    (root / "AudioWAV").mkdir(parents=True)
    shutil.copy(FIXTURE / "VideoDemographics.csv", root)
    for name in ("1001_DFA_ANG_XX.wav", "1002_IEO_HAP_HI.wav", "1003_DFA_BOR_XX.wav",
                 "1004_DFA_SAD_ZZ.wav", "9999_DFA_SAD_XX.wav", "notes.txt"):
        (root / "AudioWAV" / name).touch()
    with pytest.warns(SkippedItemsWarning, match="skipped 4 item"):
        df = load_corpus("crema-d", root)
    assert sorted(df["utt_id"]) == ["crema-d_1001_DFA_ANG_XX", "crema-d_1002_IEO_HAP_HI"]
    reasons = {Path(s["path"]).name: s["reason"] for s in df.attrs["skipped"]}
    assert "unknown emotion code 'BOR'" in reasons["1003_DFA_BOR_XX.wav"]
    assert "unknown level code 'ZZ'" in reasons["1004_DFA_SAD_ZZ.wav"]
    assert "actor 9999 not in VideoDemographics.csv" in reasons["9999_DFA_SAD_XX.wav"]
    assert reasons["notes.txt"] == "not an audio file"
    with pytest.raises(UnknownItemsError, match="1003_DFA_BOR_XX.wav"):
        load_corpus("crema-d", root, strict=True)


def test_crema_d_wrong_layout_names_missing_folder(tmp_path):
    (tmp_path / "wavs").mkdir()
    with pytest.raises(CorpusLayoutError) as err:
        load_corpus("crema-d", tmp_path)
    msg = str(err.value)
    assert msg.startswith("CREMA-D: ") and str(tmp_path / "AudioWAV") in msg
    assert "not found" in msg and "official distribution" in msg


def test_crema_d_missing_demographics(tmp_path):
    (tmp_path / "AudioWAV").mkdir()
    (tmp_path / "AudioWAV" / "1001_DFA_ANG_XX.wav").touch()
    with pytest.raises(CorpusLayoutError, match="VideoDemographics.csv not found"):
        load_corpus("crema-d", tmp_path)


def test_registry_and_info():
    expected = {"crema-d", "iemocap", "ravdess", "emodb", "cafe", "emovo", "emozionalmente", "bhavvani",
                "synthetic"}
    assert set(LOADERS) == expected and set(CORPUS_INFO) == expected
    assert CORPUS_INFO["iemocap"]["clips"] == 5531 and CORPUS_INFO["emodb"]["language"] == "de"
    with pytest.raises(KeyError, match="unknown corpus 'tess'"):
        load_corpus("tess", "/nonexistent")
