"""Every loader reads its corpus however common tools unpack the archive: a wrapping top
folder, macOS ``__MACOSX/`` folders and ``._x`` AppleDouble files, ``.WAV`` suffixes, and
(CaFE) folder names decoded in another code page or kept as raw bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from data_prep.loaders import CorpusLayoutError, load_corpus
from data_prep.loaders._report import RenamedFoldersWarning, SkippedItemsWarning
from data_prep.loaders._tree import name_matches

#: The first bytes of an AppleDouble file: a resource fork, never audio.
APPLEDOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "


def touch(path: Path, data: bytes = b"") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def crema_d(root: Path) -> None:
    for name in ("1001_DFA_ANG_XX", "1001_IEO_HAP_HI", "1002_TIE_SAD_XX"):
        touch(root / "AudioWAV" / f"{name}.wav")
    (root / "VideoDemographics.csv").write_text('"ActorID","Age","Sex","Race","Ethnicity"\n'
                                                '1001,51,"Male","Caucasian","Not Hispanic"\n'
                                                '1002,21,"Female","Caucasian","Not Hispanic"\n')


def ravdess(root: Path) -> None:
    touch(root / "Actor_01" / "03-01-05-01-01-01-01.wav")
    touch(root / "Actor_02" / "03-01-03-02-02-01-02.wav")


def emodb(root: Path) -> None:
    for name in ("03a01Fa", "08b02Wb", "16a05Tc"):
        touch(root / "wav" / f"{name}.wav")
    touch(root / "erkennung.txt")


def iemocap(root: Path) -> None:
    for n in range(1, 6):
        (root / f"Session{n}" / "dialog" / "EmoEvaluation").mkdir(parents=True)
        (root / f"Session{n}" / "sentences" / "wav").mkdir(parents=True)
    lines = "".join(f"[{i}.0 - {i + 1}.0]\tSes01F_impro01_{u}\t{lab}\t[2.5, 3.0, 3.0]\n\n"
                    for i, (u, lab) in enumerate((("F000", "neu"), ("M001", "ang"))))
    (root / "Session1" / "dialog" / "EmoEvaluation" / "Ses01F_impro01.txt").write_text(lines)
    for u in ("F000", "M001"):
        touch(root / "Session1" / "sentences" / "wav" / "Ses01F_impro01" / f"Ses01F_impro01_{u}.wav")


def cafe(root: Path, folders=None) -> None:
    folders = folders or {"C": "Colère", "D": "Dégoût", "N": "Neutre"}
    touch(root / folders["C"] / "Faible" / "01-C-1-1.wav")
    touch(root / folders["D"] / "Fort" / "04-D-2-6.wav")
    touch(root / folders["N"] / "02-N-3.wav")


def emovo(root: Path) -> None:
    for actor in ("f1", "f2", "f3", "m1", "m2", "m3"):
        touch(root / actor / f"gio-{actor}-b1.wav")


def bhavvani(root: Path) -> None:
    root.mkdir(parents=True)
    (root / "annotations.csv").write_text("path,speaker,gender,emotion\n"
                                          "audio/S01/S01_000.wav,S01,F,anger\n"
                                          "audio/S02/S02_000.wav,S02,M,neutral\n")
    touch(root / "audio" / "S01" / "S01_000.wav")
    touch(root / "audio" / "S02" / "S02_000.wav")


def emozionalmente(root: Path) -> None:
    (root / "metadata").mkdir(parents=True)
    (root / "metadata" / "samples.csv").write_text(
        "file_name,actor,sentence,emotion_expressed\n"
        "1611000000001.wav,anna,Gli operai si alzano presto,joy\n"
        "1611000000002.wav,anna,La cascata fa molto rumore,neutrality\n"
        "1611000000003.wav,bruno,Gli operai si alzano presto,anger\n")
    (root / "metadata" / "users.csv").write_text("username,gender,age,mother_tongue\n"
                                                 "anna,female,27,italiano\nbruno,male,35,italiano\n"
                                                 "carla,female,40,italiano\n")
    for k in (1, 2, 3):
        touch(root / "audio" / f"161100000000{k}.wav")


#: corpus -> (builder, the archive's own top folder)
CORPORA = {"crema-d": (crema_d, "CREMA-D-master"), "ravdess": (ravdess, "Audio_Speech_Actors_01-24"),
           "emodb": (emodb, "download"), "iemocap": (iemocap, "IEMOCAP_full_release"),
           "cafe": (cafe, "CaFE_48k"), "emovo": (emovo, "EMOVO"), "bhavvani": (bhavvani, "BhavVani"),
           "emozionalmente": (emozionalmente, "emozionalmente")}


def macos_leftovers(top: Path, root: Path) -> None:
    """What a zip made on macOS leaves: a ``._x`` fork beside every file, a mirror of them
    under ``root/__MACOSX``, and ``.DS_Store`` files."""
    for p in [p for p in top.rglob("*") if p.is_file()]:
        touch(p.with_name("._" + p.name), APPLEDOUBLE)
        touch(root / "__MACOSX" / p.relative_to(root).with_name("._" + p.name), APPLEDOUBLE)
    touch(top / ".DS_Store", b"\x00\x00\x00\x01Bud1")


def upper_case_suffixes(top: Path) -> None:
    for p in [p for p in top.rglob("*.wav") if not p.name.startswith("._")]:
        p.rename(p.with_suffix(".WAV"))


def labels(df: pd.DataFrame) -> list[tuple]:
    return sorted(df[["utt_id", "speaker", "gender", "emotion"]].itertuples(index=False, name=None))


def load(corpus: str, root: Path) -> pd.DataFrame:
    return load_corpus(corpus, root, strict=True, **({"classes": "all"} if corpus == "iemocap" else {}))


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_read_however_unpacked(corpus, tmp_path):
    build, top_name = CORPORA[corpus]
    build(tmp_path / "plain")
    want = labels(load(corpus, tmp_path / "plain"))
    assert len(want) >= 2

    root = tmp_path / "unpacked"
    top = root / top_name
    build(top)
    macos_leftovers(top, root)
    upper_case_suffixes(top)
    (root / "LICENSE.txt").write_text("beside the archive's folder, as a download tool leaves it\n")
    df = load(corpus, root)   # strict: a resource fork read as audio, or reported, would raise
    assert labels(df) == want
    for p in map(Path, df["path"]):
        assert p.is_file() and p.suffix == ".WAV" and "__MACOSX" not in p.parts and not p.name.startswith("._")
        assert top in p.parents


def test_two_candidate_folders_name_the_folder_and_the_fix(tmp_path):
    ravdess(tmp_path / "Audio_Speech_Actors_01-24")
    ravdess(tmp_path / "Audio_Song_Actors_01-24")
    with pytest.raises(CorpusLayoutError, match=rf"RAVDESS: no Actor_XX folders in {tmp_path} .*"
                                                r"Point root at the folder that holds Actor_01"):
        load_corpus("ravdess", tmp_path)
    assert len(load_corpus("ravdess", tmp_path / "Audio_Speech_Actors_01-24")) == 2


# ---------------------------------------------------------------- CaFE's folder names
MANGLED = {c: name.encode("cp850").decode("cp1252") for c, name in
           {"C": "Colère", "D": "Dégoût", "N": "Neutre"}.items()}


def test_cafe_folders_in_a_dos_code_page(tmp_path):
    assert MANGLED["C"] == "ColŠre" and MANGLED["D"] == "D‚go–t"   # what common tools show
    cafe(tmp_path / "plain")
    cafe(tmp_path / "dos" / "CaFE_48k", MANGLED)
    touch(tmp_path / "dos" / "CaFE_48k" / MANGLED["D"] / "Fort" / "05-C-2-1.wav")   # anger letter in Dégoût
    with pytest.warns(SkippedItemsWarning, match="emotion letter C but folder 'D‚go–t'"):
        df = load_corpus("cafe", tmp_path / "dos")
    assert labels(df) == labels(load_corpus("cafe", tmp_path / "plain"))


def test_cafe_folder_names_as_raw_bytes(tmp_path):
    """Names in DOS-code-page bytes, not valid UTF-8, reach Python as surrogate-escaped str,
    which no manifest can hold: the loader gives those folders their official names."""
    base = os.fsencode(tmp_path) + b"/CaFE_48k/"
    for folder, name in ((b"Col\x8are/Faible/", b"01-C-1-1.wav"), (b"D\x82go\x96t/Fort/", b"04-D-2-6.wav"),
                         (b"Neutre/", b"02-N-3.wav"), (b"Col\xe8re/Fort/", b"06-C-2-2.wav")):
        os.makedirs(base + folder, exist_ok=True)   # \xe8: unzip's Latin-1 for the same è
        open(base + folder + name, "wb").close()
    with pytest.raises(CorpusLayoutError, match=r"Col\\xe8re \(a folder 'Colère' is already beside it\) "
                                                r"\(renamed already: \S+/Col\\x8are -> Colère; \S+/D\\x82go\\x96t -> "
                                                r"Dégoût\).*python -m zipfile -e CaFE_48k.zip"):
        load_corpus("cafe", tmp_path)
    os.rename(base + b"Col\xe8re/Fort", base + "Colère/Fort".encode())
    os.rmdir(base + b"Col\xe8re")
    df = load_corpus("cafe", tmp_path, strict=True)
    assert df.attrs["renamed"] == []
    os.rename(base + "Dégoût".encode(), base + b"D\x82go\x96t")
    with pytest.warns(RenamedFoldersWarning, match=r"renamed 1 folder.*D\\x82go\\x96t -> Dégoût"):
        df = load_corpus("cafe", tmp_path, strict=True)
    assert df.attrs["renamed"] == [f"{tmp_path}/CaFE_48k/D\\x82go\\x96t -> Dégoût"]
    cafe(tmp_path / "plain")
    touch(tmp_path / "plain" / "Colère" / "Fort" / "06-C-2-2.wav")
    assert labels(df) == labels(load_corpus("cafe", tmp_path / "plain"))
    assert sorted(os.listdir(base)) == [n.encode() for n in ("Colère", "Dégoût", "Neutre")]


def test_folder_name_matching():
    for seen in ("Colère", "Colere", "COLÈRE", "Cole\u0300re", "ColŠre", "Col?re", "Col\udc8are", "Col├¿re"):
        assert name_matches(seen, "Colère"), seen
    for seen in ("Joie", "Dégoût", "Colères", "Clre"):
        assert not name_matches(seen, "Colère"), seen
    assert name_matches("D‚go–t", "Dégoût") and name_matches("fort", "Fort") and not name_matches("Fort", "Faible")
