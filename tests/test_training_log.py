import sys

import matplotlib
import pandas as pd
import pytest

from camulenet.book.training_log import captured_output, fold_log_summary, style_fold_log

matplotlib.use("Agg")


def _fold_info():
    rows = []
    for system, epochs, best in (("CAMuLeNet", (10, 12, 14), (5, 9, 13)), ("Whisper-Base", (6, 6, 6), (2, 3, 4))):
        for fold, (e, b) in enumerate(zip(epochs, best)):
            rows.append({"system": system, "fold": fold, "epochs_run": e, "best_epoch": b, "train_seconds": 60.0 * (fold + 1),
                         "samples_per_s": 100.0 * (fold + 1), "peak_memory_mb": 500.0 + fold, "n_params": 646820})
    return pd.DataFrame(rows)


def test_summary_is_one_short_row_per_system():
    t = fold_log_summary(_fold_info())
    assert list(t.index) == ["Whisper-Base", "CAMuLeNet"]  # Table 1 order
    assert t.loc["CAMuLeNet", "epochs"] == "12.0\u00a0(10\u2060–\u206014)"
    assert t.loc["Whisper-Base", "epochs"] == "6"  # equal everywhere: one number
    assert t.loc["CAMuLeNet", "best epoch"] == "10.0\u00a0(6\u2060–\u206014)"  # counted from 1
    assert t.loc["CAMuLeNet", "min/fold"] == 2.0 and t.loc["CAMuLeNet", "total min"] == 6.0
    assert t.loc["CAMuLeNet", "samples/s"] == 200 and t.loc["CAMuLeNet", "peak MB"] == 502
    assert t.loc["CAMuLeNet", "params (M)"] == 0.65
    assert max(len(c) for c in t.columns) <= 10
    html = style_fold_log(t).to_html()
    assert ">2.00<" in html and ">6.0<" in html and "0.000000" not in html


def test_summary_refuses_an_empty_log():
    with pytest.raises(ValueError):
        fold_log_summary(_fold_info().iloc[:0])


def test_captured_output_keeps_progress_off_the_page(capsys):
    with captured_output() as log:
        print("fold 1 done")
        print("grid jobs 50%", file=sys.stderr)
    assert "fold 1 done" in log.getvalue() and "grid jobs 50%" in log.getvalue()
    assert capsys.readouterr().out == ""


def test_learning_curves_carry_a_fold_and_split_key():
    from camulenet.plots.training import MAX_LISTED_FOLDS, plot_emotion_loss, plot_validation_accuracy

    hist = pd.DataFrame([{"system": s, "fold": f, "epoch": e, "val_wa": 0.5, "val_emotion_loss": 1.0,
                          "train_emotion_loss": 1.2} for s in ("CAMuLeNet", "Whisper-Base") for f in range(3)
                         for e in range(4)])
    labels = [t.get_text() for t in plot_emotion_loss(hist).legends[0].get_texts()]
    assert labels == ["fold 0", "fold 1", "fold 2", "validation", "train"]
    labels = [t.get_text() for t in plot_validation_accuracy(hist).legends[0].get_texts()]
    assert labels == ["fold 0", "fold 1", "fold 2"]
    many = pd.concat([hist.assign(fold=hist.fold + 3 * i) for i in range(5)])
    labels = [t.get_text() for t in plot_validation_accuracy(many).legends[0].get_texts()]
    assert labels == [f"one line per fold ({15})"] and 15 > MAX_LISTED_FOLDS


def test_captured_output_shows_its_tail_when_the_block_fails(capsys):
    with captured_output() as quiet:
        print("progress 1/2")
    assert "progress 1/2" in quiet.getvalue() and capsys.readouterr().err == ""
    with pytest.raises(RuntimeError, match="fold 3"):
        with captured_output(tail=2):
            for line in ("epoch 1", "epoch 2", "epoch 3: loss nan"):
                print(line)
            raise RuntimeError("fold 3 diverged")
    err = capsys.readouterr().err
    assert "epoch 3: loss nan" in err and "epoch 2" in err and "epoch 1" not in err
