"""Weighted multitask loss: ``w_e * CE(emotion) + w_g * CE(gender) + constant``.

The released code uses 0.4 * emotion + 0.1 * gender + 0.2. The constant has no effect on
gradients (so none on training); it only shifts the reported loss values. It defaults to
0.0 here; pass ``constant=0.2`` to reproduce the released numbers. Without a gender head
(``gender_logits`` is None) the gender term is 0; clips of unknown gender (code
:data:`NO_GENDER`, e.g. from a CSV corpus without genders) count in no gender term, and a
batch with none of known gender has a gender term of 0.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

#: The gender code of a clip of unknown gender: the gender loss and accuracy leave it out.
NO_GENDER = -100


class MultitaskLoss(nn.Module):
    def __init__(self, emotion_weight: float = 0.4, gender_weight: float = 0.1, constant: float = 0.0) -> None:
        super().__init__()
        self.emotion_weight, self.gender_weight, self.constant = emotion_weight, gender_weight, constant

    def forward(self, outputs: dict, emotion: torch.Tensor, gender: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        emo = F.cross_entropy(outputs["emotion_logits"].float(), emotion)
        logits = outputs.get("gender_logits")
        if logits is not None and gender is not None:  # the mean over known genders (0 when none), no device sync
            known = (gender != NO_GENDER).sum().clamp(min=1)
            gen = F.cross_entropy(logits.float(), gender, ignore_index=NO_GENDER, reduction="sum") / known
        else:
            gen = emo.new_zeros(())
        total = self.emotion_weight * emo + self.gender_weight * gen + self.constant
        return {"total": total, "emotion": emo, "gender": gen}
