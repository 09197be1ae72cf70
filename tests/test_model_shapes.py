import torch

from camulenet.model import CAMuLeNet, CAMuLeNetConfig, count_parameters
from camulenet.model.shapes import branch_parameter_table, padding_invariance_gap, trace_shapes


def test_trace_and_table_on_compact_model():
    torch.manual_seed(0)
    m = CAMuLeNet(CAMuLeNetConfig.compact())
    t = trace_shapes(m, batch_size=3)
    assert t.loc["output: emotion_logits", "shape"] == (3, m.config.n_emotions)
    assert t.loc["output: attention", "shape"][0] == 3
    table = branch_parameter_table(m)
    assert table.loc["total", "parameters"] == count_parameters(m)
    assert table.drop(index="total").parameters.sum() == count_parameters(m)


def test_padding_invariance_gap_is_zero_with_masking_and_not_without():
    torch.manual_seed(0)
    m = CAMuLeNet(CAMuLeNetConfig.compact())
    assert padding_invariance_gap(m) < 1e-5
    # The check can fail: an unmasked mean over all frames sees the noise.
    from camulenet.model import coattention
    original = coattention.CoAttention.forward

    def unmasked(self, query, frames, lengths):
        return original(self, query, frames, torch.full_like(lengths, frames.shape[1]))

    coattention.CoAttention.forward = unmasked
    try:
        assert padding_invariance_gap(m) > 1e-3
    finally:
        coattention.CoAttention.forward = original
