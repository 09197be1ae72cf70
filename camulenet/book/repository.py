"""The repository a book names: one setting behind every link to the code.

The launch buttons (Colab, Binder), the repository and issue buttons, the "get the code"
paragraph of the first pages and the footer all name the same URL, and it comes from one
place: ``$CAMULENET_REPOSITORY`` when set, else the git remote ``origin`` of the checkout
that builds the book. A book built without either names no repository: it shows no such
buttons and says how to get them, rather than point at an address nobody checked.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

#: environment variable that names the repository (an empty value means: none)
ENV = "CAMULENET_REPOSITORY"
#: hosts whose repository and issue pages sphinx-book-theme can link to
PROVIDERS = ("github.com", "gitlab.com", "bitbucket.org")

_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>[^/].*)$")  # git@github.com:owner/repo.git

HOW_TO_NAME_ONE = (f"set `{ENV}=https://github.com/<owner>/<repository>` (or give the checkout a git remote "
                   "`origin` on GitHub) and rebuild with `python scripts/build_book.py`")


def normalise(url: str | None) -> str | None:
    """A public web address for a git URL: ``https://host/owner/repo`` without ``.git``, a
    trailing slash or credentials. SSH forms (``git@host:owner/repo.git``,
    ``ssh://git@host/owner/repo``) become https. A local path, a ``file://`` URL or an
    address without an owner and a repository gives None: no reader can open it."""
    url = (url or "").strip()
    if not url:
        return None
    scp = _SCP_LIKE.match(url)
    if scp and "://" not in url:
        host, path = scp.group("host"), scp.group("path")
    else:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "ssh", "git") or not parts.hostname:
            return None
        host, path = parts.hostname, parts.path
    path = path.strip("/").removesuffix(".git").strip("/")
    if host in ("localhost", "127.0.0.1") or len(path.split("/")) < 2:
        return None
    return urlunsplit(("https", host, "/" + path, "", ""))


def from_git(checkout: Path | str) -> str | None:
    """The normalised URL of the git remote ``origin`` of ``checkout``; None without git,
    outside a checkout, or without such a remote."""
    try:
        done = subprocess.run(["git", "-C", str(checkout), "remote", "get-url", "origin"],
                              capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return normalise(done.stdout) if done.returncode == 0 else None


def resolve(checkout: Path | str, environ: dict | None = None) -> str | None:
    """The book's repository URL: ``$CAMULENET_REPOSITORY`` when the variable is set (empty:
    none, whatever the remote), else the remote ``origin`` of ``checkout``."""
    environ = os.environ if environ is None else environ
    if ENV in environ:
        return normalise(environ[ENV])
    return from_git(checkout)


def provider(url: str | None) -> str | None:
    """``github``, ``gitlab`` or ``bitbucket`` for a URL on one of those hosts, else None."""
    host = urlsplit(url).hostname if url else None
    return host.split(".")[0] if host in PROVIDERS else None


def theme_options(url: str | None, launch_buttons: dict) -> dict:
    """sphinx-book-theme options for a book that names ``url`` (or none): repository and
    issue buttons on a known host, Colab and Binder buttons (``launch_buttons``, as in
    _config.yml) only for a GitHub repository, where both can open its notebooks."""
    known = provider(url) is not None
    options = {"use_repository_button": known, "use_issues_button": known, "use_edit_page_button": False,
               "launch_buttons": dict(launch_buttons) if provider(url) == "github" else {}}
    if known:
        options["repository_url"] = url
    else:
        options["repository_url"] = ""
    return options


def code_paragraph(url: str | None) -> str:
    """Markdown for the first pages: where the code is and the commands that build the book,
    or, for a book that names no repository, that it names none and how to get the buttons."""
    if url:
        folder = url.rstrip("/").rsplit("/", 1)[-1]
        shown = url.removeprefix("https://")
        return (f"The code is at [{shown}]({url}):\n\n"
                f"```bash\ngit clone {url}\ncd {folder}\n"
                "make book   # every chapter executed, then this HTML book\n"
                "make test   # package tests, and every notebook in smoke mode\n```")
    return ("This build of the book names no repository: it was made from a checkout without a git "
            f"remote `origin` and without `{ENV}`, so its pages have no launch, repository or issue "
            "buttons. Take the code from wherever you got this book; in its folder,\n\n"
            "```bash\nmake book   # every chapter executed, then this HTML book\n"
            "make test   # package tests, and every notebook in smoke mode\n```\n\n"
            f"To build a book that links to its repository, {HOW_TO_NAME_ONE}.")


def footer_html(version: str, url: str | None) -> str:
    """The footer of every page: the package version that made it, the licences of code and
    text, and the repository when the book names one."""
    parts = [f"camulenet {version}",
             'code: <a href="https://opensource.org/license/mit">MIT licence</a>',
             'text and figures: <a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>',
             "corpus audio: the licence named beside its players"]
    if url:
        parts.append(f'source: <a href="{url}">{url.removeprefix("https://")}</a>')
    return '<p class="camulenet-footer">' + " · ".join(parts) + "</p>"
