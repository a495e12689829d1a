"""The documents world and the toys trained on it: an inventory page's words, boxes and table
agree with its scene, the recipes still train, and the committed document-QA (LayoutLMv3) and
table-QA (TAPAS) toys answer questions about the committed example inventory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import explorer
import explorer.render
from explorer.heads.document_qa import _ocr_available
from explorer.inputs import load_table
from explorer.toyworld.documents import COLUMNS, EXAMPLE_TEXT, inventory, inventory_of
from explorer.toyworld.shapes import scene
from explorer.zoo import example_kwargs, train_documents
from explorer.zoo.train_documents import _answer_word, table_answer
from explorer.zoo.training import TRAINED_DIR, TrainRecipe, read_manifest, train

RECIPES = {r.name: r for r in train_documents.TRAIN_RECIPES}
DOC, TABLE = "document-question-answering", "table-question-answering"
EXAMPLES = Path(explorer.__file__).parent / "examples"
# The committed examples: the inventory of shapes.png, "a blue circle left of a red square left
# of a yellow triangle".
EXAMPLE = inventory_of(scene(103, (192, 128), count=3))


def _committed(name: str) -> None:
    if name not in read_manifest():  # its zoo entry is still the random recipe
        pytest.skip(f"{name} has no committed trained checkpoint yet")


# ---------------------------------------------------------------------------- the world


def test_same_seed_same_inventory_and_other_seeds_differ() -> None:
    a, b = inventory(11), inventory(11)
    assert (a.words, a.boxes, a.questions) == (b.words, b.boxes, b.questions)
    assert np.array_equal(np.asarray(a.page), np.asarray(b.page))
    assert len({inventory(s).text for s in range(20)}) > 10


@pytest.mark.parametrize("seed", range(0, 200, 10))
def test_rows_questions_and_boxes_agree_with_the_scene(seed: int) -> None:
    inv, s = inventory(seed), scene(seed)
    assert sorted((r.shape, r.colour) for r in inv.rows) == sorted(zip(s.labels, s.colours))
    assert inv.words[-2:] == ("total", str(len(inv.rows)))
    for q in inv.questions:
        assert table_answer(inv, q).removeprefix("COUNT > ").split(", ")[0] \
            == inv.table[COLUMNS[q.cells[0][1]]][q.cells[0][0]]
        if q.aggregation == "COUNT":
            assert q.answer == str(len(q.cells))
        if q.on_page:
            assert inv.words[_answer_word(inv, q)] == q.answer
    width, height = inv.page.size
    ink = np.asarray(inv.page.convert("L")) < 128
    for x0, y0, x1, y1 in inv.boxes:  # every word's box is inked, and inside the page
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height and ink[y0:y1, x0:x1].any()
    assert all(0 <= v <= 1000 for box in inv.page_boxes for v in box)


def test_committed_examples_are_the_inventory_of_shapes_png() -> None:
    page = Image.open(EXAMPLES / "inventory.png").convert("RGB")
    assert np.array_equal(np.asarray(page), np.asarray(EXAMPLE.page))
    assert (EXAMPLES / "inventory.csv").read_text() == EXAMPLE.csv
    assert load_table(EXAMPLES / "inventory.csv") == EXAMPLE.table
    assert EXAMPLE_TEXT == EXAMPLE.text


@pytest.mark.skipif(not _ocr_available(), reason="needs Tesseract (apt-get install tesseract-ocr)")
def test_tesseract_reads_the_pages_word_for_word() -> None:
    import pytesseract

    for inv in (EXAMPLE, *(inventory(9_000_000 + s) for s in range(3))):
        assert pytesseract.image_to_string(inv.page).split() == list(inv.words)


# ---------------------------------------------------------------------------- the recipes


@pytest.mark.parametrize("recipe", RECIPES.values(), ids=lambda r: r.name)
def test_every_recipe_still_trains_into_a_loadable_checkpoint(recipe: TrainRecipe,
                                                              tmp_path: Path) -> None:
    entry = train([recipe.name], steps=2, out=tmp_path, show_progress=False)[recipe.name]
    assert entry["steps"] == 2 and 0.0 <= entry["metrics"][recipe.headline] <= 1.0
    result = explorer.run(str(tmp_path / recipe.name), recipe.auto_class,
                          **example_kwargs(recipe.example or {}))
    assert result.checkpoint_kind == "toy" and not result.random_weights
    assert result.toy_headline.startswith("toy model, trained on the documents world (")


@pytest.mark.parametrize("name", [DOC, TABLE])
def test_committed_toy_holds_its_target_on_a_fixed_held_out_sample(name: str) -> None:
    _committed(name)
    recipe = RECIPES[name]
    assert recipe.evaluate is not None
    figures = recipe.evaluate(TRAINED_DIR / name, 24)
    assert figures[recipe.headline] >= recipe.target, figures


# ---------------------------------------------------------------------------- what a student sees


def _badge(result: object) -> None:
    html = explorer.render.to_html(result)
    assert result.checkpoint_kind == "toy" and not result.random_weights  # type: ignore[attr-defined]
    assert "explorer-toy-badge" in html and "documents world" in html
    assert "explorer-random-badge" not in html


def test_document_toy_answers_questions_about_the_example_page(zoo: Path) -> None:
    _committed(DOC)
    example = example_kwargs(RECIPES[DOC].example or {})
    result = explorer.run(f"zoo:{DOC}", **example)
    assert result.answer == "blue"  # what colour is the circle?
    assert result.words[result.answer_words[0]] == "blue" and result.words[4] == "circle"
    _badge(result)
    for q in EXAMPLE.questions:
        if q.on_page:
            answer = explorer.run(f"zoo:{DOC}", **{**example, "question": q.question}).answer
            assert answer == q.answer, q.question


@pytest.mark.skipif(not _ocr_available(), reason="needs Tesseract (apt-get install tesseract-ocr)")
def test_document_toy_answers_from_the_page_image_alone_by_ocr(zoo: Path) -> None:
    _committed(DOC)
    result = explorer.run(f"zoo:{DOC}", image=EXAMPLES / "inventory.png",
                          question="what colour is the circle?")
    assert result.answer == "blue" and result.words == EXAMPLE.words
    assert len(result.word_boxes) == len(EXAMPLE.words)  # OCR boxes are drawn on the page
    # The page's own layout is learnt less well than the context's (0.86 held out): 7 of 10 here.
    right = [explorer.run(f"zoo:{DOC}", image=EXAMPLES / "inventory.png",
                          question=q.question).answer == q.answer
             for q in EXAMPLE.questions if q.on_page]
    assert sum(right) >= 7, right


def test_table_toy_answers_questions_about_the_example_table(zoo: Path) -> None:
    _committed(TABLE)
    example = example_kwargs(RECIPES[TABLE].example or {})
    result = explorer.run(f"zoo:{TABLE}", **example)
    assert result.answer == "COUNT > circle, square, triangle"  # how many shapes are there?
    assert result.alternatives[0].label == "COUNT"
    _badge(result)
    for q in EXAMPLE.questions:
        answer = explorer.run(f"zoo:{TABLE}", **{**example, "question": q.question}).answer
        assert answer == table_answer(EXAMPLE, q), q.question


def test_table_recipe_starts_with_each_cell_looking_at_its_question_word() -> None:
    # What made table QA learn: from step 0 the colour cell "red" attends to the question's "red"
    # more than to any other question word, so the row the question names is found.
    import pandas as pd
    import torch

    model, tok = train_documents._table_model(0)
    encoded = tok(table=pd.DataFrame(EXAMPLE.table), queries="which shape is red?",
                  return_tensors="pt")
    tokens = tok.convert_ids_to_tokens(encoded["input_ids"][0])
    asked, cell = [i for i, t in enumerate(tokens) if t == "red"]
    with torch.no_grad():
        attention = model(**encoded, output_attentions=True).attentions[0][0].mean(0)
    question = range(1, tokens.index("[SEP]"))
    assert max(question, key=lambda j: float(attention[cell, j])) == asked
