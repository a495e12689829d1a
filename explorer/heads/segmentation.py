"""Segmentation heads: semantic, instance, panoptic (universal), DETR's mask head, promptable
mask generation (SAM) and image matting.

Masks come from the processor's own ``post_process_*`` at the input image's size; each pixel of
``Segmentation.mask`` holds a ``Segment.id`` (-1 where no segment).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from explorer.errors import BadInput
from explorer.heads._common import class_label, softmax, to_numpy
from explorer.heads._registry import Task
from explorer.heads._vision import (
    accepted_kwargs,
    height_width,
    image_processor,
    input_image,
    model_inputs,
)
from explorer.results import ImageOutput, Result, Segment, Segmentation
from explorer.runner import RunContext
from explorer.snippets.base import SIZE, Spec, forward, image_batch, image_lines, only_accepted, post_kwargs
from explorer.zoo import Recipe
from explorer.zoo.common import (
    DETR_SIZE,
    PHOTO,
    SHAPES,
    label_maps,
    make_processor,
    model_config,
    random_build,
    resnet_config,
)

# ---------------------------------------------------------------------------- segmentation

SEGMENT_KINDS = ("semantic", "instance", "panoptic")


def _semantic_segments(ctx: RunContext, mask: np.ndarray, outputs: Any) -> tuple[Segment, ...]:
    """One segment per label present. Score: the mean softmax probability of the label over the
    pixels it wins, read at the logits' own (low) resolution when the model gives per-pixel
    logits."""
    low_res = getattr(outputs, "logits", None)
    probs = softmax(to_numpy(low_res)[0], axis=0) if low_res is not None and low_res.ndim == 4 \
        else None
    winners = probs.argmax(0) if probs is not None else None
    segments = []
    for label_id, area in zip(*np.unique(mask, return_counts=True)):
        score = None
        if probs is not None and winners is not None and (winners == label_id).any():
            score = float(probs[label_id][winners == label_id].mean())
        segments.append(Segment(id=int(label_id), label=class_label(ctx.config, int(label_id)),
                                area=int(area), score=score))
    return tuple(sorted(segments, key=lambda s: -s.area))


def _instance_segments(ctx: RunContext, found: dict) -> tuple[np.ndarray, tuple[Segment, ...]]:
    """``segmentation`` + ``segments_info`` → mask with -1 where no segment, and the segments that
    are visible in it (best score first)."""
    mask = to_numpy(found["segmentation"]).round().astype(np.int64)
    info = {int(s["id"]): s for s in found.get("segments_info", ())}
    mask[~np.isin(mask, list(info))] = -1
    ids, areas = np.unique(mask[mask >= 0], return_counts=True)
    segments = [Segment(id=int(i), label=class_label(ctx.config, int(info[int(i)]["label_id"])),
                        area=int(a), score=float(info[int(i)].get("score", 0.0)))
                for i, a in zip(ids, areas)]
    return mask, tuple(sorted(segments, key=lambda s: -(s.score or 0.0)))


def segment(ctx: RunContext) -> Result:
    """Semantic, instance or panoptic segmentation with the processor's
    ``post_process_<kind>_segmentation`` at the image's size."""
    image = input_image(ctx)
    processor = image_processor(ctx)
    kind = str(ctx.option("kind"))  # each task declares its own default
    post = getattr(processor, f"post_process_{kind}_segmentation", None)
    if kind not in SEGMENT_KINDS or post is None:
        can = [k for k in SEGMENT_KINDS if hasattr(processor, f"post_process_{k}_segmentation")]
        raise BadInput(f"kind={kind!r} is not available for {type(processor).__name__}; "
                       f"use one of: {', '.join(can) or 'none'}")
    extra = {}
    if "task_inputs" in inspect.signature(ctx.model.forward).parameters:
        extra["task_inputs"] = [kind]  # OneFormer is told which task to do
    call = ctx.preprocessor if extra else processor
    batch = call(images=image, return_tensors="pt", **extra)
    outputs = ctx.forward(model_inputs(ctx, batch))
    found = post(outputs, **accepted_kwargs(
        post, target_sizes=[height_width(image)], threshold=ctx.optional("threshold"),
        mask_threshold=ctx.optional("mask_threshold"),
        overlap_mask_area_threshold=ctx.optional("overlap_mask_area_threshold"),
        label_ids_to_fuse=set()))[0]
    if kind == "semantic":
        mask = to_numpy(found).astype(np.int64)
        segments = _semantic_segments(ctx, mask, outputs)
    else:
        mask, segments = _instance_segments(ctx, found)
    return Segmentation(kind=kind, mask_shape=mask.shape, segments=segments, mask=mask,
                        **ctx.common(outputs))


def _parse_points(value: Any, width: int, height: int) -> list[list[float]]:
    """``"x,y;x,y"`` or ``[(x, y), ...]`` → points in pixels inside the image."""
    usage = f"points={value!r} should look like 'x,y' or 'x,y;x,y' (pixels)"
    parts = [p.split(",") for p in value.split(";") if p.strip()] if isinstance(value, str) \
        else value
    try:
        pairs = [[float(v) for v in pair] for pair in parts]
    except (TypeError, ValueError):
        raise BadInput(usage) from None
    if not pairs or any(len(p) != 2 for p in pairs):
        raise BadInput(usage)
    outside = [p for p in pairs if not (0 <= p[0] < width and 0 <= p[1] < height)]
    if outside:
        raise BadInput(f"point {outside[0]} is outside the {width}×{height} image")
    return pairs


def generate_masks(ctx: RunContext) -> Result:
    """SAM-style promptable masks: the model proposes several masks for one prompt (default: a
    point at the image centre), each with its predicted IoU. Masks overlap, so they are painted
    lowest score first: where they overlap, the best mask's id wins."""
    image = input_image(ctx)
    processor = image_processor(ctx)
    given = ctx.option("points")
    if given is None:
        points = [[image.width / 2, image.height / 2]]
        ctx.notes.append("prompt: one point at the image centre (set points='x,y;...' to choose)")
    else:
        points = _parse_points(given, image.width, image.height)
    batch = ctx.preprocessor(images=image, input_points=[[points]],
                             input_labels=[[[1] * len(points)]], return_tensors="pt")
    outputs = ctx.forward(model_inputs(ctx, batch))
    post = processor.post_process_masks
    masks = post(outputs.pred_masks.cpu(), **accepted_kwargs(
        post, original_sizes=batch["original_sizes"],
        reshaped_input_sizes=batch.get("reshaped_input_sizes")))[0][0]
    masks = to_numpy(masks) > 0.5  # (n_masks, h, w)
    scores = to_numpy(outputs.iou_scores)[0, 0]
    mask: np.ndarray = np.full(masks.shape[1:], -1, dtype=np.int64)
    for i in np.argsort(scores):
        mask[masks[i]] = int(i)
    segments = tuple(Segment(id=int(i), label=f"mask {int(i)}", area=int((mask == i).sum()),
                             score=float(scores[i])) for i in np.argsort(-scores))
    return Segmentation(kind="masks", mask_shape=mask.shape, segments=segments, mask=mask,
                        **ctx.common(outputs))



def _trimap(ctx: RunContext, image: Any) -> Any:
    """The user's trimap (option ``trimap``: an image path), else all-unknown (128): the model
    then decides foreground / background everywhere."""
    from PIL import Image

    from explorer.inputs import to_rgb

    path = ctx.option("trimap")
    if path is None:
        ctx.notes.append("no trimap given: every pixel was marked unknown (set trimap=<image> "
                         "with 0 background, 128 unknown, 255 foreground)")
        return Image.new("L", image.size, 128)
    trimap = to_rgb(path).convert("L")
    if trimap.size != image.size:
        raise BadInput(f"the trimap is {trimap.size[0]}×{trimap.size[1]} but the image is "
                       f"{image.width}×{image.height}; they must match")
    return trimap


def matte(ctx: RunContext) -> Result:
    """Alpha matting: the predicted alpha (white = foreground) as a grey image at the input's
    size."""
    image = input_image(ctx)
    processor = image_processor(ctx)
    extra = {"trimaps": _trimap(ctx, image)} if "trimaps" in inspect.signature(
        processor.preprocess).parameters else {}
    batch = processor(images=image, return_tensors="pt", **extra)
    outputs = ctx.forward(model_inputs(ctx, batch))
    post = getattr(processor, "post_process_image_matting", None)
    if post is not None:
        alpha = post(outputs, target_sizes=[height_width(image)])[0]["alpha"][0]
    else:  # ViTMatte pads bottom/right to a multiple of 32: crop back to the image
        alpha = outputs.alphas[0, 0, : image.height, : image.width]
    grey = (np.clip(to_numpy(alpha), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    rgb = np.repeat(grey[..., None], 3, axis=-1)
    ctx.notes.append("the image is the alpha matte: white = foreground, black = background")
    return ImageOutput(shape=rgb.shape, image=rgb, **ctx.common(outputs))


def segment_snippet(spec: Spec) -> list[str]:
    kind = str(spec.option("kind"))
    method = f"post_process_{kind}_segmentation"
    opts = {k: spec.options.get(k) for k in ("threshold", "mask_threshold",
                                              "overlap_mask_area_threshold")}
    extra = post_kwargs(spec, method, target_sizes=SIZE, label_ids_to_fuse="set()", **opts)
    lines = image_batch(spec) + only_accepted(spec) + forward() + [
        f"found = {spec.part('image_processor')}.{method}(", f"    outputs{extra})[0]"]
    if kind == "semantic":
        return lines + [
            "probs = outputs.logits[0].float().softmax(0)  # (labels, h, w) at the logits' size",
            "winners = probs.argmax(0)",
            "segments = []  # (label, pixels, mean probability where the label wins)",
            "for label_id, pixels in zip(*found.unique(return_counts=True)):",
            "    won = winners == label_id",
            "    score = float(probs[label_id][won].mean()) if won.any() else None",
            "    segments.append((model.config.id2label[int(label_id)], int(pixels), score))",
            "segments.sort(key=lambda s: -s[1])",
            "print(segments)",
        ]
    return lines + [
        "info = {s[\"id\"]: s for s in found[\"segments_info\"]}",
        "ids, areas = found[\"segmentation\"].round().long().unique(return_counts=True)",
        "segments = [(model.config.id2label[info[int(i)][\"label_id\"]], int(area), "
        "float(info[int(i)].get(\"score\", 0.0)))",
        "            for i, area in zip(ids, areas) if int(i) in info]  # (label, pixels, score)",
        "segments.sort(key=lambda s: -s[2])",
        "print(segments)",
    ]


def mask_generation_snippet(spec: Spec) -> list[str]:
    given = spec.options.get("points")
    if given:
        pairs = [[float(v) for v in p.split(",")] for p in given.split(";") if p.strip()] \
            if isinstance(given, str) else [list(map(float, p)) for p in given]
        points = f"points = {pairs!r}"
    else:
        points = "points = [[image.width / 2, image.height / 2]]  # one point at the centre"
    post = post_kwargs(spec, "post_process_masks", original_sizes="inputs[\"original_sizes\"]",
                        reshaped_input_sizes="inputs.get(\"reshaped_input_sizes\")")
    return image_lines(spec) + [
        points,
        f"inputs = {spec.pre}(images=image, input_points=[[points]], "
        "input_labels=[[[1] * len(points)]], return_tensors=\"pt\")",
        *forward(batch="{k: v for k, v in inputs.items() if k not in (\"original_sizes\", "
                 "\"reshaped_input_sizes\")}"),
        f"masks = {spec.part('image_processor')}.post_process_masks(outputs.pred_masks{post})"
        "[0][0] > 0.5",
        "scores = outputs.iou_scores[0, 0]",
        "painted = torch.full(masks.shape[1:], -1)",
        "for i in scores.argsort():  # lowest score first: the best mask wins where they overlap",
        "    painted[masks[i]] = int(i)",
        "segments = [(f\"mask {int(i)}\", int((painted == i).sum()), float(scores[i]))",
        "            for i in scores.argsort(descending=True)]",
        "print(segments)  # (mask, pixels, predicted IoU)",
    ]


def matte_snippet(spec: Spec) -> list[str]:
    trimap = spec.options.get("trimap")
    trimap_line = (f"trimap = Image.open({str(trimap)!r}).convert(\"L\")" if trimap else
                   "trimap = Image.new(\"L\", image.size, 128)  # every pixel unknown")
    return image_lines(spec) + [
        trimap_line,
        f"inputs = {spec.pre}(images=image, trimaps=trimap, return_tensors=\"pt\")",
        *forward(),
        "alpha = outputs.alphas[0, 0, : image.height, : image.width]  # crop the padding",
        "print({\"shape\": [*alpha.shape, 3]})  # shown as a grey image: white = foreground",
    ]


SCENE_LABELS = ("background", "sky", "grass", "circle", "square", "triangle")


def _detr_panoptic() -> tuple[Any, ...]:
    # The mask head needs d_model + heads divisible by 8 and d_model / 16 channels at the end.
    config = model_config("detr", use_timm_backbone=False, use_pretrained_backbone=False,
                          backbone_config=resnet_config(["stage1", "stage2", "stage3", "stage4"]),
                          d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=8,
                          decoder_attention_heads=8, encoder_ffn_dim=64, decoder_ffn_dim=64,
                          num_queries=8, **label_maps(SCENE_LABELS))
    return config, make_processor("DetrImageProcessor", size=DETR_SIZE)


def _segformer() -> tuple[Any, ...]:
    config = model_config("segformer", num_encoder_blocks=2, depths=[1, 1], sr_ratios=[2, 1],
                          hidden_sizes=[8, 16], patch_sizes=[7, 3], strides=[4, 2],
                          num_attention_heads=[1, 2], mlp_ratios=[2, 2], decoder_hidden_size=16,
                          **label_maps(SCENE_LABELS))
    return config, make_processor("SegformerImageProcessor", size={"height": 64, "width": 64})


def _maskformer() -> tuple[Any, ...]:
    # Its FPN uses GroupNorm(32, ...): feature sizes must be multiples of 32.
    decoder = model_config("detr", d_model=32, encoder_layers=1, decoder_layers=1,
                           encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
                           decoder_ffn_dim=64, num_queries=8)
    config = model_config("maskformer", backbone_config=resnet_config(["stage1", "stage2", "stage3",
                                                             "stage4"]),
                     decoder_config=decoder, fpn_feature_size=32, mask_feature_size=32,
                     num_queries=8, **label_maps(SCENE_LABELS))
    return config, make_processor("MaskFormerImageProcessor", size=DETR_SIZE)


def _mask2former() -> tuple[Any, ...]:
    config = model_config("mask2former", backbone_config=resnet_config(["stage1", "stage2", "stage3",
                                                             "stage4"]),
                     feature_size=32, mask_feature_size=32, hidden_dim=32,
                     encoder_feedforward_dim=32, dim_feedforward=32, encoder_layers=1,
                     decoder_layers=2, num_attention_heads=2, num_queries=8, common_stride=4,
                     **label_maps(SCENE_LABELS))
    return config, make_processor("Mask2FormerImageProcessor", size=DETR_SIZE)


def _sam() -> tuple[Any, ...]:
    from transformers import SamProcessor

    config = model_config(
        "sam",
        vision_config=dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, mlp_dim=64,
                           image_size=64, patch_size=8, output_channels=16, window_size=4,
                           global_attn_indexes=[1], num_pos_feats=8),
        prompt_encoder_config=dict(hidden_size=16, image_size=64, patch_size=8,
                                   mask_input_channels=4),
        mask_decoder_config=dict(hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                                 mlp_dim=32, iou_head_hidden_dim=16))
    images = make_processor("SamImageProcessor", size={"longest_edge": 64},
                            pad_size={"height": 64, "width": 64})
    return config, SamProcessor(image_processor=images)


def _vitmatte() -> tuple[Any, ...]:
    # ViTDet with 16 px patches: the matting decoder fuses it with stride-2/4/8 detail features.
    backbone = model_config("vitdet", hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                            mlp_ratio=2, image_size=64, pretrain_image_size=64, patch_size=16,
                            num_channels=4, out_features=["stage2"])
    config = model_config("vitmatte", backbone_config=backbone, hidden_size=32,
                          convstream_hidden_sizes=[8, 16, 16], fusion_hidden_sizes=[16, 16, 8, 8])
    return config, make_processor("VitMatteImageProcessor", size_divisor=32)


# Random heads score far below the usual 0.5 cut-off; these examples lower the thresholds so the
# views have boxes and segments to draw.
LOW = {"threshold": 0.0, "mask_threshold": 0.05, "overlap_mask_area_threshold": 0.0}


TASKS = [
    Task("AutoModelForSemanticSegmentation", run=segment, snippet=segment_snippet, recipes=[
        Recipe("semantic-segmentation", "AutoModelForSemanticSegmentation",
               random_build("AutoModelForSemanticSegmentation", _segformer),
               "tiny SegFormer labelling every pixel", SHAPES),
    ]),
    Task("AutoModelForInstanceSegmentation", run=segment, snippet=segment_snippet, recipes=[
        Recipe("instance-segmentation", "AutoModelForInstanceSegmentation",
               random_build("AutoModelForInstanceSegmentation", _maskformer),
               "tiny MaskFormer (ResNet backbone): a mask per object",
               {**SHAPES, "options": {"threshold": 0.0}}),
    ]),
    Task("AutoModelForUniversalSegmentation", run=segment, snippet=segment_snippet, recipes=[
        Recipe("universal-segmentation", "AutoModelForUniversalSegmentation",
               random_build("AutoModelForUniversalSegmentation", _mask2former),
               "tiny Mask2Former (ResNet backbone): panoptic segmentation",
               {**SHAPES, "options": LOW}),
    ]),
    Task("AutoModelForImageSegmentation", run=segment, snippet=segment_snippet, recipes=[
        Recipe("image-segmentation", "AutoModelForImageSegmentation",
               random_build("AutoModelForImageSegmentation", _detr_panoptic),
               "tiny DETR with a mask head: panoptic segmentation", {**SHAPES, "options": LOW}),
    ]),
    Task("AutoModelForMaskGeneration", run=generate_masks, snippet=mask_generation_snippet, recipes=[
        Recipe("mask-generation", "AutoModelForMaskGeneration",
               random_build("AutoModelForMaskGeneration", _sam), "tiny SAM (point prompts)",
               {**SHAPES, "options": {"points": "36,42"}}),  # inside the blue circle
    ]),
    Task("AutoModelForImageMatting", run=matte, snippet=matte_snippet, recipes=[
        Recipe("image-matting", "AutoModelForImageMatting",
               random_build("AutoModelForImageMatting", _vitmatte), "tiny ViTMatte (ViTDet backbone)",
               PHOTO),
    ]),
]

__all__ = ["TASKS"]
