"""Helpers the multimodal runners share: a processor's parts and the tokens ``generate`` made."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from explorer.heads._common import softmax, to_numpy
from explorer.runner import RunContext


def processor_part(ctx: RunContext, name: str) -> Any:
    """A part of the checkpoint's processor (``image_processor``, ``feature_extractor``), or the
    preprocessor itself when it is that part."""
    pre = ctx.preprocessor
    part = getattr(pre, name, None)
    if part is not None:
        return part
    kind = name.replace("_", "")
    return pre if type(pre).__name__.lower().endswith((kind, kind + "pil")) else None


def sequence_probability(scores: Sequence[Any], new_ids: Any) -> tuple[float, ...]:
    """Probability the model gave each generated token (from ``generate(output_scores=True)``)."""
    return tuple(float(softmax(to_numpy(step[0]))[int(i)]) for step, i in zip(scores, new_ids))


def new_tokens(out: Any) -> Any:
    """The generated ids of the first sequence: the last ``len(scores)`` positions (some
    models return the prompt in front, some do not)."""
    sequence = out.sequences[0]
    return sequence[-len(out.scores):] if out.scores else sequence[:0]
