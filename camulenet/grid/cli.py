"""``python -m camulenet grid ...``: the Table 1 grid from the command line (and ``python -m camulenet
fetch CORPUS...``, which downloads an open corpus: :mod:`camulenet.data.fetch`).

Examples::

    # every system x fold of two corpora at the paper profile, one worker per GPU
    python -m camulenet grid --corpus crema-d ravdess --profile paper --executor local --gpus 0 1 2 3
    # the same on a SLURM cluster: one job array, a GPU and 8 CPUs per job, requeued on preemption
    python -m camulenet grid --corpus crema-d ravdess --profile paper --executor slurm \\
        --gpus-per-job 1 --cpus-per-job 8 --mem-gb 32 --time-min 240 --partition gpu --no-wait
    # your own corpus: a manifest CSV (path, speaker, emotion, ...), or the folder holding manifest.csv
    python -m camulenet grid --corpus examples/my_corpus
    # what is done, running, failed and left (no training)
    python -m camulenet grid --corpus crema-d ravdess --profile paper --status

The options that name the settings (``--corpus``, ``--profile``, ``--whisper-model``,
``--fold-protocol``, ``--seed``, ``--smoke``) are those of ``scripts/build_book.py``: the
grid trains into the folders the book reads.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from camulenet import config
from camulenet.data import fetch
from camulenet.grid.executors import log_dir, make_executor
from camulenet.grid.plan import plan_text
from camulenet.grid.run import plan_corpus, run_grid, status, summary
from camulenet.training.runner import available_cpus


def _settings(args) -> list:
    whisper = args.whisper_checkpoint or args.whisper_model
    return [config.settings(smoke=args.smoke, seed=args.seed, corpus=c, profile=args.profile, whisper=whisper,
                            fold_protocol=args.fold_protocol) for c in args.corpus]


def _executor(args, cfgs):
    slurm = {k: v for k, v in {"timeout_min": args.time_min, "gpus_per_node": args.gpus_per_job,
                               "cpus_per_task": args.cpus_per_job, "mem_gb": args.mem_gb,
                               "slurm_partition": args.partition,
                               "slurm_array_parallelism": args.array_parallelism}.items() if v is not None}
    return make_executor(args.executor, log_dir(cfgs[0]), workers=args.workers, gpus=args.gpus,
                         threads=args.threads, wait=not args.no_wait, **slurm)


def _threads(args) -> int | None:
    """Torch threads per job: given, or the CPUs shared out among local workers, or the job's CPUs."""
    if args.threads:
        return args.threads
    if args.executor == "local":
        workers = len(args.gpus) if args.gpus else (args.workers or 1)
        return max(1, available_cpus() // workers)
    if args.executor in ("slurm", "submitit-local"):
        return args.cpus_per_job
    return None


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m camulenet", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grid", help="train every system x fold of one or more corpora",
                       formatter_class=argparse.RawDescriptionHelpFormatter, description=__doc__)
    g.add_argument("--corpus", nargs="+", default=["synthetic"],
                   help="corpora under data/corpora/<name> in their official layout (an open one fetched there "
                        "when missing), or your own: the path of its manifest CSV or of a folder holding "
                        "manifest.csv (default: the embedded synthetic one)")
    g.add_argument("--profile", default="compact", choices=("compact", "paper"))
    weights = g.add_mutually_exclusive_group()
    weights.add_argument("--whisper-model", help="Whisper weights by name (default: the profile's)")
    weights.add_argument("--whisper-checkpoint", help="a Whisper checkpoint file (.pt)")
    g.add_argument("--fold-protocol", default="speaker", choices=("speaker", "session"))
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--smoke", action="store_true", help="tiny data and schedule (what the tests run)")
    g.add_argument("--systems", nargs="+", help="system names (default: the book's: the three CAMuLeNet "
                   "variants and the profile's Whisper baseline)")
    g.add_argument("--folds", nargs="+", type=int, help="fold indices (default: all)")
    g.add_argument("--executor", default="inprocess", choices=("inprocess", "local", "slurm", "submitit-local"))
    g.add_argument("--workers", type=int, help="local: number of CPU worker processes")
    g.add_argument("--gpus", nargs="+", type=int, help="local: one worker per listed GPU index")
    g.add_argument("--threads", type=int, help="torch CPU threads per job (same value -> same numbers on CPU)")
    g.add_argument("--gpus-per-job", type=int, help="slurm: GPUs per job")
    g.add_argument("--cpus-per-job", type=int, help="slurm: CPUs per job")
    g.add_argument("--mem-gb", type=int, help="slurm: memory per job")
    g.add_argument("--time-min", type=int, help="slurm: time limit per job (a job over it is requeued)")
    g.add_argument("--partition", help="slurm: partition")
    g.add_argument("--array-parallelism", type=int, help="slurm: at most this many jobs of the array at once")
    g.add_argument("--no-wait", action="store_true", help="slurm: submit and return; call again to see and resume")
    g.add_argument("--status", action="store_true", help="only report done, running, failed and left")
    g.add_argument("--plan", action="store_true", help="report the jobs, disk at its peak (features, checkpoints) and time left")
    f = sub.add_parser("fetch", help="download, verify and unpack open corpora into data/corpora/<name>",
                       description=fetch.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    fetch.add_arguments(f)
    return ap


def main(argv: list[str] | None = None) -> int:
    """Run the command; bad settings or data exit with the error's message (it names the fix)."""
    args = parser().parse_args(argv)
    try:
        return fetch.run(args) if args.command == "fetch" else _main(args)
    except (ValueError, KeyError, FileNotFoundError, fetch.FetchError) as err:
        sys.exit(f"python -m camulenet {args.command}: {err}")


def _main(args) -> int:
    if args.whisper_checkpoint and not Path(args.whisper_checkpoint).is_file():
        sys.exit(f"--whisper-checkpoint {args.whisper_checkpoint}: no such file")
    cfgs = _settings(args)
    if args.status or args.plan:
        grids = [plan_corpus(cfg, args.systems, args.folds, register=False) for cfg in cfgs]
        print(summary(status(grids)))
        if args.plan:
            print(plan_text(grids, workers=len(args.gpus) if args.gpus else (args.workers or 1)))
        return 0
    report = run_grid(cfgs, args.systems, args.folds, executor=_executor(args, cfgs), threads=_threads(args))
    if report.submitted:
        print(f"submitted {len(report.submitted)} jobs: {report.submitted[0]} ... ; logs under "
              f"{log_dir(cfgs[0]) / 'submitit'}; call the same command with --status to follow them")
    print(report)
    return 1 if report.counts.get("failed") else 0
