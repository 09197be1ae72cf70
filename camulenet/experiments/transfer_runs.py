"""Training runs that test transfer: to an unseen language, and to an unseen corpus.

The folds come from :mod:`camulenet.data.transfer_folds`; this module saves them, trains on them
with the book's schedule and model (:func:`camulenet.training.runner.train_systems`) and scores the
MFCC-statistics yardstick of chapter 2 on the same folds, each run in a keyed folder of its
own (``data/runs/<corpus>-<profile>-lolo-<key>``, ``data/runs/<a>-to-<b>-<profile>-cross-corpus-<key>``)
so it never mixes with chapter 5's leave-speaker-out grid.

* :func:`ensure_lolo` -- leave one language out: fold i tests every clip of the i-th language
  and trains on the speakers of all the others. :func:`within_language` scores chapter 5's
  leave-speaker-out predictions per language (the language was seen in training, only the
  speakers were not), and :func:`seen_vs_unseen` puts the two side by side.
* :func:`ensure_cross_corpus` -- train on every speaker of corpus A (a seeded subset of them
  validates), test on every clip of corpus B, both reduced to the emotions they share.
  The two corpora's features stay in their own stores; the run reads them through one
  merged view (:func:`camulenet.storage.ragged.merge_ragged`), copying no frame.
  :func:`cross_corpus_table` does it for every ordered pair of the book's corpora.

Training runs in this process with one torch thread (as one job of the book's grid does,
so the numbers do not depend on the machine's core count); finished folds are reused.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from camulenet.config import BookSettings, default_synthetic, for_corpus
from camulenet.data.folds import Folds, check_speaker_disjoint, fold_ids, restrict_folds
from camulenet.data.prepare import ensure_corpus, manifest_key, present_manifest
from camulenet.data.schema import emotion_order
from camulenet.data.transfer_folds import cross_corpus_split, fold_languages, leave_one_language_out
from camulenet.evaluation.metrics import classification_metrics
from camulenet.evaluation.sanity_baseline import REFERENCE_SYSTEM, fold_results, mfcc_statistics
from camulenet.features.prepare import ensure_features, features_key, readable, with_features
from camulenet.grid.executors import LocalProcesses, log_dir, training_executor
from camulenet.grid.jobs import Job, settings_from_dict
from camulenet.storage.cache_keys import fingerprint, keyed_dir
from camulenet.storage.ragged import Ragged, merge_ragged
from camulenet.training.runner import load_predictions, train_systems
from camulenet.training.runs import book_systems, runs_key, train_config

LANGUAGE = "language"
CROSS = "cross-corpus"
#: Settings that decide the width of every feature: two corpora must agree on them to share a model.
FEATURE_SETTINGS = ("whisper_model", "whisper_mode", "feature_preset")


# --------------------------------------------------------------------------- shared helpers
def _baseline_features(cfg: BookSettings, systems) -> dict[str, str]:
    return {s: k for s, k in book_systems(cfg).items() if k and s in systems}


def _train(cfg: BookSettings, features, manifest, fold_lists, systems, out_dir: Path, cache_key: dict,
           progress: bool, **grid_options):
    """train_systems with the book's schedule, model and seed, one torch thread (train_systems
    restores the caller's thread count)."""

    return train_systems(features=features, manifest=manifest, folds=fold_lists, systems=list(systems),
                         out_dir=out_dir, train_config=train_config(cfg), model_config=cfg.model,
                         seed=cfg.seed, baselines=cfg.baselines,
                         baseline_features=_baseline_features(cfg, systems), cache_key=cache_key,
                         threads=1, progress=progress, **grid_options)


def _lolo_cache_key(cfg: BookSettings) -> dict:
    return {"protocol": LANGUAGE, "features": features_key(cfg)}


def _lolo_job(job: dict) -> dict:
    """One system x held-out language, in a worker process: everything rebuilt from the settings."""

    job = Job.from_dict(job)
    cfg = settings_from_dict(job.settings)
    manifest = ensure_corpus(cfg)
    features = ensure_features(cfg, manifest, progress=False)
    readable, fold_lists, _ = with_features(manifest, ensure_lolo_folds(cfg, manifest), features)
    _train(cfg, features, readable, fold_lists, [job.system], lolo_runs_root(cfg, manifest), _lolo_cache_key(cfg),
           False, fold_indices=[job.fold], collect_results=False)
    return {"job": job.label, "state": "done"}


def _train_in_parallel(cfg: BookSettings, manifest: pd.DataFrame, todo) -> None:
    """The folds left, side by side on the CPU's cores (as chapter 5's grid), when the workers
    can rebuild this very manifest from the settings; otherwise the caller trains them here."""

    executor, _ = training_executor(cfg, len(todo))
    if not isinstance(executor, LocalProcesses):
        return
    if manifest_key(manifest) != manifest_key(ensure_corpus(cfg)):
        return
    jobs = [Job(cfg.as_dict(), system, k, 1).to_dict() for system, k in todo]
    for out in LocalProcesses(log_dir(cfg) / "lolo", workers=executor.workers, threads=1).run(_lolo_job, jobs):
        if not out.ok:
            raise RuntimeError(f"leave-one-language-out {Job.from_dict(out.job).label} failed: {out.value}; "
                               f"log: {out.log}")


def _scores(true, pred) -> dict:
    """WA and UA (mean recall over the emotions present in ``true``), as the runner scores folds."""

    true, pred = np.asarray(true, dtype=str), np.asarray(pred, dtype=str)
    m = classification_metrics(true, pred, emotion_order(np.concatenate([true, pred])))
    return {"wa": m["wa"], "ua": m["ua"]}


def _wa_ua(results_long: pd.DataFrame) -> pd.DataFrame:
    """system, fold, wa, ua from a tidy results table."""
    r = results_long[results_long.metric.isin(["wa", "ua"])]
    return r.pivot_table(index=["system", "fold"], columns="metric", values="value").reset_index().rename_axis(
        columns=None)


def _yardstick(stats: np.ndarray, stats_ids, manifest: pd.DataFrame, fold_lists, seed: int) -> pd.DataFrame:
    """The MFCC-statistics + LR baseline (tidy) on ``fold_lists`` over the clips of ``manifest``
    that have statistics; ``stats`` rows are addressed by ``stats_ids`` (manifest utt_ids)."""

    row = {u: i for i, u in enumerate(stats_ids)}
    ids = manifest["utt_id"].astype(str)
    ok = np.array([u in row and not np.isnan(stats[row[u]]).any() for u in ids], dtype=bool)
    keep = set(ids[ok])
    X = stats[[row[u] for u in ids[ok]]]
    return fold_results(X, manifest[ok].reset_index(drop=True), restrict_folds(fold_lists, keep), seed=seed)


def _load_predictions(out_dir: Path, systems) -> pd.DataFrame:

    p = load_predictions(out_dir)
    return p[p.system.isin(list(systems))].reset_index(drop=True)


def _save_or_check_folds(folds, path: Path, what: str):
    """Write ``folds`` to ``path``, or check that the file there holds the same split."""

    if path.exists():
        saved = Folds.from_json(path, by="speaker")
        if [fold_ids(f) for f in saved.folds] != [fold_ids(f) for f in folds.folds]:
            raise ValueError(f"{path} holds other {what} folds than these settings make (edited by hand, or "
                             "made by other code): delete it to make them afresh")
        return saved
    folds.to_json(path)
    return folds


# --------------------------------------------------------------------------- leave one language out
def lolo_folds_key(cfg: BookSettings, manifest: pd.DataFrame) -> dict:
    return {"corpus": cfg.corpus, "manifest": manifest_key(manifest), "protocol": LANGUAGE,
            "n_val_speakers": None, "seed": cfg.seed}


def lolo_folds_file(cfg: BookSettings, manifest: pd.DataFrame) -> Path:
    name = f"{cfg.corpus}-{LANGUAGE}-seed{cfg.seed}"
    return cfg.data_root / "folds" / f"{name}-{fingerprint(lolo_folds_key(cfg, manifest))}.json"


def corpus_languages(manifest: pd.DataFrame) -> list[str]:
    """The languages of a manifest (sorted); [] without a language column."""
    if LANGUAGE not in manifest.columns:
        return []
    return sorted(set(manifest[LANGUAGE].dropna().astype(str)))


def ensure_lolo_folds(cfg: BookSettings, manifest: pd.DataFrame):
    """Leave-one-language-out folds of the manifest (seeded by ``cfg.seed``), saved once as JSON
    and checked on every load. ValueError when the corpus has fewer than two languages."""

    languages = corpus_languages(manifest)
    if len(languages) < 2:
        have = f"only {languages}" if languages else "no 'language' column"
        raise ValueError(f"leave-one-language-out needs a corpus with at least 2 languages; {cfg.corpus} has "
                         f"{have}, so there is no language to hold out")
    path = lolo_folds_file(cfg, manifest)
    if path.exists():
        folds = Folds.from_json(path, by="speaker")
    else:
        folds = leave_one_language_out(manifest, seed=cfg.seed)
        folds.to_json(path)
    check_speaker_disjoint(folds, manifest)
    return folds


def lolo_runs_key(cfg: BookSettings, manifest: pd.DataFrame) -> dict:
    return {**runs_key(cfg, manifest), "folds": lolo_folds_key(cfg, manifest), "protocol": LANGUAGE}


def lolo_runs_root(cfg: BookSettings, manifest: pd.DataFrame) -> Path:
    return keyed_dir(cfg.data_root / "runs", f"{cfg.corpus}-{cfg.profile}-lolo", lolo_runs_key(cfg, manifest))


@dataclass
class LoloResult:
    """A finished leave-one-language-out run.

    ``table``: one row per held-out language x system (the yardstick included): language,
    fold, system, n_test (test clips), n_train (training + validation clips), wa, ua.
    ``results_long``: the runner's tidy table (system, fold, metric, value) plus the yardstick's.
    ``predictions``: the runner's per-clip predictions (utt_id, fold, system, true, pred, ...).
    ``languages``: per fold, the languages of its train, val and test clips.
    ``dropped``: clips left out because a feature could not be read.
    """

    out_dir: Path
    folds_path: Path
    folds: object  # camulenet.data.folds.Folds, as saved
    table: pd.DataFrame
    results_long: pd.DataFrame
    predictions: pd.DataFrame
    languages: pd.DataFrame
    dropped: list[str] = field(default_factory=list)

    @property
    def wide(self) -> pd.DataFrame:
        """One row per held-out language, columns (metric, system) for WA and UA, plus n_test."""
        w = self.table.pivot_table(index="language", columns="system", values=["wa", "ua"])
        w.insert(0, ("n_test", ""), self.table.groupby("language")["n_test"].first())
        return w


def ensure_lolo(cfg: BookSettings, manifest: pd.DataFrame, features: dict[str, Ragged],
                systems=("CAMuLeNet",), progress: bool = True) -> LoloResult:
    """Train ``systems`` on leave-one-language-out folds (:func:`ensure_lolo_folds`) of the
    readable clips (:func:`camulenet.features.prepare.with_features`) with the book's schedule, model
    and seed, into a keyed run folder of its own (:func:`lolo_runs_root`; finished folds are
    reused), and score the MFCC-statistics yardstick on the same folds.

    ``manifest`` and ``features``: the corpus and features of the book
    (:func:`~camulenet.data.prepare.ensure_corpus`, :func:`~camulenet.features.prepare.ensure_features`).
    Every language is held out once (the first ``cfg.fold_limit`` languages only, in smoke
    runs of the paper profile, as chapter 5's grid trains its first folds). ValueError (naming
    the languages found) for a corpus with fewer than two languages.
    """

    systems = list(systems)
    folds = ensure_lolo_folds(cfg, manifest)
    readable, fold_lists, dropped = with_features(manifest, folds, features)
    fold_lists = fold_lists[:cfg.fold_limit or None]
    out = lolo_runs_root(cfg, manifest)
    todo = _train(cfg, features, readable, fold_lists, systems, out, _lolo_cache_key(cfg), False, todo_only=True)
    if len(todo) > 1:
        _train_in_parallel(cfg, manifest, todo)
    results = _train(cfg, features, readable, fold_lists, systems, out, _lolo_cache_key(cfg), progress)
    stats = mfcc_statistics(cfg, manifest)
    reference = _yardstick(stats, manifest["utt_id"].astype(str).tolist(), readable, fold_lists, cfg.seed)
    results_long = pd.concat([results, reference], ignore_index=True)

    languages = fold_languages(folds, manifest)
    held_out = {i: t[0] for i, t in enumerate(languages["test"])}
    sizes = pd.DataFrame([{"fold": k, "language": held_out[k], "n_test": len(test), "n_train": len(train) + len(val)}
                          for k, (train, val, test) in enumerate(fold_lists)])
    table = _wa_ua(results_long).merge(sizes, on="fold")
    order = {s: i for i, s in enumerate([*systems, REFERENCE_SYSTEM])}
    table = table.assign(_o=table.system.map(order)).sort_values(["language", "_o"]).drop(columns="_o")
    table = table[["language", "fold", "system", "n_test", "n_train", "wa", "ua"]].reset_index(drop=True)
    return LoloResult(out, lolo_folds_file(cfg, manifest), folds, table, results_long,
                      _load_predictions(out, systems), languages, dropped)


def within_language(run_predictions: pd.DataFrame, manifest: pd.DataFrame) -> pd.DataFrame:
    """Per language x system: WA and UA of leave-speaker-out predictions (chapter 5's
    ``Run.predictions``: utt_id, fold, system, true, pred), pooled over the folds -- each
    clip scored by the model that never saw its speaker but did see its language.

    Columns: language, system, n_test, wa, ua. Predictions of clips the manifest lacks are
    left out; ValueError when the manifest has no language column.
    """
    if LANGUAGE not in manifest.columns:
        raise ValueError("within_language needs a 'language' column in the manifest")
    lang = dict(zip(manifest["utt_id"].astype(str), manifest[LANGUAGE].astype(str)))
    p = run_predictions.assign(language=run_predictions["utt_id"].astype(str).map(lang)).dropna(subset=["language"])
    rows = [{"language": language, "system": system, "n_test": len(g), **_scores(g["true"], g["pred"])}
            for (language, system), g in p.groupby(["language", "system"], sort=True)]
    return pd.DataFrame(rows, columns=["language", "system", "n_test", "wa", "ua"])


def seen_vs_unseen(lolo: LoloResult, run_predictions: pd.DataFrame, manifest: pd.DataFrame) -> pd.DataFrame:
    """Per language x system (of both runs): WA/UA when the language was seen in training
    (chapter 5's leave-speaker-out predictions, :func:`within_language`) and when it was
    unseen (leave one language out, scored from its predictions the same way).

    Columns: language, system, n_seen, wa_seen, ua_seen, n_unseen, wa_unseen, ua_unseen,
    wa_drop (seen - unseen).
    """
    seen = within_language(run_predictions, manifest)
    unseen = within_language(lolo.predictions, manifest)
    out = seen.merge(unseen, on=["language", "system"], suffixes=("_seen", "_unseen"))
    out = out.rename(columns={"n_test_seen": "n_seen", "n_test_unseen": "n_unseen"})
    out["wa_drop"] = out["wa_seen"] - out["wa_unseen"]
    return out[["language", "system", "n_seen", "wa_seen", "ua_seen", "n_unseen", "wa_unseen", "ua_unseen",
                "wa_drop"]]


# --------------------------------------------------------------------------- cross corpus
def check_same_features(cfg_a: BookSettings, cfg_b: BookSettings) -> None:
    """ValueError unless the two corpora's features are made with the same settings (profile)."""
    diff = [f"{k}: {getattr(cfg_a, k)!r} ({cfg_a.corpus}) vs {getattr(cfg_b, k)!r} ({cfg_b.corpus})"
            for k in FEATURE_SETTINGS if getattr(cfg_a, k) != getattr(cfg_b, k)]
    if diff:
        raise ValueError("a model trained on one corpus can only be tested on another whose features were "
                         "extracted with the same profile (same feature widths); these differ: " + "; ".join(diff))


def merged_features(features_a: dict[str, Ragged], features_b: dict[str, Ragged], prefixes=None,
                    names=None) -> dict[str, Ragged]:
    """Each feature of both stores in one view (no frame copied, :func:`merge_ragged`).
    ValueError naming the feature when the two widths differ."""
    names = list(names or [k for k in features_a if k in features_b])
    out = {}
    for name in names:
        try:
            out[name] = merge_ragged(features_a[name], features_b[name], prefixes=prefixes)
        except ValueError as err:
            raise ValueError(f"feature {name!r}: {err}") from err
    return out


def cross_corpus_folds_key(cfg_a: BookSettings, manifest_a: pd.DataFrame, cfg_b: BookSettings,
                           manifest_b: pd.DataFrame, merge: dict | None) -> dict:
    return {"train": {"corpus": cfg_a.corpus, "manifest": manifest_key(manifest_a)},
            "test": {"corpus": cfg_b.corpus, "manifest": manifest_key(manifest_b)},
            "merge": dict(sorted((merge or {}).items())), "protocol": CROSS, "n_val_speakers": None,
            "seed": cfg_a.seed}


@dataclass
class CrossCorpusResult:
    """A finished train-on-A, test-on-B run.

    ``table``: one row per system (the yardstick included): train_corpus, test_corpus,
    system, wa, ua, n_test (clips of B), n_train (clips of A, validation included),
    shared_emotions (comma-separated), n_dropped (clips of either corpus outside them).
    ``split``: the :class:`~camulenet.data.transfer_folds.CrossCorpusSplit` (``mapping``: corpus ->
    {original emotion: shared label or None}; ``dropped``: the clips left out and why;
    ``summary()``). ``prefixed``: utt_ids (and speakers) were prefixed with "<corpus>:"
    because the two corpora share some.
    """

    train_corpus: str
    test_corpus: str
    out_dir: Path
    folds_path: Path
    split: object  # camulenet.data.transfer_folds.CrossCorpusSplit
    table: pd.DataFrame
    results_long: pd.DataFrame
    predictions: pd.DataFrame
    unreadable: list[str] = field(default_factory=list)
    prefixed: bool = False

    @property
    def mapping(self) -> dict:
        return self.split.mapping

    @property
    def dropped(self) -> pd.DataFrame:
        return self.split.dropped


def _tagged(manifest: pd.DataFrame, corpus: str, prefix: str, speaker_prefix: str) -> pd.DataFrame:
    m = manifest.copy()
    m["corpus"] = corpus
    m["utt_id"] = prefix + m["utt_id"].astype(str)
    m["speaker"] = speaker_prefix + m["speaker"].astype(str)
    return m


def cross_corpus_run(cfg_a: BookSettings, manifest_a: pd.DataFrame, features_a: dict[str, Ragged],
                     cfg_b: BookSettings, manifest_b: pd.DataFrame, features_b: dict[str, Ragged],
                     systems=("CAMuLeNet",), merge: dict[str, str] | None = None,
                     progress: bool = True) -> CrossCorpusResult:
    """:func:`ensure_cross_corpus` on given manifests and features (e.g. a subset of a corpus)."""

    a, b, systems = cfg_a.corpus, cfg_b.corpus, list(systems)
    if a == b:
        raise ValueError(f"train and test corpus are both {a!r}; chapter 5's folds test within a corpus")
    check_same_features(cfg_a, cfg_b)
    read_a, unread_a = readable(manifest_a, features_a)
    read_b, unread_b = readable(manifest_b, features_b)
    ids_a, ids_b = set(read_a["utt_id"].astype(str)), set(read_b["utt_id"].astype(str))
    prefixed = bool(ids_a & ids_b)
    spk_clash = bool(set(read_a["speaker"].astype(str)) & set(read_b["speaker"].astype(str)))
    pre = (f"{a}:", f"{b}:") if prefixed else ("", "")
    spk = (f"{a}:", f"{b}:") if (prefixed or spk_clash) else ("", "")
    features = merged_features(features_a, features_b, prefixes=pre if prefixed else None)
    both = pd.concat([_tagged(read_a, a, pre[0], spk[0]), _tagged(read_b, b, pre[1], spk[1])], ignore_index=True)
    split = cross_corpus_split(both, a, b, merge=merge, seed=cfg_a.seed)

    folds_key = cross_corpus_folds_key(cfg_a, manifest_a, cfg_b, manifest_b, merge)
    folds_path = cfg_a.data_root / "folds" / f"{a}-to-{b}-{CROSS}-seed{cfg_a.seed}-{fingerprint(folds_key)}.json"
    folds = _save_or_check_folds(split.folds, folds_path, CROSS)
    fold_lists = [fold_ids(f) for f in folds.folds]
    key = {"features": {"train": features_key(cfg_a), "test": features_key(cfg_b)},
           "folds": folds_key, "model": cfg_a.model, "schedule": train_config(cfg_a).identity(),
           "baselines": cfg_a.baselines, "seed": cfg_a.seed, "protocol": CROSS}
    out = keyed_dir(cfg_a.data_root / "runs", f"{a}-to-{b}-{cfg_a.profile}-{CROSS}", key)
    results = _train(cfg_a, features, split.manifest, fold_lists, systems, out,
                     {"protocol": CROSS, "features": key["features"]}, progress)

    stats_a, stats_b = mfcc_statistics(cfg_a, manifest_a), mfcc_statistics(cfg_b, manifest_b)
    stats_ids = ([pre[0] + u for u in manifest_a["utt_id"].astype(str)]
                 + [pre[1] + u for u in manifest_b["utt_id"].astype(str)])
    reference = _yardstick(np.concatenate([stats_a, stats_b]), stats_ids, split.manifest, fold_lists, cfg_a.seed)
    results_long = pd.concat([results, reference], ignore_index=True)

    train, val, test = fold_lists[0]
    table = _wa_ua(results_long)
    order = {s: i for i, s in enumerate([*systems, REFERENCE_SYSTEM])}
    table = table.assign(_o=table.system.map(order)).sort_values("_o").drop(columns=["_o", "fold"])
    table.insert(0, "test_corpus", b)
    table.insert(0, "train_corpus", a)
    table = table.assign(n_test=len(test), n_train=len(train) + len(val), shared_emotions=", ".join(split.labels),
                         n_dropped=len(split.dropped))
    table = table[["train_corpus", "test_corpus", "system", "wa", "ua", "n_test", "n_train", "shared_emotions",
                   "n_dropped"]].reset_index(drop=True)
    return CrossCorpusResult(a, b, out, folds_path, split, table, results_long, _load_predictions(out, systems),
                             unread_a + unread_b, prefixed)


def ensure_cross_corpus(cfg_a: BookSettings, cfg_b: BookSettings, systems=("CAMuLeNet",),
                        merge: dict[str, str] | None = None, progress: bool = True) -> CrossCorpusResult:
    """Train ``systems`` on every speaker of corpus ``cfg_a.corpus`` (validation: a seeded
    subset of its speakers, one per gender) and test on every clip of ``cfg_b.corpus``, both
    reduced to their shared emotions (after the optional ``merge`` relabelling, e.g.
    ``{"excited": "happy"}``); the clips left out and the mapping are in the result.

    Each corpus is loaded and its features extracted as the book does on it alone
    (:func:`~camulenet.data.prepare.ensure_corpus`, :func:`~camulenet.features.prepare.ensure_features`);
    the run reads both stores through one merged view. The schedule, model and seed are
    ``cfg_a``'s; the run folder is keyed by both corpora's features and the split. ValueError
    when the two corpora's features were made with other settings (another profile or
    Whisper), or when they share fewer than two emotions.
    """
    check_same_features(cfg_a, cfg_b)
    data = [_corpus_data(c, progress) for c in (cfg_a, cfg_b)]
    return cross_corpus_run(cfg_a, *data[0], cfg_b, *data[1], systems=systems, merge=merge, progress=progress)


def _corpus_data(cfg: BookSettings, progress: bool, manifest: pd.DataFrame | None = None):
    manifest = ensure_corpus(cfg) if manifest is None else manifest
    return manifest, ensure_features(cfg, manifest, progress=progress)


@dataclass
class CrossCorpusReport:
    """:func:`cross_corpus_table`'s answer.

    ``table``: the rows of every pair's :class:`CrossCorpusResult` table (empty, same
    columns, when fewer than two corpora are present). ``runs``: (train, test) -> result.
    ``skipped``: (corpus or "A -> B", why) for each corpus absent and each pair that could
    not run. ``reason``: why the table is empty ("" when it is not).
    """

    table: pd.DataFrame
    runs: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    reason: str = ""


TABLE_COLUMNS = ["train_corpus", "test_corpus", "system", "wa", "ua", "n_test", "n_train", "shared_emotions",
                 "n_dropped"]


def cross_corpus_table(cfg: BookSettings, systems=("CAMuLeNet",), merge: dict[str, str] | None = None,
                       progress: bool = True) -> CrossCorpusReport:
    """:func:`ensure_cross_corpus` for every ordered pair of the corpora in ``cfg.corpora``
    whose data is present (a synthetic corpus counts when rendered; nothing is rendered or
    downloaded here). A pair that cannot run (fewer than two shared emotions, ...) is
    skipped with its reason."""

    present, skipped = [], []
    for name in cfg.corpora:
        c = cfg if name == cfg.corpus else for_corpus(cfg, name)
        manifest, why = present_manifest(c)
        if manifest is None:
            skipped.append((name, why))
        else:
            present.append((c, manifest))
    if len(present) < 2:
        names = [c.corpus for c, _ in present]
        have = (f"only {names[0]}" if names else "none") + (
            f" of its corpora ({', '.join(cfg.corpora)})" if len(cfg.corpora) > 1 else "")
        first = "synthetic" if cfg.corpus == default_synthetic(cfg) else cfg.corpus  # the option's name for it
        reason = f"Cross-corpus transfer needs two corpora with data, and this build has {have}. " + (
            "Missing: " + "; ".join(f"{name}: {why}" for name, why in skipped) + "." if skipped else
            f"Add a second with `scripts/build_book.py --corpus {first} crema-d` (any two corpora), or with the "
            f"notebooks' `corpora` parameter.")
        return CrossCorpusReport(pd.DataFrame(columns=TABLE_COLUMNS), {}, skipped, reason)
    data = {c.corpus: (c, *_corpus_data(c, progress, m)) for c, m in present}
    runs, tables = {}, []
    for a, b in itertools.permutations([c.corpus for c, _ in present], 2):
        (ca, ma, fa), (cb, mb, fb) = data[a], data[b]
        try:
            res = cross_corpus_run(ca, ma, fa, cb, mb, fb, systems=systems, merge=merge, progress=progress)
        except ValueError as err:
            skipped.append((f"{a} -> {b}", str(err)))
            continue
        runs[(a, b)] = res
        tables.append(res.table)
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=TABLE_COLUMNS)
    reason = "" if tables else "no pair of corpora could run: " + "; ".join(f"{k}: {v}" for k, v in skipped)
    return CrossCorpusReport(table, runs, skipped, reason)


def describe_mapping(result: CrossCorpusResult) -> pd.DataFrame:
    """Per corpus and original emotion: the shared label (or None) and the clips kept/dropped."""
    rows = [{"corpus": c, "emotion_original": e, "shared_label": lab}
            for c, m in result.split.mapping.items() for e, lab in m.items()]
    return pd.DataFrame(rows).merge(result.split.summary(), on=["corpus", "emotion_original"], how="left").fillna(
        {"kept": 0, "dropped": 0}).astype({"kept": int, "dropped": int})


__all__ = ["ensure_lolo", "ensure_lolo_folds", "lolo_folds_file", "lolo_runs_root", "LoloResult", "within_language",
           "seen_vs_unseen", "ensure_cross_corpus", "cross_corpus_run", "cross_corpus_table", "CrossCorpusResult",
           "CrossCorpusReport", "merged_features", "check_same_features", "describe_mapping", "corpus_languages"]
