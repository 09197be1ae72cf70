"""The book's training grid under the settings: which systems, folds and schedule, where its runs
live, and what a finished grid holds.

One definition serves chapter 5 and ``python -m camulenet grid`` (:func:`grid_arguments`),
so both train into, and read from, the same run folder, keyed by the features, the folds,
the model, the schedule, the baselines and the seed. A run folder made under other settings
is never reused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from camulenet.config import BookSettings, whisper_label
from camulenet.data.prepare import folds_key
from camulenet.features.prepare import features_key, with_features
from camulenet.storage.cache_keys import keyed_dir, keyed_path
from camulenet.storage.ragged import Ragged
from camulenet.training.runner import VARIANTS, load_embeddings, load_histories, load_predictions, load_results, slug
from camulenet.training.trainer import TrainConfig

#: What each finished fold's done.json reports about its training (Run.fold_info's columns).
FOLD_INFO = ("epochs_run", "best_epoch", "train_seconds", "samples_per_s", "peak_memory_mb", "memory_rise_mb",
             "peak_anon_mb", "n_params", "device")


def train_config(cfg: BookSettings) -> TrainConfig:
    """The training schedule of the book's grid: the profile's schedule, capped at ``cfg.max_epochs``."""
    schedule = getattr(TrainConfig, cfg.schedule)
    epochs = schedule().epochs
    return schedule(epochs=min(epochs, cfg.max_epochs or epochs), progress=False)


def book_systems(cfg: BookSettings) -> dict[str, str | None]:
    """The book's grid: the three CAMuLeNet variants and the Whisper baseline on the profile's
    own weights (system name -> the feature a baseline reads; None for a CAMuLeNet variant)."""
    return {**{name: None for name in VARIANTS}, whisper_label(cfg): "whisper"}


def trained_folds(cfg: BookSettings, n_folds: int) -> list[int]:
    """The folds the book's grid trains: all, or the first ``cfg.fold_limit`` (smoke runs of the paper profile)."""
    return list(range(min(cfg.fold_limit or n_folds, n_folds)))


def runs_key(cfg: BookSettings, manifest: pd.DataFrame) -> dict:
    return {"features": features_key(cfg), "folds": folds_key(cfg, manifest), "model": cfg.model,
            "schedule": train_config(cfg).identity(), "baselines": cfg.baselines, "seed": cfg.seed}


def runs_root(cfg: BookSettings, manifest: pd.DataFrame) -> Path:
    return keyed_dir(cfg.data_root / "runs", f"{cfg.corpus}-{cfg.profile}", runs_key(cfg, manifest))


def runs_path(cfg: BookSettings, manifest: pd.DataFrame) -> Path:
    """Where :func:`runs_root` keeps this grid, without creating the folder (looking leaves no trace)."""
    return keyed_path(cfg.data_root / "runs", f"{cfg.corpus}-{cfg.profile}", runs_key(cfg, manifest))


def grid_arguments(cfg: BookSettings, manifest: pd.DataFrame, folds, features: dict[str, Ragged],
                   systems=None) -> dict:
    """The keyword arguments of :func:`camulenet.training.runner.train_systems` for the book's
    grid: the one definition shared by chapter 5 and ``python -m camulenet grid``, so both
    train into (and read from) the same keyed run folder."""
    grid = book_systems(cfg)
    readable, fold_lists, _ = with_features(manifest, folds, features)
    ks = trained_folds(cfg, len(fold_lists))
    return dict(features=features, manifest=readable, folds=fold_lists, systems=list(systems or grid),
                out_dir=runs_root(cfg, manifest), train_config=train_config(cfg), model_config=cfg.model,
                baselines=cfg.baselines, baseline_features={s: k for s, k in grid.items() if k}, seed=cfg.seed,
                fold_indices=ks)


#: Metrics of the results table that time the run rather than score it: left out of the fingerprint.
TIMING_METRICS = ("samples_per_s", "train_seconds")


def results_fingerprint(results_long: pd.DataFrame, predictions: pd.DataFrame | None = None) -> str:
    """A short hash of every score of every system and fold (each value's exact bits; the
    timings of :data:`TIMING_METRICS` left out) and, when given, of every predicted probability
    of every test clip (calibration is computed from them), so that two builds compare at a
    glance: the same fingerprint means the same results to the last bit, whatever the row order."""
    rows = results_long[~results_long["metric"].isin(TIMING_METRICS)]
    lines = sorted(f"{s}\t{int(f)}\t{m}\t{float(v).hex()}"
                   for s, f, m, v in zip(rows["system"], rows["fold"], rows["metric"], rows["value"]))
    if predictions is not None and len(predictions):
        probs = sorted(c for c in predictions.columns if c.startswith("prob_"))
        keys = zip(predictions["system"], predictions["fold"], predictions["utt_id"])
        values = predictions[probs].to_numpy(dtype=float)
        lines += sorted(f"{s}\t{int(f)}\t{u}\t" + " ".join(float(v).hex() for v in row)
                        for (s, f, u), row in zip(keys, values))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def run_fingerprint(out_dir: Path) -> dict:
    """:func:`results_fingerprint` of everything a run folder holds (the book's Table 1 systems
    and chapter 9's: their scores and their test clips' probabilities), with what it covers."""
    out_dir = Path(out_dir)
    results = load_results(out_dir)
    scores = results[~results["metric"].isin(TIMING_METRICS)]
    path = out_dir / "predictions.parquet"
    predictions = pd.read_parquet(path) if path.exists() else None
    return {"fingerprint": results_fingerprint(results, predictions), "systems": int(scores["system"].nunique()),
            "folds": int(scores["fold"].nunique()), "metrics": int(scores["metric"].nunique()),
            "values": len(scores), "predictions": 0 if predictions is None else len(predictions)}


def wide_results(results_long: pd.DataFrame) -> pd.DataFrame:
    """One row per system x fold, a column per metric (wa, ua, weighted_f1, ...)."""
    wide = results_long.pivot_table(index=["system", "fold"], columns="metric", values="value")
    return wide.reset_index().rename_axis(columns=None)


@dataclass
class Run:
    """Everything the result chapters read from one finished grid (see camulenet.training.runner)."""

    out_dir: Path
    results_long: pd.DataFrame  # tidy: system, fold, metric, value
    predictions: pd.DataFrame   # one row per system x test clip
    history: pd.DataFrame       # one row per system x fold x epoch
    fold_info: pd.DataFrame     # one row per system x fold: epochs, seconds, samples/s, memory

    @property
    def results(self) -> pd.DataFrame:
        """Wide: one row per system x fold, a column per metric (wa, ua, weighted_f1, ...)."""
        return wide_results(self.results_long)

    @property
    def seconds(self) -> float:
        return float(self.fold_info["train_seconds"].sum())

    @property
    def throughput(self) -> pd.DataFrame:
        g = self.fold_info.groupby("system", sort=False)
        return pd.DataFrame({"folds": g.size(), "epochs (mean)": g["epochs_run"].mean().round(1),
                             "train minutes": (g["train_seconds"].sum() / 60).round(2),
                             "samples/s": g["samples_per_s"].mean().round(0),
                             "peak process memory (MB)": g["peak_memory_mb"].max().round(0),
                             "rise during training (MB)": g["memory_rise_mb"].max().round(0),
                             "peak anonymous memory (MB)": g["peak_anon_mb"].max().round(0),
                             "parameters": g["n_params"].first()})

    def test_embeddings(self, system: str) -> tuple[list[str], np.ndarray]:
        """Test-clip embeddings of every fold, each clip embedded by the model that never saw its speaker."""
        ids, parts = [], []
        for k in sorted(self.fold_info.loc[self.fold_info.system == system, "fold"]):
            emb, emb_ids = load_embeddings(self.out_dir, system, int(k))
            ids += emb_ids
            parts.append(emb)
        if not parts:
            raise FileNotFoundError(f"no finished folds of {system!r} under {self.out_dir}")
        return ids, np.concatenate(parts)


def _fold_info(out: Path, systems) -> pd.DataFrame:
    """One row per finished fold of ``systems``: what its done.json reports (FOLD_INFO)."""
    rows = []
    for system in systems:
        for done in sorted((out / "systems" / slug(system)).glob("fold_*/done.json")):
            info = json.loads(done.read_text())
            rows.append({"system": system, "fold": int(done.parent.name.split("_")[1]),
                         **{k: info.get(k) for k in FOLD_INFO}})
    info = pd.DataFrame(rows)
    numeric = [c for c in info.columns if c not in ("system", "fold", "device")]
    info[numeric] = info[numeric].apply(pd.to_numeric)  # figures an older run lacks become NaN
    return info


def load_run(cfg: BookSettings, manifest: pd.DataFrame, systems=None) -> Run:
    """The finished folds of ``systems`` (default: the book's Table 1 systems,
    :func:`book_systems`) in the grid of the book's settings (run chapter 5, or
    ensure_results, first). The folder may hold other systems too (chapter 9's): each
    chapter reads its own."""
    out = runs_root(cfg, manifest)
    keep = list(systems or book_systems(cfg))
    results = load_results(out)
    results = results[results.system.isin(keep)].reset_index(drop=True)

    def mine(table: pd.DataFrame) -> pd.DataFrame:
        return table[table.system.isin(keep)].reset_index(drop=True)

    return Run(out, results, mine(load_predictions(out)), mine(load_histories(out)),
               _fold_info(out, results.system.unique()))
