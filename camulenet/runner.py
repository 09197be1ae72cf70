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
A system x fold with ``done.json`` is skipped on the next call (resume); an interrupted one
continues from its last epoch.
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

from .model import CAMuLeNet, CAMuLeNetConfig, EmbeddingCNN
from .ragged import Ragged
from .training import FoldResult, SERData, TrainConfig, train_one_fold

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


def build_model(system: str, data: SERData, model_config: str | CAMuLeNetConfig = "compact") -> nn.Module:
    """The model for ``system`` sized for ``data`` (number of emotions, feature widths)."""
    n_emotions = len(data.emotions)
    if system in BASELINES:
        key = BASELINES[system]
        if key not in data.features:
            raise KeyError(f"{system} needs feature {key!r}; available: {sorted(data.features)}")
        return EmbeddingCNN(data.feature_dim(key), n_emotions, feature=key)
    if system not in VARIANTS:
        raise KeyError(f"unknown system {system!r}; known: {list(VARIANTS) + list(BASELINES)}")
    if isinstance(model_config, CAMuLeNetConfig):
        base = model_config
    elif model_config in ("compact", "paper"):
        base = getattr(CAMuLeNetConfig, model_config)()
    else:
        raise ValueError(f"model_config must be 'compact', 'paper' or a CAMuLeNetConfig, got {model_config!r}")
    overrides = dict(VARIANTS[system], n_emotions=n_emotions, whisper_dim=data.feature_dim("whisper"),
                     n_mfcc=data.feature_dim("mfcc"))
    if base.mfcc_pooling == "flatten":  # released code: pad MFCCs to the corpus's longest clip
        overrides["mfcc_frames"] = data.max_length("mfcc")
    max_whisper = data.max_length("whisper")
    if max_whisper > base.max_frames:
        raise ValueError(f"clips have up to {max_whisper} Whisper frames; co-attention handles {base.max_frames}")
    from dataclasses import replace
    return CAMuLeNet(replace(base, **overrides))


def _fold_list(folds) -> list:
    folds = getattr(folds, "folds", folds)
    return list(folds)


def run_grid(features: Mapping[str, Ragged], manifest: pd.DataFrame, folds, systems: Sequence[str] = SYSTEMS,
             out_dir: str | Path = "runs/grid", train_config: TrainConfig | None = None,
             model_config: str | CAMuLeNetConfig = "compact", seed: int = 0,
             fold_indices: Sequence[int] | None = None, progress: bool = True) -> pd.DataFrame:
    """Train each system on each fold (``folds``: a ``Folds`` object, or a list of objects
    with .train/.val/.test, or of (train, val, test) utt_id tuples) and return the tidy
    results table. Fold k of every system uses seed ``seed + k`` (paired comparisons).
    ``train_config`` defaults to ``TrainConfig.compact()`` for the compact model and
    ``TrainConfig.paper()`` otherwise.
    """
    torch.set_num_threads(os.cpu_count() or 1)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if train_config is None:
        train_config = TrainConfig.compact() if model_config == "compact" else TrainConfig.paper()
    data = SERData(features, manifest)
    fold_list = _fold_list(folds)
    ks = list(range(len(fold_list))) if fold_indices is None else list(fold_indices)
    (out_dir / "run_info.json").write_text(json.dumps({
        "systems": list(systems), "folds": ks, "seed": seed, "emotions": list(data.emotions),
        "train_config": train_config.to_dict(),
        "model_config": model_config if isinstance(model_config, str) else model_config.to_dict()}, indent=1))
    jobs = [(s, k) for s in systems for k in ks]
    bar = tqdm(jobs, desc="systems x folds", disable=not progress)
    for system, k in bar:
        fold_dir = out_dir / "systems" / slug(system) / f"fold_{k:02d}"
        bar.set_postfix_str(f"{system} / fold {k}")
        if (fold_dir / "done.json").exists():
            continue
        cfg = train_config.__class__(**{**train_config.to_dict(), "seed": seed + k,
                                        "progress": progress and train_config.progress})
        t0 = time.perf_counter()
        res = train_one_fold(lambda: build_model(system, data, model_config), data, fold_list[k], cfg, fold_dir,
                             resume=True, desc=f"{system} f{k}")
        msg = (f"{system} fold {k}: WA {res.metrics['wa']:.3f} UA {res.metrics['ua']:.3f} "
               f"best epoch {res.info['best_epoch']} | {res.info['samples_per_s']:.0f} samples/s, "
               f"peak memory {res.info['peak_memory_mb']:.0f} MB, {time.perf_counter() - t0:.1f} s")
        (bar.write if progress else print)(msg)
    return collect(out_dir, systems, ks)


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
    results.to_csv(out_dir / "results.csv", index=False)
    results.to_parquet(out_dir / "results.parquet", index=False)
    if preds:
        p = pd.concat(preds, ignore_index=True)
        front = ["utt_id", "fold", "system", "true", "pred"]
        p = p[front + [c for c in p.columns if c not in front]]
        p["gender_pred"] = p["gender_pred"].astype("string")
        p.to_parquet(out_dir / "predictions.parquet", index=False)
        pd.concat(hists, ignore_index=True).to_csv(out_dir / "histories.csv", index=False)
        pd.DataFrame(conf).to_csv(out_dir / "confusion.csv", index=False)
    return results


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
