"""Facade over ``data_prep.loaders``: one import for notebooks.

>>> from camulenet.data.corpora import load_corpus, CORPUS_INFO
>>> df = load_corpus("crema-d", "/data/CREMA-D")   # doctest: +SKIP
"""

from data_prep.loaders import CORPUS_INFO, LOADERS, CorpusLayoutError, UnknownItemsError, load_corpus
from data_prep.loaders.info import check_expected
from data_prep.loaders.synthetic import load_synthetic

__all__ = ["load_corpus", "LOADERS", "CORPUS_INFO", "check_expected", "load_synthetic",
           "CorpusLayoutError", "UnknownItemsError"]
