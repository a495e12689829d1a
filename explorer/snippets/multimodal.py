"""Snippet bodies for multimodal tasks (mirroring the multimodal modules in ``explorer/heads/``)."""

from __future__ import annotations

import inspect
from pathlib import Path

from explorer.heads._text import context_length, prompt_limit
from explorer.snippets.base import Body, Spec, forward, image_lines, to_device

BOX_CLIP = ["limits = (image.width, image.height) * 2  # boxes are clipped to the picture",
            "clip = lambda box: [min(max(v, 0.0), lim) for v, lim in zip(box, limits)]"]


def _labels(spec: Spec) -> str:
    return f"labels = {list(spec.inputs.get('labels') or [])!r}"


def _drop_token_types(spec: Spec, var: str = "inputs") -> list[str]:
    """GIT / BLIP processors return ``token_type_ids`` their ``generate`` refuses."""
    if "token_type_ids" in inspect.signature(spec.model_class.forward).parameters:
        return []
    return [f"{var}.pop(\"token_type_ids\", None)  # the model takes none"]


def classify_image_zero_shot(spec: Spec) -> list[str]:
    template = spec.option("hypothesis_template")
    k = spec.options.get("top_k") or len(spec.inputs.get("labels") or [])
    return image_lines(spec) + [
        _labels(spec),
        "# SigLIP-style models (a learned logit_bias) are trained with a sigmoid loss on texts",
        "# padded to a fixed length: score and pad them that way; CLIP-style ones with a softmax.",
        "sigmoid = hasattr(model, \"logit_bias\")",
        f"inputs = {spec.pre}(text=[{template!r}.format(label) for label in labels], images=image,",
        "                   return_tensors=\"pt\", truncation=True,",
        "                   padding=\"max_length\" if sigmoid else True)",
        *to_device(spec), *forward(),
        "logits = outputs.logits_per_image[0].float()",
        "probs = logits.sigmoid() if sigmoid else logits.softmax(-1)",
        f"scores = dict(sorted(zip(labels, probs.tolist()), key=lambda kv: -kv[1])[:{k}])",
        "print(scores)",
    ]


def detect_zero_shot(spec: Spec) -> list[str]:
    return image_lines(spec) + [
        _labels(spec),
        f"inputs = {spec.pre}(text=[labels], images=image, return_tensors=\"pt\")",
        *to_device(spec), *forward(),
        f"found = {spec.pre}.post_process_grounded_object_detection(",
        f"    outputs, threshold={spec.option('threshold')}, "
        "target_sizes=[(image.height, image.width)], text_labels=[labels])[0]",
        *BOX_CLIP,
        "detections = sorted(((str(name), float(score), clip(box.tolist()))",
        "                     for name, score, box in zip(found[\"text_labels\"], "
        "found[\"scores\"], found[\"boxes\"])),",
        "                    key=lambda d: -d[1])",
        "print(detections)",
    ]


def answer_visual_question(spec: Spec) -> list[str]:
    lines = image_lines(spec) + [
        f"question = {spec.inputs.get('question', '')!r}",
        f"inputs = {spec.pre}(images=image, text=question, truncation=True, return_tensors=\"pt\")",
        *to_device(spec)]
    if spec.model_class.can_generate():
        return lines + _drop_token_types(spec) + [
            "with torch.inference_mode():",
            f"    out = model.generate(**inputs, max_new_tokens={spec.option('max_new_tokens')}, "
            "output_scores=True, return_dict_in_generate=True)",
            "new_ids = out.sequences[0, -len(out.scores):]",
            "probs = [step[0].float().softmax(-1)[i].item() for step, i in zip(out.scores, "
            "new_ids)]",
            f"reply = {spec.part('tokenizer')}.decode(new_ids, skip_special_tokens=True).strip()",
            "answer = {\"answer\": reply, \"score\": float(torch.tensor(probs).prod())}  "
            "# product of token probabilities",
            "print(answer)",
        ]
    k = spec.option("top_k")
    return lines + forward() + [
        "probs = outputs.logits[0].float().sigmoid()  # a sigmoid per answer: several can be right",
        f"top = probs.topk(min({k}, probs.numel()))",
        "ranked = [(model.config.id2label[i], p) for p, i in zip(top.values.tolist(), "
        "top.indices.tolist())]",
        "answer = {\"answer\": ranked[0][0], \"score\": ranked[0][1], "
        "\"alternatives\": dict(ranked[1:])}",
        "print(answer)",
    ]


def _page_words(spec: Spec) -> list[str]:
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


def answer_document_question(spec: Spec) -> list[str]:
    tokenizer = spec.part("tokenizer")
    limit = spec.option("max_answer_length")
    pixels = "pixel_values" if "pixel_values" in inspect.signature(
        spec.model_class.forward).parameters else "image"
    return image_lines(spec) + [f"question = {spec.inputs.get('question', '')!r}",
                                *_page_words(spec)] + [
        f"inputs = {tokenizer}(question, words, boxes=boxes, truncation=\"only_second\", "
        "return_tensors=\"pt\")",
        "word_ids, in_page = inputs.word_ids(0), torch.tensor([s == 1 for s in "
        "inputs.sequence_ids(0)])",
        f"inputs[{pixels!r}] = {spec.part('image_processor')}(image, apply_ocr=False, "
        "return_tensors=\"pt\")[\"pixel_values\"]",
        *_drop_token_types(spec), *forward(),
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


def answer_table_question(spec: Spec) -> list[str]:
    table = spec.inputs["table"]
    source = (f"pandas.read_csv({str(table)!r}, dtype=str, keep_default_na=False, "
              "skipinitialspace=True)" if Path(str(table)).is_file() else
              f"pandas.read_csv(io.StringIO({str(table)!r}), dtype=str, keep_default_na=False, "
              "skipinitialspace=True)")
    names = getattr(spec.config, "aggregation_labels", None) or {}
    operators = [str(names.get(i, names.get(str(i), f"AGG_{i}"))) for i in range(len(names))]
    return [
        f"table = {source}",
        f"question = {spec.inputs.get('question', '')!r}",
        f"inputs = {spec.pre}(table=table, queries=question, truncation=True, "
        "return_tensors=\"pt\")",
        *forward(),
        "logits, aggregation = outputs.logits.float(), outputs.logits_aggregation.float()",
        f"cells_found, operator = {spec.pre}.convert_logits_to_predictions(",
        f"    inputs, logits, aggregation, cell_classification_threshold="
        f"{spec.option('threshold')})",
        "cells = [table.iat[row, column] for row, column in cells_found[0]]",
        "# A cell's score: the mean probability of its tokens (token types: segment, column, row).",
        "per_cell = {}",
        "for p, (segment, column, row) in zip(logits[0].sigmoid().tolist(), "
        "inputs[\"token_type_ids\"][0, :, :3].tolist()):",
        "    if segment == 1 and column > 0 and row > 0:",
        "        per_cell.setdefault((row - 1, column - 1), []).append(p)",
        "score = sum(sum(per_cell[c]) / len(per_cell[c]) for c in cells_found[0]) / "
        "max(len(cells_found[0]), 1)",
        f"operators = {operators!r}",
        "agg = aggregation[0].softmax(-1)",
        "alternatives = dict(sorted(zip(operators, agg.tolist()), key=lambda kv: -kv[1]))",
        "answer = \", \".join(cells)",
        "if operators[operator[0]] != \"NONE\" and cells:",
        "    answer = f\"{operators[operator[0]]} > {answer}\"",
        "print({\"answer\": answer, \"score\": score, \"alternatives\": alternatives})",
    ]


def generate_from(spec: Spec) -> list[str]:
    """Image (+ audio) + prompt → text, in the checkpoint's chat template when it has one."""
    prompt = spec.first_text
    chat = bool(getattr(spec.preprocessor, "chat_template", None)) and spec.option("chat_template")
    token = getattr(spec.preprocessor, "image_token", None)
    chat = chat and not (token and token in prompt)
    media = "image" in spec.inputs
    lines = image_lines(spec) if media else []
    lines.append(f"prompt = {prompt!r}")
    if chat:
        content = ("[{\"type\": \"image\"}, " if media else "[") + (
            "{\"type\": \"text\", \"text\": prompt}]" if prompt else "]")
        lines += [f"messages = [{{\"role\": \"user\", \"content\": {content}}}]",
                  f"text = {spec.pre}.apply_chat_template(messages, add_generation_prompt=True, "
                  "tokenize=False)"]
    else:
        lines.append("text = prompt")
    args = "text=text or None" + (", images=image" if media else "")
    asked = spec.option("max_new_tokens")
    positions = context_length(spec.config)
    keep = prompt_limit(spec.config, asked)
    used = "inputs[\"input_ids\"].shape[1]" if prompt or chat else "1"
    budget = (f"min({asked}, {positions} - {used})  # {positions} positions hold prompt + new "
              "tokens" if positions and keep else str(asked))
    continues = not chat and bool(prompt) and not getattr(spec.config, "is_encoder_decoder",
                                                          False)
    reply = "f\"{prompt} {reply}\".strip()  # a captioner continues the prompt" \
        if continues and not spec.option("only_new") else "reply  # a chat model answers"
    return lines + [
        f"inputs = {spec.pre}({args}, return_tensors=\"pt\")", *to_device(spec),
        *_drop_token_types(spec),
        f"max_new_tokens = {budget}",
        "with torch.inference_mode():",
        "    out = model.generate(**inputs, max_new_tokens=max_new_tokens, "
        f"do_sample={bool(spec.option('do_sample'))}, output_scores=True, "
        "return_dict_in_generate=True)",
        "new_ids = out.sequences[0, -len(out.scores):]  # some models return the prompt too",
        f"reply = {spec.part('tokenizer')}.decode(new_ids, skip_special_tokens=True).strip()",
        f"text = {reply}",
        "print(text)",
    ]


BODIES: dict[str, Body] = {
    "AutoModelForZeroShotImageClassification": classify_image_zero_shot,
    "AutoModelForZeroShotObjectDetection": detect_zero_shot,
    "AutoModelForVisualQuestionAnswering": answer_visual_question,
    "AutoModelForDocumentQuestionAnswering": answer_document_question,
    "AutoModelForTableQuestionAnswering": answer_table_question,
    "AutoModelForImageTextToText": generate_from,
    "AutoModelForMultimodalLM": generate_from,
}
