"""Profiles: the two configurations the book runs, named once.

``compact`` is the teaching default (CPU, minutes): Whisper-base frames of each clip's own
length, the ``cpu`` mel/MFCC preset, the compact model and schedule, the compact baselines.
``paper`` is the published configuration: Whisper-Medium frames of 30-s padded windows,
the released mel/MFCC preset, the released layer sizes and baselines, the released schedule
(``TrainConfig.paper()``), mixed precision on a GPU. Every step reads its choices from the
profile, so a notebook's single ``profile`` parameter switches all of them together.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    whisper_model: str    # openai-whisper name (base, medium, large-v3) or a checkpoint path
    whisper_mode: str     # "trimmed": each clip's own frames; "full": 30-s padded, 1500 frames
    feature_preset: str   # camulenet.features.spectral.PRESETS key
    model: str            # CAMuLeNetConfig.<model>()
    schedule: str         # TrainConfig.<schedule>()
    baselines: str        # "compact" (our small 1-D CNN) or "released" (the released layouts)
    max_epochs: int | None  # cap on the schedule's epochs (None: the schedule's own)

    def as_dict(self) -> dict:
        return asdict(self)


PROFILES: dict[str, Profile] = {
    "compact": Profile("compact", whisper_model="base", whisper_mode="trimmed", feature_preset="cpu",
                       model="compact", schedule="compact", baselines="compact", max_epochs=15),
    "paper": Profile("paper", whisper_model="medium", whisper_mode="full", feature_preset="paper",
                     model="paper", schedule="paper", baselines="released", max_epochs=None),
}


def get_profile(name: str) -> Profile:
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; choose one of {sorted(PROFILES)}")
    return PROFILES[name]
