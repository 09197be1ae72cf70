"""The sentences that say what a result means, each word chosen by an explicit rule.

A page never claims more than its numbers show: every verdict word (higher, no difference,
close, survives, ...) comes from one of the rules of :data:`RULES`, whose thresholds are the
constants below, and each verdict is recorded with its numbers and its rule
(:mod:`camulenet.book.claims`) for the appendix's table "Claims and their evidence". A
difference within the noise of its measure is "no difference", never "higher"; two measures
"agree" only when the rule gives both the same word, and that word is a difference.
The numbers themselves come from the evaluation and experiments wings.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from camulenet.book import claims

#: The level of every test a verdict cites.
ALPHA = 0.05
#: Mean cosine similarity of two sets of frames: the lower bound of each word, best first.
COSINE_WORDS = ((0.99, "nearly identical"), (0.95, "close"), (0.80, "related but not close"))
#: The smallest change of an ECE that counts as a change.
ECE_CHANGE = 0.01
#: The smallest speed ratio that counts as faster.
SPEEDUP = 1.5

#: Every rule a verdict of the book is chosen by, with its threshold, as the appendix prints it.
RULES = {
    "fold noise": ("higher or lower only when the mean of the per-fold differences exceeds their standard "
                   "deviation over folds (the fold spread); within it: no difference; fewer than two folds: "
                   "not judged"),
    "spread over languages": ("a cost or gain only when its mean over the held-out languages exceeds its "
                              "standard deviation over them; within it: no clear change"),
    "Holm": (f"a gap exceeds the spread across folds when its corrected resampled t-test p, Holm-adjusted over "
             f"the comparisons of its table, is below {ALPHA}; below {ALPHA} only before Holm: nominal; "
             f"else within fold noise"),
    "Wilcoxon": f"differs when the Wilcoxon signed-rank p over folds is below {ALPHA} (uncorrected)",
    "correlation": (f"a relation only when Spearman's p is below {ALPHA}, in the direction of rho's sign; "
                    f"else no reliable relation"),
    "cosine": ("mean cosine similarity " + "; ".join(f"from {lo:g}: {word}" for lo, word in COSINE_WORDS)
               + f"; below {COSINE_WORDS[-1][0]:g}: clearly different"),
    "ECE": f"ECE lower or higher only when it moves by at least {ECE_CHANGE:g}; less: unchanged",
    "as printed": "the paper's values compared as printed (the paper gives no spread over folds)",
    "share": "most: more than half of the total",
    "speed-up": f"faster only from {SPEEDUP:g} times the other's speed; below: about as fast",
    "goal": "met when the measured figure reaches the goal",
    "sign": "positive or negative only when the mean over folds is farther from zero than its standard deviation",
    "unpaired spread": ("of two scores over different folds, one is higher only when they differ by more than "
                        "the larger of their two standard deviations over folds"),
}


# --------------------------------------------------------------------------- the rules
def _claim(claim: str, verdict: str, evidence: str, rule: str) -> None:
    """Record a verdict (:mod:`camulenet.book.claims`) under the name of the rule that chose it."""
    if rule not in RULES:
        raise KeyError(f"no rule {rule!r} in camulenet.book.verdicts.RULES")
    claims.record(claim, verdict, evidence, rule)


def by_fold_noise(diffs: Sequence[float]) -> str:
    """``higher``, ``lower``, ``no difference`` or ``not judged`` for paired per-fold
    differences (rule "fold noise"): a mean within one standard deviation of the differences
    is no difference."""
    d = np.asarray(diffs, dtype=float)
    d = d[~np.isnan(d)]
    if len(d) < 2:
        return "not judged"
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    if abs(mean) > sd:
        return "higher" if mean > 0 else "lower"
    return "no difference"


def cosine_word(mean: float) -> str:
    """The rule "cosine": how alike two sets of frames are, from their mean cosine similarity."""
    for low, word in COSINE_WORDS:
        if mean >= low:
            return word
    return "clearly different"


def _spread(diffs) -> str:
    d = np.asarray(diffs, dtype=float)
    d = d[~np.isnan(d)]
    sd = f", fold sd {d.std(ddof=1):.3f}" if len(d) > 1 else ""
    return f"mean difference {d.mean():+.3f}{sd} over {len(d)} folds" if len(d) else "no folds"


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _family(systems: Sequence[str]) -> str:
    """The Holm family of a table, named: whoever reads two pages with different families sees why
    the same comparison has another adjusted p."""
    n = len(systems)
    return f"Holm's correction over the {n} comparison{'s' if n != 1 else ''} of its table ({', '.join(systems)})"


# --------------------------------------------------------------------------- tests across folds
def significance_text(tests: pd.DataFrame, corpus: str, reference: str = "CAMuLeNet", alpha: float = ALPHA) -> str:
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
    for system, row in tests.iterrows():
        word = "not tested" if np.isnan(row["wilcoxon_p"]) else "differs" if row["wilcoxon_p"] < alpha else \
            "no difference shown"
        _claim(f"{reference} against {system} on {corpus} (accuracy, Wilcoxon)", word,
                      f"{reference} minus {system} {100 * row['mean_diff']:+.1f} points, p = {row['wilcoxon_p']:.3g}, "
                      f"{int(row['n'])} folds", "Wilcoxon")
    text = (f"On {corpus} ({n} folds), {reference} differs at the {100 * alpha:g}% level "
            f"(Wilcoxon signed-rank test, uncorrected) from {', '.join(sig) or 'none of the others'}")
    text += f", and not from {', '.join(nonsig)}" if nonsig else ""
    text += f"; too few folds to test {', '.join(untested)}" if untested else ""
    return text + "."


def survivors_text(table: pd.DataFrame, reference: str, about: str = "") -> str:
    """One sentence naming which comparisons with ``reference`` survive Holm's correction, which
    pass the corrected test only before it (rule "Holm"), and the family the correction ran over
    (``table`` is :func:`camulenet.evaluation.cv_stats.comparison_table`)."""
    if not len(table):
        return "There is nothing to compare."
    tested = table.dropna(subset=["p_holm"]) if "p_holm" in table else table
    nominal = {r.system for r in table.itertuples()
               if not r.survives and "p" in table and not np.isnan(r.p) and r.p < ALPHA}
    for r in table.itertuples():
        evidence = f"{r.system} minus {reference} {100 * r.mean_diff:+.1f} points"
        if hasattr(r, "ci_low"):
            evidence += f", corrected 95% CI [{100 * r.ci_low:+.1f}, {100 * r.ci_high:+.1f}]"
        if hasattr(r, "p_holm"):
            evidence += f", p = {r.p:.3g}, Holm p = {r.p_holm:.3g} ({len(tested)} comparisons)"
        word = "survives" if r.survives else "nominal only" if r.system in nominal else "within fold noise"
        _claim(f"{r.system} against {reference}{' on ' + about if about else ''} (corrected test)", word, evidence,
               "Holm")
    yes = [f"{s} ({100 * d:+.1f} points)" for s, d, ok in zip(table.system, table.mean_diff, table.survives) if ok]
    near = [s for s in table.system if s in nominal]
    no = [s for s, ok in zip(table.system, table.survives) if not ok and s not in nominal]
    family = _family(list(tested.system))
    if yes:
        verb = "survives" if len(yes) == 1 else "survive"
        text = f"Against {reference}, {', '.join(yes)} {verb} the corrected test with {family}"
    else:
        text = f"No difference from {reference} survives the corrected test with {family}"
    if near:
        text += (f"; {_names(near)} {'passes' if len(near) == 1 else 'pass'} it only before Holm's correction, "
                 f"which is not enough to call {'it' if len(near) == 1 else 'them'} a difference")
    if no:
        text += (f"; {', '.join(no)} {'does' if len(no) == 1 else 'do'} not" if yes or near else
                 f": {', '.join(no)} {'is' if len(no) == 1 else 'are all'} within what the spread across folds allows")
    return text + "."


def gap_verdict(gaps: pd.DataFrame, corpus: str) -> str:
    """Sentences naming the gaps that exceed the fold spread and those within it.

    'Significant' means Holm-adjusted corrected p below alpha (rule "Holm"); a gap
    significant only before Holm's correction is named as such; the rest are within fold
    noise. The sentence names the Holm family (the systems of the table).
    """
    metric, reference = gaps.attrs.get("metric", "WA"), gaps.attrs.get("reference", "CAMuLeNet")
    alpha = gaps.attrs.get("alpha", ALPHA)
    tested = gaps.dropna(subset=["p"])
    if tested.empty:
        return f"On {corpus} there are too few folds to test any gap in {metric}."
    for system, r in gaps.iterrows():
        word = ("not tested" if np.isnan(r["p"]) else "exceeds fold noise" if r["significant"]
                else "nominal only" if r["nominal"] else "within fold noise")
        _claim(f"gap in {metric} of {system} to {reference} on {corpus}", word,
                      f"gap {r['gap']:+.3f}, fold sd {r['sd']:.3f}, corrected CI [{r['ci_low']:+.3f}, "
                      f"{r['ci_high']:+.3f}], p = {r['p']:.3g}, Holm p = {r['p_holm']:.3g} ({len(tested)} comparisons)",
                      "Holm")

    def named(rows):
        return _names([f"{s} ({g:+.3f})" for s, g in zip(rows.index, rows["gap"])])

    sig = tested[tested["significant"]]
    nominal = tested[~tested["significant"] & tested["nominal"]]
    noise = tested[~tested["nominal"]]
    level = f"{100 * alpha:g}% level"
    family = _family(list(tested.index))
    parts = []
    if len(sig):
        parts.append(f"the gap{'s' if len(sig) > 1 else ''} in {metric} to {reference} of {named(sig)} "
                     f"{'exceed' if len(sig) > 1 else 'exceeds'} the spread across folds (corrected resampled "
                     f"t-test, {family}, {level})")
    if len(nominal):
        parts.append(f"{named(nominal)} {'pass' if len(nominal) > 1 else 'passes'} the corrected test at the "
                     f"{level} only before Holm's correction")
    if len(noise):
        why = ""
        if abs(gaps.attrs.get("confidence", 0.95) - (1 - alpha)) < 1e-9:  # the interval matching the test
            why = f": {'their intervals include' if len(noise) > 1 else 'its interval includes'} zero"
        parts.append(f"{named(noise)} {'are' if len(noise) > 1 else 'is'} within fold noise{why}")
    if not len(sig):
        parts.insert(0, f"no gap in {metric} to {reference} exceeds the spread across folds after {family} "
                        f"({level})")
    untested = gaps.index.difference(tested.index)
    if len(untested):
        parts.append(f"too few shared folds to test {', '.join(untested)}")
    return f"On {corpus}, " + "; ".join(parts) + "."


def standing_text(wide: pd.DataFrame, system: str, reference: str = "CAMuLeNet", metric: str = "wa") -> str:
    """Where ``system`` stands against ``reference`` on ``metric``, as a clause (rule "fold noise",
    paired by fold; whether the gap survives the corrected test is chapter 8's question, and the
    clause says so); ``wide`` is one row per system and fold."""
    both = wide.pivot_table(index="fold", columns="system", values=metric)[[system, reference]].dropna()
    diffs = (both[system] - both[reference]).to_numpy()
    word = by_fold_noise(diffs)
    clause = {"higher": f"above {reference}'s, by more than the spread of their per-fold differences",
              "lower": f"below {reference}'s, by more than the spread of their per-fold differences",
              "no difference": f"within the spread of its per-fold differences from {reference}'s",
              "not judged": f"beside {reference}'s (too few folds to judge the difference)"}[word]
    if word in ("higher", "lower"):
        clause += " (chapter 8 asks whether that survives the corrected test)"
    _claim(f"{system} against {reference} ({metric.upper()})", {"higher": "above", "lower": "below"}.get(word, word),
           _spread(diffs), "fold noise")
    return clause


# --------------------------------------------------------------------------- chapter 9
def remedy_text(effects: pd.DataFrame) -> str:
    """Which change has the largest mean effect, whether it and the others survive Holm's
    correction (only a surviving effect is called a gain or a loss; rule "Holm")."""
    if effects.empty:
        return ""
    eff = effects["effect (points)"]
    nominal = [c for c in effects.index if not effects.loc[c, "survives"] and "p (corrected)" in effects
               and effects.loc[c, "p (corrected)"] < ALPHA]
    for change, r in effects.iterrows():
        evidence = f"{r['effect (points)']:+.1f} points"
        if "corrected 95% CI" in effects:
            evidence += (f", corrected 95% CI {r['corrected 95% CI']}, p = {r['p (corrected)']:.3g}, "
                         f"Holm p = {r['p (Holm)']:.3g} ({len(effects)} changes)")
        word = "survives" if r["survives"] else "nominal only" if change in nominal else "within fold noise"
        _claim(f"effect of {change} on accuracy", word, evidence, "Holm")
    best = eff.idxmax()
    surviving = [c for c in effects.index if effects.loc[c, "survives"]]
    if eff[best] > 0 and best in surviving:
        text = f"The largest gain is from {best} ({eff[best]:+.1f} points), beyond the spread across folds."
    elif eff[best] > 0:
        text = (f"The largest mean change is from {best} ({eff[best]:+.1f} points), not beyond the spread "
                f"across folds after Holm's correction, so not a gain this build can show.")
    else:
        text = (f"No change raises mean accuracy; the smallest loss is from {best} "
                f"({eff[best]:+.1f} points).")
    family = f"Holm's correction over the {len(effects)} changes"
    named = [f"{c} ({eff[c]:+.1f})" for c in surviving]
    text += (f" Effects that survive the corrected test with {family}: {', '.join(named)}."
             if named else f" No effect survives {family}.")
    if nominal:
        text += f" {_names(nominal)} {'passes' if len(nominal) == 1 else 'pass'} the corrected test only before it."
    return text


def similarity_text(correlations: pd.DataFrame) -> str:
    """The rank correlations in words (rule "correlation": no direction is named without p < alpha)."""
    parts = []
    for r in correlations.itertuples():
        if np.isnan(r.rho):
            why = "too few speakers" if r.n_speakers < 3 else "no spread in the accuracies or distances"
            parts.append(f"for {r.system} there is nothing to correlate ({why})")
            _claim(f"accuracy against voice distance, {r.system}", "not judged", why, "correlation")
            continue
        if r.p < ALPHA:
            word = "lower" if r.rho < 0 else "higher"
            parts.append(f"for {r.system} rho = {r.rho:.2f} (p = {r.p:.2g}): farther voices get {word} accuracy")
            verdict = f"farther voices get {word} accuracy"
        else:
            parts.append(f"for {r.system} rho = {r.rho:.2f} (p = {r.p:.2g}): no reliable relation")
            verdict = "no reliable relation"
        _claim(f"accuracy against voice distance, {r.system}", verdict,
                      f"rho = {r.rho:.2f}, p = {r.p:.2g}, {r.n_speakers} speakers", "correlation")
    return "Across the test speakers of all folds, " + "; ".join(parts) + "."


def calibration_text(table: pd.DataFrame) -> str:
    """How miscalibrated the systems are, and what temperature scaling does to each (rule "ECE"):
    how many systems it helps, how many it harms, and why it can harm: the temperature is
    fitted on the validation speakers, the ECE measured on other, unseen speakers."""
    fitted = table.dropna(subset=["ece_after"])
    worst = table.loc[table.ece_before.idxmax()]
    text = (f"Before scaling, ECE ranges from {table.ece_before.min():.3f} to {table.ece_before.max():.3f} "
            f"({worst.system} the worst).")
    if not len(fitted):
        return text
    change = fitted.ece_after - fitted.ece_before
    lower, higher = fitted[change <= -ECE_CHANGE], fitted[change >= ECE_CHANGE]
    same = len(fitted) - len(lower) - len(higher)
    for r in fitted.itertuples():
        d = r.ece_after - r.ece_before
        _claim(f"temperature scaling, ECE of {r.system}",
                      "lower" if d <= -ECE_CHANGE else "higher" if d >= ECE_CHANGE else "unchanged",
                      f"ECE {r.ece_before:.3f} -> {r.ece_after:.3f}", "ECE")
    over = int((fitted["temperature (median)"] > 1).sum())
    text += (f" With temperatures fitted on the validation speakers, ECE on the test speakers is "
             f"{fitted.ece_after.min():.3f} to {fitted.ece_after.max():.3f}: lower for {len(lower)} of "
             f"{len(fitted)} systems, higher for {len(higher)}, and unchanged (within {ECE_CHANGE:g}) for {same}.")
    if len(higher):
        rose = ", ".join(f"{r.system} {r.ece_before:.3f} to {r.ece_after:.3f}" for r in higher.itertuples())
        text += (f" It rose for {rose}: the temperature is fitted on a fold's few validation speakers and the ECE "
                 f"is measured on its test speakers, whom neither training nor the fit has heard, so a "
                 f"temperature that suits the first can over- or under-correct the second. Temperature scaling "
                 f"is therefore no fix here for {'that system' if len(higher) == 1 else 'those systems'}.")
    return text + (f" {over} of {len(fitted)} systems get a median T above 1 (overconfident on their "
                   f"validation speakers).")


def transfer_text(compare: pd.DataFrame) -> str:
    """The mean cost of leaving a language out, per system (rule "spread over languages"), and
    the language that loses most (or, when none loses, that none does)."""
    wide = compare.pivot_table(index=["system", "language"], columns="setting", values="accuracy")
    wide["cost"] = wide["language seen in training"] - wide["language left out"]
    parts = []
    for system, part in wide.groupby(level="system"):
        costs = 100 * part["cost"].to_numpy()
        worst = part["cost"].idxmax()[1]
        mean, top = costs.mean(), costs.max()
        word = {"higher": "loses", "lower": "gains", "no difference": "shows no clear change",
                "not judged": "loses" if mean >= 0 else "gains"}[by_fold_noise(costs)]
        spread = f", sd {costs.std(ddof=1):.1f} over {len(costs)} languages" if len(costs) > 1 else ""
        _claim(f"{system} with a language left out", word,
                      f"mean cost {mean:+.1f} points{spread}", "spread over languages")
        tail = (f"the largest loss, on {worst}: {top:.1f}" if top > 0 else "no language loses accuracy")
        if word == "shows no clear change":
            parts.append(f"{system} shows no clear change when a language is left out ({mean:+.1f} points of cost "
                         f"on average{spread}, within that spread; {tail})")
        else:
            parts.append(f"{system} {word} {abs(mean):.1f} points on average when a language is left out "
                         f"({tail}{spread})")
    return "; ".join(parts) + "."


# --------------------------------------------------------------------------- chapter 7
def spaces_verdict(per_fold: pd.DataFrame, ours: str, baseline: str) -> str:
    """Sentences comparing two spaces of :func:`~camulenet.evaluation.embeddings.cluster_scores_by_part`
    (one row per fold and space), each clause true for every measure it cites.

    Each comparison is judged by the rule "fold noise" on the per-fold differences: a
    difference within the fold spread is "the same", never "higher". One measure alone can
    contradict the others (a higher 5-NN accuracy beside a negative silhouette, or a space
    that still groups by speaker more than by emotion), so the wording is chosen from all
    four: 5-NN accuracy and silhouette, by emotion and by speaker. Two measures agree only
    when both give the same difference.
    """
    def col(space, kind, label):
        name = f"{kind}: {label}"
        if name not in per_fold.columns:
            return pd.Series(np.nan, index=per_fold.xs(space, level="space").index)
        return per_fold.xs(space, level="space")[name].astype(float)

    def judged(a: pd.Series, b: pd.Series, what: str, higher="higher", lower="lower", same="the same"):
        diffs = (a - b).dropna().to_numpy()
        word = {"higher": higher, "lower": lower, "no difference": same, "not judged": same}[by_fold_noise(diffs)]
        _claim(what, word, f"{a.mean():.3f} against {b.mean():.3f}; {_spread(diffs)}", "fold noise")
        return word

    knn_o, knn_b = col(ours, "5-NN accuracy", "emotion"), col(baseline, "5-NN accuracy", "emotion")
    sil_o, sil_b = col(ours, "silhouette", "emotion"), col(baseline, "silhouette", "emotion")
    spk_o, spk_b = col(ours, "silhouette", "speaker"), col(baseline, "silhouette", "speaker")
    kspk_o, kspk_b = col(ours, "5-NN accuracy", "speaker"), col(baseline, "5-NN accuracy", "speaker")
    if any(s.isna().all() for s in (knn_o, knn_b, sil_o, sil_b)):
        return f"The emotion measures could not all be computed here, so {ours} and {baseline} are not compared."
    knn_word = judged(knn_o, knn_b, f"5-NN accuracy by emotion, {ours} against {baseline}")
    sil_word = judged(sil_o, sil_b, f"silhouette by emotion, {ours} against {baseline}")
    nums_knn = f"({knn_o.mean():.3f} against {knn_b.mean():.3f})"
    nums_sil = f"({sil_o.mean():.3f} against {sil_b.mean():.3f})"
    if knn_word == sil_word and knn_word != "the same":
        out = [f"By emotion, {ours} has {_than(knn_word, '5-NN accuracy', baseline)} {nums_knn} and "
               f"{_than(sil_word, 'silhouette', baseline)} {nums_sil}, each beyond the fold spread: both measures "
               f"agree."]
    elif "the same" in (knn_word, sil_word) and knn_word != sil_word:
        out = [f"By emotion, only one measure shows a difference beyond the fold spread: {ours} has "
               f"{_than(knn_word, '5-NN accuracy', baseline)} {nums_knn} and "
               f"{_than(sil_word, 'silhouette', baseline)} {nums_sil}."]
    elif knn_word == sil_word:
        out = [f"By emotion, neither measure shows a difference beyond the fold spread: {ours} has "
               f"{_than(knn_word, '5-NN accuracy', baseline)} {nums_knn} and "
               f"{_than(sil_word, 'silhouette', baseline)} {nums_sil}."]
    else:
        out = [f"By emotion, the two measures do not agree: {ours} has {_than(knn_word, '5-NN accuracy', baseline)} "
               f"{nums_knn} but {_than(sil_word, 'silhouette', baseline)} {nums_sil}."]
    sign = by_fold_noise(sil_o.dropna().to_numpy())  # the silhouette's own sign, judged like a difference from 0
    _claim(f"sign of {ours}'s silhouette by emotion",
                  {"higher": "positive", "lower": "negative"}.get(sign, "about zero"),
                  f"mean {sil_o.mean():.3f}, fold sd {sil_o.std(ddof=1):.3f}", "sign")
    if sign != "higher":
        state = "negative" if sign == "lower" else "about zero (within its fold spread)"
        out.append(f"Its emotion silhouette is {state} ({sil_o.mean():.3f}): the emotions do not form separate "
                   f"clusters in its space, whatever the nearest neighbours vote.")
    speaker_first = False
    if not spk_o.isna().all():
        by = judged(spk_o, sil_o, f"{ours}: silhouette by speaker against by emotion", "more", "less")
        speaker_first = by == "more"
        nums = f"(silhouette {spk_o.mean():.3f} by speaker against {sil_o.mean():.3f} by emotion)"
        if by == "more":
            out.append(f"It still groups clips by speaker more than by emotion {nums}.")
        else:
            out.append(f"It groups clips by emotion at least as much as by speaker {nums}.")
        if not any(s.isna().all() for s in (spk_b, kspk_o, kspk_b)):
            a = judged(spk_o, spk_b, f"speaker silhouette, {ours} against {baseline}", "more", "less")
            b = judged(kspk_o, kspk_b, f"5-NN accuracy by speaker, {ours} against {baseline}", "more", "less")
            nums = (f"(silhouette {spk_o.mean():.3f} against {spk_b.mean():.3f}, 5-NN accuracy {kspk_o.mean():.3f} "
                    f"against {kspk_b.mean():.3f})")
            if a == b and a != "the same":
                out.append(f"It carries {a} speaker identity than {baseline} on both speaker measures {nums}.")
            else:
                out.append(f"Whether it carries less speaker identity than {baseline}, the two speaker measures "
                           f"do not say alike beyond the fold spread {nums}.")
    fails = []
    if knn_word != "higher":
        fails.append("its 5-NN accuracy by emotion is not higher beyond the fold spread")
    if sil_word != "higher":
        fails.append("its emotion silhouette is not higher beyond the fold spread")
    if sign != "higher":
        fails.append("its emotion silhouette is not positive")
    if speaker_first:
        fails.append("it groups by speaker more than by emotion")
    claim = f"The paper's picture, {ours} forming clearer emotion clusters than {baseline},"
    if not fails:
        out.append(f"{claim} holds here on every one of these measures.")
        verdict = "holds"
    elif "higher" in (knn_word, sil_word):
        out.append(f"{claim} holds here only in part: " + "; ".join(fails) + ".")
        verdict = "holds in part"
    else:
        out.append(f"{claim} does not hold here: " + "; ".join(fails) + ".")
        verdict = "does not hold"
    _claim(f"the paper's picture: {ours} clusters emotions more clearly than {baseline}", verdict,
                  "; ".join(fails) or "every measure higher beyond the fold spread", "fold noise")
    return " ".join(out)


def _than(word: str, measure: str, other: str) -> str:
    return f"the same {measure} as {other} (within the fold spread)" if word == "the same" else \
        f"a {word} {measure} than {other}"


def sanity_text(check: pd.DataFrame) -> str:
    """Whether the simple baseline of chapter 2 does what a fair benchmark needs (rule "unpaired
    spread"): above chance on held-out speakers, and below its own score on speaker-mixed folds.
    ``check``: :func:`camulenet.evaluation.sanity_baseline.sanity_check`."""
    held, mixed = check.loc["held-out speakers"], check.loc["speaker-mixed"]
    chance = float(check["chance"].iloc[0])

    def word(a, sd_a, b, sd_b):
        return "higher" if a - b > max(sd_a, sd_b) else "lower" if b - a > max(sd_a, sd_b) else "no difference"

    above = word(held.accuracy, held.sd, chance, 0.0)
    below = word(mixed.accuracy, mixed.sd, held.accuracy, held.sd)
    _claim("the simple baseline on held-out speakers against chance", {"higher": "above chance"}.get(above, above),
           f"{held.accuracy:.3f} (sd {held.sd:.3f}) against chance {chance:.3f}", "unpaired spread")
    _claim("the simple baseline on speaker-mixed against held-out folds",
           {"higher": "higher when speakers are shared"}.get(below, below),
           f"{mixed.accuracy:.3f} (sd {mixed.sd:.3f}) against {held.accuracy:.3f} (sd {held.sd:.3f})",
           "unpaired spread")
    first = ("above chance by more than its spread over folds" if above == "higher" else
             "not above chance beyond its spread over folds")
    second = ("and higher when the same speakers are in training and test, again beyond the spread: knowing the "
              "voice helps, which is what leave-speaker-out evaluation guards against" if below == "higher" else
              "but not higher beyond the spread when the same speakers are in training and test: on this corpus, "
              "knowing the voice does not measurably help the baseline")
    return f"On held-out speakers the baseline is {first}, {second}."


# --------------------------------------------------------------------------- single measurements
def closeness_text(mean: float, lowest: float, what: str = "the frames of the two modes") -> str:
    """How alike two sets of frames are (rule "cosine"), from the mean cosine similarity over
    frames and the lowest frame's."""
    word, low_word = cosine_word(mean), cosine_word(lowest)
    _claim(f"how alike {what} are", word, f"mean cosine {mean:.3f}, lowest frame {lowest:.3f}",
                  "cosine")
    text = f"On average {what} are {word} (mean cosine {mean:.3f})"
    if low_word != word:
        text += f", and the least alike frame is {low_word} ({lowest:.3f})"
    return text + "."


def extraction_text(bench: pd.DataFrame, speed_goal: float = 5, size_goal: float = 10) -> str:
    """The feature benchmark in words: how much faster batched full mode is than the per-file
    loop (rule "speed-up"), and whether the trimmed mode meets the edition's two goals (rule "goal")."""
    full = float(bench.loc["full", "speedup_vs_naive"])
    speed = float(bench.loc["trimmed", "speedup_vs_naive"])
    size = float(bench.loc["trimmed", "whisper_bytes_ratio_vs_full_f32"])
    fast = full >= SPEEDUP
    _claim("batched full-mode extraction against the per-file loop", "faster" if fast else "about as fast",
                  f"{full:.1f} times the loop's speed", "speed-up")
    met = {"speed": speed >= speed_goal, "size": size >= size_goal}
    _claim(f"goal: trimmed extraction at least {speed_goal:g} times the loop's speed",
                  "met" if met["speed"] else "not met", f"{speed:.1f} times", "goal")
    _claim(f"goal: at least {size_goal:g} times fewer bytes per clip than float32 full frames",
                  "met" if met["size"] else "not met", f"{size:.1f} times fewer", "goal")
    text = (f"Batched full mode runs at {full:.1f} times the loop's speed: "
            + ("batching helps, though the encoder still processes 1500 frames per clip, most of them padding."
               if fast else "the encoder still processes 1500 frames per clip, most of them padding, so batching "
               "buys little."))
    goals = (f"at least {speed_goal:g} times the loop's speed ({speed:.1f}: {'met' if met['speed'] else 'not met'}) "
             f"and at least {size_goal:g} times fewer bytes per clip than float32 full frames "
             f"({size:.1f}: {'met' if met['size'] else 'not met'})")
    return text + f" The goals this edition set itself for trimmed extraction, on these clips: {goals}."


def share_text(parts: pd.Series, what: str = "parameters") -> str:
    """Which part holds the largest share of a total, and whether it is most of it (rule "share")."""
    top = parts.idxmax()
    share = float(parts[top] / parts.sum())
    word = "most" if share > 0.5 else "the largest share"
    _claim(f"where the {what} sit", f"{word}: {top}", f"{100 * share:.0f}% of {parts.sum():,.0f}",
                  "share")
    return f"{word} of them ({100 * share:.0f}%) sit in {top}"


# --------------------------------------------------------------------------- the paper's own table
def paper_table_text(wa: pd.DataFrame, reference: str = "CAMuLeNet") -> dict[str, str]:
    """Two statements about the paper's printed WA table (rule "as printed"): the corpus on which
    the systems are weakest, and the strongest baseline on average with CAMuLeNet's margin
    over it. ``wa``: systems x corpora. Returns ``{"weakest": ..., "margin": ..., "baseline": ...}``."""
    weakest = wa.idxmin(axis=1)
    common = weakest.mode().iloc[0]
    every = bool((weakest == common).all())
    weakest_text = (f"Every system is weakest on {common}." if every else
                    f"Most systems ({int((weakest == common).sum())} of {len(weakest)}) are weakest on {common}.")
    _claim("the corpus every system of the paper finds hardest", f"{'every' if every else 'most'}: {common}",
                  ", ".join(f"{s} {wa.loc[s, c]:.3f} on {c}" for s, c in weakest.items()), "as printed")
    baselines = wa.drop(index=[s for s in wa.index if s.startswith(reference)])
    strongest = baselines.mean(axis=1).idxmax()
    gain = 100 * float((wa.loc[reference] - wa.loc[strongest]).mean())
    _claim(f"{reference} against the paper's strongest baseline", f"{'ahead' if gain > 0 else 'behind'} "
                  f"of {strongest}", f"{gain:+.1f} points on average over {wa.shape[1]} corpora", "as printed")
    return {"weakest": weakest_text, "baseline": strongest, "margin": f"{gain:.1f}",
            "verb": "beats" if gain > 0 else "trails"}
