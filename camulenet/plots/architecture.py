"""CAMuLeNet drawn from a model: every block, width and parameter count read from it.

A diagram typed by hand drifts from the code it describes; this one is drawn from a
:class:`camulenet.model.CAMuLeNet` (its config and its parts), so the released sizes and the
compact profile's get their own, true, figure, and an ablation shows what it lacks.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from camulenet.model.camulenet import CAMuLeNet, count_parameters

#: fill colours of the three kinds of block: inputs, layers, the co-attention itself
_INPUT, _LAYER, _ATTEND, _HEAD = "#e8eef7", "#f4f4f4", "#fde9c8", "#e3f1e0"


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} M" if n >= 1e6 else f"{n / 1e3:.0f} k" if n >= 1e3 else str(n)


def _box(ax, x, y, w, h, text, colour, params=None, size=10):
    """A rounded block centred on (x, y), its text inside and, below the text, its parameter count."""
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.3,rounding_size=1.0",
                                fc=colour, ec="0.35", lw=1.1))
    shift = 1.3 if params is not None else 0.0
    ax.text(x, y + shift, text, ha="center", va="center", fontsize=size, linespacing=1.3)
    if params is not None:
        ax.text(x, y - h / 2 + 0.6, f"{_size(params)} parameters", ha="center", va="bottom", fontsize=8.5,
                style="italic", color="0.25")


def _arrow(ax, start, end, label=None, label_at=0.5, offset=(0, 0)):
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "-|>", "color": "0.25", "lw": 1.2, "shrinkA": 0, "shrinkB": 0})
    if label:
        x = start[0] + label_at * (end[0] - start[0]) + offset[0]
        y = start[1] + label_at * (end[1] - start[1]) + offset[1]
        ax.text(x, y, label, ha="center", va="center", fontsize=9.5, color="0.1",
                bbox={"fc": "white", "ec": "none", "pad": 0.5})


def plot_architecture(model: CAMuLeNet, title: str | None = None) -> plt.Figure:
    """The model's data flow, left to right: the three inputs, the spectrogram and MFCC
    branches, the co-attention over the Whisper frames (or, without it, their mean), the
    shared layers and the heads; each block names its widths and parameter count."""
    c = model.config
    e = c.branch_dim
    parts = dict(model.named_children())
    fig, ax = plt.subplots(figsize=(11, 5.8), layout="constrained")
    ax.set(xlim=(0, 111), ylim=(1, 62))
    ax.axis("off")

    # inputs
    _box(ax, 8, 53, 14, 7, "log-mel\nspectrogram", _INPUT)
    _box(ax, 8, 31, 14, 7, f"MFCC\n({c.n_mfcc} per frame)", _INPUT)
    _box(ax, 8, 10, 14, 10, f"Whisper\nencoder frames\nW: T \u2264 {c.max_frames}\nframes \u00d7 {c.whisper_dim}",
         _INPUT)

    # spectrogram branch
    widths = "-".join(str(w) for w in c.conv_widths)
    spec_in = c.conv_widths[-1] * c.spec_pool[0] * c.spec_pool[1]
    pooled = f"mel averaged over {c.spec_time_pool} frames\n" if c.spec_time_pool > 1 else ""
    _box(ax, 31, 53, 25, 14, f"{pooled}AlexNet-style CNN\nwidths {widths}\n"
         f"pool {c.spec_pool[0]}\u00d7{c.spec_pool[1]}, FC {spec_in:,} \u2192 s ({e})", _LAYER,
         count_parameters(parts["spectrogram"]))
    # MFCC branch
    gru_out = 2 * c.gru_hidden
    if c.mfcc_pooling == "flatten":
        pool = f"flatten {c.mfcc_frames} \u00d7 {gru_out}\nFC {c.mfcc_frames * gru_out:,} \u2192 m ({e})"
    else:
        pool = f"mean over frames\nFC {gru_out} \u2192 m ({e})"
    down = f"MFCC averaged over {c.mfcc_downsample} frames\n" if c.mfcc_downsample > 1 else ""
    _box(ax, 31, 31, 25, 16, f"{down}L2-norm, {c.gru_layers}-layer BiGRU\n({c.gru_hidden} each way)\n{pool}",
         _LAYER, count_parameters(parts["mfcc"]))
    _arrow(ax, (15.3, 53), (18.2, 53))
    _arrow(ax, (15.3, 31), (18.2, 31))

    # co-attention (or the mean of the frames); s and m also go to the shared layers
    _arrow(ax, (43.8, 55), (81.7, 46.5), "s", label_at=0.62)
    _arrow(ax, (43.8, 29), (81.7, 38.5), "m", label_at=0.78)
    if c.coattention:
        weights = "ReLU" if c.normalisation == "relu" else "masked softmax"
        score = parts["coattention"].score
        _box(ax, 61, 43, 20, 10, f"co-attention scores\nFC [s, m] {2 * e:,} \u2192 {c.max_frames}\n{weights}",
             _ATTEND, count_parameters(score))
        _arrow(ax, (43.8, 51), (50.7, 46))
        _arrow(ax, (43.8, 33), (50.7, 40))
        _box(ax, 61, 12, 20, 10, f"weighted sum a \u00b7 W\n\u2192 {c.whisper_dim}, FC \u2192 c ({e})",
             _ATTEND, count_parameters(parts["coattention"]) - count_parameters(score))
        _arrow(ax, (61, 37.7), (61, 17.3), "a: one weight\nper frame")
        branch = "c"
    else:
        _box(ax, 61, 12, 20, 10, f"mean over frames\n\u2192 {c.whisper_dim}, FC \u2192 w ({e})", _LAYER,
             count_parameters(parts["whisper_fc"]))
        branch = "w"
    _arrow(ax, (15.3, 10), (50.7, 11))

    # shared layers and heads
    hidden = " \u2192 ".join(str(h) for h in c.hidden_dims)
    _box(ax, 94, 42, 24, 13, f"concatenate [m, s, {branch}]\n{3 * e:,} \u2192 FC {hidden}\n"
         f"= embedding ({c.embedding_dim})", _LAYER, count_parameters(parts["trunk"]))
    _arrow(ax, (71.3, 14), (84, 35.2), branch, label_at=0.45)
    heads = [("emotion", c.n_emotions, "emotion_head")] + ([("gender", c.n_genders, "gender_head")]
                                                           if c.multitask else [])
    for i, (name, n, part) in enumerate(heads):
        x = 88 + 13 * i
        _box(ax, x, 20, 11.5, 8, f"{name} head\n({n} classes)", _HEAD, count_parameters(parts[part]), size=9.5)
        _arrow(ax, (x, 35.2), (x, 24.3))
    ax.set_title(title or f"CAMuLeNet: {_size(count_parameters(model))} parameters", fontsize=13, loc="left")
    return fig
