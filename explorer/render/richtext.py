"""Wrapped, highlighted text drawn into a matplotlib figure, so text views also save as PNG.

A view describes its text as ``Block``s of ``Piece``s (a run of text with an optional background);
``text_figure`` measures every word with the Agg renderer, wraps lines to the figure width, sizes
the figure to fit, and draws each piece with ``fig.text`` (highlights as rounded boxes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from explorer.render.common import EMBEDDED, MIN_FONT, MUTED, decorate, new_figure
from explorer.results import Result

DPI = 100
MARGIN = 14       # px left/right
HEADER = 58       # px reserved for the two-line title
CAPTION = 20      # px for a block caption


@dataclass(frozen=True)
class Piece:
    """A run of text drawn in one style; ``background`` draws it as a highlighted box."""

    text: str
    background: str | None = None
    color: str = "#111111"
    weight: str = "normal"
    scale: float = 1.0
    gid: str | None = None
    """Tag on the drawn artist (tests find highlights by it)."""


@dataclass(frozen=True)
class Block:
    caption: str | None
    pieces: list[Piece] = field(default_factory=list)


@dataclass
class _Placed:
    piece: Piece
    text: str
    x: float
    line: int


def _split(piece: Piece) -> list[str]:
    """Words with their trailing spaces; highlighted pieces stay whole unless they hold newlines."""
    if piece.background is not None:
        return [part for part in re.split(r"(\n)", piece.text) if part]
    return [w for w in re.findall(r"\n|[^\s\n]+[ \t]*|[ \t]+", piece.text) if w]


def _layout(blocks: list[Block], width_px: float, renderer: Any,
            size: float) -> tuple[list[tuple[int, str | None, list[_Placed], int]], float]:
    """Place words on lines; returns per block ``(first line, caption, placed, n lines)``."""
    line_h = size * 2.4
    laid: list[tuple[int, str | None, list[_Placed], int]] = []
    line = 0
    for block in blocks:
        placed: list[_Placed] = []
        x, first = 0.0, line
        for piece in block.pieces:
            prop = FontProperties(size=max(MIN_FONT, size * piece.scale), weight=piece.weight)
            for word in _split(piece):
                if word == "\n":
                    line, x = line + 1, 0.0
                    continue
                w, _, _ = renderer.get_text_width_height_descent(word.rstrip() or " ", prop,
                                                                  ismath=False)
                if piece.background is not None:
                    w += size * 0.5  # the box padding
                if piece.background is not None and x > 0:
                    x += size * 0.3  # room for the box's left padding
                if x > 0 and x + w > width_px:
                    line, x = line + 1, 0.0
                    word = word.lstrip() if piece.background is None else word
                placed.append(_Placed(piece, word, x, line))
                full, _, _ = renderer.get_text_width_height_descent(
                    word.replace(" ", "\u00a0") or " ", prop, ismath=False)
                x += full + (size * 0.6 if piece.background is not None else 0)
        laid.append((first, block.caption, placed, line - first + 1))
        line += 1
    return laid, line_h


def text_figure(result: Result, blocks: list[Block], width: float = 9.0, size: float = 12.0,
                subtitle: str | None = None) -> Figure:
    """A figure holding ``blocks`` of wrapped, highlighted text under the view's title."""
    fig = new_figure(width, 2.0, constrained=False)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    width_px = width * DPI - 2 * MARGIN
    laid, line_h = _layout(blocks, width_px, renderer, size)
    captions = sum(1 for _, caption, _, _ in laid if caption)
    lines = sum(n for *_, n in laid)
    badge = result.random_weights or bool(result.toy_headline)  # a badge line under the title
    header = 24 if EMBEDDED.get() else HEADER + (24 if badge else 0)
    height_px = header + captions * CAPTION + lines * line_h + len(laid) * 8 + 12
    fig.set_size_inches(width, height_px / DPI)
    y: float = header
    for _, caption, placed, n in laid:
        if caption:
            fig.text(MARGIN / (width * DPI), 1 - (y + CAPTION * 0.7) / height_px, caption.upper(),
                     fontsize=MIN_FONT, color=MUTED, va="baseline")
            y += CAPTION
        first_line = placed[0].line if placed else 0
        for p in placed:
            baseline = y + (p.line - first_line + 0.75) * line_h
            style: dict[str, Any] = dict(fontsize=max(MIN_FONT, size * p.piece.scale),
                                         color=p.piece.color, fontweight=p.piece.weight,
                                         va="baseline", ha="left")
            if p.piece.background is not None:
                style["bbox"] = dict(boxstyle="round,pad=0.2", facecolor=p.piece.background,
                                     edgecolor="none")
            artist = fig.text((MARGIN + p.x) / (width * DPI), 1 - baseline / height_px,
                              p.text.replace(" ", "\u00a0"), **style)
            if p.piece.gid:
                artist.set_gid(p.piece.gid)
        y += n * line_h + 8
    decorate(fig, result, subtitle)
    if fig._suptitle is not None:  # type: ignore[attr-defined]
        fig._suptitle.set_y(1 - 6 / height_px)  # type: ignore[attr-defined]
    return fig


def chain_text(ax: Any, pieces: list[Piece], x: float, y: float, size: float = 11.0) -> list[Any]:
    """One line of differently styled pieces starting at axes fraction ``(x, y)``: each piece is
    anchored to the right end of the one before (matplotlib lays them out at draw time)."""
    artists: list[Any] = []
    for piece in pieces:
        style: dict[str, Any] = dict(fontsize=max(MIN_FONT, size * piece.scale), color=piece.color,
                                     fontweight=piece.weight, va="bottom", ha="left",
                                     annotation_clip=False)
        if piece.background is not None:
            style["bbox"] = dict(boxstyle="round,pad=0.2", facecolor=piece.background,
                                 edgecolor="none")
        text = piece.text.replace(" ", "\u00a0")
        if not artists:
            artist = ax.annotate(text, xy=(x, y), xycoords="axes fraction", **style)
        else:
            gap = 4 if piece.background is not None or artists[-1].get_bbox_patch() else 0
            artist = ax.annotate(text, xy=(1, 0), xycoords=artists[-1], xytext=(gap, 0),
                                 textcoords="offset points", **style)
        if piece.gid:
            artist.set_gid(piece.gid)
        artists.append(artist)
    return artists
