"""Time-series forecasting (TimesFM): the past values in, the next ``horizon_length`` values out.

Everything this task needs besides its catalog entry (``explorer/catalog/time_series.py``) is
here: the runner, the Code-tab snippet body and the zoo recipe, each registered against the Auto
class. The forecast has no view of its own yet: the result lists the outputs by shape (the
``raw`` shape) and a note gives the first forecast values.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.errors import BadInput
from explorer.heads._common import to_numpy
from explorer.results import RawOutput, Result
from explorer.runner import RunContext
from explorer.zoo import Recipe

if TYPE_CHECKING:  # the snippets package collects SNIPPETS from here: no import cycle
    from explorer.snippets.base import Spec

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def past_values(text: str) -> list[float]:
    """The series in a text: numbers separated by commas and / or spaces."""
    pieces = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    if len(pieces) < 2 or not all(_NUMBER.fullmatch(p) for p in pieces):
        raise BadInput("time-series forecasting reads the past values as numbers separated by "
                       "commas or spaces, e.g. --text '1, 2, 3, 4'")
    return [float(p) for p in pieces]


def forecast(ctx: RunContext) -> Result:
    import torch

    ctx.require("text")
    series = past_values(ctx.inputs.text[0])
    values = torch.tensor(series, dtype=ctx.model.dtype, device=ctx.loaded.input_device)
    context = getattr(ctx.config, "context_length", len(series))
    if len(series) > context:
        ctx.notes.append(f"the model reads the last {context} of the {len(series)} values")
    outputs = ctx.forward({"past_values": [values], "freq": [0]})
    mean = to_numpy(outputs.mean_predictions)[0]
    ctx.notes.append(f"forecast of the next {len(mean)} values (mean): "
                     + ", ".join(f"{v:.3g}" for v in mean[:8]) + (" …" if len(mean) > 8 else ""))
    shapes = {name: tuple(value.shape) for name, value in outputs.items()
              if hasattr(value, "shape")}
    return RawOutput(outputs=shapes, **ctx.common(outputs))


def forecast_snippet(spec: Spec) -> list[str]:
    series = ", ".join(f"{v:g}" for v in past_values(spec.first_text))
    return [f"past_values = [torch.tensor([{series}], dtype=model.dtype, device=model.device)]",
            "with torch.inference_mode():",
            "    outputs = model(past_values=past_values, freq=[0])  # freq 0: high frequency",
            "print({name: list(value.shape) for name, value in outputs.items() "
            "if hasattr(value, \"shape\")})"]


def _tiny_timesfm(directory: Path) -> None:
    """TimesFM with one layer: 32 past values in patches of 4, 8 values forecast."""
    from transformers import TimesFmConfig

    from explorer.zoo.common import save_random

    config = TimesFmConfig(patch_length=4, context_length=32, horizon_length=8,
                           num_hidden_layers=1, hidden_size=16, intermediate_size=16,
                           head_dim=8, num_attention_heads=2)
    save_random(directory, "AutoModelForTimeSeriesPrediction", config)


RUNNERS = {"AutoModelForTimeSeriesPrediction": forecast}
SNIPPETS = {"AutoModelForTimeSeriesPrediction": forecast_snippet}
RECIPES = [
    Recipe("time-series-forecasting", "AutoModelForTimeSeriesPrediction", _tiny_timesfm,
           "tiny TimesFM (one layer, 8-step horizon)",
           {"text": "0, 0.7, 1, 0.7, 0, -0.7, -1, -0.7, 0, 0.7, 1, 0.7, 0, -0.7, -1, -0.7"}),
]

__all__ = ["RECIPES", "RUNNERS", "SNIPPETS"]
