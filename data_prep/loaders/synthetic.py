"""The embedded synthetic corpus: ``<root>/manifest.csv`` written by ``data_prep.synthetic``.

Its paths are relative to ``root``; this loader makes them absolute and checks the
table against the schema and that every file exists.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from camulenet.data.manifest import load_manifest, validate_manifest

from ._report import require


def load(root, strict: bool = False) -> pd.DataFrame:
    """Read and validate ``<root>/manifest.csv`` (``strict`` is accepted for symmetry;
    the synthetic manifest is always checked strictly)."""
    root = Path(root).expanduser().resolve()
    csv = require(root / "manifest.csv", "synthetic",
                  "the manifest written by the synthetic-corpus builder",
                  "Build it with `make data` (python -m data_prep.synthetic).")
    df = load_manifest(csv)
    df = validate_manifest(df, check_files=True)
    df.attrs["skipped"], df.attrs["excluded"] = [], {}
    return df


load_synthetic = load
