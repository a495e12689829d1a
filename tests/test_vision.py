"""Vision tasks end to end on the tiny zoo checkpoints: typed results, their dicts, options,
input conversion and error paths."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import explorer
from explorer.errors import BadInput, ExplorerError
from explorer.results import (
    Classification, DepthMap, Detections, FeatureMaps, ImageOutput, Keypoints, Result, Segmentation,
)
from explorer.zoo import example_kwargs
from explorer.heads import geometry, recognition, segmentation, vision
from explorer.heads.vision import COCO_KEYPOINTS

RECIPES = [recipe for family in (vision, segmentation, geometry, recognition)
           for task in family.TASKS for recipe in task.recipes]
VISION = [r.name for r in RECIPES]
SEGMENTERS = ["semantic-segmentation", "instance-segmentation", "universal-segmentation",
              "image-segmentation", "mask-generation"]


def _run(manifest: dict, name: str, **overrides: object) -> Result:
    """Run a zoo entry on its example, with options / inputs replaced by ``overrides``."""
    kwargs = example_kwargs(manifest[name]["example"])
    options = {**kwargs.pop("options", {}), **overrides.pop("options", {})}  # type: ignore[dict-item]
    return explorer.run(f"zoo:{name}", **{**kwargs, **overrides}, options=options)


def _example_size(manifest: dict, name: str) -> tuple[int, int]:
    """``(width, height)`` of the entry's example image."""
    with Image.open(example_kwargs(manifest[name]["example"])["image"]) as image:
        return image.size


def _json(result: Result) -> dict:
    data = result.to_dict()
    return json.loads(json.dumps(data, allow_nan=False))


# ---------------------------------------------------------------------------- catalog


def test_vision_specs_are_described_and_zoo_names_match() -> None:
    for recipe in RECIPES:
        spec = explorer.get_task(recipe.auto_class)
        assert spec.described and spec.runner is not None
        assert recipe.name == spec.task
        assert spec.category == ("base" if recipe.auto_class == "AutoBackbone" else "vision")
        assert "image" in spec.inputs
    for auto in ("AutoModelForNormalEstimation", "AutoModelForPointmapEstimation",
                 "AutoModelForTextRecognition", "AutoModelForTableRecognition",
                 "AutoModelForKeypointMatching"):
        spec = explorer.get_task(auto)
        assert spec.described and spec.category == "vision" and spec.model_types


@pytest.mark.parametrize("name", VISION)
def test_missing_image_is_a_one_line_bad_input(name: str, zoo: Path) -> None:
    with pytest.raises(BadInput, match=r"needs image input \(CLI: --image\)"):
        explorer.run(f"zoo:{name}", text="no picture here")


# ---------------------------------------------------------------------------- classification


def test_image_classification(manifest: dict) -> None:
    result = _run(manifest, "image-classification")
    assert isinstance(result, Classification)
    scores = [label.score for label in result.labels]
    classes = len(result.label_names)  # 3 shapes for the trained toy, 6 for a random recipe
    assert len(scores) == min(5, classes) and scores == sorted(scores, reverse=True)
    assert all(0.0 < s < 1.0 for s in scores)
    assert result.logits.shape == (classes,) and classes in (3, 6)
    assert {label.label for label in result.labels} <= set(result.label_names)
    # the best label is the argmax of the raw logits
    assert result.labels[0].label == result.label_names[int(np.argmax(result.logits))]
    data = _json(result)
    assert data["type"] == "classification" and "logits" not in data
    assert len(_run(manifest, "image-classification", options={"top_k": 2}).labels) == 2


@pytest.fixture
def frames_seen(monkeypatch: pytest.MonkeyPatch) -> list[list[Image.Image]]:
    """The frames each video run hands its image processor."""
    from explorer.heads import vision

    seen: list[list[Image.Image]] = []
    real = vision.image_processor

    def spy(ctx: object) -> object:
        processor = real(ctx)  # type: ignore[arg-type]

        def call(frames: list[Image.Image], **kwargs: object) -> object:
            seen.append(list(frames))
            return processor(frames, **kwargs)
        return call

    monkeypatch.setattr(vision, "image_processor", spy)
    return seen


def _clip_length(manifest: dict) -> int:
    from transformers import AutoConfig

    return AutoConfig.from_pretrained(explorer.resolve("zoo:video-classification").location
                                      ).num_frames


@pytest.mark.parametrize("clip", ["clip.gif", "clip.mp4"])
def test_video_classification_samples_the_clip_to_the_model_length(
        clip: str, manifest: dict, frames_seen: list) -> None:
    from explorer.inputs import read_clip
    from explorer.zoo import EXAMPLES_DIR

    result = _run(manifest, "video-classification", image=str(EXAMPLES_DIR / clip))
    assert isinstance(result, Classification)
    assert [x.score for x in result.labels] == sorted((x.score for x in result.labels),
                                                      reverse=True)
    count = _clip_length(manifest)
    assert any(f"{count} of the clip's 16 frames" in note for note in result.notes)
    frames = read_clip(EXAMPLES_DIR / clip)
    (given,) = frames_seen
    assert len(given) == count  # the model's num_frames
    for position, got in enumerate(given):  # evenly spread over the 16
        assert np.array_equal(np.asarray(got), np.asarray(frames[position * 16 // count]))
    if result.checkpoint_kind == "toy":  # the trained toy sees the triangle move left
        assert result.labels[0].label == "moving left"


def test_cli_takes_a_clip(manifest: dict, capsys: pytest.CaptureFixture) -> None:
    from explorer import cli
    from explorer.zoo import EXAMPLES_DIR

    assert cli.main(["run", "zoo:video-classification", "--video",
                     str(EXAMPLES_DIR / "clip.mp4"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert any(f"{_clip_length(manifest)} of the clip's 16 frames" in note
               for note in data["notes"])


def test_video_classification_repeats_a_still_image_with_a_note(manifest: dict,
                                                                 frames_seen: list) -> None:
    from explorer.zoo import EXAMPLES_DIR

    count = _clip_length(manifest)
    result = _run(manifest, "video-classification", image=str(EXAMPLES_DIR / "photo.jpg"))
    assert any("a still image" in note and f"{count}-frame clip" in note for note in result.notes)
    (given,) = frames_seen
    assert len(given) == count and all(frame is given[0] for frame in given)


# ---------------------------------------------------------------------------- detection


def test_object_detection_boxes_lie_inside_the_image(manifest: dict) -> None:
    result = _run(manifest, "object-detection")
    width, height = _example_size(manifest, "object-detection")
    threshold = manifest["object-detection"]["example"].get("options", {}).get("threshold", 0.5)
    assert isinstance(result, Detections)
    assert result.image_size == (width, height) and result.threshold == threshold
    assert len(result.objects) > 0
    scores = [o.score for o in result.objects]
    assert scores == sorted(scores, reverse=True) and min(scores) >= threshold
    for obj in result.objects:
        x0, y0, x1, y1 = obj.box
        assert 0 <= x0 <= x1 <= width and 0 <= y0 <= y1 <= height
        assert obj.label in ("circle", "square", "triangle")
    data = _json(result)
    assert data["image_size"] == [width, height]
    assert set(data["objects"][0]) == {"label", "score", "box"} and len(data["objects"][0]["box"]) == 4


def test_object_detection_options(manifest: dict) -> None:
    assert len(_run(manifest, "object-detection", options={"top_k": 3}).objects) == 3
    strict = _run(manifest, "object-detection", options={"threshold": 0.99})
    assert all(o.score >= 0.99 for o in strict.objects) and strict.threshold == 0.99
    with pytest.raises(BadInput, match="threshold"):
        _run(manifest, "object-detection", options={"threshold": "high"})


# ---------------------------------------------------------------------------- segmentation


@pytest.mark.parametrize("name", SEGMENTERS)
def test_segmentation_mask_matches_segments(name: str, manifest: dict) -> None:
    result = _run(manifest, name)
    width, height = _example_size(manifest, name)
    assert isinstance(result, Segmentation)
    assert result.mask.shape == result.mask_shape == (height, width)
    assert np.issubdtype(result.mask.dtype, np.integer)
    assert len(result.segments) > 0
    ids = {s.id for s in result.segments}
    assert set(np.unique(result.mask)) <= ids | {-1}
    for segment in result.segments:
        assert segment.area == int((result.mask == segment.id).sum())
        assert segment.score is None or 0.0 <= segment.score <= 1.0 or result.kind == "masks"
    data = _json(result)
    assert "mask" not in data and data["mask_shape"] == [height, width]
    assert {"id", "label", "area", "score"} <= set(data["segments"][0])


def test_segmentation_kinds(manifest: dict) -> None:
    assert _run(manifest, "semantic-segmentation").kind == "semantic"
    assert _run(manifest, "instance-segmentation").kind == "instance"
    assert _run(manifest, "universal-segmentation").kind == "panoptic"
    semantic = _run(manifest, "universal-segmentation", options={"kind": "semantic"})
    assert semantic.kind == "semantic"
    assert all(s.label in ("background", "sky", "grass", "circle", "square", "triangle")
               for s in semantic.segments)
    assert _run(manifest, "universal-segmentation", options={"kind": "instance"}).kind == "instance"
    with pytest.raises(BadInput, match="use one of: semantic$"):
        _run(manifest, "semantic-segmentation", options={"kind": "panoptic"})
    with pytest.raises(BadInput, match="semantic, instance, panoptic"):
        _run(manifest, "universal-segmentation", options={"kind": "cartoon"})


def test_semantic_segments_cover_the_image(manifest: dict) -> None:
    result = _run(manifest, "semantic-segmentation")
    assert sum(s.area for s in result.segments) == result.mask.size
    assert all(s.score is not None for s in result.segments)


def test_mask_generation_points(manifest: dict) -> None:
    result = _run(manifest, "mask-generation", options={"points": None})  # no prompt given
    assert result.kind == "masks" and len(result.segments) == 3
    scores = [s.score for s in result.segments]
    assert scores == sorted(scores, reverse=True)
    assert any("image centre" in note for note in result.notes)
    two = _run(manifest, "mask-generation", options={"points": "20,20;150,100"})
    assert two.mask.shape == result.mask.shape
    assert not any("image centre" in note for note in two.notes)
    with pytest.raises(BadInput, match="outside"):
        _run(manifest, "mask-generation", options={"points": "500,20"})
    with pytest.raises(BadInput, match="should look like"):
        _run(manifest, "mask-generation", options={"points": "middle"})


# ---------------------------------------------------------------------------- dense maps


def test_depth_map_at_image_size(manifest: dict) -> None:
    result = _run(manifest, "depth-estimation")
    width, height = _example_size(manifest, "depth-estimation")
    assert isinstance(result, DepthMap)
    assert result.depth.shape == result.shape == (height, width)
    assert np.isfinite(result.depth).all()
    assert result.min == pytest.approx(float(result.depth.min()))
    assert result.max == pytest.approx(float(result.depth.max())) and result.min <= result.max
    data = _json(result)
    assert "depth" not in data and data["shape"] == [height, width]


def test_image_matting_gives_a_grey_alpha_at_image_size(manifest: dict, tmp_path: Path) -> None:
    result = _run(manifest, "image-matting")
    width, height = _example_size(manifest, "image-matting")
    assert isinstance(result, ImageOutput)
    assert result.image.shape == result.shape == (height, width, 3)
    assert result.image.dtype == np.uint8
    assert (result.image[..., 0] == result.image[..., 2]).all()  # grey: the alpha matte
    assert any("no trimap" in note for note in result.notes)
    trimap = np.zeros((height, width), np.uint8)
    trimap[height // 4: 3 * height // 4, width // 4: 3 * width // 4] = 128
    Image.fromarray(trimap).save(tmp_path / "trimap.png")
    given = _run(manifest, "image-matting", options={"trimap": str(tmp_path / "trimap.png")})
    assert given.image.shape == (height, width, 3)
    assert not any("no trimap" in note for note in given.notes)
    Image.fromarray(trimap[:10, :10]).save(tmp_path / "small.png")
    with pytest.raises(BadInput, match="must match"):
        _run(manifest, "image-matting", options={"trimap": str(tmp_path / "small.png")})


# ---------------------------------------------------------------------------- keypoints


def test_keypoint_detection(manifest: dict) -> None:
    result = _run(manifest, "keypoint-detection")
    width, height = _example_size(manifest, "keypoint-detection")
    assert isinstance(result, Keypoints) and result.image_size == (width, height)
    assert 0 < len(result.keypoints) <= 64
    scores = [k.score for k in result.keypoints]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= k.x < width and 0 <= k.y < height for k in result.keypoints)
    assert len(_run(manifest, "keypoint-detection", options={"top_k": 5}).keypoints) == 5
    data = _json(result)
    assert set(data["keypoints"][0]) == {"x", "y", "score", "label"}


def test_pose_estimation_has_coco_keypoints_and_skeleton(manifest: dict) -> None:
    result = _run(manifest, "pose-estimation")
    assert isinstance(result, Keypoints)
    assert [k.label for k in result.keypoints] == list(COCO_KEYPOINTS)
    assert len(result.edges) == 19
    assert all(0 <= a < 17 and 0 <= b < 17 for a, b in result.edges)
    assert all(np.isfinite([k.x, k.y, k.score]).all() for k in result.keypoints)
    boxed = _run(manifest, "pose-estimation", options={"box": "20,30,200,280"})
    assert len(boxed.keypoints) == 17
    assert not any("whole image" in note for note in boxed.notes)
    with pytest.raises(BadInput, match="inside"):
        _run(manifest, "pose-estimation", options={"box": "0,0,9000,10"})


# ---------------------------------------------------------------------------- image output


def test_masked_image_modeling(manifest: dict) -> None:
    result = _run(manifest, "masked-image-modeling")
    width, height = _example_size(manifest, "masked-image-modeling")
    assert isinstance(result, ImageOutput)
    assert result.image.shape == (height, width, 3) and result.image.dtype == np.uint8
    assert any("8 of 16 patches" in note for note in result.notes)
    assert any("4 of 16 patches" in note for note in _run(
        manifest, "masked-image-modeling", options={"mask_ratio": 0.25}).notes)
    with pytest.raises(BadInput, match="mask_ratio"):
        _run(manifest, "masked-image-modeling", options={"mask_ratio": 1.5})


def test_super_resolution_doubles_the_size(manifest: dict) -> None:
    result = _run(manifest, "image-to-image")
    width, height = _example_size(manifest, "image-to-image")
    assert isinstance(result, ImageOutput)
    assert result.image.shape == result.shape == (2 * height, 2 * width, 3)
    assert result.image.dtype == np.uint8
    assert _json(result)["shape"] == [2 * height, 2 * width, 3]


# ---------------------------------------------------------------------------- backbone


def test_backbone_feature_maps_and_stage_choice(manifest: dict) -> None:
    result = _run(manifest, "backbone")
    assert isinstance(result, FeatureMaps)
    assert result.stages == ("stage1", "stage2", "stage3", "stage4")
    assert [m.shape[0] for m in result.maps] == [8, 16, 24, 32]
    assert all(result.shapes[s] == m.shape for s, m in zip(result.stages, result.maps))
    sides = [m.shape[-1] for m in result.maps]
    assert sides == sorted(sides, reverse=True)  # each stage halves the resolution
    assert _json(result)["shapes"]["stage4"] == list(result.maps[-1].shape)
    assert _run(manifest, "backbone", out_indices=[2, 4]).stages == ("stage2", "stage4")
    assert _run(manifest, "backbone", out_indices="1,3").stages == ("stage1", "stage3")
    assert _run(manifest, "backbone", out_features=["stage3"]).stages == ("stage3",)
    with pytest.raises(ExplorerError, match="out_indices"):
        _run(manifest, "backbone", out_indices=[9])


def test_backbone_stage_options_are_refused_after_loading(manifest: dict) -> None:
    from explorer.inputs import make_inputs
    from explorer.runner import run_loaded

    loaded = explorer.load("zoo:backbone")
    inputs = make_inputs(image=example_kwargs(manifest["backbone"]["example"])["image"])
    with pytest.raises(BadInput, match="when the backbone is loaded"):
        run_loaded(loaded, inputs, {"out_indices": [1]})


# ---------------------------------------------------------------------------- input conversion


def _image_in_mode(mode: str) -> Image.Image:
    rgb = Image.open(example_kwargs({"image": "shapes.png"})["image"]).convert("RGB")
    if mode == "I;16":
        grey = np.asarray(rgb.convert("L"), dtype=np.uint16) * 257
        return Image.fromarray(grey)  # uint16 → mode I;16
    if mode == "P":
        return rgb.quantize(colors=16)
    return rgb.convert(mode)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "L", "CMYK", "I;16", "P", "F"])
def test_any_image_mode_runs_and_keeps_its_size(mode: str, manifest: dict,
                                               tmp_path: Path) -> None:
    image = _image_in_mode(mode)
    assert image.mode == mode
    result = _run(manifest, "object-detection", image=image)
    assert result.inputs.image.mode == "RGB"
    assert result.image_size == image.size == (192, 128)
    path = tmp_path / ("in" + {"CMYK": ".jpg", "F": ".tiff"}.get(mode, ".png"))
    image.save(path)
    from_file = _run(manifest, "semantic-segmentation", image=str(path))
    assert from_file.mask.shape == (128, 192)


def test_array_and_bad_image_inputs(manifest: dict, tmp_path: Path) -> None:
    array = np.random.default_rng(0).integers(0, 255, (40, 60, 3), dtype=np.uint8)
    result = _run(manifest, "keypoint-detection", image=array)
    assert result.image_size == (60, 40)
    (tmp_path / "not-an-image.png").write_text("hello")
    with pytest.raises(BadInput, match="cannot read"):
        _run(manifest, "image-classification", image=str(tmp_path / "not-an-image.png"))
    with pytest.raises(BadInput, match="not found"):
        _run(manifest, "image-classification", image=str(tmp_path / "missing.png"))
