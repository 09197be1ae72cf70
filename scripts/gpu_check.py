"""The paper profile's first GPU run, as one prepared script (a lent H100: at most ~7 minutes).

Prints ONE JSON object (everything else goes to stderr):

- ``extraction``: Whisper-Medium's architecture with random weights (openai-whisper's
  ``Whisper(ModelDimensions(...))``; the weights do not change the cost), ``full`` mode (30-s
  windows) in fp16 on CUDA: clips/s;
- ``training``: the released-size CAMuLeNet (``CAMuLeNetConfig.paper()``, Whisper-Medium
  frames) trained by the book's trainer (``TrainConfig.paper()``: bf16 autocast, batch 64)
  on random paper-shaped features: samples/s of the last epoch, peak GPU memory, the share of
  training time spent waiting for batches, and the wall time around training (validation,
  test, checkpoints) relative to it;
- ``baseline``: the same for the Whisper baseline (released layout);
- ``resume``: the fold interrupted after its last.pt and resumed on CUDA;
- ``gpu_tests``: ``pytest -m gpu`` on the files holding gpu tests, in a subprocess (a file
  that cannot be collected for lack of a package is counted, not fatal; on a CPU they skip);
- ``predicted``: wall time of one Table 1 row (4 systems x 10 folds x 10 epochs over
  CREMA-D's 7,442 clips; the three CAMuLeNet variants at CAMuLeNet's measured speed) and of
  its Whisper-Medium extraction, from the figures above (PREDICTIONS, not measured runs).

Each part that cannot run (no CUDA, openai-whisper missing, out of time) says why under
``skipped`` instead of failing the script; an error is reported with its message.

``--tiny``: everything on the CPU with tiny sizes, in seconds (what tests/test_gpu_check.py runs).

    python scripts/gpu_check.py [--tiny] [--budget-s 420] [--clips 640]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import camulenet  # noqa: E402,F401  (first: pins numpy's and torch's CPU code paths, camulenet.storage.numerics)

import numpy as np  # noqa: E402
import torch  # noqa: E402

#: Whisper-Medium (openai-whisper's ``_MODELS["medium"]`` dims) and a tiny stand-in for --tiny
MEDIUM = dict(n_mels=80, n_audio_ctx=1500, n_audio_state=1024, n_audio_head=16, n_audio_layer=24, n_vocab=51865,
              n_text_ctx=448, n_text_state=1024, n_text_head=16, n_text_layer=24)
TINY = dict(n_mels=80, n_audio_ctx=1500, n_audio_state=32, n_audio_head=2, n_audio_layer=1, n_vocab=100,
            n_text_ctx=8, n_text_state=32, n_text_head=2, n_text_layer=1)
#: one Table 1 row as the paper runs it (CREMA-D)
ROW = {"corpus": "crema-d", "clips": 7442, "systems": 4, "folds": 10, "epochs": 10,
       "train_share": 0.85, "mean_seconds": 2.5}
EMOTIONS = ("anger", "disgust", "fear", "happiness", "neutral", "sadness")


def log(*a) -> None:
    print(*a, file=sys.stderr, flush=True)


class Budget:
    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()


def section(name: str, budget: Budget, need_s: float, fn, *args) -> dict:
    """Run one part; a missing package or device, or too little time left, is a skip with its reason."""
    if budget.left() < need_s:
        return {"skipped": f"out of time: {budget.left():.0f} s left, this part needs about {need_s:.0f} s"}
    t0 = time.monotonic()
    log(f"[gpu_check] {name} ...")
    try:
        out = fn(*args)
    except Skip as s:
        out = {"skipped": str(s)}
    except Exception as err:  # report, never crash: the other parts still run
        out = {"error": f"{type(err).__name__}: {err}", "trace": traceback.format_exc(limit=4)[-1500:]}
    out["seconds"] = round(time.monotonic() - t0, 1)
    return out


class Skip(Exception):
    """A part that cannot run here, with the reason."""


def device_for(tiny: bool) -> torch.device:
    if tiny:
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise Skip("no CUDA device (run with --tiny for the CPU rehearsal)")
    return torch.device("cuda")


# -- extraction ---------------------------------------------------------------------
def extraction(tiny: bool, n_clips: int) -> dict:
    device = device_for(tiny)
    try:
        import whisper  # noqa: F401  (openai-whisper: absent on a bare GPU machine)
        from whisper.model import ModelDimensions, Whisper
    except ImportError as err:
        raise Skip(f"openai-whisper is not installed ({err}); extraction speed not measured")
    from camulenet.features.whisper_encoder import WhisperEncoder

    torch.manual_seed(0)
    dims = TINY if tiny else MEDIUM
    model = Whisper(ModelDimensions(**dims))
    enc = WhisperEncoder(model, mode="full", device=device, batch_size=16)
    rng = np.random.default_rng(0)
    clips = [(0.1 * rng.standard_normal(int(16000 * s))).astype(np.float32)
             for s in rng.uniform(1.5, 4.0, n_clips)]
    enc.encode(clips[:enc.batch_size])  # warm-up: kernels, cuDNN, allocator
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    out = enc.encode(clips)
    if device.type == "cuda":
        torch.cuda.synchronize()
    secs = time.perf_counter() - t0
    return {"model": "tiny" if tiny else "whisper-medium (random weights)", "mode": "full",
            "precision": "fp16" if enc.fp16 else "fp32", "device": str(device), "clips": n_clips,
            "batch_size": enc.batch_size, "frames": list(out[0].shape), "clips_per_s": round(n_clips / secs, 2)}


# -- training -----------------------------------------------------------------------
def paper_data(tiny: bool, n_clips: int):
    """Random features of the paper profile's shapes (float16, as stored) and a fold of them."""
    import pandas as pd

    from camulenet.features import spectral
    from camulenet.storage.ragged import Ragged
    from camulenet.training import SERData

    rng = np.random.default_rng(0)
    secs = rng.uniform(1.5, 5.0, n_clips)
    p = spectral.get_preset("paper")
    whisper_shape = (50, 32) if tiny else (1500, 1024)
    mel_frames = (8 + (secs * 4).astype(int)) if tiny else 1 + (secs * p.sr).astype(int) // p.mel_hop
    mfcc_frames = 21 if tiny else spectral.mfcc_frames("paper")
    ids = [f"c{i:05d}" for i in range(n_clips)]

    def block(n_rows: int, dim: int) -> np.ndarray:  # random rows, tiled (drawing billions of numbers takes minutes)
        base = rng.standard_normal((min(n_rows, 4096), dim), dtype=np.float32).astype(np.float16)
        return np.resize(base, (n_rows, dim))

    def ragged(lengths, dim) -> Ragged:
        lengths = np.asarray(lengths, np.int64)
        return Ragged(block(int(lengths.sum()), dim), np.concatenate([[0], np.cumsum(lengths)]), tuple(ids))

    feats = {"whisper": ragged([whisper_shape[0]] * n_clips, whisper_shape[1]),
             "mfcc": ragged([mfcc_frames] * n_clips, p.n_mfcc),
             "mel": ragged(mel_frames, 16 if tiny else p.n_mels)}
    n_spk = 10
    manifest = pd.DataFrame({"utt_id": ids, "speaker": [f"s{i % n_spk}" for i in range(n_clips)],
                             "gender": ["female" if i % n_spk < 5 else "male" for i in range(n_clips)],
                             "emotion": [EMOTIONS[i % 6] for i in range(n_clips)]})
    spk = manifest["speaker"].to_numpy()
    fold = (list(manifest.utt_id[~np.isin(spk, ["s0", "s9"])]), list(manifest.utt_id[spk == "s9"]),
            list(manifest.utt_id[spk == "s0"]))  # 80% train, 10% validation, 10% test speakers
    return SERData(feats, manifest, emotions=EMOTIONS), fold


def train_system(system: str, tiny: bool, data, fold, out: Path, epochs: int, batch_size: int) -> dict:
    from camulenet.model import CAMuLeNet, CAMuLeNetConfig
    from camulenet.training import TrainConfig, runner, train_one_fold

    device = device_for(tiny)
    if system == "CAMuLeNet":
        cfg = (CAMuLeNetConfig.compact(n_emotions=6, whisper_dim=32) if tiny
               else CAMuLeNetConfig.paper(n_emotions=6, whisper_dim=1024))
        factory = lambda: CAMuLeNet(cfg)  # noqa: E731
    else:
        factory = lambda: runner.build_model(system, data, "compact" if tiny else "paper",  # noqa: E731
                                             baselines="compact" if tiny else "released")
    tc = TrainConfig.paper(epochs=epochs, batch_size=batch_size, progress=False, keep_last=True, device=str(device))
    t0 = time.perf_counter()
    res = train_one_fold(factory, data, fold, tc, out)
    wall = time.perf_counter() - t0
    info, last = res.info, res.history.iloc[-1]
    return {"system": system, "device": info["device"], "batch_size": batch_size, "epochs": epochs,
            "amp": ("bf16" if torch.cuda.is_bf16_supported() else "fp16") if device.type == "cuda" else None,
            "n_params_m": round(info["n_params"] / 1e6, 1), "n_train": info["n_train"],
            "samples_per_s": round(float(last["samples_per_s"]), 1),  # last epoch: past the warm-up
            "peak_memory_mb": round(info["peak_memory_mb"]), "data_wait_share": round(info["data_wait_share"], 3),
            "overhead_share": round(wall / info["train_seconds"] - 1, 3),  # validation, test, checkpoints
            "checkpoint_bytes": info["checkpoint_bytes"], "train_loss_finite": bool(np.isfinite(last["train_loss"]))}


def training(system: str, tiny: bool, data, fold, out: Path, epochs: int) -> dict:
    """Batch 64 (the paper's); on running out of GPU memory, say so and try 32."""
    try:
        return train_system(system, tiny, data, fold, out, epochs, 64)
    except torch.cuda.OutOfMemoryError as err:
        message = str(err)[:200]  # the traceback, which holds the model and optimizer, goes with the block
    torch.cuda.empty_cache()
    result = train_system(system, tiny, data, fold, out.with_name(out.name + "-b32"), epochs, 32)
    return {**result, "batch_64": f"out of memory: {message}"}


def resume(tiny: bool, data, fold, out: Path, epochs: int) -> dict:
    """The fold trained above (last.pt kept) resumed on the same device for one more epoch."""
    from camulenet.model import CAMuLeNet, CAMuLeNetConfig
    from camulenet.training import TrainConfig, load_checkpoint, train_one_fold

    device = device_for(tiny)
    if not (out / "last.pt").exists():
        raise Skip(f"no last.pt under {out}: the training part did not finish")
    cfg = (CAMuLeNetConfig.compact(n_emotions=6, whisper_dim=32) if tiny
           else CAMuLeNetConfig.paper(n_emotions=6, whisper_dim=1024))
    batch = json.loads((out / "done.json").read_text())["train_config"]["batch_size"]
    saved = load_checkpoint(out / "last.pt")
    (out / "done.json").unlink()
    tc = TrainConfig.paper(epochs=epochs + 1, batch_size=batch, progress=False, device=str(device))
    res = train_one_fold(lambda: CAMuLeNet(cfg), data, fold, tc, out)
    return {"device": res.info["device"], "resumed_from_epoch": saved["meta"]["epoch"],
            "epochs_after": len(res.history), "scaler_saved": "scaler" in saved,
            "ok": len(res.history) == epochs + 1 and bool(np.isfinite(res.history.train_loss).all())}


# -- the gpu tests ------------------------------------------------------------------
def gpu_tests(tiny: bool, timeout_s: float) -> dict:
    """``pytest -m gpu`` over the test files that hold gpu-marked tests (collecting the whole
    suite would import packages a bare GPU machine lacks); without conftest.py, whose shared
    fixtures (the smoke corpus) need audio packages and no gpu test uses. On a CPU they skip."""
    try:
        import pytest  # noqa: F401
    except ImportError:
        raise Skip("pytest is not installed")
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_*.py")
                   if "mark.gpu" in p.read_text(encoding="utf-8"))
    if not files:
        raise Skip("no gpu-marked tests found under tests/")
    cmd = [sys.executable, "-m", "pytest", "-m", "gpu", "-q", "-rs", "-p", "no:cacheprovider", "--noconftest",
           "--continue-on-collection-errors", *files]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout_s,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    tail = (p.stdout + p.stderr).strip().splitlines()
    summary = next((line for line in reversed(tail) if " in " in line and ("passed" in line or "error" in line
                                                                          or "skipped" in line or "failed" in line)),
                   tail[-1] if tail else "")
    return {"files": files, "returncode": p.returncode, "summary": summary.strip("= "),
            "tail": "\n".join(tail[-25:])}


# -- predictions --------------------------------------------------------------------
def predict(report: dict) -> dict:
    """One Table 1 row and its extraction, from the measured speeds: PREDICTIONS."""
    out = {"note": "PREDICTED from the speeds measured above, not a measured run", "row": ROW}
    cam, base = report.get("training", {}), report.get("baseline", {})
    if "samples_per_s" in cam:
        per_system = {}
        for name, m in (("CAMuLeNet variants (3, at CAMuLeNet's speed)", cam), ("Whisper baseline", base)):
            if "samples_per_s" not in m:
                m = cam  # not measured: at CAMuLeNet's speed (a ceiling: the baseline is far smaller)
            samples = ROW["folds"] * ROW["epochs"] * ROW["clips"] * ROW["train_share"]
            per_system[name] = samples / m["samples_per_s"] * (1 + max(m["overhead_share"], 0)) / 3600
        hours = 3 * per_system["CAMuLeNet variants (3, at CAMuLeNet's speed)"] + per_system["Whisper baseline"]
        out["training_hours"] = round(hours, 2)
        out["training_hours_per_system"] = {k: round(v, 2) for k, v in per_system.items()}
    ext = report.get("extraction", {})
    if "clips_per_s" in ext:
        out["extraction_hours"] = round(ROW["clips"] / ext["clips_per_s"] / 3600, 2)
    return out


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiny", action="store_true", help="CPU, tiny sizes, seconds")
    ap.add_argument("--budget-s", type=float, default=420.0, help="stop starting parts after this (default 7 min)")
    ap.add_argument("--clips", type=int, default=None, help="training clips (default 640; --tiny 64)")
    args = ap.parse_args(argv)
    budget = Budget(args.budget_s)
    tiny = args.tiny
    n_clips = args.clips or (64 if tiny else 640)
    report: dict = {"tiny": tiny, "torch": torch.__version__, "cuda": torch.cuda.is_available(),
                    "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}
    report["extraction"] = section("extraction", budget, 20 if tiny else 60, extraction, tiny, 8 if tiny else 64)
    with tempfile.TemporaryDirectory() as tmp:
        data = fold = None
        try:
            device_for(tiny)  # before ~3 GB of random features are made for nothing
            data, fold = paper_data(tiny, n_clips)
        except Skip as s:
            report.update({part: {"skipped": str(s)} for part in ("training", "resume", "baseline")})
        except Exception as err:
            report.update({part: {"error": f"making the features: {type(err).__name__}: {err}"}
                           for part in ("training", "resume", "baseline")})
        if data is not None:
            epochs = 2
            report["training"] = section("training", budget, 30 if tiny else 90, training, "CAMuLeNet", tiny, data,
                                         fold, Path(tmp) / "camulenet", epochs)
            out = Path(tmp) / ("camulenet-b32" if "batch_64" in report["training"] else "camulenet")
            report["resume"] = section("resume", budget, 20 if tiny else 60, resume, tiny, data, fold, out, epochs)
            report["baseline"] = section("baseline", budget, 20 if tiny else 45, training, "Whisper-Base", tiny,
                                         data, fold, Path(tmp) / "baseline", epochs)
    report["gpu_tests"] = section("gpu_tests", budget, 30 if tiny else 60, gpu_tests, tiny,
                                  max(30.0, budget.left() - 10))
    report["predicted"] = predict(report)
    print(json.dumps(report, indent=1, default=str))
    return report


if __name__ == "__main__":
    main()
