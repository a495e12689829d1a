"""Text-to-audio heads: a mel spectrogram (SpeechT5, FastSpeech2) or a waveform (VITS, Bark,
MusicGen) for the text, made as the text-to-audio pipeline makes it."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from explorer.errors import BadInput
from explorer.heads._audio import audio_array, only_accepted, takes, text_tokenizer
from explorer.heads._common import to_numpy
from explorer.heads._registry import Task
from explorer.heads._text import FALLBACK_TOKENS, context_length, cut_text
from explorer.results import AudioOutput, Result
from explorer.runner import RunContext
from explorer.snippets.base import Spec, to_device
from explorer.zoo import Recipe
from explorer.zoo.common import bpe_tokenizer, save_random

# Where text-to-audio models keep their sampling rate.
_RATE_FIELDS = ("sampling_rate", "sample_rate")
_SUB_CONFIGS = ("audio_encoder", "codec_config", "audio_config", "vocoder_config")


def _output_rate(ctx: RunContext) -> int:
    """The rate of the audio a model makes: its config (or a codec sub-config), its generation
    config, then its feature extractor; 16 kHz with a note when none says."""
    config = ctx.config
    sources = [config, *(getattr(config, n, None) for n in _SUB_CONFIGS),
               getattr(ctx.model, "generation_config", None),
               getattr(ctx.preprocessor, "feature_extractor", None)]
    for source in sources:
        for name in _RATE_FIELDS:
            rate = getattr(source, name, None) if source is not None else None
            if isinstance(rate, (int, float)) and rate > 0:
                return int(rate)
    ctx.notes.append("the checkpoint does not say its sampling rate; assuming 16000 Hz")
    return 16000


def _speaker_inputs(ctx: RunContext, entry: Callable[..., Any]) -> dict[str, Any]:
    """Speaker conditioning the model needs: a zero x-vector for SpeechT5 (real voices come from
    a speaker's 512-d x-vector), ``speaker_id`` for multi-speaker VITS."""
    import torch

    extra: dict[str, Any] = {}
    dim = getattr(ctx.config, "speaker_embedding_dim", None)
    if dim and takes(entry, "speaker_embeddings"):
        extra["speaker_embeddings"] = torch.zeros(1, int(dim))
        ctx.notes.append(f"no speaker embedding given: using a zero {dim}-d vector (a neutral "
                         "voice); SpeechT5 voices come from a speaker's x-vector")
    speaker = ctx.optional("speaker_id", int)
    if speaker is not None:
        count = getattr(ctx.config, "num_speakers", 1) or 1
        if not takes(entry, "speaker_id") or not 0 <= speaker < count:
            raise BadInput(f"speaker_id must be in 0..{count - 1} for this model"
                           if takes(entry, "speaker_id") else "this model takes no speaker_id")
        extra["speaker_id"] = speaker
    extra.update(_target_language(ctx, entry))
    return extra


def _target_language(ctx: RunContext, entry: Callable[..., Any]) -> dict[str, Any]:
    """``tgt_lang`` for models that speak several languages (SeamlessM4T): the option, else
    English when the checkpoint lists it; nothing for models that take none."""
    wanted = ctx.optional("tgt_lang", str)
    if not takes(entry, "tgt_lang"):
        if wanted is not None:
            raise BadInput("this model speaks one language: it takes no tgt_lang")
        return {}
    generation = getattr(ctx.model, "generation_config", None)
    known = sorted(getattr(generation, "t2u_lang_code_to_id", None) or {})
    if wanted is None:
        if "eng" not in known:
            raise BadInput("this model needs the language to speak: give option tgt_lang "
                           f"({', '.join(known[:12]) or 'its checkpoint lists none'})")
        wanted = "eng"
        ctx.notes.append("speaking English (tgt_lang=eng); set option tgt_lang for another")
    elif known and wanted not in known:
        raise BadInput(f"tgt_lang={wanted!r} is not one this model speaks; known: "
                       f"{', '.join(known[:20])}")
    return {"tgt_lang": wanted}


def _frame_budget(ctx: RunContext, entry: Callable[..., Any], text_tokens: int) -> dict[str, Any]:
    """SpeechT5 writes up to ``maxlenratio`` × text length frames; more than its decoder's
    positions would overflow them, so the ratio is lowered to fit (noted)."""
    positions = getattr(ctx.config, "max_speech_positions", None)
    if not positions or not takes(entry, "maxlenratio"):
        return {}
    default = inspect.signature(entry).parameters["maxlenratio"].default
    reduction = getattr(ctx.config, "reduction_factor", 1) or 1
    fits = (positions - 1) * reduction / max(text_tokens, 1)
    if fits >= default:
        return {}
    ctx.notes.append(f"speech capped at {(positions - 1) * reduction} frames (the model's "
                     f"{positions} decoder positions)")
    return {"maxlenratio": fits}


def _synthesize(ctx: RunContext, kind: str) -> Result:
    """Text → audio as the text-to-audio pipeline does it: ``generate`` when the model can
    (SpeechT5, Bark, MusicGen), else one forward pass (VITS, FastSpeech2). Sampling models are
    seeded (option ``seed``) so a run can be repeated."""
    import torch

    ctx.require("text")
    limit = context_length(ctx.config) or FALLBACK_TOKENS
    text = cut_text(ctx, ctx.inputs.text[0], limit - 2, "the text")  # room for specials
    encoded = text_tokenizer(ctx)(text, return_tensors="pt")
    model = ctx.model
    generates = model.can_generate()
    entry = model.generate if generates else model.forward
    batch = {**only_accepted(entry, dict(encoded)), **_speaker_inputs(ctx, entry),
             **_frame_budget(ctx, entry, encoded["input_ids"].shape[1])}
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(ctx.option("seed"))
        out = ctx.generate(batch) if generates else ctx.forward(batch)
    array = to_numpy(audio_array(out))
    if kind == "waveform":
        array = array.reshape(-1, array.shape[-1])
        if array.shape[0] > 1:
            ctx.notes.append(f"{array.shape[0]} channels mixed down to mono")
        array = array.mean(axis=0)
    elif array.ndim == 3:  # (batch, frames, bins)
        array = array[0]
    return AudioOutput(shape=tuple(array.shape), sampling_rate=_output_rate(ctx), kind=kind,
                       array=array, **ctx.common(None if generates else out,
                                                 encoded["input_ids"]))


def text_to_spectrogram(ctx: RunContext) -> Result:
    return _synthesize(ctx, "spectrogram")


def text_to_waveform(ctx: RunContext) -> Result:
    return _synthesize(ctx, "waveform")


def _rate(spec: Spec) -> str:
    for part in (spec.config, *(getattr(spec.config, n, None) for n in
                                ("audio_encoder", "codec_config", "audio_config",
                                 "vocoder_config"))):
        for name in ("sampling_rate", "sample_rate"):
            if part is not None and isinstance(getattr(part, name, None), (int, float)):
                return str(int(getattr(part, name)))
    return "16000"


def synthesize_snippet(spec: Spec) -> list[str]:
    """Text → audio: ``generate`` when the model can (SpeechT5), else one forward pass (VITS),
    seeded like the explorer's run."""
    generates = spec.model_class.can_generate()
    entry = spec.model_class.generate if generates else spec.model_class.forward
    limit = (context_length(spec.config) or FALLBACK_TOKENS) - 2
    lines = [f"text = {spec.first_text!r}",
             f"inputs = {spec.part('tokenizer')}(text, return_tensors=\"pt\", truncation=True, "
             f"max_length={limit + 2})", *to_device(spec)]
    params = inspect.signature(entry).parameters
    dim = getattr(spec.config, "speaker_embedding_dim", None)
    call = "**inputs"
    if dim and "speaker_embeddings" in params:
        lines.append(f"voice = torch.zeros(1, {int(dim)})  # a neutral voice; real ones are a "
                     "speaker's x-vector")
        call += ", speaker_embeddings=voice"
    speaker = spec.options.get("speaker_id")
    if speaker is not None:
        call += f", speaker_id={int(speaker)}"
    if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
        lines += [f"inputs = {{k: v for k, v in inputs.items() if k in {sorted(params)!r}}}"]
    lines += [f"torch.manual_seed({spec.option('seed')})  # sampling inside the model: repeatable",
              "with torch.inference_mode():",
              f"    out = model{'.generate' if generates else ''}({call})"]
    kind = "spectrogram" if spec.task_spec.auto_class == "AutoModelForTextToSpectrogram" else "waveform"
    if kind == "spectrogram":
        lines.append("audio = out[0] if out.ndim == 3 else out  # (frames, mel bins)")
    else:
        lines += ["waveform = out if hasattr(out, \"shape\") else out.waveform",
                  "audio = waveform.reshape(-1, waveform.shape[-1]).mean(0)  # channels → mono"]
    return lines + [f"print({{\"shape\": list(audio.shape), \"sampling_rate\": {_rate(spec)}}})"]


SENTENCE = "the cat sat on the mat"


def _speecht5(directory: Path) -> None:
    """SpeechT5 text → mel spectrogram. Real checkpoints tokenize with SentencePiece (not a
    dependency here), so the zoo uses its byte-level BPE tokenizer."""
    from transformers import AutoConfig

    tok = bpe_tokenizer()
    config = AutoConfig.for_model(
        "speecht5", vocab_size=len(tok), hidden_size=32, encoder_layers=2,
        encoder_attention_heads=2, encoder_ffn_dim=64, decoder_layers=2, decoder_attention_heads=2,
        decoder_ffn_dim=64, conv_dim=(16,) * 7, num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4, num_mel_bins=16, speech_decoder_prenet_units=32,
        speaker_embedding_dim=16, speech_decoder_postnet_units=32, speech_decoder_postnet_layers=2,
        max_speech_positions=256, max_text_positions=64, encoder_max_relative_position=32,
        pad_token_id=tok.pad_token_id, bos_token_id=tok.eos_token_id,
        eos_token_id=tok.eos_token_id, decoder_start_token_id=tok.eos_token_id)
    model = save_random(directory, "AutoModelForTextToSpectrogram", config, tok)
    # Random stop logits would end the spectrogram after one step; make the model never ask to
    # stop, so it runs to generate()'s length limit (maxlenratio × the text length).
    import torch

    with torch.no_grad():
        model.speech_decoder_postnet.prob_out.bias.fill_(-10.0)
    model.save_pretrained(directory)


def _vits(directory: Path) -> None:
    """VITS (MMS-TTS style): characters in, waveform out, no phonemizer."""
    from transformers import AutoConfig, VitsTokenizer

    chars = ["<pad>", *" abcdefghijklmnopqrstuvwxyz'.,?!-", "<unk>"]
    vocab_file = directory / "vocab.json"
    vocab_file.write_text(json.dumps({c: i for i, c in enumerate(chars)}))
    tok = VitsTokenizer(str(vocab_file), phonemize=False, normalize=True, add_blank=True)
    config = AutoConfig.for_model(
        "vits", vocab_size=len(chars), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        ffn_dim=32, flow_size=16, spectrogram_bins=17, upsample_initial_channel=16,
        resblock_kernel_sizes=[3], resblock_dilation_sizes=[[1, 3]],
        duration_predictor_filter_channels=16, duration_predictor_num_flows=2,
        prior_encoder_num_flows=2, prior_encoder_num_wavenet_layers=2,
        posterior_encoder_num_wavenet_layers=2, pad_token_id=0, sampling_rate=16000,
        speaking_rate=4.0)  # random durations are long; keep the clip a few seconds
    save_random(directory, "AutoModelForTextToWaveform", config, tok)


TASKS = [
    Task("AutoModelForTextToSpectrogram", run=text_to_spectrogram, snippet=synthesize_snippet, recipes=[
        Recipe("text-to-spectrogram", "AutoModelForTextToSpectrogram", _speecht5,
               "tiny SpeechT5 text-to-speech (mel spectrogram out)", {"text": SENTENCE}),
    ]),
    Task("AutoModelForTextToWaveform", run=text_to_waveform, snippet=synthesize_snippet, recipes=[
        Recipe("text-to-speech", "AutoModelForTextToWaveform", _vits,
               "tiny VITS (MMS-TTS style) text-to-waveform", {"text": SENTENCE}),
    ]),
]

__all__ = ["TASKS"]
