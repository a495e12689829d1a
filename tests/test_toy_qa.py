"""The extractive-QA toy (``zoo:question-answering``): its world of fact paragraphs, its recipe,
and what the committed checkpoint answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import explorer
import explorer.render
from explorer.render.common import badge_text
from explorer.toyworld import text as world
from explorer.zoo import train_text
from explorer.zoo.fitting import explorer_runner
from explorer.zoo.training import TRAINED_DIR, read_manifest, train

NAME = "question-answering"
RECIPE = next(r for r in train_text.TRAIN_RECIPES if r.name == NAME)
EXAMPLE = RECIPE.example or {}


def _fact_pattern(fact: str) -> str:
    return re.escape(fact).replace(r"\{P\}", "(?P<name>[A-Z][a-z]+)") \
        .replace(r"\{L\}", "(?P<place>[A-Z][A-Za-z ]+?)")


def _parse(context: str) -> list[tuple[str, str, str]]:
    """The (fact template, name, place) of each sentence of a world paragraph."""
    found = []
    for sentence in re.findall(r"[^.]+\.", context):
        fact, match = next((f, m) for f, _ in world._FACTS
                           if (m := re.fullmatch(_fact_pattern(f), sentence.strip())))
        found.append((fact, match["name"], match["place"]))
    return found


# ---------------------------------------------------------------------------- the world


def test_a_paragraph_states_facts_about_distinct_people_and_the_question_asks_one() -> None:
    counts = set()
    for seed in range(300):
        item = world.facts(seed)
        parsed = _parse(item.context)
        counts.add(len(parsed))
        names, places = [n for _, n, _ in parsed], [p for _, _, p in parsed]
        assert set(names) <= set(world.FIRST_NAMES) and len(set(names)) == len(names)
        assert set(places) <= set(world.PLACES) and len(set(places)) == len(places)
        fact, name, place = next(f for f in parsed if item.answer in f[1:])
        questions = dict(world._FACTS)
        assert item.question in (questions[fact].format(P=name), world._WHO[fact].format(L=place))
        assert item.answer == (name if item.question.startswith("Who") else place)
    assert counts == {2, 3, 4}


def test_a_same_verb_paragraph_leaves_only_the_name_to_tell_its_facts_apart() -> None:
    for seed in range(100):
        item = world.same_verb_facts(seed)
        parsed = _parse(item.context)
        assert 2 <= len(parsed) <= 4 and len({fact for fact, _, _ in parsed}) == 1
        assert len({name for _, name, _ in parsed}) == len({p for _, _, p in parsed}) == len(parsed)
        fact, name, place = next(f for f in parsed if item.answer in f[1:])
        assert item.question in (dict(world._FACTS)[fact].format(P=name),
                                 world._WHO[fact].format(L=place))
        assert item.context[item.start:item.start + len(item.answer)] == item.answer


def test_the_committed_example_is_a_paragraph_of_the_world() -> None:
    parsed = _parse(EXAMPLE["context"])
    assert 2 <= len(parsed) <= 4 and len({name for _, name, _ in parsed}) == len(parsed)
    fact, name, _ = parsed[0]
    assert EXAMPLE["question"] == dict(world._FACTS)[fact].format(P=name)


# ---------------------------------------------------------------------------- the recipe


def test_the_recipe_trains_a_toy_the_explorer_runs(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    measure = train_text.evaluate_qa
    monkeypatch.setattr(train_text, "evaluate_qa", lambda out, seed=0: measure(out, 3, seed))
    entry = train([NAME], steps=2, out=tmp_path, show_progress=False)[NAME]
    assert entry["steps"] == 2 and set(entry["metrics"]) == {"exact_match"}
    result = explorer.run(str(tmp_path / NAME), RECIPE.auto_class, **EXAMPLE)
    assert result.checkpoint_kind == "toy" and not result.random_weights


# ---------------------------------------------------------------------------- what a student sees


def _toy() -> None:
    if NAME not in read_manifest():  # its zoo entry is still the random recipe
        pytest.skip(f"{NAME} has no committed trained checkpoint yet")


def test_the_committed_toy_holds_its_target_on_held_out_paragraphs() -> None:
    _toy()
    assert RECIPE.evaluate is not None
    assert RECIPE.evaluate(TRAINED_DIR / NAME, 24, seed=4242)["exact_match"] >= RECIPE.target


def test_the_toy_answers_the_example_and_says_it_is_a_toy(zoo: Path) -> None:
    _toy()
    result = explorer.run(f"zoo:{NAME}", **EXAMPLE)
    _, _, place = _parse(EXAMPLE["context"])[0]
    assert (result.answer, result.start) == (place, EXAMPLE["context"].index(place))
    assert result.checkpoint_kind == "toy" and not result.random_weights
    figure = explorer.render.render(result, "figure")
    assert badge_text(figure, "toy-badge") == result.toy_headline
    assert badge_text(figure) is None  # no random-weights badge
    assert "explorer-toy-badge" in explorer.render.to_html(result)


def test_the_toy_answers_every_question_about_a_paragraph() -> None:
    _toy()
    context = "Emma studies in Rio de Janeiro. Omar was born in Oslo. Tina works in Lima."
    run = explorer_runner(TRAINED_DIR / NAME, RECIPE.auto_class)
    for question, answer in [("Where does Emma study?", "Rio de Janeiro"),
                             ("Where was Omar born?", "Oslo"), ("Who works in Lima?", "Tina"),
                             ("Who studies in Rio de Janeiro?", "Emma")]:
        assert run(question=question, context=context).answer == answer, question
