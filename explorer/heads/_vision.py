"""Helpers the image runners share: the input image, its processor, options, pixel conversion."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from explorer.errors import BadInput
from explorer.heads._common import to_numpy
from explorer.runner import RunContext


def input_image(ctx: RunContext) -> Any:
    ctx.require("image")
    return ctx.inputs.image


def height_width(image: Any) -> tuple[int, int]:
    """``(height, width)``: the order transformers' ``target_sizes`` use."""
    return image.height, image.width


def image_processor(ctx: RunContext) -> Any:
    """The image processor, whether the preprocessor is one or a processor holding one."""
    pre = ctx.preprocessor
    if pre is None:
        raise BadInput(f"{ctx.loaded.resolution.checkpoint} has no image processor "
                       "(preprocessor_config.json); add one to run this task")
    return getattr(pre, "image_processor", None) or pre


def accepted_kwargs(fn: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    """The keyword arguments ``fn`` takes, leaving out ``None`` values: post-processors of
    different architectures take different subsets (``label_ids_to_fuse``, ``mask_threshold``)."""
    params = inspect.signature(fn).parameters
    return {k: v for k, v in kwargs.items() if v is not None and k in params}


def forward_image(ctx: RunContext) -> tuple[Any, Any, Any]:
    """``(input image, image processor, model outputs)``: the image through the processor and the
    model, as most image heads start."""
    image = input_image(ctx)
    processor = image_processor(ctx)
    batch = processor(images=image, return_tensors="pt")
    return image, processor, ctx.forward(model_inputs(ctx, batch))


def model_inputs(ctx: RunContext, batch: Any) -> dict[str, Any]:
    """Only the batch entries the model's ``forward`` takes (processors also return sizes)."""
    params = inspect.signature(ctx.model.forward).parameters
    return {k: v for k, v in dict(batch).items() if k in params}


def to_uint8(pixels: Any, processor: Any = None) -> np.ndarray:
    """A ``(3, h, w)`` model-space image tensor → ``(h, w, 3)`` uint8, undoing the processor's
    normalisation when it applied one."""
    array = to_numpy(pixels)
    if processor is not None and getattr(processor, "do_normalize", False):
        mean = np.asarray(getattr(processor, "image_mean", 0.0), dtype=np.float32).reshape(-1, 1, 1)
        std = np.asarray(getattr(processor, "image_std", 1.0), dtype=np.float32).reshape(-1, 1, 1)
        array = array * std + mean
    return (np.clip(np.moveaxis(array, 0, -1), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def resize_rgb(array: np.ndarray, width: int, height: int) -> np.ndarray:
    from PIL import Image

    if array.shape[:2] == (height, width):
        return array
    return np.asarray(Image.fromarray(array).resize((width, height), Image.Resampling.BICUBIC))

