"""What the time-series tasks are (pure data; the runner, snippet body and zoo recipe are
registered in ``explorer/heads/time_series.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec

SPECS = [
    # The past values come as a table (a CSV's numeric column): explorer inputs carry no series.
    TaskSpec("AutoModelForTimeSeriesPrediction", ("time-series-forecasting",), "base",
             ("table",), "raw", None,
             "Forecasts the next values of a numeric time series (TimesFM) from a CSV column of "
             "past values."),
]
