"""validate_manifest / save_manifest / load_manifest / summarize."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from camulenet.data.manifest import load_manifest, save_manifest, summarize, validate_manifest
from camulenet.data.schema import MANIFEST_COLUMNS


def toy(tmp_path: Path, n: int = 6) -> pd.DataFrame:
    rows = []
    for i in range(n):
        spk, gender = (f"toy_s{i % 3}", "female" if i % 3 < 2 else "male")
        p = tmp_path / "audio" / f"u{i}.wav"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.touch()
        rows.append({"level": "x", "utt_id": f"toy_u{i}", "path": str(p), "corpus": "toy",
                     "language": "en", "speaker": spk, "gender": gender,
                     "emotion": ("neutral", "angry")[i % 2], "duration": 1.8})
    return pd.DataFrame(rows)


def test_validate_orders_columns_and_passes(tmp_path):
    out = validate_manifest(toy(tmp_path), check_files=True)
    assert list(out.columns) == list(MANIFEST_COLUMNS) + ["level", "duration"]


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.drop(columns=["gender", "emotion"]), r"missing required column\(s\) \['gender', 'emotion'\]"),
    (lambda d: d.assign(utt_id=["a", "a", "b", "c", "d", "e"]), r"duplicated utt_id\(s\): a"),
    (lambda d: d.assign(gender=["F"] + ["female"] * 5), r"'gender' has value\(s\) outside schema.*'F' \(1 clips\)"),
    (lambda d: d.assign(emotion=["boredom"] * 6), r"'emotion' has value\(s\) outside schema.*'boredom'"),
    (lambda d: d.assign(gender=["male"] + ["female"] * 5),
     r"more than one gender: toy_s0"),
    (lambda d: d.assign(speaker=[""] + ["toy_s1"] * 5), r"'speaker' is empty in 1 row"),
])
def test_validate_errors(tmp_path, mutate, message):
    with pytest.raises(ValueError, match=message):
        validate_manifest(mutate(toy(tmp_path)))


def test_missing_files_listed(tmp_path):
    df = toy(tmp_path, n=15)
    for i in range(12):
        Path(df.loc[i, "path"]).unlink()
    with pytest.raises(ValueError, match=r"12 of 15 manifest path\(s\) do not exist: .*u0.wav.*\(12 in all\)"):
        validate_manifest(df, check_files=True)
    validate_manifest(df)  # without check_files the table itself is fine


def test_save_load_round_trip_relative_paths(tmp_path):
    df = toy(tmp_path)
    outside = tmp_path.parent / f"{tmp_path.name}_elsewhere.wav"
    df.loc[5, "path"] = str(outside)
    csv = save_manifest(df, tmp_path / "manifest.csv")
    stored = pd.read_csv(csv)
    assert stored["path"].iloc[0] == "audio/u0.wav"           # below the CSV: relative
    assert stored["path"].iloc[5] == str(outside)              # elsewhere: absolute
    back = load_manifest(csv)
    assert back["path"].tolist() == validate_manifest(df)["path"].tolist()
    assert back["speaker"].dtype != "int64" and back["utt_id"].tolist() == df["utt_id"].tolist()
    with pytest.raises(FileNotFoundError, match="manifest .* not found"):
        load_manifest(tmp_path / "nope.csv")


def test_load_errors_name_the_csv(tmp_path):
    df = toy(tmp_path)
    bad = tmp_path / "bad_gender.csv"
    df.assign(gender=["F"] + ["female"] * 5).to_csv(bad, index=False)
    with pytest.raises(ValueError, match=r"bad_gender\.csv: manifest column 'gender' has value\(s\) outside"):
        load_manifest(bad)
    no_path = tmp_path / "no_path.csv"
    df.assign(path=[""] + list(df["path"][1:])).to_csv(no_path, index=False)
    with pytest.raises(ValueError, match=r"no_path\.csv: manifest column 'path' is empty in 1 row"):
        load_manifest(no_path)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match=r"empty\.csv: not a readable CSV"):
        load_manifest(empty)


def test_summarize(tmp_path):
    a = toy(tmp_path)
    b = a.assign(corpus="other", speaker=a["speaker"] + "_o", utt_id=a["utt_id"] + "_o", language="de")
    s = summarize(pd.concat([a, b], ignore_index=True))
    assert s.loc["toy", ["clips", "speakers", "female_speakers", "male_speakers", "emotions"]].tolist() == [6, 3, 2, 1, 2]
    assert s.loc["other", "languages"] == "de"
    assert s.loc["toy", "hours"] == pytest.approx(6 * 1.8 / 3600, abs=1e-3)



def test_balanced_subset_takes_speakers_of_both_genders_and_cycles_their_emotions():
    from camulenet.data.manifest import balanced_subset

    rows = [{"utt_id": f"{s}_{e}_{i}", "speaker": s, "gender": "female" if s < "s2" else "male", "emotion": e}
            for s in ("s0", "s1", "s2", "s3", "s4", "s5") for e in ("angry", "sad", "happy") for i in range(3)]
    df = pd.DataFrame(rows)
    sub = balanced_subset(df, 8, seed=0, max_speakers=4)
    assert len(sub) == 8 and sub.speaker.nunique() == 4 and set(sub.gender) == {"female", "male"}
    assert sorted(sub.groupby("speaker").emotion.apply(sorted).tolist()) == [["angry", "happy"]] * 4
    assert list(sub.index) == sorted(sub.index) and balanced_subset(df, 8, seed=0, max_speakers=4).equals(sub)
    assert balanced_subset(df, 100).equals(df)
