"""The grid runner on a tiny corpus: tidy table, predictions, embeddings, resume."""

import numpy as np
import pandas as pd

from camulenet.training import TrainConfig, runner
from camulenet.training.toy import speaker_folds, toy_corpus


def test_run_grid_writes_tidy_results_and_resumes(tmp_path, monkeypatch):
    feats, manifest = toy_corpus(n_clips=72, n_speakers=6, emotions=("neutral", "happy"), seconds=(0.6, 1.0),
                                 whisper_dim=16, signal=0.5, seed=2)
    folds = speaker_folds(manifest, n_folds=3)
    cfg = TrainConfig.compact(epochs=2, batch_size=16, progress=False, device="cpu")  # bit-equal reruns: the CPU
    systems = ["CAMuLeNet", "CAMuLeNet w/o co-attention & multitask", "Whisper-Base"]
    res = runner.train_systems(feats, manifest, folds, systems=systems, out_dir=tmp_path, train_config=cfg,
                          fold_indices=[0, 2], progress=False)
    assert list(res.columns) == ["system", "fold", "metric", "value"]
    assert set(res.system) == set(systems) and set(res.fold) == {0, 2}
    wa = res[res.metric == "wa"]
    assert len(wa) == 6 and wa.value.between(0, 1).all()
    assert set(res[res.metric == "gender_accuracy"].system) == {"CAMuLeNet"}
    pd.testing.assert_frame_equal(runner.load_results(tmp_path), res)
    preds = runner.load_predictions(tmp_path)
    assert list(preds.columns[:5]) == ["utt_id", "fold", "system", "true", "pred"]
    assert len(preds) == 3 * (len(folds[0][2]) + len(folds[2][2]))
    hist = runner.load_histories(tmp_path)
    assert {"system", "fold", "epoch", "train_loss", "val_ua"} <= set(hist.columns)
    emb, ids = runner.load_embeddings(tmp_path, "CAMuLeNet", 2)
    assert emb.shape == (len(folds[2][2]), 128) and ids == list(preds[(preds.system == "CAMuLeNet") & (preds.fold == 2)].utt_id)
    conf = pd.read_csv(tmp_path / "confusion.csv")
    assert conf.groupby(["system", "fold"])["count"].sum().tolist() == [len(folds[k][2]) for k in (0, 2)] * 3
    val = runner.load_val_predictions(tmp_path)  # each fold's validation clips under its kept weights
    assert list(val.columns) == ["utt_id", "fold", "system", "true", "pred", "prob_neutral", "prob_happy"]
    assert len(val) == 3 * (len(folds[0][1]) + len(folds[2][1]))
    assert set(val[(val.system == "CAMuLeNet") & (val.fold == 2)].utt_id) == set(folds[2][1])
    # a fold saved before validation predictions were written is collected without them
    (tmp_path / "systems" / "whisper-base" / "fold_02" / "val_predictions.parquet").unlink()
    runner.collect(tmp_path)
    assert len(runner.load_val_predictions(tmp_path)) == len(val) - len(folds[2][1])
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically

    # resume: finished folds are not retrained; a new fold is
    calls = []
    real = runner.train_one_fold
    monkeypatch.setattr(runner, "train_one_fold", lambda *a, **k: calls.append(a[2]) or real(*a, **k))
    res2 = runner.train_systems(feats, manifest, folds, systems=systems, out_dir=tmp_path, train_config=cfg,
                           progress=False)
    assert len(calls) == 3  # only fold 1 of each system
    assert set(res2.fold) == {0, 1, 2}
    np.testing.assert_array_equal(res2[res2.fold != 1].sort_values(["system", "fold", "metric"]).value.to_numpy(),
                                  res.sort_values(["system", "fold", "metric"]).value.to_numpy())


def test_system_names_match_table1():
    from camulenet.evaluation.paper import paper_table1

    assert set(runner.SYSTEMS) <= set(paper_table1().system)  # the table the package ships
    assert runner.SYSTEMS == ("CAMuLeNet", "CAMuLeNet w/o multitask",
                              "CAMuLeNet w/o co-attention & multitask", "Whisper-Base")
    assert runner.slug("CAMuLeNet w/o co-attention & multitask") == "camulenet-w-o-co-attention-multitask"
