"""Snippet bodies for language tasks (mirroring ``explorer/heads/nlp.py`` and ``base.py``)."""

from __future__ import annotations

from explorer.heads._text import context_length, prompt_limit
from explorer.snippets.base import (
    Body,
    Spec,
    audio_batch,
    embeddings_print,
    forward,
    image_batch,
    shapes_print,
    to_device,
    top_scores,
)


def classify_text(spec: Spec) -> list[str]:
    pair = spec.inputs.get("text_pair")
    args = f"{spec.first_text!r}" + (f", {pair!r}" if pair else "")
    return [f"inputs = {spec.pre}({args}, truncation=True, return_tensors=\"pt\")",
            *to_device(spec), *forward(), "logits = outputs.logits[0]",
            *top_scores(spec, "model.config.id2label")]


def fill_mask(spec: Spec) -> list[str]:
    return [
        f"text = {spec.first_text!r}",
        "for generic in (\"[MASK]\", \"<mask>\", \"[mask]\"):  # any mask spelling → this model's",
        f"    text = text.replace(generic, {spec.pre}.mask_token)",
        f"inputs = {spec.pre}(text, truncation=True, return_tensors=\"pt\")",
        *to_device(spec),
        f"position = (inputs[\"input_ids\"][0] == {spec.pre}.mask_token_id).nonzero()[0, 0]",
        *forward(),
        "probs = outputs.logits[0, position].float().softmax(-1)",
        f"top = probs.topk({spec.option('top_k')})",
        f"candidates = [({spec.pre}.decode([i]).strip(), p)",
        "              for p, i in zip(top.values.tolist(), top.indices.tolist())]",
        "print(candidates)",
    ]


def _pooling(spec: Spec, mask: bool) -> list[str]:
    pooling = spec.option("pooling")
    if pooling == "pooler":
        return ["embeddings = outputs.pooler_output  # the model's own pooling head"]
    lines = ["hidden = outputs.last_hidden_state"]
    if pooling == "cls":
        return lines + ["embeddings = hidden[:, 0]  # the first ([CLS]) token"]
    if mask:
        return lines + [
            "mask = inputs[\"attention_mask\"].unsqueeze(-1).to(hidden.dtype)",
            "embeddings = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)  "
            "# mean of real tokens"]
    return lines + ["embeddings = hidden.mean(dim=1)",
                    "if hidden.ndim == 4:  # a conv feature map: average over space",
                    "    embeddings = hidden.mean(dim=(2, 3))"]


def _base_inputs(spec: Spec) -> list[str]:
    """The input the base model's preprocessor takes: texts, else an image, else audio."""
    if spec.texts:
        return [f"texts = {spec.texts!r}",
                f"inputs = {spec.part('tokenizer')}(texts, padding=True, truncation=True, "
                "return_tensors=\"pt\")", *to_device(spec)]
    if "image" in spec.inputs:
        return image_batch(spec)
    return audio_batch(spec)


def embed(spec: Spec) -> list[str]:
    """AutoModel / AutoModelForTextEncoding: hidden states pooled into one vector per input."""
    encoder = getattr(spec.config, "is_encoder_decoder", False)
    call = ["with torch.inference_mode():",
            "    outputs = model.get_encoder()(**inputs)  # encoder-decoder: the encoder's vectors"
            if encoder else "    outputs = model(**inputs)"]
    return _base_inputs(spec) + call + _pooling(spec, mask=bool(spec.texts)) + embeddings_print()


def raw_outputs(spec: Spec) -> list[str]:
    return _base_inputs(spec) + forward() + shapes_print()


def classify_tokens(spec: Spec) -> list[str]:
    return [
        f"text = {spec.first_text!r}",
        f"inputs = {spec.pre}(text, truncation=True, return_offsets_mapping=True, "
        "return_tensors=\"pt\")",
        "offsets = inputs.pop(\"offset_mapping\")[0].tolist()",
        *to_device(spec), *forward(),
        "probs = outputs.logits[0].float().softmax(-1)",
        "# Merge tokens into entity spans: B- starts a span, I- (same type) continues it.",
        "spans, current = [], None",
        "for (start, end), p in zip(offsets, probs):",
        "    label = model.config.id2label[int(p.argmax())]",
        "    kind = label[2:] if label[:2] in (\"B-\", \"I-\") else label",
        "    if start == end or kind == \"O\":  # a special token, or outside any entity",
        "        current = None",
        "        continue",
        "    if current and current[\"label\"] == kind and not label.startswith(\"B-\"):",
        "        current[\"end\"] = end",
        "        current[\"scores\"].append(float(p.max()))",
        "    else:",
        "        current = {\"label\": kind, \"start\": start, \"end\": end, "
        "\"scores\": [float(p.max())]}",
        "        spans.append(current)",
        "entities = [(text[s[\"start\"]:s[\"end\"]], s[\"label\"], "
        "sum(s[\"scores\"]) / len(s[\"scores\"]))",
        "            for s in spans]",
        "print(entities)",
    ]


def _fit_question(spec: Spec) -> list[str]:
    """The runner's cut of a question longer than half the model's positions (``cut_question``)."""
    positions = context_length(spec.config)
    question = str(spec.inputs.get("question") or "")
    if not positions or len(question) <= positions // 2:  # a token covers at least a character
        return []
    tokenizer = spec.part("tokenizer")
    return [f"ids = {tokenizer}(question, add_special_tokens=False)[\"input_ids\"]",
            f"if len(ids) > {positions // 2}:  # {positions} positions: the question gets half",
            f"    question = {tokenizer}.decode(ids[:{positions // 2}], skip_special_tokens=True)"]


def answer_question(spec: Spec) -> list[str]:
    limit = spec.option("max_answer_length")
    return [
        f"question, context = {spec.inputs.get('question', '')!r}, "
        f"{spec.inputs.get('context', '')!r}",
        *_fit_question(spec),
        f"inputs = {spec.pre}(question, context, truncation=\"only_second\", "
        "return_offsets_mapping=True, return_tensors=\"pt\")",
        "offsets = inputs.pop(\"offset_mapping\")[0].tolist()",
        "in_context = torch.tensor([s == 1 for s in inputs.sequence_ids(0)])",
        *to_device(spec), *forward(),
        "start = outputs.start_logits[0].float().masked_fill(~in_context, "
        "-float(\"inf\")).softmax(-1)",
        "end = outputs.end_logits[0].float().masked_fill(~in_context, -float(\"inf\")).softmax(-1)",
        f"pairs = torch.outer(start, end).triu().tril({limit - 1})  "
        f"# start ≤ end, at most {limit} tokens",
        "s, e = divmod(int(pairs.argmax()), pairs.shape[1])",
        "answer = {\"answer\": context[offsets[s][0]:offsets[e][1]],",
        "          \"score\": float(pairs[s, e])}",
        "print(answer)",
    ]


def generate_text(spec: Spec) -> list[str]:
    asked = spec.option("max_new_tokens")
    sample = bool(spec.option("do_sample"))
    encoder_decoder = bool(getattr(spec.config, "is_encoder_decoder", False))
    positions = context_length(spec.config, decoder=encoder_decoder)
    keep = None if encoder_decoder else prompt_limit(spec.config, asked)
    cut = f", max_length={keep}" if keep else ""
    lines = [f"prompt = {spec.first_text!r}",
             f"inputs = {spec.pre}(prompt, truncation=True{cut}, return_tensors=\"pt\")",
             *to_device(spec),
             f"pad = {spec.pre}.pad_token_id if {spec.pre}.pad_token_id is not None else "
             f"{spec.pre}.eos_token_id"]
    if positions and encoder_decoder:
        lines.append(f"max_new_tokens = min({asked}, {positions - 1})  "
                     f"# the decoder has {positions} positions, one for its start token")
    elif positions:
        lines.append(f"max_new_tokens = min({asked}, {positions} - inputs[\"input_ids\"].shape[1])"
                     f"  # {positions} positions hold prompt + new tokens")
    else:
        lines.append(f"max_new_tokens = {asked}")
    only_new = bool(spec.option("only_new")) and not encoder_decoder
    sequence = "out[0, inputs[\"input_ids\"].shape[1]:]" if only_new else "out[0]"
    why = ("the reply alone" if encoder_decoder or only_new else
           "prompt and continuation decoded together")
    return lines + [
        "with torch.inference_mode():",
        f"    out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample={sample}, "
        "pad_token_id=pad)",
        f"text = {spec.pre}.decode({sequence}, skip_special_tokens=True)  # {why}",
        "print(text)",
    ]


def next_sentence(spec: Spec) -> list[str]:
    return [
        f"inputs = {spec.pre}({spec.first_text!r}, {spec.inputs.get('text_pair', '')!r}, "
        "truncation=True, return_tensors=\"pt\")",
        *to_device(spec), *forward(),
        "probs = outputs.logits[0].float().softmax(-1)  # BERT: index 0 = B follows A",
        "scores = dict(sorted(zip([\"is next\", \"not next\"], probs.tolist()), "
        "key=lambda kv: -kv[1]))",
        "print(scores)",
    ]


def multiple_choice(spec: Spec) -> list[str]:
    return [
        f"prompt, choices = {spec.first_text!r}, {list(spec.inputs.get('labels') or [])!r}",
        f"encoded = {spec.pre}([prompt] * len(choices), choices, truncation=True, padding=True, "
        "return_tensors=\"pt\")",
        "inputs = {k: v.unsqueeze(0) for k, v in encoded.items()}  # (1, choices, tokens)",
        *forward(),
        "probs = outputs.logits[0].float().softmax(-1)",
        "scores = dict(sorted(zip(choices, probs.tolist()), key=lambda kv: -kv[1]))",
        "print(scores)",
    ]


BODIES: dict[str, Body] = {
    "AutoModelForSequenceClassification": classify_text,
    "AutoModelForMaskedLM": fill_mask,
    "AutoModel": embed,
    "AutoModelForTextEncoding": embed,
    "AutoModelForPreTraining": raw_outputs,
    "AutoModelForTokenClassification": classify_tokens,
    "AutoModelForQuestionAnswering": answer_question,
    "AutoModelForCausalLM": generate_text,
    "AutoModelForSeq2SeqLM": generate_text,
    "AutoModelForNextSentencePrediction": next_sentence,
    "AutoModelForMultipleChoice": multiple_choice,
}
