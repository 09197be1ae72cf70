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
# # Beyond the paper: what carries emotion to unseen speakers and languages
#
# The paper credits co-attention and multitask learning for its results on unseen speakers.
# Its own review leaves open checks that this chapter makes, on the same folds, seeds and
# schedule as chapter 5:
#
# 1. does co-attention beat plainer ways to fuse the branches?
# 2. does the model carry across languages, and across corpora?
# 3. is an unseen speaker harder when no training speaker sounds like them?
# 4. how does the classic remedy for unseen speakers, per-speaker normalisation, compare?
# 5. are the predicted probabilities calibrated, and does temperature scaling fix them?
#
# Every comparison uses the corrected resampled t-test (Nadeau and Bengio, 2003): folds of
# one cross-validation share most of their training speakers, so the plain paired t-interval
# over folds is too narrow. When one system is compared with several, Holm's correction
# keeps the chance of any false claim at 5%.

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
corpora = None  # more corpora for the cross-corpus section, e.g. crema-d and ravdess

# %% tags=["remove-cell"]
import numpy as np
import pandas as pd
from myst_nb import glue

from camulenet import beyond, book, pipeline
from camulenet.corpus_text import is_synthetic
from camulenet.evaluation.cv_stats import comparison_table, fold_sizes
from camulenet.runner import BEYOND_SYSTEMS

cfg = book.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                    fold_protocol=fold_protocol, corpora=corpora)
manifest = pipeline.ensure_corpus(cfg)
folds = pipeline.ensure_folds(cfg, manifest)
features = pipeline.ensure_features(cfg, manifest, progress=False)
readable, fold_lists, _ = pipeline.with_features(manifest, folds, features)
n_train, n_test = fold_sizes(folds)
whisper_system = book.whisper_label(cfg)

# %%
display(book.banner(cfg))

# %% [markdown]
# ## Which fusion?
#
# CAMuLeNet fuses its three branches by co-attention: the spectrogram and MFCC vectors score
# each Whisper frame (the released code keeps the scores' ReLU, not a softmax) and the
# weighted frames join the two vectors. Three alternatives, trained on the same folds with
# the same seeds and schedule:
#
# - **concatenation**: the three branch vectors, with the Whisper frames mean-pooled, side by
#   side into the same multitask head;
# - **softmax co-attention**: the weights normalised by a softmax over each clip's frames;
# - **Whisper attention pooling**: Whisper frames alone, pooled by a learned attention score,
#   into an emotion head (no spectrogram, no MFCC, no gender task).

# %%
fusion_systems = [s for s in BEYOND_SYSTEMS if "speaker normalisation" not in s]
norm_system = next(s for s in BEYOND_SYSTEMS if "speaker normalisation" in s)
beyond_run = pipeline.ensure_results(cfg, manifest, folds, features, systems=["CAMuLeNet", *fusion_systems, norm_system])
book_run = pipeline.load_run(cfg, manifest)
fusion_long = beyond_run.results_long[beyond_run.results_long.system.isin(["CAMuLeNet", *fusion_systems])]
from camulenet.results_table import results_like_table1

results_like_table1(pipeline.wide_results(fusion_long))

# %%
fusion_tests = comparison_table(fusion_long, "CAMuLeNet", "wa", n_train, n_test, seed=cfg.seed)
glue("fusion_verdict", beyond.survivors_text(fusion_tests, "CAMuLeNet"), display=False)
beyond.comparison_view(fusion_tests)

# %% [markdown]
# Differences are each system's accuracy minus CAMuLeNet's, in points; the plain interval
# is the usual paired t-interval over folds, the corrected one widens it for the training
# speakers that folds share; Hedges' g is the standardised mean difference over folds with
# a bootstrap interval. {glue:text}`fusion_verdict`
#
# ## Across languages and corpora
#
# Leave-speaker-out folds keep a test speaker's language in training (other speakers of it).
# Leaving a whole language out asks more: train on the other languages' speakers, test on
# every speaker of the held-out one.

# %%
from camulenet import transfer_runs

try:
    lolo = transfer_runs.ensure_lolo(cfg, manifest, features, progress=False)
    lolo_reason = ""
except ValueError as err:  # e.g. a corpus in one language
    lolo, lolo_reason = None, str(err)
if lolo is not None:
    display(lolo.wide.round(3))

# %%
if lolo is not None:
    from camulenet.plots.beyond import plot_transfer

    within = transfer_runs.within_language(book_run.predictions, readable)
    compare = beyond.transfer_comparison(lolo.table.rename(columns={"wa": "accuracy"}),
                                         within.rename(columns={"wa": "accuracy"}))
    fig = plot_transfer(compare)
    glue("lolo_text", beyond.transfer_text(compare), display=False)
else:
    glue("lolo_text", f"This section needs several languages: {lolo_reason}.", display=False)

# %% [markdown]
# {glue:text}`lolo_text`
#
# Across corpora, with two or more corpora in the book (`scripts/build_book.py --corpus a b`),
# each trains on all speakers of one corpus and tests on all of another, emotions mapped to
# the labels both share:

# %%
cross = transfer_runs.cross_corpus_table(cfg, progress=False)
glue("cross_reason", cross.reason or "Each row trains on one corpus and tests on all of another.", display=False)
cross.table.round(3) if len(cross.table) else None

# %% [markdown]
# {glue:text}`cross_reason`
#
# ## Is a speaker harder when nobody like them was in training?
#
# Each test speaker is placed in a speaker space: the mean, over the speaker's clips (all
# emotions), of the time-pooled Whisper frames. Their cosine distance to the nearest
# *training* speaker of their fold says how familiar their voice is to the model. A negative
# rank correlation (Spearman's rho) means the farther a voice, the lower the accuracy.

# %%
from camulenet.plots.beyond import plot_similarity

sim_preds = beyond_run.predictions[beyond_run.predictions.system.isin(["CAMuLeNet"])]
sim_preds = pd.concat([sim_preds, book_run.predictions[book_run.predictions.system == whisper_system]])
per_speaker, correlations = beyond.speaker_similarity(sim_preds, readable, folds, features)
fig = plot_similarity(per_speaker, correlations)
glue("similarity_text", beyond.similarity_text(correlations), display=False)
correlations.set_index("system").round(3)

# %% [markdown]
# {glue:text}`similarity_text` The correlation is descriptive: speakers of one fold share a
# model, so its p-value is indicative only.
#
# ## Per-speaker normalisation
#
# The classic remedy for unseen speakers standardises every input per speaker, removing
# what is constant about a voice. For a test speaker that needs their own clips (unlabelled):
# the method is **transductive**, it assumes a batch of the new speaker's speech before
# predicting. Here it is applied to CAMuLeNet's frames and to the MFCC-statistics yardstick,
# and set beside what co-attention and multitask learning add.

# %%
reference = pipeline.reference_results(cfg, manifest, folds)
normalised_reference = beyond.normalised_reference(cfg, manifest, folds)
norm_long = pd.concat([beyond_run.results_long[beyond_run.results_long.system.isin(["CAMuLeNet", norm_system])],
                       book_run.results_long[book_run.results_long.system != "CAMuLeNet"], reference,
                       normalised_reference], ignore_index=True)
effects = beyond.remedy_effects(norm_long, norm_system, n_train, n_test, seed=cfg.seed)
glue("norm_text", beyond.remedy_text(effects), display=False)
effects

# %% [markdown]
# Each row is one change and its effect on accuracy (points, mean over folds, with the
# corrected 95% interval). {glue:text}`norm_text`
#
# ## Calibration
#
# A model's top-class probability should match how often it is right. The expected
# calibration error (ECE) is the gap between the two, averaged over bins of confidence.
# Temperature scaling divides the log-probabilities by one number T per fold, fitted on that
# fold's *validation* speakers and applied to its test speakers: it never changes a
# prediction, only how sure the model says it is.

# %%
from camulenet.plots.calibration import plot_reliability
from camulenet.runner import load_val_predictions

val = load_val_predictions(beyond_run.out_dir)
test_preds = pd.concat([book_run.predictions, beyond_run.predictions[beyond_run.predictions.system != "CAMuLeNet"]])
calibration = beyond.calibration_table(test_preds, val)
raw, scaled = beyond.calibrated_probs(test_preds, val)
fig = plot_reliability(raw, scaled=scaled, max_cols=2)
glue("calibration_text", beyond.calibration_text(calibration), display=False)
calibration.set_index("system").round(3)

# %% [markdown]
# {glue:text}`calibration_text`
#
# ## What transfers from this corpus
#
# {glue:text}`transfer_note`

# %%
glue("transfer_note", "The voices of the embedded corpus are synthetic: its speakers differ by a few "
     "generator parameters and its emotions by prosody rules, so the answers above describe that generator. "
     "Which fusion wins, how much a language or a voice's distance costs, and how miscalibrated the models "
     "are, are questions to ask again of a real corpus: run this chapter with its corpus parameter."
     if is_synthetic(manifest) else
     f"These results are measured on {cfg.corpus}; the synthetic corpus's chapter gives a second, "
     "independent reading of the same questions.", display=False)
