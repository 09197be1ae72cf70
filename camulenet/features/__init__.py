"""Feature extraction: Whisper encoder frames, MFCC and mel spectrograms, stored on disk.

Modules: ``whisper_weights`` (offline Whisper-base checkpoint), ``whisper_encoder``
(trimmed/full encoder outputs), ``spectral`` (MFCC/mel presets), ``store`` (sharded
arrays on disk), ``extract`` (resumable batched extraction of a manifest).
"""
