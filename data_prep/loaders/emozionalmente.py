"""Emozionalmente (Italian): ``audio/<file>.wav``, labelled in ``metadata/samples.csv``,
its speakers described in ``metadata/users.csv`` (Zenodo record 6569824, ``emozionalmente.zip``).

6,902 clips acted by 431 non-professional speakers through a web app (crowdsourced),
18 sentences, seven emotions (the Big Six and neutrality), Italian. The file names are
recording times and carry no label, so the label is the one the publisher defines:
``emotion_expressed``, the emotion the speaker was asked to act (listeners' guesses in
``evaluations.csv`` are not labels). Gender and age come from ``users.csv`` (which lists
listeners too). Speakers hold very different numbers of clips, from one to about a
hundred; :func:`camulenet.data.folds.make_folds` balances folds for that shape.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ._report import SkipLog, build_manifest, require
from ._tree import audio_files, corpus_root, resolve_case

CORPUS = "emozionalmente"
#: emotion_expressed -> schema emotion.
EMOTIONS = {"anger": "angry", "disgust": "disgust", "fear": "fear", "joy": "happy",
            "neutrality": "neutral", "sadness": "sad", "surprise": "surprise"}
#: users.csv gender spellings (lower case) -> schema gender.
GENDERS = {"female": "female", "f": "female", "donna": "female", "femmina": "female",
           "male": "male", "m": "male", "uomo": "male", "maschio": "male"}
SAMPLES = "metadata/samples.csv"
USERS = "metadata/users.csv"
SAMPLE_COLUMNS = ("file_name", "actor", "sentence", "emotion_expressed")
USER_COLUMNS = ("username", "gender", "age")
_LAYOUT = ("the unpacked emozionalmente.zip from Zenodo (record 6569824): audio/*.wav, "
           "metadata/samples.csv and metadata/users.csv")


def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"Emozionalmente: {path} has no column(s) {missing} (columns: "
                         f"{list(table.columns)}); expected {_LAYOUT}. Restore the file from the archive.")
    return table.apply(lambda col: col.str.strip())


def load(root, strict: bool = False) -> pd.DataFrame:
    """Manifest of Emozionalmente under ``root`` (the unpacked archive, with or without its
    ``emozionalmente/`` folder).

    Rows of samples.csv with an unknown emotion, an actor missing from users.csv, a gender
    other than female/male, or no audio file, and audio files samples.csv does not list,
    are reported as skipped.
    """
    root = corpus_root(Path(root).expanduser().resolve(), lambda d: (d / SAMPLES).is_file())
    fix = f"Point root at {_LAYOUT}."
    samples_csv = require(root / SAMPLES, "Emozionalmente", "the clip table", fix)
    users_csv = require(root / USERS, "Emozionalmente", "the speaker table", fix)
    audio_dir = require(root / "audio", "Emozionalmente", "the folder of the clips", fix)
    samples, users = _read(samples_csv, SAMPLE_COLUMNS), _read(users_csv, USER_COLUMNS)
    person = users.drop_duplicates("username").set_index("username")
    log, rows, listing, listed = SkipLog("Emozionalmente"), [], {}, set()
    for i, rec in enumerate(samples.itertuples(index=False)):
        where = f"{SAMPLES} row {i + 2}"
        p = resolve_case(audio_dir / rec.file_name, listing)   # x.WAV on disk for x.wav
        listed.add(p)
        emotion = rec.emotion_expressed.lower()
        gender = person["gender"].get(rec.actor, "").lower()
        if emotion not in EMOTIONS:
            log.skip(p, f"unknown emotion {rec.emotion_expressed!r} ({where}; known: {sorted(EMOTIONS)})")
        elif not rec.actor:
            log.skip(p, f"no actor ({where})")
        elif rec.actor not in person.index:
            log.skip(p, f"actor {rec.actor!r} ({where}) is not in {USERS}")
        elif gender not in GENDERS:
            log.skip(p, f"actor {rec.actor!r} has gender {gender!r} in {USERS}; the manifest "
                        f"schema knows female and male ({sorted(GENDERS)})")
        elif not p.is_file():
            log.skip(p, f"audio file not found ({where})")
        else:
            rows.append({"utt_id": f"{CORPUS}_{p.stem}", "path": str(p), "corpus": CORPUS,
                         "language": "it", "speaker": f"{CORPUS}_{rec.actor}",
                         "gender": GENDERS[gender], "emotion": EMOTIONS[emotion],
                         "label": emotion, "sentence": rec.sentence,
                         "age": person["age"].get(rec.actor, "")})
    for p in audio_files(audio_dir, recursive=True):
        if p not in listed:
            log.skip(p, f"not listed in {SAMPLES}")
    df = build_manifest(rows, ("label", "sentence", "age"), log, root, _LAYOUT)
    df["age"] = pd.to_numeric(df["age"], errors="coerce")
    return log.finish(df, strict)
