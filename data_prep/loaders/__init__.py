"""Corpus loaders: each turns one corpus's own layout into the shared manifest schema.

``load_corpus("crema-d", root)`` returns a validated DataFrame (see
:mod:`camulenet.data.schema`); files or labels a loader could not map are listed in
``df.attrs["skipped"]`` and warned about (``strict=True`` raises instead), and clips
left out by a label selection are counted in ``df.attrs["excluded"]``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import bhavvani, cafe, crema_d, emodb, emovo, emozionalmente, iemocap, ravdess, synthetic
from ._report import CorpusLayoutError, UnknownItemsError
from .info import CORPUS_INFO

LOADERS = {
    "crema-d": crema_d.load,
    "iemocap": iemocap.load,
    "ravdess": ravdess.load,
    "emodb": emodb.load,
    "cafe": cafe.load,
    "emovo": emovo.load,
    "emozionalmente": emozionalmente.load,
    "bhavvani": bhavvani.load,
    "synthetic": synthetic.load,
}


def load_corpus(name: str, root=None, strict: bool = False, **options) -> pd.DataFrame:
    """Load corpus ``name`` from ``root`` (default ``camulenet.storage.paths.corpus_dir(name)``)."""
    key = name.lower()
    if key not in LOADERS:
        raise KeyError(f"unknown corpus {name!r}; known: {sorted(LOADERS)}")
    if root is None:
        from camulenet.storage.paths import corpus_dir
        root = corpus_dir(key)
    return LOADERS[key](Path(root), strict=strict, **options)


__all__ = ["LOADERS", "CORPUS_INFO", "load_corpus", "CorpusLayoutError", "UnknownItemsError"]
