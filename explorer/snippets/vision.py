"""Snippet bodies for image tasks (mirroring ``explorer/heads/vision.py`` and
``segmentation.py``)."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from explorer.inputs import CLIP_SUFFIXES, read_clip
from explorer.snippets.base import (
    Body,
    Spec,
    forward,
    image_batch,
    image_lines,
    only_accepted,
    to_device,
    top_scores,
)

SIZE = "[(image.height, image.width)]"


def _post_kwargs(spec: Spec, method: str, **wanted: Any) -> str:
    """``, name=value`` for the keywords the processor's ``method`` takes, leaving out None (the
    same choice the runner makes with ``accepted_kwargs``)."""
    function = getattr(_image_processor(spec), method, None)
    params = inspect.signature(function).parameters if function is not None else {}
    return "".join(f", {k}={v}" for k, v in wanted.items() if v is not None and k in params)


def _image_processor(spec: Spec) -> Any:
    return getattr(spec.preprocessor, "image_processor", None) or spec.preprocessor


def classify_image(spec: Spec) -> list[str]:
    return image_batch(spec) + forward() + ["logits = outputs.logits[0]",
                                            *top_scores(spec, "model.config.id2label")]


def _clip_lines(path: str) -> list[str]:
    """Lines that read every frame of the clip at ``path`` into ``clip`` (RGB PIL images)."""
    if Path(path).suffix.lower() in CLIP_SUFFIXES:
        return [f"with av.open({path!r}) as container:  # PyAV decodes MP4, WebM, ...",
                "    clip = [frame.to_image() for frame in container.decode(video=0)]"]
    return [f"gif = Image.open({path!r})  # an animated GIF: every frame, in RGB",
            "clip = [gif.seek(i) or gif.convert(\"RGB\") for i in range(gif.n_frames)]"]


def classify_video(spec: Spec) -> list[str]:
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


def detect(spec: Spec) -> list[str]:
    threshold = spec.option("threshold")
    extra = _post_kwargs(spec, "post_process_object_detection", threshold=threshold,
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


def segment(spec: Spec) -> list[str]:
    kind = str(spec.option("kind"))
    method = f"post_process_{kind}_segmentation"
    opts = {k: spec.options.get(k) for k in ("threshold", "mask_threshold",
                                              "overlap_mask_area_threshold")}
    extra = _post_kwargs(spec, method, target_sizes=SIZE, label_ids_to_fuse="set()", **opts)
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


def depth(spec: Spec) -> list[str]:
    extra = _post_kwargs(spec, "post_process_depth_estimation", target_sizes=SIZE,
                         source_sizes=SIZE)
    return image_batch(spec) + only_accepted(spec) + forward() + [
        f"depth = {spec.pre}.post_process_depth_estimation(outputs{extra})[0][\"predicted_depth\"]",
        "print({\"shape\": list(depth.shape), \"min\": float(depth.min()), "
        "\"max\": float(depth.max())})",
    ]


def keypoints(spec: Spec) -> list[str]:
    return image_batch(spec) + only_accepted(spec) + forward() + [
        f"found = {spec.pre}.post_process_keypoint_detection(outputs, target_sizes={SIZE})[0]",
        f"keep = found[\"scores\"] >= {spec.option('threshold')}",
        "order = found[\"scores\"][keep].argsort(descending=True, stable=True)"
        f"[:{spec.option('top_k')}]",
        "points = [(*found[\"keypoints\"][keep][i].float().tolist(), "
        "float(found[\"scores\"][keep][i])) for i in order]",
        "print({\"keypoints\": len(points), \"best\": points[:5]})  # (x, y, score)",
    ]


def pose(spec: Spec) -> list[str]:
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
    extra = _post_kwargs(spec, "post_process_pose_estimation", boxes="boxes")
    return lines + only_accepted(spec) + forward() + [
        f"found = {spec.pre}.post_process_pose_estimation(outputs{extra})[0][0]",
        "points = [(model.config.id2label[int(label)], *xy.tolist(), float(score))",
        "          for label, xy, score in zip(found[\"labels\"], found[\"keypoints\"], "
        "found[\"scores\"])]",
        "print(points)  # (keypoint, x, y, score)",
    ]


def masked_image_modeling(spec: Spec) -> list[str]:
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


def image_to_image(spec: Spec) -> list[str]:
    return image_batch(spec) + forward() + [
        "out = outputs.reconstruction[0]",
        "scale = out.shape[-1] // inputs[\"pixel_values\"].shape[-1]",
        "picture = out[:, : image.height * scale, : image.width * scale]  # crop the padding",
        "print({\"shape\": [*picture.shape[1:], 3]})",
    ]


def mask_generation(spec: Spec) -> list[str]:
    given = spec.options.get("points")
    if given:
        pairs = [[float(v) for v in p.split(",")] for p in given.split(";") if p.strip()] \
            if isinstance(given, str) else [list(map(float, p)) for p in given]
        points = f"points = {pairs!r}"
    else:
        points = "points = [[image.width / 2, image.height / 2]]  # one point at the centre"
    post = _post_kwargs(spec, "post_process_masks", original_sizes="inputs[\"original_sizes\"]",
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


def matte(spec: Spec) -> list[str]:
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


def backbone(spec: Spec) -> list[str]:
    return image_batch(spec) + forward() + [
        "shapes = {stage: list(f.shape[1:]) for stage, f in zip(model.out_features, "
        "outputs.feature_maps)}",
        "print(shapes)  # (channels, height, width) per stage",
    ]


def normals(spec: Spec) -> list[str]:
    return image_batch(spec) + only_accepted(spec) + forward() + [
        f"normals = {spec.pre}.post_process_normal_estimation(outputs, target_sizes={SIZE})[0]"
        "[\"normals\"]  # (3, h, w): x, y, z",
        "print({\"shape\": [*normals.shape[1:], 3]})  # shown as an RGB picture",
    ]


def pointmap(spec: Spec) -> list[str]:
    return image_batch(spec) + only_accepted(spec) + forward() + [
        f"points = {spec.pre}.post_process_pointmap_estimation(outputs, target_sizes={SIZE})[0]"
        "[\"pointmap\"]  # (3, h, w): x, y, z in camera space",
        "depth = points[2]  # z: the distance along the camera axis",
        "print({\"shape\": list(depth.shape), \"min\": float(depth.min()), "
        "\"max\": float(depth.max())})",
    ]


def _recognised(kind: str, text: str, score: str) -> list[str]:
    return ["import math",
            f"read = {kind}",
            f"print({{\"text\": {text}, \"score\": None if math.isnan({score}) else {score}}})"]


def recognize_text(spec: Spec) -> list[str]:
    return image_batch(spec) + only_accepted(spec) + forward() + _recognised(
        f"{spec.pre}.post_process_text_recognition(outputs)[0]  # CTC: repeats and blanks go",
        "read[\"text\"]", "read[\"score\"]")


def recognize_table(spec: Spec) -> list[str]:
    return image_batch(spec) + only_accepted(spec) + forward() + _recognised(
        f"{spec.pre}.post_process_table_recognition(outputs)  # HTML structure tokens",
        "\"\".join(read[\"structure\"])", "read[\"structure_score\"]")


BODIES: dict[str, Body] = {
    "AutoModelForImageClassification": classify_image,
    "AutoModelForVideoClassification": classify_video,
    "AutoModelForObjectDetection": detect,
    "AutoModelForSemanticSegmentation": segment,
    "AutoModelForInstanceSegmentation": segment,
    "AutoModelForUniversalSegmentation": segment,
    "AutoModelForImageSegmentation": segment,
    "AutoModelForDepthEstimation": depth,
    "AutoModelForKeypointDetection": keypoints,
    "AutoModelForPoseEstimation": pose,
    "AutoModelForMaskedImageModeling": masked_image_modeling,
    "AutoModelForImageToImage": image_to_image,
    "AutoModelForMaskGeneration": mask_generation,
    "AutoModelForImageMatting": matte,
    "AutoModelForNormalEstimation": normals,
    "AutoModelForPointmapEstimation": pointmap,
    "AutoModelForTextRecognition": recognize_text,
    "AutoModelForTableRecognition": recognize_table,
    "AutoBackbone": backbone,
}
