"""The Table 1 grid over corpora, systems and folds: plan it, run it anywhere, report it.

``python -m camulenet grid`` (see :mod:`camulenet.grid.cli`) calls :func:`run_grid`. For every corpus
it first makes sure the manifest, folds and features exist (a preparation job through the
executor when features are missing), then sends one job per system x fold that is not
finished to the executor (:mod:`camulenet.grid.executors`), with a progress bar, and finally
gathers each corpus's finished folds into the aggregate tables the book reads. The run
folders are the book's own (:func:`camulenet.training.runs.runs_root`): chapter 5 finds these folds finished,
and a grid stopped at any point resumes where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pandas as pd
from tqdm.auto import tqdm

from camulenet.data.prepare import ensure_corpus, ensure_folds
from camulenet.features.prepare import features_ready
from camulenet.grid.executors import InProcess, log_dir
from camulenet.grid.jobs import Job, failure, fold_dir, load_features, run_job, state
from camulenet.training.runner import collect, train_systems
from camulenet.training.runs import book_systems, grid_arguments, runs_root, trained_folds


@dataclass
class CorpusGrid:
    """One corpus of the grid: its settings, where its runs live, and its (system, fold) cells."""

    cfg: object
    out_dir: Path
    cells: list[tuple[str, int]]
    ready: bool  # features extracted
    n_folds: int

    def job(self, system: str, fold: int, threads: int | None) -> dict:
        return Job(self.cfg.as_dict(), system, fold, threads).to_dict()


def plan_corpus(cfg, systems: Sequence[str] | None = None, folds: Sequence[int] | None = None,
                register: bool = True) -> CorpusGrid:
    """The corpus's cells (systems x folds), checked against what its run folder holds.

    ``systems`` defaults to the book's (:func:`~camulenet.training.runs.book_systems`), ``folds`` to every
    fold (the first ``cfg.fold_limit`` in smoke runs of the paper profile). A run folder made
    under other settings is refused here, before anything is sent anywhere. A missing open corpus
    is fetched only when the grid is to run (``register``), not to report its status.
    """
    manifest = ensure_corpus(cfg, fetch=register)
    fold_obj = ensure_folds(cfg, manifest)
    n_folds = len(fold_obj.folds)
    ks = trained_folds(cfg, n_folds) if folds is None else list(folds)
    bad = [k for k in ks if not 0 <= k < n_folds]
    if bad:
        raise ValueError(f"{cfg.corpus} has folds 0..{n_folds - 1}; --folds {bad} do not exist")
    names = list(systems or book_systems(cfg))
    out_dir = runs_root(cfg, manifest)
    ready = features_ready(cfg, manifest)
    cells = [(s, k) for s in names for k in ks]
    if ready and register:
        features = load_features(cfg, manifest, names)  # extracted: loads them, checks every system can run
        args = grid_arguments(cfg, manifest, fold_obj, features, systems=names)
        train_systems(**{**args, "fold_indices": ks}, todo_only=True, progress=False)  # refuses foreign settings
    return CorpusGrid(cfg, out_dir, cells, ready, n_folds)


def status(grids: Sequence[CorpusGrid]) -> pd.DataFrame:
    """One row per cell: corpus, system, fold, state (done, running, failed, left), log, error."""
    rows = []
    for g in grids:
        for system, k in g.cells:
            cell = fold_dir(g.out_dir, system, k)
            st = state(cell)
            row = {"corpus": g.cfg.corpus, "system": system, "fold": k, "state": st, "log": None, "error": None}
            if st == "failed":
                info = failure(cell)
                row.update(log=info.get("log"), error=info.get("error"))
            rows.append(row)
    return pd.DataFrame(rows, columns=["corpus", "system", "fold", "state", "log", "error"])


def summary(table: pd.DataFrame) -> str:
    """Counts per corpus and state, then every failed job with its error and log."""
    if table.empty:
        return "no jobs"
    counts = (table.groupby(["corpus", "state"]).size().unstack(fill_value=0)
              .reindex(columns=["done", "running", "failed", "left"], fill_value=0))
    text = counts.to_string()
    failed = table[table.state == "failed"]
    for r in failed.itertuples():
        text += f"\nFAILED {r.corpus} / {r.system} / fold {r.fold}: {r.error}\n   log: {r.log}"
    if len(failed):
        text += "\nFailed jobs are retried on the next call of the same command."
    return text


@dataclass
class Report:
    table: pd.DataFrame
    submitted: list = field(default_factory=list)  # submitit job ids when not waiting

    @property
    def counts(self) -> dict:
        return self.table.state.value_counts().to_dict()

    def __str__(self) -> str:
        return summary(self.table)


def run_grid(cfgs: Sequence, systems: Sequence[str] | None = None, folds: Sequence[int] | None = None,
             executor=None, threads: int | None = None, progress: bool = True) -> Report:
    """Train every unfinished cell of every corpus of ``cfgs`` on ``executor`` (default: in
    this process) and return the final status. Same seeds, same folds and the same
    ``threads`` give the same numbers whatever the executor."""
    cfgs = list(cfgs)
    executor = executor or InProcess(log_dir(cfgs[0]))
    grids = [plan_corpus(cfg, systems, folds) for cfg in cfgs]
    unready = [g for g in grids if not g.ready]
    if unready:
        jobs = [Job(g.cfg.as_dict(), threads=threads).to_dict() for g in unready]
        for out in tqdm(executor.run(run_job, jobs), total=len(jobs), desc="prepare corpora", disable=not progress):
            if not out.ok:
                raise RuntimeError(f"preparing {Job.from_dict(out.job).corpus} failed: {out.value}; log: {out.log}")
        if getattr(executor, "wait", True) is False:
            return Report(status(grids), getattr(executor, "submitted", []))
        grids = [plan_corpus(cfg, systems, folds) for cfg in cfgs]
    table = status(grids)
    todo = table[table.state.isin(["left", "failed"])]
    by_corpus = {g.cfg.corpus: g for g in grids}
    jobs = [by_corpus[r.corpus].job(r.system, int(r.fold), threads) for r in todo.itertuples()]
    bar = tqdm(total=len(jobs), desc="grid jobs", disable=not progress)
    try:
        for out in executor.run(run_job, jobs):
            bar.update()
            job = Job.from_dict(out.job)
            if out.ok:
                bar.set_postfix_str(f"{job.label}: {out.value.get('state')}")
            else:
                bar.write(f"FAILED {job.label}: {out.value}\n   log: {out.log}")
    finally:
        bar.close()
        for g in grids:
            if (g.out_dir / "run_info.json").exists():
                collect(g.out_dir)  # every finished fold of the folder, for the book
    return Report(status(grids), getattr(executor, "submitted", []))

