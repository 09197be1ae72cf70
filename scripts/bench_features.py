"""Benchmark: our feature extraction vs a per-file loop in the style of the released code.

Usage: python scripts/bench_features.py --n 40 --out data/bench/features.json
(see :mod:`camulenet.features.benchmark` for the phases and what each measures).
"""

from camulenet.features.benchmark import main

if __name__ == "__main__":
    main()
