"""The captioning toy: a tiny BLIP trained on the shapes world still trains, holds its target on
held-out scenes, and captions the committed example with every shape and its colour."""

from __future__ import annotations

from pathlib import Path

import pytest

import explorer
import explorer.render
from explorer.toyworld.shapes import COLOURS, KINDS, scene
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
def test_the_caption_of_the_example_gets_its_colours_and_shows_where_it_doubts(zoo: Path,
                                                                              prompt: str) -> None:
    """On examples/shapes.png the toy is among the 18 % it gets wrong: the colours and their order
    are right, a shape word is not. The view must show that doubt: the words it is least sure
    of are shape words (lesson 6 tells students to look there)."""
    from explorer.render.common import badge_text

    _committed()
    shown = example_kwargs(RECIPE.example or {})
    assert Path(shown["image"]).name == "shapes.png"
    result = explorer.run(f"zoo:{NAME}", image=shown["image"], text=prompt or None)
    assert result.checkpoint_kind == "toy" and not result.random_weights
    words = result.text.removeprefix(prompt).split()
    truth = EXAMPLE.caption.split()
    assert len(words) == len(truth)
    assert [w for w in words if w in COLOURS] == [w for w in truth if w in COLOURS]
    assert sum(w in KINDS for w in words) == len(EXAMPLE.shapes)
    new = result.generated_tokens[-len(words) - 1:-1]  # the caption's words, without [SEP]
    scores = result.token_scores[-len(words) - 1:-1]
    assert [t.strip() for t in new] == words
    doubts = sorted(range(len(words)), key=scores.__getitem__)[:2]
    assert all(words[i] in KINDS for i in doubts) and max(scores[i] for i in doubts) < 0.9
    figure = explorer.render.render(result, "figure")
    assert badge_text(figure, "toy-badge") == result.toy_headline
    assert badge_text(figure) is None  # no random-weights badge
    assert "explorer-toy-badge" in explorer.render.to_html(result)
