"""CREMA-D: ``AudioWAV/{Actor}_{Sentence}_{Emotion}_{Level}.wav`` + ``VideoDemographics.csv``.

7,442 clips, 91 actors (43 female, 48 male), six emotions, English. Gender comes
from the official actor table, not from the file name.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ._report import SkipLog, build_manifest, require
from ._tree import audio_files, corpus_root, other_files

CORPUS = "crema-d"
EMOTIONS = {"ANG": "angry", "DIS": "disgust", "FEA": "fear", "HAP": "happy",
            "NEU": "neutral", "SAD": "sad"}
LEVELS = {"LO": "low", "MD": "medium", "HI": "high", "XX": "unspecified"}
_NAME = re.compile(r"^(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{2})$")
_HINT = ("Point root at the folder of the official distribution "
         "(github.com/CheyneyComputerScience/CREMA-D) that holds AudioWAV/ and VideoDemographics.csv.")


def read_demographics(csv_path: Path) -> dict[str, str]:
    """ActorID -> 'female'/'male' from the official VideoDemographics.csv."""
    table = pd.read_csv(csv_path, dtype={"ActorID": str})
    missing = {"ActorID", "Sex"} - set(table.columns)
    if missing:
        raise ValueError(f"CREMA-D: {csv_path} lacks column(s) {sorted(missing)}; "
                         "expected the official VideoDemographics.csv (ActorID, Age, Sex, Race, Ethnicity)")
    sex = table["Sex"].astype(str).str.strip().str.lower()
    bad = table.loc[~sex.isin(["female", "male"]), "ActorID"].tolist()
    if bad:
        raise ValueError(f"CREMA-D: {csv_path}: Sex is neither Female nor Male for actor(s) {bad}")
    return dict(zip(table["ActorID"].str.strip(), sex))


def load(root, demographics=None, strict: bool = False) -> pd.DataFrame:
    """Manifest of CREMA-D under ``root``; ``demographics`` overrides the actor-table path."""
    root = corpus_root(Path(root).expanduser().resolve(), lambda d: (d / "AudioWAV").is_dir())
    wav_dir = require(root / "AudioWAV", "CREMA-D",
                      "the folder of the official distribution holding the 7,442 clips", _HINT)
    demo_path = require(Path(demographics) if demographics else root / "VideoDemographics.csv",
                        "CREMA-D", "the official actor table (gender per ActorID)",
                        _HINT + " Or pass demographics=<path to VideoDemographics.csv>.")
    gender_of = read_demographics(demo_path)
    log, rows = SkipLog("CREMA-D"), []
    for p in other_files(wav_dir):
        log.skip(p, "not an audio file")
    for p in audio_files(wav_dir):
        m = _NAME.match(p.stem)
        if not m:
            log.skip(p, "name does not follow {Actor}_{Sentence}_{Emotion}_{Level}.wav")
            continue
        actor, sentence, emo, level = m.groups()
        if emo not in EMOTIONS:
            log.skip(p, f"unknown emotion code {emo!r} (known: {sorted(EMOTIONS)})")
            continue
        if level not in LEVELS:
            log.skip(p, f"unknown level code {level!r} (known: {sorted(LEVELS)})")
            continue
        if actor not in gender_of:
            log.skip(p, f"actor {actor} not in {demo_path.name}")
            continue
        rows.append({"utt_id": f"{CORPUS}_{p.stem}", "path": str(p), "corpus": CORPUS,
                     "language": "en", "speaker": f"{CORPUS}_{actor}", "gender": gender_of[actor],
                     "emotion": EMOTIONS[emo], "label": emo, "sentence": sentence,
                     "level": LEVELS[level]})
    df = build_manifest(rows, ("label", "sentence", "level"), log)
    return log.finish(df, strict)
