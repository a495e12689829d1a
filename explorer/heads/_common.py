"""Small helpers the runners share: probabilities, top-k labels, label names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from explorer.results import Classification, Label


def to_numpy(tensor: Any) -> np.ndarray:
    """A torch tensor (any dtype / device) as a float32 numpy array."""
    return tensor.detach().float().cpu().numpy()


def output_shapes(outputs: Any) -> dict[str, tuple[int, ...]]:
    """``{name: shape}`` of every tensor in a model output (the ``raw`` result)."""
    return {name: tuple(value.shape) for name, value in outputs.items() if hasattr(value, "shape")}


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = logits - np.max(logits, axis=axis, keepdims=True)
    exp = np.exp(shifted)
    return exp / np.sum(exp, axis=axis, keepdims=True)


def sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logits))


def class_label(config: Any, index: int) -> str:
    """The name of class ``index`` from ``config.id2label`` (``LABEL_i`` where it has none)."""
    id2label = getattr(config, "id2label", None) or {}
    return str(id2label.get(index, id2label.get(str(index), f"LABEL_{index}")))


def label_names(config: Any, count: int) -> tuple[str, ...]:
    """Names for ``count`` logits from ``config.id2label``."""
    return tuple(class_label(config, i) for i in range(count))


def top_labels(logits: np.ndarray, names: Sequence[str], k: int,
               multi_label: bool = False) -> tuple[Label, ...]:
    """The ``k`` best labels, highest first: softmax scores, or sigmoid for multi-label heads."""
    scores = sigmoid(logits) if multi_label else softmax(logits)
    order = np.argsort(-scores)[: max(1, k)]
    return tuple(Label(label=names[i], score=float(scores[i])) for i in order)


def classification(ctx: Any, outputs: Any, input_ids: Any = None) -> Classification:
    """A ``Classification`` from a head's ``outputs.logits`` for the first input: top-k labels
    from ``config.id2label`` (sigmoid for multi-label heads), raw logits kept for the views."""
    if getattr(outputs, "logits", None) is None:
        from explorer.errors import NotRunnable

        raise NotRunnable(f"{type(ctx.model).__name__} returns no class scores (logits): "
                          f"transformers maps it under {ctx.loaded.spec.auto_class}, but it has "
                          "no classification head; run it as feature-extraction instead")
    logits = to_numpy(outputs.logits)[0]
    names = label_names(ctx.config, logits.shape[-1])
    multi = getattr(ctx.config, "problem_type", None) == "multi_label_classification"
    return Classification(labels=top_labels(logits, names, ctx.option("top_k"), multi),
                          logits=logits, label_names=names, **ctx.common(outputs, input_ids))


def pad_batch(ctx: Any, tokenizer: Any, count: int) -> bool:
    """Whether to pad ``count`` texts: only a batch needs it. A tokenizer without a pad token
    (GPT-2, Llama) borrows its end-of-text token, as transformers' docs do, with a note."""
    if count <= 1:
        return False
    if tokenizer.pad_token is None:
        from explorer.errors import BadInput

        if tokenizer.eos_token is None:
            raise BadInput(f"{ctx.loaded.resolution.checkpoint}'s tokenizer has neither a pad nor "
                           "an end-of-text token, so several texts cannot be batched; give one "
                           "text at a time")
        tokenizer.pad_token = tokenizer.eos_token
        ctx.notes.append(f"the tokenizer has no pad token: texts are padded with its end-of-text "
                         f"token {tokenizer.eos_token!r} (tokenizer.pad_token = "
                         "tokenizer.eos_token, as transformers' docs do)")
    return True
