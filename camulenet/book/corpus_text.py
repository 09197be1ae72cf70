"""Per-corpus prose for the book: what the corpus is, the spoken text of its sentence codes,
and the licence and attribution of its audio.

The chapters run on whatever corpus the ``corpus`` parameter names, so nothing they print
may assume the synthetic one: descriptions come from here, counts from the manifest. A page
that plays a corpus's clips redistributes them, so it carries their licence and attribution.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from camulenet.config import is_csv_corpus
from camulenet.data.schema import EMOTIONS, UNKNOWN_GENDER, emotion_order
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


@dataclass(frozen=True)
class AudioTerms:
    """Under what terms a corpus's audio may be played on a published page.

    ``redistribute``: True when the licence lets a page embed the clips (with attribution),
    False when it forbids it (a licence agreement per user), None when this book has not
    checked the publisher's terms."""
    licence: str
    url: str
    attribution: str
    redistribute: bool | None


#: The terms of each corpus's audio, from the publishers' own pages (``url``).
AUDIO_TERMS = {
    "synthetic": AudioTerms(
        "MIT (the licence of this repository)", "https://opensource.org/license/mit",
        "clips rendered by this book's generator (`data_prep.synthetic`) with the eSpeak NG synthesiser; "
        "no person's voice is recorded", True),
    "ravdess": AudioTerms(
        "CC BY-NC-SA 4.0", "https://creativecommons.org/licenses/by-nc-sa/4.0/",
        "Livingstone SR, Russo FA (2018), The Ryerson Audio-Visual Database of Emotional Speech and Song "
        "(RAVDESS), PLoS ONE 13(5): e0196391, https://doi.org/10.1371/journal.pone.0196391; "
        "data at https://zenodo.org/record/1188976", True),
    "crema-d": AudioTerms(
        "Open Database License 1.0, its contents under the Database Contents License 1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
        "Cao H, Cooper DG, Keutmann MK, Gur RC, Nenkova A, Verma R (2014), CREMA-D: Crowd-sourced Emotional "
        "Multimodal Actors Dataset, IEEE Transactions on Affective Computing 5(4); "
        "data at https://github.com/CheyneyComputerScience/CREMA-D", True),
    "iemocap": AudioTerms(
        "the IEMOCAP release agreement, signed by each user", "https://sail.usc.edu/iemocap/",
        "Busso C et al. (2008), IEMOCAP: Interactive emotional dyadic motion capture database, "
        "Language Resources and Evaluation 42(4)", False),
    "bhavvani": AudioTerms(
        "a licence agreement with its authors, signed by each user", "",
        "the BhavVani corpus of Hindi emotional speech", False),
    "emodb": AudioTerms(
        "the terms on the publisher's page", "http://emodb.bilderbar.info/",
        "Burkhardt F, Paeschke A, Rolfes M, Sendlmeier WF, Weiss B (2005), A database of German emotional "
        "speech, Proc. Interspeech 2005, https://doi.org/10.21437/Interspeech.2005-446", None),
    "cafe": AudioTerms(
        "the terms on the publisher's page", "https://zenodo.org/record/1478765",
        "Gournay P, Lahaie O, Lefebvre R (2018), A Canadian French emotional speech dataset, "
        "Proc. ACM Multimedia Systems 2018, https://doi.org/10.1145/3204949.3208121", None),
    "emovo": AudioTerms(
        "the terms on the publisher's page", "http://voice.fub.it/activities/corpora/emovo/index.html",
        "Costantini G, Iaderola I, Paoloni A, Todisco M (2014), EMOVO Corpus: an Italian Emotional Speech "
        "Database, Proc. LREC 2014", None),
    "emozionalmente": AudioTerms(
        "the terms on the publisher's page", "https://zenodo.org/records/6569824",
        "Catania F, Wilke JW, Garzotto F (2025), Emozionalmente: A Crowdsourced Corpus of Simulated Emotional "
        "Speech in Italian, IEEE Transactions on Audio, Speech and Language Processing 33, "
        "https://doi.org/10.1109/TASLPRO.2025.3540662", None),
}


def audio_terms_text(corpus: str, manifest: pd.DataFrame, max_seconds: float) -> str:
    """The licence and attribution line beside a gallery of ``corpus``'s clips (Markdown):
    who made the audio, its licence, what the page changed, and whether a page that plays it
    may be published. Clips that a synthetic corpus wrote under a real corpus's names carry
    the synthetic corpus's terms."""
    family = corpus_family(corpus)
    rendered = family != "synthetic" and _rendered_by_layouts(manifest)
    terms = AUDIO_TERMS.get("synthetic" if rendered else family)
    changed = f"each player plays at most the first {max_seconds:g} s of its clip, resampled to 16 kHz mono"
    if terms is None:
        return (f"*Audio:* clips of `{corpus}` ({changed}). This book has no licence on file for this corpus: "
                "check that its licence lets you redistribute its audio before you publish this page.")
    licence = f"[{terms.licence}]({terms.url})" if terms.url else terms.licence
    text = f"*Audio:* {terms.attribution}. Licence: {licence}. Changes: {changed}"
    text += (", and shared under the same licence." if terms.licence.startswith("CC BY") and "SA" in terms.licence
             else ".")
    if rendered:
        text += f" (Synthetic voices under {corpus}'s file names: no {corpus} audio is played.)"
    elif terms.redistribute is False:
        text += (" **Do not publish this page**: the licence gives the audio to each signed user and does not "
                 "allow passing it on. Publish a book built on an open corpus instead.")
    elif terms.redistribute is None:
        text += " Check that these terms let you redistribute the audio before you publish this page."
    return text


def corpus_family(corpus: str) -> str:
    """``synthetic-small`` and other renders of the generator count as ``synthetic``."""
    return "synthetic" if corpus.startswith("synthetic") else corpus


def is_synthetic(manifest: pd.DataFrame) -> bool:
    return set(manifest["corpus"].astype(str)) == {"synthetic"}


def describe_corpus(corpus: str, manifest: pd.DataFrame) -> str:
    """The corpus's paragraph, and a sentence on what its clips were rendered from when a
    synthetic corpus stands in for a real one's layout (tests, demos)."""
    family = corpus_family(corpus)
    if is_csv_corpus(corpus):
        return describe_csv_corpus(corpus, manifest)
    text = DESCRIPTIONS.get(family, f"Corpus `{corpus}` (no description on file).")
    if family != "synthetic" and _rendered_by_layouts(manifest):
        text += (" **These files are synthetic clips written under this corpus's official names** "
                 "(`data_prep.synthetic.layouts`): the layout is real, the voices are not.")
    return text


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def describe_csv_corpus(corpus: str, manifest: pd.DataFrame) -> str:
    """A paragraph on a corpus brought as a CSV, from its manifest alone: where it was read
    from (file names, never a folder of the machine), its size, voices, languages and labels."""
    files = [Path(str(f)) for f in (manifest.attrs.get("manifest"), manifest.attrs.get("label_map")) if f]
    source = (f"read from `{files[0].parent.name}/{files[0].name}`" if files else "read from its manifest CSV")
    if len(files) > 1:
        source += f" with the label map `{files[1].name}`"
    genders = manifest.groupby("speaker")["gender"].first().value_counts()
    voices = ", ".join(f"{genders[g]} {'of unknown gender' if g == UNKNOWN_GENDER else g}"
                       for g in ("female", "male", UNKNOWN_GENDER) if g in genders)
    languages = sorted(manifest["language"].astype(str).unique())
    text = (f"Your own corpus `{corpus}`, {source}: {_plural(len(manifest), 'clip')} from "
            f"{_plural(manifest['speaker'].nunique(), 'speaker')} ({voices}) in "
            f"{_plural(len(languages), 'language')} ({', '.join(languages)}), labelled with "
            f"{_plural(manifest['emotion'].nunique(), 'emotion')} ({', '.join(emotion_order(manifest['emotion']))}).")
    if "label" in manifest.columns:
        pairs = manifest[["label", "emotion"]].drop_duplicates().sort_values("emotion", key=lambda e: e.map(
            {x: i for i, x in enumerate(EMOTIONS)}))
        mapped = [f"{a} \u2192 {b}" for a, b in pairs.itertuples(index=False) if a != b]
        if mapped:
            text += f" Your labels map to the shared names as {', '.join(mapped)}."
    if UNKNOWN_GENDER in genders:
        text += (" Clips of unknown gender train no gender head and count in no gender accuracy; the "
                 "CAMuLeNet variants' comparison of multitask learning rests on the others.")
    return text + (" The name ends in a hash of the CSV, its label map and its folder: editing either file, "
                   "or moving the folder, gives a new name, so nothing made from the old files is reused.")


def _rendered_by_layouts(manifest: pd.DataFrame) -> bool:
    """True when the manifest's clips sit below a folder written by ``data_prep.synthetic.layouts``."""

    if manifest.empty:
        return False
    return any((parent / LAYOUT_FILE).is_file() for parent in Path(str(manifest["path"].iloc[0])).parents)


def spoken_text(corpus: str, row) -> str:
    """What the clip says: its sentence text, the text behind its sentence code, or the code."""
    code = str(getattr(row, "sentence", "") or "")
    return SENTENCES.get(corpus_family(str(getattr(row, "corpus", corpus))), {}).get(code, code)


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


def voices(corpus: str, manifest: pd.DataFrame) -> str:
    """What a corpus's clips are: ``synthetic voices`` (the generator, or its clips written under a
    real corpus's file names) or ``recorded speech``."""
    synthetic = corpus_family(corpus) == "synthetic" or is_synthetic(manifest) or _rendered_by_layouts(manifest)
    return "synthetic voices" if synthetic else "recorded speech"
