"""A corpus folder as common tools unpack its archive.

Why: the same zip comes out differently from Finder, 7-Zip, ``unzip`` and Python's
``zipfile``. Some add a wrapping folder (``CaFE_48k/``, ``Audio_Speech_Actors_01-24/``,
the archive's own name); archives made on macOS carry ``__MACOSX/`` folders and ``._x``
AppleDouble files (resource forks with the audio's own name, not audio); folder names
stored in a DOS code page come out as ``ColŠre`` or as raw bytes (surrogate-escaped on
Linux) instead of ``Colère``; some files end in ``.WAV``. Loaders list files, find the
corpus root and compare folder names through this module, so each of them reads the
corpus whichever way it was unpacked, and never reads a resource fork as audio.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

#: Audio suffixes a loader accepts, compared in lower case (CaFE's 192 kHz edition ships AIFF).
AUDIO_SUFFIXES = (".wav", ".aiff", ".aif", ".flac")
#: Folders that archivers add and that never hold corpus files.
JUNK_DIRS = ("__MACOSX",)
#: How many wrapping folders ``corpus_root`` looks through.
MAX_WRAPPERS = 3


def is_junk(path: Path) -> bool:
    """Hidden files and folders (``._x.wav`` AppleDouble forks, ``.DS_Store``) and
    ``__MACOSX``: archiver leftovers, never corpus files."""
    return path.name.startswith(".") or path.name in JUNK_DIRS


def _walk(folder: Path, recursive: bool):
    """Files below ``folder`` in sorted order, leaving out junk and everything below junk folders."""
    for entry in sorted(folder.iterdir()):
        if is_junk(entry):
            continue
        if entry.is_dir():
            if recursive:
                yield from _walk(entry, recursive)
        elif entry.is_file():
            yield entry


def is_audio(path: Path) -> bool:
    return path.suffix.lower() in AUDIO_SUFFIXES


def audio_files(folder: Path, recursive: bool = False) -> list[Path]:
    """Audio files under ``folder`` sorted by path (any case of suffix: ``.WAV`` too); junk ignored."""
    return sorted(p for p in _walk(Path(folder), recursive) if is_audio(p))


def other_files(folder: Path, recursive: bool = False) -> list[Path]:
    """Non-audio files that are not junk (reported as skipped so nothing vanishes unseen)."""
    return sorted(p for p in _walk(Path(folder), recursive) if not is_audio(p))


def subfolders(folder: Path) -> list[Path]:
    """The folders directly in ``folder``, junk left out, sorted."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and not is_junk(p))


def corpus_root(root: Path, looks_like: Callable[[Path], bool]) -> Path:
    """``root``, or the folder below it that the corpus's archive unpacked into.

    While ``root`` does not look like the corpus, the one folder below it that does is
    tried instead, or, when none does, the only folder there (a wrapping folder such as
    ``CaFE_48k/``); at most :data:`MAX_WRAPPERS` levels. Returns ``root`` itself when
    nothing below it qualifies, so that the loader's own error names the folder it was
    given.
    """
    here = Path(root)
    for _ in range(MAX_WRAPPERS + 1):
        if not here.is_dir():
            return Path(root)
        if looks_like(here):
            return here
        below = subfolders(here)
        matching = [d for d in below if looks_like(d)]
        if len(matching) == 1:
            return matching[0]
        if matching or len(below) != 1:
            return Path(root)
        here = below[0]
    return Path(root)


def undecodable(name: str) -> bool:
    """True when ``name`` holds bytes that are not valid UTF-8 (surrogate-escaped by Python)."""
    return any("\udc80" <= c <= "\udcff" for c in name)


def rename_undecodable(root: Path, official: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Give each folder below ``root`` whose name is not valid UTF-8 the official name it
    stands for (``Col\\x8are`` -> ``Colère``); return (what was renamed, what could not be).

    Why rename: such a name reaches Python as a surrogate-escaped str, which neither a
    manifest (pandas keeps text as UTF-8) nor libsndfile can take, so no path through the
    folder could be used; its official name restores the publisher's layout. A folder that
    matches no official name, whose official name is taken, or that cannot be renamed
    (read-only copy) is returned in the second list, for the loader's error.
    """
    renamed, refused = [], []
    for here, dirs, _ in os.walk(root):   # top-down: a folder is renamed before it is entered
        dirs.sort()
        for i, name in enumerate(dirs):
            if not undecodable(name) or is_junk(Path(name)):
                continue
            target = next((o for o in official if name_matches(name, o)), None)
            old = os.path.join(here, name)
            if target is None:
                refused.append(f"{shown(old)} (no official folder name matches it)")
            elif os.path.exists(os.path.join(here, target)):
                refused.append(f"{shown(old)} (a folder {target!r} is already beside it)")
            else:
                try:
                    os.rename(old, os.path.join(here, target))
                except OSError as err:
                    refused.append(f"{shown(old)} (renaming it to {target!r} failed: {err.strerror})")
                    continue
                dirs[i] = target
                renamed.append(f"{shown(old)} -> {target}")
    return renamed, refused


def shown(name: str) -> str:
    """``name`` printable: bytes that were not valid UTF-8 shown as ``\\x8a``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _ascii_skeleton(text: str) -> str:
    """The ASCII letters and digits of ``text``, lower case: what survives any mangling
    of its other characters (``Colère``, ``ColŠre``, ``Col?re`` and ``Col\\udc8are`` all give ``colre``)."""
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFC", text).lower())


def name_matches(name: str, expected: str) -> bool:
    """True when folder ``name`` is ``expected`` as some tool unpacked it: the same up to
    case, accents and Unicode form (``Colere``, NFD ``Colère``), or with its non-ASCII
    characters decoded in another code page or kept as raw bytes (``ColŠre``, ``D‚go–t``)."""
    if _strip_accents(name) == _strip_accents(expected):
        return True
    skeleton = _ascii_skeleton(expected)
    return bool(skeleton) and not expected.isascii() and _ascii_skeleton(name) == skeleton


def resolve_case(path: Path, listing: dict | None = None) -> Path:
    """``path`` if it exists, else the entry of its folder with the same name up to case
    (``x.WAV`` for ``x.wav``), else ``path``. ``listing`` caches folder listings for one load."""
    path = Path(path)
    if path.exists() or not path.parent.is_dir():
        return path
    cache = {} if listing is None else listing
    if path.parent not in cache:
        cache[path.parent] = {p.name.casefold(): p for p in path.parent.iterdir() if not is_junk(p)}
    return cache[path.parent].get(path.name.casefold(), path)
