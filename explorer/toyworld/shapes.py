"""The shapes world: CLEVR-like scenes of circles, squares and triangles, drawn from a seed.

Every scene comes with its ground truth for free: labels, colours, boxes, instance / semantic /
panoptic masks, a depth map, keypoints, a caption and question–answer pairs. The same seed always
gives the same scene (numpy's seeded generator + PIL drawing, no other randomness).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

KINDS = ("circle", "square", "triangle")
LABELS = ("background", *KINDS)
"""Semantic labels; a pixel's id in ``Scene.semantic`` indexes this tuple."""
COLOURS = {"red": (220, 45, 40), "green": (40, 165, 60), "blue": (40, 85, 215),
           "yellow": (235, 195, 25)}
FAR = 10.0
"""Depth of the plain background; shapes are nearer (smaller depth), larger ones nearer still."""
FLOOR_NEAR = 5.5
"""Depth of a floor's bottom row; it recedes to ``FAR`` at the top, behind every shape."""
DIRECTIONS = ("moving left", "moving right")
Size = int | tuple[int, int]


@dataclass(frozen=True)
class Shape:
    """One shape of a scene (pixel coordinates, x to the right, y down)."""

    kind: str
    colour: str
    box: tuple[int, int, int, int]
    """``(x0, y0, x1, y1)`` of its visible pixels, inclusive–exclusive."""
    centre: tuple[float, float]
    vertices: tuple[tuple[float, float], ...]
    """Corners (none for a circle)."""
    depth: float

    @property
    def keypoints(self) -> tuple[tuple[float, float], ...]:
        """Its vertices, then its centre."""
        return (*self.vertices, self.centre)


@dataclass(frozen=True)
class Scene:
    image: Image.Image
    shapes: tuple[Shape, ...]
    """Back to front: a later shape may cover an earlier one."""
    instances: np.ndarray
    """``(h, w)`` int: 0 for background, ``i + 1`` where shape ``i`` is visible (panoptic ids)."""
    depth: np.ndarray
    """``(h, w)`` float32 distance: background ``FAR`` (or the ground strip, nearer towards the
    bottom; or the floor, ``FLOOR_NEAR`` at the bottom to ``FAR`` at the top), each shape nearer,
    larger shapes nearer."""
    caption: str
    qa: tuple[tuple[str, str], ...]

    @property
    def labels(self) -> list[str]:
        return [s.kind for s in self.shapes]

    @property
    def colours(self) -> list[str]:
        return [s.colour for s in self.shapes]

    @property
    def boxes(self) -> list[tuple[int, int, int, int]]:
        return [s.box for s in self.shapes]

    @property
    def masks(self) -> np.ndarray:
        """``(n, h, w)`` bool instance masks (visible pixels)."""
        return self.instances[None] == np.arange(1, len(self.shapes) + 1)[:, None, None]

    @property
    def semantic(self) -> np.ndarray:
        """``(h, w)`` uint8 ids into ``LABELS``."""
        ids = np.array([0] + [LABELS.index(s.kind) for s in self.shapes], dtype=np.uint8)
        return ids[self.instances]


@dataclass(frozen=True)
class Clip:
    """A short clip of one shape moving sideways, for video classification."""

    frames: tuple[Image.Image, ...]
    label: str
    """One of ``DIRECTIONS``."""
    shape: str
    colour: str


def _wh(size: Size) -> tuple[int, int]:
    width, height = (size, size) if isinstance(size, int) else size
    if min(width, height) < 32 or max(width, height) > 1024:
        raise ValueError(f"scene size {width}×{height}: use 32 to 1024 px per side (64–512 is "
                         f"what the toy models were trained for)")
    return width, height


def _outline(kind: str, x: float, y: float, side: float) -> tuple[tuple[float, float], ...]:
    """Corners of a shape whose bounding square has its top-left at (x, y)."""
    if kind == "square":
        return ((x, y), (x + side, y), (x + side, y + side), (x, y + side))
    if kind == "triangle":
        return ((x + side / 2, y), (x + side, y + side), (x, y + side))
    return ()


def _draw(draw: ImageDraw.ImageDraw, kind: str, x: float, y: float, side: float,
          fill: int | tuple[int, int, int]) -> None:
    if kind == "circle":
        draw.ellipse((x, y, x + side - 1, y + side - 1), fill=fill)
    else:
        draw.polygon(_outline(kind, x, y, side - 1), fill=fill)


def _background(rng: np.random.Generator, width: int, height: int,
                ground: bool) -> tuple[Image.Image, np.ndarray]:
    light = int(rng.integers(228, 252))
    tint = rng.integers(-6, 7, size=3)
    colour = tuple(int(np.clip(light + t, 0, 255)) for t in tint)
    image = Image.new("RGB", (width, height), colour)
    depth = np.full((height, width), FAR, dtype=np.float32)
    if ground:
        horizon = int(height * 0.7)
        ImageDraw.Draw(image).rectangle((0, horizon, width, height), fill=(196, 182, 150))
        rows = np.linspace(FAR, FAR * 0.8, height - horizon, dtype=np.float32)
        depth[horizon:] = rows[:, None]
    return image, depth


def _floor_depth(row: float | np.ndarray, height: int) -> np.ndarray:
    """Distance of a floor seen at a slant at ``row`` (0 at the top): ``FAR / (1 + k v)`` with
    ``v = row / (height - 1)``, as on a ground plane."""
    slant = np.asarray(row, dtype=np.float32) / np.float32(height - 1)
    return np.float32(FAR) / (1 + np.float32(FAR / FLOOR_NEAR - 1) * slant)


def _floor(rng: np.random.Generator, width: int, height: int) -> tuple[Image.Image, np.ndarray]:
    """A floor receding from the bottom of the image to the top, lighter with distance."""
    rows = _floor_depth(np.arange(height, dtype=np.float32), height)
    near = np.array([172, 150, 118]) + rng.integers(-12, 13, size=3)
    far = np.array([236, 230, 218]) + rng.integers(-8, 9, size=3)
    fade = ((rows - FLOOR_NEAR) / (FAR - FLOOR_NEAR))[:, None]
    colours = np.clip(near + (far - near) * fade, 0, 255).astype(np.uint8)
    image = Image.fromarray(np.repeat(colours[:, None], width, axis=1), "RGB")
    return image, np.repeat(rows[:, None], width, axis=1)


def _place(rng: np.random.Generator, width: int, height: int, count: int,
           scale: tuple[float, float]) -> list[tuple[float, float, float]]:
    """Non-overlapping squares ``(x, y, side)``; fewer than ``count`` if the image is full."""
    placed: list[tuple[float, float, float]] = []
    short = min(width, height)
    for _ in range(60 * count):
        if len(placed) == count:
            break
        side = float(rng.uniform(*scale) * short)
        x = float(rng.uniform(1, width - side - 1))
        y = float(rng.uniform(1, height - side - 1))
        if all(x + side + 2 < px or px + ps + 2 < x or y + side + 2 < py or py + ps + 2 < y
               for px, py, ps in placed):
            placed.append((x, y, side))
    return placed


def _caption(shapes: Sequence[Shape]) -> str:
    ordered = sorted(shapes, key=lambda s: s.centre[0])
    return " left of ".join(f"a {s.colour} {s.kind}" for s in ordered)


def _questions(shapes: Sequence[Shape]) -> tuple[tuple[str, str], ...]:
    qa = [("how many shapes are there?", str(len(shapes)))]
    kinds = [s.kind for s in shapes]
    for kind in KINDS:
        qa.append((f"is there a {kind}?", "yes" if kind in kinds else "no"))
    for shape in shapes:
        if kinds.count(shape.kind) == 1:
            qa.append((f"what color is the {shape.kind}?", shape.colour))
    for colour in dict.fromkeys(s.colour for s in shapes):
        qa.append((f"how many {colour} shapes are there?",
                   str(sum(s.colour == colour for s in shapes))))
    return tuple(qa)


def scene(seed: int, size: Size = 128, *, count: int | None = None, ground: bool = False,
          floor: bool = False, scale: tuple[float, float] = (0.22, 0.42)) -> Scene:
    """A scene of ``count`` shapes (1–4 at random) on a plain light background (``ground``: with
    a ground strip; ``floor``: on a floor receding from the bottom of the image to the top, the
    depth world). ``size`` is a side or ``(width, height)``; ``scale`` bounds a shape's side as
    a fraction of the image's shorter side."""
    width, height = _wh(size)
    rng = np.random.default_rng(seed)
    wanted = int(rng.integers(1, 5)) if count is None else count
    image, depth = _floor(rng, width, height) if floor else _background(rng, width, height, ground)
    placed = _place(rng, width, height, wanted, scale)
    placed.sort(key=lambda p: p[2])  # far (small) first: nearer shapes are drawn over them
    draw = ImageDraw.Draw(image)
    ids = Image.new("I", (width, height), 0)
    draw_ids = ImageDraw.Draw(ids)
    styles = []
    for i, (x, y, side) in enumerate(placed, start=1):
        kind = KINDS[int(rng.integers(len(KINDS)))]
        colour = list(COLOURS)[int(rng.integers(len(COLOURS)))]
        _draw(draw, kind, x, y, side, COLOURS[colour])
        _draw(draw_ids, kind, x, y, side, i)
        styles.append((kind, colour, x, y, side))
    instances = np.asarray(ids, dtype=np.int32)
    short = min(width, height)
    shapes = []
    for i, (kind, colour, x, y, side) in enumerate(styles, start=1):
        rows, cols = np.nonzero(instances == i)
        near = float(FAR * 0.6 - 5.0 * side / short)  # side 0.2 → 5.0, side 0.45 → 3.75
        depth[instances == i] = near
        centre = (x + side / 2, y + side * (2 / 3 if kind == "triangle" else 1 / 2))
        shapes.append(Shape(kind, colour, (int(cols.min()), int(rows.min()), int(cols.max()) + 1,
                                           int(rows.max()) + 1),
                            centre, _outline(kind, x, y, side - 1), near))
    return Scene(image, tuple(shapes), instances.astype(np.int16), depth, _caption(shapes),
                 _questions(shapes))


def single_shape(seed: int, size: Size = 64) -> Scene:
    """One shape, large enough to name: the image-classification world."""
    return scene(seed, size, count=1, scale=(0.35, 0.75))


def clip(seed: int, size: Size = 64, frames: int = 8) -> Clip:
    """A shape sliding left or right across a plain background, ``frames`` frames."""
    width, height = _wh(size)
    rng = np.random.default_rng(seed)
    kind = KINDS[int(rng.integers(len(KINDS)))]
    colour = list(COLOURS)[int(rng.integers(len(COLOURS)))]
    direction = DIRECTIONS[int(rng.integers(len(DIRECTIONS)))]
    side = float(rng.uniform(0.25, 0.4) * min(width, height))
    y = float(rng.uniform(1, height - side - 1))
    start, end = 1.0, width - side - 1
    if direction == "moving left":
        start, end = end, start
    background = tuple(int(v) for v in rng.integers(228, 252, size=3))
    images = []
    for x in np.linspace(start, end, frames):
        image = Image.new("RGB", (width, height), background)
        _draw(ImageDraw.Draw(image), kind, float(x), y, side, COLOURS[colour])
        images.append(image)
    return Clip(tuple(images), direction, kind, colour)
