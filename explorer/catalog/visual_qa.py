"""What the visual qa tasks are (pure data; their runners are registered in
``explorer/heads/visual_qa.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec
from explorer.options import MAX_NEW_TOKENS, TOP_K

SPECS = [
    TaskSpec("AutoModelForVisualQuestionAnswering", ("visual-question-answering", "vqa"),
             "multimodal", ("image", "question"), "answer", "AutoProcessor",
             "Answers a question about an image: a score per known answer (ViLT) or generated "
             "text (BLIP).",
             options=(TOP_K, MAX_NEW_TOKENS.but(default=10))),
]
