"""The repository's scripts and Sphinx extensions as modules, for the tests that call them.

``scripts/*.py`` and ``book/_ext/*.py`` are files, not package modules (the package never
loads a file as a module, ``tests/test_architecture.py``); the tests load them by path here.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

from camulenet.storage.paths import REPO_ROOT


def load(relpath: str) -> ModuleType:
    """The file at ``relpath`` (from the repository root) executed as a module named after its stem."""
    path = REPO_ROOT / relpath
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
