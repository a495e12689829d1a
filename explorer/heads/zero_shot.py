"""Zero-shot heads: image classification (CLIP, SigLIP) and object detection (OWL-ViT,
Grounding DINO) against candidate labels the user gives."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from explorer.catalog import TaskSpec
from explorer.errors import BadInput
from explorer.heads._common import to_numpy, top_labels
from explorer.results import Classification, DetectedObject, Detections, Result
from explorer.runner import RunContext


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




SPECS = [
    TaskSpec("AutoModelForZeroShotImageClassification", ("zero-shot-image-classification",),
             "multimodal", ("image", "labels"), "classification", "AutoProcessor",
             "Embeds the image and a sentence per candidate label in one space (CLIP, SigLIP); "
             "the closest label wins.",
             options=("top_k", "hypothesis_template"), runner=classify_image_zero_shot),
    TaskSpec("AutoModelForZeroShotObjectDetection", ("zero-shot-object-detection",),
             "multimodal", ("image", "labels"), "detection", "AutoProcessor",
             "Boxes for whatever the label texts describe (OWL-ViT, Grounding DINO), each box "
             "scored against every label.",
             options=("threshold",), runner=detect_zero_shot),
]

__all__ = ["SPECS"]
