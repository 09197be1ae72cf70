"""Settings and small helpers shared by the book's notebooks.

Notebooks stay thin: they read their parameters, call :func:`settings`, and hand the
result to package functions. ``smoke=True`` (or ``CAMULENET_SMOKE=1`` in the environment,
which the nbval test run sets) switches every notebook to the small corpus, two folds and
one or two epochs, so the whole book executes in a couple of minutes.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, replace
from importlib import resources
from pathlib import Path

import pandas as pd

from camulenet.paths import data_root


@dataclass(frozen=True)
class BookSettings:
    smoke: bool
    seed: int
    corpus: str          # name of the corpus folder under data/corpora
    corpus_size: str     # "default" or "small" for the synthetic generator
    n_folds: int
    max_epochs: int
    whisper_mode: str    # "trimmed" (CPU default) or "full" (the paper's 30 s padding)
    feature_preset: str  # "cpu" or "paper"
    data_root: Path

    def as_dict(self) -> dict:
        d = asdict(self)
        d["data_root"] = str(self.data_root)
        return d


def smoke_requested(smoke: bool) -> bool:
    """True when the notebook parameter or the CAMULENET_SMOKE environment variable asks for it."""
    return bool(smoke) or os.environ.get("CAMULENET_SMOKE", "") == "1"


def settings(smoke: bool = False, seed: int = 0, corpus: str = "synthetic", **overrides) -> BookSettings:
    """The run settings for the book, full or smoke; ``overrides`` replace single fields.

    ``corpus`` other than ``"synthetic"`` names a real corpus at ``data/corpora/<corpus>``
    in its official layout (every notebook has a ``corpus`` parameter that lands here).
    """
    smoke = smoke_requested(smoke)
    if corpus != "synthetic":
        overrides = {"corpus": corpus, **overrides}
    if smoke:
        s = BookSettings(smoke=True, seed=seed, corpus="synthetic-small", corpus_size="small",
                         n_folds=2, max_epochs=2, whisper_mode="trimmed", feature_preset="cpu",
                         data_root=data_root() / "smoke")
    else:
        s = BookSettings(smoke=False, seed=seed, corpus="synthetic", corpus_size="default",
                         n_folds=10, max_epochs=15, whisper_mode="trimmed", feature_preset="cpu",
                         data_root=data_root())
    return replace(s, **overrides) if overrides else s


def paper_table1() -> pd.DataFrame:
    """Table 1 of the paper (WA and WF1 per corpus and system), as shipped with the package."""
    with resources.files("camulenet.resources").joinpath("table1_paper.csv").open() as f:
        return pd.read_csv(f)


def paper_table1_long() -> pd.DataFrame:
    """Table 1 in long form: system, group, corpus, metric (WA/WF1), value."""
    wide = paper_table1()
    long = wide.melt(id_vars=["system", "group"], var_name="column", value_name="value")
    long[["corpus", "metric"]] = long["column"].str.rsplit("_", n=1, expand=True)
    return long.drop(columns="column")
