"""CaFE (Canadian French): ``<Émotion>/<Faible|Fort>/AA-E-I-S.wav``; neutral has no
intensity folder and is named ``AA-N-S.wav``.

936 clips, 12 actors (odd = male), seven emotions, French. The 48 kHz edition ships
WAV, the 192 kHz edition AIFF; both are accepted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ._report import CorpusLayoutError, SkipLog, audio_files, build_manifest, nfc, other_files, strip_accents

CORPUS = "cafe"
EMOTIONS = {"C": "angry", "D": "disgust", "J": "happy", "N": "neutral", "P": "fear",
            "S": "surprise", "T": "sad"}
#: Emotion letter -> folder name (compared without accents or case).
FOLDERS = {"C": "Colère", "D": "Dégoût", "J": "Joie", "N": "Neutre", "P": "Peur",
           "S": "Surprise", "T": "Tristesse"}
INTENSITY = {"1": "faible", "2": "fort"}
_NAME = re.compile(r"^(\d\d)-([A-Z])-(?:(\d)-)?(\d)$")


def load(root, strict: bool = False) -> pd.DataFrame:
    """Manifest of CaFE under ``root`` (the folder holding Colère/, Dégoût/, ...).

    Audio lying directly in ``root`` or in a non-emotion folder, and non-audio files in
    the emotion folders, are reported as skipped.
    """
    root = Path(root).expanduser().resolve()
    by_key = {strip_accents(p.name): p for p in root.iterdir() if p.is_dir()} if root.is_dir() else {}
    missing = [name for name in FOLDERS.values() if strip_accents(name) not in by_key]
    if missing:
        raise CorpusLayoutError(
            f"CaFE: {root} lacks emotion folder(s) {missing}; expected the unpacked "
            "CaFE_48k.zip (Colère/Faible/01-C-1-1.wav, ..., Neutre/01-N-1.wav).")
    log, rows = SkipLog("CaFE"), []
    folder_letter = {strip_accents(v): k for k, v in FOLDERS.items()}
    for p in audio_files(root):
        log.skip(p, "audio directly in the corpus root; CaFE clips live in <Émotion>/ folders")
    for key in sorted(by_key):
        folder = by_key[key]
        if key not in folder_letter:
            for p in audio_files(folder, recursive=True):
                log.skip(p, f"folder {nfc(folder.name)!r} is not a CaFE emotion")
            continue
        for p in other_files(folder, recursive=True):
            log.skip(p, "not an audio file")
        for p in audio_files(folder, recursive=True):
            m = _NAME.match(p.stem)
            if not m:
                log.skip(p, "name does not follow AA-E-I-S.wav (AA-N-S.wav for neutral)")
                continue
            actor, emo, inten, sentence = m.groups()
            if emo not in EMOTIONS:
                log.skip(p, f"unknown emotion letter {emo!r} (known: {sorted(EMOTIONS)})")
                continue
            if emo != folder_letter[key]:
                log.skip(p, f"emotion letter {emo} but folder {nfc(folder.name)!r}")
                continue
            if (emo == "N") != (inten is None) or (inten and inten not in INTENSITY):
                log.skip(p, f"intensity {inten!r} does not fit emotion {emo}")
                continue
            parent = strip_accents(p.parent.name)
            if inten and parent != INTENSITY[inten]:
                log.skip(p, f"intensity {inten} but folder {nfc(p.parent.name)!r}")
                continue
            rows.append({"utt_id": f"{CORPUS}_{p.stem}", "path": str(p), "corpus": CORPUS,
                         "language": "fr", "speaker": f"{CORPUS}_{actor}",
                         "gender": "male" if int(actor) % 2 else "female",
                         "emotion": EMOTIONS[emo], "label": emo,
                         "intensity": INTENSITY.get(inten, "none"), "sentence": sentence})
    df = build_manifest(rows, ("label", "intensity", "sentence"), log)
    return log.finish(df, strict)
