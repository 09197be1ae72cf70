"""CAMuLeNet model, its variants and the embedding-CNN baseline."""

from .baselines import EmbeddingCNN, ssl_frame_embeddings
from .camulenet import CAMuLeNet, CAMuLeNetConfig, count_parameters
from .coattention import CoAttention, masked_mean
from .mfcc_branch import MFCCBranch
from .spectrogram_branch import AlexNetFeatures, SpectrogramBranch, load_imagenet_alexnet

__all__ = ["AlexNetFeatures", "CAMuLeNet", "CAMuLeNetConfig", "CoAttention", "EmbeddingCNN", "MFCCBranch",
           "SpectrogramBranch", "count_parameters", "load_imagenet_alexnet", "masked_mean", "ssl_frame_embeddings"]
