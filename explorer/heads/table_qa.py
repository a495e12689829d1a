"""Table question answering heads: TAPAS selects the cells that answer and an aggregation over
them, decoded by its tokenizer's ``convert_logits_to_predictions``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from explorer.errors import BadInput
from explorer.heads._common import sigmoid, to_numpy, top_labels
from explorer.heads._registry import Task
from explorer.heads._text import cut_question
from explorer.results import Answer, Label, Result
from explorer.runner import RunContext
from explorer.snippets.base import Spec, forward
from explorer.zoo import Recipe
from explorer.zoo.common import TINY, save_random


def _cell_scores(logits: np.ndarray, token_types: np.ndarray) -> dict[tuple[int, int], float]:
    """Mean token probability per table cell ``(row, column)``, 0-based (TAPAS token types:
    0 = segment, 1 = column + 1, 2 = row + 1). The tokenizer averages the same way to select
    cells, but only in a private method, so the score is computed here."""
    cells: dict[tuple[int, int], list[float]] = {}
    for p, (segment, column, row) in zip(sigmoid(logits), token_types[:, :3].tolist()):
        if segment == 1 and column > 0 and row > 0:
            cells.setdefault((row - 1, column - 1), []).append(float(p))
    return {cell: float(np.mean(ps)) for cell, ps in cells.items()}


def _aggregation_names(config: Any, count: int) -> tuple[str, ...]:
    names = getattr(config, "aggregation_labels", None) or {}
    return tuple(str(names.get(i, names.get(str(i), f"AGG_{i}"))) for i in range(count))


def _aggregations(ctx: RunContext, logits: Any) -> tuple[Label, ...]:
    """Aggregation operators (NONE, SUM, AVERAGE, COUNT) with their probabilities, best first."""
    if logits is None:
        return ()
    values = to_numpy(logits)[0]
    return top_labels(values, _aggregation_names(ctx.config, len(values)), len(values))


def answer_table_question(ctx: RunContext) -> Result:
    """TAPAS: select the cells that answer the question, and an aggregation over them."""
    ctx.require("table", "question")
    import pandas as pd

    table = pd.DataFrame(ctx.inputs.table)
    if table.empty:
        raise BadInput("the table is empty; give a CSV with a header row and data rows")
    assert ctx.inputs.question is not None  # required above
    question = cut_question(ctx, ctx.inputs.question)
    encoded = ctx.tokenizer(table=table, queries=question, truncation=True, return_tensors="pt")
    rows_seen = int(encoded["token_type_ids"][0, :, 2].max())
    if rows_seen < len(table):
        ctx.notes.append(f"the table was cut to its first {rows_seen} of {len(table)} rows to fit "
                         "the model's input length")
    outputs = ctx.forward(encoded)
    logits = outputs.logits.detach().float().cpu()
    agg_logits = getattr(outputs, "logits_aggregation", None)
    threshold = ctx.option("threshold")
    predicted = ctx.tokenizer.convert_logits_to_predictions(
        encoded, logits, None if agg_logits is None else agg_logits.detach().float().cpu(),
        cell_classification_threshold=threshold)
    coordinates = predicted[0][0] if predicted[0] else []
    cells = [str(table.iat[row, column]) for row, column in coordinates]
    scores = _cell_scores(logits.numpy()[0], encoded["token_type_ids"][0].numpy())
    aggregations = _aggregations(ctx, agg_logits)
    operator = ""
    if len(predicted) > 1:  # the checkpoint has an aggregation head
        operator = _aggregation_names(ctx.config, len(aggregations))[int(predicted[1][0])]
    if not cells:
        ctx.notes.append(f"no cell scored above the threshold {threshold}; lower it "
                         "(CLI: --option threshold=0.3)")
    answer = ", ".join(cells)
    if operator and operator != "NONE" and cells:
        answer = f"{operator} > {answer}"
    return Answer(answer=answer,
                  score=float(np.mean([scores[c] for c in coordinates])) if coordinates else 0.0,
                  question=question, alternatives=aggregations,
                  **ctx.common(outputs, encoded["input_ids"]))


def answer_table_question_snippet(spec: Spec) -> list[str]:
    table = spec.inputs["table"]
    source = (f"pandas.read_csv({str(table)!r}, dtype=str, keep_default_na=False, "
              "skipinitialspace=True)" if Path(str(table)).is_file() else
              f"pandas.read_csv(io.StringIO({str(table)!r}), dtype=str, keep_default_na=False, "
              "skipinitialspace=True)")
    names = getattr(spec.config, "aggregation_labels", None) or {}
    operators = [str(names.get(i, names.get(str(i), f"AGG_{i}"))) for i in range(len(names))]
    return [
        f"table = {source}",
        f"question = {spec.inputs.get('question', '')!r}",
        f"inputs = {spec.pre}(table=table, queries=question, truncation=True, "
        "return_tensors=\"pt\")",
        *forward(),
        "logits, aggregation = outputs.logits.float(), outputs.logits_aggregation.float()",
        f"cells_found, operator = {spec.pre}.convert_logits_to_predictions(",
        f"    inputs, logits, aggregation, cell_classification_threshold="
        f"{spec.option('threshold')})",
        "cells = [table.iat[row, column] for row, column in cells_found[0]]",
        "# A cell's score: the mean probability of its tokens (token types: segment, column, row).",
        "per_cell = {}",
        "for p, (segment, column, row) in zip(logits[0].sigmoid().tolist(), "
        "inputs[\"token_type_ids\"][0, :, :3].tolist()):",
        "    if segment == 1 and column > 0 and row > 0:",
        "        per_cell.setdefault((row - 1, column - 1), []).append(p)",
        "score = sum(sum(per_cell[c]) / len(per_cell[c]) for c in cells_found[0]) / "
        "max(len(cells_found[0]), 1)",
        f"operators = {operators!r}",
        "agg = aggregation[0].softmax(-1)",
        "alternatives = dict(sorted(zip(operators, agg.tolist()), key=lambda kv: -kv[1]))",
        "answer = \", \".join(cells)",
        "if operators[operator[0]] != \"NONE\" and cells:",
        "    answer = f\"{operators[operator[0]]} > {answer}\"",
        "print({\"answer\": answer, \"score\": score, \"alternatives\": alternatives})",
    ]


AGGREGATIONS = {0: "NONE", 1: "SUM", 2: "AVERAGE", 3: "COUNT"}


def _tapas(directory: Path) -> None:
    from transformers import AutoConfig, TapasTokenizer

    from explorer.zoo.common import wordpiece_vocab

    with tempfile.TemporaryDirectory() as tmp:  # TapasTokenizer reads its vocab from a file only
        vocab_file = Path(tmp) / "vocab.txt"
        vocab_file.write_text("\n".join([*wordpiece_vocab(), "[EMPTY]"]) + "\n")
        tok = TapasTokenizer(vocab_file=str(vocab_file), model_max_length=128)
    config = AutoConfig.for_model("tapas", vocab_size=len(tok), max_position_embeddings=128,
                                  **TINY, num_aggregation_labels=len(AGGREGATIONS),
                                  aggregation_labels=AGGREGATIONS,
                                  use_answer_as_supervision=True)
    save_random(directory, "AutoModelForTableQuestionAnswering", config, tok)


TASKS = [
    Task("AutoModelForTableQuestionAnswering", run=answer_table_question,
         snippet=answer_table_question_snippet, recipes=[
        Recipe("table-question-answering", "AutoModelForTableQuestionAnswering", _tapas,
               "tiny TAPAS with cell selection and a 4-way aggregation head",
               {"table": "inventory.csv", "question": "how many shapes are there?"}),
    ]),
]

__all__ = ["TASKS"]
