"""Issued documents for dashboard and report tests, made the one real way (documents.issue)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.accounts.models import Company
from portal.catalog.models import Product
from portal.core.db import atomic
from portal.documents.models import Document, DocumentKind
from portal.documents.services import LineDraft, issue

D = Decimal


def line(product: Product, quantity: str, price: str, **extra: object) -> LineDraft:
    return LineDraft(
        sku=product.sku,
        name=product.name,
        unit="pcs",
        quantity=D(quantity),
        unit_price=D(price),
        vat_percent=D("23"),
        product_id=product.id,
        **extra,  # type: ignore[arg-type]
    )


def sale(
    company: Company,
    product: Product,
    *,
    on: date,
    quantity: str = "1",
    price: str = "100.00",
    kind: DocumentKind = DocumentKind.FS,
    due_on: date | None = None,
    paid: str | None = None,
) -> Document:
    """An FS (or PA, KOR) to the partner; a KOR takes a negative quantity."""
    with atomic():
        document, _ = issue(
            kind,
            on=on,
            actor=None,
            company_id=company.id,
            due_on=due_on,
            lines=[line(product, quantity, price)],
        )
        if paid is not None:
            document.paid_total = D(paid)
    return document
