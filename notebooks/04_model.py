# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The model
#
# This chapter builds CAMuLeNet {cite:p}`goel2024camulenet` twice: with the **released
# sizes** (the `paper` configuration) and in the **compact** configuration that the book
# trains on two CPU cores. A forward pass on a dummy batch shows every tensor shape along
# the way.
#
# :::{admonition} In this chapter
# :class: tip
# **You will learn**
# - how three branches ({term}`log-Mel spectrogram`, {term}`MFCC` and {term}`Whisper encoder`
#   frames) meet in the {term}`co-attention` layer;
# - where the parameters of the released model sit, and why the compact model is smaller;
# - how masking keeps padded frames out of the co-attention;
# - how the ablations of the paper are options of one class.
#
# **You need** {doc}`03_features` (the three feature streams) and the terms {term}`profile`
# and {term}`multitask learning`.
# :::
#
# {ref}`The architecture figure <fig-04-architecture>` below draws the model with the
# released sizes; {ref}`its compact twin <fig-04-compact>` follows. Both are drawn from the
# models this chapter builds, so every width and parameter count on them is the model's own.

# %% tags=["remove-cell"]
# Opened outside a checkout (Colab, Binder, a downloaded notebook)? This fetches the repository
# named by $CAMULENET_REPOSITORY (or asks for its URL), installs the package and moves to its
# notebooks/ folder. In a checkout it does nothing.
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("camulenet") is None:
    if not os.path.isdir("../camulenet"):
        REPOSITORY = os.environ.get("CAMULENET_REPOSITORY", "")
        if not REPOSITORY:
            try:
                REPOSITORY = input("URL of the camulenet repository to clone (as on the book's first page): ")
            except EOFError:  # no one to ask (a script, papermill)
                REPOSITORY = ""
        if not REPOSITORY.strip():
            raise RuntimeError("This notebook needs the camulenet package: set CAMULENET_REPOSITORY to the URL "
                               "of its repository (the book's first page names it), or open the notebook "
                               "from notebooks/ in a clone of it.")
        subprocess.run(["git", "clone", "--quiet", "--depth", "1", REPOSITORY.strip(), "camulenet-book"], check=True)
        os.chdir("camulenet-book/notebooks")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "-e", "..[weights]"], check=True)
    sys.path.insert(0, os.path.abspath(".."))

# %% tags=["parameters"]
smoke = False
seed = 0
# "compact" or "paper" (Whisper-Medium, 30-s frames, released sizes, schedule)
profile = "compact"
# Whisper width d of the released sizes: 512 base, 1024 medium, 1280 large-v3
whisper_dim = 1024

# %% tags=["remove-cell"]
import camulenet  # first: pins the numeric libraries' CPU code paths (camulenet.storage.numerics)
import pandas as pd
import torch
from myst_nb import glue

from camulenet import config
from camulenet.book import claims
from camulenet.book.banner import banner
from camulenet.book.verdicts import share_text
from camulenet.model import CAMuLeNet, CAMuLeNetConfig, count_parameters
from camulenet.model.shapes import branch_parameter_table, padding_invariance_gap, trace_shapes
from camulenet.plots.architecture import plot_architecture

claims.chapter("04_model")
cfg = config.settings(smoke=smoke, seed=seed, profile=profile)
_ = torch.manual_seed(cfg.seed)


def parameter_view(table):
    """Counts with thousands separators, so a 9-digit count reads at a glance."""
    return table.style.format({"parameters": "{:,}"})


# %% tags=["remove-input"]
display(banner(cfg))

# %% [markdown]
# ## The released sizes
#
# The `paper` configuration (the `paper` profile's model) follows the released code's layer
# sizes for the Whisper frame width d = {glue:text}`whisper_dim` (1024 is Whisper-Medium's): AlexNet features with a one-channel first
# convolution, a 2-layer bidirectional GRU over 501 MFCC frames (5 s; longer clips are
# cropped, shorter ones padded) whose output is *flattened* (501 x 512 = 256,512 inputs to
# one linear layer), and a 2048 -> 1500 layer that produces the co-attention weights.

# %% tags=["remove-cell"]
paper_cfg = CAMuLeNetConfig.paper(whisper_dim=whisper_dim)
paper_model = CAMuLeNet(paper_cfg)
glue("paper_params", f"{count_parameters(paper_model) / 1e6:.1f} M", display=False)
glue("whisper_dim", str(whisper_dim), display=False)
flattened = count_parameters(paper_model.mfcc.fc)  # the linear layer after the flattened GRU output
glue("paper_share", share_text(pd.Series({"the single linear layer after the flattened GRU output": flattened,
                                          "the rest of the model": count_parameters(paper_model) - flattened})),
     display=False)
fig = plot_architecture(paper_model, f"CAMuLeNet with the released sizes, d = {whisper_dim}: "
                                     f"{count_parameters(paper_model) / 1e6:.1f} M parameters")
glue("architecture_figure", fig, display=False)

# %% [markdown]
# ```{glue:figure} architecture_figure
# :name: fig-04-architecture
#
# CAMuLeNet as released: the spectrogram branch (AlexNet features
# {cite:p}`krizhevsky2012alexnet`) and the MFCC branch {cite:p}`davis1980mfcc` give s and m,
# which score every Whisper frame {cite:p}`radford2023whisper`: the co-attention weights
# {cite:p}`lu2016coattention` a, whose weighted sum of the frames gives c; a gender head
# beside the emotion head makes it multitask {cite:p}`caruana1997multitask`. Drawn from the
# `paper` configuration built here: each block gives its widths and parameter count.
# ```

# %%
parameter_view(branch_parameter_table(paper_model))

# %% [markdown]
# The released model has {glue:text}`paper_params` parameters; {glue:text}`paper_share`,
# whose input size ties the model to one clip length.
#
# ## The compact configuration
#
# The `compact` profile (the book's default) trains a compact version on two CPU cores: the same three branches, the same
# co-attention and the same heads, but narrower layers, and the GRU output averaged over
# the clip's own frames instead of flattened, so the model is not tied to one clip length.

# %% tags=["remove-cell"]
compact_cfg = CAMuLeNetConfig.compact()
compact_model = CAMuLeNet(compact_cfg)
glue("compact_params", f"{count_parameters(compact_model) / 1e6:.2f} M", display=False)
fig = plot_architecture(compact_model, f"CAMuLeNet, compact: {count_parameters(compact_model) / 1e6:.2f} M parameters")
glue("compact_figure", fig, display=False)

# %% [markdown]
# ```{glue:figure} compact_figure
# :name: fig-04-compact
#
# The compact CAMuLeNet, drawn from the `compact` configuration: the same wiring as
# {ref}`the released model <fig-04-architecture>`, with narrower layers, the mel and MFCC
# frames averaged before their branches, and the GRU output averaged over each clip's frames.
# ```

# %%
parameter_view(branch_parameter_table(compact_model))

# %% [markdown]
# The compact model has {glue:text}`compact_params` parameters.
#
# %% [markdown]
# ## A forward pass, shape by shape
#
# A dummy batch of two clips, the second shorter than the first, in the shapes the data
# pipeline delivers: trimmed Whisper frames, MFCC and mel sequences, each zero-padded to a
# common length, with each clip's true length beside them (`*_lengths`) for the masks:

# %%
trace = trace_shapes(compact_model, batch_size=2)
trace

# %% [markdown]
# ## Co-attention with masking
#
# In the paper's layout the 2048 -> 1500 layer yields one weight per Whisper frame of a 30 s
# window. With trimmed frames a clip has fewer frames, so the weights are sliced to the
# clip's length and padded frames are masked out: changing the values in the padded
# Whisper frames must not change the output. That property is tested in `tests/`; here is the check on the
# dummy batch:

# %%
gap = padding_invariance_gap(compact_model)
print(f"largest change of any output when the padded frames are replaced by noise: {gap:.2e}")

# %% [markdown]
# ## Variants as options
#
# The ablations of the paper are flags of the same class, not copies of it. Without
# co-attention the Whisper frames are averaged over the clip instead of weighted by the
# other two branches; without multitask learning the gender head is gone:

# %%
variants = {  # display name: flags of CAMuLeNetConfig
    "CAMuLeNet": {},
    "CAMuLeNet w/o multitask": {"multitask": False},
    "CAMuLeNet w/o co-attention & multitask": {"multitask": False, "coattention": False},
}
pd.DataFrame({name: {"parameters": count_parameters(CAMuLeNet(CAMuLeNetConfig.compact(**flags))),
                     "multitask": flags.get("multitask", True), "co-attention": flags.get("coattention", True)}
              for name, flags in variants.items()}).T.style.format({"parameters": "{:,}"})

# %% [markdown]
# ## Exercises
#
# :::{exercise}
# :label: ex-04-width
# Rerun this chapter in {term}`smoke mode` with the Whisper-Large-v3 width for the released
# sizes:
#
# ```bash
# papermill notebooks/04_model.ipynb /tmp/04_large.ipynb --cwd notebooks \
#     -p smoke True -p whisper_dim 1280
# ```
#
# (or set `whisper_dim = 1280` in the parameters cell). Which rows of the first table
# change, and which stay as they are?
# :::
#
# :::{solution} ex-04-width
# :class: dropdown
# Only the parts that read the Whisper frames grow: the co-attention row (its projection of
# the attended frame a @ W, of width d, to c). The spectrogram and MFCC branches, the trunk
# and the heads never see d and keep their counts; the MFCC row still dominates the total.
# :::
#
# :::{exercise}
# :label: ex-04-flatten
# The released model flattens the GRU output over 501 frames into one linear layer. What
# happens to that layer, and to the model, if the clips were 10 s long instead of 5 s?
# :::
#
# :::{solution} ex-04-flatten
# :class: dropdown
# The flattened input doubles (twice the frames, each of width 512), and so does the
# weight matrix of that one layer, which already holds most of the parameters: the model
# nearly doubles in size, and a model trained on 5-s clips cannot take 10-s ones at all.
# The compact model averages the GRU output over each clip's own frames, so its size does
# not depend on the clip length.
# :::
#
# :::{exercise}
# :label: ex-04-mask
# In `camulenet/model`, find where the co-attention weights are masked. What would the
# padding check above print if the mask were removed?
# :::
#
# :::{solution} ex-04-mask
# :class: dropdown
# Without the mask the padded frames get weights too (after the ReLU or the softmax), so the noise placed in
# them reaches the attended vector and every output after it: the printed change would be
# far from zero. The test in `tests/` that checks padding invariance would fail as well.
# :::
