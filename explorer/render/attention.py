"""Attention views (results run with ``output_attentions=True``).

Text: a token × token heatmap for one layer and head (or the mean over heads). Vision
transformers: the [CLS] token's attention over the image patches, overlaid on the image.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from explorer.errors import BadInput
from explorer.render.common import (
    MIN_FONT,
    decorate,
    display_token,
    input_image,
    new_figure,
    token_ticks,
)
from explorer.results import Result

# Tokens before the patches in ViT-style models: [CLS]; DeiT adds a distillation token;
# some add register tokens.
_PREFIXES = (1, 2, 0, 5)


def _layer_head(result: Result, layer: int, head: int | str | None) -> tuple[int, np.ndarray, str]:
    """``(layer index, (q, k) weights, head label)`` with the choices checked."""
    layers = result.attentions or ()
    if not layers:
        raise BadInput("this result has no attention weights; run it with output_attentions=True "
                       "(CLI: --option output_attentions=true)")
    n = len(layers)
    if not -n <= int(layer) < n:
        raise BadInput(f"layer={layer} is out of range; this model has {n} layers (0..{n - 1}, "
                       "or -1 for the last)")
    index = int(layer) % n
    weights = np.asarray(layers[index], dtype=np.float32)
    if weights.ndim == 2:
        weights = weights[None]
    heads = weights.shape[0]
    if head is None or head == "mean":
        return index, weights.mean(axis=0), "mean of heads"
    if not -heads <= int(head) < heads:
        raise BadInput(f"head={head} is out of range; layer {index} has {heads} heads "
                       f"(0..{heads - 1}, or 'mean')")
    return index, weights[int(head) % heads], f"head {int(head) % heads}"


def _which(result: Result, index: int, head_label: str) -> str:
    return f"layer {index} (of 0–{len(result.attentions or ()) - 1}), {head_label}"


def patch_grid(keys: int) -> tuple[int, int] | None:
    """``(prefix tokens, side)`` when ``keys`` = prefix + a square number of patches."""
    for prefix in _PREFIXES:
        side = math.isqrt(max(keys - prefix, 0))
        if side > 1 and side * side == keys - prefix:
            return prefix, side
    return None


def is_image_attention(result: Result) -> bool:
    if result.tokens is not None or input_image(result) is None or not result.attentions:
        return False
    last = np.asarray(result.attentions[-1])
    return last.shape[-1] == last.shape[-2] and patch_grid(last.shape[-1]) is not None


def attention_figure(result: Result, layer: int = -1, head: int | str | None = 0) -> Figure:
    """One layer's attention: token × token for text, [CLS] over patches for images."""
    index, weights, head_label = _layer_head(result, layer, head)
    if is_image_attention(result):
        return _image_attention(result, index, weights, head_label)
    return _token_attention(result, index, weights, head_label)


def _labels(tokens: list[str] | None, n: int) -> list[str] | None:
    """Axis labels: the tokens, then ``img 0``, ``img 1``... for positions past the text (models
    such as ViLT and LayoutLMv3 attend over text and image patches together)."""
    if not tokens:
        return None
    shown = [display_token(t) for t in tokens[:n]]
    return shown + [f"img {i}" for i in range(n - len(shown))]


def _token_attention(result: Result, index: int, weights: np.ndarray, head_label: str) -> Figure:
    q, k = weights.shape
    tokens = list(result.tokens) if result.tokens is not None else None
    # Labelled tokens need room; unlabelled positions (audio frames) make a compact square.
    size = float(np.clip(0.2 * max(q, k) + 2.5, 4.5, 11) if tokens else
                 np.clip(0.04 * max(q, k) + 4, 4.5, 7))
    fig = new_figure(size + 1.0, size + 0.6)
    ax = fig.subplots()
    im = ax.imshow(weights, cmap="Blues", vmin=0, vmax=max(float(weights.max()), 1e-6),
                   gid="attention", interpolation="nearest")
    labels = _labels(tokens, max(q, k))
    if labels:
        token_ticks(ax, "x", labels[:k])
        token_ticks(ax, "y", labels[:q])
    unit = "token" if tokens else "position"
    ax.set_xlabel(f"attended-to {unit} (key)")
    ax.set_ylabel(f"attending {unit} (query)")
    ax.set_title(_which(result, index, head_label), loc="left")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02, label="attention weight")
    return decorate(fig, result)


def _patch_map(weights: np.ndarray) -> np.ndarray:
    """The [CLS] row over the patches, as a ``side × side`` grid (without a [CLS] token: the
    attention each patch receives, averaged over queries)."""
    prefix, side = patch_grid(weights.shape[-1])  # type: ignore[misc]
    row = weights[0, prefix:] if prefix else weights.mean(axis=0)
    return row.reshape(side, side)


def _image_attention(result: Result, index: int, weights: np.ndarray, head_label: str) -> Figure:
    from PIL import Image

    image = input_image(result)
    assert image is not None  # is_image_attention checked it
    grid = _patch_map(weights)
    h, w = image.shape[:2]
    scaled = (grid - grid.min()) / (float(np.ptp(grid)) or 1.0)
    smooth = np.asarray(Image.fromarray((scaled * 255).astype(np.uint8)).resize(
        (w, h), Image.Resampling.BILINEAR), dtype=np.float32) / 255
    fig = new_figure(11, 4.2)
    left, middle, right = fig.subplots(1, 3)
    left.imshow(image)
    left.set_title("input", loc="left")
    im = middle.imshow(grid, cmap="inferno", gid="attention", interpolation="nearest")
    middle.set_title(f"[CLS] → {grid.shape[0]}×{grid.shape[1]} patches", loc="left")
    fig.colorbar(im, ax=middle, fraction=0.046, pad=0.02)
    right.imshow(image)
    right.imshow(smooth, cmap="inferno", alpha=0.6, gid="overlay")
    right.set_title("overlay", loc="left")
    for ax in (left, middle, right):
        ax.set_axis_off()
    return decorate(fig, result, _which(result, index, head_label))


def attention_grid_figure(result: Result, max_layers: int = 4, max_heads: int = 4) -> Figure:
    """Small multiples: every layer (rows) × head (columns), up to ``max_layers`` × ``max_heads``
    (the last layers when there are more)."""
    layers = list(result.attentions or ())[-max_layers:]
    first = len(result.attentions or ()) - len(layers)
    heads = min(max_heads, max(np.asarray(a).shape[0] if np.ndim(a) == 3 else 1 for a in layers))
    image = is_image_attention(result)
    fig = new_figure(1.2 * heads + 1.2, 1.2 * len(layers) + 1.0)
    axes = fig.subplots(len(layers), heads, squeeze=False)
    for r, weights in enumerate(layers):
        weights = np.asarray(weights, dtype=np.float32)
        weights = weights[None] if weights.ndim == 2 else weights
        for c in range(heads):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if c < weights.shape[0]:
                ax.imshow(_patch_map(weights[c]) if image else weights[c],
                          cmap="inferno" if image else "Blues", gid="attention",
                          interpolation="nearest")
            if r == 0:
                ax.set_title(f"head {c}", fontsize=MIN_FONT)
            if c == 0:
                ax.set_ylabel(f"layer {first + r}", fontsize=MIN_FONT)
    return decorate(fig, result, "[CLS] over patches" if image else "query × key per head")
