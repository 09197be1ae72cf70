"""What a grid will cost before it runs: disk for features and checkpoints, time left from measured jobs.

Disk follows from the settings: float16 values, Whisper frames of 30-s windows (1500 per clip)
or of each clip's own length (50 per second), MFCC frames fixed at 5 s by the paper preset,
mel frames at the preset's hop; checkpoints from the systems' own state dicts
(:mod:`camulenet.training.checkpoint_disk`): every fold's ``best.pt``, plus the resume points
of the folds training at once. Time is never guessed from a spec sheet: it is the mean
measured ``train_seconds`` of this grid's finished jobs (``done.json``), on the device
they ran on, times the jobs left.
"""

from __future__ import annotations

import json
import math
import shutil

import pandas as pd

from camulenet.data.prepare import ensure_corpus
from camulenet.features.spectral import get_preset
from camulenet.features.whisper_weights import whisper_dim
from camulenet.grid.jobs import fold_dir, state
from camulenet.training.checkpoint_disk import grid_checkpoints
from camulenet.training.runs import book_systems, train_config

BYTES = 2  # float16, as the feature store keeps them (camulenet.features.prepare.features_key)
SR = 16_000


def bytes_per_clip(cfg, seconds: float) -> dict[str, float]:
    """Bytes on disk of one clip of ``seconds`` per feature, under ``cfg``'s profile."""
    p = get_preset(cfg.feature_preset)
    dim = whisper_dim(cfg.whisper_model)
    frames = 1500 if cfg.whisper_mode == "full" else min(1500, math.ceil(50 * seconds))
    n = int(seconds * SR)
    mfcc_frames = 1 + int(p.mfcc_fixed_seconds * SR) // p.mfcc_hop if p.mfcc_fixed_seconds else 1 + n // p.mfcc_hop
    out = {"mfcc": mfcc_frames * p.n_mfcc * BYTES, "mel": (1 + n // p.mel_hop) * p.n_mels * BYTES}
    if dim:
        out.update(whisper=frames * dim * BYTES, whisper_mean=dim * BYTES)
    return out


def disk_gb(cfg, clips: int, mean_seconds: float) -> float:
    """Estimated GB of features for ``clips`` clips of ``mean_seconds`` on average."""
    return clips * sum(bytes_per_clip(cfg, mean_seconds).values()) / 1e9


def disk_table(cfg, corpora: dict[str, tuple[int, float]]) -> pd.DataFrame:
    """GB of features per corpus (name -> (clips, mean seconds)) under ``cfg``'s profile."""
    rows = [{"corpus": name, "clips": clips, "mean seconds": secs, "features (GB)": round(disk_gb(cfg, clips, secs), 1)}
            for name, (clips, secs) in corpora.items()]
    return pd.DataFrame(rows).set_index("corpus")


def measured_seconds(grid) -> pd.DataFrame:
    """Mean and count of measured train seconds per system among the grid's finished cells."""
    rows = []
    for system, k in grid.cells:
        done = fold_dir(grid.out_dir, system, k) / "done.json"
        if done.exists():
            info = json.loads(done.read_text())
            rows.append({"system": system, "seconds": info.get("train_seconds"), "device": info.get("device")})
    return pd.DataFrame(rows, columns=["system", "seconds", "device"])


def checkpoints_gb(grid, n_emotions: int, workers: int = 1) -> dict:
    """GB of the grid's checkpoints: every cell's ``best.pt`` kept, and the resume points of
    ``workers`` folds training at once (:func:`~camulenet.training.checkpoint_disk.grid_checkpoints`)."""
    systems = list(dict.fromkeys(s for s, _ in grid.cells))
    folds = len({k for _, k in grid.cells})
    reads = {s: f for s, f in book_systems(grid.cfg).items() if f}
    got = grid_checkpoints(grid.cfg, train_config(grid.cfg), systems, folds, n_emotions, workers, reads)
    return {"best_pt": got["best_pt_bytes"] / 1e9, "resume": got["resume_bytes"] / 1e9, "unsized": got["unsized"]}


def disk_line(features: float, ckpt: dict, workers: int, free: float | None = None) -> str:
    """One line: features + kept best.pt + resume points = the peak, and whether it fits ``free`` GB."""
    peak = features + ckpt["best_pt"] + ckpt["resume"]
    line = (f"  disk at its peak about {peak:.1f} GB: features {features:.1f} + every fold's best.pt "
            f"{ckpt['best_pt']:.1f} + resume points of {workers} fold(s) training at once {ckpt['resume']:.1f}")
    if ckpt["unsized"]:
        line += f" (checkpoints of {', '.join(ckpt['unsized'])} not counted: their feature width is known only once extracted)"
    if free is not None:
        line += (f"; {free:.1f} GB free there" if peak <= free else
                 f"; only {free:.1f} GB free there: free {peak - free:.1f} GB more, or move CAMULENET_DATA")
    return line


def plan_text(grids, workers: int = 1) -> str:
    """Per corpus: clips, disk for features and checkpoints at its peak, jobs left and the time
    they take at measured speed."""
    lines = []
    for g in grids:
        manifest = ensure_corpus(g.cfg)
        secs = float(manifest["duration"].mean()) if "duration" in manifest else float("nan")
        features = disk_gb(g.cfg, len(manifest), secs)
        lines.append(f"{g.cfg.corpus}: {len(manifest)} clips of {secs:.1f} s on average; features about "
                     f"{features:.1f} GB ({g.cfg.profile} profile)")
        root = g.cfg.data_root
        while not root.exists():
            root = root.parent
        free = shutil.disk_usage(root).free / 1e9
        lines.append(disk_line(features, checkpoints_gb(g, manifest["emotion"].nunique(), workers), workers, free))
        left = [(s, k) for s, k in g.cells if state(fold_dir(g.out_dir, s, k)) != "done"]
        measured = measured_seconds(g)
        if measured.empty:
            lines.append(f"  {len(left)} of {len(g.cells)} jobs left; no finished job to time them by yet "
                         f"(run one: --folds 0 --systems CAMuLeNet)")
            continue
        per = measured.groupby("system")["seconds"].mean()
        mean_all = float(measured["seconds"].mean())
        hours = sum(per.get(s, mean_all) for s, _ in left) / 3600
        devices = ", ".join(sorted(set(map(str, measured["device"]))))
        lines.append(f"  {len(left)} of {len(g.cells)} jobs left: about {hours:.1f} device-hours at the speed "
                     f"measured on {devices} ({len(measured)} finished jobs)")
    return "\n".join(lines)


#: Chapters whose time grows with the hours of audio: features, and the two training grids (an
#: epoch's steps grow with the clips, each step with their length). The others take about as long
#: on any corpus.
AUDIO_BOUND_CHAPTERS = ("03_features", "05_training", "09_beyond")


def predicted_book(cfg, timings: dict[str, float], audio_seconds: float, corpora) -> pd.DataFrame:
    """PREDICTED CPU time and disk of the whole book on each corpus of ``corpora``
    (:class:`~camulenet.data.sources.Source` objects that state their clips, mean length and
    sample rate), from a build measured on this machine: ``timings`` (seconds per chapter,
    ``book/_timings.json``) of a build on ``audio_seconds`` of audio under ``cfg``'s profile.
    The chapters of :data:`AUDIO_BOUND_CHAPTERS` are scaled by the hours of audio, the others
    kept; a corpus of one language has no leave-one-language-out folds, so this errs long.
    Disk: the download, the unpacked WAVs (16-bit), the features (:func:`disk_gb`)."""
    bound = sum(v for k, v in timings.items() if k in AUDIO_BOUND_CHAPTERS)
    other = sum(v for k, v in timings.items() if k not in AUDIO_BOUND_CHAPTERS)
    rows = []
    for s in corpora:
        if not s.wav_bytes:
            continue
        rows.append({"corpus": s.corpus, "clips": s.clips, "hours of audio": round(s.audio_seconds / 3600, 2),
                     "download (GB)": round(s.download_bytes / 1e9, 2), "WAVs (GB)": round(s.wav_bytes / 1e9, 2),
                     "features (GB)": round(disk_gb(cfg, s.clips, s.mean_seconds), 2),
                     "CPU time (h)": round((other + bound * s.audio_seconds / audio_seconds) / 3600, 1)})
    return pd.DataFrame(rows).set_index("corpus") if rows else pd.DataFrame()
