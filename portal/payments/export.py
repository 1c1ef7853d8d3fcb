"""Invoices, corrections and payments for accounting: CSV (one row per document) and XML
(with the totals per VAT rate and the payments' allocations)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from xml.etree import ElementTree as ET

from portal.payments.queries import ExportRow

CSV_COLUMNS = (
    "kind",
    "number",
    "issued_on",
    "due_on",
    "state",
    "partner",
    "tax_id",
    "net",
    "vat",
    "gross",
    "paid",
    "reference",
    "allocated_to",
)


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def csv_chunks(rows: Iterable[ExportRow]) -> Iterator[str]:
    """The CSV, a line at a time, for a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for row in rows:
        document = row.document
        company = document.company
        writer.writerow(
            (
                document.kind.value,
                document.number or "",
                document.issued_on.isoformat() if document.issued_on else "",
                document.due_on.isoformat() if document.due_on else "",
                document.state.value,
                company.name if company else "",
                (company.tax_id or "") if company else "",
                _amount(document.net_total),
                _amount(document.vat_total),
                _amount(document.gross_total),
                _amount(document.paid_total),
                document.reference,
                "; ".join(f"{number} {_amount(amount)}" for number, amount in row.allocations),
            )
        )
        yield flush()


def xml_document(rows: Iterable[ExportRow], *, date_from: date, date_to: date) -> bytes:
    root = ET.Element(
        "accounting-export",
        {"from": date_from.isoformat(), "to": date_to.isoformat(), "currency": "PLN"},
    )
    for row in rows:
        document = row.document
        element = ET.SubElement(
            root,
            "document",
            {
                "kind": document.kind.value,
                "number": document.number or "",
                "issued-on": document.issued_on.isoformat() if document.issued_on else "",
                "state": document.state.value,
            },
        )
        if document.due_on:
            element.set("due-on", document.due_on.isoformat())
        company = document.company
        if company is not None:
            partner = ET.SubElement(element, "partner", {"id": str(company.id)})
            if company.tax_id:
                partner.set("tax-id", company.tax_id)
            partner.text = company.name
        for name, value in (
            ("net", document.net_total),
            ("vat", document.vat_total),
            ("gross", document.gross_total),
            ("paid", document.paid_total),
        ):
            ET.SubElement(element, name).text = _amount(value)
        if row.totals is not None:
            rates = ET.SubElement(element, "vat-rates")
            for rate in row.totals.rates:
                ET.SubElement(
                    rates,
                    "rate",
                    {
                        "percent": _amount(rate.vat_percent),
                        "net": _amount(rate.net),
                        "vat": _amount(rate.vat),
                        "gross": _amount(rate.gross),
                    },
                )
        if row.allocations:
            allocated = ET.SubElement(element, "allocations")
            for number, amount in row.allocations:
                ET.SubElement(
                    allocated, "allocation", {"document": number, "amount": _amount(amount)}
                )
        if document.reference:
            ET.SubElement(element, "reference").text = document.reference
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
