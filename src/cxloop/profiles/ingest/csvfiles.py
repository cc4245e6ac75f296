"""Reading CSV files into rows: the dialect (only the delimiter is sniffed) and line numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from cxloop.profiles.ingest.exports import spreadsheet_unescaped
from cxloop.profiles.ingest.parsing import FileProblem, ParsedRow, _undecodable, printable
from cxloop.profiles.ingest.values import string_problem

csv.field_size_limit(64 * 1024 * 1024)


class _Sniffed(csv.excel):
    """The delimiter a file uses; quotes are always ``"`` and doubled inside quoted fields."""


def _sniff(sample: str) -> type[csv.Dialect] | csv.Dialect:
    first_lines = "\n".join(sample.splitlines()[:50])
    try:
        found = csv.Sniffer().sniff(first_lines, delimiters=",;\t|")
    except csv.Error:
        return csv.excel
    # Only the delimiter is taken: the sniffer also guesses a quote character, and took the
    # apostrophes of our own rejected-rows download ('+886…) for one, splitting its rows.
    dialect = _Sniffed()
    dialect.delimiter = found.delimiter
    dialect.skipinitialspace = found.skipinitialspace
    return dialect


def iter_csv(text: io.TextIOWrapper | io.StringIO, sample: str) -> Iterator[ParsedRow]:
    """Rows of a CSV file with a header line; the header is checked before this returns."""
    dialect = _sniff(sample)
    reader = csv.reader(text, dialect)
    try:
        header = next(reader)
    except StopIteration:
        return iter(())
    except csv.Error as exc:
        raise FileProblem(f"the header cannot be read: {exc}", 1) from exc
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
    return _csv_rows(reader, names, dialect)


def _csv_rows(
    reader: Any, names: list[str], dialect: type[csv.Dialect] | csv.Dialect
) -> Iterator[ParsedRow]:
    out = io.StringIO()
    writer = csv.writer(out, dialect)  # quotes doubled: no field needs an escape character
    last = reader.line_num
    stopped = "reading stopped here, the rows before this line were processed"
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileProblem(f"{exc}; {stopped}", last + 1) from exc
        except UnicodeError as exc:  # a decoder failing on what it cannot even escape
            raise FileProblem(f"{_undecodable(exc)}; {stopped}", last + 1) from exc
        start, last = last + 1, reader.line_num
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
