"""Spectral presets: shapes and frame rates of the paper and cpu presets."""

import numpy as np
import pytest

from camulenet.features import spectral


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
    # MFCC padded to the corpus max (5 s here) -> the released T = 501
    m = spectral.mfcc(clip, "paper", pad_to=5 * 16000)
    assert m.shape == (501, 40)
    np.testing.assert_allclose(m[:150], spectral.mfcc(clip, "paper")[:150], rtol=1e-4, atol=1e-3)
    s = spectral.mel(clip, "paper")  # hop 10 samples: 1,600 frames per second, raw power
    assert s.shape == (32000 // 10 + 1, 128)
    assert s.min() >= 0


def test_unknown_preset():
    with pytest.raises(ValueError, match="paper"):
        spectral.mfcc(np.zeros(1600, np.float32), "nope")
