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
# This chapter builds CAMuLeNet twice: with the **released sizes** (the `paper`
# configuration) and in the **compact** configuration that the book trains on two CPU
# cores. A forward pass on a dummy batch shows every tensor shape along the way.
#
# ```text
#  mel spectrogram --> AlexNet features --> FC --> s (1024) --+
#                                                              +--> FC 2048 -> 1500 = a (weights over frames)
#  MFCC  --> L2-norm --> 2-layer BiGRU --> FC --> m (1024) ---+                |
#                                                                              v
#  Whisper encoder frames W (1500 x d) ------------------------------>  a @ W (d) --> FC --> c (1024)
#
#  [m, s, c] (3072) --> FC 128 --> FC 128 = embedding --> emotion head, gender head
# ```
#
# *CAMuLeNet as released: the spectrogram and MFCC branches produce the co-attention
# weights over the Whisper frames.*

# %% tags=["remove-cell"]
# Opened outside a checkout (Colab, Binder, a downloaded notebook)? This fetches the repository,
# installs the package and moves to its notebooks/ folder. In a checkout it does nothing.
import importlib.util, os, subprocess, sys
if importlib.util.find_spec("camulenet") is None:
    REPOSITORY = "https://github.com/camulenet-reproduced/camulenet-book"
    if not os.path.isdir("../camulenet"):
        subprocess.run(["git", "clone", "--quiet", "--depth", "1", REPOSITORY, "camulenet-book"], check=True)
        os.chdir("camulenet-book/notebooks")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "-e", "..[weights]"], check=True)
    sys.path.insert(0, os.path.abspath(".."))

# %% tags=["parameters"]
smoke = False
seed = 0
profile = "compact"  # or "paper": Whisper-Medium, 30-s frames, the released sizes and schedule

# %%
import pandas as pd
import torch
from myst_nb import glue

from camulenet import book
from camulenet.model import CAMuLeNet, CAMuLeNetConfig, count_parameters
from camulenet.model.shapes import branch_parameter_table, trace_shapes

cfg = book.settings(smoke=smoke, seed=seed, profile=profile)
display(book.banner(cfg))
_ = torch.manual_seed(cfg.seed)

# %% [markdown]
# ## The released sizes
#
# The `paper` configuration (the `paper` profile's model) follows the released code's layer
# sizes for the Whisper-Medium width d = 1024: AlexNet features with a one-channel first
# convolution, a 2-layer bidirectional GRU over 501 MFCC frames (5 s; longer clips are
# cropped, shorter ones padded) whose output is *flattened* (501 x 512 = 256,512 inputs to
# one linear layer), and a 2048 -> 1500 layer that produces the co-attention weights.

# %%
paper_cfg = CAMuLeNetConfig.paper(whisper_dim=1024)
paper_model = CAMuLeNet(paper_cfg)
paper_table = branch_parameter_table(paper_model)
glue("paper_params", f"{count_parameters(paper_model) / 1e6:.1f} M", display=False)
paper_table

# %% [markdown]
# The released model has {glue:text}`paper_params` parameters; most of them sit in the
# single linear layer after the flattened GRU output, which ties the model to one clip
# length.
#
# ## The compact configuration
#
# The `compact` profile (the book's default) trains a compact version on two CPU cores: the same three branches, the same
# co-attention and the same heads, but narrower layers, and the GRU output averaged over
# the clip's own frames instead of flattened, so the model is not tied to one clip length.

# %%
compact_cfg = CAMuLeNetConfig.compact()
compact_model = CAMuLeNet(compact_cfg)
glue("compact_params", f"{count_parameters(compact_model) / 1e6:.2f} M", display=False)
branch_parameter_table(compact_model)

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
from camulenet.model.shapes import padding_invariance_gap

gap = padding_invariance_gap(compact_model)
print(f"largest change of any output when the padded frames are replaced by noise: {gap:.2e}")

# %% [markdown]
# ## Variants as options
#
# The ablations of the paper are flags of the same class, not copies of it:

# %%
variants = {
    "CAMuLeNet": {},
    "CAMuLeNet w/o multitask": {"multitask": False},
    "CAMuLeNet w/o co-attention & multitask": {"multitask": False, "coattention": False},
}
pd.DataFrame({name: {"parameters": count_parameters(CAMuLeNet(CAMuLeNetConfig.compact(**flags))),
                     "multitask": flags.get("multitask", True), "co-attention": flags.get("coattention", True)}
              for name, flags in variants.items()}).T
