"""The zero-shot detection toy: a tiny OWL-ViT that boxes the shapes a text query names. Its
training loss, that the recipe still trains, and what the committed checkpoint does."""

from __future__ import annotations

from pathlib import Path

import pytest

import explorer
from explorer.toyworld.shapes import scene
from explorer.zoo import example_kwargs
from explorer.zoo.train_multimodal import COLOUR_LABELS
from explorer.zoo.train_vision import match_boxes, scenes
from explorer.zoo.train_zero_shot_detection import (
    GRID,
    NAME,
    THRESHOLD,
    TRAIN_RECIPES,
    _assign,
    _owlvit,
)
from explorer.zoo.training import TRAINED_DIR, read_manifest, train

RECIPE = TRAIN_RECIPES[0]
SHAPES_PNG = example_kwargs({"image": "shapes.png"})["image"]
# The committed example: "a blue circle left of a red square left of a yellow triangle".
EXAMPLE = scene(103, (192, 128), count=3)


def _committed() -> None:
    if NAME not in read_manifest():
        pytest.skip(f"{NAME} has no committed trained checkpoint yet")


def test_each_shape_gets_the_patch_over_its_centre_and_no_patch_two_shapes() -> None:
    for s in scenes(0, 40):
        patches, boxes = _assign(s)
        assert len(set(patches)) == len(patches) == len(s.shapes)
        width, height = s.image.size
        for patch, box, (x0, y0, x1, y1) in zip(patches, boxes, s.boxes):
            assert box == pytest.approx(((x0 + x1) / 2 / width, (y0 + y1) / 2 / height,
                                         (x1 - x0) / width, (y1 - y0) / height))
            row, col = divmod(patch, GRID)  # the patch lies under the box
            assert x0 / width - 1 / GRID < (col + 0.5) / GRID < x1 / width + 1 / GRID
            assert y0 / height - 1 / GRID < (row + 0.5) / GRID < y1 / height + 1 / GRID


def test_the_training_loss_scores_what_the_model_outputs() -> None:
    """The objective calls the model's parts (text once per step, not once per image); they must
    give what ``model(**processor(...))`` gives, which is what the explorer runs."""
    import torch
    import transformers

    config, processor = _owlvit()
    model = transformers.AutoModelForZeroShotObjectDetection.from_config(config).eval()
    labels = ["a circle", "a red shape", "a blue square"]
    images = [s.image for s in scenes(0, 2)]
    encoded = processor(text=[labels] * 2, images=images, return_tensors="pt")
    with torch.inference_mode():
        outputs = model(**encoded)
        text = processor.tokenizer(labels, return_tensors="pt", padding="max_length")
        queries = model.owlvit.get_text_features(**text).pooler_output
        feature_map, _ = model.image_embedder(pixel_values=encoded["pixel_values"])
        feats = feature_map.flatten(1, 2)
        logits, _ = model.class_predictor(feats, queries.expand(2, -1, -1))
        boxes = model.box_predictor(feats, feature_map)
    assert logits.shape == (2, GRID * GRID, 3)
    assert torch.allclose(logits, outputs.logits, atol=1e-5)
    assert torch.allclose(boxes, outputs.pred_boxes, atol=1e-6)


def test_the_recipe_still_trains_into_a_loadable_checkpoint(tmp_path: Path) -> None:
    entry = train([NAME], steps=2, out=tmp_path, show_progress=False)[NAME]
    assert entry["steps"] == 2 and 0.0 <= entry["metrics"]["recall@0.5"] <= 1.0
    result = explorer.run(str(tmp_path / NAME), RECIPE.auto_class,
                          **example_kwargs(RECIPE.example or {}))
    assert result.checkpoint_kind == "toy" and not result.random_weights
    assert result.toy_headline.startswith("toy model, trained on the shapes world (")


def test_the_committed_toy_holds_its_target_on_a_fixed_held_out_sample() -> None:
    _committed()
    figures = RECIPE.evaluate(TRAINED_DIR / NAME, 24)
    assert figures[RECIPE.headline] >= RECIPE.target, figures


# ---------------------------------------------------------------------------- what a student sees


def test_the_toy_boxes_each_shape_of_the_example_by_its_name(zoo: Path) -> None:
    from explorer.render.common import badge_text

    _committed()
    result = explorer.run(f"zoo:{NAME}", **example_kwargs(RECIPE.example or {}))
    assert result.checkpoint_kind == "toy" and not result.random_weights
    found = [(o.label, o.box) for o in result.objects]
    truth = [(f"a {k}", b) for k, b in zip(EXAMPLE.labels, EXAMPLE.boxes)]
    assert match_boxes(truth, found) == 3, found
    assert badge_text(result.render(), "toy-badge") == result.toy_headline
    assert badge_text(result.render()) is None  # no random-weights badge


def test_the_toy_finds_a_shape_by_its_colour(zoo: Path) -> None:
    _committed()
    result = explorer.run(f"zoo:{NAME}", image=SHAPES_PNG, labels=list(COLOUR_LABELS),
                          options={"threshold": THRESHOLD})
    found = [(o.label, o.box) for o in result.objects]
    truth = [(f"a {c} shape", b) for c, b in zip(EXAMPLE.colours, EXAMPLE.boxes)]
    assert match_boxes(truth, found) == 3, found
    assert "a green shape" not in {o.label for o in result.objects}  # none in the scene


def test_only_the_named_shape_is_boxed(zoo: Path) -> None:
    _committed()
    result = explorer.run(f"zoo:{NAME}", image=SHAPES_PNG, labels=["a square"],
                          options={"threshold": THRESHOLD})
    square = EXAMPLE.boxes[EXAMPLE.labels.index("square")]
    assert match_boxes([("a square", square)], [(o.label, o.box) for o in result.objects]) == 1
    assert len(result.objects) == 1, result.objects
