"""Type large enough to read on a projected page.

A page scales each figure down to its width (about 7.5 inches of a 10-inch figure), so the
book's figures are drawn with larger type than matplotlib's default 10 pt: about 10 pt or
more once shown.
"""

from __future__ import annotations

from functools import wraps

import matplotlib.pyplot as plt

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
