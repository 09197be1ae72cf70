"""Rewrite ``camulenet/data/crema_d_files.csv`` from a git copy of CREMA-D's repository.

CREMA-D's repository (github.com/CheyneyComputerScience/CREMA-D) stores every WAV through
Git LFS: what git itself holds is a pointer file carrying the audio's sha256 and size. Those
pointers are the publisher's checksums; ``python -m camulenet fetch crema-d`` downloads each
WAV from GitHub's LFS media host and checks it against them. A clone without the audio is
enough (``GIT_LFS_SKIP_SMUDGE=1 git clone --bare ...``, about 25 MB). Usage:

    python scripts/crema_d_checksums.py /path/to/CREMA-D.git [--commit <sha>]

The plain files the fetch also takes (the actor table, the licence) are hashed as git stores them.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import subprocess
from pathlib import Path

from camulenet.data.sources import CREMA_D_FILES, CREMA_D_PLAIN
from camulenet.storage.atomic import write_text


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(repo), *args], check=True, capture_output=True).stdout


def _pointer(text: str) -> tuple[int, str]:
    """(size, sha256) of a Git LFS pointer file."""
    fields = dict(line.split(" ", 1) for line in text.strip().splitlines())
    if not fields.get("version", "").startswith("https://git-lfs.github.com/spec/"):
        raise ValueError(f"not a Git LFS pointer: {text[:80]!r}")
    algo, digest = fields["oid"].split(":", 1)
    if algo != "sha256":
        raise ValueError(f"unexpected LFS oid algorithm {algo}")
    return int(fields["size"]), digest


def rows(repo: Path, commit: str) -> list[tuple[str, int, str]]:
    out = []
    listing = _git(repo, "ls-tree", "-r", commit, "AudioWAV").decode().splitlines()
    for line in listing:
        meta, path = line.split("\t", 1)
        if path.lower().endswith(".wav"):
            size, digest = _pointer(_git(repo, "cat-file", "-p", meta.split()[2]).decode())
            out.append((path, size, digest))
    for path in CREMA_D_PLAIN:
        blob = _git(repo, "show", f"{commit}:{path}")
        out.append((path, len(blob), hashlib.sha256(blob).hexdigest()))
    return sorted(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("repo", type=Path, help="the git directory of a CREMA-D clone (bare, or the .git folder)")
    ap.add_argument("--commit", default="HEAD")
    args = ap.parse_args()
    commit = _git(args.repo, "rev-parse", args.commit).decode().strip()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["path", "size", "sha256"])
    writer.writerows(rows(args.repo, commit))
    write_text(CREMA_D_FILES, buf.getvalue())
    print(f"{CREMA_D_FILES}: {buf.getvalue().count(chr(10)) - 1} files at commit {commit}")


if __name__ == "__main__":
    main()
