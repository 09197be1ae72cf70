"""Multitask loss, batches, checkpoints and the per-fold trainer; the systems and the loop over
systems x folds (``runner``); the book's grid under its settings (``runs``)."""

from .checkpoint import load_checkpoint, save_checkpoint
from .data import SERData
from .loss import MultitaskLoss
from .trainer import FoldResult, TrainConfig, resolve_device, train_one_fold

__all__ = ["FoldResult", "MultitaskLoss", "SERData", "TrainConfig", "load_checkpoint",
           "resolve_device", "save_checkpoint", "train_one_fold"]
