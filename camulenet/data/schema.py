"""The one manifest schema every corpus loader produces.

A manifest is a pandas DataFrame with one row per clip. The required columns are
fixed so that folds, features and training never need to know which corpus they
are looking at; loaders may add corpus-specific columns after them.
"""

from __future__ import annotations

#: Required columns, in this order, for every corpus.
MANIFEST_COLUMNS = ("utt_id", "path", "corpus", "language", "speaker", "gender", "emotion")

#: Canonical gender labels (lower case). Gender codings differ between the corpora's
#: own files (e.g. Male=1 in CREMA-D, even actor = female in RAVDESS); loaders map to these.
GENDERS = ("female", "male")
#: The gender of a speaker whose corpus does not give one (a CSV corpus may leave it out):
#: such clips train no gender head and count in no gender accuracy.
UNKNOWN_GENDER = "unknown"

#: Canonical emotion names. Loaders map each corpus's own codes onto these names and
#: raise (naming the file) on a code they do not know.
EMOTIONS = (
    "neutral", "angry", "happy", "sad", "fear", "disgust",
    "surprise", "calm", "frustrated", "excited", "other",
)

#: The six emotions of CREMA-D and of the embedded synthetic corpus.
SIX_EMOTIONS = ("neutral", "angry", "happy", "sad", "fear", "disgust")


def emotion_order(labels) -> list[str]:
    """``labels`` in the order of :data:`EMOTIONS` (tables and figures), unknown ones last, sorted."""
    present = set(map(str, labels))
    return [e for e in EMOTIONS if e in present] + sorted(present - set(EMOTIONS))
