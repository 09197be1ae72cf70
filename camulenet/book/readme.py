"""The README's results block, written from the build, so that no result is typed by hand.

The appendix, executed last, sums up the build (:func:`summary`: its settings and commit, the
numeric code paths, the results fingerprint, each system's WA over folds) into
``_results.json`` beside the chapters. :func:`block` renders that summary and the verdicts
of the corrected test in chapters 8 and 9 (:mod:`camulenet.book.claims`) as Markdown, and
:func:`update_readme` puts it between the README's two markers: ``scripts/build_book.py``
calls it at the end of a full default build, ``scripts/readme_results.py`` by hand.
Everything outside the markers holds no typed result (``tests/test_readme_results.py``
checks it with :mod:`camulenet.book.typed_numbers`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from camulenet.book import claims
from camulenet.storage import atomic

BEGIN = "<!-- results: begin. Written by scripts/readme_results.py from the last full build; do not edit by hand. -->"
END = "<!-- results: end -->"
SUMMARY = "_results.json"
#: The time each chapter took to execute, written by scripts/build_book.py beside the chapters.
TIMINGS = "_timings.json"
#: The book's pages the block points to, for everything it leaves out.
PAGES = {"results": "notebooks/06_results.py", "statistics": "notebooks/08_statistics.py",
         "beyond": "notebooks/09_beyond.py", "appendix": "notebooks/10_appendix.py"}
#: The claims the block repeats: the verdicts of the corrected test, in these chapters.
HEADLINE_RULE, HEADLINE_CHAPTERS = "Holm", ("08_statistics", "09_beyond")


def summary(settings: str, commit: str, numerics: str, fingerprint: dict, results_long: pd.DataFrame) -> dict:
    """What the README block says about a build. ``results_long``: the tidy results (system,
    fold, metric, value) of every system of the build's run folder and the yardstick."""
    wa = results_long[results_long["metric"] == "wa"]
    systems = [{"system": s, "folds": int(part["fold"].nunique()), "wa_mean": float(part["value"].mean()),
                "wa_sd": float(part["value"].std(ddof=1)) if len(part) > 1 else None}
               for s, part in wa.groupby("system", sort=False)]
    return {"settings": settings, "commit": commit, "numerics": numerics, "fingerprint": fingerprint,
            "systems": systems}


def write_summary(data: dict) -> Path | None:
    """``_results.json`` in the build's output folder (``$CAMULENET_BOOK_OUT``); nothing when a
    notebook runs by hand."""
    out = os.environ.get(claims.OUT_VARIABLE)
    if not out:
        return None
    path = Path(out) / SUMMARY
    atomic.write_json(path, data, indent=1)
    return path


def block(book_dir: Path | str) -> str:
    """The README block (between :data:`BEGIN` and :data:`END`, markers excluded) for the build
    in ``book_dir``."""
    path = Path(book_dir) / SUMMARY
    if not path.exists():
        raise FileNotFoundError(f"{path}: no summary of a build there. The appendix writes it when "
                                f"scripts/build_book.py executes the book: run `make book` first.")
    s = json.loads(path.read_text())
    fp = s["fingerprint"]
    lines = [f"Results of the last full build ({s['settings']}; commit {s['commit']}; numeric code paths "
             f"{s['numerics']}). Results fingerprint `{fp['fingerprint']}` ({fp['systems']} systems x "
             f"{fp['folds']} folds x {fp['metrics']} scores, and the probabilities of {fp.get('predictions', 0)} "
             f"test predictions): two builds with the same fingerprint have the same results to the last bit.", "",
             "| system | folds | mean WA | sd over folds |", "|---|---|---|---|"]
    lines += [f"| {r['system']} | {r['folds']} | {r['wa_mean']:.3f} | "
              f"{'' if r['wa_sd'] is None else format(r['wa_sd'], '.3f')} |" for r in s["systems"]]
    times = chapter_times(book_dir)
    if times:
        lines += ["", times]
    cost = s.get("open_corpus_cost") or []
    if cost:
        cols = [c for c in cost[0] if c != "corpus"]
        lines += ["", f"PREDICTED time and disk of `make book CORPUS=<name>` on this build's machine for each open "
                      f"corpus, scaled from the build's own chapter times by the hours of audio "
                      f"([the appendix]({PAGES['appendix']}) says how):", "",
                  "| corpus | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
        lines += ["| " + " | ".join([str(r["corpus"])] + [f"{r[c]:,}" for c in cols]) + " |" for r in cost]
    table = claims.load(book_dir)
    headline = table[(table.rule == HEADLINE_RULE) & table.chapter.isin(HEADLINE_CHAPTERS)]
    if len(headline):
        lines += ["", f"The verdicts of the corrected resampled t-test with Holm's correction "
                      f"([chapter 8]({PAGES['statistics']}), [chapter 9]({PAGES['beyond']})); every claim of the "
                      f"build, with its rule, is in [the appendix]({PAGES['appendix']}):", "",
                  "| chapter | claim | verdict | evidence |", "|---|---|---|---|"]
        lines += [f"| {r.chapter} | {r.claim} | {r.verdict} | {r.evidence} |" for r in headline.itertuples()]
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    m, sec = divmod(int(round(seconds)), 60)
    return f"{m} min {sec} s" if m else f"{sec} s"


def chapter_times(book_dir: Path | str) -> str | None:
    """One sentence: how long each chapter of the build took to execute (``_timings.json``,
    written by ``scripts/build_book.py``), and all of them together; None without the file."""
    path = Path(book_dir) / TIMINGS
    if not path.exists():
        return None
    times = json.loads(path.read_text())
    parts = ", ".join(f"{name} {_duration(t)}" for name, t in times.items())
    return (f"The chapters of this build executed in {_duration(sum(times.values()))} on its machine "
            f"({parts}); setting up the venv and building the HTML come on top.")


def replace_block(text: str, new_block: str) -> str:
    """``text`` (the README) with the block between its markers replaced by ``new_block``."""
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise ValueError(f"the README must hold the results markers once each, in order:\n{BEGIN}\n{END}")
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    return f"{head}{BEGIN}\n{new_block}\n{END}{tail}"


def current_block(text: str) -> str:
    """What stands between the README's markers now."""
    replace_block(text, "")  # checks the markers
    return text.split(BEGIN)[1].split(END)[0].strip("\n")


def update_readme(book_dir: Path | str, readme: Path | str) -> bool:
    """Rewrite the README's block from the build in ``book_dir``; True when it changed."""
    readme = Path(readme)
    old = readme.read_text()
    new = replace_block(old, block(book_dir))
    if new != old:
        atomic.write_text(readme, new)
    return new != old
