"""Multimodal heads: zero-shot image classification and detection, visual / document / table
question answering, and image(+audio)+text → text generation.

Each runner hands the inputs to the checkpoint's own processor and post-processes with its own
helpers (``post_process_grounded_object_detection``, ``convert_logits_to_predictions``,
``apply_chat_template``, ``decode``). Where architectures of one Auto class differ, the runners
check a capability (``can_generate()``, a processor part, a keyword the tokenizer takes), never
the model type.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from explorer.catalog import TaskSpec
from explorer.errors import BadInput
from explorer.heads._common import label_names, sigmoid, softmax, to_numpy, top_labels
from explorer.heads._text import (
    cut_question,
    cut_text,
    generation_budget,
    prompt_limit,
    readable_pieces,
)
from explorer.results import (
    Answer,
    Classification,
    DetectedObject,
    Detections,
    Generation,
    Label,
    Result,
)
from explorer.runner import RunContext, accepted

# ---------------------------------------------------------------------------- shared helpers


def _labels(ctx: RunContext) -> list[str]:
    """The candidate labels of a zero-shot task; there is no sensible default set."""
    if not ctx.inputs.labels:
        raise BadInput(f"{ctx.loaded.spec.task} scores the candidate labels you give; pass some, "
                       "e.g. labels=['a cat', 'a dog'] (CLI: --labels 'a cat,a dog')")
    return list(ctx.inputs.labels)


def _part(ctx: RunContext, name: str) -> Any:
    """A part of the checkpoint's processor (``image_processor``, ``feature_extractor``), or the
    preprocessor itself when it is that part."""
    pre = ctx.preprocessor
    part = getattr(pre, name, None)
    if part is not None:
        return part
    kind = name.replace("_", "")
    return pre if type(pre).__name__.lower().endswith((kind, kind + "pil")) else None


def _sequence_probability(scores: Sequence[Any], new_ids: Any) -> tuple[float, ...]:
    """Probability the model gave each generated token (from ``generate(output_scores=True)``)."""
    return tuple(float(softmax(to_numpy(step[0]))[int(i)]) for step, i in zip(scores, new_ids))


def _new_tokens(out: Any) -> Any:
    """The generated ids of the first sequence: the last ``len(scores)`` positions (some
    models return the prompt in front, some do not)."""
    sequence = out.sequences[0]
    return sequence[-len(out.scores):] if out.scores else sequence[:0]


# ---------------------------------------------------------------------------- zero-shot image


def _sigmoid_scored(model: Any) -> bool:
    # SigLIP-style models are trained with a sigmoid loss (they carry a learned logit_bias) on
    # texts padded to a fixed length: score them with a sigmoid and pad the same way.
    return hasattr(model, "logit_bias")


def classify_image_zero_shot(ctx: RunContext) -> Result:
    """Embed the image and one sentence per label; the label whose sentence is closest wins."""
    ctx.require("image")
    labels = _labels(ctx)
    template = ctx.option("hypothesis_template")
    if "{}" not in template:
        raise BadInput(f"hypothesis_template needs a {{}} where the label goes, got {template!r}")
    sigmoid_scored = _sigmoid_scored(ctx.model)
    encoded = ctx.preprocessor(text=[template.format(label) for label in labels],
                               images=ctx.inputs.image, return_tensors="pt", truncation=True,
                               padding="max_length" if sigmoid_scored else True)
    outputs = ctx.forward(encoded)
    logits = to_numpy(outputs.logits_per_image)[0]
    return Classification(labels=top_labels(logits, labels, ctx.option("top_k", len(labels)),
                                            sigmoid_scored),
                          logits=logits, label_names=tuple(labels),
                          **ctx.common(outputs, encoded["input_ids"]))


# ---------------------------------------------------------------------------- zero-shot detection


def _clip_box(box: Sequence[float], width: int, height: int) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in box)
    w, h = float(width), float(height)
    return (min(max(x0, 0.0), w), min(max(y0, 0.0), h), min(max(x1, 0.0), w), min(max(y1, 0.0), h))


def detect_zero_shot(ctx: RunContext) -> Result:
    """Score every predicted box against each label text; keep boxes above ``threshold``."""
    ctx.require("image")
    labels = _labels(ctx)
    image = ctx.inputs.image
    threshold = ctx.option("threshold")
    encoded = ctx.preprocessor(text=[labels], images=image, return_tensors="pt")
    outputs = ctx.forward(encoded)
    found = ctx.preprocessor.post_process_grounded_object_detection(
        outputs, threshold=threshold, target_sizes=[(image.height, image.width)],
        text_labels=[labels])[0]
    names = found.get("text_labels") or [labels[int(i)] for i in found["labels"]]
    objects = sorted((DetectedObject(label=str(name), score=float(score),
                                     box=_clip_box(box.tolist(), image.width, image.height))
                      for name, score, box in zip(names, found["scores"], found["boxes"])),
                     key=lambda o: -o.score)
    return Detections(image_size=(image.width, image.height), objects=tuple(objects),
                      threshold=threshold, **ctx.common(None, encoded.get("input_ids")))


# ---------------------------------------------------------------------------- visual QA


def _generated_answer(ctx: RunContext, encoded: Any, question: str) -> Answer:
    """Generative VQA (BLIP): the answer is decoded text; its score is the product of the
    probabilities of its tokens."""
    out = ctx.generate(encoded,
                       max_new_tokens=ctx.option("max_new_tokens"),
                       output_scores=True, return_dict_in_generate=True)
    new_ids = _new_tokens(out)
    probs = _sequence_probability(out.scores, new_ids)
    return Answer(answer=ctx.tokenizer.decode(new_ids, skip_special_tokens=True).strip(),
                  score=float(np.prod(probs)) if probs else 0.0, question=question,
                  **ctx.common(None, encoded.get("input_ids")))


def answer_visual_question(ctx: RunContext) -> Result:
    """Classifier VQA (ViLT: a score per answer in ``id2label``) or generative VQA (BLIP)."""
    ctx.require("image", "question")
    assert ctx.inputs.question is not None  # required just above
    question = cut_question(ctx, ctx.inputs.question)
    encoded = ctx.preprocessor(images=ctx.inputs.image, text=question, truncation=True,
                               return_tensors="pt")
    if ctx.model.can_generate():
        return _generated_answer(ctx, encoded, question)
    outputs = ctx.forward(encoded)
    logits = to_numpy(outputs.logits)[0]
    names = label_names(ctx.config, logits.shape[-1])
    # The answer heads are trained with a per-answer sigmoid (several answers can be right).
    ranked = top_labels(logits, names, ctx.option("top_k"), multi_label=True)
    return Answer(answer=ranked[0].label, score=ranked[0].score, question=question,
                  alternatives=ranked[1:], **ctx.common(outputs, encoded["input_ids"]))


# ---------------------------------------------------------------------------- document QA


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


def _page_words(ctx: RunContext) -> tuple[list[str], list[list[int]], str]:
    """``(words, boxes 0–1000, text)`` of the page: the ``context`` text when given (laid out in
    reading order), else Tesseract OCR through the image processor when it is installed."""
    context = ctx.inputs.context
    if context and context.strip():
        words = context.split()
        ctx.notes.append("words come from the context text, laid out in reading order with "
                         "stand-in boxes (no OCR): the model's layout features see no real layout")
        return words, _reading_order_boxes(words), context
    image_processor = _part(ctx, "image_processor")
    if image_processor is not None and hasattr(image_processor, "apply_ocr") and _ocr_available():
        ctx.require("image")
        found = image_processor(ctx.inputs.image, apply_ocr=True, return_tensors="pt")
        words, boxes = list(found["words"][0]), [list(b) for b in found["boxes"][0]]
        ctx.notes.append(f"words and boxes from Tesseract OCR ({len(words)} words)")
        return words, boxes, " ".join(words)
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
    words, boxes, text = _page_words(ctx)
    encoded = _encode_document(ctx, question, words, boxes)
    word_ids, sequence_ids = encoded.word_ids(0), encoded.sequence_ids(0)
    kept = 1 + max((w for w, seq in zip(word_ids, sequence_ids) if seq == 1), default=-1)
    if kept < len(words):
        ctx.notes.append(f"the page was cut to its first {kept} of {len(words)} words to fit the "
                         "model's input length")
    batch = dict(encoded)
    image_processor = _part(ctx, "image_processor")
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
                  **ctx.common(outputs, encoded["input_ids"]))


# ---------------------------------------------------------------------------- table QA


def _cell_scores(logits: np.ndarray, token_types: np.ndarray) -> dict[tuple[int, int], float]:
    """Mean token probability per table cell ``(row, column)``, 0-based (TAPAS token types:
    0 = segment, 1 = column + 1, 2 = row + 1). The tokenizer averages the same way to select
    cells, but only in a private method, so the score is computed here."""
    cells: dict[tuple[int, int], list[float]] = {}
    for p, (segment, column, row) in zip(sigmoid(logits), token_types[:, :3].tolist()):
        if segment == 1 and column > 0 and row > 0:
            cells.setdefault((row - 1, column - 1), []).append(float(p))
    return {cell: float(np.mean(ps)) for cell, ps in cells.items()}


def _aggregation_names(config: Any, count: int) -> tuple[str, ...]:
    names = getattr(config, "aggregation_labels", None) or {}
    return tuple(str(names.get(i, names.get(str(i), f"AGG_{i}"))) for i in range(count))


def _aggregations(ctx: RunContext, logits: Any) -> tuple[Label, ...]:
    """Aggregation operators (NONE, SUM, AVERAGE, COUNT) with their probabilities, best first."""
    if logits is None:
        return ()
    values = to_numpy(logits)[0]
    return top_labels(values, _aggregation_names(ctx.config, len(values)), len(values))


def answer_table_question(ctx: RunContext) -> Result:
    """TAPAS: select the cells that answer the question, and an aggregation over them."""
    ctx.require("table", "question")
    import pandas as pd

    table = pd.DataFrame(ctx.inputs.table)
    if table.empty:
        raise BadInput("the table is empty; give a CSV with a header row and data rows")
    assert ctx.inputs.question is not None  # required above
    question = cut_question(ctx, ctx.inputs.question)
    encoded = ctx.tokenizer(table=table, queries=question, truncation=True, return_tensors="pt")
    rows_seen = int(encoded["token_type_ids"][0, :, 2].max())
    if rows_seen < len(table):
        ctx.notes.append(f"the table was cut to its first {rows_seen} of {len(table)} rows to fit "
                         "the model's input length")
    outputs = ctx.forward(encoded)
    logits = outputs.logits.detach().float().cpu()
    agg_logits = getattr(outputs, "logits_aggregation", None)
    threshold = ctx.option("threshold")
    predicted = ctx.tokenizer.convert_logits_to_predictions(
        encoded, logits, None if agg_logits is None else agg_logits.detach().float().cpu(),
        cell_classification_threshold=threshold)
    coordinates = predicted[0][0] if predicted[0] else []
    cells = [str(table.iat[row, column]) for row, column in coordinates]
    scores = _cell_scores(logits.numpy()[0], encoded["token_type_ids"][0].numpy())
    aggregations = _aggregations(ctx, agg_logits)
    operator = ""
    if len(predicted) > 1:  # the checkpoint has an aggregation head
        operator = _aggregation_names(ctx.config, len(aggregations))[int(predicted[1][0])]
    if not cells:
        ctx.notes.append(f"no cell scored above the threshold {threshold}; lower it "
                         "(CLI: --option threshold=0.3)")
    answer = ", ".join(cells)
    if operator and operator != "NONE" and cells:
        answer = f"{operator} > {answer}"
    return Answer(answer=answer,
                  score=float(np.mean([scores[c] for c in coordinates])) if coordinates else 0.0,
                  question=question, alternatives=aggregations,
                  **ctx.common(outputs, encoded["input_ids"]))


# ---------------------------------------------------------------------------- generation


def _media(ctx: RunContext, kinds: Sequence[str]) -> dict[str, Any]:
    """Processor keywords for the image / audio inputs that were given."""
    given = ctx.inputs.kinds()
    media: dict[str, Any] = {}
    if "image" in kinds and "image" in given:
        if _part(ctx, "image_processor") is None:
            raise BadInput(_no_part(ctx, "image_processor", "images", "image"))
        media["images"] = ctx.inputs.image
    if "audio" in kinds and "audio" in given:
        extractor = _part(ctx, "feature_extractor")
        if extractor is None:
            raise BadInput(_no_part(ctx, "feature_extractor", "audio", "audio"))
        media["audio"] = ctx.audio_at(extractor.sampling_rate)
        media["sampling_rate"] = extractor.sampling_rate
    return media


def _no_part(ctx: RunContext, part: str, what: str, flag: str) -> str:
    """Why the processor cannot take ``what``: it has no such part, or the checkpoint saved the
    part on its own, without the processor class that joins it with the tokenizer."""
    if ctx.part(part) is None:
        return f"this checkpoint's processor takes no {what}; leave out the {flag}"
    return (f"{ctx.loaded.resolution.checkpoint} saves its {part.replace('_', ' ')} apart from its "
            f"tokenizer, without the processor that puts {what} into the prompt "
            "(processor_config.json); save the model's processor with the checkpoint "
            "(processor.save_pretrained(folder)) to run it on " + what)


def _with_placeholders(ctx: RunContext, prompt: str, media: dict[str, Any]) -> str:
    """A raw prompt (no chat template) with the processor's image / audio token in front for each
    input that lacks one: LLaVA-style processors expand those tokens and refuse prompts without."""
    pre = ctx.preprocessor
    front = ""
    for key, attr in (("images", "image_token"), ("audio", "audio_token")):
        token = getattr(pre, attr, None)
        if key in media and isinstance(token, str) and token not in prompt:
            front += token
    if front:
        ctx.notes.append(f"no chat template: {front} put in front of the prompt for the model's "
                         "media")
    return f"{front}{' ' if front and prompt else ''}{prompt}" if front else prompt


def _chat_prompt(ctx: RunContext, prompt: str, media: dict[str, Any]) -> str | None:
    """The prompt in the checkpoint's chat template, with a placeholder per image / audio input,
    or None when it has no template (or the prompt already holds the image token: the user wrote
    the raw prompt)."""
    pre = ctx.preprocessor
    if not getattr(pre, "chat_template", None) or not ctx.option("chat_template"):
        return None
    token = getattr(pre, "image_token", None)
    if token and token in prompt:
        return None
    content = [{"type": "image"}] * ("images" in media) + [{"type": "audio"}] * ("audio" in media)
    content = content + ([{"type": "text", "text": prompt}] if prompt else [])
    ctx.notes.append("prompt wrapped in the checkpoint's chat template")
    return pre.apply_chat_template([{"role": "user", "content": content}],
                                   add_generation_prompt=True, tokenize=False)


def _generate_from(ctx: RunContext, kinds: Sequence[str]) -> Result:
    prompt = ctx.inputs.text[0] if ctx.inputs.text else ""
    media = _media(ctx, kinds)
    if not media and not prompt:
        raise BadInput(f"{ctx.loaded.spec.task} needs an input to start from: "
                       f"{' or '.join(kinds)} and/or a text prompt")
    asked = ctx.option("max_new_tokens")
    prompt, templated, encoded = _fitted_prompt(ctx, prompt, media, asked)
    new = generation_budget(ctx, _length(encoded), asked)
    out = ctx.generate(encoded, max_new_tokens=new,
                       do_sample=ctx.option("do_sample"), output_scores=True,
                       return_dict_in_generate=True)
    new_ids = _new_tokens(out)
    reply = ctx.tokenizer.decode(new_ids, skip_special_tokens=True).strip()
    # A captioner continues the prompt ("a picture of" → "a picture of a cat"); a chat model
    # answers it, so its reply stands alone.
    continues = templated is None and bool(prompt) and not ctx.config.is_encoder_decoder
    if continues and not ctx.option("only_new"):
        reply = f"{prompt} {reply}".strip()
    return Generation(text=reply, prompt=prompt,
                      generated_tokens=readable_pieces(ctx.tokenizer, new_ids),
                      token_scores=_sequence_probability(out.scores, new_ids),
                      **ctx.common(None, encoded.get("input_ids")))


def _length(encoded: Any) -> int:
    """Tokens the model starts from: the prompt's, or 1 (the start token) without a prompt."""
    ids = encoded.get("input_ids")
    return int(ids.shape[1]) if ids is not None else 1


def _fitted_prompt(ctx: RunContext, prompt: str, media: dict[str, Any],
                   asked: int) -> tuple[str, str | None, Any]:
    """``(prompt, templated prompt or None, processor outputs)`` with the prompt cut so that
    prompt, template and image tokens leave room for new tokens in the model's positions."""
    limit = prompt_limit(ctx.config, asked)
    if limit is not None and prompt:
        prompt = cut_text(ctx, prompt, limit, "the prompt")
    for _ in range(2):  # the second pass cuts what the template and image tokens added
        templated = _chat_prompt(ctx, prompt, media)
        text = templated if templated is not None else _with_placeholders(ctx, prompt, media)
        encoded = ctx.preprocessor(text=text or None, **media, return_tensors="pt")
        over = _length(encoded) - limit if limit is not None else 0
        if over <= 0 or not prompt:
            break
        own = len(ctx.tokenizer(prompt, add_special_tokens=False)["input_ids"])
        prompt = cut_text(ctx, prompt, max(0, own - over), "the prompt")
    return prompt, templated, encoded


def generate_from_image(ctx: RunContext) -> Result:
    """Image (+ optional prompt) → text: captioning, visual chat, OCR-style transcription."""
    ctx.require("image")
    return _generate_from(ctx, ("image",))


def generate_multimodal(ctx: RunContext) -> Result:
    """Text plus any image / audio the checkpoint's processor takes → text."""
    return _generate_from(ctx, ("image", "audio"))


GENERATION_OPTIONS = ("max_new_tokens", "do_sample", "only_new", "chat_template")

SPECS = [
    TaskSpec("AutoModelForZeroShotImageClassification", ("zero-shot-image-classification",),
             "multimodal", ("image", "labels"), "classification", "AutoProcessor",
             "Embeds the image and a sentence per candidate label in one space (CLIP, SigLIP); "
             "the closest label wins.",
             options=("top_k", "hypothesis_template"), runner=classify_image_zero_shot),
    TaskSpec("AutoModelForZeroShotObjectDetection", ("zero-shot-object-detection",),
             "multimodal", ("image", "labels"), "detection", "AutoProcessor",
             "Boxes for whatever the label texts describe (OWL-ViT, Grounding DINO), each box "
             "scored against every label.",
             options=("threshold",), runner=detect_zero_shot),
    TaskSpec("AutoModelForVisualQuestionAnswering", ("visual-question-answering", "vqa"),
             "multimodal", ("image", "question"), "answer", "AutoProcessor",
             "Answers a question about an image: a score per known answer (ViLT) or generated "
             "text (BLIP).",
             options=("top_k", "max_new_tokens"), runner=answer_visual_question),
    TaskSpec("AutoModelForDocumentQuestionAnswering", ("document-question-answering",),
             "multimodal", ("image", "question", "context"), "answer", "AutoProcessor",
             "Extractive QA over a page's words and their boxes on the page (LayoutLM family): "
             "start and end scores over the words.",
             options=("max_answer_length",), runner=answer_document_question),
    TaskSpec("AutoModelForTableQuestionAnswering", ("table-question-answering",), "multimodal",
             ("table", "question"), "answer", "AutoTokenizer",
             "Selects the table cells that answer the question, plus an aggregation over them "
             "(TAPAS: NONE, SUM, AVERAGE, COUNT).",
             options=("threshold",), runner=answer_table_question),
    TaskSpec("AutoModelForImageTextToText", ("image-text-to-text", "image-to-text"),
             "multimodal", ("image", "text"), "generation", "AutoProcessor",
             "A vision encoder feeds a text decoder: captions, or answers about the image to a "
             "prompt (BLIP, LLaVA, Qwen-VL; formerly AutoModelForVision2Seq).",
             options=GENERATION_OPTIONS, runner=generate_from_image),
    TaskSpec("AutoModelForMultimodalLM", ("any-to-any",), "multimodal",
             ("text", "image", "audio"), "generation", "AutoProcessor",
             "A language model that reads text with images and/or audio and writes text: every "
             "image-text-to-text model plus audio-text ones (Qwen2-Audio, Voxtral, omni models).",
             options=GENERATION_OPTIONS, runner=generate_multimodal),
]

__all__ = ["SPECS"]
