"""CaFE (Canadian French): ``<Émotion>/<Faible|Fort>/AA-E-I-S.wav``; neutral has no
intensity folder and is named ``AA-N-S.wav``.

936 clips, 12 actors (odd = male), seven emotions, French. The 48 kHz edition ships
WAV, the 192 kHz edition AIFF; both are accepted.

Every file name carries its actor, emotion letter, intensity and sentence, so the labels
come from the name. ``CaFE_48k.zip`` stores its folder names in a DOS code page, which
common tools unpack as ``ColŠre``, ``D‚go–t`` or raw bytes instead of ``Colère``,
``Dégoût``: the folders are only a consistency check, and one that tolerates such names
(a clip filed under another emotion's or intensity's folder is reported and skipped).
Folders named in raw bytes (not valid UTF-8) are renamed to their official names first,
with a warning: no path through them could enter a manifest or be opened by libsndfile.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd

from ._report import CorpusLayoutError, RenamedFoldersWarning, SkipLog, build_manifest
from ._tree import audio_files, corpus_root, name_matches, other_files, rename_undecodable, shown, subfolders

CORPUS = "cafe"
EMOTIONS = {"C": "angry", "D": "disgust", "J": "happy", "N": "neutral", "P": "fear",
            "S": "surprise", "T": "sad"}
#: Emotion letter -> folder name of the official archive.
FOLDERS = {"C": "Colère", "D": "Dégoût", "J": "Joie", "N": "Neutre", "P": "Peur",
           "S": "Surprise", "T": "Tristesse"}
INTENSITY = {"1": "faible", "2": "fort"}
_NAME = re.compile(r"^(\d\d)-([A-Z])-(?:(\d)-)?(\d)$")
_HINT = ("expected the unpacked CaFE_48k.zip: Colère/Faible/01-C-1-1.wav ... Neutre/01-N-1.wav, "
         "with or without its CaFE_48k/ folder")


def _folder_letter(name: str) -> str | None:
    """The emotion letter whose folder ``name`` is (however unpacked), else None."""
    return next((k for k, v in FOLDERS.items() if name_matches(name, v)), None)


def _folder_intensity(name: str) -> str | None:
    return next((k for k, v in INTENSITY.items() if name_matches(name, v)), None)


def _looks_like_cafe(folder: Path) -> bool:
    """Emotion folders in ``folder``, or CaFE-named clips directly in one of its folders."""
    return any(_folder_letter(d.name) or any(_NAME.match(p.stem) for p in audio_files(d))
               for d in subfolders(folder))


def _contradiction(p: Path, root: Path, emo: str, inten: str | None) -> str | None:
    """Why the folders above ``p`` contradict its name (another emotion or intensity), or None."""
    for folder in p.relative_to(root).parts[:-1]:
        letter, level = _folder_letter(folder), _folder_intensity(folder)
        if letter and letter != emo:
            return f"emotion letter {emo} but folder {shown(folder)!r}"
        if level and inten and level != inten:
            return f"intensity {inten} but folder {shown(folder)!r}"
    return None


def load(root, strict: bool = False) -> pd.DataFrame:
    """Manifest of CaFE under ``root`` (the unpacked archive, with or without its top folder).

    Labels come from the file names; a clip whose folders name another emotion or
    intensity, a name that does not follow the scheme and non-audio files in the folders
    are reported as skipped.
    """
    root = corpus_root(Path(root).expanduser().resolve(), _looks_like_cafe)
    if not root.is_dir():
        raise CorpusLayoutError(f"CaFE: {root} not found; {_HINT}.")
    renamed, refused = rename_undecodable(root, (*FOLDERS.values(), "Faible", "Fort"))
    if refused:
        raise CorpusLayoutError(
            f"CaFE: folder name(s) that are not valid UTF-8 (a DOS code page unpacked as raw bytes), "
            f"which no manifest can hold: {'; '.join(refused)}"
            + (f" (renamed already: {'; '.join(renamed)})" if renamed else "")
            + ". Rename them to the official names "
            f"({', '.join(FOLDERS.values())}; Faible, Fort), or unpack CaFE_48k.zip again with "
            "`python -m zipfile -e CaFE_48k.zip FOLDER` or `unzip -O CP850`, which decode them.")
    if renamed:
        warnings.warn(f"CaFE: renamed {len(renamed)} folder(s) whose names were raw DOS-code-page "
                      f"bytes to the official names: {'; '.join(renamed)}", RenamedFoldersWarning,
                      stacklevel=2)
    log, rows = SkipLog("CaFE"), []
    for p in (p for d in subfolders(root) for p in other_files(d, recursive=True)):
        log.skip(p, "not an audio file")   # files beside the folders (licence, notes) are not clips
    for p in audio_files(root, recursive=True):
        m = _NAME.match(p.stem)
        if not m:
            log.skip(p, "name does not follow AA-E-I-S.wav (AA-N-S.wav for neutral)")
            continue
        actor, emo, inten, sentence = m.groups()
        if emo not in EMOTIONS:
            log.skip(p, f"unknown emotion letter {emo!r} (known: {sorted(EMOTIONS)})")
            continue
        if (emo == "N") != (inten is None) or (inten and inten not in INTENSITY):
            log.skip(p, f"intensity {inten!r} does not fit emotion {emo}")
            continue
        why = _contradiction(p, root, emo, inten)
        if why:
            log.skip(p, why)
            continue
        rows.append({"utt_id": f"{CORPUS}_{p.stem}", "path": str(p), "corpus": CORPUS,
                     "language": "fr", "speaker": f"{CORPUS}_{actor}",
                     "gender": "male" if int(actor) % 2 else "female",
                     "emotion": EMOTIONS[emo], "label": emo,
                     "intensity": INTENSITY.get(inten, "none"), "sentence": sentence})
    df = build_manifest(rows, ("label", "intensity", "sentence"), log, root, _HINT)
    df.attrs["renamed"] = renamed
    return log.finish(df, strict)
