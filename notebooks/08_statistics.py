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
#
# :::{admonition} In this chapter
# :class: tip
# **You will learn**
# - to read the spread of a score across the folds of unseen speakers;
# - to test a paired difference with the {term}`Wilcoxon signed-rank test`, and why its p-value has a floor;
# - why folds that share training speakers need the {term}`corrected resampled t-test`, the
#   {term}`Holm correction` and an effect size ({term}`Hedges' g`);
# - to read confusion matrices and accuracy by language and gender.
#
# **You need** the trained folds of {doc}`05_training` and the results of {doc}`06_results`;
# the metrics {term}`WA`, {term}`UA` and {term}`WF1`, and the idea of a {term}`fold`.
# :::

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
corpus = "synthetic"  # or a real corpus under data/corpora/, e.g. "crema-d"
# "compact" or "paper" (Whisper-Medium, 30-s frames, released sizes, schedule)
profile = "compact"
# Whisper weights: None (the profile's), base, medium, large-v3 or a .pt file
whisper = None
fold_protocol = "speaker"  # or "session": leave-one-session-out (IEMOCAP)
# more corpora whose results are tested, e.g. ["crema-d"]; None: corpus alone
corpora = None


# %% tags=["remove-cell"]
import camulenet  # first: pins the numeric libraries' CPU code paths (camulenet.storage.numerics)
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown
from myst_nb import glue

from camulenet import config, pipeline
from camulenet.book import claims
from camulenet.book.banner import banner
from camulenet.book.captions import captioned, settings_caption
from camulenet.book.tables import comparison_view, group_accuracy_view, pairwise_view
from camulenet.book.verdicts import significance_text, survivors_text
from camulenet.data.schema import emotion_order
from camulenet.evaluation.cv_stats import comparison_table, fold_sizes
from camulenet.evaluation.results_table import group_accuracy
from camulenet.evaluation.stats import pairwise_table, summarise
from camulenet.plots.results import plot_confusions, plot_fold_spread, plot_group_accuracy

claims.chapter("08_statistics")
cfg = config.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                      fold_protocol=fold_protocol, corpora=corpora)
manifest = pipeline.ensure_corpus(cfg)
folds = pipeline.ensure_folds(cfg, manifest)
run = pipeline.load_run(cfg, manifest)
whisper_system = config.whisper_label(cfg)
glue("corpus_name", cfg.corpus, display=False)
glue("config", settings_caption(cfg), display=False)


# %% tags=["remove-input"]
display(banner(cfg))

# %% [markdown]
# ## Spread across folds
#
# The figures of this chapter are of corpus {glue:text}`corpus_name`, the first of this
# build; the significance tests run on every corpus of the build with finished results.
# Each dot is one {term}`fold` (a different set of unseen speakers). Lines join the same fold
# across systems: a system that is better on most folds shows mostly rising lines.

# %% tags=["remove-output"]
fig = plot_fold_spread(run.results, metrics=("wa", "ua", "weighted_f1"))

# %% tags=["remove-cell"]
glue("fig_spread", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_spread
# :name: fig-fold-spread
#
# {term}`WA`, {term}`UA` and {term}`WF1` of each system on each fold (dots; grey lines join one
# fold), with the mean and standard deviation over folds (black). Made by {glue:text}`config`.
# ```
#
# ## Are the differences significant?
#
# Paired comparisons across folds, on each corpus of this build with finished results
# ({glue:text}`corpora_tested`): the mean difference of CAMuLeNet minus each system in points
# of accuracy, its 95% confidence interval (a t-interval over folds, and a bootstrap interval
# {cite:p}`efron1979bootstrap`), and the {term}`Wilcoxon signed-rank test`
# {cite:p}`wilcoxon1945`. With {glue:text}`n_folds` folds (those of corpus
# {glue:text}`corpus_name`) the smallest possible two-sided Wilcoxon p-value is
# {glue:text}`min_wilcoxon_p`: a difference in the same direction on every fold. The column
# *lowest p* gives that floor for each comparison.

# %%
n_folds = run.results.fold.nunique()
results_long = pd.concat([run.results_long, pipeline.reference_results(cfg, manifest, folds)], ignore_index=True)
found, skipped = pipeline.finished_corpora(cfg)
per_corpus = {cfg.corpus: results_long}  # this chapter's corpus first
per_corpus.update({e.name: pipeline.results_with_reference(e) for e in found if e.name != cfg.corpus})
by_corpus = {}
for name, long in per_corpus.items():
    t = pairwise_table(long, "CAMuLeNet", "wa")  # NaN statistics when fewer than 2 folds
    by_corpus[name] = t.rename(columns={"system_b": "versus"}).set_index("versus")
    display(captioned(pairwise_view(by_corpus[name]), config.for_corpus(cfg, name)))
tests = by_corpus[cfg.corpus]

# %% tags=["remove-cell"]
glue("n_folds", n_folds, display=False)
glue("min_wilcoxon_p", f"{2 / 2 ** n_folds:.3g}", display=False)
glue("corpora_tested", ", ".join(by_corpus), display=False)
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
# Markdown, so that each command stays code (a plain `--corpus` would be typeset with an en dash)
untested = "; ".join(f"{name}: {why}" for name, why in skipped) or "none"
glue("by_corpus_text", Markdown(
    f"Corpus by corpus: {' '.join(sentences.values())}\n\nNot tested for want of finished results: {untested}."
    if len(sentences) > 1 or skipped else
    "This build tests one corpus; with several (the `corpora` parameter) each gets its sentence here."),
    display=False)

# %% [markdown]
# On corpus {glue:text}`corpus_name`, averaged over folds, CAMuLeNet's accuracy minus the
# {glue:text}`whisper_system` baseline's is {glue:text}`diff_vs_whisper` points (Wilcoxon
# p = {glue:text}`p_vs_whisper`). By the Wilcoxon test at the 5% level, uncorrected,
# CAMuLeNet differs from {glue:text}`sig_systems`, and not from {glue:text}`nonsig_systems`:
# those gaps are within what the spread across folds of unseen speakers allows, whichever way
# their means point.
#
# {glue:md}`by_corpus_text`
#
# ### Corrected for shared training speakers
#
# The folds of one cross-validation are not independent samples: any two share most of
# their training speakers, so the spread of the differences across folds understates their
# true variance, and the intervals and tests above are too optimistic. The
# {term}`corrected resampled t-test` {cite:p}`nadeau2003inference` inflates the variance by
# the ratio of test to training clips: the variance of the mean difference is
# $s^2 (1/k + n_\text{test}/n_\text{train})$ instead of $s^2/k$, for $k$ folds whose
# differences have standard deviation $s$.
#
# Comparing CAMuLeNet with several systems at once, the {term}`Holm correction`
# {cite:p}`holm1979` keeps the chance of any false claim at 5%. Its step-down procedure, for
# $m$ comparisons at the 5% level ($\alpha$):
#
# 1. sort the $m$ p-values from smallest to largest, $p_{(1)} \le \dots \le p_{(m)}$;
# 2. compare $p_{(1)}$ with $\alpha/m$, $p_{(2)}$ with $\alpha/(m-1)$, and so on, $p_{(i)}$
#    with $\alpha/(m-i+1)$;
# 3. reject every hypothesis before the first p-value that fails its threshold; that one and
#    all after it stand.
#
# The column *p Holm* gives the equivalent adjusted p-values, $\max_{j \le i} (m-j+1)\,p_{(j)}$
# (at most 1), to compare with $\alpha$ directly. The size of the family matters: the same
# comparison gets a larger adjusted p in a family of more systems (here, chapter 6's gaps and
# chapter 9's fusions are families of their own). {term}`Hedges' g` {cite:p}`hedges1981`
# gives the size of each difference in units of its spread across folds, with a bootstrap
# interval. Differences here are each system minus CAMuLeNet (the tables above give
# CAMuLeNet minus each system).
#
# Each table is its own Holm family: on corpus {glue:text}`corpus_name`, CAMuLeNet against
# the {glue:text}`holm_family_size` other systems of the table ({glue:text}`holm_family`).
# Chapter 6 corrects over the systems of its own table, which leaves out the MFCC-statistics
# yardstick, so the same comparison can have a smaller Holm-adjusted p there.

# %%
fold_objs = {cfg.corpus: folds, **{e.name: e.folds for e in found if e.name != cfg.corpus}}
corrected = {}
for name, long in per_corpus.items():
    n_train, n_test = fold_sizes(fold_objs[name])
    corrected[name] = comparison_table(long, "CAMuLeNet", "wa", n_train, n_test, seed=cfg.seed)
    display(captioned(comparison_view(corrected[name]), config.for_corpus(cfg, name)))

# %% tags=["remove-cell"]
survivors = {name: f"{name}: {survivors_text(t, 'CAMuLeNet', about=name)}" for name, t in corrected.items()}
for name, text in survivors.items():
    glue(f"corrected_{name}", text, display=False)
glue("corrected_by_corpus", " ".join(survivors.values()), display=False)
family = corrected[cfg.corpus].dropna(subset=["p_holm"]).system
glue("holm_family_size", str(len(family)), display=False)
glue("holm_family", ", ".join(family) or "none", display=False)

# %% [markdown]
# {glue:text}`corrected_by_corpus`
#
# ## Which emotions are confused
#
# Confusion matrices summed over all test folds, each row normalised to the clips of that
# true emotion (so the diagonal is the per-class recall).

# %% tags=["remove-output"]
fig = plot_confusions(run.predictions)

# %% tags=["remove-cell"]
glue("fig_confusions", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_confusions
# :name: fig-confusions
#
# Row-normalised confusion matrices of the test clips of every fold, one per system. Made by
# {glue:text}`config`.
# ```
#
# Per-class recall, mean and standard deviation over the folds:

# %%
recall = summarise(run.results_long, [m for m in run.results_long.metric.unique() if m.startswith("recall_")])
recall["emotion"] = recall.metric.str.removeprefix("recall_")
captioned(recall.pivot(index="system", columns="emotion", values="text").reindex(columns=emotion_order(recall.emotion)), cfg)

# %% [markdown]
# ## For whom does it work?
#
# Accuracy on unseen speakers by language and by gender (a corpus in one language has one
# language group). A model that only learned the voices of its training speakers would do
# well on some groups and poorly on others.

# %% tags=["remove-output"]
acc = group_accuracy(run.predictions, manifest, by=("language", "gender"))
fig = plot_group_accuracy(acc)

# %% tags=["remove-cell"]
glue("fig_groups", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_groups
# :name: fig-group-accuracy
#
# Accuracy on the test clips of all folds, by language and by gender. Made by {glue:text}`config`.
# ```

# %%
captioned(group_accuracy_view(acc), cfg)

# %% [markdown]
#
# The multitask head also predicts gender; its accuracy on unseen speakers:

# %%
captioned(run.results.groupby("system")["gender_accuracy"].agg(["mean", "std"]).dropna(), cfg)

# %% [markdown]
# ## Exercises
#
# :::{exercise}
# :label: ex-08-smoke-floor
# Rerun this chapter in {term}`smoke mode`:
# `papermill notebooks/08_statistics.ipynb /tmp/stats-smoke.ipynb --cwd notebooks -p smoke True -p seed 1`
# (or set `smoke = True` and `seed = 1` in the parameters cell). Smoke mode has two folds.
# Can any difference reach significance at the 5% level by the Wilcoxon test? Look at the
# column *lowest p* before you look at the p-values.
# :::
#
# :::{solution} ex-08-smoke-floor
# :class: dropdown
# No. With two folds the smallest two-sided Wilcoxon p-value is 2 / 2² = 0.5, reached when
# the difference has the same sign on both folds, so no comparison can fall below 0.05
# whatever the sizes of the differences. The t-intervals are very wide for the same reason:
# two folds give one degree of freedom. A claim of significance needs enough folds first.
# :::
#
# :::{exercise}
# :label: ex-08-corrected
# The corrected resampled t-test multiplies the variance of the fold differences by
# (1/k + n_test/n_train) instead of 1/k. For 10-fold cross-validation with 9 training speakers'
# worth of clips for each test speaker's worth, by how much does it widen the interval
# compared with the plain t-interval?
# :::
#
# :::{solution} ex-08-corrected
# :class: dropdown
# The plain variance factor is 1/10 = 0.1; the corrected one is 0.1 + 1/9 ≈ 0.211, about 2.1
# times as large, so the interval is about √2.1 ≈ 1.45 times as wide. Differences that the
# plain test calls significant by a small margin often stop being so.
# :::
#
# :::{exercise}
# :label: ex-08-holm
# Three comparisons have corrected p-values 0.01, 0.03 and 0.04. Which survive the Holm
# correction at 5% (the step-down procedure above)? What are their adjusted p-values?
# :::
#
# :::{solution} ex-08-holm
# :class: dropdown
# Following the procedure above with $m = 3$: compare the smallest with 0.05/3 ≈ 0.0167
# (0.01 passes), the next with 0.05/2 = 0.025 (0.03 fails), and stop at the first failure:
# only the first survives, although all three are below 0.05 on their own. The adjusted
# p-values are 3 × 0.01 = 0.03, max(0.03, 2 × 0.03) = 0.06 and max(0.06, 1 × 0.04) = 0.06.
# :::
