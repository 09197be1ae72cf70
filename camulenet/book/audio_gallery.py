"""Audio galleries for the book: labelled players with the sound embedded in the page.

A bare list of players under a printed list of labels leaves the reader guessing which
player is which. Here every player sits in a ``<figure>`` whose caption names what it
plays, and the clip is embedded as a short base64 WAV (16 kHz mono, a few seconds), so the
static HTML page works offline and stays light.
"""

from __future__ import annotations

import base64
import html
import io
import wave
from dataclasses import dataclass

import numpy as np
import pandas as pd

from camulenet.data.audio import load_audio
from camulenet.data.schema import GENDERS, emotion_order

SAMPLE_RATE = 16000
#: Longest stretch embedded per clip: enough to hear a sentence, light enough for a page.
MAX_SECONDS = 4.0


@dataclass(frozen=True)
class Clip:
    """One player of a gallery: a bold title, a smaller detail line, and the audio file."""
    title: str
    detail: str
    path: str


def wav_bytes(samples: np.ndarray, sr: int = SAMPLE_RATE, max_seconds: float = MAX_SECONDS) -> bytes:
    """16-bit mono WAV of the first ``max_seconds`` of ``samples`` (floats in [-1, 1])."""
    x = np.asarray(samples, dtype=np.float64).ravel()[: int(round(max_seconds * sr))]
    pcm = np.round(np.clip(x, -1.0, 1.0) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def wav_data_uri(path, max_seconds: float = MAX_SECONDS) -> str:
    """The clip as a ``data:audio/wav;base64,...`` URI, resampled to 16 kHz mono and cut."""
    data = wav_bytes(load_audio(path, sr=SAMPLE_RATE), SAMPLE_RATE, max_seconds)
    return "data:audio/wav;base64," + base64.b64encode(data).decode("ascii")


def gallery_html(clips: list[Clip], max_seconds: float = MAX_SECONDS, min_width_px: int = 180) -> str:
    """A responsive grid of captioned players (wraps to one column on a phone)."""
    cards = []
    for clip in clips:
        cards.append(
            '<figure style="margin:0;padding:0.5em;border:1px solid #ddd;border-radius:6px">'
            f'<figcaption style="margin-bottom:0.3em"><strong>{html.escape(clip.title)}</strong><br>'
            f'<span style="font-size:0.85em;color:#555">{html.escape(clip.detail)}</span></figcaption>'
            f'<audio controls preload="none" style="width:100%" src="{wav_data_uri(clip.path, max_seconds)}">'
            "</audio></figure>")
    return ('<div class="camulenet-gallery" style="display:grid;gap:0.6em;'
            f'grid-template-columns:repeat(auto-fill,minmax({min_width_px}px,1fr))">'
            + "".join(cards) + "</div>")


def language_gender_examples(manifest: pd.DataFrame) -> pd.DataFrame:
    """One clip per (language, gender) the corpus has, in the same emotion where possible
    (neutral if every pair has it), so that what differs is the voice and the language."""
    pairs = manifest.groupby(["language", "gender"]).size().index
    shared = set(manifest["emotion"])
    for (lang, gender) in pairs:
        shared &= set(manifest.loc[(manifest.language == lang) & (manifest.gender == gender), "emotion"])
    preferred = emotion_order(shared)[0] if shared else None
    picked = []
    for (lang, gender) in pairs:
        part = manifest[(manifest.language == lang) & (manifest.gender == gender)]
        if preferred is not None:
            part = part[part.emotion == preferred]
        picked.append(part.sort_values("utt_id", kind="stable").iloc[0])
    out = pd.DataFrame(picked).reset_index(drop=True)
    gorder = {g: i for i, g in enumerate(GENDERS)}
    return out.sort_values(["language", "gender"], key=lambda s: s.map(gorder) if s.name == "gender" else s,
                           kind="stable").reset_index(drop=True)
