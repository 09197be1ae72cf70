"""IEMOCAP: labels from ``SessionN/dialog/EmoEvaluation/*.txt``, audio from
``SessionN/sentences/wav/<dialog>/<utt>.wav``.

The speaker is the session plus the gender letter of the utterance's *last* token
(``Ses01F_impro01_M003`` is spoken by the male actor of session 1, speaker
``iemocap_Ses01M``), not the dialog prefix, which only names who led the dialog.
The standard 4-class set (neutral, angry, sad, happy with excited merged in) has
5,531 utterances; other labels are counted in ``df.attrs["excluded"]``. A malformed
V/A/D triple keeps the clip with NaN scores and is reported in ``df.attrs["skipped"]``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ._report import SkipLog, build_manifest, require
from ._tree import corpus_root, other_files, resolve_case

CORPUS = "iemocap"
#: All categorical labels of the EmoEvaluation files and their schema names.
LABELS = {"neu": "neutral", "ang": "angry", "sad": "sad", "hap": "happy", "exc": "excited",
          "fru": "frustrated", "sur": "surprise", "fea": "fear", "dis": "disgust", "oth": "other"}
#: 'xxx' = annotators did not agree; never a class.
NO_AGREEMENT = "xxx"
FOUR_CLASS = ("neu", "ang", "sad", "hap", "exc")
#: The 4-class set without the merge: excited is not a fifth class, it is excluded.
FOUR_CLASS_UNMERGED = ("neu", "ang", "sad", "hap")
_LINE = re.compile(r"^\[\s*([\d.]+)\s*-\s*([\d.]+)\s*\]\t(\S+)\t(\S+)\t\[([^\]]*)\]")
_UTT = re.compile(r"^(Ses\d\d)[FM]_(.+)_([FM])(\d+)$")
_HINT = "Point root at the IEMOCAP_full_release folder that holds Session1 ... Session5."


def _parse_label_file(txt: Path):
    for line in txt.read_text(encoding="utf-8", errors="replace").splitlines():
        m = _LINE.match(line)
        if m:
            start, end, utt, label, vad = m.groups()
            yield float(start), float(end), utt, label, vad


def load(root, classes: str = "4", merge_excited: bool = True, sessions=(1, 2, 3, 4, 5),
         strict: bool = False) -> pd.DataFrame:
    """Manifest of IEMOCAP. ``classes="4"``: neu/ang/sad/hap(+exc); ``"all"``: every
    agreed label (``xxx`` is always excluded). ``merge_excited`` maps exc to happy;
    with ``merge_excited=False`` the 4-class set excludes exc (it stays four classes)."""
    if classes not in ("4", "all"):
        raise ValueError(f"IEMOCAP: classes must be '4' or 'all', got {classes!r}")
    four = FOUR_CLASS if merge_excited else FOUR_CLASS_UNMERGED
    root = corpus_root(Path(root).expanduser().resolve(),
                       lambda d: any((d / f"Session{n}").is_dir() for n in sessions))
    log, rows, listing = SkipLog("IEMOCAP"), [], {}
    for n in sessions:
        sess = require(root / f"Session{n}", "IEMOCAP", f"the Session{n} folder", _HINT)
        label_dir = require(sess / "dialog" / "EmoEvaluation", "IEMOCAP",
                            "the label files <dialog>.txt", _HINT)
        wav_root = require(sess / "sentences" / "wav", "IEMOCAP",
                           "one folder of utterance wavs per dialog", _HINT)
        for txt in [p for p in other_files(label_dir) if p.suffix.lower() == ".txt"]:
            dialog = txt.stem
            for start, end, utt, label, vad in _parse_label_file(txt):
                wav = resolve_case(wav_root / dialog / f"{utt}.wav", listing)
                m = _UTT.match(utt)
                if not m:
                    log.skip(txt, f"utterance id {utt!r} does not end in _F###/_M###")
                    continue
                if label != NO_AGREEMENT and label not in LABELS:
                    log.skip(wav, f"unknown label {label!r} in {txt.name}")
                    continue
                if label == NO_AGREEMENT or (classes == "4" and label not in four):
                    log.exclude(label)
                    continue
                if not wav.is_file():
                    log.skip(wav, f"wav missing for labelled utterance {utt} ({txt.name})")
                    continue
                session, rest, letter, _ = m.groups()
                emotion = LABELS[label]
                if label == "exc" and merge_excited:
                    emotion = "happy"
                try:
                    v, a, d = (float(x) for x in vad.split(","))
                except ValueError:  # keep the clip (its label is fine), report the scores
                    v = a = d = float("nan")
                    log.skip(txt, f"malformed V/A/D [{vad}] for {utt}; clip kept with NaN "
                                  "valence/activation/dominance")
                rows.append({"utt_id": f"{CORPUS}_{utt}", "path": str(wav), "corpus": CORPUS,
                             "language": "en", "speaker": f"{CORPUS}_{session}{letter}",
                             "gender": "female" if letter == "F" else "male", "emotion": emotion,
                             "label": label, "session": int(session[3:]), "dialog": dialog,
                             "improvised": "_impro" in dialog, "start": start, "end": end,
                             "valence": v, "activation": a, "dominance": d})
    extra = ("label", "session", "dialog", "improvised", "start", "end",
             "valence", "activation", "dominance")
    df = build_manifest(rows, extra, log)
    selection = ("label selection" if classes != "4" else
                 "4-class selection (neu, ang, sad, hap+exc)" if merge_excited else
                 "4-class selection (neu, ang, sad, hap; exc excluded)")
    return log.finish(df, strict, selection)
