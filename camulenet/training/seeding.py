"""One place to seed every random number generator the project touches."""

from __future__ import annotations

import random

import numpy as np


def seed_everything(seed: int, deterministic_torch: bool = True) -> np.random.Generator:
    """Seed Python, NumPy and torch; return a NumPy Generator built from ``seed``.

    On CPU this makes training bit-for-bit repeatable for a given seed; on CUDA the
    deterministic flags trade some speed for repeatability.
    """
    random.seed(seed)
    np.random.seed(seed % (2**32))
    # PYTHONHASHSEED acts only at interpreter start (the Makefile exports it); nothing here
    # depends on set or dict-of-str iteration order anyway (folds sort their speakers).
    try:
        import torch
    except ImportError:  # torch is optional for data-only use
        return np.random.default_rng(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    if deterministic_torch:
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    return np.random.default_rng(seed)
