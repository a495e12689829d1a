"""Zoo recipes for multimodal tasks: tiny CLIP, OWL-ViT, ViLT, LayoutLMv3, TAPAS, BLIP and LLaVA.

Images are 32 px and patches 8 px, so every vision tower sees 16 patches. CLIP / OWL-ViT and
LayoutLMv3 get byte-level BPE tokenizers trained offline (in milliseconds) on the zoo corpus plus
the example words, with their own classes' conventions.
"""

from __future__ import annotations

import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from explorer.zoo import Recipe
from explorer.zoo.common import (
    CORPUS,
    TINY,
    bert_tokenizer,
    bpe_tokenizer,
    label_maps,
    save_random,
)

IMAGE = 32
VISION = dict(image_size=IMAGE, patch_size=8, hidden_size=32, num_hidden_layers=2,
              num_attention_heads=2, intermediate_size=64)
# Words the examples use that the shared corpus lacks.
EXTRA_WORDS = "photo woman man person wearing uniform invoice total price date item".split()
VQA_ANSWERS = ("yes", "no", "one", "two", "red", "blue", "woman", "man", "cat", "dog")
AGGREGATIONS = {0: "NONE", 1: "SUM", 2: "AVERAGE", 3: "COUNT"}
DOCUMENT_TEXT = ("INVOICE No. 1042 Date: 2024-05-14 Bill to: Ada Lovelace, 12 Hill Road, London "
                 "Item Qty Price Notebook 2 3.50 Pen 5 1.20 Coffee 1 2.00 Total 15.00")
"""The words of examples/document.png in reading order (no OCR offline)."""


ZOO_TEXT = [" ".join(CORPUS + EXTRA_WORDS)] * 4 + [DOCUMENT_TEXT]
"""What the zoo's BPE tokenizers are trained on."""


def _train(texts: list[str], specials: list[str], pre_tokenizer: Any, alphabet: list[str],
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
    trained, merges = _train(words, specials, pre_tokenizers.WhitespaceSplit(), alphabet + ends,
                             vocab_size=1200)

    def spell(token: str) -> str:
        return "".join(chr(ord(c) - _END) + "</w>" if ord(c) >= _END else c for c in token)

    ordered = sorted((t for t in trained if t not in specials), key=lambda t: trained[t])
    vocab = {t: i for i, t in enumerate([spell(t) for t in ordered] + specials)}
    return vocab, tuple((spell(a), spell(b)) for a, b in merges)


@cache
def _roberta_vocab() -> tuple[dict[str, int], tuple[tuple[str, str], ...]]:
    """Byte-level BPE with RoBERTa's conventions (``Ġ`` starts a word; <s>=0, <pad>=1, </s>=2,
    <unk>=3), as LayoutLMv3's tokenizer expects."""
    from tokenizers import pre_tokenizers

    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    trained, merges = _train(ZOO_TEXT, specials, pre_tokenizers.ByteLevel(add_prefix_space=True),
                             sorted(pre_tokenizers.ByteLevel.alphabet()))
    return dict(trained), tuple(merges)


def clip_tokenizer(model_max_length: int = 16) -> Any:
    from transformers import CLIPTokenizer

    vocab, merges = _clip_vocab()
    return CLIPTokenizer(vocab=dict(vocab),
                         merges=list(merges),  # type: ignore[arg-type]  # tuples work at runtime
                         model_max_length=model_max_length)


def _clip_text(tok: Any) -> dict[str, Any]:
    return dict(vocab_size=len(tok), max_position_embeddings=tok.model_max_length,
                bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                pad_token_id=tok.pad_token_id, **TINY)


def _clip(directory: Path) -> None:
    from transformers import AutoConfig, CLIPImageProcessor, CLIPProcessor

    tok = clip_tokenizer()
    config = AutoConfig.for_model("clip", text_config=_clip_text(tok), vision_config=VISION,
                                  projection_dim=16)
    images = CLIPImageProcessor(size={"shortest_edge": IMAGE},
                                crop_size={"height": IMAGE, "width": IMAGE})
    save_random(directory, "AutoModelForZeroShotImageClassification", config,
                CLIPProcessor(image_processor=images, tokenizer=tok))


def _owlvit(directory: Path) -> None:
    from transformers import AutoConfig, OwlViTImageProcessor, OwlViTProcessor

    tok = clip_tokenizer()
    # The class head compares image features with text embeddings: same width for both.
    config = AutoConfig.for_model("owlvit", text_config=_clip_text(tok), vision_config=VISION,
                                  projection_dim=VISION["hidden_size"])
    images = OwlViTImageProcessor(size={"height": IMAGE, "width": IMAGE},
                                  crop_size={"height": IMAGE, "width": IMAGE})
    save_random(directory, "AutoModelForZeroShotObjectDetection", config,
                OwlViTProcessor(image_processor=images, tokenizer=tok))


def _vilt(directory: Path) -> None:
    from transformers import AutoConfig, ViltImageProcessor, ViltProcessor

    tok = bert_tokenizer(model_max_length=40)
    config = AutoConfig.for_model("vilt", vocab_size=len(tok), max_position_embeddings=40,
                                  image_size=IMAGE, patch_size=8, max_image_length=-1, **TINY,
                                  **label_maps(VQA_ANSWERS))
    images = ViltImageProcessor(  # type: ignore[call-arg]  # kwargs stub incomplete
        size={"shortest_edge": IMAGE}, size_divisor=8)
    save_random(directory, "AutoModelForVisualQuestionAnswering", config,
                ViltProcessor(image_processor=images, tokenizer=tok))


def _layoutlmv3(directory: Path) -> None:
    from transformers import (
        AutoConfig,
        LayoutLMv3ImageProcessor,
        LayoutLMv3Processor,
        LayoutLMv3Tokenizer,
    )

    vocab, merges = _roberta_vocab()
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


def _tapas(directory: Path) -> None:
    from transformers import AutoConfig, TapasTokenizer

    from explorer.zoo.common import wordpiece_vocab

    with tempfile.TemporaryDirectory() as tmp:  # TapasTokenizer reads its vocab from a file only
        vocab_file = Path(tmp) / "vocab.txt"
        vocab_file.write_text("\n".join([*wordpiece_vocab(), "[EMPTY]"]) + "\n")
        tok = TapasTokenizer(vocab_file=str(vocab_file), model_max_length=128)
    config = AutoConfig.for_model("tapas", vocab_size=len(tok), max_position_embeddings=128,
                                  **TINY, num_aggregation_labels=len(AGGREGATIONS),
                                  aggregation_labels=AGGREGATIONS,
                                  use_answer_as_supervision=True)
    save_random(directory, "AutoModelForTableQuestionAnswering", config, tok)


def _blip(directory: Path) -> None:
    from transformers import AutoConfig, BlipImageProcessor, BlipProcessor

    tok = bert_tokenizer(model_max_length=32)
    # BLIP starts decoding from bos (its [DEC] token; [CLS] here) and stops at [SEP].
    text = dict(vocab_size=len(tok), max_position_embeddings=32, **TINY,
                bos_token_id=tok.cls_token_id, sep_token_id=tok.sep_token_id,
                eos_token_id=tok.sep_token_id, pad_token_id=tok.pad_token_id)
    config = AutoConfig.for_model("blip", text_config=text, vision_config=VISION,
                                  projection_dim=16)
    images = BlipImageProcessor(size={"height": IMAGE, "width": IMAGE})
    save_random(directory, "AutoModelForImageTextToText", config,
                BlipProcessor(image_processor=images, tokenizer=tok))


# A minimal chat template: one user turn whose content lists images / audio / text in order.
CHAT_TEMPLATE = (
    "{% for m in messages %}{{ m['role'] }}: {% if m['content'] is string %}{{ m['content'] }}"
    "{% else %}{% for c in m['content'] %}{% if c['type'] == 'image' %}<image>\n"
    "{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}{% endfor %}{% endif %}\n"
    "{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}"
)


def _llava(directory: Path) -> None:
    from transformers import AutoConfig, CLIPImageProcessor, LlavaProcessor

    tok = bpe_tokenizer(model_max_length=128, extra_special_tokens={"image_token": "<image>"})
    text = AutoConfig.for_model(
        "llama", vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=128,
        bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id)
    vision = AutoConfig.for_model("clip_vision_model", **VISION)
    patches = (IMAGE // VISION["patch_size"]) ** 2
    config = AutoConfig.for_model("llava", vision_config=vision, text_config=text,
                                  image_token_index=tok.convert_tokens_to_ids("<image>"),
                                  image_seq_length=patches, vision_feature_layer=-1)
    images = CLIPImageProcessor(size={"shortest_edge": IMAGE},
                                crop_size={"height": IMAGE, "width": IMAGE})
    # num_additional_image_tokens=1: the CLIP tower's CLS token, dropped by the "default" strategy.
    processor = LlavaProcessor(image_processor=images, tokenizer=tok,
                               patch_size=VISION["patch_size"],
                               vision_feature_select_strategy="default",
                               num_additional_image_tokens=1, chat_template=CHAT_TEMPLATE)
    save_random(directory, "AutoModelForMultimodalLM", config, processor)


RECIPES = [
    Recipe("zero-shot-image-classification", "AutoModelForZeroShotImageClassification", _clip,
           "tiny CLIP (image and text towers) with a CLIP-style BPE tokenizer",
           {"image": "photo.jpg", "labels": ["a woman", "a man", "a cat", "a dog"]}),
    Recipe("zero-shot-object-detection", "AutoModelForZeroShotObjectDetection", _owlvit,
           "tiny OWL-ViT: a box per image patch, scored against each label text",
           {"image": "photo.jpg", "labels": ["a person", "a cat"],
            "options": {"threshold": 0.5}}),
    Recipe("visual-question-answering", "AutoModelForVisualQuestionAnswering", _vilt,
           f"tiny ViLT with a {len(VQA_ANSWERS)}-answer VQA head",
           {"image": "photo.jpg", "question": "what is in the picture"}),
    Recipe("document-question-answering", "AutoModelForDocumentQuestionAnswering", _layoutlmv3,
           "tiny LayoutLMv3 (text, 2-D positions and image patches) with a span head",
           {"image": "document.png", "question": "what is the total",
            "context": DOCUMENT_TEXT}),
    Recipe("table-question-answering", "AutoModelForTableQuestionAnswering", _tapas,
           "tiny TAPAS with cell selection and a 4-way aggregation head",
           {"table": "table.csv", "question": "how many people live in paris"}),
    Recipe("image-text-to-text", "AutoModelForImageTextToText", _blip,
           "tiny BLIP captioner (vision encoder + text decoder)",
           {"image": "photo.jpg", "text": "a picture of"}),
    Recipe("any-to-any", "AutoModelForMultimodalLM", _llava,
           "tiny LLaVA (CLIP vision tower + Llama) with a chat template",
           {"image": "photo.jpg", "text": "what is in the picture"}),
]
