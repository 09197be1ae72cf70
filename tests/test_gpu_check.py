"""scripts/gpu_check.py, the paper profile's prepared GPU run, rehearsed on the CPU (--tiny)."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_tiny_rehearsal_prints_one_json_object_with_every_part():
    p = subprocess.run([sys.executable, str(ROOT / "scripts" / "gpu_check.py"), "--tiny"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    report = json.loads(p.stdout)  # stdout is the one JSON object; progress goes to stderr
    assert {"tiny", "torch", "cuda", "gpu", "extraction", "training", "resume", "baseline", "gpu_tests",
            "predicted"} <= set(report)
    assert report["tiny"] is True and report["training"]["device"] == "cpu"
    train = report["training"]
    assert {"samples_per_s", "peak_memory_mb", "data_wait_share", "batch_size", "checkpoint_bytes"} <= set(train)
    assert train["batch_size"] == 64 and train["samples_per_s"] > 0 and 0 <= train["data_wait_share"] <= 1
    assert report["resume"]["ok"] is True and report["resume"]["epochs_after"] == 3
    if importlib.util.find_spec("whisper"):
        assert "clips_per_s" in report["extraction"] and report["extraction"]["mode"] == "full"
    else:
        assert "openai-whisper" in report["extraction"]["skipped"]
    tests = report["gpu_tests"]  # on a CPU the gpu tests skip, and say so
    assert tests["returncode"] == 0 and "skipped" in tests["summary"] and "tests/test_training.py" in tests["files"]
    pred = report["predicted"]
    assert "PREDICTED" in pred["note"] and pred["training_hours"] > 0
