"""Execute every notebook with papermill into book/, then build the HTML book.

The book itself never executes code (``execute_notebooks: off``): what a reader sees is
exactly what this script ran. Run times per notebook go to book/_timings.json for the
appendix; the chapters' claims go to book/_claims/ and the appendix's summary of the build to
book/_results.json. A full default build (``make book``) ends by writing the README's results
block from them (``scripts/readme_results.py``). Usage:

    python scripts/build_book.py [--smoke] [--no-execute] [--only 03_features] [--corpus crema-d [ravdess ...]]
        [--corpus path/to/my_corpus/manifest.csv]
        [--profile compact|paper] [--whisper-model base|medium|large-v3 | --whisper-checkpoint PATH]
        [--fold-protocol speaker|session]

Each option reaches every notebook that has the parameter of that name (``corpus``,
``corpora``, ``profile``, ``whisper``, ``fold_protocol``). ``--corpus`` takes one or more
corpora: the first is the book's ``corpus`` (every chapter's data, features, figures);
all of them are ``corpora``, which chapter 5 trains and chapters 6 and 8 gather beside
the paper (with the synthetic corpus whenever its grid has finished). Results that
``python -m camulenet grid`` finished under the same settings are picked up, not retrained.
An open corpus missing under ``data/corpora`` is fetched from its publisher first
(``python -m camulenet fetch``; ``CAMULENET_FETCH=never`` stops with the command instead).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import camulenet  # noqa: F401  (first, before papermill loads numpy: pins the numeric code paths)

# isort: split
import papermill as pm

from camulenet import config
from camulenet.book import claims, notebook_outputs, readme, repository
from camulenet.data.fetch import FetchError, ensure_fetched

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
BOOK = REPO / "book"


def notebook_order() -> list[Path]:
    """Chapters in the order of _toc.yml (their file names sort that way)."""
    return sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def finish(path: Path) -> None:
    """What an executed chapter gets before it becomes a page and a download: the injected
    parameters hidden, stderr (progress bars, warnings) dropped, papermill's paths relative
    (:func:`camulenet.book.notebook_outputs.clean`); raises ValueError if an output still names a
    path of this machine."""
    notebook_outputs.clean_file(path, REPO)


def execute(names: list[str] | None, smoke: bool, params: dict | None = None, out_dir: Path = BOOK) -> None:
    """Execute the chapters (those starting with ``names``, or all) into ``out_dir``; the tests
    run every documented route through this same function."""
    # A kernel inherits MPLBACKEND; a non-inline backend (e.g. Agg from a shell profile or CI)
    # would leave every figure out of the book. ipykernel picks its inline backend when unset.
    os.environ.pop("MPLBACKEND", None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # the kernels write their claims (and the appendix its summary) beside the chapters they execute
    before = os.environ.get(claims.OUT_VARIABLE)
    os.environ[claims.OUT_VARIABLE] = str(out_dir.resolve())
    try:
        _execute_into(names, smoke, params, out_dir)
    finally:
        if before is None:
            os.environ.pop(claims.OUT_VARIABLE, None)
        else:
            os.environ[claims.OUT_VARIABLE] = before


def _execute_into(names, smoke, params, out_dir: Path) -> None:
    timings_path = out_dir / readme.TIMINGS
    timings = json.loads(timings_path.read_text()) if timings_path.exists() else {}
    leaks = []
    for src in notebook_order():
        if names and not any(src.stem.startswith(n) for n in names):
            continue
        dst = out_dir / src.name
        print(f"== executing {src.name} -> {dst}", flush=True)
        t0 = time.perf_counter()
        declared = pm.inspect_notebook(str(src))  # a chapter gets the options it has parameters for
        given = {"smoke": smoke, **{k: v for k, v in (params or {}).items() if k in declared}}
        pm.execute_notebook(
            str(src), str(dst), parameters=given, kernel_name="python3",
            cwd=str(NOTEBOOKS), progress_bar=False, log_output=False,
        )
        timings[src.stem] = round(time.perf_counter() - t0, 1)
        try:
            finish(dst)
        except ValueError as err:  # the other chapters still run; the build fails at the end
            leaks.append(str(err))
        print(f"   {src.stem}: {timings[src.stem]} s", flush=True)
        timings_path.write_text(json.dumps(timings, indent=2) + "\n")
    if leaks:
        raise ValueError("\n".join(leaks))


def corpus_argument(arg: str) -> str:
    """A corpus name as it is; a corpus brought as a CSV as its manifest's path seen from the
    notebooks' folder (where they run): relative inside the repository, else absolute."""
    csv = config.corpus_csv(arg)
    if csv is None:
        return arg
    return os.path.relpath(csv, NOTEBOOKS) if csv.is_relative_to(REPO) else str(csv)


def is_default_build(args) -> bool:
    """``make book`` as documented: every chapter, full size, on the book's own corpus and profile.
    Only such a build rewrites the README's results block."""
    return (not args.smoke and not args.no_execute and not args.only and args.corpus == ["synthetic"]
            and args.profile == "compact" and not args.whisper_model and not args.whisper_checkpoint
            and args.fold_protocol == "speaker")


def build_html() -> None:
    # book/_ext/launch_notebooks.py resolves the same URL for the buttons, pages and footer
    url = repository.resolve(REPO)
    print(f"== repository the book names: {url}" if url else
          f"== the book names no repository (no launch, repository or issue buttons): to name one, "
          f"{repository.HOW_TO_NAME_ONE}", flush=True)
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(REPO), "--warningiserror",
           "--keep-going", "--builder", "html"]
    print("==", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=REPO)
    print(f"Book: {REPO / '_build' / 'html' / 'index.html'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--smoke", action="store_true", help="tiny data, few epochs (seconds per notebook)")
    ap.add_argument("--no-execute", action="store_true", help="only build HTML from book/*.ipynb")
    ap.add_argument("--only", nargs="*", help="execute only notebooks whose name starts with these")
    ap.add_argument("--corpus", nargs="+", default=["synthetic"],
                    help="one or more corpora (synthetic, a real corpus in its official layout under "
                         "data/corpora/<name>, e.g. crema-d ravdess, an open one fetched there when missing, "
                         "or your own: the path of its manifest CSV or of a folder holding manifest.csv): "
                         "the first is the book's corpus, "
                         "all of them join Table 1 in chapter 6 and the tests of chapter 8")
    ap.add_argument("--profile", default="compact", choices=("compact", "paper"),
                    help="compact: the CPU teaching default; paper: Whisper-Medium, 30-s frames, released sizes")
    weights = ap.add_mutually_exclusive_group()
    weights.add_argument("--whisper-model", help="Whisper weights by name (base works offline; medium, "
                         "large-v3 download through openai-whisper's cache); default: the profile's")
    weights.add_argument("--whisper-checkpoint", help="a Whisper checkpoint file (.pt) to use instead")
    ap.add_argument("--fold-protocol", default="speaker", choices=("speaker", "session"),
                    help="speaker: k-fold leave-speaker-out (the paper); session: leave-one-session-out (IEMOCAP)")
    args = ap.parse_args()
    if os.environ.get("CAMULENET_SMOKE") == "1" and not args.smoke and not args.no_execute:
        sys.exit("CAMULENET_SMOKE=1 is set: the notebooks would build a smoke book. "
                 "Unset it, or pass --smoke if a smoke book is what you want.")
    if not args.no_execute:
        whisper = args.whisper_checkpoint or args.whisper_model
        if args.whisper_checkpoint and not Path(args.whisper_checkpoint).is_file():
            sys.exit(f"--whisper-checkpoint {args.whisper_checkpoint}: no such file")
        try:
            corpora = list(dict.fromkeys(corpus_argument(c) for c in args.corpus))  # given twice: one corpus
        except FileNotFoundError as err:
            sys.exit(f"--corpus: {err}")
        root = config.settings(smoke=args.smoke).data_root
        for name in corpora:  # before any chapter runs: the download shows here, an error stops at once
            try:
                ensure_fetched(name, root)  # a corpus brought as a CSV is no source: nothing to fetch
            except FetchError as err:
                sys.exit(f"--corpus {name}: {err}")
        params = {"corpus": corpora[0], "corpora": corpora, "profile": args.profile,
                  "fold_protocol": args.fold_protocol,
                  "whisper": str(Path(whisper).resolve()) if args.whisper_checkpoint else whisper}
        execute(args.only, args.smoke, params)
        if is_default_build(args):  # the README's results come from this build, never typed by hand
            changed = readme.update_readme(BOOK, REPO / "README.md")
            print(f"== README.md results block {'rewritten from this build' if changed else 'already current'}")
    build_html()


if __name__ == "__main__":
    main()
