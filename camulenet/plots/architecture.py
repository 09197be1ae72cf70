"""CAMuLeNet drawn from a model: every block, width and parameter count read from it.

A diagram typed by hand drifts from the code it describes; this one is drawn from a
:class:`camulenet.model.CAMuLeNet` (its config and its parts), so the released sizes and the
compact profile's get their own, true, figure, and an ablation shows what it lacks.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from camulenet.model.camulenet import CAMuLeNet, count_parameters

#: fill colours of the kinds of block: a branch with its input, other layers, the co-attention, heads
_INPUT, _LAYER, _ATTEND, _HEAD = "#e8eef7", "#f4f4f4", "#fde9c8", "#e3f1e0"


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} M" if n >= 1e6 else f"{n / 1e3:.0f} k" if n >= 1e3 else str(n)


def _box(ax, x, y, w, h, text, colour, params=None, size=11.5, params_size=10):
    """A rounded block centred on (x, y), its text inside and, below the text, its parameter
    count; ``h=None`` sizes it to its lines."""
    if h is None:
        h = 2.75 * (text.count("\n") + 1) + (3.6 if params is not None else 1.2)
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.3,rounding_size=1.0",
                                fc=colour, ec="0.35", lw=1.1))
    shift = 1.4 if params is not None else 0.0
    ax.text(x, y + shift, text, ha="center", va="center", fontsize=size, linespacing=1.25)
    if params is not None:
        ax.text(x, y - h / 2 + 0.6, f"{_size(params)} parameters", ha="center", va="bottom", fontsize=params_size,
                style="italic", color="0.2")


def _arrow(ax, start, end, label=None, label_at=0.5, offset=(0, 0)):
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "-|>", "color": "0.25", "lw": 1.3, "shrinkA": 0, "shrinkB": 0})
    if label:
        x = start[0] + label_at * (end[0] - start[0]) + offset[0]
        y = start[1] + label_at * (end[1] - start[1]) + offset[1]
        ax.text(x, y, label, ha="center", va="center", fontsize=11, color="0.1",
                bbox={"fc": "white", "ec": "none", "pad": 0.5})


def plot_architecture(model: CAMuLeNet, title: str | None = None) -> plt.Figure:
    """The model's data flow, left to right: the spectrogram and MFCC branches with their
    inputs, the co-attention over the Whisper frames (or, without it, their mean), the shared
    layers and the heads; each block names its widths and parameter count."""
    c = model.config
    e = c.branch_dim
    parts = dict(model.named_children())
    fig, ax = plt.subplots(figsize=(9, 6.6), layout="constrained")
    ax.set(xlim=(0, 92), ylim=(0, 66))
    ax.axis("off")

    # the spectrogram and MFCC branches, each with its input
    widths = "-".join(str(w) for w in c.conv_widths)
    spec_in = c.conv_widths[-1] * c.spec_pool[0] * c.spec_pool[1]
    pooled = f"\naveraged over {c.spec_time_pool} frames" if c.spec_time_pool > 1 else ""
    _box(ax, 15, 55, 29, None, f"log-mel spectrogram{pooled}\n\u2193\nAlexNet-style CNN\nwidths {widths}\n"
         f"pool {c.spec_pool[0]}\u00d7{c.spec_pool[1]}, FC {spec_in:,} \u2192 s ({e})", _INPUT,
         count_parameters(parts["spectrogram"]))
    gru_out = 2 * c.gru_hidden
    if c.mfcc_pooling == "flatten":
        pool = f"flatten {c.mfcc_frames} \u00d7 {gru_out}\nFC {c.mfcc_frames * gru_out:,} \u2192 m ({e})"
    else:
        pool = f"mean over frames\nFC {gru_out} \u2192 m ({e})"
    down = f"\naveraged over {c.mfcc_downsample} frames" if c.mfcc_downsample > 1 else ""
    _box(ax, 15, 30.5, 29, None, f"MFCC ({c.n_mfcc} per frame){down}\n\u2193\nL2-norm, {c.gru_layers}-layer BiGRU\n"
         f"({c.gru_hidden} each way)\n{pool}", _INPUT, count_parameters(parts["mfcc"]))
    _box(ax, 15, 8, 29, 9, f"Whisper encoder frames W\nT \u2264 {c.max_frames} frames \u00d7 {c.whisper_dim}", _INPUT)

    # co-attention (or the mean of the frames); s and m also go to the shared layers
    _arrow(ax, (29.8, 60), (66.7, 51), "s", label_at=0.55)
    _arrow(ax, (29.8, 27), (66.7, 40), "m", label_at=0.72)
    if c.coattention:
        weights = "ReLU" if c.normalisation == "relu" else "masked softmax"
        score = parts["coattention"].score
        _box(ax, 46, 44, 20, 12, f"co-attention\nscores of [s, m]\nFC {2 * e:,} \u2192 {c.max_frames}, {weights}",
             _ATTEND, count_parameters(score))
        _arrow(ax, (29.8, 53), (35.7, 48))
        _arrow(ax, (29.8, 36), (35.7, 40))
        _box(ax, 46, 10, 20, 12, f"weighted sum\na \u00b7 W \u2192 {c.whisper_dim}\nFC \u2192 c ({e})",
             _ATTEND, count_parameters(parts["coattention"]) - count_parameters(score))
        _arrow(ax, (46, 37.7), (46, 16.3), "a: one weight\nper frame")
        branch = "c"
    else:
        _box(ax, 46, 10, 20, 12, f"mean over frames\n\u2192 {c.whisper_dim}\nFC \u2192 w ({e})", _LAYER,
             count_parameters(parts["whisper_fc"]))
        branch = "w"
    _arrow(ax, (29.8, 8), (35.7, 9))

    # shared layers and heads
    hidden = " \u2192 ".join(str(h) for h in c.hidden_dims)
    _box(ax, 78, 45, 22, 16, f"concatenate\n[m, s, {branch}]: {3 * e:,}\nFC {hidden}\n= embedding ({c.embedding_dim})",
         _LAYER, count_parameters(parts["trunk"]))
    _arrow(ax, (56.3, 12), (70, 36.8), branch, label_at=0.45)
    heads = [("emotion", c.n_emotions, "emotion_head")] + ([("gender", c.n_genders, "gender_head")]
                                                           if c.multitask else [])
    for i, (name, n, part) in enumerate(heads):
        x = 71.5 + 13.5 * i
        _box(ax, x, 20, 12.5, 9, f"{name}\nhead ({n})", _HEAD, count_parameters(parts[part]), size=11,
             params_size=9)
        _arrow(ax, (x, 36.7), (x, 24.8))
    ax.set_title(title or f"CAMuLeNet: {_size(count_parameters(model))} parameters", fontsize=13, loc="left")
    return fig
