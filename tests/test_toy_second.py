"""The second toy of detection and of semantic segmentation: another architecture that learned
the same shapes world, so the dashboard's Compare sets two real, different models side by side.

(Their held-out targets on 24 scenes are checked with every committed shapes toy in
tests/test_toyworld.py.)"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import explorer
from explorer.toyworld.shapes import scene
from explorer.zoo import example_kwargs
from explorer.zoo.train_vision import match_boxes
from explorer.zoo.training import read_manifest, train

SHAPES_PNG = example_kwargs({"image": "shapes.png"})["image"]
# shapes.png: "a blue circle left of a red square left of a yellow triangle".
EXAMPLE = scene(103, (192, 128), count=3)
# zoo name → (the first toy of its task, the class the second one trains)
SECOND = {"object-detection-rt-detr": ("object-detection", "RTDetrForObjectDetection"),
          "semantic-segmentation-upernet": ("semantic-segmentation",
                                            "UperNetForSemanticSegmentation")}


def _committed(name: str) -> None:
    if name not in read_manifest():
        pytest.skip(f"{name} has no committed trained checkpoint yet")


@pytest.mark.parametrize("name", sorted(SECOND))
def test_the_recipe_still_trains_its_own_architecture(name: str, tmp_path: Path) -> None:
    entry = train([name], steps=2, out=tmp_path, show_progress=False)[name]
    assert entry["architecture"] == SECOND[name][1] and entry["steps"] == 2
    result = explorer.run(str(tmp_path / name), image=SHAPES_PNG)
    assert result.checkpoint_kind == "toy" and not result.random_weights
    assert result.model_class == SECOND[name][1]


def test_the_rt_detr_boxes_each_shape_of_the_example_with_its_name(zoo: Path) -> None:
    _committed("object-detection-rt-detr")
    result = explorer.run("zoo:object-detection-rt-detr", image=SHAPES_PNG)
    assert result.checkpoint_kind == "toy" and not result.random_weights
    truth = list(zip(EXAMPLE.labels, EXAMPLE.boxes))
    found = [(o.label, o.box) for o in result.objects]
    assert match_boxes(truth, found) == 3, found
    # no NMS in the DETR family: a second box on a shape may stay (the square's, at 0.71), but
    # every box lies on a shape of its name
    assert all(match_boxes(truth, [box]) == 1 for box in found), found
    assert len(found) <= 4


def test_the_upernet_colours_each_shape(zoo: Path) -> None:
    _committed("semantic-segmentation-upernet")
    result = explorer.run("zoo:semantic-segmentation-upernet", image=SHAPES_PNG)
    assert result.checkpoint_kind == "toy"
    names = {s.id: s.label for s in result.segments}
    for shape, mask in zip(EXAMPLE.shapes, EXAMPLE.masks):
        predicted = np.vectorize(names.get)(result.mask[mask])
        assert (predicted == shape.kind).mean() > 0.8, shape.kind
    background = np.vectorize(names.get)(result.mask[EXAMPLE.instances == 0])
    assert (background == "background").mean() > 0.95


@pytest.mark.parametrize("name", sorted(SECOND))
def test_compare_offers_the_second_toy_first_and_runs_both(name: str, zoo: Path) -> None:
    from explorer.ui.application import ExplorerApp

    _committed(name)
    first, architecture = SECOND[name]
    app = ExplorerApp(threaded=False, online=False)
    app.catalog.task = first
    assert app.checkpoints.checkpoint == f"zoo:{first}"
    assert app.compare.picker.value == f"zoo:{name}"
    assert app.compare_with() and app.controller.error == ""
    left, right = app.compare.left.value, app.compare.right.value
    assert f"zoo:{first}" in left and f"zoo:{name}" in right and architecture in right
    assert architecture not in left
    for column in (left, right):
        assert "explorer-toy-badge" in column and "random weights" not in column
