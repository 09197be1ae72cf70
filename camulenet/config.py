"""The one settings object (:class:`BookSettings`) and the two profiles that fill it.

Every step, from a notebook's ``parameters`` cell to a grid job on a cluster, reads its
choices from one :class:`BookSettings`, and every cache is keyed by the fields it uses.
``compact`` is the teaching default (CPU, minutes): Whisper-base frames of each clip's own
length, the ``cpu`` mel/MFCC preset, the compact model, schedule and baselines. ``paper`` is
the published configuration: Whisper-Medium frames of 30-s padded windows, the released
mel/MFCC preset, layer sizes, baselines and schedule, mixed precision on a GPU.

Notebooks stay thin: they read their parameters, call :func:`settings`, and hand the
result to package functions. ``smoke=True`` (or ``CAMULENET_SMOKE=1`` in the environment,
which the nbval test run sets) switches every notebook to the small corpus, two folds and
one or two epochs, so the whole book executes in a couple of minutes.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from camulenet.storage.cache_keys import fingerprint
from camulenet.storage.paths import data_root, shown

#: A corpus brought as a CSV ("bring your own corpus", README): the file a folder argument
#: names, and the label map read beside it (format: ``data_prep.loaders.csv_manifest``).
MANIFEST_FILE = "manifest.csv"
LABEL_MAP_FILE = "label_map.csv"
#: How the name of a corpus brought as a CSV begins (:func:`csv_corpus_name`).
CSV_PREFIX = "csv-"


@dataclass(frozen=True)
class Profile:
    name: str
    whisper_model: str    # openai-whisper name (base, medium, large-v3) or a checkpoint path
    whisper_mode: str     # "trimmed": each clip's own frames; "full": 30-s padded, 1500 frames
    feature_preset: str   # camulenet.features.spectral.PRESETS key
    model: str            # CAMuLeNetConfig.<model>()
    schedule: str         # TrainConfig.<schedule>()
    baselines: str        # "compact" (our small 1-D CNN) or "released" (the released layouts)
    max_epochs: int | None  # cap on the schedule's epochs (None: the schedule's own)

    def as_dict(self) -> dict:
        return asdict(self)


PROFILES: dict[str, Profile] = {
    "compact": Profile("compact", whisper_model="base", whisper_mode="trimmed", feature_preset="cpu",
                       model="compact", schedule="compact", baselines="compact", max_epochs=15),
    "paper": Profile("paper", whisper_model="medium", whisper_mode="full", feature_preset="paper",
                     model="paper", schedule="paper", baselines="released", max_epochs=None),
}


#: Clips of a smoke run of the paper profile (``max_clips``).
PAPER_SMOKE_CLIPS = 16


def get_profile(name: str) -> Profile:
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; choose one of {sorted(PROFILES)}")
    return PROFILES[name]


@dataclass(frozen=True)
class BookSettings:
    """Everything that decides what the book computes; each cache is keyed by the fields it uses."""

    smoke: bool
    seed: int
    corpus: str          # a corpus folder under data/corpora, or the name of a CSV corpus (csv-<stem>-<hash8>)
    corpus_size: str     # "default" or "small" for the synthetic generator
    profile: str         # camulenet.config.PROFILES key
    n_folds: int
    fold_protocol: str   # "speaker" (k-fold leave-speaker-out, the paper) or "session" (IEMOCAP)
    max_epochs: int | None  # cap on the schedule's epochs (None: the schedule's own)
    whisper_model: str   # base, medium, large-v3 or a checkpoint path
    whisper_mode: str    # "trimmed" (CPU default) or "full" (the paper's 30 s padding)
    feature_preset: str  # "cpu" or "paper"
    model: str           # "compact" or "paper" (CAMuLeNetConfig)
    schedule: str        # "compact" or "paper" (TrainConfig)
    baselines: str       # "compact" or "released" baseline layouts
    max_clips: int | None   # a speaker-balanced subset of the corpus (smoke runs of the paper profile)
    fold_limit: int | None  # train only the first folds (smoke runs of the paper profile)
    data_root: Path
    #: Corpora whose finished results the book gathers (chapters 5, 6 and 8), the book's own
    #: corpus first. Not part of any cache key: each corpus keeps its own keyed folders.
    corpora: tuple[str, ...] = ()
    #: (name, absolute path of its manifest CSV) for each corpus brought as a CSV file; the
    #: name (:func:`csv_corpus_name`) already carries the files' content into every cache key.
    corpus_files: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        # frozen: set through object.__setattr__; the primary corpus always leads, once
        rest = tuple(c for c in dict.fromkeys(self.corpora) if c != self.corpus)
        object.__setattr__(self, "corpora", (self.corpus, *rest))
        object.__setattr__(self, "corpus_files", tuple(sorted((str(n), str(p)) for n, p in self.corpus_files)))

    def as_dict(self) -> dict:
        d = asdict(self)
        d["data_root"] = str(self.data_root)
        return d



def smoke_requested(smoke: bool) -> bool:
    """True when the notebook parameter or the CAMULENET_SMOKE environment variable asks for it."""
    return bool(smoke) or os.environ.get("CAMULENET_SMOKE", "") == "1"


def settings(smoke: bool = False, seed: int = 0, corpus: str = "synthetic", profile: str = "compact",
             whisper: str | None = None, fold_protocol: str = "speaker", corpora=None,
             **overrides) -> BookSettings:
    """The run settings for the book, full or smoke; ``overrides`` replace single fields.

    ``corpus`` other than ``"synthetic"`` names a real corpus at ``data/corpora/<corpus>``
    in its official layout, or is the path of a corpus brought as a CSV (a manifest CSV, or
    a folder holding ``manifest.csv``; :func:`corpus_csv`), which becomes its short name
    ``csv-<stem>-<hash8>`` (:func:`csv_corpus_name`) with the file kept in ``corpus_files``.
    ``profile`` picks the configuration (``compact`` or ``paper``, see
    :mod:`camulenet.config`); ``whisper`` replaces its Whisper weights by another name
    (``base``, ``medium``, ``large-v3``) or a checkpoint file. Smoke mode keeps the
    profile's configuration but shrinks the data and the schedule (for the paper profile: a
    few clips, one fold, one epoch).

    ``corpora`` names every corpus whose results the book gathers beside the paper (None:
    ``corpus`` alone); ``corpus`` always leads it, and ``"synthetic"`` maps to the smoke
    corpus in smoke mode, as ``corpus`` does.
    """
    prof = get_profile(profile)
    if fold_protocol not in ("speaker", "session"):
        raise ValueError(f"fold_protocol must be 'speaker' or 'session', got {fold_protocol!r}")
    smoke = smoke_requested(smoke)
    files: dict[str, str] = {}
    if corpus != "synthetic":
        overrides = {"corpus": _resolve_corpus(corpus, files), **overrides}
    if whisper:
        overrides = {"whisper_model": _whisper_name(whisper), **overrides}
    common = dict(seed=seed, profile=prof.name, fold_protocol=fold_protocol, whisper_model=prof.whisper_model,
                  whisper_mode=prof.whisper_mode, feature_preset=prof.feature_preset, model=prof.model,
                  schedule=prof.schedule, baselines=prof.baselines, max_clips=None, fold_limit=None)
    if smoke:
        s = BookSettings(smoke=True, corpus="synthetic-small", corpus_size="small", n_folds=2,
                         max_epochs=2, data_root=data_root() / "smoke", **common)
        if prof.name == "paper":  # the released sizes train at a few samples/s on a CPU: the fewest
            # clips that keep two emotions, two languages and every speaker of the smoke corpus
            s = replace(s, max_clips=PAPER_SMOKE_CLIPS, fold_limit=1, max_epochs=1)
    else:
        s = BookSettings(smoke=False, corpus="synthetic", corpus_size="default", n_folds=10,
                         max_epochs=prof.max_epochs, data_root=data_root(), **common)
    s = replace(s, **overrides) if overrides else s
    if isinstance(corpora, (str, os.PathLike)):
        corpora = [corpora]
    names = tuple(_corpus_name(_resolve_corpus(c, files), s) for c in (corpora or ()))
    return replace(s, corpora=names, corpus_files=tuple({**dict(s.corpus_files), **files}.items()))


def _corpus_name(name: str, cfg: BookSettings) -> str:
    """The folder a corpus name means under these settings: the synthetic corpus is
    ``synthetic-small`` in smoke mode (as :func:`settings` maps ``corpus``)."""
    name = str(name).strip()
    if not name:
        raise ValueError("an empty corpus name; pass names such as crema-d, ravdess or synthetic, "
                         "or the path of your own corpus's manifest CSV")
    return "synthetic-small" if (name == "synthetic" and cfg.smoke) else name


def corpus_csv(arg) -> Path | None:
    """The manifest CSV a corpus argument names (absolute), or None when it is a corpus name.

    The one place that tells the two apart: an argument is a path when it ends in ``.csv``,
    holds a path separator or starts with ``.`` or ``~`` (``crema-d`` is a name even beside a
    folder of that name; write ``./crema-d`` for the folder); a folder means its
    ``manifest.csv``. Relative paths are taken from the working directory.
    """
    text = str(arg).strip()
    if not (text.lower().endswith(".csv") or "/" in text or os.sep in text or text.startswith((".", "~"))):
        return None
    path = Path(text).expanduser()
    csv = path / MANIFEST_FILE if path.is_dir() else path
    if not csv.is_file():
        what = f"has no {MANIFEST_FILE}" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"corpus {text!r}: {csv} {what}; pass your corpus's manifest CSV, or a folder "
                                f"holding {MANIFEST_FILE} (format: README, 'Bring your own corpus'), or a corpus "
                                "name such as crema-d")
    return csv.resolve()


def csv_corpus_name(csv) -> str:
    """The short, stable name of a corpus brought as a CSV: ``csv-<stem>-<hash8>``.

    ``stem`` is the CSV's folder (its own stem when it is not ``manifest.csv``); the hash
    covers the CSV's bytes, its label map's and its folder, so that every folder and cache
    key named after the corpus (folds, features, runs) changes when either file is edited
    or the corpus moves: old folds, features or runs are never read for a changed corpus.
    """
    csv = Path(csv).resolve()
    label_map = csv.parent / LABEL_MAP_FILE

    def digest(p: Path):
        return hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None

    key = {"csv": digest(csv), "label_map": digest(label_map), "folder": str(csv.parent)}
    stem = csv.parent.name if csv.name == MANIFEST_FILE else csv.stem
    stem = re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_")[:24] or "corpus"
    return f"{CSV_PREFIX}{stem}-{fingerprint(key, length=8)}"


def is_csv_corpus(name: str) -> bool:
    """True for the name of a corpus brought as a CSV (no loader's corpus is named so)."""
    return str(name).startswith(CSV_PREFIX)


def _resolve_corpus(arg, files: dict[str, str]) -> str:
    """A corpus name as it is, or a CSV corpus's short name (recorded with its file in ``files``)."""
    csv = corpus_csv(arg)
    if csv is None:
        return str(arg)
    name = csv_corpus_name(csv)
    files[name] = str(csv)
    return name


def corpus_file(cfg: BookSettings, name: str | None = None) -> Path | None:
    """The manifest CSV of corpus ``name`` (default ``cfg.corpus``) when it was brought as a CSV, else None."""
    path = dict(cfg.corpus_files).get(name or cfg.corpus)
    return Path(path) if path else None


def default_synthetic(cfg: BookSettings) -> str:
    """The book's own synthetic corpus under these settings (its results always join Table 1 when finished)."""
    return _corpus_name("synthetic", cfg)


def for_corpus(cfg: BookSettings, name: str) -> BookSettings:
    """The settings of another corpus of the same book: profile, Whisper weights, protocol,
    seed and smoke mode unchanged, only the corpus replaced (so its caches are keyed exactly
    as a book, or ``python -m camulenet grid``, on that corpus alone keys them)."""
    name = _corpus_name(name, cfg)
    return replace(cfg, corpus=name, corpora=(name,))


def is_checkpoint_path(whisper: str) -> bool:
    """A file path, not an openai-whisper model name (``base.en`` has a dot but is a name)."""
    return "/" in whisper or os.sep in whisper or whisper.endswith(".pt") or Path(whisper).is_file()


def _whisper_name(whisper: str) -> str:
    """An official name stays as it is; a checkpoint file becomes its absolute path."""
    p = Path(whisper).expanduser()
    if is_checkpoint_path(str(whisper)):
        if not p.is_file():
            raise FileNotFoundError(f"Whisper checkpoint {p} not found; pass an existing .pt file "
                                    f"or a model name (base, medium, large-v3)")
        return str(p.resolve())
    return str(whisper)


def whisper_label(cfg: BookSettings) -> str:
    """Human name of the Whisper weights: Whisper-Base, Whisper-Medium, ... or the checkpoint's file name."""
    name = cfg.whisper_model
    if is_checkpoint_path(name):
        return f"Whisper ({Path(name).name})"
    return "Whisper-" + "-".join(part.capitalize() if part.isalpha() else part for part in name.split("-"))


def grid_command(cfg: BookSettings) -> str:
    """The command line that trains the book's grid on ``cfg.corpus`` alone (for messages)."""
    name = "synthetic" if cfg.corpus == default_synthetic(cfg) else cfg.corpus  # --smoke maps it back
    csv = corpus_file(cfg)
    parts = ["python -m camulenet grid", f"--corpus {shown(csv) if csv else name}", f"--profile {cfg.profile}"]
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
