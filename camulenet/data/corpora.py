"""Facade over ``data_prep.loaders``: one import for notebooks.

>>> from camulenet.data.corpora import load_corpus, CORPUS_INFO
>>> df = load_corpus("crema-d", "/data/CREMA-D")   # doctest: +SKIP
>>> df = load_csv_corpus("my_corpus/manifest.csv")  # your own corpus (README)  # doctest: +SKIP
"""

from data_prep.loaders import CORPUS_INFO, LOADERS, CorpusLayoutError, UnknownItemsError, load_corpus
from data_prep.loaders.csv_manifest import CsvManifestError
from data_prep.loaders.csv_manifest import load as load_csv_corpus
from data_prep.loaders.info import check_expected
from data_prep.loaders.synthetic import load_synthetic

__all__ = ["load_corpus", "load_csv_corpus", "LOADERS", "CORPUS_INFO", "check_expected", "load_synthetic",
           "CorpusLayoutError", "CsvManifestError", "UnknownItemsError"]
