"""Why the spectrogram branch keeps its conv weights channels-last: one training step (forward
and backward) of its AlexNet-shaped stack, timed in both memory layouts in this process.

oneDNN runs torch's CPU convolutions. Limited to AVX2 (the portable numeric paths,
``camulenet.storage.numerics``), its kernels for the default (NCHW) layout of these thin,
one-channel stacks are about half as fast as those for channels-last (NHWC); with the native
paths the gap is smaller. Run it pinned (the default) and native:

    python scripts/bench_conv_layout.py [--batch 64] [--frames 161] [--mels 64] [--steps 10]
    CAMULENET_NUMERICS=native python scripts/bench_conv_layout.py

Defaults: the compact model's stack on a batch of the synthetic corpus (64 clips of 161
log-mel frames x 64 bands, averaged over 4 frames), one thread as in the book's grid. Prints
one JSON line: milliseconds per step in each layout, and whether both give the same output.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import camulenet  # noqa: E402,F401  (first: pins the numeric code paths)

import torch  # noqa: E402

from camulenet.model.spectrogram_branch import SpectrogramBranch  # noqa: E402
from camulenet.storage import numerics  # noqa: E402

COMPACT = dict(widths=(16, 32, 48, 48, 32), pool=(2, 1), out_dim=128, time_pool=4)


def time_steps(branch: SpectrogramBranch, x: torch.Tensor, steps: int) -> float:
    """Median milliseconds of one forward + backward step (two warm-up steps first)."""
    times = []
    for i in range(steps + 2):
        t = time.perf_counter()
        branch.zero_grad()
        branch(x).sum().backward()
        if i >= 2:
            times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--frames", type=int, default=161, help="log-mel frames (the corpus's longest clip)")
    ap.add_argument("--mels", type=int, default=64)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = torch.randn(args.batch, args.frames, args.mels)
    channels_last = SpectrogramBranch(**COMPACT).eval()  # the branch as the model builds it
    nchw = SpectrogramBranch(**COMPACT).eval()
    nchw.load_state_dict(channels_last.state_dict())
    nchw.features.to(memory_format=torch.contiguous_format)
    assert channels_last.features[0].weight.is_contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        same = torch.allclose(nchw(x), channels_last(x), rtol=1e-4, atol=1e-5)
    out = {"numerics": numerics.mode(), "cpu_capability": torch.backends.cpu.get_cpu_capability(),
           "threads": args.threads, "batch": [args.batch, args.frames, args.mels],
           "nchw_ms": round(time_steps(nchw.train(), x, args.steps), 2),
           "channels_last_ms": round(time_steps(channels_last.train(), x, args.steps), 2),
           "same_output": bool(same)}
    out["speedup"] = round(out["nchw_ms"] / out["channels_last_ms"], 2)
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
