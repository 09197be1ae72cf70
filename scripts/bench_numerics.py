"""What the pinned numeric code paths cost: one small training run and one Whisper-base
extraction, timed in this process. Run it twice, pinned (the default) and native, and compare
the two processes' times:

    python scripts/bench_numerics.py [--clips 240] [--epochs 1] [--extract 16] [--json out.json]
    CAMULENET_NUMERICS=native python scripts/bench_numerics.py

The training is the compact CAMuLeNet on random features shaped like the synthetic corpus
(``camulenet.training.toy``), one thread as in the book's grid; the extraction encodes
random 2.5-s waveforms with the real Whisper-base weights (converted once, offline). It
prints the seconds of each phase, the mode and torch's CPU capability as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import camulenet  # noqa: E402,F401  (first: pins numpy's and torch's CPU code paths, camulenet.storage.numerics)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from camulenet.features.whisper_encoder import WhisperEncoder, load_whisper  # noqa: E402
from camulenet.model import CAMuLeNet, CAMuLeNetConfig  # noqa: E402
from camulenet.storage import atomic, numerics  # noqa: E402
from camulenet.training import SERData, TrainConfig, train_one_fold  # noqa: E402
from camulenet.training.toy import speaker_folds, toy_corpus  # noqa: E402


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=240, help="toy clips (2-3 s) for the training run (0: skip)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--extract", type=int, default=16, help="waveforms for Whisper-base (0: skip)")
    ap.add_argument("--json", help="write the figures here too")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    figures = {"mode": numerics.mode(), "cpu_capability": torch.backends.cpu.get_cpu_capability()}
    if args.clips:
        feats, manifest = toy_corpus(n_clips=args.clips, n_speakers=12, seconds=(2.0, 3.0), seed=1)
        fold = speaker_folds(manifest, n_folds=6, seed=0)[0]
        schedule = TrainConfig.compact(epochs=args.epochs, progress=False, device="cpu")
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as out:
            train_one_fold(lambda: CAMuLeNet(CAMuLeNetConfig.compact(n_emotions=6)), SERData(feats, manifest),
                           fold, schedule, out)
        figures["train_s"] = round(time.perf_counter() - t0, 2)
    if args.extract:
        encoder = WhisperEncoder(load_whisper("base", device="cpu"), mode="trimmed", device="cpu")
        waves = list(np.random.default_rng(0).standard_normal((args.extract, 40000)).astype(np.float32) * 0.1)
        t0 = time.perf_counter()
        encoder.encode(waves)
        figures["extract_s"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(figures))
    if args.json:
        atomic.write_json(args.json, figures)
    return figures


if __name__ == "__main__":
    main()
