"""The fold log of a training grid, summarised for a page.

A grid of s systems x k folds leaves one record per fold (epochs run, best epoch,
seconds, samples per second, memory): printed as it trains, that is hundreds of long
lines whose right side a page cuts off. :func:`fold_log_summary` turns the records into
one short row per system, and :func:`captured_output` keeps the progress lines of a
training run off the page (they stay available for a failure message).
"""

from __future__ import annotations

import contextlib
import io
import sys

import pandas as pd

from camulenet.evaluation.results_table import _order


def _spread(values: pd.Series, digits: int = 1) -> str:
    """'mean (min–max)' of whole numbers such as epochs; one value alone when they agree."""
    lo, hi = int(values.min()), int(values.max())
    return f"{lo}" if lo == hi else f"{values.mean():.{digits}f}\u00a0({lo}\u2060–\u2060{hi})"  # no line break inside


def fold_log_summary(fold_info: pd.DataFrame) -> pd.DataFrame:
    """One row per system of :attr:`camulenet.pipeline.Run.fold_info` (one row per system x fold).

    Columns: folds; epochs run and best epoch (counted from 1) as 'mean (min–max)'; minutes
    per fold (mean) and in all; training samples per second (mean); the largest peak
    process memory in MB; parameters in millions. Figures an older run lacks are blank.
    """
    if fold_info.empty:
        raise ValueError("no finished folds to summarise")
    rows = {}
    for system, part in fold_info.groupby("system", sort=False):
        minutes = part["train_seconds"] / 60
        rows[system] = {
            "folds": len(part),
            "epochs": _spread(part["epochs_run"]),
            "best epoch": _spread(part["best_epoch"] + 1) if part["best_epoch"].notna().all() else "",
            "min/fold": round(float(minutes.mean()), 2),
            "total min": round(float(minutes.sum()), 1),
            "samples/s": round(float(part["samples_per_s"].mean())),
            "peak MB": round(float(part["peak_memory_mb"].max())) if part["peak_memory_mb"].notna().any() else None,
            "params (M)": round(float(part["n_params"].iloc[0]) / 1e6, 2),
        }
    table = pd.DataFrame.from_dict(rows, orient="index").reindex(_order(rows))
    table.index.name = "system"
    return table


def style_fold_log(table: pd.DataFrame):
    """:func:`fold_log_summary` for a page: each number with the digits it needs."""
    return table.style.format({"min/fold": "{:.2f}", "total min": "{:.1f}", "samples/s": "{:.0f}",
                               "peak MB": "{:.0f}", "params (M)": "{:.2f}"}, na_rep="")


@contextlib.contextmanager
def captured_output(tail: int = 40):
    """Collect what a block prints (progress bars, per-fold lines) instead of showing it.

    Yields a :class:`io.StringIO` holding stdout and stderr of the block. When the block
    fails, the last ``tail`` lines are written to stderr before the error propagates, so
    what led to it is never hidden; progress bars written by worker processes to their own
    log files are not affected.
    """
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            yield buffer
    except BaseException:
        lines = buffer.getvalue().splitlines()[-tail:]
        if lines:
            print("\n".join(["output before the error:", *lines]), file=sys.stderr)
        raise


def selection_text(schedule) -> str:
    """One sentence on which epoch a schedule keeps, true for whatever schedule the profile has."""
    what = {"val_ua": "UA (mean per-class recall)", "val_wa": "accuracy", "val_loss": "total loss",
            "val_emotion_loss": "emotion loss"}
    epochs = f"{schedule.epochs} epoch{'' if schedule.epochs == 1 else 's'}"
    if schedule.monitor == "last":
        every = "its one epoch and keeps it" if schedule.epochs == 1 else f"all {epochs} and keeps the last"
        return (f"Training runs {every}, as the released code does; the validation speakers are only "
                f"watched.")
    text = f"Training keeps the weights of the epoch with the best {what[schedule.monitor]} on the validation speakers"
    if schedule.patience:
        return (text + f" and stops after {schedule.patience} epochs without improvement (at most "
                f"{schedule.epochs}), so folds run for different numbers of epochs.")
    return text + f", out of {epochs}."
