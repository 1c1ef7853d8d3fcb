"""Product photos: checked by content with Pillow, re-encoded (no EXIF), with a thumbnail.

Files are content-addressed under MEDIA_ROOT/photos, so the same image is stored once and
can be cached forever by browsers.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow refuses larger images (decompression bombs) with an error we turn into a 4xx.
Image.MAX_IMAGE_PIXELS = 40_000_000
FULL_SIZE = 1600
THUMB_SIZE = 320
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


class InvalidImage(ValueError):
    pass


@dataclass(frozen=True)
class StoredImage:
    key: str
    width: int
    height: int


def photo_dir() -> Path:
    return Path(current_app.config["MEDIA_ROOT"]) / "photos"


def store_image(data: bytes, folder: Path | None = None) -> StoredImage:
    """Validates, strips metadata, writes <key>.jpg and <key>-thumb.jpg; returns the key."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise InvalidImage(f"unsupported image format {probe.format}")
            probe.verify()
        with Image.open(io.BytesIO(data)) as opened:
            image: Image.Image = ImageOps.exif_transpose(opened).convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        raise InvalidImage(str(error)) from error
    image.thumbnail((FULL_SIZE, FULL_SIZE))
    full = io.BytesIO()
    image.save(full, "JPEG", quality=85, optimize=True)
    key = hashlib.sha256(full.getvalue()).hexdigest()[:40]
    target = folder or photo_dir()
    target.mkdir(parents=True, exist_ok=True)
    full_path = target / f"{key}.jpg"
    if not full_path.exists():
        full_path.write_bytes(full.getvalue())
        thumb = image.copy()
        thumb.thumbnail((THUMB_SIZE, THUMB_SIZE))
        thumb.save(target / f"{key}-thumb.jpg", "JPEG", quality=80, optimize=True)
    return StoredImage(key, image.width, image.height)
