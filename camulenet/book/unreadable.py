"""Clips that could not be read, as a page reports them.

Long jobs skip an unreadable clip and say so: feature extraction lists it in the feature
store's ``failures.csv``, the galleries pass it over for the next candidate. A page shows
that report, never a bare count: each clip below the data root (a page names no folder of
the machine that built it, and the book's build fails if one does), its reason and its fix.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from pandas.io.formats.style import Styler

from camulenet.book.captions import captioned
from camulenet.storage.paths import data_root, shown

#: What fixes most unreadable clips, and how the book takes the fixed ones back.
REMEDY = ("Fix each as its row says (usually: re-download or re-extract the file, or drop it from the "
          "manifest), then build again: extraction resumes, reads only the clips it lacks, and the "
          "repaired clips join the features, the training and the evaluation.")


def page_path(path) -> str:
    """A clip's path as a page may print it: below the data root (``data/...``), else its
    file name alone."""
    p = Path(path)
    try:
        p.resolve().relative_to(data_root())
    except ValueError:
        return p.name
    return shown(p)


def page_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with columns utt_id, path, reason, fix_hint (``failures.csv``, a gallery's
    skipped clips) as a page prints them: paths by :func:`page_path`, also where a reason
    quotes one (libsndfile names the file it could not open)."""
    out = rows.copy()
    reasons = []
    for path, reason in zip(rows["path"].astype(str), rows["reason"].astype(str)):
        for form in sorted({path, str(Path(path).resolve())}, key=len, reverse=True):
            reason = reason.replace(form, page_path(path))
        reasons.append(reason)
    return out.assign(path=[page_path(p) for p in rows["path"].astype(str)], reason=reasons)


def skipped_text(skipped: pd.DataFrame, unfilled=(), kind: str | None = "emotion", tries: int | None = None) -> str:
    """Markdown naming the clips passed over for an example (a gallery's players, a figure's
    clip), why, and the fix (empty when none), and the kinds left without an example.
    ``kind``: what the replacement has in common with the clip it replaces (None: nothing)."""
    if skipped.empty and not unfilled:
        return ""
    lines = []
    if len(skipped):
        n = len(skipped)
        instead = f"the next clip of the same {kind}" if kind else "the next readable clip"
        lines.append(f"{n} unreadable clip{'s were' if n != 1 else ' was'} passed over for {instead}:")
        lines += [f"- `{r.utt_id}` (`{r.path}`): {r.reason}. Fix: {r.fix_hint}."
                  for r in page_rows(skipped).itertuples()]
    if unfilled:
        names = ", ".join(" ".join(map(str, u)) if isinstance(u, tuple) else str(u) for u in unfilled)
        among = f" among the first {tries} candidates" if tries else ""
        what = f"{kind} {names}" if kind else "any kind"
        lines.append(f"\nNo readable clip of {what}{among}: no example of it is shown.")
    return "\n".join(lines)


def failures_text(n_failed: int, n_clips: int) -> str:
    """The sentence above the table of ``failures.csv``: what was skipped, and the fix."""
    clips = "clip" if n_failed == 1 else "clips"
    return (f"{n_failed} of {n_clips} clips could not be read. Extraction skipped the {clips} listed below, "
            f"so training and evaluation leave {'it' if n_failed == 1 else 'them'} out; no other clip is "
            f"dropped. {REMEDY}")


def failures_table(failures: pd.DataFrame, caption: str) -> Styler:
    """``failures.csv`` as a captioned page table, one row per clip: path, reason, fix."""
    view = page_rows(failures)[["utt_id", "path", "reason", "fix_hint"]].rename(columns={"fix_hint": "fix"})
    return captioned(view.set_index("utt_id"), caption)


def left_out_text(n_unread: int, n_clips: int, what: str) -> str:
    """The sentence under a result that left unreadable clips out (empty when none was)."""
    if not n_unread:
        return ""
    return (f"{n_unread} of {n_clips} clips could not be read and are left out of {what}. Chapter 3 "
            "lists every clip that feature extraction cannot read (its `failures.csv`), with the reason and the fix.")
