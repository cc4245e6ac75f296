"""QR codes for kiosks and stores: a survey link tagged with its location, as PNG or SVG.

Codes are made locally with ``segno`` (no service is called). Error correction level M is the
default: posters get scratched, but a higher level makes the code denser and harder to scan from
across a counter.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import segno

from cxloop.surveys.channels.base import with_query

LOCATION_PARAM = "loc"  # the survey link's query parameter naming the store, kiosk or counter
_LOCATION = re.compile(r"[A-Za-z0-9_-]{1,64}")

ErrorLevel = Literal["l", "m", "q", "h"]


@dataclass(frozen=True, slots=True)
class QrImage:
    """One QR code: the URL it holds and its size in modules (without the quiet zone)."""

    url: str
    version: int
    modules: int
    png: bytes
    svg: bytes


def is_location(value: str) -> bool:
    """Whether ``value`` is a location tag (1-64 of ``A-Z a-z 0-9 _ -``)."""
    return bool(_LOCATION.fullmatch(value))


def location_link(survey_url: str, location: str) -> str:
    """The survey link tagged with a location (``?loc=store-12``)."""
    if urlsplit(survey_url).scheme not in ("http", "https"):
        raise ValueError("survey_url must be an http(s) URL")
    if not is_location(location):
        raise ValueError("location must be 1-64 characters of A-Z a-z 0-9 _ -")
    return with_query(survey_url, {LOCATION_PARAM: location})


def make_qr(
    url: str,
    *,
    scale: int = 10,
    border: int = 4,
    error: ErrorLevel = "m",
    title: str = "",
) -> QrImage:
    """A QR code for ``url`` as PNG and SVG bytes (``scale`` pixels per module, 4-module border)."""
    if not 1 <= scale <= 100 or not 0 <= border <= 20:
        raise ValueError("scale must be 1..100 and border 0..20")
    code = segno.make_qr(url, error=error, boost_error=False)
    png = io.BytesIO()
    code.save(png, kind="png", scale=scale, border=border)
    svg = io.BytesIO()
    code.save(svg, kind="svg", scale=scale, border=border, title=title or None, encoding="utf-8")
    width, _height = code.symbol_size(border=0)
    return QrImage(url, int(code.version), int(width), png.getvalue(), svg.getvalue())
