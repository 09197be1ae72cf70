"""Data pipeline, loss, checkpoints, seeding, early stopping and resume of the trainer."""

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from camulenet.model import CAMuLeNet, CAMuLeNetConfig
from camulenet.storage.ragged import Ragged
from camulenet.training import (
    FoldResult,
    MultitaskLoss,
    SERData,
    TrainConfig,
    load_checkpoint,
    save_checkpoint,
    train_one_fold,
)
from camulenet.training.data import epoch_batches
from camulenet.training.toy import speaker_folds, toy_corpus


@pytest.fixture(scope="module")
def toy():
    feats, manifest = toy_corpus(n_clips=192, n_speakers=12, emotions=("neutral", "angry", "sad"),
                                 seconds=(0.8, 1.4), whisper_dim=32, signal=0.6, seed=1)
    return SERData(feats, manifest), speaker_folds(manifest, n_folds=4, seed=0)


def factory(data, **kw):
    cfg = CAMuLeNetConfig.compact(n_emotions=len(data.emotions), whisper_dim=32, **kw)
    return lambda: CAMuLeNet(cfg)


# The toy tests pin the fast schedule they were calibrated on (the book's compact schedule is slower),
# and the CPU: they assert bit-equal reruns, and on CUDA adaptive pooling's backward is not deterministic.
TOY = dict(lr=1e-3, monitor="val_emotion_loss", patience=3, device="cpu")
FAST = TrainConfig.compact(epochs=3, batch_size=32, progress=False, **{**TOY, "patience": None})


def test_data_labels_and_padding(toy):
    data, _ = toy
    assert data.emotions == ("neutral", "angry", "sad")  # schema order, not alphabetical
    rows = data.rows(["toy_00003", "toy_00000"])
    b = data.batch(rows, ["mel", "mfcc", "whisper"])
    assert b["mel"].shape[1] == data.max_length("mel")  # corpus-wide padding
    assert b["whisper"].shape[1] == int(b["whisper_lengths"].max())  # batch padding, masked
    assert b["emotion"].tolist() == [data.emotions.index(e) for e in data.manifest.emotion.iloc[[3, 0]]]
    with pytest.raises(KeyError, match="not in the manifest"):
        data.rows(["nope"])


def test_data_rejects_bad_input(toy):
    data, _ = toy
    man = data.manifest.copy()
    man.loc[0, "emotion"] = "bored"
    with pytest.raises(ValueError, match="bored"):
        SERData(data.features, man)
    with pytest.raises(ValueError, match="lacks"):
        SERData({"mel": data.features["mel"].select([0, 1])}, data.manifest)


def test_loss_weights_and_constant():
    torch.manual_seed(0)
    out = {"emotion_logits": torch.randn(4, 3, requires_grad=True), "gender_logits": torch.randn(4, 2)}
    y, g = torch.tensor([0, 1, 2, 0]), torch.tensor([0, 1, 1, 0])
    ce_e = torch.nn.functional.cross_entropy(out["emotion_logits"], y)
    ce_g = torch.nn.functional.cross_entropy(out["gender_logits"], g)
    plain = MultitaskLoss()(out, y, g)
    torch.testing.assert_close(plain["total"], 0.4 * ce_e + 0.1 * ce_g)
    released = MultitaskLoss(constant=0.2)(out, y, g)
    torch.testing.assert_close(released["total"], plain["total"] + 0.2)
    # the constant changes the value, not the gradient
    g1 = torch.autograd.grad(plain["total"], out["emotion_logits"])[0]
    g2 = torch.autograd.grad(released["total"], out["emotion_logits"])[0]
    torch.testing.assert_close(g1, g2)
    no_gender = MultitaskLoss(1.0, 0.5)({**out, "gender_logits": None}, y, g)
    torch.testing.assert_close(no_gender["total"], ce_e)


def test_learns_toy_problem_and_is_deterministic(toy, tmp_path):
    data, folds = toy
    cfg = TrainConfig.compact(epochs=6, batch_size=32, progress=False, **TOY)
    r1 = train_one_fold(factory(data), data, folds[0], cfg, tmp_path / "a")
    assert r1.metrics["ua"] > 0.6  # chance is 1/3
    assert r1.metrics["gender_accuracy"] > 0.6
    r2 = train_one_fold(factory(data), data, folds[0], cfg, tmp_path / "b")
    assert r1.metrics == r2.metrics
    pd.testing.assert_frame_equal(r1.history.drop(columns=["seconds", "samples_per_s"]),
                                  r2.history.drop(columns=["seconds", "samples_per_s"]))
    np.testing.assert_array_equal(r1.embeddings, r2.embeddings)
    # outputs: predictions for every test clip, embeddings with ids, loadable best.pt
    test_ids = folds[0][2]
    assert sorted(r1.predictions.utt_id) == sorted(test_ids) and r1.embedding_ids == list(r1.predictions.utt_id)
    probs = r1.predictions[[f"prob_{e}" for e in data.emotions]].to_numpy()
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-5)
    ck = load_checkpoint(tmp_path / "a" / "best.pt")
    assert json.dumps(ck["meta"]) and not (tmp_path / "a" / "last.pt").exists()
    model = CAMuLeNet(CAMuLeNetConfig.from_dict(ck["meta"]["model_config"]))
    model.load_state_dict(ck["model"])


@pytest.mark.parametrize("batching", ["random", "length_buckets"])
def test_resume_continues_exactly(toy, tmp_path, batching):
    data, folds = toy
    fast = replace(FAST, batching=batching)
    kw = {"mfcc_packed": batching == "length_buckets"}  # bucketed batches pay off with a packed GRU
    full = train_one_fold(factory(data, **kw), data, folds[1], fast, tmp_path / "full")
    # "interrupted" after 1 epoch (last.pt kept), then resumed to 3 epochs
    train_one_fold(factory(data, **kw), data, folds[1], replace(fast, epochs=1, keep_last=True), tmp_path / "resumed")
    (tmp_path / "resumed" / "done.json").unlink()  # pretend it stopped before finishing
    ck = torch.load(tmp_path / "resumed" / "last.pt", weights_only=True)
    assert ck["meta"]["epoch"] == 0 and isinstance(ck["rng"]["torch"], torch.Tensor)
    resumed = train_one_fold(factory(data, **kw), data, folds[1], fast, tmp_path / "resumed")
    assert len(resumed.history) == 3
    cols = ["train_loss", "val_loss", "val_wa"]
    np.testing.assert_array_equal(resumed.history[cols].to_numpy(), full.history[cols].to_numpy())
    assert resumed.metrics == full.metrics
    # a finished fold is loaded, not retrained
    again = train_one_fold(lambda: (_ for _ in ()).throw(AssertionError("retrained")), data, folds[1], fast,
                           tmp_path / "full")
    assert again.metrics == full.metrics
    # a fold made with the other batching is neither reused nor continued
    other = replace(fast, batching="random" if batching == "length_buckets" else "length_buckets")
    with pytest.raises(ValueError, match="batching"):
        train_one_fold(factory(data, **kw), data, folds[1], other, tmp_path / "full")


def test_resume_loads_on_the_cpu_and_keeps_the_scaler_only_when_enabled(toy, tmp_path, monkeypatch):
    """last.pt is read onto the CPU (load_state_dict moves what it must); the GradScaler's state
    is saved only by an enabled scaler and loaded only into one, so a state saved where the
    scaler was off (CPU, bf16) never makes an fp16 GPU's scaler raise."""
    from camulenet.training import trainer

    data, folds = toy
    one = replace(FAST, epochs=1, keep_last=True, device="cpu")
    train_one_fold(factory(data), data, folds[1], one, tmp_path)
    (tmp_path / "done.json").unlink()
    last = tmp_path / "last.pt"
    ck = torch.load(last, weights_only=True)
    assert "scaler" not in ck  # the scaler was disabled (CPU)
    seen = []
    monkeypatch.setattr(trainer, "load_checkpoint", lambda p, map_location: seen.append(map_location) or
                        load_checkpoint(p, map_location=map_location))
    made_under = ck["meta"]["made_under"]

    def resume(scaler):
        model = factory(data)()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
        return trainer._resume(last, made_under, model, opt, scaler, torch.Generator())

    enabled = torch.amp.GradScaler("cpu", init_scale=2.0**16, enabled=True)
    assert resume(enabled).start_epoch == 1 and enabled.get_scale() == 2.0**16  # absent: left as it was
    saved = torch.amp.GradScaler("cpu", init_scale=8.0, enabled=True)
    save_checkpoint(last, **{k: v for k, v in ck.items() if k != "meta"}, scaler=saved.state_dict(), meta=ck["meta"])
    resume(enabled)
    assert enabled.get_scale() == 8.0  # present and enabled: loaded
    resume(torch.amp.GradScaler("cpu", enabled=False))  # present but disabled: not loaded, no error
    assert seen == ["cpu"] * 3


def test_early_stopping_restores_best(toy, tmp_path):
    data, folds = toy
    # lr so large that validation gets worse after the first epochs
    cfg = TrainConfig.compact(epochs=12, batch_size=32, progress=False, lr=0.05, patience=2, grad_clip=None, monitor="val_emotion_loss",
                              keep_last=True)
    res = train_one_fold(factory(data), data, folds[2], cfg, tmp_path)
    h = res.history
    best = int(h.val_emotion_loss.idxmin())
    assert res.info["best_epoch"] == int(h.epoch[best])
    if res.info["stopped_early"]:
        assert len(h) == res.info["best_epoch"] + 1 + 2
    # best.pt holds the kept weights; last.pt holds one model and names the file of the kept one
    ck = load_checkpoint(tmp_path / "best.pt")
    last = load_checkpoint(tmp_path / "last.pt")
    assert "best_model" not in last
    best_file = last["meta"]["best_file"]
    assert (best_file is None) == (res.info["best_epoch"] == last["meta"]["epoch"])
    kept = load_checkpoint(tmp_path / best_file)["model"] if best_file else last["model"]
    assert [p.name for p in tmp_path.glob("best-e*.pt")] == ([best_file] if best_file else [])
    for k, v in ck["model"].items():
        torch.testing.assert_close(v, kept[k], rtol=0, atol=0)


def test_resume_restores_an_earlier_best_epoch_from_its_own_file(toy, tmp_path, monkeypatch):
    """A schedule that keeps an earlier epoch: last.pt (one model) names best-e<epoch>.pt, and a
    fold resumed from it ends bit for bit as the uninterrupted one; last.pt written every other
    epoch (checkpoint_epochs=2) gives the same result; each run reports the bytes it wrote."""
    from camulenet.training import trainer

    data, folds = toy
    # this lr overshoots (calibrated on the unpacked GRU): validation UA stays at chance for epochs, and a tie keeps the first
    cfg = TrainConfig.compact(epochs=4, batch_size=32, progress=False, lr=0.05, patience=None, grad_clip=None,
                              monitor="val_ua", device="cpu")
    full = train_one_fold(factory(data, mfcc_packed=False), data, folds[2], cfg, tmp_path / "full")
    assert full.info["best_epoch"] < 2
    assert not list((tmp_path / "full").glob("*e0*.pt")) and not (tmp_path / "full" / "last.pt").exists()
    written = []
    real = trainer.save_checkpoint

    def spy(path, **kw):
        real(path, **kw)
        written.append((path.name, kw["meta"].get("epoch"), path.stat().st_size))

    monkeypatch.setattr(trainer, "save_checkpoint", spy)
    part = tmp_path / "part"
    stopped = train_one_fold(factory(data, mfcc_packed=False), data, folds[2], replace(cfg, epochs=3, keep_last=True,
                                                                 checkpoint_epochs=2), part)
    best = f"best-e{stopped.info['best_epoch']:03d}.pt"
    assert [w[:2] for w in written if w[0] == "last.pt"] == [("last.pt", 1), ("last.pt", 2)]  # every 2nd, the end
    assert load_checkpoint(part / "last.pt")["meta"]["best_file"] == best and (part / best).exists()
    assert [w[0] for w in written].count(best) == 1  # written once, when a last.pt first needed it
    assert stopped.info["checkpoint_bytes"] == sum(w[2] for w in written)  # last.pt twice, best-e, best.pt
    (part / "done.json").unlink()
    resumed = train_one_fold(factory(data, mfcc_packed=False), data, folds[2], cfg, part)
    cols = ["train_loss", "val_loss", "val_wa"]
    np.testing.assert_array_equal(resumed.history[cols].to_numpy(), full.history[cols].to_numpy())
    assert resumed.metrics == full.metrics and resumed.info["best_epoch"] == full.info["best_epoch"]
    np.testing.assert_array_equal(resumed.embeddings, full.embeddings)
    assert not (part / "last.pt").exists() and not list(part.glob("best-e*.pt"))  # removed with the fold done
    with pytest.raises(ValueError, match="checkpoint_epochs"):
        train_one_fold(lambda: None, None, (["a"], [], ["b"]), replace(cfg, checkpoint_epochs=0), tmp_path / "x")


def test_paper_schedule_keeps_the_last_epoch(toy, tmp_path):
    """The released code keeps the model after its last epoch, whatever validation says."""
    data, folds = toy
    cfg = TrainConfig.paper(epochs=4, batch_size=32, progress=False, lr=0.05)  # lr that overshoots
    assert cfg.monitor == "last" and cfg.patience is None
    res = train_one_fold(factory(data), data, folds[2], cfg, tmp_path)
    assert len(res.history) == 4 and res.info["best_epoch"] == 3
    assert not res.info["stopped_early"]


def test_checkpoint_refuses_objects(tmp_path):
    with pytest.raises(TypeError, match="JSON"):
        save_checkpoint(tmp_path / "x.pt", model={}, meta={"bad": object()})
    save_checkpoint(tmp_path / "ok.pt", model={"w": torch.ones(2)}, meta={"a": [1, 2]})
    assert load_checkpoint(tmp_path / "ok.pt")["meta"] == {"a": [1, 2]}


def test_fold_objects_and_empty_validation(toy, tmp_path):
    data, folds = toy

    class Fold:  # the camulenet.data.folds contract: attributes train, val, test
        def __init__(self, train, val, test):
            self.train, self.val, self.test = train, val, test

    tr, va, te = folds[3]
    res = train_one_fold(factory(data, multitask=False), data, Fold(tr + va, [], te),
                         TrainConfig(**{**FAST.to_dict(), "epochs": 2}), tmp_path)
    assert res.info["best_epoch"] == 1 and res.info["n_val"] == 0
    assert np.isnan(res.metrics["gender_accuracy"])
    assert FoldResult.load(tmp_path).metrics["wa"] == res.metrics["wa"]


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_amp_training(toy, tmp_path):
    data, folds = toy
    res = train_one_fold(factory(data), data, folds[0], TrainConfig(**{**FAST.to_dict(), "device": "cuda"}), tmp_path)
    assert res.info["device"].startswith("cuda") and np.isfinite(res.history.train_loss).all()


def test_feature_scaling_fits_training_rows_and_keeps_padding_zero(toy, tmp_path):
    data, folds = toy
    train_ids, _, test_ids = folds[0] if isinstance(folds[0], tuple) else (folds[0].train, folds[0].val, folds[0].test)
    rows = data.rows(train_ids)
    scaling = data.fit_scaling(rows, ["whisper"])
    mean, std = scaling["whisper"]
    frames = np.concatenate([np.asarray(data.features["whisper"][i]) for i in data._pos["whisper"][rows]])
    np.testing.assert_allclose(mean, frames.mean(0), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(std, frames.std(0), rtol=1e-4, atol=1e-5)
    b = data.batch(rows[:8], ["whisper"], scaling=scaling)
    valid = torch.arange(b["whisper"].shape[1])[None, :] < b["whisper_lengths"][:, None]
    assert torch.all(b["whisper"][~valid] == 0)  # padding untouched
    scaled = b["whisper"][valid].numpy()
    assert abs(scaled.mean()) < 0.5 and 0.5 < scaled.std() < 1.5
    # the trainer stores the fold's scaling with the weights
    train_one_fold(factory(data), data, folds[0], TrainConfig.compact(epochs=1, batch_size=32, progress=False,
                                                                       standardize=True), tmp_path)
    ck = load_checkpoint(tmp_path / "best.pt")
    assert set(ck["feature_scaling"]) == {f"{k}.{p}" for k in ("mel", "mfcc", "whisper") for p in ("mean", "std")}


def varied_lengths_data(n=120, seed=0):
    """SERData of clips from 5 to 300 frames (MFCC and mel), Whisper frames half as many."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(5, 301, n)
    ids = [f"c{i:04d}" for i in range(n)]
    manifest = pd.DataFrame({"utt_id": ids, "speaker": [f"s{i % 6}" for i in range(n)],
                             "gender": ["female" if i % 2 else "male" for i in range(n)],
                             "emotion": rng.choice(["neutral", "angry", "sad"], n)})
    feats = {"mfcc": Ragged.from_list([rng.standard_normal((t, 4)).astype(np.float32) for t in lengths], ids),
             "mel": Ragged.from_list([rng.standard_normal((t, 3)).astype(np.float32) for t in lengths], ids),
             "whisper": Ragged.from_list([rng.standard_normal((max(1, t // 2), 2)).astype(np.float32)
                                          for t in lengths], ids)}
    return SERData(feats, manifest), lengths


def test_length_buckets_use_every_clip_once_per_epoch_and_follow_the_seed():
    data, _ = varied_lengths_data()
    rows = np.arange(3, len(data))  # a "training set": not all rows, not starting at 0
    lengths = data.clip_lengths(rows, ("mel", "mfcc", "whisper"))
    gen = torch.Generator().manual_seed(7)
    epochs = [epoch_batches(rows, 16, gen, "length_buckets", lengths, chunk_batches=3) for _ in range(3)]
    for batches in epochs:
        seen = np.concatenate(batches)
        assert sorted(seen.tolist()) == rows.tolist()  # every training clip exactly once
        assert all(1 <= len(b) <= 16 for b in batches)
    assert [b.tolist() for b in epochs[0]] != [b.tolist() for b in epochs[1]]  # reshuffled each epoch
    # same seed, same batches; another seed, other batches
    again = epoch_batches(rows, 16, torch.Generator().manual_seed(7), "length_buckets", lengths, chunk_batches=3)
    assert [b.tolist() for b in again] == [b.tolist() for b in epochs[0]]
    other = epoch_batches(rows, 16, torch.Generator().manual_seed(8), "length_buckets", lengths, chunk_batches=3)
    assert [b.tolist() for b in other] != [b.tolist() for b in epochs[0]]
    # "random" is the trainer's earlier shuffling: one randperm cut into consecutive batches
    perm = torch.randperm(len(rows), generator=torch.Generator().manual_seed(7)).numpy()
    random = epoch_batches(rows, 16, torch.Generator().manual_seed(7), "random")
    assert np.array_equal(np.concatenate(random), rows[perm]) and [len(b) for b in random][:-1] == [16] * 7
    with pytest.raises(ValueError, match="batching"):
        epoch_batches(rows, 16, gen, "sorted", lengths)


def test_length_buckets_pad_less_than_random_batches():
    data, lengths = varied_lengths_data()
    rows = np.arange(len(data))
    clip = data.clip_lengths(rows, ("mfcc",))
    assert np.array_equal(clip, lengths)

    def padded_frames(batching):
        gen = torch.Generator().manual_seed(0)
        batches = epoch_batches(rows, 16, gen, batching, data.clip_lengths(rows, ("mel", "mfcc", "whisper")))
        total = 0
        for b in batches:
            batch = data.batch(b, ["mfcc"], batch_padded=["mfcc"])
            assert batch["mfcc"].shape[1] == int(lengths[b].max())  # padded to this batch's longest clip
            total += batch["mfcc"].shape[0] * batch["mfcc"].shape[1] - int(lengths[b].sum())
        return total

    bucketed, random = padded_frames("length_buckets"), padded_frames("random")
    assert bucketed < 0.25 * random
    # without batch_padded, MFCC and mel keep their corpus-wide length
    assert data.batch(rows[:2], ["mfcc"])["mfcc"].shape[1] == int(lengths.max())


def test_train_config_identity_changes_with_batching():
    random, buckets = TrainConfig(batching="random"), TrainConfig(batching="length_buckets")
    assert random.identity() != buckets.identity()
    assert buckets.identity()["batching"] == "length_buckets"
    # folds made before the field existed (random batches) keep their identity
    assert "batching" not in random.identity()
    assert TrainConfig.compact().batching == TrainConfig.paper().batching == "random"
    with pytest.raises(ValueError, match="batching"):
        train_one_fold(lambda: None, None, (["a"], [], ["b"]), TrainConfig(batching="sorted"), "/nonexistent")


def test_trainer_pads_mfcc_per_batch_only_for_a_packed_gru(toy):
    from camulenet.training.trainer import _Runner

    data, folds = toy
    rows = data.rows(folds[0][2][:8])
    cfg = TrainConfig.compact(progress=False)
    packed = _Runner(factory(data)(), data, cfg, torch.device("cpu"))  # the compact default
    unpacked = _Runner(factory(data, mfcc_packed=False)(), data, cfg, torch.device("cpu"))  # as released
    longest = int(data.clip_lengths(rows, ("mfcc",)).max())
    assert packed.forward(rows)[0]["mfcc"].shape[1] == longest < data.max_length("mfcc")
    assert unpacked.forward(rows)[0]["mfcc"].shape[1] == data.max_length("mfcc")  # its GRU sees the padding
    for run in (packed, unpacked):  # the mel conv stack sees its padding: always corpus-wide
        assert run.forward(rows)[0]["mel"].shape[1] == data.max_length("mel")


def test_validation_predictions_use_the_kept_weights_and_old_folds_load(toy, tmp_path):
    data, folds = toy
    tr, va, te = folds[1]
    res = train_one_fold(factory(data), data, folds[1], FAST, tmp_path)
    val = res.val_predictions
    assert list(val.columns) == ["utt_id", "true", "pred"] + [f"prob_{e}" for e in data.emotions]
    assert list(val.utt_id) == va and list(val.true) == list(data.manifest.set_index("utt_id").emotion[va])
    probs = val[[f"prob_{e}" for e in data.emotions]].to_numpy()
    np.testing.assert_allclose(probs.sum(1), 1, rtol=1e-5)
    # the best epoch's weights (restored into best.pt) give these probabilities
    model = factory(data)()
    model.load_state_dict(load_checkpoint(tmp_path / "best.pt")["model"])
    with torch.no_grad():
        again = torch.softmax(model.eval()(data.batch(data.rows(va[:16]), model.feature_keys))["emotion_logits"], 1)
    np.testing.assert_allclose(again.numpy(), probs[:16], rtol=1e-4, atol=1e-5)
    loaded = FoldResult.load(tmp_path)
    pd.testing.assert_frame_equal(loaded.val_predictions, val)
    (tmp_path / "val_predictions.parquet").unlink()  # a fold saved before these were written
    assert FoldResult.load(tmp_path).val_predictions is None
    # no validation clips: an empty table with the columns
    empty = train_one_fold(factory(data), data, (tr + va, [], te), TrainConfig(**{**FAST.to_dict(), "epochs": 1}),
                           tmp_path / "noval").val_predictions
    assert len(empty) == 0 and list(empty.columns) == list(val.columns)
    assert len(FoldResult.load(tmp_path / "noval").val_predictions) == 0


def test_speaker_norm_gives_each_speaker_mean_zero_without_labels(toy):
    from camulenet.training.trainer import _Runner

    data, folds = toy
    keys = ("mel", "mfcc", "whisper")
    all_rows = np.concatenate([data.rows(ids) for ids in folds[0]])
    sc = data.fit_speaker_scaling(all_rows, keys)
    assert set(sc) == set(keys) and set(sc["whisper"].speakers) == set(data.manifest.speaker)
    for spk in data.manifest.speaker.unique()[:4]:
        rows = np.flatnonzero(data.manifest.speaker.to_numpy() == spk)
        b = data.batch(rows, keys, speaker_scaling=sc)
        for key in keys:
            x, n = b[key], b[f"{key}_lengths"]
            valid = torch.arange(x.shape[1])[None, :] < n[:, None]
            frames = x[valid].double()
            assert torch.all(x[~valid] == 0)  # padding stays zero
            torch.testing.assert_close(frames.mean(0), torch.zeros(x.shape[-1], dtype=torch.float64), atol=1e-4, rtol=0)
            torch.testing.assert_close(frames.std(0, unbiased=False), torch.ones(x.shape[-1], dtype=torch.float64),
                                       atol=1e-3, rtol=0)
    # never reads a label: other emotions and genders, the same statistics and batches
    shuffled = data.manifest.copy()
    shuffled["emotion"] = np.random.default_rng(0).permutation(shuffled.emotion.to_numpy())
    shuffled["gender"] = shuffled.gender.map({"female": "male", "male": "female"})
    other = SERData(data.features, shuffled).fit_speaker_scaling(all_rows, keys)
    for key in keys:
        np.testing.assert_array_equal(other[key].mean, sc[key].mean)
        np.testing.assert_array_equal(other[key].std, sc[key].std)
    # speakers not fitted are refused, not silently left unnormalised
    part = data.fit_speaker_scaling(data.rows(folds[0][0]), ["whisper"])
    with pytest.raises(KeyError, match="not fitted"):
        data.batch(data.rows(folds[0][2][:2]), ["whisper"], speaker_scaling=part)
    # the trainer applies it per batch; the features themselves are untouched (no normalised copy)
    before = {k: data.features[k] for k in keys}
    run = _Runner(factory(data)(), data, TrainConfig.compact(speaker_norm=True, progress=False), torch.device("cpu"))
    run.speaker_scaling = sc
    batch, out = run.forward(all_rows[:8])
    assert torch.isfinite(out["emotion_logits"]).all()
    assert all(data.features[k] is before[k] for k in keys)


def test_speaker_norm_identity_and_training(toy, tmp_path):
    default = TrainConfig()
    assert "speaker_norm" not in default.identity() and "speaker_norm" not in TrainConfig.compact().identity()
    assert set(default.identity()) == {"epochs", "batch_size", "lr", "weight_decay", "emotion_weight", "gender_weight",
                                       "loss_constant", "patience", "monitor", "device", "amp", "seed", "grad_clip",
                                       "eval_batch_size", "standardize"}  # what the book's folds were made under
    on = TrainConfig.compact(speaker_norm=True)
    assert on.identity()["speaker_norm"] is True and on.identity() != TrainConfig.compact().identity()
    with pytest.raises(ValueError, match="speaker_norm and standardize"):
        train_one_fold(lambda: None, None, (["a"], [], ["b"]), TrainConfig(speaker_norm=True, standardize=True),
                       tmp_path)
    data, folds = toy
    res = train_one_fold(factory(data), data, folds[2], TrainConfig(**{**FAST.to_dict(), "epochs": 1,
                                                                      "speaker_norm": True}), tmp_path / "sn")
    assert np.isfinite(res.history.train_loss).all() and res.info["made_under"]["train_config"]["speaker_norm"]


def _half(data):
    return SERData({k: Ragged(v.values.astype(np.float16), v.offsets, v.ids) for k, v in data.features.items()},
                   data.manifest)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_batches_padded_as_stored_equal_the_cpu_ones(toy):
    """On CUDA float16 frames (the store's dtype) are padded as they are into pinned memory and
    cast on the GPU: the same float32 values as the CPU's padding into float32 (the cast is exact)."""
    data, _ = toy
    half = _half(data)
    rows, keys = np.arange(0, len(data), 7), ("whisper", "mfcc", "mel")
    cpu, gpu = half.batch(rows, keys), half.batch(rows, keys, device="cuda")
    for k, v in cpu.items():
        assert gpu[k].device.type == "cuda" and gpu[k].dtype == v.dtype
        torch.testing.assert_close(gpu[k].cpu(), v, rtol=0, atol=0)


def test_prefetcher_yields_the_same_items_in_order_and_raises_what_make_raises():
    from camulenet.training.data import Prefetcher

    items = list(range(7))
    assert list(Prefetcher(items, lambda i: i * i, ahead=True)) == list(Prefetcher(items, lambda i: i * i, ahead=False))
    feed = Prefetcher(items, lambda i: i * i)
    assert list(feed) == [i * i for i in items] and feed.wait_seconds >= 0

    def bad(i):
        if i == 3:
            raise KeyError("clip 3")
        return i

    with pytest.raises(KeyError, match="clip 3"):
        list(Prefetcher(items, bad))


def test_prefetching_batches_does_not_change_the_result(toy, tmp_path):
    """The next batch padded in a background thread (the default on CUDA) trains the same
    numbers as batches padded in turn."""
    data, folds = toy
    cfg = replace(FAST, epochs=2)
    a = train_one_fold(factory(data), data, folds[0], replace(cfg, prefetch=False), tmp_path / "a")
    b = train_one_fold(factory(data), data, folds[0], replace(cfg, prefetch=True), tmp_path / "b")
    cols = ["train_loss", "val_loss", "val_wa"]
    np.testing.assert_array_equal(a.history[cols].to_numpy(), b.history[cols].to_numpy())
    np.testing.assert_array_equal(a.embeddings, b.embeddings)
    assert 0 <= a.info["data_wait_share"] <= 1 and 0 <= b.info["data_wait_share"] <= 1
    assert "prefetch" not in cfg.identity()


def test_padding_a_batch_in_threads_writes_what_one_thread_does(toy):
    from camulenet.training.data import padded_in_parallel

    data, _ = toy
    rag = data.features["whisper"]
    pos = np.arange(len(rag))[::-3]
    t = int(np.asarray(rag.lengths)[pos].max())
    one, lens = rag.padded(pos, max_len=t)
    out = np.zeros_like(one)
    np.testing.assert_array_equal(padded_in_parallel(rag, pos, t, out, threads=3), lens)
    np.testing.assert_array_equal(out, one)


def test_best_weights_in_bfloat16_halve_best_pt_and_leave_the_results(toy, tmp_path):
    data, folds = toy
    cfg = TrainConfig.compact(epochs=2, batch_size=32, progress=False, **TOY)
    exact = train_one_fold(factory(data), data, folds[0], cfg, tmp_path / "f32")
    half = train_one_fold(factory(data), data, folds[0], replace(cfg, best_dtype="bfloat16"), tmp_path / "bf16")
    assert half.metrics == exact.metrics  # scored before saving: the stored precision changes nothing
    pd.testing.assert_frame_equal(half.predictions, exact.predictions)
    a, b = load_checkpoint(tmp_path / "f32" / "best.pt"), load_checkpoint(tmp_path / "bf16" / "best.pt")
    assert b["meta"]["weights_dtype"] == "bfloat16" and a["meta"]["weights_dtype"] == "float32"
    assert {v.dtype for v in b["model"].values() if v.is_floating_point()} == {torch.bfloat16}
    assert (tmp_path / "bf16" / "best.pt").stat().st_size < 0.6 * (tmp_path / "f32" / "best.pt").stat().st_size
    model = CAMuLeNet(CAMuLeNetConfig.from_dict(b["meta"]["model_config"]))
    model.load_state_dict(b["model"])  # loads into the float32 model, within bfloat16 rounding of the kept weights
    for k, v in model.state_dict().items():
        torch.testing.assert_close(v, a["model"][k].to(v.dtype), rtol=1e-2, atol=1e-2)
    assert TrainConfig.paper().best_dtype == "bfloat16" and TrainConfig.paper().identity() == replace(
        TrainConfig.paper(), best_dtype="float32").identity()  # not part of any cache key
    with pytest.raises(ValueError, match="best_dtype"):
        train_one_fold(factory(data), data, folds[0], replace(cfg, best_dtype="int8"), tmp_path / "bad")


def test_checkpoint_disk_formula_matches_the_bytes_a_fold_writes(toy, tmp_path):
    """grid --plan's checkpoint sizes (training.checkpoint_disk) are the bytes a fold really
    writes: last.pt (model + AdamW) after each epoch but the last, best.pt in bfloat16."""
    from camulenet.training.checkpoint_disk import per_fold, sizes

    data, folds = toy
    cfg = TrainConfig.paper(epochs=3, batch_size=32, progress=False, device="cpu")
    res = train_one_fold(factory(data), data, folds[0], cfg, tmp_path)
    predicted = per_fold(sizes(factory(data)(), cfg.best_dtype), cfg.epochs, cfg.checkpoint_epochs)
    assert predicted["last_pt_writes"] == 2
    assert res.info["checkpoint_bytes"] == pytest.approx(predicted["written"], rel=0.05)  # + torch.save's framing
    assert (tmp_path / "best.pt").stat().st_size == pytest.approx(predicted["best_pt"], rel=0.05)
    fewer = per_fold(sizes(factory(data)(), cfg.best_dtype), cfg.epochs, 5)
    assert fewer["last_pt_writes"] == 0 and fewer["written"] == fewer["best_pt"] == fewer["held_max"]
