"""RMA reads for partners (and reps and staff at the same URLs), scoped like orders: a buyer
sees the RMAs they filed, a partner admin the company's, a rep the assigned partners', staff
everything. Every list is a fixed number of queries, keyset-paginated by id."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased, joinedload

from portal.accounts.models import Role, User
from portal.core.clock import local_today
from portal.core.db import db, utcnow
from portal.core.scope import visible_to
from portal.documents.models import (
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentLine,
    DocumentMessage,
    ReasonCode,
)
from portal.fulfilment.models import Shipment
from portal.returns.eligibility import (
    DeliveredLine,
    Eligibility,
    Policy,
    delivered_lines,
    eligibility,
    policies,
)
from portal.returns.models import RmaInfo, RmaKind, RmaLine, RmaPhoto, RmaStatus

PAGE_SIZE = 20
ORDER_PAGE_SIZE = 20


def rma_scope(user: User) -> sa.ColumnElement[bool]:
    condition = sa.and_(Document.kind == DocumentKind.RMA, visible_to(user, Document))
    if user.role is Role.BUYER:
        return sa.and_(condition, Document.user_id == user.id)
    return condition


@dataclass
class RmaFilters:
    q: str = ""
    """An RMA number or an order number (or part of one)."""
    status: str = ""
    before_id: int | None = None


@dataclass(frozen=True)
class RmaRow:
    rma: Document
    info: RmaInfo


def rmas_for(user: User, filters: RmaFilters, limit: int = PAGE_SIZE) -> list[RmaRow]:
    """Newest first; one query; `limit + 1` rows so the page knows whether there is more."""
    query = (
        sa.select(Document, RmaInfo)
        .join(RmaInfo, RmaInfo.document_id == Document.id)
        .where(rma_scope(user))
        .options(joinedload(Document.user))
    )
    text = filters.q.strip()
    if text:
        pattern = f"%{text}%"
        order = aliased(Document)
        by_order = (
            sa.select(DocumentLine.document_id)
            .join(RmaLine, RmaLine.document_line_id == DocumentLine.id)
            .join(order, order.id == RmaLine.order_id)
            .where(order.number.ilike(pattern))
        )
        query = query.where(sa.or_(Document.number.ilike(pattern), Document.id.in_(by_order)))
    statuses = [status for status in RmaStatus if status.value == filters.status]
    if statuses:
        query = query.where(RmaInfo.status == statuses[0])
    if filters.before_id:
        query = query.where(Document.id < filters.before_id)
    rows = db.session.execute(query.order_by(Document.id.desc()).limit(limit + 1))
    return [RmaRow(rma, info) for rma, info in rows]


def rma_for(user: User, rma_id: int) -> RmaRow:
    """One RMA the user may see, or 404 (another company's answers like a missing one)."""
    row = db.session.execute(
        sa.select(Document, RmaInfo)
        .join(RmaInfo, RmaInfo.document_id == Document.id)
        .where(Document.id == rma_id, rma_scope(user))
        .options(joinedload(Document.user), joinedload(Document.company))
    ).first()
    if row is None:
        abort(404)
    return RmaRow(*row)


@dataclass
class RmaPageLine:
    line: DocumentLine
    extra: RmaLine
    reason: ReasonCode
    order_number: str
    photos: list[RmaPhoto] = field(default_factory=list)


@dataclass
class TimelineEntry:
    at: datetime
    status: RmaStatus | None
    note: str
    author: str


@dataclass
class RmaPage:
    rma: Document
    info: RmaInfo
    lines: list[RmaPageLine]
    timeline: list[TimelineEntry]


def rma_page(row: RmaRow, *, internal: bool = False) -> RmaPage:
    """Lines with reasons, orders and photos, and the timeline: four queries."""
    rma = row.rma
    order = aliased(Document)
    found = db.session.execute(
        sa.select(DocumentLine, RmaLine, ReasonCode, order.number)
        .join(RmaLine, RmaLine.document_line_id == DocumentLine.id)
        .join(ReasonCode, ReasonCode.id == RmaLine.reason_id)
        .join(order, order.id == RmaLine.order_id)
        .where(DocumentLine.document_id == rma.id)
        .order_by(DocumentLine.position)
    ).all()
    lines = [
        RmaPageLine(line, extra, reason, number or "") for line, extra, reason, number in found
    ]
    by_line = {entry.line.id: entry for entry in lines}
    if by_line:
        for photo in db.session.scalars(
            sa.select(RmaPhoto).where(RmaPhoto.document_line_id.in_(by_line)).order_by(RmaPhoto.id)
        ):
            by_line[photo.document_line_id].photos.append(photo)
    timeline = [
        TimelineEntry(event.at, RmaStatus(event.rma_status or ""), event.note, "")
        for event in db.session.scalars(
            sa.select(DocumentEvent)
            .where(DocumentEvent.document_id == rma.id, DocumentEvent.rma_status.is_not(None))
            .order_by(DocumentEvent.at, DocumentEvent.id)
        )
    ]
    messages = sa.select(DocumentMessage).where(DocumentMessage.document_id == rma.id)
    if not internal:
        messages = messages.where(DocumentMessage.internal.is_(False))
    for message in db.session.scalars(messages.options(joinedload(DocumentMessage.author))):
        timeline.append(TimelineEntry(message.created_at, None, message.body, message.author.name))
    timeline.sort(key=lambda entry: entry.at)
    return RmaPage(rma, row.info, lines, timeline)


def photo_of(rma: Document, photo_id: int) -> RmaPhoto:
    """A photo of one of this RMA's lines, or 404."""
    return db.one_or_404(
        sa.select(RmaPhoto)
        .join(DocumentLine, DocumentLine.id == RmaPhoto.document_line_id)
        .where(RmaPhoto.id == photo_id, DocumentLine.document_id == rma.id)
    )


# --- filing: which orders and lines ---------------------------------------------------------


@dataclass(frozen=True)
class ClaimableLine:
    delivered: DeliveredLine
    verdict: Eligibility


@dataclass
class ClaimableOrder:
    order_id: int
    number: str
    delivered_on: date
    lines: list[ClaimableLine]

    @property
    def claimable(self) -> bool:
        return any(line.verdict.eligible for line in self.lines)


def _delivered_orders(
    customer: User, known: list[Policy], *, before_id: int | None, limit: int
) -> list[int]:
    """Ids of the customer's orders with a delivery recent enough to claim on (within the
    longest warranty of any policy), newest first."""
    longest = max((policy.warranty_months for policy in known), default=24)
    since = utcnow() - timedelta(days=31 * longest + 1)
    query = (
        sa.select(Shipment.order_id)
        .join(Document, Document.id == Shipment.order_id)
        .where(
            Document.kind == DocumentKind.ZK,
            Document.company_id == customer.company_id,
            Shipment.delivered_at.is_not(None),
            Shipment.delivered_at >= since,
        )
        .group_by(Shipment.order_id)
        .order_by(Shipment.order_id.desc())
        .limit(limit)
    )
    if customer.role is Role.BUYER:
        query = query.where(Document.user_id == customer.id)
    if before_id:
        query = query.where(Shipment.order_id < before_id)
    return list(db.session.scalars(query))


def claimable_orders(
    customer: User,
    kind: RmaKind | None,
    *,
    today: date | None = None,
    order_ids: list[int] | None = None,
    before_id: int | None = None,
    limit: int = ORDER_PAGE_SIZE,
) -> list[ClaimableOrder]:
    """The customer's delivered orders (the given ones, or a page of the newest) with every
    delivered line and what may be claimed on it as `kind` (None: as either kind). Four
    queries, whatever the number of orders and lines."""
    day = today or local_today()
    known = policies()
    if order_ids is None:
        order_ids = _delivered_orders(customer, known, before_id=before_id, limit=limit)
    ids = order_ids
    grouped: dict[int, ClaimableOrder] = {}
    for line in delivered_lines(customer, order_ids=ids, known_policies=known):
        kinds = [kind] if kind else [RmaKind.RETURN, RmaKind.COMPLAINT]
        verdicts = [eligibility(line, each, day) for each in kinds]
        verdict = next((v for v in verdicts if v.eligible), verdicts[0])
        entry = grouped.setdefault(
            line.order_id,
            ClaimableOrder(
                line.order_id,
                line.order_number,
                line.delivered_on,
                [],
            ),
        )
        entry.lines.append(ClaimableLine(line, verdict))
    order_of = {order_id: position for position, order_id in enumerate(ids)}
    return sorted(grouped.values(), key=lambda o: order_of.get(o.order_id, 0))
