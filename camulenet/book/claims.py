"""The claims of the build: every verdict a page states, with the numbers and the rule behind it.

Each verdict sentence of :mod:`camulenet.book.verdicts` records what it claims here. papermill
runs each chapter in a kernel of its own, so a chapter names itself first
(:func:`chapter`) and every claim is written at once to ``_claims/<chapter>.json`` in the
book's output folder (``$CAMULENET_BOOK_OUT``, which ``scripts/build_book.py`` sets for its
kernels); the appendix, executed last, reads every chapter's file (:func:`load`). A notebook
run by hand (no ``$CAMULENET_BOOK_OUT``) keeps its claims in memory and writes nothing, so
it never rewrites the claims of a built book.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from camulenet.storage import atomic
from camulenet.storage.paths import REPO_ROOT

OUT_VARIABLE = "CAMULENET_BOOK_OUT"
FOLDER = "_claims"
COLUMNS = ["chapter", "claim", "verdict", "evidence", "rule"]

_state: dict = {"chapter": None, "claims": []}


def output_dir() -> Path | None:
    """Where this build writes its claims (``$CAMULENET_BOOK_OUT/_claims``), or None."""
    out = os.environ.get(OUT_VARIABLE)
    return Path(out) / FOLDER if out else None


def chapter(name: str) -> None:
    """Start the claims of chapter ``name`` (e.g. ``"06_results"``): earlier ones of this process
    are dropped, and the chapter's file is emptied, so a rerun never keeps a claim it no longer makes."""
    _state.update(chapter=name, claims=[])
    _save()


def record(claim: str, verdict: str, evidence: str, rule: str) -> None:
    """One verdict: what is claimed, the word the rule chose, the numbers it rests on, and the
    name of the rule (a key of :data:`camulenet.book.verdicts.RULES`, which states its threshold)."""
    _state["claims"].append({"chapter": _state["chapter"] or "", "claim": claim, "verdict": verdict,
                             "evidence": evidence, "rule": rule})
    _save()


def recorded() -> list[dict]:
    """The claims of this process's chapter so far."""
    return list(_state["claims"])


def _save() -> None:
    folder = output_dir()
    if folder is not None and _state["chapter"]:
        atomic.write_json(folder / f"{_state['chapter']}.json", _state["claims"], indent=1)


def load(book_dir: Path | str | None = None) -> pd.DataFrame:
    """Every chapter's claims, in chapter order, from ``book_dir/_claims`` (default: the build's
    output folder, else the repository's ``book/``)."""
    folder = Path(book_dir) / FOLDER if book_dir is not None else output_dir() or REPO_ROOT / "book" / FOLDER
    rows = []
    for path in sorted(folder.glob("*.json")):
        rows += json.loads(path.read_text())
    return pd.DataFrame(rows, columns=COLUMNS)
