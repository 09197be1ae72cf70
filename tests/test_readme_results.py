"""No result is typed by hand: the README's results block is written from the build, and no
other prose of the README, the book's pages or the chapters holds a result number."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from camulenet.book import readme
from camulenet.book.typed_numbers import percent_cells, result_numbers
from camulenet.storage.paths import REPO_ROOT

PROSE = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "book").glob("*.md")),
         *sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.py"))]


def _numbers(text: str) -> list[str]:
    return [f.number for f in result_numbers(text)]


@pytest.mark.parametrize("text, found", [
    ("CAMuLeNet reaches 0.422 here.", ["0.422"]),
    ("the Wilcoxon test (p = 0.0039) and p < 0.05", ["p = 0.0039", "p < 0.05"]),
    ("normalisation adds +15.7 points; the ablation -0.3", ["+15.7", "-0.3"]),
    ("a gain of 15.7 points", ["15.7 points"]),
    ("rho = -0.3 and an ECE of .05", ["rho = -0.3", ".05"]),
    ("a difference of −2.1 (Unicode minus)", ["−2.1"]),
    ("| system | WA |\n|---|---|\n| CAMuLeNet | 0.418 |", ["0.418"]),
])
def test_what_counts_as_a_typed_result(text, found):
    assert _numbers(text) == found


@pytest.mark.parametrize("text", [
    "CAMuLeNet reaches {glue:text}`ours_camulenet_wa` here, {cite:p}`goel2024camulenet`.",
    "Run `python -m camulenet grid --corpus 0.422` or ``x = 0.123``.",
    "```python\nprint(0.422)\n```",
    ":::{exercise}\n:label: ex\nHolm: compare 0.01 with 0.05/3 ≈ 0.0167.\n:::",
    ":::{solution} ex\n:class: dropdown\n```python\np = 0.04\n```\n0.211 and 1.45\n:::",
    "Python 3.10 or later, jupyter-book 1.0.4, doi:10.21437/Interspeech.2024-1820",
    "47.9 ms, 0.65 M parameters, 3.07 MB, 0.41 MB/s, 1.48 times, 80.9 GFLOP, 0.019 h",
    "| profile | samples/s (median batch) |\n|---|---|\n| paper | 1.94 |",
    "[the book](https://example.org/v0.422/page) and <!-- 0.999 -->",
    "10 folds, 5% level, 85% of the clips, 1/4 of CREMA-D, 2 cores and 1,440 clips",
    "a constant 0.2 and a learning rate of 5e-5",
])
def test_what_does_not_count(text):
    assert _numbers(text) == []


def test_no_result_is_typed_in_the_readme_the_pages_or_the_chapters():
    typed = []
    for path in PROSE:
        text = path.read_text()
        if path.name == "README.md":
            text = readme.replace_block(text, "")  # the generated block is the build's, not typed
        if path.suffix == ".py":
            text = percent_cells(text)
        typed += [f"{path.relative_to(REPO_ROOT)}:{f.line}: {f.number} in {f.text!r}" for f in result_numbers(text)]
    assert not typed, "results typed by hand (glue them, or let the README block carry them):\n" + "\n".join(typed)


def _build(tmp_path: Path) -> Path:
    """What a build leaves beside its chapters: the appendix's summary and two chapters' claims."""
    long = pd.DataFrame({"system": ["CAMuLeNet"] * 2 + ["MFCC statistics + logistic regression"] * 2,
                         "fold": [0, 1, 0, 1], "metric": "wa", "value": [0.40, 0.44, 0.48, 0.50]})
    fp = {"fingerprint": "0123456789abcdef", "systems": 1, "folds": 2, "metrics": 1, "values": 2, "predictions": 8}
    summary = readme.summary("synthetic · profile compact · seed 0", "abc1234", "portable", fp, long)
    summary["open_corpus_cost"] = [{"corpus": "ravdess", "clips": 1440, "hours of audio": 1.48, "CPU time (h)": 0.4}]
    (tmp_path / readme.SUMMARY).write_text(json.dumps(summary))
    (tmp_path / "_claims").mkdir()
    claim = {"claim": "Whisper-Base against CAMuLeNet on synthetic (corrected test)", "verdict": "within fold noise",
             "evidence": "Whisper-Base minus CAMuLeNet -9.6 points, Holm p = 0.113 (4 comparisons)", "rule": "Holm"}
    (tmp_path / "_claims" / "08_statistics.json").write_text(json.dumps([{"chapter": "08_statistics", **claim}]))
    (tmp_path / "_claims" / "07_tsne.json").write_text(json.dumps([{**claim, "chapter": "07_tsne",
                                                                     "rule": "fold noise"}]))
    return tmp_path


def test_the_block_is_written_from_the_build_between_the_markers(tmp_path):
    book = _build(tmp_path)
    block = readme.block(book)
    assert "Results fingerprint `0123456789abcdef` (1 systems x 2 folds x 1 scores, and the probabilities of 8" in block
    assert "| CAMuLeNet | 2 | 0.420 | 0.028 |" in block and "| MFCC statistics + logistic regression | 2 | 0.490" in block
    assert "PREDICTED time and disk" in block and "| corpus | clips | hours of audio | CPU time (h) |" in block
    assert "| ravdess | 1,440 | 1.48 | 0.4 |" in block
    assert "| 08_statistics | Whisper-Base against CAMuLeNet" in block and "07_tsne" not in block  # Holm's only
    assert "executed in" not in block  # no _timings.json: no sentence on the chapters' times
    (book / readme.TIMINGS).write_text(json.dumps({"01_paper": 4.5, "05_training": 381.0}))
    assert readme.chapter_times(book) == ("The chapters of this build executed in 6 min 26 s on its machine "
                                          "(01_paper 4 s, 05_training 6 min 21 s); setting up the venv and "
                                          "building the HTML come on top.")
    block = readme.block(book)
    assert readme.chapter_times(book) in block
    text = REPO_ROOT.joinpath("README.md").read_text()
    new = readme.replace_block(text, block)
    assert readme.current_block(new) == block and readme.replace_block(new, block) == new  # idempotent
    assert new.replace(block, "") == readme.replace_block(text, "")  # nothing outside the markers moves
    target = tmp_path / "README.md"
    target.write_text(text)
    assert readme.update_readme(book, target) and not readme.update_readme(book, target)
    with pytest.raises(ValueError, match="markers once each"):
        readme.replace_block(new + readme.BEGIN, block)
    with pytest.raises(FileNotFoundError, match="make book"):
        readme.block(tmp_path / "nowhere")
