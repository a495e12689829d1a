"""Input conversion: images in any mode, audio of any rate/channels, tables, long text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import explorer
from explorer.errors import BadInput
from explorer.inputs import (
    MAX_CLIP_FRAMES,
    load_audio,
    load_table,
    make_inputs,
    read_clip,
    resample,
    to_rgb,
)
from explorer.zoo import EXAMPLES_DIR


@pytest.mark.parametrize("mode", ["RGBA", "LA", "L", "P", "CMYK", "I;16", "I", "F", "1"])
def test_every_image_mode_becomes_rgb(mode: str) -> None:
    image = Image.new("RGB", (20, 10), (200, 40, 10)).convert(mode)
    converted = to_rgb(image)
    assert converted.mode == "RGB" and converted.size == (20, 10)


def test_transparent_pixels_are_composited_on_white() -> None:
    image = Image.new("RGBA", (4, 4), (255, 0, 0, 0))
    assert to_rgb(image).getpixel((0, 0)) == (255, 255, 255)


def test_sixteen_bit_images_are_scaled_not_clipped() -> None:
    ramp = (np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000)
    image = Image.fromarray(ramp)
    assert image.mode == "I;16"
    rgb = np.asarray(to_rgb(image))
    assert rgb.min() == 0 and rgb.max() == 255  # the full range is used, not saturated


def test_image_paths_and_arrays(tmp_path: Path) -> None:
    path = tmp_path / "x.png"
    Image.new("L", (5, 7), 128).save(path)
    assert to_rgb(path).size == (5, 7)
    assert to_rgb(np.zeros((3, 6, 7), dtype=np.float32)).size == (7, 6)  # channels-first
    with pytest.raises(BadInput, match="image file not found"):
        to_rgb(tmp_path / "missing.png")
    (tmp_path / "bad.png").write_text("not an image")
    with pytest.raises(BadInput, match="cannot read .* as an image"):
        to_rgb(tmp_path / "bad.png")


def _red_x(frame: Image.Image) -> float:
    """Mean column of the red triangle's pixels."""
    rgb = np.asarray(frame).astype(int)
    ys, xs = np.nonzero((rgb[..., 0] > 150) & (rgb[..., 1] < 100) & (rgb[..., 2] < 100))
    return float(xs.mean())


@pytest.mark.parametrize("name", ["clip.gif", "clip.mp4"])
def test_example_clips_decode_to_their_frames_in_order(name: str) -> None:
    inputs = make_inputs(image=EXAMPLES_DIR / name)
    assert len(inputs.frames) == 16 and inputs.image is inputs.frames[0]
    assert inputs.summary()["image"] == {"name": name, "size": [96, 96], "frames": 16}
    xs = [_red_x(frame) for frame in inputs.frames]
    assert all(a > b for a, b in zip(xs, xs[1:]))  # the triangle moves left, frame by frame


def test_webm_and_unnamed_uploads_decode(tmp_path: Path) -> None:
    import av

    path = tmp_path / "dots.webm"
    with av.open(str(path), "w", format="webm") as container:
        stream = container.add_stream("libvpx", rate=5)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for i in range(7):
            pixels = np.full((32, 32, 3), 30 * i, dtype=np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        container.mux(stream.encode())
    assert len(read_clip(path)) == 7
    assert len(read_clip((EXAMPLES_DIR / "clip.mp4").read_bytes())) == 16  # an upload's bytes


def test_still_images_are_no_clip_and_long_clips_are_thinned_evenly() -> None:
    assert make_inputs(image=EXAMPLES_DIR / "photo.jpg").frames == ()
    frames = [np.full((4, 4, 3), i, dtype=np.uint8) for i in range(200)]
    kept = [int(np.asarray(f)[0, 0, 0]) for f in read_clip(frames)]
    assert len(kept) == MAX_CLIP_FRAMES and kept[0] == 0 and kept[-1] >= 190
    steps = np.diff(kept)
    assert steps.min() >= 2 and steps.max() <= 4  # evenly spread, in order


def test_unreadable_clips_are_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "bad.mp4").write_bytes(b"not a video" * 10)
    with pytest.raises(BadInput, match="cannot read bad.mp4 as an image or a video clip"):
        make_inputs(image=tmp_path / "bad.mp4")
    with pytest.raises(BadInput, match="no video stream"):
        read_clip((EXAMPLES_DIR / "speech.wav").read_bytes())


def test_audio_arrays_are_mixed_down_and_need_a_rate() -> None:
    stereo = np.stack([np.ones(100), -np.ones(100) * 0.5]).astype(np.float32)
    mono, rate = load_audio(stereo, 8000)
    assert mono.shape == (100,) and rate == 8000 and np.allclose(mono, 0.25)
    with pytest.raises(BadInput, match="sampling rate"):
        load_audio(np.zeros(10))
    with pytest.raises(BadInput, match="empty"):
        load_audio(np.zeros(0), 16000)
    assert resample(np.zeros(8000, dtype=np.float32), 8000, 16000).shape == (16000,)


def test_audio_file_errors(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="audio file not found"):
        load_audio(tmp_path / "none.wav")
    (tmp_path / "bad.wav").write_text("nope")
    with pytest.raises(BadInput, match="cannot read .* as audio"):
        load_audio(tmp_path / "bad.wav")


def test_tables_from_csv(tmp_path: Path) -> None:
    csv = tmp_path / "t.csv"
    csv.write_text("city,country\nParis,France\nBerlin,Germany\n")
    assert load_table(csv) == {"city": ["Paris", "Berlin"], "country": ["France", "Germany"]}
    csv.write_text("city,country\nParis\n")
    with pytest.raises(BadInput, match="every table row needs 2 cells"):
        load_table(csv)


def test_labels_split_on_commas() -> None:
    assert make_inputs(labels="cat, dog,,bird").labels == ("cat", "dog", "bird")


def test_long_text_is_truncated_with_a_note(zoo: Path) -> None:
    from transformers import AutoTokenizer

    limit = AutoTokenizer.from_pretrained(zoo / "text-classification").model_max_length
    long_text = " ".join(["the cat sat on the mat"] * 40)  # 242 tokens
    assert limit < 240
    result = explorer.run(str(zoo / "text-classification"), text=long_text)
    assert any(f"truncated to the model's limit of {limit} tokens" in n for n in result.notes)
    short = explorer.run(str(zoo / "text-classification"), text="the cat")
    assert not any("truncated" in n for n in short.notes)


def test_missing_input_is_a_clear_error(zoo: Path) -> None:
    with pytest.raises(BadInput, match="question-answering needs question, context input"):
        explorer.run(str(zoo / "question-answering"), text="hello")


def test_fill_mask_without_a_mask_says_how(zoo: Path) -> None:
    with pytest.raises(BadInput, match=r"needs the mask token \[MASK\]"):
        explorer.run(str(zoo / "fill-mask"), text="no mask here")


def test_options_are_checked(zoo: Path) -> None:
    with pytest.raises(BadInput, match="do not apply to text-classification"):
        explorer.run(str(zoo / "text-classification"), text="x", threshold=0.3)
    with pytest.raises(BadInput, match="top_k='many' should be a whole number"):
        explorer.run(str(zoo / "text-classification"), text="x", top_k="many")


def test_long_context_in_question_answering_is_noted(zoo: Path) -> None:
    context = " ".join(["the teacher read a book in paris"] * 24)  # > 128 tokens
    result = explorer.run(str(zoo / "question-answering"), question="where", context=context)
    assert any("truncated" in n for n in result.notes)
    assert result.answer and result.answer in context


def test_backbone_stage_options_on_another_task_are_refused_clearly(zoo: Path) -> None:
    with pytest.raises(BadInput, match="out_indices do not apply to text-classification"):
        explorer.run(str(zoo / "text-classification"), text="x", out_indices=[1])


def test_split_options_separates_load_and_run_options() -> None:
    from explorer.runner import split_options

    overrides, run_options = split_options({"output_attentions": "true", "out_indices": "1,2",
                                            "top_k": "3"})
    assert overrides == {"output_attentions": True, "out_indices": [1, 2]}
    assert run_options == {"top_k": "3"}
    assert split_options({"output_attentions": False}) == ({}, {})


def test_text_task_without_a_tokenizer_says_so(zoo: Path, tmp_path: Path) -> None:
    import shutil

    bare = tmp_path / "no-tokenizer"
    shutil.copytree(zoo / "fill-mask", bare)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (bare / name).unlink()
    with pytest.raises(BadInput, match="ships no tokenizer"):
        explorer.run(str(bare), text="paris is the [MASK] of france")


def test_dashboard_image_input_takes_a_clip_upload(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from explorer.ui.inputs_panel import ImageKind

    control = ImageKind(uploads=tmp_path)
    assert "video/*" in control.upload.accept and "clip.mp4" in control.paths
    data = (EXAMPLES_DIR / "clip.mp4").read_bytes()
    control.upload.value = ({"name": "my clip.mp4", "type": "video/mp4", "size": len(data),
                             "content": memoryview(data),
                             "last_modified": datetime.now(UTC)},)
    assert control.picker.value == "uploaded: my clip.mp4"
    assert control.preview.format == "png" and bytes(control.preview.value)[:4] == b"\x89PNG"
    assert len(make_inputs(image=control.value()).frames) == 16
