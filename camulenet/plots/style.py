"""The book's figure style: type large enough to read on a projected page, and one palette
per meaning (emotions, genders, speakers, folds), the same in every figure.

A page scales each figure down to its width (about 7.5 inches of a 10-inch figure), so the
book's figures are drawn with larger type than matplotlib's default 10 pt: about 10 pt or
more once shown.
"""

from __future__ import annotations

from functools import wraps

import matplotlib.pyplot as plt
import numpy as np

from camulenet.data.schema import UNKNOWN_GENDER

#: for figures drawn about as wide as the page (8-9 inches), which are scaled down less
PAGE_WIDE = {"font.size": 11, "axes.titlesize": 12}
#: for the 10-inch figures of several panels
READABLE = {"font.size": 13, "axes.titlesize": 13, "axes.labelsize": 13, "xtick.labelsize": 12,
            "ytick.labelsize": 12, "legend.fontsize": 12, "legend.title_fontsize": 12}


def readable(plot):
    """Draw ``plot`` under :data:`READABLE` (a text's size is fixed when it is made, so the
    setting only needs to hold while the figure is built)."""
    @wraps(plot)
    def wrapper(*args, **kwargs):
        with plt.rc_context(READABLE):
            return plot(*args, **kwargs)
    return wrapper


# ---- one palette per meaning: a colour says the same thing in every figure of the book ----

#: emotions: one fixed colour each (grey neutral, red angry, gold happy, blue sad, ...), never
#: the genders' orange and teal; emotions a corpus adds beyond these get a grey
EMOTION_COLOURS = {
    "neutral": "#8c8c8c", "angry": "#c62828", "happy": "#e0a800", "sad": "#2f6db5", "fear": "#7e57c2",
    "disgust": "#6d8b1e", "surprise": "#ec407a", "calm": "#4fb3d9", "frustrated": "#8d4b2a",
    "excited": "#f06292", "other": "#3d3d3d",
}
#: genders (chapter 2's figures); grey for a corpus that does not say
GENDER_COLOURS = {"female": "#d95f02", "male": "#1b9e77", UNKNOWN_GENDER: "#969696"}
#: each fold's part in the fold figure: training, validation, test
ROLE_COLOURS = {"train": "#d9d9d9", "val": "#fdb863", "test": "#5e3c99"}
#: settings compared side by side (a language seen in training or left out, ...): greys, so
#: they are never read as folds, emotions or genders
SETTING_COLOURS = ("#404040", "#a0a0a0", "#d0d0d0", "#707070")
#: marker shapes that tell speakers apart, cycled when a corpus has more speakers
SPEAKER_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "p", "h")


def emotion_colours(emotions) -> dict:
    """``emotion -> colour`` for the emotions given, from :data:`EMOTION_COLOURS`."""
    return {e: EMOTION_COLOURS.get(str(e), "#b0b0b0") for e in emotions}


def speaker_styles(speakers) -> dict:
    """``speaker -> (colour, marker)``: speakers are told apart by a marker shape and a shade of
    the sequential viridis map, so no speaker wears an emotion's colour and a map coloured
    by speaker cannot be read as one coloured by emotion."""
    speakers = list(speakers)
    # the teal-to-lime part of viridis: clear of the purple of fear and the blue of sad
    shades = plt.get_cmap("viridis")(np.linspace(0.3, 0.95, max(len(speakers), 1)))
    return {s: (tuple(shades[i]), SPEAKER_MARKERS[i % len(SPEAKER_MARKERS)]) for i, s in enumerate(speakers)}


def fold_colours(folds) -> dict:
    """``fold -> colour``: a qualitative palette for up to ten folds, a sequential one for more
    (then keyed as a whole, not fold by fold)."""
    folds = list(folds)
    palette = (plt.get_cmap("tab10")(np.arange(len(folds))) if len(folds) <= 10
               else plt.get_cmap("viridis")(np.linspace(0, 0.9, len(folds))))
    return dict(zip(folds, map(tuple, palette)))
