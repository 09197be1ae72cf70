"""Spectral presets: shapes and frame rates of the paper and cpu presets; the paper MFCC length is fixed."""

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from camulenet.features import spectral
from camulenet.features.extract import extract_features
from camulenet.features.store import FeatureStore


@pytest.fixture(scope="module")
def clip():
    rng = np.random.default_rng(0)
    t = np.arange(32000) / 16000
    return (0.3 * np.sin(2 * np.pi * 300 * t) + 0.01 * rng.standard_normal(32000)).astype(np.float32)


def test_cpu_preset_shapes(clip):
    m = spectral.mfcc(clip, "cpu")
    s = spectral.mel(clip, "cpu")
    assert m.shape == (201, 40) and m.dtype == np.float32  # 100 frames/s, own length
    assert s.shape == (201, 64) and np.isfinite(s).all()
    assert s.min() < 0  # log-compressed


def test_paper_preset_shapes(clip):
    s = spectral.mel(clip, "paper")  # hop 10 samples: 1,600 frames per second, raw power
    assert s.shape == (32000 // 10 + 1, 128)
    assert s.min() >= 0


def tone(seconds, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * 16000)) / 16000
    return (0.3 * np.sin(2 * np.pi * 220 * t) + 0.01 * rng.standard_normal(len(t))).astype(np.float32)


def test_paper_mfcc_is_always_501_frames_padded_with_silence_or_cropped():
    assert spectral.mfcc_frames("paper") == 501 and spectral.mfcc_frames("cpu") is None
    own_length = replace(spectral.PRESETS["paper"], mfcc_fixed_seconds=None)
    short, long = tone(2.0), tone(7.0, seed=1)
    m2, cropped2 = spectral.mfcc(short, "paper", return_cropped=True)
    m7, cropped7 = spectral.mfcc(long, "paper", return_cropped=True)
    assert m2.shape == m7.shape == (501, 40) and (cropped2, cropped7) == (False, True)
    # the 2-s clip: its own frames, then MFCCs of silence (all alike) up to 5 s
    np.testing.assert_allclose(m2[:190], spectral.mfcc(short, own_length)[:190], rtol=1e-4, atol=1e-3)
    np.testing.assert_array_equal(m2[220:], np.broadcast_to(m2[-1], m2[220:].shape))
    assert np.abs(m2[100] - m2[-1]).max() > 1.0  # the tone differs from the silence
    # the 7-s clip: exactly the MFCCs of its first 5 s
    np.testing.assert_array_equal(m7, spectral.mfcc(long[:80000], own_length))
    # the cpu preset keeps each clip's own length
    assert spectral.mfcc(long, "cpu").shape == (701, 40)


def test_cropping_is_counted_and_warned_by_extraction(tmp_path):
    rows = []
    for name, sec in (("short", 2.0), ("long", 7.0)):
        path = tmp_path / f"{name}.wav"
        sf.write(path, tone(sec), 16000)
        rows.append({"utt_id": name, "path": str(path)})
    with pytest.warns(UserWarning, match="1 of 2 clips are longer than 5 s"):
        extract_features(pd.DataFrame(rows), tmp_path / "store", kinds=("mfcc",), preset="paper",
                         dtype="float32", progress=False)
    r = FeatureStore(tmp_path / "store").load("mfcc")
    assert r.lengths.tolist() == [501, 501] and r.feature_shape == (40,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spectral.warn_cropped(0, 2, "paper")  # nothing cropped: no warning


def test_unknown_preset():
    with pytest.raises(ValueError, match="paper"):
        spectral.mfcc(np.zeros(1600, np.float32), "nope")
