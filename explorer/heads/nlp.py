"""Language heads: classification, tokens, QA, fill-mask, generation, multiple choice, NSP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from explorer.errors import BadInput
from explorer.heads._common import classification, label_names, softmax, to_numpy, top_labels
from explorer.heads._registry import Task
from explorer.heads._text import (
    context_length,
    cut_question,
    cut_text,
    generation_budget,
    head_of,
    prompt_limit,
    readable_pieces,
)
from explorer.heads.base import embed_snippet
from explorer.results import (
    Answer,
    Candidate,
    Classification,
    Entity,
    FillMask,
    Generation,
    Result,
    TokenSpans,
)
from explorer.runner import RunContext
from explorer.snippets.base import Spec, forward, to_device, top_scores
from explorer.zoo import Recipe
from explorer.zoo.common import (
    EXAMPLE_LABELS,
    NER_LABELS,
    bart_config,
    bart_tokenizer,
    bert_build,
    bpe_tokenizer,
    label_maps,
    save_random,
)


def _encode(ctx: RunContext, *texts: str, **kwargs: object) -> dict:
    heads = [head_of(ctx, t) for t in texts]
    encoded = ctx.tokenizer(*heads, truncation=kwargs.pop("truncation", True),
                            return_tensors="pt", **kwargs)
    given = [t for t in heads if isinstance(t, str)]
    if heads == list(texts):  # else head_of noted the cut already
        ctx.truncation_note(encoded, given, pair=len(given) == 2)
    return encoded


def _offsets(ctx: RunContext, encoded: dict, texts: dict[int, str],
             sequence_ids: list[int | None]) -> list[list[int]]:
    """Each token's ``[start, end)`` characters in its own input text.

    Fast tokenizers return them; pure-Python ones (CANINE's) cannot, so each token's text is
    found in order in the input it came from. Special tokens and pieces not found get an empty
    span, which the runners skip."""
    if "offset_mapping" in encoded:
        return encoded.pop("offset_mapping")[0].tolist()
    tok = ctx.tokenizer
    special = set(tok.all_special_ids)
    cursors = dict.fromkeys(texts, 0)
    spans = []
    for token_id, seq in zip(encoded["input_ids"][0].tolist(), sequence_ids):
        piece = tok.decode([token_id]).strip().removeprefix("##") if seq is not None else ""
        start = texts[seq].lower().find(piece.lower(), cursors[seq]) \
            if seq is not None and piece and token_id not in special else -1
        if seq is None or start < 0:
            spans.append([0, 0])
            continue
        cursors[seq] = start + len(piece)
        spans.append([start, cursors[seq]])
    return spans


def _sequence_ids(ctx: RunContext, encoded: Any) -> list[int | None]:
    """Which input (0: first text, 1: second) each token came from; None for special tokens."""
    try:
        return encoded.sequence_ids(0)
    except (ValueError, AttributeError):  # a pure-Python tokenizer keeps no encodings
        pass
    special = set(ctx.tokenizer.all_special_ids)
    ids = encoded["input_ids"][0].tolist()
    kinds = encoded["token_type_ids"][0].tolist() if "token_type_ids" in encoded else [0] * len(ids)
    if 1 not in kinds:  # no segment ids for the pair (CANINE): the second text follows a separator
        first = next((i for i, token in enumerate(ids) if token not in special), len(ids))
        separator = next((i for i in range(first, len(ids)) if ids[i] in special), len(ids))
        kinds = [int(i > separator) for i in range(len(ids))]
    return [None if i in special else int(k) for i, k in zip(ids, kinds)]


def _reads_tables(tokenizer: Any) -> bool:
    """TAPAS-style tokenizers take ``(table, queries)``, not a pair of texts."""
    import inspect

    return list(inspect.signature(type(tokenizer).__call__).parameters)[1:2] == ["table"]


def _encode_with_table(ctx: RunContext) -> dict:
    """A statement checked against a table (TAPAS on TabFact): the table and the text."""
    import pandas as pd

    name = type(ctx.tokenizer).__name__
    if ctx.inputs.text_pair:
        raise BadInput(f"{name} reads a table and a sentence, not two texts: give the table "
                       "(CLI: --table file.csv) and the sentence as the text")
    if ctx.inputs.table is None:
        ctx.notes.append(f"{name} checks the sentence against a table and none was given (CLI: "
                         "--table file.csv): it ran on an empty table")
        table = pd.DataFrame()
    else:
        table = pd.DataFrame(ctx.inputs.table)
    return ctx.tokenizer(table=table, queries=ctx.inputs.text[0], truncation=True,
                         return_tensors="pt")


def classify_text(ctx: RunContext) -> Result:
    ctx.require("text")
    if _reads_tables(ctx.tokenizer):
        encoded = _encode_with_table(ctx)
    elif ctx.inputs.text_pair:
        encoded = _encode(ctx, ctx.inputs.text[0], ctx.inputs.text_pair)
    else:
        encoded = _encode(ctx, ctx.inputs.text[0])
    outputs = ctx.forward(encoded)
    return classification(ctx, outputs, encoded["input_ids"])


def _entity_type(label: str) -> str:
    return label[2:] if label[:2] in ("B-", "I-") else label


def classify_tokens(ctx: RunContext) -> Result:
    """Label every token, then merge neighbouring tokens of the same entity type into spans
    (B- starts a new span; I- continues one)."""
    ctx.require("text")
    text = ctx.inputs.text[0]
    encoded = _encode(ctx, text, return_offsets_mapping=True)
    offsets = _offsets(ctx, encoded, {0: text}, _sequence_ids(ctx, encoded))
    outputs = ctx.forward(encoded)
    logits = to_numpy(outputs.logits)[0]
    names = label_names(ctx.config, logits.shape[-1])
    probs = softmax(logits)
    entities: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for (start, end), row in zip(offsets, probs):
        if start == end:  # special token
            current = None
            continue
        label = names[int(row.argmax())]
        kind = _entity_type(label)
        if label == "O" or kind == "O":
            current = None
            continue
        if current is not None and current["label"] == kind and not label.startswith("B-"):
            current["end"], current["scores"] = end, current["scores"] + [float(row.max())]
        else:
            current = {"label": kind, "start": start, "end": end, "scores": [float(row.max())]}
            entities.append(current)
    spans = tuple(Entity(text=text[e["start"]:e["end"]], label=e["label"],
                         score=float(np.mean(e["scores"])), start=e["start"], end=e["end"])
                  for e in entities)
    return TokenSpans(text=text, entities=spans, logits=logits, label_names=names,
                      **ctx.common(outputs, encoded["input_ids"]))


def answer_question(ctx: RunContext) -> Result:
    """Extractive QA: the best span with start ≤ end inside the context."""
    ctx.require("question", "context")
    question, context = ctx.inputs.question, ctx.inputs.context
    assert question is not None and context is not None  # required just above
    question = cut_question(ctx, question)
    encoded = _encode(ctx, question, context, truncation="only_second",
                      return_offsets_mapping=True)
    sequence_ids = _sequence_ids(ctx, encoded)
    if "offset_mapping" not in encoded and "token_type_ids" not in encoded:
        raise BadInput(f"{ctx.loaded.resolution.checkpoint}'s tokenizer tells neither where "
                       "tokens are in the text nor which tokens are the context, so no answer "
                       "span can be found; use a checkpoint with a fast tokenizer")
    offsets = _offsets(ctx, encoded, {0: question, 1: context}, sequence_ids)
    outputs = ctx.forward(encoded)
    start_logits = to_numpy(outputs.start_logits)[0]
    end_logits = to_numpy(outputs.end_logits)[0]
    in_context = np.array([s == 1 for s in sequence_ids])
    start_p = softmax(np.where(in_context, start_logits, -np.inf))
    end_p = softmax(np.where(in_context, end_logits, -np.inf))
    max_len = ctx.option("max_answer_length")
    scores = np.triu(np.outer(start_p, end_p)) - np.triu(np.outer(start_p, end_p), k=max_len)
    s, e = np.unravel_index(int(np.argmax(scores)), scores.shape)
    start_char, end_char = offsets[s][0], offsets[e][1]
    return Answer(answer=context[start_char:end_char], score=float(scores[s, e]),
                  question=question, context=context, start=start_char, end=end_char,
                  start_logits=start_logits, end_logits=end_logits,
                  **ctx.common(outputs, encoded["input_ids"]))


def fill_mask(ctx: RunContext) -> Result:
    ctx.require("text")
    tok = ctx.tokenizer
    text = ctx.inputs.text[0]
    if tok.mask_token is None:
        raise BadInput(f"{ctx.loaded.resolution.checkpoint}'s tokenizer has no mask token, so no "
                       "word can be marked for the model to fill; this checkpoint was not made "
                       "for fill-mask (try text-generation or feature-extraction)")
    for generic in ("[MASK]", "<mask>", "[mask]"):
        if generic != tok.mask_token:
            text = text.replace(generic, tok.mask_token)
    if tok.mask_token not in text:
        raise BadInput(f"fill-mask needs the mask token {tok.mask_token} in the text, e.g. "
                       f"'Paris is the {tok.mask_token} of France.'")
    text = _around_mask(ctx, text, tok.mask_token)
    encoded = _encode(ctx, text)
    ids = encoded["input_ids"][0]
    position = int((ids == tok.mask_token_id).nonzero()[0, 0])
    outputs = ctx.forward(encoded)
    scores = outputs.logits[0, position].float()
    # torch's softmax + topk, as plain transformers code does: near-ties among unlikely tokens
    # then come out in the same order as in the Code tab's snippet.
    top = scores.softmax(-1).topk(min(ctx.option("top_k"), scores.numel()))
    candidates = []
    for score, token_id in zip(top.values.tolist(), top.indices.tolist()):
        filled = ids.clone()
        filled[position] = token_id
        candidates.append(Candidate(token=tok.decode([token_id]).strip(), score=float(score),
                                    sequence=tok.decode(filled, skip_special_tokens=True)))
    logits = to_numpy(scores)
    return FillMask(text=text, candidates=tuple(candidates), mask_token=tok.mask_token,
                    logits=logits, **ctx.common(outputs, encoded["input_ids"]))


def _around_mask(ctx: RunContext, text: str, mask: str) -> str:
    """A long text starting at most half the model's positions (in characters, so fewer tokens)
    before its first mask: the tokenizer keeps the start, so the mask stays in."""
    limit = context_length(ctx.config)
    at = text.index(mask)
    if not limit or at <= limit // 2:
        return text
    before = len(ctx.tokenizer(text[:at], add_special_tokens=False)["input_ids"])
    if before < limit - 4:  # the mask is within reach (room for the special tokens): keep it all
        return text
    ctx.notes.append(f"the text was cut to start {limit // 2} characters before the mask (the "
                     f"model takes {limit} tokens)")
    return text[at - limit // 2:]


def generate_text(ctx: RunContext) -> Result:
    """Causal LM and seq2seq: greedy (or sampled) generation with the probability of each token.
    The prompt is cut and ``max_new_tokens`` capped to the model's positions (noted)."""
    ctx.require("text")
    tok = ctx.tokenizer
    asked = ctx.option("max_new_tokens")
    prompt = ctx.inputs.text[0]
    limit = prompt_limit(ctx.config, asked)
    if limit is not None:
        prompt = cut_text(ctx, prompt, max(1, limit - tok.num_special_tokens_to_add()),
                          "the prompt")
    encoded = _encode(ctx, prompt)
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    new = generation_budget(ctx, encoded["input_ids"].shape[1], asked)
    out = ctx.generate(encoded, max_new_tokens=new, do_sample=ctx.option("do_sample"),
                       output_scores=True, return_dict_in_generate=True, pad_token_id=pad)
    return _generation_result(ctx, out, encoded, prompt)


def _generation_result(ctx: RunContext, out, encoded, prompt: str) -> Generation:
    """Turn ``generate(..., output_scores=True, return_dict_in_generate=True)`` into a result.
    A decoder-only model's text is its whole sequence decoded at once (prompt and continuation:
    byte-level pieces join into characters only when decoded together)."""
    tok = ctx.tokenizer
    sequence = out.sequences[0]
    new_ids = sequence[-len(out.scores):] if out.scores else sequence[:0]
    probs = [float(softmax(to_numpy(step[0]))[int(i)]) for step, i in zip(out.scores, new_ids)]
    continues = ctx.config.is_encoder_decoder is False and not ctx.option("only_new")
    text = tok.decode(sequence if continues else new_ids, skip_special_tokens=True)
    return Generation(text=text, prompt=prompt, generated_tokens=readable_pieces(tok, new_ids),
                      token_scores=tuple(probs), **ctx.common(None, encoded["input_ids"]))


def multiple_choice(ctx: RunContext) -> Result:
    """Score each (prompt, choice) pair; the head compares them with a softmax across choices."""
    ctx.require("text", "labels")
    prompt, choices = head_of(ctx, ctx.inputs.text[0]), list(ctx.inputs.labels)
    if len(choices) < 2:
        raise BadInput("multiple choice needs at least two choices (CLI: --labels a,b,c)")
    encoded = ctx.tokenizer([prompt] * len(choices), choices, truncation=True, padding=True,
                            return_tensors="pt")
    ctx.truncation_note(encoded, [prompt, max(choices, key=len)], pair=True)
    batch = {k: v.unsqueeze(0) for k, v in encoded.items()}  # (1, n_choices, seq)
    outputs = ctx.forward(batch)
    logits = to_numpy(outputs.logits)[0]
    return Classification(labels=top_labels(logits, choices, len(choices)), logits=logits,
                          label_names=tuple(choices), **ctx.common(None, encoded["input_ids"]))


def next_sentence(ctx: RunContext) -> Result:
    ctx.require("text", "text_pair")
    assert ctx.inputs.text_pair is not None  # required just above
    encoded = _encode(ctx, ctx.inputs.text[0], ctx.inputs.text_pair)
    outputs = ctx.forward(encoded)
    logits = to_numpy(outputs.logits)[0]
    names = ("is next", "not next")  # BERT's NSP head: index 0 = B follows A
    return Classification(labels=top_labels(logits, names, 2), logits=logits, label_names=names,
                          **ctx.common(outputs, encoded["input_ids"]))


def _encode_texts(ctx: RunContext) -> Result:
    from explorer.heads.base import embed

    return embed(ctx)


def classify_text_snippet(spec: Spec) -> list[str]:
    pair = spec.inputs.get("text_pair")
    args = f"{spec.first_text!r}" + (f", {pair!r}" if pair else "")
    return [f"inputs = {spec.pre}({args}, truncation=True, return_tensors=\"pt\")",
            *to_device(spec), *forward(), "logits = outputs.logits[0]",
            *top_scores(spec, "model.config.id2label")]


def fill_mask_snippet(spec: Spec) -> list[str]:
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


def classify_tokens_snippet(spec: Spec) -> list[str]:
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


def answer_question_snippet(spec: Spec) -> list[str]:
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


def generate_text_snippet(spec: Spec) -> list[str]:
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


def next_sentence_snippet(spec: Spec) -> list[str]:
    return [
        f"inputs = {spec.pre}({spec.first_text!r}, {spec.inputs.get('text_pair', '')!r}, "
        "truncation=True, return_tensors=\"pt\")",
        *to_device(spec), *forward(),
        "probs = outputs.logits[0].float().softmax(-1)  # BERT: index 0 = B follows A",
        "scores = dict(sorted(zip([\"is next\", \"not next\"], probs.tolist()), "
        "key=lambda kv: -kv[1]))",
        "print(scores)",
    ]


def multiple_choice_snippet(spec: Spec) -> list[str]:
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


SENTENCE = "the teacher and the student read a good book in paris"


def _gpt2(directory: Path) -> None:
    from transformers import AutoConfig

    tok = bpe_tokenizer()
    config = AutoConfig.for_model("gpt2", vocab_size=len(tok), n_positions=64, n_embd=32, n_layer=2,
                                  n_head=2, bos_token_id=tok.eos_token_id,
                                  eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    save_random(directory, "AutoModelForCausalLM", config, tok)


def _bart(directory: Path) -> None:
    tok = bart_tokenizer()
    model = save_random(directory, "AutoModelForSeq2SeqLM", bart_config(tok, 32), tok)
    # Random weights pick </s> first, which would make every demo generation empty.
    model.generation_config.min_new_tokens = 6
    model.generation_config.save_pretrained(directory)


TASKS = [
    Task("AutoModelForSequenceClassification", run=classify_text, snippet=classify_text_snippet, recipes=[
        Recipe("text-classification", "AutoModelForSequenceClassification",
               bert_build("AutoModelForSequenceClassification", **label_maps(EXAMPLE_LABELS)),
               "tiny BERT with a 2-label sentiment head",
               {"text": "this movie was very good"}),
    ]),
    Task("AutoModelForTokenClassification", run=classify_tokens, snippet=classify_tokens_snippet, recipes=[
        Recipe("token-classification", "AutoModelForTokenClassification",
               bert_build("AutoModelForTokenClassification", **label_maps(NER_LABELS)),
               "tiny BERT with a BIO named-entity head", {"text": SENTENCE}),
    ]),
    Task("AutoModelForQuestionAnswering", run=answer_question, snippet=answer_question_snippet, recipes=[
        Recipe("question-answering", "AutoModelForQuestionAnswering",
               bert_build("AutoModelForQuestionAnswering"), "tiny BERT with a span (start/end) head",
               {"question": "Where does Alice live?",
                "context": "Alice lives in Paris. Bob works in Tokyo."}),
    ]),
    Task("AutoModelForMaskedLM", run=fill_mask, snippet=fill_mask_snippet, recipes=[
        Recipe("fill-mask", "AutoModelForMaskedLM", bert_build("AutoModelForMaskedLM"),
               "tiny BERT with its masked-LM head", {"text": "paris is the [MASK] of france"}),
    ]),
    Task("AutoModelForMultipleChoice", run=multiple_choice, snippet=multiple_choice_snippet, recipes=[
        Recipe("multiple-choice", "AutoModelForMultipleChoice", bert_build("AutoModelForMultipleChoice"),
               "tiny BERT with a multiple-choice head",
               {"text": "the cat sat on the", "labels": ["mat", "sky", "moon"]}),
    ]),
    Task("AutoModelForNextSentencePrediction", run=next_sentence, snippet=next_sentence_snippet, recipes=[
        Recipe("next-sentence-prediction", "AutoModelForNextSentencePrediction",
               bert_build("AutoModelForNextSentencePrediction"), "tiny BERT with its NSP head",
               {"text": "the cat sat on the mat", "text_pair": "it was a happy cat"}),
    ]),
    Task("AutoModelForTextEncoding", run=_encode_texts, snippet=embed_snippet, recipes=[
        Recipe("text-encoding", "AutoModelForTextEncoding", bert_build("AutoModelForTextEncoding"),
               "tiny BERT text encoder", {"text": ["a cat sat on the mat", "a dog sat on the rug"]}),
    ]),
    Task("AutoModelForCausalLM", run=generate_text, snippet=generate_text_snippet, recipes=[
        Recipe("text-generation", "AutoModelForCausalLM", _gpt2, "tiny GPT-2",
               {"text": "the student read a"}),
    ]),
    Task("AutoModelForSeq2SeqLM", run=generate_text, snippet=generate_text_snippet, recipes=[
        Recipe("text2text-generation", "AutoModelForSeq2SeqLM", _bart, "tiny BART encoder-decoder",
               {"text": "the cat sat on the mat"}),
    ]),
]

__all__ = ["TASKS"]
