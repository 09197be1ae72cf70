# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Training under leave-speaker-out cross-validation
#
# Every system is trained once per fold: on the fold's training speakers, with early
# stopping on its *validation speakers* (never seen in training), and tested on the fold's
# *test speakers* (never seen at all). The grid here is the paper's proposed model, its two
# ablations and the Whisper-Base baseline, over all folds. The runner writes one tidy
# results table, the per-utterance predictions, the learning curves and the test
# embeddings; it skips system-fold pairs already finished, so an interrupted run resumes.

# %% tags=["parameters"]
smoke = False
seed = 0

# %%
import matplotlib.pyplot as plt
import seaborn as sns
from myst_nb import glue

from camulenet import book, pipeline
from camulenet.environment import describe_device

cfg = book.settings(smoke=smoke, seed=seed)
manifest = pipeline.ensure_corpus(cfg)
folds = pipeline.ensure_folds(cfg, manifest)
features = pipeline.ensure_features(cfg, manifest)
print(describe_device())

# %% [markdown]
# Training uses AdamW and a weighted sum of the emotion and gender cross-entropies. The
# released code adds a constant 0.2 to that sum; a constant has no gradient, so it changes
# the printed loss and nothing else, and it is left out here. On a GPU the same code runs
# with mixed precision.

# %%
run = pipeline.ensure_results(cfg, manifest, folds, features)
glue("grid_minutes", f"{run.seconds / 60:.1f}", display=False)
glue("grid_runs", len(run.results.groupby(["system", "fold"])), display=False)
run.throughput

# %% [markdown]
# The {glue:text}`grid_runs` system-fold runs took {glue:text}`grid_minutes` minutes of
# training on this machine (the table gives samples per second and peak memory per
# system).
#
# ## Learning curves
#
# Validation accuracy and losses per epoch, one line per fold. Early stopping keeps the
# weights of the epoch with the lowest emotion loss on the validation speakers and stops
# after three epochs without improvement, so folds run for different numbers of epochs.

# %%
hist = run.history
fig = sns.relplot(data=hist, x="epoch", y="val_wa", hue="fold", col="system", col_wrap=2,
                  kind="line", palette="viridis", height=2.8, aspect=1.4, legend=False)
fig.set_titles("{col_name}")
fig.set_axis_labels("epoch", "validation accuracy (unseen speakers)")

# %%
fig = sns.relplot(data=hist.melt(id_vars=["system", "fold", "epoch"], value_vars=["train_loss", "val_loss"],
                                 var_name="split", value_name="loss"),
                  x="epoch", y="loss", hue="split", col="system", col_wrap=2, kind="line",
                  errorbar="sd", height=2.8, aspect=1.4)
fig.set_titles("{col_name}")
