"""What the segmentation tasks are (pure data; their runners are registered in
``explorer/heads/segmentation.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec
from explorer.options import KIND, MASK_THRESHOLD, OVERLAP_THRESHOLD, POINTS, THRESHOLD, TRIMAP, Option

_SCORE_THRESHOLD = THRESHOLD.but(default=None, help="keep segments scoring above this (default: "
                                                 "the image processor's own)")


def _segmentation_options(kind: str) -> tuple[Option, ...]:
    """Post-processing options, with the kind of segmentation the task makes by default."""
    return KIND.but(default=kind), _SCORE_THRESHOLD, MASK_THRESHOLD, OVERLAP_THRESHOLD


SPECS = [
    TaskSpec("AutoModelForSemanticSegmentation", ("semantic-segmentation",),
             "vision", ("image",), "segmentation", "AutoImageProcessor",
             "A class for every pixel (SegFormer, DPT, UperNet...).",
             options=_segmentation_options("semantic")),
    TaskSpec("AutoModelForInstanceSegmentation", ("instance-segmentation",), "vision", ("image",),
             "segmentation", "AutoImageProcessor",
             "A mask, class and score for each object instance (MaskFormer...).",
             options=_segmentation_options("instance")),
    TaskSpec("AutoModelForUniversalSegmentation", ("universal-segmentation",
                                                   "panoptic-segmentation"), "vision", ("image",),
             "segmentation", "AutoImageProcessor",
             "Mask classification: one model for semantic, instance and panoptic segmentation "
             "(Mask2Former, OneFormer, EoMT...).",
             options=_segmentation_options("panoptic")),
    TaskSpec("AutoModelForImageSegmentation", ("image-segmentation",), "vision", ("image",),
             "segmentation", "AutoImageProcessor",
             "DETR with a mask head: panoptic segmentation (the older segmentation Auto class).",
             options=_segmentation_options("panoptic")),
    TaskSpec("AutoModelForMaskGeneration", ("mask-generation",), "vision", ("image",),
             "segmentation", "AutoProcessor",
             "Promptable segmentation (SAM): masks for the object under a point prompt.",
             options=(POINTS,)),
    TaskSpec("AutoModelForImageMatting", ("image-matting",), "vision", ("image",), "image",
             "AutoImageProcessor",
             "Predicts a soft alpha matte separating foreground from background (ViTMatte uses a "
             "trimap).", options=(TRIMAP,)),
]
