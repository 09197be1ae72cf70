"""The GitHub Actions workflows: every one passes actionlint (the binary of the wheel pinned in
requirements.lock), and the Pages workflow builds the book on real speech with ``make book
CORPUS=ravdess`` and deploys the same folder ``make publish`` pushes, with the official actions."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import yaml
from repo_modules import load

from camulenet.storage.paths import REPO_ROOT

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.y*ml"))
PAGES = REPO_ROOT / ".github" / "workflows" / "book.yml"
ACTIONLINT = Path(sysconfig.get_path("scripts")) / "actionlint"


def _lint(paths) -> subprocess.CompletedProcess:
    assert ACTIONLINT.is_file(), (f"{ACTIONLINT} is missing: install the pinned dev dependencies "
                                  "(make setup, or pip install -r requirements.lock)")
    # shellcheck and pyflakes off: whether a machine has them would change the findings
    return subprocess.run([str(ACTIONLINT), "-no-color", "-shellcheck=", "-pyflakes=", *map(str, paths)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)


def _workflow(path: Path) -> dict:
    wf = yaml.safe_load(path.read_text())
    wf["on"] = wf.pop(True, wf.get("on"))  # YAML 1.1 reads the key `on` as true
    return wf


def test_every_workflow_passes_actionlint():
    assert PAGES in WORKFLOWS
    done = _lint(WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_finds_what_github_would_refuse(tmp_path):
    """The check above can fail: a misspelt input of a Pages action and an action too old to run."""
    bad = tmp_path / "bad.yml"
    bad.write_text(PAGES.read_text().replace("path: _build/html", "pathh: _build/html")
                   .replace("actions/checkout@v7", "actions/checkout@v2"))
    done = _lint([bad])
    assert done.returncode == 1
    assert 'input "pathh" is not defined in action "actions/upload-pages-artifact' in done.stdout
    assert '"actions/checkout@v2" action is too old' in done.stdout


def test_the_pages_workflow_builds_the_book_on_ravdess_and_deploys_it():
    wf = _workflow(PAGES)
    assert "workflow_dispatch" in wf["on"] and wf["on"]["push"]["branches"] == ["main"]
    assert wf["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert wf["concurrency"]["group"] and wf["env"]["CORPUS"] == "ravdess"
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    assert build["runs-on"] == "ubuntu-latest"
    uses = {s["uses"].split("@")[0]: s for s in build["steps"] if "uses" in s}
    cache = uses["actions/cache"]["with"]
    assert cache["path"] == "data" and cache["key"].startswith("book-data-${{ env.CORPUS }}-")
    assert [s["run"] for s in build["steps"] if "run" in s] == ['make book CORPUS="$CORPUS"']
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "_build/html"
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    for step in [*build["steps"], *deploy["steps"]]:  # official actions at a pinned major version
        if "uses" in step:
            name, _, version = step["uses"].partition("@")
            assert name.startswith("actions/") and version[0] == "v" and version[1:].isdigit(), step["uses"]


def test_make_publish_pushes_the_folder_the_workflow_deploys(monkeypatch):
    """Two routes to the same pages: the workflow's artifact and ``make publish``'s gh-pages
    branch both take the HTML that ``make book`` writes."""
    publish = load("scripts/publish.py")
    seen = {}
    monkeypatch.setattr(publish, "publish", lambda html, remote, branch: seen.update(html=Path(html)))
    monkeypatch.setattr(sys, "argv", ["publish.py"])
    publish.main()
    step = next(s for s in _workflow(PAGES)["jobs"]["build"]["steps"]
                if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert seen["html"] == REPO_ROOT / step["with"]["path"]
