"""The appendix names the code that built the book (commit, version), never a local path."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from camulenet.book.environment import package_version, provenance_table, source_commit

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t",
                           "-c", "commit.gpgsign=false", *args], check=True, capture_output=True,
                          text=True).stdout.strip()


@needs_git
def test_commit_is_short_head_and_says_when_the_tree_is_dirty(tmp_path):
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.txt").write_text("one")
    _git(tmp_path, "add", "a.txt")
    _git(tmp_path, "commit", "-q", "-m", "first")
    head = _git(tmp_path, "rev-parse", "--short", "HEAD")
    assert source_commit(tmp_path) == head
    (tmp_path / "a.txt").write_text("two")  # a tracked file changed
    assert source_commit(tmp_path) == f"{head} with uncommitted changes"
    _git(tmp_path, "commit", "-q", "-am", "second")
    new = _git(tmp_path, "rev-parse", "--short", "HEAD")
    assert new != head and source_commit(tmp_path) == new
    (tmp_path / "b.txt").write_text("untracked")
    assert source_commit(tmp_path).endswith("with uncommitted changes")


def test_no_repository_is_named_as_such(tmp_path):
    assert source_commit(tmp_path) == "not a git checkout"


@needs_git
def test_a_repository_without_commits_is_not_a_checkout(tmp_path):
    _git(tmp_path, "init", "-q")
    assert source_commit(tmp_path) == "not a git checkout"


def test_provenance_names_version_and_no_path(tmp_path):
    table = provenance_table(tmp_path)
    assert table.loc["camulenet version", "value"] == package_version() != "not installed"
    assert package_version("no-such-package-xyz") == "not installed"
    assert all(str(tmp_path) not in str(v) and "/" not in str(v) for v in table["value"])


def test_settings_table_shows_no_path_of_the_machine(tmp_path):
    from dataclasses import replace

    from camulenet import config
    from camulenet.book.environment import settings_table

    checkpoint = tmp_path / "my-whisper.pt"
    cfg = replace(config.settings(smoke=True), data_root=tmp_path / "data", whisper_model=str(checkpoint))
    table = settings_table(cfg)
    assert "data_root" not in table.index and table.loc["whisper_model", "value"] == "my-whisper.pt"
    assert table.loc["seed", "value"] == "0" and table.loc["corpora", "value"] == "synthetic-small"
    assert not any(str(tmp_path) in v or "/" in v for v in table["value"])


def test_timings_keep_only_existing_chapters_and_sum_them(tmp_path):
    import json

    from camulenet.book.environment import notebook_timings

    (tmp_path / "nb").mkdir()
    for name in ("01_a", "02_b", "10_appendix"):
        (tmp_path / "nb" / f"{name}.py").write_text("")
    (tmp_path / "t.json").write_text(json.dumps({"01_a": 60, "02_b": 30, "09_old": 5, "10_appendix": 2}))
    t = notebook_timings(tmp_path / "t.json", tmp_path / "nb")
    assert list(t.index) == ["01_a", "02_b", "total"] and t.loc["total", "seconds"] == 90
    assert t.loc["total", "minutes"] == 1.5
