"""Each real corpus's naming scheme: speaker slots, emotion codes, file names, label files.

Why separate: :mod:`data_prep.synthetic.layouts` plans and writes a render; this module
only knows names. Codes come from the loaders' own tables so the two cannot drift apart.
A ``Layout`` keeps to the corpus's scheme (EmoDB's ten speaker ids, RAVDESS's intensity x
statement x repetition, CREMA-D's twelve sentences, ...) and says how many speakers and
clips per emotion it can name, so that a render leaves out (and reports) what does not fit
rather than inventing codes the corpus does not have.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from camulenet.data.schema import EMOTIONS, GENDERS
from data_prep.loaders import bhavvani, cafe, crema_d, emodb, emovo, emozionalmente, iemocap, ravdess


def _inverse(codes: dict[str, str], drop=()) -> dict[str, str]:
    """schema emotion -> corpus code, from a loader's code -> emotion table."""
    return {emo: code for code, emo in codes.items() if code not in drop}


class Layout:
    """One corpus's naming scheme. ``per_gender``: speaker slots per gender (None: any)."""
    name: str
    per_gender: int | None = None
    codes: dict[str, str]
    dirs: tuple[str, ...] = ()

    def capacity(self, emotion: str) -> int | None:
        """Official names available per speaker and emotion (None: unlimited)."""
        return None

    def speaker_ids(self, female: list[str], male: list[str]) -> dict[str, str]:
        """synthetic speaker -> corpus speaker token, in the order given."""
        raise NotImplementedError

    def loader_speaker(self, token: str, gender: str) -> str:
        """The ``speaker`` value the corpus loader reports for ``token``."""
        return f"{self.name}_{token}"

    def relpath(self, token: str, gender: str, emotion: str, k: int) -> str:
        raise NotImplementedError

    def side_files(self, clips: list[dict], speakers: dict[str, dict]) -> dict[str, str]:
        """Label/metadata files: relative path -> text."""
        return {}


class CremaD(Layout):
    name, codes = "crema-d", _inverse(crema_d.EMOTIONS)
    #: The twelve sentence codes; IEO (the only one with LO/MD/HI levels) first.
    SENTENCES = ("IEO", "TIE", "IOM", "IWW", "TAI", "MTI", "IWL", "ITH", "DFA", "ITS", "TSI", "WSI")
    dirs = ("AudioWAV",)

    def _slots(self, emotion: str) -> list[tuple[str, str]]:
        if emotion == "neutral":
            return [(s, "XX") for s in self.SENTENCES]
        return ([("IEO", "MD")] + [(s, "XX") for s in self.SENTENCES[1:]]
                + [("IEO", "LO"), ("IEO", "HI")])

    def capacity(self, emotion):
        return len(self._slots(emotion))

    def speaker_ids(self, female, male):
        return {s: str(1001 + i) for i, s in enumerate(_interleave(female, male))}

    def relpath(self, token, gender, emotion, k):
        sentence, level = self._slots(emotion)[k]
        return f"AudioWAV/{token}_{sentence}_{self.codes[emotion]}_{level}.wav"

    def side_files(self, clips, speakers):
        rows = sorted((v["token"], v["gender"]) for v in speakers.values())
        # Synthetic voices have no age, race or ethnicity: Age left empty, the rest Unknown.
        lines = ['"ActorID","Age","Sex","Race","Ethnicity"']
        lines += [f'{a},,"{g.capitalize()}","Unknown","Unknown"' for a, g in rows]
        return {"VideoDemographics.csv": "\n".join(lines) + "\n"}


class Ravdess(Layout):
    name, per_gender, codes = "ravdess", 12, _inverse(ravdess.EMOTIONS)

    def capacity(self, emotion):
        return 4 if emotion == "neutral" else 8   # neutral has no strong intensity

    def speaker_ids(self, female, male):
        ids = {s: f"{2 * i + 2:02d}" for i, s in enumerate(female)}  # even actor = female
        ids.update({s: f"{2 * i + 1:02d}" for i, s in enumerate(male)})
        return ids

    def relpath(self, token, gender, emotion, k):
        stmt, rep, inten = k % 2 + 1, (k // 2) % 2 + 1, k // 4 + 1
        return (f"Actor_{token}/03-01-{self.codes[emotion]}-{inten:02d}-{stmt:02d}-{rep:02d}-"
                f"{token}.wav")


class EmoDB(Layout):
    name, per_gender, codes = "emodb", 5, _inverse(emodb.EMOTIONS, drop=("L",))  # L = boredom
    TEXTS = ("a01", "a02", "a04", "a05", "a07", "b01", "b02", "b03", "b09", "b10")
    dirs = ("wav",)

    def capacity(self, emotion):
        return len(self.TEXTS) * 26   # versions a..z

    def speaker_ids(self, female, male):
        by_gender = {g: sorted(s for s, x in emodb.GENDERS.items() if x == g) for g in GENDERS}
        return {**dict(zip(female, by_gender["female"])), **dict(zip(male, by_gender["male"]))}

    def relpath(self, token, gender, emotion, k):
        text, version = self.TEXTS[k % len(self.TEXTS)], chr(ord("a") + k // len(self.TEXTS))
        return f"wav/{token}{text}{self.codes[emotion]}{version}.wav"


class Iemocap(Layout):
    """Session n holds the n-th female and the n-th male speaker; sessions without
    speakers are written as empty folders, which the loader accepts (a missing
    session folder it refuses)."""
    name, per_gender = "iemocap", 5
    codes = _inverse(iemocap.LABELS)
    dirs = tuple(d for n in range(1, 6) for d in (f"Session{n}/dialog/EmoEvaluation",
                                                   f"Session{n}/sentences/wav"))
    #: Plausible valence/activation/dominance (1-5) per label; the loader only parses them.
    VAD = {"neu": (3.0, 2.5, 2.5), "ang": (1.5, 4.0, 4.0), "hap": (4.0, 3.5, 3.0),
           "sad": (1.5, 2.0, 2.0), "fea": (1.5, 3.5, 2.0), "dis": (1.5, 3.0, 3.5)}

    def speaker_ids(self, female, male):
        ids = {s: f"Ses{i + 1:02d}F" for i, s in enumerate(female)}
        ids.update({s: f"Ses{i + 1:02d}M" for i, s in enumerate(male)})
        return ids

    def relpath(self, token, gender, emotion, k):
        session, letter = token[:5], token[5]
        dialog = f"{session}{'FM'[k % 2]}_impro{k // 2 + 1:02d}"   # both actors lead in turn
        utt = f"{dialog}_{letter}{EMOTIONS.index(emotion):03d}"
        return f"Session{int(session[3:])}/sentences/wav/{dialog}/{utt}.wav"

    def side_files(self, clips, speakers):
        dialogs: dict[str, list[dict]] = {}
        for c in clips:
            dialogs.setdefault(c["relpath"].split("/")[3], []).append(c)
        files = {}
        for dialog in sorted(dialogs):
            turns = sorted(dialogs[dialog], key=lambda c: (Path(c["relpath"]).stem[-3:],
                                                            Path(c["relpath"]).stem[-4]))
            lines, t = ["% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]", ""], 0.0
            for c in turns:
                code = self.codes[c["emotion"]]
                vad = ", ".join(f"{x:.4f}" for x in self.VAD.get(code, (3.0, 3.0, 3.0)))
                start, end = t, t + c["duration"]
                lines += [f"[{start:.4f} - {end:.4f}]\t{Path(c['relpath']).stem}\t{code}\t[{vad}]", ""]
                t = end + 0.5
            session = dialog[3:5].lstrip("0")
            files[f"Session{session}/dialog/EmoEvaluation/{dialog}.txt"] = "\n".join(lines)
        return files

    def loader_speaker(self, token, gender):
        return f"iemocap_{token}"


class Cafe(Layout):
    name, per_gender, codes = "cafe", 6, _inverse(cafe.EMOTIONS)
    dirs = tuple(f"{cafe.FOLDERS[c]}/{i}" if c != "N" else cafe.FOLDERS[c]
                 for c in sorted(cafe.FOLDERS) for i in (("Faible", "Fort") if c != "N" else ("",)))

    def capacity(self, emotion):
        return 6 if emotion == "neutral" else 12   # six sentences, x2 intensities

    def speaker_ids(self, female, male):
        return Ravdess.speaker_ids(self, female, male)   # odd actor = male, as in RAVDESS

    def relpath(self, token, gender, emotion, k):
        code = self.codes[emotion]
        if code == "N":
            return f"{cafe.FOLDERS[code]}/{token}-N-{k + 1}.wav"
        inten = k // 6 + 1
        return (f"{cafe.FOLDERS[code]}/{('Faible', 'Fort')[inten - 1]}/"
                f"{token}-{code}-{inten}-{k % 6 + 1}.wav")


class Emovo(Layout):
    name, per_gender, codes = "emovo", 3, _inverse(emovo.EMOTIONS)
    SENTENCES = ("b1", "b2", "b3", "l1", "l2", "l3", "l4", "n1", "n2", "n3", "n4", "n5", "d1", "d2")
    dirs = emovo.ACTORS

    def capacity(self, emotion):
        return len(self.SENTENCES)

    def speaker_ids(self, female, male):
        return {**{s: f"f{i + 1}" for i, s in enumerate(female)},
                **{s: f"m{i + 1}" for i, s in enumerate(male)}}

    def relpath(self, token, gender, emotion, k):
        return f"{token}/{self.codes[emotion]}-{token}-{self.SENTENCES[k]}.wav"


class Emozionalmente(Layout):
    """``audio/<recording time>.wav`` plus the two metadata tables the loader reads. The
    corpus names each file after the moment its web app recorded it; the render uses
    millisecond Unix times made from the speaker, emotion and take, so they never collide.
    Speakers are usernames; ``users.csv`` leaves age empty (synthetic voices have none)."""
    name, codes = "emozionalmente", _inverse(emozionalmente.EMOTIONS)
    dirs = ("audio", "metadata")
    _EPOCH_MS = 1_600_000_000_000

    def speaker_ids(self, female, male):
        return {s: f"user{i + 1:03d}" for i, s in enumerate(_interleave(female, male))}

    def relpath(self, token, gender, emotion, k):
        stamp = (self._EPOCH_MS + int(token[len("user"):]) * 10_000_000
                 + EMOTIONS.index(emotion) * 100_000 + k * 100)
        return f"audio/{stamp}.wav"

    def side_files(self, clips, speakers):
        samples = pd.DataFrame(
            [{"file_name": Path(c["relpath"]).name, "actor": c["token"], "sentence": c.get("text", ""),
              "emotion_expressed": self.codes[c["emotion"]]} for c in clips],
            columns=list(emozionalmente.SAMPLE_COLUMNS)).sort_values("file_name")
        users = pd.DataFrame(
            sorted((v["token"], v["gender"], "", "") for v in speakers.values()),
            columns=[*emozionalmente.USER_COLUMNS, "mother_tongue"])
        return {emozionalmente.SAMPLES: samples.to_csv(index=False, lineterminator="\n"),
                emozionalmente.USERS: users.to_csv(index=False, lineterminator="\n")}


class BhavVani(Layout):
    """The release layout is not public; this writes what the loader reads by default:
    one annotation CSV (path, speaker, gender, emotion) and the audio below ``audio/``."""
    name = "bhavvani"
    codes = {e: e for e in EMOTIONS if e in bhavvani.DEFAULT_LABEL_MAP.values()}

    def speaker_ids(self, female, male):
        return {s: f"S{i + 1:02d}" for i, s in enumerate(_interleave(female, male))}

    def relpath(self, token, gender, emotion, k):
        return f"audio/{token}/{token}_{emotion}_{k:03d}.wav"

    def side_files(self, clips, speakers):
        lines = ["path,speaker,gender,emotion"]
        lines += [f"{c['relpath']},{c['token']},{c['gender']},{c['emotion']}"
                  for c in sorted(clips, key=lambda c: c["relpath"])]
        return {"annotations.csv": "\n".join(lines) + "\n"}


LAYOUTS = {cls.name: cls() for cls in (CremaD, Ravdess, EmoDB, Iemocap, Cafe, Emovo, Emozionalmente, BhavVani)}


def _interleave(female: list[str], male: list[str]) -> list[str]:
    out = []
    for i in range(max(len(female), len(male))):
        out += [x[i] for x in (female, male) if i < len(x)]
    return out
