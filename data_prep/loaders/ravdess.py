"""RAVDESS speech: ``Actor_XX/03-01-EE-II-SS-RR-AA.wav`` (Audio_Speech_Actors_01-24.zip).

1,440 clips, 24 actors (odd = male), eight emotions including calm, English.
Song (vocal channel 02) and video files are excluded and counted, not mixed in.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ._report import CorpusLayoutError, SkipLog, build_manifest
from ._tree import audio_files, corpus_root, other_files, subfolders

CORPUS = "ravdess"
EMOTIONS = {"01": "neutral", "02": "calm", "03": "happy", "04": "sad", "05": "angry",
            "06": "fear", "07": "disgust", "08": "surprise"}
INTENSITY = {"01": "normal", "02": "strong"}
STATEMENTS = {"01": "Kids are talking by the door", "02": "Dogs are sitting by the door"}
_NAME = re.compile(r"^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)$")
_ACTOR_DIR = re.compile(r"^Actor_(\d\d)$")


def _actor_dirs(folder: Path) -> list[Path]:
    return [p for p in subfolders(folder) if p.name.startswith("Actor_")]


def load(root, strict: bool = False) -> pd.DataFrame:
    """Manifest of the RAVDESS speech clips under ``root`` (the folder holding Actor_01..24,
    or a folder that wraps it, such as ``Audio_Speech_Actors_01-24/``)."""
    given = Path(root).expanduser().resolve()
    root = corpus_root(given, lambda d: bool(_actor_dirs(d)))
    actor_dirs = _actor_dirs(root)
    if not actor_dirs:
        raise CorpusLayoutError(
            f"RAVDESS: no Actor_XX folders in {given} or in a single folder below it; expected the "
            "unpacked Audio_Speech_Actors_01-24.zip (Actor_01/03-01-01-01-01-01-01.wav ...). "
            "Point root at the folder that holds Actor_01 ... Actor_24.")
    log, rows = SkipLog("RAVDESS"), []
    for adir in actor_dirs:
        folder_actor = _ACTOR_DIR.match(adir.name)
        for p in other_files(adir):
            log.skip(p, "not an audio file")
        for p in audio_files(adir):
            m = _NAME.match(p.stem)
            if not m or not folder_actor:
                log.skip(p, "name does not follow Actor_XX/MM-VV-EE-II-SS-RR-AA.wav")
                continue
            modality, channel, emo, inten, stmt, rep, actor = m.groups()
            if modality != "03" or channel != "01":
                log.exclude(f"modality {modality} channel {channel}")
                continue
            if actor != folder_actor.group(1):
                log.skip(p, f"actor {actor} in the name but folder {adir.name}")
                continue
            if emo not in EMOTIONS or inten not in INTENSITY or stmt not in STATEMENTS:
                log.skip(p, f"unknown emotion/intensity/statement code {emo}/{inten}/{stmt}")
                continue
            rows.append({"utt_id": f"{CORPUS}_{p.stem}", "path": str(p), "corpus": CORPUS,
                         "language": "en", "speaker": f"{CORPUS}_{actor}",
                         "gender": "male" if int(actor) % 2 else "female",
                         "emotion": EMOTIONS[emo], "label": emo, "intensity": INTENSITY[inten],
                         "sentence": stmt, "repetition": int(rep)})
    df = build_manifest(rows, ("label", "intensity", "sentence", "repetition"), log)
    return log.finish(df, strict, "speech-only selection (modality 03, vocal channel 01)")
