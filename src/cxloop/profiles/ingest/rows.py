"""What file readers yield: a row with its line and raw text, or a problem with the file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class ParsedRow:
    """One record read from a file: its first line number, the fields, and its raw text."""

    line: int
    row: dict[str, Any] | None
    raw: str
    error: str | None = None
    json: bool = True  # whether ``raw`` is the row's JSON text (the payload kept as received)


class FileProblem(ValueError):
    """The file cannot be read (line, reason), or a field saying how to read it is wrong."""

    def __init__(self, reason: str, line: int | None = None, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.field = field


def undecodable(exc: UnicodeError) -> str:
    """Why reading stops where a decoder fails on bytes it cannot even escape."""
    return f"the file cannot be decoded from here on ({exc})"


def printable(raw: str) -> str:
    """Raw text safe to store: undecodable bytes shown as ``\\xNN``, NUL as ``\\x00``."""
    if raw.isascii() and "\x00" not in raw:
        return raw
    out = []
    for ch in raw:
        code = ord(ch)
        if 0xDC00 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        elif code == 0:
            out.append("\\x00")
        else:
            out.append(ch)
    return "".join(out)
