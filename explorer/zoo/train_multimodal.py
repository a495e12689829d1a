"""Training recipes for the image–text toys: a tiny CLIP that learns the shapes world's words,
and a tiny ViLT that learns to answer its questions.

The CLIP is trained contrastively: each step scores a batch of single-shape images against every
caption the world has ("a red circle", "a circle", "a red shape", bare and in the explorer's
default zero-shot template "This is a photo of {}."), and a caption counts as a match for every
image it describes. Zero-shot labels the user types are then embedded by the same text tower.

The ViLT answers one question per scene per step (ViLT's soft-target loss on the one right
answer). Its scenes hold 1–3 larger shapes (``vqa_scenes``), its image side starts from the
image-classification toy's ViT, and two auxiliary targets guide it (deep supervision through
linear heads that are not saved): after the ViT part each patch names the kind and colour of the
shape it shows and whether it holds a shape's centre, and below the last layer the question's
kind or colour word (else "shapes") says what the scene holds of it. The answer alone did not
teach the ViLT to tie a question's shape word to the image: it stalled at 0.67 of held-out
answers (answering every "what color is the <kind>?" alike), though the shape was there to read
in its features. With the guides: 0.93 after 3000 steps (count 0.85, presence 0.96, colour
1.00, colour count 0.86). See toyworld/README.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from explorer.options import default
from explorer.toyworld.shapes import COLOURS, KINDS, Scene, scene
from explorer.zoo.fitting import fit_pool, held_out_count, save_checkpoint, single_thread_torch
from explorer.zoo.train_vision import HELD_OUT, SIDE, batches, scene_size, shapes_alone, train_seeds, trainer
from explorer.zoo.training import TRAINED_DIR, Progress, TrainOutcome, TrainRecipe

SHAPE_LABELS = tuple(f"a {kind}" for kind in KINDS)
COLOUR_LABELS = tuple(f"a {colour} shape" for colour in COLOURS)
PHRASES = (*(f"a {c} {k}" for c in COLOURS for k in KINDS), *SHAPE_LABELS, *COLOUR_LABELS)
"""Everything the CLIP is taught to say about one shape."""


def describes(phrase: str, s: Scene) -> bool:
    words = phrase.split()[1:]
    return all(w == "shape" or w in (s.labels[0], s.colours[0]) for w in words)


def _captions() -> list[str]:
    """``PHRASES``, then each in the default template: caption ``j`` says ``PHRASES[j % n]``."""
    template = default("hypothesis_template")
    return [*PHRASES, *(template.format(p) for p in PHRASES)]


def _clip() -> tuple[Any, Any]:
    from transformers import AutoConfig, CLIPImageProcessor, CLIPProcessor

    from explorer.zoo.multimodal import clip_tokenizer

    tok = clip_tokenizer(model_max_length=24)  # the template + "a yellow triangle": 22 tokens
    text = dict(vocab_size=len(tok), max_position_embeddings=tok.model_max_length,
                bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                pad_token_id=tok.pad_token_id, hidden_size=64, num_hidden_layers=2,
                num_attention_heads=2, intermediate_size=128)
    vision = dict(image_size=SIDE, patch_size=8, hidden_size=64, num_hidden_layers=2,
                  num_attention_heads=2, intermediate_size=128)
    config = AutoConfig.for_model("clip", text_config=text, vision_config=vision,
                                  projection_dim=32)
    images = CLIPImageProcessor(size={"shortest_edge": SIDE}, crop_size={"height": SIDE,
                                                                         "width": SIDE})
    return config, CLIPProcessor(image_processor=images, tokenizer=tok)


def evaluate_zero_shot(directory: Path, count: int = 200) -> dict[str, float]:
    """Zero-shot accuracy on held-out single shapes, labels in the explorer's default template:
    "a circle" / "a square" / "a triangle", and "a red shape" / … for the colour."""
    torch = single_thread_torch()
    import transformers

    model = transformers.AutoModelForZeroShotImageClassification.from_pretrained(directory).eval()
    processor = transformers.AutoProcessor.from_pretrained(directory)
    template = default("hypothesis_template")
    pool = shapes_alone(HELD_OUT, count)
    figures = {}
    for key, labels, truth in (("accuracy", SHAPE_LABELS, lambda s: f"a {s.labels[0]}"),
                               ("colour accuracy", COLOUR_LABELS,
                                lambda s: f"a {s.colours[0]} shape")):
        right = 0
        with torch.inference_mode():
            for part in batches(pool):
                batch = processor(text=[template.format(label) for label in labels],
                                  images=[s.image for s in part], return_tensors="pt",
                                  padding=True)
                chosen = model(**batch).logits_per_image.argmax(-1)
                right += sum(labels[int(i)] == truth(s) for i, s in zip(chosen, part))
        figures[key] = right / len(pool)
    return figures


def _contrastive_objective(model: Any, processor: Any,
                           pool: list[Scene]) -> Callable[[Any], Any]:
    """InfoNCE both ways over the batch's images and all captions; every caption that describes
    an image is one of its positives."""
    torch = single_thread_torch()
    pixels = processor.image_processor([s.image for s in pool],
                                       return_tensors="pt")["pixel_values"]
    captions = _captions()
    text = processor.tokenizer(captions, return_tensors="pt", padding=True)
    matches = torch.tensor([[describes(PHRASES[j % len(PHRASES)], s)
                             for j in range(len(captions))] for s in pool], dtype=torch.float32)

    def loss(i: Any) -> Any:
        logits = model(pixel_values=pixels[i], **text).logits_per_image
        target = matches[i]
        images = -(target / target.sum(1, keepdim=True) * logits.log_softmax(1)).sum(1).mean()
        shown = target.sum(0) > 0  # captions that describe an image of this batch
        texts = -(target[:, shown] / target[:, shown].sum(0)
                  * logits[:, shown].log_softmax(0)).sum(0).mean()
        return (images + texts) / 2
    return loss


# ---------------------------------------------------------------------------- VQA

VQA_ANSWERS = ("yes", "no", "1", "2", "3", "4", *COLOURS)
VQA_WORDS = ("what", "color", "is", "the", "how", "many", "shapes", "are", "there", *KINDS,
             *COLOURS)
"""The words of the world's questions: the WordPiece vocabulary holds each whole."""


VQA_SCALE = (0.25, 0.5)
"""Side of a VQA scene's shapes, as a fraction of the shorter image side: at the 64 px the ViLT
sees, 16–32 px, 2–4 of its 8 px patches across (the other toys' scenes go down to 14 px)."""
VIT_START = TRAINED_DIR / "image-classification"
"""The ViT toy that names single shapes: its patch embedding and layers start the ViLT's image
side, as the real ViLT starts from an ImageNet ViT."""


PATCH = 8
"""The ViLT's patch side (the ViT toy's)."""
VIT_LAYERS = 2
"""The ViT toy's layers, the first of the ViLT's; its patches' targets are read after them."""
FUSION_LAYERS = 3
"""Layers on top; the question words' targets are read below the last."""


def vqa_scenes(first: int, count: int) -> list[Scene]:
    """The VQA world: 1–3 shapes of ``VQA_SCALE`` (fixed by the seed) on a plain background."""
    return [scene(s, scene_size(s), count=int(np.random.default_rng([s, 11]).integers(1, 4)),
                  scale=VQA_SCALE) for s in range(first, first + count)]


def _vilt() -> tuple[Any, Any]:
    from transformers import AutoConfig, ViltImageProcessor, ViltProcessor

    from explorer.zoo.common import bert_tokenizer, label_maps

    tok = bert_tokenizer(model_max_length=16, words=VQA_WORDS)
    # hidden size, heads, image size and patch as the ViT toy of VIT_START
    config = AutoConfig.for_model("vilt", vocab_size=len(tok), max_position_embeddings=16,
                                  image_size=SIDE, patch_size=PATCH, max_image_length=-1,
                                  hidden_size=64, num_hidden_layers=VIT_LAYERS + FUSION_LAYERS,
                                  num_attention_heads=2,
                                  intermediate_size=128, **label_maps(VQA_ANSWERS))
    images = ViltImageProcessor(  # type: ignore[call-arg]  # kwargs stub incomplete
        size={"shortest_edge": SIDE}, size_divisor=PATCH)
    return config, ViltProcessor(image_processor=images, tokenizer=tok)


def _start_from_vit(model: Any) -> None:
    """Copy the ViT toy's patch embedding, position embeddings and encoder layers into ``model``
    (same names under ``vilt.`` as under ``vit.``); the text side and fusion layers stay fresh."""
    from safetensors.torch import load_file

    weights = {"vilt." + k.removeprefix("vit."): v
               for k, v in load_file(VIT_START / "model.safetensors").items()
               if k.startswith(("vit.embeddings.", "vit.encoder."))}
    unexpected = model.load_state_dict(weights, strict=False).unexpected_keys
    assert not unexpected, unexpected


def _questions(pool: list[Scene]) -> list[tuple[Scene, str, str]]:
    return [(s, question, answer) for s in pool for question, answer in s.qa]


def question_kind(question: str) -> str:
    """Which of the world's four kinds of question: ``count`` (how many shapes), ``presence``
    (is there a circle), ``colour`` (what color is the square), ``colour count`` (how many red
    shapes)."""
    if question.startswith("how many shapes"):
        return "count"
    if question.startswith("is there"):
        return "presence"
    return "colour" if question.startswith("what color") else "colour count"


QUESTION_KINDS = ("count", "presence", "colour", "colour count")


def vqa_figures(model: Any, processor: Any, pool: list[Scene]) -> dict[str, float]:
    """Exact-answer accuracy over every question of ``pool`` (``accuracy``), then per kind."""
    torch = single_thread_torch()
    asked = _questions(pool)
    right = []
    with torch.inference_mode():
        for part in batches(asked):
            batch = processor(images=[s.image for s, _, _ in part],
                              text=[q for _, q, _ in part], return_tensors="pt", padding=True)
            chosen = model(**batch).logits.argmax(-1)
            right += [model.config.id2label[int(i)] == a for i, (_, _, a) in zip(chosen, part)]
    figures = {"accuracy": sum(right) / len(right)}
    for kind in QUESTION_KINDS:
        marks = [r for r, (_, q, _) in zip(right, asked) if question_kind(q) == kind]
        if marks:
            figures[kind] = sum(marks) / len(marks)
    return figures


def evaluate_vqa(directory: Path, count: int = 100) -> dict[str, float]:
    """Exact answers to every question of ``count`` held-out VQA scenes, overall and per kind."""
    import transformers

    model = transformers.AutoModelForVisualQuestionAnswering.from_pretrained(directory).eval()
    processor = transformers.AutoProcessor.from_pretrained(directory)
    return vqa_figures(model, processor, vqa_scenes(HELD_OUT, count))


PATCH_CLASSES = 1 + len(KINDS) * len(COLOURS)
"""Background, or a shape of one kind and colour."""
WORD_TARGETS = len(COLOURS) + 5
"""A kind word's: the colours of the shapes of that kind (one bit each); a colour word's: how
many shapes have that colour (0–4)."""


def _patch_targets(s: Scene, height: int, width: int) -> Any:
    """Per patch of ``s`` seen at ``height``×``width``, row by row as ViLT orders them: the class
    of the shape covering most of it, if a quarter or more (0 background, else ``1 + kind × 4 +
    colour``), plus ``PATCH_CLASSES`` on a patch that holds a shape's centre."""
    torch = single_thread_torch()
    from PIL import Image

    ids = np.asarray(Image.fromarray(s.instances.astype(np.int32))
                     .resize((width, height), Image.Resampling.NEAREST))
    rows, cols = height // PATCH, width // PATCH
    blocks = ids[:rows * PATCH, :cols * PATCH].reshape(rows, PATCH, cols, PATCH)
    shares = np.stack([(blocks == i).mean(axis=(1, 3)) for i in range(1, len(s.shapes) + 1)])
    covering = np.where(shares.max(0) >= 0.25, shares.argmax(0) + 1, 0)
    colours = list(COLOURS)
    classes = np.array([0] + [1 + KINDS.index(x.kind) * len(colours) + colours.index(x.colour)
                              for x in s.shapes])
    target = classes[covering]
    for x in s.shapes:
        row = min(int(x.centre[1] * height / s.image.height) // PATCH, rows - 1)
        col = min(int(x.centre[0] * width / s.image.width) // PATCH, cols - 1)
        target[row, col] += PATCH_CLASSES
    return torch.tensor(target.ravel())


def _word_targets(asked: list[tuple[Scene, str, str]], input_ids: Any,
                  tokenizer: Any) -> tuple[Any, Any]:
    """Where each question names a kind or a colour (else the word "shapes") and what its scene
    says of that word (``WORD_TARGETS``): the colours of the shapes of that kind, or how many
    shapes have that colour (or how many there are)."""
    torch = single_thread_torch()
    colours = list(COLOURS)
    shapes = tokenizer.convert_tokens_to_ids("shapes")
    named = {tokenizer.convert_tokens_to_ids(w): w for w in (*KINDS, *colours)}
    where = torch.zeros(len(asked), dtype=torch.long)
    targets = torch.zeros(len(asked), WORD_TARGETS)
    for n, (s, _, _) in enumerate(asked):
        tokens = input_ids[n].tolist()
        words = [named.get(t) for t in tokens]
        word = next((w for w in words if w), None)
        where[n] = words.index(word) if word else tokens.index(shapes)
        if word in KINDS:
            for x in s.shapes:
                targets[n, colours.index(x.colour)] += x.kind == word
        else:
            many = s.colours.count(word) if word else len(s.shapes)
            targets[n, len(colours) + min(4, many)] = 1
    return where, targets.clamp(max=1)


def _vqa_objective(model: Any, processor: Any, pool: list[Scene],
                   guides: Any) -> Callable[[Any], Any]:
    """A batch of scenes, one of each scene's questions drawn at random; its one right answer as
    ViLT's soft target. Two linear ``guides`` add auxiliary targets, as deep supervision: each
    patch, after the ViT part, names the shape it shows (``_patch_targets``), and the question's
    kind or colour word, below the last layer, says what the scene holds of it
    (``_word_targets``). The answer then only has to be read from the word."""
    torch = single_thread_torch()
    functional = torch.nn.functional
    asked = _questions(pool)
    pixels = [processor.image_processor(s.image, return_tensors="pt")["pixel_values"][0]
              for s in pool]
    patches = [_patch_targets(s, p.shape[1], p.shape[2]) for s, p in zip(pool, pixels)]
    text = processor.tokenizer([q for _, q, _ in asked], return_tensors="pt", padding=True)
    where, word_targets = _word_targets(asked, text["input_ids"], processor.tokenizer)
    targets = functional.one_hot(
        torch.tensor([VQA_ANSWERS.index(a) for _, _, a in asked]), len(VQA_ANSWERS)).float()
    counts = torch.tensor([len(s.qa) for s in pool])
    first = torch.cumsum(counts, 0) - counts  # where each scene's questions start in ``asked``
    generator = torch.Generator().manual_seed(len(pool))
    bits = len(COLOURS)  # a kind word's colour bits come first, then a count (0–4)

    def patch_loss(hidden: Any, i: Any) -> Any:
        image = hidden[:, text["input_ids"].shape[1] + 1:]  # after the text and the image [CLS]
        seen = torch.cat([image[k, :len(patches[int(j)])] for k, j in enumerate(i)])
        truth = torch.cat([patches[int(j)] for j in i])
        logits = guides["patches"](seen)
        return (functional.cross_entropy(logits[:, :PATCH_CLASSES], truth % PATCH_CLASSES)
                + functional.cross_entropy(logits[:, PATCH_CLASSES:], truth // PATCH_CLASSES))

    def word_loss(hidden: Any, q: Any) -> Any:
        logits = guides["words"](hidden[torch.arange(len(q)), where[q]])
        truth = word_targets[q]
        kind = truth[:, bits:].sum(1) == 0
        return (functional.binary_cross_entropy_with_logits(logits[kind, :bits],
                                                            truth[kind, :bits], reduction="sum")
                + functional.cross_entropy(logits[~kind, bits:], truth[~kind, bits:],
                                           reduction="sum")) / len(q)

    def loss(i: Any) -> Any:
        q = first[i] + (torch.rand(len(i), generator=generator) * counts[i]).long()
        images = [pixels[int(j)] for j in i]
        height, width = max(p.shape[1] for p in images), max(p.shape[2] for p in images)
        batch = torch.zeros(len(images), 3, height, width)
        mask = torch.zeros(len(images), height, width, dtype=torch.long)
        for k, p in enumerate(images):  # pad to the widest image, as ViltProcessor does
            batch[k, :, :p.shape[1], :p.shape[2]] = p
            mask[k, :p.shape[1], :p.shape[2]] = 1
        out = model(input_ids=text["input_ids"][q], attention_mask=text["attention_mask"][q],
                    token_type_ids=text["token_type_ids"][q], pixel_values=batch,
                    pixel_mask=mask, labels=targets[q], output_hidden_states=True)
        return (out.loss + patch_loss(out.hidden_states[VIT_LAYERS], i)
                + word_loss(out.hidden_states[-2], q))
    return loss


def _train_vqa(out: Path, *, seed: int, steps: int | None, progress: Progress) -> TrainOutcome:
    """``trainer``'s steps, with the ViLT's image side started from the ViT toy and the
    auxiliary ``guides`` of ``_vqa_objective`` trained alongside (not saved)."""
    torch = single_thread_torch()
    import transformers

    steps = steps or 3000
    torch.manual_seed(seed)
    config, processor = _vilt()
    model = transformers.AutoModelForVisualQuestionAnswering.from_config(config)
    _start_from_vit(model)
    guides = torch.nn.ModuleDict({
        "patches": torch.nn.Linear(config.hidden_size, PATCH_CLASSES + 2),
        "words": torch.nn.Linear(config.hidden_size, WORD_TARGETS)})
    pool = vqa_scenes(train_seeds(seed), min(3000, 64 * steps))
    fit_pool(torch.nn.ModuleDict({"vilt": model, "guides": guides}),
             _vqa_objective(model, processor, pool, guides), len(pool), steps=steps, lr=2e-3,
             seed=seed, progress=progress)
    save_checkpoint(out, model, processor)
    return TrainOutcome(steps, evaluate_vqa(out, held_out_count(steps, 100)))


TRAIN_RECIPES = [
    TrainRecipe("zero-shot-image-classification", "AutoModelForZeroShotImageClassification",
                trainer("AutoModelForZeroShotImageClassification", _clip, shapes_alone,
                        _contrastive_objective, evaluate_zero_shot, default_steps=1500,
                        pool_size=3000, held_out=200, lr=1e-3, batch=32),
                "shapes", "accuracy",
                "zero-shot accuracy on held-out single shapes", 0.90,
                "tiny CLIP trained contrastively on the shapes world: names the shape and its "
                "colour from captions", {"image": "triangle.png",
                                         "labels": list(SHAPE_LABELS)}, evaluate_zero_shot),
    TrainRecipe("visual-question-answering", "AutoModelForVisualQuestionAnswering",
                _train_vqa, "shapes", "accuracy", "exact answers on held-out scenes", 0.85,
                "tiny ViLT trained on the shapes world's questions: how many shapes, is there a "
                "circle, what colour is the square", {"image": "shapes.png",
                                                      "question": "what color is the circle?"},
                evaluate_vqa),
]
