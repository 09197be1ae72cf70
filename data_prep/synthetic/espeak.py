"""Minimal ctypes binding to libespeak-ng (from the ``espeakng-loader`` wheel).

Pip-only on purpose: no system eSpeak, no SSML. One call renders one utterance in
synchronous mode, collecting the 22.05 kHz int16 samples through the synth callback,
and resamples them to ``sample_rate`` with a fixed polyphase filter (deterministic).

libespeak-ng keeps global state, and not all of it can be reset through the API (e.g.
the wave generator's static pitch-flutter index and glottal phase carry over from one
utterance to the next, so the same call gives slightly different samples the second
time). To make a clip depend only on its own arguments, the library is loaded and
initialised once in the calling process and never used there; every clip is rendered
in a forked child that starts from that pristine state, sets the voice and *all*
parameters, seeds eSpeak's noise with ``espeak_ng_SetRandSeed`` and pipes the int16
samples back. A fork costs about a millisecond; where ``os.fork`` is missing (Windows)
a fresh spawned process is used instead (slow but equally isolated).
"""

from __future__ import annotations

import ctypes
import os
import threading
from math import gcd

import numpy as np
from scipy.signal import resample_poly

__all__ = ["EspeakError", "synthesize", "list_voices", "ESPEAK_RATE"]

ESPEAK_RATE = 22050  #: native output rate of libespeak-ng

# espeak_AUDIO_OUTPUT / espeak_PARAMETER / flags from speak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_P_RATE, _P_VOLUME, _P_PITCH, _P_RANGE, _P_PUNCTUATION, _P_CAPITALS, _P_WORDGAP = 1, 2, 3, 4, 5, 6, 7
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_EE_OK = 0

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class EspeakError(RuntimeError):
    """libespeak-ng could not be loaded, initialised, or asked to use a voice."""


_lock = threading.RLock()
_state: dict = {}  # lib, callback (kept alive), chunks (current clip), known voices


def _on_samples(wav, numsamples, _events):  # called by eSpeak from inside espeak_Synth
    if wav and numsamples > 0:
        _state["chunks"].append(np.ctypeslib.as_array(wav, shape=(numsamples,)).copy())
    return 0  # 0 = continue synthesis


def _library():
    """Load and initialise libespeak-ng once per process."""
    if "lib" in _state:
        return _state["lib"]
    try:
        import espeakng_loader
    except ImportError as exc:
        raise EspeakError(
            "espeakng-loader is not installed; `pip install espeakng-loader` "
            "(it ships libespeak-ng and espeak-ng-data)") from exc
    lib_path = espeakng_loader.get_library_path()
    data_path = espeakng_loader.get_data_path()
    try:
        lib = ctypes.CDLL(lib_path)
    except OSError as exc:
        raise EspeakError(f"cannot load libespeak-ng from {lib_path}: {exc}") from exc
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetParameter.restype = ctypes.c_int
    lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
    lib.espeak_ng_SetRandSeed.restype = None
    lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                 ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    lib.espeak_Synth.restype = ctypes.c_int
    lib.espeak_Synchronize.restype = ctypes.c_int
    rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), _INITIALIZE_DONT_EXIT)
    if rate <= 0:
        raise EspeakError(f"espeak_Initialize failed (data path {data_path}); "
                          "reinstall espeakng-loader")
    if rate != ESPEAK_RATE:
        raise EspeakError(f"libespeak-ng renders at {rate} Hz, expected {ESPEAK_RATE}")
    cb = _CALLBACK(_on_samples)
    lib.espeak_SetSynthCallback(cb)
    _state.update(lib=lib, callback=cb, chunks=[], data_path=data_path, voice=None)
    return lib


def _set_voice(lib, voice: str) -> None:
    # Always re-select the voice: it also resets voice-dependent state left by the last clip.
    if lib.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
        raise EspeakError(
            f"eSpeak voice {voice!r} cannot be loaded; use a language code such as 'en', 'de', "
            f"'fr', 'it', 'hi', optionally with a variant from {_state['data_path']}/voices/!v "
            "(e.g. 'en+f3')")


def _check(name: str, value: int, lo: int, hi: int) -> int:
    value = int(value)
    if not lo <= value <= hi:
        raise ValueError(f"{name}={value} outside [{lo}, {hi}]")
    return value


def _render_here(text: str, voice: str, rate: int, pitch: int, pitch_range: int, seed: int) -> bytes:
    """Render in *this* process (which must be a throw-away child); raw int16 bytes."""
    lib = _library()
    _set_voice(lib, voice)
    for param, value in ((_P_RATE, rate), (_P_VOLUME, 100), (_P_PITCH, pitch),
                         (_P_RANGE, pitch_range), (_P_PUNCTUATION, 0), (_P_CAPITALS, 0),
                         (_P_WORDGAP, 0)):
        lib.espeak_SetParameter(param, value, 0)
    lib.espeak_ng_SetRandSeed(int(seed) % (2**31))
    _state["chunks"] = []
    buf = ctypes.create_string_buffer(text.encode("utf-8"))
    err = lib.espeak_Synth(buf, len(buf), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
    if err != _EE_OK:
        raise EspeakError(f"espeak_Synth failed with code {err} for text {text[:40]!r}")
    lib.espeak_Synchronize()
    chunks, _state["chunks"] = _state["chunks"], []
    if not chunks:
        raise EspeakError(f"eSpeak produced no audio for voice {voice!r}, text {text[:40]!r}")
    return np.concatenate(chunks).astype("<i2").tobytes()


def _read_all(fd: int) -> bytes:
    parts = []
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)


def _render_forked(args: tuple) -> bytes:
    """Render in a forked child; the parent's library state stays untouched."""
    _library()  # load + initialise once here so children inherit it (never synthesise here)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: render, send status byte + payload, exit without cleanup
        os.close(r)
        try:
            try:
                payload = b"\x00" + _render_here(*args)
            except BaseException as exc:  # report any failure to the parent
                msg = str(exc) if isinstance(exc, EspeakError) else f"{type(exc).__name__}: {exc}"
                payload = b"\x01" + msg.encode("utf-8", "replace")
            view = memoryview(payload)
            while view:
                view = view[os.write(w, view):]
        finally:
            os._exit(0)
    os.close(w)
    try:
        data = _read_all(r)
    finally:
        os.close(r)
        os.waitpid(pid, 0)
    if not data:
        raise EspeakError("eSpeak worker process died without output (crash in libespeak-ng?)")
    if data[:1] != b"\x00":
        raise EspeakError(data[1:].decode("utf-8", "replace"))
    return data[1:]


def _render_spawned(args: tuple) -> bytes:
    import multiprocessing as mp
    with mp.get_context("spawn").Pool(1) as pool:
        try:
            return pool.apply(_render_here, args)
        except EspeakError:
            raise
        except Exception as exc:
            raise EspeakError(str(exc)) from exc


def synthesize(text: str, voice: str = "en", rate: int = 175, pitch: int = 50,
               pitch_range: int = 50, seed: int = 0, sample_rate: int = 16000) -> np.ndarray:
    """Render ``text`` with eSpeak NG; float32 mono in [-1, 1] at ``sample_rate``.

    rate: words per minute (80-450); pitch, pitch_range: eSpeak's 0-100 scales (on top
    of the voice variant's own base pitch); seed: eSpeak's noise generator seed.
    Same arguments -> identical samples, whatever was synthesised before (each call
    runs isolated, see the module docstring). Raises EspeakError on an unknown voice.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("synthesize() needs a non-empty text string")
    args = (text, str(voice), _check("rate", rate, 80, 450), _check("pitch", pitch, 0, 100),
            _check("pitch_range", pitch_range, 0, 100), int(seed))
    with _lock:
        raw = _render_forked(args) if hasattr(os, "fork") else _render_spawned(args)
    x = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if sample_rate != ESPEAK_RATE:
        g = gcd(int(sample_rate), ESPEAK_RATE)
        x = resample_poly(x, int(sample_rate) // g, ESPEAK_RATE // g).astype(np.float32)
    return np.clip(x, -1.0, 1.0)


def list_voices() -> list[str]:
    """Variant names usable after '+' (e.g. 'f3' in 'en+f3')."""
    from pathlib import Path
    _library()
    return sorted(p.name for p in (Path(_state["data_path"]) / "voices" / "!v").iterdir())
