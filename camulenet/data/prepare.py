"""The book's corpus and its speaker-independent folds under the settings, each made once.

``ensure_corpus`` loads the corpus the settings name (rendering the synthetic one when it is
missing, fetching an open real one from its publisher: :func:`camulenet.data.fetch.ensure_fetched`,
reading a corpus brought as a CSV from its file) and ``ensure_folds`` deals its speakers into
folds from the seed, saved under a key of everything that decides them (corpus, which clips
and labels, protocol, k, seed) and checked for leaks on every load. A fold file made under
other settings is never read back.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from camulenet.config import LABEL_MAP_FILE, BookSettings, corpus_file, csv_corpus_name, grid_command
from camulenet.data.corpora import LOADERS, load_corpus, load_csv_corpus
from camulenet.data.fetch import ensure_fetched, fetch_command
from camulenet.data.folds import Folds, check_speaker_disjoint, make_folds
from camulenet.data.manifest import balanced_subset, with_durations
from camulenet.data.sources import OPEN, SOURCES
from camulenet.storage.cache_keys import fingerprint
from camulenet.storage.paths import shown


def corpus_root(cfg: BookSettings) -> Path:
    """Where the corpus's files are: ``data/corpora/<name>``, or the folder of its manifest CSV."""
    csv = corpus_file(cfg)
    return csv.parent if csv else cfg.data_root / "corpora" / cfg.corpus


def _synthetic_complete(root: Path) -> bool:
    meta = root / "corpus.json"
    return meta.exists() and bool(json.loads(meta.read_text()).get("complete"))


def ensure_corpus(cfg: BookSettings, fetch: bool = True) -> pd.DataFrame:
    """The manifest of the book's corpus (a speaker-balanced subset when ``cfg.max_clips``);
    renders the synthetic corpus if it is not there, and fetches an open real one (``fetch``,
    unless ``CAMULENET_FETCH=never``; offline, the error names the command to run)."""
    root = corpus_root(cfg)
    if corpus_file(cfg):
        manifest = _csv_corpus(cfg)
    elif cfg.corpus.startswith("synthetic"):
        # The generator needs soundfile and eSpeak NG; a machine that trains a real corpus
        # from stored features needs neither, so it is imported only to render.
        from data_prep.synthetic.generate import check_generator, generate_corpus

        check_generator(root)  # a corpus rendered by other generator code is refused, not reused
        if not _synthetic_complete(root):
            generate_corpus(root, size=cfg.corpus_size, seed=cfg.seed)  # resumes a partial run
        manifest = load_corpus("synthetic", root, strict=True)
    elif cfg.corpus.lower() not in LOADERS:
        raise ValueError(f"unknown corpus {cfg.corpus!r}; known: {sorted(LOADERS)}, or the path of your own "
                         f"corpus's manifest CSV (e.g. ./{cfg.corpus}/manifest.csv; README, 'Bring your own corpus')")
    else:
        if fetch:
            ensure_fetched(cfg.corpus, cfg.data_root)
        manifest = load_corpus(cfg.corpus, root, strict=False)
    if cfg.max_clips:
        manifest = balanced_subset(manifest, cfg.max_clips, seed=cfg.seed).reset_index(drop=True)
    return with_durations(manifest)


def present_manifest(cfg: BookSettings) -> tuple[pd.DataFrame | None, str]:
    """The corpus's manifest when its data is on disk, else None and why, naming the fix;
    never renders anything (looking leaves no trace)."""
    root, csv = corpus_root(cfg), corpus_file(cfg)
    if csv:
        if not csv.is_file():
            return None, f"no manifest CSV at {shown(csv)}: put it back, or leave it out of --corpus"
    elif cfg.corpus.startswith("synthetic"):
        if not _synthetic_complete(root):
            return None, (f"not rendered yet under {shown(root)}: chapter 2 renders it, or "
                          f"`{grid_command(cfg)}` renders and trains it")
    elif not root.is_dir():
        fetchable = cfg.corpus in SOURCES and SOURCES[cfg.corpus].access == OPEN
        how = f"`{fetch_command(cfg.corpus)}` downloads it, or put" if fetchable else "put"
        return None, (f"no data at {shown(root)}: {how} the corpus there in its official layout (or a symbolic "
                      f"link to it), or leave it out of `--corpus`")
    try:
        return ensure_corpus(cfg, fetch=False), ""
    except (OSError, ValueError) as err:  # a refused layout or generator: the loader's message names the fix
        return None, f"its data could not be loaded: {err}"


def _csv_corpus(cfg: BookSettings) -> pd.DataFrame:
    """The manifest of a corpus brought as a CSV, refused when its files changed since the
    settings named it (the name keys every cache: changed content must get its own)."""
    csv = corpus_file(cfg)
    if not csv.is_file():
        raise FileNotFoundError(f"{shown(csv)} not found: the manifest CSV of corpus {cfg.corpus} was moved or "
                                "removed; put it back, or pass its new path as the corpus")
    now = csv_corpus_name(csv)
    if now != cfg.corpus:
        raise ValueError(f"{shown(csv)} or its {LABEL_MAP_FILE} changed (or moved) since these settings named "
                         f"the corpus {cfg.corpus}; it is now {now}. Make the settings again (rerun the notebook "
                         "from its first cell, or the command), so that nothing made from the old files is read")
    return load_csv_corpus(csv, name=cfg.corpus, n_folds=cfg.n_folds if cfg.fold_protocol == "speaker" else None)


def manifest_key(manifest: pd.DataFrame) -> str:
    """Fingerprint of which clips, speakers and labels a manifest holds (not of its paths)."""
    cols = [c for c in ("utt_id", "speaker", "gender", "emotion", "session") if c in manifest.columns]
    return fingerprint(manifest[cols].astype(str).sort_values("utt_id").to_numpy().tolist())


def folds_key(cfg: BookSettings, manifest: pd.DataFrame) -> dict:
    return {"corpus": cfg.corpus, "manifest": manifest_key(manifest), "protocol": cfg.fold_protocol,
            "n_folds": cfg.n_folds, "seed": cfg.seed}


def folds_file(cfg: BookSettings, manifest: pd.DataFrame) -> Path:
    name = f"{cfg.corpus}-{cfg.fold_protocol}-k{cfg.n_folds}-seed{cfg.seed}"
    return cfg.data_root / "folds" / f"{name}-{fingerprint(folds_key(cfg, manifest))}.json"


def ensure_folds(cfg: BookSettings, manifest: pd.DataFrame) -> Folds:
    """Speaker-independent folds (leave-speaker-out, or leave-one-session-out with
    ``cfg.fold_protocol="session"``), made once from the seed and checked on every load."""
    path = folds_file(cfg, manifest)
    if path.exists():
        folds = Folds.from_json(path, by=cfg.fold_protocol)
    else:
        folds = make_folds(manifest, n_folds=cfg.n_folds, seed=cfg.seed, by=cfg.fold_protocol)
        path.parent.mkdir(parents=True, exist_ok=True)
        folds.to_json(path)
    check_speaker_disjoint(folds, manifest)
    return folds
