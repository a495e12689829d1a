"""Speech recognition heads: CTC, sequence-to-sequence (Whisper) and transducers (RNN-T, TDT).

They decode with the checkpoint's own tokenizer / processor
(``decode(..., output_word_offsets=True)``, ``decode(..., output_offsets=True)``,
``decode(..., durations=...)``).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from explorer.catalog import TaskSpec
from explorer.errors import BadInput
from explorer.heads._audio import audio_batch, audio_input, seconds_per_frame, takes, text_tokenizer
from explorer.heads._common import to_numpy
from explorer.heads._text import generation_budget
from explorer.results import Chunk, Result, Transcript
from explorer.runner import RunContext


def _sequences(out: Any) -> Any:
    """``generate`` returns a tensor, a ModelOutput or (Whisper with timestamps) a dict."""
    if isinstance(out, dict) or hasattr(out, "keys"):
        return out["sequences"]
    return getattr(out, "sequences", out)




# CTC audio longer than one window is read in overlapping windows, as transformers' ASR pipeline
# does with ``chunk_length_s`` / ``stride_length_s``: each window's edge frames (the stride) are
# dropped, so every frame kept was computed with context on both sides.
CTC_WINDOW_SECONDS = 20.0
CTC_STRIDE_SECONDS = 4.0


def _windows(total: int, window: int, stride: int) -> list[tuple[int, int, int]]:
    """``(start, left, right)`` sample counts of each window over ``total`` samples: ``left`` /
    ``right`` are the strides to drop (none at the clip's two ends)."""
    step = window - 2 * stride
    found = []
    for start in range(0, total, step):
        last = start + window >= total
        found.append((start, 0 if start == 0 else stride, 0 if last else stride))
        if last:
            break
    return found


def _ctc_logits(ctx: RunContext, features: Any, waveform: np.ndarray,
                rate: int) -> tuple[np.ndarray, Any]:
    """``(frames, vocabulary)`` logits of the whole clip, and the model outputs when one pass
    made them (the attention views need them)."""
    window, stride = int(CTC_WINDOW_SECONDS * rate), int(CTC_STRIDE_SECONDS * rate)
    if len(waveform) <= window:
        outputs = ctx.forward(dict(features(waveform, sampling_rate=rate, return_tensors="pt")))
        return to_numpy(outputs.logits)[0], outputs
    pieces = []
    spans = _windows(len(waveform), window, stride)
    for start, left, right in spans:
        chunk = waveform[start:start + window]
        batch = dict(features(chunk, sampling_rate=rate, return_tensors="pt"))
        logits = to_numpy(ctx.forward(batch).logits)[0]
        frames = len(logits)
        pieces.append(logits[round(left / len(chunk) * frames):
                             frames - round(right / len(chunk) * frames)])
    ctx.notes.append(f"{len(waveform) / rate:.1f} s of audio read in {len(spans)} windows of "
                     f"{CTC_WINDOW_SECONDS:g} s overlapping by {2 * CTC_STRIDE_SECONDS:g} s; "
                     f"each window's outer {CTC_STRIDE_SECONDS:g} s of frames are dropped")
    return np.concatenate(pieces), None


def transcribe_ctc(ctx: RunContext) -> Result:
    """CTC: one token per ~20 ms frame; decoding collapses repeats and drops the blank. Word
    times come from the frames each word spans (``decode(..., output_word_offsets=True)``).
    Audio longer than ``CTC_WINDOW_SECONDS`` is read in overlapping windows."""
    features, rate, waveform = audio_input(ctx)
    logits, outputs = _ctc_logits(ctx, features, waveform, rate)
    ids = logits.argmax(-1).tolist()
    tok = text_tokenizer(ctx)
    frame_tokens = tuple(tok.convert_ids_to_tokens(ids))
    chunks: tuple[Chunk, ...] = ()
    # Not skip_special_tokens: the blank (pad) has to stay until repeats are collapsed.
    if takes(tok.decode, "output_word_offsets"):
        decoded = tok.decode(ids, output_word_offsets=True)
        text = decoded.text
        step = seconds_per_frame(ctx, len(ids), len(waveform), rate)
        chunks = tuple(Chunk(text=w["word"], start=round(float(w["start_offset"]) * step, 3),
                             end=round(float(w["end_offset"]) * step, 3))
                       for w in decoded.word_offsets)
    else:
        decoder = ctx.preprocessor if hasattr(ctx.preprocessor, "decode") else tok
        text = decoder.decode(ids)
    return Transcript(text=text.strip(), chunks=chunks, sampling_rate=rate,
                      frame_tokens=frame_tokens, logits=logits, **ctx.common(outputs))


def _timestamp_chunks(tok: Any, sequence: Any) -> tuple[Chunk, ...]:
    """Segments between timestamp tokens (Whisper's ``decode(..., output_offsets=True)``)."""
    decoded = tok.decode(sequence, output_offsets=True, skip_special_tokens=True)
    chunks = []
    for offset in decoded["offsets"]:
        start, end = offset["timestamp"]
        chunks.append(Chunk(text=offset["text"], start=round(float(start), 3),
                            end=None if end is None else round(float(end), 3)))
    return tuple(chunks)


def _step_logits(out: Any) -> np.ndarray | None:
    """``(steps, vocabulary)`` raw logits of ``generate(output_logits=True)`` for the first
    input; with timestamps Whisper keeps them in each segment's ``result`` (one per generate
    call, shared by the segments it made)."""
    found = out.get("logits") if hasattr(out, "get") else None
    steps = list(found or ())
    segments = out.get("segments") if hasattr(out, "get") else None
    if not steps and segments:
        calls = {id(seg["result"]): seg["result"] for seg in segments[0] if seg.get("result")}
        steps = [step for result in calls.values() for step in (result.get("logits") or ())]
    if not steps:
        return None
    return np.stack([to_numpy(step).reshape(-1, step.shape[-1])[0] for step in steps])


def _long_form(ctx: RunContext, features: Any, waveform: np.ndarray, rate: int) -> bool:
    """Whether the clip is longer than the feature extractor's window (Whisper: 30 s) and the
    model can transcribe it whole: Whisper's long-form ``generate`` (timestamps on) reads a
    window, moves on to the last timestamp it predicted, and reads the next."""
    window = getattr(features, "n_samples", None)
    if not window or len(waveform) <= window:
        return False
    seconds = f"{len(waveform) / rate:.1f} s of audio"
    if not takes(ctx.model.generate, "return_timestamps"):
        ctx.notes.append(f"{seconds}; the model hears only the first {window / rate:g} s (its "
                         "input window)")
        return False
    ctx.notes.append(f"{seconds} is longer than the model's {window / rate:g} s window: "
                     "transcribed whole with Whisper's sequential long-form generation "
                     "(timestamps on)")
    return True


def transcribe_seq2seq(ctx: RunContext) -> Result:
    """An encoder hears the audio, a decoder writes the text token by token (``generate``).
    Audio longer than the window goes through Whisper's own long-form generation."""
    features, rate, waveform = audio_input(ctx)
    long_form = _long_form(ctx, features, waveform, rate)
    # Long-form takes the whole clip as one mel spectrogram, with its attention mask.
    whole = dict(truncation=False, padding="longest", return_attention_mask=True)
    batch = dict(features(waveform, sampling_rate=rate, return_tensors="pt",
                          **(whole if long_form else {})))
    generate = ctx.model.generate
    # Long-form applies the limit to each window (30 s of fast speech is ~200 tokens); the
    # decoder starts from up to 4 prompt tokens (start, language, task, no-timestamps).
    limit = max(64, getattr(ctx.config, "max_target_positions", 0) // 2)
    asked = ctx.option("max_new_tokens", limit) if long_form else ctx.option("max_new_tokens")
    new = generation_budget(ctx, 0, asked, decoder_start=4)
    kwargs: dict[str, Any] = dict(max_new_tokens=new, return_dict_in_generate=True,
                                  output_logits=True)
    timestamps = ctx.option("return_timestamps") or long_form
    if timestamps:
        if not takes(generate, "return_timestamps"):
            raise BadInput(f"{type(ctx.model).__name__} does not predict timestamps; drop "
                           "return_timestamps")
        kwargs["return_timestamps"] = True
    language = ctx.option("language")
    if language:
        if not takes(generate, "language"):
            raise BadInput(f"{type(ctx.model).__name__} takes no language option; drop it")
        kwargs["language"] = language
    out = ctx.generate(batch, **kwargs)
    sequence = _sequences(out)[0].tolist()
    tok = text_tokenizer(ctx)
    text = tok.decode(sequence, skip_special_tokens=True)
    chunks: tuple[Chunk, ...] = ()
    if timestamps and takes(tok.decode, "output_offsets"):
        chunks = _timestamp_chunks(tok, sequence)
    logits = _step_logits(out)
    return Transcript(text=text.strip(), chunks=chunks, sampling_rate=rate, logits=logits,
                      **ctx.common())


def transcribe_transducer(ctx: RunContext) -> Result:
    """RNN-T / TDT: for each encoder frame, a joint network over (audio frame, text so far) emits
    tokens until it emits the blank and moves on; TDT also predicts how many frames to skip.
    Token times come from the processor (``decode(..., durations=...)``)."""
    batch, rate, _ = audio_batch(ctx, return_attention_mask=True)
    kwargs: dict[str, Any] = {}
    limit = ctx.optional("max_new_tokens", int)
    if limit is not None:
        kwargs["max_new_tokens"] = limit
    with warnings.catch_warnings():
        # The transducer sizes its own output buffer from the encoder length; generate() still
        # warns that no max_length was given.
        warnings.filterwarnings("ignore", message=".*max_length.*", category=UserWarning)
        out = ctx.generate(batch, **kwargs)
    sequences = _sequences(out)
    durations = getattr(out, "durations", None)
    pre = ctx.preprocessor
    chunks: tuple[Chunk, ...] = ()
    if durations is not None and takes(getattr(pre, "decode", None), "durations"):
        texts, stamps = pre.decode(sequences, durations=durations, skip_special_tokens=True)
        text = texts[0] if isinstance(texts, list) else texts
        chunks = tuple(Chunk(text=s["token"], start=round(float(s["start"]), 3),
                             end=round(float(s["end"]), 3)) for s in stamps[0])
    else:
        text = (pre if hasattr(pre, "batch_decode") else text_tokenizer(ctx)).batch_decode(
            sequences, skip_special_tokens=True)[0]
    return Transcript(text=text.strip(), chunks=chunks, sampling_rate=rate, **ctx.common())




_ASR = "automatic-speech-recognition"

SPECS = [
    TaskSpec("AutoModelForCTC", ("ctc", _ASR), "audio", ("audio",), "transcript",
             "AutoProcessor",
             "A token (letter or word piece) for every ~20 ms frame; repeats and blanks collapse "
             "into the transcript (wav2vec2, HuBERT).", runner=transcribe_ctc),
    TaskSpec("AutoModelForSpeechSeq2Seq", (_ASR, "speech-seq2seq"), "audio", ("audio",),
             "transcript", "AutoProcessor",
             "An encoder hears the audio and a decoder writes the text token by token (Whisper).",
             options=("max_new_tokens", "return_timestamps", "language"),
             runner=transcribe_seq2seq),
    TaskSpec("AutoModelForRNNT", ("rnnt", _ASR), "audio", ("audio",), "transcript",
             "AutoProcessor",
             "Transducer: a joint network over each audio frame and the text so far emits tokens "
             "until a blank moves it to the next frame (Parakeet RNN-T).",
             options=("max_new_tokens",), runner=transcribe_transducer),
    TaskSpec("AutoModelForTDT", ("tdt", _ASR), "audio", ("audio",), "transcript",
             "AutoProcessor",
             "Token-and-duration transducer: like RNN-T, but also predicts how many frames each "
             "token lasts, so it skips ahead (Parakeet TDT).",
             options=("max_new_tokens",), runner=transcribe_transducer),
]

__all__ = ["SPECS"]
