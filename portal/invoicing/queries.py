"""Reads for invoicing: the rules in order, what a partner has not been invoiced for yet, and
where each line of an invoice stands after its corrections."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.accounts.models import Company
from portal.core.db import db
from portal.documents.models import (
    Document,
    DocumentKind,
    DocumentLine,
    DocumentLink,
    DocumentState,
)
from portal.invoicing.models import DocumentRule

INVOICE_KINDS = (DocumentKind.FS, DocumentKind.PA)
"""The final documents a delivery note is invoiced by."""


def rules_in_order() -> list[DocumentRule]:
    return list(
        db.session.scalars(sa.select(DocumentRule).order_by(DocumentRule.position, DocumentRule.id))
    )


def _invoiced_condition(note_id: Any) -> sa.Exists:
    target = aliased(Document)
    return (
        sa.select(DocumentLink.source_id)
        .join(target, target.id == DocumentLink.target_id)
        .where(DocumentLink.source_id == note_id, target.kind.in_(INVOICE_KINDS))
        .exists()
    )


def invoiced_note_ids(note_ids: Iterable[int]) -> set[int]:
    """Those of these delivery notes that an FS or PA already covers."""
    ids = list(note_ids)
    if not ids:
        return set()
    target = aliased(Document)
    return set(
        db.session.scalars(
            sa.select(DocumentLink.source_id)
            .join(target, target.id == DocumentLink.target_id)
            .where(DocumentLink.source_id.in_(ids), target.kind.in_(INVOICE_KINDS))
        )
    )


def uninvoiced_delivery_notes(
    company_id: int,
    *,
    limit: int = 200,
    issued_from: date | None = None,
    issued_to: date | None = None,
) -> list[Document]:
    """The partner's issued WZs that no FS or PA covers yet, oldest first."""
    query = sa.select(Document).where(
        Document.company_id == company_id,
        Document.kind == DocumentKind.WZ,
        Document.state == DocumentState.ISSUED,
        ~_invoiced_condition(Document.id),
    )
    if issued_from is not None:
        query = query.where(Document.issued_on >= issued_from)
    if issued_to is not None:
        query = query.where(Document.issued_on <= issued_to)
    return list(db.session.scalars(query.order_by(Document.issued_on, Document.id).limit(limit)))


def orders_of(notes: Sequence[Document]) -> dict[int, list[Document]]:
    """Delivery note id -> the orders (ZK) it was issued for, in one query."""
    found: dict[int, list[Document]] = defaultdict(list)
    if not notes:
        return found
    rows = db.session.execute(
        sa.select(DocumentLink.target_id, Document)
        .join(Document, Document.id == DocumentLink.source_id)
        .where(
            DocumentLink.target_id.in_([note.id for note in notes]),
            Document.kind == DocumentKind.ZK,
        )
        .order_by(Document.id)
    )
    for note_id, order in rows:
        found[note_id].append(order)
    return found


def partners_for_invoicing() -> list[Company]:
    return list(
        db.session.scalars(
            sa.select(Company).where(Company.active.is_(True)).order_by(Company.name, Company.id)
        )
    )


@dataclass(frozen=True)
class LineState:
    """One line of an invoice as it stands now: the original plus every correction of it."""

    line: DocumentLine
    quantity: Decimal
    unit_price: Decimal
    net: Decimal


def line_states(original: Document, *, before_document_id: int | None = None) -> list[LineState]:
    """Each line of an FS or PA after its corrections (only those issued before
    `before_document_id`, when given: what a KOR found when it was issued)."""
    lines = list(
        db.session.scalars(
            sa.select(DocumentLine)
            .where(DocumentLine.document_id == original.id)
            .order_by(DocumentLine.position)
        )
    )
    if not lines:
        return []
    query = (
        sa.select(DocumentLine)
        .join(Document, Document.id == DocumentLine.document_id)
        .where(
            DocumentLine.source_line_id.in_([line.id for line in lines]),
            Document.kind == DocumentKind.KOR,
        )
        .order_by(Document.id, DocumentLine.position)
    )
    if before_document_id is not None:
        query = query.where(Document.id < before_document_id)
    quantity = {line.id: line.quantity for line in lines}
    price = {line.id: line.unit_price for line in lines}
    net = {line.id: line.net for line in lines}
    for row in db.session.scalars(query):
        assert row.source_line_id is not None
        quantity[row.source_line_id] += row.quantity
        net[row.source_line_id] += row.net
        price[row.source_line_id] = row.unit_price
    return [LineState(line, quantity[line.id], price[line.id], net[line.id]) for line in lines]
