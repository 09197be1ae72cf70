"""Resumable, batched feature extraction for a manifest.

Clips are sorted by length (little padding per batch), processed in chunks of
``shard_size``; each chunk is written as one shard per feature. A rerun skips clips that
already have every requested feature, so an interrupted job continues where it stopped
and ends with the same arrays as an uninterrupted one, bit for bit: chunks and Whisper
batches are planned over the whole manifest (:func:`plan_batches`), and a batch with a
missing clip is recomputed in full. Clips longer than Whisper's 30-s window are cut; they
are counted, listed in ``truncated.csv`` and warned about. Clips that cannot be read
(missing, corrupt, empty, silent) are listed in ``failures.csv`` with a fix hint and
retried on the next run; none is dropped silently.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import soundfile as sf
import torch
from tqdm.auto import tqdm

from camulenet.data.audio import AudioError, load_audio
from camulenet.features import spectral
from camulenet.features.store import FeatureStore
from camulenet.features.whisper_encoder import WhisperEncoder, compute_precision, load_whisper

KINDS = ("whisper", "mfcc", "mel")
SR = 16000


def _duration_samples(path: str) -> int:
    """Length in 16 kHz samples from the header (0 when unreadable: load_audio reports it)."""
    try:
        info = sf.info(path)
        return int(round(info.frames * SR / info.samplerate))
    except Exception:
        return 0


def read_clips(chunk, failures: list[dict]) -> tuple[list[str], list[np.ndarray]]:
    """Load (utt_id, path) pairs at 16 kHz; clips that cannot be read are appended to
    ``failures`` (utt_id, path, reason, fix_hint) instead of stopping the job."""
    ok_ids, waves = [], []
    for u, p in chunk:
        try:
            waves.append(load_audio(p, sr=SR))
            ok_ids.append(u)
        except AudioError as e:
            failures.append({"utt_id": u, "path": p, "reason": e.reason, "fix_hint": e.fix})
        except Exception as e:  # anything else still gets reported, never swallowed silently
            failures.append({"utt_id": u, "path": p, "reason": f"{type(e).__name__}: {e}",
                             "fix_hint": "inspect the file; re-export it as 16 kHz mono WAV"})
    return ok_ids, waves


def read_in_chunks(todo, chunk_size: int, failures: list[dict], desc: str, progress: bool = True):
    """Yield (ok_ids, waveforms) for consecutive chunks of (utt_id, path) pairs, with a
    progress bar over clips; unreadable clips go to ``failures`` (see :func:`read_clips`)."""
    with tqdm(total=len(todo), desc=desc, unit="clip", disable=not progress) as bar:
        for start in range(0, len(todo), chunk_size):
            chunk = todo[start:start + chunk_size]
            yield read_clips(chunk, failures)
            bar.update(len(chunk))


def plan_batches(ids, paths, shard_size: int, batch_size: int) -> list[list[list[tuple[str, str]]]]:
    """Chunks (one shard each) of Whisper batches of (utt_id, path), over the whole manifest.

    Sorted by header duration, then utt_id: the same plan in every run, whatever is already
    done, so a resumed extraction pads each clip with the same batch-mates as an
    uninterrupted one and gets the same frames bit for bit.
    """
    order = sorted(zip(ids, paths), key=lambda up: (_duration_samples(up[1]), up[0]))
    chunks = [order[s:s + shard_size] for s in range(0, len(order), shard_size)]
    return [[c[b:b + batch_size] for b in range(0, len(c), batch_size)] for c in chunks]


def report_truncated(store: FeatureStore, ids) -> int:
    """Count the clips of ``ids`` whose Whisper frames were cut at 30 s (listed in
    truncated.csv, over all runs), record it in meta.json and warn: never silent."""
    listed = store.truncated()
    n = int(listed["utt_id"].isin(set(ids)).sum())
    meta = store.read_meta()
    if meta.get("whisper_truncated") != n:
        meta["whisper_truncated"] = n
        store.write_meta(meta)
    if n:
        warnings.warn(f"{n} of {len(ids)} clips are longer than 30 s: their Whisper frames cover only the "
                      f"first 30 s (the encoder's window); the list is in {store.truncated_path}", stacklevel=3)
    return n


def feature_names(kinds=KINDS, pooled=("mean",)) -> list[str]:
    names = []
    if "whisper" in kinds:
        names += ["whisper"] + [f"whisper_{p}" for p in pooled]
    names += [k for k in ("mfcc", "mel") if k in kinds]
    return names


@dataclass
class _Tally:
    """What an extraction run has met so far: reported as it goes, summarised at the end."""

    failures: list[dict] = field(default_factory=list)   # clips to extract that could not be read
    truncated: list[dict] = field(default_factory=list)  # clips whose Whisper frames were cut at 30 s
    lost_context: list[str] = field(default_factory=list)  # extracted clips that could not be re-read for a batch
    n_done: int = 0
    n_mfcc_cropped: int = 0  # clips longer than the preset's fixed MFCC length


def _check_request(manifest: pd.DataFrame, kinds) -> None:
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown feature kinds {sorted(unknown)}; choose from {KINDS}")
    for col in ("utt_id", "path"):
        if col not in manifest.columns:
            raise ValueError(f"manifest lacks column {col!r} (see camulenet.data.schema.MANIFEST_COLUMNS)")
    dup = manifest.utt_id[manifest.utt_id.duplicated()]
    if len(dup):
        raise ValueError(f"manifest has duplicate utt_ids: {dup.tolist()[:5]}")


def _claim_store(store: FeatureStore, kinds, whisper_mode: str, whisper_model, preset: str, dtype: str,
                 device=None) -> None:
    """Record the settings in the store's meta.json, refusing a store begun under others:
    a resumed job must never mix incompatible features (nor fp16 GPU frames with fp32 CPU ones)."""
    use_whisper = "whisper" in kinds
    settings = {"whisper_mode": whisper_mode if use_whisper else None,
                "whisper_model": whisper_model if use_whisper and isinstance(whisper_model, str) else None,
                "whisper_precision": compute_precision(device) if use_whisper else None,
                "preset": preset, "dtype": dtype}
    meta = store.read_meta()
    for key, val in settings.items():
        if meta.get(key) not in (None, val) and val is not None:
            raise ValueError(f"{store.root} holds features made with {key}={meta[key]!r}, not {val!r}; "
                             f"use another store_root or delete it")
    if "mfcc" in kinds and "mfcc_pad_to" in meta:  # made when paper MFCCs were padded to the corpus max
        raise ValueError(f"{store.root} holds MFCCs padded to the corpus's longest clip (older code); "
                         "delete that store or use another store_root")
    meta.update({k: v for k, v in settings.items() if v is not None})
    store.write_meta(meta)


def _chunk_features(chunk, todo: set, need_whisper: set, encoder: WhisperEncoder | None, kinds, pooled,
                    pset, tally: _Tally) -> tuple[list[str], dict[str, list]]:
    """(utt_ids, features by name) of the clips to extract in one planned chunk.

    For Whisper, every clip of a planned batch holding a clip to extract is read too: a
    resumed run recomputes that batch in full (same batch-mates, same frames) and keeps only
    the missing clips.
    """
    flat = [up for batch in chunk for up in batch]
    read = {u for u, _ in flat if u in todo}
    if encoder is not None:
        for batch in chunk:
            if any(u in need_whisper for u, _ in batch):
                read.update(u for u, _ in batch)
    context_failures: list[dict] = []  # clips read only as batch context: their features exist
    got_ids, got_waves = read_clips([up for up in flat if up[0] in read], context_failures)
    tally.failures += [f for f in context_failures if f["utt_id"] in todo]
    tally.lost_context += [f["path"] for f in context_failures if f["utt_id"] not in todo]
    wave_of = dict(zip(got_ids, got_waves))
    ok_ids = [u for u in got_ids if u in todo]
    waves = [wave_of[u] for u in ok_ids]
    feats: dict[str, list] = {}
    if encoder is not None:
        frames_of = {}
        for batch in chunk:
            b_ids = [u for u, _ in batch if u in wave_of]
            if any(u in need_whisper for u in b_ids):
                frames_of.update(zip(b_ids, encoder.encode([wave_of[u] for u in b_ids], batch_size=len(b_ids))))
        feats["whisper"] = [frames_of.get(u) for u in ok_ids]
        for how in pooled:
            feats[f"whisper_{how}"] = [None if f is None else encoder.pool(f, how) for f in feats["whisper"]]
        path_of = dict(flat)
        tally.truncated += [{"utt_id": u, "path": path_of[u], "seconds": len(wave_of[u]) / SR,
                             "kept_seconds": encoder.max_seconds}
                            for u in ok_ids if u in need_whisper and encoder.truncates(wave_of[u])]
    if "mfcc" in kinds:
        mfccs = [spectral.mfcc(y, pset, return_cropped=True) for y in waves]
        feats["mfcc"] = [m for m, _ in mfccs]
        tally.n_mfcc_cropped += sum(cropped for _, cropped in mfccs)
    if "mel" in kinds:
        feats["mel"] = [spectral.mel(y, pset) for y in waves]
    return ok_ids, feats


def extract_features(manifest: pd.DataFrame, store_root, kinds=("whisper", "mfcc", "mel"),
                     whisper_mode: str = "trimmed", whisper_model="base", preset: str = "cpu",
                     pooled=("mean",), dtype: str = "float16", batch_size: int = 16,
                     shard_size: int = 256, device=None, limit: int | None = None,
                     progress: bool = True, num_threads: int | None = None) -> dict:
    """Extract ``kinds`` for every clip of ``manifest`` into ``FeatureStore(store_root)``.

    ``whisper_model`` is a name for :func:`load_whisper` or an already loaded Whisper model.
    ``preset`` names a ``spectral.PRESETS`` entry; with ``paper`` every clip's MFCC input is
    padded or cropped to 5 s (501 frames); the number of cropped clips is warned about.
    Returns a summary: counts done / skipped / failed, seconds, clips/s, per-feature info.
    """
    t0 = time.perf_counter()
    _check_request(manifest, kinds)
    if num_threads:
        torch.set_num_threads(num_threads)
    pset = spectral.get_preset(preset)
    store = FeatureStore(store_root)
    names = feature_names(kinds, pooled)
    rows = manifest if limit is None else manifest.head(limit)
    ids = rows.utt_id.astype(str).tolist()
    _claim_store(store, kinds, whisper_mode, whisper_model, pset.name, dtype, device)

    # what is left, and the plan of chunks and Whisper batches over the whole manifest (the
    # same in every run: a clip's frames depend, in float16, on the clips padded into its batch)
    done = {n: store.done_ids(n) for n in names}
    todo = {u for u in ids if any(u not in done[n] for n in names)}
    whisper_names = [n for n in names if n == "whisper" or n.startswith("whisper_")]
    need_whisper = {u for u in todo if any(u not in done[n] for n in whisper_names)}
    plan = plan_batches(manifest.utt_id.astype(str).tolist(), manifest.path.astype(str).tolist(),
                        shard_size, batch_size) if todo else []
    encoder = None
    if "whisper" in kinds and need_whisper:
        model = load_whisper(whisper_model, device=device) if isinstance(whisper_model, str) else whisper_model
        encoder = WhisperEncoder(model, mode=whisper_mode, device=device, batch_size=batch_size)

    # extract chunk by chunk, each written as one shard per feature, failures reported as they come
    tally = _Tally()
    bar = tqdm(total=len(todo), desc=f"features {','.join(kinds)}", unit="clip", disable=not progress)
    for chunk in plan:
        if not any(u in todo for batch in chunk for u, _ in batch):
            continue
        ok_ids, feats = _chunk_features(chunk, todo, need_whisper, encoder, kinds, pooled, pset, tally)
        for n in names:
            keep = [i for i, u in enumerate(ok_ids) if u not in done[n]]
            if keep:
                store.write_shard(n, [ok_ids[i] for i in keep], [feats[n][i] for i in keep], dtype=dtype)
        tally.n_done += len(ok_ids)
        store.write_failures(tally.failures)  # progressively, so an interrupted job still reports
        store.add_truncated(tally.truncated)
        bar.update(sum(u in todo for batch in chunk for u, _ in batch))
    bar.close()
    return _finish(store, tally, ids, names, pset, "whisper" in kinds, len(ids) - len(todo), t0)


def _finish(store: FeatureStore, tally: _Tally, ids, names, pset, use_whisper: bool, skipped: int,
            t0: float) -> dict:
    """Report what the run met (warnings, failures.csv, truncated clips) and summarise it."""
    if tally.lost_context:
        warnings.warn(f"{len(tally.lost_context)} already extracted clips could not be re-read to refill their "
                      f"Whisper batch (e.g. {tally.lost_context[:2]}): the clips batched with them may differ by "
                      "float16 rounding from an uninterrupted run; restore those files or delete the store for "
                      "identical features", stacklevel=3)
    store.write_failures(tally.failures)
    spectral.warn_cropped(tally.n_mfcc_cropped, tally.n_done, pset)
    n_truncated = report_truncated(store, ids) if use_whisper else 0
    secs = time.perf_counter() - t0
    return {"done": tally.n_done, "skipped": skipped, "failed": len(tally.failures), "seconds": secs,
            "clips_per_s": tally.n_done / secs if secs > 0 else float("nan"),
            "failures_csv": str(store.failures_path),
            "truncated": n_truncated, "truncated_new": len(tally.truncated), "truncated_csv": str(store.truncated_path),
            "features": {n: store.info(n) for n in names if store._shards(n)}}
