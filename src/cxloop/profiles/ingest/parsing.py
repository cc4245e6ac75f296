"""Reading uploaded files into rows with line numbers: encodings, JSON Lines (CSV: csvfiles).

Undecodable bytes do not abort a file: each is kept as a surrogate escape (U+DC00 + the byte) and
the validator rejects just the row (and the field) it appears in, naming the byte. A declared
encoding must be a text encoding (not base64, zlib, rot13, ...).
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

import orjson

from cxloop.profiles.ingest.csvfiles import iter_csv
from cxloop.profiles.ingest.rows import FileProblem as FileProblem
from cxloop.profiles.ingest.rows import ParsedRow as ParsedRow
from cxloop.profiles.ingest.rows import printable as printable
from cxloop.profiles.ingest.rows import undecodable

SNIFF_BYTES = 64 * 1024
FORMATS = ("csv", "jsonl", "json")
UNDECODABLE = "cxloop-undecodable"
# text codecs that do not describe the bytes of a file (names as codecs.lookup gives them)
NOT_FILE_ENCODINGS = frozenset(
    {"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape"}
)


def _keep_bytes(exc: UnicodeError) -> tuple[str, int]:
    """Decode each undecodable byte as U+DC00 + the byte.

    As ``surrogateescape`` does, but for every byte: it refuses bytes below 0x80, which in
    UTF-16 and UTF-32 are part of broken code units too (a lone surrogate, a unit cut short at the
    end of the file, a code point past U+10FFFF), and then the decoder raises.
    """
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "".join(chr(0xDC00 + b) for b in exc.object[exc.start : exc.end]), exc.end


codecs.register_error(UNDECODABLE, _keep_bytes)


def text_encoding(declared: str) -> str:
    """The codec name of a declared encoding; a FileProblem unless it decodes bytes into text."""
    try:
        name = codecs.lookup(declared).name
        if name not in NOT_FILE_ENCODINGS:
            io.TextIOWrapper(io.BytesIO(), encoding=name)  # LookupError for base64, zlib, ...
            return name
    except LookupError:
        pass
    raise FileProblem(
        f"{declared!r} is not a text encoding; use one such as utf-8, utf-16, big5, gb18030, "
        "shift_jis, cp874 or cp1252",
        field="encoding",
    )


def _byte_order(sample: bytes, size: int) -> str | None:
    """The byte order ("le", "be") that UTF-16 (``size`` 2) or UTF-32 (4) text shows, or None.

    ASCII characters (line ends, delimiters, digits) are one non-zero byte and zeros: first in
    little-endian, last in big-endian code units.
    """
    units = [sample[i : i + size] for i in range(0, len(sample) - size + 1, size)]
    le = sum(1 for u in units if u[0] and not any(u[1:]))
    be = sum(1 for u in units if u[-1] and not any(u[:-1]))
    if le > 2 * be:
        return "le"
    if be > 2 * le:
        return "be"
    return None


def detect_encoding(head: bytes, declared: str | None = None) -> tuple[str, int]:
    """Return the codec to read with and the length of the byte-order mark to skip."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return ("utf-32-le" if head.startswith(codecs.BOM_UTF32_LE) else "utf-32-be"), 4
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    if declared:
        name = text_encoding(declared)
        if name in ("utf-16", "utf-32"):  # without a byte-order mark, as seen above
            order = _byte_order(head[:4096], 2 if name == "utf-16" else 4)
            if order is None:
                raise FileProblem(
                    "the file has no byte-order mark and its text does not show the byte "
                    f"order: declare {name}-le or {name}-be",
                    field="encoding",
                )
            return f"{name}-{order}", 0
        return name, 0
    sample = head[:4096]
    if len(sample) >= 4:
        even_nul = sample[0::2].count(0)
        odd_nul = sample[1::2].count(0)
        half = len(sample) // 2
        if odd_nul > half * 0.3 and even_nul < half * 0.05:
            return "utf-16-le", 0
        if even_nul > half * 0.3 and odd_nul < half * 0.05:
            return "utf-16-be", 0
    return "utf-8", 0


def detect_format(filename: str | None, head_text: str) -> str:
    """Guess csv, jsonl or json from the file name, else from the first character."""
    name = (filename or "").lower()
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".json"):
        return "json"
    if name.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    first = head_text.lstrip()[:1]
    if first == "{":
        return "jsonl"
    if first == "[":
        return "json"
    return "csv"


def iter_file(
    stream: IO[bytes],
    filename: str | None = None,
    fmt: str | None = None,
    encoding: str | None = None,
) -> tuple[str, str, Iterable[ParsedRow]]:
    """Open an uploaded file; return (format, encoding, rows)."""
    head = stream.read(SNIFF_BYTES)
    enc, bom = detect_encoding(head, encoding)
    try:
        sample = codecs.getincrementaldecoder(enc)(errors="replace").decode(head[bom:], final=False)
    except UnicodeError as exc:
        raise FileProblem(undecodable(exc), 1) from exc
    stream.seek(bom)
    chosen = fmt or detect_format(filename, sample)
    if chosen not in FORMATS:
        raise FileProblem(f"unknown format {chosen!r}; use one of {', '.join(FORMATS)}")
    if chosen == "jsonl" and enc == "utf-8" and b"\r" not in head.replace(b"\r\n", b""):
        return chosen, enc, iter_jsonl(stream)  # read as bytes (see JsonLines)
    text = io.TextIOWrapper(stream, encoding=enc, errors=UNDECODABLE, newline="")
    if chosen == "csv":
        return chosen, enc, iter_csv(text, sample)
    if chosen == "jsonl":
        return chosen, enc, iter_jsonl(text)
    return chosen, enc, iter_json_array(text)


def _loads(line: str) -> tuple[Any, str | None]:
    try:
        return orjson.loads(line), None
    except orjson.JSONDecodeError as exc:
        msg = str(exc)
        if "surrogates not allowed" in msg or "UTF-8" in msg:
            return None, "is not valid UTF-8 text; re-save the file as UTF-8"
        return None, f"is not valid JSON: {msg}"


def parse_line(number: int, line: str) -> ParsedRow | None:
    """The row of one JSON Lines line (None for a blank line)."""
    stripped = line.strip()
    if not stripped:
        return None
    try:
        value = orjson.loads(stripped)
    except orjson.JSONDecodeError:
        return ParsedRow(number, None, stripped, _loads(stripped)[1])
    if value.__class__ is dict:
        return ParsedRow(number, value, stripped)
    return ParsedRow(number, None, stripped, "must be a JSON object")


def _text(line: str | bytes) -> str:
    return line.decode("utf-8", "surrogateescape") if isinstance(line, bytes) else line


def _parse_utf8(number: int, line: bytes) -> ParsedRow | None:
    """``parse_line`` of a UTF-8 line, without decoding it first when it holds a JSON object."""
    try:
        value = orjson.loads(line)  # strict UTF-8, and only JSON white space around the value
    except orjson.JSONDecodeError:
        value = None
    if value.__class__ is dict:
        return ParsedRow(number, value, line.strip().decode())  # as str.strip() would give
    return parse_line(number, _text(line))  # the same row, or the same error, as text


def _parse_any(number: int, line: str | bytes) -> ParsedRow | None:
    return _parse_utf8(number, line) if isinstance(line, bytes) else parse_line(number, line)


def parse_lines(first: int, lines: Sequence[str | bytes]) -> list[ParsedRow]:
    """Rows of consecutive JSON Lines (text, or UTF-8 bytes), the first one numbered ``first``."""
    out: list[ParsedRow] = []
    for number, line in enumerate(lines, start=first):
        row = _parse_any(number, line)
        if row is not None:
            out.append(row)
    return out


class JsonLines:
    """Rows of a JSON Lines file: iterated as rows, or read as blocks of raw lines (to be parsed
    elsewhere, e.g. by worker processes); both ways share one position in the file.

    A UTF-8 file is read as bytes (its lines end at ``\\n``), so that blocks are handed over
    without being decoded here; any other file is read as text.
    """

    def __init__(self, source: io.TextIOWrapper | io.StringIO | IO[bytes]) -> None:
        self.source = source
        self.next_line = 1

    def block(self, size_hint: int) -> tuple[int, Sequence[str | bytes]] | None:
        """The next ~``size_hint`` characters of whole lines and the number of the first one."""
        try:
            lines = self.source.readlines(size_hint)
        except UnicodeError as exc:
            raise FileProblem(undecodable(exc), self.next_line) from exc
        if not lines:
            return None
        first = self.next_line
        self.next_line += len(lines)
        return first, lines

    def __iter__(self) -> Iterator[ParsedRow]:
        # line by line, so that a consumer stopping early leaves the rest to ``blocks``
        try:
            for line in self.source:
                self.next_line += 1
                row = _parse_any(self.next_line - 1, line)
                if row is not None:
                    yield row
        except UnicodeError as exc:
            raise FileProblem(undecodable(exc), self.next_line) from exc


def iter_jsonl(text: io.TextIOWrapper | io.StringIO | IO[bytes]) -> JsonLines:
    """Rows of a JSON Lines file (one object per line; blank lines skipped)."""
    return JsonLines(text)


def iter_json_array(text: io.TextIOWrapper | io.StringIO) -> Iterator[ParsedRow]:
    """Rows of a JSON file holding one array of objects (numbered by position, from 1)."""
    try:
        content = text.read()
    except UnicodeError as exc:
        raise FileProblem(undecodable(exc)) from exc
    value, problem = _loads(content)
    if problem:
        raise FileProblem(f"the file {problem}")
    if not isinstance(value, list):
        raise FileProblem("a .json file must hold an array of objects")
    for index, item in enumerate(value, start=1):
        raw = orjson.dumps(item).decode() if item is not None else "null"
        if not isinstance(item, dict):
            yield ParsedRow(index, None, raw, "must be a JSON object")
        else:
            yield ParsedRow(index, item, raw)


def rows_from_objects(records: list[Any]) -> Iterator[ParsedRow]:
    """Rows of a REST batch, numbered by position from 1."""
    for index, item in enumerate(records, start=1):
        json = True
        try:
            raw = orjson.dumps(item).decode()
        except (TypeError, orjson.JSONEncodeError):
            raw, json = repr(item)[:10000], False
        if not isinstance(item, dict):
            yield ParsedRow(index, None, raw, "must be a JSON object", json)
        else:
            yield ParsedRow(index, item, raw, json=json)
