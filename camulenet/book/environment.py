"""What machine and which library versions ran the book (for the appendix)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd
import psutil
import torch

from camulenet.book.readme import TIMINGS
from camulenet.config import is_checkpoint_path
from camulenet.storage.paths import REPO_ROOT

_PACKAGES = ("torch", "numpy", "scipy", "pandas", "librosa", "scikit-learn", "openai-whisper",
             "espeakng-loader", "transformers", "jupyter-book", "papermill", "matplotlib", "seaborn")


def source_commit(root: Path | str = REPO_ROOT) -> str:
    """The commit that built the book, short, so a reader can check out the same code:
    ``"1a2b3c4"``, ``"1a2b3c4 with uncommitted changes"`` when tracked or untracked files
    differ from it, or ``"not a git checkout"`` when ``root`` has no ``.git`` (an installed
    package) or git cannot read it. Never a path of the machine."""
    root = Path(root)
    if not (root / ".git").exists():
        return "not a git checkout"

    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30)

    head = git("rev-parse", "--short", "HEAD")
    if head.returncode != 0 or not head.stdout.strip():
        return "not a git checkout"
    status = git("status", "--porcelain")
    dirty = status.returncode != 0 or bool(status.stdout.strip())
    return head.stdout.strip() + (" with uncommitted changes" if dirty else "")


def package_version(name: str = "camulenet") -> str:
    """The installed version of the package (``importlib.metadata``), or "not installed"."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def provenance_table(root: Path | str = REPO_ROOT) -> pd.DataFrame:
    """Which code made the book: the commit and the package version (for the appendix)."""
    return pd.Series({"commit": source_commit(root), "camulenet version": package_version()},
                     dtype=object).to_frame("value")


def describe_device() -> str:
    """One line: the device training will use and the CPU threads torch has."""

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
        return f"{psutil.virtual_memory().total / 2**30:.0f} GiB"
    except OSError:  # no /proc (a sandbox), say
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


def notebook_timings(path: Path | str | None = None, chapters: Path | str | None = None) -> pd.DataFrame:
    """Seconds per notebook, as written by scripts/build_book.py into book/_timings.json;
    only chapters that still exist in ``notebooks/`` (a renamed chapter's old entry stays in
    the file), the appendix itself excluded."""
    path = Path(path) if path is not None else REPO_ROOT / "book" / TIMINGS
    chapters = Path(chapters) if chapters is not None else REPO_ROOT / "notebooks"
    if not path.exists():
        return pd.DataFrame({"seconds": []})
    t = pd.Series(json.loads(path.read_text()), name="seconds").drop(labels=["10_appendix"], errors="ignore")
    if chapters.is_dir():
        t = t[[(chapters / f"{name}.py").exists() for name in t.index]]
    out = t.to_frame()
    out["minutes"] = (out.seconds / 60).round(1)
    out.loc["total"] = [out.seconds.sum(), round(out.seconds.sum() / 60, 1)]
    return out


def settings_table(cfg) -> pd.DataFrame:
    """The book's settings (:class:`camulenet.config.BookSettings`) for a page: every field but
    ``data_root`` (a path of the machine that built it), a Whisper checkpoint by its file
    name only, the corpora as one comma-separated line, a corpus brought as a CSV by its
    folder and file name only."""

    rows = {k: v for k, v in cfg.as_dict().items() if k != "data_root"}
    if is_checkpoint_path(str(rows["whisper_model"])):
        rows["whisper_model"] = Path(rows["whisper_model"]).name
    rows["corpora"] = ", ".join(rows["corpora"])
    rows["corpus_files"] = ", ".join(f"{name}: {Path(p).parent.name}/{Path(p).name}"
                                     for name, p in rows["corpus_files"]) or "none"
    return pd.Series({k: str(v) for k, v in rows.items()}, dtype=object).to_frame("value")
