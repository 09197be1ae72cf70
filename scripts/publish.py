"""Publish the built HTML book to a GitHub Pages branch, Jupyter Book's documented route:
ghp-import copies ``_build/html`` onto the branch (default ``gh-pages``, with a
``.nojekyll`` file so that GitHub serves ``_static/`` as is) and pushes it.

Usage: python scripts/publish.py [--html _build/html] [--remote origin] [--branch gh-pages]
The remote and branch default to ``$PUBLISH_REMOTE`` / ``$PUBLISH_BRANCH`` (else origin,
gh-pages). It does not build the book: run ``make book`` first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


class PublishError(RuntimeError):
    """Why the book cannot be published (nothing was pushed)."""


def publish(html: Path, remote: str = "origin", branch: str = "gh-pages", repo: Path = REPO,
            message: str = "Publish the book") -> None:
    """Commit ``html`` onto ``branch`` of the repository ``repo`` and push it to ``remote``."""
    html = Path(html)
    if not (html / "index.html").is_file():
        raise PublishError(f"{html / 'index.html'} is missing: run make book first")
    remotes = subprocess.run(["git", "remote"], cwd=repo, capture_output=True, text=True, check=True).stdout.split()
    if remote not in remotes:
        have = ", ".join(remotes) or "none"
        raise PublishError(f"this repository has no remote {remote!r} (remotes: {have}): add one with "
                           f"git remote add {remote} <url>, or choose one with PUBLISH_REMOTE=<name>")
    # ghp-import from the same interpreter's environment (pinned in requirements.lock)
    cmd = [sys.executable, "-m", "ghp_import", "-n", "-p", "-f", "-r", remote, "-b", branch, "-m", message, str(html)]
    done = subprocess.run(cmd, cwd=repo, capture_output=True, text=True)
    if done.returncode != 0:
        raise PublishError(f"ghp-import failed:\n{done.stdout}{done.stderr}")
    print(f"Published {html} to {remote}/{branch}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--html", default=str(REPO / "_build" / "html"))
    ap.add_argument("--remote", default=os.environ.get("PUBLISH_REMOTE") or "origin")
    ap.add_argument("--branch", default=os.environ.get("PUBLISH_BRANCH") or "gh-pages")
    args = ap.parse_args()
    try:
        publish(Path(args.html), args.remote, args.branch)
    except PublishError as err:
        sys.exit(f"make publish: {err}")


if __name__ == "__main__":
    main()
