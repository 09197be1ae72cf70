"""Folds that test transfer: to an unseen language, and to an unseen corpus.

Both return :class:`camulenet.data.folds.Folds` of :class:`~camulenet.data.folds.Fold` objects, so
the runner and trainer take them unchanged.

* :func:`leave_one_language_out` -- fold i tests on every clip of the i-th language and
  trains (and validates) on the speakers of all the others. It asks whether emotion cues
  learnt in some languages carry over to another, which the paper's speaker-independent
  folds (every language seen in training) cannot tell.
* :func:`cross_corpus_split` -- train on corpus A, test on corpus B. Corpora label
  different emotion sets, so both sides are first reduced to the emotions they share
  (after an optional merge such as ``{"excited": "happy"}``); the clips that fall out are
  returned, never dropped silently, because they change the class balance.

``Folds.by`` stays ``"speaker"`` (the only field values ``Folds.from_json`` accepts besides
``"session"``: every test set here is still a set of unseen speakers); ``Folds.strategy``
names the protocol. Save these folds under their own file names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from camulenet.data.folds import Fold, Folds, _pick_val, _speaker_attr, check_speaker_disjoint

LOLO = "leave-one-language-out"
CROSS_CORPUS = "cross-corpus"


def _make_fold(manifest: pd.DataFrame, train_pool: list[str], test_speakers: list[str], n_val_speakers: int | None,
               gender: dict[str, str] | None, seed: int, index: int) -> Fold:
    """A Fold testing ``test_speakers``, validating on a seeded subset of ``train_pool``."""
    if len(train_pool) < 2:
        raise ValueError(f"fold {index}: {len(train_pool)} training speaker(s); need at least 2 "
                         "(one to train, one to validate)")
    val = _pick_val(train_pool, n_val_speakers, gender, np.random.default_rng([seed, index]), index)
    train = [s for s in train_pool if s not in set(val)]
    spk = manifest["speaker"].astype(str).to_numpy()
    utt = manifest["utt_id"].astype(str).to_numpy()
    parts = {name: utt[np.isin(spk, members)].tolist()
             for name, members in (("train", train), ("val", val), ("test", test_speakers))}
    return Fold(test_speakers=sorted(test_speakers), val_speakers=val, train_speakers=train, **parts)


def leave_one_language_out(manifest: pd.DataFrame, n_val_speakers: int | None = None, seed: int = 0) -> Folds:
    """One fold per language (sorted): test = every clip of that language; train + val = the
    speakers of all other languages, val being ``n_val_speakers`` of them (default one per
    gender) drawn with a generator seeded by (seed, fold), as in ``make_folds``.

    Needs a ``language`` column, one language per speaker, and at least two languages.
    The result passes ``check_speaker_disjoint`` (every clip tested exactly once).
    """
    if "language" not in manifest.columns:
        raise ValueError("leave-one-language-out needs a 'language' column in the manifest")
    language = _speaker_attr(manifest, "language")  # raises if a speaker has several
    languages = sorted(set(language.values()))
    if len(languages) < 2:
        raise ValueError(f"need at least 2 languages, the manifest has {languages}")
    gender = _speaker_attr(manifest, "gender") if "gender" in manifest.columns else None
    speakers = sorted(language)
    folds = []
    for i, lang in enumerate(languages):
        test = [s for s in speakers if language[s] == lang]
        pool = [s for s in speakers if language[s] != lang]
        folds.append(_make_fold(manifest, pool, test, n_val_speakers, gender, seed, i))
    corpus = "+".join(sorted(map(str, manifest["corpus"].unique()))) if "corpus" in manifest.columns else "?"
    out = Folds(corpus=corpus, seed=int(seed), n_folds=len(folds), strategy=LOLO, folds=folds, stratify=None,
                n_val_speakers=n_val_speakers, by="speaker")
    check_speaker_disjoint(out, manifest)
    return out


def fold_languages(folds: Folds, manifest: pd.DataFrame) -> pd.DataFrame:
    """Per fold: the languages of its train, val and test clips (sets), for checks and tables."""
    lang = dict(zip(manifest["utt_id"].astype(str), manifest["language"].astype(str)))
    return pd.DataFrame([{"fold": i, **{p: sorted({lang[u] for u in getattr(f, p)}) for p in ("train", "val", "test")}}
                         for i, f in enumerate(folds.folds)])


def _check_one_split(fold: Fold, manifest: pd.DataFrame) -> None:
    """``check_speaker_disjoint`` for a single train/test split (it wants every clip tested
    once over the folds, which a one-fold split cannot): speaker lists disjoint, each clip
    of ``manifest`` in exactly one part, and in the part of its speaker."""
    parts = {p: set(getattr(fold, f"{p}_speakers")) for p in ("train", "val", "test")}
    for a, b in (("train", "val"), ("train", "test"), ("val", "test")):
        if parts[a] & parts[b]:
            raise ValueError(f"speaker(s) {sorted(parts[a] & parts[b])[:5]} are in both {a} and {b}")
    speaker_of = dict(zip(manifest["utt_id"].astype(str), manifest["speaker"].astype(str)))
    placed = [(u, p) for p in parts for u in getattr(fold, p)]
    if sorted(u for u, _ in placed) != sorted(speaker_of):
        raise ValueError("the split does not hold every clip of the manifest exactly once")
    wrong = [u for u, p in placed if speaker_of[u] not in parts[p]]
    if wrong:
        raise ValueError(f"clip(s) {wrong[:5]} filed under another part than their speaker")


@dataclass
class CrossCorpusSplit:
    """Train on ``train_corpus``, test on ``test_corpus``, over their shared emotions.

    ``manifest``: the clips kept (both corpora), ``emotion`` mapped to the shared labels
    and the original in ``emotion_original``; train the model on this manifest.
    ``mapping``: corpus -> {original emotion: shared label, or None when dropped}.
    ``dropped``: the clips left out (utt_id, corpus, speaker, emotion, reason).
    ``folds``: one Fold (train/val from A's speakers, test = every kept clip of B). Pass
    it to ``runner.train_systems`` with this ``manifest``; ``check_speaker_disjoint`` does not
    apply (it wants every clip tested once), ``_check_one_split`` checked it instead.
    Merge targets must be names in ``schema.EMOTIONS`` for ``SERData`` to accept them.
    """
    train_corpus: str
    test_corpus: str
    labels: list[str]
    mapping: dict[str, dict[str, str | None]]
    manifest: pd.DataFrame
    dropped: pd.DataFrame
    folds: Folds = field(repr=False)

    def summary(self) -> pd.DataFrame:
        """Clips kept and dropped per corpus and original emotion."""
        kept = self.manifest.groupby(["corpus", "emotion_original"]).size().rename("kept")
        lost = self.dropped.groupby(["corpus", "emotion"]).size().rename("dropped")
        lost.index = lost.index.set_names(["corpus", "emotion_original"])
        return pd.concat([kept, lost], axis=1).fillna(0).astype(int).reset_index()


def cross_corpus_split(manifest: pd.DataFrame, train_corpus: str, test_corpus: str,
                       merge: dict[str, str] | None = None, n_val_speakers: int | None = None,
                       seed: int = 0) -> CrossCorpusSplit:
    """Train on ``train_corpus``, test on ``test_corpus``, keeping the emotions both have.

    ``merge``: optional relabelling applied to both corpora first (e.g. IEMOCAP's
    ``{"excited": "happy"}``). The shared labels are the emotions present in both
    corpora after it; every clip whose emotion is not shared is reported in
    ``dropped`` (with reason "not in <other corpus>"). Validation speakers come from
    the training corpus (seeded, as in ``make_folds``); the test corpus is never seen.
    """
    merge = dict(merge or {})
    both = manifest[manifest["corpus"].astype(str).isin([train_corpus, test_corpus])].copy()
    for c in (train_corpus, test_corpus):
        if not (both["corpus"] == c).any():
            raise ValueError(f"corpus {c!r} has no clips; have {sorted(manifest['corpus'].unique())}")
    if train_corpus == test_corpus:
        raise ValueError("train and test corpus are the same; use make_folds for within-corpus folds")
    spk_corpora = both.groupby(both["speaker"].astype(str))["corpus"].nunique()
    shared_spk = spk_corpora.index[spk_corpora > 1].tolist()
    if shared_spk:
        raise ValueError(f"speaker id(s) {shared_spk[:5]} occur in both corpora; prefix speaker ids "
                         "with the corpus so that they are unique")
    both["emotion_original"] = both["emotion"].astype(str)
    both["emotion"] = both["emotion_original"].map(lambda e: merge.get(e, e))
    present = {c: set(both.loc[both["corpus"] == c, "emotion"]) for c in (train_corpus, test_corpus)}
    labels = sorted(present[train_corpus] & present[test_corpus])
    if len(labels) < 2:
        raise ValueError(f"{train_corpus} and {test_corpus} share {len(labels)} emotion(s) ({labels}); "
                         "need at least 2 (a merge may help)")
    mapping = {c: {e: (merge.get(e, e) if merge.get(e, e) in labels else None)
                   for e in sorted(set(both.loc[both["corpus"] == c, "emotion_original"]))}
               for c in (train_corpus, test_corpus)}
    keep = both["emotion"].isin(labels)
    other = {train_corpus: test_corpus, test_corpus: train_corpus}
    dropped = both.loc[~keep, ["utt_id", "corpus", "speaker", "emotion_original"]].rename(
        columns={"emotion_original": "emotion"})
    dropped["reason"] = [f"{merge.get(e, e)!r} not in {other[c]}"
                         for e, c in zip(dropped["emotion"], dropped["corpus"])]
    kept = both.loc[keep].reset_index(drop=True)
    gender = _speaker_attr(kept, "gender") if "gender" in kept.columns else None
    spk_a = sorted(set(kept.loc[kept["corpus"] == train_corpus, "speaker"].astype(str)))
    spk_b = sorted(set(kept.loc[kept["corpus"] == test_corpus, "speaker"].astype(str)))
    fold = _make_fold(kept, spk_a, spk_b, n_val_speakers, gender, seed, 0)
    folds = Folds(corpus=f"{train_corpus}->{test_corpus}", seed=int(seed), n_folds=1, strategy=CROSS_CORPUS,
                  folds=[fold], stratify=None, n_val_speakers=n_val_speakers, by="speaker")
    _check_one_split(fold, kept)
    return CrossCorpusSplit(train_corpus, test_corpus, labels, mapping, kept, dropped.reset_index(drop=True), folds)


def cross_corpus_pairs(manifest: pd.DataFrame, corpora: list[str] | None = None,
                       **kwargs) -> dict[tuple[str, str], CrossCorpusSplit]:
    """:func:`cross_corpus_split` for every ordered pair of ``corpora`` (default: all in the manifest)."""
    corpora = sorted(map(str, manifest["corpus"].unique())) if corpora is None else list(corpora)
    return {(a, b): cross_corpus_split(manifest, a, b, **kwargs) for a in corpora for b in corpora if a != b}
