"""Issued documents for document and payment tests, made through documents.services.issue."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from portal.accounts.models import Company, User
from portal.documents.models import Document, DocumentKind
from portal.documents.services import LineDraft, issue

DAY = date(2026, 11, 2)


def issued(
    kind: DocumentKind,
    company: Company | None,
    *,
    net: str = "100.00",
    vat: str = "23",
    on: date = DAY,
    due_in: int | None = 14,
    actor: User | None = None,
    sources: tuple[Document, ...] = (),
    lines: tuple[tuple[str, str], ...] | None = None,
    reference: str = "",
) -> Document:
    """A document with one line per (net, VAT percent); FS/PA/KOR get a due date."""
    drafts = [
        LineDraft(
            sku=f"SKU-{position}",
            name=f"Item {position}",
            unit="pc",
            quantity=Decimal(1) if Decimal(line_net) >= 0 else Decimal(-1),
            unit_price=abs(Decimal(line_net)),
            vat_percent=Decimal(rate),
        )
        for position, (line_net, rate) in enumerate(lines or ((net, vat),), start=1)
    ]
    document, _ = issue(
        kind,
        on=on,
        actor=actor,
        lines=drafts,
        sources=sources,
        company_id=company.id if company else None,
        due_on=on + timedelta(days=due_in)
        if due_in is not None and kind in (DocumentKind.FS, DocumentKind.PA, DocumentKind.KOR)
        else None,
        reference=reference,
    )
    return document


def invoice(company: Company, net: str = "100.00", **kwargs: object) -> Document:
    """An FS: net 100.00 at 23 % is 123.00 gross."""
    return issued(DocumentKind.FS, company, net=net, **kwargs)  # type: ignore[arg-type]
