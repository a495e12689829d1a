"""Small helpers the runners share: probabilities, top-k labels, label names."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from explorer.results import Label


def to_numpy(tensor: Any) -> np.ndarray:
    """A torch tensor (any dtype / device) as a float32 numpy array."""
    return tensor.detach().float().cpu().numpy()


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = logits - np.max(logits, axis=axis, keepdims=True)
    exp = np.exp(shifted)
    return exp / np.sum(exp, axis=axis, keepdims=True)


def sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logits))


def label_names(config: Any, count: int) -> tuple[str, ...]:
    """Names for ``count`` logits from ``config.id2label`` (``LABEL_i`` where it has none)."""
    id2label = getattr(config, "id2label", None) or {}
    return tuple(str(id2label.get(i, id2label.get(str(i), f"LABEL_{i}"))) for i in range(count))


def top_labels(logits: np.ndarray, names: Sequence[str], k: int,
               multi_label: bool = False) -> tuple[Label, ...]:
    """The ``k`` best labels, highest first: softmax scores, or sigmoid for multi-label heads."""
    scores = sigmoid(logits) if multi_label else softmax(logits)
    order = np.argsort(-scores)[: max(1, k)]
    return tuple(Label(label=names[i], score=float(scores[i])) for i in order)
