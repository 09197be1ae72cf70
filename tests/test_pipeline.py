"""The book's cached steps: folds made once and checked, the grid loaded as a Run."""

import json
from dataclasses import replace

import numpy as np
import pytest

from camulenet import book, pipeline
from camulenet.runner import run_grid
from camulenet.training import TrainConfig
from camulenet.training.toy import speaker_folds, toy_corpus


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    cfg = replace(book.settings(smoke=True), data_root=root, corpus="toy", n_folds=2)
    feats, manifest = toy_corpus(n_clips=48, n_speakers=6, emotions=("neutral", "angry"), seconds=(0.5, 0.8),
                                 whisper_dim=16, seed=0)
    folds = speaker_folds(manifest, n_folds=3, seed=0)
    run_grid(feats, manifest, folds, systems=("CAMuLeNet", "Whisper-Base"), out_dir=pipeline.runs_root(cfg),
             train_config=TrainConfig.compact(epochs=1, batch_size=16, progress=False), progress=False)
    return cfg, manifest


def test_load_run_shapes_and_embeddings(grid):
    cfg, manifest = grid
    run = pipeline.load_run(cfg)
    assert set(run.results.system) == {"CAMuLeNet", "Whisper-Base"}
    assert len(run.results) == 6 and {"wa", "ua", "weighted_f1"} <= set(run.results.columns)
    assert run.throughput.loc["CAMuLeNet", "folds"] == 3 and run.seconds > 0
    ids, emb = run.test_embeddings("CAMuLeNet")
    assert sorted(ids) == sorted(manifest.utt_id) and emb.shape == (len(manifest), 128)
    with pytest.raises(FileNotFoundError):
        run.test_embeddings("CAMuLeNet w/o multitask")


def test_load_run_without_grid_says_what_to_do(tmp_path):
    cfg = replace(book.settings(smoke=True), data_root=tmp_path)
    with pytest.raises(FileNotFoundError, match="run_grid"):
        pipeline.load_run(cfg)
