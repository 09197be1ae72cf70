"""Train every system on every fold of a corpus and write tidy, resumable results.

``run_grid`` writes under ``out_dir``:
- ``results.csv`` / ``results.parquet``: one row per system x fold x metric (columns
  system, fold, metric, value). Metrics: wa (plain accuracy -- the paper's "WA"), ua
  (mean per-class recall), weighted_f1 (the paper's "WF1"), macro_f1, recall_<emotion>,
  gender_accuracy (multitask systems only), best_epoch, samples_per_s, train_seconds.
- ``predictions.parquet``: utt_id, fold, system, true, pred, prob_<emotion>..., gender_*.
- ``histories.csv``: per-epoch losses and validation scores, with system and fold.
- ``confusion.csv``: system, fold, true, pred, count.
- ``systems/<slug>/fold_<k>/``: the fold's checkpoint (best.pt) and files, including the
  test embeddings (``embeddings.npy`` + ``embedding_ids.json``) for t-SNE.
A system x fold with ``done.json`` is skipped on the next call (resume) when it was made
under the same settings (fold clips and schedule, plus the grid's ``fold_fingerprint``:
system, model, baseline layout); one made under other settings is refused with what differs. ``run_info.json``
records the grid's settings and is never overwritten by a grid with other ones. An
interrupted fold continues from its last epoch (same settings only, see train_one_fold).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import torch
from torch import nn
from tqdm.auto import tqdm

from . import atomic
from .cache_keys import check_same
from .model import CAMuLeNet, CAMuLeNetConfig
from .model.baselines import baseline_model
from .ragged import Ragged
from .training import FoldResult, SERData, TrainConfig, train_one_fold
from .training.trainer import finished

#: The systems of the paper's Table 1 that this edition trains (names = table1_paper.csv rows).
SYSTEMS = ("CAMuLeNet", "CAMuLeNet w/o multitask", "CAMuLeNet w/o co-attention & multitask", "Whisper-Base")

#: CAMuLeNet variants as config flags.
VARIANTS = {
    "CAMuLeNet": {"coattention": True, "multitask": True},
    "CAMuLeNet w/o multitask": {"coattention": True, "multitask": False},
    "CAMuLeNet w/o co-attention & multitask": {"coattention": False, "multitask": False},
}

#: Embedding + small-CNN baselines: system name -> feature key it reads.
BASELINES = {"Whisper-Base": "whisper", "Whisper-Medium": "whisper_medium", "Wav2Vec2.0": "wav2vec2",
             "HuBERT": "hubert", "WavLM": "wavlm"}


def slug(system: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", system.lower()).strip("-")


def build_model(system: str, data: SERData, model_config: str | CAMuLeNetConfig = "compact",
                baselines: str = "compact", baseline_features: Mapping[str, str] | None = None) -> nn.Module:
    """The model for ``system`` sized for ``data`` (number of emotions, feature widths).

    A baseline reads the feature ``baseline_features.get(system, BASELINES[system])`` with
    the ``baselines`` layout ("compact" or "released"); a CAMuLeNet variant uses
    ``model_config`` ("compact", "paper" or a CAMuLeNetConfig). The MFCC length of the
    flatten layout is fixed by the config (501 frames released), never by the data.
    """
    n_emotions = len(data.emotions)
    features = {**BASELINES, **(baseline_features or {})}
    if system in features:
        key = features[system]
        if key not in data.features:
            raise KeyError(f"{system} needs feature {key!r}; available: {sorted(data.features)}")
        return baseline_model(key, data.feature_dim(key), n_emotions, layout=baselines)
    if system not in VARIANTS:
        raise KeyError(f"unknown system {system!r}; known: {list(VARIANTS) + list(features)}")
    model = CAMuLeNet(camulenet_config(system, data, model_config))
    max_whisper = data.max_length("whisper")
    if max_whisper > model.config.max_frames:
        raise ValueError(f"clips have up to {max_whisper} Whisper frames; co-attention handles {model.config.max_frames}")
    return model


def camulenet_config(system: str, data: SERData, model_config: str | CAMuLeNetConfig) -> CAMuLeNetConfig:
    """``model_config`` with the variant's flags and the data's widths and class count."""
    from dataclasses import replace

    if isinstance(model_config, CAMuLeNetConfig):
        base = model_config
    elif model_config in ("compact", "paper"):
        base = getattr(CAMuLeNetConfig, model_config)()
    else:
        raise ValueError(f"model_config must be 'compact', 'paper' or a CAMuLeNetConfig, got {model_config!r}")
    return replace(base, **VARIANTS[system], n_emotions=len(data.emotions), whisper_dim=data.feature_dim("whisper"),
                   n_mfcc=data.feature_dim("mfcc"))


def _fold_list(folds) -> list:
    folds = getattr(folds, "folds", folds)
    return list(folds)


def fold_fingerprint(system: str, model_config, baselines: str, baseline_features: Mapping[str, str] | None,
                     emotions, extra: Mapping | None = None) -> dict:
    """What, beside the fold's clips and schedule (which train_one_fold adds), makes one system x
    fold's result: compared before a finished fold is reused."""
    model = model_config if isinstance(model_config, str) else model_config.to_dict()
    return {"system": system, "model": model, "baselines": baselines,
            "feature": (baseline_features or {}).get(system, BASELINES.get(system)),
            "emotions": list(emotions), "extra": dict(extra or {})}


def run_grid(features: Mapping[str, Ragged], manifest: pd.DataFrame, folds, systems: Sequence[str] = SYSTEMS,
             out_dir: str | Path = "runs/grid", train_config: TrainConfig | None = None,
             model_config: str | CAMuLeNetConfig = "compact", seed: int = 0,
             fold_indices: Sequence[int] | None = None, progress: bool = True, baselines: str = "compact",
             baseline_features: Mapping[str, str] | None = None, cache_key: Mapping | None = None,
             threads: int | None = None, collect_results: bool = True,
             todo_only: bool = False) -> pd.DataFrame | list[tuple[str, int]] | None:
    """Train each system on each fold (``folds``: a ``Folds`` object, or a list of objects
    with .train/.val/.test, or of (train, val, test) utt_id tuples) and return the tidy
    results table. Fold k of every system uses seed ``seed + k`` (paired comparisons).
    ``train_config`` defaults to ``TrainConfig.compact()`` for the compact model and
    ``TrainConfig.paper()`` otherwise. ``cache_key`` (e.g. the features' settings) joins the
    fingerprint of every fold, so a grid over other features never reuses these folds.

    ``out_dir`` belongs to one grid: a second call with another schedule, model, baselines,
    seed or cache_key raises (use another out_dir); finished folds of the same settings are
    reused, others are trained.

    ``threads``: torch CPU threads (default: the CPUs this process may use). On CPU, float
    sums split over another number of threads add in another order, so results are
    identical between runs with the same ``threads``. ``collect_results=False`` (one job of
    a parallel grid) skips writing the aggregate files, which the grid's driver writes once.
    ``todo_only=True`` trains nothing: it checks and records the grid's settings, as a call
    that trains would, and returns the (system, fold) pairs still to train.
    """
    torch.set_num_threads(threads or available_cpus())
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if train_config is None:
        train_config = TrainConfig.compact() if model_config == "compact" else TrainConfig.paper()
    data = SERData(features, manifest)
    fold_list = _fold_list(folds)
    ks = list(range(len(fold_list))) if fold_indices is None else list(fold_indices)
    grid = {"seed": seed, "emotions": list(data.emotions),
            "train_config": train_config.identity(),
            "model_config": model_config if isinstance(model_config, str) else model_config.to_dict(),
            "baselines": baselines, "baseline_features": dict(baseline_features or {}),
            "cache_key": dict(cache_key or {})}
    info_path = out_dir / "run_info.json"
    old = json.loads(info_path.read_text()) if info_path.exists() else None
    if old is not None:
        check_same({k: old.get(k) for k in grid}, grid, out_dir,
                   "Use another out_dir for this grid, or delete that folder to replace its results.")
    done_before = old or {"systems": [], "folds": []}
    atomic.write_text(info_path, json.dumps({**grid, "systems": list(dict.fromkeys([*done_before["systems"], *systems])),
                                     "folds": sorted(set(done_before["folds"]) | set(ks))}, indent=1))
    jobs = [(s, k) for s in systems for k in ks]
    if todo_only:
        return [(s, k) for s, k in jobs if not finished(
            out_dir / "systems" / slug(s) / f"fold_{k:02d}", _fold_config(train_config, seed, k, progress), fold_list[k],
            fold_fingerprint(s, model_config, baselines, baseline_features, data.emotions, cache_key))]
    bar = tqdm(jobs, desc="systems x folds", disable=not progress)
    for system, k in bar:
        fold_dir = out_dir / "systems" / slug(system) / f"fold_{k:02d}"
        bar.set_postfix_str(f"{system} / fold {k}")
        cfg = _fold_config(train_config, seed, k, progress)
        want = fold_fingerprint(system, model_config, baselines, baseline_features, data.emotions, cache_key)
        if finished(fold_dir, cfg, fold_list[k], want):
            continue
        t0 = time.perf_counter()
        res = train_one_fold(lambda: build_model(system, data, model_config, baselines, baseline_features), data,
                             fold_list[k], cfg, fold_dir, resume=True, desc=f"{system} f{k}", fingerprint=want)
        msg = (f"{system} fold {k}: WA {res.metrics['wa']:.3f} UA {res.metrics['ua']:.3f} "
               f"best epoch {res.info['best_epoch']} | {res.info['samples_per_s']:.0f} samples/s, "
               f"peak memory {res.info['peak_memory_mb']:.0f} MB, {time.perf_counter() - t0:.1f} s")
        (bar.write if progress else print)(msg)
    return collect(out_dir, systems, ks) if collect_results else None


def _fold_config(train_config: TrainConfig, seed: int, k: int, progress: bool) -> TrainConfig:
    """Fold k trains with seed ``seed + k``: every system sees the same fold under the same seed."""
    return train_config.__class__(**{**train_config.to_dict(), "seed": seed + k,
                                     "progress": progress and train_config.progress})


def available_cpus() -> int:
    """CPUs this process may run on (a SLURM job's share, not the node's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _tidy_rows(system: str, k: int, res: FoldResult) -> list[dict]:
    m = res.metrics
    vals = {key: m[key] for key in ("wa", "ua", "weighted_f1", "macro_f1")}
    vals.update({f"recall_{lab}": r for lab, r in m["recall"].items()})
    if not np.isnan(m.get("gender_accuracy", np.nan)):
        vals["gender_accuracy"] = m["gender_accuracy"]
    vals.update({key: float(res.info[key]) for key in ("best_epoch", "samples_per_s", "train_seconds")})
    return [{"system": system, "fold": k, "metric": key, "value": float(v)} for key, v in vals.items()]


def collect(out_dir: str | Path, systems: Sequence[str] | None = None, folds: Sequence[int] | None = None) -> pd.DataFrame:
    """Gather finished folds under ``out_dir`` into the aggregate files; return the tidy table."""
    out_dir = Path(out_dir)
    info = json.loads((out_dir / "run_info.json").read_text()) if (out_dir / "run_info.json").exists() else {}
    systems = list(systems or info.get("systems", SYSTEMS))
    rows, preds, hists, conf = [], [], [], []
    for system in systems:
        for fold_dir in sorted((out_dir / "systems" / slug(system)).glob("fold_*")):
            k = int(fold_dir.name.split("_")[1])
            if (folds is not None and k not in folds) or not (fold_dir / "done.json").exists():
                continue
            res = FoldResult.load(fold_dir)
            rows += _tidy_rows(system, k, res)
            preds.append(res.predictions.assign(fold=k, system=system))
            hists.append(res.history.assign(fold=k, system=system))
            labels = res.info["emotions"]
            cm = np.asarray(res.metrics["confusion"])
            conf += [{"system": system, "fold": k, "true": t, "pred": p, "count": int(cm[i, j])}
                     for i, t in enumerate(labels) for j, p in enumerate(labels)]
    results = pd.DataFrame(rows, columns=["system", "fold", "metric", "value"])
    if preds:  # predictions first, results.parquet last: a reader that finds results finds the rest
        p = pd.concat(preds, ignore_index=True)
        front = ["utt_id", "fold", "system", "true", "pred"]
        p = p[front + [c for c in p.columns if c not in front]]
        p["gender_pred"] = p["gender_pred"].astype("string")
        _replace(out_dir / "predictions.parquet", lambda f: p.to_parquet(f, index=False))
        _replace(out_dir / "histories.csv", lambda f: pd.concat(hists, ignore_index=True).to_csv(f, index=False))
        _replace(out_dir / "confusion.csv", lambda f: pd.DataFrame(conf).to_csv(f, index=False))
    _replace(out_dir / "results.csv", lambda f: results.to_csv(f, index=False))
    _replace(out_dir / "results.parquet", lambda f: results.to_parquet(f, index=False))
    return results


def _replace(path: Path, write) -> None:
    """``write(tmp)`` then rename over ``path``: a reader never sees a half-written table."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)


def load_results(out_dir: str | Path) -> pd.DataFrame:
    """The tidy results table (system, fold, metric, value) of a finished or partial grid."""
    path = Path(out_dir) / "results.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found; run run_grid(..., out_dir={str(out_dir)!r}) first")
    return pd.read_parquet(path)


def load_predictions(out_dir: str | Path) -> pd.DataFrame:
    return pd.read_parquet(Path(out_dir) / "predictions.parquet")


def load_histories(out_dir: str | Path) -> pd.DataFrame:
    return pd.read_csv(Path(out_dir) / "histories.csv")


def load_embeddings(out_dir: str | Path, system: str, fold: int) -> tuple[np.ndarray, list[str]]:
    """The 128-d penultimate embeddings of fold ``fold``'s test clips and their utt_ids."""
    d = Path(out_dir) / "systems" / slug(system) / f"fold_{fold:02d}"
    return np.load(d / "embeddings.npy"), json.loads((d / "embedding_ids.json").read_text())
