"""The book's cached steps: folds made once and checked, the grid loaded as a Run."""

import json
from dataclasses import replace

import pytest

from camulenet import config, pipeline
from camulenet.training import TrainConfig
from camulenet.training.runner import train_systems
from camulenet.training.toy import speaker_folds, toy_corpus


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    cfg = replace(config.settings(smoke=True), data_root=root, corpus="toy", n_folds=2)
    feats, manifest = toy_corpus(n_clips=48, n_speakers=6, emotions=("neutral", "angry"), seconds=(0.5, 0.8),
                                 whisper_dim=16, seed=0)
    folds = speaker_folds(manifest, n_folds=3, seed=0)
    train_systems(feats, manifest, folds, systems=("CAMuLeNet", "Whisper-Base"), out_dir=pipeline.runs_root(cfg, manifest),
             train_config=TrainConfig.compact(epochs=1, batch_size=16, progress=False), progress=False)
    return cfg, manifest


def test_load_run_shapes_and_embeddings(grid):
    cfg, manifest = grid
    run = pipeline.load_run(cfg, manifest)
    assert set(run.results.system) == {"CAMuLeNet", "Whisper-Base"}
    assert len(run.results) == 6 and {"wa", "ua", "weighted_f1"} <= set(run.results.columns)
    assert run.throughput.loc["CAMuLeNet", "folds"] == 3 and run.seconds > 0
    ids, emb = run.test_embeddings("CAMuLeNet")
    assert sorted(ids) == sorted(manifest.utt_id) and emb.shape == (len(manifest), 128)
    with pytest.raises(FileNotFoundError):
        run.test_embeddings("CAMuLeNet w/o multitask")


def test_load_run_without_grid_says_what_to_do(tmp_path):
    cfg = replace(config.settings(smoke=True), data_root=tmp_path)
    _, manifest = toy_corpus(n_clips=12, n_speakers=4, emotions=("neutral", "angry"), seconds=(0.5, 0.6),
                             whisper_dim=8, seed=0)
    with pytest.raises(FileNotFoundError, match="train_systems"):
        pipeline.load_run(cfg, manifest)


def test_unreadable_clips_are_skipped_and_reported(tmp_path, monkeypatch):
    """A clip that failed extraction is named in a warning and left out of features, manifest and folds."""
    import camulenet.features.extract as extract
    from camulenet.features.store import FeatureStore

    cfg = replace(config.settings(smoke=True), data_root=tmp_path, corpus="toy")
    feats, manifest = toy_corpus(n_clips=12, n_speakers=4, emotions=("neutral", "angry"), seconds=(0.5, 0.6),
                                 whisper_dim=8, seed=0)
    bad = manifest.utt_id.iloc[5]
    store = FeatureStore(pipeline.features_root(cfg))
    ok = [u for u in manifest.utt_id if u != bad]
    for name in pipeline.BOOK_FEATURES:
        src = feats["whisper"] if name.startswith("whisper") else feats[name]
        store.write_shard(name, ok, [src[list(src.ids).index(u)] for u in ok])
    store.write_failures([{"utt_id": bad, "path": f"/x/{bad}.wav", "reason": "empty file", "fix_hint": "re-export"}])
    monkeypatch.setattr(extract, "extract_features", lambda *a, **k: None)  # the store above is the extraction

    with pytest.warns(UserWarning, match=f"1 of 12 clips could not be read.*{bad}.*failures.csv"):
        got = pipeline.ensure_features(cfg, manifest)
    assert all(list(f.ids) == ok for f in got.values())

    folds = speaker_folds(manifest, n_folds=2, seed=0)
    man2, folds2, dropped = pipeline.with_features(manifest, folds, got)
    assert dropped == [bad] and bad not in set(man2.utt_id) and len(man2) == 11
    assert all(bad not in part for f in folds2 for part in f)
    assert sum(len(f[2]) for f in folds2) == sum(len(f[2]) for f in folds) - 1


def test_a_real_corpus_by_name_goes_through_the_same_steps(tmp_path, monkeypatch):
    """`corpus="ravdess"` (every notebook's parameter) reads data/corpora/ravdess in its own layout."""
    from tests.test_loaders_corpora import ravdess_tree

    monkeypatch.delenv("CAMULENET_SMOKE", raising=False)  # `make test` sets it; this test wants the full settings

    cfg = replace(config.settings(seed=3, corpus="ravdess"), data_root=tmp_path)
    assert cfg.corpus == "ravdess" and cfg.n_folds == 10 and not cfg.smoke
    ravdess_tree(pipeline.corpus_root(cfg))
    manifest = pipeline.ensure_corpus(cfg)
    assert len(manifest) == 1440 and manifest.speaker.nunique() == 24
    folds = pipeline.ensure_folds(cfg, manifest)
    assert pipeline.folds_file(cfg, manifest).name.startswith("ravdess-speaker-k10-seed3-") and len(folds.folds) == 10
    assert pipeline.features_root(cfg).name.startswith("ravdess-")


def test_synthetic_corpus_from_other_generator_code_is_refused(tmp_path):
    cfg = replace(config.settings(smoke=True), data_root=tmp_path)
    root = pipeline.corpus_root(cfg)
    root.mkdir(parents=True)
    (root / "corpus.json").write_text(json.dumps({"seed": 0, "size": "small", "complete": True}))  # no fingerprint
    with pytest.raises(ValueError, match="another version of the synthetic-corpus generator"):
        pipeline.ensure_corpus(cfg)
