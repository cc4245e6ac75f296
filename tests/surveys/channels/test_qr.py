"""QR codes: the PNG and the SVG each decode back to the location-tagged link.

The images are read independently of the generator: the PNG by a small PNG reader below, the SVG
by rasterising its path, and both are decoded by zxing-cpp.
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
import zlib

import numpy as np
import pytest
import zxingcpp

from cxloop.surveys.channels.qr import LOCATION_PARAM, location_link, make_qr

SVG_NS = "{http://www.w3.org/2000/svg}"
LINK = "https://cx.example/k/Kq3sU9"


def read_png(data: bytes) -> np.ndarray:
    """Greyscale or palette PNG (bit depth 1 or 8) → 8-bit grey array."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, idat = 8, {}, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        assert (
            zlib.crc32(kind + body)
            == struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0]
        )
        if kind == b"IDAT":
            idat += body
        else:
            chunks[kind] = body
        pos += 12 + length
    width, height, depth, color, _c, _f, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert color in (0, 3) and depth in (1, 8) and interlace == 0
    stride = (width * depth + 7) // 8
    raw = zlib.decompress(idat)
    rows, prev = [], bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        ftype, cur = line[0], bytearray(line[1:])
        for i in range(stride):
            a = cur[i - 1] if i else 0
            b, c = prev[i], prev[i - 1] if i else 0
            pred = [0, a, b, (a + b) // 2, _paeth(a, b, c)][ftype]
            cur[i] = (cur[i] + pred) & 0xFF
        rows.append(bytes(cur))
        prev = cur
    bits = np.unpackbits(np.frombuffer(b"".join(rows), np.uint8)).reshape(height, -1)[:, :width]
    values = bits if depth == 1 else np.frombuffer(b"".join(rows), np.uint8).reshape(height, width)
    if color == 3:
        palette = np.frombuffer(chunks[b"PLTE"], np.uint8).reshape(-1, 3)[:, 0]
        return palette[values]
    return (values * 255).astype(np.uint8) if depth == 1 else values


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def rasterise_svg(svg: bytes) -> tuple[np.ndarray, ET.Element]:
    """Draw the SVG's dark path (horizontal unit-width lines, as segno writes them)."""
    root = ET.fromstring(svg)
    size = int(root.get("width", "0")), int(root.get("height", "0"))
    [path] = root.iter(f"{SVG_NS}path")
    scale = float(re.fullmatch(r"scale\(([\d.]+)\)", path.get("transform", "scale(1)")).group(1))  # type: ignore[union-attr]
    n = int(size[0] / scale)
    grid = np.full((n, n), 255, np.uint8)
    x = y = 0.0
    for cmd, args in re.findall(r"([MmHhVv])([-\d.\s]+)", path.get("d", "")):
        nums = [float(v) for v in args.split()]
        if cmd == "M":
            x, y = nums
        elif cmd == "m":
            x, y = x + nums[0], y + nums[1]
        elif cmd == "h":
            grid[int(y), int(x) : int(x + nums[0])] = 0
            x += nums[0]
        else:
            raise AssertionError(f"unexpected path command {cmd}")
    return np.kron(grid, np.ones((4, 4), np.uint8)), root


def decode(image: np.ndarray) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image)]


def test_location_link() -> None:
    assert location_link(LINK, "store-12") == f"{LINK}?{LOCATION_PARAM}=store-12"
    assert location_link(LINK + "?lang=th", "kiosk_3") == f"{LINK}?lang=th&loc=kiosk_3"
    with pytest.raises(ValueError, match="location"):
        location_link(LINK, "store 12&x=1")
    with pytest.raises(ValueError, match="http"):
        location_link("javascript:alert(1)", "store-12")


def test_png_decodes_to_the_link() -> None:
    url = location_link(LINK, "store-12")
    qr = make_qr(url, scale=6, border=4)
    assert qr.png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", qr.png[16:24])
    assert width == height == (qr.modules + 2 * 4) * 6
    assert qr.modules == 4 * qr.version + 17
    image = read_png(qr.png)
    assert image.shape == (height, width)
    assert decode(image) == [url]


def test_svg_is_valid_and_decodes_to_the_link() -> None:
    url = location_link(LINK, "store-12")
    qr = make_qr(url, scale=5, border=4, title="Store 12 — 意見調查")
    image, root = rasterise_svg(qr.svg)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("width") == str((qr.modules + 8) * 5)
    assert root.find(f"{SVG_NS}title").text == "Store 12 — 意見調查"  # type: ignore[union-attr]
    assert image.shape[0] == (qr.modules + 8) * 4
    assert decode(image) == [url]


def test_longer_links_need_larger_versions() -> None:
    short = make_qr("https://cx.example/k/a")
    long = make_qr("https://cx.example/k/" + "a" * 200)
    assert short.version < long.version
    assert long.modules == 4 * long.version + 17
    assert decode(read_png(long.png)) == ["https://cx.example/k/" + "a" * 200]


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="scale"):
        make_qr(LINK, scale=0)
