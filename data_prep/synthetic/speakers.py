"""The speaker table: who speaks, with which voice, channel and acting style.

Each speaker is an eSpeak voice variant plus per-speaker settings drawn from a
generator seeded by (corpus seed, speaker id), so the table depends only on the seed.
Speaker identity is carried by voice variant, base pitch/range, speaking rate,
formant scaling, spectral tilt, voice quality and a recording channel (EQ, band
limit, room, noise); the acting style says how this speaker portrays each emotion.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

from .emotions import ActingStyle, draw_acting_style
from .sentences import LANGUAGES

#: eSpeak variants (espeak-ng-data/voices/!v) that sound like plain human voices.
FEMALE_VARIANTS = ("f1", "f2", "f3", "f4", "f5", "Annie", "linda", "belinda", "Alicia",
                   "Andrea", "anika", "steph")
MALE_VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "Denis", "Marco",
                 "antonio", "michel", "max", "david")

#: Output-rate choices for formant scaling: rendering at 16000/alpha Hz and reading
#: the samples as 16 kHz scales formants (and pitch) by alpha. These rates keep
#: small integer resampling ratios against eSpeak's 22050 Hz (fast, exact).
FEMALE_RENDER_RATES = (16000, 15750, 15120, 14700)  # alpha 1.00 .. 1.09
MALE_RENDER_RATES = (16000, 16200, 16800, 17150, 17640)  # alpha 1.00 .. 0.91

N_SPEAKERS_PER_GENDER = 4  # per language -> 8 speakers, half female


def stable_int(*parts) -> int:
    """A platform-independent 32-bit hash of ``parts`` (Python's hash() is salted)."""
    return zlib.crc32("|".join(map(str, parts)).encode("utf-8"))


@dataclass(frozen=True)
class Channel:
    """Recording chain of one speaker (fixed over all that speaker's clips)."""
    eq_freqs: tuple[float, ...]
    eq_gains_db: tuple[float, ...]
    lowpass_hz: float
    highpass_hz: float
    reverb_mix: float
    reverb_rt60: float
    snr_db: float
    noise_tilt: float  # 0 = white, ~1 = strongly low-pass (hum-like) noise
    gain_db: float


@dataclass(frozen=True)
class Speaker:
    speaker: str  # e.g. "syn_en_f1"
    language: str
    gender: str
    voice: str  # eSpeak voice name, e.g. "en+f3"
    pitch: int  # eSpeak 0-100
    pitch_range: int
    rate: int  # words per minute
    render_rate: int  # see FEMALE_RENDER_RATES
    tilt: float
    breath: float
    jitter: float
    shimmer: float
    channel: Channel
    style: ActingStyle = field(repr=False)


def _channel(rng: np.random.Generator) -> Channel:
    n_eq = 3
    return Channel(
        eq_freqs=tuple(float(f) for f in np.exp(rng.uniform(np.log(200), np.log(5000), n_eq))),
        eq_gains_db=tuple(float(g) for g in rng.uniform(-8, 8, n_eq)),
        lowpass_hz=float(rng.uniform(3400, 7800)),
        highpass_hz=float(rng.uniform(40, 250)),
        reverb_mix=float(rng.uniform(0.0, 0.35)),
        reverb_rt60=float(rng.uniform(0.15, 0.6)),
        snr_db=float(rng.uniform(18, 40)),
        noise_tilt=float(rng.uniform(0, 0.98)),
        gain_db=float(rng.uniform(-6, 0)),
    )


def make_speaker(language: str, gender: str, index: int, seed: int) -> Speaker:
    """Speaker ``index`` (1-based) of ``gender`` in ``language``; pure function of its args."""
    sid = f"syn_{language}_{gender[0]}{index}"
    rng = np.random.default_rng([seed, stable_int("speaker", sid)])
    lang_ix = LANGUAGES.index(language)
    female = gender == "female"
    pool = FEMALE_VARIANTS if female else MALE_VARIANTS
    # Rotate through the pool so languages use different variants and no two speakers
    # of one language share one.
    variant = pool[(lang_ix * N_SPEAKERS_PER_GENDER + index - 1) % len(pool)]
    rates = FEMALE_RENDER_RATES if female else MALE_RENDER_RATES
    return Speaker(
        speaker=sid,
        language=language,
        gender=gender,
        voice=f"{language}+{variant}",
        pitch=int(rng.integers(45, 71) if female else rng.integers(25, 56)),
        pitch_range=int(rng.integers(35, 71)),
        rate=int(rng.integers(145, 196)),
        render_rate=int(rates[int(rng.integers(len(rates)))]),
        tilt=float(rng.uniform(-0.5, 0.5)),
        breath=float(rng.uniform(0.0, 0.25) + (0.05 if female else 0.0)),
        jitter=float(rng.uniform(0.0, 0.3)),
        shimmer=float(rng.uniform(0.0, 0.3)),
        channel=_channel(rng),
        style=draw_acting_style(rng),
    )


def speaker_table(seed: int = 0, languages=LANGUAGES,
                  per_gender: int = N_SPEAKERS_PER_GENDER) -> list[Speaker]:
    """All speakers, ordered by language, then female before male, then index."""
    return [make_speaker(lang, g, i, seed) for lang in languages
            for g in ("female", "male") for i in range(1, per_gender + 1)]
