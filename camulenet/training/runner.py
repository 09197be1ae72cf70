"""Train every system on every fold of a corpus and write tidy, resumable results.

``train_systems`` writes under ``out_dir``:
- ``results.csv`` / ``results.parquet``: one row per system x fold x metric (columns
  system, fold, metric, value). Metrics: wa (plain accuracy -- the paper's "WA"), ua
  (mean per-class recall), weighted_f1 (the paper's "WF1"), macro_f1, recall_<emotion>,
  gender_accuracy (multitask systems only), best_epoch, samples_per_s, train_seconds.
- ``predictions.parquet``: utt_id, fold, system, true, pred, prob_<emotion>..., gender_*.
- ``val_predictions.parquet``: the same for each fold's validation clips under the kept
  weights (utt_id, fold, system, true, pred, prob_<emotion>...), e.g. to fit temperature
  scaling on the validation speakers; folds trained before these were saved have none.
- ``histories.csv``: per-epoch losses and validation scores, with system and fold.
- ``confusion.csv``: system, fold, true, pred, count.
- ``systems/<slug>/fold_<k>/``: the fold's checkpoint (best.pt) and files, including the
  test embeddings (``embeddings.npy`` + ``embedding_ids.json``) for t-SNE.
A system x fold with ``done.json`` is skipped on the next call (resume) when it was made
under the same settings (fold clips and schedule, plus the grid's ``fold_fingerprint``:
system, model, baseline layout); one made under other settings is refused with what differs. ``run_info.json``
records the grid's settings and is never overwritten by a grid with other ones. An
interrupted fold continues from its last epoch (same settings only, see train_one_fold).

Systems: the book's Table 1 (``SYSTEMS``: the CAMuLeNet ``VARIANTS`` and the Whisper
baseline), the other embedding ``BASELINES``, and ``BEYOND_SYSTEMS`` (fusion ablations,
Whisper attention pooling, speaker normalisation), which run through the same grid, folds,
seeds and schedule; a system there may override schedule fields (``system_train_config``).
"""

from __future__ import annotations

import json
import os
import re
import time
from contextlib import contextmanager
from dataclasses import fields, replace
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import torch
from torch import nn
from tqdm.auto import tqdm

from camulenet.model import AttentionPoolingConfig, CAMuLeNet, CAMuLeNetConfig, WhisperAttentionPooling
from camulenet.model.baselines import EmbeddingCNN, baseline_model
from camulenet.storage import atomic
from camulenet.storage.cache_keys import check_same
from camulenet.storage.ragged import Ragged
from camulenet.training import FoldResult, SERData, TrainConfig, train_one_fold
from camulenet.training.trainer import finished

#: The systems of the paper's Table 1 that this edition trains (names = table1_paper.csv rows).
SYSTEMS = ("CAMuLeNet", "CAMuLeNet w/o multitask", "CAMuLeNet w/o co-attention & multitask", "Whisper-Base")

#: CAMuLeNet variants as config flags.
VARIANTS = {
    "CAMuLeNet": {"coattention": True, "multitask": True},
    "CAMuLeNet w/o multitask": {"coattention": True, "multitask": False},
    "CAMuLeNet w/o co-attention & multitask": {"coattention": False, "multitask": False},
}

#: Systems beyond the paper's Table 1 (same folds, seeds and schedule as the book's CAMuLeNet).
#: ``"camulenet"``: the CAMuLeNetConfig fields of the system (as VARIANTS; on the grid's
#: ``model_config``); ``"model": "attention_pooling"``: WhisperAttentionPooling
#: (AttentionPoolingConfig.compact(), whatever the grid's model_config); ``"train"``:
#: TrainConfig fields this system overrides in the grid's schedule (they enter its folds'
#: settings, so its folds are never confused with another schedule's).
#: - concatenation: no co-attention -- the spectrogram vector, the MFCC vector and the
#:   Whisper frames mean-pooled over the clip and projected to the branch width (FC-ReLU)
#:   are concatenated into the same head; multitask as CAMuLeNet (``coattention=False``).
#: - softmax co-attention: the co-attention weights are a softmax over each clip's valid
#:   Whisper frames instead of the released ReLU scores (``normalisation="softmax"``).
#: - speaker normalisation: CAMuLeNet on per-speaker standardised frames; TRANSDUCTIVE, the
#:   test speakers' statistics come from their own unlabelled clips (TrainConfig.speaker_norm).
BEYOND_SYSTEMS: dict[str, dict] = {
    "CAMuLeNet (concatenation)": {"camulenet": {"coattention": False, "multitask": True}},
    "CAMuLeNet (softmax co-attention)": {"camulenet": {"coattention": True, "multitask": True,
                                                       "normalisation": "softmax"}},
    "Whisper attention pooling": {"model": "attention_pooling"},
    "CAMuLeNet + speaker normalisation": {"camulenet": {"coattention": True, "multitask": True},
                                          "train": {"speaker_norm": True}},
}

#: What the named CAMuLeNet presets held when the book's caches were keyed by the name alone
#: (fields filled from the data left out). fold_fingerprint adds a preset's departures from
#: this record, so a changed preset no longer reuses folds of the old one, while folds of
#: the unchanged presets keep their keys.
PRESETS_AS_KEYED: dict[str, dict] = {
    "compact": {"n_genders": 2, "max_frames": 1500, "branch_dim": 128, "conv_widths": [16, 32, 48, 48, 32],
                "spec_pool": [2, 1], "pretrained_spectrogram": False, "spec_time_pool": 4, "gru_hidden": 64,
                "gru_layers": 1, "gru_dropout": 0.0, "mfcc_pooling": "mean", "mfcc_frames": None,
                "mfcc_downsample": 8, "mfcc_packed": False, "hidden_dims": [128, 128], "dropout": 0.1,
                "normalisation": "relu", "coattention": True, "multitask": True},
    "paper": {"n_genders": 2, "max_frames": 1500, "branch_dim": 1024, "conv_widths": [64, 192, 384, 256, 256],
              "spec_pool": [6, 6], "pretrained_spectrogram": False, "spec_time_pool": 1, "gru_hidden": 256,
              "gru_layers": 2, "gru_dropout": 0.3, "mfcc_pooling": "flatten", "mfcc_frames": 501,
              "mfcc_downsample": 1, "mfcc_packed": True, "hidden_dims": [128, 128], "dropout": 0.1,
              "normalisation": "relu", "coattention": True, "multitask": True},
}
#: CAMuLeNetConfig fields camulenet_config fills from the data (keyed by the features and emotions)
DATA_FIELDS = ("n_emotions", "whisper_dim", "n_mfcc")

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
    if BEYOND_SYSTEMS.get(system, {}).get("model") == "attention_pooling":
        if "whisper" not in data.features:
            raise KeyError(f"{system} needs feature 'whisper'; available: {sorted(data.features)}")
        return WhisperAttentionPooling(attention_pooling_config(data))
    if system not in VARIANTS and system not in BEYOND_SYSTEMS:
        raise KeyError(f"unknown system {system!r}; known: {list(VARIANTS) + list(features) + list(BEYOND_SYSTEMS)}")
    model = CAMuLeNet(camulenet_config(system, data, model_config))
    max_whisper = data.max_length("whisper")
    if max_whisper > model.config.max_frames:
        raise ValueError(f"clips have up to {max_whisper} Whisper frames; co-attention handles {model.config.max_frames}")
    return model


def camulenet_flags(system: str) -> dict:
    """The CAMuLeNetConfig fields a CAMuLeNet system sets (VARIANTS, or BEYOND_SYSTEMS' "camulenet")."""
    if system in VARIANTS:
        return dict(VARIANTS[system])
    if "camulenet" in BEYOND_SYSTEMS.get(system, {}):
        return dict(BEYOND_SYSTEMS[system]["camulenet"])
    raise KeyError(f"{system!r} is not a CAMuLeNet system; known: {list(VARIANTS)} and "
                   f"{[s for s, spec in BEYOND_SYSTEMS.items() if 'camulenet' in spec]}")


def _base_config(model_config: str | CAMuLeNetConfig) -> CAMuLeNetConfig:
    if isinstance(model_config, CAMuLeNetConfig):
        return model_config
    if model_config in ("compact", "paper"):
        return getattr(CAMuLeNetConfig, model_config)()
    raise ValueError(f"model_config must be 'compact', 'paper' or a CAMuLeNetConfig, got {model_config!r}")


def camulenet_config(system: str, data: SERData, model_config: str | CAMuLeNetConfig) -> CAMuLeNetConfig:
    """``model_config`` with the system's flags and the data's widths and class count."""

    return replace(_base_config(model_config), **camulenet_flags(system), n_emotions=len(data.emotions),
                   whisper_dim=data.feature_dim("whisper"), n_mfcc=data.feature_dim("mfcc"))


def attention_pooling_config(data: SERData) -> AttentionPoolingConfig:
    """The "Whisper attention pooling" system's config sized for ``data``."""
    return AttentionPoolingConfig.compact(n_emotions=len(data.emotions), whisper_dim=data.feature_dim("whisper"))


def system_train_config(system: str, train_config: TrainConfig) -> TrainConfig:
    """The grid's schedule with the system's own overrides (BEYOND_SYSTEMS' "train"); unchanged otherwise."""

    overrides = BEYOND_SYSTEMS.get(system, {}).get("train")
    return replace(train_config, **overrides) if overrides else train_config


def preset_changes(name: str) -> dict:
    """Fields of the named CAMuLeNet preset that differ from ``PRESETS_AS_KEYED`` (what it held
    when folds were keyed by its name alone). A field added since counts only when the preset
    sets it off the dataclass default (new fields default to the old behaviour)."""

    now = json.loads(json.dumps(getattr(CAMuLeNetConfig, name)().to_dict()))
    then = PRESETS_AS_KEYED[name]
    defaults = json.loads(json.dumps(CAMuLeNetConfig().to_dict()))
    names = [f.name for f in fields(CAMuLeNetConfig) if f.name not in DATA_FIELDS]
    return {k: now[k] for k in names if (now[k] != then[k] if k in then else now[k] != defaults[k])}


def _fold_list(folds) -> list:
    folds = getattr(folds, "folds", folds)
    return list(folds)


def model_code_version(system: str, baselines: str, baseline_features: Mapping[str, str] | None = None) -> int:
    """The ``code_version`` of the model class ``system`` builds (1 when the class has none).

    A version above 1 enters the fold's fingerprint: code that computes the same function
    with other float sums (valid frames only, another memory layout) gives other bits, so a
    fold trained by the older code is retrained rather than mixed with new ones.
    """
    if system in {**BASELINES, **(baseline_features or {})}:
        cls = EmbeddingCNN if baselines == "compact" else None  # the released layouts are unchanged
    elif BEYOND_SYSTEMS.get(system, {}).get("model") == "attention_pooling":
        cls = WhisperAttentionPooling
    else:
        cls = CAMuLeNet
    return int(getattr(cls, "code_version", 1))


def fold_fingerprint(system: str, model_config, baselines: str, baseline_features: Mapping[str, str] | None,
                     emotions, extra: Mapping | None = None) -> dict:
    """What, beside the fold's clips and schedule (which train_one_fold adds), makes one system x
    fold's result: compared before a finished fold is reused.

    A named CAMuLeNet preset ("compact"/"paper") enters by its name plus, under
    ``"model_changes"``, its fields that differ from ``PRESETS_AS_KEYED`` -- none today, so the
    fingerprints (and caches) of the book's systems are what they were; a preset edited later
    no longer matches folds made before. A ``BEYOND_SYSTEMS`` system adds ``"beyond"``: its
    model's config (data-sized fields left out: the features and emotions key those) and its
    schedule overrides.
    """

    model = model_config if isinstance(model_config, str) else model_config.to_dict()
    out = {"system": system, "model": model, "baselines": baselines,
           "feature": (baseline_features or {}).get(system, BASELINES.get(system)),
           "emotions": list(emotions), "extra": dict(extra or {})}
    spec = BEYOND_SYSTEMS.get(system)
    is_camulenet = system in VARIANTS or (spec is not None and "camulenet" in spec)
    if is_camulenet and isinstance(model_config, str) and model_config in PRESETS_AS_KEYED:
        changes = preset_changes(model_config)
        if changes:
            out["model_changes"] = changes
    version = model_code_version(system, baselines, baseline_features)
    if version > 1:
        out["code_version"] = version
    if spec is not None:
        if is_camulenet:
            cfg = replace(_base_config(model_config), **spec["camulenet"]).to_dict()
        else:
            cfg = AttentionPoolingConfig.compact().to_dict()
        cfg = {k: v for k, v in json.loads(json.dumps(cfg)).items() if k not in DATA_FIELDS}
        out["beyond"] = {"model": spec.get("model", "camulenet"), "model_config": cfg,
                         "train": dict(spec.get("train", {}))}
    return out


def train_systems(features: Mapping[str, Ragged], manifest: pd.DataFrame, folds, systems: Sequence[str] = SYSTEMS,
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
    with torch_threads(threads or available_cpus()):
        return _train_systems(features, manifest, folds, systems, out_dir=out_dir, train_config=train_config,
                              model_config=model_config, seed=seed, fold_indices=fold_indices, progress=progress,
                              baselines=baselines, baseline_features=baseline_features, cache_key=cache_key,
                              collect_results=collect_results, todo_only=todo_only)


def _train_systems(features, manifest, folds, systems, out_dir, train_config, model_config, seed, fold_indices,
                   progress, baselines, baseline_features, cache_key, collect_results, todo_only):
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
            out_dir / "systems" / slug(s) / f"fold_{k:02d}",
            _fold_config(system_train_config(s, train_config), seed, k, progress), fold_list[k],
            fold_fingerprint(s, model_config, baselines, baseline_features, data.emotions, cache_key))]
    bar = tqdm(jobs, desc="systems x folds", disable=not progress)
    for system, k in bar:
        fold_dir = out_dir / "systems" / slug(system) / f"fold_{k:02d}"
        bar.set_postfix_str(f"{system} / fold {k}")
        cfg = _fold_config(system_train_config(system, train_config), seed, k, progress)
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


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """torch's CPU threads set to ``n`` for the block, then restored: a call that trains
    leaves its caller's process on the thread count it had (a test run, a notebook's kernel)."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


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
    rows, preds, vals, hists, conf = [], [], [], [], []
    for system in systems:
        for fold_dir in sorted((out_dir / "systems" / slug(system)).glob("fold_*")):
            k = int(fold_dir.name.split("_")[1])
            if (folds is not None and k not in folds) or not (fold_dir / "done.json").exists():
                continue
            res = FoldResult.load(fold_dir)
            rows += _tidy_rows(system, k, res)
            preds.append(res.predictions.assign(fold=k, system=system))
            if res.val_predictions is not None and len(res.val_predictions):
                vals.append(res.val_predictions.assign(fold=k, system=system))
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
        atomic.write_bytes_with(out_dir / "predictions.parquet", lambda f: p.to_parquet(f, index=False))
        if vals:
            v = pd.concat(vals, ignore_index=True)
            v = v[front + [c for c in v.columns if c not in front]]
            atomic.write_bytes_with(out_dir / "val_predictions.parquet", lambda f: v.to_parquet(f, index=False))
        atomic.write_bytes_with(out_dir / "histories.csv", lambda f: pd.concat(hists, ignore_index=True).to_csv(f, index=False))
        atomic.write_bytes_with(out_dir / "confusion.csv", lambda f: pd.DataFrame(conf).to_csv(f, index=False))
    atomic.write_bytes_with(out_dir / "results.csv", lambda f: results.to_csv(f, index=False))
    atomic.write_bytes_with(out_dir / "results.parquet", lambda f: results.to_parquet(f, index=False))
    return results



def load_results(out_dir: str | Path) -> pd.DataFrame:
    """The tidy results table (system, fold, metric, value) of a finished or partial grid."""
    path = Path(out_dir) / "results.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found; run train_systems(..., out_dir={str(out_dir)!r}) first")
    return pd.read_parquet(path)


def load_predictions(out_dir: str | Path) -> pd.DataFrame:
    return pd.read_parquet(Path(out_dir) / "predictions.parquet")


def load_val_predictions(out_dir: str | Path) -> pd.DataFrame:
    """Validation-clip predictions of every collected fold under its kept weights (utt_id, fold,
    system, true, pred, prob_<emotion>...): what temperature scaling is fitted on, per fold."""
    path = Path(out_dir) / "val_predictions.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: no collected fold of this grid saved validation predictions "
                                "(folds trained before they were saved have none; delete and retrain those)")
    return pd.read_parquet(path)


def load_histories(out_dir: str | Path) -> pd.DataFrame:
    return pd.read_csv(Path(out_dir) / "histories.csv")


def load_embeddings(out_dir: str | Path, system: str, fold: int) -> tuple[np.ndarray, list[str]]:
    """The 128-d penultimate embeddings of fold ``fold``'s test clips and their utt_ids."""
    d = Path(out_dir) / "systems" / slug(system) / f"fold_{fold:02d}"
    return np.load(d / "embeddings.npy"), json.loads((d / "embedding_ids.json").read_text())
