"""Speech recognition heads: CTC, sequence-to-sequence (Whisper) and transducers (RNN-T, TDT).

They decode with the checkpoint's own tokenizer / processor
(``decode(..., output_word_offsets=True)``, ``decode(..., output_offsets=True)``,
``decode(..., durations=...)``).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from explorer.errors import BadInput
from explorer.heads._audio import audio_batch, audio_input, seconds_per_frame, takes, text_tokenizer
from explorer.heads._common import to_numpy
from explorer.heads._registry import Task
from explorer.heads._text import context_length, generation_budget
from explorer.results import Chunk, Result, Transcript
from explorer.runner import RunContext
from explorer.snippets.base import Spec, forward, seconds_per_frame_line
from explorer.snippets.base import audio_batch as audio_batch_lines
from explorer.zoo import Recipe
from explorer.zoo.audio import LETTERS, SPEECH, ctc_tokenizer, wav2vec2_config, wav2vec2_features
from explorer.zoo.common import _bpe_files, save_random


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


def transcribe_ctc_snippet(spec: Spec) -> list[str]:
    tokenizer = spec.part("tokenizer")
    lines = audio_batch_lines(spec) + forward() + [
        "ids = outputs.logits[0].argmax(-1).tolist()  # one token per frame"]
    if spec.takes(getattr(getattr(spec.preprocessor, "tokenizer", spec.preprocessor), "decode",
                          None), "output_word_offsets"):
        return lines + [
            f"decoded = {tokenizer}.decode(ids, output_word_offsets=True)  "
            "# collapses repeats, drops the blank",
            seconds_per_frame_line(),
            "words = [(w[\"word\"], round(float(w[\"start_offset\"]) * seconds, 3), "
            "round(float(w[\"end_offset\"]) * seconds, 3))",
            "         for w in decoded.word_offsets]",
            "print({\"text\": decoded.text.strip(), \"chunks\": words})",
        ]
    return lines + [f"text = {tokenizer}.decode(ids).strip()  # collapses repeats, drops the blank",
                    "print({\"text\": text, \"chunks\": []})"]


def transcribe_seq2seq_snippet(spec: Spec) -> list[str]:
    tokenizer = spec.part("tokenizer")
    positions = context_length(spec.config, decoder=True)
    asked = spec.option("max_new_tokens")
    new = min(asked, positions - 4) if positions else asked
    kwargs = f"max_new_tokens={new}"
    if spec.option("return_timestamps"):
        kwargs += ", return_timestamps=True"
    if spec.option("language"):
        kwargs += f", language={spec.option('language')!r}"
    lines = audio_batch_lines(spec) + [
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


def transcribe_transducer_snippet(spec: Spec) -> list[str]:
    limit = spec.options.get("max_new_tokens")
    kwargs = f", max_new_tokens={int(limit)}" if limit is not None else ""
    lines = audio_batch_lines(spec, ", return_attention_mask=True") + [
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


def _ctc(directory: Path) -> None:
    """wav2vec2 + a letter vocabulary."""
    from transformers import Wav2Vec2Processor

    tok = ctc_tokenizer(directory)
    processor = Wav2Vec2Processor(feature_extractor=wav2vec2_features(), tokenizer=tok)
    config = wav2vec2_config(vocab_size=len(tok), pad_token_id=tok.pad_token_id,
                             ctc_loss_reduction="mean")
    model = save_random(directory, "AutoModelForCTC", config, processor)
    # Random logits are nearly flat; nudging the blank and the word separator up gives the demo
    # the shape of real CTC output (many blank frames, several words with time offsets).
    import torch

    with torch.no_grad():
        model.lm_head.bias[tok.pad_token_id] += 0.2
        model.lm_head.bias[tok.word_delimiter_token_id] += 0.25
    model.save_pretrained(directory)


WHISPER_CHUNK_SECONDS = 3  # the feature extractor's window: 300 mel frames → 150 encoder positions


WHISPER_SPECIALS = ("<|startoftranscript|>", "<|en|>", "<|translate|>", "<|transcribe|>",
                    "<|startoflm|>", "<|startofprev|>", "<|nocaptions|>", "<|notimestamps|>")


def _whisper_tokenizer() -> Any:
    """The zoo's byte-level BPE plus Whisper's special tokens, then one timestamp token per 20 ms
    of the window (Whisper reads every id above ``<|notimestamps|>`` as a timestamp)."""
    from transformers import WhisperTokenizer

    vocab, merges = _bpe_files()
    vocab = dict(vocab)
    stamps = [f"<|{i * 0.02:.2f}|>" for i in range(WHISPER_CHUNK_SECONDS * 50 + 1)]
    for token in (*WHISPER_SPECIALS, *stamps):
        vocab[token] = len(vocab)
    return WhisperTokenizer(vocab=vocab, merges=list(merges), model_max_length=128,
                            pad_token="<|endoftext|>",
                            additional_special_tokens=["<|endoftext|>", *WHISPER_SPECIALS])


def _whisper(directory: Path) -> None:
    from transformers import (
        AutoConfig,
        GenerationConfig,
        WhisperFeatureExtractor,
        WhisperProcessor,
    )

    tok = _whisper_tokenizer()
    features = WhisperFeatureExtractor(feature_size=80, chunk_length=WHISPER_CHUNK_SECONDS)
    start = tok.convert_tokens_to_ids("<|startoftranscript|>")
    config = AutoConfig.for_model(
        "whisper", vocab_size=len(tok), d_model=32, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
        decoder_ffn_dim=64, num_mel_bins=80, max_source_positions=features.nb_max_frames // 2,
        max_target_positions=128, pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id, decoder_start_token_id=start, begin_suppress_tokens=None,
        suppress_tokens=None)
    save_random(directory, "AutoModelForSpeechSeq2Seq", config,
                WhisperProcessor(feature_extractor=features, tokenizer=tok))
    # Whisper's generate() reads these from the generation config (English-only, so no language
    # or task tokens); written by hand so it is not re-derived from the model config on load.
    GenerationConfig(
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id, decoder_start_token_id=start, max_length=128,
        no_timestamps_token_id=tok.convert_tokens_to_ids("<|notimestamps|>"),
        is_multilingual=False, max_initial_timestamp_index=50,
    ).save_pretrained(directory)


def _parakeet(kind: str):
    """Parakeet RNN-T / TDT: a tiny FastConformer encoder, an LSTM prediction network, and a
    letter tokenizer whose last token is the transducer blank."""
    auto_class = {"rnnt": "AutoModelForRNNT", "tdt": "AutoModelForTDT"}[kind]

    def build(directory: Path) -> None:
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers
        from transformers import (
            AutoConfig,
            ParakeetFeatureExtractor,
            ParakeetProcessor,
            ParakeetTokenizer,
        )

        pieces = ["<unk>", "<pad>", *("▁" + c for c in LETTERS[:-1]), *LETTERS, "<blank>"]
        backend = Tokenizer(models.BPE(vocab={p: i for i, p in enumerate(pieces)}, merges=[],
                                       unk_token="<unk>"))
        backend.pre_tokenizer = pre_tokenizers.Metaspace()
        backend.decoder = decoders.Metaspace()
        tok = ParakeetTokenizer(tokenizer_object=backend, unk_token="<unk>", pad_token="<pad>",
                                additional_special_tokens=["<blank>"])
        blank = tok.convert_tokens_to_ids("<blank>")
        processor = ParakeetProcessor(ParakeetFeatureExtractor(feature_size=16), tok,
                                      decoder_type=kind)
        encoder = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                       num_key_value_heads=2, intermediate_size=64, subsampling_conv_channels=8,
                       num_mel_bins=16, max_position_embeddings=512)
        config = AutoConfig.for_model(
            f"parakeet_{kind}", vocab_size=len(tok), decoder_hidden_size=32, num_decoder_layers=1,
            max_symbols_per_step=2, encoder_config=encoder, pad_token_id=tok.pad_token_id,
            blank_token_id=blank, decoder_start_token_id=blank)
        save_random(directory, auto_class, config, processor)
    return build


TASKS = [
    Task("AutoModelForCTC", run=transcribe_ctc, snippet=transcribe_ctc_snippet, recipes=[
        Recipe("ctc", "AutoModelForCTC", _ctc,
               "tiny wav2vec2 with a letter CTC head (Wav2Vec2Processor)", {"audio": SPEECH}),
    ]),
    Task("AutoModelForSpeechSeq2Seq", run=transcribe_seq2seq, snippet=transcribe_seq2seq_snippet, recipes=[
        Recipe("automatic-speech-recognition", "AutoModelForSpeechSeq2Seq", _whisper,
               "tiny English-only Whisper (3 s window) with timestamp tokens",
               {"audio": SPEECH, "options": {"return_timestamps": True}}),
    ]),
    Task("AutoModelForRNNT", run=transcribe_transducer, snippet=transcribe_transducer_snippet, recipes=[
        Recipe("rnnt", "AutoModelForRNNT", _parakeet("rnnt"),
               "tiny Parakeet RNN-T transducer (letters)", {"audio": SPEECH}),
    ]),
    Task("AutoModelForTDT", run=transcribe_transducer, snippet=transcribe_transducer_snippet, recipes=[
        Recipe("tdt", "AutoModelForTDT", _parakeet("tdt"),
               "tiny Parakeet TDT transducer (letters, token durations)", {"audio": SPEECH}),
    ]),
]

__all__ = ["TASKS"]
