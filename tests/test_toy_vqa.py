"""The visual question answering toy: a tiny ViLT that answers the shapes world's questions.
The recipe still trains, the committed checkpoint holds its target on held-out scenes, and it
answers the questions of the committed example right."""

from __future__ import annotations

from pathlib import Path

import pytest

import explorer
import explorer.render
from explorer.results import Answer
from explorer.toyworld.shapes import scene
from explorer.zoo import example_kwargs
from explorer.zoo.train_multimodal import QUESTION_KINDS, TRAIN_RECIPES, VQA_ANSWERS, question_kind
from explorer.zoo.training import TRAINED_DIR, read_manifest, train

NAME = "visual-question-answering"
RECIPE = next(r for r in TRAIN_RECIPES if r.name == NAME)
SHAPES_PNG = example_kwargs({"image": "shapes.png"})["image"]
# The committed example: "a blue circle left of a red square left of a yellow triangle".
EXAMPLE = scene(103, (192, 128), count=3)


def _committed() -> None:
    if NAME not in read_manifest():
        pytest.skip(f"{NAME} has no committed trained checkpoint yet")


def test_every_question_of_the_world_has_a_kind_and_an_answer_the_head_knows() -> None:
    asked = [qa for seed in range(40) for qa in scene(seed, 96).qa]
    assert {question_kind(q) for q, _ in asked} == set(QUESTION_KINDS)
    assert {a for _, a in asked} <= set(VQA_ANSWERS)


def test_the_recipe_still_trains_into_a_toy_that_reports_each_kind(tmp_path: Path) -> None:
    entry = train([NAME], steps=2, out=tmp_path, show_progress=False)[NAME]
    assert entry["steps"] == 2 and set(entry["metrics"]) == {"accuracy", *QUESTION_KINDS}
    result = explorer.run(str(tmp_path / NAME), RECIPE.auto_class,
                          **example_kwargs(RECIPE.example or {}))
    assert isinstance(result, Answer) and result.answer in VQA_ANSWERS
    assert result.checkpoint_kind == "toy" and not result.random_weights


def test_the_committed_toy_holds_its_target_on_held_out_scenes() -> None:
    _committed()
    assert RECIPE.evaluate is not None
    figures = RECIPE.evaluate(TRAINED_DIR / NAME, 24)
    assert figures["accuracy"] >= RECIPE.target, figures


def test_the_toy_answers_the_example_question_with_the_circles_colour(zoo: Path) -> None:
    from explorer.render.common import badge_text

    _committed()
    assert RECIPE.example == {"image": "shapes.png", "question": "what color is the circle?"}
    result = explorer.run(f"zoo:{NAME}", **example_kwargs(RECIPE.example))
    assert isinstance(result, Answer) and result.checkpoint_kind == "toy"
    assert not result.random_weights
    assert result.answer == EXAMPLE.colours[EXAMPLE.labels.index("circle")] == "blue"
    figure = explorer.render.render(result, "figure")
    assert badge_text(figure, "toy-badge") == result.toy_headline
    assert badge_text(figure) is None  # no random-weights badge
    assert "explorer-toy-badge" in explorer.render.to_html(result)


def test_the_toy_answers_most_questions_about_the_example(zoo: Path) -> None:
    _committed()
    image = example_kwargs(RECIPE.example or {})["image"]
    right = [explorer.run(f"zoo:{NAME}", image=image, question=q).answer == a
             for q, a in EXAMPLE.qa]
    # held out it answers 0.93; here it misses the small red square (it says there is none)
    assert sum(right) >= len(right) - 2, list(zip(EXAMPLE.qa, right))
