"""``python -m camulenet fetch`` against an HTTP server on 127.0.0.1 that serves small archives
built like the publishers' (RAVDESS's Actor_XX/ zip, CaFE's DOS-code-page folder names,
CREMA-D's loose AudioWAV/ files and actor table, EmoDB's wav/, Emozionalmente's audio and
metadata), with test checksums in place of the real ones, and every way a fetch can fail."""

from __future__ import annotations

import hashlib
import io
import json
import re
import socket
import threading
import wave
import zipfile
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from camulenet import config
from camulenet.data import fetch
from camulenet.data.corpora import LOADERS, load_corpus
from camulenet.data.prepare import ensure_corpus, present_manifest
from camulenet.data.sources import CREMA_D_PLAIN, DIGEST_LENGTH, GATED, MANUAL, OPEN, SOURCES, Remote

PUBLISHER_HOSTS = {"zenodo.org", "media.githubusercontent.com", "raw.githubusercontent.com"}


# ---------------------------------------------------------------- the server


class _Handler(BaseHTTPRequestHandler):
    """Serves ``server.routes[path] = (kind, body)``: ``file`` (with range requests), ``html`` (a
    sign-in page), ``cut`` (half the body, then the connection closes; whole from then on)."""

    def do_GET(self):
        self.server.log.append((self.path, self.headers.get("Range")))
        kind, body = self.server.routes.get(self.path, ("missing", b""))
        if kind == "missing":
            self.send_error(404)
        elif kind == "html":
            self._send(200, b"<!DOCTYPE html><html><body>Sign in to continue</body></html>", "text/html")
        elif kind == "cut":
            self.server.routes[self.path] = ("file", body)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
        else:
            match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
            start = int(match.group(1)) if match else 0
            if start:
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                self.wfile.write(body[start:])
            else:
                self._send(200, body, "application/octet-stream")

    def _send(self, code: int, body: bytes, ctype: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.routes, httpd.log = {}, []
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A data root of its own, with fetch on demand allowed (the suite sets it to never)."""
    monkeypatch.setenv("CAMULENET_DATA", str(tmp_path))
    monkeypatch.setenv(fetch.FETCH_ENV, "auto")
    return tmp_path


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/gone.zip"


# ---------------------------------------------------------------- archives like the publishers'


def wav(seed: int = 0, n: int = 800) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(bytes((seed * 7 + i) % 251 for i in range(2 * n)))
    return buf.getvalue()


class _DosName(zipfile.ZipInfo):
    """A member name stored in the DOS code page cp850 without the UTF-8 flag, as CaFE_48k.zip has them."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("cp850"), self.flag_bits


def zip_bytes(members: dict[str, bytes], dos_names: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(_DosName(name) if dos_names else name, data)
    return buf.getvalue()


def ravdess_zip() -> bytes:
    return zip_bytes({f"Actor_{a:02d}/03-01-{e:02d}-01-0{s}-01-{a:02d}.wav": wav(a * 10 + e)
                      for a in (1, 2, 3, 4) for e in (1, 5) for s in (1, 2)})


CAFE_FOLDERS = {"C": "Colère", "D": "Dégoût", "J": "Joie", "P": "Peur", "S": "Surprise", "T": "Tristesse"}


def cafe_zip() -> bytes:
    members = {f"CaFE_48k/Neutre/0{a}-N-1.wav": wav(a) for a in (1, 2)}
    members.update({f"CaFE_48k/{folder}/Faible/0{a}-{letter}-1-1.wav": wav(a)
                    for letter, folder in CAFE_FOLDERS.items() for a in (1, 2)})
    members["__MACOSX/CaFE_48k/Colère/._Faible"] = b"\0\5\x16\7 resource fork"
    return zip_bytes(members, dos_names=True)


def emodb_zip(n: int = 800) -> bytes:
    members = {f"wav/{s}a01{e}a.wav": wav(int(s), n) for s in ("03", "08") for e in ("W", "N")}
    members.update({"erklaerung.txt": b"Emo-DB", "lablaut/03a01Wa.lab": b"0 a"})
    return zip_bytes(members)


def emozionalmente_zip() -> bytes:
    members = {f"emozionalmente/audio/{ts}.wav": wav(i) for i, ts in enumerate(("1612345678", "1612345679"))}
    members.update({"emozionalmente/metadata/samples.csv": b"file_name,actor,sentence,emotion_expressed\n"
                    b"1612345678.wav,ana,Una frase.,joy\n1612345679.wav,bob,Altra.,anger\n",
                    "emozionalmente/metadata/users.csv": b"username,gender,age\nana,female,30\nbob,male,40\n",
                    "__MACOSX/emozionalmente/._audio": b"junk"})
    return zip_bytes(members)


def crema_d_files() -> dict[str, bytes]:
    files = {f"AudioWAV/{a}_DFA_{e}_XX.wav": wav(a + len(e)) for a in (1001, 1002) for e in ("ANG", "SAD")}
    files["VideoDemographics.csv"] = (b'"ActorID","Age","Sex","Race","Ethnicity"\n'
                                      b'1001,51,"Male","Caucasian","Not Hispanic"\n'
                                      b'1002,21,"Female","Caucasian","Not Hispanic"\n')
    files["LICENSE.txt"] = b"Open Database License"
    return files


ARCHIVES = {"ravdess": ravdess_zip, "cafe": cafe_zip, "emodb": emodb_zip, "emozionalmente": emozionalmente_zip}


def md5(data: bytes) -> str:
    return "md5:" + hashlib.md5(data).hexdigest()


def served(server, corpus: str, kind: str = "file", checksum: str | None = None, data: bytes | None = None):
    """The registry's source for ``corpus`` with its URLs and checksums swapped for loopback ones
    (serving ``data`` in place of the usual small archive)."""
    real = SOURCES[corpus]
    if corpus == "crema-d":
        files = []
        for path, body in crema_d_files().items():
            server.routes[f"/crema-d/{path}"] = ("file", body)
            files.append(Remote(f"{server.url}/crema-d/{path}", path.rsplit("/", 1)[-1],
                                "sha256:" + hashlib.sha256(body).hexdigest(), len(body), path))
        return replace(real, files=tuple(files))
    data = ARCHIVES[corpus]() if data is None else data
    name = real.files[0].name if real.files else f"{corpus}.zip"
    server.routes[f"/{corpus}/{name}"] = (kind, data)
    return replace(real, files=(Remote(f"{server.url}/{corpus}/{name}", name, checksum or md5(data), len(data)),))


def quiet(*_):
    pass


# ---------------------------------------------------------------- the registry


def test_every_corpus_has_a_publisher_checksum_for_every_file_or_says_why_not():
    for name, s in SOURCES.items():
        assert s.access in (OPEN, MANUAL, GATED) and s.licence and s.citation and s.landing.startswith("http")
        if s.access == OPEN:
            for f in s.files:
                algo, _, digest = f.checksum.partition(":")
                assert len(digest) == DIGEST_LENGTH[algo] and re.fullmatch("[0-9a-f]+", digest), (name, f)
                assert f.size > 0 and f.url.startswith("https://") and re.match(r"https://([^/]+)/", f.url)[1] \
                    in PUBLISHER_HOSTS, (name, f.url)
            assert s.marker
        else:
            assert s.note and ("http" in s.note or "authors" in s.note), name  # why, and where to get it
    assert {n for n, s in SOURCES.items() if s.access == OPEN} >= {"ravdess", "crema-d", "emozionalmente"}
    assert {n for n, s in SOURCES.items() if s.access == GATED} == {"iemocap", "bhavvani"}
    crema = SOURCES["crema-d"].files
    wavs = [f for f in crema if f.path.startswith("AudioWAV/")]
    assert len(wavs) == 7442 and {f.path for f in crema} - {f.path for f in wavs} == set(CREMA_D_PLAIN)
    assert all(re.fullmatch(r"AudioWAV/\d{4}_[A-Z]{3}_[A-Z]{3}_[A-Z]{2}\.wav", f.path) for f in wavs)


def test_zip_member_names_are_decoded_as_their_maker_meant():
    data = cafe_zip()
    raw = zipfile.ZipFile(io.BytesIO(data)).infolist()
    colere = next(i for i in raw if "Faible/01-C" in i.filename)
    assert not colere.flag_bits & 0x800 and "Col\x8are".encode("latin-1") in data  # cp850 bytes, no UTF-8 flag
    assert fetch.member_name(colere) == "CaFE_48k/Colère/Faible/01-C-1-1.wav"
    macos = zipfile.ZipInfo("x")
    macos.filename = "Dégoût/a.wav".encode().decode("cp437")  # UTF-8 bytes, flag not set
    assert fetch.member_name(macos) == "Dégoût/a.wav"
    flagged = zipfile.ZipInfo("Cole\u0300re/a.wav")  # decomposed, as macOS writes it; zipfile flags it UTF-8
    flagged.flag_bits |= 0x800
    assert fetch.member_name(flagged) == "Colère/a.wav" and len(fetch.member_name(flagged)) == 12


# ---------------------------------------------------------------- each layout


@pytest.mark.parametrize("corpus", ["ravdess", "cafe", "emodb", "emozionalmente", "crema-d"])
def test_fetch_unpacks_each_publishers_layout_whole(server, root, corpus):
    lines = []
    target = fetch.fetch_corpus(corpus, root, source=served(server, corpus), progress=False, out=lines.append)
    assert target == root / "corpora" / corpus and not list((root / "corpora").glob(".*partial*"))
    text = (target / fetch.LICENCE_FILE).read_text()
    assert SOURCES[corpus].licence in text and SOURCES[corpus].citation in text and SOURCES[corpus].citation in lines[-1]
    stamp = json.loads((target / fetch.STAMP).read_text())
    assert stamp["files"][0]["verified"] and fetch.check_fetched(target) == []
    assert not any(p.name.startswith("._") or "__MACOSX" in p.parts for p in target.rglob("*"))
    assert not list((root / "downloads").rglob("*.zip"))  # the archive went once unpacked
    if corpus == "cafe":
        assert {"Colère", "Dégoût", "Neutre"} <= {p.name for p in target.iterdir()}  # not ColŠre, not CaFE_48k/
    if corpus == "emozionalmente":  # the emozionalmente/ wrapper stripped
        assert (target / "audio" / "1612345678.wav").is_file() and (target / "metadata" / "samples.csv").is_file()
    if corpus in LOADERS:  # Emozionalmente's loader comes on another branch
        df = load_corpus(corpus, target, strict=True)
        assert len(df) == {"ravdess": 16, "cafe": 14, "emodb": 4, "crema-d": 4, "emozionalmente": 2}[corpus]


def test_a_second_call_checks_and_does_nothing(server, root):
    fetch.fetch_corpus("ravdess", root, source=served(server, "ravdess"), progress=False, out=quiet)
    before, lines = len(server.log), []
    fetch.fetch_corpus("ravdess", root, source=served(server, "ravdess"), progress=False, out=lines.append)
    assert len(server.log) == before and "already fetched; its 17 files are there" in lines[0]
    next((root / "corpora" / "ravdess").rglob("*.wav")).unlink()
    with pytest.raises(fetch.FetchError, match=r"has changed \(1 files: Actor_0\d/.* is missing\).*--force"):
        fetch.fetch_corpus("ravdess", root, source=served(server, "ravdess"), progress=False, out=quiet)
    fetch.fetch_corpus("ravdess", root, source=served(server, "ravdess"), force=True, progress=False, out=quiet)
    assert fetch.check_fetched(root / "corpora" / "ravdess") == []


# ---------------------------------------------------------------- each failure


def test_a_file_that_does_not_match_its_checksum_is_removed(server, root):
    src = served(server, "ravdess", checksum="md5:" + "0" * 32)
    with pytest.raises(fetch.ChecksumError) as err:
        fetch.fetch_corpus("ravdess", root, source=src, progress=False, out=quiet)
    assert "Audio_Speech_Actors_01-24.zip" in str(err.value) and src.files[0].url in str(err.value)
    assert "was removed" in str(err.value) and "python -m camulenet fetch ravdess" in str(err.value)
    assert not [p for p in (root / "downloads").rglob("*") if p.is_file()]
    assert not (root / "corpora" / "ravdess").exists()


def test_a_cut_connection_keeps_what_came_and_the_next_call_resumes(server, root):
    src = served(server, "emodb", kind="cut", data=emodb_zip(n=40_000))  # 320 kB: cut after 160
    with pytest.raises(fetch.FetchError, match=r"broke after [\d,]+ of [\d,]+ bytes of download.zip .*resumes"):
        fetch.fetch_corpus("emodb", root, source=src, progress=False, out=quiet)
    part = root / "downloads" / "emodb" / "download.zip.part"
    got, before = part.stat().st_size, len(server.log)
    assert 0 < got < src.files[0].size and not (root / "corpora" / "emodb").exists()
    fetch.fetch_corpus("emodb", root, source=src, progress=False, out=quiet)
    assert server.log[before:] == [("/emodb/download.zip", f"bytes={got}-")]  # only the rest was asked for
    assert not part.exists() and len(load_corpus("emodb", root / "corpora" / "emodb")) == 4


def test_a_missing_file_names_the_url_and_the_manual_route(server, root):
    src = served(server, "ravdess")
    src = replace(src, files=(replace(src.files[0], url=f"{server.url}/moved.zip"),))
    with pytest.raises(fetch.FetchError, match=r"/moved.zip answered 404 .*Audio_Speech_Actors_01-24.zip is not "
                                               r"there.*zenodo.1188976.*download by hand"):
        fetch.fetch_corpus("ravdess", root, source=src, progress=False, out=quiet)


def test_an_html_page_served_instead_of_the_archive_is_refused(server, root):
    src = served(server, "emozionalmente", kind="html")
    with pytest.raises(fetch.FetchError, match="served an HTML page instead of emozionalmente.zip"):
        fetch.fetch_corpus("emozionalmente", root, source=src, progress=False, out=quiet)
    assert not [p for p in (root / "downloads").rglob("*") if p.is_file()]


def test_no_network_gives_the_command_and_the_manual_route(root):
    src = replace(SOURCES["ravdess"], files=(replace(SOURCES["ravdess"].files[0], url=closed_port_url()),))
    with pytest.raises(fetch.NoNetworkError) as err:
        fetch.fetch_corpus("ravdess", root, source=src, progress=False, out=quiet)
    msg = str(err.value)
    assert "cannot reach 127.0.0.1" in msg and "No network?" in msg and "python -m camulenet fetch ravdess" in msg
    assert "download by hand" in msg and "downloads/ravdess/Audio_Speech_Actors_01-24.zip" in msg


def test_not_enough_disk_is_refused_before_downloading(server, root, monkeypatch):
    src = served(server, "ravdess")
    monkeypatch.setattr(fetch, "_free_bytes", lambda path: 1000)
    before = len(server.log)
    with pytest.raises(fetch.NotEnoughDiskError, match=r"needs about 0\.00 GB .*to download, unpacked beside it.*"
                                                         r"0\.00 GB are free.*CAMULENET_DATA"):
        fetch.fetch_corpus("ravdess", root, source=src, progress=False, out=quiet)
    assert len(server.log) == before


def test_loose_files_that_failed_are_fetched_alone_next_time(server, root):
    src = served(server, "crema-d")
    bad = "/crema-d/AudioWAV/1002_DFA_SAD_XX.wav"
    kept = server.routes.pop(bad)
    with pytest.raises(fetch.FetchError, match=r"1 of 6 files of crema-d failed; the others are kept.*404"):
        fetch.fetch_corpus("crema-d", root, source=src, progress=False, out=quiet)
    server.routes[bad] = kept
    before = len(server.log)
    fetch.fetch_corpus("crema-d", root, source=src, progress=False, out=quiet)
    assert [p for p, _ in server.log[before:]] == [bad]
    assert len(load_corpus("crema-d", root / "corpora" / "crema-d", strict=True)) == 4


# ---------------------------------------------------------------- on demand, and the command line


def test_the_book_fetches_a_missing_open_corpus_unless_told_never(server, root, monkeypatch):
    monkeypatch.setitem(SOURCES, "ravdess", served(server, "ravdess"))
    cfg = replace(config.settings(corpus="ravdess"), data_root=root)
    assert "`python -m camulenet fetch ravdess` downloads it" in present_manifest(cfg)[1]  # looking fetches nothing
    assert not (root / "corpora").exists()
    monkeypatch.setenv(fetch.FETCH_ENV, "never")
    with pytest.raises(fetch.CorpusNotFetched, match="CAMULENET_FETCH=never: run `python -m camulenet fetch ravdess`"):
        ensure_corpus(cfg)
    monkeypatch.setenv(fetch.FETCH_ENV, "auto")
    assert len(ensure_corpus(cfg)) == 16
    offline = replace(SOURCES["ravdess"], files=(replace(SOURCES["ravdess"].files[0], url=closed_port_url()),))
    monkeypatch.setitem(SOURCES, "ravdess", offline)
    with pytest.raises(fetch.NoNetworkError, match="python -m camulenet fetch ravdess"):
        ensure_corpus(replace(cfg, data_root=root / "elsewhere"))
    with pytest.raises(fetch.CorpusNotFetched, match="sail.usc.edu/iemocap"):
        ensure_corpus(replace(cfg, corpus="iemocap"))


def test_the_command_line(server, root, monkeypatch, capsys, tmp_path):
    from camulenet.grid.cli import main

    monkeypatch.setitem(SOURCES, "ravdess", served(server, "ravdess"))
    assert main(["fetch", "ravdess", "iemocap"]) == 1
    out = capsys.readouterr().out
    assert "CC BY-NC-SA 4.0" in out and "Livingstone SR, Russo FA" in out
    assert "iemocap is gated, not downloaded by this command. Request it through the release form" in out
    archive = tmp_path / "CaFE_48k.zip"
    archive.write_bytes(cafe_zip())
    assert main(["fetch", "cafe", "--from", str(archive)]) == 0  # a manual corpus from a file downloaded by hand
    assert "states no checksum; using" in capsys.readouterr().out and archive.exists()
    assert len(load_corpus("cafe", root / "corpora" / "cafe")) == 14
    assert main(["fetch", "--list"]) == 0 and re.search(r"emodb\s+manual", capsys.readouterr().out)
