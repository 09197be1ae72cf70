"""Per-corpus prose for the book: what the corpus is, and the spoken text of its sentence codes.

The chapters run on whatever corpus the ``corpus`` parameter names, so nothing they print
may assume the synthetic one: descriptions come from here, counts from the manifest.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from camulenet.data.schema import emotion_order
from data_prep.loaders import CORPUS_INFO
from data_prep.synthetic.layouts import LAYOUT_FILE

#: One paragraph per corpus (Markdown); the figures in it are the published ones.
DESCRIPTIONS = {
    "synthetic": (
        "`data_prep.synthetic` renders an acted-emotion corpus with the eSpeak NG speech synthesiser, "
        "shipped on PyPI, so it needs neither a download nor a system package. Speakers in English, "
        "German, French, Italian and Hindi (half female) are built from eSpeak voice variants plus their "
        "own pitch, formant, rate, spectral tilt and channel. Six emotions are acted through prosody and "
        "voice-quality rules in the spirit of Murray and Arnott, and each speaker has an *acting style* "
        "that scales and sometimes mixes those rules, so that emotions overlap and unseen speakers are "
        "genuinely harder than seen ones. The same seed gives byte-identical audio."),
    "crema-d": (
        "CREMA-D: 91 actors (43 female, 48 male) read 12 English sentences in six emotions (anger, "
        "disgust, fear, happiness, neutral, sadness), some at several intensity levels; 7,442 clips. "
        "Gender comes from the corpus's actor table."),
    "iemocap": (
        "IEMOCAP: ten actors in five dyadic sessions (one woman and one man each), scripted and "
        "improvised English dialogues cut into utterances. The usual 4-class set (neutral, angry, sad, "
        "happy with excited merged in) has 5,531 utterances; the classes are unbalanced, so WA and UA "
        "differ. Besides leave-speaker-out folds, IEMOCAP is often reported leave-one-session-out "
        "(`fold_protocol=\"session\"`)."),
    "ravdess": (
        "RAVDESS (speech part): 24 actors (odd numbers male) speak two English statements in eight "
        "emotions (neutral, calm, happy, sad, angry, fearful, disgust, surprised) at two intensities, "
        "twice each; 1,440 clips."),
    "emodb": (
        "Berlin EmoDB: ten German actors (five female) speak ten sentences in seven emotions (anger, "
        "boredom, disgust, fear, happiness, sadness, neutral); 535 clips. Boredom has no name in the "
        "shared schema and appears as `other`."),
    "cafe": (
        "CaFE: twelve actors (odd numbers male) speak six Canadian-French sentences in seven emotions, "
        "at two intensities except neutral; 936 clips."),
    "emovo": (
        "EMOVO: six Italian actors (three female) speak fourteen sentences in seven emotions; 588 clips."),
    "emozionalmente": (
        "Emozionalmente: 431 non-professional Italian speakers, recruited by a crowdsourcing campaign "
        "and recorded on their own equipment, act 18 everyday sentences in seven emotions (anger, disgust, "
        "fear, joy, sadness, surprise, neutrality); 6,902 clips, from one to about a hundred per speaker. "
        "The label is the emotion the speaker was asked to act, taken from the corpus's metadata table; "
        "listeners recognised it 66% of the time (unweighted average recall)."),
    "bhavvani": (
        "BhavVani: Hindi speech from a television serial, labelled with seven emotions; a gated corpus "
        "read from its annotation CSV."),
}

#: Sentence codes of the corpora whose file names carry a code instead of the text.
SENTENCES = {
    "crema-d": {"IEO": "It's eleven o'clock", "TIE": "That is exactly what happened",
                "IOM": "I'm on my way to the meeting", "IWW": "I wonder what this is about",
                "TAI": "The airplane is almost full", "MTI": "Maybe tomorrow it will be cold",
                "IWL": "I would like a new alarm clock", "ITH": "I think I have a doctor's appointment",
                "DFA": "Don't forget a jacket", "ITS": "I think I've seen this before",
                "TSI": "The surface is slick", "WSI": "We'll stop in a couple of minutes"},
    "ravdess": {"01": "Kids are talking by the door", "02": "Dogs are sitting by the door"},
}


def corpus_family(corpus: str) -> str:
    """``synthetic-small`` and other renders of the generator count as ``synthetic``."""
    return "synthetic" if corpus.startswith("synthetic") else corpus


def is_synthetic(manifest: pd.DataFrame) -> bool:
    return set(manifest["corpus"].astype(str)) == {"synthetic"}


def describe_corpus(corpus: str, manifest: pd.DataFrame) -> str:
    """The corpus's paragraph, and a sentence on what its clips were rendered from when a
    synthetic corpus stands in for a real one's layout (tests, demos)."""
    family = corpus_family(corpus)
    text = DESCRIPTIONS.get(family, f"Corpus `{corpus}` (no description on file).")
    if family != "synthetic" and _rendered_by_layouts(manifest):
        text += (" **These files are synthetic clips written under this corpus's official names** "
                 "(`data_prep.synthetic.layouts`): the layout is real, the voices are not.")
    return text


def _rendered_by_layouts(manifest: pd.DataFrame) -> bool:
    """True when the manifest's clips sit below a folder written by ``data_prep.synthetic.layouts``."""

    if manifest.empty:
        return False
    return any((parent / LAYOUT_FILE).is_file() for parent in Path(str(manifest["path"].iloc[0])).parents)


def spoken_text(corpus: str, row) -> str:
    """What the clip says: its sentence text, the text behind its sentence code, or the code."""
    code = str(getattr(row, "sentence", "") or "")
    return SENTENCES.get(corpus_family(str(getattr(row, "corpus", corpus))), {}).get(code, code)


def listening_examples(manifest: pd.DataFrame) -> pd.DataFrame:
    """One clip per emotion from one speaker (the speaker who covers most emotions), the same
    sentence where the corpus has one in common, in schema order."""

    per = manifest.groupby("speaker")["emotion"].nunique()
    speaker = per.sort_values(ascending=False, kind="stable").index[0]
    one = manifest[manifest["speaker"] == speaker]
    if "sentence" in one.columns:
        covered = one.groupby("sentence")["emotion"].nunique().sort_values(ascending=False, kind="stable")
        best = covered.index[0]
        one = pd.concat([one[one["sentence"] == best], one[one["sentence"] != best]])
    picked = one.drop_duplicates("emotion")
    order = {e: i for i, e in enumerate(emotion_order(picked["emotion"]))}
    return picked.sort_values("emotion", key=lambda s: s.map(order)).reset_index(drop=True)


def corpus_table(info: dict | None = None) -> pd.DataFrame:
    """The corpora the loaders know, in five short columns that fit a phone screen:
    speakers as "total (female/male)", and a dash where a corpus publishes no figure."""

    def num(v):
        return "-" if v is None else f"{v:,}"

    rows = {}
    for key, c in (info or CORPUS_INFO).items():
        speakers = num(c.get("speakers"))
        if c.get("female_speakers") is not None:
            speakers += f" ({c['female_speakers']}/{c['male_speakers']})"
        rows[c.get("name", key)] = {"parameter": key, "lang.": c.get("language") or "several",
                                    "clips": num(c.get("clips")), "speakers (F/M)": speakers,
                                    "emotions": num(c.get("emotions"))}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("corpus")
