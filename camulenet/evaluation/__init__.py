"""Metrics per fold (WA = plain accuracy, UA = mean per-class recall, F1s) and paired tests."""

from .metrics import SCALAR_METRICS, accuracy, classification_metrics, confusion_matrix
from .stats import paired_comparison, paired_values, pairwise_table, summarise

__all__ = ["SCALAR_METRICS", "accuracy", "classification_metrics", "confusion_matrix", "paired_comparison",
           "paired_values", "pairwise_table", "summarise"]
