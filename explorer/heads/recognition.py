"""Document recognition heads: the text of a cropped line (PP-OCR, CTC) and a table's structure
(SLANet), both decoded by the image processor's own ``post_process_*_recognition``."""

from __future__ import annotations

import math

from explorer.heads._vision import forward_image
from explorer.results import Recognition, Result
from explorer.runner import RunContext
from explorer.snippets.base import Spec, forward, image_batch, only_accepted


def _recognise(ctx: RunContext, kind: str) -> tuple[dict, object]:
    _, processor, outputs = forward_image(ctx)
    return getattr(processor, f"post_process_{kind}_recognition")(outputs), outputs


def _score(value: float) -> float | None:
    return None if math.isnan(value) else float(value)  # no character kept: no score


def recognize_text(ctx: RunContext) -> Result:
    decoded, outputs = _recognise(ctx, "text")
    return Recognition(text=decoded[0]["text"], score=_score(decoded[0]["score"]),
                       **ctx.common(outputs))


def recognize_table(ctx: RunContext) -> Result:
    decoded, outputs = _recognise(ctx, "table")
    structure = tuple(decoded["structure"])
    return Recognition(text="".join(structure), score=_score(decoded["structure_score"]),
                       structure=structure, **ctx.common(outputs))


def _recognised(kind: str, text: str, score: str) -> list[str]:
    return ["import math",
            f"read = {kind}",
            f"print({{\"text\": {text}, \"score\": None if math.isnan({score}) else {score}}})"]


def recognize_text_snippet(spec: Spec) -> list[str]:
    return image_batch(spec) + only_accepted(spec) + forward() + _recognised(
        f"{spec.pre}.post_process_text_recognition(outputs)[0]  # CTC: repeats and blanks go",
        "read[\"text\"]", "read[\"score\"]")


def recognize_table_snippet(spec: Spec) -> list[str]:
    return image_batch(spec) + only_accepted(spec) + forward() + _recognised(
        f"{spec.pre}.post_process_table_recognition(outputs)  # HTML structure tokens",
        "\"\".join(read[\"structure\"])", "read[\"structure_score\"]")


RUNNERS = {
    "AutoModelForTextRecognition": recognize_text,
    "AutoModelForTableRecognition": recognize_table,
}
SNIPPETS = {
    "AutoModelForTextRecognition": recognize_text_snippet,
    "AutoModelForTableRecognition": recognize_table_snippet,
}

__all__ = ["RUNNERS", "SNIPPETS"]
