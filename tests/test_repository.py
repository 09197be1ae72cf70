"""The book's repository comes from one setting, its licences and citation are in place, and
no page names the placeholder address the book once pointed at."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from camulenet import __version__
from camulenet.book import repository

REPO = Path(__file__).resolve().parent.parent
#: the address the book once named as its repository without anyone owning it (split, so that
#: this file does not contain it)
PLACEHOLDER = "camulenet-" + "reproduced"


@pytest.mark.parametrize("url, expected", [
    ("https://github.com/owner/repo", "https://github.com/owner/repo"),
    ("https://github.com/owner/repo.git", "https://github.com/owner/repo"),
    ("https://github.com/owner/repo/", "https://github.com/owner/repo"),
    ("git@github.com:owner/repo.git", "https://github.com/owner/repo"),
    ("ssh://git@github.com/owner/repo.git", "https://github.com/owner/repo"),
    ("https://user:secret-token@github.com/owner/repo.git", "https://github.com/owner/repo"),
    ("https://gitlab.com/group/sub/repo.git", "https://gitlab.com/group/sub/repo"),
    ("/home/me/camulenet", None),
    ("file:///home/me/camulenet", None),
    ("https://github.com/owner", None),
    ("http://127.0.0.1:8000/owner/repo", None),
    ("", None),
    (None, None),
])
def test_normalise(url, expected):
    assert repository.normalise(url) == expected


def _git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_resolve_from_the_remote_the_variable_or_none(tmp_path):
    _git("init", "-q", cwd=tmp_path)
    assert repository.resolve(tmp_path, environ={}) is None  # a checkout without a remote
    _git("remote", "add", "origin", "git@github.com:someone/camulenet.git", cwd=tmp_path)
    assert repository.resolve(tmp_path, environ={}) == "https://github.com/someone/camulenet"
    # the variable wins over the remote; set but empty means: name none
    env = {repository.ENV: "https://github.com/fork/camulenet"}
    assert repository.resolve(tmp_path, environ=env) == "https://github.com/fork/camulenet"
    assert repository.resolve(tmp_path, environ={repository.ENV: ""}) is None
    assert repository.resolve(tmp_path / "missing", environ={}) is None  # not a checkout


def test_provider_decides_the_buttons():
    assert repository.provider("https://github.com/o/r") == "github"
    assert repository.provider("https://bitbucket.org/o/r") == "bitbucket"
    assert repository.provider("https://git.example.org/o/r") is None
    options = repository.theme_options("https://git.example.org/o/r", {"colab_url": "c"})
    assert options["use_repository_button"] is False and options["launch_buttons"] == {}


def _tracked_files() -> list[Path]:
    done = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip("needs a git checkout")
    return [REPO / name for name in done.stdout.split("\0") if name]


def test_no_placeholder_repository_anywhere():
    hits = []
    for path in _tracked_files():
        if path.is_file() and path.suffix not in (".png", ".wav", ".whl", ".gz", ".zip"):
            text = path.read_bytes().decode("utf-8", errors="ignore")
            if PLACEHOLDER in text:
                hits.append(str(path.relative_to(REPO)))
    assert not hits, f"the placeholder repository is named in {hits}"


def test_licences_for_code_and_text():
    code = (REPO / "LICENSE").read_text()
    assert code.startswith("MIT License") and "Permission is hereby granted" in code
    text = (REPO / "LICENSE-BOOK.md").read_text()
    assert "CC BY 4.0" in text and "creativecommons.org/licenses/by/4.0" in text
    readme = (REPO / "README.md").read_text()
    assert "LICENSE" in readme and "CC BY 4.0" in readme and "CITATION.cff" in readme


def test_citation_file_is_valid_cff_1_2():
    """CITATION.cff against the Citation File Format 1.2.0 JSON schema (a copy, from the
    cffconvert 2.0.0 wheel), and its version is the package's."""
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text())
    schema = json.loads((REPO / "tests" / "fixtures" / "cff-1.2.0-schema.json").read_text())
    jsonschema.validate(citation, schema)
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == __version__
    assert citation["license"] == "MIT"
    original = citation["references"][0]
    assert original["doi"] == "10.21437/Interspeech.2024-1820"
    assert PLACEHOLDER not in json.dumps(citation)
