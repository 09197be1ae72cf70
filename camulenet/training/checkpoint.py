"""Checkpoints that load with ``torch.load(weights_only=True)``: only tensors, state_dicts and
plain JSON-able values (numbers, strings, lists, dicts) -- never pickled Python objects."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from camulenet.storage import atomic


def _check_plain(obj, where: str = "meta") -> None:
    try:
        json.dumps(obj)
    except TypeError as err:
        raise TypeError(f"{where} must be plain JSON-able data: {err}") from None


def save_checkpoint(path: str | Path, *, meta: dict | None = None, **tensors_and_states) -> None:
    """Atomically write ``{**tensors_and_states, "meta": meta}`` (write to .tmp, then rename)."""
    meta = meta or {}
    _check_plain(meta)
    with atomic.replacing(path) as tmp:
        torch.save({**tensors_and_states, "meta": meta}, tmp)


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    return torch.load(path, map_location=map_location, weights_only=True)


def rng_state(generator: torch.Generator) -> dict[str, torch.Tensor | list]:
    """RNG states as tensors: torch's global CPU RNG (dropout), the shuffling generator, CUDA."""
    state = {"torch": torch.get_rng_state(), "shuffle": generator.get_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict, generator: torch.Generator) -> None:
    torch.set_rng_state(state["torch"].cpu())
    generator.set_state(state["shuffle"].cpu())
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])
