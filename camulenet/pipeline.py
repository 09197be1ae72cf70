"""The book's steps, each cached on disk and safe to rerun: what the notebooks call.

Every notebook can run on its own: it asks for what it needs (corpus, folds, features,
results) and each ``ensure_*`` step either loads the finished artefact or makes it, resuming
where an interrupted run stopped. The steps themselves live in their wings and are gathered
here, in the order a chapter uses them:

- the corpus and its folds: :mod:`camulenet.data.prepare`;
- the features: :mod:`camulenet.features.prepare`;
- the MFCC-statistics yardstick on the same folds: :mod:`camulenet.evaluation.sanity_baseline`;
- the training grid's settings, folder and results: :mod:`camulenet.training.runs`;
- training it, through the grid's executors: :func:`ensure_results` (here, above the grid);
- every corpus of the book with finished results: :func:`finished_corpora` (here).

The settings come from :func:`camulenet.config.settings`, and every artefact lives under a key
of the settings that made it (:mod:`camulenet.storage.cache_keys`). A cache made under other
settings is never read back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from camulenet.config import BookSettings, default_synthetic, for_corpus, grid_command
from camulenet.data.folds import Folds
from camulenet.data.prepare import (
    corpus_root,
    ensure_corpus,
    ensure_folds,
    folds_file,
    folds_key,
    manifest_key,
    present_manifest,
)
from camulenet.evaluation.sanity_baseline import mfcc_statistics, reference_results
from camulenet.features.prepare import (
    BOOK_FEATURES,
    ensure_features,
    features_key,
    features_root,
    readable,
    with_features,
)
from camulenet.grid.executors import training_executor
from camulenet.grid.run import run_grid
from camulenet.storage import atomic
from camulenet.storage.cache_keys import keyed_dir
from camulenet.storage.ragged import Ragged
from camulenet.training.runner import collect, train_systems
from camulenet.training.runs import (
    Run,
    book_systems,
    grid_arguments,
    load_run,
    runs_key,
    runs_path,
    runs_root,
    train_config,
    trained_folds,
    wide_results,
)

__all__ = ["BOOK_FEATURES", "CorpusRun", "Run", "book_corpora", "book_systems", "corpus_root", "ensure_corpus",
           "ensure_features", "ensure_folds", "ensure_results", "feature_benchmark", "features_key", "features_root",
           "finished_corpora", "folds_file", "folds_key", "grid_arguments", "load_run", "manifest_key",
           "mfcc_statistics", "readable", "reference_results", "results_with_reference", "runs_key", "runs_root",
           "train_config", "trained_folds", "wide_results", "with_features"]


def feature_benchmark(cfg: BookSettings, manifest: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    """Run (once, then cached as JSON) the feature benchmark (:mod:`camulenet.features.benchmark`)
    on clips of the book's corpus.

    Released-code-style loop vs batched trimmed vs batched full extraction, each phase in
    its own process so its peak memory is its own (in this process in smoke mode, whose
    figures mean nothing: it then takes a few seconds instead of most of a minute).
    """
    # The benchmark loads librosa, openai-whisper and eSpeak NG, which only this step needs.
    from camulenet.features.benchmark import benchmark

    n = n or (2 if cfg.smoke else 12)  # smoke figures mean nothing: the fewest clips that still time each phase
    isolate = not cfg.smoke
    key = {"corpus": cfg.corpus, "n": n, "seed": cfg.seed, "manifest": manifest_key(manifest),  # always Whisper-base
           "isolated": isolate}
    out = keyed_dir(cfg.data_root / "bench", f"features-{cfg.corpus}-n{n}", key) / "features.json"
    if not out.exists():
        sample = manifest.sample(n=min(n, len(manifest)), random_state=cfg.seed)
        payload = benchmark(n=n, manifest=sample, isolate=isolate)
        atomic.write_json(out, payload, indent=2)
    payload = json.loads(out.read_text())
    table = pd.DataFrame(payload["results"]).set_index("phase")
    table.attrs.update({k: v for k, v in payload.items() if k != "results"})
    return table


def ensure_results(cfg: BookSettings, manifest: pd.DataFrame, folds, features: dict[str, Ragged],
                   systems=None) -> Run:
    """Train every system of :func:`book_systems` on every fold (the first ``cfg.fold_limit``
    folds when set), skipping finished ones, through the grid's executors
    (:func:`training_executor`), and load the grid."""
    args = grid_arguments(cfg, manifest, folds, features, systems)
    todo = train_systems(**args, todo_only=True, progress=False)
    if todo:  # run_grid gathers every finished fold of the folder when it ends
        executor, threads = training_executor(cfg, len(todo))
        report = run_grid([cfg], args["systems"], args["fold_indices"], executor=executor, threads=threads)
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
    folds: Folds
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


def book_corpora(cfg: BookSettings) -> list[str]:
    """Every corpus whose results the book gathers: ``cfg.corpora`` and the book's own synthetic corpus."""
    return list(dict.fromkeys([*cfg.corpora, default_synthetic(cfg)]))


def finished_corpora(cfg: BookSettings) -> tuple[list[CorpusRun], list[tuple[str, str]]]:
    """The corpora of the book (:func:`book_corpora`) whose grid under these settings has
    finished results, and (name, reason) for each one left out, the reason naming the fix.

    Only reads: a corpus absent, unrendered or without results is reported, not made, so
    chapters 6 and 8 pick up whatever chapter 5 or ``python -m camulenet grid`` finished.
    """
    found, skipped = [], []
    for name in book_corpora(cfg):
        c = cfg if name == cfg.corpus else for_corpus(cfg, name)
        manifest, why = present_manifest(c)
        if manifest is None:
            skipped.append((name, why))
            continue
        fix = f"run `{grid_command(c)}`, or chapter 5 with this corpus in corpora"
        results = runs_path(c, manifest) / "results.parquet"
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
