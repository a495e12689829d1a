"""What the zero shot tasks are (pure data; their runners are registered in
``explorer/heads/zero_shot.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec
from explorer.options import HYPOTHESIS_TEMPLATE, THRESHOLD, TOP_K

_ALL_LABELS = TOP_K.but(default=None, help="how many labels to show (default: all)")

SPECS = [
    TaskSpec("AutoModelForZeroShotImageClassification", ("zero-shot-image-classification",),
             "multimodal", ("image", "labels"), "classification", "AutoProcessor",
             "Embeds the image and a sentence per candidate label in one space (CLIP, SigLIP); "
             "the closest label wins.",
             options=(_ALL_LABELS, HYPOTHESIS_TEMPLATE)),
    TaskSpec("AutoModelForZeroShotObjectDetection", ("zero-shot-object-detection",),
             "multimodal", ("image", "labels"), "detection", "AutoProcessor",
             "Boxes for whatever the label texts describe (OWL-ViT, Grounding DINO), each box "
             "scored against every label.",
             options=(THRESHOLD.but(default=0.1),)),
]
