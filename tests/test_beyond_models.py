"""Systems beyond the paper: fusion ablations, Whisper attention pooling, speaker normalisation."""

import json

import pytest
import torch

from camulenet.model import AttentionPoolingConfig, CAMuLeNet, WhisperAttentionPooling
from camulenet.training import SERData, TrainConfig, load_checkpoint, runner
from camulenet.training.toy import speaker_folds, toy_corpus

BEYOND = ["CAMuLeNet (concatenation)", "CAMuLeNet (softmax co-attention)", "Whisper attention pooling",
          "CAMuLeNet + speaker normalisation"]


@pytest.fixture(scope="module")
def toy():
    feats, manifest = toy_corpus(n_clips=48, n_speakers=6, emotions=("neutral", "happy", "sad"), seconds=(0.5, 0.8),
                                 whisper_dim=16, signal=0.5, seed=3)
    return feats, manifest, speaker_folds(manifest, n_folds=3)


def test_registry_names_and_book_systems_untouched():
    assert list(runner.BEYOND_SYSTEMS) == BEYOND
    assert runner.SYSTEMS == ("CAMuLeNet", "CAMuLeNet w/o multitask",
                              "CAMuLeNet w/o co-attention & multitask", "Whisper-Base")
    assert list(runner.VARIANTS) == list(runner.SYSTEMS[:3])  # chapter 5/6 train exactly the book's systems
    assert not set(runner.BEYOND_SYSTEMS) & (set(runner.VARIANTS) | set(runner.BASELINES))
    assert len({runner.slug(s) for s in BEYOND + list(runner.SYSTEMS)}) == len(BEYOND) + len(runner.SYSTEMS)


def test_each_system_builds_with_its_mechanism(toy):
    feats, manifest, _ = toy
    data = SERData(feats, manifest)
    concat = runner.build_model("CAMuLeNet (concatenation)", data, "compact")
    assert isinstance(concat, CAMuLeNet) and not concat.config.coattention and concat.config.multitask
    soft = runner.build_model("CAMuLeNet (softmax co-attention)", data, "compact")
    assert soft.config.coattention and soft.config.multitask and soft.config.normalisation == "softmax"
    book = runner.build_model("CAMuLeNet", data, "compact")
    assert book.config.normalisation == "relu"  # the released weights stay the book's
    spk = runner.build_model("CAMuLeNet + speaker normalisation", data, "compact")
    assert spk.config == book.config  # the same model; only the schedule differs
    pool = runner.build_model("Whisper attention pooling", data, "compact")
    assert isinstance(pool, WhisperAttentionPooling) and pool.config.n_emotions == 3 and pool.config.whisper_dim == 16
    rows = data.rows(manifest.utt_id[:5])
    for model in (concat, soft, pool):
        out = model.eval()(data.batch(rows, model.feature_keys))
        assert out["emotion_logits"].shape == (5, 3) and torch.isfinite(out["emotion_logits"]).all()
    assert concat.eval()(data.batch(rows, concat.feature_keys))["attention"] is None
    assert pool(data.batch(rows, pool.feature_keys))["gender_logits"] is None  # emotion only
    assert runner.system_train_config("CAMuLeNet + speaker normalisation", TrainConfig.compact()).speaker_norm
    assert runner.system_train_config("CAMuLeNet", TrainConfig.compact()) == TrainConfig.compact()
    with pytest.raises(KeyError, match="unknown system"):
        runner.build_model("CAMuLeNet (something else)", data)


def test_softmax_coattention_weights_sum_to_one_and_ignore_padding(toy):
    feats, manifest, _ = toy
    data = SERData(feats, manifest)
    torch.manual_seed(0)
    model = runner.build_model("CAMuLeNet (softmax co-attention)", data, "compact").eval()
    rows = data.rows(manifest.utt_id[:6])
    batch = data.batch(rows, model.feature_keys)
    lengths = batch["whisper_lengths"]
    assert int(lengths.min()) < batch["whisper"].shape[1]  # some clips are padded
    with torch.no_grad():
        ref = model(batch)
        w = ref["attention"]
        torch.testing.assert_close(w.sum(1), torch.ones(len(rows)))
        pad = torch.arange(w.shape[1])[None, :] >= lengths[:, None]
        assert torch.all(w[pad] == 0)
        noisy = batch["whisper"].clone()
        noisy[pad] = 50 * torch.randn(int(pad.sum()), noisy.shape[-1])
        out = model({**batch, "whisper": noisy})
    torch.testing.assert_close(out["emotion_logits"], ref["emotion_logits"])


def test_attention_pooling_output_does_not_depend_on_padding_length():
    torch.manual_seed(0)
    model = WhisperAttentionPooling(AttentionPoolingConfig.compact(n_emotions=4, whisper_dim=8)).eval()
    lengths = torch.tensor([7, 3, 12])
    x = torch.zeros(3, 12, 8)
    for i, n in enumerate(lengths.tolist()):
        x[i, :n] = 3 * torch.randn(n, 8) + 5
    with torch.no_grad():
        ref = model({"whisper": x, "whisper_lengths": lengths})
        longer = torch.cat([x, 100 * torch.randn(3, 20, 8)], dim=1)  # more padding, and not zeros
        for i, n in enumerate(lengths.tolist()):
            longer[i, n:12] = -77.0
        out = model({"whisper": longer, "whisper_lengths": lengths})
        alone = [model({"whisper": x[i:i + 1, :n], "whisper_lengths": lengths[i:i + 1]})
                 for i, n in enumerate(lengths.tolist())]
    for key in ("emotion_logits", "embedding"):
        torch.testing.assert_close(out[key], ref[key])
        torch.testing.assert_close(torch.cat([a[key] for a in alone]), ref[key], rtol=1e-5, atol=1e-5)
    w = out["attention"]
    torch.testing.assert_close(w.sum(1), torch.ones(3))
    assert torch.all(w[torch.arange(32)[None, :] >= lengths[:, None]] == 0)
    assert model.padding_invariant_keys() == ("whisper",)


def test_fingerprints_differ_per_system_and_the_book_systems_keep_theirs(monkeypatch):
    fps = {s: runner.fold_fingerprint(s, "compact", "compact", None, ["neutral", "happy"])
           for s in [*runner.SYSTEMS, *BEYOND]}
    assert len({json.dumps(fp, sort_keys=True) for fp in fps.values()}) == len(fps)
    # the keys folds were made under before these systems existed, plus the compact preset's one
    # change since (its MFCC GRU reads each clip's own frames) and each model's code version
    # (channels-last spectrogram convs; the baseline's projection on valid frames only): folds
    # of the older code are not reused
    packed = {"mfcc_packed": True}
    for s in runner.SYSTEMS:
        assert fps[s] == {"system": s, "model": "compact", "baselines": "compact",
                          "feature": "whisper" if s == "Whisper-Base" else None,
                          "emotions": ["neutral", "happy"], "extra": {}, "code_version": 2,
                          **({} if s == "Whisper-Base" else {"model_changes": packed})}
    assert fps["Whisper attention pooling"]["code_version"] == 2
    # the released baseline layouts are the code they were: their folds keep their keys
    released = runner.fold_fingerprint("Whisper-Base", "paper", "released", None, ["neutral", "happy"])
    assert "code_version" not in released
    assert runner.fold_fingerprint("CAMuLeNet", "paper", "released", None, ["neutral"])["code_version"] == 2
    assert fps["CAMuLeNet (softmax co-attention)"]["beyond"]["model_config"]["normalisation"] == "softmax"
    assert fps["CAMuLeNet (concatenation)"]["beyond"]["model_config"]["coattention"] is False
    assert fps["CAMuLeNet + speaker normalisation"]["beyond"]["train"] == {"speaker_norm": True}
    assert fps["Whisper attention pooling"]["beyond"]["model"] == "attention_pooling"
    assert runner.preset_changes("compact") == packed and runner.preset_changes("paper") == {}
    # a preset edited after its folds were made no longer matches them (baselines do not read it)
    real = runner.CAMuLeNetConfig.compact.__func__
    monkeypatch.setattr(runner.CAMuLeNetConfig, "compact",
                        classmethod(lambda cls, **kw: real(cls, **{"branch_dim": 96, **kw})))
    changed = runner.fold_fingerprint("CAMuLeNet", "compact", "compact", None, ["neutral", "happy"])
    assert changed["model_changes"] == {**packed, "branch_dim": 96}
    assert runner.fold_fingerprint("Whisper-Base", "compact", "compact", None,
                                   ["neutral", "happy"]) == fps["Whisper-Base"]


def test_beyond_systems_train_through_the_grid_and_resume(toy, tmp_path, monkeypatch):
    feats, manifest, folds = toy
    cfg = TrainConfig.compact(epochs=1, batch_size=16, progress=False)
    systems = ["CAMuLeNet", *BEYOND]
    res = runner.train_systems(feats, manifest, folds, systems=systems, out_dir=tmp_path, train_config=cfg,
                          fold_indices=[0], progress=False)
    assert set(res.system) == set(systems)
    wa = res[res.metric == "wa"]
    assert len(wa) == len(systems) and wa.value.between(0, 1).all()
    assert set(res[res.metric == "gender_accuracy"].system) == set(systems) - {"Whisper attention pooling"}
    # the speaker-normalised system (alone) trained under speaker_norm; the grid's record is the shared schedule
    for s in systems:
        made = json.loads((tmp_path / "systems" / runner.slug(s) / "fold_00" / "done.json").read_text())["made_under"]
        assert made["train_config"].get("speaker_norm", False) is (s == "CAMuLeNet + speaker normalisation")
    assert "speaker_norm" not in json.loads((tmp_path / "run_info.json").read_text())["train_config"]
    fold_dir = tmp_path / "systems" / runner.slug("CAMuLeNet + speaker normalisation") / "fold_00"
    ck = load_checkpoint(fold_dir / "best.pt")
    assert set(ck["speaker_scaling"]) == {f"{k}.{p}" for k in ("mel", "mfcc", "whisper") for p in ("mean", "std")}
    assert sorted(ck["meta"]["speaker_scaling_speakers"]["whisper"]) == sorted(manifest.speaker.unique())
    val = runner.load_val_predictions(tmp_path)
    assert set(val.system) == set(systems) and len(val) == len(systems) * len(folds[0][1])
    # resume: nothing is retrained, the per-system schedule included
    calls = []
    monkeypatch.setattr(runner, "train_one_fold", lambda *a, **k: calls.append(a) or None)
    assert runner.train_systems(feats, manifest, folds, systems=systems, out_dir=tmp_path, train_config=cfg,
                           fold_indices=[0], progress=False, todo_only=True) == []
    runner.train_systems(feats, manifest, folds, systems=systems, out_dir=tmp_path, train_config=cfg,
                    fold_indices=[0], progress=False)
    assert calls == []
