"""IEMOCAP loader on a two-session fixture with real-format EmoEvaluation files."""

from __future__ import annotations

from pathlib import Path

import pytest

from camulenet.data.corpora import load_corpus
from data_prep.loaders import CorpusLayoutError, UnknownItemsError
from data_prep.loaders._report import ExcludedLabelsWarning, SkippedItemsWarning

# dialog -> [(utterance, label, has_wav)]
DIALOGS = {
    1: {"Ses01F_impro01": [("Ses01F_impro01_F000", "neu", True), ("Ses01F_impro01_M000", "fru", True),
                           ("Ses01F_impro01_M003", "exc", True), ("Ses01F_impro01_F001", "xxx", True),
                           ("Ses01F_impro01_F002", "hap", True)],
        "Ses01M_script01_1": [("Ses01M_script01_1_M000", "ang", True),
                              ("Ses01M_script01_1_F000", "sad", True),
                              ("Ses01M_script01_1_M001", "sur", True)]},
    2: {"Ses02F_impro02": [("Ses02F_impro02_F000", "neu", True), ("Ses02F_impro02_M000", "sad", True),
                           ("Ses02F_impro02_M001", "oth", True), ("Ses02F_impro02_F001", "zzz", True),
                           ("Ses02F_impro02_F002", "ang", False)]},
}


def _write_tree(root: Path) -> Path:
    for n, dialogs in DIALOGS.items():
        label_dir = root / f"Session{n}" / "dialog" / "EmoEvaluation"
        (label_dir / "Categorical").mkdir(parents=True)  # real subfolders must be ignored
        for dialog, utts in dialogs.items():
            lines = ["% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]", ""]
            wav_dir = root / f"Session{n}" / "sentences" / "wav" / dialog
            wav_dir.mkdir(parents=True)
            for k, (utt, label, has_wav) in enumerate(utts):
                lines += [f"[{6.29 + k:.4f} - {8.24 + k:.4f}]\t{utt}\t{label}\t[2.5000, 3.0000, 3.5000]",
                          "C-E1:\tNeutral state;\t()", "A-E1:\tval 3; act 2; dom  2;\t()", ""]
                if has_wav:
                    (wav_dir / f"{utt}.wav").touch()
            (label_dir / f"{dialog}.txt").write_text("\n".join(lines))
        (label_dir / f"._{next(iter(dialogs))}.txt").write_bytes(b"\x00\x05")  # macOS junk
    return root


def _load(root, **kw):
    with pytest.warns((SkippedItemsWarning, ExcludedLabelsWarning)) as rec:
        df = load_corpus("iemocap", root, sessions=(1, 2), **kw)
    return df, rec


def test_four_class_speakers_and_merge(tmp_path):
    df, rec = _load(_write_tree(tmp_path))
    assert {w.category for w in rec} == {SkippedItemsWarning, ExcludedLabelsWarning}
    by_utt = df.set_index("utt_id")
    assert sorted(by_utt.index) == sorted(f"iemocap_{u}" for u in [
        "Ses01F_impro01_F000", "Ses01F_impro01_M003", "Ses01F_impro01_F002",
        "Ses01M_script01_1_M000", "Ses01M_script01_1_F000",
        "Ses02F_impro02_F000", "Ses02F_impro02_M000"])
    # A male utterance in a dialog led by the female actor belongs to the male speaker.
    m003 = by_utt.loc["iemocap_Ses01F_impro01_M003"]
    assert m003["speaker"] == "iemocap_Ses01M" and m003["gender"] == "male"
    assert m003["emotion"] == "happy" and m003["label"] == "exc"
    f000 = by_utt.loc["iemocap_Ses01M_script01_1_F000"]
    assert f000["speaker"] == "iemocap_Ses01F" and f000["gender"] == "female"
    assert sorted(df["speaker"].unique()) == ["iemocap_Ses01F", "iemocap_Ses01M",
                                              "iemocap_Ses02F", "iemocap_Ses02M"]
    assert set(df["emotion"]) == {"neutral", "happy", "angry", "sad"}
    assert df.attrs["excluded"] == {"fru": 1, "oth": 1, "sur": 1, "xxx": 1}
    reasons = sorted(s["reason"] for s in df.attrs["skipped"])
    assert len(reasons) == 2
    assert "unknown label 'zzz'" in reasons[0] and "wav missing" in reasons[1]
    assert by_utt.loc["iemocap_Ses01F_impro01_F000", ["valence", "activation", "dominance"]].tolist() == [2.5, 3.0, 3.5]
    assert bool(by_utt.loc["iemocap_Ses01F_impro01_F000", "improvised"])
    assert not bool(f000["improvised"])


def test_all_labels_and_no_merge(tmp_path):
    df, _ = _load(_write_tree(tmp_path), classes="all", merge_excited=False)
    assert df.attrs["excluded"] == {"xxx": 1}
    emo = df.set_index("utt_id")["emotion"]
    assert emo["iemocap_Ses01F_impro01_M003"] == "excited"
    assert emo["iemocap_Ses01F_impro01_M000"] == "frustrated"
    assert emo["iemocap_Ses01M_script01_1_M001"] == "surprise"
    assert len(df) == 10


def test_four_class_without_merge_excludes_excited(tmp_path):
    df, rec = _load(_write_tree(tmp_path), merge_excited=False)
    assert set(df["emotion"]) == {"neutral", "happy", "angry", "sad"}
    assert "iemocap_Ses01F_impro01_M003" not in set(df["utt_id"])
    assert df.attrs["excluded"] == {"exc": 1, "fru": 1, "oth": 1, "sur": 1, "xxx": 1}
    assert any("exc excluded" in str(w.message) for w in rec if w.category is ExcludedLabelsWarning)


def test_malformed_vad_reported(tmp_path):
    root = _write_tree(tmp_path)
    txt = root / "Session1" / "dialog" / "EmoEvaluation" / "Ses01F_impro01.txt"
    txt.write_text(txt.read_text().replace("Ses01F_impro01_F000\tneu\t[2.5000, 3.0000, 3.5000]",
                                           "Ses01F_impro01_F000\tneu\t[2.5000, 3.0000]"))
    df, _ = _load(root)
    row = df.set_index("utt_id").loc["iemocap_Ses01F_impro01_F000"]
    assert row["emotion"] == "neutral" and row[["valence", "activation", "dominance"]].isna().all()
    vad = [s for s in df.attrs["skipped"] if "malformed V/A/D" in s["reason"]]
    assert len(vad) == 1 and Path(vad[0]["path"]).name == "Ses01F_impro01.txt"
    assert "Ses01F_impro01_F000" in vad[0]["reason"]
    with pytest.raises(UnknownItemsError, match="malformed V/A/D"):
        load_corpus("iemocap", root, sessions=(1, 2), strict=True)


def test_strict_and_layout_errors(tmp_path):
    root = _write_tree(tmp_path)
    with pytest.raises(UnknownItemsError, match="IEMOCAP: skipped 2"):
        load_corpus("iemocap", root, sessions=(1, 2), strict=True)
    with pytest.raises(CorpusLayoutError, match=r"IEMOCAP: .*Session3 not found"):
        load_corpus("iemocap", root)
    with pytest.raises(ValueError, match="classes must be"):
        load_corpus("iemocap", root, sessions=(1,), classes="6")
