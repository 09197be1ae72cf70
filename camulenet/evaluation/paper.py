"""The paper's own results (Table 1 of Goel, Hira & Gupta, 2024), as shipped with the package.

Our folds are always shown beside these printed numbers; they are data, read from the CSV
that ``shared/paper/table1_paper.csv`` provides, never retyped.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd


def paper_table1() -> pd.DataFrame:
    """Table 1 of the paper (WA and WF1 per corpus and system), as shipped with the package."""
    with resources.files("camulenet.evaluation").joinpath("table1_paper.csv").open() as f:
        return pd.read_csv(f)


def paper_table1_long() -> pd.DataFrame:
    """Table 1 in long form: system, group, corpus, metric (WA/WF1), value."""
    wide = paper_table1()
    long = wide.melt(id_vars=["system", "group"], var_name="column", value_name="value")
    long[["corpus", "metric"]] = long["column"].str.rsplit("_", n=1, expand=True)
    return long.drop(columns="column")
