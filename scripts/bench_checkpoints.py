"""Checkpoint bytes written per fold, and disk held while a fold trains, before and after the
checkpoint policy of issue #21, for the paper profile's Table 1 systems.

Before: ``last.pt`` = model + AdamW (two moments per parameter) + a copy of the best model,
rewritten after every epoch but the last; ``best.pt`` = the model. After: ``last.pt`` holds
one model (the kept epoch, when an earlier one, in ``best-e<epoch>.pt``, never under the
paper's ``monitor="last"``), written after an epoch only when due
(``TrainConfig.checkpoint_epochs`` / ``checkpoint_minutes``).

Sizes come from the models' own state dicts at paper size (built on the ``meta`` device: no
memory; the formula is ``camulenet.training.checkpoint_disk``'s, which ``grid --plan`` uses), and it is checked against the bytes a real (small) fold reports in its
``done.json`` (``checkpoint_bytes``). Prints one JSON object.

    python scripts/bench_checkpoints.py [--epochs 10] [--every 1 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import camulenet  # noqa: E402,F401  (first: pins numpy's and torch's CPU code paths, camulenet.storage.numerics)

import torch  # noqa: E402

from camulenet import config  # noqa: E402
from camulenet.model import CAMuLeNet, CAMuLeNetConfig  # noqa: E402
from camulenet.training import SERData, TrainConfig, runner, train_one_fold  # noqa: E402
from camulenet.training.checkpoint_disk import meta_models, per_fold, sizes  # noqa: E402
from camulenet.training.toy import speaker_folds, toy_corpus  # noqa: E402

BEST = TrainConfig.paper().best_dtype  # the paper schedule keeps best.pt in bfloat16


def paper_models() -> dict[str, torch.nn.Module]:
    """The four Table 1 systems at the paper profile (Whisper-Medium frames, CREMA-D's six
    emotions), on the meta device."""
    return meta_models(config.settings(profile="paper"), runner.SYSTEMS, n_emotions=6)


def check_formula(epochs: int = 4) -> dict:
    """A small fold trained for real under the paper's schedule: its reported bytes vs the formula."""
    feats, manifest = toy_corpus(n_clips=48, n_speakers=6, emotions=("neutral", "angry"), seconds=(0.5, 0.8),
                                 whisper_dim=16, seed=0)
    data = SERData(feats, manifest)
    cfg = CAMuLeNetConfig.compact(n_emotions=2, whisper_dim=16)
    with tempfile.TemporaryDirectory() as tmp:
        res = train_one_fold(lambda: CAMuLeNet(cfg), data, speaker_folds(manifest, n_folds=3)[0],
                             TrainConfig.paper(epochs=epochs, batch_size=16, progress=False, device="cpu"), tmp)
    predicted = per_fold(sizes(CAMuLeNet(cfg), BEST), epochs, 1)["written"]
    return {"epochs": epochs, "reported_bytes": res.info["checkpoint_bytes"], "formula_bytes": predicted,
            "overhead_share": round(res.info["checkpoint_bytes"] / predicted - 1, 4)}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--every", type=int, nargs="+", default=[1, 5], help="checkpoint_epochs values to show")
    args = ap.parse_args(argv)
    gb = lambda b: round(b / 1e9, 2)  # noqa: E731
    systems = {}
    for name, model in paper_models().items():
        s = sizes(model, BEST)
        row = {"params_m": round(sum(p.numel() for p in model.parameters()) / 1e6, 1),
               "best_pt_gb": gb(s["best"]), "before": per_fold(s, args.epochs, None)}
        row.update({f"after_every_{k}": per_fold(s, args.epochs, k) for k in args.every})
        for v in row.values():
            if isinstance(v, dict):
                v.update({k: gb(v[k]) for k in ("written", "held_max", "last_pt", "best_pt")})
        systems[name] = row
    row_total = {way: gb(sum(r[way]["written"] * 1e9 for r in systems.values()) * args.folds)
                 for way in ["before", *[f"after_every_{k}" for k in args.every]]}
    kept = gb(sum(r["best_pt_gb"] * 1e9 for r in systems.values()) * args.folds)
    result = {"epochs": args.epochs, "folds": args.folds, "units": "GB (1e9 bytes)", "systems": systems,
              "table1_row_written_gb": row_total, "table1_row_best_pt_kept_gb": kept,
              "formula_check_small_fold": check_formula()}
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
