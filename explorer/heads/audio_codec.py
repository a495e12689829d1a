"""Audio codec heads: encode a waveform into discrete codes and decode them back (DAC, X-Codec)."""

from __future__ import annotations

import inspect
from pathlib import Path

from explorer.heads._audio import audio_array, audio_batch, only_accepted
from explorer.heads._common import to_numpy
from explorer.heads._registry import Task
from explorer.results import AudioOutput, Result
from explorer.runner import RunContext
from explorer.snippets.base import Spec
from explorer.snippets.base import audio_batch as audio_batch_lines
from explorer.zoo import Recipe
from explorer.zoo.audio import SPEECH
from explorer.zoo.common import save_random


def tokenize_audio(ctx: RunContext) -> Result:
    """A neural codec: ``encode`` the waveform into discrete codes (codebooks × frames), then
    ``decode`` them back: what you hear is what the codes keep."""
    import inspect

    import torch

    batch, rate, waveform = audio_batch(ctx)
    model = ctx.model
    inputs = ctx.to_model(only_accepted(model.encode, batch))
    # Discrete codecs decode(audio_codes=...); continuous ones (PocketTTS) decode(latents=...).
    params = inspect.signature(model.decode).parameters
    takes = "audio_codes" if "audio_codes" in params else next(iter(params))
    with torch.inference_mode():
        encoded = model.encode(**inputs)
        codes = getattr(encoded, "audio_codes", None)
        if codes is None:
            codes = getattr(encoded, "latents", None)
        if codes is None:
            codes = encoded[0]
        decoded = model.decode(**{takes: codes})
    audio = to_numpy(audio_array(decoded)).reshape(-1)
    first = codes[0] if codes.ndim >= 2 else codes
    continuous = codes.is_floating_point()
    code_array = (first.float() if continuous else first).cpu().numpy()
    seconds = len(waveform) / rate
    what = "continuous latents (frames × dims)" if continuous else "codes"
    frames = code_array.shape[0 if continuous else -1]
    ctx.notes.append(f"encoded into {what} of shape {tuple(code_array.shape)} "
                     f"({frames / seconds:.0f} frames per second), then decoded back into the "
                     "waveform shown")
    return AudioOutput(shape=tuple(audio.shape), sampling_rate=rate, kind="waveform", array=audio,
                       codes=code_array, **ctx.common())


def tokenize_audio_snippet(spec: Spec) -> list[str]:
    params = inspect.signature(spec.model_class.encode).parameters
    return audio_batch_lines(spec) + [
        f"inputs = {{k: v for k, v in inputs.items() if k in {sorted(params)!r}}}",
        "with torch.inference_mode():",
        "    codes = model.encode(**inputs).audio_codes  # (batch, codebooks, frames)",
        "    audio = model.decode(audio_codes=codes).audio_values.reshape(-1)",
        "print(\"codes (codebooks, frames):\", list(codes.shape[1:]))",
        "print({\"shape\": list(audio.shape), \"sampling_rate\": rate})"]


def _dac(directory: Path) -> None:
    """DAC codec: 64 samples → one frame of 2 codebook indices, and back."""
    from transformers import AutoConfig, DacFeatureExtractor

    config = AutoConfig.for_model(
        "dac", encoder_hidden_size=4, downsampling_ratios=[2, 4, 8], upsampling_ratios=[8, 4, 2],
        decoder_hidden_size=16, n_codebooks=2, codebook_size=32, codebook_dim=4, hidden_size=16,
        sampling_rate=16000, hop_length=64)
    save_random(directory, "AutoModelForAudioTokenization", config,
                DacFeatureExtractor(feature_size=1, sampling_rate=16000, hop_length=64))


TASKS = [
    Task("AutoModelForAudioTokenization", run=tokenize_audio, snippet=tokenize_audio_snippet, recipes=[
        Recipe("audio-tokenization", "AutoModelForAudioTokenization", _dac,
               "tiny DAC codec: audio → 2 codebooks → audio", {"audio": SPEECH}),
    ]),
]

__all__ = ["TASKS"]
