"""Vision heads: classification, detection, segmentation, depth, keypoints, pose, image output,
video classification, mask generation, matting, and the backbone's feature maps.

Every runner reads ``ctx.inputs.image`` (already an RGB PIL image: ``explorer.inputs`` converts
RGBA, L, P, CMYK, 16-bit...), preprocesses with the checkpoint's image processor, runs the model
through ``ctx.forward`` and post-processes with the processor's own ``post_process_*`` helper at
the input image's size, so boxes, masks and maps line up with the picture the user gave.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

import numpy as np

from explorer.catalog import TaskSpec
from explorer.errors import BadInput
from explorer.heads._common import label_names, softmax, to_numpy, top_labels
from explorer.results import (
    Classification, DepthMap, DetectedObject, Detections, FeatureMaps, ImageOutput, Keypoint,
    Keypoints, Result, Segment, Segmentation,
)
from explorer.runner import RunContext

# ---------------------------------------------------------------------------- shared helpers


def _image(ctx: RunContext) -> Any:
    ctx.require("image")
    return ctx.inputs.image


def _hw(image: Any) -> tuple[int, int]:
    """``(height, width)``: the order transformers' ``target_sizes`` use."""
    return image.height, image.width


def _image_processor(ctx: RunContext) -> Any:
    """The image processor, whether the preprocessor is one or a processor holding one."""
    pre = ctx.preprocessor
    if pre is None:
        raise BadInput(f"{ctx.loaded.resolution.checkpoint} has no image processor "
                       "(preprocessor_config.json); add one to run this task")
    return getattr(pre, "image_processor", None) or pre


def _accepted(fn: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    """The keyword arguments ``fn`` takes, leaving out ``None`` values: post-processors of
    different architectures take different subsets (``label_ids_to_fuse``, ``mask_threshold``)."""
    params = inspect.signature(fn).parameters
    return {k: v for k, v in kwargs.items() if v is not None and k in params}


def _model_inputs(ctx: RunContext, batch: Any) -> dict[str, Any]:
    """Only the batch entries the model's ``forward`` takes (processors also return sizes)."""
    params = inspect.signature(ctx.model.forward).parameters
    return {k: v for k, v in dict(batch).items() if k in params}


def _label(config: Any, index: int) -> str:
    id2label = getattr(config, "id2label", None) or {}
    return str(id2label.get(index, id2label.get(str(index), f"LABEL_{index}")))


def _float_option(ctx: RunContext, name: str) -> float | None:
    """A float option, or None when the user did not set it (the post-processor's default)."""
    value = ctx.option(name, None)
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise BadInput(f"option {name}={value!r} should be a number") from None


def _to_uint8(pixels: Any, processor: Any = None) -> np.ndarray:
    """A ``(3, h, w)`` model-space image tensor → ``(h, w, 3)`` uint8, undoing the processor's
    normalisation when it applied one."""
    array = to_numpy(pixels)
    if processor is not None and getattr(processor, "do_normalize", False):
        mean = np.asarray(getattr(processor, "image_mean", 0.0), dtype=np.float32).reshape(-1, 1, 1)
        std = np.asarray(getattr(processor, "image_std", 1.0), dtype=np.float32).reshape(-1, 1, 1)
        array = array * std + mean
    return (np.clip(np.moveaxis(array, 0, -1), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def _resize_rgb(array: np.ndarray, width: int, height: int) -> np.ndarray:
    from PIL import Image

    if array.shape[:2] == (height, width):
        return array
    return np.asarray(Image.fromarray(array).resize((width, height), Image.BICUBIC))


# ---------------------------------------------------------------------------- classification


def classify_image(ctx: RunContext) -> Result:
    image = _image(ctx)
    batch = _image_processor(ctx)(images=image, return_tensors="pt")
    outputs = ctx.forward(batch)
    logits = to_numpy(outputs.logits)[0]
    names = label_names(ctx.config, logits.shape[-1])
    multi = getattr(ctx.config, "problem_type", None) == "multi_label_classification"
    return Classification(labels=top_labels(logits, names, ctx.option("top_k", 5), multi),
                          logits=logits, label_names=names, **ctx.common(outputs))


def _frame_count(config: Any) -> int:
    """How many frames the video model wants (the names differ per architecture)."""
    for name in ("num_frames", "frames_per_clip", "num_frames_per_clip"):
        value = getattr(config, name, None) or getattr(getattr(config, "vision_config", None),
                                                       name, None)
        if isinstance(value, int) and value > 0:
            return value
    return 8


def classify_video(ctx: RunContext) -> Result:
    """Video classification of a still image: the image is repeated into a clip of the length the
    model was trained on (no motion, so motion-dependent labels cannot show)."""
    image = _image(ctx)
    frames = _frame_count(ctx.config)
    ctx.notes.append(f"the image was repeated into a {frames}-frame clip (the model's clip length)")
    batch = _image_processor(ctx)([image] * frames, return_tensors="pt")
    outputs = ctx.forward(batch)
    logits = to_numpy(outputs.logits)[0]
    names = label_names(ctx.config, logits.shape[-1])
    return Classification(labels=top_labels(logits, names, ctx.option("top_k", 5)),
                          logits=logits, label_names=names, **ctx.common(outputs))


# ---------------------------------------------------------------------------- detection


def _clip_box(box: Any, width: int, height: int) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in box)
    w, h = float(width), float(height)
    return min(max(x0, 0.0), w), min(max(y0, 0.0), h), min(max(x1, 0.0), w), min(max(y1, 0.0), h)


def detect_objects(ctx: RunContext) -> Result:
    """Boxes via the processor's ``post_process_object_detection`` at the image's size, clipped to
    the image, best first."""
    image = _image(ctx)
    processor = _image_processor(ctx)
    threshold = ctx.option("threshold", 0.5)
    batch = processor(images=image, return_tensors="pt")
    outputs = ctx.forward(_model_inputs(ctx, batch))
    post = processor.post_process_object_detection
    found = post(outputs, **_accepted(post, threshold=threshold, target_sizes=[_hw(image)]))[0]
    scores = to_numpy(found["scores"])
    order = np.argsort(-scores)[: max(0, ctx.option("top_k", 100))]
    labels, boxes = found["labels"].tolist(), to_numpy(found["boxes"])
    objects = tuple(DetectedObject(label=_label(ctx.config, int(labels[i])), score=float(scores[i]),
                                   box=_clip_box(boxes[i], image.width, image.height))
                    for i in order)
    return Detections(image_size=image.size, objects=objects, threshold=threshold,
                      **ctx.common(outputs))


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
        if winners is not None and (winners == label_id).any():
            score = float(probs[label_id][winners == label_id].mean())
        segments.append(Segment(id=int(label_id), label=_label(ctx.config, int(label_id)),
                                area=int(area), score=score))
    return tuple(sorted(segments, key=lambda s: -s.area))


def _instance_segments(ctx: RunContext, found: dict) -> tuple[np.ndarray, tuple[Segment, ...]]:
    """``segmentation`` + ``segments_info`` → mask with -1 where no segment, and the segments that
    are visible in it (best score first)."""
    mask = to_numpy(found["segmentation"]).round().astype(np.int64)
    info = {int(s["id"]): s for s in found.get("segments_info", ())}
    mask[~np.isin(mask, list(info))] = -1
    ids, areas = np.unique(mask[mask >= 0], return_counts=True)
    segments = [Segment(id=int(i), label=_label(ctx.config, int(info[int(i)]["label_id"])),
                        area=int(a), score=float(info[int(i)].get("score", 0.0)))
                for i, a in zip(ids, areas)]
    return mask, tuple(sorted(segments, key=lambda s: -(s.score or 0.0)))


def _segmenter(default_kind: str) -> Callable[[RunContext], Result]:
    def segment(ctx: RunContext) -> Result:
        """Semantic, instance or panoptic segmentation with the processor's
        ``post_process_<kind>_segmentation`` at the image's size."""
        image = _image(ctx)
        processor = _image_processor(ctx)
        kind = str(ctx.option("kind", default_kind))
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
        outputs = ctx.forward(_model_inputs(ctx, batch))
        found = post(outputs, **_accepted(
            post, target_sizes=[_hw(image)], threshold=_float_option(ctx, "threshold"),
            mask_threshold=_float_option(ctx, "mask_threshold"),
            overlap_mask_area_threshold=_float_option(ctx, "overlap_mask_area_threshold"),
            label_ids_to_fuse=set()))[0]
        if kind == "semantic":
            mask = to_numpy(found).astype(np.int64)
            segments = _semantic_segments(ctx, mask, outputs)
        else:
            mask, segments = _instance_segments(ctx, found)
        return Segmentation(kind=kind, mask_shape=mask.shape, segments=segments, mask=mask,
                            **ctx.common(outputs))
    segment.__name__ = f"segment_{default_kind}"
    return segment


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
    image = _image(ctx)
    processor = _image_processor(ctx)
    given = ctx.option("points", None)
    if given is None:
        points = [[image.width / 2, image.height / 2]]
        ctx.notes.append("prompt: one point at the image centre (set points='x,y;...' to choose)")
    else:
        points = _parse_points(given, image.width, image.height)
    batch = ctx.preprocessor(images=image, input_points=[[points]],
                             input_labels=[[[1] * len(points)]], return_tensors="pt")
    outputs = ctx.forward(_model_inputs(ctx, batch))
    post = processor.post_process_masks
    masks = post(outputs.pred_masks.cpu(), **_accepted(
        post, original_sizes=batch["original_sizes"],
        reshaped_input_sizes=batch.get("reshaped_input_sizes")))[0][0]
    masks = to_numpy(masks) > 0.5  # (n_masks, h, w)
    scores = to_numpy(outputs.iou_scores)[0, 0]
    mask = np.full(masks.shape[1:], -1, dtype=np.int64)
    for i in np.argsort(scores):
        mask[masks[i]] = int(i)
    segments = tuple(Segment(id=int(i), label=f"mask {int(i)}", area=int((mask == i).sum()),
                             score=float(scores[i])) for i in np.argsort(-scores))
    return Segmentation(kind="masks", mask_shape=mask.shape, segments=segments, mask=mask,
                        **ctx.common(outputs))


# ---------------------------------------------------------------------------- dense maps


def estimate_depth(ctx: RunContext) -> Result:
    """Relative (or metric) depth at the image's size via ``post_process_depth_estimation``."""
    import torch

    image = _image(ctx)
    processor = _image_processor(ctx)
    batch = processor(images=image, return_tensors="pt")
    outputs = ctx.forward(_model_inputs(ctx, batch))
    post = getattr(processor, "post_process_depth_estimation", None)
    if post is not None:
        depth = post(outputs, **_accepted(post, target_sizes=[_hw(image)],
                                          source_sizes=[_hw(image)]))[0]["predicted_depth"]
    else:  # processors without the helper: resize the raw map the same way it would
        depth = torch.nn.functional.interpolate(outputs.predicted_depth.float()[:, None],
                                                size=_hw(image), mode="bicubic")[0, 0]
    depth = to_numpy(depth).reshape(_hw(image))
    return DepthMap(shape=depth.shape, min=float(depth.min()), max=float(depth.max()),
                    depth=depth, **ctx.common(outputs))


def _trimap(ctx: RunContext, image: Any) -> Any:
    """The user's trimap (option ``trimap``: an image path), else all-unknown (128): the model
    then decides foreground / background everywhere."""
    from PIL import Image

    from explorer.inputs import to_rgb

    path = ctx.option("trimap", None)
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
    image = _image(ctx)
    processor = _image_processor(ctx)
    extra = {"trimaps": _trimap(ctx, image)} if "trimaps" in inspect.signature(
        processor.preprocess).parameters else {}
    batch = processor(images=image, return_tensors="pt", **extra)
    outputs = ctx.forward(_model_inputs(ctx, batch))
    post = getattr(processor, "post_process_image_matting", None)
    if post is not None:
        alpha = post(outputs, target_sizes=[_hw(image)])[0]["alpha"][0]
    else:  # ViTMatte pads bottom/right to a multiple of 32: crop back to the image
        alpha = outputs.alphas[0, 0, : image.height, : image.width]
    grey = (np.clip(to_numpy(alpha), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    rgb = np.repeat(grey[..., None], 3, axis=-1)
    ctx.notes.append("the image is the alpha matte: white = foreground, black = background")
    return ImageOutput(shape=rgb.shape, image=rgb, **ctx.common(outputs))


# ---------------------------------------------------------------------------- keypoints

# COCO's 17-keypoint skeleton by name: drawn for any model whose labels use these names.
COCO_SKELETON = (
    ("left_ankle", "left_knee"), ("left_knee", "left_hip"), ("right_ankle", "right_knee"),
    ("right_knee", "right_hip"), ("left_hip", "right_hip"), ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"), ("left_shoulder", "right_shoulder"),
    ("left_shoulder", "left_elbow"), ("right_shoulder", "right_elbow"),
    ("left_elbow", "left_wrist"), ("right_elbow", "right_wrist"), ("left_eye", "right_eye"),
    ("nose", "left_eye"), ("nose", "right_eye"), ("left_eye", "left_ear"),
    ("right_eye", "right_ear"), ("left_ear", "left_shoulder"), ("right_ear", "right_shoulder"),
)


def _edges(config: Any, names: list[str]) -> tuple[tuple[int, int], ...]:
    """Skeleton edges: the config's own (``skeleton`` / ``edges`` index pairs) when it has them,
    else COCO's by keypoint name."""
    own = getattr(config, "skeleton", None) or getattr(config, "edges", None)
    if own:
        return tuple((int(a), int(b)) for a, b in own)
    index = {n: i for i, n in enumerate(names)}
    return tuple((index[a], index[b]) for a, b in COCO_SKELETON if a in index and b in index)


def detect_keypoints(ctx: RunContext) -> Result:
    """Interest points (SuperPoint) via ``post_process_keypoint_detection``, best first."""
    image = _image(ctx)
    processor = _image_processor(ctx)
    batch = processor(images=image, return_tensors="pt")
    outputs = ctx.forward(_model_inputs(ctx, batch))
    found = processor.post_process_keypoint_detection(outputs, target_sizes=[_hw(image)])[0]
    points, scores = to_numpy(found["keypoints"]), to_numpy(found["scores"])
    keep = scores >= ctx.option("threshold", 0.0)
    order = [i for i in np.argsort(-scores) if keep[i]][: max(0, ctx.option("top_k", 200))]
    keypoints = tuple(Keypoint(x=float(points[i, 0]), y=float(points[i, 1]),
                               score=float(scores[i])) for i in order)
    return Keypoints(image_size=image.size, keypoints=keypoints, **ctx.common(outputs))


def _box_option(ctx: RunContext, width: int, height: int) -> list[float]:
    """The person box as COCO ``[x, y, w, h]``: option ``box='x0,y0,x1,y1'``, else the image."""
    value = ctx.option("box", None)
    if value is None:
        ctx.notes.append("pose estimated in one box covering the whole image (set "
                         "box='x0,y0,x1,y1' around a person, e.g. from object detection)")
        return [0.0, 0.0, float(width), float(height)]
    try:
        x0, y0, x1, y1 = (float(v) for v in (value.split(",") if isinstance(value, str) else value))
    except (TypeError, ValueError):
        raise BadInput(f"box={value!r} should be 'x0,y0,x1,y1' in pixels") from None
    if not (0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height):
        raise BadInput(f"box={value!r} must lie inside the {width}×{height} image, with x0 < x1 "
                       "and y0 < y1")
    return [x0, y0, x1 - x0, y1 - y0]


def estimate_pose(ctx: RunContext) -> Result:
    """Top-down pose (ViTPose): keypoint heatmaps inside a person box, decoded by
    ``post_process_pose_estimation``."""
    import torch

    image = _image(ctx)
    processor = _image_processor(ctx)
    boxes = [[_box_option(ctx, image.width, image.height)]]
    batch = dict(processor(images=image, boxes=boxes, return_tensors="pt"))
    experts = getattr(getattr(ctx.config, "backbone_config", None), "num_experts", 1) or 1
    if experts > 1:  # ViTPose+ mixes expert heads per dataset; 0 is COCO
        batch["dataset_index"] = torch.zeros(1, dtype=torch.long)
        ctx.notes.append("ViTPose+ expert 0 (COCO) was used")
    outputs = ctx.forward(_model_inputs(ctx, batch))
    post = processor.post_process_pose_estimation
    found = post(outputs, **_accepted(post, boxes=boxes))[0][0]
    points, scores = to_numpy(found["keypoints"]), to_numpy(found["scores"])
    names = [_label(ctx.config, int(i)) for i in found["labels"].tolist()]
    keypoints = tuple(Keypoint(x=float(p[0]), y=float(p[1]), score=float(s), label=n)
                      for p, s, n in zip(points, scores, names))
    return Keypoints(image_size=image.size, keypoints=keypoints, edges=_edges(ctx.config, names),
                     **ctx.common(outputs))


# ---------------------------------------------------------------------------- image output


def _patch_grid(ctx: RunContext, pixel_values: Any) -> tuple[int, int]:
    patch = getattr(ctx.config, "patch_size", 16)
    patch = patch[0] if isinstance(patch, (list, tuple)) else patch
    return pixel_values.shape[-2] // patch, pixel_values.shape[-1] // patch


def masked_image_modeling(ctx: RunContext) -> Result:
    """SimMIM-style reconstruction: a random share of the patches (option ``mask_ratio``, fixed
    seed) is hidden and the model paints the whole image back from the rest."""
    import torch

    image = _image(ctx)
    processor = _image_processor(ctx)
    batch = dict(processor(images=image, return_tensors="pt"))
    ratio = ctx.option("mask_ratio", 0.5)
    if not 0.0 <= ratio < 1.0:
        raise BadInput(f"mask_ratio={ratio} must be in [0, 1)")
    rows, cols = _patch_grid(ctx, batch["pixel_values"])
    generator = torch.Generator().manual_seed(ctx.option("seed", 0))
    hidden = torch.rand(rows * cols, generator=generator).argsort()[: int(ratio * rows * cols)]
    masked = torch.zeros(1, rows * cols, dtype=torch.bool)
    masked[0, hidden] = True
    batch["bool_masked_pos"] = masked
    outputs = ctx.forward(_model_inputs(ctx, batch))
    side = tuple(outputs.reconstruction.shape[-2:])
    picture = _resize_rgb(_to_uint8(outputs.reconstruction[0], processor), *image.size)
    ctx.notes.append(f"{len(hidden)} of {rows * cols} patches were hidden (mask_ratio={ratio}); "
                     f"the {side[1]}×{side[0]} reconstruction is resized to the input's size")
    return ImageOutput(shape=picture.shape, image=picture, **ctx.common(outputs))


def image_to_image(ctx: RunContext) -> Result:
    """Image restoration / super-resolution (Swin2SR): the output is cropped back to the input's
    content (the processor pads it) times the model's upscale factor."""
    image = _image(ctx)
    processor = _image_processor(ctx)
    batch = processor(images=image, return_tensors="pt")
    outputs = ctx.forward(_model_inputs(ctx, batch))
    post = getattr(processor, "post_process", None)
    if post is not None:
        picture = np.asarray(post(outputs, target_sizes=[_hw(image)])[0])
    else:
        out = outputs.reconstruction
        scale = out.shape[-1] // batch["pixel_values"].shape[-1]
        picture = _to_uint8(out[0, :, : image.height * scale, : image.width * scale], processor)
        if scale != 1:
            ctx.notes.append(f"upscaled ×{scale}: {image.width}×{image.height} → "
                             f"{picture.shape[1]}×{picture.shape[0]}")
    return ImageOutput(shape=picture.shape, image=picture, **ctx.common(outputs))


# ---------------------------------------------------------------------------- backbone


def backbone_features(ctx: RunContext) -> Result:
    """The backbone's feature maps, one per stage it was loaded to output (load options
    ``out_indices`` / ``out_features`` choose them)."""
    for name in ("out_indices", "out_features"):
        if ctx.options.get(name) is not None:  # reached run_loaded: too late to apply
            raise BadInput(f"{name} chooses the stages when the backbone is loaded: pass it to "
                           f"explorer.run(...) or explorer.load(..., {name}=[...])")
    image = _image(ctx)
    batch = _image_processor(ctx)(images=image, return_tensors="pt")
    outputs = ctx.forward(_model_inputs(ctx, batch))
    stages = tuple(getattr(ctx.model, "out_features", None) or
                   (f"stage{i}" for i in range(len(outputs.feature_maps))))
    maps = tuple(to_numpy(f)[0] for f in outputs.feature_maps)
    return FeatureMaps(stages=stages, shapes={s: tuple(m.shape) for s, m in zip(stages, maps)},
                       maps=maps, **ctx.common(outputs))


# ---------------------------------------------------------------------------- specs

_SEG_OPTIONS = ("kind", "threshold", "mask_threshold", "overlap_mask_area_threshold")
_TORCHVISION_ONLY = " (its only image processors need torchvision)"

SPECS = [
    TaskSpec("AutoModelForImageClassification", ("image-classification",), "vision", ("image",),
             "classification", "AutoImageProcessor",
             "A linear layer on the pooled image features: one score per class.",
             options=("top_k",), runner=classify_image),
    TaskSpec("AutoModelForObjectDetection", ("object-detection",), "vision", ("image",),
             "detection", "AutoImageProcessor",
             "Predicts a set of boxes, each with a class and a score (DETR, YOLOS, RT-DETR...).",
             options=("threshold", "top_k"), runner=detect_objects),
    TaskSpec("AutoModelForSemanticSegmentation", ("semantic-segmentation",),
             "vision", ("image",), "segmentation", "AutoImageProcessor",
             "A class for every pixel (SegFormer, DPT, UperNet...).",
             options=_SEG_OPTIONS, runner=_segmenter("semantic")),
    TaskSpec("AutoModelForInstanceSegmentation", ("instance-segmentation",), "vision", ("image",),
             "segmentation", "AutoImageProcessor",
             "A mask, class and score for each object instance (MaskFormer...).",
             options=_SEG_OPTIONS, runner=_segmenter("instance")),
    TaskSpec("AutoModelForUniversalSegmentation", ("universal-segmentation",
                                                   "panoptic-segmentation"), "vision", ("image",),
             "segmentation", "AutoImageProcessor",
             "Mask classification: one model for semantic, instance and panoptic segmentation "
             "(Mask2Former, OneFormer, EoMT...).",
             options=_SEG_OPTIONS, runner=_segmenter("panoptic")),
    TaskSpec("AutoModelForImageSegmentation", ("image-segmentation",), "vision", ("image",),
             "segmentation", "AutoImageProcessor",
             "DETR with a mask head: panoptic segmentation (the older segmentation Auto class).",
             options=_SEG_OPTIONS, runner=_segmenter("panoptic")),
    TaskSpec("AutoModelForDepthEstimation", ("depth-estimation",), "vision", ("image",), "depth",
             "AutoImageProcessor", "Predicts a depth value for every pixel from one image.",
             runner=estimate_depth),
    TaskSpec("AutoModelForKeypointDetection", ("keypoint-detection",), "vision", ("image",),
             "keypoints", "AutoImageProcessor",
             "Finds interest points with a score and a descriptor each (SuperPoint).",
             options=("threshold", "top_k"), runner=detect_keypoints),
    TaskSpec("AutoModelForPoseEstimation", ("pose-estimation",), "vision",
             ("image",), "keypoints", "AutoImageProcessor",
             "Top-down body pose: keypoint heatmaps inside a person box (ViTPose).",
             options=("box",), runner=estimate_pose),
    TaskSpec("AutoModelForMaskedImageModeling", ("masked-image-modeling",), "vision", ("image",),
             "image", "AutoImageProcessor",
             "Hides random patches and reconstructs the pixels (SimMIM pre-training head).",
             options=("mask_ratio", "seed"), runner=masked_image_modeling),
    TaskSpec("AutoModelForImageToImage", ("image-to-image", "super-resolution"), "vision",
             ("image",), "image", "AutoImageProcessor",
             "Outputs a new image: super-resolution and restoration (Swin2SR).",
             runner=image_to_image),
    TaskSpec("AutoModelForVideoClassification", ("video-classification",), "vision", ("image",),
             "classification", "AutoImageProcessor",
             "Classifies a clip of frames (VideoMAE, TimeSformer); here a still image is repeated "
             "into a clip.", options=("top_k",), runner=classify_video),
    TaskSpec("AutoModelForMaskGeneration", ("mask-generation",), "vision", ("image",),
             "segmentation", "AutoProcessor",
             "Promptable segmentation (SAM): masks for the object under a point prompt.",
             options=("points",), runner=generate_masks),
    TaskSpec("AutoModelForImageMatting", ("image-matting",), "vision", ("image",), "image",
             "AutoImageProcessor",
             "Predicts a soft alpha matte separating foreground from background (ViTMatte uses a "
             "trimap).", options=("trimap",), runner=matte),
    TaskSpec("AutoModelForNormalEstimation", ("normal-estimation",), "vision", ("image",), "image",
             "AutoImageProcessor",
             "Predicts a surface normal (x, y, z) for every pixel" + _TORCHVISION_ONLY + "."),
    TaskSpec("AutoModelForPointmapEstimation", ("pointmap-estimation",), "vision", ("image",),
             "image", "AutoImageProcessor",
             "Predicts a 3-D point (x, y, z) in camera space for every pixel (Sapiens2)"
             + _TORCHVISION_ONLY + "."),
    TaskSpec("AutoModelForKeypointMatching", ("keypoint-matching",), "vision", ("image",),
             "keypoints", "AutoImageProcessor",
             "Matches keypoints between two images (SuperGlue, LightGlue, EfficientLoFTR); it "
             "needs an image pair, which explorer inputs do not carry yet."),
    TaskSpec("AutoModelForTextRecognition", ("text-recognition",), "vision", ("image",), "raw",
             "AutoImageProcessor",
             "Reads the text in a cropped line image with a CTC head (PP-OCR recognisers)"
             + _TORCHVISION_ONLY + "."),
    TaskSpec("AutoModelForTableRecognition", ("table-recognition",), "vision", ("image",), "raw",
             "AutoImageProcessor",
             "Predicts a table's HTML structure tokens and cell boxes (SLANet / SLANeXt)"
             + _TORCHVISION_ONLY + "."),
    TaskSpec("AutoBackbone", ("backbone",), "base", ("image",), "feature_maps",
             "AutoImageProcessor",
             "The network as a feature extractor for detection / segmentation heads: one feature "
             "map per chosen stage.", options=("out_indices", "out_features"),
             runner=backbone_features),
]

__all__ = ["SPECS"]
