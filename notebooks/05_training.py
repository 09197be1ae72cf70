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
# Every system is trained once per fold: on the fold's training speakers, with early
# stopping on its *validation speakers* (never seen in training), and tested on the fold's
# *test speakers* (never seen at all). The grid here is the paper's proposed model, its two
# ablations and the baseline on the same Whisper weights ({glue:text}`whisper_system`), over
# all folds. The runner writes one tidy
# results table, the per-utterance predictions, the learning curves and the test
# embeddings; it skips system-fold pairs already finished, so an interrupted run resumes.

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
corpora = None  # more corpora to train as well, e.g. [crema-d, ravdess]; None: corpus alone

# %%
import pandas as pd
import seaborn as sns
from myst_nb import glue

from camulenet import book, pipeline
from camulenet.environment import describe_device
from camulenet.results_table import style_corpora

cfg = book.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                    fold_protocol=fold_protocol, corpora=corpora)
display(book.banner(cfg))
glue("whisper_system", book.whisper_label(cfg), display=False)
manifest = pipeline.ensure_corpus(cfg)
folds = pipeline.ensure_folds(cfg, manifest)
features = pipeline.ensure_features(cfg, manifest)
print(describe_device())

# %% [markdown]
# Training uses AdamW and a weighted sum of the emotion and gender cross-entropies. The
# released code adds a constant 0.2 to that sum; a constant has no gradient, so it changes
# the printed loss and nothing else, and it is left out here. On a GPU the same code runs
# with mixed precision. The schedule of this build's profile ({glue:text}`sched_name`; the
# released one, 10 epochs at learning rate 5e-5 keeping the last epoch, is
# `TrainConfig.paper()` and the `paper` profile's):

# %%
schedule = pipeline.train_config(cfg)
glue("sched_name", cfg.schedule, display=False)
glue("sched_selection", pipeline.selection_text(schedule), display=False)
pd.Series({k: schedule.to_dict()[k] for k in ("epochs", "batch_size", "lr", "weight_decay", "emotion_weight",
                                               "gender_weight", "loss_constant", "monitor", "patience", "grad_clip")},
          dtype=object).to_frame("value")

# %%
run = pipeline.ensure_results(cfg, manifest, folds, features)
glue("grid_minutes", f"{run.seconds / 60:.1f}", display=False)
glue("grid_runs", len(run.results.groupby(["system", "fold"])), display=False)
glue("grid_device", ", ".join(sorted(set(run.fold_info["device"].dropna()))) or "this machine", display=False)
run.throughput

# %% [markdown]
# The {glue:text}`grid_runs` system-fold runs took {glue:text}`grid_minutes` minutes of
# training on {glue:text}`grid_device` (the table gives samples per second and peak memory
# per system).
#
# ## Learning curves
#
# Validation accuracy and emotion loss per epoch, one line per fold.
# {glue:text}`sched_selection`

# %%
hist = run.history
grid = sns.relplot(data=hist, x="epoch", y="val_wa", hue="fold", col="system", col_wrap=2,
                   kind="line", palette="viridis", height=2.8, aspect=1.4, legend=False)
_ = grid.set_titles("{col_name}").set_axis_labels("epoch", "validation accuracy (unseen speakers)")

# %% [markdown]
# The emotion part of the loss (the gender term is absent from the systems without
# multitask learning, so the total would not compare across systems): training clips
# (dashed) against validation speakers (solid).

# %%
losses = hist.melt(id_vars=["system", "fold", "epoch"], value_vars=["train_emotion_loss", "val_emotion_loss"],
                   var_name="split", value_name="emotion loss")
losses["split"] = losses["split"].map({"train_emotion_loss": "train", "val_emotion_loss": "validation"})
grid = sns.relplot(data=losses, x="epoch", y="emotion loss", hue="fold", style="split", units="fold",
                   estimator=None, col="system", col_wrap=2, kind="line", palette="viridis",
                   style_order=["validation", "train"], height=2.8, aspect=1.4, legend=False)
_ = grid.set_titles("{col_name}")

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

# %%
others = [name for name in cfg.corpora if name != cfg.corpus]
glue("other_corpora", ", ".join(others) or "no other corpus", display=False)
for name in others:
    other = book.for_corpus(cfg, name)
    other_manifest = pipeline.ensure_corpus(other)
    other_folds = pipeline.ensure_folds(other, other_manifest)
    pipeline.ensure_results(other, other_manifest, other_folds, pipeline.ensure_features(other, other_manifest))
found, skipped = pipeline.finished_corpora(cfg)
style_corpora(pipeline.corpora_table(found, skipped))
