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
# The paper {cite:p}`goel2024camulenet` credits {term}`co-attention` {cite:p}`lu2016coattention`
# and {term}`multitask learning` {cite:p}`caruana1997multitask` for its results on unseen
# speakers. Its own review leaves open checks that this chapter makes, on the same folds,
# seeds and schedule as {doc}`05_training`:
#
# 1. does co-attention beat plainer ways to fuse the branches?
# 2. does the model carry across languages, and across corpora?
# 3. is an unseen speaker harder when no training speaker sounds like them?
# 4. how does the classic remedy for unseen speakers, per-speaker normalisation, compare?
# 5. are the predicted probabilities calibrated, and does temperature scaling fix them?
#
# :::{admonition} In this chapter
# :class: tip
# **You will learn**
# - whether co-attention beats plainer fusions, tested with the {term}`corrected resampled t-test`
#   and the {term}`Holm correction`;
# - what {term}`leave-one-language-out` evaluation and a voice's distance from the training
#   speakers cost a model;
# - how a {term}`transductive` remedy, per-speaker normalisation, compares;
# - to measure calibration with the {term}`ECE`, and to check whether {term}`temperature scaling`,
#   fitted on other speakers, fixes it for the test speakers.
#
# **You need** {doc}`05_training` (the folds and systems) and {doc}`08_statistics` (the
# corrected test, Holm's correction and {term}`Hedges' g`).
# :::
#
# Every comparison uses the corrected resampled t-test {cite:p}`nadeau2003inference`: folds
# of one cross-validation share most of their training speakers, so the plain paired
# t-interval over folds is too narrow. When one system is compared with several, Holm's
# correction {cite:p}`holm1979` keeps the chance of any false claim at 5%.

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
# more corpora for the cross-corpus section, e.g. ["crema-d", "ravdess"]
corpora = None

# %% tags=["remove-cell"]
import camulenet  # first: pins the numeric libraries' CPU code paths (camulenet.storage.numerics)
import pandas as pd
from IPython.display import Markdown
from myst_nb import glue

from camulenet import config, pipeline
from camulenet.book import claims
from camulenet.book.banner import banner
from camulenet.book.captions import captioned, settings_caption
from camulenet.book.corpus_text import is_synthetic
from camulenet.book.tables import calibration_view, comparison_view, remedy_view
from camulenet.book.verdicts import calibration_text, remedy_text, similarity_text, survivors_text, transfer_text
from camulenet.evaluation.cv_stats import comparison_table, fold_sizes
from camulenet.experiments import beyond
from camulenet.training.runner import BEYOND_SYSTEMS

claims.chapter("09_beyond")
cfg = config.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                      fold_protocol=fold_protocol, corpora=corpora)
manifest = pipeline.ensure_corpus(cfg)
folds = pipeline.ensure_folds(cfg, manifest)
features = pipeline.ensure_features(cfg, manifest, progress=False)
readable, fold_lists, _ = pipeline.with_features(manifest, folds, features)
n_train, n_test = fold_sizes(folds)
whisper_system = config.whisper_label(cfg)
glue("config", settings_caption(cfg), display=False)

# %% tags=["remove-input"]
display(banner(cfg))

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
from camulenet.evaluation.results_table import results_like_table1

captioned(results_like_table1(pipeline.wide_results(fusion_long)), cfg)

# %%
fusion_tests = comparison_table(fusion_long, "CAMuLeNet", "wa", n_train, n_test, seed=cfg.seed)
captioned(comparison_view(fusion_tests), cfg)

# %% tags=["remove-cell"]
glue("fusion_verdict", Markdown(survivors_text(fusion_tests, "CAMuLeNet", about=cfg.corpus)), display=False)

# %% [markdown]
# Differences are each system's accuracy minus CAMuLeNet's, in points; the plain interval
# is the usual paired t-interval over folds, the corrected one widens it for the training
# speakers that folds share; {term}`Hedges' g` {cite:p}`hedges1981` is the standardised mean
# difference over folds with a bootstrap interval. {glue:md}`fusion_verdict`
#
# ## Across languages and corpora
#
# {term}`Leave-speaker-out <leave-speaker-out>` folds keep a test speaker's language in
# training (other speakers of it). {term}`Leave-one-language-out <leave-one-language-out>`
# asks more: train on the other languages' speakers, test on every speaker of the held-out one.

# %%
from camulenet.experiments import transfer_runs

try:
    lolo = transfer_runs.ensure_lolo(cfg, manifest, features, progress=False)
    lolo_reason = ""
except ValueError as err:  # e.g. a corpus in one language
    lolo, lolo_reason = None, str(err)
if lolo is not None:
    display(captioned(lolo.wide, cfg))

# %%
if lolo is not None:
    from camulenet.plots.beyond import plot_transfer

    within = transfer_runs.within_language(book_run.predictions, readable)
    compare = beyond.transfer_comparison(lolo.table.rename(columns={"wa": "accuracy"}),
                                         within.rename(columns={"wa": "accuracy"}))
    fig = plot_transfer(compare)

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt

glue("lolo_text", Markdown(transfer_text(compare) if lolo is not None else
                          f"This section needs several languages: {lolo_reason}."), display=False)

# %% [markdown]
# {glue:md}`lolo_text`
#
# Across corpora, with two or more corpora in the book (`scripts/build_book.py --corpus a b`),
# each trains on all speakers of one corpus and tests on all of another, emotions mapped to
# the labels both share:

# %%
cross = transfer_runs.cross_corpus_table(cfg, progress=False)
captioned(cross.table, [config.for_corpus(cfg, c) for c in cfg.corpora]) if len(cross.table) else None

# %% tags=["remove-cell"]
glue("cross_reason", Markdown(cross.reason or "Each row trains on one corpus and tests on all of another."),
     display=False)

# %% [markdown]
# {glue:md}`cross_reason`
#
# ## Is a speaker harder when nobody like them was in training?
#
# Each test speaker is placed in a speaker space: the mean, over the speaker's clips (all
# emotions), of the time-pooled Whisper frames. Their cosine distance to the nearest
# *training* speaker of their fold says how familiar their voice is to the model. A negative
# rank correlation (Spearman's rho) means the farther a voice, the lower the accuracy.

# %% tags=["remove-output"]
from camulenet.plots.beyond import plot_similarity

sim_preds = beyond_run.predictions[beyond_run.predictions.system.isin(["CAMuLeNet"])]
sim_preds = pd.concat([sim_preds, book_run.predictions[book_run.predictions.system == whisper_system]])
per_speaker, correlations = beyond.similarity_by_speaker(sim_preds, readable, folds, features)
fig = plot_similarity(per_speaker, correlations)

# %% tags=["remove-cell"]
glue("similarity_text", Markdown(similarity_text(correlations)), display=False)
glue("fig_similarity", fig, display=False)
plt.close(fig)

# %%
captioned(correlations.set_index("system"), cfg)

# %% [markdown]
# ```{glue:figure} fig_similarity
# :name: fig-similarity
#
# Each test speaker's accuracy against the cosine distance of their voice to the nearest
# training speaker of their fold, one panel per system. Made by {glue:text}`config`.
# ```
#
# {glue:md}`similarity_text` The correlation is descriptive: speakers of one fold share a
# model, so its p-value is indicative only.
#
# ## Per-speaker normalisation
#
# The classic remedy for unseen speakers standardises every input per speaker, removing
# what is constant about a voice. For a test speaker that needs their own clips (unlabelled):
# the method is {term}`transductive`, it assumes a batch of the new speaker's speech before
# predicting. Here it is applied to CAMuLeNet's frames and to the MFCC-statistics
# {term}`yardstick`, and set beside what co-attention and multitask learning add.

# %%
reference = pipeline.reference_results(cfg, manifest, folds)
normalised_reference = beyond.normalised_reference(cfg, manifest, folds)
norm_long = pd.concat([beyond_run.results_long[beyond_run.results_long.system.isin(["CAMuLeNet", norm_system])],
                       book_run.results_long[book_run.results_long.system != "CAMuLeNet"], reference,
                       normalised_reference], ignore_index=True)
effects = beyond.remedy_effects(norm_long, norm_system, n_train, n_test, seed=cfg.seed)
captioned(remedy_view(effects), cfg)

# %% tags=["remove-cell"]
glue("norm_text", Markdown(remedy_text(effects)), display=False)

# %% [markdown]
# Each row is one change and its effect on accuracy (points, mean over folds, with the
# corrected 95% interval): speaker normalisation compares each system with its normalised
# twin, multitask learning compares CAMuLeNet with CAMuLeNet without the gender task, and
# co-attention compares that with the system that also lacks co-attention. {glue:md}`norm_text`
#
# ## Calibration
#
# A model's top-class probability should match how often it is right. The expected
# calibration error ({term}`ECE`) {cite:p}`naeini2015ece` is the gap between the two,
# averaged over bins of confidence. {term}`Temperature scaling <temperature scaling>`
# {cite:p}`guo2017calibration` divides the log-probabilities by one number T per fold, fitted on that
# fold's *validation* speakers and applied to its test speakers: it never changes a
# prediction, only how sure the model says it is. T is chosen to minimise the {term}`NLL`
# (negative log-likelihood): the mean, over clips, of $-\log p$, where $p$ is the probability
# the model gave the clip's true emotion; lower is better, and a confident mistake costs most.
# The table gives ECE and NLL before and after scaling, and the median T over the folds.

# %% tags=["remove-output"]
from camulenet.plots.calibration import plot_reliability
from camulenet.training.runner import load_val_predictions

val = load_val_predictions(beyond_run.out_dir)
test_preds = pd.concat([book_run.predictions, beyond_run.predictions[beyond_run.predictions.system != "CAMuLeNet"]])
calibration = beyond.calibration_table(test_preds, val)
raw, scaled = beyond.calibrated_probs(test_preds, val)
fig = plot_reliability(raw, scaled=scaled, max_cols=2)

# %% tags=["remove-cell"]
glue("calibration_text", Markdown(calibration_text(calibration)), display=False)
glue("fig_reliability", fig, display=False)
plt.close(fig)

# %%
captioned(calibration_view(calibration), cfg)

# %% [markdown]
# ```{glue:figure} fig_reliability
# :name: fig-reliability
#
# Reliability of the test predictions of every fold, one panel per system: for each bin of
# confidence, accuracy minus confidence (0 is perfect calibration; below 0 the model is more
# sure than it is right), before (red) and after (blue) temperature scaling with one
# temperature per fold fitted on its validation speakers; marker area: the bin's clips. Each
# title gives the system's ECE before → after. Made by {glue:text}`config`.
# ```
#
# {glue:md}`calibration_text`
#
# ## What transfers from this corpus
#
# {glue:md}`transfer_note`

# %% tags=["remove-cell"]
glue("transfer_note", Markdown("The voices of the embedded corpus are synthetic: its speakers differ by a few "
     "generator parameters and its emotions by prosody rules, so the answers above describe that generator. "
     "Which fusion wins, how much a language or a voice's distance costs, and how miscalibrated the models "
     "are, are questions to ask again of a real corpus: run this chapter with its corpus parameter."
     if is_synthetic(manifest) else
     f"These results are measured on {cfg.corpus}; the synthetic corpus's chapter gives a second, "
     "independent reading of the same questions."), display=False)

# %% [markdown]
# ## Exercises
#
# :::{exercise}
# :label: ex-09-seed
# Rerun this chapter in {term}`smoke mode` with another seed:
# `papermill notebooks/09_beyond.ipynb /tmp/beyond-smoke.ipynb --cwd notebooks -p smoke True -p seed 1`
# (or set `smoke = True` and `seed = 1` in the parameters cell). Compare the fusion table and
# its verdict with this page. What do the corrected intervals tell you about how far to trust
# the ranking of the fusions in a smoke run?
# :::
#
# :::{solution} ex-09-seed
# :class: dropdown
# The means move with the seed, and the ranking of the fusions may change. Look at the
# corrected 95% intervals: with two folds and one or two epochs they are very wide and
# usually contain zero, and the verdict under the table says which differences survive Holm's
# correction. A ranking whose intervals overlap zero is not evidence for either fusion; only
# the full run, with all folds, can separate them, and even then only where the verdict says so.
# :::
#
# :::{exercise}
# :label: ex-09-temperature
# Temperature scaling changes the ECE of a system but never its accuracy. Why? And why is
# the temperature fitted on the validation speakers rather than on the test speakers?
# :::
#
# :::{solution} ex-09-temperature
# :class: dropdown
# Dividing all log-probabilities of a clip by the same positive T keeps their order, so the
# top class, and with it every prediction, stays the same; only the probabilities become
# flatter (T > 1) or sharper (T < 1). Fitting T on the test speakers would use their labels
# to tune the model: the "after" ECE would then flatter the method. Validation speakers are
# unseen by the training, like the test speakers, and their labels may be used.
# :::
#
# :::{exercise}
# :label: ex-09-transductive
# Per-speaker normalisation is transductive. What would a deployed system need before it
# could classify the first clip of a new caller, and how could the book measure the cost of
# having only a few of their clips?
# :::
#
# :::{solution} ex-09-transductive
# :class: dropdown
# It needs a batch of the new speaker's speech (unlabelled) to estimate their mean and spread;
# with a single clip, the normalisation would remove the clip's own emotion along with the
# voice. To measure the cost, estimate each test speaker's statistics from only k of their
# clips (k = 1, 2, 5, ...) and plot accuracy against k: the gap to the full-data normalisation
# is the price of a short history.
# :::
