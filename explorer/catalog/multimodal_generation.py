"""What the multimodal generation tasks are (pure data; their runners are registered in
``explorer/heads/multimodal_generation.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec
from explorer.options import CHAT_TEMPLATE, DO_SAMPLE, MAX_NEW_TOKENS, ONLY_NEW

GENERATION_OPTIONS = (MAX_NEW_TOKENS, DO_SAMPLE, ONLY_NEW, CHAT_TEMPLATE)

SPECS = [
    TaskSpec("AutoModelForImageTextToText", ("image-text-to-text", "image-to-text"),
             "multimodal", ("image", "text"), "generation", "AutoProcessor",
             "A vision encoder feeds a text decoder: captions, or answers about the image to a "
             "prompt (BLIP, LLaVA, Qwen-VL; formerly AutoModelForVision2Seq).",
             options=GENERATION_OPTIONS),
    TaskSpec("AutoModelForMultimodalLM", ("any-to-any",), "multimodal",
             ("text", "image", "audio"), "generation", "AutoProcessor",
             "A language model that reads text with images and/or audio and writes text: every "
             "image-text-to-text model plus audio-text ones (Qwen2-Audio, Voxtral, omni models).",
             options=GENERATION_OPTIONS),
]
