"""Training recipes for the vision toys: tiny models that learn the shapes world.

Each recipe renders a pool of scenes from seeds (``explorer.toyworld.shapes``), preprocesses them
once with the checkpoint's own image processor (every image resized to 64×64, whatever its
aspect), trains with AdamW on one CPU thread, saves with ``save_pretrained`` and measures the saved
checkpoint on held-out scenes whose seeds the training never sees. ``evaluate`` functions take a
saved folder, so the tests and ``benchmarks/toy_quality.py`` re-measure committed checkpoints.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from explorer.toyworld.shapes import KINDS, LABELS, Scene, scene, single_shape
from explorer.zoo.common import label_maps
from explorer.zoo.training import Progress, TrainOutcome, TrainRecipe

log = logging.getLogger(__name__)
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


def shapes_alone(first: int, count: int) -> list[Scene]:
    return [single_shape(s, int(np.random.default_rng([s, 7]).integers(48, 129)))
            for s in range(first, first + count)]


def train_seeds(seed: int) -> int:
    """First training seed of a run seeded ``seed``."""
    return seed * 100_000


def _torch() -> Any:
    import torch

    torch.set_num_threads(1)  # the training machine is shared; one thread each
    return torch


def _pixels(processor: Any, pool: list[Scene]) -> Any:
    return processor(images=[s.image for s in pool], return_tensors="pt")["pixel_values"]


def _fit(model: Any, loss: Callable[[Any], Any], size: int, *, steps: int, lr: float, seed: int,
         progress: Progress, batch: int = 16) -> None:
    """AdamW with warm-up and linear decay; ``loss(indices)`` scores a batch of pool indices."""
    torch = _torch()
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    warm = max(1, min(200, steps // 10))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warm) * max(0.02, 1 - s / steps))
    model.train()
    running = 0.0
    for step in range(steps):
        value = loss(torch.randint(size, (batch,), generator=generator))
        value.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        optimiser.zero_grad()
        schedule.step()
        running = 0.98 * running + 0.02 * value.item() if step else value.item()
        if (step + 1) % 100 == 0 or step + 1 == steps:
            progress(step + 1, steps)
            log.info("step %d/%d loss %.4f", step + 1, steps, running)
    model.eval()


def _save(out: Path, model: Any, processor: Any) -> None:
    model.save_pretrained(out)
    processor.save_pretrained(out)


def _load(directory: Path, auto_class: str) -> tuple[Any, Any]:
    import transformers

    model = getattr(transformers, auto_class).from_pretrained(directory).eval()
    return model, transformers.AutoImageProcessor.from_pretrained(directory)


def _held_out(steps: int, full: int) -> int:
    """How many held-out examples to measure on: a smoke run (a handful of steps) takes 8."""
    return full if steps >= 100 else 8


def _batches(items: list[Scene], size: int = 32) -> Any:
    for start in range(0, len(items), size):
        yield items[start:start + size]


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


def evaluate_classifier(directory: Path, count: int = 200) -> dict[str, float]:
    """Accuracy on held-out single-shape images."""
    torch = _torch()
    model, processor = _load(directory, "AutoModelForImageClassification")
    pool = shapes_alone(HELD_OUT, count)
    right = 0
    with torch.inference_mode():
        for part in _batches(pool):
            logits = model(pixel_values=_pixels(processor, part)).logits
            names = [model.config.id2label[int(i)] for i in logits.argmax(-1)]
            right += sum(n == s.labels[0] for n, s in zip(names, part))
    return {"accuracy": right / len(pool)}


def _train_classifier(model_type: str, default_steps: int) -> Callable[..., TrainOutcome]:
    def train(out: Path, *, seed: int, steps: int | None, progress: Progress) -> TrainOutcome:
        torch = _torch()
        import transformers

        steps = steps or default_steps
        torch.manual_seed(seed)
        processor = _classify_processor(model_type)
        model = transformers.AutoModelForImageClassification.from_config(
            _classify_config(model_type))
        pool = shapes_alone(train_seeds(seed), min(3000, 64 * steps))
        pixels = _pixels(processor, pool)
        targets = torch.tensor([KINDS.index(s.labels[0]) for s in pool])
        _fit(model, lambda i: model(pixel_values=pixels[i], labels=targets[i]).loss, len(pool),
             steps=steps, lr=2e-3, seed=seed, progress=progress)
        _save(out, model, processor)
        return TrainOutcome(steps, evaluate_classifier(out, _held_out(steps, 200)))
    return train


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
    torch = _torch()
    model, processor = _load(directory, "AutoModelForObjectDetection")
    pool = scenes(HELD_OUT, count)
    hits = truths = founds = 0
    with torch.inference_mode():
        for part in _batches(pool):
            outputs = model(pixel_values=_pixels(processor, part))
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
    torch = _torch()
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


def _train_detector(make: Callable[[], tuple[Any, Any]],
                    cycles: tuple[tuple[int, float], ...]) -> Callable[..., TrainOutcome]:
    """``cycles``: ``(steps, peak rate)`` runs one after the other, each with a fresh AdamW (warm
    restarts: the second, gentler one removes most duplicate boxes). ``steps`` given: one run."""
    def train(out: Path, *, seed: int, steps: int | None, progress: Progress) -> TrainOutcome:
        torch = _torch()
        import transformers

        plan = ((steps, cycles[0][1]),) if steps else cycles
        total = sum(n for n, _ in plan)
        torch.manual_seed(seed)
        config, processor = make()
        model = transformers.AutoModelForObjectDetection.from_config(config)
        pool = scenes(train_seeds(seed), min(8000, 64 * total))
        pixels, targets = _pixels(processor, pool), _detection_targets(pool)

        def loss(i: Any) -> Any:
            return model(pixel_values=pixels[i], labels=[targets[int(j)] for j in i]).loss

        done = 0
        for n, lr in plan:
            def cycle_progress(d: int, _t: int, before: int = done) -> None:
                progress(before + d, total)

            _fit(model, loss, len(pool), steps=n, lr=lr, seed=seed, progress=cycle_progress)
            done += n
        _save(out, model, processor)
        return TrainOutcome(total, evaluate_detector(out, _held_out(total, 200)))
    return train


# ---------------------------------------------------------------------------- segmentation


def _segformer() -> tuple[Any, Any]:
    from transformers import AutoConfig, SegformerImageProcessor

    config = AutoConfig.for_model("segformer", num_encoder_blocks=2, depths=[1, 1],
                                  sr_ratios=[4, 2], hidden_sizes=[16, 32], patch_sizes=[3, 3],
                                  strides=[2, 2], num_attention_heads=[1, 2], mlp_ratios=[2, 2],
                                  decoder_hidden_size=32, **label_maps(LABELS))
    return config, SegformerImageProcessor(size={"height": SIDE, "width": SIDE})


def _resized(array: np.ndarray, nearest: bool = True) -> np.ndarray:
    from PIL import Image

    mode = Image.Resampling.NEAREST if nearest else Image.Resampling.BILINEAR
    return np.asarray(Image.fromarray(array).resize((SIDE, SIDE), mode))


def mean_iou(truth: np.ndarray, predicted: np.ndarray, classes: int) -> list[float]:
    """Per-class IoU (classes absent from both maps are left out)."""
    scores = []
    for c in range(classes):
        union = np.logical_or(truth == c, predicted == c).sum()
        if union:
            scores.append(float(np.logical_and(truth == c, predicted == c).sum() / union))
    return scores


def evaluate_segmenter(directory: Path, count: int = 100) -> dict[str, float]:
    """Mean IoU over the 4 labels, each label's IoU pooled over the held-out scenes."""
    torch = _torch()
    model, processor = _load(directory, "AutoModelForSemanticSegmentation")
    pool = scenes(HELD_OUT, count)
    inter = np.zeros(len(LABELS))
    union = np.zeros(len(LABELS))
    with torch.inference_mode():
        for part in _batches(pool):
            outputs = model(pixel_values=_pixels(processor, part))
            maps = processor.post_process_semantic_segmentation(
                outputs, target_sizes=[(s.image.height, s.image.width) for s in part])
            for s, predicted in zip(part, maps):
                predicted = predicted.numpy()
                for c in range(len(LABELS)):
                    inter[c] += np.logical_and(s.semantic == c, predicted == c).sum()
                    union[c] += np.logical_or(s.semantic == c, predicted == c).sum()
    return {"mIoU": float(np.mean(inter / np.maximum(union, 1)))}


def _train_segmenter(default_steps: int) -> Callable[..., TrainOutcome]:
    def train(out: Path, *, seed: int, steps: int | None, progress: Progress) -> TrainOutcome:
        torch = _torch()
        import transformers

        steps = steps or default_steps
        torch.manual_seed(seed)
        config, processor = _segformer()
        model = transformers.AutoModelForSemanticSegmentation.from_config(config)
        pool = scenes(train_seeds(seed), min(4000, 64 * steps))
        pixels = _pixels(processor, pool)
        masks = torch.tensor(np.stack([_resized(s.semantic) for s in pool]), dtype=torch.long)
        _fit(model, lambda i: model(pixel_values=pixels[i], labels=masks[i]).loss, len(pool),
             steps=steps, lr=3e-3, seed=seed, progress=progress)
        _save(out, model, processor)
        return TrainOutcome(steps, evaluate_segmenter(out, _held_out(steps, 100)))
    return train


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


def evaluate_depth(directory: Path, count: int = 100) -> dict[str, float]:
    """Spearman correlation of the predicted with the true depth (distance), per scene, averaged."""
    torch = _torch()
    model, processor = _load(directory, "AutoModelForDepthEstimation")
    pool = scenes(HELD_OUT, count)
    scores = []
    with torch.inference_mode():
        for part in _batches(pool):
            outputs = model(pixel_values=_pixels(processor, part))
            maps = processor.post_process_depth_estimation(
                outputs, target_sizes=[(s.image.height, s.image.width) for s in part])
            scores += [spearman(s.depth, m["predicted_depth"].numpy()) for s, m in zip(part, maps)]
    return {"spearman": float(np.nanmean(scores))}


def _train_depth(default_steps: int) -> Callable[..., TrainOutcome]:
    def train(out: Path, *, seed: int, steps: int | None, progress: Progress) -> TrainOutcome:
        torch = _torch()
        import transformers

        steps = steps or default_steps
        torch.manual_seed(seed)
        config, processor = _dpt()
        model = transformers.AutoModelForDepthEstimation.from_config(config)
        pool = scenes(train_seeds(seed), min(4000, 64 * steps))
        pixels = _pixels(processor, pool)
        depth = torch.tensor(np.stack([_resized(s.depth, nearest=False) for s in pool]))

        def loss(i: Any) -> Any:  # DPT has no training loss of its own: L1 on the distance
            predicted = model(pixel_values=pixels[i]).predicted_depth[:, None]
            predicted = torch.nn.functional.interpolate(predicted, size=(SIDE, SIDE),
                                                        mode="bilinear")
            return (predicted[:, 0] - depth[i]).abs().mean()

        _fit(model, loss, len(pool), steps=steps, lr=2e-3, seed=seed, progress=progress)
        _save(out, model, processor)
        return TrainOutcome(steps, evaluate_depth(out, _held_out(steps, 100)))
    return train


SCENE = {"image": "shapes.png"}

TRAIN_RECIPES = [
    TrainRecipe("object-detection", "AutoModelForObjectDetection",
                _train_detector(_yolos, ((6000, 1e-3), (3000, 3e-4))), "shapes", "recall@0.5",
                "box recall at IoU 0.5 on held-out scenes", 0.85,
                "tiny YOLOS trained on the shapes world: finds circles, squares and triangles",
                {**SCENE, "options": {"threshold": 0.5}}, evaluate_detector),
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
                _train_segmenter(1000), "shapes", "mIoU",
                "mean IoU on held-out scenes", 0.80,
                "tiny SegFormer trained on the shapes world: background, circle, square, triangle",
                SCENE, evaluate_segmenter),
    TrainRecipe("depth-estimation", "AutoModelForDepthEstimation", _train_depth(2500), "shapes",
                "spearman", "depth rank correlation on held-out scenes", 0.80,
                "tiny DPT trained on the shapes world: shapes nearer than the background, "
                "larger ones nearer", SCENE, evaluate_depth),
]
