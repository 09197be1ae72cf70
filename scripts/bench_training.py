"""Training benchmark: one fold of each system on random features shaped like the synthetic
corpus (~1,500 clips of 2-3 s, 40 speakers, 6 emotions, 10 leave-speakers-out folds).

Prints training samples/s, seconds per fold, peak memory, and an estimate of the full
grid time (systems x folds). Timings depend on the machine and on other load: on a shared
2-core machine, other processes make torch's 2-thread kernels wait for each other
(``--threads 1`` is then often faster).

    python scripts/bench_training.py [--epochs 15] [--threads N] [--systems ...] [--device auto]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from camulenet.runner import SYSTEMS, build_model  # noqa: E402
from camulenet.training import SERData, TrainConfig, train_one_fold  # noqa: E402
from camulenet.training.toy import speaker_folds, toy_corpus  # noqa: E402


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=15, help="epochs per fold (no early stopping: worst case)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--systems", nargs="+", default=list(SYSTEMS))
    ap.add_argument("--folds", type=int, default=10, help="folds in the grid estimate")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--model-config", default="compact", choices=["compact", "paper"])
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    feats, manifest = toy_corpus(1500, 40, signal=0.2, seed=0)
    folds = speaker_folds(manifest, args.folds)
    data = SERData(feats, manifest)
    print(f"random corpus: {len(manifest)} clips, {manifest.speaker.nunique()} speakers, "
          f"train/val/test {len(folds[0][0])}/{len(folds[0][1])}/{len(folds[0][2])} "
          f"({time.perf_counter() - t0:.1f} s to build); torch threads {torch.get_num_threads()}")
    cfg = TrainConfig.compact(epochs=args.epochs, patience=None, progress=False, device=args.device)
    total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for system in args.systems:
            t = time.perf_counter()
            res = train_one_fold(lambda: build_model(system, data, args.model_config), data, folds[0], cfg,
                                 Path(tmp) / system.replace(" ", "_"), resume=False)
            sec = time.perf_counter() - t
            total += sec
            print(f"{system:42s} {res.info['n_params']:>9,d} params | {res.info['samples_per_s']:6.0f} train samples/s | "
                  f"{sec:5.1f} s/fold ({args.epochs} epochs + eval) | peak memory {res.info['peak_memory_mb']:.0f} MB "
                  f"({res.info['device']})")
    print(f"estimated grid ({len(args.systems)} systems x {args.folds} folds, no early stopping): "
          f"{total * args.folds / 60:.1f} min")


if __name__ == "__main__":
    main()
