"""Shared pieces of every corpus loader: layout errors, skip reports, frame assembly.

Loaders never drop a file silently: anything they cannot map (unknown code, name
that does not follow the corpus's scheme, actor missing from a table) goes into a
:class:`SkipLog`, which ends up in ``df.attrs["skipped"]``, is warned about, and
raises under ``strict=True``. Clips left out on purpose by a label selection (e.g.
IEMOCAP's 4-class set) are counted in ``df.attrs["excluded"]`` instead.
"""

from __future__ import annotations

import sys
import warnings
from collections import Counter
from pathlib import Path
from typing import Iterable

import pandas as pd

from camulenet.data.manifest import validate_manifest
from camulenet.data.schema import MANIFEST_COLUMNS

from ._tree import shown


class CorpusLayoutError(FileNotFoundError):
    """The folder given as a corpus root does not look like that corpus."""


class DuplicateClipError(CorpusLayoutError, ValueError):
    """Two files (or label lines) give one clip id: keeping either would drop the other."""


class UnknownItemsError(ValueError):
    """Raised under ``strict=True`` when a loader had to skip files or labels."""


class SkippedItemsWarning(UserWarning):
    """Some files or labels could not be mapped and were left out (see attrs['skipped'])."""


class ExcludedLabelsWarning(UserWarning):
    """A label selection left clips out on purpose (see attrs['excluded'])."""


class RenamedFoldersWarning(UserWarning):
    """Folders named in raw bytes were given their official names (see attrs['renamed'])."""


def require(path: Path, corpus: str, what: str, hint: str) -> Path:
    """Return ``path`` if it exists, else raise naming it and how to fix the layout."""
    path = Path(path)
    if not path.exists():
        raise CorpusLayoutError(f"{corpus}: {path} not found; expected {what}. {hint}")
    return path


def _outside_stacklevel() -> int:
    """stacklevel that points a warning at the first caller outside this package."""
    here = str(Path(__file__).parent)
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(here):
        frame, level = frame.f_back, level + 1
    return level


class SkipLog:
    """Collects skipped items and selection exclusions for one loader call."""

    def __init__(self, corpus: str):
        self.corpus = corpus
        self.skipped: list[dict] = []
        self.excluded: Counter = Counter()

    def skip(self, path, reason: str) -> None:
        """Record ``path`` (printable: undecodable bytes of its name shown as ``\\x8a``) and why."""
        self.skipped.append({"path": shown(str(path)), "reason": reason})

    def exclude(self, label: str) -> None:
        self.excluded[str(label)] += 1

    def finish(self, df: pd.DataFrame, strict: bool = False, selection: str = "") -> pd.DataFrame:
        """Attach the report to ``df.attrs``; warn (or raise when ``strict``)."""
        df.attrs["skipped"] = list(self.skipped)
        df.attrs["excluded"] = {k: self.excluded[k] for k in sorted(self.excluded)}
        if self.skipped:
            first = "; ".join(f"{Path(s['path']).name}: {s['reason']}" for s in self.skipped[:5])
            msg = (f"{self.corpus}: skipped {len(self.skipped)} item(s) that could not be "
                   f"mapped (full list in df.attrs['skipped']). First: {first}")
            if strict:
                raise UnknownItemsError(msg + ". Fix or remove them, or load with strict=False.")
            warnings.warn(msg, SkippedItemsWarning, stacklevel=_outside_stacklevel())
        if self.excluded:
            counts = ", ".join(f"{k} {v}" for k, v in df.attrs["excluded"].items())
            warnings.warn(f"{self.corpus}: {selection or 'label selection'} kept {len(df)} clips "
                          f"and excluded {sum(self.excluded.values())} ({counts}); "
                          "counts in df.attrs['excluded']", ExcludedLabelsWarning,
                          stacklevel=_outside_stacklevel())
        return df


def check_duplicates(rows: list[dict], corpus: str) -> None:
    """Raise :class:`DuplicateClipError` naming both paths when two rows share an utt_id.

    utt_ids are compared case-folded: ``x.WAV`` beside ``x.wav``, ``x.wav`` beside
    ``x.flac`` or ``Dis-f1-b1.wav`` beside ``dis-f1-b1.wav`` are one clip stored twice,
    and ids differing only in case also collide on case-insensitive file systems.
    Raised whatever ``strict`` is, because keeping one would silently drop the other.
    """
    first: dict[str, dict] = {}
    clashes = []
    for row in rows:
        key = str(row["utt_id"]).casefold()
        if key in first:
            clashes.append((first[key], row))
        else:
            first[key] = row
    if not clashes:
        return
    lines = []
    for a, b in clashes[:5]:
        if a["path"] == b["path"]:
            lines.append(f"{shown(a['path'])} is listed twice (utt_id {a['utt_id']}); remove the "
                         "duplicate label line or table row")
        else:
            ids = (a["utt_id"] if a["utt_id"] == b["utt_id"]
                   else f"{a['utt_id']} / {b['utt_id']}")
            lines.append(f"{shown(a['path'])} and {shown(b['path'])} are the same clip (utt_id {ids}); "
                         "remove one of the two files")
    more = f" (and {len(clashes) - 5} more)" if len(clashes) > 5 else ""
    raise DuplicateClipError(f"{corpus}: {len(clashes)} clip(s) found twice{more}: "
                             + "; ".join(lines))


def build_manifest(rows: Iterable[dict], extra: tuple[str, ...], log: SkipLog,
                   root: Path | None = None, hint: str = "") -> pd.DataFrame:
    """Rows -> manifest with the schema columns first, sorted by utt_id, validated.

    No rows at all is a layout error naming ``root`` and ``hint`` (what the folder should hold)."""
    columns = list(MANIFEST_COLUMNS) + [c for c in extra if c not in MANIFEST_COLUMNS]
    rows = list(rows)
    check_duplicates(rows, log.corpus)
    df = pd.DataFrame(rows, columns=columns)
    if df.empty:
        why = "; ".join(f"{Path(s['path']).name}: {s['reason']}" for s in log.skipped[:5])
        raise CorpusLayoutError(
            f"{log.corpus}: no clips found that follow the corpus's naming scheme"
            + (f" in {shown(str(root))}" if root is not None else "")
            + (f" ({len(log.skipped)} skipped, e.g. {why})" if why else "")
            + "; check that root points at the unpacked corpus" + (f" ({hint})" if hint else "") + ".")
    df = df.sort_values("utt_id", kind="stable").reset_index(drop=True)
    return validate_manifest(df)
