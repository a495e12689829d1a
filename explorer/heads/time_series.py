"""Time-series forecasting (TimesFM): the past values in (a CSV's numeric column), the next
``horizon_length`` values out.

Everything this task needs besides its catalog entry (``explorer/catalog/time_series.py``) is
here: the runner, the Code-tab snippet body and the zoo recipe, each registered against the Auto
class. The forecast has no view of its own yet: the result lists the outputs by shape (the
``raw`` shape) and a note gives the first forecast values.
"""

from __future__ import annotations

import re
from pathlib import Path

from explorer.errors import BadInput
from explorer.heads._common import output_shapes, to_numpy
from explorer.heads._registry import Task
from explorer.inputs import load_table
from explorer.results import RawOutput, Result
from explorer.runner import RunContext
from explorer.snippets.base import Spec, shapes_print
from explorer.zoo import Recipe

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def past_values(table: dict[str, list[str]]) -> tuple[str, list[float]]:
    """``(column, values)``: the table's last column that holds only numbers, oldest first."""
    for column in reversed(table):
        cells = [c.strip() for c in table[column]]
        if len(cells) >= 2 and all(_NUMBER.fullmatch(c) for c in cells):
            return column, [float(c) for c in cells]
    raise BadInput("time-series forecasting reads the past values from a numeric column of the "
                   "table: give a CSV with a header row and one number per row (CLI: --table "
                   "series.csv)")


def forecast(ctx: RunContext) -> Result:
    import torch

    ctx.require("table")
    assert ctx.inputs.table is not None  # required just above
    column, series = past_values(ctx.inputs.table)
    values = torch.tensor(series, dtype=ctx.model.dtype, device=ctx.loaded.input_device)
    context = getattr(ctx.config, "context_length", len(series))
    if len(series) > context:
        ctx.notes.append(f"the model reads the last {context} of the {len(series)} values")
    ctx.notes.append(f"past values: column {column!r}, {len(series)} rows, oldest first")
    outputs = ctx.forward({"past_values": [values], "freq": [0]})
    mean = to_numpy(outputs.mean_predictions)[0]
    ctx.notes.append(f"forecast of the next {len(mean)} values (mean): "
                     + ", ".join(f"{v:.4g}" for v in mean[:8]) + (" …" if len(mean) > 8 else ""))
    return RawOutput(outputs=output_shapes(outputs), **ctx.common(outputs))


def forecast_snippet(spec: Spec) -> list[str]:
    column, values = past_values(load_table(spec.inputs["table"]))
    series = ", ".join(f"{v:g}" for v in values)
    return [f"series = [{series}]  # the {column!r} column of the table",
            "past_values = [torch.tensor(series, dtype=model.dtype, device=model.device)]",
            "with torch.inference_mode():",
            "    outputs = model(past_values=past_values, freq=[0])  # freq 0: high frequency",
            *shapes_print()]


def _tiny_timesfm(directory: Path) -> None:
    """TimesFM with one layer: 32 past values in patches of 4, 8 values forecast."""
    from transformers import TimesFmConfig

    from explorer.zoo.common import save_random

    config = TimesFmConfig(patch_length=4, context_length=32, horizon_length=8,
                           num_hidden_layers=1, hidden_size=16, intermediate_size=16,
                           head_dim=8, num_attention_heads=2)
    save_random(directory, "AutoModelForTimeSeriesPrediction", config)


TASKS = [
    Task("AutoModelForTimeSeriesPrediction", run=forecast, snippet=forecast_snippet, recipes=[
        Recipe("time-series-forecasting", "AutoModelForTimeSeriesPrediction", _tiny_timesfm,
               "tiny TimesFM (one layer, 8-step horizon)",
               {"table": "series.csv"}),
    ]),
]

__all__ = ["TASKS"]
