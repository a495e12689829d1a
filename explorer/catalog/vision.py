"""What the vision tasks are (pure data; their runners are registered in
``explorer/heads/vision.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec
from explorer.options import BOX, MASK_RATIO, OUT_FEATURES, OUT_INDICES, SEED, THRESHOLD, TOP_K

SPECS = [
    TaskSpec("AutoModelForImageClassification", ("image-classification",), "vision", ("image",),
             "classification", "AutoImageProcessor",
             "A linear layer on the pooled image features: one score per class.",
             options=(TOP_K,)),
    TaskSpec("AutoModelForObjectDetection", ("object-detection",), "vision", ("image",),
             "detection", "AutoImageProcessor",
             "Predicts a set of boxes, each with a class and a score (DETR, YOLOS, RT-DETR...).",
             options=(THRESHOLD, TOP_K.but(default=100))),
    TaskSpec("AutoModelForDepthEstimation", ("depth-estimation",), "vision", ("image",), "depth",
             "AutoImageProcessor", "Predicts a depth value for every pixel from one image."),
    TaskSpec("AutoModelForKeypointDetection", ("keypoint-detection",), "vision", ("image",),
             "keypoints", "AutoImageProcessor",
             "Finds interest points with a score and a descriptor each (SuperPoint).",
             options=(THRESHOLD.but(default=0.0), TOP_K.but(default=200))),
    TaskSpec("AutoModelForPoseEstimation", ("pose-estimation",), "vision",
             ("image",), "keypoints", "AutoImageProcessor",
             "Top-down body pose: keypoint heatmaps inside a person box (ViTPose).",
             options=(BOX,)),
    TaskSpec("AutoModelForMaskedImageModeling", ("masked-image-modeling",), "vision", ("image",),
             "image", "AutoImageProcessor",
             "Hides random patches and reconstructs the pixels (SimMIM pre-training head).",
             options=(MASK_RATIO, SEED)),
    TaskSpec("AutoModelForImageToImage", ("image-to-image", "super-resolution"), "vision",
             ("image",), "image", "AutoImageProcessor",
             "Outputs a new image: super-resolution and restoration (Swin2SR)."),
    TaskSpec("AutoModelForVideoClassification", ("video-classification",), "vision", ("image",),
             "classification", "AutoImageProcessor",
             "Classifies a clip of frames (VideoMAE, TimeSformer): an animated GIF, MP4 or WebM, "
             "sampled to the model's clip length; a still image is repeated into a clip.",
             options=(TOP_K,)),
    TaskSpec("AutoBackbone", ("backbone",), "base", ("image",), "feature_maps",
             "AutoImageProcessor",
             "The network as a feature extractor for detection / segmentation heads: one feature "
             "map per chosen stage.", options=(OUT_INDICES, OUT_FEATURES)),
]

# Described but not run: it needs an image pair, which explorer inputs do not carry yet.
DESCRIBED = [
    TaskSpec("AutoModelForKeypointMatching", ("keypoint-matching",), "vision", ("image",),
             "keypoints", "AutoImageProcessor",
             "Matches keypoints between two images (SuperGlue, LightGlue, EfficientLoFTR); it "
             "needs an image pair, which explorer inputs do not carry yet."),
]
