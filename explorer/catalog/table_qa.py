"""What the table qa tasks are (pure data; their runners are registered in
``explorer/heads/table_qa.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec
from explorer.options import THRESHOLD

SPECS = [
    TaskSpec("AutoModelForTableQuestionAnswering", ("table-question-answering",), "multimodal",
             ("table", "question"), "answer", "AutoTokenizer",
             "Selects the table cells that answer the question, plus an aggregation over them "
             "(TAPAS: NONE, SUM, AVERAGE, COUNT).",
             options=(THRESHOLD,)),
]
