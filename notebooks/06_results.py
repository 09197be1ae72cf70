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
# The paper's Table 1 compares CAMuLeNet with two ablations (without multitask learning;
# without co-attention and multitask learning) and with classifiers on pre-trained
# embeddings. This chapter lays out the same table for the first corpus of this build,
# then sets every corpus of this build that has finished results beside the paper's
# numbers.

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
corpora = None  # more corpora whose finished results join Table 1, e.g. [crema-d, ravdess]; None: corpus alone

# %%
import pandas as pd
from myst_nb import glue

from camulenet import book, pipeline
from camulenet.results_table import (ablation_deltas, beside_paper, results_like_table1, style_corpora, style_deltas,
                                     style_scores)

cfg = book.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                    fold_protocol=fold_protocol, corpora=corpora)
display(book.banner(cfg))
manifest = pipeline.ensure_corpus(cfg)
folds = pipeline.ensure_folds(cfg, manifest)
run = pipeline.load_run(cfg, manifest)
whisper_system = book.whisper_label(cfg)
glue("corpus_name", cfg.corpus, display=False)
paper = book.paper_table1()

# %% [markdown]
# ## Results on this corpus
#
# Corpus {glue:text}`corpus_name`.
# Mean and standard deviation over the folds. **WA** is accuracy, **UA** the mean of the
# per-class recalls, **WF1** the support-weighted F1 (the paper's "weighted F1"), **MF1**
# the macro F1; gender accuracy is reported for the multitask model. The last row is not
# in the paper: the simple baseline of chapter 2 (MFCC statistics and logistic
# regression), trained and tested on the same folds, as a yardstick for what the neural
# systems add.

# %%
import numpy as np

from camulenet.sanity_baseline import REFERENCE_SYSTEM

reference = pipeline.reference_results(cfg, manifest, folds)
results = pipeline.wide_results(pd.concat([run.results_long, reference], ignore_index=True))
ours = results_like_table1(results)
balanced = np.allclose(results.wa, results.ua)
glue("wa_ua_note", "Every test speaker of this corpus acts every emotion equally often, so WA equals UA "
     "and WF1 equals MF1 here; on unbalanced corpora such as IEMOCAP they differ." if balanced else
     "The emotions are not equally frequent in the test folds, so WA (accuracy) and UA (mean recall) differ.",
     display=False)
ours

# %%
best = results.groupby("system")["wa"].mean()
glue("ours_camulenet_wa", f"{best['CAMuLeNet']:.3f}", display=False)
glue("ours_whisper_wa", f"{best[whisper_system]:.3f}", display=False)
glue("whisper_system", whisper_system, display=False)
glue("ours_reference_wa", f"{best[REFERENCE_SYSTEM]:.3f}", display=False)
glue("train_clips", f"{np.mean([len(f.train) for f in folds.folds]):,.0f}", display=False)
glue("reference_verdict", "above" if best["CAMuLeNet"] > best[REFERENCE_SYSTEM] else "below", display=False)
from camulenet.corpus_text import is_synthetic

glue("corpus_commentary", "The synthetic emotions are acted through prosody rules (pitch, rate, energy, voice "
     "quality), exactly what MFCC statistics summarise, while Whisper's encoder was trained to transcribe speech "
     "whatever its prosody: chapter 7 measures how much emotion its pooled frames carry here."
     if is_synthetic(manifest) else "", display=False)

# %% [markdown]
# ## Beside the paper
#
# Table 1 of the paper with a column block for every corpus of this build that has
# finished results ({glue:text}`corpora_beside`), first WA, then WF1: fold means, with the
# MFCC-statistics baseline as one more row. An empty cell is a system that was not run on
# that corpus, or not by the paper. Absolute numbers compare only within one corpus: a
# block of ours beside the paper's block of the same corpus, where this build ran on one of
# the paper's corpora.

# %%
found, skipped = pipeline.finished_corpora(cfg)
blocks = {f"{cfg.corpus} (ours)": results}  # this chapter's corpus first, as above
for entry in found:
    if entry.name != cfg.corpus:
        blocks[f"{entry.name} (ours)"] = pipeline.wide_results(pipeline.results_with_reference(entry))
glue("corpora_beside", ", ".join(label.removesuffix(" (ours)") for label in blocks), display=False)
glue("corpora_missing", ", ".join(name for name, _ in skipped) or "none", display=False)
side = beside_paper(blocks, paper)

style_scores(side.xs("WA", axis=1, level="metric"))

# %%
style_scores(side.xs("WF1", axis=1, level="metric"))

# %% [markdown]
# The corpora of this build and what each has. Corpora without finished results under
# this build's settings ({glue:text}`corpora_missing`) are left out of the table above;
# their status names what makes the results, after which this chapter picks them up.

# %%
style_corpora(pipeline.corpora_table(found, skipped))

# %% [markdown]
# What can be compared is the *shape* of the table: how much each component adds. The
# tables below give, for each system, its score minus CAMuLeNet's, on corpus
# {glue:text}`corpus_name` (the first of this build, labelled ours) and, for the paper,
# on each corpus of Table 1 and on their mean; first for WA, then for WF1.

# %%
deltas = ablation_deltas(run.results, paper, metric="WA", corpus=cfg.corpus)
style_deltas(deltas)

# %%
style_deltas(ablation_deltas(run.results, paper, metric="WF1", corpus=cfg.corpus))

# %%
from camulenet.plots.results import plot_deltas_vs_paper

fig = plot_deltas_vs_paper(deltas)

# %% [markdown]
# {glue:text}`wa_ua_note`
#
# On corpus {glue:text}`corpus_name`, CAMuLeNet reaches WA {glue:text}`ours_camulenet_wa` against
# {glue:text}`ours_whisper_wa` for the {glue:text}`whisper_system` baseline, and the
# MFCC-statistics baseline reaches {glue:text}`ours_reference_wa`,
# {glue:text}`reference_verdict` CAMuLeNet. CAMuLeNet is trained from scratch on
# {glue:text}`train_clips` clips per fold on average. {glue:text}`corpus_commentary`
# Chapter 8 tests whether the differences between systems are larger than the spread
# across folds.
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
# from camulenet.runner import SYSTEMS
#
# root = pipeline.features_root(cfg)
# extract_ssl_features(manifest, root, WavLMModel.from_pretrained("path/to/wavlm-base-plus"), "wavlm")
# features["wavlm"] = FeatureStore(root).load("wavlm", ids=list(manifest.utt_id))
# run = pipeline.ensure_results(cfg, manifest, folds, features, systems=SYSTEMS + ("WavLM",))
# ```
# ````
