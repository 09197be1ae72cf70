# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
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
perplexity = 30

# %%
from myst_nb import glue

from camulenet import book, pipeline
from camulenet.embeddings import cluster_scores, tsne_frame
from camulenet.plots.embeddings import plot_tsne_grid

cfg = book.settings(smoke=smoke, seed=seed)
manifest = pipeline.ensure_corpus(cfg)
features = pipeline.ensure_features(cfg, manifest)
run = pipeline.load_run(cfg)

whisper_emb = features["whisper_mean"]
camulenet_emb = run.test_embeddings("CAMuLeNet")
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
scores

# %% [markdown]
# The emotion silhouette goes from {glue:text}`sil_emotion_whisper` for mean-pooled Whisper
# frames to {glue:text}`sil_emotion_camulenet` for CAMuLeNet's embeddings, and the speaker
# silhouette from {glue:text}`sil_speaker_whisper` to {glue:text}`sil_speaker_camulenet`.
# CAMuLeNet's embedding is trained for emotion (and gender), so it is expected to group by
# emotion; the Whisper encoder was trained to transcribe, and its pooled frames carry
# speaker and language as much as emotion.
