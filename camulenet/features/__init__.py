"""Feature extraction: Whisper encoder frames, MFCC and mel spectrograms, stored on disk.

Modules: ``whisper_weights`` (offline Whisper-base checkpoint), ``whisper_encoder``
(trimmed/full encoder outputs), ``spectral`` (MFCC/mel presets), ``store`` (sharded
arrays on disk), ``extract`` (resumable batched extraction of a manifest), ``ssl`` (frames
of the Wav2Vec2/HuBERT/WavLM baselines), ``speaker_norm`` (per-speaker standardisation),
``benchmark`` (extraction speed against the released code's loop) and ``prepare`` (the
book's features under its settings, keyed by them).
"""
