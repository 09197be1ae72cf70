"""The book's steps, each cached on disk and safe to rerun.

Every notebook can run on its own: it asks for what it needs (corpus, folds, features,
results) and each ``ensure_*`` function either loads the finished artefact or makes it,
resuming where an interrupted run stopped. The settings come from
:func:`camulenet.book.settings` (full or smoke, compact or paper profile), and every
artefact lives under a key of the settings that made it (:mod:`camulenet.cache_keys`):
features under their corpus, Whisper weights, mode and preset; folds under their corpus,
manifest, protocol, k and seed; runs under all of those plus the model, schedule and
baselines. A cache made under other settings is never read back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from camulenet.book import BookSettings, is_checkpoint_path, whisper_label
from camulenet.cache_keys import file_identity, fingerprint, keyed_dir, keyed_path
from camulenet.paths import shown
from camulenet.ragged import Ragged
from camulenet.training.data import fold_ids

#: Feature names the book's systems read (see camulenet.features.extract).
BOOK_FEATURES = ("whisper", "whisper_mean", "mfcc", "mel")


def corpus_root(cfg: BookSettings) -> Path:
    return cfg.data_root / "corpora" / cfg.corpus


def ensure_corpus(cfg: BookSettings) -> pd.DataFrame:
    """The manifest of the book's corpus (a speaker-balanced subset when ``cfg.max_clips``);
    renders the synthetic corpus if it is not there."""
    from camulenet.corpora import load_corpus
    from camulenet.manifest import balanced_subset, with_durations

    root = corpus_root(cfg)
    if cfg.corpus.startswith("synthetic"):
        from data_prep.synthetic.generate import check_generator, generate_corpus

        check_generator(root)  # a corpus rendered by other generator code is refused, not reused
        meta = root / "corpus.json"
        if not (meta.exists() and json.loads(meta.read_text()).get("complete")):
            generate_corpus(root, size=cfg.corpus_size, seed=cfg.seed)  # resumes a partial run
        manifest = load_corpus("synthetic", root, strict=True)
    else:
        manifest = load_corpus(cfg.corpus, root, strict=False)
    if cfg.max_clips:
        manifest = balanced_subset(manifest, cfg.max_clips, seed=cfg.seed).reset_index(drop=True)
    return with_durations(manifest)


def _manifest_key(manifest: pd.DataFrame) -> str:
    """Fingerprint of which clips, speakers and labels a manifest holds (not of its paths)."""
    cols = [c for c in ("utt_id", "speaker", "gender", "emotion", "session") if c in manifest.columns]
    return fingerprint(manifest[cols].astype(str).sort_values("utt_id").to_numpy().tolist())


def folds_key(cfg: BookSettings, manifest: pd.DataFrame) -> dict:
    return {"corpus": cfg.corpus, "manifest": _manifest_key(manifest), "protocol": cfg.fold_protocol,
            "n_folds": cfg.n_folds, "seed": cfg.seed}


def folds_file(cfg: BookSettings, manifest: pd.DataFrame) -> Path:
    name = f"{cfg.corpus}-{cfg.fold_protocol}-k{cfg.n_folds}-seed{cfg.seed}"
    return cfg.data_root / "folds" / f"{name}-{fingerprint(folds_key(cfg, manifest))}.json"


def ensure_folds(cfg: BookSettings, manifest: pd.DataFrame):
    """Speaker-independent folds (leave-speaker-out, or leave-one-session-out with
    ``cfg.fold_protocol="session"``), made once from the seed and checked on every load."""
    from camulenet.folds import Folds, check_speaker_disjoint, make_folds

    path = folds_file(cfg, manifest)
    if path.exists():
        folds = Folds.from_json(path, by=cfg.fold_protocol)
    else:
        folds = make_folds(manifest, n_folds=cfg.n_folds, seed=cfg.seed, by=cfg.fold_protocol)
        path.parent.mkdir(parents=True, exist_ok=True)
        folds.to_json(path)
    check_speaker_disjoint(folds, manifest)
    return folds


def whisper_key(cfg: BookSettings):
    """The Whisper weights as they enter a cache key: a name, or a checkpoint file's identity."""
    return file_identity(cfg.whisper_model) if is_checkpoint_path(cfg.whisper_model) else cfg.whisper_model


def features_key(cfg: BookSettings) -> dict:
    return {"corpus": cfg.corpus, "whisper": whisper_key(cfg), "whisper_mode": cfg.whisper_mode,
            "feature_preset": cfg.feature_preset, "dtype": "float16", "pooled": ["mean"],
            "subset": [cfg.max_clips, cfg.seed] if cfg.max_clips else None}


def features_root(cfg: BookSettings) -> Path:
    return keyed_dir(cfg.data_root / "features", f"{cfg.corpus}-{cfg.profile}", features_key(cfg))


def ensure_features(cfg: BookSettings, manifest: pd.DataFrame, device=None,
                    progress: bool = True) -> dict[str, Ragged]:
    """Whisper frames, pooled Whisper, MFCC and mel for every readable clip (resumable extraction).

    Clips that could not be read (missing, corrupt, empty or silent) are skipped and reported:
    a warning names them and ``failures.csv`` lists each with its reason and a fix. Training
    and evaluation then use the remaining clips (:func:`with_features`).
    """
    import warnings

    from camulenet.features.extract import extract_features
    from camulenet.features.store import FeatureStore

    root = features_root(cfg)
    extract_features(manifest, root, kinds=("whisper", "mfcc", "mel"), whisper_mode=cfg.whisper_mode,
                     whisper_model=cfg.whisper_model, preset=cfg.feature_preset, pooled=("mean",),
                     device=device, progress=progress)
    store = FeatureStore(root)
    failed = set(store.failures()["utt_id"]) & set(manifest["utt_id"].astype(str))  # failures.csv reads as str
    if failed:
        warnings.warn(f"{len(failed)} of {len(manifest)} clips could not be read and are left out "
                      f"(e.g. {sorted(failed)[:3]}); reasons and fixes: {store.failures_path}", stacklevel=2)
    ids = [u for u in manifest["utt_id"].astype(str) if u not in failed]
    return {name: store.load(name, ids=ids) for name in BOOK_FEATURES}


def with_features(manifest: pd.DataFrame, folds, features: dict[str, Ragged]):
    """The manifest and the folds restricted to clips that have every feature.

    Returns (manifest, list of (train, val, test) utt_id lists, dropped utt_ids); the folds'
    speakers are unchanged, only unreadable clips leave them.
    """
    readable_manifest, dropped = readable(manifest, features)
    return readable_manifest, restrict_folds(folds, set(readable_manifest["utt_id"].astype(str))), dropped


def readable(manifest: pd.DataFrame, features: dict[str, Ragged]) -> tuple[pd.DataFrame, list[str]]:
    """The manifest's clips that have every feature, and the utt_ids of those that do not."""
    have = set.intersection(*(set(map(str, f.ids)) for f in features.values()))
    keep = manifest["utt_id"].astype(str).isin(have)
    return manifest[keep].reset_index(drop=True), manifest.loc[~keep, "utt_id"].astype(str).tolist()


def restrict_folds(folds, keep: set[str]) -> list[tuple[list[str], list[str], list[str]]]:
    """(train, val, test) utt_id lists of each fold with only the clips in ``keep``."""
    return [tuple([u for u in part if u in keep] for part in fold_ids(f)) for f in getattr(folds, "folds", folds)]


def mfcc_statistics(cfg: BookSettings, manifest: pd.DataFrame) -> np.ndarray:
    """MFCC statistics of every clip (the simple baseline of chapters 2 and 6), cached as .npz.

    A clip that cannot be read gets a row of NaN and is named in a warning; the baseline
    leaves such rows out.
    """
    import warnings

    from camulenet.sanity_baseline import mfcc_stats

    ids = np.asarray(manifest["utt_id"].astype(str), dtype=str)  # unicode, not object: loads without pickle
    path = cfg.data_root / "features" / f"{cfg.corpus}-mfcc-stats-{_manifest_key(manifest)}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as z:
            if np.array_equal(z["ids"], ids):
                return z["stats"]
    rows, bad = [], []
    for p in manifest["path"].astype(str):
        try:
            rows.append(mfcc_stats([p])[0])
        except ValueError as err:
            rows.append(None)
            bad.append(str(err))
    width = len(next((r for r in rows if r is not None), np.zeros(0)))
    stats = np.stack([np.full(width, np.nan, np.float32) if r is None else r for r in rows]).astype(np.float32)
    if bad:
        warnings.warn(f"{len(bad)} clips left out of the MFCC-statistics baseline: {bad[:3]}", stacklevel=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, stats=stats, ids=ids)
    return stats


def reference_results(cfg: BookSettings, manifest: pd.DataFrame, folds, transform=None) -> pd.DataFrame:
    """The MFCC-statistics + logistic-regression baseline on the book's folds (tidy results).
    ``transform(stats, manifest)`` may change the statistics of the readable clips first
    (e.g. per-speaker standardisation, chapter 9)."""
    from camulenet.sanity_baseline import fold_results

    stats = mfcc_statistics(cfg, manifest)
    ok = ~np.isnan(stats).any(axis=1)
    kept = manifest[ok].reset_index(drop=True)
    X = stats[ok] if transform is None else transform(stats[ok], kept)
    return fold_results(X, kept, restrict_folds(folds, set(kept["utt_id"].astype(str))), seed=cfg.seed)


def wide_results(results_long: pd.DataFrame) -> pd.DataFrame:
    """One row per system x fold, a column per metric (wa, ua, weighted_f1, ...)."""
    wide = results_long.pivot_table(index=["system", "fold"], columns="metric", values="value")
    return wide.reset_index().rename_axis(columns=None)


def train_config(cfg: BookSettings):
    """The training schedule of the book's grid: the profile's schedule, capped at ``cfg.max_epochs``."""
    from camulenet.training import TrainConfig

    schedule = getattr(TrainConfig, cfg.schedule)
    epochs = schedule().epochs
    return schedule(epochs=min(epochs, cfg.max_epochs or epochs), progress=False)


def selection_text(schedule) -> str:
    """One sentence on which epoch a schedule keeps, true for whatever schedule the profile has."""
    what = {"val_ua": "UA (mean per-class recall)", "val_wa": "accuracy", "val_loss": "total loss",
            "val_emotion_loss": "emotion loss"}
    if schedule.monitor == "last":
        return (f"Training runs all {schedule.epochs} epoch(s) and keeps the last, as the released code "
                f"does; the validation speakers are only watched.")
    text = f"Training keeps the weights of the epoch with the best {what[schedule.monitor]} on the validation speakers"
    if schedule.patience:
        return (text + f" and stops after {schedule.patience} epochs without improvement (at most "
                f"{schedule.epochs}), so folds run for different numbers of epochs.")
    return text + f", out of {schedule.epochs} epoch(s)."


def book_systems(cfg: BookSettings) -> dict[str, str | None]:
    """The book's grid: the three CAMuLeNet variants and the Whisper baseline on the profile's
    own weights (system name -> the feature a baseline reads; None for a CAMuLeNet variant)."""
    from camulenet.runner import VARIANTS

    return {**{name: None for name in VARIANTS}, whisper_label(cfg): "whisper"}


def runs_key(cfg: BookSettings, manifest: pd.DataFrame) -> dict:
    return {"features": features_key(cfg), "folds": folds_key(cfg, manifest), "model": cfg.model,
            "schedule": train_config(cfg).identity(), "baselines": cfg.baselines, "seed": cfg.seed}


def runs_root(cfg: BookSettings, manifest: pd.DataFrame) -> Path:
    return keyed_dir(cfg.data_root / "runs", f"{cfg.corpus}-{cfg.profile}", runs_key(cfg, manifest))


def feature_benchmark(cfg: BookSettings, manifest: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    """Run (once, then cached as JSON) scripts/bench_features.py on clips of the book's corpus.

    Released-code-style loop vs batched trimmed vs batched full extraction, each phase in
    its own process so its peak memory is its own.
    """
    import importlib.util

    from camulenet.paths import REPO_ROOT

    n = n or (6 if cfg.smoke else 24)
    key = {"corpus": cfg.corpus, "n": n, "seed": cfg.seed, "manifest": _manifest_key(manifest)}  # always Whisper-base
    out = keyed_dir(cfg.data_root / "bench", f"features-{cfg.corpus}-n{n}", key) / "features.json"
    if not out.exists():
        spec = importlib.util.spec_from_file_location("bench_features", REPO_ROOT / "scripts" / "bench_features.py")
        bench = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench)
        sample = manifest.sample(n=min(n, len(manifest)), random_state=cfg.seed)
        payload = bench.benchmark(n=n, manifest=sample)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(payload, indent=2) + "\n")
    payload = json.loads(out.read_text())
    table = pd.DataFrame(payload["results"]).set_index("phase")
    table.attrs.update({k: v for k, v in payload.items() if k != "results"})
    return table


@dataclass
class Run:
    """Everything the result chapters read from one finished grid (see camulenet.runner)."""

    out_dir: Path
    results_long: pd.DataFrame  # tidy: system, fold, metric, value
    predictions: pd.DataFrame   # one row per system x test clip
    history: pd.DataFrame       # one row per system x fold x epoch
    fold_info: pd.DataFrame     # one row per system x fold: epochs, seconds, samples/s, memory

    @property
    def results(self) -> pd.DataFrame:
        """Wide: one row per system x fold, a column per metric (wa, ua, weighted_f1, ...)."""
        return wide_results(self.results_long)

    @property
    def seconds(self) -> float:
        return float(self.fold_info["train_seconds"].sum())

    @property
    def throughput(self) -> pd.DataFrame:
        g = self.fold_info.groupby("system", sort=False)
        return pd.DataFrame({"folds": g.size(), "epochs (mean)": g["epochs_run"].mean().round(1),
                             "train minutes": (g["train_seconds"].sum() / 60).round(2),
                             "samples/s": g["samples_per_s"].mean().round(0),
                             "peak process memory (MB)": g["peak_memory_mb"].max().round(0),
                             "rise during training (MB)": g["memory_rise_mb"].max().round(0),
                             "peak anonymous memory (MB)": g["peak_anon_mb"].max().round(0),
                             "parameters": g["n_params"].first()})

    def test_embeddings(self, system: str) -> tuple[list[str], np.ndarray]:
        """Test-clip embeddings of every fold, each clip embedded by the model that never saw its speaker."""
        from camulenet.runner import load_embeddings

        ids, parts = [], []
        for k in sorted(self.fold_info.loc[self.fold_info.system == system, "fold"]):
            emb, emb_ids = load_embeddings(self.out_dir, system, int(k))
            ids += emb_ids
            parts.append(emb)
        if not parts:
            raise FileNotFoundError(f"no finished folds of {system!r} under {self.out_dir}")
        return ids, np.concatenate(parts)


def load_run(cfg: BookSettings, manifest: pd.DataFrame, systems=None) -> Run:
    """The finished folds of ``systems`` (default: the book's Table 1 systems,
    :func:`book_systems`) in the grid of the book's settings (run chapter 5, or
    ensure_results, first). The folder may hold other systems too (chapter 10's): each
    chapter reads its own."""
    from camulenet.runner import load_histories, load_predictions, load_results, slug

    out = runs_root(cfg, manifest)
    keep = list(systems or book_systems(cfg))
    results = load_results(out)
    results = results[results.system.isin(keep)].reset_index(drop=True)
    rows = []
    for system in results.system.unique():
        for done in sorted((out / "systems" / slug(system)).glob("fold_*/done.json")):
            info = json.loads(done.read_text())
            rows.append({"system": system, "fold": int(done.parent.name.split("_")[1]),
                         **{k: info.get(k) for k in ("epochs_run", "best_epoch", "train_seconds",
                                                     "samples_per_s", "peak_memory_mb", "memory_rise_mb",
                                                     "peak_anon_mb",
                                                     "n_params", "device")}})
    info = pd.DataFrame(rows)
    numeric = [c for c in info.columns if c not in ("system", "fold", "device")]
    info[numeric] = info[numeric].apply(pd.to_numeric)  # figures an older run lacks become NaN
    mine = lambda table: table[table.system.isin(keep)].reset_index(drop=True)  # noqa: E731
    return Run(out, results, mine(load_predictions(out)), mine(load_histories(out)), info)


def trained_folds(cfg: BookSettings, n_folds: int) -> list[int]:
    """The folds the book's grid trains: all, or the first ``cfg.fold_limit`` (smoke runs of the paper profile)."""
    return list(range(min(cfg.fold_limit or n_folds, n_folds)))


def grid_arguments(cfg: BookSettings, manifest: pd.DataFrame, folds, features: dict[str, Ragged],
                   systems=None) -> dict:
    """The keyword arguments of :func:`camulenet.runner.run_grid` for the book's grid: the one
    definition shared by chapter 5 and ``python -m camulenet grid``, so both train into (and
    read from) the same keyed run folder."""
    grid = book_systems(cfg)
    readable, fold_lists, _ = with_features(manifest, folds, features)
    ks = trained_folds(cfg, len(fold_lists))
    return dict(features=features, manifest=readable, folds=fold_lists, systems=list(systems or grid),
                out_dir=runs_root(cfg, manifest), train_config=train_config(cfg), model_config=cfg.model,
                baselines=cfg.baselines, baseline_features={s: k for s, k in grid.items() if k}, seed=cfg.seed,
                fold_indices=ks)


def training_executor(cfg: BookSettings, n_jobs: int):
    """(executor, torch threads per job) for the book's grid on this machine.

    On a CPU: one single-threaded worker process per core. The profile of a compact training
    step is dominated by the MFCC GRU's many small sequential steps, which a second thread
    hardly speeds up, so folds side by side train faster than one fold on all cores; and one
    thread per job makes the numbers independent of the machine's core count. On a GPU: the
    jobs run one after another in this process.
    """
    import torch

    from camulenet.executors import InProcess, LocalProcesses
    from camulenet.grid import log_dir
    from camulenet.runner import available_cpus

    if torch.cuda.is_available():
        return InProcess(log_dir(cfg)), None
    workers = max(1, min(available_cpus(), n_jobs))
    return (LocalProcesses(log_dir(cfg), workers=workers, threads=1) if workers > 1 else InProcess(log_dir(cfg))), 1


def ensure_results(cfg: BookSettings, manifest: pd.DataFrame, folds, features: dict[str, Ragged],
                   systems=None) -> Run:
    """Train every system of :func:`book_systems` on every fold (the first ``cfg.fold_limit``
    folds when set), skipping finished ones, through the grid's executors
    (:func:`training_executor`), and load the grid."""
    from camulenet import grid
    from camulenet.runner import collect, run_grid

    args = grid_arguments(cfg, manifest, folds, features, systems)
    todo = run_grid(**args, todo_only=True, progress=False)
    if todo:  # grid.run gathers every finished fold of the folder when it ends
        executor, threads = training_executor(cfg, len(todo))
        report = grid.run([cfg], args["systems"], args["fold_indices"], executor=executor, threads=threads)
        if report.counts.get("failed"):
            raise RuntimeError(f"training failed:\n{report}")
    else:
        collect(args["out_dir"])  # every finished fold of every system in the folder; load_run picks its own
    return load_run(cfg, manifest, args["systems"])


# --------------------------------------------------------------------------- several corpora
@dataclass
class CorpusRun:
    """One corpus of the book with a finished grid: its settings, data and results."""

    name: str
    settings: BookSettings
    manifest: pd.DataFrame
    folds: object  # camulenet.folds.Folds
    run: Run

    @property
    def expected(self) -> int:
        """System-fold pairs the book's grid has on this corpus (the first ``fold_limit`` folds when set)."""
        return len(book_systems(self.settings)) * len(trained_folds(self.settings, len(self.folds.folds)))

    @property
    def finished(self) -> int:
        return len(self.run.fold_info)

    @property
    def complete(self) -> bool:
        return self.finished >= self.expected


def grid_command(cfg: BookSettings) -> str:
    """The command line that trains the book's grid on ``cfg.corpus`` alone (for messages)."""
    from camulenet.book import default_synthetic
    from camulenet.profiles import PROFILES

    name = "synthetic" if cfg.corpus == default_synthetic(cfg) else cfg.corpus  # --smoke maps it back
    parts = ["python -m camulenet grid", f"--corpus {name}", f"--profile {cfg.profile}"]
    if cfg.whisper_model != PROFILES[cfg.profile].whisper_model:
        flag = "--whisper-checkpoint" if is_checkpoint_path(cfg.whisper_model) else "--whisper-model"
        parts.append(f"{flag} {cfg.whisper_model}")
    if cfg.fold_protocol != "speaker":
        parts.append(f"--fold-protocol {cfg.fold_protocol}")
    if cfg.seed:
        parts.append(f"--seed {cfg.seed}")
    if cfg.smoke:
        parts.append("--smoke")
    return " ".join(parts)


def book_corpora(cfg: BookSettings) -> list[str]:
    """Every corpus whose results the book gathers: ``cfg.corpora`` and the book's own synthetic corpus."""
    from camulenet.book import default_synthetic

    return list(dict.fromkeys([*cfg.corpora, default_synthetic(cfg)]))


def _present_manifest(cfg: BookSettings) -> tuple[pd.DataFrame | None, str]:
    """The corpus's manifest when its data is on disk, else None and why; never renders anything."""
    root = corpus_root(cfg)
    if cfg.corpus.startswith("synthetic"):
        meta = root / "corpus.json"
        if not (meta.exists() and json.loads(meta.read_text()).get("complete")):
            return None, (f"not rendered yet under {shown(root)}: chapter 2 renders it, or "
                          f"`{grid_command(cfg)}` renders and trains it")
    elif not root.is_dir():
        return None, (f"no data at {shown(root)}: put the corpus there in its official layout (or a symbolic "
                      f"link to it), or leave it out of --corpus")
    try:
        return ensure_corpus(cfg), ""
    except (OSError, ValueError) as err:  # a refused layout or generator: the loader's message names the fix
        return None, f"its data could not be loaded: {err}"


def _runs_path(cfg: BookSettings, manifest: pd.DataFrame) -> Path:
    """Where :func:`runs_root` keeps this grid, without creating the folder (looking leaves no trace)."""
    return keyed_path(cfg.data_root / "runs", f"{cfg.corpus}-{cfg.profile}", runs_key(cfg, manifest))


def finished_corpora(cfg: BookSettings) -> tuple[list[CorpusRun], list[tuple[str, str]]]:
    """The corpora of the book (:func:`book_corpora`) whose grid under these settings has
    finished results, and (name, reason) for each one left out, the reason naming the fix.

    Only reads: a corpus absent, unrendered or without results is reported, not made, so
    chapters 6 and 8 pick up whatever chapter 5 or ``python -m camulenet grid`` finished.
    """
    from camulenet.book import for_corpus

    found, skipped = [], []
    for name in book_corpora(cfg):
        c = cfg if name == cfg.corpus else for_corpus(cfg, name)
        manifest, why = _present_manifest(c)
        if manifest is None:
            skipped.append((name, why))
            continue
        fix = f"run `{grid_command(c)}`, or chapter 5 with this corpus in corpora"
        results = _runs_path(c, manifest) / "results.parquet"
        if not results.exists():
            skipped.append((name, f"no results under these settings yet: {fix}"))
            continue
        if pd.read_parquet(results).empty:  # a grid started but no fold finished (no predictions yet)
            skipped.append((name, f"its grid has no finished fold yet: {fix}"))
            continue
        run = load_run(c, manifest)
        found.append(CorpusRun(name, c, manifest, ensure_folds(c, manifest), run))
    return found, skipped


def results_with_reference(entry: CorpusRun) -> pd.DataFrame:
    """A corpus's tidy results with the MFCC-statistics baseline of chapter 2 on the same folds."""
    ref = reference_results(entry.settings, entry.manifest, entry.folds)
    return pd.concat([entry.run.results_long, ref], ignore_index=True)


def corpora_table(found: list[CorpusRun], skipped: list[tuple[str, str]]) -> pd.DataFrame:
    """One row per corpus of the book: clips, speakers, emotions, folds and finished system-fold
    runs of those with results; the reason, and its fix, for those without."""
    rows = [{"corpus": e.name, "clips": len(e.manifest), "speakers": e.manifest["speaker"].nunique(),
             "emotions": e.manifest["emotion"].nunique(), "folds": len(e.folds.folds),
             "system-fold runs": f"{e.finished} of {e.expected}",
             "status": "finished" if e.complete else "partial: the grid is still running or was stopped"}
            for e in found]
    rows += [{"corpus": name, "system-fold runs": "none", "status": why} for name, why in skipped]
    table = pd.DataFrame(rows, columns=["corpus", "clips", "speakers", "emotions", "folds", "system-fold runs",
                                        "status"]).set_index("corpus")
    return table.astype({c: "Int64" for c in ("clips", "speakers", "emotions", "folds")})
