"""Training benchmark: one fold of each system on random features shaped like the synthetic
corpus (~1,500 clips of 2-3 s, 40 speakers, 6 emotions, 10 leave-speakers-out folds), or on
the book's own synthetic-corpus features (``--corpus book``, made by the pipeline if missing).

Prints training samples/s, seconds per fold, peak memory, and an estimate of the full
grid time (systems x folds). Timings depend on the machine and on other load: on a shared
2-core machine, other processes make torch's 2-thread kernels wait for each other
(``--threads 1`` is then often faster).

    python scripts/bench_training.py [--epochs 15] [--threads N] [--systems ...] [--device auto]
                                     [--corpus toy|book] [--batching random|length_buckets] [--mfcc-packed yes|no]

``--compare-batching`` trains the compact CAMuLeNet on a few folds of the book's corpus (the
book's folds, seeds and schedule) twice: as before length buckets (random batches padded to the
corpus's longest clip, MFCC GRU over the padding) and as now (length-bucketed batches, packed
GRU, MFCCs padded per batch), plus the old way with another seed to show the seed-to-seed
noise. Prints WA/UA per fold and writes them with the timings as JSON
(``build/bench_training_batching.json``). ``--profile`` prints the top operators of a few
training steps of the compact CAMuLeNet under the chosen batching.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import camulenet  # noqa: E402,F401  (first: pins numpy's and torch's CPU code paths, camulenet.storage.numerics)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from camulenet.model import CAMuLeNet  # noqa: E402
from camulenet.training import SERData, TrainConfig, train_one_fold  # noqa: E402
from camulenet.training.runner import SYSTEMS, VARIANTS, build_model, camulenet_config  # noqa: E402
from camulenet.training.toy import speaker_folds, toy_corpus  # noqa: E402

#: the two ways of batching compared by --compare-batching: (TrainConfig.batching, MFCC GRU packed)
METHODS = {"random": ("random", False), "random_packed": ("random", True), "length_buckets": ("length_buckets", True)}


def book_corpus():
    """The full book's synthetic-corpus features, manifest and fold lists (made if missing)."""
    from camulenet import pipeline
    from camulenet.config import settings

    cfg = settings(smoke=False)
    manifest = pipeline.ensure_corpus(cfg)
    folds = pipeline.ensure_folds(cfg, manifest)
    feats = pipeline.ensure_features(cfg, manifest)
    readable, fold_lists, _ = pipeline.with_features(manifest, folds, feats)
    return feats, readable, fold_lists, pipeline.train_config(cfg), cfg.seed


def make_model(system: str, data: SERData, model_config: str, packed: bool | None):
    if system in VARIANTS and packed is not None:
        return CAMuLeNet(replace(camulenet_config(system, data, model_config), mfcc_packed=packed))
    return build_model(system, data, model_config)


def write_json(path: str, payload: dict) -> None:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=1))
    print(f"wrote {out}")


def profile_steps(data: SERData, fold, cfg: TrainConfig, packed: bool | None, model_config: str, steps: int = 6):
    """Top operators (torch.profiler, CPU time) of ``steps`` training steps of CAMuLeNet."""
    from torch.profiler import ProfilerActivity, profile

    from camulenet.training.trainer import _Runner

    torch.manual_seed(cfg.seed)
    model = make_model("CAMuLeNet", data, model_config, packed).train()
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    run = _Runner(model, data, cfg, torch.device("cpu"))
    batches = run.train_batches(data.rows(fold[0]), torch.Generator().manual_seed(cfg.seed))

    def step(rows):
        batch, out = run.forward(rows)
        loss = run.loss(out, batch["emotion"], batch["gender"])["total"]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip or 1e9)
        opt.step()

    step(batches[0])  # warm-up
    todo = batches[1:steps + 1]
    t0 = time.perf_counter()
    with profile(activities=[ProfilerActivity.CPU], record_shapes=False) as prof:
        for rows in todo:
            step(rows)
    sec = (time.perf_counter() - t0) / len(todo)
    print(f"{cfg.batching} batching, MFCC GRU {'packed' if model.mfcc.packed else 'over padding'}: "
          f"{sec * 1e3:.0f} ms/step (profiled), batch lengths mel/mfcc/whisper of the first step: "
          + "/".join(str(int(run.forward(todo[0])[0][k].shape[1])) for k in ("mel", "mfcc", "whisper")))
    print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=15))


def compare_batching(args) -> None:
    feats, manifest, fold_lists, schedule, seed = book_corpus()
    data = SERData(feats, manifest)
    print(f"book corpus: {len(manifest)} clips, {len(fold_lists)} folds; mfcc frames min/mean/max "
          f"{int(data.features['mfcc'].lengths.min())}/{data.features['mfcc'].lengths.mean():.0f}/"
          f"{data.max_length('mfcc')}; torch threads {torch.get_num_threads()}")
    runs = [(m, 0) for m in args.methods] + [("random", s) for s in args.noise_seeds]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in args.compare_folds:
            for method, extra_seed in runs:
                batching, packed = METHODS[method]
                cfg = replace(schedule, batching=batching, seed=seed + k + extra_seed, progress=False,
                              device=args.device, **({"epochs": args.epochs} if args.epochs else {}))
                t = time.perf_counter()
                res = train_one_fold(lambda: make_model("CAMuLeNet", data, "compact", packed), data, fold_lists[k],
                                     cfg, Path(tmp) / f"{method}-{k}-{extra_seed}", resume=False)
                row = {"fold": k, "method": method, "seed": cfg.seed, "wa": res.metrics["wa"], "ua": res.metrics["ua"],
                       "best_epoch": res.info["best_epoch"], "epochs_run": res.info["epochs_run"],
                       "train_seconds": res.info["train_seconds"], "fold_seconds": time.perf_counter() - t,
                       "samples_per_s": res.info["samples_per_s"]}
                rows.append(row)
                print(f"fold {k} {method:15s} seed {cfg.seed:4d}: WA {row['wa']:.3f} UA {row['ua']:.3f} | best epoch "
                      f"{row['best_epoch']} of {row['epochs_run']} | {row['samples_per_s']:.0f} train samples/s, "
                      f"{row['fold_seconds']:.1f} s", flush=True)
    summary = {}
    for method, extra_seed in runs:
        sel = [r for r in rows if r["method"] == method and r["seed"] - seed - r["fold"] == extra_seed]
        summary[f"{method}+{extra_seed}"] = {m: float(np.mean([r[m] for r in sel]))
                                             for m in ("wa", "ua", "samples_per_s", "train_seconds")}
    for name, s in summary.items():
        print(f"mean {name:18s}: WA {s['wa']:.3f} UA {s['ua']:.3f} | {s['samples_per_s']:.0f} train samples/s")
    write_json(args.json or str(ROOT / "build" / "bench_training_batching.json"),
               {"folds": args.compare_folds, "schedule": schedule.identity(), "threads": torch.get_num_threads(),
                "noise_seeds": args.noise_seeds, "runs": rows, "mean": summary})


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=None,
                    help="epochs per fold, no early stopping: worst case (default 15; --compare-batching: the book's schedule)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--systems", nargs="+", default=list(SYSTEMS))
    ap.add_argument("--folds", type=int, default=10, help="folds in the grid estimate")
    ap.add_argument("--fold", type=int, default=0, help="the fold that is timed")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--model-config", default="compact", choices=["compact", "paper"])
    ap.add_argument("--corpus", default="toy", choices=["toy", "book"],
                    help="toy: random features (2-3 s clips); book: the book's synthetic-corpus features")
    ap.add_argument("--batching", default=None, choices=["random", "length_buckets"],
                    help="the schedule's batching (default: TrainConfig.compact's)")
    ap.add_argument("--mfcc-packed", default=None, choices=["yes", "no"],
                    help="CAMuLeNet's MFCC GRU packed or over the padding (default: the model config's)")
    ap.add_argument("--json", default=None, help="write the figures as JSON here")
    ap.add_argument("--profile", action="store_true", help="profile a few training steps of CAMuLeNet instead")
    ap.add_argument("--compare-batching", action="store_true",
                    help="WA/UA of random vs length-bucketed batches on folds of the book's corpus")
    ap.add_argument("--compare-folds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS),
                    help="--compare-batching: random (before), random_packed (packed GRU, random batches), "
                         "length_buckets (packed GRU, bucketed batches)")
    ap.add_argument("--noise-seeds", type=int, nargs="*", default=[100],
                    help="--compare-batching: extra seed offsets of the random batching (seed-to-seed noise)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.compare_batching:
        return compare_batching(args)
    packed = None if args.mfcc_packed is None else args.mfcc_packed == "yes"
    t0 = time.perf_counter()
    if args.corpus == "book":
        feats, manifest, folds, _, _ = book_corpus()
    else:
        feats, manifest = toy_corpus(1500, 40, signal=0.2, seed=0)
        folds = speaker_folds(manifest, args.folds)
    data = SERData(feats, manifest)
    fold = folds[args.fold]
    epochs = args.epochs or 15
    cfg = TrainConfig.compact(epochs=epochs, patience=None, progress=False, device=args.device,
                              **({"batching": args.batching} if args.batching else {}))
    print(f"{args.corpus} corpus: {len(manifest)} clips, {manifest.speaker.nunique()} speakers, "
          f"train/val/test {len(fold[0])}/{len(fold[1])}/{len(fold[2])} "
          f"({time.perf_counter() - t0:.1f} s to load); torch threads {torch.get_num_threads()}; "
          f"batching {cfg.batching}")
    if args.profile:
        return profile_steps(data, fold, cfg, packed, args.model_config)
    total, rows = 0.0, []
    with tempfile.TemporaryDirectory() as tmp:
        for system in args.systems:
            t = time.perf_counter()
            res = train_one_fold(lambda: make_model(system, data, args.model_config, packed), data, fold, cfg,
                                 Path(tmp) / system.replace(" ", "_"), resume=False)
            sec = time.perf_counter() - t
            total += sec
            rows.append({"system": system, "n_params": res.info["n_params"], "samples_per_s": res.info["samples_per_s"],
                         "fold_seconds": sec, "peak_memory_mb": res.info["peak_memory_mb"], "device": res.info["device"]})
            print(f"{system:42s} {res.info['n_params']:>9,d} params | {res.info['samples_per_s']:6.0f} train samples/s | "
                  f"{sec:5.1f} s/fold ({epochs} epochs + eval) | peak memory {res.info['peak_memory_mb']:.0f} MB "
                  f"({res.info['device']})")
    print(f"estimated grid ({len(args.systems)} systems x {args.folds} folds, no early stopping): "
          f"{total * args.folds / 60:.1f} min")
    if args.json:
        write_json(args.json, {"corpus": args.corpus, "epochs": epochs, "batching": cfg.batching,
                               "mfcc_packed": args.mfcc_packed or "config", "threads": torch.get_num_threads(),
                               "systems": rows, "grid_minutes": total * args.folds / 60})


if __name__ == "__main__":
    main()
