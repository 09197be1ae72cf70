"""Minimal ctypes binding to libespeak-ng (from the ``espeakng-loader`` wheel).

Pip-only on purpose: no system eSpeak, no SSML. One call renders one utterance in
synchronous mode (samples collected by the synth callback) and resamples the
22.05 kHz output to ``sample_rate`` with a fixed polyphase filter (deterministic).

Why a helper process: libespeak-ng keeps global state, and not all of it can be
reset through the API (the wave generator's static pitch-flutter index and glottal
phase carry over between utterances, so the same call gives slightly different
samples the second time). A small server (``_espeak_zygote.py``, one per Python
process, started on first use) initialises the library once and renders every clip
in a fresh fork of itself, starting from the same pristine state. Each call sets
the voice and *all* parameters and seeds eSpeak's noise with
``espeak_ng_SetRandSeed``, so a clip depends only on its own arguments, not on what
was rendered before, in which process, or by how many workers.
"""

from __future__ import annotations

import atexit
import json
import os
import struct
import subprocess
import sys
import threading
from math import gcd
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

__all__ = ["EspeakError", "synthesize", "list_voices", "ESPEAK_RATE"]

ESPEAK_RATE = 22050  #: native output rate of libespeak-ng

_lock = threading.Lock()
_server: dict = {}  # pid (owner process), proc


class EspeakError(RuntimeError):
    """libespeak-ng could not be loaded, initialised, or asked to use a voice."""


def _paths() -> tuple[str, str]:
    try:
        import espeakng_loader
    except ImportError as exc:
        raise EspeakError(
            "espeakng-loader is not installed; `pip install espeakng-loader` "
            "(it ships libespeak-ng and espeak-ng-data)") from exc
    lib_path = espeakng_loader.get_library_path()
    if not Path(lib_path).exists():
        raise EspeakError(f"libespeak-ng not found at {lib_path}; reinstall espeakng-loader")
    try:
        data_path = espeakng_loader.get_data_path()
    except RuntimeError as exc:
        raise EspeakError(f"espeak-ng-data missing: {exc}; reinstall espeakng-loader") from exc
    return lib_path, data_path


def _read_response(proc) -> tuple[int, bytes]:
    head = proc.stdout.read(5)
    if len(head) < 5:
        raise EspeakError("the eSpeak helper process exited unexpectedly "
                          f"(exit code {proc.poll()}); see stderr above")
    status, n = head[0], struct.unpack("<I", head[1:])[0]
    payload = proc.stdout.read(n)
    return status, payload


def _stop_server() -> None:
    proc = _server.pop("proc", None)
    if proc is not None and _server.pop("pid", None) == os.getpid():
        try:
            proc.stdin.close()
            proc.wait(timeout=5)
        except Exception:
            proc.kill()


atexit.register(_stop_server)


def _get_server():
    """This process's helper; a forked child (e.g. a Pool worker) starts its own."""
    if _server.get("pid") == os.getpid() and _server["proc"].poll() is None:
        return _server["proc"]
    _server.clear()  # inherited from a parent process or exited: never share its pipes
    lib_path, data_path = _paths()
    script = Path(__file__).with_name("_espeak_zygote.py")
    proc = subprocess.Popen([sys.executable, "-S", "-u", str(script), lib_path, data_path],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    status, payload = _read_response(proc)
    if status != 0:
        proc.wait()
        raise EspeakError(payload.decode("utf-8", "replace"))
    _server.update(pid=os.getpid(), proc=proc)
    return proc


def _render(req: dict) -> bytes:
    body = json.dumps(req).encode("utf-8")
    with _lock:
        proc = _get_server()
        proc.stdin.write(struct.pack("<I", len(body)) + body)
        proc.stdin.flush()
        status, payload = _read_response(proc)
        if not hasattr(os, "fork"):  # the helper renders one clip and exits (see _espeak_zygote)
            proc.wait()
            _server.clear()
    if status != 0:
        raise EspeakError(payload.decode("utf-8", "replace"))
    return payload


def _check(name: str, value: int, lo: int, hi: int) -> int:
    value = int(value)
    if not lo <= value <= hi:
        raise ValueError(f"{name}={value} outside [{lo}, {hi}]")
    return value


def synthesize(text: str, voice: str = "en", rate: int = 175, pitch: int = 50,
               pitch_range: int = 50, seed: int = 0, sample_rate: int = 16000,
               word_gap: int = 0) -> np.ndarray:
    """Render ``text`` with eSpeak NG; float32 mono in [-1, 1] at ``sample_rate``.

    rate: words per minute (80-450); pitch, pitch_range: eSpeak's 0-100 scales (on top
    of the voice variant's own base pitch); seed: eSpeak's noise generator seed;
    word_gap: extra pause between words in units of 10 ms.
    Same arguments -> identical samples, whatever was synthesised before (each call
    runs isolated, see the module docstring). Raises EspeakError on an unknown voice.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("synthesize() needs a non-empty text string")
    req = dict(text=text, voice=str(voice), rate=_check("rate", rate, 80, 450),
               pitch=_check("pitch", pitch, 0, 100),
               pitch_range=_check("pitch_range", pitch_range, 0, 100),
               seed=int(seed) % (2**31), word_gap=_check("word_gap", word_gap, 0, 100))
    x = np.frombuffer(_render(req), dtype="<i2").astype(np.float32) / 32768.0
    if sample_rate != ESPEAK_RATE:
        g = gcd(int(sample_rate), ESPEAK_RATE)
        x = resample_poly(x, int(sample_rate) // g, ESPEAK_RATE // g).astype(np.float32)
    return np.clip(x, -1.0, 1.0)


def list_voices() -> list[str]:
    """Variant names usable after '+' (e.g. 'f3' in 'en+f3')."""
    return sorted(p.name for p in (Path(_paths()[1]) / "voices" / "!v").iterdir())
