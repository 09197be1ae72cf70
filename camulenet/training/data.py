"""From Ragged features + manifest to padded mini-batches of tensors.

Features may be lazy :class:`~camulenet.ragged.ShardedRagged` views over memory-mapped
shards (what ``FeatureStore.load`` returns): only the clips of one batch are read, and
nothing here copies a whole feature into memory.

Label encoding uses a fixed class order: emotions in ``schema.EMOTIONS`` order restricted
to those present in the manifest (or an explicit list), genders in ``schema.GENDERS``
order. Unknown labels raise.

Padding: ``mel`` and ``mfcc`` are zero-padded to the longest clip of the whole manifest
(the released code pads every clip to the corpus's longest), so a clip's features -- and
the conv/GRU outputs computed from them -- never depend on which clips share its batch.
``whisper`` (and any other key) is padded only to the batch's longest clip; the models
mask the padded frames out using ``<key>_lengths``.

Scaling: :meth:`SERData.fit_scaling` computes a per-dimension mean and standard deviation
over the valid frames of the *training* clips of a fold; :meth:`SERData.batch` applies it
to valid frames only (padding stays zero). Whisper-base frames have a few dimensions
hundreds of times larger than the rest, and log-mel values sit far from zero; without
this a network trained from scratch sees mostly those few dimensions.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import torch

from ..ragged import Ragged
from ..schema import EMOTIONS, GENDERS

#: keys padded to a corpus-wide fixed length by default
CORPUS_PADDED = ("mel", "mfcc")


class SERData:
    """Features and labels of one corpus, addressed by utt_id."""

    def __init__(self, features: Mapping[str, Ragged], manifest: pd.DataFrame,
                 emotions: Sequence[str] | None = None, fixed_lengths: Mapping[str, int] | None = None) -> None:
        missing_cols = {"utt_id", "speaker", "gender", "emotion"} - set(manifest.columns)
        if missing_cols:
            raise ValueError(f"manifest lacks columns {sorted(missing_cols)}")
        self.manifest = manifest.reset_index(drop=True)
        self.utt_ids = [str(u) for u in self.manifest["utt_id"]]
        if len(set(self.utt_ids)) != len(self.utt_ids):
            raise ValueError("manifest utt_id values are not unique")
        self.row = {u: i for i, u in enumerate(self.utt_ids)}
        present = set(self.manifest["emotion"])
        if emotions is None:
            unknown = present - set(EMOTIONS)
            if unknown:
                raise ValueError(f"unknown emotion labels {sorted(unknown)}; map them to schema.EMOTIONS or pass emotions=")
            emotions = [e for e in EMOTIONS if e in present]
        self.emotions = tuple(emotions)
        unknown = present - set(self.emotions)
        if unknown:
            raise ValueError(f"emotions {sorted(unknown)} are in the manifest but not in emotions={self.emotions}")
        bad_gender = set(self.manifest["gender"]) - set(GENDERS)
        if bad_gender:
            raise ValueError(f"unknown gender labels {sorted(bad_gender)}; expected {GENDERS}")
        self.genders = GENDERS
        self.emotion_codes = self.manifest["emotion"].map({e: i for i, e in enumerate(self.emotions)}).to_numpy(np.int64)
        self.gender_codes = self.manifest["gender"].map({g: i for i, g in enumerate(GENDERS)}).to_numpy(np.int64)

        self.features: dict[str, Ragged] = {}
        self._pos: dict[str, np.ndarray] = {}  # manifest row -> position in that Ragged
        for key, rag in features.items():
            where = {u: i for i, u in enumerate(rag.ids)}
            lacking = [u for u in self.utt_ids if u not in where]
            if lacking:
                raise ValueError(f"feature {key!r} lacks {len(lacking)} manifest clips (e.g. {lacking[:3]}); "
                                 "re-run feature extraction for them")
            self.features[key] = rag
            self._pos[key] = np.array([where[u] for u in self.utt_ids], dtype=np.int64)
        self.fixed_lengths = {k: self.max_length(k) for k in CORPUS_PADDED if k in self.features}
        self.fixed_lengths.update(fixed_lengths or {})

    def __len__(self) -> int:
        return len(self.utt_ids)

    def rows(self, ids: Sequence[str]) -> np.ndarray:
        try:
            return np.array([self.row[str(u)] for u in ids], dtype=np.int64)
        except KeyError as err:
            raise KeyError(f"utt_id {err.args[0]!r} is in the fold but not in the manifest") from None

    def feature_dim(self, key: str) -> int:
        return int(self.features[key].feature_shape[-1])

    def max_length(self, key: str) -> int:
        return int(self.features[key].lengths[self._pos[key]].max(initial=0))

    def fit_scaling(self, rows: Sequence[int], keys: Sequence[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per-dimension (mean, std) of each feature over the valid frames of ``rows``.

        Streams clip by clip (features may be memory-mapped and larger than RAM; read pages
        are unmapped again); sums in float64. float16 frames are squared in float32, exact for them.
        """
        out = {}
        for key in keys:
            rag = self.features[key]
            total = np.zeros(rag.feature_shape, np.float64)
            sq = np.zeros(rag.feature_shape, np.float64)
            n = 0
            work = np.float32 if np.dtype(rag.dtype) == np.float16 else np.float64
            release = getattr(rag, "release", None)  # memory-mapped: unmap what was read
            for i in self._pos[key][np.asarray(rows, dtype=np.int64)]:
                x = np.asarray(rag[i], dtype=work)
                total += x.sum(0, dtype=np.float64)
                sq += (x * x).sum(0, dtype=np.float64)
                n += len(x)
                if release is not None:
                    release([i])
            if n == 0:
                raise ValueError(f"no frames of {key!r} in the rows to fit scaling on")
            mean = total / n
            std = np.sqrt(np.maximum(sq / n - mean * mean, 0.0))
            out[key] = (mean.astype(np.float32), np.maximum(std, 1e-5).astype(np.float32))
        return out

    def batch(self, rows: Sequence[int], keys: Sequence[str], lengths: Mapping[str, int] | None = None,
              device: torch.device | str = "cpu",
              scaling: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None) -> dict[str, torch.Tensor]:
        """Padded tensors ``key`` (B, T, dim) and ``key_lengths`` (B,), plus ``emotion``/``gender`` codes.

        ``scaling`` (from :meth:`fit_scaling`) standardises valid frames; padding stays zero.
        """
        fixed = {**self.fixed_lengths, **(lengths or {})}
        rows = np.asarray(rows, dtype=np.int64)
        out: dict[str, torch.Tensor] = {}
        for key in keys:
            if key not in self.features:
                raise KeyError(f"model needs feature {key!r}; available: {sorted(self.features)}")
            arr, lens = self.features[key].padded(self._pos[key][rows], max_len=fixed.get(key))
            if scaling and key in scaling:
                mean, std = scaling[key]
                valid = np.arange(arr.shape[1])[None, :] < lens[:, None]
                arr -= mean
                arr /= std
                arr[~valid] = 0.0  # padding stays zero
            out[key] = torch.from_numpy(arr).to(device)
            out[f"{key}_lengths"] = torch.from_numpy(lens).to(device)
        out["emotion"] = torch.from_numpy(self.emotion_codes[rows]).to(device)
        out["gender"] = torch.from_numpy(self.gender_codes[rows]).to(device)
        return out


def fold_ids(fold) -> tuple[list[str], list[str], list[str]]:
    """(train, val, test) utt_id lists from a tuple or an object with .train/.val/.test."""
    if hasattr(fold, "train"):
        train, val, test = fold.train, getattr(fold, "val", None) or [], fold.test
    else:
        train, val, test = fold
    return [str(u) for u in train], [str(u) for u in (val or [])], [str(u) for u in test]
