"""The synthetic corpus's emotion rules as a table a reader can hold beside what they hear.

The values are read from the generator's own constants (``data_prep.synthetic.emotions``),
so the table cannot drift from the audio. They are the *prototypes*: each speaker's acting
style scales, perturbs and sometimes blends them, and every clip adds its own variation.
"""

from __future__ import annotations

import math

import pandas as pd

from data_prep.synthetic import emotions as rules

#: Voice-quality dimensions of the generator and the word a reader knows them by.
VOICE_QUALITY = {"tilt": "tilt", "breath": "breathy", "jitter": "jitter", "tremor": "tremor",
                 "shimmer": "shimmer", "creak": "creaky", "drive": "pressed"}

#: What each column means (units), for the sentence under the table.
UNITS = ("rate: change of speaking rate; pitch and range: eSpeak NG units (0-100 scale); "
         "level: gain; voice quality: amounts on a 0-1 scale (tilt: + brighter and tenser, "
         "- darker and softer; pressed: soft clipping of vocal effort); pauses: extra silence "
         "between words; exclamative: share of clips spoken with exclamative intonation")


def _signed(v: float, fmt: str = "{:+.0f}") -> str:
    return "0" if v == 0 else fmt.format(v)


def emotion_rules_table() -> pd.DataFrame:
    """One row per emotion: the prototype deltas from neutral, in readable units."""
    rows = {}
    for emotion in rules.EMOTIONS:
        p = {d: float(rules.PROTOTYPES[emotion].get(d, 0.0)) for d in rules.DIMS}
        quality = ", ".join(f"{VOICE_QUALITY[d]} {p[d]:+.1f}" if d == "tilt" else f"{VOICE_QUALITY[d]} {p[d]:.1f}"
                            for d in VOICE_QUALITY if p[d] != 0)
        rows[emotion] = {
            "rate": _signed(100 * (math.exp(p["rate"]) - 1), "{:+.0f}%"),
            "pitch": _signed(p["pitch"]),
            "range": _signed(p["range"]),
            "level (dB)": _signed(p["gain_db"]),
            "voice quality": quality or "-",
            "pauses (ms)": _signed(10 * p["word_gap"]),
            "exclamative": _signed(100 * p["exclaim"], "{:.0f}%"),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("emotion")
