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
corpus = "synthetic"  # or a real corpus under data/corpora/, e.g. "crema-d"
profile = "compact"  # or "paper": Whisper-Medium, 30-s frames, the released sizes and schedule
whisper = None  # Whisper weights: None for the profile default; base, medium, large-v3 or a checkpoint path
fold_protocol = "speaker"  # or "session": leave-one-session-out (IEMOCAP)
corpora = None  # more corpora whose finished results are tested, e.g. [crema-d, ravdess]; None: corpus alone

# %%
import matplotlib.pyplot as plt
import seaborn as sns
from myst_nb import glue

from camulenet import book, pipeline
from camulenet.evaluation.stats import pairwise_table
from camulenet.plots.results import plot_confusions, plot_fold_spread, plot_group_accuracy
from camulenet.results_table import group_accuracy, significance_text

cfg = book.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                    fold_protocol=fold_protocol, corpora=corpora)
display(book.banner(cfg))
manifest = pipeline.ensure_corpus(cfg)
folds = pipeline.ensure_folds(cfg, manifest)
run = pipeline.load_run(cfg, manifest)
whisper_system = book.whisper_label(cfg)
glue("corpus_name", cfg.corpus, display=False)

# %% [markdown]
# ## Spread across folds
#
# The figures of this chapter are of corpus {glue:text}`corpus_name`, the first of this
# build; the significance tests run on every corpus of the build with finished results.
# Each dot is one fold (a different set of unseen speakers). Lines join the same fold
# across systems: a system that is better on most folds shows mostly rising lines.

# %%
fig = plot_fold_spread(run.results, metrics=("wa", "ua", "weighted_f1"))

# %% [markdown]
# ## Are the differences significant?
#
# Paired comparisons across folds, on each corpus of this build with finished results
# ({glue:text}`corpora_tested`): the mean difference of each system from CAMuLeNet, its
# 95% confidence interval (t-interval over folds, and a bootstrap interval), and the
# Wilcoxon signed-rank test. With {glue:text}`n_folds` folds (those of corpus
# {glue:text}`corpus_name`) the smallest possible two-sided Wilcoxon p-value is
# {glue:text}`min_wilcoxon_p`: a difference in the same direction on every fold. The
# column `min_p` gives that floor for each corpus.

# %%
import pandas as pd

n_folds = run.results.fold.nunique()
glue("n_folds", n_folds, display=False)
glue("min_wilcoxon_p", f"{2 / 2 ** n_folds:.3g}", display=False)
results_long = pd.concat([run.results_long, pipeline.reference_results(cfg, manifest, folds)], ignore_index=True)
found, skipped = pipeline.finished_corpora(cfg)
per_corpus = {cfg.corpus: results_long}  # this chapter's corpus first
per_corpus.update({e.name: pipeline.results_with_reference(e) for e in found if e.name != cfg.corpus})
by_corpus = {}
for name, long in per_corpus.items():
    t = pairwise_table(long, "CAMuLeNet", "wa")  # NaN statistics when fewer than 2 folds
    by_corpus[name] = t.rename(columns={"system_b": "versus"}).set_index("versus").assign(min_p=lambda d: 2 / 2 ** d.n)
tests = by_corpus[cfg.corpus]
glue("corpora_tested", ", ".join(by_corpus), display=False)
all_tests = pd.concat(by_corpus, names=["corpus"])
all_tests[["n", "mean_a", "mean_b", "mean_diff", "t_low", "t_high", "boot_low", "boot_high", "wilcoxon_p",
           "min_p"]].round(4)

# %%
row = tests.loc[whisper_system]
glue("whisper_system", whisper_system, display=False)
glue("diff_vs_whisper", f"{100 * row['mean_diff']:.1f}", display=False)
glue("p_vs_whisper", f"{row['wilcoxon_p']:.3g}", display=False)
significant = tests.wilcoxon_p < 0.05
glue("sig_systems", ", ".join(tests.index[significant]) or "none of the others", display=False)
glue("nonsig_systems", ", ".join(f"{s} (p = {p:.2g})" for s, p in tests.wilcoxon_p[~significant].items()) or "none",
     display=False)
sentences = {name: significance_text(t, name) for name, t in by_corpus.items()}
for name, text in sentences.items():
    glue(f"significance_{name}", text, display=False)
glue("significance_by_corpus", " ".join(sentences.values()), display=False)
glue("corpora_untested", "; ".join(f"{name}: {why}".replace("`", "") for name, why in skipped) or "none",
     display=False)

# %% [markdown]
# On corpus {glue:text}`corpus_name`, averaged over folds, CAMuLeNet's accuracy minus the
# {glue:text}`whisper_system` baseline's is {glue:text}`diff_vs_whisper` points (Wilcoxon
# p = {glue:text}`p_vs_whisper`). At the 5% level CAMuLeNet differs from
# {glue:text}`sig_systems`, and not from {glue:text}`nonsig_systems`: those gaps are
# within what the spread across folds of unseen speakers allows, whichever way their means
# point.
#
# Corpus by corpus: {glue:text}`significance_by_corpus`
#
# Not tested for want of finished results: {glue:text}`corpora_untested`.
#
# ### Corrected for shared training speakers
#
# The folds of one cross-validation are not independent samples: any two share most of
# their training speakers, so the spread of the differences across folds understates their
# true variance, and the intervals and tests above are too optimistic. The corrected
# resampled t-test (Nadeau and Bengio, 2003) inflates the variance by the ratio of test to
# training clips; comparing CAMuLeNet with several systems at once, Holm's correction keeps
# the chance of any false claim at 5%; Hedges' g gives the size of each difference in units
# of its spread across folds, with a bootstrap interval.

# %%
from camulenet import beyond
from camulenet.evaluation.cv_stats import comparison_table, fold_sizes

fold_objs = {cfg.corpus: folds, **{e.name: e.folds for e in found if e.name != cfg.corpus}}
corrected = {}
for name, long in per_corpus.items():
    n_train, n_test = fold_sizes(fold_objs[name])
    corrected[name] = comparison_table(long, "CAMuLeNet", "wa", n_train, n_test, seed=cfg.seed)
    glue(f"corrected_{name}", f"{name}: {beyond.survivors_text(corrected[name], 'CAMuLeNet')}", display=False)
glue("corrected_by_corpus", " ".join(f"{name}: {beyond.survivors_text(t, 'CAMuLeNet')}"
                                    for name, t in corrected.items()), display=False)
pd.concat({name: beyond.comparison_view(t) for name, t in corrected.items()}, names=["corpus"])

# %% [markdown]
# Differences here are each system minus CAMuLeNet (the table above gives CAMuLeNet minus
# each system). {glue:text}`corrected_by_corpus`
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
