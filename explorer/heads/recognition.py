"""Document recognition heads: the text of a cropped line (PP-OCR, CTC) and a table's structure
(SLANet), both decoded by the image processor's own ``post_process_*_recognition``."""

from __future__ import annotations

import math
from typing import Any

from explorer.heads._registry import Task
from explorer.heads._vision import forward_image
from explorer.results import Recognition, Result
from explorer.runner import RunContext
from explorer.snippets.base import Spec, forward, image_batch, only_accepted
from explorer.zoo import Recipe
from explorer.zoo.common import make_processor, model_config, random_build


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


OCR_CHARACTERS = ("blank", *"abcdefghijklmnopqrstuvwxyz0123456789 ")


def _ppocr_recogniser() -> tuple[Any, ...]:
    # The default PP-LCNetV3 body at a quarter of its width. Lines are read at 96 px high (not
    # the real 48): this default body downsamples 32×, and the head pools 3 rows.
    config = model_config("pp_ocrv5_mobile_rec", hidden_size=32, depth=1, num_attention_heads=2,
                          head_out_channels=len(OCR_CHARACTERS))
    config.backbone_config.scale = 0.25
    size = {"height": 96, "width": 384}
    return config, make_processor("PPOCRV5ServerRecImageProcessor", character_list=list(OCR_CHARACTERS),
                                  size=size, pad_size=size)


def _slanet() -> tuple[Any, ...]:
    config = model_config("slanet", hidden_size=32, max_text_length=24, post_conv_out_channels=16)
    config.backbone_config.scale = 0.25  # its PP-LCNet body at a quarter of the width
    size = {"height": 64, "width": 64}
    return config, make_processor("SLANeXtImageProcessor", size=size, pad_size=size)


TASKS = [
    Task("AutoModelForTextRecognition", run=recognize_text, snippet=recognize_text_snippet, recipes=[
        Recipe("text-recognition", "AutoModelForTextRecognition",
               random_build("AutoModelForTextRecognition", _ppocr_recogniser),
               "tiny PP-OCRv5 line recogniser (CTC over a-z, 0-9, space)", {"image": "text_line.png"}),
    ]),
    Task("AutoModelForTableRecognition", run=recognize_table, snippet=recognize_table_snippet, recipes=[
        Recipe("table-recognition", "AutoModelForTableRecognition",
               random_build("AutoModelForTableRecognition", _slanet),
               "tiny SLANet: a table's HTML structure tokens", {"image": "table.png"}),
    ]),
]

__all__ = ["TASKS"]
