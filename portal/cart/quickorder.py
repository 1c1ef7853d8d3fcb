"""Quick order: lines of `code quantity` pasted from anywhere, or a CSV file, read purely.

A line is a SKU or EAN and a quantity, separated by spaces, a tab (a spreadsheet copy), `;`
or `,`. A file is UTF-8 (with or without BOM) or Windows-1250, with an optional header row
that may also name the columns in another order (`quantity;sku`). `1,5` is a decimal comma
unless `,` separates the columns, where `SKU,1,5` is refused as ambiguous.
Nothing here touches the database: the cart service looks the codes up.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.money import parse_decimal

MAX_LINES = 500
MAX_FILE_BYTES = 1_000_000
MAX_CODE = 64
MAX_SHOWN = 120
"""Characters of a refused line repeated back to the person."""

CODE_HEADERS = frozenset(
    {"sku", "ean", "gtin", "code", "kod", "symbol", "indeks", "index", "item", "product",
     "produkt", "artikel", "artikelnummer", "artnr", "towar", "kod towaru"}
)  # fmt: skip
QUANTITY_HEADERS = frozenset(
    {"quantity", "qty", "ilość", "ilosc", "ile", "liczba", "szt", "amount", "count",
     "menge", "anzahl", "stück", "stueck"}
)  # fmt: skip

_DECIMAL_COMMA_AFTER_SPACE = re.compile(r"\S+\s+[+-]?\d[\d\s]*,\d+")
_DIGITS = re.compile(r"\d{1,3}")
_WORD = re.compile(r"[^\W\d_]+")


class UnreadableFile(DomainError):
    """The upload is not a text file we can read, or has no code and quantity columns."""


class TooManyLines(DomainError):
    pass


@dataclass(frozen=True)
class QuickLine:
    number: int
    """1-based, counting blank lines, so the person finds it in what they pasted."""
    text: str
    code: str
    quantity: Decimal


@dataclass(frozen=True)
class LineReport:
    number: int
    text: str
    message: str


@dataclass
class Parsed:
    lines: list[QuickLine] = field(default_factory=list)
    problems: list[LineReport] = field(default_factory=list)
    usable_rows: int = 0
    """Rows that had both a code and a quantity column (whatever their values)."""


@dataclass(frozen=True)
class _Columns:
    code: int = 0
    quantity: int | None = 1


def parse_text(text: str) -> Parsed:
    """Every non-blank line becomes a QuickLine or a LineReport saying what is wrong."""
    text = text.removeprefix("\ufeff")
    numbered = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1)]
    rows = [(n, line) for n, line in numbered if line]
    if len(rows) > MAX_LINES:
        raise TooManyLines(
            _("Send at most %(max)d lines at a time (this has %(n)d).", max=MAX_LINES, n=len(rows))
        )
    delimiter = _common_delimiter([line for _n, line in rows])
    parsed = Parsed()
    columns = _Columns()
    for index, (number, line) in enumerate(rows):
        fields = _split(line, delimiter if delimiter is not None else _delimiter(line))
        if index == 0:
            header = _header(fields)
            if header is not None:
                columns = header
                continue
        _read_row(parsed, number, line, fields, columns, ambiguous_comma=delimiter == ",")
    return parsed


def parse_upload(data: bytes) -> Parsed:
    """A CSV file's lines; an unreadable file or one without usable columns is refused whole."""
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(_("The file is too large: send at most 1 MB."))
    parsed = parse_text(decode(data))
    if parsed.usable_rows == 0:
        raise UnreadableFile(
            _(
                "No usable columns: each line of the file needs a SKU or EAN and a quantity, "
                "such as “ABC-123;10”."
            )
        )
    return parsed


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not), else Windows-1250; anything else (UTF-16, binary) is refused."""
    not_text = UnreadableFile(
        _(
            "This file cannot be read as text. Save it from your spreadsheet as CSV "
            "(UTF-8 or Windows-1250) and try again."
        )
    )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        raise not_text
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1250")
        except UnicodeDecodeError:
            raise not_text from None
    if any(unicodedata.category(char) == "Cc" and char not in "\t\r\n\f" for char in text):
        raise not_text
    return text


def _common_delimiter(lines: list[str]) -> str | None:
    """One separator for the whole text when every line uses it; None: decide per line."""
    if not lines:
        return None
    for candidate in ("\t", ";"):
        if all(candidate in line for line in lines):
            return candidate
    if all(_delimiter(line) == "," for line in lines):
        return ","
    return None


def _delimiter(line: str) -> str:
    if "\t" in line:
        return "\t"
    if ";" in line:
        return ";"
    if "," in line and not _DECIMAL_COMMA_AFTER_SPACE.fullmatch(line):
        return ","
    return " "


def _split(line: str, delimiter: str) -> list[str]:
    if delimiter == " ":
        tokens = line.split()
        # "ABC 1 000": the rest of the line is the quantity, so a thousands space stays in it
        fields = [tokens[0], " ".join(tokens[1:])] if len(tokens) > 1 else tokens
    else:
        fields = next(csv.reader([line], delimiter=delimiter), [])
    fields = [value.strip() for value in fields]
    while fields and not fields[-1]:  # spreadsheets pad rows with empty cells
        fields.pop()
    return fields


def _header(fields: list[str]) -> _Columns | None:
    """Column positions when the row names them ("sku;quantity", "Ilość;Symbol towaru")."""
    if any(parse_decimal(value) is not None for value in fields):
        return None  # a row with a number in it is data ("QTY-100 5"), not column names
    names = [" ".join(value.lower().strip(" \"'#:").split()) for value in fields]
    code = _column(names, CODE_HEADERS)
    quantity = _column(names, QUANTITY_HEADERS)
    if code is None and quantity is None:
        return None
    if code is None:
        code = 0 if quantity != 0 else 1
    return _Columns(code=code, quantity=quantity)


def _column(names: list[str], known: frozenset[str]) -> int | None:
    """The first cell that is a known name, else the first with a known word in it."""
    exact = next((i for i, name in enumerate(names) if name in known), None)
    if exact is not None:
        return exact
    return next(
        (i for i, name in enumerate(names) if any(word in known for word in _WORD.findall(name))),
        None,
    )


def _read_row(
    parsed: Parsed,
    number: int,
    line: str,
    fields: list[str],
    columns: _Columns,
    *,
    ambiguous_comma: bool,
) -> None:
    shown = line if len(line) <= MAX_SHOWN else line[: MAX_SHOWN - 1] + "…"

    def refuse(message: str) -> None:
        parsed.problems.append(LineReport(number, shown, message))

    code = fields[columns.code] if columns.code < len(fields) else ""
    if columns.quantity is None or columns.quantity >= len(fields) or not fields[columns.quantity]:
        refuse(_("Missing quantity: write the SKU or EAN, then the quantity."))
        return
    parsed.usable_rows += 1
    raw = fields[columns.quantity]
    if not code:
        refuse(_("Missing SKU or EAN."))
        return
    if len(code) > MAX_CODE:
        refuse(_("Unknown SKU or EAN “%(code)s”.", code=code[:MAX_CODE] + "…"))
        return
    if (
        ambiguous_comma
        and columns == _Columns()
        and len(fields) == 3
        and _DIGITS.fullmatch(fields[1])
        and _DIGITS.fullmatch(fields[2])
    ):
        refuse(
            _(
                "Is that %(n)s? Write a decimal with a dot (1.5) or separate the columns "
                "with ; or a tab.",
                n=f"{fields[1]},{fields[2]}",
            )
        )
        return
    quantity = parse_decimal(raw) if len(raw) <= 32 else None
    if quantity is None:
        refuse(_("“%(text)s” is not a quantity.", text=raw[:32]))
        return
    parsed.lines.append(QuickLine(number, shown, code, quantity))
