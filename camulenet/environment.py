"""What machine and which library versions ran the book (for the appendix)."""

from __future__ import annotations

import json
import os
import platform
from importlib import metadata

import pandas as pd

from camulenet.paths import REPO_ROOT

_PACKAGES = ("torch", "numpy", "scipy", "pandas", "librosa", "scikit-learn", "openai-whisper",
             "espeakng-loader", "transformers", "jupyter-book", "papermill", "matplotlib", "seaborn")


def describe_device() -> str:
    """One line: the device training will use and the CPU threads torch has."""
    import torch

    if torch.cuda.is_available():
        return f"CUDA: {torch.cuda.get_device_name(0)} (mixed precision on)"
    return f"CPU: {os.cpu_count()} cores, torch uses {torch.get_num_threads()} threads (no GPU found)"


def _cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> str:
    try:
        import psutil

        return f"{psutil.virtual_memory().total / 2**30:.0f} GiB"
    except ImportError:
        return "unknown"


def environment_table() -> pd.DataFrame:
    rows = {"python": platform.python_version(), "platform": platform.platform(),
            "CPU": _cpu_model(), "CPU cores": os.cpu_count(), "memory": _memory_gib(),
            "device": describe_device()}
    for name in _PACKAGES:
        try:
            rows[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            rows[name] = "not installed"
    return pd.Series(rows, dtype=object).to_frame("value")


def notebook_timings() -> pd.DataFrame:
    """Seconds per notebook, as written by scripts/build_book.py into book/_timings.json."""
    path = REPO_ROOT / "book" / "_timings.json"
    if not path.exists():
        return pd.DataFrame({"seconds": []})
    t = pd.Series(json.loads(path.read_text()), name="seconds").drop(labels=["10_appendix"], errors="ignore")
    out = t.to_frame()
    out["minutes"] = (out.seconds / 60).round(1)
    out.loc["total"] = [out.seconds.sum(), round(out.seconds.sum() / 60, 1)]
    return out
