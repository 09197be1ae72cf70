"""The studies beyond Table 1 (chapter 9): transfer to unseen languages and corpora,
speaker similarity, speaker normalisation and calibration, each over the book's artefacts.
They return data; their page text lives in :mod:`camulenet.book`.
"""
