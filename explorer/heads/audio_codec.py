"""Audio codec heads: encode a waveform into discrete codes and decode them back (DAC, X-Codec)."""

from __future__ import annotations

from explorer.catalog import TaskSpec
from explorer.heads._audio import audio_array, audio_batch, only_accepted
from explorer.heads._common import to_numpy
from explorer.results import AudioOutput, Result
from explorer.runner import RunContext


def tokenize_audio(ctx: RunContext) -> Result:
    """A neural codec: ``encode`` the waveform into discrete codes (codebooks × frames), then
    ``decode`` them back: what you hear is what the codes keep."""
    import torch

    batch, rate, waveform = audio_batch(ctx)
    model = ctx.model
    inputs = ctx.to_model(only_accepted(model.encode, batch))
    with torch.inference_mode():
        encoded = model.encode(**inputs)
        codes = getattr(encoded, "audio_codes", None)
        if codes is None:
            codes = encoded[0]
        decoded = model.decode(audio_codes=codes)
    audio = to_numpy(audio_array(decoded)).reshape(-1)
    code_array = (codes[0] if codes.ndim >= 2 else codes).cpu().numpy()
    seconds = len(waveform) / rate
    ctx.notes.append(f"encoded into codes of shape {tuple(code_array.shape)} "
                     f"({code_array.shape[-1] / seconds:.0f} frames per second), then decoded "
                     "back into the waveform shown")
    return AudioOutput(shape=tuple(audio.shape), sampling_rate=rate, kind="waveform", array=audio,
                       codes=code_array, **ctx.common())



SPECS = [
    TaskSpec("AutoModelForAudioTokenization", ("audio-tokenization", "audio-codec"), "audio",
             ("audio",), "audio", "AutoFeatureExtractor",
             "A neural codec: encodes audio into discrete codes (the tokens speech LMs read) and "
             "decodes them back (DAC, X-Codec).", runner=tokenize_audio),
]

__all__ = ["SPECS",
]

__all__ = ["SPECS"]
