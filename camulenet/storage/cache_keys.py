"""Keys for cached artefacts: a folder is named after a hash of the settings that made it.

Features, folds, runs and checkpoints are stored under ``<label>-<key>`` where ``key`` hashes
every setting that changes their content, and the settings themselves are written beside
them (``key.json``). Other settings therefore land in another folder and are computed
afresh; a folder whose recorded settings disagree with its name (edited or copied by hand)
is refused with the differences, never read as if it matched.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Mapping

from camulenet.storage import atomic

KEY_FILE = "key.json"


def canonical(obj: Any) -> Any:
    """JSON-normal form: tuples become lists, paths strings, keys sorted on dump."""
    return json.loads(json.dumps(obj, sort_keys=True, default=str))


def fingerprint(obj: Any, length: int = 12) -> str:
    """Short SHA-256 of the canonical JSON of ``obj``."""
    text = json.dumps(canonical(obj), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def differences(stored: Mapping, wanted: Mapping, prefix: str = "") -> list[str]:
    """Readable ``key: stored -> wanted`` lines for every field that differs (nested dicts flattened)."""
    out = []
    for k in sorted(set(stored) | set(wanted)):
        a, b = stored.get(k, "<absent>"), wanted.get(k, "<absent>")
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            out += differences(a, b, f"{prefix}{k}.")
        elif canonical(a) != canonical(b):
            out.append(f"{prefix}{k}: {a!r} -> {b!r}")
    return out


def check_same(stored: Mapping, wanted: Mapping, where, fix: str) -> None:
    """Raise ValueError naming ``where``, what differs and ``fix`` when the two settings differ."""
    diff = differences(canonical(stored), canonical(wanted))
    if diff:
        raise ValueError(f"{where} was made under other settings ({'; '.join(diff[:8])}"
                         f"{'; ...' if len(diff) > 8 else ''}). {fix}")


def keyed_path(parent, label: str, settings: Mapping) -> Path:
    """``parent/<label>-<fingerprint(settings)>``, not created (to look for a cache without making one)."""
    return Path(parent) / f"{label}-{fingerprint(settings)}"


def keyed_dir(parent, label: str, settings: Mapping) -> Path:
    """:func:`keyed_path`, created with its ``key.json``; checked when it exists."""
    d = keyed_path(parent, label, settings)
    d.mkdir(parents=True, exist_ok=True)
    f = d / KEY_FILE
    if f.exists():
        check_same(json.loads(f.read_text()), settings, d,
                   "Its key.json no longer matches its name: delete the folder to recompute it.")
    else:
        atomic.write_json(f, canonical(settings), sort_keys=True)
    return d


def file_identity(path) -> dict:
    """Identity of a weights file for a key: absolute path, size and modification time."""
    p = Path(path).resolve()
    st = p.stat()
    return {"path": str(p), "bytes": st.st_size, "mtime_ns": st.st_mtime_ns}
