"""CAMuLeNet: a reproducible edition of Goel, Hira & Gupta (Interspeech 2024).

Co-attention of Whisper encoder frames with spectrogram and MFCC branches, trained
multitask (emotion + gender) and tested on speakers never seen in training.
"""

__version__ = "0.1.0"
