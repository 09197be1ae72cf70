"""Where the grid's jobs run: this process, local worker processes, or a cluster via submitit.

Each executor takes plain job dicts (:mod:`camulenet.grid.jobs`) and yields, as jobs end,
``Outcome(job, ok, result_or_error, log)``. None is home-made scheduling:

- ``InProcess``: one after another, here (the default; what chapter 5 does).
- ``LocalProcesses``: :class:`concurrent.futures.ProcessPoolExecutor` (spawned workers), one
  per GPU (each worker sees only its own through ``CUDA_VISIBLE_DEVICES``) or N CPU workers.
- ``Submitit``: `submitit <https://github.com/facebookincubator/submitit>`_'s AutoExecutor:
  SLURM job arrays with per-job GPUs, CPUs, memory and time, requeued on preemption or
  timeout (the job is ``Checkpointable`` and training resumes from ``last.pt``); with
  ``cluster="local"`` the same code runs as local subprocesses (how the tests check it).

The job dict travels to a worker the engine's way (pickled by concurrent.futures or
submitit): that is transport of a few strings and numbers, not a cache; every artefact a job
writes is JSON, parquet, numpy or a weights-only checkpoint.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import submitit
import torch

from camulenet.grid.jobs import Job
from camulenet.training.runner import available_cpus


@dataclass
class Outcome:
    job: dict
    ok: bool
    value: object  # the job's summary dict, or the error text
    log: str | None


def log_dir(cfg) -> Path:
    """Where the executors write job logs (one folder per data root)."""
    return Path(cfg.data_root) / "grid-logs"


def _job_log(log_dir: Path, job: dict) -> Path:
    return log_dir / f"{Job.from_dict(job).slug}.log"


class InProcess:
    """Jobs one after another in this process; each job's traceback also goes to its log file."""

    name = "inprocess"

    def __init__(self, log_dir: str | Path):
        self.log_dir = Path(log_dir)

    def run(self, fn: Callable[[dict], dict], jobs: Sequence[dict]) -> Iterator[Outcome]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for job in jobs:
            log = _job_log(self.log_dir, job)
            os.environ["CAMULENET_JOB_LOG"] = str(log)
            try:
                yield Outcome(job, True, fn(job), str(log))
            except Exception as err:
                log.write_text(traceback.format_exc())
                yield Outcome(job, False, f"{type(err).__name__}: {err}", str(log))
            finally:
                os.environ.pop("CAMULENET_JOB_LOG", None)


def _init_worker(devices, threads: int | None) -> None:
    """Runs first in each spawned worker: pin it to one GPU (before torch touches CUDA)."""
    if devices is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = str(devices.get())
    if threads:
        os.environ["OMP_NUM_THREADS"] = str(threads)


def _logged(fn: Callable[[dict], dict], job: dict, log: str) -> dict:
    """Run ``fn(job)`` in a worker with its output (and traceback) in the job's log file."""
    os.environ["CAMULENET_JOB_LOG"] = log
    with open(log, "w", buffering=1) as f, contextlib.redirect_stdout(f), contextlib.redirect_stderr(f):
        try:
            return fn(job)
        except Exception:
            traceback.print_exc()
            raise


class LocalProcesses:
    """``workers`` spawned processes; with ``gpus`` (e.g. [0, 1, 2, 3]) one worker per GPU."""

    name = "local"

    def __init__(self, log_dir: str | Path, workers: int | None = None, gpus: Sequence[int] | None = None,
                 threads: int | None = None):
        if gpus is not None and workers not in (None, len(gpus)):
            raise ValueError(f"one worker per GPU: workers={workers} but gpus={list(gpus)}")
        self.log_dir, self.gpus, self.threads = Path(log_dir), list(gpus) if gpus else None, threads
        self.workers = len(self.gpus) if self.gpus else (workers or 1)

    def run(self, fn: Callable[[dict], dict], jobs: Sequence[dict]) -> Iterator[Outcome]:
        if not jobs:  # no pool, no manager process for nothing
            return
        self.log_dir.mkdir(parents=True, exist_ok=True)
        ctx = mp.get_context("spawn")  # a fresh interpreter: no inherited CUDA context or threads
        with ctx.Manager() as manager:
            devices = None
            if self.gpus:
                devices = manager.Queue()
                for g in self.gpus:
                    devices.put(g)
            with ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                     initargs=(devices, self.threads)) as pool:
                futures = {pool.submit(_logged, fn, job, str(_job_log(self.log_dir, job))): job for job in jobs}
                try:
                    for fut in as_completed(futures):
                        job = futures[fut]
                        log = str(_job_log(self.log_dir, job))
                        try:
                            yield Outcome(job, True, fut.result(), log)
                        except Exception as err:
                            yield Outcome(job, False, f"{type(err).__name__}: {err}", log)
                finally:
                    for fut in futures:
                        fut.cancel()


class _Checkpointable:
    """The job as submitit runs it; on preemption or timeout submitit calls ``checkpoint``,
    which resubmits the same job (training continues from the fold's ``last.pt``)."""

    def __init__(self, fn: Callable[[dict], dict]):
        self.fn = fn

    def __call__(self, job: dict) -> dict:
        return self.fn(job)

    def checkpoint(self, job: dict):
        return submitit.helpers.DelayedSubmission(self, job)


class Submitit:
    """A SLURM cluster (``cluster=None`` auto-detects, ``"slurm"``) or local subprocesses
    (``cluster="local"``) through submitit's AutoExecutor.

    ``parameters`` are AutoExecutor's: ``timeout_min``, ``gpus_per_node``, ``cpus_per_task``,
    ``mem_gb``, ``slurm_partition``, ``slurm_array_parallelism``, ``slurm_additional_parameters``...
    ``wait=False`` submits and returns: the next call of the grid reports and resumes.
    """

    name = "submitit"

    def __init__(self, folder: str | Path, cluster: str | None = None, wait: bool = True, poll_s: float = 5.0,
                 max_requeue: int = 3, **parameters):
        self.folder = Path(folder)
        self.executor = submitit.AutoExecutor(folder=self.folder / "%j", cluster=cluster,
                                              slurm_max_num_timeout=max_requeue)
        self.executor.update_parameters(**{"name": "camulenet-grid", **parameters})
        self.wait, self.poll_s = wait, poll_s
        self.submitted: list = []

    def run(self, fn: Callable[[dict], dict], jobs: Sequence[dict]) -> Iterator[Outcome]:
        if not jobs:
            return
        handles = self.executor.map_array(_Checkpointable(fn), list(jobs))  # one job array
        self.submitted = [h.job_id for h in handles]
        if not self.wait:
            return
        pending = dict(zip(handles, jobs))
        while pending:
            for h in [h for h in pending if h.done()]:
                job = pending.pop(h)
                try:
                    yield Outcome(job, True, h.result(), str(h.paths.stderr))
                except Exception as err:
                    first = str(err).strip().splitlines()
                    yield Outcome(job, False, first[-1] if first else type(err).__name__, str(h.paths.stderr))
            if pending:
                time.sleep(self.poll_s)


def make_executor(kind: str, log_dir: str | Path, *, workers: int | None = None, gpus: Sequence[int] | None = None,
                  threads: int | None = None, wait: bool = True, **slurm) :
    """``inprocess``, ``local`` (processes), ``slurm`` or ``submitit-local`` (submitit's local executor)."""
    if kind == "inprocess":
        return InProcess(log_dir)
    if kind == "local":
        return LocalProcesses(log_dir, workers=workers, gpus=gpus, threads=threads)
    if kind in ("slurm", "submitit-local"):
        return Submitit(Path(log_dir) / "submitit", cluster="slurm" if kind == "slurm" else "local", wait=wait,
                        **slurm)
    raise ValueError(f"unknown executor {kind!r}; choose inprocess, local, slurm or submitit-local")


def training_executor(cfg, n_jobs: int):
    """(executor, torch threads per job) for the book's grid on this machine.

    On a CPU: one single-threaded worker process per core. The profile of a compact training
    step is dominated by the MFCC GRU's many small sequential steps, which a second thread
    hardly speeds up, so folds side by side train faster than one fold on all cores; and one
    thread per job makes the numbers independent of the machine's core count. On a GPU: the
    jobs run one after another in this process.
    """
    if torch.cuda.is_available():
        return InProcess(log_dir(cfg)), None
    workers = max(1, min(available_cpus(), n_jobs))
    return (LocalProcesses(log_dir(cfg), workers=workers, threads=1) if workers > 1 else InProcess(log_dir(cfg))), 1
