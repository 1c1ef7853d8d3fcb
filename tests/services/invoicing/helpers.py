"""Orders that went out: stock received into batches, an order placed, and its delivery note
(WZ) issued through documents.issue and the stock ledger, as packing does."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from portal.accounts.models import User
from portal.catalog.models import Product
from portal.core.db import db
from portal.documents.models import Document, DocumentKind, DocumentLine
from portal.documents.services import LineDraft, issue
from portal.seller.services import update_seller
from portal.stock import ledger
from tests.builders import main_warehouse, make_product, vat_rate
from tests.services.orders.helpers import fill_cart, place

D = Decimal
TODAY = date.today()

SELLER = {
    "name": "Zażółć Gęślą Jaźń Sp. z o.o.",
    "tax_id": "5260001246",
    "street": "ul. Źródlana 7",
    "postal_code": "61-001",
    "city": "Poznań",
    "country": "PL",
    "bank_name": "Bank Śląski",
    "bank_account": "PL61109010140000071219812874",
}


def set_up_seller(**overrides: object) -> None:
    update_seller({**SELLER, **overrides})


def stocked_product(
    *, price: str = "10.00", vat: str = "23", quantity: str = "100", **kw
) -> Product:
    """A product with stock in a batch of the main warehouse (received through the ledger)."""
    product = make_product(list_price=D(price), vat_rate_id=vat_rate(vat).id, **kw)
    warehouse = main_warehouse()
    _receipt, [line] = issue(
        DocumentKind.PW,
        on=date(2020, 1, 1),
        actor=None,
        warehouse_id=warehouse.id,
        lines=[
            LineDraft(
                sku=product.sku,
                name=product.name,
                unit=product.unit.value,
                quantity=D(quantity),
                product_id=product.id,
            )
        ],
    )
    batch = ledger.batch_for(
        product.id,
        f"LOT-{product.id}",
        expires_on=None,
        received_on=date(2020, 1, 1),
        unit_cost=D("1.00"),
    )
    ledger.receive(
        line,
        warehouse_id=warehouse.id,
        batch=batch,
        quantity=D(quantity),
        unit_cost=D("1.00"),
        on=date(2020, 1, 1),
    )
    line.batch_id = batch.id
    db.session.flush()
    return product


def order_of(buyer: User, *items: tuple[Product, str], **checkout) -> Document:
    fill_cart(buyer, *items)
    return place(buyer, **checkout)


def order_lines(order: Document) -> list[DocumentLine]:
    return list(
        db.session.scalars(
            sa.select(DocumentLine)
            .where(DocumentLine.document_id == order.id)
            .order_by(DocumentLine.position)
        )
    )


def ship(
    order: Document, quantities: dict[str, str] | None = None, *, on: date = TODAY
) -> Document:
    """Issues the order's WZ for all (or the given quantities per SKU) of its product lines."""
    from portal.stock.models import Batch

    warehouse_id = order.warehouse_id or main_warehouse().id
    drafts, takes = [], []
    for line in order_lines(order):
        if line.product_id is None:
            continue
        quantity = D(quantities[line.sku]) if quantities else line.quantity
        if quantity <= 0:
            continue
        batch = db.session.scalars(
            sa.select(Batch).where(Batch.product_id == line.product_id)
        ).one()
        drafts.append(
            LineDraft(
                sku=line.sku,
                name=line.name,
                unit=line.unit,
                quantity=quantity,
                product_id=line.product_id,
                source_line_id=line.id,
                batch_id=batch.id,
            )
        )
        takes.append((batch, quantity, min(quantity, line.reserved)))
    note, rows = issue(
        DocumentKind.WZ,
        on=on,
        actor=None,
        lines=drafts,
        sources=[order],
        company_id=order.company_id,
        user_id=order.user_id,
        warehouse_id=warehouse_id,
    )
    for row, (batch, quantity, release) in zip(rows, takes, strict=True):
        ledger.take(
            row,
            warehouse_id=warehouse_id,
            batch=batch,
            quantity=quantity,
            on=on,
            release_reserved=release,
        )
    db.session.flush()
    return note


def pdf_text(document: Document) -> str:
    """The stored PDF's text as pdftotext reads it, whitespace runs made single spaces."""
    assert document.pdf_key, "the PDF is stored when the document is issued"
    path = Path(current_app.config["MEDIA_ROOT"]) / document.pdf_key
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
