"""Dense 3-D geometry heads: a surface normal or a camera-space point for every pixel (Sapiens2).

Both post-process through the image processor's own helpers, which undo the padding and resize
to the input; normals are shown as the usual RGB picture, a pointmap by its z (distance) channel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from explorer.heads._common import to_numpy
from explorer.heads._registry import Task
from explorer.heads._vision import forward_image, height_width
from explorer.results import DepthMap, ImageOutput, Result
from explorer.runner import RunContext
from explorer.snippets.base import SIZE, Spec, forward, image_batch, only_accepted
from explorer.zoo import Recipe
from explorer.zoo.common import SHAPES, label_maps, make_processor, model_config, random_build


def _dense_map(ctx: RunContext, kind: str) -> tuple[np.ndarray, object]:
    """``(3, h, w)`` map at the input's size from ``post_process_<kind>_estimation``."""
    image, processor, outputs = forward_image(ctx)
    post = getattr(processor, f"post_process_{kind}_estimation")
    field = "normals" if kind == "normal" else "pointmap"
    size = height_width(image)
    return to_numpy(post(outputs, target_sizes=[size])[0][field]), outputs


def estimate_normals(ctx: RunContext) -> Result:
    normals, outputs = _dense_map(ctx, "normal")
    length = np.linalg.norm(normals, axis=0, keepdims=True)
    unit = normals / np.maximum(length, 1e-6)
    picture = ((np.moveaxis(unit, 0, -1) + 1.0) * 127.5 + 0.5).clip(0, 255).astype(np.uint8)
    ctx.notes.append("colours are the unit normal (x, y, z) mapped from [-1, 1] to red, green, "
                     "blue: surfaces facing the camera look blue-violet")
    return ImageOutput(shape=picture.shape, image=picture, **ctx.common(outputs))


def estimate_pointmap(ctx: RunContext) -> Result:
    points, outputs = _dense_map(ctx, "pointmap")
    depth = points[2]
    ctx.notes.append("shown: z of each pixel's camera-space point (x, y, z), i.e. its distance "
                     "along the camera axis")
    return DepthMap(shape=depth.shape, min=float(depth.min()), max=float(depth.max()),
                    depth=depth, **ctx.common(outputs))


def normals_snippet(spec: Spec) -> list[str]:
    return image_batch(spec) + only_accepted(spec) + forward() + [
        f"normals = {spec.pre}.post_process_normal_estimation(outputs, target_sizes={SIZE})[0]"
        "[\"normals\"]  # (3, h, w): x, y, z",
        "print({\"shape\": [*normals.shape[1:], 3]})  # shown as an RGB picture",
    ]


def pointmap_snippet(spec: Spec) -> list[str]:
    return image_batch(spec) + only_accepted(spec) + forward() + [
        f"points = {spec.pre}.post_process_pointmap_estimation(outputs, target_sizes={SIZE})[0]"
        "[\"pointmap\"]  # (3, h, w): x, y, z in camera space",
        "depth = points[2]  # z: the distance along the camera axis",
        "print({\"shape\": list(depth.shape), \"min\": float(depth.min()), "
        "\"max\": float(depth.max())})",
    ]


def _sapiens2(auto_class: str) -> Callable[[], tuple[Any, ...]]:
    """A 2-layer Sapiens2 with a small upsampling head; 3 outputs per pixel (x, y, z)."""
    def make() -> tuple[Any, ...]:
        head = dict(upsample_out_channels=[16, 16], upsample_kernel_sizes=[4, 4],
                    conv_out_channels=[16], conv_kernel_sizes=[1], scale_conv_out_channels=[16],
                    scale_conv_kernel_sizes=[1], scale_final_hidden_sizes=[16, 8])
        config = model_config("sapiens2", hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                              num_attention_heads=2, num_key_value_heads_per_layer=[2, 2],
                              num_register_tokens=2, image_size=64, patch_size=16, head_config=head,
                              **label_maps(("x", "y", "z")))
        # do_pad: the processor pads to the model's square input and post-processing removes it.
        return config, make_processor("Sapiens2ImageProcessor", size={"height": 64, "width": 64},
                                      do_pad=True)
    return make


TASKS = [
    Task("AutoModelForNormalEstimation", run=estimate_normals, snippet=normals_snippet, recipes=[
        Recipe("normal-estimation", "AutoModelForNormalEstimation",
               random_build("AutoModelForNormalEstimation", _sapiens2("AutoModelForNormalEstimation")),
               "tiny Sapiens2: a surface normal per pixel", SHAPES),
    ]),
    Task("AutoModelForPointmapEstimation", run=estimate_pointmap, snippet=pointmap_snippet, recipes=[
        Recipe("pointmap-estimation", "AutoModelForPointmapEstimation",
               random_build("AutoModelForPointmapEstimation", _sapiens2("AutoModelForPointmapEstimation")),
               "tiny Sapiens2: a camera-space 3-D point per pixel", SHAPES),
    ]),
]

__all__ = ["TASKS"]
