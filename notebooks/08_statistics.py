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
# # Statistics: spread, significance and errors
#
# A mean over folds hides how much the folds disagree. This chapter shows the spread,
# tests whether the differences between systems exceed it, and looks at which emotions are
# confused and for whom the model works.

# %% tags=["parameters"]
smoke = False
seed = 0
corpus = "synthetic"  # or a real corpus under data/corpora/, e.g. "crema-d"
profile = "compact"  # or "paper": Whisper-Medium, 30-s frames, the released sizes and schedule
whisper = None  # Whisper weights: None for the profile default; base, medium, large-v3 or a checkpoint path
fold_protocol = "speaker"  # or "session": leave-one-session-out (IEMOCAP)

# %%
import matplotlib.pyplot as plt
import seaborn as sns
from myst_nb import glue

from camulenet import book, pipeline
from camulenet.evaluation.stats import pairwise_table
from camulenet.plots.results import plot_confusions, plot_fold_spread, plot_group_accuracy
from camulenet.results_table import group_accuracy

cfg = book.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                    fold_protocol=fold_protocol)
display(book.banner(cfg))
manifest = pipeline.ensure_corpus(cfg)
folds = pipeline.ensure_folds(cfg, manifest)
run = pipeline.load_run(cfg, manifest)
whisper_system = book.whisper_label(cfg)

# %% [markdown]
# ## Spread across folds
#
# Each dot is one fold (a different set of unseen speakers). Lines join the same fold
# across systems: a system that is better on most folds shows mostly rising lines.

# %%
fig = plot_fold_spread(run.results, metrics=("wa", "ua", "weighted_f1"))

# %% [markdown]
# ## Are the differences significant?
#
# Paired comparisons across folds: the mean difference of each system from CAMuLeNet, its
# 95% confidence interval (t-interval over folds, and a bootstrap interval), and the
# Wilcoxon signed-rank test. With {glue:text}`n_folds` folds the smallest possible
# two-sided Wilcoxon p-value is {glue:text}`min_wilcoxon_p`: a difference in the same
# direction on every fold.

# %%
import pandas as pd

n_folds = run.results.fold.nunique()
glue("n_folds", n_folds, display=False)
glue("min_wilcoxon_p", f"{2 / 2 ** n_folds:.3g}", display=False)
results_long = pd.concat([run.results_long, pipeline.reference_results(cfg, manifest, folds)], ignore_index=True)
tests = pairwise_table(results_long, "CAMuLeNet", "wa")  # NaN statistics when fewer than 2 folds
tests = tests.rename(columns={"system_b": "versus"}).set_index("versus")
tests[["n", "mean_a", "mean_b", "mean_diff", "t_low", "t_high", "boot_low", "boot_high", "wilcoxon_p"]].round(4)

# %%
row = tests.loc[whisper_system]
glue("whisper_system", whisper_system, display=False)
glue("diff_vs_whisper", f"{100 * row['mean_diff']:.1f}", display=False)
glue("p_vs_whisper", f"{row['wilcoxon_p']:.3g}", display=False)
significant = tests.wilcoxon_p < 0.05
glue("sig_systems", ", ".join(tests.index[significant]) or "none of the others", display=False)
glue("nonsig_systems", ", ".join(f"{s} (p = {p:.2g})" for s, p in tests.wilcoxon_p[~significant].items()) or "none",
     display=False)

# %% [markdown]
# On average over folds, CAMuLeNet's accuracy minus the {glue:text}`whisper_system` baseline's is
# {glue:text}`diff_vs_whisper` points (Wilcoxon p = {glue:text}`p_vs_whisper`). At the 5%
# level CAMuLeNet differs from {glue:text}`sig_systems`, and not from
# {glue:text}`nonsig_systems`: those gaps are within what the spread across folds of
# unseen speakers allows, whichever way their means point.
#
# ## Which emotions are confused
#
# Confusion matrices summed over all test folds, each row normalised to the clips of that
# true emotion (so the diagonal is the per-class recall).

# %%
fig = plot_confusions(run.predictions)

# %% [markdown]
# Per-class recall, mean and standard deviation over the folds:

# %%
from camulenet.evaluation.stats import summarise
from camulenet.schema import emotion_order

recall = summarise(run.results_long, [m for m in run.results_long.metric.unique() if m.startswith("recall_")])
recall["emotion"] = recall.metric.str.removeprefix("recall_")
recall.pivot(index="system", columns="emotion", values="text").reindex(columns=emotion_order(recall.emotion))

# %% [markdown]
# ## For whom does it work?
#
# Accuracy on unseen speakers by language and by gender (a corpus in one language has one
# language group). A model that only learned the voices of its training speakers would do
# well on some groups and poorly on others.

# %%
acc = group_accuracy(run.predictions, manifest, by=("language", "gender"))
fig = plot_group_accuracy(acc)
acc.pivot_table(index="system", columns="group", values="accuracy").round(3)

# %% [markdown]
# The multitask head also predicts gender; its accuracy on unseen speakers:

# %%
run.results.groupby("system")["gender_accuracy"].agg(["mean", "std"]).dropna().round(3)
