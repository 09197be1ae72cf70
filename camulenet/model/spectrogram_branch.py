"""Spectrogram branch: an AlexNet-shaped conv stack on a one-channel (time x mel) image.

``AlexNetFeatures`` reproduces torchvision's ``alexnet().features`` layer for layer (same
``nn.Sequential`` indices 0..12), so torchvision's ImageNet state_dict loads into it when
torchvision and its cached weights are available. torchvision cannot be imported on the
build machine, so by default the stack is trained from scratch (a documented deviation).
As in the released code, the first conv is a *new* 1-channel 11x11 stride-4 conv; only
the later convs can take ImageNet weights.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Sequence

import torch
from torch import nn

#: smallest input (height and width) the AlexNet stack accepts; smaller inputs are zero-padded
MIN_SIZE = 63

#: torchvision's AlexNet channel widths.
ALEXNET_WIDTHS = (64, 192, 384, 256, 256)


class AlexNetFeatures(nn.Sequential):
    """conv11/4 - pool - conv5 - pool - conv3 - conv3 - conv3 - pool, like torchvision."""

    def __init__(self, in_channels: int = 1, widths: Sequence[int] = ALEXNET_WIDTHS) -> None:
        c1, c2, c3, c4, c5 = widths
        super().__init__(
            nn.Conv2d(in_channels, c1, kernel_size=11, stride=4, padding=2),  # 0
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(c1, c2, kernel_size=5, padding=2),  # 3
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(c2, c3, kernel_size=3, padding=1),  # 6
            nn.ReLU(inplace=True),
            nn.Conv2d(c3, c4, kernel_size=3, padding=1),  # 8
            nn.ReLU(inplace=True),
            nn.Conv2d(c4, c5, kernel_size=3, padding=1),  # 10
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.out_channels = c5


def load_imagenet_alexnet(features: AlexNetFeatures, state_dict: dict | None = None) -> bool:
    """Copy ImageNet AlexNet conv weights into ``features`` except the first (1-channel) conv.

    ``state_dict``: torchvision's AlexNet state_dict (keys ``features.N.*``) or ``None`` to
    ask torchvision for its cached weights (never downloads). Returns True when weights
    were loaded, False (with a warning) when they are not available.
    """
    if state_dict is None:
        try:  # torchvision is optional (and does not import beside every torch build)
            import torchvision  # noqa: F401
            from torch.hub import get_dir

            cached = sorted(Path(get_dir(), "checkpoints").glob("alexnet-*.pth"))
            if not cached:
                raise FileNotFoundError(f"no alexnet-*.pth in {Path(get_dir(), 'checkpoints')}; "
                                        "put torchvision's AlexNet weights there")
            state_dict = torch.load(cached[0], map_location="cpu", weights_only=True)
        except Exception as err:  # torchvision missing or weights not cached
            warnings.warn(f"ImageNet AlexNet weights unavailable ({err}); spectrogram branch starts from scratch")
            return False
    if tuple(features[0].weight.shape[0:1]) != (64,) or features.out_channels != 256:
        raise ValueError("ImageNet weights need torchvision's AlexNet widths (64, 192, 384, 256, 256)")
    own = {k.removeprefix("features."): v for k, v in state_dict.items() if k.startswith("features.")}
    own = {k: v for k, v in own.items() if not k.startswith("0.")}  # first conv stays 1-channel, fresh
    missing, unexpected = features.load_state_dict(own, strict=False)
    if unexpected or set(missing) - {"0.weight", "0.bias"}:
        raise ValueError(f"AlexNet state_dict mismatch: missing={missing} unexpected={unexpected}")
    return True


class SpectrogramBranch(nn.Module):
    """(B, T, n_mels) spectrogram -> conv stack -> adaptive avg-pool -> dropout -> FC -> ReLU.

    The time axis is the image height and mel the width (the released code transposes the
    librosa output to time x mel). Padding to a fixed corpus-wide length is done by the
    data pipeline, so a clip's output does not depend on what it is batched with.
    """

    def __init__(self, widths: Sequence[int] = ALEXNET_WIDTHS, pool: tuple[int, int] = (6, 6),
                 out_dim: int = 1024, dropout: float = 0.1, pretrained: bool = False,
                 time_pool: int = 1) -> None:
        super().__init__()
        self.time_pool = time_pool  # >1 averages consecutive frames first (compact CPU economy)
        # channels-last weights: oneDNN's kernels for this layout are about twice as fast on a CPU
        # limited to AVX2 (the portable numeric paths, camulenet.storage.numerics) for these
        # thin stacks, and cuDNN prefers it under mixed precision too (scripts/bench_conv_layout.py)
        self.features = AlexNetFeatures(1, widths).to(memory_format=torch.channels_last)
        self.pretrained = load_imagenet_alexnet(self.features) if pretrained else False
        self.pool = nn.AdaptiveAvgPool2d(pool)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(self.features.out_channels * pool[0] * pool[1], out_dim)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        x = mel.float()
        if self.time_pool > 1:  # average groups of time_pool frames (zero-pad the last group)
            b, t, m = x.shape
            x = nn.functional.pad(x, (0, 0, 0, (-t) % self.time_pool))
            x = x.view(b, -1, self.time_pool, m).mean(2)
        if x.shape[1] < MIN_SIZE or x.shape[2] < MIN_SIZE:  # AlexNet needs >= 63 x 63 inputs
            x = nn.functional.pad(x, (0, max(0, MIN_SIZE - x.shape[2]), 0, max(0, MIN_SIZE - x.shape[1])))
        x = self.features(x.unsqueeze(1))
        x = torch.flatten(self.pool(x), 1)
        return torch.relu(self.fc(self.dropout(x)))
