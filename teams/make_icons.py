"""Draw the Teams app icons (no dependencies): color.png 192x192 (a white policy page with a speech-bubble
tail on blue) and outline.png 32x32 (the same page in white on transparent, as Teams requires).

    python teams/make_icons.py      # rewrites teams/color.png and teams/outline.png
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

Pixel = tuple[int, int, int, int]
BLUE: Pixel = (31, 78, 121, 255)
WHITE: Pixel = (255, 255, 255, 255)
CLEAR: Pixel = (0, 0, 0, 0)


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An 8-bit RGBA PNG of *pixel(x, y)*."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + \
        chunk(b"IEND", b"")


def page(x: float, y: float) -> str:
    """In unit coordinates (0..1): 'page', 'line' (text on the page), 'edge' (its outline) or ''."""
    left, right, top, bottom = 0.25, 0.75, 0.18, 0.72
    inside = left <= x <= right and top <= y <= bottom
    tail = 0.30 <= x <= 0.45 and bottom < y <= bottom + 0.12 and (y - bottom) <= (0.45 - x)
    if not (inside or tail):
        return ""
    if inside and 0.33 <= x <= 0.67 and any(abs(y - row) <= 0.025 for row in (0.32, 0.45, 0.58)):
        return "line"
    near = min(x - left, right - x, y - top, bottom - y) if inside else 0.0
    return "edge" if near < 0.07 or tail else "page"


def color(x: int, y: int) -> Pixel:
    part = page((x + 0.5) / 192, (y + 0.5) / 192)
    return BLUE if part in ("", "line") else WHITE


def outline(x: int, y: int) -> Pixel:
    part = page((x + 0.5) / 32, (y + 0.5) / 32)
    return WHITE if part in ("edge", "line") else CLEAR


def main() -> None:
    here = Path(__file__).resolve().parent
    (here / "color.png").write_bytes(png(192, 192, color))
    (here / "outline.png").write_bytes(png(32, 32, outline))


if __name__ == "__main__":
    main()
