"""Deterministic synthetic multilingual emotional-speech corpus (eSpeak NG + DSP).

The real corpora cannot be downloaded everywhere; this generator builds a small
corpus that still poses the paper's question: recognise emotion for speakers never
seen in training, across languages, with gender as an auxiliary task.
"""
