"""Document reads: the partner's documents (scoped), the office's list of every kind, and one
document's page. Lists are keyset-paginated on (issued_on, id), which the documents' indexes
serve; they never join lines and never count."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.accounts.models import Company, User
from portal.core.db import db
from portal.core.scope import documents_visible_to
from portal.documents.models import (
    PARTNER_KINDS,
    PAYMENT_KINDS,
    Document,
    DocumentAttachment,
    DocumentEvent,
    DocumentKind,
    DocumentLine,
    DocumentState,
    DocumentTag,
)
from portal.documents.services import lines_of, related, totals_for
from portal.documents.totals import Totals
from portal.payments.models import PaymentAllocation, PaymentInfo
from portal.payments.states import PaymentStatus, payment_status

PAGE_SIZE = 25
RELATED_FOR_PARTNERS = PARTNER_KINDS | {DocumentKind.ZK, DocumentKind.RMA}
"""Related documents a partner is shown (orders and RMAs link to their own areas)."""
PAYABLE_KINDS = frozenset({DocumentKind.FS, DocumentKind.PA, DocumentKind.KOR})


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended: the last row's date (None for drafts) and id."""

    issued_on: date | None
    id: int

    def __str__(self) -> str:
        return f"{self.issued_on.isoformat() if self.issued_on else ''}_{self.id}"

    @classmethod
    def parse(cls, raw: str) -> Cursor | None:
        day, _, number = raw.partition("_")
        if not number.isdigit() or len(number) > 12:
            return None
        try:
            return cls(date.fromisoformat(day) if day else None, int(number))
        except ValueError:
            return None

    @classmethod
    def after(cls, document: Document) -> Cursor:
        return cls(document.issued_on, document.id)


@dataclass
class DocumentFilters:
    q: str = ""
    kind: DocumentKind | None = None
    state: DocumentState | None = None
    payment: str = ""
    """"open" (something left to pay), "overdue", or "unallocated" (payments with a rest)."""
    partner: str = ""
    """A company id, or part of a company's name."""
    tag: str = ""
    date_from: date | None = None
    date_to: date | None = None
    cursor: Cursor | None = None

    @property
    def any(self) -> bool:
        return bool(
            self.q
            or self.kind
            or self.state
            or self.payment
            or self.partner
            or self.tag
            or self.date_from
            or self.date_to
        )


def _filtered(
    query: sa.Select[Document], filters: DocumentFilters, today: date
) -> sa.Select[Document]:
    if filters.q:
        # A number or reference as it starts ("FS/2026/11" finds the month's invoices): two
        # index ranges, so a search stays fast with a million documents (a substring match
        # would read every row).
        query = query.where(
            sa.or_(
                _starts_with(Document.number, filters.q.upper()),
                _starts_with(Document.reference, filters.q),
            )
        )
    if filters.kind:
        query = query.where(Document.kind == filters.kind)
    if filters.partner.isdigit() and len(filters.partner) < 12:
        query = query.where(Document.company_id == int(filters.partner))
    elif filters.partner:
        query = query.where(
            Document.company_id.in_(
                sa.select(Company.id).where(
                    Company.name.icontains(filters.partner, autoescape=True)
                )
            )
        )
    if filters.tag:
        query = query.where(
            Document.id.in_(
                sa.select(DocumentTag.document_id).where(DocumentTag.tag == filters.tag)
            )
        )
    if filters.payment == "unallocated":
        query = query.where(
            Document.kind.in_(PAYMENT_KINDS), Document.gross_total > Document.paid_total
        )
    if filters.payment in ("open", "overdue"):
        query = query.where(
            Document.kind.in_(PAYABLE_KINDS), Document.gross_total != Document.paid_total
        )
        if filters.payment == "overdue":
            query = query.where(Document.gross_total > Document.paid_total, Document.due_on < today)
    if filters.date_from:
        query = query.where(Document.issued_on >= filters.date_from)
    if filters.date_to:
        query = query.where(Document.issued_on <= filters.date_to)
    return query


def _starts_with(column: Any, prefix: str) -> sa.ColumnElement[bool]:
    """`column LIKE 'prefix%'` written as a range, which both databases answer from an index
    whatever the collation."""
    return sa.and_(column >= prefix, column < prefix + "\U0010ffff")


def _page(query: sa.Select[Document], filters: DocumentFilters, limit: int) -> list[Document]:
    """Newest first. Drafts have no date and are listed by id when asked for."""
    if filters.state is DocumentState.DRAFT:
        query = query.where(Document.state == DocumentState.DRAFT)
        if filters.cursor:
            query = query.where(Document.id < filters.cursor.id)
        query = query.order_by(Document.id.desc())
    else:
        query = query.where(Document.issued_on.is_not(None))
        if filters.state:
            query = query.where(Document.state == filters.state)
        if filters.cursor and filters.cursor.issued_on:
            query = query.where(
                sa.tuple_(Document.issued_on, Document.id)
                < sa.tuple_(sa.literal(filters.cursor.issued_on), sa.literal(filters.cursor.id))
            )
        query = query.order_by(Document.issued_on.desc(), Document.id.desc())
    return list(db.session.scalars(query.limit(limit + 1)))


def documents_for(
    user: User, filters: DocumentFilters, *, today: date, limit: int = PAGE_SIZE
) -> list[Document]:
    """The partner area's list: their company's documents (a rep's: the assigned partners')."""
    if filters.kind and filters.kind not in PARTNER_KINDS:
        return []
    filters.state = None if filters.state is DocumentState.DRAFT else filters.state
    query = (
        sa.select(Document).where(documents_visible_to(user)).options(joinedload(Document.company))
    )
    return _page(_filtered(query, filters, today), filters, limit)


def office_documents(
    filters: DocumentFilters,
    *,
    today: date,
    limit: int = PAGE_SIZE,
    kinds: frozenset[DocumentKind] | None = None,
) -> list[Document]:
    """Every kind (or those given), for staff."""
    query = sa.select(Document).options(
        joinedload(Document.company), joinedload(Document.supplier), joinedload(Document.status)
    )
    if kinds is not None:
        # Several kinds (payments: KP and KW) in date order: read the date index and skip
        # other kinds, rather than gather every KP and KW through the kind index and sort
        # them. coalesce() keeps the planner off the kind index.
        kind = sa.func.coalesce(Document.kind, Document.kind) if len(kinds) > 1 else Document.kind
        query = query.where(kind.in_(kinds))
    return _page(_filtered(query, filters, today), filters, limit)


def document_for(user: User, document_id: int) -> Document:
    """One document the partner area shows this user, or 404."""
    return db.one_or_404(
        sa.select(Document)
        .where(Document.id == document_id, documents_visible_to(user))
        .options(joinedload(Document.company))
    )


def office_document(document_id: int) -> Document:
    return db.one_or_404(
        sa.select(Document)
        .where(Document.id == document_id)
        .options(
            joinedload(Document.company),
            joinedload(Document.supplier),
            joinedload(Document.status),
            joinedload(Document.created_by),
            joinedload(Document.warehouse),
        )
    )


def attachment_for(document: Document, attachment_id: int, *, internal: bool) -> DocumentAttachment:
    query = sa.select(DocumentAttachment).where(
        DocumentAttachment.id == attachment_id, DocumentAttachment.document_id == document.id
    )
    if not internal:
        query = query.where(DocumentAttachment.internal.is_(False))
    return db.one_or_404(query)


@dataclass
class DocumentPage:
    document: Document
    lines: list[DocumentLine]
    totals: Totals | None
    came_from: list[Document]
    led_to: list[Document]
    attachments: list[DocumentAttachment]
    allocations: list[tuple[PaymentAllocation, Document]]
    status: PaymentStatus | None
    tags: list[str] = field(default_factory=list)
    events: list[DocumentEvent] = field(default_factory=list)
    payment_info: PaymentInfo | None = None


def tags_of(document: Document) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(DocumentTag.tag)
            .where(DocumentTag.document_id == document.id)
            .order_by(DocumentTag.tag)
        )
    )


def attachments_of(document: Document, *, internal: bool) -> list[DocumentAttachment]:
    query = (
        sa.select(DocumentAttachment)
        .where(DocumentAttachment.document_id == document.id)
        .order_by(DocumentAttachment.id)
    )
    if not internal:
        query = query.where(DocumentAttachment.internal.is_(False))
    return list(db.session.scalars(query))


def allocations_of(document: Document) -> list[tuple[PaymentAllocation, Document]]:
    """A payment's allocations with the documents they pay, or a document's with the payments."""
    if document.kind in PAYMENT_KINDS:
        own, other = PaymentAllocation.payment_id, PaymentAllocation.document_id
    else:
        own, other = PaymentAllocation.document_id, PaymentAllocation.payment_id
    rows = db.session.execute(
        sa.select(PaymentAllocation, Document)
        .join(Document, Document.id == other)
        .where(own == document.id)
        .order_by(PaymentAllocation.id)
    )
    return [(allocation, found) for allocation, found in rows]


def document_page(document: Document, *, internal: bool, today: date) -> DocumentPage:
    """What a document's page shows; partners (internal=False) see neither internal
    attachments nor tags nor the audit trail, and only related documents of their own."""
    lines = lines_of(document)
    came_from, led_to = related(document)
    if not internal:

        def shown(other: Document) -> bool:
            return (
                other.company_id == document.company_id
                and other.kind in RELATED_FOR_PARTNERS
                and other.state is not DocumentState.DRAFT
            )

        came_from = [d for d in came_from if shown(d)]
        led_to = [d for d in led_to if shown(d)]
    page = DocumentPage(
        document=document,
        lines=lines,
        totals=totals_for(document.kind, lines) if lines else None,
        came_from=came_from,
        led_to=led_to,
        attachments=attachments_of(document, internal=internal),
        allocations=allocations_of(document)
        if document.kind in PAYMENT_KINDS | PAYABLE_KINDS | {DocumentKind.ZK}
        else [],
        status=payment_status(document.gross_total, document.paid_total, document.due_on, today)
        if document.kind in PAYABLE_KINDS and document.state is DocumentState.ISSUED
        else None,
    )
    if document.kind in PAYMENT_KINDS:
        page.payment_info = db.session.get(PaymentInfo, document.id)
    if internal:
        page.tags = tags_of(document)
        page.events = list(
            db.session.scalars(
                sa.select(DocumentEvent)
                .where(DocumentEvent.document_id == document.id)
                .options(
                    joinedload(DocumentEvent.actor),
                    joinedload(DocumentEvent.on_behalf_of),
                    joinedload(DocumentEvent.to_status),
                )
                .order_by(DocumentEvent.at, DocumentEvent.id)
            )
        )
    return page


def known_tags(limit: int = 200) -> list[str]:
    """Tags in use, for the filter's suggestions."""
    return list(
        db.session.scalars(
            sa.select(DocumentTag.tag).distinct().order_by(DocumentTag.tag).limit(limit)
        )
    )
