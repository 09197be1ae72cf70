from camulenet import config
from camulenet.book import environment
from camulenet.book.captions import settings_caption
from camulenet.book.deviations import DEVIATIONS
from camulenet.book.environment import environment_table
from camulenet.evaluation.paper import paper_table1, paper_table1_long


def test_smoke_switch_from_parameter_and_environment(monkeypatch):
    monkeypatch.delenv("CAMULENET_SMOKE", raising=False)
    assert config.settings().smoke is False and config.settings().n_folds == 10
    assert config.settings(smoke=True).corpus == "synthetic-small"
    monkeypatch.setenv("CAMULENET_SMOKE", "1")
    s = config.settings()
    assert s.smoke and s.n_folds == 2 and s.data_root.name == "smoke"
    assert config.settings(seed=3, n_folds=4).n_folds == 4


def test_paper_table_is_shipped_and_complete():
    t = paper_table1()
    assert len(t) == 8 and t.loc[t.system == "CAMuLeNet", "CREMA-D_WA"].item() == 0.762
    long = paper_table1_long()
    assert set(long.metric) == {"WA", "WF1"} and long.corpus.nunique() == 6


def test_deviation_entries_are_complete():
    assert len(DEVIATIONS) >= 10
    assert all(len(d) == 4 and all(isinstance(x, str) and x for x in d) for d in DEVIATIONS)


def test_environment_table_reports_installed_versions(monkeypatch):
    import platform

    import numpy
    import pandas
    import torch

    monkeypatch.setattr(environment, "_PACKAGES", ("torch", "numpy", "pandas", "no-such-package-xyz"))
    t = environment_table()["value"]
    assert t["torch"] == str(torch.__version__)
    assert t["numpy"] == numpy.__version__ and t["pandas"] == pandas.__version__
    assert t["no-such-package-xyz"] == "not installed"
    assert t["python"] == platform.python_version()


def test_deviations_as_markdown_one_item_each_and_no_stray_emphasis():
    from camulenet.book.deviations import as_markdown

    md = as_markdown()
    assert md.count("\n- **") == len(DEVIATIONS) - 1 and md.startswith("- **Test speakers.**")
    assert r"0.4 \* emotion + 0.1 \* gender" in md  # multiplication signs are not italics


def test_shipped_table1_is_the_papers():
    """The package ships Table 1; where the project's shared folder sits beside the clone, it must agree."""
    from pathlib import Path

    import pandas as pd

    from camulenet.evaluation.paper import paper_table1

    shipped = paper_table1()
    assert shipped.shape == (8, 14) and shipped.loc[shipped.system == "CAMuLeNet", "CREMA-D_WA"].item() == 0.762
    shared = Path(__file__).resolve().parents[2] / "shared" / "paper" / "table1_paper.csv"
    if shared.exists():
        pd.testing.assert_frame_equal(shipped, pd.read_csv(shared))


def test_corpora_lead_with_the_book_corpus_and_map_synthetic_in_smoke(monkeypatch):
    monkeypatch.delenv("CAMULENET_SMOKE", raising=False)
    assert config.settings().corpora == ("synthetic",)
    assert config.settings(corpus="crema-d").corpora == ("crema-d",)
    s = config.settings(corpus="crema-d", corpora=["ravdess", "crema-d", "ravdess", "synthetic"])
    assert s.corpora == ("crema-d", "ravdess", "synthetic")  # the book's corpus first, each once
    smoke = config.settings(smoke=True, corpus="crema-d", corpora=["crema-d", "synthetic"])
    assert smoke.corpora == ("crema-d", "synthetic-small") and config.default_synthetic(smoke) == "synthetic-small"
    assert config.settings(smoke=True, corpora="synthetic").corpora == ("synthetic-small",)


def test_another_corpus_of_the_book_keeps_every_other_setting(monkeypatch):
    from dataclasses import asdict

    monkeypatch.delenv("CAMULENET_SMOKE", raising=False)
    cfg = config.settings(smoke=True, seed=3, corpus="crema-d", profile="paper", whisper="base",
                          fold_protocol="session", corpora=["crema-d", "ravdess"])
    other = config.for_corpus(cfg, "ravdess")
    assert other.corpus == "ravdess" and other.corpora == ("ravdess",)
    same = {k: v for k, v in asdict(other).items() if k not in ("corpus", "corpora")}
    assert same == {k: v for k, v in asdict(cfg).items() if k not in ("corpus", "corpora")}
    assert other == config.settings(smoke=True, seed=3, corpus="ravdess", profile="paper", whisper="base",
                                    fold_protocol="session")  # as a book on that corpus alone
    assert config.for_corpus(cfg, "synthetic").corpus == "synthetic-small"


def test_corpora_change_no_cache_key_of_the_book_corpus(tmp_path, monkeypatch):
    """Gathering more corpora must not move the primary corpus's features, folds or runs."""
    import pandas as pd

    from camulenet import pipeline

    monkeypatch.setenv("CAMULENET_DATA", str(tmp_path))
    manifest = pd.DataFrame({"utt_id": ["a", "b"], "speaker": ["s1", "s2"], "gender": ["female", "male"],
                             "emotion": ["happy", "sad"]})
    alone = config.settings(smoke=True, corpus="crema-d")
    many = config.settings(smoke=True, corpus="crema-d", corpora=["crema-d", "ravdess", "synthetic"])
    assert pipeline.features_root(alone) == pipeline.features_root(many)
    assert pipeline.folds_file(alone, manifest) == pipeline.folds_file(many, manifest)
    assert pipeline.runs_root(alone, manifest) == pipeline.runs_root(many, manifest)
    assert pipeline.runs_key(config.for_corpus(many, "ravdess"), manifest) == pipeline.runs_key(
        config.settings(smoke=True, corpus="ravdess"), manifest)


def test_describe_names_every_setting_that_made_a_result_and_no_local_path(monkeypatch, tmp_path):
    monkeypatch.delenv("CAMULENET_SMOKE", raising=False)
    from camulenet.config import settings

    line = settings_caption(settings(profile="paper"))
    for part in ("synthetic", "profile paper", "features paper", "Whisper medium", "model paper",
                 "schedule paper", "10 folds leave-speaker-out", "seed 0"):
        assert part in line, (part, line)
    ckpt = tmp_path / "my-whisper.pt"
    ckpt.write_bytes(b"x")
    line = settings_caption(settings(whisper=str(ckpt), fold_protocol="session", seed=3))
    assert "Whisper my-whisper.pt" in line and str(tmp_path) not in line
    assert "leave-one-session-out" in line and "seed 3" in line
    assert "smoke mode" in settings_caption(settings(smoke=True))
