"""Issuing documents of every kind, related-document links, events, tags.

`issue` is the one way a numbered document comes to be: number from its series, lines with
their snapshots, totals per VAT rate, links to the documents it came from, and the "issued"
event, all in the caller's transaction (stock moves and payments are the caller's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import User
from portal.core.db import db
from portal.core.money import ZERO, round_money
from portal.documents.models import (
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentLine,
    DocumentLink,
    DocumentState,
    EventKind,
)
from portal.documents.numbering import allocate_number
from portal.documents.totals import Totals, totals_from_gross, totals_from_net

GROSS_KINDS = frozenset({DocumentKind.PA})
"""Receipts are computed from gross (VAT extracted per rate); everything else from net."""


@dataclass(frozen=True)
class LineDraft:
    """A line to be: snapshots of the product as it is on the document's date."""

    sku: str
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal = ZERO
    """Net per unit (gross per unit on a receipt's own computation is derived, not stored)."""
    vat_percent: Decimal = ZERO
    product_id: int | None = None
    list_price: Decimal | None = None
    discount: Decimal = ZERO
    net: Decimal | None = None
    """Given when the line's net is not unit price x quantity (a copied or corrected line)."""
    source_line_id: int | None = None
    batch_id: int | None = None
    unit_cost: Decimal | None = None

    @property
    def line_net(self) -> Decimal:
        if self.net is not None:
            return self.net
        return round_money(self.unit_price * self.quantity) - self.discount


def totals_for(kind: DocumentKind, lines: Iterable[LineDraft | DocumentLine]) -> Totals:
    if kind in GROSS_KINDS:
        return totals_from_gross(
            (_net(line) + round_money(_net(line) * line.vat_percent / 100), line.vat_percent)
            for line in lines
        )
    return totals_from_net((_net(line), line.vat_percent) for line in lines)


def _net(line: LineDraft | DocumentLine) -> Decimal:
    return line.line_net if isinstance(line, LineDraft) else line.net


def issue(
    kind: DocumentKind,
    *,
    on: date,
    actor: User | None,
    lines: Sequence[LineDraft] = (),
    sources: Sequence[Document] = (),
    company_id: int | None = None,
    user_id: int | None = None,
    warehouse_id: int | None = None,
    target_warehouse_id: int | None = None,
    supplier_id: int | None = None,
    due_on: date | None = None,
    reason: str = "",
    reference: str = "",
    note: str = "",
    event_note: str = "",
    totals: Totals | None = None,
) -> tuple[Document, list[DocumentLine]]:
    """Numbers and stores a document with its lines; returns both (lines flushed, with ids)."""
    totals = totals or totals_for(kind, lines)
    document = Document(
        kind=kind,
        number=allocate_number(kind, on),
        issued_on=on,
        state=DocumentState.ISSUED,
        company_id=company_id,
        user_id=user_id,
        warehouse_id=warehouse_id,
        target_warehouse_id=target_warehouse_id,
        supplier_id=supplier_id,
        created_by_id=actor.id if actor else None,
        due_on=due_on,
        reason=reason,
        reference=reference,
        note=note,
        net_total=totals.net,
        vat_total=totals.vat,
        gross_total=totals.gross,
    )
    db.session.add(document)
    db.session.flush()
    rows = [
        DocumentLine(
            document_id=document.id,
            position=position,
            product_id=draft.product_id,
            sku=draft.sku,
            name=draft.name,
            unit=draft.unit,
            quantity=draft.quantity,
            list_price=draft.list_price if draft.list_price is not None else draft.unit_price,
            unit_price=draft.unit_price,
            vat_percent=draft.vat_percent,
            discount=draft.discount,
            net=draft.line_net,
            reserved=ZERO,
            source_line_id=draft.source_line_id,
            batch_id=draft.batch_id,
            unit_cost=draft.unit_cost,
        )
        for position, draft in enumerate(lines, start=1)
    ]
    db.session.add_all(rows)
    for source in sources:
        link(source, document)
    add_event(document, EventKind.ISSUED, actor=actor, note=event_note)
    db.session.flush()
    return document, rows


def link(source: Document, target: Document) -> None:
    """`source` led to `target`; linking twice is harmless."""
    exists = db.session.get(DocumentLink, (source.id, target.id))
    if exists is None:
        db.session.add(DocumentLink(source_id=source.id, target_id=target.id))


def add_event(
    document: Document,
    kind: EventKind,
    *,
    actor: User | None,
    note: str = "",
    on_behalf_of: User | None = None,
) -> DocumentEvent:
    event = DocumentEvent(
        document_id=document.id,
        kind=kind,
        actor_id=actor.id if actor else None,
        on_behalf_of_id=on_behalf_of.id if on_behalf_of else None,
        note=note,
    )
    db.session.add(event)
    return event


def related(document: Document) -> tuple[list[Document], list[Document]]:
    """(came from, led to), oldest first."""
    came_from = db.session.scalars(
        sa.select(Document)
        .join(DocumentLink, DocumentLink.source_id == Document.id)
        .where(DocumentLink.target_id == document.id)
        .order_by(Document.id)
    ).all()
    led_to = db.session.scalars(
        sa.select(Document)
        .join(DocumentLink, DocumentLink.target_id == Document.id)
        .where(DocumentLink.source_id == document.id)
        .order_by(Document.id)
    ).all()
    return list(came_from), list(led_to)


def lines_of(document: Document) -> list[DocumentLine]:
    return list(
        db.session.scalars(
            sa.select(DocumentLine)
            .where(DocumentLine.document_id == document.id)
            .order_by(DocumentLine.position)
        )
    )
