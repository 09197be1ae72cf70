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
# # Dataset preparation
#
# The paper's question is whether emotion recognition **transfers to speakers never heard
# in training**. Everything in this chapter serves that: one manifest schema for every
# corpus, and folds in which no speaker is ever on both sides.
#
# ## The corpora of the paper
#
# The paper uses six corpora; this edition ships a loader for each of them (and EMOVO),
# tested against their real file layouts. Their audio is licensed or gated, so by default
# the book runs on an embedded synthetic corpus; the `corpus` parameter points it at any of
# them instead.

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

# %%
import numpy as np
import pandas as pd
from IPython.display import Audio, display
from myst_nb import glue

from IPython.display import Markdown

from camulenet import book, pipeline
from camulenet.corpora import CORPUS_INFO
from camulenet.corpus_text import describe_corpus, is_synthetic, listening_examples, spoken_text
from camulenet.folds import check_speaker_disjoint
from camulenet.manifest import summarize
from camulenet.plots.dataset import plot_corpus_overview, plot_folds
from camulenet.sanity_baseline import sanity_check

cfg = book.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                    fold_protocol=fold_protocol)
display(book.banner(cfg))
pd.DataFrame(CORPUS_INFO).T

# %% [markdown]
# To use a real corpus, put (or symlink) it at `data/corpora/<name>` in its official
# layout and set the `corpus` parameter, e.g. `corpus="crema-d"`. The loader for each
# corpus turns its own naming scheme into the same columns: `utt_id, path, corpus,
# language, speaker, gender, emotion`. Gender codings differ between the corpora's own
# files (CREMA-D writes `Male`/`Female` in a table, RAVDESS uses odd/even actor numbers);
# the loaders map them all to `female`/`male`, and a label they do not know is reported
# with the file it came from, never dropped silently.
#
# ## This book's corpus
#
# The corpus this build ran on, as its loader read it. The embedded synthetic corpus
# (the default) follows the emotion rules of Murray and Arnott {cite}`murray1993emotion`.

# %%
manifest = pipeline.ensure_corpus(cfg)
display(Markdown(describe_corpus(cfg.corpus, manifest)))
summary = summarize(manifest)
glue("n_clips", len(manifest), display=False)
glue("n_speakers", manifest.speaker.nunique(), display=False)
glue("n_languages", manifest.language.nunique(), display=False)
glue("n_emotions", manifest.emotion.nunique(), display=False)
glue("emotion_list", ", ".join(sorted(manifest.emotion.unique())), display=False)
summary

# %% [markdown]
# The corpus has {glue:text}`n_clips` clips from {glue:text}`n_speakers` speakers in
# {glue:text}`n_languages` language(s) and {glue:text}`n_emotions` emotions
# ({glue:text}`emotion_list`). The manifest is a plain table:

# %%
shown_columns = ["utt_id", "language", "speaker", "gender", "emotion", "sentence", "duration"]
manifest[[c for c in shown_columns if c in manifest.columns]].head(8)

# %%
fig = plot_corpus_overview(manifest)

# %% [markdown]
# ### Listen to it
#
# One speaker in each emotion of the corpus (the same sentence where the corpus has one in
# common):

# %%
for row in listening_examples(manifest).itertuples():
    print(f"{row.emotion:>8}  ({row.speaker}, {row.language}, {row.gender}): {spoken_text(cfg.corpus, row)}")
    display(Audio(row.path))

# %% [markdown]
# ### Is it a meaningful benchmark?
#
# A corpus on which emotions are trivially separable, or not separable at all, would teach
# nothing. A deliberately simple baseline (MFCC statistics and logistic regression) should
# land well above chance on held-out speakers, and clearly below the *same* model on a
# speaker-mixed split, where it can partly recognise the voice instead of the emotion.
# That gap is the effect the paper's unseen-speaker protocol guards against.

# %%
stats = pipeline.mfcc_statistics(cfg, manifest)  # cached: chapter 6 reuses them on the book's folds
readable = ~np.isnan(stats).any(axis=1)
check = sanity_check(manifest[readable], seed=cfg.seed, features=stats[readable])
held, mixed = (check.loc[k, "accuracy"] for k in ("held-out speakers", "speaker-mixed"))
glue("sanity_heldout", f"{100 * held:.1f}%", display=False)
glue("sanity_mixed", f"{100 * mixed:.1f}%", display=False)
glue("sanity_chance", f"{100 * check.chance.iloc[0]:.1f}%", display=False)
check

# %% [markdown]
# On held-out speakers the baseline reaches {glue:text}`sanity_heldout` (chance is
# {glue:text}`sanity_chance`), against {glue:text}`sanity_mixed` when the same speakers
# appear in training and test.
#
# ## Speaker-independent folds
#
# The paper reports 10-fold leave-speaker-out cross-validation (IEMOCAP is also often
# reported leave-one-session-out: the `fold_protocol="session"` parameter). Its released split scripts
# instead drew test speakers from `list(set(...))` with unseeded shuffles, so the split
# changed from run to run. Here the folds are a pure function of the manifest and the
# seed: speakers are assigned to `n_folds` test folds (balanced by gender), a speaker-disjoint
# validation set is drawn from each fold's training speakers for early stopping, and a
# guard raises if any speaker ever appears in two parts. The folds are saved as JSON.

# %%
folds = pipeline.ensure_folds(cfg, manifest)
check_speaker_disjoint(folds, manifest)
print(f"{folds.strategy}: {len(folds.folds)} folds, seed {folds.seed}; saved to {pipeline.folds_file(cfg, manifest).name}")
fig = plot_folds(folds, manifest)

# %%
pd.DataFrame([{"fold": i, "test speakers": len(f.test_speakers), "val speakers": len(f.val_speakers),
               "train clips": len(f.train), "val clips": len(f.val), "test clips": len(f.test)}
              for i, f in enumerate(folds.folds)]).set_index("fold")

# %% [markdown]
# What transfers from one corpus to another is the *protocol*: the same loaders, folds,
# features and training run unchanged on each. The accuracy figures belong to this corpus
# alone.

# %% tags=["remove-input"]
if is_synthetic(manifest):
    display(Markdown("**This corpus is synthetic**: its accuracy figures say nothing about CREMA-D or any "
                     "other real corpus."))
