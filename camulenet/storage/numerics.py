"""The CPU code paths of the numeric libraries, pinned so that a build gives the same numbers on
any x86-64 CPU (AVX2 or AVX-512, Intel or AMD).

MKL (torch's matrix products), oneDNN (its convolutions), ATen (its own vectorised kernels),
OpenBLAS (numpy's and scipy's matrix products) and numpy's SIMD loops each pick the code for
the CPU they run on: an AVX-512 kernel sums in another order than an AVX2 one, and MKL picks
other kernels on Intel than on AMD. The last bits of a result then differ, enough to move
early stopping and with it a fold's accuracy. Each library reads an environment variable
when it loads or first computes, so :func:`pin` sets them in ``os.environ``; it runs when
``camulenet`` is imported (``camulenet/__init__.py``), before this package loads torch, and
every process started afterwards inherits them: papermill's kernels, the grid's workers,
submitit's jobs. numpy reads its two when it is imported, so a process that imported numpy
before camulenet keeps numpy's own paths (:func:`pin` warns; the book's notebooks import
camulenet first).

``CAMULENET_NUMERICS=native`` opts out: every library picks its fastest path for this CPU,
and the numbers may differ in the last digits from another machine's. The mode joins the
keys of the features and runs (:func:`key`), so the two never share a cache.
"""

from __future__ import annotations

import os
import sys
import warnings

MODE_VARIABLE = "CAMULENET_NUMERICS"
MODES = ("portable", "native")

#: The portable paths: each variable, its value, and why that value.
PINS = {
    # MKL documents only COMPATIBLE (SSE2 without approximate reciprocals) as the same on Intel
    # and non-Intel CPUs: its AVX2 branch falls back to AUTO on an AMD processor.
    "MKL_CBWR": "COMPATIBLE",
    # oneDNN (convolutions, some matrix products) no wider than AVX2; the second name is
    # the one versions before 2.0 read.
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "DNNL_MAX_CPU_ISA": "AVX2",
    # torch's own vectorised kernels (activations, reductions, optimiser steps).
    "ATEN_CPU_CAPABILITY": "avx2",
    # numpy's and scipy's OpenBLAS: the Haswell (AVX2) kernels on every CPU.
    "OPENBLAS_CORETYPE": "Haswell",
    # numpy's SIMD loops no wider than AVX2 (names of numpy 2.4 and of earlier versions; a name
    # this numpy does not dispatch is ignored with an ImportWarning, hidden by default).
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR AVX512F AVX512CD AVX512_KNL AVX512_KNM "
                                "AVX512_SKX AVX512_CLX AVX512_CNL",
}
#: A name for this set of pins in cache keys: change it whenever :data:`PINS` changes.
PINS_VERSION = "portable-1"
#: The variables a library reads when it is imported (the others are read at first use).
READ_AT_IMPORT = {"numpy": ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES")}


def mode() -> str:
    """``portable`` (the default) or ``native``, from ``$CAMULENET_NUMERICS``."""
    value = os.environ.get(MODE_VARIABLE, "portable").strip().lower() or "portable"
    if value not in MODES:
        raise ValueError(f"{MODE_VARIABLE}={value!r}: use 'portable' (the default: the same numbers on any "
                         "x86-64 CPU) or 'native' (each library's fastest path for this CPU)")
    return value


def pin() -> dict[str, str]:
    """Set :data:`PINS` in ``os.environ`` (portable mode; nothing in native mode) and return what
    was set. Values the shell gave are replaced: the book's numbers must not depend on it.
    Warns when a library that reads its variable at import was imported already."""
    if mode() == "native":
        return {}
    late = [name for name, names in READ_AT_IMPORT.items()
            if name in sys.modules and any(os.environ.get(v) != PINS[v] for v in names)]
    os.environ.update(PINS)
    if late:
        warnings.warn(f"{', '.join(late)} was imported before camulenet, so it keeps the code paths of this CPU "
                      f"and its results may differ in the last digits on another CPU: import camulenet first "
                      f"(or set {MODE_VARIABLE}=native to choose the native paths on purpose).",
                      RuntimeWarning, stacklevel=2)
    return dict(PINS)


def key() -> str | None:
    """What the numeric paths add to a cache key: the pins' version, or None in native mode
    (artefacts made before the pins existed were made natively and keep their keys)."""
    return PINS_VERSION if mode() == "portable" else None


def status() -> dict[str, str]:
    """The mode and each pinned variable as this process sees it (for the appendix). Nothing
    here imports numpy: this module runs before it may load."""
    return {MODE_VARIABLE: mode(), **{name: os.environ.get(name, "(not set)") for name in PINS}}
