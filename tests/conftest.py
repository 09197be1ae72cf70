"""Shared test data: the smoke corpus with its folds and features, made once per session.

Rendering the smoke corpus and extracting its features takes most of a minute; modules that
need them under a data root of their own get a hard-linked copy (:func:`smoke_root`), which
costs nothing and cannot change the source: every file of a data root is replaced by an
atomic rename, never rewritten in place.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from camulenet import config
from camulenet.data.prepare import ensure_corpus
from camulenet.grid.jobs import prepare

# No test reaches the internet: a step that meets a missing open corpus stops instead of fetching it
# (the fetch tests serve their archives from 127.0.0.1 and set the policy themselves).
os.environ["CAMULENET_FETCH"] = "never"


@pytest.fixture(scope="session")
def smoke_corpus_root(tmp_path_factory) -> Path:
    """A data root (``.../smoke``) holding the rendered smoke corpus."""
    root = tmp_path_factory.mktemp("smoke-source") / "smoke"
    ensure_corpus(config.settings(smoke=True, data_root=root))
    return root


@pytest.fixture(scope="session")
def smoke_source(smoke_corpus_root) -> Path:
    """The same data root with the smoke corpus's folds and book features added."""
    prepare(config.settings(smoke=True, data_root=smoke_corpus_root))
    return smoke_corpus_root


def linked_copy(source: Path, target: Path) -> Path:
    """``source`` copied to ``target`` as hard links (a real copy across file systems)."""
    def link(src, dst):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link)
    return target


@pytest.fixture(scope="module")
def smoke_root(smoke_source, tmp_path_factory) -> Path:
    """This module's own data root, starting with the smoke corpus, folds and features."""
    return linked_copy(smoke_source, tmp_path_factory.mktemp("smoke-data") / "smoke")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook turns the marks into groups
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``make test`` runs two workers; the notebooks run beside them in a
    process of their own), the route tests run in four groups (the paper profile's, the
    longest, alone; the several-corpora book; the book on a corpus of one's own; the others),
    so that they spread over the workers."""
    for item in items:
        if item.nodeid.startswith("tests/test_book_routes.py::test_paper_profile"):
            item.add_marker(pytest.mark.xdist_group("routes-paper"))  # the longest: beside the others
        elif item.nodeid.startswith("tests/test_book_routes.py::test_one_book_gathers"):
            item.add_marker(pytest.mark.xdist_group("routes-several"))
        elif item.nodeid.startswith("tests/test_book_routes.py::test_whole_book_on_a_corpus_of_ones_own"):
            item.add_marker(pytest.mark.xdist_group("routes-own"))
        elif item.nodeid.startswith("tests/test_book_routes.py"):
            item.add_marker(pytest.mark.xdist_group("routes"))
