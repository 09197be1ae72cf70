"""Bring your own corpus: a manifest CSV of your clips, read into the shared manifest schema.

The format (README, "Bring your own corpus"; an example in ``examples/my_corpus/``)::

    path,speaker,emotion,gender,language,utt_id
    clips/anna_01.wav,anna,joy,f,en,
    clips/ben_01.wav,ben,anger,m,en,

``path`` (relative to the CSV's folder, or absolute), ``speaker`` and ``emotion`` are
required; ``gender`` (female/male, f/m, woman/man; empty or ``unknown``: the gender of the
speaker's other rows, else unknown), ``language`` (empty:
``und``, undetermined) and ``utt_id`` (empty: the path without its suffix) are optional;
any other column is kept (``sentence`` is what chapter 2 shows a clip says; ``session``
allows ``fold_protocol="session"``). Emotions are the canonical ones
(``camulenet.data.schema.EMOTIONS``) or your own labels mapped onto them by ``label_map.csv``
beside the manifest (two columns, ``label,emotion``: ``joy,happy``); the manifest's
``label`` column keeps your label.

Every problem is reported at once, each with its CSV line and the fix: a missing file, an
unknown label, an empty speaker, a path or utt_id listed twice, a speaker given both genders,
and (``n_folds``) too few speakers for the folds. Nothing is skipped: each row of a manifest
you wrote is meant.
"""

from __future__ import annotations

import csv as csvlib
from pathlib import Path

import pandas as pd

from camulenet.config import CSV_PREFIX, LABEL_MAP_FILE, csv_corpus_name
from camulenet.data.folds import speakers_needed
from camulenet.data.manifest import validate_manifest
from camulenet.data.schema import EMOTIONS, MANIFEST_COLUMNS, UNKNOWN_GENDER
from camulenet.storage.paths import shown

REQUIRED = ("path", "speaker", "emotion")
OPTIONAL = ("gender", "language", "utt_id")
#: Gender spellings accepted (compared case-folded); an empty cell is an unknown gender too.
GENDER_NAMES = {"female": "female", "f": "female", "woman": "female", "w": "female",
                "male": "male", "m": "male", "man": "male", UNKNOWN_GENDER: UNKNOWN_GENDER}
#: Language of a clip whose ``language`` cell is empty (ISO 639-2 "undetermined").
UNDETERMINED = "und"
#: Columns the loader writes itself: a column of that name in the CSV is not carried over.
_WRITTEN = ("label", "corpus", "duration")
#: How many problems an error lists (the count says how many there are in all).
_SHOWN = 12


class CsvManifestError(ValueError):
    """A manifest CSV (or its label map) that cannot be read as a corpus; the message names
    every problem with its CSV line and the fix."""


def _rows(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    """(header, [(line number, row)]) of a CSV; line numbers as an editor shows them."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csvlib.DictReader(f)
            rows = [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None})
                    for row in reader]
            header = [h.strip() for h in reader.fieldnames or []]
    except (UnicodeDecodeError, csvlib.Error) as err:
        raise CsvManifestError(f"{shown(path)} is not a readable UTF-8 CSV ({err}); save it as CSV (UTF-8) "
                               "with a header row") from err
    return header, rows


def _fail(path: Path, problems: list[str], what: str = "") -> None:
    if problems:
        more = f"\n  ... and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
        raise CsvManifestError(f"{shown(path)}: {len(problems)} problem(s){what}:\n  "
                               + "\n  ".join(problems[:_SHOWN]) + more)


def read_label_map(path: Path) -> dict[str, str]:
    """Your label (case-folded) -> canonical emotion, from a two-column ``label,emotion`` CSV."""
    header, rows = _rows(path)
    if not {"label", "emotion"} <= set(header):
        raise CsvManifestError(f"{shown(path)} has columns {header}; a label map needs the two columns "
                               "label,emotion (your label, then the canonical emotion it means)")
    out: dict[str, tuple[str, int]] = {}
    problems = []
    for line, row in rows:
        label, target = row.get("label", ""), row.get("emotion", "").lower()
        if not label:
            problems.append(f"line {line}: empty label; write your label in the first column or remove the row")
        elif target not in EMOTIONS:
            problems.append(f"line {line}: {label!r} maps to {row.get('emotion', '')!r}, which is not a canonical "
                            f"emotion; use one of {', '.join(EMOTIONS)}")
        elif label.casefold() in out and out[label.casefold()][0] != target:
            first, first_line = out[label.casefold()]
            problems.append(f"line {line}: {label!r} maps to {target!r} here and to {first!r} on line "
                            f"{first_line}; keep one of the two rows")
        else:
            out.setdefault(label.casefold(), (target, line))
    _fail(path, problems, " in the label map")
    return {label: target for label, (target, _) in out.items()}


def _speaker_genders(rows: list[dict], problems: list[str]) -> dict[str, str]:
    """speaker -> its one gender (from any of its rows; unknown when none gives one); a speaker
    given two genders is a problem naming both lines."""
    seen: dict[str, tuple[str, int]] = {}
    for r in rows:
        if r["gender"] == UNKNOWN_GENDER:
            continue
        first = seen.setdefault(r["speaker"], (r["gender"], r["line"]))
        if first[0] != r["gender"]:
            problems.append(f"line {r['line']}: speaker {r['speaker']!r} is {r['gender']} here but {first[0]} on "
                            f"line {first[1]}; give each speaker one gender (two people need two speaker ids)")
            seen[r["speaker"]] = (r["gender"], r["line"])  # report each further change once
    return {s: g for s, (g, _) in seen.items()}


def load(csv, name: str | None = None, n_folds: int | None = None, strict: bool = False) -> pd.DataFrame:
    """The manifest of the corpus that ``csv`` lists (validated; see the module docstring).

    ``name`` is the corpus's short name (default :func:`camulenet.config.csv_corpus_name`),
    written to the ``corpus`` column and prefixed to speakers and utt_ids. ``n_folds``: the
    speaker folds the corpus must fill (``camulenet.data.folds.speakers_needed``). ``strict``
    is accepted for the loaders' common signature; nothing is ever skipped.
    """
    path = Path(csv).expanduser().resolve()
    if not path.is_file():
        raise FileNotFoundError(f"manifest CSV {shown(path)} not found; pass the path of your corpus's CSV "
                                "(README, 'Bring your own corpus')")
    name = name or csv_corpus_name(path)
    prefix = name.rsplit("-", 1)[0].removeprefix(CSV_PREFIX)  # csv-<stem>-<hash8> -> <stem>
    label_path = path.parent / LABEL_MAP_FILE
    labels = {e: e for e in EMOTIONS}
    if label_path.is_file():
        labels.update(read_label_map(label_path))
    header, raw = _rows(path)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CsvManifestError(f"{shown(path)} has no column(s) {missing} (its header: {header}); the first line "
                               f"must name the columns: {', '.join(REQUIRED)} (optional: {', '.join(OPTIONAL)})")
    if not raw:
        raise CsvManifestError(f"{shown(path)} lists no clips; add one row per clip below the header")
    problems: list[str] = []
    rows: list[dict] = []
    first_line: dict[tuple[str, str], int] = {}  # (path or utt_id, value) -> its first line
    for line, r in raw:
        bad = len(problems)
        rel = r["path"]
        audio = (path.parent / rel).resolve() if rel else None
        if not rel:
            problems.append(f"line {line}: empty path; give the clip's file, relative to the CSV's folder")
        elif not audio.is_file():
            problems.append(f"line {line}: {rel} not found (looked for {shown(audio)}); fix the path (relative to "
                            "the CSV's folder) or remove the row")
        if not r["speaker"]:
            problems.append(f"line {line}: empty speaker; give every clip its speaker's id (folds keep each "
                            "speaker's clips on one side)")
        label = r["emotion"]
        if not label:
            problems.append(f"line {line}: empty emotion; give every clip its label")
        elif label.casefold() not in labels:
            fix = (f"add a row '{label},<emotion>' to {LABEL_MAP_FILE}" if label_path.is_file() else
                   f"write a {LABEL_MAP_FILE} beside the manifest with the columns label,emotion and a row "
                   f"'{label},<emotion>'")
            problems.append(f"line {line}: emotion {label!r} is not a canonical emotion ({', '.join(EMOTIONS)}); "
                            + fix)
        gender = r.get("gender", "")
        if gender and gender.casefold() not in GENDER_NAMES:
            problems.append(f"line {line}: gender {gender!r} is not one of female/male (or f/m); leave it empty "
                            f"or write {UNKNOWN_GENDER} when unknown")
        utt = r.get("utt_id") or (Path(rel).with_suffix("").as_posix() if rel else "")
        if rel:  # a path listed twice is one problem, not also its utt_id's
            keys = (("path", str(audio)), ("utt_id", utt.casefold()))
            twice = next(((what, first_line[what, key]) for what, key in keys if (what, key) in first_line), None)
            if twice:
                problems.append(f"line {line}: {twice[0]} {rel if twice[0] == 'path' else utt} is listed twice (first "
                                f"on line {twice[1]}); remove one of the two rows")
            for key in keys:
                first_line.setdefault(key, line)
        if len(problems) == bad:
            rows.append({"line": line, "utt_id": f"{prefix}_{utt}", "path": str(audio), "corpus": name,
                         "language": r.get("language") or UNDETERMINED, "speaker": r["speaker"],
                         "gender": GENDER_NAMES.get(gender.casefold(), UNKNOWN_GENDER),
                         "emotion": labels[label.casefold()], "label": label,
                         **{k: v for k, v in r.items() if k not in (*REQUIRED, *OPTIONAL, *_WRITTEN)}})
    genders = _speaker_genders(rows, problems)
    _fail(path, problems)
    speakers = sorted({r["speaker"] for r in rows})
    if n_folds and len(speakers) < speakers_needed(n_folds):
        raise CsvManifestError(f"{shown(path)}: {len(speakers)} speaker(s) ({', '.join(speakers)}) cannot fill "
                               f"{n_folds} speaker-independent folds, each with a test, a validation and a training "
                               f"speaker: add clips of at least {speakers_needed(n_folds)} speakers in all, or "
                               "choose other n_folds")
    df = pd.DataFrame([{**r, "speaker": f"{prefix}_{r['speaker']}",
                        "gender": genders.get(r["speaker"], UNKNOWN_GENDER)} for r in rows]).drop(columns="line")
    extra = [c for c in df.columns if c not in MANIFEST_COLUMNS]
    df = validate_manifest(df[list(MANIFEST_COLUMNS) + extra])
    df.attrs.update(skipped=[], excluded={}, manifest=shown(path),
                    label_map=shown(label_path) if label_path.is_file() else None)
    return df
