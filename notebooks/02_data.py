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
# :::{admonition} In this chapter
# :class: tip
# **You will learn**
# - which corpora the paper uses and how one loader schema covers all of them;
# - what the book's corpus contains, and what its emotions, languages and voices sound like;
# - why a simple baseline on {term}`leave-speaker-out` folds tells whether a corpus is a fair benchmark;
# - how speakers are split into seeded, speaker-disjoint {term}`folds <fold>`.
#
# **You need** the paper's question from {doc}`01_paper`; accuracy as a measure ({term}`WA`).
# :::
#
# ## The corpora of the paper
#
# The paper uses six corpora: CREMA-D {cite:p}`cao2014cremad`, IEMOCAP {cite:p}`busso2008iemocap`,
# RAVDESS {cite:p}`livingstone2018ravdess` and EmoDB {cite:p}`burkhardt2005emodb` in English and
# German, CaFE {cite:p}`gournay2018cafe` in French, and BhavVani {cite:p}`bhavvani` in Hindi.
# This edition ships a loader for each of them (and for two Italian corpora, EMOVO
# {cite:p}`costantini2014emovo` and Emozionalmente {cite:p}`catania2025emozionalmente`),
# tested against their real file layouts. By default the book runs on an
# embedded synthetic corpus, which needs no download; the `corpus` parameter (the value in the
# table's second column) points it at any of them instead. The open ones (RAVDESS, CREMA-D,
# Emozionalmente) are fetched and checksum-verified on demand (`python -m camulenet fetch
# ravdess`, or `make book CORPUS=ravdess`); IEMOCAP and BhavVani are licence-gated, and `fetch`
# says where to request them and where to put them. Your own corpus enters as a CSV manifest.

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
# a corpus under data/corpora/ (e.g. "crema-d") or your corpus's manifest CSV
corpus = "synthetic"
# "compact" or "paper" (Whisper-Medium, 30-s frames, released sizes, schedule)
profile = "compact"
# Whisper weights: None (the profile's), base, medium, large-v3 or a .pt file
whisper = None
fold_protocol = "speaker"  # or "session": leave-one-session-out (IEMOCAP)

# %%
import camulenet  # first: pins the numeric libraries' CPU code paths (camulenet.storage.numerics)
import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown, display
from myst_nb import glue

from camulenet import config, pipeline
from camulenet.book import claims
from camulenet.book.audio_gallery import MAX_SECONDS, MAX_TRIES, Clip, gallery_html, language_gender_examples, \
    listening_examples
from camulenet.book.banner import banner
from camulenet.book.corpus_text import audio_terms_text, corpus_table, describe_corpus, is_synthetic, spoken_text
from camulenet.book.unreadable import left_out_text, skipped_text
from camulenet.book.verdicts import sanity_text
from camulenet.data.folds import check_speaker_disjoint
from camulenet.data.manifest import summarize
from camulenet.evaluation.sanity_baseline import sanity_check
from camulenet.plots.dataset import plot_corpus_overview, plot_folds

claims.chapter("02_data")
cfg = config.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                      fold_protocol=fold_protocol)
display(banner(cfg))

# %%
corpus_table()

# %% [markdown]
# To use a real corpus, put (or symlink) it at `data/corpora/<name>` in its official
# layout and set the `corpus` parameter, e.g. `corpus="crema-d"`. The loader for each
# corpus turns its own naming scheme into the same columns: `utt_id, path, corpus,
# language, speaker, gender, emotion`. Gender codings differ between the corpora's own
# files (CREMA-D writes `Male`/`Female` in a table, RAVDESS uses odd/even actor numbers);
# the loaders map them all to `female`/`male`, and a label they do not know is reported
# with the file it came from, never dropped silently.
#
# A corpus of your own needs no loader: list its clips in a CSV (`path, speaker, emotion`,
# optionally `gender, language, utt_id`, with a `label_map.csv` beside it for labels of your
# own) and set `corpus` to the CSV's path, or to the folder holding it as `manifest.csv`.
# Every row is checked first, and a problem is named by its line in the CSV with the fix;
# {doc}`run_yourself` describes the format.
#
# ## This book's corpus
#
# The corpus this build ran on, as its loader read it. The embedded synthetic corpus
# (the default) is rendered with the eSpeak NG synthesiser {cite:p}`espeakng` and follows the
# emotion rules of Murray and Arnott {cite:p}`murray1993emotion`.

# %%
manifest = pipeline.ensure_corpus(cfg)
display(Markdown(describe_corpus(cfg.corpus, manifest)))
summary = summarize(manifest)
summary.rename(columns=lambda c: c.replace("_", " ")).rename(columns={"hours": "hours of audio"}).T

# %% tags=["remove-cell"]
glue("n_clips", len(manifest), display=False)
glue("n_speakers", manifest.speaker.nunique(), display=False)
glue("n_languages", manifest.language.nunique(), display=False)
glue("n_emotions", manifest.emotion.nunique(), display=False)
glue("emotion_list", ", ".join(sorted(manifest.emotion.unique())), display=False)

# %% [markdown]
# The corpus has {glue:text}`n_clips` clips from {glue:text}`n_speakers` speakers in
# {glue:text}`n_languages` language(s) and {glue:text}`n_emotions` emotions
# ({glue:text}`emotion_list`). The manifest is a plain table:

# %%
shown_columns = ["utt_id", "language", "speaker", "gender", "emotion", "sentence", "duration"]
manifest[[c for c in shown_columns if c in manifest.columns]].head(8).style.format(
    {"duration": "{:.2f}"}).hide(axis="index")

# %% tags=["remove-cell"]
fig = plot_corpus_overview(manifest)
glue("corpus_overview", fig, display=False)

# %% [markdown]
# ```{glue:figure} corpus_overview
# :name: fig-02-overview
#
# What the corpus holds. Top left: clips per emotion, split by gender. Top right: the share of
# each emotion within each language (equal segments mean a balanced language; `n` is its
# number of clips). Bottom: clips per speaker, coloured by gender. A class or a gender that
# dominates would make plain accuracy flatter the model; that is what {term}`UA` corrects.
# ```
#
# ### Listen to it
#
# One speaker in each emotion of the corpus, the same sentence where the corpus has one in
# common. Each player is labelled with the emotion it plays. A clip that cannot be read
# (missing, corrupt, cut short, silent) gives way to the next clip of the same emotion,
# and the page says which one and why.

# %% tags=["remove-input"]
if is_synthetic(manifest):
    from camulenet.book.synthetic_rules import UNITS, emotion_rules_table
    display(Markdown("The generator acts each emotion by changing these settings from the speaker's "
                     "neutral voice (the prototypes, read from `data_prep.synthetic.emotions`; each "
                     "speaker's acting style scales and mixes them, and every clip varies):"))
    display(emotion_rules_table().style)  # a Styler never cuts long cells
    display(Markdown(f"*Units.* {UNITS}."))
else:
    display(Markdown("A table of emotion rules is shown only for the synthetic corpus, whose "
                     "emotions are rendered by written rules; this corpus's emotions follow no "
                     "written rules, so there is nothing to show but what you hear."))

# %% tags=["remove-input"]
examples = listening_examples(manifest)
display(HTML(gallery_html([Clip(title=r.emotion, detail=f"{r.speaker} ({r.language}, {r.gender}): "
                                f"\u201c{spoken_text(cfg.corpus, r)}\u201d", path=r.path)
                           for r in examples.clips.itertuples()])))
display(Markdown(audio_terms_text(cfg.corpus, manifest, MAX_SECONDS)))
if len(examples.skipped) or examples.unfilled:
    display(Markdown(skipped_text(examples.skipped, examples.unfilled, "emotion", MAX_TRIES)))

# %% [markdown]
# The voices of the corpus: one clip for each language and gender, in the same emotion where
# every voice has one, so that what changes from player to player is the speaker and the
# language.

# %% tags=["remove-input"]
voices = language_gender_examples(manifest)
display(HTML(gallery_html([Clip(title=f"{r.language}, {r.gender}", detail=f"{r.speaker}, {r.emotion}: "
                                f"\u201c{spoken_text(cfg.corpus, r)}\u201d", path=r.path)
                           for r in voices.clips.itertuples()])))
if len(voices.skipped) or voices.unfilled:
    display(Markdown(skipped_text(voices.skipped, voices.unfilled, "language and gender", MAX_TRIES)))

# %% [markdown]
# ### Is it a meaningful benchmark?
#
# A corpus on which emotions are trivially separable, or not separable at all, would teach
# nothing. A deliberately simple baseline ({term}`MFCC` statistics and logistic regression) should
# land well above chance on held-out speakers, and clearly below the *same* model on a
# speaker-mixed split, where it can partly recognise the voice instead of the emotion.
# That gap is the effect the paper's unseen-speaker protocol guards against.

# %%
stats = pipeline.mfcc_statistics(cfg, manifest)  # cached: chapter 6 reuses them on the book's folds
readable = ~np.isnan(stats).any(axis=1)
check = sanity_check(manifest[readable], seed=cfg.seed, features=stats[readable])
check.style.format(precision=3).set_caption(
    f"{cfg.corpus} · MFCC statistics ({cfg.feature_preset} preset) + logistic regression · "
    f"{int(check.n_folds.iloc[0])} folds, held-out vs mixed speakers · seed {cfg.seed}")

# %% tags=["remove-input"]
if not readable.all():
    display(Markdown(left_out_text(int((~readable).sum()), len(manifest), "this baseline")))

# %% tags=["remove-cell"]
held, mixed = (check.loc[k, "accuracy"] for k in ("held-out speakers", "speaker-mixed"))
glue("sanity_heldout", f"{100 * held:.1f}%", display=False)
glue("sanity_mixed", f"{100 * mixed:.1f}%", display=False)
glue("sanity_chance", f"{100 * check.chance.iloc[0]:.1f}%", display=False)
glue("sanity_verdict", Markdown(sanity_text(check)), display=False)

# %% [markdown]
# On held-out speakers the baseline reaches {glue:text}`sanity_heldout` (chance is
# {glue:text}`sanity_chance`), against {glue:text}`sanity_mixed` when the same speakers
# appear in training and test. {glue:md}`sanity_verdict`
#
# ## Speaker-independent folds
#
# The paper reports 10-fold leave-speaker-out cross-validation (IEMOCAP is also often
# reported leave-one-session-out: the `fold_protocol="session"` parameter). Its released split scripts
# instead drew test speakers from `list(set(...))` with unseeded shuffles, so the split
# changed from run to run. Here the folds are a pure function of the manifest and the
# seed: speakers are assigned to `n_folds` test folds (balanced by gender), a speaker-disjoint
# validation set is drawn from each fold's training speakers for early stopping, and a
# guard raises if any speaker ever appears in two parts. Where speakers hold very uneven
# numbers of clips (a crowdsourced corpus such as Emozionalmente: one clip to about a
# hundred), speakers are also swapped between folds until every fold holds about as many
# clips of each emotion, and each fold validates on the next fold's speakers. The folds are
# saved as JSON.

# %%
folds = pipeline.ensure_folds(cfg, manifest)
check_speaker_disjoint(folds, manifest)  # raises if a speaker is on two sides

# %% tags=["remove-cell"]
glue("folds_strategy", folds.strategy, display=False)
glue("folds_n", len(folds.folds), display=False)
glue("folds_seed", folds.seed, display=False)
glue("folds_file", pipeline.folds_file(cfg, manifest).name, display=False)
fig = plot_folds(folds, manifest)
glue("folds_figure", fig, display=False)

# %% [markdown]
# The guard passed: {glue:text}`folds_n` folds ({glue:text}`folds_strategy`, seed
# {glue:text}`folds_seed`), saved as {glue:text}`folds_file` in the folds folder of `data/`.

# %% [markdown]
# ```{glue:figure} folds_figure
# :name: fig-02-folds
#
# Every speaker (rows, grouped by gender: the coloured strip) in every fold (columns):
# purple = test, orange = validation, grey = training. Each row has exactly one purple cell:
# each speaker is tested once, by a model that never heard them.
# ```

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

# %% [markdown]
# ## Exercises
#
# :::{exercise}
# :label: ex-02-seed
# The folds are a pure function of the manifest and the seed. Rerun this chapter in
# {term}`smoke mode` with another seed, e.g.
# `papermill notebooks/02_data.ipynb /tmp/out.ipynb --cwd notebooks -p smoke True -p seed 1`
# (or set `smoke = True` and `seed = 1` in the parameters cell). What changes in the fold
# figure, and what never changes?
# :::
#
# :::{solution} ex-02-seed
# :class: dropdown
# Which speakers fall into which test fold (and which are drawn for validation) changes with
# the seed. What never changes: each speaker is tested exactly once, no speaker is ever in
# two parts of a fold (the guard `check_speaker_disjoint` would raise), and the folds stay
# balanced by gender. The same seed always gives the same folds, byte for byte, in the saved
# JSON file.
# :::
#
# :::{exercise}
# :label: ex-02-gap
# The sanity baseline is trained twice: on held-out speakers and on a speaker-mixed split.
# Why is the speaker-mixed figure higher, and what would it mean if the two were equal?
# :::
#
# :::{solution} ex-02-gap
# :class: dropdown
# In the speaker-mixed split the same voices appear in training and test, so the model can
# partly recognise *who* speaks and how that person acts each emotion, not the emotion alone.
# Equal figures would mean that knowing the speaker does not help, i.e. the corpus carries no
# speaker-specific way of acting, which is not how people (or this generator's acting styles)
# behave. The gap is the reason the paper evaluates {term}`leave-speaker-out`.
# :::
#
# :::{exercise}
# :label: ex-02-listen
# Listen to the emotion gallery with the rules table (on the synthetic corpus) beside you.
# Which two emotions do you expect a model to confuse most, and why?
# :::
#
# :::{solution} ex-02-listen
# :class: dropdown
# Look for pairs whose rows point the same way: emotions that both raise (or both lower) pitch,
# rate and level differ mainly in voice quality, which survives less well in short clips. The
# confusion matrices of {doc}`06_results` show which pairs the models actually confuse; compare
# them with your guess. On a real corpus, the acted emotions have no written rules, but the same
# reasoning applies to what you hear.
# :::
