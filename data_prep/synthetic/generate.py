"""Driver: plan the clips, render them in parallel (resumable), write the manifest."""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf
from tqdm.auto import tqdm

from camulenet.data.schema import MANIFEST_COLUMNS
from camulenet.storage import atomic, paths

from .emotions import EMOTIONS
from .render import SAMPLE_RATE, render_clip
from .sentences import LANGUAGES, SENTENCES
from .speakers import Speaker, make_speaker, stable_int

GENERATOR_VERSION = "1.0"
CORPUS = "synthetic"

#: The modules whose code decides the audio and the manifest. Their source text (and the
#: eSpeak NG package version) fingerprint a corpus, so that a corpus rendered by other code
#: is refused, not silently reused or mixed with new clips.
_AUDIO_MODULES = ("_espeak_zygote", "emotions", "espeak", "generate", "render", "sentences", "speakers")


def generator_fingerprint() -> str:
    """Short hash of the generator's code and of the eSpeak NG package it drives."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256(GENERATOR_VERSION.encode())
    for name in _AUDIO_MODULES:
        h.update((Path(__file__).parent / f"{name}.py").read_bytes())
    try:
        h.update(version("espeakng-loader").encode())
    except PackageNotFoundError:
        pass
    return h.hexdigest()[:16]


def check_generator(out_dir) -> None:
    """Raise if ``out_dir`` holds a corpus (or part of one) rendered by other generator code."""
    meta_path = Path(out_dir) / "corpus.json"
    if not meta_path.exists():
        return
    try:
        made_by = json.loads(meta_path.read_text()).get("generator_fingerprint")
    except json.JSONDecodeError as err:
        raise ValueError(f"{meta_path} is not valid JSON ({err}); delete {out_dir} to regenerate the corpus") from None
    if made_by != generator_fingerprint():
        raise ValueError(
            f"{out_dir} was rendered by another version of the synthetic-corpus generator "
            f"(fingerprint {made_by}, this code {generator_fingerprint()}). Delete it, and the features, "
            f"folds and runs made from it (data/features/, data/folds/, data/runs/ entries named after "
            f"{Path(out_dir).name}), then run again to regenerate")

#: size -> (languages, speakers per gender per language, sentence indices)
SIZES = {
    # 5 x 8 x 6 emotions x 3 = 720 clips: 18 per speaker, 40 speakers, so that ten folds of
    # eight systems train in minutes on two cores (six sentences, 1,440 clips, took twice as long)
    "default": (LANGUAGES, 4, (0, 1, 2)),
    "small": (("en", "de"), 2, (0, 1, 2)),  # 2 x 4 x 6 x 3 = 144 clips (a subset of default)
}

MANIFEST_EXTRA = ("sentence", "duration", "sentence_id", "voice", "acting_style",
                  "rate_wpm", "pitch", "pitch_range", "exclaim")


@dataclass(frozen=True)
class ClipSpec:
    utt_id: str
    relpath: str
    speaker: Speaker
    emotion: str
    sentence_id: int
    text: str
    clip_seed: int


def plan(size: str = "default", seed: int = 0) -> list[ClipSpec]:
    """Every clip of a corpus, in a fixed order; each clip is independent of the others."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of {sorted(SIZES)}")
    languages, per_gender, sentence_ids = SIZES[size]
    specs = []
    for lang in languages:
        for gender in ("female", "male"):
            for idx in range(1, per_gender + 1):
                spk = make_speaker(lang, gender, idx, seed)
                for emotion in EMOTIONS:
                    for s in sentence_ids:
                        utt = f"{spk.speaker}_{emotion}_s{s}"
                        specs.append(ClipSpec(
                            utt_id=utt, relpath=f"wav/{lang}/{spk.speaker}/{utt}.wav",
                            speaker=spk, emotion=emotion, sentence_id=s,
                            text=SENTENCES[lang][s],
                            clip_seed=stable_int("clip", seed, utt)))
    return specs


def _render_one(job: tuple[ClipSpec, str]) -> tuple[str, float, dict | None, str | None]:
    """Render and write one clip unless it exists; (utt_id, duration, info, error)."""
    spec, out_dir = job
    path = Path(out_dir) / spec.relpath
    try:
        # The realised settings are cheap to recompute, so a resumed run still reports them.
        pcm, info = render_clip(spec.speaker, spec.emotion, spec.text, spec.clip_seed) \
            if not path.exists() else (None, None)
        if pcm is None:
            return spec.utt_id, sf.info(str(path)).duration, None, None
        with atomic.replacing(path, suffix=".wav") as tmp:  # an interrupted run never leaves a half clip
            sf.write(str(tmp), pcm, SAMPLE_RATE, subtype="PCM_16")
        return spec.utt_id, len(pcm) / SAMPLE_RATE, info, None
    except Exception as exc:  # skip-and-report, never silently drop
        return spec.utt_id, float("nan"), None, f"{type(exc).__name__}: {exc}"


def _settings(spec: ClipSpec) -> dict:
    """Recompute a clip's realised settings without audio (for clips skipped on resume)."""
    from .emotions import clip_deltas
    rng = np.random.default_rng(spec.clip_seed)
    d = clip_deltas(spec.speaker.style, spec.emotion, rng)
    spk = spec.speaker
    return dict(rate_wpm=round(float(np.clip(spk.rate * np.exp(d["rate"]), 90, 360)), 1),
                pitch=int(np.clip(round(spk.pitch + d["pitch"]), 0, 100)),
                pitch_range=int(np.clip(round(spk.pitch_range + d["range"]), 0, 100)),
                exclaim=bool(rng.random() < float(np.clip(d["exclaim"], 0, 1))))


def render_specs(specs: list[ClipSpec], out_dir: Path, workers: int | None = None,
                 progress: bool = True) -> dict[str, tuple[float, dict | None, str | None]]:
    out_dir = Path(out_dir)
    workers = max(1, int(workers or os.cpu_count() or 1))
    jobs = [(s, str(out_dir)) for s in specs]
    results = {}
    bar = tqdm(total=len(jobs), desc="synthetic corpus", unit="clip", disable=not progress)
    if workers == 1:
        for job in jobs:
            utt, dur, info, err = _render_one(job)
            results[utt] = (dur, info, err)
            bar.update()
    else:
        ctx = mp.get_context("fork" if hasattr(os, "fork") else "spawn")
        with ctx.Pool(workers) as pool:
            for utt, dur, info, err in pool.imap_unordered(_render_one, jobs, chunksize=4):
                results[utt] = (dur, info, err)
                bar.update()
    bar.close()
    return results


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def generate_corpus(out_dir=None, size: str = "default", seed: int = 0,
                    workers: int | None = None, progress: bool = True) -> pd.DataFrame:
    """Generate (or resume) the synthetic corpus; return its manifest (absolute paths).

    Writes ``<out>/wav/<lang>/<speaker>/<utt_id>.wav`` (16-bit PCM, 16 kHz, mono),
    ``<out>/manifest.csv`` (paths relative to ``out``) and ``<out>/corpus.json``.
    Clips already on disk are skipped; output is byte-identical for a given seed
    whatever the worker count or the order of rendering.
    """
    if out_dir is None:
        out_dir = paths.corpus_dir("synthetic" if size == "default" else f"synthetic-{size}")
    out_dir = Path(out_dir)
    specs = plan(size, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    meta_path = out_dir / "corpus.json"
    fingerprint = generator_fingerprint()
    if meta_path.exists():
        check_generator(out_dir)
        old = json.loads(meta_path.read_text())
        if (old.get("seed"), old.get("size")) != (seed, size):
            raise ValueError(f"{out_dir} holds a corpus with seed={old.get('seed')}, "
                             f"size={old.get('size')!r}; use another --out or delete it "
                             f"before generating seed={seed}, size={size!r}")
    else:  # written first so a resumed run can refuse to mix seeds or generator code
        atomic.write_text(meta_path, json.dumps(dict(seed=seed, size=size, generator_fingerprint=fingerprint,
                                             complete=False), indent=2))
    t0 = time.perf_counter()
    results = render_specs(specs, out_dir, workers=workers, progress=progress)
    elapsed = time.perf_counter() - t0
    failed = {u: r[2] for u, r in results.items() if r[2]}
    if failed:
        lines = "\n".join(f"  {u}: {e}" for u, e in list(failed.items())[:10])
        raise RuntimeError(f"{len(failed)} of {len(specs)} clips failed (re-run to resume):\n{lines}")
    rows = []
    for spec in specs:
        dur, info, _ = results[spec.utt_id]
        spk = spec.speaker
        rows.append(dict(
            utt_id=spec.utt_id, path=spec.relpath, corpus=CORPUS, language=spk.language,
            speaker=spk.speaker, gender=spk.gender, emotion=spec.emotion, sentence=spec.text,
            duration=round(dur, 4), sentence_id=spec.sentence_id, voice=spk.voice,
            acting_style=spk.style.describe(), **(info or _settings(spec))))
    manifest = pd.DataFrame(rows, columns=list(MANIFEST_COLUMNS) + list(MANIFEST_EXTRA))
    manifest_path = out_dir / "manifest.csv"
    manifest.to_csv(manifest_path, index=False, lineterminator="\n")
    meta = dict(corpus=CORPUS, seed=seed, size=size, generator_version=GENERATOR_VERSION,
                generator_fingerprint=fingerprint,
                n_clips=len(manifest), n_speakers=int(manifest.speaker.nunique()),
                languages=sorted(manifest.language.unique()), sample_rate=SAMPLE_RATE,
                manifest_sha256=_sha256(manifest_path), complete=True)
    atomic.write_text(meta_path, json.dumps(meta, indent=2) + "\n")
    manifest.attrs["generation_seconds"] = elapsed
    manifest["path"] = [str((out_dir / p).resolve()) for p in manifest["path"]]
    return manifest


def load_manifest(out_dir) -> pd.DataFrame:
    """Read ``<out>/manifest.csv`` with absolute paths (raises if the corpus is missing)."""
    out_dir = Path(out_dir)
    f = out_dir / "manifest.csv"
    if not f.exists():
        raise FileNotFoundError(f"{f} not found; generate it with "
                                f"`python -m data_prep.synthetic --out {out_dir}`")
    m = pd.read_csv(f)
    m["path"] = [str((out_dir / p).resolve()) for p in m["path"]]
    return m
