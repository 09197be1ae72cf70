"""Caches keyed by what made them: another config never reads back old numbers."""

import json
from dataclasses import replace

import pytest

from camulenet import config, pipeline
from camulenet.storage.cache_keys import differences, fingerprint, keyed_dir
from camulenet.training import TrainConfig, runner, train_one_fold
from camulenet.training.data import SERData
from camulenet.training.toy import speaker_folds, toy_corpus


@pytest.fixture(scope="module")
def toy():
    feats, manifest = toy_corpus(n_clips=36, n_speakers=6, emotions=("neutral", "happy"), seconds=(0.5, 0.7),
                                 whisper_dim=8, signal=0.5, seed=1)
    return feats, manifest, speaker_folds(manifest, n_folds=3)


def test_fingerprint_is_order_free_and_differences_name_the_field():
    assert fingerprint({"a": 1, "b": (1, 2)}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
    assert differences({"t": {"lr": 0.1}, "k": 1}, {"t": {"lr": 0.2}, "k": 1}) == ["t.lr: 0.1 -> 0.2"]


def test_keyed_dir_refuses_a_folder_whose_key_file_was_changed(tmp_path):
    d = keyed_dir(tmp_path, "x", {"lr": 1})
    assert keyed_dir(tmp_path, "x", {"lr": 1}) == d and keyed_dir(tmp_path, "x", {"lr": 2}) != d
    (d / "key.json").write_text(json.dumps({"lr": 3}))
    with pytest.raises(ValueError, match="lr: 3 -> 1"):
        keyed_dir(tmp_path, "x", {"lr": 1})


def test_every_setting_that_changes_an_artefact_changes_its_folder(tmp_path, toy):
    _, manifest, _ = toy
    cfg = replace(config.settings(smoke=True), data_root=tmp_path, corpus="toy")
    runs, feats, folds = pipeline.runs_root(cfg, manifest), pipeline.features_root(cfg), pipeline.folds_file(cfg, manifest)
    for change in ({"max_epochs": 1}, {"model": "paper"}, {"schedule": "paper"}, {"baselines": "released"},
                   {"seed": 5}, {"whisper_mode": "full"}, {"feature_preset": "paper"}, {"whisper_model": "medium"},
                   {"n_folds": 3}):
        other = replace(cfg, **change)
        assert pipeline.runs_root(other, manifest) != runs, change
    assert pipeline.features_root(replace(cfg, whisper_model="medium")) != feats
    assert pipeline.features_root(replace(cfg, max_epochs=1)) == feats  # the schedule does not change features
    assert pipeline.folds_file(replace(cfg, fold_protocol="session"), manifest) != folds
    assert pipeline.folds_file(cfg, manifest.iloc[:-3]) != folds  # another manifest, other folds
    assert pipeline.runs_root(config.settings(smoke=True, profile="paper", corpus="toy"), manifest).name.startswith("toy-paper-")


def test_a_second_grid_under_another_schedule_never_returns_the_first_grids_numbers(tmp_path, toy):
    feats, manifest, folds = toy
    first = TrainConfig.compact(epochs=1, batch_size=16, progress=False)
    runner.train_systems(feats, manifest, folds, systems=["Whisper-Base"], out_dir=tmp_path, train_config=first,
                    fold_indices=[0], progress=False)
    with pytest.raises(ValueError, match=r"lr: 0\.0003 -> 0\.01"):
        runner.train_systems(feats, manifest, folds, systems=["Whisper-Base"], out_dir=tmp_path,
                        train_config=replace(first, lr=0.01), fold_indices=[0], progress=False)
    with pytest.raises(ValueError, match="cache_key"):
        runner.train_systems(feats, manifest, folds, systems=["Whisper-Base"], out_dir=tmp_path, train_config=first,
                        fold_indices=[0], progress=False, cache_key={"features": "other"})
    # the refused calls left the grid's record alone
    assert json.loads((tmp_path / "run_info.json").read_text())["train_config"]["lr"] == first.lr


def test_a_finished_fold_made_under_other_settings_is_refused(tmp_path, toy):
    feats, manifest, folds = toy
    cfg = TrainConfig.compact(epochs=1, batch_size=16, progress=False)
    runner.train_systems(feats, manifest, folds, systems=["Whisper-Base"], out_dir=tmp_path, train_config=cfg,
                    fold_indices=[0], progress=False)
    done = tmp_path / "systems" / "whisper-base" / "fold_00" / "done.json"
    info = json.loads(done.read_text())
    info["made_under"]["train_config"]["batch_size"] = 8  # as if trained under another batch size
    done.write_text(json.dumps(info))
    with pytest.raises(ValueError, match="batch_size: 8 -> 16"):
        runner.train_systems(feats, manifest, folds, systems=["Whisper-Base"], out_dir=tmp_path, train_config=cfg,
                        fold_indices=[0], progress=False)


def test_resume_from_a_checkpoint_of_another_learning_rate_is_refused(tmp_path, toy):
    feats, manifest, folds = toy
    data = SERData(feats, manifest)
    make = lambda: runner.build_model("Whisper-Base", data)  # noqa: E731
    cfg = TrainConfig.compact(epochs=2, batch_size=16, progress=False, keep_last=True)
    train_one_fold(make, data, folds[0], cfg, tmp_path)
    (tmp_path / "done.json").unlink()  # interrupted after its last epoch: last.pt remains
    with pytest.raises(ValueError, match=r"last\.pt.*lr: 0\.0003 -> 0\.001"):
        train_one_fold(make, data, folds[0], replace(cfg, lr=1e-3), tmp_path)
    with pytest.raises(ValueError, match="clips"):  # another fold's clips
        train_one_fold(make, data, folds[1], cfg, tmp_path)
    assert train_one_fold(make, data, folds[0], cfg, tmp_path).info["epochs_run"] == 2  # same settings resume


def test_the_encoders_compute_precision_joins_the_features_key(tmp_path):
    """fp16 (CUDA) and fp32 (CPU) Whisper frames never share a store: the key follows the device
    that extracts, through the same decision the encoder makes; fp32 keeps the folders made before."""
    import torch
    import whisper

    from camulenet.features import extract
    from camulenet.features.store import FeatureStore
    from camulenet.features.whisper_encoder import WhisperEncoder, compute_precision

    assert compute_precision("cpu") == "fp32" and compute_precision("cuda") == "fp16"
    assert compute_precision(None) == ("fp16" if torch.cuda.is_available() else "fp32")
    dims = whisper.model.ModelDimensions(n_mels=80, n_audio_ctx=8, n_audio_state=8, n_audio_head=2, n_audio_layer=1,
                                         n_vocab=10, n_text_ctx=4, n_text_state=8, n_text_head=2, n_text_layer=1)
    assert WhisperEncoder(whisper.model.Whisper(dims), device="cpu").dtype == torch.float32
    cfg = replace(config.settings(smoke=True), data_root=tmp_path)
    assert "whisper_precision" not in pipeline.features_key(cfg, "cpu")
    assert pipeline.features_key(cfg, "cuda")["whisper_precision"] == "fp16"
    assert pipeline.features_root(cfg, "cuda") != pipeline.features_root(cfg, "cpu")
    assert pipeline.features_root(cfg) == pipeline.features_root(cfg, "cuda" if torch.cuda.is_available() else "cpu")
    # a store passed by path records the precision and refuses the other one
    store = FeatureStore(tmp_path / "store")
    extract._claim_store(store, ("whisper",), "trimmed", "base", "cpu", "float16", device="cpu")
    assert store.read_meta()["whisper_precision"] == "fp32"
    with pytest.raises(ValueError, match="whisper_precision='fp32', not 'fp16'"):
        extract._claim_store(store, ("whisper",), "trimmed", "base", "cpu", "float16", device="cuda")
