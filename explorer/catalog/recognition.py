"""What the recognition tasks are (pure data; their runners are registered in
``explorer/heads/recognition.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec

SPECS = [
    TaskSpec("AutoModelForTextRecognition", ("text-recognition",), "vision", ("image",),
             "recognition", "AutoImageProcessor",
             "Reads the text in a cropped line image with a CTC head (PP-OCR recognisers)."),
    TaskSpec("AutoModelForTableRecognition", ("table-recognition",), "vision", ("image",),
             "recognition", "AutoImageProcessor",
             "Predicts a table's HTML structure tokens (SLANet / SLANeXt)."),
]
