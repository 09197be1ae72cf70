"""Weighted multitask loss: ``w_e * CE(emotion) + w_g * CE(gender) + constant``.

The released code uses 0.4 * emotion + 0.1 * gender + 0.2. The constant has no effect on
gradients (so none on training); it only shifts the reported loss values. It defaults to
0.0 here; pass ``constant=0.2`` to reproduce the released numbers. Without a gender head
(``gender_logits`` is None) the gender term is 0.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class MultitaskLoss(nn.Module):
    def __init__(self, emotion_weight: float = 0.4, gender_weight: float = 0.1, constant: float = 0.0) -> None:
        super().__init__()
        self.emotion_weight, self.gender_weight, self.constant = emotion_weight, gender_weight, constant

    def forward(self, outputs: dict, emotion: torch.Tensor, gender: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        emo = F.cross_entropy(outputs["emotion_logits"].float(), emotion)
        logits = outputs.get("gender_logits")
        gen = F.cross_entropy(logits.float(), gender) if logits is not None and gender is not None else emo.new_zeros(())
        total = self.emotion_weight * emo + self.gender_weight * gen + self.constant
        return {"total": total, "emotion": emo, "gender": gen}
