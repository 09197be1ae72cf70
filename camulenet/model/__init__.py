"""CAMuLeNet model, its variants, the embedding-CNN baseline and Whisper attention pooling."""

from .attention_pooling import AttentionPoolingConfig, WhisperAttentionPooling
from .baselines import EmbeddingCNN
from .camulenet import CAMuLeNet, CAMuLeNetConfig, count_parameters
from .coattention import CoAttention, masked_mean
from .mfcc_branch import MFCCBranch
from .spectrogram_branch import AlexNetFeatures, SpectrogramBranch, load_imagenet_alexnet

__all__ = ["AlexNetFeatures", "AttentionPoolingConfig", "CAMuLeNet", "CAMuLeNetConfig", "CoAttention",
           "EmbeddingCNN", "MFCCBranch", "SpectrogramBranch", "WhisperAttentionPooling", "count_parameters",
           "load_imagenet_alexnet", "masked_mean"]
