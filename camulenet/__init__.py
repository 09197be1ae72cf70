"""CAMuLeNet: a reproducible edition of Goel, Hira & Gupta (Interspeech 2024).

Co-attention of Whisper encoder frames with spectrogram and MFCC branches, trained
multitask (emotion + gender) and tested on speakers never seen in training.

Importing the package first pins the numeric libraries' CPU code paths (before torch, and
numpy when it is not loaded yet), so that the book's numbers are the same on any x86-64 CPU:
see :mod:`camulenet.storage.numerics` (``CAMULENET_NUMERICS=native`` opts out).
"""

from camulenet.storage import numerics

numerics.pin()

__version__ = "0.1.0"
