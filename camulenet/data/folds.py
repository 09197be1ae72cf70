"""Speaker-independent folds: no speaker ever appears in two of train / val / test.

``make_folds`` deals speakers into k test folds (shuffled within each gender so
every test fold has both genders when the corpus allows), or one fold per speaker
(leave-one-speaker-out) when there are no more speakers than folds. With
``by="session"`` (IEMOCAP as EmoBox and SUPERB evaluate it) fold i tests on the
speakers of the i-th recording session instead. Each fold then
takes a small validation set (by default one speaker per gender) from its training
speakers. Everything is a function of the seed; speakers are always sorted before
shuffling so that set/hash order never leaks in. Folds are saved as plain JSON.

Crowdsourced corpora (Emozionalmente: 431 speakers holding from one to about a hundred
clips) break two assumptions of dealing by speaker: folds with equal numbers of speakers
hold very different numbers of clips, and two validation speakers may hold two clips.
When speakers' clip counts are that uneven (:data:`UNEVEN_SPEAKERS_CV`), the dealt folds
are balanced by swapping speakers of one gender between folds, and each fold validates on
the next fold's test speakers. Corpora whose speakers hold similar numbers of clips (the
acted ones) are dealt exactly as before.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from camulenet.storage import atomic

KFOLD = "k-fold leave-speaker-out"
LOSO = "leave-one-speaker-out"
LOSESO = "leave-one-session-out"
#: What a fold's test set is made of: ``make_folds(by=...)`` and ``Folds.by``.
PROTOCOLS = ("speaker", "session")
#: Speakers' clip counts are "uneven" above this coefficient of variation (std / mean):
#: Emozionalmente about 1 (one clip to 105 per speaker); EmoDB 0.23, CREMA-D 0.01, the other acted corpora 0.
UNEVEN_SPEAKERS_CV = 0.5
_FORMAT = "camulenet-folds/1"
_PARTS = ("train", "val", "test")


@dataclass
class Fold:
    """One split: speakers of each part, and the utt_ids of each part (manifest order)."""
    test_speakers: list[str]
    val_speakers: list[str]
    train_speakers: list[str]
    train: list[str]
    val: list[str]
    test: list[str]

    def indices(self, manifest: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row positions of train, val and test in ``manifest`` (int64 arrays)."""
        pos = pd.Index(manifest["utt_id"].astype(str))
        if not pos.is_unique:
            raise ValueError("manifest has duplicated utt_id; validate it first")
        out = []
        for part in _PARTS:
            ids = getattr(self, part)
            idx = pos.get_indexer(ids)
            if (idx < 0).any():
                missing = [u for u, i in zip(ids, idx) if i < 0]
                raise KeyError(f"{len(missing)} {part} utt_id(s) of this fold are not in the "
                               f"manifest, e.g. {missing[:5]}; folds were made for another manifest")
            out.append(idx.astype(np.int64))
        return tuple(out)


@dataclass
class Folds:
    """All folds of one manifest plus how they were made."""
    corpus: str
    seed: int
    n_folds: int
    strategy: str
    folds: list[Fold]
    stratify: str | None = "gender"
    n_val_speakers: int | None = None
    #: "speaker" or "session"; files written before this field existed are "speaker".
    by: str = "speaker"

    def to_json(self, path) -> Path:
        """Write as pure JSON (same folds -> same bytes)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        obj = {"format": _FORMAT, **asdict(self)}
        atomic.write_text(path, json.dumps(obj, indent=1, ensure_ascii=False) + "\n")  # a killed job leaves none, not half
        return path

    @classmethod
    def from_json(cls, path, by: str | None = None) -> "Folds":
        """Read a file written by :meth:`to_json`; a broken one raises ValueError naming it.

        ``by`` ("speaker"/"session"), when given, must match the protocol the file was made
        with, so that session folds are never reused as speaker folds or the other way round.
        """
        fix = "delete it to regenerate the folds"
        try:
            obj = json.loads(Path(path).read_text(encoding="utf-8"))
        except ValueError as err:  # JSONDecodeError, UnicodeDecodeError
            raise ValueError(f"{path}: not valid JSON ({err}); {fix}") from err
        if not isinstance(obj, dict) or obj.pop("format", None) != _FORMAT:
            raise ValueError(f"{path} is not a camulenet folds file (format {_FORMAT}); {fix}")
        try:
            obj["folds"] = [Fold(**f) for f in obj["folds"]]
            folds = cls(**obj)
        except (KeyError, TypeError) as err:
            raise ValueError(f"{path}: folds file with missing or unexpected keys ({err}); "
                             f"{fix}") from err
        if folds.by not in PROTOCOLS:
            raise ValueError(f"{path}: unknown fold protocol by={folds.by!r} (known: "
                             f"{list(PROTOCOLS)}); {fix}")
        if by is not None and folds.by != by:
            raise ValueError(f"{path} holds {folds.strategy} folds (by={folds.by!r}), but "
                             f"by={by!r} was asked for; {fix} or save the two protocols "
                             "under different names")
        return folds

    def roles(self) -> pd.DataFrame:
        """Speaker x fold table of 'train' / 'val' / 'test'."""
        table = {}
        for i, f in enumerate(self.folds):
            for part in _PARTS:
                for s in getattr(f, f"{part}_speakers"):
                    table.setdefault(s, {})[i] = part
        return pd.DataFrame.from_dict(table, orient="index").sort_index()[list(range(len(self.folds)))]


def _speaker_attr(manifest: pd.DataFrame, column: str) -> dict[str, str]:
    """speaker -> value of a per-speaker column; raises if a speaker has several."""
    if column not in manifest.columns:
        raise ValueError(f"cannot stratify by {column!r}: no such manifest column")
    per = manifest.groupby("speaker")[column].agg(lambda v: sorted(set(map(str, v))))
    mixed = [s for s, v in per.items() if len(v) > 1]
    if mixed:
        raise ValueError(f"cannot stratify by {column!r}: speaker(s) {mixed[:5]} have several values")
    return {str(s): v[0] for s, v in per.items()}


def _groups(speakers: list[str], attr: dict[str, str] | None) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for s in sorted(speakers):
        groups.setdefault(attr[s] if attr else "", []).append(s)
    return groups


def _pick_val(candidates: list[str], n: int | None, gender: dict[str, str] | None,
              rng: np.random.Generator, fold_index: int) -> list[str]:
    """``n`` speakers (default one per gender) drawn from ``candidates``, genders alternating."""
    groups = _groups(candidates, gender)
    shuffled = [list(rng.permutation(groups[g])) for g in sorted(groups)]
    if n is None:
        n = min(len(shuffled), len(candidates) - 1)
    elif n > len(candidates) - 1:
        raise ValueError(f"n_val_speakers={n} leaves no training speaker in fold {fold_index} "
                         f"({len(candidates)} non-test speakers)")
    if n < 0:
        raise ValueError("n_val_speakers must be >= 0")
    # Start at a fold-dependent gender so odd n does not always favour the same one.
    start = fold_index % max(len(shuffled), 1)
    shuffled = shuffled[start:] + shuffled[:start]
    picked: list[str] = []
    while len(picked) < n:
        for grp in shuffled:
            if grp and len(picked) < n:
                picked.append(str(grp.pop(0)))
    return sorted(picked)


def uneven_speakers(manifest: pd.DataFrame) -> bool:
    """True when speakers hold very different numbers of clips (see :data:`UNEVEN_SPEAKERS_CV`)."""
    counts = manifest.groupby("speaker").size().to_numpy(dtype=float)
    return len(counts) > 1 and counts.std() / counts.mean() > UNEVEN_SPEAKERS_CV


def _balance(test_sets: list[list[str]], manifest: pd.DataFrame,
             strata: dict[str, str] | None) -> list[list[str]]:
    """``test_sets`` after swapping speakers of one stratum between folds while a swap
    brings the folds' clip counts, overall and per emotion, closer to their means.

    Each step makes the swap that lowers sum_f |n_f - mean|^2 most, n_f being fold f's
    (clips, clips of each emotion) vector; it stops when no swap lowers it. Swaps keep
    every fold's number of speakers per stratum (gender) as dealt. Deterministic: ties go
    to the first pair in sorted speaker order.
    """
    counts = pd.crosstab(manifest["speaker"].astype(str), manifest["emotion"].astype(str))
    speakers = sorted(s for f in test_sets for s in f)
    per_emotion = counts.loc[speakers].to_numpy(dtype=float)
    v = np.hstack([per_emotion.sum(axis=1, keepdims=True), per_emotion])   # (speakers, 1 + emotions)
    fold = np.empty(len(speakers), dtype=int)
    index = {s: j for j, s in enumerate(speakers)}
    for f, members in enumerate(test_sets):
        fold[[index[s] for s in members]] = f
    stratum = np.array([strata[s] if strata else "" for s in speakers])
    other_stratum = stratum[:, None] != stratum[None, :]
    norms = (v * v).sum(axis=1)
    pair = norms[:, None] + norms[None, :] - 2 * (v @ v.T)   # |v_a - v_b|^2
    rows = np.arange(len(speakers))
    for _ in range(len(speakers) ** 2):   # the objective falls at every swap: this never binds
        totals = np.zeros((len(test_sets), v.shape[1]))
        np.add.at(totals, fold, v)
        p = v @ totals.T   # p[a, f] = v_a . n_f
        own = p[rows, fold]
        # Swapping a (fold F) and b (fold G), d = v_a - v_b, changes the objective by
        # 2 (|d|^2 - d . (n_F - n_G)) = 2 (pair[a, b] - (p[a,F] - p[a,G] - p[b,F] + p[b,G])).
        gain = pair - (own[:, None] - p[:, fold] - p[:, fold].T + own[None, :])
        gain[other_stratum | (fold[:, None] == fold[None, :])] = np.inf
        a, b = np.unravel_index(np.argmin(gain), gain.shape)
        if gain[a, b] >= -1e-9:
            break
        fold[a], fold[b] = fold[b], fold[a]
    return [sorted(s for s, f in zip(speakers, fold) if f == i) for i in range(len(test_sets))]


def _speaker_sessions(manifest: pd.DataFrame) -> dict[str, str]:
    """speaker -> session; raises naming the speakers when the column cannot define folds."""
    fix = 'or use by="speaker" (k-fold leave-speaker-out)'
    if "session" not in manifest.columns:
        raise ValueError("by='session' needs a 'session' column in the manifest (IEMOCAP's "
                         f"loader writes one); this manifest has none. Add it, {fix}")
    missing = sorted(set(manifest.loc[manifest["session"].isna(), "speaker"].astype(str)))
    if missing:
        raise ValueError(f"by='session': speaker(s) {missing[:5]} have clips without a session; "
                         f"fill the 'session' column for every clip, {fix}")
    per = manifest.groupby("speaker")["session"].agg(lambda v: sorted(set(map(str, v))))
    mixed = [s for s, v in per.items() if len(v) > 1]
    if mixed:
        raise ValueError(f"by='session': speaker(s) {mixed[:5]} appear in several sessions; a "
                         f"session fold needs each speaker in one session. Fix the manifest, {fix}")
    return {str(s): v[0] for s, v in per.items()}


def _session_key(value: str):
    """Sort sessions numerically when they are numbers (2 before 10), else by text."""
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


def fold_protocols(manifest: pd.DataFrame) -> list[str]:
    """The fold protocols ``make_folds(by=...)`` can apply to ``manifest``.

    Always ``"speaker"``; also ``"session"`` when every clip has a session, each speaker
    sits in one session, and there are at least two sessions (e.g. IEMOCAP).
    """
    try:
        sessions = set(_speaker_sessions(manifest).values())
    except ValueError:
        return ["speaker"]
    return ["speaker", "session"] if len(sessions) >= 2 else ["speaker"]


def speakers_needed(n_folds: int) -> int:
    """The fewest speakers that fill ``n_folds`` speaker folds (``by="speaker"``) with at least
    one test, one validation and one training speaker each: 3 (leave-one-speaker-out when
    there are no more speakers than folds), 4 for two folds (a test half of 2 leaves 2)."""
    return next(s for s in range(3, 3 * n_folds + 3) if s <= n_folds or s - math.ceil(s / n_folds) >= 2)


def make_folds(manifest: pd.DataFrame, n_folds: int = 10, n_val_speakers: int | None = None,
               seed: int = 0, stratify: str | None = "gender", by: str = "speaker") -> Folds:
    """Speaker-disjoint folds of ``manifest``.

    ``by="speaker"`` (the paper's protocol): with more speakers than ``n_folds``, k-fold
    leave-speaker-out, speakers shuffled within each ``stratify`` group (a per-speaker
    column, e.g. gender; ``None`` for none) and dealt round-robin so groups spread
    evenly over the test folds; when speakers hold very uneven numbers of clips
    (:func:`uneven_speakers`), speakers of one group are then swapped between folds
    until the folds' clip counts, overall and per emotion, are as even as swaps make
    them. Otherwise: leave-one-speaker-out (one fold per speaker, in sorted order).
    ``by="session"``: leave-one-session-out, one fold per value of the manifest's
    ``session`` column (numeric order), testing on that session's speakers;
    ``n_folds`` and ``stratify`` do not apply (the sessions fix the folds).
    Validation: ``n_val_speakers`` training speakers per fold (default one per gender,
    at least one), drawn with a generator seeded by (seed, fold); by default on uneven
    speakers (k-fold, k >= 3), the speakers of the next test fold instead.
    """
    if by not in PROTOCOLS:
        raise ValueError(f"by must be one of {list(PROTOCOLS)}, got {by!r}")
    speakers = sorted(map(str, manifest["speaker"].unique()))
    if len(speakers) < 3:
        raise ValueError(f"need at least 3 speakers for train/val/test, got {speakers}")
    gender = _speaker_attr(manifest, "gender") if "gender" in manifest.columns else None
    uneven = False

    if by == "session":
        session_of = _speaker_sessions(manifest)
        sessions = sorted(set(session_of.values()), key=_session_key)
        if len(sessions) < 2:
            raise ValueError(f"by='session' needs at least 2 sessions, the manifest has "
                             f"{sessions}; use by='speaker'")
        strategy, k, stratify = LOSESO, len(sessions), None
        test_sets = [[s for s in speakers if session_of[s] == sess] for sess in sessions]
    else:
        if n_folds < 2:
            raise ValueError(f"n_folds must be >= 2, got {n_folds}")
        strata = _speaker_attr(manifest, stratify) if stratify else None
        if len(speakers) <= n_folds:
            strategy, k = LOSO, len(speakers)
            test_sets = [[s] for s in speakers]
        else:
            strategy, k = KFOLD, n_folds
            rng = np.random.default_rng(seed)
            order: list[str] = []
            for _, members in sorted(_groups(speakers, strata).items()):
                order.extend(str(s) for s in rng.permutation(members))
            test_sets = [sorted(order[i::k]) for i in range(k)]
            uneven = uneven_speakers(manifest)
            if uneven:
                test_sets = _balance(test_sets, manifest, strata)

    # Uneven speakers: two validation speakers could hold two clips; the next (balanced)
    # test fold is a validation set of a fold's size instead (needs k >= 3 to leave training).
    next_fold_val = strategy == KFOLD and uneven and n_val_speakers is None and k >= 3
    spk = manifest["speaker"].astype(str).to_numpy()
    utt = manifest["utt_id"].astype(str).to_numpy()
    folds = []
    for i, test_spk in enumerate(test_sets):
        rest = [s for s in speakers if s not in set(test_spk)]
        if not rest:
            raise ValueError(f"fold {i} leaves no training speaker")
        if next_fold_val:
            val_spk = sorted(test_sets[(i + 1) % k])
        else:
            val_spk = _pick_val(rest, n_val_speakers, gender, np.random.default_rng([seed, i]), i)
        train_spk = [s for s in rest if s not in set(val_spk)]
        part_of = {s: name for name, members in (("train", train_spk), ("val", val_spk), ("test", test_spk))
                   for s in members}
        parts = {name: [] for name in _PARTS}
        for u, s in zip(utt, spk):   # manifest order within each part
            parts[part_of[s]].append(u)
        folds.append(Fold(test_speakers=list(test_spk), val_speakers=val_spk,
                          train_speakers=train_spk, **parts))
    corpus = "+".join(sorted(map(str, manifest["corpus"].unique())))
    out = Folds(corpus=corpus, seed=int(seed), n_folds=k, strategy=strategy, folds=folds,
                stratify=stratify, n_val_speakers=n_val_speakers, by=by)
    check_speaker_disjoint(out, manifest)
    return out


def check_speaker_disjoint(folds: Folds, manifest: pd.DataFrame) -> bool:
    """Raise ValueError if any speaker sits in two parts of a fold, a clip is filed
    under the wrong speaker's part, a fold does not cover the manifest exactly once,
    or a clip is not in exactly one test fold. Returns True when all is well."""
    speaker_of = dict(zip(manifest["utt_id"].astype(str), manifest["speaker"].astype(str)))
    all_utts = set(speaker_of)
    test_count: dict[str, list[int]] = {}
    for i, f in enumerate(folds.folds):
        spk_parts = {p: set(getattr(f, f"{p}_speakers")) for p in _PARTS}
        for a, b in (("train", "val"), ("train", "test"), ("val", "test")):
            both = sorted(spk_parts[a] & spk_parts[b])
            if both:
                raise ValueError(f"fold {i}: speaker {both[0]} is in both {a} and {b}"
                                 + (f" (and {len(both) - 1} more)" if len(both) > 1 else ""))
        seen: dict[str, str] = {}
        for p in _PARTS:
            for u in getattr(f, p):
                if u in seen:
                    raise ValueError(f"fold {i}: utt {u} is in both {seen[u]} and {p}")
                seen[u] = p
        for p in _PARTS:
            for u in getattr(f, p):
                if u not in speaker_of:
                    raise ValueError(f"fold {i}: {p} utt {u} is not in the manifest")
                s = speaker_of[u]
                if s not in spk_parts[p]:
                    where = [q for q in _PARTS if s in spk_parts[q]] or ["no part"]
                    raise ValueError(f"fold {i}: speaker {s} is in {p} (utt {u}) and in "
                                     f"{'/'.join(where)} by the fold's speaker lists")
            if p == "test":
                for u in f.test:
                    test_count.setdefault(u, []).append(i)
        uncovered = sorted(all_utts - set(seen))
        if uncovered:
            raise ValueError(f"fold {i}: {len(uncovered)} manifest utt(s) in no part, e.g. {uncovered[:5]}")
    never = sorted(all_utts - set(test_count))
    if never:
        raise ValueError(f"{len(never)} utt(s) in no test fold, e.g. {never[:5]}")
    twice = {u: fs for u, fs in test_count.items() if len(fs) > 1}
    if twice:
        u = sorted(twice)[0]
        raise ValueError(f"utt {u} (speaker {speaker_of[u]}) is in the test part of folds {twice[u]}")
    return True


def fold_ids(fold) -> tuple[list[str], list[str], list[str]]:
    """(train, val, test) utt_id lists from a tuple or an object with .train/.val/.test."""
    if hasattr(fold, "train"):
        train, val, test = fold.train, getattr(fold, "val", None) or [], fold.test
    else:
        train, val, test = fold
    return [str(u) for u in train], [str(u) for u in (val or [])], [str(u) for u in test]


def restrict_folds(folds, keep: set[str]) -> list[tuple[list[str], list[str], list[str]]]:
    """(train, val, test) utt_id lists of each fold with only the clips in ``keep`` (the
    readable ones): the folds' speakers are unchanged, only unreadable clips leave them."""
    return [tuple([u for u in part if u in keep] for part in fold_ids(f)) for f in getattr(folds, "folds", folds)]
