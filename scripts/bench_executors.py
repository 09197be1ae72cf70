"""How fast does chapter 5's grid train on this machine: one process with all threads, or one
single-threaded worker process per core?

The profile of a compact training step is dominated by the MFCC GRU's small sequential
steps, which a second thread hardly speeds up; folds side by side use the cores instead.
This trains the compact CAMuLeNet on the first ``--folds`` folds of the book's corpus (its
corpus, folds and features must exist: run chapters 2 and 3, or ``make book``, first) in a
fresh runs folder, with ``--mode inprocess`` (torch threads = all CPUs) or ``--mode local``
(one worker per CPU, one thread each), and prints and records (JSON) the wall time, the
samples trained and the samples per wall-second. Early stopping makes the two modes train
different numbers of epochs (thread count changes float rounding), so compare samples per
second, not wall time alone.

    python scripts/bench_executors.py --mode local [--folds 4] [--json benchmarks/training_executors.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=("inprocess", "local"), required=True)
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--json", type=Path, help="append this run's figures to a JSON list")
    args = ap.parse_args()

    from camulenet import config
    from camulenet.grid import run as grid
    from camulenet.grid.executors import InProcess, LocalProcesses
    from camulenet.grid.jobs import fold_dir
    from camulenet.storage.paths import data_root
    from camulenet.training.runner import available_cpus

    src = data_root()
    with tempfile.TemporaryDirectory(prefix="bench-executors-") as tmp:
        root = Path(tmp)
        for part in ("corpora", "features", "folds", "weights"):  # the book's artefacts, read only
            if (src / part).exists():
                os.symlink(src / part, root / part)
        cfg = config.settings(data_root=root)
        cpus = available_cpus()
        if args.mode == "local":
            executor, threads = LocalProcesses(root / "logs", workers=cpus, threads=1), 1
        else:
            executor, threads = InProcess(root / "logs"), cpus
        folds = list(range(args.folds))
        t0 = time.perf_counter()
        report = grid.run_grid([cfg], ["CAMuLeNet"], folds, executor=executor, threads=threads, progress=False)
        wall = time.perf_counter() - t0
        if report.counts != {"done": len(folds)}:
            sys.exit(f"grid did not finish:\n{report}")
        out_dir = grid.plan_corpus(cfg, ["CAMuLeNet"], folds, register=False).out_dir
        infos = [json.loads((fold_dir(out_dir, "CAMuLeNet", k) / "done.json").read_text()) for k in folds]
        samples = sum(i["samples_per_s"] * i["train_seconds"] for i in infos)
        row = {"mode": args.mode, "workers": cpus if args.mode == "local" else 1, "threads_per_job": threads,
               "folds": len(folds), "wall_s": round(wall, 1), "samples_trained": round(samples),
               "epochs": [i["epochs_run"] for i in infos], "samples_per_wall_s": round(samples / wall, 1),
               "cpus": cpus, "when": time.strftime("%Y-%m-%d %H:%M")}
        shutil.rmtree(root / "runs", ignore_errors=True)
    print(json.dumps(row))
    if args.json:
        rows = json.loads(args.json.read_text()) if args.json.exists() else []
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows + [row], indent=1) + "\n")


if __name__ == "__main__":
    main()
