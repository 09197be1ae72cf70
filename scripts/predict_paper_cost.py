"""PREDICTED disk and GPU time of the paper profile per corpus, from figures a CPU can give.

No GPU was lent when this was written, so nothing here is a measured GPU time: run
``scripts/gpu_check.py`` on one and trust its figures over these. What is counted here:

- floating-point operations per training sample (forward + backward) of each Table 1 system at
  paper size, and per 30-s window of Whisper-Medium's encoder (``torch.utils.flop_counter``
  on the CPU; the MFCC GRU's recurrences are not counted, a small share). The mel branch is
  counted at two lengths and extended linearly to the corpus's longest clip (its cost is
  linear in the frames);
- the host's time to pad one batch of 64 (``scripts/bench_batches.py``'s ``after_host``,
  measured on this machine): a floor on the step time, since a step cannot be shorter than the
  batch it waits for (prefetching hides it only up to the GPU's own step time);
- disk: features (``camulenet.grid.plan.disk_gb``) and checkpoints
  (``scripts/bench_checkpoints.py``).

GPU hours = operations / an ASSUMED sustained rate (``--tflops``, several values: the
H100's dense bf16 peak is about 990 TFLOPS, and convolutions with few channels reach a
small share of it), or the host floor, whichever is longer. Prints one JSON object.

    python scripts/predict_paper_cost.py [--tflops 100 300] [--host-ms MS]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import camulenet  # noqa: E402,F401  (first: pins numpy's and torch's CPU code paths, camulenet.storage.numerics)

import torch  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from camulenet import config  # noqa: E402
from camulenet.features import spectral  # noqa: E402
from camulenet.grid.plan import disk_gb, disk_line  # noqa: E402
from camulenet.training.checkpoint_disk import grid_checkpoints  # noqa: E402
from camulenet.training.runs import book_systems, train_config  # noqa: E402

#: clips of each corpus as the book uses it, and the length its mel is padded to (the longest
#: clip, here assumed 5 s for every corpus: IEMOCAP's longest turns are far longer and cost more)
CORPORA = {"CREMA-D": 7442, "IEMOCAP (4 classes)": 5531, "RAVDESS (speech)": 1440, "CaFE": 936, "EmoDB": 535}
N_EMOTIONS = {"CREMA-D": 6, "IEMOCAP (4 classes)": 4, "RAVDESS (speech)": 8, "CaFE": 7, "EmoDB": 7}
MEAN_SECONDS, LONGEST_SECONDS = 3.0, 5.0
FOLDS, EPOCHS, TRAIN_SHARE, SYSTEMS = 10, 10, 0.85, 4


def training_flops(model, mel_frames: int) -> float:
    """Forward + backward operations of one sample."""
    batch = {"whisper": torch.randn(1, 1500, 1024), "mfcc": torch.randn(1, spectral.mfcc_frames("paper"), 40),
             "mel": torch.randn(1, mel_frames, 128)}
    batch.update({f"{k}_lengths": torch.tensor([v.shape[1]]) for k, v in list(batch.items())})
    with FlopCounterMode(display=False) as fc:
        out = model(batch)
        out["emotion_logits"].float().sum().backward()
    return float(fc.get_total_flops())


def per_sample_flops(longest_frames: int) -> dict[str, float]:
    """Each Table 1 system's operations per training sample, the mel branch extended linearly."""
    import bench_checkpoints  # scripts/: the four systems at paper size

    torch.manual_seed(0)
    out = {}
    for name, meta_model in bench_checkpoints.paper_models().items():
        model = meta_model.to_empty(device="cpu")
        with torch.no_grad():
            for p in model.parameters():
                p.normal_(0, 0.02)
        a, b = training_flops(model, 401), training_flops(model, 801)
        out[name] = a + (b - a) * (longest_frames - 401) / 400
    return out


def whisper_medium_flops() -> float:
    """Operations of Whisper-Medium's encoder on one 30-s window (the paper's full mode)."""
    try:
        from whisper.model import AudioEncoder
    except ImportError:
        d, t, layers = 1024, 1500, 24  # the same count by hand: projections, MLP, attention, conv stem
        return layers * (4 * 2 * t * d * d + 2 * 2 * t * d * 4 * d + 2 * 2 * t * t * d) + 2 * (3000 * 80 * d * 3 + t * d * d * 3)
    enc = AudioEncoder(80, 1500, 1024, 16, 24)
    with torch.no_grad(), FlopCounterMode(display=False) as fc:
        enc(torch.randn(1, 80, 3000))
    return float(fc.get_total_flops())


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tflops", type=float, nargs="+", default=[100.0, 300.0],
                    help="ASSUMED sustained TFLOPS of the GPU (bf16 training, fp16 extraction)")
    ap.add_argument("--host-ms", type=float, default=None,
                    help="host ms to pad a batch of 64 (default: run scripts/bench_batches.py briefly)")
    args = ap.parse_args(argv)

    host_ms = args.host_ms
    if host_ms is None:
        import bench_batches

        host_ms = bench_batches.main(["--clips", "96", "--batches", "8"])["after_host"]["median_ms"]
    p = spectral.get_preset("paper")
    longest = 1 + int(LONGEST_SECONDS * p.sr) // p.mel_hop
    flops = per_sample_flops(longest)
    enc = whisper_medium_flops()
    cfg = replace(config.settings(profile="paper", corpus="crema-d"), max_epochs=None)
    schedule = train_config(cfg)
    reads = {name: f for name, f in book_systems(cfg).items() if f}
    host_floor_s_per_sample = host_ms / 1e3 / 64
    rows = {}
    for corpus, clips in CORPORA.items():
        samples = FOLDS * EPOCHS * clips * TRAIN_SHARE  # per system
        features = disk_gb(cfg, clips, MEAN_SECONDS)
        ck = grid_checkpoints(cfg, schedule, list(book_systems(cfg)), FOLDS, N_EMOTIONS[corpus], 1, reads)
        best, resume = ck["best_pt_bytes"] / 1e9, ck["resume_bytes"] / 1e9
        row = {"clips": clips, "features_gb": round(features, 1), "best_pt_kept_gb": round(best, 1),
               "resume_points_per_worker_gb": round(resume, 1), "peak_disk_one_worker_gb": round(features + best + resume, 1),
               "grid_plan_says": disk_line(features, {"best_pt": best, "resume": resume, "unsized": ck["unsized"]}, 1).strip()}
        for tf in args.tflops:
            compute = sum(samples * f / (tf * 1e12) for f in flops.values())
            floor = SYSTEMS * samples * host_floor_s_per_sample
            row[f"train_hours_at_{tf:g}_tflops"] = round(max(compute, floor) / 3600, 2)
            row[f"extract_hours_at_{tf:g}_tflops"] = round(clips * enc / (tf * 1e12) / 3600, 3)
        row["train_hours_host_floor"] = round(SYSTEMS * samples * host_floor_s_per_sample / 3600, 2)
        rows[corpus] = row
    result = {"note": "PREDICTIONS from CPU figures (no GPU measured); GPU time at ASSUMED sustained TFLOPS",
              "gflop_per_training_sample": {k: round(v / 1e9, 1) for k, v in flops.items()},
              "gflop_per_whisper_medium_window": round(enc / 1e9, 1), "host_ms_per_batch_of_64": host_ms,
              "assumptions": {"folds": FOLDS, "epochs": EPOCHS, "train_share": TRAIN_SHARE,
                              "mean_seconds": MEAN_SECONDS, "mel_padded_to_seconds": LONGEST_SECONDS,
                              "checkpoint_epochs": 1},
              "corpora": rows}
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
