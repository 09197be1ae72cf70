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
# # Appendix: deviations, environment and run times
#
# What a reader needs to trust, or rebuild, the numbers of this book: where this edition
# departs from the paper's released code, which code and machine made the pages, the
# settings, and how long each chapter took.
#
# :::{admonition} What is here
# :class: tip
# - **Deviations** from the released code of the paper {cite:p}`goel2024camulenet`, each with its reason;
# - **Provenance**: the commit and package version that built this book, and the machine and libraries;
# - **Settings and seeds**: every setting of this build, and what one seed fixes;
# - **Run times** of each chapter, and a benchmark of the training executors.
#
# To rebuild a page, check out the commit named below and execute the notebooks with
# papermill {cite:p}`papermill`, as `scripts/build_book.py` does; the book itself is built by
# Jupyter Book {cite:p}`jupyterbook`.
# :::
#
# ## Deviations from the released code, and why
#
# The paper's released code has defects that a reproduction should not inherit, and a few
# of its choices cannot run on a laptop CPU. Each deviation below is deliberate; the
# `paper` profile keeps the released values where they are only slow.

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
# the corpora of chapters 5, 6 and 8, e.g. ["crema-d"]; None: corpus alone
corpora = None

# %% tags=["remove-input"]
import pandas as pd
from IPython.display import Markdown

from camulenet import config
from camulenet.book.captions import settings_caption
from camulenet.book.deviations import as_markdown

Markdown(as_markdown())

# %% [markdown]
# ## Provenance: code, environment and hardware
#
# The code that built this book: the commit of its repository (short; "with uncommitted
# changes" when the working tree differed from it, "not a git checkout" for an installed
# package) and the version of the `camulenet` package.

# %%
from camulenet.book.environment import environment_table, provenance_table, settings_table

provenance_table()

# %% [markdown]
# The machine and library versions that executed it:

# %%
environment_table()

# %% [markdown]
# ## Seeds
#
# The settings that made this build (its profile's choices spelled out; every cached
# artefact lives under a key of the settings it depends on), in one line and field by field. One seed (the `seed`
# parameter of every notebook) determines the synthetic corpus, the folds, weight initialisation, data
# order and dropout. On the CPU, the same
# seed gives the same folds and the same numbers bit for bit; on a GPU, results can differ
# in the last digits because some CUDA kernels are not deterministic.

# %%
cfg = config.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                      fold_protocol=fold_protocol, corpora=corpora)
print(settings_caption(cfg))
settings_table(cfg)

# %% [markdown]
# ## Run times
#
# Wall-clock time of each notebook when `make book` executed it (this appendix excluded):

# %%
from camulenet.book.environment import notebook_timings

notebook_timings()

# %% [markdown]
# ## Training speed: one process, or one worker per core
#
# A profile of one compact training step puts about half of it in the MFCC GRU, whose many
# small sequential steps a second thread hardly speeds up. So chapters 5 and 9 train their
# folds side by side, one single-threaded worker process per core
# (`camulenet.training_executor`), instead of one fold at a time on all cores.
# Measured on this book's machine by `scripts/bench_executors.py` (four folds of the compact
# CAMuLeNet), each setting three times in turn under `farm-bench`:

# %%
import json

from myst_nb import glue

from camulenet.storage.paths import REPO_ROOT

bench = pd.DataFrame(json.loads((REPO_ROOT / "benchmarks" / "training_executors.json").read_text()))
speed = bench.groupby("mode").agg(workers=("workers", "first"), threads_per_job=("threads_per_job", "first"),
                                  wall_s=("wall_s", "median"), samples_trained=("samples_trained", "median"),
                                  samples_per_wall_s=("samples_per_wall_s", "median"))
speed.rename(index={"inprocess": "one process", "local": "one worker per core"}).rename(columns={
    "threads_per_job": "threads each", "wall_s": "wall s", "samples_trained": "samples",
    "samples_per_wall_s": "samples/s"}).style.format(
    {"wall s": "{:.1f}", "samples": "{:,.0f}", "samples/s": "{:,.0f}"})

# %% tags=["remove-cell"]
gain = speed.loc["local", "samples_per_wall_s"] / speed.loc["inprocess", "samples_per_wall_s"]
glue("executor_gain", f"{gain:.2f}", display=False)
glue("executor_when", bench["when"].iloc[0], display=False)

# %% [markdown]
# One worker per core trains {glue:text}`executor_gain` times as many samples per second
# (medians, measured {glue:text}`executor_when`). Wall times differ less, because the
# thread count changes float rounding and with it where early stopping ends each fold (the
# epochs trained differ). The whole `farm-bench` report, with its A/B ratios:

# %% tags=["hide-output"]
print((REPO_ROOT / "benchmarks" / "farm_bench_training_executors.txt").read_text())
