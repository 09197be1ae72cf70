"""Train one model on one speaker-disjoint fold: AdamW, weighted multitask loss, early
stopping on the validation speakers (restore best), resumable checkpoints, test predictions.

Files written to ``out_dir``:
- ``last.pt``: model + optimizer + epoch + RNG states (tensors) + history, rewritten after an
  epoch when due (``TrainConfig.checkpoint_epochs`` / ``checkpoint_minutes``; default every
  epoch); resume continues bit-for-bit on CPU. It holds one model: when the kept (best) epoch
  is an earlier one, its weights are in ``best-e<epoch>.pt`` (full precision, so that a
  resumed fold restores exactly what an uninterrupted one would), written once per new best
  and only when a ``last.pt`` needs it (never under the paper's ``monitor="last"``). Both are
  removed when the fold finishes unless ``keep_last``.
- ``best.pt``: the restored (best-validation) model state_dict + JSON-able meta.
- ``history.csv``, ``predictions.parquet``, ``val_predictions.parquet`` (the validation
  clips predicted with the kept epoch's weights: utt_id, true, pred, prob_<emotion>..., e.g.
  to fit temperature scaling on the validation speakers; empty without validation clips),
  ``embeddings.npy`` + ``embedding_ids.json`` (penultimate embeddings of the test clips),
  ``metrics.json``; ``done.json`` last, so a fold with ``done.json`` is complete and is
  loaded instead of retrained.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import torch
from torch import nn
from tqdm.auto import tqdm

from camulenet.data.folds import fold_ids
from camulenet.data.schema import UNKNOWN_GENDER
from camulenet.evaluation.metrics import accuracy, classification_metrics
from camulenet.storage import atomic
from camulenet.storage.cache_keys import check_same
from camulenet.storage.cache_keys import fingerprint as digest  # "fingerprint" below names the caller's settings
from camulenet.storage.memory import PeakRSS, return_freed_memory
from camulenet.training.checkpoint import load_checkpoint, rng_state, save_checkpoint, set_rng_state
from camulenet.training.data import BATCHINGS, Prefetcher, SERData, epoch_batches
from camulenet.training.loss import NO_GENDER, MultitaskLoss
from camulenet.training.seeding import seed_everything

#: The precisions best.pt may keep the weights in (``TrainConfig.best_dtype``).
BEST_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}

#: Validation score that selects the kept epoch; "last" keeps the final epoch (released code).
MONITORS = {"val_loss": "min", "val_emotion_loss": "min", "val_wa": "max", "val_ua": "max", "last": "max"}


#: TrainConfig fields that never change a fold's numbers (progress bar, files kept, when
#: resume points are written, batches made ahead): left out of ``TrainConfig.identity``
_NOT_RESULTS = ("progress", "keep_last", "prefetch", "checkpoint_epochs", "checkpoint_minutes", "best_dtype")


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 10
    batch_size: int = 64
    lr: float = 5e-5
    weight_decay: float = 0.01  # torch's AdamW default
    emotion_weight: float = 0.4
    gender_weight: float = 0.1
    loss_constant: float = 0.0  # released code adds 0.2: shifts reported loss only
    patience: int | None = None  # early stopping after this many epochs without improvement
    monitor: str = "val_emotion_loss"
    device: str = "auto"  # "auto": CUDA when available, else CPU
    amp: bool = True  # mixed precision on CUDA only (bf16 when supported, else fp16 + scaler)
    seed: int = 0
    grad_clip: float | None = None
    eval_batch_size: int = 128
    keep_last: bool = False
    progress: bool = True
    standardize: bool = False  # per-dimension scaling fitted on each fold's training clips (did not help here)
    # "random": a seeded permutation cut into batches; "length_buckets": clips of similar length
    # batched together (camulenet.training.data.epoch_batches). Either way, the feature keys
    # whose padding the model ignores (model.padding_invariant_keys()) are padded per batch only.
    batching: str = "random"
    # Per-speaker standardisation of every frame-level input (camulenet.training.data,
    # SERData.fit_speaker_scaling): each speaker's frames with that speaker's own mean and std,
    # fitted on the fold's training, validation AND test clips, each speaker from their own
    # clips. TRANSDUCTIVE for the unseen validation/test speakers: their statistics come from
    # their own unlabelled clips (no label is read), so a system trained this way assumes a
    # batch of a new speaker's audio is at hand before predicting -- not the paper's protocol.
    # Applied as each batch is built (no normalised copy of the features). Not with standardize.
    speaker_norm: bool = False
    # the next batch padded in a background thread while a step computes; None: on CUDA only
    # (on a CPU the thread would take cores from the step). Results do not depend on it.
    prefetch: bool | None = None
    # resume points: last.pt is written after an epoch only when at least checkpoint_epochs
    # epochs AND checkpoint_minutes minutes have passed since the previous one (defaults:
    # every epoch). A paper-size last.pt is ~3.4 GB; on a fast GPU every epoch is a lot of disk.
    checkpoint_epochs: int = 1
    checkpoint_minutes: float = 0.0
    # the precision best.pt keeps the weights in: "float32" (exact) or "bfloat16" (half the
    # disk: 40 paper-size folds of a corpus take 17 GB instead of 34). Predictions and scores
    # come from the weights in memory, before saving, so they do not depend on it.
    best_dtype: str = "float32"

    @classmethod
    def paper(cls, **overrides) -> "TrainConfig":
        """Released schedule: AdamW 5e-5, batch 64, 10 epochs, no early stopping, last epoch kept
        (its weights stored in bfloat16: a paper-size best.pt is 0.4-0.9 GB instead of 0.8-1.7)."""
        return replace(cls(monitor="last", best_dtype="bfloat16"), **overrides)

    @classmethod
    def compact(cls, **overrides) -> "TrainConfig":
        """CPU schedule for the compact model trained from scratch: lr 3e-4, up to 15 epochs,
        keep the epoch with the best UA on the validation speakers, stop after 4 without gain.

        Chosen on fold 1 of the synthetic corpus: lr 1e-3 with selection on validation loss
        stopped after 2-3 useful epochs (WA 0.35); this schedule reached WA 0.51.

        Batches stay random: ``batching="length_buckets"`` (with the compact model's packed MFCC
        GRU) makes a training step about 1.35x cheaper still on CPU, but on the synthetic corpus
        clip length follows the emotion (sad and disgusted clips are ~1.5x longer), so length
        buckets are label-skewed batches: on the first five folds mean WA fell from 0.44 to 0.37,
        two folds losing about half of theirs
        (``scripts/bench_training.py --compare-batching``).
        """
        return replace(cls(epochs=15, lr=3e-4, patience=4, monitor="val_ua", grad_clip=5.0), **overrides)

    def to_dict(self) -> dict:
        return asdict(self)

    def identity(self) -> dict:
        """The fields that change a fold's result (none of ``_NOT_RESULTS``).

        ``batching`` enters only when it is not ``"random"`` and ``speaker_norm`` only when
        True: folds made before these fields existed (all with random batches, none speaker
        normalised) stay valid, those made otherwise never match.
        """
        return {k: v for k, v in asdict(self).items()
                if k not in _NOT_RESULTS and not (k == "batching" and v == "random")
                and not (k == "speaker_norm" and not v)}


@dataclass
class FoldResult:
    history: pd.DataFrame
    predictions: pd.DataFrame  # utt_id, true, pred, prob_<emotion>..., gender_true, gender_pred
    embeddings: np.ndarray
    embedding_ids: list[str]
    metrics: dict  # classification_metrics of the test clips + gender_accuracy
    info: dict = field(default_factory=dict)  # best_epoch, samples_per_s, peak_memory_mb, n_params, ...
    # utt_id, true, pred, prob_<emotion>... of the validation clips under the kept weights;
    # None for a fold saved before these were written
    val_predictions: pd.DataFrame | None = None

    def save(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.history.to_csv(out_dir / "history.csv", index=False)
        self.predictions.to_parquet(out_dir / "predictions.parquet", index=False)
        if self.val_predictions is not None:
            self.val_predictions.to_parquet(out_dir / "val_predictions.parquet", index=False)
        np.save(out_dir / "embeddings.npy", self.embeddings)
        (out_dir / "embedding_ids.json").write_text(json.dumps(self.embedding_ids))
        (out_dir / "metrics.json").write_text(json.dumps(self.metrics, indent=1))
        atomic.write_json(out_dir / "done.json", self.info)  # last, and whole or absent: the mark of a finished fold

    @classmethod
    def load(cls, out_dir: str | Path) -> "FoldResult":
        out_dir = Path(out_dir)
        if not (out_dir / "done.json").exists():
            raise FileNotFoundError(f"{out_dir} holds no finished fold (no done.json)")
        val = out_dir / "val_predictions.parquet"
        return cls(history=pd.read_csv(out_dir / "history.csv"),
                   predictions=pd.read_parquet(out_dir / "predictions.parquet"),
                   embeddings=np.load(out_dir / "embeddings.npy"),
                   embedding_ids=json.loads((out_dir / "embedding_ids.json").read_text()),
                   metrics=json.loads((out_dir / "metrics.json").read_text()),
                   info=json.loads((out_dir / "done.json").read_text()),
                   val_predictions=pd.read_parquet(val) if val.exists() else None)


def resolve_device(device: str = "auto") -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def peak_memory_mb(device: torch.device, rss: PeakRSS) -> float:
    """CUDA: peak allocated while the fold ran; CPU: the process's peak RSS while it ran."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return rss.peak_mb


class _Runner:
    """Forward passes with the right device, autocast and feature keys."""

    def __init__(self, model: nn.Module, data: SERData, cfg: TrainConfig, device: torch.device) -> None:
        self.model, self.data, self.cfg, self.device = model, data, cfg, device
        self.keys = tuple(getattr(model, "feature_keys"))
        self.lengths = model.required_lengths() if hasattr(model, "required_lengths") else {}
        self.amp_dtype = None
        if device.type == "cuda" and cfg.amp:
            self.amp_dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        self.loss = MultitaskLoss(cfg.emotion_weight, cfg.gender_weight, cfg.loss_constant)
        self.scaling: dict = {}
        self.speaker_scaling: dict = {}  # TrainConfig.speaker_norm: SERData.fit_speaker_scaling
        # keys whose padding the model ignores are padded per batch, not corpus-wide
        invariant = getattr(model, "padding_invariant_keys", None)
        self.batch_padded = tuple(invariant()) if invariant else ()
        self.prefetch = device.type == "cuda" if cfg.prefetch is None else bool(cfg.prefetch)

    def batches(self, chunks: Sequence[np.ndarray]) -> Prefetcher:
        """The batches of ``chunks`` of rows, the next made while the current one computes."""
        return Prefetcher(chunks, self.make_batch, ahead=self.prefetch)

    def train_batches(self, rows: np.ndarray, generator: torch.Generator) -> list[np.ndarray]:
        """One epoch's mini-batches of the training rows (draws from ``generator`` only)."""
        lengths = self.data.clip_lengths(rows, self.keys) if self.cfg.batching == "length_buckets" else None
        return epoch_batches(rows, self.cfg.batch_size, generator, self.cfg.batching, lengths)

    def make_batch(self, rows: np.ndarray) -> dict:
        return self.data.batch(rows, self.keys, self.lengths, self.device, scaling=self.scaling,
                               batch_padded=self.batch_padded, speaker_scaling=self.speaker_scaling)

    def forward(self, rows: np.ndarray) -> tuple[dict, dict]:
        batch = self.make_batch(rows)
        return batch, self.outputs(batch)

    def outputs(self, batch: dict) -> dict:
        with torch.autocast(self.device.type, dtype=self.amp_dtype or torch.float32, enabled=self.amp_dtype is not None):
            return self.model(batch)

    @torch.no_grad()
    def predict(self, rows: np.ndarray) -> dict:
        self.model.eval()
        probs, gprobs, embs, losses, n = [], [], [], {"total": 0.0, "emotion": 0.0, "gender": 0.0}, 0
        chunks = [rows[s:s + self.cfg.eval_batch_size] for s in range(0, len(rows), self.cfg.eval_batch_size)]
        for batch in self.batches(chunks):
            out = self.outputs(batch)
            for k, v in self.loss(out, batch["emotion"], batch["gender"]).items():
                losses[k] += float(v) * len(batch["emotion"])
            n += len(batch["emotion"])
            probs.append(torch.softmax(out["emotion_logits"].float(), 1).cpu())
            if out.get("gender_logits") is not None:
                gprobs.append(torch.softmax(out["gender_logits"].float(), 1).cpu())
            embs.append(out["embedding"].float().cpu())
        probs_np = torch.cat(probs).numpy()
        return {"probs": probs_np, "gender_probs": torch.cat(gprobs).numpy() if gprobs else None,
                "embeddings": torch.cat(embs).numpy(), "loss": {k: v / max(n, 1) for k, v in losses.items()}}


def _score(monitor: str, val: dict) -> float:
    if monitor == "last":
        return float(val["epoch"])
    return val[monitor] if MONITORS[monitor] == "max" else -val[monitor]


def _made_under(train_config: TrainConfig, fold, fingerprint: dict | None) -> dict:
    """What a fold's files must have been made under to be reused: the schedule (without the
    progress switch), the fold's clips, and the caller's fingerprint (system, model, features)."""
    return {"train_config": train_config.identity(), "clips": digest(list(fold_ids(fold))),
            "fingerprint": fingerprint or {}}


def _resumable(made_under: dict) -> dict:
    """The part a ``last.pt`` must share to be continued: all but the number of epochs (an
    interrupted run continues exactly as an uninterrupted longer one would)."""
    return {**made_under, "train_config": {k: v for k, v in made_under.get("train_config", {}).items()
                                           if k != "epochs"}}


def finished(out_dir: str | Path, train_config: TrainConfig, fold, fingerprint: dict | None = None) -> bool:
    """True when ``out_dir`` holds a finished fold made under these settings (``done.json``);
    False when it holds none; a ValueError saying what differs when it was made under others."""
    done = Path(out_dir) / "done.json"
    if not done.exists():
        return False
    check_same(json.loads(done.read_text()).get("made_under", {}), _made_under(train_config, fold, fingerprint),
               done, f"Delete {Path(out_dir)} to train this fold afresh, or pass another out_dir.")
    return True


@dataclass
class _Progress:
    """Where a fold's training stands after an epoch: what ``last.pt`` carries to a resumed run."""

    history: list = field(default_factory=list)
    start_epoch: int = 0
    best_state: dict | None = None
    best_epoch: int = -1
    best_score: float = -math.inf
    bad_epochs: int = 0
    stopped: bool = False
    best_file: str | None = None  # the best-e<epoch>.pt the saved last.pt refers to, if any

    def meta(self, epoch: int) -> dict:
        return {"epoch": epoch, "history": self.history, "best_epoch": self.best_epoch,
                "best_score": self.best_score, "bad_epochs": self.bad_epochs, "stopped": self.stopped}


def _check_schedule(cfg: TrainConfig) -> None:
    if cfg.monitor not in MONITORS:
        raise ValueError(f"monitor must be one of {sorted(MONITORS)}, got {cfg.monitor!r}")
    if cfg.batching not in BATCHINGS:
        raise ValueError(f"batching must be one of {BATCHINGS}, got {cfg.batching!r}")
    if cfg.speaker_norm and cfg.standardize:
        raise ValueError("speaker_norm and standardize are two scalings of the same frames; choose one")
    if cfg.best_dtype not in BEST_DTYPES:
        raise ValueError(f"best_dtype must be one of {sorted(BEST_DTYPES)}, got {cfg.best_dtype!r}")
    if cfg.checkpoint_epochs < 1 or cfg.checkpoint_minutes < 0:
        raise ValueError(f"checkpoint_epochs must be >= 1 and checkpoint_minutes >= 0, got "
                         f"{cfg.checkpoint_epochs} and {cfg.checkpoint_minutes}")


def _fold_rows(data: SERData, fold) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    train_ids, val_ids, test_ids = fold_ids(fold)
    if not train_ids or not test_ids:
        raise ValueError("a fold needs training and test clips")
    return data.rows(train_ids), data.rows(val_ids), data.rows(test_ids)


def _fit_scalings(run: _Runner, data: SERData, cfg: TrainConfig, train_rows, val_rows, test_rows) -> None:
    if cfg.standardize:  # fitted on training speakers only: test speakers leak nothing
        run.scaling = data.fit_scaling(train_rows, run.keys)
    if cfg.speaker_norm:  # transductive: every speaker of the fold from their own clips, labels unread
        run.speaker_scaling = data.fit_speaker_scaling(np.concatenate([train_rows, val_rows, test_rows]), run.keys)


def _resume(last_path: Path, made_under: dict, model: nn.Module, optimizer, scaler, generator) -> _Progress:
    """The state ``last.pt`` saved after its epoch, loaded into the model, optimizer, scaler and
    batch generator; refused when it was made under other settings."""
    # on the CPU first: load_state_dict puts parameters and moments where the model is, and
    # leaves AdamW's step counters on the CPU, where torch keeps them (mapped onto the GPU they
    # would be moved back on every step, or trip the optimizer's device checks)
    ck = load_checkpoint(last_path, map_location="cpu")
    check_same(_resumable(ck["meta"].get("made_under", {})), _resumable(made_under), last_path,
               f"Delete {last_path.parent} to train this fold afresh, or pass another out_dir.")
    model.load_state_dict(ck["model"])
    optimizer.load_state_dict(ck["optimizer"])
    if ck.get("scaler") and scaler.is_enabled():  # saved only by an enabled (fp16) scaler
        scaler.load_state_dict(ck["scaler"])
    set_rng_state(ck["rng"], generator)
    meta = ck["meta"]
    if "best_model" in ck:  # written before the best weights had a file of their own
        best_state = ck["best_model"]
    elif meta.get("best_file"):
        best_state = load_checkpoint(last_path.parent / meta["best_file"], map_location="cpu")["model"]
    else:  # the kept epoch is the saved one
        best_state = ck["model"] if meta["best_epoch"] == meta["epoch"] else None
    return _Progress(history=meta["history"], start_epoch=meta["epoch"] + 1, best_state=best_state,
                     best_epoch=meta["best_epoch"], best_score=meta["best_score"], bad_epochs=meta["bad_epochs"],
                     stopped=meta["stopped"], best_file=meta.get("best_file"))


class _ResumePoints:
    """``last.pt`` written when due, with the best weights it refers to in a file of their own;
    counts the checkpoint bytes this run writes."""

    def __init__(self, out_dir: Path, cfg: TrainConfig, progress: _Progress) -> None:
        self.out_dir, self.cfg, self.progress = out_dir, cfg, progress
        self.last = out_dir / "last.pt"
        self.saved_epoch, self.saved_at = progress.start_epoch - 1, time.monotonic()
        self.bytes = 0

    def write(self, path: Path, **tensors_and_meta) -> None:
        save_checkpoint(path, **tensors_and_meta)
        self.bytes += path.stat().st_size

    def due(self, epoch: int, final: bool) -> bool:
        """A resume point after ``epoch``? At the fold's end only when ``keep_last`` asks for one
        (it would be deleted a moment later), otherwise when the cadence says so."""
        if final:
            return self.cfg.keep_last
        return (epoch - self.saved_epoch >= self.cfg.checkpoint_epochs
                and time.monotonic() - self.saved_at >= 60 * self.cfg.checkpoint_minutes)

    def save(self, epoch: int, model: nn.Module, optimizer, scaler, generator, meta: dict) -> None:
        p = self.progress
        best_file = None
        if p.best_state is not None and p.best_epoch != epoch:  # the kept weights are not the saved model
            best_file = f"best-e{p.best_epoch:03d}.pt"
            if p.best_file != best_file:  # not yet written by this run, nor read at its resume
                self.write(self.out_dir / best_file, model=p.best_state, meta={"epoch": p.best_epoch})
        # the scaler's state only when it scales (fp16): a disabled scaler's empty state would
        # make an enabled one's load_state_dict raise when the fold is resumed on such a GPU
        scaler_state = {"scaler": scaler.state_dict()} if scaler.is_enabled() else {}
        self.write(self.last, model=model.state_dict(), optimizer=optimizer.state_dict(), **scaler_state,
                   rng=rng_state(generator), meta={**meta, "best_file": best_file})
        p.best_file = best_file
        self.remove_best_files(keep=best_file)
        self.saved_epoch, self.saved_at = epoch, time.monotonic()

    def remove_best_files(self, keep: str | None = None) -> None:
        for f in self.out_dir.glob("best-e*.pt"):
            if f.name != keep:
                f.unlink()

    def finish(self) -> None:
        """The fold is saved: its resume points go, unless ``keep_last``."""
        if not self.cfg.keep_last:
            self.last.unlink(missing_ok=True)
            self.remove_best_files()


def _train_epoch(run: _Runner, optimizer, scaler, train_rows: np.ndarray, generator: torch.Generator) -> dict:
    """One pass over the training clips in mini-batches; the epoch's row of the history
    (losses, seconds, samples per second) without the validation scores."""
    cfg, model = run.cfg, run.model
    model.train()
    t0 = time.perf_counter()
    batches = run.train_batches(train_rows, generator)
    n_seen = sum(len(rows) for rows in batches)
    sums = {"total": 0.0, "emotion": 0.0, "gender": 0.0}
    feed = run.batches(batches)
    for batch in feed:
        out = run.outputs(batch)
        losses = run.loss(out, batch["emotion"], batch["gender"])
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(losses["total"]).backward()
        if cfg.grad_clip:
            scaler.unscale_(optimizer)
            nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        scaler.step(optimizer)
        scaler.update()
        for k, v in losses.items():
            sums[k] += float(v.detach()) * len(batch["emotion"])
    seconds = time.perf_counter() - t0
    return {"train_loss": sums["total"] / n_seen, "train_emotion_loss": sums["emotion"] / n_seen,
            "train_gender_loss": sums["gender"] / n_seen, "seconds": seconds, "samples": n_seen,
            "samples_per_s": n_seen / seconds, "data_wait_seconds": feed.wait_seconds}


def _validate(run: _Runner, val_rows: np.ndarray, row: dict) -> float:
    """Adds the validation losses, WA and UA to the epoch's ``row``; returns the score the
    schedule's ``monitor`` keeps the best epoch by (the epoch itself without validation clips)."""
    if not len(val_rows):
        return float(row["epoch"])  # no validation speakers: keep the last epoch
    data = run.data
    pred = run.predict(val_rows)
    m = classification_metrics(data.emotion_codes[val_rows], pred["probs"].argmax(1), range(len(data.emotions)))
    row.update(val_loss=pred["loss"]["total"], val_emotion_loss=pred["loss"]["emotion"],
               val_gender_loss=pred["loss"]["gender"], val_wa=m["wa"], val_ua=m["ua"])
    return _score(run.cfg.monitor, row)


def _keep_if_best(progress: _Progress, score: float, epoch: int, model: nn.Module, cfg: TrainConfig) -> None:
    """Early stopping's bookkeeping: a better score keeps this epoch's weights, else counts toward patience."""
    if score > progress.best_score:
        progress.best_score, progress.best_epoch, progress.bad_epochs = score, epoch, 0
        progress.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    else:
        progress.bad_epochs += 1
        progress.stopped = cfg.patience is not None and progress.bad_epochs >= cfg.patience


def _validation_predictions(run: _Runner, val_rows: np.ndarray) -> pd.DataFrame:
    """The kept weights on the validation speakers (e.g. for temperature scaling); empty without them."""
    data, labels = run.data, list(run.data.emotions)
    if not len(val_rows):
        return pd.DataFrame({"utt_id": pd.Series(dtype=object), "true": pd.Series(dtype=object),
                             "pred": pd.Series(dtype=object),
                             **{f"prob_{lab}": pd.Series(dtype=np.float32) for lab in labels}})
    vp = run.predict(val_rows)
    val_preds = pd.DataFrame({"utt_id": [data.utt_ids[r] for r in val_rows],
                              "true": [labels[i] for i in data.emotion_codes[val_rows]],
                              "pred": [labels[i] for i in vp["probs"].argmax(1)]})
    for j, lab in enumerate(labels):
        val_preds[f"prob_{lab}"] = vp["probs"][:, j]
    return val_preds


def _test_predictions(run: _Runner, test_rows: np.ndarray) -> tuple[pd.DataFrame, dict, np.ndarray]:
    """(predictions, metrics, embeddings) of the test speakers: emotion and, for a multitask
    model, gender."""
    data, labels = run.data, list(run.data.emotions)
    pred = run.predict(test_rows)
    y_true = data.emotion_codes[test_rows]
    y_pred = pred["probs"].argmax(1)
    metrics = classification_metrics([labels[i] for i in y_true], [labels[i] for i in y_pred], labels)
    g_true = data.gender_codes[test_rows]
    preds = pd.DataFrame({"utt_id": [data.utt_ids[r] for r in test_rows],
                          "true": [labels[i] for i in y_true], "pred": [labels[i] for i in y_pred]})
    for j, lab in enumerate(labels):
        preds[f"prob_{lab}"] = pred["probs"][:, j]
    preds["gender_true"] = [data.genders[i] if i != NO_GENDER else UNKNOWN_GENDER for i in g_true]
    if pred["gender_probs"] is not None:
        g_pred = pred["gender_probs"].argmax(1)
        preds["gender_pred"] = [data.genders[i] for i in g_pred]
        known = g_true != NO_GENDER  # clips of unknown gender count in no gender accuracy (NaN when none is known)
        metrics["gender_accuracy"] = accuracy(g_true[known], g_pred[known])
    else:
        preds["gender_pred"] = None
        metrics["gender_accuracy"] = float("nan")
    return preds, metrics, pred["embeddings"]


def _save_best(path: Path, run: _Runner, info: dict) -> None:
    """The kept weights with the fold's feature scalings, loadable with ``weights_only=True``."""
    model = run.model
    meta = dict(info)
    if hasattr(model, "config") and hasattr(model.config, "to_dict"):
        meta["model_config"] = model.config.to_dict()
    # the fold's feature scaling travels with the weights (tensors, loadable with weights_only=True)
    scaling = {f"{k}.{part}": torch.from_numpy(v) for k, (mu, sd) in run.scaling.items()
               for part, v in (("mean", mu), ("std", sd))}
    # and so do the per-speaker statistics of speaker normalisation ((S, dim) tensors; speakers in meta)
    speaker_scaling = {f"{k}.{part}": torch.from_numpy(v) for k, sc in run.speaker_scaling.items()
                       for part, v in (("mean", sc.mean), ("std", sc.std))}
    if run.speaker_scaling:
        meta["speaker_scaling_speakers"] = {k: list(sc.speakers) for k, sc in run.speaker_scaling.items()}
    dtype = BEST_DTYPES[run.cfg.best_dtype]
    weights = {k: v.to(dtype) if v.is_floating_point() else v for k, v in model.state_dict().items()}
    save_checkpoint(path, model=weights, feature_scaling=scaling, speaker_scaling=speaker_scaling,
                    meta={**meta, "weights_dtype": run.cfg.best_dtype})


def train_one_fold(model_factory: Callable[[], nn.Module], data: SERData, fold, train_config: TrainConfig,
                   out_dir: str | Path, resume: bool = True, desc: str = "",
                   fingerprint: dict | None = None) -> FoldResult:
    """Train ``model_factory()`` on ``fold`` (tuple (train, val, test) of utt_ids or an object
    with .train/.val/.test); select the epoch with the best ``monitor`` on the validation
    clips (the last epoch when there is no validation set) and predict the test clips.

    ``resume=True``: a finished fold (``done.json``) is loaded, not retrained; a fold with a
    ``last.pt`` continues from it (the same result as an uninterrupted run on CPU). Either is
    reused only when made under the same schedule, fold clips and ``fingerprint`` (e.g. the
    model and features); otherwise a ValueError says what differs.
    """
    cfg, out_dir = train_config, Path(out_dir)
    _check_schedule(cfg)
    if resume and finished(out_dir, cfg, fold, fingerprint):
        return FoldResult.load(out_dir)
    made_under = _made_under(cfg, fold, fingerprint)
    out_dir.mkdir(parents=True, exist_ok=True)
    train_rows, val_rows, test_rows = _fold_rows(data, fold)

    # set up: seeds first, so the model's initial weights and the batch order follow the seed
    device = resolve_device(cfg.device)
    seed_everything(cfg.seed)
    model = model_factory().to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    generator = torch.Generator().manual_seed(cfg.seed)
    run = _Runner(model, data, cfg, device)
    _fit_scalings(run, data, cfg, train_rows, val_rows, test_rows)
    scaler = torch.amp.GradScaler("cuda", enabled=run.amp_dtype == torch.float16)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    return_freed_memory()  # each fold's peak starts from what is really in use, not from earlier folds' heap
    rss = PeakRSS().start()
    last_path = out_dir / "last.pt"
    progress = (_resume(last_path, made_under, model, optimizer, scaler, generator)
                if resume and last_path.exists() else _Progress())

    # train: one epoch at a time, validated, the best kept, a resume point when due
    points = _ResumePoints(out_dir, cfg, progress)
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    history = progress.history
    train_seconds, trained_samples = sum(h["seconds"] for h in history), sum(h["samples"] for h in history)
    data_wait = 0.0  # seconds the training steps waited for their batches (this run's epochs only)
    resumed_seconds = train_seconds
    bar = tqdm(range(progress.start_epoch, cfg.epochs), desc=desc or "epochs", disable=not cfg.progress, leave=False)
    for epoch in bar:
        if progress.stopped:
            break
        row = {"epoch": epoch, **_train_epoch(run, optimizer, scaler, train_rows, generator)}
        data_wait += row.pop("data_wait_seconds")  # timing, not a result: kept out of the history
        _keep_if_best(progress, _validate(run, val_rows, row), epoch, model, cfg)
        history.append(row)
        train_seconds += row["seconds"]
        trained_samples += row["samples"]
        bar.set_postfix({k: round(v, 3) for k, v in row.items() if k in ("train_loss", "val_wa", "val_ua")})
        if points.due(epoch, final=progress.stopped or epoch == cfg.epochs - 1):
            points.save(epoch, model, optimizer, scaler, generator,
                        {**progress.meta(epoch), "train_config": cfg.to_dict(), "made_under": made_under})

    # evaluate the kept weights on the validation and the test speakers, and save the fold
    if progress.best_state is not None:
        model.load_state_dict(progress.best_state)
    val_preds = _validation_predictions(run, val_rows)
    preds, metrics, embeddings = _test_predictions(run, test_rows)
    rss.stop()
    info = {"best_epoch": progress.best_epoch, "epochs_run": len(history), "stopped_early": progress.stopped,
            "train_seconds": train_seconds,
            "samples_per_s": trained_samples / train_seconds if train_seconds else float("nan"),
            "peak_memory_mb": peak_memory_mb(device, rss), "memory_rise_mb": rss.delta_mb,
            "peak_anon_mb": rss.peak_anon_mb,
            # share of this run's training time spent waiting for batches (0: the GPU never waited)
            "data_wait_share": data_wait / (train_seconds - resumed_seconds) if train_seconds > resumed_seconds else 0.0,  # process-owned memory, memory-mapped feature pages excluded
            "device": str(device), "n_params": n_params,
            "n_train": len(train_rows), "n_val": len(val_rows), "n_test": len(test_rows),
            "emotions": list(data.emotions), "train_config": cfg.to_dict(), "made_under": made_under}
    _save_best(out_dir / "best.pt", run, info)
    # what this run wrote: resume points and best.pt (a fold's disk cost: scripts/bench_checkpoints.py)
    info["checkpoint_bytes"] = points.bytes + (out_dir / "best.pt").stat().st_size
    result = FoldResult(history=pd.DataFrame(history), predictions=preds, embeddings=embeddings,
                        embedding_ids=list(preds["utt_id"]), metrics=metrics, info=info, val_predictions=val_preds)
    result.save(out_dir)
    points.finish()
    return result
