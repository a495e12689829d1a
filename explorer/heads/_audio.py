"""Helpers the audio runners share: the waveform at the feature extractor's rate, the batch it
makes, and checks on what a model's entry point takes.

Audio runners take the waveform at the rate the checkpoint's feature extractor was built for
(``ctx.audio_at``: resampled with librosa and noted on the result). Where architectures of one
Auto class differ, runners check a capability (a keyword ``decode`` or ``generate`` takes,
``can_generate()``, a config field), never the model type.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from explorer.errors import BadInput
from explorer.runner import RunContext

# Where audio-making models keep their output.
OUTPUT_FIELDS = ("waveform", "spectrogram", "audio_values")


def takes(function: Callable[..., Any] | None, name: str) -> bool:
    """Whether ``function`` has a parameter called ``name``."""
    if function is None:
        return False
    try:
        return name in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def _feature_extractor(ctx: RunContext) -> Any:
    """The audio part of the checkpoint's preprocessor (a processor's ``feature_extractor``, or
    the preprocessor itself)."""
    part = ctx.part("feature_extractor") or ctx.preprocessor
    if part is None or not hasattr(part, "sampling_rate"):
        raise BadInput(f"{ctx.loaded.resolution.checkpoint} ships no audio feature extractor "
                       "(preprocessor_config.json), so the explorer cannot prepare audio for it")
    return part


def audio_input(ctx: RunContext) -> tuple[Any, int, np.ndarray]:
    """``(feature extractor, its sampling rate, the waveform at that rate)``."""
    ctx.require("audio")
    features = _feature_extractor(ctx)
    rate = int(features.sampling_rate)
    return features, rate, ctx.audio_at(rate)


def audio_batch(ctx: RunContext, **kwargs: Any) -> tuple[dict[str, Any], int, np.ndarray]:
    """``(model inputs, sampling rate, waveform)`` from the feature extractor at its own rate."""
    features, rate, waveform = audio_input(ctx)
    window = getattr(features, "n_samples", None)  # Whisper-style fixed input window
    if window and len(waveform) > window:
        ctx.notes.append(f"audio is {len(waveform) / rate:.1f} s; the model hears only the first "
                         f"{window / rate:.0f} s (its input window)")
    batch = features(waveform, sampling_rate=rate, return_tensors="pt", **kwargs)
    return dict(batch), rate, waveform


def text_tokenizer(ctx: RunContext) -> Any:
    """The tokenizer between text and token ids (speech recognition and synthesis need one);
    ``ctx.tokenizer`` raises a one-line BadInput when the checkpoint ships none."""
    return ctx.tokenizer


def only_accepted(function: Callable[..., Any], batch: dict[str, Any]) -> dict[str, Any]:
    """The batch minus keys ``function`` has no parameter for (DAC's feature extractor returns a
    ``padding_mask`` its forward does not take), unless it takes ``**kwargs``."""
    params = inspect.signature(function).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return batch
    return {k: v for k, v in batch.items() if k in params}


def seconds_per_frame(ctx: RunContext, n_frames: int, n_samples: int, rate: int) -> float:
    """Duration of one output frame: the conv stack's total stride when the config gives it
    (``inputs_to_logits_ratio``, as in transformers' own docs), else the clip over the frames."""
    ratio = getattr(ctx.config, "inputs_to_logits_ratio", None)
    if ratio:
        return float(ratio) / rate
    return n_samples / rate / max(n_frames, 1)


def audio_array(out: Any) -> Any:
    if hasattr(out, "shape"):
        return out
    for name in OUTPUT_FIELDS:
        value = getattr(out, name, None)
        if value is not None:
            return value
    return out[0]
