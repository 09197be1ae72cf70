"""Benchmark: our feature extraction vs a per-file loop in the style of the released code.

Same clips for every phase (default: 40 espeak clips of 1-4 s, or ``--manifest`` with
utt_id/path columns). Each phase runs in its own subprocess so peak memory is its own:

* ``naive``   : one clip at a time, librosa reload per feature, Whisper on 30 s padding
                (1500 x d float32 per clip), paper MFCC (padded to corpus max) and paper mel,
                everything kept in memory as the released pickle does.
* ``trimmed`` : ``extract_features`` (trimmed Whisper, cpu preset, float16 shards).
* ``full``    : ``extract_features`` with whisper_mode="full" (batched but 30 s padding).

Prints a table and writes JSON (``--out``) for the book. Model loading is excluded.
Usage: python scripts/bench_features.py --n 40 --out data/bench/features.json
(or call ``benchmark(n=40)`` / ``format_table(payload)``; chapter 3 does, through
:func:`camulenet.pipeline.feature_benchmark`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import librosa
import numpy as np
import pandas as pd
import soundfile as sf
import torch
import whisper

from camulenet.features import spectral
from camulenet.features.extract import extract_features
from camulenet.features.whisper_encoder import WhisperEncoder, load_whisper
from camulenet.features.whisper_weights import ensure_whisper_base_checkpoint
from camulenet.storage.memory import PeakRSS
from data_prep.synthetic.espeak import synthesize


def make_clips(folder: Path, n: int, seed: int = 0) -> list[dict]:
    """``n`` espeak clips of about 1-4 s (deterministic), written as 16 kHz WAVs."""
    words = ("the paper is on the table by the window we will meet at the station on monday "
             "do not forget the jacket in the car it is eleven o'clock the bus leaves soon").split()
    rng = np.random.default_rng(seed)
    rows = []
    folder.mkdir(parents=True, exist_ok=True)
    while len(rows) < n:
        text = " ".join(rng.choice(words, size=int(rng.integers(2, 13))))
        y = synthesize(text, voice="en", rate=175, pitch=50, pitch_range=50, seed=0, sample_rate=16000)
        if not 1.0 <= len(y) / 16000 <= 4.0:
            continue
        p = folder / f"b{len(rows):03d}.wav"
        sf.write(p, y, 16000)
        rows.append({"utt_id": p.stem, "path": str(p), "seconds": len(y) / 16000})
    return rows


def naive_loop(paths, model):
    """Released-code style: per file, per feature, reload audio; 30 s padding; one clip at a time."""
    feats = {}
    max_len = max(len(librosa.load(p, sr=16000)[0]) for p in paths)  # pass over the corpus for MFCC padding
    for p in paths:
        y, _ = librosa.load(p, sr=16000)
        mel30 = whisper.log_mel_spectrogram(whisper.pad_or_trim(torch.from_numpy(y)))
        with torch.no_grad():
            w = model.encoder(mel30[None])[0].numpy()
        y, _ = librosa.load(p, sr=16000)
        m = librosa.feature.mfcc(y=np.pad(y, (0, max_len - len(y))), sr=16000, n_mfcc=40, hop_length=160, htk=True).T
        y, _ = librosa.load(p, sr=16000)
        s = librosa.feature.melspectrogram(y=y, sr=16000, n_fft=800, win_length=40, hop_length=10,
                                           window="hamming").T
        feats[p] = {"whisper": w, "mfcc": m, "mel": s}
    return feats


def _warm_up(model):
    """Same untimed warm-up for every phase: numba-compiled librosa kernels and torch."""
    y = (0.1 * np.random.default_rng(0).standard_normal(16000)).astype(np.float32)
    for preset in ("cpu", "paper"):
        spectral.mfcc(y, preset), spectral.mel(y, preset)
    librosa.feature.mfcc(y=y, sr=16000, n_mfcc=40, hop_length=160, htk=True)
    WhisperEncoder(model, mode="trimmed", device="cpu").encode([y])


def run_phase(phase: str, manifest_csv: str, workdir: str) -> dict:
    manifest = pd.read_csv(manifest_csv)
    model = load_whisper("base", device="cpu")
    n = len(manifest)
    _warm_up(model)
    out = {"phase": phase, "n_clips": n, "torch_threads": torch.get_num_threads()}
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        if phase == "naive":
            feats = naive_loop(manifest.path.tolist(), model)
            out["bytes_per_clip_whisper"] = float(np.mean([f["whisper"].nbytes for f in feats.values()]))
            out["bytes_per_clip_all"] = float(np.mean([sum(a.nbytes for a in f.values()) for f in feats.values()]))
        else:
            root = Path(workdir) / phase
            s = extract_features(manifest, root, whisper_mode=phase, whisper_model=model, preset="cpu",
                                 dtype="float16", progress=False)
            if s["failed"]:
                raise RuntimeError(f"{s['failed']} clips failed: see {s['failures_csv']}")
            out["bytes_per_clip_whisper"] = s["features"]["whisper"]["bytes_per_clip"]
            out["bytes_per_clip_all"] = sum(v["bytes_per_clip"] for v in s["features"].values())
        secs = time.perf_counter() - t0
    out.update(seconds=secs, clips_per_s=n / secs, peak_rss_delta_mb=mem.delta_mb,
               max_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def benchmark(n: int = 40, manifest=None, phases=("naive", "trimmed", "full"), isolate: bool = True) -> dict:
    """Run ``phases`` on the same clips; returns the JSON payload.

    ``manifest``: a DataFrame (or CSV/parquet path) with utt_id/path; default: ``n`` espeak clips.
    ``isolate``: each phase in a subprocess of its own, so that its peak memory is its own;
    without (smoke runs, whose figures mean nothing) the phases share this process and its
    interpreter, libraries and compiled kernels, which saves most of the run's time.
    """
    ensure_whisper_base_checkpoint()  # convert once, outside the timed phases
    with tempfile.TemporaryDirectory() as tmp:
        if manifest is None:
            m = pd.DataFrame(make_clips(Path(tmp) / "wav", n))
        else:
            if isinstance(manifest, (str, Path)):
                manifest = str(manifest)
                m = pd.read_parquet(manifest) if manifest.endswith(".parquet") else pd.read_csv(manifest)
            else:
                m = manifest
            m = m[["utt_id", "path"]].head(n).copy()
            m["seconds"] = [sf.info(p).duration for p in m.path]
        csv = str(Path(tmp) / "manifest.csv")
        m[["utt_id", "path"]].to_csv(csv, index=False)
        results = []
        for phase in phases:
            if isolate:
                cmd = [sys.executable, "-m", "camulenet.features.benchmark", "--phase", phase, "--csv", csv,
                       "--workdir", tmp]
                r = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
                if r.returncode:
                    raise RuntimeError(f"benchmark phase {phase} failed:\n{r.stderr[-3000:]}")
                results.append(json.loads(r.stdout.strip().splitlines()[-1]))
            else:
                results.append(run_phase(phase, csv, tmp))
            print(f"  {phase}: {results[-1]['clips_per_s']:.2f} clips/s", file=sys.stderr)

    base = next((r for r in results if r["phase"] == "naive"), None)
    full_f32 = 1500 * 512 * 4
    for r in results:
        r["speedup_vs_naive"] = r["clips_per_s"] / base["clips_per_s"] if base else None
        r["whisper_bytes_ratio_vs_full_f32"] = full_f32 / r["bytes_per_clip_whisper"]
    return {"n_clips": len(m), "clip_seconds_total": float(m["seconds"].sum()),
            "torch_threads": results[0]["torch_threads"], "reference_bytes_full_f32": full_f32,
            "results": results}


def format_table(payload: dict) -> str:
    lines = [f"{payload['n_clips']} clips ({payload['clip_seconds_total']:.0f} s of audio), "
             f"{payload['torch_threads']} torch threads (CPU)",
             f"{'phase':8} {'clips/s':>8} {'speed-up':>8} {'peak RSS +MB':>12} {'whisper B/clip':>15} "
             f"{'all B/clip':>12} {'x smaller':>10}"]
    for r in payload["results"]:
        sp = f"{r['speedup_vs_naive']:.1f}x" if r["speedup_vs_naive"] else "-"
        lines.append(f"{r['phase']:8} {r['clips_per_s']:8.2f} {sp:>8} {r['peak_rss_delta_mb']:12.0f} "
                     f"{r['bytes_per_clip_whisper']:15,.0f} {r['bytes_per_clip_all']:12,.0f} "
                     f"{r['whisper_bytes_ratio_vs_full_f32']:9.1f}x")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40, help="number of espeak clips to synthesise")
    ap.add_argument("--manifest", help="CSV/parquet with utt_id,path (instead of espeak clips)")
    ap.add_argument("--phases", default="naive,trimmed,full")
    ap.add_argument("--out", default=None, help="write the results as JSON here")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--csv", help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.phase:  # child process
        print(json.dumps(run_phase(args.phase, args.csv, args.workdir)))
        return
    payload = benchmark(args.n, args.manifest, tuple(args.phases.split(",")))
    print(format_table(payload))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(payload, indent=1))
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
