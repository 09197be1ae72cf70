"""Scale benchmark: does training memory stay flat as the corpus grows to CREMA-D size?

For synthetic corpora of 1/4, 1/2 and the full size of CREMA-D (91 speakers, 7,442 clips,
6 emotions; durations drawn like CREMA-D's: mean about 2.5 s, 1.3-5 s) it writes random
float16 features of the right shapes through :class:`FeatureStore` shards, then -- in a
fresh subprocess per size x profile, so each peak is its own -- loads them as the book does
(``store.load(name, ids=manifest.utt_id)``: lazy views over memory-mapped shards), builds
``SERData`` over the whole corpus and trains a few batches drawn from across it (plus the
feature-scaling fit when the schedule standardises, or with ``--scaling``).

Profiles:

* ``compact``: the book's CPU default -- trimmed Whisper-base frames (50/s x 512),
  ``whisper_mean`` (1 x 512), MFCC (100/s x 40), mel (100/s x 64);
  ``CAMuLeNetConfig.compact()``, ``TrainConfig.compact()`` (batch 64).
* ``paper``: full Whisper-Medium frames (1500 x 1024, 30-s padding), MFCC padded to the
  corpus's longest clip (501 x 40), mel at the paper preset (1,600 frames/s x 128);
  ``CAMuLeNetConfig.paper(whisper_dim=1024)`` (~280 M parameters), ``TrainConfig.paper()``
  with a small batch (``--paper-batch-size``, default 8).

Disk: full-size paper Whisper frames would take 22 GB. The paper profile therefore writes one
real random shard per feature (plus the last, shorter shard) and makes every other shard a
hard link of the first, each with its own JSON sidecar naming its own clips. The store then
looks like the full corpus to ``load``, but the files share one inode, so the page cache
(and with it RSS's file-backed part) is bounded by one shard: read the peak *anonymous*
memory (``RssAnon``: what the process owns) as the figure that must stay flat. The compact
profile writes every shard for real (about 1.2 GB at full size).

The features are random: this measures memory and throughput, not accuracy. Prints a table
and writes JSON (default ``<data root>/bench/scale.json``); stores are deleted after each
run unless ``--keep``. Rows already in the JSON (same settings) are skipped on a rerun;
``--fresh`` recomputes them.

    python scripts/bench_scale.py [--sizes 0.25 0.5 1] [--profiles compact paper]
                                  [--batches N] [--keep] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import camulenet  # noqa: E402,F401  (first: pins numpy's and torch's CPU code paths, camulenet.storage.numerics)

import numpy as np  # noqa: E402

from camulenet.storage import atomic

CREMA_D = {"clips": 7442, "speakers": 91}
SR = 16000
SPEC_VERSION = 1


# -- what each profile stores -------------------------------------------------------------
def frame_counts(profile: str, seconds: np.ndarray, corpus_max_seconds: float) -> dict[str, tuple[np.ndarray, int]]:
    """Per feature: (frames per clip, feature dim) as the extraction would make them."""
    samples = np.round(np.asarray(seconds) * SR).astype(np.int64)
    hop10 = 1 + samples // 160  # librosa centred frames, hop 10 ms
    if profile == "compact":
        return {"whisper": ((samples // 160 + 1) // 2, 512),  # trimmed: log-mel frames padded to even, halved
                "whisper_mean": (np.ones_like(samples), 512),
                "mfcc": (hop10, 40), "mel": (hop10, 64)}
    if profile == "paper":
        mfcc_frames = 1 + int(round(corpus_max_seconds * SR)) // 160  # padded to the corpus's longest clip
        return {"whisper": (np.full_like(samples, 1500), 1024),
                "mfcc": (np.full_like(samples, mfcc_frames), 40),
                "mel": (1 + samples // 10, 128)}  # hop 10 samples: 1,600 frames/s
    raise ValueError(f"unknown profile {profile!r}; choose compact or paper")


def crema_like_seconds(n: int, rng: np.random.Generator) -> np.ndarray:
    """Clip durations like CREMA-D's (mean about 2.5 s, 1.3-5 s); the first clip is 5 s so
    every corpus pads mel/MFCC to the same corpus-wide maximum."""
    s = np.clip(rng.lognormal(np.log(2.45), 0.22, n), 1.3, 5.0)
    s[0] = 5.0
    return s


def corpus_manifest(frac: float, seed: int):
    import pandas as pd

    from camulenet.data.schema import SIX_EMOTIONS

    n = int(round(CREMA_D["clips"] * frac))
    n_spk = max(2, int(round(CREMA_D["speakers"] * frac)))
    rng = np.random.default_rng(seed)
    spk = np.arange(n) % n_spk
    ids = [f"s{spk[i]:03d}_{i:05d}" for i in range(n)]
    return pd.DataFrame({
        "utt_id": ids, "path": [f"/bench/{u}.wav" for u in ids], "corpus": "bench-scale", "language": "en",
        "speaker": [f"s{s:03d}" for s in spk], "gender": ["female" if s % 2 else "male" for s in spk],
        "emotion": [SIX_EMOTIONS[e] for e in rng.integers(0, len(SIX_EMOTIONS), n)],
        "seconds": crema_like_seconds(n, rng)})


def _plan(n: int, shard_size: int, link: bool) -> list[tuple[int, int, bool]]:
    """(start, stop, written for real?) per shard: with ``link`` every full shard after the
    first is a hard link of the first; the last, shorter one is real."""
    out = []
    for k, start in enumerate(range(0, n, shard_size)):
        stop = min(n, start + shard_size)
        out.append((start, stop, not link or k == 0 or stop - start != shard_size))
    return out


def stored_seconds(seconds: np.ndarray, shard_size: int, link: bool) -> np.ndarray:
    """The durations the store will hold: a linked shard repeats the first shard's clips."""
    secs = np.array(seconds, dtype=np.float64)
    for start, stop, real in _plan(len(secs), shard_size, link):
        if not real:
            secs[start:stop] = secs[:shard_size]
    return secs


def needed_bytes(profile: str, secs: np.ndarray, shard_size: int, link: bool) -> tuple[int, int]:
    """(bytes written, bytes the store appears to hold) of the float16 values."""
    written = logical = 0
    for frames, dim in frame_counts(profile, secs, secs.max()).values():
        per_clip = frames * dim * 2
        logical += int(per_clip.sum())
        written += sum(int(per_clip[a:b].sum()) for a, b, real in _plan(len(secs), shard_size, link) if real)
    return written, logical



def render_store(root: Path, profile: str, frac: float, seed: int, shard_size: int, link: bool,
                 progress: bool = True) -> dict:
    """Write the manifest and random float16 features of one corpus under ``root``.

    Reuses a finished store with the same spec (``spec.json``, written last)."""
    from tqdm.auto import tqdm

    from camulenet.features.store import FeatureStore

    spec = {"version": SPEC_VERSION, "profile": profile, "frac": frac, "seed": seed, "shard_size": shard_size,
            "link": link}
    if (root / "spec.json").is_file() and json.loads((root / "spec.json").read_text()) == spec:
        return spec
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    manifest = corpus_manifest(frac, seed)
    secs = stored_seconds(manifest["seconds"].to_numpy(), shard_size, link)
    manifest = manifest.assign(seconds=secs)
    written, _ = needed_bytes(profile, secs, shard_size, link)
    free = shutil.disk_usage(root).free
    if written + 2**30 > free:
        shutil.rmtree(root)
        raise SystemExit(f"bench_scale: {profile} x {frac:g} needs {written / 1e9:.1f} GB on disk (+1 GB margin) "
                         f"under {root}, only {free / 1e9:.1f} GB free. Free space, pass --root on a larger disk, "
                         f"or run fewer/smaller --sizes.")
    store = FeatureStore(root / "features")
    ids = manifest["utt_id"].tolist()
    plan = _plan(len(ids), shard_size, link)
    names = list(frame_counts(profile, secs[:1], secs.max()))
    rng = np.random.default_rng(seed + 1)
    with tqdm(total=len(plan) * len(names), desc=f"write {profile} x {frac:g}", unit="shard",
              disable=not progress) as bar:
        for k, (start, stop, real) in enumerate(plan):
            counts = frame_counts(profile, secs[start:stop], secs.max())
            for name, (frames, dim) in counts.items():
                d = root / "features" / name
                if real:
                    arrays = [rng.standard_normal((int(t), dim), dtype=np.float32).astype(np.float16) for t in frames]
                    side = store.write_shard(name, ids[start:stop], arrays, dtype="float16")
                    if side.name != f"shard-{k:06d}.json":
                        raise RuntimeError(f"{side}: expected shard {k}; delete {root} and rerun")
                    del arrays
                else:
                    src, dst = d / "shard-000000", d / f"shard-{k:06d}"
                    for suffix in (".values.npy", ".offsets.npy"):
                        os.link(f"{src}{suffix}", f"{dst}{suffix}")
                    meta = json.loads((d / "shard-000000.json").read_text())
                    meta["ids"] = ids[start:stop]  # its own clips, the first shard's frames
                    atomic.write_json(Path(f"{dst}.json"), meta, indent=None)  # the sidecar last: the commit marker
                bar.update(1)
    manifest.to_parquet(root / "manifest.parquet", index=False)
    atomic.write_json(root / "spec.json", spec, indent=None)
    return spec


def disk_bytes(folder: Path) -> tuple[int, int]:
    """(bytes of distinct files, bytes counting every hard link) under ``folder``."""
    seen, unique, logical = set(), 0, 0
    for p in folder.rglob("*"):
        if p.is_file():
            st = p.stat()
            logical += st.st_size
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                unique += st.st_size
    return unique, logical


# -- one measured run (in its own process) ----------------------------------------------------
def worker(root: Path, profile: str, batches: int, batch_size: int, threads: int, seed: int,
           scaling: bool) -> dict:
    """Load the store lazily, build SERData over every clip, train ``batches`` batches (after
    one untimed warm-up batch) drawn from across the corpus; peak memory over all of it.

    samples/s is the batch size over the *median* batch time, and ``samples_per_s_best``
    over the fastest: on a shared machine single batches can take many times longer when
    other jobs compete for the cores (torch's threads then wait for each other)."""
    import pandas as pd
    import torch
    from torch import nn

    from camulenet.features.store import FeatureStore
    from camulenet.model import CAMuLeNetConfig
    from camulenet.storage.memory import PeakRSS, anon_bytes, rss_bytes
    from camulenet.training import SERData, TrainConfig
    from camulenet.training.loss import MultitaskLoss
    from camulenet.training.runner import build_model
    from camulenet.training.seeding import seed_everything

    torch.set_num_threads(threads)
    rng = seed_everything(seed)
    mem = PeakRSS(interval=0.05).start()
    t0 = time.perf_counter()
    manifest = pd.read_parquet(root / "manifest.parquet")
    store = FeatureStore(root / "features")
    feats = {name: store.load(name, ids=manifest["utt_id"]) for name in store.names()}
    data = SERData(feats, manifest)
    load_s = time.perf_counter() - t0
    after_data = {"rss_mb": rss_bytes() / 2**20, "anon_mb": anon_bytes() / 2**20}
    if profile == "compact":
        cfg, model_cfg = TrainConfig.compact(device="cpu"), CAMuLeNetConfig.compact()
    else:
        cfg, model_cfg = TrainConfig.paper(device="cpu"), CAMuLeNetConfig.paper(whisper_dim=1024)
    model = build_model("CAMuLeNet", data, model_cfg)
    keys, lengths = tuple(model.feature_keys), model.required_lengths()
    sc, scaling_s = None, None
    if cfg.standardize or scaling:  # over every clip, streamed clip by clip
        t = time.perf_counter()
        sc = data.fit_scaling(np.arange(len(data)), keys)
        scaling_s = time.perf_counter() - t
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    loss_fn = MultitaskLoss(cfg.emotion_weight, cfg.gender_weight, cfg.loss_constant)
    bs = batch_size or cfg.batch_size
    need = (batches + 1) * bs
    if need > len(data):
        raise SystemExit(f"{batches + 1} batches of {bs} need {need} clips; the corpus has {len(data)}")
    order = rng.permutation(len(data))[:need]  # from across the corpus, every shard
    model.train()
    times = []
    for b in range(batches + 1):
        t = time.perf_counter()
        rows = order[b * bs:(b + 1) * bs]
        batch = data.batch(rows, keys, lengths, "cpu", scaling=sc)
        losses = loss_fn(model(batch), batch["emotion"], batch["gender"])
        optimizer.zero_grad(set_to_none=True)
        losses["total"].backward()
        if cfg.grad_clip:
            nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        optimizer.step()
        times.append(time.perf_counter() - t)  # the first batch warms up allocators and kernels: untimed
    mem.stop()
    med = float(np.median(times[1:]))
    return {"clips": len(data), "speakers": int(manifest["speaker"].nunique()), "batch_size": bs,
            "batches": batches, "samples_per_s": bs / med, "seconds_per_batch": med,
            "samples_per_s_best": bs / float(np.min(times[1:])),
            "batch_seconds": times[1:], "warmup_seconds": times[0], "loadavg_1min": os.getloadavg()[0],
            "peak_rss_mb": mem.peak_mb, "peak_anon_mb": mem.peak_anon_mb,
            "after_data_rss_mb": after_data["rss_mb"], "after_data_anon_mb": after_data["anon_mb"],
            "load_seconds": load_s, "scaling_seconds": scaling_s,
            "n_params": int(sum(p.numel() for p in model.parameters())), "torch_threads": threads,
            "fixed_lengths": {k: int(v) for k, v in data.fixed_lengths.items()},
            "features": {k: {"shape": list(f.feature_shape), "frames": int(f.lengths.sum())} for k, f in feats.items()}}


# -- driver ----------------------------------------------------------------------------
LEGEND = ("feat GB: the features the store holds (every shard counted); written: distinct bytes on disk "
          "(paper: linked shards). peak RSS / peak anon: the run's highest resident / anonymous memory "
          "(anon = what the process owns, without memory-mapped file pages). anon@data: anonymous memory "
          "after loading every feature and building SERData over the whole corpus, before the model. "
          "samples/s: batch size / median batch time (forward, backward, AdamW step); best: / fastest batch. "
          "fit s: seconds of SERData.fit_scaling over every clip, streamed (only with --scaling or a "
          "standardising schedule; compact and paper do not standardise). load: 1-min load average at "
          "the end of the run (other jobs share the cores).")

def format_table(rows: list[dict]) -> str:
    head = (f"{'profile':8} {'size':>5} {'clips':>6} {'spk':>4} {'feat GB':>8} {'written':>8} "
            f"{'peak RSS MB':>12} {'peak anon MB':>13} {'anon@data MB':>13} {'samples/s':>10} {'best':>8} "
            f"{'fit s':>6} {'load':>5}")
    lines = [head, "-" * len(head)]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['profile']:8} {r['size']:>5g}  FAILED: {r['error']}")
            continue
        fit = "-" if r.get("scaling_seconds") is None else f"{r['scaling_seconds']:.0f}"
        lines.append(f"{r['profile']:8} {r['size']:>5g} {r['clips']:>6d} {r['speakers']:>4d} "
                     f"{r['feature_gb_logical']:>8.2f} {r['feature_gb_written']:>8.2f} {r['peak_rss_mb']:>12.0f} "
                     f"{r['peak_anon_mb']:>13.0f} {r['after_data_anon_mb']:>13.0f} {r['samples_per_s']:>10.2f} "
                     f"{r['samples_per_s_best']:>8.2f} {fit:>6} {r['loadavg_1min']:>5.1f}")
    return "\n".join(lines)


def main(argv=None) -> None:
    from camulenet.storage.paths import data_root

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=float, nargs="+", default=[0.25, 0.5, 1.0], help="fractions of CREMA-D")
    ap.add_argument("--profiles", nargs="+", default=["compact", "paper"], choices=["compact", "paper"])
    ap.add_argument("--batches", type=int, default=None, help="timed batches per run (default: compact 20, paper 3)")
    ap.add_argument("--compact-batch-size", type=int, default=None, help="default: TrainConfig.compact() (64)")
    ap.add_argument("--paper-batch-size", type=int, default=8)
    ap.add_argument("--shard-size", type=int, default=256, help="clips per shard (extract_features' default)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scaling", action="store_true", help="also fit the feature scaling over every clip")
    ap.add_argument("--root", type=Path, default=None, help="where stores are written (default <data>/bench/scale)")
    ap.add_argument("--out", type=Path, default=None, help="JSON results (default <data>/bench/scale.json)")
    ap.add_argument("--keep", action="store_true", help="keep the feature stores")
    ap.add_argument("--fresh", action="store_true", help="recompute rows already in the JSON")
    ap.add_argument("--worker", nargs=2, metavar=("STORE", "PROFILE"), help=argparse.SUPPRESS)
    ap.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        root, profile = Path(args.worker[0]), args.worker[1]
        bs = args.compact_batch_size if profile == "compact" else args.paper_batch_size
        res = worker(root, profile, args.batches, bs, args.threads, args.seed, args.scaling)
        atomic.write_json(args.worker_out, res, indent=None)
        return

    out = args.out or data_root() / "bench" / "scale.json"
    store_root = args.root or data_root() / "bench" / "scale"
    out.parent.mkdir(parents=True, exist_ok=True)
    settings = {"shard_size": args.shard_size, "seed": args.seed, "threads": args.threads, "scaling": args.scaling,
                "compact_batch_size": args.compact_batch_size, "paper_batch_size": args.paper_batch_size}
    rows: list[dict] = []
    if out.is_file() and not args.fresh:
        old = json.loads(out.read_text())
        rows = [r for r in old.get("rows", []) if r.get("settings") == settings and "error" not in r]
    t_all = time.perf_counter()
    print(f"bench_scale: sizes {args.sizes} x profiles {args.profiles}; stores under {store_root}; "
          f"torch threads {args.threads}")
    print("paper profile: one real random shard per feature, the other full shards are hard links of it "
          "(own JSON sidecars, own ids): 'feat GB' is what the store holds, 'written' what is on disk.")
    for frac in args.sizes:
        for profile in args.profiles:
            batches = args.batches or (20 if profile == "compact" else 3)
            if any(r["size"] == frac and r["profile"] == profile and r["batches"] == batches for r in rows):
                print(f"{profile} x {frac:g}: already in {out}, skipped (--fresh to redo)")
                continue
            root = store_root / f"{profile}-{frac:g}"
            link = profile == "paper"
            t = time.perf_counter()
            row = {"profile": profile, "size": frac, "batches": batches, "settings": settings, "linked_shards": link}
            try:
                render_store(root, profile, frac, args.seed, args.shard_size, link)
                row["write_seconds"] = time.perf_counter() - t
                written, logical = disk_bytes(root / "features")
                row.update(feature_gb_written=written / 1e9, feature_gb_logical=logical / 1e9)
                res_path = root / "result.json"
                res_path.unlink(missing_ok=True)
                cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(root), profile,
                       "--worker-out", str(res_path), "--batches", str(batches), "--threads", str(args.threads),
                       "--seed", str(args.seed), "--paper-batch-size", str(args.paper_batch_size)]
                if args.compact_batch_size:
                    cmd += ["--compact-batch-size", str(args.compact_batch_size)]
                if args.scaling:
                    cmd.append("--scaling")
                t = time.perf_counter()
                proc = subprocess.run(cmd, capture_output=True, text=True)
                if proc.returncode != 0:
                    raise RuntimeError(f"worker exited {proc.returncode}: {proc.stderr.strip().splitlines()[-1:]}")
                row.update(json.loads(res_path.read_text()), run_seconds=time.perf_counter() - t)
            except (RuntimeError, OSError, ValueError) as err:  # skip and report, go on with the next
                row["error"] = f"{type(err).__name__}: {err}"
            finally:
                if not args.keep and root.exists():
                    shutil.rmtree(root)
            rows.append(row)
            print(format_table([row]).splitlines()[-1], flush=True)
            atomic.write_json(out, {"rows": rows, "note": "paper stores: linked shards (see scripts/bench_scale.py)"}, indent=None)
    if store_root.is_dir() and not any(store_root.iterdir()):
        store_root.rmdir()
    order = {p: i for i, p in enumerate(args.profiles)}
    rows.sort(key=lambda r: (order.get(r["profile"], 9), r["size"]))
    atomic.write_json(out, {"rows": rows, "note": "paper stores: linked shards (see scripts/bench_scale.py)",
                            "legend": LEGEND, "seconds": time.perf_counter() - t_all}, indent=None)
    print()
    print(format_table(rows))
    print(LEGEND)
    print(f"total {time.perf_counter() - t_all:.0f} s; written {out}")
    failed = [r for r in rows if "error" in r]
    if failed:
        print(f"{len(failed)} run(s) failed; see 'error' in {out}")
        sys.exit(1)


if __name__ == "__main__":
    main()
