"""JSON Lines read as UTF-8 bytes (worker blocks) give exactly the rows read as text would.

The bytes path parses a line before decoding it; any line it is not sure of (not an object,
not strict UTF-8, white space JSON does not allow) goes the text way, so rows, payloads and
errors must be identical either way.
"""

from __future__ import annotations

import io

import orjson
from hypothesis import given
from hypothesis import strategies as st

from cxloop.profiles.ingest.parsing import ParsedRow, iter_jsonl, parse_lines

AROUND = ["", " ", "\t", "\r", "\u3000", "\xa0", "\x85", "\ufeff", "\x0b", "\x0c", "  \t "]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)  # what JSON can hold
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**64 - 1),
    TEXT,
    st.sampled_from(["陳大文", "สมชาย ใจดี", "ＦＵＬＬ", '=HYPERLINK("x")', "a\u3000b"]),
)
OBJECTS = st.dictionaries(TEXT, VALUES, max_size=5)


@st.composite
def lines(draw: st.DrawFn) -> bytes:
    """A line as a file holds it: an object, or something near one, with odd ends."""
    kind = draw(st.sampled_from(["object", "array", "scalar", "blank", "broken", "bad-utf8"]))
    body = orjson.dumps(draw(OBJECTS))
    if kind == "array":
        body = b"[" + body + b"]"
    elif kind == "scalar":
        body = orjson.dumps(draw(VALUES))
    elif kind == "blank":
        body = b""
    elif kind == "broken":
        body = body[: draw(st.integers(0, max(0, len(body) - 1)))]
    elif kind == "bad-utf8":
        cut = draw(st.integers(0, len(body)))
        body = body[:cut] + draw(st.sampled_from([b"\xff", b"\xe9", b"\xed\xa0\x80"])) + body[cut:]
    left = draw(st.sampled_from(AROUND)).encode()
    right = draw(st.sampled_from(AROUND)).encode()
    return left + body + right + draw(st.sampled_from([b"\n", b"\r\n", b""]))


def _fields(rows: list[ParsedRow]) -> list[tuple[object, ...]]:
    return [(r.line, r.row, r.raw, r.error, r.json) for r in rows]


@given(st.lists(lines(), max_size=12), st.integers(1, 10_000))
def test_bytes_and_text_give_the_same_rows(raw: list[bytes], first: int) -> None:
    text = [line.decode("utf-8", "surrogateescape") for line in raw]
    assert _fields(parse_lines(first, raw)) == _fields(parse_lines(first, text))


@given(st.lists(lines(), max_size=12))
def test_a_file_read_line_by_line_gives_the_rows_of_its_text(raw: list[bytes]) -> None:
    data = b"".join(line if line.endswith(b"\n") else line + b"\n" for line in raw)
    by_line = list(iter_jsonl(io.BytesIO(data)))
    text = [(part + b"\n").decode("utf-8", "surrogateescape") for part in data.split(b"\n")[:-1]]
    as_text = parse_lines(1, text)  # the lines end at "\n" only, as in a file read as bytes
    assert _fields(by_line) == _fields(as_text)


def test_a_typical_line_keeps_its_text_as_the_payload() -> None:
    line = '{"id": "ev-1", "text": "請問合約到期後可以直接續約嗎？"}'
    (row,) = parse_lines(7, [line.encode() + b"\r\n"])
    assert (row.line, row.raw, row.error) == (7, line, None)
    assert row.row == {"id": "ev-1", "text": "請問合約到期後可以直接續約嗎？"}
