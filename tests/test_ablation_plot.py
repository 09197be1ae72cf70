import matplotlib
import numpy as np
import pandas as pd
import pytest

from camulenet.book.captions import captioned, corpora_caption, settings_caption
from camulenet.evaluation.paper import paper_table1
from camulenet.evaluation.results_table import ablation_deltas
from camulenet.plots.ablation import plot_gaps_vs_paper

matplotlib.use("Agg")


def _gaps():
    g = pd.DataFrame({"gap": [-0.1, 0.02], "sd": [0.01, 0.08], "ci_low": [-0.12, -0.05], "ci_high": [-0.08, 0.09],
                      "significant": [True, False]},
                     index=pd.Index(["CAMuLeNet w/o multitask", "CAMuLeNet w/o co-attention & multitask"], name="system"))
    g.attrs.update(metric="WA", confidence=0.95)
    return g


def test_gap_plot_draws_spread_and_marks_significance():
    results = pd.DataFrame({"system": ["CAMuLeNet", "CAMuLeNet w/o multitask", "CAMuLeNet w/o co-attention & multitask"],
                            "fold": 0, "wa": [0.5, 0.4, 0.52], "weighted_f1": 0.5})
    fig = plot_gaps_vs_paper(ablation_deltas(results, paper_table1(), "WA"), _gaps())
    ax = fig.axes[0]
    assert [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()] == list(_gaps().index)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "± 1 sd of the fold differences" in labels and "corrected 95% interval" in labels
    thick = [ln for ln in ax.lines if ln.get_linewidth() == 6]
    assert sorted(np.ptp(ln.get_xdata()) for ln in thick) == pytest.approx([0.02, 0.16])
    faces = [tuple(c.get_facecolors()[0]) for c in ax.collections if c.get_sizes()[0] == 80]
    assert len(faces) == 2 and faces[0] != faces[1]  # filled (significant) vs hollow


def test_captions_name_the_configuration_of_each_block():
    from camulenet.config import settings

    cfg = settings(smoke=True, corpora=["synthetic", "crema-d"])
    text = corpora_caption(cfg, ["synthetic-small", "crema-d"])
    assert text.count("profile compact") == 2 and "crema-d ·" in text and text.endswith("as printed")
    html = captioned(pd.DataFrame({"WA": [0.5]}), settings_caption(cfg)).to_html()
    assert "<caption>" in html and settings_caption(cfg).split(" · ")[0] in html
    assert ">0.500<" in html  # a bare frame gets three decimals
