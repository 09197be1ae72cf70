"""How long does ``python -m camulenet fetch ravdess`` take past the network, and how much disk does it
hold at its peak?

Builds a zip the size and shape of RAVDESS's ``Audio_Speech_Actors_01-24.zip`` (24 ``Actor_XX/``
folders of 60 WAVs, about 208 MB, stored uncompressed as the publisher's is), serves it from an
HTTP server on 127.0.0.1, and fetches it with the real RAVDESS source but that URL and the zip's
own md5: download, md5 check, unpacking into the hidden folder and the rename. A thread polls the
size of the data root meanwhile; the peak is the download and the unpacked corpus side by side.
The time is what the machine adds to the network's (the loopback costs next to nothing).

    python scripts/bench_fetch.py [--mb 208] [--json benchmarks/fetch.json]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import json
import os
import sys
import tempfile
import threading
import time
import wave
import zipfile
from dataclasses import replace
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from camulenet.data import fetch
from camulenet.data.sources import SOURCES, Remote


def ravdess_like_zip(path: Path, total_mb: float) -> tuple[int, str]:
    """24 actors x 60 speech clips of 16-bit 48 kHz noise, ``total_mb`` MB in all; (size, md5)."""
    clip_bytes = int(total_mb * 1e6 / 1440)
    frames = os.urandom(clip_bytes - 44)
    names = [f"Actor_{a:02d}/03-01-{e:02d}-{i:02d}-{s:02d}-{r:02d}-{a:02d}.wav" for a in range(1, 25)
             for e in range(1, 9) for i in (1, 2) for s in (1, 2) for r in (1, 2) if not (e == 1 and i == 2)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for k, name in enumerate(names):
            buf = io.BytesIO()
            with wave.open(buf, "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(48000)
                w.writeframes(frames[k:] + frames[:k])
            z.writestr(name, buf.getvalue())
    md5 = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            md5.update(block)
    return path.stat().st_size, "md5:" + md5.hexdigest()


def disk_used(root: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
            except FileNotFoundError:  # renamed or removed between the listing and the stat
                pass
    return total


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Peak(threading.Thread):
    """Polls the disk a folder takes, every ``every`` seconds, and keeps the peak."""

    def __init__(self, root: Path, every: float = 0.05):
        super().__init__(daemon=True)
        self.root, self.every, self.peak, self.halt = root, every, 0, threading.Event()

    def run(self):
        while not self.halt.is_set():
            self.peak = max(self.peak, disk_used(self.root))
            self.halt.wait(self.every)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=208.5, help="archive size in MB (RAVDESS's: 208.5)")
    ap.add_argument("--json", type=Path, help="append this run's figures to a JSON list")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fetch-") as tmp:
        tmp = Path(tmp)
        served, root = tmp / "served", tmp / "data"
        served.mkdir()
        root.mkdir()
        t0 = time.perf_counter()
        size, md5 = ravdess_like_zip(served / "Audio_Speech_Actors_01-24.zip", args.mb)
        print(f"built a {size / 1e6:.1f} MB RAVDESS-shaped zip in {time.perf_counter() - t0:.1f} s")
        handler = functools.partial(_Quiet, directory=str(served))
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/Audio_Speech_Actors_01-24.zip"
        source = replace(SOURCES["ravdess"], files=(Remote(url, "Audio_Speech_Actors_01-24.zip", md5, size),))
        peak = Peak(root)
        peak.start()
        t0 = time.perf_counter()
        target = fetch.fetch_corpus("ravdess", root, source=source, progress=False, out=lambda *a: None)
        seconds = time.perf_counter() - t0
        peak.halt.set()
        peak.join()
        httpd.shutdown()
        unpacked = disk_used(target)
        clips = len(list(target.rglob("*.wav")))
    figures = {"archive_mb": round(size / 1e6, 1), "clips": clips, "fetch_verify_unpack_s": round(seconds, 2),
               "peak_disk_mb": round(peak.peak / 1e6, 1), "unpacked_mb": round(unpacked / 1e6, 1),
               "cpus": os.cpu_count()}
    print(f"fetch + md5 + unpack of {figures['archive_mb']} MB ({clips} clips) from 127.0.0.1: "
          f"{figures['fetch_verify_unpack_s']} s; peak disk under the data root {figures['peak_disk_mb']} MB "
          f"(archive {figures['archive_mb']} MB + unpacked {figures['unpacked_mb']} MB)")
    if args.json:
        runs = json.loads(args.json.read_text()) if args.json.exists() else []
        args.json.write_text(json.dumps(runs + [figures], indent=1) + "\n")


if __name__ == "__main__":
    main()
