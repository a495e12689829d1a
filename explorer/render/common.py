"""Shared pieces of every view: title, random-weights badge, palette, figures, HTML snippets.

Figures are plain ``matplotlib.figure.Figure`` objects on an Agg canvas, never registered with
pyplot: nothing to close, and the user's notebook backend is left alone. Their style goes through
matplotlib's global ``rcParams`` (``style()``), which threads share: ``style()`` holds a lock, so
renders in several threads (the dashboard's Run worker and a notebook cell) take turns and the
user's own ``rcParams`` come back unchanged. ``ViewFigure`` adds ``_repr_png_`` so a returned
figure shows in a notebook even before pyplot was imported.
"""

from __future__ import annotations

import base64
import html
import io
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from explorer.results import Result

RANDOM_BADGE = "random weights — output is meaningless"

# Okabe-Ito (colour-blind safe) first, then Paul Tol's muted set for results with many labels.
PALETTE = (
    "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000",
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255",
    "#AA4499",
)
ACCENT = "#0072B2"   # single-series charts (bars, curves)
SECOND = "#D55E00"   # a second series (end logits, alternatives)
BADGE_RED = "#B00020"
BADGE_TOY = "#E8EEF4"  # neutral: a toy model's output is meaningful, within its toy world
MUTED = "#555555"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"

MIN_FONT = 11
"""Smallest text in any figure (points): readable on a projector."""
MAX_TICK_LABELS = 30
"""More labels than this on an axis are thinned to every k-th one."""

# Applied while a view draws and while it is saved: readable sizes, light grid, no top/right spines.
STYLE = {
    "font.size": 12, "axes.titlesize": 12, "axes.labelsize": 12, "xtick.labelsize": MIN_FONT,
    "ytick.labelsize": MIN_FONT, "legend.fontsize": MIN_FONT, "axes.spines.top": False,
    "axes.spines.right": False, "axes.grid": False, "grid.alpha": 0.3, "figure.dpi": 100,
    "savefig.dpi": 100,
}


# Set while to_html draws its figures: the HTML header already shows the title and the badge, so
# the figures inside it leave them out.
EMBEDDED: ContextVar[bool] = ContextVar("explorer_render_embedded", default=False)


@contextmanager
def embedded() -> Iterator[None]:
    token = EMBEDDED.set(True)
    try:
        yield
    finally:
        EMBEDDED.reset(token)


class ViewFigure(Figure):
    """A Figure that shows itself as PNG in IPython whatever the active backend."""

    def _repr_png_(self) -> bytes:
        return figure_png(self)


_STYLE_LOCK = threading.RLock()  # re-entrant: a view may draw inside another's style()


@contextmanager
def style() -> Iterator[None]:
    """matplotlib's ``rc_context`` with ``STYLE``, one thread at a time: two overlapping
    rc_contexts would restore each other's settings and leave the global ``rcParams`` changed."""
    import matplotlib

    with _STYLE_LOCK, matplotlib.rc_context(STYLE):  # type: ignore[arg-type]  # stubs want Literal keys
        yield


def new_figure(width: float, height: float, constrained: bool = True) -> ViewFigure:
    """A figure of ``width`` × ``height`` inches on its own Agg canvas."""
    fig = ViewFigure(figsize=(width, height), layout="constrained" if constrained else None)
    FigureCanvasAgg(fig)
    return fig


def figure_png(fig: Figure, dpi: int | None = None) -> bytes:
    buffer = io.BytesIO()
    with style():
        # Lighter compression than the default: faster to encode, files barely larger.
        fig.savefig(buffer, format="png", dpi=dpi or STYLE["savefig.dpi"], facecolor="white",
                    pil_kwargs={"compress_level": 4})
    return buffer.getvalue()


def img_tag(fig: Figure, alt: str = "") -> str:
    """The figure as an ``<img>`` with an embedded base64 PNG (works offline, in any HTML)."""
    data = base64.b64encode(figure_png(fig)).decode("ascii")
    return (f'<img alt="{esc(alt)}" style="max-width:100%;height:auto;display:block" '
            f'src="data:image/png;base64,{data}"/>')


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


# ---------------------------------------------------------------------------- colours


def color(i: int) -> str:
    """The ``i``-th palette colour (cycles)."""
    return PALETTE[i % len(PALETTE)]


def label_colors(labels: Sequence[str]) -> dict[str, str]:
    """One colour per distinct label, in order of first appearance."""
    return {label: color(i) for i, label in enumerate(dict.fromkeys(labels))}


def rgb(hex_color: str) -> tuple[float, float, float]:
    h = hex_color.lstrip("#")
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def tint(hex_color: str, amount: float = 0.35) -> str:
    """``hex_color`` blended with white: light enough to read black text on."""
    r, g, b = (1 - amount + amount * c for c in rgb(hex_color))
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def text_color_on(hex_color: str) -> str:
    """Black or white, whichever reads better on ``hex_color``."""
    r, g, b = rgb(hex_color)
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "#ffffff"


# ---------------------------------------------------------------------------- titles


def task_name(auto_class: str) -> str:
    """A task name derived from an Auto class's, for results that carry no hub task tag
    (hand-made ones): ``AutoModelForObjectDetection`` → ``object-detection``."""
    words = auto_class.removeprefix("AutoModelFor").removeprefix("Auto")
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", words).lower() or \
        auto_class


def short_checkpoint(checkpoint: str, limit: int = 40) -> str:
    """``zoo:x`` and hub ids as they are; a local path by its last folder name."""
    name = str(checkpoint).rstrip("/\\")
    if not name.startswith("zoo:") and (name.startswith((".", "/", "~")) or name.count("/") > 1
                                        or "\\" in name):
        name = re.split(r"[/\\]", name)[-1]
    return name if len(name) <= limit else "…" + name[-(limit - 1):]


def title_lines(result: Result) -> tuple[str, str]:
    """``("object-detection · detr-tiny",
    "AutoModelForObjectDetection → DetrForObjectDetection")``."""
    name = getattr(result, "hub_task", "") or task_name(result.task)
    first = f"{name} · {short_checkpoint(result.checkpoint)}"
    return first, f"{result.task} → {result.model_class}"


def decorate(fig: Figure, result: Result, subtitle: str | None = None) -> Figure:
    """Title (task, checkpoint, model class) and, for random weights, a red badge under it.

    The badge sits on a blank third title line, anchored to the title, so the layout reserves
    room for it and it never covers the plot or a long title.
    """
    from matplotlib.text import Annotation

    if EMBEDDED.get():
        if subtitle:
            fig.suptitle(subtitle, fontsize=MIN_FONT, x=0.01, ha="left", color=MUTED)
        return fig
    first, second = title_lines(result)
    if subtitle:
        second = f"{second}   |   {subtitle}"
    toy = "" if result.random_weights else getattr(result, "toy_headline", "")
    # Widen a narrow figure (a portrait image) so the title and the toy badge fit on their lines.
    needed = 0.09 * max(len(first), len(second), len(toy)) + 0.4
    if fig.get_figwidth() < needed:
        fig.set_figwidth(needed)
    lines = f"{first}\n{second}" + ("\n\u2007" if result.random_weights or toy else "")
    title = fig.suptitle(lines, fontsize=12, x=0.01, ha="left", color="#111111", linespacing=1.6)
    if result.random_weights or toy:
        text, gid = (f"\u26a0 {RANDOM_BADGE}", "random-badge") if result.random_weights else \
            (toy, "toy-badge")
        badge = Annotation(text, xy=(0, 0), xycoords=title, xytext=(2, 3),
                           textcoords="offset points", ha="left", va="bottom", fontsize=MIN_FONT,
                           color="white" if result.random_weights else "#1d3557",
                           fontweight="bold", annotation_clip=False,
                           bbox=dict(boxstyle="round,pad=0.3", edgecolor="none",
                                     facecolor=BADGE_RED if result.random_weights else BADGE_TOY))
        badge.set_gid(gid)
        fig.add_artist(badge)
    return fig


def badge_text(fig: Figure, gid: str = "random-badge") -> str | None:
    """The badge drawn on ``fig``, if any (for tests and checks): the random-weights one, or
    with ``gid="toy-badge"`` a toy model's headline."""
    from matplotlib.text import Text

    for artist in fig.artists + fig.texts:
        if getattr(artist, "get_gid", lambda: None)() == gid and isinstance(artist, Text):
            return artist.get_text()
    return None


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 segment``, ``3 segments``."""
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def display_token(token: str) -> str:
    """A token as a reader sees it: no byte-level / sentencepiece space markers."""
    cleaned = str(token).replace("\u0120", " ").replace("\u2581", " ").replace("\u010a", "⏎")
    return cleaned.strip() or cleaned or "␣"


def token_ticks(ax: Any, which: str, labels: Sequence[str],
                max_labels: int = MAX_TICK_LABELS) -> None:
    """Label an axis with tokens; long sequences get every k-th one (a 70-label axis cannot be
    read, and text layout is the slow part of drawing)."""
    step = max(1, -(-len(labels) // max_labels))
    if step % 2 == 0:  # an odd step: with blanks between characters (VITS) an even one shows only blanks
        step += 1
    ticks = list(range(0, len(labels), step))
    shown = [shorten(labels[i], 14) for i in ticks]
    if which == "x":
        ax.set_xticks(ticks, shown, rotation=90, fontsize=MIN_FONT)
    else:
        ax.set_yticks(ticks, shown, fontsize=MIN_FONT)


def shorten(text: str, limit: int = 28) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------- HTML


BOX = (f"font-family:{FONT};font-size:14px;line-height:1.5;color:#111;max-width:980px;"
       "border:1px solid #ddd;border-radius:6px;padding:10px 14px;background:#fff")


def html_header(result: Result) -> str:
    """Title, random-weights banner and notes, as inline-styled HTML."""
    first, second = title_lines(result)
    parts = [f'<div style="font-weight:600;font-size:15px">{esc(first)}</div>',
             f'<div style="color:{MUTED};font-size:12px;margin-bottom:6px">{esc(second)}</div>']
    notes = list(result.notes)
    if result.random_weights:
        # The loader's own "random weights: ..." note becomes the banner's hover text.
        about = [n for n in notes if n.lower().startswith("random weights")]
        notes = [n for n in notes if n not in about]
        tip = esc(" ".join(about) or RANDOM_BADGE)
        parts.append(f'<div class="explorer-random-badge" title="{tip}" style="background:'
                     f'{BADGE_RED};color:#fff;font-weight:600;padding:4px 10px;border-radius:4px;'
                     f'margin:4px 0 8px 0;display:inline-block">⚠ {esc(RANDOM_BADGE)}</div>')
    elif getattr(result, "toy_headline", ""):
        parts.append(f'<div class="explorer-toy-badge" style="background:{BADGE_TOY};color:#1d3557;'
                     'font-weight:600;padding:4px 10px;border-radius:4px;margin:4px 0 8px 0;'
                     f'display:inline-block">{esc(result.toy_headline)}</div>')
    if notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in notes)
        parts.append('<ul class="explorer-notes" style="margin:2px 0 8px 0;padding-left:20px;'
                     f'color:#7a4b00;font-size:12px">{items}</ul>')
    return "".join(parts)


def html_box(result: Result, body: str) -> str:
    """The whole self-contained view: header + body in one inline-styled box (no scripts)."""
    return (f'<div class="explorer-result" data-type="{esc(result.type)}" style="{BOX}">'
            f"{html_header(result)}{body}</div>")


def html_section(title: str, content: str) -> str:
    return (f'<div style="margin:8px 0"><div style="font-size:12px;color:{MUTED};'
            f'text-transform:uppercase;letter-spacing:.04em">{esc(title)}</div>{content}</div>')


def html_legend(colors: dict[str, str]) -> str:
    chips = "".join(
        f'<span class="explorer-legend-chip" style="display:inline-block;margin:2px 10px 2px 0;'
        f'font-size:12px">'
        f'<span style="display:inline-block;width:12px;height:12px;border-radius:2px;'
        f'background:{c};vertical-align:middle;margin-right:4px"></span>{esc(label)}</span>'
        for label, c in colors.items())
    return f'<div class="explorer-legend">{chips}</div>'


def html_table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    cell = "padding:2px 10px;border-bottom:1px solid #eee;text-align:left"
    head = "".join(f'<th style="{cell}">{esc(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f'<td style="{cell}">{esc(v)}</td>' for v in row) + "</tr>"
                   for row in rows)
    return (f'<table style="border-collapse:collapse;font-size:13px;margin:4px 0">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


# ---------------------------------------------------------------------------- numbers


def softmax(logits: np.ndarray) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64)
    z = z - np.max(z)
    e = np.exp(z)
    return e / e.sum()


def sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64)))


def image_array(image: Any) -> np.ndarray | None:
    """An RGB PIL image (or array) as ``(h, w, 3)`` uint8, or None."""
    if image is None:
        return None
    return np.asarray(image.convert("RGB") if hasattr(image, "convert") else image)


def input_image(result: Result) -> np.ndarray | None:
    inputs = getattr(result, "inputs", None)
    return image_array(getattr(inputs, "image", None)) if inputs is not None else None


def input_text_line(result: Result, limit: int = 100) -> str | None:
    """The text the run read, quoted on one line (a pair: A and B on two lines), or None."""
    inputs = getattr(result, "inputs", None)
    texts = tuple(getattr(inputs, "text", ()) or ()) if inputs is not None else ()
    if not texts:
        return None
    pair = getattr(inputs, "text_pair", None)
    if pair:
        return f"A “{shorten(texts[0], limit)}”\nB “{shorten(pair, limit)}”"
    return f"“{shorten(texts[0], limit)}”"


def input_audio(result: Result) -> tuple[np.ndarray, int] | None:
    """``(waveform, sampling_rate)`` the run used, or None."""
    inputs = getattr(result, "inputs", None)
    audio = getattr(inputs, "audio", None) if inputs is not None else None
    if inputs is None or audio is None:
        return None
    return np.asarray(audio, dtype=np.float32), int(inputs.sampling_rate or 16000)
