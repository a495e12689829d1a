"""What the document qa tasks are (pure data; their runners are registered in
``explorer/heads/document_qa.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec
from explorer.options import MAX_ANSWER_LENGTH

SPECS = [
    TaskSpec("AutoModelForDocumentQuestionAnswering", ("document-question-answering",),
             "multimodal", ("image", "question", "context"), "answer", "AutoProcessor",
             "Extractive QA over a page's words and their boxes on the page (LayoutLM family): "
             "start and end scores over the words.",
             options=(MAX_ANSWER_LENGTH.but(default=15),)),
]
