"""Where a big model's weights sit: one lane per device (GPU, CPU, disk), the modules in model
order along the bytes axis, so a reader sees which layers accelerate placed where and how much
each device holds.

    placement_figure(loaded.report.placement)    # or render(result, "device_map")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure

from explorer.render.common import MUTED, decorate, img_tag, new_figure, text_color_on
from explorer.results import Result

Placement = Sequence[tuple[str, str, int]]
"""``(module, device, bytes)`` in model order (``LoadReport.placement``)."""

# GPUs green / teal, CPU blue, disk grey: the slower the storage, the duller the colour.
_GPU_COLORS = ("#009E73", "#44AA99", "#117733", "#88CCEE")
_COLORS = {"cpu": "#0072B2", "mps": "#CC79A7", "disk": "#8C8C8C", "meta": "#BBBBBB"}
_ORDER = {"cpu": 90, "mps": 80, "disk": 99}


def device_color(device: str) -> str:
    if device.startswith("cuda") or device.isdigit():
        index = int(device.rsplit(":", 1)[-1]) if device[-1].isdigit() else 0
        return _GPU_COLORS[index % len(_GPU_COLORS)]
    return _COLORS.get(device, "#E69F00")


def _lanes(placement: Placement) -> list[str]:
    """Devices fastest first: GPUs, then mps, cpu, disk."""
    return sorted(dict.fromkeys(d for _, d, _ in placement), key=lambda d: (_ORDER.get(d, 0), d))


def _mib(count: float) -> str:
    return f"{count / 2**20:,.1f} MiB" if count >= 2**20 else f"{count / 2**10:,.1f} KiB"


def _axis_unit(total: int) -> tuple[str, int]:
    """KiB for toy models, GiB past 10 GiB, else MiB."""
    if total < 2**20:
        return "KiB", 2**10
    return ("GiB", 2**30) if total > 10 * 2**30 else ("MiB", 2**20)


def _short(module: str) -> str:
    """``bert.encoder.layer.3`` → ``layer.3``; ``""`` (the whole model) → ``(model)``."""
    parts = module.split(".") if module else ["(model)"]
    return ".".join(parts[-2:]) if parts[-1].isdigit() else parts[-1]


def lane_summary(modules: Sequence[str]) -> str:
    """Module names with numbered runs folded: ``embed_tokens · layers 0–9 · norm``."""
    parts: list[list] = []  # [stem, first, last] for numbered runs, [name] otherwise
    for module in modules:
        stem, _, last = module.rpartition(".")
        if last.isdigit():
            if parts and len(parts[-1]) == 3 and parts[-1][0] == stem:
                parts[-1][2] = int(last)
                continue
            parts.append([stem, int(last), int(last)])
        else:
            parts.append([_short(module)])
    shown = [p[0] if len(p) == 1 else f"{p[0].rsplit('.', 1)[-1]} {p[1]}" +
             (f"–{p[2]}" if p[2] != p[1] else "") for p in parts]
    return " · ".join(shown[:4]) + (" · …" if len(shown) > 4 else "")


def placement_figure(placement: Placement, title: str | None = None) -> Figure:
    """The device map as lanes: each module a block as wide as its bytes, in its device's lane."""
    lanes = _lanes(placement)
    unit, scale = _axis_unit(sum(size for _, _, size in placement))
    total = sum(size for _, _, size in placement) / scale or 1.0
    fig = new_figure(9.5, 1.3 + 0.55 * len(lanes))
    ax = fig.subplots()
    start: float = 0
    for module, device, count in placement:
        if count <= 0:
            continue  # dropout and other weightless modules
        size = count / scale
        lane = lanes.index(device)
        color = device_color(device)
        ax.barh(lane, size, left=start, height=0.7, color=color, edgecolor="white",
                linewidth=1.0, gid=f"module:{module or '(model)'}:{device}")
        label = _short(module)
        if size / total > 0.012 + 0.0075 * len(label):  # only where the name fits
            ax.text(start + size / 2, lane, label, ha="center", va="center",
                    fontsize=7.5, color=text_color_on(color), clip_on=True)
        start += size
    _label_lanes(ax, [(m, d, s / scale) for m, d, s in placement], lanes, total)
    labels = []
    for device in lanes:
        held = [(m, s) for m, d, s in placement if d == device and s > 0]
        labels.append(f"{device}\n{_mib(sum(s for _, s in held))} · "
                      f"{len(held)} module{'s' if len(held) != 1 else ''}")
    ax.set_yticks(range(len(lanes)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, total)
    ax.set_ylim(len(lanes) - 0.5, -0.5)
    ax.set_xlabel(f"{unit} of weights, modules in the order the model runs them")
    ax.grid(axis="x", alpha=0.3)
    if "disk" in lanes:
        ax.set_title("weights on disk are read in while their module runs (slow, but it fits)",
                     fontsize=8, color=MUTED, loc="left")
    if title:
        fig.suptitle(title, fontsize=10, x=0.01, ha="left")
    return fig


def _label_lanes(ax: Any, placement: Sequence[tuple[str, str, float]], lanes: list[str],
                 total: float) -> None:
    """Name each lane's modules beside its blocks (sizes in axis units), on whichever side has
    room."""
    start = 0.0
    spans: dict[str, tuple[float, float]] = {}
    for _, device, size in placement:
        first, _ = spans.get(device, (start, start))
        spans[device] = (first, start + size)
        start += size
    for lane, device in enumerate(lanes):
        text = lane_summary([m for m, d, s in placement if d == device and s > 0])
        first, last = spans[device]
        right = total - last >= first
        ax.text(last + total * 0.01 if right else first - total * 0.01, lane, text,
                ha="left" if right else "right", va="center", fontsize=7.5, color=MUTED)


def device_map_figure(result: Result) -> Figure:
    """The device map of the model that made ``result`` (loaded with ``device_map``)."""
    fig = placement_figure(result.placement or ())
    return decorate(fig, result, subtitle="device map: where each module's weights sit")


def placement_html(placement: Placement) -> str:
    """The picture as an ``<img>`` for load reports ("" without a device map)."""
    if not placement:
        return ""
    return img_tag(placement_figure(placement), "device map: where each module's weights sit")


__all__ = ["device_color", "device_map_figure", "lane_summary", "placement_figure",
           "placement_html"]
