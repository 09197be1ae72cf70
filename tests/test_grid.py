"""The Table 1 grid: executors agree with a sequential run, failures are reported and retried,
half-written folds never count as finished, and the book reads what the grid trained."""

from __future__ import annotations

import json
import os
import shutil

import pandas as pd
import pytest

from camulenet import config, pipeline
from camulenet.grid import run as grid
from camulenet.grid.executors import InProcess, LocalProcesses, Submitit
from camulenet.grid.jobs import FAILED, LOCK, Job, fold_dir, run_job, state

SYSTEMS = ["CAMuLeNet", "CAMuLeNet w/o co-attention & multitask"]


@pytest.fixture(scope="module")
def cfg(smoke_root):
    """The smoke corpus, its folds and features, under a data root of this module's own
    (``.../smoke``: where the CLI's --smoke looks under CAMULENET_DATA)."""
    return config.settings(smoke=True, data_root=smoke_root)


def _predictions(cfg) -> pd.DataFrame:
    out = grid.plan_corpus(cfg, register=False).out_dir
    p = pd.read_parquet(out / "predictions.parquet")
    return p.sort_values(["system", "fold", "utt_id"]).reset_index(drop=True)


def _fresh(cfg) -> None:
    shutil.rmtree(cfg.data_root / "runs", ignore_errors=True)


@pytest.fixture
def cpu_only(monkeypatch):
    """Bit-equal results need the CPU (on CUDA adaptive pooling's backward is not deterministic):
    no GPU in this process (the book's schedule trains on "auto") nor in the workers it starts."""
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")


def test_executors_give_the_sequential_results(cfg, tmp_path, cpu_only):
    """Same seeds, folds and threads: in-process, local processes and submitit's local
    executor train the same numbers, and the book's chapter 5 finds every fold finished."""
    _fresh(cfg)
    report = grid.run_grid([cfg], SYSTEMS, [0, 1], executor=InProcess(tmp_path / "logs"), threads=1, progress=False)
    assert report.counts == {"done": 4}
    sequential = _predictions(cfg)
    assert len(sequential) and set(sequential.system) == set(SYSTEMS) and set(sequential.fold) == {0, 1}
    one = sequential[sequential.system == SYSTEMS[0]].reset_index(drop=True)  # the other executors train one system

    manifest = pipeline.ensure_corpus(cfg)
    out = pipeline.runs_root(cfg, manifest)
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("systems/*/fold_*/done.json")}
    features = pipeline.ensure_features(cfg, manifest, progress=False)
    run = pipeline.ensure_results(cfg, manifest, pipeline.ensure_folds(cfg, manifest), features, systems=SYSTEMS)
    assert {p: p.stat().st_mtime_ns for p in out.glob("systems/*/fold_*/done.json")} == stamps  # nothing retrained
    assert set(run.results.system) == set(SYSTEMS)

    for executor in (LocalProcesses(tmp_path / "logs", workers=2, threads=1),
                     Submitit(tmp_path / "submitit", cluster="local", poll_s=0.5, timeout_min=10)):
        _fresh(cfg)
        report = grid.run_grid([cfg], SYSTEMS[:1], [0, 1], executor=executor, threads=1, progress=False)
        assert report.counts == {"done": 2}, str(report)
        pd.testing.assert_frame_equal(_predictions(cfg), one)


def test_a_failed_job_is_reported_with_its_log_and_retried(cfg, tmp_path):
    _fresh(cfg)
    grid.plan_corpus(cfg, SYSTEMS[:1], [1])
    cell = fold_dir(grid.plan_corpus(cfg, register=False).out_dir, SYSTEMS[0], 1)
    cell.mkdir(parents=True)
    (cell / "last.pt").write_bytes(b"not a checkpoint")  # e.g. a file system that lost a write
    report = grid.run_grid([cfg], SYSTEMS[:1], [1], executor=InProcess(tmp_path / "logs"), progress=False)
    failed = report.table[report.table.state == "failed"]
    assert len(failed) == 1
    log = failed.log.iloc[0]
    assert os.path.exists(log) and "Traceback" in open(log).read()
    assert "FAILED synthetic-small / CAMuLeNet / fold 1" in str(report) and log in str(report)
    assert json.loads((cell / FAILED).read_text())["log"] == log
    assert grid.status([grid.plan_corpus(cfg, SYSTEMS[:1], [1], register=False)]).state.tolist() == ["failed"]

    (cell / "last.pt").unlink()
    report = grid.run_grid([cfg], SYSTEMS[:1], [1], executor=InProcess(tmp_path / "logs"), progress=False)
    assert report.counts == {"done": 1} and not (cell / FAILED).exists()


def test_half_written_folds_are_not_finished(cfg, tmp_path, monkeypatch):
    """A job killed while it saves leaves no done.json: the fold counts as left and is retrained."""
    from camulenet.storage import atomic

    _fresh(cfg)
    calls = {"n": 0}
    real_replace = os.replace

    def dies_at_done(src, dst):
        if str(dst).endswith("done.json"):
            calls["n"] += 1
            raise KeyboardInterrupt("killed while saving")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", dies_at_done)
    with pytest.raises(KeyboardInterrupt):
        grid.run_grid([cfg], SYSTEMS[:1], [0], progress=False)
    monkeypatch.undo()
    g = grid.plan_corpus(cfg, SYSTEMS[:1], [0], register=False)
    cell = fold_dir(g.out_dir, SYSTEMS[0], 0)
    assert calls["n"] == 1 and (cell / "metrics.json").exists() and not (cell / "done.json").exists()
    assert state(cell) == "left" and not (cell / FAILED).exists()  # an interrupt is no failure
    from camulenet.training.runner import collect

    assert collect(g.out_dir).empty  # the aggregate tables hold no half fold
    assert grid.run_grid([cfg], SYSTEMS[:1], [0], progress=False).counts == {"done": 1}


def test_a_fold_being_trained_elsewhere_is_running_and_not_trained_twice(cfg):
    from filelock import FileLock

    _fresh(cfg)
    g = grid.plan_corpus(cfg, SYSTEMS[:1], [0])
    cell = fold_dir(g.out_dir, SYSTEMS[0], 0)
    cell.mkdir(parents=True)
    with FileLock(cell / LOCK):
        assert state(cell) == "running"
        assert run_job(Job(cfg.as_dict(), SYSTEMS[0], 0).to_dict())["state"] == "running"
        assert grid.status([g]).state.tolist() == ["running"]
    assert not (cell / "done.json").exists() and state(cell) == "left"


def test_cli_status_and_plan(cfg, monkeypatch, capsys):
    from camulenet.grid.cli import main

    _fresh(cfg)
    grid.run_grid([cfg], SYSTEMS[:1], [0], progress=False)
    monkeypatch.setenv("CAMULENET_DATA", str(cfg.data_root.parent))
    assert main(["grid", "--smoke", "--systems", *SYSTEMS, "--folds", "0", "1", "--plan"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("synthetic-small"))
    assert row.split()[1:] == ["1", "0", "0", "3"]  # done, running, failed, left
    assert "3 of 4 jobs left" in out and "device-hours" in out
    with pytest.raises(SystemExit, match=r"folds 0..1; --folds \[7\] do not exist"):
        main(["grid", "--smoke", "--folds", "7", "--status"])


def _visible_device(job: dict) -> dict:
    import time

    time.sleep(0.5)  # both workers take a job
    return {"device": os.environ.get("CUDA_VISIBLE_DEVICES"), "threads": os.environ.get("OMP_NUM_THREADS")}


def test_local_processes_pin_one_gpu_per_worker(tmp_path):
    jobs = [Job({"corpus": "x"}, "CAMuLeNet", k).to_dict() for k in range(4)]
    outs = list(LocalProcesses(tmp_path, gpus=[3, 5], threads=2).run(_visible_device, jobs))
    assert all(o.ok for o in outs) and len(outs) == 4
    assert {o.value["device"] for o in outs} == {"3", "5"} and {o.value["threads"] for o in outs} == {"2"}
    assert {os.path.basename(o.log) for o in outs} == {f"x-camulenet-fold_{k:02d}.log" for k in range(4)}


def test_feature_disk_follows_the_profile():
    from camulenet.grid.plan import bytes_per_clip, disk_gb

    paper = config.settings(profile="paper")
    one = bytes_per_clip(paper, 2.0)
    assert one["whisper"] == 1500 * 1024 * 2  # Whisper-Medium, 30-s windows, float16: any clip length
    assert one["mfcc"] == bytes_per_clip(paper, 9.0)["mfcc"] == 501 * 40 * 2  # 5 s fixed
    compact = bytes_per_clip(config.settings(), 2.0)
    assert compact["whisper"] == 100 * 512 * 2 and bytes_per_clip(config.settings(), 4.0)["whisper"] == 200 * 512 * 2
    assert disk_gb(paper, 2000, 3.0) == pytest.approx(2 * disk_gb(paper, 1000, 3.0))


def test_open_corpus_cost_scales_the_audio_bound_chapters():
    """The chapters that grow with the audio scale with its hours, the others stay; a corpus that
    states no size is left out; disk counts the 16-bit WAVs and the features of the profile."""
    from dataclasses import replace

    from camulenet.data.sources import SOURCES
    from camulenet.grid.plan import disk_gb, predicted_book

    compact = config.settings()
    timings = {"02_data": 60.0, "03_features": 100.0, "05_training": 400.0, "09_beyond": 500.0, "06_results": 40.0}
    ravdess = SOURCES["ravdess"]
    double = replace(ravdess, corpus="double", clips=2 * ravdess.clips)
    got = predicted_book(compact, timings, ravdess.audio_seconds, [ravdess, double, SOURCES["cafe"]])
    assert list(got.index) == ["ravdess", "double"]  # CaFE states no clips: not predicted
    assert got.loc["ravdess", "CPU time (h)"] == round(1100 / 3600, 1)
    assert got.loc["double", "CPU time (h)"] == round((100 + 2 * 1000) / 3600, 1)
    wav = (ravdess.audio_seconds * 48_000 * 2 + 44 * 1440) / 1e9
    assert got.loc["ravdess", "WAVs (GB)"] == round(wav, 2)
    assert got.loc["ravdess", "features (GB)"] == round(disk_gb(compact, 1440, 3.7), 2)


def test_open_corpora_state_their_size():
    """Every corpus fetch downloads states what the prediction needs; CREMA-D's mean length comes
    from its WAVs' sizes (16-bit mono at 16 kHz), within its known 2-3 s."""
    from camulenet.data.sources import SOURCES

    opened = [s for s in SOURCES.values() if s.access == "open"]
    assert {s.corpus for s in opened} == {"ravdess", "crema-d", "emozionalmente"}
    assert all(s.clips and s.mean_seconds and s.sample_rate for s in opened)
    assert 2.0 < SOURCES["crema-d"].mean_seconds < 3.0


def test_systems_that_cannot_run_are_refused_before_any_job(cfg):
    with pytest.raises(ValueError, match="reads feature 'wavlm'.*extract_ssl_features"):
        grid.plan_corpus(cfg, ["CAMuLeNet", "WavLM"], [0])
    with pytest.raises(ValueError, match="unknown system 'Wisper'"):
        grid.plan_corpus(cfg, ["Wisper"], [0])
    paper_like = config.settings(smoke=True, data_root=cfg.data_root, whisper="small")
    with pytest.raises(ValueError, match="Whisper-Base reads the 'whisper' frames.*--whisper-model base"):
        from camulenet.grid.jobs import load_features

        load_features(paper_like, pipeline.ensure_corpus(cfg), ["Whisper-Base"])


def test_plan_counts_checkpoints_beside_features(cfg, monkeypatch, capsys):
    """--plan's peak disk = features + every fold's best.pt + the resume points of the folds
    training at once; at the paper profile the best.pt of a CAMuLeNet fold is its weights in
    bfloat16 (sized on the meta device, nothing allocated)."""
    from camulenet.grid.cli import main
    from camulenet.grid.plan import checkpoints_gb
    from camulenet.training.checkpoint_disk import meta_models
    from camulenet.training.runs import book_systems

    from dataclasses import replace

    paper = replace(config.settings(profile="paper"), max_epochs=None)  # the paper's 10 epochs, smoke or not
    cells = [(s, k) for s in book_systems(paper) for k in range(10)]
    one = checkpoints_gb(grid.CorpusGrid(paper, cfg.data_root, cells, False, 10), n_emotions=6, workers=1)
    two = checkpoints_gb(grid.CorpusGrid(paper, cfg.data_root, cells, False, 10), n_emotions=6, workers=2)
    n_params = {s: sum(p.numel() for p in m.parameters())
                for s, m in meta_models(paper, list(book_systems(paper)), 6).items()}
    assert n_params["CAMuLeNet"] > 250e6 and not one["unsized"]
    assert one["best_pt"] == pytest.approx(10 * 2 * sum(n_params.values()) / 1e9, rel=0.01)
    assert one["resume"] == pytest.approx(3 * 4 * n_params["CAMuLeNet"] / 1e9, rel=0.01)  # model + AdamW, float32
    assert two["resume"] == pytest.approx(2 * one["resume"]) and two["best_pt"] == one["best_pt"]
    _fresh(cfg)
    monkeypatch.setenv("CAMULENET_DATA", str(cfg.data_root.parent))
    assert main(["grid", "--smoke", "--systems", *SYSTEMS, "--folds", "0", "1", "--plan", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "disk at its peak about" in out and "resume points of 2 fold(s)" in out and "GB free there" in out
