"""Audio galleries for the book: which clips to play, and labelled players with the sound
embedded in the page.

A bare list of players under a printed list of labels leaves the reader guessing which
player is which. Here every player sits in a ``<figure>`` whose caption names what it
plays, and the clip is embedded as a short base64 WAV (16 kHz mono, a few seconds), so the
static HTML page works offline and stays light.

A real corpus holds the odd damaged file; one of them picked as an example must not stop
the page. Examples are therefore chosen from ranked candidates by :func:`pick_readable`:
an unreadable clip is passed over for the next candidate of the same kind (emotion, or
language and gender), and the page names it with its reason and fix.
"""

from __future__ import annotations

import base64
import html
import io
import wave
from dataclasses import dataclass

import numpy as np
import pandas as pd

from camulenet.data.audio import AudioError, load_audio
from camulenet.data.schema import GENDERS, emotion_order

SAMPLE_RATE = 16000
#: Longest stretch embedded per clip: enough to hear a sentence, light enough for a page.
MAX_SECONDS = 4.0
#: Candidates tried for one player before the gallery does without it: a kind whose first
#: clips are all damaged points to a broken corpus, which the data chapter reports anyway.
MAX_TRIES = 8
#: The columns of a skipped clip, as in the feature store's ``failures.csv``.
SKIPPED_COLUMNS = ["utt_id", "path", "reason", "fix_hint"]


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


@dataclass(frozen=True)
class Examples:
    """The clips a gallery plays (one row per player, in page order), the unreadable
    candidates passed over to find them (:data:`SKIPPED_COLUMNS`), and the kinds left
    without a player because none of their first :data:`MAX_TRIES` candidates could be read."""
    clips: pd.DataFrame
    skipped: pd.DataFrame
    unfilled: tuple = ()


def pick_readable(candidates: pd.DataFrame, by=None, check=load_audio, max_tries: int = MAX_TRIES) -> Examples:
    """The first readable row of each group of ``candidates`` (grouped by the column(s) ``by``,
    or one group when None), trying rows in the order given, which is the order of preference.

    ``check(path)`` raises :class:`AudioError` for a clip that cannot be played (by default
    :func:`load_audio`: missing, corrupt, truncated, empty, silent); such a clip is recorded
    with its reason and fix and the next candidate of its group is tried.
    """
    keys = [by] if isinstance(by, str) else list(by or [])
    groups = candidates.groupby(keys, sort=False, dropna=False) if keys else [((), candidates)]
    picked, skipped, unfilled = [], [], []
    for label, rows in groups:
        for _, row in rows.head(max_tries).iterrows():
            try:
                check(row["path"])
            except AudioError as err:
                skipped.append({"utt_id": str(row["utt_id"]), "path": str(row["path"]),
                                 "reason": err.reason, "fix_hint": err.fix})
                continue
            picked.append(row)
            break
        else:
            unfilled.append(label[0] if isinstance(label, tuple) and len(label) == 1 else label)
    clips = pd.DataFrame(picked, columns=candidates.columns).reset_index(drop=True)
    return Examples(clips, pd.DataFrame(skipped, columns=SKIPPED_COLUMNS), tuple(unfilled))


def listening_examples(manifest: pd.DataFrame, check=load_audio) -> Examples:
    """One readable clip per emotion, in schema order: from one speaker (the one who covers
    most emotions), the same sentence where the corpus has one in common. An unreadable clip
    gives way to that speaker's next clip of the emotion, then to the other speakers' (those
    covering most emotions first)."""
    coverage = manifest.groupby("speaker")["emotion"].nunique().sort_values(ascending=False, kind="stable")
    rank = {s: i for i, s in enumerate(coverage.index)}
    ranked = manifest.assign(_speaker=manifest["speaker"].map(rank), _sentence=0)
    if "sentence" in manifest.columns:
        best = manifest[manifest["speaker"] == coverage.index[0]]
        covered = best.groupby("sentence")["emotion"].nunique().sort_values(ascending=False, kind="stable")
        if len(covered):
            ranked["_sentence"] = (ranked["sentence"] != covered.index[0]).astype(int)
    ranked = ranked.sort_values(["_speaker", "_sentence"], kind="stable").drop(columns=["_speaker", "_sentence"])
    found = pick_readable(ranked, "emotion", check)
    order = {e: i for i, e in enumerate(emotion_order(found.clips["emotion"]))}
    clips = found.clips.sort_values("emotion", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    return Examples(clips, found.skipped, found.unfilled)


def language_gender_examples(manifest: pd.DataFrame, check=load_audio) -> Examples:
    """One readable clip per (language, gender) the corpus has, in the same emotion where
    possible (neutral if every pair has it), so that what differs is the voice and the
    language. An unreadable clip gives way to the pair's next clip in that emotion, then in
    the others."""
    pairs = manifest.groupby(["language", "gender"]).size().index
    shared = set(manifest["emotion"])
    for (lang, gender) in pairs:
        shared &= set(manifest.loc[(manifest.language == lang) & (manifest.gender == gender), "emotion"])
    preferred = emotion_order(shared)[0] if shared else None
    ranked = (manifest.assign(_other=(manifest["emotion"] != preferred).astype(int))
              .sort_values(["_other", "utt_id"], kind="stable").drop(columns="_other"))
    found = pick_readable(ranked, ["language", "gender"], check)
    gorder = {g: i for i, g in enumerate(GENDERS)}
    clips = found.clips.sort_values(["language", "gender"], kind="stable",
                                    key=lambda s: s.map(gorder) if s.name == "gender" else s).reset_index(drop=True)
    return Examples(clips, found.skipped, found.unfilled)
