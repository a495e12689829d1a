"""Training recipes for the vision toys: tiny models that learn the shapes world.

Each recipe renders a pool of scenes from seeds (``explorer.toyworld.shapes``), preprocesses them
once with the checkpoint's own image processor (every image resized to 64×64, whatever its
aspect), trains with AdamW on one CPU thread, saves with ``save_pretrained`` and measures the saved
checkpoint on held-out scenes whose seeds the training never sees. ``evaluate`` functions take a
saved folder, so the tests and ``benchmarks/toy_quality.py`` re-measure committed checkpoints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from explorer.toyworld.shapes import DIRECTIONS, KINDS, LABELS, Clip, Scene, clip, scene, single_shape
from explorer.zoo.common import label_maps
from explorer.zoo.fitting import (
    Cycles,
    cycles_for,
    fit_in_cycles,
    fit_pool,
    held_out_count,
    save_checkpoint,
    single_thread_torch,
)
from explorer.zoo.training import Progress, TrainFunction, TrainOutcome, TrainRecipe

SIDE = 64
"""Every vision toy sees its input at 64×64."""
HELD_OUT = 9_000_000
"""Held-out scenes use seeds from here on; training seeds stay far below."""


def scene_size(seed: int) -> tuple[int, int]:
    """A scene's ``(width, height)``: 64–160 px a side, at most 2:1, fixed by its seed."""
    width, height = (int(v) for v in np.random.default_rng([seed, 7]).integers(64, 161, size=2))
    return width, min(max(height, width // 2), width * 2)


def scenes(first: int, count: int) -> list[Scene]:
    return [scene(s, scene_size(s)) for s in range(first, first + count)]


def floor_scenes(first: int, count: int) -> list[Scene]:
    """Scenes on a receding floor: the depth world."""
    return [scene(s, scene_size(s), floor=True) for s in range(first, first + count)]


def shapes_alone(first: int, count: int) -> list[Scene]:
    return [single_shape(s, int(np.random.default_rng([s, 7]).integers(48, 129)))
            for s in range(first, first + count)]


def train_seeds(seed: int) -> int:
    """First training seed of a run seeded ``seed``."""
    return seed * 100_000


def pixels_of(processor: Any, pool: list[Scene]) -> Any:
    return processor(images=[s.image for s in pool], return_tensors="pt")["pixel_values"]


def _load(directory: Path, auto_class: str) -> tuple[Any, Any]:
    import transformers

    model = getattr(transformers, auto_class).from_pretrained(directory).eval()
    return model, transformers.AutoImageProcessor.from_pretrained(directory)


def batches(items: list[Any], size: int = 32) -> Any:
    for start in range(0, len(items), size):
        yield items[start:start + size]


Objective = Callable[[Any, Any, list[Any]], Callable[[Any], Any]]
"""``objective(model, processor, pool)`` preprocesses the training pool once and returns the
loss of a batch of pool indices."""


def trainer(auto_class: str, make: Callable[[], tuple[Any, Any]],
             data: Callable[[int, int], list[Any]], objective: Objective,
             evaluate: Callable[[Path, int], dict[str, float]], *, default_steps: int,
             pool_size: int, held_out: int, lr: float, batch: int = 16,
             prepare: Callable[[Any], None] | None = None) -> TrainFunction:
    """A recipe's train function: build ``make()``'s ``(config, processor)`` into a fresh
    ``auto_class`` model, ``prepare(model)`` if given, fit it on ``data(first_seed, count)``, save
    and evaluate."""
    def train(out: Path, *, seed: int, steps: int | None, progress: Progress) -> TrainOutcome:
        torch = single_thread_torch()
        import transformers

        steps = steps or default_steps
        torch.manual_seed(seed)
        config, processor = make()
        model = getattr(transformers, auto_class).from_config(config)
        if prepare is not None:
            prepare(model)
        pool = data(train_seeds(seed), min(pool_size, 64 * steps))
        fit_pool(model, objective(model, processor, pool), len(pool), steps=steps, lr=lr, seed=seed,
                 progress=progress, batch=batch)
        save_checkpoint(out, model, processor)
        return TrainOutcome(steps, evaluate(out, held_out_count(steps, held_out)))
    return train


# ---------------------------------------------------------------------------- classification


def _classify_config(model_type: str) -> Any:
    from transformers import AutoConfig

    labels = label_maps(KINDS)
    if model_type == "vit":
        return AutoConfig.for_model("vit", hidden_size=64, num_hidden_layers=2,
                                    num_attention_heads=2, intermediate_size=128, image_size=SIDE,
                                    patch_size=8, **labels)
    return AutoConfig.for_model("convnext", num_stages=3, hidden_sizes=[16, 32, 64],
                                depths=[1, 1, 1], **labels)


def _classify_processor(model_type: str) -> Any:
    import transformers

    if model_type == "vit":
        return transformers.ViTImageProcessor(size={"height": SIDE, "width": SIDE})
    # crop_pct 1 and a square input: the shape is never cropped away
    return transformers.ConvNextImageProcessor(size={"shortest_edge": SIDE}, crop_pct=1.0)


def _accuracy(directory: Path, auto_class: str, pool: list[Any],
              pixels: Callable[[Any, list[Any]], Any], truth: Callable[[Any], str]) -> float:
    """How often the top label of a saved classifier is ``truth(example)``."""
    torch = single_thread_torch()
    model, processor = _load(directory, auto_class)
    right = 0
    with torch.inference_mode():
        for part in batches(pool):
            logits = model(pixel_values=pixels(processor, part)).logits
            right += sum(model.config.id2label[int(i)] == truth(x)
                         for i, x in zip(logits.argmax(-1), part))
    return right / len(pool)


def evaluate_classifier(directory: Path, count: int = 200) -> dict[str, float]:
    """Accuracy on held-out single-shape images."""
    return {"accuracy": _accuracy(directory, "AutoModelForImageClassification",
                                  shapes_alone(HELD_OUT, count), pixels_of, lambda s: s.labels[0])}


def _classify_objective(model: Any, processor: Any, pool: list[Scene]) -> Callable[[Any], Any]:
    torch = single_thread_torch()
    pixels = pixels_of(processor, pool)
    targets = torch.tensor([KINDS.index(s.labels[0]) for s in pool])
    return lambda i: model(pixel_values=pixels[i], labels=targets[i]).loss


def _train_classifier(model_type: str, default_steps: int) -> TrainFunction:
    return trainer("AutoModelForImageClassification",
                    lambda: (_classify_config(model_type), _classify_processor(model_type)),
                    shapes_alone, _classify_objective, evaluate_classifier,
                    default_steps=default_steps, pool_size=3000, held_out=200, lr=2e-3)


# ---------------------------------------------------------------------------- detection


def _box_iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def match_boxes(truth: list[tuple[str, tuple[float, ...]]],
                found: list[tuple[str, tuple[float, ...]]], iou: float = 0.5) -> int:
    """How many true ``(label, box)`` pairs a found one of the same label covers at ``iou``
    (greedy, each found box used once)."""
    used: set[int] = set()
    hits = 0
    for label, box in truth:
        best = max(((j, _box_iou(box, b)) for j, (name, b) in enumerate(found)
                    if name == label and j not in used), key=lambda t: t[1], default=(None, 0.0))
        if best[0] is not None and best[1] >= iou:
            used.add(best[0])
            hits += 1
    return hits


def evaluate_detector(directory: Path, count: int = 200,
                      threshold: float = 0.5) -> dict[str, float]:
    """Recall and precision at IoU 0.5 with the right label, at the explorer's default threshold."""
    torch = single_thread_torch()
    model, processor = _load(directory, "AutoModelForObjectDetection")
    pool = scenes(HELD_OUT, count)
    hits = truths = founds = 0
    with torch.inference_mode():
        for part in batches(pool):
            outputs = model(pixel_values=pixels_of(processor, part))
            sizes = [(s.image.height, s.image.width) for s in part]
            for s, found in zip(part, processor.post_process_object_detection(
                    outputs, threshold=threshold, target_sizes=sizes)):
                boxes = [(model.config.id2label[int(i)], tuple(b.tolist()))
                         for i, b in zip(found["labels"], found["boxes"])]
                hits += match_boxes(list(zip(s.labels, s.boxes)), boxes)
                truths += len(s.shapes)
                founds += len(boxes)
    return {"recall@0.5": hits / truths, "precision@0.5": hits / max(founds, 1)}


def _detection_targets(pool: list[Scene]) -> list[dict[str, Any]]:
    """DETR-style labels: class ids and ``(cx, cy, w, h)`` boxes relative to the image."""
    torch = single_thread_torch()
    targets = []
    for s in pool:
        w, h = s.image.size
        boxes = [((x0 + x1) / 2 / w, (y0 + y1) / 2 / h, (x1 - x0) / w, (y1 - y0) / h)
                 for x0, y0, x1, y1 in s.boxes]
        targets.append({"class_labels": torch.tensor([KINDS.index(k) for k in s.labels]),
                        "boxes": torch.tensor(boxes, dtype=torch.float32)})
    return targets


def _yolos() -> tuple[Any, Any]:
    from transformers import AutoConfig, YolosImageProcessor

    config = AutoConfig.for_model("yolos", hidden_size=64, num_hidden_layers=3,
                                  num_attention_heads=4, intermediate_size=128,
                                  image_size=[SIDE, SIDE], patch_size=8, num_detection_tokens=8,
                                  **label_maps(KINDS))
    return config, YolosImageProcessor(size={"height": SIDE, "width": SIDE}, do_pad=False)


def _rt_detr() -> tuple[Any, Any]:
    from transformers import AutoConfig, RTDetrImageProcessor

    # RT-DETR starts its queries from the encoder's best-scoring anchors and trains with noised
    # copies of the true boxes. After 600 steps here: recall 0.80 at threshold 0.5; a Conditional
    # DETR of the same size (lr 1e-3) 0.00 (0.38 at threshold 0.2); a DETR's loss fell slower still.
    # Its scores are touchy: 1000 steps ended at recall 0.29 at threshold 0.5 (0.84 at 0.2), 1300 at
    # 0.95.
    backbone = AutoConfig.for_model("rt_detr_resnet", embedding_size=16, hidden_sizes=[16, 32, 64, 64],
                                    depths=[1, 1, 1, 1], layer_type="basic",
                                    out_features=["stage2", "stage3", "stage4"])
    config = AutoConfig.for_model("rt_detr", backbone_config=backbone,
                                  freeze_backbone_batch_norms=False, encoder_in_channels=[32, 64, 64],
                                  encoder_hidden_dim=32, hidden_expansion=0.5, encoder_ffn_dim=128,
                                  encoder_attention_heads=4, d_model=64, decoder_in_channels=[32] * 3,
                                  decoder_ffn_dim=128, decoder_layers=2, decoder_attention_heads=4,
                                  num_queries=10, num_denoising=20, **label_maps(KINDS))
    return config, RTDetrImageProcessor(size={"height": SIDE, "width": SIDE}, do_pad=False)


def _train_detector(make: Callable[[], tuple[Any, Any]], cycles: Cycles) -> Callable[..., TrainOutcome]:
    """``cycles``: ``(steps, peak rate)`` runs one after the other, each with a fresh AdamW (warm
    restarts: the second, gentler one removes most duplicate boxes). ``steps`` given: one run."""
    def train(out: Path, *, seed: int, steps: int | None, progress: Progress) -> TrainOutcome:
        torch = single_thread_torch()
        import transformers

        plan = cycles_for(cycles, steps)
        torch.manual_seed(seed)
        config, processor = make()
        model = transformers.AutoModelForObjectDetection.from_config(config)
        pool = scenes(train_seeds(seed), min(8000, 64 * sum(n for n, _ in plan)))
        pixels, targets = pixels_of(processor, pool), _detection_targets(pool)

        def loss(i: Any) -> Any:
            return model(pixel_values=pixels[i], labels=[targets[int(j)] for j in i]).loss

        total = fit_in_cycles(model, loss, len(pool), plan, seed=seed, progress=progress)
        save_checkpoint(out, model, processor)
        return TrainOutcome(total, evaluate_detector(out, held_out_count(total, 200)))
    return train


# ---------------------------------------------------------------------------- segmentation


def _segformer() -> tuple[Any, Any]:
    from transformers import AutoConfig, SegformerImageProcessor

    config = AutoConfig.for_model("segformer", num_encoder_blocks=2, depths=[1, 1],
                                  sr_ratios=[4, 2], hidden_sizes=[16, 32], patch_sizes=[3, 3],
                                  strides=[2, 2], num_attention_heads=[1, 2], mlp_ratios=[2, 2],
                                  decoder_hidden_size=32, **label_maps(LABELS))
    return config, SegformerImageProcessor(size={"height": SIDE, "width": SIDE})


def _upernet() -> tuple[Any, Any]:
    from transformers import AutoConfig, SegformerImageProcessor

    # A 3-stage ConvNeXt at strides 2, 4, 8 (32×32 to 8×8 maps at 64 px) under UperNet's pyramid
    # pooling + FPN head; no auxiliary head (the toy needs none).
    backbone = AutoConfig.for_model("convnext", patch_size=2, num_stages=3, hidden_sizes=[16, 32, 64],
                                    depths=[1, 1, 1], out_features=["stage1", "stage2", "stage3"])
    config = AutoConfig.for_model("upernet", backbone_config=backbone, hidden_size=32,
                                  pool_scales=[1, 2, 4], use_auxiliary_head=False,
                                  **label_maps(LABELS))
    return config, SegformerImageProcessor(size={"height": SIDE, "width": SIDE})


def resized(array: np.ndarray, nearest: bool = True) -> np.ndarray:
    from PIL import Image

    mode = Image.Resampling.NEAREST if nearest else Image.Resampling.BILINEAR
    return np.asarray(Image.fromarray(array).resize((SIDE, SIDE), mode))


def held_out_maps(directory: Path, auto_class: str, count: int, post_process: str,
                  data: Callable[[int, int], list[Scene]] = scenes) -> Iterator[tuple[Scene, Any]]:
    """Each held-out scene of ``data`` with the saved model's output, post-processed to the
    scene's size by the processor's ``post_process`` method."""
    torch = single_thread_torch()
    model, processor = _load(directory, auto_class)
    with torch.inference_mode():
        for part in batches(data(HELD_OUT, count)):
            outputs = model(pixel_values=pixels_of(processor, part))
            yield from zip(part, getattr(processor, post_process)(
                outputs, target_sizes=[(s.image.height, s.image.width) for s in part]))


def evaluate_segmenter(directory: Path, count: int = 100) -> dict[str, float]:
    """Mean IoU over the 4 labels, each label's IoU pooled over the held-out scenes."""
    inter = np.zeros(len(LABELS))
    union = np.zeros(len(LABELS))
    for s, predicted in held_out_maps(directory, "AutoModelForSemanticSegmentation", count,
                                      "post_process_semantic_segmentation"):
        predicted = predicted.numpy()
        for c in range(len(LABELS)):
            inter[c] += np.logical_and(s.semantic == c, predicted == c).sum()
            union[c] += np.logical_or(s.semantic == c, predicted == c).sum()
    return {"mIoU": float(np.mean(inter / np.maximum(union, 1)))}


def _segment_objective(model: Any, processor: Any, pool: list[Scene]) -> Callable[[Any], Any]:
    torch = single_thread_torch()
    pixels = pixels_of(processor, pool)
    masks = torch.tensor(np.stack([resized(s.semantic) for s in pool]), dtype=torch.long)
    return lambda i: model(pixel_values=pixels[i], labels=masks[i]).loss


# ---------------------------------------------------------------------------- depth


def _dpt() -> tuple[Any, Any]:
    from transformers import AutoConfig, DPTImageProcessor

    config = AutoConfig.for_model("dpt", hidden_size=48, num_hidden_layers=4,
                                  num_attention_heads=2, intermediate_size=96, image_size=SIDE,
                                  patch_size=8, backbone_out_indices=[0, 1, 2, 3],
                                  neck_hidden_sizes=[8, 16, 16, 16], fusion_hidden_size=16,
                                  head_hidden_size=8, reassemble_factors=[2, 1, 0.5, 0.25])
    return config, DPTImageProcessor(size={"height": SIDE, "width": SIDE})


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(a.ravel(), b.ravel()).statistic)


def depth_order(truth: np.ndarray, predicted: np.ndarray) -> float:
    """Somers' D of the predicted on the true depth: over the pixel pairs at different true
    depths, (pairs the prediction orders like the truth − pairs it orders the other way) / pairs.
    1 is a perfect order, 0 chance; ties within a flat region cost nothing."""
    t, p = truth.ravel(), predicted.ravel()
    seen = np.empty(0, dtype=p.dtype)  # predictions of the nearer pixels, sorted
    agree = pairs = 0
    for level in np.unique(t):  # nearest first
        here = p[t == level]
        agree += int((np.searchsorted(seen, here, "left")
                      - (len(seen) - np.searchsorted(seen, here, "right"))).sum())
        pairs += len(seen) * len(here)
        seen = np.sort(np.concatenate([seen, here]))
    return agree / pairs if pairs else float("nan")


def evaluate_depth(directory: Path, count: int = 100) -> dict[str, float]:
    """Per-pixel Spearman of the predicted with the true depth (distance) on held-out floor
    scenes, per scene, averaged; Somers' D (``depth_order``) too."""
    orders, ranks = [], []
    for s, found in held_out_maps(directory, "AutoModelForDepthEstimation", count,
                                  "post_process_depth_estimation", floor_scenes):
        orders.append(depth_order(s.depth, found["predicted_depth"].numpy()))
        ranks.append(spearman(s.depth, found["predicted_depth"].numpy()))
    return {"spearman": float(np.nanmean(ranks)), "depth_order": float(np.nanmean(orders))}


def _depth_objective(model: Any, processor: Any, pool: list[Scene]) -> Callable[[Any], Any]:
    torch = single_thread_torch()
    pixels = pixels_of(processor, pool)
    depth = torch.tensor(np.stack([resized(s.depth, nearest=False) for s in pool]))

    def loss(i: Any) -> Any:  # DPT has no training loss of its own: L1 on the distance
        predicted = model(pixel_values=pixels[i]).predicted_depth[:, None]
        predicted = torch.nn.functional.interpolate(predicted, size=(SIDE, SIDE), mode="bilinear")
        return (predicted[:, 0] - depth[i]).abs().mean()
    return loss


# ---------------------------------------------------------------------------- video

CLIP_FRAMES = 8
CLIP_SIDE = 32
"""The video toy sees 8 frames at 32×32: a 25–40 % shape still spans 8–13 px."""


def clips(first: int, count: int) -> list[Clip]:
    """8-frame windows of clips 48–128 px square, fixed by the seed: a window of a longer clip
    (up to 24 frames) starting anywhere, so the shape moves at different speeds and where it
    starts does not give its direction away; only the motion does."""
    found = []
    for seed in range(first, first + count):
        rng = np.random.default_rng([seed, 7])
        side, frames = int(rng.integers(48, 129)), int(rng.integers(CLIP_FRAMES, 3 * CLIP_FRAMES + 1))
        start = int(rng.integers(frames - CLIP_FRAMES + 1))
        whole = clip(seed, side, frames=frames)
        found.append(replace(whole, frames=whole.frames[start:start + CLIP_FRAMES]))
    return found


def _videomae() -> tuple[Any, Any]:
    from transformers import AutoConfig, VideoMAEImageProcessor

    config = AutoConfig.for_model("videomae", hidden_size=64, num_hidden_layers=2,
                                  num_attention_heads=4, intermediate_size=128,
                                  image_size=CLIP_SIDE, patch_size=8, num_frames=CLIP_FRAMES,
                                  tubelet_size=2, **label_maps(DIRECTIONS))
    # the clips are square: the centre crop keeps all of them
    return config, VideoMAEImageProcessor(size={"shortest_edge": CLIP_SIDE},
                                          crop_size={"height": CLIP_SIDE, "width": CLIP_SIDE})


def _video_pixels(processor: Any, pool: list[Clip]) -> Any:
    return processor([list(c.frames) for c in pool], return_tensors="pt")["pixel_values"]


def evaluate_video(directory: Path, count: int = 200) -> dict[str, float]:
    """Accuracy on held-out clips: is the shape moving left or right?"""
    return {"accuracy": _accuracy(directory, "AutoModelForVideoClassification",
                                  clips(HELD_OUT, count), _video_pixels, lambda c: c.label)}


def _video_objective(model: Any, processor: Any, pool: list[Clip]) -> Callable[[Any], Any]:
    torch = single_thread_torch()
    pixels = _video_pixels(processor, pool)
    targets = torch.tensor([DIRECTIONS.index(c.label) for c in pool])
    return lambda i: model(pixel_values=pixels[i], labels=targets[i]).loss


SCENE = {"image": "shapes.png"}

TRAIN_RECIPES = [
    TrainRecipe("object-detection", "AutoModelForObjectDetection",
                _train_detector(_yolos, ((6000, 1e-3), (3000, 3e-4))), "shapes", "recall@0.5",
                "box recall at IoU 0.5 on held-out scenes", 0.85,
                "tiny YOLOS trained on the shapes world: finds circles, squares and triangles",
                {**SCENE, "options": {"threshold": 0.5}}, evaluate_detector),
    TrainRecipe("object-detection-rt-detr", "AutoModelForObjectDetection",
                _train_detector(_rt_detr, ((1300, 2e-3),)), "shapes", "recall@0.5",
                "box recall at IoU 0.5 on held-out scenes", 0.85,
                "tiny RT-DETR (ResNet backbone) trained on the shapes world: finds circles, "
                "squares and triangles", {**SCENE, "options": {"threshold": 0.5}}, evaluate_detector),
    TrainRecipe("image-classification", "AutoModelForImageClassification",
                _train_classifier("vit", 2000), "shapes", "accuracy",
                "accuracy on held-out single shapes", 0.95,
                "tiny ViT trained on the shapes world: circle, square or triangle?",
                {"image": "triangle.png"}, evaluate_classifier),
    TrainRecipe("image-classification-convnext", "AutoModelForImageClassification",
                _train_classifier("convnext", 1500), "shapes", "accuracy",
                "accuracy on held-out single shapes", 0.95,
                "tiny ConvNeXt trained on the shapes world: circle, square or triangle?",
                {"image": "triangle.png"}, evaluate_classifier),
    TrainRecipe("semantic-segmentation", "AutoModelForSemanticSegmentation",
                trainer("AutoModelForSemanticSegmentation", _segformer, scenes,
                         _segment_objective, evaluate_segmenter, default_steps=1000,
                         pool_size=4000, held_out=100, lr=3e-3), "shapes", "mIoU",
                "mean IoU on held-out scenes", 0.80,
                "tiny SegFormer trained on the shapes world: background, circle, square, triangle",
                SCENE, evaluate_segmenter),
    TrainRecipe("semantic-segmentation-upernet", "AutoModelForSemanticSegmentation",
                trainer("AutoModelForSemanticSegmentation", _upernet, scenes,
                         _segment_objective, evaluate_segmenter, default_steps=600,
                         pool_size=4000, held_out=100, lr=3e-3), "shapes", "mIoU",
                "mean IoU on held-out scenes", 0.80,
                "tiny UperNet (ConvNeXt backbone) trained on the shapes world: background, "
                "circle, square, triangle", SCENE, evaluate_segmenter),
    TrainRecipe("depth-estimation", "AutoModelForDepthEstimation",
                trainer("AutoModelForDepthEstimation", _dpt, floor_scenes, _depth_objective,
                         evaluate_depth, default_steps=2000, pool_size=4000, held_out=100,
                         lr=2e-3), "shapes",
                "spearman", "per-pixel Spearman with the true depth on held-out floor scenes",
                0.80, "tiny DPT trained on the shapes world: a floor receding to the top, shapes "
                "nearer than the floor behind them, larger ones nearer", {"image": "floor.png"},
                evaluate_depth),
    TrainRecipe("video-classification", "AutoModelForVideoClassification",
                trainer("AutoModelForVideoClassification", _videomae, clips, _video_objective,
                         evaluate_video, default_steps=2000, pool_size=3000, held_out=200,
                         lr=1e-3), "shapes", "accuracy", "accuracy on held-out clips", 0.95,
                "tiny VideoMAE trained on the shapes world: is the shape moving left or right?",
                {"image": "moving_right.gif"}, evaluate_video),
]
