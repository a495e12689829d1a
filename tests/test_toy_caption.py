"""The captioning toy: a tiny BLIP trained on the shapes world still trains, holds its target on
held-out scenes, and captions the committed example with every shape and its colour."""

from __future__ import annotations

from pathlib import Path

import pytest

import explorer
from explorer.toyworld.shapes import scene
from explorer.zoo import example_kwargs
from explorer.zoo.train_captions import PROMPT, TRAIN_RECIPES, names_all
from explorer.zoo.training import TRAINED_DIR, read_manifest, train

NAME = "image-text-to-text"
RECIPE = next(r for r in TRAIN_RECIPES if r.name == NAME)
# examples/shapes.png: "a blue circle left of a red square left of a yellow triangle"
EXAMPLE = scene(103, (192, 128), count=3)


def _committed() -> None:
    if NAME not in read_manifest():
        pytest.skip(f"{NAME} has no committed trained checkpoint yet")


def test_names_all_wants_each_shape_with_its_colour_and_nothing_more() -> None:
    assert names_all(EXAMPLE.caption, EXAMPLE)
    assert names_all("a yellow triangle left of a blue circle left of a red square", EXAMPLE)
    assert not names_all("a blue circle left of a red square", EXAMPLE)
    assert not names_all("a blue circle left of a green square left of a yellow triangle",
                         EXAMPLE)
    assert not names_all(EXAMPLE.caption + " left of a red circle", EXAMPLE)


def test_the_recipe_still_trains_into_a_toy_the_explorer_runs(tmp_path: Path) -> None:
    entry = train([NAME], steps=2, out=tmp_path, show_progress=False)[NAME]
    assert entry["steps"] == 2 and 0.0 <= entry["metrics"][RECIPE.headline] <= 1.0
    result = explorer.run(str(tmp_path / NAME), RECIPE.auto_class,
                          **example_kwargs(RECIPE.example or {}))
    assert result.checkpoint_kind == "toy" and not result.random_weights
    assert result.toy_headline.startswith("toy model, trained on the shapes world (")


def test_the_committed_captioner_holds_its_target_on_held_out_scenes() -> None:
    _committed()
    figures = RECIPE.evaluate(TRAINED_DIR / NAME, 24)
    assert figures[RECIPE.headline] >= RECIPE.target, figures
    assert figures["names_all_prompted"] >= RECIPE.target, figures


@pytest.mark.parametrize("prompt", ["", PROMPT])
def test_the_caption_of_the_example_names_every_shape_and_its_colour(zoo: Path,
                                                                      prompt: str) -> None:
    from explorer.render.common import badge_text

    _committed()
    shown = example_kwargs(RECIPE.example or {})
    assert shown["image"].name == "shapes.png"
    result = explorer.run(f"zoo:{NAME}", image=shown["image"], text=prompt or None)
    assert result.checkpoint_kind == "toy" and not result.random_weights
    assert result.text == f"{prompt} {EXAMPLE.caption}".strip()
    assert badge_text(result.render(), "toy-badge") == result.toy_headline
    assert badge_text(result.render()) is None  # no random-weights badge
