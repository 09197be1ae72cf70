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
# than the raw Whisper embeddings. Here both are mapped for the **test clips of every
# fold** (each clip embedded by the model that never saw its speaker), coloured once by
# emotion and once by speaker. A representation good for unseen speakers should cluster by
# emotion and *not* by speaker.

# %% tags=["parameters"]
smoke = False
seed = 0
corpus = "synthetic"  # or a real corpus under data/corpora/, e.g. "crema-d"
perplexity = 30

# %%
from myst_nb import glue

from camulenet import book, pipeline
from camulenet.embeddings import cluster_scores, tsne_frame
from camulenet.plots.embeddings import plot_tsne_grid

cfg = book.settings(smoke=smoke, seed=seed, corpus=corpus)
manifest = pipeline.ensure_corpus(cfg)
features = pipeline.ensure_features(cfg, manifest)
run = pipeline.load_run(cfg)

whisper_emb = features["whisper_mean"]
camulenet_emb = run.test_embeddings("CAMuLeNet")
glue("n_fold_models", run.results.fold.nunique(), display=False)
frame = tsne_frame({"Whisper-base (mean-pooled)": whisper_emb, "CAMuLeNet (128-d)": camulenet_emb},
                   manifest, perplexity=min(perplexity, max(5, len(manifest) // 10)), seed=cfg.seed)

# %%
fig = plot_tsne_grid(frame)

# %% [markdown]
# ## Measured, not only seen
#
# t-SNE pictures can mislead, so the grouping is also measured in the original embedding
# spaces: the silhouette score (higher = tighter, better-separated groups, cosine distance)
# and the accuracy of a 5-nearest-neighbour classifier, by emotion and by speaker.

# %%
scores = cluster_scores({"Whisper-base (mean-pooled)": whisper_emb, "CAMuLeNet (128-d)": camulenet_emb}, manifest)
glue("sil_emotion_whisper", f"{scores.loc['Whisper-base (mean-pooled)', 'silhouette: emotion']:.3f}", display=False)
glue("sil_emotion_camulenet", f"{scores.loc['CAMuLeNet (128-d)', 'silhouette: emotion']:.3f}", display=False)
glue("sil_speaker_whisper", f"{scores.loc['Whisper-base (mean-pooled)', 'silhouette: speaker']:.3f}", display=False)
glue("sil_speaker_camulenet", f"{scores.loc['CAMuLeNet (128-d)', 'silhouette: speaker']:.3f}", display=False)
knn = scores["5-NN accuracy: emotion"]
better = knn["CAMuLeNet (128-d)"] > knn["Whisper-base (mean-pooled)"]
glue("knn_emotion_whisper", f"{knn['Whisper-base (mean-pooled)']:.3f}", display=False)
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
# emotion. Note also that every clip here is embedded by the model of the fold that held its
# speaker out, so the map mixes {glue:text}`n_fold_models` slightly different embedding spaces.
