"""Emotion rules: prosody and voice-quality deltas, and per-speaker acting styles.

The prototypes follow the classic rules summarised by Murray & Arnott (1993): anger
is faster, higher, wider, louder and tenser; sadness slower, lower, narrower, softer
and breathy; happiness higher, wider and faster; fear high, fast, with tremor and
jitter; disgust slow, low and creaky. Real speakers do not follow the prototypes
faithfully, so each speaker gets an *acting style*: an overall expressiveness, a
per-emotion intensity, idiosyncratic per-dimension offsets and a partial blend of
some emotions towards another one. Per-clip jitter on top makes classes overlap.
The speaker-specific part is what makes unseen speakers harder than seen ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from camulenet.data.schema import SIX_EMOTIONS

EMOTIONS = SIX_EMOTIONS

#: Dimensions of an emotion delta (neutral = all zero):
#: rate: log factor on words/min; pitch, range: eSpeak 0-100 units; gain_db: level;
#: tilt: + brighter/tense, - darker/soft; breath, jitter, tremor, shimmer, creak, drive:
#: voice-quality amounts (~0-1); word_gap: pause between words (10 ms units);
#: exclaim: probability of exclamative intonation ("!").
DIMS = ("rate", "pitch", "range", "gain_db", "tilt", "breath", "jitter", "tremor",
        "shimmer", "creak", "drive", "word_gap", "exclaim")

PROTOTYPES: dict[str, dict[str, float]] = {
    "neutral": {},
    "angry": dict(rate=0.12, pitch=8, range=22, gain_db=6, tilt=0.7, drive=0.6,
                  jitter=0.1, exclaim=0.7),
    "happy": dict(rate=0.10, pitch=14, range=26, gain_db=3, tilt=0.3, breath=0.1,
                  shimmer=0.1, exclaim=0.5),
    "sad": dict(rate=-0.25, pitch=-10, range=-25, gain_db=-6, tilt=-0.6, breath=0.5,
                jitter=0.2, word_gap=5),
    "fear": dict(rate=0.16, pitch=18, range=4, gain_db=-1, tilt=0.1, breath=0.3,
                 jitter=0.6, tremor=0.8, shimmer=0.3),
    "disgust": dict(rate=-0.20, pitch=-12, range=-6, gain_db=-1, tilt=-0.2, creak=0.8,
                    word_gap=3, shimmer=0.2),
}

#: Typical size of each dimension; sets the scale of idiosyncrasy and clip noise.
SCALE = dict(rate=0.12, pitch=10, range=18, gain_db=3.5, tilt=0.45, breath=0.25,
             jitter=0.3, tremor=0.35, shimmer=0.2, creak=0.35, drive=0.3, word_gap=3,
             exclaim=0.3)

#: Knobs that control class overlap (tuned so the MFCC baseline lands at ~45-60 %
#: on unseen speakers, clearly below the speaker-mixed split).
STYLE_EXPRESSIVENESS = (0.7, 1.35)  # uniform range of a speaker's overall intensity
STYLE_EMOTION_SD = 0.25  # log-sd of per-emotion intensity
STYLE_OFFSET_SD = 0.6  # idiosyncratic offset per (emotion, dim), in SCALE units
STYLE_BLEND_PROB = 0.4  # chance that an emotion is blended towards another
STYLE_BLEND_MAX = 0.5  # largest blend weight
CLIP_NOISE_SD = 0.2  # per-clip variation, in SCALE units

_PROTO = np.array([[PROTOTYPES[e].get(d, 0.0) for d in DIMS] for e in EMOTIONS])
_SCALE = np.array([SCALE[d] for d in DIMS])


@dataclass(frozen=True)
class ActingStyle:
    """How one speaker portrays each emotion: a (6 x len(DIMS)) delta matrix."""
    deltas: np.ndarray
    expressiveness: float
    blends: tuple[str, ...]  # e.g. ("fear->happy:0.31",), for the manifest/book

    def describe(self) -> str:
        return f"expr={self.expressiveness:.2f}" + ("; " + ", ".join(self.blends) if self.blends else "")


def draw_acting_style(rng: np.random.Generator) -> ActingStyle:
    """A speaker's acting style: scaled, perturbed and partially swapped prototypes."""
    expr = float(rng.uniform(*STYLE_EXPRESSIVENESS))
    deltas = _PROTO.copy()
    blends = []
    n = len(EMOTIONS)
    for i in range(1, n):  # neutral stays the reference
        if rng.random() < STYLE_BLEND_PROB:
            j = int(rng.choice([k for k in range(1, n) if k != i]))
            w = float(rng.uniform(0.15, STYLE_BLEND_MAX))
            deltas[i] = (1 - w) * _PROTO[i] + w * _PROTO[j]
            blends.append(f"{EMOTIONS[i]}->{EMOTIONS[j]}:{w:.2f}")
    intensity = np.exp(rng.normal(0, STYLE_EMOTION_SD, n))
    deltas = deltas * (expr * intensity)[:, None]
    offsets = rng.normal(0, STYLE_OFFSET_SD, deltas.shape) * _SCALE
    offsets[0] *= 0.5  # a speaker's neutral is their own baseline, mostly
    deltas = deltas + offsets
    return ActingStyle(deltas=deltas, expressiveness=expr, blends=tuple(blends))


def clip_deltas(style: ActingStyle, emotion: str, rng: np.random.Generator) -> dict[str, float]:
    """The realised deltas of one clip: the speaker's style plus per-clip variation."""
    try:
        i = EMOTIONS.index(emotion)
    except ValueError:
        raise ValueError(f"unknown emotion {emotion!r}; expected one of {EMOTIONS}") from None
    d = style.deltas[i] + rng.normal(0, CLIP_NOISE_SD, len(DIMS)) * _SCALE
    return dict(zip(DIMS, (float(v) for v in d)))
