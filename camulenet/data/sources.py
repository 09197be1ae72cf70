"""Where each corpus comes from: the publishers' own files, their checksums, licence and citation.

``python -m camulenet fetch`` downloads only what is listed here, and checks every file
against the checksum its publisher states: the md5 Zenodo lists for RAVDESS and
Emozionalmente, and for CREMA-D the sha256 in the Git LFS pointer of each WAV in the
corpus's repository (read once into ``crema_d_files.csv`` by ``scripts/crema_d_checksums.py``).
A corpus whose publisher gives no checksum is not downloaded blind: it is *manual*, and
fetch says where to get it and where to put it (``fetch --from FILE`` unpacks an archive the
user downloaded). IEMOCAP and BhavVani are *gated*: their licence has to be requested.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

OPEN, MANUAL, GATED = "open", "manual", "gated"
#: Hex digits of the checksums a publisher may state, by algorithm.
DIGEST_LENGTH = {"md5": 32, "sha256": 64}

#: One line per file CREMA-D's fetch downloads: path in the corpus, size, sha256 (Git LFS pointers).
CREMA_D_FILES = Path(__file__).with_name("crema_d_files.csv")
#: The commit of github.com/CheyneyComputerScience/CREMA-D whose pointers gave crema_d_files.csv.
CREMA_D_COMMIT = "1658cd342dff90010aa843eaeebd53610a08b1dc"
#: The plain (not LFS) files of that repository the fetch takes besides AudioWAV/.
CREMA_D_PLAIN = ("LICENSE.txt", "VideoDemographics.csv")


@dataclass(frozen=True)
class Remote:
    """One file to download: its URL, the publisher's checksum (``md5:...`` or ``sha256:...``; None
    where the publisher states none), its size in bytes, and its ``path`` inside the corpus folder,
    or None for an archive that is downloaded as ``name`` and unpacked."""

    url: str
    name: str
    checksum: str | None
    size: int
    path: str | None = None


@dataclass(frozen=True)
class Source:
    """A corpus as its publisher distributes it.

    ``marker`` names (glob patterns) that the corpus folder holds when unpacked right;
    unpacking descends into an archive's top folders until they are all there. ``note`` says,
    for a manual or gated corpus, why it is not downloaded and how to get it.
    """

    corpus: str
    title: str
    landing: str
    licence: str
    citation: str
    files: tuple[Remote, ...] = ()
    marker: tuple[str, ...] = ()
    gated: bool = False
    note: str = ""
    #: clips, their mean length in seconds and the WAVs' sample rate, as the publisher states
    #: them (None where it does not): what a CPU needs for the corpus is predicted from them
    clips: int | None = None
    mean_seconds: float | None = None
    sample_rate: int | None = None

    @property
    def access(self) -> str:
        if self.gated:
            return GATED
        return OPEN if self.files and all(f.checksum for f in self.files) else MANUAL

    @property
    def download_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def audio_seconds(self) -> float | None:
        return self.clips * self.mean_seconds if self.clips and self.mean_seconds else None

    @property
    def wav_bytes(self) -> float | None:
        """Bytes of the corpus unpacked: its 16-bit mono WAVs, headers included."""
        if not self.audio_seconds or not self.sample_rate:
            return None
        return self.audio_seconds * self.sample_rate * SAMPLE_BYTES + WAV_HEADER * self.clips

    @property
    def archives(self) -> tuple[Remote, ...]:
        return tuple(f for f in self.files if f.path is None)


#: bytes of a canonical WAV header, before the samples; every corpus here stores 16-bit samples
WAV_HEADER, SAMPLE_BYTES = 44, 2


def _wav_sizes(files: tuple[Remote, ...], sample_rate: int) -> dict:
    """``clips`` and ``mean_seconds`` of the mono WAVs among ``files``, from their byte sizes
    (for CREMA-D, whose Git LFS pointers state each WAV's size); nothing when none is listed."""
    sizes = [f.size for f in files if f.name.endswith(".wav")]
    if not sizes:
        return {}
    return {"clips": len(sizes),
            "mean_seconds": sum(size - WAV_HEADER for size in sizes) / (SAMPLE_BYTES * sample_rate) / len(sizes)}


def _crema_d_files() -> tuple[Remote, ...]:
    """CREMA-D's WAVs from GitHub's LFS media host, its plain files from the raw host, both at the
    commit whose pointers gave the checksums. Without the list (a broken install) CREMA-D is manual."""
    if not CREMA_D_FILES.is_file():
        return ()
    media = f"https://media.githubusercontent.com/media/CheyneyComputerScience/CREMA-D/{CREMA_D_COMMIT}/"
    raw = f"https://raw.githubusercontent.com/CheyneyComputerScience/CREMA-D/{CREMA_D_COMMIT}/"
    with open(CREMA_D_FILES, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return tuple(Remote(url=(raw if r["path"] in CREMA_D_PLAIN else media) + r["path"], name=r["path"].rsplit("/", 1)[-1],
                        checksum=f"sha256:{r['sha256']}", size=int(r["size"]), path=r["path"]) for r in rows)


_CREMA_D_REMOTES = _crema_d_files()  # its WAVs and the two plain files

_CC_BY_NC_SA = ("Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International (CC BY-NC-SA 4.0), "
                "https://creativecommons.org/licenses/by-nc-sa/4.0/")

SOURCES: dict[str, Source] = {s.corpus: s for s in (
    Source(
        corpus="ravdess", title="RAVDESS, audio-only speech (Audio_Speech_Actors_01-24.zip)",
        landing="https://doi.org/10.5281/zenodo.1188976",
        licence=_CC_BY_NC_SA + "; commercial licences from the authors (ravdess@gmail.com).",
        citation=("Livingstone SR, Russo FA (2018). The Ryerson Audio-Visual Database of Emotional Speech and Song "
                  "(RAVDESS): A dynamic, multimodal set of facial and vocal expressions in North American English. "
                  "PLoS ONE 13(5): e0196391. https://doi.org/10.1371/journal.pone.0196391. "
                  "Data: https://doi.org/10.5281/zenodo.1188976"),
        files=(Remote("https://zenodo.org/records/1188976/files/Audio_Speech_Actors_01-24.zip?download=1",
                      "Audio_Speech_Actors_01-24.zip", "md5:bc696df654c87fed845eb13823edef8a", 208_468_073),),
        marker=("Actor_*",),
        # 1440 clips of 16-bit 48 kHz audio (the Zenodo record); the record states no mean length:
        # 3.7 s is the one usually reported for the speech clips (each a 3-5 s statement)
        clips=1440, mean_seconds=3.7, sample_rate=48_000),
    Source(
        corpus="crema-d", title="CREMA-D (AudioWAV/ and the actor table)",
        landing="https://github.com/CheyneyComputerScience/CREMA-D",
        licence=("Open Database License (ODbL 1.0), http://opendatacommons.org/licenses/odbl/1.0/; rights in "
                 "individual contents under the Database Contents License (DbCL 1.0), "
                 "http://opendatacommons.org/licenses/dbcl/1.0/"),
        citation=("Cao H, Cooper DG, Keutmann MK, Gur RC, Nenkova A, Verma R (2014). CREMA-D: Crowd-sourced Emotional "
                  "Multimodal Actors Dataset. IEEE Transactions on Affective Computing 5(4): 377-390. "
                  "https://doi.org/10.1109/TAFFC.2014.2336244"),
        files=_CREMA_D_REMOTES, marker=("AudioWAV", "VideoDemographics.csv"),
        **_wav_sizes(_CREMA_D_REMOTES, 16_000), sample_rate=16_000,
        note=("Manual route: `git lfs clone https://github.com/CheyneyComputerScience/CREMA-D` and link the clone "
              "at data/corpora/crema-d (it holds AudioWAV/ and VideoDemographics.csv).")),
    Source(
        corpus="emozionalmente", title="Emozionalmente (emozionalmente.zip, version 1.1)",
        landing="https://doi.org/10.5281/zenodo.12616095",
        licence=("Creative Commons Attribution 4.0 International (CC BY 4.0), https://creativecommons.org/licenses/"
                 "by/4.0/, as listed on the Zenodo record"),
        citation=("Catania F, Wilke JW, Garzotto F (2025). Emozionalmente: A Crowdsourced Corpus of Simulated "
                  "Emotional Speech in Italian. IEEE Transactions on Audio, Speech and Language Processing 33: "
                  "1142-1155. https://doi.org/10.1109/TASLPRO.2025.3540662. "
                  "Data: https://doi.org/10.5281/zenodo.12616095"),
        # Zenodo shows the size rounded (558.9 MB): the checksum, not the size, proves the file
        files=(Remote("https://zenodo.org/records/12616095/files/emozionalmente.zip?download=1",
                      "emozionalmente.zip", "md5:398c6502dd2b0e1e810f927c12897547", 558_900_000),),
        marker=("audio", "metadata"),
        clips=6902, mean_seconds=3.81, sample_rate=16_000),  # the Zenodo record: mean 3.81 s, 16-bit 16 kHz
    Source(
        corpus="cafe", title="CaFE, 48 kHz edition (CaFE_48k.zip)",
        landing="https://doi.org/10.5281/zenodo.1478765",
        licence=_CC_BY_NC_SA + " (see the Zenodo record)",
        citation=("Gournay P, Lahaie O, Lefebvre R (2018). A Canadian French Emotional Speech Dataset. Proc. 9th ACM "
                  "Multimedia Systems Conference (MMSys '18): 399-402. https://doi.org/10.1145/3204949.3208121"),
        files=(Remote("https://zenodo.org/records/1478765/files/CaFE_48k.zip?download=1", "CaFE_48k.zip", None,
                      0),),
        marker=("Neutre",),
        note=("No md5 of CaFE_48k.zip could be read from Zenodo's metadata when this source was written, so it is "
              "not downloaded blind. Download https://zenodo.org/records/1478765/files/CaFE_48k.zip?download=1, "
              "compare its md5 with the one the record page lists, then `python -m camulenet fetch cafe --from "
              "CaFE_48k.zip` unpacks it into data/corpora/cafe (its DOS-code-page folder names decoded).")),
    Source(
        corpus="emodb", title="Berlin EmoDB (download.zip)",
        landing="http://emodb.bilderbar.info/",
        licence="Free for research from the authors' site; see http://emodb.bilderbar.info/ for the terms",
        citation=("Burkhardt F, Paeschke A, Rolfes M, Sendlmeier WF, Weiss B (2005). A database of German emotional "
                  "speech. Proc. Interspeech 2005: 1517-1520. https://doi.org/10.21437/Interspeech.2005-446"),
        files=(Remote("http://emodb.bilderbar.info/download/download.zip", "download.zip", None, 0),),
        marker=("wav",),
        note=("The authors publish no checksum of download.zip, so it is not downloaded blind. Download "
              "http://emodb.bilderbar.info/download/download.zip (about 40 MB), then `python -m camulenet fetch "
              "emodb --from download.zip` unpacks it into data/corpora/emodb (which then holds wav/03a01Fa.wav ...).")),
    Source(
        corpus="emovo", title="EMOVO",
        landing="https://aclanthology.org/L14-1478/",
        licence="The authors' terms (Fondazione Ugo Bordoni); see the LREC 2014 paper",
        citation=("Costantini G, Iaderola I, Paoloni A, Todisco M (2014). EMOVO Corpus: an Italian Emotional Speech "
                  "Database. Proc. LREC 2014: 3501-3504."),
        marker=("f1", "m1"),
        note=("No source found that still serves EMOVO with a published checksum. Ask its authors for a copy, "
              "then `python -m camulenet fetch emovo --from <archive.zip>` unpacks it, or put its actor folders "
              "(f1/ ... m3/) at data/corpora/emovo yourself.")),
    Source(
        corpus="iemocap", title="IEMOCAP (IEMOCAP_full_release)",
        landing="https://sail.usc.edu/iemocap/iemocap_release.htm",
        licence="The IEMOCAP release agreement of the SAIL lab, University of Southern California (research use)",
        citation=("Busso C, Bulut M, Lee C-C, Kazemzadeh A, Mower E, Kim S, Chang JN, Lee S, Narayanan SS (2008). "
                  "IEMOCAP: Interactive emotional dyadic motion capture database. Language Resources and Evaluation "
                  "42(4): 335-359. https://doi.org/10.1007/s10579-008-9076-6"),
        gated=True,
        note=("Request it through the release form at https://sail.usc.edu/iemocap/iemocap_release.htm "
              "(the lab sends a download link once the agreement is accepted). Unpack it and put the content of "
              "IEMOCAP_full_release (Session1/ ... Session5/) at data/corpora/iemocap, or link it there.")),
    Source(
        corpus="bhavvani", title="BhavVani (Hindi)",
        landing="https://doi.org/10.21437/Interspeech.2024-1820",
        licence="Gated: the terms its authors grant with access",
        citation=("Goel A, Hira M, Gupta A (2024). BhavVani: a Hindi speech emotion recognition dataset. Released "
                  "with CAMuLeNet (Proc. Interspeech 2024: 2340-2344), https://doi.org/10.21437/Interspeech.2024-1820; "
                  "arXiv:2406.08931"),
        gated=True,
        note=("Request access from its authors (Goel, Hira and Gupta, the CAMuLeNet paper, "
              "arXiv:2406.08931). Put its audio and its one annotation CSV at data/corpora/bhavvani.")),
)}


def get_source(corpus: str) -> Source:
    if corpus not in SOURCES:
        raise KeyError(f"no known source for corpus {corpus!r}; fetch knows {sorted(SOURCES)}")
    return SOURCES[corpus]
