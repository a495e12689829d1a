"""What the multimodal zoo recipes share (the recipes live beside their runners, in
``explorer/heads/``): the tiny vision tower and the BPE tokenizers trained on the zoo's text.

Images are 32 px and patches 8 px, so every vision tower sees 16 patches. CLIP / OWL-ViT and
LayoutLMv3 get byte-level BPE tokenizers trained offline (in milliseconds) on the zoo corpus plus
the example words, with their own classes' conventions.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from explorer.zoo.common import CORPUS

IMAGE = 32
VISION = dict(image_size=IMAGE, patch_size=8, hidden_size=32, num_hidden_layers=2,
              num_attention_heads=2, intermediate_size=64)
# Words the examples use that the shared corpus lacks.
EXTRA_WORDS = "photo woman man person wearing uniform invoice total price date item".split()
DOCUMENT_TEXT = ("INVOICE No. 1042 Date: 2024-05-14 Bill to: Ada Lovelace, 12 Hill Road, London "
                 "Item Qty Price Notebook 2 3.50 Pen 5 1.20 Coffee 1 2.00 Total 15.00")
"""The words of examples/document.png in reading order (no OCR offline)."""


ZOO_TEXT = [" ".join(CORPUS + EXTRA_WORDS)] * 4 + [DOCUMENT_TEXT]
"""What the zoo's BPE tokenizers are trained on."""


def train_tokenizer(texts: list[str], specials: list[str], pre_tokenizer: Any, alphabet: list[str],
                    vocab_size: int = 700) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """``(vocab, merges)`` of a BPE trained on ``texts`` (deterministic, milliseconds)."""
    from tokenizers import Tokenizer, models, trainers

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizer
    # No end_of_word_suffix here: with it, tokenizers breaks ties differently on every run.
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials,
                                  initial_alphabet=alphabet, show_progress=False)
    bpe.train_from_iterator(texts, trainer)
    model = json.loads(bpe.to_str())["model"]
    return model["vocab"], [tuple(m) for m in model["merges"]]  # type: ignore[misc]


_END = 0xE000  # private-use code points stand for "character + </w>" while training


@cache
def _clip_vocab() -> tuple[dict[str, int], tuple[tuple[str, str], ...]]:
    """CLIP's BPE starts each word from its characters with ``</w>`` glued to the last one.
    Train on lowercase words whose last character is swapped for a private-use stand-in, then
    spell the stand-ins back as ``c</w>``. Specials get the last ids, as in CLIP (OWL-ViT treats
    a query that starts with id 0 as padding)."""
    from tokenizers import pre_tokenizers

    specials = ["<|startoftext|>", "<|endoftext|>"]
    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    ends = [chr(_END + ord(c)) for c in alphabet]
    words = [" ".join(w[:-1] + chr(_END + ord(w[-1])) for w in text.lower().split())
             for text in ZOO_TEXT]
    trained, merges = train_tokenizer(words, specials, pre_tokenizers.WhitespaceSplit(), alphabet + ends,
                                      vocab_size=1200)

    def spell(token: str) -> str:
        return "".join(chr(ord(c) - _END) + "</w>" if ord(c) >= _END else c for c in token)

    ordered = sorted((t for t in trained if t not in specials), key=lambda t: trained[t])
    vocab = {t: i for i, t in enumerate([spell(t) for t in ordered] + specials)}
    return vocab, tuple((spell(a), spell(b)) for a, b in merges)


@cache
def roberta_vocab() -> tuple[dict[str, int], tuple[tuple[str, str], ...]]:
    """Byte-level BPE with RoBERTa's conventions (``Ġ`` starts a word; <s>=0, <pad>=1, </s>=2,
    <unk>=3), as LayoutLMv3's tokenizer expects."""
    from tokenizers import pre_tokenizers

    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    trained, merges = train_tokenizer(ZOO_TEXT, specials, pre_tokenizers.ByteLevel(add_prefix_space=True),
                                      sorted(pre_tokenizers.ByteLevel.alphabet()))
    return dict(trained), tuple(merges)


def clip_tokenizer(model_max_length: int = 16) -> Any:
    from transformers import CLIPTokenizer

    vocab, merges = _clip_vocab()
    return CLIPTokenizer(vocab=dict(vocab),
                         merges=list(merges),  # type: ignore[arg-type]  # tuples work at runtime
                         model_max_length=model_max_length)
