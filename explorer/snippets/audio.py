"""Snippet bodies for audio tasks (mirroring the audio modules in ``explorer/heads/``)."""

from __future__ import annotations

import inspect

from explorer.heads._text import FALLBACK_TOKENS, context_length
from explorer.snippets.base import (
    Body,
    Spec,
    audio_batch,
    forward,
    to_device,
    top_scores,
)


def _seconds_per_frame() -> str:
    return ("seconds = model.config.inputs_to_logits_ratio / rate  "
            "# one output frame (the conv stack's stride)")


def classify_audio(spec: Spec) -> list[str]:
    return audio_batch(spec) + forward() + ["logits = outputs.logits[0]",
                                            *top_scores(spec, "model.config.id2label")]


def transcribe_ctc(spec: Spec) -> list[str]:
    tokenizer = spec.part("tokenizer")
    lines = audio_batch(spec) + forward() + [
        "ids = outputs.logits[0].argmax(-1).tolist()  # one token per frame"]
    if spec.takes(getattr(getattr(spec.preprocessor, "tokenizer", spec.preprocessor), "decode",
                          None), "output_word_offsets"):
        return lines + [
            f"decoded = {tokenizer}.decode(ids, output_word_offsets=True)  "
            "# collapses repeats, drops the blank",
            _seconds_per_frame(),
            "words = [(w[\"word\"], round(float(w[\"start_offset\"]) * seconds, 3), "
            "round(float(w[\"end_offset\"]) * seconds, 3))",
            "         for w in decoded.word_offsets]",
            "print({\"text\": decoded.text.strip(), \"chunks\": words})",
        ]
    return lines + [f"text = {tokenizer}.decode(ids).strip()  # collapses repeats, drops the blank",
                    "print({\"text\": text, \"chunks\": []})"]


def transcribe_seq2seq(spec: Spec) -> list[str]:
    tokenizer = spec.part("tokenizer")
    positions = context_length(spec.config, decoder=True)
    asked = spec.option("max_new_tokens")
    new = min(asked, positions - 4) if positions else asked
    kwargs = f"max_new_tokens={new}"
    if spec.option("return_timestamps"):
        kwargs += ", return_timestamps=True"
    if spec.option("language"):
        kwargs += f", language={spec.option('language')!r}"
    lines = audio_batch(spec) + [
        "with torch.inference_mode():",
        f"    sequence = model.generate(**inputs, {kwargs})[0]"
        + (f"  # {positions} decoder positions, 4 for its prompt" if new < asked else ""),
        f"text = {tokenizer}.decode(sequence, skip_special_tokens=True).strip()"]
    if spec.option("return_timestamps"):
        return lines + [
            f"offsets = {tokenizer}.decode(sequence, output_offsets=True, "
            "skip_special_tokens=True)[\"offsets\"]",
            "chunks = [(o[\"text\"], *o[\"timestamp\"]) for o in offsets]  # (text, start, end)",
            "print({\"text\": text, \"chunks\": chunks})"]
    return lines + ["print({\"text\": text, \"chunks\": []})"]


def transcribe_transducer(spec: Spec) -> list[str]:
    limit = spec.options.get("max_new_tokens")
    kwargs = f", max_new_tokens={int(limit)}" if limit is not None else ""
    lines = audio_batch(spec, ", return_attention_mask=True") + [
        "with torch.inference_mode():",
        f"    out = model.generate(**inputs{kwargs})"]
    if spec.takes(getattr(spec.preprocessor, "decode", None), "durations"):
        return lines + [
            "# Each token's frames (its duration): the processor turns them into times",
            f"texts, stamps = {spec.pre}.decode(out.sequences, durations=out.durations, "
            "skip_special_tokens=True)",
            "chunks = [(s[\"token\"], round(float(s[\"start\"]), 3), round(float(s[\"end\"]), 3)) "
            "for s in stamps[0]]",
            "text = texts[0] if isinstance(texts, list) else texts",
            "print({\"text\": text.strip(), \"chunks\": chunks})"]
    return lines + [
        f"text = {spec.pre}.batch_decode(out.sequences, skip_special_tokens=True)[0].strip()",
        "print({\"text\": text, \"chunks\": []})"]


def classify_frames(spec: Spec) -> list[str]:
    return audio_batch(spec) + forward() + [
        "probs = outputs.logits[0].float().softmax(-1)  # (frames, labels)",
        "best = probs.argmax(-1).tolist()",
        _seconds_per_frame(),
        "spans, first = [], 0  # runs of frames with the same best label",
        "for i in range(1, len(best) + 1):",
        "    if i == len(best) or best[i] != best[first]:",
        "        label = best[first]",
        "        spans.append((model.config.id2label[label], round(first * seconds, 3),",
        "                      round(i * seconds, 3), float(probs[first:i, label].mean())))",
        "        first = i",
        "print(spans)  # (label, start s, end s, mean probability)",
    ]


def xvector(spec: Spec) -> list[str]:
    return audio_batch(spec) + forward() + [
        "embeddings = outputs.embeddings  # one speaker vector per clip",
        "print({\"shape\": list(embeddings.shape), "
        "\"first values\": embeddings[:, :4].tolist()})"]


def _rate(spec: Spec) -> str:
    for part in (spec.config, *(getattr(spec.config, n, None) for n in
                                ("audio_encoder", "codec_config", "audio_config",
                                 "vocoder_config"))):
        for name in ("sampling_rate", "sample_rate"):
            if part is not None and isinstance(getattr(part, name, None), (int, float)):
                return str(int(getattr(part, name)))
    return "16000"


def synthesize(spec: Spec) -> list[str]:
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
    kind = "spectrogram" if spec.task.auto_class == "AutoModelForTextToSpectrogram" else "waveform"
    if kind == "spectrogram":
        lines.append("audio = out[0] if out.ndim == 3 else out  # (frames, mel bins)")
    else:
        lines += ["waveform = out if hasattr(out, \"shape\") else out.waveform",
                  "audio = waveform.reshape(-1, waveform.shape[-1]).mean(0)  # channels → mono"]
    return lines + [f"print({{\"shape\": list(audio.shape), \"sampling_rate\": {_rate(spec)}}})"]


def tokenize_audio(spec: Spec) -> list[str]:
    params = inspect.signature(spec.model_class.encode).parameters
    return audio_batch(spec) + [
        f"inputs = {{k: v for k, v in inputs.items() if k in {sorted(params)!r}}}",
        "with torch.inference_mode():",
        "    codes = model.encode(**inputs).audio_codes  # (batch, codebooks, frames)",
        "    audio = model.decode(audio_codes=codes).audio_values.reshape(-1)",
        "print(\"codes (codebooks, frames):\", list(codes.shape[1:]))",
        "print({\"shape\": list(audio.shape), \"sampling_rate\": rate})"]


BODIES: dict[str, Body] = {
    "AutoModelForAudioClassification": classify_audio,
    "AutoModelForCTC": transcribe_ctc,
    "AutoModelForSpeechSeq2Seq": transcribe_seq2seq,
    "AutoModelForRNNT": transcribe_transducer,
    "AutoModelForTDT": transcribe_transducer,
    "AutoModelForAudioFrameClassification": classify_frames,
    "AutoModelForAudioXVector": xvector,
    "AutoModelForTextToSpectrogram": synthesize,
    "AutoModelForTextToWaveform": synthesize,
    "AutoModelForAudioTokenization": tokenize_audio,
}
