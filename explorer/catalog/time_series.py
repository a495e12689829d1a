"""What the time-series tasks are (pure data; the runner, snippet body and zoo recipe are
registered in ``explorer/heads/time_series.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec

SPECS = [
    # Explorer inputs carry no numeric series: the past values come as text, "1, 2, 3".
    TaskSpec("AutoModelForTimeSeriesPrediction", ("time-series-forecasting",), "base",
             ("text",), "raw", None,
             "Forecasts the next values of a numeric time series (TimesFM); give the past values "
             "as numbers, e.g. '1, 2, 3, 4'."),
]
