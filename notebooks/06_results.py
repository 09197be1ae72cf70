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
# # Ablations and baselines
#
# The paper's Table 1 compares CAMuLeNet with two ablations (without multitask learning;
# without co-attention and multitask learning) and with classifiers on pre-trained
# embeddings. This chapter lays out the same table for the synthetic corpus, with the
# paper's numbers beside it.

# %% tags=["parameters"]
smoke = False
seed = 0

# %%
import pandas as pd
from myst_nb import glue

from camulenet import book, pipeline
from camulenet.results_table import ablation_deltas, results_like_table1

cfg = book.settings(smoke=smoke, seed=seed)
run = pipeline.load_run(cfg)
paper = book.paper_table1()

# %% [markdown]
# ## Results on the synthetic corpus
#
# Mean and standard deviation over the folds. **WA** is accuracy, **UA** the mean of the
# per-class recalls, **WF1** the support-weighted F1 (the paper's "weighted F1"), **MF1**
# the macro F1; gender accuracy is reported for the multitask model.

# %%
ours = results_like_table1(run.results)
ours

# %%
best = run.results.groupby("system")["wa"].mean()
glue("ours_camulenet_wa", f"{best['CAMuLeNet']:.3f}", display=False)
glue("ours_whisper_wa", f"{best['Whisper-Base']:.3f}", display=False)

# %% [markdown]
# ## Beside the paper
#
# The absolute numbers cannot be compared: the corpora differ. What can be compared is
# the *shape* of the table: how much each component adds. The table below gives, for each
# system, its accuracy minus CAMuLeNet's accuracy, on the synthetic corpus and, for the
# paper, on each corpus of Table 1 and on their mean.

# %%
deltas = ablation_deltas(run.results, paper, metric="WA")
deltas

# %%
from camulenet.plots.results import plot_deltas_vs_paper

fig = plot_deltas_vs_paper(deltas)

# %% [markdown]
# Here CAMuLeNet reaches WA {glue:text}`ours_camulenet_wa` against
# {glue:text}`ours_whisper_wa` for the Whisper-Base baseline. Chapter 8 tests whether the
# differences between systems are larger than the spread across folds.
#
# ```{note}
# Wav2Vec2.0, HuBERT, WavLM and Whisper-Medium baselines need pre-trained weights that
# cannot be fetched here. The code path for them exists (`camulenet.model.baselines`) and
# is tested on tiny randomly initialised models; with the weights available, add them to
# the `systems` of the runner.
# ```
