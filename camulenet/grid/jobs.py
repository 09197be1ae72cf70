"""One job of the Table 1 grid, as plain data, and its state on disk.

A job is a JSON-able dict: the book's settings (:class:`camulenet.config.BookSettings`), and
either nothing (prepare the corpus: manifest, folds, features) or one system and one fold
(train it). Any executor can ship it to another process or node, and it reads and writes the
very folders the book uses (:func:`camulenet.training.runs.runs_root`), so the chapters pick the results up.

A training job's state lives in its fold folder:

- **done**: ``done.json`` exists (written last and atomically by the trainer).
- **running**: another process holds the fold's lock (``train.lock``, a ``filelock`` lock,
  released by the operating system when that process dies or is preempted).
- **failed**: ``failed.json`` holds the error and the path of the job's log; the next call
  of the grid retries the job (and removes the mark when it starts again).
- **left**: none of these.
"""

from __future__ import annotations

import json
import os
import socket
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

import submitit
from filelock import FileLock, Timeout

from camulenet.config import BookSettings, whisper_label
from camulenet.data.prepare import ensure_corpus, ensure_folds
from camulenet.features.prepare import ensure_features, features_root, with_features
from camulenet.features.store import FeatureStore
from camulenet.storage import atomic
from camulenet.training.runner import BASELINES, BEYOND_SYSTEMS, VARIANTS, slug, train_systems
from camulenet.training.runs import grid_arguments

LOCK, FAILED, RUNNING = "train.lock", "failed.json", "job.json"


@dataclass(frozen=True)
class Job:
    settings: dict            # BookSettings.as_dict()
    system: str | None = None  # None: the corpus's preparation job
    fold: int | None = None
    threads: int | None = None  # torch CPU threads; the same value gives the same numbers on CPU

    @property
    def corpus(self) -> str:
        return self.settings["corpus"]

    @property
    def label(self) -> str:
        return f"{self.corpus} / prepare" if self.system is None else f"{self.corpus} / {self.system} / fold {self.fold}"

    @property
    def slug(self) -> str:
        return f"{self.corpus}-prepare" if self.system is None else f"{self.corpus}-{slug(self.system)}-fold_{self.fold:02d}"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Job":
        return cls(**d)


def settings_from_dict(d: dict) -> BookSettings:
    """A :class:`BookSettings` back from ``as_dict()`` (lists become tuples, the root a Path)."""
    return BookSettings(**{k: Path(v) if k == "data_root" else tuple(v) if isinstance(v, list) else v
                           for k, v in d.items()})


def fold_dir(out_dir: str | Path, system: str, fold: int) -> Path:
    return Path(out_dir) / "systems" / slug(system) / f"fold_{fold:02d}"


def state(cell: Path) -> str:
    """done, running, failed or left (see the module docstring)."""
    if (cell / "done.json").exists():
        return "done"
    if (cell / LOCK).exists():
        try:
            with FileLock(cell / LOCK, timeout=0):
                pass
        except Timeout:
            return "running"
    return "failed" if (cell / FAILED).exists() else "left"


def failure(cell: Path) -> dict:
    """What ``failed.json`` says: error, log, host, when."""
    return json.loads((cell / FAILED).read_text())



def load_features(cfg, manifest, systems) -> dict:
    """The book's features plus those the requested baselines read (e.g. ``wavlm`` for WavLM),
    which must already be in the corpus's feature store; a system that cannot run says why."""
    label, root = whisper_label(cfg), features_root(cfg)
    extra = {}
    for system in systems:
        if system in VARIANTS or system in BEYOND_SYSTEMS or system == label:
            continue
        if system not in BASELINES:
            raise ValueError(f"unknown system {system!r}; known: {[*VARIANTS, label, *BASELINES, *BEYOND_SYSTEMS]}")
        key = BASELINES[system]
        if key == "whisper":
            raise ValueError(f"{system} reads the {key!r} frames, which this grid extracts with {label}; "
                             f"train it in a grid of its own with --whisper-model {system.split('-', 1)[1].lower()}")
        if not FeatureStore(root).done_ids(key):
            raise ValueError(f"{system} reads feature {key!r}, which is not under {root}: extract it first "
                             f"with camulenet.features.ssl.extract_ssl_features(manifest, {str(root)!r}, model, "
                             f"{key!r}) (chapter 6 shows how)")
        extra[system] = key
    features = ensure_features(cfg, manifest, progress=False)
    ids = [str(u) for u in features["whisper"].ids]
    for key in set(extra.values()):
        features[key] = FeatureStore(root).load(key, ids=ids)
    return features


def prepare(cfg, device=None) -> dict:
    """The corpus's manifest, folds and features (each made once, resumable): what every training job reads."""
    manifest = ensure_corpus(cfg)
    folds = ensure_folds(cfg, manifest)
    features = ensure_features(cfg, manifest, device=device)
    readable, fold_lists, dropped = with_features(manifest, folds, features)
    return {"corpus": cfg.corpus, "clips": len(manifest), "unreadable": len(dropped), "folds": len(fold_lists)}


def log_path() -> str | None:
    """This job's log file: submitit's stderr inside a submitit job, else what the executor set."""
    try:
        return str(submitit.JobEnvironment().paths.stderr)
    except RuntimeError:  # not inside a submitit job
        return os.environ.get("CAMULENET_JOB_LOG")


def run_job(job: dict) -> dict:
    """Run one job (a dict from :meth:`Job.to_dict`) in this process; returns a small summary.

    A training job holds its fold's lock while it trains, so two executors never train the
    same fold; a second one finds it running and returns. An error is written to
    ``failed.json`` with the log's path, then raised, so the executor reports it too.
    """
    job = Job.from_dict(job)
    cfg = settings_from_dict(job.settings)
    if job.system is None:
        return prepare(cfg)
    manifest = ensure_corpus(cfg)
    folds = ensure_folds(cfg, manifest)
    features = load_features(cfg, manifest, [job.system])  # made by the preparation job
    args = grid_arguments(cfg, manifest, folds, features, systems=[job.system])
    cell = fold_dir(args["out_dir"], job.system, job.fold)
    cell.mkdir(parents=True, exist_ok=True)
    try:
        lock = FileLock(cell / LOCK, timeout=0)
        lock.acquire()
    except Timeout:
        return {"job": job.label, "state": "running"}
    try:
        (cell / FAILED).unlink(missing_ok=True)  # a retry starts clean
        atomic.write_json(cell / RUNNING, {"host": socket.gethostname(), "pid": os.getpid(), "log": log_path(),
                                           "started": time.strftime("%Y-%m-%d %H:%M:%S")})
        try:
            train_systems(**{**args, "fold_indices": [job.fold]}, threads=job.threads, collect_results=False,
                     progress=False)
        except Exception as err:  # an interrupt or a preemption (submitit requeues) is no failure: the job is left
            atomic.write_json(cell / FAILED, {"job": job.label, "error": f"{type(err).__name__}: {err}",
                                              "log": log_path(), "host": socket.gethostname(),
                                              "when": time.strftime("%Y-%m-%d %H:%M:%S"),
                                              "traceback": traceback.format_exc()[-4000:]})
            raise
        finally:
            (cell / RUNNING).unlink(missing_ok=True)
    finally:
        lock.release()
    done = json.loads((cell / "metrics.json").read_text())
    return {"job": job.label, "state": "done", "wa": done["wa"], "ua": done["ua"]}
