import numpy as np
import pandas as pd
import pytest

from camulenet.book.captions import settings_caption
from camulenet.book.tables import pairwise_view, style_deltas, style_scores
from camulenet.evaluation.paper import paper_table1
from camulenet.evaluation.results_table import ablation_deltas, beside_paper, group_accuracy, results_like_table1


@pytest.fixture
def results():
    rows = []
    for fold in range(3):
        rows.append({"system": "CAMuLeNet", "fold": fold, "wa": 0.6 + 0.1 * fold,
                     "ua": 0.5, "weighted_f1": 0.55, "macro_f1": 0.5, "gender_accuracy": 0.9})
        rows.append({"system": "Whisper-Base", "fold": fold, "wa": 0.5, "ua": 0.4,
                     "weighted_f1": 0.45, "macro_f1": 0.4, "gender_accuracy": np.nan})
    return pd.DataFrame(rows)


def test_table1_layout_mean_sd_and_order(results):
    t = results_like_table1(results)
    assert list(t.index) == ["Whisper-Base", "CAMuLeNet"]  # paper's row order
    assert t.loc["CAMuLeNet", "WA"] == "0.700 ± 0.100"
    assert t.loc["Whisper-Base", "gender acc."] == "–"


def test_deltas_against_paper(results):
    d = ablation_deltas(results, paper_table1(), metric="WA")
    assert d.loc["CAMuLeNet", "synthetic (ours) ΔWA"] == 0
    assert d.loc["Whisper-Base", "synthetic (ours) ΔWA"] == pytest.approx(-0.2)
    # paper: Whisper-Base 0.603 vs CAMuLeNet 0.762 on CREMA-D
    assert d.loc["Whisper-Base", "paper CREMA-D"] == pytest.approx(0.603 - 0.762, abs=1e-3)
    assert np.isnan(d.loc["HuBERT", "synthetic (ours) ΔWA"])
    assert "crema-d (ours) ΔWA" in ablation_deltas(results, paper_table1(), metric="WA", corpus="crema-d")


def test_group_accuracy_by_language_and_gender():
    manifest = pd.DataFrame({"utt_id": ["a", "b", "c", "d"], "language": ["en", "en", "de", "de"],
                             "gender": ["female", "male", "female", "male"]})
    preds = pd.DataFrame({"utt_id": list("abcd"), "system": "S", "true": ["x"] * 4,
                          "pred": ["x", "x", "y", "x"]})
    acc = group_accuracy(preds, manifest).set_index("group")
    assert acc.loc["language: en", "accuracy"] == 1.0
    assert acc.loc["language: de", "accuracy"] == 0.5
    assert acc.loc["gender: female", "accuracy"] == 0.5
    assert acc.loc["gender: male", "clips"] == 2


def test_beside_paper_puts_our_column_block_before_the_papers(results):
    paper = paper_table1()
    t = beside_paper(results, paper)
    assert t.columns[:2].tolist() == [("synthetic (ours)", "WA"), ("synthetic (ours)", "WF1")]
    assert t.loc["CAMuLeNet", ("synthetic (ours)", "WA")] == pytest.approx(0.7)
    assert t.loc["CAMuLeNet", ("CREMA-D", "WA")] == paper.set_index("system").loc["CAMuLeNet", "CREMA-D_WA"]
    assert np.isnan(t.loc["HuBERT", ("synthetic (ours)", "WA")])  # a system we did not run
    assert t.index[0] == "Wav2Vec2.0" and len(t) == len(paper)  # the paper's row order, all its rows


def test_styled_tables_blank_missing_cells_and_shorten_names(results):


    html = style_deltas(ablation_deltas(results, paper_table1(), metric="WA")).to_html()
    # a name's hyphen never breaks a line: CREMA-D with a non-breaking hyphen
    assert ">synthetic (ours)<" in html and ">paper mean<" in html and ">CREMA\u2011D<" in html
    assert "nan" not in html.lower()
    side = beside_paper(results, paper_table1()).xs("WA", axis=1, level="metric")
    assert "nan" not in style_scores(side).to_html().lower()


def test_emotion_order_follows_the_schema():
    from camulenet.data.schema import emotion_order

    assert emotion_order(["sad", "zzz", "angry", "neutral", "sad"]) == ["neutral", "angry", "sad", "zzz"]


def test_beside_paper_gives_every_corpus_its_own_block_in_order(results):
    """Several corpora: one (corpus, WA/WF1) block each, in the order given, before the paper's."""
    paper = paper_table1()
    ravdess = results.assign(wa=results.wa - 0.1)
    ravdess = ravdess[ravdess.system == "CAMuLeNet"]  # this corpus ran CAMuLeNet only
    t = beside_paper({"crema-d (ours)": results, "ravdess (ours)": ravdess}, paper)
    assert t.columns[:4].tolist() == [("crema-d (ours)", "WA"), ("crema-d (ours)", "WF1"),
                                      ("ravdess (ours)", "WA"), ("ravdess (ours)", "WF1")]
    assert t.loc["CAMuLeNet", ("crema-d (ours)", "WA")] == pytest.approx(0.7)
    assert t.loc["CAMuLeNet", ("ravdess (ours)", "WA")] == pytest.approx(0.6)
    assert np.isnan(t.loc["Whisper-Base", ("ravdess (ours)", "WA")])  # not run on that corpus
    assert t.loc["Whisper-Base", ("crema-d (ours)", "WF1")] == pytest.approx(0.45)
    assert t.index[0] == "Wav2Vec2.0" and len(t) == len(paper)
    single = beside_paper(results, paper, corpus_label="crema-d (ours)")
    pd.testing.assert_frame_equal(single, beside_paper({"crema-d (ours)": results}, paper))
    with pytest.raises(ValueError, match="at least one corpus"):
        beside_paper({}, paper)


def test_pairwise_view_is_narrow_in_points_with_the_wilcoxon_floor():


    tests = pd.DataFrame({"n": [10, 1], "mean_diff": [0.0523, -0.01], "t_low": [0.01, np.nan],
                          "t_high": [0.09, np.nan], "boot_low": [0.02, np.nan], "boot_high": [0.08, np.nan],
                          "wilcoxon_p": [0.001953125, np.nan]}, index=pd.Index(["A", "B"], name="versus"))
    view = pairwise_view(tests)
    assert list(view.columns) == ["folds", "diff (points)", "t 95% CI", "bootstrap 95% CI", "Wilcoxon p", "lowest p"]
    assert view.loc["A", "diff (points)"] == "+5.2" and view.loc["A", "t 95% CI"] == "[+1.0, +9.0]"
    assert view.loc["A", "Wilcoxon p"] == "0.00195" and view.loc["A", "lowest p"] == "0.00195"
    assert view.loc["B", "t 95% CI"] == "–" and view.loc["B", "Wilcoxon p"] == "–" and view.loc["B", "lowest p"] == "1"


def test_group_accuracy_legend_sits_outside_every_bar():
    import matplotlib

    matplotlib.use("Agg")
    from camulenet.plots.results import plot_group_accuracy

    acc = pd.DataFrame({"system": ["CAMuLeNet", "HuBERT"] * 4, "by": ["language"] * 4 + ["gender"] * 4,
                        "value": ["en", "en", "fr", "fr", "female", "female", "male", "male"],
                        "accuracy": [0.9, 0.8, 0.7, 0.95, 0.6, 0.5, 0.99, 0.4]})
    fig = plot_group_accuracy(acc)
    fig.canvas.draw()
    assert all(ax.get_legend() is None for ax in fig.axes) and len(fig.legends) == 1
    legend = fig.legends[0].get_window_extent()
    assert not any(legend.overlaps(ax.get_window_extent()) for ax in fig.axes)
    assert min(t.get_fontsize() for t in fig.legends[0].get_texts()) >= 10


def test_captioned_tables_name_their_configuration():
    from camulenet import config
    from camulenet.book.captions import captioned

    cfg = config.settings(smoke=True, seed=3)
    html = captioned(pd.DataFrame({"wa": [0.123456, np.nan, 0.00195]}, index=["a", "b", "c"]), cfg).to_html()
    assert settings_caption(cfg) in html and "0.123" in html and "0.123456" not in html and "–" in html
    assert "0.00195" in html  # a small p keeps its digits
    two = [cfg, config.for_corpus(cfg, "crema-d")]
    html = captioned(pd.DataFrame({"wa": [0.5]}), two).to_html()
    assert all(settings_caption(s) in html for s in two)
