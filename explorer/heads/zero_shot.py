"""Zero-shot heads: image classification (CLIP, SigLIP) and object detection (OWL-ViT,
Grounding DINO) against candidate labels the user gives."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from explorer.errors import BadInput
from explorer.heads._common import to_numpy, top_labels
from explorer.heads._registry import Task
from explorer.results import Classification, DetectedObject, Detections, Result
from explorer.runner import RunContext
from explorer.snippets.base import Spec, forward, image_lines, to_device
from explorer.zoo import Recipe
from explorer.zoo.common import TINY, save_random
from explorer.zoo.multimodal import IMAGE, VISION, clip_tokenizer


def _labels(ctx: RunContext) -> list[str]:
    """The candidate labels of a zero-shot task; there is no sensible default set."""
    if not ctx.inputs.labels:
        raise BadInput(f"{ctx.loaded.spec.task} scores the candidate labels you give; pass some, "
                       "e.g. labels=['a cat', 'a dog'] (CLI: --labels 'a cat,a dog')")
    return list(ctx.inputs.labels)



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


BOX_CLIP = ["limits = (image.width, image.height) * 2  # boxes are clipped to the picture",
            "clip = lambda box: [min(max(v, 0.0), lim) for v, lim in zip(box, limits)]"]


def _labels_line(spec: Spec) -> str:
    return f"labels = {list(spec.inputs.get('labels') or [])!r}"


def classify_image_zero_shot_snippet(spec: Spec) -> list[str]:
    template = spec.option("hypothesis_template")
    k = spec.options.get("top_k") or len(spec.inputs.get("labels") or [])
    return image_lines(spec) + [
        _labels_line(spec),
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


def detect_zero_shot_snippet(spec: Spec) -> list[str]:
    return image_lines(spec) + [
        _labels_line(spec),
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


TASKS = [
    Task("AutoModelForZeroShotImageClassification", run=classify_image_zero_shot,
         snippet=classify_image_zero_shot_snippet, recipes=[
        Recipe("zero-shot-image-classification", "AutoModelForZeroShotImageClassification", _clip,
               "tiny CLIP (image and text towers) with a CLIP-style BPE tokenizer",
               {"image": "photo.jpg", "labels": ["a woman", "a man", "a cat", "a dog"]}),
    ]),
    Task("AutoModelForZeroShotObjectDetection", run=detect_zero_shot,
         snippet=detect_zero_shot_snippet, recipes=[
        Recipe("zero-shot-object-detection", "AutoModelForZeroShotObjectDetection", _owlvit,
               "tiny OWL-ViT: a box per image patch, scored against each label text",
               {"image": "photo.jpg", "labels": ["a person", "a cat"],
                "options": {"threshold": 0.5}}),
    ]),
]

__all__ = ["TASKS"]
