"""Bring your own corpus: a manifest CSV read, checked row by row, named from its content,
and accepted wherever a corpus name is (settings, the grid's command line, build_book)."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
import torch
from repo_modules import load

from camulenet import config
from camulenet.book.corpus_text import describe_corpus
from camulenet.book.environment import settings_table
from camulenet.data.corpora import CsvManifestError, load_csv_corpus
from camulenet.data.fetch import ensure_fetched
from camulenet.data.prepare import ensure_corpus, folds_file, present_manifest
from camulenet.features.prepare import features_key
from camulenet.grid import cli
from camulenet.grid.jobs import settings_from_dict
from camulenet.storage.paths import REPO_ROOT
from camulenet.training.loss import NO_GENDER, MultitaskLoss
from camulenet.training.runs import runs_key

HEADER = "path,speaker,emotion,gender,language\n"
#: (speaker, gender) x your labels: four speakers, the fewest that fill the two smoke folds
SPEAKERS = (("anna", "f"), ("ben", "m"), ("cara", "female"), ("dan", "M"))
LABELS = ("joy", "anger", "neutral")


def _wav(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.zeros(400, dtype="float32"), 16000)  # 25 ms: the loader only checks it is there


def _corpus(folder: Path, rows: list[str] | None = None, label_map: str | None = "label,emotion\njoy,happy\n"
            "anger,angry\n", wavs: bool = True) -> Path:
    """A corpus folder: manifest.csv with ``rows`` (default: every speaker in every label), a label map
    and (``wavs``) a short clip at every listed path but those named ``absent``."""
    rows = rows if rows is not None else [f"clips/{s}_{e}.wav,{s},{e},{g},en" for s, g in SPEAKERS for e in LABELS]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.csv").write_text(HEADER + "".join(r + "\n" for r in rows))
    if label_map is not None:
        (folder / "label_map.csv").write_text(label_map)
    if wavs:
        for r in rows:
            if r.split(",")[0] and "absent" not in r:
                _wav(folder / r.split(",")[0])
    return folder / "manifest.csv"


def test_a_csv_corpus_reads_into_the_shared_manifest(tmp_path):
    csv = _corpus(tmp_path / "mine")
    df = load_csv_corpus(csv, name="csv-mine-00000000")
    assert len(df) == 12 and set(df.corpus) == {"csv-mine-00000000"}
    assert set(df.emotion) == {"happy", "angry", "neutral"} and set(df.label) == set(LABELS)  # your labels kept
    assert df.groupby("speaker").gender.first().to_dict() == {"mine_anna": "female", "mine_ben": "male",
                                                                "mine_cara": "female", "mine_dan": "male"}
    assert df.utt_id.iloc[0] == "mine_clips/anna_joy" and Path(df.path.iloc[0]).is_absolute()


def test_the_example_in_the_repository_is_a_valid_corpus(tmp_path):
    """examples/my_corpus as shipped (clips written here): optional columns empty or given, an
    Italian label map, a speaker whose gender one row leaves out."""
    example = shutil.copytree(REPO_ROOT / "examples" / "my_corpus", tmp_path / "my_corpus")
    for p in pd.read_csv(example / "manifest.csv")["path"]:
        _wav(example / p)
    df = load_csv_corpus(example / "manifest.csv", n_folds=10)
    assert set(df.emotion) == {"happy", "angry", "neutral"} and set(df.language) == {"en", "it"}
    assert (df.loc[df.speaker == "my_corpus_dario", "gender"] == "male").all()  # from the speaker's other rows
    assert "my_corpus_chiara_g1" in set(df.utt_id) and "sentence" in df.columns


def _problem(tmp_path, rows, **kw) -> str:
    with pytest.raises(CsvManifestError) as err:
        load_csv_corpus(_corpus(tmp_path / "c", rows, **kw))
    return str(err.value)


GOOD = [f"clips/{s}.wav,{s},neutral,{g},en" for s, g in SPEAKERS]


@pytest.mark.parametrize("bad_row, expected", [
    ("clips/absent.wav,eve,neutral,f,en", r"line 6: clips/absent\.wav not found .*fix the path"),
    ("clips/x.wav,eve,glee,f,en", r"line 6: emotion 'glee' is not a canonical emotion.*add a row 'glee,<emotion>'"),
    ("clips/x.wav,,neutral,f,en", r"line 6: empty speaker; give every clip its speaker's id"),
    ("clips/anna.wav,anna,neutral,f,en", r"line 6: path clips/anna\.wav is listed twice \(first on line 2\)"),
    ("clips/x.wav,anna,neutral,m,en", r"line 6: speaker 'anna' is male here but female on line 2; give each"),
    ("clips/x.wav,eve,neutral,x,en", r"line 6: gender 'x' is not one of female/male"),
    ("clips/x.wav,eve,,f,en", r"line 6: empty emotion; give every clip its label"),
])
def test_each_bad_row_is_named_by_its_line_with_the_fix(tmp_path, bad_row, expected):
    assert re.search(expected, _problem(tmp_path, [*GOOD, bad_row]))


def test_every_problem_is_reported_at_once_and_a_label_map_needs_one(tmp_path):
    message = _problem(tmp_path, [*GOOD, "clips/a.wav,,glee,f,en", "clips/b.wav,eve,joy,f,en"], label_map=None)
    assert "3 problem(s)" in message and "line 6: empty speaker" in message
    assert "write a label_map.csv beside the manifest with the columns label,emotion" in message


def test_a_label_map_that_maps_to_no_emotion_names_its_line(tmp_path):
    message = _problem(tmp_path, GOOD, label_map="label,emotion\njoy,happy\nglee,gleeful\n")
    assert "label_map.csv: 1 problem(s) in the label map" in message
    assert "line 3: 'glee' maps to 'gleeful', which is not a canonical emotion" in message


def test_a_missing_column_is_named(tmp_path):
    (tmp_path / "m.csv").write_text("file,speaker,emotion\nclips/a.wav,anna,neutral\n")
    with pytest.raises(CsvManifestError, match=r"no column\(s\) \['path'\].*path, speaker, emotion"):
        load_csv_corpus(tmp_path / "m.csv")


def test_too_few_speakers_for_the_folds(tmp_path):
    csv = _corpus(tmp_path / "c", GOOD[:3])
    with pytest.raises(CsvManifestError, match=r"3 speaker\(s\) .* cannot fill 2 speaker-independent folds.*"
                                               r"at least 4 speakers"):
        ensure_corpus(config.settings(smoke=True, corpus=str(csv), data_root=tmp_path / "data"))  # smoke: 2 folds
    assert load_csv_corpus(csv, n_folds=10).speaker.nunique() == 3  # ten folds: leave-one-speaker-out


def test_a_speaker_without_gender_is_unknown_and_trains_no_gender_head(tmp_path):
    df = load_csv_corpus(_corpus(tmp_path / "c", [*GOOD, "clips/eve.wav,eve,neutral,,"]))
    eve = df[df.speaker == "c_eve"].iloc[0]
    assert (eve.gender, eve.language) == ("unknown", "und")
    loss = MultitaskLoss()
    logits = {"emotion_logits": torch.zeros(2, 3), "gender_logits": torch.tensor([[2.0, 0.0], [0.0, 2.0]])}
    none_known = loss(logits, torch.tensor([0, 1]), torch.tensor([NO_GENDER, NO_GENDER]))["gender"]
    one_known = loss(logits, torch.tensor([0, 1]), torch.tensor([0, NO_GENDER]))["gender"]
    assert float(none_known) == 0.0  # not NaN: a batch of unknown genders adds no gender loss
    assert float(one_known) == pytest.approx(float(torch.log1p(torch.exp(torch.tensor(-2.0)))))  # the known clip alone


# ---------------------------------------------------------------- names, cache keys, settings


def test_the_name_is_stable_and_changes_with_the_csv_or_its_label_map(tmp_path):
    csv = _corpus(tmp_path / "My Corpus!")
    name = config.csv_corpus_name(csv)
    assert name.startswith("csv-my_corpus-") and len(name.rsplit("-", 1)[1]) == 8
    assert config.csv_corpus_name(csv) == name  # same files, same name
    cfg = config.settings(smoke=True, corpus=str(csv), data_root=tmp_path / "data")
    manifest = ensure_corpus(cfg)
    keys = (folds_file(cfg, manifest), features_key(cfg), runs_key(cfg, manifest))
    csv.write_text(csv.read_text().replace("anna,joy", "anna,anger", 1))  # one label edited
    edited = config.settings(smoke=True, corpus=str(csv), data_root=tmp_path / "data")
    assert edited.corpus != name
    with pytest.raises(ValueError, match="changed .* since these settings named the corpus"):
        ensure_corpus(cfg)  # settings made before the edit never read the new content under the old name
    m2 = ensure_corpus(edited)
    assert folds_file(edited, m2) != keys[0] and features_key(edited) != keys[1] and runs_key(edited, m2) != keys[2]
    (csv.parent / "label_map.csv").write_text("label,emotion\njoy,surprise\nanger,angry\n")
    assert config.csv_corpus_name(csv) not in (name, edited.corpus)


def test_a_corpus_argument_that_is_a_path_is_resolved_in_one_place(tmp_path, monkeypatch):
    csv = _corpus(tmp_path / "mine")
    monkeypatch.chdir(tmp_path)
    assert config.corpus_csv("crema-d") is None and config.corpus_csv("synthetic") is None
    for arg in ("mine", "./mine", "mine/manifest.csv", str(csv), csv):
        if arg == "mine":
            assert config.corpus_csv(arg) is None  # a bare word is a corpus name; ./mine is the folder
        else:
            assert config.corpus_csv(arg) == csv.resolve()
    with pytest.raises(FileNotFoundError, match="has no manifest.csv"):
        config.corpus_csv(str(tmp_path))
    with pytest.raises(FileNotFoundError, match="absent.csv does not exist"):
        config.settings(corpus="absent.csv")
    cfg = config.settings(smoke=True, corpus="./mine", corpora=["crema-d", "mine/manifest.csv"])
    name = config.csv_corpus_name(csv)
    assert cfg.corpus == name and cfg.corpora == (name, "crema-d")
    assert cfg.corpus_files == ((name, str(csv.resolve())),) and config.corpus_file(cfg) == csv.resolve()
    other = config.for_corpus(cfg, "crema-d")
    assert config.corpus_file(other) is None and config.corpus_file(other, name) == csv.resolve()
    assert settings_from_dict(json.loads(json.dumps(cfg.as_dict()))) == cfg  # a grid job rebuilds the same settings
    assert config.grid_command(cfg).startswith(f"python -m camulenet grid --corpus {csv.resolve()} ")
    table = settings_table(cfg)
    assert table.loc["corpus_files", "value"] == f"{name}: mine/manifest.csv" and str(tmp_path) not in table.to_string()


def test_an_unknown_name_suggests_a_path_and_a_missing_csv_is_reported(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match=r"unknown corpus 'mine'.*\./mine/manifest\.csv"):
        ensure_corpus(config.settings(smoke=True, corpus="mine", data_root=tmp_path))
    csv = _corpus(tmp_path / "mine")
    cfg = config.settings(smoke=True, corpus=str(csv), data_root=tmp_path / "data")
    csv.unlink()
    assert present_manifest(cfg)[1].startswith("no manifest CSV at")


def test_the_grid_command_line_takes_csv_corpora(tmp_path, monkeypatch):
    _corpus(tmp_path / "mine")
    monkeypatch.chdir(tmp_path)
    args = cli.parser().parse_args(["grid", "--corpus", "mine", "ravdess", "--smoke"])
    assert [c.corpus for c in cli._settings(args)] == ["mine", "ravdess"]  # bare words stay names
    args = cli.parser().parse_args(["grid", "--corpus", "./mine", "ravdess", "--smoke"])
    first, second = cli._settings(args)
    assert first.corpus.startswith("csv-mine-") and config.corpus_file(first) == (tmp_path / "mine" / "manifest.csv")
    assert second.corpus == "ravdess"
    with pytest.raises(SystemExit, match="python -m camulenet grid: corpus 'gone.csv'"):
        cli.main(["grid", "--corpus", "gone.csv", "--status"])


def test_build_book_passes_a_csv_corpus_as_a_path_from_the_notebooks(tmp_path, monkeypatch):
    build = load("scripts/build_book.py")
    calls, fetched = [], []
    monkeypatch.setattr(build, "execute", lambda names, smoke, params: calls.append(params))
    monkeypatch.setattr(build, "build_html", lambda: None)
    monkeypatch.setattr(build, "ensure_fetched", lambda name, root: fetched.append(name))  # crema-d: not here
    monkeypatch.delenv("CAMULENET_SMOKE", raising=False)
    csv = _corpus(tmp_path / "mine")
    assert ensure_fetched(str(csv), tmp_path) is None  # a CSV corpus is no publisher's: nothing to fetch
    monkeypatch.setattr(sys, "argv", ["build_book.py", "--corpus", str(tmp_path / "mine"), "crema-d", str(csv)])
    build.main()
    assert calls[-1]["corpora"] == fetched == [str(csv.resolve()), "crema-d"]  # the folder and its CSV: one corpus
    assert build.corpus_argument(str(REPO_ROOT / "examples" / "my_corpus")) == "../examples/my_corpus/manifest.csv"
    monkeypatch.setattr(sys, "argv", ["build_book.py", "--corpus", str(tmp_path / "gone.csv")])
    with pytest.raises(SystemExit, match="--corpus: corpus .*gone.csv"):
        build.main()


def test_the_data_chapter_describes_a_csv_corpus_from_its_manifest(tmp_path):
    csv = _corpus(tmp_path / "mine", [*GOOD, "clips/eve.wav,eve,joy,,de"])
    cfg = config.settings(smoke=True, corpus=str(csv), data_root=tmp_path / "data")
    text = describe_corpus(cfg.corpus, ensure_corpus(cfg))
    assert text.startswith(f"Your own corpus `{cfg.corpus}`, read from `mine/manifest.csv` with the label map")
    assert "5 clips from 5 speakers (2 female, 2 male, 1 of unknown gender) in 2 languages (de, en)" in text
    assert "joy \u2192 happy" in text and str(tmp_path) not in text
