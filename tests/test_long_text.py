"""Texts longer than a model takes: every text task cuts them to fit, says so, and never fails.

The zoo's language models have 16 to 130 positions, so a 256k-character text (a book pasted into
the box) or a request for more new tokens than the model has positions must still give a result,
with a note saying what was cut or capped.
"""

from __future__ import annotations

from typing import Any

import pytest

import explorer
from explorer.zoo import example_kwargs

LONG = ("The cat sat on the mat. It was a happy cat. " * 6000)[:256_000]
TEXT_INPUTS = ("text", "text_pair", "question", "context")
FIT_WORDS = ("cut", "truncated", "capped")


def _fitted(result: Any) -> list[str]:
    return [n for n in result.notes if any(w in n for w in FIT_WORDS)]


def _text_cases(manifest: dict) -> list[tuple[str, str]]:
    cases = []
    for name, entry in sorted(manifest.items()):
        spec = explorer.get_task(entry["auto_class"])
        if spec.runner is None:
            continue
        cases += [(name, key) for key in TEXT_INPUTS if key in entry["example"]]
    return cases


def _run(manifest: dict, name: str, **changes: Any) -> Any:
    entry = manifest[name]
    kwargs = {**example_kwargs(entry["example"]), **changes}
    options = {**(kwargs.pop("options", None) or {}), **changes.pop("options", {})}
    kwargs.pop("options", None)
    task = explorer.get_task(entry["auto_class"]).task
    return explorer.run(f"zoo:{name}", task, **kwargs, options=options)


def test_a_book_in_every_text_input_of_every_text_task(manifest: dict) -> None:
    cases = _text_cases(manifest)
    assert len(cases) >= 15, cases  # every language task, QA, TTS, multimodal prompts
    silent = []
    for name, key in cases:
        value: Any = LONG
        if name == "fill-mask":
            value = LONG[:120_000] + " [MASK] " + LONG[120_000:]
        elif isinstance(manifest[name]["example"][key], list):
            value = [LONG, "a short one"]
        result = _run(manifest, name, **{key: value})  # raises on failure
        if not _fitted(result):
            silent.append(f"{name} ({key}): {list(result.notes)}")
    assert not silent, "no note said the text was cut: " + "; ".join(silent)


def test_the_mask_survives_a_long_text(manifest: dict) -> None:
    text = LONG[:50_000] + " [MASK] " + LONG[50_000:]
    result = _run(manifest, "fill-mask", text=text)
    assert result.candidates and "[MASK]" in result.text
    assert any("before the mask" in n for n in result.notes)


@pytest.mark.parametrize("name", ["text-generation", "text2text-generation",
                                  "image-text-to-text", "any-to-any"])
def test_more_new_tokens_than_positions_are_capped(manifest: dict, name: str) -> None:
    result = _run(manifest, name, options={"max_new_tokens": 500})
    assert any("max_new_tokens capped" in n for n in result.notes), result.notes


def test_two_sentences_and_sixty_new_tokens_on_a_64_position_model(manifest: dict) -> None:
    prompt = ("The student opened the old book in the library and began to read the first "
              "chapter aloud. Outside, the rain kept falling on the quiet streets of Paris.")
    result = _run(manifest, "text-generation", text=prompt, options={"max_new_tokens": 60})
    assert result.text.startswith(result.prompt[:40])
    assert 0 < len(result.generated_tokens) <= 64
    assert _fitted(result)


def test_byte_pieces_show_as_bytes() -> None:
    from explorer.heads._text import byte_token

    assert byte_token("âĢ") == "⟨0xE2⟩⟨0x80⟩"  # GPT-2 byte-level: the first 2 bytes of "—"
    assert byte_token("âĢĶ") == "—"  # all 3 bytes: the character itself
    assert byte_token("<0xE2>") == "⟨0xE2⟩"  # sentencepiece byte fallback
