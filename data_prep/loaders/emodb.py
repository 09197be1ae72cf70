"""Berlin EmoDB: ``wav/03a01Fa.wav`` = speaker 03, text a01, emotion F, version a.

535 clips, 10 speakers, seven emotions, German. Boredom has no schema name, so it
maps to ``other`` with the raw letter kept in the ``label`` column.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ._report import SkipLog, build_manifest, require
from ._tree import audio_files, corpus_root, other_files

CORPUS = "emodb"
EMOTIONS = {"W": "angry", "L": "other", "E": "disgust", "A": "fear", "F": "happy",
            "T": "sad", "N": "neutral"}
#: German letter -> English name of the corpus's own label (boredom is kept here).
LABEL_NAMES = {"W": "anger", "L": "boredom", "E": "disgust", "A": "fear", "F": "happiness",
               "T": "sadness", "N": "neutral"}
GENDERS = {"03": "male", "10": "male", "11": "male", "12": "male", "15": "male",
           "08": "female", "09": "female", "13": "female", "14": "female", "16": "female"}
_NAME = re.compile(r"^(\d\d)([ab]\d\d)([A-Z])([a-z])$")


def load(root, strict: bool = False) -> pd.DataFrame:
    """Manifest of EmoDB under ``root`` (the folder holding ``wav/``)."""
    root = corpus_root(Path(root).expanduser().resolve(), lambda d: (d / "wav").is_dir())
    wav_dir = require(root / "wav", "EmoDB", "the wav/ folder of the official download "
                      "(emodb.bilderbar.info) with names like 03a01Fa.wav",
                      "Point root at the unpacked download.zip.")
    log, rows = SkipLog("EmoDB"), []
    for p in other_files(wav_dir):
        log.skip(p, "not an audio file")
    for p in audio_files(wav_dir):
        m = _NAME.match(p.stem)
        if not m:
            log.skip(p, "name does not follow SSTTTEV.wav (e.g. 03a01Fa.wav)")
            continue
        spk, text, emo, version = m.groups()
        if emo not in EMOTIONS:
            log.skip(p, f"unknown emotion letter {emo!r} (known: {sorted(EMOTIONS)})")
            continue
        if spk not in GENDERS:
            log.skip(p, f"unknown speaker {spk} (EmoDB has {sorted(GENDERS)})")
            continue
        rows.append({"utt_id": f"{CORPUS}_{p.stem}", "path": str(p), "corpus": CORPUS,
                     "language": "de", "speaker": f"{CORPUS}_{spk}", "gender": GENDERS[spk],
                     "emotion": EMOTIONS[emo], "label": LABEL_NAMES[emo], "sentence": text,
                     "version": version})
    df = build_manifest(rows, ("label", "sentence", "version"), log)
    return log.finish(df, strict)
