"""Vision heads: classification, detection, depth, keypoints, pose, image output, video
classification, and the backbone's feature maps (segmentation lives in ``segmentation.py``).

Every runner reads ``ctx.inputs.image`` (already an RGB PIL image: ``explorer.inputs`` converts
RGBA, L, P, CMYK, 16-bit...), preprocesses with the checkpoint's image processor, runs the model
through ``ctx.forward`` and post-processes with the processor's own ``post_process_*`` helper at
the input image's size, so boxes, maps and keypoints line up with the picture the user gave.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from explorer.errors import BadInput
from explorer.heads._common import class_label, classification, label_names, to_numpy, top_labels
from explorer.heads._registry import Task
from explorer.heads._vision import (
    accepted_kwargs,
    forward_image,
    height_width,
    image_processor,
    input_image,
    model_inputs,
    resize_rgb,
    to_uint8,
)
from explorer.inputs import CLIP_SUFFIXES, read_clip
from explorer.results import (
    Classification,
    DepthMap,
    DetectedObject,
    Detections,
    FeatureMaps,
    ImageOutput,
    Keypoint,
    Keypoints,
    Result,
)
from explorer.runner import RunContext
from explorer.snippets.base import (
    SIZE,
    Spec,
    forward,
    image_batch,
    image_lines,
    only_accepted,
    post_kwargs,
    to_device,
    top_scores,
)
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

# ---------------------------------------------------------------------------- classification


def classify_image(ctx: RunContext) -> Result:
    image = input_image(ctx)
    batch = image_processor(ctx)(images=image, return_tensors="pt")
    outputs = ctx.forward(batch)
    return classification(ctx, outputs)


def _frame_count(config: Any) -> int:
    """How many frames the video model wants (the names differ per architecture)."""
    for name in ("num_frames", "frames_per_clip", "num_frames_per_clip"):
        value = getattr(config, name, None) or getattr(getattr(config, "vision_config", None),
                                                       name, None)
        if isinstance(value, int) and value > 0:
            return value
    return 8


def sample_frames(frames: tuple[Any, ...], count: int) -> list[Any]:
    """``count`` frames evenly spread over the clip, as transformers' ``load_video(num_frames=)``
    picks them; a clip shorter than ``count`` repeats frames, in order."""
    return [frames[i * len(frames) // count] for i in range(count)]


def classify_video(ctx: RunContext) -> Result:
    """Video classification of a clip (animated GIF, MP4, WebM), sampled to the number of frames
    the model was trained on; a still image is repeated into such a clip (no motion, so
    motion-dependent labels cannot show)."""
    image = input_image(ctx)
    count = _frame_count(ctx.config)
    clip = ctx.inputs.frames
    if clip:
        ctx.notes.append(f"{count} of the clip's {len(clip)} frames, evenly spread, went to the "
                         "model (its clip length)")
        frames = sample_frames(clip, count)
    else:
        ctx.notes.append(f"a still image: it was repeated into a {count}-frame clip (the model's "
                         "clip length), so there is no motion to see; give an animated GIF, MP4 "
                         "or WebM for a real clip")
        frames = [image] * count
    batch = image_processor(ctx)(frames, return_tensors="pt")
    outputs = ctx.forward(batch)
    logits = to_numpy(outputs.logits)[0]
    names = label_names(ctx.config, logits.shape[-1])
    return Classification(labels=top_labels(logits, names, ctx.option("top_k")),
                          logits=logits, label_names=names, **ctx.common(outputs))


# ---------------------------------------------------------------------------- detection


def _clip_box(box: Any, width: int, height: int) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in box)
    w, h = float(width), float(height)
    return min(max(x0, 0.0), w), min(max(y0, 0.0), h), min(max(x1, 0.0), w), min(max(y1, 0.0), h)


def detect_objects(ctx: RunContext) -> Result:
    """Boxes via the processor's ``post_process_object_detection`` at the image's size, clipped to
    the image, best first."""
    threshold = ctx.option("threshold")
    image, processor, outputs = forward_image(ctx)
    post = processor.post_process_object_detection
    found = post(outputs, **accepted_kwargs(post, threshold=threshold,
                                            target_sizes=[height_width(image)]))[0]
    scores = to_numpy(found["scores"])
    order = np.argsort(-scores)[: max(0, ctx.option("top_k"))]
    labels, boxes = found["labels"].tolist(), to_numpy(found["boxes"])
    objects = tuple(DetectedObject(label=class_label(ctx.config, int(labels[i])),
                                   score=float(scores[i]),
                                   box=_clip_box(boxes[i], image.width, image.height))
                    for i in order)
    return Detections(image_size=image.size, objects=objects, threshold=threshold,
                      **ctx.common(outputs))


# ---------------------------------------------------------------------------- dense maps


def estimate_depth(ctx: RunContext) -> Result:
    """Relative (or metric) depth at the image's size via ``post_process_depth_estimation``."""
    import torch

    image, processor, outputs = forward_image(ctx)
    post = getattr(processor, "post_process_depth_estimation", None)
    if post is not None:
        size = height_width(image)
        depth = post(outputs, **accepted_kwargs(post, target_sizes=[size],
                                                source_sizes=[size]))[0]["predicted_depth"]
    else:  # processors without the helper: resize the raw map the same way it would
        depth = torch.nn.functional.interpolate(outputs.predicted_depth.float()[:, None],
                                                size=height_width(image), mode="bicubic")[0, 0]
    depth = to_numpy(depth).reshape(height_width(image))
    return DepthMap(shape=depth.shape, min=float(depth.min()), max=float(depth.max()),
                    depth=depth, **ctx.common(outputs))


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
    image, processor, outputs = forward_image(ctx)
    found = processor.post_process_keypoint_detection(
        outputs, target_sizes=[height_width(image)])[0]
    points, scores = to_numpy(found["keypoints"]), to_numpy(found["scores"])
    keep = scores >= ctx.option("threshold")
    order = [i for i in np.argsort(-scores, kind="stable")  # ties: in the model's order
             if keep[i]][: max(0, ctx.option("top_k"))]
    keypoints = tuple(Keypoint(x=float(points[i, 0]), y=float(points[i, 1]),
                               score=float(scores[i])) for i in order)
    return Keypoints(image_size=image.size, keypoints=keypoints, **ctx.common(outputs))


def _box_option(ctx: RunContext, width: int, height: int) -> list[float]:
    """The person box as COCO ``[x, y, w, h]``: option ``box='x0,y0,x1,y1'``, else the image."""
    value = ctx.option("box")
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

    image = input_image(ctx)
    processor = image_processor(ctx)
    boxes = [[_box_option(ctx, image.width, image.height)]]
    batch = dict(processor(images=image, boxes=boxes, return_tensors="pt"))
    experts = getattr(getattr(ctx.config, "backbone_config", None), "num_experts", 1) or 1
    if experts > 1:  # ViTPose+ mixes expert heads per dataset; 0 is COCO
        batch["dataset_index"] = torch.zeros(1, dtype=torch.long)
        ctx.notes.append("ViTPose+ expert 0 (COCO) was used")
    outputs = ctx.forward(model_inputs(ctx, batch))
    post = processor.post_process_pose_estimation
    found = post(outputs, **accepted_kwargs(post, boxes=boxes))[0][0]
    points, scores = to_numpy(found["keypoints"]), to_numpy(found["scores"])
    names = [class_label(ctx.config, int(i)) for i in found["labels"].tolist()]
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

    image = input_image(ctx)
    processor = image_processor(ctx)
    batch = dict(processor(images=image, return_tensors="pt"))
    ratio = ctx.option("mask_ratio")
    if not 0.0 <= ratio < 1.0:
        raise BadInput(f"mask_ratio={ratio} must be in [0, 1)")
    rows, cols = _patch_grid(ctx, batch["pixel_values"])
    generator = torch.Generator().manual_seed(ctx.option("seed"))
    hidden = torch.rand(rows * cols, generator=generator).argsort()[: int(ratio * rows * cols)]
    masked = torch.zeros(1, rows * cols, dtype=torch.bool)
    masked[0, hidden] = True
    batch["bool_masked_pos"] = masked
    outputs = ctx.forward(model_inputs(ctx, batch))
    side = tuple(outputs.reconstruction.shape[-2:])
    picture = resize_rgb(to_uint8(outputs.reconstruction[0], processor), *image.size)
    ctx.notes.append(f"{len(hidden)} of {rows * cols} patches were hidden (mask_ratio={ratio}); "
                     f"the {side[1]}×{side[0]} reconstruction is resized to the input's size")
    return ImageOutput(shape=picture.shape, image=picture, **ctx.common(outputs))


def image_to_image(ctx: RunContext) -> Result:
    """Image restoration / super-resolution (Swin2SR): the output is cropped back to the input's
    content (the processor pads it) times the model's upscale factor."""
    image = input_image(ctx)
    processor = image_processor(ctx)
    batch = processor(images=image, return_tensors="pt")
    outputs = ctx.forward(model_inputs(ctx, batch))
    post = getattr(processor, "post_process", None)
    if post is not None:
        picture = np.asarray(post(outputs, target_sizes=[height_width(image)])[0])
    else:
        out = outputs.reconstruction
        scale = out.shape[-1] // batch["pixel_values"].shape[-1]
        picture = to_uint8(out[0, :, : image.height * scale, : image.width * scale], processor)
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
    _, _, outputs = forward_image(ctx)
    stages = tuple(getattr(ctx.model, "out_features", None) or
                   (f"stage{i}" for i in range(len(outputs.feature_maps))))
    maps = tuple(to_numpy(f)[0] for f in outputs.feature_maps)
    return FeatureMaps(stages=stages, shapes={s: tuple(m.shape) for s, m in zip(stages, maps)},
                       maps=maps, **ctx.common(outputs))


def classify_image_snippet(spec: Spec) -> list[str]:
    return image_batch(spec) + forward() + ["logits = outputs.logits[0]",
                                            *top_scores(spec, "model.config.id2label")]


def _clip_lines(path: str) -> list[str]:
    """Lines that read every frame of the clip at ``path`` into ``clip`` (RGB PIL images)."""
    if Path(path).suffix.lower() in CLIP_SUFFIXES:
        return [f"with av.open({path!r}) as container:  # PyAV decodes MP4, WebM, ...",
                "    clip = [frame.to_image() for frame in container.decode(video=0)]"]
    return [f"gif = Image.open({path!r})  # an animated GIF: every frame, in RGB",
            "clip = [gif.seek(i) or gif.convert(\"RGB\") for i in range(gif.n_frames)]"]


def classify_video_snippet(spec: Spec) -> list[str]:
    frames = next((v for name in ("num_frames", "frames_per_clip", "num_frames_per_clip")
                   for v in [getattr(spec.config, name, None)] if isinstance(v, int) and v > 0), 8)
    path = str(spec.inputs["image"])
    if read_clip(path):
        read = _clip_lines(path) + [
            f"frames = [clip[i * len(clip) // {frames}] for i in range({frames})]  # evenly "
            "spread, the model's clip length"]
    else:
        read = image_lines(spec) + [
            f"frames = [image] * {frames}  # a still image repeated into a clip of the model's "
            "length"]
    return read + [
        f"inputs = {spec.pre}(frames, return_tensors=\"pt\")", *to_device(spec, floats=True),
        *forward(), "logits = outputs.logits[0]", *top_scores(spec, "model.config.id2label")]


def detect_snippet(spec: Spec) -> list[str]:
    threshold = spec.option("threshold")
    extra = post_kwargs(spec, "post_process_object_detection", threshold=threshold,
                         target_sizes=SIZE)
    return image_batch(spec) + forward() + [
        f"found = {spec.pre}.post_process_object_detection(",
        f"    outputs{extra})[0]",
        "limits = (image.width, image.height) * 2  # boxes are clipped to the picture",
        "detections = [(model.config.id2label[int(label)], float(score),",
        "               [min(max(v, 0.0), lim) for v, lim in zip(box.tolist(), limits)])",
        "              for score, label, box in zip(found[\"scores\"], found[\"labels\"], "
        "found[\"boxes\"])]",
        f"detections = sorted(detections, key=lambda d: -d[1])[:{spec.option('top_k')}]",
        "print(detections)",
    ]


def depth_snippet(spec: Spec) -> list[str]:
    extra = post_kwargs(spec, "post_process_depth_estimation", target_sizes=SIZE,
                         source_sizes=SIZE)
    return image_batch(spec) + only_accepted(spec) + forward() + [
        f"depth = {spec.pre}.post_process_depth_estimation(outputs{extra})[0][\"predicted_depth\"]",
        "print({\"shape\": list(depth.shape), \"min\": float(depth.min()), "
        "\"max\": float(depth.max())})",
    ]


def keypoints_snippet(spec: Spec) -> list[str]:
    return image_batch(spec) + only_accepted(spec) + forward() + [
        f"found = {spec.pre}.post_process_keypoint_detection(outputs, target_sizes={SIZE})[0]",
        f"keep = found[\"scores\"] >= {spec.option('threshold')}",
        "order = found[\"scores\"][keep].argsort(descending=True, stable=True)"
        f"[:{spec.option('top_k')}]",
        "points = [(*found[\"keypoints\"][keep][i].float().tolist(), "
        "float(found[\"scores\"][keep][i])) for i in order]",
        "print({\"keypoints\": len(points), \"best\": points[:5]})  # (x, y, score)",
    ]


def pose_snippet(spec: Spec) -> list[str]:
    box = spec.options.get("box")
    if box:
        x0, y0, x1, y1 = (float(v) for v in (box.split(",") if isinstance(box, str) else box))
        box_line = f"boxes = [[[{x0}, {y0}, {x1 - x0}, {y1 - y0}]]]  # COCO x, y, w, h"
    else:
        box_line = ("boxes = [[[0.0, 0.0, float(image.width), float(image.height)]]]  "
                    "# one person box: the whole image (COCO x, y, w, h)")
    experts = getattr(getattr(spec.config, "backbone_config", None), "num_experts", 1) or 1
    lines = image_lines(spec) + [box_line,
                                 f"inputs = {spec.pre}(images=image, boxes=boxes, "
                                 "return_tensors=\"pt\")"]
    if experts > 1:
        lines.append("inputs[\"dataset_index\"] = torch.zeros(1, dtype=torch.long)  "
                     "# ViTPose+ expert 0 (COCO)")
    extra = post_kwargs(spec, "post_process_pose_estimation", boxes="boxes")
    return lines + only_accepted(spec) + forward() + [
        f"found = {spec.pre}.post_process_pose_estimation(outputs{extra})[0][0]",
        "points = [(model.config.id2label[int(label)], *xy.tolist(), float(score))",
        "          for label, xy, score in zip(found[\"labels\"], found[\"keypoints\"], "
        "found[\"scores\"])]",
        "print(points)  # (keypoint, x, y, score)",
    ]


def masked_image_modeling_snippet(spec: Spec) -> list[str]:
    patch = getattr(spec.config, "patch_size", 16)
    patch = patch[0] if isinstance(patch, (list, tuple)) else patch
    ratio, seed = spec.option("mask_ratio"), spec.option("seed")
    return image_batch(spec) + [
        f"rows, cols = (n // {patch} for n in inputs[\"pixel_values\"].shape[-2:])",
        f"generator = torch.Generator().manual_seed({seed})",
        f"hidden = torch.rand(rows * cols, generator=generator).argsort()"
        f"[: int({ratio} * rows * cols)]",
        "inputs[\"bool_masked_pos\"] = torch.zeros(1, rows * cols, dtype=torch.bool)",
        "inputs[\"bool_masked_pos\"][0, hidden] = True  # the patches the model must paint back",
        *forward(),
        "picture = outputs.reconstruction[0]  # (3, h, w), normalised like the input",
        "print({\"shape\": [image.height, image.width, 3]})  "
        "# the explorer shows it resized to the input",
    ]


def image_to_image_snippet(spec: Spec) -> list[str]:
    return image_batch(spec) + forward() + [
        "out = outputs.reconstruction[0]",
        "scale = out.shape[-1] // inputs[\"pixel_values\"].shape[-1]",
        "picture = out[:, : image.height * scale, : image.width * scale]  # crop the padding",
        "print({\"shape\": [*picture.shape[1:], 3]})",
    ]


def backbone_snippet(spec: Spec) -> list[str]:
    return image_batch(spec) + forward() + [
        "shapes = {stage: list(f.shape[1:]) for stage, f in zip(model.out_features, "
        "outputs.feature_maps)}",
        "print(shapes)  # (channels, height, width) per stage",
    ]


IMAGE_LABELS = ("person", "cat", "dog", "car", "tree", "sky")


SHAPE_LABELS = ("circle", "square", "triangle")


COCO_KEYPOINTS = ("nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder",
                  "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
                  "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")


VIT = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
           image_size=32, patch_size=8)


def _vit_classifier() -> tuple[Any, ...]:
    return (model_config("vit", **VIT, **label_maps(IMAGE_LABELS)),
            make_processor("ViTImageProcessor", size={"height": 32, "width": 32}))


def _detr_detector() -> tuple[Any, ...]:
    # init_std 0.3 (not 0.02): with tiny random heads every query would otherwise predict the
    # same centred box; larger weights spread the boxes so the view has something to show.
    config = model_config("detr", use_timm_backbone=False, use_pretrained_backbone=False,
                          backbone_config=resnet_config(["stage4"]), d_model=32, encoder_layers=1,
                          decoder_layers=1, encoder_attention_heads=2, decoder_attention_heads=2,
                          encoder_ffn_dim=64, decoder_ffn_dim=64, num_queries=10, init_std=0.3,
                          **label_maps(SHAPE_LABELS))
    return config, make_processor("DetrImageProcessor", size=DETR_SIZE)


def _dpt() -> tuple[Any, ...]:
    config = model_config("dpt", **{**VIT, "num_hidden_layers": 4}, backbone_out_indices=[0, 1, 2, 3],
                          neck_hidden_sizes=[8, 16, 16, 16], fusion_hidden_size=16, head_hidden_size=8,
                          reassemble_factors=[4, 2, 1, 0.5])
    return config, make_processor("DPTImageProcessor", size={"height": 32, "width": 32})


def _superpoint() -> tuple[Any, ...]:
    config = model_config("superpoint", encoder_hidden_sizes=[8, 8, 16, 16], decoder_hidden_size=32,
                          keypoint_decoder_dim=65, descriptor_decoder_dim=32, max_keypoints=64)
    return config, make_processor("SuperPointImageProcessor", size={"height": 64, "width": 64})


def _vitpose() -> tuple[Any, ...]:
    backbone = model_config("vitpose_backbone", hidden_size=32, num_hidden_layers=2,
                            num_attention_heads=2, mlp_ratio=2, image_size=[64, 48], patch_size=[8, 8],
                            out_indices=[2])
    config = model_config("vitpose", backbone_config=backbone, use_simple_decoder=True,
                          **label_maps(COCO_KEYPOINTS))
    return config, make_processor("VitPoseImageProcessor", size={"height": 64, "width": 48})


def _vit_mim() -> tuple[Any, ...]:
    return (model_config("vit", **VIT, encoder_stride=8),
            make_processor("ViTImageProcessor", size={"height": 32, "width": 32}))


def _swin2sr() -> tuple[Any, ...]:
    config = model_config("swin2sr", embed_dim=8, depths=[1, 1], num_heads=[1, 1], window_size=4,
                          image_size=16, patch_size=1, upscale=2, upsampler="pixelshuffledirect")
    return config, make_processor("Swin2SRImageProcessor", size_divisor=4)


def _videomae() -> tuple[Any, ...]:
    config = model_config("videomae", **VIT, num_frames=4, tubelet_size=2,
                          **label_maps(("walking", "waving", "sitting", "reading")))
    return config, make_processor("VideoMAEImageProcessor", size={"shortest_edge": 32},
                                  crop_size={"height": 32, "width": 32})


def _resnet_backbone() -> tuple[Any, ...]:
    config = model_config("resnet", embedding_size=8, hidden_sizes=[8, 16, 24, 32], depths=[1, 1, 1, 1],
                          out_features=["stage1", "stage2", "stage3", "stage4"])
    return config, make_processor("ConvNextImageProcessor", size={"shortest_edge": 64},
                                  crop_pct=1.0)


TASKS = [
    Task("AutoModelForImageClassification", run=classify_image, snippet=classify_image_snippet, recipes=[
        Recipe("image-classification", "AutoModelForImageClassification",
               random_build("AutoModelForImageClassification", _vit_classifier),
               "tiny ViT with a 6-class head", PHOTO),
    ]),
    Task("AutoModelForObjectDetection", run=detect_objects, snippet=detect_snippet, recipes=[
        Recipe("object-detection", "AutoModelForObjectDetection",
               random_build("AutoModelForObjectDetection", _detr_detector),
               "tiny DETR (ResNet backbone) detecting circles, squares and triangles",
               {**SHAPES, "options": {"threshold": 0.1}}),
    ]),
    Task("AutoModelForDepthEstimation", run=estimate_depth, snippet=depth_snippet, recipes=[
        Recipe("depth-estimation", "AutoModelForDepthEstimation",
               random_build("AutoModelForDepthEstimation", _dpt), "tiny DPT (ViT) depth estimator", PHOTO),
    ]),
    Task("AutoModelForKeypointDetection", run=detect_keypoints, snippet=keypoints_snippet, recipes=[
        Recipe("keypoint-detection", "AutoModelForKeypointDetection",
               random_build("AutoModelForKeypointDetection", _superpoint), "tiny SuperPoint", PHOTO),
    ]),
    Task("AutoModelForPoseEstimation", run=estimate_pose, snippet=pose_snippet, recipes=[
        Recipe("pose-estimation", "AutoModelForPoseEstimation",
               random_build("AutoModelForPoseEstimation", _vitpose),
               "tiny ViTPose with COCO's 17 body keypoints", PHOTO),
    ]),
    Task("AutoModelForMaskedImageModeling", run=masked_image_modeling,
         snippet=masked_image_modeling_snippet, recipes=[
        Recipe("masked-image-modeling", "AutoModelForMaskedImageModeling",
               random_build("AutoModelForMaskedImageModeling", _vit_mim),
               "tiny ViT with a SimMIM reconstruction head", PHOTO),
    ]),
    Task("AutoModelForImageToImage", run=image_to_image, snippet=image_to_image_snippet, recipes=[
        Recipe("image-to-image", "AutoModelForImageToImage",
               random_build("AutoModelForImageToImage", _swin2sr), "tiny Swin2SR ×2 super-resolution",
               SHAPES),
    ]),
    Task("AutoModelForVideoClassification", run=classify_video, snippet=classify_video_snippet, recipes=[
        Recipe("video-classification", "AutoModelForVideoClassification",
               random_build("AutoModelForVideoClassification", _videomae),
               "tiny VideoMAE (4-frame clips)", {"image": "clip.gif"}),
    ]),
    Task("AutoBackbone", run=backbone_features, snippet=backbone_snippet, recipes=[
        Recipe("backbone", "AutoBackbone", random_build("AutoBackbone", _resnet_backbone),
               "tiny ResNet backbone with four output stages", PHOTO),
    ]),
]

__all__ = ["TASKS"]
