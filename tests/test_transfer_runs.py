"""Transfer runs on tiny data: leave one language out (every language tested once, never
trained on; a second call trains nothing), and train on one corpus, test on another (the
two feature stores read through one merged view, only shared emotions, widths checked)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from camulenet import config, pipeline
from camulenet.data.folds import Folds
from camulenet.evaluation.sanity_baseline import REFERENCE_SYSTEM
from camulenet.experiments.transfer_runs import (
    check_same_features,
    cross_corpus_run,
    cross_corpus_table,
    describe_mapping,
    ensure_cross_corpus,
    ensure_lolo,
    ensure_lolo_folds,
    merged_features,
    seen_vs_unseen,
    within_language,
)
from camulenet.storage.ragged import Ragged, ShardedRagged, merge_ragged
from camulenet.training.runs import runs_path
from data_prep.synthetic.layouts import render_layout

SYSTEMS = ("CAMuLeNet",)


@pytest.fixture(scope="module")
def smoke(smoke_root):
    """The smoke corpus and its features under a data root of this module's own."""
    cfg = config.settings(smoke=True, data_root=smoke_root)
    manifest = pipeline.ensure_corpus(cfg)
    features = pipeline.ensure_features(cfg, manifest, progress=False)
    return cfg, manifest, features


@pytest.fixture(scope="module")
def lolo(smoke):
    cfg, manifest, features = smoke
    return ensure_lolo(cfg, manifest, features, systems=SYSTEMS, progress=False)


@pytest.fixture(scope="module")
def layouts(smoke):
    """CREMA-D and RAVDESS official layouts rendered from the smoke corpus, under the same data root."""
    cfg, manifest, _ = smoke
    out = {}
    for corpus in ("crema-d", "ravdess"):
        render_layout(corpus, cfg.data_root / "corpora" / corpus, source_manifest=manifest,
                      clips_per_speaker_emotion=1)
        c = config.settings(smoke=True, corpus=corpus, data_root=cfg.data_root)
        m = pipeline.ensure_corpus(c)
        out[corpus] = (c, m, pipeline.ensure_features(c, m, progress=False))
    return out


@pytest.fixture(scope="module")
def cross(layouts):
    (ca, _, _), (cb, _, _) = layouts["crema-d"], layouts["ravdess"]
    return ensure_cross_corpus(ca, cb, systems=SYSTEMS, progress=False)


# --------------------------------------------------------------------------- leave one language out
def test_every_language_is_held_out_once_and_never_trained_on(smoke, lolo):
    cfg, manifest, _ = smoke
    languages = sorted(manifest["language"].unique())
    assert len(languages) >= 2
    saved = Folds.from_json(lolo.folds_path)
    lang = dict(zip(manifest["utt_id"], manifest["language"]))
    held = []
    for fold in saved.folds:
        test = {lang[u] for u in fold.test}
        assert len(test) == 1
        held += list(test)
        assert not test & {lang[u] for u in fold.train + fold.val}  # the held-out language is never trained on
        assert len(fold.test) == (manifest["language"] == next(iter(test))).sum()
    assert sorted(held) == languages

    assert len(lolo.table) == len(languages) * (len(SYSTEMS) + 1)  # one row per language and system (+ yardstick)
    assert set(lolo.table.system) == {*SYSTEMS, REFERENCE_SYSTEM}
    for _, row in lolo.table.iterrows():
        assert 0 <= row.wa <= 1 and 0 <= row.ua <= 1 and row.n_test == (manifest["language"] == row.language).sum()
    assert list(lolo.wide.index) == languages
    preds = lolo.predictions.assign(language=lolo.predictions.utt_id.map(lang))
    assert (preds.groupby("fold").language.nunique() == 1).all()
    assert sorted(preds.utt_id) == sorted(manifest.utt_id)  # every clip tested exactly once

    # its own run folder, never chapter 5's
    assert "-lolo-" in lolo.out_dir.name and lolo.out_dir != runs_path(cfg, manifest)
    key = json.loads((lolo.out_dir / "key.json").read_text())
    assert key["protocol"] == key["folds"]["protocol"] == "language"


def test_a_second_call_trains_nothing(smoke, lolo):
    cfg, manifest, features = smoke
    stamps = {p: p.stat().st_mtime_ns for p in lolo.out_dir.glob("systems/*/fold_*/done.json")}
    assert len(stamps) == len(lolo.folds.folds) * len(SYSTEMS)
    again = ensure_lolo(cfg, manifest, features, systems=SYSTEMS, progress=False)
    assert {p: p.stat().st_mtime_ns for p in lolo.out_dir.glob("systems/*/fold_*/done.json")} == stamps
    pd.testing.assert_frame_equal(again.table, lolo.table)


def test_a_one_language_corpus_is_refused(smoke, layouts):
    cfg, manifest, features = smoke
    with pytest.raises(ValueError, match="at least 2 languages.*only \\['en'\\]"):
        ensure_lolo(cfg, manifest[manifest.language == "en"].reset_index(drop=True), features, progress=False)
    c, m, f = layouts["crema-d"]  # a real one-language corpus
    with pytest.raises(ValueError, match="crema-d has only"):
        ensure_lolo_folds(c, m)


def test_within_language_scores_leave_speaker_out_predictions_per_language(smoke, lolo):
    _, manifest, _ = smoke
    en = manifest[manifest.language == "en"].utt_id.tolist()
    de = manifest[manifest.language == "de"].utt_id.tolist()
    truth = dict(zip(manifest.utt_id, manifest.emotion))
    rows = [{"utt_id": u, "fold": 0, "system": "X", "true": truth[u], "pred": truth[u]} for u in en]
    rows += [{"utt_id": u, "fold": 1, "system": "X", "true": truth[u], "pred": truth[u] if i % 2 else "zz"}
             for i, u in enumerate(de)]
    table = within_language(pd.DataFrame(rows), manifest).set_index("language")
    assert table.loc["en", "wa"] == 1.0 and table.loc["de", "wa"] == pytest.approx(0.5)
    assert table.loc["en", "n_test"] == len(en)
    both = seen_vs_unseen(lolo, lolo.predictions, manifest)
    assert len(both) == manifest.language.nunique() and np.allclose(both.wa_drop, 0)  # same predictions both sides


# --------------------------------------------------------------------------- merged feature stores
def test_merge_ragged_reads_both_stores_without_copying():
    a = Ragged.from_list([np.full((2, 3), 1.0), np.full((4, 3), 2.0)], ["a1", "a2"])
    parts = [np.arange(30, dtype=np.float64).reshape(10, 3)]
    b = ShardedRagged(parts, [0, 0], [5, 0], [9, 3], ["b1", "b2"])
    m = merge_ragged(a, b)
    assert m.ids == ("a1", "a2", "b1", "b2") and list(m.lengths) == [2, 4, 4, 3]
    for i, src in enumerate([a[0], a[1], b[0], b[1]]):
        np.testing.assert_array_equal(m[i], src)
    assert np.shares_memory(m[2], parts[0]) and np.shares_memory(m[0], a.values)
    assert merge_ragged(m.select([3, 0]), a, prefixes=["x:", "y:"]).ids == ("x:b2", "x:a1", "y:a1", "y:a2")
    with pytest.raises(ValueError, match="more than once.*prefixes"):
        merge_ragged(a, a)
    with pytest.raises(ValueError, match="same profile"):
        merge_ragged(a, Ragged.from_list([np.zeros((2, 4))], ["c"]))


def test_merged_features_read_the_right_frames_of_both_corpora(layouts):
    (_, ma, fa), (_, mb, fb) = layouts["crema-d"], layouts["ravdess"]
    merged = merged_features(fa, fb)
    assert set(merged) == set(fa)
    for name, view in merged.items():
        pos = {u: i for i, u in enumerate(view.ids)}
        for store in (fa, fb):
            for j in (0, len(store[name]) - 1):
                np.testing.assert_array_equal(view[pos[store[name].ids[j]]], store[name][j])
    narrow = {**fb, "mfcc": Ragged.from_list([np.zeros((3, 13), np.float16)] * len(fb["mfcc"]), fb["mfcc"].ids)}
    with pytest.raises(ValueError, match="feature 'mfcc'.*same profile"):
        merged_features(fa, narrow)


# --------------------------------------------------------------------------- cross corpus
def test_train_on_one_corpus_test_on_the_other(layouts, cross):
    (_, ma, _), (_, mb, _) = layouts["crema-d"], layouts["ravdess"]
    assert (cross.train_corpus, cross.test_corpus) == ("crema-d", "ravdess")
    saved = Folds.from_json(cross.folds_path)
    fold = saved.folds[0]
    assert set(fold.train + fold.val) <= set(ma.utt_id) and set(fold.test) == set(mb.utt_id)
    assert set(cross.predictions.utt_id) == set(mb.utt_id)  # every test clip is from B
    assert set(cross.predictions.true) <= set(cross.split.labels)
    assert list(cross.table.system) == [*SYSTEMS, REFERENCE_SYSTEM]
    row = cross.table.iloc[0]
    assert row.n_test == len(mb) and row.n_train == len(ma) and row.n_dropped == 0
    assert row.shared_emotions == ", ".join(sorted(set(ma.emotion) & set(mb.emotion)))
    assert set(cross.mapping) == {"crema-d", "ravdess"} and not cross.prefixed
    assert "-cross-corpus-" in cross.out_dir.name


def test_only_shared_emotions_are_kept_and_the_dropped_are_reported(layouts):
    (ca, ma, fa), (cb, mb, fb) = layouts["crema-d"], layouts["ravdess"]
    no_fear = ma[ma.emotion != "fear"].reset_index(drop=True)
    res = cross_corpus_run(ca, no_fear, fa, cb, mb, fb, systems=SYSTEMS, progress=False)
    assert "fear" not in res.split.labels and "fear" not in set(res.predictions.true)
    assert set(res.dropped.utt_id) == set(mb[mb.emotion == "fear"].utt_id)
    assert res.table.n_dropped.iloc[0] == (mb.emotion == "fear").sum()
    assert res.mapping["ravdess"]["fear"] is None
    mapping = describe_mapping(res).set_index(["corpus", "emotion_original"])
    assert mapping.loc[("ravdess", "fear"), "dropped"] == (mb.emotion == "fear").sum()
    assert res.folds_path.exists()


def test_colliding_ids_are_prefixed_with_the_corpus(smoke):
    cfg, manifest, features = smoke
    one = manifest[manifest.language == "en"].reset_index(drop=True)
    twin = replace(cfg, corpus="synthetic-twin")  # the same clips under another corpus name
    res = cross_corpus_run(cfg, one, features, twin, one, features, systems=SYSTEMS, progress=False)
    assert res.prefixed and all(u.startswith("synthetic-twin:") for u in res.predictions.utt_id)
    assert len(res.predictions) == len(one)


def test_features_of_another_profile_are_refused(layouts):
    (ca, _, _), (cb, _, _) = layouts["crema-d"], layouts["ravdess"]
    with pytest.raises(ValueError, match="same profile.*feature_preset"):
        ensure_cross_corpus(ca, replace(cb, feature_preset="paper"), progress=False)
    check_same_features(ca, cb)


def test_cross_corpus_table_runs_every_present_pair(layouts, cross):
    (ca, _, _) = layouts["crema-d"]
    report = cross_corpus_table(replace(ca, corpora=("crema-d", "ravdess", "emodb")), systems=SYSTEMS,
                                progress=False)
    assert set(report.runs) == {("crema-d", "ravdess"), ("ravdess", "crema-d")}
    assert [name for name, _ in report.skipped] == ["emodb"] and not report.reason
    assert len(report.table) == 2 * (len(SYSTEMS) + 1)
    pd.testing.assert_frame_equal(report.runs[("crema-d", "ravdess")].table, cross.table)  # reused, not retrained

    alone = cross_corpus_table(replace(ca, corpora=("crema-d", "emodb")), progress=False)
    assert alone.table.empty and "two corpora" in alone.reason and not alone.runs
