"""Embedding baselines: the released layouts (baseline_models/ of the authors' code) and the compact one."""

import numpy as np
import pandas as pd
import pytest
import torch

from camulenet.model.baselines import (
    EmbeddingCNN,
    ReleasedSSLCNN,
    ReleasedWhisperCNN,
    _whisper_cnn_min_side,
    baseline_model,
)
from camulenet.model.camulenet import count_parameters
from camulenet.storage.ragged import Ragged
from camulenet.training.data import SERData

SMALL = 336  # smallest convenient side for the released 2-D CNN: 336 -> 168 -> 84 -> 42 -> 21 -> 10 -> 5 -> 2 -> 1


def test_released_whisper_medium_parameter_count_by_hand():
    # baseline_models/Whisper.py: conv k3/k3/k5/k5 to 16/32/64/128 channels, each with batch norm
    # (weight + bias trainable), then fc1 1920 -> 128, fc2 128 -> 32, fc3 32 -> 16, fc4 16 -> 6.
    convs = (1 * 16 * 3 * 3 + 16) + (16 * 32 * 3 * 3 + 32) + (32 * 64 * 5 * 5 + 64) + (64 * 128 * 5 * 5 + 128)
    norms = 2 * (16 + 32 + 64 + 128)
    fcs = (1920 * 128 + 128) + (128 * 32 + 32) + (32 * 16 + 16) + (16 * 6 + 6)
    assert convs + norms + fcs == 512_118
    medium = baseline_model("whisper_medium", 1024, 6, "released")
    assert isinstance(medium, ReleasedWhisperCNN) and medium.flat_dim == 1920  # 128 x 5 x 3
    assert count_parameters(medium) == 512_118
    base = baseline_model("whisper", 512, 6, "released")
    assert base.flat_dim == 640  # 128 x 5 x 1, the released commented "BASE" flatten width
    assert count_parameters(base) == 512_118 - (1920 - 640) * 128
    assert base.required_lengths() == {"whisper": 1500}


def test_released_ssl_fc_widths_match_the_released_files():
    # Wav2Vec2.py / WavLM.py (768-d base models): fc1 12288 -> 512; HuBERT.py (1024-d large): 16384 -> 512
    w2v = baseline_model("wav2vec2", 768, 6, "released")
    hub = baseline_model("hubert", 1024, 6, "released")
    assert isinstance(w2v, ReleasedSSLCNN) and w2v.flat_dim == 12288 and hub.flat_dim == 16384
    assert count_parameters(w2v) == (3 * 32 + 32) + 2 * 32 + (12288 * 512 + 512) + (512 * 6 + 6)
    assert not hasattr(w2v, "required_lengths")  # time-averaged: any clip length


def test_released_whisper_forward_shapes_at_base_size():
    torch.manual_seed(0)
    model = baseline_model("whisper", 512, 4, "released").eval()
    batch = {"whisper": torch.randn(2, 1500, 512), "whisper_lengths": torch.tensor([1500, 700])}
    with torch.no_grad():
        out = model(batch)
    assert out["emotion_logits"].shape == (2, 4) and out["embedding"].shape == (2, 16)
    assert out["gender_logits"] is None and out["attention"] is None
    with pytest.raises(ValueError, match="required_lengths"):
        model({"whisper": torch.randn(2, 700, 512)})


def test_released_whisper_rejects_inputs_too_small_for_its_convs():
    assert _whisper_cnn_min_side() == 331
    with pytest.raises(ValueError, match="at least 331"):
        ReleasedWhisperCNN(64, 4)


@pytest.mark.parametrize("layout", ["whisper", "ssl"])
def test_released_layouts_ignore_padding(layout):
    torch.manual_seed(0)
    if layout == "whisper":
        model, key, t, d = ReleasedWhisperCNN(SMALL, 3, n_frames=SMALL), "whisper", SMALL, SMALL
    else:
        model, key, t, d = ReleasedSSLCNN(40, 3, feature="hubert"), "hubert", 30, 40
    model.eval()
    lengths = torch.tensor([t, t // 2, 5])
    x = torch.randn(3, t, d)
    for i, n in enumerate(lengths.tolist()):
        x[i, n:] = 0.0
    noisy = x.clone()
    for i, n in enumerate(lengths.tolist()):
        noisy[i, n:] = 10 * torch.randn_like(noisy[i, n:])
    with torch.no_grad():
        ref = model({key: x, f"{key}_lengths": lengths})
        out = model({key: noisy, f"{key}_lengths": lengths})
        unmasked = model({key: noisy})  # the check can fail: without lengths the noise is read
    torch.testing.assert_close(out["emotion_logits"], ref["emotion_logits"])
    torch.testing.assert_close(out["embedding"], ref["embedding"])
    assert (unmasked["emotion_logits"][1:] - ref["emotion_logits"][1:]).abs().max() > 1e-4


def toy_batch(key, t, d, n=24, seed=0):
    """Two classes told apart by which half of the embedding dims is raised."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = torch.randn(n, t, d, generator=g)
    half = d // 2
    x[y == 0, :, :half] += 1.5
    x[y == 1, :, half:] += 1.5
    return {key: x, f"{key}_lengths": torch.full((n,), t)}, y


@pytest.mark.parametrize("name", ["released whisper", "released ssl", "compact"])
def test_a_short_training_run_fits_a_separable_batch(name):
    torch.manual_seed(0)
    key, t, d, model = {
        "released whisper": ("whisper", SMALL, SMALL, lambda: ReleasedWhisperCNN(SMALL, 2, n_frames=SMALL)),
        "released ssl": ("wavlm", 20, 64, lambda: baseline_model("wavlm", 64, 2, "released")),
        "compact": ("whisper", 20, 64, lambda: baseline_model("whisper", 64, 2, "compact")),
    }[name]
    model = model()
    batch, y = toy_batch(key, t, d)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    model.eval()
    with torch.no_grad():
        before = float(loss_fn(model(batch)["emotion_logits"], y))
    model.train()
    for _ in range(25):
        opt.zero_grad()
        loss_fn(model(batch)["emotion_logits"], y).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        logits = model(batch)["emotion_logits"]
    assert float(loss_fn(logits, y)) < 0.5 * before
    assert (logits.argmax(1) == y).float().mean() == 1.0


def test_baseline_model_dispatch_and_errors():
    compact = baseline_model("whisper", 512, 4, "compact")
    assert type(compact) is EmbeddingCNN and compact.feature_keys == ("whisper",)
    assert isinstance(baseline_model("wavlm", 768, 4, "released"), ReleasedSSLCNN)
    assert baseline_model("whisper_medium", 1024, 4, "released").feature_keys == ("whisper_medium",)
    with pytest.raises(ValueError, match="layout"):
        baseline_model("whisper", 512, 4, "big")
    with pytest.raises(ValueError, match="frame matrix"):
        baseline_model("whisper_mean", 512, 4, "released")
    with pytest.raises(ValueError, match="no released baseline"):
        baseline_model("mfcc", 40, 4, "released")


def test_required_lengths_pad_trimmed_frames_through_serdata():
    """Trimmed Whisper frames of different lengths reach the released CNN as 1500 x d."""
    rng = np.random.default_rng(0)
    ids = ["a", "b", "c"]
    frames = Ragged.from_list([rng.standard_normal((n, SMALL)).astype(np.float32) for n in (40, 25, 60)], ids)
    manifest = pd.DataFrame({"utt_id": ids, "speaker": ["s1", "s2", "s3"], "gender": ["female", "male", "male"],
                             "emotion": ["angry", "sad", "angry"]})
    data = SERData({"whisper": frames}, manifest)
    model = baseline_model("whisper", data.feature_dim("whisper"), len(data.emotions), "released").eval()
    batch = data.batch(np.arange(3), model.feature_keys, model.required_lengths())
    assert batch["whisper"].shape == (3, 1500, SMALL) and batch["whisper_lengths"].tolist() == [40, 25, 60]
    assert float(batch["whisper"][:, 60:].abs().max()) == 0.0
    with torch.no_grad():
        assert model(batch)["emotion_logits"].shape == (3, 2)


def test_compact_cnn_projects_valid_frames_only_and_is_the_padded_conv():
    """The kernel-1 projection on valid frames computes what the conv over the zero-padded batch
    did (its code version 1), and what padding holds or how far it goes changes nothing."""
    torch.manual_seed(0)
    model = EmbeddingCNN(16, 3).eval()
    lengths = torch.tensor([9, 4, 1])
    x = torch.randn(3, 9, 16)
    mask = torch.arange(9)[None, :] < lengths[:, None]
    with torch.no_grad():
        out = model({"whisper": x, "whisper_lengths": lengths})
        # version 1, written out: zero the padding, both convs on the whole padded batch
        h = x.masked_fill(~mask[..., None], 0.0).transpose(1, 2)
        h = model.convs[1](model.convs[0](h)) * mask[:, None, :]
        h = model.convs[3](model.convs[2](h)) * mask[:, None, :]
        emb = torch.relu(model.fc(h.sum(2) / lengths[:, None]))
        longer = torch.cat([x, 50 * torch.randn(3, 5, 16)], 1)
        padded = model({"whisper": longer, "whisper_lengths": lengths})
    torch.testing.assert_close(out["embedding"], emb, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(padded["embedding"], out["embedding"], rtol=1e-5, atol=1e-6)
    assert model.padding_invariant_keys() == ("whisper",) and EmbeddingCNN.code_version == 2
