"""The promptable-mask toy (a tiny SAM trained on the shapes world): the recipe still trains, the
committed checkpoint holds its target, and a point inside a shape of the example gives that
shape's mask."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import explorer
from explorer.results import Segmentation
from explorer.toyworld.shapes import scene
from explorer.zoo import example_kwargs
from explorer.zoo.train_masks import TRAIN_RECIPES, prompt_points
from explorer.zoo.training import TRAINED_DIR, read_manifest, train

RECIPE = TRAIN_RECIPES[0]
COMMITTED = RECIPE.name in read_manifest()
EXAMPLE = scene(103, (192, 128), count=3)
"""What ``shapes.png`` shows: a blue circle left of a red square left of a yellow triangle."""


def _best_mask(result: Segmentation) -> np.ndarray:
    """The best-scoring mask: painted last, so all of it shows in ``result.mask``."""
    return result.mask == result.segments[0].id


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def _committed() -> None:
    if not COMMITTED:
        pytest.skip("mask-generation has no committed trained checkpoint yet")


def test_prompt_points_lie_inside_the_shape_away_from_its_edge() -> None:
    rng = np.random.default_rng(0)
    for mask in EXAMPLE.masks:
        for x, y in prompt_points(mask, rng, 20):
            col, row = int(x), int(y)  # 2 px inside: its 2-step neighbourhood is all shape
            assert mask[row - 2:row + 3, col].all() and mask[row, col - 2:col + 3].all()
            assert mask[row - 1:row + 2, col - 1:col + 2].all()
    sliver = np.zeros((20, 20), dtype=bool)
    sliver[5, 3:9] = True  # too thin to stay 2 px inside: any of its pixels
    x, y = prompt_points(sliver, rng)[0]
    assert sliver[int(y), int(x)]


def test_the_recipe_still_trains_into_a_toy_checkpoint(tmp_path: Path) -> None:
    entry = train([RECIPE.name], steps=2, out=tmp_path, show_progress=False)[RECIPE.name]
    assert entry["steps"] == 2 and 0.0 <= entry["metrics"]["mIoU"] <= 1.0
    result = explorer.run(str(tmp_path / RECIPE.name), RECIPE.auto_class,
                          **example_kwargs(RECIPE.example or {}))
    assert result.checkpoint_kind == "toy" and not result.random_weights
    assert result.kind == "masks" and len(result.segments) == 3


def test_the_committed_toy_holds_its_target_on_held_out_scenes() -> None:
    _committed()
    figures = RECIPE.evaluate(TRAINED_DIR / RECIPE.name, 24)
    assert figures[RECIPE.headline] >= RECIPE.target, figures
    assert figures["recall@0.5"] >= 0.9, figures


def test_the_example_point_gives_the_circle(zoo: Path) -> None:
    from explorer.render.common import badge_text

    _committed()
    kwargs = example_kwargs(RECIPE.example or {})
    x, y = (float(v) for v in kwargs["options"]["points"].split(","))
    circle = EXAMPLE.masks[EXAMPLE.labels.index("circle")]
    assert circle[int(y), int(x)]  # the example's point is inside the circle
    result = explorer.run("zoo:mask-generation", **kwargs)
    assert result.checkpoint_kind == "toy" and not result.random_weights
    assert _iou(_best_mask(result), circle) >= 0.75
    badge = badge_text(result.render(), "toy-badge")
    assert badge == result.toy_headline and "shapes world" in badge
    assert badge_text(result.render()) is None  # no random-weights badge


def test_a_point_in_each_shape_gives_that_shape_and_not_the_others(zoo: Path) -> None:
    _committed()
    rng = np.random.default_rng(5)
    masks = EXAMPLE.masks
    for i, (shape, mask) in enumerate(zip(EXAMPLE.shapes, masks)):
        x, y = prompt_points(mask, rng)[0]
        result = explorer.run("zoo:mask-generation", image=EXAMPLE.image,
                              options={"points": f"{x},{y}"})
        found = _best_mask(result)
        assert _iou(found, mask) >= 0.75, shape.kind
        others = np.delete(masks, i, axis=0).any(0)
        assert (found & others).sum() < 0.05 * mask.sum(), shape.kind
