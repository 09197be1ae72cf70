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
# # Appendix: deviations, environment, claims and run times
#
# What a reader needs to trust, or rebuild, the numbers of this book: where this edition
# departs from the paper's released code, which code and machine made the pages, the
# settings, how the numbers stay the same on another machine, every claim of the pages with
# its evidence, and how long each chapter took.
#
# :::{admonition} What is here
# :class: tip
# - **Deviations** from the released code of the paper {cite:p}`goel2024camulenet`, each with its reason;
# - **Provenance**: the commit and package version that built this book, and the machine and libraries;
# - **Settings and seeds**: every setting of this build, and what one seed fixes;
# - **The same numbers on any x86-64 CPU**: the pinned numeric code paths, and the results
#   fingerprint that compares two builds at a glance;
# - **Claims and their evidence**: every verdict of the pages, its numbers and its rule;
# - **Run times** of each chapter, what a CPU needs for the book on each open corpus
#   (predicted from them), and a benchmark of the training executors.
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
import camulenet  # first: pins the numeric libraries' CPU code paths (camulenet.storage.numerics)
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
# order and dropout. On a CPU, the same seed gives the same folds and the same numbers bit
# for bit, on any x86-64 CPU while the numeric code paths are pinned (next section); on a
# GPU, results can differ in the last digits because some CUDA kernels are not deterministic.

# %%
cfg = config.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                      fold_protocol=fold_protocol, corpora=corpora)
print(settings_caption(cfg))
settings_table(cfg)

# %% [markdown]
# ## The same numbers on any x86-64 CPU
#
# MKL (torch's matrix products), oneDNN (its convolutions), torch's own vectorised kernels,
# OpenBLAS and numpy each pick code for the CPU they run on: AVX-512 code sums in another
# order than AVX2 code, and MKL picks other kernels on AMD than on Intel, so the last bits of
# a result, and with them where early stopping ends a fold, would change from one machine to
# another. Importing `camulenet` first pins them, before they load, to code that every
# x86-64 CPU with AVX2 runs alike (`camulenet/storage/numerics.py`); the kernels of the
# build and the grid's workers inherit the pins. `CAMULENET_NUMERICS=native` opts out, for
# speed, and gives the features and runs cache folders of their own. The pins as this
# chapter's kernel saw them:

# %%
from camulenet.storage import numerics

pd.Series(numerics.status(), dtype=object).to_frame("value")

# %% [markdown]
# The **results fingerprint** is a hash of every score of every system and fold in this
# build's run folder, and of every test clip's predicted probabilities, from which
# calibration is computed (each value's exact bits, training times left out): two builds
# with the same fingerprint have the same results to the last bit, whatever machine made them.
# {glue:md}`fingerprint_text`

# %% tags=["remove-cell"]
from myst_nb import glue

from camulenet import pipeline
from camulenet.book import readme
from camulenet.book.environment import source_commit
from camulenet.data.prepare import present_manifest
from camulenet.training.runner import load_results
from camulenet.training.runs import run_fingerprint

manifest, absent = present_manifest(cfg)
run_dir = pipeline.runs_path(cfg, manifest) if manifest is not None else None
if run_dir is not None and (run_dir / "results.parquet").exists():
    fingerprint = run_fingerprint(run_dir)
    glue("fingerprint_text", Markdown(
        f"This build: **`{fingerprint['fingerprint']}`** ({fingerprint['systems']} systems x "
        f"{fingerprint['folds']} folds x {fingerprint['metrics']} scores, {fingerprint['values']} values, and "
        f"the probabilities of {fingerprint['predictions']} test predictions)."),
        display=False)
    results_long = pd.concat([load_results(run_dir), pipeline.reference_results(
        cfg, manifest, pipeline.ensure_folds(cfg, manifest))], ignore_index=True)
    # what the README's results block says (written below, once the open-corpus prediction is known)
    build_summary = readme.summary(settings_caption(cfg), source_commit(), numerics.mode(), fingerprint, results_long)
else:
    build_summary = None
    glue("fingerprint_text", Markdown(f"This build has no results to fingerprint yet "
                                      f"({absent or 'run chapter 5 first'})."), display=False)

# %% [markdown]
# ## Claims and their evidence
#
# Every verdict the pages of this build state, with the numbers it rests on and the rule that
# chose its word (`camulenet/book/verdicts.py`; the rules and their thresholds follow the
# table). A difference within the noise of its measure is never called a difference, and
# two measures are said to agree only when the rule gives both the same difference.

# %%
from camulenet.book import claims
from camulenet.book.verdicts import RULES

said = claims.load()
said.style.hide(axis="index") if len(said) else Markdown("No chapter of this build has recorded a claim yet.")

# %% [markdown]
# The rules, each with its threshold:

# %%
pd.Series(RULES, name="rule and threshold").rename_axis("rule").to_frame().style  # a Styler never cuts long cells

# %% [markdown]
# ## Run times
#
# Wall-clock time of each notebook when `make book` executed it (this appendix excluded):

# %%
from camulenet.book.environment import notebook_timings

timings = notebook_timings()
timings

# %% [markdown]
# (open-corpus-cost)=
# ## The book on an open corpus: what a CPU needs
#
# PREDICTED, not measured: the time and disk of `make book CORPUS=<name>` for each corpus
# `python -m camulenet fetch` downloads, scaled from this build's own chapter times above.
# Features and the two training grids (chapters 3, 5 and 9) grow with the hours of audio,
# the other chapters are kept as they are (`camulenet.grid.plan.predicted_book`); clips,
# mean length and sample rate are the publishers' (for RAVDESS, whose record states no mean
# length, the usually reported 3.7 s). Disk: the download, the unpacked WAVs and the
# features (run folders add some hundred MB); the venv and the Whisper weights come on top.

# %%
from camulenet.data.sources import SOURCES
from camulenet.grid.plan import predicted_book

chapter_seconds = timings["seconds"].drop("total", errors="ignore").to_dict()
build_audio = float(manifest["duration"].sum()) if manifest is not None and "duration" in manifest else 0.0
open_cost = (predicted_book(cfg, chapter_seconds, build_audio, [s for s in SOURCES.values() if s.access == "open"])
             if chapter_seconds and build_audio else pd.DataFrame())
open_cost if len(open_cost) else Markdown("No chapter times of a build yet: `make book` writes them.")

# %% tags=["remove-cell"]
if build_summary is not None:  # the README's results block (build only), with the prediction when there is one
    readme.write_summary({**build_summary, **({"open_corpus_cost": open_cost.reset_index().to_dict("records")}
                                              if len(open_cost) else {})})

# %% [markdown]
# ## Training speed: one process, or one worker per core
#
# A profile of one compact training step finds much of it in the MFCC GRU, whose many
# small sequential steps a second thread hardly speeds up. So chapters 5 and 9 train their
# folds side by side, one single-threaded worker process per core
# (`camulenet.training_executor`), instead of one fold at a time on all cores.
# Measured by `scripts/bench_executors.py` (four folds of the compact CAMuLeNet, each setting
# three times in turn) on the machine its report below names, with
# {glue:text}`executor_cpus` cores on {glue:text}`executor_when`: not necessarily the machine
# that built this page (see Provenance above); rerun the script to measure yours.

# %%
import json

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
glue("executor_cpus", str(bench["cpus"].iloc[0]), display=False)

# %% [markdown]
# One worker per core trains {glue:text}`executor_gain` times as many samples per second
# (medians, on the machine of that report). Wall times differ less, because the
# thread count changes float rounding and with it where early stopping ends each fold (the
# epochs trained differ). The whole `farm-bench` report, with its A/B ratios:

# %% tags=["hide-output"]
print((REPO_ROOT / "benchmarks" / "farm_bench_training_executors.txt").read_text())
