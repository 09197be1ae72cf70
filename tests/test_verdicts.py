"""Every verdict word comes from a rule with an explicit threshold: the rules at their
boundaries, the sentences on contradictory numbers, and the claims each verdict records."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from camulenet import config
from camulenet.book import claims
from camulenet.book.verdicts import (
    RULES,
    by_fold_noise,
    closeness_text,
    cosine_word,
    extraction_text,
    paper_table_text,
    sanity_text,
    share_text,
    similarity_text,
    standing_text,
    survivors_text,
)
from camulenet.evaluation.paper import paper_table1
from camulenet.experiments import transfer_runs


def test_fold_noise_rule_at_its_boundary():
    assert by_fold_noise([0.1, 0.3]) == "higher"  # mean 0.2, sd 0.14
    assert by_fold_noise([-0.1, -0.3]) == "lower"
    assert by_fold_noise([0.0, 0.2]) == "no difference"  # mean 0.1 below its sd 0.141
    assert by_fold_noise([0.0, 1.0, 2.0]) == "no difference"  # mean 1 == sd 1: within the spread
    assert by_fold_noise([0.0, 1.01, 2.0]) == "higher"  # mean 1.0033 > sd 1.00003
    assert by_fold_noise([0.002, 0.002, 0.002]) == "higher"  # no spread at all: any consistent gap counts
    assert by_fold_noise([0.0, 0.0]) == "no difference"
    assert by_fold_noise([0.5]) == by_fold_noise([np.nan, 0.5]) == "not judged"  # one fold: nothing to judge by


def test_cosine_rule_at_its_boundaries():
    assert [cosine_word(c) for c in (1.0, 0.99, 0.9899, 0.95, 0.9499, 0.80, 0.795)] == [
        "nearly identical", "nearly identical", "close", "close", "related but not close", "related but not close",
        "clearly different"]
    text = closeness_text(0.795, 0.660)  # the clip: never "close"
    assert text == "On average the frames of the two modes are clearly different (mean cosine 0.795)."
    assert "close" not in text
    assert closeness_text(0.97, 0.85).endswith("are close (mean cosine 0.970), and the least alike frame is "
                                               "related but not close (0.850).")


def test_standing_is_within_the_fold_spread_unless_it_exceeds_it():
    wide = pd.DataFrame({"system": ["A"] * 3 + ["R"] * 3, "fold": [0, 1, 2] * 2,
                         "wa": [0.50, 0.52, 0.48, 0.49, 0.50, 0.50]})
    assert standing_text(wide, "A", "R") == "within the spread of its per-fold differences from R's"  # +0.003, sd 0.02
    assert standing_text(wide.assign(wa=[0.6, 0.62, 0.58, 0.49, 0.5, 0.5]), "A", "R").startswith(
        "above R's, by more than the spread of their per-fold differences (chapter 8 asks whether")


def test_a_correlation_without_significance_names_no_direction():
    rho = pd.DataFrame({"system": ["A", "B"], "rho": [-0.45, 0.2], "p": [0.01, 0.3], "n_speakers": [30, 30]})
    text = similarity_text(rho)
    assert "for A rho = -0.45 (p = 0.01): farther voices get lower accuracy" in text
    assert "for B rho = 0.20 (p = 0.3): no reliable relation" in text and "higher" not in text


def test_goals_speed_and_shares_follow_their_thresholds():
    bench = pd.DataFrame({"speedup_vs_naive": [1.0, 12.0, 1.4], "whisper_bytes_ratio_vs_full_f32": [1, 26.0, 1]},
                         index=["naive", "trimmed", "full"])
    text = extraction_text(bench)
    assert "1.4 times the loop's speed" in text and "buys little" in text
    assert "(12.0: met)" in text and "(26.0: met)" in text
    assert "helps" in extraction_text(bench.assign(speedup_vs_naive=[1.0, 4.0, 1.5])) and \
        "(4.0: not met)" in extraction_text(bench.assign(speedup_vs_naive=[1.0, 4.0, 1.5]))
    assert share_text(pd.Series({"mfcc": 6, "rest": 4})) == "most of them (60%) sit in mfcc"
    assert share_text(pd.Series({"mfcc": 5, "rest": 5})).startswith("the largest share of them (50%)")


def test_the_papers_table_is_read_as_printed():
    paper = paper_table1().set_index("system")
    wa = paper[[c for c in paper.columns if c.endswith("_WA")]].rename(columns=lambda c: c.removesuffix("_WA"))
    said = paper_table_text(wa)
    assert said["weakest"] == "Every system is weakest on BhavVani." and said["baseline"] == "Whisper-Medium"
    wa.loc["HuBERT", "BhavVani"] = 0.9  # one system no longer weakest there
    assert paper_table_text(wa)["weakest"].startswith("Most systems (7 of 8) are weakest on BhavVani")


def test_each_verdict_is_recorded_with_its_numbers_and_rule_in_its_chapters_file(tmp_path, monkeypatch):
    monkeypatch.setenv(claims.OUT_VARIABLE, str(tmp_path))
    claims.chapter("03_features")
    closeness_text(0.795, 0.660)
    claims.chapter("07_tsne")
    by_fold_noise([1, 2])  # a rule alone records nothing: only a sentence does
    closeness_text(0.999, 0.995, what="two runs")
    claims.chapter("03_features")  # a rerun of a chapter starts its file afresh
    closeness_text(0.96, 0.96)
    table = claims.load(tmp_path)
    assert list(table.chapter) == ["03_features", "07_tsne"]
    assert list(table.verdict) == ["close", "nearly identical"]
    assert table.rule.iloc[0] == "cosine" and "cosine" in RULES and "0.960" in table.evidence.iloc[0]
    assert json.loads((tmp_path / "_claims" / "07_tsne.json").read_text())[0]["claim"] == "how alike two runs are"
    monkeypatch.delenv(claims.OUT_VARIABLE)
    claims.chapter("04_model")  # run by hand: kept in memory, nothing written
    closeness_text(0.5, 0.4)
    assert claims.recorded()[0]["verdict"] == "clearly different" and not (tmp_path / "_claims" / "04_model.json").exists()


def test_the_benchmark_check_needs_a_gap_beyond_both_spreads():
    check = pd.DataFrame({"accuracy": [0.45, 0.60], "sd": [0.05, 0.03], "chance": 1 / 6, "n_folds": 5},
                         index=["held-out speakers", "speaker-mixed"])
    assert sanity_text(check).startswith("On held-out speakers the baseline is above chance by more than its "
                                         "spread over folds, and higher when the same speakers")
    near = sanity_text(check.assign(accuracy=[0.45, 0.499]))  # +0.049 < the larger sd, 0.05: no difference
    assert "but not higher beyond the spread" in near
    assert "not above chance" in sanity_text(check.assign(accuracy=[0.20, 0.60], sd=[0.05, 0.03]))


def test_the_cross_corpus_reason_is_one_sentence_whose_options_are_code(tmp_path):
    """The reason chapter 9 glues as Markdown: never 'has synthetic of its synthetic', and every
    `--option` in a code span, where no typesetter turns its two hyphens into an en dash."""
    for corpora in (None, ["synthetic", "ravdess"]):
        cfg = config.settings(smoke=True, data_root=tmp_path, corpora=corpora)
        reason = transfer_runs.cross_corpus_table(cfg, progress=False).reason
        assert reason.startswith("Cross-corpus transfer needs two corpora with data, and this build has none")
        assert " of its " not in reason or "of its corpora (" in reason
        assert "--" in reason and "--" not in re.sub(r"`[^`]*`", "", reason)


def test_a_gap_that_passes_only_before_holm_is_named_so_not_called_noise_or_a_difference():
    table = pd.DataFrame({"system": ["A", "B", "C"], "mean_diff": [0.174, 0.01, -0.2], "ci_low": [0.021, -0.1, -0.3],
                          "ci_high": [0.326, 0.12, -0.1], "p": [0.04, 0.8, 0.001], "p_holm": [0.08, 0.8, 0.003],
                          "survives": [False, False, True]})
    claims.chapter("")
    text = survivors_text(table, "R")
    assert text == ("Against R, C (-20.0 points) survives the corrected test with Holm's correction over the 3 "
                    "comparisons of its table (A, B, C); A passes it only before Holm's correction, which is not "
                    "enough to call it a difference; B does not.")
    assert [c["verdict"] for c in claims.recorded()] == ["nominal only", "within fold noise", "survives"]
