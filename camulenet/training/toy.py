"""Random features shaped like the synthetic corpus, for tests and benchmarks only.

Not the project's synthetic corpus (that is built from audio by data_prep); this makes
Ragged features with the real frame rates (mel 100/s x 64, MFCC 100/s x 40, Whisper-base
50/s x 512) and, when ``signal > 0``, an emotion- and gender-dependent offset so that a
model can learn something.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from camulenet.data.schema import SIX_EMOTIONS
from camulenet.storage.ragged import Ragged


def toy_corpus(n_clips: int = 1500, n_speakers: int = 40, emotions=SIX_EMOTIONS, seconds=(2.0, 3.0),
               n_mels: int = 64, whisper_dim: int = 512, signal: float = 0.5, seed: int = 0):
    """(features, manifest) with keys mel, mfcc, whisper; speakers alternate female/male."""
    rng = np.random.default_rng(seed)
    speakers = [f"toy_{s:03d}" for s in range(n_speakers)]
    spk = np.arange(n_clips) % n_speakers
    emo = rng.integers(0, len(emotions), n_clips)
    secs = rng.uniform(*seconds, n_clips)
    ids = [f"toy_{i:05d}" for i in range(n_clips)]
    manifest = pd.DataFrame({
        "utt_id": ids, "path": [f"/toy/{u}.wav" for u in ids], "corpus": "toy", "language": "en",
        "speaker": [speakers[s] for s in spk], "gender": ["female" if s % 2 == 0 else "male" for s in spk],
        "emotion": [emotions[e] for e in emo]})
    protos = {k: rng.standard_normal((len(emotions), d)).astype(np.float32)
              for k, d in (("mel", n_mels), ("mfcc", 40), ("whisper", whisper_dim))}
    gproto = {k: rng.standard_normal((2, v.shape[1])).astype(np.float32) for k, v in protos.items()}
    rates = {"mel": 100, "mfcc": 100, "whisper": 50}
    feats = {}
    for key, rate in rates.items():
        arrays = []
        for i in range(n_clips):
            t = max(1, int(secs[i] * rate))
            x = rng.standard_normal((t, protos[key].shape[1])).astype(np.float32)
            x += signal * (protos[key][emo[i]] + 0.5 * gproto[key][spk[i] % 2])
            arrays.append(x)
        feats[key] = Ragged.from_list(arrays, ids)
    return feats, manifest


def speaker_folds(manifest: pd.DataFrame, n_folds: int = 10, seed: int = 0):
    """Leave-speakers-out (train, val, test) utt_id tuples: fold k tests speaker group k and
    validates on group k+1 (a stand-in for camulenet.data.folds in tests and benchmarks)."""
    rng = np.random.default_rng(seed)
    speakers = np.array(sorted(manifest["speaker"].unique()))
    rng.shuffle(speakers)
    groups = np.array_split(speakers, n_folds)
    folds = []
    for k in range(n_folds):
        test_s, val_s = set(groups[k]), set(groups[(k + 1) % n_folds])
        ids = manifest["utt_id"].astype(str)
        sp = manifest["speaker"]
        folds.append((list(ids[~sp.isin(test_s | val_s)]), list(ids[sp.isin(val_s)]), list(ids[sp.isin(test_s)])))
    return folds
