"""How long one 10 MB phone photo takes to check, re-encode and thumbnail (target: <= 1 s).

.venv/bin/python -m bench.rma_photo
"""

from __future__ import annotations

import io
import os
import time

from PIL import Image

from portal.returns.photos import MAX_BYTES, process


def ten_megabyte_jpeg() -> bytes:
    """A noisy 24-megapixel photo at high quality: about 10 MB, like a phone's."""
    width, height = 6000, 4000
    noise = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image = Image.blend(base, noise, 0.35)
    for quality in (92, 88, 84, 80, 75):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if out.tell() <= MAX_BYTES:
            return out.getvalue()
    raise SystemExit("could not make a photo under 10 MB")


def main() -> None:
    data = ten_megabyte_jpeg()
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        photo = process(data, filename="bench.jpg")
        timings.append(time.perf_counter() - start)
    timings.sort()
    print(
        f"rma photo: {len(data) / 1_000_000:.1f} MB {photo.source_format} -> "
        f"{photo.width}x{photo.height} JPEG {len(photo.full) / 1000:.0f} kB; "
        f"best {timings[0]:.3f} s, median {timings[2]:.3f} s, worst {timings[-1]:.3f} s "
        f"(target <= 1 s)"
    )


if __name__ == "__main__":
    main()
