"""Render synthetic clips under a real corpus's official file names and label files.

Why: the book and the tests can then run every real-corpus loader, and the whole
pipeline behind it, on ``data/corpora/<corpus>`` without the licensed audio. The
WAV bytes are the synthetic ones (hard-linked, or copied across file systems); only
names, folders and label files follow the corpus. Synthetic speakers map one-to-one
onto corpus speakers of the same gender (never merged); a corpus with fixed speaker
slots (EmoDB's ten, EMOVO's six, ...) or fixed names per speaker and emotion holds
only so many, and whatever does not fit is warned about and listed under
``left_out`` in ``layout.json``, which records the whole mapping.

``python -m data_prep.synthetic.layouts crema-d data/corpora/crema-d [--seed 0] [--source DIR]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf

from camulenet.data.schema import GENDERS
from camulenet.storage import atomic

from .generate import (
    _sha256 as file_sha256,  # one file hash for the package (generate.py is fingerprinted: not renamed)
)
from .layout_schemes import LAYOUTS, Layout

FORMAT = "camulenet-layout/1"
LAYOUT_FILE = "layout.json"


class LayoutCapacityWarning(UserWarning):
    """Speakers or clips did not fit the corpus's official names (see layout.json 'left_out')."""


# --------------------------------------------------------------------------- planning
def default_source(seed: int = 0) -> pd.DataFrame:
    """The small synthetic corpus at ``data/corpora/synthetic-small`` (rendered if absent)."""
    from camulenet.storage import paths

    from .generate import generate_corpus, load_manifest

    root = paths.corpus_dir("synthetic-small")
    meta = root / "corpus.json"
    if meta.exists():
        info = json.loads(meta.read_text())
        if info.get("complete") and (info.get("seed"), info.get("size")) == (seed, "small"):
            return load_manifest(root)
    try:
        return generate_corpus(root, size="small", seed=seed, progress=False)
    except ValueError as err:
        raise ValueError(f"{err}. Or pass the synthetic corpus to render with source_manifest= "
                         "(CLI: --source DIR)") from err


def _read_source(source) -> pd.DataFrame:
    from camulenet.data.manifest import validate_manifest

    from .generate import load_manifest

    df = load_manifest(source) if isinstance(source, (str, os.PathLike)) else source.copy()
    df = validate_manifest(df)
    df["path"] = [str(Path(p).resolve()) for p in df["path"]]
    absent = [p for p in df["path"] if not Path(p).is_file()]
    if absent:
        raise FileNotFoundError(f"{len(absent)} source clip(s) not found, e.g. {absent[:3]}; "
                                "re-generate the synthetic corpus or fix the manifest paths")
    return df


def _pick_speakers(df: pd.DataFrame, layout: Layout, n_speakers: int | None, seed: int):
    """(female, male) synthetic speakers in mapping order, and those left out (with why)."""
    gender_of = df.groupby("speaker")["gender"].first()
    rng = np.random.default_rng(seed)
    pools = {g: [str(s) for s in rng.permutation(sorted(gender_of.index[gender_of == g]))]
             for g in GENDERS}
    cap = layout.per_gender
    if n_speakers is None:
        keep = {g: pools[g][:cap] for g in GENDERS}
    else:
        room = {g: len(pools[g]) if cap is None else min(cap, len(pools[g])) for g in GENDERS}
        if not 1 <= n_speakers <= sum(room.values()):
            raise ValueError(f"{layout.name}: n_speakers={n_speakers} but at most "
                             f"{sum(room.values())} fit (source has {len(pools['female'])} female "
                             f"and {len(pools['male'])} male speakers; the layout holds "
                             f"{cap or 'any number of'} per gender); pass a smaller n_speakers")
        keep, turn = {g: [] for g in GENDERS}, 0
        while sum(map(len, keep.values())) < n_speakers:
            g = GENDERS[turn % 2]
            if len(keep[g]) < room[g]:
                keep[g].append(pools[g][len(keep[g])])
            turn += 1
    why = (f"{layout.name} has {cap} speakers per gender" if n_speakers is None
           else f"beyond n_speakers={n_speakers}")
    left = {s: why for g in GENDERS for s in sorted(pools[g]) if s not in keep[g]}
    return keep["female"], keep["male"], left


def plan_layout(corpus: str, source: pd.DataFrame, seed: int = 0, n_speakers: int | None = None,
                clips_per_speaker_emotion: int | None = None) -> dict:
    """The layout.json content (without the source digest): speakers, clips, left out."""
    layout = LAYOUTS[corpus]
    unknown = sorted(set(source["emotion"]) - set(layout.codes))
    if unknown:
        raise ValueError(f"{corpus} has no label for emotion(s) {unknown} (it has "
                         f"{sorted(layout.codes)}); drop those clips from the source manifest")
    if clips_per_speaker_emotion is not None and clips_per_speaker_emotion < 1:
        raise ValueError(f"clips_per_speaker_emotion must be >= 1, got {clips_per_speaker_emotion}")
    female, male, left_speakers = _pick_speakers(source, layout, n_speakers, seed)
    tokens = layout.speaker_ids(female, male)
    gender_of = source.groupby("speaker")["gender"].first()
    lang_of = source.groupby("speaker")["language"].first()
    speakers = {s: {"token": tokens[s], "speaker": layout.loader_speaker(tokens[s], gender_of[s]),
                    "gender": gender_of[s], "language": lang_of[s]} for s in sorted(tokens)}
    order = ["speaker", "emotion"] + (["sentence_id"] if "sentence_id" in source.columns else [])
    kept = source[source["speaker"].isin(list(tokens))].sort_values(order + ["utt_id"], kind="stable")
    clips, left_clips = [], {}
    for (spk, emotion), group in kept.groupby(["speaker", "emotion"], sort=True):
        cap = layout.capacity(emotion)
        for k, row in enumerate(group.itertuples()):
            if clips_per_speaker_emotion is not None and k >= clips_per_speaker_emotion:
                left_clips[row.utt_id] = f"beyond clips_per_speaker_emotion={clips_per_speaker_emotion}"
            elif cap is not None and k >= cap:
                left_clips[row.utt_id] = f"{corpus} names only {cap} {emotion} clips per speaker"
            else:
                clips.append({"utt_id": row.utt_id, "src": row.path, "token": tokens[spk],
                              "gender": gender_of[spk], "emotion": emotion,
                              "text": _text(getattr(row, "sentence", "")),
                              "relpath": layout.relpath(tokens[spk], gender_of[spk], emotion, k)})
    over = {u: r for u, r in left_clips.items() if not r.startswith("beyond")}
    full = sorted(s for s, r in left_speakers.items() if not r.startswith("beyond"))
    if full or over:
        what = [f"{len(full)} speaker(s) {full[:6]}"] if full else []
        what += [f"{len(over)} clip(s), e.g. {sorted(over)[:3]}"] if over else []
        warnings.warn(f"{corpus}: the official layout does not hold {' and '.join(what)}; they "
                      f"are left out and listed in {LAYOUT_FILE} ('left_out'). Pass n_speakers / "
                      "clips_per_speaker_emotion to choose what to keep.",
                      LayoutCapacityWarning, stacklevel=3)
    names = [c["relpath"] for c in clips]
    if len(set(names)) != len(names):  # a bug in a Layout, never the user's input
        raise RuntimeError(f"{corpus}: the layout gave two clips one file name")
    return {"speakers": speakers, "clips": clips,
            "left_out": {"speakers": left_speakers, "clips": dict(sorted(left_clips.items()))}}


def _text(value) -> str:
    """A clip's spoken text for layouts whose label files carry it ('' when the source has none)."""
    return value if isinstance(value, str) else ""


# --------------------------------------------------------------------------- writing
def _place(src: str, dst: Path) -> None:
    """Hard link ``src`` at ``dst`` (copy across file systems); atomic, idempotent."""
    if dst.exists():
        if os.path.samefile(src, dst) or file_sha256(Path(src)) == file_sha256(Path(dst)):
            return
    with atomic.replacing(dst) as tmp:
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copyfile(src, tmp)


def render_layout(corpus: str, out_dir, source_manifest=None, seed: int = 0,
                  n_speakers: int | None = None,
                  clips_per_speaker_emotion: int | None = None) -> Path:
    """Write synthetic clips into ``out_dir`` in ``corpus``'s official layout; return ``out_dir``.

    ``source_manifest``: a synthetic manifest (DataFrame) or corpus folder; default the
    small corpus in ``data/corpora/synthetic-small`` (rendered with ``seed`` if absent).
    ``seed`` fixes which synthetic speaker becomes which corpus speaker. Afterwards
    ``load_corpus(corpus, out_dir)`` reads the clips back with the mapped speakers,
    genders and emotions. Same settings again: no-op; other settings: ValueError.
    """
    key = corpus.lower()
    n_speakers = None if n_speakers is None else int(n_speakers)
    if clips_per_speaker_emotion is not None:
        clips_per_speaker_emotion = int(clips_per_speaker_emotion)
    if key not in LAYOUTS:
        raise KeyError(f"no layout for {corpus!r}; known: {sorted(LAYOUTS)}")
    layout, out_dir = LAYOUTS[key], Path(out_dir)
    source = _read_source(default_source(seed) if source_manifest is None else source_manifest)
    plan = plan_layout(key, source, seed, n_speakers, clips_per_speaker_emotion)
    digest = hashlib.sha256()
    for u, p in sorted(zip(source["utt_id"], source["path"])):
        digest.update(f"{u}\0{file_sha256(Path(p))}\n".encode())
    record = {"format": FORMAT, "corpus": key, "seed": int(seed), "n_speakers": n_speakers,
              "clips_per_speaker_emotion": clips_per_speaker_emotion,
              "source": {"corpus": "+".join(sorted(set(map(str, source["corpus"])))),
                         "clips": len(source), "speakers": int(source["speaker"].nunique()),
                         "audio_sha256": digest.hexdigest()},
              "speakers": plan["speakers"],
              "clips": {c["utt_id"]: c["relpath"] for c in sorted(plan["clips"], key=lambda c: c["utt_id"])},
              "left_out": plan["left_out"]}
    if _existing(out_dir, record):
        return out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = out_dir / LAYOUT_FILE
    _write_json(meta, {**record, "complete": False})   # first: a resumed run is checked too
    for d in layout.dirs:
        (out_dir / d).mkdir(parents=True, exist_ok=True)
    for c in plan["clips"]:
        _place(c["src"], out_dir / c["relpath"])
        c["duration"] = round(float(sf.info(c["src"]).duration), 4)
    for rel, text in layout.side_files(plan["clips"], plan["speakers"]).items():
        (out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (out_dir / rel).write_text(text, encoding="utf-8", newline="\n")
    _write_json(meta, {**record, "complete": True})
    return out_dir


def _write_json(path: Path, obj: dict) -> None:
    path.write_text(json.dumps(obj, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _existing(out_dir: Path, record: dict) -> bool:
    """True when ``out_dir`` already holds this exact render; raise if it holds another."""
    if not out_dir.exists() or not any(out_dir.iterdir()):
        return False
    meta = out_dir / LAYOUT_FILE
    fix = f"delete {out_dir} or render into another folder"
    if not meta.is_file():
        raise ValueError(f"{out_dir} is not empty and has no {LAYOUT_FILE}: it was not written by "
                         f"render_layout, and rendering would mix clips with its files; {fix}")
    try:
        old = json.loads(meta.read_text(encoding="utf-8"))
    except ValueError as err:
        raise ValueError(f"{meta} is not valid JSON ({err}); {fix}") from None
    complete = old.pop("complete", False)
    if old != record:
        keys = [k for k in record if old.get(k) != record[k]] or sorted(set(old) - set(record))
        said = ", ".join(f"{k}={old.get(k)!r} -> {record.get(k)!r}" if k in
                         ("corpus", "seed", "n_speakers", "clips_per_speaker_emotion") else k
                         for k in keys)
        raise ValueError(f"{out_dir} holds a render made with other settings ({said}); {fix}")
    return complete and all((out_dir / p).is_file() for p in record["clips"].values())


# --------------------------------------------------------------------------- CLI
def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m data_prep.synthetic.layouts",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", choices=sorted(LAYOUTS))
    ap.add_argument("out", help="output folder, e.g. data/corpora/crema-d")
    ap.add_argument("--seed", type=int, default=0, help="picks which synthetic speaker becomes "
                    "which corpus speaker (and the synthetic corpus's seed when no --source)")
    ap.add_argument("--source", default=None, help="synthetic corpus folder (with manifest.csv); "
                    "default data/corpora/synthetic-small, rendered if absent")
    ap.add_argument("--n-speakers", type=int, default=None,
                    help="keep this many speakers, genders alternating (default: all that fit)")
    ap.add_argument("--clips-per-speaker-emotion", type=int, default=None,
                    help="keep at most this many clips per speaker and emotion (default: all that fit)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    out = render_layout(args.corpus, args.out, args.source, seed=args.seed,
                        n_speakers=args.n_speakers,
                        clips_per_speaker_emotion=args.clips_per_speaker_emotion)
    rec = json.loads((out / LAYOUT_FILE).read_text(encoding="utf-8"))
    print(f"{args.corpus}: {len(rec['clips'])} clips of {len(rec['speakers'])} speakers in {out} "
          f"({time.perf_counter() - t0:.1f} s); read with load_corpus({args.corpus!r}, {str(out)!r})")


if __name__ == "__main__":
    main()
