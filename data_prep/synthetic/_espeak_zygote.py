"""Tiny server that renders each eSpeak request in a fresh fork of itself.

Run as ``python _espeak_zygote.py LIB_PATH DATA_PATH`` by :mod:`.espeak`. It imports
nothing heavy so that a fork costs ~1-2 ms (forking a process that holds numpy,
scipy, pandas... costs tens of ms). The library is initialised once here and never
used for synthesis in this process, so every child starts from the same pristine
libespeak-ng state (its wave generator keeps static state between utterances).

Protocol on stdin/stdout: request = 4-byte little-endian length + JSON; response =
1 status byte (0 ok, 1 error) + 4-byte length + payload (int16 LE samples at 22050 Hz,
or a UTF-8 error message). At start-up one response with an empty payload (ready) or
an error (library could not be initialised) is sent.
"""

import ctypes
import json
import os
import struct
import sys

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
_chunks = []


def _on_samples(wav, numsamples, _events):
    if wav and numsamples > 0:
        _chunks.append(ctypes.string_at(wav, 2 * numsamples))
    return 0


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(f, n):
    data = f.read(n)
    if data is None or len(data) < n:
        return None
    return data


def _respond(out, status, payload):
    out.write(bytes([status]) + struct.pack("<I", len(payload)) + payload)
    out.flush()


def _init(lib_path, data_path):
    lib = ctypes.CDLL(lib_path)
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
    lib.espeak_ng_SetRandSeed.restype = None
    lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                 ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    rate = lib.espeak_Initialize(2, 0, data_path.encode(), 0x8000)  # synchronous, don't exit
    if rate != 22050:
        raise RuntimeError(f"espeak_Initialize returned {rate} (data path {data_path})")
    cb = _CALLBACK(_on_samples)
    lib.espeak_SetSynthCallback(cb)
    return lib, cb


def _render(lib, data_path, req):
    """Runs in the forked child; returns (status, payload)."""
    voice = req["voice"]
    if lib.espeak_SetVoiceByName(voice.encode()) != 0:
        return 1, (f"eSpeak voice {voice!r} cannot be loaded; use a language code such as 'en', "
                   f"'de', 'fr', 'it', 'hi', optionally with a variant from {data_path}/voices/!v "
                   "(e.g. 'en+f3')").encode()
    # rate, volume, pitch, range, punctuation, capitals, word gap
    for param, value in ((1, req["rate"]), (2, 100), (3, req["pitch"]), (4, req["pitch_range"]),
                         (5, 0), (6, 0), (7, req["word_gap"])):
        lib.espeak_SetParameter(param, value, 0)
    lib.espeak_ng_SetRandSeed(req["seed"])
    buf = ctypes.create_string_buffer(req["text"].encode("utf-8"))
    err = lib.espeak_Synth(buf, len(buf), 0, 1, 0, 1, None, None)  # POS_CHARACTER, CHARS_UTF8
    if err != 0:
        return 1, f"espeak_Synth failed with code {err}".encode()
    lib.espeak_Synchronize()
    if not _chunks:
        return 1, f"eSpeak produced no audio for voice {voice!r}, text {req['text'][:40]!r}".encode()
    return 0, b"".join(_chunks)


def main():
    lib_path, data_path = sys.argv[1], sys.argv[2]
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    try:
        lib, _cb = _init(lib_path, data_path)
    except Exception as exc:
        _respond(out, 1, f"cannot initialise libespeak-ng from {lib_path}: {exc}".encode())
        return
    _respond(out, 0, b"")
    can_fork = hasattr(os, "fork")
    while True:
        head = _read_exact(inp, 4)
        if head is None:
            return  # parent closed the pipe
        req = json.loads(_read_exact(inp, struct.unpack("<I", head)[0]).decode("utf-8"))
        if not can_fork:  # one clip per process: the parent starts a new server each time
            _respond(out, *_render(lib, data_path, req))
            return
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                try:
                    status, payload = _render(lib, data_path, req)
                except BaseException as exc:
                    status, payload = 1, f"{type(exc).__name__}: {exc}".encode()
                _write_all(w, bytes([status]) + payload)
            finally:
                os._exit(0)
        os.close(w)
        parts = []
        while True:
            chunk = os.read(r, 1 << 16)
            if not chunk:
                break
            parts.append(chunk)
        os.close(r)
        _, wstatus = os.waitpid(pid, 0)
        data = b"".join(parts)
        if not data:
            _respond(out, 1, f"eSpeak render process died (wait status {wstatus})".encode())
        else:
            _respond(out, data[0], data[1:])


if __name__ == "__main__":
    main()
