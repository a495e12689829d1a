"""The mask-classification toys (MaskFormer for instance, Mask2Former for universal segmentation):
their targets follow the scene, the recipes still train, and the committed checkpoints mask and
name the example's shapes (what each gets wrong there: ``ON_THE_EXAMPLE``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import explorer
from explorer.results import Segmentation
from explorer.toyworld.shapes import KINDS, LABELS, scene
from explorer.zoo import example_kwargs, train_instances
from explorer.zoo.train_instances import mask_targets, match_masks
from explorer.zoo.train_vision import SIDE
from explorer.zoo.training import TRAINED_DIR, TrainRecipe, read_manifest

RECIPES = {r.name: r for r in train_instances.TRAIN_RECIPES}
COMMITTED = sorted(set(RECIPES) & set(read_manifest()))
SHAPES_PNG = example_kwargs({"image": "shapes.png"})["image"]
# The committed example: "a blue circle left of a red square left of a yellow triangle".
EXAMPLE = scene(103, (192, 128), count=3)


def test_targets_are_one_mask_per_shape_and_the_background_as_stuff() -> None:
    s = scene(5, (120, 80), count=3)
    masks, labels = mask_targets(s, KINDS)
    assert masks.shape == (3, SIDE, SIDE) and labels == [KINDS.index(k) for k in s.labels]
    with_background, ids = mask_targets(s, LABELS)
    assert ids == [0, *(LABELS.index(k) for k in s.labels)]
    assert np.array_equal(with_background[1:], masks)
    assert (with_background.sum(0) == 1).all()  # the regions tile the image


def test_mask_matching_needs_the_right_label_and_overlap() -> None:
    square = np.zeros((10, 10), bool)
    square[2:6, 2:6] = True
    shifted = np.roll(square, 1, axis=1)  # IoU 12 / 20
    far = np.roll(square, 3, axis=1)  # IoU 4 / 28
    assert match_masks([("square", square)], [("square", shifted)]) == 1
    assert match_masks([("square", square)], [("circle", square)]) == 0
    assert match_masks([("square", square)], [("square", far)]) == 0
    assert match_masks([("square", square), ("square", shifted)], [("square", square)]) == 1


@pytest.mark.parametrize("recipe", RECIPES.values(), ids=lambda r: r.name)
def test_the_recipe_still_trains_into_a_loadable_checkpoint(recipe: TrainRecipe,
                                                            tmp_path: Path) -> None:
    from explorer.zoo.training import train

    entry = train([recipe.name], steps=2, out=tmp_path, show_progress=False)[recipe.name]
    assert entry["steps"] == 2 and 0.0 <= entry["metrics"][recipe.headline] <= 1.0
    result = explorer.run(str(tmp_path / recipe.name), recipe.auto_class,
                          **example_kwargs(recipe.example or {}))
    assert isinstance(result, Segmentation)
    assert result.checkpoint_kind == "toy" and not result.random_weights


@pytest.mark.parametrize("name", COMMITTED)
def test_the_committed_toy_holds_its_target_on_a_fixed_held_out_sample(name: str) -> None:
    recipe = RECIPES[name]
    figures = recipe.evaluate(TRAINED_DIR / name, 24)
    assert figures[recipe.headline] >= recipe.target, figures


# ---------------------------------------------------------------------------- what a student sees


def _shapes_found(result: Segmentation) -> list[tuple[str, np.ndarray]]:
    return [(s.label, result.mask == s.id) for s in result.segments if s.label != "background"]


def _toy(name: str) -> None:
    if name not in COMMITTED:  # its zoo entry is still the random recipe
        pytest.skip(f"{name} has no committed trained checkpoint yet")


def _masked_and_named(found: list[tuple[str, np.ndarray]]) -> tuple[int, int]:
    """How many of the example's shapes a found mask covers at IoU 0.5: whatever its label, and
    with the shape's own label."""
    truth = list(zip(EXAMPLE.labels, EXAMPLE.masks))
    anyhow = match_masks([("shape", m) for _, m in truth], [("shape", m) for _, m in found])
    return anyhow, match_masks(truth, found)


# What each toy shows on the example: (shapes masked at IoU 0.5, of them named right, masks).
# The universal toy (held-out recall 0.79) masks all three but names the square a circle:
# squeezed to the 64×64 input, the example's square is a 1:1.5 rectangle. The instance toy
# (0.80) masks and names the circle and the triangle; over the square it paints two masks, a
# square and then a triangle (score 0.54), and the square's visible part covers IoU 0.44 only.
ON_THE_EXAMPLE = {"universal-segmentation": (3, 2, 3), "instance-segmentation": (2, 2, 4)}


@pytest.mark.parametrize("name", ON_THE_EXAMPLE)
def test_the_example_shapes_get_masks_with_their_names(name: str, zoo: Path) -> None:
    from explorer.render.common import badge_text

    _toy(name)
    result = explorer.run(f"zoo:{name}", image=SHAPES_PNG)  # the default thresholds
    assert result.checkpoint_kind == "toy" and not result.random_weights
    found = _shapes_found(result)
    masked, named = _masked_and_named(found)
    least_masked, least_named, masks = ON_THE_EXAMPLE[name]
    labels = [s.label for s in result.segments]
    assert masked >= least_masked and named >= least_named and len(found) == masks, labels
    assert badge_text(result.render(), "toy-badge") == result.toy_headline
    assert badge_text(result.render()) is None  # no random-weights badge


def test_the_universal_toy_gives_panoptic_instance_and_semantic_answers(zoo: Path) -> None:
    _toy("universal-segmentation")
    panoptic = explorer.run("zoo:universal-segmentation", image=SHAPES_PNG)
    assert panoptic.kind == "panoptic"
    background = [s for s in panoptic.segments if s.label == "background"]
    assert len(background) == 1  # the stuff region, around the shapes
    assert (panoptic.mask[EXAMPLE.instances == 0] == background[0].id).mean() > 0.9
    semantic = explorer.run("zoo:universal-segmentation", image=SHAPES_PNG, kind="semantic")
    names = {s.id: s.label for s in semantic.segments}
    labelled = np.vectorize(names.get)(semantic.mask)
    assert ((labelled == "background") == (EXAMPLE.instances == 0)).mean() > 0.95
    right = [(labelled[mask] == shape.kind).mean() > 0.8
             for shape, mask in zip(EXAMPLE.shapes, EXAMPLE.masks)]
    assert sum(right) >= 2, right
    instance = explorer.run("zoo:universal-segmentation", image=SHAPES_PNG, kind="instance")
    assert _masked_and_named(_shapes_found(instance))[0] == 3
