"""Every route the README documents, executed end to end: the whole book in smoke mode on
corpora in their official layouts (synthetic clips under the real file names and label
files, see data_prep.synthetic.layouts), and on the paper profile with the offline
Whisper-base weights. The notebooks run through scripts/build_book.py's own ``execute``."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from repo_modules import load

from camulenet import config, pipeline
from camulenet.book import claims, readme
from camulenet.book.audio_gallery import listening_examples
from camulenet.book.tables import corpora_table
from camulenet.data.corpora import load_corpus
from camulenet.storage.paths import REPO_ROOT, weights_cache
from camulenet.training.runs import run_fingerprint
from data_prep.synthetic.layouts import render_layout

#: Corpora whose layouts run the chapters that follow the corpus (data, training, results,
#: statistics; all eight loaders are tested for round trips in test_layouts.py): IEMOCAP,
#: English, four emotions, its sessions (the layout furthest from the synthetic corpus's).
#: A corpus of one's own (a CSV manifest with its own labels, languages and an unknown
#: gender) runs the whole book in test_whole_book_on_a_corpus_of_ones_own; EmoDB (German, 7 emotions) and RAVDESS (8) run
#: chapters 5, 6, 8 and 9, the chapters whose tables and tests follow the label set, in the
#: several-corpora book below.
LAYOUT_CORPORA = ("iemocap",)
#: The other layouts run the data chapter, the only one with corpus-specific code paths
#: (descriptions, sentence texts, listening examples); the whole book on each costs more
#: than make test's budget allows.
DATA_CHAPTER_CORPORA = ("crema-d", "emodb", "ravdess", "cafe", "emovo", "emozionalmente", "bhavvani")
#: The layout whose data chapter runs with one of its example clips damaged.
DAMAGED_CLIP_CORPUS = "ravdess"


def _build_book_module():
    return load("scripts/build_book.py")


def _glued(nb_path: Path) -> dict[str, str]:
    """name -> text of every value the notebook glued (myst-nb stores them in output metadata)."""
    out = {}
    for cell in nbformat.read(nb_path, as_version=4).cells:
        for o in cell.get("outputs", []):
            record = o.get("metadata", {}).get("scrapbook", {})
            if record.get("name"):  # a glued Markdown object by its text, any other value by its repr
                data = o["data"]
                text = data.get(record["mime_prefix"] + "text/markdown", data.get(record["mime_prefix"] + "text/plain", ""))
                out[record["name"]] = text.strip("'\"")
    return out


def _text(nb_path: Path) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            parts += [str(v) for v in o.get("data", {}).values()] + [o.get("text", "")]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def routes(tmp_path_factory, smoke_corpus_root):
    """A data root for the routes; Whisper-base weights and the synthetic source are shared."""
    source = pipeline.ensure_corpus(config.settings(smoke=True, data_root=smoke_corpus_root))
    root = tmp_path_factory.mktemp("routes")
    return {"root": root, "source": source, "weights": weights_cache(), "build": _build_book_module()}


def _execute(routes, monkeypatch, name: str, only=None, **params) -> Path:
    monkeypatch.setenv("CAMULENET_DATA", str(routes["root"]))
    monkeypatch.setenv("CAMULENET_WEIGHTS", str(routes["weights"]))
    out = routes["root"] / "books" / name
    routes["build"].execute(only, smoke=True, params=params, out_dir=out)  # raises on any cell error
    return out


def _check_data_chapter(out: Path, corpus: str, truth) -> None:
    data = _glued(out / "02_data.ipynb")
    assert int(data["n_clips"]) == len(truth) and int(data["n_emotions"]) == truth.emotion.nunique()
    assert data["emotion_list"] == ", ".join(sorted(truth.emotion.unique()))
    text = _text(out / "02_data.ipynb")
    assert "This corpus is synthetic" not in text and "official names" in text
    assert f"corpus **{corpus}**" in text  # the banner names the corpus of the run


@pytest.mark.parametrize("corpus", LAYOUT_CORPORA)
def test_book_on_an_official_layout(routes, monkeypatch, corpus):
    """The chapters whose code follows the corpus (its data, folds, label set and statistics)
    on a real corpus's layout; the whole book runs on a corpus of one's own below."""
    target = routes["root"] / "smoke" / "corpora" / corpus
    render_layout(corpus, target, source_manifest=routes["source"], clips_per_speaker_emotion=1)
    truth = load_corpus(corpus, target)
    protocol = "session" if corpus == "iemocap" else "speaker"  # IEMOCAP: the README's leave-one-session-out route
    out = _execute(routes, monkeypatch, corpus, only=["02", "05", "06", "08"], corpus=corpus, fold_protocol=protocol)
    _check_data_chapter(out, corpus, truth)
    runs = sorted(d for d in (routes["root"] / "smoke" / "runs").glob(f"{corpus}-compact-*") if "-lolo-" not in d.name)
    assert len(runs) == 1 and json.loads((runs[0] / "key.json").read_text())["folds"]["protocol"] == protocol
    results = _glued(out / "06_results.ipynb")
    assert 0 <= float(results["ours_camulenet_wa"]) <= 1 and results["whisper_system"] == "Whisper-Base"
    assert _glued(out / "08_statistics.ipynb")["corpora_tested"] == corpus


#: A user's own words for the synthetic corpus's emotions (neutral stays: a book emotion needs no map).
OWN_LABELS = {"angry": "wut", "happy": "freude", "sad": "trauer", "fear": "angst", "disgust": "ekel"}


def _own_corpus(source, folder: Path) -> Path:
    """A corpus of one's own, as a user writes it: four speakers (the fewest that fill the two smoke
    folds; two per language, so chapter 9 can hold a language out), one clip per emotion linked
    from the synthetic source, labels in the user's words with a label map, genders as F/M codes
    and one speaker's left out (unknown)."""
    picked = [g.sort_values("speaker").speaker.iloc[0] for _, g in source.groupby(["language", "gender"])]
    rows = []
    for k, spk in enumerate(picked):
        for r in source[source.speaker == spk].drop_duplicates("emotion").itertuples():
            rel = Path("clips") / str(k) / Path(r.path).name
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(r.path, folder / rel)
            except OSError:
                shutil.copy2(r.path, folder / rel)
            rows.append({"path": rel.as_posix(), "speaker": spk, "emotion": OWN_LABELS.get(r.emotion, r.emotion),
                         "gender": "" if k == len(picked) - 1 else r.gender[0].upper(), "language": r.language,
                         "sentence": r.sentence})
    pd.DataFrame(rows).to_csv(folder / "manifest.csv", index=False)
    pd.DataFrame({"label": list(OWN_LABELS.values()), "emotion": list(OWN_LABELS)}).to_csv(
        folder / "label_map.csv", index=False)
    return folder


def test_whole_book_on_a_corpus_of_ones_own(routes, monkeypatch):
    """``--corpus path/to/my_corpus``: every chapter runs on a CSV corpus the test writes."""
    folder = _own_corpus(routes["source"], routes["root"] / "own" / "my_corpus")
    out = _execute(routes, monkeypatch, "own", corpus=str(folder))
    name = config.csv_corpus_name(folder / "manifest.csv")
    data = _glued(out / "02_data.ipynb")
    assert (int(data["n_clips"]), int(data["n_speakers"]), int(data["n_emotions"])) == (24, 4, 6)
    text = _text(out / "02_data.ipynb")
    assert f"Your own corpus `{name}`, read from `my_corpus/manifest.csv`" in text
    assert "wut \u2192 angry" in text and "1 of unknown gender" in text and f"corpus **{name}**" in text
    runs = [d for d in (routes["root"] / "smoke" / "runs").glob(f"{name}-compact-*") if "-lolo-" not in d.name]
    assert len(runs) == 1 and json.loads((runs[0] / "key.json").read_text())["features"]["corpus"] == name
    results = _glued(out / "06_results.ipynb")
    assert results["corpus_name"] == name and 0 <= float(results["ours_camulenet_wa"]) <= 1
    assert name in _text(out / "10_appendix.ipynb")  # the settings table names the corpus, not its folder
    # the build sums itself up for the README, fingerprint first, and every verdict is on file with its rule
    fingerprint = run_fingerprint(runs[0])["fingerprint"]
    assert f"`{fingerprint}`" in readme.block(out) and fingerprint in _text(out / "10_appendix.ipynb")
    said = claims.load(out)
    assert {"03_features", "06_results", "07_tsne", "08_statistics", "09_beyond"} <= set(said.chapter)
    assert said.rule.notna().all() and (said.evidence != "").all()


def test_paper_profile_end_to_end_with_offline_base_weights(routes, monkeypatch):
    out = _execute(routes, monkeypatch, "paper", profile="paper", whisper="base")
    cfg = config.settings(smoke=True, profile="paper", whisper="base")
    assert (cfg.max_clips, cfg.fold_limit, cfg.max_epochs) == (config.PAPER_SMOKE_CLIPS, 1, 1)
    assert "Profile **paper**: Whisper-Base" in _text(out / "05_training.ipynb")
    run_dirs = sorted(d for d in (routes["root"] / "smoke" / "runs").glob("synthetic-small-paper-*")
                      if "-lolo-" not in d.name)  # chapter 9's leave-one-language-out runs have their own
    assert len(run_dirs) == 1
    key = json.loads((run_dirs[0] / "key.json").read_text())
    assert key["model"] == "paper" and key["baselines"] == "released" and key["schedule"]["monitor"] == "last"
    assert key["features"]["whisper_mode"] == "full" and key["features"]["feature_preset"] == "paper"
    done = json.loads((run_dirs[0] / "systems" / "camulenet" / "fold_00" / "done.json").read_text())
    assert done["n_params"] > 250e6 and done["epochs_run"] == 1  # the released sizes, one epoch
    assert not (run_dirs[0] / "systems" / "camulenet" / "fold_01").exists()  # one fold only


def test_iemocap_layout_offers_leave_one_session_out(routes, monkeypatch):
    corpus = "iemocap"
    target = routes["root"] / "smoke" / "corpora" / corpus
    render_layout(corpus, target, source_manifest=routes["source"], clips_per_speaker_emotion=1)
    monkeypatch.setenv("CAMULENET_DATA", str(routes["root"]))
    cfg = config.settings(smoke=True, corpus=corpus, fold_protocol="session")
    manifest = pipeline.ensure_corpus(cfg)
    folds = pipeline.ensure_folds(cfg, manifest)
    sessions = [sorted(set(manifest.set_index("speaker").loc[f.test_speakers, "session"])) for f in folds.folds]
    assert all(len(s) == 1 for s in sessions) and len({s[0] for s in sessions}) == len(folds.folds)
    by_speaker = config.settings(smoke=True, corpus=corpus)
    speaker_folds = pipeline.ensure_folds(by_speaker, manifest)
    assert (folds.strategy, speaker_folds.strategy) == ("leave-one-session-out", "k-fold leave-speaker-out")
    assert pipeline.folds_file(cfg, manifest) != pipeline.folds_file(by_speaker, manifest)


@pytest.mark.parametrize("corpus", DATA_CHAPTER_CORPORA)
def test_data_chapter_on_the_other_layouts(routes, monkeypatch, corpus):
    """The data chapter on each layout; on RAVDESS's, one clip the emotion gallery would play
    is damaged first, as a real corpus's odd broken file: the chapter still builds, plays the
    next clip of that emotion and names the damaged one with its reason. That corpus lives
    under a data root of its own, so the other routes' RAVDESS stays whole."""
    damaged = None
    if corpus == DAMAGED_CLIP_CORPUS:
        routes = {**routes, "root": routes["root"] / "damaged-clip"}
    target = routes["root"] / "smoke" / "corpora" / corpus
    render_layout(corpus, target, source_manifest=routes["source"], clips_per_speaker_emotion=1)
    if corpus == DAMAGED_CLIP_CORPUS:
        damaged = Path(listening_examples(load_corpus(corpus, target)).clips["path"].iloc[0])
        damaged.unlink()  # a hard link to the shared synthetic source: replace it, never write through it
        damaged.write_bytes(b"not a WAV file, the remains of a failed copy " * 32)
    out = _execute(routes, monkeypatch, corpus, only=["02"], corpus=corpus)
    _check_data_chapter(out, corpus, load_corpus(corpus, target))
    text = _text(out / "02_data.ipynb")
    assert "Synthetic voices under" in text and "no " + corpus + " audio is played" in text  # the licence line
    if damaged is not None:
        assert "1 unreadable clip was passed over for the next clip of the same emotion" in text
        assert f"(`$CAMULENET_DATA/smoke/corpora/{corpus}/{damaged.relative_to(target).as_posix()}`)" in text
        assert "unreadable or corrupt audio" in text and "Fix: re-download" in text
        assert "could not be read and are left out of this baseline" in text


def test_every_build_book_command_of_the_readme_parses_to_the_notebook_parameters(tmp_path, monkeypatch):
    """The README's command lines reach the notebooks as the parameters the tests above execute."""
    import shlex
    import sys

    build = _build_book_module()
    calls = []
    monkeypatch.setattr(build, "execute", lambda names, smoke, params: calls.append((smoke, params)))
    monkeypatch.setattr(build, "build_html", lambda: None)
    monkeypatch.setattr(build, "ensure_fetched", lambda name, root: None)  # the suite never fetches
    monkeypatch.delenv("CAMULENET_SMOKE", raising=False)
    ckpt = tmp_path / "medium.pt"
    ckpt.write_bytes(b"0")
    mine = tmp_path / "my_corpus"  # the README's own corpus: its folder holds manifest.csv
    mine.mkdir()
    (mine / "manifest.csv").write_text("path,speaker,emotion\n")
    stand_in = {"/models/medium.pt": str(ckpt), "path/to/my_corpus": str(mine)}
    lines = [ln.split("#")[0].split() for ln in (REPO_ROOT / "README.md").read_text().splitlines()
             if ln.startswith(".venv/bin/python scripts/build_book.py")]
    assert len(lines) >= 5 and any("path/to/my_corpus" in line for line in lines)
    for line in lines:
        argv = [stand_in.get(a, a) for a in line[2:]]
        monkeypatch.setattr(sys, "argv", ["build_book.py", *argv])
        build.main()
        smoke, params = calls[-1]
        opts = dict(zip(argv, argv[1:]))
        assert params["corpus"] == build.corpus_argument(opts.get("--corpus", "synthetic")), shlex.join(argv)
        assert params["profile"] == opts.get("--profile", "compact")
        assert params["fold_protocol"] == opts.get("--fold-protocol", "speaker")
        assert params["whisper"] == (str(ckpt.resolve()) if "--whisper-checkpoint" in argv
                                     else opts.get("--whisper-model"))
        assert smoke == ("--smoke" in argv)


def test_one_book_gathers_several_corpora(routes, monkeypatch):
    """``--corpus emodb ravdess``: chapter 5 trains both, chapter 6 gives each a column block
    beside the paper, chapter 8 tests each; a corpus without results is listed, not made."""
    for corpus in ("emodb", "ravdess"):
        render_layout(corpus, routes["root"] / "smoke" / "corpora" / corpus, source_manifest=routes["source"],
                      clips_per_speaker_emotion=1)
    out = _execute(routes, monkeypatch, "several", only=["05", "06", "08", "09"], corpus="emodb",
                   corpora=["emodb", "ravdess"])
    for corpus in ("emodb", "ravdess"):
        assert len(sorted((routes["root"] / "smoke" / "runs").glob(f"{corpus}-compact-*"))) == 1
    training = _text(out / "05_training.ipynb")
    assert _glued(out / "05_training.ipynb")["other_corpora"] == "ravdess" and "8 of 8" in training
    results = _glued(out / "06_results.ipynb")
    assert results["corpora_beside"] == "emodb, ravdess" and results["corpus_name"] == "emodb"
    assert "synthetic-small" in results["corpora_missing"]  # no compact grid of it under this data root
    page = _text(out / "06_results.ipynb")
    assert "emodb (ours)" in page and "ravdess (ours)" in page and "EmoDB" in page  # ours beside the paper's
    assert "python -m camulenet grid --corpus synthetic --profile compact --smoke" in page  # the fix, in full
    stats = _glued(out / "08_statistics.ipynb")
    assert stats["corpora_tested"] == "emodb, ravdess"
    for corpus in ("emodb", "ravdess"):
        assert stats[f"significance_{corpus}"].startswith(f"On {corpus} (2 folds), CAMuLeNet differs")
        assert stats[f"significance_{corpus}"] in stats["by_corpus_text"]
    tables = [o["data"]["text/html"] for c in nbformat.read(out / "08_statistics.ipynb", as_version=4).cells
              for o in c.get("outputs", []) if "Wilcoxon p" in o.get("data", {}).get("text/html", "")]
    assert len(tables) == 2 and "emodb" in tables[0] and "ravdess" in tables[1]  # one captioned table each
    assert all(f"{c}: " in stats["corrected_by_corpus"] for c in ("emodb", "ravdess"))  # Nadeau-Bengio + Holm
    beyond = _glued(out / "09_beyond.ipynb")  # chapter 9 trains on each corpus and tests on the other
    assert beyond["cross_reason"] == "Each row trains on one corpus and tests on all of another."
    cross = next(o["data"]["text/html"] for c in nbformat.read(out / "09_beyond.ipynb", as_version=4).cells
                 for o in c.get("outputs", []) if "train_corpus" in o.get("data", {}).get("text/html", ""))
    assert "emodb" in cross and "ravdess" in cross


def test_a_corpus_without_results_is_skipped_with_the_fix(routes, monkeypatch, tmp_path):
    import pandas as pd

    monkeypatch.setenv("CAMULENET_DATA", str(tmp_path))
    render_layout("ravdess", tmp_path / "smoke" / "corpora" / "ravdess", source_manifest=routes["source"],
                  clips_per_speaker_emotion=1)
    cfg = config.settings(smoke=True, corpus="ravdess", corpora=["ravdess", "emodb"])
    found, skipped = pipeline.finished_corpora(cfg)
    reasons = dict(skipped)
    assert found == [] and list(reasons) == ["ravdess", "emodb", "synthetic-small"]
    assert "`python -m camulenet grid --corpus ravdess --profile compact --smoke`" in reasons["ravdess"]
    assert "no data at" in reasons["emodb"] and "official layout" in reasons["emodb"]
    assert "not rendered" in reasons["synthetic-small"]
    assert not (tmp_path / "smoke" / "corpora" / "synthetic-small").exists()  # looking renders nothing
    assert not (tmp_path / "smoke" / "runs").exists()  # ... and leaves no empty run folder
    # a grid that started but finished no fold yet is skipped too
    manifest = pipeline.ensure_corpus(cfg)
    out = pipeline.runs_root(cfg, manifest)
    pd.DataFrame(columns=["system", "fold", "metric", "value"]).to_parquet(out / "results.parquet")
    _, skipped = pipeline.finished_corpora(cfg)
    assert "no finished fold yet" in dict(skipped)["ravdess"]
    table = corpora_table([], skipped)
    assert list(table.index) == ["ravdess", "emodb", "synthetic-small"] and table["clips"].isna().all()


def test_build_book_corpus_option_takes_several_corpora(monkeypatch):
    """``--corpus crema-d ravdess crema-d``: the first is the book's corpus, all (once each) are its corpora."""
    import sys

    build = _build_book_module()
    calls = []
    monkeypatch.setattr(build, "execute", lambda names, smoke, params: calls.append(params))
    monkeypatch.setattr(build, "build_html", lambda: None)
    monkeypatch.setattr(build, "ensure_fetched", lambda name, root: None)  # the suite never fetches
    rewrites = []  # only the documented default build rewrites the README's results block
    monkeypatch.setattr(build.readme, "update_readme", lambda book, path: rewrites.append(path) or False)
    monkeypatch.delenv("CAMULENET_SMOKE", raising=False)
    for argv, corpus, corpora, rewritten in ((["--corpus", "crema-d", "ravdess", "crema-d"], "crema-d",
                                              ["crema-d", "ravdess"], 0), ([], "synthetic", ["synthetic"], 1)):
        monkeypatch.setattr(sys, "argv", ["build_book.py", *argv])
        build.main()
        assert (calls[-1]["corpus"], calls[-1]["corpora"]) == (corpus, corpora)
        assert len(rewrites) == rewritten
