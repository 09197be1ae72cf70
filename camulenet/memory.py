"""Peak memory of a piece of work, measured while it runs.

``ru_maxrss`` is the process's peak since it started, so after a large step (loading a
model, extracting features) it says nothing about later, smaller steps. :class:`PeakRSS`
samples the resident set size in a background thread instead, from ``start`` to ``stop``.
"""

from __future__ import annotations

import threading
import time

import psutil


class PeakRSS:
    """``with PeakRSS() as mem: ...`` then ``mem.peak_mb`` (process RSS at its highest while
    the block ran) and ``mem.delta_mb`` (that peak minus the RSS at the start)."""

    def __init__(self, interval: float = 0.02) -> None:
        self.proc, self.interval = psutil.Process(), interval
        self.start_bytes = self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "PeakRSS":
        self.start_bytes = self.peak_bytes = self.proc.memory_info().rss
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_bytes = max(self.peak_bytes, self.proc.memory_info().rss)

    def stop(self) -> "PeakRSS":
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak_bytes = max(self.peak_bytes, self.proc.memory_info().rss)
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
