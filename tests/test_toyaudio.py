"""The speech world and its trained toy checkpoints: eSpeak recordings, training code, committed
quality (held-out recordings need eSpeak NG: ``make test`` installs it; without it they skip)."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

import explorer
from explorer.toyworld import speech as world
from explorer.zoo import EXAMPLES_DIR, example_kwargs, train_audio
from explorer.zoo.training import TOY_KEY, TRAINED_DIR, read_manifest, train

RECIPES = {r.name: r for r in train_audio.TRAIN_RECIPES}
COMMITTED = sorted(name for name in RECIPES if name in read_manifest())
SAMPLE = 20
"""Held-out recordings per committed checkpoint (a seed no training used)."""
CTC = "automatic-speech-recognition-ctc"
CLASSIFIER = "audio-classification"
FRAMES = "audio-frame-classification-wav2vec2-bert"

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="eSpeak NG is missing (apt-get install espeak-ng)")


def _committed(name: str) -> None:
    if name not in COMMITTED:
        pytest.skip(f"{name} has no committed checkpoint")


def _run(name: str, **inputs: object):  # type: ignore[no-untyped-def]
    return explorer.run(str(TRAINED_DIR / name), RECIPES[name].auto_class, **inputs)


@needs_espeak
def test_recordings_are_seeded_and_say_their_words() -> None:
    first, again, other = world.digits(3), world.digits(3), world.digits(4)
    assert first.text == again.text and np.array_equal(first.waveform, again.waveform)
    assert (first.text, first.voice) != (other.text, other.voice)
    assert set(first.text.split()) <= set(world.DIGITS) and 2 <= len(first.text.split()) <= 5
    assert first.waveform.dtype == np.float32 and 0.5 < first.seconds < 5
    assert 0.05 < np.abs(first.waveform).max() <= 1.0
    scape = world.soundscape(5)
    assert np.array_equal(scape.waveform, world.soundscape(5).waveform)
    assert {label for label, _, _ in scape.segments} == set(world.FRAME_LABELS)
    assert abs(len(scape.frame_labels) - len(scape.waveform) / world.FRAME) <= 1
    said = [world.command(seed) for seed in range(30)]
    assert {u.text for u in said} <= set(world.COMMANDS) and len({u.text for u in said}) >= 6
    assert len({u.voice.name for u in said}) >= 10


@needs_espeak
@pytest.mark.parametrize("name", sorted(RECIPES))
def test_a_few_training_steps_save_a_loadable_toy(name: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(train_audio, "BATCH", 2)
    entry = train([name], steps=2, out=tmp_path, show_progress=False)[name]
    assert entry["steps"] == 2 and entry["headline"] in entry["metrics"]
    config = json.loads((tmp_path / name / "config.json").read_text())
    assert config[TOY_KEY]["world"] == "speech" and "explorer_random_weights" not in config
    result = explorer.run(str(tmp_path / name), RECIPES[name].auto_class,
                          **example_kwargs(RECIPES[name].example or {}))
    assert result.random_weights is False


def test_committed_ctc_spells_the_example_digits_frame_by_frame() -> None:
    _committed(CTC)
    result = _run(CTC, audio=str(EXAMPLES_DIR / "digits.wav"))
    assert result.text == "three one four one five" and result.random_weights is False
    assert [c.text for c in result.chunks] == ["three", "one", "four", "one", "five"]
    starts = [c.start for c in result.chunks]
    assert starts == sorted(starts) and result.chunks[-1].end <= 33326 / 16000 + 0.05
    # The per-frame alignment (a token per 20 ms; blanks between the words) collapses to the
    # transcript.
    tokens = result.frame_tokens
    assert "<pad>" in tokens and len(tokens) == pytest.approx(33326 / 320, abs=2)
    collapsed = [t for i, t in enumerate(tokens) if t != "<pad>" and (i == 0 or tokens[i - 1] != t)]
    assert "".join(collapsed).replace("|", " ").strip() == result.text


@needs_espeak
def test_committed_ctc_on_held_out_recordings() -> None:
    _committed(CTC)
    rng = random.Random(4242)
    said = [world.digits(rng) for _ in range(SAMPLE)]
    heard = [_run(CTC, audio=u.waveform, sampling_rate=world.RATE).text for u in said]
    assert sum(h == u.text for h, u in zip(heard, said)) / SAMPLE >= 0.9, list(zip(heard, said))


def test_committed_classifier_names_the_example_word() -> None:
    _committed(CLASSIFIER)
    result = _run(CLASSIFIER, audio=str(EXAMPLES_DIR / "command.wav"))
    assert result.labels[0].label == "left" and result.labels[0].score > 0.5
    assert result.label_names == world.COMMANDS and result.random_weights is False


@needs_espeak
def test_committed_classifier_on_held_out_recordings() -> None:
    _committed(CLASSIFIER)
    rng = random.Random(4242)
    said = [world.command(rng) for _ in range(SAMPLE)]
    heard = [_run(CLASSIFIER, audio=u.waveform, sampling_rate=world.RATE).labels[0].label
             for u in said]
    assert sum(h == u.text for h, u in zip(heard, said)) / SAMPLE >= 0.9, list(zip(heard, said))


def test_committed_frames_find_the_example_words_and_notes() -> None:
    _committed(FRAMES)
    result = _run(FRAMES, audio=str(EXAMPLES_DIR / "soundscape.wav"))
    # soundscape.wav (speech.soundscape(10)): notes, "stop", "no", notes, silence between.
    truth = [("music", 0.24, 1.29), ("speech", 1.81, 2.14), ("speech", 2.36, 2.80),
             ("music", 3.15, 4.10)]
    found = [(s.label, s.start, s.end) for s in result.spans if s.label != "silence"]
    assert [label for label, _, _ in found] == [label for label, _, _ in truth], found
    for (_, start, end), (_, true_start, true_end) in zip(found, truth):
        assert start == pytest.approx(true_start, abs=0.06) and end == pytest.approx(true_end,
                                                                                     abs=0.06)


@needs_espeak
def test_committed_frames_on_held_out_soundscapes() -> None:
    _committed(FRAMES)
    rng = random.Random(4242)
    right = total = 0
    for _ in range(8):
        scape = world.soundscape(rng)
        got = _run(FRAMES, audio=scape.waveform, sampling_rate=world.RATE).frame_labels
        truth = [world.FRAME_LABELS[i] for i in train_audio._frame_targets(scape, len(got))]
        right += sum(a == b for a, b in zip(got, truth))
        total += len(got)
    assert right / total >= 0.9


XVECTOR = "audio-xvector"


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_committed_xvectors_tell_the_example_voices_apart() -> None:
    _committed(XVECTOR)
    # digits.wav and speech_shapes.wav: eSpeak's default en-us voice, different words;
    # command.wav: the en-gb+f2 voice (explorer/examples/README.md).
    results = [_run(XVECTOR, audio=str(EXAMPLES_DIR / name))
               for name in ("digits.wav", "speech_shapes.wav", "command.wav")]
    assert all(result.random_weights is False for result in results)
    digits, shapes, other = (result.vectors[0] for result in results)
    same = _cosine(digits, shapes)
    assert same > _cosine(digits, other) and same > _cosine(shapes, other)


@needs_espeak
def test_committed_xvectors_verify_held_out_speakers() -> None:
    _committed(XVECTOR)
    recipe = RECIPES[XVECTOR]
    figures = recipe.evaluate(TRAINED_DIR / XVECTOR, 16)
    assert figures["verification"] >= recipe.target
    assert figures["same_speaker_similarity"] > figures["other_speaker_similarity"]


def test_equal_error_rate_is_where_misses_and_false_accepts_balance() -> None:
    same = np.array([True, True, False, False])
    assert train_audio.equal_error_rate(np.array([0.9, 0.8, 0.1, 0.2]), same) == 0.0
    assert train_audio.equal_error_rate(np.array([0.1, 0.2, 0.9, 0.8]), same) == 1.0
    assert train_audio.equal_error_rate(np.array([0.9, 0.1, 0.8, 0.2]), same) == 0.5
