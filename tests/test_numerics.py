"""The numeric libraries' CPU code paths are pinned before they load, so a toy training gives the
same bits whatever ISA the environment offers them; CAMULENET_NUMERICS=native opts out."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from camulenet import config, pipeline
from camulenet.storage import numerics
from camulenet.storage.paths import REPO_ROOT
from camulenet.training.runs import results_fingerprint, run_fingerprint

#: A toy training (camulenet.training.toy) in a fresh process: it prints a hash of its test
#: predictions. camulenet comes first, as in every route of the book.
TOY_TRAINING = """
import hashlib, tempfile
import camulenet
import torch
from camulenet.model import CAMuLeNet, CAMuLeNetConfig
from camulenet.training import SERData, TrainConfig, train_one_fold
from camulenet.training.toy import speaker_folds, toy_corpus
torch.set_num_threads(1)
feats, manifest = toy_corpus(n_clips=48, n_speakers=6, emotions=("neutral", "angry"), seconds=(0.5, 0.8),
                             whisper_dim=32, signal=0.6, seed=1)
schedule = TrainConfig.compact(epochs=1, batch_size=8, progress=False, lr=1e-3, monitor="val_emotion_loss",
                               patience=None, device="cpu")
with tempfile.TemporaryDirectory() as out:
    fold = train_one_fold(lambda: CAMuLeNet(CAMuLeNetConfig.compact(n_emotions=2, whisper_dim=32)),
                          SERData(feats, manifest), speaker_folds(manifest, n_folds=3)[0], schedule, out)
print(torch.backends.cpu.get_cpu_capability(), hashlib.sha256(fold.predictions.filter(like="prob_")
      .to_numpy().tobytes()).hexdigest())
"""
#: What an AVX-512 CPU and an AVX2 CPU would each pick, set from outside.
WIDE = {"ONEDNN_MAX_CPU_ISA": "AVX512_CORE", "ATEN_CPU_CAPABILITY": "avx512", "MKL_CBWR": "AUTO"}
NARROW = {"ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2"}


def _avx512() -> bool:
    try:
        return "avx512f" in open("/proc/cpuinfo").read()
    except OSError:
        return False


def _train(mode: str, caps: dict) -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in numerics.PINS}
    env.update(caps, CAMULENET_NUMERICS=mode, PYTHONPATH=str(REPO_ROOT))
    out = subprocess.run([sys.executable, "-c", TOY_TRAINING], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    capability, digest = out.stdout.split()
    return capability, digest


@pytest.mark.slow
def test_a_toy_training_gives_the_same_bits_under_any_isa_cap():
    runs = [("portable", WIDE), ("portable", NARROW), ("native", WIDE), ("native", NARROW)]
    with ThreadPoolExecutor(2) as pool:
        (cap_w, wide), (cap_n, narrow), (native_cap, native_w), (_, native_n) = pool.map(lambda r: _train(*r), runs)
    assert wide == narrow  # the pins win over whatever the environment offered
    assert cap_w == cap_n == "AVX2"
    if _avx512():  # the control: unpinned, the caps change the bits, so the equality above is not vacuous
        assert native_cap == "AVX512" and native_w != native_n


def test_pin_sets_every_variable_and_native_sets_none(monkeypatch):
    for name in numerics.PINS:
        monkeypatch.setenv(name, "shell value")
    monkeypatch.setenv("CAMULENET_NUMERICS", "native")
    assert numerics.pin() == {} and os.environ["MKL_CBWR"] == "shell value"
    assert numerics.key() is None and numerics.status()["CAMULENET_NUMERICS"] == "native"
    monkeypatch.setenv("CAMULENET_NUMERICS", "portable")
    with pytest.warns(RuntimeWarning, match="numpy was imported before camulenet"):  # it is, in this process
        numerics.pin()
    assert {k: os.environ[k] for k in numerics.PINS} == numerics.PINS  # the shell's values replaced
    assert numerics.status()["MKL_CBWR"] == "COMPATIBLE"
    monkeypatch.setenv("CAMULENET_NUMERICS", "fast")
    with pytest.raises(ValueError, match="CAMULENET_NUMERICS='fast'.*portable.*native"):
        numerics.mode()


def test_the_mode_joins_the_keys_of_features_and_runs(monkeypatch, tmp_path):
    cfg = config.settings(smoke=True, data_root=tmp_path)
    monkeypatch.setenv("CAMULENET_NUMERICS", "portable")
    portable = pipeline.features_key(cfg)
    monkeypatch.setenv("CAMULENET_NUMERICS", "native")
    native = pipeline.features_key(cfg)
    assert portable["numerics"] == numerics.PINS_VERSION and "numerics" not in native
    assert pipeline.features_root(cfg) != (monkeypatch.setenv("CAMULENET_NUMERICS", "portable")
                                           or pipeline.features_root(cfg))


def test_the_results_fingerprint_sees_every_bit_of_every_score_and_no_timing(tmp_path):
    results = pd.DataFrame({"system": ["A", "A", "B", "B", "A"], "fold": [0, 1, 0, 1, 0],
                            "metric": ["wa", "wa", "wa", "wa", "train_seconds"], "value": [0.5, 0.25, 0.75, 0.5, 3.0]})
    base = results_fingerprint(results)
    assert results_fingerprint(results.sample(frac=1, random_state=1)) == base  # row order does not matter
    assert results_fingerprint(results.assign(value=[0.5, 0.25, 0.75, 0.5, 9.0])) == base  # a timing does not
    one_ulp = results.assign(value=[0.5, 0.25, np.nextafter(0.75, 1), 0.5, 3.0])
    assert results_fingerprint(one_ulp) != base
    assert results_fingerprint(results.assign(system=["A", "A", "C", "C", "A"])) != base
    results.to_parquet(tmp_path / "results.parquet")
    assert run_fingerprint(tmp_path) == {"fingerprint": base, "systems": 2, "folds": 2, "metrics": 1, "values": 4,
                                         "predictions": 0}
    # the same scores from other probabilities (what calibration reads): another fingerprint
    preds = pd.DataFrame({"system": "A", "fold": [0, 1], "utt_id": ["u1", "u2"], "prob_x": [0.6, 0.7],
                          "prob_y": [0.4, 0.3]})
    with_probs = results_fingerprint(results, preds)
    assert with_probs != base and results_fingerprint(results, preds.iloc[::-1]) == with_probs
    assert results_fingerprint(results, preds.assign(prob_x=[0.6, np.nextafter(0.7, 1)])) != with_probs
    preds.to_parquet(tmp_path / "predictions.parquet")
    assert run_fingerprint(tmp_path)["fingerprint"] == with_probs and run_fingerprint(tmp_path)["predictions"] == 2
