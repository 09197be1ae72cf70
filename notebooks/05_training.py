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
# # Training under leave-speaker-out cross-validation
#
# Every system is trained once per {term}`fold`: on the fold's training speakers, with early
# stopping on its *validation speakers* (never seen in training), and tested on the fold's
# *test speakers* (never seen at all), the {term}`leave-speaker-out` protocol of
# {cite:t}`goel2024camulenet`. The grid here is the paper's proposed model, its two
# ablations and the baseline on the same Whisper weights ({glue:text}`whisper_system`,
# {cite:p}`radford2023whisper`), over all folds. The runner writes one tidy
# results table, the per-utterance predictions, the learning curves and the test
# embeddings; it skips system-fold pairs already finished, so an interrupted run resumes.
#
# :::{admonition} In this chapter
# :class: tip
# **You will learn**
# - how the grid of systems x folds is trained, and how a finished grid is reused;
# - what the training schedule keeps and when it stops;
# - how to read learning curves fold by fold, training against validation.
#
# **You need** {doc}`03_features` (the feature store) and {doc}`04_model` (the model and its
# ablations); the terms {term}`fold`, {term}`multitask learning` and {term}`smoke mode`.
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
# more corpora to train too, e.g. ["crema-d", "ravdess"]; None: corpus alone
corpora = None

# %% tags=["remove-output"]
import camulenet  # first: pins the numeric libraries' CPU code paths (camulenet.storage.numerics)
import pandas as pd
from IPython.display import Markdown
from myst_nb import glue

from camulenet import config, pipeline
from camulenet.book.banner import banner
from camulenet.book.captions import captioned, settings_caption
from camulenet.book.environment import describe_device
from camulenet.book.tables import corpora_table, style_corpora
from camulenet.book.training_log import captured_output, fold_log_summary, selection_text, style_fold_log
from camulenet.plots.training import plot_emotion_loss, plot_validation_accuracy

cfg = config.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                      fold_protocol=fold_protocol, corpora=corpora)
glue("whisper_system", config.whisper_label(cfg), display=False)
with captured_output():  # progress bars of cached steps
    manifest = pipeline.ensure_corpus(cfg)
    folds = pipeline.ensure_folds(cfg, manifest)
    features = pipeline.ensure_features(cfg, manifest, progress=False)

# %% tags=["remove-input"]
display(banner(cfg))
print(describe_device())

# %% [markdown]
# Training uses AdamW and a weighted sum of the emotion and gender cross-entropies. The
# released code adds a constant 0.2 to that sum; a constant has no gradient, so it changes
# the printed loss and nothing else, and it is left out here. On a GPU the same code runs
# with mixed precision. The schedule of this build's profile ({glue:text}`sched_name`; the
# released one, 10 epochs at learning rate 5e-5 keeping the last epoch, is
# `TrainConfig.paper()` and the `paper` profile's):

# %% tags=["remove-cell"]
schedule = pipeline.train_config(cfg)
glue("sched_name", cfg.schedule, display=False)

# %%
pd.Series({k: schedule.to_dict()[k] for k in ("epochs", "batch_size", "lr", "weight_decay", "emotion_weight",
                                               "gender_weight", "loss_constant", "monitor", "patience", "grad_clip")},
          dtype=object).to_frame("value")

# %% [markdown]
# The grid trains every system on every fold, or reads the folds already finished. Its
# progress log (one line per system and fold) is kept off the page; the table below
# summarises it per system: the folds, the epochs run and the epoch kept (mean, with the
# range over folds, counted from 1), minutes per fold and in all, training samples per
# second, the peak memory of the process and the parameters.

# %% tags=["remove-cell"]
with captured_output() as training_log:
    run = pipeline.ensure_results(cfg, manifest, folds, features)
glue("grid_minutes", f"{run.seconds / 60:.1f}", display=False)
glue("grid_runs", len(run.results.groupby(["system", "fold"])), display=False)
glue("grid_device", ", ".join(sorted(set(run.fold_info["device"].dropna()))) or "this machine", display=False)

# %%
captioned(style_fold_log(fold_log_summary(run.fold_info)), settings_caption(cfg))

# %% [markdown]
# The {glue:text}`grid_runs` system-fold runs took {glue:text}`grid_minutes` minutes of
# training on {glue:text}`grid_device`. The {doc}`10_appendix` compares the throughput of
# one process with one worker per core.
#
# ## Learning curves
#
# Validation accuracy per epoch, one line per fold (the colours of the key).

# %% tags=["remove-input"]
Markdown(selection_text(schedule))

# %% tags=["remove-output"]
fig = plot_validation_accuracy(run.history)
glue("fig_val_acc", fig, display=False)

# %% [markdown]
# ```{glue:figure} fig_val_acc
# :name: fig-05-val-acc
#
# Accuracy on each fold's validation speakers after every epoch; one panel per system, one
# colour per fold.
# ```
#
# The emotion part of the loss (the gender term is absent from the systems without
# {term}`multitask learning`, so the total would not compare across systems): training clips
# (dashed) against validation speakers (solid). A validation curve that rises while its
# training curve falls is a fold that overfits its training speakers.

# %% tags=["remove-output"]
fig = plot_emotion_loss(run.history)
glue("fig_emotion_loss", fig, display=False)

# %% [markdown]
# ```{glue:figure} fig_emotion_loss
# :name: fig-05-emotion-loss
#
# Emotion cross-entropy per epoch: training clips dashed, validation speakers solid, one
# colour per fold.
# ```

# %% [markdown]
# ## Every corpus of this build
#
# Chapter 6 sets the results of every corpus of this build beside the paper's Table 1:
# the corpora of the `corpora` parameter and, whenever its grid has finished, the book's
# synthetic corpus. Besides the corpus above, this build trains on
# {glue:text}`other_corpora`, with the same profile, fold protocol and seed, into the
# same keyed folders that `python -m camulenet grid` fills (a grid that command finished
# is not trained again). The table gives what each corpus has; a corpus without results
# names what makes them.

# %% tags=["remove-cell"]
others = [name for name in cfg.corpora if name != cfg.corpus]
glue("other_corpora", ", ".join(others) or "no other corpus", display=False)
with captured_output():
    for name in others:
        other = config.for_corpus(cfg, name)
        other_manifest = pipeline.ensure_corpus(other)
        other_folds = pipeline.ensure_folds(other, other_manifest)
        pipeline.ensure_results(other, other_manifest, other_folds,
                                pipeline.ensure_features(other, other_manifest, progress=False))
found, skipped = pipeline.finished_corpora(cfg)

# %%
style_corpora(corpora_table(found, skipped))

# %% [markdown]
# ## Exercises
#
# :::{exercise}
# :label: ex-05-seed
# Rerun this chapter in {term}`smoke mode` with another seed, from the repository root:
#
# ```bash
# papermill notebooks/05_training.ipynb /tmp/05_seed1.ipynb --cwd notebooks \
#     -p smoke True -p seed 1
# ```
#
# (or set `smoke = True` and `seed = 1` in the parameters cell). Which parts of the
# summary table and the learning curves change, and which do not? Does the new seed train
# again or reuse the grid of seed 0?
# :::
#
# :::{solution} ex-05-seed
# :class: dropdown
# The seed is part of the key of the run folder, so seed 1 trains a grid of its own (the
# smoke grid takes a minute or two) and leaves seed 0's untouched. The folds, the
# parameters and the schedule stay the same; the initial weights and the order of the
# batches change, so the epochs kept, the curves and the scores move. How far they move
# is the seed-to-seed spread, to set beside the fold-to-fold spread of {doc}`06_results`.
# :::
#
# :::{exercise}
# :label: ex-05-overfit
# In the emotion-loss figure, look for a fold whose validation loss rises while its training
# loss keeps falling. Which epoch does the schedule keep for that fold, and why does that
# protect the test score?
# :::
#
# :::{solution} ex-05-overfit
# :class: dropdown
# The schedule keeps the weights of the epoch with the best validation score (see the
# sentence under *Learning curves*), not those of the last epoch, so the rising part of the
# validation curve never reaches the test speakers. The *best epoch* column of the summary
# table shows how early that epoch comes on average; with early stopping the fold also
# ends a few epochs after it.
# :::
#
# :::{exercise}
# :label: ex-05-schedule
# The `paper` profile uses the released schedule (10 epochs at learning rate 5e-5, keeping
# the last epoch). What would you expect of the learning curves if the compact model were
# trained with it, and which line of the summary table would tell you?
# :::
#
# :::{solution} ex-05-schedule
# :class: dropdown
# Keeping the last epoch means no early stopping: every fold runs all epochs (the
# *epochs* column shows one number), and the kept epoch is the last whatever the
# validation curve does. With a much smaller learning rate the curves fall more slowly,
# so after 10 epochs the compact model is likely to be less trained than with its own
# schedule. `TrainConfig.paper()` in `camulenet.training` is that schedule.
# :::
