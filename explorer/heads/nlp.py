"""Language heads: classification, tokens, QA, fill-mask, generation, multiple choice, NSP."""

from __future__ import annotations

from typing import Any

import numpy as np

from explorer.errors import BadInput
from explorer.heads._common import classification, label_names, softmax, to_numpy, top_labels
from explorer.heads._text import (
    context_length,
    cut_question,
    cut_text,
    generation_budget,
    head_of,
    prompt_limit,
    readable_pieces,
)
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


RUNNERS = {
    "AutoModelForSequenceClassification": classify_text,
    "AutoModelForTokenClassification": classify_tokens,
    "AutoModelForQuestionAnswering": answer_question,
    "AutoModelForMaskedLM": fill_mask,
    "AutoModelForCausalLM": generate_text,
    "AutoModelForSeq2SeqLM": generate_text,
    "AutoModelForMultipleChoice": multiple_choice,
    "AutoModelForNextSentencePrediction": next_sentence,
    "AutoModelForTextEncoding": _encode_texts,
}

__all__ = ["RUNNERS"]
