"""CSV quotes: a quote that is never closed costs its row, not the rows after it.

The csv module reads an opened quote to the end of the file (or to the next quote anywhere
below), so one broken field used to swallow every following row. Now the row where such a quote
opens is rejected, naming the line and the field, and the lines after it are read as rows of
their own: accepted + rejected = received still counts every row of the file. Legitimate quoting
(fields over several lines, doubled quotes, huge fields) reads as before.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cxloop.core.db import unit_of_work
from cxloop.profiles.ingest.csvfiles import _Broken, _Records, _scan, _Sniffed
from cxloop.profiles.models import CustomerRecord
from tests.factories import World, make_source

HEADER = "id,full_name,email,phone,country\n"

ENCODINGS: dict[str, Callable[[str], bytes]] = {
    "utf8": lambda s: s.encode("utf-8"),
    "utf8-bom": lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"),
    "utf16-bom": lambda s: s.encode("utf-16"),
    "utf16le": lambda s: s.encode("utf-16-le"),
}


def upload(client: TestClient, world: World, data: bytes, name: str = "f.csv") -> Any:
    r = client.post(
        "/api/v1/sources/crm/files",
        files={"file": (name, data, "application/octet-stream")},
        data={"entity": "customer"},
        headers=world.headers(),
    )
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["status"] == "done" and rep["file_error"] is None, rep
    assert rep["accepted"] + rep["rejected"] == rep["received"], rep
    return rep


def reasons(rep: dict[str, Any]) -> dict[int, str]:
    return {e["line"]: " ".join(x["reason"] for x in e["errors"]) for e in rep["errors"]}


def stored() -> dict[str, tuple[str, dict[str, Any]]]:
    """external id -> (full name, payload as received) of every stored customer record."""
    with unit_of_work(write=False) as s:
        found = s.execute(
            select(CustomerRecord.external_id, CustomerRecord.full_name, CustomerRecord.payload)
        ).all()
    return {ext: (name, payload) for ext, name, payload in found}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_an_unterminated_quote_mid_file_rejects_its_row_and_the_rows_after_are_read(
    client: TestClient, world: World, encoding: str, delimiter: str
) -> None:
    make_source(world, "crm")
    text = (
        HEADER
        + "Q1,Ann,ann@example.com,,TW\n"  # line 2
        + 'Q2,"never closed,q2@example.com,,TW\n'  # line 3: the quote opens and never closes
        + "Q3,Bo,bo@example.com,,TW\n"
        + "Q4,Cy,not-an-email,,TW\n"  # line 5: rejected on its own merits
        + "Q5,Di,di@example.com,,TW\n"
    ).replace(",", delimiter)
    rep = upload(client, world, ENCODINGS[encoding](text))
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (5, 3, 2), rep
    why = reasons(rep)
    assert set(why) == {3, 5}
    assert "field 2 (full_name)" in why[3] and "line 3" in why[3], why[3]
    assert "never closed" in why[3], why[3]
    assert "email" in rep["errors"][1]["errors"][0]["field"]
    rejected = client.get(f"/api/v1/rejected?batch_id={rep['batch_id']}", headers=world.headers())
    raw = rejected.json()[0]["raw"]
    assert raw == 'Q2,"never closed,q2@example.com,,TW'.replace(",", delimiter)


@pytest.mark.parametrize(
    "last",
    [
        'Q3,"never closed,q3@example.com,,TW\n',
        'Q3,"never closed,q3@example.com,,TW',  # no line end at the end of the file
        'Q3,Cy,q3@example.com,,"TW\n',  # in the last field: the row used to be accepted as is
    ],
    ids=["mid-row", "no-line-end", "last-field"],
)
def test_an_unterminated_quote_in_the_last_row_rejects_that_row(
    client: TestClient, world: World, last: str
) -> None:
    make_source(world, "crm")
    text = HEADER + "Q1,Ann,ann@example.com,,TW\nQ2,Bo,bo@example.com,,TW\n" + last
    rep = upload(client, world, text.encode())
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (3, 2, 1), rep
    why = reasons(rep)
    assert list(why) == [4] and "never closed" in why[4] and "line 4" in why[4], why


def test_two_broken_quotes_do_not_pair_up_over_the_rows_between_them(
    client: TestClient, world: World
) -> None:
    # the second broken quote used to close the first one, taking lines 4 and 5 into one field
    make_source(world, "crm")
    text = (
        HEADER
        + 'B1,"Ann,ann@example.com,,TW\n'  # line 2
        + "B2,Bo,bo@example.com,,TW\n"
        + 'B3,"Cy had his say,cy@example.com,,TW\n'  # line 4
        + "B4,Di,di@example.com,,TW\n"
    )
    rep = upload(client, world, text.encode())
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (4, 2, 2), rep
    why = reasons(rep)
    assert set(why) == {2, 4}
    assert "line 2" in why[2] and "is not closed" in why[2] and "line 4" in why[2], why[2]
    assert "line 4" in why[4] and "never closed" in why[4], why[4]


def test_a_broken_quote_after_a_field_over_several_lines_names_the_line_it_opens_on(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    text = (
        "id,full_name,email,notes,country\n"
        + 'M1,Ann,ann@example.com,"two\nlines","TW\n'  # the row starts on line 2, "TW on 3
        + "M2,Bo,bo@example.com,,TW\n"  # line 4
    )
    rep = upload(client, world, text.encode())
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (2, 1, 1), rep
    why = reasons(rep)
    assert list(why) == [2], why  # the line where the row starts, as for any row
    assert "field 5 (country)" in why[2] and "line 3" in why[2], why[2]


def test_valid_quoting_over_several_lines_with_doubled_quotes_reads_as_before(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    text = (
        "id,full_name,email,notes\r\n"
        + 'V1,"Lee ""Ann""",v1@example.com,"said ""hi,\r\nthen left""\r\n\r\nbye"\r\n'  # 2-5
        + 'V2,"Ann "Jo" Lee",v2@example.com,""\r\n'  # line 6: a stray quote, read leniently
        + "V3,Bo,not-an-email,x\r\n"  # line 7
        + 'V4,Cy,v4@example.com,""""\r\n'  # line 8: a field that is one quote
    )
    rep = upload(client, world, text.encode())
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (4, 3, 1), rep
    assert list(reasons(rep)) == [7]
    records = stored()
    assert records["V1"][0] == 'Lee "Ann"'
    assert records["V1"][1]["notes"] == 'said "hi,\r\nthen left"\r\n\r\nbye'
    assert records["V2"][0] == 'Ann Jo" Lee"'  # as the csv module has always read it
    assert records["V4"][1]["notes"] == '"'


def test_a_properly_quoted_one_megabyte_field_over_many_lines_keeps_the_rows_after_it(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    big = ('He said "fine", then, a line\n' * 40_000)[: 1024 * 1024]
    lines_in_big = big.count("\n")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "full_name", "email", "notes"])
    w.writerow(["H1", "Ann", "h1@example.com", big])  # line 2
    w.writerow(["H2", "Bo", "not-an-email", "x"])
    w.writerow(["H3", "Cy", "h3@example.com", "y"])
    w.writerow(["H4", "Di", "h4@example.com", big])  # a huge field in the last row too
    rep = upload(client, world, buf.getvalue().encode())
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (4, 1, 3), rep
    why = reasons(rep)
    h2 = 3 + lines_in_big
    assert set(why) == {2, h2, h2 + 2}, why
    assert "too long" in why[2] and "too long" in why[h2 + 2]  # rejected on its size, by field
    assert "email" in rep["errors"][1]["errors"][0]["field"]


def test_an_unterminated_quote_before_a_megabyte_of_rows_keeps_them_all(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    text = (
        HEADER
        + 'U1,"never closed,u1@example.com,,TW\n'
        + "".join(f"U{i},Person {i},u{i}@example.com,,TW\n" for i in range(2, 30_002))
    )
    assert len(text) > 1024 * 1024
    rep = upload(client, world, text.encode())
    assert (rep["received"], rep["accepted"], rep["rejected"]) == (30_001, 30_000, 1), rep
    assert list(reasons(rep)) == [2]


def test_a_header_with_a_quote_never_closed_is_a_file_error_naming_the_column(
    client: TestClient, world: World
) -> None:
    make_source(world, "crm")
    r = client.post(
        "/api/v1/sources/crm/files",
        files={"file": ("f.csv", b'id,"full_name,email\nH1,Ann,a@example.com\n', "text/csv")},
        data={"entity": "customer"},
        headers=world.headers(),
    )
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "ingest.file" and error["data"]["line"] == 1
    assert "column 2" in error["message"] and "never closed" in error["message"]


PIECES = ['"', '""', ",", ";", "a", " ", "\n", "\r", "\r\n"]
TEXT = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(TEXT, st.sampled_from([",", ";"]), st.booleans())
def test_the_scanner_reads_records_as_the_csv_module_does(
    text: str, delimiter: str, skip_space: bool
) -> None:
    # where it finds no broken quote; lines split as the uploaded file's text is (newline="")
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(lines, delimiter=delimiter, skipinitialspace=skip_space)
    expected = []
    start = 0
    for fields in reader:
        expected.append((start, fields, reader.line_num - start))
        start = reader.line_num
    at = 0
    for first, fields, count in expected:
        assert at == first
        found = _scan(iter(lines[at:]), delimiter, skip_space)
        if found.broken:
            break
        assert (found.fields, len(found.lines)) == (fields, count)
        at += count


FIELD = st.text(alphabet='a ",;\n\r\t', max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(FIELD, max_size=4), max_size=8), st.sampled_from([",", ";", "\t"]))
def test_valid_csv_is_read_row_by_row_with_the_line_each_starts_on(
    rows: list[list[str]], delimiter: str
) -> None:
    texts = []
    for row in rows:
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter).writerow(row)
        texts.append(out.getvalue())
    starts = [1]
    for text in texts:
        starts.append(starts[-1] + len(io.StringIO(text, newline="").readlines()))
    dialect = _Sniffed()
    dialect.delimiter = delimiter
    records = list(_Records(io.StringIO("".join(texts), newline=""), dialect))
    assert records == list(zip(starts, rows, strict=False))


@settings(max_examples=500, deadline=None)
@given(TEXT)
def test_every_line_of_any_text_belongs_to_one_record_read_as_the_csv_module_reads_it(
    text: str,
) -> None:
    lines = io.StringIO(text, newline="").readlines()
    records = list(_Records(io.StringIO(text, newline=""), _Sniffed()))
    assert [start for start, _ in records[:1]] == [1] * min(len(lines), 1)
    ends = [start for start, _ in records[1:]] + [len(lines) + 1] * min(len(records), 1)
    for (start, fields), end in zip(records, ends, strict=True):
        own = lines[start - 1 : end - 1]
        if isinstance(fields, _Broken):  # it ends with the line where its quote opens
            assert end == start + fields.scanned.quote_line + 1
            assert fields.raw == "".join(own).rstrip("\r\n")
        else:
            assert list(csv.reader(own)) == [fields]
