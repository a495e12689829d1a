"""The shapes world and the vision toys trained on it: the generator's ground truth is
consistent, every recipe still trains, and the committed checkpoints do what they claim."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import explorer
from explorer.toyworld.shapes import COLOURS, FAR, FLOOR_NEAR, KINDS, LABELS, clip, scene, single_shape
from explorer.zoo import example_kwargs, train_multimodal, train_vision
from explorer.zoo.train_vision import depth_order, match_boxes, scene_size, spearman
from explorer.zoo.training import TOY_KEY, TRAINED_DIR, TrainRecipe, read_manifest, train_recipes

TRAIN_RECIPES = train_vision.TRAIN_RECIPES + train_multimodal.TRAIN_RECIPES
COMMITTED = {r.name: r for r in TRAIN_RECIPES if r.name in read_manifest()}
SHAPES_PNG = example_kwargs({"image": "shapes.png"})["image"]
# The committed example: "a blue circle left of a red square left of a yellow triangle".
EXAMPLE = scene(103, (192, 128), count=3)
FLOOR_PNG = example_kwargs({"image": "floor.png"})["image"]
# The depth toy's example: "a yellow triangle left of a blue circle left of a red square".
FLOOR = scene(103, (192, 128), count=3, floor=True)


# ---------------------------------------------------------------------------- the generator


def test_same_seed_same_scene_and_other_seeds_differ() -> None:
    a, b, c = scene(7, (96, 80)), scene(7, (96, 80)), scene(8, (96, 80))
    assert np.array_equal(np.asarray(a.image), np.asarray(b.image))
    assert np.array_equal(a.instances, b.instances) and np.array_equal(a.depth, b.depth)
    assert (a.caption, a.qa, a.boxes) == (b.caption, b.qa, b.boxes)
    assert not np.array_equal(np.asarray(a.image), np.asarray(c.image))


@pytest.mark.parametrize("seed", range(0, 400, 20))
def test_ground_truth_agrees_with_the_pixels(seed: int) -> None:
    floor = seed % 60 == 20
    s = scene(seed, scene_size(seed), ground=seed % 40 == 0, floor=floor)
    width, height = s.image.size
    pixels = np.asarray(s.image)
    assert 1 <= len(s.shapes) <= 4 and s.masks.shape == (len(s.shapes), height, width)
    assert s.masks.sum(0).max() == 1  # instance masks never overlap
    assert set(np.unique(s.semantic)) == {0} | {LABELS.index(k) for k in s.labels}
    for shape, mask in zip(s.shapes, s.masks):
        rows, cols = np.nonzero(mask)
        assert shape.box == (cols.min(), rows.min(), cols.max() + 1, rows.max() + 1)
        assert (pixels[mask] == COLOURS[shape.colour]).all()
        assert (s.semantic[mask] == LABELS.index(shape.kind)).all()
        assert (s.depth[mask] == shape.depth).all() and shape.depth < FAR * 0.8
        x0, y0, x1, y1 = shape.box
        assert all(x0 - 1 <= x <= x1 and y0 - 1 <= y <= y1 for x, y in shape.keypoints)
        assert len(shape.vertices) == {"circle": 0, "square": 4, "triangle": 3}[shape.kind]
        assert f"a {shape.colour} {shape.kind}" in s.caption
    sides = [b[2] - b[0] for b in s.boxes]
    depths = [sh.depth for sh in s.shapes]
    assert np.all(np.diff(depths)[np.diff(sides) > 3] < 0)  # clearly larger → nearer
    assert (s.depth[s.instances == 0] >= (FLOOR_NEAR if floor else FAR * 0.8)).all()
    answers = dict(s.qa)
    assert answers["how many shapes are there?"] == str(len(s.shapes))
    for kind in KINDS:
        assert answers[f"is there a {kind}?"] == ("yes" if kind in s.labels else "no")
        if s.labels.count(kind) == 1:
            assert answers[f"what color is the {kind}?"] == s.colours[s.labels.index(kind)]


def test_single_shapes_and_clips() -> None:
    assert {single_shape(s).labels[0] for s in range(30)} == set(KINDS)
    for seed in range(6):
        c = clip(seed, 64, frames=6)
        xs = [np.nonzero((np.asarray(f).astype(int) - np.asarray(f)[0, 0]).any(-1))[1].mean()
              for f in c.frames]
        assert len(c.frames) == 6
        assert np.all(np.diff(xs) > 0) == (c.label == "moving right")
        assert np.all(np.diff(xs) < 0) == (c.label == "moving left")


@pytest.mark.parametrize("seed", [3, 40, 77])
def test_a_floor_recedes_to_the_top_behind_its_shapes(seed: int) -> None:
    s = scene(seed, scene_size(seed), floor=True)
    floor = s.depth[:, 0]  # shapes start at x ≥ 1: the first column is all floor
    assert (s.instances[:, 0] == 0).all()
    assert floor[0] == FAR and floor[-1] == pytest.approx(FLOOR_NEAR)
    assert np.all(np.diff(floor) < 0)  # nearer row by row towards the bottom
    for shape, mask in zip(s.shapes, s.masks):
        rows = np.nonzero(mask)[0]
        assert shape.depth < floor[rows].min()  # nearer than the floor behind it
    # a smooth floor is what makes per-pixel Spearman the right measure: noise barely costs
    noisy = s.depth + np.random.default_rng(0).normal(0, 0.01, s.depth.shape)
    assert spearman(s.depth, noisy) > 0.99


def test_bad_sizes_say_what_to_use() -> None:
    with pytest.raises(ValueError, match="32 to 1024"):
        scene(0, 8)


def test_committed_example_is_the_documented_scene() -> None:
    from PIL import Image

    assert np.array_equal(np.asarray(Image.open(SHAPES_PNG).convert("RGB")),
                          np.asarray(EXAMPLE.image))
    assert EXAMPLE.caption == "a blue circle left of a red square left of a yellow triangle"
    assert np.array_equal(np.asarray(Image.open(FLOOR_PNG).convert("RGB")),
                          np.asarray(FLOOR.image))
    assert FLOOR.caption == "a yellow triangle left of a blue circle left of a red square"


def test_depth_order_counts_pairs_at_different_depths_and_ignores_ties() -> None:
    truth = np.array([[10.0, 10.0, 5.0, 4.0]])
    assert depth_order(truth, truth) == 1.0
    assert depth_order(truth, -truth) == -1.0
    assert depth_order(truth, truth + np.array([[0.0, 0.3, 0.0, 0.0]])) == 1.0  # tie noise is free
    # 5 pairs at different depths; 4.0 read as farther than 5.0 turns one pair round: (4 − 1) / 5
    assert depth_order(truth, np.array([[10.0, 10.0, 4.0, 5.0]])) == pytest.approx(0.6)


def test_box_matching_needs_the_right_label_and_overlap() -> None:
    truth = [("circle", (0, 0, 10, 10)), ("square", (20, 20, 30, 30))]
    assert match_boxes(truth, [("circle", (1, 1, 10, 10)), ("square", (20, 20, 30, 30))]) == 2
    assert match_boxes(truth, [("square", (1, 1, 10, 10))]) == 0
    assert match_boxes(truth, [("circle", (5, 5, 15, 15))]) == 0  # IoU 0.14


# ---------------------------------------------------------------------------- training


@pytest.mark.parametrize("recipe", TRAIN_RECIPES, ids=lambda r: r.name)
def test_every_vision_recipe_still_trains_into_a_loadable_checkpoint(recipe: TrainRecipe,
                                                                     tmp_path: Path) -> None:
    from explorer.zoo.training import train

    entries = train([recipe.name], steps=2, out=tmp_path, show_progress=False)
    entry = entries[recipe.name]
    assert entry["steps"] == 2 and -1.0 <= entry["metrics"][recipe.headline] <= 1.0
    result = explorer.run(str(tmp_path / recipe.name), recipe.auto_class,
                          **example_kwargs(recipe.example or {}))
    assert result.checkpoint_kind == "toy" and not result.random_weights
    assert result.toy_headline.startswith("toy model, trained on the shapes world (")


# ---------------------------------------------------------------------------- committed toys


def test_committed_toys_are_small_and_meet_their_targets() -> None:
    """Every trained toy of every world (shapes, text, speech): one manifest, one size budget."""
    manifest = read_manifest()
    recipes = {r.name: r for r in train_recipes()}
    assert set(manifest) <= set(recipes)
    assert {p.name for p in TRAINED_DIR.iterdir() if p.is_dir()} == set(manifest)
    total = 0
    for name, entry in manifest.items():
        recipe = recipes[name]
        size = sum(p.stat().st_size for p in (TRAINED_DIR / name).iterdir())
        total += size
        assert size == entry["bytes"] and (TRAINED_DIR / name / "model.safetensors").is_file()
        assert size <= 3_000_000, f"{name}: {size} bytes"
        assert entry["metrics"][recipe.headline] >= recipe.target, name
        config = json.loads((TRAINED_DIR / name / "config.json").read_text())
        assert config[TOY_KEY]["metrics"] == entry["metrics"]
        assert "explorer_random_weights" not in config
    assert total <= 40_000_000


def test_the_readme_lists_every_committed_toy_with_its_architecture() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    manifest = read_manifest()
    assert f"**Trained toys** ({len(manifest)})" in readme
    for name, entry in manifest.items():
        assert f"| `zoo:{name}` | {entry['architecture']} |" in readme, name


def test_the_readme_says_why_each_random_checkpoint_is_random() -> None:
    from explorer.zoo import REAL_NAMES, recipes

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme[readme.index("- **Random weights**"):readme.index("## transformers v5")]
    trained = set(read_manifest()) | set(REAL_NAMES)
    random = sorted(r.name for r in recipes() if r.name not in trained)
    assert random, "every zoo entry is trained: drop the README's random-weights table"
    assert not [name for name in random if f"`zoo:{name}`" not in section]
    assert not [name for name in trained if f"`zoo:{name}`" in section]


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_committed_toy_holds_its_target_on_a_fixed_held_out_sample(name: str) -> None:
    recipe = COMMITTED[name]
    figures = recipe.evaluate(TRAINED_DIR / name, 24)
    assert figures[recipe.headline] >= recipe.target, figures


# ---------------------------------------------------------------------------- what a student sees


def _toy(name: str) -> None:
    if name not in COMMITTED:  # its zoo entry is still the random recipe
        pytest.skip(f"{name} has no committed trained checkpoint yet")


def test_the_detector_boxes_each_shape_of_the_example_with_its_name(zoo: Path) -> None:
    from explorer.render.common import badge_text

    _toy("object-detection")
    result = explorer.run("zoo:object-detection", image=SHAPES_PNG)  # default threshold
    assert result.checkpoint_kind == "toy" and not result.random_weights
    found = [(o.label, o.box) for o in result.objects]
    assert match_boxes(list(zip(EXAMPLE.labels, EXAMPLE.boxes)), found) == 3, found
    assert len(found) == 3
    badge = badge_text(result.render(), "toy-badge")
    assert badge == result.toy_headline and "shapes world" in badge
    assert badge_text(result.render()) is None  # no random-weights badge
    assert "explorer-toy-badge" in explorer.render.to_html(result)


def test_the_segmenter_colours_each_shape(zoo: Path) -> None:
    _toy("semantic-segmentation")
    result = explorer.run("zoo:semantic-segmentation", image=SHAPES_PNG)
    names = {s.id: s.label for s in result.segments}
    for shape, mask in zip(EXAMPLE.shapes, EXAMPLE.masks):
        predicted = np.vectorize(names.get)(result.mask[mask])
        assert (predicted == shape.kind).mean() > 0.8, shape.kind
    background = np.vectorize(names.get)(result.mask[EXAMPLE.instances == 0])
    assert (background == "background").mean() > 0.95


def test_the_depth_map_puts_each_shape_nearer_than_the_floor_behind_it(zoo: Path) -> None:
    _toy("depth-estimation")
    depth = explorer.run("zoo:depth-estimation", image=FLOOR_PNG).depth
    for shape, mask in zip(FLOOR.shapes, FLOOR.masks):
        x0, y0, x1, y1 = shape.box
        behind = np.zeros_like(mask)
        behind[y0:y1] = True  # the floor in the shape's rows, left and right of it
        behind &= FLOOR.instances == 0
        assert np.median(depth[mask]) < np.median(depth[behind]), shape.kind
    floor = FLOOR.instances == 0  # the floor recedes towards the top
    assert spearman(FLOOR.depth[floor], depth[floor]) > 0.8
    assert spearman(FLOOR.depth, depth) >= 0.8


def test_the_larger_shape_is_nearer_in_the_depth_map(zoo: Path) -> None:
    _toy("depth-estimation")
    # held-out scenes with a large and a small shape (depths at least 0.6 apart); the toy misses
    # some where the larger shape stands high in the image (the floor there is far)
    pairs = [s for s in (scene(seed, 128, count=2, floor=True)
                         for seed in range(9_500_000, 9_500_120))
             if len(s.shapes) == 2 and s.shapes[0].depth - s.shapes[1].depth > 0.6]
    assert len(pairs) == 19
    right = 0
    for s in pairs:
        depth = explorer.run("zoo:depth-estimation", image=s.image).depth
        far, near = (np.median(depth[mask]) for mask in s.masks)  # shapes run far to near
        right += near < far
    assert right >= 14, right


def _zoo_video(zoo: Path) -> tuple[object, object]:
    from transformers import AutoImageProcessor, AutoModelForVideoClassification

    _toy("video-classification")
    folder = zoo / "video-classification"
    return (AutoModelForVideoClassification.from_pretrained(folder).eval(),
            AutoImageProcessor.from_pretrained(folder))


def test_the_video_toy_tells_the_direction_of_the_example_clip(zoo: Path) -> None:
    import torch
    from PIL import Image, ImageSequence

    model, processor = _zoo_video(zoo)
    with Image.open(example_kwargs({"image": "moving_right.gif"})["image"]) as gif:
        frames = [f.convert("RGB") for f in ImageSequence.Iterator(gif)]
    assert len(frames) == model.config.num_frames
    for clip_frames, label in ((frames, "moving right"), (frames[::-1], "moving left")):
        with torch.inference_mode():
            logits = model(**processor(clip_frames, return_tensors="pt")).logits[0]
        assert model.config.id2label[int(logits.argmax())] == label
    still = explorer.run("zoo:video-classification", image=frames[3])  # the still-image path
    assert still.checkpoint_kind == "toy" and len(still.labels) == 2


def test_the_zero_shot_toy_names_the_shape_and_its_colour(zoo: Path) -> None:
    from explorer.zoo.train_multimodal import COLOUR_LABELS, SHAPE_LABELS

    _toy("zero-shot-image-classification")
    circle = next(s for s in (single_shape(seed, 96) for seed in range(50))
                  if s.labels == ["circle"])
    for image, shape, colour in ((circle.image, "a circle", f"a {circle.colours[0]} shape"),
                                 (example_kwargs({"image": "triangle.png"})["image"],
                                  "a triangle", "a green shape")):
        named = explorer.run("zoo:zero-shot-image-classification", image=image,
                             labels=list(SHAPE_LABELS))
        assert named.checkpoint_kind == "toy" and named.labels[0].label == shape
        coloured = explorer.run("zoo:zero-shot-image-classification", image=image,
                                labels=list(COLOUR_LABELS))
        assert coloured.labels[0].label == colour


@pytest.mark.parametrize("name", ["image-classification", "image-classification-convnext"])
def test_the_classifiers_name_the_example_shape(name: str, zoo: Path) -> None:
    _toy(name)
    result = explorer.run(f"zoo:{name}", image=example_kwargs({"image": "triangle.png"})["image"])
    assert result.labels[0].label == "triangle"
    assert tuple(result.label_names) == KINDS


def test_the_zoo_lists_and_copies_the_toys_quickly(zoo: Path, manifest: dict,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from explorer.cli import main

    for name in COMMITTED:
        entry = manifest[name]
        assert entry["kind"] == "toy" and entry["seconds"] < 5
        assert explorer.resolve(f"zoo:{name}").checkpoint_kind == "toy"
    assert main(["zoo", str(zoo)]) == 0
    listing = capsys.readouterr().out
    for name, recipe in COMMITTED.items():
        assert f"trained toy ({recipe.headline} " in next(
            line for line in listing.splitlines() if line.split()[0] == name)
    assert "random weights" in listing


def test_the_picker_offers_a_trained_toy_before_a_random_checkpoint_of_its_task(
        zoo: Path, manifest: dict) -> None:
    """The dashboard selects a task's first zoo choice: where the zoo holds a trained toy for the
    task's head (even under a second name), a random checkpoint must not come first."""
    from explorer.ui.checkpoints import zoo_choices

    toys = {entry["auto_class"] for entry in manifest.values() if entry.get("kind") == "toy"}
    assert "AutoModelForAudioFrameClassification" in toys  # its toy is not the task's own name
    for auto_class in sorted(toys):
        first = zoo_choices(explorer.get_task(auto_class))[0]
        assert not first.random_weights, (auto_class, first.checkpoint)
    # A real checkpoint whose saved class is exactly the task's comes first too.
    encoder = zoo_choices(explorer.get_task("AutoModelForTextEncoding"))[0]
    assert encoder.checkpoint == "zoo:all-MiniLM-L6-v2" and not encoder.random_weights
