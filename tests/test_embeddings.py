import numpy as np
import pandas as pd
import pytest

from camulenet.book.verdicts import spaces_verdict
from camulenet.evaluation.embeddings import as_matrix, cluster_scores, cluster_scores_within, tsne_frame
from camulenet.storage.ragged import Ragged


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    n = 60
    emotion = np.repeat(["angry", "sad", "happy"], n // 3)
    speaker = np.tile([f"s{i}" for i in range(6)], n // 6)
    manifest = pd.DataFrame({"utt_id": [f"u{i}" for i in range(n)], "emotion": emotion, "speaker": speaker,
                             "gender": "female", "language": "en"})
    centres = {"angry": 0, "sad": 5, "happy": 10}
    by_emotion = np.stack([rng.normal(centres[e], 0.3, 8) for e in emotion]).astype(np.float32)
    noise = rng.normal(0, 1, (n, 8)).astype(np.float32)
    return manifest, by_emotion, noise


def test_as_matrix_orders_rows_and_pools_frames():
    r = Ragged.from_list([np.ones((2, 3)), np.zeros((1, 3))], ["a", "b"])
    m = as_matrix(r, ["b", "a"])
    assert m.shape == (2, 3) and m[0].sum() == 0 and m[1].sum() == 3
    with pytest.raises(KeyError):
        as_matrix((["a"], np.ones((1, 3))), ["a", "zz"])


def test_cluster_scores_separate_informative_from_noise(data):
    manifest, good, noise = data
    ids = list(manifest.utt_id)
    s = cluster_scores({"good": (ids, good), "noise": (ids, noise)}, manifest)
    assert s.loc["good", "silhouette: emotion"] > 0.5 > s.loc["noise", "silhouette: emotion"]
    assert s.loc["good", "5-NN accuracy: emotion"] > 0.95
    assert s.loc["noise", "5-NN accuracy: emotion"] < 0.7


def test_tsne_frame_is_seeded(data):
    manifest, good, _ = data
    ids = list(manifest.utt_id)
    a = tsne_frame({"good": (ids, good)}, manifest, perplexity=10, seed=1)
    b = tsne_frame({"good": (ids, good)}, manifest, perplexity=10, seed=1)
    assert len(a) == len(manifest) and set(a.columns) >= {"x", "y", "emotion", "speaker", "space"}
    np.testing.assert_array_equal(a[["x", "y"]].to_numpy(), b[["x", "y"]].to_numpy())


def test_scores_within_parts_never_compare_two_models(data):
    """Two 'fold models' that encode emotion along different axes: pooled, their clips of one
    emotion do not group; scored within each model's own clips, they do."""
    manifest, _, noise = data
    part = np.arange(len(manifest)) % 2  # clips embedded by model 0 or model 1
    emo_code = manifest.emotion.map({"angry": 0, "sad": 1, "happy": 2}).to_numpy()
    x = np.zeros_like(noise)
    rows, axes = np.arange(len(x)), emo_code + 4 * part  # model 0: axes 0-2, model 1: axes 4-6
    x[rows, axes] = 1.0 + 0.1 * noise[:, 0]
    space = {"two models": pd.DataFrame(x, index=manifest.utt_id)}
    parts = [manifest.utt_id[part == k].tolist() for k in (0, 1)]
    pooled = cluster_scores(space, manifest)
    within = cluster_scores_within(space, manifest, parts)
    assert within.loc["two models", "silhouette: emotion"] > pooled.loc["two models", "silhouette: emotion"] + 0.2
    assert within.loc["two models", "5-NN accuracy: emotion"] > 0.9


def test_a_part_with_one_speaker_scores_nan_for_speaker(data):
    manifest, by_emotion, _ = data
    space = {"e": pd.DataFrame(by_emotion, index=manifest.utt_id)}
    one = manifest[manifest.speaker == "s0"]
    got = cluster_scores(space, one)
    assert np.isnan(got.loc["e", "silhouette: speaker"]) and got.loc["e", "silhouette: emotion"] > 0.5


def _scores(knn_e, sil_e, sil_s, knn_s, jitter=0.005, folds=4):
    """Made-up per-fold scores: (ours, base) means per measure; ours moves by +-jitter from fold to fold."""
    rows = {}
    for k in range(folds):
        wobble = jitter if k % 2 else -jitter
        for i, space in enumerate(("ours", "base")):
            rows[(k, space)] = {name: pair[i] + (wobble if i == 0 else 0.0) for name, pair in
                                (("5-NN accuracy: emotion", knn_e), ("silhouette: emotion", sil_e),
                                 ("silhouette: speaker", sil_s), ("5-NN accuracy: speaker", knn_s))}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(["part", "space"])


def test_verdict_never_claims_better_emotion_separation_against_a_contradicting_measure():
    # 5-NN says better, the emotion silhouette says worse and is negative, speakers dominate
    text = spaces_verdict(_scores((0.40, 0.15), (-0.03, -0.01), (0.05, 0.11), (0.66, 0.85)), "ours", "base")
    assert "do not agree" in text and "a higher 5-NN accuracy" in text and "a lower silhouette" in text
    assert "negative" in text and "by speaker more than by emotion" in text
    assert "holds here only in part" in text and "every one" not in text
    assert "less speaker identity" in text


def test_a_difference_within_the_fold_spread_never_makes_two_measures_agree():
    """The issue's case: silhouettes -0.033 against -0.035 whose folds scatter by 0.01 are the same,
    so a higher 5-NN accuracy beside them is one measure, not two that agree."""
    scores = _scores((0.40, 0.15), (-0.033, -0.035), (0.05, 0.11), (0.66, 0.85), jitter=0.01)
    scores.loc[(slice(None), "ours"), "5-NN accuracy: emotion"] = 0.40  # only the silhouettes scatter
    text = spaces_verdict(scores, "ours", "base")
    assert "agree" not in text.split(".")[0].replace("do not agree", "")
    assert "only one measure shows a difference" in text and "the same silhouette as base" in text
    assert "is negative (-0.033)" in text  # 0.033 below zero is beyond its fold spread of 0.012
    scores.loc[(slice(None), "ours"), "silhouette: emotion"] += [0.05, -0.05, 0.05, -0.05]
    assert "about zero (within its fold spread)" in spaces_verdict(scores, "ours", "base")


def test_verdict_when_every_measure_agrees_and_when_none_does():
    good = spaces_verdict(_scores((0.8, 0.4), (0.3, 0.1), (0.05, 0.2), (0.3, 0.8)), "ours", "base")
    assert "both measures agree" in good and "holds here on every one" in good
    assert "negative" not in good and "at least as much as by speaker" in good
    bad = spaces_verdict(_scores((0.3, 0.4), (0.05, 0.1), (0.2, 0.1), (0.9, 0.8)), "ours", "base")
    assert "does not hold here" in bad and "a lower 5-NN accuracy" in bad and "more speaker identity" in bad
    # a gap smaller than the fold spread is not "higher"
    tie = spaces_verdict(_scores((0.402, 0.4), (0.2, 0.1), (0.1, 0.1), (0.5, 0.5)), "ours", "base")
    assert "the same 5-NN accuracy as base" in tie and "holds here only in part" in tie
    assert "do not say alike" in tie
    missing = spaces_verdict(_scores((np.nan, 0.4), (0.2, 0.1), (0.1, 0.1), (0.5, 0.5)), "ours", "base")
    assert "could not all be computed" in missing


def test_tsne_grid_puts_one_readable_legend_per_column_outside_the_panels(data):
    import matplotlib

    matplotlib.use("Agg")
    from camulenet.plots.embeddings import plot_tsne_grid

    manifest, good, noise = data
    rng = np.random.default_rng(1)
    frame = pd.concat([manifest.assign(space=s, x=rng.normal(size=len(manifest)), y=rng.normal(size=len(manifest)))
                       for s in ("a", "b")], ignore_index=True)
    fig = plot_tsne_grid(frame)
    fig.canvas.draw()
    axes = np.array(fig.axes).reshape(2, 2)
    legends = [ax.get_legend() for ax in axes.flat]
    assert [lg is not None for lg in legends] == [False, False, True, True]
    for lg in legends[2:]:
        box = lg.get_window_extent()
        assert not any(box.overlaps(ax.get_window_extent()) for ax in axes.flat)  # over no point
        assert min(t.get_fontsize() for t in lg.get_texts()) >= 10
    assert min(c.get_sizes().min() for ax in axes.flat for c in ax.collections) >= 20
