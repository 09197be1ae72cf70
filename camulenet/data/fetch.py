"""``python -m camulenet fetch CORPUS...``: an open corpus from its publisher, verified, unpacked whole.

Every file is downloaded through pooch against the checksum its publisher states
(:mod:`camulenet.data.sources`); a file that does not match is removed. A download that
breaks keeps what it got (``<name>.part`` beside it) and the next call resumes it with an
HTTP range request; a corpus of loose files (CREMA-D) keeps the files already verified. An
archive is unpacked into a hidden folder beside the target (``data/corpora/.<name>.partial``),
its folder names decoded from the DOS code page when the archive does not flag them as UTF-8
(CaFE's ``Colère``), macOS's ``__MACOSX/`` and ``._*`` left out, and the top folders the
archive wraps its content in stripped, and the folder is renamed to ``data/corpora/<name>``
only when all of it is there: a half-unpacked corpus is never read. The licence and citation
are printed and written beside the data (``LICENSE-and-CITATION.txt``), what was fetched in
``.fetch.json``; a second call checks those files and does nothing else.

Fetch on demand: :func:`ensure_fetched` is what the book's steps call for a corpus that is not
on disk; ``CAMULENET_FETCH=never`` turns it off (the tests set it), so that nothing downloads
unasked. Errors name the URL, the file and what to do (:class:`FetchError`).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import itertools
import json
import os
import shutil
import threading
import time
import unicodedata
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import pooch
import requests
from filelock import FileLock
from tqdm.auto import tqdm

from camulenet.data.sources import OPEN, SOURCES, Remote, Source, get_source
from camulenet.storage.atomic import write_json, write_text
from camulenet.storage.paths import data_root as default_data_root
from camulenet.storage.paths import shown

FETCH_ENV = "CAMULENET_FETCH"
POLICIES = ("auto", "never")
STAMP = ".fetch.json"
LICENCE_FILE = "LICENSE-and-CITATION.txt"
#: Unpacking needs room for the archive and its content at once: the declared size times this.
ROOM_FACTOR = 2.1
TIMEOUT = (20, 120)  # seconds to connect, and between two reads
CHUNK = 1 << 20
#: Bytes read from the network at a time: a broken connection loses at most the chunk under way.
NET_CHUNK = 1 << 16
#: Loose files (CREMA-D's 7,444) download this many at a time.
WORKERS = 8
#: What archive members named by macOS (resource forks, Finder files) look like.
_JUNK = ("__MACOSX",)


class FetchError(OSError):
    """A corpus could not be fetched; the message names the URL or file and what to do."""

    def __init__(self, message: str):
        super().__init__(message)

    def __str__(self) -> str:
        return self.args[0]


class NoNetworkError(FetchError):
    """The publisher's host could not be reached at all."""


class ChecksumError(FetchError):
    """A file does not match its publisher's checksum (a downloaded one was removed)."""


class NotEnoughDiskError(FetchError):
    """Less free disk than the download and its unpacking need."""


class CorpusNotFetched(FetchError, FileNotFoundError):
    """A corpus is not on disk and will not be fetched here (manual, gated, or ``CAMULENET_FETCH=never``)."""


def fetch_policy() -> str:
    """``auto`` (fetch a missing open corpus when a step needs it) or ``never``, from ``$CAMULENET_FETCH``."""
    value = os.environ.get(FETCH_ENV, "auto").strip().lower() or "auto"
    if value not in POLICIES:
        raise ValueError(f"{FETCH_ENV}={value!r}: use one of {POLICIES}")
    return value


def fetch_command(corpus: str) -> str:
    return f"python -m camulenet fetch {corpus}"


def corpus_dir(corpus: str, root: Path) -> Path:
    return Path(root) / "corpora" / corpus


def downloads_dir(corpus: str, root: Path) -> Path:
    return Path(root) / "downloads" / corpus


def licence_text(source: Source) -> str:
    return (f"{source.title}\nSource: {source.landing}\n\nLicence: {source.licence}\n\n"
            f"Please cite: {source.citation}\n")


def manual_route(source: Source, root: Path) -> str:
    """How to get the corpus without this command (a browser, git lfs, the authors)."""
    if source.note:
        return source.note
    names = ", ".join(f"{f.url} -> {shown(downloads_dir(source.corpus, root) / f.name)}" for f in source.archives)
    return (f"download by hand {names}, then run `{fetch_command(source.corpus)}` again: it checks the file and "
            f"unpacks it")


# -- downloading ---------------------------------------------------------------------------------------------


class _Download:
    """A pooch downloader that resumes from ``part`` (a range request), refuses an HTML page and
    turns every network failure into a :class:`FetchError` that says what to do."""

    _sessions = threading.local()

    def __init__(self, source: Source, remote: Remote, part: Path, root: Path, bar: bool):
        self.source, self.remote, self.part, self.root, self.bar = source, remote, part, root, bar

    @classmethod
    def _session(cls) -> requests.Session:
        if not hasattr(cls._sessions, "s"):
            cls._sessions.s = requests.Session()
        return cls._sessions.s

    def _again(self) -> str:
        return f"run `{fetch_command(self.source.corpus)}` again"

    def _get(self, start: int) -> requests.Response:
        url, host = self.remote.url, urlparse(self.remote.url).netloc
        headers = {"Range": f"bytes={start}-"} if start else {}
        try:
            resp = self._session().get(url, stream=True, timeout=TIMEOUT, headers=headers)
        except (requests.ConnectionError, requests.Timeout) as err:
            raise NoNetworkError(
                f"cannot reach {host} to download {self.remote.name} ({url}): {type(err).__name__}. No network? "
                f"Run `{fetch_command(self.source.corpus)}` on a machine with internet; or the manual route: "
                f"{manual_route(self.source, self.root)}") from err
        if resp.status_code == 416 and start:  # the part is whole (or longer than the file): start over
            resp.close()
            self.part.unlink(missing_ok=True)
            return self._get(0)
        if resp.status_code >= 400:
            resp.close()
            raise FetchError(
                f"{url} answered {resp.status_code} {resp.reason}: {self.remote.name} is not there (moved or "
                f"withdrawn?). Check {self.source.landing}; the manual route: {manual_route(self.source, self.root)}")
        return resp

    def _refuse_html(self, resp: requests.Response, first: bytes | None) -> None:
        """An HTML page where a file was asked for (``first``: the body's start, None when resuming)."""
        html = "text/html" in resp.headers.get("Content-Type", "").lower()
        if first is not None:
            html = html or first.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))
        if html:
            resp.close()
            self.part.unlink(missing_ok=True)
            raise FetchError(
                f"{self.remote.url} served an HTML page instead of {self.remote.name} (a sign-in, quota or error "
                f"page, or a moved file). Open the URL in a browser to see it; if the file has moved, the manual "
                f"route: {manual_route(self.source, self.root)}")

    def __call__(self, url: str, output_file: str, pooch_obj=None, check_only: bool = False) -> None:
        start = self.part.stat().st_size if self.part.exists() else 0
        resp = self._get(start)
        if start and resp.status_code != 206:  # the server ignored the range: the whole file again
            start = 0
        length = resp.headers.get("Content-Length", "")
        total = start + int(length) if length.isdigit() else None
        got = start
        self.part.parent.mkdir(parents=True, exist_ok=True)
        try:
            chunks = resp.iter_content(NET_CHUNK)
            first = next(chunks, b"")
            self._refuse_html(resp, None if start else first)
            with open(self.part, "ab" if start else "wb") as f, \
                    tqdm(total=total, initial=start, unit="B", unit_scale=True, unit_divisor=1024,
                         desc=self.remote.name, disable=not self.bar, leave=False) as bar:
                for piece in itertools.chain([first], chunks):
                    f.write(piece)
                    got += len(piece)
                    bar.update(len(piece))
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, requests.Timeout) as err:
            raise self._cut(got, total) from err
        finally:
            resp.close()
        if total is not None and got < total:
            raise self._cut(got, total)
        os.replace(self.part, output_file)

    def _cut(self, got: int, total: int | None) -> FetchError:
        of = f" of {total:,}" if total else ""
        return FetchError(
            f"the connection to {urlparse(self.remote.url).netloc} broke after {got:,}{of} bytes of "
            f"{self.remote.name} ({self.remote.url}). {self._again().capitalize()}: it resumes from there "
            f"({shown(self.part)}).")


def _retrieve(source: Source, remote: Remote, folder: Path, root: Path, bar: bool) -> Path:
    """``remote`` into ``folder`` as verified by pooch (a file already there with the right checksum is kept)."""
    part = folder / f"{remote.name}.part"
    try:
        return Path(pooch.retrieve(remote.url, known_hash=remote.checksum, fname=remote.name, path=folder,
                                   downloader=_Download(source, remote, part, root, bar)))
    except ValueError as err:  # pooch's checksum mismatch; it has removed the file
        if "hash" not in str(err).lower():
            raise
        raise ChecksumError(
            f"{remote.name} from {remote.url} does not match its publisher's checksum {remote.checksum}; the file "
            f"was removed. Run `{fetch_command(source.corpus)}` again; if it fails again the publisher may have "
            f"changed the file: check {source.landing}.") from err


def _retrieve_all(source: Source, remotes: list[Remote], folder: Path, root: Path, bar: bool) -> None:
    """Loose files, several at a time, under one progress bar; failures are gathered and reported
    together (the verified files stay for the next call)."""
    for sub in {(folder / r.path).parent for r in remotes}:
        sub.mkdir(parents=True, exist_ok=True)
    failures: list[FetchError] = []
    with tqdm(total=sum(r.size for r in remotes), unit="B", unit_scale=True, unit_divisor=1024,
              desc=f"{source.corpus}: {len(remotes):,} files", disable=not bar) as total, \
            concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        futures = {pool.submit(_retrieve, source, r, (folder / r.path).parent, root, False): r for r in remotes}
        for fut in concurrent.futures.as_completed(futures):
            if fut.cancelled():
                continue
            try:
                fut.result()
            except FetchError as err:
                failures.append(err)
                if isinstance(err, NoNetworkError):  # no point trying the others
                    for other in futures:
                        other.cancel()
            total.update(futures[fut].size)
    if failures:
        first = failures[0]
        raise type(first)(f"{len(failures):,} of {len(remotes):,} files of {source.corpus} failed; the others "
                          f"are kept and the next call fetches only what is missing. First failure: {first}")


@contextlib.contextmanager
def _quiet_pooch():
    """pooch logs a line per download: 7,444 of them for CREMA-D; the progress bars say it all."""
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")
    try:
        yield
    finally:
        logger.setLevel(level)


# -- disk ----------------------------------------------------------------------------------------------------


def _free_bytes(path: Path) -> int:
    path = Path(path).resolve()
    while not path.exists():
        path = path.parent
    return shutil.disk_usage(path).free


def _check_disk(source: Source, root: Path, have: int) -> None:
    """Refuse before downloading when the disk cannot hold the download and its unpacked copy."""
    factor = ROOM_FACTOR if source.archives else 1.0
    need = int(source.download_bytes * factor) - have
    free = _free_bytes(root)
    if need > free:
        raise NotEnoughDiskError(
            f"not enough disk for {source.corpus} under {shown(root)}: it needs about {need / 1e9:.2f} GB "
            f"({source.download_bytes / 1e9:.2f} GB to download" + (", unpacked beside it" if source.archives else "")
            + f"), {free / 1e9:.2f} GB are free. Free some space, or point CAMULENET_DATA at a disk with room.")


# -- unpacking -----------------------------------------------------------------------------------------------


def member_name(info: zipfile.ZipInfo) -> str:
    """A zip member's name as its maker meant it: UTF-8 when flagged, else UTF-8 if the bytes are
    valid UTF-8 (macOS's archiver does not flag it), else the DOS code page cp850 (Windows'
    archivers: CaFE's ``Colère`` is stored as ``Col\\x8are``), in Unicode NFC."""
    name = info.filename
    if not info.flag_bits & 0x800:
        raw = name.encode("cp437")  # zipfile decoded the raw bytes as cp437: this gives them back
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            name = raw.decode("cp850")
    return unicodedata.normalize("NFC", name)


def _safe_parts(name: str, archive: Path) -> tuple[str, ...] | None:
    """The member's path parts, None for macOS junk; refuses a path that leaves the folder."""
    parts = tuple(p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", "."))
    if not parts or name.startswith("/") or ".." in parts or ":" in parts[0]:
        if parts:
            raise FetchError(f"{archive}: member {name!r} would be written outside the corpus folder; "
                             f"the archive is not the publisher's: delete it and fetch again")
        return None
    if parts[0] in _JUNK or parts[-1].startswith("._") or parts[-1] == ".DS_Store":
        return None
    return parts


def unpack_zip(archive: Path, dest: Path, bar: bool = True) -> int:
    """Every member of ``archive`` into ``dest`` (names decoded, junk left out, CRCs checked); returns the
    number of files written."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as err:
        raise FetchError(f"{archive} is not a zip archive ({err}): delete it and fetch again, or give the "
                         f"publisher's archive") from err
    n = 0
    with zf, tqdm(total=sum(i.file_size for i in zf.infolist()), unit="B", unit_scale=True, unit_divisor=1024,
                  desc=f"unpacking {archive.name}", disable=not bar) as progress:
        for info in zf.infolist():
            parts = _safe_parts(member_name(info), archive)
            if parts is None:
                progress.update(info.file_size)
                continue
            target = dest.joinpath(*parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, CHUNK)
            except zipfile.BadZipFile as err:  # a CRC that does not match: a damaged archive
                raise FetchError(f"{archive}: member {info.filename!r} is damaged ({err}); delete the archive "
                                 f"and fetch again") from err
            progress.update(info.file_size)
            n += 1
    return n


def content_root(folder: Path, marker: tuple[str, ...], what: str) -> Path:
    """The folder at or below ``folder`` that holds every ``marker``, shallowest first (an archive
    often wraps its content in a folder of its own name)."""
    level = [folder]
    while level:
        for d in level:
            if all(any(d.glob(m)) for m in marker):
                return d
        level = sorted(c for d in level for c in d.iterdir() if c.is_dir())
    raise FetchError(f"{what} does not hold the corpus's layout (looked for {list(marker)} at any depth): it is "
                     f"not the publisher's archive, or the publisher changed it")


# -- the corpus ----------------------------------------------------------------------------------------------


def _contents(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_size for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != STAMP}


def check_fetched(target: Path) -> list[str]:
    """What is missing or changed in a fetched corpus, against its ``.fetch.json`` (empty: all there)."""
    stamp = json.loads((target / STAMP).read_text())
    problems = []
    for rel, size in stamp["contents"].items():
        p = target / rel
        if not p.is_file():
            problems.append(f"{rel} is missing")
        elif p.stat().st_size != size:
            problems.append(f"{rel} has {p.stat().st_size:,} bytes, not {size:,}")
    return problems


def _finish(source: Source, content: Path, target: Path, origin: list[dict], out) -> None:
    """Licence, citation and stamp into ``content``, then ``content`` renamed to ``target`` in one step
    (an older ``target`` is replaced only then)."""
    write_text(content / LICENCE_FILE, licence_text(source))
    write_json(content / STAMP, {"corpus": source.corpus, "title": source.title, "landing": source.landing,
                                  "licence": source.licence, "citation": source.citation, "files": origin,
                                  "fetched": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "contents": _contents(content)})
    old = target.with_name(f".{target.name}.old")
    if target.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    os.replace(content, target)
    shutil.rmtree(old, ignore_errors=True)
    out(f"{source.corpus}: {shown(target)} is complete.\n{licence_text(source)}")


def _fetch_archives(source: Source, root: Path, partial: Path, archive: Path | None, keep: bool,
                    bar: bool, out) -> tuple[Path, list[dict]]:
    """Download (or take) the archive(s), unpack them into ``partial``; the content folder and what was used."""
    if archive is not None:
        expected = source.archives[0].checksum if len(source.archives) == 1 else None
        if expected and not pooch.hash_matches(str(archive), expected):
            raise ChecksumError(f"{archive} does not match the publisher's checksum {expected} of "
                                f"{source.archives[0].name}: it is another file, or damaged; it was left in place")
        algo = expected.split(":")[0] if expected else "md5"
        digest = pooch.file_hash(str(archive), alg=algo)
        if not expected:
            out(f"{source.corpus}: the publisher states no checksum; using {archive} as given ({algo}:{digest}).")
        files, origin = [archive], [{"file": str(archive), "checksum": f"{algo}:{digest}", "verified": bool(expected)}]
    else:
        folder = downloads_dir(source.corpus, root)
        have = sum((folder / f"{r.name}{s}").stat().st_size for r in source.archives for s in ("", ".part")
                   if (folder / f"{r.name}{s}").exists())
        _check_disk(source, root, have)
        files = [_retrieve(source, r, folder, root, bar) for r in source.archives]
        origin = [{"url": r.url, "checksum": r.checksum, "size": r.size, "verified": True} for r in source.archives]
    shutil.rmtree(partial, ignore_errors=True)  # a half-unpacked folder from an interrupted call
    partial.mkdir(parents=True)
    for f in files:
        unpack_zip(Path(f), partial, bar)
    content = content_root(partial, source.marker, f"{source.corpus}'s archive")
    if archive is None and not keep:
        for f in files:
            Path(f).unlink(missing_ok=True)
    return content, origin


def _fetch_loose(source: Source, root: Path, partial: Path, bar: bool) -> tuple[Path, list[dict]]:
    """Loose files straight into ``partial`` (kept across calls: what is verified is not downloaded again)."""
    remotes = list(source.files)
    have = sum((partial / r.path).stat().st_size for r in remotes if (partial / r.path).is_file())
    _check_disk(source, root, have)
    _retrieve_all(source, remotes, partial, root, bar)
    wanted = {r.path for r in remotes}
    for p in sorted(partial.rglob("*")):  # pooch's temporary files of a killed call
        if p.is_file() and p.relative_to(partial).as_posix() not in wanted:
            p.unlink()
    return partial, [{"files": len(remotes), "bytes": source.download_bytes, "from": source.landing,
                      "verified": True}]


def fetch_corpus(corpus: str, root: Path | None = None, *, source: Source | None = None, force: bool = False,
                 archive: Path | None = None, keep_archive: bool = False, progress: bool = True,
                 out=print) -> Path:
    """Fetch ``corpus`` into ``<root>/corpora/<corpus>`` and return that folder.

    A corpus fetched before is checked (every file there with its recorded size) and left alone;
    ``force`` fetches it again. ``archive`` unpacks a file the user downloaded instead (for a
    manual corpus, or to skip the download); ``source`` replaces the registry's (tests).
    """
    source = source or get_source(corpus)
    root = Path(root) if root is not None else default_data_root()
    target = corpus_dir(corpus, root)
    if source.gated or (source.access != OPEN and archive is None):
        raise CorpusNotFetched(f"{corpus} is {source.access}, not downloaded by this command. "
                               f"{manual_route(source, root)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(target.with_name(f".{corpus}.lock")):
        if target.exists() and not force:
            if not (target / STAMP).exists():
                out(f"{corpus}: {shown(target)} is already there (not fetched by this command); left as it is. "
                    f"`{fetch_command(corpus)} --force` replaces it.")
                return target
            problems = check_fetched(target)
            if not problems:
                n = len(json.loads((target / STAMP).read_text())["contents"])
                out(f"{corpus}: {shown(target)} is already fetched; its {n:,} files are there with their recorded "
                    f"sizes. Nothing to do.")
                return target
            raise FetchError(f"{corpus}: {shown(target)} was fetched but has changed ({len(problems)} files: "
                             f"{'; '.join(problems[:3])}): `{fetch_command(corpus)} --force` fetches it again")
        out(f"{corpus}: fetching {source.title} from {source.landing}")
        partial = target.with_name(f".{corpus}.partial")
        with _quiet_pooch():
            if source.archives or archive is not None:
                content, origin = _fetch_archives(source, root, partial, archive, keep_archive, progress, out)
            else:
                content, origin = _fetch_loose(source, root, partial, progress)
        _finish(source, content, target, origin, out)
        shutil.rmtree(partial, ignore_errors=True)  # the archive's wrapper folders, if the content lay below
    return target


def ensure_fetched(corpus: str, root: Path, out=print) -> None:
    """What a step calls before reading a corpus: nothing when it is on disk or not a known source;
    an open corpus is fetched unless ``CAMULENET_FETCH=never``; otherwise the error says what to run."""
    target = corpus_dir(corpus, root)
    if target.exists() or corpus not in SOURCES:
        return
    source = SOURCES[corpus]
    if source.access != OPEN:
        raise CorpusNotFetched(f"{corpus}: no data at {shown(target)}. {manual_route(source, root)}")
    if fetch_policy() == "never":
        raise CorpusNotFetched(
            f"{corpus}: no data at {shown(target)}, and {FETCH_ENV}=never: run `{fetch_command(corpus)}` (it downloads "
            f"{source.download_bytes / 1e6:,.0f} MB from {source.landing}), or unset {FETCH_ENV}; the manual route: "
            f"{manual_route(source, root)}")
    fetch_corpus(corpus, root, out=out)


# -- the command line ----------------------------------------------------------------------------------------


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("corpora", nargs="*", metavar="CORPUS", help=f"corpora to fetch: {', '.join(SOURCES)}")
    p.add_argument("--list", action="store_true", help="list every corpus: open, manual or gated, size, licence")
    p.add_argument("--force", action="store_true", help="fetch again a corpus already there (replaced when complete)")
    p.add_argument("--from", dest="archive", type=Path, metavar="FILE",
                   help="unpack this archive (downloaded by hand) instead of downloading; one corpus")
    p.add_argument("--keep-archive", action="store_true", help="keep the downloaded archive after unpacking")


def _listing() -> str:
    lines = []
    for s in SOURCES.values():
        size = f"{s.download_bytes / 1e6:,.0f} MB" if s.access == OPEN else "-"
        lines.append(f"{s.corpus:15} {s.access:7} {size:>9}  {s.title}\n{'':15} licence: {s.licence}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """``python -m camulenet fetch``: 0 when every corpus named is on disk afterwards, 1 otherwise."""
    if args.archive is None and (args.list or not args.corpora):
        print(_listing())
        return 0
    if args.archive is not None and (len(args.corpora) != 1 or not args.archive.is_file()):
        why = "no such file" if not args.archive.is_file() else "name exactly one corpus with it"
        raise FetchError(f"--from {args.archive}: {why}")
    failed = 0
    for name in args.corpora:
        try:
            fetch_corpus(name, force=args.force, archive=args.archive, keep_archive=args.keep_archive)
        except (FetchError, KeyError) as err:
            print(err if str(err).startswith(name) else f"{name}: {err}")
            failed += 1
    return 1 if failed else 0
