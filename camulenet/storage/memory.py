"""Peak memory of a piece of work, measured while it runs.

``ru_maxrss`` is the process's peak since it started, so after a large step (loading a
model, extracting features) it says nothing about later, smaller steps. :class:`PeakRSS`
samples the resident set size in a background thread instead, from ``start`` to ``stop``.

RSS also counts pages of memory-mapped feature files that were read (``RssFile``): those
are the kernel's page cache, dropped under pressure, and grow with how much of the corpus
was touched. What the process itself owns is its anonymous memory (``RssAnon``), which
:func:`anon_bytes` reads on Linux (RSS elsewhere) and :class:`PeakRSS` tracks next to RSS.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

import psutil

_STATUS = "/proc/self/status"


def return_freed_memory() -> None:
    """Give the C heap's freed memory back to the system (glibc ``malloc_trim``; a no-op elsewhere).

    Batches of different sizes leave freed blocks in glibc's heap, which it keeps: over ten
    folds in one process, the Whisper-Base baseline's anonymous memory climbed from 0.7 to
    1.0 GB between folds without this, and stayed at 0.3 GB with it.
    """

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)
    except OSError:
        pass


def _status_kb(field: str) -> int | None:
    """A ``kB`` field of /proc/self/status in bytes, or None where there is none (not Linux)."""
    try:
        with open(_STATUS, "rb") as f:
            for line in f:
                if line.startswith(field.encode() + b":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def anon_bytes(proc: psutil.Process | None = None) -> int:
    """Anonymous resident memory (heap, arrays, tensors) of this process: ``RssAnon`` on
    Linux, the whole RSS elsewhere (then it includes file-backed pages)."""
    v = _status_kb("RssAnon")
    return v if v is not None else (proc or psutil.Process()).memory_info().rss


def rss_bytes(proc: psutil.Process | None = None) -> int:
    return (proc or psutil.Process()).memory_info().rss


class PeakRSS:
    """``with PeakRSS() as mem: ...`` then ``mem.peak_mb`` (process RSS at its highest while
    the block ran), ``mem.delta_mb`` (that peak minus the RSS at the start), and the same
    for anonymous memory: ``mem.peak_anon_mb`` and ``mem.delta_anon_mb`` (memory the process
    owns, without the memory-mapped file pages that RSS also counts)."""

    def __init__(self, interval: float = 0.02) -> None:
        self.proc, self.interval = psutil.Process(), interval
        self.start_bytes = self.peak_bytes = 0
        self.start_anon_bytes = self.peak_anon_bytes = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _read(self) -> None:
        self.peak_bytes = max(self.peak_bytes, rss_bytes(self.proc))
        self.peak_anon_bytes = max(self.peak_anon_bytes, anon_bytes(self.proc))

    def start(self) -> "PeakRSS":
        self.start_bytes = self.peak_bytes = rss_bytes(self.proc)
        self.start_anon_bytes = self.peak_anon_bytes = anon_bytes(self.proc)
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self._read()

    def stop(self) -> "PeakRSS":
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._read()
        return self

    __enter__ = start

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def peak_mb(self) -> float:
        return self.peak_bytes / 2**20

    @property
    def delta_mb(self) -> float:
        return (self.peak_bytes - self.start_bytes) / 2**20

    @property
    def peak_anon_mb(self) -> float:
        return self.peak_anon_bytes / 2**20

    @property
    def delta_anon_mb(self) -> float:
        return (self.peak_anon_bytes - self.start_anon_bytes) / 2**20
