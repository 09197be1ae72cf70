"""Per-corpus feature arrays on disk: sharded .npy files, no pickle.

Layout under ``root`` (one directory per corpus, e.g. ``paths.features_dir("crema-d")``)::

    <name>/shard-000000.values.npy   (sum of frames, *feature_shape), float16 or float32
    <name>/shard-000000.offsets.npy  (n + 1,) int64
    <name>/shard-000000.json         {"ids": [...], "dtype", "feature_shape", "n_values"}
    failures.csv                     utt_id, path, reason, fix_hint (clips that were skipped)
    truncated.csv                    utt_id, path, seconds, kept_seconds (Whisper cut them at 30 s)
    meta.json                        extraction settings (so a resumed run uses the same ones)

A shard is written as temp files renamed into place with ``os.replace``; the JSON sidecar
is renamed last and is the commit marker, so an interrupted write leaves no half shard
that ``load`` would trust. ``load`` memory-maps every shard and returns a lazy
:class:`~camulenet.storage.ragged.ShardedRagged` view, so a corpus larger than RAM can be trained on.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from camulenet.storage import atomic
from camulenet.storage.ragged import Ragged, ShardedRagged

FAILURE_COLUMNS = ("utt_id", "path", "reason", "fix_hint")
TRUNCATED_COLUMNS = ("utt_id", "path", "seconds", "kept_seconds")
_SHARD_RE = re.compile(r"^shard-(\d{6})\.json$")



def _reserve_fds(n: int, what: str) -> None:
    """Make room for ``n`` more open files (each memory-mapped shard keeps a descriptor):
    raise the soft limit up to the hard one when needed, or say clearly what to change."""
    try:
        import resource  # Unix only

        open_now = len(os.listdir("/proc/self/fd"))
    except (ImportError, OSError):  # not Linux/Unix: nothing to check
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = open_now + n + 64
    if soft == resource.RLIM_INFINITY or need <= soft:
        return
    if hard == resource.RLIM_INFINITY or need <= hard:
        room = 2 * need if hard == resource.RLIM_INFINITY else min(hard, 2 * need)  # headroom for more loads
        resource.setrlimit(resource.RLIMIT_NOFILE, (room, hard))
        return
    raise OSError(f"{what}: memory-mapping {n} shards needs {need} open files, the limit is {hard} (ulimit -Hn); "
                  f"raise the limit or re-extract with a larger shard_size")


class FeatureStore:
    """Sharded ragged feature arrays for one corpus, plus its failure list."""

    def __init__(self, root):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    # -- writing --------------------------------------------------------------------
    def _shards(self, name: str) -> list[Path]:
        d = self.root / name
        if not d.is_dir():
            return []
        return sorted(d / f for f in os.listdir(d) if _SHARD_RE.match(f))

    def write_shard(self, name: str, ids: Sequence[str], arrays: Sequence[np.ndarray], dtype=None) -> Path:
        """Append one shard of clips (``arrays[i]`` is frames x feature for ``ids[i]``).

        ``dtype`` (e.g. "float16") casts the values; default keeps the arrays' dtype.
        """
        if len(ids) != len(arrays):
            raise ValueError(f"{len(ids)} ids but {len(arrays)} arrays for feature {name!r}")
        if not ids:
            raise ValueError(f"empty shard for feature {name!r}")
        arrays = [np.asarray(a) for a in arrays]
        shapes = {a.shape[1:] for a in arrays}
        if len(shapes) != 1:
            raise ValueError(f"feature {name!r}: arrays differ in feature shape {sorted(shapes)}")
        rag = Ragged.from_list(arrays, [str(i) for i in ids])
        with np.errstate(over="ignore"):  # an overflow is caught just below, with a clearer message
            values = rag.values.astype(dtype or rag.values.dtype, copy=False)
        if np.issubdtype(values.dtype, np.floating) and not np.all(np.isfinite(values)):
            raise ValueError(f"feature {name!r}: non-finite values (overflow in {values.dtype}?) "
                             f"for one of {list(ids)[:3]}...; store as float32")
        d = self.root / name
        d.mkdir(parents=True, exist_ok=True)
        existing = self._shards(name)
        k = int(_SHARD_RE.match(existing[-1].name).group(1)) + 1 if existing else 0
        stem = d / f"shard-{k:06d}"
        atomic.write_bytes_with(stem.with_suffix(".values.npy"), lambda f: np.save(f, values), sync=True)
        atomic.write_bytes_with(stem.with_suffix(".offsets.npy"), lambda f: np.save(f, rag.offsets), sync=True)
        meta = {"ids": list(rag.ids), "dtype": str(values.dtype), "feature_shape": list(values.shape[1:]),
                "n_values": int(len(values))}
        side = stem.with_suffix(".json")
        atomic.write_bytes_with(side, lambda f: f.write(json.dumps(meta).encode()), sync=True)
        return side

    # -- reading --------------------------------------------------------------------
    def names(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and self._shards(p.name))

    def _read_meta(self, side: Path) -> dict:
        return json.loads(side.read_text())

    def done_ids(self, name: str) -> set[str]:
        """utt_ids with a committed shard for feature ``name``."""
        done: set[str] = set()
        for side in self._shards(name):
            done.update(self._read_meta(side)["ids"])
        return done

    def _load_shard(self, side: Path, mmap: bool = True) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(values, offsets, ids) of one shard; ``values`` memory-mapped unless ``mmap`` is False."""
        meta = self._read_meta(side)
        stem = str(side)[: -len(".json")]
        values = np.load(stem + ".values.npy", mmap_mode="r" if mmap else None)
        offsets = np.load(stem + ".offsets.npy")
        if (len(values) != meta["n_values"] or len(offsets) != len(meta["ids"]) + 1
                or (len(offsets) and (offsets[0] != 0 or offsets[-1] != len(values)))):
            raise ValueError(f"{side}: shard files disagree with their sidecar (partial copy?); "
                             f"delete shard-{side.stem.split('-')[1]}.* and rerun extraction")
        return values, offsets.astype(np.int64, copy=False), [str(u) for u in meta["ids"]]

    def load(self, name: str, ids: Sequence[str] | None = None, mmap: bool = True,
             missing: str = "raise") -> ShardedRagged | Ragged:
        """The clips of feature ``name`` as a lazy :class:`ShardedRagged` over the memory-mapped
        shards: frames are read when a clip is indexed or padded, never all at once.

        With ``ids`` (e.g. ``manifest.utt_id``) the result follows that order (an index into
        the shards, no copy); ids without features raise (``missing="raise"``, naming them
        and ``failures.csv``) or are left out (``missing="skip"``). A clip re-extracted into a
        later shard is read from that shard. ``mmap=False`` returns an in-memory
        :class:`Ragged` copy instead (small stores only).
        """
        if missing not in ("raise", "skip"):
            raise ValueError(f"missing must be 'raise' or 'skip', got {missing!r}")
        sides = self._shards(name)
        if not sides:
            raise FileNotFoundError(f"no feature {name!r} under {self.root}; run extract_features first")
        _reserve_fds(len(sides), f"feature {name!r} under {self.root}")
        parts, all_ids, part_of, starts, stops = [], [], [], [], []
        shapes = set()
        for si, side in enumerate(sides):
            values, offsets, shard_ids = self._load_shard(side)
            parts.append(values)
            shapes.add((values.shape[1:], values.dtype.str))
            all_ids += shard_ids
            part_of.append(np.full(len(shard_ids), si, np.int64))
            starts.append(offsets[:-1])
            stops.append(offsets[1:])
        if len(shapes) != 1:
            raise ValueError(f"feature {name!r} under {self.root}: shards differ in feature shape/dtype "
                             f"{sorted(map(str, shapes))}; delete {self.root / name} and rerun extract_features")
        part_of, starts, stops = (np.concatenate(a) for a in (part_of, starts, stops))
        where = {u: k for k, u in enumerate(all_ids)}  # a later shard wins if a clip was re-extracted
        # default order: shard order, each clip once (a re-extracted clip keeps its first slot)
        wanted = [str(u) for u in ids] if ids is not None else list(dict.fromkeys(all_ids))
        lost = [u for u in wanted if u not in where]
        if lost:
            if missing == "raise":
                raise KeyError(f"feature {name!r} under {self.root} lacks {len(lost)} ids (first: {lost[:5]}); "
                               f"see {self.root / 'failures.csv'} or rerun extract_features")
            wanted = [u for u in wanted if u in where]
        sel = np.fromiter((where[u] for u in wanted), dtype=np.int64, count=len(wanted))
        view = ShardedRagged(parts, part_of[sel], starts[sel], stops[sel], wanted,
                             feature_shape=parts[0].shape[1:], dtype=parts[0].dtype)
        return view if mmap else view.to_ragged()

    def info(self, name: str) -> dict:
        """dtype, clips, frames, feature dim and bytes on disk of feature ``name``."""
        shards = self._shards(name)
        if not shards:
            raise FileNotFoundError(f"no feature {name!r} under {self.root}")
        metas = [self._read_meta(s) for s in shards]
        nbytes = sum(p.stat().st_size for p in (self.root / name).iterdir() if p.is_file() and not p.name.startswith("."))
        ids = {u for m in metas for u in m["ids"]}
        return {"name": name, "dtype": metas[0]["dtype"], "n": len(ids), "n_frames": sum(m["n_values"] for m in metas),
                "feature_dim": int(np.prod(metas[0]["feature_shape"])) if metas[0]["feature_shape"] else 1,
                "feature_shape": tuple(metas[0]["feature_shape"]), "n_shards": len(shards),
                "bytes_on_disk": int(nbytes), "bytes": int(nbytes), "bytes_per_clip": nbytes / max(1, len(ids))}

    # -- failures and settings ------------------------------------------------------
    @property
    def failures_path(self) -> Path:
        return self.root / "failures.csv"

    def write_failures(self, rows: Sequence[dict]) -> Path:
        """Replace failures.csv with ``rows`` (dicts with utt_id, path, reason, fix_hint)."""
        df = pd.DataFrame(list(rows), columns=list(FAILURE_COLUMNS))
        atomic.write_bytes_with(self.failures_path, lambda f: f.write(df.to_csv(index=False).encode()), sync=True)
        return self.failures_path

    def failures(self) -> pd.DataFrame:
        """Clips skipped by the last extraction, with the reason and how to fix them."""
        if not self.failures_path.is_file():
            return pd.DataFrame(columns=list(FAILURE_COLUMNS))
        return pd.read_csv(self.failures_path, dtype=str, keep_default_na=False)

    @property
    def truncated_path(self) -> Path:
        return self.root / "truncated.csv"

    def truncated(self) -> pd.DataFrame:
        """Clips longer than the Whisper window whose frames cover only its first 30 s."""
        if not self.truncated_path.is_file():
            return pd.DataFrame({c: pd.Series(dtype=str if c in ("utt_id", "path") else float)
                                 for c in TRUNCATED_COLUMNS})
        return pd.read_csv(self.truncated_path, dtype={"utt_id": str, "path": str}, keep_default_na=False)

    def add_truncated(self, rows: Sequence[dict]) -> pd.DataFrame:
        """Merge ``rows`` (utt_id, path, seconds, kept_seconds) into truncated.csv; a clip
        listed again replaces its old row (clips of earlier runs stay listed)."""
        new = pd.DataFrame(list(rows), columns=list(TRUNCATED_COLUMNS))
        if not len(new):
            return self.truncated()
        new["utt_id"] = new["utt_id"].astype(str)
        old = self.truncated()
        old = old[~old["utt_id"].isin(new["utt_id"])]
        df = pd.concat([old, new], ignore_index=True) if len(old) else new
        atomic.write_bytes_with(self.truncated_path, lambda f: f.write(df.to_csv(index=False).encode()), sync=True)
        return df

    def read_meta(self) -> dict:
        p = self.root / "meta.json"
        return json.loads(p.read_text()) if p.is_file() else {}

    def write_meta(self, meta: dict) -> None:
        atomic.write_bytes_with(self.root / "meta.json", lambda f: f.write(json.dumps(meta, indent=1).encode()), sync=True)
