"""Reading quick-order text and CSV files: pure functions, no app, no database."""

from __future__ import annotations

import codecs
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.cart.quickorder import (
    MAX_LINES,
    TooManyLines,
    UnreadableFile,
    decode,
    parse_text,
    parse_upload,
)

D = Decimal


def read(text):
    parsed = parse_text(text)
    return [(line.number, line.code, line.quantity) for line in parsed.lines], [
        (problem.number, problem.message) for problem in parsed.problems
    ]


@pytest.mark.parametrize(
    "text",
    [
        "ABC-1 10",
        "ABC-1\t10",
        "ABC-1;10",
        "ABC-1,10",
        "ABC-1, 10",
        "  ABC-1    10  ",
        '"ABC-1";"10"',
        "ABC-1;10;;;",
        "ABC-1\t10\tHinge 35 mm\t12,90",
    ],
)
def test_a_code_and_a_quantity_with_any_usual_separator(text):
    assert read(text) == ([(1, "ABC-1", D("10"))], [])


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("CABLE 2,5", D("2.5")),
        ("CABLE;2,5", D("2.5")),
        ("CABLE\t2,5", D("2.5")),
        ("CABLE 2.5", D("2.5")),
        ('CABLE,"2,5"', D("2.5")),
        ("CABLE 1 000", D("1000")),
        ("CABLE;1 234,5", D("1234.5")),
    ],
)
def test_decimal_commas_and_thousands_spaces(text, quantity):
    assert read(text) == ([(1, "CABLE", quantity)], [])


def test_a_comma_between_columns_and_a_decimal_comma_is_ambiguous():
    lines, problems = read("CABLE,1,5")
    assert lines == []
    assert problems[0][0] == 1 and "Is that 1,5?" in problems[0][1]


def test_line_numbers_count_blank_lines_and_every_bad_line_says_why():
    text = "ABC-1 10\n\nABC-2\nABC-3 ten\n;5\n5901234123457 3\nABC-4 -2\n"
    lines, problems = read(text)
    assert lines == [(1, "ABC-1", D("10")), (6, "5901234123457", D("3")), (7, "ABC-4", D("-2"))]
    assert problems == [
        (3, "Missing quantity: write the SKU or EAN, then the quantity."),
        (4, "“ten” is not a quantity."),
        (5, "Missing SKU or EAN."),
    ]


def test_a_header_row_is_skipped_and_may_put_the_columns_in_any_order():
    assert read("sku;quantity\nABC-1;4") == ([(2, "ABC-1", D("4"))], [])
    assert read("Ilość;Nazwa;Kod\n4;Zawias;ABC-1") == ([(2, "ABC-1", D("4"))], [])
    assert read("EAN,Qty\n5901234123457,2") == ([(2, "5901234123457", D("2"))], [])
    assert read("Nazwa;Ilość zamówiona;Symbol towaru\nZawias;4;ABC-1") == (
        [(2, "ABC-1", D("4"))],
        [],
    )


def test_a_first_line_with_a_number_is_data_even_if_it_looks_like_a_header():
    assert read("QTY-100 5\nSKU-2 1") == ([(1, "QTY-100", D("5")), (2, "SKU-2", D("1"))], [])


def test_lines_pasted_from_a_spreadsheet_with_windows_line_ends():
    assert read("ABC-1\t3\r\nABC-2\t4\r\n") == ([(1, "ABC-1", D("3")), (2, "ABC-2", D("4"))], [])


def test_a_refused_line_is_shown_back_shortened():
    parsed = parse_text("X" * 70 + " " + "y" * 300)
    assert len(parsed.problems[0].text) <= 120 and parsed.problems[0].text.endswith("…")


def test_too_many_lines_are_refused_whole():
    with pytest.raises(TooManyLines):
        parse_text("ABC 1\n" * (MAX_LINES + 1))
    assert len(parse_text("ABC 1\n" * MAX_LINES).lines) == MAX_LINES


def test_a_utf8_file_with_a_bom_and_a_header():
    data = codecs.BOM_UTF8 + "sku;quantity\r\nŻÓŁW-1;2\r\n".encode()
    parsed = parse_upload(data)
    assert [(line.code, line.quantity) for line in parsed.lines] == [("ŻÓŁW-1", D("2"))]


def test_a_windows_1250_file():
    data = "kod;ilość\nŻÓŁW-1;2,5\n".encode("cp1250")
    parsed = parse_upload(data)
    assert [(line.number, line.code, line.quantity) for line in parsed.lines] == [
        (2, "ŻÓŁW-1", D("2.5"))
    ]


@pytest.mark.parametrize(
    "data",
    [
        "sku;quantity\nABC;1\n".encode("utf-16"),
        "sku;quantity\nABC;1\n".encode("utf-16-le"),
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",  # an .xlsx is a zip
        bytes(range(1, 32)) * 4,
        b"\x81\x83\x88\x90\x98",  # not UTF-8, and undefined in Windows-1250
    ],
)
def test_files_that_are_not_text_are_refused_with_a_clear_message(data):
    with pytest.raises(UnreadableFile) as refused:
        parse_upload(data)
    assert "Save it from your spreadsheet as CSV" in refused.value.message


@pytest.mark.parametrize(
    "data",
    [b"", b"\n\n", b"sku;name\nABC-1;Hinge\n", b"ABC-1\nABC-2\n", b"sku\nABC-1\n"],
)
def test_a_file_without_code_and_quantity_columns_is_refused(data):
    with pytest.raises(UnreadableFile) as refused:
        parse_upload(data)
    assert "No usable columns" in refused.value.message


def test_a_file_that_is_too_large_is_refused():
    with pytest.raises(UnreadableFile):
        parse_upload(b"ABC 1\n" * 200_000)


def test_decode_prefers_utf8_and_falls_back_to_windows_1250():
    assert decode("zażółć".encode()) == "zażółć"
    assert decode("zażółć".encode("cp1250")) == "zażółć"


codes = st.from_regex(r"[A-Z][A-Z0-9\-]{0,20}", fullmatch=True)
quantities = st.decimals(min_value=D("0.001"), max_value=D("99999"), places=3)
separators = st.sampled_from([" ", "\t", ";", "  ", " ; "])


@given(st.lists(st.tuples(codes, quantities, separators), min_size=1, max_size=30))
def test_every_written_line_reads_back_as_written(rows):
    text = "\n".join(f"{code}{sep}{quantity}" for code, quantity, sep in rows)
    parsed = parse_text(text)
    assert parsed.problems == []
    assert [(line.code, line.quantity) for line in parsed.lines] == [
        (code, quantity) for code, quantity, _sep in rows
    ]


@given(st.lists(st.tuples(codes, quantities), min_size=1, max_size=20), st.booleans())
def test_decimal_commas_read_back_with_semicolons_in_either_encoding(rows, windows):
    text = "\r\n".join(f"{code};{str(quantity).replace('.', ',')}" for code, quantity in rows)
    data = text.encode("cp1250") if windows else codecs.BOM_UTF8 + text.encode()
    parsed = parse_upload(data)
    assert [(line.code, line.quantity) for line in parsed.lines] == rows


@given(st.text(max_size=300))
def test_any_text_gives_lines_or_reasons_never_an_exception(text):
    try:
        parsed = parse_text(text)
    except TooManyLines:
        return
    numbers = [line.number for line in parsed.lines] + [p.number for p in parsed.problems]
    assert len(numbers) == len(set(numbers))


@given(st.binary(max_size=300))
def test_any_bytes_are_read_or_refused_cleanly(data):
    try:
        parsed = parse_upload(data)
    except (UnreadableFile, TooManyLines) as refused:
        assert refused.message
    else:
        assert parsed.usable_rows > 0
