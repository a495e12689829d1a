"""Image views: boxes, masks, depth, keypoints, feature maps, image outputs."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from explorer.render.common import (
    ACCENT,
    MIN_FONT,
    MUTED,
    color,
    decorate,
    input_image,
    label_colors,
    new_figure,
    plural,
    rgb,
    shorten,
    text_color_on,
)
from explorer.results import (
    Answer,
    DepthMap,
    DetectedObject,
    Detections,
    FeatureMaps,
    ImageOutput,
    Keypoints,
    Recognition,
    Result,
    Segmentation,
)

MAX_LEGEND = 20


def _canvas_image(result: Result, size: tuple[int, int] | None) -> np.ndarray:
    """The input image, or a light grey stand-in of ``size`` (w, h) when it was not kept."""
    image = input_image(result)
    if image is not None:
        return image
    w, h = size or (224, 224)
    return np.full((max(1, h), max(1, w), 3), 235, np.uint8)


def _image_figure(image: np.ndarray, panels: int = 1, extra_width: float = 0.0,
                  height: float = 4.8) -> tuple[Figure, Any]:
    """A figure sized so ``panels`` images of this aspect sit side by side at ``height``."""
    h, w = image.shape[:2]
    aspect = w / max(h, 1)
    width = float(np.clip(panels * (height - 1.0) * aspect + extra_width + 0.6, 5.0, 14.0))
    fig = new_figure(width, height)
    axes = fig.subplots(1, panels, squeeze=False)[0]
    return fig, axes


def _legend(ax: Any, entries: dict[str, str], title: str | None = None) -> None:
    items = list(entries.items())
    handles = [Patch(facecolor=c, label=shorten(label, 26)) for label, c in items[:MAX_LEGEND]]
    if len(items) > MAX_LEGEND:
        handles.append(Patch(facecolor="white", edgecolor=MUTED,
                             label=f"+{len(items) - MAX_LEGEND} more"))
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
                  title=title, alignment="left")


# ---------------------------------------------------------------------------- detection


def clip_box(box: Any, width: int, height: int) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in box)
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    return (min(max(x0, 0.0), width), min(max(y0, 0.0), height),
            min(max(x1, 0.0), width), min(max(y1, 0.0), height))


def detection_figure(result: Detections, threshold: float | None = None) -> Figure:
    """The image with one box per object scoring at least ``threshold`` (default: the run's),
    clipped to the image; colour per label (Okabe-Ito). Labels go above, inside or below their
    box wherever they overlap no other label; the rest are left off (the legend names the
    colours, the title says how many)."""
    limit = result.threshold if threshold is None else float(threshold)
    shown = [o for o in result.objects if o.score >= limit]
    image = _canvas_image(result, result.image_size)
    h, w = image.shape[:2]
    ranked = sorted(shown, key=lambda o: -o.score)
    colors = label_colors([o.label for o in ranked])
    fig, (ax,) = _image_figure(image, extra_width=1.6 if colors else 0)
    ax.imshow(image)
    for obj in reversed(ranked):  # best drawn last, on top
        x0, y0, x1, y1 = clip_box(obj.box, w, h)
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False,
                               edgecolor=colors[obj.label], linewidth=2, gid="box"))
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    ax.set_axis_off()
    _legend(ax, colors)
    hidden = len(result.objects) - len(shown)
    title = ax.set_title(f"{plural(len(shown), 'object')} with score ≥ {limit:.2f}"
                         + (f" ({hidden} below)" if hidden else ""), loc="left")
    left_off = _label_boxes(fig, ax, ranked, colors, w, h)
    if left_off:
        title.set_text(f"{title.get_text()}; {plural(left_off, 'label')} left off where boxes "
                       "overlap")
    return decorate(fig, result, f"image {w}×{h}")


def _label_boxes(fig: Figure, ax: Any, ranked: list[DetectedObject], colors: dict[str, str], w: int,
                 h: int) -> int:
    """Put each box's "label score" where it overlaps no label placed before (best boxes
    first): above the box, inside its top, inside its bottom, below it. Returns how many found
    no free place (those get none: stacked labels cannot be read)."""
    fig.canvas.draw()  # settle the layout, so text extents are where they will be drawn
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)
    placed: list[Any] = []
    left_off = 0
    for obj in ranked:
        x0, y0, x1, y1 = clip_box(obj.box, w, h)
        c = colors[obj.label]
        for y, va in ((y0, "bottom"), (y0, "top"), (y1, "bottom"), (y1, "top")):
            text = ax.text(x0, y, f"{shorten(obj.label, 20)} {obj.score:.2f}", fontsize=MIN_FONT,
                           va=va, ha="left", color=text_color_on(c), clip_on=True, gid="label",
                           bbox=dict(boxstyle="square,pad=0.15", facecolor=c, edgecolor="none"))
            extent = text.get_window_extent(renderer).expanded(1.0, 1.25)
            inside = frame.x0 <= extent.x0 and extent.x1 <= frame.x1 + 1 and \
                frame.y0 <= extent.y0 and extent.y1 <= frame.y1 + 1
            if inside and not any(extent.overlaps(other) for other in placed):
                placed.append(extent)
                break
            text.remove()
        else:
            left_off += 1
    return left_off


# ---------------------------------------------------------------------------- segmentation


def _resize_mask(mask: np.ndarray, width: int, height: int) -> np.ndarray:
    """Nearest-neighbour resize of an integer mask to the image's size."""
    if mask.shape == (height, width):
        return mask
    rows = (np.arange(height) * mask.shape[0] / height).astype(int)
    cols = (np.arange(width) * mask.shape[1] / width).astype(int)
    return mask[rows][:, cols]


def segment_colors(result: Segmentation) -> tuple[dict[int, str], dict[str, str]]:
    """``({segment id: colour}, {legend label: colour})``: semantic maps colour by label,
    instance / panoptic / mask results give every segment its own colour."""
    if result.kind == "semantic":
        by_label = label_colors([s.label for s in result.segments])
        return {s.id: by_label[s.label] for s in result.segments}, by_label
    by_id = {s.id: color(i) for i, s in enumerate(result.segments)}
    legend = {}
    for s in result.segments:
        name = f"{s.label} #{s.id}" + (f" {s.score:.2f}" if s.score is not None else "")
        legend[name] = by_id[s.id]
    return by_id, legend


def segmentation_figure(result: Segmentation, alpha: float = 0.55) -> Figure:
    """The image beside the same image with a semi-transparent colour per segment, and a legend."""
    image = _canvas_image(result, (result.mask_shape[1], result.mask_shape[0]))
    h, w = image.shape[:2]
    mask = _resize_mask(np.asarray(result.mask), w, h)
    by_id, legend = segment_colors(result)
    overlay = np.zeros((h, w, 4))
    for seg_id, c in by_id.items():
        overlay[mask == seg_id] = (*rgb(c), alpha)
    fig, (left, right) = _image_figure(image, panels=2, extra_width=2.0)
    left.imshow(image)
    left.set_title("input", loc="left")
    right.imshow(image)
    right.imshow(overlay, gid="overlay", interpolation="nearest")
    right.set_title(f"{result.kind}: {plural(len(result.segments), 'segment')}", loc="left")
    for ax in (left, right):
        ax.set_axis_off()
    _legend(right, legend)
    return decorate(fig, result, f"mask {result.mask_shape[1]}×{result.mask_shape[0]}")


# ---------------------------------------------------------------------------- depth


def depth_figure(result: DepthMap, cmap: str = "magma") -> Figure:
    """The image and its predicted depth, colour-mapped, with a colour bar."""
    depth = np.asarray(result.depth, dtype=np.float32)
    image = _canvas_image(result, (depth.shape[1], depth.shape[0]))
    fig, (left, right) = _image_figure(image, panels=2, extra_width=1.0)
    left.imshow(image)
    left.set_title("input", loc="left")
    im = right.imshow(depth, cmap=cmap, gid="depth")
    right.set_title(f"depth {depth.shape[1]}×{depth.shape[0]} "
                    f"(min {result.min:.3g}, max {result.max:.3g})", loc="left")
    for ax in (left, right):
        ax.set_axis_off()
    fig.colorbar(im, ax=right, fraction=0.046, pad=0.02, label="predicted depth")
    return decorate(fig, result)


# ---------------------------------------------------------------------------- keypoints


def keypoints_figure(result: Keypoints, threshold: float = 0.0) -> Figure:
    """Keypoints scoring at least ``threshold`` over the image, skeleton edges between them."""
    image = _canvas_image(result, result.image_size)
    h, w = image.shape[:2]
    fig, (ax,) = _image_figure(image)
    ax.imshow(image)
    points = list(result.keypoints)
    keep = [p.score >= threshold for p in points]
    for a, b in result.edges:
        if a < len(points) and b < len(points) and keep[a] and keep[b]:
            ax.plot([points[a].x, points[b].x], [points[a].y, points[b].y], color=ACCENT,
                    linewidth=1.8, alpha=0.9, gid="edge")
    shown = [p for p, k in zip(points, keep) if k]
    if shown:
        scores = np.array([p.score for p in shown])
        dots = ax.scatter([p.x for p in shown], [p.y for p in shown], c=scores, cmap="viridis",
                          vmin=0, vmax=max(1.0, float(scores.max())), s=28, edgecolors="white",
                          linewidths=0.8, zorder=3, gid="keypoints")
        fig.colorbar(dots, ax=ax, fraction=0.046, pad=0.02, label="score")
        if len(shown) <= 40:
            for p in shown:
                if p.label:
                    ax.annotate(shorten(p.label, 14), (p.x, p.y), xytext=(4, 3), fontsize=MIN_FONT,
                                textcoords="offset points", color="white",
                                bbox=dict(boxstyle="square,pad=0.1", facecolor="#00000088",
                                          edgecolor="none"))
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    ax.set_axis_off()
    edges = f", {plural(len(result.edges), 'edge')}" if result.edges else ""
    ax.set_title(plural(len(shown), "keypoint") + edges, loc="left")
    return decorate(fig, result, f"image {w}×{h}")


# ---------------------------------------------------------------------------- feature maps


def _normalised(channel: np.ndarray) -> np.ndarray:
    lo, hi = float(np.min(channel)), float(np.max(channel))
    return (channel - lo) / (hi - lo) if hi > lo else np.zeros_like(channel)


def channel_strip(fmap: np.ndarray, channels: int) -> tuple[np.ndarray, int]:
    """The first ``channels`` channels of a ``(c, h, w)`` map side by side, each scaled to its own
    range, separated by NaN gaps (drawn blank); returns ``(strip, channels shown)``. One image per
    stage keeps the figure fast however many channels are shown."""
    planes = fmap if fmap.ndim == 3 else fmap.reshape(1, fmap.shape[0] if fmap.ndim == 2 else 1,
                                                      -1)
    k = max(1, min(channels, len(planes)))
    h, w = planes.shape[1:]
    gap = max(1, w // 8)
    strip = np.full((h, k * w + (k - 1) * gap), np.nan, dtype=np.float32)
    for c in range(k):
        strip[:, c * (w + gap):c * (w + gap) + w] = _normalised(planes[c])
    return strip, k


def feature_maps_figure(result: FeatureMaps, channels: int = 6) -> Figure:
    """Per stage (rows): its first ``channels`` channels side by side, each scaled to its own
    range; the stage's shape in the row title."""
    import matplotlib

    maps = [np.asarray(m, dtype=np.float32) for m in result.maps]
    stages = list(result.stages) + [f"stage {i}" for i in range(len(result.stages), len(maps))]
    image = input_image(result)
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="white")
    fig = new_figure(11, 1.0 + 1.6 * max(len(maps), 1))
    columns = 2 if image is not None else 1
    grid = fig.subplots(max(len(maps), 1), columns, squeeze=False,
                        width_ratios=[1, 5] if columns == 2 else None)
    shown = 0
    for row, (name, fmap) in enumerate(zip(stages, maps)):
        ax = grid[row, -1]
        strip, shown = channel_strip(fmap, channels)
        ax.imshow(strip, cmap=cmap, gid="channels", interpolation="nearest")
        ax.set_axis_off()
        shape = " × ".join(map(str, result.shapes.get(name, fmap.shape)))
        ax.set_title(f"{shorten(name, 24)}  ·  {shape}  ·  channels 0–{shown - 1}", loc="left",
                     fontsize=MIN_FONT)
        if columns == 2:
            grid[row, 0].set_axis_off()
    if image is not None:
        grid[0, 0].imshow(image)
        grid[0, 0].set_title("input", loc="left", fontsize=MIN_FONT)
    return decorate(fig, result, f"{plural(len(maps), 'stage')}, first {channels} channels each")


# ---------------------------------------------------------------------------- image output


def image_output_figure(result: ImageOutput) -> Figure:
    """The output image beside the input."""
    out = np.asarray(result.image)
    image = input_image(result)
    panels = [("input", image)] if image is not None else []
    panels.append((f"output {out.shape[1]}×{out.shape[0]}", out))
    fig, axes = _image_figure(out, panels=len(panels))
    for ax, (title, picture) in zip(axes, panels):
        ax.imshow(picture)
        ax.set_axis_off()
        size = f" {picture.shape[1]}×{picture.shape[0]}" if title == "input" else ""
        ax.set_title(title + size, loc="left")
    return decorate(fig, result)


# ---------------------------------------------------------------------------- recognition


def recognition_figure(result: Recognition) -> Figure:
    """The input image with what the model read under it (text, or table structure tokens)."""
    image = _canvas_image(result, None)
    fig, (ax,) = _image_figure(image, height=3.6)
    ax.imshow(image)
    ax.set_axis_off()
    import textwrap

    what = "table structure" if result.structure else "text"
    read = result.text or "(nothing read)"
    score = "" if result.score is None else f"  (confidence {result.score:.2f})"
    ax.set_title(f"input {image.shape[1]}×{image.shape[0]}", loc="left")
    lines = textwrap.wrap(f"{what}: {read}{score}", width=56, max_lines=4, placeholder=" …")
    ax.text(0.0, -0.08, "\n".join(lines), transform=ax.transAxes, va="top", ha="left",
            fontsize=12, gid="recognised")
    return decorate(fig, result)


# ---------------------------------------------------------------------------- document QA

WORD_BOX = "#E69F00"  # Okabe-Ito orange: apart from the answer's blue (ACCENT)


def document_figure(result: Answer) -> Figure:
    """The page with a thin box round every word the model read (OCR) and the answer's words
    filled, so a reader can check the answer is where the page says it."""
    image = _canvas_image(result, None)
    h, w = image.shape[:2]
    first, last = result.answer_words if result.answer_words is not None else (-1, -2)
    fig, (ax,) = _image_figure(image, height=5.6)
    ax.imshow(image)
    for index, box in enumerate(result.word_boxes):
        x0, y0, x1, y1 = clip_box((box[0] * w / 1000, box[1] * h / 1000, box[2] * w / 1000,
                                   box[3] * h / 1000), w, h)
        if first <= index <= last:
            ax.add_patch(Rectangle((x0 - 1, y0 - 1), x1 - x0 + 2, y1 - y0 + 2, facecolor=ACCENT,
                                   alpha=0.35, edgecolor=ACCENT, linewidth=2, gid="answer-word"))
        else:
            ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor=WORD_BOX,
                                   linewidth=1.0, gid="word"))
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    ax.set_axis_off()
    span = f"words {first + 1}–{last + 1}" if last > first else f"word {first + 1}"
    where = f" ({span}, filled)" if result.answer_words is not None else ""
    ax.set_title(f"{plural(len(result.word_boxes), 'word')} read by OCR (boxed)\nanswer "
                 f"“{shorten(result.answer or '(empty)', 32)}”{where}", loc="left")
    return decorate(fig, result)
