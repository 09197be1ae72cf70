"""Files that are either absent or whole: written to a temporary name, then renamed.

A job killed mid-write (preemption, a crash, Ctrl-C) leaves at most a hidden ``.*.tmp`` file
behind, never a truncated ``done.json`` that a later call would read as a finished fold, a
half checkpoint, or half a shard of features. Every writer of the package goes through
:func:`replacing`; the others are shorthands for it.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def replacing(path: str | Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without error, rename it
    over ``path`` (atomic on POSIX and Windows within one file system), else remove it.

    ``suffix`` keeps the extension writers infer the format from (``".wav"``, ``".npy"``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp{suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes_with(path: str | Path, write, sync: bool = False) -> None:
    """``write(f)`` into an open binary file, then put it in place; ``sync`` flushes it to disk first."""
    with replacing(path) as tmp, open(tmp, "wb") as f:
        write(f)
        if sync:
            f.flush()
            os.fsync(f.fileno())


def write_text(path: str | Path, text: str) -> None:
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | Path, obj, indent: int | None = 1, sort_keys: bool = False) -> None:
    write_text(path, json.dumps(obj, indent=indent, sort_keys=sort_keys) + "\n")
