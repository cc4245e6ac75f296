"""Reading CSV files into rows: the dialect, line numbers, and quotes that are never closed.

Only the delimiter is sniffed; quotes are always ``"`` and doubled inside a quoted field. Rows
are read by the csv module in strict mode, which reads valid CSV exactly as the lenient mode does
and raises where the lenient one guesses: at a quote followed by text (``"Ann" Lee``) and at the
end of the file inside a quoted field (and at a field past its size limit). Only then is the row
read again from its first line by ``_scan``, a reader of one record that reads as the lenient csv
module does (tested against it) but sees where each quote opens and closes:

- a quoted field that ends on its own line followed by text is read as before (``Ann Lee``);
- a quote that is never closed, or that is closed only on a later line by a quote followed by
  text (the next broken quote: a file that has one usually has more), would take the lines after
  it into one field. The row is rejected, naming the line where the quote opens and its field,
  and reading goes on from the next line, so every row after it is read and counted on its own.

The lines of the current row are kept (``itertools.tee``) so that it can be read again.
"""

from __future__ import annotations

import csv
import io
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice, tee

from cxloop.profiles.ingest.exports import spreadsheet_unescaped
from cxloop.profiles.ingest.rows import FileProblem, ParsedRow, printable, undecodable
from cxloop.profiles.ingest.values import string_problem

csv.field_size_limit(64 * 1024 * 1024)  # larger fields are read by ``_scan``

KEEP_LINES = 4096  # lines of rows already read that may stay buffered before they are dropped
STOPPED = "reading stopped here, the rows before this line were processed"


class _Sniffed(csv.excel):
    """The delimiter a file uses; quotes are always ``"`` and doubled inside quoted fields."""

    strict = True  # raises where a quote is broken: see the module's docstring


def _sniff(sample: str) -> _Sniffed:
    dialect = _Sniffed()
    first_lines = "\n".join(sample.splitlines()[:50])
    try:
        found = csv.Sniffer().sniff(first_lines, delimiters=",;\t|")
    except csv.Error:
        return dialect
    # Only the delimiter is taken: the sniffer also guesses a quote character, and took the
    # apostrophes of our own rejected-rows download ('+886…) for one, splitting its rows.
    dialect.delimiter = found.delimiter
    dialect.skipinitialspace = found.skipinitialspace
    return dialect


@dataclass(slots=True)
class _Scanned:
    """One record read by ``_scan``: its fields, or where a quote opened that does not close."""

    fields: list[str]
    lines: list[str]  # the physical lines read: the record's, or up to the broken quote's end
    broken: bool = False
    quote_line: int = 0  # offset from the first line of the line where the broken quote opens
    quote_field: int = 0  # index of its field
    closed_line: int | None = None  # offset of the line where a quote followed by text ends it


def _line_end(line: str) -> int:
    """The length of a physical line without its line break."""
    if line.endswith("\r\n"):
        return len(line) - 2
    return len(line) - 1 if line.endswith(("\n", "\r")) else len(line)


def _scan(lines: Iterator[str], delimiter: str, skip_space: bool) -> _Scanned:
    """Read one record from its first line as the lenient csv module does, or find its broken quote.

    The states are those of the csv module (``excel`` dialect, ``strict=False``): a field starts
    unquoted (quotes inside it are text, it ends at a delimiter or the line end) or quoted (it
    goes on over line ends until a quote that is not doubled); text after that closing quote is
    added to the field, which goes on unquoted.
    """
    fields: list[str] = []
    pieces: list[str] = []
    seen: list[str] = []
    quoted, opened = False, 0
    for n, line in enumerate(lines):
        seen.append(line)
        end, p = _line_end(line), 0
        if n == 0 and end == 0:
            return _Scanned([], seen)  # an empty line is an empty record
        while True:
            if quoted:
                q = line.find('"', p)
                if q < 0:
                    pieces.append(line[p:])  # the line break is part of the field
                    break
                pieces.append(line[p:q])
                if line.startswith('"', q + 1):
                    pieces.append('"')
                    p = q + 2
                    continue
                quoted, p = False, q + 1
                if p < end and line[p] != delimiter:
                    if n > opened:  # closed lines later, by what reads as another broken quote
                        return _Scanned(fields, seen, True, opened, len(fields), n)
                    q = line.find(delimiter, p, end)
                    q = end if q < 0 else q
                    pieces.append(line[p:q])
                    p = q
                fields.append("".join(pieces))
                pieces = []
            else:
                if skip_space:
                    while p < end and line[p] == " ":
                        p += 1
                if p < end and line[p] == '"':
                    quoted, opened = True, n
                    p += 1
                    continue
                q = line.find(delimiter, p, end)
                q = end if q < 0 else q
                fields.append(line[p:q])
                p = q
            if p >= end:
                return _Scanned(fields, seen)
            p += 1  # past the delimiter
    if quoted:  # the end of the file inside a quoted field
        return _Scanned(fields, seen, True, opened, len(fields))
    return _Scanned(fields, seen)


@dataclass(slots=True)
class _Broken:
    """A record with a broken quote: its lines as received and where the quote opens."""

    raw: str
    scanned: _Scanned = field(repr=False)


_Record = tuple[int, list[str] | _Broken]  # the line a record starts on, and its fields


def _skip(lines: Iterator[str], count: int) -> None:
    deque(islice(lines, count), maxlen=0)


class _Records:
    """The records of a CSV text, each with the physical line it starts on (see the docstring).

    ``lead`` feeds the csv reader; ``lag``, a copy of it, stays at the first line of the current
    record (give or take ``KEEP_LINES``), so that the record can be read again by ``_scan``.
    """

    def __init__(self, lines: Iterable[str], dialect: _Sniffed) -> None:
        self.dialect = dialect
        self.lag: Iterator[str] = iter(lines)
        self.lag_at = 1  # the number of the line ``lag`` gives next
        self.last = 0  # the last line of the records read
        self._restart()

    def _restart(self) -> None:
        """Read on from the line after ``last`` (where ``lag`` is) with a new csv reader."""
        self._drop(self.last + 1)
        lead, self.lag = tee(self.lag)
        self.base = self.last
        self.reader = csv.reader(lead, self.dialect)

    def _drop(self, line: int) -> None:
        """Move ``lag`` on to ``line``."""
        _skip(self.lag, line - self.lag_at)
        self.lag_at = line

    def __iter__(self) -> Iterator[_Record]:
        while True:
            reader, base, last = self.reader, self.base, self.last
            try:
                for fields in reader:
                    start, last = last + 1, base + reader.line_num
                    yield start, fields
                    if last - self.lag_at > KEEP_LINES:
                        self._drop(last + 1)
                return
            except csv.Error:
                self.last = last
                yield self._rescan()
            except UnicodeError as exc:  # a decoder failing on what it cannot even escape
                raise FileProblem(f"{undecodable(exc)}; {STOPPED}", last + 1) from exc

    def _rescan(self) -> _Record:
        """The record the csv reader stopped in, read again from its first line by ``_scan``."""
        start = self.last + 1
        self._drop(start)
        lines, self.lag = tee(self.lag)
        try:
            found = _scan(lines, self.dialect.delimiter, self.dialect.skipinitialspace)
        except UnicodeError as exc:
            raise FileProblem(f"{undecodable(exc)}; {STOPPED}", start) from exc
        taken = found.lines
        record: list[str] | _Broken = found.fields
        if found.broken:  # the row ends with the line where its broken quote opens
            taken = found.lines[: found.quote_line + 1]
            raw = "".join(taken)
            record = _Broken(raw[: _line_end(raw)], found)
        found.lines = []
        self.last = start + max(len(taken), 1) - 1
        self._restart()
        return start, record


def _broken_quote(start: int, broken: _Broken, names: list[str] | None) -> str:
    """Why a row with a broken quote is rejected: the line and the field where the quote opens."""
    found = broken.scanned
    index = found.quote_field
    if names is None:
        where = f"column {index + 1}"
    elif index < len(names):
        where = f"field {index + 1} ({printable(names[index])})"
    else:
        where = f"field {index + 1} (beyond the {len(names)} of the header)"
    line = start + found.quote_line
    if found.closed_line is None:
        what = f"opens a quote on line {line} that is never closed"
    else:
        closed = start + found.closed_line
        what = (
            f"opens a quote on line {line} that is not closed on that line: the next quote, "
            f"on line {closed}, is followed by text"
        )
    return f'{where} {what} (a field holding a quote is quoted, the quote doubled: "a ""b""")'


def iter_csv(text: io.TextIOWrapper | io.StringIO, sample: str) -> Iterator[ParsedRow]:
    """Rows of a CSV file with a header line; the header is checked before this returns."""
    dialect = _sniff(sample)
    records = iter(_Records(text, dialect))
    try:
        _, header = next(records)
    except StopIteration:
        return iter(())
    if isinstance(header, _Broken):
        raise FileProblem(f"the header cannot be read: {_broken_quote(1, header, None)}", 1)
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        clean = name.lstrip("\ufeff").strip() or f"column_{i}"
        problem = string_problem(clean, 0)
        if problem:
            raise FileProblem(f"the name of column {i} ({printable(clean)}) {problem}", 1)
        if clean in seen:
            raise FileProblem(
                f"columns {seen[clean]} and {i} are both named {clean!r}; names must be unique", 1
            )
        seen[clean] = i
        names.append(clean)
    return _csv_rows(records, names, dialect)


def _csv_rows(
    records: Iterator[_Record], names: list[str], dialect: _Sniffed
) -> Iterator[ParsedRow]:
    out = io.StringIO()
    writer = csv.writer(out, dialect)  # quotes doubled: no field needs an escape character
    for start, fields in records:
        if isinstance(fields, _Broken):
            line = start + fields.scanned.quote_line
            reason = f"{_broken_quote(start, fields, names)}; the lines after line {line} are "
            reason += "read as rows of their own"
            yield ParsedRow(start, None, fields.raw, reason, json=False)
            continue
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        out.seek(0)
        out.truncate()
        writer.writerow(fields)
        raw = out.getvalue().rstrip("\r\n")
        if len(fields) != len(names):
            yield ParsedRow(
                start,
                None,
                raw,
                f"has {len(fields)} fields but the header has {len(names)}",
                json=False,
            )
            continue
        row = dict(zip(names, map(spreadsheet_unescaped, fields), strict=True))
        yield ParsedRow(start, row, raw, json=False)
