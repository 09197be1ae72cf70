"""EMOVO (Italian): ``<actor>/<emo>-<actor>-<sentence>.wav``, actors f1..f3, m1..m3.

588 clips (6 actors x 7 emotions x 14 sentences).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ._report import CorpusLayoutError, SkipLog, build_manifest
from ._tree import audio_files, corpus_root, other_files, subfolders

CORPUS = "emovo"
EMOTIONS = {"dis": "disgust", "gio": "happy", "neu": "neutral", "pau": "fear",
            "rab": "angry", "sor": "surprise", "tri": "sad"}
ACTORS = ("f1", "f2", "f3", "m1", "m2", "m3")
_NAME = re.compile(r"^([a-z]{3})-([fm]\d)-([a-z]\d)$")


def _actor_dirs(folder: Path) -> dict[str, Path]:
    """actor -> its folder in ``folder`` (names compared in lower case: ``F1/`` is ``f1/``)."""
    return {d.name.lower(): d for d in subfolders(folder) if d.name.lower() in ACTORS}


def load(root, strict: bool = False) -> pd.DataFrame:
    """Manifest of EMOVO under ``root`` (the folder holding f1/ ... m3/, or one that wraps it)."""
    root = corpus_root(Path(root).expanduser().resolve(), lambda d: bool(_actor_dirs(d)))
    found = _actor_dirs(root)
    missing = [a for a in ACTORS if a not in found]
    if missing:
        raise CorpusLayoutError(f"EMOVO: {root} lacks actor folder(s) {missing}; expected the "
                                "unpacked EMOVO corpus (f1/dis-f1-b1.wav ... m3/tri-m3-n5.wav).")
    log, rows = SkipLog("EMOVO"), []
    for actor_dir in (found[a] for a in ACTORS):
        for p in other_files(actor_dir):
            log.skip(p, "not an audio file")
        for p in audio_files(actor_dir):
            m = _NAME.match(p.stem.lower())
            if not m:
                log.skip(p, "name does not follow <emo>-<actor>-<sentence>.wav")
                continue
            emo, actor, sentence = m.groups()
            if emo not in EMOTIONS:
                log.skip(p, f"unknown emotion code {emo!r} (known: {sorted(EMOTIONS)})")
                continue
            if actor != actor_dir.name.lower():
                log.skip(p, f"actor {actor} in the name but folder {actor_dir.name}")
                continue
            rows.append({"utt_id": f"{CORPUS}_{p.stem}", "path": str(p), "corpus": CORPUS,
                         "language": "it", "speaker": f"{CORPUS}_{actor}",
                         "gender": "female" if actor[0] == "f" else "male",
                         "emotion": EMOTIONS[emo], "label": emo, "sentence": sentence})
    df = build_manifest(rows, ("label", "sentence"), log)
    return log.finish(df, strict)
