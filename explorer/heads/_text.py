"""Fitting text to a model: its context length, prompts cut to fit, generation budgets.

A text longer than the model's positions would index past its position table (a raw
``IndexError``) or, for models without one, allocate attention for every token. These helpers cut
the text to what the model takes and leave a note on the result saying so.
"""

from __future__ import annotations

from typing import Any

# Config fields that hold a model's number of positions, in the order they are trusted.
_POSITION_FIELDS = ("n_positions", "max_position_embeddings", "n_ctx", "max_text_positions")
_DECODER_FIELDS = ("max_target_positions", "max_text_positions", "n_positions",
                   "max_position_embeddings")
_TEXT_PARTS = ("text_config", "decoder")
FALLBACK_TOKENS = 512
"""Tokens kept for models whose config names no position limit (VITS: relative attention)."""


def _first_int(config: Any, fields: tuple[str, ...]) -> int | None:
    for name in fields:
        value = getattr(config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return None


def context_length(config: Any, decoder: bool = False) -> int | None:
    """How many positions the model's text part takes (the decoder's with ``decoder=True``),
    from its config or its text / decoder sub-config; None when none says."""
    fields = _DECODER_FIELDS if decoder else _POSITION_FIELDS
    for part in (config, *(getattr(config, p, None) for p in _TEXT_PARTS)):
        if part is not None:
            found = _first_int(part, fields)
            if found:
                return found
    return None


def cut_text(ctx: Any, text: str, max_tokens: int, what: str = "text") -> str:
    """``text`` cut to its first ``max_tokens`` tokens (noted on the result when cut)."""
    tokenizer = ctx.tokenizer
    # Tokenizing a book is slow and pointless: a token is rarely longer than 40 characters.
    head = text[: max(1, max_tokens) * 40]
    try:
        ids = tokenizer(head, add_special_tokens=False)["input_ids"]
    except ValueError:  # layout tokenizers take pre-split words with boxes, not a string
        return _cut_words(ctx, text, max_tokens // 2, what)
    if len(ids) <= max_tokens and len(head) == len(text):
        return text
    kept = tokenizer.decode(ids[: max(0, max_tokens)], skip_special_tokens=True)
    total = f"{len(text):,} characters" if len(head) < len(text) else f"{len(ids)} tokens"
    ctx.notes.append(f"{what} cut to its first {max(0, max_tokens)} tokens to fit the model "
                     f"(it had {total})")
    return kept


def head_of(ctx: Any, text: str) -> str:
    """The start of a text far longer than the tokenizer keeps (noted): tokenizing a whole book
    to keep its first 64 tokens takes seconds, and a token is rarely over 40 characters."""
    limit = getattr(ctx.tokenizer, "model_max_length", None)
    if not isinstance(text, str) or not limit or limit > 100_000 or len(text) <= limit * 40:
        return text
    ctx.notes.append(f"text truncated to the model's limit of {limit} tokens (it had "
                     f"{len(text):,} characters)")
    return text[: limit * 40]


def _cut_words(ctx: Any, text: str, max_words: int, what: str) -> str:
    words = text.split()
    if len(words) <= max_words:
        return text
    ctx.notes.append(f"{what} cut to its first {max_words} words to fit the model (it had "
                     f"{len(words)})")
    return " ".join(words[:max_words])


def cut_question(ctx: Any, question: str) -> str:
    """A question that leaves at least half of the model's positions to the context / table."""
    limit = context_length(ctx.config) or getattr(ctx.tokenizer, "model_max_length", None)
    if not limit or limit > 100_000:  # tokenizers without a limit say 1e30
        return question
    return cut_text(ctx, question, limit // 2, "the question")


def generation_budget(ctx: Any, prompt_tokens: int, asked: int, decoder_start: int = 1) -> int:
    """``max_new_tokens`` capped to what the model's positions leave after the prompt (a
    decoder-only model holds prompt + new tokens; an encoder-decoder's decoder holds its start
    tokens + new ones). Noted when capped."""
    encoder_decoder = bool(getattr(ctx.config, "is_encoder_decoder", False))
    limit = context_length(ctx.config, decoder=encoder_decoder)
    if limit is None:
        return asked
    room = limit - (decoder_start if encoder_decoder else prompt_tokens)
    if asked <= room:
        return asked
    room = max(1, room)
    ctx.notes.append(f"max_new_tokens capped at {room}: the model has {limit} positions"
                     + ("" if encoder_decoder else f" and the prompt takes {prompt_tokens}"))
    return room


def prompt_limit(config: Any, asked_new: int) -> int | None:
    """Most tokens a decoder-only prompt may keep so that some new tokens still fit: the context
    minus ``asked_new`` tokens, but at least three quarters of it. None: no limit known."""
    if getattr(config, "is_encoder_decoder", False):
        return context_length(config)
    limit = context_length(config)
    if limit is None:
        return None
    return max(limit - asked_new, (3 * limit) // 4, 1)


def readable_pieces(tokenizer: Any, ids: Any) -> tuple[str, ...]:
    """Each token id as text; a byte-level piece that is only part of a character (decoding it
    alone gives ``�``) shows as its bytes, e.g. ``⟨0xE2⟩⟨0x80⟩``."""
    pieces = []
    for token_id in (int(i) for i in ids):
        piece = tokenizer.decode([token_id])
        if "\ufffd" in piece:
            piece = byte_token(tokenizer.convert_ids_to_tokens(token_id)) or piece
        pieces.append(piece)
    return tuple(pieces)


def byte_token(token: str) -> str | None:
    """``⟨0xE2⟩``-style text for a byte token: sentencepiece byte fallback (``<0xE2>``) or a
    GPT-2 byte-level token (characters standing for bytes); None when it is neither."""
    import re

    found = re.fullmatch(r"<0x([0-9A-Fa-f]{2})>", token)
    if found:
        return f"⟨0x{found.group(1).upper()}⟩"
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    to_byte = {c: b for b, c in bytes_to_unicode().items()}
    if not token or any(c not in to_byte for c in token):
        return None
    raw = bytes(to_byte[c] for c in token)
    text = raw.decode("utf-8", errors="replace")
    if "\ufffd" not in text:
        return text
    return "".join(f"⟨0x{b:02X}⟩" for b in raw)
