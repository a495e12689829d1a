"""Audio heads: speech recognition (CTC, seq2seq, transducers), audio / frame classification,
x-vectors, text-to-speech and audio codecs.

Audio runners take the waveform at the rate the checkpoint's feature extractor was built for
(``ctx.audio_at``: resampled with librosa and noted on the result) and decode with the
checkpoint's own tokenizer / processor (``decode(..., output_word_offsets=True)``,
``decode(..., output_offsets=True)``, ``decode(..., durations=...)``). Where architectures of one
Auto class differ, runners check a capability (a keyword ``decode`` or ``generate`` takes,
``can_generate()``, a config field), never the model type.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from explorer.catalog import TaskSpec
from explorer.errors import BadInput
from explorer.heads._common import classification, label_names, sigmoid, softmax, to_numpy
from explorer.heads._text import FALLBACK_TOKENS, context_length, cut_text, generation_budget
from explorer.results import (
    AudioOutput,
    Chunk,
    Embeddings,
    Frames,
    FrameSpan,
    Result,
    Transcript,
)
from explorer.runner import RunContext

# ---------------------------------------------------------------------------- shared helpers


def _takes(function: Callable[..., Any] | None, name: str) -> bool:
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


def _audio_input(ctx: RunContext) -> tuple[Any, int, np.ndarray]:
    """``(feature extractor, its sampling rate, the waveform at that rate)``."""
    ctx.require("audio")
    features = _feature_extractor(ctx)
    rate = int(features.sampling_rate)
    return features, rate, ctx.audio_at(rate)


def _audio_batch(ctx: RunContext, **kwargs: Any) -> tuple[dict[str, Any], int, np.ndarray]:
    """``(model inputs, sampling rate, waveform)`` from the feature extractor at its own rate."""
    features, rate, waveform = _audio_input(ctx)
    window = getattr(features, "n_samples", None)  # Whisper-style fixed input window
    if window and len(waveform) > window:
        ctx.notes.append(f"audio is {len(waveform) / rate:.1f} s; the model hears only the first "
                         f"{window / rate:.0f} s (its input window)")
    batch = features(waveform, sampling_rate=rate, return_tensors="pt", **kwargs)
    return dict(batch), rate, waveform


def _text_tokenizer(ctx: RunContext) -> Any:
    """The tokenizer between text and token ids (speech recognition and synthesis need one);
    ``ctx.tokenizer`` raises a one-line BadInput when the checkpoint ships none."""
    return ctx.tokenizer


def _only_accepted(function: Callable[..., Any], batch: dict[str, Any]) -> dict[str, Any]:
    """The batch minus keys ``function`` has no parameter for (DAC's feature extractor returns a
    ``padding_mask`` its forward does not take), unless it takes ``**kwargs``."""
    params = inspect.signature(function).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return batch
    return {k: v for k, v in batch.items() if k in params}


def _seconds_per_frame(ctx: RunContext, n_frames: int, n_samples: int, rate: int) -> float:
    """Duration of one output frame: the conv stack's total stride when the config gives it
    (``inputs_to_logits_ratio``, as in transformers' own docs), else the clip over the frames."""
    ratio = getattr(ctx.config, "inputs_to_logits_ratio", None)
    if ratio:
        return float(ratio) / rate
    return n_samples / rate / max(n_frames, 1)


def _sequences(out: Any) -> Any:
    """``generate`` returns a tensor, a ModelOutput or (Whisper with timestamps) a dict."""
    if isinstance(out, dict) or hasattr(out, "keys"):
        return out["sequences"]
    return getattr(out, "sequences", out)


# ---------------------------------------------------------------------------- speech → text


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
    features, rate, waveform = _audio_input(ctx)
    logits, outputs = _ctc_logits(ctx, features, waveform, rate)
    ids = logits.argmax(-1).tolist()
    tok = _text_tokenizer(ctx)
    frame_tokens = tuple(tok.convert_ids_to_tokens(ids))
    chunks: tuple[Chunk, ...] = ()
    # Not skip_special_tokens: the blank (pad) has to stay until repeats are collapsed.
    if _takes(tok.decode, "output_word_offsets"):
        decoded = tok.decode(ids, output_word_offsets=True)
        text = decoded.text
        step = _seconds_per_frame(ctx, len(ids), len(waveform), rate)
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
    if not _takes(ctx.model.generate, "return_timestamps"):
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
    features, rate, waveform = _audio_input(ctx)
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
        if not _takes(generate, "return_timestamps"):
            raise BadInput(f"{type(ctx.model).__name__} does not predict timestamps; drop "
                           "return_timestamps")
        kwargs["return_timestamps"] = True
    language = ctx.option("language")
    if language:
        if not _takes(generate, "language"):
            raise BadInput(f"{type(ctx.model).__name__} takes no language option; drop it")
        kwargs["language"] = language
    out = ctx.generate(batch, **kwargs)
    sequence = _sequences(out)[0].tolist()
    tok = _text_tokenizer(ctx)
    text = tok.decode(sequence, skip_special_tokens=True)
    chunks: tuple[Chunk, ...] = ()
    if timestamps and _takes(tok.decode, "output_offsets"):
        chunks = _timestamp_chunks(tok, sequence)
    logits = _step_logits(out)
    return Transcript(text=text.strip(), chunks=chunks, sampling_rate=rate, logits=logits,
                      **ctx.common())


def transcribe_transducer(ctx: RunContext) -> Result:
    """RNN-T / TDT: for each encoder frame, a joint network over (audio frame, text so far) emits
    tokens until it emits the blank and moves on; TDT also predicts how many frames to skip.
    Token times come from the processor (``decode(..., durations=...)``)."""
    batch, rate, _ = _audio_batch(ctx, return_attention_mask=True)
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
    if durations is not None and _takes(getattr(pre, "decode", None), "durations"):
        texts, stamps = pre.decode(sequences, durations=durations, skip_special_tokens=True)
        text = texts[0] if isinstance(texts, list) else texts
        chunks = tuple(Chunk(text=s["token"], start=round(float(s["start"]), 3),
                             end=round(float(s["end"]), 3)) for s in stamps[0])
    else:
        text = (pre if hasattr(pre, "batch_decode") else _text_tokenizer(ctx)).batch_decode(
            sequences, skip_special_tokens=True)[0]
    return Transcript(text=text.strip(), chunks=chunks, sampling_rate=rate, **ctx.common())


# ---------------------------------------------------------------------------- audio → labels


def classify_audio(ctx: RunContext) -> Result:
    batch, _, _ = _audio_batch(ctx)
    outputs = ctx.forward(batch)
    return classification(ctx, outputs)


def _runs(active: np.ndarray) -> list[tuple[int, int]]:
    """``[(first, last + 1), ...]`` of the runs of True in a 1-D boolean array."""
    edges = np.diff(np.concatenate([[0], active.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))


def _spans(active: np.ndarray, probs: np.ndarray, names: tuple[str, ...],
           step: float) -> tuple[FrameSpan, ...]:
    """One span per run of frames where a label is on; score = its mean probability there."""
    spans = [FrameSpan(label=names[j], start=round(a * step, 3), end=round(b * step, 3),
                       score=float(probs[a:b, j].mean()))
             for j in range(active.shape[1]) for a, b in _runs(active[:, j])]
    return tuple(sorted(spans, key=lambda s: (s.start, s.label)))


def classify_frames(ctx: RunContext) -> Result:
    """A label for every frame (~20 ms): the best one (softmax), or with ``multi_label`` every
    label over ``threshold`` (sigmoid; speaker diarization heads, where speakers overlap)."""
    batch, rate, waveform = _audio_batch(ctx)
    outputs = ctx.forward(batch)
    logits = to_numpy(outputs.logits)[0]  # (frames, labels)
    names = label_names(ctx.config, logits.shape[-1])
    multi = ctx.option("multi_label",
                       getattr(ctx.config, "problem_type", None) == "multi_label_classification")
    if multi:
        probs = sigmoid(logits)
        active = probs > ctx.option("threshold")
        frame_labels = tuple("+".join(n for n, on in zip(names, row) if on) or "none"
                             for row in active)
    else:
        probs = softmax(logits)
        best = probs.argmax(-1)
        active = best[:, None] == np.arange(len(names))[None, :]
        frame_labels = tuple(names[i] for i in best)
    step = _seconds_per_frame(ctx, len(logits), len(waveform), rate)
    return Frames(frame_seconds=step, spans=_spans(active, probs, names, step),
                  frame_labels=frame_labels, logits=logits, **ctx.common(outputs))


def xvector(ctx: RunContext) -> Result:
    """A fixed-size speaker embedding for the whole clip (TDNN layers + statistics pooling);
    compare two clips' vectors with cosine similarity to verify a speaker."""
    batch, _, _ = _audio_batch(ctx)
    outputs = ctx.forward(batch)
    embeddings = outputs.embeddings
    return Embeddings(shape=tuple(embeddings.shape), pooling="x-vector",
                      labels=(ctx.inputs.audio_name or "audio",), vectors=to_numpy(embeddings),
                      **ctx.common(outputs))


# ---------------------------------------------------------------------------- text → audio

# Where text-to-audio models keep their output and its sampling rate.
_OUTPUT_FIELDS = ("waveform", "spectrogram", "audio_values")
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
    if dim and _takes(entry, "speaker_embeddings"):
        extra["speaker_embeddings"] = torch.zeros(1, int(dim))
        ctx.notes.append(f"no speaker embedding given: using a zero {dim}-d vector (a neutral "
                         "voice); SpeechT5 voices come from a speaker's x-vector")
    speaker = ctx.optional("speaker_id", int)
    if speaker is not None:
        count = getattr(ctx.config, "num_speakers", 1) or 1
        if not _takes(entry, "speaker_id") or not 0 <= speaker < count:
            raise BadInput(f"speaker_id must be in 0..{count - 1} for this model"
                           if _takes(entry, "speaker_id") else "this model takes no speaker_id")
        extra["speaker_id"] = speaker
    extra.update(_target_language(ctx, entry))
    return extra


def _target_language(ctx: RunContext, entry: Callable[..., Any]) -> dict[str, Any]:
    """``tgt_lang`` for models that speak several languages (SeamlessM4T): the option, else
    English when the checkpoint lists it; nothing for models that take none."""
    wanted = ctx.optional("tgt_lang", str)
    if not _takes(entry, "tgt_lang"):
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
    if not positions or not _takes(entry, "maxlenratio"):
        return {}
    default = inspect.signature(entry).parameters["maxlenratio"].default
    reduction = getattr(ctx.config, "reduction_factor", 1) or 1
    fits = (positions - 1) * reduction / max(text_tokens, 1)
    if fits >= default:
        return {}
    ctx.notes.append(f"speech capped at {(positions - 1) * reduction} frames (the model's "
                     f"{positions} decoder positions)")
    return {"maxlenratio": fits}


def _audio_array(out: Any) -> Any:
    if hasattr(out, "shape"):
        return out
    for name in _OUTPUT_FIELDS:
        value = getattr(out, name, None)
        if value is not None:
            return value
    return out[0]


def _synthesize(ctx: RunContext, kind: str) -> Result:
    """Text → audio as the text-to-audio pipeline does it: ``generate`` when the model can
    (SpeechT5, Bark, MusicGen), else one forward pass (VITS, FastSpeech2). Sampling models are
    seeded (option ``seed``) so a run can be repeated."""
    import torch

    ctx.require("text")
    limit = context_length(ctx.config) or FALLBACK_TOKENS
    text = cut_text(ctx, ctx.inputs.text[0], limit - 2, "the text")  # room for specials
    encoded = _text_tokenizer(ctx)(text, return_tensors="pt")
    model = ctx.model
    generates = model.can_generate()
    entry = model.generate if generates else model.forward
    batch = {**_only_accepted(entry, dict(encoded)), **_speaker_inputs(ctx, entry),
             **_frame_budget(ctx, entry, encoded["input_ids"].shape[1])}
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(ctx.option("seed"))
        out = ctx.generate(batch) if generates else ctx.forward(batch)
    array = to_numpy(_audio_array(out))
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


# ---------------------------------------------------------------------------- audio codecs


def tokenize_audio(ctx: RunContext) -> Result:
    """A neural codec: ``encode`` the waveform into discrete codes (codebooks × frames), then
    ``decode`` them back: what you hear is what the codes keep."""
    import torch

    batch, rate, waveform = _audio_batch(ctx)
    model = ctx.model
    inputs = ctx.to_model(_only_accepted(model.encode, batch))
    with torch.inference_mode():
        encoded = model.encode(**inputs)
        codes = getattr(encoded, "audio_codes", None)
        if codes is None:
            codes = encoded[0]
        decoded = model.decode(audio_codes=codes)
    audio = to_numpy(_audio_array(decoded)).reshape(-1)
    code_array = (codes[0] if codes.ndim >= 2 else codes).cpu().numpy()
    seconds = len(waveform) / rate
    ctx.notes.append(f"encoded into codes of shape {tuple(code_array.shape)} "
                     f"({code_array.shape[-1] / seconds:.0f} frames per second), then decoded "
                     "back into the waveform shown")
    return AudioOutput(shape=tuple(audio.shape), sampling_rate=rate, kind="waveform", array=audio,
                       codes=code_array, **ctx.common())


# ---------------------------------------------------------------------------- catalog

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
    TaskSpec("AutoModelForAudioClassification", ("audio-classification",), "audio", ("audio",),
             "classification", "AutoFeatureExtractor",
             "Pools the whole clip into one vector, then scores each label (keywords, emotion, "
             "language, sound events).", options=("top_k",), runner=classify_audio),
    TaskSpec("AutoModelForAudioFrameClassification",
             ("audio-frame-classification", "speaker-diarization", "voice-activity-detection"),
             "audio", ("audio",), "frames", "AutoFeatureExtractor",
             "A label for every ~20 ms frame, merged into time spans (who speaks when, "
             "speech vs silence).", options=("multi_label", "threshold"),
             runner=classify_frames),
    TaskSpec("AutoModelForAudioXVector", ("audio-xvector", "speaker-verification"), "audio",
             ("audio",), "embedding", "AutoFeatureExtractor",
             "An x-vector: one speaker embedding per clip (TDNN + statistics pooling) for "
             "speaker verification.", runner=xvector),
    TaskSpec("AutoModelForTextToSpectrogram", ("text-to-spectrogram", "text-to-speech"),
             "audio", ("text",), "audio", "AutoProcessor",
             "Writes a mel spectrogram for the text, frame by frame (SpeechT5, FastSpeech2); a "
             "vocoder turns it into sound.", options=("seed", "speaker_id", "tgt_lang"),
             runner=text_to_spectrogram),
    TaskSpec("AutoModelForTextToWaveform", ("text-to-speech", "text-to-audio"), "audio",
             ("text",), "audio", "AutoProcessor",
             "Text in, waveform out: speech (VITS / MMS-TTS, Bark) or music (MusicGen).",
             options=("seed", "speaker_id", "tgt_lang"), runner=text_to_waveform),
    TaskSpec("AutoModelForAudioTokenization", ("audio-tokenization", "audio-codec"), "audio",
             ("audio",), "audio", "AutoFeatureExtractor",
             "A neural codec: encodes audio into discrete codes (the tokens speech LMs read) and "
             "decodes them back (DAC, X-Codec).", runner=tokenize_audio),
]

__all__ = ["SPECS"]
