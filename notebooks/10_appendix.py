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
# # Appendix: deviations, environment and run times
#
# ## Deviations from the released code, and why
#
# The paper's released code has defects that a reproduction should not inherit, and a few
# of its choices cannot run on a laptop CPU. Each deviation below is deliberate; the
# `paper` profile keeps the released values where they are only slow.

# %% tags=["parameters"]
smoke = False
seed = 0
corpus = "synthetic"  # or a real corpus under data/corpora/, e.g. "crema-d"
profile = "compact"  # or "paper": Whisper-Medium, 30-s frames, the released sizes and schedule
whisper = None  # Whisper weights: None for the profile default; base, medium, large-v3 or a checkpoint path
fold_protocol = "speaker"  # or "session": leave-one-session-out (IEMOCAP)
corpora = None  # the corpora chapters 5, 6 and 8 gather, e.g. [crema-d, ravdess]; None: corpus alone

# %%
import pandas as pd
from IPython.display import Markdown

from camulenet import book
from camulenet.deviations import as_markdown

Markdown(as_markdown())

# %% [markdown]
# ## Environment and hardware
#
# The machine and library versions that executed this book:

# %%
from camulenet.environment import environment_table

environment_table()

# %% [markdown]
# ## Seeds
#
# The settings that made this build (its profile's choices spelled out; every cached
# artefact lives under a key of the settings it depends on). One seed (the `seed`
# parameter of every notebook) determines the synthetic corpus, the folds, weight initialisation, data
# order and dropout. On the CPU, the same
# seed gives the same folds and the same numbers bit for bit; on a GPU, results can differ
# in the last digits because some CUDA kernels are not deterministic.

# %%
cfg = book.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                    fold_protocol=fold_protocol, corpora=corpora)
display(book.banner(cfg))
pd.Series(cfg.as_dict()).to_frame("value")

# %% [markdown]
# ## Run times
#
# Wall-clock time of each notebook when `make book` executed it (this appendix excluded):

# %%
from camulenet.environment import notebook_timings

notebook_timings()
