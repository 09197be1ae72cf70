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
# # Ablations and baselines
#
# The paper's Table 1 {cite:p}`goel2024camulenet` compares CAMuLeNet with two ablations
# (without {term}`multitask learning`; without {term}`co-attention` and multitask learning)
# and with classifiers on pre-trained embeddings (Wav2Vec2.0 {cite:p}`baevski2020wav2vec2`,
# HuBERT {cite:p}`hsu2021hubert`, WavLM {cite:p}`chen2022wavlm` and Whisper
# {cite:p}`radford2023whisper`). This chapter lays out the same table for the first corpus
# of this build, sets every corpus of this build that has finished results beside the
# paper's numbers, and asks which gaps between systems are larger than the spread across
# folds.
#
# :::{admonition} In this chapter
# :class: tip
# **You will learn**
# - to read {term}`WA`, {term}`UA`, {term}`WF1` and {term}`MF1` as means over folds;
# - why absolute scores compare only within one corpus, while gaps between systems can be
#   compared with the paper's;
# - to tell a gap that exceeds the fold spread from one within fold noise.
#
# **You need** {doc}`05_training` (the finished grid); the terms {term}`fold`,
# {term}`leave-speaker-out` and {term}`corrected resampled t-test`.
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
# more corpora whose results join Table 1, e.g. ["crema-d"]; None: corpus alone
corpora = None

# %% tags=["remove-cell"]
import camulenet  # first: pins the numeric libraries' CPU code paths (camulenet.storage.numerics)
import numpy as np
import pandas as pd
from IPython.display import Markdown
from myst_nb import glue

from camulenet import config, pipeline
from camulenet.book import claims
from camulenet.book.banner import banner
from camulenet.book.captions import captioned, corpora_caption, settings_caption, source_groups
from camulenet.book.corpus_text import is_synthetic, voices
from camulenet.book.tables import (
    corpora_table,
    gaps_view,
    style_corpora,
    style_deltas,
    style_scores,
    with_source_groups,
)
from camulenet.book.training_log import captured_output
from camulenet.book.verdicts import gap_verdict, standing_text
from camulenet.evaluation.ablation_stats import ablation_gaps
from camulenet.evaluation.paper import paper_table1
from camulenet.evaluation.results_table import ablation_deltas, beside_paper, results_like_table1
from camulenet.evaluation.sanity_baseline import REFERENCE_SYSTEM
from camulenet.model import CAMuLeNetConfig
from camulenet.model.shapes import parameters_of
from camulenet.plots.ablation import plot_gaps_vs_paper

claims.chapter("06_results")
cfg = config.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                      fold_protocol=fold_protocol, corpora=corpora)
with captured_output():
    manifest = pipeline.ensure_corpus(cfg)
    folds = pipeline.ensure_folds(cfg, manifest)
run = pipeline.load_run(cfg, manifest)
whisper_system = config.whisper_label(cfg)
glue("corpus_name", cfg.corpus, display=False)
paper = paper_table1()

# %% tags=["remove-input"]
display(banner(cfg))

# %% [markdown]
# ## Results on this corpus
#
# Corpus {glue:text}`corpus_name`.
# Mean and standard deviation over the folds. {term}`WA` is accuracy, {term}`UA` the mean of
# the per-class recalls, {term}`WF1` the support-weighted F1 (the paper's "weighted F1"),
# {term}`MF1` the macro F1; gender accuracy is reported for the multitask model. The last
# row is not in the paper: the simple baseline of chapter 2 ({term}`MFCC` statistics and
# logistic regression), trained and tested on the same folds, as a {term}`yardstick` for
# what the neural systems add. The line above the table names the configuration that made it.

# %% tags=["remove-cell"]
reference = pipeline.reference_results(cfg, manifest, folds)
results = pipeline.wide_results(pd.concat([run.results_long, reference], ignore_index=True))
ours = results_like_table1(results)
balanced = np.allclose(results.wa, results.ua)
wa_ua_note = ("Every test speaker of this corpus acts every emotion equally often, so WA equals UA "
     "and WF1 equals MF1 here; on unbalanced corpora such as IEMOCAP they differ." if balanced else
     "The emotions are not equally frequent in the test folds, so WA (accuracy) and UA (mean recall) differ.")
best = results.groupby("system")["wa"].mean()
glue("ours_camulenet_wa", f"{best['CAMuLeNet']:.3f}", display=False)
glue("ours_whisper_wa", f"{best[whisper_system]:.3f}", display=False)
glue("whisper_system", whisper_system, display=False)
glue("ours_reference_wa", f"{best[REFERENCE_SYSTEM]:.3f}", display=False)
glue("train_clips", f"{np.mean([len(f.train) for f in folds.folds]):,.0f}", display=False)
# the sentence reads "the MFCC-statistics baseline reaches X, above CAMuLeNet's, by more than the spread of ..."
glue("reference_verdict", standing_text(results, REFERENCE_SYSTEM, "CAMuLeNet"), display=False)
corpus_commentary = ("A possible reason, not tested here: the synthetic emotions are acted through prosody rules "
     "(pitch, rate, energy, voice quality), which MFCC statistics summarise, while Whisper's encoder was trained "
     "to transcribe speech whatever its prosody; chapter 7 measures how much emotion its pooled frames carry here."
     if is_synthetic(manifest) else "")

# %%
captioned(ours, settings_caption(cfg))

# %% [markdown]
# ## Beside the paper
#
# Table 1 of the paper with a column block for every corpus of this build that has
# finished results ({glue:text}`corpora_beside`), first WA, then WF1: fold means, with the
# MFCC-statistics baseline as one more row. An empty cell is a system that was not run on
# that corpus, or not by the paper. The header row above the corpora names where each
# group of columns comes from: its model, its size and its speech.
#
# {glue:md}`beside_warning`

# %% tags=["remove-cell"]
found, skipped = pipeline.finished_corpora(cfg)
blocks = {f"{cfg.corpus} (ours)": results}  # this chapter's corpus first, as above
for entry in found:
    if entry.name != cfg.corpus:
        blocks[f"{entry.name} (ours)"] = pipeline.wide_results(pipeline.results_with_reference(entry))
names = [label.removesuffix(" (ours)") for label in blocks]
glue("corpora_beside", ", ".join(names), display=False)
glue("corpora_missing", ", ".join(name for name, _ in skipped) or "none", display=False)
side = beside_paper(blocks, paper)
blocks_caption = corpora_caption(cfg, names)
kinds = [voices(cfg.corpus, manifest)] + [voices(e.name, e.manifest) for e in found if e.name != cfg.corpus]
trained = run.fold_info.loc[run.fold_info.system == "CAMuLeNet", "n_params"]
ours_header, paper_header, beside_warning = source_groups(
    cfg, int(trained.max()) if len(trained) else parameters_of(CAMuLeNetConfig.compact()), kinds,
    parameters_of(CAMuLeNetConfig.paper(whisper_dim=1024)))
glue("beside_warning", Markdown(beside_warning), display=False)

# %%
captioned(style_scores(with_source_groups(side.xs("WA", axis=1, level="metric"), ours_header, paper_header)),
          "WA · " + blocks_caption)

# %%
captioned(style_scores(with_source_groups(side.xs("WF1", axis=1, level="metric"), ours_header, paper_header)),
          "WF1 · " + blocks_caption)

# %% [markdown]
# The corpora of this build and what each has. Corpora without finished results under
# this build's settings ({glue:text}`corpora_missing`) are left out of the table above;
# their status names what makes the results, after which this chapter picks them up.

# %%
style_corpora(corpora_table(found, skipped))

# %% [markdown]
# ## What each component adds
#
# What can be compared is the *shape* of the table: how much each component adds. The
# tables below give, for each system, its score minus CAMuLeNet's, on corpus
# {glue:text}`corpus_name` (the first of this build, labelled ours) and, for the paper,
# on each corpus of Table 1 and on their mean; first for WA, then for WF1.

# %%
deltas = ablation_deltas(run.results, paper, metric="WA", corpus=cfg.corpus)
captioned(style_deltas(deltas), "ΔWA · ours: " + settings_caption(cfg))

# %%
captioned(style_deltas(ablation_deltas(run.results, paper, metric="WF1", corpus=cfg.corpus)),
          "ΔWF1 · ours: " + settings_caption(cfg))

# %% [markdown]
# A gap of ours is the mean of {glue:text}`gap_folds` per-fold differences (each fold's score of the system
# minus CAMuLeNet's on the same test speakers), and those differences scatter. The table
# below gives each gap with the standard deviation of its per-fold differences (the fold
# spread), the 95% interval of the {term}`corrected resampled t-test`
# {cite:p}`nadeau2003inference` (the folds share most of their training speakers, so the
# plain t-interval is too narrow: this one widens it, its half-width is
# $t_{k-1} \cdot \mathrm{sd} \cdot \sqrt{1/k + n_\text{test}/n_\text{train}}$ for $k$ folds with
# $n_\text{test}$ test and $n_\text{train}$ training clips each), and its p-value after the
# {term}`Holm correction` {cite:p}`holm1979` over the systems compared (with several
# comparisons, each is held to a stricter threshold so that the chance of any false claim
# stays at 5%; chapter 8 gives the procedure), here over the {glue:text}`gap_family_size`
# systems of this table ({glue:text}`gap_family`). Chapter 8 corrects over its own table, which
# also holds the MFCC-statistics yardstick: a family one larger, so the same comparison can
# have a larger Holm-adjusted p there. Chapter 8 also adds the other corpora and an effect
# size, {term}`Hedges' g`: the mean of the per-fold differences divided by their standard
# deviation, shrunk slightly for the small number of folds, so a gap is measured in units of
# its own fold spread.

# %% tags=["remove-cell"]
gaps_wa = ablation_gaps(run.results_long, folds, "WA", seed=cfg.seed)
gaps_wf1 = ablation_gaps(run.results_long, folds, "WF1", seed=cfg.seed)
glue("gap_folds", f"{int(gaps_wa['n'].max()) if len(gaps_wa) else 0}", display=False)
glue("gap_family_size", str(len(gaps_wa.dropna(subset=["p"]))), display=False)
glue("gap_family", ", ".join(gaps_wa.dropna(subset=["p"]).index) or "none", display=False)

# %%
captioned(gaps_view(gaps_wa), "WA gaps to CAMuLeNet · " + settings_caption(cfg))

# %% tags=["remove-output"]
fig = plot_gaps_vs_paper(deltas, gaps_wa, label=f"{cfg.corpus} (ours)")
glue("fig_gaps", fig, display=False)

# %% [markdown]
# ```{glue:figure} fig_gaps
# :name: fig-06-gaps
#
# Each system's WA minus CAMuLeNet's. Grey dots: the paper, one per corpus of its Table 1.
# Diamond: ours, over {glue:text}`gap_folds` folds, with a thick bar of plus or minus one
# standard deviation of the per-fold differences and thin whiskers for the corrected 95%
# interval; filled when the gap survives Holm's correction, hollow when it is within fold
# noise.
# ```

# %% tags=["remove-input"]
Markdown(f"**Which gaps hold.** {gap_verdict(gaps_wa, cfg.corpus)}\n\n{gap_verdict(gaps_wf1, cfg.corpus)}")

# %% [markdown]
# On corpus {glue:text}`corpus_name`, CAMuLeNet reaches WA {glue:text}`ours_camulenet_wa` against
# {glue:text}`ours_whisper_wa` for the {glue:text}`whisper_system` baseline, and the
# MFCC-statistics baseline reaches {glue:text}`ours_reference_wa`,
# {glue:text}`reference_verdict`. CAMuLeNet is trained from scratch on
# {glue:text}`train_clips` clips per fold on average.

# %% tags=["remove-input"]
Markdown(f"{wa_ua_note} {corpus_commentary}")

# %% [markdown]
# Chapter 8 tests every difference between systems, on every corpus of this build.
#
# ````{note}
# The Wav2Vec2.0, HuBERT, WavLM and Whisper-Medium baselines need pre-trained weights that
# cannot be fetched here. Their code path is tested on tiny randomly initialised models.
# With the weights on disk, embed the corpus into the feature store and add the system to
# the grid:
#
# ```python
# from transformers import WavLMModel
# from camulenet.features.ssl import extract_ssl_features
# from camulenet.features.store import FeatureStore
# from camulenet.training.runner import SYSTEMS
#
# root = pipeline.features_root(cfg)
# extract_ssl_features(manifest, root, WavLMModel.from_pretrained("path/to/wavlm-base-plus"), "wavlm")
# features["wavlm"] = FeatureStore(root).load("wavlm", ids=list(manifest.utt_id))
# run = pipeline.ensure_results(cfg, manifest, folds, features, systems=SYSTEMS + ("WavLM",))
# ```
# ````
#
# ## Exercises
#
# :::{exercise}
# :label: ex-06-noise
# In the WA table of gaps, take the gap of ours closest to zero (the smallest in absolute
# value) and its fold sd. The corrected 95% interval of a gap has half-width
#
# $$h = t_{k-1} \cdot \mathrm{sd} \cdot \sqrt{\frac{1}{k} + \frac{n_\text{test}}{n_\text{train}}},$$
#
# where $k$ is the number of folds, $t_{k-1}$ the 97.5th percentile of Student's t with $k-1$
# degrees of freedom (12.7 for $k = 2$, 2.26 for $k = 10$, close to 2 for many folds), and
# $n_\text{test}/n_\text{train}$ the ratio of test to training clips of a fold, about
# $1/(k-1)$ when $k$ folds split one corpus. The interval excludes zero when $h$ is smaller
# than the gap's absolute value. With the same fold sd, how many folds would that gap need?
# What does that say about reading the paper's single-number gaps?
# :::
#
# :::{solution} ex-06-noise
# :class: dropdown
# With $n_\text{test}/n_\text{train} \approx 1/(k-1)$, the bracket is about $2/k$, so
# $h \approx t \cdot \mathrm{sd} \cdot \sqrt{2/k}$, and $h < |\text{gap}|$ needs
# $k > 2\,(t \cdot \mathrm{sd} / \text{gap})^2$ with $t \approx 2$: a gap half its fold sd
# needs more than 32 folds, a gap a quarter of it more than 128. The term
# $n_\text{test}/n_\text{train}$ does not vanish with more folds of the same corpus, so only
# more speakers, not more folds of the same ones, narrow the interval much. The paper prints
# one number per gap without a spread, so a gap of a point or two there cannot be judged
# either way.
# :::
#
# :::{exercise}
# :label: ex-06-seed
# Rerun this chapter and chapter 5 in {term}`smoke mode` with another seed:
#
# ```bash
# papermill notebooks/05_training.ipynb /tmp/05.ipynb --cwd notebooks \
#     -p smoke True -p seed 1
# papermill notebooks/06_results.ipynb /tmp/06.ipynb --cwd notebooks \
#     -p smoke True -p seed 1
# ```
#
# Do the gaps keep their sign? Does the verdict sentence under the figure change?
# :::
#
# :::{solution} ex-06-seed
# :class: dropdown
# With two folds and two epochs the smoke gaps are mostly noise: signs can flip from one
# seed to the next, and with two folds the corrected test has one degree of freedom, so
# the verdict names every gap as within fold noise unless it is very large. That is the
# point of the fold spread: a gap whose sign a new seed can flip is not a finding.
# :::
#
# :::{exercise}
# :label: ex-06-corpus
# Point the book at a second corpus. Once CREMA-D {cite:p}`cao2014cremad` is under
# `data/corpora/crema-d` (`python -m camulenet fetch crema-d` downloads it), train and
# report both corpora in {term}`smoke mode`:
#
# ```bash
# papermill notebooks/05_training.ipynb /tmp/05.ipynb --cwd notebooks \
#     -p smoke True -y 'corpora: [synthetic, crema-d]'
# papermill notebooks/06_results.ipynb /tmp/06.ipynb --cwd notebooks \
#     -p smoke True -y 'corpora: [synthetic, crema-d]'
# ```
#
# Which tables get a new block, and what does each block's caption tell you?
# :::
#
# :::{solution} ex-06-corpus
# :class: dropdown
# The two tables beside the paper get one column block per corpus with finished results;
# their caption lists each corpus's own configuration (profile, features, model,
# schedule, folds, seed), so a block trained under other settings shows it. The gap
# tables and the figure stay on the chapter's first corpus; chapter 8 tests the others.
# :::
