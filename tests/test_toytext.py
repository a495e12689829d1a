"""The text world and its trained toy checkpoints: generators, training code, committed quality."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

import explorer
from explorer.toyworld import text as world
from explorer.zoo import train_text
from explorer.zoo.common import bert_tokenizer
from explorer.zoo.training import TOY_KEY, TRAINED_DIR, read_manifest, train

RECIPES = {r.name: r for r in train_text.TRAIN_RECIPES}
COMMITTED = sorted(name for name in RECIPES if name in read_manifest())
SAMPLE = 40
"""Held-out examples per committed checkpoint (a seed no training used)."""


def test_word_lists_are_big_enough_and_plain() -> None:
    assert len(set(world.POSITIVE)) >= 40 and len(set(world.NEGATIVE)) >= 40
    assert not set(world.POSITIVE) & set(world.NEGATIVE)
    assert len(set(world.FIRST_NAMES)) >= 100 and len(set(world.PLACES)) >= 100
    assert not {n.lower() for n in world.FIRST_NAMES} & {p.lower() for p in world.PLACES}


@pytest.mark.parametrize("generate", [world.sentiment, world.entities, world.facts,
                                      world.numbers, world.shape_pair])
def test_generators_are_seeded(generate) -> None:  # type: ignore[no-untyped-def]
    assert [generate(s) for s in range(20)] == [generate(s) for s in range(20)]
    assert len({repr(generate(s)) for s in range(20)}) > 10


def test_entity_spans_are_the_names_and_places_inserted() -> None:
    tok = bert_tokenizer(words=tuple(world.vocabulary()))
    for seed in range(200):
        tagged = world.entities(seed)
        for span in tagged.spans:
            words = world.FIRST_NAMES if span.label == "PER" else world.PLACES
            assert tagged.text[span.start:span.end] in words
        encoded = tok(tagged.text, return_offsets_mapping=True)
        tags = world.bio_tags(tagged, encoded["offset_mapping"])
        starts = [o[0] for o, t in zip(encoded["offset_mapping"], tags) if t.startswith("B-")]
        assert starts == [s.start for s in tagged.spans]
        assert {t[2:] for t in tags if t != "O"} <= {"PER", "LOC"}
    assert world.bio_tags(world.Tagged("Bob likes New York.", (world.Span(10, 18, "LOC"),)),
                          [(0, 0), (0, 3), (4, 9), (10, 13), (14, 18), (18, 19), (0, 0)]) \
        == ["O", "O", "O", "B-LOC", "I-LOC", "O", "O"]


def test_qa_answers_sit_at_their_offsets() -> None:
    for seed in range(200):
        item = world.facts(seed)
        assert item.context[item.start:item.start + len(item.answer)] == item.answer
        assert item.answer in world.FIRST_NAMES + world.PLACES
        assert item.context.count(item.answer) == 1


def test_number_words() -> None:
    assert [world.number_words(n) for n in (0, 13, 40, 42, 100, 312, 999)] == [
        "zero", "thirteen", "forty", "forty-two", "one hundred", "three hundred and twelve",
        "nine hundred and ninety-nine"]
    assert len({world.number_words(n) for n in range(1000)}) == 1000
    for seed in range(50):
        words, digits = world.numbers(seed)
        assert world.number_words(int(digits)) == words and int(digits) not in world.NUMBER_HOLDOUT
    with pytest.raises(ValueError):
        world.number_words(1000)


def test_shape_pairs_parse_and_state_the_converse() -> None:
    for seed in range(100):
        (a, relation, b), (c, converse, d) = world.parse_shape_sentences(world.shape_pair(seed))
        assert (c, converse, d) == (b, world.RELATIONS[relation], a) and a != b
    assert world.parse_shape_sentences("the big red circle is left of the") is None


def test_vocabulary_keeps_world_words_whole() -> None:
    tok = bert_tokenizer(words=tuple(world.vocabulary()))
    for text in ("Ursula flew from Rio de Janeiro to Helsinki.", "what a tedious concert!",
                 "the small yellow triangle is below the big green square."):
        assert not any(t.startswith("##") for t in tok.tokenize(text)), tok.tokenize(text)


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_a_few_training_steps_save_a_loadable_toy(name: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(train_text, "_EVAL", 3)
    monkeypatch.setattr(train_text, "_EVAL_GENERATIONS", 1)
    entry = train([name], steps=2, out=tmp_path, show_progress=False)[name]
    assert entry["steps"] == 2 and entry["headline"] in entry["metrics"]
    config = json.loads((tmp_path / name / "config.json").read_text())
    assert config[TOY_KEY]["world"] == "text" and "explorer_random_weights" not in config
    example = RECIPES[name].example or {}
    result = explorer.run(str(tmp_path / name), RECIPES[name].auto_class, **example)
    assert result.random_weights is False


def _run(name: str, **inputs: object):  # type: ignore[no-untyped-def]
    return explorer.run(str(TRAINED_DIR / name), RECIPES[name].auto_class, **inputs)


def _rate(hits: list[bool]) -> float:
    return sum(hits) / len(hits)


def _committed(name: str) -> None:
    if name not in COMMITTED:
        pytest.skip(f"{name} has no committed checkpoint")


@pytest.mark.parametrize("name", ["text-classification", "text-classification-distilbert"])
def test_committed_sentiment(name: str) -> None:
    _committed(name)
    rng = random.Random(4242)
    samples = [world.sentiment(rng) for _ in range(SAMPLE)]
    assert _rate([_run(name, text=t).labels[0].label == label for t, label in samples]) >= 0.95
    assert _run(name, text="what a wonderful, delightful trip.").labels[0].label == "positive"
    assert _run(name, text="the pizza was cold and greasy.").labels[0].label == "negative"


def test_committed_entities() -> None:
    _committed("token-classification")
    result = _run("token-classification", text="Alice flew from Paris to New York with Bob.")
    assert [(e.text, e.label) for e in result.entities] == [
        ("Alice", "PER"), ("Paris", "LOC"), ("New York", "LOC"), ("Bob", "PER")]
    rng = random.Random(4242)
    hits = []
    for _ in range(SAMPLE):
        tagged = world.entities(rng)
        got = {(e.start, e.end, e.label) for e in _run("token-classification",
                                                        text=tagged.text).entities}
        hits.append(got == {(s.start, s.end, s.label) for s in tagged.spans})
    assert _rate(hits) >= 0.95


def _held_out_figure(name: str) -> float:
    """The recipe's own held-out figure on a small fixed sample (seed 4242, no training's)."""
    recipe = RECIPES[name]
    assert recipe.evaluate is not None
    return recipe.evaluate(TRAINED_DIR / name, SAMPLE, seed=4242)[recipe.headline]


def test_committed_question_answering() -> None:
    _committed("question-answering")
    context = "Alice lives in Paris. Bob works in Tokyo. Carol was born in New York."
    for question, answer in [("Where does Alice live?", "Paris"), ("Where does Bob work?", "Tokyo"),
                             ("Who works in Tokyo?", "Bob"), ("Where was Carol born?", "New York")]:
        result = _run("question-answering", question=question, context=context)
        assert (result.answer, result.start) == (answer, context.index(answer)), question
    assert _held_out_figure("question-answering") >= 0.95


def test_committed_fill_mask() -> None:
    _committed("fill-mask")
    example = RECIPES["fill-mask"].example or {}
    assert _run("fill-mask", **example).candidates[0].token == "right"
    rng = random.Random(4242)
    hits = []
    for _ in range(SAMPLE):
        masked, [word] = train_text._masked(world.shape_pair(rng), rng, "[MASK]")
        hits.append(_run("fill-mask", text=masked).candidates[0].token == word)
    assert _rate(hits) >= 0.8


def test_committed_number_words_to_digits() -> None:
    _committed("text2text-generation")
    held_out = sorted(world.NUMBER_HOLDOUT)[::5]
    assert _rate([_run("text2text-generation", text=world.number_words(n)).text.strip()
                  == str(n) for n in held_out]) >= 0.95


def test_committed_causal_lm_continues_with_world_sentences() -> None:
    _committed("text-generation")
    rng = random.Random(4242)
    hits = []
    for _ in range(10):
        prompt = " ".join(world.shape_pair(rng).split(" ")[:rng.randint(2, 9)])
        text = _run("text-generation", text=prompt, max_new_tokens=40).text
        hits.append(world.parse_shape_sentences(train_text._complete_sentences(text)) is not None)
    assert _rate(hits) >= 0.8


def test_committed_multiple_choice() -> None:
    _committed("multiple-choice")
    converse = "the small blue square is right of the big red circle."
    near_misses = [converse.replace("right", "left"), converse.replace("small", "big"),
                   converse.replace("circle.", "square.")]
    for choices in ([near_misses[0], converse, near_misses[1]],
                    [near_misses[2], near_misses[1], converse]):
        top = _run("multiple-choice", text="the big red circle is left of the small blue square.",
                   labels=choices).labels[0]
        assert top.label == converse, choices
    assert _held_out_figure("multiple-choice") >= 0.95


def test_committed_next_sentence() -> None:
    _committed("next-sentence-prediction")
    first = "the big red circle is left of the small blue square."
    for second, expected in [("the small blue square is right of the big red circle.", "is next"),
                             ("the small green triangle is above the big red circle.",
                              "not next")]:
        top = _run("next-sentence-prediction", text=first, text_pair=second).labels[0].label
        assert top == expected, second
    assert _held_out_figure("next-sentence-prediction") >= 0.95
