"""Write the README's results block from the last build (camulenet.book.readme), or check it.

    python scripts/readme_results.py [--book book] [--readme README.md] [--check]

The block sits between two markers in README.md and is rewritten whole from the build in
``--book`` (its ``_results.json``, written by the appendix, and its ``_claims/``):
``scripts/build_book.py`` runs this at the end of a full default build. ``--check`` changes
nothing and exits 1 when the README's block differs from what that build says.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from camulenet.book import readme

REPO = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--book", default=str(REPO / "book"), help="the executed book (default: book/)")
    ap.add_argument("--readme", default=str(REPO / "README.md"))
    ap.add_argument("--check", action="store_true", help="only compare; exit 1 when the block is stale")
    args = ap.parse_args(argv)
    try:
        wanted = readme.block(args.book)
        text = Path(args.readme).read_text()
        if args.check:
            stale = readme.current_block(text) != wanted
            print(f"{args.readme}: the results block is {'STALE: run scripts/readme_results.py' if stale else 'current'}")
            return int(stale)
        changed = readme.update_readme(args.book, args.readme)
    except (FileNotFoundError, ValueError) as err:
        print(err, file=sys.stderr)
        return 2
    print(f"{args.readme}: results block {'rewritten' if changed else 'already current'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
