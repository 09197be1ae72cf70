"""Profiles and Whisper weights: one parameter switches every step; weights by name or file;
offline without them, one error that names every way to get them."""

from dataclasses import replace

import pytest

from camulenet import config, pipeline
from camulenet.book.banner import banner_text
from camulenet.config import PROFILES


def test_profile_switches_every_step_together(monkeypatch):
    monkeypatch.delenv("CAMULENET_SMOKE", raising=False)
    compact, paper = config.settings(), config.settings(profile="paper")
    assert (compact.whisper_model, compact.whisper_mode, compact.feature_preset, compact.model) == \
        ("base", "trimmed", "cpu", "compact")
    assert (paper.whisper_model, paper.whisper_mode, paper.feature_preset, paper.model, paper.schedule,
            paper.baselines) == ("medium", "full", "paper", "paper", "paper", "released")
    schedule = pipeline.train_config(paper)
    assert (schedule.epochs, schedule.lr, schedule.batch_size, schedule.monitor) == (10, 5e-5, 64, "last")
    assert pipeline.train_config(compact).epochs == 15
    assert set(PROFILES) == {"compact", "paper"}
    with pytest.raises(ValueError, match="unknown profile 'fast'"):
        config.settings(profile="fast")


def test_smoke_paper_profile_is_small_enough_for_a_cpu(monkeypatch):
    monkeypatch.setenv("CAMULENET_SMOKE", "1")
    cfg = config.settings(profile="paper", whisper="base")
    assert (cfg.max_clips, cfg.fold_limit, cfg.max_epochs, cfg.whisper_model) == (config.PAPER_SMOKE_CLIPS, 1, 1, "base")
    assert pipeline.train_config(cfg).epochs == 1


def test_whisper_checkpoint_file_is_named_and_keyed_by_its_identity(tmp_path, monkeypatch):
    monkeypatch.delenv("CAMULENET_SMOKE", raising=False)
    ckpt = tmp_path / "medium.pt"
    ckpt.write_bytes(b"x" * 10)
    cfg = replace(config.settings(profile="paper", whisper=str(ckpt)), data_root=tmp_path)
    assert cfg.whisper_model == str(ckpt.resolve()) and config.whisper_label(cfg) == "Whisper (medium.pt)"
    key = pipeline.features_key(cfg)["whisper"]
    assert key["bytes"] == 10 and key["path"] == str(ckpt.resolve())
    before = pipeline.features_root(cfg)
    ckpt.write_bytes(b"y" * 11)  # another file at the same path: other features
    assert pipeline.features_root(cfg) != before
    assert "Profile **paper**: Whisper (medium.pt)" in banner_text(cfg)
    with pytest.raises(FileNotFoundError, match="Whisper checkpoint .*missing.pt not found"):
        config.settings(whisper=str(tmp_path / "missing.pt"))


def test_whisper_labels_follow_openai_names():
    cfg = config.settings()
    assert [config.whisper_label(replace(cfg, whisper_model=m)) for m in ("base", "medium", "large-v3")] == \
        ["Whisper-Base", "Whisper-Medium", "Whisper-Large-v3"]
    assert config.settings(whisper="medium.en").whisper_model == "medium.en"  # a name with a dot is still a name
    assert set(pipeline.book_systems(replace(cfg, whisper_model="medium"))) >= {"CAMuLeNet", "Whisper-Medium"}


def test_offline_without_weights_one_error_names_the_three_ways(tmp_path, monkeypatch):
    import whisper

    from camulenet.features.whisper_encoder import WhisperWeightsUnavailable, load_whisper

    def offline(url, root, in_memory):
        raise OSError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(whisper, "_download", offline)
    with pytest.raises(WhisperWeightsUnavailable) as err:
        load_whisper("medium", download_root=str(tmp_path))
    msg = str(err.value)
    assert "'medium'" in msg and "~/.cache/whisper" in msg  # 1: openai-whisper's download and cache
    assert "--whisper-checkpoint PATH" in msg              # 2: a checkpoint file
    assert "--whisper-model base" in msg                   # 3: the offline base weights
