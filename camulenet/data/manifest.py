"""Check, save, load and summarise manifests (the one table every corpus loader produces).

See :mod:`camulenet.data.schema` for the columns. Paths are absolute in memory; on disk a
manifest CSV stores them relative to its own folder when the audio lives below it, so
the data folder can be moved or mounted elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf

from camulenet.data.schema import EMOTIONS, GENDERS, MANIFEST_COLUMNS, UNKNOWN_GENDER

#: Columns always read as strings (speaker "1001" must not become the integer 1001).
_STR_COLUMNS = ("utt_id", "path", "corpus", "language", "speaker", "gender", "emotion")


def _examples(values, n: int = 10) -> str:
    values = list(values)
    more = f" ... ({len(values)} in all)" if len(values) > n else ""
    return ", ".join(map(str, values[:n])) + more


def validate_manifest(df: pd.DataFrame, check_files: bool = False) -> pd.DataFrame:
    """Return ``df`` with the schema columns first; raise ValueError naming any problem.

    Checks: required columns present and non-empty, unique utt_id, genders in
    ``schema.GENDERS`` (or ``schema.UNKNOWN_GENDER``), emotions in ``schema.EMOTIONS``, one gender and one corpus per
    speaker, and (``check_files``) that every path exists.
    """
    missing = [c for c in MANIFEST_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"manifest is missing required column(s) {missing}; "
                         f"required, in order: {list(MANIFEST_COLUMNS)}")
    for col in MANIFEST_COLUMNS:
        empty = df[col].isna() | (df[col].astype(str).str.strip() == "")
        if empty.any():
            rows = df.index[empty].tolist()
            raise ValueError(f"manifest column {col!r} is empty in {int(empty.sum())} row(s): "
                             f"index {_examples(rows)}")
    dup = df["utt_id"][df["utt_id"].duplicated(keep=False)]
    if len(dup):
        raise ValueError(f"manifest has duplicated utt_id(s): {_examples(sorted(set(dup)))}")
    for col, allowed in (("gender", (*GENDERS, UNKNOWN_GENDER)), ("emotion", EMOTIONS)):
        bad = df.loc[~df[col].isin(allowed), col].value_counts()
        if len(bad):
            listing = ", ".join(f"{k!r} ({v} clips)" for k, v in bad.items())
            raise ValueError(f"manifest column {col!r} has value(s) outside schema "
                             f"{list(allowed)}: {listing}")
    for col in ("gender", "corpus"):
        per_speaker = df.groupby("speaker")[col].nunique()
        mixed = per_speaker.index[per_speaker > 1].tolist()
        if mixed:
            raise ValueError(f"speaker(s) with more than one {col}: {_examples(sorted(mixed))}; "
                             "a speaker id must be unique to one person (prefix it with the corpus)")
    if check_files:
        absent = [p for p in df["path"] if not os.path.exists(p)]
        if absent:
            raise ValueError(f"{len(absent)} of {len(df)} manifest path(s) do not exist: "
                             f"{_examples(absent)}; check the corpus root or re-run the loader")
    extra = [c for c in df.columns if c not in MANIFEST_COLUMNS]
    out = df[list(MANIFEST_COLUMNS) + extra].copy()
    out.attrs = dict(df.attrs)
    return out


def save_manifest(df: pd.DataFrame, path) -> Path:
    """Write ``df`` as CSV; paths below the CSV's folder are stored relative to it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    base = path.parent.resolve()
    out = validate_manifest(df)

    def rel(p: str) -> str:
        p_abs = Path(p).resolve() if os.path.isabs(p) else Path(p)
        try:
            return p_abs.relative_to(base).as_posix()
        except ValueError:
            return str(p)

    out["path"] = [rel(str(p)) for p in out["path"]]
    out.to_csv(path, index=False)
    return path


def load_manifest(path) -> pd.DataFrame:
    """Read a manifest CSV; relative paths are made absolute against the CSV's folder."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"manifest {path} not found; build it with the corpus loader "
                                "(camulenet.data.corpora.load_corpus) and save_manifest")
    try:
        df = pd.read_csv(path, dtype={c: str for c in _STR_COLUMNS})
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as err:
        raise ValueError(f"{path}: not a readable CSV ({err}); rebuild it with the corpus "
                         "loader and save_manifest") from err
    base = path.parent.resolve()
    if "path" in df.columns:
        df["path"] = [p if not isinstance(p, str) or os.path.isabs(p) else str(base / p)
                      for p in df["path"]]
    try:
        return validate_manifest(df)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err


def summarize(df: pd.DataFrame) -> pd.DataFrame:
    """One row per corpus: clips, speakers (female/male), languages, emotions, hours."""
    rows = []
    for corpus, g in df.groupby("corpus", sort=True):
        spk_gender = g.groupby("speaker")["gender"].first()
        row = {
            "corpus": corpus,
            "clips": len(g),
            "speakers": g["speaker"].nunique(),
            "female_speakers": int((spk_gender == "female").sum()),
            "male_speakers": int((spk_gender == "male").sum()),
            "languages": ",".join(sorted(g["language"].unique())),
            "emotions": g["emotion"].nunique(),
            "emotion_names": ",".join(e for e in EMOTIONS if e in set(g["emotion"])),
        }
        if "duration" in g.columns:
            row["hours"] = round(float(pd.to_numeric(g["duration"], errors="coerce").sum()) / 3600, 3)
        rows.append(row)
    return pd.DataFrame(rows).set_index("corpus")


def balanced_subset(df: pd.DataFrame, max_clips: int, seed: int = 0, max_speakers: int = 8) -> pd.DataFrame:
    """At most ``max_clips`` clips from up to ``max_speakers`` speakers, both genders alike,
    each speaker's clips cycling through the emotions (smoke runs of large configurations).

    A pure function of the manifest and the seed; rows keep the manifest's order.
    """

    if max_clips >= len(df):
        return df
    rng = np.random.default_rng(seed)
    by_gender = {g: sorted(map(str, s.unique())) for g, s in df.groupby("gender")["speaker"]}
    shuffled = {g: list(rng.permutation(v)) for g, v in sorted(by_gender.items())}
    speakers: list[str] = []
    while len(speakers) < max_speakers and any(shuffled.values()):
        for g in sorted(shuffled):
            if shuffled[g] and len(speakers) < max_speakers:
                speakers.append(str(shuffled[g].pop(0)))
    per = max(1, max_clips // len(speakers))
    keep: list[int] = []
    for spk in speakers:
        rows = df[df["speaker"].astype(str) == spk]
        by_emotion = [list(g.index) for _, g in sorted(rows.groupby("emotion"))]
        picked: list[int] = []
        while len(picked) < per and any(by_emotion):
            for idx in by_emotion:
                if idx and len(picked) < per:
                    picked.append(idx.pop(0))
        keep += picked
    out = df.loc[sorted(keep)]
    out.attrs = dict(df.attrs)
    return out


def with_durations(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with a ``duration`` column (seconds, from each file's header; NaN where it cannot
    be read -- feature extraction reports those files). Loaders of real corpora do not read
    audio, so the book adds durations here, for every corpus alike."""
    if "duration" in df.columns:
        return df

    def seconds(path: str) -> float:
        try:
            return float(sf.info(path).duration)
        except Exception:
            return float(np.nan)

    out = df.assign(duration=[seconds(p) for p in df["path"].astype(str)])
    out.attrs = dict(df.attrs)
    return out
