"""BhavVani (Hindi) from its annotation CSV.

The corpus is gated and its release layout may change, so every column is
configurable: which column holds the audio path, the speaker, the gender and the
emotion, plus a label map from the CSV's emotion names to schema names.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from camulenet.data.schema import EMOTIONS as SCHEMA_EMOTIONS

from ._report import CorpusLayoutError, SkipLog, build_manifest, require
from ._tree import corpus_root, other_files, resolve_case

CORPUS = "bhavvani"
#: Common spellings of emotion names (lower case) -> schema names; extend with label_map.
DEFAULT_LABEL_MAP = {
    **{e: e for e in SCHEMA_EMOTIONS},
    "anger": "angry", "happiness": "happy", "joy": "happy", "sadness": "sad",
    "fearful": "fear", "scared": "fear", "disgusted": "disgust", "surprised": "surprise",
    "neutrality": "neutral", "excitement": "excited", "frustration": "frustrated",
}
DEFAULT_GENDER_MAP = {"f": "female", "female": "female", "w": "female", "woman": "female",
                      "m": "male", "male": "male", "man": "male"}


def _csvs(folder: Path) -> list[Path]:
    return [p for p in other_files(folder) if p.suffix.lower() == ".csv"] if folder.is_dir() else []


def _find_csv(root: Path) -> Path:
    found = _csvs(root)
    if len(found) != 1:
        raise CorpusLayoutError(
            f"BhavVani: expected exactly one annotation CSV in {root}, found "
            f"{[p.name for p in found]}; pass csv=<path to the annotation CSV>.")
    return found[0]


def _utt_id(p: Path, bases: tuple[Path, ...]) -> str:
    """``bhavvani_<path below the corpus root, no suffix>``: unique across folders.

    A file directly in the root keeps its bare stem (``bhavvani_S01_000``); one below a
    folder keeps the folders (``bhavvani_audio/S01/S01_000``).
    """
    rel = None
    for base in bases:
        for q in (p.absolute(), p.resolve()):
            if rel is None and q.is_relative_to(base):
                rel = q.relative_to(base)
    if rel is None:  # outside every base: the absolute path without its anchor
        rel = Path(*p.resolve().parts[1:])
    return f"{CORPUS}_{rel.with_suffix('').as_posix()}"


def load(root, csv=None, path_col: str = "path", speaker_col: str = "speaker",
         gender_col: str = "gender", emotion_col: str = "emotion", label_map: dict | None = None,
         gender_map: dict | None = None, language: str = "hi", keep: tuple = (),
         strict: bool = False) -> pd.DataFrame:
    """Manifest from BhavVani's annotation CSV.

    Relative paths are resolved against ``root`` (then the CSV's folder). ``label_map``
    / ``gender_map`` extend the defaults (keys compared in lower case). ``keep`` names
    extra CSV columns to carry into the manifest. ``utt_id`` is built from the path
    relative to ``root`` (else the CSV's folder), so equal file names in different
    folders stay distinct.
    """
    root = Path(root).expanduser().resolve()
    if csv is None:  # the CSV marks the release's folder (below any wrapping folder)
        root = corpus_root(root, lambda d: bool(_csvs(d)))
    require(root, "BhavVani", "the corpus folder", "Point root at the unpacked BhavVani release.")
    csv_path = require(Path(csv) if csv else _find_csv(root), "BhavVani", "the annotation CSV",
                       "Pass csv=<path>.")
    table = pd.read_csv(csv_path, dtype=str)
    wanted = [path_col, speaker_col, gender_col, emotion_col, *keep]
    missing = [c for c in wanted if c not in table.columns]
    if missing:
        raise ValueError(f"BhavVani: {csv_path} has no column(s) {missing} (columns: "
                         f"{list(table.columns)}); pass path_col=/speaker_col=/gender_col=/"
                         "emotion_col= to name the right ones.")
    labels = {**DEFAULT_LABEL_MAP, **{str(k).lower(): v for k, v in (label_map or {}).items()}}
    bad_targets = sorted({v for v in labels.values() if v not in SCHEMA_EMOTIONS})
    if bad_targets:
        raise ValueError(f"BhavVani: label_map targets {bad_targets} are not schema emotions "
                         f"{list(SCHEMA_EMOTIONS)}")
    genders = {**DEFAULT_GENDER_MAP, **{str(k).lower(): v for k, v in (gender_map or {}).items()}}
    log, rows, listing = SkipLog("BhavVani"), [], {}
    for i, rec in table.iterrows():
        raw_path = str(rec[path_col]).strip()
        p = Path(raw_path)
        if not p.is_absolute():  # file names compared up to case (x.WAV for x.wav)
            in_root = resolve_case(root / p, listing)
            p = in_root if in_root.exists() else resolve_case(csv_path.parent / p, listing)
        where = f"{csv_path.name} row {i + 2}"
        emo = str(rec[emotion_col]).strip()
        gen = str(rec[gender_col]).strip()
        spk = str(rec[speaker_col]).strip()
        if emo.lower() not in labels:
            log.skip(p, f"unknown emotion {emo!r} ({where}); add it to label_map")
        elif gen.lower() not in genders:
            log.skip(p, f"unknown gender {gen!r} ({where}); add it to gender_map")
        elif not spk or spk.lower() == "nan":
            log.skip(p, f"no speaker ({where})")
        elif not p.is_file():
            log.skip(p, f"audio file not found ({where})")
        else:
            rows.append({"utt_id": _utt_id(p, (root, csv_path.parent.resolve())),
                         "path": str(p.resolve()),
                         "corpus": CORPUS, "language": language, "speaker": f"{CORPUS}_{spk}",
                         "gender": genders[gen.lower()], "emotion": labels[emo.lower()],
                         "label": emo, **{k: rec[k] for k in keep}})
    df = build_manifest(rows, ("label", *keep), log)
    return log.finish(df, strict)
