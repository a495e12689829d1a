"""Document question answering heads: extractive QA over a page's words and their boxes (LayoutLM
family), the words from the context text or Tesseract OCR."""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from explorer.errors import BadInput
from explorer.heads._common import softmax, to_numpy
from explorer.heads._multimodal import processor_part
from explorer.heads._registry import Task
from explorer.heads._text import cut_question
from explorer.results import Answer, Result
from explorer.runner import RunContext, accepted
from explorer.snippets.base import Spec, drop_token_types, forward, image_lines
from explorer.toyworld.documents import EXAMPLE_TEXT
from explorer.zoo import Recipe
from explorer.zoo.common import TINY, save_random
from explorer.zoo.multimodal import IMAGE, roberta_vocab


def _ocr_available() -> bool:
    import shutil

    from transformers.utils import is_pytesseract_available

    return is_pytesseract_available() and shutil.which("tesseract") is not None


def _reading_order_boxes(words: Sequence[str], per_line: int = 80) -> list[list[int]]:
    """Boxes on LayoutLM's 0–1000 page grid for words laid out left to right, top to bottom, in
    lines of ``per_line`` characters: a stand-in layout when there is no OCR."""
    boxes, x, y = [], 0, 0
    char_w, line_h = 1000 // per_line, 1000 // 40
    for word in words:
        width = min(len(word), per_line) * char_w
        if x and x + width > 1000:
            x, y = 0, min(y + line_h, 1000 - line_h)
        boxes.append([x, y, x + width, y + line_h])
        x += width + char_w
    return boxes


def _page_words(ctx: RunContext) -> tuple[list[str], list[list[int]], str, bool]:
    """``(words, boxes 0–1000, text, read by OCR)`` of the page: the ``context`` text when given
    (laid out in reading order), else Tesseract OCR through the image processor when it is
    installed."""
    context = ctx.inputs.context
    if context and context.strip():
        words = context.split()
        ctx.notes.append("words come from the context text, laid out in reading order with "
                         "stand-in boxes (no OCR): the model's layout features see no real layout")
        return words, _reading_order_boxes(words), context, False
    image_processor = processor_part(ctx, "image_processor")
    if image_processor is not None and hasattr(image_processor, "apply_ocr") and _ocr_available():
        ctx.require("image")
        found = image_processor(ctx.inputs.image, apply_ocr=True, return_tensors="pt")
        words, boxes = list(found["words"][0]), [list(b) for b in found["boxes"][0]]
        ctx.notes.append(f"words and boxes from Tesseract OCR ({len(words)} words)")
        return words, boxes, " ".join(words), True
    raise BadInput("document question answering needs the page's words: pass the page text as "
                   "context (CLI: --context 'INVOICE No. 42 ...'); reading them off the image "
                   "needs Tesseract OCR (pytesseract and tesseract-ocr), not available here")


def _encode_document(ctx: RunContext, question: str, words: list[str],
                     boxes: list[list[int]]) -> Any:
    """Tokenize question + words with one box per token. LayoutLMv2/v3 tokenizers take the boxes
    themselves; LayoutLM (a BERT tokenizer) gets them per token from ``word_ids``."""
    tok = ctx.tokenizer
    if "boxes" in inspect.signature(type(tok).__call__).parameters:
        return tok(question, words, boxes=boxes, truncation="only_second", return_tensors="pt")
    import torch

    encoded = tok(question.split(), words, is_split_into_words=True, truncation="only_second",
                  return_tensors="pt")
    bbox = [boxes[word] if seq == 1 else [1000] * 4 if token == tok.sep_token_id else [0] * 4
            for token, seq, word in zip(encoded["input_ids"][0].tolist(), encoded.sequence_ids(0),
                                        encoded.word_ids(0))]
    encoded["bbox"] = torch.tensor([bbox])
    return encoded


def _best_span(start: np.ndarray, end: np.ndarray, allowed: np.ndarray,
               max_len: int) -> tuple[int, int, float]:
    """The span ``start ≤ end < start + max_len`` inside ``allowed`` with the highest
    ``p(start) · p(end)``."""
    start_p = softmax(np.where(allowed, start, -np.inf))
    end_p = softmax(np.where(allowed, end, -np.inf))
    scores = np.triu(np.outer(start_p, end_p)) - np.triu(np.outer(start_p, end_p), k=max_len)
    s, e = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return int(s), int(e), float(scores[s, e])


def answer_document_question(ctx: RunContext) -> Result:
    """Extractive QA over the words of a page image (LayoutLM family): the best span of words.
    LayoutLMv2/v3 also look at the page's pixels; LayoutLM reads only words and boxes."""
    ctx.require("question")
    assert ctx.inputs.question is not None  # required just above
    question = cut_question(ctx, ctx.inputs.question)
    words, boxes, text, read_by_ocr = _page_words(ctx)
    encoded = _encode_document(ctx, question, words, boxes)
    word_ids, sequence_ids = encoded.word_ids(0), encoded.sequence_ids(0)
    kept = 1 + max((w for w, seq in zip(word_ids, sequence_ids) if seq == 1), default=-1)
    if kept < len(words):
        ctx.notes.append(f"the page was cut to its first {kept} of {len(words)} words to fit the "
                         "model's input length")
    batch = dict(encoded)
    image_processor = processor_part(ctx, "image_processor")
    if image_processor is not None:
        ctx.require("image")
        pixels = image_processor(ctx.inputs.image, apply_ocr=False, return_tensors="pt")
        key = "pixel_values" if "pixel_values" in inspect.signature(
            ctx.model.forward).parameters else "image"  # LayoutLMv2 names its pixels `image`
        batch[key] = pixels["pixel_values"]
    outputs = ctx.forward(accepted(ctx.model, batch))
    start_logits, end_logits = to_numpy(outputs.start_logits)[0], to_numpy(outputs.end_logits)[0]
    n = len(word_ids)  # LayoutLMv3 appends image patches after the text tokens
    allowed = np.array([seq == 1 for seq in sequence_ids])
    s, e, score = _best_span(start_logits[:n], end_logits[:n], allowed,
                             ctx.option("max_answer_length"))
    first, last = word_ids[s], word_ids[e]
    answer = " ".join(words[first:last + 1])
    spans = [m.span() for m in re.finditer(r"\S+", text)]
    start, end = (spans[first][0], spans[last][1]) if len(spans) == len(words) else (None, None)
    return Answer(answer=answer, score=score, question=question, context=text, start=start,
                  end=end, start_logits=start_logits[:n], end_logits=end_logits[:n],
                  words=tuple(words), answer_words=(first, last),
                  word_boxes=tuple((b[0], b[1], b[2], b[3]) for b in boxes) if read_by_ocr else (),
                  **ctx.common(outputs, encoded["input_ids"]))


def _page_words_snippet(spec: Spec) -> list[str]:
    context = spec.inputs.get("context")
    if context and str(context).strip():
        return [
            f"words = {str(context)!r}.split()",
            "# Stand-in layout (no OCR): words left to right in lines of 80 characters, on the",
            "# 0-1000 page grid the model's 2-D positions use.",
            "boxes, x, y = [], 0, 0",
            "for word in words:",
            "    width = min(len(word), 80) * 12",
            "    if x and x + width > 1000:",
            "        x, y = 0, min(y + 25, 975)",
            "    boxes.append([x, y, x + width, y + 25])",
            "    x += width + 12",
        ]
    return [f"page = {spec.part('image_processor')}(image, apply_ocr=True, return_tensors=\"pt\")"
            "  # Tesseract OCR (pytesseract)",
            "words, boxes = list(page[\"words\"][0]), [list(b) for b in page[\"boxes\"][0]]"]


def answer_document_question_snippet(spec: Spec) -> list[str]:
    tokenizer = spec.part("tokenizer")
    limit = spec.option("max_answer_length")
    pixels = "pixel_values" if "pixel_values" in inspect.signature(
        spec.model_class.forward).parameters else "image"
    return image_lines(spec) + [f"question = {spec.inputs.get('question', '')!r}",
                                *_page_words_snippet(spec)] + [
        f"inputs = {tokenizer}(question, words, boxes=boxes, truncation=\"only_second\", "
        "return_tensors=\"pt\")",
        "word_ids, in_page = inputs.word_ids(0), torch.tensor([s == 1 for s in "
        "inputs.sequence_ids(0)])",
        f"inputs[{pixels!r}] = {spec.part('image_processor')}(image, apply_ocr=False, "
        "return_tensors=\"pt\")[\"pixel_values\"]",
        *drop_token_types(spec), *forward(),
        "n = len(word_ids)  # image patches follow the text tokens",
        "start = outputs.start_logits[0, :n].float().masked_fill(~in_page, "
        "-float(\"inf\")).softmax(-1)",
        "end = outputs.end_logits[0, :n].float().masked_fill(~in_page, "
        "-float(\"inf\")).softmax(-1)",
        f"pairs = torch.outer(start, end).triu().tril({limit - 1})  "
        f"# start ≤ end, at most {limit} tokens",
        "s, e = divmod(int(pairs.argmax()), pairs.shape[1])",
        "answer = {\"answer\": \" \".join(words[word_ids[s]:word_ids[e] + 1]), "
        "\"score\": float(pairs[s, e])}",
        "print(answer)",
    ]


def _layoutlmv3(directory: Path) -> None:
    from transformers import (
        AutoConfig,
        LayoutLMv3ImageProcessor,
        LayoutLMv3Processor,
        LayoutLMv3Tokenizer,
    )

    vocab, merges = roberta_vocab()
    tok = LayoutLMv3Tokenizer(vocab=dict(vocab),
                              merges=list(merges),  # type: ignore[arg-type]  # tuples work at runtime
                              model_max_length=128)
    # 4 * coordinate_size + 2 * shape_size = hidden_size (the 2-D position embeddings).
    config = AutoConfig.for_model(
        "layoutlmv3", vocab_size=len(tok), max_position_embeddings=130, **TINY,
        coordinate_size=6, shape_size=4, input_size=IMAGE, patch_size=16,
        pad_token_id=tok.pad_token_id, bos_token_id=tok.cls_token_id,
        eos_token_id=tok.sep_token_id)
    # apply_ocr stays on, as in hub checkpoints; the runner switches it per call.
    images = LayoutLMv3ImageProcessor(size={"height": IMAGE, "width": IMAGE})
    save_random(directory, "AutoModelForDocumentQuestionAnswering", config,
                LayoutLMv3Processor(image_processor=images, tokenizer=tok))


TASKS = [
    Task("AutoModelForDocumentQuestionAnswering", run=answer_document_question,
         snippet=answer_document_question_snippet, recipes=[
        Recipe("document-question-answering", "AutoModelForDocumentQuestionAnswering", _layoutlmv3,
               "tiny LayoutLMv3 (text, 2-D positions and image patches) with a span head",
               {"image": "inventory.png", "question": "what colour is the circle?",
                "context": EXAMPLE_TEXT}),
    ]),
]

__all__ = ["TASKS"]
