"""What a grid will cost before it runs: disk for the features, time left from measured jobs.

Disk follows from the settings: float16 values, Whisper frames of 30-s windows (1500 per clip)
or of each clip's own length (50 per second), MFCC frames fixed at 5 s by the paper preset,
mel frames at the preset's hop. Time is never guessed from a spec sheet: it is the mean
measured ``train_seconds`` of this grid's finished jobs (``done.json``), on the device
they ran on, times the jobs left.
"""

from __future__ import annotations

import json
import math

import pandas as pd

from camulenet.data.prepare import ensure_corpus
from camulenet.features.spectral import get_preset
from camulenet.grid.jobs import fold_dir, state

#: Width of the Whisper encoder's frames per model size (openai-whisper's ``n_audio_state``).
WHISPER_DIMS = {"tiny": 384, "base": 512, "small": 768, "medium": 1024, "large": 1280, "turbo": 1280}
BYTES = 2  # float16, as the feature store keeps them (camulenet.features.prepare.features_key)
SR = 16_000


def whisper_dim(name: str) -> int | None:
    base = name.split(".")[0].split("-")[0]
    return WHISPER_DIMS.get(base)


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


def plan_text(grids) -> str:
    """Per corpus: clips, disk for features, jobs left and the time they take at measured speed."""
    lines = []
    for g in grids:
        manifest = ensure_corpus(g.cfg)
        secs = float(manifest["duration"].mean()) if "duration" in manifest else float("nan")
        lines.append(f"{g.cfg.corpus}: {len(manifest)} clips of {secs:.1f} s on average; features about "
                     f"{disk_gb(g.cfg, len(manifest), secs):.1f} GB ({g.cfg.profile} profile)")
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
