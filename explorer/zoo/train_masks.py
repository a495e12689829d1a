"""Training recipe for the promptable-mask toy: a tiny SAM that learns, from one point inside a
shape of a shapes-world scene, that shape's mask.

SAM ships no training loss; this recipe writes a small one. Each scene is preprocessed once by the
checkpoint's own ``SamProcessor`` (longest edge resized to ``SAM_SIDE``, padded to a square);
each step prompts every image with one point inside each of its shapes (``PROMPTS`` prompts per
image, shapes repeated when it has fewer), and scores all three of SAM's multimask outputs with
dice + BCE against the shape's true mask in the padded frame, plus the predicted IoU against the
mask's real IoU. The shapes world has no part / whole ambiguity, so the three outputs learn the
same mask and whichever scores best is the shape: what the explorer paints on top.

Only points inside shapes are taught: a point on the background gives no meaningful mask (a run
that also taught "background point → background mask" reached mIoU 0.73 on shapes and 0.51 on
the background in the same 1200 steps, so it was dropped).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from explorer.toyworld.shapes import Scene
from explorer.zoo.fitting import single_thread_torch
from explorer.zoo.train_vision import HELD_OUT, scenes, trainer
from explorer.zoo.training import TrainRecipe

SAM_SIDE = 64
"""The toy SAM sees every scene with its longest edge at 64 px, padded to 64×64."""
PROMPTS = 4
"""Point prompts per training image: one per shape (a scene has 1–4)."""
CANDIDATES = 8
"""Candidate prompt points drawn per shape when the pool is built; each step picks one."""


def sam_toy() -> tuple[Any, Any]:
    """The random recipe's tiny SAM (explorer.heads.segmentation), with one width (32) through
    encoder, prompt encoder and decoder and a normal weight init (SAM's vision default is 1e-10)."""
    from transformers import AutoConfig, SamImageProcessor, SamProcessor

    width = 32
    config = AutoConfig.for_model(
        "sam",
        vision_config=dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, mlp_dim=64,
                           image_size=SAM_SIDE, patch_size=8, output_channels=width, window_size=4,
                           global_attn_indexes=[1], num_pos_feats=width // 2,
                           initializer_range=0.02),
        prompt_encoder_config=dict(hidden_size=width, image_size=SAM_SIDE, patch_size=8,
                                   mask_input_channels=4),
        mask_decoder_config=dict(hidden_size=width, num_hidden_layers=2, num_attention_heads=2,
                                 mlp_dim=2 * width, iou_head_hidden_dim=width))
    images = SamImageProcessor(size={"longest_edge": SAM_SIDE},
                               pad_size={"height": SAM_SIDE, "width": SAM_SIDE})
    return config, SamProcessor(image_processor=images)


def prompt_points(mask: np.ndarray, rng: np.random.Generator, count: int = 1) -> np.ndarray:
    """``count`` pixels ``(x, y)`` of ``mask`` at random, away from its edge where the shape
    allows: centres of pixels at least 2 px inside, else of any of its pixels."""
    from scipy.ndimage import binary_erosion

    inner = binary_erosion(mask, iterations=2)
    rows, cols = np.nonzero(inner if inner.any() else mask)
    pick = rng.integers(len(rows), size=count)
    return np.stack([cols[pick], rows[pick]], axis=-1).astype(np.float32) + 0.5


def _padded(mask: np.ndarray, height: int, width: int) -> np.ndarray:
    """``mask`` resized (bilinear, soft edges) to the processor's ``height × width`` and padded
    bottom / right to the square frame, like the image."""
    from PIL import Image

    small = Image.fromarray(mask.astype(np.uint8) * 255).resize((width, height),
                                                                Image.Resampling.BILINEAR)
    frame = np.zeros((SAM_SIDE, SAM_SIDE), dtype=np.uint8)
    frame[:height, :width] = np.asarray(small)
    return frame


def _mask_objective(model: Any, processor: Any, pool: list[Scene]) -> Any:
    torch = single_thread_torch()
    functional = torch.nn.functional
    # SAM's random Fourier features for point and pixel positions start at std hidden/2 (16
    # cycles across the image, aliased on an 8×8 grid); the original SAM draws them at std 1.
    with torch.no_grad():
        torch.nn.init.normal_(model.shared_image_embedding.positional_embedding, std=1.0)
    batch = processor(images=[s.image for s in pool], return_tensors="pt")
    pixels = batch["pixel_values"]
    rng = np.random.default_rng(len(pool))
    targets = np.zeros((len(pool), PROMPTS, SAM_SIDE, SAM_SIDE), dtype=np.uint8)
    points = np.zeros((len(pool), PROMPTS, CANDIDATES, 2), dtype=np.float32)
    for n, (s, (height, width)) in enumerate(zip(pool, batch["reshaped_input_sizes"].tolist())):
        scale = np.array([width / s.image.width, height / s.image.height])  # as SamProcessor
        masks = s.masks
        for slot in range(PROMPTS):
            mask = masks[slot % len(masks)]
            targets[n, slot] = _padded(mask, height, width)
            points[n, slot] = prompt_points(mask, rng, CANDIDATES) * scale
    targets_t, points_t = torch.from_numpy(targets), torch.from_numpy(points)
    generator = torch.Generator().manual_seed(len(pool))
    labels = torch.ones(1, PROMPTS, 1, dtype=torch.long)

    def loss(i: Any) -> Any:
        pick = torch.randint(CANDIDATES, (len(i), PROMPTS), generator=generator)
        chosen = points_t[i].gather(2, pick[..., None, None].expand(-1, -1, 1, 2))
        outputs = model(pixel_values=pixels[i], input_points=chosen,
                        input_labels=labels.expand(len(i), -1, -1), multimask_output=True)
        logits = functional.interpolate(outputs.pred_masks.flatten(0, 1), (SAM_SIDE, SAM_SIDE),
                                        mode="bilinear", align_corners=False)  # as post-processing
        truth = (targets_t[i].flatten(0, 1)[:, None].float() / 255).expand_as(logits)
        bce = functional.binary_cross_entropy_with_logits(logits, truth, reduction="none")
        probs = logits.sigmoid()
        dice = 1 - (2 * (probs * truth).sum((-1, -2)) + 1) / (probs.sum((-1, -2))
                                                              + truth.sum((-1, -2)) + 1)
        with torch.no_grad():
            found, real = logits > 0, truth > 0.5
            iou = (found & real).sum((-1, -2)) / (found | real).sum((-1, -2)).clamp(min=1)
        scored = functional.mse_loss(outputs.iou_scores.flatten(0, 1), iou)
        return bce.mean() + dice.mean() + scored
    return loss


def evaluate_masks(directory: Path, count: int = 100) -> dict[str, float]:
    """For one point inside each shape of held-out scenes (``prompt_points``), the IoU of the
    best-scoring mask, through ``SamProcessor`` and its ``post_process_masks`` at the scene's
    size (the explorer's path): mean IoU, and the share of shapes covered at IoU ≥ 0.5."""
    torch = single_thread_torch()
    from transformers import AutoModelForMaskGeneration, AutoProcessor

    model = AutoModelForMaskGeneration.from_pretrained(directory).eval()
    processor = AutoProcessor.from_pretrained(directory)
    ious = []
    with torch.inference_mode():
        for seed, s in enumerate(scenes(HELD_OUT, count), start=HELD_OUT):
            rng = np.random.default_rng([seed, 11])
            points = [[prompt_points(mask, rng)[0].tolist()] for mask in s.masks]
            batch = processor(images=s.image, input_points=[points],
                              input_labels=[[[1] for _ in points]], return_tensors="pt")
            outputs = model(pixel_values=batch["pixel_values"],
                            input_points=batch["input_points"], input_labels=batch["input_labels"])
            masks = processor.post_process_masks(outputs.pred_masks, batch["original_sizes"],
                                                 batch["reshaped_input_sizes"])[0].numpy()
            best = outputs.iou_scores[0].argmax(-1).numpy()
            for found, truth in zip(masks[np.arange(len(points)), best], s.masks):
                ious.append((found & truth).sum() / (found | truth).sum())
    return {"mIoU": float(np.mean(ious)), "recall@0.5": float(np.mean(np.array(ious) >= 0.5))}


TRAIN_RECIPES = [
    TrainRecipe("mask-generation", "AutoModelForMaskGeneration",
                trainer("AutoModelForMaskGeneration", sam_toy, scenes, _mask_objective,
                         evaluate_masks, default_steps=1200, pool_size=4000, held_out=100,
                         lr=2e-3), "shapes", "mIoU",
                "mean IoU of the best mask for a point inside a shape, on held-out scenes", 0.85,
                "tiny SAM trained on the shapes world: a point inside a shape gives its mask",
                {"image": "shapes.png", "options": {"points": "36,42"}}, evaluate_masks),
]
