"""Why the compact embedding baseline projects valid frames only: one training step (forward
and backward) of :class:`~camulenet.model.baselines.EmbeddingCNN`, timed as it runs now
(``code_version`` 2: the kernel-1 projection on the batch's valid frames) and as it ran
before (version 1: both convs over the whole zero-padded batch).

The projection from Whisper's d dimensions to 64 channels is most of a step. On a padded
batch, most of its products fall on padding and are discarded: the clips of a batch are of
very different lengths. Run it pinned (the default) and native:

    python scripts/bench_embedding_cnn.py [--batch 64] [--frames 320] [--dim 512] [--steps 10]
    CAMULENET_NUMERICS=native python scripts/bench_embedding_cnn.py

Defaults: a batch of 64 clips padded to 320 Whisper-base frames (6.4 s), lengths drawn
uniformly from 40 to 320 frames, one thread as in the book's grid. Prints one JSON line:
milliseconds per step in each version, and the largest difference of their embeddings.
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

# isort: split
import torch  # noqa: E402

from camulenet.model.baselines import EmbeddingCNN  # noqa: E402
from camulenet.model.coattention import frame_mask  # noqa: E402


def padded_version(model: EmbeddingCNN, batch: dict) -> torch.Tensor:
    """Version 1's forward, written out: both convs over the zero-padded batch."""
    x, lengths = batch["whisper"], batch["whisper_lengths"]
    mask = frame_mask(lengths, x.shape[1])
    h = x.masked_fill(~mask[..., None], 0.0).transpose(1, 2)
    h = model.convs[1](model.convs[0](h)) * mask[:, None, :]
    h = model.convs[3](model.convs[2](h)) * mask[:, None, :]
    return model.emotion_head(torch.relu(model.fc(h.sum(2) / lengths[:, None])))


def ms_per_step(step, steps: int) -> float:
    step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return round(1000 * statistics.median(times), 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--frames", type=int, default=320)
    ap.add_argument("--dim", type=int, default=512)
    ap.add_argument("--steps", type=int, default=10)
    args = ap.parse_args()
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(0)
    model = EmbeddingCNN(args.dim, 6).eval()  # eval: no dropout, so both versions compare exactly
    lengths = torch.randint(40, args.frames + 1, (args.batch,), generator=g)
    batch = {"whisper": torch.randn(args.batch, args.frames, args.dim, generator=g), "whisper_lengths": lengths}

    def now():
        model.zero_grad()
        model(batch)["emotion_logits"].sum().backward()

    def before():
        model.zero_grad()
        padded_version(model, batch).sum().backward()

    with torch.no_grad():
        diff = (model(batch)["emotion_logits"] - padded_version(model, batch)).abs().max().item()
    print(json.dumps({"batch": args.batch, "frames": args.frames, "dim": args.dim,
                      "mean_valid_frames": round(lengths.float().mean().item(), 1),
                      "valid_frames_ms": ms_per_step(now, args.steps),
                      "padded_batch_ms": ms_per_step(before, args.steps), "max_abs_diff": diff}))


if __name__ == "__main__":
    main()
