"""Concept diagrams for the course, drawn from live data so they stay true: the class names come
from transformers' own tables, the box coordinates from its own conversion function.

Each function returns a matplotlib figure (it displays itself in Jupyter).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import TYPE_CHECKING, Any, cast

from explorer.render.common import new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_BLUE, _ORANGE, _GREEN, _GREY = "#56B4E9", "#E69F00", "#009E73", "#999999"


def _node(ax: Axes, x: float, y: float, text: str, color: str, width: float = 0.2) -> None:
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - width / 2, y - 0.07), width, 0.14,
                                boxstyle="round,pad=0.01", facecolor=color + "33", edgecolor=color))
    ax.text(x, y, text, ha="center", va="center", fontsize=8.5, family="monospace")


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], label: str = "") -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "->", "color": "#555"})
    if label:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.04, label, ha="center",
                fontsize=7.5, color="#555")


def _blank(ax: Axes) -> None:
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")


def lookup(model_type: str = "bert",
           auto_class: str = "AutoModelForSequenceClassification") -> Figure:
    """config.json → model_type → CONFIG_MAPPING → config class → the Auto class's table → the
    concrete class, with the names read from transformers."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES

    from explorer.catalog import class_names

    config_class = CONFIG_MAPPING_NAMES[model_type]
    model_class = class_names(auto_class).get(model_type, "(no row: the Auto class refuses)")
    table = f"{auto_class}'s table"
    fig = new_figure(9.5, 2.6)
    ax = fig.subplots()
    _blank(ax)
    _node(ax, 0.1, 0.55, f'config.json\nmodel_type: "{model_type}"', _GREY, 0.17)
    _node(ax, 0.36, 0.8, f"CONFIG_MAPPING\n[{model_type!r}]", _BLUE, 0.2)
    _node(ax, 0.36, 0.3, f"{table}\n[{model_type!r}]", _ORANGE, 0.3)
    _node(ax, 0.68, 0.8, config_class, _BLUE, 0.18)
    _node(ax, 0.68, 0.3, model_class, _GREEN, 0.26)
    _node(ax, 0.9, 0.55, "from_pretrained\nfills it with\nthe weights", _GREY, 0.16)
    _arrow(ax, (0.19, 0.6), (0.26, 0.76))
    _arrow(ax, (0.19, 0.5), (0.21, 0.36))
    _arrow(ax, (0.46, 0.8), (0.59, 0.8))
    _arrow(ax, (0.51, 0.3), (0.55, 0.3))
    _arrow(ax, (0.77, 0.8), (0.83, 0.62))
    _arrow(ax, (0.81, 0.3), (0.83, 0.48))
    ax.set_title("What an Auto class does: one key, two tables (names read from this transformers)",
                 fontsize=10)
    return fig


def heads(model_type: str = "bert", auto_classes: Sequence[str] = (
        "AutoModelForSequenceClassification", "AutoModelForTokenClassification",
        "AutoModelForQuestionAnswering", "AutoModelForMaskedLM", "AutoModelForMultipleChoice"),
          ) -> Figure:
    """One body (``AutoModel``'s class) under interchangeable heads, one per Auto class."""
    from explorer.catalog import class_names

    body = class_names("AutoModel")[model_type]
    rows = [(auto, cls) for auto in auto_classes if (cls := class_names(auto).get(model_type))]
    fig = new_figure(9.5, 0.7 + 0.55 * len(rows))
    ax = fig.subplots()
    _blank(ax)
    _node(ax, 0.15, 0.5, f"{body}\n(the body: embeddings\n+ layers, shared)", _BLUE, 0.24)
    for index, (auto, cls) in enumerate(rows):
        y = 0.92 - index * (0.84 / max(len(rows) - 1, 1))
        _node(ax, 0.52, y, auto, _ORANGE, 0.36)
        _node(ax, 0.86, y, cls, _GREEN, 0.26)
        _arrow(ax, (0.28, 0.5), (0.34, y))
        _arrow(ax, (0.70, y), (0.73, y))
    ax.set_title(f"One body, interchangeable heads: what each Auto class builds for {model_type!r}",
                 fontsize=10)
    return fig


def detection_frames(box_cxcywh: tuple[float, float, float, float] = (0.5, 0.45, 0.4, 0.3),
                     image_size: tuple[int, int] = (320, 240),
                     model_size: tuple[int, int] = (64, 48)) -> Figure:
    """One box in the three coordinate frames of detection: the model's input pixels, the model's
    normalised (centre, size) output, and the original image's corner pixels after
    ``post_process_object_detection`` (converted with transformers' own function)."""
    import torch
    from matplotlib.patches import Rectangle
    from transformers.image_transforms import center_to_corners_format

    # Typed for its TensorType enum; it takes and returns torch tensors.
    corners = cast(Any, center_to_corners_format)(torch.tensor([box_cxcywh]))[0]
    width, height = image_size
    pixels = (corners * torch.tensor([width, height, width, height])).tolist()
    fig = new_figure(10, 3.2)
    frames = fig.subplots(1, 3)
    cx, cy, w, h = box_cxcywh
    mw, mh = model_size
    specs = [
        (frames[0], f"1. model input: resized to {mw}×{mh} px", mw, mh,
         (cx * mw - w * mw / 2, cy * mh - h * mh / 2, w * mw, h * mh), "what the model saw"),
        (frames[1], "2. pred_boxes: (cx, cy, w, h) in 0..1", 1, 1,
         (cx - w / 2, cy - h / 2, w, h), f"cx={cx:.2f} cy={cy:.2f}\nw={w:.2f} h={h:.2f}"),
        (frames[2], f"3. post-processed: corners in the\noriginal {width}×{height} px", width, height,
         (pixels[0], pixels[1], pixels[2] - pixels[0], pixels[3] - pixels[1]),
         "x0={:.0f} y0={:.0f}\nx1={:.0f} y1={:.0f}".format(*pixels)),
    ]
    for ax, title, frame_w, frame_h, (x, y, bw, bh), label in specs:
        ax.add_patch(Rectangle((0, 0), frame_w, frame_h, facecolor="#f4f4f4", edgecolor=_GREY))
        ax.add_patch(Rectangle((x, y), bw, bh, fill=False, edgecolor=_ORANGE, linewidth=2))
        ax.text(x + bw / 2, y + bh / 2, label, ha="center", va="center", fontsize=8,
                bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
        # a predicted box may reach outside the image: show all of it
        left, right = min(0, x), max(frame_w, x + bw)
        top, bottom = min(0, y), max(frame_h, y + bh)
        pad_x, pad_y = 0.05 * (right - left), 0.05 * (bottom - top)
        ax.set_xlim(left - pad_x, right + pad_x)
        ax.set_ylim(bottom + pad_y, top - pad_y)  # image rows grow downwards
        ax.set_aspect("equal")
        ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=7)
    fig.suptitle("post_process_object_detection: centre → corners, fractions → original pixels "
                 "(target_sizes)", fontsize=10)
    return fig


def ctc_vs_decoder(frame_tokens: Sequence[str] = ("_", "h", "h", "_", "e", "l", "l", "_", "l",
                                                  "o", "o"), blank: str = "_") -> Figure:
    """CTC: one token per audio frame, collapsed (computed here with groupby); a decoder: one
    forward pass per new token, each fed what came before."""
    merged = [token for token, _ in groupby(frame_tokens)]
    text = "".join(t for t in merged if t != blank)
    fig = new_figure(10, 3.4)
    top, bottom = fig.subplots(2, 1)
    for ax in (top, bottom):
        ax.set_xlim(-0.5, max(len(frame_tokens), len(text) + 2) + 3.5)
        ax.set_ylim(0, 1)
        ax.axis("off")
    for index, token in enumerate(frame_tokens):
        color = _GREY if token == blank else _BLUE
        top.add_patch(_square(index, 0.55, color))
        top.text(index + 0.4, 0.73, token, ha="center", va="center", family="monospace")
        top.text(index + 0.4, 0.4, f"{20 * index}ms", ha="center", fontsize=6.5, color="#555")
    end = len(frame_tokens)
    top.annotate("", xy=(end + 1.0, 0.73), xytext=(end + 0.1, 0.73),
                 arrowprops={"arrowstyle": "->"})
    top.text(end + 1.2, 0.73, repr(text), va="center", family="monospace", fontsize=11)
    top.set_title("CTC: one forward pass → a token per ~20 ms frame → merge repeats, drop blanks "
                  f"({blank!r})", fontsize=9.5, loc="left")
    steps = ["<start>"] + list(text)
    for index in range(len(text)):
        fed = "".join(steps[1:index + 1])
        bottom.text(0, 0.85 - index * 0.19, f"pass {index + 1}: decoder(audio, <start>{fed})"
                    f"  →  {text[index]!r}", family="monospace", fontsize=8.5)
    bottom.set_title("Decoder (Whisper): one forward pass per new token, a loop (generate)",
                     fontsize=9.5, loc="left")
    return fig


def _square(x: float, y: float, color: str):  # type: ignore[no-untyped-def]
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 0.8, 0.36, facecolor=color + "33", edgecolor=color)
