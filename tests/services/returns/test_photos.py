"""RMA photos: checked by content, bombs refused, EXIF gone, stored once per content."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from portal.returns.photos import (
    MAX_BYTES,
    PhotoRefused,
    photo_path,
    process,
    store,
)


def image_bytes(fmt: str, size=(120, 80), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, fmt, **save)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims enormous dimensions: decoding it would eat the memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_are_taken_and_become_jpeg(fmt):
    photo = process(image_bytes(fmt), filename="x")
    assert photo.source_format == fmt
    assert Image.open(io.BytesIO(photo.full)).format == "JPEG"
    assert Image.open(io.BytesIO(photo.thumb)).size[0] <= 320


def test_a_jpeg_renamed_png_is_still_a_jpeg():
    assert process(image_bytes("JPEG"), filename="holiday.png").source_format == "JPEG"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.7\n1 0 obj << >> endobj\n", "not a JPEG, PNG or WebP"),
        (image_bytes("GIF"), "not a JPEG, PNG or WebP"),
        (image_bytes("BMP"), "not a JPEG, PNG or WebP"),
        (b"", "empty"),
        (image_bytes("JPEG")[:200], "damaged"),
    ],
)
def test_what_is_not_a_photo_is_refused(data, words):
    with pytest.raises(PhotoRefused) as refused:
        process(data, filename="photo.jpg")
    assert words in refused.value.message and refused.value.status == 422


def test_an_image_bomb_is_refused_before_it_is_decoded():
    with pytest.raises(PhotoRefused) as refused:
        process(png_header_only(100_000, 100_000), filename="bomb.png")
    assert "too many pixels" in refused.value.message


def test_more_than_10_mb_is_refused():
    with pytest.raises(PhotoRefused) as refused:
        process(b"\xff\xd8" + b"\x00" * MAX_BYTES, filename="big.jpg")
    assert "larger than 10 MB" in refused.value.message


def test_exif_with_the_gps_position_is_gone_after_re_encoding():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 24.0, 0.0)}  # GPSInfo
    original = image_bytes("JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(original)).getexif()
    photo = process(original)
    cleaned = Image.open(io.BytesIO(photo.full))
    assert not cleaned.getexif() and "exif" not in cleaned.info


def test_an_upright_photo_stays_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90°: the phone held upright
    photo = process(image_bytes("JPEG", size=(200, 100), exif=exif.tobytes()))
    assert (photo.width, photo.height) == (100, 200)


def test_the_same_photo_is_stored_once(app, tmp_path):
    data = image_bytes("PNG")
    first = store(data, folder=tmp_path)
    second = store(data, folder=tmp_path)
    assert first == second
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"{first.key}-thumb.jpg",
        f"{first.key}.jpg",
    ]
    with app.app_context():
        assert photo_path(first.key, thumb=True).name == f"{first.key}-thumb.jpg"
