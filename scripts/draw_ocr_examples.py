"""Draw the two OCR example images in explorer/examples (run once; the PNGs are committed).

    python scripts/draw_ocr_examples.py
"""

from __future__ import annotations

import csv
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

EXAMPLES = Path(__file__).resolve().parent.parent / "explorer" / "examples"


def text_line(text: str = "auto classes pick the model") -> Image.Image:
    font = ImageFont.load_default(size=20)
    width = int(font.getlength(text)) + 16
    image = Image.new("RGB", (width, 32), "white")
    ImageDraw.Draw(image).text((8, 4), text, fill="black", font=font)
    return image


def table(rows: list[list[str]]) -> Image.Image:
    font = ImageFont.load_default(size=14)
    widths = [int(max(font.getlength(r[i]) for r in rows)) + 16 for i in range(len(rows[0]))]
    height = 24
    image = Image.new("RGB", (sum(widths) + 1, height * len(rows) + 1), "white")
    draw = ImageDraw.Draw(image)
    for r, row in enumerate(rows):
        x = 0
        for c, cell in enumerate(row):
            draw.rectangle((x, r * height, x + widths[c], (r + 1) * height), outline="black")
            draw.text((x + 8, r * height + 4), cell, fill="black", font=font)
            x += widths[c]
    return image


if __name__ == "__main__":
    text_line().save(EXAMPLES / "text_line.png", optimize=True)
    with open(EXAMPLES / "table.csv", newline="") as f:
        table(list(csv.reader(f))).save(EXAMPLES / "table.png", optimize=True)
