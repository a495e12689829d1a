"""The documents world: a shapes scene written down as an inventory page and as a table.

Each inventory lists a shapes-world scene's shapes (``explorer.toyworld.shapes.scene``) left to
right, one row each: shape, colour and size, then the total. It comes as a rendered page image
with every word and its box (so document QA needs no OCR engine), as table columns (a CSV for
table QA), and with questions whose answers are one word of the page or the cells of the table.
The same seed always gives the same inventory.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from explorer.toyworld.shapes import COLOURS, KINDS, Scene, scene

SIZES = ("small", "medium", "big")
"""A shape's size word, from its longer box side over the scene's shorter side (shapes span
0.22–0.42 of it): below 0.29 small, below 0.35 medium, else big."""
COLUMNS = ("shape", "colour", "size")
TITLE = "Inventory"
TOTAL = "total"
FONT_SIZE = 28
"""Big, clean type: Tesseract reads the page word for word."""
_MARGIN, _LINE = 24, 44
WIDTH = 400
EXAMPLE_TEXT = "Inventory shape colour size circle blue small square red small triangle yellow " \
               "small total 3"
"""The words of ``examples/inventory.png``: the inventory of ``examples/shapes.png``
(``inventory_of(scene(103, (192, 128), count=3))``), given as context to skip OCR."""


@dataclass(frozen=True)
class Row:
    shape: str
    colour: str
    size: str


@dataclass(frozen=True)
class Question:
    question: str
    answer: str
    """The page's answer: one of its words."""
    cells: tuple[tuple[int, int], ...]
    """The table cells ``(row, column)`` that answer, 0-based over the data rows."""
    aggregation: str
    """``NONE`` (the answer is the cells) or ``COUNT`` (the answer is how many cells)."""
    on_page: bool = True
    """Whether the answer is a word of the page (how many shapes of one colour is not)."""


@dataclass(frozen=True)
class Inventory:
    rows: tuple[Row, ...]
    page: Image.Image
    words: tuple[str, ...]
    """The page's words in reading order: title, header, rows, ``total`` and the count."""
    boxes: tuple[tuple[int, int, int, int], ...]
    """Each word's ``(x0, y0, x1, y1)`` in page pixels."""
    questions: tuple[Question, ...]

    @property
    def text(self) -> str:
        """The page's words as one text (what the explorer takes as a document's ``context``)."""
        return " ".join(self.words)

    @property
    def page_boxes(self) -> list[list[int]]:
        """The word boxes on LayoutLM's 0–1000 page grid."""
        w, h = self.page.size
        return [[round(1000 * x0 / w), round(1000 * y0 / h), round(1000 * x1 / w),
                 round(1000 * y1 / h)] for x0, y0, x1, y1 in self.boxes]

    @property
    def table(self) -> dict[str, list[str]]:
        """``{column: cells}``: what the explorer reads from the CSV."""
        return {c: [getattr(r, c) for r in self.rows] for c in COLUMNS}

    @property
    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows((r.shape, r.colour, r.size) for r in self.rows)
        return out.getvalue()


@cache
def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=FONT_SIZE)  # Pillow's bundled scalable font


def _size_word(box: tuple[int, int, int, int], short: int) -> str:
    side = max(box[2] - box[0], box[3] - box[1]) / short
    return SIZES[0] if side < 0.29 else SIZES[1] if side < 0.35 else SIZES[2]


def _render(lines: list[list[str]]) -> tuple[Image.Image, list[str], list[tuple[int, ...]]]:
    """Each line's words left-aligned, a space apart (so OCR reads the page line by line, in
    reading order); the page, its words and their pixel boxes."""
    page = Image.new("RGB", (WIDTH, 2 * _MARGIN + _LINE * len(lines)), "white")
    draw = ImageDraw.Draw(page)
    space = draw.textlength(" ", font=_font())
    words, boxes = [], []
    for i, line in enumerate(lines):
        x, y = float(_MARGIN), _MARGIN + _LINE * i
        for word in line:
            draw.text((x, y), word, fill="black", font=_font())
            words.append(word)
            boxes.append(tuple(int(v) for v in draw.textbbox((x, y), word, font=_font())))
            x += draw.textlength(word, font=_font()) + space
    return page, words, boxes


def _questions(rows: list[Row], rng: random.Random) -> list[Question]:
    """Every question the inventory answers; "colour" / "color" spelt at random."""
    def only(attribute: str, value: str) -> int | None:
        found = [i for i, r in enumerate(rows) if getattr(r, attribute) == value]
        return found[0] if len(found) == 1 else None

    qa = [Question("how many shapes are there?", str(len(rows)),
                   tuple((i, 0) for i in range(len(rows))), "COUNT")]
    for kind in KINDS:
        if (i := only("shape", kind)) is not None:
            spelling = rng.choice(("colour", "color"))
            qa.append(Question(f"what {spelling} is the {kind}?", rows[i].colour, ((i, 1),),
                               "NONE"))
            qa.append(Question(f"what size is the {kind}?", rows[i].size, ((i, 2),), "NONE"))
    for colour in COLOURS:
        if (i := only("colour", colour)) is not None:
            qa.append(Question(f"which shape is {colour}?", rows[i].shape, ((i, 0),), "NONE"))
        found = tuple((i, 0) for i, r in enumerate(rows) if r.colour == colour)
        if found:
            qa.append(Question(f"how many {colour} shapes are there?", str(len(found)), found,
                               "COUNT", on_page=False))
    return qa


def inventory_of(s: Scene, seed: int = 0) -> Inventory:
    """The inventory of scene ``s``'s shapes, listed left to right (``seed`` spells its
    questions' "colour" / "color")."""
    short = min(s.image.size)
    shapes = sorted(s.shapes, key=lambda shape: shape.centre[0])
    rows = [Row(x.kind, x.colour, _size_word(x.box, short)) for x in shapes]
    lines = [[TITLE], list(COLUMNS), *([r.shape, r.colour, r.size] for r in rows),
             [TOTAL, str(len(rows))]]
    page, words, boxes = _render(lines)
    return Inventory(tuple(rows), page, tuple(words), tuple(boxes),  # type: ignore[arg-type]
                     tuple(_questions(rows, random.Random(seed))))


def inventory(seed: int) -> Inventory:
    """The inventory of ``scene(seed)`` (1–4 shapes)."""
    return inventory_of(scene(seed), seed)


def vocabulary() -> list[str]:
    """Every word of the pages and questions."""
    words = [TITLE, *COLUMNS, TOTAL, *KINDS, *COLOURS, *SIZES, *"1234",
             *"how many shapes are there what colour color is the which".split()]
    return list(dict.fromkeys(words))
