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
# The paper shows t-SNE maps in which CAMuLeNet's embeddings group by emotion more clearly
# than the raw Whisper embeddings. Here both are mapped for **test speakers**, whom the model
# never heard, coloured once by emotion and once by speaker. A representation good for
# unseen speakers should cluster by emotion and *not* by speaker.
#
# Cross-validation trains one model per fold, and each model has its own embedding space:
# mapped together, the test clips of all folds would group by the model that embedded
# them, not by anything in the audio. So the map shows one fold (its test speakers, embedded
# by that fold's model), and the scores below are computed within each fold and averaged.

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
perplexity = 30
fold = 0  # the fold whose test speakers are mapped

# %%
from myst_nb import glue

from camulenet import book, pipeline
from camulenet.embeddings import cluster_scores_within, tsne_frame
from camulenet.plots.embeddings import plot_tsne_grid

cfg = book.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                    fold_protocol=fold_protocol)
display(book.banner(cfg))
manifest = pipeline.ensure_corpus(cfg)
folds = pipeline.ensure_folds(cfg, manifest)
features = pipeline.ensure_features(cfg, manifest)
run = pipeline.load_run(cfg, manifest)

pooled = f"{book.whisper_label(cfg)} (mean-pooled)"
spaces = {pooled: features["whisper_mean"], "CAMuLeNet (128-d)": run.test_embeddings("CAMuLeNet")}
trained = sorted(run.fold_info.loc[run.fold_info.system == "CAMuLeNet", "fold"].astype(int))
fold = fold if fold in trained else trained[0]
shown = manifest[manifest.utt_id.isin(folds.folds[fold].test)]
glue("tsne_fold", fold, display=False)
glue("tsne_speakers", shown.speaker.nunique(), display=False)
frame = tsne_frame(spaces, shown, perplexity=min(perplexity, max(5, len(shown) // 5)), seed=cfg.seed)

# %% [markdown]
# Fold {glue:text}`tsne_fold`: the {glue:text}`tsne_speakers` test speakers of that fold.

# %%
fig = plot_tsne_grid(frame)

# %% [markdown]
# ## Measured, not only seen
#
# t-SNE pictures can mislead, so the grouping is also measured in the original embedding
# spaces, within each fold's test clips and averaged over the folds: the silhouette score
# (higher = tighter, better-separated groups, cosine distance) and the accuracy of a
# 5-nearest-neighbour classifier, by emotion and by speaker (chance for the speaker is one
# over the number of test speakers in a fold).

# %%
scores = cluster_scores_within(spaces, manifest, [folds.folds[k].test for k in trained], seed=cfg.seed)
glue("n_fold_models", len(trained), display=False)
glue("sil_emotion_whisper", f"{scores.loc[pooled, 'silhouette: emotion']:.3f}", display=False)
glue("sil_emotion_camulenet", f"{scores.loc['CAMuLeNet (128-d)', 'silhouette: emotion']:.3f}", display=False)
glue("sil_speaker_whisper", f"{scores.loc[pooled, 'silhouette: speaker']:.3f}", display=False)
glue("sil_speaker_camulenet", f"{scores.loc['CAMuLeNet (128-d)', 'silhouette: speaker']:.3f}", display=False)
knn = scores["5-NN accuracy: emotion"]
better = knn["CAMuLeNet (128-d)"] > knn[pooled]
glue("knn_emotion_whisper", f"{knn[pooled]:.3f}", display=False)
glue("knn_emotion_camulenet", f"{knn['CAMuLeNet (128-d)']:.3f}", display=False)
glue("tsne_verdict", "separates emotions better than the pooled Whisper frames, as in the paper's figure"
     if better else "does not separate emotions better than the pooled Whisper frames here, unlike the paper's figure",
     display=False)
scores

# %% [markdown]
# By emotion, the 5-NN accuracy is {glue:text}`knn_emotion_whisper` for mean-pooled Whisper
# frames and {glue:text}`knn_emotion_camulenet` for CAMuLeNet's embeddings (silhouette
# {glue:text}`sil_emotion_whisper` and {glue:text}`sil_emotion_camulenet`); by speaker, the
# silhouette is {glue:text}`sil_speaker_whisper` and {glue:text}`sil_speaker_camulenet`.
# CAMuLeNet's embedding {glue:text}`tsne_verdict`. Note the difference in what each was
# trained for: CAMuLeNet's embedding for emotion and gender on other speakers, the Whisper
# encoder for transcription, so its pooled frames carry speaker and language as much as
# emotion. The scores average {glue:text}`n_fold_models` folds, each scored in its own
# model's space.
