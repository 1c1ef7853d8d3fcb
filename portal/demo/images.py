"""Demo product pictures drawn with Pillow: a tinted tile, a shape and the category's code."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, ImageFont

SIZE = 600
SHAPES = 3
"""Pictures per subcategory: one per shape."""

Colour = tuple[int, int, int]


def _mix(colour: Colour, other: Colour, share: float) -> Colour:
    r, g, b = (round(a + (b - a) * share) for a, b in zip(colour, other, strict=True))
    return (r, g, b)


def _polygon(sides: int, radius: float, turn: float) -> list[tuple[float, float]]:
    centre = SIZE / 2
    return [
        (
            centre + radius * math.cos(turn + 2 * math.pi * k / sides),
            centre + radius * math.sin(turn + 2 * math.pi * k / sides),
        )
        for k in range(sides)
    ]


def product_picture(code: str, colour: Colour, shape: int) -> bytes:
    """A 600x600 JPEG: the category's colour, one of SHAPES shapes and a short ASCII code.

    Pillow's bundled font has no Polish letters, so the code (an SKU prefix) is ASCII; the
    bundled font keeps the pictures, and so their content-hash keys, the same on every machine.
    """
    image = Image.new("RGB", (SIZE, SIZE), _mix(colour, (255, 255, 255), 0.82))
    draw = ImageDraw.Draw(image)
    fill = _mix(colour, (0, 0, 0), 0.1 * shape)
    margin = 110
    if shape % SHAPES == 0:
        draw.ellipse((margin, margin, SIZE - margin, SIZE - margin), fill=fill)
    elif shape % SHAPES == 1:
        draw.rounded_rectangle((margin, margin, SIZE - margin, SIZE - margin), 60, fill=fill)
    else:
        draw.polygon(_polygon(6, SIZE / 2 - margin + 20, math.pi / 6), fill=fill)
    # A lighter band along the bottom, like a label on a shelf.
    draw.rectangle((0, SIZE - 70, SIZE, SIZE), fill=_mix(colour, (255, 255, 255), 0.55))
    font = ImageFont.load_default(size=120)
    draw.text((SIZE / 2, SIZE / 2), code, font=font, fill=(255, 255, 255), anchor="mm")
    small = ImageFont.load_default(size=34)
    draw.text((SIZE / 2, SIZE - 35), f"{code}-{shape + 1}", font=small, fill=fill, anchor="mm")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()
