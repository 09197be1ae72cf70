"""What each corpus should contain, for sanity checks and the book's tables.

``clips``/``speakers`` are the published totals of the selection the loader returns
by default (IEMOCAP: the 4-class set). ``None`` where no fixed figure applies.
"""

from __future__ import annotations

CORPUS_INFO = {
    "crema-d": {"name": "CREMA-D", "language": "en", "clips": 7442, "speakers": 91,
                "female_speakers": 43, "male_speakers": 48, "emotions": 6},
    "iemocap": {"name": "IEMOCAP (4-class)", "language": "en", "clips": 5531, "speakers": 10,
                "female_speakers": 5, "male_speakers": 5, "emotions": 4},
    "ravdess": {"name": "RAVDESS (speech)", "language": "en", "clips": 1440, "speakers": 24,
                "female_speakers": 12, "male_speakers": 12, "emotions": 8},
    "emodb": {"name": "EmoDB", "language": "de", "clips": 535, "speakers": 10,
              "female_speakers": 5, "male_speakers": 5, "emotions": 7},
    "cafe": {"name": "CaFE", "language": "fr", "clips": 936, "speakers": 12,
             "female_speakers": 6, "male_speakers": 6, "emotions": 7},
    "emovo": {"name": "EMOVO", "language": "it", "clips": 588, "speakers": 6,
              "female_speakers": 3, "male_speakers": 3, "emotions": 7},
    # The Zenodo record gives clips and speakers, not speakers per gender (users.csv has them).
    "emozionalmente": {"name": "Emozionalmente", "language": "it", "clips": 6902, "speakers": 431,
                       "female_speakers": None, "male_speakers": None, "emotions": 7},
    "bhavvani": {"name": "BhavVani", "language": "hi", "clips": None, "speakers": None,
                 "female_speakers": None, "male_speakers": None, "emotions": None},
    "synthetic": {"name": "Synthetic (embedded)", "language": None, "clips": None,
                  "speakers": None, "female_speakers": None, "male_speakers": None,
                  "emotions": 6},
}


def check_expected(df, name: str) -> list[str]:
    """Differences between ``df`` and CORPUS_INFO[name] (empty list when all match)."""
    info = CORPUS_INFO[name]
    spk_gender = df.groupby("speaker")["gender"].first()
    found = {"clips": len(df), "speakers": df["speaker"].nunique(),
             "female_speakers": int((spk_gender == "female").sum()),
             "male_speakers": int((spk_gender == "male").sum()),
             "emotions": df["emotion"].nunique()}
    return [f"{name}: {k} = {v}, expected {info[k]}" for k, v in found.items()
            if info.get(k) is not None and info[k] != v]
