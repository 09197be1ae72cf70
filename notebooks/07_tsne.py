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
# # What the embeddings encode: t-SNE
#
# The paper {cite:p}`goel2024camulenet` shows {term}`t-SNE` maps {cite:p}`vandermaaten2008tsne`
# in which CAMuLeNet's embeddings group by emotion more clearly than the raw
# {term}`Whisper encoder` embeddings {cite:p}`radford2023whisper`. Here both are
# mapped for **test speakers**, whom the model never heard, coloured once by emotion and once
# by speaker. A representation good for unseen speakers should cluster by emotion and *not*
# by speaker.
#
# :::{admonition} In this chapter
# :class: tip
# **You will learn**
# - to read a t-SNE map, and why a map alone proves little;
# - to measure grouping in the original space with the {term}`silhouette` and the {term}`5-NN accuracy`;
# - to state a verdict that holds for every measure it cites.
#
# **You need** the trained folds of {doc}`05_training` and the features of {doc}`03_features`;
# the ideas of a {term}`fold` and of {term}`leave-speaker-out` evaluation.
# :::
#
# Cross-validation trains one model per {term}`fold`, and each model has its own embedding
# space: mapped together, the test clips of all folds would group by the model that embedded
# them, not by anything in the audio. So the map shows one fold (its test speakers, embedded
# by that fold's model), and the scores below are computed within each fold and averaged.

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
# t-SNE's perplexity: about how many neighbours each clip's position weighs
perplexity = 30
fold = 0  # the fold whose test speakers are mapped


# %% tags=["remove-cell"]
import camulenet  # first: pins the numeric libraries' CPU code paths (camulenet.storage.numerics)
from myst_nb import glue

from camulenet import config, pipeline
from camulenet.book import claims
from camulenet.book.banner import banner
from camulenet.book.captions import settings_caption
from camulenet.book.verdicts import spaces_verdict
from camulenet.evaluation.embeddings import cluster_scores_by_part, tsne_frame, within_mean
from camulenet.plots.embeddings import plot_tsne_grid

claims.chapter("07_tsne")

cfg = config.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                      fold_protocol=fold_protocol)
manifest = pipeline.ensure_corpus(cfg)
folds = pipeline.ensure_folds(cfg, manifest)
features = pipeline.ensure_features(cfg, manifest, progress=False)
run = pipeline.load_run(cfg, manifest)

# %% tags=["remove-input"]
display(banner(cfg))

# %% [markdown]
# ## The map of one fold
#
# Both spaces, the mean-pooled Whisper frames and CAMuLeNet's 128-dimensional embedding, are
# standardised and mapped to two dimensions by {term}`t-SNE`, which keeps each clip's nearest
# neighbours close but does not keep distances between groups: the size of a cluster and the
# gaps between clusters on the map mean little. How many neighbours count as near is set by
# its {term}`perplexity`, roughly the number of neighbours each clip's map position takes
# into account (the `perplexity` parameter: 30, or a fifth of the fold's clips when that is
# smaller, but at least 5).

# %% tags=["remove-output"]
pooled = f"{config.whisper_label(cfg)} (mean-pooled)"
ours = "CAMuLeNet (128-d)"
spaces = {pooled: features["whisper_mean"], ours: run.test_embeddings("CAMuLeNet")}
trained = sorted(run.fold_info.loc[run.fold_info.system == "CAMuLeNet", "fold"].astype(int))
fold = fold if fold in trained else trained[0]
shown = manifest[manifest.utt_id.isin(folds.folds[fold].test)]
frame = tsne_frame(spaces, shown, perplexity=min(perplexity, max(5, len(shown) // 5)), seed=cfg.seed)
fig = plot_tsne_grid(frame)

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt

glue("tsne_fold", fold, display=False)
glue("tsne_speakers", shown.speaker.nunique(), display=False)
glue("tsne_clips", len(shown), display=False)
glue("tsne_config", settings_caption(cfg), display=False)
glue("tsne_fig", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} tsne_fig
# :name: fig-tsne
#
# t-SNE maps of fold {glue:text}`tsne_fold` ({glue:text}`tsne_clips` test clips of
# {glue:text}`tsne_speakers` unseen speakers). Rows: the embedding space; columns: colour by
# emotion (left) and by speaker (right). Made by {glue:text}`tsne_config`.
# ```
#
# ## Measured, not only seen
#
# t-SNE pictures can mislead, so the grouping is also measured in the original embedding
# spaces, within each fold's test clips and averaged over the folds:
#
# - the {term}`silhouette` {cite:p}`rousseeuw1987silhouette` (cosine distance) compares each
#   clip's mean distance to its own group with that to the nearest other group: from -1 to 1,
#   positive when groups are tight and apart, near zero or negative when they overlap;
# - the {term}`5-NN accuracy`: how often the label of a clip is the majority label of its five
#   nearest neighbours (cross-validated), a *local* measure: it can be well above chance while
#   the groups as a whole overlap.
#
# Each is computed by emotion and by speaker (chance for the speaker is one over the number of
# test speakers in a fold). A difference between the two spaces counts only when it exceeds
# the spread of its per-fold differences (their standard deviation over the folds); within
# it, the two are called the same.

# %%
by_fold = cluster_scores_by_part(spaces, manifest, [folds.folds[k].test for k in trained], seed=cfg.seed)
scores = within_mean(by_fold)
scores.style.format("{:.3f}").set_caption(settings_caption(cfg))

# %% tags=["remove-cell"]
glue("n_fold_models", len(trained), display=False)
from IPython.display import Markdown

glue("tsne_verdict", Markdown(spaces_verdict(by_fold, ours, pooled)), display=False)

# %% [markdown]
# {glue:md}`tsne_verdict`
#
# Note the difference in what each was trained for: CAMuLeNet's embedding for emotion and
# gender on other speakers, the Whisper encoder for transcription, which gives it no reason
# to discard who is speaking; the speaker columns of the table measure how much of that each
# space keeps. The scores average {glue:text}`n_fold_models` folds, each scored in its own
# model's space.
#
# ## Exercises
#
# :::{exercise}
# :label: ex-07-perplexity
# Rerun this chapter in {term}`smoke mode` with a much smaller t-SNE perplexity, e.g.
# `papermill notebooks/07_tsne.ipynb /tmp/tsne-smoke.ipynb --cwd notebooks -p smoke True -p perplexity 5`
# (or set `smoke = True` and `perplexity = 5` in the parameters cell). What changes on the
# map, and what changes in the table of scores?
# :::
#
# :::{solution} ex-07-perplexity
# :class: dropdown
# The map changes: a small perplexity looks at fewer neighbours, so it breaks the clips into
# many small islands, and the arrangement of the islands changes too. The table does not
# change at all: the silhouette and the 5-NN accuracy are computed in the original embedding
# spaces, not on the map. That is why the verdict is drawn from the table and not from the
# picture.
# :::
#
# :::{exercise}
# :label: ex-07-local-global
# The 5-NN accuracy by emotion of a space can be well above chance while its emotion
# silhouette is negative. How can both be true, and which of the two does a t-SNE map
# resemble more?
# :::
#
# :::{solution} ex-07-local-global
# :class: dropdown
# The 5-NN accuracy only asks whether a clip's five closest clips mostly share its emotion: small
# local pockets of one emotion are enough. The silhouette compares a clip's mean distance to
# *all* clips of its emotion with that to the nearest other emotion: when each emotion is
# spread over many pockets (for instance one per speaker), that mean distance is large and the
# silhouette drops to zero or below. t-SNE preserves neighbourhoods, so its maps show the local
# pockets, as the 5-NN accuracy does, and can suggest clusters that the silhouette does not find.
# :::
#
# :::{exercise}
# :label: ex-07-fold
# Map another fold: rerun in smoke mode with `-p fold 1`. Should the verdict under the table
# change? Why or why not?
# :::
#
# :::{solution} ex-07-fold
# :class: dropdown
# Only the map changes: it now shows the test speakers of fold 1, embedded by fold 1's model.
# The scores and the verdict average every trained fold, each in its own model's space, so they
# do not depend on which fold is mapped.
# :::
