"""MFCC + logistic-regression sanity baseline on a tiny synthetic manifest."""

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from camulenet.evaluation.sanity_baseline import mfcc_stats, sanity_check


def _tiny_manifest(root):
    rng = np.random.default_rng(0)
    rows = []
    for s in range(4):
        for e, f0 in (("neutral", 150), ("angry", 300), ("sad", 100)):
            for k in range(3):
                t = np.arange(8000) / 16000
                x = 0.3 * np.sin(2 * np.pi * (f0 + 10 * s) * t) + 0.01 * rng.standard_normal(8000)
                rel = f"s{s}_{e}_{k}.wav"
                sf.write(str(root / rel), x.astype(np.float32), 16000, subtype="PCM_16")
                rows.append(dict(path=rel, speaker=f"spk{s}", emotion=e))
    return pd.DataFrame(rows)


def test_sanity_check_rows_and_ranges(tmp_path):
    m = _tiny_manifest(tmp_path)
    X = mfcc_stats(m.path, root=tmp_path)
    assert X.shape == (len(m), 2 * (2 * 40 + 1)) and np.isfinite(X).all()
    res = sanity_check(m, seed=0, n_splits=3, root=tmp_path)
    assert list(res.index) == ["held-out speakers", "speaker-mixed"]
    assert ((res.accuracy >= 0) & (res.accuracy <= 1)).all()
    assert np.allclose(res.chance, 1 / 3)
    # Pitch 100/150/300 Hz per emotion is separable across speakers (0.96-1.0 over seeds
    # 0-9); 0.8 is far above chance (1/3) and leaves room for solver differences.
    assert res.loc["held-out speakers", "accuracy"] >= 0.8
    assert res.loc["speaker-mixed", "accuracy"] >= 0.8
    m_abs = m.assign(path=[str(tmp_path / p) for p in m.path])
    pd.testing.assert_frame_equal(sanity_check(m_abs, seed=0, n_splits=3, features=X), res)


def test_reference_system_on_the_books_folds_skips_unreadable_clips(tmp_path):
    from dataclasses import replace

    from camulenet import config, pipeline
    from camulenet.evaluation.sanity_baseline import REFERENCE_SYSTEM

    m = _tiny_manifest(tmp_path)
    m = m.assign(path=[str(tmp_path / p) for p in m.path], utt_id=[f"u{i}" for i in range(len(m))])
    sf.write(str(tmp_path / "silent.wav"), np.zeros(8000, np.float32), 16000)
    m.loc[len(m)] = dict(path=str(tmp_path / "silent.wav"), speaker="spk0", emotion="sad", utt_id="quiet")
    ids = lambda spk: list(m.utt_id[m.speaker.isin(spk)])  # noqa: E731
    folds = [(ids(["spk0", "spk1"]), ids(["spk2"]), ids(["spk3"])), (ids(["spk2", "spk3"]), [], ids(["spk0", "spk1"]))]
    cfg = replace(config.settings(smoke=True), data_root=tmp_path / "data", corpus="tones")
    with pytest.warns(UserWarning, match="1 clips left out.*silent.wav"):
        res = pipeline.reference_results(cfg, m, folds)
    wide = pipeline.wide_results(res)
    assert set(res.system) == {REFERENCE_SYSTEM} and list(wide.fold) == [0, 1]
    assert (wide.wa >= 0.6).all() and {"ua", "weighted_f1", "recall_angry"} <= set(wide.columns)
    cached = pipeline.mfcc_statistics(cfg, m)  # second call reads the cache: same rows, NaN for the silent clip
    assert np.isnan(cached[-1]).all() and np.isfinite(cached[:-1]).all()
