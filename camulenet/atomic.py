"""Files that are either absent or whole: written to a temporary name, then renamed.

A job killed mid-write (preemption, a crash, Ctrl-C) leaves at most a ``*.tmp`` file behind,
never a truncated ``done.json`` that a later call would read as a finished fold.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def write_text(path: str | Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)  # atomic on POSIX and Windows within one file system


def write_json(path: str | Path, obj, indent: int | None = 1) -> None:
    write_text(path, json.dumps(obj, indent=indent) + "\n")
