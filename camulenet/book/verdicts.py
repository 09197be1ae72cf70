"""The sentences that say what a result means: which systems differ, which gaps survive, what helps.

Each verdict is built from the numbers it cites, so a page never claims more than they show;
the numbers themselves come from the evaluation and experiments wings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def significance_text(tests: pd.DataFrame, corpus: str, reference: str = "CAMuLeNet", alpha: float = 0.05) -> str:
    """One sentence on which systems differ from ``reference`` at level ``alpha`` on ``corpus``.

    ``tests`` is :func:`camulenet.evaluation.stats.pairwise_table` indexed by the other
    system; a pair without a p-value (fewer than two folds) is named as untested rather
    than counted on either side.
    """
    p = tests["wilcoxon_p"]
    sig = [s for s, v in p.items() if v < alpha]
    nonsig = [f"{s} (p = {v:.2g})" for s, v in p.items() if v >= alpha]
    untested = [s for s, v in p.items() if np.isnan(v)]
    n = int(tests["n"].max()) if len(tests) else 0
    text = (f"On {corpus} ({n} folds), {reference} differs at the {100 * alpha:g}% level "
            f"(Wilcoxon signed-rank test, uncorrected) from {', '.join(sig) or 'none of the others'}")
    text += f", and not from {', '.join(nonsig)}" if nonsig else ""
    text += f"; too few folds to test {', '.join(untested)}" if untested else ""
    return text + "."


def survivors_text(table: pd.DataFrame, reference: str) -> str:
    """One sentence naming which comparisons with ``reference`` survive Holm's correction."""
    yes = [f"{s} ({100 * d:+.1f} points)" for s, d, ok in zip(table.system, table.mean_diff, table.survives) if ok]
    no = [s for s, ok in zip(table.system, table.survives) if not ok]
    if not len(table):
        return "There is nothing to compare."
    if not yes:
        return (f"No difference from {reference} survives the corrected test with Holm's correction: "
                f"{', '.join(no)} are all within what the spread across folds allows.")
    verb = "survives" if len(yes) == 1 else "survive"
    text = f"Against {reference}, {', '.join(yes)} {verb} the corrected test with Holm's correction"
    return text + (f"; {', '.join(no)} {'does' if len(no) == 1 else 'do'} not." if no else ".")


def remedy_text(effects: pd.DataFrame) -> str:
    """Which change helps most (or that none helps), and which effects survive Holm's correction."""
    if effects.empty:
        return ""
    eff = effects["effect (points)"]
    best = eff.idxmax()
    if eff[best] > 0:
        text = f"The largest gain is from {best} ({eff[best]:+.1f} points)."
    else:
        text = (f"No change raises mean accuracy; the smallest loss is from {best} "
                f"({eff[best]:+.1f} points).")
    surviving = [f"{c} ({eff[c]:+.1f})" for c in effects.index if effects.loc[c, "survives"]]
    return text + (f" Effects that survive the corrected test with Holm's correction: {', '.join(surviving)}."
                   if surviving else " No effect survives Holm's correction: each is within the spread across folds.")


def similarity_text(correlations: pd.DataFrame) -> str:
    """The rank correlations in words."""
    parts = []
    for r in correlations.itertuples():
        if np.isnan(r.rho):
            why = "too few speakers" if r.n_speakers < 3 else "no spread in the accuracies or distances"
            parts.append(f"for {r.system} there is nothing to correlate ({why})")
            continue
        direction = "lower" if r.rho < 0 else "higher"
        parts.append(f"for {r.system} rho = {r.rho:.2f} (p = {r.p:.2g}): farther voices get {direction} accuracy"
                     + ("" if r.p < 0.05 else ", but not reliably so"))
    return "Across the test speakers of all folds, " + "; ".join(parts) + "."


def calibration_text(table: pd.DataFrame) -> str:
    """How miscalibrated the systems are, and what temperature scaling does to each (its ECE
    may rise: a temperature fitted on validation speakers need not suit the test speakers)."""
    fitted = table.dropna(subset=["ece_after"])
    worst = table.loc[table.ece_before.idxmax()]
    text = (f"Before scaling, ECE ranges from {table.ece_before.min():.3f} to {table.ece_before.max():.3f} "
            f"({worst.system} the worst).")
    if len(fitted):
        over = int((fitted["temperature (median)"] > 1).sum())
        lower = int((fitted.ece_after.round(3) < fitted.ece_before.round(3)).sum())
        text += (f" With temperatures fitted on the validation speakers, ECE on the test speakers is "
                 f"{fitted.ece_after.min():.3f} to {fitted.ece_after.max():.3f}: lower than before for {lower} "
                 f"of {len(fitted)} systems. {over} of {len(fitted)} systems get a median T above 1 "
                 f"(overconfident on their validation speakers).")
    return text


def transfer_text(compare: pd.DataFrame) -> str:
    """The mean cost of leaving a language out, per system, and the language that loses most
    (or, when none loses, that none does)."""
    wide = compare.pivot_table(index=["system", "language"], columns="setting", values="accuracy")
    wide["cost"] = wide["language seen in training"] - wide["language left out"]
    parts = []
    for system, part in wide.groupby(level="system"):
        worst = part["cost"].idxmax()[1]
        mean, top = 100 * part["cost"].mean(), 100 * part["cost"].max()
        tail = (f"the largest loss, on {worst}: {top:.1f}" if top > 0 else
                "no language loses accuracy")
        parts.append(f"{system} {'loses' if mean >= 0 else 'gains'} {abs(mean):.1f} points on average when a "
                     f"language is left out ({tail})")
    return "; ".join(parts) + "."


def gap_verdict(gaps: pd.DataFrame, corpus: str) -> str:
    """Sentences naming the gaps that exceed the fold spread and those within it.

    'Significant' means Holm-adjusted corrected p below alpha; a gap significant only
    before Holm's correction is named as such; the rest are within fold noise.
    """
    metric, reference = gaps.attrs.get("metric", "WA"), gaps.attrs.get("reference", "CAMuLeNet")
    alpha = gaps.attrs.get("alpha", 0.05)
    tested = gaps.dropna(subset=["p"])
    if tested.empty:
        return f"On {corpus} there are too few folds to test any gap in {metric}."

    def named(rows):
        items = [f"{s} ({g:+.3f})" for s, g in zip(rows.index, rows["gap"])]
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    sig = tested[tested["significant"]]
    nominal = tested[~tested["significant"] & tested["nominal"]]
    noise = tested[~tested["nominal"]]
    level = f"{100 * alpha:g}%"
    parts = []
    if len(sig):
        parts.append(f"the gap{'s' if len(sig) > 1 else ''} in {metric} to {reference} of {named(sig)} "
                     f"{'exceed' if len(sig) > 1 else 'exceeds'} the spread across folds (corrected resampled "
                     f"t-test, Holm's correction, {level} level)")
    if len(nominal):
        parts.append(f"{named(nominal)} {'pass' if len(nominal) > 1 else 'passes'} the corrected test at the "
                     f"{level} level only before Holm's correction")
    if len(noise):
        why = ""
        if abs(gaps.attrs.get("confidence", 0.95) - (1 - alpha)) < 1e-9:  # the interval matching the test
            why = f": {'their intervals include' if len(noise) > 1 else 'its interval includes'} zero"
        parts.append(f"{named(noise)} {'are' if len(noise) > 1 else 'is'} within fold noise{why}")
    if not len(sig):
        parts.insert(0, f"no gap in {metric} to {reference} exceeds the spread across folds after Holm's "
                        f"correction ({level} level)")
    untested = gaps.index.difference(tested.index)
    if len(untested):
        parts.append(f"too few shared folds to test {', '.join(untested)}")
    return f"On {corpus}, " + "; ".join(parts) + "."


def spaces_verdict(scores: pd.DataFrame, ours: str, baseline: str) -> str:
    """Sentences comparing two rows of :func:`cluster_scores_within`, each clause true for
    every measure it cites.

    One measure alone can contradict the others on the same page (a higher 5-NN accuracy
    beside a negative silhouette, or a space that still groups by speaker more than by
    emotion), so the wording is chosen from all four: 5-NN accuracy and silhouette, by
    emotion and by speaker. Values equal at three decimals count as ties.
    """
    def get(space, kind, label):
        col = f"{kind}: {label}"
        return float(scores.loc[space, col]) if col in scores.columns else float("nan")

    knn_o, knn_b = get(ours, "5-NN accuracy", "emotion"), get(baseline, "5-NN accuracy", "emotion")
    sil_o, sil_b = get(ours, "silhouette", "emotion"), get(baseline, "silhouette", "emotion")
    spk_o, spk_b = get(ours, "silhouette", "speaker"), get(baseline, "silhouette", "speaker")
    kspk_o, kspk_b = get(ours, "5-NN accuracy", "speaker"), get(baseline, "5-NN accuracy", "speaker")
    if any(np.isnan(v) for v in (knn_o, knn_b, sil_o, sil_b)):
        return f"The emotion measures could not all be computed here, so {ours} and {baseline} are not compared."
    knn_word, sil_word = _compare(knn_o, knn_b, "higher", "lower"), _compare(sil_o, sil_b, "higher", "lower")
    nums_knn, nums_sil = f"({knn_o:.3f} against {knn_b:.3f})", f"({sil_o:.3f} against {sil_b:.3f})"
    if knn_word == sil_word and knn_word != "the same":
        out = [f"By emotion, {ours} has {_than(knn_word, '5-NN accuracy', baseline)} {nums_knn} and "
               f"{_than(sil_word, 'silhouette', baseline)} {nums_sil}: both measures agree."]
    else:
        out = [f"By emotion, the two measures do not agree: {ours} has {_than(knn_word, '5-NN accuracy', baseline)} "
               f"{nums_knn} but {_than(sil_word, 'silhouette', baseline)} {nums_sil}."]
    if sil_o <= 0:
        out.append(f"Its emotion silhouette is {'negative' if sil_o < 0 else 'zero'} ({sil_o:.3f}): the emotions "
                   f"do not form separate clusters in its space, whatever the nearest neighbours vote.")
    if not np.isnan(spk_o):
        if spk_o > sil_o:
            out.append(f"It still groups clips by speaker more than by emotion (silhouette {spk_o:.3f} by speaker "
                       f"against {sil_o:.3f} by emotion).")
        else:
            out.append(f"It groups clips by emotion at least as much as by speaker (silhouette {sil_o:.3f} by "
                       f"emotion against {spk_o:.3f} by speaker).")
        if not any(np.isnan(v) for v in (spk_b, kspk_o, kspk_b)):
            a = _compare(spk_o, spk_b, "more", "less")
            b = _compare(kspk_o, kspk_b, "more", "less")
            nums = (f"(silhouette {spk_o:.3f} against {spk_b:.3f}, 5-NN accuracy {kspk_o:.3f} "
                    f"against {kspk_b:.3f})")
            if a == b and a != "the same":
                out.append(f"It carries {a} speaker identity than {baseline} on both speaker measures {nums}.")
            else:
                out.append(f"Whether it carries less speaker identity than {baseline}, the two speaker measures "
                           f"do not say alike {nums}.")
    fails = []
    if knn_word != "higher":
        fails.append("its 5-NN accuracy by emotion is not higher")
    if sil_word != "higher":
        fails.append("its emotion silhouette is not higher")
    if sil_o <= 0:
        fails.append("its emotion silhouette is not positive")
    if not np.isnan(spk_o) and spk_o > sil_o:
        fails.append("it groups by speaker more than by emotion")
    claim = f"The paper's picture, {ours} forming clearer emotion clusters than {baseline},"
    if not fails:
        out.append(f"{claim} holds here on every one of these measures.")
    elif "higher" in (knn_word, sil_word):
        out.append(f"{claim} holds here only in part: " + "; ".join(fails) + ".")
    else:
        out.append(f"{claim} does not hold here: " + "; ".join(fails) + ".")
    return " ".join(out)


def _compare(ours: float, base: float, higher: str, lower: str, same: str = "the same") -> str:
    """How ``ours`` stands to ``base``, equal when they agree at the three decimals a page shows."""
    if round(float(ours), 3) == round(float(base), 3):
        return same
    return higher if ours > base else lower


def _than(word: str, measure: str, other: str) -> str:
    return f"the same {measure} as {other}" if word == "the same" else f"a {word} {measure} than {other}"
