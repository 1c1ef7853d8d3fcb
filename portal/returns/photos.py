"""RMA photos from a phone: checked by content (JPEG, PNG or WebP, whatever the file is
called), at most 10 MB and 40 megapixels (an image bomb is refused before it is decoded),
re-encoded as JPEG without EXIF (no GPS position leaves with the photo), with a thumbnail.

Files are content-addressed under MEDIA_ROOT/rma: the same photo is stored once, and a file
written for a submission that then failed is harmless (nothing points at it; the next
identical upload reuses it). They are served only through the RMA's own page.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.accounts.models import User
from portal.core.db import db
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.documents.models import DocumentLine
from portal.returns.models import PhotoStage, RmaPhoto

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
"""Checked before decoding: a 40-megapixel photo is more than any phone takes."""
MAX_PHOTOS_PER_LINE = 8
FULL_SIZE = 1600
THUMB_SIZE = 320
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})

# Pillow's own guard (a DecompressionBombError past twice this) stays on as a second line.
Image.MAX_IMAGE_PIXELS = max(Image.MAX_IMAGE_PIXELS or 0, MAX_PIXELS)


class PhotoRefused(DomainError):
    """Not a photo we take: the message says why, for the field it came from."""

    status = 422


@dataclass(frozen=True)
class ProcessedPhoto:
    key: str
    full: bytes
    thumb: bytes
    width: int
    height: int
    source_format: str


@dataclass(frozen=True)
class StoredPhoto:
    key: str
    width: int
    height: int
    size: int


def process(data: bytes, *, filename: str = "") -> ProcessedPhoto:
    """Checks and re-encodes one upload; raises PhotoRefused with a message for the user."""
    name = filename or _("The photo")
    if not data:
        raise PhotoRefused(_("%(name)s is empty.", name=name))
    if len(data) > MAX_BYTES:
        raise PhotoRefused(_("%(name)s is larger than 10 MB.", name=name))
    try:
        with warnings.catch_warnings():
            # Pillow warns (then refuses) past its own limit; ours below speaks first.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                source_format = opened.format or ""
                if source_format not in ACCEPTED_FORMATS:
                    raise PhotoRefused(_("%(name)s is not a JPEG, PNG or WebP image.", name=name))
                width, height = opened.size
                if width * height > MAX_PIXELS:
                    raise PhotoRefused(
                        _("%(name)s has too many pixels (at most 40 megapixels).", name=name)
                    )
                if source_format == "JPEG":
                    # Decode at a reduced scale straight from the JPEG: a 10 MB photo in
                    # a fraction of a second instead of decoding every pixel.
                    opened.draft("RGB", (FULL_SIZE, FULL_SIZE))
                image = ImageOps.exif_transpose(opened)
                image = image.convert("RGB") if image.mode != "RGB" else image
                image.load()
    except PhotoRefused:
        raise
    except Image.DecompressionBombError as error:
        raise PhotoRefused(
            _("%(name)s has too many pixels (at most 40 megapixels).", name=name)
        ) from error
    except UnidentifiedImageError as error:
        raise PhotoRefused(_("%(name)s is not a JPEG, PNG or WebP image.", name=name)) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise PhotoRefused(_("%(name)s is damaged and cannot be read.", name=name)) from error
    image.thumbnail((FULL_SIZE, FULL_SIZE), Image.Resampling.BILINEAR)
    full = io.BytesIO()
    image.save(full, "JPEG", quality=85)  # no exif=: nothing of the original's metadata
    thumb_image = image.copy()
    thumb_image.thumbnail((THUMB_SIZE, THUMB_SIZE), Image.Resampling.BILINEAR)
    thumb = io.BytesIO()
    thumb_image.save(thumb, "JPEG", quality=80)
    key = hashlib.sha256(full.getvalue()).hexdigest()[:40]
    return ProcessedPhoto(
        key=key,
        full=full.getvalue(),
        thumb=thumb.getvalue(),
        width=image.width,
        height=image.height,
        source_format=source_format,
    )


def photo_dir() -> Path:
    return Path(current_app.config["MEDIA_ROOT"]) / "rma"


def photo_path(key: str, *, thumb: bool = False) -> Path:
    return photo_dir() / (f"{key}-thumb.jpg" if thumb else f"{key}.jpg")


def store(data: bytes, *, filename: str = "", folder: Path | None = None) -> StoredPhoto:
    """Processes one upload and writes <key>.jpg and <key>-thumb.jpg (once per content)."""
    photo = process(data, filename=filename)
    target = folder or photo_dir()
    target.mkdir(parents=True, exist_ok=True)
    full_path = target / f"{photo.key}.jpg"
    if not full_path.exists():
        _write(target / f"{photo.key}-thumb.jpg", photo.thumb)
        _write(full_path, photo.full)  # last: its presence means both are complete
    return StoredPhoto(photo.key, photo.width, photo.height, len(photo.full))


def _write(path: Path, data: bytes) -> None:
    """Atomically: a reader never sees half a file, two writers of one key never clash."""
    temporary = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def add_photo(
    line: DocumentLine,
    data: bytes | StoredPhoto,
    *,
    stage: PhotoStage,
    actor: User | None,
    filename: str = "",
) -> RmaPhoto:
    """A photo of an RMA line (filing or inspection), in the caller's transaction: the file
    is stored first (content-addressed, so a rollback leaves only a harmless file)."""
    stored = data if isinstance(data, StoredPhoto) else store(data, filename=filename)
    photo = RmaPhoto(
        document_line_id=line.id,
        stage=stage,
        image_key=stored.key,
        width=stored.width,
        height=stored.height,
        uploaded_by_id=actor.id if actor else None,
    )
    db.session.add(photo)
    return photo
