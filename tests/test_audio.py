"""Audio tasks end to end on the zoo: speech recognition (CTC, seq2seq, transducers), audio and
frame classification, x-vectors, text-to-speech, audio codecs, and audio input handling."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import explorer
from explorer.errors import BadInput
from explorer.heads.audio_classification import COMMANDS, FRAME_LABELS
from explorer.results import AudioOutput, Classification, Embeddings, Frames, Transcript
from explorer.zoo import example_kwargs

SPEECH_SECONDS = 48379 / 22050  # speech.wav: 22050 Hz mono


def _run(zoo: Path, manifest: dict, name: str, **overrides):
    kwargs = {**example_kwargs(manifest[name]["example"]), **overrides}
    return explorer.run(str(zoo / name), **kwargs)


def _check_dict(result, *keys: str, random_weights: bool = True) -> dict:
    out = result.to_dict()
    json.dumps(out)  # JSON-safe
    assert out["type"] == result.type
    assert out["random_weights"] is random_weights
    for key in keys:
        assert key in out, key
    assert "logits" not in out and "array" not in out and "codes" not in out
    return out


def _check_chunks(chunks, seconds: float) -> None:
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)
    for chunk in chunks:
        assert 0.0 <= chunk.start <= chunk.end <= seconds + 0.05


# ---------------------------------------------------------------------------- speech → text


def test_ctc_transcript_with_word_times(zoo: Path, manifest: dict) -> None:
    result = _run(zoo, manifest, "ctc")
    assert isinstance(result, Transcript)
    assert result.task == "AutoModelForCTC" and result.model_class == "Wav2Vec2ForCTC"
    assert result.sampling_rate == 16000
    assert "audio resampled from 22050 Hz to 16000 Hz for the model" in result.notes
    frames, vocab = result.logits.shape
    # One frame per 320 samples at 16 kHz (20 ms), one argmax token per frame.
    assert frames == pytest.approx(SPEECH_SECONDS * 16000 / 320, abs=2)
    assert len(result.frame_tokens) == frames and vocab == 30
    assert set(result.frame_tokens) <= set("abcdefghijklmnopqrstuvwxyz'|") | {"<pad>", "<unk>"}
    # The words with times are the words of the text.
    assert [c.text for c in result.chunks] == result.text.split()
    assert len(result.chunks) >= 2
    _check_chunks(result.chunks, SPEECH_SECONDS)
    out = _check_dict(result, "text", "chunks", "sampling_rate")
    assert out["chunks"][0].keys() == {"text", "start", "end"}
    assert "frame_tokens" not in out


def test_stereo_44k_clip_is_mixed_and_resampled(zoo: Path, examples: Path) -> None:
    result = explorer.run(str(zoo / "ctc"), audio=str(examples / "speech_stereo.wav"))
    assert "audio resampled from 44100 Hz to 16000 Hz for the model" in result.notes
    assert result.inputs.sampling_rate == 44100 and result.inputs.audio.ndim == 1
    assert len(result.inputs.audio) / 44100 == pytest.approx(0.8, abs=0.01)
    assert result.logits.shape[0] == pytest.approx(0.8 * 16000 / 320, abs=2)
    assert result.inputs.summary()["audio"] == {"name": "speech_stereo.wav",
                                                "sampling_rate": 44100, "seconds": 0.8}


def test_array_input_with_channels_first(zoo: Path) -> None:
    t = np.arange(8000) / 8000
    stereo = np.stack([np.sin(2 * np.pi * 220 * t), np.sin(2 * np.pi * 330 * t)]) * 0.3
    result = explorer.run(str(zoo / "ctc"), audio=stereo, sampling_rate=8000)
    assert "audio resampled from 8000 Hz to 16000 Hz for the model" in result.notes
    assert result.logits.shape[0] == pytest.approx(16000 / 320, abs=2)


def test_audio_errors_are_one_line(zoo: Path, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="audio file not found"):
        explorer.run(str(zoo / "ctc"), audio=str(tmp_path / "missing.wav"))
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not really a wave file" * 10)
    with pytest.raises(BadInput, match="cannot read .*broken.wav as audio"):
        explorer.run(str(zoo / "ctc"), audio=str(broken))
    with pytest.raises(BadInput, match="needs audio input"):
        explorer.run(str(zoo / "ctc"), text="no audio here")
    with pytest.raises(BadInput, match="needs its sampling rate"):
        explorer.run(str(zoo / "ctc"), audio=np.zeros(1600))


def test_seq2seq_transcript_with_timestamps(zoo: Path, manifest: dict) -> None:
    result = _run(zoo, manifest, "automatic-speech-recognition")
    assert isinstance(result, Transcript)
    assert result.model_class == "WhisperForConditionalGeneration"
    assert isinstance(result.text, str) and result.text
    assert result.chunks, "return_timestamps=True gives timed segments"
    for chunk in result.chunks:
        assert chunk.start is not None and chunk.start >= 0.0
        assert chunk.end is None or chunk.end >= chunk.start
    assert result.logits.ndim == 2 and result.logits.shape[1] == 559  # steps × vocabulary
    _check_dict(result, "text", "chunks")


def test_seq2seq_without_timestamps_and_token_limit(zoo: Path, examples: Path) -> None:
    result = explorer.run(str(zoo / "automatic-speech-recognition"),
                          audio=str(examples / "speech.wav"), max_new_tokens=5)
    assert result.chunks == ()
    assert 1 <= result.logits.shape[0] <= 5


def test_seq2seq_transcribes_audio_past_the_window_whole(zoo: Path) -> None:
    long = np.random.default_rng(0).normal(0, 0.1, 16000 * 4).astype(np.float32)
    result = explorer.run(str(zoo / "automatic-speech-recognition"), audio=long,
                          sampling_rate=16000, max_new_tokens=3)
    assert any("longer than the model's 3 s window" in n and "long-form" in n
               for n in result.notes)
    assert result.chunks, "long-form generation predicts timestamps"
    assert not any("resampled" in n for n in result.notes)


@pytest.mark.parametrize("name, model_class", [("rnnt", "ParakeetForRNNT"),
                                               ("tdt", "ParakeetForTDT")])
def test_transducers(zoo: Path, manifest: dict, name: str, model_class: str) -> None:
    result = _run(zoo, manifest, name)
    assert isinstance(result, Transcript) and result.model_class == model_class
    assert result.text and "<blank>" not in result.text
    # Token times from the processor: the tokens spell the text.
    assert "".join(c.text for c in result.chunks).strip() == result.text
    _check_chunks(result.chunks, SPEECH_SECONDS)
    _check_dict(result, "text", "chunks")


def test_shared_asr_tag_resolves_to_the_class_that_fits(zoo: Path, examples: Path) -> None:
    assert explorer.get_task("automatic-speech-recognition").auto_class == \
        "AutoModelForSpeechSeq2Seq"
    result = explorer.run(str(zoo / "ctc"), task="automatic-speech-recognition",
                          audio=str(examples / "speech.wav"))
    assert result.task == "AutoModelForCTC"
    result = explorer.run(str(zoo / "tdt"), task="automatic-speech-recognition",
                          audio=str(examples / "speech.wav"))
    assert result.task == "AutoModelForTDT"


# ---------------------------------------------------------------------------- audio → labels


def test_audio_classification(zoo: Path, manifest: dict) -> None:
    result = _run(zoo, manifest, "audio-classification")
    assert isinstance(result, Classification)
    assert result.label_names == COMMANDS and result.logits.shape == (len(COMMANDS),)
    scores = [l.score for l in result.labels]
    assert scores == sorted(scores, reverse=True) and len(scores) == 5
    assert all(0.0 < s <= 1.0 for s in scores)
    assert result.labels[0].label == COMMANDS[int(np.argmax(result.logits))]
    # The trained toy (explorer/zoo/trained) replaces the random recipe when committed.
    out = _check_dict(result, "labels",
                      random_weights=manifest["audio-classification"]["random_weights"])
    assert out["labels"][0].keys() == {"label", "score"}
    assert len(explorer.run(str(zoo / "audio-classification"),
                            **example_kwargs(manifest["audio-classification"]["example"]),
                            top_k=2).labels) == 2


def test_frame_classification_spans(zoo: Path, manifest: dict) -> None:
    result = _run(zoo, manifest, "audio-frame-classification")
    assert isinstance(result, Frames)
    assert result.frame_seconds == pytest.approx(0.02)
    frames = result.logits.shape[0]
    assert result.logits.shape == (frames, len(FRAME_LABELS))
    assert len(result.frame_labels) == frames and set(result.frame_labels) <= set(FRAME_LABELS)
    # Single-label spans tile the clip: no gaps, no overlaps, one label per run.
    spans = result.spans
    assert spans[0].start == 0.0 and spans[-1].end == pytest.approx(frames * 0.02)
    for before, after in zip(spans, spans[1:]):
        assert before.end == pytest.approx(after.start) and before.label != after.label
    for span in spans:
        first, last = round(span.start / 0.02), round(span.end / 0.02)
        assert set(result.frame_labels[first:last]) == {span.label}
        assert 0.0 < span.score <= 1.0
    out = _check_dict(result, "frame_seconds", "spans", "frame_labels")
    assert out["spans"][0].keys() == {"label", "start", "end", "score"}


def test_frame_classification_multi_label(zoo: Path, manifest: dict) -> None:
    result = _run(zoo, manifest, "audio-frame-classification", multi_label=True, threshold=0.0)
    frames = result.logits.shape[0]
    # Every label is over a zero threshold on every frame: one full-length span per label.
    assert sorted(s.label for s in result.spans) == sorted(FRAME_LABELS)
    assert all(s.start == 0.0 and s.end == pytest.approx(frames * 0.02) for s in result.spans)
    assert set(result.frame_labels) == {"+".join(FRAME_LABELS)}
    none = _run(zoo, manifest, "audio-frame-classification", multi_label=True, threshold=1.0)
    assert none.spans == () and set(none.frame_labels) == {"none"}


def test_xvector(zoo: Path, manifest: dict) -> None:
    entry = manifest["audio-xvector"]
    result = _run(zoo, manifest, "audio-xvector")
    assert isinstance(result, Embeddings)
    assert result.pooling == "x-vector" and result.labels == (entry["example"]["audio"],)
    # The trained toy (explorer/zoo/trained) replaces the random recipe when committed.
    size = explorer.load(str(zoo / "audio-xvector")).model.config.xvector_output_dim
    assert result.vectors.shape == (1, size) and result.shape == (1, size)
    assert np.all(np.isfinite(result.vectors)) and np.any(result.vectors != 0)
    out = _check_dict(result, "vectors", "shape", "pooling",
                      random_weights=entry["random_weights"])
    assert np.array(out["vectors"]).shape == (1, size)


# ---------------------------------------------------------------------------- text → audio


def test_text_to_spectrogram(zoo: Path, manifest: dict) -> None:
    result = _run(zoo, manifest, "text-to-spectrogram")
    assert isinstance(result, AudioOutput) and result.kind == "spectrogram"
    assert result.model_class == "SpeechT5ForTextToSpeech"
    assert result.array.ndim == 2 and result.array.shape[1] == 16  # frames × mel bins
    assert result.array.shape[0] >= 2 and tuple(result.array.shape) == result.shape
    assert result.sampling_rate == 16000
    assert any("speaker embedding" in n for n in result.notes)
    out = _check_dict(result, "shape", "sampling_rate", "kind")
    assert out["shape"] == list(result.array.shape)
    with pytest.raises(BadInput, match="needs text"):
        explorer.run(str(zoo / "text-to-spectrogram"))


def test_text_to_waveform_is_seeded(zoo: Path, manifest: dict) -> None:
    result = _run(zoo, manifest, "text-to-speech")
    assert isinstance(result, AudioOutput) and result.kind == "waveform"
    assert result.model_class == "VitsModel" and result.sampling_rate == 16000
    assert result.array.ndim == 1 and result.array.size >= 256 and result.shape == \
        (result.array.size,)
    assert np.all(np.isfinite(result.array))
    again = _run(zoo, manifest, "text-to-speech")
    assert np.array_equal(result.array, again.array)
    other = _run(zoo, manifest, "text-to-speech", seed=1)
    assert other.array.shape != result.array.shape or not np.array_equal(other.array,
                                                                          result.array)
    with pytest.raises(BadInput, match="speaker_id"):
        _run(zoo, manifest, "text-to-speech", speaker_id=3)


def test_shared_tts_tag_resolves_to_the_class_that_fits(zoo: Path) -> None:
    result = explorer.run(str(zoo / "text-to-spectrogram"), task="text-to-speech", text="a cat")
    assert result.task == "AutoModelForTextToSpectrogram" and result.kind == "spectrogram"


# ---------------------------------------------------------------------------- codecs


def test_audio_tokenization_round_trip(zoo: Path, manifest: dict) -> None:
    result = _run(zoo, manifest, "audio-tokenization")
    assert isinstance(result, AudioOutput) and result.kind == "waveform"
    assert result.model_class == "DacModel" and result.sampling_rate == 16000
    codebooks, frames = result.codes.shape
    assert codebooks == 2 and np.issubdtype(result.codes.dtype, np.integer)
    assert result.codes.min() >= 0 and result.codes.max() < 32
    # 64 samples per code frame, decoded back to 64 samples per frame.
    input_samples = SPEECH_SECONDS * 16000
    assert frames == pytest.approx(input_samples / 64, abs=2)
    assert result.array.shape == (frames * 64,)
    assert any("codes of shape (2, " in n for n in result.notes)
    _check_dict(result, "shape", "kind")


def test_options_that_do_not_apply_are_refused(zoo: Path, examples: Path) -> None:
    with pytest.raises(BadInput, match="do not apply"):
        explorer.run(str(zoo / "ctc"), audio=str(examples / "speech.wav"), top_k=3)


def test_recognition_without_a_tokenizer_is_refused(zoo: Path, examples: Path) -> None:
    # The frame classifier (random wav2vec2) ships only a feature extractor: no way to spell
    # ids. (The trained audio-classification and x-vector toys are Wav2Vec2-BERTs without a
    # vocabulary size, so they cannot even be loaded as CTC.)
    with pytest.raises(BadInput, match="ships no tokenizer"):
        explorer.run(str(zoo / "audio-frame-classification"), task="ctc",
                     audio=str(examples / "speech.wav"))
