"""Shapes, parameter counts, masking and variants of the CAMuLeNet model."""

import numpy as np
import pytest
import torch

from camulenet.features.ssl import ssl_frame_embeddings
from camulenet.model import (
    AlexNetFeatures,
    CAMuLeNet,
    CAMuLeNetConfig,
    CoAttention,
    EmbeddingCNN,
    count_parameters,
    load_imagenet_alexnet,
)


def gru_params(n_in, h):
    return 3 * (h * (n_in + h) + 2 * h)  # weight_ih, weight_hh, bias_ih, bias_hh for 3 gates


def test_paper_parameter_count_matches_released_arithmetic():
    conv = (64 * 1 * 11 * 11 + 64) + (192 * 64 * 25 + 192) + (384 * 192 * 9 + 384) \
        + (256 * 384 * 9 + 256) + (256 * 256 * 9 + 256)
    spectrogram = conv + 9216 * 1024 + 1024
    mfcc = 2 * gru_params(40, 256) + 2 * gru_params(512, 256) + 501 * 512 * 1024 + 1024
    coattention = 2048 * 1500 + 1500 + 512 * 1024 + 1024
    trunk = 3072 * 128 + 128 + 128 * 128 + 128
    heads = 128 * 6 + 6 + 128 * 2 + 2
    expected = spectrogram + mfcc + coattention + trunk + heads
    assert expected == 280_211_876
    model = CAMuLeNet(CAMuLeNetConfig.paper())
    assert count_parameters(model) == expected
    assert count_parameters(model.spectrogram) == spectrogram
    assert count_parameters(model.mfcc) == mfcc
    # Whisper-medium (d = 1024) changes only the co-attention FC
    assert count_parameters(CAMuLeNet(CAMuLeNetConfig.paper(whisper_dim=1024))) == expected + 512 * 1024


@pytest.fixture(scope="module")
def paper_model():
    torch.manual_seed(0)
    return CAMuLeNet(CAMuLeNetConfig.paper()).eval()


def test_paper_forward_shapes(paper_model):
    model = paper_model
    batch = {"mel": torch.randn(2, 128, 64), "mfcc": torch.randn(2, 501, 40), "whisper": torch.randn(2, 1500, 512)}
    with torch.no_grad():
        out = model(batch)
    assert out["emotion_logits"].shape == (2, 6)
    assert out["gender_logits"].shape == (2, 2)
    assert out["embedding"].shape == (2, 128)
    assert out["attention"].shape == (2, 1500)
    assert (out["attention"] >= 0).all()  # ReLU weights, as released


def test_paper_mfcc_layer_is_fixed_at_501_frames_whatever_the_clips(paper_model):
    """A 2-s and a 7-s clip both reach the released 501 x 512 -> 1024 MFCC layer."""
    import pandas as pd

    from camulenet.features import spectral
    from camulenet.storage.ragged import Ragged
    from camulenet.training.data import SERData

    assert CAMuLeNetConfig.paper().mfcc_frames == spectral.mfcc_frames("paper") == 501
    assert paper_model.mfcc.fc.in_features == 501 * 512 and paper_model.required_lengths() == {"mfcc": 501}
    rng = np.random.default_rng(0)
    clips = [0.1 * rng.standard_normal(int(s * 16000)).astype(np.float32) for s in (2.0, 7.0)]
    feats = Ragged.from_list([spectral.mfcc(c, "paper") for c in clips], ["short", "long"])
    manifest = pd.DataFrame({"utt_id": ["short", "long"], "speaker": ["s1", "s2"], "gender": ["female", "male"],
                             "emotion": ["angry", "sad"]})
    data = SERData({"mfcc": feats}, manifest)
    batch = data.batch(np.arange(2), ("mfcc",), paper_model.required_lengths())
    assert batch["mfcc"].shape == (2, 501, 40) and batch["mfcc_lengths"].tolist() == [501, 501]
    with torch.no_grad():
        assert paper_model.mfcc(batch["mfcc"], batch["mfcc_lengths"]).shape == (2, 1024)
        with pytest.raises(ValueError, match="paper"):  # unfixed lengths are refused, with the fix named
            paper_model.mfcc(torch.randn(1, 700, 40))


def compact_batch(b=3, t_whisper=40, d=512, seed=0):
    g = torch.Generator().manual_seed(seed)
    return {"mel": torch.randn(b, 120, 64, generator=g), "mfcc": torch.randn(b, 120, 40, generator=g),
            "mfcc_lengths": torch.tensor([120, 90, 60][:b]),
            "whisper": torch.randn(b, t_whisper, d, generator=g),
            "whisper_lengths": torch.tensor([t_whisper, 25, 10][:b])}


def test_compact_shapes_and_size():
    model = CAMuLeNet(CAMuLeNetConfig.compact()).eval()
    n = count_parameters(model)
    assert 200_000 < n < 1_000_000
    out = model(compact_batch())
    assert out["emotion_logits"].shape == (3, 6) and out["embedding"].shape == (3, 128)
    assert out["attention"].shape == (3, 40)


@pytest.mark.parametrize("normalisation", ["relu", "softmax"])
def test_padded_whisper_frames_do_not_change_output(normalisation):
    torch.manual_seed(0)
    model = CAMuLeNet(CAMuLeNetConfig.compact(normalisation=normalisation)).eval()
    batch = compact_batch()
    with torch.no_grad():
        ref = model(batch)
        noisy = dict(batch)
        w = batch["whisper"].clone()
        for i, n in enumerate(batch["whisper_lengths"].tolist()):
            w[i, n:] = 100 * torch.randn_like(w[i, n:])
        noisy["whisper"] = w
        out = model(noisy)
        # the same clip alone, trimmed to its own length, gives the same result
        single = {k: v[2:3] for k, v in batch.items()}
        single["whisper"] = single["whisper"][:, :10]
        alone = model(single)
    torch.testing.assert_close(out["emotion_logits"], ref["emotion_logits"])
    torch.testing.assert_close(alone["emotion_logits"], ref["emotion_logits"][2:3], rtol=1e-5, atol=1e-5)
    att = ref["attention"]
    assert torch.all(att[1, 25:] == 0) and torch.all(att[2, 10:] == 0)
    if normalisation == "softmax":
        torch.testing.assert_close(att.sum(1), torch.ones(3))


def test_padded_mfcc_frames_do_not_change_output_with_packed_mean_pooling():
    torch.manual_seed(0)
    model = CAMuLeNet(CAMuLeNetConfig.compact(mfcc_packed=True)).eval()
    batch = compact_batch()
    with torch.no_grad():
        ref = model(batch)["embedding"]
        m = batch["mfcc"].clone()
        m[2, 64:] = 5.0  # beyond length 60 rounded up to the 8-frame pooling groups
        out = model({**batch, "mfcc": m})["embedding"]
    torch.testing.assert_close(out[:2], ref[:2])
    torch.testing.assert_close(out[2], ref[2])


@pytest.mark.parametrize("packed", [True, False])
def test_mfcc_branch_padding_length(packed):
    """Packed: a clip's MFCC output is the same however far its batch is padded (also to a
    length that is not a multiple of the 8-frame pooling), so batches may pad MFCCs to their
    own longest clip (the compact default). Unpacked (as released): the backward GRU starts in the padding, so
    the padded length matters and the data pipeline pads MFCCs corpus-wide."""
    from camulenet.model.mfcc_branch import MFCCBranch

    torch.manual_seed(0)
    branch = MFCCBranch(n_mfcc=40, hidden=16, layers=1, gru_dropout=0.0, pooling="mean", n_frames=None,
                        out_dim=8, downsample=8, packed=packed).eval()
    lengths = torch.tensor([61, 37, 5])
    x = torch.randn(3, 61, 40)
    for i, n in enumerate(lengths.tolist()):
        x[i, n:] = 0.0
    with torch.no_grad():
        tight = branch(x, lengths)  # the batch's own longest clip: 61 frames, not a multiple of 8
        wide = branch(torch.nn.functional.pad(x, (0, 0, 0, 642 - 61)), lengths)  # corpus-wide padding
        alone = branch(x[1:2, :37], lengths[1:2])  # the clip by itself
    assert branch.padding_invariant == packed
    if packed:
        torch.testing.assert_close(tight, wide)
        torch.testing.assert_close(alone, wide[1:2], rtol=1e-5, atol=1e-6)
    else:
        assert not torch.allclose(tight[1:], wide[1:])
    keys = CAMuLeNet(CAMuLeNetConfig.compact(mfcc_packed=packed)).padding_invariant_keys()
    assert keys == (("whisper", "mfcc") if packed else ("whisper",))  # mel: the conv stack sees padding


def test_variants():
    batch = compact_batch()
    no_mt = CAMuLeNet(CAMuLeNetConfig.compact(multitask=False)).eval()
    out = no_mt(batch)
    assert out["gender_logits"] is None and out["attention"] is not None
    assert no_mt.gender_head is None
    no_ca = CAMuLeNet(CAMuLeNetConfig.compact(coattention=False, multitask=False)).eval()
    out = no_ca(batch)
    assert out["attention"] is None and out["emotion_logits"].shape == (3, 6)
    assert not hasattr(no_ca, "coattention")


def test_coattention_rejects_too_many_frames():
    att = CoAttention(query_dim=8, frame_dim=4, max_frames=5, out_dim=3)
    with pytest.raises(ValueError, match="at most 5"):
        att(torch.randn(1, 8), torch.randn(1, 6, 4))


def test_config_roundtrip_is_plain_json():
    import json
    cfg = CAMuLeNetConfig.compact(n_emotions=4)
    assert CAMuLeNetConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg


def test_alexnet_features_match_torchvision_layout():
    feats = AlexNetFeatures(in_channels=3)
    keys = [k for k in feats.state_dict()]
    assert keys == [f"{i}.{p}" for i in (0, 3, 6, 8, 10) for p in ("weight", "bias")]
    # an ImageNet-shaped state_dict loads into the 1-channel stack except the first conv
    fake = {f"features.{k}": torch.full_like(v, 0.5) for k, v in feats.state_dict().items()}
    one = AlexNetFeatures(in_channels=1)
    assert load_imagenet_alexnet(one, fake)
    assert torch.all(one[3].weight == 0.5) and not torch.all(one[0].weight == 0.5)
    with pytest.warns(UserWarning, match="from scratch"):
        assert not load_imagenet_alexnet(AlexNetFeatures(1))  # torchvision unavailable here


def test_embedding_cnn_masks_padding():
    torch.manual_seed(0)
    model = EmbeddingCNN(16, 4).eval()
    x = torch.randn(2, 12, 16)
    lengths = torch.tensor([12, 5])
    ref = model({"whisper": x, "whisper_lengths": lengths})
    x2 = x.clone()
    x2[1, 5:] = 50.0
    out = model({"whisper": x2, "whisper_lengths": lengths})
    torch.testing.assert_close(out["emotion_logits"], ref["emotion_logits"])
    assert out["embedding"].shape == (2, 128) and out["gender_logits"] is None


def test_ssl_frame_embeddings_with_tiny_random_hf_models():
    transformers = pytest.importorskip("transformers")
    kw = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=37,
              conv_dim=(32, 32), conv_stride=(5, 4), conv_kernel=(10, 8))
    rng = np.random.default_rng(0)
    waves = [rng.standard_normal(16000).astype(np.float32), rng.standard_normal(8000).astype(np.float32)]
    for model_cls, cfg_cls in ((transformers.Wav2Vec2Model, transformers.Wav2Vec2Config),
                               (transformers.HubertModel, transformers.HubertConfig),
                               (transformers.WavLMModel, transformers.WavLMConfig)):
        torch.manual_seed(0)
        model = model_cls(cfg_cls(**kw))
        rag = ssl_frame_embeddings(model, waves, ids=["a", "b"])
        assert rag.ids == ("a", "b") and rag.feature_shape == (32,)
        expected = [int(model._get_feat_extract_output_lengths(torch.tensor(len(w)))) for w in waves]
        assert list(rag.lengths) == expected == [798, 398]
        assert np.isfinite(rag.values).all()
        # one clip at a time: the result does not depend on the other clips
        alone = ssl_frame_embeddings(model, waves[1:], ids=["b"])
        np.testing.assert_allclose(alone[0], rag[1], rtol=1e-5, atol=1e-5)
    mid = ssl_frame_embeddings(model, waves[:1], layer=1)
    assert mid.feature_shape == (32,)
