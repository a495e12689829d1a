"""What the geometry tasks are (pure data; their runners are registered in
``explorer/heads/geometry.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec

SPECS = [
    TaskSpec("AutoModelForNormalEstimation", ("normal-estimation",), "vision", ("image",), "image",
             "AutoImageProcessor",
             "Predicts a surface normal (x, y, z) for every pixel (Sapiens2)."),
    TaskSpec("AutoModelForPointmapEstimation", ("pointmap-estimation",), "vision", ("image",),
             "depth", "AutoImageProcessor",
             "Predicts a 3-D point (x, y, z) in camera space for every pixel (Sapiens2)."),
]
