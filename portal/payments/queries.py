"""Payment reads for the office: open documents a payment can go to, and the accounting export."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.accounts.models import Company
from portal.core.db import db
from portal.core.money import round_money
from portal.documents.models import (
    PAYMENT_KINDS,
    SALES_KINDS,
    Document,
    DocumentKind,
    DocumentLine,
    DocumentState,
)
from portal.documents.services import LineDraft, totals_for
from portal.documents.totals import Totals
from portal.orders.models import OrderInfo, OrderStatus, PaymentMethod, PaymentState, StatusType
from portal.payments.models import PaymentAllocation
from portal.payments.services import open_for

OPEN_LIMIT = 100
EXPORT_KINDS = SALES_KINDS | PAYMENT_KINDS
EXPORT_BATCH = 500


def companies() -> list[Company]:
    return list(
        db.session.scalars(
            sa.select(Company).where(Company.active.is_(True)).order_by(Company.name).limit(1000)
        )
    )


def open_documents(company_id: int, payment_kind: DocumentKind) -> list[Document]:
    """What a payment of this kind can be allocated to, oldest first: for a KP the invoices,
    receipts and corrections still owed plus orders waiting for a prepayment; for a KW the
    corrections we still owe the partner."""
    owed = (
        Document.gross_total > Document.paid_total
        if payment_kind is DocumentKind.KP
        else Document.gross_total < Document.paid_total
    )
    sales = sa.and_(Document.kind.in_(SALES_KINDS), owed)
    if payment_kind is DocumentKind.KP:
        awaiting_prepayment = Document.id.in_(
            sa.select(OrderInfo.document_id)
            .join(Document, Document.id == OrderInfo.document_id)
            .join(OrderStatus, OrderStatus.id == Document.status_id)
            .where(
                Document.company_id == company_id,
                OrderInfo.payment_method.in_((PaymentMethod.BANK_TRANSFER, PaymentMethod.CARD)),
                OrderInfo.payment_state == PaymentState.AWAITING,
                OrderStatus.type != StatusType.FAILURE,
            )
        )
        condition = sa.or_(sales, sa.and_(Document.kind == DocumentKind.ZK, awaiting_prepayment))
    else:
        condition = sales
    return list(
        db.session.scalars(
            sa.select(Document)
            .where(
                Document.company_id == company_id,
                Document.state == DocumentState.ISSUED,
                condition,
            )
            .order_by(Document.issued_on, Document.id)
            .limit(OPEN_LIMIT)
        )
    )


def prefill(
    documents: Sequence[Document], kind: DocumentKind, amount: Decimal
) -> dict[int, Decimal]:
    """The amount spread over the documents, oldest first, each up to what it can take."""
    left = round_money(amount)
    spread: dict[int, Decimal] = {}
    for document in documents:
        if left <= 0:
            break
        share = min(open_for(kind, document), left)
        if share > 0:
            spread[document.id] = share
            left -= share
    return spread


@dataclass(frozen=True)
class ExportRow:
    document: Document
    totals: Totals | None
    """Per VAT rate, from the lines; None for payments."""
    allocations: list[tuple[str, Decimal]]
    """Payments: (document number, amount) they are allocated to."""


def export_rows(date_from: date, date_to: date) -> Iterator[ExportRow]:
    """Invoices, receipts, corrections and payments issued in the range, in date order, read in
    batches so that a long range never holds everything in memory."""
    after: tuple[date, int] | None = None
    while True:
        query = (
            sa.select(Document)
            .where(
                Document.kind.in_(EXPORT_KINDS),
                Document.state != DocumentState.DRAFT,
                Document.issued_on >= date_from,
                Document.issued_on <= date_to,
            )
            .options(joinedload(Document.company))
            .order_by(Document.issued_on, Document.id)
            .limit(EXPORT_BATCH)
        )
        if after is not None:
            query = query.where(
                sa.tuple_(Document.issued_on, Document.id)
                > sa.tuple_(sa.literal(after[0]), sa.literal(after[1]))
            )
        batch = list(db.session.scalars(query))
        if not batch:
            return
        yield from _with_details(batch)
        last = batch[-1]
        assert last.issued_on is not None
        after = (last.issued_on, last.id)


def _with_details(batch: list[Document]) -> Iterator[ExportRow]:
    sales_ids = [d.id for d in batch if d.kind in SALES_KINDS]
    payment_ids = [d.id for d in batch if d.kind in PAYMENT_KINDS]
    lines: dict[int, list[LineDraft]] = defaultdict(list)
    if sales_ids:
        for document_id, net, vat_percent in db.session.execute(
            sa.select(DocumentLine.document_id, DocumentLine.net, DocumentLine.vat_percent).where(
                DocumentLine.document_id.in_(sales_ids)
            )
        ):
            lines[document_id].append(
                LineDraft(
                    sku="", name="", unit="", quantity=Decimal(1), net=net, vat_percent=vat_percent
                )
            )
    allocations: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    if payment_ids:
        for payment_id, number, amount in db.session.execute(
            sa.select(PaymentAllocation.payment_id, Document.number, PaymentAllocation.amount)
            .join(Document, Document.id == PaymentAllocation.document_id)
            .where(PaymentAllocation.payment_id.in_(payment_ids))
            .order_by(PaymentAllocation.id)
        ):
            allocations[payment_id].append((number or "", amount))
    for document in batch:
        own_lines = lines.get(document.id)
        yield ExportRow(
            document=document,
            totals=totals_for(document.kind, own_lines) if own_lines else None,
            allocations=allocations.get(document.id, []),
        )
