"""``python -m data_prep.synthetic --out DIR [--small] [--seed 0] [--workers N]``"""

from __future__ import annotations

import argparse
import time

from .generate import generate_corpus


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m data_prep.synthetic", description=__doc__)
    ap.add_argument("--out", default=None, help="output folder (default: "
                    "camulenet.storage.paths.corpus_dir('synthetic' or 'synthetic-small'))")
    ap.add_argument("--small", action="store_true", help="~150-clip test corpus (en, de; 8 speakers)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    m = generate_corpus(args.out, size="small" if args.small else "default", seed=args.seed,
                        workers=args.workers)
    total = time.perf_counter() - t0
    print(f"{len(m)} clips, {m.speaker.nunique()} speakers, {m.language.nunique()} languages, "
          f"{m.duration.sum() / 60:.1f} min of audio; rendering {m.attrs['generation_seconds']:.1f} s, "
          f"total {total:.1f} s")


if __name__ == "__main__":
    main()
